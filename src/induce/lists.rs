//! Sidebar lists ("Most read", "Related"): a short heading outside the
//! body, and the nearest named block around it holding title links; the
//! item around each link, the link, and an excerpt when items have one
//! (with a source such as "AP:" split off when most excerpts start with
//! one). A list is kept when its heading is on half the samples or more.

use std::collections::{BTreeMap, BTreeSet};

use scraper::{ElementRef, Html};

use super::body::BodyPlan;
use super::cand::{self, within};
use super::Seen;

/// A sidebar list: a heading plus a block of links, on most samples.
#[derive(Debug, Clone, Default)]
pub(super) struct ListPlan {
    /// The list's key in the record (from the heading).
    pub(super) key: String,
    /// The heading's text.
    pub(super) heading: String,
    pub(super) heading_selector: String,
    pub(super) block: String,
    pub(super) item: String,
    pub(super) link: String,
    pub(super) excerpt: Option<String>,
    /// Excerpts start with a source ("AP: ...").
    pub(super) source: bool,
    /// On how many samples.
    pub(super) seen: usize,
}

/// A list's heading selector, block, item, link and excerpt selectors.
type ListShape = (String, String, String, String, Option<String>);

/// A source before an excerpt ("AP: ..."), split off into its own field.
pub(super) const SOURCE: &str = r"^(?P<source>[A-Z][A-Za-z]{1,11}):\s+";

/// Links that can be list items' titles: an `a[href]` with some words.
fn title_links<'a>(el: ElementRef<'a>) -> Vec<ElementRef<'a>> {
    el.descendants()
        .filter_map(ElementRef::wrap)
        .filter(|a| {
            a.value().name() == "a"
                && a.value()
                    .attr("href")
                    .is_some_and(|h| !h.starts_with('#') && !h.starts_with("javascript:"))
                && cand::value_of(*a, None).chars().count() >= 12
        })
        .collect()
}

/// The class selector of an element a person would write: the one naming
/// most of what it is, then the shortest (None: no stable class).
fn first_named(el: ElementRef<'_>) -> Option<String> {
    let mut n = cand::named(el);
    n.retain(|x| !x.contains('#'));
    n.sort_by(|a, b| {
        cand::semantic(b)
            .cmp(&cand::semantic(a))
            .then(a.len().cmp(&b.len()))
            .then(a.cmp(b))
    });
    n.into_iter().next()
}

/// Sidebar lists: a heading (h2-h6, th, or a "title"/"heading" class) with
/// short text, outside the body, whose nearest named ancestor holds three or
/// more title links; kept when its heading is on half the samples or more.
pub(super) fn plan_lists(m: &[&Seen], body: Option<&BodyPlan>) -> Vec<ListPlan> {
    let body_sel = body
        .and_then(|b| b.select.first())
        .and_then(|(c, _)| cand::parse(c));
    let re = regex::Regex::new(SOURCE).expect("static");
    let mut votes = Votes::default();
    for s in m {
        let body_el = body_sel.as_ref().and_then(|sel| s.doc().select(sel).next());
        votes.sample(s.doc(), body_el, &re);
    }
    votes.lists(m.len())
}

/// The lists found on the samples so far, by key.
#[derive(Default)]
struct Votes {
    /// The shapes of each list, with the samples of each.
    found: BTreeMap<String, BTreeMap<ListShape, usize>>,
    /// The first heading text of each list.
    headings: BTreeMap<String, String>,
    /// On how many samples each list is.
    seen_on: BTreeMap<String, usize>,
    /// Excerpts that start with a source, and all excerpts.
    sources: BTreeMap<String, (usize, usize)>,
}

impl Votes {
    /// The lists of one sample (`body_el`: its body container).
    fn sample(&mut self, doc: &Html, body_el: Option<ElementRef<'_>>, re: &regex::Regex) {
        let mut here: BTreeSet<String> = BTreeSet::new();
        for h in doc
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
        {
            let Some(text) = heading_text(doc, h, body_el) else {
                continue;
            };
            let key = crate::text::slugify(&text, 40).replace('-', "_");
            if key.is_empty() || here.contains(&key) {
                continue;
            }
            let Some(block) = list_block(doc, h, &text, body_el) else {
                continue;
            };
            let Some((first, item)) = list_item(block) else {
                continue;
            };
            let (item_css, link_css, excerpt) = item_shape(first, item);
            if let Some(e) = excerpt.as_deref().and_then(cand::parse) {
                for x in block.select(&e) {
                    let t = cand::value_of(x, None);
                    let c = self.sources.entry(key.clone()).or_default();
                    c.0 += usize::from(re.is_match(&t));
                    c.1 += 1;
                }
            }
            let heading_selector = first_named(h).unwrap_or_else(|| h.value().name().to_string());
            let Some(block_css) = first_named(block) else {
                continue;
            };
            here.insert(key.clone());
            self.headings.entry(key.clone()).or_insert(text);
            *self
                .found
                .entry(key.clone())
                .or_default()
                .entry((heading_selector, block_css, item_css, link_css, excerpt))
                .or_default() += 1;
            *self.seen_on.entry(key).or_default() += 1;
        }
    }

    /// The lists on half the samples or more (of `n`), each in its most
    /// common shape.
    fn lists(self, n_samples: usize) -> Vec<ListPlan> {
        let mut out = Vec::new();
        for (key, shapes) in self.found {
            let n = self.seen_on[&key];
            if n * 2 < n_samples {
                continue;
            }
            let Some(((hs, block, item, link, excerpt), _)) = shapes
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            else {
                continue;
            };
            let source = self
                .sources
                .get(&key)
                .is_some_and(|(a, b)| *a >= 2 && *a * 2 >= *b);
            out.push(ListPlan {
                source,
                heading: self.headings[&key].clone(),
                key,
                heading_selector: hs,
                block,
                item,
                link,
                excerpt,
                seen: n,
            });
        }
        out
    }
}

/// Whether a name says advertising.
fn is_ad(x: &str) -> bool {
    let l = x.to_ascii_lowercase();
    l.contains("advert") || l.contains("adspot") || l.contains("sponsor")
}

/// Whether an element is a heading by its tag or a "title"/"heading" class.
fn heading_like(c: ElementRef<'_>) -> bool {
    matches!(c.value().name(), "h2" | "h3" | "h4" | "h5" | "h6" | "th")
        || c.value().classes().any(|x| {
            let l = x.to_ascii_lowercase();
            l.contains("title") || l.contains("heading")
        })
}

/// The text of `h` when it is a list's heading: a heading tag (or a
/// "title"/"heading" class, not an entry title or a link), not an ad, outside
/// the body and the comments, 2 to 40 characters without title links, and
/// the innermost element with that text.
fn heading_text(doc: &Html, h: ElementRef<'_>, body_el: Option<ElementRef<'_>>) -> Option<String> {
    let tag = h.value().name();
    let classy = h.value().classes().any(|c| {
        let l = c.to_ascii_lowercase();
        (l.contains("title") || l.contains("heading")) && !l.contains("entry-title")
    });
    if !(matches!(tag, "h2" | "h3" | "h4" | "h5" | "h6" | "th") || classy && tag != "a") {
        return None;
    }
    if h.value().classes().any(is_ad) {
        return None;
    }
    if body_el.is_some_and(|b| within(doc, b.id(), h.id())) {
        return None;
    }
    let text = cand::value_of(h, None);
    let n = text.chars().count();
    if !(2..=40).contains(&n) || !title_links(h).is_empty() || is_ad(&text) {
        return None;
    }
    // the innermost element with the heading's text is the heading
    if h.descendants()
        .skip(1)
        .filter_map(ElementRef::wrap)
        .any(|c| heading_like(c) && cand::value_of(c, None) == text)
    {
        return None;
    }
    let in_comments = h.ancestors().filter_map(ElementRef::wrap).any(|a| {
        a.value().classes().chain(a.value().id()).any(|x| {
            let l = x.to_ascii_lowercase();
            l.contains("comment") || l.contains("respond") || l.contains("reply")
        })
    });
    (!in_comments).then_some(text)
}

/// The block of heading `h`: the nearest named ancestor (four levels up at
/// most) with two title links or more, not around the body, and with no
/// other heading in it.
fn list_block<'a>(
    doc: &Html,
    h: ElementRef<'a>,
    text: &str,
    body_el: Option<ElementRef<'_>>,
) -> Option<ElementRef<'a>> {
    h.ancestors()
        .filter_map(ElementRef::wrap)
        .take(4)
        .find(|a| {
            first_named(*a).is_some()
            && title_links(*a).len() >= 2
            && body_el.is_none_or(|b| !within(doc, a.id(), b.id()))
            // one heading to a block: a wider element holds other lists
            && !a.descendants().filter_map(ElementRef::wrap).any(|c| {
                matches!(c.value().name(), "h2" | "h3" | "h4" | "h5" | "h6" | "th")
                    && !cand::value_of(c, None).is_empty()
                    && cand::value_of(c, None) != text
                    && title_links(c).is_empty()
            })
        })
}

/// The block's first title link, and its item: the highest element under
/// the block around that link holding one title link.
fn list_item(block: ElementRef<'_>) -> Option<(ElementRef<'_>, ElementRef<'_>)> {
    let links = title_links(block);
    let first = *links.first()?;
    let mut item: Option<ElementRef<'_>> = None;
    for a in first.ancestors().filter_map(ElementRef::wrap) {
        if a.id() == block.id() {
            break;
        }
        if title_links(a).len() == 1 {
            item = Some(a);
        }
    }
    Some((first, item?))
}

/// The item's, the link's and the excerpt's selectors.
fn item_shape(first: ElementRef<'_>, item: ElementRef<'_>) -> (String, String, Option<String>) {
    let item_css = first_named(item).unwrap_or_else(|| item.value().name().to_string());
    let link_css = match first
        .parent()
        .and_then(ElementRef::wrap)
        .and_then(first_named)
    {
        Some(p) if p != item_css => format!("{p} a"),
        _ => "a".to_string(),
    };
    let excerpt = item
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(|e| e.value().classes().any(|c| c.contains("excerpt")))
        .find_map(first_named);
    (item_css, link_css, excerpt)
}
