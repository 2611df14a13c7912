//! Migration outputs on the crawler's test site (the fixture folder served on
//! 127.0.0.1): the redirect map covers every alias in the ledger, the run
//! report's counts add up to the ledger's, and `sitelift diff` of two
//! extractions with one selector changed names exactly the records and the
//! field that changed. One crawl is shared by the tests of this file.

use crate::common::site;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_json::Value;
use sitelift::crawl::{crawl, CrawlOptions};
use sitelift::frontier::ledger::Ledger;
use sitelift::profile::Profile;

fn profile_path() -> PathBuf {
    site::root().join("selectors/iranfocus.toml")
}

/// Crawl the test site once (no fault routes as seeds: only the site).
fn store() -> &'static Path {
    static STORE: OnceLock<tempfile::TempDir> = OnceLock::new();
    STORE
        .get_or_init(|| {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            let server = site::start(&rt, &site::fixtures(), None);
            let profile = Profile::load(&profile_path()).unwrap();
            let mut cfg = profile.crawl.clone().unwrap();
            cfg.fetch.connect_to = vec![
                ("www.iranfocus.com".into(), server.addr()),
                ("iranfocus.com".into(), server.addr()),
            ];
            cfg.fetch.allow_private = vec!["127.0.0.1".into()];
            cfg.fetch.delay_per_host = Duration::from_millis(20);
            cfg.fetch.timeout = Duration::from_millis(1500);
            cfg.fetch.max_attempts = 2;
            cfg.fetch.backoff_base = Duration::from_millis(20);
            let dir = tempfile::tempdir().unwrap();
            let lock = sitelift::store::StoreLock::acquire(dir.path(), "test").unwrap();
            let opts = CrawlOptions {
                store: dir.path().to_path_buf(),
                seeds: vec![],
                retry_failed: false,
                extract: false,
                progress: None,
                profile_fingerprint: "test".into(),
            };
            let summary = crawl(Arc::new(profile), cfg, opts, &lock).unwrap();
            assert!(!summary.interrupted);
            rt.block_on(server.shutdown());
            dir
        })
        .path()
}

/// Run a sitelift command in this process (the binary in a shared target
/// folder may be another checkout's build); returns its exit code.
fn sitelift(args: &[&std::ffi::OsStr]) -> i32 {
    let mut all = vec![std::ffi::OsStr::new("sitelift")];
    all.extend_from_slice(args);
    match sitelift::cli::run_args(all) {
        Ok(code) => i32::from(code),
        Err(e) => panic!("sitelift {args:?}: {e:#}"),
    }
}

/// `sitelift extract --store` into `out/records.jsonl`; returns the exit code.
fn extract(profile: &Path, out: &Path) -> i32 {
    let code = sitelift(&[
        "extract".as_ref(),
        "--profile".as_ref(),
        profile.as_os_str(),
        "--store".as_ref(),
        store().as_os_str(),
        "--out".as_ref(),
        out.join("records.jsonl").as_os_str(),
    ]);
    assert!(code == 0 || code == 1, "exit code {code}");
    code
}

fn jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn redirect_map_covers_every_ledger_alias_and_the_report_adds_up() {
    let out = tempfile::tempdir().unwrap();
    extract(&profile_path(), out.path());
    let ledger = Ledger::open(store()).unwrap();

    // Every alias the ledger knows is a line of the CSV map.
    let csv = std::fs::read_to_string(out.path().join("records.redirects.csv")).unwrap();
    let mapped: BTreeSet<String> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    // (of pages: where a media URL redirected is the media package's business)
    let aliases: Vec<_> = ledger
        .all_aliases()
        .unwrap()
        .into_iter()
        .filter(|(_, canonical, _)| {
            ledger.get(canonical).unwrap().map(|r| r.kind)
                != Some(sitelift::frontier::ledger::UrlKind::Media)
        })
        .collect();
    assert!(!aliases.is_empty(), "the test site has aliases");
    for (alias, canonical, how) in &aliases {
        assert!(
            mapped.contains(alias),
            "alias {alias} ({how} of {canonical}) is not in the redirect map"
        );
    }
    // And every record URL; the nginx map has a line per path.
    let records: Vec<Value> = jsonl(&out.path().join("records.jsonl"))
        .into_iter()
        .filter(|v| v.get("template").is_some())
        .collect();
    for r in &records {
        assert!(mapped.contains(r["url"].as_str().unwrap()));
    }
    let nginx = std::fs::read_to_string(out.path().join("records.redirects.map")).unwrap();
    assert!(nginx.contains("map $request_uri $sitelift_new_url {"));
    assert!(
        nginx.contains("\"/en/index.php?id=7198&option=com_content"),
        "{nginx}"
    );

    // The report's counts add up to the ledger's pages' (media are not pages).
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("records.report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report["outcome"], "complete");
    let mut ledger_total = 0;
    let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
    for (st, _, n) in ledger
        .counts_of(sitelift::frontier::ledger::UrlKind::Page)
        .unwrap()
    {
        ledger_total += n;
        *by_status.entry(st.as_str().into()).or_default() += n;
    }
    assert_eq!(report["pages"]["total"], ledger_total);
    for (st, n) in &by_status {
        let reasons = report["pages"]["by_status"][st].as_object().unwrap();
        assert_eq!(
            reasons.values().map(|v| v.as_u64().unwrap()).sum::<u64>(),
            *n,
            "{st}"
        );
    }
    let html_pages = sitelift::sources::store::pages(store()).unwrap().len() as u64;
    let e = &report["extraction"];
    let parts: u64 = ["records", "merged", "not_emitted", "unmatched", "failed"]
        .iter()
        .map(|k| e[k].as_u64().unwrap())
        .sum();
    assert_eq!(e["pages"], html_pages);
    assert_eq!(parts, html_pages);
    assert!(html_pages <= by_status["fetched"]);
    assert_eq!(e["records"], records.len() as u64);
    let by_template: u64 = report["records_by_template"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(by_template, records.len() as u64);
    assert_eq!(report["fields"]["title"]["records"], records.len() as u64);
}

#[test]
fn diff_names_exactly_the_records_and_field_a_selector_change_touches() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // The authors selector now also takes the post title: every record whose
    // title came from that header changes in `authors`, and nothing else.
    let text = std::fs::read_to_string(profile_path()).unwrap();
    let changed = text.replacen(
        r#"select = [".td-post-author-name a","#,
        r#"select = [".td-post-author-name a, header.td-post-title h1.entry-title","#,
        1,
    );
    assert_ne!(text, changed, "the profile line to change was not found");
    let changed_profile = b.path().join("changed.toml");
    std::fs::write(&changed_profile, changed).unwrap();
    extract(&profile_path(), a.path());
    extract(&changed_profile, b.path());

    let old = a.path().join("records.jsonl");
    let new = b.path().join("records.jsonl");
    let code = sitelift(&["diff".as_ref(), old.as_os_str(), new.as_os_str()]);
    assert_eq!(code, 1, "changes must give exit status 1");
    let load = |p: &Path| sitelift::output::diff::load(p).unwrap();
    let d = sitelift::output::diff::diff(&load(&old), &load(&new), &Default::default());
    let d = serde_json::to_value(&d).unwrap();
    assert_eq!(d["added"].as_array().unwrap().len(), 0);
    assert_eq!(d["removed"].as_array().unwrap().len(), 0);
    let expected: BTreeSet<String> = jsonl(&old)
        .iter()
        .filter(|r| r["provenance"]["title"] == "header.td-post-title h1.entry-title")
        .map(|r| r["legacy_id"].as_str().unwrap().to_string())
        .collect();
    assert!(!expected.is_empty());
    let got: BTreeSet<String> = d["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, expected);
    for c in d["changed"].as_array().unwrap() {
        let fields: Vec<&str> = c["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, vec!["authors"], "{c}");
    }
    assert_eq!(
        d["per_field"],
        serde_json::json!({ "authors": expected.len() })
    );
    let d = sitelift::output::diff::diff(&load(&old), &load(&new), &Default::default());
    let text = sitelift::output::diff::render(&d, 50);
    assert!(
        text.contains(&format!("authors: {} records", expected.len())),
        "{text}"
    );

    // --field on another field finds nothing; an output against itself neither.
    let code = sitelift(&[
        "diff".as_ref(),
        "--field".as_ref(),
        "title".as_ref(),
        old.as_os_str(),
        new.as_os_str(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        sitelift(&["diff".as_ref(), old.as_os_str(), old.as_os_str()]),
        0
    );
}

/// `run`'s final assembly reads a store's pages from the ledger as it goes
/// (`page_stream`): the same pages, in the same order, with the same
/// aliases and locations as the listing `extract --store` holds at once;
/// and a stream left half read stops without an error.
#[test]
fn streamed_store_pages_are_the_listed_ones() {
    let listed = sitelift::sources::store::pages(store()).unwrap();
    assert!(listed.len() > 10, "the crawl stored pages");
    assert!(
        listed.iter().any(|p| !p.aliases.is_empty()),
        "some page has aliases, so their order is checked too"
    );
    let mut stream = sitelift::sources::store::page_stream(store()).unwrap();
    assert!(stream.fetched >= listed.len() as u64);
    let streamed: Vec<_> = stream.by_ref().collect();
    assert_eq!(stream.end().unwrap(), listed.len() as u64);
    let show = |p: &sitelift::sources::StoredPage| format!("{p:?}");
    assert_eq!(
        streamed.iter().map(show).collect::<Vec<_>>(),
        listed.iter().map(show).collect::<Vec<_>>()
    );
    let mut half = sitelift::sources::store::page_stream(store()).unwrap();
    assert_eq!(
        half.next().map(|p| p.key_url),
        Some(listed[0].key_url.clone())
    );
    assert!(half.end().is_ok());
    let not_a_store = tempfile::tempdir().unwrap();
    let err = sitelift::sources::store::page_stream(not_a_store.path())
        .err()
        .unwrap();
    assert!(err.to_string().contains("no ledger.sqlite"), "{err}");
}
