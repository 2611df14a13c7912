//! The legacy id of a page, read from its URL: the pattern (a number in
//! the path, or a query parameter named like an id) that gives one on most
//! samples of a template.

use std::collections::BTreeMap;

use super::Seen;

/// The pattern of the URLs' ids: a number in the path (not a year) or
/// an `...id=` query parameter, on four in five samples or more.
pub(super) fn plan_legacy_id(m: &[&Seen]) -> Option<(String, usize)> {
    let patterns = [
        r"/(?P<v>\d+)-[^/]+/?(?:[?#].*)?$".to_string(),
        r"/(?P<v>\d{2,})/?(?:[?#].*)?$".to_string(),
        r"-(?P<v>\d{2,})(?:\.html?)?/?(?:[?#].*)?$".to_string(),
        r"/(?P<v>\d{2,})\.html?(?:[?#].*)?$".to_string(),
    ];
    let mut cands: Vec<String> = patterns.to_vec();
    // query parameters carrying a number on every page
    let mut params: BTreeMap<String, usize> = BTreeMap::new();
    for s in m {
        for (k, v) in s.url.query_pairs() {
            if v.len() >= 2
                && v.chars().all(|c| c.is_ascii_digit())
                && k.len() <= 20
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                *params.entry(k.to_string()).or_default() += 1;
            }
        }
    }
    for (k, n) in params {
        if n == m.len()
            && k.to_ascii_lowercase().contains("id")
            && !k.eq_ignore_ascii_case("itemid")
        {
            cands.insert(0, format!(r"[?&]{k}=(?P<v>\d+)"));
        }
    }
    let mut best: Option<(String, usize)> = None;
    for c in cands {
        let re = regex::Regex::new(&c).expect("built");
        let n = m
            .iter()
            .filter(|s| {
                re.captures(s.url.as_str())
                    .is_some_and(|c| c.name("v").is_some_and(|v| !is_year(v.as_str())))
            })
            .count();
        if n * 5 >= m.len() * 4 && n > best.as_ref().map_or(0, |b| b.1) {
            best = Some((c, n));
        }
    }
    best
}

/// Whether a number looks like a year (19xx, 20xx).
fn is_year(s: &str) -> bool {
    s.len() == 4 && (s.starts_with("19") || s.starts_with("20"))
}
