//! The page store: raw HTTP exchanges kept in WARC/1.1 files.
//!
//! Every page sitelift fetches is written here before anything is extracted
//! from it, one gzip member per record, so that extraction can be re-run
//! offline after a selector change and every standard web-archive tool
//! (warcio, pywb, wget) can read what we kept. The writer repairs the torn
//! tail a `kill -9` leaves behind; the reader copes with files written by
//! other tools and with damaged input without panicking.

mod http;
pub mod lock;
mod member;
mod reader;
mod warc;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

pub use http::HttpResponse;
pub use lock::{writer_at_work, LockError, StoreLock};
pub use member::{inflate_member, Chunk, ChunkReader};
pub use reader::{read_at, WarcReader, WarcRecord};
pub use warc::{prepare_exchange, Exchange, PreparedExchange, WarcLocation, WarcWriter};

/// Largest record block (and largest decoded HTTP body) the store will hold
/// in memory: 64 MiB. A record that claims more is reported as an error
/// instead of being read.
pub const MAX_BLOCK_BYTES: u64 = 64 * 1024 * 1024;

/// Everything that can go wrong while writing or reading WARC files.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An operating-system error on a file or directory.
    #[error("{op} {path}")]
    Io {
        /// What we were doing ("open", "write", "truncate", ...).
        op: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file ends in the middle of a gzip member or a record.
    #[error("{path}: truncated record at offset {offset}: {detail}")]
    Truncated {
        /// The WARC file.
        path: PathBuf,
        /// Offset (in the file) of the record or member that is cut short.
        offset: u64,
        /// What exactly was missing.
        detail: String,
    },
    /// The bytes at this offset are not a WARC record (or not valid gzip).
    #[error("{path}: malformed record at offset {offset}: {detail}")]
    Malformed {
        /// The WARC file.
        path: PathBuf,
        /// Offset of the record or member.
        offset: u64,
        /// What is wrong with it.
        detail: String,
    },
    /// A record declares a block larger than [`MAX_BLOCK_BYTES`].
    #[error("{path}: record at offset {offset} is {size} bytes, over the {cap}-byte cap")]
    TooLarge {
        /// The WARC file.
        path: PathBuf,
        /// Offset of the record.
        offset: u64,
        /// Declared or decoded size.
        size: u64,
        /// The cap in force.
        cap: u64,
    },
    /// The target URI of an exchange cannot be parsed.
    #[error("invalid target URI {uri:?}: {detail}")]
    InvalidUri {
        /// The URI as given.
        uri: String,
        /// Why it was rejected.
        detail: String,
    },
    /// A [`WarcLocation`] names a file outside the store directory.
    #[error("invalid WARC file name {file:?} in location")]
    BadLocation {
        /// The offending file name.
        file: String,
    },
    /// The HTTP message inside a record cannot be parsed or decoded.
    #[error("record {record}: bad HTTP message: {detail}")]
    Http {
        /// Record id or target URI, to find the record again.
        record: String,
        /// What is wrong.
        detail: String,
    },
}

impl StoreError {
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Io {
            op,
            path: path.into(),
            source,
        }
    }
}

/// Case-insensitive lookup of the first header called `name`.
pub(crate) fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}
