//! New paths: where each record lives in the new CMS (and in `--layout dir`),
//! built from the profile's `[output]` pattern. Every segment is a slug of
//! `[a-z0-9-]`, bounded in length, so no URL or title, however crafted
//! (`../`, `%2e%2e`, NUL, 10,000 characters), can make a path that leaves
//! the output folder. Two records that want the same path are a collision:
//! the later one (in the stable output order) gets its legacy id appended,
//! and the collision is reported; nothing is ever silently overwritten.

use rusqlite::OptionalExtension;

use super::scratch::Scratch;
use crate::record::Record;
use serde::Serialize;
use url::Url;

use crate::profile::output::{OutputSpec, PathPart, SlugSource};
pub use crate::text::slugify;

/// Longest path segment (other than the slug), in characters.
const MAX_SEGMENT: usize = 60;

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

/// The year and month of a record: from `published`, else the dateline.
pub(super) fn year_month(v: &Record) -> (Option<String>, Option<String>) {
    let from_iso = |s: &str| {
        let y = s.get(..4).filter(|y| y.bytes().all(|b| b.is_ascii_digit()));
        let m = s
            .get(5..7)
            .filter(|m| m.bytes().all(|b| b.is_ascii_digit()));
        (y.map(str::to_string), m.map(str::to_string))
    };
    if let Some(p) = non_empty(v.published.as_deref()) {
        let (y, m) = from_iso(p);
        if y.is_some() {
            return (y, m);
        }
    }
    if let Some(d) = v
        .dateline
        .as_ref()
        .and_then(|d| non_empty(d.date.as_deref()))
    {
        return from_iso(d);
    }
    (None, None)
}

/// The slug of a record, from the profile's sources in order.
pub fn slug_of(v: &Record, spec: &OutputSpec) -> Option<String> {
    for src in &spec.slug_from {
        let s = match src {
            SlugSource::Url => [&v.url, &v.canonical_url].iter().find_map(|u| {
                let u = Url::parse(non_empty(Some(u.as_str()))?).ok()?;
                let path = u.path().to_string();
                let c = spec.url_slug.captures(&path)?;
                let raw = c.name("slug")?.as_str();
                let decoded = percent_decode(raw);
                Some(slugify(&decoded, spec.max_slug))
            }),
            SlugSource::Title => non_empty(Some(&v.title)).map(|t| slugify(t, spec.max_slug)),
            SlugSource::LegacyId => {
                non_empty(v.legacy_id.as_deref()).map(|t| slugify(t, spec.max_slug))
            }
        };
        if let Some(s) = s.filter(|s| !s.is_empty()) {
            return Some(s);
        }
    }
    None
}

pub(super) fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

/// The record's section names as slug segments (`unfiled` when none).
pub fn section_path(v: &Record) -> Vec<String> {
    let names = crate::record::section_slugs(&v.section);
    if names.is_empty() {
        vec!["unfiled".to_string()]
    } else {
        names
    }
}

/// The folder part of a URL's path (`/en/news/iraq/` for
/// `/en/news/iraq/7198-talks/`), used to find a listing's records.
pub fn url_folder(url: &str) -> Option<String> {
    let u = Url::parse(url).ok()?;
    let path = u.path().trim_end_matches('/');
    let (dir, _) = path.rsplit_once('/')?;
    Some(format!("{dir}/"))
}

/// The path a record wants (before collisions), as `/`-free segments.
pub fn wanted_path(v: &Record, spec: &OutputSpec) -> Vec<String> {
    let (year, month) = year_month(v);
    let legacy_id = non_empty(v.legacy_id.as_deref());
    let slug = slug_of(v, spec)
        .or_else(|| legacy_id.map(|i| slugify(i, spec.max_slug)))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "untitled".into());
    let mut out = Vec::new();
    for seg in &spec.segments {
        if seg == &[PathPart::Section] {
            out.extend(section_path(v));
            continue;
        }
        let mut text = String::new();
        for part in seg {
            match part {
                PathPart::Literal(l) => text.push_str(l),
                PathPart::Section => {}
                PathPart::Year => text.push_str(year.as_deref().unwrap_or("undated")),
                PathPart::Month => text.push_str(month.as_deref().unwrap_or("00")),
                PathPart::Slug => text.push_str(&slug),
                PathPart::LegacyId => text.push_str(legacy_id.unwrap_or("no-id")),
                PathPart::Template => text.push_str(non_empty(Some(&v.template)).unwrap_or("page")),
            }
        }
        let max = if seg.contains(&PathPart::Slug) {
            spec.max_slug + MAX_SEGMENT
        } else {
            MAX_SEGMENT
        };
        let s = slugify(&text, max);
        out.push(if s.is_empty() { "x".into() } else { s });
    }
    out
}

/// A listing's URL path without the profile's `listing_strip` parts
/// (pagination), ending in `/`; None for script URLs (`index.php?…`),
/// whose identity is in the query.
pub fn listing_folder(url: &str, spec: &OutputSpec) -> Option<String> {
    let u = Url::parse(url).ok()?;
    let mut path = u.path().to_string();
    for re in &spec.listing_strip {
        path = re.replace_all(&path, "/").into_owned();
    }
    if path.split('/').any(|s| s.contains('.')) {
        return None;
    }
    Some(format!("{}/", path.trim_end_matches('/')))
}

/// The new section path of a listing page with no records under it: its
/// folder's segments, slugified. None when nothing is left.
pub fn listing_path(url: &str, spec: &OutputSpec) -> Option<Vec<String>> {
    let folder = listing_folder(url, spec)?;
    let segs: Vec<String> = folder
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| slugify(&percent_decode(s), MAX_SEGMENT))
        .filter(|s| !s.is_empty())
        .take(crate::record::SECTION_DEPTH_MAX + 2)
        .collect();
    (!segs.is_empty()).then_some(segs)
}

/// Two records that wanted one path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Collision {
    /// The path both wanted.
    pub wanted: String,
    /// The key of the record that kept it.
    pub kept_by: String,
    /// The key of the record that was moved.
    pub record: String,
    /// Where it was moved to.
    pub moved_to: String,
}

/// Hands out unique paths in output order, reporting collisions.
///
/// The paths handed out are kept in a temporary database on disk (see
/// [`super::scratch`]), so memory does not grow with the site. Should it
/// fail, paths are handed out unchecked from then on and
/// [`PathAssigner::failure`] says why; the writer then stops.
#[derive(Debug)]
pub struct PathAssigner {
    db: Scratch,
    /// Collisions so far, in output order.
    pub collisions: Vec<Collision>,
}

impl Default for PathAssigner {
    fn default() -> Self {
        PathAssigner {
            db: Scratch::open(
                "CREATE TABLE path (path TEXT PRIMARY KEY, record TEXT NOT NULL) WITHOUT ROWID;\
                 CREATE TABLE planned (n INTEGER PRIMARY KEY, path TEXT NOT NULL);",
            ),
            collisions: Vec::new(),
        }
    }
}

impl PathAssigner {
    /// Why the paths could not be checked for uniqueness, if they could not.
    pub fn failure(&self) -> Option<&str> {
        self.db.failure()
    }

    /// The record that holds `path`, if one does.
    fn owner(&mut self, path: &str) -> Option<String> {
        self.db
            .run(|db| {
                db.prepare_cached("SELECT record FROM path WHERE path = ?1")?
                    .query_row([path], |r| r.get(0))
                    .optional()
            })
            .flatten()
    }

    /// Takes `path` for the record `key` if it is free (or if the database
    /// failed: see [`PathAssigner::failure`]).
    fn take(&mut self, path: &str, key: &str) -> bool {
        self.db
            .run(|db| {
                db.prepare_cached("INSERT OR IGNORE INTO path (path, record) VALUES (?1, ?2)")?
                    .execute([path, key])
            })
            .is_none_or(|n| n == 1)
    }

    /// [`PathAssigner::assign`], remembered as the `n`th record's path.
    pub fn plan(
        &mut self,
        n: u64,
        key: &str,
        legacy_id: Option<&str>,
        wanted: Vec<String>,
    ) -> String {
        let path = self.assign(key, legacy_id, wanted);
        self.db.run(|db| {
            db.prepare_cached("INSERT OR REPLACE INTO planned (n, path) VALUES (?1, ?2)")?
                .execute(rusqlite::params![n as i64, path])
        });
        path
    }

    /// The path planned for the `n`th record.
    pub fn planned(&mut self, n: u64) -> Option<String> {
        self.db
            .run(|db| {
                db.prepare_cached("SELECT path FROM planned WHERE n = ?1")?
                    .query_row([n as i64], |r| r.get(0))
                    .optional()
            })
            .flatten()
    }

    /// The unique path (segments joined by `/`) of the record `key`.
    pub fn assign(&mut self, key: &str, legacy_id: Option<&str>, wanted: Vec<String>) -> String {
        let joined = wanted.join("/");
        if self.take(&joined, key) {
            return joined;
        }
        let mut segs = wanted;
        let last = segs.pop().unwrap_or_else(|| "x".into());
        let id = legacy_id.map(|i| slugify(i, 20)).filter(|i| !i.is_empty());
        let mut n = 1;
        let moved = loop {
            let suffix = match (&id, n) {
                (Some(i), 1) => i.clone(),
                (Some(i), n) => format!("{i}-{n}"),
                (None, n) => (n + 1).to_string(),
            };
            let mut c = segs.clone();
            c.push(format!("{last}-{suffix}"));
            let cand = c.join("/");
            if self.take(&cand, key) {
                break cand;
            }
            n += 1;
        };
        let kept_by = self.owner(&joined).unwrap_or_default();
        self.collisions.push(Collision {
            kept_by,
            wanted: joined,
            record: key.to_string(),
            moved_to: moved.clone(),
        });
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_and_bounded() {
        assert_eq!(
            slugify("Iran says: it will NOT talk!", 80),
            "iran-says-it-will-not-talk"
        );
        assert_eq!(slugify("../../etc/passwd", 80), "etc-passwd");
        assert_eq!(slugify("Café & Société", 80), "cafe-and-societe");
        assert_eq!(slugify("Iran’s plan", 80), "irans-plan");
        assert_eq!(slugify("..", 80), "");
        let long = "word ".repeat(5000);
        let s = slugify(&long, 80);
        assert!(s.len() <= 80 && !s.ends_with('-'), "{s}");
    }

    #[test]
    fn path_from_section_year_and_url_slug_else_title() {
        let spec = OutputSpec::default();
        let v = Record {
            url: "https://x.org/en/news/iraq/7198-iran-talks/".into(),
            title: "T".into(),
            section: vec!["News & Views".into(), "Iraq".into()],
            published: Some("2006-05-14T09:12:00+00:00".into()),
            ..Record::default()
        };
        assert_eq!(
            wanted_path(&v, &spec).join("/"),
            "news-and-views/iraq/2006/7198-iran-talks"
        );
        let v = Record {
            url: "https://x.org/en/index.php?option=com_content&id=1".into(),
            title: "A Title".into(),
            legacy_id: Some("1".into()),
            ..Record::default()
        };
        assert_eq!(wanted_path(&v, &spec).join("/"), "unfiled/undated/a-title");
    }

    #[test]
    fn collisions_get_the_legacy_id_and_are_reported() {
        let mut a = PathAssigner::default();
        let w = vec!["news".to_string(), "same".to_string()];
        assert_eq!(a.assign("1", Some("1"), w.clone()), "news/same");
        assert_eq!(a.assign("2", Some("2"), w.clone()), "news/same-2");
        assert_eq!(a.assign("3", None, w.clone()), "news/same-3");
        assert_eq!(a.collisions.len(), 2);
        assert_eq!(a.collisions[0].kept_by, "1");
        assert_eq!(a.collisions[0].record, "2");
    }
}
