//! Integration tests of the fetcher against the fault server on 127.0.0.1:
//! every outcome and reason, politeness measured at the server, retries,
//! redirects, caps, robots.txt and `connect_to`.

use crate::common::faults;
use crate::common::spacing;

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use faults::{spawn_fault_server, FaultServer};
use sitelift::fetch::{
    ContentKind, Failure, FetchConfig, FetchOutcome, Fetcher, Hop, Reason, Response,
};
use url::Url;

/// Server-side arrival intervals may be a little shorter than the client's
/// start spacing (connection set-up time varies).
const TOLERANCE: Duration = Duration::from_millis(10);

fn cfg() -> FetchConfig {
    FetchConfig {
        user_agent: "sitelift-test/0.1 (+http://127.0.0.1/contact)".into(),
        delay_per_host: Duration::ZERO,
        max_connections_per_host: 4,
        concurrency: 4,
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(3),
        max_attempts: 1,
        backoff_base: Duration::from_millis(20),
        backoff_max: Duration::from_millis(100),
        max_redirects: 10,
        max_body_bytes: 64 * 1024,
        max_decompressed_bytes: 1024 * 1024,
        obey_robots: false,
        keep_content_types: Vec::new(),
        allow_private: vec!["127.0.0.1".into()],
        connect_to: Vec::new(),
    }
}

fn fetcher(cfg: FetchConfig) -> Fetcher {
    Fetcher::new(cfg).expect("valid test config")
}

fn any_scope(_: &Url) -> Result<(), String> {
    Ok(())
}

fn url(text: &str) -> Url {
    Url::parse(text).expect("test URL")
}

/// Bounds a test step so that a bug cannot hang the suite.
async fn bounded<T>(fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), fut)
        .await
        .expect("test step took longer than 20 s")
}

async fn get(f: &Fetcher, target: &str) -> FetchOutcome {
    bounded(f.fetch(&url(target), &any_scope)).await
}

fn response(outcome: FetchOutcome) -> Response {
    match outcome {
        FetchOutcome::Response(r) => r,
        other => panic!("expected a response, got {other:?}"),
    }
}

fn failed(outcome: FetchOutcome, reason: Reason) -> Failure {
    match outcome {
        FetchOutcome::Failed(f) if f.reason == reason => f,
        other => panic!("expected Failed({reason:?}), got {other:?}"),
    }
}

fn skipped(outcome: FetchOutcome, reason: Reason) -> Failure {
    match outcome {
        FetchOutcome::Skipped(f) if f.reason == reason => f,
        other => panic!("expected Skipped({reason:?}), got {other:?}"),
    }
}

fn hops(server: &FaultServer, paths: &[&str]) -> Vec<Hop> {
    paths
        .iter()
        .map(|p| Hop {
            url: url(&server.url(p)),
            status: 302,
        })
        .collect()
}

/// Arrivals at the server are spaced by `delay` (see `common/spacing.rs`).
fn assert_spaced(arrivals: &[Instant], delay: Duration) {
    let mut sorted = arrivals.to_vec();
    sorted.sort();
    let gaps: Vec<Duration> = sorted.windows(2).map(|p| p[1] - p[0]).collect();
    if let Err(e) = spacing::check_gaps(&gaps, delay, TOLERANCE) {
        panic!("{e}");
    }
}

#[tokio::test]
async fn ok_page_comes_back_with_everything_recorded() {
    let server = spawn_fault_server().await;
    let f = fetcher(cfg());
    let r = response(get(&f, &server.url("/ok.html#top")).await);
    assert_eq!(r.status, 200);
    assert_eq!(r.reason_phrase, "OK");
    assert_eq!(r.http_version, "HTTP/1.1");
    assert_eq!(r.url, url(&server.url("/ok.html")));
    assert!(r.chain.is_empty());
    assert_eq!(r.attempts, 1);
    assert_eq!(r.kind, ContentKind::Html);
    assert_eq!(r.content_type.as_deref(), Some("text/html"));
    assert_eq!(r.charset.as_deref(), Some("utf-8"));
    assert_eq!(r.ip, Some(server.addr.ip()));
    assert_eq!(r.method, "GET");
    assert_eq!(r.body, r.raw_body);
    assert!(String::from_utf8_lossy(&r.body).contains("<title>OK</title>"));
    assert_eq!(
        r.header("content-type"),
        Some(&b"text/html; charset=utf-8"[..])
    );
    assert!(r
        .request_headers
        .iter()
        .any(|(n, v)| n == "User-Agent" && v.starts_with("sitelift-test")));
    let seen = server.log.seen("/ok.html");
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].user_agent.as_deref(),
        Some(cfg().user_agent.as_str())
    );
}

#[tokio::test]
async fn flaky_is_retried_until_it_answers() {
    let server = spawn_fault_server().await;
    let f = fetcher(FetchConfig {
        max_attempts: 4,
        ..cfg()
    });
    let r = response(get(&f, &server.url("/flaky")).await);
    assert_eq!((r.status, r.attempts), (200, 3));
    assert_eq!(server.log.count("/flaky"), 3);
}

#[tokio::test]
async fn exhausted_retries_return_the_last_response() {
    let server = spawn_fault_server().await;
    let f = fetcher(FetchConfig {
        max_attempts: 2,
        ..cfg()
    });
    let r = response(get(&f, &server.url("/flaky")).await);
    assert_eq!((r.status, r.attempts), (500, 2));
    assert_eq!(server.log.count("/flaky"), 2);
}

#[tokio::test]
async fn busy_honours_retry_after() {
    let server = spawn_fault_server().await;
    let f = fetcher(FetchConfig {
        max_attempts: 3,
        backoff_base: Duration::from_millis(1),
        backoff_max: Duration::from_secs(3),
        ..cfg()
    });
    let r = response(get(&f, &server.url("/busy")).await);
    assert_eq!((r.status, r.attempts), (200, 2));
    let arrivals = server.log.arrivals("/busy");
    assert_eq!(arrivals.len(), 2);
    assert_spaced(&arrivals, Duration::from_secs(1));
}

#[tokio::test]
async fn slow_server_times_out_and_timeouts_are_retried() {
    let server = spawn_fault_server().await;
    let f = fetcher(FetchConfig {
        timeout: Duration::from_millis(300),
        max_attempts: 2,
        ..cfg()
    });
    let fail = failed(get(&f, &server.url("/slow")).await, Reason::Timeout);
    assert_eq!(fail.attempts, 2);
    assert_eq!(server.log.count("/slow"), 2);
}

#[tokio::test]
async fn dripping_body_times_out() {
    let server = spawn_fault_server().await;
    let f = fetcher(FetchConfig {
        timeout: Duration::from_millis(1500),
        ..cfg()
    });
    failed(get(&f, &server.url("/drip")).await, Reason::Timeout);
}

#[tokio::test]
async fn reset_connection_is_a_reset_and_is_retried() {
    let server = spawn_fault_server().await;
    let f = fetcher(FetchConfig {
        max_attempts: 2,
        ..cfg()
    });
    let fail = failed(get(&f, &server.url("/reset")).await, Reason::Reset);
    assert_eq!(fail.attempts, 2);
    assert_eq!(server.log.count("/reset"), 2);
}

#[tokio::test]
async fn redirect_loop_is_detected() {
    let server = spawn_fault_server().await;
    let f = fetcher(cfg());
    let fail = failed(get(&f, &server.url("/loop-a")).await, Reason::RedirectLoop);
    assert_eq!(fail.chain, hops(&server, &["/loop-a", "/loop-b"]));
}

#[tokio::test]
async fn redirect_chain_is_followed_and_returned() {
    let server = spawn_fault_server().await;
    let f = fetcher(cfg());
    let r = response(get(&f, &server.url("/chain/3")).await);
    assert_eq!(r.requested, url(&server.url("/chain/3")));
    assert_eq!(r.url, url(&server.url("/chain/0")));
    assert_eq!(
        r.chain,
        hops(&server, &["/chain/3", "/chain/2", "/chain/1"])
    );

    let f = fetcher(FetchConfig {
        max_redirects: 2,
        ..cfg()
    });
    let fail = failed(
        get(&f, &server.url("/chain/3")).await,
        Reason::TooManyRedirects,
    );
    assert_eq!(fail.chain.len(), 3);
    assert_eq!(
        server.log.count("/chain/0"),
        1,
        "the second fetch stopped before /chain/0"
    );
}

#[tokio::test]
async fn broken_redirects_are_bad_redirects() {
    let server = spawn_fault_server().await;
    let f = fetcher(cfg());
    let fail = failed(
        get(&f, &server.url("/no-location")).await,
        Reason::BadRedirect,
    );
    assert_eq!(fail.chain.len(), 1);
    failed(
        get(&f, &server.url("/bad-location")).await,
        Reason::BadRedirect,
    );
}

#[tokio::test]
async fn redirects_to_other_schemes_are_refused() {
    let server = spawn_fault_server().await;
    let f = fetcher(cfg());
    let fail = skipped(get(&f, &server.url("/to-file")).await, Reason::BadScheme);
    assert_eq!(fail.chain, hops(&server, &["/to-file"]));
    skipped(get(&f, &server.url("/to-ftp")).await, Reason::BadScheme);
    skipped(get(&f, "ftp://127.0.0.1/x").await, Reason::BadScheme);
}

#[tokio::test]
async fn redirect_to_private_address_is_refused_before_connecting() {
    let server = spawn_fault_server().await;
    // Connecting to 10.0.0.1 would end as Connection or Timeout, not this.
    let f = fetcher(FetchConfig {
        connect_timeout: Duration::from_secs(5),
        ..cfg()
    });
    let fail = skipped(
        get(&f, &server.url("/to-private")).await,
        Reason::PrivateAddress,
    );
    assert_eq!(fail.chain, hops(&server, &["/to-private"]));
    let fail = skipped(get(&f, "http://10.0.0.1/").await, Reason::PrivateAddress);
    assert_eq!(fail.attempts, 0);
}

#[tokio::test]
async fn resolved_names_are_checked_by_the_resolver() {
    let server = spawn_fault_server().await;
    let by_name = format!("http://localhost:{}/ok.html", server.addr.port());
    // 127.0.0.1 is allowed as a literal, but the name `localhost` is not.
    let f = fetcher(cfg());
    skipped(get(&f, &by_name).await, Reason::PrivateAddress);
    assert_eq!(server.log.count("/ok.html"), 0);
    let f = fetcher(FetchConfig {
        allow_private: vec!["localhost".into()],
        ..cfg()
    });
    assert_eq!(response(get(&f, &by_name).await).status, 200);
    let f = fetcher(FetchConfig {
        allow_private: Vec::new(),
        ..cfg()
    });
    skipped(
        get(&f, &server.url("/ok.html")).await,
        Reason::PrivateAddress,
    );
}

#[tokio::test]
async fn scope_is_asked_at_every_hop() {
    let server = spawn_fault_server().await;
    let f = fetcher(cfg());
    let scope = |u: &Url| -> Result<(), String> {
        if u.path() == "/chain/1" {
            Err("not in the site".into())
        } else {
            Ok(())
        }
    };
    let outcome = bounded(f.fetch(&url(&server.url("/chain/3")), &scope)).await;
    let fail = skipped(outcome, Reason::OutOfScope);
    assert_eq!(fail.chain.len(), 2);
    assert!(fail.detail.contains("not in the site"));
    assert_eq!(server.log.count("/chain/1"), 0);
}

#[tokio::test]
async fn bodies_over_the_cap_are_too_large() {
    let server = spawn_fault_server().await;
    let f = fetcher(cfg());
    failed(get(&f, &server.url("/big")).await, Reason::TooLarge);
    failed(get(&f, &server.url("/big/stream")).await, Reason::TooLarge);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gzip_is_decoded_and_bombs_are_capped() {
    let server = spawn_fault_server().await;
    let packed = tokio::task::spawn_blocking(|| faults::bomb_bytes().len())
        .await
        .expect("build the bomb");
    assert!(
        packed < 64 * 1024,
        "the bomb is small on the wire ({packed} bytes)"
    );
    let f = fetcher(FetchConfig {
        timeout: Duration::from_secs(10),
        ..cfg()
    });
    failed(
        get(&f, &server.url("/bomb")).await,
        Reason::DecompressTooLarge,
    );
    let r = response(get(&f, &server.url("/gzip.html")).await);
    assert_eq!(&r.raw_body[..2], &[0x1f, 0x8b], "raw body kept as received");
    assert_eq!(r.body, b"<html><body>compressed page</body></html>");
    assert_eq!(r.header("content-encoding"), Some(&b"gzip"[..]));
}

#[tokio::test]
async fn content_types_are_judged_from_headers() {
    let server = spawn_fault_server().await;
    let f = fetcher(cfg());
    skipped(get(&f, &server.url("/doc.pdf")).await, Reason::ContentType);
    // An endless body: reading it would end as TooLarge or Timeout.
    skipped(get(&f, &server.url("/huge.pdf")).await, Reason::ContentType);
    let f = fetcher(FetchConfig {
        keep_content_types: vec!["Application/PDF".into()],
        ..cfg()
    });
    let r = response(get(&f, &server.url("/doc.pdf")).await);
    assert_eq!(r.kind, ContentKind::Kept);
    assert!(r.body.starts_with(b"%PDF"));
}

#[tokio::test]
async fn charset_comes_from_the_header_and_bytes_are_untouched() {
    let server = spawn_fault_server().await;
    let f = fetcher(cfg());
    let r = response(get(&f, &server.url("/latin1")).await);
    assert_eq!(r.charset.as_deref(), Some("windows-1252"));
    assert_eq!(r.body, faults::LATIN1_BODY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_host_delay_holds_under_concurrency() {
    let server = spawn_fault_server().await;
    let delay = Duration::from_millis(100);
    let f = fetcher(FetchConfig {
        delay_per_host: delay,
        concurrency: 4,
        max_connections_per_host: 4,
        ..cfg()
    });
    let mut tasks = Vec::new();
    for i in 0..6 {
        let f = f.clone();
        let target = url(&server.url(&format!("/ok.html?i={i}")));
        tasks.push(tokio::spawn(
            async move { f.fetch(&target, &any_scope).await },
        ));
    }
    for task in tasks {
        let outcome = bounded(task).await.expect("fetch task");
        assert_eq!(response(outcome).status, 200);
    }
    let arrivals = server.log.arrivals("/ok.html");
    assert_eq!(arrivals.len(), 6);
    assert_spaced(&arrivals, delay);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_per_host_are_limited() {
    let server = spawn_fault_server().await;
    let f = fetcher(FetchConfig {
        concurrency: 8,
        max_connections_per_host: 2,
        ..cfg()
    });
    let mut tasks = Vec::new();
    for i in 0..6 {
        let f = f.clone();
        let target = url(&server.url(&format!("/hold?i={i}")));
        tasks.push(tokio::spawn(
            async move { f.fetch(&target, &any_scope).await },
        ));
    }
    for task in tasks {
        assert_eq!(
            response(bounded(task).await.expect("fetch task")).status,
            200
        );
    }
    let most = server.log.max_in_flight();
    assert!((1..=2).contains(&most), "{most} requests in flight at once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_are_fetched_once_and_obeyed() {
    let server = spawn_fault_server().await;
    let f = fetcher(FetchConfig {
        obey_robots: true,
        delay_per_host: Duration::from_millis(50),
        ..cfg()
    });
    let fail = skipped(
        get(&f, &server.url("/private/secret.html")).await,
        Reason::Robots,
    );
    assert_eq!(fail.attempts, 0);
    assert_eq!(server.log.count("/private/secret.html"), 0);
    let (first, second) = (server.url("/ok.html?a"), server.url("/ok.html?b"));
    let (a, b) = tokio::join!(get(&f, &first), get(&f, &second));
    assert_eq!(response(a).status, 200);
    assert_eq!(response(b).status, 200);
    // Crawl-delay: 1 beats the configured 50 ms.
    assert_spaced(&server.log.arrivals("/ok.html"), Duration::from_secs(1));
    let sitemaps = bounded(f.robots_sitemaps(&url(&server.url("/anything")))).await;
    assert_eq!(sitemaps, vec![url(&server.url("/sitemap.xml"))]);
    let robots = server.log.seen("/robots.txt");
    assert_eq!(robots.len(), 1, "robots.txt fetched once");
    assert_eq!(
        robots[0].user_agent.as_deref(),
        Some(cfg().user_agent.as_str())
    );
}

#[tokio::test]
async fn robots_server_error_disallows_and_missing_robots_allows() {
    let server = spawn_fault_server().await;
    server.log.set_robots_status(503);
    let f = fetcher(FetchConfig {
        obey_robots: true,
        ..cfg()
    });
    // a failure to retry later, not a refusal: robots.txt said nothing yet
    let f503 = failed(
        get(&f, &server.url("/ok.html")).await,
        Reason::RobotsUnavailable,
    );
    assert!(f503.detail.contains("HTTP 503"), "{}", f503.detail);
    assert_eq!(server.log.count("/ok.html"), 0);

    let server = spawn_fault_server().await;
    server.log.set_robots_status(404);
    let f = fetcher(FetchConfig {
        obey_robots: true,
        ..cfg()
    });
    assert_eq!(
        response(get(&f, &server.url("/private/x")).await).status,
        200
    );
}

#[tokio::test]
async fn endless_robots_is_read_only_up_to_the_cap() {
    let server = spawn_fault_server().await;
    server.log.set_robots_endless(true);
    let f = fetcher(FetchConfig {
        obey_robots: true,
        timeout: Duration::from_secs(5),
        ..cfg()
    });
    // Reading the whole file would time out, and a timeout disallows all.
    assert_eq!(response(get(&f, &server.url("/ok.html")).await).status, 200);
    skipped(get(&f, &server.url("/private/x")).await, Reason::Robots);
}

#[tokio::test]
async fn connect_to_sends_the_logical_host_to_another_address() {
    let server = spawn_fault_server().await;
    let connect_to: Vec<(String, SocketAddr)> = vec![("www.iranfocus.test".into(), server.addr)];
    let f = fetcher(FetchConfig {
        connect_to: connect_to.clone(),
        ..cfg()
    });
    let r = response(get(&f, "http://www.iranfocus.test/ok.html").await);
    assert_eq!(r.status, 200);
    assert_eq!(r.url, url("http://www.iranfocus.test/ok.html"));
    let seen = server.log.seen("/ok.html");
    assert_eq!(seen[0].host.as_deref(), Some("www.iranfocus.test"));

    let r = response(get(&f, "https://WWW.iranfocus.test/chain/2").await);
    assert_eq!(r.url, url("https://www.iranfocus.test/chain/0"));
    assert_eq!(r.chain[1].url, url("https://www.iranfocus.test/chain/1"));
    let r = response(get(&f, "http://www.iranfocus.test:8080/latin1").await);
    assert_eq!(r.url.port(), Some(8080));
    assert_eq!(
        server.log.seen("/latin1")[0].host.as_deref(),
        Some("www.iranfocus.test:8080")
    );

    let f = fetcher(FetchConfig {
        connect_to,
        allow_private: Vec::new(),
        ..cfg()
    });
    skipped(
        get(&f, "http://www.iranfocus.test/ok.html").await,
        Reason::PrivateAddress,
    );
}

#[test]
fn the_spacing_check_tells_lateness_from_bursts() {
    let ms = Duration::from_millis;
    let d = ms(100);
    // a late arrival: long gap, then short
    assert!(spacing::check_gaps(&[ms(100), ms(160), ms(40), ms(100)], d, ms(10)).is_ok());
    // a second request sent early: short gap after an ordinary one
    assert!(spacing::check_gaps(&[ms(100), ms(100), ms(1), ms(100)], d, ms(10)).is_err());
    // a first gap cannot be explained by lateness
    assert!(spacing::check_gaps(&[ms(1), ms(199)], d, ms(10)).is_err());
    // no politeness at all
    assert!(spacing::check_gaps(&[ms(1); 20], d, ms(10)).is_err());
    // spaced, but by less than the delay on average
    assert!(spacing::check_gaps(&[ms(80); 20], d, ms(10)).is_err());
    // three gaps after a first request that arrived 75 ms late (a loaded
    // machine): the span is short by the lateness, not the spacing
    let d = ms(1000);
    assert!(spacing::check_gaps(&[ms(925), ms(1000), ms(1002)], d, ms(10)).is_ok());
    // but three gaps of 70 % of the delay are too short
    assert!(spacing::check_gaps(&[ms(700), ms(700), ms(700)], d, ms(10)).is_err());
}
