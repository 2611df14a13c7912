//! One writer per store. Two `run`s (or a `crawl` and a `run`) on one
//! store: the second exits 2 at once naming the store and the holder's pid,
//! and changes nothing; the first's records are an undisturbed run's, byte
//! for byte. Readers (`status`, `extract --store`) keep working during a
//! crawl and say that it is still going; `extract --store` of a crawl that
//! did not finish says so and exits 1.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::site;

fn sitelift() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sitelift"));
    c.current_dir(site::root());
    c
}

/// `run` (or `crawl`, with `out` None) of the fixture site, served by
/// sitelift itself, spaced so that it lasts a few seconds.
fn spawn(store: &Path, out: Option<&Path>, delay_ms: u32) -> Child {
    let mut c = sitelift();
    c.arg(if out.is_some() { "run" } else { "crawl" })
        .args(["--profile", "selectors/iranfocus.toml"])
        .args(["--serve", "fixtures/iranfocus"])
        .args(["--delay-ms", &delay_ms.to_string()])
        .arg("--store")
        .arg(store);
    if let Some(out) = out {
        c.arg("--out").arg(out);
    }
    c.stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sitelift")
}

fn wait(child: Child, within: Duration) -> Output {
    let start = Instant::now();
    let mut child = child;
    while child.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < within, "sitelift did not finish in time");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Waits until the store's ledger exists (the first process is at work).
fn until_started(store: &Path, first: &mut Child) {
    let start = Instant::now();
    while !store.join("ledger.sqlite").exists() {
        assert!(
            first.try_wait().unwrap().is_none(),
            "the first process ended before the test could start the second"
        );
        assert!(start.elapsed() < Duration::from_secs(30), "no ledger");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn a_second_run_on_a_store_in_use_exits_2_naming_it_and_changes_nothing() {
    let reference = tempfile::tempdir().unwrap();
    let ref_out = reference.path().join("records.jsonl");
    let o = wait(
        spawn(&reference.path().join("store"), Some(&ref_out), 0),
        Duration::from_secs(120),
    );
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));

    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let first_out = dir.path().join("first.jsonl");
    let second_out = dir.path().join("second.jsonl");
    let mut first = spawn(&store, Some(&first_out), 60);
    until_started(&store, &mut first);
    let pid = first.id();
    for second in [spawn(&store, Some(&second_out), 0), spawn(&store, None, 0)] {
        let o = wait(second, Duration::from_secs(20));
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(&store.display().to_string()), "{err}");
        assert!(err.contains(&format!("pid {pid}")), "{err}");
    }
    assert!(!second_out.exists(), "the refused run wrote its output");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("second"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // readers work meanwhile, and say the crawl is going
    let o = sitelift().arg("status").arg(&store).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        text.contains(&format!("a crawl is still going (pid {pid}, run)")),
        "{text}"
    );
    let o = sitelift()
        .args([
            "extract",
            "--profile",
            "selectors/iranfocus.toml",
            "--store",
        ])
        .arg(&store)
        .arg("--out")
        .arg(dir.path().join("during.jsonl"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("a crawl is still going"),
        "{}",
        stderr(&o)
    );

    let o = wait(first, Duration::from_secs(120));
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    assert!(
        std::fs::read(&first_out).unwrap() == std::fs::read(&ref_out).unwrap(),
        "the first run's records differ from an undisturbed run's"
    );
}

#[test]
fn extract_from_an_unfinished_crawl_says_incomplete_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let mut crawl = spawn(&store, None, 40);
    // let it fetch some pages, then kill it: URLs stay queued
    let start = Instant::now();
    loop {
        assert!(
            crawl.try_wait().unwrap().is_none(),
            "the crawl finished too soon"
        );
        assert!(start.elapsed() < Duration::from_secs(60), "no page fetched");
        let fetched = sitelift::frontier::ledger::Ledger::open_read_only(&store)
            .ok()
            .and_then(|l| l.fetched_pages().ok())
            .map_or(0, |p| p.len());
        if fetched >= 5 {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    crawl.kill().unwrap();
    crawl.wait().unwrap();
    let out = dir.path().join("records.jsonl");
    let o = sitelift()
        .args([
            "extract",
            "--profile",
            "selectors/iranfocus.toml",
            "--store",
        ])
        .arg(&store)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("the crawl is incomplete"), "{err}");
    assert!(err.contains("URLs still queued"), "{err}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("records.report.json")).unwrap())
            .unwrap();
    let outcome = report["outcome"].as_str().unwrap();
    assert!(outcome.starts_with("incomplete: "), "{outcome}");
    assert!(!outcome.contains("a crawl is still going"), "{outcome}");
}
