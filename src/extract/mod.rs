//! Extraction: a pure function of (page bytes, content type, URL, compiled
//! profile) → record. No network, no clock, no global state, so fixtures and
//! CI are meaningful and re-extraction from a store is reproducible.

pub mod attrs;
pub mod body;
mod body_trace;
mod build;
pub mod dateline;
pub mod generic;
pub mod index;
pub mod limits;
pub mod lists;
pub mod route;
pub mod select;

use scraper::Html;
use url::Url;

use crate::dates::locale;
use crate::decode::{decode, DecodeOptions};
use crate::profile::Profile;
use crate::record::{EncodingInfo, Message};
pub use crate::record::{Outcome, PageError, UNMATCHED_MESSAGE};
use index::DocIndex;
pub use route::route;

/// Selectors the extraction code runs itself on a profile's pages (beside
/// the templates'), for what attributes they test ([`attrs::AttrKeep`]).
pub const CODE_SELECTORS: &[&str] = &["link[rel~=canonical]", "script, style", "img"];

/// Pages larger than this are refused (bounded work per page).
pub const MAX_PAGE_BYTES: usize = 20 * 1024 * 1024;

/// Collects explanation lines for `sitelift explain`; free when off.
#[derive(Debug, Default)]
pub struct Trace {
    on: bool,
    /// The lines so far.
    pub lines: Vec<String>,
}

impl Trace {
    /// A trace that records.
    pub fn on() -> Self {
        Trace {
            on: true,
            lines: Vec::new(),
        }
    }

    /// A trace that records nothing.
    pub fn off() -> Self {
        Trace::default()
    }

    /// Record a line (built only when on).
    pub fn log(&mut self, f: impl FnOnce() -> String) {
        if self.on {
            self.lines.push(f());
        }
    }

    /// Record several lines (built only when on).
    pub fn log_all(&mut self, f: impl FnOnce() -> Vec<String>) {
        if self.on {
            self.lines.extend(f());
        }
    }

    /// Whether lines are recorded.
    pub fn is_on(&self) -> bool {
        self.on
    }
}

/// One page to extract.
#[derive(Debug, Clone)]
pub struct Page<'a> {
    /// The page URL.
    pub url: &'a Url,
    /// Raw bytes as fetched or saved.
    pub bytes: &'a [u8],
    /// The HTTP `Content-Type`, when known.
    pub content_type: Option<&'a str>,
    /// Where the URL came from: `sidecar`, `canonical`, `base_url`, `warc`, `fetch`.
    pub url_source: &'a str,
}

/// Why a page gave no record.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ExtractError {
    /// A required field was empty.
    #[error("required field `{field}` is empty in template `{template}` (tried: {tried}); fix the selectors or mark the field optional")]
    Required {
        /// Field name.
        field: String,
        /// Template name.
        template: String,
        /// The sources tried.
        tried: String,
    },
    /// Extraction panicked (a bug, contained to this page).
    #[error(
        "extraction failed unexpectedly: {0}; the page was skipped, please report it with the page"
    )]
    Panic(String),
    /// The page is over the size cap.
    #[error("page is {size} bytes, over the {limit}-byte limit; not extracted")]
    TooLarge {
        /// Page size.
        size: usize,
        /// The limit.
        limit: usize,
    },
}

impl ExtractError {
    /// Stable code for reports.
    pub fn kind(&self) -> &'static str {
        match self {
            ExtractError::Required { .. } => "required_field",
            ExtractError::TooLarge { .. } => "too_large",
            ExtractError::Panic(_) => "panic",
        }
    }

    /// The failure as data, for the output line ([`Outcome::Failed`]).
    pub fn to_page_error(&self, template: Option<&str>) -> PageError {
        PageError {
            kind: self.kind().into(),
            message: self.to_string(),
            template: template.map(Into::into),
        }
    }
}

/// Extract one page with `profile`.
pub fn extract(page: &Page<'_>, profile: &Profile) -> Outcome {
    extract_traced(page, profile, &mut Trace::off())
}

/// [`extract`], with a panic anywhere inside contained as a page failure.
pub fn extract_contained(page: &Page<'_>, profile: &Profile) -> Outcome {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| extract(page, profile))) {
        Ok(o) => o,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned());
            Outcome::Failed(
                ExtractError::Panic(msg.unwrap_or_else(|| "unknown panic".into()))
                    .to_page_error(None),
            )
        }
    }
}

/// A page decoded and parsed once, for extraction and link discovery alike.
pub struct Parsed {
    /// The parsed document.
    pub doc: Html,
    /// How the bytes were decoded.
    pub decoded: crate::decode::Decoded,
    /// Work bounds that cut the page (see [`limits`]), as record warnings.
    pub limits: Vec<String>,
    /// Bytes of `<script>`/`<style>` content the parser was not given.
    pub unread_bytes: usize,
    /// The page's start tags that lost attributes before the parse, to read
    /// them back ([`attrs`]); empty when none did.
    pub original: attrs::Original,
}

/// What the parse leaves out of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Leave {
    /// Nothing: the whole page.
    Nothing,
    /// `<script>`/`<style>` content.
    Unread,
    /// That, and the attributes no selector of the profile tests.
    UnreadAndAttrs,
}

/// Decode and parse a page (None when it is over [`MAX_PAGE_BYTES`]).
/// Markup nested too deep or with too many elements is bounded before the
/// parser sees it ([`limits::prepare_markup`]); `limits` says what was cut.
/// The content of `<script>` and `<style>` elements is not parsed (the
/// elements are): no template reads it, except a field taking the text of
/// such an element or the HTML around one, and then [`extract_parsed`]
/// parses the page again with it.
pub fn parse(page: &Page<'_>, profile: &Profile) -> Option<Parsed> {
    parse_with(page, profile, Leave::Unread)
}

/// [`parse`], leaving out too the attributes no selector of the profile
/// tests ([`attrs`]): for extraction only (link discovery reads every
/// `href`). [`extract_parsed`] reads them back where a field or the body
/// asks, and parses the page again whole when that cannot be exact.
pub fn parse_for_extraction(page: &Page<'_>, profile: &Profile) -> Option<Parsed> {
    parse_with(page, profile, Leave::UnreadAndAttrs)
}

/// How the profile says pages are decoded.
pub(crate) fn decode_options(profile: &Profile) -> DecodeOptions {
    DecodeOptions {
        override_encoding: profile.encoding,
        repair_mojibake: profile.repair_mojibake,
    }
}

fn parse_with(page: &Page<'_>, profile: &Profile, leave: Leave) -> Option<Parsed> {
    if page.bytes.len() > MAX_PAGE_BYTES {
        return None;
    }
    let mut decoded = decode(page.bytes, page.content_type, &decode_options(profile));
    let keep = match leave {
        Leave::UnreadAndAttrs => profile.attr_keep.as_ref(),
        _ => None,
    };
    let (text, mut bounded) =
        limits::prepare_markup_keeping(&decoded.text, leave != Leave::Nothing, keep);
    let doc = Html::parse_document(&text);
    drop(text);
    let rewritten = std::mem::take(&mut bounded.rewritten);
    // the document holds the text now, but for the tags that lost attributes
    let source = std::mem::take(&mut decoded.text);
    let original = match rewritten.is_empty() {
        true => attrs::Original::default(),
        false => attrs::Original::new(source, rewritten),
    };
    Some(Parsed {
        doc,
        decoded,
        limits: bounded.warnings(),
        unread_bytes: bounded.unread_bytes,
        original,
    })
}

/// Extract one page, recording every decision in `trace`.
pub fn extract_traced(page: &Page<'_>, profile: &Profile, trace: &mut Trace) -> Outcome {
    match parse_for_extraction(page, profile) {
        Some(p) => extract_parsed(&p, page, profile, trace),
        None => Outcome::Failed(
            ExtractError::TooLarge {
                size: page.bytes.len(),
                limit: MAX_PAGE_BYTES,
            }
            .to_page_error(None),
        ),
    }
}

/// Extract from an already parsed page.
pub fn extract_parsed(
    parsed: &Parsed,
    page: &Page<'_>,
    profile: &Profile,
    trace: &mut Trace,
) -> Outcome {
    let mark = trace.lines.len();
    if let Some(outcome) = extract_from(parsed, page, profile, trace) {
        return outcome;
    }
    trace.lines.truncate(mark);
    trace.log(|| {
        "a field reads what the parse left out (<script>/<style> content, attributes): \
         page parsed again whole"
            .into()
    });
    parse_with(page, profile, Leave::Nothing)
        .and_then(|full| extract_from(&full, page, profile, trace))
        .expect("a page parsed once parses again, and nothing is left out the second time")
}

/// None when a field read `<script>`/`<style>` content or attributes the
/// parse left out, or a tag that lost attributes did not become an element.
fn extract_from(
    parsed: &Parsed,
    page: &Page<'_>,
    profile: &Profile,
    trace: &mut Trace,
) -> Option<Outcome> {
    let dec = &parsed.decoded;
    let doc = &parsed.doc;
    trace.log(|| {
        format!(
            "decoded as {} ({})",
            dec.encoding.name(),
            dec.decided_by.as_str()
        )
    });
    if !parsed.original.complete(doc) {
        return None;
    }
    let ix = DocIndex::new(doc, parsed.unread_bytes > 0, Some(&profile.index_keys))
        .with_original(&parsed.original);
    let Some(t) = route(&ix, page.url, profile, trace) else {
        return Some(Outcome::Unmatched);
    };
    if !t.emit {
        return Some(Outcome::NotEmitted {
            template: t.name.clone(),
        });
    }
    if t.generic {
        trace.log(|| "generic extraction (the page is parsed again with its JSON-LD)".into());
        return Some(
            match generic::extract_with(page, &decode_options(profile)) {
                Ok(g) => Outcome::Record(Box::new(g.record)),
                Err(e) => Outcome::Failed(e.to_page_error(Some(&t.name))),
            },
        );
    }
    let mut warnings = Vec::new();
    for w in &parsed.limits {
        warnings.push(Message::new("limit", None, w.clone()));
    }
    for w in &dec.warnings {
        warnings.push(Message::new("encoding", None, w.clone()));
    }
    if dec.replacements > 0 {
        warnings.push(Message::new(
            "encoding",
            None,
            format!(
                "{} malformed byte sequences replaced by U+FFFD",
                dec.replacements
            ),
        ));
    }
    let encoding = EncodingInfo {
        name: dec.encoding.name().to_string(),
        rule: dec.decided_by.as_str().to_string(),
        declared: dec.declared.clone(),
    };
    let locale = locale::in_effect(profile.locale, doc);
    trace.log(|| locale::describe(profile.locale, locale));
    let built = build::build(&ix, page, t, trace, warnings, encoding, locale);
    if ix.read_unread() || parsed.original.lost() {
        return None;
    }
    Some(match built {
        Ok(r) => Outcome::Record(Box::new(r)),
        Err(error) => Outcome::Failed(error.to_page_error(Some(&t.name))),
    })
}
