//! Finding assets again offline: a crawl store (through the ledger, its
//! redirects followed), WARC files (the store's own, and one written by
//! wget), and a saved folder (sidecars, `HOST/PATH`, relative to a page)
//! give the same bytes and digests for the same asset, `None` for one that
//! is missing, and never a file outside the folder.
//!
//! `tests/data/wget-media.warc.gz` was written by GNU Wget 1.21.3
//! (`wget --warc-file=wget-media --no-warc-keep-log -e robots=off -nd
//! --delete-after URL...`) against `sitelift serve fixtures/iranfocus
//! --bind 127.0.0.1:8766`: an article, its srcset image, the PDF, the CDN
//! image and the missing image (a 404).

use crate::common::media::{crawled, fixture_assets, fixture_files};
use crate::common::site;

use std::path::PathBuf;

use sitelift::media::{sha256_hex, sniff, MediaSource, SavedMedia, StoreMedia, WarcMedia};

#[test]
fn store_warc_files_and_saved_folder_give_the_same_bytes_and_digests() {
    let c = crawled();
    let canon = c.profile.crawl.as_ref().map(|k| k.canon.clone());
    let store = StoreMedia::open(c.store(), canon).unwrap();
    let warcs: Vec<PathBuf> = std::fs::read_dir(c.store().join("warc"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let (warc, problems) = WarcMedia::open(&warcs);
    assert!(problems.is_empty(), "{problems:?}");
    let saved = SavedMedia::open(&site::fixtures(), None).unwrap();
    assert!(saved.problems().is_empty(), "{:?}", saved.problems());
    let files = fixture_files();
    let sources: [(&str, &dyn MediaSource); 3] =
        [("store", &store), ("warc", &warc), ("saved", &saved)];
    let mut found = 0;
    for (url, asset) in fixture_assets(&c.profile) {
        let get = |name: &str, s: &dyn MediaSource, u: &str| {
            s.get(u).unwrap_or_else(|e| panic!("{name} {u}: {e}"))
        };
        let mut got: Vec<_> = sources
            .iter()
            .map(|(name, s)| (name, get(name, *s, &url)))
            .collect();
        // sitelift's WARC files hold the response of a redirect's end, under
        // that URL (the ledger knows the hops): asked for it there
        if let (Some(end), None) = (got[0].1.clone(), &got[1].1) {
            got[1].1 = get("warc", &warc, &end.url);
        }
        let Some(file) = files.get(&url) else {
            for (name, a) in &got {
                assert!(a.is_none(), "{name} has the missing {url}");
            }
            continue;
        };
        let want = std::fs::read(file).unwrap();
        let first = got[0]
            .1
            .clone()
            .unwrap_or_else(|| panic!("store lacks {url}"));
        for (name, a) in &got {
            let a = a.as_ref().unwrap_or_else(|| panic!("{name} lacks {url}"));
            assert_eq!(sha256_hex(&a.bytes), sha256_hex(&want), "{name} {url}");
            assert_eq!(a.bytes, want, "{name} {url}");
            assert_eq!(
                a.url, first.url,
                "{name} {url}: the URL the bytes came from"
            );
            assert_eq!(a.content_type, first.content_type, "{name} {url}");
        }
        // what the bytes are, whatever the server declared
        let expected = match asset.kind {
            sitelift::media::AssetKind::Document => "application/pdf",
            _ if url.ends_with(".png") => "image/png",
            _ => "image/jpeg",
        };
        assert_eq!(sniff(&first.bytes), Some(expected), "{url}");
        assert!(
            sitelift::media::dimensions(&first.bytes).is_some() || expected == "application/pdf"
        );
        found += 1;
    }
    assert_eq!(found, 7);
    // a redirected asset is found under its old URL, with the URL that
    // answered (in a store through the ledger's aliases, in a saved folder
    // through the sidecar's; a WARC file follows the 3xx records it holds)
    let old = "https://www.iranfocus.com/en/images/stories/iraq/tehran_baghdad.jpg";
    for (name, s) in [sources[0], sources[2]] {
        let a = s
            .get(old)
            .unwrap()
            .unwrap_or_else(|| panic!("{name} lacks {old}"));
        assert_eq!(
            a.url, "https://www.iranfocus.com/wp-content/uploads/2006/05/tehran_baghdad.jpg",
            "{name}"
        );
    }
    // a page is not media in a WARC index; unknown URLs are missing everywhere
    let page = "https://www.iranfocus.com/en/iran-news/human-rights/35013-iran-teacher-suicide-is-increasing/";
    assert!(warc.get(page).unwrap().is_none());
    for (name, s) in sources {
        assert!(
            s.get("https://www.iranfocus.com/nothing.png")
                .unwrap()
                .is_none(),
            "{name}"
        );
        assert!(s.get("not a url").unwrap().is_none(), "{name}");
    }
}

#[test]
fn a_wget_warc_gives_the_media_of_its_records() {
    let path = site::root().join("tests/data/wget-media.warc.gz");
    let (warc, problems) = WarcMedia::open(std::slice::from_ref(&path));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        warc.len(),
        4,
        "the media responses (404 included), not the page"
    );
    // the record of the article in the file, and its assets
    let profile =
        sitelift::profile::Profile::load(&site::root().join("selectors/iranfocus.toml")).unwrap();
    let (pages, _) = sitelift::sources::warc::pages(std::slice::from_ref(&path));
    assert_eq!(pages.len(), 1);
    let rec = sitelift::sources::store::read_record(&pages[0].location).unwrap();
    let http = rec.http_response().unwrap();
    let url = url::Url::parse(&pages[0].fetched_url).unwrap();
    let page = sitelift::extract::Page {
        url: &url,
        bytes: &http.body,
        content_type: http.header("content-type"),
        url_source: "warc",
    };
    let sitelift::record::Outcome::Record(record) = sitelift::extract::extract(&page, &profile)
    else {
        panic!("the article gives a record");
    };
    let assets = sitelift::media::assets_of(&record, &profile.media);
    let urls: Vec<&str> = assets.iter().map(|a| a.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://www.iranfocus.com/wp-content/uploads/2021/09/iran-teachers-protest.jpg",
            "http://127.0.0.1:8766/wp-content/uploads/2021/09/iran-teachers-protest-768x512.jpg",
        ],
        "the featured image (absolute in og:image) and the body's srcset image (relative)"
    );
    assert!(
        warc.get(urls[0]).unwrap().is_none(),
        "wget did not fetch the featured image"
    );
    let body = warc
        .get(urls[1])
        .unwrap()
        .expect("the body image is in the file");
    let fixture =
        std::fs::read(site::fixtures().join("media-iran-teachers-protest-768x512.jpg")).unwrap();
    assert_eq!(sha256_hex(&body.bytes), sha256_hex(&fixture));
    assert_eq!(body.content_type.as_deref(), Some("image/jpeg"));
    let pdf = warc
        .get("http://127.0.0.1:8766/wp-content/uploads/2005/10/baghdad-trade-fair-programme.pdf")
        .unwrap()
        .expect("pdf");
    assert_eq!(sniff(&pdf.bytes), Some("application/pdf"));
    assert!(
        warc.get("http://127.0.0.1:8766/wp-content/uploads/2006/06/abadan-refinery.jpg")
            .unwrap()
            .is_none(),
        "a 404 is missing"
    );
}

/// A wget-style mirror: `ROOT/HOST/PATH`, a query in a file name, and a
/// page whose assets are found relative to it.
fn mirror() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let put = |rel: &str, bytes: &[u8]| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    };
    put("www.site.org/en/news/1-a/index.html", b"<html></html>");
    put("www.site.org/up/one.png", b"one");
    put("www.site.org/img.php?id=3", b"three");
    put("www.site.org/up/caf\u{e9}.png", b"cafe");
    put("outside.png", b"not under the host");
    // saved as `news/a.html`, not under its host: only the relative rule finds its assets
    put("saved/news/a.html", b"<html></html>");
    put(
        "saved/news/a.meta.json",
        br#"{"url": "https://old.site.org/en/news/a.html"}"#,
    );
    put("saved/up/two.jpg", b"two");
    put("saved/up/three.jpg", b"three-sidecar");
    put(
        "saved/up/three.jpg.meta.json",
        br#"{"url": "https://cdn.site.org/x/3.jpg", "content_type": "image/jpeg"}"#,
    );
    put("saved/up/bad.meta.json", b"{not json");
    dir
}

#[test]
fn a_saved_folder_finds_assets_by_sidecar_host_path_and_page() {
    let dir = mirror();
    let m = SavedMedia::open(dir.path(), None).unwrap();
    let bytes = |url: &str| m.get(url).unwrap().map(|a| a.bytes);
    assert_eq!(
        bytes("https://www.site.org/up/one.png").as_deref(),
        Some(&b"one"[..])
    );
    assert_eq!(
        bytes("http://www.site.org/img.php?id=3").as_deref(),
        Some(&b"three"[..])
    );
    assert_eq!(
        bytes("https://www.site.org/up/caf%C3%A9.png").as_deref(),
        Some(&b"cafe"[..])
    );
    // by sidecar, with its content type
    let a = m.get("https://cdn.site.org/x/3.jpg#frag").unwrap().unwrap();
    assert_eq!(
        (a.bytes.as_slice(), a.content_type.as_deref()),
        (&b"three-sidecar"[..], Some("image/jpeg"))
    );
    // relative to a page known by its sidecar: ../up/two.jpg from /en/news/ is saved/up/two.jpg
    assert_eq!(
        bytes("https://old.site.org/en/up/two.jpg").as_deref(),
        Some(&b"two"[..])
    );
    assert_eq!(m.problems().len(), 1, "{:?}", m.problems());
    // and relative to a page given by the caller, in a folder that is the host itself
    let host = dir.path().join("www.site.org");
    let m = SavedMedia::open(&host, None).unwrap();
    let page_url = url::Url::parse("https://www.site.org/en/news/1-a/").unwrap();
    let page = m.for_page(&page_url, &host.join("en/news/1-a/index.html"));
    assert_eq!(
        page.get("https://www.site.org/up/one.png")
            .unwrap()
            .unwrap()
            .bytes,
        b"one"
    );
    assert!(
        m.get("https://www.site.org/up/one.png").unwrap().is_none(),
        "without the page: no rule finds it"
    );
    // under the base URL
    let m = SavedMedia::open(
        &host,
        Some(&url::Url::parse("https://www.site.org/").unwrap()),
    )
    .unwrap();
    assert_eq!(
        m.get("https://www.site.org/up/one.png")
            .unwrap()
            .unwrap()
            .bytes,
        b"one"
    );
}

#[test]
fn a_saved_folder_never_finds_a_file_outside_it() {
    let dir = mirror();
    let host = dir.path().join("www.site.org");
    let m = SavedMedia::open(&host, None).unwrap();
    let page_url = url::Url::parse("https://www.site.org/en/news/1-a/").unwrap();
    let page = m.for_page(&page_url, &host.join("en/news/1-a/index.html"));
    for url in [
        "https://www.site.org/../outside.png",
        "https://www.site.org/up/..%2F..%2Foutside.png",
        "https://www.site.org/%2E%2E/outside.png",
        "https://www.site.org/up/%2e%2e%5coutside.png",
    ] {
        assert!(page.get(url).unwrap().is_none(), "{url}");
        assert!(m.get(url).unwrap().is_none(), "{url}");
    }
    // a page deeper than the folder cannot climb above its root either
    let shallow = m.for_page(
        &url::Url::parse("https://www.site.org/a/b/c/d/e/").unwrap(),
        &host.join("index.html"),
    );
    assert!(shallow
        .get("https://www.site.org/outside.png")
        .unwrap()
        .is_none());
}
