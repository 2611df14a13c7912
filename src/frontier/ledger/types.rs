//! The ledger's vocabulary: a URL's [`Status`] and [`UrlKind`], how an alias was found
//! ([`AliasHow`]), the [`Update`]s a batch is made of, and the rows and
//! claims that come back.

use std::fmt;
use std::str::FromStr;

use rusqlite::types::Type;

use super::LedgerError;

/// Where a URL is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Waiting to be fetched.
    Queued,
    /// Handed to a fetcher (turned back into `Queued` when the ledger is reopened).
    InFlight,
    /// Fetched and stored.
    Fetched,
    /// Gave up on it; `reason` says why.
    Failed,
    /// Deliberately not fetched; `reason` says why.
    Skipped,
}

impl Status {
    /// Every status, in lifecycle order.
    pub const ALL: [Status; 5] = [
        Status::Queued,
        Status::InFlight,
        Status::Fetched,
        Status::Failed,
        Status::Skipped,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::InFlight => "in_flight",
            Status::Fetched => "fetched",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
        }
    }
}

impl FromStr for Status {
    type Err = LedgerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| LedgerError::UnknownStatus(s.to_string()))
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a URL is to the crawl.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum UrlKind {
    /// A page: parsed for links (and records).
    #[default]
    Page,
    /// An asset of a record (image, document): stored, never parsed, not
    /// counted against `max_pages`, in scope by the `[media]` hosts.
    Media,
}

impl UrlKind {
    /// Both kinds.
    pub const ALL: [UrlKind; 2] = [UrlKind::Page, UrlKind::Media];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            UrlKind::Page => "page",
            UrlKind::Media => "media",
        }
    }
}

impl FromStr for UrlKind {
    type Err = LedgerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UrlKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| LedgerError::UnknownKind(s.to_string()))
    }
}

impl fmt::Display for UrlKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an alias URL was found to mean the same page as its canonical URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AliasHow {
    /// The alias redirected to the canonical URL.
    Redirect,
    /// The canonical page declared it with `<link rel="canonical">`.
    CanonicalLink,
    /// Both URLs carry the same legacy article id.
    SameLegacyId,
    /// A spelling variant (scheme, `www.`, `/en/`, ...).
    Variant,
}

impl AliasHow {
    /// Every kind of alias.
    pub const ALL: [AliasHow; 4] = [
        AliasHow::Redirect,
        AliasHow::CanonicalLink,
        AliasHow::SameLegacyId,
        AliasHow::Variant,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            AliasHow::Redirect => "redirect",
            AliasHow::CanonicalLink => "canonical_link",
            AliasHow::SameLegacyId => "same_legacy_id",
            AliasHow::Variant => "variant",
        }
    }
}

impl FromStr for AliasHow {
    type Err = LedgerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AliasHow::ALL
            .into_iter()
            .find(|h| h.as_str() == s)
            .ok_or_else(|| LedgerError::UnknownAliasHow(s.to_string()))
    }
}

impl fmt::Display for AliasHow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a fetched page's response record is (mirrors the store's location).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WarcRef {
    /// WARC file name, relative to the store directory.
    pub file: String,
    /// Offset of the record's gzip member.
    pub offset: u64,
    /// Compressed length of that member.
    pub length: u64,
}

/// One change to the ledger; see [`Ledger::apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// A URL was seen; inserted as `queued` if new, otherwise nothing changes.
    Discover {
        /// Canonical URL.
        url: String,
        /// Link depth from the seeds.
        depth: u32,
        /// The page it was first seen on (`None` for seeds).
        found_on: Option<String>,
    },
    /// The URL was fetched and stored.
    Fetched {
        /// Canonical URL.
        url: String,
        /// Where redirects ended, if elsewhere.
        final_url: Option<String>,
        /// Final HTTP status.
        http_status: u16,
        /// Response `Content-Type`.
        content_type: Option<String>,
        /// The response record in the WARC files.
        warc: Option<WarcRef>,
        /// Payload digest (`sha1:...`).
        digest: Option<String>,
    },
    /// Gave up on the URL.
    Failed {
        /// Canonical URL.
        url: String,
        /// Short code: `http_404`, `timeout`, `connection`, `too_large`, ...
        reason: String,
        /// Free text.
        detail: String,
        /// Attempts made so far.
        attempts: u32,
    },
    /// Decided not to fetch the URL.
    Skipped {
        /// Canonical URL.
        url: String,
        /// Short code: `robots`, `out_of_scope`, `too_deep`, `content_type`, ...
        reason: String,
        /// Free text.
        detail: String,
    },
    /// A media URL was seen (an asset of a record); inserted as `queued`
    /// media if new, otherwise nothing changes (see [`Update::AsMedia`]).
    DiscoverMedia {
        /// Canonical URL.
        url: String,
        /// The depth of the page that referenced it.
        depth: u32,
        /// The page it was first seen on.
        found_on: Option<String>,
    },
    /// A URL first seen as a page is an asset after all: it becomes media,
    /// and with `requeue` goes back in the queue (attempts 0, reason `media`).
    AsMedia {
        /// Canonical URL.
        url: String,
        /// Queue it again (it was skipped for a page-only reason).
        requeue: bool,
    },
    /// Put the URL back in the queue (e.g. after a retryable error).
    Requeue {
        /// Canonical URL.
        url: String,
        /// Attempts made so far.
        attempts: u32,
        /// Why it is being retried.
        reason: String,
    },
    /// `alias` is another URL of the page `canonical`. The first alias
    /// recorded for a URL wins; an alias equal to its canonical is ignored.
    Alias {
        /// The other URL.
        alias: String,
        /// The canonical URL.
        canonical: String,
        /// How we know.
        how: AliasHow,
    },
}

impl Update {
    /// The name of the kind of update, for errors.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Update::Discover { .. } => "Discover",
            Update::DiscoverMedia { .. } => "DiscoverMedia",
            Update::AsMedia { .. } => "AsMedia",
            Update::Fetched { .. } => "Fetched",
            Update::Failed { .. } => "Failed",
            Update::Skipped { .. } => "Skipped",
            Update::Requeue { .. } => "Requeue",
            Update::Alias { .. } => "Alias",
        }
    }

    /// The operation, for SQLite errors (`apply Fetched`, …).
    pub(super) fn op(&self) -> &'static str {
        match self {
            Update::Discover { .. } => "apply Discover",
            Update::DiscoverMedia { .. } => "apply DiscoverMedia",
            Update::AsMedia { .. } => "apply AsMedia",
            Update::Fetched { .. } => "apply Fetched",
            Update::Failed { .. } => "apply Failed",
            Update::Skipped { .. } => "apply Skipped",
            Update::Requeue { .. } => "apply Requeue",
            Update::Alias { .. } => "apply Alias",
        }
    }

    /// The URL the update is about (the alias, for an alias).
    pub(super) fn url(&self) -> &str {
        match self {
            Update::Fetched { url, .. }
            | Update::Failed { url, .. }
            | Update::Skipped { url, .. }
            | Update::Requeue { url, .. }
            | Update::Discover { url, .. }
            | Update::DiscoverMedia { url, .. }
            | Update::AsMedia { url, .. } => url,
            Update::Alias { alias, .. } => alias,
        }
    }
}

/// What one [`Ledger::apply`] batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyResult {
    /// Indices (into the batch) of the `Discover` updates that inserted a new URL.
    pub new: Vec<usize>,
    /// How many aliases were added.
    pub aliases_added: usize,
}

impl ApplyResult {
    /// Whether update `index` of the batch discovered a new URL.
    pub fn is_new(&self, index: usize) -> bool {
        self.new.binary_search(&index).is_ok()
    }
}

/// A URL handed out by [`Ledger::claim`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// Row id.
    pub id: i64,
    /// Canonical URL.
    pub url: String,
    /// Link depth.
    pub depth: u32,
    /// Attempts made before this one.
    pub attempts: u32,
    /// Page or media.
    pub kind: UrlKind,
}

/// Everything the ledger knows about one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Row id.
    pub id: i64,
    /// Canonical URL.
    pub url: String,
    /// Current status.
    pub status: Status,
    /// Short reason code for the status, if any.
    pub reason: Option<String>,
    /// Free-text detail.
    pub detail: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// Link depth.
    pub depth: u32,
    /// Page it was first seen on.
    pub found_on: Option<String>,
    /// Where redirects ended.
    pub final_url: Option<String>,
    /// Final HTTP status.
    pub http_status: Option<u16>,
    /// Response `Content-Type`.
    pub content_type: Option<String>,
    /// The response record in the WARC files.
    pub warc: Option<WarcRef>,
    /// Payload digest.
    pub digest: Option<String>,
    /// Discovery order (monotonic across runs).
    pub discovered: i64,
    /// Order of the last change (monotonic across runs).
    pub updated: i64,
    /// Page or media.
    pub kind: UrlKind,
}

pub(super) fn status_col(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Status> {
    let text: String = row.get(idx)?;
    text.parse()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

pub(super) fn kind_col(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<UrlKind> {
    let text: String = row.get(idx)?;
    text.parse()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

pub(super) fn map_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let warc_file: Option<String> = r.get(11)?;
    let warc_offset: Option<u64> = r.get(12)?;
    let warc_length: Option<u64> = r.get(13)?;
    let warc = match (warc_file, warc_offset, warc_length) {
        (Some(file), Some(offset), Some(length)) => Some(WarcRef {
            file,
            offset,
            length,
        }),
        _ => None,
    };
    Ok(Row {
        id: r.get(0)?,
        url: r.get(1)?,
        status: status_col(r, 2)?,
        reason: r.get(3)?,
        detail: r.get(4)?,
        attempts: r.get(5)?,
        depth: r.get(6)?,
        found_on: r.get(7)?,
        final_url: r.get(8)?,
        http_status: r.get(9)?,
        content_type: r.get(10)?,
        warc,
        digest: r.get(14)?,
        discovered: r.get(15)?,
        updated: r.get(16)?,
        kind: kind_col(r, 17)?,
    })
}
