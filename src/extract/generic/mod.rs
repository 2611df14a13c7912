//! Generic extraction: a record from any article page, with no profile.
//!
//! The same kind of function as profile extraction (pure: page bytes,
//! content type and URL in, record out; no network, clock or globals), and
//! the same decoding, bounding and body rendering, so a generic record has
//! exactly the shape and formats of a profile record. It says what it found
//! and *where*: every field comes with the rule that chose it (in the
//! record's `provenance`) and the elements it came from (node ids and a CSS
//! path of stable classes and ids, in the [`Evidence`]), which is what
//! `sitelift init` turns into a site profile.
//!
//! The stages, each in its own file: [`dom`] (one pass of counts over the
//! page), [`hints`] (what tag, role, class and id say), [`content`] (the
//! body container and what to prune in it), [`meta`] (meta tags, JSON-LD,
//! `<title>`), [`title`], [`dates`], [`byline`], [`section`], [`sidebar`],
//! and [`css`] (selectors for the evidence).
//!
//! Every record carries a warning of kind `generic`, so generic output is
//! never mistaken for the output of a profile.

pub mod byline;
pub mod content;
pub mod css;
pub mod dates;
pub mod dom;
pub mod hints;
pub mod meta;
pub mod section;
pub mod sidebar;
pub mod tidy;
pub mod title;

use ego_tree::NodeId;
use indexmap::IndexMap;
use scraper::Html;
use serde::Serialize;
use serde_json::Value;

use super::body;
use super::limits;
use super::{ExtractError, Page, MAX_PAGE_BYTES};
use crate::decode::{decode, DecodeOptions};
use crate::record::{Body, EncodingInfo, Message, Record};
use dom::Dom;

/// The template name of generic records.
pub const TEMPLATE: &str = "generic";

/// The warning every generic record carries.
pub const WARNING: &str = "no template matched; this record comes from generic extraction";

/// Where one field was found.
#[derive(Debug, Clone, Serialize)]
pub struct FieldEvidence {
    /// The rule that chose the value (as in the record's provenance).
    pub rule: String,
    /// The elements the value came from (ids into [`GenericOutcome::doc`]).
    #[serde(skip)]
    pub nodes: Vec<NodeId>,
    /// A CSS selector for each of [`FieldEvidence::nodes`].
    pub css: Vec<String>,
}

/// A subtree left out of the body, and why.
#[derive(Debug, Clone, Serialize)]
pub struct PrunedEvidence {
    /// The element (an id into [`GenericOutcome::doc`]).
    #[serde(skip)]
    pub node: NodeId,
    /// A CSS selector for it.
    pub css: String,
    /// The rule that left it out.
    pub why: String,
}

/// What generic extraction found, field by field.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Evidence {
    /// By field name (`title`, `published`, `authors`, `section`, `body`, `lists.<key>`).
    pub fields: IndexMap<String, FieldEvidence>,
    /// Subtrees of the body container left out of the body.
    pub pruned: Vec<PrunedEvidence>,
    /// The body container's score, then its nearest ancestors' (CSS path,
    /// score): the text-density margin by which the container won.
    pub body_scores: Vec<(String, f32)>,
}

/// A record from generic extraction, with its evidence.
#[derive(Debug)]
pub struct GenericOutcome {
    /// The record (`template: "generic"`).
    pub record: Record,
    /// Where each field came from.
    pub evidence: Evidence,
    /// The parsed page the evidence's node ids point into.
    pub doc: Html,
}

/// The page decoded, bounded and parsed as profile extraction does it, and
/// the JSON-LD cut out of it before the parse left script content out.
pub struct Parsed {
    /// The document.
    pub doc: Html,
    /// How it was decoded (the text itself is dropped).
    pub decoded: crate::decode::Decoded,
    /// Limits that cut the page, as warnings.
    pub limits: Vec<String>,
    /// The JSON-LD values of the page.
    pub ld_json: Vec<Value>,
}

/// Decode and parse a page (None when it is over [`MAX_PAGE_BYTES`]):
/// [`decode`], [`limits::prepare_markup`] with script content left out,
/// [`Html::parse_document`], as [`super::parse`] does.
pub fn parse(page: &Page<'_>) -> Option<Parsed> {
    parse_with(page, &DecodeOptions::default())
}

/// [`parse`] with a profile's decoding options.
pub fn parse_with(page: &Page<'_>, opts: &DecodeOptions) -> Option<Parsed> {
    if page.bytes.len() > MAX_PAGE_BYTES {
        return None;
    }
    let mut decoded = decode(page.bytes, page.content_type, opts);
    let ld_json = meta::parse_ld(&meta::ld_json_blocks(&decoded.text));
    let (text, bounded) = limits::prepare_markup(&decoded.text, true);
    let doc = Html::parse_document(&text);
    drop(text);
    decoded.text = String::new();
    Some(Parsed {
        doc,
        decoded,
        limits: bounded.warnings(),
        ld_json,
    })
}

/// Extract a record from any page, with no profile.
pub fn extract(page: &Page<'_>) -> Result<GenericOutcome, ExtractError> {
    extract_with(page, &DecodeOptions::default())
}

/// [`extract`] with a profile's decoding options.
pub fn extract_with(page: &Page<'_>, opts: &DecodeOptions) -> Result<GenericOutcome, ExtractError> {
    let parsed = parse_with(page, opts).ok_or(ExtractError::TooLarge {
        size: page.bytes.len(),
        limit: MAX_PAGE_BYTES,
    })?;
    let (record, evidence) = extract_parsed(&parsed, page);
    Ok(GenericOutcome {
        record,
        evidence,
        doc: parsed.doc,
    })
}

fn evidence(dom: &Dom<'_>, rule: &str, at: &[u32]) -> FieldEvidence {
    FieldEvidence {
        rule: rule.to_string(),
        nodes: at.iter().map(|&i| dom.get(i).el.id()).collect(),
        css: at.iter().map(|&i| css::path(dom, i)).collect(),
    }
}

/// The window where bylines and dates are looked for: from a little before
/// the title (or the body) to the first paragraph of the body.
fn near_title(dom: &Dom<'_>, title_at: Option<u32>, body_at: Option<u32>) -> (u32, u32) {
    let n = dom.nodes.len() as u32;
    let start = match (title_at, body_at) {
        (Some(t), _) => t,
        (None, Some(b)) => b,
        (None, None) => return (0, n),
    };
    let lo = start.saturating_sub(40);
    let from = match body_at {
        Some(b) => start.max(b),
        None => start,
    };
    let end_limit = body_at.map(|b| dom.get(b).end).unwrap_or(n).max(from + 1);
    let first_para = (from + 1..end_limit).find(|&j| {
        let e = dom.get(j);
        e.block == j
            && e.own >= 120
            && e.own_link * 2 < e.own
            && !matches!(e.tag, "h1" | "h2" | "h3")
    });
    let hi = first_para
        .unwrap_or(end_limit.min(from + 400))
        .max(from + 1);
    (lo, hi.min(n))
}

/// What extraction has found so far: the provenance of each field, the
/// evidence behind it, and the warnings.
struct Found {
    provenance: IndexMap<String, String>,
    ev: Evidence,
    warnings: Vec<Message>,
}

impl Found {
    /// A field found by `rule` at the elements `at`: its provenance and its
    /// evidence.
    fn field(&mut self, dom: &Dom<'_>, name: &str, rule: &str, at: &[u32]) {
        self.provenance.insert(name.to_string(), rule.to_string());
        self.ev
            .fields
            .insert(name.to_string(), evidence(dom, rule, at));
    }
}

/// The warnings a page carries before any field is read: generic
/// extraction, the limits that cut it, how it was decoded.
fn intake_warnings(parsed: &Parsed) -> Vec<Message> {
    let mut warnings = vec![Message::new("generic", None, WARNING)];
    for w in &parsed.limits {
        warnings.push(Message::new("limit", None, w.clone()));
    }
    let dec = &parsed.decoded;
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
    warnings
}

/// The page's `link[rel=canonical]`, made absolute, else its URL.
fn canonical_link(dom: &Dom<'_>, url: &url::Url, found: &mut Found) -> String {
    let link = dom
        .nodes
        .iter()
        .filter(|e| e.tag == "link")
        .find(|e| {
            e.el.value().attr("rel").is_some_and(|r| {
                r.split_whitespace()
                    .any(|w| w.eq_ignore_ascii_case("canonical"))
            })
        })
        .and_then(|e| e.el.value().attr("href"))
        .and_then(|h| super::select::absolute_url(url, h));
    match link {
        Some(c) => {
            found
                .provenance
                .insert("canonical_url".into(), "link[rel=canonical]".into());
            c
        }
        None => url.to_string(),
    }
}

/// Extract from a page parsed with [`parse`].
pub fn extract_parsed(parsed: &Parsed, page: &Page<'_>) -> (Record, Evidence) {
    let url = page.url;
    let dom = Dom::build(parsed.doc.root_element());
    let v = content::verdicts(&dom);
    let meta = meta::read(&dom, &parsed.ld_json);
    let pick = content::pick(&dom, &v);
    let body_at = pick.as_ref().map(|p| p.container);
    let mut found = Found {
        provenance: IndexMap::new(),
        ev: Evidence::default(),
        warnings: intake_warnings(parsed),
    };
    found
        .provenance
        .insert("url".to_string(), page.url_source.to_string());

    let title = title::find(&dom, &meta, &v.in_boiler, body_at);
    let title_at = title.as_ref().and_then(|t| t.at);
    let title_text = title.as_ref().map(|t| t.text.clone()).unwrap_or_default();
    match &title {
        Some(t) => found.field(&dom, "title", &t.rule, &Vec::from_iter(t.at)),
        None => found
            .warnings
            .push(Message::new("empty_field", Some("title"), "no title found")),
    }
    let near = near_title(&dom, title_at, body_at);

    let canonical_url = canonical_link(&dom, url, &mut found);

    let section = section::find(&dom, &meta, &v, url, &title_text);
    if let Some(s) = &section {
        found.field(&dom, "section", &s.rule, &Vec::from_iter(s.at));
    }
    let published = dates::find(&dom, &meta, &v, near, url);
    if let Some(p) = &published {
        found.field(&dom, "published", &p.rule, &Vec::from_iter(p.at));
    }
    let page_text = || {
        let root = dom
            .nodes
            .iter()
            .find(|e| e.tag == "body")
            .map(|e| e.el)
            .unwrap_or(parsed.doc.root_element());
        crate::text::fold_key(&super::select::element_text(root, &Default::default()))
    };
    let authors = byline::find(&dom, &meta, &v, near, &page_text);
    if let Some(a) = &authors {
        found.field(&dom, "authors", &a.rule, &a.at);
    }

    let (record_body, images) = match &pick {
        Some(p) => {
            let at = BodyAt {
                pick: p,
                title_at,
                near_start: near.0,
            };
            body_of(&dom, &v, &at, url, &title_text, &mut found)
        }
        None => (Body::default(), Vec::new()),
    };
    if record_body.paragraphs.is_empty() {
        found.warnings.push(Message::new(
            "empty_field",
            Some("body"),
            "no article text found",
        ));
    }

    let lists = lists_of(&dom, &v, body_at, url, &mut found);
    let featured_image = featured(&meta, url, &mut found);
    let dec = &parsed.decoded;
    let mut record = Record {
        url: url.to_string(),
        file: None,
        canonical_url,
        legacy_id: None,
        template: TEMPLATE.to_string(),
        featured_image,
        title: title_text,
        section: section.map(|s| s.path).unwrap_or_default(),
        dateline: None,
        published: published.map(|p| p.value),
        authors: authors.map(|a| a.names).unwrap_or_default(),
        body: record_body,
        images,
        lists,
        fields: IndexMap::new(),
        aliases: Vec::new(),
        encoding: EncodingInfo {
            name: dec.encoding.name().to_string(),
            rule: dec.decided_by.as_str().to_string(),
            declared: dec.declared.clone(),
        },
        provenance: found.provenance,
        warnings: found.warnings,
        notes: Vec::new(),
        refs: crate::record::Refs::default(),
    };
    record.refs = crate::record::Refs::of(&record);
    (record, found.ev)
}

/// The sidebar lists outside the body, by the key of their heading.
fn lists_of(
    dom: &Dom<'_>,
    v: &content::Verdicts,
    body_at: Option<u32>,
    url: &url::Url,
    found: &mut Found,
) -> IndexMap<String, Vec<serde_json::Value>> {
    let mut lists = IndexMap::new();
    for l in sidebar::find(dom, v, body_at, url) {
        let css = css::path(dom, l.block_at);
        let rule = format!("heading \"{}\" in {css}", l.heading);
        found.field(
            dom,
            &format!("lists.{}", l.key),
            &rule,
            &[l.block_at, l.heading_at],
        );
        lists.insert(l.key, l.items);
    }
    lists
}

/// The featured image: `og:image`, else `twitter:image`.
fn featured(meta: &meta::Meta, url: &url::Url, found: &mut Found) -> Option<String> {
    let featured_image = meta
        .tag("og:image")
        .or_else(|| meta.tag("twitter:image"))
        .and_then(|src| super::select::absolute_url(url, src));
    if featured_image.is_some() {
        found
            .provenance
            .insert("featured_image".into(), "meta og:image".into());
    }
    featured_image
}

/// Where the body is: the chosen container, the title element, and where
/// the window by the title starts.
struct BodyAt<'p> {
    pick: &'p content::Pick,
    title_at: Option<u32>,
    near_start: u32,
}

/// The body from its container: the standfirst and the featured figure
/// between the title and the container lead it; tidied, rendered, with its
/// evidence (scores, what was left out).
fn body_of(
    dom: &Dom<'_>,
    v: &content::Verdicts,
    at: &BodyAt<'_>,
    url: &url::Url,
    title_text: &str,
    found: &mut Found,
) -> (Body, Vec<crate::record::Image>) {
    let p = at.pick;
    let flat = body::flatten(dom.get(p.container).el, &p.removed, url);
    for w in flat.warnings {
        found.warnings.push(Message::new("body", Some("body"), w));
    }
    let mut blocks = flat.blocks;
    let mut images = flat.images;
    let leads = lead_paragraphs(dom, v, at.title_at, p.container);
    if !leads.is_empty() {
        // the standfirst between the title and the text opens the body
        let mut lead_blocks = Vec::new();
        for &l in &leads {
            let f = body::flatten(dom.get(l).el, &Default::default(), url);
            lead_blocks.extend(
                f.blocks
                    .into_iter()
                    .filter(|b| !matches!(b.kind, body::Kind::Image(_))),
            );
        }
        blocks.splice(0..0, lead_blocks);
        let rule = "prose between the title and the body (standfirst)";
        found
            .ev
            .fields
            .insert("body.lead".into(), evidence(dom, rule, &leads));
        found.provenance.insert(
            "body.lead".into(),
            format!("{} ({rule})", css::path(dom, leads[0])),
        );
    }
    let window = at.title_at.map(|t| (at.near_start, t));
    if let Some(f) = lead_figure(dom, v, window, p.container) {
        lead_with_figure(dom, f, url, &mut blocks, &mut images, found);
    }
    tidy::tidy(&mut blocks, title_text);
    let mut out = Body {
        paragraphs: blocks
            .iter()
            .filter(|b| !matches!(b.kind, body::Kind::Image(_)))
            .map(|b| b.text.clone())
            .collect(),
        ..Body::default()
    };
    out.text = out.paragraphs.join("\n\n");
    out.html = body::sanitize(&body::render_html(&blocks, &images));
    let rule = format!("{} (text density)", css::path(dom, p.container));
    found.field(dom, "body", &rule, &[p.container]);
    found.ev.body_scores = std::iter::once((p.container, p.score))
        .chain(p.ancestors.iter().copied())
        .map(|(i, s)| (css::path(dom, i), s))
        .collect();
    found.ev.pruned = p
        .pruned
        .iter()
        .map(|x| PrunedEvidence {
            node: dom.get(x.at).el.id(),
            css: css::path(dom, x.at),
            why: x.why.clone(),
        })
        .collect();
    (out, images)
}

/// The featured figure `f` between the title and the text leads the body:
/// its images go first, and the body's image blocks are renumbered.
fn lead_with_figure(
    dom: &Dom<'_>,
    f: u32,
    url: &url::Url,
    blocks: &mut Vec<body::Block>,
    images: &mut Vec<crate::record::Image>,
    found: &mut Found,
) {
    let lead = body::flatten(dom.get(f).el, &Default::default(), url);
    let n = lead.images.len();
    if n == 0 {
        return;
    }
    for b in blocks.iter_mut() {
        if let body::Kind::Image(i) = b.kind {
            b.kind = body::Kind::Image(i + n);
        }
    }
    let mut all = lead.images;
    all.append(images);
    *images = all;
    let lead_blocks = (0..n).map(|i| body::Block {
        kind: body::Kind::Image(i),
        text: String::new(),
        inline: Vec::new(),
        from: None,
    });
    blocks.splice(0..0, lead_blocks);
    let rule = "figure by the title, before the body";
    found
        .ev
        .fields
        .insert("images".into(), evidence(dom, rule, &[f]));
    found
        .provenance
        .insert("images".into(), format!("{} ({rule})", css::path(dom, f)));
}

/// The first `figure` from a little before the title (`from`) up to the
/// body container (the featured image of article themes), outside
/// navigation and sidebars.
fn lead_figure(
    dom: &Dom<'_>,
    v: &content::Verdicts,
    from_title: Option<(u32, u32)>,
    body_at: u32,
) -> Option<u32> {
    let (from, t) = from_title?;
    if t >= body_at || dom.within(body_at, t) {
        return None;
    }
    (from..body_at).find(|&i| {
        let e = dom.get(i);
        e.tag == "figure"
            && !e.dead
            && !v.strong[i as usize]
            && e.imgs > 0
            && !dom.within(body_at, i)
    })
}

/// Prose blocks after the title and before the body container (a
/// standfirst the theme puts in the article's header), at most three.
fn lead_paragraphs(
    dom: &Dom<'_>,
    v: &content::Verdicts,
    title_at: Option<u32>,
    body_at: u32,
) -> Vec<u32> {
    let Some(t) = title_at else { return Vec::new() };
    if t >= body_at || dom.within(body_at, t) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut j = dom.get(t).end;
    while j < body_at && out.len() < 3 {
        let e = dom.get(j);
        if dom.within(body_at, j) {
            j += 1;
            continue;
        }
        // figures and their captions are not the standfirst
        if e.dead
            || v.in_boiler[j as usize]
            || e.tag == "figure"
            || e.tag == "figcaption"
            || content::is_media_box(&v.words[j as usize])
        {
            j = e.end;
            continue;
        }
        if e.block == j
            && e.own >= 60
            && content::is_prose(e)
            && !matches!(
                e.tag,
                "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "li" | "td" | "th"
            )
        {
            out.push(j);
            j = e.end;
            continue;
        }
        j += 1;
    }
    out
}
