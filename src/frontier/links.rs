//! Link discovery: the URLs a fetched page leads to.
//!
//! Listing pages and sidebars are how a crawl finds articles, and pagination
//! (`<link rel=next>`, `a[rel=next]`, the site's page links) is how it finds
//! all of them. This module turns an already-parsed page into absolute URLs in
//! document order, deduplicated, without judging scope (the frontier does
//! that) and without canonicalising (the frontier does that too, with the
//! site's rules).

mod scan;

use cssparser::ToCss;
use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::canon::decode_amp_leftovers;

/// The compiled `[crawl.follow]` of one site.
#[derive(Debug, Clone)]
pub struct FollowRules {
    /// Elements whose `href` is followed (default `a[href]`).
    pub links: Selector,
    /// Also follow `<link rel=next>` and `a[rel=next]`, reported as [`LinkKind::Pagination`].
    pub pagination: bool,
}

impl Default for FollowRules {
    fn default() -> Self {
        FollowRules {
            links: default_links_selector(),
            pagination: true,
        }
    }
}

/// The default selector of links to follow.
pub fn default_links_selector() -> Selector {
    // A constant, valid selector: parsing cannot fail.
    Selector::parse("a[href]").unwrap_or_else(|_| unreachable!("constant selector"))
}

/// How a link was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// An element matched by [`FollowRules::links`].
    Anchor,
    /// A `rel=next` link (`<link>` or `<a>`).
    Pagination,
}

/// One discovered link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Absolute `http`/`https` URL, without fragment.
    pub url: Url,
    /// How it was found; `Pagination` wins when a URL was found both ways.
    pub kind: LinkKind,
}

/// The links of `doc` (fetched from `page_url`) to follow, in document order
/// and deduplicated. Relative hrefs resolve against `<base href>` when the
/// page has a usable one. `javascript:`, `mailto:`, `tel:`, `data:`, pure
/// `#fragment` and unparsable hrefs are skipped, as is any non-http(s) result;
/// `&amp;` leftovers are decoded first.
pub fn discover(doc: &Html, page_url: &Url, follow: &FollowRules) -> Vec<Link> {
    let base = base_url(doc, page_url);
    let next_sel = follow.pagination.then(next_selector);
    let mut out: Vec<Link> = Vec::new();
    for node in doc.root_element().descendants() {
        let Some(el) = ElementRef::wrap(node) else {
            continue;
        };
        let is_next = next_sel.as_ref().is_some_and(|s| s.matches(&el));
        let kind = if is_next {
            LinkKind::Pagination
        } else if follow.links.matches(&el) {
            LinkKind::Anchor
        } else {
            continue;
        };
        let Some(href) = el.value().attr("href") else {
            continue;
        };
        if let Some(url) = resolve_href(href, &base) {
            add_link(&mut out, url, kind);
        }
    }
    out
}

/// [`discover`] from the page's text (decoded and prepared as for the
/// parser), with the tokenizer alone when the rules allow it: the same
/// links in the same order, without building the document. None when the
/// follow selector is not the default `a[href]` (the scan matches only
/// that) or the page has markup the scan leaves to the parser (see
/// [`scan`]); the caller then parses the text and calls [`discover`].
pub fn discover_in_text(text: &str, page_url: &Url, follow: &FollowRules) -> Option<Vec<Link>> {
    if follow.links.to_css_string() != "a[href]" {
        return None;
    }
    let found = scan::scan(text, follow.pagination)?;
    let base = base_of(found.base.as_deref(), page_url);
    let mut out: Vec<Link> = Vec::new();
    for (href, kind) in found.hrefs {
        if let Some(url) = resolve_href(&href, &base) {
            add_link(&mut out, url, kind);
        }
    }
    Some(out)
}

/// Add a link once; `Pagination` wins when a URL is found both ways.
fn add_link(out: &mut Vec<Link>, url: Url, kind: LinkKind) {
    match out.iter_mut().find(|l| l.url == url) {
        Some(existing) => {
            if kind == LinkKind::Pagination {
                existing.kind = LinkKind::Pagination;
            }
        }
        None => out.push(Link { url, kind }),
    }
}

fn next_selector() -> Selector {
    // A constant, valid selector: parsing cannot fail.
    Selector::parse("link[rel~=next i][href], a[rel~=next i][href]")
        .unwrap_or_else(|_| unreachable!("constant selector"))
}

/// The base for relative links: the first `<base href>` resolved against the
/// page URL when it gives an http(s) URL, else the page URL.
fn base_url(doc: &Html, page_url: &Url) -> Url {
    let Ok(sel) = Selector::parse("base[href]") else {
        return page_url.clone();
    };
    let href = doc.select(&sel).next().and_then(|b| b.value().attr("href"));
    base_of(href, page_url)
}

/// `href` (of the first `<base>`) resolved against the page URL when it
/// gives an http(s) URL, else the page URL.
fn base_of(href: Option<&str>, page_url: &Url) -> Url {
    href.and_then(|h| page_url.join(h.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .unwrap_or_else(|| page_url.clone())
}

/// Resolve one href against `base`; `None` for links that are not followable.
pub fn resolve_href(href: &str, base: &Url) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let lower: String = href
        .chars()
        .take(12)
        .collect::<String>()
        .to_ascii_lowercase();
    if ["javascript:", "mailto:", "tel:", "data:", "sms:", "callto:"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return None;
    }
    let cleaned = decode_amp_leftovers(href);
    let mut url = base.join(&cleaned).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    url.set_fragment(None);
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(links: &[Link]) -> Vec<(&str, LinkKind)> {
        links.iter().map(|l| (l.url.as_str(), l.kind)).collect()
    }

    const PAGE: &str = r##"<html><head>
        <link rel="canonical" href="https://www.iranfocus.com/en/iran-and-its-neighbours/iraq/">
        <link rel="next" href="https://www.iranfocus.com/en/iran-and-its-neighbours/iraq/page/2/">
        </head><body>
        <a href="#top">top</a>
        <a href="javascript:void(0)">js</a>
        <a href="MAILTO:editor@iranfocus.com">mail</a>
        <a href="tel:+44123">call</a>
        <a href="7198-iran-says/">relative</a>
        <a href="/en/index.php?option=com_content&amp;amp;task=view&amp;amp;id=7190&amp;amp;Itemid=26">joomla</a>
        <a href="7198-iran-says/#comments">again with fragment</a>
        <a class="page" href="page/2/">2</a>
        <a href="ftp://files.iranfocus.com/x">ftp</a>
        <a>no href</a>
        <a href="http://[bad">bad</a>
        </body></html>"##;

    #[test]
    fn document_order_dedup_and_skips() {
        let doc = Html::parse_document(PAGE);
        let page =
            Url::parse("https://www.iranfocus.com/en/iran-and-its-neighbours/iraq/").unwrap();
        let got = discover(&doc, &page, &FollowRules::default());
        assert_eq!(
            urls(&got),
            vec![
                ("https://www.iranfocus.com/en/iran-and-its-neighbours/iraq/page/2/", LinkKind::Pagination),
                ("https://www.iranfocus.com/en/iran-and-its-neighbours/iraq/7198-iran-says/", LinkKind::Anchor),
                (
                    "https://www.iranfocus.com/en/index.php?option=com_content&task=view&id=7190&Itemid=26",
                    LinkKind::Anchor
                ),
            ]
        );
    }

    #[test]
    fn pagination_off_only_follows_the_selector() {
        let doc = Html::parse_document(PAGE);
        let page =
            Url::parse("https://www.iranfocus.com/en/iran-and-its-neighbours/iraq/").unwrap();
        let follow = FollowRules {
            links: Selector::parse("a.page").unwrap(),
            pagination: false,
        };
        let got = discover(&doc, &page, &follow);
        assert_eq!(
            urls(&got),
            vec![(
                "https://www.iranfocus.com/en/iran-and-its-neighbours/iraq/page/2/",
                LinkKind::Anchor
            )]
        );
    }

    #[test]
    fn a_rel_next_upgrades_an_anchor_and_base_href_is_used() {
        let html = r#"<html><head><base href="https://www.iranfocus.com/en/"></head><body>
            <a href="index.php?option=com_content&amp;limitstart=15">15</a>
            <a rel="nofollow next" href="index.php?option=com_content&limitstart=15">Next &gt;</a>
            <a href="/other/">root</a></body></html>"#;
        let doc = Html::parse_document(html);
        let page = Url::parse("http://mirror.local/saved/listing.html").unwrap();
        let got = discover(&doc, &page, &FollowRules::default());
        assert_eq!(
            urls(&got),
            vec![
                (
                    "https://www.iranfocus.com/en/index.php?option=com_content&limitstart=15",
                    LinkKind::Pagination
                ),
                ("https://www.iranfocus.com/other/", LinkKind::Anchor),
            ]
        );
    }

    #[test]
    fn unusable_base_falls_back_to_the_page_url() {
        let html = r#"<html><head><base href="javascript:x"></head><body><a href="a/">a</a></body></html>"#;
        let doc = Html::parse_document(html);
        let page = Url::parse("https://h.org/en/").unwrap();
        let got = discover(&doc, &page, &FollowRules::default());
        assert_eq!(urls(&got), vec![("https://h.org/en/a/", LinkKind::Anchor)]);
    }
}
