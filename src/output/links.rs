//! Internal links between records. In each record's `body.html`, a link to
//! a legacy URL of a migrated record (its URL, canonical URL or an alias,
//! after canonicalisation: Joomla `index.php?…id=N` with any `Itemid`,
//! `http`/`https` and `www.` variants; a `#fragment` is kept) becomes that
//! record's new path, and a link to a listing page its section's path.
//! A link to the legacy site that resolves to nothing migrated is left as
//! it is and listed as broken, with why.
//!
//! The HTML is sitelift's own (an allow-list render, sanitized), so links
//! are `<a href="…">` with the value HTML-escaped: a small scan finds them
//! without parsing the document again.

use std::collections::HashSet;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde::Serialize;
use url::Url;

use super::files::{io, Place};
use super::redirects::RedirectMap;
use super::report::BrokenLinks;
use super::writer::OutputError;
use crate::frontier::canon::{canonicalize, CanonRules};
use crate::frontier::ledger::Ledger;
use crate::profile::Profile;
use crate::record::Record;

/// The key a URL is looked up by: canonical per the profile's rules, then
/// without scheme and `www.`, so the spellings of one page meet.
pub fn link_key(url: &str, rules: &CanonRules) -> Option<String> {
    let u = Url::parse(url).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    let c = canonicalize(&u, rules);
    let host = c.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let port = c.port().map(|p| format!(":{p}")).unwrap_or_default();
    let query = c.query().map(|q| format!("?{q}")).unwrap_or_default();
    Some(format!("//{host}{port}{}{query}", c.path()))
}

/// The host of a URL without `www.`, lowercased.
pub fn site_host(url: &str) -> Option<String> {
    let u = Url::parse(url).ok()?;
    let h = u.host_str()?.to_ascii_lowercase();
    Some(h.strip_prefix("www.").unwrap_or(&h).to_string())
}

/// A link of a record's body that points at the legacy site but at
/// nothing migrated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct BrokenLink {
    /// The record (legacy id, else URL).
    pub record: String,
    /// The record's legacy URL.
    pub record_url: String,
    /// The link text.
    pub text: String,
    /// Where the link points.
    pub target: String,
    /// Why nothing migrated is there: `not_migrated`, or what the crawl
    /// recorded (`failed http_404`, `skipped out_of_scope`, …).
    pub why: String,
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    crate::text::escape_html(s, &mut out);
    out
}

/// The text of an HTML fragment (tags dropped, entities of ours undone).
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(&out)
}

/// Every `<a href>` of `html` given to `map` (the URL and the link text);
/// where it answers `Some(new)`, the link points there instead.
pub fn rewrite_links(html: &str, map: &mut dyn FnMut(&str, &str) -> Option<String>) -> String {
    rewrite_attr(html, "<a href=\"", map)
}

/// Every value of the attribute that `open` starts (`<a href="`,
/// `<img src="`) given to `map`, with the link text for `<a>` (empty
/// otherwise); where it answers `Some(new)`, the value is replaced.
pub fn rewrite_attr(
    html: &str,
    open: &str,
    map: &mut dyn FnMut(&str, &str) -> Option<String>,
) -> String {
    let is_link = open.starts_with("<a ");
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(open) {
        let value_at = i + open.len();
        let Some(len) = rest[value_at..].find('"') else {
            break;
        };
        let value = &rest[value_at..value_at + len];
        let after = &rest[value_at + len..];
        let text = match is_link {
            true => after
                .find("</a>")
                .map(|end| text_of(after.get(1..end).unwrap_or("")))
                .unwrap_or_default(),
            false => String::new(),
        };
        out.push_str(&rest[..value_at]);
        match map(&unescape(value), &text) {
            Some(new) => out.push_str(&escape(&new)),
            None => out.push_str(value),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `url` without its fragment, and the fragment (with its `#`).
pub fn split_fragment(url: &str) -> (&str, &str) {
    match url.find('#') {
        Some(i) => (&url[..i], &url[i..]),
        None => (url, ""),
    }
}

/// The links of the records being written: which hosts are the legacy
/// site's, why a target is missing (from the store's ledger, when there is
/// one), and the broken links found, written to `links.jsonl` as they come.
pub struct Links {
    hosts: HashSet<String>,
    rules: CanonRules,
    ledger: Option<Ledger>,
    file: Option<(Place, BufWriter<std::fs::File>)>,
    /// The broken links so far (for the report).
    pub broken: BrokenLinks,
}

impl Links {
    /// The links of a run of `profile`; broken links also go to `file`.
    pub fn new(profile: &Profile, file: Option<Place>) -> Result<Links, OutputError> {
        let mut hosts = HashSet::new();
        let mut rules = CanonRules::default();
        if let Some(c) = &profile.crawl {
            rules = c.canon.clone();
            hosts.extend(c.start_urls.iter().filter_map(|u| site_host(u.as_str())));
            hosts.extend(
                c.scope
                    .allowed_hosts
                    .iter()
                    .map(|h| h.trim_start_matches("www.").to_ascii_lowercase()),
            );
        }
        if let Some(b) = &profile.base_url {
            hosts.extend(site_host(b.as_str()));
        }
        let file = match file {
            Some(place) => {
                let w = BufWriter::new(place.open()?);
                Some((place, w))
            }
            None => None,
        };
        Ok(Links {
            hosts,
            rules,
            ledger: None,
            file,
            broken: BrokenLinks::default(),
        })
    }

    /// The canonical-URL rules (the profile's crawl rules, else the defaults).
    pub fn rules(&self) -> &CanonRules {
        &self.rules
    }

    /// A URL of the legacy site (a record's): its host is the site's.
    pub fn site_url(&mut self, url: &str) {
        if let Some(h) = site_host(url) {
            if !self.hosts.contains(&h) {
                self.hosts.insert(h);
            }
        }
    }

    /// Say why a target is missing from the store's ledger.
    pub fn use_ledger(&mut self, store: &Path) {
        self.ledger = Ledger::open_read_only(store).ok();
    }

    /// Why nothing migrated is at `target`.
    fn why(&mut self, target: &str) -> String {
        let row = self.ledger.as_ref().and_then(|l| {
            let canon = Url::parse(target)
                .ok()
                .map(|u| canonicalize(&u, &self.rules))?;
            l.get(canon.as_str()).ok().flatten()
        });
        match row {
            Some(r) => match r.reason {
                Some(reason) => format!("{} {reason}", r.status),
                None => format!("{} but no record", r.status),
            },
            None => "not_migrated".into(),
        }
    }

    /// Point the links of `record`'s body at the new paths; list the links
    /// to the legacy site that lead to nothing migrated.
    pub fn rewrite(
        &mut self,
        record: &mut Record,
        key: &str,
        redirects: &mut RedirectMap,
    ) -> Result<(), OutputError> {
        if !record.body.html.contains("<a href=") {
            return Ok(());
        }
        let mut broken = Vec::new();
        let html = rewrite_links(&record.body.html, &mut |href, text| {
            let (target, fragment) = split_fragment(href);
            let internal = site_host(target).is_some_and(|h| self.hosts.contains(&h));
            if !internal {
                return None;
            }
            match redirects.resolve(target) {
                Some(dst) => Some(format!("{dst}{fragment}")),
                None => {
                    broken.push((text.to_string(), href.to_string()));
                    None
                }
            }
        });
        record.body.html = html;
        for (text, target) in broken {
            let link = BrokenLink {
                record: key.to_string(),
                record_url: record.url.clone(),
                why: self.why(&target),
                text,
                target,
            };
            self.broken.add(&link);
            if let Some((place, w)) = &mut self.file {
                let line = serde_json::to_string(&link).unwrap_or_default();
                w.write_all(line.as_bytes())
                    .and_then(|_| w.write_all(b"\n"))
                    .map_err(io(place.written()))?;
            }
        }
        Ok(())
    }

    /// Move `links.jsonl` into place.
    pub fn finish(&mut self) -> Result<(), OutputError> {
        if let Some((place, mut w)) = self.file.take() {
            let done = w.flush().map_err(io(place.written())).and_then(|_| {
                drop(w);
                place.commit()
            });
            if done.is_err() {
                place.discard();
            }
            done?;
        }
        Ok(())
    }

    /// Give up: `links.jsonl` stays as it was.
    pub fn discard(&mut self) {
        if let Some((place, w)) = self.file.take() {
            drop(w);
            place.discard();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_page_share_a_key() {
        let rules = CanonRules {
            drop_params: vec!["itemid".into()],
            ..CanonRules::default()
        };
        let k = |u: &str| link_key(u, &rules).unwrap();
        let joomla = k(
            "http://www.iranfocus.com/en/index.php?option=com_content&task=view&id=7198&Itemid=26",
        );
        assert_eq!(
            joomla,
            k("https://iranfocus.com/en/index.php?id=7198&task=view&option=com_content&Itemid=45")
        );
        assert_ne!(
            joomla,
            k("https://iranfocus.com/en/index.php?option=com_content&task=view&id=7199")
        );
        assert_eq!(k("https://x.org/a/#part"), k("http://www.x.org/a/"));
        assert_eq!(link_key("mailto:a@b.c", &rules), None);
    }

    #[test]
    fn links_are_rewritten_in_place_with_their_text_and_escaping() {
        let html =
            "<p>See <a href=\"https://old.org/a?x=1&amp;y=2\">the <em>first</em> one</a> and \
                    <a href=\"https://elsewhere.org/\">this</a>.</p>";
        let mut seen = Vec::new();
        let out = rewrite_links(html, &mut |url, text| {
            seen.push((url.to_string(), text.to_string()));
            url.starts_with("https://old.org/")
                .then(|| "/new/a/?q=\"1\"&r".to_string())
        });
        assert_eq!(
            seen,
            [
                (
                    "https://old.org/a?x=1&y=2".to_string(),
                    "the first one".to_string()
                ),
                ("https://elsewhere.org/".to_string(), "this".to_string()),
            ]
        );
        assert_eq!(
            out,
            "<p>See <a href=\"/new/a/?q=&quot;1&quot;&amp;r\">the <em>first</em> one</a> and \
             <a href=\"https://elsewhere.org/\">this</a>.</p>"
        );
        assert_eq!(split_fragment("/a/#b"), ("/a/", "#b"));
    }
}
