//! `dedupe`: a field step that drops values equal to an earlier one (an
//! author given twice), and a list option that drops items equal to an
//! earlier item (a nested item selector that matches every item twice).

use std::path::Path;

use sitelift::profile::Profile;
use sitelift::record::Outcome;

use crate::common::hostile::extract_ok;

const PAGE: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>T</title></head><body>
<article><h1>Council passes the budget</h1>
<p class="byline"><span class="author">Ana Ruiz</span> and <span class="author">Ben Okafor</span></p>
<div class="text"><p>The council passed the budget on Tuesday after a long debate about the new library.</p></div>
<p class="credits">Reporting: <span class="author">ana  ruiz</span></p>
</article>
<aside><h3>Most read</h3><ul class="list">
 <li class="x"><div class="x"><a href="/a">First story of the day</a></div></li>
 <li class="x"><div class="x"><a href="/b">Second story of the day</a></div></li>
</ul></aside>
</body></html>"#;

fn profile(dedupe: bool) -> Profile {
    let steps = if dedupe {
        "steps = [{ dedupe = true }]"
    } else {
        ""
    };
    let src = format!(
        r#"[site]
name = "t"

[[template]]
name = "article"
[template.match]
present = ["h1"]
[template.fields.title]
select = ["h1"]
[template.fields.authors]
select = [".author"]
list = true
{steps}
[template.body]
select = [".text"]
[[template.list]]
name = "most_read"
heading = "Most read"
block = "aside"
item = ".x"
dedupe = {dedupe}
[template.list.fields.title]
select = ["a"]
"#
    );
    Profile::from_str(&src, Path::new("dedupe.toml")).expect("the profile loads")
}

fn record(p: &Profile) -> sitelift::record::Record {
    match extract_ok(
        "dedupe",
        PAGE.as_bytes(),
        "https://example.org/news/budget",
        p,
    ) {
        Outcome::Record(r) => *r,
        other => panic!("no record: {other:?}"),
    }
}

#[test]
fn dedupe_drops_repeated_authors_and_list_items() {
    let plain = record(&profile(false));
    assert_eq!(plain.authors, ["Ana Ruiz", "Ben Okafor", "ana ruiz"]);
    assert_eq!(plain.lists["most_read"].len(), 4, "{:?}", plain.lists);

    let r = record(&profile(true));
    // the first spelling is kept; case and white space aside, the same name
    assert_eq!(r.authors, ["Ana Ruiz", "Ben Okafor"]);
    let titles: Vec<&str> = r.lists["most_read"]
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["First story of the day", "Second story of the day"]
    );
}
