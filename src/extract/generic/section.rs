//! The section path: the breadcrumb trail without "home" and without the
//! page itself. JSON-LD `BreadcrumbList` first, then a visible breadcrumb
//! (an element whose class, id or `aria-label` says breadcrumb, or that has
//! the schema.org `BreadcrumbList` item type).

use super::content::Verdicts;
use super::dom::Dom;
use super::meta::Meta;
use crate::extract::select::element_text;
use crate::text::alnum_key;

/// The section found and how.
#[derive(Debug, Clone)]
pub struct Found {
    /// The trail, outermost first.
    pub path: Vec<String>,
    /// The rule that chose it.
    pub rule: String,
    /// The breadcrumb element, when it came from one.
    pub at: Option<u32>,
}

const HOME: &[&str] = &[
    "home",
    "homepage",
    "start",
    "startseite",
    "accueil",
    "inicio",
    "portada",
    "home page",
    "hauptseite",
    "главная",
    "início",
];

fn is_home(name: &str, url: Option<&str>, page: &url::Url) -> bool {
    let n = name.trim().to_lowercase();
    if HOME.contains(&n.as_str()) {
        return true;
    }
    if let Some(u) = url.and_then(|u| page.join(u).ok()) {
        return u.path() == "/" || u.path().is_empty();
    }
    false
}

fn is_self(name: &str, url: Option<&str>, page: &url::Url, title: &str) -> bool {
    if !title.is_empty() {
        let (n, t) = (alnum_key(name), alnum_key(title));
        if n == t || (n.len() > 12 && t.starts_with(&n)) {
            return true;
        }
    }
    match url.and_then(|u| page.join(u).ok()) {
        Some(u) => u.path() == page.path() && u.path() != "/",
        None => false,
    }
}

fn trim(items: Vec<(String, Option<String>)>, page: &url::Url, title: &str) -> Vec<String> {
    let mut items = items;
    while items
        .first()
        .is_some_and(|(n, u)| is_home(n, u.as_deref(), page))
    {
        items.remove(0);
    }
    if items
        .last()
        .is_some_and(|(n, u)| is_self(n, u.as_deref(), page, title))
    {
        items.pop();
    }
    let mut out: Vec<String> = Vec::new();
    for (n, _) in items {
        let n = n
            .trim_matches(|c: char| !c.is_alphanumeric() && c != ')')
            .to_string();
        if !n.is_empty() && n.chars().count() <= 80 && !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

fn is_breadcrumb(dom: &Dom<'_>, v: &Verdicts, i: u32) -> bool {
    let el = dom.get(i).el.value();
    if v.words[i as usize]
        .iter()
        .any(|w| w.starts_with("breadcrumb") || w == "crumbs" || w == "crumb")
    {
        return true;
    }
    if el
        .attr("aria-label")
        .is_some_and(|a| a.to_lowercase().contains("breadcrumb"))
    {
        return true;
    }
    el.attr("itemtype")
        .is_some_and(|t| t.ends_with("BreadcrumbList"))
}

/// Find the section path.
pub fn find(
    dom: &Dom<'_>,
    meta: &Meta,
    v: &Verdicts,
    page: &url::Url,
    title: &str,
) -> Option<Found> {
    if !meta.breadcrumbs.is_empty() {
        let path = trim(meta.breadcrumbs.clone(), page, title);
        if !path.is_empty() {
            return Some(Found {
                path,
                rule: "JSON-LD BreadcrumbList".into(),
                at: None,
            });
        }
    }
    for i in 0..dom.nodes.len() as u32 {
        let e = dom.get(i);
        if e.dead || e.text == 0 || e.text > 600 || !is_breadcrumb(dom, v, i) {
            continue;
        }
        // items: the list items when it is a list, else the links, then a last plain text
        let lis: Vec<u32> = dom.find_tag(i, "li").collect();
        let mut items: Vec<(String, Option<String>)> = Vec::new();
        if lis.len() >= 2 {
            for &l in &lis {
                // a nested list item belongs to its parent item
                if lis.iter().any(|&o| o != l && dom.within(l, o)) {
                    continue;
                }
                let t = element_text(dom.get(l).el, &Default::default());
                let href = dom
                    .find_tag(l, "a")
                    .next()
                    .and_then(|a| dom.get(a).el.value().attr("href"));
                if !t.is_empty() {
                    items.push((t, href.map(str::to_string)));
                }
            }
        } else {
            for a in dom.find_tag(i, "a") {
                let t = element_text(dom.get(a).el, &Default::default());
                if !t.is_empty() {
                    items.push((t, dom.get(a).el.value().attr("href").map(str::to_string)));
                }
            }
        }
        let path = trim(items, page, title);
        if !path.is_empty() {
            return Some(Found {
                path,
                rule: "breadcrumb element (class, id, aria-label or BreadcrumbList)".into(),
                at: Some(i),
            });
        }
    }
    None
}
