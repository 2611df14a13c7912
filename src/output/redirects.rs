//! The redirect map: every legacy URL seen (the record's URL, its canonical
//! URL, its aliases, and the ledger's aliases: redirect sources, `www.` and
//! scheme variants, Joomla id URLs) mapped to the record's new URL, and
//! listing pages to their new section URL. Written as CSV (for people and
//! importers) and as an nginx `map` block keyed by `$request_uri`. A legacy
//! URL claimed by two records is a conflict: the first (in output order)
//! keeps it, and both are reported.

use std::collections::HashMap;
use std::io::Write;

use rusqlite::{Connection, OptionalExtension};

use super::scratch::Scratch;
use serde_json::{json, Value};

use super::links::link_key;
use crate::frontier::canon::CanonRules;
use crate::record::Record;
use url::Url;

/// One line of the map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The legacy URL, absolute.
    pub from: String,
    /// The new URL (prefix + path + `/`).
    pub to: String,
    /// Why: `url`, `canonical_url`, `alias`, `ledger:<how>`, `listing`, `listing_alias`.
    pub kind: String,
    /// The record key (legacy id, else URL) or `listing`.
    pub record: String,
}

/// Collects redirects in output order.
///
/// The map grows with the site (two or three legacy URLs a record), so it
/// lives in a private temporary SQLite database on disk, not in memory:
/// the memory of an extraction stays flat however many pages it has. The
/// database goes away with the map. Should it fail (a full temporary
/// disk), the map stops taking entries and writing it gives the error.
#[derive(Debug)]
pub struct RedirectMap {
    db: Scratch,
    conflicts: Vec<Value>,
    /// How legacy URLs are canonicalised to find a link's target.
    rules: CanonRules,
}

impl Default for RedirectMap {
    fn default() -> Self {
        RedirectMap::new(CanonRules::default())
    }
}

/// The target and record a legacy URL is mapped to, if it is.
fn lookup(db: &Connection, from: &str) -> rusqlite::Result<Option<(String, String)>> {
    db.prepare_cached("SELECT dst, record FROM redirect WHERE src = ?1")?
        .query_row([from], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

impl RedirectMap {
    /// An empty map; `rules` canonicalise URLs for [`RedirectMap::resolve`].
    pub fn new(rules: CanonRules) -> RedirectMap {
        RedirectMap {
            db: Scratch::open(
                "CREATE TABLE redirect (src TEXT PRIMARY KEY, dst TEXT NOT NULL, \
                 kind TEXT NOT NULL, record TEXT NOT NULL) WITHOUT ROWID;\
                 CREATE TABLE nginx_key (key TEXT PRIMARY KEY, dst TEXT NOT NULL) WITHOUT ROWID;\
                 CREATE TABLE nginx_re (re TEXT PRIMARY KEY, dst TEXT NOT NULL) WITHOUT ROWID;\
                 CREATE TABLE link (key TEXT PRIMARY KEY, dst TEXT NOT NULL) WITHOUT ROWID;",
            ),
            conflicts: Vec::new(),
            rules,
        }
    }

    /// Where a link to `url` goes: the new URL of the record or listing it
    /// names, found by the URL as written, else by its canonical key (see
    /// [`link_key`]).
    pub fn resolve(&mut self, url: &str) -> Option<String> {
        let key = link_key(url, &self.rules);
        self.db
            .run(|db| {
                if let Some((dst, _)) = lookup(db, url)? {
                    return Ok(Some(dst));
                }
                let Some(key) = &key else { return Ok(None) };
                db.prepare_cached("SELECT dst FROM link WHERE key = ?1")?
                    .query_row([key], |r| r.get(0))
                    .optional()
            })
            .flatten()
    }

    /// Why the map stopped taking entries, if it did.
    pub fn failure(&self) -> Option<&str> {
        self.db.failure()
    }

    /// Map `from` to `to`; a second, different target is a conflict.
    pub fn add(&mut self, from: &str, to: &str, kind: &str, record: &str) {
        if from.is_empty() {
            return;
        }
        let key = link_key(from, &self.rules);
        let Some(found) = self.db.run(|db| {
            let found = lookup(db, from)?;
            if found.is_none() {
                db.prepare_cached(
                    "INSERT INTO redirect (src, dst, kind, record) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute([from, to, kind, record])?;
                if let Some(key) = &key {
                    // the first URL of a key keeps it, as for the map itself
                    db.prepare_cached("INSERT OR IGNORE INTO link (key, dst) VALUES (?1, ?2)")?
                        .execute([key.as_str(), to])?;
                }
            }
            Ok(found)
        }) else {
            return;
        };
        match found {
            Some((kept_to, _)) if kept_to == to => {}
            Some((kept_to, kept_record)) => self.conflicts.push(json!({
                "url": from,
                "kept": { "record": kept_record, "to": kept_to },
                "also": { "record": record, "to": to, "kind": kind },
            })),
            None => {}
        }
    }

    /// Map a record's URLs (`url`, `canonical_url`, `aliases`) to `to`.
    pub fn add_record(&mut self, v: &Record, to: &str, record: &str) {
        self.add(&v.url, to, "url", record);
        self.add(&v.canonical_url, to, "canonical_url", record);
        for a in &v.aliases {
            self.add(a, to, "alias", record);
        }
    }

    /// Map the ledger's aliases (alias, canonical, how) through the
    /// canonical URL's target. Returns the aliases whose canonical URL
    /// produced nothing (a failed or unmatched page), with the canonical.
    pub fn add_ledger_aliases(
        &mut self,
        aliases: &[(String, String, String)],
    ) -> Vec<(String, String)> {
        // targets as they are before any ledger alias is added (an alias
        // never leads to another alias); only those of these canonicals, so
        // the map of every URL is not copied
        let mut targets: HashMap<&str, Option<(String, String)>> = HashMap::new();
        for (_, canonical, _) in aliases {
            if targets.contains_key(canonical.as_str()) {
                continue;
            }
            let found = self.db.run(|db| lookup(db, canonical)).flatten();
            targets.insert(canonical.as_str(), found);
        }
        let mut unmapped = Vec::new();
        for (alias, canonical, how) in aliases {
            match targets.get(canonical.as_str()).and_then(Option::as_ref) {
                Some((to, record)) => self.add(alias, to, &format!("ledger:{how}"), record),
                None => unmapped.push((alias.clone(), canonical.clone())),
            }
        }
        unmapped
    }

    /// Whether `url` is mapped.
    pub fn contains(&mut self, url: &str) -> bool {
        self.db.run(|db| lookup(db, url)).flatten().is_some()
    }

    /// How many legacy URLs are mapped.
    pub fn len(&self) -> std::io::Result<usize> {
        let n: i64 = self
            .db
            .read()?
            .query_row("SELECT count(*) FROM redirect", [], |r| r.get(0))
            .map_err(std::io::Error::other)?;
        Ok(usize::try_from(n).unwrap_or_default())
    }

    /// Whether nothing is mapped.
    pub fn is_empty(&self) -> std::io::Result<bool> {
        Ok(self.len()? == 0)
    }

    /// Calls `each` with every redirect, sorted by legacy URL (byte order).
    pub fn for_each(
        &self,
        mut each: impl FnMut(&Redirect) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let db = self.db.read()?;
        let mut st = db
            .prepare("SELECT src, dst, kind, record FROM redirect ORDER BY src")
            .map_err(std::io::Error::other)?;
        let mut rows = st.query([]).map_err(std::io::Error::other)?;
        while let Some(row) = rows.next().map_err(std::io::Error::other)? {
            let r = Redirect {
                from: row.get(0).map_err(std::io::Error::other)?,
                to: row.get(1).map_err(std::io::Error::other)?,
                kind: row.get(2).map_err(std::io::Error::other)?,
                record: row.get(3).map_err(std::io::Error::other)?,
            };
            each(&r)?;
        }
        Ok(())
    }

    /// Legacy URLs claimed twice.
    pub fn conflicts(&self) -> &[Value] {
        &self.conflicts
    }

    /// The CSV text: `legacy_url,new_url,kind,record`.
    pub fn to_csv(&self) -> String {
        let mut out = Vec::new();
        // writing to a Vec cannot fail, and only UTF-8 is written
        let _ = self.write_csv(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// [`RedirectMap::to_csv`], written to `w` line by line.
    pub fn write_csv(&self, w: &mut dyn Write) -> std::io::Result<()> {
        w.write_all(b"legacy_url,new_url,kind,record\n")?;
        self.for_each(|r| {
            writeln!(
                w,
                "{},{},{},{}",
                csv(&r.from),
                csv(&r.to),
                csv(&r.kind),
                csv(&r.record)
            )
        })
    }

    /// An nginx `map` block on `$request_uri` (path and query of the
    /// legacy URL; scheme and host variants collapse into one line).
    pub fn to_nginx(&self) -> String {
        let mut out = Vec::new();
        // writing to a Vec cannot fail, and only UTF-8 is written
        let _ = self.write_nginx(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// [`RedirectMap::to_nginx`], written to `w` line by line.
    pub fn write_nginx(&self, w: &mut dyn Write) -> std::io::Result<()> {
        w.write_all(
            b"# sitelift redirect map. In the http block:\n\
             #   include redirects.map;\n\
             # and in the legacy server block:\n\
             #   if ($sitelift_new_url) { return 301 $sitelift_new_url; }\n\
             map $request_uri $sitelift_new_url {\n    default \"\";\n",
        )?;
        // the first target of each request URI, and the query regexes, kept
        // in the same temporary database as the map
        let db = self.db.read()?;
        let sql = |e: rusqlite::Error| std::io::Error::other(e);
        db.execute_batch("DELETE FROM nginx_key; DELETE FROM nginx_re;")
            .map_err(sql)?;
        let mut seen = db
            .prepare("SELECT dst FROM nginx_key WHERE key = ?1")
            .map_err(sql)?;
        let mut keep = db
            .prepare("INSERT INTO nginx_key (key, dst) VALUES (?1, ?2)")
            .map_err(sql)?;
        let mut keep_re = db
            .prepare("INSERT OR IGNORE INTO nginx_re (re, dst) VALUES (?1, ?2)")
            .map_err(sql)?;
        self.for_each(|r| {
            let Ok(u) = Url::parse(&r.from) else {
                return Ok(());
            };
            let mut key = u.path().to_string();
            if let Some(q) = u.query() {
                key.push('?');
                key.push_str(q);
            }
            let before: Option<String> = seen
                .query_row([&key], |row| row.get(0))
                .optional()
                .map_err(sql)?;
            match before {
                Some(to) if to != r.to => writeln!(
                    w,
                    "    # conflict: {} also wanted {}",
                    nginx_str(&key),
                    nginx_str(&r.to)
                ),
                Some(_) => Ok(()),
                None => {
                    keep.execute([&key, &r.to]).map_err(sql)?;
                    if key.chars().any(char::is_control) || r.to.chars().any(char::is_control) {
                        return Ok(());
                    }
                    writeln!(w, "    {} {};", nginx_str(&key), nginx_str(&r.to))?;
                    if let Some(re) = query_regex(&u) {
                        keep_re.execute([&re, &r.to]).map_err(sql)?;
                    }
                    Ok(())
                }
            }
        })?;
        let mut regexes = db
            .prepare("SELECT re, dst FROM nginx_re ORDER BY re")
            .map_err(sql)?;
        let mut rows = regexes.query([]).map_err(sql)?;
        let mut first = true;
        while let Some(row) = rows.next().map_err(sql)? {
            if first {
                w.write_all(
                    "    # Query URLs in any parameter order, with extra parameters (Itemid, …):\n"
                        .as_bytes(),
                )?;
                first = false;
            }
            let re: String = row.get(0).map_err(sql)?;
            let to: String = row.get(1).map_err(sql)?;
            writeln!(w, "    {} {};", nginx_str(&re), nginx_str(&to))?;
        }
        w.write_all(b"}\n")
    }
}

/// An nginx (PCRE) regex key matching `u`'s path with every parameter of
/// its query, in any order, among other parameters: browsers ask for
/// `index.php?option=…&id=7198&Itemid=26`, the crawl keeps the canonical
/// `index.php?id=7198&option=…`. None when the URL has no query or has a
/// character that does not belong in a map key.
pub fn query_regex(u: &Url) -> Option<String> {
    let q = u.query().filter(|q| !q.is_empty())?;
    let text = format!("{}?{q}", u.path());
    if text.contains(['$', '"', '\\']) || text.chars().any(char::is_control) {
        return None;
    }
    let mut re = format!("~^{}\\?", regex::escape(u.path()));
    for pair in q.split('&').filter(|p| !p.is_empty()) {
        re.push_str(&format!(
            "(?=(?:[^#]*&)?{}(?:&|#|\\z))",
            regex::escape(pair)
        ));
    }
    Some(re)
}

fn csv(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn nginx_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '$' => out.push_str("%24"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_keep_the_first_and_are_reported() {
        let mut m = RedirectMap::default();
        m.add("https://a.org/x", "/n/1/", "url", "1");
        m.add("https://a.org/x", "/n/1/", "alias", "1");
        m.add("https://a.org/x", "/n/2/", "alias", "2");
        assert_eq!(m.len().unwrap(), 1);
        assert_eq!(m.conflicts().len(), 1);
        assert_eq!(m.conflicts()[0]["also"]["record"], "2");
    }

    #[test]
    fn ledger_aliases_follow_their_canonical() {
        let mut m = RedirectMap::default();
        m.add("https://a.org/p/", "/n/p/", "url", "7");
        let un = m.add_ledger_aliases(&[
            (
                "http://a.org/p/".into(),
                "https://a.org/p/".into(),
                "variant".into(),
            ),
            (
                "https://a.org/q".into(),
                "https://a.org/gone".into(),
                "redirect".into(),
            ),
        ]);
        assert!(m.contains("http://a.org/p/"));
        assert_eq!(un.len(), 1);
    }

    #[test]
    fn a_ledger_alias_of_a_ledger_alias_stays_unmapped() {
        let mut m = RedirectMap::default();
        m.add("https://a.org/p/", "/n/p/", "url", "7");
        let un = m.add_ledger_aliases(&[
            (
                "http://a.org/p/".into(),
                "https://a.org/p/".into(),
                "variant".into(),
            ),
            // its canonical is only an alias (added just above): not followed
            (
                "http://www.a.org/p/".into(),
                "http://a.org/p/".into(),
                "variant".into(),
            ),
        ]);
        assert!(m.contains("http://a.org/p/"));
        assert!(!m.contains("http://www.a.org/p/"));
        assert_eq!(
            un,
            [(
                "http://www.a.org/p/".to_string(),
                "http://a.org/p/".to_string()
            )]
        );
    }

    #[test]
    fn csv_and_nginx_escape() {
        let mut m = RedirectMap::default();
        m.add("https://a.org/a,b?x=\"1\"", "/n/", "url", "1");
        m.add("http://www.a.org/a,b?x=\"1\"", "/n/", "alias", "1");
        assert!(m.to_csv().contains("\"https://a.org/a,b?x=\"\"1\"\"\""));
        let n = m.to_nginx();
        let exact = n.lines().filter(|l| l.contains("/n/") && !l.contains("~^"));
        assert_eq!(exact.count(), 1, "{n}");
        assert!(n.contains(r#""/a,b?x=%221%22" "/n/";"#), "{n}");
    }

    fn nginx_unquote(s: &str) -> String {
        let inner = &s[1..s.len() - 1];
        inner
            .replace("\\\\", "\u{1}")
            .replace("\\\"", "\"")
            .replace('\u{1}', "\\")
    }

    #[test]
    fn query_urls_match_in_any_order_with_extra_parameters() {
        let u =
            Url::parse("https://a.org/en/index.php?id=7198&option=com_content&task=view").unwrap();
        let re = query_regex(&u).unwrap();
        let mut m = RedirectMap::default();
        m.add(u.as_str(), "/n/7198/", "url", "7198");
        let map = m.to_nginx();
        let line = map.lines().find(|l| l.contains("~^")).expect(&map);
        let key = line.trim().split(' ').next().unwrap();
        assert_eq!(nginx_unquote(key), re);
        let pcre = fancy_regex::Regex::new(re.trim_start_matches('~')).unwrap();
        let hit = |s: &str| pcre.is_match(s).unwrap();
        assert!(hit(
            "/en/index.php?option=com_content&task=view&id=7198&Itemid=26"
        ));
        assert!(hit("/en/index.php?id=7198&option=com_content&task=view"));
        assert!(!hit("/en/index.php?option=com_content&task=view&id=71980"));
        assert!(!hit("/en/index.php?option=com_content&task=view&xid=7198"));
        assert!(!hit("/en/index.php?option=com_content&task=view"));
        assert!(!hit("/en/indexXphp?option=com_content&task=view&id=7198"));
        assert!(query_regex(&Url::parse("https://a.org/p/").unwrap()).is_none());
    }
}
