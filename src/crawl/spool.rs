//! The record spool of `run`: each page's outcome, written as the crawl
//! extracts it (`spool.jsonl` in the store, one JSON line per page with the
//! page URL, payload digest and profile fingerprint). The final assembly
//! reuses an outcome only for the same page bytes and the same profile
//! text, so a profile fix never serves stale records; a torn last line (a
//! kill during a write) is ignored. The spool is not read into memory: an
//! index of where each usable line is (16 bytes a page) is built in one
//! pass, and a line is read again when its page is assembled.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::FileExt;
use std::path::Path;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use crate::record::Extracted;
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
    outcome: Outcome,
}

/// What the index pass reads of a line (the outcome is skipped).
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(borrow)]
    page: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    digest: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    profile: std::borrow::Cow<'a, str>,
    #[serde(rename = "outcome")]
    _outcome: IgnoredAny,
}

fn key(page: &str, digest: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    // fixed keys: the same page hashes the same within the run
    let mut h = std::collections::hash_map::DefaultHasher::new();
    page.hash(&mut h);
    digest.hash(&mut h);
    h.finish()
}

/// The usable lines of a spool: those of one profile, by (page, digest).
pub struct Spool {
    file: Option<File>,
    /// Key → (offset, length) of the last line with that page and digest.
    at: HashMap<u64, Vec<(u64, u32)>>,
}

impl Spool {
    /// Index the spool at `path` for the profile of `fingerprint` (an
    /// empty spool when there is none).
    pub fn open(path: &Path, fingerprint: &str) -> std::io::Result<Spool> {
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Spool {
                    file: None,
                    at: HashMap::new(),
                })
            }
            Err(e) => return Err(e),
        };
        let mut at: HashMap<u64, Vec<(u64, u32)>> = HashMap::new();
        let mut r = BufReader::new(&file);
        let mut line = Vec::new();
        let mut offset = 0u64;
        loop {
            line.clear();
            let n = r.read_until(b'\n', &mut line)?;
            if n == 0 {
                break;
            }
            let here = offset;
            offset += n as u64;
            let Ok(head) = serde_json::from_slice::<Head<'_>>(&line) else {
                continue; // a torn line (a kill during a write)
            };
            if head.profile != fingerprint || n > u32::MAX as usize {
                continue;
            }
            let slots = at.entry(key(&head.page, &head.digest)).or_default();
            // the last line of a page wins: drop an earlier one of the same page
            slots.retain(|&(o, l)| !same_page(&file, o, l, &head.page, &head.digest));
            slots.push((here, n as u32));
        }
        Ok(Spool {
            file: Some(file),
            at,
        })
    }

    /// How many pages the spool has outcomes of.
    pub fn len(&self) -> usize {
        self.at.values().map(Vec::len).sum()
    }

    /// Whether the spool has no usable outcome.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn read_line(file: &File, offset: u64, len: u32) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; len as usize];
    file.read_exact_at(&mut buf, offset).ok()?;
    Some(buf)
}

fn same_page(file: &File, offset: u64, len: u32, page: &str, digest: &str) -> bool {
    read_line(file, offset, len)
        .and_then(|b| {
            serde_json::from_slice::<Head<'_>>(&b)
                .ok()
                .map(|h| h.page == page && h.digest == digest)
        })
        .unwrap_or(false)
}

impl Extracted for Spool {
    fn get(&self, page: &str, digest: &str) -> Option<Outcome> {
        let file = self.file.as_ref()?;
        for &(offset, len) in self.at.get(&key(page, digest))? {
            let bytes = read_line(file, offset, len)?;
            let Ok(s) = serde_json::from_slice::<Spooled>(&bytes) else {
                continue;
            };
            if s.page == page && s.digest == digest {
                return Some(s.outcome);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::PageError;

    fn line(page: &str, digest: &str, profile: &str, outcome: &Outcome) -> String {
        let l = SpoolLine {
            page,
            digest,
            profile,
            outcome,
        };
        serde_json::to_string(&l).unwrap() + "\n"
    }

    #[test]
    fn the_last_line_of_a_page_and_profile_counts_and_torn_lines_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SPOOL);
        let failed = |m: &str| Outcome::Failed(PageError::new("store", m));
        let mut text = String::new();
        text += &line("https://a/1", "sha1:X", "p1", &failed("first"));
        text += &line("https://a/1", "sha1:X", "p2", &failed("other profile"));
        text += &line("https://a/2", "sha1:Y", "p1", &Outcome::Unmatched);
        text += &line("https://a/1", "sha1:X", "p1", &failed("second"));
        text += "{\"page\":\"https://a/3\",\"digest\":\"sha1:Z\",\"prof";
        std::fs::write(&path, text).unwrap();
        let s = Spool::open(&path, "p1").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s.get("https://a/1", "sha1:X"), Some(failed("second")));
        assert_eq!(s.get("https://a/2", "sha1:Y"), Some(Outcome::Unmatched));
        assert_eq!(s.get("https://a/1", "sha1:OTHER"), None);
        assert_eq!(s.get("https://a/3", "sha1:Z"), None);
        let none = Spool::open(&dir.path().join("missing"), "p1").unwrap();
        assert!(none.is_empty());
    }
}
