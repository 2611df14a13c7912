//! Assets of WARC files (sitelift's own or other tools', such as wget's):
//! one pass indexes every `response` record that is not a web page by its
//! target URI (status, redirect target, where the record is); an asset is
//! then read by offset, following redirects through the index.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use url::Url;

use super::source_store::{asset_of_record, record_at};
use super::{Asset, MediaSource};
use crate::store::WarcReader;
use crate::text::error_chain;

/// Redirect hops followed through the index before giving up.
const MAX_HOPS: usize = 20;
/// Records read past the offset to find one in a gzip member that holds
/// several (files not written one member per record).
const MAX_SCAN: usize = 10_000;

/// Where a response is, and what it said.
#[derive(Debug, Clone)]
struct Entry {
    file: usize,
    offset: u64,
    status: u16,
    location: Option<String>,
}

/// The media responses of some WARC files, indexed by target URI.
#[derive(Debug, Default)]
pub struct WarcMedia {
    files: Vec<PathBuf>,
    by_uri: HashMap<String, Entry>,
}

/// The form URIs are indexed and looked up in (parsed and written again, so
/// spelling differences such as a default port or `%7E` do not matter).
fn key(uri: &str) -> String {
    match Url::parse(uri.trim()) {
        Ok(mut u) => {
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => uri.trim().to_string(),
    }
}

/// Status, content type and `Location` of the HTTP head of a record block.
fn head(block: &[u8]) -> Option<(u16, Option<String>, Option<String>)> {
    let mut slots = [httparse::EMPTY_HEADER; 128];
    let mut resp = httparse::Response::new(&mut slots);
    resp.parse(block).ok()?;
    let status = resp.code?;
    let get = |name: &str| {
        resp.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_string())
    };
    Some((status, get("content-type"), get("location")))
}

impl WarcMedia {
    /// Index the `response` records of `files` in one pass (web pages,
    /// 2xx HTML responses, are left out; for a URI answered more than once
    /// a 2xx answer wins over others, else the last). Returns the index and
    /// what could not be read (a file that does not open; a broken record
    /// ends its file), which is not fatal.
    pub fn open(files: &[PathBuf]) -> (WarcMedia, Vec<String>) {
        let mut by_uri: HashMap<String, Entry> = HashMap::new();
        let mut index = 0;
        let problems = crate::sources::warc::for_each_response(files, |f, rec| {
            while files.get(index).is_some_and(|g| g != f) {
                index += 1;
            }
            let Some(uri) = rec.target_uri.as_deref() else {
                return true;
            };
            let Some((status, ct, location)) = head(&rec.block) else {
                return true;
            };
            let ok = (200..300).contains(&status);
            if ok && ct.as_deref().is_some_and(super::spec::is_page_type) {
                return true;
            }
            let k = key(uri);
            let keep_old = by_uri
                .get(&k)
                .is_some_and(|old| (200..300).contains(&old.status) && !ok);
            if !keep_old {
                let location = location.and_then(|l| Url::parse(uri).ok()?.join(&l).ok());
                by_uri.insert(
                    k,
                    Entry {
                        file: index,
                        offset: rec.offset,
                        status,
                        location: location.map(|u| key(u.as_str())),
                    },
                );
            }
            true
        });
        (
            WarcMedia {
                files: files.to_vec(),
                by_uri,
            },
            problems,
        )
    }

    /// How many responses the index holds.
    pub fn len(&self) -> usize {
        self.by_uri.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.by_uri.is_empty()
    }

    /// The response record of `uri` at `offset` of `path`: the first record
    /// there, or (in a gzip member holding several records) the next one
    /// for that URI.
    fn read(&self, path: &Path, offset: u64, uri: &str) -> Result<Asset, String> {
        let rec = record_at(path, offset)?;
        if rec.warc_type == "response" && rec.target_uri.as_deref().map(key).as_deref() == Some(uri)
        {
            return asset_of_record(&rec, uri.to_string());
        }
        let reader = WarcReader::open_at(path, offset).map_err(|e| error_chain(&e))?;
        for rec in reader.take(MAX_SCAN) {
            let rec = rec.map_err(|e| error_chain(&e))?;
            if rec.warc_type == "response"
                && rec.target_uri.as_deref().map(key).as_deref() == Some(uri)
            {
                return asset_of_record(&rec, uri.to_string());
            }
        }
        Err(format!(
            "{}: no response for {uri} at offset {offset}",
            path.display()
        ))
    }
}

impl MediaSource for WarcMedia {
    fn get(&self, url: &str) -> Result<Option<Asset>, String> {
        let mut k = key(url);
        for _ in 0..MAX_HOPS {
            let Some(e) = self.by_uri.get(&k) else {
                return Ok(None);
            };
            match (e.status, &e.location) {
                (200..=299, _) => {
                    let path = &self.files[e.file];
                    return self
                        .read(path, e.offset, &k)
                        .map(Some)
                        .map_err(|m| format!("{url}: {m}"));
                }
                (300..=399, Some(next)) if *next != k => k = next.clone(),
                _ => return Ok(None),
            }
        }
        Ok(None)
    }
}
