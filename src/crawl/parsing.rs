//! The parse side of the crawl: a stored page is parsed once on rayon for
//! its links (and, in `run` or when `[media] fetch` is on, extracted into
//! its outcome, whose record's assets are queued as media); back on the
//! owning task its assets and links are queued, the page is marked fetched
//! only then, and its outcome goes to the record spool. After a kill, the
//! pages that were stored but not settled are parsed again from the store
//! first, and the media responses stored but not settled are settled from
//! their notes.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use url::Url;

use super::state::State;
use super::{reconcile, CrawlError, Done, Job};
use crate::extract::{self, ExtractError, Outcome, Page};
use crate::frontier::ledger::{Status, Update, UrlKind, WarcRef};
use crate::frontier::links::{discover, discover_in_text};
use crate::profile::crawl::CrawlConfig;
use crate::profile::Profile;

/// Parse (and extract, when `extract_too`) a page on the rayon pool; the
/// result comes back on `tx`. A panic is contained to the page.
pub(super) fn spawn_job(
    job: Job,
    profile: Arc<Profile>,
    cfg: Arc<CrawlConfig>,
    extract_too: bool,
    tx: UnboundedSender<Done>,
) {
    rayon::spawn(move || {
        let work = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            parse_job(&job, &profile, &cfg, extract_too)
        }));
        let parsed = work.unwrap_or_else(|_| {
            let e = ExtractError::Panic("while parsing a fetched page".into());
            Parsed {
                outcome: extract_too.then(|| Outcome::Failed(e.to_page_error(None))),
                ..Parsed::default()
            }
        });
        let _ = tx.send(Done {
            fetched: job.fetched,
            url: job.url,
            depth: job.depth,
            digest: job.digest,
            links: parsed.links,
            assets: parsed.assets,
            asset_hosts: parsed.asset_hosts,
            outcome: parsed.outcome,
        });
    });
}

/// What parsing a page gave.
#[derive(Default)]
struct Parsed {
    links: Vec<Url>,
    /// Every asset its record references (before the media rules).
    assets: Vec<Url>,
    /// The record's own hosts.
    asset_hosts: Vec<String>,
    /// Its outcome, when extracting.
    outcome: Option<Outcome>,
}

/// The links of a page, its record's assets when media are queued (which
/// takes the extraction, even in a crawl that extracts nothing else), and
/// its outcome when extracting too.
fn parse_job(job: &Job, profile: &Profile, cfg: &CrawlConfig, extract_too: bool) -> Parsed {
    let page = Page {
        url: &job.fetched_url,
        bytes: &job.body,
        content_type: job.content_type.as_deref(),
        url_source: "fetch",
    };
    let want_assets = profile.media.fetch;
    if !(extract_too || want_assets) {
        return Parsed {
            links: links_only(&page, profile, cfg),
            ..Parsed::default()
        };
    }
    let parsed = extract::parse(&page, profile);
    let links: Vec<Url> = match &parsed {
        Some(p) => discover(&p.doc, &job.fetched_url, &cfg.follow)
            .into_iter()
            .map(|l| l.url)
            .collect(),
        None => Vec::new(),
    };
    let outcome = Some(match &parsed {
        Some(p) => extract::extract_parsed(p, &page, profile, &mut extract::Trace::off()),
        None => extract::extract(&page, profile),
    });
    let (assets, asset_hosts) = match &outcome {
        Some(Outcome::Record(r)) if want_assets => (
            crate::media::references_of(r, &profile.media)
                .iter()
                .filter_map(|a| Url::parse(&a.url).ok())
                .collect(),
            crate::media::own_hosts(r),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    Parsed {
        links,
        assets,
        asset_hosts,
        outcome: outcome.filter(|_| extract_too),
    }
}

/// The links of a page the crawl does not extract: the same text the
/// parser would get (decoded, bounded, script and style content left out),
/// scanned by the tokenizer alone; parsed only when the scan leaves the page
/// to the parser (see [`discover_in_text`]).
fn links_only(page: &Page<'_>, profile: &Profile, cfg: &CrawlConfig) -> Vec<Url> {
    if page.bytes.len() > extract::MAX_PAGE_BYTES {
        return Vec::new(); // as extract::parse: no document, no links
    }
    let decoded = crate::decode::decode(
        page.bytes,
        page.content_type,
        &extract::decode_options(profile),
    );
    let (text, _) = extract::limits::prepare_markup(&decoded.text, true);
    let links = discover_in_text(&text, page.url, &cfg.follow).unwrap_or_else(|| {
        let doc = scraper::Html::parse_document(&text);
        discover(&doc, page.url, &cfg.follow)
    });
    links.into_iter().map(|l| l.url).collect()
}

/// Settle a parsed page: queue its record's assets and its links (a link
/// with a media extension of `[media] types` is media too), mark it
/// fetched, spool its outcome.
pub(super) fn handle_done(st: &mut State, d: Done) -> Result<(), CrawlError> {
    let own: Vec<&str> = d.asset_hosts.iter().map(String::as_str).collect();
    for a in &d.assets {
        st.see_media(a, d.depth, &d.url, &own)?;
    }
    let media_links = st.media_spec.clone();
    for l in &d.links {
        match &media_links {
            Some(spec) if spec.wants_url(l) => st.see_media(l, d.depth, &d.url, &[])?,
            _ => st.see(l, d.depth + 1, Some(&d.url)),
        }
    }
    st.batch.push(d.fetched);
    if let Some(o) = &d.outcome {
        let fingerprint = st.fingerprint.clone();
        st.spool_line(&super::spool::SpoolLine {
            page: &d.url,
            digest: &d.digest,
            profile: &fingerprint,
            outcome: o,
        })?;
    }
    Ok(())
}

/// The page of a pending note, when it is still waiting and its record is
/// readable: as a job, with the redirect that led to it applied again.
fn waiting_job(
    st: &mut State,
    store: &Path,
    mut p: reconcile::Pending,
    done: &mut HashSet<String>,
) -> Result<Option<Job>, CrawlError> {
    // only pages still waiting (back in the queue after the kill), once
    // each; a page reached by a redirect waits under the URL that was
    // asked for, and the redirect is applied again
    let row = st.ledger.get(&p.url)?;
    let from_row = match &p.redirected_from {
        Some(from) => st.ledger.get(from)?,
        None => None,
    };
    let queued = |r: &Option<crate::frontier::ledger::Row>| {
        // a failed URL queued again on purpose (--retry-failed) is fetched again
        r.as_ref()
            .is_some_and(|r| r.status == Status::Queued && r.reason.as_deref() != Some("retried"))
    };
    let waiting = queued(&row);
    let redirect_waiting = queued(&from_row);
    if !(waiting || redirect_waiting) || !done.insert(p.url.clone()) {
        return Ok(None);
    }
    let kind = match waiting {
        true => row.map(|r| r.kind),
        false => from_row.map(|r| r.kind),
    };
    if p.file.is_empty() && !reconcile::locate(store, &mut p) {
        return Ok(None); // the record never reached the disk: fetched again
    }
    if kind == Some(UrlKind::Media) {
        settle_media(st, p, redirect_waiting);
        return Ok(None);
    }
    let body = match reconcile::body(store, &p) {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(
                "{}: stored page unreadable ({e}); it will be fetched again",
                p.url
            );
            return Ok(None);
        }
    };
    let Ok(fetched_url) = Url::parse(&p.fetched_url) else {
        return Ok(None);
    };
    if let (true, Some(from)) = (redirect_waiting, &p.redirected_from) {
        st.note_redirect(from, &p.hops, &p.url, p.depth, UrlKind::Page);
    }
    let fetched = Update::Fetched {
        url: p.url.clone(),
        final_url: (p.fetched_url != p.url).then(|| p.fetched_url.clone()),
        http_status: p.status,
        content_type: p.content_type.clone(),
        warc: Some(WarcRef {
            file: p.file.clone(),
            offset: p.offset,
            length: p.length,
        }),
        digest: Some(p.digest.clone()),
    };
    Ok(Some(Job {
        fetched,
        url: p.url,
        fetched_url,
        depth: p.depth,
        digest: p.digest,
        content_type: p.content_type,
        body,
    }))
}

/// Settle a media response a killed run had stored but not yet settled,
/// from its note: fetched (2xx) or failed with its status.
fn settle_media(st: &mut State, p: reconcile::Pending, redirect_waiting: bool) {
    if let (true, Some(from)) = (redirect_waiting, &p.redirected_from) {
        st.note_redirect(from, &p.hops, &p.url, p.depth, UrlKind::Media);
    }
    st.media.insert(&p.url);
    if (200..300).contains(&p.status) {
        st.batch.push(Update::Fetched {
            url: p.url.clone(),
            final_url: (p.fetched_url != p.url).then(|| p.fetched_url.clone()),
            http_status: p.status,
            content_type: p.content_type,
            warc: Some(WarcRef {
                file: p.file,
                offset: p.offset,
                length: p.length,
            }),
            digest: Some(p.digest),
        });
        return;
    }
    let phrase = reqwest::StatusCode::from_u16(p.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    st.batch.push(Update::Failed {
        url: p.url,
        reason: format!("http_{}", p.status),
        detail: format!(
            "HTTP {} {phrase} (the stored response, settled after a restart)",
            p.status
        ),
        attempts: 1,
    });
}

/// Parse again, from the store, the pages a killed run had stored but not
/// yet settled, and settle the media responses it had stored, before
/// anything new is claimed.
pub(super) async fn recover(
    st: &mut State,
    store: &Path,
    profile: &Arc<Profile>,
    cfg: &Arc<CrawlConfig>,
    extract_too: bool,
    wtx: &UnboundedSender<Done>,
    wrx: &mut UnboundedReceiver<Done>,
) -> Result<(), CrawlError> {
    let notes = reconcile::read(store).map_err(|source| CrawlError::Io {
        what: format!("reading {}", store.join(reconcile::PENDING).display()),
        source,
    })?;
    let mut n = 0;
    let mut done = HashSet::new();
    // newest first: a page's located note comes after the note written before its record
    for p in notes.into_iter().rev() {
        if let Some(job) = waiting_job(st, store, p, &mut done)? {
            spawn_job(job, profile.clone(), cfg.clone(), extract_too, wtx.clone());
            n += 1;
        }
    }
    for _ in 0..n {
        match wrx.recv().await {
            Some(done) => handle_done(st, done)?,
            None => break,
        }
    }
    if n > 0 {
        tracing::info!("{n} stored pages of the interrupted run parsed again from the store");
    }
    st.flush()
}
