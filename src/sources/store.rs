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
    /// The thread that reads the ledger could not start.
    #[error("starting the thread that reads the ledger: {0}")]
    Thread(String),
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

/// The pages [`pages`] lists, read from the ledger while they are used (a
/// thread reads ahead a few batches), so that listing a store of 100,000
/// pages does not hold 100,000 URLs, aliases and digests at once. Iterate,
/// then call [`PageStream::end`] for the count, or what went wrong.
pub struct PageStream {
    rx: std::sync::mpsc::Receiver<StoredPage>,
    reader: Option<std::thread::JoinHandle<Result<u64, StoreSourceError>>>,
    /// Fetched pages in the ledger (HTML or not): a progress bar's length.
    pub fetched: u64,
}

/// Pages the reading thread may hold ready.
const READ_AHEAD: usize = 1024;

/// Stream the fetched HTML pages of a store, as [`pages`] lists them.
pub fn page_stream(store: &Path) -> Result<PageStream, StoreSourceError> {
    if !store.join("ledger.sqlite").exists() {
        return Err(StoreSourceError::NotAStore(store.to_path_buf()));
    }
    let fetched = Ledger::open_read_only(store)?.fetched_page_count()?;
    let (tx, rx) = std::sync::mpsc::sync_channel(READ_AHEAD);
    let store = store.to_path_buf();
    let reader = std::thread::Builder::new()
        .name("store-pages".into())
        .spawn(move || -> Result<u64, StoreSourceError> {
            let ledger = Ledger::open_read_only(&store)?;
            let mut sent = 0u64;
            let mut failed = None;
            ledger.each_fetched_page(&mut |row| {
                let Some(w) = &row.warc else { return true };
                if !is_html(row.content_type.as_deref()) {
                    return true;
                }
                let aliases = match ledger.aliases_of(&row.url) {
                    Ok(a) => a,
                    Err(e) => {
                        failed = Some(e);
                        return false;
                    }
                };
                let page = StoredPage {
                    fetched_url: row.final_url.clone().unwrap_or_else(|| row.url.clone()),
                    aliases,
                    location: Location::Warc(store.join(&w.file), w.offset),
                    key_url: row.url,
                    digest: row.digest,
                    url_source: "fetch",
                };
                sent += 1;
                // the receiver gone: the assembly stopped early
                tx.send(page).is_ok()
            })?;
            match failed {
                Some(e) => Err(e.into()),
                None => Ok(sent),
            }
        })
        .map_err(|e| StoreSourceError::Thread(e.to_string()))?;
    Ok(PageStream {
        rx,
        reader: Some(reader),
        fetched,
    })
}

impl Iterator for PageStream {
    type Item = StoredPage;
    fn next(&mut self) -> Option<StoredPage> {
        self.rx.recv().ok()
    }
}

impl PageStream {
    /// The number of pages streamed, or the ledger's error that ended the stream early.
    pub fn end(mut self) -> Result<u64, StoreSourceError> {
        // let the reader finish (or stop, if the pages were not all taken)
        drop(std::mem::replace(
            &mut self.rx,
            std::sync::mpsc::sync_channel(0).1,
        ));
        match self.reader.take().map(|h| h.join()) {
            Some(Ok(r)) => r,
            Some(Err(p)) => std::panic::resume_unwind(p),
            None => Ok(0),
        }
    }
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
