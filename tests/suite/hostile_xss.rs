//! Safe content out: markup from the old site must not carry scripts into
//! the new one. The usual XSS payloads go through full extraction (both
//! fixture profiles) inside the article body, and every link and image of a
//! page is rewritten to `javascript:` and `data:` URLs; nothing executable
//! may survive in `body.html`, the paragraphs, the text, image sources or
//! list URLs.

use crate::common::hostile;

use hostile::{article_with, extract_all, fixture, ARTICLE_URL};
use scraper::{Html, Node};
use sitelift::extract::Outcome;
use sitelift::record::Record;

const PAYLOADS: &[&str] = &[
    "<script>alert('x1')</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert('x2')>",
    "<img src=\"javascript:alert('x3')\">",
    "<a href=\"javascript:alert('x4')\">j1</a>",
    "<a href=\" javascript:alert('x5')\">j2</a>",
    "<a href=\"&#106;avascript:alert('x6')\">j3</a>",
    "<a href=\"&#x6A;&#x61;vascript&#58;alert('x7')\">j4</a>",
    "<a href=\"jav&#x09;ascript:alert('x8')\">j5</a>",
    "<a href=\"JaVaScRiPt:alert('x9')\">j6</a>",
    "<a href=\"vbscript:alert('x10')\">v1</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">d1</a>",
    "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
    "<svg onload=alert('x11')><script>alert('x12')</script></svg>",
    "<iframe src=\"javascript:alert('x13')\"></iframe>",
    "<style>p{background:url(javascript:alert('x14'))}</style>",
    "<p style=\"background:url(javascript:alert('x15'))\" onclick=\"alert('x16')\">styled</p>",
    "<div onmouseover=\"alert('x17')\">hover</div>",
    "<object data=\"javascript:alert('x18')\"></object><embed src=\"javascript:alert('x19')\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('x20')>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('x21')>\">",
    "<<script>script>alert('x22')<</script>/script>",
    "<scr<script>ipt>alert('x23')</script>",
    "<form action=\"javascript:alert('x24')\"><button formaction=\"javascript:alert('x25')\">b</button></form>",
    "<base href=\"javascript:alert('x26')//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('x27')\">",
    "<a href=\"javascript&colon;alert('x28')\">j7</a>",
    "<a href=\"java\0script:alert('x29')\">j8</a>",
    "<p><a href=\"https://ok.example/\" onclick=\"alert('x30')\">fine link</a>",
    "<b><i><a href=\"javascript:alert('x31')\"><p>nested</b></i></a>",
    "<img src=\"https://ok.example/i.png\" onload=\"alert('x32')\" style=\"x\">",
    "<svg><a xlink:href=\"javascript:alert('x33')\"><text>t</text></a></svg>",
    "<table><tr><td background=\"javascript:alert('x34')\">cell</td></tr></table>",
];

/// Tags and attributes the sanitized body may contain.
const TAGS: &[&str] = &[
    "p",
    "a",
    "em",
    "strong",
    "br",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "img",
    "html",
    "head",
    "body",
];
const ATTRS: &[&str] = &["href", "src", "alt", "title", "rel"];

fn safe_url(u: &str) -> bool {
    let u = u.trim().to_ascii_lowercase();
    u.starts_with("http://") || u.starts_with("https://")
}

/// Everything executable that could be left in a record.
fn assert_safe(label: &str, r: &Record) {
    let html = &r.body.html;
    let lower = html.to_ascii_lowercase();
    for bad in [
        "<script", "<style", "<iframe", "<svg", "<object", "<embed", "<form", "<base", "<meta",
    ] {
        assert!(!lower.contains(bad), "{label}: {bad} in body.html: {html}");
    }
    // (`alert(` may survive as harmless escaped text, e.g. from `<scr<script>ipt>`)
    for bad in ["javascript:", "vbscript:", "data:"] {
        assert!(!lower.contains(bad), "{label}: {bad} in body.html: {html}");
    }
    let doc = Html::parse_fragment(html);
    for node in doc.tree.nodes() {
        if let Node::Element(e) = node.value() {
            assert!(
                TAGS.contains(&e.name()),
                "{label}: <{}> in body.html: {html}",
                e.name()
            );
            for (name, value) in e.attrs() {
                assert!(
                    ATTRS.contains(&name),
                    "{label}: attribute {name} in body.html: {html}"
                );
                let mailto =
                    name == "href" && value.trim().to_ascii_lowercase().starts_with("mailto:");
                if name == "href" || name == "src" {
                    assert!(
                        safe_url(value) || mailto,
                        "{label}: {name}={value:?} in body.html"
                    );
                }
            }
        }
    }
    for p in r.body.paragraphs.iter().chain([&r.body.text]) {
        let p = p.to_ascii_lowercase();
        for bad in ["<script", "javascript:", "onerror="] {
            assert!(!p.contains(bad), "{label}: {bad} in the text: {p}");
        }
    }
    for img in &r.images {
        assert!(safe_url(&img.src), "{label}: image src {:?}", img.src);
    }
    let lists = serde_json::to_value(&r.lists).expect("lists as JSON");
    let mut urls = Vec::new();
    collect_urls(&lists, &mut urls);
    for u in urls {
        assert!(safe_url(&u), "{label}: list url {u:?}");
    }
}

fn collect_urls(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("url", serde_json::Value::String(s)) => out.push(s.clone()),
                    _ => collect_urls(v, out),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_urls(v, out)),
        _ => {}
    }
}

fn records(label: &str, page: &[u8]) -> Vec<Record> {
    extract_all(label, page, ARTICLE_URL)
        .into_iter()
        .map(|o| match o {
            Outcome::Record(r) => *r,
            other => panic!("{label}: the article still gives a record, got {other:?}"),
        })
        .collect()
}

#[test]
fn xss_payloads_in_the_body_do_not_survive_extraction() {
    for payload in PAYLOADS {
        let page = article_with(format!("<p>before {payload} after</p>").as_bytes());
        for r in records(payload, &page) {
            assert_safe(payload, &r);
            assert!(r.body.text.contains("Kazemi Qomi"), "{payload}: body kept");
        }
    }
    let all = PAYLOADS.concat();
    for r in records("all payloads at once", &article_with(all.as_bytes())) {
        assert_safe("all payloads", &r);
    }
}

#[test]
fn links_and_images_rewritten_to_script_urls_do_not_survive() {
    let page = String::from_utf8(fixture("wp-article-7198.html")).expect("UTF-8 fixture");
    for scheme in [
        "javascript:alert('u1')//",
        " JavaScript:alert('u2')//",
        "data:text/html,",
    ] {
        let hostile = page
            .replace("href=\"https://", &format!("href=\"{scheme}"))
            .replace("src=\"https://", &format!("src=\"{scheme}"));
        for r in records(scheme, hostile.as_bytes()) {
            assert_safe(scheme, &r);
        }
    }
}

#[test]
fn the_safety_check_itself_catches_a_script() {
    // the checks above are only worth something if they can fail
    let mut r = records("plain", &fixture("wp-article-7198.html")).remove(0);
    assert_safe("plain fixture", &r);
    r.body.html.push_str("<img src=x onerror=alert(1)>");
    let caught = std::panic::catch_unwind(|| assert_safe("planted", &r));
    assert!(caught.is_err(), "a planted onerror was not caught");
}
