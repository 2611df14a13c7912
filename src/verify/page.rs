//! What a new page says it is: its `<title>` and first `<h1>`, and the
//! comparison with the record's title. Both sides are normalised the same
//! way before comparing (entities decoded, white space collapsed, invisible
//! characters dropped), so `Iran&nbsp;&amp; Iraq` on the page matches the
//! record's `Iran & Iraq`, and a title the CMS shows with its site name
//! (`Iran & Iraq | Iran Focus`) still contains it.

use scraper::{Html, Selector};

use crate::decode::{decode, DecodeOptions};

/// The page's `<title>` and first `<h1>` as text (None when absent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Titles {
    /// The text of `<title>`.
    pub title: Option<String>,
    /// The text of the first `<h1>`.
    pub h1: Option<String>,
}

impl Titles {
    /// Read them from the page's bytes, decoded as a browser would (the
    /// `Content-Type` header's charset, BOM, `<meta charset>`), without
    /// repairing mojibake: what a visitor sees is what is compared.
    pub fn of(body: &[u8], content_type: Option<&str>) -> Titles {
        let opts = DecodeOptions {
            override_encoding: None,
            repair_mojibake: false,
        };
        let text = decode(body, content_type, &opts).text;
        let doc = Html::parse_document(&text);
        let first = |css: &str| {
            let sel = Selector::parse(css).ok()?;
            doc.select(&sel)
                .next()
                .map(|e| e.text().collect::<String>())
        };
        Titles {
            title: first("title"),
            h1: first("h1"),
        }
    }

    /// Whether the `<title>` or the first `<h1>` contains `want` (after
    /// [`normalise`]); an empty `want` is always contained.
    pub fn contain(&self, want: &str) -> bool {
        let want = normalise(want);
        if want.is_empty() {
            return true;
        }
        [&self.title, &self.h1]
            .into_iter()
            .flatten()
            .any(|t| normalise(t).contains(&want))
    }

    /// What the page shows, for a mismatch: the title, else the `<h1>`.
    pub fn shown(&self) -> String {
        self.title
            .as_deref()
            .filter(|t| !normalise(t).is_empty())
            .or(self.h1.as_deref())
            .map(normalise)
            .unwrap_or_default()
    }
}

/// Text for comparison: character references decoded (once more, so a
/// title stored with `&amp;` and one shown with `&` compare equal), white
/// space collapsed, invisible characters dropped ([`crate::text::clean`]).
pub fn normalise(s: &str) -> String {
    let decoded = if s.contains('&') {
        // the fragment parser decodes references; `<` is escaped first so
        // that text which looks like a tag stays text
        let frag = Html::parse_fragment(&s.replace('<', "&lt;"));
        frag.root_element().text().collect::<String>()
    } else {
        s.to_string()
    };
    crate::text::clean(&decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_or_first_h1_contains_the_record_title() {
        let page = b"<html><head><title>Iran&nbsp;&amp;\n Iraq | Iran Focus</title></head>\
                     <body><h1>Other</h1><h1>Second</h1></body></html>";
        let t = Titles::of(page, Some("text/html; charset=utf-8"));
        assert!(t.contain("Iran & Iraq"));
        assert!(t.contain("Iran &amp; Iraq"));
        assert!(t.contain("Other"));
        assert!(!t.contain("Second"));
        assert!(!t.contain("iran & iraq"), "case counts");
        assert_eq!(t.shown(), "Iran & Iraq | Iran Focus");
    }

    #[test]
    fn no_title_shows_the_h1() {
        let t = Titles::of(b"<h1> Only  <em>this</em> </h1>", None);
        assert_eq!(t.title, None);
        assert_eq!(t.shown(), "Only this");
        assert!(t.contain("Only this"));
        assert!(Titles::default().contain(""));
        assert!(!Titles::default().contain("x"));
    }

    #[test]
    fn the_declared_charset_is_used() {
        // "Caf\xe9" in windows-1252
        let t = Titles::of(
            b"<title>Caf\xe9 \x93quoted\x94</title>",
            Some("text/html; charset=windows-1252"),
        );
        assert!(t.contain("Café “quoted”"), "{t:?}");
    }

    #[test]
    fn normalising_keeps_text_that_looks_like_a_tag() {
        assert_eq!(normalise("a <b> &lt; c"), "a <b> < c");
        assert_eq!(normalise("  x\u{a0}\u{200b}y  "), "x y");
    }
}
