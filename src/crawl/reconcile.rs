//! Pages already in the WARC files whose links were not yet queued when the
//! previous run died. A page is marked fetched in the ledger only after its
//! links are queued; until then it is noted here (`pending.jsonl`, flushed
//! before every ledger batch). On the next start these pages are parsed
//! again from the store instead of being fetched a second time, so a kill
//! costs neither a link nor a duplicate request.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::store::{read_at, WarcLocation};

/// Name of the log in a store.
pub const PENDING: &str = "pending.jsonl";

/// A stored page waiting for its links to be queued.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    /// Canonical URL (the ledger key).
    pub url: String,
    /// The URL the bytes came from.
    pub fetched_url: String,
    /// Link depth.
    pub depth: u32,
    /// Payload digest.
    pub digest: String,
    /// HTTP status.
    pub status: u16,
    /// Response `Content-Type`.
    pub content_type: Option<String>,
    /// WARC file, relative to the store; empty in the note written just
    /// before the record (the record is then found by URL and digest).
    pub file: String,
    /// Offset of the response record.
    pub offset: u64,
    /// Length of its gzip member.
    pub length: u64,
    /// The URL that was asked for, when a redirect led to `url` (canonical
    /// form), and the canonical URLs of the hops in between: a kill before
    /// the ledger hears of the redirect leaves only the asked-for URL
    /// waiting, and recovery must apply the redirect itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirected_from: Option<String>,
    /// See `redirected_from`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hops: Vec<String>,
}

/// The append-only log of pending pages.
pub struct PendingLog {
    w: BufWriter<File>,
    path: PathBuf,
}

impl PendingLog {
    /// Open (create) the log of `store` for appending.
    pub fn open(store: &Path) -> std::io::Result<PendingLog> {
        let path = store.join(PENDING);
        let f = OpenOptions::new().create(true).append(true).open(&path)?;
        Ok(PendingLog {
            w: BufWriter::new(f),
            path,
        })
    }

    /// Note a stored page whose links are not queued yet. Written through at
    /// once: the note must not lag behind the WARC record it points to.
    pub fn note(&mut self, p: &Pending) -> std::io::Result<()> {
        let mut line = serde_json::to_string(p).map_err(std::io::Error::other)?;
        line.push('\n');
        self.w.write_all(line.as_bytes())?;
        self.w.flush()
    }

    /// Empty the log (every page is settled).
    pub fn clear(&mut self) -> std::io::Result<()> {
        self.w.flush()?;
        self.w.get_ref().set_len(0)
    }

    /// Make the notes durable enough to precede the ledger batch that follows.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }

    /// Where the log is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Read the pending notes of the previous runs (a torn last line is
/// ignored). The log is emptied only when a crawl finishes, so a kill during
/// recovery loses nothing.
pub fn read(store: &Path) -> std::io::Result<Vec<Pending>> {
    let path = store.join(PENDING);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

/// Find the record of a note written before its WARC record: the newest
/// response for its URL with its digest, in the two newest WARC files (a
/// run writes to a new file, so the record can only be there). Fills in
/// the location; false when the record never made it to disk.
pub fn locate(store: &Path, p: &mut Pending) -> bool {
    let dir = store.join(super::WARC_DIR);
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return false;
    };
    let mut files: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    for f in files.iter().rev().take(2) {
        let Ok(mut reader) = crate::store::WarcReader::open(f) else {
            continue;
        };
        let mut found = None;
        while let Some(Ok(rec)) = reader.next() {
            if rec.warc_type == "response"
                && rec.target_uri.as_deref() == Some(p.fetched_url.as_str())
                && rec.header("WARC-Payload-Digest") == Some(p.digest.as_str())
            {
                found = Some((rec.offset, reader.good_end() - rec.offset));
            }
        }
        if let (Some((offset, length)), Some(name)) = (found, f.file_name()) {
            p.file = format!("{}/{}", super::WARC_DIR, name.to_string_lossy());
            p.offset = offset;
            p.length = length;
            return true;
        }
    }
    false
}

/// The decoded body of a pending page, read back from the store.
pub fn body(store: &Path, p: &Pending) -> Result<Vec<u8>, String> {
    // ledger locations are relative to the store ("warc/NAME"); the reader takes a bare name in its folder
    let path = store.join(&p.file);
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(format!("bad WARC location {}", p.file));
    };
    let loc = WarcLocation {
        file: name.to_string_lossy().to_string(),
        offset: p.offset,
        length: p.length,
    };
    let rec = read_at(dir, &loc).map_err(|e| crate::text::error_chain(&e))?;
    rec.http_response()
        .map(|h| h.body)
        .map_err(|e| crate::text::error_chain(&e))
}
