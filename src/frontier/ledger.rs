//! The ledger: every URL a crawl has seen, what happened to it and why.
//!
//! An embedded SQLite database (`ledger.sqlite` in the store directory) is
//! what makes a crawl resumable after `kill -9` and a migration auditable:
//! one row per canonical URL with its status, reason, attempts, depth, the
//! page it was found on and where its bytes are in the WARC files, plus the
//! aliases (redirects, canonical links, same legacy id) that point at it.
//! Writes come in batches, one transaction each, so a crash never leaves a
//! half-applied batch and thousands of discoveries cost one fsync.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use rusqlite::types::Type;
use rusqlite::{params, Connection, OptionalExtension};

/// File name of the ledger inside the store directory.
pub const LEDGER_FILE: &str = "ledger.sqlite";
/// Schema version stored in `PRAGMA user_version`.
pub const SCHEMA_VERSION: i64 = 1;

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
    updated      INTEGER NOT NULL
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

const ROW_COLUMNS: &str = "id, url, status, reason, detail, attempts, depth, found_on, final_url, \
     http_status, content_type, warc_file, warc_offset, warc_length, digest, discovered, updated";

/// Errors of the ledger.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The store directory could not be created.
    #[error("create ledger directory {path}: {source}")]
    Io {
        /// The directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An SQLite error, with what we were doing.
    #[error("ledger {path}: {op}: {source}")]
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
    /// An alias kind that is not one of [`AliasHow`].
    #[error("unknown alias kind {0:?}")]
    UnknownAliasHow(String),
}

/// Where a URL is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Waiting to be fetched.
    Queued,
    /// Handed to a fetcher (turned back into `Queued` when the ledger is reopened).
    InFlight,
    /// Fetched and stored.
    Fetched,
    /// Gave up on it; `reason` says why.
    Failed,
    /// Deliberately not fetched; `reason` says why.
    Skipped,
}

impl Status {
    /// Every status, in lifecycle order.
    pub const ALL: [Status; 5] = [
        Status::Queued,
        Status::InFlight,
        Status::Fetched,
        Status::Failed,
        Status::Skipped,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::InFlight => "in_flight",
            Status::Fetched => "fetched",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
        }
    }
}

impl FromStr for Status {
    type Err = LedgerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| LedgerError::UnknownStatus(s.to_string()))
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an alias URL was found to mean the same page as its canonical URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AliasHow {
    /// The alias redirected to the canonical URL.
    Redirect,
    /// The canonical page declared it with `<link rel="canonical">`.
    CanonicalLink,
    /// Both URLs carry the same legacy article id.
    SameLegacyId,
    /// A spelling variant (scheme, `www.`, `/en/`, ...).
    Variant,
}

impl AliasHow {
    /// Every kind of alias.
    pub const ALL: [AliasHow; 4] = [
        AliasHow::Redirect,
        AliasHow::CanonicalLink,
        AliasHow::SameLegacyId,
        AliasHow::Variant,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            AliasHow::Redirect => "redirect",
            AliasHow::CanonicalLink => "canonical_link",
            AliasHow::SameLegacyId => "same_legacy_id",
            AliasHow::Variant => "variant",
        }
    }
}

impl FromStr for AliasHow {
    type Err = LedgerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AliasHow::ALL
            .into_iter()
            .find(|h| h.as_str() == s)
            .ok_or_else(|| LedgerError::UnknownAliasHow(s.to_string()))
    }
}

impl fmt::Display for AliasHow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a fetched page's response record is (mirrors the store's location).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WarcRef {
    /// WARC file name, relative to the store directory.
    pub file: String,
    /// Offset of the record's gzip member.
    pub offset: u64,
    /// Compressed length of that member.
    pub length: u64,
}

/// One change to the ledger; see [`Ledger::apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// A URL was seen; inserted as `queued` if new, otherwise nothing changes.
    Discover {
        /// Canonical URL.
        url: String,
        /// Link depth from the seeds.
        depth: u32,
        /// The page it was first seen on (`None` for seeds).
        found_on: Option<String>,
    },
    /// The URL was fetched and stored.
    Fetched {
        /// Canonical URL.
        url: String,
        /// Where redirects ended, if elsewhere.
        final_url: Option<String>,
        /// Final HTTP status.
        http_status: u16,
        /// Response `Content-Type`.
        content_type: Option<String>,
        /// The response record in the WARC files.
        warc: Option<WarcRef>,
        /// Payload digest (`sha1:...`).
        digest: Option<String>,
    },
    /// Gave up on the URL.
    Failed {
        /// Canonical URL.
        url: String,
        /// Short code: `http_404`, `timeout`, `connection`, `too_large`, ...
        reason: String,
        /// Free text.
        detail: String,
        /// Attempts made so far.
        attempts: u32,
    },
    /// Decided not to fetch the URL.
    Skipped {
        /// Canonical URL.
        url: String,
        /// Short code: `robots`, `out_of_scope`, `too_deep`, `content_type`, ...
        reason: String,
        /// Free text.
        detail: String,
    },
    /// Put the URL back in the queue (e.g. after a retryable error).
    Requeue {
        /// Canonical URL.
        url: String,
        /// Attempts made so far.
        attempts: u32,
        /// Why it is being retried.
        reason: String,
    },
    /// `alias` is another URL of the page `canonical`. The first alias
    /// recorded for a URL wins; an alias equal to its canonical is ignored.
    Alias {
        /// The other URL.
        alias: String,
        /// The canonical URL.
        canonical: String,
        /// How we know.
        how: AliasHow,
    },
}

impl Update {
    fn kind(&self) -> &'static str {
        match self {
            Update::Discover { .. } => "Discover",
            Update::Fetched { .. } => "Fetched",
            Update::Failed { .. } => "Failed",
            Update::Skipped { .. } => "Skipped",
            Update::Requeue { .. } => "Requeue",
            Update::Alias { .. } => "Alias",
        }
    }
}

/// What one [`Ledger::apply`] batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyResult {
    /// Indices (into the batch) of the `Discover` updates that inserted a new URL.
    pub new: Vec<usize>,
    /// How many aliases were added.
    pub aliases_added: usize,
}

impl ApplyResult {
    /// Whether update `index` of the batch discovered a new URL.
    pub fn is_new(&self, index: usize) -> bool {
        self.new.binary_search(&index).is_ok()
    }
}

/// A URL handed out by [`Ledger::claim`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// Row id.
    pub id: i64,
    /// Canonical URL.
    pub url: String,
    /// Link depth.
    pub depth: u32,
    /// Attempts made before this one.
    pub attempts: u32,
}

/// Everything the ledger knows about one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Row id.
    pub id: i64,
    /// Canonical URL.
    pub url: String,
    /// Current status.
    pub status: Status,
    /// Short reason code for the status, if any.
    pub reason: Option<String>,
    /// Free-text detail.
    pub detail: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// Link depth.
    pub depth: u32,
    /// Page it was first seen on.
    pub found_on: Option<String>,
    /// Where redirects ended.
    pub final_url: Option<String>,
    /// Final HTTP status.
    pub http_status: Option<u16>,
    /// Response `Content-Type`.
    pub content_type: Option<String>,
    /// The response record in the WARC files.
    pub warc: Option<WarcRef>,
    /// Payload digest.
    pub digest: Option<String>,
    /// Discovery order (monotonic across runs).
    pub discovered: i64,
    /// Order of the last change (monotonic across runs).
    pub updated: i64,
}

fn status_col(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Status> {
    let text: String = row.get(idx)?;
    text.parse()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

fn map_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let warc_file: Option<String> = r.get(11)?;
    let warc_offset: Option<u64> = r.get(12)?;
    let warc_length: Option<u64> = r.get(13)?;
    let warc = match (warc_file, warc_offset, warc_length) {
        (Some(file), Some(offset), Some(length)) => Some(WarcRef {
            file,
            offset,
            length,
        }),
        _ => None,
    };
    Ok(Row {
        id: r.get(0)?,
        url: r.get(1)?,
        status: status_col(r, 2)?,
        reason: r.get(3)?,
        detail: r.get(4)?,
        attempts: r.get(5)?,
        depth: r.get(6)?,
        found_on: r.get(7)?,
        final_url: r.get(8)?,
        http_status: r.get(9)?,
        content_type: r.get(10)?,
        warc,
        digest: r.get(14)?,
        discovered: r.get(15)?,
        updated: r.get(16)?,
    })
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
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(err("user_version"))?;
        if version > SCHEMA_VERSION {
            return Err(LedgerError::UnsupportedSchema {
                path,
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        if version == 0 {
            let tx = conn.transaction().map_err(err("create schema"))?;
            tx.execute_batch(SCHEMA).map_err(err("create schema"))?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(err("create schema"))?;
            tx.commit().map_err(err("create schema"))?;
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

    /// Applies a batch of updates in one transaction: either all of them
    /// take effect or (on any error, such as an update for a URL never
    /// discovered) none does.
    pub fn apply(&mut self, updates: &[Update]) -> Result<ApplyResult, LedgerError> {
        let path = &self.path;
        let err = |op: &'static str| {
            move |source| LedgerError::Sqlite {
                path: path.clone(),
                op,
                source,
            }
        };
        let mut seq = self.seq;
        let mut result = ApplyResult::default();
        let tx = self.conn.transaction().map_err(err("begin"))?;
        for (index, update) in updates.iter().enumerate() {
            seq += 1;
            let op = update.kind();
            let changed = match update {
                Update::Discover {
                    url,
                    depth,
                    found_on,
                } => {
                    let n = tx
                        .prepare_cached(
                            "INSERT INTO urls (url, status, attempts, depth, found_on, discovered, updated)
                             VALUES (?1, 'queued', 0, ?2, ?3, ?4, ?4) ON CONFLICT (url) DO NOTHING",
                        )
                        .and_then(|mut s| s.execute(params![url, depth, found_on, seq]))
                        .map_err(err("apply Discover"))?;
                    if n > 0 {
                        result.new.push(index);
                    }
                    continue;
                }
                Update::Fetched {
                    url,
                    final_url,
                    http_status,
                    content_type,
                    warc,
                    digest,
                } => tx
                    .prepare_cached(
                        "UPDATE urls SET status = 'fetched', reason = NULL, detail = NULL,
                         final_url = ?2, http_status = ?3, content_type = ?4, warc_file = ?5,
                         warc_offset = ?6, warc_length = ?7, digest = ?8, updated = ?9
                         WHERE url = ?1",
                    )
                    .and_then(|mut s| {
                        s.execute(params![
                            url,
                            final_url,
                            http_status,
                            content_type,
                            warc.as_ref().map(|w| &w.file),
                            warc.as_ref().map(|w| w.offset),
                            warc.as_ref().map(|w| w.length),
                            digest,
                            seq
                        ])
                    })
                    .map_err(err("apply Fetched"))?,
                Update::Failed {
                    url,
                    reason,
                    detail,
                    attempts,
                } => tx
                    .prepare_cached(
                        "UPDATE urls SET status = 'failed', reason = ?2, detail = ?3,
                         attempts = ?4, updated = ?5 WHERE url = ?1",
                    )
                    .and_then(|mut s| s.execute(params![url, reason, detail, attempts, seq]))
                    .map_err(err("apply Failed"))?,
                Update::Skipped {
                    url,
                    reason,
                    detail,
                } => tx
                    .prepare_cached(
                        "UPDATE urls SET status = 'skipped', reason = ?2, detail = ?3,
                         updated = ?4 WHERE url = ?1",
                    )
                    .and_then(|mut s| s.execute(params![url, reason, detail, seq]))
                    .map_err(err("apply Skipped"))?,
                Update::Requeue {
                    url,
                    attempts,
                    reason,
                } => tx
                    .prepare_cached(
                        "UPDATE urls SET status = 'queued', attempts = ?2, reason = ?3,
                         updated = ?4 WHERE url = ?1",
                    )
                    .and_then(|mut s| s.execute(params![url, attempts, reason, seq]))
                    .map_err(err("apply Requeue"))?,
                Update::Alias {
                    alias,
                    canonical,
                    how,
                } => {
                    if alias != canonical {
                        result.aliases_added += tx
                            .prepare_cached(
                                "INSERT INTO aliases (alias, canonical, how, added)
                                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (alias) DO NOTHING",
                            )
                            .and_then(|mut s| {
                                s.execute(params![alias, canonical, how.as_str(), seq])
                            })
                            .map_err(err("apply Alias"))?;
                    }
                    continue;
                }
            };
            if changed == 0 {
                let url = match update {
                    Update::Fetched { url, .. }
                    | Update::Failed { url, .. }
                    | Update::Skipped { url, .. }
                    | Update::Requeue { url, .. }
                    | Update::Discover { url, .. } => url.clone(),
                    Update::Alias { alias, .. } => alias.clone(),
                };
                // Dropping `tx` rolls the whole batch back.
                return Err(LedgerError::UnknownUrl { update: op, url });
            }
        }
        tx.commit().map_err(err("commit"))?;
        self.seq = seq;
        Ok(result)
    }

    /// Hands out up to `n` queued URLs (lowest depth first, then discovery
    /// order) and marks them `in_flight`.
    pub fn claim(&mut self, n: usize) -> Result<Vec<Claimed>, LedgerError> {
        let path = &self.path;
        let err = |source| LedgerError::Sqlite {
            path: path.clone(),
            op: "claim",
            source,
        };
        let seq = self.seq + 1;
        let tx = self.conn.transaction().map_err(err)?;
        let claimed = {
            let mut select = tx
                .prepare_cached(
                    "SELECT id, url, depth, attempts FROM urls WHERE status = 'queued'
                     ORDER BY depth, discovered, id LIMIT ?1",
                )
                .map_err(err)?;
            let claimed = select
                .query_map([n], |r| {
                    Ok(Claimed {
                        id: r.get(0)?,
                        url: r.get(1)?,
                        depth: r.get(2)?,
                        attempts: r.get(3)?,
                    })
                })
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(err)?;
            let mut mark = tx
                .prepare_cached("UPDATE urls SET status = 'in_flight', updated = ?2 WHERE id = ?1")
                .map_err(err)?;
            for c in &claimed {
                mark.execute(params![c.id, seq]).map_err(err)?;
            }
            claimed
        };
        tx.commit().map_err(err)?;
        self.seq = seq;
        Ok(claimed)
    }

    /// Turns every `failed` URL back into `queued` with attempts reset to 0
    /// (reason becomes `retried`, detail keeps the old reason); returns how many.
    pub fn retry_failed(&mut self) -> Result<usize, LedgerError> {
        let seq = self.seq + 1;
        let n = self
            .conn
            .execute(
                "UPDATE urls SET status = 'queued', attempts = 0, reason = 'retried',
                 detail = COALESCE(reason, '') || ': ' || COALESCE(detail, ''), updated = ?1
                 WHERE status = 'failed'",
                [seq],
            )
            .map_err(self.err("retry_failed"))?;
        self.seq = seq;
        Ok(n)
    }

    /// Number of URLs per (status, reason), sorted by status then reason.
    pub fn counts(&self) -> Result<Vec<(Status, Option<String>, u64)>, LedgerError> {
        let mut out = self
            .conn
            .prepare_cached("SELECT status, reason, COUNT(*) FROM urls GROUP BY status, reason")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((status_col(r, 0)?, r.get(1)?, r.get(2)?)))?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(self.err("counts"))?;
        out.sort();
        Ok(out)
    }

    fn rows(&self, op: &'static str, sql: &str, arg: &str) -> Result<Vec<Row>, LedgerError> {
        self.conn
            .prepare_cached(sql)
            .and_then(|mut s| s.query_map([arg], map_row)?.collect())
            .map_err(self.err(op))
    }

    /// All URLs with `status`, in discovery order.
    pub fn urls(&self, status: Status) -> Result<Vec<Row>, LedgerError> {
        let sql =
            format!("SELECT {ROW_COLUMNS} FROM urls WHERE status = ?1 ORDER BY discovered, id");
        self.rows("urls", &sql, status.as_str())
    }

    /// All fetched URLs, in discovery order.
    pub fn fetched_pages(&self) -> Result<Vec<Row>, LedgerError> {
        self.urls(Status::Fetched)
    }

    /// The row of `url`, if the ledger has it.
    pub fn get(&self, url: &str) -> Result<Option<Row>, LedgerError> {
        let sql = format!("SELECT {ROW_COLUMNS} FROM urls WHERE url = ?1");
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_row([url], map_row).optional())
            .map_err(self.err("get"))
    }

    /// Aliases recorded for the canonical `url`, in the order they were added.
    pub fn aliases_of(&self, url: &str) -> Result<Vec<String>, LedgerError> {
        self.conn
            .prepare_cached("SELECT alias FROM aliases WHERE canonical = ?1 ORDER BY added, alias")
            .and_then(|mut s| s.query_map([url], |r| r.get(0))?.collect())
            .map_err(self.err("aliases_of"))
    }

    /// The canonical URL an alias points at, if any.
    pub fn canonical_of(&self, alias: &str) -> Result<Option<String>, LedgerError> {
        self.conn
            .prepare_cached("SELECT canonical FROM aliases WHERE alias = ?1")
            .and_then(|mut s| s.query_row([alias], |r| r.get(0)).optional())
            .map_err(self.err("canonical_of"))
    }

    /// Every alias as (alias, canonical, how), in the order they were added.
    pub fn all_aliases(&self) -> Result<Vec<(String, String, AliasHow)>, LedgerError> {
        self.conn
            .prepare_cached("SELECT alias, canonical, how FROM aliases ORDER BY added, alias")
            .and_then(|mut s| {
                s.query_map([], |r| {
                    let how: String = r.get(2)?;
                    let how = how.parse().map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(2, Type::Text, Box::new(e))
                    })?;
                    Ok((r.get(0)?, r.get(1)?, how))
                })?
                .collect()
            })
            .map_err(self.err("all_aliases"))
    }

    /// Number of URLs still to do (`queued` + `in_flight`).
    pub fn pending(&self) -> Result<usize, LedgerError> {
        self.conn
            .prepare_cached("SELECT COUNT(*) FROM urls WHERE status IN ('queued', 'in_flight')")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(self.err("pending"))
    }

    /// Stores a run-metadata value (replacing any previous one).
    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<(), LedgerError> {
        self.conn
            .prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .and_then(|mut s| s.execute([key, value]))
            .map_err(self.err("set_meta"))?;
        Ok(())
    }

    /// Reads a run-metadata value.
    pub fn get_meta(&self, key: &str) -> Result<Option<String>, LedgerError> {
        self.conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")
            .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
            .map_err(self.err("get_meta"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn discover(url: &str, depth: u32, found_on: Option<&str>) -> Update {
        Update::Discover {
            url: url.into(),
            depth,
            found_on: found_on.map(str::to_string),
        }
    }

    fn urls(claimed: &[Claimed]) -> Vec<&str> {
        claimed.iter().map(|c| c.url.as_str()).collect()
    }

    #[test]
    fn discover_dedups_and_claim_orders_by_depth_then_discovery() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut l = Ledger::open(dir.path()).expect("open");
        let r = l
            .apply(&[
                discover("http://s/", 0, None),
                discover("http://s/c", 2, Some("http://s/b")),
                discover("http://s/a", 1, Some("http://s/")),
                discover("http://s/b", 1, Some("http://s/")),
                discover("http://s/a", 1, Some("http://s/b")),
            ])
            .expect("apply");
        assert_eq!(r.new, vec![0, 1, 2, 3]);
        assert!(!r.is_new(4));
        let r = l
            .apply(&[
                discover("http://s/d", 1, None),
                discover("http://s/", 0, None),
            ])
            .expect("apply");
        assert_eq!(r.new, vec![0]);
        assert_eq!(l.pending().expect("pending"), 5);
        let row = l.get("http://s/a").expect("get").expect("row");
        assert_eq!(row.found_on.as_deref(), Some("http://s/"));
        assert_eq!(row.status, Status::Queued);
        let first = l.claim(3).expect("claim");
        assert_eq!(urls(&first), ["http://s/", "http://s/a", "http://s/b"]);
        assert_eq!(first[1].depth, 1);
        let rest = l.claim(10).expect("claim");
        assert_eq!(urls(&rest), ["http://s/d", "http://s/c"]);
        assert!(l.claim(10).expect("claim").is_empty());
        assert_eq!(l.pending().expect("pending"), 5);
        assert_eq!(l.urls(Status::InFlight).expect("urls").len(), 5);
        assert!(l.get("http://s/zzz").expect("get").is_none());
    }

    #[test]
    fn in_flight_urls_are_requeued_on_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let mut l = Ledger::open(dir.path()).expect("open");
            assert_eq!(l.requeued_on_open(), 0);
            l.apply(&[
                discover("http://s/1", 0, None),
                discover("http://s/2", 0, None),
            ])
            .expect("apply");
            l.apply(&[discover("http://s/3", 0, None)]).expect("apply");
            assert_eq!(l.claim(2).expect("claim").len(), 2);
        }
        let mut l = Ledger::open(dir.path()).expect("reopen");
        assert_eq!(l.requeued_on_open(), 2);
        assert!(l.urls(Status::InFlight).expect("urls").is_empty());
        assert_eq!(
            urls(&l.claim(5).expect("claim")),
            ["http://s/1", "http://s/2", "http://s/3"]
        );
        // Order numbers keep growing across runs.
        let rows = l.urls(Status::InFlight).expect("urls");
        assert!(rows.iter().all(|r| r.updated > r.discovered));
    }

    #[test]
    fn outcomes_counts_and_retry_failed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut l = Ledger::open(dir.path()).expect("open");
        let names = [
            "http://s/ok",
            "http://s/404",
            "http://s/slow",
            "http://s/robots",
            "http://s/q",
        ];
        let batch: Vec<Update> = names.iter().map(|u| discover(u, 1, None)).collect();
        l.apply(&batch).expect("discover");
        l.claim(4).expect("claim");
        let warc = WarcRef {
            file: "crawl-00000.warc.gz".into(),
            offset: 1234,
            length: 567,
        };
        l.apply(&[
            Update::Fetched {
                url: "http://s/ok".into(),
                final_url: Some("https://s/ok".into()),
                http_status: 200,
                content_type: Some("text/html".into()),
                warc: Some(warc.clone()),
                digest: Some("sha1:ABC".into()),
            },
            Update::Failed {
                url: "http://s/404".into(),
                reason: "http_404".into(),
                detail: "Not Found".into(),
                attempts: 1,
            },
            Update::Failed {
                url: "http://s/slow".into(),
                reason: "timeout".into(),
                detail: "30 s".into(),
                attempts: 3,
            },
            Update::Skipped {
                url: "http://s/robots".into(),
                reason: "robots".into(),
                detail: "Disallow: /".into(),
            },
            Update::Requeue {
                url: "http://s/q".into(),
                attempts: 1,
                reason: "connection".into(),
            },
        ])
        .expect("outcomes");
        let s = |x: &str| Some(x.to_string());
        assert_eq!(
            l.counts().expect("counts"),
            vec![
                (Status::Queued, s("connection"), 1),
                (Status::Fetched, None, 1),
                (Status::Failed, s("http_404"), 1),
                (Status::Failed, s("timeout"), 1),
                (Status::Skipped, s("robots"), 1),
            ]
        );
        let fetched = l.fetched_pages().expect("fetched");
        assert_eq!(fetched.len(), 1);
        assert_eq!(fetched[0].warc.as_ref(), Some(&warc));
        assert_eq!(fetched[0].http_status, Some(200));
        assert_eq!(fetched[0].final_url.as_deref(), Some("https://s/ok"));
        assert_eq!(l.pending().expect("pending"), 1);
        assert_eq!(l.retry_failed().expect("retry"), 2);
        let slow = l.get("http://s/slow").expect("get").expect("row");
        assert_eq!((slow.status, slow.attempts), (Status::Queued, 0));
        assert_eq!(slow.detail.as_deref(), Some("timeout: 30 s"));
        assert_eq!(l.pending().expect("pending"), 3);
        assert_eq!(l.retry_failed().expect("retry"), 0);
    }

    #[test]
    fn aliases_first_wins_and_self_alias_ignored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut l = Ledger::open(dir.path()).expect("open");
        let alias = |a: &str, c: &str, how| Update::Alias {
            alias: a.into(),
            canonical: c.into(),
            how,
        };
        let r = l
            .apply(&[
                alias(
                    "http://s/?id=7198",
                    "https://s/7198-x/",
                    AliasHow::SameLegacyId,
                ),
                alias(
                    "http://www.s/7198-x/",
                    "https://s/7198-x/",
                    AliasHow::Variant,
                ),
                alias("http://s/?id=7198", "https://s/other/", AliasHow::Redirect),
                alias("https://s/7198-x/", "https://s/7198-x/", AliasHow::Redirect),
            ])
            .expect("apply");
        assert_eq!(r.aliases_added, 2);
        assert_eq!(
            l.aliases_of("https://s/7198-x/").expect("aliases"),
            ["http://s/?id=7198", "http://www.s/7198-x/"]
        );
        assert_eq!(
            l.canonical_of("http://s/?id=7198")
                .expect("canonical")
                .as_deref(),
            Some("https://s/7198-x/")
        );
        let all = l.all_aliases().expect("all");
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].2, AliasHow::SameLegacyId);
        assert_eq!(all[1].2, AliasHow::Variant);
    }

    #[test]
    fn a_failing_batch_is_rolled_back_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut l = Ledger::open(dir.path()).expect("open");
        let err = l
            .apply(&[
                discover("http://s/new", 0, None),
                Update::Alias {
                    alias: "http://s/old".into(),
                    canonical: "http://s/new".into(),
                    how: AliasHow::Redirect,
                },
                Update::Skipped {
                    url: "http://s/never-seen".into(),
                    reason: "robots".into(),
                    detail: String::new(),
                },
            ])
            .expect_err("unknown URL");
        assert!(
            matches!(
                err,
                LedgerError::UnknownUrl {
                    update: "Skipped",
                    ..
                }
            ),
            "{err}"
        );
        assert!(l.get("http://s/new").expect("get").is_none());
        assert!(l.all_aliases().expect("aliases").is_empty());
        let r = l
            .apply(&[discover("http://s/new", 0, None)])
            .expect("apply");
        assert_eq!(r.new, vec![0]);
    }

    #[test]
    fn meta_schema_version_and_names() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let mut l = Ledger::open(dir.path()).expect("open");
            assert_eq!(l.get_meta("seeds").expect("meta"), None);
            l.set_meta("seeds", "a").expect("set");
            l.set_meta("seeds", "b").expect("set");
            assert_eq!(l.get_meta("seeds").expect("meta").as_deref(), Some("b"));
        }
        let conn = Connection::open(dir.path().join(LEDGER_FILE)).expect("raw open");
        assert_eq!(
            conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
                .expect("version"),
            SCHEMA_VERSION
        );
        conn.pragma_update(None, "user_version", 99).expect("bump");
        drop(conn);
        assert!(matches!(
            Ledger::open(dir.path()),
            Err(LedgerError::UnsupportedSchema { found: 99, .. })
        ));
        for st in Status::ALL {
            assert_eq!(st.as_str().parse::<Status>().expect("status"), st);
        }
        for how in AliasHow::ALL {
            assert_eq!(how.to_string().parse::<AliasHow>().expect("how"), how);
        }
        assert!("done".parse::<Status>().is_err());
    }
}
