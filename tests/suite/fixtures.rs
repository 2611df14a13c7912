//! The data-driven fixture harness: every `fixtures/<site>/<page>.html` is
//! extracted with `selectors/<site>.toml` and must equal `<page>.json`.
//! To accept a deliberate change: `cargo run -- check --bless`, then review
//! `git diff fixtures/` by eye.

use std::path::PathBuf;

use sitelift::check::{check, short, Verdict};

#[test]
fn every_fixture_page_extracts_exactly_as_expected() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let results =
        check(&[root.join("fixtures")], &root.join("selectors"), false).expect("fixtures load");
    assert!(
        results.len() >= 12,
        "expected at least 12 fixture pages, found {}",
        results.len()
    );
    let mut report = String::new();
    for r in &results {
        match &r.verdict {
            Verdict::Pass => {}
            Verdict::NoExpectation => {
                report.push_str(&format!("MISSING expectation for {}\n", r.page.display()))
            }
            Verdict::Mismatch(diffs) => {
                report.push_str(&format!("FAIL {}\n", r.page.display()));
                for d in diffs {
                    report.push_str(&format!(
                        "  {}\n    expected: {}\n    actual:   {}\n",
                        d.path,
                        short(&d.expected),
                        short(&d.actual)
                    ));
                }
            }
            Verdict::Blessed(_) => unreachable!("not blessing"),
        }
    }
    assert!(report.is_empty(), "fixture check failed (bless with `cargo run -- check --bless` if the change is intended):\n{report}");
}

#[test]
fn a_changed_expectation_is_caught_with_a_field_level_diff() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("iranfocus");
    std::fs::create_dir(&site).unwrap();
    for f in [
        "wp-article-7198.html",
        "wp-article-7198.meta.json",
        "wp-article-7198.json",
    ] {
        std::fs::copy(root.join("fixtures/iranfocus").join(f), site.join(f)).unwrap();
    }
    let exp = site.join("wp-article-7198.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&exp).unwrap()).unwrap();
    v["lists"]["must_read"][1]["source"] = serde_json::Value::String("Reuters".into());
    std::fs::write(&exp, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let results = check(&[site], &root.join("selectors"), false).unwrap();
    match &results[0].verdict {
        Verdict::Mismatch(d) => {
            assert_eq!(d.len(), 1, "{d:?}");
            assert_eq!(d[0].path, "lists.must_read[1].source");
            assert_eq!(d[0].actual, Some(serde_json::Value::String("AFP".into())));
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
}
