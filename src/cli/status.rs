//! `sitelift status STORE`: what the ledger knows: counts by status and
//! reason, and every failed URL with its reason. It only reads, so it works
//! while a crawl writes the store (and says that the crawl is going).
//! `--json` gives the same as one JSON object; `--limit N` lists at most N
//! URLs of each list (and says how many were left out).

use std::io::Write;
use std::path::PathBuf;

use serde_json::{json, Value};

use crate::frontier::ledger::{Ledger, Row, Status, UrlKind};

/// Arguments of `sitelift status`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The store folder.
    store: PathBuf,
    /// Also list skipped URLs.
    #[arg(long)]
    skipped: bool,
    /// List at most N URLs of each list (failed, skipped); the counts stay whole.
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Print one JSON object instead of the table (counts, failed and skipped URLs).
    #[arg(long)]
    json: bool,
}

/// What the ledger says, read once.
struct Snapshot {
    crawl_going: Option<String>,
    counts: Vec<crate::frontier::ledger::KindCount>,
    aliases: usize,
    failed: Vec<Row>,
    skipped: Option<Vec<Row>>,
}

fn kind_name(kind: UrlKind) -> &'static str {
    match kind {
        UrlKind::Page => "page",
        UrlKind::Media => "media",
    }
}

pub fn run(a: Args) -> anyhow::Result<u8> {
    if !a.store.join("ledger.sqlite").exists() {
        anyhow::bail!(
            "{} has no ledger.sqlite: not a sitelift store",
            a.store.display()
        );
    }
    let ledger = Ledger::open_read_only(&a.store)?;
    let snap = Snapshot {
        crawl_going: crate::store::writer_at_work(&a.store),
        counts: ledger.counts_by_kind()?,
        aliases: ledger.all_aliases()?.len(),
        failed: ledger.urls(Status::Failed)?,
        skipped: match a.skipped {
            true => Some(ledger.urls(Status::Skipped)?),
            false => None,
        },
    };
    let mut out = std::io::stdout().lock();
    match a.json {
        true => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&as_json(&a, &snap))?
        )?,
        false => print_table(&mut out, &a, &snap)?,
    }
    Ok(0)
}

fn row_json(r: &Row) -> Value {
    json!({
        "url": r.url,
        "reason": r.reason,
        "attempts": r.attempts,
        "detail": r.detail,
    })
}

/// A list of rows, cut at the limit: (the rows shown, how many were left out).
fn cut(rows: &[Row], limit: Option<usize>) -> (&[Row], usize) {
    let n = limit.unwrap_or(usize::MAX).min(rows.len());
    (&rows[..n], rows.len() - n)
}

fn as_json(a: &Args, s: &Snapshot) -> Value {
    let counts: Vec<Value> = s
        .counts
        .iter()
        .map(|(k, st, reason, n)| {
            json!({"kind": kind_name(*k), "status": st.as_str(), "reason": reason, "urls": n})
        })
        .collect();
    let list = |rows: &[Row]| {
        let (shown, left) = cut(rows, a.limit);
        json!({
            "total": rows.len(),
            "left_out": left,
            "urls": shown.iter().map(row_json).collect::<Vec<_>>(),
        })
    };
    let mut v = json!({
        "store": a.store.display().to_string(),
        "crawl_going": s.crawl_going,
        "counts": counts,
        "total_urls": s.counts.iter().map(|c| c.3).sum::<u64>(),
        "aliases": s.aliases,
        "failed": list(&s.failed),
    });
    if let Some(sk) = &s.skipped {
        v["skipped"] = list(sk);
    }
    v
}

fn print_table(out: &mut impl Write, a: &Args, s: &Snapshot) -> std::io::Result<()> {
    writeln!(out, "store: {}", a.store.display())?;
    if let Some(holder) = &s.crawl_going {
        writeln!(
            out,
            "  a crawl is still going ({holder}): these counts are as of now"
        )?;
    }
    let mut total = 0;
    for (kind, st, reason, n) in &s.counts {
        total += n;
        let kind = match kind {
            UrlKind::Page => "",
            UrlKind::Media => " (media)",
        };
        writeln!(
            out,
            "  {:<10} {:<24} {n:>8}{kind}",
            st.as_str(),
            reason.as_deref().unwrap_or("-")
        )?;
    }
    writeln!(out, "  {:<35} {total:>8}", "total URLs")?;
    writeln!(out, "  {:<35} {:>8}", "aliases", s.aliases)?;
    let more = |out: &mut dyn Write, left: usize| match left {
        0 => Ok(()),
        n => writeln!(out, "  ... and {n} more (--limit)"),
    };
    if !s.failed.is_empty() {
        writeln!(out, "failed URLs:")?;
        let (shown, left) = cut(&s.failed, a.limit);
        for r in shown {
            writeln!(
                out,
                "  {} [{}] after {} attempt(s): {}",
                r.url,
                r.reason.as_deref().unwrap_or("?"),
                r.attempts,
                r.detail.as_deref().unwrap_or("")
            )?;
        }
        more(out, left)?;
    }
    if let Some(skipped) = &s.skipped {
        writeln!(out, "skipped URLs:")?;
        let (shown, left) = cut(skipped, a.limit);
        for r in shown {
            writeln!(
                out,
                "  {} [{}] {}",
                r.url,
                r.reason.as_deref().unwrap_or("?"),
                r.detail.as_deref().unwrap_or("")
            )?;
        }
        more(out, left)?;
    }
    Ok(())
}
