//! The set of URLs a crawl has seen, kept as 128-bit digests.
//!
//! The crawl asks "seen before?" of every link of every page, so the set
//! lives in memory; the ledger holds the URLs themselves. A `String` per URL
//! cost about 150 bytes (the string, its allocation, the table slot); a site
//! of 100,000 pages shows the crawl about 400,000 URLs, so the set grew by
//! 0.6 KB a page and was most of a long `run`'s growth (BENCHMARKS.md
//! section 11). A digest costs 16 bytes and a table slot. The first 128 bits
//! of SHA-256: two URLs sharing one would need about 2^64 URLs.

use std::collections::HashSet;
use std::hash::BuildHasherDefault;

use rustc_hash::FxHasher;
use sha2::{Digest, Sha256};

/// URLs (canonical strings) as digests: insert, ask, count.
#[derive(Default)]
pub(super) struct UrlSet(HashSet<u128, BuildHasherDefault<FxHasher>>);

fn key(url: &str) -> u128 {
    let d = Sha256::digest(url.as_bytes());
    let mut k = [0u8; 16];
    k.copy_from_slice(&d[..16]);
    u128::from_le_bytes(k)
}

impl UrlSet {
    /// Add `url`; true when it was not in the set.
    pub fn insert(&mut self, url: &str) -> bool {
        self.0.insert(key(url))
    }

    pub fn contains(&self, url: &str) -> bool {
        self.0.contains(&key(url))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

#[cfg(test)]
mod tests {
    use super::UrlSet;

    #[test]
    fn urls_are_told_apart_and_found_again() {
        let mut s = UrlSet::default();
        let urls: Vec<String> = (0..20_000)
            .map(|i| format!("https://www.example.com/news/{i}?page={}", i % 7))
            .collect();
        for u in &urls {
            assert!(s.insert(u), "{u} is new");
        }
        assert_eq!(s.len(), urls.len());
        for u in &urls {
            assert!(s.contains(u));
            assert!(!s.insert(u), "{u} was seen");
        }
        // one byte apart, or differing only in case, is another URL
        assert!(!s.contains("https://www.example.com/news/1?page=2"));
        assert!(!s.contains("https://www.example.com/News/1?page=1"));
        assert!(s.insert("https://www.example.com/news/1?page=2"));
        assert_eq!(s.len(), urls.len() + 1);
    }
}
