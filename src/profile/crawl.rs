//! The `[crawl]` section of a site profile: where to start, what is in scope,
//! which URL spellings are the same page, which links to follow, and how
//! politely to fetch.
//!
//! Two phases, like the rest of the profile: serde reads the TOML into the
//! `Raw*` structs (unknown keys rejected, every key optional), then
//! [`compile`] checks every URL, host, regex and selector once and builds
//! [`CrawlConfig`]. A bad value is a [`CompileError`] naming its dotted key
//! (`crawl.scope.include[1]`) and the byte span of the value, so the loader
//! can print file, line and column. Example:
//!
//! ```toml
//! [crawl]
//! start_urls = ["https://www.iranfocus.com/en/"]
//! sitemaps = ["https://www.iranfocus.com/sitemap.xml"]
//! user_agent = "sitelift/0.1 (+https://example.org/contact)"
//! [crawl.scope]
//! allowed_hosts = ["www.iranfocus.com", "iranfocus.com"]
//! include = ['^https?://(www\.)?iranfocus\.com/en/']
//! exclude = ['/feed/?$', '[?&]print=1', '/wp-json/']
//! max_depth = 10
//! max_pages = 100000
//! [crawl.canonical]
//! drop_params = ["Itemid"]
//! https = true
//! www = "add"
//! [crawl.follow]
//! links = "a[href]"
//! [crawl.politeness]
//! delay_ms = 1000
//! [crawl.fetch]
//! timeout_s = 30
//! ```

use std::ops::Range;
use std::time::Duration;

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;
use url::Url;

use crate::fetch::config::FetchConfig;
use crate::frontier::canon::{CanonRules, SlashRule, WwwRule};
use crate::frontier::links::FollowRules;
use crate::frontier::scope::Scope;
use crate::profile::error::CompileError;

/// `[crawl]`: the raw TOML, as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCrawl {
    /// Absolute http(s) URLs the crawl starts from (depth 0).
    #[serde(default)]
    pub start_urls: Vec<Spanned<String>>,
    /// Absolute http(s) URLs of sitemaps or sitemap indexes to seed from.
    #[serde(default)]
    pub sitemaps: Vec<Spanned<String>>,
    /// `User-Agent` header; printable ASCII, should carry a contact URL.
    /// Default: `sitelift/<version> (+https://example.org/sitelift-contact)`.
    pub user_agent: Option<Spanned<String>>,
    /// `[crawl.scope]`.
    #[serde(default)]
    pub scope: RawScope,
    /// `[crawl.canonical]`.
    #[serde(default)]
    pub canonical: RawCanonical,
    /// `[crawl.follow]`.
    #[serde(default)]
    pub follow: RawFollow,
    /// `[crawl.politeness]`.
    #[serde(default)]
    pub politeness: RawPoliteness,
    /// `[crawl.fetch]`.
    #[serde(default)]
    pub fetch: RawFetch,
}

/// `[crawl.scope]`: which URLs may be fetched.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScope {
    /// Host names that may be fetched (compared after the `www` rule).
    /// Default: the hosts of `start_urls` and `sitemaps`; empty with neither means any host.
    #[serde(default)]
    pub allowed_hosts: Vec<Spanned<String>>,
    /// Regexes on the full canonical URL; when given, one must match. Default: none (all).
    #[serde(default)]
    pub include: Vec<Spanned<String>>,
    /// Regexes on the full canonical URL; a match is out of scope. Default: none.
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// Maximum link depth from a start URL (start URLs and sitemap URLs are 0). Default: unlimited.
    pub max_depth: Option<u32>,
    /// Stop scheduling new pages after this many (at least 1). Default: unlimited.
    pub max_pages: Option<Spanned<u64>>,
    /// Hosts or IP addresses allowed to resolve to private or loopback
    /// addresses (e.g. `127.0.0.1` for a local mirror). Default: none.
    #[serde(default)]
    pub allow_private: Vec<Spanned<String>>,
}

/// `[crawl.canonical]`: which spellings of a URL are the same page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCanonical {
    /// Query parameters to drop (case-insensitive), e.g. `["Itemid"]`. Default: none.
    #[serde(default)]
    pub drop_params: Vec<Spanned<String>>,
    /// Also drop tracking parameters (`utm_*`, `fbclid`, `gclid`, ...). Default: true.
    pub drop_tracking: Option<bool>,
    /// Sort query parameters by name then value. Default: true.
    pub sort_params: Option<bool>,
    /// `http` and `https` are the same page, canonical `https`. Default: false.
    pub https: Option<bool>,
    /// `"add"`, `"strip"` or `"keep"` the `www.` of host names. Default: `"keep"`.
    pub www: Option<Spanned<String>>,
    /// `"add"`, `"strip"` or `"keep"` a trailing `/` on paths without a file
    /// extension. Default: `"keep"`.
    pub trailing_slash: Option<Spanned<String>>,
    /// Lowercase paths (case-insensitive servers only). Default: false.
    pub lowercase_path: Option<bool>,
    /// Collapse `//` in paths to `/`. Default: true.
    pub collapse_slashes: Option<bool>,
}

/// `[crawl.follow]`: which links of a fetched page are followed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFollow {
    /// CSS selector of elements whose `href` is followed. Default: `"a[href]"`.
    pub links: Option<Spanned<String>>,
    /// Also follow `<link rel=next>` and `a[rel=next]`. Default: true.
    pub pagination: Option<bool>,
}

/// `[crawl.politeness]`: how hard the site is hit.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPoliteness {
    /// Minimum milliseconds between request starts to one host. Default: 1000.
    pub delay_ms: Option<u64>,
    /// Requests in flight to one host (at least 1). Default: 2.
    pub max_connections_per_host: Option<Spanned<u64>>,
    /// Requests in flight overall (at least 1). Default: 8.
    pub concurrency: Option<Spanned<u64>>,
}

/// `[crawl.fetch]`: timeouts, retries and size caps.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFetch {
    /// Seconds for one whole request (at least 1). Default: 30.
    pub timeout_s: Option<Spanned<u64>>,
    /// Seconds to open a connection (at least 1). Default: 10.
    pub connect_timeout_s: Option<Spanned<u64>>,
    /// Attempts per URL, 1 = no retry (at least 1). Default: 4.
    pub max_attempts: Option<Spanned<u64>>,
    /// First retry delay in milliseconds, doubled per attempt. Default: 500.
    pub backoff_base_ms: Option<u64>,
    /// Upper bound of one retry delay in seconds. Default: 60.
    pub backoff_max_s: Option<u64>,
    /// Redirect hops followed. Default: 10.
    pub max_redirects: Option<u64>,
    /// Cap on a body as received, in MiB (at least 1). Default: 10.
    pub max_body_mb: Option<Spanned<u64>>,
    /// Cap on a body after content decoding, in MiB (at least 1). Default: 50.
    pub max_decompressed_mb: Option<Spanned<u64>>,
    /// Non-HTML media types kept instead of skipped, e.g. `["application/pdf"]`. Default: none.
    #[serde(default)]
    pub keep_content_types: Vec<Spanned<String>>,
}

/// The compiled `[crawl]` section: everything the crawler needs, checked.
#[derive(Debug, Clone, Default)]
pub struct CrawlConfig {
    /// Start URLs (depth 0), canonicalised.
    pub start_urls: Vec<Url>,
    /// Sitemap URLs, as written (not canonicalised: they are files, not pages).
    pub sitemaps: Vec<Url>,
    /// Scope rules.
    pub scope: Scope,
    /// Canonicalisation rules.
    pub canon: CanonRules,
    /// Link discovery rules.
    pub follow: FollowRules,
    /// Fetch settings (politeness, timeouts, caps, user agent, private hosts).
    pub fetch: FetchConfig,
}

fn err(key: String, span: Range<usize>, message: impl Into<String>) -> CompileError {
    CompileError::new(key, Some(span), message)
}

/// Compile `[crawl]`; `key` is the dotted prefix of the section (`"crawl"`).
pub fn compile(raw: &RawCrawl, key: &str) -> Result<CrawlConfig, CompileError> {
    let canon = compile_canon(&raw.canonical, &format!("{key}.canonical"))?;
    let start_urls = compile_urls(&raw.start_urls, &format!("{key}.start_urls"))?
        .iter()
        .map(|u| crate::frontier::canon::canonicalize(u, &canon))
        .collect::<Vec<_>>();
    let sitemaps = compile_urls(&raw.sitemaps, &format!("{key}.sitemaps"))?;
    let scope = compile_scope(
        &raw.scope,
        &format!("{key}.scope"),
        canon.www,
        &start_urls,
        &sitemaps,
    )?;
    let follow = compile_follow(&raw.follow, &format!("{key}.follow"))?;
    let fetch = compile_fetch(raw, key)?;
    Ok(CrawlConfig {
        start_urls,
        sitemaps,
        scope,
        canon,
        follow,
        fetch,
    })
}

fn compile_urls(raw: &[Spanned<String>], key: &str) -> Result<Vec<Url>, CompileError> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, s) in raw.iter().enumerate() {
        let k = format!("{key}[{i}]");
        let url = Url::parse(s.get_ref().trim()).map_err(|e| {
            err(
                k.clone(),
                s.span(),
                format!("not an absolute URL ({e}): {:?}", s.get_ref()),
            )
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(err(
                k,
                s.span(),
                format!("not an http(s) URL with a host: {:?}", s.get_ref()),
            ));
        }
        out.push(url);
    }
    Ok(out)
}

fn compile_regexes(raw: &[Spanned<String>], key: &str) -> Result<Vec<Regex>, CompileError> {
    raw.iter()
        .enumerate()
        .map(|(i, s)| {
            Regex::new(s.get_ref())
                .map_err(|e| err(format!("{key}[{i}]"), s.span(), format!("bad regex: {e}")))
        })
        .collect()
}

fn compile_scope(
    raw: &RawScope,
    key: &str,
    www: WwwRule,
    start_urls: &[Url],
    sitemaps: &[Url],
) -> Result<Scope, CompileError> {
    let mut scope = Scope {
        www,
        ..Scope::default()
    };
    for (i, h) in raw.allowed_hosts.iter().enumerate() {
        let host = check_host(h, &format!("{key}.allowed_hosts[{i}]"))?;
        let host = scope.normalize_host(&host);
        if !scope.allowed_hosts.contains(&host) {
            scope.allowed_hosts.push(host);
        }
    }
    if raw.allowed_hosts.is_empty() {
        for u in start_urls.iter().chain(sitemaps) {
            if let Some(h) = u.host_str() {
                let host = scope.normalize_host(h);
                if !scope.allowed_hosts.contains(&host) {
                    scope.allowed_hosts.push(host);
                }
            }
        }
    }
    scope.include = compile_regexes(&raw.include, &format!("{key}.include"))?;
    scope.exclude = compile_regexes(&raw.exclude, &format!("{key}.exclude"))?;
    scope.max_depth = raw.max_depth;
    scope.max_pages = raw
        .max_pages
        .as_ref()
        .map(|m| at_least_one(m, &format!("{key}.max_pages")))
        .transpose()?;
    Ok(scope)
}

/// A host name or IP address, lowercased; IPv6 in brackets or not.
fn check_host(h: &Spanned<String>, key: &str) -> Result<String, CompileError> {
    let s = h.get_ref().trim();
    let bare = s.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<std::net::IpAddr>() {
        return Ok(ip.to_string());
    }
    match url::Host::parse(s) {
        Ok(url::Host::Domain(d)) if !d.is_empty() => Ok(d),
        Ok(other) => Ok(other.to_string()),
        Err(e) => Err(err(
            key.to_string(),
            h.span(),
            format!("not a host name ({e}): {s:?}"),
        )),
    }
}

fn compile_canon(raw: &RawCanonical, key: &str) -> Result<CanonRules, CompileError> {
    let mut drop_params = Vec::new();
    for (i, p) in raw.drop_params.iter().enumerate() {
        let name = p.get_ref().trim();
        if name.is_empty() || name.contains(['&', '=', '#']) {
            return Err(err(
                format!("{key}.drop_params[{i}]"),
                p.span(),
                format!("not a parameter name: {name:?}"),
            ));
        }
        drop_params.push(name.to_lowercase());
    }
    let www = match &raw.www {
        None => WwwRule::Keep,
        Some(s) => match s.get_ref().as_str() {
            "add" => WwwRule::Add,
            "strip" => WwwRule::Strip,
            "keep" => WwwRule::Keep,
            other => {
                return Err(err(
                    format!("{key}.www"),
                    s.span(),
                    format!("expected \"add\", \"strip\" or \"keep\", got {other:?}"),
                ))
            }
        },
    };
    let trailing_slash = match &raw.trailing_slash {
        None => SlashRule::Keep,
        Some(s) => match s.get_ref().as_str() {
            "add" => SlashRule::Add,
            "strip" => SlashRule::Strip,
            "keep" => SlashRule::Keep,
            other => {
                return Err(err(
                    format!("{key}.trailing_slash"),
                    s.span(),
                    format!("expected \"add\", \"strip\" or \"keep\", got {other:?}"),
                ))
            }
        },
    };
    let d = CanonRules::default();
    Ok(CanonRules {
        drop_params,
        drop_tracking: raw.drop_tracking.unwrap_or(d.drop_tracking),
        sort_params: raw.sort_params.unwrap_or(d.sort_params),
        https: raw.https.unwrap_or(d.https),
        www,
        trailing_slash,
        lowercase_path: raw.lowercase_path.unwrap_or(d.lowercase_path),
        collapse_slashes: raw.collapse_slashes.unwrap_or(d.collapse_slashes),
    })
}

fn compile_follow(raw: &RawFollow, key: &str) -> Result<FollowRules, CompileError> {
    let mut follow = FollowRules::default();
    if let Some(s) = &raw.links {
        follow.links = scraper::Selector::parse(s.get_ref()).map_err(|e| {
            err(
                format!("{key}.links"),
                s.span(),
                format!("bad CSS selector: {e}"),
            )
        })?;
    }
    if let Some(p) = raw.pagination {
        follow.pagination = p;
    }
    Ok(follow)
}

fn at_least_one(v: &Spanned<u64>, key: &str) -> Result<u64, CompileError> {
    if *v.get_ref() == 0 {
        return Err(err(key.to_string(), v.span(), "must be at least 1"));
    }
    Ok(*v.get_ref())
}

fn opt_at_least_one(v: &Option<Spanned<u64>>, key: &str) -> Result<Option<u64>, CompileError> {
    v.as_ref().map(|v| at_least_one(v, key)).transpose()
}

fn to_usize(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

fn compile_fetch(raw: &RawCrawl, key: &str) -> Result<FetchConfig, CompileError> {
    let d = FetchConfig::default();
    let pk = format!("{key}.politeness");
    let fk = format!("{key}.fetch");
    let p = &raw.politeness;
    let f = &raw.fetch;
    let user_agent = match &raw.user_agent {
        None => d.user_agent.clone(),
        Some(ua) => {
            let s = ua.get_ref().trim();
            if s.is_empty() || !s.chars().all(|c| c == ' ' || c.is_ascii_graphic()) {
                return Err(err(
                    format!("{key}.user_agent"),
                    ua.span(),
                    "must be non-empty printable ASCII",
                ));
            }
            s.to_string()
        }
    };
    let mut keep_content_types = Vec::new();
    for (i, t) in f.keep_content_types.iter().enumerate() {
        let s = t.get_ref().trim().to_ascii_lowercase();
        let ok = s
            .split_once('/')
            .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty() && !s.contains([' ', ';']));
        if !ok {
            return Err(err(
                format!("{fk}.keep_content_types[{i}]"),
                t.span(),
                format!("not a media type: {s:?}"),
            ));
        }
        keep_content_types.push(s);
    }
    let mut allow_private = Vec::new();
    for (i, h) in raw.scope.allow_private.iter().enumerate() {
        allow_private.push(check_host(h, &format!("{key}.scope.allow_private[{i}]"))?);
    }
    let mib = 1024 * 1024;
    Ok(FetchConfig {
        user_agent,
        delay_per_host: p
            .delay_ms
            .map(Duration::from_millis)
            .unwrap_or(d.delay_per_host),
        max_connections_per_host: opt_at_least_one(
            &p.max_connections_per_host,
            &format!("{pk}.max_connections_per_host"),
        )?
        .map(to_usize)
        .unwrap_or(d.max_connections_per_host),
        concurrency: opt_at_least_one(&p.concurrency, &format!("{pk}.concurrency"))?
            .map(to_usize)
            .unwrap_or(d.concurrency),
        connect_timeout: opt_at_least_one(
            &f.connect_timeout_s,
            &format!("{fk}.connect_timeout_s"),
        )?
        .map(Duration::from_secs)
        .unwrap_or(d.connect_timeout),
        timeout: opt_at_least_one(&f.timeout_s, &format!("{fk}.timeout_s"))?
            .map(Duration::from_secs)
            .unwrap_or(d.timeout),
        max_attempts: opt_at_least_one(&f.max_attempts, &format!("{fk}.max_attempts"))?
            .map(|v| u32::try_from(v).unwrap_or(u32::MAX))
            .unwrap_or(d.max_attempts),
        backoff_base: f
            .backoff_base_ms
            .map(Duration::from_millis)
            .unwrap_or(d.backoff_base),
        backoff_max: f
            .backoff_max_s
            .map(Duration::from_secs)
            .unwrap_or(d.backoff_max),
        max_redirects: f.max_redirects.map(to_usize).unwrap_or(d.max_redirects),
        max_body_bytes: opt_at_least_one(&f.max_body_mb, &format!("{fk}.max_body_mb"))?
            .map(|v| v.saturating_mul(mib))
            .unwrap_or(d.max_body_bytes),
        max_decompressed_bytes: opt_at_least_one(
            &f.max_decompressed_mb,
            &format!("{fk}.max_decompressed_mb"),
        )?
        .map(|v| v.saturating_mul(mib))
        .unwrap_or(d.max_decompressed_bytes),
        keep_content_types,
        allow_private,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Doc {
        crawl: RawCrawl,
    }

    fn compile_src(src: &str) -> Result<CrawlConfig, CompileError> {
        let doc: Doc = toml::from_str(src).expect("test TOML parses");
        compile(&doc.crawl, "crawl")
    }

    const FULL: &str = r#"
[crawl]
start_urls = ["http://iranfocus.com/en/"]
sitemaps = ["https://www.iranfocus.com/sitemap.xml"]
user_agent = "sitelift/0.1 (+https://example.org/contact)"
[crawl.scope]
allowed_hosts = ["www.iranfocus.com", "IranFocus.com"]
include = ['^https?://(www\.)?iranfocus\.com/en/']
exclude = ['/feed/?$', '[?&]print=1', '/wp-json/']
max_depth = 10
max_pages = 100000
allow_private = ["127.0.0.1"]
[crawl.canonical]
drop_params = ["Itemid"]
sort_params = true
https = true
www = "add"
trailing_slash = "keep"
lowercase_path = false
[crawl.follow]
links = "a[href], area[href]"
pagination = true
[crawl.politeness]
delay_ms = 250
max_connections_per_host = 1
concurrency = 4
[crawl.fetch]
timeout_s = 20
connect_timeout_s = 5
max_attempts = 3
backoff_base_ms = 100
backoff_max_s = 9
max_redirects = 5
max_body_mb = 2
max_decompressed_mb = 8
keep_content_types = ["application/PDF"]
"#;

    #[test]
    fn full_section_compiles() {
        let c = compile_src(FULL).unwrap();
        assert_eq!(c.start_urls[0].as_str(), "https://www.iranfocus.com/en/");
        assert_eq!(
            c.sitemaps[0].as_str(),
            "https://www.iranfocus.com/sitemap.xml"
        );
        assert_eq!(c.scope.allowed_hosts, vec!["www.iranfocus.com"]);
        assert_eq!((c.scope.include.len(), c.scope.exclude.len()), (1, 3));
        assert_eq!(
            (c.scope.max_depth, c.scope.max_pages),
            (Some(10), Some(100_000))
        );
        assert_eq!(c.canon.drop_params, vec!["itemid"]);
        assert!(c.canon.https && c.canon.sort_params && c.canon.drop_tracking);
        assert_eq!(
            (c.canon.www, c.canon.trailing_slash),
            (WwwRule::Add, SlashRule::Keep)
        );
        assert!(c.follow.pagination);
        assert_eq!(
            c.fetch.user_agent,
            "sitelift/0.1 (+https://example.org/contact)"
        );
        assert_eq!(c.fetch.delay_per_host, Duration::from_millis(250));
        assert_eq!(
            (c.fetch.max_connections_per_host, c.fetch.concurrency),
            (1, 4)
        );
        assert_eq!(
            (c.fetch.timeout, c.fetch.connect_timeout),
            (Duration::from_secs(20), Duration::from_secs(5))
        );
        assert_eq!((c.fetch.max_attempts, c.fetch.max_redirects), (3, 5));
        assert_eq!(
            (c.fetch.backoff_base, c.fetch.backoff_max),
            (Duration::from_millis(100), Duration::from_secs(9))
        );
        assert_eq!(
            (c.fetch.max_body_bytes, c.fetch.max_decompressed_bytes),
            (2 << 20, 8 << 20)
        );
        assert_eq!(c.fetch.keep_content_types, vec!["application/pdf"]);
        assert_eq!(c.fetch.allow_private, vec!["127.0.0.1"]);
        assert!(c.fetch.obey_robots);
    }

    #[test]
    fn empty_section_gets_defaults_and_hosts_from_start_urls() {
        let c = compile_src("[crawl]\nstart_urls = ['https://www.iranfocus.com/en/']\n").unwrap();
        assert_eq!(c.fetch, FetchConfig::default());
        assert_eq!(c.canon, CanonRules::default());
        assert_eq!(c.scope.allowed_hosts, vec!["www.iranfocus.com"]);
        assert_eq!(c.scope.max_depth, None);
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let e = toml::from_str::<Doc>("[crawl.scope]\nmax_dept = 3\n")
            .err()
            .expect("unknown key refused");
        assert!(e.to_string().contains("max_dept"), "{e}");
    }

    fn compile_err(src: &str) -> (String, String, String) {
        let e = compile_src(src).expect_err("must not compile");
        let span = e.span.clone().expect("error has a span");
        (e.key, src[span].to_string(), e.message)
    }

    #[test]
    fn errors_name_the_key_and_point_at_the_value() {
        let (key, at, msg) = compile_err("[crawl.scope]\ninclude = ['^https://', '(unclosed']\n");
        assert_eq!(
            (key.as_str(), at.as_str()),
            ("crawl.scope.include[1]", "'(unclosed'")
        );
        assert!(msg.contains("bad regex"), "{msg}");
        let (key, at, _) = compile_err("[crawl]\nstart_urls = ['https://a.org/', '/relative']\n");
        assert_eq!(
            (key.as_str(), at.as_str()),
            ("crawl.start_urls[1]", "'/relative'")
        );
        let (key, _, _) = compile_err("[crawl]\nsitemaps = ['ftp://a.org/s.xml']\n");
        assert_eq!(key, "crawl.sitemaps[0]");
        let (key, at, _) = compile_err("[crawl.canonical]\nwww = \"both\"\n");
        assert_eq!(
            (key.as_str(), at.as_str()),
            ("crawl.canonical.www", "\"both\"")
        );
        let (key, _, _) = compile_err("[crawl.canonical]\ntrailing_slash = \"yes\"\n");
        assert_eq!(key, "crawl.canonical.trailing_slash");
        let (key, _, msg) = compile_err("[crawl.follow]\nlinks = 'a!!'\n");
        assert_eq!(key, "crawl.follow.links");
        assert!(msg.contains("selector"), "{msg}");
        let (key, at, _) = compile_err("[crawl.politeness]\nconcurrency = 0\n");
        assert_eq!(
            (key.as_str(), at.as_str()),
            ("crawl.politeness.concurrency", "0")
        );
        let (key, _, _) = compile_err("[crawl.scope]\nallowed_hosts = ['exa mple.org']\n");
        assert_eq!(key, "crawl.scope.allowed_hosts[0]");
        let (key, _, _) = compile_err("[crawl.fetch]\nkeep_content_types = ['pdf']\n");
        assert_eq!(key, "crawl.fetch.keep_content_types[0]");
        let (key, _, _) = compile_err("[crawl]\nuser_agent = \"b\\tot\"\nstart_urls = []\n");
        assert_eq!(key, "crawl.user_agent");
    }
}
