//! `sitelift check`: fixture pages against their expected JSON, with a
//! field-level diff per mismatch; `--bless` rewrites the expectations.

use std::io::Write;
use std::path::PathBuf;

use crate::check::{check, short, Verdict};

/// Arguments of `sitelift check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Fixture site folders or pages (default: every folder under fixtures/).
    paths: Vec<PathBuf>,
    /// Folder of profiles; `fixtures/<site>/` uses `<selectors>/<site>.toml`.
    #[arg(long, default_value = "selectors")]
    selectors: PathBuf,
    /// Rewrite the expected JSON from the current output (review the diff by eye).
    #[arg(long)]
    bless: bool,
}

pub fn run(a: Args) -> anyhow::Result<u8> {
    let mut out = std::io::stdout().lock();
    let paths = if a.paths.is_empty() {
        vec![PathBuf::from("fixtures")]
    } else {
        a.paths
    };
    let results = check(&paths, &a.selectors, a.bless)?;
    let (mut pass, mut fail, mut missing, mut changed) = (0, 0, 0, 0);
    for r in &results {
        match &r.verdict {
            Verdict::Pass => pass += 1,
            Verdict::NoExpectation => {
                missing += 1;
                writeln!(
                    out,
                    "MISSING {} (no expected JSON; run `sitelift check --bless` and review it)",
                    r.page.display()
                )?;
            }
            Verdict::Blessed(c) => {
                if *c {
                    changed += 1;
                    writeln!(out, "BLESSED {}", r.page.display())?;
                }
            }
            Verdict::Mismatch(diffs) => {
                fail += 1;
                writeln!(
                    out,
                    "FAIL {} ({} fields differ)",
                    r.page.display(),
                    diffs.len()
                )?;
                for d in diffs {
                    writeln!(
                        out,
                        "  {}\n    expected: {}\n    actual:   {}",
                        d.path,
                        short(&d.expected),
                        short(&d.actual)
                    )?;
                }
            }
        }
    }
    if a.bless {
        writeln!(
            out,
            "{} pages, {changed} expectations rewritten",
            results.len()
        )?;
        return Ok(0);
    }
    writeln!(
        out,
        "{} pages: {pass} passed, {fail} failed, {missing} without expectation",
        results.len()
    )?;
    Ok(if fail + missing > 0 { 1 } else { 0 })
}
