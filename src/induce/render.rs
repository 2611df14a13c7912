//! The profile text: TOML in the shape of a hand-written profile, every
//! selector commented with how many samples it matched on.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{FieldPlan, Kind, Plan, Seen};

/// The first words of every profile `init` writes: `init` replaces such a
/// file (and no other) without `--force`.
pub const MARKER: &str = "# sitelift init:";

/// Whether a profile's text was written by `init` (and not edited to say otherwise).
pub fn is_init_written(text: &str) -> bool {
    text.trim_start_matches('\u{feff}').starts_with(MARKER)
}

/// A TOML basic string.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML literal string when it can be one (regexes read better), else basic.
pub(super) fn lit(s: &str) -> String {
    match s.contains(['\'', '\n']) {
        true => q(s),
        false => format!("'{s}'"),
    }
}

fn of(n: usize, m: usize) -> String {
    format!("{n} of {m} samples")
}

fn src_value(s: &super::Src) -> String {
    match &s.attr {
        None => q(&s.css),
        Some(a) => format!("{{ css = {}, attr = {} }}", q(&s.css), q(a)),
    }
}

fn base_url(seen: &[Seen]) -> Option<String> {
    let mut votes: BTreeMap<String, usize> = BTreeMap::new();
    for s in seen {
        if let Some(h) = s.url.host_str() {
            *votes
                .entry(format!("{}://{h}/", s.url.scheme()))
                .or_default() += 1;
        }
    }
    votes
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(u, _)| u)
}

/// The whole profile.
pub(super) fn profile(site: &str, seen: &[Seen], plans: &[Plan], locale: Option<&str>) -> String {
    let count = |k: Kind| seen.iter().filter(|s| s.kind == k).count();
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{MARKER} the profile of `{site}`, written from {} sample pages ({} articles, {} listings, {} other).",
        seen.len(),
        count(Kind::Article),
        count(Kind::Listing),
        count(Kind::Other)
    );
    t.push_str("# `sitelift init` replaces this file while its first line starts with \"# sitelift init:\";\n");
    t.push_str("# edit that line once you have reviewed the profile, and init leaves it alone.\n");
    t.push_str(
        "# Review: `sitelift explain --profile THIS_FILE PAGE` for a page, field by field.\n",
    );
    t.push_str("# Every selector says on how many of its template's samples it gave the value\n");
    t.push_str("# generic extraction found there. Reference of every key: README.md, \"Profile reference\".\n\n");
    t.push_str("[site]\n");
    let _ = writeln!(t, "name = {}", q(site));
    if let Some(b) = base_url(seen) {
        let _ = writeln!(t, "base_url = {}", q(&b));
    }
    if let Some(l) = locale {
        let _ = writeln!(t, "locale = {}  # from <html lang>", q(l));
    }
    for p in plans {
        template(&mut t, seen, p);
    }
    let others: Vec<&Seen> = seen.iter().filter(|s| s.kind == Kind::Other).collect();
    if !others.is_empty() {
        t.push_str("\n# Samples no template is for (they stay unmatched):\n");
        for s in others {
            let _ = writeln!(t, "#   {} ({}): {}", s.name, s.url, s.why);
        }
    }
    t
}

fn template(t: &mut String, seen: &[Seen], p: &Plan) {
    let m = p.members.len();
    let _ = writeln!(
        t,
        "\n# ---------------------------------------------------------------- {}",
        p.name
    );
    let names: Vec<&str> = p.members.iter().map(|&i| seen[i].name.as_str()).collect();
    let shown = names.iter().take(8).copied().collect::<Vec<_>>().join(", ");
    let more = match names.len() > 8 {
        true => format!(", and {} more", names.len() - 8),
        false => String::new(),
    };
    let _ = writeln!(t, "# {m} samples: {shown}{more}");
    t.push_str("[[template]]\n");
    let _ = writeln!(t, "name = {}", q(&p.name));
    if !p.emit {
        t.push_str("emit = false  # a listing: crawled for its links, not a record\n");
    }
    t.push_str("[template.match]\n");
    let _ = writeln!(t, "# {}", p.matching.note);
    let _ = writeln!(t, "present = [{}]", join(&p.matching.present));
    if !p.matching.absent.is_empty() {
        let _ = writeln!(t, "absent = [{}]", join(&p.matching.absent));
    }
    for f in &p.fields {
        field(t, f);
    }
    if let Some((re, n)) = &p.legacy_id {
        t.push_str("\n[template.fields.legacy_id]\n");
        let _ = writeln!(t, "# the number in the URL, on {}", of(*n, m));
        t.push_str("select = [{ url = true }]\n");
        let _ = writeln!(t, "steps = [{{ regex = {} }}]", lit(re));
    }
    if let Some((re, n)) = &p.dateline {
        t.push_str("\n[template.dateline]\n");
        let _ = writeln!(t, "# at the start of the body on {}", of(*n, m));
        let _ = writeln!(t, "patterns = [{}]", lit(re));
        t.push_str("date_formats = [\"%B %d\", \"%d %B\", \"%b %d\", \"%d %b\"]\n");
        t.push_str("year_from = [\"published\"]\n");
    }
    for l in &p.lists {
        list(t, l, m);
    }
    if let Some(b) = &p.body {
        t.push_str("\n[template.body]\n");
        if let Some((_, n)) = &b.figure {
            let _ = writeln!(
                t,
                "# the featured image by the title (on {}) and the text, in page order",
                of(*n, m)
            );
        }
        t.push_str("select = [\n");
        for (i, (css, n)) in b.select.iter().enumerate() {
            let what = match i {
                0 => format!(
                    "the container generic extraction chose, on {}",
                    of(*n, b.of)
                ),
                _ => format!("fallback: {n} more"),
            };
            let css = match (&b.figure, i) {
                (Some((f, _)), 0) => format!("{f}, {css}"),
                _ => css.clone(),
            };
            let _ = writeln!(t, "  {},  # {what}", q(&css));
        }
        t.push_str("]\n");
        if b.figure.is_some() {
            t.push_str("all_matches = true\n");
        }
        if !b.remove.is_empty() {
            t.push_str("remove = [\n");
            for (css, n, why) in &b.remove {
                let _ = writeln!(t, "  {},  # {why}, on {}", q(css), of(*n, m));
            }
            t.push_str("]\n");
        }
    }
}

fn list(t: &mut String, l: &super::ListPlan, m: usize) {
    t.push_str("\n[[template.list]]\n");
    let _ = writeln!(
        t,
        "# heading {:?} with its links on {}",
        l.heading,
        of(l.seen, m)
    );
    let _ = writeln!(t, "name = {}", q(&l.key));
    let _ = writeln!(t, "heading = {}", q(&l.heading));
    let _ = writeln!(t, "heading_selector = {}", q(&l.heading_selector));
    let _ = writeln!(t, "block = {}", q(&l.block));
    let _ = writeln!(t, "item = {}", q(&l.item));
    t.push_str("[template.list.fields.title]\n");
    let _ = writeln!(t, "select = [{}]", q(&l.link));
    t.push_str("[template.list.fields.url]\n");
    let _ = writeln!(t, "select = [{{ css = {}, attr = \"href\" }}]", q(&l.link));
    if let Some(e) = &l.excerpt {
        t.push_str("[template.list.fields.excerpt]\n");
        let _ = writeln!(t, "select = [{}]", q(e));
        t.push_str("ellipsis = true\n");
        if l.source {
            let _ = writeln!(
                t,
                "steps = [{{ regex = {}, into = \"source\" }}]",
                lit(super::lists::SOURCE)
            );
        }
    }
}

fn join(v: &[String]) -> String {
    v.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
}

fn field(t: &mut String, f: &FieldPlan) {
    let _ = writeln!(t, "\n[template.fields.{}]", f.name);
    t.push_str("select = [\n");
    for (i, (s, n)) in f.srcs.iter().enumerate() {
        let what = match i {
            0 => format!("right on {}", of(*n, f.of)),
            _ => format!("fallback where those before give nothing: right on {n}"),
        };
        let _ = writeln!(t, "  {},  # {what}", src_value(s));
    }
    t.push_str("]\n");
    if f.list {
        t.push_str("list = true\n");
    }
    if f.required {
        t.push_str("required = true\n");
    }
    if !f.date_formats.is_empty() {
        let _ = writeln!(t, "date_formats = [{}]", join(&f.date_formats));
    }
    if !f.steps.is_empty() {
        let _ = writeln!(t, "steps = [{}]", f.steps.join(", "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_gives_toml_that_reads_back() {
        for s in [
            r#"meta[property='og:title']"#,
            r"^(?i)by\s+",
            "a \"b\" \\ c",
            "tab\there",
        ] {
            let doc = format!("a = {}\nb = {}\n", q(s), lit(s));
            let v: toml::Value = toml::from_str(&doc).unwrap();
            assert_eq!(v["a"].as_str(), Some(s), "{doc}");
            assert_eq!(v["b"].as_str(), Some(s), "{doc}");
        }
    }

    #[test]
    fn only_init_written_files_are_init_written() {
        assert!(is_init_written("# sitelift init: the profile of `x`\n"));
        assert!(is_init_written("\u{feff}# sitelift init: x\n"));
        assert!(!is_init_written("# reviewed: sitelift init: x\n"));
        assert!(!is_init_written("[site]\nname = \"x\"\n"));
    }
}
