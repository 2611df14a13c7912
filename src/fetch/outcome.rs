//! What one fetch produces: a response, a failure or a deliberate skip.
//!
//! These are plain data so that the frontier can write them to the ledger and
//! the store can write responses to WARC without knowing anything about HTTP
//! clients. A bad page or a bad response is an outcome, never a panic.

use std::net::IpAddr;

use url::Url;

/// The result of [`Fetcher::fetch`](super::Fetcher::fetch).
// A response is made once per page and moved, never stored in bulk; keeping
// it unboxed keeps the agreed API (`FetchOutcome::Response(Response)`).
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum FetchOutcome {
    /// A final HTTP response of any status (404 and exhausted 5xx included).
    Response(Response),
    /// We tried and it did not work (timeout, reset, too large, redirect loop, ...).
    Failed(Failure),
    /// We chose not to fetch: robots.txt, scope, private address, scheme or
    /// content type.
    Skipped(Failure),
}

impl FetchOutcome {
    /// The reason code of a failure or skip, `None` for a response.
    pub fn reason(&self) -> Option<&Reason> {
        match self {
            FetchOutcome::Response(_) => None,
            FetchOutcome::Failed(f) | FetchOutcome::Skipped(f) => Some(&f.reason),
        }
    }
}

/// Why a URL was not fetched, with the redirect chain walked so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The reason, as a stable code via [`Reason::code`].
    pub reason: Reason,
    /// Human-readable detail (the URL, the error message).
    pub detail: String,
    /// Attempts made on the last URL of the chain (0 when nothing was sent).
    pub attempts: u32,
    /// Every redirect response of the chain, in order.
    pub chain: Vec<Hop>,
}

/// One redirect response of a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// The (logical) URL that answered with a redirect.
    pub url: Url,
    /// Its status code (301, 302, 303, 307, 308).
    pub status: u16,
}

/// How the body of a response is meant to be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    /// `text/html`, `application/xhtml+xml`, or no `Content-Type` at all.
    Html,
    /// A media type listed in `keep_content_types`.
    Kept,
    /// Anything else (only returned for non-2xx responses; a 2xx of such a
    /// type is skipped without downloading its body).
    Other,
}

/// A final HTTP response, with the bytes exactly as received.
#[derive(Debug, Clone)]
pub struct Response {
    /// The URL asked for.
    pub requested: Url,
    /// The final (logical) URL after redirects.
    pub url: Url,
    /// Every redirect response of the chain, in order.
    pub chain: Vec<Hop>,
    /// HTTP status code.
    pub status: u16,
    /// The canonical reason phrase of the status (the client does not expose
    /// the received one).
    pub reason_phrase: String,
    /// `HTTP/1.1`, `HTTP/2.0`, ...
    pub http_version: String,
    /// Response headers as received (names lowercased by the HTTP stack;
    /// repeated headers kept, grouped by name).
    pub headers: Vec<(String, Vec<u8>)>,
    /// The request headers we sent (including `Host`).
    pub request_headers: Vec<(String, String)>,
    /// Always `GET`.
    pub method: String,
    /// The body as received, still content-encoded.
    pub raw_body: Vec<u8>,
    /// The body after content decoding (gzip, deflate, br), capped.
    pub body: Vec<u8>,
    /// The peer address the response came from.
    pub ip: Option<IpAddr>,
    /// The media type of `Content-Type`, lowercased, without parameters.
    pub content_type: Option<String>,
    /// The `charset` parameter of `Content-Type`, if any, as written.
    pub charset: Option<String>,
    /// How the body is meant to be used.
    pub kind: ContentKind,
    /// Attempts made on the final URL (1 = first try).
    pub attempts: u32,
    /// When the final request was started.
    pub date: jiff::Timestamp,
}

impl Response {
    /// The first value of a response header (name matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }
}

/// The reason code of [`Reason::RobotsUnavailable`], which a new crawl
/// queues again by itself.
pub const ROBOTS_UNAVAILABLE: &str = "robots_unavailable";

/// Why a fetch failed or was skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Refused by robots.txt.
    Robots,
    /// Not fetched because robots.txt could not be read (a 5xx, 429 or no
    /// connection): a failure to retry on the next run, not a refusal.
    RobotsUnavailable,
    /// `in_scope` said no (for the URL or a redirect target).
    OutOfScope,
    /// The address is private, loopback, link-local, ... and not allowed.
    PrivateAddress,
    /// Not `http` or `https` (e.g. a redirect to `file://`).
    BadScheme,
    /// A 2xx response of a media type we neither parse nor keep.
    ContentType,
    /// The body as received is larger than `max_body_bytes`.
    TooLarge,
    /// The decoded body is larger than `max_decompressed_bytes`.
    DecompressTooLarge,
    /// The whole request took longer than `timeout`.
    Timeout,
    /// Could not connect (refused, DNS failure, TLS failure).
    Connection,
    /// The connection was closed or reset before the response was complete.
    Reset,
    /// A URL appeared twice in the redirect chain.
    RedirectLoop,
    /// More than `max_redirects` redirects.
    TooManyRedirects,
    /// A redirect without a usable `Location`.
    BadRedirect,
    /// The server's answer is not HTTP we can read (a status line or headers
    /// that do not parse, headers larger than the client's limit). Not
    /// retried: a server that sends 1 MB of headers will send them again.
    BadResponse,
    /// An HTTP status (reserved for callers that turn statuses into failures).
    Http(u16),
    /// Anything else (bad content encoding, client error).
    Other,
}

impl Reason {
    /// The stable code written to the ledger and the report.
    pub fn code(&self) -> String {
        match self {
            Reason::Robots => "robots".into(),
            Reason::RobotsUnavailable => ROBOTS_UNAVAILABLE.into(),
            Reason::OutOfScope => "out_of_scope".into(),
            Reason::PrivateAddress => "private_address".into(),
            Reason::BadScheme => "bad_scheme".into(),
            Reason::ContentType => "content_type".into(),
            Reason::TooLarge => "too_large".into(),
            Reason::DecompressTooLarge => "decompress_too_large".into(),
            Reason::Timeout => "timeout".into(),
            Reason::Connection => "connection".into(),
            Reason::Reset => "reset".into(),
            Reason::RedirectLoop => "redirect_loop".into(),
            Reason::TooManyRedirects => "too_many_redirects".into(),
            Reason::BadRedirect => "bad_redirect".into(),
            Reason::BadResponse => "bad_response".into(),
            Reason::Http(status) => format!("http_{status}"),
            Reason::Other => "other".into(),
        }
    }

    /// True for transient reasons worth another attempt.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Reason::Timeout | Reason::Connection | Reason::Reset | Reason::Http(_)
        )
    }

    /// True for reasons that mean "we chose not to fetch" (a skip), false for
    /// "we tried and it failed".
    pub fn is_skip(&self) -> bool {
        matches!(
            self,
            Reason::Robots
                | Reason::OutOfScope
                | Reason::PrivateAddress
                | Reason::BadScheme
                | Reason::ContentType
        )
    }
}

/// Errors building a [`Fetcher`](super::Fetcher).
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The HTTP client could not be built (e.g. TLS setup).
    #[error("cannot build the HTTP client")]
    Client(#[source] reqwest::Error),
    /// A config value is unusable.
    #[error("bad fetch setting `{key}`: {message}")]
    Config {
        /// The `FetchConfig` field.
        key: &'static str,
        /// What is wrong with it.
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_codes_are_stable() {
        assert_eq!(Reason::Http(503).code(), "http_503");
        assert_eq!(Reason::DecompressTooLarge.code(), "decompress_too_large");
        assert_eq!(Reason::OutOfScope.code(), "out_of_scope");
        assert!(Reason::Robots.is_skip());
        assert!(!Reason::Timeout.is_skip());
    }
}
