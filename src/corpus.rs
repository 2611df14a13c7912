//! A synthetic legacy site for benchmarks and large crawler tests.
//!
//! Real migrations run over tens of thousands of pages of 130–330 KB each;
//! the fixture pages are few and small. This module builds, from a seed, a
//! site of any size by varying the fixture pages of `fixtures/iranfocus/`
//! (WordPress tagDiv articles and listings, Joomla articles and listings):
//! new legacy ids, titles, slugs and paragraphs, and the inline scripts,
//! styles, comments and sidebar blocks that make real pages heavy. Page `i`
//! depends only on `(seed, i)`, so a corpus is reproducible byte for byte and
//! pages can be generated in any order or in parallel.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::store::{Exchange, StoreError, WarcWriter};

const WP_ARTICLE: &[u8] = include_bytes!("../fixtures/iranfocus/wp-article-7198.html");
const JOOMLA_ARTICLE: &[u8] = include_bytes!("../fixtures/iranfocus/joomla-article-7198.html");
const WP_LISTING: &[u8] = include_bytes!("../fixtures/iranfocus/wp-listing-iraq.html");
const JOOMLA_LISTING: &[u8] = include_bytes!("../fixtures/iranfocus/joomla-listing-blog.html");

const SEED_TITLE: &str = "Iran says it will not hold talks with U.S. over Iraq";
const SEED_SLUG: &str = "7198-iran-says-it-will-not-hold-talks-with-us-over-iraq";
const BODY_MARKER: &str = "Following the establishment";
const SITE: &str = "https://www.iranfocus.com";

/// Smallest and largest generated page, in bytes (the real pages' range).
pub const MIN_PAGE_BYTES: usize = 130 * 1024;
/// See [`MIN_PAGE_BYTES`].
pub const MAX_PAGE_BYTES: usize = 330 * 1024;

/// First legacy id of generated articles (above the fixtures' ids).
pub const FIRST_ID: u64 = 100_000;

const WORDS: &[&str] = &[
    "Iran",
    "Iraq",
    "officials",
    "government",
    "minister",
    "talks",
    "sanctions",
    "nuclear",
    "agreement",
    "parliament",
    "border",
    "security",
    "economy",
    "oil",
    "exports",
    "protest",
    "students",
    "court",
    "ruling",
    "election",
    "council",
    "report",
    "human",
    "rights",
    "activists",
    "Tehran",
    "Baghdad",
    "London",
    "envoy",
    "embassy",
    "statement",
    "spokesman",
    "said",
    "on",
    "Sunday",
    "Monday",
    "Tuesday",
    "week",
    "month",
    "regional",
    "forces",
    "troops",
    "militia",
    "commander",
    "guards",
    "prices",
    "inflation",
    "currency",
    "bank",
    "trade",
    "neighbours",
    "analysts",
    "warned",
    "announced",
    "denied",
    "confirmed",
    "after",
    "before",
    "during",
    "the",
    "a",
    "of",
    "in",
    "with",
    "over",
    "against",
    "between",
    "new",
    "former",
    "senior",
    "international",
    "agency",
    "inspectors",
    "talks",
    "pressure",
    "crisis",
    "water",
    "drought",
    "refugees",
    "camp",
    "prison",
    "sentence",
    "journalists",
    "newspaper",
    "closed",
    "reopened",
];

const PLACES: &[&str] = &[
    "Tehran, Iran",
    "Baghdad, Iraq",
    "London",
    "Paris",
    "Arbil, Iraq",
    "Vienna",
];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The kind of a generated page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PageKind {
    /// WordPress (tagDiv) article.
    WpArticle,
    /// Joomla 1.0 article.
    JoomlaArticle,
    /// WordPress category archive page.
    WpListing,
    /// Joomla blog listing page.
    JoomlaListing,
}

/// One generated page, as it would be saved or served.
#[derive(Debug, Clone)]
pub struct GenPage {
    /// File stem (`NAME` of `NAME.html` and `NAME.meta.json`).
    pub name: String,
    /// The page URL.
    pub url: String,
    /// The `Content-Type` it is served with.
    pub content_type: &'static str,
    /// Which template it varies.
    pub kind: PageKind,
    /// The page bytes (UTF-8, except Joomla listings: ISO-8859-1 labelled).
    pub bytes: Vec<u8>,
}

/// Why a corpus could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// A file or folder could not be written.
    #[error("cannot write {path}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The WARC store failed.
    #[error("writing the WARC output")]
    Store(#[from] StoreError),
}

/// SplitMix64: tiny, fast, and fixed forever (unlike library RNGs whose
/// streams may change between versions), so corpora stay reproducible.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for page `i` of the corpus of `seed`.
    pub fn new(seed: u64, i: u64) -> Rng {
        let mut r = Rng(seed ^ i.wrapping_mul(0xD6E8_FEB8_6659_FD93));
        r.next_u64();
        r
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as usize
    }

    /// One element of `items`.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.range(0, items.len() - 1)]
    }
}

/// The kind of page `i`: half WordPress articles, 40% Joomla articles,
/// 5% listings of each era.
pub fn kind_of(seed: u64, i: u64) -> PageKind {
    match Rng::new(seed ^ 0x4B49_4E44, i).next_u64() % 20 {
        0 => PageKind::WpListing,
        1 => PageKind::JoomlaListing,
        2..=11 => PageKind::WpArticle,
        _ => PageKind::JoomlaArticle,
    }
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The title of article `i` (a function of the seed and index only, so other
/// pages can link to it).
pub fn title_of(seed: u64, i: u64) -> String {
    let mut r = Rng::new(seed ^ 0x5449_544C, i);
    let n = r.range(5, 11);
    let words: Vec<&str> = (0..n).map(|_| r.pick(WORDS)).collect();
    let mut t = capitalise(words[0]);
    for w in &words[1..] {
        t.push(' ');
        t.push_str(w);
    }
    t
}

fn slug_of(seed: u64, i: u64) -> String {
    let t = title_of(seed, i).to_ascii_lowercase();
    let words: Vec<&str> = t.split(' ').collect();
    format!("{}-{}", FIRST_ID + i, words.join("-"))
}

/// The URL of page `i`.
pub fn url_of(seed: u64, i: u64) -> String {
    let id = FIRST_ID + i;
    match kind_of(seed, i) {
        PageKind::WpArticle => format!(
            "{SITE}/en/iran-and-its-neighbours/iraq/{}/",
            slug_of(seed, i)
        ),
        PageKind::JoomlaArticle => format!(
            "{SITE}/en/index.php?option=com_content&task=view&id={id}&Itemid=26"
        ),
        PageKind::WpListing => format!("{SITE}/en/iran-and-its-neighbours/iraq/page/{id}/"),
        PageKind::JoomlaListing => format!(
            "{SITE}/en/index.php?option=com_content&view=category&layout=blog&id=4&limitstart={id}&Itemid=109"
        ),
    }
}

fn replace_all(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len() + hay.len() / 8);
    let mut rest = hay;
    while let Some(p) = find(rest, from) {
        out.extend_from_slice(&rest[..p]);
        out.extend_from_slice(to);
        rest = &rest[p + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn sentence(r: &mut Rng, words: usize) -> String {
    let mut s = capitalise(r.pick(WORDS));
    for _ in 1..words {
        s.push(' ');
        s.push_str(r.pick(WORDS));
    }
    s
}

/// A body paragraph with the inline markup real articles have.
fn paragraph(seed: u64, r: &mut Rng, n_pages: u64, joomla: bool) -> String {
    let mut p = String::from("<p>");
    let sentences = r.range(2, 5);
    for k in 0..sentences {
        if k > 0 {
            p.push(' ');
        }
        let n = r.range(8, 20);
        let s = sentence(r, n);
        match r.next_u64() % 8 {
            0 => p.push_str(&format!("<em>{s}</em>.")),
            1 => p.push_str(&format!("<strong>{s}</strong>.")),
            2 => {
                let j = r.next_u64() % n_pages.max(1);
                p.push_str(&format!(
                    "<a href=\"{}\">{s}</a>.",
                    article_href(seed, j).replace('&', "&amp;")
                ));
            }
            3 if joomla => p.push_str(&format!("&ldquo;{s}&rdquo;, he said.")),
            3 => p.push_str(&format!("“{s}”, he said.")),
            4 => p.push_str(&format!("{s} &amp; more.")),
            _ => p.push_str(&format!("{s}.")),
        }
    }
    p.push_str("</p>");
    p
}

/// A link to page `j` (its URL whatever kind it is).
fn article_href(seed: u64, j: u64) -> String {
    url_of(seed, j)
}

/// Script, style, comments and sidebar blocks, `want` bytes or a little more.
fn mess(seed: u64, r: &mut Rng, n_pages: u64, want: usize) -> String {
    let mut out = String::with_capacity(want + 4096);
    let mut k = 0u64;
    while out.len() < want {
        k += 1;
        match r.next_u64() % 5 {
            0 => {
                out.push_str("<script type=\"text/javascript\">\nvar td_block_");
                out.push_str(&format!("{k}_{:x} = {{\"items\":[", r.next_u64()));
                for n in 0..r.range(10, 40) {
                    if n > 0 {
                        out.push(',');
                    }
                    out.push_str(&format!(
                        "{{\"id\":{},\"title\":\"{}\",\"thumb\":\"/wp-content/uploads/{:x}.jpg\"}}",
                        r.next_u64() % 100_000,
                        sentence(r, 6),
                        r.next_u64()
                    ));
                }
                out.push_str("]};\n</script>\n");
            }
            1 => {
                out.push_str("<style>\n");
                for _ in 0..r.range(10, 40) {
                    out.push_str(&format!(
                        ".td_uid_{}_{:x}_rand .td-block-title > * {{ color: #{:06x}; margin: {}px {}px; }}\n",
                        k,
                        r.next_u64() & 0xffff,
                        r.next_u64() & 0xff_ffff,
                        r.range(0, 30),
                        r.range(0, 30)
                    ));
                }
                out.push_str("</style>\n");
            }
            2 => {
                out.push_str(&format!(
                    "<!-- td_block_{k} cache {:016x} generated in {} ms -->\n",
                    r.next_u64(),
                    r.range(1, 900)
                ));
            }
            _ => {
                out.push_str(&format!(
                    "<div class=\"td_block_wrap td_block_{k} tdi_{}_{:x} td-pb-border-top\"><div class=\"td-block-title-wrap\"><h4 class=\"block-title td-block-title\"><span class=\"td-pulldown-size\">More on {}</span></h4></div><div class=\"td_block_inner\">",
                    r.range(1, 999),
                    r.next_u64() & 0xfff,
                    r.pick(WORDS)
                ));
                for _ in 0..r.range(3, 8) {
                    let j = r.next_u64() % n_pages.max(1);
                    out.push_str(&format!(
                        "<div class=\"td_module_flex td_module_flex_1\"><div class=\"td-module-container\"><div class=\"td-image-container\"><span class=\"entry-thumb td-thumb-css\" style=\"background-image: url('/wp-content/uploads/{:x}-218x150.jpg')\"></span></div><div class=\"td-module-meta-info\"><h3 class=\"entry-title td-module-title\"><a href=\"{}\" rel=\"bookmark\" title=\"{t}\">{t}</a></h3><span class=\"td-post-date\"><time class=\"entry-date updated td-module-date\">{} {}, 20{:02}</time></span></div></div></div>",
                        r.next_u64() & 0xff_ffff,
                        article_href(seed, j).replace('&', "&amp;"),
                        r.pick(MONTHS),
                        r.range(1, 28),
                        r.range(4, 21),
                        t = title_of(seed, j),
                    ));
                }
                out.push_str("</div></div>\n");
            }
        }
    }
    out
}

/// Generate page `i` of the corpus of `n_pages` pages of `seed`.
pub fn generate(seed: u64, n_pages: u64, i: u64) -> GenPage {
    let kind = kind_of(seed, i);
    let mut r = Rng::new(seed, i);
    let id = FIRST_ID + i;
    let url = url_of(seed, i);
    let (template, content_type, joomla): (&[u8], &'static str, bool) = match kind {
        PageKind::WpArticle => (WP_ARTICLE, "text/html; charset=UTF-8", false),
        PageKind::JoomlaArticle => (JOOMLA_ARTICLE, "text/html; charset=utf-8", true),
        PageKind::WpListing => (WP_LISTING, "text/html; charset=UTF-8", false),
        PageKind::JoomlaListing => (JOOMLA_LISTING, "text/html; charset=iso-8859-1", true),
    };
    let mut bytes = template.to_vec();
    if matches!(kind, PageKind::WpArticle | PageKind::JoomlaArticle) {
        let title = title_of(seed, i);
        bytes = replace_all(&bytes, SEED_TITLE.as_bytes(), title.as_bytes());
        bytes = replace_all(&bytes, SEED_SLUG.as_bytes(), slug_of(seed, i).as_bytes());
        bytes = replace_all(&bytes, b"id=7198&", format!("id={id}&").as_bytes());
        bytes = replace_all(
            &bytes,
            b"May 14",
            {
                let m = MONTHS[r.range(0, 11)];
                format!("{} {}", &m[..3], r.range(1, 28))
            }
            .as_bytes(),
        );
        bytes = replace_all(
            &bytes,
            b"Tehran, Iran,",
            format!("{},", r.pick(PLACES)).as_bytes(),
        );
        // new paragraphs before the seed's second paragraph
        if let Some(m) = find(&bytes, BODY_MARKER.as_bytes()) {
            if let Some(p) = rfind(&bytes[..m], b"<p>") {
                let mut paras = String::new();
                for _ in 0..r.range(4, 16) {
                    paras.push_str(&paragraph(seed, &mut r, n_pages, joomla));
                }
                bytes.splice(p..p, paras.into_bytes());
            }
        }
    }
    let target = r.range(MIN_PAGE_BYTES, MAX_PAGE_BYTES);
    if bytes.len() < target {
        let pad = mess(seed, &mut r, n_pages, target - bytes.len());
        let at = rfind(&bytes, b"</body>").unwrap_or(bytes.len());
        bytes.splice(at..at, pad.into_bytes());
    }
    let name = format!("gen-{:07}-{}", i, kind_name(kind));
    GenPage {
        name,
        url,
        content_type,
        kind,
        bytes,
    }
}

fn kind_name(k: PageKind) -> &'static str {
    match k {
        PageKind::WpArticle => "wp-article",
        PageKind::JoomlaArticle => "joomla-article",
        PageKind::WpListing => "wp-listing",
        PageKind::JoomlaListing => "joomla-listing",
    }
}

#[derive(Serialize)]
struct SidecarOut<'a> {
    url: &'a str,
    content_type: &'a str,
    aliases: [&'a str; 0],
    note: String,
}

/// Write `page` as `DIR/NAME.html` and its `NAME.meta.json` sidecar.
pub fn write_files(dir: &Path, page: &GenPage) -> Result<(), CorpusError> {
    let io = |path: PathBuf| move |source| CorpusError::Io { path, source };
    let html = dir.join(format!("{}.html", page.name));
    std::fs::write(&html, &page.bytes).map_err(io(html.clone()))?;
    let side = SidecarOut {
        url: &page.url,
        content_type: page.content_type,
        aliases: [],
        note: format!("generated {}", kind_name(page.kind)),
    };
    let meta = dir.join(format!("{}.meta.json", page.name));
    let json = serde_json::to_vec_pretty(&side).unwrap_or_default();
    std::fs::write(&meta, json).map_err(io(meta.clone()))?;
    Ok(())
}

/// Append `page` to `warc` as a 200 response (with its request), dated
/// deterministically from the page index.
pub fn write_warc(warc: &mut WarcWriter, i: u64, page: &GenPage) -> Result<(), CorpusError> {
    let date = jiff::Timestamp::from_second(1_767_225_600 + i as i64).unwrap_or_default();
    let req = [("User-Agent".to_string(), "sitelift-gen-corpus".to_string())];
    let resp = [
        (
            "Content-Type".to_string(),
            page.content_type.as_bytes().to_vec(),
        ),
        (
            "Content-Length".to_string(),
            page.bytes.len().to_string().into_bytes(),
        ),
    ];
    warc.write_exchange(&Exchange {
        target_uri: &page.url,
        date,
        ip: None,
        method: "GET",
        request_headers: &req,
        http_version: "HTTP/1.1",
        status: 200,
        reason: "OK",
        response_headers: &resp,
        payload: &page.bytes,
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_page_other_seed_other_page() {
        let a = generate(7, 100, 3);
        let b = generate(7, 100, 3);
        let c = generate(8, 100, 3);
        assert_eq!(a.bytes, b.bytes);
        assert_eq!(a.url, b.url);
        assert_ne!(a.bytes, c.bytes);
    }

    #[test]
    fn pages_are_sized_like_real_pages_and_all_kinds_occur() {
        let mut kinds = std::collections::HashSet::new();
        for i in 0..60 {
            let p = generate(1, 60, i);
            assert!(
                (MIN_PAGE_BYTES..MAX_PAGE_BYTES + 8192).contains(&p.bytes.len()),
                "page {i} is {} bytes",
                p.bytes.len()
            );
            kinds.insert(p.kind);
        }
        assert_eq!(kinds.len(), 4);
    }

    #[test]
    fn articles_carry_their_own_id_and_title() {
        for i in 0..40 {
            let p = generate(5, 40, i);
            if matches!(p.kind, PageKind::WpArticle | PageKind::JoomlaArticle) {
                let text = String::from_utf8_lossy(&p.bytes);
                assert!(text.contains(&title_of(5, i)));
                assert!(!text.contains(SEED_TITLE));
                assert!(p.url.contains(&(FIRST_ID + i).to_string()));
            }
        }
    }
}
