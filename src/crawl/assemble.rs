//! The final output of a migration: one record per article (grouped by
//! legacy id, else canonical URL), with every alias seen, sorted by a stable
//! key, whatever order pages were fetched or extracted in. Used by
//! `extract --store`, `extract` over WARC files, and `run`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;
use url::Url;

use crate::check::outcome_value;
use crate::extract::{extract_contained, Page};
use crate::frontier::ledger::Ledger;
use crate::profile::Profile;
use crate::store::{WarcReader, WarcRecord};

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
pub fn pages_from_warcs(files: &[PathBuf]) -> (Vec<StoredPage>, Vec<String>) {
    let mut by_url: BTreeMap<String, StoredPage> = BTreeMap::new();
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
            if rec.warc_type != "response" {
                continue;
            }
            let Some(uri) = rec.target_uri.clone() else {
                continue;
            };
            let Ok(http) = rec.http_response() else {
                continue;
            };
            if !(200..300).contains(&http.status) || !is_html(http.header("content-type")) {
                continue;
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
        }
    }
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

/// Extract one stored page.
pub fn extract_stored(p: &StoredPage, profile: &Profile) -> Value {
    let fail = |kind: &str, message: String| serde_json::json!({ "error": { "kind": kind, "message": message, "template": null } });
    let rec = match read_record(&p.location) {
        Ok(r) => r,
        Err(e) => return fail("store", e),
    };
    let http = match rec.http_response() {
        Ok(h) => h,
        Err(e) => return fail("store", e.to_string()),
    };
    let Ok(url) = Url::parse(&p.fetched_url) else {
        return fail("store", format!("bad URL {}", p.fetched_url));
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

/// One record waiting for its group's turn: its sort data, the aliases it
/// contributes, and where its JSON line sits in the spool file.
struct Member {
    key: (u8, String),
    rank: usize,
    url: String,
    index: usize,
    aliases: Vec<String>,
    at: u64,
    len: usize,
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
            "sitelift-assemble-{}-{n}.jsonl",
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

/// [`assemble`], streaming: records are spooled to a temporary file as they
/// are extracted (only their sort keys and aliases stay in memory) and the
/// final lines are handed to `write` in order, so memory does not grow with
/// the size of the page text. The returned [`Assembled`] has no `lines`.
/// Pages are extracted on `pool` when given, else on the current rayon pool.
pub fn assemble_to(
    pages: &[StoredPage],
    profile: &Profile,
    spool: &HashMap<(String, String), Value>,
    pool: Option<&rayon::ThreadPool>,
    write: &mut dyn FnMut(&str) -> std::io::Result<()>,
) -> std::io::Result<Assembled> {
    use std::io::{BufWriter, Read, Seek, SeekFrom, Write};

    let template_rank: HashMap<&str, usize> = profile
        .templates
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect();
    let tmp = TempSpool::create()?;
    let mut w = BufWriter::new(&tmp.file);
    let mut at = 0u64;
    let mut members: Vec<Member> = Vec::new();
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut out = Assembled::default();
    for (c, chunk) in pages.chunks(BATCH).enumerate() {
        let run = || -> Vec<Value> {
            chunk
                .par_iter()
                .map(|p| {
                    if let Some(d) = &p.digest {
                        if let Some(v) = spool.get(&(p.key_url.clone(), d.clone())) {
                            return v.clone();
                        }
                    }
                    extract_stored(p, profile)
                })
                .collect()
        };
        let outcomes = match pool {
            Some(pool) => pool.install(run),
            None => run(),
        };
        for (k, (v, p)) in outcomes.into_iter().zip(chunk).enumerate() {
            if let Some(ne) = v.get("not_emitted") {
                out.not_emitted += 1;
                let template = ne.get("template").and_then(Value::as_str).unwrap_or("");
                out.listings.push((p.key_url.clone(), template.to_string()));
                continue;
            }
            if v.get("unmatched").is_some() || v.get("error").is_some() {
                if v.get("unmatched").is_some() {
                    out.unmatched += 1;
                } else {
                    out.failed += 1;
                }
                let mut entry = serde_json::Map::new();
                let err = v.get("error").cloned().unwrap_or_else(|| {
                    serde_json::json!({ "kind": "unmatched", "message": crate::extract::UNMATCHED_MESSAGE })
                });
                entry.insert("error".into(), err);
                entry.insert("url".into(), Value::String(p.fetched_url.clone()));
                errors.push((p.fetched_url.clone(), Value::Object(entry).to_string()));
                continue;
            }
            let key = match v.get("legacy_id").and_then(Value::as_str) {
                Some(id) => sort_key(id),
                None => (
                    2,
                    v.get("canonical_url")
                        .and_then(Value::as_str)
                        .unwrap_or(&p.key_url)
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
            let mut aliases: Vec<String> = p.aliases.clone();
            aliases.push(p.key_url.clone());
            aliases.push(p.fetched_url.clone());
            for k in ["url", "canonical_url"] {
                if let Some(s) = v.get(k).and_then(Value::as_str) {
                    aliases.push(s.to_string());
                }
            }
            if let Some(a) = v.get("aliases").and_then(Value::as_array) {
                aliases.extend(a.iter().filter_map(Value::as_str).map(str::to_string));
            }
            let line = v.to_string();
            w.write_all(line.as_bytes())?;
            members.push(Member {
                key,
                rank,
                url,
                index: c * BATCH + k,
                aliases,
                at,
                len: line.len(),
            });
            at += line.len() as u64;
        }
    }
    w.flush()?;
    drop(w);
    // group order, then (template rank, url) within a group, ties in page order
    members
        .sort_by(|a, b| (&a.key, a.rank, &a.url, a.index).cmp(&(&b.key, b.rank, &b.url, b.index)));
    let mut file = &tmp.file;
    let mut buf = Vec::new();
    let mut i = 0;
    while i < members.len() {
        let mut j = i + 1;
        while j < members.len() && members[j].key == members[i].key {
            j += 1;
        }
        let group = &mut members[i..j];
        out.merged += group.len() - 1;
        let mut aliases: Vec<String> = Vec::new();
        for m in group.iter_mut() {
            aliases.append(&mut m.aliases);
        }
        let first = &group[0];
        buf.resize(first.len, 0);
        file.seek(SeekFrom::Start(first.at))?;
        file.read_exact(&mut buf)?;
        let mut primary: Value = serde_json::from_slice(&buf)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        let own = first.url.clone();
        aliases.retain(|a| *a != own);
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
    errors.sort();
    for (_, e) in errors {
        write(&e)?;
    }
    Ok(out)
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
