//! Crawl scope: which URLs a crawl may fetch at all.
//!
//! A crawl of one legacy site must not wander off to other sites, into feeds,
//! print views or endless calendars, or deeper than the operator allows. The
//! frontier asks [`Scope::check`] about every discovered URL (and the fetcher
//! about every redirect target); a refusal is recorded in the ledger with the
//! stable [`ScopeReason::code`], so the report can say why a URL was skipped.

use regex::Regex;
use url::Url;

use super::canon::{apply_www, WwwRule};

/// The compiled `[crawl.scope]` of one site.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Hosts that may be fetched, lowercased and with the site's `www` rule
    /// applied. Empty means any host.
    pub allowed_hosts: Vec<String>,
    /// The `www` rule applied to hosts before they are compared.
    pub www: WwwRule,
    /// When non-empty, a URL must match at least one of these (on the full URL).
    pub include: Vec<Regex>,
    /// A URL matching any of these is out of scope (on the full URL), even if included.
    pub exclude: Vec<Regex>,
    /// Links deeper than this (start URLs are depth 0) are not followed.
    pub max_depth: Option<u32>,
    /// The crawl stops scheduling new pages after this many.
    pub max_pages: Option<u64>,
}

/// Why a URL is out of scope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeReason {
    /// Not `http` or `https`.
    #[error("scheme {scheme:?} is not http or https")]
    BadScheme {
        /// The refused scheme.
        scheme: String,
    },
    /// The host is not one of `allowed_hosts`.
    #[error("host {host:?} is not an allowed host")]
    HostNotAllowed {
        /// The refused host (after canonicalisation), empty when there is none.
        host: String,
    },
    /// An `exclude` pattern matched.
    #[error("excluded by pattern {pattern:?}")]
    Excluded {
        /// The pattern that matched.
        pattern: String,
    },
    /// `include` patterns exist and none matched.
    #[error("matches no include pattern")]
    NotIncluded,
    /// Deeper than `max_depth`.
    #[error("depth {depth} is beyond max_depth {max}")]
    TooDeep {
        /// Depth of the URL.
        depth: u32,
        /// The limit.
        max: u32,
    },
    /// The crawl already has `max_pages` pages.
    #[error("max_pages {max} reached")]
    MaxPages {
        /// The limit.
        max: u64,
    },
}

impl ScopeReason {
    /// Stable short code for the ledger and the report.
    pub fn code(&self) -> &'static str {
        match self {
            ScopeReason::BadScheme { .. } => "bad_scheme",
            ScopeReason::HostNotAllowed { .. } => "host_not_allowed",
            ScopeReason::Excluded { .. } => "excluded",
            ScopeReason::NotIncluded => "not_included",
            ScopeReason::TooDeep { .. } => "too_deep",
            ScopeReason::MaxPages { .. } => "max_pages",
        }
    }
}

impl Scope {
    /// Is `url`, found at link depth `depth`, in scope? Checks in order:
    /// scheme, host, exclude, include, depth.
    pub fn check(&self, url: &Url, depth: u32) -> Result<(), ScopeReason> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ScopeReason::BadScheme {
                scheme: url.scheme().to_string(),
            });
        }
        if !self.host_allowed(url) {
            let host = url
                .host_str()
                .map(|h| self.normalize_host(h))
                .unwrap_or_default();
            return Err(ScopeReason::HostNotAllowed { host });
        }
        let s = url.as_str();
        if let Some(re) = self.exclude.iter().find(|re| re.is_match(s)) {
            return Err(ScopeReason::Excluded {
                pattern: re.as_str().to_string(),
            });
        }
        if !self.include.is_empty() && !self.include.iter().any(|re| re.is_match(s)) {
            return Err(ScopeReason::NotIncluded);
        }
        if let Some(max) = self.max_depth {
            if depth > max {
                return Err(ScopeReason::TooDeep { depth, max });
            }
        }
        Ok(())
    }

    /// May another page be scheduled when `pages_so_far` are already?
    pub fn check_budget(&self, pages_so_far: u64) -> Result<(), ScopeReason> {
        match self.max_pages {
            Some(max) if pages_so_far >= max => Err(ScopeReason::MaxPages { max }),
            _ => Ok(()),
        }
    }

    /// Is the host of `url` allowed (compared after lowercasing and the `www` rule)?
    pub fn host_allowed(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        if self.allowed_hosts.is_empty() {
            return true;
        }
        let host = self.normalize_host(host);
        self.allowed_hosts.contains(&host)
    }

    /// A host in the form `allowed_hosts` holds: lowercased, trailing dot
    /// removed, `www` rule applied.
    pub fn normalize_host(&self, host: &str) -> String {
        let lower = host.trim_end_matches('.').to_ascii_lowercase();
        apply_www(&lower, self.www)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iranfocus() -> Scope {
        let mut s = Scope {
            www: WwwRule::Add,
            include: vec![Regex::new(r"^https?://(www\.)?iranfocus\.com/en/").unwrap()],
            exclude: vec![
                Regex::new(r"/feed/?$").unwrap(),
                Regex::new(r"[?&]print=1").unwrap(),
            ],
            max_depth: Some(3),
            max_pages: Some(10),
            ..Scope::default()
        };
        s.allowed_hosts = vec![
            s.normalize_host("iranfocus.com"),
            s.normalize_host("WWW.IranFocus.com"),
        ];
        s
    }

    fn check(s: &Scope, u: &str, depth: u32) -> Result<(), &'static str> {
        s.check(&Url::parse(u).unwrap(), depth)
            .map_err(|r| r.code())
    }

    #[test]
    fn article_urls_are_in_scope_in_both_host_spellings() {
        let s = iranfocus();
        assert_eq!(
            check(
                &s,
                "https://www.iranfocus.com/en/iran-and-its-neighbours/iraq/7198-x/",
                3
            ),
            Ok(())
        );
        assert_eq!(
            check(
                &s,
                "http://IRANFOCUS.com/en/index.php?option=com_content&id=1",
                0
            ),
            Ok(())
        );
    }

    #[test]
    fn each_reason_has_its_code() {
        let s = iranfocus();
        assert_eq!(
            check(&s, "ftp://www.iranfocus.com/en/x", 0),
            Err("bad_scheme")
        );
        assert_eq!(
            check(&s, "https://www.example.org/en/x", 0),
            Err("host_not_allowed")
        );
        assert_eq!(
            check(&s, "https://cdn.iranfocus.com/en/x", 0),
            Err("host_not_allowed")
        );
        assert_eq!(
            check(&s, "https://www.iranfocus.com/en/feed/", 0),
            Err("excluded")
        );
        assert_eq!(
            check(&s, "https://www.iranfocus.com/en/a/?x=2&print=1", 0),
            Err("excluded")
        );
        assert_eq!(
            check(&s, "https://www.iranfocus.com/fr/x", 0),
            Err("not_included")
        );
        assert_eq!(
            check(&s, "https://www.iranfocus.com/en/x", 4),
            Err("too_deep")
        );
        assert_eq!(s.check_budget(9), Ok(()));
        assert_eq!(s.check_budget(10).map_err(|r| r.code()), Err("max_pages"));
    }

    #[test]
    fn empty_lists_mean_no_restriction() {
        let s = Scope::default();
        assert_eq!(check(&s, "https://anything.example/x", 1000), Ok(()));
        assert_eq!(s.check_budget(u64::MAX), Ok(()));
        assert_eq!(check(&s, "mailto:x@y.org", 0), Err("bad_scheme"));
    }

    #[test]
    fn reasons_display_their_context() {
        let s = iranfocus();
        let r = s
            .check(&Url::parse("https://www.iranfocus.com/en/feed").unwrap(), 0)
            .unwrap_err();
        assert_eq!(r.to_string(), "excluded by pattern \"/feed/?$\"");
    }
}
