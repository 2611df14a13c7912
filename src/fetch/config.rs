//! The compiled fetch settings: politeness, timeouts, retries and caps.
//! Built from a profile's `[crawl]` section (see `profile::crawl`) and
//! overridable on the command line; the fetcher reads nothing else.

use std::net::SocketAddr;
use std::time::Duration;

/// Everything the fetcher needs to know, already checked.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchConfig {
    /// `User-Agent` header; should carry a contact URL.
    pub user_agent: String,
    /// Minimum time between the starts of two requests to the same host.
    /// A robots.txt `Crawl-delay` larger than this wins (when robots are obeyed).
    pub delay_per_host: Duration,
    /// At most this many requests in flight to one host.
    pub max_connections_per_host: usize,
    /// At most this many requests in flight overall.
    pub concurrency: usize,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Time allowed for one whole request (headers and body).
    pub timeout: Duration,
    /// Attempts per URL before giving up (1 = no retry).
    pub max_attempts: u32,
    /// First retry delay; doubled each attempt, with jitter.
    pub backoff_base: Duration,
    /// Upper bound of one retry delay (also caps `Retry-After`).
    pub backoff_max: Duration,
    /// Redirect hops followed before the chain is called too long.
    pub max_redirects: usize,
    /// Cap on the body bytes as received; a larger body is "too large".
    pub max_body_bytes: u64,
    /// Cap on the body after content decoding (gzip, deflate, br).
    pub max_decompressed_bytes: u64,
    /// Obey robots.txt (Disallow, Crawl-delay). Off only by explicit operator flag.
    pub obey_robots: bool,
    /// Content types other than HTML that are kept (stored) instead of skipped,
    /// e.g. `application/pdf`. Matched on the media type, case-insensitively.
    pub keep_content_types: Vec<String>,
    /// Hosts or IP addresses that may resolve to private, loopback or
    /// link-local addresses (e.g. `127.0.0.1` in tests). Everything else that
    /// resolves there is refused.
    pub allow_private: Vec<String>,
    /// Like curl's `--connect-to`: requests for a listed host (matched
    /// case-insensitively, any port) are sent over plain HTTP to the given
    /// address with the original `Host` header, while the logical URL (the
    /// one returned, recorded and used to resolve relative redirects) stays
    /// the original one, `https` or not. The address must pass the
    /// private-address rule: its IP (or the host name) must be in
    /// `allow_private` when it is private.
    pub connect_to: Vec<(String, SocketAddr)>,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            user_agent: concat!(
                "sitelift/",
                env!("CARGO_PKG_VERSION"),
                " (+https://example.org/sitelift-contact)"
            )
            .to_string(),
            delay_per_host: Duration::from_millis(1000),
            max_connections_per_host: 2,
            concurrency: 8,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_attempts: 4,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(60),
            max_redirects: 10,
            max_body_bytes: 10 * 1024 * 1024,
            max_decompressed_bytes: 50 * 1024 * 1024,
            obey_robots: true,
            keep_content_types: Vec::new(),
            allow_private: Vec::new(),
            connect_to: Vec::new(),
        }
    }
}
