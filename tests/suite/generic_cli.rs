//! Generic extraction from the command line: `extract --generic` with no
//! profile gives a record for every article page; a profile's
//! `generic = true` template takes the pages no other template matches, and
//! only those; either way the records say `template: "generic"` and carry
//! the `generic` warning.

use std::process::Command;

use crate::common::site;

fn jsonl(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn extract_generic_without_a_profile_gives_generic_records() {
    let o = Command::new(env!("CARGO_BIN_EXE_sitelift"))
        .current_dir(site::root())
        .args([
            "extract",
            "--generic",
            "fixtures/iranfocus/wp-article-7198.html",
            "fixtures/iranfocus/joomla-dateline-colon.html",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let lines = jsonl(&String::from_utf8_lossy(&o.stdout));
    assert_eq!(lines.len(), 2);
    for r in &lines {
        assert_eq!(r["template"], "generic");
        assert!(
            r["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["kind"] == "generic"),
            "{r}"
        );
    }
    let seed = lines
        .iter()
        .find(|r| r["url"].as_str().unwrap().contains("7198-iran-says"))
        .unwrap();
    assert_eq!(
        seed["title"],
        "Iran says it will not hold talks with U.S. over Iraq"
    );
    let body = seed["body"]["text"].as_str().unwrap();
    assert!(body.contains("Iran announced on Sunday"), "{body}");
}

#[test]
fn a_generic_template_takes_only_the_pages_no_other_template_matches() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("iranfocus.toml");
    let mut text = std::fs::read_to_string(site::root().join("selectors/iranfocus.toml")).unwrap();
    text.push_str("\n[[template]]\nname = \"fallback\"\ngeneric = true\n[template.match]\nurl = ['/contact-us/']\n");
    std::fs::write(&profile, text).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_sitelift"))
        .current_dir(site::root())
        .arg("extract")
        .arg("--profile")
        .arg(&profile)
        .arg("fixtures/iranfocus")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    // the contact page no template matched is now a generic record: nothing unmatched
    assert_eq!(o.status.code(), Some(0), "{err}");
    let lines = jsonl(&String::from_utf8_lossy(&o.stdout));
    let generic: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|r| r["template"] == "generic")
        .collect();
    assert_eq!(generic.len(), 1, "{generic:?}");
    assert!(generic[0]["url"].as_str().unwrap().contains("/contact-us/"));
    assert!(lines.iter().all(|r| r.get("error").is_none()));
    // every other record is the profile's, as without the generic template
    assert_eq!(
        lines
            .iter()
            .filter(|r| r["template"] == "wp-article")
            .count(),
        8
    );
}
