//! Writing to the ledger: batches of updates, each one transaction (all
//! of it takes effect, or none), claims of queued URLs, the retry of failed
//! ones, and run metadata.

use rusqlite::{params, Transaction};

use super::{ApplyResult, Claimed, Ledger, LedgerError, Update, UrlKind};

impl Ledger {
    /// Applies a batch of updates in one transaction: either all of them
    /// take effect or (on any error, such as an update for a URL never
    /// discovered) none does.
    pub fn apply(&mut self, updates: &[Update]) -> Result<ApplyResult, LedgerError> {
        let path = self.path.clone();
        let err = |op: &'static str| {
            let path = path.clone();
            move |source| LedgerError::Sqlite { path, op, source }
        };
        let mut seq = self.seq;
        let mut result = ApplyResult::default();
        let tx = self.conn.transaction().map_err(err("begin"))?;
        for (index, update) in updates.iter().enumerate() {
            seq += 1;
            let changed = match update {
                Update::Discover { .. } | Update::DiscoverMedia { .. } => {
                    if discover(&tx, update, seq).map_err(err(update.op()))? {
                        result.new.push(index);
                    }
                    continue;
                }
                Update::Alias { .. } => {
                    result.aliases_added += alias(&tx, update, seq).map_err(err("apply Alias"))?;
                    continue;
                }
                _ => set_status(&tx, update, seq).map_err(err(update.op()))?,
            };
            if changed == 0 {
                // Dropping `tx` rolls the whole batch back.
                return Err(LedgerError::UnknownUrl {
                    update: update.kind(),
                    url: update.url().to_string(),
                });
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
                    "SELECT id, url, depth, attempts, kind FROM urls WHERE status = 'queued'
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
                        kind: super::types::kind_col(r, 4)?,
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
        self.requeue_failed(None)
    }

    /// [`Ledger::retry_failed`] for the URLs that failed for `reason` only
    /// (such as `robots_unavailable`, which a new run always retries).
    pub fn retry_failed_because(&mut self, reason: &str) -> Result<usize, LedgerError> {
        self.requeue_failed(Some(reason))
    }

    fn requeue_failed(&mut self, reason: Option<&str>) -> Result<usize, LedgerError> {
        let seq = self.seq + 1;
        let n = self
            .conn
            .execute(
                "UPDATE urls SET status = 'queued', attempts = 0, reason = 'retried',
                 detail = COALESCE(reason, '') || ': ' || COALESCE(detail, ''), updated = ?1
                 WHERE status = 'failed' AND (?2 IS NULL OR reason = ?2)",
                rusqlite::params![seq, reason],
            )
            .map_err(self.err("retry_failed"))?;
        self.seq = seq;
        Ok(n)
    }
}

/// Insert a discovered URL (page or media) as `queued`; true when it was new.
fn discover(tx: &Transaction<'_>, u: &Update, seq: i64) -> rusqlite::Result<bool> {
    let (url, depth, found_on, kind) = match u {
        Update::Discover {
            url,
            depth,
            found_on,
        } => (url, depth, found_on, UrlKind::Page),
        Update::DiscoverMedia {
            url,
            depth,
            found_on,
        } => (url, depth, found_on, UrlKind::Media),
        _ => return Ok(false),
    };
    let n = tx
        .prepare_cached(
            "INSERT INTO urls (url, status, attempts, depth, found_on, discovered, updated, kind)
             VALUES (?1, 'queued', 0, ?2, ?3, ?4, ?4, ?5) ON CONFLICT (url) DO NOTHING",
        )?
        .execute(params![url, depth, found_on, seq, kind.as_str()])?;
    Ok(n > 0)
}

/// Record an alias (the first one recorded for a URL wins; an alias equal
/// to its canonical URL is ignored); how many were added.
fn alias(tx: &Transaction<'_>, u: &Update, seq: i64) -> rusqlite::Result<usize> {
    let Update::Alias {
        alias,
        canonical,
        how,
    } = u
    else {
        return Ok(0);
    };
    if alias == canonical {
        return Ok(0);
    }
    tx.prepare_cached(
        "INSERT INTO aliases (alias, canonical, how, added)
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (alias) DO NOTHING",
    )?
    .execute(params![alias, canonical, how.as_str(), seq])
}

/// Change the status of a known URL (fetched, failed, skipped, requeued);
/// the number of rows changed (0: the URL is unknown).
fn set_status(tx: &Transaction<'_>, u: &Update, seq: i64) -> rusqlite::Result<usize> {
    match u {
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
            )?
            .execute(params![
                url,
                final_url,
                http_status,
                content_type,
                warc.as_ref().map(|w| &w.file),
                warc.as_ref().map(|w| w.offset),
                warc.as_ref().map(|w| w.length),
                digest,
                seq
            ]),
        Update::Failed {
            url,
            reason,
            detail,
            attempts,
        } => tx
            .prepare_cached(
                "UPDATE urls SET status = 'failed', reason = ?2, detail = ?3,
                 attempts = ?4, updated = ?5 WHERE url = ?1",
            )?
            .execute(params![url, reason, detail, attempts, seq]),
        Update::Skipped {
            url,
            reason,
            detail,
        } => tx
            .prepare_cached(
                "UPDATE urls SET status = 'skipped', reason = ?2, detail = ?3,
                 updated = ?4 WHERE url = ?1",
            )?
            .execute(params![url, reason, detail, seq]),
        Update::Requeue {
            url,
            attempts,
            reason,
        } => tx
            .prepare_cached(
                "UPDATE urls SET status = 'queued', attempts = ?2, reason = ?3,
                 updated = ?4 WHERE url = ?1",
            )?
            .execute(params![url, attempts, reason, seq]),
        Update::AsMedia { url, requeue } => match requeue {
            true => tx
                .prepare_cached(
                    "UPDATE urls SET kind = 'media', status = 'queued', attempts = 0,
                     reason = 'media', detail = COALESCE(reason, ''), updated = ?2 WHERE url = ?1",
                )?
                .execute(params![url, seq]),
            false => tx
                .prepare_cached("UPDATE urls SET kind = 'media', updated = ?2 WHERE url = ?1")?
                .execute(params![url, seq]),
        },
        Update::Discover { .. } | Update::DiscoverMedia { .. } | Update::Alias { .. } => Ok(1),
    }
}
