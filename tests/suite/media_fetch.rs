//! Media in the crawl, on the served fixture site: every asset its records
//! reference is in the ledger as media with the right status and reason
//! (fetched, the missing image `failed http_404`, the CDN image fetched
//! only because `[media] hosts` allows it, a type not in `types` skipped),
//! media are never parsed, take their page's depth and do not count
//! against `max_pages`, each is asked for once, and their WARC records are
//! read back by an independent reader (warcio).

use crate::common::media::{
    crawl_dir, crawl_site, crawled, fixture_assets, fixture_files, path_of, profile_with_media, CDN,
};
use crate::common::site;

use std::collections::BTreeSet;

use sitelift::frontier::ledger::{Ledger, Row, Status, UrlKind};

const CDN_IMAGE: &str = "https://cdn.iranfocus.com/images/2021/09/sco-summit.png";
const MISSING: &str = "https://www.iranfocus.com/wp-content/uploads/2006/06/abadan-refinery.jpg";

fn row(ledger: &Ledger, url: &str) -> Row {
    ledger
        .get(url)
        .unwrap()
        .unwrap_or_else(|| panic!("{url} is not in the ledger"))
}

/// The row that holds an asset's bytes: the asset's own, or the end of the
/// redirect it was skipped for.
fn settled(ledger: &Ledger, url: &str) -> Row {
    let r = row(ledger, url);
    if r.reason.as_deref() == Some("redirect") {
        let to = ledger
            .canonical_of(url)
            .unwrap()
            .expect("a redirect has its target");
        return row(ledger, &to);
    }
    r
}

#[test]
fn every_asset_of_the_fixture_site_is_accounted_for_in_the_ledger() {
    let c = crawled();
    let ledger = Ledger::open_read_only(c.store()).unwrap();
    let assets = fixture_assets(&c.profile);
    let files = fixture_files();
    assert_eq!(assets.len(), 8, "{:?}", assets.keys().collect::<Vec<_>>());
    for url in assets.keys() {
        let own = row(&ledger, url);
        assert_eq!(own.kind, UrlKind::Media, "{url}: {own:?}");
        let r = settled(&ledger, url);
        assert_eq!(r.kind, UrlKind::Media, "{url}: {r:?}");
        match files.get(url) {
            Some(file) => {
                assert_eq!(
                    (r.status, r.http_status),
                    (Status::Fetched, Some(200)),
                    "{url}: {r:?}"
                );
                let bytes = std::fs::read(file).unwrap();
                assert_eq!(
                    r.digest,
                    Some(sitelift::crawl::payload_digest(&bytes)),
                    "{url}"
                );
                assert_eq!(c.asked(&path_of(&r.url)), 1, "{url} asked for once");
            }
            None => {
                assert_eq!(url, MISSING);
                assert_eq!(
                    (r.status, r.reason.as_deref()),
                    (Status::Failed, Some("http_404")),
                    "{r:?}"
                );
            }
        }
    }
    // the Joomla-era image answered 301: followed, and both URLs are media
    let old = "https://www.iranfocus.com/en/images/stories/iraq/tehran_baghdad.jpg";
    assert_eq!(row(&ledger, old).reason.as_deref(), Some("redirect"));
    assert!(settled(&ledger, old)
        .url
        .ends_with("/wp-content/uploads/2006/05/tehran_baghdad.jpg"));

    // nothing else is media, media take their page's depth and are never parsed
    let mut all = Vec::new();
    for st in Status::ALL {
        all.extend(ledger.urls(st).unwrap());
    }
    let media: BTreeSet<&str> = all
        .iter()
        .filter(|r| r.kind == UrlKind::Media)
        .map(|r| r.url.as_str())
        .collect();
    let redirected: BTreeSet<String> = assets.keys().map(|u| settled(&ledger, u).url).collect();
    for m in &media {
        assert!(
            assets.contains_key(*m) || redirected.contains(*m),
            "{m} is media but no record references it"
        );
    }
    for r in all.iter().filter(|r| r.kind == UrlKind::Media) {
        let page = row(&ledger, r.found_on.as_deref().expect("found on a page"));
        assert_eq!(
            r.depth, page.depth,
            "{} takes the depth of {}",
            r.url, page.url
        );
    }
    for r in all.iter().filter(|r| r.kind == UrlKind::Page) {
        let on = r.found_on.as_deref().unwrap_or_default();
        assert!(!media.contains(on), "{} was found on the asset {on}", r.url);
    }
    // the srcset candidates that are not the largest are never asked for
    assert_eq!(
        c.asked("/wp-content/uploads/2021/09/iran-teachers-protest-300x200.jpg"),
        0
    );
    assert_eq!(c.asked(&path_of(MISSING)), 1);
}

#[test]
fn cdn_media_urls_keep_their_host_under_the_sites_www_rule() {
    // the profile adds `www.` to the site's hosts; the CDN is not the site
    let c = crawled();
    let ledger = Ledger::open_read_only(c.store()).unwrap();
    let r = row(&ledger, CDN_IMAGE);
    assert_eq!(
        (r.kind, r.status),
        (UrlKind::Media, Status::Fetched),
        "{r:?}"
    );
    assert_eq!(r.final_url, None);
    assert!(ledger
        .get("https://www.cdn.iranfocus.com/images/2021/09/sco-summit.png")
        .unwrap()
        .is_none());
}

#[test]
fn the_cdn_image_is_fetched_only_because_media_hosts_allow_it() {
    // allowed: fetched (crawled() has the bundled profile, hosts = [CDN])
    let with = crawled();
    let ledger = Ledger::open_read_only(with.store()).unwrap();
    assert_eq!(row(&ledger, CDN_IMAGE).status, Status::Fetched);
    assert_eq!(with.asked(&path_of(CDN_IMAGE)), 1);
    assert!(with
        .profile
        .media
        .hosts
        .iter()
        .any(|h| *h == sitelift::media::HostPattern::Exact(CDN.into())));

    // without [media] hosts: skipped out_of_scope, never asked; and `crawl`
    // (no record output) learns the assets all the same
    let without = crawl_site(
        Some(&profile_with_media("[media]\nfetch = true\n")),
        false,
        None,
    );
    let ledger = Ledger::open_read_only(without.store()).unwrap();
    let r = row(&ledger, CDN_IMAGE);
    assert_eq!(
        (r.kind, r.status, r.reason.as_deref()),
        (UrlKind::Media, Status::Skipped, Some("out_of_scope")),
        "{r:?}"
    );
    assert!(r.detail.unwrap().contains("cdn.iranfocus.com"));
    assert_eq!(without.asked(&path_of(CDN_IMAGE)), 0);
    let fetched_media = ledger
        .counts_of(UrlKind::Media)
        .unwrap()
        .into_iter()
        .filter(|c| c.0 == Status::Fetched)
        .map(|c| c.2)
        .sum::<u64>();
    // 8 assets: the CDN image skipped, the missing one failed, the old
    // Joomla URL skipped for its redirect to the one fetched instead
    assert_eq!(
        fetched_media, 6,
        "every other asset is fetched by crawl too"
    );
}

#[test]
fn a_media_type_not_in_types_is_skipped() {
    let profile = profile_with_media(&format!(
        "[media]\ntypes = [\"jpg\", \"jpeg\", \"pdf\"]\nhosts = [\"{CDN}\"]\n"
    ));
    let c = crawl_site(Some(&profile), false, None);
    let ledger = Ledger::open_read_only(c.store()).unwrap();
    for png in [
        "https://www.iranfocus.com/wp-content/uploads/2006/05/iran-iraq-map.png",
        CDN_IMAGE,
    ] {
        let r = row(&ledger, png);
        assert_eq!(
            (r.kind, r.status, r.reason.as_deref()),
            (UrlKind::Media, Status::Skipped, Some("content_type")),
            "{r:?}"
        );
        assert_eq!(c.asked(&path_of(png)), 0, "{png}");
    }
    // the PDF is served as application/octet-stream: its extension says what it is
    let pdf = row(
        &ledger,
        "https://www.iranfocus.com/wp-content/uploads/2005/10/baghdad-trade-fair-programme.pdf",
    );
    assert_eq!(
        (pdf.status, pdf.content_type.as_deref()),
        (Status::Fetched, Some("application/octet-stream"))
    );
}

#[test]
fn media_do_not_count_against_max_pages() {
    let c = crawl_site(None, false, Some(6));
    let ledger = Ledger::open_read_only(c.store()).unwrap();
    let pages = ledger.counts_of(UrlKind::Page).unwrap();
    let in_budget: u64 = pages
        .iter()
        .filter(|c| c.0 != Status::Skipped)
        .map(|c| c.2)
        .sum();
    assert_eq!(in_budget, 6, "{pages:?}");
    // every asset of every article fetched within the budget is media, and none was skipped for the budget
    let fetched: Vec<Row> = ledger.fetched_pages().unwrap();
    let records = crate::common::media::fixture_records();
    let mut seen = 0;
    for p in &fetched {
        for r in records
            .iter()
            .filter(|r| r.url == p.url || r.aliases.contains(&p.url))
        {
            for a in sitelift::media::assets_of(r, &c.profile.media) {
                let m = settled(&ledger, &a.url);
                assert_ne!(m.reason.as_deref(), Some("max_pages"), "{m:?}");
                assert!(
                    matches!(m.status, Status::Fetched | Status::Failed),
                    "{m:?}"
                );
                seen += 1;
            }
        }
    }
    let media_total: u64 = ledger
        .counts_of(UrlKind::Media)
        .unwrap()
        .iter()
        .map(|c| c.2)
        .sum();
    assert!(media_total as usize >= seen);
}

#[test]
fn media_larger_than_max_mb_fail_too_large() {
    use axum::routing::get;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let big = axum::Router::new().route(
            "/up/big.jpg",
            get(|| async { ([("content-type", "image/jpeg")], vec![0xFFu8; 1536 * 1024]) }),
        );
        let server = sitelift::serve::serve(
            &site::fixtures(),
            "127.0.0.1:0".parse().unwrap(),
            sitelift::serve::ServeOptions {
                crawl_delay: None,
                extra: Some(big),
            },
        )
        .await
        .unwrap();
        let f = sitelift::fetch::Fetcher::new(sitelift::fetch::FetchConfig {
            allow_private: vec!["127.0.0.1".into()],
            delay_per_host: std::time::Duration::ZERO,
            max_attempts: 1,
            ..Default::default()
        })
        .unwrap();
        let spec = sitelift::media::MediaSpec {
            max_bytes: 1024 * 1024,
            ..Default::default()
        };
        let accept = |a: &url::Url, b: &url::Url, ct: Option<&str>| spec.accepts(a, b, ct);
        let in_scope = |_: &url::Url| Ok(());
        let fetch = |max_bytes| {
            let url = url::Url::parse(&format!("http://{}/up/big.jpg", server.addr())).unwrap();
            let f = f.clone();
            let accept = &accept;
            let in_scope = &in_scope;
            async move {
                let want = sitelift::fetch::MediaWant { max_bytes, accept };
                f.fetch_media(&url, in_scope, &want).await
            }
        };
        match fetch(1024 * 1024).await {
            sitelift::fetch::FetchOutcome::Failed(fail) => {
                assert_eq!(fail.reason.code(), "too_large")
            }
            other => panic!("{:?}", other.reason()),
        }
        match fetch(2 * 1024 * 1024).await {
            sitelift::fetch::FetchOutcome::Response(r) => assert_eq!(r.body.len(), 1536 * 1024),
            other => panic!("{:?}", other.reason()),
        }
        server.shutdown().await;
    });
}

#[test]
fn media_records_are_read_back_by_warcio() {
    let c = crawled();
    let files: Vec<_> = std::fs::read_dir(c.store().join("warc"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let check = std::process::Command::new("python3")
        .arg(site::root().join("tests/warc_check.py"))
        .arg(&files[0])
        .arg(c.summary.fetched_now.to_string())
        .output()
        .expect("python3");
    let stdout = String::from_utf8_lossy(&check.stdout);
    match check.status.code() {
        Some(0) => {
            assert!(stdout.contains("all digests verified"), "{stdout}");
            for url in fixture_files()
                .keys()
                .filter(|u| !u.contains("/en/images/"))
            {
                assert!(
                    stdout.contains(&format!("\t{url}\n")),
                    "{url} not read back:\n{stdout}"
                );
            }
        }
        Some(3) if std::env::var_os("CI").is_none() => {
            eprintln!("skipping the warcio check: {stdout}")
        }
        _ => panic!(
            "warc_check.py failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&check.stderr)
        ),
    }
}

#[test]
fn an_image_first_linked_as_a_page_is_fetched_as_media() {
    // a start page links /img.php?id=5 (no media extension: queued as a
    // page, and skipped for its type when fetched as one); the article it
    // links to shows the same URL as an image: it becomes media and is fetched
    let site = tempfile::tempdir().unwrap();
    let put = |name: &str, text: &str| std::fs::write(site.path().join(name), text).unwrap();
    put(
        "start.html",
        "<html><body><p>Start</p><a href=\"/img.php?id=5\">the photo</a> <a href=\"/en/iran-news/x/1-b/\">story</a></body></html>",
    );
    put(
        "start.meta.json",
        r#"{"url": "https://www.iranfocus.com/en/start/"}"#,
    );
    put(
        "b.html",
        "<html><body><h1 class=\"entry-title\">A story</h1><div class=\"td-post-content\"><p>A story long enough to be one.</p><figure><img src=\"/img.php?id=5\" alt=\"The photo\"></figure></div></body></html>",
    );
    put(
        "b.meta.json",
        r#"{"url": "https://www.iranfocus.com/en/iran-news/x/1-b/"}"#,
    );
    std::fs::copy(
        site::fixtures().join("media-iran-iraq-map.png"),
        site.path().join("img.png"),
    )
    .unwrap();
    put(
        "img.png.meta.json",
        r#"{"url": "https://www.iranfocus.com/img.php?id=5", "content_type": "image/png"}"#,
    );
    let c = crawl_dir(
        site.path(),
        None,
        false,
        None,
        &["https://www.iranfocus.com/en/start/"],
    );
    let ledger = Ledger::open_read_only(c.store()).unwrap();
    let r = row(&ledger, "https://www.iranfocus.com/img.php?id=5");
    assert_eq!(
        (r.kind, r.status, r.http_status),
        (UrlKind::Media, Status::Fetched, Some(200)),
        "{r:?}"
    );
    let store = sitelift::media::StoreMedia::open(c.store(), None).unwrap();
    let a = sitelift::media::MediaSource::get(&store, "https://www.iranfocus.com/img.php?id=5")
        .unwrap()
        .expect("stored");
    assert_eq!(sitelift::media::sniff(&a.bytes), Some("image/png"));
    assert!(
        c.asked("/img.php?id=5") <= 2,
        "once as a page at most, once as media"
    );
}
