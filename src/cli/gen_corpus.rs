//! `sitelift gen-corpus`: write a synthetic legacy site (see [`crate::corpus`])
//! as page files with sidecars (servable by `sitelift serve`) and/or as one
//! WARC file (readable by `sitelift extract`), for benchmarks and large tests.

use std::path::PathBuf;

use anyhow::Context;
use rayon::prelude::*;

use crate::corpus::{generate, write_files, write_warc, GenPage};
use crate::store::WarcWriter;

/// Arguments of `sitelift gen-corpus`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of pages.
    #[arg(long)]
    pages: u64,
    /// Seed: the same seed gives the same pages.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write NAME.html + NAME.meta.json files into this folder.
    #[arg(long, required_unless_present = "warc")]
    out: Option<PathBuf>,
    /// Write every page as a response record into this .warc.gz file.
    #[arg(long)]
    warc: Option<PathBuf>,
}

/// Pages generated in parallel per batch (bounds memory).
const BATCH: u64 = 512;

pub fn run(a: Args) -> anyhow::Result<u8> {
    if let Some(dir) = &a.out {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut warc = match &a.warc {
        Some(file) => {
            if file.exists() {
                anyhow::bail!("{} exists; remove it first", file.display());
            }
            let dir = file
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            let prefix = format!("gen-corpus-tmp-{}", std::process::id());
            let w = WarcWriter::open(dir, &prefix, u64::MAX)?;
            Some((w, dir.to_path_buf(), file.clone()))
        }
        None => None,
    };
    let pb = super::progress(a.pages, "gen-corpus");
    let mut bytes = 0u64;
    let mut start = 0;
    while start < a.pages {
        let end = (start + BATCH).min(a.pages);
        let pages: Vec<GenPage> = (start..end)
            .into_par_iter()
            .map(|i| generate(a.seed, a.pages, i))
            .collect();
        if let Some(dir) = &a.out {
            pages.par_iter().try_for_each(|p| write_files(dir, p))?;
        }
        for (k, p) in pages.iter().enumerate() {
            bytes += p.bytes.len() as u64;
            if let Some((w, _, _)) = warc.as_mut() {
                write_warc(w, start + k as u64, p)?;
            }
        }
        pb.inc(end - start);
        start = end;
    }
    pb.finish_and_clear();
    if let Some((w, dir, file)) = warc {
        let name = w
            .current_file()
            .map(str::to_string)
            .context("no WARC file was written (0 pages?)")?;
        drop(w);
        std::fs::rename(dir.join(&name), &file)
            .with_context(|| format!("renaming {name} to {}", file.display()))?;
    }
    eprintln!(
        "sitelift: generated {} pages, {:.1} MB of HTML (mean {:.0} KB)",
        a.pages,
        bytes as f64 / 1e6,
        bytes as f64 / 1024.0 / a.pages.max(1) as f64
    );
    Ok(0)
}
