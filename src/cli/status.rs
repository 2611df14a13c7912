//! `sitelift status STORE`: what the ledger knows: counts by status and
//! reason, and every failed URL with its reason.

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
    if !a.store.join("ledger.sqlite").exists() {
        anyhow::bail!(
            "{} has no ledger.sqlite: not a sitelift store",
            a.store.display()
        );
    }
    let ledger = Ledger::open(&a.store)?;
    println!("store: {}", a.store.display());
    let mut total = 0;
    for (st, reason, n) in ledger.counts()? {
        total += n;
        println!(
            "  {:<10} {:<24} {n:>8}",
            st.as_str(),
            reason.as_deref().unwrap_or("-")
        );
    }
    println!("  {:<35} {total:>8}", "total URLs");
    println!("  {:<35} {:>8}", "aliases", ledger.all_aliases()?.len());
    let failed = ledger.urls(Status::Failed)?;
    if !failed.is_empty() {
        println!("failed URLs:");
        for r in &failed {
            println!(
                "  {} [{}] after {} attempt(s): {}",
                r.url,
                r.reason.as_deref().unwrap_or("?"),
                r.attempts,
                r.detail.as_deref().unwrap_or("")
            );
        }
    }
    if a.skipped {
        println!("skipped URLs:");
        for r in ledger.urls(Status::Skipped)? {
            println!(
                "  {} [{}] {}",
                r.url,
                r.reason.as_deref().unwrap_or("?"),
                r.detail.as_deref().unwrap_or("")
            );
        }
    }
    Ok(0)
}
