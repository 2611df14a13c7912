//! The run report: what an operator reads after `extract` or `run` to see
//! what was lost and which template the profile missed. Built incrementally
//! from the output lines (records and error entries) and listing pages, plus
//! the ledger's counts when there is a store, and written as `report.json`
//! with a short human summary on stderr, also when a run is interrupted or
//! fails (then `outcome` says so).

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use super::paths::Collision;
use crate::profile::Profile;
use crate::record::{ErrorEntry, Record};

/// Examples kept per warning kind.
const EXAMPLES: usize = 3;
/// Unmatched and failed pages listed in full up to this many.
const MAX_LISTED: usize = 200;

/// Counts of the store's URLs (from the ledger).
#[derive(Debug, Clone, Default, Serialize)]
pub struct PageCounts {
    /// All URLs the ledger knows.
    pub total: u64,
    /// status → reason (`""` when none) → URLs.
    pub by_status: BTreeMap<String, BTreeMap<String, u64>>,
}

/// What happened to the pages given to extraction.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExtractionCounts {
    /// Pages extracted (records + merged + not_emitted + unmatched + failed).
    pub pages: u64,
    /// Records written.
    pub records: u64,
    /// Pages merged into another record (same legacy id).
    pub merged: u64,
    /// Listing pages (templates that do not emit).
    pub not_emitted: u64,
    /// Pages no template matched.
    pub unmatched: u64,
    /// Pages that failed (required field missing, unreadable, …).
    pub failed: u64,
}

/// How often a field had a value, and from which selector.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FieldCoverage {
    /// Records with a non-empty value.
    pub records: u64,
    /// Selector (provenance) → records.
    pub selectors: BTreeMap<String, u64>,
}

/// Warnings of one kind.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KindCount {
    /// How many.
    pub count: u64,
    /// A few examples: URL and message.
    pub examples: Vec<Example>,
}

/// One example of a warning or error.
#[derive(Debug, Clone, Serialize)]
pub struct Example {
    /// The page.
    pub url: String,
    /// What was said.
    pub message: String,
}

/// `report.json`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// `complete`, `interrupted` or `failed: …`.
    pub outcome: String,
    /// The profile's site name.
    pub site: String,
    /// The ledger's counts (runs from a store).
    pub pages: Option<PageCounts>,
    /// Extraction counts.
    pub extraction: ExtractionCounts,
    /// Records per template.
    pub records_by_template: BTreeMap<String, u64>,
    /// Records per published year (`unknown`: no published date).
    pub records_by_year: BTreeMap<String, u64>,
    /// Listing pages per template.
    pub listings_by_template: BTreeMap<String, u64>,
    /// Per field: records with a value, and selectors that fired.
    pub fields: IndexMap<String, FieldCoverage>,
    /// Fields the profile names that no record got.
    pub always_empty: Vec<String>,
    /// Warnings by kind.
    pub warnings: BTreeMap<String, KindCount>,
    /// Notes by kind (counts only).
    pub notes: BTreeMap<String, u64>,
    /// Failures by kind.
    pub errors: BTreeMap<String, KindCount>,
    /// Pages no template matched (first 200).
    pub unmatched: Vec<String>,
    /// Records that wanted a path another record had.
    pub path_collisions: Vec<Collision>,
    /// Legacy URLs claimed by two records (see the redirect map).
    pub redirect_conflicts: Vec<Value>,
    /// Listing pages with no section path.
    pub unmapped_listings: Vec<String>,
    /// Ledger aliases whose page gave no record or listing (failed,
    /// unmatched, not HTML), so they are not in the redirect map.
    pub unmapped_aliases: Vec<Value>,
    /// Links of record bodies to the legacy site that point at nothing
    /// migrated (all of them are in `links.jsonl`).
    pub broken_links: BrokenLinks,
    /// Terms (sections, categories, tags) in `terms.jsonl`.
    pub terms: usize,
    /// Authors in `authors.jsonl`.
    pub authors: usize,
    /// The records' media carried over.
    pub media: MediaCounts,
}

/// The media of the package: distinct assets, and the records' references
/// to them that were found and missing (each a `missing_media` warning).
#[derive(Debug, Clone, Default, Serialize)]
pub struct MediaCounts {
    /// Distinct assets (by digest) in `media.jsonl`.
    pub assets: u64,
    /// References of records to assets the input had.
    pub found: u64,
    /// References of records to assets the input did not have.
    pub missing: u64,
}

/// Broken internal links: how many, why, and the first few.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BrokenLinks {
    /// Links that point at nothing migrated.
    pub count: u64,
    /// How many for each reason.
    pub by_reason: BTreeMap<String, u64>,
    /// The first ones, in output order.
    pub examples: Vec<super::links::BrokenLink>,
}

/// Broken links listed in the report (all are in `links.jsonl`).
const BROKEN_EXAMPLES: usize = 20;

impl BrokenLinks {
    /// Count one broken link.
    pub fn add(&mut self, link: &super::links::BrokenLink) {
        self.count += 1;
        *self.by_reason.entry(link.why.clone()).or_default() += 1;
        if self.examples.len() < BROKEN_EXAMPLES {
            self.examples.push(link.clone());
        }
    }
}

/// The year of a published date (`2006-05-14T…` → `2006`), or `unknown`.
fn year_of(published: Option<&str>) -> String {
    published
        .and_then(crate::dates::iso_prefix)
        .and_then(|d| d.year)
        .map_or_else(|| "unknown".to_string(), |y| y.to_string())
}

/// Whether a profile field's value counts as found.
fn non_empty(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => {
            if let Some(t) = o.get("text") {
                return non_empty(t);
            }
            !o.is_empty()
        }
        _ => true,
    }
}

const TOP_FIELDS: [&str; 8] = [
    "title",
    "legacy_id",
    "section",
    "dateline",
    "published",
    "authors",
    "body",
    "images",
];

/// Builds a [`Report`] from output lines, in any order.
#[derive(Debug, Default)]
pub struct ReportBuilder {
    r: Report,
}

impl ReportBuilder {
    /// A builder that knows the profile's fields (for `always_empty`).
    pub fn new(profile: &Profile) -> Self {
        let mut r = Report {
            site: profile.name.clone(),
            outcome: "complete".into(),
            ..Default::default()
        };
        let mut names: Vec<String> = TOP_FIELDS.iter().map(|s| s.to_string()).collect();
        for t in profile.templates.iter().filter(|t| t.emit) {
            for f in &t.fields {
                if f.name == "featured_image" {
                    names.push(f.name.clone());
                } else if !TOP_FIELDS.contains(&f.name.as_str()) && f.name != "canonical_url" {
                    names.push(format!("fields.{}", f.name));
                }
            }
            for l in &t.lists {
                names.push(format!("lists.{}", l.name));
            }
        }
        for n in names {
            r.fields.entry(n).or_default();
        }
        ReportBuilder { r }
    }

    /// Count a page that gave no record.
    pub fn error(&mut self, e: &ErrorEntry) {
        let url = e.place().to_string();
        self.r.extraction.pages += 1;
        if e.is_unmatched() {
            self.r.extraction.unmatched += 1;
            if self.r.unmatched.len() < MAX_LISTED {
                self.r.unmatched.push(url.clone());
            }
        } else {
            self.r.extraction.failed += 1;
        }
        add_kind(
            &mut self.r.errors,
            &e.error.kind,
            &url,
            e.error.message.clone(),
        );
    }

    /// Count a record: its template, which fields it has and from where,
    /// its warnings and notes.
    pub fn record(&mut self, v: &Record) {
        let r = &mut self.r;
        r.extraction.pages += 1;
        r.extraction.records += 1;
        *r.records_by_template.entry(v.template.clone()).or_default() += 1;
        *r.records_by_year
            .entry(year_of(v.published.as_deref()))
            .or_default() += 1;
        let filled = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.is_empty());
        let mut present: Vec<(String, bool)> = vec![
            ("title".into(), !v.title.is_empty()),
            ("legacy_id".into(), filled(&v.legacy_id)),
            ("section".into(), !v.section.is_empty()),
            ("dateline".into(), v.dateline.is_some()),
            ("published".into(), filled(&v.published)),
            ("authors".into(), !v.authors.is_empty()),
            ("body".into(), !v.body.text.is_empty()),
            ("images".into(), !v.images.is_empty()),
        ];
        if v.featured_image.is_some() {
            present.push(("featured_image".into(), true));
        }
        for (k, items) in &v.lists {
            present.push((format!("lists.{k}"), !items.is_empty()));
        }
        for (k, x) in &v.fields {
            present.push((format!("fields.{k}"), non_empty(x)));
        }
        for (name, has) in present {
            let cov = r.fields.entry(name.clone()).or_default();
            if !has {
                continue;
            }
            cov.records += 1;
            let short = name.split_once('.').map(|x| x.1).unwrap_or(&name);
            let sel = v
                .provenance
                .get(&name)
                .or_else(|| v.provenance.get(short))
                .map(String::as_str)
                .unwrap_or("(unknown)");
            *cov.selectors.entry(sel.to_string()).or_default() += 1;
        }
        for w in &v.warnings {
            add_kind(&mut r.warnings, &w.kind, &v.url, w.message.clone());
        }
        for n in &v.notes {
            *r.notes.entry(n.kind.clone()).or_default() += 1;
        }
    }

    /// Count a listing page (a template that does not emit).
    pub fn listing(&mut self, template: &str) {
        self.r.extraction.pages += 1;
        self.r.extraction.not_emitted += 1;
        *self
            .r
            .listings_by_template
            .entry(template.into())
            .or_default() += 1;
    }

    /// Count pages merged into another record.
    pub fn merged(&mut self, n: u64) {
        self.r.extraction.pages += n;
        self.r.extraction.merged += n;
    }

    /// Set the ledger's counts: (status, reason, URLs).
    pub fn pages(&mut self, counts: impl IntoIterator<Item = (String, Option<String>, u64)>) {
        let mut p = PageCounts::default();
        for (s, reason, n) in counts {
            p.total += n;
            *p.by_status
                .entry(s)
                .or_default()
                .entry(reason.unwrap_or_default())
                .or_default() += n;
        }
        self.r.pages = Some(p);
    }

    /// Mark the run as interrupted or failed.
    pub fn outcome(&mut self, outcome: impl Into<String>) {
        self.r.outcome = outcome.into();
    }

    /// Finish: add collisions and redirect conflicts, compute `always_empty`.
    pub fn build(
        mut self,
        collisions: Vec<Collision>,
        conflicts: Vec<Value>,
        unmapped_listings: Vec<String>,
    ) -> Report {
        self.r.always_empty = self
            .r
            .fields
            .iter()
            .filter(|(_, c)| c.records == 0 && self.r.extraction.records > 0)
            .map(|(k, _)| k.clone())
            .collect();
        self.r.path_collisions = collisions;
        self.r.redirect_conflicts = conflicts;
        self.r.unmapped_listings = unmapped_listings;
        self.r
    }
}

fn add_kind(map: &mut BTreeMap<String, KindCount>, kind: &str, url: &str, message: String) {
    let k = map.entry(kind.into()).or_default();
    k.count += 1;
    if k.examples.len() < EXAMPLES {
        k.examples.push(Example {
            url: url.into(),
            message,
        });
    }
}

impl Report {
    /// A short human summary (a dozen lines).
    pub fn summary(&self) -> String {
        let e = &self.extraction;
        let mut s = format!(
            "sitelift report ({}): {} pages extracted: {} records ({} merged), {} listings, {} unmatched, {} failed\n",
            self.outcome, e.pages, e.records, e.merged, e.not_emitted, e.unmatched, e.failed
        );
        if let Some(p) = &self.pages {
            let parts: Vec<String> = p
                .by_status
                .iter()
                .map(|(st, r)| format!("{st} {}", r.values().sum::<u64>()))
                .collect();
            s += &format!("  ledger: {} URLs: {}\n", p.total, parts.join(", "));
        }
        let t: Vec<String> = self
            .records_by_template
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        if !t.is_empty() {
            s += &format!("  records by template: {}\n", t.join(", "));
        }
        if e.records > 0 {
            let weak: Vec<String> = self
                .fields
                .iter()
                .filter(|(_, c)| c.records > 0 && c.records < e.records)
                .map(|(k, c)| format!("{k} {}/{}", c.records, e.records))
                .collect();
            if !weak.is_empty() {
                s += &format!("  fields not on every record: {}\n", weak.join(", "));
            }
        }
        if !self.always_empty.is_empty() {
            s += &format!("  always empty: {}\n", self.always_empty.join(", "));
        }
        for (label, map) in [("warnings", &self.warnings), ("errors", &self.errors)] {
            if !map.is_empty() {
                let w: Vec<String> = map
                    .iter()
                    .map(|(k, c)| format!("{k} {}", c.count))
                    .collect();
                s += &format!("  {label}: {}\n", w.join(", "));
            }
        }
        for u in self.unmatched.iter().take(5) {
            s += &format!("  unmatched: {u}\n");
        }
        if self.unmatched.len() > 5 {
            s += &format!(
                "  … {} more unmatched in report.json\n",
                self.unmatched.len() - 5
            );
        }
        if !self.path_collisions.is_empty() {
            s += &format!(
                "  {} path collisions (moved, see report.json)\n",
                self.path_collisions.len()
            );
        }
        if !self.redirect_conflicts.is_empty() {
            s += &format!(
                "  {} legacy URLs claimed by two records (see report.json)\n",
                self.redirect_conflicts.len()
            );
        }
        if self.media.assets + self.media.missing > 0 {
            s += &format!(
                "  media: {} assets, {} references missing (warnings missing_media)\n",
                self.media.assets, self.media.missing
            );
        }
        if self.terms + self.authors > 0 {
            s += &format!("  {} terms, {} authors\n", self.terms, self.authors);
        }
        if self.broken_links.count > 0 {
            s += &format!(
                "  {} broken internal links (to legacy pages not migrated; see links.jsonl)\n",
                self.broken_links.count
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Message;

    #[test]
    fn coverage_counts_values_and_selectors() {
        let mut b = ReportBuilder::default();
        let mut r1 = Record {
            url: "u1".into(),
            template: "a".into(),
            title: "T".into(),
            warnings: vec![Message::new("empty_list", None, "m")],
            ..Record::default()
        };
        r1.provenance.insert("title".into(), "h1".into());
        b.record(&r1);
        b.record(&Record {
            url: "u2".into(),
            template: "a".into(),
            ..Record::default()
        });
        b.error(&ErrorEntry::stored(None, "u3"));
        b.listing("list");
        let r = b.build(vec![], vec![], vec![]);
        assert_eq!(r.extraction.pages, 4);
        assert_eq!(r.extraction.records, 2);
        assert_eq!(r.fields["title"].records, 1);
        assert_eq!(r.fields["title"].selectors["h1"], 1);
        assert!(r.always_empty.contains(&"body".to_string()));
        assert!(r.always_empty.contains(&"authors".to_string()));
        assert_eq!(r.warnings["empty_list"].count, 1);
        assert_eq!(r.unmatched, vec!["u3".to_string()]);
    }
}
