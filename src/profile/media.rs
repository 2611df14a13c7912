//! The `[media]` section of a site profile: whether the crawl fetches the
//! records' assets, which types, from which hosts besides the site's own,
//! and how large one may be. Two phases like the rest: [`RawMedia`] as
//! written (unknown keys rejected), then [`compile`] into the media
//! stage's [`MediaSpec`], every value checked and located. Example:
//!
//! ```toml
//! [media]
//! fetch = true
//! types = ["jpg", "jpeg", "png", "gif", "pdf"]
//! hosts = ["cdn.iranfocus.com", "*.wp.com"]
//! max_mb = 20
//! ```

use serde::Deserialize;
use toml::Spanned;
use url::Url;

use crate::media::spec::{default_types, norm_host, HostPattern, DEFAULT_MAX_BYTES};
use crate::media::MediaSpec;
use crate::profile::error::CompileError;

/// The largest `max_mb`: the store reads records of at most this size back.
const MAX_MB: u64 = crate::store::MAX_BLOCK_BYTES / (1024 * 1024);

/// `[media]`, as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMedia {
    /// Fetch the records' assets during `crawl` and `run`. Default: true.
    pub fetch: Option<bool>,
    /// File extensions of the media wanted. Default: images, documents,
    /// audio and video (see README).
    pub types: Option<Vec<Spanned<String>>>,
    /// Hosts allowed besides the site's own (`cdn.example.com`, `*.example.com`).
    #[serde(default)]
    pub hosts: Vec<Spanned<String>>,
    /// Cap on one asset, in MiB (1 to 64). Default: 50.
    pub max_mb: Option<Spanned<u64>>,
}

fn err(key: String, span: std::ops::Range<usize>, message: impl Into<String>) -> CompileError {
    CompileError::new(key, Some(span), message)
}

/// Compile `[media]` (absent: the defaults); `key` is the section's name
/// (`"media"`), `site_hosts` the hosts of the site (its base URL, start
/// URLs and allowed hosts).
pub fn compile(
    raw: Option<&RawMedia>,
    key: &str,
    site_hosts: &[&str],
) -> Result<MediaSpec, CompileError> {
    let mut spec = MediaSpec::default();
    for h in site_hosts {
        let h = norm_host(h);
        if !h.is_empty() && !spec.site_hosts.contains(&h) {
            spec.site_hosts.push(h);
        }
    }
    let Some(raw) = raw else {
        return Ok(spec);
    };
    spec.fetch = raw.fetch.unwrap_or(true);
    if let Some(types) = &raw.types {
        spec.types = Vec::new();
        for (i, t) in types.iter().enumerate() {
            let e = t
                .get_ref()
                .trim()
                .trim_start_matches('.')
                .to_ascii_lowercase();
            if e.is_empty() || e.len() > 10 || !e.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(err(
                    format!("{key}.types[{i}]"),
                    t.span(),
                    format!(
                        "not a file extension: {:?} (write types as extensions, e.g. \"jpg\", \"pdf\")",
                        t.get_ref()
                    ),
                ));
            }
            if !spec.types.contains(&e) {
                spec.types.push(e);
            }
        }
    } else {
        spec.types = default_types();
    }
    for (i, h) in raw.hosts.iter().enumerate() {
        spec.hosts
            .push(host_pattern(h, &format!("{key}.hosts[{i}]"))?);
    }
    spec.max_bytes = match &raw.max_mb {
        None => DEFAULT_MAX_BYTES,
        Some(m) if (1..=MAX_MB).contains(m.get_ref()) => m.get_ref() * 1024 * 1024,
        Some(m) => {
            return Err(err(
                format!("{key}.max_mb"),
                m.span(),
                format!("must be between 1 and {MAX_MB} (MiB)"),
            ))
        }
    };
    Ok(spec)
}

/// `cdn.example.com` or `*.example.com`.
fn host_pattern(h: &Spanned<String>, key: &str) -> Result<HostPattern, CompileError> {
    let s = h.get_ref().trim();
    let (wild, name) = match s.strip_prefix("*.") {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let bad = |why: String| {
        err(
            key.to_string(),
            h.span(),
            format!("not a host name ({why}): {s:?}; write `cdn.example.com` or `*.example.com`"),
        )
    };
    if name.is_empty() || name.contains(['*', '/', ':', ' ']) {
        return Err(bad(
            "only a leading `*.` may be a wildcard, no scheme or path".into(),
        ));
    }
    match url::Host::parse(name) {
        Ok(url::Host::Domain(d)) if wild => Ok(HostPattern::Subdomains(
            d.trim_end_matches('.').to_ascii_lowercase(),
        )),
        Ok(_) if wild => Err(bad("a wildcard needs a domain".into())),
        Ok(host) => Ok(HostPattern::Exact(norm_host(&host.to_string()))),
        Err(e) => Err(bad(e.to_string())),
    }
}

/// The hosts of the site, for [`compile`]: the base URL's, and the crawl's
/// start URLs' and allowed hosts.
pub fn site_hosts<'a>(
    base_url: Option<&'a Url>,
    crawl: Option<&'a crate::profile::crawl::CrawlConfig>,
) -> Vec<&'a str> {
    let mut out: Vec<&str> = base_url.and_then(Url::host_str).into_iter().collect();
    if let Some(c) = crawl {
        out.extend(c.start_urls.iter().filter_map(Url::host_str));
        out.extend(c.scope.allowed_hosts.iter().map(String::as_str));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Doc {
        media: RawMedia,
    }

    fn compile_src(src: &str) -> Result<MediaSpec, CompileError> {
        let doc: Doc = toml::from_str(src).expect("test TOML parses");
        compile(Some(&doc.media), "media", &["www.site.org"])
    }

    #[test]
    fn absent_section_is_the_defaults() {
        let s = compile(None, "media", &["www.site.org", "site.org"]).unwrap();
        assert!(s.fetch);
        assert_eq!(s.types, default_types());
        assert_eq!(s.site_hosts, ["site.org"]);
        assert_eq!(s.max_bytes, 50 << 20);
    }

    #[test]
    fn full_section_compiles() {
        let s = compile_src(
            "[media]\nfetch = false\ntypes = ['.JPG', 'pdf', 'jpg', 'epub']\nhosts = ['CDN.site.org', '*.wp.com']\nmax_mb = 64\n",
        )
        .unwrap();
        assert!(!s.fetch);
        assert_eq!(s.types, ["jpg", "pdf", "epub"]);
        assert_eq!(
            s.hosts,
            [
                HostPattern::Exact("cdn.site.org".into()),
                HostPattern::Subdomains("wp.com".into())
            ]
        );
        assert_eq!(s.max_bytes, 64 << 20);
    }

    fn compile_err(src: &str) -> (String, String, String) {
        let e = compile_src(src).expect_err("must not compile");
        let span = e.span.clone().expect("error has a span");
        (e.key, src[span].to_string(), e.message)
    }

    #[test]
    fn errors_name_the_key_and_point_at_the_value() {
        let (key, at, msg) = compile_err("[media]\ntypes = ['jpg', 'image/png']\n");
        assert_eq!(
            (key.as_str(), at.as_str()),
            ("media.types[1]", "'image/png'")
        );
        assert!(msg.contains("extension"), "{msg}");
        let (key, at, _) = compile_err("[media]\nhosts = ['ok.org', 'https://cdn.org/']\n");
        assert_eq!(
            (key.as_str(), at.as_str()),
            ("media.hosts[1]", "'https://cdn.org/'")
        );
        let (key, _, _) = compile_err("[media]\nhosts = ['a.*.org']\n");
        assert_eq!(key, "media.hosts[0]");
        let (key, _, _) = compile_err("[media]\nhosts = ['*.10.0.0.1']\n");
        assert_eq!(key, "media.hosts[0]");
        let (key, at, msg) = compile_err("[media]\nmax_mb = 0\n");
        assert_eq!((key.as_str(), at.as_str()), ("media.max_mb", "0"));
        assert!(msg.contains("between 1 and 64"), "{msg}");
        let (key, _, _) = compile_err("[media]\nmax_mb = 65\n");
        assert_eq!(key, "media.max_mb");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let e = toml::from_str::<Doc>("[media]\nfetches = true\n")
            .err()
            .expect("unknown key refused");
        assert!(e.to_string().contains("fetches"), "{e}");
    }
}
