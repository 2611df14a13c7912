//! `explain --store DIR URL`: a page straight from a crawl store, found by
//! its canonical URL, the URL it was fetched from, or an alias; a URL the
//! store does not hold is a clear error.

use crate::common::site::{crawl_fixture_site, sitelift};

#[test]
fn explain_a_page_of_a_store_by_any_of_its_urls() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let store_s = store.display().to_string();
    crawl_fixture_site(&store);
    let explain = |url: &str| {
        sitelift(&[
            "explain",
            "--profile",
            "selectors/iranfocus.toml",
            "--store",
            &store_s,
            url,
        ])
    };
    // the canonical URL (query parameters sorted) and the URL as linked
    let canonical = "https://www.iranfocus.com/en/index.php?id=7198&option=com_content&task=view";
    let linked = "https://www.iranfocus.com/en/index.php?option=com_content&task=view&id=7198";
    for url in [canonical, linked] {
        let (code, out, err) = explain(url);
        assert_eq!(code, Some(0), "{url}: {err}");
        assert!(out.starts_with("store: "), "{out}");
        assert!(out.contains(&format!("({canonical})")), "{out}");
        assert!(out.contains("template `joomla-article` matches"), "{out}");
        assert!(out.contains("\"legacy_id\": \"7198\""), "{out}");
    }
    let (code, _, err) = explain("https://www.iranfocus.com/en/no-such-page.html");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("is not a fetched page of the store") && err.contains("sitelift status"),
        "{err}"
    );
}
