//! Media in the crawl: the assets of every record (and links with a media
//! extension of `[media] types`) are queued as media URLs of the ledger,
//! fetched with the same politeness, retries and address safety as pages
//! but with the media rules (the `[media]` hosts instead of the page
//! scope, the media types, the `max_mb` cap), stored in the WARC files,
//! and never parsed. Every asset gets a status and a reason: fetched,
//! failed (`http_404`, `too_large`, …), or skipped (`out_of_scope` for a
//! host not allowed, `content_type` for a type not wanted).
//!
//! A URL first queued as a page that turns out to be an asset (an image
//! without a media extension, also linked with `<a href>`) becomes media:
//! at once while queued, when its page fetch comes back while in flight,
//! and queued again when the page rules had skipped it.

use std::sync::Arc;

use url::Url;

use super::state::State;
use super::CrawlError;
use crate::fetch::{FetchOutcome, Fetcher, MediaWant};
use crate::frontier::canon::canonicalize;
use crate::frontier::ledger::{Claimed, Status, Update, UrlKind};
use crate::media::MediaSpec;
use crate::profile::crawl::CrawlConfig;

/// Why a page rule may have left out a URL that media rules would take.
const PAGE_ONLY_REASONS: [&str; 6] = [
    "content_type",
    "host_not_allowed",
    "not_included",
    "excluded",
    "too_deep",
    "max_pages",
];

/// Whether the media rules let a crawl fetch `url` (its host, and every
/// redirect target's, is the site's or one of `[media] hosts`).
pub(super) fn in_media_scope(spec: &MediaSpec, url: &Url) -> Result<(), String> {
    if spec.host_allowed(url, &[]) {
        return Ok(());
    }
    Err(format!(
        "host {:?} is neither the site's nor one of [media] hosts",
        url.host_str().unwrap_or("")
    ))
}

/// The ledger key of a URL of `kind`: its canonical form (the site's URL
/// rules), except for a media URL on a host that is not the site's (a
/// CDN): the site's rules (`www = "add"`, `https`) say nothing about other
/// hosts, so such a URL is kept as written, without its fragment.
pub(super) fn key_of(cfg: &CrawlConfig, url: &Url, kind: UrlKind) -> String {
    if kind == UrlKind::Page || cfg.scope.host_allowed(url) {
        return canonicalize(url, &cfg.canon).to_string();
    }
    let mut u = url.clone();
    u.set_fragment(None);
    u.to_string()
}

/// Fetch a claimed media URL under the media rules.
pub(super) async fn fetch_media(fetcher: &Fetcher, spec: &MediaSpec, url: &Url) -> FetchOutcome {
    let in_scope = |u: &Url| in_media_scope(spec, u);
    let accept = |asked: &Url, answered: &Url, ct: Option<&str>| spec.accepts(asked, answered, ct);
    let want = MediaWant {
        max_bytes: spec.max_bytes,
        accept: &accept,
    };
    fetcher.fetch_media(url, &in_scope, &want).await
}

impl State {
    /// An asset seen on the page `found_on` (at `depth`), whose record's
    /// own hosts are `own`: queue it as media, or record why not.
    pub fn see_media(
        &mut self,
        url: &Url,
        depth: u32,
        found_on: &str,
        own: &[&str],
    ) -> Result<(), CrawlError> {
        let Some(spec) = self.media_spec.clone() else {
            return Ok(());
        };
        let key = key_of(&self.cfg, url, UrlKind::Media);
        if self.media.contains(&key) {
            return Ok(());
        }
        self.media.insert(&key);
        if self.seen.insert(&key) {
            self.batch.push(Update::DiscoverMedia {
                url: key.clone(),
                depth,
                found_on: Some(found_on.to_string()),
            });
            self.media_verdict(&spec, url, key, own);
            return Ok(());
        }
        self.page_turned_media(&spec, url, key, own)
    }

    /// Skip a new media URL the media rules do not take.
    fn media_verdict(&mut self, spec: &MediaSpec, url: &Url, key: String, own: &[&str]) {
        if !spec.host_allowed(url, own) {
            self.batch.push(Update::Skipped {
                url: key,
                reason: "out_of_scope".into(),
                detail: in_media_scope(spec, url).err().unwrap_or_default(),
            });
        } else if let Some(ext) = spec.unwanted_extension(url) {
            self.batch.push(Update::Skipped {
                url: key,
                reason: "content_type".into(),
                detail: format!("{url}: .{ext} is not one of [media] types"),
            });
        }
    }

    /// An asset the ledger already has as a page: made media now (queued,
    /// or skipped by a page rule: queued again as media; failed: media as
    /// it is), or when its page fetch comes back (in flight, see
    /// [`State::settled_page_as_media`]); a fetched page stays a page.
    fn page_turned_media(
        &mut self,
        spec: &MediaSpec,
        url: &Url,
        key: String,
        own: &[&str],
    ) -> Result<(), CrawlError> {
        self.flush()?;
        let Some(row) = self.ledger.get(&key)? else {
            return Ok(());
        };
        if row.kind == UrlKind::Media {
            return Ok(());
        }
        let page_skip = row.status == Status::Skipped
            && row
                .reason
                .as_deref()
                .is_some_and(|r| PAGE_ONLY_REASONS.contains(&r));
        match row.status {
            Status::Queued => self.batch.push(Update::AsMedia {
                url: key.clone(),
                requeue: false,
            }),
            Status::Failed => self.batch.push(Update::AsMedia {
                url: key.clone(),
                requeue: false,
            }),
            Status::Skipped if page_skip => {
                self.batch.push(Update::AsMedia {
                    url: key.clone(),
                    requeue: true,
                });
                self.media_verdict(spec, url, key.clone(), own);
            }
            _ => {}
        }
        Ok(())
    }

    /// A page fetch came back for a URL that has since been seen as an
    /// asset: the update that makes it media, to apply after its page
    /// settlement (queued again when the page rules skipped it for its
    /// type; media as it is when it failed). A page it stays when it was a
    /// page after all.
    pub fn page_result_as_media(&self, c: &Claimed, out: &FetchOutcome) -> Option<Update> {
        if c.kind != UrlKind::Page || !self.media.contains(&c.url) {
            return None;
        }
        let requeue = match out {
            FetchOutcome::Skipped(f) if f.reason == crate::fetch::Reason::ContentType => true,
            FetchOutcome::Failed(_) => false,
            FetchOutcome::Response(r) if !(200..300).contains(&r.status) => false,
            _ => return None,
        };
        Some(Update::AsMedia {
            url: c.url.clone(),
            requeue,
        })
    }
}

/// What the crawl needs of the profile's `[media]`: the spec, when assets
/// are queued (`fetch = true`).
pub(super) fn queued_spec(profile: &crate::profile::Profile) -> Option<Arc<MediaSpec>> {
    profile.media.fetch.then(|| Arc::new(profile.media.clone()))
}
