//! The streamed assembly (records spooled to a temporary file, sorted by
//! key) must give the same one-record-per-article output as before: ordered
//! by legacy id, pages of one id merged with the first template's record as
//! primary and the others' URLs as aliases, error entries last.

use std::path::Path;

use crate::common::lines::Collected;
use serde_json::Value;
use sitelift::assemble::offline::{from_pages, from_warcs};
use sitelift::assemble::Assembled;
use sitelift::corpus::{generate, write_warc};
use sitelift::sources::warc::pages as pages_from_warcs;
use sitelift::store::{Chunk, ChunkReader, Exchange, WarcWriter};

fn fixture(name: &str) -> (String, String, Vec<u8>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/iranfocus");
    let bytes = std::fs::read(dir.join(format!("{name}.html"))).unwrap();
    let meta: Value =
        serde_json::from_slice(&std::fs::read(dir.join(format!("{name}.meta.json"))).unwrap())
            .unwrap();
    let ct = meta["content_type"].as_str().unwrap_or("text/html");
    (
        meta["url"].as_str().unwrap().to_string(),
        ct.to_string(),
        bytes,
    )
}

/// A response record (and its request record) for `url`.
fn write_page(w: &mut WarcWriter, url: &str, status: u16, content_type: &str, bytes: &[u8]) {
    let resp = [("Content-Type".to_string(), content_type.as_bytes().to_vec())];
    w.write_exchange(&Exchange {
        target_uri: url,
        date: jiff::Timestamp::from_second(1_700_000_000).unwrap(),
        ip: None,
        method: "GET",
        request_headers: &[],
        http_version: "HTTP/1.1",
        status,
        reason: if status == 200 { "OK" } else { "Other" },
        response_headers: &resp,
        payload: bytes,
    })
    .unwrap();
}

fn write_fixture(w: &mut WarcWriter, name: &str) {
    let (url, ct, bytes) = fixture(name);
    write_page(w, &url, 200, &ct, &bytes);
}

fn profile() -> sitelift::profile::Profile {
    sitelift::profile::Profile::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("selectors/iranfocus.toml"),
    )
    .unwrap()
}

#[test]
fn streamed_assembly_orders_merges_and_matches_the_collected_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let mut w = WarcWriter::open(tmp.path(), "t", u64::MAX).unwrap();
    for i in (0..30).rev() {
        write_warc(&mut w, i, &generate(3, 30, i)).unwrap();
    }
    for name in [
        "wp-article-7198",
        "joomla-article-7198",
        "unmatched-contact",
        "wp-no-dateline",
    ] {
        write_fixture(&mut w, name);
    }
    let file = tmp.path().join(w.current_file().unwrap());
    drop(w);
    let (pages, problems) = pages_from_warcs(&[file]);
    assert!(problems.is_empty(), "{problems:?}");
    let profile = profile();

    // the same lines whatever the number of threads
    let mut runs = Vec::new();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut c = Collected::default();
        let counts = from_pages(
            &pages,
            &profile,
            &sitelift::assemble::offline::NothingExtracted,
            Some(&pool),
            &mut |l| c.push(l),
        )
        .unwrap();
        assert_eq!(counts.merged, 1);
        assert_eq!(counts.unmatched, 1);
        runs.push(c);
    }
    assert_eq!(runs[0], runs[1]);
    let values: Vec<Value> = runs[0].values();
    // records first, in numeric legacy-id order; the unmatched page last
    let ids: Vec<u64> = values
        .iter()
        .filter_map(|v| v["legacy_id"].as_str())
        .map(|s| s.parse().unwrap())
        .collect();
    assert!(ids.len() >= 20);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    assert!(values.last().unwrap().get("error").is_some());
    // the two eras of article 7198 are one record, the WordPress one primary
    let seed = values.iter().find(|v| v["legacy_id"] == "7198").unwrap();
    assert_eq!(seed["template"], "wp-article");
    let aliases: Vec<&str> = seed["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        aliases.iter().any(|a| a.contains("task=view&id=7198")),
        "{aliases:?}"
    );
}

/// What one assembly gave: its lines and counts.
fn summary(a: &Assembled, c: Collected) -> Value {
    serde_json::json!({
        "lines": c.lines,
        "pages": a.pages,
        "records": a.records,
        "merged": a.merged,
        "not_emitted": a.not_emitted,
        "unmatched": a.unmatched,
        "failed": a.failed,
        "listings": c.listings,
    })
}

fn two_pass(files: &[std::path::PathBuf], profile: &sitelift::profile::Profile) -> Value {
    let (pages, problems) = pages_from_warcs(files);
    assert!(problems.is_empty(), "{problems:?}");
    let mut c = Collected::default();
    let a = from_pages(
        &pages,
        profile,
        &sitelift::assemble::offline::NothingExtracted,
        None,
        &mut |l| c.push(l),
    )
    .unwrap();
    assert_eq!(a.pages, pages.len());
    summary(&a, c)
}

fn one_pass(
    files: &[std::path::PathBuf],
    profile: &sitelift::profile::Profile,
    threads: usize,
) -> Value {
    let mut c = Collected::default();
    let (a, problems) = from_warcs(files, profile, threads, &mut |l| c.push(l)).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    summary(&a, c)
}

/// `extract FILE.warc.gz` reads each record once and extracts pages as they
/// stream by; the output must be the one of the list-then-extract path,
/// including when a URL is stored more than once (the last HTML response
/// wins, whatever it holds, and a later error or non-HTML response does not
/// count), with any number of workers.
#[test]
fn one_pass_over_warc_files_gives_the_output_of_the_two_pass_path() {
    let tmp = tempfile::tempdir().unwrap();
    let mut w = WarcWriter::open(tmp.path(), "t", u64::MAX).unwrap();
    let (listing_url, listing_ct, listing) = fixture("wp-listing-iraq");
    let (unmatched_url, unmatched_ct, unmatched) = fixture("unmatched-contact");
    let (_, article_ct, article) = fixture("wp-no-dateline");
    let pages: Vec<_> = (0..40).map(|i| generate(5, 40, i)).collect();
    for i in (0..40).rev() {
        write_warc(&mut w, i, &pages[i as usize]).unwrap();
    }
    for name in [
        "wp-article-7198",
        "joomla-article-7198",
        "unmatched-contact",
        "wp-listing-iraq",
        "wp-dateline-own-line",
    ] {
        write_fixture(&mut w, name);
    }
    // stored again, with other bytes: these later copies win
    write_page(&mut w, &pages[3].url, 200, "text/html", &pages[7].bytes);
    write_page(&mut w, &listing_url, 200, &article_ct, &article); // listing → record
    write_page(&mut w, &pages[4].url, 200, &unmatched_ct, &unmatched); // record → unmatched
    write_page(&mut w, &unmatched_url, 200, &listing_ct, &listing); // unmatched → listing
    write_page(&mut w, &pages[9].url, 200, "text/html", &pages[9].bytes); // the same bytes
                                                                          // later, but not HTML pages: they do not replace the page
    write_page(&mut w, &pages[5].url, 404, "text/html", b"<p>gone</p>");
    write_page(&mut w, &pages[6].url, 200, "image/png", b"\x89PNG");
    // a page only ever seen as an error
    write_page(
        &mut w,
        "https://www.iranfocus.com/en/gone.html",
        500,
        "text/html",
        b"x",
    );
    let file = tmp.path().join(w.current_file().unwrap());
    drop(w);
    let profile = profile();

    let expected = two_pass(std::slice::from_ref(&file), &profile);
    assert_eq!(expected["pages"], 40 + 5);
    assert!(expected["not_emitted"].as_u64().unwrap() > 0);
    assert_eq!(expected["unmatched"], 1);
    assert_eq!(expected["merged"], 1);
    for threads in [1, 2, 3] {
        assert_eq!(
            one_pass(std::slice::from_ref(&file), &profile, threads),
            expected,
            "{threads} threads"
        );
    }
    // the same file twice: every page stored twice, the second copies win
    let twice = [file.clone(), file.clone()];
    assert_eq!(two_pass(&twice, &profile), expected);
    assert_eq!(one_pass(&twice, &profile, 2), expected);
}

/// A damaged member in the middle of a file ends that file for the one-pass
/// reader, whose workers inflate the members, exactly as it does for the
/// list-then-extract path: the same records, and the same problem, with one
/// or two workers; the next file is read in full.
#[test]
fn a_damaged_member_ends_its_file_in_both_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let mut w = WarcWriter::open(tmp.path(), "t", 400_000).unwrap();
    for i in 0..30 {
        write_warc(&mut w, i, &generate(9, 30, i)).unwrap();
    }
    drop(w);
    let mut files: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    // flip a byte in the compressed data of the third response of file 0
    let members: Vec<(u64, usize)> = ChunkReader::open(&files[0])
        .unwrap()
        .map(|c| match c.unwrap() {
            Chunk::Member { offset, bytes } => (offset, bytes.len()),
            Chunk::Record(_) => panic!("the store's members carry their length"),
        })
        .collect();
    assert!(members.len() >= 9, "{}", members.len());
    let (at, len) = members[6];
    let mut bytes = std::fs::read(&files[0]).unwrap();
    bytes[at as usize + len / 2] ^= 0x55;
    std::fs::write(&files[0], &bytes).unwrap();

    let profile = profile();
    let (pages, problems) = pages_from_warcs(&files);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains(&format!("offset {at}")),
        "{problems:?}"
    );
    let mut c = Collected::default();
    let a = from_pages(
        &pages,
        &profile,
        &sitelift::assemble::offline::NothingExtracted,
        None,
        &mut |l| c.push(l),
    )
    .unwrap();
    let expected = (summary(&a, c), problems);
    for threads in [1, 2] {
        let mut c = Collected::default();
        let (b, problems) = from_warcs(&files, &profile, threads, &mut |l| c.push(l)).unwrap();
        assert_eq!((summary(&b, c), problems), expected, "{threads} threads");
    }
}
