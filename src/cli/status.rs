//! `sitelift status STORE`: what the ledger knows: counts by status and
//! reason, and every failed URL with its reason. It only reads, so it works
//! while a crawl writes the store (and says that the crawl is going).

use std::io::Write;
use std::path::PathBuf;

use crate::frontier::ledger::{Ledger, Status};

/// Arguments of `sitelift status`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The store folder.
    store: PathBuf,
    /// Also list skipped URLs.
    #[arg(long)]
    skipped: bool,
}

pub fn run(a: Args) -> anyhow::Result<u8> {
    let mut out = std::io::stdout().lock();
    if !a.store.join("ledger.sqlite").exists() {
        anyhow::bail!(
            "{} has no ledger.sqlite: not a sitelift store",
            a.store.display()
        );
    }
    let ledger = Ledger::open_read_only(&a.store)?;
    writeln!(out, "store: {}", a.store.display())?;
    if let Some(holder) = crate::store::writer_at_work(&a.store) {
        writeln!(
            out,
            "  a crawl is still going ({holder}): these counts are as of now"
        )?;
    }
    let mut total = 0;
    for (kind, st, reason, n) in ledger.counts_by_kind()? {
        total += n;
        let kind = match kind {
            crate::frontier::ledger::UrlKind::Page => "",
            crate::frontier::ledger::UrlKind::Media => " (media)",
        };
        writeln!(
            out,
            "  {:<10} {:<24} {n:>8}{kind}",
            st.as_str(),
            reason.as_deref().unwrap_or("-")
        )?;
    }
    writeln!(out, "  {:<35} {total:>8}", "total URLs")?;
    writeln!(
        out,
        "  {:<35} {:>8}",
        "aliases",
        ledger.all_aliases()?.len()
    )?;
    let failed = ledger.urls(Status::Failed)?;
    if !failed.is_empty() {
        writeln!(out, "failed URLs:")?;
        for r in &failed {
            writeln!(
                out,
                "  {} [{}] after {} attempt(s): {}",
                r.url,
                r.reason.as_deref().unwrap_or("?"),
                r.attempts,
                r.detail.as_deref().unwrap_or("")
            )?;
        }
    }
    if a.skipped {
        writeln!(out, "skipped URLs:")?;
        for r in ledger.urls(Status::Skipped)? {
            writeln!(
                out,
                "  {} [{}] {}",
                r.url,
                r.reason.as_deref().unwrap_or("?"),
                r.detail.as_deref().unwrap_or("")
            )?;
        }
    }
    Ok(0)
}
