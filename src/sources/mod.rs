//! Sources: where pages come from when nothing is fetched. Saved pages
//! (files and folders, with their URL from a sidecar, a canonical link or a
//! base URL), WARC files (sitelift's own or other tools'), and crawl stores
//! (the ledger says which responses are pages and where their bytes are).
//! Each gives pages as bytes, headers and a URL for decode and extraction.

pub mod saved;
pub mod store;
pub mod warc;

use std::path::PathBuf;

/// Where a stored page's bytes are.
#[derive(Debug, Clone)]
pub enum Location {
    /// A record of a WARC file at an offset.
    Warc(PathBuf, u64),
}

/// A page of a store or WARC file, before extraction.
#[derive(Debug, Clone)]
pub struct StoredPage {
    /// Canonical URL (the ledger key) or the record's target URI.
    pub key_url: String,
    /// The URL the bytes were fetched from.
    pub fetched_url: String,
    /// Other URLs of this page.
    pub aliases: Vec<String>,
    /// Where the bytes are.
    pub location: Location,
    /// Payload digest, when known.
    pub digest: Option<String>,
    /// Where the page URL comes from: `fetch` (our crawl) or `warc` (a WARC file).
    pub url_source: &'static str,
}

/// Whether a response's `Content-Type` may be a page (HTML, or untyped).
pub fn is_html(ct: Option<&str>) -> bool {
    match ct {
        None => true,
        Some(c) => c.to_ascii_lowercase().contains("html"),
    }
}
