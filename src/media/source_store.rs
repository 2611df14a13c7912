//! Assets of a crawl store: the ledger says whether a media URL was
//! fetched and where its response record is; a URL that redirected is
//! followed through the ledger's aliases to the URL that answered.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use url::Url;

use super::{Asset, MediaError, MediaSource};
use crate::frontier::canon::{canonicalize, CanonRules};
use crate::frontier::ledger::{Ledger, Status};
use crate::store::WarcRecord;
use crate::text::error_chain;

/// Redirect hops followed through the aliases before giving up.
const MAX_HOPS: usize = 20;

/// The media of a crawl store (read-only: it works while a crawl writes).
#[derive(Debug)]
pub struct StoreMedia {
    dir: PathBuf,
    ledger: Mutex<Ledger>,
    canon: Option<CanonRules>,
}

impl StoreMedia {
    /// Open the store at `dir`. `canon` are the crawl's URL rules (the
    /// profile's `[crawl.canonical]`): an asset URL is looked up as written
    /// and in its canonical form, the ledger's key.
    pub fn open(dir: &Path, canon: Option<CanonRules>) -> Result<StoreMedia, MediaError> {
        if !dir.join(crate::frontier::ledger::LEDGER_FILE).exists() {
            return Err(MediaError::NotAStore(dir.to_path_buf()));
        }
        Ok(StoreMedia {
            dir: dir.to_path_buf(),
            ledger: Mutex::new(Ledger::open_read_only(dir)?),
            canon,
        })
    }

    /// The ledger key that holds the bytes of `url`, following redirects:
    /// the fetched row's key, final URL and WARC location.
    fn locate(&self, url: &str) -> Result<Option<(String, PathBuf, u64)>, String> {
        let ledger = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
        let mut keys = vec![url.to_string()];
        if let (Some(rules), Ok(u)) = (&self.canon, Url::parse(url)) {
            let c = canonicalize(&u, rules).to_string();
            if c != url {
                keys.push(c);
            }
        }
        for start in keys {
            let mut key = start;
            for _ in 0..MAX_HOPS {
                let row = ledger.get(&key).map_err(|e| error_chain(&e))?;
                if let Some(row) = &row {
                    if row.status == Status::Fetched {
                        let Some(w) = &row.warc else {
                            return Ok(None);
                        };
                        let from = row.final_url.clone().unwrap_or_else(|| row.url.clone());
                        return Ok(Some((from, self.dir.join(&w.file), w.offset)));
                    }
                }
                match ledger.canonical_of(&key).map_err(|e| error_chain(&e))? {
                    Some(next) if next != key => key = next,
                    _ => break,
                }
            }
        }
        Ok(None)
    }
}

/// The first record at `offset` of the WARC file `path`.
pub(super) fn record_at(path: &Path, offset: u64) -> Result<WarcRecord, String> {
    let mut r = crate::store::WarcReader::open_at(path, offset).map_err(|e| error_chain(&e))?;
    match r.next() {
        Some(Ok(rec)) => Ok(rec),
        Some(Err(e)) => Err(error_chain(&e)),
        None => Err(format!("{}: no record at offset {offset}", path.display())),
    }
}

/// The asset of a `response` record: its decoded body and content type.
pub(super) fn asset_of_record(rec: &WarcRecord, from: String) -> Result<Asset, String> {
    let http = rec.http_response().map_err(|e| error_chain(&e))?;
    Ok(Asset {
        url: from,
        content_type: http.header("content-type").map(str::to_string),
        bytes: http.body,
    })
}

impl MediaSource for StoreMedia {
    fn get(&self, url: &str) -> Result<Option<Asset>, String> {
        let Some((from, path, offset)) = self.locate(url)? else {
            return Ok(None);
        };
        let rec = record_at(&path, offset).map_err(|e| format!("{url}: {e}"))?;
        asset_of_record(&rec, from)
            .map(Some)
            .map_err(|e| format!("{url}: {e}"))
    }
}
