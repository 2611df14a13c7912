//! A CSS selector for an element found by a generic rule, for evidence and
//! for turning what generic extraction found into a site profile: built from
//! the element's tag, its stable id and classes, and those of up to three
//! ancestors, never `nth-child` chains and never generated names (hashes,
//! long runs of digits, CSS-in-JS prefixes).

use super::dom::{Dom, NONE};

/// Whether a class or id looks written by a person (and so stable across pages).
pub fn is_stable_name(s: &str) -> bool {
    let n = s.chars().count();
    if !(2..=40).contains(&n) {
        return false;
    }
    if !s.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return false;
    }
    let digits = s.chars().filter(|c| c.is_ascii_digit()).count();
    if digits >= 3 || (digits > 0 && n >= 8 && digits * 4 >= n) {
        return false;
    }
    // CSS-in-JS and module hashes: css-1x2y3z, sc-bdVaJa, jsx-123, Foo_bar__3xYz
    let lower = s.to_ascii_lowercase();
    if ["css-", "sc-", "jsx-", "emotion-", "svelte-", "styled-"]
        .iter()
        .any(|p| lower.starts_with(p))
        || s.contains("__") && digits > 0
    {
        return false;
    }
    // a mix of cases inside a word with no separator, like "bdVaJa" or "xYz9"
    let humps = s
        .as_bytes()
        .windows(2)
        .filter(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
        .count();
    let words = s.split(['-', '_']).count();
    humps <= words + 1
}

fn simple(dom: &Dom<'_>, i: u32) -> (String, bool) {
    let e = dom.get(i);
    let el = e.el.value();
    if let Some(id) = el.id().filter(|id| is_stable_name(id)) {
        return (format!("{}#{id}", e.tag), true);
    }
    let mut s = e.tag.to_string();
    for c in el.classes().filter(|c| is_stable_name(c)).take(2) {
        s.push('.');
        s.push_str(c);
    }
    (s, false)
}

/// A selector for element `i`: its own simple selector, prefixed by its
/// nearest ancestors' until an id anchors it (at most four parts).
pub fn path(dom: &Dom<'_>, i: u32) -> String {
    let (mut s, anchored) = simple(dom, i);
    if anchored {
        return s;
    }
    let mut cur = dom.get(i).parent;
    let mut parts = 1;
    while cur != NONE && parts < 4 {
        let e = dom.get(cur);
        if matches!(e.tag, "html" | "body") {
            break;
        }
        let (p, anchored) = simple(dom, cur);
        // a bare tag adds nothing a descendant combinator does not
        if p.contains(['.', '#']) {
            s = format!("{p} {s}");
            parts += 1;
        }
        if anchored {
            break;
        }
        cur = e.parent;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_generated_names() {
        for ok in [
            "entry-content",
            "td-post-content",
            "articleBody",
            "post_text",
            "h1",
        ] {
            assert!(is_stable_name(ok), "{ok}");
        }
        for bad in [
            "css-1x2y3z",
            "sc-bdVaJa",
            "post-12345",
            "a8f3e2b1c9",
            "jsx-2791",
            "x",
        ] {
            assert!(!is_stable_name(bad), "{bad}");
        }
    }
}
