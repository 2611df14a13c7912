//! What `explain` says about the body: the container, what each `remove`
//! selector took out, which paragraphs `drop_paragraphs`, `stop_at` and the
//! repeated-lead rule dropped and why, and where each kept block came from.
//! Only called when the trace is on, so it costs nothing otherwise.

use ego_tree::NodeId;
use scraper::ElementRef;

use super::body::{Block, Image, Kind};
use super::index::DocIndex;
use super::select::{element_text, quoted};
use crate::profile::Sel;

/// `tag#id.class1.class2` of an element.
pub fn describe(el: ElementRef<'_>) -> String {
    let e = el.value();
    let mut s = e.name().to_string();
    if let Some(id) = e.id() {
        s.push('#');
        s.push_str(id);
    }
    for c in e.classes().take(3) {
        s.push('.');
        s.push_str(c);
    }
    s
}

/// The position of an element among its parent's child elements, as CSS
/// (`:nth-child(3)`), so the path can be pasted into a selector.
fn nth_child(el: ElementRef<'_>) -> String {
    let n = el
        .prev_siblings()
        .filter(|s| s.value().is_element())
        .count();
    format!(":nth-child({})", n + 1)
}

/// Where an element sits in the body container: the container, the
/// ancestors between (at most two shown), then the element with its
/// position, e.g. `div.td-post-content > p:nth-child(4)`.
pub fn path_in(el: ElementRef<'_>, container: NodeId) -> String {
    if el.id() == container {
        return describe(el);
    }
    let mut between = Vec::new();
    let mut top = None;
    for a in el.ancestors().filter_map(ElementRef::wrap) {
        if a.id() == container {
            top = Some(a);
            break;
        }
        between.push(describe(a));
    }
    let cut = between.len() > 2;
    between.truncate(2);
    between.reverse();
    let mut steps: Vec<String> = top.map(describe).into_iter().collect();
    if cut {
        steps.push("…".into());
    }
    steps.extend(between);
    steps.push(describe(el) + &nth_child(el));
    steps.join(" > ")
}

/// The container lines: which selector, how many matches, and each one.
pub fn containers(sel: &Sel, i: usize, found: &[ElementRef<'_>]) -> Vec<String> {
    let each: Vec<String> = found.iter().map(|c| describe(*c)).collect();
    vec![format!(
        "  body.select[{i}] `{}` → {} container(s): {}",
        sel.css,
        found.len(),
        each.join(", ")
    )]
}

/// What each `remove` selector matched inside `container`.
pub fn removed(ix: &DocIndex<'_>, container: ElementRef<'_>, remove: &[Sel]) -> Vec<String> {
    let none = Default::default();
    remove
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let hits: Vec<ElementRef<'_>> = ix.select(container, r).collect();
            if hits.is_empty() {
                return format!("  body.remove[{i}] `{}` → nothing here", r.css);
            }
            let shown: Vec<String> = hits
                .iter()
                .take(4)
                .map(|h| format!("{} {}", describe(*h), quoted(&element_text(*h, &none))))
                .collect();
            let more = match hits.len() {
                n if n > 4 => format!(" (+{} more)", n - 4),
                _ => String::new(),
            };
            format!(
                "  body.remove[{i}] `{}` → removed {}: {}{more}",
                r.css,
                hits.len(),
                shown.join(", ")
            )
        })
        .collect()
}

/// A block as the trace shows it: its kind and text (or image number).
pub fn block(b: &Block) -> String {
    match b.kind {
        Kind::Image(i) => format!("image {}", i + 1),
        Kind::P => format!("paragraph {}", quoted(&b.text)),
        Kind::H(n) => format!("heading h{n} {}", quoted(&b.text)),
        Kind::Li(_) => format!("list item {}", quoted(&b.text)),
        Kind::Quote => format!("quote {}", quoted(&b.text)),
        Kind::Pre => format!("preformatted {}", quoted(&b.text)),
    }
}

/// The kept blocks, each with where it came from.
pub fn kept(
    ix: &DocIndex<'_>,
    blocks: &[Block],
    images: &[Image],
    containers: &[NodeId],
) -> Vec<String> {
    let mut out = vec![format!("  body: kept {} block(s):", blocks.len())];
    let tree = &ix.doc().tree;
    for (n, b) in blocks.iter().enumerate() {
        let from = b
            .from
            .and_then(|id| tree.get(id))
            .and_then(ElementRef::wrap)
            .map(|el| {
                let top = el
                    .ancestors()
                    .map(|a| a.id())
                    .find(|a| containers.contains(a))
                    .unwrap_or(el.id());
                format!(" ← {}", path_in(el, top))
            })
            .unwrap_or_default();
        let shown = match b.kind {
            Kind::Image(i) => match images.get(i) {
                Some(img) => format!("image {} {}", i + 1, img.src),
                None => block(b),
            },
            _ => block(b),
        };
        out.push(format!("    {}. {shown}{from}", n + 1));
    }
    out
}
