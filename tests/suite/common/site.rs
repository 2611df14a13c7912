//! The test site for crawler tests: the fixture folder served by
//! `sitelift::serve` on 127.0.0.1, plus fault routes of a misbehaving
//! legacy server. Shared by the crawl and kill-and-resume tests.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, Response, StatusCode};
use axum::routing::get;
use axum::Router;
use sitelift::serve::{serve, ServeOptions, ServerHandle};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    root().join("fixtures/iranfocus")
}

fn page(title: &str) -> Vec<u8> {
    format!("<html><head><title>{title}</title></head><body><h1>{title}</h1><p>fault page</p></body></html>").into_bytes()
}

/// Fault routes under `/en/faults/`: what old servers do.
pub fn fault_routes() -> Router {
    let flaky = Arc::new(AtomicUsize::new(0));
    let busy = Arc::new(AtomicUsize::new(0));
    Router::new()
        .route(
            "/en/faults/flaky.html",
            get(move || {
                let n = flaky.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n == 0 {
                        Response::builder()
                            .status(500)
                            .body(Body::from("oops"))
                            .unwrap()
                    } else {
                        Response::builder()
                            .header(header::CONTENT_TYPE, "text/html")
                            .body(Body::from(page("flaky")))
                            .unwrap()
                    }
                }
            }),
        )
        .route(
            "/en/faults/busy.html",
            get(move || {
                let n = busy.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n == 0 {
                        Response::builder()
                            .status(429)
                            .header(header::RETRY_AFTER, "1")
                            .body(Body::from("slow down"))
                            .unwrap()
                    } else {
                        Response::builder()
                            .header(header::CONTENT_TYPE, "text/html")
                            .body(Body::from(page("busy")))
                            .unwrap()
                    }
                }
            }),
        )
        .route(
            "/en/faults/slow.html",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                Response::builder()
                    .header(header::CONTENT_TYPE, "text/html")
                    .body(Body::from(page("slow")))
                    .unwrap()
            }),
        )
        .route(
            "/en/faults/reset.html",
            get(|| async {
                // headers, then the connection dies in the middle of the body
                let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![
                    Ok(b"<html><body>half".to_vec()),
                    Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "reset",
                    )),
                ];
                Response::builder()
                    .header(header::CONTENT_TYPE, "text/html")
                    .body(Body::from_stream(futures_util::stream::iter(chunks)))
                    .unwrap()
            }),
        )
        .route(
            "/en/faults/loop-a.html",
            get(|| async { redirect("/en/faults/loop-b.html") }),
        )
        .route(
            "/en/faults/loop-b.html",
            get(|| async { redirect("/en/faults/loop-a.html") }),
        )
        .route(
            "/en/faults/big.html",
            get(|| async {
                let body = vec![b'x'; 3 * 1024 * 1024];
                Response::builder()
                    .header(header::CONTENT_TYPE, "text/html")
                    .body(Body::from(body))
                    .unwrap()
            }),
        )
        .route(
            "/en/faults/doc.pdf",
            get(|| async {
                Response::builder()
                    .header(header::CONTENT_TYPE, "application/pdf")
                    .body(Body::from("%PDF-1.4 ..."))
                    .unwrap()
            }),
        )
}

fn redirect(to: &str) -> Response<Body> {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::MOVED_PERMANENTLY;
    r.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_str(to).unwrap());
    r
}

/// The fault URLs, as seeds, with the outcome each must end with in the ledger.
pub fn fault_expectations() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        (
            "https://www.iranfocus.com/en/faults/flaky.html",
            "fetched",
            "",
        ),
        (
            "https://www.iranfocus.com/en/faults/busy.html",
            "fetched",
            "",
        ),
        (
            "https://www.iranfocus.com/en/faults/slow.html",
            "failed",
            "timeout",
        ),
        (
            "https://www.iranfocus.com/en/faults/loop-a.html",
            "failed",
            "redirect_loop",
        ),
        (
            "https://www.iranfocus.com/en/faults/big.html",
            "failed",
            "too_large",
        ),
        (
            "https://www.iranfocus.com/en/faults/doc.pdf",
            "skipped",
            "content_type",
        ),
        (
            "https://www.iranfocus.com/en/component/option,com_mailto/",
            "skipped",
            "robots",
        ),
    ]
}

/// Serve the fixture site (and the fault routes) on 127.0.0.1 in `rt`.
pub fn start(rt: &tokio::runtime::Runtime, dir: &Path, crawl_delay: Option<u32>) -> ServerHandle {
    rt.block_on(async {
        let opts = ServeOptions {
            crawl_delay,
            extra: Some(fault_routes()),
        };
        serve(dir, "127.0.0.1:0".parse::<SocketAddr>().unwrap(), opts)
            .await
            .expect("serve fixtures")
    })
}

/// Legacy ids of every fixture page whose expectation is an article record.
pub fn expected_ids() -> Vec<String> {
    let mut ids = Vec::new();
    for e in std::fs::read_dir(fixtures()).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".json") || name.ends_with(".meta.json") {
            continue;
        }
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        if let Some(id) = v.get("legacy_id").and_then(|v| v.as_str()) {
            ids.push(id.to_string());
        }
    }
    ids.sort();
    ids.dedup();
    ids
}

/// Run the `sitelift` binary in the project root: its exit code, stdout
/// and stderr.
pub fn sitelift(args: &[&str]) -> (Option<i32>, String, String) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_sitelift"))
        .current_dir(root())
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

/// Crawl the fixture site (served by sitelift itself, no delay) into a new
/// store at `store`, with the bundled profile; panics unless the crawl
/// finished (exit 0, or 1 for the pages the site links to but lacks).
pub fn crawl_fixture_site(store: &std::path::Path) {
    let store = store.display().to_string();
    let (code, _, err) = sitelift(&[
        "crawl",
        "--profile",
        "selectors/iranfocus.toml",
        "--serve",
        "fixtures/iranfocus",
        "--delay-ms",
        "0",
        "--store",
        &store,
    ]);
    assert!(
        matches!(code, Some(0 | 1)),
        "crawl of the fixture site: {err}"
    );
}
