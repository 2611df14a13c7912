//! Terms and authors as entities a CMS can import: the sections (a tree:
//! each level of a breadcrumb is a term whose parent is the level above),
//! the categories and tags (profile fields named `categories` and `tags`),
//! and the authors, each with its slug (the identity the records refer to
//! in `refs`), its new path, the legacy URLs that showed it (listing pages,
//! author pages from a profile field named `author_urls`) and how many
//! records it has. Written as `terms.jsonl` and `authors.jsonl`, sorted by
//! vocabulary and slug (a parent before its children).

use std::collections::BTreeMap;
use std::io::Write;

use schemars::JsonSchema;
use serde::Serialize;

use crate::profile::output::OutputSpec;
use crate::record::{field_strings, section_slugs, Record, TERM_SLUG_MAX};
use crate::text::slugify;

/// One term: a section, category or tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Term {
    /// `section`, `category` or `tag`.
    pub vocabulary: String,
    /// The name as the first record that has it writes it.
    pub name: String,
    /// The slug (for a section, the slug path of its breadcrumb).
    pub slug: String,
    /// The parent section's slug, for sections below the top.
    pub parent: Option<String>,
    /// The new URL.
    pub path: String,
    /// Legacy pages that listed it (listing pages of a section), sorted.
    pub legacy_urls: Vec<String>,
    /// Records filed under it (for a section: directly, not below it).
    pub records: u64,
    /// Known only from a listing page so far: its name is the slug's.
    #[serde(skip)]
    #[schemars(skip)]
    unnamed: bool,
}

/// One author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Author {
    /// The name as the first record that has it writes it.
    pub name: String,
    /// The slug the records refer to.
    pub slug: String,
    /// The new URL of the author's page.
    pub path: String,
    /// The legacy author pages (a profile field `author_urls`, in byline order).
    pub legacy_urls: Vec<String>,
    /// Records by the author.
    pub records: u64,
}

/// The vocabularies, in the order they are written.
const VOCABULARIES: [&str; 3] = ["section", "category", "tag"];

/// Terms and authors seen so far.
#[derive(Debug, Default)]
pub struct Terms {
    terms: BTreeMap<(usize, String), Term>,
    authors: BTreeMap<String, Author>,
}

impl Terms {
    fn term(&mut self, spec: &OutputSpec, vocabulary: usize, slug: &str, name: &str) -> &mut Term {
        let path = match vocabulary {
            0 => format!("{}{slug}/", spec.url_prefix),
            1 => format!("{}{}/{slug}/", spec.url_prefix, spec.category_base),
            _ => format!("{}{}/{slug}/", spec.url_prefix, spec.tag_base),
        };
        let t = self
            .terms
            .entry((vocabulary, slug.to_string()))
            .or_insert_with(|| Term {
                vocabulary: VOCABULARIES[vocabulary].into(),
                name: name.to_string(),
                slug: slug.to_string(),
                parent: slug.rsplit_once('/').map(|(p, _)| p.to_string()),
                path,
                legacy_urls: Vec::new(),
                records: 0,
                unnamed: false,
            });
        if t.unnamed {
            // a record names what a listing page only showed
            t.name = name.to_string();
            t.unnamed = false;
        }
        t
    }

    /// The terms and authors of a record.
    pub fn record(&mut self, spec: &OutputSpec, r: &Record) {
        let names: Vec<&String> = r.section.iter().collect();
        let slugs = section_slugs(&r.section);
        let named: Vec<&String> = names
            .into_iter()
            .filter(|n| !slugify(n, TERM_SLUG_MAX).is_empty())
            .collect();
        for (i, name) in named.iter().enumerate().take(slugs.len()) {
            let slug = slugs[..=i].join("/");
            let t = self.term(spec, 0, &slug, name);
            if i + 1 == slugs.len() {
                t.records += 1;
            }
        }
        for (v, field) in [(1, "categories"), (2, "tags")] {
            let mut done: Vec<String> = Vec::new();
            for name in field_strings(r.fields.get(field)) {
                let slug = slugify(name, TERM_SLUG_MAX);
                if slug.is_empty() || done.contains(&slug) {
                    continue;
                }
                self.term(spec, v, &slug, name).records += 1;
                done.push(slug);
            }
        }
        let urls = field_strings(r.fields.get("author_urls"));
        let mut done: Vec<String> = Vec::new();
        for (i, name) in r.authors.iter().enumerate() {
            let slug = slugify(name, TERM_SLUG_MAX);
            if slug.is_empty() || done.contains(&slug) {
                continue;
            }
            let a = self.authors.entry(slug.clone()).or_insert_with(|| Author {
                name: name.clone(),
                slug: slug.clone(),
                path: format!("{}{}/{slug}/", spec.url_prefix, spec.author_base),
                legacy_urls: Vec::new(),
                records: 0,
            });
            a.records += 1;
            if let Some(u) = urls.get(i) {
                if !a.legacy_urls.iter().any(|x| x == u) {
                    a.legacy_urls.push(u.to_string());
                }
            }
            done.push(slug);
        }
    }

    /// A legacy listing page that shows the section `slug` (a slug path).
    pub fn listing(&mut self, spec: &OutputSpec, slug: &str, url: &str) {
        let known = self.terms.contains_key(&(0, slug.to_string()));
        let name = slug.rsplit('/').next().unwrap_or(slug).to_string();
        let t = self.term(spec, 0, slug, &name);
        if !known {
            t.unnamed = true;
        }
        if !t.legacy_urls.iter().any(|u| u == url) {
            t.legacy_urls.push(url.to_string());
            t.legacy_urls.sort();
        }
    }

    /// The legacy author pages of one record and where they go (for the
    /// redirect map).
    pub fn author_redirects(spec: &OutputSpec, r: &Record) -> Vec<(String, String)> {
        field_strings(r.fields.get("author_urls"))
            .into_iter()
            .zip(&r.authors)
            .filter_map(|(u, name)| {
                let slug = slugify(name, TERM_SLUG_MAX);
                (!slug.is_empty()).then(|| {
                    (
                        u.to_string(),
                        format!("{}{}/{slug}/", spec.url_prefix, spec.author_base),
                    )
                })
            })
            .collect()
    }

    /// The legacy author pages and where they go (for the redirect map).
    pub fn author_pages(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for a in self.authors.values() {
            for u in &a.legacy_urls {
                out.push((u.clone(), a.path.clone()));
            }
        }
        out
    }

    /// How many terms and authors.
    pub fn counts(&self) -> (usize, usize) {
        (self.terms.len(), self.authors.len())
    }

    /// `terms.jsonl`: one term a line.
    pub fn write_terms(&self, w: &mut dyn Write) -> std::io::Result<()> {
        for t in self.terms.values() {
            serde_json::to_writer(&mut *w, t)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    }

    /// `authors.jsonl`: one author a line.
    pub fn write_authors(&self, w: &mut dyn Write) -> std::io::Result<()> {
        for a in self.authors.values() {
            serde_json::to_writer(&mut *w, a)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_make_a_tree_and_names_with_one_slug_are_one_term() {
        let spec = OutputSpec::default();
        let mut t = Terms::default();
        let mut a = Record {
            section: vec!["News On Iran & Its Neighbours".into(), "Iraq".into()],
            authors: vec!["Jane Doe".into(), "John Roe".into()],
            ..Record::default()
        };
        a.fields
            .insert("tags".into(), serde_json::json!(["Oil", "oil", "Trade"]));
        a.fields.insert(
            "author_urls".into(),
            serde_json::json!(["https://old/author/jane/"]),
        );
        t.record(&spec, &a);
        let b = Record {
            section: vec!["News On Iran & Its Neighbours".into()],
            authors: vec!["JANE DOE".into()],
            ..Record::default()
        };
        t.record(&spec, &b);
        t.listing(
            &spec,
            "news-on-iran-and-its-neighbours/iraq",
            "https://old/iraq/page/2/",
        );
        // a listing first, its record after: the record's name wins
        t.listing(&spec, "world/oil", "https://old/oil/");
        let c = Record {
            section: vec!["World".into(), "Oil".into()],
            ..Record::default()
        };
        t.record(&spec, &c);
        assert_eq!(t.terms[&(0, "world/oil".to_string())].name, "Oil");
        t.listing(&spec, "world/gas", "https://old/gas/");
        assert_eq!(t.terms[&(0, "world/gas".to_string())].name, "gas");
        let mut text = Vec::new();
        t.write_terms(&mut text).unwrap();
        let lines: Vec<serde_json::Value> = String::from_utf8(text)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 7, "{lines:?}");
        assert_eq!(lines[3]["slug"], "world/gas");
        assert_eq!(lines[0]["slug"], "news-on-iran-and-its-neighbours");
        assert_eq!(lines[0]["records"], 1);
        assert_eq!(lines[0]["parent"], serde_json::Value::Null);
        assert_eq!(lines[1]["slug"], "news-on-iran-and-its-neighbours/iraq");
        assert_eq!(lines[1]["parent"], "news-on-iran-and-its-neighbours");
        assert_eq!(lines[1]["name"], "Iraq");
        assert_eq!(lines[1]["path"], "/news-on-iran-and-its-neighbours/iraq/");
        assert_eq!(
            lines[1]["legacy_urls"],
            serde_json::json!(["https://old/iraq/page/2/"])
        );
        assert_eq!(lines[5]["vocabulary"], "tag");
        assert_eq!(lines[5]["slug"], "oil");
        assert_eq!(lines[5]["path"], "/tag/oil/");
        assert_eq!(t.counts(), (7, 2));
        assert_eq!(
            t.author_pages(),
            [(
                "https://old/author/jane/".to_string(),
                "/author/jane-doe/".to_string()
            )]
        );
        let mut text = Vec::new();
        t.write_authors(&mut text).unwrap();
        let first: serde_json::Value =
            serde_json::from_str(String::from_utf8(text).unwrap().lines().next().unwrap()).unwrap();
        assert_eq!(first["name"], "Jane Doe");
        assert_eq!(first["records"], 2);
    }
}
