//! The body's `remove` lists: what generic extraction left out inside the
//! container (the fewest selectors that cover every pruned subtree and
//! nothing it kept), the fields' own elements inside it, and, with three
//! samples or more, the container's named blocks whose text is the same on
//! every page.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use ego_tree::NodeId;
use scraper::ElementRef;

use super::cand::{self, within, Src};
use super::Seen;

/// A remove candidate: its selector, on how many samples, the pruned subtrees it covers.
type RemoveCandidate = (String, usize, Vec<(usize, NodeId)>);

/// A `remove` selector: the selector, on how many samples, why.
type Remove = (String, usize, &'static str);

/// `remove` selectors: what generic extraction left out inside the
/// container, the fields' own elements inside it, and (with three samples
/// or more) the container's blocks whose text is the same on every page.
pub(super) fn plan_remove(
    m: &[&Seen],
    target: &[Option<NodeId>],
    field_srcs: &[Src],
) -> Vec<Remove> {
    let pruned = pruned_inside(m, target);
    let mut good: Vec<RemoveCandidate> = Vec::new();
    for c in pruned_names(m, &pruned) {
        if let Some(g) = remove_candidate(c, m, target, &pruned) {
            good.push(g);
        }
    }
    let mut out = cover_pruned(good);
    field_removes(m, target, field_srcs, &mut out);
    if m.len() >= 3 && target.iter().all(Option::is_some) {
        boilerplate_removes(m, target, &mut out);
    }
    out
}

/// The subtrees generic extraction pruned inside the container, per sample.
fn pruned_inside(m: &[&Seen], target: &[Option<NodeId>]) -> Vec<Vec<NodeId>> {
    m.iter()
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
        .collect()
}

/// Candidate selectors of the pruned subtrees: their stable ids and
/// classes, and the tags of blocks that are rarely text.
fn pruned_names(m: &[&Seen], pruned: &[Vec<NodeId>]) -> BTreeSet<String> {
    let mut cands: BTreeSet<String> = BTreeSet::new();
    for (s, ps) in m.iter().zip(pruned) {
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
    cands
}

/// Candidate `c` tried on every sample: None when it would remove the
/// container or something inside it that generic extraction kept, or when
/// it covers no pruned subtree.
fn remove_candidate(
    c: String,
    m: &[&Seen],
    target: &[Option<NodeId>],
    pruned: &[Vec<NodeId>],
) -> Option<RemoveCandidate> {
    let sel = cand::parse(&c)?;
    let mut ok = 0;
    let mut covers = Vec::new();
    for (k, s) in m.iter().enumerate() {
        let Some(t) = target[k] else { continue };
        let mut here = false;
        for el in s.doc().select(&sel) {
            if el.id() == t || within(s.doc(), el.id(), t) {
                // it would remove the container itself
                return None;
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
                None => return None,
            }
        }
        ok += usize::from(here);
    }
    (!covers.is_empty()).then_some((c, ok, covers))
}

/// The fewest selectors that cover every pruned subtree (at most twelve):
/// those covering most first, boilerplate names, shorter.
fn cover_pruned(mut good: Vec<RemoveCandidate>) -> Vec<Remove> {
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
    out
}

/// The fields' text elements inside the container (when they are not a
/// quarter of its text or more).
fn field_removes(
    m: &[&Seen],
    target: &[Option<NodeId>],
    field_srcs: &[Src],
    out: &mut Vec<Remove>,
) {
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
}

/// Boilerplate: a named child of the container with the same text on every
/// page, unless a selector already in `out` removes it.
fn boilerplate_removes(m: &[&Seen], target: &[Option<NodeId>], out: &mut Vec<Remove>) {
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
        if let Some(c) = block_name(&sig) {
            out.push((c, m.len(), "the same text on every page"));
        }
    }
}

/// The selector for a block of names `sig` (`div.a div#b`): its boilerplate
/// name first, else the shortest.
fn block_name(sig: &str) -> Option<String> {
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
    names.into_iter().next()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_is_named_by_its_boilerplate_class_first() {
        assert_eq!(
            block_name("div.a div.share-links div#x").as_deref(),
            Some(".share-links")
        );
        assert_eq!(block_name("div.zz div#q").as_deref(), Some("#q"));
        assert_eq!(block_name("div").as_deref(), None);
    }
}
