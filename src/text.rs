//! Clean text: whitespace collapsed, invisible characters handled, and the
//! typographic characters (curly quotes, dashes) kept exactly as they are;
//! slugs (new paths, and the slugs by which records name their terms); and
//! an error with its causes as one line, for messages that are data (error
//! entries, reports).

/// Characters dropped from text: zero-width space, word joiner, BOM, soft hyphen.
/// (Zero-width joiner and non-joiner are kept: they carry meaning in Persian and Arabic.)
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
}

/// Whitespace for collapsing: Unicode white space including no-break spaces.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{00A0}' || c == '\u{202F}' || c == '\u{2007}'
}

/// Collapse runs of white space to one space, drop invisible characters, trim.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending = false;
    for c in s.chars() {
        if is_space(c) {
            pending = !out.is_empty();
        } else if !is_invisible(c) {
            if pending {
                out.push(' ');
                pending = false;
            }
            out.push(c);
        }
    }
    out
}

/// A key for comparing headings: cleaned and lowercased.
pub fn fold_key(s: &str) -> String {
    clean(s).to_lowercase()
}

/// Lowercase letters and digits only: for "does this paragraph repeat that one".
pub fn alnum_key(s: &str) -> String {
    alnum_chars(s).collect()
}

/// The characters of [`alnum_key`], lazily.
pub fn alnum_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
}

/// Strip a trailing ellipsis (`...`, `…`, `[...]`, `[…]`); true when one was there.
pub fn strip_ellipsis(s: &str) -> (String, bool) {
    let t = s.trim_end();
    for suffix in ["[...]", "[…]", "...", "…"] {
        if let Some(rest) = t.strip_suffix(suffix) {
            return (rest.trim_end().to_string(), true);
        }
    }
    (t.to_string(), false)
}

/// Escape text for HTML element content and attribute values.
pub fn escape_html(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

/// `text` as a slug: lowercase ASCII letters and digits, words joined by
/// `-`, accents folded where simple, at most `max` characters (cut at a
/// word boundary when one is near). Empty when nothing is left.
pub fn slugify(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        let folded = fold(c);
        for c in folded.chars() {
            if c.is_ascii_alphanumeric() {
                if dash && !out.is_empty() {
                    out.push('-');
                }
                dash = false;
                out.push(c.to_ascii_lowercase());
            } else if c != '\'' && c != '’' {
                dash = true;
            }
        }
        if out.len() > max * 2 {
            break;
        }
    }
    if out.len() > max {
        let cut = &out[..max];
        let cut = match cut.rfind('-') {
            Some(i) if i >= max / 2 => &cut[..i],
            _ => cut,
        };
        out = cut.trim_end_matches('-').to_string();
    }
    out
}

/// `c` lowercased, with accents and ligatures folded to ASCII where simple
/// (capitals too: `É` → `e`, `Œ` → `oe`).
fn fold(c: char) -> String {
    let mut out = String::new();
    for l in c.to_lowercase() {
        match fold_lower(l) {
            Some(s) => out.push_str(s),
            None => out.push(l),
        }
    }
    out
}

/// The ASCII of a lowercase accented letter or ligature, if it has a simple one.
fn fold_lower(c: char) -> Option<&'static str> {
    let s = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'ç' | 'č' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => "u",
        'ý' | 'ÿ' => "y",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        '&' => " and ",
        _ => return None,
    };
    Some(s)
}

/// An error and its causes, each once: `cannot read x.html: No such file
/// or directory (os error 2)`. Error messages never repeat their source
/// (the CLI prints the chain too); wherever an error becomes data (an error
/// entry, a report, a warning) this gives the whole story.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let text = c.to_string();
        // a wrapper that shows its cause already (`#[error(transparent)]`)
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cur = c.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_and_handles_invisible_characters() {
        assert_eq!(clean("  a\u{00A0}\u{00A0}b\n\t c  "), "a b c");
        assert_eq!(clean("co\u{00AD}operate\u{200B}"), "cooperate");
        assert_eq!(clean("“Iran’s” – ok"), "“Iran’s” – ok");
        assert_eq!(clean("می\u{200C}خواهم"), "می\u{200C}خواهم");
    }

    #[test]
    fn ellipsis_variants() {
        assert_eq!(
            strip_ellipsis("tried to overcome..."),
            ("tried to overcome".into(), true)
        );
        assert_eq!(strip_ellipsis("in… "), ("in".into(), true));
        assert_eq!(strip_ellipsis("done."), ("done.".into(), false));
    }

    #[test]
    fn keys() {
        assert_eq!(fold_key(" Latest  News "), "latest news");
        assert_eq!(alnum_key("Iran, U.S. – talks!"), "iranustalks");
    }

    #[test]
    fn long_slugs_are_cut_at_a_word_boundary_in_their_second_half() {
        let title = "Iran says it will not hold talks with US over Iraq";
        assert_eq!(slugify(title, 20), "iran-says-it-will");
        assert_eq!(
            slugify(title, 200),
            "iran-says-it-will-not-hold-talks-with-us-over-iraq"
        );
        // a boundary exactly at half the length still counts
        assert_eq!(slugify("abcde fghijklmno", 10), "abcde");
        // one before it does not: the word is cut instead
        assert_eq!(slugify("abcd efghijklmno", 10), "abcd-efghi");
        // no boundary at all
        assert_eq!(slugify("abcdefghijklmnop", 10), "abcdefghij");
        // short enough: untouched
        assert_eq!(slugify("abcde fghij", 11), "abcde-fghij");
    }

    #[test]
    fn slugs_fold_ligatures_and_accented_capitals() {
        assert_eq!(slugify("cœur", 80), "coeur");
        assert_eq!(slugify("Œuvre", 80), "oeuvre");
        assert_eq!(slugify("École Élysée", 80), "ecole-elysee");
        assert_eq!(slugify("ÆRØ Straße", 80), "aero-strasse");
        assert_eq!(slugify("Ça ÇA", 80), "ca-ca");
        assert_eq!(slugify("Tom & Jerry", 80), "tom-and-jerry");
        // every folded letter, small and capital (cargo-mutants: each arm)
        assert_eq!(
            slugify("àáâãäåā ÀÁÂÃÄÅĀ çč ÇČ èéêëē ÈÉÊËĒ ìíîïī ÌÍÎÏĪ", 80),
            "aaaaaaa-aaaaaaa-cc-cc-eeeee-eeeee-iiiii-iiiii"
        );
        assert_eq!(
            slugify("ñ Ñ òóôõöøō ÒÓÔÕÖØŌ ùúûüū ÙÚÛÜŪ ýÿ Ý ß æ Æ", 80),
            "n-n-ooooooo-ooooooo-uuuuu-uuuuu-yy-y-ss-ae-ae"
        );
    }
}
