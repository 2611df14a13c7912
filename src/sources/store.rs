//! The pages of a crawl store: the ledger lists the fetched HTML responses
//! (in discovery order, with their aliases) and where each one's record is
//! in the store's WARC files; the bytes are read by offset.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{is_html, Location, StoredPage};
use crate::frontier::ledger::Ledger;
use crate::store::{WarcReader, WarcRecord};
use crate::text::error_chain;

/// Problems listing a store's pages.
#[derive(Debug, thiserror::Error)]
pub enum StoreSourceError {
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] crate::frontier::ledger::LedgerError),
    /// No ledger in the store folder.
    #[error("{0} has no ledger.sqlite: is it a sitelift store? (crawl into it first)")]
    NotAStore(PathBuf),
}

/// The fetched HTML pages of a store, in discovery order, with their aliases.
pub fn pages(store: &Path) -> Result<Vec<StoredPage>, StoreSourceError> {
    if !store.join("ledger.sqlite").exists() {
        return Err(StoreSourceError::NotAStore(store.to_path_buf()));
    }
    let ledger = Ledger::open_read_only(store)?;
    let mut aliases: HashMap<String, Vec<String>> = HashMap::new();
    for (alias, canonical, _) in ledger.all_aliases()? {
        aliases.entry(canonical).or_default().push(alias);
    }
    let mut out = Vec::new();
    for row in ledger.fetched_pages()? {
        let Some(w) = &row.warc else { continue };
        if !is_html(row.content_type.as_deref()) {
            continue;
        }
        out.push(StoredPage {
            fetched_url: row.final_url.clone().unwrap_or_else(|| row.url.clone()),
            aliases: aliases.remove(&row.url).unwrap_or_default(),
            key_url: row.url,
            location: Location::Warc(store.join(&w.file), w.offset),
            digest: row.digest,
            url_source: "fetch",
        });
    }
    Ok(out)
}

/// The WARC record at a page's location.
pub fn read_record(loc: &Location) -> Result<WarcRecord, String> {
    let Location::Warc(path, offset) = loc;
    let mut r = WarcReader::open_at(path, *offset).map_err(|e| error_chain(&e))?;
    match r.next() {
        Some(Ok(rec)) => Ok(rec),
        Some(Err(e)) => Err(error_chain(&e)),
        None => Err(format!("{}: no record at offset {offset}", path.display())),
    }
}
