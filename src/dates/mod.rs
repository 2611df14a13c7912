//! Dates as legacy sites write them: a tiny, strict strptime for the formats
//! a profile names (`%B %d`, `%d %b`, `%A, %d %B %Y`), plus ISO 8601 prefixes.
//! Month and weekday names are English by default: case-insensitive, a
//! prefix of at least three letters (`Sept`, `May.` accepted). In a locale
//! ([`DateFormat::parse_date_in`]) the names and digits of that language
//! are tried first (see [`locale`]), then the English rules.

pub mod locale;

use locale::Locale;

/// A compiled date format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateFormat {
    items: Vec<Item>,
    source: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Day,
    MonthNum,
    MonthName,
    Weekday,
    Year4,
    Year2,
    Space,
    Lit(char),
}

/// A date with an optional year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartialDate {
    /// Year, when the text had one.
    pub year: Option<i32>,
    /// Month 1-12.
    pub month: u8,
    /// Day 1-31.
    pub day: u8,
}

/// The English month names, lowercase (also the locale finder's English rules).
pub(crate) const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

impl DateFormat {
    /// Compile a format; the error says which directive is wrong.
    pub fn parse(fmt: &str) -> Result<DateFormat, String> {
        let mut items = Vec::new();
        let mut chars = fmt.chars();
        let (mut has_day, mut has_month) = (false, false);
        while let Some(c) = chars.next() {
            if c == '%' {
                let item = match chars.next() {
                    Some('d') | Some('e') => {
                        has_day = true;
                        Item::Day
                    }
                    Some('m') => {
                        has_month = true;
                        Item::MonthNum
                    }
                    Some('B') | Some('b') | Some('h') => {
                        has_month = true;
                        Item::MonthName
                    }
                    Some('A') | Some('a') => Item::Weekday,
                    Some('Y') => Item::Year4,
                    Some('y') => Item::Year2,
                    Some('%') => Item::Lit('%'),
                    Some(o) => return Err(format!("unsupported directive `%{o}` in date format `{fmt}` (use %d %e %m %B %b %A %a %Y %y)")),
                    None => return Err(format!("date format `{fmt}` ends with a lone `%`")),
                };
                items.push(item);
            } else if c.is_whitespace() {
                if items.last() != Some(&Item::Space) {
                    items.push(Item::Space);
                }
            } else {
                items.push(Item::Lit(c));
            }
        }
        if !has_day || !has_month {
            return Err(format!(
                "date format `{fmt}` needs a day (%d) and a month (%m or %B)"
            ));
        }
        Ok(DateFormat {
            items,
            source: fmt.to_string(),
        })
    }

    /// Whether the format includes a year.
    pub fn has_year(&self) -> bool {
        self.items
            .iter()
            .any(|i| matches!(i, Item::Year4 | Item::Year2))
    }

    /// The format as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Parse `text` (whole, after trimming) with this format, English names.
    pub fn parse_date(&self, text: &str) -> Option<PartialDate> {
        self.parse_date_in(text, None)
    }

    /// Parse `text` (whole, after trimming) with this format in `locale`:
    /// `%B %b %A %a` match the locale's names (folded, longest first, a
    /// trailing abbreviation mark optional) and then the English rules;
    /// `%d %m %Y %y` take the locale's digits as well as ASCII ones. No
    /// locale, or an English one, is the English rules alone.
    pub fn parse_date_in(&self, text: &str, locale: Option<&Locale>) -> Option<PartialDate> {
        let names = locale.filter(|l| !l.is_english());
        let s: Vec<char> = text.trim().chars().collect();
        let mut i = 0;
        let (mut year, mut month, mut day) = (None, None, None);
        let number = |i: &mut usize, min, max| match locale {
            Some(l) => digits_in(&s, i, min, max, l),
            None => digits(&s, i, min, max),
        };
        for (n, item) in self.items.iter().enumerate() {
            // a literal the format writes after a name is not taken as its abbreviation mark
            let keep = match self.items.get(n + 1) {
                Some(Item::Lit(c)) => Some(*c),
                _ => None,
            };
            match item {
                Item::Space => {
                    while i < s.len() && crate::text::is_space(s[i]) {
                        i += 1;
                    }
                }
                Item::Lit(c) => {
                    // Optional spaces before punctuation, then the literal itself.
                    let mut j = i;
                    while j < s.len() && crate::text::is_space(s[j]) {
                        j += 1;
                    }
                    if j < s.len() && s[j] == *c {
                        i = j + 1;
                    } else {
                        return None;
                    }
                }
                Item::Day => day = Some(number(&mut i, 1, 2)? as u8),
                Item::MonthNum => month = Some(number(&mut i, 1, 2)? as u8),
                Item::Year4 => year = Some(number(&mut i, 4, 4)? as i32),
                Item::Year2 => {
                    let y = number(&mut i, 2, 2)? as i32;
                    year = Some(if y < 70 { 2000 + y } else { 1900 + y });
                }
                Item::MonthName => {
                    if let Some((m, end)) = names.and_then(|l| l.month_at(&s, i, keep)) {
                        month = Some(m);
                        i = end;
                        continue;
                    }
                    let word = alpha(&s, &mut i);
                    month = Some(month_from_name(&word)?);
                    if i < s.len() && s[i] == '.' {
                        i += 1;
                    }
                }
                Item::Weekday => {
                    if let Some((_, end)) = names.and_then(|l| l.weekday_at(&s, i, keep)) {
                        i = end;
                        continue;
                    }
                    let word = alpha(&s, &mut i);
                    if word.len() < 3 {
                        return None;
                    }
                }
            }
        }
        // Ordinal suffixes ("14th") are not supported on purpose: formats are exact.
        if i != s.len() {
            return None;
        }
        let (month, day) = (month?, day?);
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(PartialDate { year, month, day })
    }
}

fn digits(s: &[char], i: &mut usize, min: usize, max: usize) -> Option<u32> {
    let start = *i;
    let mut v: u32 = 0;
    while *i < s.len() && *i - start < max && s[*i].is_ascii_digit() {
        v = v * 10 + s[*i].to_digit(10)?;
        *i += 1;
    }
    (*i - start >= min).then_some(v)
}

/// [`digits`] with a locale's digits as well as ASCII ones.
fn digits_in(s: &[char], i: &mut usize, min: usize, max: usize, l: &Locale) -> Option<u32> {
    let start = *i;
    let mut v: u32 = 0;
    while *i < s.len() && *i - start < max {
        let Some(d) = l.digit(s[*i]) else { break };
        v = v * 10 + d;
        *i += 1;
    }
    (*i - start >= min).then_some(v)
}

fn alpha(s: &[char], i: &mut usize) -> String {
    let start = *i;
    while *i < s.len() && s[*i].is_alphabetic() {
        *i += 1;
    }
    s[start..*i].iter().flat_map(|c| c.to_lowercase()).collect()
}

/// Month number from an English name or abbreviation of at least three letters.
pub fn month_from_name(word: &str) -> Option<u8> {
    if word.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(word))
        .map(|p| p as u8 + 1)
}

/// Days in a month; February has 29 when the year is unknown.
pub fn days_in_month(year: Option<i32>, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => match year {
            Some(y) if !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) => 28,
            _ => 29,
        },
        _ => 0,
    }
}

/// The `YYYY-MM-DD` at the start of an ISO 8601 date or timestamp.
pub fn iso_prefix(s: &str) -> Option<PartialDate> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year: i32 = s.get(0..4)?.parse().ok()?;
    let month: u8 = s.get(5..7)?.parse().ok()?;
    let day: u8 = s.get(8..10)?.parse().ok()?;
    if b.len() > 10 && !matches!(b[10], b'T' | b' ' | b't') {
        return None;
    }
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(Some(year), month) {
        return None;
    }
    Some(PartialDate {
        year: Some(year),
        month,
        day,
    })
}

/// Days since 1970-01-01 of a full date (proleptic Gregorian).
pub fn day_number(year: i32, month: u8, day: u8) -> i64 {
    let (y, m) = if month <= 2 {
        (year as i64 - 1, month as i64 + 9)
    } else {
        (year as i64, month as i64 - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// `YYYY-MM-DD`.
pub fn iso(year: i32, month: u8, day: u8) -> String {
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(fmt: &str, s: &str) -> Option<PartialDate> {
        DateFormat::parse(fmt).unwrap().parse_date(s)
    }

    #[test]
    fn yearless_spellings() {
        assert_eq!(
            p("%B %d", "May 14"),
            Some(PartialDate {
                year: None,
                month: 5,
                day: 14
            })
        );
        assert_eq!(
            p("%d %b", "19 Mar"),
            Some(PartialDate {
                year: None,
                month: 3,
                day: 19
            })
        );
        assert_eq!(
            p("%d %B", "28 October"),
            Some(PartialDate {
                year: None,
                month: 10,
                day: 28
            })
        );
        assert_eq!(
            p("%d %b", "4 May"),
            Some(PartialDate {
                year: None,
                month: 5,
                day: 4
            })
        );
        assert_eq!(
            p("%b %d", "Sept 3"),
            Some(PartialDate {
                year: None,
                month: 9,
                day: 3
            })
        );
        assert_eq!(
            p("%B %d", "Feb 29"),
            Some(PartialDate {
                year: None,
                month: 2,
                day: 29
            })
        );
        assert_eq!(p("%B %d", "Feb 30"), None);
        assert_eq!(p("%B %d", "Ma 14"), None);
        assert_eq!(p("%B %d", "May 14 2006"), None);
    }

    #[test]
    fn visible_dates() {
        assert_eq!(
            p("%A, %d %B %Y", "Sunday, 14 May 2006"),
            Some(PartialDate {
                year: Some(2006),
                month: 5,
                day: 14
            })
        );
        assert_eq!(
            p("%B %d, %Y", "May 14, 2006"),
            Some(PartialDate {
                year: Some(2006),
                month: 5,
                day: 14
            })
        );
        assert_eq!(
            p("%d/%m/%y", "02/09/06"),
            Some(PartialDate {
                year: Some(2006),
                month: 9,
                day: 2
            })
        );
    }

    #[test]
    fn bad_formats_are_refused() {
        assert!(DateFormat::parse("%Q").is_err());
        assert!(DateFormat::parse("%Y").is_err());
        assert!(DateFormat::parse("%d %B %").is_err());
    }

    #[test]
    fn spaces_may_stand_before_punctuation_and_literals_must_be_there() {
        assert_eq!(p("%B %d, %Y", "May 14 , 2006"), full(2006, 5, 14));
        assert_eq!(p("%B %d, %Y", "May 14\u{a0}, 2006"), full(2006, 5, 14));
        assert_eq!(p("%d.%m.%Y", "14 .05 .2006"), full(2006, 5, 14));
        // after the literal only what the format says
        assert_eq!(p("%d.%m.%Y", "14 . 05 . 2006"), None);
        assert_eq!(p("%d.%m.%Y", "14-05-2006"), None);
        assert_eq!(
            p("%B %d,", "May 14"),
            None,
            "the literal at the end is missing"
        );
        assert_eq!(p("%B %d,", "May 14 "), None);
        assert_eq!(
            p("%B %d ,", "May 14,"),
            Some(PartialDate {
                year: None,
                month: 5,
                day: 14
            })
        );
        assert_eq!(
            p("%d  %B", "14May"),
            Some(PartialDate {
                year: None,
                month: 5,
                day: 14
            })
        );
    }

    #[test]
    fn two_digit_years_pivot_at_70_and_an_english_month_may_end_in_a_dot() {
        assert_eq!(p("%d/%m/%y", "02/09/69"), full(2069, 9, 2));
        assert_eq!(p("%d/%m/%y", "02/09/70"), full(1970, 9, 2));
        assert_eq!(p("%d/%m/%y", "02/09/99"), full(1999, 9, 2));
        assert_eq!(p("%d/%m/%y", "02/09/00"), full(2000, 9, 2));
        assert_eq!(
            p("%b %d", "Jan. 5"),
            Some(PartialDate {
                year: None,
                month: 1,
                day: 5
            })
        );
        assert_eq!(
            p("%d %b", "5 Jan."),
            Some(PartialDate {
                year: None,
                month: 1,
                day: 5
            })
        );
        assert_eq!(p("%b %d", "Jan.. 5"), None);
    }

    #[test]
    fn numbers_have_their_widths_and_weekdays_three_letters() {
        assert_eq!(p("%Y%m%d", "20060514"), full(2006, 5, 14));
        assert_eq!(p("%d%m%Y", "14052006"), full(2006, 5, 14));
        assert_eq!(p("%d %B %Y", "14 May 206"), None, "a 3-digit year");
        assert_eq!(p("%d %B %Y", "14 May 20066"), None, "a 5-digit year");
        assert_eq!(p("%d/%m/%y", "02/09/6"), None, "a 1-digit %y");
        assert_eq!(
            p("%a %d %B", "Sun 14 May"),
            Some(PartialDate {
                year: None,
                month: 5,
                day: 14
            })
        );
        assert_eq!(p("%a %d %B", "Su 14 May"), None, "a 2-letter weekday");
        // a trailing space in the format asks for nothing
        assert_eq!(
            p("%B %d ", "May 14"),
            Some(PartialDate {
                year: None,
                month: 5,
                day: 14
            })
        );
    }

    #[test]
    fn numbers_in_a_locale_have_their_widths_too() {
        let fa = Locale::get("fa");
        let f = DateFormat::parse("%Y%m%d").unwrap();
        assert_eq!(f.parse_date_in("۲۰۰۶۰۵۱۴", fa), full(2006, 5, 14));
        let f = DateFormat::parse("%d %B %Y").unwrap();
        assert_eq!(f.parse_date_in("۱۴ مه ۲۰۶", fa), None, "a 3-digit year");
        assert_eq!(f.parse_date_in("۱۴ مه ۲۰۰۶", fa), full(2006, 5, 14));
    }

    #[test]
    fn iso_prefix_wants_dashes_and_a_time_or_nothing_after() {
        assert_eq!(iso_prefix("2006-05-14"), full(2006, 5, 14));
        assert_eq!(iso_prefix(" 2006-05-14 10:00 "), full(2006, 5, 14));
        assert_eq!(iso_prefix("2006-05-14t10:00"), full(2006, 5, 14));
        assert_eq!(iso_prefix("2006-05-14x"), None);
        assert_eq!(iso_prefix("2006-05-140"), None);
        assert_eq!(iso_prefix("2006/05-14"), None);
        assert_eq!(iso_prefix("2006-05/14"), None);
        assert_eq!(iso_prefix("2006"), None);
        assert_eq!(iso_prefix("2006-5-14"), None);
    }

    #[test]
    fn a_format_needs_both_a_day_and_a_month() {
        let e = DateFormat::parse("%B %Y").unwrap_err();
        assert!(e.contains("needs a day (%d) and a month"), "{e}");
        assert!(DateFormat::parse("%d %Y").is_err(), "no month");
        assert!(DateFormat::parse("%e %m").is_ok());
        assert!(DateFormat::parse("%d %b").is_ok());
    }

    #[test]
    fn has_year_and_the_source_text() {
        assert!(!DateFormat::parse("%d %B").unwrap().has_year());
        assert!(DateFormat::parse("%d %B %Y").unwrap().has_year());
        assert!(DateFormat::parse("%d/%m/%y").unwrap().has_year());
        assert_eq!(
            DateFormat::parse("%A, %d %B").unwrap().as_str(),
            "%A, %d %B"
        );
    }

    #[test]
    fn iso_and_day_numbers() {
        assert_eq!(
            iso_prefix("2006-05-14T09:12:00+00:00"),
            Some(PartialDate {
                year: Some(2006),
                month: 5,
                day: 14
            })
        );
        assert_eq!(iso_prefix("2006-13-14"), None);
        assert_eq!(day_number(1970, 1, 1), 0);
        assert_eq!(day_number(2006, 9, 2) - day_number(2006, 5, 14), 111);
    }

    fn full(y: i32, m: u8, d: u8) -> Option<PartialDate> {
        Some(PartialDate {
            year: Some(y),
            month: m,
            day: d,
        })
    }

    #[test]
    fn the_day_must_exist_in_its_month() {
        let f = DateFormat::parse("%d/%m/%Y").unwrap();
        assert_eq!(f.parse_date("00/01/2022"), None, "day 0");
        assert_eq!(iso_prefix("2022-01-00"), None, "day 0");
        assert_eq!(f.parse_date("31/01/2022"), full(2022, 1, 31));
        assert_eq!(f.parse_date("32/01/2022"), None);
        assert_eq!(f.parse_date("30/04/2022"), full(2022, 4, 30));
        assert_eq!(f.parse_date("31/04/2022"), None, "31 April");
        assert_eq!(iso_prefix("2022-04-31"), None, "31 April");
        assert_eq!(f.parse_date("30/02/2024"), None, "30 February");
        assert_eq!(iso_prefix("2024-02-30"), None, "30 February");
        assert_eq!(f.parse_date("00/00/2022"), None);
        assert_eq!(f.parse_date("01/13/2022"), None);
        for m in 1..=12u8 {
            let last = if m == 2 {
                28
            } else if [4, 6, 9, 11].contains(&m) {
                30
            } else {
                31
            };
            assert_eq!(days_in_month(Some(2022), m), last, "month {m}");
            assert_eq!(
                f.parse_date(&format!("{last}/{m:02}/2022")),
                full(2022, m, last)
            );
            assert_eq!(
                f.parse_date(&format!("{}/{m:02}/2022", last + 1)),
                None,
                "month {m}"
            );
        }
        assert_eq!(days_in_month(Some(2022), 13), 0);
    }

    #[test]
    fn february_29_only_in_leap_years() {
        let f = DateFormat::parse("%d/%m/%Y").unwrap();
        for (year, leap) in [(2000, true), (1900, false), (2024, true), (2023, false)] {
            let want = leap.then(|| full(year, 2, 29)).flatten();
            assert_eq!(f.parse_date(&format!("29/02/{year}")), want, "{year}");
            assert_eq!(iso_prefix(&format!("{year}-02-29")), want, "{year}");
            assert_eq!(days_in_month(Some(year), 2), if leap { 29 } else { 28 });
            assert_eq!(f.parse_date(&format!("28/02/{year}")), full(year, 2, 28));
        }
        // without a year, 29 February may be
        assert_eq!(days_in_month(None, 2), 29);
    }

    fn de() -> Option<&'static Locale> {
        Locale::get("de")
    }

    #[test]
    fn names_and_digits_of_the_locale() {
        let p_in = |fmt: &str, s: &str, tag: &str| {
            DateFormat::parse(fmt)
                .unwrap()
                .parse_date_in(s, Locale::get(tag))
        };
        assert_eq!(
            p_in("%d. %B %Y", "25. Januar 2022", "de"),
            full(2022, 1, 25)
        );
        assert_eq!(p_in("%d. %B %Y", "25. MÄRZ 2022", "de"), full(2022, 3, 25));
        // English as the fallback in any locale
        assert_eq!(
            p_in("%d. %B %Y", "25. January 2022", "de"),
            full(2022, 1, 25)
        );
        assert_eq!(
            p_in("%A, %d. %B %Y", "Dienstag, 25. Januar 2022", "de"),
            full(2022, 1, 25)
        );
        assert_eq!(
            p_in("%a., %d. %b %Y", "Di., 25. Jan. 2022", "de"),
            full(2022, 1, 25)
        );
        assert_eq!(p_in("%d %b %Y", "3 févr. 2021", "fr"), full(2021, 2, 3));
        assert_eq!(p_in("%d %B %Y", "5 января 2022", "ru"), full(2022, 1, 5));
        assert_eq!(p_in("%d %B, %Y", "21 abril, 2022", "es"), full(2022, 4, 21));
        assert_eq!(
            p_in("%d %b", "21 Abr", "es"),
            Some(PartialDate {
                year: None,
                month: 4,
                day: 21
            })
        );
        assert_eq!(p_in("%d %B %Y", "۲۵ ژانویه ۲۰۲۲", "fa"), full(2022, 1, 25));
        assert_eq!(p_in("%d/%m/%Y", "٢٥/٠١/٢٠٢٢", "ar"), full(2022, 1, 25));
        assert_eq!(p_in("%Y年%B%d日", "2022年1月25日", "ja"), full(2022, 1, 25));
        // the locale's names do not make a wrong date right
        assert_eq!(p_in("%d. %B %Y", "30. Februar 2022", "de"), None);
        // digits of another script are not the locale's
        assert_eq!(p_in("%d/%m/%Y", "٢٥/٠١/٢٠٢٢", "de"), None);
    }

    #[test]
    fn a_literal_after_a_name_is_not_its_abbreviation_mark() {
        let f = DateFormat::parse("%d. %b. %Y").unwrap();
        assert_eq!(f.parse_date_in("25. Jan. 2022", de()), full(2022, 1, 25));
        let f = DateFormat::parse("%d. %b %Y").unwrap();
        assert_eq!(f.parse_date_in("25. Jan. 2022", de()), full(2022, 1, 25));
        assert_eq!(f.parse_date_in("25. Jan 2022", de()), full(2022, 1, 25));
    }

    #[test]
    fn english_rules_are_unchanged_in_an_english_locale() {
        let en = Locale::get("en-US");
        for (fmt, s) in [
            ("%B %d", "Sept 3"),
            ("%b. %d", "Jan. 5"),
            ("%a. %d %b", "Sun. 5 Jan"),
            ("%A %d %B", "Xyz 5 January"),
            ("%d/%m/%y", "02/09/06"),
        ] {
            let f = DateFormat::parse(fmt).unwrap();
            assert_eq!(f.parse_date_in(s, en), f.parse_date(s), "{fmt} {s}");
        }
    }
}
