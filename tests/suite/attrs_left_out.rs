//! Attributes no selector tests are left out of the parse
//! (`extract::attrs`): the tree with each element's attributes read back
//! must be exactly the whole page's tree, on every fixture and real page
//! with both bundled profiles and on the tokenizer's hard cases; where it
//! cannot be (a rewritten tag the tree builder drops, a field reading
//! markup), extraction parses the page again whole; and records are the
//! same either way.

use std::path::{Path, PathBuf};

use ego_tree::iter::Edge;
use scraper::node::Element;
use scraper::{Html, Node};
use sitelift::extract::attrs::{AttrKeep, Original, MARK};
use sitelift::extract::limits::{prepare_markup, prepare_markup_keeping};
use sitelift::extract::{extract, extract_parsed, extract_traced, parse, Outcome, Page, Trace};
use sitelift::profile::Profile;
use url::Url;

/// What the parse of a rewritten tag kept is what the page has: the
/// attributes kept whole with their values, of `class` the kept tokens in
/// their order, nothing else but the marker.
fn kept_as_on_page(parsed: &Element, page: &Element, keep: &AttrKeep) -> Result<(), String> {
    for (k, v) in parsed.attrs() {
        if k == MARK {
            continue;
        }
        if keep.keeps_whole(k) {
            if page.attr(k) != Some(v) {
                return Err(format!("{k}={v:?}, the page has {:?}", page.attr(k)));
            }
        } else if k == "class" && page.attr("class") == Some(v) {
            // kept as written (a value with references, quotes, non-ASCII)
        } else if k == "class" {
            let want: Vec<&str> = page
                .attr("class")
                .unwrap_or("")
                .split_ascii_whitespace()
                .filter(|t| keep.class_token_kept(t))
                .collect();
            if v.split_ascii_whitespace().collect::<Vec<_>>() != want {
                return Err(format!("class={v:?}, should be {want:?}"));
            }
        } else {
            return Err(format!("{k}={v:?} kept"));
        }
    }
    for (k, v) in page.attrs() {
        if keep.keeps_whole(k) && parsed.attr(k) != Some(v) {
            return Err(format!("{k}={v:?} lost"));
        }
    }
    Ok(())
}

/// The tree as a list of events; attributes as the page has them (through
/// `orig` when given, checking what the parse kept against them).
fn shape(doc: &Html, orig: Option<(&Original, &AttrKeep)>) -> Vec<String> {
    let mut out = Vec::new();
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(n) => match n.value() {
                Node::Element(e) => {
                    let e = match orig {
                        Some((o, keep)) => {
                            let page = o.element(e);
                            if !std::ptr::eq(page, e) {
                                if let Err(m) = kept_as_on_page(e, page, keep) {
                                    out.push(format!("kept wrong: {m}"));
                                }
                            }
                            page
                        }
                        None => e,
                    };
                    let mut attrs: Vec<String> =
                        e.attrs().map(|(k, v)| format!("{k}={v:?}")).collect();
                    attrs.sort();
                    out.push(format!("<{} {}>", e.name(), attrs.join(" ")));
                }
                Node::Text(t) => out.push(format!("text {:?}", &**t)),
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

/// Rewrite `html` keeping what `keep` names, parse, read every attribute
/// back: the tree must be the whole page's, or the rewrite must be seen as
/// incomplete (`Ok(false)`: extraction would parse again whole). Returns
/// how many tags were rewritten when complete.
fn restores(html: &str, keep: &AttrKeep, what: &str) -> Result<usize, ()> {
    let (prepared, bounded) = prepare_markup_keeping(html, false, Some(keep));
    let (plain, _) = prepare_markup(html, false);
    let whole = shape(&Html::parse_document(&plain), None);
    let doc = Html::parse_document(&prepared);
    let n = bounded.rewritten.len();
    let orig = Original::new(html.to_string(), bounded.rewritten);
    if !orig.complete(&doc) {
        return Err(());
    }
    let back = shape(&doc, Some((&orig, keep)));
    assert!(!orig.lost(), "{what}: a foreign element lost attributes");
    if whole != back {
        let at = whole
            .iter()
            .zip(&back)
            .position(|(a, b)| a != b)
            .unwrap_or(whole.len().min(back.len()));
        panic!(
            "{what}: trees differ at event {at}:\n whole: {:?}\n  back: {:?}\n prepared: {}",
            &whole[at..(at + 3).min(whole.len())],
            &back[at..(at + 3).min(back.len())],
            prepared.chars().take(600).collect::<String>()
        );
    }
    Ok(n)
}

fn top() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn profiles() -> Vec<Profile> {
    ["selectors/iranfocus.toml", "selectors/tagdiv.toml"]
        .iter()
        .map(|p| Profile::load(&top().join(p)).expect("profile"))
        .collect()
}

fn pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(top().join("fixtures/iranfocus"))
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .collect();
    if let Ok(rw) = std::fs::read_dir(top().join("../shared/realworld")) {
        pages.extend(rw.map(|e| e.expect("entry").path()));
    }
    pages.retain(|p| p.extension().is_some_and(|e| e == "html"));
    pages.sort();
    pages
}

#[test]
fn both_profiles_leave_attributes_out() {
    for p in profiles() {
        assert!(p.attr_keep.is_some(), "{}: nothing left out", p.name);
    }
}

#[test]
fn real_pages_read_back_to_their_whole_tree() {
    let mut rewritten = 0;
    for profile in profiles() {
        let keep = profile.attr_keep.as_ref().expect("keep");
        for p in pages() {
            let html = String::from_utf8_lossy(&std::fs::read(&p).expect("page")).into_owned();
            let what = format!("{} with {}", p.display(), profile.name);
            rewritten += restores(&html, keep, &what)
                .unwrap_or_else(|_| panic!("{what}: a rewritten tag did not become an element"));
        }
    }
    assert!(rewritten > 5_000, "only {rewritten} tags rewritten");
}

fn keep_of(css: &[&str]) -> AttrKeep {
    AttrKeep::of_selectors(css.iter().copied()).expect("vouched for")
}

#[test]
fn the_tokenizer_s_hard_cases_read_back_or_fall_back() {
    let keep = keep_of(&[".k", "[class*=pay]", "#main", "[data-x]"]);
    // each case: the page, and whether the rewrite is complete
    let cases: &[(&str, bool)] = &[
        ("<a href=x/>t</a>", true),
        (
            "<a data-x=a/b title=t>x</a><a data-x=c/ title=u>y</a>",
            true,
        ),
        ("<div class=\"a k b\" class=\"c\" style=\"s\">t</div>", true),
        ("<div class=\"a b\" class=\"k\" title=t>x</div>", true),
        ("<p CLASS=\"X k K\" Style=z ID=main>t</p>", true),
        ("<a b\"c=d href=e>t</a>", true),
        ("<a href=\"x\"title=y class=k>t</a>", true),
        ("<a =x href=y>t</a>", true),
        (
            "<a href=&amp;x class=q>t</a><a title=\"&notit; &amp\" class=k>u</a>",
            true,
        ),
        ("<img src=\"a\" / alt=b><img src=c/><img alt=d / >", true),
        ("<div class=a\r\nid=main\r\ntitle=b>t</div>", true),
        ("<a x\u{0}y=1 c=2 class=k>t</a>", true),
        ("<div class='pay-wall x' data-x title=\"a>b\">t</div>", true),
        (
            "<div class=\"  k\tpayday  z \" onclick=\"a='b'\">t</div>",
            true,
        ),
        ("<a href='x\"y' class=\"k\u{e9}\">t</a>", true),
        ("<a href=x class=k>t<a href=y>u</a>", true),
        // formatting elements cloned by the tree builder keep their marks
        ("<b class=k title=x><p>y</b>z</p>", true),
        ("<a href=x class=k><div>y</a>z</div>", true),
        ("<p><b title=1><i title=2>x</p><p>y</p>", true),
        // foreign content and tags that steer the tree builder: untouched
        (
            "<svg viewBox=\"0 0 1 1\"><a href=x class=y></a><circle r=1/></svg>",
            true,
        ),
        (
            "<table><input type=hidden class=x title=y><tr><td title=z>1</td></tr></table>",
            true,
        ),
        (
            "<font color=red title=x><svg><font color=blue>x</font></svg></font>",
            true,
        ),
        // tags the tree builder drops: not all marks come back
        ("<td title=x>cell</td><p>after</p>", false),
        ("<form title=a><form title=b>x</form></form>", false),
        // text the scanner skips whole is never rewritten
        (
            "<textarea><b title=x>y</b></textarea><noscript><i title=z></i></noscript>",
            true,
        ),
        (
            "<!-- <b title=x> --><b title=y>z</b><!--> <i title=w>v</i>",
            true,
        ),
        ("<a href=\"unterminated", true),
        ("<p title=\"x\">a<div title=y", true),
    ];
    for (i, (html, complete)) in cases.iter().enumerate() {
        let got = restores(html, &keep, &format!("case {i}: {html:?}"));
        assert_eq!(got.is_ok(), *complete, "case {i}: {html:?}");
    }
}

#[test]
fn the_kept_attributes_are_the_ones_selectors_test() {
    let keep = keep_of(&["div.k p", "[data-x]"]);
    let (out, b) = prepare_markup_keeping(
        "<div class=\"a k b\" data-x=1 style=s><p title=t>x</p></div><br>",
        false,
        Some(&keep),
    );
    assert_eq!(b.rewritten.len(), 2);
    assert_eq!(
        out,
        format!("<div {MARK}=0 class=\"k\" data-x=1><p {MARK}=1>x</p></div><br>")
    );
    // a pseudo-class or a namespaced attribute: no rules, nothing left out
    assert!(AttrKeep::of_selectors(["a:hover"]).is_none());
    assert!(AttrKeep::of_selectors(["[*|title]"]).is_none());
    // a class tested as a whole value keeps class whole
    let keep = keep_of(&["[class^=td-]"]);
    let (out, _) = prepare_markup_keeping("<i class=\"x td-y\" title=z></i>", false, Some(&keep));
    assert!(out.contains("class=\"x td-y\""), "{out}");
    // a page holding the marker's character is not rewritten
    let html = format!("<p title=x>{}</p>", '\u{e000}');
    let (out, b) = prepare_markup_keeping(&html, false, Some(&keep));
    assert_eq!((out.as_ref(), b.rewritten.len()), (html.as_str(), 0));
}

fn json(o: &Outcome) -> String {
    match o {
        Outcome::Record(r) => serde_json::to_string(&**r).expect("json"),
        other => format!("{other:?}"),
    }
}

#[test]
fn records_are_the_same_with_attributes_left_out() {
    let mut records = 0;
    for profile in profiles() {
        for p in pages() {
            let bytes = std::fs::read(&p).expect("page");
            let meta: serde_json::Value = std::fs::read(p.with_extension("meta.json"))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or_default();
            let url = meta["url"]
                .as_str()
                .and_then(|u| Url::parse(u).ok())
                .unwrap_or_else(|| Url::parse("https://example.org/2024/05/a/").expect("url"));
            for ct in [
                Some("text/html; charset=utf-8"),
                meta["content_type"].as_str(),
            ] {
                let page = Page {
                    url: &url,
                    bytes: &bytes,
                    content_type: ct,
                    url_source: "test",
                };
                let lean = extract(&page, &profile);
                let parsed = parse(&page, &profile).expect("parses");
                let full = extract_parsed(&parsed, &page, &profile, &mut Trace::off());
                assert_eq!(
                    json(&lean),
                    json(&full),
                    "{} with {}",
                    p.display(),
                    profile.name
                );
                records += matches!(lean, Outcome::Record(_)) as usize;
            }
        }
    }
    assert!(records > 20, "{records} records");
}

const PAGE: &str = r#"<!doctype html><html><head><title>T</title></head>
<body><div class="post" data-id="7"><h1 class="t" title="The title">Title here</h1>
<p>First <a href="/one" class="in" rel="nofollow">link</a> and <img src="/i.jpg" srcset="/i-2x.jpg 2x" alt="An image"> of the article.</p>
</div></body></html>"#;

const TABLE: &str = r#"<table class="facts"><tr><td><a href="/t">in a table</a></td></tr></table>"#;

fn record(fields: &str) -> (serde_json::Value, Vec<String>) {
    record_of(PAGE, fields)
}

fn record_of(html: &str, fields: &str) -> (serde_json::Value, Vec<String>) {
    let src = format!(
        "[site]\nname = \"t\"\n[[template]]\nname = \"a\"\n[template.match]\npresent = [\"div.post\"]\n\
[template.fields.title]\nselect = [\"h1\"]\nrequired = true\n{fields}\n\
[template.body]\nselect = [\"div.post\"]\n"
    );
    let profile = Profile::from_str(&src, Path::new("t.toml")).expect("profile");
    let url = Url::parse("https://example.org/a").expect("url");
    let page = Page {
        url: &url,
        bytes: html.as_bytes(),
        content_type: Some("text/html; charset=utf-8"),
        url_source: "test",
    };
    let mut trace = Trace::on();
    match extract_traced(&page, &profile, &mut trace) {
        Outcome::Record(r) => (serde_json::to_value(&*r).expect("json"), trace.lines),
        _ => panic!("no record"),
    }
}

#[test]
fn fields_read_the_attributes_the_page_has() {
    let (r, lines) = record(
        "[template.fields.tip]\nselect = [{ css = \"h1.t\", attr = \"title\" }]\n\
[template.fields.link]\nselect = [{ css = \"a.in\", attr = \"href\" }]\n\
[template.fields.id]\nselect = [{ css = \".post\", attr = \"data-id\" }]\n",
    );
    assert_eq!(r["fields"]["tip"], "The title");
    assert_eq!(r["fields"]["link"], "https://example.org/one");
    assert_eq!(r["fields"]["id"], "7");
    let html = r["body"]["html"].as_str().expect("html");
    assert!(html.contains("href=\"https://example.org/one\""), "{html}");
    assert!(
        html.contains("src=\"https://example.org/i-2x.jpg\""),
        "{html}"
    );
    assert!(html.contains("alt=\"An image\""), "{html}");
    assert!(
        !lines.iter().any(|l| l.contains("parsed again whole")),
        "{lines:?}"
    );
    // a table's text is rendered from its markup: parsed again whole
    let (r, lines) = record_of(&PAGE.replace("</div>", &format!("{TABLE}</div>")), "");
    assert!(
        lines.iter().any(|l| l.contains("parsed again whole")),
        "{lines:?}"
    );
    let text = r["body"]["text"].as_str().expect("text");
    assert!(text.contains("in a table"), "{text}");
}

#[test]
fn a_field_taking_markup_gets_every_attribute() {
    let (r, lines) =
        record("[template.fields.head]\nselect = [{ css = \"h1\", take = \"html\" }]\n");
    assert_eq!(
        r["fields"]["head"],
        "<h1 class=\"t\" title=\"The title\">Title here</h1>"
    );
    assert!(lines.iter().any(|l| l.contains("parsed again whole")));
}
