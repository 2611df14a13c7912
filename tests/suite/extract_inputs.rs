//! `sitelift extract` over the inputs an operator has: a WARC file (ours or
//! another tool's) and a folder of saved pages, through the real binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use sitelift::store::{Exchange, WarcWriter};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sitelift(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sitelift"))
        .current_dir(cwd)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Write fixture pages into a WARC file as HTTP responses, with their sidecar URLs.
fn warc_of(pages: &[&str], dir: &Path) -> PathBuf {
    let mut w = WarcWriter::open(dir, "test", 1 << 30).unwrap();
    for p in pages {
        let fx = root().join("fixtures/iranfocus");
        let body = std::fs::read(fx.join(format!("{p}.html"))).unwrap();
        let meta: serde_json::Value =
            serde_json::from_slice(&std::fs::read(fx.join(format!("{p}.meta.json"))).unwrap())
                .unwrap();
        let ct = meta["content_type"]
            .as_str()
            .unwrap_or("text/html")
            .to_string();
        let headers = vec![("Content-Type".to_string(), ct.into_bytes())];
        let req = vec![("User-Agent".to_string(), "test".to_string())];
        w.write_exchange(&Exchange {
            target_uri: meta["url"].as_str().unwrap(),
            date: jiff::Timestamp::UNIX_EPOCH,
            ip: None,
            method: "GET",
            request_headers: &req,
            http_version: "HTTP/1.1",
            status: 200,
            reason: "OK",
            response_headers: &headers,
            payload: &body,
        })
        .unwrap();
    }
    drop(w);
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".warc.gz"))
        .unwrap()
}

#[test]
fn extract_reads_warc_files_and_merges_both_generations_of_an_article() {
    let dir = tempfile::tempdir().unwrap();
    let warc = warc_of(
        &[
            "joomla-article-7198",
            "wp-article-7198",
            "wp-no-dateline",
            "wp-listing-iraq",
        ],
        dir.path(),
    );
    let (code, out, err) = sitelift(
        &[
            "extract",
            "--profile",
            "selectors/iranfocus.toml",
            warc.to_str().unwrap(),
        ],
        &root(),
    );
    assert_eq!(code, 0, "{err}");
    let records: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // 7198 once (the WordPress page wins, the Joomla URL becomes an alias), 35013 once, the listing not emitted
    let ids: Vec<&str> = records
        .iter()
        .map(|r| r["legacy_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["7198", "35013"]);
    let seed = &records[0];
    assert_eq!(seed["template"], "wp-article");
    assert_eq!(seed["provenance"]["url"], "warc");
    let aliases: Vec<&str> = seed["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(aliases.contains(&"https://www.iranfocus.com/en/index.php?option=com_content&task=view&id=7198&Itemid=26"), "{aliases:?}");
    // Same extraction as from the saved file: the body and lists equal the fixture's expectation.
    let expected: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root().join("fixtures/iranfocus/wp-article-7198.json")).unwrap(),
    )
    .unwrap();
    for k in ["title", "section", "dateline", "published", "body", "lists"] {
        assert_eq!(seed[k], expected[k], "{k}");
    }
    assert!(err.contains("1 merged by legacy id"), "{err}");
}

#[test]
fn extract_reads_a_wget_warc() {
    let (code, out, err) = sitelift(
        &[
            "extract",
            "--profile",
            "selectors/iranfocus.toml",
            "tests/data/wget-sample.warc.gz",
        ],
        &root(),
    );
    // the sample's pages are not Iran Focus pages: read, then reported unmatched, one line each
    assert_eq!(code, 1, "{err}");
    assert!(!out.is_empty());
    for l in out.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["error"]["kind"], "unmatched", "{l}");
        assert!(
            v["url"].as_str().unwrap().starts_with("http://127.0.0.1"),
            "{l}"
        );
    }
}

#[test]
fn extract_of_a_folder_is_deterministic_across_thread_counts() {
    let args = |t: &'static str| {
        [
            "extract",
            "--profile",
            "selectors/iranfocus.toml",
            "fixtures/iranfocus",
            "--threads",
            t,
        ]
    };
    let (c1, one, _) = sitelift(&args("1"), &root());
    let (c2, two, _) = sitelift(&args("2"), &root());
    let (_, eight, _) = sitelift(&args("8"), &root());
    assert_eq!(c1, 1, "the fixtures hold an unmatched page");
    assert_eq!(c1, c2);
    assert!(
        one == two && two == eight,
        "output differs with the thread count"
    );
    assert_eq!(
        one.lines().count(),
        12,
        "11 articles (7198 once for its two pages) and one unmatched page"
    );
}

#[test]
fn a_bad_profile_stops_with_exit_code_2_and_a_located_message() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[site]\nname = \"x\"\n\n[[template]]\nname = \"a\"\n[template.match]\npresent = [\"h1[\"]\n").unwrap();
    let (code, _, err) = sitelift(
        &[
            "extract",
            "--profile",
            bad.to_str().unwrap(),
            "fixtures/iranfocus",
        ],
        &root(),
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("bad.toml:7:") && err.contains("template.a.match.present[0]"),
        "{err}"
    );
}

/// The plain WARC text of a `.warc.gz` file (all its members).
fn gunzip(path: &Path) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn extract_reads_a_warc_gzipped_as_one_member_like_one_gzipped_per_record() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let pages = [
        "joomla-article-7198",
        "wp-article-7198",
        "wp-no-dateline",
        "wp-listing-iraq",
        "unmatched-contact",
    ];
    let per_record = warc_of(&pages, dir.path());
    // `gzip whole.warc`: every record inside one gzip member
    let whole = dir.path().join("whole.warc.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&gunzip(&per_record)).unwrap();
    std::fs::write(&whole, gz.finish().unwrap()).unwrap();
    let extract = |warc: &Path, threads: &str| {
        sitelift(
            &[
                "extract",
                "--profile",
                "selectors/iranfocus.toml",
                "--threads",
                threads,
                warc.to_str().unwrap(),
            ],
            &root(),
        )
    };
    let (code, expected, err) = extract(&per_record, "2");
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        expected.lines().count(),
        3,
        "two records and the unmatched page"
    );
    assert!(!expected.contains("\"store\""), "{expected}");
    for threads in ["1", "3"] {
        assert_eq!(extract(&per_record, threads).1, expected);
    }
    let (code, out, err) = extract(&whole, "2");
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, expected);
}

#[test]
fn extract_of_a_truncated_warc_keeps_the_pages_before_the_cut_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let warc = warc_of(
        &["wp-article-7198", "wp-no-dateline", "joomla-article-7198"],
        dir.path(),
    );
    let len = std::fs::metadata(&warc).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&warc).unwrap();
    f.set_len(len - 2000).unwrap(); // inside the last response record
    drop(f);
    let (code, out, err) = sitelift(
        &[
            "extract",
            "--profile",
            "selectors/iranfocus.toml",
            warc.to_str().unwrap(),
        ],
        &root(),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("warning") && err.contains("truncated"),
        "{err}"
    );
    let ids: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| v["legacy_id"].as_str().unwrap().to_string())
        .collect();
    // the Joomla page was cut: 7198 comes from the WordPress page alone
    assert_eq!(ids, ["7198", "35013"]);
    assert!(err.contains("2 pages: 2 records"), "{err}");
}

/// Issue: a folder of saved pages gave article 7198 twice (its Joomla and
/// WordPress pages), two files under `--layout dir`, and redirect
/// conflicts, where a crawl or WARC of the same site gives one record.
#[test]
fn a_folder_of_saved_pages_gives_one_record_per_legacy_id() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("records.jsonl");
    let (code, _, err) = sitelift(
        &[
            "extract",
            "--profile",
            "selectors/iranfocus.toml",
            "fixtures/iranfocus",
            "--out",
            out.to_str().unwrap(),
        ],
        &root(),
    );
    assert_eq!(code, 1, "{err}"); // the unmatched contact page
    let text = std::fs::read_to_string(&out).unwrap();
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v.get("legacy_id").is_some())
        .collect();
    let ids: Vec<&str> = records
        .iter()
        .filter_map(|r| r["legacy_id"].as_str())
        .collect();
    assert_eq!(ids.iter().filter(|i| **i == "7198").count(), 1, "{ids:?}");
    let seed = records.iter().find(|r| r["legacy_id"] == "7198").unwrap();
    assert_eq!(seed["template"], "wp-article");
    let aliases = seed["aliases"].to_string();
    assert!(aliases.contains("task=view&id=7198"), "{aliases}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("records.report.json")).unwrap())
            .unwrap();
    assert_eq!(report["redirect_conflicts"], serde_json::json!([]));
    assert_eq!(report["extraction"]["merged"], 1);
    // one file under --layout dir
    let folder = dir.path().join("out");
    let (code, _, err) = sitelift(
        &[
            "extract",
            "--profile",
            "selectors/iranfocus.toml",
            "fixtures/iranfocus",
            "--layout",
            "dir",
            "--out",
            folder.to_str().unwrap(),
        ],
        &root(),
    );
    assert_eq!(code, 1, "{err}");
    let mut files = 0;
    let mut stack = vec![folder.join("records")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::read_to_string(&p)
                .unwrap()
                .contains("\"legacy_id\": \"7198\"")
            {
                files += 1;
            }
        }
    }
    assert_eq!(files, 1, "files holding article 7198");
}

/// Records of saved pages name their input file, as error entries do;
/// records of WARC files and stores have no such key.
#[test]
fn records_of_saved_pages_carry_their_input_path() {
    let (code, out, err) = sitelift(
        &[
            "extract",
            "--profile",
            "selectors/iranfocus.toml",
            "fixtures/iranfocus",
        ],
        &root(),
    );
    assert_eq!(code, 1, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let records: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l.get("legacy_id").is_some())
        .collect();
    assert_eq!(records.len(), 11);
    for r in &records {
        let file = r["file"]
            .as_str()
            .expect("a record of a saved page names its file");
        assert!(
            file.starts_with("fixtures/iranfocus/") && file.ends_with(".html"),
            "{file}"
        );
        assert!(root().join(file).is_file(), "{file}");
    }
    let seed = records
        .iter()
        .find(|r| r["legacy_id"] == "7198")
        .expect("the seed article");
    // merged from both generations; the primary record's file
    assert_eq!(seed["file"], "fixtures/iranfocus/wp-article-7198.html");

    let dir = tempfile::tempdir().unwrap();
    let warc = warc_of(&["wp-article-7198"], dir.path());
    let (code, out, err) = sitelift(
        &[
            "extract",
            "--profile",
            "selectors/iranfocus.toml",
            &warc.display().to_string(),
        ],
        &root(),
    );
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert!(r.get("file").is_none(), "{r}");
}
