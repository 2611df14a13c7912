//! `extract --limit N`: only the first N pages of each kind of input (saved
//! pages in path order, a store in its order, WARC files in URL order), the
//! same pages whatever the thread count, and a report that says so.

use serde_json::Value;

use crate::common::site::{crawl_fixture_site, sitelift};

fn report(out: &std::path::Path) -> Value {
    let r = out.with_extension("report.json");
    serde_json::from_str(&std::fs::read_to_string(r).unwrap()).unwrap()
}

fn urls(out: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(out)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["url"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn limit_extracts_the_first_pages_of_every_input_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let s = |p: &std::path::Path| p.display().to_string();
    crawl_fixture_site(&store);
    let warcs: Vec<String> = std::fs::read_dir(store.join("warc"))
        .unwrap()
        .map(|e| s(&e.unwrap().path()))
        .filter(|p| p.ends_with(".warc.gz"))
        .collect();

    let inputs: Vec<(&str, Vec<String>)> = vec![
        ("saved", vec!["fixtures/iranfocus".to_string()]),
        ("store", vec!["--store".to_string(), s(&store)]),
        ("warc", warcs),
    ];
    for (what, input) in inputs {
        let mut seen = Vec::new();
        for threads in ["1", "2"] {
            let out = dir.path().join(format!("{what}-{threads}.jsonl"));
            let mut args = vec!["extract", "--profile", "selectors/iranfocus.toml"];
            args.extend(input.iter().map(String::as_str));
            let o = s(&out);
            args.extend(["--limit", "3", "--threads", threads, "--out", &o]);
            let (code, _, err) = sitelift(&args);
            assert!(matches!(code, Some(0 | 1)), "{what}: {err}");
            assert!(err.contains("limited: the first 3 of "), "{what}: {err}");
            let r = report(&out);
            assert_eq!(r["extraction"]["pages"], 3, "{what}: {r}");
            assert!(
                r["outcome"]
                    .as_str()
                    .unwrap()
                    .starts_with("limited: the first 3 of "),
                "{what}: {}",
                r["outcome"]
            );
            seen.push(std::fs::read(&out).unwrap());
            assert!(urls(&out).len() <= 3, "{what}");
        }
        assert_eq!(seen[0], seen[1], "{what}: other pages with 2 threads");
    }

    // a limit over the number of pages changes nothing and says nothing
    let out = dir.path().join("all.jsonl");
    let (_, _, err) = sitelift(&[
        "extract",
        "--profile",
        "selectors/iranfocus.toml",
        "fixtures/iranfocus",
        "--limit",
        "1000",
        "--out",
        &s(&out),
    ]);
    assert!(!err.contains("limited"), "{err}");
    assert_eq!(report(&out)["extraction"]["pages"], 17);
}
