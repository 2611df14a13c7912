//! Kill and resume while media are being fetched: `sitelift run` is killed
//! with SIGKILL once it has fetched some assets, and run again. Every
//! media response in the WARC files must be in the pending log before the
//! ledger settles it (so a restart settles it from the store instead of
//! asking again), no asset is stored twice, and the final ledger
//! settlement and the package (records, media files, media.jsonl, terms,
//! redirect map, report) equal an uninterrupted run's, byte for byte.

use crate::common::site;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sitelift::frontier::ledger::{Ledger, Status, UrlKind};

fn spawn_run(store: &Path, out: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_sitelift"))
        .current_dir(site::root())
        .args([
            "run",
            "--profile",
            "selectors/iranfocus.toml",
            "--serve",
            "fixtures/iranfocus",
            "--delay-ms",
            "15",
        ])
        .arg("--store")
        .arg(store)
        .arg("--out")
        .arg(out)
        .args(["--layout", "dir"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sitelift")
}

/// Every file of a package folder, by relative path.
fn package(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn finish(mut child: Child) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            // 1 = finished with page-level failures (404s, an unmatched page)
            assert!(
                matches!(status.code(), Some(0) | Some(1)),
                "run failed: {status:?}"
            );
            return;
        }
        assert!(Instant::now() < deadline, "run did not finish in time");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Media URLs the ledger has settled as fetched (0 while there is no ledger yet).
fn media_fetched(store: &Path) -> u64 {
    let Ok(l) = Ledger::open_read_only(store) else {
        return 0;
    };
    l.counts_of(UrlKind::Media)
        .map(|c| {
            c.iter()
                .filter(|c| c.0 == Status::Fetched)
                .map(|c| c.2)
                .sum()
        })
        .unwrap_or(0)
}

/// Every URL's (kind, status, reason).
fn settlement(store: &Path) -> BTreeMap<String, (UrlKind, Status, Option<String>)> {
    let l = Ledger::open_read_only(store).unwrap();
    let mut out = BTreeMap::new();
    for st in Status::ALL {
        for r in l.urls(st).unwrap() {
            out.insert(r.url, (r.kind, r.status, r.reason));
        }
    }
    out
}

/// How many response records each media file's URL has in the WARC files
/// (a torn tail of a killed run ends a file).
fn media_responses(store: &Path) -> BTreeMap<String, usize> {
    let media: Vec<String> = crate::common::media::fixture_files()
        .into_keys()
        .chain([
            "https://www.iranfocus.com/wp-content/uploads/2006/06/abadan-refinery.jpg".to_string(),
        ])
        .collect();
    let mut n = BTreeMap::new();
    for e in std::fs::read_dir(store.join("warc")).unwrap() {
        for rec in sitelift::store::WarcReader::open(&e.unwrap().path()).unwrap() {
            let Ok(rec) = rec else { break };
            let uri = rec.target_uri.clone().unwrap_or_default();
            if rec.warc_type == "response" && media.contains(&uri) {
                *n.entry(uri).or_default() += 1;
            }
        }
    }
    n
}

/// Every media response stored is in the pending log: a restart can settle it.
fn every_stored_media_response_is_noted(store: &Path) {
    let notes = sitelift::crawl::reconcile::read(store).unwrap();
    for uri in media_responses(store).keys() {
        assert!(
            notes.iter().any(|p| &p.fetched_url == uri),
            "{uri} is in the WARC files but not in the pending log: a restart would fetch it again"
        );
    }
}

#[test]
fn a_run_killed_while_it_fetches_media_stores_no_asset_twice() {
    let reference = tempfile::tempdir().unwrap();
    let ref_store = reference.path().join("store");
    finish(spawn_run(&ref_store, &reference.path().join("package")));
    let want = settlement(&ref_store);
    let stored = media_responses(&ref_store);
    assert_eq!(stored.len(), 8, "{stored:?}");
    assert!(stored.values().all(|n| *n == 1), "{stored:?}");

    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let out = dir.path().join("package");
    for at_least in [1, 3, 5] {
        let mut child = spawn_run(&store, &out);
        let deadline = Instant::now() + Duration::from_secs(60);
        while media_fetched(&store) < at_least {
            assert!(
                child.try_wait().unwrap().is_none(),
                "the run finished before {at_least} assets were fetched: the test would prove nothing"
            );
            assert!(Instant::now() < deadline, "no media fetched in time");
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        every_stored_media_response_is_noted(&store);
    }
    finish(spawn_run(&store, &out));

    assert_eq!(
        settlement(&store),
        want,
        "the ledger settles as an uninterrupted run's"
    );
    assert_eq!(media_responses(&store), stored, "an asset stored twice");
    let (got, want) = (package(&out), package(&reference.path().join("package")));
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "the package's files differ after kill -9 and resume"
    );
    assert!(
        got.keys().any(|k| k.starts_with("media/")) && got.contains_key("media.jsonl"),
        "{:?}",
        got.keys()
    );
    for (k, v) in &want {
        assert!(got[k] == *v, "{k} differs after kill -9 and resume");
    }
}
