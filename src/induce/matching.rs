//! Match rules: for each template, a selector all of its samples have and
//! no other sample has (the body container's or the title's own first),
//! else one with up to three `absent` rules that keep the other pages out;
//! with a note for the profile saying how well it tells them apart.

use std::collections::{BTreeSet, HashSet};

use super::cand;
use super::{Plan, Seen};

/// The match rules of a template.
#[derive(Debug, Clone, Default)]
pub(super) struct MatchPlan {
    /// Selectors its pages have.
    pub(super) present: Vec<String>,
    /// Selectors its pages lack.
    pub(super) absent: Vec<String>,
    /// How well they tell its pages from the others (a comment).
    pub(super) note: String,
}

/// Match rules for template `i`: a selector every one of its samples has
/// and no sample of another kind or template has (preferring the body
/// container's, then the title's), else one with an `absent` rule that
/// rules the others out.
pub(super) fn plan_match(seen: &[Seen], plans: &[Plan], i: usize) -> MatchPlan {
    let sides = Sides::new(seen, &plans[i]);
    let me = sides.me;
    let preferred = preferred(me);
    // a field's or the body's own selector first, alone, then with an absent rule
    for c in preferred.iter() {
        if sides.all_mine(c) && !sides.others.iter().any(|&k| sides.has(k, c)) {
            return MatchPlan {
                present: vec![c.clone()],
                absent: Vec::new(),
                note: note(me.members.len(), sides.others.len(), 0, 0),
            };
        }
    }
    let common: BTreeSet<String> = me
        .members
        .iter()
        .map(|&k| seen[k].tokens.clone())
        .reduce(|a, b| a.intersection(&b).cloned().collect())
        .unwrap_or_default();
    let mut ranked: Vec<String> = common.iter().cloned().collect();
    by_meaning(&mut ranked);
    let absent_ranked = absent_pool(&sides);
    let mut best: Option<(MatchPlan, usize)> = None;
    for c in preferred.iter().chain(ranked.iter()).take(40) {
        if !sides.all_mine(c) {
            continue;
        }
        let confused: Vec<usize> = sides
            .others
            .iter()
            .copied()
            .filter(|&k| sides.has(k, c))
            .collect();
        let (absent, left) = absent_rules(&sides, &absent_ranked, &confused);
        if best.as_ref().is_none_or(|b| left.len() < b.1) {
            let note = note(
                me.members.len(),
                sides.others.len(),
                left.len(),
                confused.len(),
            );
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

/// A template's samples and the others.
struct Sides<'a> {
    seen: &'a [Seen],
    me: &'a Plan,
    /// The samples of other kinds and templates.
    others: Vec<usize>,
}

impl<'a> Sides<'a> {
    fn new(seen: &'a [Seen], me: &'a Plan) -> Sides<'a> {
        let mine: HashSet<usize> = me.members.iter().copied().collect();
        let others: Vec<usize> = (0..seen.len()).filter(|k| !mine.contains(k)).collect();
        Sides { seen, me, others }
    }

    /// Whether sample `k` has an element `css` matches.
    fn has(&self, k: usize, css: &str) -> bool {
        cand::parse(css).is_some_and(|sel| self.seen[k].doc().select(&sel).next().is_some())
    }

    /// Whether every sample of the template has one.
    fn all_mine(&self, css: &str) -> bool {
        self.me.members.iter().all(|&k| self.has(k, css))
    }
}

/// The selectors tried first: the body container's, then the title's text
/// sources.
fn preferred(me: &Plan) -> Vec<String> {
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
    preferred
}

/// Order selectors: those naming what a page is ("post", "article",
/// "category", ...) first, then shorter, then by text.
fn by_meaning(v: &mut [String]) {
    let semantic = |t: &str| {
        [
            "content", "post", "article", "entry", "story", "single", "blog", "category",
            "archive", "listing",
        ]
        .iter()
        .any(|w| t.to_ascii_lowercase().contains(w))
    };
    v.sort_by(|a, b| {
        semantic(b)
            .cmp(&semantic(a))
            .then(a.len().cmp(&b.len()))
            .then(a.cmp(b))
    });
}

/// Names that other samples have and none of the template's, ranked.
fn absent_pool(sides: &Sides<'_>) -> Vec<String> {
    let me = sides.me;
    let pool: BTreeSet<String> = sides
        .others
        .iter()
        .flat_map(|&k| sides.seen[k].tokens.iter().cloned())
        .filter(|t| !me.members.iter().any(|&k| sides.seen[k].tokens.contains(t)))
        .collect();
    let mut ranked: Vec<String> = pool.into_iter().collect();
    by_meaning(&mut ranked);
    ranked
}

/// Up to three absent rules, in rank order, each keeping out some of the
/// `confused` samples; with the confused samples none of them keeps out.
fn absent_rules(
    sides: &Sides<'_>,
    ranked: &[String],
    confused: &[usize],
) -> (Vec<String>, Vec<usize>) {
    let mut absent = Vec::new();
    let mut left = confused.to_vec();
    for a in ranked {
        if left.is_empty() || absent.len() >= 3 {
            break;
        }
        let hit: Vec<usize> = left.iter().copied().filter(|&k| sides.has(k, a)).collect();
        if !hit.is_empty() {
            absent.push(a.clone());
            left.retain(|k| !hit.contains(k));
        }
    }
    (absent, left)
}

/// The note of a match rule: on `mine` samples, `others` other samples,
/// `left` of which it does not keep out, of `confused` that have the
/// present selector.
fn note(mine: usize, others: usize, left: usize, confused: usize) -> String {
    match (left, confused) {
        (0, 0) => format!("on all {mine} of its samples, on none of the other {others}"),
        (0, n) => format!(
            "on all {mine} of its samples; the absent rule keeps out the {n} other pages that have it"
        ),
        (n, _) => format!("on all {mine} of its samples, but also on {n} other samples (review!)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_says_how_well_the_rule_tells_the_pages_apart() {
        assert_eq!(
            note(5, 7, 0, 0),
            "on all 5 of its samples, on none of the other 7"
        );
        assert_eq!(
            note(5, 7, 0, 2),
            "on all 5 of its samples; the absent rule keeps out the 2 other pages that have it"
        );
        assert_eq!(
            note(5, 7, 1, 2),
            "on all 5 of its samples, but also on 1 other samples (review!)"
        );
    }

    #[test]
    fn selectors_naming_what_a_page_is_rank_first() {
        let mut v: Vec<String> = ["div.x", "div.post-body", "div.aa", "article.entry"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        by_meaning(&mut v);
        assert_eq!(v, ["article.entry", "div.post-body", "div.x", "div.aa"]);
    }
}
