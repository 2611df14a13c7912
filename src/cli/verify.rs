//! `sitelift verify`: check the new site after the cut-over against the
//! package `extract`/`run` wrote (every legacy URL, new page and media
//! file), write the report of what failed, and exit 1 on any mismatch.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::output::files::write_atomic;
use crate::verify::{self, FetchFlags, VerifyOptions};

/// Arguments of `sitelift verify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The package: the records file (records.jsonl, its side files beside
    /// it) or the --layout dir folder that extract or run wrote.
    #[arg(long)]
    out: PathBuf,
    /// The new site's root URL; the package's new paths are taken relative to it.
    #[arg(long)]
    new_base: String,
    /// Send requests for HOST to ADDR over plain HTTP (HOST=IP:PORT), like curl --connect-to.
    #[arg(long, value_parser = super::crawl::parse_connect_to)]
    connect_to: Vec<(String, SocketAddr)>,
    /// Allow this host or IP to resolve to a private or loopback address.
    #[arg(long)]
    allow_private: Vec<String>,
    /// Delay between requests to one host, in milliseconds (default 1000).
    #[arg(long)]
    delay_ms: Option<u64>,
    /// Requests in flight overall (default 8).
    #[arg(long)]
    concurrency: Option<usize>,
    /// Time allowed for one request, in seconds (default 30).
    #[arg(long)]
    timeout_s: Option<u64>,
    /// The User-Agent header (default: sitelift's, with a contact URL).
    #[arg(long)]
    user_agent: Option<String>,
    /// Check a sample: at most N legacy URLs, N new pages and N media files,
    /// spread evenly over each list.
    #[arg(long)]
    limit: Option<usize>,
    /// Where the report goes (`-`: standard output); default beside the
    /// package: NAME.verify.jsonl, or verify.jsonl in the folder.
    #[arg(long)]
    report: Option<PathBuf>,
}

/// How many failures the summary shows.
const EXAMPLES: usize = 10;

pub fn run(a: Args) -> anyhow::Result<u8> {
    let base = verify::new_base(&a.new_base)?;
    let paths = verify::locate(&a.out)?;
    let plan = verify::read(&paths)?;
    let flags = FetchFlags {
        delay: a.delay_ms.map(Duration::from_millis),
        concurrency: a.concurrency,
        timeout: a.timeout_s.map(Duration::from_secs),
        user_agent: a.user_agent.clone(),
        connect_to: a.connect_to.clone(),
        allow_private: a.allow_private.clone(),
    };
    let total = (plan.legacy.len() + plan.pages.len() + plan.media.len()) as u64;
    let bar = super::progress(total, "verify");
    let shown = bar.clone();
    let opts = VerifyOptions {
        new_base: base,
        fetch: flags.config(),
        limit: a.limit,
        progress: Some(std::sync::Arc::new(move |done, total| {
            shown.set_length(total);
            shown.set_position(done);
        })),
    };
    let verified = verify::verify(plan, opts)?;
    bar.finish_and_clear();
    let report = a.report.unwrap_or(paths.report);
    let text = verified.to_jsonl();
    if report.as_os_str() == "-" {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()?;
    } else {
        write_atomic(&report, text.as_bytes())?;
    }
    eprint!("{}", verified.summary(EXAMPLES));
    if report.as_os_str() != "-" {
        eprintln!("  report: {}", report.display());
    }
    Ok(u8::from(!verified.all_ok()))
}
