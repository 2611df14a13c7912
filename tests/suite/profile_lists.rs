//! The list language for markup real sites use: an item that is itself the
//! link gives its own text and `href` with `:scope` (and a selector that
//! can only match the element it starts from is an error at load, not a
//! silent nothing); a heading that is a block of its own, with the items in
//! the block after it (`items_after`, tagDiv "Cloud" templates).

use std::path::Path;

use sitelift::profile::Profile;
use sitelift::record::{Outcome, Record};

use crate::common::hostile::extract_ok;

const PAGE: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>T</title></head><body>
<article><h1>Council passes the budget</h1>
<div class="text"><p>The council passed the budget on Tuesday after a long debate about the new library.</p></div>
</article>
<div class="tags"><a class="tag" href="/tag/budget">Budget</a><a class="tag" href="/tag/library">Library</a></div>
<div class="wpb_wrapper">
 <div class="td_block_wrap tdm_block_column_title"><div class="tdm-title-wrap"><h3 class="tdm-title">Latest news</h3></div></div>
 <div class="td_block_wrap td-a-rec">- Advertisement -</div>
 <div class="td_block_wrap tdb_loop"><div class="td_module_flex"><h3 class="entry-title"><a href="/n/1">First story</a></h3></div>
  <div class="td_module_flex"><h3 class="entry-title"><a href="/n/2">Second story</a></h3></div></div>
 <div class="td_block_wrap tdm_block_column_title"><div class="tdm-title-wrap"><h3 class="tdm-title">Most read</h3></div></div>
 <div class="td_block_wrap tdb_loop"><div class="td_module_flex"><h3 class="entry-title"><a href="/n/9">Ninth story</a></h3></div></div>
</div>
</body></html>"#;

fn profile(lists: &str) -> Result<Profile, String> {
    let src = format!(
        r#"[site]
name = "t"

[[template]]
name = "article"
[template.match]
present = ["h1"]
[template.fields.title]
select = ["h1"]
[template.body]
select = [".text"]
{lists}"#
    );
    Profile::from_str(&src, Path::new("lists.toml")).map_err(|e| e.to_string())
}

fn record(p: &Profile) -> Record {
    match extract_ok(
        "lists",
        PAGE.as_bytes(),
        "https://example.org/news/budget",
        p,
    ) {
        Outcome::Record(r) => *r,
        other => panic!("no record: {other:?}"),
    }
}

const TAGS: &str = r#"
[[template.list]]
name = "tags"
container = [".tags"]
item = "a.tag"
[template.list.fields.title]
select = [":scope"]
[template.list.fields.url]
select = [":scope@href"]
"#;

#[test]
fn an_item_that_is_the_link_gives_its_own_text_and_href_with_scope() {
    let r = record(&profile(TAGS).unwrap());
    let items: Vec<(String, String)> = r.lists["tags"]
        .iter()
        .map(|i| {
            (
                i["title"].as_str().unwrap().into(),
                i["url"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            (
                "Budget".to_string(),
                "https://example.org/tag/budget".to_string()
            ),
            (
                "Library".to_string(),
                "https://example.org/tag/library".to_string()
            ),
        ]
    );
}

#[test]
fn a_selector_that_can_only_match_its_own_scope_is_refused_at_load() {
    for (bad, key) in [
        ("a:scope", "template.article.list[0].fields.url.select[0]"),
        (
            ":scope.tag@href",
            "template.article.list[0].fields.url.select[0]",
        ),
    ] {
        let e = profile(&TAGS.replace(":scope@href", bad)).unwrap_err();
        assert!(e.contains(key), "{e}");
        assert!(e.contains("can never match here"), "{e}");
        assert!(e.contains("write `:scope` or `:scope@href`"), "{e}");
    }
    // `:scope` alone names nothing inside a body container or a match rule
    let e = Profile::from_str(
        "[site]\nname = \"t\"\n[[template]]\nname = \"a\"\n[template.match]\npresent = [\":scope\"]\n[template.fields.title]\nselect = [\"h1\"]\n",
        Path::new("m.toml"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("template.a.match.present[0]") && e.contains("can never match"),
        "{e}"
    );
    let e = Profile::from_str(
        "[site]\nname = \"t\"\n[[template]]\nname = \"a\"\n[template.match]\npresent = [\"h1\"]\n[template.fields.title]\nselect = [\"h1\"]\n[template.body]\nselect = [\":scope\"]\n",
        Path::new("b.toml"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("template.a.body.select[0]") && e.contains("can never match"),
        "{e}"
    );
}

const CLOUD: &str = r#"
[[template.list]]
name = "latest_news"
heading = "Latest news"
heading_selector = "h3.tdm-title"
block = ".td_block_wrap"
items_after = ".tdb_loop"
item = ".td_module_flex"
[template.list.fields.title]
select = [".entry-title a"]
[template.list.fields.url]
select = [".entry-title a@href"]
"#;

#[test]
fn items_after_takes_the_items_from_the_block_after_the_headings_block() {
    let r = record(&profile(CLOUD).unwrap());
    let titles: Vec<&str> = r.lists["latest_news"]
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    // the ad block between is passed over; the next heading's items are not taken
    assert_eq!(titles, ["First story", "Second story"]);
    assert_eq!(
        r.provenance["lists.latest_news"],
        "heading \"Latest news\" in .td_block_wrap, items in the next .tdb_loop"
    );
    // without items_after, the heading's own block has no items
    let plain = record(&profile(&CLOUD.replace("items_after = \".tdb_loop\"\n", "")).unwrap());
    assert!(plain.lists["latest_news"].is_empty());
}

#[test]
fn items_after_without_a_heading_is_refused() {
    let e = profile(
        "[[template.list]]\nname = \"x\"\ncontainer = [\".tags\"]\nitems_after = \".y\"\nitem = \"a\"\n[template.list.fields.title]\nselect = [\":scope\"]\n",
    )
    .unwrap_err();
    assert!(
        e.contains("items_after") && e.contains("goes with `heading`"),
        "{e}"
    );
}
