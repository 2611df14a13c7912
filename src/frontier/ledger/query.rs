//! Reading the ledger: counts by status and reason, rows by status or URL,
//! aliases, what is still to do, and run metadata.

use rusqlite::types::Type;
use rusqlite::OptionalExtension;

use super::types::{kind_col, map_row, status_col};
use super::{AliasHow, Ledger, LedgerError, Row, Status, UrlKind, ROW_COLUMNS};

/// How many URLs of a kind have a status and reason.
pub type KindCount = (UrlKind, Status, Option<String>, u64);

impl Ledger {
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

    /// Number of URLs per (kind, status, reason), sorted.
    pub fn counts_by_kind(&self) -> Result<Vec<KindCount>, LedgerError> {
        let mut out = self
            .conn
            .prepare_cached(
                "SELECT kind, status, reason, COUNT(*) FROM urls GROUP BY kind, status, reason",
            )
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok((kind_col(r, 0)?, status_col(r, 1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<Result<Vec<_>, _>>()
            })
            .map_err(self.err("counts_by_kind"))?;
        out.sort();
        Ok(out)
    }

    /// [`Ledger::counts`] of the URLs of one kind.
    pub fn counts_of(
        &self,
        kind: UrlKind,
    ) -> Result<Vec<(Status, Option<String>, u64)>, LedgerError> {
        Ok(self
            .counts_by_kind()?
            .into_iter()
            .filter(|c| c.0 == kind)
            .map(|(_, s, r, n)| (s, r, n))
            .collect())
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

    /// All fetched pages (not media), in discovery order.
    pub fn fetched_pages(&self) -> Result<Vec<Row>, LedgerError> {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM urls WHERE status = ?1 AND kind = 'page' \
             ORDER BY discovered, id"
        );
        self.rows("fetched_pages", &sql, Status::Fetched.as_str())
    }

    /// [`Ledger::fetched_pages`] one row at a time, without holding them
    /// all: `each` is called in the same order until it returns false.
    pub fn each_fetched_page(&self, each: &mut dyn FnMut(Row) -> bool) -> Result<(), LedgerError> {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM urls WHERE status = ?1 AND kind = 'page' \
             ORDER BY discovered, id"
        );
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(self.err("each_fetched_page"))?;
        let rows = stmt
            .query_map([Status::Fetched.as_str()], map_row)
            .map_err(self.err("each_fetched_page"))?;
        for row in rows {
            if !each(row.map_err(self.err("each_fetched_page"))?) {
                break;
            }
        }
        Ok(())
    }

    /// How many pages (not media) are fetched.
    pub fn fetched_page_count(&self) -> Result<u64, LedgerError> {
        self.conn
            .prepare_cached("SELECT count(*) FROM urls WHERE status = ?1 AND kind = 'page'")
            .and_then(|mut s| s.query_row([Status::Fetched.as_str()], |r| r.get(0)))
            .map_err(self.err("fetched_page_count"))
    }

    /// Every page URL (not media), whatever its status, in discovery order.
    pub fn all_pages(&self) -> Result<Vec<Row>, LedgerError> {
        let sql = format!("SELECT {ROW_COLUMNS} FROM urls WHERE kind = ?1 ORDER BY discovered, id");
        self.rows("all_pages", &sql, "page")
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
