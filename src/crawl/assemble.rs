//! The final output of a migration: one record per article (grouped by
//! legacy id, else canonical URL), with every alias seen, sorted by a stable
//! key, whatever order pages were fetched or extracted in. Used by
//! `extract --store`, `extract` over WARC files, and `run`.
//!
//! WARC files are read once, in a stream ([`assemble_warcs`]); the pages of
//! a store are listed by the ledger and read by offset ([`assemble_to`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde_json::Value;
use url::Url;

use crate::check::outcome_value;
use crate::extract::{extract_contained, Page};
use crate::frontier::ledger::Ledger;
use crate::profile::Profile;
use crate::store::{inflate_member, Chunk, ChunkReader, WarcReader, WarcRecord};

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

/// Problems assembling output.
#[derive(Debug, thiserror::Error)]
pub enum AssembleError {
    /// The ledger failed.
    #[error("ledger: {0}")]
    Ledger(#[from] crate::frontier::ledger::LedgerError),
    /// A WARC file could not be read at all.
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    /// No ledger in the store folder.
    #[error("{0} has no ledger.sqlite: is it a sitelift store? (crawl into it first)")]
    NotAStore(PathBuf),
}

fn is_html(ct: Option<&str>) -> bool {
    match ct {
        None => true,
        Some(c) => {
            let c = c.to_ascii_lowercase();
            c.contains("html")
        }
    }
}

/// The fetched HTML pages of a store, in discovery order, with their aliases.
pub fn pages_from_store(store: &Path) -> Result<Vec<StoredPage>, AssembleError> {
    if !store.join("ledger.sqlite").exists() {
        return Err(AssembleError::NotAStore(store.to_path_buf()));
    }
    let ledger = Ledger::open(store)?;
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

/// The HTML responses of WARC files (ours or other tools'); the last
/// response for a URL wins. Unreadable parts are reported, not fatal.
/// This reads every record to build the list; [`assemble_warcs`] extracts
/// the same pages in one pass without a list. The locations are the
/// offsets of gzip members, so [`extract_stored`] can read these pages again
/// only from files with one gzip member per record (or plain WARC files).
pub fn pages_from_warcs(files: &[PathBuf]) -> (Vec<StoredPage>, Vec<String>) {
    let mut by_url: BTreeMap<String, StoredPage> = BTreeMap::new();
    let problems = for_each_response(files, |f, rec| {
        let Some(uri) = rec.target_uri.clone() else {
            return true;
        };
        let Ok(http) = rec.http_response() else {
            return true;
        };
        if !(200..300).contains(&http.status) || !is_html(http.header("content-type")) {
            return true;
        }
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

fn read_record(loc: &Location) -> Result<WarcRecord, String> {
    let Location::Warc(path, offset) = loc;
    let mut r = WarcReader::open_at(path, *offset).map_err(|e| e.to_string())?;
    match r.next() {
        Some(Ok(rec)) => Ok(rec),
        Some(Err(e)) => Err(e.to_string()),
        None => Err(format!("{}: no record at offset {offset}", path.display())),
    }
}

/// The outcome of a page that could not be extracted.
fn failure(kind: &str, message: String) -> Value {
    serde_json::json!({ "error": { "kind": kind, "message": message, "template": null } })
}

/// Extract one stored page.
pub fn extract_stored(p: &StoredPage, profile: &Profile) -> Value {
    let rec = match read_record(&p.location) {
        Ok(r) => r,
        Err(e) => return failure("store", e),
    };
    let http = match rec.http_response() {
        Ok(h) => h,
        Err(e) => return failure("store", e.to_string()),
    };
    let Ok(url) = Url::parse(&p.fetched_url) else {
        return failure("store", format!("bad URL {}", p.fetched_url));
    };
    let page = Page {
        url: &url,
        bytes: &http.body,
        content_type: http.header("content-type"),
        url_source: p.url_source,
    };
    outcome_value(&extract_contained(&page, profile))
}

/// What assembly produced.
#[derive(Debug, Default)]
pub struct Assembled {
    /// Output lines (records, then error entries), in their final order.
    pub lines: Vec<String>,
    /// Pages assembled (after "the last response for a URL wins", for WARC
    /// files): records + merged + not emitted + unmatched + failed.
    pub pages: usize,
    /// Records written.
    pub records: usize,
    /// Pages merged into another record (same legacy id).
    pub merged: usize,
    /// Pages of non-emitting templates.
    pub not_emitted: usize,
    /// Unmatched pages.
    pub unmatched: usize,
    /// Failed pages.
    pub failed: usize,
    /// Pages of non-emitting templates: (page URL, template), in page order.
    pub listings: Vec<(String, String)>,
}

fn sort_key(id: &str) -> (u8, String) {
    if !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()) {
        (0, format!("{id:0>20}"))
    } else {
        (1, id.to_string())
    }
}

/// Extract (or take from `spool`, keyed by page URL and digest) every page,
/// group records by legacy id, merge aliases, and order the output.
pub fn assemble(
    pages: &[StoredPage],
    profile: &Profile,
    spool: &HashMap<(String, String), Value>,
) -> Assembled {
    let mut lines = Vec::new();
    let res = assemble_to(pages, profile, spool, None, &mut |l: &str| {
        lines.push(l.to_string());
        Ok(())
    });
    match res {
        Ok(mut a) => {
            a.lines = lines;
            a
        }
        // the temporary spool file could not be written or read back
        Err(e) => Assembled {
            pages: pages.len(),
            failed: pages.len(),
            lines: vec![
                serde_json::json!({ "error": { "kind": "spool", "message": e.to_string() } })
                    .to_string(),
            ],
            ..Assembled::default()
        },
    }
}

/// Pages extracted in parallel per batch: bounds the outcomes held at once.
const BATCH: usize = 256;

/// What one page contributes to the output, worked out on the thread that
/// extracted it (so the thread that assembles only appends bytes).
struct Contribution {
    /// Page order: the index in the page list (ties between records of one
    /// legacy id, and the order of listings, follow it, then `key_url`).
    order: u64,
    /// Position in the input stream: of two pages with the same `key_url`,
    /// the later one wins when [`Assembler`] is told to keep the last only.
    seq: u64,
    key_url: String,
    fetched_url: String,
    what: Contributes,
}

enum Contributes {
    /// A page of a non-emitting template.
    Listing { template: String },
    /// An unmatched or failed page: its error entry line.
    Error { line: String, unmatched: bool },
    /// A record, before its group's aliases are merged in: its group key
    /// and its spool entry (see [`Spooled`]).
    Record { key: (u8, String), entry: Vec<u8> },
}

impl Contribution {
    /// Classify an extraction outcome `v` of the page `key_url` (fetched
    /// from `fetched_url`, known under `page_aliases` too).
    fn new(
        order: u64,
        seq: u64,
        key_url: &str,
        fetched_url: &str,
        page_aliases: &[String],
        v: Value,
        template_rank: &HashMap<&str, usize>,
    ) -> Contribution {
        let what = if let Some(ne) = v.get("not_emitted") {
            let template = ne.get("template").and_then(Value::as_str).unwrap_or("");
            Contributes::Listing {
                template: template.to_string(),
            }
        } else if v.get("unmatched").is_some() || v.get("error").is_some() {
            let mut entry = serde_json::Map::new();
            let err = v.get("error").cloned().unwrap_or_else(|| {
                serde_json::json!({ "kind": "unmatched", "message": crate::extract::UNMATCHED_MESSAGE })
            });
            entry.insert("error".into(), err);
            entry.insert("url".into(), Value::String(fetched_url.to_string()));
            Contributes::Error {
                line: Value::Object(entry).to_string(),
                unmatched: v.get("unmatched").is_some(),
            }
        } else {
            let key = match v.get("legacy_id").and_then(Value::as_str) {
                Some(id) => sort_key(id),
                None => (
                    2,
                    v.get("canonical_url")
                        .and_then(Value::as_str)
                        .unwrap_or(key_url)
                        .to_string(),
                ),
            };
            let rank = template_rank
                .get(v.get("template").and_then(Value::as_str).unwrap_or(""))
                .copied()
                .unwrap_or(usize::MAX);
            let url = v
                .get("url")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let mut aliases: Vec<String> = page_aliases.to_vec();
            aliases.push(key_url.to_string());
            aliases.push(fetched_url.to_string());
            for k in ["url", "canonical_url"] {
                if let Some(s) = v.get(k).and_then(Value::as_str) {
                    aliases.push(s.to_string());
                }
            }
            if let Some(a) = v.get("aliases").and_then(Value::as_array) {
                aliases.extend(a.iter().filter_map(Value::as_str).map(str::to_string));
            }
            // the same URL several times (page URL, fetched URL, record URL)
            // merges to one alias anyway: keep one copy
            aliases.sort_unstable();
            aliases.dedup();
            Contributes::Record {
                key,
                entry: Spooled::encode(rank, order, &url, key_url, &aliases, &v.to_string()),
            }
        };
        Contribution {
            order,
            seq,
            key_url: key_url.to_string(),
            fetched_url: fetched_url.to_string(),
            what,
        }
    }
}

/// A record waiting for its group's turn. Only what sorts it into its group
/// stays in memory; its JSON line, URLs and aliases are in the spool file.
struct Member {
    key: (u8, String),
    /// Hash of the page URL, to find pages stored twice without keeping URLs.
    hash: u64,
    seq: u64,
    at: u64,
    len: u64,
}

/// A record's entry in the spool file: what places it in its group, the
/// URLs it contributes to the group's aliases, and its JSON line.
struct Spooled {
    rank: u64,
    order: u64,
    url: String,
    key_url: String,
    aliases: Vec<String>,
    line: String,
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn bad_spool(what: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("assembly spool: {what}"),
    )
}

/// Reads the fields [`put_str`] and `to_le_bytes` wrote, in order.
struct Fields<'a>(&'a [u8]);

impl Fields<'_> {
    fn u64(&mut self) -> std::io::Result<u64> {
        let (head, rest) = self
            .0
            .split_first_chunk::<8>()
            .ok_or_else(|| bad_spool("entry cut short"))?;
        self.0 = rest;
        Ok(u64::from_le_bytes(*head))
    }
    fn string(&mut self) -> std::io::Result<String> {
        let n = usize::try_from(self.u64()?).map_err(|_| bad_spool("bad length"))?;
        if n > self.0.len() {
            return Err(bad_spool("entry cut short"));
        }
        let (s, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8(s.to_vec()).map_err(|_| bad_spool("not UTF-8"))
    }
}

impl Spooled {
    fn encode(
        rank: usize,
        order: u64,
        url: &str,
        key_url: &str,
        aliases: &[String],
        line: &str,
    ) -> Vec<u8> {
        let mut out = Vec::with_capacity(line.len() + 256);
        out.extend_from_slice(&(rank as u64).to_le_bytes());
        out.extend_from_slice(&order.to_le_bytes());
        put_str(&mut out, url);
        put_str(&mut out, key_url);
        out.extend_from_slice(&(aliases.len() as u64).to_le_bytes());
        for a in aliases {
            put_str(&mut out, a);
        }
        put_str(&mut out, line);
        out
    }

    fn decode(bytes: &[u8]) -> std::io::Result<Spooled> {
        let mut f = Fields(bytes);
        let rank = f.u64()?;
        let order = f.u64()?;
        let url = f.string()?;
        let key_url = f.string()?;
        let n = f.u64()?;
        let mut aliases = Vec::new();
        for _ in 0..n {
            aliases.push(f.string()?);
        }
        let line = f.string()?;
        Ok(Spooled {
            rank,
            order,
            url,
            key_url,
            aliases,
            line,
        })
    }
}

/// A temporary file, removed when dropped.
struct TempSpool {
    path: PathBuf,
    file: std::fs::File,
}

impl TempSpool {
    fn create() -> std::io::Result<TempSpool> {
        static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "sitelift-assemble-{}-{n}.spool",
            std::process::id()
        ));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(TempSpool { path, file })
    }
}

impl Drop for TempSpool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn url_hash(url: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    // fixed keys: the same URL hashes the same within the run
    let mut h = std::collections::hash_map::DefaultHasher::new();
    url.hash(&mut h);
    h.finish()
}

/// Takes the contributions of the pages in any order and writes the final
/// output in one order: records grouped by legacy id (else canonical URL)
/// and sorted by that key, the group's primary record chosen by (template
/// rank, record URL, page order), the group's URLs merged into its
/// `aliases`, then the error entries sorted by URL. Records are spooled to
/// a temporary file; in memory stay only their sort key, a hash of the
/// page URL and the spool offset (plus listings and error entries, which
/// are few and returned or written as they are).
struct Assembler {
    /// Of two pages with the same URL, keep only the later (`seq`) one.
    last_wins: bool,
    tmp: TempSpool,
    w: BufWriter<std::fs::File>,
    at: u64,
    members: Vec<Member>,
    listings: Vec<Listing>,
    errors: Vec<ErrorEntry>,
}

/// A page of a non-emitting template.
struct Listing {
    order: u64,
    seq: u64,
    url: String,
    template: String,
}

/// The error entry of an unmatched or failed page.
struct ErrorEntry {
    fetched_url: String,
    line: String,
    unmatched: bool,
    seq: u64,
    key_url: String,
}

impl Assembler {
    fn new(last_wins: bool) -> std::io::Result<Assembler> {
        let tmp = TempSpool::create()?;
        let w = BufWriter::new(tmp.file.try_clone()?);
        Ok(Assembler {
            last_wins,
            tmp,
            w,
            at: 0,
            members: Vec::new(),
            listings: Vec::new(),
            errors: Vec::new(),
        })
    }

    fn add(&mut self, c: Contribution) -> std::io::Result<()> {
        match c.what {
            Contributes::Listing { template } => self.listings.push(Listing {
                order: c.order,
                seq: c.seq,
                url: c.key_url,
                template,
            }),
            Contributes::Error { line, unmatched } => self.errors.push(ErrorEntry {
                fetched_url: c.fetched_url,
                line,
                unmatched,
                seq: c.seq,
                key_url: c.key_url,
            }),
            Contributes::Record { key, entry } => {
                self.w.write_all(&entry)?;
                self.members.push(Member {
                    key,
                    hash: url_hash(&c.key_url),
                    seq: c.seq,
                    at: self.at,
                    len: entry.len() as u64,
                });
                self.at += entry.len() as u64;
            }
        }
        Ok(())
    }

    fn read(&self, m: &Member, buf: &mut Vec<u8>) -> std::io::Result<Spooled> {
        let len = usize::try_from(m.len).map_err(|_| bad_spool("bad length"))?;
        buf.resize(len, 0);
        let mut file = &self.tmp.file;
        file.seek(SeekFrom::Start(m.at))?;
        file.read_exact(buf)?;
        Spooled::decode(buf)
    }

    /// Forgets every page whose `seq` lies in one of `ranges` (half-open):
    /// the records after a damaged one in the same file.
    fn drop_ranges(&mut self, ranges: &[std::ops::Range<u64>]) {
        if ranges.is_empty() {
            return;
        }
        let kept = |seq: &u64| !ranges.iter().any(|r| r.contains(seq));
        self.members.retain(|m| kept(&m.seq));
        self.listings.retain(|l| kept(&l.seq));
        self.errors.retain(|e| kept(&e.seq));
    }

    /// The `seq` of every page that a later page with the same URL replaces.
    /// Pages whose URL hash is unique cannot have been replaced; only pages
    /// sharing a hash (the same URL stored twice, or a hash collision) are
    /// compared by their URLs, read back from the spool.
    fn replaced(&self) -> std::io::Result<HashSet<u64>> {
        let mut hashes: Vec<u64> = self
            .members
            .iter()
            .map(|m| m.hash)
            .chain(self.listings.iter().map(|l| url_hash(&l.url)))
            .chain(self.errors.iter().map(|e| url_hash(&e.key_url)))
            .collect();
        hashes.sort_unstable();
        let shared: HashSet<u64> = hashes
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        drop(hashes);
        let mut pages: Vec<(String, u64)> = Vec::new();
        let mut buf = Vec::new();
        for m in self.members.iter().filter(|m| shared.contains(&m.hash)) {
            pages.push((self.read(m, &mut buf)?.key_url, m.seq));
        }
        for l in &self.listings {
            if shared.contains(&url_hash(&l.url)) {
                pages.push((l.url.clone(), l.seq));
            }
        }
        for e in &self.errors {
            if shared.contains(&url_hash(&e.key_url)) {
                pages.push((e.key_url.clone(), e.seq));
            }
        }
        let mut last: HashMap<&str, u64> = HashMap::new();
        for (url, seq) in &pages {
            let l = last.entry(url.as_str()).or_insert(*seq);
            *l = (*l).max(*seq);
        }
        Ok(pages
            .iter()
            .filter(|(url, seq)| last[url.as_str()] != *seq)
            .map(|(_, seq)| *seq)
            .collect())
    }

    fn finish(
        mut self,
        write: &mut dyn FnMut(&str) -> std::io::Result<()>,
    ) -> std::io::Result<Assembled> {
        self.w.flush()?;
        if self.last_wins {
            let gone = self.replaced()?;
            if !gone.is_empty() {
                self.members.retain(|m| !gone.contains(&m.seq));
                self.listings.retain(|l| !gone.contains(&l.seq));
                self.errors.retain(|e| !gone.contains(&e.seq));
            }
        }
        let mut out = Assembled {
            not_emitted: self.listings.len(),
            ..Assembled::default()
        };
        out.unmatched = self.errors.iter().filter(|e| e.unmatched).count();
        out.failed = self.errors.len() - out.unmatched;
        let mut members = std::mem::take(&mut self.members);
        // group order; the order inside a group is settled once it is read back
        members.sort_by(|a, b| a.key.cmp(&b.key));
        let mut buf = Vec::new();
        let mut i = 0;
        while i < members.len() {
            let mut j = i + 1;
            while j < members.len() && members[j].key == members[i].key {
                j += 1;
            }
            let mut group = members[i..j]
                .iter()
                .map(|m| self.read(m, &mut buf))
                .collect::<std::io::Result<Vec<Spooled>>>()?;
            // (template rank, url), ties in page order
            group.sort_by(|a, b| {
                (a.rank, &a.url, a.order, &a.key_url).cmp(&(b.rank, &b.url, b.order, &b.key_url))
            });
            out.merged += group.len() - 1;
            let mut aliases: Vec<String> = Vec::new();
            for m in group.iter_mut().skip(1) {
                aliases.append(&mut m.aliases);
            }
            let first = &mut group[0];
            aliases.append(&mut first.aliases);
            let mut primary: Value = serde_json::from_str(&first.line)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
            aliases.retain(|a| *a != first.url);
            aliases.sort();
            aliases.dedup();
            if let Some(obj) = primary.as_object_mut() {
                obj.insert(
                    "aliases".into(),
                    Value::Array(aliases.into_iter().map(Value::String).collect()),
                );
            }
            out.records += 1;
            write(&primary.to_string())?;
            i = j;
        }
        let mut errors: Vec<(String, String)> = self
            .errors
            .into_iter()
            .map(|e| (e.fetched_url, e.line))
            .collect();
        errors.sort();
        for (_, e) in errors {
            write(&e)?;
        }
        // page order
        self.listings
            .sort_by(|a, b| (a.order, &a.url).cmp(&(b.order, &b.url)));
        out.listings = self
            .listings
            .into_iter()
            .map(|l| (l.url, l.template))
            .collect();
        out.pages = out.records + out.merged + out.not_emitted + out.unmatched + out.failed;
        Ok(out)
    }
}

/// Each template's position in the profile: the primary record of a group
/// is the one of the earliest template.
fn template_ranks(profile: &Profile) -> HashMap<&str, usize> {
    profile
        .templates
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect()
}

/// [`assemble`], streaming: records are spooled to a temporary file as they
/// are extracted (only their sort keys stay in memory) and the final lines
/// are handed to `write` in order, so memory does not grow with the size of
/// the page text. The returned [`Assembled`] has no `lines`. Pages are
/// extracted on `pool` when given, else on the current rayon pool.
pub fn assemble_to(
    pages: &[StoredPage],
    profile: &Profile,
    spool: &HashMap<(String, String), Value>,
    pool: Option<&rayon::ThreadPool>,
    write: &mut dyn FnMut(&str) -> std::io::Result<()>,
) -> std::io::Result<Assembled> {
    let ranks = template_ranks(profile);
    let mut asm = Assembler::new(false)?;
    for (c, chunk) in pages.chunks(BATCH).enumerate() {
        let run = || -> Vec<Contribution> {
            chunk
                .par_iter()
                .enumerate()
                .map(|(k, p)| {
                    let cached = p
                        .digest
                        .as_ref()
                        .and_then(|d| spool.get(&(p.key_url.clone(), d.clone())));
                    let v = match cached {
                        Some(v) => v.clone(),
                        None => extract_stored(p, profile),
                    };
                    let order = (c * BATCH + k) as u64;
                    Contribution::new(
                        order,
                        order,
                        &p.key_url,
                        &p.fetched_url,
                        &p.aliases,
                        v,
                        &ranks,
                    )
                })
                .collect()
        };
        let contributions = match pool {
            Some(pool) => pool.install(run),
            None => run(),
        };
        for c in contributions {
            asm.add(c)?;
        }
    }
    asm.finish(write)
}

/// The pieces of WARC files waiting for a worker, each with its position in
/// the stream and its file (an index into the file list).
type ChunkQueue = Arc<Mutex<Receiver<(u64, usize, Chunk)>>>;

/// What the reader learned of one file: the `seq` numbers its chunks got,
/// and the error that ended it early, if one did.
struct FileRead {
    seqs: std::ops::Range<u64>,
    problem: Option<String>,
}

/// Sends the chunks of `files` in file order, numbered; returns for each
/// file its range of numbers and what ended it early.
fn read_chunks(files: &[PathBuf], tx: &SyncSender<(u64, usize, Chunk)>) -> Vec<FileRead> {
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
                            problem = Some(e.to_string());
                            break;
                        }
                    }
                }
            }
            Err(e) => problem = Some(e.to_string()),
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

/// Calls `each` with every `response` record of `files` that has a target
/// URI, in file order, with its file, until `each` returns false; returns
/// what could not be read (a file that does not open; a broken record ends
/// its file).
fn for_each_response(
    files: &[PathBuf],
    mut each: impl FnMut(&PathBuf, WarcRecord) -> bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    for f in files {
        let reader = match WarcReader::open(f) {
            Ok(r) => r,
            Err(e) => {
                problems.push(e.to_string());
                continue;
            }
        };
        for rec in reader {
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    problems.push(e.to_string());
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

/// Extract one `response` record if it is an HTML page (a 2xx response
/// whose HTTP head parses, HTML or untyped), as [`pages_from_warcs`] and
/// [`extract_stored`] do.
fn warc_contribution(
    seq: u64,
    rec: &WarcRecord,
    profile: &Profile,
    ranks: &HashMap<&str, usize>,
) -> Option<Contribution> {
    if rec.warc_type != "response" {
        return None;
    }
    let uri = rec.target_uri.as_deref()?;
    let http = rec.http_response().ok()?;
    if !(200..300).contains(&http.status) || !is_html(http.header("content-type")) {
        return None;
    }
    let v = match Url::parse(uri) {
        Ok(url) => {
            let page = Page {
                url: &url,
                bytes: &http.body,
                content_type: http.header("content-type"),
                url_source: "warc",
            };
            outcome_value(&extract_contained(&page, profile))
        }
        Err(_) => failure("store", format!("bad URL {uri}")),
    };
    Some(Contribution::new(0, seq, uri, uri, &[], v, ranks))
}

/// What a worker of [`assemble_warcs`] sends back for one chunk.
enum Worked {
    Page(Contribution),
    /// The chunk's member did not inflate into a record: its file ends here.
    Broken {
        seq: u64,
        problem: String,
    },
}

/// [`pages_from_warcs`] followed by [`assemble_to`], in one streaming pass:
/// one thread cuts the WARC files into compressed members (in order, see
/// [`ChunkReader`]) into a bounded queue, `threads` workers inflate them and
/// extract the HTML responses, and the calling thread spools the records.
/// Of several HTML responses for one URL, the last one wins. The output is
/// the same as that of the two-step path, whatever the thread count: as
/// there, a damaged record ends its file (the records before it are kept).
/// Memory does not grow with the page text, and each record is decompressed
/// once, on a worker. Returns the assembly and what could not be read.
pub fn assemble_warcs(
    files: &[PathBuf],
    profile: &Profile,
    threads: usize,
    write: &mut dyn FnMut(&str) -> std::io::Result<()>,
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
            s.spawn(move || loop {
                let next = match queue.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok((seq, file, chunk)) = next else { return };
                let worked = match chunk {
                    Chunk::Record(rec) => warc_contribution(seq, &rec, profile, ranks),
                    Chunk::Member { offset, bytes } => {
                        match inflate_member(&files[file], offset, &bytes) {
                            Ok(rec) => {
                                drop(bytes);
                                warc_contribution(seq, &rec, profile, ranks)
                            }
                            Err(e) => {
                                let problem = e.to_string();
                                if tx.send(Worked::Broken { seq, problem }).is_err() {
                                    return;
                                }
                                continue;
                            }
                        }
                    }
                };
                if let Some(c) = worked {
                    if tx.send(Worked::Page(c)).is_err() {
                        return;
                    }
                }
            });
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
                    if let Err(e) = asm.add(c) {
                        added = Err(e);
                        break;
                    }
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

/// The spool of records extracted during `run`: (page, digest) → outcome.
/// Only records made with the profile of `fingerprint` count; a torn last
/// line (a kill during a write) is ignored.
pub fn read_spool(path: &Path, fingerprint: &str) -> HashMap<(String, String), Value> {
    let mut map = HashMap::new();
    let Ok(text) = std::fs::read_to_string(path) else {
        return map;
    };
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if v.get("profile").and_then(Value::as_str) != Some(fingerprint) {
            continue;
        }
        let (Some(page), Some(digest)) = (
            v.get("page").and_then(Value::as_str),
            v.get("digest").and_then(Value::as_str),
        ) else {
            continue;
        };
        if let Some(o) = v.get("outcome") {
            map.insert((page.to_string(), digest.to_string()), o.clone());
        }
    }
    map
}
