//! The streamed assembly (records spooled to a temporary file, sorted by
//! key) must give the same one-record-per-article output as before: ordered
//! by legacy id, pages of one id merged with the first template's record as
//! primary and the others' URLs as aliases, error entries last.

use std::path::Path;

use serde_json::Value;
use sitelift::corpus::{generate, write_warc};
use sitelift::crawl::assemble::{assemble, assemble_to, pages_from_warcs};
use sitelift::store::{Exchange, WarcWriter};

fn write_fixture(w: &mut WarcWriter, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/iranfocus");
    let bytes = std::fs::read(dir.join(format!("{name}.html"))).unwrap();
    let meta: Value =
        serde_json::from_slice(&std::fs::read(dir.join(format!("{name}.meta.json"))).unwrap())
            .unwrap();
    let ct = meta["content_type"].as_str().unwrap_or("text/html");
    let resp = [("Content-Type".to_string(), ct.as_bytes().to_vec())];
    w.write_exchange(&Exchange {
        target_uri: meta["url"].as_str().unwrap(),
        date: jiff::Timestamp::from_second(1_700_000_000).unwrap(),
        ip: None,
        method: "GET",
        request_headers: &[],
        http_version: "HTTP/1.1",
        status: 200,
        reason: "OK",
        response_headers: &resp,
        payload: &bytes,
    })
    .unwrap();
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
    let profile = sitelift::profile::Profile::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("selectors/iranfocus.toml"),
    )
    .unwrap();

    let collected = assemble(&pages, &profile, &Default::default());
    let mut streamed = Vec::new();
    let counts = assemble_to(
        &pages,
        &profile,
        &Default::default(),
        None,
        &mut |l: &str| {
            streamed.push(l.to_string());
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(collected.lines, streamed);
    assert_eq!(counts.merged, 1);
    assert_eq!(counts.unmatched, 1);

    let values: Vec<Value> = streamed
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
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
