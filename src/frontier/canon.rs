//! URL canonicalisation: one page, one key.
//!
//! A legacy site answers the same page under many spellings (`http` and
//! `https`, with and without `www.`, Joomla query parameters in any order,
//! session and tracking parameters, `&amp;` leftovers in hrefs). The frontier
//! dedupes on the canonical form produced here, so a page is fetched once and
//! every other spelling is recorded as an alias. The rules are per site
//! (`[crawl.canonical]` in the profile) and the result is idempotent:
//! `canonicalize(&canonicalize(u, r), r) == canonicalize(u, r)`.

use url::Url;

/// Query parameters dropped on every site: they identify a click, not a page.
/// Names are compared case-insensitively; `utm_*` is handled as a prefix.
pub const TRACKING_PARAMS: &[&str] = &[
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid",
    "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok",
];

/// What to do with a leading `www.` of the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WwwRule {
    /// `example.org` becomes `www.example.org` (only for names with a dot, never IPs).
    Add,
    /// `www.example.org` becomes `example.org`.
    Strip,
    /// Hosts are left as they are: `www.` and bare host are different pages.
    #[default]
    Keep,
}

/// What to do with a trailing `/` of a path whose last segment has no file
/// extension (`/iraq` vs `/iraq/`). Paths like `/index.php` are never touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SlashRule {
    /// `/iraq` becomes `/iraq/`.
    Add,
    /// `/iraq/` becomes `/iraq` (the root `/` stays).
    Strip,
    /// Paths are left as they are.
    #[default]
    Keep,
}

/// The compiled `[crawl.canonical]` rules of one site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonRules {
    /// Query parameter names to drop, lowercased (compared case-insensitively).
    pub drop_params: Vec<String>,
    /// Also drop [`TRACKING_PARAMS`] and `utm_*`.
    pub drop_tracking: bool,
    /// Sort the remaining query parameters by name, then value (stable).
    pub sort_params: bool,
    /// `http` and `https` are the same page; the canonical scheme is `https`.
    /// Applied only when the URL has no explicit non-default port.
    pub https: bool,
    /// Treatment of `www.`.
    pub www: WwwRule,
    /// Treatment of a trailing slash.
    pub trailing_slash: SlashRule,
    /// Lowercase the path (for case-insensitive servers).
    pub lowercase_path: bool,
    /// Collapse runs of `/` in the path into one.
    pub collapse_slashes: bool,
}

impl Default for CanonRules {
    fn default() -> Self {
        CanonRules {
            drop_params: Vec::new(),
            drop_tracking: true,
            sort_params: true,
            https: false,
            www: WwwRule::Keep,
            trailing_slash: SlashRule::Keep,
            lowercase_path: false,
            collapse_slashes: true,
        }
    }
}

/// A string that is not a URL, even relative to its base.
#[derive(Debug, thiserror::Error)]
#[error("cannot parse URL {input:?}")]
pub struct CanonError {
    /// The string as given.
    pub input: String,
    /// Why the URL parser refused it.
    pub source: url::ParseError,
}

/// Decode `&amp;` leftovers (an href written with `&amp;amp;`, or copied from
/// HTML source into plain text) until none is left.
pub fn decode_amp_leftovers(s: &str) -> String {
    let mut out = s.to_string();
    while let Some(i) = find_ascii_ci(&out, "&amp;") {
        out.replace_range(i..i + 5, "&");
    }
    out
}

fn find_ascii_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Parse `href` (absolute, or relative to `base`), decode `&amp;` leftovers,
/// and canonicalise it.
pub fn canonicalize_str(
    href: &str,
    base: Option<&Url>,
    rules: &CanonRules,
) -> Result<Url, CanonError> {
    let cleaned = decode_amp_leftovers(href.trim());
    let parsed = match base {
        Some(b) => b.join(&cleaned),
        None => Url::parse(&cleaned),
    };
    let url = parsed.map_err(|source| CanonError {
        input: href.to_string(),
        source,
    })?;
    Ok(canonicalize(&url, rules))
}

/// The canonical form of `url` under `rules`.
///
/// Always: fragment removed, host lowercased and default port dropped (the
/// URL parser does both), `.`/`..` segments resolved, percent-encoding
/// normalised (hex digits uppercase, unreserved characters decoded), empty
/// query pieces and an empty query removed, `amp;` prefixes of parameter
/// names (from `&amp;` leftovers) removed. Then the site's rules. URLs that
/// are not `http`/`https` only lose their fragment.
pub fn canonicalize(url: &Url, rules: &CanonRules) -> Url {
    let mut u = url.clone();
    u.set_fragment(None);
    if !matches!(u.scheme(), "http" | "https") {
        return u;
    }
    if rules.https && u.scheme() == "http" && u.port().is_none() {
        // Cannot fail: http -> https are both special schemes.
        let _ = u.set_scheme("https");
    }
    if let Some(host) = canonical_host(&u, rules.www) {
        // Cannot fail for a valid domain with a `www.` added or removed.
        let _ = u.set_host(Some(&host));
    }
    let path = canonical_path(u.path(), rules);
    if path != u.path() {
        u.set_path(&path);
    }
    let query = u.query().map(|q| canonical_query(q, rules));
    match query {
        Some(q) if !q.is_empty() => {
            if u.query() != Some(q.as_str()) {
                u.set_query(Some(&q));
            }
        }
        _ => u.set_query(None),
    }
    u
}

/// The host of `url` after the `www` rule, when it changes; `None` otherwise
/// (and for IP addresses).
fn canonical_host(url: &Url, www: WwwRule) -> Option<String> {
    let url::Host::Domain(host) = url.host()? else {
        return None;
    };
    let new = apply_www(host, www);
    (new != host).then_some(new)
}

/// Apply the `www` rule to an already lowercased domain name.
pub fn apply_www(host: &str, www: WwwRule) -> String {
    match www {
        WwwRule::Keep => host.to_string(),
        WwwRule::Add => {
            if host.starts_with("www.")
                || !host.contains('.')
                || host.parse::<std::net::IpAddr>().is_ok()
            {
                host.to_string()
            } else {
                format!("www.{host}")
            }
        }
        WwwRule::Strip => {
            let mut h = host;
            while let Some(rest) = h.strip_prefix("www.") {
                if !rest.contains('.') {
                    break;
                }
                h = rest;
            }
            h.to_string()
        }
    }
}

fn canonical_path(path: &str, rules: &CanonRules) -> String {
    let mut p = if rules.lowercase_path {
        path.to_lowercase()
    } else {
        path.to_string()
    };
    if rules.collapse_slashes {
        let mut out = String::with_capacity(p.len());
        for c in p.chars() {
            if !(c == '/' && out.ends_with('/')) {
                out.push(c);
            }
        }
        p = out;
    }
    p = normalize_percent(&p);
    let last = p.rsplit('/').next().unwrap_or("");
    let has_ext = last.contains('.');
    match rules.trailing_slash {
        SlashRule::Keep => {}
        SlashRule::Add => {
            if !p.ends_with('/') && !has_ext {
                p.push('/');
            }
        }
        SlashRule::Strip => {
            while p.len() > 1 && p.ends_with('/') {
                p.pop();
            }
        }
    }
    if p.is_empty() {
        p.push('/');
    }
    p
}

fn canonical_query(query: &str, rules: &CanonRules) -> String {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for piece in query.split('&') {
        let mut piece = piece;
        // `a=1&amp;b=2` splits into `amp;b=2`; possibly repeated.
        while let Some(rest) = strip_prefix_ci(piece, "amp;") {
            piece = rest;
        }
        if piece.is_empty() {
            continue;
        }
        let (name, value) = match piece.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (piece, None),
        };
        if name.is_empty() {
            continue;
        }
        let name = normalize_percent(name);
        if is_dropped(&name, rules) {
            continue;
        }
        let value = value.map(normalize_percent);
        let joined = match value {
            Some(v) => format!("={v}"),
            None => String::new(),
        };
        pairs.push((name, joined));
    }
    if rules.sort_params {
        pairs.sort();
    }
    let parts: Vec<String> = pairs.into_iter().map(|(n, v)| format!("{n}{v}")).collect();
    parts.join("&")
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn is_dropped(name: &str, rules: &CanonRules) -> bool {
    let decoded: String = url::form_urlencoded::parse(name.as_bytes())
        .map(|(k, _)| k.into_owned())
        .collect();
    let lower = decoded.to_lowercase();
    if rules.drop_params.contains(&lower) {
        return true;
    }
    rules.drop_tracking && (lower.starts_with("utm_") || TRACKING_PARAMS.contains(&lower.as_str()))
}

/// Uppercase the hex digits of `%xx` escapes and decode escapes of unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`), per RFC 3986 section 6.2.2.
pub fn normalize_percent(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                let byte = h * 16 + l;
                if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
                    out.push(byte as char);
                } else {
                    out.push('%');
                    out.push(b[i + 1].to_ascii_uppercase() as char);
                    out.push(b[i + 2].to_ascii_uppercase() as char);
                }
                i += 3;
                continue;
            }
        }
        // Copy one whole UTF-8 character.
        let ch_len = s[i..].chars().next().map(char::len_utf8).unwrap_or(1);
        out.push_str(&s[i..i + ch_len]);
        i += ch_len;
    }
    out
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site_rules() -> CanonRules {
        CanonRules {
            drop_params: vec!["itemid".into()],
            https: true,
            www: WwwRule::Add,
            ..CanonRules::default()
        }
    }

    fn canon(s: &str, rules: &CanonRules) -> String {
        let u = canonicalize_str(s, None, rules).expect("test URL parses");
        let again = canonicalize(&u, rules);
        assert_eq!(again, u, "not idempotent for {s}");
        u.to_string()
    }

    #[test]
    fn joomla_article_spellings_collapse_to_one() {
        let r = site_rules();
        let want = "https://www.iranfocus.com/en/index.php?id=7198&option=com_content&task=view";
        for s in [
            "https://www.iranfocus.com/en/index.php?option=com_content&task=view&id=7198&Itemid=26",
            "http://www.iranfocus.com/en/index.php?option=com_content&task=view&id=7198&Itemid=26",
            "http://iranfocus.com/en/index.php?Itemid=99&id=7198&task=view&option=com_content",
            "http://IranFocus.com:80/en/index.php?option=com_content&amp;task=view&amp;id=7198&amp;Itemid=26",
            "https://www.iranfocus.com/en/index.php?option=com_content&task=view&id=7198&ITEMID=1#comments",
            "https://www.iranfocus.com/en/./x/../index.php?option=com_content&&task=view&id=7198&utm_source=tw",
        ] {
            assert_eq!(canon(s, &r), want, "{s}");
        }
    }

    #[test]
    fn relative_href_with_amp_leftovers_resolves_against_base() {
        let r = site_rules();
        let base =
            Url::parse("http://www.iranfocus.com/en/index.php?option=com_content&task=view&id=1")
                .unwrap();
        let u = canonicalize_str(
            " index.php?option=com_content&amp;amp;task=view&amp;id=7190&amp;Itemid=26 ",
            Some(&base),
            &r,
        )
        .unwrap();
        assert_eq!(
            u.as_str(),
            "https://www.iranfocus.com/en/index.php?id=7190&option=com_content&task=view"
        );
    }

    #[test]
    fn wordpress_slugs_and_pagination() {
        let r = site_rules();
        assert_eq!(
            canon("https://iranfocus.com/en//iran-and-its-neighbours/iraq/7198-iran-says-it-will-not-hold-talks-with-us-over-iraq/", &r),
            "https://www.iranfocus.com/en/iran-and-its-neighbours/iraq/7198-iran-says-it-will-not-hold-talks-with-us-over-iraq/"
        );
        assert_eq!(
            canon(
                "http://www.iranfocus.com/iran-and-its-neighbours/afghanistan/page/2/?fbclid=abc",
                &r
            ),
            "https://www.iranfocus.com/iran-and-its-neighbours/afghanistan/page/2/"
        );
    }

    #[test]
    fn trailing_slash_rules_skip_files() {
        let add = CanonRules {
            trailing_slash: SlashRule::Add,
            ..CanonRules::default()
        };
        assert_eq!(
            canon("https://h.org/en/iraq", &add),
            "https://h.org/en/iraq/"
        );
        assert_eq!(
            canon("https://h.org/en/index.php", &add),
            "https://h.org/en/index.php"
        );
        let strip = CanonRules {
            trailing_slash: SlashRule::Strip,
            ..CanonRules::default()
        };
        assert_eq!(
            canon("https://h.org/en/iraq//", &strip),
            "https://h.org/en/iraq"
        );
        assert_eq!(canon("https://h.org/", &strip), "https://h.org/");
        let keep = CanonRules::default();
        assert_eq!(
            canon("https://h.org/en/iraq", &keep),
            "https://h.org/en/iraq"
        );
    }

    #[test]
    fn percent_encoding_is_normalised() {
        let r = CanonRules::default();
        assert_eq!(
            canon("https://h.org/a%2fb%7e%41?q=%c3%a9%20x", &r),
            "https://h.org/a%2Fb~A?q=%C3%A9%20x"
        );
        // A lone or broken escape is kept as it is.
        assert_eq!(
            canon("https://h.org/100%25/x%zz?q=%", &r),
            "https://h.org/100%25/x%zz?q=%"
        );
    }

    #[test]
    fn www_strip_and_keep_and_ips() {
        let strip = CanonRules {
            www: WwwRule::Strip,
            ..CanonRules::default()
        };
        assert_eq!(
            canon("https://WWW.www.Example.org/", &strip),
            "https://example.org/"
        );
        let add = CanonRules {
            www: WwwRule::Add,
            ..CanonRules::default()
        };
        assert_eq!(
            canon("http://127.0.0.1:8080/x", &add),
            "http://127.0.0.1:8080/x"
        );
        assert_eq!(canon("http://localhost/x", &add), "http://localhost/x");
    }

    #[test]
    fn https_rule_keeps_explicit_ports_and_other_params() {
        let r = CanonRules {
            https: true,
            sort_params: false,
            ..CanonRules::default()
        };
        assert_eq!(
            canon("http://127.0.0.1:8080/p?b=2&a=1&", &r),
            "http://127.0.0.1:8080/p?b=2&a=1"
        );
        assert_eq!(canon("http://h.org/p?", &r), "https://h.org/p");
        assert_eq!(
            canon("http://h.org/p?utm_medium=x&UTM_Source=y", &r),
            "https://h.org/p"
        );
    }

    #[test]
    fn sorting_is_by_name_then_value_and_keeps_duplicates() {
        let r = CanonRules::default();
        assert_eq!(
            canon("https://h.org/?b=2&a=2&a=1&a=1&flag", &r),
            "https://h.org/?a=1&a=1&a=2&b=2&flag"
        );
    }

    #[test]
    fn lowercase_path_and_non_http_urls() {
        let r = CanonRules {
            lowercase_path: true,
            ..CanonRules::default()
        };
        assert_eq!(
            canon("https://h.org/En/Index.PHP?ID=1", &r),
            "https://h.org/en/index.php?ID=1"
        );
        let m = canonicalize(&Url::parse("mailto:a@b.org#x").unwrap(), &r);
        assert_eq!(m.as_str(), "mailto:a@b.org");
    }

    #[test]
    fn idempotent_under_every_rule_combination() {
        let urls = [
            "http://IranFocus.com/en//index.php?Itemid=2&amp;id=7198&option=com_content&&utm_campaign=x#c",
            "https://www.iranfocus.com/en/iran-and-its-neighbours/iraq/page/2//?",
            "http://www.www.iranfocus.com:8080/EN/a%2f%7e/./../b/%C3%A9t%c3%a9?q=%e2%80%93&a",
            "https://127.0.0.1/x/y.html?b=1&a=2",
        ];
        let slash = [SlashRule::Add, SlashRule::Strip, SlashRule::Keep];
        let www = [WwwRule::Add, WwwRule::Strip, WwwRule::Keep];
        for s in urls {
            for t in slash {
                for w in www {
                    for flags in 0..8u8 {
                        let r = CanonRules {
                            drop_params: vec!["itemid".into()],
                            https: flags & 1 != 0,
                            lowercase_path: flags & 2 != 0,
                            sort_params: flags & 4 != 0,
                            trailing_slash: t,
                            www: w,
                            ..CanonRules::default()
                        };
                        canon(s, &r);
                    }
                }
            }
        }
    }

    #[test]
    fn unparsable_input_is_an_error_naming_it() {
        let e = canonicalize_str("http://exa mple.org/", None, &CanonRules::default()).unwrap_err();
        assert!(e.to_string().contains("exa mple"), "{e}");
    }
}
