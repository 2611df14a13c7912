//! The polite, safe HTTP fetcher: the only part of sitelift that talks to a
//! live legacy site.
//!
//! A legacy site is somebody's fragile server and a migration is a long
//! crawl, so the fetcher is careful in every direction: it obeys robots.txt,
//! spaces requests per host under any concurrency, retries transient
//! failures with jittered backoff, follows redirects itself (checking scheme,
//! scope, address and loops at every hop), caps every byte it reads, refuses
//! private addresses, and keeps the bytes exactly as received for the WARC
//! archive. Every problem becomes a [`FetchOutcome`], never a panic.
//!
//! Submodules: [`config`] (settings), [`outcome`] (results), `client` (one
//! hop on the wire), `polite` (per-host spacing), `robots` (robots.txt
//! cache), `retry` (backoff), `body` (capped reading and decoding),
//! [`safety`] (address rules and the DNS resolver).

mod body;
mod client;
pub mod config;
pub mod outcome;
mod polite;
pub(crate) mod retry;
mod robots;
pub mod safety;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::Arc;

use url::Url;

pub use config::FetchConfig;
pub use outcome::{
    ContentKind, Failure, FetchError, FetchOutcome, Hop, Reason, Response, ROBOTS_UNAVAILABLE,
};
pub use robots::{PRODUCT_TOKEN, ROBOTS_ERROR_TTL, ROBOTS_MAX_BYTES};

use body::BodyError;
pub(crate) use client::connect_to_url;
use client::{HopResult, Mode, Received};
use polite::Politeness;
use robots::RobotsCache;
use safety::{AllowList, SafeResolver};

/// What makes a response a wanted media asset, for [`Fetcher::fetch_media`].
pub struct MediaWant<'a> {
    /// Cap on the body, as received and after content decoding; a larger
    /// asset fails `too_large` (or `decompress_too_large`).
    pub max_bytes: u64,
    /// Whether a 2xx response is wanted, from the URL first asked for, the
    /// URL that answers and its declared media type (lowercased, without
    /// parameters).
    pub accept: &'a (dyn Fn(&Url, &Url, Option<&str>) -> bool + Send + Sync),
}

/// The fetcher. Cheap to clone and share between tasks (an `Arc` inside).
#[derive(Debug, Clone)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

/// Shared state behind a [`Fetcher`].
#[derive(Debug)]
struct Inner {
    cfg: FetchConfig,
    client: reqwest::Client,
    allow: Arc<AllowList>,
    polite: Politeness,
    robots: RobotsCache,
    /// `connect_to`, keyed by lowercased host.
    connect_to: HashMap<String, SocketAddr>,
}

fn check_positive(key: &'static str, value: u64) -> Result<(), FetchError> {
    if value == 0 {
        return Err(FetchError::Config {
            key,
            message: "must be at least 1".into(),
        });
    }
    Ok(())
}

impl Fetcher {
    /// Builds the fetcher and its HTTP client (no redirects, no proxy, no
    /// automatic decompression, our address-checking DNS resolver).
    pub fn new(cfg: FetchConfig) -> Result<Fetcher, FetchError> {
        check_positive("concurrency", cfg.concurrency as u64)?;
        check_positive(
            "max_connections_per_host",
            cfg.max_connections_per_host as u64,
        )?;
        check_positive("max_attempts", u64::from(cfg.max_attempts))?;
        if reqwest::header::HeaderValue::from_str(&cfg.user_agent).is_err() {
            return Err(FetchError::Config {
                key: "user_agent",
                message: format!("{:?} is not a valid header value", cfg.user_agent),
            });
        }
        let allow = Arc::new(AllowList::new(&cfg.allow_private));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.timeout)
            .user_agent(cfg.user_agent.clone())
            .pool_max_idle_per_host(cfg.max_connections_per_host)
            .dns_resolver(Arc::new(SafeResolver::new(allow.clone())))
            .build()
            .map_err(FetchError::Client)?;
        let connect_to = cfg
            .connect_to
            .iter()
            .map(|(host, addr)| (host.trim_end_matches('.').to_ascii_lowercase(), *addr))
            .collect();
        let inner = Inner {
            polite: Politeness::new(cfg.concurrency, cfg.max_connections_per_host),
            robots: RobotsCache::default(),
            allow,
            client,
            connect_to,
            cfg,
        };
        Ok(Fetcher {
            inner: Arc::new(inner),
        })
    }

    /// The settings this fetcher runs with.
    pub fn config(&self) -> &FetchConfig {
        &self.inner.cfg
    }

    /// Fetch one URL politely. `in_scope` is asked about the URL and every
    /// redirect target; `Err(reason)` stops the chain as skipped out of scope.
    pub async fn fetch(
        &self,
        url: &Url,
        in_scope: &(dyn Fn(&Url) -> Result<(), String> + Send + Sync),
    ) -> FetchOutcome {
        self.fetch_as(url, in_scope, None).await
    }

    /// Fetch one media asset politely, as [`Fetcher::fetch`] does a page
    /// (robots.txt, spacing, retries, redirects, address safety), with the
    /// asset's own size cap and type check: a 2xx response that `want`
    /// does not accept is skipped (`content_type`) before its body is read.
    pub async fn fetch_media(
        &self,
        url: &Url,
        in_scope: &(dyn Fn(&Url) -> Result<(), String> + Send + Sync),
        want: &MediaWant<'_>,
    ) -> FetchOutcome {
        self.fetch_as(url, in_scope, Some(want)).await
    }

    async fn fetch_as(
        &self,
        url: &Url,
        in_scope: &(dyn Fn(&Url) -> Result<(), String> + Send + Sync),
        media: Option<&MediaWant<'_>>,
    ) -> FetchOutcome {
        let inner = &self.inner;
        let (mode, cap) = match media {
            Some(w) => (Mode::Media(w, url), w.max_bytes),
            None => (Mode::Page, inner.cfg.max_decompressed_bytes),
        };
        let mut current = url.clone();
        current.set_fragment(None);
        let mut chain: Vec<Hop> = Vec::new();
        let mut seen: HashSet<String> = HashSet::from([current.to_string()]);
        loop {
            let wire = match inner.admit(&current, in_scope).await {
                Ok(wire) => wire,
                Err((reason, detail)) => return failed(reason, detail, 0, chain),
            };
            let delay = inner.delay_for(&current).await;
            match inner.request_hop(&current, &wire, delay, mode).await {
                HopResult::Done(received, attempts) => {
                    return inner
                        .finish(url.clone(), current, chain, received, attempts, cap)
                        .await;
                }
                HopResult::Fail {
                    reason,
                    detail,
                    attempts,
                } => return failed(reason, detail, attempts, chain),
                HopResult::Redirect {
                    status,
                    location,
                    attempts,
                } => {
                    chain.push(Hop {
                        url: current.clone(),
                        status,
                    });
                    let hop = Redirect {
                        from: &current,
                        status,
                        location: location.as_deref(),
                        start: url,
                        hops: chain.len(),
                    };
                    match inner.follow(&hop, &mut seen) {
                        Ok(next) => current = next,
                        Err((reason, detail)) => return failed(reason, detail, attempts, chain),
                    }
                }
            }
        }
    }

    /// Sitemap URLs listed in robots.txt of this URL's origin (fetched once,
    /// cached; also when robots are not obeyed).
    pub async fn robots_sitemaps(&self, url: &Url) -> Vec<Url> {
        self.inner.robots_for(url).await.robots.sitemaps().to_vec()
    }
}

impl Inner {
    /// Undoes the content encoding (off the async threads) and assembles the
    /// final [`Response`].
    async fn finish(
        &self,
        requested: Url,
        url: Url,
        chain: Vec<Hop>,
        received: Received,
        attempts: u32,
        cap: u64,
    ) -> FetchOutcome {
        let encoding = received.header_str("content-encoding").map(str::to_string);
        let raw = received.raw_body;
        // a body sent as it is only needs a copy: no thread for that; one
        // to inflate goes to the rayon pool (threads bounded by the cores)
        let decoded = match encoding.as_deref().is_none_or(body::is_identity) {
            true => {
                let body = body::decode(&raw, None, cap);
                Ok((raw, body))
            }
            false => on_rayon(move || {
                let body = body::decode(&raw, encoding.as_deref(), cap);
                (raw, body)
            })
            .await
            .ok_or("it panicked"),
        };
        let failure = |reason: Reason, detail: String, chain: Vec<Hop>| {
            FetchOutcome::Failed(Failure {
                reason,
                detail,
                attempts,
                chain,
            })
        };
        let (raw_body, body) = match decoded {
            Ok((raw, Ok(body))) => (raw, body),
            Ok((_, Err(err @ BodyError::DecompressTooLarge { .. }))) => {
                let detail = format!("{url}: {}", crate::text::error_chain(&err));
                return failure(Reason::DecompressTooLarge, detail, chain);
            }
            Ok((_, Err(err))) => {
                let detail = format!("{url}: {}", crate::text::error_chain(&err));
                return failure(Reason::Other, detail, chain);
            }
            Err(why) => {
                return failure(
                    Reason::Other,
                    format!("{url}: decoding task failed: {why}"),
                    chain,
                )
            }
        };
        let status = received.status;
        let reason_phrase = reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("")
            .to_string();
        FetchOutcome::Response(Response {
            requested,
            url,
            chain,
            status,
            reason_phrase,
            http_version: received.http_version,
            headers: received.headers,
            request_headers: received.request_headers,
            method: "GET".into(),
            raw_body,
            body,
            ip: received.ip,
            content_type: received.content_type,
            charset: received.charset,
            kind: received.kind,
            attempts,
            date: received.date,
        })
    }
}

/// Run `f` on the rayon pool and wait for it without blocking the async
/// runtime; None if it panicked (the panic is contained to `f`).
pub(crate) async fn on_rayon<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    rayon::spawn(move || {
        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let _ = tx.send(done.ok());
    });
    rx.await.ok().flatten()
}

/// A `Location` as text: bytes outside ASCII (raw Latin-1 or UTF-8 sent by
/// old servers) are percent-encoded rather than rejected.
fn percent_encode_high(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii() && !b.is_ascii_control() {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A failure as an outcome: skipped when its reason is a skip, else failed.
fn failed(reason: Reason, detail: String, attempts: u32, chain: Vec<Hop>) -> FetchOutcome {
    let failure = Failure {
        reason,
        detail,
        attempts,
        chain,
    };
    if failure.reason.is_skip() {
        FetchOutcome::Skipped(failure)
    } else {
        FetchOutcome::Failed(failure)
    }
}

/// A redirect answer, as [`Inner::follow`] reads it.
struct Redirect<'a> {
    from: &'a Url,
    status: u16,
    location: Option<&'a [u8]>,
    /// The URL the fetch started from.
    start: &'a Url,
    /// Hops in the chain so far, this one included.
    hops: usize,
}

impl Inner {
    /// Whether `current` may be requested (scheme, scope, address safety,
    /// robots.txt): the address to connect to, or why not.
    async fn admit(
        &self,
        current: &Url,
        in_scope: &(dyn Fn(&Url) -> Result<(), String> + Send + Sync),
    ) -> Result<client::Wire, (Reason, String)> {
        if !matches!(current.scheme(), "http" | "https") {
            let detail = format!("{current}: scheme {} is not http(s)", current.scheme());
            return Err((Reason::BadScheme, detail));
        }
        if let Err(why) = in_scope(current) {
            return Err((Reason::OutOfScope, format!("{current}: {why}")));
        }
        let wire = self
            .wire(current)
            .map_err(|why| (Reason::PrivateAddress, why))?;
        if self.cfg.obey_robots {
            let rules = self.robots_for(current).await;
            if !rules.robots.is_url_allowed(current) {
                return Err(match &rules.unavailable {
                    Some(why) => (
                        Reason::RobotsUnavailable,
                        format!(
                            "robots.txt is unavailable ({why}): nothing is fetched from \
                             this site until it answers; retried on the next run"
                        ),
                    ),
                    None => (
                        Reason::Robots,
                        format!("{current} is disallowed by robots.txt"),
                    ),
                });
            }
        }
        Ok(wire)
    }

    /// Where a redirect leads, or why it is not followed (no or bad
    /// `Location`, a loop, too many hops).
    fn follow(
        &self,
        r: &Redirect<'_>,
        seen: &mut HashSet<String>,
    ) -> Result<Url, (Reason, String)> {
        let current = r.from;
        let Some(location) = r.location else {
            let detail = format!("{current} answered {} without Location", r.status);
            return Err((Reason::BadRedirect, detail));
        };
        let location = percent_encode_high(location);
        let mut next = current.join(location.trim()).map_err(|e| {
            let detail = format!("{current}: bad Location {location:?}: {e}");
            (Reason::BadRedirect, detail)
        })?;
        next.set_fragment(None);
        if !seen.insert(next.to_string()) {
            let detail = format!("{current} redirects back to {next}");
            return Err((Reason::RedirectLoop, detail));
        }
        if r.hops > self.cfg.max_redirects {
            let detail = format!(
                "more than {} redirects from {}",
                self.cfg.max_redirects, r.start
            );
            return Err((Reason::TooManyRedirects, detail));
        }
        tracing::debug!(from = %current, to = %next, status = r.status, "redirect");
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn high_bytes_in_location_are_encoded() {
        assert_eq!(percent_encode_high(b"/caf\xe9?a=1"), "/caf%E9?a=1");
        assert_eq!(percent_encode_high("/é".as_bytes()), "/%C3%A9");
    }

    #[test]
    fn zero_limits_are_refused() {
        let cfg = FetchConfig {
            concurrency: 0,
            ..FetchConfig::default()
        };
        assert!(matches!(
            Fetcher::new(cfg),
            Err(FetchError::Config {
                key: "concurrency",
                ..
            })
        ));
    }

    #[test]
    fn fetcher_is_send_sync() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<Fetcher>();
    }
}
