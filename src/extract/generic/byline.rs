//! The authors: the byline the page shows near the title. Candidates are
//! elements marked as the author (`rel=author`, `itemprop=author`, a class
//! or id with `author`/`byline`) and short blocks reading "By X", between a
//! little before the title and the first paragraph of the body; the nearest
//! to the title wins. Navigation, sidebars and comments are never read, nor
//! author boxes after the text. JSON-LD and `<meta name=author>` names are
//! taken only when the page shows the same name.
//!
//! A byline is cleaned into names: the "By" word, dates, handles, e-mail
//! addresses, job titles after a comma or a bar are cut, and "A and B" is
//! split into two names.

use super::content::Verdicts;
use super::dom::Dom;
use super::meta::Meta;
use crate::extract::select::element_text;
use crate::text::{clean, fold_key};

/// The authors found and how.
#[derive(Debug, Clone)]
pub struct Found {
    /// The names, in page order.
    pub names: Vec<String>,
    /// The rule that chose them.
    pub rule: String,
    /// The elements they came from.
    pub at: Vec<u32>,
}

/// "By" in the languages of the pages we see most (a byline's first word).
const BY: &[&str] = &[
    "by", "von", "par", "por", "di", "door", "av", "af", "od", "autor", "author", "text", "texte",
    "written",
];

/// Words that end a name in a byline ("John Smith, Staff Writer | May 4").
const STOP_WORDS: &[&str] = &[
    "on",
    "am",
    "le",
    "el",
    "il",
    "updated",
    "published",
    "posted",
    "aktualisiert",
    "veröffentlicht",
    "at",
    "in",
    "for",
    "|",
];

fn strip_label<'s>(t: &'s str, words: &[&str]) -> Option<&'s str> {
    for w in words {
        let Some(head) = t.get(..w.len()) else {
            continue;
        };
        if head.eq_ignore_ascii_case(w) {
            let rest = &t[w.len()..];
            if rest.starts_with([' ', ':', '\u{a0}']) {
                return Some(rest.trim_start_matches([' ', ':', '\u{a0}']));
            }
        }
    }
    None
}

fn strip_by(s: &str) -> &str {
    let mut t = s.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '@');
    // "Posted by", "Written by", "Interview: X", "Text: X"
    if let Some(r) = strip_label(t, LABELS) {
        t = r;
    }
    strip_label(t, BY).unwrap_or(t)
}

/// Words that introduce a byline before its "by" ("Posted by", "Interview:").
const LABELS: &[&str] = &[
    "posted",
    "written",
    "published",
    "interview",
    "story",
    "words",
    "geschrieben",
    "verfasst",
    "publié",
    "escrito",
    "scritto",
];

/// Words that are never a name on their own (labels and links around bylines).
const NOT_NAMES: &[&str] = &[
    "posted",
    "published",
    "veröffentlicht",
    "beitrag",
    "by",
    "von",
    "author",
    "autor",
    "authors",
    "share",
    "news",
    "subscriptions",
    "subscribe",
    "sign out",
    "sign in",
    "login",
    "log in",
    "menu",
    "home",
    "more",
    "comments",
    "comment",
    "follow",
    "email",
    "e-mail",
];

/// Words that start a photo or illustration credit after the names.
const CREDITS: &[&str] = &[
    " illustration",
    " illustrationen",
    " foto",
    " fotos",
    " photo",
    " photos",
    " bild",
    " bilder",
    " grafik",
    " video",
    " image",
];

/// Whether `s` reads like a person's (or a desk's) name.
fn name_like(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.is_empty() || words.len() > 6 || s.chars().count() > 60 || s.chars().count() < 2 {
        return false;
    }
    if super::dates::find_date(s).is_some()
        || s.contains('@')
        || s.contains("://")
        || words
            .iter()
            .any(|w| w.chars().all(|c| c.is_ascii_digit() || c == '.'))
    {
        return false;
    }
    if NOT_NAMES.contains(&s.to_lowercase().as_str()) {
        return false;
    }
    let letters = s.chars().filter(|c| c.is_alphabetic()).count();
    letters * 2 > s.chars().count()
}

/// Split a byline's text into names.
pub fn names(text: &str) -> Vec<String> {
    let t = clean(text);
    let t = strip_by(&t);
    // cut at the first separator that ends the names (a date, a bar, a job title)
    let mut cut = t.len();
    for sep in [" | ", "|", " • ", " · ", " – ", " — ", "\n", " - "] {
        if let Some(p) = t.find(sep) {
            cut = cut.min(p);
        }
    }
    let mut t = &t[..cut];
    let lower_t = t.to_lowercase();
    if lower_t.len() == t.len() {
        if let Some(p) = CREDITS.iter().filter_map(|c| lower_t.find(c)).min() {
            t = &t[..p];
        }
    }
    // stop words end the names: "John Smith on May 4"
    let lower = t.to_lowercase();
    let mut pos = 0;
    for w in lower.split(' ') {
        if STOP_WORDS.contains(&w) && pos > 0 {
            t = &t[..pos];
            break;
        }
        if super::dates::find_date(&lower[pos..]).is_some()
            && w.chars().any(|c| c.is_ascii_digit())
            && pos > 0
        {
            t = &t[..pos];
            break;
        }
        pos += w.len() + 1;
        if pos > lower.len() {
            break;
        }
    }
    let mut out: Vec<String> = Vec::new();
    for part in split_names(t) {
        if part.contains('@') {
            continue; // a handle or an e-mail address is not a name
        }
        let p = part
            .trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != ')')
            .trim();
        let p = strip_by(p).trim();
        if name_like(p) && !out.iter().any(|o| fold_key(o) == fold_key(p)) {
            out.push(p.to_string());
        }
    }
    out
}

/// Words of job titles that follow a name after a comma.
const JOB_WORDS: &[&str] = &[
    "staff",
    "writer",
    "reporter",
    "editor",
    "correspondent",
    "contributor",
    "columnist",
    "journalist",
    "producer",
    "photographer",
    "redakteur",
    "redakteurin",
    "redaktion",
    "autor",
    "autorin",
    "senior",
    "chief",
    "news",
    "desk",
    "team",
    "contributing",
    "freelance",
];

fn is_job_title(s: &str) -> bool {
    s.split_whitespace()
        .any(|w| JOB_WORDS.contains(&w.to_lowercase().trim_matches(|c: char| !c.is_alphabetic())))
}

fn split_names(t: &str) -> Vec<&str> {
    let mut parts = vec![t];
    for sep in [" and ", " & ", " und ", " et ", " y ", " e ", ", ", "; "] {
        parts = parts.into_iter().flat_map(|p| p.split(sep)).collect();
    }
    if parts.len() > 1 {
        let named: Vec<&str> = parts.iter().copied().filter(|p| !is_job_title(p)).collect();
        if !named.is_empty() {
            parts = named;
        }
    }
    // "Smith, John": a comma part that is one word is not a name of its own
    if parts.len() == 2
        && t.contains(", ")
        && parts[1].split_whitespace().count() == 1
        && !t.contains(" and ")
    {
        return vec![t.split(", ").next().unwrap_or(t)];
    }
    parts
}

fn is_author_marked(dom: &Dom<'_>, v: &Verdicts, i: u32) -> bool {
    let e = dom.get(i);
    let el = e.el.value();
    if el.attr("rel").is_some_and(|r| {
        r.split_whitespace()
            .any(|w| w.eq_ignore_ascii_case("author"))
    }) {
        return true;
    }
    if el.attr("itemprop") == Some("author") {
        return true;
    }
    let w = &v.words[i as usize];
    w.iter().any(|w| {
        matches!(
            w.as_str(),
            "author" | "authors" | "byline" | "autor" | "auteur" | "writer" | "bylines"
        )
    }) && !w.iter().any(|w| {
        matches!(
            w.as_str(),
            "bio"
                | "box"
                | "about"
                | "avatar"
                | "description"
                | "image"
                | "img"
                | "photo"
                | "more"
                | "list"
        )
    })
}

fn visible_contains(page_text: &str, name: &str) -> bool {
    let n = fold_key(name);
    !n.is_empty() && page_text.contains(&n)
}

/// The byline in one window of elements: marked elements first, then "By X" text.
fn in_window(dom: &Dom<'_>, v: &Verdicts, (lo, hi): (u32, u32), place: &str) -> Option<Found> {
    let hi = hi.min(dom.nodes.len() as u32);
    // 1. marked elements, nearest the start of the window first in page order
    let mut i = lo;
    while i < hi {
        let e = dom.get(i);
        if e.dead || v.strong[i as usize] || e.text == 0 || e.text > 300 {
            i += 1;
            continue;
        }
        if is_author_marked(dom, v, i) {
            let el = e.el;
            // itemprop=author often wraps itemprop=name
            let name_el = (i..e.end)
                .find(|&j| dom.get(j).el.value().attr("itemprop") == Some("name"))
                .map(|j| dom.get(j).el)
                .unwrap_or(el);
            // several author links inside one byline: each one is a name
            let links: Vec<u32> = (i..e.end)
                .filter(|&j| dom.get(j).tag == "a" && dom.get(j).text > 0)
                .collect();
            let mut found = Vec::new();
            let mut at = Vec::new();
            if links.len() > 1 && e.tag != "a" {
                for &j in &links {
                    for n in names(&element_text(dom.get(j).el, &Default::default())) {
                        if !found.contains(&n) {
                            found.push(n);
                            at.push(j);
                        }
                    }
                }
            }
            if found.is_empty() {
                found = names(&element_text(name_el, &Default::default()));
                at = vec![i];
            }
            if !found.is_empty() {
                // more author marks right after (a second rel=author link)
                let mut j = e.end;
                while j < hi && j < e.end + 12 {
                    if is_author_marked(dom, v, j) && !dom.get(j).dead && dom.get(j).text <= 120 {
                        for n in names(&element_text(dom.get(j).el, &Default::default())) {
                            if !found.iter().any(|f| fold_key(f) == fold_key(&n)) {
                                found.push(n);
                                at.push(j);
                            }
                        }
                        j = dom.get(j).end;
                    } else {
                        j += 1;
                    }
                }
                return Some(Found {
                    names: found,
                    rule: format!("byline element {place} (rel=author, itemprop=author, class/id author or byline)"),
                    at,
                });
            }
            i = e.end;
            continue;
        }
        i += 1;
    }
    // 2. "By X" text in a short block near the title
    for i in lo..hi {
        let e = dom.get(i);
        if e.dead || v.strong[i as usize] || e.own == 0 || e.own > 120 {
            continue;
        }
        if e.block != i {
            continue;
        }
        let text = element_text(e.el, &Default::default());
        let stripped = strip_by(&text);
        if stripped.len()
            == text
                .trim_start_matches(|c: char| !c.is_alphanumeric() && c != '@')
                .len()
        {
            continue; // no "By" word
        }
        let n = names(&text);
        if !n.is_empty() {
            return Some(Found {
                names: n,
                rule: format!("\"By X\" text {place}"),
                at: vec![i],
            });
        }
    }
    None
}

/// Find the authors between `near.0` and `near.1` (element indices).
pub fn find(
    dom: &Dom<'_>,
    meta: &Meta,
    v: &Verdicts,
    near: (u32, u32),
    page_text: &dyn Fn() -> String,
) -> Option<Found> {
    if let Some(f) = in_window(dom, v, near, "near the title") {
        return Some(f);
    }
    // 3. metadata names the page shows (the page's text is read only when there are some)
    let ld: Vec<String> = meta
        .ld_authors()
        .into_iter()
        .filter(|n| name_like(n))
        .collect();
    let keys = [
        "author",
        "article:author",
        "dc.creator",
        "dcterms.creator",
        "parsely-author",
        "sailthru.author",
    ];
    let tagged: Vec<(&str, Vec<String>)> = keys
        .iter()
        .filter_map(|k| meta.tag(k).map(|a| (*k, names(a))))
        .filter(|(_, n)| !n.is_empty())
        .collect();
    if ld.is_empty() && tagged.is_empty() {
        return None;
    }
    let shown = page_text();
    let ld: Vec<String> = ld
        .into_iter()
        .filter(|n| visible_contains(&shown, n))
        .collect();
    if !ld.is_empty() {
        return Some(Found {
            names: ld,
            rule: "JSON-LD author (shown on the page)".into(),
            at: vec![],
        });
    }
    for (key, n) in tagged {
        let n: Vec<String> = n
            .into_iter()
            .filter(|n| visible_contains(&shown, n))
            .collect();
        if !n.is_empty() {
            return Some(Found {
                names: n,
                rule: format!("meta {key} (shown on the page)"),
                at: vec![],
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_bylines_into_names() {
        assert_eq!(names("By John Smith"), ["John Smith"]);
        assert_eq!(
            names("By JOHN SMITH and Jane Doe | May 4, 2022"),
            ["JOHN SMITH", "Jane Doe"]
        );
        assert_eq!(names("Von Bettina Kugler"), ["Bettina Kugler"]);
        assert_eq!(names("Written by Ariel H on October 26, 2020"), ["Ariel H"]);
        assert_eq!(names("James Whittaker, Staff Writer"), ["James Whittaker"]);
        assert_eq!(names("@handle"), Vec::<String>::new());
        assert_eq!(names("May 4, 2022"), Vec::<String>::new());
    }
}
