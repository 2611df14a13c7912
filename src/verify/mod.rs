//! `verify`: after the cut-over, check the new site against the migration
//! package, downstream of everything else.
//!
//! Once the records are imported into the new CMS and the old domain points
//! at the new server, nothing else tells whether every old URL really lands
//! on its new page. This stage reads the package as `extract`/`run` wrote it
//! ([`package`]: the redirect map, the records' titles, an optional
//! `media.jsonl`) and asks the new site, politely, through the project's
//! fetcher ([`checks`]): every legacy URL must answer a permanent redirect
//! (301/308) to its new URL in one hop; every new path must answer 200 with
//! HTML whose `<title>` or first `<h1>` contains the record's title
//! ([`page`]); every media path must answer 200 with the same SHA-256. What
//! fails becomes a sorted report ([`report`]); the CLI turns it into exit
//! code 1.

pub mod checks;
pub mod package;
pub mod page;
pub mod report;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::fetch::{FetchConfig, FetchError, Fetcher};
pub use checks::{resolve, Check, Checker};
pub use package::{locate, read, PackagePaths, Plan};
pub use report::{Counts, Kind, Mismatch, Verified};

/// Why verify could not run (as opposed to finding mismatches).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// `--out` is not a package sitelift wrote.
    #[error(
        "{} is not a migration package: {why}; give what `extract` or `run` wrote with --out \
         (a records.jsonl file, or a --layout dir folder)",
        path.display()
    )]
    NotAPackage {
        /// What was given.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// A file of the package could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A line of a package file is not what sitelift writes.
    #[error("{}:{line}: {message}", path.display())]
    BadLine {
        /// The file.
        path: PathBuf,
        /// Its line (1-based).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// `--new-base` is not a usable base URL.
    #[error("--new-base {base}: {why} (give the new site's root, e.g. https://new.example/)")]
    BadBase {
        /// As given.
        base: String,
        /// What is wrong.
        why: String,
    },
    /// The HTTP client could not be built.
    #[error("cannot set up the HTTP client")]
    Fetcher(#[source] FetchError),
    /// The async runtime could not be started.
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
    /// A check stopped unexpectedly (a bug).
    #[error("a check stopped unexpectedly")]
    Task(#[source] tokio::task::JoinError),
}

/// Called with (checks done, checks in all) as checks finish.
pub type ProgressFn = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// How to verify.
#[derive(Clone)]
pub struct VerifyOptions {
    /// The new site's root; the package's new paths are taken relative to it.
    pub new_base: Url,
    /// The fetcher's settings (start from [`fetch_config`]).
    pub fetch: FetchConfig,
    /// Check at most this many of each kind (legacy URLs, pages, media), spread evenly.
    pub limit: Option<usize>,
    /// Progress, for a bar.
    pub progress: Option<ProgressFn>,
}

/// The fetcher's settings for verify: the project's polite defaults (one
/// second between requests to a host, retries with backoff), with
/// robots.txt not consulted (the operator is checking their own site) and
/// every content type read (media files are hashed, and a page that is not
/// HTML is reported, not skipped).
pub fn fetch_config() -> FetchConfig {
    FetchConfig {
        obey_robots: false,
        keep_content_types: vec!["*/*".into()],
        ..FetchConfig::default()
    }
}

/// `--new-base` as a base URL: http(s) with a host, its path ending in `/`.
pub fn new_base(text: &str) -> Result<Url, VerifyError> {
    let bad = |why: &str| VerifyError::BadBase {
        base: text.to_string(),
        why: why.to_string(),
    };
    let mut u = Url::parse(text).map_err(|e| bad(&e.to_string()))?;
    if !matches!(u.scheme(), "http" | "https") || !u.has_host() {
        return Err(bad("not an http(s) URL with a host"));
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err(bad("a base URL has no query or fragment"));
    }
    if !u.path().ends_with('/') {
        let path = format!("{}/", u.path());
        u.set_path(&path);
    }
    Ok(u)
}

/// SHA-256 of `bytes`, lowercase hex (the digest `media.jsonl` gives).
pub use crate::media::sha256_hex;

/// The hosts of the site: those of the legacy URLs and of absolute new URLs.
fn site_hosts(plan: &Plan) -> Vec<String> {
    let mut hosts: Vec<String> = plan
        .legacy
        .iter()
        .flat_map(|c| [c.legacy_url.as_str(), c.new_url.as_str()])
        .filter_map(|s| Url::parse(s).ok())
        .filter_map(|u| u.host_str().map(|h| h.to_ascii_lowercase()))
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

/// The checks in the order they are started: the three lists interleaved,
/// so the legacy hosts and the new one are asked at the same time (each
/// host has its own delay).
fn interleave(plan: Plan) -> Vec<Check> {
    let mut legacy = plan.legacy.into_iter().map(Check::Legacy);
    let mut pages = plan.pages.into_iter().map(Check::Page);
    let mut media = plan.media.into_iter().map(Check::Media);
    let mut out = Vec::new();
    loop {
        let before = out.len();
        out.extend(legacy.next());
        out.extend(pages.next());
        out.extend(media.next());
        if out.len() == before {
            return out;
        }
    }
}

/// Run every check of `plan` against the new site; the mismatches, sorted.
pub fn verify(mut plan: Plan, opts: VerifyOptions) -> Result<Verified, VerifyError> {
    if let Some(n) = opts.limit {
        plan.sample(n);
    }
    let checked = Counts {
        legacy: plan.legacy.len(),
        pages: plan.pages.len(),
        media: plan.media.len(),
    };
    let mut verified = Verified {
        checked,
        failed: Vec::new(),
        has_media: plan.has_media,
        notes: std::mem::take(&mut plan.notes),
        sampled: opts.limit.is_some(),
    };
    let window = opts.fetch.concurrency.max(1) * 4;
    let fetcher = Fetcher::new(opts.fetch).map_err(VerifyError::Fetcher)?;
    let checker = Arc::new(Checker::new(fetcher, opts.new_base, site_hosts(&plan)));
    let checks = interleave(plan);
    let total = checks.len() as u64;
    let done = std::sync::atomic::AtomicU64::new(0);
    let progress = opts.progress;
    let tick = move || {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if let Some(p) = &progress {
            p(n, total);
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(VerifyError::Runtime)?;
    verified.failed = rt
        .block_on(checks::run_all(checker, checks, window, &tick))
        .map_err(VerifyError::Task)?;
    Ok(verified)
}

/// Settings of the fetcher from the command line's values (None: the default).
#[derive(Debug, Clone, Default)]
pub struct FetchFlags {
    /// Between requests to one host.
    pub delay: Option<Duration>,
    /// Requests in flight overall.
    pub concurrency: Option<usize>,
    /// For one whole request.
    pub timeout: Option<Duration>,
    /// The `User-Agent`.
    pub user_agent: Option<String>,
    /// `HOST=IP:PORT` routes.
    pub connect_to: Vec<(String, SocketAddr)>,
    /// Hosts or IPs allowed to be private addresses.
    pub allow_private: Vec<String>,
}

impl FetchFlags {
    /// [`fetch_config`] with these applied.
    pub fn config(&self) -> FetchConfig {
        let mut cfg = fetch_config();
        if let Some(d) = self.delay {
            cfg.delay_per_host = d;
        }
        if let Some(c) = self.concurrency {
            cfg.concurrency = c.max(1);
        }
        if let Some(t) = self.timeout {
            cfg.timeout = t;
            cfg.connect_timeout = cfg.connect_timeout.min(t);
        }
        if let Some(ua) = &self.user_agent {
            cfg.user_agent = ua.clone();
        }
        cfg.connect_to.extend(self.connect_to.iter().cloned());
        cfg.allow_private.extend(self.allow_private.iter().cloned());
        cfg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_gets_its_slash_and_must_be_http() {
        assert_eq!(
            new_base("https://new.example/site").unwrap().as_str(),
            "https://new.example/site/"
        );
        assert_eq!(
            new_base("http://n.example").unwrap().as_str(),
            "http://n.example/"
        );
        assert!(new_base("ftp://n.example/").is_err());
        assert!(new_base("/news/").is_err());
        assert!(new_base("https://n.example/?a=1").is_err());
    }

    #[test]
    fn sha256_of_known_input() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn checks_are_interleaved() {
        let plan = Plan {
            legacy: (0..3)
                .map(|i| package::LegacyCheck {
                    legacy_url: format!("https://o.example/{i}"),
                    new_url: "/n/".into(),
                    record: "1".into(),
                })
                .collect(),
            pages: vec![package::PageCheck {
                path: "/n/".into(),
                title: None,
                record: "1".into(),
            }],
            ..Plan::default()
        };
        let kinds: Vec<&str> = interleave(plan)
            .iter()
            .map(|c| match c {
                Check::Legacy(_) => "l",
                Check::Page(_) => "p",
                Check::Media(_) => "m",
            })
            .collect();
        assert_eq!(kinds, ["l", "p", "l", "l"]);
    }
}
