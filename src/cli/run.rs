//! `sitelift run`: crawl and extract in one go, pipelined (pages are
//! extracted on rayon workers while fetching goes on), then the final
//! output: one record per article, aliases merged, in a stable order.

use std::path::PathBuf;

use anyhow::Context;

use crate::assemble::offline::from_pages_counted;
use crate::crawl::{crawl, spool, CrawlOptions, SPOOL};
use crate::output::writer::Outputs;
use crate::sources::store;
use crate::store::{LockError, StoreLock};

/// Arguments of `sitelift run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    flags: super::crawl::CrawlFlags,
    /// Write the records (JSON Lines) here, atomically.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    output: super::reporting::OutputFlags,
}

/// A fingerprint of the profile text, so records extracted with another
/// version of the profile are never reused.
pub fn fingerprint(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_default();
    crate::crawl::payload_digest(&bytes)
}

pub fn run(a: Args) -> anyhow::Result<u8> {
    let (profile, cfg, _served) = super::crawl::prepare(&a.flags)?;
    // held until the records are written: no other process changes the
    // store between the crawl and the assembly that reads it
    let lock = match StoreLock::acquire(&a.flags.store, "run") {
        Ok(l) => l,
        // another run's: nothing of ours may be touched, not even the report
        Err(e @ LockError::Busy { .. }) => return Err(e.into()),
        Err(e) => {
            if let Ok(o) = Outputs::open(&profile, a.output.layout, Some(&a.out)) {
                o.abort(&format!("failed: {}", crate::text::error_chain(&e)));
            }
            return Err(e.into());
        }
    };
    let fp = fingerprint(&a.flags.profile);
    let opts = CrawlOptions {
        store: a.flags.store.clone(),
        seeds: a.flags.seeds.clone(),
        retry_failed: a.flags.retry_failed,
        extract: true,
        progress: super::crawl_progress(),
        profile_fingerprint: fp.clone(),
    };
    let mut outputs = Outputs::open(&profile, a.output.layout, Some(&a.out))?;
    let store = a.flags.store.clone();
    let canon = profile.crawl.as_ref().map(|c| c.canon.clone());
    let media = crate::output::media::Lazy::new(move || {
        match crate::media::StoreMedia::open(&store, canon) {
            Ok(m) => Box::new(m) as Box<dyn crate::media::MediaSource + Send>,
            Err(e) => {
                eprintln!("sitelift: warning: media: {}", crate::text::error_chain(&e));
                Box::new(crate::output::media::NoMedia)
            }
        }
    });
    super::reporting::media_into(&mut outputs, &a.output, Ok(Box::new(media)))?;
    let summary = match crawl(profile.clone(), cfg, opts, &lock) {
        Ok(s) => s,
        Err(e) => {
            let _ = outputs.ledger(&a.flags.store);
            outputs.abort(&format!("failed: {}", crate::text::error_chain(&e)));
            return Err(e.into());
        }
    };
    super::crawl::print_summary(&summary);
    if summary.interrupted {
        let _ = outputs.ledger(&a.flags.store);
        outputs.abort("interrupted");
        eprintln!("sitelift: no records written; run the same command again to resume");
        return Ok(1);
    }
    // the pages are read from the ledger as the assembly takes them, so
    // memory does not grow with the number of pages
    let done = store::page_stream(&a.flags.store)
        .map_err(anyhow::Error::from)
        .and_then(|pages| {
            let extracted = spool::Spool::open(&a.flags.store.join(SPOOL), &fp)
                .context("reading the record spool")?;
            outputs.ledger(&a.flags.store)?;
            // the final assembly takes minutes at 100k pages: a bar of its own
            let pb = super::progress(pages.fetched, "assemble");
            let done = |n: u64| pb.inc(n);
            let mut pages = pages;
            let out = super::reporting::assemble_into(&mut outputs, |write| {
                from_pages_counted(pages.by_ref(), &profile, &extracted, None, &done, write)
            });
            pb.finish_and_clear();
            let listed = pages.end();
            let out = out?;
            let listed = listed?;
            outputs.merged(out.merged);
            Ok((listed, out))
        });
    let (listed, out) = match done {
        Ok(x) => x,
        Err(e) => {
            outputs.abort(&format!("failed: {e:#}"));
            return Err(e);
        }
    };
    outputs.finish().context("writing the records")?;
    eprintln!(
        "sitelift: {} pages: {} records ({} duplicate pages merged by legacy id), {} not emitted (listings), {} unmatched, {} failed → {}",
        listed,
        out.records,
        out.merged,
        out.not_emitted,
        out.unmatched,
        out.failed,
        a.out.display()
    );
    Ok(u8::from(
        super::crawl::exit_code(&summary) == 1 || out.unmatched + out.failed > 0,
    ))
}
