//! The record spool of `run`: each page's outcome, written as the crawl
//! extracts it (`spool.jsonl` in the store, one JSON line per page with the
//! page URL, payload digest and profile fingerprint). The final assembly
//! reuses an outcome only for the same page bytes and the same profile
//! text, so a profile fix never serves stale records; a torn last line (a
//! kill during a write) is ignored.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::record::Outcome;

/// Name of the record spool in a store.
pub const SPOOL: &str = "spool.jsonl";

/// One line of the spool, as written.
#[derive(Serialize)]
pub struct SpoolLine<'a> {
    /// The page (its ledger key).
    pub page: &'a str,
    /// Payload digest of the bytes extracted.
    pub digest: &'a str,
    /// Fingerprint of the profile text.
    pub profile: &'a str,
    /// What extraction made of it.
    pub outcome: &'a Outcome,
}

/// One line of the spool, as read back.
#[derive(Deserialize)]
struct Spooled {
    page: String,
    digest: String,
    profile: String,
    outcome: Outcome,
}

/// The outcomes of the spool at `path` made with the profile of
/// `fingerprint`, by (page, digest).
pub fn read(path: &Path, fingerprint: &str) -> HashMap<(String, String), Outcome> {
    let mut map = HashMap::new();
    let Ok(text) = std::fs::read_to_string(path) else {
        return map;
    };
    for line in text.lines() {
        let Ok(s) = serde_json::from_str::<Spooled>(line) else {
            continue;
        };
        if s.profile == fingerprint {
            map.insert((s.page, s.digest), s.outcome);
        }
    }
    map
}
