//! Candidate selectors for an element, and their evaluation on the samples
//! of a template: a candidate is voted for by each sample where it gives
//! the value generic extraction found there. Also the small tree helpers
//! the steps share (the element of a node, whether one is inside another,
//! the elements a field came from).

use std::collections::{BTreeSet, HashSet};

use ego_tree::NodeId;
use scraper::{ElementRef, Html, Selector};

use super::Seen;
use crate::extract::generic::css::is_stable_name;
use crate::extract::select::element_text;

/// Where a value is read: an element's text or one of its attributes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Src {
    /// The CSS selector.
    pub css: String,
    /// The attribute, when the value is one.
    pub attr: Option<String>,
}

impl Src {
    /// The text of `css`.
    pub fn text(css: impl Into<String>) -> Src {
        Src {
            css: css.into(),
            attr: None,
        }
    }
}

/// The simple selectors of one element: `tag#id`, `tag.class` (stable names only) and `tag`.
pub fn simples(el: ElementRef<'_>) -> Vec<String> {
    let v = el.value();
    let tag = v.name();
    let mut out = Vec::new();
    if let Some(id) = v.id().filter(|i| is_stable_name(i)) {
        out.push(format!("{tag}#{id}"));
    }
    let mut classes: Vec<&str> = v.classes().filter(|c| is_stable_name(c)).collect();
    classes.sort_unstable();
    classes.dedup();
    for c in classes.iter().take(6) {
        out.push(format!("{tag}.{c}"));
    }
    for a in ["itemprop", "role"] {
        if let Some(x) = v.attr(a).filter(|x| is_stable_name(x)) {
            out.push(format!("{tag}[{a}='{x}']"));
        }
    }
    if matches!(tag, "td" | "th") && v.attr("colspan").is_some() {
        out.push(format!("{tag}[colspan]"));
    }
    out.push(tag.to_string());
    out
}

/// Named simple selectors only (no bare tag).
pub fn named(el: ElementRef<'_>) -> Vec<String> {
    simples(el)
        .into_iter()
        .filter(|s| s.contains(['.', '#']))
        .collect()
}

/// Candidate selectors for `el`: its simple selectors alone, then under each
/// of its nearest named ancestors (up to six levels up), stopping at `body`.
pub fn candidates(el: ElementRef<'_>) -> BTreeSet<String> {
    let own = simples(el);
    let mut out: BTreeSet<String> = own.iter().cloned().collect();
    for a in el.ancestors().filter_map(ElementRef::wrap).take(6) {
        let name = a.value().name();
        if matches!(name, "body" | "html") {
            break;
        }
        for an in named(a).into_iter().take(3) {
            for o in own.iter().take(4) {
                out.insert(format!("{an} {o}"));
            }
        }
    }
    out
}

/// A selector, parsed once (None: it does not parse in scraper).
pub fn parse(css: &str) -> Option<Selector> {
    Selector::parse(css).ok()
}

/// The value of the first match of `src` in `doc` (empty values skipped).
pub fn first_value(doc: &Html, sel: &Selector, attr: Option<&str>) -> Option<(String, NodeId)> {
    for el in doc.select(sel) {
        let v = value_of(el, attr);
        if !v.is_empty() {
            return Some((v, el.id()));
        }
    }
    None
}

/// Every non-empty value of the matches of `src` in `doc`.
pub fn all_values(doc: &Html, sel: &Selector, attr: Option<&str>) -> Vec<String> {
    doc.select(sel)
        .map(|el| value_of(el, attr))
        .filter(|v| !v.is_empty())
        .collect()
}

/// The text (or an attribute, cleaned) of an element.
pub fn value_of(el: ElementRef<'_>, attr: Option<&str>) -> String {
    match attr {
        Some(a) => crate::text::clean(el.value().attr(a).unwrap_or("")),
        None => element_text(el, &HashSet::new()),
    }
}

/// The element of a node id.
pub fn element(doc: &Html, id: NodeId) -> Option<ElementRef<'_>> {
    doc.tree.get(id).and_then(ElementRef::wrap)
}

/// How a candidate did on the samples of a template.
#[derive(Debug, Clone, Default)]
pub struct Score {
    /// Samples where it gave the expected value.
    pub hits: usize,
    /// Of those, samples where the value is exactly the generic one.
    pub exact: usize,
    /// Samples where it gave another value.
    pub wrong: usize,
    /// Which samples it hit.
    pub hit: Vec<bool>,
    /// Which samples it gave anything on.
    pub any: Vec<bool>,
}

/// Order candidates: most hits, most exact, fewest wrong, named before bare
/// tags, shorter, then by text (deterministic).
pub fn better(a: (&Score, &str), b: (&Score, &str)) -> std::cmp::Ordering {
    let named = |s: &str| s.contains(['.', '#', '[']);
    b.0.hits
        .cmp(&a.0.hits)
        .then(b.0.exact.cmp(&a.0.exact))
        .then(a.0.wrong.cmp(&b.0.wrong))
        .then(named(b.1).cmp(&named(a.1)))
        .then(semantic(b.1).cmp(&semantic(a.1)))
        .then(a.1.len().cmp(&b.1.len()))
        .then(a.1.cmp(b.1))
}

/// Words of class names that say what an element is (a selector naming
/// them is what a person would write).
const MEANING: &[&str] = &[
    "content", "post", "article", "entry", "body", "text", "title", "headline", "heading",
    "publish", "date", "time", "author", "byline", "crumb", "story", "main",
];

/// How many of [`MEANING`]'s words a selector names.
pub fn semantic(css: &str) -> usize {
    let l = css.to_ascii_lowercase();
    MEANING.iter().filter(|w| l.contains(*w)).count()
}

/// Pick a fallback chain: the best candidate, then those that give the
/// expected value where the ones before gave nothing (at most `max`).
/// `scores` are per candidate, in the same order as `names`.
pub fn chain(names: &[String], scores: &[Score], n: usize, max: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| better((&scores[a], &names[a]), (&scores[b], &names[b])));
    let mut out = Vec::new();
    let Some(&first) = order.first() else {
        return out;
    };
    if scores[first].hits == 0 || scores[first].wrong * 3 > scores[first].hits {
        return out;
    }
    out.push(first);
    let mut covered: Vec<bool> = scores[first].any.clone();
    while out.len() < max {
        // a fallback counts only where everything before gave nothing
        let gain = |i: usize| (0..n).filter(|&k| !covered[k] && scores[i].hit[k]).count();
        let harm = |i: usize| {
            (0..n)
                .filter(|&k| !covered[k] && scores[i].any[k] && !scores[i].hit[k])
                .count()
        };
        let next = order
            .iter()
            .copied()
            .filter(|i| !out.contains(i))
            .filter(|&i| gain(i) > 0 && harm(i) == 0)
            .max_by(|&a, &b| {
                gain(a)
                    .cmp(&gain(b))
                    .then_with(|| better((&scores[b], &names[b]), (&scores[a], &names[a])))
            });
        let Some(i) = next else { break };
        for (k, c) in covered.iter_mut().enumerate() {
            *c |= scores[i].any[k];
        }
        out.push(i);
    }
    out
}

/// The elements generic extraction took `field` from on a sample.
pub(super) fn evidence_nodes<'a>(s: &'a Seen, field: &str) -> Vec<ElementRef<'a>> {
    s.g.evidence
        .fields
        .get(field)
        .map(|f| {
            f.nodes
                .iter()
                .filter_map(|&n| element(s.doc(), n))
                .collect()
        })
        .unwrap_or_default()
}

/// Score every candidate on every member with `check(k, value)`: Some((hit,
/// exact)) for a value, None for nothing.
pub(super) fn score<F>(m: &[&Seen], cands: &[Src], list: bool, check: F) -> Vec<Score>
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
            let Some(sel) = parse(&c.css) else {
                return sc;
            };
            for (k, s) in m.iter().enumerate() {
                let vals = match list {
                    true => all_values(s.doc(), &sel, c.attr.as_deref()),
                    false => first_value(s.doc(), &sel, c.attr.as_deref())
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

/// The chosen chain of [`score`]d candidates (see [`chain`]), each with its
/// hits.
pub(super) fn choose(cands: &[Src], scores: &[Score], n: usize, max: usize) -> Vec<(Src, usize)> {
    let names: Vec<String> = cands
        .iter()
        .map(|c| format!("{}@{}", c.css, c.attr.as_deref().unwrap_or("")))
        .collect();
    chain(&names, scores, n, max)
        .into_iter()
        .map(|i| (cands[i].clone(), scores[i].hits))
        .collect()
}

/// Whether `inner` is `outer` or inside it.
pub(super) fn within(doc: &Html, outer: NodeId, inner: NodeId) -> bool {
    inner == outer
        || doc
            .tree
            .get(inner)
            .is_some_and(|n| n.ancestors().any(|a| a.id() == outer))
}
