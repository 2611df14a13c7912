//! Field-level diff of two migration outputs (JSON Lines files or
//! `--layout dir` folders), by record key (legacy id, else URL): which
//! records were added, removed or changed, which fields changed with a short
//! before/after, and a count per field. This is how a selector fix is
//! checked across a whole site before re-import. `provenance` is left out
//! by default (a renamed selector is not a content change), and so is
//! `refs` (the slugs of the section and authors, which change with them).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use super::writer::key_of;

/// The key of a record read from an output file ([`super::writer::record_key`]).
fn record_key(v: &Value) -> String {
    let str_of = |k: &str| v.get(k).and_then(Value::as_str);
    key_of(str_of("legacy_id"), str_of("url").unwrap_or(""))
}

/// Problems reading an output.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// The file or folder could not be read.
    #[error("cannot read {path}")]
    Io {
        /// What was read.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Records of one output, by key, with problems met while reading.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Key → record.
    pub records: BTreeMap<String, Value>,
    /// Unreadable lines or files, and duplicate keys (then every record of
    /// that key is keyed `KEY (URL)`, whatever the order they were read in).
    pub problems: Vec<String>,
}

/// Read a JSONL file, or every `.json` file under a folder (its `records/`
/// subfolder when it has one). Error entries are skipped.
pub fn load(path: &Path) -> Result<Loaded, DiffError> {
    let ioe = |p: &Path| {
        let p = p.to_path_buf();
        move |source| DiffError::Io { path: p, source }
    };
    let mut out = Loaded::default();
    let mut read: Vec<(String, Value)> = Vec::new();
    let add = |v: Value, place: String, out: &mut Vec<(String, Value)>| {
        if v.get("error").is_none() && v.get("template").is_some() {
            out.push((place, v));
        }
    };
    if path.is_dir() {
        let root = if path.join("records").is_dir() {
            path.join("records")
        } else {
            path.to_path_buf()
        };
        let mut files = Vec::new();
        let mut stack = vec![root];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).map_err(ioe(&d))? {
                let p = e.map_err(ioe(&d))?.path();
                let hidden = p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'));
                if hidden {
                    continue;
                }
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "json") {
                    files.push(p);
                }
            }
        }
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).map_err(ioe(&f))?;
            match serde_json::from_str::<Value>(&text) {
                Ok(v) => add(v, f.display().to_string(), &mut read),
                Err(e) => out.problems.push(format!("{}: {e}", f.display())),
            }
        }
    } else {
        let text = std::fs::read_to_string(path).map_err(ioe(path))?;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let place = format!("{}:{}", path.display(), i + 1);
            match serde_json::from_str::<Value>(line) {
                Ok(v) => add(v, place, &mut read),
                Err(e) => out.problems.push(format!("{place}: {e}")),
            }
        }
    }
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for (_, v) in &read {
        *count.entry(record_key(v)).or_default() += 1;
    }
    for (place, v) in read {
        let mut key = record_key(&v);
        if count[&key] > 1 {
            out.problems
                .push(format!("{place}: record key {key} is not unique"));
            let url = v.get("url").and_then(Value::as_str).unwrap_or("");
            key = format!("{key} ({url})");
        }
        out.records.insert(key, v);
    }
    Ok(out)
}

/// One changed field.
#[derive(Debug, Clone, Serialize)]
pub struct FieldChange {
    /// Field name (`title`, `lists.latest_news`, `fields.tags`).
    pub field: String,
    /// Short before.
    pub before: String,
    /// Short after.
    pub after: String,
}

/// One changed record.
#[derive(Debug, Clone, Serialize)]
pub struct Changed {
    /// Record key.
    pub key: String,
    /// Its URL (new side).
    pub url: String,
    /// Changed fields.
    pub fields: Vec<FieldChange>,
}

/// The diff of two outputs.
#[derive(Debug, Default, Serialize)]
pub struct Diff {
    /// Keys only in the new output.
    pub added: Vec<String>,
    /// Keys only in the old output.
    pub removed: Vec<String>,
    /// Records with changed fields.
    pub changed: Vec<Changed>,
    /// Records identical in the compared fields.
    pub unchanged: usize,
    /// Field → records where it changed.
    pub per_field: BTreeMap<String, usize>,
}

impl Diff {
    /// Whether anything differs.
    pub fn any(&self) -> bool {
        !(self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty())
    }
}

/// What to compare.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Only these fields (a name, or a group like `lists`); empty: all.
    pub fields: Vec<String>,
    /// Compare `provenance` too.
    pub with_provenance: bool,
}

fn flatten(v: &Value, opts: &DiffOptions) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let Some(o) = v.as_object() else {
        return out;
    };
    for (k, x) in o {
        if k == "provenance" && !opts.with_provenance {
            continue;
        }
        if k == "refs" {
            continue; // derived from section, authors and fields, compared there
        }
        match (k.as_str(), x.as_object()) {
            ("lists" | "fields" | "provenance", Some(inner)) => {
                for (ik, iv) in inner {
                    out.insert(format!("{k}.{ik}"), iv.clone());
                }
            }
            _ => {
                out.insert(k.clone(), x.clone());
            }
        }
    }
    if !opts.fields.is_empty() {
        out.retain(|k, _| {
            opts.fields.iter().any(|f| {
                k == f
                    || k.strip_prefix(f.as_str())
                        .is_some_and(|r| r.starts_with('.'))
            })
        });
    }
    out
}

/// Compare two loaded outputs.
pub fn diff(old: &Loaded, new: &Loaded, opts: &DiffOptions) -> Diff {
    let mut d = Diff::default();
    for k in old.records.keys() {
        if !new.records.contains_key(k) {
            d.removed.push(k.clone());
        }
    }
    for (k, nv) in &new.records {
        let Some(ov) = old.records.get(k) else {
            d.added.push(k.clone());
            continue;
        };
        let (a, b) = (flatten(ov, opts), flatten(nv, opts));
        let mut names: Vec<&String> = a.keys().chain(b.keys()).collect();
        names.sort();
        names.dedup();
        let mut fields = Vec::new();
        for name in names {
            let (x, y) = (a.get(name), b.get(name));
            if x != y {
                let (before, after) = short_pair(x, y);
                *d.per_field.entry(name.clone()).or_default() += 1;
                fields.push(FieldChange {
                    field: name.clone(),
                    before,
                    after,
                });
            }
        }
        if fields.is_empty() {
            d.unchanged += 1;
        } else {
            d.changed.push(Changed {
                key: k.clone(),
                url: nv.get("url").and_then(Value::as_str).unwrap_or("").into(),
                fields,
            });
        }
    }
    d
}

const SHOWN: usize = 90;

/// Short before/after texts, centred on the first difference.
fn short_pair(x: Option<&Value>, y: Option<&Value>) -> (String, String) {
    let text = |v: Option<&Value>| match v {
        None => "(absent)".to_string(),
        Some(Value::String(s)) => format!("{s:?}"),
        Some(v) => v.to_string(),
    };
    let (a, b) = (text(x), text(y));
    let ac: Vec<char> = a.chars().collect();
    let bc: Vec<char> = b.chars().collect();
    let common = ac.iter().zip(&bc).take_while(|(p, q)| p == q).count();
    let start = common.saturating_sub(30);
    let cut = |c: &[char]| {
        let end = (start + SHOWN).min(c.len());
        let mut s: String = c[start.min(c.len())..end].iter().collect();
        if start > 0 {
            s.insert(0, '…');
        }
        if end < c.len() {
            s.push('…');
        }
        s
    };
    (cut(&ac), cut(&bc))
}

/// The diff as text: summary, per-field counts, then up to `limit` records.
pub fn render(d: &Diff, limit: usize) -> String {
    let mut s = format!(
        "{} added, {} removed, {} changed, {} unchanged\n",
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        d.unchanged
    );
    for (f, n) in &d.per_field {
        s += &format!("  {f}: {n} records\n");
    }
    let mut shown = 0;
    for k in &d.added {
        if shown < limit {
            s += &format!("+ {k}\n");
        }
        shown += 1;
    }
    for k in &d.removed {
        if shown < limit {
            s += &format!("- {k}\n");
        }
        shown += 1;
    }
    for c in &d.changed {
        if shown < limit {
            s += &format!("~ {} {}\n", c.key, c.url);
            for f in &c.fields {
                s += &format!(
                    "    {}:\n      - {}\n      + {}\n",
                    f.field, f.before, f.after
                );
            }
        }
        shown += 1;
    }
    if shown > limit {
        s += &format!("… {} more records (use --limit or --json)\n", shown - limit);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn loaded(rs: &[Value]) -> Loaded {
        let mut l = Loaded::default();
        for r in rs {
            l.records.insert(record_key(r), r.clone());
        }
        l
    }

    #[test]
    fn finds_added_removed_and_changed_fields() {
        let old = loaded(&[
            json!({"legacy_id": "1", "url": "u1", "template": "a", "title": "A", "lists": {"x": [1]}, "provenance": {"title": "h1"}}),
            json!({"legacy_id": "2", "url": "u2", "template": "a", "title": "B"}),
        ]);
        let new = loaded(&[
            json!({"legacy_id": "1", "url": "u1", "template": "a", "title": "A", "lists": {"x": [2]}, "provenance": {"title": "h2"}}),
            json!({"legacy_id": "3", "url": "u3", "template": "a", "title": "C"}),
        ]);
        let d = diff(&old, &new, &DiffOptions::default());
        assert_eq!(d.added, vec!["3"]);
        assert_eq!(d.removed, vec!["2"]);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].fields.len(), 1);
        assert_eq!(d.changed[0].fields[0].field, "lists.x");
        assert_eq!(d.per_field["lists.x"], 1);
        let only_title = DiffOptions {
            fields: vec!["title".into()],
            ..Default::default()
        };
        assert!(diff(&old, &new, &only_title).changed.is_empty());
    }

    #[test]
    fn short_pair_centres_on_the_difference() {
        let a = json!("x".repeat(500) + "old" + &"y".repeat(500));
        let b = json!("x".repeat(500) + "new" + &"y".repeat(500));
        let (x, y) = short_pair(Some(&a), Some(&b));
        assert!(x.contains("old") && y.contains("new"), "{x} {y}");
        assert!(x.chars().count() < 100);
    }

    #[test]
    fn duplicate_keys_compare_by_url_whatever_the_order() {
        let dir = tempfile::tempdir().unwrap();
        let a = json!({"legacy_id": "7", "url": "u-a", "template": "t", "title": "A"});
        let b = json!({"legacy_id": "7", "url": "u-b", "template": "t", "title": "B"});
        let one = dir.path().join("one.jsonl");
        let two = dir.path().join("two.jsonl");
        std::fs::write(&one, format!("{a}\n{b}\n")).unwrap();
        std::fs::write(&two, format!("{b}\n{a}\n")).unwrap();
        let (x, y) = (load(&one).unwrap(), load(&two).unwrap());
        assert_eq!(x.problems.len(), 2);
        let d = diff(&x, &y, &DiffOptions::default());
        assert!(!d.any(), "{d:?}");
        assert_eq!(d.unchanged, 2);
    }
}
