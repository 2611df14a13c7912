//! Sidebar lists ("Latest news", "Must read"): find the block by heading
//! text or by selector, then its items, then each item's fields. An empty
//! block is an empty list and a note, never an error.

use scraper::ElementRef;
use serde_json::{Map, Value};
use url::Url;

use super::index::DocIndex;
use super::select::{element_text, eval_field};
use super::Trace;
use crate::profile::{BlockFinder, ListSpec};
use crate::text::fold_key;

/// The result of one list.
#[derive(Debug, Default)]
pub struct ListOut {
    /// Items as JSON objects, fields in profile order.
    pub items: Vec<Value>,
    /// How the block was found (for provenance), when it was.
    pub provenance: Option<String>,
    /// Notes (informational).
    pub notes: Vec<String>,
    /// Warnings (the profile's expectations not met).
    pub warnings: Vec<String>,
}

fn heading_matches(h: ElementRef<'_>, want: &str) -> bool {
    if fold_key(&element_text(h, &Default::default())) == want {
        return true;
    }
    // A heading element may hold several headings ("You might also like" + "RELATED").
    h.text().any(|t| fold_key(t) == want)
}

fn find_block<'a>(
    spec: &ListSpec,
    ix: &DocIndex<'a>,
    root: ElementRef<'a>,
) -> Option<(ElementRef<'a>, String)> {
    match &spec.find {
        BlockFinder::Heading {
            text,
            shown,
            heading,
            block,
            after,
        } => {
            for h in ix.select(root, heading) {
                if !heading_matches(h, text) {
                    continue;
                }
                let b = h
                    .ancestors()
                    .filter_map(ElementRef::wrap)
                    .find(|a| block.sel.matches(a));
                let Some(b) = b else { continue };
                let how = format!("heading \"{shown}\" in {}", block.css);
                let Some(after) = after else {
                    return Some((b, how));
                };
                let next = b
                    .next_siblings()
                    .filter_map(ElementRef::wrap)
                    .find(|s| after.sel.matches(s));
                if let Some(next) = next {
                    return Some((next, format!("{how}, items in the next {}", after.css)));
                }
            }
            None
        }
        BlockFinder::Container(sels) => sels
            .iter()
            .find_map(|s| ix.select(root, s).next().map(|b| (b, s.css.clone()))),
    }
}

/// Extract one list from the page.
pub fn extract_list(
    spec: &ListSpec,
    ix: &DocIndex<'_>,
    root: ElementRef<'_>,
    url: &Url,
    trace: &mut Trace,
) -> ListOut {
    let mut out = ListOut::default();
    let Some((block, how)) = find_block(spec, ix, root) else {
        let what = match &spec.find {
            BlockFinder::Heading { shown, .. } => format!("no block with heading \"{shown}\""),
            BlockFinder::Container(s) => format!(
                "no block matching {}",
                s.iter()
                    .map(|s| s.css.as_str())
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
        };
        let msg = format!("list `{}`: {what} in the page", spec.name);
        trace.log(|| format!("  {msg}"));
        if spec.expected {
            out.warnings.push(msg);
        } else {
            out.notes.push(msg);
        }
        return out;
    };
    trace.log(|| format!("  list `{}`: block found by {how}", spec.name));
    let has_ellipsis = spec.fields.iter().any(|f| f.ellipsis);
    // the items kept so far, as JSON text (only with `dedupe`)
    let mut seen = std::collections::HashSet::new();
    for (i, item) in ix.select(block, &spec.item).enumerate() {
        let mut obj = Map::new();
        let mut truncated = false;
        let mut split_off = Vec::new();
        for f in &spec.fields {
            let v = eval_field(f, ix, item, url, trace);
            truncated |= v.truncated;
            split_off.extend(v.split_off);
            let value = if f.list {
                Value::Array(v.values.into_iter().map(Value::String).collect())
            } else {
                v.values
                    .into_iter()
                    .next()
                    .map(Value::String)
                    .unwrap_or(Value::Null)
            };
            if f.required && (value.is_null() || value == Value::Array(vec![])) {
                out.warnings.push(format!(
                    "list `{}` item {}: required field `{}` is empty",
                    spec.name,
                    i + 1,
                    f.name
                ));
            }
            obj.insert(f.name.clone(), value);
        }
        for (k, v) in split_off {
            obj.entry(k).or_insert(Value::String(v));
        }
        if has_ellipsis {
            obj.insert("truncated".into(), Value::Bool(truncated));
        }
        let item = Value::Object(obj);
        if spec.dedupe && !seen.insert(item.to_string()) {
            trace.log(|| {
                format!(
                    "  list `{}`: item {} repeats an earlier one, dropped",
                    spec.name,
                    i + 1
                )
            });
            continue;
        }
        out.items.push(item);
    }
    if out.items.is_empty() {
        out.notes.push(format!(
            "list `{}`: block found ({how}) but it has no items (filled by a script in a browser?)",
            spec.name
        ));
    }
    if let Some(min) = spec.min_items {
        if out.items.len() < min {
            out.warnings.push(format!(
                "list `{}`: {} items, the profile expects at least {min}",
                spec.name,
                out.items.len()
            ));
        }
    }
    out.provenance = Some(how);
    out
}
