//! The media of the package. In the planning pass every asset a record
//! references ([`crate::media::assets_of`]) is looked up in the input (a
//! store, WARC files or a saved folder: a [`MediaSource`]), its bytes are
//! digested (SHA-256), one asset per digest gets a new path from the
//! `[output] media_path` pattern (`media/{yyyy}/{mm}/{name}`; a name taken
//! by other bytes gets `-2`, `-3`, in output order), and its file is staged.
//! In the writing pass each record's images, featured image and document
//! links point at the new paths (or keep their legacy URLs with
//! `media_urls = "legacy"`), each image with its media id, and an asset the
//! input does not have is a `missing_media` warning. `media.jsonl` lists
//! every asset once: its legacy URLs, path, digest, sniffed type, size,
//! dimensions, alt texts, captions, and the records that use it.
//!
//! What grows with the site (the URL → digest map, the assets, their
//! users) lives in a temporary SQLite database, as the redirect map does.

use std::path::{Path, PathBuf};

use rusqlite::OptionalExtension;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use url::Url;

use super::files::io;
use super::scratch::Scratch;
use super::writer::OutputError;
use crate::media::{assets_of, dimensions, sha256_hex, sniff, AssetRef, MediaSource, MediaSpec};
use crate::profile::output::OutputSpec;
use crate::record::{Message, Record};
use crate::text::slugify;

/// One line of `media.jsonl`: an asset, once, whatever URLs it had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct MediaEntry {
    /// The asset's id (`m` and the start of its SHA-256), in records' `images[].media_id`.
    pub id: String,
    /// The new path of the file, relative to the new site's root.
    pub path: String,
    /// The new URL (`[output] url_prefix` + path).
    pub url: String,
    /// Every legacy URL it was seen under, sorted.
    pub legacy_urls: Vec<String>,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// `image`, `document`, `audio` or `video`.
    pub kind: String,
    /// The content type, from the bytes where they say it, else as declared.
    pub content_type: Option<String>,
    /// Size in bytes.
    pub bytes: u64,
    /// Width of an image, in pixels.
    pub width: Option<u32>,
    /// Height of an image, in pixels.
    pub height: Option<u32>,
    /// Alternative texts (link texts of documents) seen, sorted.
    pub alts: Vec<String>,
    /// Captions seen, sorted.
    pub captions: Vec<String>,
    /// The records that use it (legacy id, else URL), sorted.
    pub records: Vec<String>,
}

/// Where the files go: staged in `stage`, swapped into `dest` at the end.
struct Files {
    stage: PathBuf,
    dest: PathBuf,
    /// Mark `dest` as sitelift's (a `--media-dir` folder, which has no
    /// marked output folder around it).
    marked: bool,
}

/// The media of one output.
pub struct Media {
    spec: MediaSpec,
    source: Option<Box<dyn MediaSource + Send>>,
    db: Scratch,
    files: Option<Files>,
    url_prefix: String,
    pattern: String,
    new_urls: bool,
    /// Assets found and missing, over all records (a reference each).
    pub found: u64,
    /// See `found`.
    pub missing: u64,
}

const SCHEMA: &str = "CREATE TABLE url (url TEXT PRIMARY KEY, digest TEXT, why TEXT) WITHOUT ROWID;\
     CREATE TABLE asset (digest TEXT PRIMARY KEY, entry TEXT NOT NULL, path TEXT NOT NULL UNIQUE) WITHOUT ROWID;\
     CREATE TABLE seen (digest TEXT NOT NULL, what TEXT NOT NULL, value TEXT NOT NULL, \
       PRIMARY KEY (digest, what, value)) WITHOUT ROWID;";

/// The first segment of a media path pattern: the media folder.
fn folder_of(pattern: &str) -> &str {
    pattern.split('/').next().unwrap_or("media")
}

impl Media {
    /// The media of an output whose records follow `spec`; files are
    /// written under `root` (the output folder, or `--media-dir`) when given.
    pub fn new(spec: &MediaSpec, out: &OutputSpec, root: Option<&Path>) -> Media {
        let folder = folder_of(&out.media_path);
        Media {
            spec: spec.clone(),
            source: None,
            db: Scratch::open(SCHEMA),
            files: root.map(|r| Files {
                stage: r.join(format!(".{folder}.partial")),
                dest: r.join(folder),
                marked: false,
            }),
            url_prefix: out.url_prefix.clone(),
            pattern: out.media_path.clone(),
            new_urls: out.media_urls_new,
            found: 0,
            missing: 0,
        }
    }

    /// Mark the media folder itself as sitelift's (see [`Files`]).
    pub fn marked(&mut self, on: bool) {
        if let Some(f) = &mut self.files {
            f.marked = on;
        }
    }

    /// Where the assets' bytes are (none: every asset is missing).
    pub fn set_source(&mut self, source: Box<dyn MediaSource + Send>) {
        self.source = Some(source);
    }

    /// Whether media are carried over at all (a source was given).
    pub fn active(&self) -> bool {
        self.source.is_some()
    }

    /// Distinct assets so far.
    pub fn assets(&self) -> u64 {
        self.db
            .read()
            .ok()
            .and_then(|db| {
                db.query_row("SELECT count(*) FROM asset", [], |r| r.get::<_, i64>(0))
                    .ok()
            })
            .unwrap_or(0) as u64
    }

    /// Why the media database failed, if it did.
    pub fn failure(&self) -> Option<&str> {
        self.db.failure()
    }

    /// The staging folder, emptied (before the first file).
    pub fn prepare(&self) -> Result<(), OutputError> {
        if let Some(f) = &self.files {
            if f.stage.exists() {
                std::fs::remove_dir_all(&f.stage).map_err(io(&f.stage))?;
            }
        }
        Ok(())
    }

    /// The digest the input gives for `url` (None: missing, with why).
    fn digest_of(
        &mut self,
        a: &AssetRef,
        record: &Record,
    ) -> Result<Result<String, String>, OutputError> {
        let known = self
            .db
            .run(|db| {
                db.prepare_cached("SELECT digest, why FROM url WHERE url = ?1")?
                    .query_row([&a.url], |r| {
                        Ok((
                            r.get::<_, Option<String>>(0)?,
                            r.get::<_, Option<String>>(1)?,
                        ))
                    })
                    .optional()
            })
            .flatten();
        if let Some((digest, why)) = known {
            return Ok(digest.ok_or_else(|| why.unwrap_or_default()));
        }
        let got = match &self.source {
            Some(s) => s.get(&a.url),
            None => Ok(None),
        };
        let found = match got {
            Ok(Some(asset)) => Ok(self.add_asset(a, record, &asset)?),
            Ok(None) => {
                Err("not in the input (never fetched, failed, or not in this archive)".to_string())
            }
            Err(e) => Err(format!("unreadable in the input: {e}")),
        };
        let (digest, why) = match &found {
            Ok(d) => (Some(d.as_str()), None),
            Err(w) => (None, Some(w.as_str())),
        };
        self.db.run(|db| {
            db.prepare_cached("INSERT OR REPLACE INTO url (url, digest, why) VALUES (?1, ?2, ?3)")?
                .execute(rusqlite::params![a.url, digest, why])
        });
        Ok(found)
    }

    /// A new asset's bytes: digested, given a path (unless its digest has
    /// one) and staged; returns the digest.
    fn add_asset(
        &mut self,
        a: &AssetRef,
        record: &Record,
        asset: &crate::media::Asset,
    ) -> Result<String, OutputError> {
        let digest = sha256_hex(&asset.bytes);
        let exists = self
            .db
            .run(|db| {
                db.prepare_cached("SELECT 1 FROM asset WHERE digest = ?1")?
                    .query_row([&digest], |_| Ok(()))
                    .optional()
            })
            .flatten()
            .is_some();
        if exists {
            return Ok(digest);
        }
        let id = format!("m{}", &digest[..16]);
        let path = self.free_path(&self.wanted_path(a, record, &id));
        let (width, height) = match dimensions(&asset.bytes) {
            Some((w, h)) => (Some(w), Some(h)),
            None => (None, None),
        };
        let entry = MediaEntry {
            url: format!("{}{path}", self.url_prefix),
            id,
            path: path.clone(),
            legacy_urls: Vec::new(),
            sha256: digest.clone(),
            kind: a.kind.as_str().to_string(),
            content_type: sniff(&asset.bytes)
                .map(str::to_string)
                .or_else(|| asset.content_type.clone()),
            bytes: asset.bytes.len() as u64,
            width,
            height,
            alts: Vec::new(),
            captions: Vec::new(),
            records: Vec::new(),
        };
        let text = serde_json::to_string(&entry).unwrap_or_default();
        self.db.run(|db| {
            db.prepare_cached("INSERT INTO asset (digest, entry, path) VALUES (?1, ?2, ?3)")?
                .execute([&digest, &text, &path])
        });
        if let Some(f) = &self.files {
            let file = super::writer::safe_file(&f.stage, path.split_once('/').map_or("", |x| x.1));
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            std::fs::write(&file, &asset.bytes).map_err(io(&file))?;
        }
        Ok(digest)
    }

    /// The path the pattern gives an asset of `record`.
    fn wanted_path(&self, a: &AssetRef, record: &Record, id: &str) -> String {
        let (year, month) = super::paths::year_month(record);
        let (stem, ext) = name_of(&a.url);
        let name = match (stem.is_empty(), ext.is_empty()) {
            (true, _) => id.to_string(),
            (false, true) => stem.clone(),
            (false, false) => format!("{stem}.{ext}"),
        };
        self.pattern
            .replace("{yyyy}", year.as_deref().unwrap_or("undated"))
            .replace("{mm}", month.as_deref().unwrap_or("00"))
            .replace("{name}", &name)
            .replace("{id}", id)
            .replace("{ext}", if ext.is_empty() { "bin" } else { &ext })
    }

    /// `wanted`, or with `-2`, `-3`… before its extension when other bytes
    /// have it.
    fn free_path(&mut self, wanted: &str) -> String {
        let taken = |db: &mut Scratch, p: &str| {
            db.run(|db| {
                db.prepare_cached("SELECT 1 FROM asset WHERE path = ?1")?
                    .query_row([p], |_| Ok(()))
                    .optional()
            })
            .flatten()
            .is_some()
        };
        if !taken(&mut self.db, wanted) {
            return wanted.to_string();
        }
        let (dir, file) = wanted.rsplit_once('/').unwrap_or(("", wanted));
        let (stem, ext) = match file.rsplit_once('.') {
            Some((s, e)) => (s, format!(".{e}")),
            None => (file, String::new()),
        };
        (2..)
            .map(|n| format!("{dir}/{stem}-{n}{ext}"))
            .find(|c| !taken(&mut self.db, c))
            .expect("some suffix is free")
    }

    /// Note what a record says of one of its assets (URL, alt, caption, user).
    fn note(&mut self, digest: &str, a: &AssetRef, key: &str) {
        let mut rows: Vec<(&str, &str)> = vec![("url", &a.url), ("record", key)];
        if let Some(alt) = a.alt.as_deref().filter(|s| !s.is_empty()) {
            rows.push(("alt", alt));
        }
        if let Some(c) = a.caption.as_deref().filter(|s| !s.is_empty()) {
            rows.push(("caption", c));
        }
        self.db.run(|db| {
            for (what, value) in &rows {
                db.prepare_cached(
                    "INSERT OR IGNORE INTO seen (digest, what, value) VALUES (?1, ?2, ?3)",
                )?
                .execute([digest, what, value])?;
            }
            Ok(())
        });
    }

    /// The planning pass for one record: find, digest and stage its assets.
    pub fn plan(&mut self, record: &Record, key: &str) -> Result<(), OutputError> {
        if !self.active() {
            return Ok(());
        }
        for a in assets_of(record, &self.spec) {
            if let Ok(digest) = self.digest_of(&a, record)? {
                self.note(&digest, &a, key);
            }
        }
        Ok(())
    }

    /// Where an asset URL now points: (media id, new URL).
    fn target(&mut self, url: &str) -> Option<(String, String)> {
        self.db
            .run(|db| {
                db.prepare_cached(
                    "SELECT asset.entry FROM url JOIN asset ON asset.digest = url.digest WHERE url.url = ?1",
                )?
                .query_row([url], |r| r.get::<_, String>(0))
                .optional()
            })
            .flatten()
            .and_then(|text| serde_json::from_str::<MediaEntry>(&text).ok())
            .map(|e| (e.id, e.url))
    }

    /// The writing pass for one record: its images, featured image and
    /// document links point at the new paths; missing assets are warnings.
    pub fn rewrite(&mut self, record: &mut Record) {
        if !self.active() {
            return;
        }
        let assets = assets_of(record, &self.spec);
        let mut targets = std::collections::HashMap::new();
        for a in &assets {
            match self.target(&a.url) {
                Some(t) => {
                    self.found += 1;
                    targets.insert(a.url.clone(), t);
                }
                None => {
                    self.missing += 1;
                    let why = self
                        .db
                        .run(|db| {
                            db.prepare_cached("SELECT why FROM url WHERE url = ?1")?
                                .query_row([&a.url], |r| r.get::<_, Option<String>>(0))
                                .optional()
                        })
                        .flatten()
                        .flatten()
                        .unwrap_or_default();
                    record.warnings.push(Message::new(
                        "missing_media",
                        Some(a.kind.as_str()),
                        format!("{} is {why}", a.url),
                    ));
                }
            }
        }
        let new_urls = self.new_urls;
        let point = |url: &str| -> Option<String> {
            let (base, fragment) = super::links::split_fragment(url);
            targets
                .get(base)
                .filter(|_| new_urls)
                .map(|(_, new)| format!("{new}{fragment}"))
        };
        for img in &mut record.images {
            if let Some((id, new)) = targets.get(&img.src) {
                img.media_id = Some(id.clone());
                if new_urls {
                    img.src = new.clone();
                }
            }
        }
        if let Some(f) = &record.featured_image {
            if let Some(new) = point(f) {
                record.featured_image = Some(new);
            }
        }
        let html =
            super::links::rewrite_attr(&record.body.html, "<img src=\"", &mut |u, _| point(u));
        record.body.html = super::links::rewrite_links(&html, &mut |u, _| point(u));
    }

    /// Every asset, sorted by path, with what records said of it.
    pub fn for_each(
        &self,
        each: &mut dyn FnMut(&MediaEntry) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let db = self.db.read()?;
        let mut st = db
            .prepare("SELECT digest, entry FROM asset ORDER BY path")
            .map_err(std::io::Error::other)?;
        let mut seen = db
            .prepare("SELECT what, value FROM seen WHERE digest = ?1 ORDER BY what, value")
            .map_err(std::io::Error::other)?;
        let mut rows = st.query([]).map_err(std::io::Error::other)?;
        while let Some(row) = rows.next().map_err(std::io::Error::other)? {
            let digest: String = row.get(0).map_err(std::io::Error::other)?;
            let text: String = row.get(1).map_err(std::io::Error::other)?;
            let mut e: MediaEntry = serde_json::from_str(&text).map_err(std::io::Error::other)?;
            let facts = seen
                .query_map([&digest], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .map_err(std::io::Error::other)?;
            for f in facts {
                let (what, value) = f.map_err(std::io::Error::other)?;
                match what.as_str() {
                    "url" => e.legacy_urls.push(value),
                    "alt" => e.alts.push(value),
                    "caption" => e.captions.push(value),
                    _ => e.records.push(value),
                }
            }
            each(&e)?;
        }
        Ok(())
    }

    /// `media.jsonl`.
    pub fn write_jsonl(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        self.for_each(&mut |e| {
            serde_json::to_writer(&mut *w, e)?;
            w.write_all(b"\n")
        })
    }

    /// Move the staged files into place (the old media folder goes).
    pub fn commit(&self) -> Result<(), OutputError> {
        let Some(f) = &self.files else {
            return Ok(());
        };
        if !f.stage.exists() {
            std::fs::create_dir_all(&f.stage).map_err(io(&f.stage))?;
        }
        if f.marked {
            let note = "This folder holds the media files of a sitelift output; a later run replaces it.\n";
            super::files::write_atomic(&f.stage.join(super::files::MARKER), note.as_bytes())?;
        }
        let old = f.dest.with_file_name(format!(
            ".{}.old",
            f.dest
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default()
        ));
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(io(&old))?;
        }
        if f.dest.exists() {
            std::fs::rename(&f.dest, &old).map_err(io(&f.dest))?;
        }
        std::fs::rename(&f.stage, &f.dest).map_err(io(&f.dest))?;
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(io(&old))?;
        }
        Ok(())
    }

    /// Give up: the staged files go, the old media folder stays.
    pub fn discard(&self) {
        if let Some(f) = &self.files {
            let _ = std::fs::remove_dir_all(&f.stage);
        }
    }
}

/// A source opened only when the first asset is asked for (reading WARC
/// files for their media is a pass over them: not done for a run whose
/// records have no media).
pub struct Lazy<F> {
    open: std::sync::Mutex<Option<F>>,
    source: std::sync::OnceLock<Box<dyn MediaSource + Send>>,
}

impl<F: FnOnce() -> Box<dyn MediaSource + Send>> Lazy<F> {
    /// A source `open` makes when first needed.
    pub fn new(open: F) -> Lazy<F> {
        Lazy {
            open: std::sync::Mutex::new(Some(open)),
            source: std::sync::OnceLock::new(),
        }
    }
}

impl<F: FnOnce() -> Box<dyn MediaSource + Send> + Send> MediaSource for Lazy<F> {
    fn get(&self, url: &str) -> Result<Option<crate::media::Asset>, String> {
        let source = self.source.get_or_init(|| {
            let open = self.open.lock().ok().and_then(|mut o| o.take());
            match open {
                Some(open) => open(),
                None => Box::new(NoMedia),
            }
        });
        source.get(url)
    }
}

/// A source with nothing in it (every asset missing).
pub struct NoMedia;

impl MediaSource for NoMedia {
    fn get(&self, _url: &str) -> Result<Option<crate::media::Asset>, String> {
        Ok(None)
    }
}

/// A file name from an asset URL: the last path segment's stem slugified,
/// its extension lowercased.
fn name_of(url: &str) -> (String, String) {
    let Ok(u) = Url::parse(url) else {
        return (String::new(), String::new());
    };
    let last = u
        .path_segments()
        .and_then(|mut s| s.next_back())
        .unwrap_or("");
    let last = super::paths::percent_decode(last);
    let (stem, ext) = match last.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() && (1..=5).contains(&e.len()) => {
            (s.to_string(), e.to_string())
        }
        _ => (last.clone(), String::new()),
    };
    let ext: String = ext
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (slugify(&stem, 80), ext)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_url_and_collisions_get_a_number() {
        assert_eq!(
            name_of("https://x.org/wp-content/uploads/2006/05/Oil%20Field.JPG?v=2"),
            ("oil-field".to_string(), "jpg".to_string())
        );
        assert_eq!(name_of("https://x.org/"), (String::new(), String::new()));
        let mut m = Media::new(&MediaSpec::default(), &OutputSpec::default(), None);
        m.db.run(|db| {
            db.execute(
                "INSERT INTO asset (digest, entry, path) VALUES ('d1', '{}', 'media/2006/05/a.png')",
                [],
            )
        });
        assert_eq!(m.free_path("media/2006/05/b.png"), "media/2006/05/b.png");
        assert_eq!(m.free_path("media/2006/05/a.png"), "media/2006/05/a-2.png");
    }
}
