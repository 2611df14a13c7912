//! Extraction: a pure function of (page bytes, content type, URL, compiled
//! profile) → record. No network, no clock, no global state, so fixtures and
//! CI are meaningful and re-extraction from a store is reproducible.

pub mod body;
pub mod date;
pub mod dateline;
pub mod index;
pub mod limits;
pub mod lists;
pub mod locale;
pub mod select;
pub mod text;

use indexmap::IndexMap;
use scraper::{ElementRef, Html};
use serde_json::Value;
use url::Url;

use crate::decode::{decode, DecodeOptions};
use crate::output::record::{Body, EncodingInfo, Message, Record};
use crate::profile::{Profile, Sel, Template};
use date::{iso, iso_prefix, PartialDate};
use index::DocIndex;
use select::{eval_field, removed_set, FieldValue};

/// What an operator is told about a page no template matches.
pub const UNMATCHED_MESSAGE: &str =
    "no template of the profile matches this page; add a template or a match rule";

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
}

/// The result of extracting one page.
#[derive(Debug)]
pub enum Outcome {
    /// An article record.
    Record(Box<Record>),
    /// A page of a template that emits nothing (a listing).
    NotEmitted {
        /// The template.
        template: String,
    },
    /// No template matched.
    Unmatched,
    /// The page failed.
    Failed {
        /// The template, when one matched.
        template: Option<String>,
        /// Why.
        error: ExtractError,
    },
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
            Outcome::Failed {
                template: None,
                error: ExtractError::Panic(msg.unwrap_or_else(|| "unknown panic".into())),
            }
        }
    }
}

/// Choose the template of a parsed page.
pub fn route<'p>(
    ix: &DocIndex<'_>,
    url: &Url,
    profile: &'p Profile,
    trace: &mut Trace,
) -> Option<&'p Template> {
    for t in &profile.templates {
        let m = &t.matcher;
        if !m.url.is_empty() && !m.url.iter().any(|re| re.is_match(url.as_str())) {
            trace.log(|| format!("template `{}`: URL does not match", t.name));
            continue;
        }
        if let Some(s) = m.present.iter().find(|s| ix.select_all(s).next().is_none()) {
            trace.log(|| format!("template `{}`: `{}` is not present", t.name, s.css));
            continue;
        }
        if let Some(s) = m.absent.iter().find(|s| ix.select_all(s).next().is_some()) {
            trace.log(|| format!("template `{}`: `{}` is present", t.name, s.css));
            continue;
        }
        trace.log(|| format!("template `{}` matches", t.name));
        return Some(t);
    }
    None
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
}

/// Decode and parse a page (None when it is over [`MAX_PAGE_BYTES`]).
/// Markup nested too deep or with too many elements is bounded before the
/// parser sees it ([`limits::prepare_markup`]); `limits` says what was cut.
/// The content of `<script>` and `<style>` elements is not parsed (the
/// elements are): no template reads it, except a field taking the text of
/// such an element or the HTML around one, and then [`extract_parsed`]
/// parses the page again with it.
pub fn parse(page: &Page<'_>, profile: &Profile) -> Option<Parsed> {
    parse_with(page, profile, true)
}

fn parse_with(page: &Page<'_>, profile: &Profile, drop_unread: bool) -> Option<Parsed> {
    if page.bytes.len() > MAX_PAGE_BYTES {
        return None;
    }
    let opts = DecodeOptions {
        override_encoding: profile.encoding,
        repair_mojibake: profile.repair_mojibake,
    };
    let mut decoded = decode(page.bytes, page.content_type, &opts);
    let (text, bounded) = limits::prepare_markup(&decoded.text, drop_unread);
    let doc = Html::parse_document(&text);
    drop(text);
    decoded.text = String::new(); // the document holds the text now
    Some(Parsed {
        doc,
        decoded,
        limits: bounded.warnings(),
        unread_bytes: bounded.unread_bytes,
    })
}

/// Extract one page, recording every decision in `trace`.
pub fn extract_traced(page: &Page<'_>, profile: &Profile, trace: &mut Trace) -> Outcome {
    match parse(page, profile) {
        Some(p) => extract_parsed(&p, page, profile, trace),
        None => Outcome::Failed {
            template: None,
            error: ExtractError::TooLarge {
                size: page.bytes.len(),
                limit: MAX_PAGE_BYTES,
            },
        },
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
    trace.log(|| "a field reads <script>/<style> content: page parsed again with it".into());
    parse_with(page, profile, false)
        .and_then(|full| extract_from(&full, page, profile, trace))
        .expect("a page parsed once parses again, and nothing is left out the second time")
}

/// None when a field read `<script>`/`<style>` content the parse left out.
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
    let ix = DocIndex::new(doc, parsed.unread_bytes > 0, Some(&profile.index_keys));
    let Some(t) = route(&ix, page.url, profile, trace) else {
        return Some(Outcome::Unmatched);
    };
    if !t.emit {
        return Some(Outcome::NotEmitted {
            template: t.name.clone(),
        });
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
    let built = build(&ix, page, t, trace, warnings, encoding, locale);
    if ix.read_unread() {
        return None;
    }
    Some(match built {
        Ok(r) => Outcome::Record(Box::new(r)),
        Err(error) => Outcome::Failed {
            template: Some(t.name.clone()),
            error,
        },
    })
}

static CANONICAL: std::sync::LazyLock<Sel> =
    std::sync::LazyLock::new(|| Sel::parse("link[rel~=canonical]").expect("static"));

fn parse_published(
    fv: &FieldValue,
    f: &crate::profile::Field,
    locale: Option<&locale::Locale>,
) -> Result<(String, PartialDate), String> {
    let raw = &fv.values[0];
    if let Some(d) = iso_prefix(raw) {
        return Ok((raw.trim().to_string(), d));
    }
    for fmt in &f.date_formats {
        if let Some(d) = fmt.parse_date_in(raw, locale) {
            if let Some(y) = d.year {
                return Ok((iso(y, d.month, d.day), d));
            }
        }
    }
    Err(format!(
        "published `{raw}` is not ISO 8601 nor in any of the field's date_formats"
    ))
}

fn build(
    ix: &DocIndex<'_>,
    page: &Page<'_>,
    t: &Template,
    trace: &mut Trace,
    mut warnings: Vec<Message>,
    encoding: EncodingInfo,
    locale: Option<&locale::Locale>,
) -> Result<Record, ExtractError> {
    let root = ix.doc().root_element();
    let url = page.url;
    let mut provenance = IndexMap::new();
    provenance.insert("url".to_string(), page.url_source.to_string());
    let mut notes = Vec::new();
    let mut title = String::new();
    let (mut section, mut authors) = (Vec::new(), Vec::new());
    let (mut legacy_id, mut published, mut published_date, mut canonical) =
        (None, None, None, None);
    let mut fields = IndexMap::new();
    for f in &t.fields {
        let fv = eval_field(f, ix, root, url, trace);
        if fv.values.is_empty() {
            if f.required {
                let tried = f
                    .sources
                    .iter()
                    .map(|s| s.describe())
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(ExtractError::Required {
                    field: f.name.clone(),
                    template: t.name.clone(),
                    tried,
                });
            }
            warnings.push(Message::new(
                "empty_field",
                Some(&f.name),
                format!("field `{}` found nothing", f.name),
            ));
            if !matches!(
                f.name.as_str(),
                "title" | "section" | "published" | "authors" | "legacy_id" | "canonical_url"
            ) {
                fields.insert(
                    f.name.clone(),
                    if f.list {
                        Value::Array(vec![])
                    } else {
                        Value::Null
                    },
                );
            }
            continue;
        }
        if let Some(p) = &fv.provenance {
            provenance.insert(f.name.clone(), p.clone());
        }
        match f.name.as_str() {
            "title" => title = fv.values.join(" "),
            "section" => section = fv.values,
            "authors" => authors = fv.values,
            "legacy_id" => legacy_id = fv.values.into_iter().next(),
            "canonical_url" => canonical = fv.values.into_iter().next(),
            "published" => match parse_published(&fv, f, locale) {
                Ok((s, d)) => {
                    published = Some(s);
                    published_date = Some(d);
                }
                Err(m) => warnings.push(Message::new("bad_date", Some("published"), m)),
            },
            _ => {
                let v = if f.list {
                    Value::Array(fv.values.into_iter().map(Value::String).collect())
                } else {
                    fv.values
                        .into_iter()
                        .next()
                        .map(Value::String)
                        .unwrap_or(Value::Null)
                };
                fields.insert(f.name.clone(), v);
            }
        }
    }
    let canonical_url = match canonical {
        Some(c) => c,
        None => match ix
            .select_all(&CANONICAL)
            .find_map(|l| l.value().attr("href"))
            .and_then(|h| select::absolute_url(url, h))
        {
            Some(c) => {
                provenance.insert("canonical_url".into(), "link[rel=canonical]".into());
                c
            }
            None => url.to_string(),
        },
    };

    // Body, then the dateline at its start.
    let mut body = Body::default();
    let mut images = Vec::new();
    let mut dateline = None;
    let mut blocks = Vec::new();
    if let Some(spec) = &t.body {
        let found = spec
            .select
            .iter()
            .find_map(|s| ix.select(root, s).next().map(|_| s));
        match found {
            Some(sel) => {
                provenance.insert("body".into(), sel.css.clone());
                let mut containers: Vec<ElementRef<'_>> = Vec::new();
                for c in ix.select(root, sel) {
                    // a container inside one already taken is part of it
                    if containers
                        .iter()
                        .any(|p| c.ancestors().any(|a| a.id() == p.id()))
                    {
                        continue;
                    }
                    containers.push(c);
                    if !spec.all_matches {
                        break;
                    }
                }
                for container in containers {
                    let removed = removed_set(ix, container, &spec.remove);
                    let flat = body::flatten(container, &removed, url);
                    for w in flat.warnings {
                        warnings.push(Message::new("body", Some("body"), w));
                    }
                    let offset = images.len();
                    blocks.extend(flat.blocks.into_iter().map(|mut b| {
                        if let body::Kind::Image(i) = b.kind {
                            b.kind = body::Kind::Image(i + offset);
                        }
                        b
                    }));
                    images.extend(flat.images);
                }
                blocks.retain(|b| !spec.drop_paragraphs.iter().any(|re| re.is_match(&b.text)));
                if spec.drop_repeated_lead {
                    let strip = |s: &str| {
                        t.dateline
                            .as_ref()
                            .map(|d| dateline::prefix_len(d, s, locale))
                            .unwrap_or(0)
                    };
                    let n = body::drop_repeated_lead(&mut blocks, &strip);
                    if n > 0 {
                        trace.log(|| {
                            format!(
                                "  body: dropped {n} leading block(s) repeating the text (teaser)"
                            )
                        });
                    }
                }
            }
            None => {
                let tried = spec
                    .select
                    .iter()
                    .map(|s| s.css.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                if spec.required {
                    return Err(ExtractError::Required {
                        field: "body".into(),
                        template: t.name.clone(),
                        tried,
                    });
                }
                warnings.push(Message::new(
                    "empty_field",
                    Some("body"),
                    format!("no body container ({tried})"),
                ));
            }
        }
    }
    if let Some(spec) = &t.dateline {
        let (text, from_body) = if spec.select.is_empty() {
            (body::joined_text(&blocks), true)
        } else {
            let f = crate::profile::Field {
                name: "dateline".into(),
                sources: spec.select.clone(),
                remove: vec![],
                steps: vec![],
                required: false,
                list: false,
                date_formats: vec![],
                ellipsis: false,
            };
            (
                eval_field(&f, ix, root, url, trace)
                    .values
                    .into_iter()
                    .next()
                    .unwrap_or_default(),
                false,
            )
        };
        match dateline::find(spec, &text, published_date, url, locale) {
            Some(found) => {
                trace.log(|| {
                    format!(
                        "  dateline: pattern {} matched `{}`",
                        found.pattern, found.dateline.raw
                    )
                });
                provenance.insert(
                    "dateline".into(),
                    format!(
                        "{} pattern[{}]",
                        if from_body { "body start" } else { "select" },
                        found.pattern
                    ),
                );
                if let Some(w) = found.warning {
                    warnings.push(Message::new("dateline_mismatch", Some("dateline"), w));
                }
                if from_body && spec.strip {
                    body::strip_prefix(&mut blocks, found.len);
                }
                dateline = Some(found.dateline);
            }
            None => trace.log(|| "  dateline: no pattern matched at the start".to_string()),
        }
    }
    if let Some(spec) = &t.body {
        body.paragraphs = blocks
            .iter()
            .filter(|b| !matches!(b.kind, body::Kind::Image(_)))
            .map(|b| b.text.clone())
            .collect();
        body.text = body.paragraphs.join("\n\n");
        body.html = body::sanitize(&body::render_html(&blocks, &images));
        if body.paragraphs.len() < spec.min_paragraphs {
            warnings.push(Message::new(
                "short_body",
                Some("body"),
                format!(
                    "body has {} paragraphs, the profile expects at least {}",
                    body.paragraphs.len(),
                    spec.min_paragraphs
                ),
            ));
        }
    }

    let mut lists = IndexMap::new();
    for spec in &t.lists {
        let out = lists::extract_list(spec, ix, root, url, trace);
        if let Some(p) = out.provenance {
            provenance.insert(format!("lists.{}", spec.name), p);
        }
        for n in out.notes {
            notes.push(Message::new("empty_list", Some(&spec.name), n));
        }
        for w in out.warnings {
            warnings.push(Message::new("list", Some(&spec.name), w));
        }
        lists.insert(spec.name.clone(), out.items);
    }
    Ok(Record {
        url: url.to_string(),
        canonical_url,
        legacy_id,
        template: t.name.clone(),
        title,
        section,
        dateline,
        published,
        authors,
        body,
        images,
        lists,
        fields,
        aliases: Vec::new(),
        encoding,
        provenance,
        warnings,
        notes,
    })
}
