//! The section: a list of links generic extraction took as the section
//! (with a "Home" first or the page's own title last dropped when the
//! samples need it), else a breadcrumb element whose text is split on its
//! separator.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use scraper::ElementRef;

use super::cand::{self, choose, evidence_nodes, score, Score, Src};
use super::fields::FieldPlan;
use super::{render, Seen};

/// The section from generic extraction's: the candidate, and the ends it
/// must drop, that gives it on most samples.
pub(super) fn plan_section(m: &[&Seen]) -> Option<FieldPlan> {
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
pub(super) fn plan_pathway(m: &[&Seen]) -> Option<FieldPlan> {
    let (css, sep) = crumb_element(m)?;
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
    let (drop_first, drop_last) = crumb_ends(m, &items);
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

/// The breadcrumb element's selector and separator: the (name, separator)
/// most samples have, on half of them or more.
fn crumb_element(m: &[&Seen]) -> Option<(String, char)> {
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
    let (best, n) = votes.into_iter().max_by(|a, b| {
        a.1.cmp(&b.1)
            .then(b.0 .0.len().cmp(&a.0 .0.len()))
            .then(b.0.cmp(&a.0))
    })?;
    if n * 2 < m.len() {
        return None;
    }
    Some(best)
}

/// Whether to drop the breadcrumbs' first item (the same on every page, or
/// "Home") and their last (the page's title, on most samples).
fn crumb_ends(m: &[&Seen], items: &[Vec<String>]) -> (bool, bool) {
    let firsts: BTreeSet<&String> = items.iter().filter_map(|v| v.first()).collect();
    let drop_first = firsts.len() == 1 && m.len() >= 2
        || firsts.iter().all(|f| {
            matches!(
                f.to_ascii_lowercase().as_str(),
                "home" | "start" | "startseite" | "accueil" | "inicio"
            )
        });
    let title_last = m.iter().zip(items).filter(|(s, v)| {
        v.last().is_some_and(|l| {
            let t = crate::text::fold_key(&s.g.record.title);
            let l = crate::text::fold_key(l.trim_end_matches(['.', '…']));
            !l.is_empty() && t.contains(&l)
        })
    });
    let drop_last = title_last.count() * 2 > m.len();
    (drop_first, drop_last)
}
