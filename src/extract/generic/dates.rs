//! The publication date: the date the page shows near the title (a
//! `<time datetime>`, an `itemprop=datePublished`, a byline's text) over
//! the metadata (JSON-LD `datePublished`, `article:published_time` and the
//! other meta conventions), over a date in the URL. A value is kept as
//! found when it is ISO 8601 (with its offset), else given as `YYYY-MM-DD`.
//!
//! Dates in running text are found by [`find_date`], the one seam to the
//! shared, locale-aware finder that is being added to
//! [`crate::dates`] (`find_date(text, locale)`): until it lands,
//! this one knows ISO dates, `dd.mm.yyyy`, unambiguous `dd/mm/yyyy` and
//! English month names (`May 4, 2022`, `4th May 2022`).

use super::content::Verdicts;
use super::dom::Dom;
use super::meta::Meta;
use crate::dates::locale::Locale;
use crate::dates::{days_in_month, iso, iso_prefix, month_from_name, PartialDate};
use crate::extract::select::element_text;

/// The date found and how.
#[derive(Debug, Clone)]
pub struct Found {
    /// ISO 8601 as found, or `YYYY-MM-DD`.
    pub value: String,
    /// The rule that chose it.
    pub rule: String,
    /// The element it came from, when it came from one.
    pub at: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(u32, usize),
    Word(String),
    Sep(char),
}

fn tokens(text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let (mut v, mut n) = (0u32, 0usize);
            while let Some(&d) = chars.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                v = v.saturating_mul(10).saturating_add(d as u32 - '0' as u32);
                n += 1;
                chars.next();
            }
            out.push(Tok::Num(v, n));
        } else if c.is_alphabetic() {
            let mut w = String::new();
            while let Some(&d) = chars.peek() {
                if !d.is_alphabetic() {
                    break;
                }
                w.extend(d.to_lowercase());
                chars.next();
            }
            out.push(Tok::Word(w));
        } else {
            if !c.is_whitespace() {
                out.push(Tok::Sep(c));
            }
            chars.next();
        }
        if out.len() > 400 {
            break;
        }
    }
    out
}

fn date(y: u32, m: u32, d: u32) -> Option<PartialDate> {
    let (y, m, d) = (y as i32, u8::try_from(m).ok()?, u8::try_from(d).ok()?);
    if !(1990..=2100).contains(&y)
        || !(1..=12).contains(&m)
        || d == 0
        || d > days_in_month(Some(y), m)
    {
        return None;
    }
    Some(PartialDate {
        year: Some(y),
        month: m,
        day: d,
    })
}

fn month(t: &Tok) -> Option<u8> {
    match t {
        Tok::Word(w) if w.len() >= 3 => month_from_name(w),
        _ => None,
    }
}

fn is_ordinal(t: Option<&Tok>) -> bool {
    matches!(t, Some(Tok::Word(w)) if matches!(w.as_str(), "st" | "nd" | "rd" | "th"))
}

/// The first full date in `text` (the seam to the shared date finder).
pub fn find_date(text: &str) -> Option<PartialDate> {
    let t = tokens(text);
    let num = |i: usize| match t.get(i) {
        Some(Tok::Num(v, n)) => Some((*v, *n)),
        _ => None,
    };
    let sep = |i: usize| match t.get(i) {
        Some(Tok::Sep(c)) => Some(*c),
        _ => None,
    };
    for i in 0..t.len() {
        // 2022-05-04, 2022/05/04, 2022.05.04
        if let (Some((y, 4)), Some(s1), Some((m, 1..=2)), Some(s2), Some((d, 1..=2))) =
            (num(i), sep(i + 1), num(i + 2), sep(i + 3), num(i + 4))
        {
            if s1 == s2 && matches!(s1, '-' | '/' | '.') {
                if let Some(p) = date(y, m, d) {
                    return Some(p);
                }
            }
        }
        // 04.05.2022, 4/5/2022 (only when the day is over 12)
        if let (Some((a, 1..=2)), Some(s1), Some((b, 1..=2)), Some(s2), Some((y, 4))) =
            (num(i), sep(i + 1), num(i + 2), sep(i + 3), num(i + 4))
        {
            if s1 == s2 {
                let p = match s1 {
                    '.' => date(y, b, a),
                    '/' | '-' if a > 12 => date(y, b, a),
                    '/' | '-' if b > 12 => date(y, a, b),
                    _ => None,
                };
                if p.is_some() {
                    return p;
                }
            }
        }
        // May 4, 2022 / May 4th 2022 / Sept. 4, 2022
        if let Some(m) = t.get(i).and_then(month) {
            let mut j = i + 1;
            if sep(j) == Some('.') {
                j += 1;
            }
            if let Some((d, 1..=2)) = num(j) {
                j += 1;
                if is_ordinal(t.get(j)) {
                    j += 1;
                }
                if sep(j) == Some(',') {
                    j += 1;
                }
                if let Some((y, 4)) = num(j) {
                    if let Some(p) = date(y, m as u32, d) {
                        return Some(p);
                    }
                }
            }
        }
        // 4 May 2022 / 4th of May, 2022 / 4. May 2022
        if let Some((d, 1..=2)) = num(i) {
            let mut j = i + 1;
            if is_ordinal(t.get(j)) || sep(j) == Some('.') {
                j += 1;
            }
            if matches!(t.get(j), Some(Tok::Word(w)) if w == "of") {
                j += 1;
            }
            if let Some(m) = t.get(j).and_then(month) {
                j += 1;
                if matches!(sep(j), Some('.' | ',')) {
                    j += 1;
                }
                if let Some((y, 4)) = num(j) {
                    if let Some(p) = date(y, m as u32, d) {
                        return Some(p);
                    }
                }
            }
        }
    }
    None
}

const META_KEYS: &[&str] = &[
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "date",
    "dc.date",
    "dc.date.issued",
    "dc.date.created",
    "dcterms.date",
    "dcterms.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "published_time",
    "og:published_time",
    "citation_publication_date",
    "citation_date",
];

fn url_date(url: &url::Url) -> Option<PartialDate> {
    let t = tokens(url.path());
    for w in t.windows(5) {
        if let [Tok::Num(y, 4), Tok::Sep('/' | '-'), Tok::Num(m, 1..=2), Tok::Sep('/' | '-'), Tok::Num(d, 1..=2)] =
            w
        {
            if let Some(p) = date(*y, *m, *d) {
                return Some(p);
            }
        }
    }
    None
}

/// Whether a timestamp is in UTC (`Z`, `+00:00`, `GMT`): its day may not be the page's.
fn is_utc(s: &str) -> bool {
    let t = s.trim();
    t.len() > 10
        && (t.ends_with('Z')
            || t.ends_with("+00:00")
            || t.ends_with("+0000")
            || t.ends_with("GMT")
            || t.ends_with("UTC"))
}

fn day_of(p: &PartialDate) -> String {
    iso(p.year.unwrap_or(0), p.month, p.day)
}

/// A metadata timestamp: where it was read, its text, its date.
type MetaDate = (String, String, PartialDate);

/// The metadata timestamps, in order of trust; a local time (or a plain
/// date) before a UTC one, since its day is the one the page shows.
fn meta_dates(meta: &Meta) -> Vec<MetaDate> {
    let mut metas: Vec<(String, String)> = Vec::new();
    if let Some(d) = meta.ld("datePublished") {
        metas.push(("JSON-LD datePublished".into(), d));
    }
    for k in META_KEYS {
        if let Some(d) = meta.tag(k) {
            metas.push((format!("meta {k}"), d.to_string()));
        }
    }
    let mut metas: Vec<MetaDate> = metas
        .into_iter()
        .filter_map(|(k, d)| {
            let p = iso_prefix(&d).or_else(|| find_date(&d))?;
            Some((k, d.trim().to_string(), p))
        })
        .collect();
    metas.sort_by_key(|m| is_utc(&m.1));
    metas
}

/// Whether class and id words say an element holds a date.
fn is_dateish(words: &[String]) -> bool {
    words.iter().any(|w| {
        matches!(
            w.as_str(),
            "date"
                | "time"
                | "published"
                | "pubdate"
                | "posted"
                | "byline"
                | "meta"
                | "dateline"
                | "timestamp"
                | "datum"
        )
    })
}

/// The date of a `<time>` (or `itemprop=datePublished`) element `i`: its
/// `datetime`, unless the page shows another (local) day of a UTC value.
fn time_element(dom: &Dom<'_>, i: u32, shown: impl Fn() -> Option<PartialDate>) -> Option<Found> {
    let e = dom.get(i);
    let el = e.el.value();
    let attr = el.attr("datetime").or_else(|| el.attr("content"));
    match attr.filter(|a| iso_prefix(a).is_some()) {
        Some(a) => match shown().filter(|t| is_utc(a) && Some(*t) != iso_prefix(a)) {
            // the page shows the local day of a UTC timestamp
            Some(t) => Some(Found {
                value: day_of(&t),
                rule: format!(
                    "{} text (the local date of its UTC datetime) near the title",
                    e.tag
                ),
                at: Some(i),
            }),
            None => Some(Found {
                value: a.trim().to_string(),
                rule: format!("{}[datetime] near the title", e.tag),
                at: Some(i),
            }),
        },
        None => shown().map(|p| Found {
            value: day_of(&p),
            rule: format!("{} text near the title", e.tag),
            at: Some(i),
        }),
    }
}

/// The date element `i` shows, with its rank (0: a time element, 1: a
/// block named as a date, 2: any short block), or None.
fn candidate(
    dom: &Dom<'_>,
    v: &Verdicts,
    i: u32,
    metas: &[MetaDate],
    locale: Option<&Locale>,
) -> Option<(u8, Found)> {
    let e = dom.get(i);
    if e.dead || v.strong[i as usize] {
        return None;
    }
    let el = e.el.value();
    let w = &v.words[i as usize];
    if w.iter()
        .any(|w| w.starts_with("modif") || w.starts_with("updat"))
        || el.attr("itemprop") == Some("dateModified")
    {
        return None;
    }
    let is_time = e.tag == "time" || el.attr("itemprop") == Some("datePublished");
    let dateish = is_dateish(w);
    let short_block = e.block == i && e.own > 0 && e.text <= 200;
    if !is_time && !dateish && !short_block {
        return None;
    }
    let shown = || {
        (e.text <= 200)
            .then(|| shown_date(&element_text(e.el, &Default::default()), locale))
            .flatten()
    };
    if is_time {
        return time_element(dom, i, shown).map(|f| (0, f));
    }
    let p = shown()?;
    // the same day in the metadata, with its time and offset
    let found = match metas.iter().find(|m| m.2 == p && m.1.len() > 10) {
        Some((k, raw, _)) => Found {
            value: raw.clone(),
            rule: format!("visible date near the title, with the time of {k}"),
            at: Some(i),
        },
        None => Found {
            value: day_of(&p),
            rule: "visible date near the title".into(),
            at: Some(i),
        },
    };
    Some((if dateish { 1 } else { 2 }, found))
}

/// The locale of the page's `<html lang>`, when it is one of the known
/// ones and not English (English names are [`find_date`]'s own).
fn page_locale(dom: &Dom<'_>) -> Option<&'static Locale> {
    let root = dom.nodes.first()?;
    let lang = root.el.value().attr("lang")?;
    Locale::get(lang).filter(|l| !l.is_english())
}

/// The full date a short visible text shows: [`find_date`], else the
/// names and digits of the page's language.
fn shown_date(text: &str, locale: Option<&Locale>) -> Option<PartialDate> {
    find_date(text).or_else(|| {
        let l = locale?;
        let f = crate::dates::locale::find_date(text, Some(l))?;
        f.date.year.is_some().then_some(f.date)
    })
}

/// Find the publication date: the visible date nearest the title (a time
/// element first), else the most trusted metadata, else the URL's date.
pub fn find(
    dom: &Dom<'_>,
    meta: &Meta,
    v: &Verdicts,
    near: (u32, u32),
    url: &url::Url,
) -> Option<Found> {
    let (lo, hi) = near;
    let metas = meta_dates(meta);
    let locale = page_locale(dom);
    let mut best: Option<(u8, Found)> = None;
    for i in lo..hi.min(dom.nodes.len() as u32) {
        if let Some((rank, f)) = candidate(dom, v, i, &metas, locale) {
            if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                best = Some((rank, f));
            }
            if rank == 0 {
                break;
            }
        }
    }
    if let Some((_, f)) = best {
        return Some(f);
    }
    if let Some((k, raw, p)) = metas.into_iter().next() {
        let value = if iso_prefix(&raw).is_some() {
            raw
        } else {
            day_of(&p)
        };
        return Some(Found {
            value,
            rule: k,
            at: None,
        });
    }
    if let Some(f) = opening_date(dom, v, hi, locale) {
        return Some(f);
    }
    url_date(url).map(|p| Found {
        value: day_of(&p),
        rule: "date in the URL".into(),
        at: None,
    })
}

/// A date that opens the first paragraph of the text (`at`, where the
/// window by the title ends), as press releases write it:
/// `01.02.2022 „Der Arbeitsmarkt ...`. Taken only when nothing else
/// gives a date.
fn opening_date(dom: &Dom<'_>, v: &Verdicts, at: u32, locale: Option<&Locale>) -> Option<Found> {
    let e = dom.nodes.get(at as usize)?;
    if e.dead || v.strong[at as usize] {
        return None;
    }
    let text = element_text(e.el, &Default::default());
    let head: String = text.chars().take(40).collect();
    let p = shown_date(&head, locale)?;
    Some(Found {
        value: day_of(&p),
        rule: "date opening the first paragraph".into(),
        at: Some(at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<String> {
        find_date(s).map(|p| day_of(&p))
    }

    #[test]
    fn finds_dates_in_text() {
        assert_eq!(
            d("Posted on May 4, 2022 by X").as_deref(),
            Some("2022-05-04")
        );
        assert_eq!(d("4th of May, 2022").as_deref(), Some("2022-05-04"));
        assert_eq!(d("Sept. 3, 2019").as_deref(), Some("2019-09-03"));
        assert_eq!(
            d("Wednesday 19 January 2020 12:00").as_deref(),
            Some("2020-01-19")
        );
        assert_eq!(d("am 19.10.2019 um 12:00").as_deref(), Some("2019-10-19"));
        assert_eq!(d("2019-10-19T10:00").as_deref(), Some("2019-10-19"));
        assert_eq!(d("10/25/2019").as_deref(), Some("2019-10-25"));
        // ambiguous day and month: no guess
        assert_eq!(d("04/05/2019"), None);
        assert_eq!(d("May the force be with you, 2019"), None);
    }
}
