//! One pass over the parsed page that every generic rule reads: the elements
//! in document order (pre-order), each with its parent, the end of its
//! subtree, and the text it holds, so "how much text, how much of it in
//! links, inside which block" is an array look-up instead of a walk per
//! candidate (which would make scoring quadratic on deep pages).
//!
//! Text is counted in visible characters (white space and invisible
//! characters left out), the unit the scores use. Subtrees of tags that
//! never hold page text (`script`, `style`, `svg`, ...) and of hidden
//! elements (`hidden`, `display:none`) count nothing.

use ego_tree::iter::Edge;
use ego_tree::NodeId;
use scraper::{ElementRef, Node};

use crate::extract::select::{is_block_tag, is_skipped_tag};
use crate::text::{is_invisible, is_space};

/// No parent (the root element).
pub const NONE: u32 = u32::MAX;

/// One element of the page and what its subtree holds.
#[derive(Debug, Clone)]
pub struct El<'a> {
    /// The element.
    pub el: ElementRef<'a>,
    /// Local name, lowercase.
    pub tag: &'a str,
    /// Index of the parent element, [`NONE`] for the root.
    pub parent: u32,
    /// One past the index of the last element of the subtree.
    pub end: u32,
    /// Depth below the root element.
    pub depth: u16,
    /// Index of the nearest block element at or above this one.
    pub block: u32,
    /// Visible characters in the subtree.
    pub text: u32,
    /// Of [`El::text`], characters inside links.
    pub link: u32,
    /// Visible characters whose nearest block is this element (its "own" block text).
    pub own: u32,
    /// Of [`El::own`], characters inside links.
    pub own_link: u32,
    /// Sentence punctuation (`.,;:!?` and CJK equivalents) in the own block text.
    pub punct: u16,
    /// The element is hidden or never holds text (its subtree counts nothing).
    pub dead: bool,
    /// Images (`img`) in the subtree.
    pub imgs: u32,
    /// Links (`a`) in the subtree, itself included.
    pub links: u32,
}

/// The elements of a page in document order.
pub struct Dom<'a> {
    /// Elements, pre-order; a subtree is the range `i..nodes[i].end`.
    pub nodes: Vec<El<'a>>,
}

fn is_hidden(el: &scraper::node::Element) -> bool {
    if el.attr("hidden").is_some() {
        return true;
    }
    if let Some(style) = el.attr("style") {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    false
}

fn is_punct(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '。'
            | '，'
            | '、'
            | '；'
            | '：'
            | '！'
            | '？'
            | '،'
            | '؟'
    )
}

/// The walk's state: the elements so far, the open ones, how many links
/// are open, and the dead subtree being walked, if any.
struct Builder<'a> {
    root: NodeId,
    nodes: Vec<El<'a>>,
    stack: Vec<u32>,
    links: usize,
    dead_at: Option<NodeId>,
}

impl<'a> Builder<'a> {
    /// An element opens: it is pushed with its parent, block and deadness.
    fn open(&mut self, el: ElementRef<'a>) {
        let e = el.value();
        let i = self.nodes.len() as u32;
        let parent = self.stack.last().copied().unwrap_or(NONE);
        let tag = e.name();
        let dead = self.dead_at.is_some()
            || (el.id() != self.root && (is_skipped_tag(tag) || is_hidden(e)));
        if dead && self.dead_at.is_none() {
            self.dead_at = Some(el.id());
        }
        let block = if is_block_tag(tag) || parent == NONE {
            i
        } else {
            self.nodes[parent as usize].block
        };
        self.nodes.push(El {
            el,
            tag,
            parent,
            end: i + 1,
            depth: self.stack.len().min(u16::MAX as usize) as u16,
            block,
            text: 0,
            link: 0,
            own: 0,
            own_link: 0,
            punct: 0,
            dead,
            imgs: 0,
            links: 0,
        });
        self.stack.push(i);
        if tag == "a" {
            self.links += 1;
        }
    }

    /// Text: its visible characters count for the open element and its block.
    fn text(&mut self, t: &str) {
        if self.dead_at.is_some() {
            return;
        }
        let Some(&top) = self.stack.last() else {
            return;
        };
        let (mut chars, mut punct) = (0u32, 0u16);
        for c in t.chars() {
            if !is_space(c) && !is_invisible(c) {
                chars += 1;
                if is_punct(c) {
                    punct = punct.saturating_add(1);
                }
            }
        }
        if chars == 0 {
            return;
        }
        let in_link = self.links > 0;
        let top = &mut self.nodes[top as usize];
        top.text += chars;
        if in_link {
            top.link += chars;
        }
        let b = top.block as usize;
        let blk = &mut self.nodes[b];
        blk.own += chars;
        blk.punct = blk.punct.saturating_add(punct);
        if in_link {
            blk.own_link += chars;
        }
    }

    /// An element closes: its subtree ends, and its counts go to its parent.
    fn close(&mut self, id: NodeId, name: &str) {
        let Some(i) = self.stack.pop() else { return };
        if self.dead_at == Some(id) {
            self.dead_at = None;
        }
        if name == "a" {
            self.links = self.links.saturating_sub(1);
        }
        let end = self.nodes.len() as u32;
        let (text, link, imgs, anchors) = {
            let me = &mut self.nodes[i as usize];
            me.end = end;
            if me.tag == "img" {
                me.imgs += 1;
            }
            if me.tag == "a" {
                me.links += 1;
            }
            (me.text, me.link, me.imgs, me.links)
        };
        if let Some(&p) = self.stack.last() {
            let p = &mut self.nodes[p as usize];
            p.text += text;
            p.link += link;
            p.imgs += imgs;
            p.links += anchors;
        }
    }
}

impl<'a> Dom<'a> {
    /// Walk the document under `root` once.
    pub fn build(root: ElementRef<'a>) -> Dom<'a> {
        let mut b = Builder {
            root: root.id(),
            nodes: Vec::new(),
            stack: Vec::new(),
            links: 0,
            dead_at: None,
        };
        for edge in root.traverse() {
            match edge {
                Edge::Open(n) => match n.value() {
                    Node::Element(_) => {
                        if let Some(el) = ElementRef::wrap(n) {
                            b.open(el);
                        }
                    }
                    Node::Text(t) => b.text(t),
                    _ => {}
                },
                Edge::Close(n) => {
                    if let Node::Element(e) = n.value() {
                        b.close(n.id(), e.name());
                    }
                }
            }
        }
        Dom { nodes: b.nodes }
    }

    /// The element at `i`.
    pub fn get(&self, i: u32) -> &El<'a> {
        &self.nodes[i as usize]
    }

    /// Whether `inner` is `outer` or inside it.
    pub fn within(&self, inner: u32, outer: u32) -> bool {
        inner >= outer && inner < self.nodes[outer as usize].end
    }

    /// Link density of the subtree (0 when it has no text).
    pub fn link_density(&self, i: u32) -> f32 {
        let n = &self.nodes[i as usize];
        if n.text == 0 {
            0.0
        } else {
            n.link as f32 / n.text as f32
        }
    }

    /// The ancestors of `i`, nearest first (not `i` itself).
    pub fn ancestors(&self, i: u32) -> impl Iterator<Item = u32> + '_ {
        let mut cur = self.nodes[i as usize].parent;
        std::iter::from_fn(move || {
            if cur == NONE {
                return None;
            }
            let c = cur;
            cur = self.nodes[c as usize].parent;
            Some(c)
        })
    }

    /// The direct child elements of `i`.
    pub fn children(&self, i: u32) -> impl Iterator<Item = u32> + '_ {
        let end = self.nodes[i as usize].end;
        let mut cur = i + 1;
        std::iter::from_fn(move || {
            if cur >= end {
                return None;
            }
            let c = cur;
            cur = self.nodes[c as usize].end;
            Some(c)
        })
    }

    /// The first element at or after `from` in document order that is not
    /// inside `i`'s subtree (the element after `i`).
    pub fn after(&self, i: u32) -> u32 {
        self.nodes[i as usize].end
    }

    /// Elements of the subtree of `i` (itself included) whose tag is `tag`.
    pub fn find_tag<'s>(&'s self, i: u32, tag: &'s str) -> impl Iterator<Item = u32> + 's {
        (i..self.nodes[i as usize].end).filter(move |&j| self.nodes[j as usize].tag == tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    #[test]
    fn counts_text_links_and_blocks() {
        let doc = Html::parse_document(
            "<html><body><div id=a><p>Hello, world. <a href=x>link</a></p>\
             <script>ignored()</script><p hidden>gone</p>tail</div></body></html>",
        );
        let dom = Dom::build(doc.root_element());
        let div = (0..dom.nodes.len() as u32)
            .find(|&i| dom.get(i).el.value().id() == Some("a"))
            .unwrap();
        let d = dom.get(div);
        // "Hello,world.link" (16) + "tail" (4); script and hidden text count nothing
        assert_eq!(d.text, 20);
        assert_eq!(d.link, 4);
        assert_eq!(d.own, 4);
        let p = dom.children(div).next().unwrap();
        assert_eq!(dom.get(p).own, 16);
        assert_eq!(dom.get(p).own_link, 4);
        assert_eq!(dom.get(p).punct, 2);
        assert!(dom.within(p, div) && !dom.within(div, p));
    }
}
