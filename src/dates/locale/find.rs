//! A visible date in free text, in the page's language or in English, for
//! extraction without a profile's date formats (the generic extractor).
//!
//! [`find_date`] returns the first complete date of the text (or, when
//! there is none, the first date without a year) and the bytes it covers.
//! It recognises these shapes, with the locale's month and weekday names
//! and digits as well as English ones and ASCII digits:
//!
//! - `D Month YYYY`, `D. Month YYYY`, `D Month, YYYY`, `D de Month de YYYY`
//!   (also `del`, Vietnamese `năm`), English ordinals (`14th`) and `1er`;
//! - `Month D, YYYY` and `Month D YYYY`;
//! - `YYYY. Month D.` (Hungarian) and `YYYY m. Month D d.` (Lithuanian);
//! - any of them after a weekday (`Sunday, 14 May 2006`, `Montag, 25. Januar
//!   2022`, `mandag den 3. januar 2022`); the weekday is in the range when
//!   it agrees with the date, and left out when it does not;
//! - `YYYY年M月D日` and `YYYY년 M월 D일` (spaces optional);
//! - ISO `YYYY-MM-DD` (also at the start of a timestamp), `YYYY/MM/DD`,
//!   `YYYY.MM.DD` and `YYYY. MM. DD.`;
//! - numeric `DD.MM.YYYY`, `DD/MM/YYYY`, `DD-MM-YYYY` or `MM/DD/YYYY` in the
//!   locale's order (English without a locale: month first). A locale that
//!   writes the year first (`ja`, `hu`, `fa`, …) takes no numeric date with
//!   the year last: which of day and month comes first is not known.
//! - without a year, `D Month` and `Month D` (`21 Abr`, `May 14`), only when
//!   the text has no complete date.
//!
//! What it does not do:
//!
//! - Calendars other than the Gregorian: Solar Hijri dates of Persian
//!   sites (`۵ بهمن ۱۴۰۰`), Hijri dates, Hebrew calendar dates and Thai
//!   Buddhist-era years (`25 มกราคม 2565`) are not converted. Their month
//!   names are not in the tables, and any year outside 1600-2199 is refused,
//!   so such a date is not found rather than read as a wrong Gregorian one.
//! - Two-digit years (`25.01.22`), dates written in words, relative dates
//!   (`yesterday`, `vor 2 Tagen`), and times.
//! - Suffixes after the year (Russian `г.`, Polish `r.`) are not part of the range.

use std::ops::Range;

use super::{boundary, unspaced, DateOrder, Locale};
use crate::dates::{day_number, days_in_month, PartialDate, MONTHS as ENGLISH_MONTHS};

/// A date found in free text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundDate {
    /// The date (the year is None for `D Month` and `Month D`).
    pub date: PartialDate,
    /// The bytes of the text it was read from.
    pub range: Range<usize>,
}

/// Years taken: other calendars' years (13xx, 14xx, 25xx) fall outside.
const YEARS: std::ops::RangeInclusive<i32> = 1600..=2199;

/// The first complete date in `text` read with `locale` (and English), else
/// the first date without a year; None when there is neither.
pub fn find_date(text: &str, locale: Option<&Locale>) -> Option<FoundDate> {
    let offsets: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    let s: Vec<char> = text.chars().collect();
    let cx = Cx {
        s: &s,
        names: locale.filter(|l| !l.is_english()),
        digits: locale,
        order: locale.map(|l| l.order()).unwrap_or(DateOrder::Mdy),
    };
    let byte = |i: usize| offsets.get(i).copied().unwrap_or(text.len());
    let mut yearless = None;
    for i in 0..s.len() {
        if !cx.token_start(i) {
            continue;
        }
        let Some(m) = cx.at(i) else { continue };
        let found = FoundDate {
            date: m.date,
            range: byte(m.start)..byte(m.end),
        };
        if m.date.year.is_some() {
            return Some(found);
        }
        yearless.get_or_insert(found);
    }
    yearless
}

/// A date read at a position: char indices.
#[derive(Debug, Clone, Copy)]
struct Hit {
    date: PartialDate,
    start: usize,
    end: usize,
}

struct Cx<'a> {
    s: &'a [char],
    /// The locale whose name tables are tried (None for English ones).
    names: Option<&'a Locale>,
    digits: Option<&'a Locale>,
    order: DateOrder,
}

const ENGLISH_WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

impl Cx<'_> {
    fn get(&self, i: usize) -> Option<char> {
        self.s.get(i).copied()
    }

    fn token_start(&self, i: usize) -> bool {
        let c = self.s[i];
        if !c.is_alphanumeric() {
            return false;
        }
        match i.checked_sub(1).map(|p| self.s[p]) {
            None => true,
            Some(p) => !p.is_alphanumeric() || unspaced(p),
        }
    }

    fn digit(&self, c: char) -> Option<u32> {
        match self.digits {
            Some(l) => l.digit(c),
            None => c.to_digit(10).filter(|_| c.is_ascii_digit()),
        }
    }

    /// A number of `min..=max` digits at `i` not followed by another digit: (value, end).
    fn number(&self, i: usize, min: usize, max: usize) -> Option<(u32, usize)> {
        let mut j = i;
        let mut v = 0;
        while let Some(d) = self.get(j).and_then(|c| self.digit(c)) {
            if j - i == max {
                return None;
            }
            v = v * 10 + d;
            j += 1;
        }
        (j - i >= min).then_some((v, j))
    }

    fn spaces(&self, mut i: usize) -> usize {
        while self.get(i).is_some_and(is_gap) {
            i += 1;
        }
        i
    }

    /// `c` at `i`, and the index after it.
    fn lit(&self, i: usize, c: char) -> Option<usize> {
        (self.get(i) == Some(c)).then_some(i + 1)
    }

    /// A word (case-insensitive ASCII or exact) at `i` that ends there: the index after it.
    fn word(&self, i: usize, w: &str) -> Option<usize> {
        let mut j = i;
        for wc in w.chars() {
            let c = self.get(j)?;
            if c != wc && c.to_lowercase().next() != Some(wc) {
                return None;
            }
            j += 1;
        }
        boundary(self.s, j).then_some(j)
    }

    fn month(&self, i: usize) -> Option<(u8, usize)> {
        if let Some(m) = self.names.and_then(|l| l.month_at(self.s, i, None)) {
            return Some(m);
        }
        let (m, mut end) = english_at(self.s, i, &ENGLISH_MONTHS)?;
        if self.get(end) == Some('.') {
            end += 1;
        }
        Some((m, end))
    }

    fn weekday(&self, i: usize) -> Option<(u8, usize)> {
        if let Some(w) = self.names.and_then(|l| l.weekday_at(self.s, i, None)) {
            return Some(w);
        }
        let (w, mut end) = english_at(self.s, i, &ENGLISH_WEEKDAYS)?;
        if self.get(end) == Some('.') {
            end += 1;
        }
        Some((w, end))
    }

    fn at(&self, i: usize) -> Option<Hit> {
        if self.digit(self.s[i]).is_some() {
            return self.digit_first(i);
        }
        if let Some((wd, e)) = self.weekday(i) {
            let mut j = self.spaces(e);
            if let Some(k) = self.lit(j, ',').or_else(|| self.lit(j, '،')) {
                j = self.spaces(k);
            }
            for w in ["den", "ที่"] {
                if let Some(k) = self.word(j, w) {
                    j = self.spaces(k);
                }
            }
            let after = if self.get(j).and_then(|c| self.digit(c)).is_some() {
                self.digit_first(j)
            } else {
                self.month_first(j)
            };
            if let Some(h) = after {
                let agrees = match h.date.year {
                    Some(y) => weekday_of(y, h.date.month, h.date.day) == wd,
                    None => true,
                };
                return Some(if agrees { Hit { start: i, ..h } } else { h });
            }
        }
        self.month_first(i)
    }

    /// `Month D, YYYY`, `Month D YYYY`, `Month D`.
    fn month_first(&self, i: usize) -> Option<Hit> {
        let (month, e) = self.month(i)?;
        let j = self.spaces(e);
        let (day, e) = self.number(j, 1, 2)?;
        let e = self.ordinal(e, day);
        if !boundary(self.s, e) {
            return None;
        }
        let mut k = self.spaces(e);
        if let Some(c) = self.lit(k, ',') {
            k = self.spaces(c);
        }
        if let Some((year, ye)) = self.year(k) {
            return self.hit(i, ye, Some(year), month, day as u8);
        }
        self.hit(i, e, None, month, day as u8)
    }

    fn digit_first(&self, i: usize) -> Option<Hit> {
        if let Some(h) = self.year_first(i) {
            return Some(h);
        }
        let (n, e) = self.number(i, 1, 2)?;
        self.day_month(i, n, e).or_else(|| self.numeric(i, n, e))
    }

    /// A 4-digit year at `i` (not followed by a digit or a letter of a word).
    fn year(&self, i: usize) -> Option<(i32, usize)> {
        let (y, e) = self.number(i, 4, 4)?;
        boundary(self.s, e).then_some((y as i32, e))
    }

    /// `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY.MM.DD`, `YYYY. MM. DD.`, CJK, `YYYY. Month D.`.
    fn year_first(&self, i: usize) -> Option<Hit> {
        let (y, e) = self.number(i, 4, 4)?;
        let year = Some(y as i32);
        // numeric, one separator throughout
        if let Some(sep) = self.get(e).filter(|c| matches!(c, '-' | '/' | '.')) {
            let gap = |j: usize| if sep == '.' { self.spaces(j) } else { j };
            if let Some((m, me)) = self.number(gap(e + 1), 1, 2) {
                if self.get(me) == Some(sep) {
                    if let Some((d, de)) = self.number(gap(me + 1), 1, 2) {
                        let iso_time = sep == '-' && matches!(self.get(de), Some('T' | 't'));
                        if iso_time || boundary(self.s, de) {
                            return self.hit(i, de, year, m as u8, d as u8);
                        }
                    }
                }
            }
        }
        // 2022年1月5日, 2022년 1월 5일
        for (ym, mm, dm) in [('年', '月', '日'), ('년', '월', '일')] {
            let j = self.spaces(e);
            if let Some(j) = self.lit(j, ym) {
                let j = self.spaces(j);
                if let Some((m, me)) = self.number(j, 1, 2) {
                    if let Some(k) = self.lit(self.spaces(me), mm) {
                        let k = self.spaces(k);
                        if let Some((d, de)) = self.number(k, 1, 2) {
                            if let Some(end) = self.lit(self.spaces(de), dm) {
                                return self.hit(i, end, year, m as u8, d as u8);
                            }
                        }
                    }
                }
            }
        }
        // 2022. január 25., 2022 m. sausio 25 d.
        let mut j = e;
        if let Some(k) = self.lit(j, '.') {
            j = k;
        }
        j = self.spaces(j);
        if let Some(k) = self.word(j, "m.") {
            j = self.spaces(k);
        }
        if j > e {
            if let Some((m, me)) = self.month(j) {
                let (d, de) = self.number(self.spaces(me), 1, 2)?;
                if boundary(self.s, de) {
                    return self.hit(i, de, year, m, d as u8);
                }
            }
        }
        None
    }

    /// `D Month YYYY` and its spellings, or `D Month`; `n` is the day read up to `e`.
    fn day_month(&self, i: usize, day: u32, e: usize) -> Option<Hit> {
        let mut j = e;
        if let Some(k) = self.lit(j, '.') {
            j = k;
        } else {
            j = self.ordinal(j, day);
        }
        if !boundary(self.s, j) {
            return None;
        }
        j = self.spaces(j);
        if let Some(k) = self.word(j, "de") {
            if self.get(k).is_some_and(is_gap) {
                j = self.spaces(k);
            }
        }
        let (month, me) = self.month(j)?;
        let mut k = self.spaces(me);
        if let Some(c) = self.lit(k, ',').or_else(|| self.lit(k, '،')) {
            k = self.spaces(c);
        }
        for w in ["del", "de", "năm"] {
            if let Some(c) = self.word(k, w) {
                k = self.spaces(c);
                break;
            }
        }
        if let Some((year, ye)) = self.year(k) {
            return self.hit(i, ye, Some(year), month, day as u8);
        }
        self.hit(i, me, None, month, day as u8)
    }

    /// `DD.MM.YYYY`, `DD/MM/YYYY`, `DD-MM-YYYY`, `MM/DD/YYYY` by the locale's order.
    fn numeric(&self, i: usize, first: u32, e: usize) -> Option<Hit> {
        let sep = self.get(e).filter(|c| matches!(c, '.' | '/' | '-'))?;
        let gap = |j: usize| if sep == '.' { self.spaces(j) } else { j };
        let (second, se) = self.number(gap(e + 1), 1, 2)?;
        if self.get(se) != Some(sep) {
            return None;
        }
        let (year, ye) = self.year(gap(se + 1))?;
        let (day, month) = match self.order {
            DateOrder::Dmy => (first, second),
            DateOrder::Mdy => (second, first),
            DateOrder::Ymd => return None,
        };
        self.hit(i, ye, Some(year), month as u8, day as u8)
    }

    /// After a day: `st`, `nd`, `rd`, `th`, `er` (French `1er`), `º`.
    fn ordinal(&self, e: usize, day: u32) -> usize {
        for suffix in ["st", "nd", "rd", "th", "er", "º"] {
            if suffix == "er" && day != 1 {
                continue;
            }
            if let Some(k) = self.word(e, suffix) {
                return k;
            }
        }
        e
    }

    fn hit(&self, start: usize, end: usize, year: Option<i32>, month: u8, day: u8) -> Option<Hit> {
        if let Some(y) = year {
            if !YEARS.contains(&y) {
                return None;
            }
        }
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Hit {
            date: PartialDate { year, month, day },
            start,
            end,
        })
    }
}

/// Spaces between the parts of a date (also the bidirectional marks of
/// right-to-left text).
fn is_gap(c: char) -> bool {
    crate::text::is_space(c) || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// An English name by the rule of `date.rs`: a whole word of at least three
/// letters that starts the name (`Sept`, `Wed`, `Thurs`), without allocating.
fn english_at(s: &[char], i: usize, names: &[&str]) -> Option<(u8, usize)> {
    let mut j = i;
    while j < s.len() && s[j].is_alphabetic() {
        j += 1;
    }
    let word = &s[i..j];
    if word.len() < 3 {
        return None;
    }
    names
        .iter()
        .position(|n| {
            n.len() >= word.len()
                && n.bytes()
                    .zip(word)
                    .all(|(b, c)| c.is_ascii() && c.to_ascii_lowercase() == b as char)
        })
        .map(|p| (p as u8 + 1, j))
}

/// ISO weekday (1 Monday - 7 Sunday) of a date.
fn weekday_of(year: i32, month: u8, day: u8) -> u8 {
    // 1970-01-01 was a Thursday.
    ((day_number(year, month, day) + 3).rem_euclid(7) + 1) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'t>(tag: Option<&str>, text: &'t str) -> Option<(String, &'t str)> {
        let l = tag.map(|t| Locale::get(t).expect("known locale"));
        find_date(text, l).map(|f| {
            let d = f.date;
            let shown = match d.year {
                Some(y) => crate::dates::iso(y, d.month, d.day),
                None => format!("--{:02}-{:02}", d.month, d.day),
            };
            (shown, &text[f.range])
        })
    }

    #[test]
    fn the_weekday_is_in_the_range_when_it_agrees() {
        assert_eq!(
            find(None, "Posted on Sunday, 14 May 2006 by staff"),
            Some(("2006-05-14".into(), "Sunday, 14 May 2006"))
        );
        assert_eq!(
            find(None, "Monday, 14 May 2006"),
            Some(("2006-05-14".into(), "14 May 2006"))
        );
        assert_eq!(weekday_of(1970, 1, 1), 4);
        assert_eq!(weekday_of(2006, 5, 14), 7);
    }

    #[test]
    fn a_complete_date_wins_over_an_earlier_yearless_one() {
        assert_eq!(
            find(None, "On May 3 they met; published June 4, 2021."),
            Some(("2021-06-04".into(), "June 4, 2021"))
        );
        assert_eq!(
            find(None, "On May 3 they met."),
            Some(("--05-03".into(), "May 3"))
        );
    }

    #[test]
    fn numbers_that_are_not_dates_are_left() {
        assert_eq!(find(None, "version 1.2.3 costs 10/20 dollars"), None);
        assert_eq!(find(None, "call 123-45-6789"), None);
        assert_eq!(find(None, "31/02/2021"), None);
        assert_eq!(find(Some("fa"), "۱۴۰۰/۱۱/۰۵"), None);
        assert_eq!(find(None, "2022-01-32"), None);
        assert_eq!(find(None, "12022-01-05"), None);
    }

    #[test]
    fn iso_at_the_start_of_a_timestamp() {
        assert_eq!(
            find(None, "2022-01-05T10:00:00Z"),
            Some(("2022-01-05".into(), "2022-01-05"))
        );
    }
}
