//! Building a record from a page of a routed template, in the order a
//! reader would check it: the page fields, the canonical URL, the body
//! (containers, removals, dropped paragraphs and teasers), the dateline at
//! the body's start, the finished body, then the sidebar lists. Each step
//! adds to the record's provenance, warnings and notes, in that order, so
//! the output is the same bytes whatever changes around it.

use indexmap::IndexMap;
use scraper::ElementRef;
use serde_json::Value;
use url::Url;

use super::index::DocIndex;
use super::select::{eval_field, removed_set, FieldValue};
use super::{body, body_trace, dateline, lists, ExtractError, Page, Trace};
use crate::dates::locale::Locale;
use crate::dates::{iso, iso_prefix, PartialDate};
use crate::profile::{BodySpec, DatelineSpec, Field, Sel, Template};
use crate::record::{Body, Dateline, EncodingInfo, Image, Message, Record, Refs};

static CANONICAL: std::sync::LazyLock<Sel> =
    std::sync::LazyLock::new(|| Sel::parse("link[rel~=canonical]").expect("static"));

/// What every step reads: the page's index and root, its URL, the
/// template, and the locale dates are read in.
struct Cx<'a, 'p> {
    ix: &'a DocIndex<'a>,
    root: ElementRef<'a>,
    url: &'a Url,
    t: &'p Template,
    locale: Option<&'static Locale>,
}

/// What the steps collect besides the values: provenance, warnings, notes.
struct Notes {
    provenance: IndexMap<String, String>,
    warnings: Vec<Message>,
    notes: Vec<Message>,
}

/// The values of the page fields.
#[derive(Default)]
struct PageFields {
    title: String,
    section: Vec<String>,
    authors: Vec<String>,
    legacy_id: Option<String>,
    published: Option<String>,
    published_date: Option<PartialDate>,
    canonical: Option<String>,
    featured_image: Option<String>,
    fields: IndexMap<String, Value>,
}

/// The body as blocks (before the dateline is stripped) and its images.
#[derive(Default)]
struct Blocks {
    blocks: Vec<body::Block>,
    images: Vec<Image>,
    /// The containers they came from (for `explain`).
    containers: Vec<ego_tree::NodeId>,
}

/// Build the record of a page of template `t`.
pub(super) fn build(
    ix: &DocIndex<'_>,
    page: &Page<'_>,
    t: &Template,
    trace: &mut Trace,
    warnings: Vec<Message>,
    encoding: EncodingInfo,
    locale: Option<&'static Locale>,
) -> Result<Record, ExtractError> {
    let root = ix.doc().root_element();
    let url = page.url;
    let cx = Cx {
        ix,
        root,
        url,
        t,
        locale,
    };
    let mut n = Notes {
        provenance: IndexMap::new(),
        warnings,
        notes: Vec::new(),
    };
    n.provenance
        .insert("url".to_string(), page.url_source.to_string());
    let pf = page_fields(&cx, trace, &mut n)?;
    let canonical_url = canonical_url(ix, url, pf.canonical.clone(), &mut n);
    let mut b = match &t.body {
        Some(spec) => body_blocks(&cx, spec, trace, &mut n)?,
        None => Blocks::default(),
    };
    let dateline = match &t.dateline {
        Some(spec) => find_dateline(&cx, spec, &pf, &mut b.blocks, trace, &mut n),
        None => None,
    };
    if t.body.is_some() {
        trace.log_all(|| body_trace::kept(ix, &b.blocks, &b.images, &b.containers));
    }
    let body = match &t.body {
        Some(spec) => finish_body(&b, spec, &mut n),
        None => Body::default(),
    };
    if let Some(spec) = t.body.as_ref().filter(|s| s.required) {
        required_body(&body, &b, spec, &n, t)?;
    }
    let lists = page_lists(&cx, trace, &mut n);
    let featured_image = featured_image(url, pf.featured_image, &mut n);
    let mut record = Record {
        url: url.to_string(),
        file: None,
        canonical_url,
        legacy_id: pf.legacy_id,
        template: t.name.clone(),
        title: pf.title,
        section: pf.section,
        dateline,
        published: pf.published,
        authors: pf.authors,
        body,
        featured_image,
        images: b.images,
        lists,
        fields: pf.fields,
        aliases: Vec::new(),
        encoding,
        provenance: n.provenance,
        warnings: n.warnings,
        notes: n.notes,
        refs: Refs::default(),
    };
    record.refs = Refs::of(&record);
    Ok(record)
}

/// The names of the fields that have a place of their own in the record.
const RECORD_FIELDS: [&str; 7] = [
    "title",
    "section",
    "published",
    "authors",
    "legacy_id",
    "canonical_url",
    "featured_image",
];

fn required_error(f: &Field, t: &Template) -> ExtractError {
    let tried = f
        .sources
        .iter()
        .map(|s| s.describe())
        .collect::<Vec<_>>()
        .join(", ");
    ExtractError::Required {
        field: f.name.clone(),
        template: t.name.clone(),
        tried,
    }
}

/// A required body that its container gave but that came out empty (its
/// paragraphs all removed, dropped or stripped, no image either) fails the
/// page, as a body without a container does.
fn required_body(
    body: &Body,
    b: &Blocks,
    spec: &BodySpec,
    n: &Notes,
    t: &Template,
) -> Result<(), ExtractError> {
    if !body.paragraphs.is_empty() || !b.images.is_empty() {
        return Ok(());
    }
    let container = n.provenance.get("body").cloned().unwrap_or_else(|| {
        spec.select
            .iter()
            .map(|s| s.css.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    });
    Err(ExtractError::Required {
        field: "body".into(),
        template: t.name.clone(),
        tried: format!(
            "{container}, which matched but left no text after remove, drop_paragraphs, the teaser rule and the dateline"
        ),
    })
}

/// Evaluate the template's page fields, in profile order.
fn page_fields(
    cx: &Cx<'_, '_>,
    trace: &mut Trace,
    n: &mut Notes,
) -> Result<PageFields, ExtractError> {
    let (ix, root, url, t) = (cx.ix, cx.root, cx.url, cx.t);
    let mut pf = PageFields::default();
    for f in &t.fields {
        let fv = eval_field(f, ix, root, url, trace);
        if fv.values.is_empty() {
            if f.required {
                return Err(required_error(f, t));
            }
            if f.name == "featured_image" {
                continue; // many articles have none: not worth a warning
            }
            n.warnings.push(Message::new(
                "empty_field",
                Some(&f.name),
                format!("field `{}` found nothing", f.name),
            ));
            if !RECORD_FIELDS.contains(&f.name.as_str()) {
                let empty = match f.list {
                    true => Value::Array(vec![]),
                    false => Value::Null,
                };
                pf.fields.insert(f.name.clone(), empty);
            }
            continue;
        }
        let fv = match f.name.as_str() {
            "published" => prefer_local(cx, f, fv, trace),
            _ => fv,
        };
        if let Some(p) = &fv.provenance {
            n.provenance.insert(f.name.clone(), p.clone());
        }
        take_field(&mut pf, f, fv, n, cx.locale);
    }
    Ok(pf)
}

/// Put one found field where it belongs in the record.
fn take_field(
    pf: &mut PageFields,
    f: &Field,
    fv: FieldValue,
    n: &mut Notes,
    locale: Option<&Locale>,
) {
    match f.name.as_str() {
        "title" => pf.title = fv.values.join(" "),
        "section" => pf.section = fv.values,
        "authors" => pf.authors = fv.values,
        "legacy_id" => pf.legacy_id = fv.values.into_iter().next(),
        "canonical_url" => pf.canonical = fv.values.into_iter().next(),
        "featured_image" => pf.featured_image = fv.values.into_iter().next(),
        "published" => match parse_published(&fv, f, locale) {
            Ok((s, d)) => {
                pf.published = Some(s);
                pf.published_date = Some(d);
            }
            Err(m) => n
                .warnings
                .push(Message::new("bad_date", Some("published"), m)),
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
            pf.fields.insert(f.name.clone(), v);
        }
    }
}

/// An ISO 8601 date-time with an offset, as an instant and whether the
/// offset is UTC (`Z`, `+00:00`).
fn instant(v: &str) -> Option<(jiff::Timestamp, bool)> {
    let v = v.trim();
    let t: jiff::Timestamp = v.parse().ok()?;
    let utc =
        v.ends_with('Z') || v.ends_with("+00:00") || v.ends_with("-00:00") || v.ends_with("+0000");
    Some((t, utc))
}

/// Two values this close are one moment written twice.
const SAME_INSTANT_S: i64 = 120;

/// A published value in UTC (a meta tag, often) gives way to a later source
/// of the field that shows the same moment in the page's own offset: the
/// local date is the one readers saw, and near midnight the UTC one is a
/// day off. The offset is kept.
fn prefer_local(cx: &Cx<'_, '_>, f: &Field, fv: FieldValue, trace: &mut Trace) -> FieldValue {
    let Some((utc_t, true)) = fv.values.first().and_then(|v| instant(v)) else {
        return fv;
    };
    let won = f
        .sources
        .iter()
        .position(|s| Some(s.describe()) == fv.provenance);
    let Some(won) = won else { return fv };
    for source in &f.sources[won + 1..] {
        let one = Field {
            sources: vec![source.clone()],
            ..f.clone()
        };
        let mut quiet = Trace::off();
        let other = eval_field(&one, cx.ix, cx.root, cx.url, &mut quiet);
        let Some((t, false)) = other.values.first().and_then(|v| instant(v)) else {
            continue;
        };
        if (t.as_second() - utc_t.as_second()).abs() <= SAME_INSTANT_S {
            trace.log(|| {
                format!(
                    "  published: `{}` ({}) is the same moment as the UTC `{}`: the page's local time is kept, with its offset",
                    other.values[0],
                    source.describe(),
                    fv.values[0]
                )
            });
            return other;
        }
    }
    fv
}

fn parse_published(
    fv: &FieldValue,
    f: &Field,
    locale: Option<&Locale>,
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

/// The `featured_image` field as an absolute http(s) URL (a warning when
/// it is not one).
fn featured_image(url: &Url, value: Option<String>, n: &mut Notes) -> Option<String> {
    let v = value?;
    let abs = super::select::absolute_url(url, &v).filter(|u| u.starts_with("http"));
    if abs.is_none() {
        n.provenance.shift_remove("featured_image");
        n.warnings.push(Message::new(
            "empty_field",
            Some("featured_image"),
            format!("featured_image `{v}` is not an http(s) URL"),
        ));
    }
    abs
}

/// The `canonical_url` field, else `<link rel=canonical>`, else the URL.
fn canonical_url(ix: &DocIndex<'_>, url: &Url, field: Option<String>, n: &mut Notes) -> String {
    if let Some(c) = field {
        return c;
    }
    let link = ix
        .select_all(&CANONICAL)
        .find_map(|l| l.value().attr("href"))
        .and_then(|h| super::select::absolute_url(url, h));
    match link {
        Some(c) => {
            n.provenance
                .insert("canonical_url".into(), "link[rel=canonical]".into());
            c
        }
        None => url.to_string(),
    }
}

/// The body containers of the first selector that matches: its first
/// match, or with `all_matches` every match not inside another one.
fn body_containers<'a, 's>(
    ix: &DocIndex<'a>,
    root: ElementRef<'a>,
    spec: &'s BodySpec,
) -> Option<(&'s Sel, Vec<ElementRef<'a>>)> {
    let sel = spec
        .select
        .iter()
        .find(|s| ix.select(root, s).next().is_some())?;
    let mut containers: Vec<ElementRef<'a>> = Vec::new();
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
    Some((sel, containers))
}

/// More leading blocks dropped as teasers than this is unusual, and a
/// warning on the record (a page of identical paragraphs loses all but one).
const MAX_QUIET_TEASERS: usize = 2;

/// Flatten the body containers into blocks, then drop what the profile
/// says is not the text (matching paragraphs, repeated teasers).
fn body_blocks(
    cx: &Cx<'_, '_>,
    spec: &BodySpec,
    trace: &mut Trace,
    n: &mut Notes,
) -> Result<Blocks, ExtractError> {
    let (ix, root, url, t) = (cx.ix, cx.root, cx.url, cx.t);
    let mut out = Blocks::default();
    let Some((sel, containers)) = body_containers(ix, root, spec) else {
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
        n.warnings.push(Message::new(
            "empty_field",
            Some("body"),
            format!("no body container ({tried})"),
        ));
        return Ok(out);
    };
    n.provenance.insert("body".into(), sel.css.clone());
    trace.log_all(|| {
        let i = spec.select.iter().position(|s| std::ptr::eq(s, sel));
        body_trace::containers(sel, i.unwrap_or(0), &containers)
    });
    for container in containers {
        trace.log_all(|| body_trace::removed(ix, container, &spec.remove));
        let removed = removed_set(ix, container, &spec.remove);
        let flat = body::flatten_with(container, &removed, url, ix.original());
        for w in flat.warnings {
            n.warnings.push(Message::new("body", Some("body"), w));
        }
        let offset = out.images.len();
        out.blocks.extend(flat.blocks.into_iter().map(|mut b| {
            if let body::Kind::Image(i) = b.kind {
                b.kind = body::Kind::Image(i + offset);
            }
            b
        }));
        out.images.extend(flat.images);
        out.containers.push(container.id());
    }
    stop_at(&mut out, spec, trace);
    drop_paragraphs(&mut out.blocks, spec, trace);
    if spec.drop_repeated_lead {
        let strip = |s: &str| {
            t.dateline
                .as_ref()
                .map(|d| dateline::prefix_len(d, s, cx.locale))
                .unwrap_or(0)
        };
        let dropped = body::drop_repeated_lead(&mut out.blocks, &strip);
        trace.log_all(|| {
            dropped
                .iter()
                .map(|b| {
                    format!(
                        "  body: the repeated-lead rule dropped {} (it repeats the start of the text after it: a teaser)",
                        body_trace::block(b)
                    )
                })
                .collect()
        });
        if dropped.len() > MAX_QUIET_TEASERS {
            n.warnings.push(Message::new(
                "repeated_lead",
                Some("body"),
                format!(
                    "dropped {} leading blocks that repeat the text after them (a teaser is one or two); check the page, or set drop_repeated_lead = false in [template.body]",
                    dropped.len()
                ),
            ));
        }
    }
    Ok(out)
}

/// `stop_at`: the first text block that matches ends the body; it, the
/// blocks after it and the images only they show are dropped.
fn stop_at(out: &mut Blocks, spec: &BodySpec, trace: &mut Trace) {
    let hit = out.blocks.iter().enumerate().find_map(|(at, b)| {
        if matches!(b.kind, body::Kind::Image(_)) {
            return None;
        }
        let i = spec.stop_at.iter().position(|re| re.is_match(&b.text))?;
        Some((at, i))
    });
    let Some((at, i)) = hit else {
        if !spec.stop_at.is_empty() {
            trace.log(|| "  body.stop_at: no paragraph matched (the body is whole)".into());
        }
        return;
    };
    let cut = out.blocks.split_off(at);
    trace.log(|| {
        format!(
            "  body.stop_at[{i}] /{}/ matched {}: it and the {} block(s) after it dropped",
            spec.stop_at[i].as_str(),
            body_trace::block(&cut[0]),
            cut.len() - 1
        )
    });
    let image = |b: &body::Block| match b.kind {
        body::Kind::Image(j) => Some(j),
        _ => None,
    };
    let first_cut = cut.iter().filter_map(image).min();
    let last_kept = out.blocks.iter().filter_map(image).max();
    if let Some(first) = first_cut.filter(|f| last_kept.is_none_or(|k| k < *f)) {
        out.images.truncate(first);
    }
}

/// `drop_paragraphs`: blocks whose text matches are dropped.
fn drop_paragraphs(blocks: &mut Vec<body::Block>, spec: &BodySpec, trace: &mut Trace) {
    if spec.drop_paragraphs.is_empty() {
        return;
    }
    let on = trace.is_on();
    let mut lines = Vec::new();
    blocks.retain(|b| {
        let Some(i) = spec
            .drop_paragraphs
            .iter()
            .position(|re| re.is_match(&b.text))
        else {
            return true;
        };
        if on {
            lines.push(format!(
                "  body.drop_paragraphs[{i}] /{}/ dropped {}",
                spec.drop_paragraphs[i].as_str(),
                body_trace::block(b)
            ));
        }
        false
    });
    trace.log_all(|| lines);
}

/// Find the dateline (at the start of the body, or where the profile
/// says), and strip it from the body when it came from there.
fn find_dateline(
    cx: &Cx<'_, '_>,
    spec: &DatelineSpec,
    pf: &PageFields,
    blocks: &mut Vec<body::Block>,
    trace: &mut Trace,
    n: &mut Notes,
) -> Option<Dateline> {
    let (ix, root, url) = (cx.ix, cx.root, cx.url);
    let (text, from_body) = if spec.select.is_empty() {
        (body::joined_text(blocks), true)
    } else {
        let f = Field {
            name: "dateline".into(),
            sources: spec.select.clone(),
            remove: vec![],
            steps: vec![],
            required: false,
            list: false,
            date_formats: vec![],
            ellipsis: false,
        };
        let found = eval_field(&f, ix, root, url, trace)
            .values
            .into_iter()
            .next();
        (found.unwrap_or_default(), false)
    };
    let Some(found) = dateline::find(spec, &text, pf.published_date, url, cx.locale) else {
        trace.log(|| format!("  dateline: {}", dateline::why_none(spec, &text, cx.locale)));
        return None;
    };
    let which = match found.place_only {
        true => "place_patterns",
        false => "pattern",
    };
    trace.log(|| {
        let what = match found.place_only {
            true => " (a place, no date)",
            false => "",
        };
        format!(
            "  dateline: {which} {} matched `{}`{what}",
            found.pattern, found.dateline.raw
        )
    });
    let place = if from_body { "body start" } else { "select" };
    n.provenance.insert(
        "dateline".into(),
        format!("{place} {which}[{}]", found.pattern),
    );
    if let Some(w) = found.warning {
        n.warnings
            .push(Message::new("dateline_mismatch", Some("dateline"), w));
    }
    if from_body && spec.strip {
        body::strip_prefix(blocks, found.len);
        trace.log(|| {
            "  body: the dateline is cut from the start of the body (dateline.strip)".into()
        });
    }
    Some(found.dateline)
}

/// The body's three forms, and a warning when it is shorter than expected.
fn finish_body(b: &Blocks, spec: &BodySpec, n: &mut Notes) -> Body {
    let mut body = Body {
        paragraphs: b
            .blocks
            .iter()
            .filter(|b| !matches!(b.kind, body::Kind::Image(_)))
            .map(|b| b.text.clone())
            .collect(),
        ..Body::default()
    };
    body.text = body.paragraphs.join("\n\n");
    body.html = body::sanitize(&body::render_html(&b.blocks, &b.images));
    if body.paragraphs.len() < spec.min_paragraphs {
        n.warnings.push(Message::new(
            "short_body",
            Some("body"),
            format!(
                "body has {} paragraphs, the profile expects at least {}",
                body.paragraphs.len(),
                spec.min_paragraphs
            ),
        ));
    }
    body
}

/// The template's sidebar lists, in profile order.
fn page_lists(cx: &Cx<'_, '_>, trace: &mut Trace, n: &mut Notes) -> IndexMap<String, Vec<Value>> {
    let (ix, root, url, t) = (cx.ix, cx.root, cx.url, cx.t);
    let mut out = IndexMap::new();
    for spec in &t.lists {
        let list = lists::extract_list(spec, ix, root, url, trace);
        if let Some(p) = list.provenance {
            n.provenance.insert(format!("lists.{}", spec.name), p);
        }
        for note in list.notes {
            n.notes
                .push(Message::new("empty_list", Some(&spec.name), note));
        }
        for w in list.warnings {
            n.warnings.push(Message::new("list", Some(&spec.name), w));
        }
        out.insert(spec.name.clone(), list.items);
    }
    out
}
