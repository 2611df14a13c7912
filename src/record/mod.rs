//! The record and the typed line. A [`Record`] is one article, with a
//! stable key order and nothing that depends on the run (no timestamps, no
//! thread ids), so the same input always gives byte-identical output. The
//! [`outcome`] module holds what flows between the stages: a page's
//! [`Outcome`] and the writers' [`Line`]. Every stage that makes or reads
//! these (extract, assemble, output, check) depends on this module, and it
//! on none of them.

pub mod outcome;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use outcome::{
    ErrorEntry, ErrorInfo, Extracted, FileRef, Line, NothingExtracted, Outcome, PageError, Sink,
    UNMATCHED_MESSAGE,
};

/// An image of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Image {
    /// Absolute URL.
    pub src: String,
    /// Alternative text.
    pub alt: String,
    /// Caption, when the image had one.
    pub caption: Option<String>,
    /// The image's id in `media.jsonl`, once the package carries it over
    /// (absent in what extraction alone gives).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_id: Option<String>,
}

/// A parsed dateline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Dateline {
    /// The dateline as written (without the trailing dash).
    pub raw: String,
    /// The news source (`Iran Focus`), when written.
    pub source: Option<String>,
    /// The place (`Tehran, Iran`).
    pub place: Option<String>,
    /// Month 1-12 (None: a dateline with a place and no date).
    pub month: Option<u8>,
    /// Day of month (None: a dateline with a place and no date).
    pub day: Option<u8>,
    /// Year, when one could be found.
    pub year: Option<i32>,
    /// ISO date, when the year is known.
    pub date: Option<String>,
    /// Where the year came from (`published`, `url`).
    pub year_from: Option<String>,
}

/// One article, ready for import.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// The page URL as fetched or saved.
    pub url: String,
    /// The input file, for a record of a saved page (absent for pages of
    /// a crawl store or WARC files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The page's canonical URL (`<link rel=canonical>`, else the URL).
    pub canonical_url: String,
    /// The article id of the legacy CMS, captured by the profile.
    pub legacy_id: Option<String>,
    /// The template that matched.
    pub template: String,
    /// Title.
    pub title: String,
    /// Section path (breadcrumb without home and the page itself).
    pub section: Vec<String>,
    /// The dateline, parsed.
    pub dateline: Option<Dateline>,
    /// Published date: ISO 8601 as found, or `YYYY-MM-DD` from a visible date.
    pub published: Option<String>,
    /// Authors.
    pub authors: Vec<String>,
    /// The article text.
    pub body: Body,
    /// The featured image (absolute URL), from the profile's `featured_image` field.
    pub featured_image: Option<String>,
    /// Images of the body.
    pub images: Vec<Image>,
    /// Sidebar lists by name, in profile order.
    pub lists: IndexMap<String, Vec<Value>>,
    /// Other fields the profile names, in profile order.
    pub fields: IndexMap<String, Value>,
    /// The terms and authors of the record, by slug (their entities are in
    /// `terms.jsonl` and `authors.jsonl`).
    pub refs: Refs,
    /// Other URLs of the same page (redirects, variants), sorted.
    pub aliases: Vec<String>,
    /// How the bytes were decoded.
    pub encoding: EncodingInfo,
    /// For each field, the selector or rule that produced it.
    pub provenance: IndexMap<String, String>,
    /// Problems worth a look.
    pub warnings: Vec<Message>,
    /// Informational notes (empty blocks, …).
    pub notes: Vec<Message>,
}

/// How a record names its terms and authors: by slug. A slug is the
/// identity of a term: names that give the same slug are the same term.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Refs {
    /// The section, as the slug path of the breadcrumb
    /// (`news-on-iran/iraq`); none when the record has no section.
    pub section: Option<String>,
    /// The authors' slugs, in byline order.
    pub authors: Vec<String>,
    /// The categories' slugs (a profile field named `categories`).
    pub categories: Vec<String>,
    /// The tags' slugs (a profile field named `tags`).
    pub tags: Vec<String>,
}

/// Longest slug of a section name, author, category or tag.
pub const TERM_SLUG_MAX: usize = 60;
/// Most levels of a section path.
pub const SECTION_DEPTH_MAX: usize = 6;

/// The slugs of a section path: each name's slug, empty ones left out, at
/// most [`SECTION_DEPTH_MAX`] levels.
pub fn section_slugs(names: &[String]) -> Vec<String> {
    names
        .iter()
        .map(|s| crate::text::slugify(s, TERM_SLUG_MAX))
        .filter(|s| !s.is_empty())
        .take(SECTION_DEPTH_MAX)
        .collect()
}

/// The strings of a profile field's value (one string, or a list).
pub fn field_strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

impl Refs {
    /// The references of a record, from its section, authors and its
    /// `categories` and `tags` fields.
    pub fn of(r: &Record) -> Refs {
        let slugs = |names: Vec<&str>| {
            let mut out: Vec<String> = Vec::new();
            for n in names {
                let s = crate::text::slugify(n, TERM_SLUG_MAX);
                if !s.is_empty() && !out.contains(&s) {
                    out.push(s);
                }
            }
            out
        };
        let section = section_slugs(&r.section).join("/");
        Refs {
            section: (!section.is_empty()).then_some(section),
            authors: slugs(r.authors.iter().map(String::as_str).collect()),
            categories: slugs(field_strings(r.fields.get("categories"))),
            tags: slugs(field_strings(r.fields.get("tags"))),
        }
    }
}

/// The body in three forms.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Body {
    /// Paragraphs (and headings, list items, quotes) as clean text.
    pub paragraphs: Vec<String>,
    /// The paragraphs joined by blank lines.
    pub text: String,
    /// Sanitized HTML.
    pub html: String,
}

/// Which encoding was used and which rule decided it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct EncodingInfo {
    /// Encoding name (WHATWG).
    pub name: String,
    /// The rule: `bom`, `http_header`, `meta`, `detected`, `override`, …
    pub rule: String,
    /// The charset the page declared, if any.
    pub declared: Option<String>,
}

/// A warning or note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// A stable code: `dateline_mismatch`, `empty_list`, `encoding`, …
    pub kind: String,
    /// What it is about (a field or list name).
    pub field: Option<String>,
    /// Human-readable text.
    pub message: String,
}

impl Message {
    /// A new message.
    pub fn new(kind: &str, field: Option<&str>, message: impl Into<String>) -> Self {
        Message {
            kind: kind.into(),
            field: field.map(Into::into),
            message: message.into(),
        }
    }
}
