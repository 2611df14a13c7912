//! The migration package of the fixture site, from `run --layout dir`:
//! every image and media link of every body is a new path whose file is
//! under `media/` with the SHA-256 `media.jsonl` gives (or the record has a
//! `missing_media` warning for it); every link to another migrated article
//! is that article's new path; the link to the missing article is listed
//! in `links.jsonl` with what the crawl recorded; `terms.jsonl` has the
//! site's section tree.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::site;

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn records(dir: &Path) -> Vec<Value> {
    let mut out = Vec::new();
    let mut stack = vec![dir.join("records")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap());
            }
        }
    }
    out
}

/// The values of `attr="…"` in `html` (entities of ours undone).
fn attrs(html: &str, open: &str) -> Vec<String> {
    html.match_indices(open)
        .filter_map(|(i, _)| {
            let rest = &html[i + open.len()..];
            rest.find('"').map(|end| rest[..end].replace("&amp;", "&"))
        })
        .collect()
}

#[test]
fn the_fixture_sites_package_carries_media_links_and_terms() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("package");
    let o = Command::new(env!("CARGO_BIN_EXE_sitelift"))
        .current_dir(site::root())
        .args([
            "run",
            "--profile",
            "selectors/iranfocus.toml",
            "--serve",
            "fixtures/iranfocus",
        ])
        .args(["--delay-ms", "0", "--layout", "dir", "--store"])
        .arg(dir.path().join("store"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(matches!(o.status.code(), Some(0 | 1)), "{err}");

    let media: BTreeMap<String, Value> = lines(&out.join("media.jsonl"))
        .into_iter()
        .map(|m| (m["url"].as_str().unwrap().to_string(), m))
        .collect();
    assert!(media.len() >= 6, "{media:?}");
    let redirects = std::fs::read_to_string(out.join("redirects.csv")).unwrap();
    let legacy: Vec<&str> = redirects
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .collect();
    let records = records(&out);
    assert_eq!(records.len(), 11);
    let mut missing = 0;
    for r in &records {
        let html = r["body"]["html"].as_str().unwrap();
        let warned: Vec<&str> = r["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["kind"] == "missing_media")
            .map(|w| w["message"].as_str().unwrap())
            .collect();
        let mut media_refs = attrs(html, "<img src=\"");
        media_refs.extend(
            attrs(html, "<a href=\"")
                .into_iter()
                .filter(|h| h.starts_with("/media/") || h.ends_with(".pdf")),
        );
        for src in media_refs {
            match media.get(&src) {
                Some(m) => {
                    let file = out.join(m["path"].as_str().unwrap());
                    let bytes =
                        std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                    assert_eq!(
                        sitelift::media::sha256_hex(&bytes),
                        m["sha256"].as_str().unwrap(),
                        "{src}"
                    );
                }
                None => {
                    assert!(
                        warned.iter().any(|w| w.starts_with(&src)),
                        "{src} is neither carried over nor warned: {r}"
                    );
                    missing += 1;
                }
            }
        }
        // no link left to a legacy URL that a record or listing now has
        for href in attrs(html, "<a href=\"") {
            let base = href.split('#').next().unwrap();
            assert!(
                !legacy.contains(&base),
                "a link still points at the legacy {href}"
            );
        }
    }
    assert_eq!(missing, 1, "the one image the site does not have");
    // links between articles, in both URL generations
    let new_url_of = |id: &str| {
        redirects
            .lines()
            .find(|l| l.ends_with(&format!(",url,{id}")))
            .unwrap()
            .split(',')
            .nth(1)
            .unwrap()
            .to_string()
    };
    let by_id = |id: &str| records.iter().find(|r| r["legacy_id"] == id).unwrap();
    let html_7102 = by_id("7102")["body"]["html"].as_str().unwrap().to_string();
    assert!(
        html_7102.contains(&format!(
            "<a href=\"{}\">not hold talks",
            new_url_of("7198")
        )),
        "{html_7102}"
    );
    let html_35013 = by_id("35013")["body"]["html"].as_str().unwrap().to_string();
    assert!(
        html_35013.contains(&format!("<a href=\"{}#comments\">", new_url_of("7198"))),
        "{html_35013}"
    );
    assert!(
        html_35013.contains(&format!("<a href=\"{}\">hosting", new_url_of("5880"))),
        "{html_35013}"
    );
    // the missing article is listed, with the crawl's reason
    let broken = lines(&out.join("links.jsonl"));
    let lost = broken
        .iter()
        .find(|b| b["target"].as_str().unwrap().contains("id=7099"))
        .unwrap_or_else(|| panic!("{broken:?}"));
    assert_eq!(lost["record"], "7102");
    assert_eq!(lost["why"], "failed http_404");
    // the section tree
    let terms = lines(&out.join("terms.jsonl"));
    let iraq = terms
        .iter()
        .find(|t| t["slug"] == "news-on-iran-and-its-neighbours/iraq")
        .unwrap_or_else(|| panic!("{terms:?}"));
    assert_eq!(iraq["parent"], "news-on-iran-and-its-neighbours");
    assert!(terms
        .iter()
        .any(|t| t["slug"] == "news-on-iran-and-its-neighbours" && t["parent"].is_null()));
    assert!(
        !iraq["legacy_urls"].as_array().unwrap().is_empty(),
        "{iraq}"
    );
    assert!(err.contains("media: "), "{err}");
}
