//! Field evaluation: fallback selectors, what to take, removals, and the
//! transform steps. Shared by page fields, dateline lookup and list items.

use std::collections::HashSet;

use ego_tree::iter::Edge;
use ego_tree::NodeId;
use scraper::{ElementRef, Node};
use url::Url;

use super::index::DocIndex;
use super::Trace;
use crate::profile::{Field, Sel, Source, Step, Take};
use crate::text::{clean, strip_ellipsis};

/// Tags whose content is never text of the page.
pub fn is_skipped_tag(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "iframe"
            | "object"
            | "embed"
            | "svg"
            | "canvas"
            | "button"
            | "select"
            | "textarea"
            | "input"
            | "head"
    )
}

/// Tags that separate blocks of text.
pub fn is_block_tag(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "aside"
            | "main"
            | "nav"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "dt"
            | "dd"
            | "blockquote"
            | "pre"
            | "table"
            | "thead"
            | "tbody"
            | "tfoot"
            | "tr"
            | "td"
            | "th"
            | "caption"
            | "figure"
            | "figcaption"
            | "hr"
            | "address"
            | "center"
            | "form"
            | "fieldset"
    )
}

/// Node ids of every element matched by `remove` inside `root` (the roots of removed subtrees).
pub fn removed_set(ix: &DocIndex<'_>, root: ElementRef<'_>, remove: &[Sel]) -> HashSet<NodeId> {
    let mut set = HashSet::new();
    for r in remove {
        for el in ix.select(root, r) {
            set.insert(el.id());
        }
    }
    set
}

/// The visible text of `el`, without removed subtrees, scripts and styles,
/// with block boundaries turned into spaces, cleaned.
pub fn element_text(el: ElementRef<'_>, removed: &HashSet<NodeId>) -> String {
    let mut out = String::new();
    let mut skip: Option<NodeId> = None;
    for edge in el.traverse() {
        match edge {
            Edge::Open(n) => {
                if skip.is_some() {
                    continue;
                }
                match n.value() {
                    Node::Text(t) => out.push_str(t),
                    Node::Element(e) => {
                        let name = e.name();
                        if removed.contains(&n.id()) || (is_skipped_tag(name) && n.id() != el.id())
                        {
                            skip = Some(n.id());
                        } else if is_block_tag(name) || name == "br" {
                            out.push(' ');
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(n) => {
                if skip == Some(n.id()) {
                    skip = None;
                } else if skip.is_none() {
                    if let Node::Element(e) = n.value() {
                        if is_block_tag(e.name()) {
                            out.push(' ');
                        }
                    }
                }
            }
        }
    }
    clean(&out)
}

/// The element's own text nodes only.
fn own_text(el: ElementRef<'_>) -> String {
    let mut out = String::new();
    for c in el.children() {
        if let Node::Text(t) = c.value() {
            out.push_str(t);
            out.push(' ');
        }
    }
    clean(&out)
}

/// `href`/`src` made absolute against the page URL; `javascript:` and empty refused.
pub fn absolute_url(base: &Url, raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let lower = raw.to_ascii_lowercase();
    if lower.starts_with("javascript:")
        || lower.starts_with("vbscript:")
        || lower.starts_with("data:")
    {
        return None;
    }
    base.join(raw).ok().map(|u| u.to_string())
}

fn take(
    ix: &DocIndex<'_>,
    el: ElementRef<'_>,
    take: &Take,
    remove: &[Sel],
    base: &Url,
) -> Option<String> {
    if !matches!(take, Take::Attr(_)) {
        ix.reading(el, matches!(take, Take::Html | Take::InnerHtml));
    }
    match take {
        Take::Text => {
            let removed = if remove.is_empty() {
                HashSet::new()
            } else {
                removed_set(ix, el, remove)
            };
            Some(element_text(el, &removed))
        }
        Take::OwnText => Some(own_text(el)),
        Take::Html => Some(el.html()),
        Take::InnerHtml => Some(el.inner_html()),
        Take::Attr(a) => {
            let v = ix.attr(el, a)?;
            if matches!(a.as_str(), "href" | "src") {
                absolute_url(base, v)
            } else {
                Some(clean(v))
            }
        }
    }
}

/// The outcome of evaluating a field.
#[derive(Debug, Default, Clone)]
pub struct FieldValue {
    /// The values (one for single fields).
    pub values: Vec<String>,
    /// Parts split off by `regex` + `into` steps: (field, value).
    pub split_off: Vec<(String, String)>,
    /// Which source produced the values.
    pub provenance: Option<String>,
    /// A trailing ellipsis was stripped.
    pub truncated: bool,
}

/// Evaluate `field` inside `scope`, trying its sources in order.
pub fn eval_field(
    field: &Field,
    ix: &DocIndex<'_>,
    scope: ElementRef<'_>,
    url: &Url,
    trace: &mut Trace,
) -> FieldValue {
    for (i, source) in field.sources.iter().enumerate() {
        let raw: Vec<String> = match source {
            Source::Url => vec![url.to_string()],
            Source::Css { sel, take: tk } => {
                let mut vals = Vec::new();
                // `:scope`: the element itself (a list item that is the link)
                let els: Box<dyn Iterator<Item = ElementRef<'_>>> = match sel.itself {
                    true => Box::new(std::iter::once(scope)),
                    false => Box::new(ix.select(scope, sel)),
                };
                for el in els {
                    if let Some(v) = take(ix, el, tk, &field.remove, url) {
                        if !v.is_empty() {
                            vals.push(v);
                            if !field.list {
                                break;
                            }
                        }
                    }
                }
                vals
            }
        };
        trace.log(|| {
            format!(
                "  {}.select[{i}] `{}` → {}",
                field.name,
                source.describe(),
                show(&raw)
            )
        });
        if raw.is_empty() {
            continue;
        }
        let mut fv = apply_steps(&field.steps, raw, trace, &field.name);
        if field.ellipsis {
            for v in fv.values.iter_mut() {
                let (s, cut) = strip_ellipsis(v);
                if cut {
                    *v = s;
                    fv.truncated = true;
                }
            }
        }
        fv.values.retain(|v| !v.is_empty());
        if !field.list {
            fv.values.truncate(1);
        }
        if !fv.values.is_empty() {
            fv.provenance = Some(source.describe());
            return fv;
        }
    }
    FieldValue::default()
}

/// Apply transform steps to values.
pub fn apply_steps(
    steps: &[Step],
    mut values: Vec<String>,
    trace: &mut Trace,
    name: &str,
) -> FieldValue {
    let mut split_off = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        values = match step {
            Step::Capture { re, into: None } => values
                .into_iter()
                .filter_map(|v| {
                    let c = re.captures(&v)?;
                    let m = c.name("v").or_else(|| c.get(1)).or_else(|| c.get(0))?;
                    Some(clean(m.as_str()))
                })
                .collect(),
            Step::Capture {
                re,
                into: Some(into),
            } => values
                .into_iter()
                .map(|v| match re.captures(&v) {
                    Some(c) => {
                        if let Some(part) = c.name(into) {
                            split_off.push((into.clone(), clean(part.as_str())));
                        }
                        let whole = c.get(0).map(|m| m.range()).unwrap_or(0..0);
                        clean(&format!("{}{}", &v[..whole.start], &v[whole.end..]))
                    }
                    None => v,
                })
                .collect(),
            Step::Replace { re, with } => values
                .into_iter()
                .map(|v| clean(&re.replace_all(&v, with.as_str())))
                .collect(),
            Step::Split(re) => values
                .iter()
                .flat_map(|v| re.split(v).map(clean).collect::<Vec<_>>())
                .filter(|s| !s.is_empty())
                .collect(),
            Step::DropFirst(n) => values.into_iter().skip(*n).collect(),
            Step::DropLast(n) => {
                let keep = values.len().saturating_sub(*n);
                values.into_iter().take(keep).collect()
            }
            Step::DropMatching(re) => values.into_iter().filter(|v| !re.is_match(v)).collect(),
            Step::Dedupe => {
                let mut seen = std::collections::HashSet::new();
                values
                    .into_iter()
                    .filter(|v| seen.insert(crate::text::fold_key(v)))
                    .collect()
            }
        };
        trace.log(|| format!("    {name}.steps[{i}] → {}", show(&values)));
    }
    FieldValue {
        values,
        split_off,
        provenance: None,
        truncated: false,
    }
}

/// A value as `explain` shows it: quoted, cut at 80 characters.
pub(super) fn quoted(v: &str) -> String {
    let mut s: String = v.chars().take(80).collect();
    if v.chars().count() > 80 {
        s.push('…');
    }
    format!("{s:?}")
}

fn show(values: &[String]) -> String {
    if values.is_empty() {
        return "(nothing)".to_string();
    }
    let shown: Vec<String> = values.iter().take(6).map(|v| quoted(v)).collect();
    let more = if values.len() > 6 {
        format!(" (+{} more)", values.len() - 6)
    } else {
        String::new()
    };
    format!("{}{more}", shown.join(", "))
}
