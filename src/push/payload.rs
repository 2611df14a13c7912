//! What `push` sends WordPress for each entity of the package: a user per
//! author, a category or tag per term, an attachment per media file, a post
//! per record (content with media and internal links pointed at WordPress,
//! the published date in the site's timezone, author, terms, featured
//! image, and the legacy id and URLs as post meta). Pure functions of the
//! package and of the WordPress ids already known, so the same package
//! gives the same payloads, and the same digests, on every push.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::{Captures, Regex};
use serde_json::{json, Map, Value};

use super::package::{Author, MediaFile, Post, Term};
use crate::record::Record;

/// The user for an author (created as an Author; the password is never
/// used: the person resets it).
pub fn user(a: &Author) -> Value {
    json!({ "name": a.name, "slug": a.slug })
}

/// The fields a new user needs besides [`user`]'s.
pub fn new_user(a: &Author) -> Value {
    let mut v = user(a);
    v["username"] = json!(a.slug);
    v["email"] = json!(format!("{}@authors.invalid", a.slug));
    v["password"] = json!(uuid::Uuid::new_v4().to_string());
    v["roles"] = json!(["author"]);
    v
}

/// The REST route of a term's vocabulary.
pub fn term_route(t: &Term) -> &'static str {
    if t.vocabulary == "tag" {
        "wp/v2/tags"
    } else {
        "wp/v2/categories"
    }
}

/// The category or tag for a term; `parent` is the WordPress id of its
/// parent section. Its WordPress slug is the last part of a section's slug
/// path (WordPress builds the path from the parents).
pub fn term(t: &Term, parent: Option<i64>) -> Value {
    let slug = t.slug.rsplit('/').next().unwrap_or(&t.slug);
    let mut v = json!({
        "name": t.name,
        "slug": slug,
        "meta": { "sitelift_legacy_slug": t.slug },
    });
    if t.vocabulary != "tag" {
        v["parent"] = json!(parent.unwrap_or(0));
    }
    v
}

/// An attachment's fields: title, alternative text and caption (the first
/// the package saw of each), and its SHA-256 as meta.
pub fn media(m: &MediaFile) -> Value {
    let e = &m.entry;
    let stem = e
        .path
        .rsplit('/')
        .next()
        .unwrap_or(&e.path)
        .rsplit_once('.')
        .map_or(e.path.as_str(), |(s, _)| s);
    let alt = e.alts.first().cloned().unwrap_or_default();
    let title = if alt.is_empty() {
        stem.to_string()
    } else {
        alt.clone()
    };
    json!({
        "title": title,
        "alt_text": alt,
        "caption": e.captions.first().cloned().unwrap_or_default(),
        "meta": { "sitelift_sha256": e.sha256 },
    })
}

/// The query of a media upload: the fields of [`media`] as form pairs
/// (the body is the file itself).
pub fn media_query(v: &Value) -> Vec<(String, String)> {
    let mut q = Vec::new();
    for (k, val) in v.as_object().into_iter().flatten() {
        match val {
            Value::Object(inner) => {
                for (ik, iv) in inner {
                    q.push((format!("{k}[{ik}]"), iv.as_str().unwrap_or("").to_string()));
                }
            }
            other => q.push((k.clone(), other.as_str().unwrap_or("").to_string())),
        }
    }
    q
}

/// The WordPress ids and URLs a post refers to.
#[derive(Debug, Default)]
pub struct Refs {
    /// Author slug → user id.
    pub users: HashMap<String, i64>,
    /// (vocabulary, slug) → term id.
    pub terms: HashMap<(String, String), i64>,
    /// Package media URL → (attachment id, its URL in WordPress).
    pub media: HashMap<String, (i64, String)>,
    /// Record new path → its URL on the WordPress site.
    pub pages: HashMap<String, String>,
}

/// The post for a record `r` of the package (`p` says where it goes).
pub fn post(p: &Post, r: &Record, refs: &Refs) -> Value {
    let slug = p
        .path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let mut v = Map::new();
    v.insert("title".into(), json!(r.title));
    v.insert("slug".into(), json!(slug));
    v.insert("status".into(), json!("publish"));
    v.insert("content".into(), json!(content(&r.body.html, refs)));
    if let Some(excerpt) = r.fields.get("excerpt").and_then(Value::as_str) {
        v.insert("excerpt".into(), json!(excerpt));
    }
    if let Some((field, date)) = r.published.as_deref().and_then(wp_date) {
        v.insert(field.into(), json!(date));
    }
    if let Some(id) = r.refs.authors.iter().find_map(|a| refs.users.get(a)) {
        v.insert("author".into(), json!(id));
    }
    let term = |voc: &str, slug: &String| refs.terms.get(&(voc.to_string(), slug.clone())).copied();
    let mut categories: Vec<i64> = r
        .refs
        .section
        .iter()
        .filter_map(|s| term("section", s))
        .collect();
    categories.extend(r.refs.categories.iter().filter_map(|s| term("category", s)));
    let tags: Vec<i64> = r.refs.tags.iter().filter_map(|s| term("tag", s)).collect();
    if !categories.is_empty() {
        v.insert("categories".into(), json!(categories));
    }
    v.insert("tags".into(), json!(tags));
    let featured = r.featured_image.as_ref().and_then(|f| refs.media.get(f));
    v.insert("featured_media".into(), json!(featured.map_or(0, |m| m.0)));
    v.insert(
        "meta".into(),
        json!({
            "sitelift_legacy_id": p.key,
            "sitelift_legacy_urls": p.legacy_urls,
        }),
    );
    Value::Object(v)
}

static URL_ATTR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\b(src|href)="([^"]*)""#).expect("attribute pattern"));

/// `body.html` with each media file's package URL replaced by its URL in
/// WordPress and each link to another record's new path by that record's
/// URL on the WordPress site (fragment and query kept).
pub fn content(html: &str, refs: &Refs) -> String {
    URL_ATTR
        .replace_all(html, |c: &Captures| {
            let value = &c[2];
            let cut = value.find(['#', '?']).unwrap_or(value.len());
            let (target, rest) = value.split_at(cut);
            let new = refs
                .media
                .get(target)
                .map(|m| m.1.as_str())
                .or_else(|| refs.pages.get(target).map(String::as_str));
            match new {
                Some(url) => format!("{}=\"{}{}\"", &c[1], url, rest),
                None => c[0].to_string(),
            }
        })
        .into_owned()
}

/// WordPress's date field for a published date: `date_gmt` for an instant
/// (WordPress shows it in the site's timezone), `date` (the site's local
/// time) for a date or a time without offset.
pub fn wp_date(published: &str) -> Option<(&'static str, String)> {
    if let Ok(ts) = published.parse::<jiff::Timestamp>() {
        let utc = ts.to_zoned(jiff::tz::TimeZone::UTC).datetime();
        return Some(("date_gmt", utc.strftime("%Y-%m-%dT%H:%M:%S").to_string()));
    }
    if let Ok(dt) = published.parse::<jiff::civil::DateTime>() {
        return Some(("date", dt.strftime("%Y-%m-%dT%H:%M:%S").to_string()));
    }
    let date = published.parse::<jiff::civil::Date>().ok()?;
    Some(("date", format!("{date}T00:00:00")))
}

/// The digest of a payload (and of a file's SHA-256, for media).
pub fn digest(payload: &Value) -> String {
    crate::media::sha256_hex(&serde_json::to_vec(payload).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_go_as_gmt_instants_or_local_days() {
        assert_eq!(
            wp_date("2021-09-18T07:45:12+02:00"),
            Some(("date_gmt", "2021-09-18T05:45:12".into()))
        );
        assert_eq!(
            wp_date("2006-05-04"),
            Some(("date", "2006-05-04T00:00:00".into()))
        );
        assert_eq!(wp_date("4 May"), None);
    }

    #[test]
    fn content_points_media_and_records_at_wordpress() {
        let mut refs = Refs::default();
        refs.media.insert(
            "/media/a.jpg".into(),
            (3, "http://wp/wp-content/uploads/a.jpg".into()),
        );
        refs.pages
            .insert("/news/a/".into(), "http://wp/news/a/".into());
        let html =
            r#"<img src="/media/a.jpg" alt="x"><a href="/news/a/#c">a</a><a href="/other/">o</a>"#;
        assert_eq!(
            content(html, &refs),
            r#"<img src="http://wp/wp-content/uploads/a.jpg" alt="x"><a href="http://wp/news/a/#c">a</a><a href="/other/">o</a>"#
        );
    }
}
