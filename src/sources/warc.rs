//! The pages of WARC files (sitelift's own or other tools', such as wget's):
//! every 2xx HTML `response` record. Two ways to read them: a list of the
//! pages with their offsets ([`pages`]; the last response for a URL wins),
//! and a stream of compressed members for workers to inflate ([`read_chunks`],
//! which the one-pass extraction in [`crate::assemble::offline`] uses).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::SyncSender;

use super::{is_html, Location, StoredPage};
use crate::store::{Chunk, ChunkReader, WarcReader, WarcRecord};
use crate::text::error_chain;

/// The HTML responses of WARC files (ours or other tools'); the last
/// response for a URL wins. Unreadable parts are reported, not fatal.
/// This reads every record to build the list; the one-pass extraction
/// reads the same pages without a list. The locations are the offsets of
/// gzip members, so these pages can be read again by offset only from files
/// with one gzip member per record (or plain WARC files).
pub fn pages(files: &[PathBuf]) -> (Vec<StoredPage>, Vec<String>) {
    let mut by_url: BTreeMap<String, StoredPage> = BTreeMap::new();
    let problems = for_each_response(files, |f, rec| {
        let Some((uri, _)) = html_response(&rec) else {
            return true;
        };
        let uri = uri.to_string();
        by_url.insert(
            uri.clone(),
            StoredPage {
                key_url: uri.clone(),
                fetched_url: uri,
                aliases: Vec::new(),
                location: Location::Warc(f.clone(), rec.offset),
                digest: rec.header("WARC-Payload-Digest").map(str::to_string),
                url_source: "warc",
            },
        );
        true
    });
    (by_url.into_values().collect(), problems)
}

/// Calls `each` with every `response` record of `files` that has a target
/// URI, in file order, with its file, until `each` returns false; returns
/// what could not be read (a file that does not open; a broken record ends
/// its file).
pub fn for_each_response(
    files: &[PathBuf],
    mut each: impl FnMut(&PathBuf, WarcRecord) -> bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    for f in files {
        let reader = match WarcReader::open(f) {
            Ok(r) => r,
            Err(e) => {
                problems.push(error_chain(&e));
                continue;
            }
        };
        for rec in reader {
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    problems.push(error_chain(&e));
                    break;
                }
            };
            if rec.warc_type != "response" || rec.target_uri.is_none() {
                continue;
            }
            if !each(f, rec) {
                return problems;
            }
        }
    }
    problems
}

/// An HTML page of a `response` record: its URI and HTTP response, when
/// the record is a 2xx response whose head parses, HTML or untyped.
pub fn html_response(rec: &WarcRecord) -> Option<(&str, crate::store::HttpResponse)> {
    if rec.warc_type != "response" {
        return None;
    }
    let uri = rec.target_uri.as_deref()?;
    let http = rec.http_response().ok()?;
    if !(200..300).contains(&http.status) || !is_html(http.header("content-type")) {
        return None;
    }
    Some((uri, http))
}

/// What the reader learned of one file: the `seq` numbers its chunks got,
/// and the error that ended it early, if one did.
pub struct FileRead {
    /// The numbers of the file's chunks.
    pub seqs: std::ops::Range<u64>,
    /// What ended the file early.
    pub problem: Option<String>,
}

/// Sends the chunks of `files` in file order, numbered, each with the index
/// of its file; returns for each file its range of numbers and what ended
/// it early. Stops when the receiver is gone.
pub fn read_chunks(files: &[PathBuf], tx: &SyncSender<(u64, usize, Chunk)>) -> Vec<FileRead> {
    let mut seq = 0u64;
    let mut reads = Vec::with_capacity(files.len());
    for (i, f) in files.iter().enumerate() {
        let first = seq;
        let mut problem = None;
        let mut stopped = false;
        match ChunkReader::open(f) {
            Ok(reader) => {
                for chunk in reader {
                    match chunk {
                        // a failed send: the assembly stopped
                        Ok(c) => match tx.send((seq, i, c)) {
                            Ok(()) => seq += 1,
                            Err(_) => {
                                stopped = true;
                                break;
                            }
                        },
                        Err(e) => {
                            problem = Some(error_chain(&e));
                            break;
                        }
                    }
                }
            }
            Err(e) => problem = Some(error_chain(&e)),
        }
        reads.push(FileRead {
            seqs: first..seq,
            problem,
        });
        if stopped {
            break;
        }
    }
    reads
}
