//! robots.txt: fetched once per origin through the same politeness as pages,
//! cached, and asked before every request when robots are obeyed.
//!
//! Policy (RFC 9309, with Google's reading of server errors):
//! - 2xx: the file is parsed (at most [`ROBOTS_MAX_BYTES`] read) for the
//!   `sitelift` product token, falling back to `*`; cached for 24 hours.
//! - 4xx other than 429, or a redirect chain we cannot follow: allow all.
//! - 429, 5xx (after the usual retries) or unreachable: disallow all for
//!   [`ROBOTS_ERROR_TTL`], then it is fetched again. A server in trouble is
//!   the last one to crawl harder. A URL refused then fails as
//!   `robots_unavailable` (not skipped as `robots`): it is retried on the
//!   next run, and the run says why it did not fetch it.
//!
//! `Crawl-delay` is honoured when larger than the configured delay, up to
//! [`MAX_CRAWL_DELAY`] so a typo cannot stall a crawl for days.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use robotxt::Robots;
use tokio::time::Instant;
use url::Url;

pub use super::client::ROBOTS_MAX_BYTES;
use super::client::{HopResult, Mode};
use super::Inner;

/// The product token we match `User-agent` lines against.
pub const PRODUCT_TOKEN: &str = "sitelift";
/// How long "disallow all" after a robots.txt error lasts before a refetch.
pub const ROBOTS_ERROR_TTL: Duration = Duration::from_secs(10 * 60);
/// How long a fetched robots.txt is trusted.
pub const ROBOTS_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// The largest `Crawl-delay` we honour.
pub const MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);
/// Redirects followed when fetching robots.txt (RFC 9309: at least five).
const ROBOTS_MAX_REDIRECTS: usize = 5;

/// The rules of one origin, and why they forbid everything when
/// robots.txt could not be read (a refusal then is retryable, not final).
#[derive(Debug)]
pub struct Rules {
    /// The parsed rules (disallow-all while robots.txt is unavailable).
    pub robots: Robots,
    /// Why robots.txt is unavailable (a 5xx, 429 or no connection), if it is.
    pub unavailable: Option<String>,
}

#[derive(Debug, Clone)]
struct Cached {
    rules: Arc<Rules>,
    expires: Instant,
}

impl Cached {
    /// Rules fetched at `now`, trusted for `ttl`.
    fn new(rules: Arc<Rules>, ttl: Duration, now: Instant) -> Cached {
        Cached {
            rules,
            expires: now + ttl,
        }
    }

    /// Whether the rules still hold at `now` (else robots.txt is fetched again).
    fn fresh(&self, now: Instant) -> bool {
        now < self.expires
    }
}

/// What an unreadable robots.txt gives (`why`: the 5xx, 429 or failure):
/// disallow all, for [`ROBOTS_ERROR_TTL`].
fn unavailable(why: String) -> (Robots, Duration, Option<String>) {
    (Robots::disallow_all(), ROBOTS_ERROR_TTL, Some(why))
}

/// Per-origin cache; one fetch per origin even under concurrency.
#[derive(Debug, Default)]
pub struct RobotsCache {
    origins: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Cached>>>>>,
}

impl RobotsCache {
    fn cell(&self, origin: &str) -> Arc<tokio::sync::Mutex<Option<Cached>>> {
        let mut map = self.origins.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(origin.to_string()).or_default().clone()
    }
}

impl Inner {
    /// The robots rules of `url`'s origin, fetching them if needed.
    pub(super) async fn robots_for(&self, url: &Url) -> Arc<Rules> {
        let origin = url.origin().ascii_serialization();
        let cell = self.robots.cell(&origin);
        let mut slot = cell.lock().await;
        if let Some(cached) = slot.as_ref() {
            if cached.fresh(Instant::now()) {
                return cached.rules.clone();
            }
        }
        let (robots, ttl, unavailable) = self.fetch_robots(url).await;
        let rules = Arc::new(Rules {
            robots,
            unavailable,
        });
        *slot = Some(Cached::new(rules.clone(), ttl, Instant::now()));
        rules
    }

    /// The delay between two request starts to `url`'s host: the configured
    /// one, or a larger `Crawl-delay` when robots are obeyed.
    pub(super) async fn delay_for(&self, url: &Url) -> Duration {
        let base = self.cfg.delay_per_host;
        if !self.cfg.obey_robots {
            return base;
        }
        let rules = self.robots_for(url).await;
        match rules.robots.crawl_delay() {
            Some(delay) => base.max(delay.min(MAX_CRAWL_DELAY)),
            None => base,
        }
    }

    /// robots.txt of `url`'s origin: the rules, how long they hold, and why
    /// it is unavailable when it could not be read.
    async fn fetch_robots(&self, url: &Url) -> (Robots, Duration, Option<String>) {
        let allow_all = (Robots::allow_all(), ROBOTS_TTL, None);
        let mut current = match url.join("/robots.txt") {
            Ok(u) => u,
            Err(_) => return allow_all,
        };
        let mut seen = HashSet::new();
        for _ in 0..=ROBOTS_MAX_REDIRECTS {
            if !seen.insert(current.to_string()) || !matches!(current.scheme(), "http" | "https") {
                break;
            }
            let wire = match self.wire(&current) {
                Ok(w) => w,
                Err(why) => {
                    tracing::warn!(%current, %why, "robots.txt not reachable safely; allowing all");
                    return allow_all;
                }
            };
            let hop = self
                .request_hop(&current, &wire, self.cfg.delay_per_host, Mode::Robots)
                .await;
            match hop {
                HopResult::Done(received, _) => {
                    let status = received.status;
                    if (200..300).contains(&status) {
                        let robots = Robots::parse(&received.raw_body, PRODUCT_TOKEN);
                        return (robots, ROBOTS_TTL, None);
                    }
                    if status == 429 || status >= 500 {
                        tracing::warn!(%current, status, "robots.txt server error; disallowing all for now");
                        let why = format!("{current} answered HTTP {status}");
                        return unavailable(why);
                    }
                    return allow_all;
                }
                HopResult::Redirect { location, .. } => {
                    let next = location
                        .and_then(|l| String::from_utf8(l).ok())
                        .and_then(|l| current.join(l.trim()).ok());
                    match next {
                        Some(next) => current = next,
                        None => break,
                    }
                }
                HopResult::Fail { reason, detail, .. } => {
                    if reason == crate::fetch::Reason::PrivateAddress {
                        return allow_all;
                    }
                    tracing::warn!(%current, reason = %reason.code(), %detail,
                        "robots.txt unreachable; disallowing all for now");
                    let why = format!(
                        "{current} could not be fetched ({}: {detail})",
                        reason.code()
                    );
                    return unavailable(why);
                }
            }
        }
        allow_all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_groups_longest_match_and_sitemaps() {
        let txt = b"User-agent: *\nDisallow: /private/\nCrawl-delay: 1\n\n\
User-agent: sitelift\nDisallow: /tmp/\nAllow: /tmp/ok$\nDisallow: /*.php$\n\
Sitemap: http://example.org/sitemap.xml\n";
        let robots = Robots::parse(txt, PRODUCT_TOKEN);
        assert!(robots.is_allowed("/private/x"), "our own group replaces *");
        assert!(!robots.is_allowed("/tmp/x"));
        assert!(robots.is_allowed("/tmp/ok"));
        assert!(!robots.is_allowed("/index.php"));
        assert!(robots.is_allowed("/index.php?x=1"));
        assert_eq!(robots.sitemaps().len(), 1);
        let star = Robots::parse(
            b"User-agent: *\nDisallow: /private/\nCrawl-delay: 1\n",
            PRODUCT_TOKEN,
        );
        assert!(!star.is_allowed("/private/x"));
        assert_eq!(star.crawl_delay(), Some(Duration::from_secs(1)));
    }

    /// The window after a robots.txt error: ten minutes of "disallow all",
    /// then robots.txt is fetched again (not sooner, not later).
    #[test]
    fn a_robots_error_disallows_all_for_ten_minutes_then_refetches() {
        let (robots, ttl, why) = unavailable("https://s.org/robots.txt answered HTTP 503".into());
        assert_eq!(ttl, Duration::from_secs(600));
        assert_eq!(ROBOTS_ERROR_TTL, Duration::from_secs(600));
        assert!(!robots.is_allowed("/"));
        assert!(why.is_some_and(|w| w.contains("503")));
        let now = Instant::now();
        let rules = Arc::new(Rules {
            robots,
            unavailable: None,
        });
        let cached = Cached::new(rules.clone(), ttl, now);
        assert!(cached.fresh(now));
        assert!(cached.fresh(now + Duration::from_secs(599)));
        assert!(cached.fresh(now + Duration::from_millis(599_999)));
        assert!(!cached.fresh(now + Duration::from_secs(600)));
        assert!(!cached.fresh(now + Duration::from_secs(601)));
        // a robots.txt that was read holds for a day
        let day = Cached::new(rules, ROBOTS_TTL, now);
        assert!(day.fresh(now + Duration::from_secs(24 * 3600 - 1)));
        assert!(!day.fresh(now + Duration::from_secs(24 * 3600)));
    }
}
