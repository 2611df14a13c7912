//! Integration tests of `sitelift serve`: a temp folder of three small pages
//! served on 127.0.0.1, checked through a plain HTTP/1.1 client over TCP
//! (no redirect following, no decompression: we see exactly what was sent).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use sitelift::frontier::sitemap::parse_sitemap;
use sitelift::serve::{serve, site_index, ServeError, ServeOptions, ServerHandle};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A temp folder removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("sitelift-serve-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }

    fn write(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.0.join(name), bytes).expect("write fixture");
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const WP_URL: &str = "https://www.iranfocus.com/en/iran-and-its-neighbours/iraq/7198-iran-says-it-will-not-hold-talks/";
const JOOMLA_URL: &str =
    "https://www.iranfocus.com/en/index.php?option=com_content&task=view&id=7190&Itemid=26";
const LISTING_URL: &str = "https://www.iranfocus.com/en/iran-and-its-neighbours/iraq/";

/// Three pages: a WordPress article with aliases, a windows-1252 Joomla
/// article, a listing; plus an expected-output `.json` and a sidecar-less page.
fn site(name: &str) -> TempDir {
    let d = TempDir::new(name);
    d.write(
        "wp-article.html",
        "<html><body><h1>Iran says – talks</h1></body></html>".as_bytes(),
    );
    d.write(
        "wp-article.meta.json",
        format!(
            r#"{{"url": "{WP_URL}", "aliases": [
                "http://www.iranfocus.com/en/index.php?option=com_content&task=view&id=7198&Itemid=26",
                "http://iranfocus.com/en/iran-and-its-neighbours/iraq/7198-iran-says-it-will-not-hold-talks/",
                "https://www.iranfocus.com/iran-and-its-neighbours/iraq/7198-iran-says-it-will-not-hold-talks/"],
               "note": "seed"}}"#
        )
        .as_bytes(),
    );
    d.write(
        "joomla.html",
        b"<html><body><p>\x93quoted\x94 \x96 dash</p></body></html>",
    );
    d.write(
        "joomla.meta.json",
        format!(r#"{{"url": "{JOOMLA_URL}", "content_type": "text/html; charset=windows-1252"}}"#)
            .as_bytes(),
    );
    d.write(
        "listing.html",
        format!("<html><body><a href=\"{WP_URL}\">a</a></body></html>").as_bytes(),
    );
    d.write(
        "listing.meta.json",
        format!(r#"{{"url": "{LISTING_URL}"}}"#).as_bytes(),
    );
    d.write("listing.json", b"{\"expected\": true}");
    d.write("loose.html", b"<html><body>no sidecar</body></html>");
    d
}

/// One response as received.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// GET `target` with the site's Host header, one request per connection.
async fn get_raw(addr: SocketAddr, target: &str) -> Reply {
    let fut = async {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        let req = format!(
            "GET {target} HTTP/1.1\r\nHost: www.iranfocus.com\r\nConnection: close\r\n\r\n"
        );
        s.write_all(req.as_bytes()).await.expect("send");
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await.expect("read");
        buf
    };
    let buf = tokio::time::timeout(Duration::from_secs(10), fut)
        .await
        .expect("request timed out");
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let reply = Reply {
        status,
        headers,
        body: buf[split + 4..].to_vec(),
    };
    assert!(
        reply.header("transfer-encoding").is_none(),
        "test client does not decode chunked bodies"
    );
    reply
}

async fn start(dir: &Path, opts: ServeOptions) -> ServerHandle {
    serve(dir, "127.0.0.1:0".parse().expect("addr"), opts)
        .await
        .expect("server starts")
}

#[tokio::test]
async fn pages_are_served_as_is_with_their_content_type() {
    let d = site("pages");
    let srv = start(&d.0, ServeOptions::default()).await;
    let r = get_raw(
        srv.addr(),
        "/en/iran-and-its-neighbours/iraq/7198-iran-says-it-will-not-hold-talks/",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html"));
    assert_eq!(r.body, std::fs::read(d.0.join("wp-article.html")).unwrap());

    let r = get_raw(
        srv.addr(),
        "/en/index.php?option=com_content&task=view&id=7190&Itemid=26",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("text/html; charset=windows-1252")
    );
    assert_eq!(
        r.body,
        b"<html><body><p>\x93quoted\x94 \x96 dash</p></body></html>"
    );

    // PHP does not care about parameter order.
    let r = get_raw(
        srv.addr(),
        "/en/index.php?Itemid=26&id=7190&task=view&option=com_content",
    )
    .await;
    assert_eq!(r.status, 200);

    // A page without sidecar is served by file name; expected outputs are not pages.
    assert_eq!(get_raw(srv.addr(), "/loose.html").await.status, 200);
    assert_eq!(get_raw(srv.addr(), "/listing.json").await.status, 404);
    assert_eq!(get_raw(srv.addr(), "/listing.html").await.status, 404);
    srv.shutdown().await;
}

#[tokio::test]
async fn aliases_redirect_permanently_to_the_page_url() {
    let d = site("aliases");
    let srv = start(&d.0, ServeOptions::default()).await;
    for alias in [
        "/en/index.php?option=com_content&task=view&id=7198&Itemid=26",
        "/iran-and-its-neighbours/iraq/7198-iran-says-it-will-not-hold-talks/",
    ] {
        let r = get_raw(srv.addr(), alias).await;
        assert_eq!(r.status, 301, "{alias}");
        assert_eq!(r.header("location"), Some(WP_URL), "{alias}");
    }
    srv.shutdown().await;
}

#[tokio::test]
async fn robots_and_sitemaps() {
    let d = site("robots");
    let srv = start(
        &d.0,
        ServeOptions {
            crawl_delay: Some(2),
            ..ServeOptions::default()
        },
    )
    .await;
    let r = get_raw(srv.addr(), "/robots.txt").await;
    assert_eq!(r.status, 200);
    let robots = String::from_utf8(r.body).unwrap();
    assert!(
        robots.contains("User-agent: *\nDisallow: /en/component/\n"),
        "{robots}"
    );
    assert!(robots.contains("Crawl-delay: 2\n"), "{robots}");
    assert!(
        robots.contains("Sitemap: https://www.iranfocus.com/sitemap.xml\n"),
        "{robots}"
    );
    // The disallowed path exists, so obeying robots is observable.
    assert_eq!(
        get_raw(srv.addr(), "/en/component/option,com_content/")
            .await
            .status,
        200
    );

    let r = get_raw(srv.addr(), "/sitemap.xml").await;
    assert_eq!(r.status, 200);
    let index = parse_sitemap(&r.body, 1 << 20).expect("sitemap index parses");
    assert_eq!(
        index.sitemaps,
        vec!["https://www.iranfocus.com/sitemap-articles.xml.gz"]
    );
    assert!(index.urls.is_empty());

    let r = get_raw(srv.addr(), "/sitemap-articles.xml.gz").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/gzip"));
    assert!(r.body.starts_with(&[0x1f, 0x8b]), "body is gzip");
    let articles = parse_sitemap(&r.body, 1 << 20).expect("article sitemap parses");
    let mut urls: Vec<&str> = articles.urls.iter().map(|(u, _)| u.as_str()).collect();
    urls.sort();
    assert_eq!(
        urls,
        vec![JOOMLA_URL, WP_URL],
        "articles only, not the listing"
    );
    srv.shutdown().await;
}

#[tokio::test]
async fn robots_without_crawl_delay() {
    let d = site("nodelay");
    let srv = start(&d.0, ServeOptions::default()).await;
    let robots = String::from_utf8(get_raw(srv.addr(), "/robots.txt").await.body).unwrap();
    assert!(!robots.contains("Crawl-delay"), "{robots}");
    srv.shutdown().await;
}

#[tokio::test]
async fn unknown_paths_are_404_and_every_request_is_logged_in_order() {
    let d = site("log");
    let extra = Router::new().route("/slow-test-route", get(|| async { "extra" }));
    let srv = start(
        &d.0,
        ServeOptions {
            crawl_delay: None,
            extra: Some(extra),
        },
    )
    .await;
    assert_eq!(get_raw(srv.addr(), "/en/no-such-page/").await.status, 404);
    assert_eq!(
        get_raw(srv.addr(), "/en/iran-and-its-neighbours/iraq/?x=1")
            .await
            .status,
        404
    );
    let r = get_raw(srv.addr(), "/slow-test-route").await;
    assert_eq!((r.status, r.body.as_slice()), (200, b"extra".as_slice()));
    assert_eq!(
        get_raw(srv.addr(), "/en/iran-and-its-neighbours/iraq/")
            .await
            .status,
        200
    );
    let log = srv.request_log();
    let paths: Vec<&str> = log.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            "/en/no-such-page/",
            "/en/iran-and-its-neighbours/iraq/?x=1",
            "/slow-test-route",
            "/en/iran-and-its-neighbours/iraq/"
        ]
    );
    assert!(
        log.windows(2).all(|w| w[0].1 <= w[1].1),
        "instants are in arrival order"
    );
    let addr = srv.addr();
    srv.shutdown().await;
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "nothing listens after shutdown"
    );
}

#[test]
fn site_index_lists_pages_and_aliases() {
    let d = site("index");
    let idx = site_index(&d.0).expect("index");
    let files: Vec<String> = idx
        .pages
        .iter()
        .map(|p| p.file.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        files,
        vec![
            "joomla.html",
            "listing.html",
            "loose.html",
            "wp-article.html"
        ]
    );
    assert_eq!(idx.origin.as_deref(), Some("https://www.iranfocus.com"));
    let wp = &idx.pages[3];
    assert_eq!(wp.aliases.len(), 3);
    assert!(wp.article && idx.pages[0].article && !idx.pages[1].article && !idx.pages[2].article);
}

#[test]
fn sidecar_problems_name_the_file() {
    let d = site("badjson");
    d.write("broken.html", b"<html></html>");
    d.write("broken.meta.json", b"{\"url\": ");
    let e = site_index(&d.0).expect_err("bad JSON refused");
    assert!(matches!(e, ServeError::Json { .. }), "{e}");
    assert!(e.to_string().contains("broken.meta.json"), "{e}");

    let d = site("dupalias");
    d.write("other.html", b"<html></html>");
    d.write(
        "other.meta.json",
        br#"{"url": "https://www.iranfocus.com/en/other/", "aliases": ["http://www.iranfocus.com/en/index.php?option=com_content&task=view&id=7198&Itemid=26"]}"#,
    );
    let e = site_index(&d.0).expect_err("alias claimed twice refused");
    let msg = e.to_string();
    assert!(matches!(e, ServeError::DuplicateAlias { .. }), "{msg}");
    assert!(
        msg.contains("other.meta.json") && msg.contains("wp-article.meta.json"),
        "{msg}"
    );

    let d = site("nohtml");
    d.write(
        "orphan.meta.json",
        br#"{"url": "https://www.iranfocus.com/en/orphan/"}"#,
    );
    let e = site_index(&d.0).expect_err("sidecar without page refused");
    assert!(e.to_string().contains("orphan.html"), "{e}");

    let d = site("badurl");
    d.write("rel.html", b"<html></html>");
    d.write("rel.meta.json", br#"{"url": "/en/relative/"}"#);
    let e = site_index(&d.0).expect_err("relative URL refused");
    assert!(e.to_string().contains("rel.meta.json"), "{e}");
}

#[tokio::test]
async fn a_saved_page_at_an_alias_url_is_served_not_redirected() {
    // Like the fixtures: the Joomla-era page of 7198 is saved under the
    // Joomla URL that the WordPress page lists as an alias.
    let d = site("shadow");
    d.write("joomla-7198.html", b"<html><body>joomla era</body></html>");
    d.write(
        "joomla-7198.meta.json",
        br#"{"url": "https://www.iranfocus.com/en/index.php?option=com_content&task=view&id=7198&Itemid=26"}"#,
    );
    let idx = site_index(&d.0).expect("index");
    assert_eq!(idx.warnings.len(), 1, "{:?}", idx.warnings);
    assert!(
        idx.warnings[0].contains("joomla-7198.meta.json"),
        "{:?}",
        idx.warnings
    );
    let srv = start(&d.0, ServeOptions::default()).await;
    let r = get_raw(
        srv.addr(),
        "/en/index.php?option=com_content&task=view&id=7198&Itemid=26",
    )
    .await;
    assert_eq!(
        (r.status, r.body.as_slice()),
        (200, b"<html><body>joomla era</body></html>".as_slice())
    );
    // The other aliases still redirect.
    let r = get_raw(
        srv.addr(),
        "/iran-and-its-neighbours/iraq/7198-iran-says-it-will-not-hold-talks/",
    )
    .await;
    assert_eq!(r.status, 301);
    srv.shutdown().await;
}

/// Pages are read when asked for, not held in memory (a generated site of
/// 100k pages is gigabytes): a page edited after the server started is
/// served with its new bytes, and one that went away answers 500 naming
/// the file.
#[tokio::test]
async fn pages_are_read_when_asked_for() {
    let d = site("on-demand");
    let server = start(&d.0, ServeOptions::default()).await;
    let path = "/en/iran-and-its-neighbours/iraq/";
    assert_eq!(get_raw(server.addr(), path).await.status, 200);
    d.write("listing.html", b"<html><body>edited</body></html>");
    let r = get_raw(server.addr(), path).await;
    assert_eq!(
        (r.status, r.body.as_slice()),
        (200, &b"<html><body>edited</body></html>"[..])
    );
    std::fs::remove_file(d.0.join("listing.html")).unwrap();
    let r = get_raw(server.addr(), path).await;
    assert_eq!(r.status, 500);
    let body = String::from_utf8_lossy(&r.body);
    assert!(
        body.contains("cannot read") && body.contains("listing.html"),
        "{body}"
    );
    server.shutdown().await;
}
