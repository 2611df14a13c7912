//! What the crawl's one owning task holds: the ledger and its pending
//! batch, the WARC writer, the record spool, the pending log, and the set of
//! URLs already seen (with the count of pages in scope, for the page
//! budget, and the set of media URLs). Every
//! decision about a URL (queue it, skip it and why, alias it) is made here,
//! as ledger updates applied in batches.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use url::Url;

use super::urlset::UrlSet;
use super::{reconcile, CrawlError, CrawlOptions, WARC_DIR, WARC_FILE_BYTES};
use crate::frontier::canon::canonicalize;
use crate::frontier::ledger::{AliasHow, Ledger, Status, Update, UrlKind};
use crate::media::MediaSpec;
use crate::profile::crawl::CrawlConfig;
use crate::store::WarcWriter;

pub(super) struct State {
    pub ledger: Ledger,
    pub warc: WarcWriter,
    pub batch: Vec<Update>,
    pub seen: UrlSet,
    /// Media URLs among `seen`.
    pub media: UrlSet,
    /// The `[media]` rules when the crawl queues assets (`fetch = true`).
    pub media_spec: Option<Arc<MediaSpec>>,
    /// Pages in scope (media do not count against `max_pages`).
    pub in_scope: u64,
    pub spool: Option<std::io::BufWriter<std::fs::File>>,
    pub cfg: Arc<CrawlConfig>,
    pub fetched_now: u64,
    pub failed_now: u64,
    pub fingerprint: String,
    pub pending: reconcile::PendingLog,
    /// URLs put back in the queue at open (in flight when the last run stopped).
    pub resumed_in_flight: usize,
}

fn io_err(what: String) -> impl FnOnce(std::io::Error) -> CrawlError {
    move |source| CrawlError::Io { what, source }
}

impl State {
    /// Open the store: its ledger (in-flight URLs back in the queue, failed
    /// ones too with `retry_failed`), WARC writer (torn tail repaired), the
    /// record spool when extracting, and the pending log.
    pub fn open(
        cfg: Arc<CrawlConfig>,
        opts: &CrawlOptions,
        media_spec: Option<Arc<MediaSpec>>,
    ) -> Result<State, CrawlError> {
        let store = &opts.store;
        std::fs::create_dir_all(store.join(WARC_DIR))
            .map_err(io_err(format!("creating {}", store.display())))?;
        let mut ledger = Ledger::open(store)?;
        let resumed_in_flight = ledger.requeued_on_open();
        if opts.retry_failed {
            ledger.retry_failed()?;
        }
        // not fetched only because robots.txt could not be read: always retried
        ledger.retry_failed_because(crate::fetch::ROBOTS_UNAVAILABLE)?;
        let warc = WarcWriter::open(&store.join(WARC_DIR), "sitelift", WARC_FILE_BYTES)?;
        let mut seen = UrlSet::default();
        let mut media = UrlSet::default();
        let mut in_scope = 0;
        for st in Status::ALL {
            for row in ledger.urls(st)? {
                if row.kind == UrlKind::Media {
                    media.insert(&row.url);
                } else if st != Status::Skipped {
                    in_scope += 1;
                }
                seen.insert(&row.url);
            }
        }
        let spool = match opts.extract {
            true => Some(open_spool(store)?),
            false => None,
        };
        let pending = reconcile::PendingLog::open(store).map_err(io_err(format!(
            "opening {}",
            store.join(reconcile::PENDING).display()
        )))?;
        let mut st = State {
            ledger,
            warc,
            batch: Vec::new(),
            seen,
            media,
            media_spec,
            in_scope,
            spool,
            cfg,
            fetched_now: 0,
            failed_now: 0,
            fingerprint: opts.profile_fingerprint.clone(),
            pending,
            resumed_in_flight,
        };
        st.queue_again_within_limits()?;
        Ok(st)
    }

    /// URLs an earlier run skipped for the page budget or the depth limit,
    /// queued again (in discovery order) when the limits of this run allow
    /// them: a trial crawl can be extended by raising or dropping a limit.
    fn queue_again_within_limits(&mut self) -> Result<(), CrawlError> {
        for row in self.ledger.urls(Status::Skipped)? {
            if !matches!(row.reason.as_deref(), Some("max_pages" | "too_deep")) {
                continue;
            }
            let Ok(url) = Url::parse(&row.url) else {
                continue;
            };
            let scope = &self.cfg.scope;
            let allowed = scope
                .check(&url, row.depth)
                .and_then(|_| scope.check_budget(self.in_scope));
            if allowed.is_err() {
                continue;
            }
            self.in_scope += 1;
            self.batch.push(Update::Requeue {
                url: row.url,
                attempts: 0,
                reason: "limit_raised".into(),
            });
        }
        self.flush()
    }

    /// Write the spool's buffer and apply the pending ledger batch.
    pub fn flush(&mut self) -> Result<(), CrawlError> {
        if let Some(s) = self.spool.as_mut() {
            s.flush()
                .map_err(io_err("writing the record spool".into()))?;
        }
        if !self.batch.is_empty() {
            let b = std::mem::take(&mut self.batch);
            self.ledger.apply(&b)?;
        }
        Ok(())
    }

    /// The ledger updates of a redirect from `from` (canonical) through
    /// `hops` to `to`: every URL of the chain is an alias of the final
    /// page, the final page (or asset, for media) is discovered, and `from`
    /// is skipped.
    pub fn note_redirect(
        &mut self,
        from: &str,
        hops: &[String],
        to: &str,
        depth: u32,
        kind: UrlKind,
    ) {
        for alias in std::iter::once(from).chain(hops.iter().map(String::as_str)) {
            self.batch.push(Update::Alias {
                alias: alias.to_string(),
                canonical: to.to_string(),
                how: AliasHow::Redirect,
            });
        }
        let new = self.seen.insert(to);
        let found_on = Some(from.to_string());
        let url = to.to_string();
        match kind {
            UrlKind::Page => {
                if new {
                    self.in_scope += 1;
                }
                self.batch.push(Update::Discover {
                    url,
                    depth,
                    found_on,
                });
            }
            UrlKind::Media => {
                self.media.insert(&url);
                self.batch.push(Update::DiscoverMedia {
                    url,
                    depth,
                    found_on,
                });
            }
        }
        self.batch.push(Update::Skipped {
            url: from.to_string(),
            reason: "redirect".into(),
            detail: format!("redirects to {to}"),
        });
    }

    /// A URL seen somewhere: queue it, or record why not.
    pub fn see(&mut self, url: &Url, depth: u32, found_on: Option<&str>) {
        let canon = canonicalize(url, &self.cfg.canon);
        let key = canon.to_string();
        if !self.seen.insert(&key) {
            return;
        }
        self.batch.push(Update::Discover {
            url: key.clone(),
            depth,
            found_on: found_on.map(Into::into),
        });
        let verdict = self
            .cfg
            .scope
            .check(&canon, depth)
            .and_then(|_| self.cfg.scope.check_budget(self.in_scope));
        match verdict {
            Ok(()) => self.in_scope += 1,
            Err(r) => self.batch.push(Update::Skipped {
                url: key,
                reason: r.code().into(),
                detail: r.to_string(),
            }),
        }
    }

    /// Note a stored page whose links are not yet queued (see [`reconcile`]).
    pub fn note_pending(&mut self, note: &reconcile::Pending) -> Result<(), CrawlError> {
        self.pending
            .note(note)
            .map_err(io_err("writing the pending log".into()))
    }

    /// Append one line to the record spool.
    pub fn spool_line(&mut self, line: &super::spool::SpoolLine<'_>) -> Result<(), CrawlError> {
        let Some(spool) = self.spool.as_mut() else {
            return Ok(());
        };
        serde_json::to_writer(&mut *spool, line)
            .map_err(std::io::Error::from)
            .and_then(|_| spool.write_all(b"\n"))
            .map_err(io_err("writing the record spool".into()))
    }
}

fn open_spool(store: &Path) -> Result<std::io::BufWriter<std::fs::File>, CrawlError> {
    let f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(store.join(super::spool::SPOOL))
        .map_err(io_err("opening the record spool".into()))?;
    Ok(std::io::BufWriter::new(f))
}
