//! The fetch side of the crawl: claimed URLs become fetch tasks (under the
//! fetcher's politeness; media URLs under the media rules, see
//! [`super::media`]), each response's WARC records are built on rayon,
//! and what comes back is settled: stored in the WARC files, noted as
//! pending while its links are not yet queued (pages) or its settlement is
//! not yet in the ledger (media), and turned into ledger updates (fetched,
//! failed with the reason, skipped, redirected).

use std::sync::Arc;

use url::Url;

use super::state::State;
use super::{reconcile, to_ref, CrawlError, Job, ScopeFn};
use crate::fetch::{FetchOutcome, Fetcher, Response};
use crate::frontier::ledger::{Claimed, Update, UrlKind};
use crate::media::MediaSpec;
use crate::store::{prepare_exchange, Exchange, PreparedExchange};

/// What a fetch task hands back: the claimed URL, what the fetch gave, and
/// for a response its WARC records, built on the task's side.
pub(super) type Fetched = (Claimed, FetchOutcome, Option<PreparedExchange>);

/// Fetch one claimed URL (and build its records) on the async runtime.
pub(super) async fn fetch_one(
    c: Claimed,
    fetcher: Fetcher,
    scope: ScopeFn,
    media: Arc<MediaSpec>,
    warcinfo_id: String,
) -> Fetched {
    let url = match Url::parse(&c.url) {
        Ok(u) => u,
        Err(e) => {
            let failure = crate::fetch::Failure {
                reason: crate::fetch::Reason::Other,
                detail: format!("unparsable URL in the ledger: {e}"),
                attempts: 0,
                chain: vec![],
            };
            return (c, FetchOutcome::Failed(failure), None);
        }
    };
    let out = match c.kind {
        UrlKind::Page => fetcher.fetch(&url, &*scope).await,
        UrlKind::Media => super::media::fetch_media(&fetcher, &media, &url).await,
    };
    match out {
        FetchOutcome::Response(r) => {
            let (r, records) = prepare_records(r, warcinfo_id).await;
            (c, FetchOutcome::Response(r), records)
        }
        out => (c, out, None),
    }
}

/// The exchange of a response, as the page store archives it.
fn exchange(r: &Response) -> Exchange<'_> {
    Exchange {
        target_uri: r.url.as_str(),
        date: r.date,
        ip: r.ip,
        method: &r.method,
        request_headers: &r.request_headers,
        http_version: &r.http_version,
        status: r.status,
        reason: &r.reason_phrase,
        response_headers: &r.headers,
        payload: &r.raw_body,
    }
}

/// Build the WARC records of a response (SHA-1 digests, gzip members) on
/// the rayon pool, so the task that owns the writer only appends them.
/// None if that failed: the writer then builds them itself.
async fn prepare_records(r: Response, warcinfo_id: String) -> (Response, Option<PreparedExchange>) {
    let r = Arc::new(r);
    let shared = Arc::clone(&r);
    // the closure (and its handle) is dropped before the result is sent
    let records =
        crate::fetch::on_rayon(move || prepare_exchange(&exchange(&shared), &warcinfo_id).ok())
            .await
            .flatten();
    let r = Arc::try_unwrap(r).unwrap_or_else(|r| (*r).clone());
    (r, records)
}

/// Settle what a fetch task gave; a 2xx HTML page becomes a parse job.
pub(super) fn handle_fetch(
    st: &mut State,
    c: Claimed,
    out: FetchOutcome,
    records: Option<PreparedExchange>,
) -> Result<Option<Job>, CrawlError> {
    // a page that has been seen as an asset since it was claimed
    let as_media = st.page_result_as_media(&c, &out);
    let job = settle(st, c, out, records)?;
    st.batch.extend(as_media);
    Ok(job)
}

fn settle(
    st: &mut State,
    c: Claimed,
    out: FetchOutcome,
    records: Option<PreparedExchange>,
) -> Result<Option<Job>, CrawlError> {
    match out {
        FetchOutcome::Response(r) => return handle_response(st, c, r, records),
        FetchOutcome::Failed(f) => {
            st.failed_now += 1;
            st.batch.push(Update::Failed {
                url: c.url,
                reason: f.reason.code(),
                detail: f.detail,
                attempts: c.attempts + f.attempts,
            })
        }
        FetchOutcome::Skipped(f) => st.batch.push(Update::Skipped {
            url: c.url,
            reason: f.reason.code(),
            detail: f.detail,
        }),
    }
    Ok(None)
}

/// A response: stored, its redirect recorded, and settled (a page waits
/// for its links as a job; anything else is settled now). A page (2xx
/// HTML) and every media response are noted in the pending log before
/// their record is written and again with its location, so a kill before
/// the ledger hears of them costs no second request: recovery settles
/// them from the store.
fn handle_response(
    st: &mut State,
    c: Claimed,
    r: Response,
    records: Option<PreparedExchange>,
) -> Result<Option<Job>, CrawlError> {
    st.fetched_now += 1;
    let digest = match &records {
        Some(p) => p.payload_digest().to_string(),
        None => super::payload_digest(&r.raw_body),
    };
    let final_canon = super::media::key_of(&st.cfg, &r.url, c.kind);
    let content_type = r
        .header("content-type")
        .map(|v| String::from_utf8_lossy(v).to_string());
    let is_media = c.kind == UrlKind::Media;
    let is_page =
        !is_media && (200..300).contains(&r.status) && r.kind == crate::fetch::ContentKind::Html;
    let mut note = reconcile::Pending {
        url: final_canon.clone(),
        fetched_url: r.url.to_string(),
        depth: c.depth,
        digest: digest.clone(),
        status: r.status,
        content_type: content_type.clone(),
        file: String::new(),
        offset: 0,
        length: 0,
        redirected_from: (final_canon != c.url).then(|| c.url.clone()),
        hops: r
            .chain
            .iter()
            .map(|hop| super::media::key_of(&st.cfg, &hop.url, c.kind))
            .collect(),
    };
    if is_page || is_media {
        // noted before the record is written: a kill in between cannot hide it
        st.note_pending(&note)?;
    }
    let ex = exchange(&r);
    let loc = match records {
        Some(p) => st.warc.append(p, &ex)?,
        None => st.warc.write_exchange(&ex)?,
    };
    if is_media {
        let w = to_ref(&loc);
        (note.file, note.offset, note.length) = (w.file, w.offset, w.length);
        st.note_pending(&note)?;
    }
    if final_canon != c.url {
        st.note_redirect(&c.url, &note.hops, &final_canon, c.depth, c.kind);
    }
    if !(200..300).contains(&r.status) {
        st.batch.push(Update::Failed {
            url: final_canon,
            reason: format!("http_{}", r.status),
            detail: format!(
                "HTTP {} {} after {} attempt(s)",
                r.status, r.reason_phrase, r.attempts
            ),
            attempts: c.attempts + r.attempts,
        });
        return Ok(None);
    }
    let fetched = Update::Fetched {
        url: final_canon.clone(),
        final_url: (r.url.as_str() != final_canon).then(|| r.url.to_string()),
        http_status: r.status,
        content_type: content_type.clone(),
        warc: Some(to_ref(&loc)),
        digest: Some(digest.clone()),
    };
    if !is_page {
        st.batch.push(fetched);
        return Ok(None);
    }
    let w = to_ref(&loc);
    note.file = w.file;
    note.offset = w.offset;
    note.length = w.length;
    st.note_pending(&note)?;
    Ok(Some(Job {
        fetched,
        url: final_canon,
        fetched_url: r.url,
        depth: c.depth,
        digest,
        content_type,
        body: r.body,
    }))
}
