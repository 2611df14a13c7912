//! Induction: sample pages of a site in, the text of a site profile out
//! (`sitelift init`).
//!
//! Generic extraction runs on every sample ([`crate::extract::generic`]):
//! its record says what each field is, its evidence says where. Samples are
//! sorted into kinds (articles, listings, the rest) and grouped into
//! templates by the classes and ids their markup has in common; each
//! template gets match rules that tell its pages from every other sample's.
//! For each field, the elements the value came from give candidate
//! selectors (stable classes and ids only: see
//! [`crate::extract::generic::css::is_stable_name`]), and every candidate is
//! tried on every sample of the template: a candidate is voted for by the
//! samples where it gives the value generic extraction found there. The
//! best one is the field's selector; others follow as fallbacks where it
//! gives nothing. The body container comes with `remove` lists for what
//! generic extraction left out inside it, and, with many samples, for the
//! blocks whose text is the same on every page of the template.
//!
//! Pure: pages in, text out; the file and the command are in
//! [`crate::cli`].

mod cand;
mod render;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use ego_tree::NodeId;
use scraper::{ElementRef, Html};
use url::Url;

use crate::dates::{iso_prefix, DateFormat, PartialDate};
use crate::extract::generic::{self, GenericOutcome};
use crate::extract::Page;
use cand::{Score, Src};

pub use render::{is_init_written, MARKER};

/// A sample page.
#[derive(Debug, Clone)]
pub struct Sample {
    /// A short name (the saved file's stem, or one made from the URL).
    pub name: String,
    /// Its URL.
    pub url: Url,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Its HTTP `Content-Type`, when known.
    pub content_type: Option<String>,
    /// Where the URL came from (`sidecar`, `canonical`, `warc`, `fetch`, ...).
    pub url_source: &'static str,
    /// Other URLs of the page.
    pub aliases: Vec<String>,
}

/// Why induction could not write a profile.
#[derive(Debug, thiserror::Error)]
pub enum InduceError {
    /// No samples at all.
    #[error("no sample pages: give saved pages, folders of them, WARC files or a crawl store")]
    NoPages,
    /// No sample looked like an article.
    #[error("none of the {0} sample pages looks like an article (a title, text, and a date or byline): give some article pages of the site")]
    NoArticles(usize),
}

/// What kind of page a sample is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An article (emitted).
    Article,
    /// A listing (crawled, not emitted).
    Listing,
    /// Neither (no template).
    Other,
}

/// A template of the written profile, for the report.
#[derive(Debug, Clone)]
pub struct TemplateSummary {
    /// Its name.
    pub name: String,
    /// Whether it emits records.
    pub emit: bool,
    /// Its samples' names.
    pub samples: Vec<String>,
}

/// The written profile and what it is made of.
#[derive(Debug, Clone)]
pub struct Induced {
    /// The profile text.
    pub text: String,
    /// Its templates.
    pub templates: Vec<TemplateSummary>,
    /// Samples no template is for (name, why).
    pub other: Vec<(String, String)>,
}

/// One sample, analysed.
struct Seen {
    name: String,
    url: Url,
    g: GenericOutcome,
    /// Named simple selectors of every element (`div.x`, `td#y`).
    tokens: BTreeSet<String>,
    kind: Kind,
    why: String,
    lang: Option<String>,
    title_tag: String,
}

impl Seen {
    fn doc(&self) -> &Html {
        &self.g.doc
    }
}

/// One field of a template, chosen.
#[derive(Debug, Clone, Default)]
struct FieldPlan {
    name: String,
    srcs: Vec<(Src, usize)>,
    of: usize,
    list: bool,
    required: bool,
    date_formats: Vec<String>,
    steps: Vec<String>,
}

#[derive(Debug, Clone, Default)]
struct BodyPlan {
    select: Vec<(String, usize)>,
    of: usize,
    /// The featured image before the text (selector, samples): the first
    /// select is then both, with `all_matches`.
    figure: Option<(String, usize)>,
    remove: Vec<(String, usize, &'static str)>,
}

#[derive(Debug, Clone, Default)]
struct MatchPlan {
    present: Vec<String>,
    absent: Vec<String>,
    note: String,
}

#[derive(Debug, Clone, Default)]
struct Plan {
    name: String,
    emit: bool,
    members: Vec<usize>,
    matching: MatchPlan,
    fields: Vec<FieldPlan>,
    body: Option<BodyPlan>,
    legacy_id: Option<(String, usize)>,
    dateline: Option<(String, usize)>,
    lists: Vec<ListPlan>,
}

/// A sidebar list: a heading plus a block of links, on most samples.
#[derive(Debug, Clone, Default)]
struct ListPlan {
    key: String,
    heading: String,
    heading_selector: String,
    block: String,
    item: String,
    link: String,
    excerpt: Option<String>,
    /// Excerpts start with a source ("AP: ...").
    source: bool,
    seen: usize,
}

/// Write a profile for `site` from `samples`.
pub fn induce(site: &str, samples: &[Sample]) -> Result<Induced, InduceError> {
    if samples.is_empty() {
        return Err(InduceError::NoPages);
    }
    let seen: Vec<Seen> = samples.iter().filter_map(analyse).collect();
    if !seen.iter().any(|s| s.kind == Kind::Article) {
        return Err(InduceError::NoArticles(samples.len()));
    }
    let mut plans = Vec::new();
    for (kind, base) in [(Kind::Article, "article"), (Kind::Listing, "listing")] {
        let ids: Vec<usize> = (0..seen.len()).filter(|&i| seen[i].kind == kind).collect();
        let groups = cluster(&seen, &ids);
        let many = groups.len() > 1;
        for (n, members) in groups.into_iter().enumerate() {
            let name = match many {
                true => format!("{base}-{}", n + 1),
                false => base.to_string(),
            };
            plans.push(Plan {
                name,
                emit: kind == Kind::Article,
                members,
                ..Plan::default()
            });
        }
    }
    for p in plans.iter_mut() {
        plan_fields(&seen, p);
    }
    let all_plans = plans.clone();
    for (i, p) in plans.iter_mut().enumerate() {
        p.matching = plan_match(&seen, &all_plans, i);
    }
    let locale = locale_of(&seen);
    let text = render::profile(site, &seen, &plans, locale.as_deref());
    Ok(Induced {
        text,
        templates: plans
            .iter()
            .map(|p| TemplateSummary {
                name: p.name.clone(),
                emit: p.emit,
                samples: p.members.iter().map(|&i| seen[i].name.clone()).collect(),
            })
            .collect(),
        other: seen
            .iter()
            .filter(|s| s.kind == Kind::Other)
            .map(|s| (s.name.clone(), s.why.clone()))
            .collect(),
    })
}

fn analyse(s: &Sample) -> Option<Seen> {
    let page = Page {
        url: &s.url,
        bytes: &s.bytes,
        content_type: s.content_type.as_deref(),
        url_source: s.url_source,
    };
    let g = generic::extract(&page).ok()?;
    let mut tokens = BTreeSet::new();
    let mut lang = None;
    let mut title_tag = String::new();
    let mut body_classes = Vec::new();
    for el in g
        .doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        let name = el.value().name();
        match name {
            "html" => lang = el.value().attr("lang").map(str::to_string),
            "title" if title_tag.is_empty() => title_tag = cand::value_of(el, None),
            "body" => body_classes = el.value().classes().map(str::to_string).collect(),
            _ => {}
        }
        if matches!(name, "script" | "style" | "noscript" | "template") {
            continue;
        }
        for t in cand::named(el) {
            tokens.insert(t);
        }
    }
    let (kind, why) = kind_of(&s.url, &g, &body_classes);
    Some(Seen {
        name: s.name.clone(),
        url: s.url.clone(),
        g,
        tokens,
        kind,
        why,
        lang,
        title_tag,
    })
}

/// Listing URLs: pagination, category and tag archives, Joomla blog and
/// category views.
fn listing_url(u: &Url) -> bool {
    static RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)(/page/\d+/?$|/(category|categories|tag|tags|archives?|topics?)/|[?&](layout=blog|view=(category|section|archive|frontpage|featured)|task=(blog)?(category|section)|paged?=\d+|limitstart=\d+))",
        )
        .expect("static")
    });
    RE.is_match(u.as_str())
}

fn kind_of(url: &Url, g: &GenericOutcome, body_classes: &[String]) -> (Kind, String) {
    const LISTING_BODY: &[&str] = &[
        "archive", "category", "tag", "blog", "home", "search", "paged", "tax",
    ];
    if let Some(c) = body_classes
        .iter()
        .find(|c| LISTING_BODY.contains(&c.as_str()))
    {
        return (Kind::Listing, format!("<body class> has `{c}`"));
    }
    if listing_url(url) {
        return (Kind::Listing, "the URL is a listing's".into());
    }
    if url.path().trim_end_matches('/').is_empty() && url.query().is_none() {
        return (Kind::Listing, "the home page".into());
    }
    let r = &g.record;
    if r.title.is_empty() {
        return (Kind::Other, "no title".into());
    }
    if r.body.paragraphs.is_empty() {
        return (Kind::Other, "no article text".into());
    }
    if r.published.is_none() && r.authors.is_empty() {
        return (Kind::Other, "neither a date nor a byline".into());
    }
    (Kind::Article, String::new())
}

/// Group samples by the classes and ids of their markup (Jaccard similarity
/// to the group's first page), in the samples' order; largest group first.
fn cluster(seen: &[Seen], ids: &[usize]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for &i in ids {
        let t = &seen[i].tokens;
        let best = groups
            .iter()
            .enumerate()
            .map(|(g, m)| (g, jaccard(t, &seen[m[0]].tokens)))
            .filter(|&(_, j)| j >= 0.5)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        match best {
            Some((g, _)) => groups[g].push(i),
            None => groups.push(vec![i]),
        }
    }
    groups.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
    groups
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let inter = a.intersection(b).count();
    let union = a.len() + b.len() - inter;
    match union {
        0 => 1.0,
        u => inter as f64 / u as f64,
    }
}

fn locale_of(seen: &[Seen]) -> Option<String> {
    let mut votes: BTreeMap<&'static str, usize> = BTreeMap::new();
    for s in seen {
        if let Some(l) = s
            .lang
            .as_deref()
            .and_then(crate::dates::locale::Locale::get)
        {
            *votes.entry(l.tag()).or_default() += 1;
        }
    }
    votes
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(t, _)| t.to_string())
}

// ------------------------------------------------------------------ fields

fn plan_fields(seen: &[Seen], p: &mut Plan) {
    let m: Vec<&Seen> = p.members.iter().map(|&i| &seen[i]).collect();
    let title = plan_title(&m, p.emit);
    let mut fields = Vec::new();
    let mut in_body_remove = Vec::new();
    if let Some(t) = title {
        in_body_remove.push(t.srcs[0].0.clone());
        fields.push(t);
    }
    if p.emit {
        if let Some(f) = plan_section(&m).or_else(|| plan_pathway(&m)) {
            fields.push(f);
        }
        if let Some(f) = plan_published(&m) {
            if let Some((s, _)) = f.srcs.iter().find(|(s, _)| s.attr.is_none()) {
                in_body_remove.push(s.clone());
            }
            fields.push(f);
        }
        if let Some(f) = plan_authors(&m) {
            in_body_remove.push(f.srcs[0].0.clone());
            fields.push(f);
        }
        p.legacy_id = plan_legacy_id(&m);
        for (prop, key) in [("og:image", "property"), ("twitter:image", "name")] {
            let css = format!("meta[{key}='{prop}']");
            let Some(sel) = cand::parse(&css) else {
                continue;
            };
            let n = m
                .iter()
                .filter(|s| cand::first_value(s.doc(), &sel, Some("content")).is_some())
                .count();
            if n > 0 {
                fields.push(FieldPlan {
                    name: "featured_image".into(),
                    srcs: vec![(
                        Src {
                            css,
                            attr: Some("content".into()),
                        },
                        n,
                    )],
                    of: m.len(),
                    ..FieldPlan::default()
                });
                break;
            }
        }
        p.body = plan_body(&m, &in_body_remove);
        let paras: Vec<Vec<String>> = m
            .iter()
            .map(|s| body_paragraphs(s, p.body.as_ref()))
            .collect();
        p.dateline = plan_dateline(&paras);
        p.lists = plan_lists(&m, p.body.as_ref());
    }
    p.fields = fields;
}

/// The common site name of `<title>` texts (a prefix or suffix cut off by a
/// separator on at least two samples).
fn site_affixes(m: &[&Seen]) -> (Option<String>, Option<String>) {
    const SEPS: &[&str] = &[" - ", " | ", " – ", " — ", " :: ", " » ", " · ", ": "];
    let mut pre: BTreeMap<String, usize> = BTreeMap::new();
    let mut suf: BTreeMap<String, usize> = BTreeMap::new();
    for s in m {
        let t = &s.title_tag;
        for sep in SEPS {
            if let Some(i) = t.find(sep) {
                *pre.entry(t[..i + sep.len()].to_string()).or_default() += 1;
            }
            if let Some(i) = t.rfind(sep) {
                *suf.entry(t[i..].to_string()).or_default() += 1;
            }
        }
    }
    let need = 2.max(m.len().div_ceil(2));
    let pick = |c: BTreeMap<String, usize>| {
        c.into_iter()
            .filter(|(_, n)| *n >= need)
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.len().cmp(&a.0.len())))
            .map(|(s, _)| s)
    };
    (pick(pre), pick(suf))
}

fn strip_affixes(t: &str, (pre, suf): &(Option<String>, Option<String>)) -> String {
    let mut t = t;
    if let Some(p) = pre {
        t = t.strip_prefix(p.as_str()).unwrap_or(t);
    }
    if let Some(s) = suf {
        t = t.strip_suffix(s.as_str()).unwrap_or(t);
    }
    t.trim().to_string()
}

/// Elements (outside `<head>`) whose whole text is `text`, deepest first, at most eight.
fn elements_with_text<'a>(doc: &'a Html, text: &str) -> Vec<ElementRef<'a>> {
    let want = crate::text::fold_key(text);
    if want.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<ElementRef<'a>> = Vec::new();
    for el in doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        let n = el.value().name();
        if matches!(
            n,
            "html" | "head" | "body" | "title" | "script" | "style" | "meta" | "noscript"
        ) {
            continue;
        }
        if el
            .ancestors()
            .filter_map(ElementRef::wrap)
            .any(|a| a.value().name() == "head")
        {
            continue;
        }
        if crate::text::fold_key(&cand::value_of(el, None)) == want {
            // keep the deepest: drop an ancestor already taken
            out.retain(|o| !el.ancestors().any(|a| a.id() == o.id()));
            out.push(el);
        }
    }
    out.truncate(8);
    out
}

fn evidence_nodes<'a>(s: &'a Seen, field: &str) -> Vec<ElementRef<'a>> {
    s.g.evidence
        .fields
        .get(field)
        .map(|f| {
            f.nodes
                .iter()
                .filter_map(|&n| cand::element(s.doc(), n))
                .collect()
        })
        .unwrap_or_default()
}

/// Score every candidate on every member with `check(k, value)`: Some((hit,
/// exact)) for a value, None for nothing.
fn score<F>(m: &[&Seen], cands: &[Src], list: bool, check: F) -> Vec<Score>
where
    F: Fn(usize, &[String]) -> Option<(bool, bool)>,
{
    cands
        .iter()
        .map(|c| {
            let mut sc = Score {
                hit: vec![false; m.len()],
                any: vec![false; m.len()],
                ..Score::default()
            };
            let Some(sel) = cand::parse(&c.css) else {
                return sc;
            };
            for (k, s) in m.iter().enumerate() {
                let vals = match list {
                    true => cand::all_values(s.doc(), &sel, c.attr.as_deref()),
                    false => cand::first_value(s.doc(), &sel, c.attr.as_deref())
                        .map(|(v, _)| vec![v])
                        .unwrap_or_default(),
                };
                if vals.is_empty() {
                    continue;
                }
                sc.any[k] = true;
                match check(k, &vals) {
                    Some((true, exact)) => {
                        sc.hits += 1;
                        sc.hit[k] = true;
                        sc.exact += usize::from(exact);
                    }
                    Some((false, _)) => sc.wrong += 1,
                    None => {}
                }
            }
            sc
        })
        .collect()
}

fn choose(cands: &[Src], scores: &[Score], n: usize, max: usize) -> Vec<(Src, usize)> {
    let names: Vec<String> = cands
        .iter()
        .map(|c| format!("{}@{}", c.css, c.attr.as_deref().unwrap_or("")))
        .collect();
    cand::chain(&names, scores, n, max)
        .into_iter()
        .map(|i| (cands[i].clone(), scores[i].hits))
        .collect()
}

fn plan_title(m: &[&Seen], emit: bool) -> Option<FieldPlan> {
    let affixes = site_affixes(m);
    let mut expect: Vec<String> = Vec::new();
    let mut cands: BTreeSet<Src> = BTreeSet::new();
    for s in m {
        let nodes = evidence_nodes(s, "title");
        if !emit && nodes.is_empty() {
            expect.push(String::new());
            continue;
        }
        let (want, els) = match nodes.is_empty() {
            false => (s.g.record.title.clone(), nodes),
            true => {
                let t = strip_affixes(&s.g.record.title, &affixes);
                let els = elements_with_text(s.doc(), &t);
                (t, els)
            }
        };
        for el in els {
            cands.extend(cand::candidates(el).into_iter().map(Src::text));
        }
        expect.push(want);
    }
    for prop in ["og:title", "twitter:title"] {
        for key in ["property", "name"] {
            cands.insert(Src {
                css: format!("meta[{key}='{prop}']"),
                attr: Some("content".into()),
            });
        }
    }
    let cands: Vec<Src> = cands.into_iter().collect();
    let scores = score(m, &cands, false, |k, v| {
        if expect[k].is_empty() {
            return None;
        }
        let hit = v[0] == expect[k];
        Some((hit, hit))
    });
    let srcs = choose(&cands, &scores, m.len(), 3);
    if srcs.is_empty() || expect.iter().all(String::is_empty) {
        return None;
    }
    Some(FieldPlan {
        name: "title".into(),
        srcs,
        of: expect.iter().filter(|e| !e.is_empty()).count(),
        required: emit,
        ..FieldPlan::default()
    })
}

/// Date formats tried on the text of date elements.
const FORMATS: &[&str] = &[
    "%B %d, %Y",
    "%b %d, %Y",
    "%b. %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d %B, %Y",
    "%B %d %Y",
    "%A, %d %B %Y",
    "%A, %B %d, %Y",
    "%A %d %B %Y",
    "%a, %d %b %Y",
    "%A, %d. %B %Y",
    "%d. %B %Y",
    "%d. %b %Y",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d-%m-%Y",
    "%d de %B de %Y",
    "%A, %d de %B de %Y",
    "%d %B، %Y",
    "%Y年%m月%d日",
    "%Y년 %m월 %d일",
];

fn formats() -> &'static [DateFormat] {
    static F: std::sync::LazyLock<Vec<DateFormat>> = std::sync::LazyLock::new(|| {
        FORMATS
            .iter()
            .filter_map(|f| DateFormat::parse(f).ok())
            .collect()
    });
    &F
}

fn lang_locale(s: &Seen) -> Option<&'static crate::dates::locale::Locale> {
    s.lang
        .as_deref()
        .and_then(crate::dates::locale::Locale::get)
}

/// The first format (index) that reads `text` as `date`.
fn format_of(text: &str, date: &PartialDate, s: &Seen) -> Option<usize> {
    let loc = lang_locale(s);
    formats()
        .iter()
        .position(|f| f.parse_date_in(text, loc).as_ref() == Some(date))
}

fn plan_published(m: &[&Seen]) -> Option<FieldPlan> {
    let expect: Vec<Option<(PartialDate, String)>> = m
        .iter()
        .map(|s| {
            let v = s.g.record.published.clone()?;
            Some((iso_prefix(&v)?, v))
        })
        .collect();
    let mut cands: BTreeSet<Src> = BTreeSet::new();
    for (s, e) in m.iter().zip(&expect) {
        let Some((date, _)) = e else { continue };
        for el in s
            .doc()
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
        {
            let v = el.value();
            if v.name() == "meta" {
                let Some(c) = v.attr("content") else { continue };
                if iso_prefix(c).as_ref() != Some(date) {
                    continue;
                }
                for key in ["property", "name", "itemprop"] {
                    if let Some(k) = v.attr(key).filter(|k| !k.contains(['\'', '\\'])) {
                        cands.insert(Src {
                            css: format!("meta[{key}='{k}']"),
                            attr: Some("content".into()),
                        });
                        break;
                    }
                }
            }
        }
        let mut roots = evidence_nodes(s, "published");
        if roots.is_empty() {
            continue;
        }
        // the date element itself, or one inside it
        let mut els = Vec::new();
        for r in roots.drain(..) {
            els.extend(r.descendants().filter_map(ElementRef::wrap));
        }
        for el in els {
            if let Some(dt) = el.value().attr("datetime") {
                if iso_prefix(dt).as_ref() == Some(date) {
                    for c in cand::candidates(el) {
                        cands.insert(Src {
                            css: c,
                            attr: Some("datetime".into()),
                        });
                    }
                }
            }
            let t = cand::value_of(el, None);
            if t.len() <= 60 && format_of(&t, date, s).is_some() {
                cands.extend(cand::candidates(el).into_iter().map(Src::text));
            }
        }
    }
    let cands: Vec<Src> = cands.into_iter().collect();
    let scores = score(m, &cands, false, |k, v| {
        let (date, full) = expect[k].as_ref()?;
        let c = &v[0];
        if let Some(d) = iso_prefix(c) {
            return Some((d == *date, *c == *full));
        }
        let hit = format_of(c, date, m[k]).is_some();
        Some((hit, hit && full.len() == 10))
    });
    let srcs = choose(&cands, &scores, m.len(), 3);
    if srcs.is_empty() {
        return None;
    }
    // the formats the text sources need, most used first
    let mut used: BTreeMap<usize, usize> = BTreeMap::new();
    for (src, _) in srcs.iter().filter(|(s, _)| s.attr.is_none()) {
        let Some(sel) = cand::parse(&src.css) else {
            continue;
        };
        for (k, s) in m.iter().enumerate() {
            let Some((date, _)) = &expect[k] else {
                continue;
            };
            if let Some((t, _)) = cand::first_value(s.doc(), &sel, None) {
                if iso_prefix(&t).is_none() {
                    if let Some(f) = format_of(&t, date, s) {
                        *used.entry(f).or_default() += 1;
                    }
                }
            }
        }
    }
    let mut used: Vec<(usize, usize)> = used.into_iter().collect();
    used.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Some(FieldPlan {
        name: "published".into(),
        srcs,
        of: expect.iter().filter(|e| e.is_some()).count(),
        date_formats: used
            .into_iter()
            .map(|(f, _)| FORMATS[f].to_string())
            .collect(),
        ..FieldPlan::default()
    })
}

const BY: &str = r"^(?i)(by|written by|posted by|von|par|por|di|door|av|af)\s+";

fn plan_authors(m: &[&Seen]) -> Option<FieldPlan> {
    let by = regex::Regex::new(BY).expect("static");
    let expect: Vec<Vec<String>> = m.iter().map(|s| s.g.record.authors.clone()).collect();
    let mut cands: BTreeSet<Src> = BTreeSet::new();
    let mut needs_by = false;
    for (s, names) in m.iter().zip(&expect) {
        if names.is_empty() {
            continue;
        }
        let keys: HashSet<String> = names.iter().map(|n| crate::text::fold_key(n)).collect();
        for root in evidence_nodes(s, "authors") {
            for el in root.descendants().filter_map(ElementRef::wrap) {
                let t = cand::value_of(el, None);
                let stripped = by.replace(&t, "").to_string();
                if keys.contains(&crate::text::fold_key(&t)) {
                    cands.extend(cand::candidates(el).into_iter().map(Src::text));
                } else if names.len() == 1 && keys.contains(&crate::text::fold_key(&stripped)) {
                    needs_by = true;
                    cands.extend(cand::candidates(el).into_iter().map(Src::text));
                }
            }
        }
    }
    let cands: Vec<Src> = cands.into_iter().collect();
    let norm = |v: &[String]| -> BTreeSet<String> {
        v.iter()
            .map(|x| crate::text::fold_key(&by.replace(x, "")))
            .collect()
    };
    let scores = score(m, &cands, true, |k, v| {
        if expect[k].is_empty() {
            return None;
        }
        let hit = norm(v) == norm(&expect[k]);
        Some((hit, hit))
    });
    let srcs = choose(&cands, &scores, m.len(), 2);
    if srcs.is_empty() {
        return None;
    }
    Some(FieldPlan {
        name: "authors".into(),
        srcs,
        of: expect.iter().filter(|e| !e.is_empty()).count(),
        list: true,
        steps: match needs_by {
            true => vec![format!("{{ replace = '{BY}', with = \"\" }}")],
            false => Vec::new(),
        },
        ..FieldPlan::default()
    })
}

fn plan_section(m: &[&Seen]) -> Option<FieldPlan> {
    let expect: Vec<Vec<String>> = m.iter().map(|s| s.g.record.section.clone()).collect();
    let mut cands: BTreeSet<Src> = BTreeSet::new();
    for (s, items) in m.iter().zip(&expect) {
        if items.is_empty() {
            continue;
        }
        let keys: HashSet<String> = items.iter().map(|n| crate::text::fold_key(n)).collect();
        for root in evidence_nodes(s, "section") {
            for el in root.descendants().filter_map(ElementRef::wrap) {
                if keys.contains(&crate::text::fold_key(&cand::value_of(el, None))) {
                    cands.extend(cand::candidates(el).into_iter().map(Src::text));
                }
            }
        }
    }
    // each candidate with the ends it must drop (a "Home" first, the page's own title last)
    let base: Vec<Src> = cands.into_iter().collect();
    let mut best: Option<(FieldPlan, Score)> = None;
    for (df, dl) in [(0usize, 0usize), (1, 0), (0, 1), (1, 1)] {
        let scores = score(m, &base, true, |k, v| {
            if expect[k].is_empty() {
                return None;
            }
            if v.len() < df + dl {
                return Some((false, false));
            }
            let got: Vec<String> = v[df..v.len() - dl]
                .iter()
                .map(|x| crate::text::fold_key(x))
                .collect();
            let want: Vec<String> = expect[k].iter().map(|x| crate::text::fold_key(x)).collect();
            let hit = got == want;
            Some((hit, hit))
        });
        let srcs = choose(&base, &scores, m.len(), 2);
        let Some((first, _)) = srcs.first() else {
            continue;
        };
        let i = base.iter().position(|c| c == first).unwrap_or(0);
        let sc = scores[i].clone();
        let improves = best
            .as_ref()
            .is_none_or(|(_, b)| cand::better((&sc, ""), (b, "")) == std::cmp::Ordering::Less);
        if improves {
            let mut steps = Vec::new();
            if df > 0 {
                steps.push(format!("{{ drop_first = {df} }}"));
            }
            if dl > 0 {
                steps.push(format!("{{ drop_last = {dl} }}"));
            }
            best = Some((
                FieldPlan {
                    name: "section".into(),
                    srcs,
                    of: expect.iter().filter(|e| !e.is_empty()).count(),
                    list: true,
                    steps,
                    ..FieldPlan::default()
                },
                sc,
            ));
        }
    }
    best.map(|(f, _)| f)
}

/// A breadcrumb generic extraction did not take: one element named like a
/// breadcrumb ("pathway", "breadcrumb", "crumbs") whose text is items with a
/// separator, split; a first item the same on every page ("Home") and a last
/// one that is the page's title are dropped.
fn plan_pathway(m: &[&Seen]) -> Option<FieldPlan> {
    const SEPS: &[char] = &['»', '›', '>', '/', '|', '→', '·'];
    let mut votes: BTreeMap<(String, char), usize> = BTreeMap::new();
    for s in m {
        let mut here = BTreeSet::new();
        for el in s
            .doc()
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
        {
            let named_crumb = cand::named(el).iter().any(|n| {
                let l = n.to_ascii_lowercase();
                l.contains("pathway") || l.contains("breadcrumb") || l.contains("crumbs")
            });
            if !named_crumb {
                continue;
            }
            let t = cand::value_of(el, None);
            let Some(sep) = SEPS.iter().copied().find(|c| t.contains(*c)) else {
                continue;
            };
            if t.len() > 400 {
                continue;
            }
            for css in cand::named(el) {
                here.insert((css, sep));
            }
        }
        for k in here {
            *votes.entry(k).or_default() += 1;
        }
    }
    let ((css, sep), n) = votes.into_iter().max_by(|a, b| {
        a.1.cmp(&b.1)
            .then(b.0 .0.len().cmp(&a.0 .0.len()))
            .then(b.0.cmp(&a.0))
    })?;
    if n * 2 < m.len() {
        return None;
    }
    let sel = cand::parse(&css)?;
    let items: Vec<Vec<String>> = m
        .iter()
        .map(|s| {
            cand::first_value(s.doc(), &sel, None)
                .map(|(t, _)| {
                    t.split(sep)
                        .map(|x| x.trim().to_string())
                        .filter(|x| !x.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    let firsts: BTreeSet<&String> = items.iter().filter_map(|v| v.first()).collect();
    let drop_first = firsts.len() == 1 && m.len() >= 2
        || firsts.iter().all(|f| {
            matches!(
                f.to_ascii_lowercase().as_str(),
                "home" | "start" | "startseite" | "accueil" | "inicio"
            )
        });
    let title_last = m.iter().zip(&items).filter(|(s, v)| {
        v.last().is_some_and(|l| {
            let t = crate::text::fold_key(&s.g.record.title);
            let l = crate::text::fold_key(l.trim_end_matches(['.', '…']));
            !l.is_empty() && t.contains(&l)
        })
    });
    let drop_last = title_last.count() * 2 > m.len();
    let mut steps = vec![format!(
        "{{ split = {} }}",
        render::lit(&format!(r"\s*{}\s*", regex::escape(&sep.to_string())))
    )];
    if drop_first {
        steps.push("{ drop_first = 1 }".into());
    }
    if drop_last {
        steps.push("{ drop_last = 1 }".into());
    }
    let kept = items
        .iter()
        .filter(|v| v.len() > usize::from(drop_first) + usize::from(drop_last))
        .count();
    if kept * 2 < m.len() {
        return None;
    }
    Some(FieldPlan {
        name: "section".into(),
        srcs: vec![(Src::text(css), kept)],
        of: m.len(),
        list: true,
        steps,
        ..FieldPlan::default()
    })
}

fn plan_legacy_id(m: &[&Seen]) -> Option<(String, usize)> {
    let patterns = [
        r"/(?P<v>\d+)-[^/]+/?(?:[?#].*)?$".to_string(),
        r"/(?P<v>\d{2,})/?(?:[?#].*)?$".to_string(),
        r"-(?P<v>\d{2,})(?:\.html?)?/?(?:[?#].*)?$".to_string(),
        r"/(?P<v>\d{2,})\.html?(?:[?#].*)?$".to_string(),
    ];
    let mut cands: Vec<String> = patterns.to_vec();
    // query parameters carrying a number on every page
    let mut params: BTreeMap<String, usize> = BTreeMap::new();
    for s in m {
        for (k, v) in s.url.query_pairs() {
            if v.len() >= 2
                && v.chars().all(|c| c.is_ascii_digit())
                && k.len() <= 20
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                *params.entry(k.to_string()).or_default() += 1;
            }
        }
    }
    for (k, n) in params {
        if n == m.len()
            && k.to_ascii_lowercase().contains("id")
            && !k.eq_ignore_ascii_case("itemid")
        {
            cands.insert(0, format!(r"[?&]{k}=(?P<v>\d+)"));
        }
    }
    let mut best: Option<(String, usize)> = None;
    for c in cands {
        let re = regex::Regex::new(&c).expect("built");
        let n = m
            .iter()
            .filter(|s| {
                re.captures(s.url.as_str())
                    .is_some_and(|c| c.name("v").is_some_and(|v| !is_year(v.as_str())))
            })
            .count();
        if n * 5 >= m.len() * 4 && n > best.as_ref().map_or(0, |b| b.1) {
            best = Some((c, n));
        }
    }
    best
}

fn is_year(s: &str) -> bool {
    s.len() == 4 && (s.starts_with("19") || s.starts_with("20"))
}

/// Whether `inner` is `outer` or inside it.
fn within(doc: &Html, outer: NodeId, inner: NodeId) -> bool {
    inner == outer
        || doc
            .tree
            .get(inner)
            .is_some_and(|n| n.ancestors().any(|a| a.id() == outer))
}

/// Inside the container generic extraction chose, the element whose own
/// paragraphs hold most of its text (the text cell of a table layout), when
/// it holds at least 60% of the container's paragraph text; else the container.
fn paragraph_parent(doc: &Html, container: NodeId) -> NodeId {
    let Some(mut c) = cand::element(doc, container) else {
        return container;
    };
    let mut container = container;
    if c.value().name() == "p" {
        if let Some(parent) = c.parent().and_then(ElementRef::wrap) {
            c = parent;
            container = parent.id();
        }
    }
    let mut by_parent: BTreeMap<NodeId, usize> = BTreeMap::new();
    let mut total = 0;
    for p in c.descendants().filter_map(ElementRef::wrap) {
        if p.value().name() != "p" {
            continue;
        }
        let n = cand::value_of(p, None).len();
        total += n;
        if let Some(parent) = p.parent().and_then(ElementRef::wrap) {
            *by_parent.entry(parent.id()).or_default() += n;
        }
    }
    match by_parent
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
    {
        Some((id, n)) if id != container && n * 10 >= total * 6 && n > 0 => {
            // only a cell or a block of a table layout, not a paragraph wrapper inside the text
            match cand::element(doc, id).map(|e| e.value().name()) {
                Some("td") => id,
                _ => container,
            }
        }
        _ => container,
    }
}

/// A dateline at the start of the bodies ("Tehran, Iran, May 14 – "), with
/// the source line some pages put before it ("Iran Focus"): the pattern, when
/// it is on at least a third of the samples.
fn plan_dateline(m: &[Vec<String>]) -> Option<(String, usize)> {
    let mut firsts: BTreeMap<&str, usize> = BTreeMap::new();
    for ps in m {
        if let Some(f) = ps.first() {
            if f.chars().count() <= 40 && ps.len() > 1 {
                *firsts.entry(f.trim_end_matches([':', ' '])).or_default() += 1;
            }
        }
    }
    let source = firsts
        .into_iter()
        .filter(|(f, n)| *n >= 2 && !f.contains(['\\', '\'']))
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(f, _)| regex::escape(f));
    let source = match source {
        Some(s) => format!(r"(?:(?P<source>{s})\s*:?\s*)?"),
        None => String::new(),
    };
    let pattern = format!(
        r"^{source}(?P<place>\p{{Lu}}[^,\n:]{{1,40}}(?:,\s*\p{{Lu}}[^,\n:]{{1,30}})?),\s*(?P<date>\p{{Lu}}\p{{Ll}}{{2,8}}\.?\s+\d{{1,2}}|\d{{1,2}}\.?\s+\p{{Lu}}\p{{Ll}}{{2,8}}\.?)\s*[-–—]+\s*"
    );
    let re = regex::Regex::new(&pattern).ok()?;
    let n = m.iter().filter(|ps| re.is_match(&ps.join("\n"))).count();
    (n > 0 && n * 3 >= m.len()).then_some((pattern, n))
}

/// A list's heading selector, block, item, link and excerpt selectors.
type ListShape = (String, String, String, String, Option<String>);

/// A remove candidate: its selector, on how many samples, the pruned subtrees it covers.
type RemoveCandidate = (String, usize, Vec<(usize, NodeId)>);

/// A source before an excerpt ("AP: ..."), split off into its own field.
pub(crate) const SOURCE: &str = r"^(?P<source>[A-Z][A-Za-z]{1,11}):\s+";

/// Links that can be list items' titles: an `a[href]` with some words.
fn title_links<'a>(el: ElementRef<'a>) -> Vec<ElementRef<'a>> {
    el.descendants()
        .filter_map(ElementRef::wrap)
        .filter(|a| {
            a.value().name() == "a"
                && a.value()
                    .attr("href")
                    .is_some_and(|h| !h.starts_with('#') && !h.starts_with("javascript:"))
                && cand::value_of(*a, None).chars().count() >= 12
        })
        .collect()
}

fn first_named(el: ElementRef<'_>) -> Option<String> {
    let mut n = cand::named(el);
    n.retain(|x| !x.contains('#'));
    n.sort_by(|a, b| {
        cand::semantic(b)
            .cmp(&cand::semantic(a))
            .then(a.len().cmp(&b.len()))
            .then(a.cmp(b))
    });
    n.into_iter().next()
}

/// Sidebar lists: a heading (h2-h6, th, or a "title"/"heading" class) with
/// short text, outside the body, whose nearest named ancestor holds three or
/// more title links; kept when its heading is on half the samples or more.
fn plan_lists(m: &[&Seen], body: Option<&BodyPlan>) -> Vec<ListPlan> {
    let body_sel = body
        .and_then(|b| b.select.first())
        .and_then(|(c, _)| cand::parse(c));
    let mut found: BTreeMap<String, BTreeMap<ListShape, usize>> = BTreeMap::new();
    let mut headings: BTreeMap<String, String> = BTreeMap::new();
    let mut seen_on: BTreeMap<String, usize> = BTreeMap::new();
    let mut sources: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let re = regex::Regex::new(SOURCE).expect("static");
    for s in m {
        let body_el = body_sel.as_ref().and_then(|sel| s.doc().select(sel).next());
        let mut here: BTreeSet<String> = BTreeSet::new();
        for h in s
            .doc()
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
        {
            let tag = h.value().name();
            let classy = h.value().classes().any(|c| {
                let l = c.to_ascii_lowercase();
                (l.contains("title") || l.contains("heading")) && !l.contains("entry-title")
            });
            if !(matches!(tag, "h2" | "h3" | "h4" | "h5" | "h6" | "th") || classy && tag != "a") {
                continue;
            }
            let ad = |x: &str| {
                let l = x.to_ascii_lowercase();
                l.contains("advert") || l.contains("adspot") || l.contains("sponsor")
            };
            if h.value().classes().any(ad) {
                continue;
            }
            if body_el.is_some_and(|b| within(s.doc(), b.id(), h.id())) {
                continue;
            }
            let text = cand::value_of(h, None);
            let n = text.chars().count();
            if !(2..=40).contains(&n) || !title_links(h).is_empty() || ad(&text) {
                continue;
            }
            // the innermost element with the heading's text is the heading
            let heading_like = |c: ElementRef<'_>| {
                matches!(c.value().name(), "h2" | "h3" | "h4" | "h5" | "h6" | "th")
                    || c.value().classes().any(|x| {
                        let l = x.to_ascii_lowercase();
                        l.contains("title") || l.contains("heading")
                    })
            };
            if h.descendants()
                .skip(1)
                .filter_map(ElementRef::wrap)
                .any(|c| heading_like(c) && cand::value_of(c, None) == text)
            {
                continue;
            }
            let in_comments = h.ancestors().filter_map(ElementRef::wrap).any(|a| {
                a.value().classes().chain(a.value().id()).any(|x| {
                    let l = x.to_ascii_lowercase();
                    l.contains("comment") || l.contains("respond") || l.contains("reply")
                })
            });
            if in_comments {
                continue;
            }
            let key = crate::text::slugify(&text, 40).replace('-', "_");
            if key.is_empty() || here.contains(&key) {
                continue;
            }
            // the block: the nearest named ancestor with three title links outside the heading
            let Some(block) = h
                .ancestors()
                .filter_map(ElementRef::wrap)
                .take(4)
                .find(|a| {
                    first_named(*a).is_some()
                    && title_links(*a).len() >= 2
                    && body_el.is_none_or(|b| !within(s.doc(), a.id(), b.id()))
                    // one heading to a block: a wider element holds other lists
                    && !a.descendants().filter_map(ElementRef::wrap).any(|c| {
                        matches!(c.value().name(), "h2" | "h3" | "h4" | "h5" | "h6" | "th")
                            && !cand::value_of(c, None).is_empty()
                            && cand::value_of(c, None) != text
                            && title_links(c).is_empty()
                    })
                })
            else {
                continue;
            };
            let links = title_links(block);
            // the item: the highest element under the block around the first link holding one title link
            let Some(first) = links.first() else { continue };
            let mut item: Option<ElementRef<'_>> = None;
            for a in first.ancestors().filter_map(ElementRef::wrap) {
                if a.id() == block.id() {
                    break;
                }
                if title_links(a).len() == 1 {
                    item = Some(a);
                }
            }
            let Some(item) = item else { continue };
            let item_css = first_named(item).unwrap_or_else(|| item.value().name().to_string());
            let link_css = match first
                .parent()
                .and_then(ElementRef::wrap)
                .and_then(first_named)
            {
                Some(p) if p != item_css => format!("{p} a"),
                _ => "a".to_string(),
            };
            let excerpt = item
                .descendants()
                .filter_map(ElementRef::wrap)
                .filter(|e| e.value().classes().any(|c| c.contains("excerpt")))
                .find_map(first_named);
            if let Some(e) = excerpt.as_deref().and_then(cand::parse) {
                for x in block.select(&e) {
                    let t = cand::value_of(x, None);
                    let c = sources.entry(key.clone()).or_default();
                    c.0 += usize::from(re.is_match(&t));
                    c.1 += 1;
                }
            }
            let heading_selector = first_named(h).unwrap_or_else(|| tag.to_string());
            let Some(block_css) = first_named(block) else {
                continue;
            };
            here.insert(key.clone());
            headings.entry(key.clone()).or_insert(text);
            *found
                .entry(key.clone())
                .or_default()
                .entry((heading_selector, block_css, item_css, link_css, excerpt))
                .or_default() += 1;
            *seen_on.entry(key).or_default() += 1;
        }
    }
    let mut out = Vec::new();
    for (key, shapes) in found {
        let n = seen_on[&key];
        if n * 2 < m.len() {
            continue;
        }
        let Some(((hs, block, item, link, excerpt), _)) = shapes
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        else {
            continue;
        };
        let source = sources
            .get(&key)
            .is_some_and(|(a, b)| *a >= 2 && *a * 2 >= *b);
        out.push(ListPlan {
            source,
            heading: headings[&key].clone(),
            key,
            heading_selector: hs,
            block,
            item,
            link,
            excerpt,
            seen: n,
        });
    }
    out
}

/// The paragraphs of a sample's body: the `p` elements of the chosen
/// container, else generic extraction's.
fn body_paragraphs(s: &Seen, body: Option<&BodyPlan>) -> Vec<String> {
    let first = body
        .and_then(|b| b.select.first())
        .and_then(|(css, _)| cand::parse(css))
        .and_then(|sel| s.doc().select(&sel).next());
    match first {
        Some(c) => c
            .descendants()
            .filter_map(ElementRef::wrap)
            .filter(|e| e.value().name() == "p")
            .map(|e| cand::value_of(e, None))
            .filter(|t| !t.is_empty())
            .collect(),
        None => s.g.record.body.paragraphs.clone(),
    }
}

fn plan_body(m: &[&Seen], field_srcs: &[Src]) -> Option<BodyPlan> {
    let target: Vec<Option<NodeId>> = m
        .iter()
        .map(|s| {
            s.g.evidence
                .fields
                .get("body")
                .and_then(|f| f.nodes.first().copied())
                .map(|c| paragraph_parent(s.doc(), c))
        })
        .collect();
    let mut cands: BTreeSet<Src> = BTreeSet::new();
    for (s, t) in m.iter().zip(&target) {
        if let Some(el) = t.and_then(|t| cand::element(s.doc(), t)) {
            cands.extend(cand::candidates(el).into_iter().map(Src::text));
        }
    }
    let cands: Vec<Src> = cands.into_iter().collect();
    // a container candidate is voted for where its first match is the container
    let scores: Vec<Score> = cands
        .iter()
        .map(|c| {
            let mut sc = Score {
                hit: vec![false; m.len()],
                any: vec![false; m.len()],
                ..Score::default()
            };
            let Some(sel) = cand::parse(&c.css) else {
                return sc;
            };
            for (k, s) in m.iter().enumerate() {
                let Some(first) = s.doc().select(&sel).next() else {
                    continue;
                };
                sc.any[k] = true;
                match target[k] {
                    Some(t) if t == first.id() => {
                        sc.hits += 1;
                        sc.exact += 1;
                        sc.hit[k] = true;
                    }
                    Some(_) => sc.wrong += 1,
                    None => {}
                }
            }
            sc
        })
        .collect();
    let select: Vec<(String, usize)> = choose(&cands, &scores, m.len(), 3)
        .into_iter()
        .map(|(s, n)| (s.css, n))
        .collect();
    if select.is_empty() {
        return None;
    }
    let remove = plan_remove(m, &target, field_srcs);
    Some(BodyPlan {
        select,
        of: target.iter().filter(|t| t.is_some()).count(),
        figure: plan_figure(m),
        remove,
    })
}

/// The featured image generic extraction put at the head of the body (a
/// figure between the title and the text), when most samples have one: a
/// selector of the figure or of its named wrapper.
fn plan_figure(m: &[&Seen]) -> Option<(String, usize)> {
    let target: Vec<Option<NodeId>> = m
        .iter()
        .map(|s| {
            s.g.evidence
                .fields
                .get("images")
                .and_then(|f| f.nodes.first().copied())
        })
        .collect();
    let have = target.iter().filter(|t| t.is_some()).count();
    if have == 0 || have * 2 < m.len() {
        return None;
    }
    let mut cands: BTreeSet<Src> = BTreeSet::new();
    for (s, t) in m.iter().zip(&target) {
        let Some(el) = t.and_then(|t| cand::element(s.doc(), t)) else {
            continue;
        };
        cands.extend(cand::candidates(el).into_iter().map(Src::text));
        if let Some(p) = el.parent().and_then(ElementRef::wrap) {
            if cand::named(p)
                .iter()
                .any(|n| n.contains("featured") || n.contains("image"))
            {
                cands.extend(cand::named(p).into_iter().map(Src::text));
            }
        }
    }
    let cands: Vec<Src> = cands.into_iter().collect();
    let mut best: Option<(String, usize)> = None;
    for c in &cands {
        let Some(sel) = cand::parse(&c.css) else {
            continue;
        };
        let mut hits = 0;
        let mut wrong = false;
        for (s, t) in m.iter().zip(&target) {
            match (s.doc().select(&sel).next(), t) {
                (Some(e), Some(t)) if e.id() == *t || within(s.doc(), e.id(), *t) => {
                    // the wrapper holds only this figure
                    if e.select(&cand::parse("figure, img")?).count() <= 2 {
                        hits += 1;
                    } else {
                        wrong = true;
                    }
                }
                (Some(_), _) => wrong = true,
                (None, _) => {}
            }
        }
        let better = best.as_ref().is_none_or(|(b, n)| {
            hits > *n
                || hits == *n
                    && (cand::semantic(&c.css), std::cmp::Reverse(c.css.len()))
                        > (cand::semantic(b), std::cmp::Reverse(b.len()))
        });
        if !wrong && hits > 0 && better {
            best = Some((c.css.clone(), hits));
        }
    }
    best.filter(|(_, n)| n * 2 >= m.len())
}

/// `remove` selectors: what generic extraction left out inside the
/// container, the fields' own elements inside it, and (with three samples
/// or more) the container's blocks whose text is the same on every page.
fn plan_remove(
    m: &[&Seen],
    target: &[Option<NodeId>],
    field_srcs: &[Src],
) -> Vec<(String, usize, &'static str)> {
    // the pruned subtrees, per sample
    let pruned: Vec<Vec<NodeId>> = m
        .iter()
        .zip(target)
        .map(|(s, t)| match t {
            Some(t) => {
                s.g.evidence
                    .pruned
                    .iter()
                    .map(|p| p.node)
                    .filter(|&p| within(s.doc(), *t, p) && p != *t)
                    .collect()
            }
            None => Vec::new(),
        })
        .collect();
    let mut cands: BTreeSet<String> = BTreeSet::new();
    for (s, ps) in m.iter().zip(&pruned) {
        for &p in ps {
            if let Some(el) = cand::element(s.doc(), p) {
                let v = el.value();
                if let Some(id) = v
                    .id()
                    .filter(|i| crate::extract::generic::css::is_stable_name(i))
                {
                    cands.insert(format!("#{id}"));
                }
                for c in v
                    .classes()
                    .filter(|c| crate::extract::generic::css::is_stable_name(c))
                {
                    cands.insert(format!(".{c}"));
                }
                if matches!(
                    v.name(),
                    "table" | "form" | "aside" | "nav" | "ins" | "iframe"
                ) {
                    cands.insert(v.name().to_string());
                }
            }
        }
    }
    let mut good: Vec<RemoveCandidate> = Vec::new();
    for c in cands {
        let Some(sel) = cand::parse(&c) else { continue };
        let mut ok = 0;
        let mut bad = false;
        let mut covers = Vec::new();
        for (k, s) in m.iter().enumerate() {
            let Some(t) = target[k] else { continue };
            let mut here = false;
            for el in s.doc().select(&sel) {
                if el.id() == t || within(s.doc(), el.id(), t) {
                    // it would remove the container itself
                    bad = true;
                    break;
                }
                if !within(s.doc(), t, el.id()) {
                    continue;
                }
                match pruned[k].iter().find(|&&p| within(s.doc(), p, el.id())) {
                    Some(&p) => {
                        here = true;
                        if p == el.id() {
                            covers.push((k, p));
                        }
                    }
                    None => {
                        bad = true;
                        break;
                    }
                }
            }
            if bad {
                break;
            }
            ok += usize::from(here);
        }
        if !bad && !covers.is_empty() {
            good.push((c, ok, covers));
        }
    }
    // the fewest selectors that cover every pruned subtree
    good.sort_by(|a, b| {
        b.2.len()
            .cmp(&a.2.len())
            .then(boiler(&b.0).cmp(&boiler(&a.0)))
            .then(a.0.len().cmp(&b.0.len()))
            .then(a.0.cmp(&b.0))
    });
    let mut done: HashSet<(usize, NodeId)> = HashSet::new();
    let mut out = Vec::new();
    for (c, ok, covers) in good {
        if out.len() >= 12 {
            break;
        }
        if covers.iter().all(|x| done.contains(x)) {
            continue;
        }
        done.extend(covers);
        out.push((c, ok, "left out by generic extraction"));
    }
    // the fields' elements inside the container
    for src in field_srcs.iter().filter(|s| s.attr.is_none()) {
        let Some(sel) = cand::parse(&src.css) else {
            continue;
        };
        let mut n = 0;
        let mut too_much = false;
        for (s, t) in m.iter().zip(target) {
            let Some(t) = *t else { continue };
            let Some(c) = cand::element(s.doc(), t) else {
                continue;
            };
            let all = cand::value_of(c, None).len().max(1);
            let inside: Vec<ElementRef<'_>> = s
                .doc()
                .select(&sel)
                .filter(|el| el.id() != t && within(s.doc(), t, el.id()))
                .collect();
            let cut: usize = inside
                .iter()
                .map(|el| cand::value_of(*el, None).len())
                .sum();
            if cut * 4 > all {
                too_much = true;
            }
            n += usize::from(!inside.is_empty());
        }
        if n > 0 && !too_much && !out.iter().any(|(c, _, _)| *c == src.css) {
            out.push((src.css.clone(), n, "a field of its own"));
        }
    }
    // boilerplate: a named block in the container with the same text on every page
    if m.len() >= 3 && target.iter().all(Option::is_some) {
        let mut texts: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut seen_in: BTreeMap<String, usize> = BTreeMap::new();
        let mut first: BTreeMap<String, ElementRef<'_>> = BTreeMap::new();
        for (s, t) in m.iter().zip(target) {
            let Some(c) = t.and_then(|t| cand::element(s.doc(), t)) else {
                continue;
            };
            let mut here: BTreeSet<String> = BTreeSet::new();
            for child in c.children().filter_map(ElementRef::wrap) {
                let sig = cand::named(child).join(" ");
                if sig.is_empty() || !here.insert(sig.clone()) {
                    continue;
                }
                texts
                    .entry(sig.clone())
                    .or_default()
                    .insert(cand::value_of(child, None));
                *seen_in.entry(sig.clone()).or_default() += 1;
                first.entry(sig).or_insert(child);
            }
        }
        for (sig, t) in texts {
            let same = t.len() == 1 && t.iter().next().is_some_and(|x| !x.is_empty());
            if seen_in[&sig] != m.len() || !same {
                continue;
            }
            let el = first[&sig];
            let covered = out.iter().any(|(c, _, _)| {
                cand::parse(c).is_some_and(|sel| {
                    std::iter::once(el)
                        .chain(el.ancestors().filter_map(ElementRef::wrap))
                        .any(|x| sel.matches(&x))
                })
            });
            if covered {
                continue;
            }
            let mut names: Vec<String> = sig
                .split(' ')
                .filter_map(|n| n.split_once(['.', '#']).map(|(_, r)| (n, r)))
                .map(|(n, r)| match n.contains('#') {
                    true => format!("#{r}"),
                    false => format!(".{r}"),
                })
                .collect();
            names.sort_by(|a, b| {
                boiler(b)
                    .cmp(&boiler(a))
                    .then(a.len().cmp(&b.len()))
                    .then(a.cmp(b))
            });
            if let Some(c) = names.into_iter().next() {
                out.push((c, m.len(), "the same text on every page"));
            }
        }
    }
    out
}

/// Whether a class or id names boilerplate (share bars, ads, related posts, ...).
fn boiler(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    [
        "shar",
        "social",
        "ad",
        "rec",
        "related",
        "comment",
        "newsletter",
        "promo",
        "banner",
        "tags",
        "author",
        "meta",
        "nav",
        "button",
        "widget",
        "subscribe",
        "print",
    ]
    .iter()
    .any(|w| l.contains(w))
}

// ------------------------------------------------------------------ matching

/// Match rules for template `i`: a selector every one of its samples has
/// and no sample of another kind or template has (preferring the body
/// container's, then the title's), else one with an `absent` rule that
/// rules the others out.
fn plan_match(seen: &[Seen], plans: &[Plan], i: usize) -> MatchPlan {
    let me = &plans[i];
    let mine: HashSet<usize> = me.members.iter().copied().collect();
    let others: Vec<usize> = (0..seen.len()).filter(|k| !mine.contains(k)).collect();
    let common: BTreeSet<String> = me
        .members
        .iter()
        .map(|&k| seen[k].tokens.clone())
        .reduce(|a, b| a.intersection(&b).cloned().collect())
        .unwrap_or_default();
    let has = |k: usize, css: &str| -> bool {
        cand::parse(css).is_some_and(|sel| seen[k].doc().select(&sel).next().is_some())
    };
    let mut preferred: Vec<String> = Vec::new();
    if let Some(b) = &me.body {
        preferred.extend(b.select.iter().map(|(c, _)| c.clone()));
    }
    if let Some(t) = me.fields.iter().find(|f| f.name == "title") {
        preferred.extend(
            t.srcs
                .iter()
                .filter(|(s, _)| s.attr.is_none())
                .map(|(s, _)| s.css.clone()),
        );
    }
    let semantic = |t: &str| {
        [
            "content", "post", "article", "entry", "story", "single", "blog", "category",
            "archive", "listing",
        ]
        .iter()
        .any(|w| t.to_ascii_lowercase().contains(w))
    };
    let mut ranked: Vec<String> = common.iter().cloned().collect();
    ranked.sort_by(|a, b| {
        semantic(b)
            .cmp(&semantic(a))
            .then(a.len().cmp(&b.len()))
            .then(a.cmp(b))
    });
    let all_mine = |css: &str| me.members.iter().all(|&k| has(k, css));
    // a field's or the body's own selector first, alone, then with an absent rule
    for c in preferred.iter() {
        if all_mine(c) && !others.iter().any(|&k| has(k, c)) {
            return MatchPlan {
                present: vec![c.clone()],
                absent: Vec::new(),
                note: format!(
                    "on all {} of its samples, on none of the other {}",
                    me.members.len(),
                    others.len()
                ),
            };
        }
    }
    // present on mine, plus an absent that none of mine has and every other that has the present has
    let absent_pool: BTreeSet<String> = others
        .iter()
        .flat_map(|&k| seen[k].tokens.iter().cloned())
        .filter(|t| !me.members.iter().any(|&k| seen[k].tokens.contains(t)))
        .collect();
    let mut absent_ranked: Vec<String> = absent_pool.into_iter().collect();
    absent_ranked.sort_by(|a, b| {
        semantic(b)
            .cmp(&semantic(a))
            .then(a.len().cmp(&b.len()))
            .then(a.cmp(b))
    });
    let mut best: Option<(MatchPlan, usize)> = None;
    for c in preferred.iter().chain(ranked.iter()).take(40) {
        if !all_mine(c) {
            continue;
        }
        let confused: Vec<usize> = others.iter().copied().filter(|&k| has(k, c)).collect();
        let mut absent = Vec::new();
        let mut left = confused.clone();
        for a in &absent_ranked {
            if left.is_empty() || absent.len() >= 3 {
                break;
            }
            let hit: Vec<usize> = left.iter().copied().filter(|&k| has(k, a)).collect();
            if !hit.is_empty() {
                absent.push(a.clone());
                left.retain(|k| !hit.contains(k));
            }
        }
        if best.as_ref().is_none_or(|b| left.len() < b.1) {
            let note = match (left.len(), confused.len()) {
                (0, 0) => format!(
                    "on all {} of its samples, on none of the other {}",
                    me.members.len(),
                    others.len()
                ),
                (0, n) => format!(
                    "on all {} of its samples; the absent rule keeps out the {n} other pages that have it",
                    me.members.len()
                ),
                (n, _) => format!(
                    "on all {} of its samples, but also on {n} other samples (review!)",
                    me.members.len()
                ),
            };
            best = Some((
                MatchPlan {
                    present: vec![c.clone()],
                    absent,
                    note,
                },
                left.len(),
            ));
            if left.is_empty() {
                break;
            }
        }
    }
    best.map(|b| b.0).unwrap_or_else(|| MatchPlan {
        present: vec!["body".into()],
        absent: Vec::new(),
        note: "no selector tells its samples from the others (review!)".into(),
    })
}
