//! Link discovery from the token stream, without building the document.
//!
//! A crawl that extracts nothing needs only a page's links, and building
//! the whole tree for them (every element, attribute and text node) costs
//! more than tokenizing. This scan runs the html5ever tokenizer alone and
//! reads `<a href>`, `<link rel=next>` and `<base href>` off the start tags.
//! The tokenizer is the parser's own, and the scan switches it into the
//! text states (title, textarea, style, noscript, …) exactly where the tree
//! builder does, so every start tag it sees is one the parser sees.
//!
//! What the tree builder would do beyond that — move elements out of a
//! table (foster parenting), parse foreign content (`<svg>`, `<math>`),
//! drop the body for a frameset — would change which links come first or
//! whether they exist. The scan does not model it: it gives up on such a
//! page (`None`), and the caller parses the page and uses
//! [`super::discover`], so the links are always the ones the parsed
//! document gives.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use markup5ever::TokenizerResult;

use super::LinkKind;

/// What the scan found: raw `href` values in document order, and the first
/// `<base href>`.
#[derive(Debug, Default)]
pub(super) struct Found {
    /// Each link element's `href`, as written, and how it was found.
    pub hrefs: Vec<(String, LinkKind)>,
    /// The `href` of the first `<base>` that has one.
    pub base: Option<String>,
}

/// Where the scan is in a table, as far as placing elements goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TablePart {
    Table,
    /// `tbody`, `thead`, `tfoot`.
    Section,
    Row,
    /// `td`, `th`, `caption`: content goes inside, as in the body.
    Cell,
}

/// Start tags that keep their place directly inside a table (anything else
/// there is moved before the table by the tree builder).
const IN_TABLE: [&str; 13] = [
    "table", "caption", "colgroup", "col", "tbody", "thead", "tfoot", "tr", "td", "th", "script",
    "style", "form",
];

struct State {
    found: Found,
    tables: Vec<TablePart>,
    pagination: bool,
    /// The page has markup the scan does not model.
    gave_up: bool,
}

struct Sink(RefCell<State>);

/// Scan `text` (decoded and prepared as for the parser). None when the page
/// needs the tree builder to know its links (see the module header).
pub(super) fn scan(text: &str, pagination: bool) -> Option<Found> {
    let sink = Sink(RefCell::new(State {
        found: Found::default(),
        tables: Vec::new(),
        pagination,
        gave_up: false,
    }));
    let tok = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(text));
    // the sink stops the tokenizer (as a script would) when it gives up
    let stopped = matches!(tok.feed(&input), TokenizerResult::Script(()));
    if !stopped {
        tok.end();
    }
    let state = tok.sink.0.into_inner();
    (!state.gave_up).then_some(state.found)
}

fn attr<'t>(tag: &'t Tag, name: &str) -> Option<&'t str> {
    tag.attrs
        .iter()
        .find(|a| a.name.ns.is_empty() && &*a.name.local == name)
        .map(|a| &*a.value)
}

/// `rel~=next i`: one of the white-space separated words is "next".
fn rel_next(tag: &Tag) -> bool {
    attr(tag, "rel").is_some_and(|rel| {
        rel.split([' ', '\t', '\n', '\r', '\x0C'])
            .any(|w| w.eq_ignore_ascii_case("next"))
    })
}

/// The tokenizer state the tree builder sets after this start tag (in HTML
/// content, with scripting on, as `Html::parse_document` parses).
fn text_state(name: &str) -> TokenSinkResult<()> {
    match name {
        "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
            TokenSinkResult::RawData(RawKind::Rawtext)
        }
        "script" => TokenSinkResult::RawData(RawKind::ScriptData),
        "plaintext" => TokenSinkResult::Plaintext,
        _ => TokenSinkResult::Continue,
    }
}

impl State {
    /// Directly inside a table, a row group or a row (not in a cell).
    fn in_table_body(&self) -> bool {
        matches!(
            self.tables.last(),
            Some(TablePart::Table | TablePart::Section | TablePart::Row)
        )
    }

    /// Pop while the innermost part is one of `parts`.
    fn pop_while(&mut self, parts: &[TablePart]) {
        while self.tables.last().is_some_and(|p| parts.contains(p)) {
            self.tables.pop();
        }
    }

    /// Pop up to and including the innermost `part` of the innermost table
    /// (nothing when that table has none open).
    fn close(&mut self, part: TablePart) {
        let innermost = self
            .tables
            .iter()
            .rposition(|p| *p == part || *p == TablePart::Table);
        if let Some(i) = innermost.filter(|&i| self.tables[i] == part) {
            self.tables.truncate(i);
        }
    }

    /// Follow the table structure of a start tag. False when the tree
    /// builder would move the element (or give it a template's own rules).
    fn table_start(&mut self, name: &str) -> bool {
        use TablePart::*;
        if self.in_table_body() && !IN_TABLE.contains(&name) {
            return false;
        }
        let in_a_table = !self.tables.is_empty();
        match name {
            "table" => {
                if self.in_table_body() {
                    self.close(Table);
                }
                self.tables.push(Table);
            }
            "tbody" | "thead" | "tfoot" if in_a_table => {
                self.pop_while(&[Cell, Row, Section]);
                self.tables.push(Section);
            }
            "tr" if in_a_table => {
                self.pop_while(&[Cell, Row]);
                self.tables.push(Row);
            }
            "td" | "th" if in_a_table => {
                self.pop_while(&[Cell]);
                self.tables.push(Cell);
            }
            "caption" if in_a_table => {
                self.pop_while(&[Cell, Row, Section]);
                self.tables.push(Cell);
            }
            "colgroup" | "col" if in_a_table => self.pop_while(&[Cell, Row, Section]),
            _ => {}
        }
        true
    }

    fn table_end(&mut self, name: &str) {
        match name {
            "table" => self.close(TablePart::Table),
            "tbody" | "thead" | "tfoot" => self.close(TablePart::Section),
            "tr" => self.close(TablePart::Row),
            "td" | "th" | "caption" => self.close(TablePart::Cell),
            _ => {}
        }
    }

    fn start_tag(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let name = &*tag.name;
        // a template's content takes the insertion mode of its first tag
        let unmodelled = matches!(name, "svg" | "math" | "frameset" | "template");
        if unmodelled || !self.table_start(name) {
            self.gave_up = true;
            return TokenSinkResult::Script(());
        }
        match name {
            "a" => {
                if let Some(href) = attr(tag, "href") {
                    let kind = match self.pagination && rel_next(tag) {
                        true => LinkKind::Pagination,
                        false => LinkKind::Anchor,
                    };
                    self.found.hrefs.push((href.to_string(), kind));
                }
            }
            "link" if self.pagination && rel_next(tag) => {
                if let Some(href) = attr(tag, "href") {
                    self.found
                        .hrefs
                        .push((href.to_string(), LinkKind::Pagination));
                }
            }
            "base" if self.found.base.is_none() => {
                self.found.base = attr(tag, "href").map(str::to_string);
            }
            _ => {}
        }
        text_state(name)
    }
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        let mut st = self.0.borrow_mut();
        if st.gave_up {
            return TokenSinkResult::Script(());
        }
        match tag.kind {
            TagKind::StartTag => st.start_tag(&tag),
            TagKind::EndTag => {
                st.table_end(&tag.name);
                TokenSinkResult::Continue
            }
        }
    }
}

#[cfg(test)]
mod tests;
