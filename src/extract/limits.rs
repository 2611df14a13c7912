//! Bounds on the work one page may cost, applied before the HTML parser
//! sees the markup.
//!
//! The HTML parser checks "is a `<p>` open?" by walking the stack of open
//! elements on every start tag, so markup nested N levels deep costs N² steps
//! (measured: 8,000 nested `<div>`s took 5 s in a debug build; 100,000 would
//! take many minutes), and table rendering (html2text) recurses per level.
//! A hostile or broken page must not stall a crawl, so [`bound_markup`] scans
//! the decoded text once, keeps a rough model of the open elements, and drops
//! start tags (with their end tags) nested deeper than [`MAX_DEPTH`] or
//! beyond [`MAX_ELEMENTS`]. Text is never dropped: only the structure beyond
//! the bound is lost, and the record says so in a `limit` warning. Pages
//! within the bounds are passed through untouched (no copy).
//!
//! The same scan finds where each `<script>` and `<style>` ends (following
//! the tokenizer's script states), so [`prepare_markup`] can also leave
//! their content out: on real pages of the kind we migrate that is 30–90 %
//! of the bytes, text the parser would tokenize character by character and
//! no template reads.

use std::borrow::Cow;
use std::collections::HashMap;

use super::attrs::AttrKeep;

/// Elements nested deeper than this (in the scanner's model) lose their tags.
pub const MAX_DEPTH: usize = 256;
/// Start tags after this many lose their tags.
pub const MAX_ELEMENTS: usize = 200_000;
/// Inline formatting elements (`b`, `font`, …) left open beyond this many
/// lose their tags: the parser re-opens every open one at each new block
/// ("reconstructing the active formatting elements"), so 200 distinct
/// unclosed `<b>`s cost 200 new elements per paragraph and nest the tree
/// hundreds of levels deep while the element stack model above sees
/// nothing deep (measured: 12,000 such tags took 25 s to extract).
pub const MAX_OPEN_FORMATTING: usize = 64;

/// What [`bound_markup`] did to a page.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Bounded {
    /// Start tags dropped because they were nested deeper than [`MAX_DEPTH`].
    pub too_deep: usize,
    /// Start tags dropped because the page had more than [`MAX_ELEMENTS`].
    pub too_many: usize,
    /// Formatting start tags dropped because [`MAX_OPEN_FORMATTING`] were open.
    pub too_much_formatting: usize,
    /// Bytes of `<script>`/`<style>` content left out ([`prepare_markup`]).
    pub unread_bytes: usize,
    /// The original byte range of each start tag that lost attributes
    /// ([`prepare_markup_keeping`]), by marker number.
    pub rewritten: Vec<(u32, u32)>,
}

impl Bounded {
    /// Warnings for the record (empty when nothing was dropped).
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        if self.too_deep > 0 {
            w.push(format!(
                "markup nested deeper than {MAX_DEPTH} levels: {} tags beyond that depth were ignored (their text is kept)",
                self.too_deep
            ));
        }
        if self.too_many > 0 {
            w.push(format!(
                "page has more than {MAX_ELEMENTS} elements: {} tags beyond that were ignored (their text is kept)",
                self.too_many
            ));
        }
        if self.too_much_formatting > 0 {
            w.push(format!(
                "more than {MAX_OPEN_FORMATTING} inline formatting elements left open: {} such tags were ignored (their text is kept)",
                self.too_much_formatting
            ));
        }
        w
    }
}

/// Elements the parser keeps in its list of active formatting elements.
fn is_formatting(name: &str) -> bool {
    matches!(
        name,
        "a" | "b"
            | "big"
            | "code"
            | "em"
            | "font"
            | "i"
            | "nobr"
            | "s"
            | "small"
            | "strike"
            | "strong"
            | "tt"
            | "u"
    )
}

/// Elements without content: never pushed on the model stack.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "frame"
            | "hr"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "image"
    )
}

/// Elements whose content is text up to their end tag (`noscript` too: the
/// parser runs with scripting enabled).
pub(crate) fn is_raw_text(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "textarea"
            | "title"
            | "xmp"
            | "iframe"
            | "noembed"
            | "noframes"
            | "noscript"
    )
}

/// Inside `<svg>` or `<math>` (and not back in HTML through an
/// integration point) `script` and `style` are ordinary elements.
fn in_foreign_content(stack: &[Cow<'_, str>]) -> bool {
    for open in stack.iter().rev() {
        match open.as_ref() {
            "svg" | "math" => return true,
            "foreignobject" | "desc" | "annotation-xml" | "mi" | "mo" | "mn" | "ms" | "mtext" => {
                return false
            }
            _ => {}
        }
    }
    false
}

/// Start tags that close an open `<p>` (a rough subset of the HTML rules).
fn closes_p(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "div"
            | "dl"
            | "fieldset"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "li"
            | "main"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "table"
            | "ul"
    )
}

/// Where a start tag implicitly closes an open element of its kind (a new
/// cell closes the open cell of its row, a new item the open item of its
/// list), if it does.
fn implied_close(stack: &[Cow<'_, str>], name: &str) -> Option<usize> {
    let (targets, stops): (&[&str], &[&str]) = match name {
        "td" | "th" => (&["td", "th"], &["tr", "table", "html"]),
        "tr" => (&["tr"], &["tbody", "thead", "tfoot", "table", "html"]),
        "li" => (&["li"], &["ul", "ol", "table", "html"]),
        "dt" | "dd" => (&["dt", "dd"], &["dl", "table", "html"]),
        "option" => (&["option"], &["select", "html"]),
        "p" => (&["p"], &["button", "table", "td", "th", "html"]),
        _ => return None,
    };
    for (i, open) in stack.iter().enumerate().rev() {
        if targets.contains(&open.as_ref()) {
            return Some(i);
        }
        if stops.contains(&open.as_ref()) {
            return None;
        }
    }
    None
}

/// The HTML "special" elements: an end tag of another element does not
/// close them (`<span><div></span>` leaves both open).
fn is_special(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "applet"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "button"
            | "caption"
            | "center"
            | "colgroup"
            | "dd"
            | "details"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "frameset"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "head"
            | "header"
            | "hgroup"
            | "html"
            | "iframe"
            | "li"
            | "listing"
            | "main"
            | "marquee"
            | "menu"
            | "nav"
            | "noembed"
            | "noframes"
            | "noscript"
            | "object"
            | "ol"
            | "p"
            | "plaintext"
            | "pre"
            | "search"
            | "section"
            | "select"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "template"
            | "textarea"
            | "tfoot"
            | "th"
            | "thead"
            | "title"
            | "tr"
            | "ul"
            | "xmp"
            | "svg"
            | "math"
    )
}

/// Elements an end tag does not close past (the HTML "scope" boundaries).
fn is_boundary(name: &str, closing: &str) -> bool {
    match closing {
        "table" => matches!(name, "html" | "template"),
        "td" | "th" | "tr" | "tbody" | "thead" | "tfoot" | "caption" => {
            matches!(name, "html" | "table" | "template")
        }
        _ => matches!(
            name,
            "applet"
                | "caption"
                | "html"
                | "table"
                | "td"
                | "th"
                | "marquee"
                | "object"
                | "template"
                | "svg"
                | "math"
        ),
    }
}

/// Where the end tag `name` closes the model stack, if it does. The model
/// must never believe the tree shallower than the parser makes it, so an end
/// tag closes only through elements the parser would close too: anything but
/// a scope boundary for a special element's end tag, nothing special for
/// another's (the parser ignores `</span>` in `<span><div>`).
fn closes_at(stack: &[Cow<'_, str>], name: &str) -> Option<usize> {
    let special = is_special(name);
    for (i, open) in stack.iter().enumerate().rev() {
        if open == name {
            return Some(i);
        }
        if is_boundary(open, name) || (!special && is_special(open)) {
            return None;
        }
    }
    None
}

/// A tag found by the scanner: its byte range, name and kind.
struct Tag<'a> {
    end: usize,
    name: Cow<'a, str>,
    closing: bool,
    self_closing: bool,
}

/// Byte index just past the `>` that ends the tag opened at `start`
/// (quotes in attributes respected), or the end of the text.
fn tag_end(b: &[u8], mut i: usize) -> usize {
    while let Some(off) = memchr::memchr3(b'>', b'"', b'\'', &b[i..]) {
        let at = i + off;
        let q = b[at];
        if q == b'>' {
            return at + 1;
        }
        // a quote opens a value only after `=` or white space
        if b[at - 1].is_ascii_whitespace() || b[at - 1] == b'=' {
            match memchr::memchr(q, &b[at + 1..]) {
                Some(p) => i = at + 1 + p + 1,
                None => return b.len(),
            }
        } else {
            i = at + 1;
        }
    }
    b.len()
}

/// Reads the tag at `start` (`b[start] == b'<'`); None when it is not a tag.
fn read_tag(text: &str, start: usize) -> Option<Tag<'_>> {
    let b = text.as_bytes();
    let mut i = start + 1;
    let closing = b.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    if !b.get(i).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let name_start = i;
    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let raw = &text[name_start..i];
    let name = if raw.bytes().any(|c| c.is_ascii_uppercase()) {
        Cow::Owned(raw.to_ascii_lowercase())
    } else {
        Cow::Borrowed(raw)
    };
    let end = tag_end(b, i);
    let self_closing = end >= 2 && b[end - 1] == b'>' && b[end - 2] == b'/';
    Some(Tag {
        end,
        name,
        closing,
        self_closing,
    })
}

/// Whether `b[at..]` is `name` (ASCII case-insensitive) followed by what
/// ends a tag name (the tokenizer's "appropriate end tag" check).
fn name_at(b: &[u8], at: usize, name: &str) -> bool {
    let end = at + name.len();
    b.get(at..end)
        .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
        && matches!(
            b.get(end),
            Some(b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>')
        )
}

/// Where the content of a raw text element opened before `from` ends: the
/// `<` of its end tag, or the end of the text.
fn find_end_tag(text: &str, from: usize, name: &str) -> usize {
    let b = text.as_bytes();
    if name == "script" {
        return script_end(b, from);
    }
    let mut i = from;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let at = i + off;
        if b.get(at + 1) == Some(&b'/') && name_at(b, at + 2, name) {
            return at;
        }
        i = at + 1;
    }
    b.len()
}

/// Where script content from `from` ends, following the tokenizer's script
/// data states: inside `<!--` a `<script>` enters the "double escaped"
/// state, where `</script>` does not end the element (old ad code writes
/// `<!-- document.write("<script …></script>") -->` inside scripts).
fn script_end(b: &[u8], from: usize) -> usize {
    #[derive(PartialEq)]
    enum State {
        Data,
        Escaped,
        DoubleEscaped,
    }
    let mut state = State::Data;
    let mut i = from;
    while let Some(off) = memchr::memchr2(b'<', b'-', &b[i..]) {
        let at = i + off;
        if b[at] == b'-' {
            let mut j = at;
            while b.get(j) == Some(&b'-') {
                j += 1;
            }
            // `-->` leaves both escaped states
            if state != State::Data && j - at >= 2 && b.get(j) == Some(&b'>') {
                state = State::Data;
                j += 1;
            }
            i = j;
            continue;
        }
        let end_tag = b.get(at + 1) == Some(&b'/') && name_at(b, at + 2, "script");
        match state {
            State::Data | State::Escaped if end_tag => return at,
            State::Data if b.get(at + 1..at + 4) == Some(b"!--") => {
                state = State::Escaped;
                // the two dashes count toward a closing `-->` (`<!-->`)
                i = at + 2;
                continue;
            }
            State::Escaped if name_at(b, at + 1, "script") => {
                state = State::DoubleEscaped;
                i = at + 7;
                continue;
            }
            State::DoubleEscaped if end_tag => {
                state = State::Escaped;
                i = at + 8;
                continue;
            }
            _ => {}
        }
        i = at + 1;
    }
    b.len()
}

/// Drops the tags of elements nested deeper than [`MAX_DEPTH`] or beyond
/// [`MAX_ELEMENTS`], keeping all text. Returns the text unchanged (borrowed)
/// when the page is within the bounds.
pub fn bound_markup(text: &str) -> (Cow<'_, str>, Bounded) {
    scan(text, MAX_DEPTH, MAX_ELEMENTS, false, None)
}

/// [`bound_markup`], and when `drop_unread` is set, the content of every
/// `<script>` and `<style>` element (not in SVG or MathML) is left out:
/// the elements stay, with their attributes, but the parser does not spend
/// its time on text no template reads (most of the bytes of many pages).
/// [`Bounded::unread_bytes`] says how much was left out.
pub fn prepare_markup(text: &str, drop_unread: bool) -> (Cow<'_, str>, Bounded) {
    scan(text, MAX_DEPTH, MAX_ELEMENTS, drop_unread, None)
}

/// [`prepare_markup`], and with `keep`, every start tag keeps only the
/// attributes the profile's selectors can test, marked where it lost some
/// (see [`super::attrs`]); [`Bounded::rewritten`] lists the original tags.
pub fn prepare_markup_keeping<'t>(
    text: &'t str,
    drop_unread: bool,
    keep: Option<&AttrKeep>,
) -> (Cow<'t, str>, Bounded) {
    let keep = keep.filter(|_| super::attrs::page_allows(text));
    scan(text, MAX_DEPTH, MAX_ELEMENTS, drop_unread, keep)
}

/// [`bound_markup`] with explicit bounds (for tests).
pub fn bound_markup_with(
    text: &str,
    max_depth: usize,
    max_elements: usize,
) -> (Cow<'_, str>, Bounded) {
    scan(text, max_depth, max_elements, false, None)
}

/// The walk of [`scan`]: the open elements, the dropped start tags whose
/// end tags must go too, the counts, and the output once anything is cut.
struct Scanner<'t, 'k> {
    text: &'t str,
    keep: Option<&'k AttrKeep>,
    scratch: Vec<super::attrs::RawAttr>,
    max_depth: usize,
    max_elements: usize,
    drop_unread: bool,
    stack: Vec<Cow<'t, str>>,
    /// Start tags dropped, by name, whose end tags are still to be dropped.
    dropped_open: HashMap<String, usize>,
    report: Bounded,
    elements: usize,
    /// Formatting elements opened and not yet closed by their own end tag.
    formatting: usize,
    out: Option<String>,
    /// Text from `copied` on has not been copied to `out` yet.
    copied: usize,
}

/// What to do with a start tag.
enum Open {
    Keep,
    Drop,
    /// A raw-text element kept: continue after its end tag, here.
    SkipTo(usize),
}

impl<'t> Scanner<'t, '_> {
    /// A start tag kept: leave out the attributes no selector tests.
    fn rewrite(&mut self, at: usize, tag: &Tag<'t>) {
        let Some(keep) = self.keep else { return };
        if self.stack.iter().any(|t| t == "svg" || t == "math") {
            return;
        }
        let mark = self.report.rewritten.len();
        let text = self.text;
        let o = self
            .out
            .get_or_insert_with(|| String::with_capacity(text.len()));
        let undo = o.len();
        o.push_str(&text[self.copied..at]);
        let span = (at, tag.end);
        if super::attrs::rewrite_tag(text, span, &tag.name, keep, mark, o, &mut self.scratch) {
            self.copied = tag.end;
            self.report.rewritten.push((at as u32, tag.end as u32));
        } else {
            o.truncate(undo);
        }
    }

    /// Leave out `text[from..to]`, with `space` in its place when set.
    fn cut(&mut self, from: usize, to: usize, space: bool) {
        let text = self.text;
        let o = self
            .out
            .get_or_insert_with(|| String::with_capacity(text.len()));
        o.push_str(&text[self.copied..from]);
        if space {
            o.push(' ');
        }
        self.copied = to;
    }

    /// An end tag: true when it is dropped (its start tag was).
    fn closing(&mut self, tag: &Tag<'t>) -> bool {
        // the innermost elements are the dropped ones: their end tags go first
        if let Some(n) = self.dropped_open.get_mut(tag.name.as_ref()) {
            *n -= 1;
            if *n == 0 {
                self.dropped_open.remove(tag.name.as_ref());
            }
            return true;
        }
        if self.formatting > 0 && is_formatting(&tag.name) {
            self.formatting -= 1;
        }
        if let Some(pos) = closes_at(&self.stack, &tag.name) {
            self.stack.truncate(pos);
        }
        false
    }

    /// A start tag of an element that has content.
    fn opening(&mut self, tag: &Tag<'t>) -> Open {
        if self.stack.last().is_some_and(|t| t == "p") && closes_p(&tag.name) {
            self.stack.pop();
        }
        if let Some(pos) = implied_close(&self.stack, &tag.name) {
            self.stack.truncate(pos);
        }
        let fmt = is_formatting(&tag.name);
        let drop = if self.elements >= self.max_elements {
            self.report.too_many += 1;
            true
        } else if self.stack.len() >= self.max_depth {
            self.report.too_deep += 1;
            true
        } else if fmt && self.formatting >= MAX_OPEN_FORMATTING {
            self.report.too_much_formatting += 1;
            true
        } else {
            if fmt {
                self.formatting += 1;
            }
            false
        };
        if drop {
            *self.dropped_open.entry(tag.name.to_string()).or_default() += 1;
            return Open::Drop;
        }
        self.elements += 1;
        if is_raw_text(&tag.name) && !in_foreign_content(&self.stack) {
            // its content is text: skip to its end tag, which closes it
            let end = find_end_tag(self.text, tag.end, &tag.name);
            if self.drop_unread && matches!(tag.name.as_ref(), "script" | "style") && end > tag.end
            {
                self.cut(tag.end, end, false);
                self.report.unread_bytes += end - tag.end;
            }
            return Open::SkipTo(end);
        }
        self.stack.push(tag.name.clone());
        Open::Keep
    }
}

fn scan<'t>(
    text: &'t str,
    max_depth: usize,
    max_elements: usize,
    drop_unread: bool,
    keep: Option<&AttrKeep>,
) -> (Cow<'t, str>, Bounded) {
    let b = text.as_bytes();
    let mut s = Scanner {
        text,
        keep,
        scratch: Vec::new(),
        max_depth,
        max_elements,
        drop_unread,
        stack: Vec::new(),
        dropped_open: HashMap::new(),
        report: Bounded::default(),
        elements: 0,
        formatting: 0,
        out: None,
        copied: 0,
    };
    let mut i = 0usize;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let at = i + off;
        if b[at..].starts_with(b"<!--") {
            i = text[at + 4..]
                .find("-->")
                .map(|p| at + 4 + p + 3)
                .unwrap_or(b.len());
            continue;
        }
        if matches!(b.get(at + 1), Some(b'!' | b'?')) {
            i = tag_end(b, at + 1);
            continue;
        }
        let Some(tag) = read_tag(text, at) else {
            i = at + 1;
            continue;
        };
        let drop = if tag.closing {
            s.closing(&tag)
        } else if !is_void(&tag.name) && !tag.self_closing {
            match s.opening(&tag) {
                Open::Keep => false,
                Open::Drop => true,
                Open::SkipTo(end) => {
                    i = end;
                    continue;
                }
            }
        } else {
            false
        };
        if drop {
            s.cut(at, tag.end, true);
        } else if !tag.closing {
            s.rewrite(at, &tag);
        }
        i = tag.end;
    }
    match s.out {
        Some(mut o) => {
            o.push_str(&text[s.copied..]);
            (Cow::Owned(o), s.report)
        }
        None => (Cow::Borrowed(text), s.report),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_markup_is_untouched() {
        let html = "<html><body><p>a<p>b<ul><li>x<li>y</ul><table><tr><td>1<td>2</table>\
<script>if (a<b) { x = '<div>'; }</script><!-- <div><div> --><br/><img src=x></body></html>";
        let (out, r) = bound_markup_with(html, 8, 100);
        assert!(matches!(out, Cow::Borrowed(_)), "{out}");
        assert_eq!(r, Bounded::default());
    }

    #[test]
    fn deep_nesting_loses_tags_beyond_the_bound_but_keeps_text() {
        let html = format!("{}deep{}tail", "<div>".repeat(10), "</div>".repeat(10));
        let (out, r) = bound_markup_with(&html, 4, 100);
        assert_eq!(r.too_deep, 6);
        assert_eq!(out.matches("<div>").count(), 4);
        assert_eq!(out.matches("</div>").count(), 4);
        assert!(out.contains("deep") && out.ends_with("tail"));
    }

    #[test]
    fn too_many_elements_lose_their_tags() {
        let html = "<i>x</i>".repeat(10);
        let (out, r) = bound_markup_with(&html, 100, 3);
        assert_eq!(r.too_many, 7);
        assert_eq!(out.matches("<i>").count(), 3);
        assert_eq!(out.matches('x').count(), 10);
    }

    #[test]
    fn formatting_left_open_is_bounded() {
        let html = format!(
            "{}<p>x</p>",
            (0..100).map(|i| format!("<b id={i}>")).collect::<String>()
        );
        let (out, r) = bound_markup_with(&html, 1000, 1000);
        assert_eq!(r.too_much_formatting, 100 - MAX_OPEN_FORMATTING);
        assert_eq!(out.matches("<b ").count(), MAX_OPEN_FORMATTING);
        // closed ones do not count
        let html = "<b>x</b>".repeat(200);
        assert_eq!(bound_markup_with(&html, 1000, 1000).1, Bounded::default());
    }

    #[test]
    fn end_tags_after_a_deep_part_close_the_right_elements() {
        let html = format!(
            "<div id=outer>{}x{}</div>after",
            "<div>".repeat(10),
            "</div>".repeat(10)
        );
        let (out, _) = bound_markup_with(&html, 4, 100);
        assert!(out.ends_with("</div>after"), "{out}");
        assert_eq!(out.matches("<div").count(), out.matches("</div>").count());
    }

    #[test]
    fn end_tags_the_parser_ignores_do_not_make_the_model_shallower() {
        // the parser ignores `</span>` here, so the tree grows two levels a round
        let html = "<span><div></span>".repeat(20);
        assert_eq!(bound_markup_with(&html, 10, 1000).1.too_deep, 30);
        // and `</div>` does not close past a table cell
        let html = "<div><table><tr><td></div>".repeat(10);
        assert!(bound_markup_with(&html, 10, 1000).1.too_deep > 0);
        // but ordinary closing still works
        let html = "<div><span>x</div><ul><li>a<li>b</ul><table><tr><td><div>c</td></tr></table>"
            .repeat(50);
        assert_eq!(bound_markup_with(&html, 10, 1000).1.too_deep, 0);
    }

    #[test]
    fn unterminated_tags_and_comments_end_the_scan() {
        for html in [
            "<div",
            "<!-- open",
            "<div a=\"x>",
            "</",
            "<",
            "<<<>>>",
            "<a\u{0}b>",
        ] {
            let _ = bound_markup_with(html, 2, 2);
        }
    }
}
