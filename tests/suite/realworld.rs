//! Real pages of the same kind of theme (WordPress "Newspaper"), kept outside
//! the repository in `../shared/realworld/` with the facts a correct
//! extraction must show. Extracted with `selectors/tagdiv.toml`. Skipped,
//! with a note, when that folder is not beside the repository.

use std::path::PathBuf;

use sitelift::extract::{extract, Page};
use sitelift::profile::Profile;

#[test]
fn realworld_pages_show_the_expected_facts() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("../shared/realworld");
    let Ok(text) = std::fs::read_to_string(dir.join("expected.json")) else {
        eprintln!("skipping: {} is not there", dir.display());
        return;
    };
    let expected: serde_json::Value = serde_json::from_str(&text).unwrap();
    let profile = Profile::load(&root.join("selectors/tagdiv.toml")).unwrap();
    let mut problems = Vec::new();
    for (name, facts) in expected.as_object().unwrap() {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let url = url::Url::parse(facts["url"].as_str().unwrap()).unwrap();
        let page = Page {
            url: &url,
            bytes: &bytes,
            content_type: None,
            url_source: "test",
        };
        let r = serde_json::to_value(extract(&page, &profile)).expect("json");
        if r["title"] != facts["title"] {
            problems.push(format!(
                "{name}: title {} != {}",
                r["title"], facts["title"]
            ));
        }
        if let Some(author) = facts.get("author") {
            if !r["authors"].as_array().unwrap().contains(author) {
                problems.push(format!("{name}: authors {} lack {author}", r["authors"]));
            }
        }
        // The body is its text and its figure captions (a featured image's caption is part of the article).
        let mut body = r["body"]["text"].as_str().unwrap().to_string();
        for img in r["images"].as_array().unwrap() {
            if let Some(c) = img["caption"].as_str() {
                body.push('\n');
                body.push_str(c);
            }
        }
        for s in facts["body_must_contain"].as_array().unwrap() {
            if !body.contains(s.as_str().unwrap()) {
                problems.push(format!("{name}: body lacks {s}"));
            }
        }
        for s in facts["body_must_not_contain"].as_array().unwrap() {
            if body.contains(s.as_str().unwrap()) {
                problems.push(format!("{name}: body contains {s}"));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
