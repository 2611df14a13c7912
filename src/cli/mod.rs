//! The command line: one file per subcommand. Each returns the exit code
//! (0 all good, 1 finished with page-level failures); errors that stop a
//! command become exit code 2 in `main`.

mod bench_extract;
mod bench_generic;
mod check;
mod crawl;
mod diff;
mod docs;
mod dry_run;
mod explain;
mod extract;
mod gen_corpus;
mod init;
mod push;
mod reporting;
mod run;
mod serve;
mod status;
mod verify;

use clap::{Parser, Subcommand};

/// What every `--help` ends with: exit codes and logging.
const AFTER_HELP: &str = "\
Exit codes: 0 all good; 1 finished, but some pages failed (or, for check, verify
and diff, a mismatch); 2 nothing was done or the job stopped (bad arguments, a bad
profile, an unreadable input, a store held by another process, a full disk).

Logging: warnings go to stderr. -v shows progress details (info), -vv debug;
-q only errors. SITELIFT_LOG (e.g. `debug`, `sitelift=trace`) overrides both.";

/// Move legacy websites into clean, structured JSON.
#[derive(Debug, Parser)]
#[command(name = "sitelift", version, about, long_about = None, after_help = AFTER_HELP)]
pub struct Cli {
    /// More log lines on stderr (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Extract records from saved pages (files and folders) as JSON Lines.
    #[command(after_help = concat!("Examples:\n  ", "sitelift extract --profile selectors/iranfocus.toml fixtures/iranfocus --out records.jsonl\n  sitelift extract --profile P --store store/ --layout dir --out package/\n  sitelift extract --generic saved-pages/ --out generic.jsonl", "\n\n", "See `sitelift --help` for exit codes and logging."))]
    Extract(extract::Args),
    /// Check fixture pages against their expected JSON (or --bless them).
    #[command(after_help = concat!("Examples:\n  ", "sitelift check --profile selectors/iranfocus.toml fixtures/iranfocus\n  sitelift check --profile P fixtures/site --bless   # write the expected JSON", "\n\n", "See `sitelift --help` for exit codes and logging."))]
    Check(check::Args),
    /// Show, field by field, what the profile does with one page.
    #[command(after_help = concat!("Examples:\n  ", "sitelift explain --profile selectors/iranfocus.toml fixtures/iranfocus/wp-article-7198.html\n  sitelift explain --generic page.html", "\n\n", "See `sitelift --help` for exit codes and logging."))]
    Explain(explain::Args),
    /// Crawl a site into a store (ledger + WARC), politely and resumably.
    #[command(after_help = concat!("Examples:\n  ", "sitelift crawl --profile selectors/iranfocus.toml --store store/\n  sitelift crawl --profile P --store store/ --max-pages 50   # a trial; a later run extends it\n  sitelift crawl --profile P --store store/ --dry-run --urls old-sitemap.txt   # what would be fetched, in canonical form", "\n\n", "See `sitelift --help` for exit codes and logging."))]
    Crawl(crawl::Args),
    /// Crawl and extract in one go, then write one record per article.
    #[command(after_help = concat!("Examples:\n  ", "sitelift run --profile selectors/iranfocus.toml --serve fixtures/iranfocus --store store/ --out records.jsonl\n  sitelift run --profile P --store store/ --layout dir --out package/", "\n\n", "See `sitelift --help` for exit codes and logging."))]
    Run(run::Args),
    /// Counts by status and reason, and the failed URLs, of a store.
    #[command(after_help = concat!("Examples:\n  ", "sitelift status store/\n  sitelift status store/ --json --limit 20", "\n\n", "See `sitelift --help` for exit codes and logging."))]
    Status(status::Args),
    /// Serve a fixture folder as the legacy site, on 127.0.0.1.
    #[command(after_help = concat!("Examples:\n  ", "sitelift serve fixtures/iranfocus --bind 127.0.0.1:8080", "\n\n", "See `sitelift --help` for exit codes and logging."))]
    Serve(serve::Args),
    /// Compare two outputs record by record, field by field (exit 1 when they differ).
    #[command(after_help = concat!("Examples:\n  ", "sitelift diff before.jsonl after.jsonl", "\n\n", "See `sitelift --help` for exit codes and logging."))]
    Diff(diff::Args),
    /// Generate a synthetic legacy site (files and/or WARC) for benchmarks.
    GenCorpus(gen_corpus::Args),
    /// Measure extraction throughput and peak memory over WARC files.
    BenchExtract(bench_extract::Args),
    /// Check the new site after the cut-over: redirects, pages, media (exit 1 on any mismatch).
    #[command(after_help = concat!("Examples:\n  ", "sitelift verify --out package/ --new-base https://new.example/", "\n\n", "See `sitelift --help` for exit codes and logging."))]
    Verify(verify::Args),
    /// Import the package into WordPress through its REST API (a second push changes only what changed).
    #[command(after_help = concat!("Examples:\n  ", "sitelift push --out package/ --wordpress https://new.example/ --user editor --app-password-file wp.pw\n  sitelift push --out package/ --wordpress https://new.example/ --user editor --app-password-file wp.pw --dry-run\n  sitelift push --print-plugin > wp-content/mu-plugins/sitelift.php", "\n\n", "See `sitelift --help` for exit codes and logging."))]
    Push(push::Args),
    /// Score generic extraction (no profile) on the development corpora, and time it.
    BenchGeneric(bench_generic::Args),
    /// Print shell completions (bash, zsh, fish, elvish, powershell) to stdout.
    Completions(docs::CompletionsArgs),
    /// Print the manual page of sitelift, or of one command, to stdout (roff).
    Man(docs::ManArgs),
    /// Write a site profile from sample pages (saved pages, WARC files or a crawl store).
    Init(init::Args),
}

/// All progress bars live here, so log lines can be printed above them.
static BARS: std::sync::LazyLock<indicatif::MultiProgress> =
    std::sync::LazyLock::new(indicatif::MultiProgress::new);

/// A `tracing` writer that suspends the progress bars while a line is written.
struct BarSafeStderr;

impl std::io::Write for BarSafeStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        BARS.suspend(|| std::io::stderr().write_all(buf))?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// Logs go to stderr through `tracing`; `SITELIFT_LOG` (e.g. `debug`,
/// `sitelift=debug`) sets the level, else `-q`/`-v`, warnings by default.
fn init_logging(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("SITELIFT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| BarSafeStderr)
        .with_target(false)
        .without_time()
        .try_init();
}

/// Parse the process arguments and run.
pub fn main() -> anyhow::Result<u8> {
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.quiet);
    dispatch(cli)
}

/// Run with these arguments (the first is the program name), as the
/// `sitelift` command would; used by tests that need the library's build.
pub fn run_args<I, T>(args: I) -> anyhow::Result<u8>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    dispatch(Cli::try_parse_from(args)?)
}

fn dispatch(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Extract(a) => extract::run(a),
        Command::Check(a) => check::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Crawl(a) => crawl::run(a),
        Command::Run(a) => run::run(a),
        Command::Status(a) => status::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Diff(a) => diff::run(a),
        Command::GenCorpus(a) => gen_corpus::run(a),
        Command::BenchExtract(a) => bench_extract::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Push(a) => push::run(a),
        Command::BenchGeneric(a) => bench_generic::run(a),
        Command::Completions(a) => docs::completions(a),
        Command::Man(a) => docs::man(a),
        Command::Init(a) => init::run(a),
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

/// The crawl's progress as a bar on stderr (URLs settled of URLs known,
/// rate, ETA, and the counts), when stderr is a terminal; None otherwise.
pub(crate) fn crawl_progress() -> Option<crate::crawl::ProgressFn> {
    if !interactive() {
        return None;
    }
    let pb = indicatif::ProgressBar::new(0);
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} crawl [{bar:30}] {pos}/{len} URLs · {per_sec} · eta {eta} · {msg}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
    .progress_chars("=> ");
    pb.set_style(style);
    pb.enable_steady_tick(std::time::Duration::from_millis(200));
    let pb = BARS.add(pb);
    Some(std::sync::Arc::new(move |p: &crate::crawl::Progress| {
        if p.finished {
            pb.finish_and_clear();
            return;
        }
        pb.set_length(p.known);
        pb.set_position(p.settled);
        pb.set_message(format!(
            "{} responses · {} failed · {} in flight · {} parsing",
            p.responses, p.failed, p.in_flight, p.parsing
        ));
    }))
}

/// A spinner with a count and a rate (for work of unknown length) on
/// stderr when it is a terminal, hidden otherwise.
pub(crate) fn spinner(what: &str, unit: &str) -> indicatif::ProgressBar {
    if !interactive() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new_spinner();
    let style = indicatif::ProgressStyle::with_template(&format!(
        "{{spinner}} {what} {{pos}} {unit} · {{per_sec}} · {{elapsed}} {{msg}}"
    ))
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner());
    pb.set_style(style);
    pb.enable_steady_tick(std::time::Duration::from_millis(200));
    BARS.add(pb)
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
    BARS.add(pb)
}
