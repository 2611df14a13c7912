//! The crawl: frontier (ledger) → polite fetch (async) → page store (WARC)
//! → parse on rayon workers (links, and records in `run` mode) → back to the
//! ledger. One task owns the ledger and the WARC writer; fetches run
//! concurrently under the fetcher's politeness, and each response's WARC
//! records (SHA-1 digests, gzip members) are built on rayon before they reach
//! that task, which only appends them; parsing runs on rayon with a
//! bound on the jobs in flight, so a slow stage slows the other instead of
//! filling memory. Everything the crawl learns is in the ledger, so a killed
//! crawl resumes where it stopped.

pub mod assemble;
pub mod reconcile;

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sha1::{Digest, Sha1};
use tokio::task::JoinSet;
use url::Url;

use crate::extract::{self, Outcome, Page};
use crate::fetch::{FetchOutcome, Fetcher};
use crate::frontier::canon::canonicalize;
use crate::frontier::ledger::{AliasHow, Claimed, Ledger, Status, Update, WarcRef};
use crate::frontier::links::discover;
use crate::frontier::sitemap::parse_sitemap;
use crate::profile::crawl::CrawlConfig;
use crate::profile::Profile;
use crate::store::{prepare_exchange, Exchange, PreparedExchange, WarcWriter};

/// Errors that stop a crawl (page-level problems never do).
#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    /// The ledger failed.
    #[error("ledger: {0}")]
    Ledger(#[from] crate::frontier::ledger::LedgerError),
    /// The page store failed (disk full, permissions…).
    #[error("page store: {0}")]
    Store(#[from] crate::store::StoreError),
    /// The HTTP client could not be built.
    #[error("fetcher: {0}")]
    Fetch(#[from] crate::fetch::FetchError),
    /// Other I/O (the spool of records).
    #[error("{what}: {source}")]
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
    /// The profile has no `[crawl]` section.
    #[error("profile {0} has no [crawl] section: add start_urls and scope (see README, Crawl configuration)")]
    NoCrawlConfig(String),
}

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
    /// Show progress bars.
    pub progress: bool,
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
    /// Counts by status and reason from the ledger.
    pub counts: Vec<(Status, Option<String>, u64)>,
}

/// Name of the record spool in a store (records extracted during `run`).
pub const SPOOL: &str = "spool.jsonl";
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

struct Done {
    fetched: Update,
    url: String,
    depth: u32,
    digest: String,
    links: Vec<Url>,
    outcome: Option<serde_json::Value>,
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
pub fn crawl(
    profile: Arc<Profile>,
    cfg: CrawlConfig,
    opts: CrawlOptions,
) -> Result<CrawlSummary, CrawlError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
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
                message: e.to_string(),
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

struct State {
    ledger: Ledger,
    warc: WarcWriter,
    batch: Vec<Update>,
    seen: HashSet<String>,
    in_scope: u64,
    spool: Option<std::io::BufWriter<std::fs::File>>,
    cfg: Arc<CrawlConfig>,
    fetched_now: u64,
    failed_now: u64,
    fingerprint: String,
    pending: reconcile::PendingLog,
}

impl State {
    fn flush(&mut self) -> Result<(), CrawlError> {
        if let Some(s) = self.spool.as_mut() {
            s.flush().map_err(|source| CrawlError::Io {
                what: "writing the record spool".into(),
                source,
            })?;
        }
        if !self.batch.is_empty() {
            let b = std::mem::take(&mut self.batch);
            self.ledger.apply(&b)?;
        }
        Ok(())
    }

    /// A URL seen somewhere: queue it, or record why not.
    /// The ledger updates of a redirect from `from` (canonical) through
    /// `hops` to `to`: every URL of the chain is an alias of the final
    /// page, the final page is discovered, and `from` is skipped.
    fn note_redirect(&mut self, from: &str, hops: &[String], to: &str, depth: u32) {
        for alias in std::iter::once(from).chain(hops.iter().map(String::as_str)) {
            self.batch.push(Update::Alias {
                alias: alias.to_string(),
                canonical: to.to_string(),
                how: AliasHow::Redirect,
            });
        }
        if self.seen.insert(to.to_string()) {
            self.in_scope += 1;
        }
        self.batch.push(Update::Discover {
            url: to.to_string(),
            depth,
            found_on: Some(from.to_string()),
        });
        self.batch.push(Update::Skipped {
            url: from.to_string(),
            reason: "redirect".into(),
            detail: format!("redirects to {to}"),
        });
    }

    fn see(&mut self, url: &Url, depth: u32, found_on: Option<&str>) {
        let canon = canonicalize(url, &self.cfg.canon);
        let key = canon.to_string();
        if !self.seen.insert(key.clone()) {
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
}

fn in_scope_fn(cfg: Arc<CrawlConfig>) -> impl Fn(&Url) -> Result<(), String> + Send + Sync {
    move |u: &Url| {
        let c = canonicalize(u, &cfg.canon);
        // depth is checked when a link is queued; here only where the URL may lead
        cfg.scope.check(&c, 0).map_err(|e| e.to_string())
    }
}

async fn run(
    profile: Arc<Profile>,
    cfg: Arc<CrawlConfig>,
    opts: CrawlOptions,
) -> Result<CrawlSummary, CrawlError> {
    let started = Instant::now();
    std::fs::create_dir_all(opts.store.join(WARC_DIR)).map_err(|source| CrawlError::Io {
        what: format!("creating {}", opts.store.display()),
        source,
    })?;
    let mut ledger = Ledger::open(&opts.store)?;
    let resumed_in_flight = ledger.requeued_on_open();
    if opts.retry_failed {
        ledger.retry_failed()?;
    }
    let warc = WarcWriter::open(&opts.store.join(WARC_DIR), "sitelift", WARC_FILE_BYTES)?;
    let repaired_bytes = warc.repaired_bytes();
    let mut seen = HashSet::new();
    let mut in_scope = 0;
    for st in Status::ALL {
        for row in ledger.urls(st)? {
            if st != Status::Skipped {
                in_scope += 1;
            }
            seen.insert(row.url);
        }
    }
    let spool = if opts.extract {
        let f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(opts.store.join(SPOOL))
            .map_err(|source| CrawlError::Io {
                what: "opening the record spool".into(),
                source,
            })?;
        Some(std::io::BufWriter::new(f))
    } else {
        None
    };
    let mut st = State {
        ledger,
        warc,
        batch: Vec::new(),
        seen,
        in_scope,
        spool,
        cfg: cfg.clone(),
        fetched_now: 0,
        failed_now: 0,
        fingerprint: opts.profile_fingerprint.clone(),
        pending: reconcile::PendingLog::open(&opts.store).map_err(|source| CrawlError::Io {
            what: format!("opening {}", opts.store.join(reconcile::PENDING).display()),
            source,
        })?,
    };
    // One fetcher for everything, so politeness and robots.txt are shared.
    // Sitemaps are XML, gzip or plain text: those types are kept (stored in
    // the WARC files, never parsed as pages) besides what the profile keeps.
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
    let fetcher = Fetcher::new(fetch_cfg)?;
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

    let pb = if opts.progress {
        crate::cli::crawl_bar()
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut last_progress = Instant::now() - Duration::from_secs(1);
    let max_jobs = rayon::current_num_threads() * 4;
    let want_in_flight = cfg.fetch.concurrency.max(1) * 2;
    let (wtx, mut wrx) = tokio::sync::mpsc::unbounded_channel::<Done>();
    let mut tasks: JoinSet<Fetched> = JoinSet::new();
    recover(
        &mut st,
        &opts.store,
        &profile,
        &cfg,
        opts.extract,
        &wtx,
        &mut wrx,
    )
    .await?;
    let mut jobs = 0usize;
    let mut last_flush = Instant::now();
    let mut interrupted = false;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        if jobs < max_jobs && tasks.len() < want_in_flight {
            st.flush()?;
            last_flush = Instant::now();
            for c in st.ledger.claim(want_in_flight - tasks.len())? {
                let f = fetcher.clone();
                let scope = scope_fn.clone();
                let warcinfo_id = st.warc.next_warcinfo_id().to_string();
                tasks.spawn(async move {
                    let url = match Url::parse(&c.url) {
                        Ok(u) => u,
                        Err(e) => {
                            let failure = crate::fetch::Failure {
                                reason: crate::fetch::Reason::Other,
                                detail: format!("unparsable URL in the ledger: {e}"),
                                attempts: 0,
                                chain: vec![],
                            };
                            return (c, FetchOutcome::Failed(failure), None);
                        }
                    };
                    match f.fetch(&url, &*scope).await {
                        FetchOutcome::Response(r) => {
                            let (r, records) = prepare_records(r, warcinfo_id).await;
                            (c, FetchOutcome::Response(r), records)
                        }
                        out => (c, out, None),
                    }
                });
            }
        }
        if tasks.is_empty() && jobs == 0 {
            st.flush()?;
            if st.ledger.pending()? == 0 {
                break;
            }
            // queued URLs exist but none could be claimed: should not happen; avoid spinning
            if st.ledger.claim(0)?.is_empty() && st.ledger.urls(Status::Queued)?.is_empty() {
                break;
            }
            continue;
        }
        tokio::select! {
            Some(res) = tasks.join_next(), if !tasks.is_empty() => {
                match res {
                    Ok((c, out, records)) => {
                        if let Some(job) = handle_fetch(&mut st, c, out, records)? {
                            jobs += 1;
                            spawn_job(job, profile.clone(), cfg.clone(), opts.extract, wtx.clone());
                        }
                    }
                    Err(e) => tracing::error!("a fetch task failed: {e}"),
                }
                if last_progress.elapsed() >= Duration::from_millis(500) {
                    last_progress = Instant::now();
                    // position: URLs settled; length: settled + still queued (so the ETA is real)
                    let pending = st.ledger.pending()? as u64;
                    pb.set_length(st.seen.len() as u64);
                    pb.set_position((st.seen.len() as u64).saturating_sub(pending));
                    pb.set_message(format!(
                        "{} responses · {} failed · {} in flight · {} parsing",
                        st.fetched_now,
                        st.failed_now,
                        tasks.len(),
                        jobs
                    ));
                }
            }
            Some(done) = wrx.recv(), if jobs > 0 => {
                jobs -= 1;
                handle_done(&mut st, done)?;
            }
            _ = &mut ctrl_c => {
                interrupted = true;
                break;
            }
        }
        if last_flush.elapsed() > Duration::from_millis(200) || st.batch.len() > 500 {
            st.flush()?;
            last_flush = Instant::now();
        }
    }
    // Let parse jobs already started finish, so their links and records are kept.
    while jobs > 0 && !interrupted {
        if let Some(done) = wrx.recv().await {
            jobs -= 1;
            handle_done(&mut st, done)?;
        } else {
            break;
        }
    }
    st.flush()?;
    if !interrupted {
        // every stored page is settled in the ledger now
        st.pending.clear().map_err(|source| CrawlError::Io {
            what: format!("clearing {}", st.pending.path().display()),
            source,
        })?;
    }
    st.warc.sync()?;
    pb.finish_and_clear();
    Ok(CrawlSummary {
        fetched_now: st.fetched_now,
        resumed_in_flight,
        repaired_bytes,
        interrupted,
        seconds: started.elapsed().as_secs_f64(),
        counts: st.ledger.counts()?,
    })
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

/// Parse again, from the store, the pages a killed run had stored but not
/// yet settled, before anything new is claimed.
async fn recover(
    st: &mut State,
    store: &Path,
    profile: &Arc<Profile>,
    cfg: &Arc<CrawlConfig>,
    extract_too: bool,
    wtx: &tokio::sync::mpsc::UnboundedSender<Done>,
    wrx: &mut tokio::sync::mpsc::UnboundedReceiver<Done>,
) -> Result<(), CrawlError> {
    let notes = reconcile::read(store).map_err(|source| CrawlError::Io {
        what: format!("reading {}", store.join(reconcile::PENDING).display()),
        source,
    })?;
    let mut n = 0;
    let mut done = HashSet::new();
    // newest first: a page's located note comes after the note written before its record
    for mut p in notes.into_iter().rev() {
        // only pages still waiting (back in the queue after the kill), once
        // each; a page reached by a redirect waits under the URL that was
        // asked for, and the redirect is applied again
        let waiting = st.ledger.get(&p.url)?.map(|r| r.status) == Some(Status::Queued);
        let redirect_waiting = match &p.redirected_from {
            Some(from) => st.ledger.get(from)?.map(|r| r.status) == Some(Status::Queued),
            None => false,
        };
        if !(waiting || redirect_waiting) || !done.insert(p.url.clone()) {
            continue;
        }
        if p.file.is_empty() && !reconcile::locate(store, &mut p) {
            continue; // the record never reached the disk: fetched again
        }
        let body = match reconcile::body(store, &p) {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(
                    "{}: stored page unreadable ({e}); it will be fetched again",
                    p.url
                );
                continue;
            }
        };
        let Ok(fetched_url) = Url::parse(&p.fetched_url) else {
            continue;
        };
        if let (true, Some(from)) = (redirect_waiting, &p.redirected_from) {
            st.note_redirect(from, &p.hops, &p.url, p.depth);
        }
        let fetched = Update::Fetched {
            url: p.url.clone(),
            final_url: (p.fetched_url != p.url).then(|| p.fetched_url.clone()),
            http_status: p.status,
            content_type: p.content_type.clone(),
            warc: Some(WarcRef {
                file: p.file.clone(),
                offset: p.offset,
                length: p.length,
            }),
            digest: Some(p.digest.clone()),
        };
        let job = Job {
            fetched,
            url: p.url,
            fetched_url,
            depth: p.depth,
            digest: p.digest,
            content_type: p.content_type,
            body,
        };
        spawn_job(job, profile.clone(), cfg.clone(), extract_too, wtx.clone());
        n += 1;
    }
    for _ in 0..n {
        match wrx.recv().await {
            Some(done) => handle_done(st, done)?,
            None => break,
        }
    }
    if n > 0 {
        tracing::info!("{n} stored pages of the interrupted run parsed again from the store");
    }
    st.flush()
}

/// What a fetch task hands back: the claimed URL, what the fetch gave, and
/// for a response its WARC records, built on the task's side.
type Fetched = (Claimed, FetchOutcome, Option<PreparedExchange>);

/// The exchange of a response, as the page store archives it.
fn exchange(r: &crate::fetch::Response) -> Exchange<'_> {
    Exchange {
        target_uri: r.url.as_str(),
        date: r.date,
        ip: r.ip,
        method: &r.method,
        request_headers: &r.request_headers,
        http_version: &r.http_version,
        status: r.status,
        reason: &r.reason_phrase,
        response_headers: &r.headers,
        payload: &r.raw_body,
    }
}

/// Build the WARC records of a response (SHA-1 digests, gzip members) on
/// the rayon pool, so the task that owns the writer only appends them.
/// None if that failed: the writer then builds them itself.
async fn prepare_records(
    r: crate::fetch::Response,
    warcinfo_id: String,
) -> (crate::fetch::Response, Option<PreparedExchange>) {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let r = Arc::new(r);
    let shared = Arc::clone(&r);
    rayon::spawn(move || {
        let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            prepare_exchange(&exchange(&shared), &warcinfo_id).ok()
        }));
        drop(shared);
        let _ = tx.send(built.ok().flatten());
    });
    let records = rx.await.ok().flatten();
    // the pool job has dropped its handle by the time it sends
    let r = Arc::try_unwrap(r).unwrap_or_else(|r| (*r).clone());
    (r, records)
}

fn handle_fetch(
    st: &mut State,
    c: Claimed,
    out: FetchOutcome,
    records: Option<PreparedExchange>,
) -> Result<Option<Job>, CrawlError> {
    match out {
        FetchOutcome::Response(r) => {
            st.fetched_now += 1;
            let ex = exchange(&r);
            let digest = match &records {
                Some(p) => p.payload_digest().to_string(),
                None => payload_digest(&r.raw_body),
            };
            let final_canon = canonicalize(&r.url, &st.cfg.canon).to_string();
            let content_type = r
                .header("content-type")
                .map(|v| String::from_utf8_lossy(v).to_string());
            let is_page =
                (200..300).contains(&r.status) && r.kind == crate::fetch::ContentKind::Html;
            let mut note = reconcile::Pending {
                url: final_canon.clone(),
                fetched_url: r.url.to_string(),
                depth: c.depth,
                digest: digest.clone(),
                status: r.status,
                content_type: content_type.clone(),
                file: String::new(),
                offset: 0,
                length: 0,
                redirected_from: (final_canon != c.url).then(|| c.url.clone()),
                hops: r
                    .chain
                    .iter()
                    .map(|hop| canonicalize(&hop.url, &st.cfg.canon).to_string())
                    .collect(),
            };
            if is_page {
                // noted before the record is written: a kill in between cannot hide it
                st.pending.note(&note).map_err(|source| CrawlError::Io {
                    what: "writing the pending log".into(),
                    source,
                })?;
            }
            let loc = match records {
                Some(p) => st.warc.append(p, &ex)?,
                None => st.warc.write_exchange(&ex)?,
            };
            if final_canon != c.url {
                st.note_redirect(&c.url, &note.hops, &final_canon, c.depth);
            }
            if (200..300).contains(&r.status) {
                let fetched = Update::Fetched {
                    url: final_canon.clone(),
                    final_url: (r.url.as_str() != final_canon).then(|| r.url.to_string()),
                    http_status: r.status,
                    content_type: content_type.clone(),
                    warc: Some(to_ref(&loc)),
                    digest: Some(digest.clone()),
                };
                if is_page {
                    let w = to_ref(&loc);
                    note.file = w.file;
                    note.offset = w.offset;
                    note.length = w.length;
                    st.pending.note(&note).map_err(|source| CrawlError::Io {
                        what: "writing the pending log".into(),
                        source,
                    })?;
                    return Ok(Some(Job {
                        fetched,
                        url: final_canon,
                        fetched_url: r.url,
                        depth: c.depth,
                        digest,
                        content_type,
                        body: r.body,
                    }));
                }
                st.batch.push(fetched);
            } else {
                st.batch.push(Update::Failed {
                    url: final_canon,
                    reason: format!("http_{}", r.status),
                    detail: format!(
                        "HTTP {} {} after {} attempt(s)",
                        r.status, r.reason_phrase, r.attempts
                    ),
                    attempts: c.attempts + r.attempts,
                });
            }
        }
        FetchOutcome::Failed(f) => {
            st.failed_now += 1;
            st.batch.push(Update::Failed {
                url: c.url,
                reason: f.reason.code(),
                detail: f.detail,
                attempts: c.attempts + f.attempts,
            })
        }
        FetchOutcome::Skipped(f) => st.batch.push(Update::Skipped {
            url: c.url,
            reason: f.reason.code(),
            detail: f.detail,
        }),
    }
    Ok(None)
}

fn spawn_job(
    job: Job,
    profile: Arc<Profile>,
    cfg: Arc<CrawlConfig>,
    extract_too: bool,
    tx: tokio::sync::mpsc::UnboundedSender<Done>,
) {
    rayon::spawn(move || {
        let page = Page {
            url: &job.fetched_url,
            bytes: &job.body,
            content_type: job.content_type.as_deref(),
            url_source: "fetch",
        };
        let work = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let parsed = extract::parse(&page, &profile);
            let links: Vec<Url> = match &parsed {
                Some(p) => discover(&p.doc, &job.fetched_url, &cfg.follow)
                    .into_iter()
                    .map(|l| l.url)
                    .collect(),
                None => Vec::new(),
            };
            let outcome = if extract_too {
                let o = match &parsed {
                    Some(p) => {
                        extract::extract_parsed(p, &page, &profile, &mut extract::Trace::off())
                    }
                    None => extract::extract(&page, &profile),
                };
                Some(crate::check::outcome_value(&o))
            } else {
                None
            };
            (links, outcome)
        }));
        let (links, outcome) = work.unwrap_or_else(|_| {
            let o = Outcome::Failed {
                template: None,
                error: extract::ExtractError::Panic("while parsing a fetched page".into()),
            };
            (Vec::new(), Some(crate::check::outcome_value(&o)))
        });
        let _ = tx.send(Done {
            fetched: job.fetched,
            url: job.url,
            depth: job.depth,
            digest: job.digest,
            links,
            outcome,
        });
    });
}

fn handle_done(st: &mut State, d: Done) -> Result<(), CrawlError> {
    for l in &d.links {
        st.see(l, d.depth + 1, Some(&d.url));
    }
    st.batch.push(d.fetched);
    if let (Some(o), Some(spool)) = (d.outcome, st.spool.as_mut()) {
        let line = serde_json::json!({ "page": d.url, "digest": d.digest, "profile": st.fingerprint, "outcome": o });
        writeln!(spool, "{line}").map_err(|source| CrawlError::Io {
            what: "writing the record spool".into(),
            source,
        })?;
    }
    Ok(())
}
