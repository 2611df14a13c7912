//! Datelines: `Iran Focus: Tehran, Iran, May 14 –` and its spellings. The
//! parts come from the profile's patterns, the yearless date from its
//! formats, and the year from the published date or the URL, in the order
//! the profile gives; a dateline far from the published date is a warning.
//! Month names and digits are read in the page's locale (and English).

use serde::Serialize;
use url::Url;

use super::date::{day_number, iso, PartialDate};
use super::locale::Locale;
use super::text::clean;
use crate::profile::{DatelineSpec, YearSource};

/// A parsed dateline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Dateline {
    /// The dateline as written (without the trailing dash).
    pub raw: String,
    /// The news source (`Iran Focus`), when written.
    pub source: Option<String>,
    /// The place (`Tehran, Iran`).
    pub place: Option<String>,
    /// Month 1-12.
    pub month: u8,
    /// Day of month.
    pub day: u8,
    /// Year, when one could be found.
    pub year: Option<i32>,
    /// ISO date, when the year is known.
    pub date: Option<String>,
    /// Where the year came from (`published`, `url`).
    pub year_from: Option<String>,
}

/// A dateline found at the start of a text.
#[derive(Debug, Clone)]
pub struct Found {
    /// The parsed dateline.
    pub dateline: Dateline,
    /// Bytes of the text it covered (to strip from the body).
    pub len: usize,
    /// Which pattern matched.
    pub pattern: usize,
    /// A warning about the date, if any.
    pub warning: Option<String>,
}

/// Length of a dateline at the start of `text`, 0 when none (for teaser comparison).
pub fn prefix_len(spec: &DatelineSpec, text: &str, locale: Option<&Locale>) -> usize {
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
            month: pd.month,
            day: pd.day,
            year: pd.year,
            date: None,
            year_from: None,
        };
        let mut warning = None;
        if dl.year.is_some() {
            dl.year_from = Some("dateline".into());
        }
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
                            .filter(|y| dl.day <= super::date::days_in_month(Some(*y), dl.month))
                            .min_by_key(|y| (day_number(*y, dl.month, dl.day) - target).abs());
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
                        if dl.day <= super::date::days_in_month(Some(y), dl.month) {
                            dl.year = Some(y);
                            dl.year_from = Some(src.as_str().into());
                        }
                    }
                }
            }
        }
        if let Some(y) = dl.year {
            dl.date = Some(iso(y, dl.month, dl.day));
            if let Some(PartialDate {
                year: Some(py),
                month,
                day,
            }) = published
            {
                let apart = (day_number(y, dl.month, dl.day) - day_number(py, month, day)).abs();
                if apart > spec.max_days_apart as i64 {
                    warning = Some(format!(
                        "dateline date {} is {apart} days from the published date {} (more than {})",
                        iso(y, dl.month, dl.day),
                        iso(py, month, day),
                        spec.max_days_apart
                    ));
                }
            }
        } else {
            warning = Some(format!(
                "dateline `{}` has no year and none of the year sources gave one",
                dl.raw
            ));
        }
        return Some(Found {
            dateline: dl,
            len: m.end(),
            pattern: pi,
            warning,
        });
    }
    None
}
