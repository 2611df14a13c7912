//! Datelines: `Iran Focus: Tehran, Iran, May 14 –` and its spellings. The
//! parts come from the profile's patterns, the yearless date from its
//! formats, and the year from the published date or the URL, in the order
//! the profile gives; a dateline far from the published date is a warning.
//! Month names and digits are read in the page's locale (and English).

use url::Url;

use crate::dates::locale::Locale;
use crate::dates::{day_number, iso, PartialDate};
use crate::profile::{DatelineSpec, YearSource};
use crate::text::clean;

pub use crate::record::Dateline;

/// A dateline found at the start of a text.
#[derive(Debug, Clone)]
pub struct Found {
    /// The parsed dateline.
    pub dateline: Dateline,
    /// Bytes of the text it covered (to strip from the body).
    pub len: usize,
    /// Which pattern matched.
    pub pattern: usize,
    /// It was one of the place patterns (a dateline with no date).
    pub place_only: bool,
    /// A warning about the date, if any.
    pub warning: Option<String>,
}

/// Length of a dateline at the start of `text`, 0 when none (for teaser comparison).
pub fn prefix_len(spec: &DatelineSpec, text: &str, locale: Option<&Locale>) -> usize {
    let dated = dated_prefix_len(spec, text, locale);
    if dated > 0 {
        return dated;
    }
    spec.place_patterns
        .iter()
        .find_map(|re| re.find(text).filter(|m| m.start() == 0).map(|m| m.end()))
        .unwrap_or(0)
}

fn dated_prefix_len(spec: &DatelineSpec, text: &str, locale: Option<&Locale>) -> usize {
    for re in &spec.patterns {
        if let Some(c) = re.captures(text) {
            let m = c.get(0).expect("group 0");
            if m.start() == 0 {
                if let Some(d) = c.name("date") {
                    if spec
                        .formats
                        .iter()
                        .any(|f| f.parse_date_in(d.as_str(), locale).is_some())
                    {
                        return m.end();
                    }
                }
            }
        }
    }
    0
}

/// Find and parse a dateline at the start of `text`, names and digits in `locale`.
pub fn find(
    spec: &DatelineSpec,
    text: &str,
    published: Option<PartialDate>,
    url: &Url,
    locale: Option<&Locale>,
) -> Option<Found> {
    for (pi, re) in spec.patterns.iter().enumerate() {
        let Some(c) = re.captures(text) else { continue };
        let m = c.get(0).expect("group 0");
        if m.start() != 0 {
            continue;
        }
        let Some(date_text) = c.name("date") else {
            continue;
        };
        let Some(pd) = spec
            .formats
            .iter()
            .find_map(|f| f.parse_date_in(date_text.as_str(), locale))
        else {
            continue;
        };
        let opt = |name: &str| {
            c.name(name)
                .map(|g| clean(g.as_str()))
                .filter(|s| !s.is_empty())
        };
        let raw = clean(m.as_str());
        let raw = raw
            .trim_end_matches(|ch: char| ch == '-' || ch == '–' || ch == '—' || ch.is_whitespace())
            .to_string();
        let mut dl = Dateline {
            raw,
            source: opt("source"),
            place: opt("place"),
            month: Some(pd.month),
            day: Some(pd.day),
            year: pd.year,
            date: None,
            year_from: None,
        };
        if dl.year.is_some() {
            dl.year_from = Some("dateline".into());
        }
        let (month, day) = (pd.month, pd.day);
        infer_year(spec, &mut dl, (month, day), published, url);
        let warning = year_warning(spec, &mut dl, (month, day), published);
        return Some(Found {
            dateline: dl,
            len: m.end(),
            pattern: pi,
            place_only: false,
            warning,
        });
    }
    find_place_only(spec, text)
}

/// A dateline with a place and no date (`ERDEN.`), by the place patterns.
fn find_place_only(spec: &DatelineSpec, text: &str) -> Option<Found> {
    spec.place_patterns.iter().enumerate().find_map(|(pi, re)| {
        let c = re.captures(text)?;
        let m = c.get(0).filter(|m| m.start() == 0)?;
        let opt = |name: &str| {
            c.name(name)
                .map(|g| clean(g.as_str()))
                .filter(|s| !s.is_empty())
        };
        let place = opt("place")?;
        let raw = clean(m.as_str())
            .trim_end_matches(|ch: char| ch == '-' || ch == '–' || ch == '—' || ch.is_whitespace())
            .to_string();
        Some(Found {
            dateline: Dateline {
                raw,
                source: opt("source"),
                place: Some(place),
                month: None,
                day: None,
                year: None,
                date: None,
                year_from: None,
            },
            len: m.end(),
            pattern: pi,
            place_only: true,
            warning: None,
        })
    })
}

/// Why [`find`] found no dateline in `text`, for `explain`: a pattern
/// whose date did not parse with any format, or one that matched later in
/// the text than its start, or none at all.
pub fn why_none(spec: &DatelineSpec, text: &str, locale: Option<&Locale>) -> String {
    let formats = || {
        spec.formats
            .iter()
            .map(|f| format!("`{}`", f.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (pi, re) in spec.patterns.iter().enumerate() {
        let Some(c) = re.captures(text) else { continue };
        let m = c.get(0).expect("group 0");
        if m.start() != 0 {
            return format!(
                "pattern {pi} matched `{}` at character {}, not at the start",
                clean(m.as_str()),
                text[..m.start()].chars().count()
            );
        }
        let Some(date) = c.name("date") else {
            return format!(
                "pattern {pi} matched `{}` but has no `date` group",
                clean(m.as_str())
            );
        };
        if spec
            .formats
            .iter()
            .all(|f| f.parse_date_in(date.as_str(), locale).is_none())
        {
            return format!(
                "pattern {pi} matched `{}` but its date `{}` does not parse with any of the date formats ({})",
                clean(m.as_str()),
                date.as_str(),
                formats()
            );
        }
    }
    "no pattern matched at the start".to_string()
}

/// The year of a dateline that gives none, from the year sources in order.
fn infer_year(
    spec: &DatelineSpec,
    dl: &mut Dateline,
    (month, day): (u8, u8),
    published: Option<PartialDate>,
    url: &Url,
) {
    for src in &spec.year_from {
        if dl.year.is_some() {
            break;
        }
        match src {
            YearSource::Published => {
                if let Some(p) = published {
                    let Some(py) = p.year else { continue };
                    // The year that puts the dateline closest to the published date
                    // (a 31 December dateline published on 2 January is from the year before).
                    let target = day_number(py, p.month, p.day);
                    let best = [py - 1, py, py + 1]
                        .into_iter()
                        .filter(|y| day <= crate::dates::days_in_month(Some(*y), month))
                        .min_by_key(|y| (day_number(*y, month, day) - target).abs());
                    if let Some(y) = best {
                        dl.year = Some(y);
                        dl.year_from = Some(src.as_str().into());
                    }
                }
            }
            YearSource::Url => {
                if let Some(y) = spec
                    .url_year
                    .as_ref()
                    .and_then(|re| re.captures(url.as_str()))
                    .and_then(|c| c.name("year")?.as_str().parse().ok())
                {
                    if day <= crate::dates::days_in_month(Some(y), month) {
                        dl.year = Some(y);
                        dl.year_from = Some(src.as_str().into());
                    }
                }
            }
        }
    }
}

/// With a year: the dateline's ISO date, and a warning when it is too far
/// from the published date. Without: a warning that no year was found.
fn year_warning(
    spec: &DatelineSpec,
    dl: &mut Dateline,
    (dm, dd): (u8, u8),
    published: Option<PartialDate>,
) -> Option<String> {
    let Some(y) = dl.year else {
        return Some(format!(
            "dateline `{}` has no year and none of the year sources gave one",
            dl.raw
        ));
    };
    dl.date = Some(iso(y, dm, dd));
    let Some(PartialDate {
        year: Some(py),
        month,
        day,
    }) = published
    else {
        return None;
    };
    let apart = (day_number(y, dm, dd) - day_number(py, month, day)).abs();
    (apart > spec.max_days_apart as i64).then(|| {
        format!(
            "dateline date {} is {apart} days from the published date {} (more than {})",
            iso(y, dm, dd),
            iso(py, month, day),
            spec.max_days_apart
        )
    })
}

#[cfg(test)]
mod tests {
    use regex::Regex;

    use super::*;
    use crate::dates::DateFormat;

    fn spec(pattern: &str, formats: &[&str], year_from: Vec<YearSource>) -> DatelineSpec {
        DatelineSpec {
            select: vec![],
            patterns: vec![Regex::new(pattern).unwrap()],
            place_patterns: vec![],
            formats: formats
                .iter()
                .map(|f| DateFormat::parse(f).unwrap())
                .collect(),
            year_from,
            url_year: Some(Regex::new(r"/(?P<year>\d{4})/").unwrap()),
            max_days_apart: 3,
            strip: true,
        }
    }

    const PLACE: &str = r"^(?P<place>.+?), (?P<date>\w+\.? \d+) [–-] ";

    fn published(y: i32, m: u8, d: u8) -> Option<PartialDate> {
        Some(PartialDate {
            year: Some(y),
            month: m,
            day: d,
        })
    }

    fn url() -> Url {
        Url::parse("https://example.org/news/2004/05/story.html").unwrap()
    }

    fn find_at(text: &str, pubd: Option<PartialDate>, from: Vec<YearSource>) -> Found {
        find(&spec(PLACE, &["%b %d"], from), text, pubd, &url(), None).expect("a dateline")
    }

    #[test]
    fn why_none_says_a_date_that_does_not_parse_apart_from_no_match() {
        let sp = spec(PLACE, &["%b %d"], vec![]);
        // the pattern matches, but `Smarch 3` is no month
        let text = "TEHRAN, Smarch 3 - Iran said on Monday";
        assert!(find(&sp, text, None, &url(), None).is_none());
        let why = why_none(&sp, text, None);
        assert!(
            why.contains("`TEHRAN, Smarch 3 -`") && why.contains("`Smarch 3` does not parse"),
            "{why}"
        );
        assert!(why.contains("`%b %d`"), "{why}");
        // a pattern without `^` that matches later in the text
        let later = spec(
            r"(?P<place>[A-Z]+), (?P<date>\w+ \d+) - ",
            &["%b %d"],
            vec![],
        );
        let why = why_none(&later, "Iran said: TEHRAN, May 3 - on", None);
        assert!(why.contains("at character 11, not at the start"), "{why}");
        // nothing like a dateline
        assert_eq!(
            why_none(&sp, "Iran said on Monday", None),
            "no pattern matched at the start"
        );
    }

    #[test]
    fn a_january_dateline_published_in_late_december_is_of_the_next_year() {
        let f = find_at(
            "London, Jan 2 – The talks",
            published(2006, 12, 30),
            vec![YearSource::Published],
        );
        assert_eq!(f.dateline.year, Some(2007));
        assert_eq!(f.dateline.date.as_deref(), Some("2007-01-02"));
        assert_eq!(f.dateline.year_from.as_deref(), Some("published"));
        assert_eq!(f.warning, None, "3 days apart is within max_days_apart");
    }

    #[test]
    fn a_december_dateline_published_in_early_january_is_of_the_year_before() {
        let f = find_at(
            "London, Dec 31 – The talks",
            published(2007, 1, 2),
            vec![YearSource::Published],
        );
        assert_eq!(f.dateline.date.as_deref(), Some("2006-12-31"));
        assert_eq!(f.warning, None);
    }

    #[test]
    fn a_dateline_near_the_published_date_is_of_its_year() {
        let f = find_at(
            "Tehran, Iran, May 14 – Text",
            published(2006, 5, 14),
            vec![YearSource::Published],
        );
        assert_eq!(f.dateline.date.as_deref(), Some("2006-05-14"));
        assert_eq!(f.dateline.place.as_deref(), Some("Tehran, Iran"));
        assert_eq!(f.dateline.raw, "Tehran, Iran, May 14");
        assert_eq!(f.len, "Tehran, Iran, May 14 – ".len());
        assert_eq!(f.pattern, 0);
    }

    #[test]
    fn a_dateline_far_from_the_published_date_is_a_warning() {
        let f = find_at(
            "London, May 14 – Text",
            published(2006, 5, 18),
            vec![YearSource::Published],
        );
        assert_eq!(f.dateline.date.as_deref(), Some("2006-05-14"));
        let w = f.warning.expect("4 days apart is more than 3");
        assert!(w.contains("4 days"), "{w}");
        let f = find_at(
            "London, May 14 – Text",
            published(2006, 5, 17),
            vec![YearSource::Published],
        );
        assert_eq!(f.warning, None, "3 days apart is not more than 3");
    }

    #[test]
    fn february_29_takes_the_leap_year_only() {
        // published 2005-01-01: 2004-02-29 exists, 2005 and 2006 have none
        let f = find_at(
            "London, Feb 29 – Text",
            published(2005, 1, 1),
            vec![YearSource::Published],
        );
        assert_eq!(f.dateline.date.as_deref(), Some("2004-02-29"));
    }

    #[test]
    fn the_year_sources_are_tried_in_order() {
        let f = find_at(
            "London, May 14 – Text",
            None,
            vec![YearSource::Published, YearSource::Url],
        );
        assert_eq!(f.dateline.date.as_deref(), Some("2004-05-14"));
        assert_eq!(f.dateline.year_from.as_deref(), Some("url"));
        let f = find_at(
            "London, May 14 – Text",
            published(2006, 5, 14),
            vec![YearSource::Url, YearSource::Published],
        );
        assert_eq!(f.dateline.year_from.as_deref(), Some("url"));
        assert!(f.warning.is_some(), "two years from the published date");
        let f = find_at("London, May 14 – Text", None, vec![]);
        assert_eq!(f.dateline.year, None);
        assert!(f.warning.unwrap().contains("has no year"));
    }

    #[test]
    fn prefix_len_is_the_dateline_or_nothing() {
        let s = spec(PLACE, &["%b %d"], vec![]);
        let text = "London, Jan 2 – The talks began";
        assert_eq!(prefix_len(&s, text, None), "London, Jan 2 – ".len());
        assert_eq!(prefix_len(&s, "The talks began in London", None), 0);
        // the pattern matches, the date does not parse
        assert_eq!(prefix_len(&s, "London, Foo 2 – The talks", None), 0);
        // a match not at the start does not count
        let loose = spec(r"(?P<date>\w+ \d+) – ", &["%b %d"], vec![]);
        assert_eq!(prefix_len(&loose, "Talks in London, Jan 2 – more", None), 0);
        assert_eq!(prefix_len(&loose, "Jan 2 – more", None), "Jan 2 – ".len());
        // the second pattern is tried when the first one fails
        let mut two = spec(r"^Nothing (?P<date>x)", &["%b %d"], vec![]);
        two.patterns.push(Regex::new(PLACE).unwrap());
        assert_eq!(prefix_len(&two, text, None), "London, Jan 2 – ".len());
        assert_eq!(find(&two, text, None, &url(), None).unwrap().pattern, 1);
    }

    #[test]
    fn datelines_in_the_page_locale() {
        let de = crate::dates::locale::Locale::get("de");
        let day_first = r"^(?P<place>[^,]+), (?P<date>\d+\. \w+\.?) [–-] ";
        let s = spec(day_first, &["%d. %b"], vec![YearSource::Published]);
        let text = "Berlin, 25. Dez. – Die Gespräche";
        assert_eq!(prefix_len(&s, text, None), 0, "no English month");
        assert_eq!(prefix_len(&s, text, de), "Berlin, 25. Dez. – ".len());
        let s = spec(
            r"^(?P<place>[^,]+), (?P<date>\d+\. \w+) [–-] ",
            &["%d. %B"],
            vec![YearSource::Published],
        );
        let f = find(
            &s,
            "Wien, 3. März – Text",
            published(2022, 3, 3),
            &url(),
            de,
        )
        .unwrap();
        assert_eq!(f.dateline.date.as_deref(), Some("2022-03-03"));
        assert!(find(
            &s,
            "Wien, 3. März – Text",
            published(2022, 3, 3),
            &url(),
            None
        )
        .is_none());
    }
}
