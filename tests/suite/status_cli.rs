//! `sitelift status`: `--json` says what the table says, `--limit` cuts the
//! lists and says how much it left out, and the counts stay whole.

use std::path::Path;

use serde_json::Value;

use crate::common::site;

fn sitelift(args: &[&str], store: &Path) -> (Option<i32>, String, String) {
    let store = store.display().to_string();
    let mut all = args.to_vec();
    all.push(&store);
    site::sitelift(&all)
}

#[test]
fn status_json_and_limit_agree_with_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    site::crawl_fixture_site(&store);

    let (code, out, err) = sitelift(&["status", "--json", "--skipped"], &store);
    assert_eq!(code, Some(0), "{err}");
    let v: Value = serde_json::from_str(&out).expect("status --json is JSON");
    let counts = v["counts"].as_array().unwrap();
    let sum: u64 = counts.iter().map(|c| c["urls"].as_u64().unwrap()).sum();
    assert_eq!(v["total_urls"].as_u64(), Some(sum));
    let count_of = |status: &str| -> u64 {
        counts
            .iter()
            .filter(|c| c["status"] == status)
            .map(|c| c["urls"].as_u64().unwrap())
            .sum()
    };
    let failed = v["failed"]["total"].as_u64().unwrap();
    assert!(failed >= 3, "the fixture site links to pages it lacks: {v}");
    assert_eq!(failed, count_of("failed"));
    assert_eq!(v["failed"]["left_out"], 0);
    assert_eq!(v["failed"]["urls"].as_array().unwrap().len() as u64, failed);
    assert_eq!(v["skipped"]["total"].as_u64().unwrap(), count_of("skipped"));
    assert!(v["crawl_going"].is_null());
    let first = &v["failed"]["urls"][0];
    assert!(
        first["url"].as_str().unwrap().starts_with("http"),
        "{first}"
    );
    assert!(first["reason"].is_string(), "{first}");

    // the table lists the same failed URLs
    let (code, table, err) = sitelift(&["status"], &store);
    assert_eq!(code, Some(0), "{err}");
    for u in v["failed"]["urls"].as_array().unwrap() {
        assert!(table.contains(u["url"].as_str().unwrap()), "{table}");
    }

    // --limit 2: two URLs of each list, the rest counted, the counts whole
    let (code, cut, err) = sitelift(&["status", "--json", "--skipped", "--limit", "2"], &store);
    assert_eq!(code, Some(0), "{err}");
    let c: Value = serde_json::from_str(&cut).unwrap();
    assert_eq!(c["counts"], v["counts"]);
    assert_eq!(c["failed"]["urls"].as_array().unwrap().len(), 2);
    assert_eq!(c["failed"]["left_out"].as_u64(), Some(failed - 2));
    assert_eq!(c["failed"]["urls"][0], v["failed"]["urls"][0]);
    let (_, cut_table, _) = sitelift(&["status", "--limit", "2"], &store);
    let listed = cut_table
        .lines()
        .filter(|l| l.contains("attempt(s)"))
        .count();
    assert_eq!(listed, 2, "{cut_table}");
    assert!(
        cut_table.contains(&format!("... and {} more (--limit)", failed - 2)),
        "{cut_table}"
    );
}
