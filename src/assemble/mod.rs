//! Assembly: from the outcomes of the pages, the lines of a migration's
//! output. One record per article (grouped by legacy id, else canonical
//! URL), with every alias seen, in a stable order whatever order pages were
//! fetched or extracted in; then the pages that gave no record, then the
//! listings. Used by `extract` over stores and WARC files, and by `run`.
//!
//! [`group`] is the grouping itself; [`offline`] drives extraction over the
//! [`crate::sources`] (stored pages read by offset, WARC files in one
//! streaming pass, saved pages) and feeds the grouping.

pub mod group;
pub mod offline;
mod spool;

use std::collections::HashMap;

use crate::profile::Profile;

/// What assembly produced: the counts (the lines went to the writer).
#[derive(Debug, Default, Clone, Copy)]
pub struct Assembled {
    /// Pages assembled (after "the last response for a URL wins", for WARC
    /// files): records + merged + not emitted + unmatched + failed.
    pub pages: usize,
    /// Records written.
    pub records: usize,
    /// Pages merged into another record (same legacy id).
    pub merged: usize,
    /// Pages of non-emitting templates.
    pub not_emitted: usize,
    /// Unmatched pages.
    pub unmatched: usize,
    /// Failed pages.
    pub failed: usize,
}

/// A group's sort key: numeric legacy ids in numeric order, then other ids.
fn sort_key(id: &str) -> (u8, String) {
    if !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()) {
        (0, format!("{id:0>20}"))
    } else {
        (1, id.to_string())
    }
}

/// Each template's position in the profile: the primary record of a group
/// is the one of the earliest template.
fn template_ranks(profile: &Profile) -> HashMap<&str, usize> {
    profile
        .templates
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect()
}
