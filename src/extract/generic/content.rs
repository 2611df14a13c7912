//! Which element holds the article text, and what inside it is not article.
//!
//! Readability-style extractors score paragraphs (length, commas) and pass
//! the score up to their ancestors, damped with distance, then weigh the
//! winner by its link density and by class/id hints, and merge qualifying
//! siblings. Trafilatura first prunes the tree of known boilerplate (by
//! tag, class and id), then judges the rest by text and link density. This
//! module does both in one scoring that needs no damping and no sibling
//! pass: every block of text gets a signed weight (paragraph-like text
//! counts for, boilerplate, link lists and short fragments against), each
//! element's score is the sum over its subtree, and the container is the
//! element with the highest score. Going one level up only pays when the
//! text it adds outweighs the noise it brings, which is exactly the
//! sibling-merge question answered with the same numbers.
//!
//! Inside the container, boilerplate subtrees (share bars, related posts,
//! bylines, comment sections) and link-heavy blocks are left out of the body.

use std::collections::HashSet;

use std::rc::Rc;

use ego_tree::NodeId;
use rustc_hash::FxHashMap;

use super::dom::{Dom, NONE};
use super::hints::{self, Boiler};

/// Why a subtree was left out of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pruned {
    /// The element (index into the [`Dom`]).
    pub at: u32,
    /// The rule: `class/id word "share"`, `tag nav`, `link density 0.8`, `hidden`.
    pub why: String,
}

/// The body container and what to leave out of it.
#[derive(Debug, Clone)]
pub struct Pick {
    /// The container (index into the [`Dom`]).
    pub container: u32,
    /// Its score (signed characters of text).
    pub score: f32,
    /// Subtrees left out, in document order.
    pub pruned: Vec<Pruned>,
    /// The node ids of [`Pick::pruned`], for [`crate::extract::body::flatten`].
    pub removed: HashSet<NodeId>,
    /// The scores of the container's nearest ancestors (why not one of them).
    pub ancestors: Vec<(u32, f32)>,
}

/// Per-element verdicts the scoring and the other rules share.
pub struct Verdicts {
    /// The element itself is a boilerplate root, and the word that said so.
    pub boiler: Vec<Option<String>>,
    /// The element is inside (or is) a boilerplate subtree.
    pub in_boiler: Vec<bool>,
    /// The element's class/id name the article or its text.
    pub positive: Vec<bool>,
    /// The element is inside (or is) a strong boilerplate subtree (navigation, sidebar, comments).
    pub strong: Vec<bool>,
    /// The words of each element's class and id (shared between elements
    /// with the same `class` and `id`).
    pub words: Vec<Rc<Vec<String>>>,
}

/// Minimum characters for a block to count as a paragraph without punctuation.
const PARA_CHARS: u32 = 80;
/// Minimum characters for a punctuated block to count as a paragraph.
const SENTENCE_CHARS: u32 = 25;

fn is_heading(tag: &str) -> bool {
    matches!(tag, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// Whether the element's own text reads as prose (long enough, punctuated, few links).
pub fn is_prose(e: &super::dom::El<'_>) -> bool {
    paragraph_like(e.own, e.own_link, e.punct)
}

fn paragraph_like(own: u32, own_link: u32, punct: u16) -> bool {
    own_link * 2 < own && (own >= PARA_CHARS || (own >= SENTENCE_CHARS && punct > 0))
}

fn is_comment_word(w: &str) -> bool {
    matches!(w, "comment" | "comments" | "disqus" | "respond" | "reply")
}

/// Judge every element once: its own boilerplate verdict (with the guard
/// that an element holding most of the page's paragraph text is never
/// boilerplate, except comment sections), and whether it is inside one.
pub fn verdicts(dom: &Dom<'_>) -> Verdicts {
    let n = dom.nodes.len();
    // paragraph text per subtree, bottom-up (children come after parents)
    let mut para = vec![0u32; n];
    for i in (0..n).rev() {
        let e = &dom.nodes[i];
        if !e.dead && paragraph_like(e.own, e.own_link, e.punct) {
            para[i] += e.own;
        }
        if e.parent != NONE {
            para[e.parent as usize] += para[i];
        }
    }
    let total = para.first().copied().unwrap_or(0);
    let teaser = teaser_cards(dom);
    let mut boiler = vec![None; n];
    let mut in_boiler = vec![false; n];
    let mut positive = vec![false; n];
    let mut strong = vec![false; n];
    let mut all_words = Vec::with_capacity(n);
    // many elements share their class and id: judge each combination once
    type Judged = (Rc<Vec<String>>, (Boiler, Option<&'static str>), bool);
    let mut seen: FxHashMap<(&str, &str), Judged> = FxHashMap::default();
    for i in 0..n {
        let e = &dom.nodes[i];
        let v = e.el.value();
        let key = (v.attr("class").unwrap_or(""), v.attr("id").unwrap_or(""));
        let (words, by_words, pos) = seen
            .entry(key)
            .or_insert_with(|| {
                let w = hints::words(v);
                let b = hints::boiler_word(&w);
                let p = hints::positive_word(&w).is_some();
                (Rc::new(w), b, p)
            })
            .clone();
        positive[i] = pos;
        let by_tag = hints::tag_boiler(v);
        let judged = if by_words.0 > by_tag.0 {
            by_words
        } else {
            by_tag
        };
        let (b, word) = match judged {
            (Boiler::No, _) if teaser[i] => (Boiler::Strong, Some("teaser list")),
            other => other,
        };
        let mut own = None;
        let mut own_strong = false;
        if b != Boiler::No && e.parent != NONE {
            let word = word.unwrap_or("?");
            // strong: unless it holds most of the page's paragraphs (and is not comments);
            // weak (metadata rows): only while it holds little paragraph text
            let guarded = match b {
                Boiler::Weak => para[i] > 200,
                _ => !is_comment_word(word) && total > 0 && para[i] * 2 >= total,
            };
            if !guarded {
                own = Some(word.to_string());
                own_strong = b == Boiler::Strong;
            }
        }
        let parent = e.parent as usize;
        in_boiler[i] = (e.parent != NONE && in_boiler[parent]) || own.is_some();
        strong[i] = (e.parent != NONE && strong[parent]) || own_strong;
        boiler[i] = own;
        all_words.push(words);
    }
    Verdicts {
        boiler,
        in_boiler,
        positive,
        strong,
        words: all_words,
    }
}

/// Teaser cards: three or more siblings that each hold a linked heading
/// and little text (a listing of other articles: "More news", archives).
/// Each card is marked, so the listing weighs against the container that
/// would take it in.
fn teaser_cards(dom: &Dom<'_>) -> Vec<bool> {
    let n = dom.nodes.len();
    // does the subtree hold a heading that is a link?
    let mut linked_heading = vec![false; n];
    for i in (0..n).rev() {
        let e = &dom.nodes[i];
        if is_heading(e.tag) && e.text > 0 && e.link * 5 >= e.text * 4 {
            linked_heading[i] = true;
        }
        if e.parent != NONE && linked_heading[i] {
            linked_heading[e.parent as usize] = true;
        }
    }
    let is_card = |i: u32| {
        let e = dom.get(i);
        linked_heading[i as usize] && e.text >= 30 && e.text <= 1000 && !is_heading(e.tag)
    };
    let mut out = vec![false; n];
    for p in 0..n as u32 {
        let pe = dom.get(p);
        if pe.text == 0 || !linked_heading[p as usize] {
            continue;
        }
        let cards: Vec<u32> = dom.children(p).filter(|&c| is_card(c)).collect();
        let card_text: u32 = cards.iter().map(|&c| dom.get(c).text).sum();
        if cards.len() >= 3 && card_text * 5 >= pe.text * 3 {
            for c in cards {
                out[c as usize] = true;
            }
        }
    }
    out
}

/// The signed weight of the text whose nearest block is element `i`.
fn weight(dom: &Dom<'_>, v: &Verdicts, i: usize) -> f32 {
    let e = &dom.nodes[i];
    if e.own == 0 || e.dead {
        return 0.0;
    }
    let chars = e.own as f32;
    let ld = e.own_link as f32 / chars;
    if v.in_boiler[i] {
        return -chars;
    }
    if is_heading(e.tag) {
        return 0.0;
    }
    // table cells are short by nature: a little for, unless they are links
    if matches!(e.tag, "td" | "th") && ld < 0.5 && !paragraph_like(e.own, e.own_link, e.punct) {
        return 0.25 * chars;
    }
    if ld >= 0.5 {
        return -chars * ld;
    }
    if paragraph_like(e.own, e.own_link, e.punct) {
        return chars - 2.0 * e.own_link as f32;
    }
    -0.5 * chars
}

/// Choose the body container and what to prune inside it (None when the
/// page has no text that scores above zero).
pub fn pick(dom: &Dom<'_>, v: &Verdicts) -> Option<Pick> {
    let n = dom.nodes.len();
    let mut score = vec![0f32; n];
    for i in (0..n).rev() {
        score[i] += weight(dom, v, i);
        let p = dom.nodes[i].parent;
        if p != NONE {
            score[p as usize] += score[i];
        }
    }
    let mut best: Option<usize> = None;
    for i in 0..n {
        let e = &dom.nodes[i];
        if e.dead || v.in_boiler[i] || score[i] <= 0.0 {
            continue;
        }
        if !(crate::extract::select::is_block_tag(e.tag) || e.tag == "body") {
            continue;
        }
        // ties go to the deeper element (it holds the same text with less around it)
        if best.is_none_or(|b| score[i] >= score[b]) {
            best = Some(i);
        }
    }
    let c = best? as u32;
    let mut pick = Pick {
        container: c,
        score: score[c as usize],
        pruned: Vec::new(),
        removed: HashSet::new(),
        ancestors: dom
            .ancestors(c)
            .take(3)
            .map(|a| (a, score[a as usize]))
            .collect(),
    };
    prune(dom, v, &mut pick);
    Some(pick)
}

fn prune(dom: &Dom<'_>, v: &Verdicts, pick: &mut Pick) {
    let c = pick.container;
    let end = dom.get(c).end;
    let ctext = dom.get(c).text;
    let mut j = c + 1;
    while j < end {
        let e = dom.get(j);
        if e.dead {
            if !crate::extract::select::is_skipped_tag(e.tag) {
                pick.removed.insert(e.el.id());
                pick.pruned.push(Pruned {
                    at: j,
                    why: "hidden".into(),
                });
            }
            j = e.end;
            continue;
        }
        if is_media_box(&v.words[j as usize]) && e.imgs > 0 && e.text > 0 {
            // a gallery or captioned figure: its images stay, its text (captions, controls) goes
            prune_text_around_images(dom, j, pick);
            j = e.end;
            continue;
        }
        let why = if let Some(w) = &v.boiler[j as usize] {
            Some(format!("boilerplate \"{w}\""))
        } else if is_media_box(&v.words[j as usize])
            && !is_caption_element(e)
            && e.text > 0
            && e.text < 400
        {
            Some("caption or credit outside a figure".to_string())
        } else if crate::extract::select::is_block_tag(e.tag)
            && e.text > 0
            && e.text * 2 < ctext
            && dom.link_density(j) >= 0.65
        {
            Some(format!("link density {:.2}", dom.link_density(j)))
        } else {
            None
        };
        match why {
            Some(why) => {
                pick.removed.insert(e.el.id());
                pick.pruned.push(Pruned { at: j, why });
                j = e.end; // the subtree goes as a whole
            }
            None => j += 1,
        }
    }
}

/// Class/id words of photo galleries, slideshows, captions and credits.
pub fn is_media_box(words: &[String]) -> bool {
    words.iter().any(|w| {
        matches!(
            w.as_str(),
            "gallery"
                | "slideshow"
                | "carousel"
                | "slider"
                | "caption"
                | "captions"
                | "credit"
                | "credits"
                | "copyright"
                | "lightbox"
        )
    })
}

/// Prune the parts of `i`'s subtree that hold no image (captions, counters,
/// buttons), keeping the images and the elements around them.
fn prune_text_around_images(dom: &Dom<'_>, i: u32, pick: &mut Pick) {
    let end = dom.get(i).end;
    let mut j = i + 1;
    while j < end {
        let e = dom.get(j);
        if e.imgs == 0 {
            if e.text > 0 && !is_caption_element(e) {
                pick.removed.insert(e.el.id());
                pick.pruned.push(Pruned {
                    at: j,
                    why: "text of a gallery or captioned figure".into(),
                });
            }
            j = e.end;
        } else {
            j += 1;
        }
    }
}

/// The captions the body walk gives to their images (see [`crate::extract::body`]).
fn is_caption_element(e: &super::dom::El<'_>) -> bool {
    e.tag == "figcaption"
        || e.el.value().has_class(
            "wp-caption-text",
            scraper::CaseSensitivity::AsciiCaseInsensitive,
        )
}
