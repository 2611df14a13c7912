//! The README's first command: `run` on the bundled demo site
//! (`fixtures/demo/iranfocus`, the fixture site with its gaps closed) exits 0 with a
//! clean report, while the fixture site itself (the broken variant the
//! other tests use) still fails the pages it lacks. And the committed demo
//! folder is exactly what `fixtures/make_demo.py` writes from the fixture
//! site, so the two cannot drift apart.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::site::{root, sitelift};

fn run_demo(site: &str, out: &Path) -> (Option<i32>, String) {
    let store = out.join("store").display().to_string();
    let records = out.join("records.jsonl").display().to_string();
    let (code, _, err) = sitelift(&[
        "run",
        "--profile",
        "selectors/iranfocus.toml",
        "--serve",
        site,
        "--store",
        &store,
        "--out",
        &records,
        "--delay-ms",
        "0",
    ]);
    (code, err)
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn the_demo_site_is_whole_and_its_run_exits_0_with_a_clean_report() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = run_demo("fixtures/demo/iranfocus", dir.path());
    assert_eq!(code, Some(0), "demo run: {err}");
    assert!(
        err.contains("11 records (1 duplicate pages merged by legacy id), 4 not emitted (listings), 0 unmatched, 0 failed"),
        "{err}"
    );
    let records = std::fs::read_to_string(dir.path().join("records.jsonl")).unwrap();
    assert_eq!(
        records
            .lines()
            .filter(|l| l.contains("\"legacy_id\""))
            .count(),
        11
    );
    let store = dir.path().join("store").display().to_string();
    let (code, status, _) = sitelift(&["status", &store, "--json"]);
    assert_eq!(code, Some(0));
    let status: Value = serde_json::from_str(&status).unwrap();
    assert_eq!(status["failed"]["total"], 0, "{status}");
    let report = json(&dir.path().join("records.report.json"));
    let warnings = report.to_string();
    assert!(!warnings.contains("missing_media"), "{warnings}");
    let links = std::fs::read_to_string(dir.path().join("records.links.jsonl")).unwrap();
    assert_eq!(links, "", "links to legacy pages not migrated");
}

#[test]
fn the_fixture_site_stays_the_broken_variant() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = run_demo("fixtures/iranfocus", dir.path());
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("1 unmatched"), "{err}");
    assert!(err.contains("http_404"), "{err}");
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

#[test]
fn the_demo_folder_is_what_make_demo_writes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let ran = Command::new("python3")
        .current_dir(root())
        .arg("fixtures/make_demo.py")
        .arg(&out)
        .output();
    let Ok(o) = ran else {
        eprintln!("SKIPPED: python3 is not installed; fixtures/make_demo.py was not checked");
        return;
    };
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // the script's files: not the README, nor the expected outputs
    // (`check --bless` writes those)
    let mut committed = files(&root().join("fixtures/demo/iranfocus"));
    committed.retain(|name, _| name.ends_with(".meta.json") || !name.ends_with(".json"));
    committed.remove("README.md");
    let written = files(&out);
    assert_eq!(
        committed.keys().collect::<Vec<_>>(),
        written.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &written {
        assert!(
            committed[name] == *bytes,
            "fixtures/demo/iranfocus/{name} differs from what make_demo.py writes: run `python3 fixtures/make_demo.py`"
        );
    }
}
