//! Dates in the site's language. News sites write dates in their own
//! language (`25. Januar 2022`, `5 января 2022 г.`, `۲۵ ژانویه ۲۰۲۲`), so the
//! date formats of a profile and the free-text date finder match month and
//! weekday names, digits and the numeric day/month order of a locale, taken
//! from CLDR by `generate.py` into the tables of `data.rs`.
//!
//! Names are compared folded: lowercase, accents and other combining marks
//! of the Latin, Greek, Cyrillic, Hebrew and Arabic scripts off (and the
//! nukta of Devanagari and Bengali: `फ़रवरी` is `फरवरी`), a few
//! letters written interchangeably joined (Arabic and Persian yeh and kaf,
//! Turkish dotless i, `’` and `'`), and a trailing abbreviation mark (`.`,
//! `॰`, `׳`) optional, so `févr.`, `Fevr`, `FÉVR.` and `Abr` all match. The
//! tables hold the folded keys, longest first: the first key that matches
//! and ends at a word boundary is the longest (`juni` and `juli`, `mar` and
//! `mars` never shadow each other), and a match allocates nothing.
//!
//! The locale of a page is the profile's `[site] locale` or, when the
//! profile has none, the page's `<html lang>` (`de-AT` is `de`); a page in no
//! known language is read with English names only. English is always tried
//! after the locale's names (meta tags are often English).

mod data;
pub mod find;

use std::fmt;

use scraper::Html;

pub use data::CLDR_VERSION;
pub use find::{find_date, FoundDate};

/// The order of day, month and year in a locale's numeric dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// `25.01.2022`, `25/01/2022`.
    Dmy,
    /// `01/25/2022`.
    Mdy,
    /// `2022/01/25`, `2022. 01. 25.`.
    Ymd,
}

/// One locale's date vocabulary, from CLDR.
pub struct Locale {
    tag: &'static str,
    /// Names are read by the English rules of `date.rs` (no table).
    english: bool,
    order: DateOrder,
    /// The non-ASCII digit sets (ten digits each, zero first).
    digits: &'static [&'static str],
    /// Folded month names and abbreviations → 1-12, longest first.
    months: &'static [(&'static str, u8)],
    /// Folded weekday names and abbreviations → ISO weekday 1 (Monday) - 7, longest first.
    weekdays: &'static [(&'static str, u8)],
    /// Bit `first char % 64` of every month key (a quick no for most words).
    month_initials: u64,
    /// The same for the weekday keys.
    weekday_initials: u64,
}

impl fmt::Debug for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Locale({})", self.tag)
    }
}

impl PartialEq for Locale {
    fn eq(&self, other: &Self) -> bool {
        self.tag == other.tag
    }
}

impl Eq for Locale {}

/// Old or regional tags that name a locale of the tables.
const ALIASES: &[(&str, &str)] = &[
    ("iw", "he"),
    ("in", "id"),
    ("no", "nb"),
    ("zh-tw", "zh-Hant"),
    ("zh-hk", "zh-Hant"),
    ("zh-mo", "zh-Hant"),
];

impl Locale {
    /// The locale of a language tag (`de`, `de-AT`, `sr-Latn-RS`, `pt_BR`):
    /// the longest known prefix of the tag, case-insensitively.
    pub fn get(tag: &str) -> Option<&'static Locale> {
        let mut t = tag.trim().replace('_', "-");
        loop {
            if t.is_empty() {
                return None;
            }
            let name = ALIASES
                .iter()
                .find(|(a, _)| a.eq_ignore_ascii_case(&t))
                .map(|(_, to)| *to)
                .unwrap_or(&t);
            if let Some(l) = data::LOCALES
                .iter()
                .find(|l| l.tag.eq_ignore_ascii_case(name))
            {
                return Some(l);
            }
            match t.rfind('-') {
                Some(p) => t.truncate(p),
                None => return None,
            }
        }
    }

    /// Every locale's tag, sorted.
    pub fn known() -> impl Iterator<Item = &'static str> {
        data::LOCALES.iter().map(|l| l.tag)
    }

    /// The tag (`de`, `sr-Latn`).
    pub fn tag(&self) -> &'static str {
        self.tag
    }

    /// The order of numeric dates.
    pub fn order(&self) -> DateOrder {
        self.order
    }

    /// Whether names are English (read by the English rules only).
    pub fn is_english(&self) -> bool {
        self.english
    }

    /// The value of a digit: ASCII or one of the locale's digit sets.
    pub(crate) fn digit(&self, c: char) -> Option<u32> {
        if c.is_ascii_digit() {
            return c.to_digit(10);
        }
        self.digits
            .iter()
            .find_map(|set| set.chars().position(|d| d == c))
            .map(|p| p as u32)
    }

    /// The month whose name starts at `s[i]`, and where it ends (after an
    /// abbreviation mark, unless `keep_mark` is that mark).
    pub(crate) fn month_at(
        &self,
        s: &[char],
        i: usize,
        keep_mark: Option<char>,
    ) -> Option<(u8, usize)> {
        name_at(self.months, self.month_initials, s, i, keep_mark)
    }

    /// The ISO weekday (1 Monday - 7 Sunday) whose name starts at `s[i]`, and its end.
    pub(crate) fn weekday_at(
        &self,
        s: &[char],
        i: usize,
        keep_mark: Option<char>,
    ) -> Option<(u8, usize)> {
        name_at(self.weekdays, self.weekday_initials, s, i, keep_mark)
    }
}

/// The locale of a parsed page from its `<html lang>`, when known.
pub fn of_document(doc: &Html) -> Option<&'static Locale> {
    doc.root_element()
        .value()
        .attr("lang")
        .and_then(Locale::get)
}

/// The locale dates of a page are read in: the profile's, else the page's.
pub fn in_effect(profile: Option<&'static Locale>, doc: &Html) -> Option<&'static Locale> {
    profile.or_else(|| of_document(doc))
}

/// The `explain` line saying which locale dates are read in, and why.
pub fn describe(profile: Option<&Locale>, in_effect: Option<&Locale>) -> String {
    match (profile, in_effect) {
        (Some(l), _) => format!("dates read in locale {} (profile)", l.tag),
        (None, Some(l)) => format!("dates read in locale {} (<html lang>)", l.tag),
        (None, None) => "dates read in English (no known <html lang>)".to_string(),
    }
}

/// Marks that end an abbreviation: `févr.`, Hindi `जन॰`, Hebrew `ינו׳`.
const ABBREVIATION_MARKS: [char; 3] = ['.', '\u{0970}', '\u{05F3}'];

/// Bit of a first letter in the `*_initials` masks.
fn initial_bit(c: char) -> u64 {
    1 << (c as u32 % 64)
}

fn name_at(
    names: &[(&'static str, u8)],
    initials: u64,
    s: &[char],
    i: usize,
    keep_mark: Option<char>,
) -> Option<(u8, usize)> {
    let mut first = ['\0'; 3];
    let n = fold_into(*s.get(i)?, &mut first);
    if n == 0 || initials & initial_bit(first[0]) == 0 {
        return None;
    }
    let mut utf8 = [0u8; 4];
    let lead = first[0].encode_utf8(&mut utf8).as_bytes();
    for &(key, value) in names {
        if !key.as_bytes().starts_with(lead) {
            continue;
        }
        let Some(mut end) = folded_prefix(key, s, i) else {
            continue;
        };
        if !boundary(s, end) {
            continue;
        }
        if let Some(&c) = s.get(end) {
            if ABBREVIATION_MARKS.contains(&c) && keep_mark != Some(c) {
                end += 1;
            }
        }
        return Some((value, end));
    }
    None
}

/// Where `key` (folded) ends when the text at `s[j]` starts with it.
fn folded_prefix(key: &str, s: &[char], mut j: usize) -> Option<usize> {
    let mut k = key.chars().peekable();
    let mut buf = ['\0'; 3];
    while k.peek().is_some() {
        let c = *s.get(j)?;
        j += 1;
        let n = fold_into(c, &mut buf);
        for &f in &buf[..n] {
            if k.next() != Some(f) {
                return None;
            }
        }
    }
    // Marks after the last letter belong to it.
    while j < s.len() && fold_into(s[j], &mut buf) == 0 {
        j += 1;
    }
    Some(j)
}

/// Whether a name may end before `s[end]`: not inside a word or a number.
/// Words of scripts written without spaces (Chinese, Japanese, Korean, Thai)
/// may be followed by letters.
pub(crate) fn boundary(s: &[char], end: usize) -> bool {
    let (Some(&next), Some(&prev)) = (s.get(end), end.checked_sub(1).and_then(|p| s.get(p))) else {
        return true;
    };
    if prev.is_numeric() && next.is_numeric() {
        return false;
    }
    !(prev.is_alphabetic() && next.is_alphabetic() && !unspaced(prev))
}

/// Letters of scripts written without spaces between words.
pub(crate) fn unspaced(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0E7F // Thai
        | 0x3040..=0x30FF // Hiragana, Katakana
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF // Han
        | 0xAC00..=0xD7AF // Hangul
        | 0xF900..=0xFAFF)
}

/// Fold one character into `out` (lowercase, marks off, variants joined);
/// the count written, 0 for a mark.
pub(crate) fn fold_into(c: char, out: &mut [char; 3]) -> usize {
    if c.is_ascii() {
        out[0] = if c.is_ascii_whitespace() {
            ' '
        } else {
            c.to_ascii_lowercase()
        };
        return 1;
    }
    let mut n = 0;
    for l in c.to_lowercase() {
        if in_ranges(data::MARKS, l) {
            continue;
        }
        let f = if crate::text::is_space(l) {
            ' '
        } else {
            match data::FOLD.binary_search_by_key(&l, |&(from, _)| from) {
                Ok(p) => data::FOLD[p].1,
                Err(_) => l,
            }
        };
        if n < out.len() {
            out[n] = f;
            n += 1;
        }
    }
    n
}

fn in_ranges(ranges: &[(char, char)], c: char) -> bool {
    ranges
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// `text` folded as the tables are (for tests and tools; matching does not allocate).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut buf = ['\0'; 3];
    for c in text.chars() {
        let n = fold_into(c, &mut buf);
        out.extend(&buf[..n]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(tag: &str, text: &str) -> Option<(u8, usize)> {
        let s: Vec<char> = text.chars().collect();
        Locale::get(tag).unwrap().month_at(&s, 0, None)
    }

    #[test]
    fn the_tables_are_folded_sorted_and_unambiguous() {
        for l in data::LOCALES {
            for table in [l.months, l.weekdays] {
                for w in table.windows(2) {
                    assert!(
                        w[0].0.chars().count() >= w[1].0.chars().count(),
                        "{}: {:?} before {:?}",
                        l.tag,
                        w[0],
                        w[1]
                    );
                }
                for (key, value) in table {
                    assert_eq!(&fold(key), key, "{}: key not folded as Rust folds", l.tag);
                    assert!(table.iter().all(|(k, v)| k != key || v == value));
                }
            }
            for set in l.digits {
                assert_eq!(set.chars().count(), 10, "{}", l.tag);
            }
            for (table, mask) in [
                (l.months, l.month_initials),
                (l.weekdays, l.weekday_initials),
            ] {
                let want = table
                    .iter()
                    .fold(0, |m, (k, _)| m | initial_bit(k.chars().next().unwrap()));
                assert_eq!(mask, want, "{}: initials", l.tag);
            }
        }
        assert!(data::FOLD.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(data::MARKS.windows(2).all(|w| w[0].1 < w[1].0));
    }

    #[test]
    fn tags_resolve_to_the_longest_known_prefix() {
        assert_eq!(Locale::get("de-AT").unwrap().tag(), "de");
        assert_eq!(Locale::get("DE").unwrap().tag(), "de");
        assert_eq!(Locale::get("pt_BR").unwrap().tag(), "pt");
        assert_eq!(Locale::get("sr-Latn-RS").unwrap().tag(), "sr-Latn");
        assert_eq!(Locale::get("sr-Cyrl").unwrap().tag(), "sr");
        assert_eq!(Locale::get("zh-TW").unwrap().tag(), "zh-Hant");
        assert_eq!(Locale::get("en-GB").unwrap().order(), DateOrder::Dmy);
        assert_eq!(Locale::get("en-US").unwrap().order(), DateOrder::Mdy);
        assert_eq!(Locale::get("no").unwrap().tag(), "nb");
        assert!(Locale::get("xx").is_none());
        assert!(Locale::get("").is_none());
        assert!(Locale::get("-").is_none());
        assert!(Locale::known().count() >= 30);
    }

    #[test]
    fn names_match_folded_and_longest_first() {
        assert_eq!(month("fr", "févr. 2021"), Some((2, 5)));
        assert_eq!(month("fr", "FEVR 2021"), Some((2, 4)));
        assert_eq!(month("fr", "mars 2021"), Some((3, 4)));
        assert_eq!(month("es", "Abr"), Some((4, 3)));
        assert_eq!(month("de", "Juni"), Some((6, 4)));
        assert_eq!(month("de", "Juli"), Some((7, 4)));
        assert_eq!(month("de", "MÄRZ"), Some((3, 4)));
        assert_eq!(month("ru", "января"), Some((1, 6)));
        assert_eq!(month("tr", "KASIM"), Some((11, 5)));
        assert_eq!(month("el", "ΜΑΡΤΙΟΣ"), Some((3, 7)));
        assert_eq!(month("ca", "d’abril"), Some((4, 7)));
        assert_eq!(month("ca", "d'abril"), Some((4, 7)));
        assert_eq!(month("he", "בינואר"), Some((1, 6)));
        assert_eq!(month("vi", "tháng 10"), Some((10, 8)));
        assert_eq!(month("vi", "tháng 1"), Some((1, 7)));
        // decomposed accent (e + U+0301)
        assert_eq!(month("fr", "fe\u{301}vr."), Some((2, 6)));
        // inside a longer word, no match
        assert_eq!(month("de", "Mainz"), None);
        assert_eq!(month("es", "marzipan"), None);
        assert_eq!(month("de", "Dezimal"), None);
    }

    #[test]
    fn explain_says_which_locale_and_why() {
        let de = Locale::get("de");
        assert_eq!(describe(de, de), "dates read in locale de (profile)");
        assert_eq!(describe(None, de), "dates read in locale de (<html lang>)");
        assert_eq!(
            describe(None, None),
            "dates read in English (no known <html lang>)"
        );
        let doc = Html::parse_document("<html lang='pt-BR'><body></body></html>");
        assert_eq!(in_effect(None, &doc).unwrap().tag(), "pt");
        assert_eq!(in_effect(de, &doc).unwrap().tag(), "de");
        assert!(of_document(&Html::parse_document("<p>x</p>")).is_none());
    }

    #[test]
    fn digits_of_the_numbering_systems() {
        let fa = Locale::get("fa").unwrap();
        assert_eq!(fa.digit('۷'), Some(7));
        assert_eq!(fa.digit('7'), Some(7));
        assert_eq!(Locale::get("ar").unwrap().digit('٣'), Some(3));
        assert_eq!(Locale::get("bn").unwrap().digit('৯'), Some(9));
        assert_eq!(Locale::get("de").unwrap().digit('۷'), None);
    }
}
