//! One HTTP request on the wire, and one hop with its retries.
//!
//! This is where a logical URL becomes a request (with `connect_to`
//! rewriting), where transport errors become [`Reason`]s, where the
//! content type is judged from the headers before any body byte is read, and
//! where 429/5xx and transport failures are retried with backoff. Redirects
//! are not followed here: a hop ends with a response, a redirect or a reason,
//! and [`super::Fetcher`] walks the chain.

use std::error::Error as _;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use url::{Host, Position, Url};

use super::body::{self, BodyError};
use super::outcome::{ContentKind, Reason};
use super::retry;
use super::safety::PrivateAddressError;
use super::{Inner, MediaWant};

/// How much of robots.txt we read; the rest of a huge file is ignored.
pub const ROBOTS_MAX_BYTES: usize = 512 * 1024;

/// What a request is for: a page (content-type check, size cap), robots.txt
/// (truncated quietly, no content-type check, no compression asked for), or
/// a media asset (its own type check and cap, no compression asked for).
#[derive(Clone, Copy)]
pub enum Mode<'a> {
    /// A page of the site.
    Page,
    /// The origin's robots.txt.
    Robots,
    /// An asset: what is wanted, and the URL first asked for (before redirects).
    Media(&'a MediaWant<'a>, &'a Url),
}

/// Where a logical URL is actually sent.
#[derive(Debug, Clone)]
pub struct Wire {
    /// The URL given to the HTTP client.
    pub url: Url,
    /// An explicit `Host` header (with `connect_to`).
    pub host_header: Option<String>,
}

/// A final response whose body (as received) has been read.
#[derive(Debug)]
pub struct Received {
    pub status: u16,
    pub http_version: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub request_headers: Vec<(String, String)>,
    pub raw_body: Vec<u8>,
    pub ip: Option<IpAddr>,
    pub content_type: Option<String>,
    pub charset: Option<String>,
    pub kind: ContentKind,
    pub date: jiff::Timestamp,
}

impl Received {
    /// The first value of a header, as text.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        header_in(&self.headers, name).and_then(|v| std::str::from_utf8(v).ok())
    }
}

fn header_in<'a>(headers: &'a [(String, Vec<u8>)], name: &str) -> Option<&'a [u8]> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_slice())
}

/// The result of one attempt.
enum Attempt {
    Done(Received),
    Redirect {
        status: u16,
        location: Option<Vec<u8>>,
    },
    Retry {
        reason: Reason,
        detail: String,
        retry_after: Option<Duration>,
    },
    Stop {
        reason: Reason,
        detail: String,
    },
}

/// The result of one hop (all its attempts).
#[derive(Debug)]
pub enum HopResult {
    /// A final response.
    Done(Received, u32),
    /// A redirect response; the `Location` bytes if any.
    Redirect {
        status: u16,
        location: Option<Vec<u8>>,
        attempts: u32,
    },
    /// Gave up or refused.
    Fail {
        reason: Reason,
        detail: String,
        attempts: u32,
    },
}

/// True for the statuses whose `Location` we follow.
pub fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Splits `Content-Type` into the lowercased media type and the charset.
pub fn parse_content_type(value: &str) -> (Option<String>, Option<String>) {
    let mut parts = value.split(';');
    let media = parts
        .next()
        .map(|m| m.trim().to_ascii_lowercase())
        .filter(|m| !m.is_empty());
    let charset = parts.find_map(|param| {
        let (name, val) = param.split_once('=')?;
        if name.trim().eq_ignore_ascii_case("charset") {
            let val = val.trim().trim_matches('"').trim_matches('\'').trim();
            (!val.is_empty()).then(|| val.to_string())
        } else {
            None
        }
    });
    (media, charset)
}

/// Classifies a media type: HTML (or unknown), kept, or other.
pub fn kind_of(media: Option<&str>, keep: &[String]) -> ContentKind {
    match media {
        None => ContentKind::Html,
        Some("text/html" | "application/xhtml+xml") => ContentKind::Html,
        Some(m) if keep.iter().any(|k| type_matches(k, m)) => ContentKind::Kept,
        Some(_) => ContentKind::Other,
    }
}

/// Whether a `keep_content_types` entry covers `media`: equal (ignoring
/// case), or a wildcard: `image/*` every image type, `*/*` every type.
fn type_matches(pattern: &str, media: &str) -> bool {
    match pattern.strip_suffix("/*") {
        Some("*") => true,
        Some(main) => media
            .split_once('/')
            .is_some_and(|(m, _)| m.eq_ignore_ascii_case(main)),
        None => pattern.eq_ignore_ascii_case(media),
    }
}

/// Maps a client error to a reason; private-address refusals by our
/// resolver are found in the error's source chain.
pub fn classify(err: &reqwest::Error) -> (Reason, String) {
    let detail = error_chain(err);
    let mut source: Option<&(dyn std::error::Error + 'static)> = err.source();
    let mut io_kind = None;
    while let Some(e) = source {
        if e.downcast_ref::<PrivateAddressError>().is_some() {
            return (Reason::PrivateAddress, detail);
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            io_kind.get_or_insert(io.kind());
        }
        source = e.source();
    }
    if detail.contains("refused private address") {
        return (Reason::PrivateAddress, detail);
    }
    if err.is_timeout() || io_kind == Some(std::io::ErrorKind::TimedOut) {
        return (Reason::Timeout, detail);
    }
    let lower = detail.to_ascii_lowercase();
    // hyper's words for a response head it cannot parse or will not buffer
    if lower.contains("message head is too large")
        || (lower.contains("invalid") && lower.contains(" parsed"))
    {
        return (Reason::BadResponse, detail);
    }
    use std::io::ErrorKind as K;
    if matches!(
        io_kind,
        Some(K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof)
    ) {
        return (Reason::Reset, detail);
    }
    if err.is_connect() {
        return (Reason::Connection, detail);
    }
    if lower.contains("connection closed")
        || lower.contains("incomplete")
        || lower.contains("reset")
        || err.is_body()
        || err.is_decode()
    {
        return (Reason::Reset, detail);
    }
    if err.is_builder() {
        return (Reason::Other, detail);
    }
    (Reason::Connection, detail)
}

fn error_chain(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

fn version_text(v: reqwest::Version) -> String {
    match v {
        reqwest::Version::HTTP_09 => "HTTP/0.9".into(),
        reqwest::Version::HTTP_10 => "HTTP/1.0".into(),
        reqwest::Version::HTTP_11 => "HTTP/1.1".into(),
        reqwest::Version::HTTP_2 => "HTTP/2".into(),
        reqwest::Version::HTTP_3 => "HTTP/3".into(),
        other => format!("{other:?}"),
    }
}

impl Inner {
    /// Decides where `url` goes on the wire and checks the address rule for
    /// IP literals and `connect_to` targets (names are checked by the resolver).
    pub(super) fn wire(&self, url: &Url) -> Result<Wire, String> {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let host = host.trim_end_matches('.');
        if let Some(addr) = self.connect_to.get(host) {
            let ip_text = addr.ip().to_string();
            if self.allow.check_ip(&ip_text, addr.ip()).is_err() {
                self.allow.check_ip(host, addr.ip())?;
            }
            let wire_url = connect_to_url(url, *addr)?;
            let host_header = match url.port() {
                Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
                None => url.host_str().unwrap_or_default().to_string(),
            };
            return Ok(Wire {
                url: wire_url,
                host_header: Some(host_header),
            });
        }
        match url.host() {
            Some(Host::Ipv4(ip)) => self.allow.check_ip(host, IpAddr::V4(ip))?,
            Some(Host::Ipv6(ip)) => self.allow.check_ip(host, IpAddr::V6(ip))?,
            Some(Host::Domain(_)) => {}
            None => return Err(format!("{url} has no host")),
        }
        Ok(Wire {
            url: url.clone(),
            host_header: None,
        })
    }

    fn request_headers(&self, url: &Url, wire: &Wire, mode: Mode<'_>) -> Vec<(String, String)> {
        let host = wire.host_header.clone().unwrap_or_else(|| {
            let name = url.host_str().unwrap_or_default();
            match url.port() {
                Some(port) => format!("{name}:{port}"),
                None => name.to_string(),
            }
        });
        let (accept, encoding) = match mode {
            Mode::Page => (
                "text/html,application/xhtml+xml,*/*;q=0.8",
                "gzip, deflate, br",
            ),
            Mode::Robots => ("text/plain,*/*;q=0.8", "identity"),
            Mode::Media(..) => ("*/*", "identity"),
        };
        vec![
            ("Host".into(), host),
            ("User-Agent".into(), self.cfg.user_agent.clone()),
            ("Accept".into(), accept.into()),
            ("Accept-Encoding".into(), encoding.into()),
        ]
    }

    /// Requests one logical URL, retrying transient failures, and waiting
    /// for politeness before every attempt.
    pub(super) async fn request_hop(
        &self,
        url: &Url,
        wire: &Wire,
        delay: Duration,
        mode: Mode<'_>,
    ) -> HopResult {
        let host = url.host_str().unwrap_or_default().to_string();
        let max_attempts = self.cfg.max_attempts.max(1);
        let mut attempts = 0;
        loop {
            attempts += 1;
            let last = attempts >= max_attempts;
            let asked = tokio::time::Instant::now();
            let permit = self.polite.acquire(&host, delay).await;
            tracing::trace!(%url, attempt = attempts,
                waited = ?permit.start().saturating_duration_since(asked), "request starts");
            let attempt = self.attempt(url, wire, mode, last).await;
            drop(permit);
            match attempt {
                Attempt::Done(received) => return HopResult::Done(received, attempts),
                Attempt::Redirect { status, location } => {
                    return HopResult::Redirect {
                        status,
                        location,
                        attempts,
                    }
                }
                Attempt::Stop { reason, detail } => {
                    return HopResult::Fail {
                        reason,
                        detail,
                        attempts,
                    }
                }
                Attempt::Retry {
                    reason,
                    detail,
                    retry_after,
                } => {
                    if last {
                        return HopResult::Fail {
                            reason,
                            detail,
                            attempts,
                        };
                    }
                    let wait = retry::next_delay(
                        self.cfg.backoff_base,
                        self.cfg.backoff_max,
                        attempts + 1,
                        retry_after,
                    );
                    tracing::debug!(%url, reason = %reason.code(), %detail, ?wait, "retrying");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    async fn attempt(&self, url: &Url, wire: &Wire, mode: Mode<'_>, last: bool) -> Attempt {
        let date = jiff::Timestamp::now();
        let request_headers = self.request_headers(url, wire, mode);
        let mut builder = self.client.get(wire.url.clone());
        for (name, value) in &request_headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let work = async {
            let resp = match builder.send().await {
                Ok(resp) => resp,
                Err(err) => return transport_failure(&err),
            };
            let status = resp.status().as_u16();
            let headers: Vec<(String, Vec<u8>)> = resp
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec()))
                .collect();
            if is_redirect(status) {
                let location = header_in(&headers, "location").map(<[u8]>::to_vec);
                return Attempt::Redirect { status, location };
            }
            if (status == 429 || status >= 500) && !last {
                let retry_after = header_in(&headers, "retry-after")
                    .and_then(|v| retry::parse_retry_after(v, jiff::Timestamp::now()));
                return Attempt::Retry {
                    reason: Reason::Http(status),
                    detail: format!("{url} answered {status}"),
                    retry_after,
                };
            }
            let (content_type, charset) = header_in(&headers, "content-type")
                .map(|v| parse_content_type(&String::from_utf8_lossy(v)))
                .unwrap_or((None, None));
            let mut kind = kind_of(content_type.as_deref(), &self.cfg.keep_content_types);
            let ok = (200..300).contains(&status);
            if matches!(mode, Mode::Page) && kind == ContentKind::Other && ok {
                return Attempt::Stop {
                    reason: Reason::ContentType,
                    detail: format!(
                        "{url} is {} (not HTML, not kept)",
                        content_type.as_deref().unwrap_or("?")
                    ),
                };
            }
            if let Mode::Media(want, asked) = mode {
                if ok && !(want.accept)(asked, url, content_type.as_deref()) {
                    return Attempt::Stop {
                        reason: Reason::ContentType,
                        detail: format!(
                            "{url} is {} (not a media type of the profile)",
                            content_type.as_deref().unwrap_or("untyped")
                        ),
                    };
                }
                kind = ContentKind::Kept;
            }
            let http_version = version_text(resp.version());
            let ip = resp.remote_addr().map(|a| a.ip());
            let read = match mode {
                Mode::Page => body::read_capped(resp, self.cfg.max_body_bytes).await,
                Mode::Robots => body::read_truncated(resp, ROBOTS_MAX_BYTES).await,
                Mode::Media(want, _) => body::read_capped(resp, want.max_bytes).await,
            };
            let raw_body = match read {
                Ok(bytes) => bytes,
                Err(BodyError::Transport(err)) => return transport_failure(&err),
                Err(other) => {
                    return Attempt::Stop {
                        reason: Reason::TooLarge,
                        detail: format!("{url}: {other}"),
                    }
                }
            };
            Attempt::Done(Received {
                status,
                http_version,
                headers,
                request_headers: request_headers.clone(),
                raw_body,
                ip,
                content_type,
                charset,
                kind,
                date,
            })
        };
        match tokio::time::timeout(self.cfg.timeout, work).await {
            Ok(attempt) => attempt,
            Err(_) => Attempt::Retry {
                reason: Reason::Timeout,
                detail: format!("{url}: no complete response within {:?}", self.cfg.timeout),
                retry_after: None,
            },
        }
    }
}

fn transport_failure(err: &reqwest::Error) -> Attempt {
    let (reason, detail) = classify(err);
    if reason.is_retryable() {
        Attempt::Retry {
            reason,
            detail,
            retry_after: None,
        }
    } else {
        Attempt::Stop { reason, detail }
    }
}

/// `http://ADDR/path?query` for a logical URL sent through `connect_to`.
pub(crate) fn connect_to_url(url: &Url, addr: SocketAddr) -> Result<Url, String> {
    let text = format!(
        "http://{addr}{}",
        &url[Position::BeforePath..Position::AfterQuery]
    );
    Url::parse(&text).map_err(|e| format!("cannot build connect_to URL {text}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_parts() {
        assert_eq!(
            parse_content_type("Text/HTML; Charset=\"windows-1252\""),
            (Some("text/html".into()), Some("windows-1252".into()))
        );
        assert_eq!(
            parse_content_type("application/pdf"),
            (Some("application/pdf".into()), None)
        );
        assert_eq!(parse_content_type(""), (None, None));
    }

    #[test]
    fn kinds() {
        let keep = vec!["application/PDF".to_string()];
        assert_eq!(kind_of(None, &keep), ContentKind::Html);
        assert_eq!(
            kind_of(Some("application/xhtml+xml"), &keep),
            ContentKind::Html
        );
        assert_eq!(kind_of(Some("application/pdf"), &keep), ContentKind::Kept);
        assert_eq!(kind_of(Some("image/png"), &keep), ContentKind::Other);
    }

    #[test]
    fn wildcard_kinds() {
        let images = vec!["image/*".to_string()];
        assert_eq!(kind_of(Some("image/png"), &images), ContentKind::Kept);
        assert_eq!(kind_of(Some("IMAGE/jpeg"), &images), ContentKind::Kept);
        assert_eq!(
            kind_of(Some("application/pdf"), &images),
            ContentKind::Other
        );
        assert_eq!(kind_of(Some("imagex/png"), &images), ContentKind::Other);
        let all = vec!["*/*".to_string()];
        assert_eq!(kind_of(Some("application/pdf"), &all), ContentKind::Kept);
        assert_eq!(kind_of(Some("text/html"), &all), ContentKind::Html);
    }

    #[test]
    fn connect_to_keeps_path_and_query() {
        let url =
            Url::parse("https://www.iranfocus.com/en/index.php?option=x&id=7#frag").expect("url");
        let addr: SocketAddr = "127.0.0.1:8080".parse().expect("addr");
        assert_eq!(
            connect_to_url(&url, addr).expect("wire").as_str(),
            "http://127.0.0.1:8080/en/index.php?option=x&id=7"
        );
    }
}
