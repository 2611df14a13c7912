//! `sitelift crawl`: crawl a site into a store (ledger + WARC files),
//! politely and resumably. Shared crawl flags live here too (`run` reuses them).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use url::Url;

use crate::crawl::{crawl, CrawlOptions, CrawlSummary};
use crate::frontier::ledger::Status;
use crate::profile::crawl::CrawlConfig;
use crate::profile::Profile;
use crate::store::StoreLock;

/// Flags shared by `crawl` and `run`.
#[derive(Debug, Clone, clap::Args)]
pub struct CrawlFlags {
    /// The site profile (with a [crawl] section).
    #[arg(long)]
    pub profile: PathBuf,
    /// The store folder: ledger.sqlite, warc/, spool.jsonl.
    #[arg(long)]
    pub store: PathBuf,
    /// Extra seed URLs.
    pub seeds: Vec<Url>,
    /// Put failed URLs back in the queue first.
    #[arg(long)]
    pub retry_failed: bool,
    /// Do not obey robots.txt (only with the site owner's consent).
    #[arg(long)]
    pub ignore_robots: bool,
    /// Delay between requests to one host, in milliseconds (overrides the profile).
    #[arg(long)]
    pub delay_ms: Option<u64>,
    /// Requests in flight overall (overrides the profile).
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Requests in flight per host (overrides the profile).
    #[arg(long)]
    pub per_host: Option<usize>,
    /// Stop scheduling after this many pages (overrides the profile).
    #[arg(long)]
    pub max_pages: Option<u64>,
    /// Send requests for HOST to ADDR over plain HTTP (HOST=IP:PORT), like curl --connect-to.
    #[arg(long, value_parser = parse_connect_to)]
    pub connect_to: Vec<(String, SocketAddr)>,
    /// Allow this host or IP to resolve to a private or loopback address.
    #[arg(long)]
    pub allow_private: Vec<String>,
    /// Crawl the fixture site in this folder, served by sitelift itself on 127.0.0.1.
    #[arg(long)]
    pub serve: Option<PathBuf>,
}

pub(super) fn parse_connect_to(s: &str) -> Result<(String, SocketAddr), String> {
    let (host, addr) = s.split_once('=').ok_or("expected HOST=IP:PORT")?;
    let addr: SocketAddr = addr
        .parse()
        .map_err(|e| format!("bad address `{addr}`: {e}"))?;
    Ok((host.to_ascii_lowercase(), addr))
}

/// Arguments of `sitelift crawl`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    flags: CrawlFlags,
    /// Fetch nothing: list what the crawl would fetch or skip and why, each URL in
    /// canonical form (the start URLs and seeds, --urls lines, and every page URL of
    /// an existing store), on stdout; the store is only read
    #[arg(long)]
    dry_run: bool,
    /// With --dry-run: more candidate URLs, one absolute URL per line (# comments)
    #[arg(long, value_name = "FILE", requires = "dry_run")]
    urls: Option<PathBuf>,
    /// With --dry-run: one JSON object per line instead of tab-separated columns
    #[arg(long, requires = "dry_run")]
    json: bool,
}

/// A fixture site served in-process for the duration of a command.
pub struct Served {
    _rt: tokio::runtime::Runtime,
}

/// Load the profile and crawl config with the command-line overrides applied;
/// start the fixture server when `--serve` is given.
pub fn prepare(f: &CrawlFlags) -> anyhow::Result<(Arc<Profile>, CrawlConfig, Option<Served>)> {
    let profile = super::load_profile(&f.profile)?;
    let mut cfg = profile
        .crawl
        .clone()
        .ok_or_else(|| crate::crawl::CrawlError::NoCrawlConfig(f.profile.display().to_string()))?;
    if f.ignore_robots {
        cfg.fetch.obey_robots = false;
    }
    if let Some(d) = f.delay_ms {
        cfg.fetch.delay_per_host = Duration::from_millis(d);
    }
    if let Some(c) = f.concurrency {
        cfg.fetch.concurrency = c.max(1);
    }
    if let Some(c) = f.per_host {
        cfg.fetch.max_connections_per_host = c.max(1);
    }
    if let Some(m) = f.max_pages {
        cfg.scope.max_pages = Some(m);
    }
    cfg.fetch.connect_to.extend(f.connect_to.iter().cloned());
    cfg.fetch
        .allow_private
        .extend(f.allow_private.iter().cloned());
    let served = match &f.serve {
        None => None,
        Some(dir) => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()?;
            let bind: SocketAddr = "127.0.0.1:0".parse()?;
            let handle = rt
                .block_on(crate::serve::serve(
                    dir,
                    bind,
                    crate::serve::ServeOptions {
                        crawl_delay: None,
                        extra: None,
                    },
                ))
                .with_context(|| format!("serving {}", dir.display()))?;
            let addr = handle.addr();
            std::mem::forget(handle); // lives as long as the runtime
            let mut hosts: Vec<String> = cfg.scope.allowed_hosts.clone();
            hosts.extend(
                cfg.start_urls
                    .iter()
                    .filter_map(|u| u.host_str().map(str::to_string)),
            );
            // the media hosts (a CDN) are served by the same copy; a
            // wildcard (`*.example.com`) names no host to map
            hosts.extend(profile.media.hosts.iter().filter_map(|h| match h {
                crate::media::HostPattern::Exact(h) => Some(h.clone()),
                crate::media::HostPattern::Subdomains(_) => None,
            }));
            hosts.sort();
            hosts.dedup();
            for h in hosts {
                // the www. and bare spellings both reach the local copy
                let bare = h.trim_start_matches("www.").to_string();
                cfg.fetch.connect_to.push((bare.clone(), addr));
                cfg.fetch.connect_to.push((format!("www.{bare}"), addr));
            }
            cfg.fetch.allow_private.push(addr.ip().to_string());
            eprintln!(
                "sitelift: serving {} on http://{addr}/ (the crawl reaches the site's hosts there)",
                dir.display()
            );
            Some(Served { _rt: rt })
        }
    };
    Ok((Arc::new(profile), cfg, served))
}

/// Print a crawl summary to stderr.
pub fn print_summary(s: &CrawlSummary) {
    let mut by_status = std::collections::BTreeMap::<&str, u64>::new();
    for (st, _, n) in &s.counts {
        *by_status.entry(st.as_str()).or_default() += n;
    }
    let parts: Vec<String> = by_status.iter().map(|(k, v)| format!("{v} {k}")).collect();
    let rate = if s.seconds > 0.0 {
        s.fetched_now as f64 / s.seconds
    } else {
        0.0
    };
    eprintln!(
        "sitelift: crawl {}: {} responses in {:.1}s ({rate:.1}/s); ledger: {}",
        if s.interrupted {
            "interrupted (run the same command again to resume)"
        } else {
            "finished"
        },
        s.fetched_now,
        s.seconds,
        parts.join(", ")
    );
    if !s.media_counts.is_empty() {
        let media: Vec<String> = s
            .media_counts
            .iter()
            .map(|(st, r, n)| match r {
                Some(r) => format!("{n} {} {r}", st.as_str()),
                None => format!("{n} {}", st.as_str()),
            })
            .collect();
        eprintln!("sitelift: of which media: {}", media.join(", "));
    }
    if s.resumed_in_flight > 0 || s.repaired_bytes > 0 {
        eprintln!(
            "sitelift: resumed: {} URLs that were in flight were queued again; {} bytes of a torn WARC tail were cut",
            s.resumed_in_flight, s.repaired_bytes
        );
    }
    let failed: Vec<String> = s
        .counts
        .iter()
        .filter(|(st, _, _)| *st == Status::Failed)
        .map(|(_, r, n)| format!("{n} {}", r.as_deref().unwrap_or("?")))
        .collect();
    if !failed.is_empty() {
        eprintln!(
            "sitelift: failed: {} (see `sitelift status STORE`; retry with --retry-failed)",
            failed.join(", ")
        );
    }
}

/// Exit code of a finished crawl: 1 when URLs failed or the crawl was interrupted.
pub fn exit_code(s: &CrawlSummary) -> u8 {
    let failed = s
        .counts
        .iter()
        .any(|(st, _, n)| *st == Status::Failed && *n > 0);
    u8::from(failed || s.interrupted)
}

pub fn run(a: Args) -> anyhow::Result<u8> {
    if a.dry_run {
        let profile = super::load_profile(&a.flags.profile)?;
        let cfg = profile.crawl.clone().ok_or_else(|| {
            crate::crawl::CrawlError::NoCrawlConfig(a.flags.profile.display().to_string())
        })?;
        let urls = a.urls.as_deref();
        return super::dry_run::run(&cfg, &a.flags.store, &a.flags.seeds, urls, a.json);
    }
    let (profile, cfg, _served) = prepare(&a.flags)?;
    let opts = CrawlOptions {
        store: a.flags.store.clone(),
        seeds: a.flags.seeds.clone(),
        retry_failed: a.flags.retry_failed,
        extract: false,
        progress: super::crawl_progress(),
        profile_fingerprint: String::new(),
    };
    let lock = StoreLock::acquire(&a.flags.store, "crawl")?;
    let summary = crawl(profile, cfg, opts, &lock)?;
    print_summary(&summary);
    Ok(exit_code(&summary))
}
