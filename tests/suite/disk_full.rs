//! Disk and I/O errors: output to a read-only folder and to a full disk, for
//! `extract --out`, `run --out` and the crawl store (WARC files, ledger,
//! spool). Each must end with a clear message and exit code 2, leave no
//! half-written output, keep the ledger consistent, and a resume once space
//! is back must complete the run with the same records as an uninterrupted
//! run. Small tmpfs mounts stand in for full and read-only disks; where
//! mounting is not possible (not root, no CAP_SYS_ADMIN) each test prints
//! why and passes without checking anything.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A tmpfs mounted on a temporary folder, unmounted on drop.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (e.g. `256k`), read-only when `ro`; None
    /// (with the reason printed) when this machine does not let us.
    fn mount(size: &str, ro: bool) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().ok()?;
        let opts = format!("size={size}{}", if ro { ",ro" } else { "" });
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &opts, "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::piped())
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs { dir }),
            Ok(o) => {
                eprintln!(
                    "SKIPPED: cannot mount a tmpfs here ({}); this test needs root",
                    String::from_utf8_lossy(&o.stderr).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("SKIPPED: cannot run mount ({e}); this test needs root");
                None
            }
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Gives the file system `size` (space is back), keeping its content.
    fn grow(&self, size: &str) {
        let st = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(self.path())
            .status()
            .expect("run mount");
        assert!(st.success(), "remount the tmpfs to {size}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

fn sitelift(args: &[&str], extra: &[&Path]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sitelift"));
    c.current_dir(root()).args(args);
    for p in extra {
        c.arg(p);
    }
    c.stdin(Stdio::null()).output().expect("start sitelift")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn run(store: &Path, out: &Path) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sitelift"));
    c.current_dir(root())
        .args([
            "run",
            "--profile",
            "selectors/iranfocus.toml",
            "--serve",
            "fixtures/iranfocus",
            "--delay-ms",
            "5",
        ])
        .arg("--store")
        .arg(store)
        .arg("--out")
        .arg(out)
        .stdin(Stdio::null())
        .output()
        .expect("start sitelift")
}

fn finished(o: &Output) -> bool {
    // 1 = finished with page-level failures (the fixture site has an unmatched page)
    matches!(o.status.code(), Some(0) | Some(1))
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Checks the ledger as the next run will find it: a copy of its files
/// (the database and its write-ahead log) opened where there is space.
fn ledger_is_consistent(store: &Path) {
    let copy = tempfile::tempdir().expect("temp dir");
    for name in files_in(store) {
        if name.starts_with("ledger.sqlite") {
            std::fs::copy(store.join(&name), copy.path().join(&name)).expect("copy the ledger");
        }
    }
    let store = copy.path();
    let conn = rusqlite::Connection::open(store.join("ledger.sqlite")).expect("open the copy");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity check");
    assert_eq!(check, "ok", "the ledger is intact");
    drop(conn);
    let ledger = sitelift::frontier::ledger::Ledger::open(store).expect("the ledger opens");
    let mut urls = Vec::new();
    for st in sitelift::frontier::ledger::Status::ALL {
        urls.extend(
            ledger
                .urls(st)
                .expect("ledger rows")
                .into_iter()
                .map(|r| r.url),
        );
    }
    let n = urls.len();
    urls.sort();
    urls.dedup();
    assert_eq!(n, urls.len(), "duplicate URLs in the ledger");
}

#[test]
fn extract_out_to_a_read_only_folder_fails_clearly() {
    let Some(ro) = Tmpfs::mount("64k", true) else {
        return;
    };
    let out = ro.path().join("records.jsonl");
    let o = sitelift(
        &[
            "extract",
            "--profile",
            "selectors/iranfocus.toml",
            "fixtures/iranfocus",
            "--out",
        ],
        &[&out],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        (err.contains("cannot create") || err.contains("cannot write"))
            && err.contains("Read-only"),
        "{err}"
    );
    assert!(files_in(ro.path()).is_empty());
}

#[test]
fn extract_out_to_a_full_disk_fails_clearly_and_leaves_nothing_behind() {
    let Some(full) = Tmpfs::mount("16k", false) else {
        return;
    };
    let out = full.path().join("records.jsonl");
    let o = sitelift(
        &[
            "extract",
            "--profile",
            "selectors/iranfocus.toml",
            "fixtures/iranfocus",
            "--out",
        ],
        &[&out],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(err.contains("disk full"), "{err}");
    assert!(
        err.contains("records.jsonl.partial"),
        "the message names the file: {err}"
    );
    // no half-written output, and no partial file eating the little space there is
    assert!(
        files_in(full.path()).is_empty(),
        "{:?}",
        files_in(full.path())
    );
}

#[test]
fn run_with_a_read_only_store_or_output_fails_clearly_then_completes() {
    let Some(ro) = Tmpfs::mount("64k", true) else {
        return;
    };
    let o = run(&ro.path().join("store"), &ro.path().join("records.jsonl"));
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("Read-only"), "{err}");

    // a writable store, a read-only output: the crawl is kept, the output refused
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("store");
    let o = run(&store, &ro.path().join("records.jsonl"));
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        (err.contains("cannot create") || err.contains("cannot write")),
        "{err}"
    );
    ledger_is_consistent(&store);
    let again = run(&store, &dir.path().join("records.jsonl"));
    assert!(finished(&again), "{}", stderr(&again));
}

#[test]
fn run_on_a_full_disk_stops_clearly_and_resumes_once_space_is_back() {
    let Some(disk) = Tmpfs::mount("192k", false) else {
        return;
    };
    let reference = {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("records.jsonl");
        let o = run(&dir.path().join("store"), &out);
        assert!(finished(&o), "{}", stderr(&o));
        std::fs::read(out).expect("reference records")
    };
    let store = disk.path().join("store");
    let out = disk.path().join("records.jsonl");
    let o = run(&store, &out);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "the disk filled up: {err}");
    // the WARC files, the pending log or SQLite: whichever writes when the disk fills says so
    assert!(
        err.contains("No space left on device") || err.contains("disk is full"),
        "{err}"
    );
    assert!(err.contains("run the same command again"), "{err}");
    assert!(!out.exists(), "no output from a failed run");
    ledger_is_consistent(&store);

    disk.grow("64m");
    let o = run(&store, &out);
    assert!(finished(&o), "resume: {}", stderr(&o));
    ledger_is_consistent(&store);
    let got = std::fs::read(&out).expect("records after the resume");
    assert!(
        got == reference,
        "the resumed run's records differ from an uninterrupted run's"
    );
}
