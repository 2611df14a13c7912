//! `sitelift crawl --dry-run`: what a crawl with this profile would fetch,
//! without fetching anything or writing anywhere. The candidates are the
//! profile's start URLs and the seeds given, the lines of `--urls FILE` (an
//! old sitemap export, a server log's paths), and, when the store exists,
//! every page URL its ledger knows (so a changed scope or canonical rule
//! can be tried on a whole earlier crawl). Each is put in canonical form
//! and checked against the scope, as the crawl would; the store is read
//! only, and not locked (a crawl may be running).

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;
use url::Url;

use crate::frontier::canon::canonicalize;
use crate::frontier::ledger::{Ledger, Status};
use crate::profile::crawl::CrawlConfig;

/// Where a candidate URL came from.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Origin {
    Start,
    Seed,
    UrlsFile,
    Ledger,
}

/// One line of the dry run.
#[derive(Debug, Serialize)]
struct Verdict {
    /// `fetch`, `fetched` (the store has it: a resumed crawl keeps it),
    /// `failed` (in the store), `skip`, or `duplicate` (same canonical form
    /// as an earlier line).
    verdict: &'static str,
    /// Why, for `skip` (the scope's reason code), `duplicate` (the line it
    /// repeats) and `fetched`/`fetch` of a ledger URL (its status there).
    #[serde(skip_serializing_if = "Option::is_none")]
    why: Option<String>,
    /// The canonical form, as the ledger would key it.
    canonical: String,
    /// The URL as given, when it differs from the canonical form.
    #[serde(skip_serializing_if = "Option::is_none")]
    input: Option<String>,
    from: Origin,
    depth: u32,
}

/// A candidate: the URL as given and parsed, where it came from, its link depth.
type Candidate = (String, Url, Origin, u32);

/// The candidates, in order: start URLs, seeds, `--urls` lines, the ledger;
/// and the lines of `--urls` that are no URL.
fn candidates(
    cfg: &CrawlConfig,
    seeds: &[Url],
    urls_file: Option<&Path>,
    ledger: Option<&Ledger>,
) -> anyhow::Result<(Vec<Candidate>, Vec<String>)> {
    let mut out: Vec<Candidate> = Vec::new();
    out.extend(
        cfg.start_urls
            .iter()
            .map(|u| (u.to_string(), u.clone(), Origin::Start, 0)),
    );
    out.extend(
        seeds
            .iter()
            .map(|u| (u.to_string(), u.clone(), Origin::Seed, 0)),
    );
    let mut bad = Vec::new();
    if let Some(f) = urls_file {
        crate::sources::saved::named_input(f)?;
        let text =
            std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match Url::parse(line) {
                Ok(u) => out.push((line.to_string(), u, Origin::UrlsFile, 0)),
                Err(e) => bad.push(format!(
                    "{}:{}: not an absolute URL ({e}): {line}",
                    f.display(),
                    n + 1
                )),
            }
        }
    }
    if let Some(l) = ledger {
        for row in l.all_pages()? {
            let u = Url::parse(&row.url)
                .with_context(|| format!("bad URL {} in the ledger", row.url))?;
            out.push((row.url, u, Origin::Ledger, row.depth));
        }
    }
    Ok((out, bad))
}

/// Judge every candidate as the crawl would.
fn judge(
    cfg: &CrawlConfig,
    cands: Vec<Candidate>,
    ledger: Option<&Ledger>,
) -> anyhow::Result<Vec<Verdict>> {
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(cands.len());
    let mut to_fetch: u64 = 0;
    for (raw, url, from, depth) in cands {
        let canon = canonicalize(&url, &cfg.canon);
        let canonical = canon.to_string();
        let input = (canonical != raw).then(|| raw.clone());
        let line = out.len() + 1;
        let (verdict, why) = if let Some(earlier) = first.get(&canonical) {
            (
                "duplicate",
                Some(format!("same canonical form as line {earlier}")),
            )
        } else if let Err(r) = cfg.scope.check(&canon, depth) {
            ("skip", Some(r.code().to_string()))
        } else if let Some(row) = ledger.map(|l| l.get(&canonical)).transpose()?.flatten() {
            in_store(&row)
        } else if cfg.scope.check_budget(to_fetch).is_err() {
            ("skip", Some("max_pages".to_string()))
        } else {
            ("fetch", None)
        };
        first.entry(canonical.clone()).or_insert(line);
        if verdict == "fetch" {
            to_fetch += 1;
        }
        out.push(Verdict {
            verdict,
            why,
            canonical,
            input,
            from,
            depth,
        });
    }
    Ok(out)
}

/// What a resumed crawl does with a URL its store already has.
fn in_store(row: &crate::frontier::ledger::Row) -> (&'static str, Option<String>) {
    let reason = row.reason.as_deref().unwrap_or("-");
    match row.status {
        Status::Fetched => ("fetched", Some("in the store".into())),
        Status::Queued | Status::InFlight => ("fetch", Some("queued in the store".into())),
        Status::Failed => (
            "failed",
            Some(format!(
                "failed {reason} in the store; --retry-failed fetches it again"
            )),
        ),
        Status::Skipped => ("skip", Some(format!("skipped {reason} in the store"))),
    }
}

/// Run the dry run: one line per candidate on stdout (tab-separated, or
/// JSON with `json`), the counts on stderr. Always exit 0 unless an input
/// is unreadable.
pub fn run(
    cfg: &CrawlConfig,
    store: &Path,
    seeds: &[Url],
    urls_file: Option<&Path>,
    json: bool,
) -> anyhow::Result<u8> {
    let ledger = match store.join("ledger.sqlite").is_file() {
        true => Some(Ledger::open_read_only(store)?),
        false => None,
    };
    let (cands, bad) = candidates(cfg, seeds, urls_file, ledger.as_ref())?;
    for b in &bad {
        eprintln!("sitelift: skipped {b}");
    }
    let verdicts = judge(cfg, cands, ledger.as_ref())?;
    let mut out = std::io::stdout().lock();
    for v in &verdicts {
        if json {
            writeln!(out, "{}", serde_json::to_string(v)?)?;
        } else {
            let why = v.why.as_deref().unwrap_or("");
            let input = v.input.as_deref().unwrap_or("");
            writeln!(out, "{}\t{why}\t{}\t{input}", v.verdict, v.canonical)?;
        }
    }
    out.flush()?;
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for v in &verdicts {
        let key = match (v.verdict, &v.why) {
            ("skip", Some(w)) => format!("skip {}", w.trim_end_matches(" in the store")),
            (k, _) => k.to_string(),
        };
        *counts.entry(key).or_default() += 1;
    }
    let parts: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let known = match &ledger {
        Some(_) => format!(
            " (with the {} URLs of the store's ledger)",
            verdicts.iter().filter(|v| v.from == Origin::Ledger).count()
        ),
        None => String::new(),
    };
    eprintln!(
        "sitelift: dry run: {} URLs{known}: {}; nothing was fetched or written. Links found on fetched pages are not known until they are fetched.",
        verdicts.len(),
        parts.join(", ")
    );
    Ok(0)
}
