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

pub use outcome::{ErrorEntry, ErrorInfo, FileRef, Line, Outcome, PageError, UNMATCHED_MESSAGE};

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
    /// Month 1-12.
    pub month: u8,
    /// Day of month.
    pub day: u8,
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
