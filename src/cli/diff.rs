//! `sitelift diff OLD NEW`: compare two migration outputs (JSON Lines files
//! or `--layout dir` folders) record by record and field by field. Exit
//! status 0 when they agree, 1 when anything changed (for CI), 2 when an
//! output cannot be read.

use std::path::PathBuf;

use crate::output::diff::{diff, load, render, DiffOptions};

/// Arguments of `sitelift diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The earlier output (a .jsonl file or a --layout dir folder).
    old: PathBuf,
    /// The later output.
    new: PathBuf,
    /// Compare only this field (repeatable; `lists` covers every list).
    #[arg(long = "field")]
    fields: Vec<String>,
    /// Also compare `provenance` (which selector produced each field).
    #[arg(long)]
    with_provenance: bool,
    /// Print the diff as JSON.
    #[arg(long)]
    json: bool,
    /// Records shown in the text output.
    #[arg(long, default_value_t = 50)]
    limit: usize,
}

pub fn run(a: Args) -> anyhow::Result<u8> {
    let old = load(&a.old)?;
    let new = load(&a.new)?;
    for p in old.problems.iter().chain(&new.problems) {
        eprintln!("sitelift: warning: {p}");
    }
    let opts = DiffOptions {
        fields: a.fields.clone(),
        with_provenance: a.with_provenance,
    };
    let d = diff(&old, &new, &opts);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&d)?);
    } else {
        print!("{}", render(&d, a.limit));
    }
    Ok(u8::from(d.any()))
}
