//! `sitelift extract`: saved pages, WARC files or a crawl store → JSON
//! Lines (or a folder), in parallel, in a deterministic order whatever the
//! thread count. The work is in [`crate::assemble::offline`]; this file
//! parses the flags, opens the outputs and prints the summary.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use url::Url;

use crate::assemble::offline::{
    from_pages_counted, from_saved, from_warcs_counted, NothingExtracted, SavedBase, Watch,
};
use crate::assemble::Assembled;
use crate::frontier::ledger::Status;
use crate::media::{MediaSource, SavedMedia, StoreMedia, WarcMedia};
use crate::output::media::Lazy;
use crate::output::writer::Outputs;
use crate::profile::Profile;
use crate::sources::{saved, store};

/// Arguments of `sitelift extract`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site profile (selectors/<site>.toml).
    #[arg(long, required_unless_present = "generic")]
    profile: Option<PathBuf>,
    /// Generic extraction for the pages no template of the profile matches
    /// (every page, without --profile); such records say `template: "generic"`.
    #[arg(long)]
    generic: bool,
    /// Page files and folders (searched recursively for .html/.htm), or WARC files (.warc, .warc.gz).
    #[arg(required_unless_present = "store")]
    paths: Vec<PathBuf>,
    /// Extract from a crawl store instead (offline, one record per article).
    #[arg(long, conflicts_with = "paths")]
    store: Option<PathBuf>,
    /// Write JSON Lines here (atomically) instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// URL of the input folder, for pages without a sidecar or canonical link.
    #[arg(long)]
    base_url: Option<Url>,
    /// Worker threads (default: all cores). WARC files are read by one more
    /// thread that feeds the workers.
    #[arg(long)]
    threads: Option<usize>,
    /// Extract only the first N pages, a cheap trial of a profile: saved
    /// pages in path order, a store's pages in its order, WARC files' HTML
    /// responses in URL order. The report says the output is limited.
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    #[command(flatten)]
    output: super::reporting::OutputFlags,
}

/// The media of the input: the store's, the WARC files' (read when a record
/// first needs one), or the saved folder's.
fn media_of(a: &Args, profile: &Profile) -> anyhow::Result<Box<dyn MediaSource + Send>> {
    if let Some(store) = &a.store {
        let canon = profile.crawl.as_ref().map(|c| c.canon.clone());
        return Ok(Box::new(StoreMedia::open(store, canon)?));
    }
    if a.paths.iter().any(|p| is_warc(p)) {
        let files = a.paths.clone();
        return Ok(Box::new(Lazy::new(move || {
            let (m, problems) = WarcMedia::open(&files);
            for p in problems {
                eprintln!("sitelift: warning: reading media: {p}");
            }
            Box::new(m) as Box<dyn MediaSource + Send>
        })));
    }
    let root = match a.paths.first() {
        Some(p) if p.is_dir() => p.clone(),
        Some(p) => p
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default(),
        None => PathBuf::from("."),
    };
    let base = a.base_url.clone().or_else(|| profile.base_url.clone());
    Ok(Box::new(SavedMedia::open(&root, base.as_ref())?))
}

fn is_warc(p: &std::path::Path) -> bool {
    let n = p.to_string_lossy().to_ascii_lowercase();
    n.ends_with(".warc") || n.ends_with(".warc.gz")
}

/// Keep the first `n` pages; what the report says when that cut any.
fn limit<T>(pages: &mut Vec<T>, n: usize) -> Option<String> {
    let total = pages.len();
    pages.truncate(n);
    (total > n).then(|| format!("limited: the first {n} of {total} pages (--limit)"))
}

const INTERRUPTED: &str =
    "sitelift: interrupted; no records written (the previous output, if any, is untouched)";

/// Extract from a store or WARC files: one record per article, aliases merged.
fn run_stored(a: &Args, profile: &Profile) -> anyhow::Result<u8> {
    if a.store.is_none() {
        if let Some(p) = a.paths.iter().find(|p| !is_warc(p)) {
            anyhow::bail!(
                "{} is not a WARC file: give either WARC files or HTML pages, not both",
                p.display()
            );
        }
    }
    let mut pages = a.store.as_deref().map(store::pages).transpose()?;
    let mut listed_problems = Vec::new();
    if let (Some(_), None) = (a.limit, &pages) {
        // a limit needs the pages listed first: one pass over the WARC files
        let (listed, problems) = crate::sources::warc::pages(&a.paths);
        pages = Some(listed);
        listed_problems = problems;
    }
    let limited = match (a.limit, pages.as_mut()) {
        (Some(n), Some(p)) => limit(p, n),
        _ => None,
    };
    super::reporting::watch_ctrl_c();
    let mut outputs = Outputs::open(profile, a.output.layout, a.out.as_deref())?;
    super::reporting::media_into(&mut outputs, &a.output, media_of(a, profile))?;
    if let Some(store) = &a.store {
        if let Err(e) = outputs.ledger(store) {
            outputs.abort(&format!("failed: {}", crate::text::error_chain(&e)));
            return Err(e.into());
        }
    }
    // a store's pages are extracted on a rayon pool; WARC files are read as
    // a stream by one reader thread and the same number of workers
    let threads = a.threads.unwrap_or(0);
    // a store's pages are counted before: a bar with an ETA; WARC files
    // are read as a stream: pages so far and the rate
    let pb = match &pages {
        Some(pages) => super::progress(pages.len() as u64, "extract"),
        None => super::spinner("extract", "pages"),
    };
    let done = |n: u64| pb.inc(n);
    let assembled = super::reporting::assemble_into(&mut outputs, |write| match &pages {
        Some(pages) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map_err(std::io::Error::other)?;
            from_pages_counted(pages, profile, &NothingExtracted, Some(&pool), &done, write)
                .map(|out| (out, Vec::new()))
        }
        None => {
            let threads = match threads {
                0 => rayon::current_num_threads(),
                n => n,
            };
            from_warcs_counted(&a.paths, profile, threads, &done, write)
        }
    });
    pb.finish_and_clear();
    let (out, problems) = match assembled {
        Ok(x) => x,
        Err(e) => {
            outputs.abort(&format!("failed: {e:#}"));
            return Err(e);
        }
    };
    let problems: Vec<String> = listed_problems.into_iter().chain(problems).collect();
    for p in &problems {
        eprintln!("sitelift: warning: {p} (the records before it were read)");
    }
    if super::reporting::stop_requested() {
        outputs.abort("interrupted");
        eprintln!("{INTERRUPTED}");
        return Ok(1);
    }
    outputs.merged(out.merged);
    let unfinished = match &a.store {
        Some(store) => unfinished_crawl(store)?,
        None => None,
    };
    if let Some(l) = &limited {
        outputs.outcome(l);
    }
    if let Some(u) = &unfinished {
        outputs.outcome(&format!("incomplete: {u}"));
    }
    outputs.finish().context("finishing the output")?;
    eprintln!(
        "sitelift: {} pages: {} records ({} merged by legacy id), {} not emitted (listings), {} unmatched, {} failed",
        out.pages, out.records, out.merged, out.not_emitted, out.unmatched, out.failed
    );
    if let Some(u) = &unfinished {
        eprintln!("sitelift: the crawl is incomplete: {u}; the records are those of the pages fetched so far");
    }
    if let Some(l) = &limited {
        eprintln!("sitelift: {l}");
    }
    Ok(u8::from(
        out.unmatched + out.failed > 0 || !problems.is_empty() || unfinished.is_some(),
    ))
}

/// What is left of a store's crawl, when it is not finished: the URLs still
/// queued or in flight, and who is crawling now, if anyone.
fn unfinished_crawl(store: &std::path::Path) -> anyhow::Result<Option<String>> {
    let ledger = crate::frontier::ledger::Ledger::open_read_only(store)?;
    let (mut queued, mut in_flight) = (0, 0);
    for (st, _, n) in ledger.counts()? {
        match st {
            Status::Queued => queued += n,
            Status::InFlight => in_flight += n,
            _ => {}
        }
    }
    let going = crate::store::writer_at_work(store);
    if queued + in_flight == 0 && going.is_none() {
        return Ok(None);
    }
    let mut what = format!("{queued} URLs still queued, {in_flight} in flight");
    match going {
        Some(holder) => what.push_str(&format!(" (a crawl is still going: {holder})")),
        None => what.push_str(" (run the crawl again to finish it)"),
    }
    Ok(Some(what))
}

/// Extract saved pages, in the order of their sorted paths.
fn run_saved(a: &Args, profile: &Profile) -> anyhow::Result<u8> {
    let saved::Collected { mut pages, skipped } = saved::collect(&a.paths)?;
    for (p, what) in &skipped {
        eprintln!(
            "sitelift: note: skipped {}: not a regular file ({what})",
            p.display()
        );
    }
    if pages.is_empty() {
        anyhow::bail!(
            "no .html or .htm pages under {}",
            a.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let limited = a.limit.and_then(|n| limit(&mut pages, n));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(a.threads.unwrap_or(0))
        .build()?;
    let root = a.paths.first().filter(|p| p.is_dir()).cloned();
    let base_url = a.base_url.clone().or_else(|| profile.base_url.clone());
    let base = SavedBase {
        root: root.as_deref(),
        base_url: base_url.as_ref(),
    };
    let mut outputs = Outputs::open(profile, a.output.layout, a.out.as_deref())?;
    super::reporting::media_into(&mut outputs, &a.output, media_of(a, profile))?;
    super::reporting::watch_ctrl_c();
    let pb = super::progress(pages.len() as u64, "extract");
    let done = |n: u64| pb.inc(n);
    let watch = Watch {
        done: &done,
        stop: &super::reporting::stop_requested,
    };
    let result = super::reporting::assemble_into(&mut outputs, |write| {
        from_saved(&pages, profile, &base, &pool, &watch, write)
    });
    pb.finish_and_clear();
    let out: Assembled = match result {
        Ok(Some(out)) => out,
        Ok(None) => {
            outputs.abort("interrupted");
            eprintln!("{INTERRUPTED}");
            return Ok(1);
        }
        Err(e) => {
            outputs.abort(&format!("failed: {e:#}"));
            return Err(e);
        }
    };
    outputs.merged(out.merged);
    if let Some(l) = &limited {
        outputs.outcome(l);
    }
    outputs.finish().context("finishing the output")?;
    eprintln!(
        "sitelift: {} pages: {} records ({} merged by legacy id), {} not emitted (listings), {} unmatched, {} failed",
        out.pages, out.records, out.merged, out.not_emitted, out.unmatched, out.failed
    );
    if let Some(l) = &limited {
        eprintln!("sitelift: {l}");
    }
    std::io::stderr().flush().ok();
    Ok(u8::from(out.unmatched + out.failed > 0))
}

pub fn run(a: Args) -> anyhow::Result<u8> {
    let profile = match &a.profile {
        Some(p) => super::load_profile(p)?,
        None => Profile::generic(),
    };
    let profile = match a.generic {
        true => profile.with_generic_fallback(),
        false => profile,
    };
    // a FIFO named as an input would block its opening for ever
    for p in &a.paths {
        saved::named_input(p)?;
    }
    if a.store.is_some() || a.paths.iter().any(|p| is_warc(p)) {
        return run_stored(&a, &profile);
    }
    run_saved(&a, &profile)
}
