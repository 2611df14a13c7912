//! Media: the images, documents, audio and video a record references, and
//! where their bytes are. Records are exact, but every image and linked
//! PDF of `body.html` still points at the legacy server; a migration must
//! carry them over. This module is the acquisition side of that:
//!
//! - [`assets_of`]: which assets a record references (its body images, its
//!   featured image, the documents its body links to), as [`AssetRef`]s;
//! - [`MediaSource`]: finding an asset's bytes again offline, in a crawl
//!   store ([`StoreMedia`]), in WARC files ([`WarcMedia`]) or in a saved
//!   folder ([`SavedMedia`]);
//! - [`sniff`], [`dimensions`], [`sha256_hex`]: facts about the bytes,
//!   from the bytes themselves;
//! - [`MediaSpec`]: the compiled `[media]` profile section (which types,
//!   which hosts, the size cap, whether the crawl fetches them).
//!
//! The crawl fetches assets as media URLs of the ledger (see
//! `crate::crawl`); packaging them (new paths, rewritten bodies) is a later
//! stage's work, built on this API.

mod refs;
mod sniff;
mod source_saved;
mod source_store;
mod source_warc;
pub mod spec;

use std::path::PathBuf;

pub use refs::{assets_of, own_hosts, references_of};
pub use sniff::{dimensions, sniff};
pub use source_saved::SavedMedia;
pub use source_store::StoreMedia;
pub use source_warc::WarcMedia;
pub use spec::{HostPattern, MediaSpec};

/// What an asset is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AssetKind {
    /// An image (`<img>`, the featured image, a linked `.jpg`).
    Image,
    /// A document (PDF, Office files, archives).
    Document,
    /// A sound file.
    Audio,
    /// A video file.
    Video,
}

impl AssetKind {
    /// The name used in data (`image`, `document`, `audio`, `video`).
    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::Image => "image",
            AssetKind::Document => "document",
            AssetKind::Audio => "audio",
            AssetKind::Video => "video",
        }
    }
}

/// An asset a record references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetRef {
    /// Absolute URL, as the record has it.
    pub url: String,
    /// What it is.
    pub kind: AssetKind,
    /// Alternative text of an image; the link text of a document.
    pub alt: Option<String>,
    /// The caption of an image.
    pub caption: Option<String>,
    /// The record's featured image.
    pub featured: bool,
}

/// An asset's bytes, from wherever a [`MediaSource`] found them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// The URL the bytes were fetched from (after redirects).
    pub url: String,
    /// The body as a browser sees it: content coding undone.
    pub bytes: Vec<u8>,
    /// The content type declared for it (HTTP header, sidecar), if any.
    pub content_type: Option<String>,
}

/// Where assets' bytes can be found again.
pub trait MediaSource {
    /// The asset at `url`: `Ok(None)` when this source does not have it
    /// (missing: never fetched, failed, skipped), `Err` when it has it but
    /// cannot read it (the message says what and where).
    fn get(&self, url: &str) -> Result<Option<Asset>, String>;
}

/// Errors opening a media source.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The store's ledger failed.
    #[error(transparent)]
    Ledger(#[from] crate::frontier::ledger::LedgerError),
    /// The folder has no ledger.
    #[error("{0} has no ledger.sqlite: is it a sitelift store? (crawl into it first)")]
    NotAStore(PathBuf),
    /// A folder or file could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// The SHA-256 of `bytes`, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    data_encoding::HEXLOWER.encode(&sha2::Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_inputs() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
