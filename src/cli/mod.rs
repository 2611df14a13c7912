//! The command line: one file per subcommand. Each returns the exit code
//! (0 all good, 1 finished with page-level failures); errors that stop a
//! command become exit code 2 in `main`.

mod bench_extract;
mod check;
mod crawl;
mod explain;
mod extract;
mod gen_corpus;
mod run;
mod serve;
mod status;

use clap::{Parser, Subcommand};

/// Move legacy websites into clean, structured JSON.
#[derive(Debug, Parser)]
#[command(name = "sitelift", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Extract records from saved pages (files and folders) as JSON Lines.
    Extract(extract::Args),
    /// Check fixture pages against their expected JSON (or --bless them).
    Check(check::Args),
    /// Show, field by field, what the profile does with one page.
    Explain(explain::Args),
    /// Crawl a site into a store (ledger + WARC), politely and resumably.
    Crawl(crawl::Args),
    /// Crawl and extract in one go, then write one record per article.
    Run(run::Args),
    /// Counts by status and reason, and the failed URLs, of a store.
    Status(status::Args),
    /// Serve a fixture folder as the legacy site, on 127.0.0.1.
    Serve(serve::Args),
    /// Generate a synthetic legacy site (files and/or WARC) for benchmarks.
    GenCorpus(gen_corpus::Args),
    /// Measure extraction throughput and peak memory over WARC files.
    BenchExtract(bench_extract::Args),
}

/// Parse the process arguments and run.
pub fn main() -> anyhow::Result<u8> {
    let cli = Cli::parse();
    match cli.command {
        Command::Extract(a) => extract::run(a),
        Command::Check(a) => check::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Crawl(a) => crawl::run(a),
        Command::Run(a) => run::run(a),
        Command::Status(a) => status::run(a),
        Command::Serve(a) => serve::run(a),
        Command::GenCorpus(a) => gen_corpus::run(a),
        Command::BenchExtract(a) => bench_extract::run(a),
    }
}

/// Load a profile, with the error saying where it is wrong.
pub(crate) fn load_profile(path: &std::path::Path) -> anyhow::Result<crate::profile::Profile> {
    Ok(crate::profile::Profile::load(path)?)
}

/// Whether stderr is a terminal (progress bars are shown only then).
pub(crate) fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}

/// A spinner with a message, for work of unknown length.
pub(crate) fn spinner(what: &str) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new_spinner();
    let style =
        indicatif::ProgressStyle::with_template(&format!("{{spinner}} {what} {{elapsed}} {{msg}}"))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner());
    pb.set_style(style);
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

/// A progress bar on stderr when it is a terminal, hidden otherwise.
pub(crate) fn progress(len: u64, what: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new(len);
    let style = indicatif::ProgressStyle::with_template(&format!(
        "{{spinner}} {what} [{{bar:40}}] {{pos}}/{{len}} {{per_sec}} eta {{eta}} {{msg}}"
    ))
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
    .progress_chars("=> ");
    pb.set_style(style);
    pb
}
