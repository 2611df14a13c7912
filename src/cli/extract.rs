//! `sitelift extract`: saved pages → JSON Lines, in parallel, in a
//! deterministic order (the sorted input paths), whatever the thread count.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use rayon::prelude::*;
use url::Url;

use crate::check::extract_saved;
use crate::extract::Outcome;
use crate::input;
use crate::output::record::{ErrorEntry, ErrorInfo};

/// Arguments of `sitelift extract`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site profile (selectors/<site>.toml).
    #[arg(long)]
    profile: PathBuf,
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
    #[command(flatten)]
    output: super::reporting::OutputFlags,
}

/// Counts of what happened to the pages.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    /// Records written.
    pub records: usize,
    /// Pages of non-emitting templates (listings).
    pub not_emitted: usize,
    /// Pages no template matched.
    pub unmatched: usize,
    /// Pages that failed.
    pub failed: usize,
}

/// One output line for an outcome (None for pages that emit nothing).
pub fn line_for(
    outcome: &Outcome,
    url: Option<&str>,
    path: Option<&str>,
    tally: &mut Tally,
) -> Option<String> {
    let entry = |kind: &str, message: String, template: Option<String>| ErrorEntry {
        error: ErrorInfo {
            kind: kind.into(),
            message,
        },
        url: url.map(Into::into),
        path: path.map(Into::into),
        template,
    };
    let v = match outcome {
        Outcome::Record(r) => {
            tally.records += 1;
            serde_json::to_string(r)
        }
        Outcome::NotEmitted { .. } => {
            tally.not_emitted += 1;
            return None;
        }
        Outcome::Unmatched => {
            tally.unmatched += 1;
            serde_json::to_string(&entry(
                "unmatched",
                crate::extract::UNMATCHED_MESSAGE.into(),
                None,
            ))
        }
        Outcome::Failed { template, error } => {
            tally.failed += 1;
            serde_json::to_string(&entry(error.kind(), error.to_string(), template.clone()))
        }
    };
    v.ok()
}

/// Pages extracted per batch: bounds memory while keeping the output ordered.
const BATCH: usize = 256;

fn is_warc(p: &std::path::Path) -> bool {
    let n = p.to_string_lossy().to_ascii_lowercase();
    n.ends_with(".warc") || n.ends_with(".warc.gz")
}

/// Extract from a store or WARC files: one record per article, aliases merged.
fn run_stored(a: &Args, profile: &crate::profile::Profile) -> anyhow::Result<u8> {
    let pages = match &a.store {
        Some(store) => Some(crate::crawl::assemble::pages_from_store(store)?),
        None => {
            if let Some(p) = a.paths.iter().find(|p| !is_warc(p)) {
                anyhow::bail!(
                    "{} is not a WARC file: give either WARC files or HTML pages, not both",
                    p.display()
                );
            }
            None
        }
    };
    // a store's pages are extracted on a rayon pool; WARC files are read as
    // a stream by one reader thread and the same number of workers
    let threads = a.threads.unwrap_or(0);
    let pool = match &pages {
        Some(_) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()?,
        ),
        None => None,
    };
    super::reporting::watch_ctrl_c();
    let mut outputs =
        crate::output::writer::Outputs::open(profile, a.output.layout, a.out.as_deref())?;
    if let Some(store) = &a.store {
        if let Err(e) = outputs.ledger(store) {
            outputs.abort(&format!("failed: {e}"));
            return Err(e.into());
        }
    }
    // streamed: records are spooled to a temporary file, not held in memory,
    // and handed to the outputs in their final order
    let mut push = |l: &str| {
        outputs
            .push_line(l)
            .map_err(|e| std::io::Error::other(e.to_string()))
    };
    let assembled = match &pages {
        Some(pages) => crate::crawl::assemble::assemble_to(
            pages,
            profile,
            &Default::default(),
            pool.as_ref(),
            &mut push,
        )
        .map(|out| (out, Vec::new())),
        None => crate::crawl::assemble::assemble_warcs(
            &a.paths,
            profile,
            if threads > 0 {
                threads
            } else {
                rayon::current_num_threads()
            },
            &mut push,
        ),
    };
    let (out, problems) = match assembled {
        Ok(x) => x,
        Err(e) => {
            outputs.abort(&format!("failed: {e}"));
            return Err(anyhow::Error::new(e).context("assembling the output"));
        }
    };
    for p in &problems {
        eprintln!("sitelift: warning: {p} (the records before it were read)");
    }
    if super::reporting::stop_requested() {
        outputs.abort("interrupted");
        eprintln!(
            "sitelift: interrupted; no records written (the previous output, if any, is untouched)"
        );
        return Ok(1);
    }
    for (url, template) in &out.listings {
        outputs.listing(url, template);
    }
    outputs.merged(out.merged);
    outputs.finish().context("finishing the output")?;
    eprintln!(
        "sitelift: {} pages: {} records ({} merged by legacy id), {} not emitted (listings), {} unmatched, {} failed",
        out.pages,
        out.records,
        out.merged,
        out.not_emitted,
        out.unmatched,
        out.failed
    );
    Ok(u8::from(
        out.unmatched + out.failed > 0 || !problems.is_empty(),
    ))
}

pub fn run(a: Args) -> anyhow::Result<u8> {
    let profile = super::load_profile(&a.profile)?;
    if a.store.is_some() || a.paths.iter().any(|p| is_warc(p)) {
        return run_stored(&a, &profile);
    }
    let pages = input::collect(&a.paths)?;
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
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(a.threads.unwrap_or(0))
        .build()?;
    let root = a.paths.first().filter(|p| p.is_dir()).cloned();
    let base = a.base_url.clone().or_else(|| profile.base_url.clone());
    let mut outputs =
        crate::output::writer::Outputs::open(&profile, a.output.layout, a.out.as_deref())?;
    super::reporting::watch_ctrl_c();
    let pb = super::progress(pages.len() as u64, "extract");
    let mut tally = Tally::default();
    for chunk in pages.chunks(BATCH) {
        if super::reporting::stop_requested() {
            pb.finish_and_clear();
            outputs.abort("interrupted");
            eprintln!("sitelift: interrupted; no records written (the previous output, if any, is untouched)");
            return Ok(1);
        }
        type Done = (Option<String>, Tally, Option<(String, String)>);
        let lines: Vec<Done> = pool.install(|| {
            chunk
                .par_iter()
                .map(|path| {
                    let mut t = Tally::default();
                    let mut listing = None;
                    let shown = path.display().to_string();
                    let line = match input::load(path, root.as_deref(), base.as_ref()) {
                        Ok(saved) => {
                            let o = extract_saved(&saved, &profile);
                            if let Outcome::NotEmitted { template } = &o {
                                listing = Some((saved.url.to_string(), template.to_string()));
                            }
                            line_for(&o, Some(saved.url.as_str()), Some(&shown), &mut t)
                        }
                        Err(e) => {
                            t.failed += 1;
                            let entry = ErrorEntry {
                                error: ErrorInfo {
                                    kind: "read".into(),
                                    message: e.to_string(),
                                },
                                url: None,
                                path: Some(shown),
                                template: None,
                            };
                            serde_json::to_string(&entry).ok()
                        }
                    };
                    pb.inc(1);
                    (line, t, listing)
                })
                .collect()
        });
        for (line, t, listing) in lines {
            tally.records += t.records;
            tally.not_emitted += t.not_emitted;
            tally.unmatched += t.unmatched;
            tally.failed += t.failed;
            if let Some((url, template)) = listing {
                outputs.listing(&url, &template);
            }
            if let Some(l) = line {
                if let Err(e) = outputs.push_line(&l) {
                    pb.finish_and_clear();
                    outputs.abort(&format!("failed: {e}"));
                    return Err(e.into());
                }
            }
        }
    }
    pb.finish_and_clear();
    outputs.finish().context("finishing the output")?;
    eprintln!(
        "sitelift: {} pages: {} records, {} not emitted (listings), {} unmatched, {} failed",
        pages.len(),
        tally.records,
        tally.not_emitted,
        tally.unmatched,
        tally.failed
    );
    std::io::stderr().flush().ok();
    Ok(if tally.unmatched + tally.failed > 0 {
        1
    } else {
        0
    })
}
