//! The assembly's spool: a temporary file that holds each record until its
//! group's turn, so memory does not grow with the page text. An entry is
//! what places a record in its group (template rank, page order, URLs), the
//! URLs it adds to the group's aliases, and the record itself (its JSON,
//! written and read back through the typed [`Record`]).

use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

use crate::record::Record;

/// A record's entry in the spool file.
pub(super) struct Spooled {
    /// Position of the record's template in the profile.
    pub rank: u64,
    /// Page order.
    pub order: u64,
    /// The record's URL.
    pub url: String,
    /// The page's key URL (ledger key or record target URI).
    pub key_url: String,
    /// The URLs the page adds to its group's aliases.
    pub aliases: Vec<String>,
    /// The record, as JSON.
    pub record: String,
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

pub(super) fn bad_spool(what: &str) -> std::io::Error {
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
    /// The bytes of an entry for `record`.
    pub fn encode(
        rank: usize,
        order: u64,
        key_url: &str,
        aliases: &[String],
        record: &Record,
    ) -> std::io::Result<Vec<u8>> {
        let json = serde_json::to_string(record).map_err(std::io::Error::other)?;
        let mut out = Vec::with_capacity(json.len() + 256);
        out.extend_from_slice(&(rank as u64).to_le_bytes());
        out.extend_from_slice(&order.to_le_bytes());
        put_str(&mut out, &record.url);
        put_str(&mut out, key_url);
        out.extend_from_slice(&(aliases.len() as u64).to_le_bytes());
        for a in aliases {
            put_str(&mut out, a);
        }
        put_str(&mut out, &json);
        Ok(out)
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
        let record = f.string()?;
        Ok(Spooled {
            rank,
            order,
            url,
            key_url,
            aliases,
            record,
        })
    }

    /// The record of the entry.
    pub fn record(&self) -> std::io::Result<Record> {
        serde_json::from_str(&self.record).map_err(|e| bad_spool(&e.to_string()))
    }
}

/// A temporary file, removed when dropped.
pub(super) struct TempSpool {
    path: PathBuf,
    /// The open file (read and write).
    pub file: std::fs::File,
}

impl TempSpool {
    /// A new, empty spool in the temporary folder.
    pub fn create() -> std::io::Result<TempSpool> {
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

    /// The entry at `at`, `len` bytes long; `buf` is reused.
    pub fn read(&self, at: u64, len: u64, buf: &mut Vec<u8>) -> std::io::Result<Spooled> {
        let len = usize::try_from(len).map_err(|_| bad_spool("bad length"))?;
        buf.resize(len, 0);
        let mut file = &self.file;
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(buf)?;
        Spooled::decode(buf)
    }
}

impl Drop for TempSpool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
