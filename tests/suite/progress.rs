//! Progress on stderr for long jobs, only on a terminal: `extract --store`
//! (a bar with an ETA), `extract` over WARC files (a count and a rate),
//! `run`'s final assembly (a bar of its own). Run under `script(1)` for a
//! terminal; when stderr is not a terminal nothing but the summary shows.

use std::path::Path;
use std::process::Command;

use crate::common::site;

fn have_script() -> bool {
    Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Run `sitelift ARGS` with a terminal as stdin/stdout/stderr; what it showed.
fn on_terminal(args: &str) -> String {
    let bin = env!("CARGO_BIN_EXE_sitelift");
    let o = Command::new("script")
        .current_dir(site::root())
        .args(["-q", "-e", "-c", &format!("{bin} {args}"), "/dev/null"])
        .env("COLUMNS", "160")
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn crawl_into(store: &Path) {
    let o = Command::new(env!("CARGO_BIN_EXE_sitelift"))
        .current_dir(site::root())
        .args(["run", "--profile", "selectors/iranfocus.toml"])
        .args([
            "--serve",
            "fixtures/iranfocus",
            "--delay-ms",
            "0",
            "--store",
        ])
        .arg(store)
        .arg("--out")
        .arg(store.with_extension("jsonl"))
        .output()
        .unwrap();
    assert!(matches!(o.status.code(), Some(0 | 1)));
}

#[test]
fn long_jobs_show_progress_on_a_terminal_only() {
    if !have_script() {
        eprintln!("SKIP: script(1) is not installed; no terminal to test progress bars on");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    crawl_into(&store);
    let out = dir.path().join("o.jsonl");
    let shown = on_terminal(&format!(
        "extract --profile selectors/iranfocus.toml --store {} --out {}",
        store.display(),
        out.display()
    ));
    assert!(
        shown.contains("extract [") && shown.contains("eta"),
        "{shown}"
    );

    let warcs: Vec<String> = std::fs::read_dir(store.join("warc"))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".warc.gz"))
        .collect();
    let shown = on_terminal(&format!(
        "extract --profile selectors/iranfocus.toml {} --out {}",
        warcs.join(" "),
        out.display()
    ));
    assert!(
        shown.contains("extract ") && shown.contains(" pages · "),
        "{shown}"
    );

    // run again on the finished store: nothing to fetch, the assembly shows
    let shown = on_terminal(&format!(
        "run --profile selectors/iranfocus.toml --serve fixtures/iranfocus --delay-ms 0 --store {} --out {}",
        store.display(),
        out.display()
    ));
    assert!(shown.contains("assemble ["), "{shown}");

    // not a terminal: only the summary
    let o = Command::new(env!("CARGO_BIN_EXE_sitelift"))
        .current_dir(site::root())
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
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("eta") && !err.contains("extract ["), "{err}");
}
