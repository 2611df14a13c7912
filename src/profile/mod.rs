//! Site profiles: one TOML file per site in `selectors/`, saying how pages
//! are recognised (templates) and what to take from them (fields, dateline,
//! body, lists). Loading is two-phase: TOML → [`raw::RawProfile`] (serde,
//! unknown keys rejected) → [`compile`] → [`Profile`], where every selector,
//! regex and format is already checked. Later stages only see [`Profile`].

pub mod compile;
pub mod crawl;
pub mod error;
pub mod media;
pub mod output;
pub mod raw;
pub mod sel;

use std::path::{Path, PathBuf};

use regex::Regex;
use url::Url;

pub use error::{CompileError, Located, ProfileError};
pub use sel::Sel;

use crate::dates::DateFormat;

/// What to take from a matched element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Take {
    /// All descendant text, cleaned.
    Text,
    /// Only the element's own text nodes.
    OwnText,
    /// Outer HTML.
    Html,
    /// Inner HTML.
    InnerHtml,
    /// An attribute value (URLs in `href`/`src` are made absolute).
    Attr(String),
}

/// One place a value can come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A CSS selector and what to take from its matches.
    Css {
        /// The selector.
        sel: Sel,
        /// What to take.
        take: Take,
    },
    /// The page URL itself.
    Url,
}

impl Source {
    /// How this source is named in provenance and explain output.
    pub fn describe(&self) -> String {
        match self {
            Source::Url => "url".to_string(),
            Source::Css { sel, take } => match take {
                Take::Text => sel.css.clone(),
                Take::OwnText => format!("{} (own_text)", sel.css),
                Take::Html => format!("{} (html)", sel.css),
                Take::InnerHtml => format!("{} (inner_html)", sel.css),
                Take::Attr(a) => format!("{}@{a}", sel.css),
            },
        }
    }
}

/// A transform step on a field's values.
#[derive(Debug, Clone)]
pub enum Step {
    /// Keep a capture group; with `into`, split it off into another field.
    Capture {
        /// The regex.
        re: Regex,
        /// Target field of the split-off group.
        into: Option<String>,
    },
    /// Replace every match.
    Replace {
        /// The regex.
        re: Regex,
        /// The replacement.
        with: String,
    },
    /// Split each value into several.
    Split(Regex),
    /// Drop values from the front.
    DropFirst(usize),
    /// Drop values from the back.
    DropLast(usize),
    /// Drop values matching.
    DropMatching(Regex),
    /// Drop values equal to an earlier one (compared case- and space-folded).
    Dedupe,
}

/// A compiled field.
#[derive(Debug, Clone)]
pub struct Field {
    /// Field name.
    pub name: String,
    /// Fallback sources, in order.
    pub sources: Vec<Source>,
    /// Elements removed before taking text.
    pub remove: Vec<Sel>,
    /// Transform steps.
    pub steps: Vec<Step>,
    /// Missing value is a page error.
    pub required: bool,
    /// A list of values rather than one.
    pub list: bool,
    /// Date formats (with a year).
    pub date_formats: Vec<DateFormat>,
    /// Strip a trailing ellipsis and flag truncation.
    pub ellipsis: bool,
}

/// Where a dateline's year can come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearSource {
    /// The page's published date.
    Published,
    /// A year in the URL.
    Url,
}

impl YearSource {
    /// Name used in records (`year_from`).
    pub fn as_str(&self) -> &'static str {
        match self {
            YearSource::Published => "published",
            YearSource::Url => "url",
        }
    }
}

/// Compiled `[template.dateline]`.
#[derive(Debug, Clone)]
pub struct DatelineSpec {
    /// Where to look (empty: the start of the body).
    pub select: Vec<Source>,
    /// Patterns with `date`, `source`, `place` groups.
    pub patterns: Vec<Regex>,
    /// Patterns of datelines with a place and no date (`place`, `source`).
    pub place_patterns: Vec<Regex>,
    /// Formats of the yearless date text.
    pub formats: Vec<DateFormat>,
    /// Year sources in order.
    pub year_from: Vec<YearSource>,
    /// Regex with a `year` group for [`YearSource::Url`].
    pub url_year: Option<Regex>,
    /// Allowed disagreement with the published date, in days.
    pub max_days_apart: u32,
    /// Remove the dateline from the body.
    pub strip: bool,
}

/// Compiled `[template.body]`.
#[derive(Debug, Clone)]
pub struct BodySpec {
    /// Container selectors in fallback order.
    pub select: Vec<Sel>,
    /// Use every match of the winning selector, not just the first.
    pub all_matches: bool,
    /// Removed before the text is taken.
    pub remove: Vec<Sel>,
    /// Paragraphs dropped when they match.
    pub drop_paragraphs: Vec<Regex>,
    /// The first paragraph that matches ends the body (it is dropped too).
    pub stop_at: Vec<Regex>,
    /// Drop leading teasers that repeat the text.
    pub drop_repeated_lead: bool,
    /// Warn under this many paragraphs.
    pub min_paragraphs: usize,
    /// Missing body is a page error.
    pub required: bool,
}

/// How a list's block is found.
#[derive(Debug, Clone)]
pub enum BlockFinder {
    /// By heading text, then the closest ancestor matching `block`.
    Heading {
        /// Folded heading text to compare.
        text: String,
        /// The heading as written in the profile.
        shown: String,
        /// Elements that can be headings.
        heading: Sel,
        /// The block around the heading.
        block: Sel,
        /// The items are in the block after it: its first following
        /// sibling matching this (a heading that is a block of its own).
        after: Option<Box<Sel>>,
    },
    /// By container selectors, in fallback order.
    Container(Vec<Sel>),
}

/// Compiled `[[template.list]]`.
#[derive(Debug, Clone)]
pub struct ListSpec {
    /// List name in the record.
    pub name: String,
    /// How the block is found.
    pub find: BlockFinder,
    /// The item selector inside the block.
    pub item: Sel,
    /// Item fields.
    pub fields: Vec<Field>,
    /// Warn under this many items.
    pub min_items: Option<usize>,
    /// A missing block is a warning rather than a note.
    pub expected: bool,
    /// Items equal to an earlier item are dropped.
    pub dedupe: bool,
}

/// Compiled `[template.match]`.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// URL regexes (any).
    pub url: Vec<Regex>,
    /// Selectors that must match.
    pub present: Vec<Sel>,
    /// Selectors that must not match.
    pub absent: Vec<Sel>,
}

/// A compiled template.
#[derive(Debug, Clone)]
pub struct Template {
    /// Name.
    pub name: String,
    /// Emits records.
    pub emit: bool,
    /// Generic extraction for pages no other template matches.
    pub generic: bool,
    /// Match rules.
    pub matcher: Matcher,
    /// Fields in order.
    pub fields: Vec<Field>,
    /// Dateline rules.
    pub dateline: Option<DatelineSpec>,
    /// Body rules.
    pub body: Option<BodySpec>,
    /// Lists.
    pub lists: Vec<ListSpec>,
}

impl Template {
    /// Every selector the template queries pages with.
    pub fn selectors(&self) -> Vec<&Sel> {
        fn field<'f>(f: &'f Field, out: &mut Vec<&'f Sel>) {
            sources(&f.sources, out);
            out.extend(&f.remove);
        }
        fn sources<'f>(s: &'f [Source], out: &mut Vec<&'f Sel>) {
            out.extend(s.iter().filter_map(|s| match s {
                Source::Css { sel, .. } => Some(sel),
                Source::Url => None,
            }));
        }
        let mut out: Vec<&Sel> = Vec::new();
        out.extend(&self.matcher.present);
        out.extend(&self.matcher.absent);
        for f in &self.fields {
            field(f, &mut out);
        }
        if let Some(d) = &self.dateline {
            sources(&d.select, &mut out);
        }
        if let Some(b) = &self.body {
            out.extend(&b.select);
            out.extend(&b.remove);
        }
        for l in &self.lists {
            match &l.find {
                BlockFinder::Heading {
                    heading,
                    block,
                    after,
                    ..
                } => out.extend([heading, block].into_iter().chain(after.as_deref())),
                BlockFinder::Container(s) => out.extend(s),
            }
            out.push(&l.item);
            for f in &l.fields {
                field(f, &mut out);
            }
        }
        out
    }

    /// The field named `name`, if the template has one.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// A compiled site profile.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Site name.
    pub name: String,
    /// Where it was loaded from.
    pub path: PathBuf,
    /// Base URL for saved pages without one.
    pub base_url: Option<Url>,
    /// Forced encoding, if any.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Repair mojibake.
    pub repair_mojibake: bool,
    /// Language of the dates (`[site] locale`); None: each page's `<html lang>`.
    pub locale: Option<&'static crate::dates::locale::Locale>,
    /// Crawl settings.
    pub crawl: Option<crawl::CrawlConfig>,
    /// Templates in match order.
    pub templates: Vec<Template>,
    /// New paths of records and listings (`[output]`, defaults when absent).
    pub output: output::OutputSpec,
    /// The records' assets (`[media]`, defaults when absent).
    pub media: crate::media::MediaSpec,
    /// The classes and ids the templates' selectors name (what a page's
    /// index lists, see [`crate::extract::index`]).
    pub index_keys: sel::IndexKeys,
    /// The attributes the templates' selectors can test (the rest are left
    /// out of the parse, see [`crate::extract::attrs`]); None: all kept.
    pub attr_keep: Option<crate::extract::attrs::AttrKeep>,
}

impl Profile {
    /// Read, parse and compile the profile at `path`.
    pub fn load(path: &Path) -> Result<Profile, ProfileError> {
        let io = |source| ProfileError::Io {
            path: path.to_path_buf(),
            source,
        };
        // a FIFO given as the profile would block the open for ever
        crate::files::require_regular(path).map_err(io)?;
        let src = std::fs::read_to_string(path).map_err(io)?;
        Profile::from_str(&src, path)
    }

    /// The profile of `extract --generic` without a profile: one generic
    /// template for every page, and the default outputs.
    pub fn generic() -> Profile {
        let mut p = Profile::from_str(GENERIC_PROFILE, Path::new("(generic)"))
            .expect("the generic profile compiles");
        p.path = PathBuf::new();
        p
    }

    /// This profile with a generic template after its own, for the pages
    /// none of them matches (unless it has one already).
    pub fn with_generic_fallback(mut self) -> Profile {
        if !self.templates.iter().any(|t| t.generic) {
            let mut g = Profile::generic().templates;
            self.templates.append(&mut g);
        }
        self
    }

    /// Parse and compile profile text; `path` names it in errors.
    pub fn from_str(src: &str, path: &Path) -> Result<Profile, ProfileError> {
        let raw: raw::RawProfile = toml::from_str(src).map_err(|e| toml_error(path, src, &e))?;
        compile::compile(&raw, path).map_err(|e| ProfileError::from_compile(path, src, e))
    }
}

/// The profile of [`Profile::generic`].
const GENERIC_PROFILE: &str =
    "[site]\nname = \"generic\"\n\n[[template]]\nname = \"generic\"\ngeneric = true\n";

fn toml_error(path: &Path, src: &str, e: &toml::de::Error) -> ProfileError {
    let (line, column) = match e.span() {
        Some(span) => {
            let (l, c) = error::line_col(src, span.start);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    let message = e.message().trim().to_string();
    let key = key_at(src, e.span().map(|s| s.start));
    ProfileError::Invalid(Located {
        path: path.to_path_buf(),
        line,
        column,
        key,
        message,
    })
}

/// Best-effort dotted key for an error position: the table header above it
/// plus the key on that line.
fn key_at(src: &str, offset: Option<usize>) -> Option<String> {
    let offset = offset?.min(src.len());
    let line_start = src[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line_end = src[offset..]
        .find('\n')
        .map(|i| offset + i)
        .unwrap_or(src.len());
    let line = src[line_start..line_end].trim();
    let table = src[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    if line.starts_with('[') {
        return Some(
            line.trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_string(),
        );
    }
    let key = line
        .split('=')
        .next()
        .map(str::trim)
        .filter(|k| !k.is_empty() && !k.contains(' '));
    match (table, key) {
        (Some(t), Some(k)) => Some(format!("{t}.{k}")),
        (None, Some(k)) => Some(k.to_string()),
        (Some(t), None) => Some(t),
        (None, None) => None,
    }
}
