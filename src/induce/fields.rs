//! The fields read the same way on every site: the title (the element
//! holding generic extraction's title, or `<title>` without the site's
//! name, or an `og:title`), the authors (with a "By" cut off when the
//! element has one) and the featured image (`og:image`). The date is in
//! `published`, the section in `section`.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use scraper::{ElementRef, Html};

use super::cand::{self, choose, evidence_nodes, score, Src};
use super::Seen;

/// One field of a template, chosen.
#[derive(Debug, Clone, Default)]
pub(super) struct FieldPlan {
    /// The record field.
    pub(super) name: String,
    /// Its selector and fallbacks, each with the samples it is right on.
    pub(super) srcs: Vec<(Src, usize)>,
    /// Of how many samples that have the field.
    pub(super) of: usize,
    pub(super) list: bool,
    pub(super) required: bool,
    /// The formats the text sources' dates need (`published`).
    pub(super) date_formats: Vec<String>,
    /// Cleaning steps, as TOML inline tables.
    pub(super) steps: Vec<String>,
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

/// `t` without the site name's prefix and suffix.
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

/// The title: the element of generic extraction's title (or of `<title>`
/// without the site's name), or a meta title.
pub(super) fn plan_title(m: &[&Seen], emit: bool) -> Option<FieldPlan> {
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

/// A byline's leading word ("By", "von", "par", ...).
const BY: &str = r"^(?i)(by|written by|posted by|von|par|por|di|door|av|af)\s+";

/// The authors: elements whose text is an author's name, with a "By"
/// cut off when the text has one.
pub(super) fn plan_authors(m: &[&Seen]) -> Option<FieldPlan> {
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

/// The featured image: the first of `og:image` and `twitter:image` that a
/// sample has.
pub(super) fn plan_featured_image(m: &[&Seen]) -> Option<FieldPlan> {
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
            return Some(FieldPlan {
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
        }
    }
    None
}
