//! The date a page was published: the candidates are meta tags, elements
//! with a `datetime`, and short texts one of the known date formats reads
//! as generic extraction's date (in the page's language); the profile
//! gets the formats its text sources need.

use std::collections::{BTreeMap, BTreeSet};

use scraper::ElementRef;

use super::cand::{self, choose, evidence_nodes, score, Src};
use super::fields::FieldPlan;
use super::Seen;
use crate::dates::{iso_prefix, DateFormat, PartialDate};

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

/// [`FORMATS`], parsed once.
fn formats() -> &'static [DateFormat] {
    static F: std::sync::LazyLock<Vec<DateFormat>> = std::sync::LazyLock::new(|| {
        FORMATS
            .iter()
            .filter_map(|f| DateFormat::parse(f).ok())
            .collect()
    });
    &F
}

/// The locale of a sample's `lang`, for month and day names.
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

/// A sample's date: the day generic extraction found, and its full text.
type Expected = Option<(PartialDate, String)>;

/// The date: meta tags, `datetime` attributes and date texts that give
/// generic extraction's date, with the formats the texts need.
pub(super) fn plan_published(m: &[&Seen]) -> Option<FieldPlan> {
    let expect: Vec<Expected> = m
        .iter()
        .map(|s| {
            let v = s.g.record.published.clone()?;
            Some((iso_prefix(&v)?, v))
        })
        .collect();
    let mut cands: BTreeSet<Src> = BTreeSet::new();
    for (s, e) in m.iter().zip(&expect) {
        let Some((date, _)) = e else { continue };
        meta_candidates(s, date, &mut cands);
        element_candidates(s, date, &mut cands);
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
    let date_formats = formats_used(m, &expect, &srcs);
    Some(FieldPlan {
        name: "published".into(),
        srcs,
        of: expect.iter().filter(|e| e.is_some()).count(),
        date_formats,
        ..FieldPlan::default()
    })
}

/// Meta tags (`property`, `name` or `itemprop`) whose content is `date`.
fn meta_candidates(s: &Seen, date: &PartialDate, cands: &mut BTreeSet<Src>) {
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
}

/// In the elements generic extraction took the date from: a `datetime`
/// that is `date`, or a short text that one of [`FORMATS`] reads as it.
fn element_candidates(s: &Seen, date: &PartialDate, cands: &mut BTreeSet<Src>) {
    let mut roots = evidence_nodes(s, "published");
    if roots.is_empty() {
        return;
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

/// The formats the chosen text sources need, most used first.
fn formats_used(m: &[&Seen], expect: &[Expected], srcs: &[(Src, usize)]) -> Vec<String> {
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
    used.into_iter()
        .map(|(f, _)| FORMATS[f].to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `format_of` gives an index into the parsed formats and the profile
    /// takes the text at that index of [`FORMATS`]: both must line up.
    #[test]
    fn every_date_format_parses() {
        for f in FORMATS {
            assert!(DateFormat::parse(f).is_ok(), "{f}");
        }
        assert_eq!(formats().len(), FORMATS.len());
    }
}
