//! `explain` traces the body: the container, what each `remove` selector
//! took out, which paragraphs `stop_at`, `drop_paragraphs` and the
//! repeated-lead rule dropped and why, and where each kept block came
//! from. And `stop_at` itself: the first matching paragraph ends the body,
//! with the images only the cut part showed.

use crate::common::site::sitelift;

const PROFILE: &str = r#"
[site]
name = "t"

[[template]]
name = "article"
[template.match]
present = ["h1"]
[template.fields.title]
select = ["h1"]
[template.body]
select = ["div.missing", "div.story"]
remove = [".ad", ".share", ".never"]
drop_paragraphs = ['^Photo: ']
stop_at = ['^For more information', '^Press release']
"#;

const PAGE: &str = r#"<!DOCTYPE html><html><head><title>T</title></head><body>
<h1>Ministers meet over the border crossing</h1>
<div class="story">
<p>Ministers of both countries met on Monday to discuss the border crossing and its opening hours.</p>
<div class="ad">Advertisement: buy now</div>
<p>Ministers of both countries met on Monday to discuss the border crossing and its opening hours. The talks lasted four hours.</p>
<section><p>Photo: the border crossing at dawn</p></section>
<p>Both sides agreed to meet again next month.</p>
<ul class="share"><li>Share on Facebook</li></ul>
<p>For more information, contact the press office.</p>
<p><img src="/logo-of-the-agency.png" alt="agency"></p>
<p>About the agency: founded in 1990.</p>
</div></body></html>"#;

fn explain(dir: &std::path::Path) -> (Option<i32>, String, String) {
    let profile = dir.join("t.toml");
    std::fs::write(&profile, PROFILE).unwrap();
    let page = dir.join("page.html");
    std::fs::write(&page, PAGE).unwrap();
    sitelift(&[
        "explain",
        "--profile",
        &profile.display().to_string(),
        &page.display().to_string(),
        "--base-url",
        "https://old.example/news/1.html",
    ])
}

#[test]
fn explain_shows_what_each_body_rule_did_and_where_kept_blocks_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = explain(dir.path());
    assert_eq!(code, Some(0), "{err}");
    let want = [
        "body.select[1] `div.story` → 1 container(s): div.story",
        "body.remove[0] `.ad` → removed 1: div.ad \"Advertisement: buy now\"",
        "body.remove[1] `.share` → removed 1: ul.share \"Share on Facebook\"",
        "body.remove[2] `.never` → nothing here",
        "body.stop_at[0] /^For more information/ matched paragraph \"For more information, contact the press office.\": it and the 2 block(s) after it dropped",
        "body.drop_paragraphs[0] /^Photo: / dropped paragraph \"Photo: the border crossing at dawn\"",
        "body: the repeated-lead rule dropped paragraph \"Ministers of both countries met on Monday to discuss the border crossing and its…\" (it repeats the start of the text after it: a teaser)",
        "body: kept 2 block(s):",
        "1. paragraph \"Ministers of both countries met on Monday to discuss the border crossing and its…\" ← div.story > p:nth-child(3)",
        "2. paragraph \"Both sides agreed to meet again next month.\" ← div.story > p:nth-child(5)",
    ];
    for line in want {
        assert!(out.contains(line), "missing `{line}` in:\n{out}");
    }
    // the record agrees with the trace: the cut part and its image are gone
    let record = &out[out.find("result:").unwrap()..];
    assert!(!record.contains("press office"), "{record}");
    assert!(!record.contains("logo-of-the-agency"), "{record}");
    assert!(record.contains("The talks lasted four hours."), "{record}");
}

#[test]
fn stop_at_in_extract_ends_the_body_at_the_first_match_only() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("t.toml");
    std::fs::write(&profile, PROFILE.replace("'^For more information', ", "")).unwrap();
    let page = dir.path().join("page.html");
    let text = PAGE.replace(
        "<p>Both sides",
        "<p>Press release of the agency follows.</p><p>Both sides",
    );
    std::fs::write(&page, text).unwrap();
    let (code, out, err) = sitelift(&[
        "extract",
        "--profile",
        &profile.display().to_string(),
        &page.display().to_string(),
        "--base-url",
        "https://old.example/news/1.html",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let record: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let paragraphs = record["body"]["paragraphs"].as_array().unwrap();
    assert_eq!(paragraphs.len(), 1, "{paragraphs:?}");
    assert!(paragraphs[0]
        .as_str()
        .unwrap()
        .ends_with("The talks lasted four hours."));
    assert_eq!(record["images"], serde_json::json!([]));
}
