//! `--layout dir` against hostile input: URLs crafted with `../`, encoded
//! dots and separators, absurd lengths, titles and sections that try to
//! climb out of the folder. Every file must land inside the output folder
//! with bounded names; collisions are moved and reported, never overwritten;
//! an interrupted run leaves the previous output untouched; and the output
//! does not depend on the thread count.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use sitelift::output::writer::{Layout, Outputs};
use sitelift::profile::Profile;
use sitelift::record::{Line, Record};

/// A record line from the fields given (the rest as in an empty record).
fn line(fields: Value) -> Line {
    let mut full = serde_json::to_value(Record::default()).unwrap();
    for (k, v) in fields.as_object().unwrap() {
        full[k] = v.clone();
    }
    Line::Record(Box::new(serde_json::from_value(full).unwrap()))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn profile() -> Profile {
    Profile::load(&root().join("selectors/iranfocus.toml")).unwrap()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn hostile_record(n: usize) -> Value {
    let climb = "../".repeat(40);
    json!({
        "url": format!("https://www.iranfocus.com/en/%2e%2e/%2E%2E/..%2f..%2fetc%2fpasswd{n}/{}/", "x".repeat(5000)),
        "canonical_url": "https://www.iranfocus.com/en/",
        "legacy_id": format!("../../{n}"),
        "template": "wp-article",
        "title": format!("{climb}etc/passwd {}", "A".repeat(20000)),
        "section": [
            "..", "../../..", "/", "\\..\\..", "\u{0}", "C:\\Windows", "a".repeat(5000),
            "b", "c", "d", "e", "f", "g", "h", "i", "j"
        ],
        "published": "../../2006",
        "aliases": [],
        "provenance": {}, "warnings": [], "notes": []
    })
}

#[test]
fn crafted_records_stay_inside_the_output_folder() {
    let jail = tempfile::tempdir().unwrap();
    let out = jail.path().join("out");
    let p = profile();
    let mut o = Outputs::open(&p, Layout::Dir, Some(&out)).unwrap();
    for n in 0..3 {
        o.push(line(hostile_record(n))).unwrap();
    }
    // Two records with the same title and section: the second is moved.
    let same = |id: &str| {
        json!({"url": format!("https://www.iranfocus.com/en/index.php?id={id}"), "legacy_id": id,
            "template": "joomla-article", "title": "Same title", "section": ["News"],
            "published": "2006-05-14", "aliases": [], "provenance": {}, "warnings": [], "notes": []})
    };
    o.push(line(same("7"))).unwrap();
    o.push(line(same("8"))).unwrap();
    let done = o.finish().unwrap();

    let top: Vec<String> = std::fs::read_dir(jail.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(
        top,
        vec!["out"],
        "something was written beside the output folder"
    );
    let files = files_under(&out);
    let records: Vec<&PathBuf> = files
        .iter()
        .filter(|f| f.starts_with(out.join("records")))
        .collect();
    assert_eq!(records.len(), 5, "{files:#?}");
    for f in &files {
        let rel = f.strip_prefix(&out).unwrap();
        assert!(
            rel.as_os_str().len() < 1024,
            "path too long: {}",
            rel.display()
        );
        for c in rel.components() {
            let std::path::Component::Normal(s) = c else {
                panic!("{} has a non-plain component", rel.display());
            };
            let s = s.to_string_lossy();
            assert!(s.len() <= 255, "{s}");
            assert!(
                s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-._".contains(&b)),
                "{s}"
            );
        }
    }
    assert!(!out.join(".records.partial").exists());
    assert!(out.join("records/news/2006/same-title.json").exists());
    assert!(out.join("records/news/2006/same-title-8.json").exists());
    let collisions = &done.report.path_collisions;
    assert_eq!(collisions.len(), 3, "{collisions:?}");
    assert!(collisions
        .iter()
        .any(|c| c.record == "8" && c.kept_by == "7" && c.moved_to == "news/2006/same-title-8"));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["path_collisions"].as_array().unwrap().len(), 3);
}

#[test]
fn an_interrupted_run_leaves_the_previous_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let p = profile();
    let rec = |title: &str| {
        json!({"url": "https://www.iranfocus.com/en/index.php?id=1", "legacy_id": "1",
            "template": "joomla-article", "title": title, "section": ["News"],
            "aliases": [], "provenance": {}, "warnings": [], "notes": []})
    };
    let mut o = Outputs::open(&p, Layout::Dir, Some(&out)).unwrap();
    o.push(line(rec("First"))).unwrap();
    o.finish().unwrap();
    let before = files_under(&out.join("records"));
    assert_eq!(before.len(), 1);

    let mut o = Outputs::open(&p, Layout::Dir, Some(&out)).unwrap();
    o.push(line(rec("Second"))).unwrap();
    let report = o.abort("interrupted");
    assert_eq!(report.outcome, "interrupted");
    assert_eq!(files_under(&out.join("records")), before);
    assert!(!out.join(".records.partial").exists());
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(r["outcome"], "interrupted");

    // A complete rerun replaces the folder: no stale record is left behind.
    let mut o = Outputs::open(&p, Layout::Dir, Some(&out)).unwrap();
    o.push(line(rec("Third"))).unwrap();
    o.finish().unwrap();
    let after = files_under(&out.join("records"));
    assert_eq!(after.len(), 1);
    assert!(after[0].ends_with("news/undated/third.json"), "{after:?}");

    // JSONL: an aborted run leaves no partial file and the old file as it was.
    let jl = dir.path().join("r.jsonl");
    std::fs::write(&jl, "old\n").unwrap();
    let mut o = Outputs::open(&p, Layout::Jsonl, Some(&jl)).unwrap();
    o.push(line(rec("New"))).unwrap();
    o.abort("failed: test");
    assert_eq!(std::fs::read_to_string(&jl).unwrap(), "old\n");
    assert!(!dir.path().join(".r.jsonl.partial").exists());
}

fn run(args: &[&std::ffi::OsStr]) -> u8 {
    let mut all = vec![std::ffi::OsStr::new("sitelift")];
    all.extend_from_slice(args);
    sitelift::cli::run_args(all).unwrap()
}

#[test]
fn extract_with_layout_dir_on_a_crafted_page() {
    let input = tempfile::tempdir().unwrap();
    let html = std::fs::read_to_string(root().join("fixtures/iranfocus/wp-no-dateline.html"))
        .unwrap()
        .replace(
            "Iran: Teacher Suicide Is Increasing",
            &format!("{}etc/passwd {}", "../".repeat(50), "Z".repeat(10000)),
        )
        .replace(">Human Rights<", ">../../../..<");
    std::fs::write(input.path().join("page.html"), html).unwrap();
    let url = format!(
        "https://www.iranfocus.com/en/iran-news/%2e%2e/35013-..%2f..%2f..%2fetc%2fpasswd-{}/",
        "y".repeat(4000)
    );
    std::fs::write(
        input.path().join("page.meta.json"),
        json!({ "url": url, "content_type": "text/html; charset=UTF-8" }).to_string(),
    )
    .unwrap();
    let jail = tempfile::tempdir().unwrap();
    let out = jail.path().join("out");
    let code = run(&[
        "extract".as_ref(),
        "--profile".as_ref(),
        root().join("selectors/iranfocus.toml").as_os_str(),
        "--layout".as_ref(),
        "dir".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        input.path().as_os_str(),
    ]);
    assert_eq!(code, 0);
    let files = files_under(jail.path());
    let records: Vec<&PathBuf> = files
        .iter()
        .filter(|f| f.starts_with(out.join("records")))
        .collect();
    assert_eq!(records.len(), 1, "{files:#?}");
    for f in &files {
        assert!(
            f.starts_with(&out),
            "{} is outside the output folder",
            f.display()
        );
        let rel = f.strip_prefix(&out).unwrap();
        assert!(rel.as_os_str().len() < 512, "{}", rel.display());
        assert!(rel
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_))));
    }
    let rec: Value = serde_json::from_str(&std::fs::read_to_string(records[0]).unwrap()).unwrap();
    assert_eq!(rec["legacy_id"], "35013");
}

#[test]
fn jsonl_output_does_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = root().join("fixtures/iranfocus");
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}.jsonl"));
        run(&[
            "extract".as_ref(),
            "--profile".as_ref(),
            root().join("selectors/iranfocus.toml").as_os_str(),
            "--threads".as_ref(),
            threads.as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
            fixtures.as_os_str(),
        ]);
        outs.push(std::fs::read(&out).unwrap());
        let csv = dir.path().join(format!("t{threads}.redirects.csv"));
        outs.push(std::fs::read(&csv).unwrap());
    }
    assert!(!outs[0].is_empty());
    assert_eq!(outs[0], outs[2]);
    assert_eq!(outs[1], outs[3]);
}

#[test]
fn a_failed_run_still_writes_its_report() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_folder = dir.path().join("file");
    std::fs::write(&not_a_folder, "x").unwrap();
    let out = dir.path().join("out/records.jsonl");
    let args: Vec<std::ffi::OsString> = vec![
        "sitelift".into(),
        "run".into(),
        "--profile".into(),
        root().join("selectors/iranfocus.toml").into(),
        "--store".into(),
        not_a_folder.join("store").into(),
        "--out".into(),
        out.clone().into(),
    ];
    assert!(sitelift::cli::run_args(args).is_err());
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/records.report.json")).unwrap(),
    )
    .unwrap();
    assert!(
        report["outcome"].as_str().unwrap().starts_with("failed: "),
        "{report}"
    );
    assert!(report["always_empty"].as_array().unwrap().is_empty());
    assert!(!out.exists());
    assert!(!dir.path().join("out/.records.jsonl.partial").exists());
}
