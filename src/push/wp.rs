//! The WordPress REST API client of `push`: application-password auth,
//! routes under `/wp-json/` or `?rest_route=` (whichever the site answers),
//! `--connect-to`, a concurrency and rate limit, retries with backoff on
//! 5xx, 429 and timeouts, and errors that say what WordPress refused.
//!
//! Not the crawl's fetcher: that one only GETs, follows redirects and keeps
//! bodies as evidence; here every request is an authenticated API call
//! whose JSON answer matters.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::sync::{Mutex, Semaphore};
use tokio::time::Instant;
use url::Url;

use crate::fetch::{connect_to_url, retry};

/// Why a request failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WpError {
    /// 401: the credentials are wrong.
    #[error(
        "WordPress refused the credentials ({status} {code}: {message}); check --user and the \
         application password file (application passwords need HTTPS, or \
         WP_ENVIRONMENT_TYPE 'local' in wp-config.php)"
    )]
    Unauthorized {
        /// The status.
        status: u16,
        /// WordPress's error code.
        code: String,
        /// WordPress's message.
        message: String,
    },
    /// 403: the user may not do this.
    #[error("WordPress forbids it ({code}: {message}); the user needs a role that may (Administrator, or Editor for posts and media)")]
    Forbidden {
        /// WordPress's error code.
        code: String,
        /// WordPress's message.
        message: String,
    },
    /// 404.
    #[error("not found in WordPress ({code}: {message})")]
    NotFound {
        /// WordPress's error code.
        code: String,
        /// WordPress's message.
        message: String,
    },
    /// Another 4xx: WordPress did not accept what was sent.
    #[error("WordPress rejected it ({status} {code}: {message})")]
    Rejected {
        /// The status.
        status: u16,
        /// WordPress's error code.
        code: String,
        /// WordPress's message.
        message: String,
        /// The term that already exists (`term_exists` names it).
        existing: Option<i64>,
    },
    /// 5xx or 429, still after the retries.
    #[error("WordPress answered {status} {attempts} times ({code}: {message})")]
    Server {
        /// The last status.
        status: u16,
        /// How many attempts were made.
        attempts: u32,
        /// WordPress's error code.
        code: String,
        /// WordPress's message, or the start of the body.
        message: String,
    },
    /// No answer (connection, timeout), still after the retries.
    #[error("no answer from WordPress after {attempts} attempts: {detail}")]
    Transport {
        /// How many attempts were made.
        attempts: u32,
        /// What went wrong.
        detail: String,
    },
    /// An answer that is not the JSON expected.
    #[error("WordPress answered something unexpected: {0}")]
    Unexpected(String),
}

/// A request body.
pub enum Body<'a> {
    /// A JSON object.
    Json(&'a Value),
    /// A file upload (media).
    File {
        /// The bytes.
        bytes: &'a [u8],
        /// Its content type.
        content_type: &'a str,
        /// Its file name.
        filename: &'a str,
    },
}

/// How to reach and pace the site.
#[derive(Debug, Clone)]
pub struct Connection {
    /// The site's root URL.
    pub base: Url,
    /// The user name.
    pub user: String,
    /// The application password.
    pub password: String,
    /// Requests for HOST go to ADDR over plain HTTP.
    pub connect_to: Vec<(String, SocketAddr)>,
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Least time between the starts of two requests.
    pub delay: Duration,
    /// Time allowed for one request.
    pub timeout: Duration,
    /// Attempts per request (1 = no retry).
    pub attempts: u32,
}

/// The client.
pub struct Wp {
    http: reqwest::Client,
    conn: Connection,
    connect_to: HashMap<String, SocketAddr>,
    /// `/wp-json/ROUTE` (true) or `/?rest_route=/ROUTE` (false).
    pretty: std::sync::atomic::AtomicBool,
    slots: Semaphore,
    next_start: Mutex<Instant>,
}

impl Wp {
    /// A client for `conn`.
    pub fn new(conn: Connection) -> Result<Arc<Wp>, WpError> {
        let http = reqwest::Client::builder()
            .timeout(conn.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("sitelift/", env!("CARGO_PKG_VERSION"), " (push)"))
            .build()
            .map_err(|e| WpError::Unexpected(format!("cannot set up the HTTP client: {e}")))?;
        let connect_to = conn
            .connect_to
            .iter()
            .map(|(h, a)| (h.to_ascii_lowercase(), *a))
            .collect();
        Ok(Arc::new(Wp {
            http,
            slots: Semaphore::new(conn.concurrency.max(1)),
            connect_to,
            conn,
            pretty: std::sync::atomic::AtomicBool::new(true),
            next_start: Mutex::new(Instant::now()),
        }))
    }

    /// The site's root URL.
    pub fn base(&self) -> &Url {
        &self.conn.base
    }

    /// Use `?rest_route=` instead of `/wp-json/` (sites without pretty permalinks).
    pub fn set_plain_routes(&self) {
        self.pretty
            .store(false, std::sync::atomic::Ordering::Relaxed);
    }

    /// The URL of `route` (`wp/v2/posts`) with `query`.
    pub fn url(&self, route: &str, query: &[(&str, &str)]) -> Url {
        let mut url = self.conn.base.clone();
        if self.pretty.load(std::sync::atomic::Ordering::Relaxed) {
            let path = format!("{}wp-json/{route}", url.path());
            url.set_path(&path);
            url.set_query(None);
        } else {
            url.set_query(None);
            url.query_pairs_mut()
                .append_pair("rest_route", &format!("/{route}"));
        }
        if !query.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in query {
                q.append_pair(k, v);
            }
        }
        url
    }

    /// Call `route` and return its JSON answer, retrying 5xx, 429 and
    /// transport errors with backoff.
    pub async fn call(
        &self,
        method: Method,
        route: &str,
        query: &[(&str, &str)],
        body: Option<&Body<'_>>,
    ) -> Result<Value, WpError> {
        self.call_with(method, route, query, body, self.attempts())
            .await
    }

    /// Call `route` once, without retrying: for a request that creates
    /// something, which the caller looks up before trying again (WordPress
    /// may have made it before the answer was lost).
    pub async fn call_once(
        &self,
        method: Method,
        route: &str,
        query: &[(&str, &str)],
        body: Option<&Body<'_>>,
    ) -> Result<Value, WpError> {
        self.call_with(method, route, query, body, 1).await
    }

    /// Attempts per request.
    pub fn attempts(&self) -> u32 {
        self.conn.attempts.max(1)
    }

    /// Wait before attempt `attempt` (2 for the first retry).
    pub async fn pause(&self, attempt: u32) {
        let delay = retry::next_delay(
            Duration::from_millis(500),
            Duration::from_secs(8),
            attempt,
            None,
        );
        tokio::time::sleep(delay).await;
    }

    async fn call_with(
        &self,
        method: Method,
        route: &str,
        query: &[(&str, &str)],
        body: Option<&Body<'_>>,
        attempts: u32,
    ) -> Result<Value, WpError> {
        let url = self.url(route, query);
        let mut attempt = 1;
        loop {
            let last = attempt >= attempts;
            let (wait, err) = match self.once(method.clone(), &url, body).await {
                Ok((status, json)) if status.is_success() => return Ok(json),
                Ok((status, json)) => {
                    let err = status_error(status, &json, attempt);
                    if !matches!(err, WpError::Server { .. }) || last {
                        return Err(err);
                    }
                    (None, err)
                }
                Err(detail) if last => {
                    return Err(WpError::Transport {
                        attempts: attempt,
                        detail,
                    })
                }
                Err(detail) => (
                    None,
                    WpError::Transport {
                        attempts: attempt,
                        detail,
                    },
                ),
            };
            attempt += 1;
            let delay = retry::next_delay(
                Duration::from_millis(500),
                Duration::from_secs(8),
                attempt,
                wait,
            );
            tracing::info!("{method} {url}: {err}; trying again in {delay:?}");
            tokio::time::sleep(delay).await;
        }
    }

    /// One request: its status and JSON body (Null when the body is not JSON).
    async fn once(
        &self,
        method: Method,
        url: &Url,
        body: Option<&Body<'_>>,
    ) -> Result<(StatusCode, Value), String> {
        let _slot = self.slots.acquire().await.map_err(|e| e.to_string())?;
        self.pace().await;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let mut req = match self.connect_to.get(&host) {
            Some(addr) => {
                let wire = connect_to_url(url, *addr)?;
                let host_header = match url.port() {
                    Some(p) => format!("{host}:{p}"),
                    None => host.clone(),
                };
                self.http
                    .request(method, wire)
                    .header(reqwest::header::HOST, host_header)
            }
            None => self.http.request(method, url.clone()),
        };
        req = req.basic_auth(&self.conn.user, Some(&self.conn.password));
        req = match body {
            Some(Body::Json(v)) => req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(serde_json::to_vec(v).unwrap_or_default()),
            Some(Body::File {
                bytes,
                content_type,
                filename,
            }) => req
                .header(reqwest::header::CONTENT_TYPE, *content_type)
                .header(
                    reqwest::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", filename.replace('"', "")),
                )
                .body(bytes.to_vec()),
            None => req,
        };
        let resp = req.send().await.map_err(|e| describe(&e))?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| describe(&e))?;
        let json = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            let start: String = String::from_utf8_lossy(&bytes).chars().take(200).collect();
            Value::String(start)
        });
        Ok((status, json))
    }

    /// Wait for this request's turn under the rate limit.
    async fn pace(&self) {
        if self.conn.delay.is_zero() {
            return;
        }
        let start = {
            let mut next = self.next_start.lock().await;
            let start = (*next).max(Instant::now());
            *next = start + self.conn.delay;
            start
        };
        tokio::time::sleep_until(start).await;
    }
}

impl WpError {
    /// Whether trying again may help (5xx, 429, no answer).
    pub fn retriable(&self) -> bool {
        matches!(self, WpError::Server { .. } | WpError::Transport { .. })
    }

    /// The same error, counting `n` attempts.
    pub fn after(self, n: u32) -> WpError {
        match self {
            WpError::Server {
                status,
                code,
                message,
                ..
            } => WpError::Server {
                status,
                attempts: n,
                code,
                message,
            },
            WpError::Transport { detail, .. } => WpError::Transport {
                attempts: n,
                detail,
            },
            other => other,
        }
    }
}

/// A reqwest error with its causes.
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "timed out".to_string()
    } else {
        e.to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The error of a non-success answer.
fn status_error(status: StatusCode, json: &Value, attempts: u32) -> WpError {
    let code = json["code"].as_str().unwrap_or("").to_string();
    let message = match json {
        Value::String(s) => s.clone(),
        _ => json["message"].as_str().unwrap_or("").to_string(),
    };
    let s = status.as_u16();
    match s {
        401 => WpError::Unauthorized {
            status: s,
            code,
            message,
        },
        403 => WpError::Forbidden { code, message },
        404 => WpError::NotFound { code, message },
        429 | 500..=599 => WpError::Server {
            status: s,
            attempts,
            code,
            message,
        },
        _ => WpError::Rejected {
            status: s,
            code,
            message,
            existing: json["data"]["term_id"].as_i64(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wp(base: &str) -> Arc<Wp> {
        Wp::new(Connection {
            base: Url::parse(base).unwrap(),
            user: "u".into(),
            password: "p".into(),
            connect_to: vec![],
            concurrency: 1,
            delay: Duration::ZERO,
            timeout: Duration::from_secs(1),
            attempts: 1,
        })
        .unwrap()
    }

    #[test]
    fn routes_go_under_wp_json_or_rest_route() {
        let w = wp("https://new.example/blog/");
        assert_eq!(
            w.url("wp/v2/posts", &[("slug", "a b")]).as_str(),
            "https://new.example/blog/wp-json/wp/v2/posts?slug=a+b"
        );
        w.set_plain_routes();
        assert_eq!(
            w.url("wp/v2/posts", &[("slug", "a")]).as_str(),
            "https://new.example/blog/?rest_route=%2Fwp%2Fv2%2Fposts&slug=a"
        );
    }
}
