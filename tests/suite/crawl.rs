//! The crawler against a real HTTP server on 127.0.0.1: the fixture site in
//! both URL generations (Joomla URLs that 301 to WordPress URLs, listings
//! with pagination of both styles, robots.txt with Disallow, Crawl-delay and
//! Sitemap, a sitemap index) and a misbehaving server's faults.

use crate::common::site;
use crate::common::spacing;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::common::lines::Collected;
use sitelift::assemble::offline::from_pages;
use sitelift::crawl::{crawl, spool, CrawlOptions, SPOOL};
use sitelift::frontier::ledger::Ledger;
use sitelift::profile::Profile;
use sitelift::sources::store::pages as pages_from_store;

fn config(addr: std::net::SocketAddr) -> (Arc<Profile>, sitelift::profile::crawl::CrawlConfig) {
    let profile = Profile::load(&site::root().join("selectors/iranfocus.toml")).unwrap();
    let mut cfg = profile.crawl.clone().unwrap();
    cfg.fetch.connect_to = vec![
        ("www.iranfocus.com".into(), addr),
        ("iranfocus.com".into(), addr),
    ];
    cfg.fetch.allow_private = vec!["127.0.0.1".into()];
    cfg.fetch.delay_per_host = Duration::from_millis(100);
    cfg.fetch.timeout = Duration::from_millis(1500);
    cfg.fetch.max_attempts = 2;
    cfg.fetch.backoff_base = Duration::from_millis(50);
    cfg.fetch.backoff_max = Duration::from_secs(2);
    cfg.fetch.max_body_bytes = 1024 * 1024;
    (Arc::new(profile), cfg)
}

/// The runtime the fixture server runs on (the crawl brings its own).
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// The arrivals the server saw are spaced by `delay` (see `common/spacing.rs`).
fn assert_spaced(arrivals: &[&(String, std::time::Instant)], delay: Duration) {
    let gaps: Vec<Duration> = arrivals
        .windows(2)
        .map(|w| w[1].1.duration_since(w[0].1))
        .collect();
    if let Err(e) = spacing::check_gaps(&gaps, delay, delay / 20) {
        let urls: Vec<&str> = arrivals.iter().map(|a| a.0.as_str()).collect();
        panic!("{e}; requests in order: {urls:?}");
    }
}

#[test]
fn crawl_accounts_for_every_url_and_emits_each_article_once() {
    let rt = runtime();
    let server = site::start(&rt, &site::fixtures(), None);
    let (profile, cfg) = config(server.addr());
    let store = tempfile::tempdir().unwrap();
    let seeds = site::fault_expectations()
        .iter()
        .map(|(u, _, _)| url::Url::parse(u).unwrap())
        .collect();
    let lock = sitelift::store::StoreLock::acquire(store.path(), "test").unwrap();
    let opts = CrawlOptions {
        store: store.path().to_path_buf(),
        seeds,
        retry_failed: false,
        extract: true,
        progress: None,
        profile_fingerprint: "test".into(),
    };
    let summary = crawl(profile.clone(), cfg, opts, &lock).unwrap();
    assert!(!summary.interrupted);

    // Every URL is accounted for: nothing left queued or in flight.
    let ledger = Ledger::open(store.path()).unwrap();
    assert_eq!(ledger.pending().unwrap(), 0);
    for (url, status, reason) in site::fault_expectations() {
        let canon = sitelift::frontier::canon::canonicalize(
            &url::Url::parse(url).unwrap(),
            &profile.crawl.as_ref().unwrap().canon,
        );
        let row = ledger
            .get(canon.as_str())
            .unwrap()
            .unwrap_or_else(|| panic!("{url} not in the ledger"));
        assert_eq!(row.status.as_str(), status, "{url}: {row:?}");
        if !reason.is_empty() {
            assert_eq!(row.reason.as_deref(), Some(reason), "{url}: {row:?}");
        }
    }
    let flaky = ledger
        .get("https://www.iranfocus.com/en/faults/flaky.html")
        .unwrap()
        .unwrap();
    assert_eq!(flaky.http_status, Some(200));
    let counts: BTreeMap<String, u64> = ledger
        .counts()
        .unwrap()
        .into_iter()
        .map(|(s, r, n)| (format!("{}:{}", s.as_str(), r.unwrap_or_default()), n))
        .collect();
    assert!(
        counts
            .keys()
            .all(|k| !k.starts_with("queued") && !k.starts_with("in_flight")),
        "{counts:?}"
    );

    // Each article once, keyed by legacy id, with the Joomla alias of the seed article.
    let pages = pages_from_store(store.path()).unwrap();
    let mut out = Collected::default();
    from_pages(
        &pages,
        &profile,
        &spool::Spool::open(&store.path().join(SPOOL), "test").unwrap(),
        None,
        &mut |l| out.push(l),
    )
    .unwrap();
    let records: Vec<serde_json::Value> = out
        .values()
        .into_iter()
        .filter(|v| v.get("legacy_id").is_some())
        .collect();
    let mut ids: Vec<String> = records
        .iter()
        .filter_map(|r| r["legacy_id"].as_str().map(String::from))
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(n, ids.len(), "an article was emitted twice: {ids:?}");
    assert_eq!(
        ids,
        site::expected_ids(),
        "every fixture article, none twice"
    );
    // A page whose charset is only in the HTTP header was decoded with it.
    let header_only = records.iter().find(|r| r["legacy_id"] == "35016").unwrap();
    assert_eq!(header_only["encoding"]["rule"], "http_header");
    assert_eq!(header_only["encoding"]["name"], "windows-1252");
    assert!(header_only["title"].as_str().unwrap().contains('’'));
    let seed = records.iter().find(|r| r["legacy_id"] == "7198").unwrap();
    let aliases: Vec<&str> = seed["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    assert!(
        aliases
            .iter()
            .any(|a| a.contains("index.php") && a.contains("id=7198")),
        "Joomla alias missing: {aliases:?}"
    );

    // The per-host delay held: 100 ms between request starts, whatever the concurrency.
    let log = server.request_log();
    if std::env::var_os("SITELIFT_TEST_LOG").is_some() {
        for (p, t) in &log {
            eprintln!("{t:?} {p}");
        }
    }
    let after_robots: Vec<_> = log
        .iter()
        .skip_while(|(p, _)| p != "/robots.txt")
        .skip(1)
        .collect();
    assert!(
        after_robots.len() > 10,
        "too few requests seen: {}",
        after_robots.len()
    );
    assert_spaced(&after_robots, Duration::from_millis(100));

    // The WARC files are read back by an independent reader (warcio), when it is installed.
    let warc_dir = store.path().join("warc");
    let files: Vec<_> = std::fs::read_dir(&warc_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let check = std::process::Command::new("python3")
        .arg(site::root().join("tests/warc_check.py"))
        .arg(&files[0])
        .arg(summary.fetched_now.to_string())
        .output()
        .expect("python3");
    let stdout = String::from_utf8_lossy(&check.stdout);
    match check.status.code() {
        Some(0) => assert!(stdout.contains("all digests verified"), "{stdout}"),
        Some(3) if std::env::var_os("CI").is_none() => {
            eprintln!("skipping the warcio check: {stdout}")
        }
        _ => panic!(
            "warcio check failed: {stdout}{}",
            String::from_utf8_lossy(&check.stderr)
        ),
    }
    rt.block_on(server.shutdown());
}

#[test]
fn robots_crawl_delay_wins_over_the_profile_delay() {
    let rt = runtime();
    // robots.txt announces Crawl-delay: 1, which must win over the profile's 100 ms.
    let server = site::start(&rt, &site::fixtures(), Some(1));
    let (profile, mut cfg) = config(server.addr());
    cfg.scope.max_pages = Some(4);
    cfg.sitemaps.clear();
    let store = tempfile::tempdir().unwrap();
    let lock = sitelift::store::StoreLock::acquire(store.path(), "test").unwrap();
    let opts = CrawlOptions {
        store: store.path().to_path_buf(),
        seeds: vec![],
        retry_failed: false,
        extract: false,
        progress: None,
        profile_fingerprint: String::new(),
    };
    crawl(profile, cfg, opts, &lock).unwrap();
    let log = server.request_log();
    let after_robots: Vec<_> = log.iter().skip_while(|(p, _)| p != "/robots.txt").collect();
    assert!(after_robots.len() >= 4, "{after_robots:?}");
    assert_spaced(&after_robots, Duration::from_secs(1));
    rt.block_on(server.shutdown());
}

/// The state a kill can leave after a redirected page was stored and noted
/// in the pending log, but before the ledger batch with the redirect: the
/// asked-for (old) URL back in the queue, the final URL unknown. Resuming
/// must apply the redirect from the note and parse the stored page, not ask
/// the server for either URL again.
#[test]
fn resume_applies_a_redirect_the_ledger_never_heard_of() {
    use sitelift::crawl::reconcile::{Pending, PENDING};
    use sitelift::frontier::canon::canonicalize;
    use sitelift::frontier::ledger::Update;
    use sitelift::store::{Exchange, WarcReader, WarcWriter};

    let rt = runtime();
    let server = site::start(&rt, &site::fixtures(), None);
    let (profile, mut cfg) = config(server.addr());
    cfg.fetch.delay_per_host = Duration::from_millis(5);
    let canon = &profile.crawl.as_ref().unwrap().canon;
    // an old URL of the page that the site answers with a 301 to the new one
    let old = "https://www.iranfocus.com/iran-and-its-neighbours/iraq/7198-iran-says-it-will-not-hold-talks-with-us-over-iraq/";
    let wp = "https://www.iranfocus.com/en/iran-and-its-neighbours/iraq/7198-iran-says-it-will-not-hold-talks-with-us-over-iraq/";
    let from = canonicalize(&url::Url::parse(old).unwrap(), canon).to_string();
    let to = canonicalize(&url::Url::parse(wp).unwrap(), canon).to_string();
    assert_ne!(from, to);

    // the killed run's store: the old URL queued, the page stored and noted
    let store = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(store.path()).unwrap();
    ledger
        .apply(&[Update::Discover {
            url: from.clone(),
            depth: 0,
            found_on: None,
        }])
        .unwrap();
    drop(ledger);
    let warc_dir = store.path().join("warc");
    std::fs::create_dir_all(&warc_dir).unwrap();
    let body = std::fs::read(site::fixtures().join("wp-article-7198.html")).unwrap();
    let ct = "text/html; charset=UTF-8";
    let loc = {
        let mut w = WarcWriter::open(&warc_dir, "sitelift", u64::MAX).unwrap();
        let resp = [("Content-Type".to_string(), ct.as_bytes().to_vec())];
        w.write_exchange(&Exchange {
            target_uri: wp,
            date: jiff::Timestamp::now(),
            ip: None,
            method: "GET",
            request_headers: &[],
            http_version: "HTTP/1.1",
            status: 200,
            reason: "OK",
            response_headers: &resp,
            payload: &body,
        })
        .unwrap()
    };
    let record = WarcReader::open(&warc_dir.join(&loc.file))
        .unwrap()
        .map(Result::unwrap)
        .find(|r| r.warc_type == "response")
        .unwrap();
    let note = Pending {
        url: to.clone(),
        fetched_url: wp.to_string(),
        depth: 0,
        digest: record.header("WARC-Payload-Digest").unwrap().to_string(),
        status: 200,
        content_type: Some(ct.to_string()),
        file: format!("warc/{}", loc.file),
        offset: loc.offset,
        length: loc.length,
        redirected_from: Some(from.clone()),
        hops: vec![],
    };
    std::fs::write(
        store.path().join(PENDING),
        serde_json::to_string(&note).unwrap() + "\n",
    )
    .unwrap();

    let lock = sitelift::store::StoreLock::acquire(store.path(), "test").unwrap();
    let opts = CrawlOptions {
        store: store.path().to_path_buf(),
        seeds: vec![],
        retry_failed: false,
        extract: false,
        progress: None,
        profile_fingerprint: String::new(),
    };
    crawl(profile.clone(), cfg, opts, &lock).unwrap();
    let asked: Vec<String> = server
        .request_log()
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| {
            [&from, &to].iter().any(|u| {
                let u = url::Url::parse(u).unwrap();
                let query = u.query().map(|q| format!("?{q}")).unwrap_or_default();
                *p == format!("{}{query}", u.path())
            })
        })
        .collect();
    assert!(asked.is_empty(), "asked the server again for {asked:?}");
    let ledger = Ledger::open(store.path()).unwrap();
    let row = ledger.get(&from).unwrap().unwrap();
    assert_eq!(row.status.as_str(), "skipped", "{row:?}");
    assert_eq!(ledger.get(&to).unwrap().unwrap().status.as_str(), "fetched");
    assert_eq!(
        ledger.canonical_of(&from).unwrap().as_deref(),
        Some(to.as_str())
    );
    rt.block_on(server.shutdown());
}

fn options(store: &std::path::Path) -> CrawlOptions {
    CrawlOptions {
        store: store.to_path_buf(),
        seeds: vec![],
        retry_failed: false,
        extract: false,
        progress: None,
        profile_fingerprint: String::new(),
    }
}

fn fetched_urls(store: &std::path::Path) -> Vec<String> {
    let ledger = Ledger::open_read_only(store).unwrap();
    let mut urls: Vec<String> = ledger
        .fetched_pages()
        .unwrap()
        .into_iter()
        .map(|r| r.url)
        .collect();
    urls.sort();
    urls
}

/// Issue: one robots.txt 5xx blocked a store for good: the seed was
/// recorded `skipped robots`, the crawl exited 0 with 0 pages, and neither
/// a rerun nor --retry-failed fetched anything once robots.txt answered.
#[test]
fn a_robots_txt_5xx_fails_the_urls_and_the_next_run_fetches_them() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let rt = runtime();
    let up = Arc::new(AtomicBool::new(false));
    let flag = up.clone();
    let robots = axum::Router::new().route(
        "/robots.txt",
        axum::routing::get(move || {
            let ok = flag.load(Ordering::SeqCst);
            async move {
                match ok {
                    true => (axum::http::StatusCode::OK, "User-agent: *\nAllow: /\n"),
                    false => (axum::http::StatusCode::SERVICE_UNAVAILABLE, "down"),
                }
            }
        }),
    );
    let server = rt.block_on(async {
        let opts = sitelift::serve::ServeOptions {
            crawl_delay: None,
            extra: Some(robots),
        };
        sitelift::serve::serve(&site::fixtures(), "127.0.0.1:0".parse().unwrap(), opts)
            .await
            .unwrap()
    });
    let (profile, mut cfg) = config(server.addr());
    cfg.fetch.delay_per_host = Duration::from_millis(10);
    cfg.sitemaps.clear();
    // the site's CDN host (an image of the fixture site is there) is back too
    cfg.fetch
        .connect_to
        .push(("cdn.iranfocus.com".into(), server.addr()));
    let store = tempfile::tempdir().unwrap();
    let lock = sitelift::store::StoreLock::acquire(store.path(), "test").unwrap();
    let s = crawl(profile.clone(), cfg.clone(), options(store.path()), &lock).unwrap();
    let unavailable: u64 = s
        .counts
        .iter()
        .filter(|(st, r, _)| {
            *st == sitelift::frontier::ledger::Status::Failed
                && r.as_deref() == Some("robots_unavailable")
        })
        .map(|(_, _, n)| n)
        .sum();
    assert!(unavailable >= 1, "{:?}", s.counts);
    assert!(fetched_urls(store.path()).is_empty());
    up.store(true, Ordering::SeqCst);
    let s = crawl(profile, cfg, options(store.path()), &lock).unwrap();
    assert!(
        fetched_urls(store.path()).len() > 5,
        "the second run fetched {:?}; {:?}",
        fetched_urls(store.path()),
        s.counts
    );
    assert!(
        !s.counts
            .iter()
            .any(|(_, r, _)| r.as_deref() == Some("robots_unavailable")),
        "{:?}",
        s.counts
    );
    rt.block_on(server.shutdown());
}

/// Issue: URLs skipped for `max_pages` (or `max_depth`) stayed skipped when
/// a later run raised or dropped the limit, so a trial crawl could not be
/// extended.
#[test]
fn raising_the_limits_extends_a_trial_crawl() {
    let rt = runtime();
    let server = site::start(&rt, &site::fixtures(), None);
    let (profile, mut cfg) = config(server.addr());
    cfg.fetch.delay_per_host = Duration::from_millis(5);
    let full = tempfile::tempdir().unwrap();
    let lock = sitelift::store::StoreLock::acquire(full.path(), "test").unwrap();
    crawl(profile.clone(), cfg.clone(), options(full.path()), &lock).unwrap();
    let everything = fetched_urls(full.path());

    let trial = tempfile::tempdir().unwrap();
    let lock = sitelift::store::StoreLock::acquire(trial.path(), "test").unwrap();
    let mut limited = cfg.clone();
    limited.scope.max_pages = Some(4);
    limited.scope.max_depth = Some(1);
    crawl(profile.clone(), limited, options(trial.path()), &lock).unwrap();
    let first = fetched_urls(trial.path());
    assert!(first.len() < everything.len(), "{first:?}");
    let mut raised = cfg.clone();
    raised.scope.max_pages = Some(20);
    crawl(profile.clone(), raised, options(trial.path()), &lock).unwrap();
    let second = fetched_urls(trial.path());
    assert!(
        second.len() > first.len(),
        "raising max_pages fetched nothing new"
    );
    crawl(profile, cfg, options(trial.path()), &lock).unwrap();
    assert_eq!(fetched_urls(trial.path()), everything);
    rt.block_on(server.shutdown());
}
