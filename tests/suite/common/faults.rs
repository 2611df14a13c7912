//! A misbehaving web server for crawler tests: every way a legacy site can
//! fail (slow, dripping, resetting, looping, lying about sizes, bombs,
//! odd content types, dangerous redirects), served on 127.0.0.1 so tests
//! never touch the internet.
//!
//! [`spawn_fault_server`] binds a port and returns the address and the
//! [`FaultLog`], which records per path the `Instant` (and `Host`) of every
//! request the server saw, so tests can check politeness from the server's
//! side. [`fault_routes`] gives the bare router for tests that serve it
//! themselves (then `/reset` degrades to aborting the body after the headers).

// Each test crate that includes this file uses only part of it.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::connect_info::{ConnectInfo, Connected};
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::{IncomingStream, Listener};
use axum::Router;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Size of `/big` and `/big/stream` (tests cap bodies well below this).
pub const BIG_BYTES: usize = 256 * 1024;
/// Size `/bomb` inflates to (tests cap decoding well below this).
pub const BOMB_INFLATED: usize = 4 * 1024 * 1024;
/// How long `/slow` waits before answering.
pub const SLOW_FOR: Duration = Duration::from_secs(5);
/// The body of `/latin1`: windows-1252 curly quotes, en dash and é.
pub const LATIN1_BODY: &[u8] = b"<html><body><p>\x93Tehran\x94 \x96 caf\xe9</p></body></html>";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// When it arrived.
    pub at: Instant,
    /// Its `Host` header.
    pub host: Option<String>,
    /// Its `User-Agent` header.
    pub user_agent: Option<String>,
}

#[derive(Debug, Default)]
struct LogInner {
    seen: Mutex<HashMap<String, Vec<Seen>>>,
    flaky: AtomicU32,
    busy: AtomicU32,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    robots_status: AtomicU16,
    robots_endless: AtomicBool,
}

/// Shared state of a fault server: what it saw and how it should behave.
#[derive(Debug, Clone, Default)]
pub struct FaultLog {
    inner: Arc<LogInner>,
}

impl FaultLog {
    /// Every request seen for `path` (without query), in arrival order.
    pub fn seen(&self, path: &str) -> Vec<Seen> {
        let map = self.inner.seen.lock().unwrap_or_else(|e| e.into_inner());
        map.get(path).cloned().unwrap_or_default()
    }

    /// Arrival instants for `path`.
    pub fn arrivals(&self, path: &str) -> Vec<Instant> {
        self.seen(path).into_iter().map(|s| s.at).collect()
    }

    /// Number of requests seen for `path`.
    pub fn count(&self, path: &str) -> usize {
        self.seen(path).len()
    }

    /// The most `/hold` requests that were in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.inner.max_in_flight.load(Ordering::SeqCst)
    }

    /// Makes `/robots.txt` answer with this status (0 = the normal file).
    pub fn set_robots_status(&self, status: u16) {
        self.inner.robots_status.store(status, Ordering::SeqCst);
    }

    /// Makes `/robots.txt` an endless file (rules first, then comments forever).
    pub fn set_robots_endless(&self, endless: bool) {
        self.inner.robots_endless.store(endless, Ordering::SeqCst);
    }

    fn record(&self, path: &str, headers: &HeaderMap) {
        let text = |name| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let seen = Seen {
            at: Instant::now(),
            host: text(header::HOST),
            user_agent: text(header::USER_AGENT),
        };
        let mut map = self.inner.seen.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(path.to_string()).or_default().push(seen);
    }
}

/// A running fault server.
#[derive(Debug, Clone)]
pub struct FaultServer {
    /// Where it listens (127.0.0.1, a free port).
    pub addr: SocketAddr,
    /// What it saw; how it behaves.
    pub log: FaultLog,
}

impl FaultServer {
    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// The fault routes, recording into `log`.
pub fn fault_routes_with(log: FaultLog) -> Router {
    Router::new()
        .route("/ok.html", get(ok_page))
        .route("/private/{*rest}", get(ok_page))
        .route("/flaky", get(flaky))
        .route("/busy", get(busy))
        .route("/slow", get(slow))
        .route("/drip", get(drip))
        .route("/reset", get(reset))
        .route("/hold", get(hold))
        .route("/loop-a", get(|| async { redirect("/loop-b") }))
        .route("/loop-b", get(|| async { redirect("/loop-a") }))
        .route("/chain/{n}", get(chain))
        .route("/big", get(big))
        .route("/big/stream", get(big_stream))
        .route("/bomb", get(bomb))
        .route("/gzip.html", get(gzip_page))
        .route("/doc.pdf", get(pdf))
        .route("/huge.pdf", get(huge_pdf))
        .route("/latin1", get(latin1))
        .route("/to-file", get(|| async { redirect("file:///etc/passwd") }))
        .route(
            "/to-ftp",
            get(|| async { redirect("ftp://ftp.example.org/pub/x") }),
        )
        .route(
            "/to-private",
            get(|| async { redirect("http://10.0.0.1/") }),
        )
        .route("/no-location", get(|| async { StatusCode::FOUND }))
        .route("/bad-location", get(|| async { redirect("http://[::1") }))
        .route("/robots.txt", get(robots))
        .route("/sitemap.xml", get(sitemap))
        .layer(middleware::from_fn_with_state(log.clone(), record))
        .with_state(log)
}

/// Binds 127.0.0.1:0 and serves the fault routes in the background (on the
/// current tokio runtime) with a working `/reset`.
pub async fn spawn_fault_server() -> FaultServer {
    let log = FaultLog::default();
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0 for the fault server");
    let addr = listener.local_addr().expect("local address");
    let app = fault_routes_with(log.clone()).into_make_service_with_connect_info::<KillSwitch>();
    tokio::spawn(async move {
        // The server lives as long as the test's runtime.
        let _ = axum::serve(KillListener { inner: listener }, app).await;
    });
    FaultServer { addr, log }
}

async fn record(State(log): State<FaultLog>, req: Request, next: Next) -> Response {
    log.record(req.uri().path(), req.headers());
    next.run(req).await
}

fn html(body: impl Into<Body>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

fn redirect(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

async fn ok_page() -> Response {
    html("<html><head><title>OK</title></head><body><p>ok</p></body></html>")
}

async fn flaky(State(log): State<FaultLog>) -> Response {
    if log.inner.flaky.fetch_add(1, Ordering::SeqCst) < 2 {
        (StatusCode::INTERNAL_SERVER_ERROR, "try again").into_response()
    } else {
        html("<html><body>finally</body></html>")
    }
}

async fn busy(State(log): State<FaultLog>) -> Response {
    if log.inner.busy.fetch_add(1, Ordering::SeqCst) < 1 {
        (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "1")],
            "slow down",
        )
            .into_response()
    } else {
        html("<html><body>not busy</body></html>")
    }
}

async fn slow() -> Response {
    tokio::time::sleep(SLOW_FOR).await;
    html("<html><body>late</body></html>")
}

/// A body stream of `count` chunks from `make`, one every `every`.
fn paced_body(count: usize, every: Duration, chunk: Bytes) -> Body {
    let stream = futures_util::stream::unfold(0usize, move |sent| {
        let chunk = chunk.clone();
        async move {
            if sent >= count {
                return None;
            }
            if sent > 0 && !every.is_zero() {
                tokio::time::sleep(every).await;
            }
            Some((Ok::<Bytes, Infallible>(chunk), sent + 1))
        }
    });
    Body::from_stream(stream)
}

async fn drip() -> Response {
    let body = paced_body(30, Duration::from_secs(1), Bytes::from_static(b"x"));
    ([(header::CONTENT_TYPE, "text/html")], body).into_response()
}

async fn hold(State(log): State<FaultLog>) -> Response {
    let now = log.inner.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    log.inner.max_in_flight.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(150)).await;
    log.inner.in_flight.fetch_sub(1, Ordering::SeqCst);
    html("<html><body>held</body></html>")
}

async fn chain(Path(n): Path<u32>) -> Response {
    match n.checked_sub(1) {
        Some(next) => redirect(&format!("/chain/{next}")),
        None => html("<html><body>end of chain</body></html>"),
    }
}

async fn big() -> Response {
    html(vec![b'a'; BIG_BYTES])
}

async fn big_stream() -> Response {
    let body = paced_body(
        BIG_BYTES / 1024,
        Duration::ZERO,
        Bytes::from(vec![b'b'; 1024]),
    );
    ([(header::CONTENT_TYPE, "text/html")], body).into_response()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).expect("gzip into a Vec");
    enc.finish().expect("finish gzip")
}

/// The gzip body of `/bomb` (built once; call it early to pay the cost
/// outside a timed fetch).
pub fn bomb_bytes() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| gzip(&vec![0u8; BOMB_INFLATED]))
}

async fn bomb() -> Response {
    let packed = bomb_bytes().to_vec();
    (
        [
            (header::CONTENT_TYPE, "text/html"),
            (header::CONTENT_ENCODING, "gzip"),
        ],
        packed,
    )
        .into_response()
}

async fn gzip_page() -> Response {
    let packed = gzip(b"<html><body>compressed page</body></html>");
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_ENCODING, "gzip"),
        ],
        packed,
    )
        .into_response()
}

async fn pdf() -> Response {
    (
        [(header::CONTENT_TYPE, "application/pdf")],
        "%PDF-1.4 not really",
    )
        .into_response()
}

async fn huge_pdf() -> Response {
    // Endless: a fetcher that reads the body of a skipped type never finishes.
    let body = paced_body(
        usize::MAX,
        Duration::from_millis(10),
        Bytes::from(vec![b'%'; 1024]),
    );
    ([(header::CONTENT_TYPE, "application/pdf")], body).into_response()
}

async fn latin1() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=windows-1252")],
        LATIN1_BODY,
    )
        .into_response()
}

async fn robots(State(log): State<FaultLog>, headers: HeaderMap) -> Response {
    let status = log.inner.robots_status.load(Ordering::SeqCst);
    if status != 0 {
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (code, "robots unavailable").into_response();
    }
    let text = [(header::CONTENT_TYPE, "text/plain")];
    if log.inner.robots_endless.load(Ordering::SeqCst) {
        let head = futures_util::stream::iter([Ok::<Bytes, Infallible>(Bytes::from_static(
            b"User-agent: *\nDisallow: /private/\n",
        ))]);
        let filler = Bytes::from(format!("# {}\n", "filler ".repeat(140)));
        let tail =
            futures_util::stream::repeat_with(move || Ok::<Bytes, Infallible>(filler.clone()));
        let body = Body::from_stream(futures_util::StreamExt::chain(head, tail));
        return (text, body).into_response();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let file = format!(
        "User-agent: *\nDisallow: /private/\nCrawl-delay: 1\n\nSitemap: http://{host}/sitemap.xml\n"
    );
    (text, file).into_response()
}

async fn sitemap(headers: HeaderMap) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let xml = format!(
        "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
<url><loc>http://{host}/ok.html</loc></url></urlset>"
    );
    ([(header::CONTENT_TYPE, "application/xml")], xml).into_response()
}

/// Closes the connection without a response when served by
/// [`spawn_fault_server`]; otherwise sends headers, then aborts the body.
async fn reset(req: Request) -> Response {
    if let Some(ConnectInfo(kill)) = req.extensions().get::<ConnectInfo<KillSwitch>>() {
        kill.0.store(true, Ordering::SeqCst);
        return StatusCode::OK.into_response();
    }
    let broken = futures_util::stream::iter([Err::<Bytes, io::Error>(io::Error::from(
        io::ErrorKind::ConnectionReset,
    ))]);
    (
        [(header::CONTENT_TYPE, "text/html")],
        Body::from_stream(broken),
    )
        .into_response()
}

/// Per-connection switch: once set, the connection fails every read and
/// write, so the server drops it without sending a byte more.
#[derive(Debug, Clone, Default)]
pub struct KillSwitch(Arc<AtomicBool>);

impl Connected<IncomingStream<'_, KillListener>> for KillSwitch {
    fn connect_info(stream: IncomingStream<'_, KillListener>) -> Self {
        stream.remote_addr().clone()
    }
}

/// A TCP listener whose connections carry a [`KillSwitch`].
pub struct KillListener {
    inner: TcpListener,
}

/// A TCP stream that fails once its switch is set.
pub struct KillIo {
    stream: TcpStream,
    kill: KillSwitch,
}

impl KillIo {
    fn killed(&self) -> bool {
        self.kill.0.load(Ordering::SeqCst)
    }
}

fn killed_error() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionReset, "fault server: /reset")
}

impl Listener for KillListener {
    type Io = KillIo;
    type Addr = KillSwitch;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, _)) => {
                    let kill = KillSwitch::default();
                    return (
                        KillIo {
                            stream,
                            kill: kill.clone(),
                        },
                        kill,
                    );
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr().map(|_| KillSwitch::default())
    }
}

impl AsyncRead for KillIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.killed() {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.killed() {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.killed() {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
