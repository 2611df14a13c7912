//! `sitelift serve DIR`: a folder of saved pages as a real web server.
//!
//! Crawler tests (and operators trying a profile) need the legacy site as it
//! behaved live: pages under their own URLs with their own `Content-Type`,
//! old URLs answering `301` to the new ones, `robots.txt`, a gzipped sitemap
//! behind a sitemap index, and `404` for everything else. This module serves a
//! fixture folder that way. Each page is `NAME.html` plus an optional sidecar
//! `NAME.meta.json` (`url`, `content_type`, `aliases`, `note`); any other
//! file (an image, a PDF) is served when it has a sidecar `NAME.EXT.meta.json`
//! (`url`, `content_type`, default `application/octet-stream`), its bytes
//! as they are; `NAME.json` files (expected outputs) are ignored. Requests are matched on path and
//! query only (scheme and `Host` are ignored, since the crawler reaches this
//! server through a `connect_to` mapping and keeps the site's own URLs), and
//! every request is logged so tests can check politeness and robots.

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::Deserialize;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

/// The path the served `robots.txt` disallows (it exists: it answers 200).
pub const DISALLOWED_PREFIX: &str = "/en/component/";

/// Options of [`serve`].
#[derive(Default)]
pub struct ServeOptions {
    /// `Crawl-delay` (seconds) announced in `robots.txt`; none when `None`.
    pub crawl_delay: Option<u32>,
    /// Extra routes (e.g. fault routes of a test); they take precedence over
    /// the site's pages, and their requests are logged too.
    pub extra: Option<Router>,
}

/// Why the site cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A file or the folder could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A sidecar is not valid JSON of the expected shape.
    #[error("bad sidecar {path}")]
    Json {
        /// The sidecar file.
        path: PathBuf,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// A sidecar URL (page or alias) is not an absolute URL.
    #[error("bad URL {url:?} in {path}")]
    BadUrl {
        /// The sidecar file.
        path: PathBuf,
        /// The URL as written.
        url: String,
        /// The parse error.
        source: url::ParseError,
    },
    /// A sidecar `content_type` is not a valid header value.
    #[error("bad content_type {value:?} in {path}")]
    BadContentType {
        /// The sidecar file.
        path: PathBuf,
        /// The value as written.
        value: String,
    },
    /// A sidecar has no `NAME.html` next to it (nor, for a media sidecar
    /// `NAME.EXT.meta.json`, its `NAME.EXT`).
    #[error("sidecar {sidecar} has no page {html}")]
    MissingHtml {
        /// The sidecar file.
        sidecar: PathBuf,
        /// The page file it needs.
        html: PathBuf,
    },
    /// Two pages claim the same path and query.
    #[error("{first} and {second} both claim {key}")]
    DuplicatePage {
        /// The path and query.
        key: String,
        /// The file that claimed it first.
        first: PathBuf,
        /// The file that claimed it again.
        second: PathBuf,
    },
    /// An alias is claimed by two pages.
    #[error("alias {alias} in {second} is already claimed by {first}")]
    DuplicateAlias {
        /// The alias's path and query.
        alias: String,
        /// The file that claimed it first (a page or an alias).
        first: PathBuf,
        /// The sidecar that claims it again.
        second: PathBuf,
    },
    /// The gzipped sitemap could not be built.
    #[error("cannot gzip the sitemap")]
    Gzip {
        /// The encoder error.
        source: std::io::Error,
    },
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// A sidecar `NAME.meta.json`, as written.
#[derive(Debug, Deserialize)]
struct Sidecar {
    url: String,
    content_type: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    note: Option<String>,
}

/// One servable page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitePage {
    /// The `.html` file.
    pub file: PathBuf,
    /// The sidecar, when there is one.
    pub sidecar: Option<PathBuf>,
    /// The page's own URL (from the sidecar); `None` for pages served by file name.
    pub url: Option<Url>,
    /// What requests must ask for: path plus `?query` when there is one.
    pub path_and_query: String,
    /// The `Content-Type` sent (sidecar value, default `text/html`).
    pub content_type: String,
    /// URLs that answer `301` to this page.
    pub aliases: Vec<Url>,
    /// The sidecar's note.
    pub note: Option<String>,
    /// Listed in the article sitemap (see [`site_index`]).
    pub article: bool,
    /// A media file (`NAME.EXT` with `NAME.EXT.meta.json`), not a page.
    pub media: bool,
}

/// What a request path matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit<'a> {
    /// The page itself.
    Page(&'a SitePage),
    /// An alias of the page: answer `301` to its URL.
    Alias(&'a SitePage),
}

#[derive(Debug, Clone, Copy)]
enum Target {
    Page(usize),
    Alias(usize),
}

/// The parsed fixture folder: pages, aliases and the site's origin.
#[derive(Debug, Clone, Default)]
pub struct SiteIndex {
    /// Pages, sorted by file name.
    pub pages: Vec<SitePage>,
    /// `scheme://host[:port]` most page URLs share; `None` without sidecars.
    pub origin: Option<String>,
    /// Harmless oddities of the sidecars, e.g. an alias that is another page's URL.
    pub warnings: Vec<String>,
    exact: HashMap<String, Target>,
    loose: HashMap<String, Target>,
}

impl SiteIndex {
    /// The page or alias a request for `path_and_query` gets. Matches exactly
    /// first, then ignoring the order of query parameters (as PHP does) and
    /// Joomla's `Itemid` (it picks a menu, not the article, as on a real Joomla site).
    pub fn lookup(&self, path_and_query: &str) -> Option<Hit<'_>> {
        Some(match self.target(path_and_query)? {
            Target::Page(i) => Hit::Page(self.pages.get(i)?),
            Target::Alias(i) => Hit::Alias(self.pages.get(i)?),
        })
    }

    fn target(&self, path_and_query: &str) -> Option<Target> {
        self.exact
            .get(path_and_query)
            .or_else(|| self.loose.get(&loose_key(path_and_query)))
            .copied()
    }
}

/// Path plus `?query` of a URL, as a request line carries it.
fn url_key(u: &Url) -> String {
    match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    }
}

/// Path plus decoded query pairs in sorted order.
fn loose_key(path_and_query: &str) -> String {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| !k.eq_ignore_ascii_case("itemid"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    let mut key = path.to_string();
    for (k, v) in pairs {
        key.push('\u{0}');
        key.push_str(&k);
        key.push('=');
        key.push_str(&v);
    }
    key
}

/// Heuristic for the article sitemap: a WordPress `/<id>-<slug>/` URL or a
/// Joomla `task=view` URL is an article; listings and other pages are not.
fn looks_like_article(u: &Url) -> bool {
    let last = u
        .path_segments()
        .and_then(|mut s| s.rfind(|seg| !seg.is_empty()))
        .unwrap_or("");
    let digits = last.bytes().take_while(u8::is_ascii_digit).count();
    let wp = digits > 0 && last.as_bytes().get(digits) == Some(&b'-');
    let joomla = u.query_pairs().any(|(k, v)| k == "task" && v == "view");
    wp || joomla
}

fn read(path: &Path) -> Result<Vec<u8>, ServeError> {
    std::fs::read(path).map_err(|source| ServeError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn parse_url(s: &str, path: &Path) -> Result<Url, ServeError> {
    Url::parse(s.trim()).map_err(|source| ServeError::BadUrl {
        path: path.to_path_buf(),
        url: s.to_string(),
        source,
    })
}

/// Read the sidecars of `dir`: every `NAME.meta.json` with its `NAME.html`,
/// and every `NAME.html` without a sidecar (served at `/NAME.html`). Pages
/// are marked `article` by URL shape (see the article sitemap); when no page
/// looks like an article, every page with a URL is listed. An alias with the
/// same path and query as its own page (an `http` or bare-host spelling) is
/// not registered: without the host it is the page itself.
pub fn site_index(dir: &Path) -> Result<SiteIndex, ServeError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ServeError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut names: Vec<String> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| ServeError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        if let Some(name) = entry.file_name().to_str() {
            names.push(name.to_string());
        }
    }
    names.sort();
    let mut pages = Vec::new();
    for name in &names {
        if let Some(stem) = name.strip_suffix(".meta.json") {
            let sidecar_path = dir.join(name);
            let sidecar: Sidecar =
                serde_json::from_slice(&read(&sidecar_path)?).map_err(|source| {
                    ServeError::Json {
                        path: sidecar_path.clone(),
                        source,
                    }
                })?;
            let html = dir.join(format!("{stem}.html"));
            // `NAME.EXT.meta.json` beside `NAME.EXT`: a media file
            let media = !html.is_file() && stem.contains('.') && dir.join(stem).is_file();
            let file = if media { dir.join(stem) } else { html };
            if !file.is_file() {
                return Err(ServeError::MissingHtml {
                    sidecar: sidecar_path,
                    html: file,
                });
            }
            let url = parse_url(&sidecar.url, &sidecar_path)?;
            let aliases = sidecar
                .aliases
                .iter()
                .map(|a| parse_url(a, &sidecar_path))
                .collect::<Result<Vec<_>, _>>()?;
            let content_type = sidecar.content_type.unwrap_or_else(|| {
                match media {
                    true => "application/octet-stream",
                    false => "text/html",
                }
                .to_string()
            });
            if HeaderValue::from_str(&content_type).is_err() {
                return Err(ServeError::BadContentType {
                    path: sidecar_path,
                    value: content_type,
                });
            }
            pages.push(SitePage {
                file,
                sidecar: Some(sidecar_path),
                path_and_query: url_key(&url),
                article: !media && looks_like_article(&url),
                url: Some(url),
                content_type,
                aliases,
                note: sidecar.note,
                media,
            });
        } else if let Some(stem) = name.strip_suffix(".html") {
            if names.binary_search(&format!("{stem}.meta.json")).is_ok() {
                continue;
            }
            pages.push(SitePage {
                file: dir.join(name),
                sidecar: None,
                url: None,
                path_and_query: format!("/{name}"),
                content_type: "text/html".to_string(),
                aliases: Vec::new(),
                note: None,
                article: false,
                media: false,
            });
        }
    }
    if !pages.iter().any(|p| p.article) {
        for p in pages.iter_mut() {
            p.article = p.url.is_some() && !p.media;
        }
    }
    build_index(pages)
}

fn build_index(pages: Vec<SitePage>) -> Result<SiteIndex, ServeError> {
    let mut exact: HashMap<String, Target> = HashMap::new();
    let mut warnings = Vec::new();
    let mut owner: HashMap<String, PathBuf> = HashMap::new();
    for (i, p) in pages.iter().enumerate() {
        let file = p.sidecar.clone().unwrap_or_else(|| p.file.clone());
        if let Some(first) = owner.get(&p.path_and_query) {
            return Err(ServeError::DuplicatePage {
                key: p.path_and_query.clone(),
                first: first.clone(),
                second: file,
            });
        }
        owner.insert(p.path_and_query.clone(), file);
        exact.insert(p.path_and_query.clone(), Target::Page(i));
    }
    for (i, p) in pages.iter().enumerate() {
        let file = p.sidecar.clone().unwrap_or_else(|| p.file.clone());
        for alias in &p.aliases {
            let key = url_key(alias);
            if key == p.path_and_query {
                continue;
            }
            if matches!(exact.get(&key), Some(Target::Page(_))) {
                // A saved page of an older era still lives at this URL: the
                // page is served, the alias is not (reported, not an error).
                let page = owner
                    .get(&key)
                    .map(|f| f.display().to_string())
                    .unwrap_or_default();
                warnings.push(format!(
                    "alias {key} in {} is the URL of the page {page}: the page is served",
                    file.display()
                ));
                continue;
            }
            if let Some(first) = owner.get(&key) {
                if *first == file {
                    continue; // the same alias twice in one sidecar
                }
                return Err(ServeError::DuplicateAlias {
                    alias: key,
                    first: first.clone(),
                    second: file,
                });
            }
            owner.insert(key.clone(), file.clone());
            exact.insert(key, Target::Alias(i));
        }
    }
    // Pages first, then aliases, each in sorted order: a page wins a loose tie.
    let mut loose = HashMap::new();
    let mut keys: Vec<(bool, &String, Target)> = exact
        .iter()
        .map(|(k, t)| (matches!(t, Target::Alias(_)), k, *t))
        .collect();
    keys.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    for (_, k, t) in keys {
        loose.entry(loose_key(k)).or_insert(t);
    }
    let mut counts: Vec<(String, usize)> = Vec::new();
    for u in pages
        .iter()
        .filter(|p| !p.media)
        .filter_map(|p| p.url.as_ref())
    {
        let o = u.origin().ascii_serialization();
        match counts.iter_mut().find(|(c, _)| *c == o) {
            Some((_, n)) => *n += 1,
            None => counts.push((o, 1)),
        }
    }
    // The most common origin; the first seen on a tie.
    let origin = counts
        .iter()
        .fold(None::<&(String, usize)>, |best, c| match best {
            Some(b) if b.1 >= c.1 => Some(b),
            _ => Some(c),
        });
    let origin = origin.map(|(o, _)| o.clone());
    Ok(SiteIndex {
        pages,
        origin,
        warnings,
        exact,
        loose,
    })
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Everything the request handler needs, built once.
struct Site {
    index: SiteIndex,
    robots: String,
    sitemap_index: String,
    sitemap_gz: Bytes,
}

impl Site {
    fn build(dir: &Path, opts_delay: Option<u32>, local: SocketAddr) -> Result<Site, ServeError> {
        // pages are read when asked for, not held: a generated site of
        // 100k pages is gigabytes
        let index = site_index(dir)?;
        let origin = index
            .origin
            .clone()
            .unwrap_or_else(|| format!("http://{local}"));
        let mut robots = format!("User-agent: *\nDisallow: {DISALLOWED_PREFIX}\n");
        if let Some(d) = opts_delay {
            robots.push_str(&format!("Crawl-delay: {d}\n"));
        }
        robots.push_str(&format!("\nSitemap: {origin}/sitemap.xml\n"));
        let sitemap_index = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n  <sitemap><loc>{}/sitemap-articles.xml.gz</loc></sitemap>\n</sitemapindex>\n",
            xml_escape(&origin)
        );
        let mut urlset = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for u in index
            .pages
            .iter()
            .filter(|p| p.article)
            .filter_map(|p| p.url.as_ref())
        {
            urlset.push_str(&format!(
                "  <url><loc>{}</loc></url>\n",
                xml_escape(u.as_str())
            ));
        }
        urlset.push_str("</urlset>\n");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(urlset.as_bytes())
            .map_err(|source| ServeError::Gzip { source })?;
        let gz = enc.finish().map_err(|source| ServeError::Gzip { source })?;
        Ok(Site {
            index,
            robots,
            sitemap_index,
            sitemap_gz: Bytes::from(gz),
        })
    }

    async fn respond(&self, path_and_query: &str) -> Response {
        let hit = match self.index.target(path_and_query) {
            Some(Target::Page(i)) => self.index.pages.get(i).map(|p| (p, false)),
            Some(Target::Alias(i)) => self.index.pages.get(i).map(|p| (p, true)),
            None => None,
        };
        let Some((page, is_alias)) = hit else {
            return self.builtin(path_and_query);
        };
        if !is_alias {
            let file = page.file.clone();
            let read = tokio::task::spawn_blocking(move || std::fs::read(file)).await;
            let read = read.unwrap_or_else(|e| Err(std::io::Error::other(e)));
            let body = match read {
                Ok(b) => Bytes::from(b),
                Err(e) => {
                    let msg = format!("cannot read {}: {e}", page.file.display());
                    return text(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "text/plain; charset=utf-8",
                        msg.into(),
                    );
                }
            };
            return (
                StatusCode::OK,
                [(header::CONTENT_TYPE, page.content_type.clone())],
                body,
            )
                .into_response();
        }
        let to = page
            .url
            .as_ref()
            .map(Url::to_string)
            .unwrap_or_else(|| page.path_and_query.clone());
        let body = format!(
            "<html><body>Moved to <a href=\"{0}\">{0}</a></body></html>",
            xml_escape(&to)
        );
        let headers = [
            (header::LOCATION, to),
            (header::CONTENT_TYPE, "text/html".to_string()),
        ];
        (StatusCode::MOVED_PERMANENTLY, headers, body).into_response()
    }

    fn builtin(&self, path_and_query: &str) -> Response {
        let path = path_and_query.split('?').next().unwrap_or("");
        match path {
            "/robots.txt" => text(StatusCode::OK, "text/plain; charset=utf-8", self.robots.clone().into()),
            "/sitemap.xml" => text(StatusCode::OK, "application/xml", self.sitemap_index.clone().into()),
            "/sitemap-articles.xml.gz" => text(StatusCode::OK, "application/gzip", self.sitemap_gz.clone()),
            p if p.starts_with(DISALLOWED_PREFIX) => text(
                StatusCode::OK,
                "text/html",
                Bytes::from_static(b"<html><head><title>Component</title></head><body>Joomla component view (disallowed by robots.txt)</body></html>"),
            ),
            _ => text(StatusCode::NOT_FOUND, "text/html", Bytes::from_static(b"<html><body><h1>404 Not Found</h1></body></html>")),
        }
    }
}

fn text(status: StatusCode, content_type: &'static str, body: Bytes) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, content_type)],
        Body::from(body),
    )
        .into_response()
}

/// The request log: path and query of every request, with when it arrived.
type RequestLog = Arc<Mutex<Vec<(String, Instant)>>>;

/// A running server; dropping it asks the server to stop.
pub struct ServerHandle {
    addr: SocketAddr,
    log: RequestLog,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl ServerHandle {
    /// The address the server listens on (with the real port when bound to port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request so far, in arrival order: path and query, and when it arrived.
    pub fn request_log(&self) -> Vec<(String, Instant)> {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Stop accepting, let requests in flight finish (at most 5 s), then stop.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Serve the fixture folder `dir` on `bind` until the handle is shut down or
/// dropped. Sidecar problems are reported before anything listens.
pub async fn serve(
    dir: &Path,
    bind: SocketAddr,
    opts: ServeOptions,
) -> Result<ServerHandle, ServeError> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|source| ServeError::Bind { addr: bind, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| ServeError::Bind { addr: bind, source })?;
    let site = Arc::new(Site::build(dir, opts.crawl_delay, addr)?);
    let log: RequestLog = Arc::new(Mutex::new(Vec::new()));
    let fallback = move |req: Request| {
        let site = Arc::clone(&site);
        async move {
            let pq = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".to_string());
            site.respond(&pq).await
        }
    };
    let log_layer = {
        let log = Arc::clone(&log);
        axum::middleware::map_request(move |req: Request| {
            let pq = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".to_string());
            log.lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((pq, Instant::now()));
            async move { req }
        })
    };
    let app = opts
        .extra
        .unwrap_or_default()
        .fallback(fallback)
        .layer(log_layer);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    Ok(ServerHandle {
        addr,
        log,
        stop: Some(stop),
        task: Some(task),
    })
}
