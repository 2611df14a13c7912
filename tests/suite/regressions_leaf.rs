//! Regressions of issue 16 (the defects found by hostile use), each test
//! named after what broke: truncated single-member gzip WARC files,
//! special files among the inputs, the repeated-lead rule on huge pages,
//! required fields emptied by their steps.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sitelift::store::{Exchange, WarcWriter};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary; a run that has not ended after a minute is killed and
/// the test fails (the defects here include hangs: the test must not hang).
fn sitelift(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (dir.path().join("out"), dir.path().join("err"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_sitelift"))
        .current_dir(cwd)
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().ok();
            child.wait().ok();
            panic!("sitelift {args:?} hangs (killed after a minute)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (
        status.code().unwrap_or(-1),
        std::fs::read_to_string(out_path).unwrap(),
        std::fs::read_to_string(err_path).unwrap(),
    )
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap().success();
    assert!(ok, "mkfifo {}", path.display());
}

fn records(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The fixture pages as one plain (uncompressed) WARC: the records our
/// writer makes, inflated.
fn plain_warc_of(pages: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let mut w = WarcWriter::open(dir.path(), "test", 1 << 30).unwrap();
    let fx = root().join("fixtures/iranfocus");
    for p in pages {
        let body = std::fs::read(fx.join(format!("{p}.html"))).unwrap();
        let meta: serde_json::Value =
            serde_json::from_slice(&std::fs::read(fx.join(format!("{p}.meta.json"))).unwrap())
                .unwrap();
        let ct = meta["content_type"].as_str().unwrap_or("text/html");
        let headers = vec![("Content-Type".to_string(), ct.as_bytes().to_vec())];
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
    let gz = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".warc.gz"))
        .unwrap();
    let mut plain = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::MultiGzDecoder::new(std::fs::File::open(gz).unwrap()),
        &mut plain,
    )
    .unwrap();
    plain
}

/// Issue 16, item 8: a `.warc.gz` made of one gzip member (as `gzip
/// file.warc` makes it) and cut short gave 0 pages, where `zcat` recovers
/// the records before the cut. The records that inflate are read, and the
/// warning names the file and where it breaks.
#[test]
fn a_truncated_single_member_gzip_warc_keeps_the_records_before_the_cut() {
    let plain = plain_warc_of(&["wp-article-7198", "wp-no-dateline", "joomla-article-7198"]);
    // the last response record: the cut falls 100 bytes into it
    let needle = b"WARC-Type: response";
    let last = plain
        .windows(needle.len())
        .rposition(|w| w == needle)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let warc = dir.path().join("whole.warc.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&plain[..last + 100]).unwrap();
    enc.flush().unwrap(); // everything so far can be inflated
    let cut = enc.get_ref().len();
    enc.write_all(&plain[last + 100..]).unwrap();
    let whole = enc.finish().unwrap();
    assert!(cut < whole.len());
    std::fs::write(&warc, &whole[..cut]).unwrap();
    // zcat's view: the bytes before the cut inflate
    let mut inflated = Vec::new();
    let _ = std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&whole[..cut]),
        &mut inflated,
    );
    assert!(inflated.len() > last, "the test cuts after the first pages");

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
    let ids: Vec<String> = records(&out)
        .iter()
        .map(|r| r["legacy_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["7198", "35013"], "{err}");
    assert!(err.contains("2 pages: 2 records"), "{err}");
    let warning = err
        .lines()
        .find(|l| l.contains("warning") && l.contains("truncated"))
        .unwrap_or_else(|| panic!("no warning: {err}"));
    assert!(warning.contains(warc.to_str().unwrap()), "{warning}");
    // where the file breaks: its end, inside the gzip member at offset 0
    assert!(warning.contains(&format!("byte {cut}")), "{warning}");
}

/// Issue 16, item 9: a FIFO named `*.html` in an input folder made
/// `extract` hang for ever (opening a FIFO for reading blocks). It is
/// skipped with a note naming it; the other pages are extracted.
#[test]
fn a_fifo_named_html_in_an_input_folder_is_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let fx = root().join("fixtures/iranfocus");
    for f in ["wp-article-7198.html", "wp-article-7198.meta.json"] {
        std::fs::copy(fx.join(f), dir.path().join(f)).unwrap();
    }
    mkfifo(&dir.path().join("stuck.html"));
    let (code, out, err) = sitelift(
        &[
            "extract",
            "--profile",
            "selectors/iranfocus.toml",
            dir.path().to_str().unwrap(),
        ],
        &root(),
    );
    assert_eq!(code, 0, "{err}");
    let recs = records(&out);
    assert_eq!(recs.len(), 1, "{out}");
    assert_eq!(recs[0]["legacy_id"], "7198");
    let note = err
        .lines()
        .find(|l| l.contains("stuck.html"))
        .unwrap_or_else(|| panic!("no note: {err}"));
    assert!(note.contains("not a regular file"), "{note}");
    assert!(err.contains("1 pages: 1 records"), "{err}");
}

/// Issue 16, item 9: a FIFO given as `--profile`, or as a named input
/// (page or WARC file), hung for ever. It is refused at once: exit 2, and a
/// message that names it and says what is wrong.
#[test]
fn a_fifo_given_as_profile_or_named_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fifo_toml = dir.path().join("profile.toml");
    let fifo_html = dir.path().join("page.html");
    let fifo_warc = dir.path().join("crawl.warc.gz");
    let store = dir.path().join("store");
    for f in [&fifo_toml, &fifo_html, &fifo_warc] {
        mkfifo(f);
    }
    let page = root().join("fixtures/iranfocus/wp-article-7198.html");
    let cases: Vec<(Vec<&str>, &Path)> = vec![
        (
            vec![
                "extract",
                "--profile",
                fifo_toml.to_str().unwrap(),
                page.to_str().unwrap(),
            ],
            &fifo_toml,
        ),
        (
            vec![
                "crawl",
                "--profile",
                fifo_toml.to_str().unwrap(),
                "--store",
                store.to_str().unwrap(),
            ],
            &fifo_toml,
        ),
        (
            vec![
                "extract",
                "--profile",
                "selectors/iranfocus.toml",
                fifo_html.to_str().unwrap(),
            ],
            &fifo_html,
        ),
        (
            vec![
                "extract",
                "--profile",
                "selectors/iranfocus.toml",
                fifo_warc.to_str().unwrap(),
            ],
            &fifo_warc,
        ),
    ];
    for (args, fifo) in cases {
        let (code, out, err) = sitelift(&args, &root());
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(err.contains(fifo.to_str().unwrap()), "{args:?}: {err}");
        assert!(err.contains("not a regular file"), "{args:?}: {err}");
    }
}

const BODY_PROFILE: &str = r#"
[site]
name = "t"

[[template]]
name = "article"
[template.match]
present = ["div.body"]
[template.fields.title]
select = ["h1"]
required = true
[template.body]
select = ["div.body"]
"#;

fn page_dir(html: &str, profile: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("profile.toml"), profile).unwrap();
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    std::fs::write(pages.join("a.html"), html).unwrap();
    std::fs::write(
        pages.join("a.meta.json"),
        r#"{"url": "https://example.org/a.html", "content_type": "text/html; charset=utf-8"}"#,
    )
    .unwrap();
    dir
}

fn extract_page_dir(dir: &Path) -> (i32, String, String) {
    sitelift(
        &[
            "extract",
            "--profile",
            dir.join("profile.toml").to_str().unwrap(),
            dir.join("pages").to_str().unwrap(),
        ],
        dir,
    )
}

/// Issue 16, item 10: the repeated-lead (teaser) rule was quadratic and
/// silent: a page of identical paragraphs took minutes and lost all but
/// one of them without a word. The rule still takes the repeats as a teaser,
/// but in one pass, and says on the record how many blocks it dropped when
/// that is more than a couple.
#[test]
fn a_page_of_identical_paragraphs_drops_its_teasers_with_a_warning() {
    let para = "The same paragraph again and again, long enough to count as a lead. ".repeat(14);
    let n = 3000; // about 3 MB
    let mut html = String::from("<html><body><h1>Same</h1><div class=\"body\">");
    for _ in 0..n {
        html.push_str("<p>");
        html.push_str(&para);
        html.push_str("</p>\n");
    }
    html.push_str("</div></body></html>");
    assert!(html.len() > 2_500_000);
    let dir = page_dir(&html, BODY_PROFILE);
    let (code, out, err) = extract_page_dir(dir.path());
    assert_eq!(code, 0, "{err}");
    let recs = records(&out);
    assert_eq!(recs.len(), 1);
    let paragraphs = recs[0]["body"]["paragraphs"].as_array().unwrap();
    assert_eq!(paragraphs.len(), 1);
    let warnings = recs[0]["warnings"].as_array().unwrap();
    let w = warnings
        .iter()
        .find(|w| w["kind"] == "repeated_lead")
        .unwrap_or_else(|| panic!("no repeated_lead warning: {warnings:?}"));
    assert_eq!(w["field"], "body");
    let msg = w["message"].as_str().unwrap();
    assert!(msg.contains(&format!("dropped {} ", n - 1)), "{msg}");
}

/// The usual teaser (one block repeating the lead) is dropped without a
/// warning: a couple of dropped blocks is the rule doing its job.
#[test]
fn a_single_teaser_is_dropped_without_a_warning() {
    let lead =
        "Tehran says it will not hold talks with the United States over Iraq, officials said.";
    let html = format!(
        "<html><body><h1>T</h1><div class=\"body\"><p>{lead}</p><p>{lead} More follows here.</p><p>Second paragraph.</p></div></body></html>"
    );
    let dir = page_dir(&html, BODY_PROFILE);
    let (code, out, err) = extract_page_dir(dir.path());
    assert_eq!(code, 0, "{err}");
    let rec = &records(&out)[0];
    assert_eq!(rec["body"]["paragraphs"].as_array().unwrap().len(), 2);
    let warnings = rec["warnings"].as_array().unwrap();
    assert!(
        !warnings.iter().any(|w| w["kind"] == "repeated_lead"),
        "{warnings:?}"
    );
}

/// The one output line of a page run through `profile`, and the exit code.
fn one_line(html: &str, profile: &str) -> (i32, serde_json::Value, String) {
    let dir = page_dir(html, profile);
    let (code, out, err) = extract_page_dir(dir.path());
    let lines = records(&out);
    assert_eq!(lines.len(), 1, "{out}\n{err}");
    (code, lines.into_iter().next().unwrap(), err)
}

/// Issue 16, item 12: a required title that a step empties (here a
/// `replace` that matches everything) gave a record with an empty title
/// and exit 0. An empty required field is a failed page, as a missing one
/// is.
#[test]
fn a_required_title_emptied_by_a_step_fails_the_page() {
    let profile = BODY_PROFILE.replace(
        "required = true\n",
        "required = true\nsteps = [{ replace = '(?s).*', with = '' }]\n",
    );
    let html = "<html><body><h1>A title</h1><div class=\"body\"><p>Some text of the body.</p></div></body></html>";
    let (code, line, err) = one_line(html, &profile);
    assert_eq!(code, 1, "{err}");
    assert_eq!(line["error"]["kind"], "required_field", "{line}");
    assert!(
        line["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`title`"),
        "{line}"
    );
}

/// Issue 16, item 12: the same for the body (required by default): a body
/// container whose every paragraph the profile drops gave a record with an
/// empty body and exit 0.
#[test]
fn a_required_body_emptied_by_its_rules_fails_the_page() {
    let profile = format!("{BODY_PROFILE}drop_paragraphs = ['(?s).']\n");
    let html = "<html><body><h1>A title</h1><div class=\"body\"><p>Some text of the body.</p><p>More.</p></div></body></html>";
    let (code, line, err) = one_line(html, &profile);
    assert_eq!(code, 1, "{err}");
    assert_eq!(line["error"]["kind"], "required_field", "{line}");
    assert!(
        line["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`body`"),
        "{line}"
    );
    // an optional body may come out empty: a record with a warning
    let optional = format!("{profile}required = false\n");
    let (code, line, err) = one_line(html, &optional);
    assert_eq!(code, 0, "{err}");
    assert_eq!(line["title"], "A title", "{line}");
}
