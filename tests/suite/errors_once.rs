//! Issue: every error printed its operating-system cause twice
//! (`cannot read profile nope.toml: No such file or directory (os error 2):
//! No such file or directory (os error 2)`): messages carried their source
//! and the command printed the chain too. Each cause is said once, in the
//! message on stderr and in the data (error entries, reports).

use std::process::Command;

use crate::common::site;

fn stderr_of(args: &[&str]) -> (Option<i32>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_sitelift"))
        .current_dir(site::root())
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

const ENOENT: &str = "No such file or directory (os error 2)";

#[test]
fn every_error_prints_its_os_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("file"), "x").unwrap();
    let under_file = dir.path().join("file/store");
    let cases: Vec<Vec<String>> = vec![
        vec!["extract", "--profile", "nope.toml", "fixtures/iranfocus"],
        vec!["check", "--selectors", "nope", "fixtures/iranfocus"],
        vec![
            "extract",
            "--profile",
            "selectors/iranfocus.toml",
            "missing.html",
        ],
        vec![
            "extract",
            "--profile",
            "selectors/iranfocus.toml",
            "missing.warc.gz",
        ],
        vec!["diff", "missing-a.jsonl", "missing-b.jsonl"],
        vec!["serve", "missing-folder"],
    ]
    .into_iter()
    .map(|v| v.into_iter().map(String::from).collect())
    .collect();
    for args in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, err) = stderr_of(&args);
        assert_ne!(code, Some(0), "{args:?}: {err}");
        assert_eq!(err.matches(ENOENT).count(), 1, "{args:?}: {err}");
    }
    let (code, err) = stderr_of(&[
        "crawl",
        "--profile",
        "selectors/iranfocus.toml",
        "--store",
        under_file.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(
        err.matches("Not a directory (os error 20)").count(),
        1,
        "{err}"
    );
}

#[test]
fn an_unreadable_page_in_the_output_names_its_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    std::fs::write(&page, "<html></html>").unwrap();
    // a sidecar that is not JSON: the page fails, the run goes on
    std::fs::write(dir.path().join("page.meta.json"), "{ not json").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_sitelift"))
        .current_dir(site::root())
        .args(["extract", "--profile", "selectors/iranfocus.toml"])
        .arg(&page)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(o.status.code(), Some(1), "{out}");
    let entry: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let message = entry["error"]["message"].as_str().unwrap();
    assert_eq!(entry["error"]["kind"], "read");
    assert!(message.contains("bad sidecar"), "{message}");
    assert_eq!(
        message.matches("key must be a string").count(),
        1,
        "{message}"
    );
}
