//! The scan gives the parsed document's links, or leaves the page to the
//! parser: on the fixture pages, the real pages next to the repository, the
//! generated corpus, markup that trips the tree builder, and random markup.

use std::path::Path;

use proptest::prelude::*;
use scraper::Html;
use url::Url;

use crate::frontier::links::{discover, discover_in_text, FollowRules, Link};

fn page_url() -> Url {
    Url::parse("https://www.iranfocus.com/en/section/page.html").unwrap()
}

/// The scan's links, after checking they are the parsed document's.
fn scanned(html: &str, follow: &FollowRules) -> Option<Vec<Link>> {
    let url = page_url();
    let got = discover_in_text(html, &url, follow);
    if let Some(links) = &got {
        let parsed = discover(&Html::parse_document(html), &url, follow);
        assert_eq!(links, &parsed, "scan and parse differ on:\n{html}");
    }
    got
}

fn default_scan(html: &str) -> Option<Vec<Link>> {
    scanned(html, &FollowRules::default())
}

/// Both the page as it is and as the crawl hands it over (script and
/// style content left out).
fn check_file(path: &Path) -> bool {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let (prepared, _) = crate::extract::limits::prepare_markup(&text, true);
    let whole = default_scan(&text).is_some();
    default_scan(&prepared).is_some() && whole
}

fn html_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    out.retain(|p| p.extension().is_some_and(|e| e == "html"));
    out.sort();
    out
}

#[test]
fn fixture_pages_give_the_parsed_links_without_the_parser() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/iranfocus");
    let files = html_files(&dir);
    assert!(
        files.len() > 10,
        "fixture pages missing in {}",
        dir.display()
    );
    // the fixtures hold no markup the scan leaves to the parser
    for f in files {
        assert!(check_file(&f), "{} left to the parser", f.display());
    }
}

#[test]
fn real_pages_give_the_parsed_links_or_are_left_to_the_parser() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld");
    for f in html_files(&dir) {
        check_file(&f);
    }
}

#[test]
fn generated_pages_give_the_parsed_links() {
    for i in 0..120 {
        let page = crate::corpus::generate(7, 10_000, i);
        let text = String::from_utf8_lossy(&page.bytes);
        let (prepared, _) = crate::extract::limits::prepare_markup(&text, true);
        assert!(
            default_scan(&prepared).is_some(),
            "page {i} left to the parser"
        );
    }
}

#[test]
fn base_after_links_text_states_and_pagination() {
    let html = r#"<html><head><title><a href="/in-title">x</a></title>
        <noscript><a href="/in-noscript"></a></noscript>
        <link rel="Prev NEXT" href="page/2/"><link rel="next"></head><body>
        <a href="a.html">a</a><textarea><a href="/in-textarea"></textarea>
        <iframe><a href="/in-iframe"></iframe><noembed><a href="/x"></noembed>
        <a rel="next" href="a.html">again</a><a href="">empty</a>
        <base href="https://other.example/base/"><base href="https://third.example/">
        <a href="b.html?x=1&amp;amp;y=2#frag">b</a><xmp><a href="/in-xmp"></xmp>
        <plaintext><a href="/in-plaintext"></body></html>"#;
    let links = default_scan(html).expect("scanned");
    let urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://other.example/base/page/2/",
            "https://other.example/base/a.html",
            "https://other.example/base/b.html?x=1&y=2",
        ]
    );
    let no_next = FollowRules {
        pagination: false,
        ..FollowRules::default()
    };
    assert_eq!(scanned(html, &no_next).expect("scanned").len(), 2);
}

#[test]
fn cells_are_scanned_and_what_the_tree_builder_moves_is_left_to_the_parser() {
    let cells = r#"<table><tr><td><a href="/1">1</a><table><tr><th><a href="/2">2</a></table>
        <a href="/3">3</a></td><td><a href="/4">4</a></td></tr></table><a href="/5">5</a>
        <table><caption><a href="/6"></a></caption><tr><td>x</table>"#;
    assert_eq!(default_scan(cells).expect("scanned").len(), 6);
    for moved in [
        // after the row, before the table ends: placed before the table
        r#"<table><tr><td><a href="/1"></td></tr><a href="/2"></a></table>"#,
        r#"<table><a href="/2"></a><tr><td><a href="/1"></td></tr></table>"#,
        r#"<table><tr><td>x</td><div><a href="/1"></a></div></tr></table>"#,
        r#"<table><template><td></template><a href="/1"></a></table>"#,
        r#"<p><svg><a href="/1"></a></svg><a href="/2">"#,
        r#"<math><mi><a href="/1"></a></mi></math>"#,
        r#"<html><frameset><frame src="a"></frameset><a href="/1"></html>"#,
    ] {
        assert!(default_scan(moved).is_none(), "scanned: {moved}");
    }
}

#[test]
fn another_follow_selector_is_left_to_the_parser() {
    let follow = FollowRules {
        links: scraper::Selector::parse("div.content a[href]").unwrap(),
        pagination: true,
    };
    assert!(discover_in_text("<a href=x>", &page_url(), &follow).is_none());
}

/// Pieces of markup, good and broken, that random pages are made of.
const PIECES: &[&str] = &[
    "<a href=\"/a\">",
    "<a href='b.html'>",
    "<a href=\"/c?x=1&amp;y=2\">",
    "</a>",
    "<a>",
    "<a rel=\"next\" href=\"/n\">",
    "<link rel=\"next\" href=\"/l\">",
    "<base href=\"/dir/\">",
    "<p>",
    "</p>",
    "<div>",
    "</div>",
    "<b>",
    "</b>",
    "<i>",
    "<table>",
    "</table>",
    "<tr>",
    "</tr>",
    "<td>",
    "</td>",
    "<th>",
    "<tbody>",
    "</tbody>",
    "<caption>",
    "<colgroup>",
    "<col>",
    "<title>",
    "</title>",
    "<textarea>",
    "</textarea>",
    "<noscript>",
    "</noscript>",
    "<iframe>",
    "</iframe>",
    "<select>",
    "<option>",
    "</select>",
    "<form>",
    "</form>",
    "<ul><li>",
    "</li>",
    "<h1>",
    "</h1>",
    "text ",
    "<!-- <a href=\"/comment\"> -->",
    "<template>",
    "</template>",
    "<svg>",
    "</svg>",
    "<br/>",
    "<img src=\"/i.png\">",
    "<html>",
    "<body>",
    "</body>",
    "<head>",
    "</head>",
    "<button>",
    "<object>",
    "</object>",
    "<a href=\"/d\" rel=\"nofollow next\">",
    "<area href=\"/area\">",
    "<nobr>",
    "<marquee>",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn random_markup_gives_the_parsed_links_when_scanned(
        picks in proptest::collection::vec(0..PIECES.len(), 0..60)
    ) {
        let html: String = picks.iter().map(|&i| PIECES[i]).collect();
        default_scan(&html);
    }
}

#[test]
fn random_markup_is_mostly_scanned() {
    // the property above only checks pages the scan keeps: most must be kept
    let mut kept = 0;
    for seed in 0..200u64 {
        let mut x = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut html = String::new();
        for _ in 0..40 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let piece = PIECES[(x >> 33) as usize % PIECES.len()];
            if !piece.contains("table") && !piece.contains("svg") && !piece.contains("<t") {
                html.push_str(piece);
            }
        }
        kept += usize::from(default_scan(&html).is_some());
    }
    assert!(kept > 150, "only {kept} of 200 pages scanned");
}
