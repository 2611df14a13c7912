//! Internal links: a link in a record's body to another migrated article,
//! in either URL generation (the Joomla `index.php?…id=N` URL with any
//! `Itemid`, `http`/`www.` variants, a `#fragment`), becomes that record's
//! new path; a link to a listing page its section's path; a link to the
//! legacy site that leads to nothing migrated stays as it is and is listed
//! in `links.jsonl` and the report, with why.

use std::path::Path;
use std::process::Command;

use crate::common::site;

/// The fixture folder with article 35013's last paragraph linking to the
/// other articles and to a page that is not there.
fn site_with_links(dir: &Path) -> std::path::PathBuf {
    let fx = dir.join("iranfocus");
    std::fs::create_dir(&fx).unwrap();
    for e in std::fs::read_dir(site::fixtures()).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, fx.join(p.file_name().unwrap())).unwrap();
    }
    let page = fx.join("wp-no-dateline.html");
    let html = std::fs::read_to_string(&page).unwrap();
    let old = "<p><a href=\"https://www.iranfocus.com/en/iran-news/human-rights/\">Human rights groups</a> say";
    assert!(html.contains(old));
    let links = concat!(
        "<p>Earlier: <a href=\"http://www.iranfocus.com/en/index.php?option=com_content&amp;task=view&amp;id=7198&amp;Itemid=99\">talks</a>, ",
        "<a href=\"https://iranfocus.com/en/iran-and-its-neighbours/iraq/7198-iran-says-it-will-not-hold-talks-with-us-over-iraq/#comments\">the comments</a>, ",
        "<a href=\"https://www.iranfocus.com/en/iran-and-its-neighbours/iraq/page/2/\">more on Iraq</a>, ",
        "<a href=\"https://www.iranfocus.com/en/iran-news/99999-a-page-that-is-gone/\">a lost story</a> and ",
        "<a href=\"https://example.org/elsewhere\">elsewhere</a>.</p>"
    );
    std::fs::write(&page, html.replace(old, &format!("{links}{old}"))).unwrap();
    fx
}

#[test]
fn links_between_records_point_at_their_new_paths_and_broken_ones_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let fx = site_with_links(dir.path());
    let out = dir.path().join("out.jsonl");
    let o = Command::new(env!("CARGO_BIN_EXE_sitelift"))
        .current_dir(site::root())
        .args(["extract", "--profile", "selectors/iranfocus.toml"])
        .arg(&fx)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(1), "{err}");
    let records: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v.get("legacy_id").is_some())
        .collect();
    let redirects = std::fs::read_to_string(dir.path().join("out.redirects.csv")).unwrap();
    let new_url = |legacy: &str| -> String {
        redirects
            .lines()
            .find(|l| l.starts_with(&format!("{legacy},")))
            .unwrap_or_else(|| panic!("{legacy} not in the redirect map"))
            .split(',')
            .nth(1)
            .unwrap()
            .to_string()
    };
    let seed = new_url("https://www.iranfocus.com/en/iran-and-its-neighbours/iraq/7198-iran-says-it-will-not-hold-talks-with-us-over-iraq/");
    let iraq = new_url("https://www.iranfocus.com/en/iran-and-its-neighbours/iraq/page/2/");
    let r = records.iter().find(|r| r["legacy_id"] == "35013").unwrap();
    let html = r["body"]["html"].as_str().unwrap();
    assert!(
        html.contains(&format!("<a href=\"{seed}\">talks</a>")),
        "{html}"
    );
    assert!(
        html.contains(&format!("<a href=\"{seed}#comments\">the comments</a>")),
        "{html}"
    );
    assert!(
        html.contains(&format!("<a href=\"{iraq}\">more on Iraq</a>")),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"https://www.iranfocus.com/en/iran-news/99999-a-page-that-is-gone/\">a lost story</a>"),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"https://example.org/elsewhere\">elsewhere</a>"),
        "{html}"
    );
    // the link to the human-rights listing the fixtures do not hold is broken too
    let broken: Vec<serde_json::Value> =
        std::fs::read_to_string(dir.path().join("out.links.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    let lost = broken
        .iter()
        .find(|b| b["text"] == "a lost story")
        .unwrap_or_else(|| panic!("{broken:?}"));
    assert_eq!(lost["record"], "35013");
    assert_eq!(lost["why"], "not_migrated");
    assert!(!broken
        .iter()
        .any(|b| b["text"] == "elsewhere" || b["text"] == "talks"));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out.report.json")).unwrap())
            .unwrap();
    assert_eq!(report["broken_links"]["count"], broken.len());
    assert!(err.contains("broken internal links"), "{err}");
    // the record's text is untouched
    assert!(r["body"]["text"]
        .as_str()
        .unwrap()
        .contains("Earlier: talks, the comments"));
}
