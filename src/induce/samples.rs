//! The samples, analysed and grouped: generic extraction on each page,
//! the named simple selectors of its markup, its kind (article, listing or
//! neither, with the reason), and the samples of one kind grouped into
//! templates by the names their markup has in common; the site's locale
//! from the pages' `lang`.

use std::collections::{BTreeMap, BTreeSet};

use scraper::{ElementRef, Html};
use url::Url;

use super::{cand, Kind, Sample};
use crate::extract::generic::{self, GenericOutcome};
use crate::extract::Page;

/// One sample, analysed.
pub(super) struct Seen {
    pub(super) name: String,
    pub(super) url: Url,
    /// Generic extraction's record, evidence and parsed page.
    pub(super) g: GenericOutcome,
    /// Named simple selectors of every element (`div.x`, `td#y`).
    pub(super) tokens: BTreeSet<String>,
    pub(super) kind: Kind,
    /// Why it is not an article or a listing (for the report).
    pub(super) why: String,
    /// The `<html lang>`.
    pub(super) lang: Option<String>,
    /// The text of `<title>`.
    pub(super) title_tag: String,
}

impl Seen {
    /// The parsed page.
    pub(super) fn doc(&self) -> &Html {
        &self.g.doc
    }
}

/// Generic extraction on a sample, and what induction needs of its markup
/// (None: the page does not extract at all).
pub(super) fn analyse(s: &Sample) -> Option<Seen> {
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

/// Whether a sample is an article, a listing or neither, and why.
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
pub(super) fn cluster(seen: &[Seen], ids: &[usize]) -> Vec<Vec<usize>> {
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

/// The locale most samples' `lang` names (None: none names a known one).
pub(super) fn locale_of(seen: &[Seen]) -> Option<String> {
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
