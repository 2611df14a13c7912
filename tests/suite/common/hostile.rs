//! Shared helpers of the hostile-input tests: the fixture profiles, fixture
//! pages with hostile markup planted inside their body container (where the
//! body walker, the table renderer and the sanitizer all see it), and an
//! extraction that fails the test on a contained panic.

use std::path::PathBuf;
use std::sync::OnceLock;

use sitelift::extract::{extract_contained, Outcome, Page};
use sitelift::profile::Profile;

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The fixture profiles, loaded once: (name, profile).
pub fn profiles() -> &'static [(&'static str, Profile)] {
    static P: OnceLock<Vec<(&'static str, Profile)>> = OnceLock::new();
    P.get_or_init(|| {
        ["iranfocus.toml", "tagdiv.toml"]
            .into_iter()
            .map(|n| {
                let p = Profile::load(&root().join("selectors").join(n))
                    .unwrap_or_else(|e| panic!("fixture profile {n}: {e}"));
                (n, p)
            })
            .collect()
    })
}

/// A fixture page's bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(root().join("fixtures/iranfocus").join(name))
        .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// Every fixture page: (file name, bytes).
pub fn fixture_pages() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(root().join("fixtures/iranfocus"))
        .expect("fixture folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            let bytes = std::fs::read(&p).expect("fixture page");
            (name, bytes)
        })
        .collect();
    out.sort();
    out
}

/// URL of the WordPress seed article (its template matches on the URL).
pub const ARTICLE_URL: &str =
    "https://www.iranfocus.com/en/iran-and-its-neighbours/iraq/7198-iran-says-it-will-not-hold-talks-with-us-over-iraq/";

/// The WordPress seed article with `fragment` inside its body container
/// (`div.td-post-content`), between two of the article's own paragraphs
/// (after the lead, which the profile drops when it repeats the teaser).
pub fn article_with(fragment: &[u8]) -> Vec<u8> {
    let page = fixture("wp-article-7198.html");
    let at = find(&page, b"<p>Qomi, who").expect("a body paragraph in the fixture");
    let mut out = Vec::with_capacity(page.len() + fragment.len());
    out.extend_from_slice(&page[..at]);
    out.extend_from_slice(fragment);
    out.extend_from_slice(&page[at..]);
    out
}

/// The WordPress seed article with `tail` after its end (`</html>`), where
/// the parser still puts it into the body, after everything else.
pub fn article_then(tail: &[u8]) -> Vec<u8> {
    let mut page = fixture("wp-article-7198.html");
    page.extend_from_slice(tail);
    page
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Extracts `bytes` at `url` with `profile`; a contained panic fails the
/// test with `label` (a panic is a bug even when it is contained).
pub fn extract_ok(label: &str, bytes: &[u8], url: &str, profile: &Profile) -> Outcome {
    let url = url::Url::parse(url).expect("test URL");
    let page = Page {
        url: &url,
        bytes,
        content_type: Some("text/html"),
        url_source: "test",
    };
    let out = extract_contained(&page, profile);
    if let Outcome::Failed(e) = &out {
        if e.kind == "panic" {
            panic!("{label}: extraction panicked: {}", e.message);
        }
    }
    out
}

/// Extracts with both fixture profiles (see [`extract_ok`]).
pub fn extract_all(label: &str, bytes: &[u8], url: &str) -> Vec<Outcome> {
    profiles()
        .iter()
        .map(|(n, p)| extract_ok(&format!("{label} [{n}]"), bytes, url, p))
        .collect()
}
