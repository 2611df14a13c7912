//! The article body: the container's content flattened into blocks
//! (paragraphs, headings, list items, quotes, images), cleaned, with the
//! repeated teaser and the dateline prefix removed, rendered as paragraphs,
//! text and sanitized HTML. The walk is iterative, so nesting depth cannot
//! overflow the stack.

use std::collections::HashSet;

use ego_tree::iter::Edge;
use ego_tree::NodeId;
use scraper::{ElementRef, Node};
use url::Url;

use super::attrs::Original;
use super::select::{absolute_url, element_text, is_block_tag, is_skipped_tag};
use crate::text::{alnum_chars, alnum_key, escape_html, is_invisible, is_space};

pub use crate::record::Image;

/// Inline content of a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Cleaned text.
    Text(String),
    /// Start of an inline element.
    Open(Tag),
    /// End of an inline element.
    Close(Tag),
    /// A line break.
    Br,
}

/// Inline elements kept in the HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tag {
    /// A link (absolute href).
    A(String),
    /// Emphasis.
    Em,
    /// Strong emphasis.
    Strong,
}

/// What kind of block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Paragraph.
    P,
    /// Heading level 1-6.
    H(u8),
    /// List item (ordered or not).
    Li(bool),
    /// Quotation.
    Quote,
    /// Preformatted or a rendered table.
    Pre,
    /// An image (index into the images).
    Image(usize),
}

/// One block of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Kind.
    pub kind: Kind,
    /// Clean text; equals the concatenation of the `Text` items.
    pub text: String,
    /// Inline content.
    pub inline: Vec<Inline>,
    /// The element the block came from (the innermost block element open
    /// when it ended; None for an image), for `explain`.
    pub from: Option<NodeId>,
}

/// The flattened body before cleaning.
#[derive(Debug, Default)]
pub struct Flat {
    /// Blocks in order.
    pub blocks: Vec<Block>,
    /// Images in order.
    pub images: Vec<Image>,
    /// Notes from the walk (tables that failed to render, …).
    pub warnings: Vec<String>,
}

struct Builder<'b> {
    base: &'b Url,
    /// The page's start tags that lost attributes before the parse.
    orig: Option<&'b Original>,
    out: Flat,
    text: String,
    inline: Vec<Inline>,
    pending_space: bool,
    kinds: Vec<(NodeId, Kind)>,
    /// The block elements open now, innermost last (what a block came from).
    blocks_open: Vec<NodeId>,
    open: Vec<(NodeId, Tag)>,
    pending_images: Vec<usize>,
    figures: Vec<(NodeId, Option<usize>)>,
}

impl Builder<'_> {
    fn push_text(&mut self, t: &str) {
        for c in t.chars() {
            if is_space(c) {
                self.pending_space = !self.text.is_empty();
            } else if !is_invisible(c) {
                if self.pending_space {
                    self.push_char(' ');
                    self.pending_space = false;
                }
                self.push_char(c);
            }
        }
    }

    fn push_char(&mut self, c: char) {
        self.text.push(c);
        if let Some(Inline::Text(s)) = self.inline.last_mut() {
            s.push(c);
        } else {
            self.inline.push(Inline::Text(c.to_string()));
        }
    }

    fn br(&mut self) {
        // Two line breaks in a row end a paragraph (Joomla-era markup uses them instead of <p>).
        if matches!(self.inline.last(), Some(Inline::Br)) {
            self.inline.pop();
            self.flush();
        } else if !self.text.is_empty() {
            self.inline.push(Inline::Br);
            self.pending_space = true;
        }
    }

    fn kind(&self) -> Kind {
        self.kinds.last().map(|k| k.1).unwrap_or(Kind::P)
    }

    fn flush(&mut self) {
        while matches!(self.inline.last(), Some(Inline::Br)) {
            self.inline.pop();
        }
        if !self.text.is_empty() {
            let mut inline = std::mem::take(&mut self.inline);
            for (_, t) in self.open.iter().rev() {
                inline.push(Inline::Close(t.clone()));
            }
            let kind = self.kind();
            self.out.blocks.push(Block {
                kind,
                text: std::mem::take(&mut self.text),
                inline,
                from: self.blocks_open.last().copied(),
            });
        }
        self.text.clear();
        self.inline = self
            .open
            .iter()
            .map(|(_, t)| Inline::Open(t.clone()))
            .collect();
        self.pending_space = false;
        for idx in std::mem::take(&mut self.pending_images) {
            self.out.blocks.push(Block {
                kind: Kind::Image(idx),
                text: String::new(),
                inline: Vec::new(),
                from: None,
            });
        }
    }

    fn image(&mut self, el: ElementRef<'_>) {
        let v = self.orig.map_or(el.value(), |o| o.element(el.value()));
        let src = largest_candidate(el, self.base, self.orig).or_else(|| {
            ["data-src", "data-lazy-src", "src"]
                .iter()
                .filter_map(|a| v.attr(a))
                .find_map(|s| absolute_url(self.base, s).filter(|u| u.starts_with("http")))
        });
        let Some(src) = src else { return };
        if v.attr("width") == Some("1") && v.attr("height") == Some("1") {
            return; // tracking pixel
        }
        let idx = self.out.images.len();
        self.out.images.push(Image {
            src,
            alt: crate::text::clean(v.attr("alt").unwrap_or("")),
            caption: None,
            media_id: None,
        });
        if let Some(f) = self.figures.last_mut() {
            if f.1.is_none() {
                f.1 = Some(idx);
            }
        }
        self.pending_images.push(idx);
    }

    fn caption(&mut self, el: ElementRef<'_>) {
        let text = element_text(el, &HashSet::new());
        let target = self
            .figures
            .last()
            .and_then(|f| f.1)
            .or_else(|| self.out.images.len().checked_sub(1));
        if let Some(i) = target {
            if !text.is_empty() && self.out.images[i].caption.is_none() {
                self.out.images[i].caption = Some(text);
            }
        }
    }
}

/// One candidate of a `srcset`: its URL, and its width (`480w`) or pixel
/// density (`2x`; 1 without a descriptor).
#[derive(Debug, Clone, PartialEq)]
struct Candidate<'a> {
    url: &'a str,
    width: Option<u32>,
    density: f64,
}

/// The candidates of a `srcset` value, parsed as browsers do: URLs run to
/// white space (commas inside them stay, a trailing comma ends one), and
/// descriptors run to the next comma outside parentheses. Candidates with
/// descriptors that make no sense are dropped.
fn srcset_candidates(value: &str) -> Vec<Candidate<'_>> {
    let mut out = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            return out;
        }
        let end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let (mut url, after) = rest.split_at(end);
        rest = after;
        let mut descriptors = "";
        if url.ends_with(',') {
            url = url.trim_end_matches(',');
        } else {
            let mut depth = 0;
            let stop = rest
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        ',' if depth <= 0 => return true,
                        _ => {}
                    }
                    false
                })
                .map_or(rest.len(), |(i, _)| i);
            descriptors = &rest[..stop];
            rest = &rest[stop..];
        }
        if url.is_empty() {
            continue;
        }
        let mut c = Candidate {
            url,
            width: None,
            density: 1.0,
        };
        let mut ok = true;
        for d in descriptors.split_ascii_whitespace() {
            if let Some(w) = d.strip_suffix('w') {
                match w.parse::<u32>() {
                    Ok(w) if w > 0 && c.width.is_none() => c.width = Some(w),
                    _ => ok = false,
                }
            } else if let Some(x) = d.strip_suffix('x') {
                match x.parse::<f64>() {
                    Ok(x) if x.is_finite() && x > 0.0 => c.density = x,
                    _ => ok = false,
                }
            } else if d
                .strip_suffix('h')
                .is_some_and(|h| h.parse::<u32>().is_ok())
            {
                // a height hint: kept out of the choice
            } else {
                ok = false;
            }
        }
        if ok {
            out.push(c);
        }
    }
}

/// The largest candidate of an image's `srcset` (and `data-srcset`) and of
/// the `<source srcset>` of the `<picture>` around it: by width where
/// candidates give one, else by density; the first of equals wins.
fn largest_candidate<'e>(
    el: ElementRef<'e>,
    base: &Url,
    orig: Option<&'e Original>,
) -> Option<String> {
    let as_on_page = |e: ElementRef<'e>| orig.map_or(e.value(), |o| o.element(e.value()));
    let mut sets: Vec<&str> = Vec::new();
    if let Some(p) = el.parent().and_then(ElementRef::wrap) {
        if p.value().name() == "picture" {
            for s in p.children().filter_map(ElementRef::wrap) {
                if s.value().name() == "source" {
                    let v = as_on_page(s);
                    sets.extend(["srcset", "data-srcset"].iter().filter_map(|a| v.attr(a)));
                }
            }
        }
    }
    let v = as_on_page(el);
    sets.extend(["srcset", "data-srcset"].iter().filter_map(|a| v.attr(a)));
    let cands: Vec<Candidate<'_>> = sets
        .into_iter()
        .flat_map(srcset_candidates)
        .filter(|c| absolute_url(base, c.url).is_some_and(|u| u.starts_with("http")))
        .collect();
    let by_width = cands.iter().any(|c| c.width.is_some());
    let mut best: Option<&Candidate<'_>> = None;
    for c in &cands {
        if by_width && c.width.is_none() {
            continue;
        }
        let better = match best {
            None => true,
            Some(b) if by_width => c.width > b.width,
            Some(b) => c.density > b.density,
        };
        if better {
            best = Some(c);
        }
    }
    best.and_then(|c| absolute_url(base, c.url))
}

fn is_caption(name: &str, el: &scraper::node::Element) -> bool {
    name == "figcaption"
        || el.has_class(
            "wp-caption-text",
            scraper::CaseSensitivity::AsciiCaseInsensitive,
        )
}

/// Render a table to text with html2text; a panic inside it is contained.
fn table_text(el: ElementRef<'_>) -> Result<String, String> {
    let html = el.html();
    let rendered = std::panic::catch_unwind(|| html2text::from_read(html.as_bytes(), 100))
        .map_err(|_| "table rendering panicked; table left out".to_string())?
        .map_err(|e| format!("table rendering failed: {e}"))?;
    Ok(rendered
        .lines()
        .map(crate::text::clean)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" / "))
}

/// Flatten `container` into blocks, skipping `removed` subtrees.
pub fn flatten(container: ElementRef<'_>, removed: &HashSet<NodeId>, base: &Url) -> Flat {
    flatten_with(container, removed, base, None)
}

/// [`flatten`] of a page parsed without some attributes: `orig` gives them
/// back (see [`super::attrs`]).
pub fn flatten_with<'e>(
    container: ElementRef<'e>,
    removed: &HashSet<NodeId>,
    base: &Url,
    orig: Option<&'e Original>,
) -> Flat {
    let mut b = Builder {
        base,
        orig,
        out: Flat::default(),
        text: String::new(),
        inline: Vec::new(),
        pending_space: false,
        kinds: Vec::new(),
        blocks_open: Vec::new(),
        open: Vec::new(),
        pending_images: Vec::new(),
        figures: Vec::new(),
    };
    // the subtree being skipped, until its end
    let mut skip: Option<NodeId> = None;
    for edge in container.traverse() {
        match edge {
            Edge::Open(n) => {
                if skip.is_some() {
                    continue;
                }
                match n.value() {
                    Node::Text(t) => b.push_text(t),
                    Node::Element(_) => {
                        let Some(el) = ElementRef::wrap(n) else {
                            continue;
                        };
                        let inside = n.id() != container.id();
                        // a removed subtree, or one the element is done with
                        if (inside && removed.contains(&n.id())) || b.open_element(el, inside) {
                            skip = Some(n.id());
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(n) => {
                if let Some(s) = skip {
                    if s == n.id() {
                        skip = None;
                    }
                    continue;
                }
                if let Node::Element(e) = n.value() {
                    b.close_element(n.id(), e.name());
                }
            }
        }
    }
    b.flush();
    b.out
}

impl Builder<'_> {
    /// The start of element `el` (`inside`: not the container itself);
    /// true when its subtree is to be skipped (done with, or not content).
    fn open_element(&mut self, el: ElementRef<'_>, inside: bool) -> bool {
        let e = el.value();
        let name = e.name();
        if inside && is_skipped_tag(name) {
            return true;
        }
        if is_caption(name, e) {
            self.caption(el);
            return true;
        }
        match name {
            "br" => self.br(),
            "img" => self.image(el),
            "table" => {
                self.table(el);
                return true;
            }
            "a" | "em" | "i" | "strong" | "b" => self.open_inline(el),
            _ if is_block_tag(name) => self.open_block(el),
            _ => {}
        }
        false
    }

    /// A table: its text as one preformatted block, then its images.
    fn table(&mut self, el: ElementRef<'_>) {
        self.flush();
        if self.orig.is_some_and(|o| !o.html_safe(el)) {
            return; // the page is parsed again whole
        }
        match table_text(el) {
            Ok(t) if !t.is_empty() => {
                self.out.blocks.push(Block {
                    kind: Kind::Pre,
                    inline: vec![Inline::Text(t.clone())],
                    text: t,
                    from: Some(el.id()),
                });
                // images inside the table are still images of the article
                for img in el.select(&IMG) {
                    self.image(img);
                }
                self.flush();
            }
            Ok(_) => {}
            Err(w) => self.out.warnings.push(w),
        }
    }

    /// The start of a kept inline element (a link with a usable href,
    /// emphasis, strong emphasis).
    fn open_inline(&mut self, el: ElementRef<'_>) {
        let e = self.orig.map_or(el.value(), |o| o.element(el.value()));
        let tag = match e.name() {
            "a" => match e.attr("href").and_then(|h| absolute_url(self.base, h)) {
                Some(h) if !h.contains('#') || !h.ends_with('#') => Tag::A(h),
                _ => return,
            },
            "em" | "i" => Tag::Em,
            _ => Tag::Strong,
        };
        if self.pending_space {
            // the space belongs before the element, not inside it
            self.push_char(' ');
            self.pending_space = false;
        }
        self.inline.push(Inline::Open(tag.clone()));
        self.open.push((el.id(), tag));
    }

    /// The start of a block element: what came before is a block, and the
    /// kind (heading, list item, quote, pre) and figure it opens.
    fn open_block(&mut self, el: ElementRef<'_>) {
        self.flush();
        let e = el.value();
        let name = e.name();
        let kind = match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Some(Kind::H(name.as_bytes()[1] - b'0')),
            "li" => Some(Kind::Li(
                el.parent()
                    .and_then(ElementRef::wrap)
                    .is_some_and(|p| p.value().name() == "ol"),
            )),
            "blockquote" => Some(Kind::Quote),
            "pre" => Some(Kind::Pre),
            _ => None,
        };
        if let Some(k) = kind {
            self.kinds.push((el.id(), k));
        }
        self.blocks_open.push(el.id());
        if name == "figure"
            || e.has_class("wp-caption", scraper::CaseSensitivity::AsciiCaseInsensitive)
        {
            self.figures.push((el.id(), None));
        }
    }

    /// The end of element `id` (called `name`).
    fn close_element(&mut self, id: NodeId, name: &str) {
        if self.open.last().is_some_and(|(open, _)| *open == id) {
            if let Some((_, tag)) = self.open.pop() {
                // an empty element leaves nothing behind
                if self.inline.last() == Some(&Inline::Open(tag.clone())) {
                    self.inline.pop();
                } else {
                    self.inline.push(Inline::Close(tag));
                }
            }
        } else if is_block_tag(name) {
            self.flush();
            if self.kinds.last().is_some_and(|(k, _)| *k == id) {
                self.kinds.pop();
            }
            if self.blocks_open.last() == Some(&id) {
                self.blocks_open.pop();
            }
            if self.figures.last().is_some_and(|(f, _)| *f == id) {
                self.figures.pop();
            }
        }
    }
}

static IMG: std::sync::LazyLock<scraper::Selector> =
    std::sync::LazyLock::new(|| scraper::Selector::parse("img").expect("static"));

/// Cut `n` bytes of text from the front of the text blocks, as if they were
/// joined by `\n`: whole blocks are removed, the next one loses its prefix.
pub fn strip_prefix(blocks: &mut Vec<Block>, mut n: usize) {
    let mut i = 0;
    while n > 0 && i < blocks.len() {
        if matches!(blocks[i].kind, Kind::Image(_)) {
            i += 1;
            continue;
        }
        let len = blocks[i].text.len();
        if n >= len {
            blocks.remove(i);
            n = n.saturating_sub(len + 1);
            continue;
        }
        cut_block(&mut blocks[i], n);
        if blocks[i].text.is_empty() {
            blocks.remove(i);
        }
        break;
    }
}

fn cut_block(block: &mut Block, n: usize) {
    let mut left = n;
    let mut out = Vec::with_capacity(block.inline.len());
    for item in block.inline.drain(..) {
        match item {
            Inline::Text(s) if left > 0 => {
                if s.len() <= left {
                    left -= s.len();
                } else {
                    out.push(Inline::Text(s[left..].to_string()));
                    left = 0;
                }
            }
            Inline::Br if left > 0 => {}
            other => out.push(other),
        }
    }
    // The text after the cut starts clean.
    if let Some(Inline::Text(s)) = out.iter_mut().find(|i| matches!(i, Inline::Text(_))) {
        *s = s.trim_start().to_string();
    }
    block.inline = out;
    block.text = block.text[n..].trim_start().to_string();
}

/// The text blocks joined with `\n` (the view datelines are matched against).
pub fn joined_text(blocks: &[Block]) -> String {
    let mut s = String::new();
    for b in blocks.iter().filter(|b| !matches!(b.kind, Kind::Image(_))) {
        if !s.is_empty() {
            s.push('\n');
        }
        s.push_str(&b.text);
    }
    s
}

/// Drop leading blocks that only repeat the text that follows them (a teaser
/// of the lead). `strip` removes a dateline from a text before comparing.
/// Returns how many were dropped.
///
/// The first three blocks that stay are looked at (images and blocks too
/// short to compare count as staying); a block is a repeat when 80 % of its
/// letters and digits begin the text after it. Each block is compared with
/// only as much of that text as it is long, and the blocks are removed in
/// one pass at the end, so the rule costs a small multiple of the page
/// whatever the page (a page of identical paragraphs took quadratic time).
pub fn drop_repeated_lead(blocks: &mut Vec<Block>, strip: &dyn Fn(&str) -> usize) -> Vec<Block> {
    let mut drop = vec![false; blocks.len()];
    let mut dropped = 0;
    let mut kept = 0;
    let mut i = 0;
    while kept < 3 && i < blocks.len() {
        if is_repeat(&blocks[i], &blocks[i + 1..], strip) {
            drop[i] = true;
            dropped += 1;
        } else {
            kept += 1;
        }
        i += 1;
    }
    if dropped == 0 {
        return Vec::new();
    }
    let mut flags = drop.into_iter();
    let (gone, kept): (Vec<Block>, Vec<Block>) = std::mem::take(blocks)
        .into_iter()
        .partition(|_| flags.next().unwrap_or(false));
    *blocks = kept;
    gone
}

/// Whether `block` repeats the start of the text of `after` (see
/// [`drop_repeated_lead`]).
fn is_repeat(block: &Block, after: &[Block], strip: &dyn Fn(&str) -> usize) -> bool {
    if matches!(block.kind, Kind::Image(_)) {
        return false;
    }
    let t = &block.text;
    #[cfg(test)]
    EXAMINED.with(|e| e.set(e.get() + t.len()));
    let core = alnum_key(&t[strip(t)..]);
    let len = core.chars().count();
    if len < 20 {
        return false;
    }
    let (rest, from) = text_ahead(after, len, strip);
    // only as much of the rest as the block is long gets compared
    let common = core
        .chars()
        .zip(alnum_chars(&rest[from..]))
        .take_while(|(a, b)| a == b)
        .count();
    common * 10 >= len * 8
}

/// The start of the text of `blocks` as [`joined_text`] gives it, with at
/// least `need` letters and digits after its dateline (when the blocks have
/// that many), and where the text after the dateline begins. Whole blocks
/// are taken, twice as many bytes each round, so this costs about what it
/// returns.
fn text_ahead(blocks: &[Block], need: usize, strip: &dyn Fn(&str) -> usize) -> (String, usize) {
    let mut text = String::new();
    let mut want = need.saturating_mul(2).max(64);
    let mut texts = blocks
        .iter()
        .filter(|b| !matches!(b.kind, Kind::Image(_)))
        .peekable();
    loop {
        while text.len() < want {
            let Some(b) = texts.next() else { break };
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&b.text);
        }
        #[cfg(test)]
        EXAMINED.with(|e| e.set(e.get() + text.len()));
        let from = strip(&text);
        if texts.peek().is_none()
            || alnum_chars(&text[from..])
                .nth(need.saturating_sub(1))
                .is_some()
        {
            return (text, from);
        }
        want = want.saturating_mul(2);
    }
}

#[cfg(test)]
thread_local! {
    /// Bytes of text [`drop_repeated_lead`] looked at (its cost, for the tests).
    static EXAMINED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn render_inline(items: &[Inline], out: &mut String) {
    for item in items {
        match item {
            Inline::Text(s) => escape_html(s, out),
            Inline::Br => out.push_str("<br>"),
            Inline::Open(Tag::A(h)) => {
                out.push_str("<a href=\"");
                escape_html(h, out);
                out.push_str("\">");
            }
            Inline::Open(Tag::Em) => out.push_str("<em>"),
            Inline::Open(Tag::Strong) => out.push_str("<strong>"),
            Inline::Close(Tag::A(_)) => out.push_str("</a>"),
            Inline::Close(Tag::Em) => out.push_str("</em>"),
            Inline::Close(Tag::Strong) => out.push_str("</strong>"),
        }
    }
}

/// Render blocks as HTML from the allow-list (p, h1-h6, ul/ol/li,
/// blockquote, pre, figure/img/figcaption, a, em, strong, br).
pub fn render_html(blocks: &[Block], images: &[Image]) -> String {
    let mut out = String::new();
    let mut list: Option<bool> = None;
    for b in blocks {
        let want_list = match b.kind {
            Kind::Li(o) => Some(o),
            _ => None,
        };
        if list != want_list {
            if let Some(o) = list {
                out.push_str(if o { "</ol>" } else { "</ul>" });
            }
            if let Some(o) = want_list {
                out.push_str(if o { "<ol>" } else { "<ul>" });
            }
            list = want_list;
        }
        let (open, close) = match b.kind {
            Kind::P => ("<p>".to_string(), "</p>".to_string()),
            Kind::H(n) => (format!("<h{n}>"), format!("</h{n}>")),
            Kind::Li(_) => ("<li>".into(), "</li>".into()),
            Kind::Quote => ("<blockquote><p>".into(), "</p></blockquote>".into()),
            Kind::Pre => ("<pre>".into(), "</pre>".into()),
            Kind::Image(i) => {
                let img = &images[i];
                out.push_str("<figure><img src=\"");
                escape_html(&img.src, &mut out);
                out.push_str("\" alt=\"");
                escape_html(&img.alt, &mut out);
                out.push_str("\">");
                if let Some(c) = &img.caption {
                    out.push_str("<figcaption>");
                    escape_html(c, &mut out);
                    out.push_str("</figcaption>");
                }
                out.push_str("</figure>");
                continue;
            }
        };
        out.push_str(&open);
        render_inline(&b.inline, &mut out);
        out.push_str(&close);
    }
    if let Some(o) = list {
        out.push_str(if o { "</ol>" } else { "</ul>" });
    }
    out
}

/// The final safety net over generated HTML: an allow-list sanitizer.
pub fn sanitize(html: &str) -> String {
    static CLEANER: std::sync::LazyLock<ammonia::Builder<'static>> =
        std::sync::LazyLock::new(|| {
            let mut b = ammonia::Builder::empty();
            b.add_tags([
                "p",
                "a",
                "em",
                "strong",
                "br",
                "ul",
                "ol",
                "li",
                "h1",
                "h2",
                "h3",
                "h4",
                "h5",
                "h6",
                "blockquote",
                "pre",
                "figure",
                "img",
                "figcaption",
            ])
            .add_tag_attributes("a", ["href"])
            .add_tag_attributes("img", ["src", "alt"])
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .link_rel(None)
            .url_relative(ammonia::UrlRelative::Deny);
            b
        });
    CLEANER.clean(html).to_string()
}

#[cfg(test)]
#[path = "body_tests.rs"]
mod tests;
