//! `report.html` in a real headless browser (Chromium from the system
//! packages; `.ci/run` installs it and sets `SITELIFT_REQUIRE_CHROMIUM=1`,
//! which makes these tests fail instead of skipping where it is missing):
//! the page of a run of the fixture site loads without a console message
//! (no script error, nothing blocked by its Content-Security-Policy) and
//! shows the run's counts as `report.json` has them.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::site::sitelift;

/// Chromium, or None (and the test says it is skipped) when absent.
fn chromium() -> Option<PathBuf> {
    let named = std::env::var_os("SITELIFT_CHROMIUM").map(PathBuf::from);
    let found = named.into_iter().chain(
        [
            "/usr/bin/chromium",
            "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome",
        ]
        .into_iter()
        .map(PathBuf::from),
    );
    if let Some(p) = found.into_iter().find(|p| p.is_file()) {
        return Some(p);
    }
    if std::env::var_os("SITELIFT_REQUIRE_CHROMIUM").is_some_and(|v| v == "1") {
        panic!("SITELIFT_REQUIRE_CHROMIUM=1 but no Chromium (apt-get install chromium)");
    }
    eprintln!("SKIPPED: no Chromium (apt-get install chromium, or set SITELIFT_CHROMIUM)");
    None
}

/// Chromium headless on `page` with `args`: its stdout and stderr.
fn headless(chrome: &Path, profile_dir: &Path, page: &Path, args: &[&str]) -> (String, String) {
    let o = Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile_dir.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("start chromium");
    assert!(
        o.status.success(),
        "chromium: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn run_fixture_site(out: &Path) -> Value {
    let store = out.join("store").display().to_string();
    let pkg = out.join("pkg").display().to_string();
    let (code, _, err) = sitelift(&[
        "run",
        "--profile",
        "selectors/iranfocus.toml",
        "--serve",
        "fixtures/iranfocus",
        "--store",
        &store,
        "--out",
        &pkg,
        "--layout",
        "dir",
        "--delay-ms",
        "0",
    ]);
    assert_eq!(code, Some(1), "the fixture site has failed pages: {err}");
    serde_json::from_slice(&std::fs::read(out.join("pkg/report.json")).unwrap()).unwrap()
}

fn count(dom: &str, id: &str) -> Option<u64> {
    let at = dom.find(&format!("id=\"count-{id}\">"))?;
    let rest = &dom[at..];
    let rest = &rest[rest.find('>')? + 1..];
    rest[..rest.find('<')?].trim().parse().ok()
}

#[test]
fn report_html_loads_without_errors_in_chromium_and_shows_the_runs_counts() {
    let Some(chrome) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let report = run_fixture_site(dir.path());
    let page = dir.path().join("pkg/report.html");
    let (dom, log) = headless(&chrome, &dir.path().join("chrome"), &page, &["--dump-dom"]);
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    assert!(dom.contains("<h1>Run report: iranfocus</h1>"), "{dom}");
    let ex = &report["extraction"];
    for id in ["pages", "records", "merged", "unmatched", "failed"] {
        assert_eq!(count(&dom, id), ex[id].as_u64(), "count-{id}");
    }
    assert_eq!(count(&dom, "listings"), ex["not_emitted"].as_u64());
    assert_eq!(count(&dom, "urls"), report["pages"]["total"].as_u64());
    assert_eq!(count(&dom, "media"), report["media"]["assets"].as_u64());
    assert_eq!(
        count(&dom, "broken-links"),
        report["broken_links"]["count"].as_u64()
    );
    // the year chart: one bar per year with its records (2005 to 2021 here)
    let years = report["records_by_year"].as_object().unwrap();
    assert!(!years.is_empty());
    for (year, n) in years {
        let bar = format!("data-year=\"{year}\" data-records=\"{n}\"");
        assert!(dom.contains(&bar), "no bar {bar}");
    }
    // every warning kind with its count, and the unmatched page
    for (kind, k) in report["warnings"].as_object().unwrap() {
        let row = format!(
            "<code>{kind}</code></td><td class=\"n\">{}</td>",
            k["count"]
        );
        assert!(dom.contains(&row), "no row {row}");
    }
    for url in report["unmatched"].as_array().unwrap() {
        assert!(dom.contains(url.as_str().unwrap()), "unmatched {url}");
    }
    // and it renders: a screenshot of the whole page (kept where asked)
    let shot = std::env::var_os("SITELIFT_REPORT_SCREENSHOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.path().join("report.png"));
    let arg = format!("--screenshot={}", shot.display());
    headless(
        &chrome,
        &dir.path().join("chrome"),
        &page,
        &["--window-size=1280,2400", &arg],
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{} bytes",
        png.len()
    );
}

#[test]
fn report_html_is_written_beside_records_jsonl_too_and_is_the_same_each_run() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    crate::common::site::crawl_fixture_site(&store);
    let mut pages = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("r{threads}.jsonl"));
        let (code, _, err) = sitelift(&[
            "extract",
            "--profile",
            "selectors/iranfocus.toml",
            "--store",
            &store.display().to_string(),
            "--out",
            &out.display().to_string(),
            "--threads",
            threads,
        ]);
        assert_eq!(code, Some(1), "{err}");
        pages.push(std::fs::read(dir.path().join(format!("r{threads}.report.html"))).unwrap());
    }
    assert!(
        pages[0] == pages[1],
        "report.html differs between 1 and 2 threads"
    );
    let text = String::from_utf8(pages.remove(0)).unwrap();
    assert!(text.contains("id=\"count-records\">11<"), "{text}");
}
