//! The parser is not given the content of `<script>` and `<style>`
//! elements (`limits::prepare_markup`): the page's tree must be exactly the
//! tree of the whole page minus that text, on every fixture and real page and
//! on the script states that make finding the end of a script hard; and a
//! field that does read such content still gets all of it.

use std::path::{Path, PathBuf};

use ego_tree::iter::Edge;
use scraper::{Html, Node};
use sitelift::extract::limits::prepare_markup;
use sitelift::extract::{extract, Outcome, Page};
use sitelift::profile::Profile;
use url::Url;

/// The tree as a list of events, leaving out the text inside (HTML)
/// `script` and `style` elements.
fn shape(doc: &Html) -> Vec<String> {
    let mut out = Vec::new();
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(n) => match n.value() {
                Node::Element(e) => {
                    let mut attrs: Vec<String> =
                        e.attrs().map(|(k, v)| format!("{k}={v:?}")).collect();
                    attrs.sort();
                    out.push(format!("<{} {}>", e.name(), attrs.join(" ")));
                }
                Node::Text(t) => {
                    let in_raw = n
                        .parent()
                        .and_then(|p| p.value().as_element())
                        .is_some_and(|p| {
                            matches!(p.name(), "script" | "style")
                                && p.name.ns == markup5ever::ns!(html)
                        });
                    if !in_raw {
                        out.push(format!("text {:?}", &**t));
                    }
                }
                Node::Comment(c) => out.push(format!("comment {:?}", &**c)),
                _ => {}
            },
            Edge::Close(n) => {
                if let Node::Element(e) = n.value() {
                    out.push(format!("</{}>", e.name()));
                }
            }
        }
    }
    out
}

fn same_tree_without_unread(html: &str, what: &str) -> usize {
    let (prepared, bounded) = prepare_markup(html, true);
    let whole = shape(&Html::parse_document(html));
    let cut = shape(&Html::parse_document(&prepared));
    if whole != cut {
        let at = whole
            .iter()
            .zip(&cut)
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{what}: trees differ at event {at}:\n whole: {:?}\n   cut: {:?}",
            &whole[at..(at + 4).min(whole.len())],
            &cut[at..(at + 4).min(cut.len())]
        );
    }
    bounded.unread_bytes
}

fn pages() -> Vec<PathBuf> {
    let top = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages: Vec<PathBuf> = std::fs::read_dir(top.join("fixtures/iranfocus"))
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .collect();
    if let Ok(rw) = std::fs::read_dir(top.join("../shared/realworld")) {
        pages.extend(rw.map(|e| e.expect("entry").path()));
    }
    pages.retain(|p| p.extension().is_some_and(|e| e == "html"));
    pages.sort();
    pages
}

#[test]
fn real_pages_keep_their_tree_without_script_and_style_text() {
    let mut unread = 0;
    for p in pages() {
        let html = String::from_utf8_lossy(&std::fs::read(&p).expect("page")).into_owned();
        unread += same_tree_without_unread(&html, &p.display().to_string());
    }
    assert!(unread > 100_000, "only {unread} bytes left out");
}

#[test]
fn the_end_of_a_script_is_where_the_parser_sees_it() {
    let cases = [
        // plain, with markup-looking text inside
        "<p>a<script>if (a<b && c>d) x = '<div>';</script>b</p>",
        // end tags need a delimiter; case does not matter
        "<script>x = '</scripts>'; y = '</script-x>'</SCRIPT >after",
        "<script>a</script/>b<script>c</script\tdata-x>d",
        // the escaped states: `<!--` then `<script>` makes `</script>` not the end
        "<script><!-- document.write('<script src=x></script>'); --></script><p>after</p>",
        "<script><!--<script></script>still script--></script><p>after</p>",
        "<script><!-- no inner script --></script><p>after</p>",
        "<script><!--></script><p>after</p>",
        "<script><!---></script><p>after</p>",
        "<script><!--<script>--></script><p>after</p>",
        "<script><!--<script></script>--></script><p>after</p>",
        "<script><!--<SCRIPT></Script>-- ></script>x--></script><p>after</p>",
        "<script><!-- - -> --- --!> <script></script --></script><p>after</p>",
        // never closed: the rest of the page is script
        "<p>a<script>x = 1; <p>not a paragraph",
        "<script><!--<script></script>",
        // style is plain raw text
        "<style>p > a { content: '</p>' } </styles></style ><p>after</p>",
        "<head><style>a{}</style><script>b</script></head><body><style>c</style>x</body>",
        // inside SVG and MathML script and style are ordinary elements
        "<svg><style>circle{}</style><script>if (a<b) x();</script></svg><p>after</p>",
        "<svg><foreignObject><script>a<b</script></foreignObject></svg><p>after</p>",
        "<math><mi><style>x</style></mi></math>",
        // noscript content is text (scripting on); tags inside are not elements
        "<noscript><style>a{}</style><img src=x></noscript><p>after</p>",
        // textarea and title are text up to their own end tag
        "<textarea><script>x</script></textarea><title></title x><script>y</script></title>",
        "<table><tr><script>a</script><td>1<style>b</style></td></tr></table>",
        "<template><script>a</script></template><select><script>b</script><option>o</select>",
    ];
    for (i, html) in cases.iter().enumerate() {
        same_tree_without_unread(html, &format!("case {i}: {html}"));
    }
}

const PAGE: &str = r#"<!doctype html><html><head><title>T</title>
<script type="application/ld+json" class="schema-graph">{"@type":"NewsArticle","datePublished":"2006-05-14T10:00:00Z"}</script>
<style>.x { color: red }</style></head>
<body><div class="post"><h1>Title here</h1><div class="embed"><p>Embed</p><script>render("<b>x</b>")</script></div>
<p>First paragraph of the article.</p></div></body></html>"#;

fn profile(fields: &str) -> Profile {
    let src = format!(
        "[site]\nname = \"t\"\n[[template]]\nname = \"a\"\n[template.match]\npresent = [\"div.post\"]\n\
[template.fields.title]\nselect = [\"h1\"]\nrequired = true\n{fields}\n\
[template.body]\nselect = [\"div.post\"]\n"
    );
    Profile::from_str(&src, Path::new("t.toml")).expect("profile")
}

fn record(profile: &Profile) -> serde_json::Value {
    let url = Url::parse("https://example.org/a").expect("url");
    let page = Page {
        url: &url,
        bytes: PAGE.as_bytes(),
        content_type: Some("text/html; charset=utf-8"),
        url_source: "test",
    };
    match extract(&page, profile) {
        Outcome::Record(r) => serde_json::to_value(&*r).expect("json"),
        _ => panic!("no record"),
    }
}

#[test]
fn a_field_reading_script_content_gets_all_of_it() {
    // by class alone: the selector does not say it is a script
    let r = record(&profile(
        "[template.fields.schema]\nselect = [\".schema-graph\"]\n\
[template.fields.embed]\nselect = [{ css = \".embed\", take = \"html\" }]\n",
    ));
    assert_eq!(
        r["fields"]["schema"],
        r#"{"@type":"NewsArticle","datePublished":"2006-05-14T10:00:00Z"}"#
    );
    let embed = r["fields"]["embed"].as_str().expect("embed");
    assert!(embed.contains(r#"render("<b>x</b>")"#), "{embed}");
    // the body never shows script text
    assert!(!r["body"]["text"].as_str().expect("text").contains("render"));
}

#[test]
fn a_record_is_the_same_whether_or_not_script_content_was_parsed() {
    let fields =
        "[template.fields.kind]\nselect = [{ css = \"script.schema-graph\", attr = \"type\" }]\n";
    let lean = record(&profile(fields));
    assert_eq!(lean["fields"]["kind"], "application/ld+json");
    // the same profile plus a field that reads a script: parsed in full
    let mut full = record(&profile(&format!(
        "{fields}[template.fields.schema]\nselect = [\"script.schema-graph\"]\n"
    )));
    assert!(full["fields"]["schema"]
        .as_str()
        .expect("schema")
        .contains("NewsArticle"));
    full["fields"]
        .as_object_mut()
        .expect("fields")
        .remove("schema");
    full["provenance"]
        .as_object_mut()
        .expect("provenance")
        .remove("schema");
    assert_eq!(lean, full);
}
