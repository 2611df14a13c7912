//! The body: the container of an article's text (generic extraction's
//! container, or the table cell holding its paragraphs), the featured
//! figure generic extraction put before the text, and the paragraphs a
//! template's container gives (for the dateline). What to remove inside
//! the container is in `remove`.

use std::collections::{BTreeMap, BTreeSet};

use ego_tree::NodeId;
use scraper::{ElementRef, Html};

use super::cand::{self, choose, Score, Src};
use super::{remove, Seen};

/// The body of a template: its container, what to remove inside it, and
/// the featured figure before it.
#[derive(Debug, Clone, Default)]
pub(super) struct BodyPlan {
    /// The container's selector and fallbacks, each with its samples.
    pub(super) select: Vec<(String, usize)>,
    /// Of how many samples with a container.
    pub(super) of: usize,
    /// The featured image before the text (selector, samples): the first
    /// select is then both, with `all_matches`.
    pub(super) figure: Option<(String, usize)>,
    /// `remove` selectors: selector, samples, why.
    pub(super) remove: Vec<(String, usize, &'static str)>,
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

/// The paragraphs of a sample's body: the `p` elements of the chosen
/// container, else generic extraction's.
pub(super) fn body_paragraphs(s: &Seen, body: Option<&BodyPlan>) -> Vec<String> {
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

/// The body container: the candidate whose first match is generic
/// extraction's container (or its text cell) on most samples, with its
/// `remove` lists and the featured figure.
pub(super) fn plan_body(m: &[&Seen], field_srcs: &[Src]) -> Option<BodyPlan> {
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
    let remove = remove::plan_remove(m, &target, field_srcs);
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
                (Some(e), Some(t)) if e.id() == *t || cand::within(s.doc(), e.id(), *t) => {
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
