//! The body's blocks tidied after the walk: what the container's markup
//! does not mark but its text gives away. The title repeated at the top, ad
//! labels ("Advertisement"), lone words of widgets ("Close", "more"), a
//! "Published: <date>" line at either end, and headings or short labels
//! left dangling at the end ("Comments", "Tell us what you think").

use crate::extract::body::{Block, Kind};
use crate::text::alnum_key;

/// Labels of ad slots and sponsored blocks, lowercased.
const AD_LABELS: &[&str] = &[
    "advertisement",
    "advert",
    "ad",
    "ads",
    "anzeige",
    "werbung",
    "publicité",
    "publicite",
    "publicidad",
    "pubblicità",
    "reclame",
    "advertentie",
    "sponsored",
    "sponsored content",
    "story continues below advertisement",
    "continue reading below",
    "article continues below",
    "scroll to continue with content",
    "reklama",
    "annons",
];

fn is_text(b: &Block) -> bool {
    !matches!(b.kind, Kind::Image(_))
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

fn ends_sentence(s: &str) -> bool {
    s.trim_end().chars().last().is_some_and(|c| {
        matches!(
            c,
            '.' | '!' | '?' | '"' | '”' | '’' | ')' | '»' | '«' | '。' | '…' | ':'
        )
    })
}

fn is_ad_label(s: &str) -> bool {
    let t = s
        .trim()
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    AD_LABELS.contains(&t.as_str())
}

/// A short line holding a date ("Published: May 4, 2022", "Updated 12.10.2019 10:00").
fn is_date_line(s: &str) -> bool {
    s.chars().count() <= 90 && super::dates::find_date(s).is_some() && !ends_sentence_inside(s)
}

/// Whether a text reads as a sentence of prose (a sentence end before its last words).
fn ends_sentence_inside(s: &str) -> bool {
    let t = s.trim_end_matches(['.', ' ']);
    t.contains(". ") && words(s) > 10
}

/// Tidy the blocks of a generic body; returns how many were dropped.
pub fn tidy(blocks: &mut Vec<Block>, title: &str) -> usize {
    let before = blocks.len();
    let key = alnum_key(title);
    let mut seen = 0;
    blocks.retain(|b| {
        if !is_text(b) {
            return true;
        }
        seen += 1;
        if seen <= 3 && !key.is_empty() && alnum_key(&b.text) == key {
            return false;
        }
        if is_ad_label(&b.text) {
            return false;
        }
        // a lone word without punctuation in a paragraph of its own: a widget's label
        !(b.kind == Kind::P
            && words(&b.text) == 1
            && !ends_sentence(&b.text)
            && b.text.chars().count() < 20)
    });
    // leading date lines
    while let Some(i) = blocks.iter().position(is_text) {
        if is_date_line(&blocks[i].text) {
            blocks.remove(i);
        } else {
            break;
        }
    }
    // trailing headings, labels and date lines
    while let Some(i) = blocks.iter().rposition(is_text) {
        let b = &blocks[i];
        let dangling = matches!(b.kind, Kind::H(_))
            || (words(&b.text) <= 4
                && !ends_sentence(&b.text)
                && !matches!(b.kind, Kind::Li(_) | Kind::Pre))
            || is_date_line(&b.text);
        if dangling {
            blocks.remove(i);
        } else {
            break;
        }
    }
    before - blocks.len()
}
