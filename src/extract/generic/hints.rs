//! What an element's tag, role, class and id say about it: "this is
//! navigation / a share bar / comments" (boilerplate) or "this is the
//! article" (content). The vocabulary is the general one of web publishing
//! (the words readability-style extractors and trafilatura also look for),
//! never the class names of particular sites.
//!
//! Class and id values are split into words at non-letters and at camelCase
//! humps (`relatedPosts` → `related`, `posts`), lowercased. A word matches a
//! vocabulary entry when it equals it, or, for entries of five letters or
//! more, starts with it (`sharedaddy`, `comments`, `newsletters`).

use scraper::node::Element;

/// How strongly an element is taken for boilerplate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Boiler {
    /// Nothing says so.
    No,
    /// Weak: metadata rows, headers, banners; kept when the subtree holds most of the text.
    Weak,
    /// Strong: navigation, share bars, comments, related posts, ads.
    Strong,
}

/// Words that mark a block as never part of an article.
const STRONG: &[&str] = &[
    "share",
    "sharing",
    "social",
    "sociable",
    "related",
    "comment",
    "comments",
    "disqus",
    "respond",
    "reply",
    "newsletter",
    "subscribe",
    "subscription",
    "signup",
    "sidebar",
    "widget",
    "advert",
    "advertisement",
    "advertising",
    "sponsor",
    "sponsored",
    "promo",
    "promotion",
    "breadcrumb",
    "breadcrumbs",
    "footer",
    "menu",
    "navbar",
    "navigation",
    "nav",
    "popup",
    "modal",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "outbrain",
    "taboola",
    "recommend",
    "recommended",
    "recirc",
    "trending",
    "popular",
    "mostread",
    "readmore",
    "readalso",
    "pagination",
    "pager",
    "paywall",
    "ad",
    "ads",
    "adv",
    "adsense",
    "adslot",
    "adunit",
    "dfp",
    "banner",
    "skip",
    "sr",
    "screenreader",
    "print",
    "toolbar",
    "tools",
    "rating",
    "masthead",
    "login",
    "register",
];

/// Words that mark metadata or secondary content inside an article.
const WEAK: &[&str] = &[
    "meta",
    "byline",
    "author",
    "authors",
    "bio",
    "avatar",
    "dateline",
    "date",
    "time",
    "timestamp",
    "tags",
    "tag",
    "taglist",
    "tagcloud",
    "categories",
    "category",
    "header",
    "topbar",
    "hidden",
    "hide",
    "extra",
    "aside",
    "subline",
    "kicker",
    "headline",
];

/// Words that mark the article or its text.
const POSITIVE: &[&str] = &[
    "article",
    "content",
    "entry",
    "post",
    "body",
    "text",
    "story",
    "main",
    "blog",
    "hentry",
    "prose",
    "richtext",
    "articlebody",
];

/// Prefixes of classes that name the post's taxonomy, not the element's
/// role (WordPress and its kin put `category-social`, `tag-share` on the
/// article itself).
const TAXONOMY: &[&str] = &[
    "category-",
    "tag-",
    "tags-",
    "post_tag-",
    "format-",
    "type-",
    "status-",
    "author-",
    "topic-",
    "section-",
];

/// The words of the element's class and id values.
pub fn words(el: &Element) -> Vec<String> {
    let mut out = Vec::new();
    for c in el.classes() {
        if !TAXONOMY
            .iter()
            .any(|p| c.len() > p.len() && c.to_ascii_lowercase().starts_with(p))
        {
            split_words(c, &mut out);
        }
    }
    if let Some(id) = el.id() {
        split_words(id, &mut out);
    }
    out
}

/// Split a class or id value into lowercase words (at non-letters and camelCase humps).
pub fn split_words(v: &str, out: &mut Vec<String>) {
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in v.chars() {
        if c.is_ascii_alphabetic() {
            if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = c.is_ascii_lowercase();
            cur.push(c.to_ascii_lowercase());
        } else {
            prev_lower = false;
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
}

fn matches(word: &str, vocab: &[&'static str]) -> Option<&'static str> {
    vocab
        .iter()
        .find(|v| word == **v || (v.len() >= 5 && word.starts_with(**v)))
        .copied()
}

/// Which boilerplate word (if any) the class/id words hold, and how strong.
pub fn boiler_word(words: &[String]) -> (Boiler, Option<&'static str>) {
    let mut weak = None;
    for w in words {
        if let Some(m) = matches(w, STRONG) {
            return (Boiler::Strong, Some(m));
        }
        if weak.is_none() {
            weak = matches(w, WEAK);
        }
    }
    match weak {
        Some(m) => (Boiler::Weak, Some(m)),
        None => (Boiler::No, None),
    }
}

/// Whether the class/id words name the article or its text.
pub fn positive_word(words: &[String]) -> Option<&'static str> {
    words.iter().find_map(|w| matches(w, POSITIVE))
}

/// What the tag and `role` say, before class and id.
pub fn tag_boiler(el: &Element) -> (Boiler, Option<&'static str>) {
    match el.name() {
        "nav" => return (Boiler::Strong, Some("nav")),
        "aside" => return (Boiler::Strong, Some("aside")),
        "footer" => return (Boiler::Strong, Some("footer")),
        "form" if el.attr("role") == Some("search") => return (Boiler::Strong, Some("form")),
        "header" => return (Boiler::Weak, Some("header")),
        "dialog" => return (Boiler::Strong, Some("dialog")),
        _ => {}
    }
    match el.attr("role").map(str::to_ascii_lowercase).as_deref() {
        Some("navigation") => (Boiler::Strong, Some("role=navigation")),
        Some("complementary") => (Boiler::Strong, Some("role=complementary")),
        Some("contentinfo") => (Boiler::Strong, Some("role=contentinfo")),
        Some("banner") => (Boiler::Weak, Some("role=banner")),
        Some("search") => (Boiler::Strong, Some("role=search")),
        Some("dialog") | Some("alertdialog") => (Boiler::Strong, Some("role=dialog")),
        Some("menu") | Some("menubar") => (Boiler::Strong, Some("role=menu")),
        _ => (Boiler::No, None),
    }
}

/// The element's own verdict: the stronger of tag/role and class/id, with
/// the word that decided.
pub fn element_boiler(el: &Element, words: &[String]) -> (Boiler, Option<&'static str>) {
    let t = tag_boiler(el);
    let c = boiler_word(words);
    if c.0 > t.0 {
        c
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        let mut v = Vec::new();
        split_words(s, &mut v);
        v
    }

    #[test]
    fn splits_class_values_into_words() {
        assert_eq!(
            w("relatedPosts td_block-12"),
            ["related", "posts", "td", "block"]
        );
        assert_eq!(w("entry-content"), ["entry", "content"]);
        assert_eq!(w("HTMLParser"), ["htmlparser"]);
    }

    #[test]
    fn vocabulary_matches_words_and_long_prefixes() {
        assert_eq!(boiler_word(&w("sharedaddy")).0, Boiler::Strong);
        assert_eq!(boiler_word(&w("post-comments")).0, Boiler::Strong);
        assert_eq!(boiler_word(&w("entry-meta")).0, Boiler::Weak);
        // short words match whole only: "adr" is not "ad", "shadow" is not "share"
        assert_eq!(boiler_word(&w("adr shadow")).0, Boiler::No);
        assert_eq!(positive_word(&w("td-post-content")), Some("post"));
    }
}
