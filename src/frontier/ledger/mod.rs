//! The ledger: every URL a crawl has seen, what happened to it and why.
//!
//! An embedded SQLite database (`ledger.sqlite` in the store directory) is
//! what makes a crawl resumable after `kill -9` and a migration auditable:
//! one row per canonical URL with its status, reason, attempts, depth, the
//! page it was found on and where its bytes are in the WARC files, plus the
//! aliases (redirects, canonical links, same legacy id) that point at it.
//! Each URL is a page (parsed for links and records) or a media asset of a
//! record ([`UrlKind`]). Writes come in batches, one transaction each, so a crash never leaves a
//! half-applied batch and thousands of discoveries cost one fsync.

mod apply;
mod query;
#[cfg(test)]
mod tests;
mod types;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

pub use query::KindCount;
pub use types::{AliasHow, ApplyResult, Claimed, Row, Status, Update, UrlKind, WarcRef};

/// File name of the ledger inside the store directory.
pub const LEDGER_FILE: &str = "ledger.sqlite";
/// Schema version stored in `PRAGMA user_version`. Version 1 had no
/// `kind` column: [`Ledger::open`] adds it (every row a page), and a
/// read-only open sees version-1 rows as pages without changing the file.
pub const SCHEMA_VERSION: i64 = 2;

const SCHEMA: &str = "
CREATE TABLE urls (
    id           INTEGER PRIMARY KEY,
    url          TEXT    NOT NULL UNIQUE,
    status       TEXT    NOT NULL
                 CHECK (status IN ('queued','in_flight','fetched','failed','skipped')),
    reason       TEXT,
    detail       TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    depth        INTEGER NOT NULL,
    found_on     TEXT,
    final_url    TEXT,
    http_status  INTEGER,
    content_type TEXT,
    warc_file    TEXT,
    warc_offset  INTEGER,
    warc_length  INTEGER,
    digest       TEXT,
    discovered   INTEGER NOT NULL,
    updated      INTEGER NOT NULL,
    kind         TEXT    NOT NULL DEFAULT 'page' CHECK (kind IN ('page','media'))
);
CREATE INDEX urls_by_status ON urls (status, depth, discovered);
CREATE TABLE aliases (
    alias     TEXT    PRIMARY KEY,
    canonical TEXT    NOT NULL,
    how       TEXT    NOT NULL,
    added     INTEGER NOT NULL
);
CREATE INDEX aliases_by_canonical ON aliases (canonical, added);
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
";

/// From version 1 to 2: the kind of every URL (all were pages).
const MIGRATE_1_TO_2: &str = "
ALTER TABLE urls ADD COLUMN kind TEXT NOT NULL DEFAULT 'page' CHECK (kind IN ('page','media'));
";

/// A version-1 ledger opened read-only: its rows seen with their kind
/// (pages), through a view in the connection's own temporary schema, which
/// is searched before the file's and leaves the file as it is.
const VIEW_OF_VERSION_1: &str = "CREATE TEMP VIEW urls AS SELECT *, 'page' AS kind FROM main.urls;";

pub(super) const ROW_COLUMNS: &str =
    "id, url, status, reason, detail, attempts, depth, found_on, final_url, \
     http_status, content_type, warc_file, warc_offset, warc_length, digest, discovered, updated, \
     kind";

/// Errors of the ledger.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The store directory could not be created.
    #[error("cannot create the ledger directory {path}")]
    Io {
        /// The directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An SQLite error, with what we were doing.
    #[error("ledger {path}: {op}")]
    Sqlite {
        /// The ledger file.
        path: PathBuf,
        /// The operation ("open", "apply Fetched", "claim", ...).
        op: &'static str,
        /// The underlying error.
        source: rusqlite::Error,
    },
    /// An update names a URL the ledger has never discovered; the whole
    /// batch was rolled back.
    #[error("{update} for unknown URL {url} (batch rolled back)")]
    UnknownUrl {
        /// The kind of update.
        update: &'static str,
        /// The URL.
        url: String,
    },
    /// The file was written by a newer sitelift.
    #[error("ledger {path} has schema version {found}; this build supports up to {supported}")]
    UnsupportedSchema {
        /// The ledger file.
        path: PathBuf,
        /// Version found in the file.
        found: i64,
        /// Newest version this build knows.
        supported: i64,
    },
    /// A status string that is not one of [`Status`].
    #[error("unknown URL status {0:?}")]
    UnknownStatus(String),
    /// A URL kind that is not one of [`UrlKind`].
    #[error("unknown URL kind {0:?}")]
    UnknownKind(String),
    /// An alias kind that is not one of [`AliasHow`].
    #[error("unknown alias kind {0:?}")]
    UnknownAliasHow(String),
}

/// The schema version of an open ledger, refused when a newer sitelift wrote it.
fn schema_version(conn: &Connection, path: &Path) -> Result<i64, LedgerError> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|source| LedgerError::Sqlite {
            path: path.to_path_buf(),
            op: "user_version",
            source,
        })?;
    if version > SCHEMA_VERSION {
        return Err(LedgerError::UnsupportedSchema {
            path: path.to_path_buf(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(version)
}

/// The crawl ledger (one SQLite connection).
#[derive(Debug)]
pub struct Ledger {
    conn: Connection,
    path: PathBuf,
    /// Last order number handed out (discovered / updated columns).
    seq: i64,
    requeued_on_open: usize,
}

impl Ledger {
    /// Opens or creates `store_dir/ledger.sqlite` (WAL, synchronous=NORMAL)
    /// and turns every `in_flight` URL back into `queued`, as after a crash;
    /// [`Ledger::requeued_on_open`] tells how many.
    pub fn open(store_dir: &Path) -> Result<Ledger, LedgerError> {
        std::fs::create_dir_all(store_dir).map_err(|source| LedgerError::Io {
            path: store_dir.to_path_buf(),
            source,
        })?;
        let path = store_dir.join(LEDGER_FILE);
        let err = |op| {
            let path = path.clone();
            move |source| LedgerError::Sqlite { path, op, source }
        };
        let mut conn = Connection::open(&path).map_err(err("open"))?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(err("busy_timeout"))?;
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
            .map_err(err("journal_mode"))?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err("synchronous"))?;
        conn.set_prepared_statement_cache_capacity(32);
        let version = schema_version(&conn, &path)?;
        if version == 0 {
            let tx = conn.transaction().map_err(err("create schema"))?;
            tx.execute_batch(SCHEMA).map_err(err("create schema"))?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(err("create schema"))?;
            tx.commit().map_err(err("create schema"))?;
        } else if version == 1 {
            let tx = conn.transaction().map_err(err("migrate schema 1 to 2"))?;
            tx.execute_batch(MIGRATE_1_TO_2)
                .map_err(err("migrate schema 1 to 2"))?;
            tx.pragma_update(None, "user_version", 2)
                .map_err(err("migrate schema 1 to 2"))?;
            tx.commit().map_err(err("migrate schema 1 to 2"))?;
        }
        let mut seq: i64 = conn
            .query_row("SELECT COALESCE(MAX(updated), 0) FROM urls", [], |r| {
                r.get(0)
            })
            .map_err(err("read order"))?;
        seq += 1;
        let requeued_on_open = conn
            .execute(
                "UPDATE urls SET status = 'queued', updated = ?1 WHERE status = 'in_flight'",
                [seq],
            )
            .map_err(err("requeue in_flight"))?;
        Ok(Ledger {
            conn,
            path,
            seq,
            requeued_on_open,
        })
    }

    /// Opens `store_dir/ledger.sqlite` to read only: nothing in the file
    /// changes (in-flight URLs stay in flight), so a reader (`status`,
    /// `extract --store`) may look at a store while a crawl writes it.
    pub fn open_read_only(store_dir: &Path) -> Result<Ledger, LedgerError> {
        let path = store_dir.join(LEDGER_FILE);
        let err = |op| {
            let path = path.clone();
            move |source| LedgerError::Sqlite { path, op, source }
        };
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags).map_err(err("open"))?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(err("busy_timeout"))?;
        conn.set_prepared_statement_cache_capacity(32);
        let version = schema_version(&conn, &path)?;
        if version == 1 {
            conn.execute_batch(VIEW_OF_VERSION_1)
                .map_err(err("read schema 1"))?;
        }
        Ok(Ledger {
            conn,
            path,
            seq: 0,
            requeued_on_open: 0,
        })
    }

    /// How many `in_flight` URLs [`Ledger::open`] turned back into `queued`.
    pub fn requeued_on_open(&self) -> usize {
        self.requeued_on_open
    }

    /// The ledger file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, op: &'static str) -> impl FnOnce(rusqlite::Error) -> LedgerError + '_ {
        move |source| LedgerError::Sqlite {
            path: self.path.clone(),
            op,
            source,
        }
    }
}
