//! Offline extraction: the pages of a source extracted in parallel and
//! handed to the grouping, with nothing fetched. Three drivers:
//!
//! - [`from_pages`]: pages listed beforehand (a store's, read by offset),
//!   extracted in batches on a rayon pool (or taken from the record spool
//!   of `run`, when it has the page with the same digest and profile);
//! - [`from_warcs`]: WARC files in one streaming pass: one thread cuts the
//!   files into compressed members ([`crate::sources::warc::read_chunks`]),
//!   workers inflate and extract them, and the calling thread groups;
//! - [`from_saved`]: saved pages (files), in the order of their sorted paths.
//!
//! Whatever the thread count, the lines are the same, in the same order.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use url::Url;

use super::group::{Assembler, Contribution, PageRef};
use super::{template_ranks, Assembled};
use crate::extract::{extract_contained, Page};
use crate::profile::Profile;
use crate::record::{ErrorEntry, Outcome, PageError, Sink, UNMATCHED_MESSAGE};
use crate::sources::saved::{self, SavedPage};
use crate::sources::warc::{html_response, read_chunks};
use crate::sources::{store, StoredPage};
use crate::store::{inflate_member, Chunk, WarcRecord};
use crate::text::error_chain;

pub use crate::record::{Extracted, NothingExtracted};

/// Where the lines go, in their final order (see [`Sink`]).
pub type Write<'a> = dyn Sink + 'a;

/// Extract one stored page.
pub fn extract_stored(p: &StoredPage, profile: &Profile) -> Outcome {
    let failed = |m: String| Outcome::Failed(PageError::new("store", m));
    let rec = match store::read_record(&p.location) {
        Ok(r) => r,
        Err(e) => return failed(e),
    };
    let http = match rec.http_response() {
        Ok(h) => h,
        Err(e) => return failed(error_chain(&e)),
    };
    let Ok(url) = Url::parse(&p.fetched_url) else {
        return failed(format!("bad URL {}", p.fetched_url));
    };
    let page = Page {
        url: &url,
        bytes: &http.body,
        content_type: http.header("content-type"),
        url_source: p.url_source,
    };
    extract_contained(&page, profile)
}

/// Extract a saved page (panics contained); its record carries the
/// sidecar's aliases.
pub fn extract_saved(p: &SavedPage, profile: &Profile) -> Outcome {
    let page = Page {
        url: &p.url,
        bytes: &p.bytes,
        content_type: p.content_type.as_deref(),
        url_source: p.url_source,
    };
    let mut o = extract_contained(&page, profile);
    if let Outcome::Record(r) = &mut o {
        let mut aliases: Vec<String> = p.aliases.iter().filter(|a| **a != r.url).cloned().collect();
        aliases.sort();
        aliases.dedup();
        r.aliases = aliases;
    }
    o
}

/// Pages extracted in parallel per batch: bounds the outcomes held at once.
const BATCH: usize = 256;

/// Extract (or take from `extracted`, keyed by page URL and digest) every
/// page, group records by legacy id, merge aliases, and hand the lines to
/// `write` in their final order. Records wait in a temporary spool, so
/// memory does not grow with the page text. Pages are extracted on `pool`
/// when given, else on the current rayon pool.
pub fn from_pages(
    pages: &[StoredPage],
    profile: &Profile,
    extracted: &dyn Extracted,
    pool: Option<&rayon::ThreadPool>,
    write: &mut Write<'_>,
) -> std::io::Result<Assembled> {
    from_pages_counted(pages, profile, extracted, pool, &|_| {}, write)
}

/// [`from_pages`], calling `done` with the number of pages of each batch
/// as it is extracted (for a progress bar).
pub fn from_pages_counted<P>(
    pages: impl IntoIterator<Item = P>,
    profile: &Profile,
    extracted: &dyn Extracted,
    pool: Option<&rayon::ThreadPool>,
    done: &(dyn Fn(u64) + Sync),
    write: &mut Write<'_>,
) -> std::io::Result<Assembled>
where
    P: std::borrow::Borrow<StoredPage> + Send + Sync,
{
    let ranks = template_ranks(profile);
    let mut asm = Assembler::new(false)?;
    let mut pages = pages.into_iter().peekable();
    let mut c = 0;
    while pages.peek().is_some() {
        let chunk: Vec<P> = pages.by_ref().take(BATCH).collect();
        let run = || -> Vec<std::io::Result<Contribution>> {
            chunk
                .par_iter()
                .enumerate()
                .map(|(k, p)| {
                    let p: &StoredPage = p.borrow();
                    let cached = p.digest.as_ref().and_then(|d| extracted.get(&p.key_url, d));
                    let outcome = match cached {
                        Some(o) => o,
                        None => extract_stored(p, profile),
                    };
                    let order = (c * BATCH + k) as u64;
                    let page = PageRef {
                        order,
                        seq: order,
                        key_url: &p.key_url,
                        fetched_url: &p.fetched_url,
                        aliases: &p.aliases,
                    };
                    Contribution::new(&page, outcome, &ranks)
                })
                .collect()
        };
        let contributions = match pool {
            Some(pool) => pool.install(run),
            None => run(),
        };
        for c in contributions {
            asm.add(c?)?;
        }
        done(chunk.len() as u64);
        c += 1;
    }
    asm.finish(write)
}

/// The pieces of WARC files waiting for a worker, each with its position in
/// the stream and its file (an index into the file list).
type ChunkQueue = Arc<Mutex<Receiver<(u64, usize, Chunk)>>>;

/// Extract one `response` record if it is an HTML page.
fn warc_contribution(
    seq: u64,
    rec: &WarcRecord,
    profile: &Profile,
    ranks: &HashMap<&str, usize>,
) -> Option<std::io::Result<Contribution>> {
    let (uri, http) = html_response(rec)?;
    let outcome = match Url::parse(uri) {
        Ok(url) => {
            let page = Page {
                url: &url,
                bytes: &http.body,
                content_type: http.header("content-type"),
                url_source: "warc",
            };
            extract_contained(&page, profile)
        }
        Err(_) => Outcome::Failed(PageError::new("store", format!("bad URL {uri}"))),
    };
    let page = PageRef {
        order: 0,
        seq,
        key_url: uri,
        fetched_url: uri,
        aliases: &[],
    };
    Some(Contribution::new(&page, outcome, ranks))
}

/// What a worker of [`from_warcs`] sends back for one chunk.
enum Worked {
    Page(std::io::Result<Contribution>),
    /// The chunk's member did not inflate into a record: its file ends here.
    Broken {
        seq: u64,
        problem: String,
    },
}

/// One worker of [`from_warcs`]: inflate and extract chunks until the
/// queue is empty or the assembly stopped.
fn warc_worker(
    files: &[PathBuf],
    queue: &ChunkQueue,
    tx: &std::sync::mpsc::SyncSender<Worked>,
    profile: &Profile,
    ranks: &HashMap<&str, usize>,
) {
    loop {
        let next = match queue.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok((seq, file, chunk)) = next else { return };
        let worked = match chunk {
            Chunk::Record(rec) => warc_contribution(seq, &rec, profile, ranks).map(Worked::Page),
            Chunk::Member { offset, bytes } => match inflate_member(&files[file], offset, &bytes) {
                Ok(rec) => {
                    drop(bytes);
                    warc_contribution(seq, &rec, profile, ranks).map(Worked::Page)
                }
                Err(e) => Some(Worked::Broken {
                    seq,
                    problem: error_chain(&e),
                }),
            },
        };
        if let Some(w) = worked {
            if tx.send(w).is_err() {
                return;
            }
        }
    }
}

/// The listing of WARC files and the extraction of the listed pages, in
/// one streaming pass (see the module header). Of several HTML responses
/// for one URL, the last one wins. As when one thread reads the files, a
/// damaged record ends its file (the records before it are kept). Memory
/// does not grow with the page text, and each record is decompressed once,
/// on a worker. Returns the counts and what could not be read.
pub fn from_warcs(
    files: &[PathBuf],
    profile: &Profile,
    threads: usize,
    write: &mut Write<'_>,
) -> std::io::Result<(Assembled, Vec<String>)> {
    from_warcs_counted(files, profile, threads, &|_| {}, write)
}

/// [`from_warcs`], calling `done` with 1 for each response record
/// extracted (for a progress bar).
pub fn from_warcs_counted(
    files: &[PathBuf],
    profile: &Profile,
    threads: usize,
    done: &(dyn Fn(u64) + Sync),
    write: &mut Write<'_>,
) -> std::io::Result<(Assembled, Vec<String>)> {
    let threads = threads.max(1);
    let ranks = template_ranks(profile);
    let mut asm = Assembler::new(true)?;
    let (reads, broken, added) = std::thread::scope(|s| {
        let (chunk_tx, chunk_rx) = sync_channel::<(u64, usize, Chunk)>(threads * 4);
        let (out_tx, out_rx) = sync_channel::<Worked>(threads * 4);
        let reader = s.spawn(move || read_chunks(files, &chunk_tx));
        let queue: ChunkQueue = Arc::new(Mutex::new(chunk_rx));
        for _ in 0..threads {
            let queue = Arc::clone(&queue);
            let tx = out_tx.clone();
            let ranks = &ranks;
            s.spawn(move || warc_worker(files, &queue, &tx, profile, ranks));
        }
        // the workers own the queue and the senders now: when the assembly
        // stops early they stop, and then so does the reader
        drop(queue);
        drop(out_tx);
        let mut added = Ok(());
        let mut broken = Vec::new();
        for w in &out_rx {
            match w {
                Worked::Page(c) => {
                    if let Err(e) = c.and_then(|c| asm.add(c)) {
                        added = Err(e);
                        break;
                    }
                    done(1);
                }
                Worked::Broken { seq, problem } => broken.push((seq, problem)),
            }
        }
        drop(out_rx);
        let reads = reader
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (reads, broken, added)
    });
    added?;
    // a damaged member ends its file, as a damaged record does when one
    // thread reads the file: what came after it in that file is dropped
    let mut cut = Vec::new();
    let mut problems = Vec::new();
    for read in reads {
        let first_broken = broken
            .iter()
            .filter(|(seq, _)| read.seqs.contains(seq))
            .min_by_key(|(seq, _)| *seq);
        match first_broken {
            Some((seq, problem)) => {
                cut.push(*seq..read.seqs.end);
                problems.push(problem.clone());
            }
            None => problems.extend(read.problem),
        }
    }
    asm.drop_ranges(&cut);
    Ok((asm.finish(write)?, problems))
}

/// How a long offline job reports progress and learns that it should stop.
pub struct Watch<'a> {
    /// Called with the number of pages just done.
    pub done: &'a (dyn Fn(u64) + Sync),
    /// Whether to stop (checked between batches).
    pub stop: &'a (dyn Fn() -> bool + Sync),
}

/// Where saved pages get their URL from, besides sidecars and canonical links.
pub struct SavedBase<'a> {
    /// The input folder (paths are joined to the base URL relative to it).
    pub root: Option<&'a Path>,
    /// The URL of the input folder.
    pub base_url: Option<&'a Url>,
}

/// What one saved page contributes: its record, listing or error entry
/// (entries of saved pages name the file).
fn saved_contribution(
    order: u64,
    path: &Path,
    base: &SavedBase<'_>,
    profile: &Profile,
    ranks: &HashMap<&str, usize>,
) -> std::io::Result<Contribution> {
    let shown = path.display().to_string();
    let saved = match saved::load(path, base.root, base.base_url) {
        Ok(s) => s,
        Err(e) => {
            let page = PageRef {
                order,
                seq: order,
                key_url: &shown,
                fetched_url: "",
                aliases: &[],
            };
            let entry = ErrorEntry::saved("read", error_chain(&e), None, &shown, None);
            return Ok(Contribution::unreadable(&page, entry));
        }
    };
    let url = saved.url.as_str();
    let page = PageRef {
        order,
        seq: order,
        key_url: url,
        fetched_url: url,
        aliases: &saved.aliases,
    };
    let mut outcome = extract_saved(&saved, profile);
    if let Outcome::Record(r) = &mut outcome {
        r.file = Some(shown.clone());
    }
    Contribution::shaped(&page, outcome, ranks, |e| match e {
        None => ErrorEntry::saved(
            "unmatched",
            UNMATCHED_MESSAGE.into(),
            Some(url),
            &shown,
            None,
        ),
        Some(e) => ErrorEntry::saved(&e.kind, e.message, Some(url), &shown, e.template),
    })
}

/// Extract saved pages (sorted paths, see [`saved::collect`]) in parallel
/// batches on `pool`, and assemble them as pages of a store are: one record
/// per legacy id, the aliases of its pages merged, the lines handed to
/// `write` in their final order. None when `watch` said to stop.
pub fn from_saved(
    pages: &[PathBuf],
    profile: &Profile,
    base: &SavedBase<'_>,
    pool: &rayon::ThreadPool,
    watch: &Watch<'_>,
    write: &mut Write<'_>,
) -> std::io::Result<Option<Assembled>> {
    let ranks = template_ranks(profile);
    let mut asm = Assembler::new(false)?;
    for (c, chunk) in pages.chunks(BATCH).enumerate() {
        if (watch.stop)() {
            return Ok(None);
        }
        let contributions: Vec<std::io::Result<Contribution>> = pool.install(|| {
            chunk
                .par_iter()
                .enumerate()
                .map(|(k, path)| {
                    let order = (c * BATCH + k) as u64;
                    let done = saved_contribution(order, path, base, profile, &ranks);
                    (watch.done)(1);
                    done
                })
                .collect()
        });
        for c in contributions {
            asm.add(c?)?;
        }
    }
    asm.finish(write).map(Some)
}
