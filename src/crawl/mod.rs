//! The crawl: frontier (ledger) → polite fetch (async) → page store (WARC)
//! → parse on rayon workers (links, and records in `run` mode; records'
//! assets too when `[media] fetch` is on, queued as media URLs, see
//! [`media`]) → back to the ledger. One task owns the ledger and the WARC writer ([`state`]); fetches
//! run concurrently under the fetcher's politeness, and each response's WARC
//! records (SHA-1 digests, gzip members) are built on rayon before they reach
//! that task, which only appends them ([`fetching`]); parsing runs on rayon
//! with a bound on the jobs in flight ([`parsing`]), so a slow stage slows
//! the other instead of filling memory. Everything the crawl learns is in
//! the ledger, so a killed crawl resumes where it stopped ([`reconcile`]).
//! Progress goes to a callback the caller gives; nothing here draws.

mod fetching;
mod media;
mod parsing;
pub mod reconcile;
pub mod spool;
mod state;
mod urlset;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sha1::{Digest, Sha1};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinSet;
use url::Url;

use crate::fetch::{FetchOutcome, Fetcher};
use crate::frontier::canon::canonicalize;
use crate::frontier::ledger::{Claimed, Status, Update, WarcRef};
use crate::frontier::sitemap::parse_sitemap;
use crate::profile::crawl::CrawlConfig;
use crate::profile::Profile;
use crate::record::Outcome;
use crate::store::{PreparedExchange, StoreLock};
use fetching::{fetch_one, handle_fetch, Fetched};
use parsing::{handle_done, recover, spawn_job};
pub use spool::SPOOL;
use state::State;

/// Errors that stop a crawl (page-level problems never do).
#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] crate::frontier::ledger::LedgerError),
    /// The page store failed (disk full, permissions…).
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The HTTP client could not be built.
    #[error(transparent)]
    Fetch(#[from] crate::fetch::FetchError),
    /// Other I/O (the spool of records).
    #[error("{what}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
    /// The store's disk is full or read-only: the crawl stopped where it was.
    /// The ledger (SQLite) and the WARC files (torn tail repaired on open)
    /// are consistent, so the same command resumes once space is back.
    #[error("{message}; the store {} is consistent: free some space (or make it writable) and run the same command again to resume", store.display())]
    Disk {
        /// The failure, with the file and the operating system's words.
        message: String,
        /// The store folder.
        store: PathBuf,
    },
    /// The store to crawl is not the one whose lock the caller holds.
    #[error("the store {} is not locked by this process (a bug: please report it)", .0.display())]
    NotLocked(PathBuf),
    /// The profile has no `[crawl]` section.
    #[error("profile {0} has no [crawl] section: add start_urls and scope (see README, Crawl configuration)")]
    NoCrawlConfig(String),
}

/// Where a crawl stands; given to the progress callback about twice a
/// second, and once more at the end with `finished` set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// URLs known (in the ledger).
    pub known: u64,
    /// URLs settled (fetched, failed or skipped).
    pub settled: u64,
    /// Responses received in this session.
    pub responses: u64,
    /// Fetches that failed in this session.
    pub failed: u64,
    /// Requests in flight.
    pub in_flight: usize,
    /// Pages being parsed.
    pub parsing: usize,
    /// The crawl is over (the last report).
    pub finished: bool,
}

/// Receives the crawl's [`Progress`].
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// What to crawl and how.
pub struct CrawlOptions {
    /// The store folder (ledger, WARC files, spool).
    pub store: PathBuf,
    /// Seeds in addition to the profile's start URLs.
    pub seeds: Vec<Url>,
    /// Re-queue failed URLs first.
    pub retry_failed: bool,
    /// Extract records while crawling (`run`).
    pub extract: bool,
    /// Where progress goes (None: nowhere).
    pub progress: Option<ProgressFn>,
    /// Fingerprint of the profile text, stored with spooled records.
    pub profile_fingerprint: String,
}

/// Counts at the end of a crawl.
#[derive(Debug, Default, Clone)]
pub struct CrawlSummary {
    /// Responses received in this session.
    pub fetched_now: u64,
    /// URLs put back in the queue at start (they were in flight when the last run stopped).
    pub resumed_in_flight: usize,
    /// Bytes cut from a torn WARC tail at start.
    pub repaired_bytes: u64,
    /// The crawl was interrupted (Ctrl-C) before the queue was empty.
    pub interrupted: bool,
    /// Seconds spent.
    pub seconds: f64,
    /// Counts by status and reason from the ledger (pages and media).
    pub counts: Vec<(Status, Option<String>, u64)>,
    /// The media URLs' part of `counts`.
    pub media_counts: Vec<(Status, Option<String>, u64)>,
}

/// Folder of WARC files in a store.
pub const WARC_DIR: &str = "warc";
/// Media types of sitemaps, always kept by the crawl's fetcher.
const SITEMAP_TYPES: [&str; 5] = [
    "application/xml",
    "text/xml",
    "application/gzip",
    "application/x-gzip",
    "text/plain",
];
/// Rotate WARC files at this size.
const WARC_FILE_BYTES: u64 = 1 << 30;

/// The scope check the fetcher asks about every URL and redirect target.
type ScopeFn = Arc<dyn Fn(&Url) -> Result<(), String> + Send + Sync>;

/// A stored page waiting to be parsed.
struct Job {
    /// The ledger update for this page, applied only once its links are
    /// known: a crash before that leaves the URL in flight, so it is
    /// fetched again on resume and no link is lost.
    fetched: Update,
    url: String,
    fetched_url: Url,
    depth: u32,
    digest: String,
    content_type: Option<String>,
    body: Vec<u8>,
}

/// A parsed page: its links, its record's assets (with the record's own
/// hosts) and, in `run`, its outcome.
struct Done {
    fetched: Update,
    url: String,
    depth: u32,
    digest: String,
    links: Vec<Url>,
    assets: Vec<Url>,
    asset_hosts: Vec<String>,
    outcome: Option<Outcome>,
}

/// `sha1:BASE32` of a payload, as in WARC-Payload-Digest.
pub fn payload_digest(bytes: &[u8]) -> String {
    format!(
        "sha1:{}",
        data_encoding::BASE32.encode(&Sha1::digest(bytes))
    )
}

fn to_ref(l: &crate::store::WarcLocation) -> WarcRef {
    WarcRef {
        file: format!("{WARC_DIR}/{}", l.file),
        offset: l.offset,
        length: l.length,
    }
}

/// Crawl a site into a store (blocking; runs its own async runtime).
/// The caller holds the store (`lock`, see [`StoreLock`]) for as long as
/// the crawl runs, and longer when it reads what the crawl wrote (`run`).
pub fn crawl(
    profile: Arc<Profile>,
    cfg: CrawlConfig,
    opts: CrawlOptions,
    lock: &StoreLock,
) -> Result<CrawlSummary, CrawlError> {
    if lock.store() != opts.store {
        return Err(CrawlError::NotLocked(opts.store));
    }
    // CPU work goes to the rayon pool (one thread a core); the blocking
    // pool only resolves names, so it need not grow with the concurrency
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(cores.max(2))
        .enable_all()
        .build()
        .map_err(|source| CrawlError::Io {
            what: "starting the async runtime".into(),
            source,
        })?;
    let store = opts.store.clone();
    rt.block_on(run(profile, Arc::new(cfg), opts))
        .map_err(|e| match is_disk_trouble(&e) {
            true => CrawlError::Disk {
                message: crate::text::error_chain(&e),
                store,
            },
            false => e,
        })
}

/// True when an error (or one of its sources) says the disk is full or
/// read-only, whether it came from a file write or from SQLite.
pub fn is_disk_trouble(e: &(dyn std::error::Error + 'static)) -> bool {
    use std::io::ErrorKind;
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                ErrorKind::StorageFull | ErrorKind::ReadOnlyFilesystem | ErrorKind::QuotaExceeded
            ) {
                return true;
            }
        }
        if let Some(rusqlite::Error::SqliteFailure(f, _)) = err.downcast_ref::<rusqlite::Error>() {
            if matches!(
                f.code,
                rusqlite::ErrorCode::DiskFull | rusqlite::ErrorCode::ReadOnly
            ) {
                return true;
            }
        }
        cur = err.source();
    }
    false
}

fn in_scope_fn(cfg: Arc<CrawlConfig>) -> impl Fn(&Url) -> Result<(), String> + Send + Sync {
    move |u: &Url| {
        let c = canonicalize(u, &cfg.canon);
        // depth is checked when a link is queued; here only where the URL may lead
        cfg.scope.check(&c, 0).map_err(|e| e.to_string())
    }
}

/// The fetcher's settings: the profile's, with the sitemap types kept
/// (stored in the WARC files, never parsed as pages).
fn fetch_config(cfg: &CrawlConfig) -> crate::fetch::FetchConfig {
    let mut fetch_cfg = cfg.fetch.clone();
    for t in SITEMAP_TYPES {
        if !fetch_cfg
            .keep_content_types
            .iter()
            .any(|k| k.eq_ignore_ascii_case(t))
        {
            fetch_cfg.keep_content_types.push(t.to_string());
        }
    }
    fetch_cfg
}

async fn run(
    profile: Arc<Profile>,
    cfg: Arc<CrawlConfig>,
    opts: CrawlOptions,
) -> Result<CrawlSummary, CrawlError> {
    let started = Instant::now();
    let mut st = State::open(cfg.clone(), &opts, media::queued_spec(&profile))?;
    let repaired_bytes = st.warc.repaired_bytes();
    // One fetcher for everything, so politeness and robots.txt are shared.
    let fetcher = Fetcher::new(fetch_config(&cfg))?;
    let scope_fn: ScopeFn = Arc::new(in_scope_fn(cfg.clone()));
    // Seeds, then sitemaps (once per store).
    let mut seeds = cfg.start_urls.clone();
    seeds.extend(opts.seeds.iter().cloned());
    for s in &seeds {
        st.see(s, 0, None);
    }
    st.flush()?;
    if st.ledger.get_meta("sitemaps_done")?.is_none() {
        read_sitemaps(&mut st, &fetcher, &seeds, &scope_fn).await?;
        st.ledger.set_meta("sitemaps_done", "1")?;
    }
    let mut p = Pipeline::new(profile, cfg, fetcher, scope_fn, &opts);
    recover(
        &mut st,
        &opts.store,
        &p.profile,
        &p.cfg,
        p.extract,
        &p.wtx,
        &mut p.wrx,
    )
    .await?;
    let interrupted = p.run(&mut st).await?;
    st.flush()?;
    if !interrupted {
        // every stored page is settled in the ledger now
        st.pending.clear().map_err(|source| CrawlError::Io {
            what: format!("clearing {}", st.pending.path().display()),
            source,
        })?;
    }
    st.warc.sync()?;
    p.report(&mut st, true)?;
    Ok(CrawlSummary {
        fetched_now: st.fetched_now,
        resumed_in_flight: st.resumed_in_flight,
        repaired_bytes,
        interrupted,
        seconds: started.elapsed().as_secs_f64(),
        counts: st.ledger.counts()?,
        media_counts: st
            .ledger
            .counts_of(crate::frontier::ledger::UrlKind::Media)?,
    })
}

/// The crawl's loop: fetch tasks in flight, parse jobs on rayon, and the
/// channel their results come back on.
struct Pipeline {
    profile: Arc<Profile>,
    cfg: Arc<CrawlConfig>,
    extract: bool,
    fetcher: Fetcher,
    scope_fn: ScopeFn,
    /// The media rules (always: media URLs queued by an earlier run are
    /// fetched as media even when this run queues no new ones).
    media: Arc<crate::media::MediaSpec>,
    tasks: JoinSet<Fetched>,
    /// Parse jobs started and not yet back.
    jobs: usize,
    max_jobs: usize,
    want_in_flight: usize,
    wtx: UnboundedSender<Done>,
    wrx: UnboundedReceiver<Done>,
    progress: Option<ProgressFn>,
    last_progress: Instant,
}

impl Pipeline {
    fn new(
        profile: Arc<Profile>,
        cfg: Arc<CrawlConfig>,
        fetcher: Fetcher,
        scope_fn: ScopeFn,
        opts: &CrawlOptions,
    ) -> Pipeline {
        let (wtx, wrx) = unbounded_channel::<Done>();
        let want_in_flight = cfg.fetch.concurrency.max(1) * 2;
        let media = Arc::new(profile.media.clone());
        Pipeline {
            profile,
            cfg,
            extract: opts.extract,
            media,
            fetcher,
            scope_fn,
            tasks: JoinSet::new(),
            jobs: 0,
            max_jobs: rayon::current_num_threads() * 4,
            want_in_flight,
            wtx,
            wrx,
            progress: opts.progress.clone(),
            last_progress: Instant::now() - Duration::from_secs(1),
        }
    }

    /// Claim queued URLs up to the number wanted in flight, as fetch tasks.
    fn spawn_fetches(&mut self, st: &mut State) -> Result<(), CrawlError> {
        if self.jobs >= self.max_jobs || self.tasks.len() >= self.want_in_flight {
            return Ok(());
        }
        st.flush()?;
        for c in st.ledger.claim(self.want_in_flight - self.tasks.len())? {
            let warcinfo_id = st.warc.next_warcinfo_id().to_string();
            self.tasks.spawn(fetch_one(
                c,
                self.fetcher.clone(),
                self.scope_fn.clone(),
                self.media.clone(),
                warcinfo_id,
            ));
        }
        Ok(())
    }

    /// Nothing in flight: true when the queue is empty too (the crawl is done).
    fn queue_done(&self, st: &mut State) -> Result<bool, CrawlError> {
        st.flush()?;
        if st.ledger.pending()? == 0 {
            return Ok(true);
        }
        // queued URLs exist but none could be claimed: should not happen; avoid spinning
        Ok(st.ledger.claim(0)?.is_empty() && st.ledger.urls(Status::Queued)?.is_empty())
    }

    /// Run until the queue is empty (false) or Ctrl-C (true); after the
    /// queue is empty, parse jobs already started are let finish, so their
    /// links and records are kept.
    async fn run(&mut self, st: &mut State) -> Result<bool, CrawlError> {
        let mut last_flush = Instant::now();
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        loop {
            self.spawn_fetches(st)?;
            if self.tasks.is_empty() && self.jobs == 0 {
                if self.queue_done(st)? {
                    break;
                }
                continue;
            }
            tokio::select! {
                Some(res) = self.tasks.join_next(), if !self.tasks.is_empty() => {
                    match res {
                        Ok((c, out, records)) => self.fetched(st, c, out, records)?,
                        Err(e) => tracing::error!("a fetch task failed: {e}"),
                    }
                    self.report(st, false)?;
                }
                Some(done) = self.wrx.recv(), if self.jobs > 0 => {
                    self.jobs -= 1;
                    handle_done(st, done)?;
                }
                _ = &mut ctrl_c => return Ok(true),
            }
            if last_flush.elapsed() > Duration::from_millis(200) || st.batch.len() > 500 {
                st.flush()?;
                last_flush = Instant::now();
            }
        }
        while self.jobs > 0 {
            let Some(done) = self.wrx.recv().await else {
                break;
            };
            self.jobs -= 1;
            handle_done(st, done)?;
        }
        Ok(false)
    }

    /// A fetch task came back: settle it, and start a parse job for a page.
    fn fetched(
        &mut self,
        st: &mut State,
        c: Claimed,
        out: FetchOutcome,
        records: Option<PreparedExchange>,
    ) -> Result<(), CrawlError> {
        if let Some(job) = handle_fetch(st, c, out, records)? {
            self.jobs += 1;
            spawn_job(
                job,
                self.profile.clone(),
                self.cfg.clone(),
                self.extract,
                self.wtx.clone(),
            );
        }
        Ok(())
    }

    /// Tell the progress callback where the crawl stands (at most twice a
    /// second, unless `finished`).
    fn report(&mut self, st: &mut State, finished: bool) -> Result<(), CrawlError> {
        let Some(progress) = &self.progress else {
            return Ok(());
        };
        if !finished && self.last_progress.elapsed() < Duration::from_millis(500) {
            return Ok(());
        }
        self.last_progress = Instant::now();
        // settled: known URLs not still queued (so the ETA is real)
        let pending = st.ledger.pending()? as u64;
        let known = st.seen.len() as u64;
        progress(&Progress {
            known,
            settled: known.saturating_sub(pending),
            responses: st.fetched_now,
            failed: st.failed_now,
            in_flight: self.tasks.len(),
            parsing: self.jobs,
            finished,
        });
        Ok(())
    }
}

async fn read_sitemaps(
    st: &mut State,
    fetcher: &Fetcher,
    seeds: &[Url],
    scope: &ScopeFn,
) -> Result<(), CrawlError> {
    let mut queue: Vec<Url> = st.cfg.sitemaps.clone();
    let mut origins = HashSet::new();
    for s in seeds {
        if origins.insert(s.origin().ascii_serialization()) {
            queue.extend(fetcher.robots_sitemaps(s).await);
        }
    }
    let mut done = HashSet::new();
    while let Some(sm) = queue.pop() {
        if done.len() >= 1000 || !done.insert(sm.to_string()) {
            continue; // a sitemap that lists itself, or an absurd index
        }
        let FetchOutcome::Response(r) = fetcher.fetch(&sm, &**scope).await else {
            continue;
        };
        if !(200..300).contains(&r.status) {
            continue;
        }
        match parse_sitemap(&r.body, 50 * 1024 * 1024) {
            Ok(map) => {
                for u in map.sitemaps.iter().filter_map(|s| Url::parse(s).ok()) {
                    queue.push(u);
                }
                for (u, _) in &map.urls {
                    if let Ok(u) = Url::parse(u) {
                        st.see(&u, 0, Some(sm.as_str()));
                    }
                }
            }
            Err(e) => tracing::warn!("sitemap {sm}: {e}"),
        }
    }
    st.flush()
}
