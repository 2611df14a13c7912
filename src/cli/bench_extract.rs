//! `sitelift bench-extract`: extraction throughput over WARC files, for
//! BENCHMARKS.md. One thread cuts the files into compressed records (see
//! [`ChunkReader`]) into a bounded queue; `--threads` workers inflate,
//! decode, parse, extract and serialise each page (the output lines are
//! counted, not kept). Reports pages/s, MB/s of HTML
//! and the peak resident memory (VmHWM) on stderr, so memory flatness can be
//! compared between corpus sizes.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use url::Url;

use crate::extract::{extract_contained, Page};
use crate::record::Outcome;
use crate::store::{inflate_member, Chunk, ChunkReader};

/// Arguments of `sitelift bench-extract`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site profile.
    #[arg(long)]
    profile: PathBuf,
    /// WARC files (.warc, .warc.gz).
    #[arg(required = true)]
    warcs: Vec<PathBuf>,
    /// Extraction workers (the reader thread comes on top).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Stop after this many pages.
    #[arg(long)]
    limit: Option<u64>,
}

/// Totals of one worker.
#[derive(Debug, Default, Clone, Copy)]
struct Totals {
    pages: u64,
    html_bytes: u64,
    json_bytes: u64,
    records: u64,
    failed: u64,
}

/// Peak resident set size of this process in KiB (`VmHWM`), when known.
pub fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn work(
    rx: &Mutex<Receiver<(usize, Chunk)>>,
    files: &[PathBuf],
    profile: &crate::profile::Profile,
    limit: Option<u64>,
    taken: &AtomicU64,
) -> Totals {
    let mut t = Totals::default();
    loop {
        let (file, chunk) = match rx.lock() {
            Ok(guard) => match guard.recv() {
                Ok(r) => r,
                Err(_) => return t,
            },
            Err(_) => return t,
        };
        let rec = match chunk {
            Chunk::Record(rec) => rec,
            Chunk::Member { offset, bytes } => match inflate_member(&files[file], offset, &bytes) {
                Ok(rec) => rec,
                Err(e) => {
                    eprintln!("sitelift: {e}");
                    t.failed += 1;
                    continue;
                }
            },
        };
        if rec.warc_type != "response" {
            continue;
        }
        // the first `limit` responses in the order workers reach them
        if limit.is_some_and(|l| taken.fetch_add(1, Ordering::Relaxed) >= l) {
            continue;
        }
        let Ok(http) = rec.http_response() else {
            t.failed += 1;
            continue;
        };
        let Some(url) = rec.target_uri.as_deref().and_then(|u| Url::parse(u).ok()) else {
            t.failed += 1;
            continue;
        };
        let page = Page {
            url: &url,
            bytes: &http.body,
            content_type: http.header("content-type"),
            url_source: "warc",
        };
        let outcome = extract_contained(&page, profile);
        match &outcome {
            Outcome::Record(_) => t.records += 1,
            Outcome::Failed(_) => t.failed += 1,
            Outcome::NotEmitted { .. } | Outcome::Unmatched => {}
        }
        t.pages += 1;
        t.html_bytes += http.body.len() as u64;
        // the output's cost: every outcome is written as JSON
        t.json_bytes += serde_json::to_string(&outcome).map_or(0, |s| s.len()) as u64;
    }
}

pub fn run(a: Args) -> anyhow::Result<u8> {
    let profile = Arc::new(super::load_profile(&a.profile)?);
    let threads = a.threads.max(1);
    let (tx, rx) = sync_channel::<(usize, Chunk)>(threads * 4);
    let rx = Arc::new(Mutex::new(rx));
    let files = Arc::new(a.warcs.clone());
    let taken = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let rx = Arc::clone(&rx);
            let profile = Arc::clone(&profile);
            let files = Arc::clone(&files);
            let taken = Arc::clone(&taken);
            let limit = a.limit;
            std::thread::spawn(move || work(&rx, &files, &profile, limit, &taken))
        })
        .collect();
    let mut problems = 0u64;
    'files: for (i, f) in a.warcs.iter().enumerate() {
        let reader = match ChunkReader::open(f) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("sitelift: {e}");
                problems += 1;
                continue;
            }
        };
        for chunk in reader {
            match chunk {
                Ok(c) => {
                    if a.limit.is_some_and(|l| taken.load(Ordering::Relaxed) >= l) {
                        break 'files;
                    }
                    if tx.send((i, c)).is_err() {
                        break 'files;
                    }
                }
                Err(e) => {
                    eprintln!("sitelift: {e}");
                    problems += 1;
                    break;
                }
            }
        }
    }
    drop(tx);
    let mut total = Totals::default();
    for w in workers {
        let t = w.join().map_err(|_| anyhow::anyhow!("a worker panicked"))?;
        total.pages += t.pages;
        total.html_bytes += t.html_bytes;
        total.json_bytes += t.json_bytes;
        total.records += t.records;
        total.failed += t.failed;
    }
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    eprintln!(
        "sitelift: bench-extract threads={threads} pages={} records={} failed={} html={:.1}MB json={:.1}MB time={secs:.2}s pages/s={:.1} MB/s={:.1} ms/page/thread={:.3} peak_rss={}MB",
        total.pages,
        total.records,
        total.failed,
        total.html_bytes as f64 / 1e6,
        total.json_bytes as f64 / 1e6,
        total.pages as f64 / secs,
        total.html_bytes as f64 / 1e6 / secs,
        secs * 1000.0 * threads as f64 / total.pages.max(1) as f64,
        peak_rss_kib().map(|k| (k / 1024).to_string()).unwrap_or_else(|| "?".into()),
    );
    Ok(u8::from(problems > 0 || total.failed > 0))
}
