//! Attributes no selector reads, left out of the parse and read back from
//! the page where something asks for them.
//!
//! After `<script>`/`<style>` content (see [`super::limits`]), most of what
//! the parser still reads on real pages is attribute text: on the tagDiv
//! pages measured, 86–93 % of the markup left is inside start tags, and
//! tokenizing it (a character at a time into growing strings, then an
//! attribute list per element) is half the parse. A profile's selectors read
//! only a few attributes (`class`, `id`, the ones named in `[attr]`
//! conditions); the others (`href`, `src`, `srcset`, `style`, `data-*`, …)
//! are read only on the few elements a field or the body takes.
//!
//! So before the parse, [`rewrite_tag`] keeps, in each start tag, the
//! attributes the profile's selectors can test ([`AttrKeep`]): those named
//! whole, and of `class` only the tokens a selector names (when the
//! selectors test classes only by name or by a substring). A tag that lost
//! something gets a marker attribute ([`MARK`]) numbering it, and the byte
//! span of the original tag is remembered ([`Original`]). Reading an
//! attribute goes through [`Original::attr`]: an element with a marker has
//! its original tag tokenized again (by html5ever's own tokenizer, so
//! character references, case and duplicates come out as the parse would
//! have made them), once.
//!
//! Records never change, because every way the difference could show is
//! checked, and when one could, the page is parsed again whole (as for
//! script content):
//!
//! - a tag the scanner rewrote must become an element: every marker number
//!   must be found on some element after the parse ([`Original::complete`]);
//!   one that became text, a comment or an attribute value, or a tag the
//!   tree builder dropped, sends the page to the whole parse;
//! - the markup of an element (`html`, `inner_html` takes, tables rendered
//!   to text) holding a marked element ([`Original::html_safe`]), and an
//!   attribute of a marked element outside the HTML namespace, do too;
//! - tags whose attributes steer the tree builder (`input`, `font`, `html`,
//!   `body`, foreign content) and tags of raw-text elements are never
//!   rewritten, and a page that holds the marker's character is not
//!   rewritten at all.

use std::cell::{Cell, OnceCell};

use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use markup5ever::{ns, Attribute};
use rustc_hash::FxHashSet;
use scraper::node::Element;
use scraper::selector::{Parser as CssSyntax, Simple};
use scraper::ElementRef;
use selectors::attr::AttrSelectorOperator;
use selectors::parser::{Component, ParseRelative, Selector, SelectorList};

/// The name of the marker attribute (a private-use character: a page that
/// holds it anywhere is not rewritten).
pub const MARK: &str = "\u{e000}";
const MARK_CHAR: char = '\u{e000}';

/// Class names the extraction code tests itself (beside the selectors).
const CODE_CLASSES: &[&str] = &["wp-caption-text"];

/// Which attributes of a start tag the selectors can test.
#[derive(Debug, Clone)]
pub struct AttrKeep {
    /// Attributes kept as written (lower case).
    whole: FxHashSet<String>,
    /// Of `class` (when not kept whole): the tokens to keep, by their
    /// ASCII-lower-case form, exactly or containing one of `contains`.
    class_exact: FxHashSet<String>,
    class_contains: Vec<String>,
    /// A cheap test before the set: the lengths (below 64) and first bytes
    /// of `class_exact`'s tokens (filled by [`Self::seal`]).
    exact_lens: u64,
    exact_firsts: [bool; 256],
    /// The same rules with no `class_contains` (None when it is empty).
    exact_only: Option<Box<AttrKeep>>,
}

impl Default for AttrKeep {
    fn default() -> Self {
        AttrKeep {
            whole: FxHashSet::default(),
            class_exact: FxHashSet::default(),
            class_contains: Vec::new(),
            exact_lens: 0,
            exact_firsts: [false; 256],
            exact_only: None,
        }
    }
}

impl AttrKeep {
    /// The attributes the selectors `css` can test; None when some selector
    /// tests something these rules do not vouch for (a pseudo-class, a
    /// namespaced attribute), and then no attribute is left out.
    pub fn of_selectors<'c>(css: impl IntoIterator<Item = &'c str>) -> Option<AttrKeep> {
        let mut k = AttrKeep::default();
        let mut class_whole = false;
        for c in CODE_CLASSES {
            k.class_exact.insert(c.to_string());
        }
        for css in css {
            let mut parser = cssparser::Parser::new(css);
            let list =
                SelectorList::<Simple>::parse(&CssSyntax, &mut parser, ParseRelative::No).ok()?;
            for s in list.slice() {
                k.add(s, &mut class_whole)?;
            }
        }
        if class_whole {
            k.whole.insert("class".into());
            k.class_exact.clear();
            k.class_contains.clear();
        }
        for t in &k.class_exact {
            k.exact_lens |= if t.len() < 64 { 1 << t.len() } else { 1 << 63 };
            k.exact_firsts[usize::from(t.as_bytes()[0])] = true;
        }
        if !k.class_contains.is_empty() {
            let mut exact = k.clone();
            exact.class_contains.clear();
            k.exact_only = Some(Box::new(exact));
        }
        Some(k)
    }

    fn add(&mut self, s: &Selector<Simple>, class_whole: &mut bool) -> Option<()> {
        for c in s.iter_raw_match_order() {
            match c {
                Component::ID(_) => {
                    self.whole.insert("id".into());
                }
                Component::Class(name) => {
                    self.class_exact
                        .insert(name.0.to_string().to_ascii_lowercase());
                }
                Component::AttributeInNoNamespaceExists { local_name, .. } => {
                    let n = local_name.0.to_string().to_ascii_lowercase();
                    if n == "class" {
                        *class_whole = true;
                    }
                    self.whole.insert(n);
                }
                Component::AttributeInNoNamespace {
                    local_name,
                    operator,
                    value,
                    ..
                } => {
                    let n = local_name.0.to_string().to_ascii_lowercase();
                    let v = value.0.to_ascii_lowercase();
                    let token_wise = matches!(
                        operator,
                        AttrSelectorOperator::Includes | AttrSelectorOperator::Substring
                    ) && !v.is_empty()
                        && !v.bytes().any(|b| b.is_ascii_whitespace());
                    if n == "class" && token_wise {
                        match operator {
                            AttrSelectorOperator::Includes => self.class_exact.insert(v),
                            _ => {
                                self.class_contains.push(v);
                                true
                            }
                        };
                    } else {
                        if n == "class" {
                            *class_whole = true;
                        }
                        self.whole.insert(n);
                    }
                }
                Component::Negation(list) | Component::Is(list) | Component::Where(list) => {
                    for s in list.slice() {
                        self.add(s, class_whole)?;
                    }
                }
                Component::Has(rel) => {
                    for r in rel.iter() {
                        self.add(&r.selector, class_whole)?;
                    }
                }
                Component::AttributeOther(_)
                | Component::NonTSPseudoClass(_)
                | Component::PseudoElement(_)
                | Component::NthOf(_)
                | Component::Slotted(_)
                | Component::Host(_)
                | Component::Part(_)
                | Component::Invalid(_) => return None,
                _ => {}
            }
        }
        Some(())
    }

    /// These rules without the substring tests (for a value holding none
    /// of the substrings: no token of it does).
    fn exact_only(&self) -> &AttrKeep {
        self.exact_only.as_deref().unwrap_or(self)
    }

    /// Whether the attribute `name` (lower case) is kept as written.
    pub fn keeps_whole(&self, name: &str) -> bool {
        self.whole.contains(name)
    }

    /// Whether the class token `token` is kept (when class is not whole).
    pub fn class_token_kept(&self, token: &str) -> bool {
        self.token_kept(token, true)
    }

    /// [`Self::class_token_kept`]; `upper`: the token may hold upper case.
    fn token_kept(&self, token: &str, upper: bool) -> bool {
        let len_bit = if token.len() < 64 {
            1 << token.len()
        } else {
            1 << 63
        };
        let first = token.as_bytes()[0].to_ascii_lowercase();
        if self.class_contains.is_empty()
            && (self.exact_lens & len_bit == 0 || !self.exact_firsts[usize::from(first)])
        {
            return false;
        }
        let lower;
        let t = if upper && token.bytes().any(|c| c.is_ascii_uppercase()) {
            lower = token.to_ascii_lowercase();
            lower.as_str()
        } else {
            token
        };
        self.class_exact.contains(t) || self.class_contains.iter().any(|c| t.contains(c.as_str()))
    }
}

/// Start tags never rewritten: their attributes steer the tree builder, or
/// the element is merged, raw text, or foreign.
fn exempt(name: &str) -> bool {
    super::limits::is_raw_text(name)
        || matches!(
            name,
            "html"
                | "head"
                | "body"
                | "link"
                | "meta"
                | "base"
                | "font"
                | "input"
                | "svg"
                | "math"
                | "template"
                | "frameset"
                | "frame"
                | "plaintext"
                | "image"
                | "isindex"
                | "keygen"
                | "select"
        )
}

/// Whether the page may be rewritten at all.
pub fn page_allows(text: &str) -> bool {
    !text.contains(MARK_CHAR)
}

fn is_ws(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// One attribute of a start tag as the tokenizer splits it: the byte range
/// of its name, of all of it (`name="value"`), and of its value (quotes
/// excluded) when it has one.
pub struct RawAttr {
    name: (usize, usize),
    whole: (usize, usize),
    value: Option<(usize, usize)>,
}

/// A start tag split the way html5ever's tokenizer splits it (tag open,
/// tag name, attribute name and value states, self-closing state). None
/// when the text ends inside the tag (the tokenizer drops such a tag).
struct RawTag {
    name_end: usize,
    end: usize,
    self_closing: bool,
}

fn split_tag(b: &[u8], start: usize, attrs: &mut Vec<RawAttr>) -> Option<RawTag> {
    #[derive(Clone, Copy)]
    enum St {
        BeforeName,
        Name(usize),
        AfterName(usize, usize),
        BeforeValue(usize, usize),
        AfterQuoted,
        SelfClosing,
    }
    let n = b.len();
    let mut i = start + 1;
    while i < n && !is_ws(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let name_end = i;
    // the tag ends at the `>` at `at`
    let done = |at: usize, self_closing: bool| {
        Some(RawTag {
            name_end,
            end: at + 1,
            self_closing,
        })
    };
    attrs.clear();
    let mut st = St::BeforeName;
    loop {
        match st {
            St::BeforeName => {
                while i < n && is_ws(b[i]) {
                    i += 1;
                }
                match b.get(i)? {
                    b'/' => {
                        i += 1;
                        st = St::SelfClosing;
                    }
                    b'>' => return done(i, false),
                    _ => {
                        // any other character (`=` too) starts a name
                        st = St::Name(i);
                        i += 1;
                    }
                }
            }
            St::Name(s) => {
                while i < n && !is_ws(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
                    i += 1;
                }
                if i >= n {
                    return None;
                }
                if b[i] == b'=' {
                    i += 1;
                    st = St::BeforeValue(s, i - 1);
                } else {
                    st = St::AfterName(s, i);
                }
            }
            St::AfterName(s, e) => {
                while i < n && is_ws(b[i]) {
                    i += 1;
                }
                match b.get(i)? {
                    b'=' => {
                        i += 1;
                        st = St::BeforeValue(s, e);
                    }
                    c => {
                        attrs.push(RawAttr {
                            name: (s, e),
                            whole: (s, e),
                            value: None,
                        });
                        match c {
                            b'/' => {
                                i += 1;
                                st = St::SelfClosing;
                            }
                            b'>' => return done(i, false),
                            _ => {
                                st = St::Name(i);
                                i += 1;
                            }
                        }
                    }
                }
            }
            St::BeforeValue(s, e) => {
                while i < n && is_ws(b[i]) {
                    i += 1;
                }
                match *b.get(i)? {
                    q @ (b'"' | b'\'') => {
                        let close = i + 1 + memchr::memchr(q, &b[i + 1..])?;
                        attrs.push(RawAttr {
                            name: (s, e),
                            whole: (s, close + 1),
                            value: Some((i + 1, close)),
                        });
                        i = close + 1;
                        st = St::AfterQuoted;
                    }
                    b'>' => {
                        // `a=>`: the value is missing, the tag ends
                        attrs.push(RawAttr {
                            name: (s, e),
                            whole: (s, i),
                            value: Some((i, i)),
                        });
                        return done(i, false);
                    }
                    _ => {
                        let v = i;
                        while i < n && !is_ws(b[i]) && b[i] != b'>' {
                            i += 1;
                        }
                        if i >= n {
                            return None;
                        }
                        attrs.push(RawAttr {
                            name: (s, e),
                            whole: (s, i),
                            value: Some((v, i)),
                        });
                        st = St::BeforeName;
                    }
                }
            }
            St::AfterQuoted => match *b.get(i)? {
                c if is_ws(c) => st = St::BeforeName,
                b'/' => {
                    i += 1;
                    st = St::SelfClosing;
                }
                b'>' => return done(i, false),
                // no space before the next attribute: it starts here
                _ => st = St::BeforeName,
            },
            St::SelfClosing => match *b.get(i)? {
                b'>' => return done(i, true),
                _ => st = St::BeforeName,
            },
        }
    }
}

/// Writes to `out` the start tag at `text[start..end]` (`name` its
/// lower-case name) with only the attributes `keep` names and
/// [`MARK`]`=mark`, and returns true, when the tag has something to leave
/// out; false (and `out` as it was) when the tag is kept as it is: nothing
/// to leave out, an exempt tag, or one the split does not end where the
/// scanner does. `scratch` is reused between calls.
fn push_number(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

pub fn rewrite_tag(
    text: &str,
    (start, end): (usize, usize),
    name: &str,
    keep: &AttrKeep,
    mark: usize,
    out: &mut String,
    scratch: &mut Vec<RawAttr>,
) -> bool {
    if exempt(name) {
        return false;
    }
    let b = text.as_bytes();
    let Some(tag) = split_tag(b, start, scratch) else {
        return false;
    };
    if tag.end != end || scratch.is_empty() {
        return false;
    }
    let undo = out.len();
    out.push_str(&text[start..tag.name_end]);
    out.push(' ');
    out.push_str(MARK);
    out.push('=');
    push_number(out, mark);
    let mut changed = false;
    let mut class_seen = false;
    for a in scratch.iter() {
        let raw_name = &text[a.name.0..a.name.1];
        let lower;
        let name = if raw_name.bytes().any(|c| c.is_ascii_uppercase()) {
            lower = raw_name.to_ascii_lowercase();
            lower.as_str()
        } else {
            raw_name
        };
        let whole = &text[a.whole.0..a.whole.1];
        if keep.whole.contains(name) {
            out.push(' ');
            out.push_str(whole);
            continue;
        }
        if name == "class" && !class_seen {
            class_seen = true;
            let value = a.value.map(|(s, e)| &text[s..e]).unwrap_or("");
            // character references, quotes or non-ASCII in the value: kept
            // as written (tokens are split the way every reader splits them)
            // (branch-free folds: the compiler makes them vector loops)
            let upper = value.bytes().fold(false, |a, c| a | c.is_ascii_uppercase());
            let special = value.bytes().fold(false, |a, c| {
                a | (c == b'&') | (c == b'"') | (c == b'\'') | (c == 0) | (c >= 0x80)
            });
            if special {
                out.push(' ');
                out.push_str(whole);
                continue;
            }
            let at = out.len();
            out.push_str(" class=\"");
            let open = out.len();
            let mut all = true;
            let keep = match upper
                || keep
                    .class_contains
                    .iter()
                    .any(|c| value.contains(c.as_str()))
            {
                true => keep,
                false => keep.exact_only(),
            };
            for t in value.split_ascii_whitespace() {
                if keep.token_kept(t, upper) {
                    if out.len() > open {
                        out.push(' ');
                    }
                    out.push_str(t);
                } else {
                    all = false;
                }
            }
            if all {
                out.truncate(at);
                out.push(' ');
                out.push_str(whole);
                continue;
            }
            changed = true;
            if out.len() == open {
                out.truncate(at);
            } else {
                out.push('"');
            }
            continue;
        }
        changed = true;
    }
    if !changed {
        out.truncate(undo);
        return false;
    }
    out.push_str(if tag.self_closing { " />" } else { ">" });
    true
}

/// The original start tags of a page whose attributes were left out of the
/// parse, to read them back ([`Self::attr`]); empty when nothing was.
#[derive(Default)]
pub struct Original {
    source: String,
    spans: Vec<(u32, u32)>,
    restored: Vec<OnceCell<Element>>,
    lost: Cell<bool>,
}

impl std::fmt::Debug for Original {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Original")
            .field("tags", &self.spans.len())
            .field("lost", &self.lost.get())
            .finish()
    }
}

struct Capture(std::cell::RefCell<Option<Tag>>);

impl TokenSink for Capture {
    type Handle = ();
    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        if let Token::TagToken(t) = token {
            let mut c = self.0.borrow_mut();
            if c.is_none() && t.kind == TagKind::StartTag {
                *c = Some(t);
            }
        }
        TokenSinkResult::Continue
    }
}

/// The attributes html5ever's tokenizer reads from the start tag `tag`.
fn tokenize_attrs(tag: &str) -> Vec<Attribute> {
    let tok = Tokenizer::new(
        Capture(std::cell::RefCell::new(None)),
        TokenizerOpts::default(),
    );
    let input = BufferQueue::default();
    input.push_back(tag.into());
    let _ = tok.feed(&input);
    tok.end();
    tok.sink.0.take().map(|t| t.attrs).unwrap_or_default()
}

impl Original {
    /// The original tags `spans` of `source` (marker n is `spans[n]`).
    pub fn new(source: String, spans: Vec<(u32, u32)>) -> Original {
        let restored = (0..spans.len()).map(|_| OnceCell::new()).collect();
        Original {
            source,
            spans,
            restored,
            lost: Cell::new(false),
        }
    }

    /// Whether any attribute was left out of the parse.
    pub fn is_active(&self) -> bool {
        !self.spans.is_empty()
    }

    /// Number of tags rewritten.
    pub fn tags(&self) -> usize {
        self.spans.len()
    }

    fn mark_of(el: &Element) -> Option<usize> {
        el.attrs()
            .find(|(k, _)| *k == MARK)
            .and_then(|(_, v)| v.parse().ok())
    }

    /// `el` with the attributes its start tag had on the page.
    pub fn element<'s>(&'s self, el: &'s Element) -> &'s Element {
        if !self.is_active() {
            return el;
        }
        let Some(n) = Self::mark_of(el).filter(|&n| n < self.spans.len()) else {
            return el;
        };
        if el.name.ns != ns!(html) {
            // foreign elements' attribute names are adjusted by the tree
            // builder: parse again whole
            self.lost.set(true);
            return el;
        }
        self.restored[n].get_or_init(|| {
            let (s, e) = self.spans[n];
            Element::new(
                el.name.clone(),
                tokenize_attrs(&self.source[s as usize..e as usize]),
            )
        })
    }

    /// The attribute `name` of `el` as the page has it.
    pub fn attr<'s>(&'s self, el: &'s Element, name: &str) -> Option<&'s str> {
        self.element(el).attr(name)
    }

    /// Whether the markup of `el` is the page's (no element in it lost
    /// attributes); when not, notes that the page must be parsed again.
    pub fn html_safe(&self, el: ElementRef<'_>) -> bool {
        if !self.is_active() {
            return true;
        }
        let marked = el
            .descendants()
            .filter_map(ElementRef::wrap)
            .any(|e| e.value().attrs().any(|(k, _)| k == MARK));
        if marked {
            self.lost.set(true);
        }
        !marked
    }

    /// Whether something read what the parse left out (parse again whole).
    pub fn lost(&self) -> bool {
        self.lost.get()
    }

    /// Whether every rewritten tag became an element of `doc` (each marker
    /// number is found at least once).
    pub fn complete(&self, doc: &scraper::Html) -> bool {
        if !self.is_active() {
            return true;
        }
        let mut seen = vec![false; self.spans.len()];
        let mut found = 0usize;
        for n in doc.tree.values() {
            if let scraper::Node::Element(e) = n {
                if let Some(m) = Self::mark_of(e) {
                    if let Some(s) = seen.get_mut(m) {
                        if !*s {
                            *s = true;
                            found += 1;
                        }
                    }
                }
            }
        }
        found == self.spans.len()
    }
}
