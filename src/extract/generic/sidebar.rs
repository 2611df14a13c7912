//! Sidebar lists: blocks outside the body that are a heading and a list of
//! links ("Latest news", "Most read"), as `lists.<slug of the heading>` with
//! per item `title`, `url` and `excerpt` when the item has text of its own.
//! The block is the largest element around the heading that holds no other
//! heading. Navigation, the page header and the footer are never read: their
//! link farms are menus, not lists of articles.

use serde_json::{Map, Value};

use super::content::Verdicts;
use super::dom::Dom;
use crate::extract::select::{absolute_url, element_text};
use crate::text::clean;

/// One list found.
#[derive(Debug, Clone)]
pub struct Found {
    /// The key: a slug of the heading.
    pub key: String,
    /// The heading as shown.
    pub heading: String,
    /// The items (`title`, `url`, `excerpt`).
    pub items: Vec<Value>,
    /// The heading element.
    pub heading_at: u32,
    /// The block element.
    pub block_at: u32,
}

/// `Latest news` → `latest_news`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

fn is_chrome(dom: &Dom<'_>, v: &Verdicts, i: u32) -> bool {
    let e = dom.get(i);
    let el = e.el.value();
    if matches!(e.tag, "nav" | "header" | "footer" | "menu") {
        return true;
    }
    if matches!(
        el.attr("role"),
        Some("navigation" | "banner" | "contentinfo" | "menubar" | "menu")
    ) {
        return true;
    }
    v.words[i as usize].iter().any(|w| {
        matches!(
            w.as_str(),
            "nav"
                | "navbar"
                | "navigation"
                | "menu"
                | "footer"
                | "header"
                | "masthead"
                | "breadcrumb"
                | "breadcrumbs"
                | "pagination"
                | "pager"
                | "share"
                | "social"
                | "comments"
                | "comment"
        )
    })
}

fn heading_like(dom: &Dom<'_>, v: &Verdicts, i: u32) -> bool {
    let e = dom.get(i);
    if e.text == 0 || e.text > 60 || e.dead {
        return false;
    }
    if matches!(e.tag, "h2" | "h3" | "h4" | "h5" | "h6") {
        return e.link * 2 < e.text || dom.children(i).count() <= 1;
    }
    if !matches!(e.tag, "div" | "span" | "p" | "strong") {
        return false;
    }
    let w = &v.words[i as usize];
    w.iter()
        .any(|w| matches!(w.as_str(), "title" | "heading" | "headline" | "hdr"))
        && w.iter().any(|w| {
            matches!(
                w.as_str(),
                "block" | "widget" | "module" | "box" | "section" | "sidebar"
            )
        })
}

/// The heading-like elements outside chrome and outside the body, the
/// outermost of nested ones, in document order.
fn headings_of(dom: &Dom<'_>, v: &Verdicts, in_chrome: &[bool], body: Option<u32>) -> Vec<u32> {
    let n = dom.nodes.len() as u32;
    let headings: Vec<u32> = (0..n)
        .filter(|&i| !in_chrome[i as usize] && heading_like(dom, v, i))
        .filter(|&i| body.is_none_or(|b| !dom.within(i, b)))
        .collect();
    // a heading inside another heading-like element is the same heading
    headings
        .iter()
        .copied()
        .filter(|&h| !headings.iter().any(|&o| o != h && dom.within(h, o)))
        .collect()
}

/// The block of heading `h`: its largest ancestor (up to six levels) that
/// holds no other heading, is no chrome, and neither holds nor is inside the body.
fn block_of(
    dom: &Dom<'_>,
    headings: &[u32],
    in_chrome: &[bool],
    body: Option<u32>,
    h: u32,
) -> Option<u32> {
    let mut block = None;
    for a in dom.ancestors(h).take(6) {
        let ae = dom.get(a);
        if in_chrome[a as usize] || body.is_some_and(|b| dom.within(b, a) || dom.within(a, b)) {
            break;
        }
        // headings are in document order: those inside `a` are one range
        let from = headings.partition_point(|&o| o < a);
        let to = headings.partition_point(|&o| o < ae.end);
        if to - from > 1 || ae.tag == "body" || ae.tag == "html" {
            break;
        }
        block = Some(a);
    }
    block
}

/// The items of block `b` after its heading (which ends at `hend`): links
/// with a title of two words or more, each once, with the text around
/// each link as its excerpt.
fn items_of(dom: &Dom<'_>, b: u32, hend: u32, base: &url::Url) -> Vec<Value> {
    let bend = dom.get(b).end;
    let mut items: Vec<Value> = Vec::new();
    let mut urls: Vec<String> = Vec::new();
    let mut j = hend;
    while j < bend {
        let e = dom.get(j);
        if e.tag != "a" || e.dead {
            j += 1;
            continue;
        }
        let title = element_text(e.el, &Default::default());
        let href =
            e.el.value()
                .attr("href")
                .and_then(|h| absolute_url(base, h));
        let (Some(url), true) = (
            href,
            title.chars().count() >= 12 && title.split_whitespace().count() >= 2,
        ) else {
            j = e.end;
            continue;
        };
        if urls.contains(&url) {
            j = e.end;
            continue;
        }
        // the item: the largest element below the block around this link and
        // at most one other (an image link to the same page)
        let mut item = j;
        for a in dom.ancestors(j) {
            if a == b || !dom.within(a, b) || dom.get(a).links > 2 {
                break;
            }
            item = a;
        }
        let item_text = element_text(dom.get(item).el, &Default::default());
        let rest = clean(&item_text.replacen(&title, "", 1));
        let mut obj = Map::new();
        obj.insert("title".into(), Value::String(title));
        obj.insert("url".into(), Value::String(url.clone()));
        if rest.chars().count() >= 40
            && super::dates::find_date(&rest).is_none_or(|_| rest.chars().count() >= 60)
        {
            obj.insert("excerpt".into(), Value::String(rest));
        }
        items.push(Value::Object(obj));
        urls.push(url);
        j = dom.get(item).end.max(e.end);
    }
    items
}

/// Find the heading+links blocks outside `body` (the body container).
pub fn find(dom: &Dom<'_>, v: &Verdicts, body: Option<u32>, base: &url::Url) -> Vec<Found> {
    let n = dom.nodes.len() as u32;
    let mut in_chrome = vec![false; n as usize];
    for i in 0..n {
        let p = dom.get(i).parent;
        in_chrome[i as usize] =
            (p != super::dom::NONE && in_chrome[p as usize]) || is_chrome(dom, v, i);
    }
    let headings = headings_of(dom, v, &in_chrome, body);
    let mut out: Vec<Found> = Vec::new();
    let mut used: Vec<u32> = Vec::new();
    for &h in &headings {
        let Some(b) = block_of(dom, &headings, &in_chrome, body, h) else {
            continue;
        };
        if used.iter().any(|&u| dom.within(b, u) || dom.within(u, b)) {
            continue;
        }
        let items = items_of(dom, b, dom.get(h).end, base);
        if items.len() < 2 {
            continue;
        }
        let heading = element_text(dom.get(h).el, &Default::default());
        let key = slug(&heading);
        if key.is_empty() || out.iter().any(|f| f.key == key) {
            continue;
        }
        used.push(b);
        out.push(Found {
            key,
            heading,
            items,
            heading_at: h,
            block_at: b,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_of_headings() {
        assert_eq!(slug("Latest news"), "latest_news");
        assert_eq!(slug("  Most Read! "), "most_read");
        assert_eq!(slug("Letzte Beiträge"), "letzte_beiträge");
    }
}
