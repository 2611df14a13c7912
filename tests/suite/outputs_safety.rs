//! Outputs never lose what sitelift did not write: a FIFO or device given
//! as `--out` is written through, not replaced by a regular file; a
//! `--layout dir` folder that sitelift did not write is refused unless it is
//! empty; anything standing where sitelift writes is refused before any
//! work, with a message that says what is wrong.

use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::site;

fn extract(out: &Path, layout: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sitelift"))
        .current_dir(site::root())
        .args([
            "extract",
            "--profile",
            "selectors/iranfocus.toml",
            "fixtures/iranfocus",
        ])
        .args(["--layout", layout, "--out"])
        .arg(out)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Everything under `dir`, as relative paths, sorted.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            out.push(p.strip_prefix(base).unwrap().display().to_string());
            if p.is_dir() {
                walk(base, &p, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn out_naming_a_fifo_writes_through_it_and_leaves_it_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("records");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    // read and write ends held here, non-blocking: the open never waits,
    // and a regression (the FIFO renamed over) cannot hang the test
    const O_NONBLOCK: i32 = 0o4000;
    let mut end = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(O_NONBLOCK)
        .open(&fifo)
        .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sitelift"))
        .current_dir(site::root())
        .args([
            "extract",
            "--profile",
            "selectors/iranfocus.toml",
            "fixtures/iranfocus",
            "--out",
        ])
        .arg(&fifo)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut got = Vec::new();
    let start = Instant::now();
    let mut buf = [0u8; 65536];
    loop {
        use std::io::Read;
        match end.read(&mut buf) {
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                assert!(start.elapsed() < Duration::from_secs(60), "no end");
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => panic!("{e}"),
        }
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o)); // the fixtures hold an unmatched page
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "--out replaced the FIFO: {kind:?}");
    let text = String::from_utf8_lossy(&got);
    assert_eq!(
        text.lines().filter(|l| l.contains("\"legacy_id\"")).count(),
        11,
        "records read from the FIFO: {text:.300}"
    );
    // no side files in its folder, no partial file left
    assert_eq!(tree(dir.path()), ["records"]);
    assert!(
        stderr(&o).contains("is not a regular file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_dir_output_refuses_a_folder_sitelift_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mine");
    std::fs::create_dir_all(out.join("records")).unwrap();
    std::fs::write(out.join("notes.txt"), "my notes").unwrap();
    std::fs::write(out.join("records/keep.json"), "{}").unwrap();
    let before = tree(&out);
    let o = extract(&out, "dir");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("holds files sitelift did not write"), "{err}");
    assert!(err.contains(&out.display().to_string()), "{err}");
    assert_eq!(tree(&out), before, "the folder changed");
    assert_eq!(
        std::fs::read_to_string(out.join("records/keep.json")).unwrap(),
        "{}"
    );
}

#[test]
fn a_dir_output_goes_into_an_empty_folder_and_replaces_only_its_own_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let o = extract(&out, "dir");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(out.join(".sitelift-output").is_file());
    // a file the user adds later survives the next run; the records are replaced
    std::fs::write(out.join("notes.txt"), "my notes").unwrap();
    let records = tree(&out.join("records"));
    let o = extract(&out, "dir");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "my notes"
    );
    assert_eq!(tree(&out.join("records")), records);
}

#[test]
fn a_file_named_records_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = extract(&out, "dir");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    std::fs::remove_dir_all(out.join("records")).unwrap();
    std::fs::write(out.join("records"), "a file of mine").unwrap();
    let report = std::fs::read(out.join("report.json")).unwrap();
    let o = extract(&out, "dir");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("records is a file, where sitelift writes a folder"),
        "{err}"
    );
    assert!(
        !err.contains("sitelift report"),
        "work was done before the refusal: {err}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("records")).unwrap(),
        "a file of mine"
    );
    assert_eq!(std::fs::read(out.join("report.json")).unwrap(), report);
    // once it is out of the way, the folder works again
    std::fs::remove_file(out.join("records")).unwrap();
    let o = extract(&out, "dir");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

#[test]
fn a_jsonl_out_naming_a_folder_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("records.jsonl");
    std::fs::create_dir(&out).unwrap();
    let o = extract(&out, "jsonl");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("records.jsonl is a folder, where sitelift writes the records file"),
        "{err}"
    );
    assert!(
        !err.contains("sitelift report"),
        "work was done before the refusal: {err}"
    );
    assert_eq!(tree(dir.path()), ["records.jsonl"]);
}
