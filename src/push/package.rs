//! Reading a migration package for `push`: its authors, terms, media
//! entries (with where their files are) and records, each record with its
//! new path and every legacy URL the redirect map sends to it. Parts are
//! found as `verify` finds them ([`crate::verify::locate`]).

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::PushError;
use crate::output::media::MediaEntry;
use crate::output::writer::{key_of, safe_file};
use crate::record::Record;
use crate::verify::package::{json_files, read_redirects, RecordsAt};
use crate::verify::{locate, VerifyError};

/// An author of `authors.jsonl`.
#[derive(Debug, Clone, Deserialize)]
pub struct Author {
    /// The name.
    pub name: String,
    /// The slug records refer to.
    pub slug: String,
}

/// A term of `terms.jsonl`.
#[derive(Debug, Clone, Deserialize)]
pub struct Term {
    /// `section`, `category` or `tag`.
    pub vocabulary: String,
    /// The name.
    pub name: String,
    /// The slug (a section's is its breadcrumb's slug path).
    pub slug: String,
    /// The parent section's slug.
    pub parent: Option<String>,
}

/// A media file: its entry and where its bytes are.
#[derive(Debug, Clone)]
pub struct MediaFile {
    /// The line of `media.jsonl`.
    pub entry: MediaEntry,
    /// The file.
    pub file: PathBuf,
}

/// A record (read when its post is built, so memory does not grow with
/// the package) and where it goes.
#[derive(Debug, Clone)]
pub struct Post {
    /// Its key (legacy id, else URL).
    pub key: String,
    /// Where the record is.
    pub at: At,
    /// Its new path (`/section/year/slug/`).
    pub path: String,
    /// Every legacy URL that redirects to it, sorted.
    pub legacy_urls: Vec<String>,
}

/// Where a record is.
#[derive(Debug, Clone)]
pub enum At {
    /// A file of a `--layout dir` package.
    File(PathBuf),
    /// The line starting at this byte of a JSON Lines file.
    Line(PathBuf, u64),
}

impl Post {
    /// Read the record.
    pub fn load(&self) -> Result<Record, PushError> {
        match &self.at {
            At::File(file) => {
                let text = std::fs::read_to_string(file).map_err(|e| read_err(file, e))?;
                serde_json::from_str(&text).map_err(|e| bad_line(file, e.line(), e))
            }
            At::Line(file, offset) => {
                use std::io::{Seek, SeekFrom};
                let mut f = std::fs::File::open(file).map_err(|e| read_err(file, e))?;
                f.seek(SeekFrom::Start(*offset))
                    .map_err(|e| read_err(file, e))?;
                let mut line = String::new();
                std::io::BufReader::new(f)
                    .read_line(&mut line)
                    .map_err(|e| read_err(file, e))?;
                serde_json::from_str(&line).map_err(|e| bad_line(file, 0, e))
            }
        }
    }
}

/// What the scan of the records needs of each.
#[derive(Debug, Deserialize)]
struct Head {
    url: String,
    #[serde(default)]
    legacy_id: Option<String>,
}

/// The package, in the order it is pushed.
#[derive(Debug, Default)]
pub struct Package {
    /// Authors, by slug.
    pub authors: Vec<Author>,
    /// Terms, parents before children.
    pub terms: Vec<Term>,
    /// Media files, by SHA-256.
    pub media: Vec<MediaFile>,
    /// Records, by key.
    pub posts: Vec<Post>,
    /// Where the ledger goes.
    pub ledger: PathBuf,
    /// Where the nginx map of the media files' WordPress paths goes.
    pub media_map: PathBuf,
}

/// Read the package `out`; `media_dir` is where a JSON Lines package's media
/// files were written (`--media-dir`; a folder package has its own).
pub fn read(out: &Path, media_dir: Option<&Path>) -> Result<Package, PushError> {
    let paths = locate(out)?;
    // the side files: `terms.jsonl` in a folder, `NAME.terms.jsonl` beside `NAME.jsonl`
    let (prefix, root) = match &paths.records {
        RecordsAt::Dir(_) => (
            format!("{}/", out.display()),
            Some(media_dir.unwrap_or(out).to_path_buf()),
        ),
        RecordsAt::Lines(file) => (
            format!("{}.", file.with_extension("").display()),
            media_dir.map(Path::to_path_buf),
        ),
    };
    let side = |name: &str| PathBuf::from(format!("{prefix}{name}"));
    let ledger = side("push.sqlite");
    let media_map = side("wordpress-media.map");
    let authors: Vec<Author> = read_lines(&side("authors.jsonl"))?;
    let terms: Vec<Term> = read_lines(&side("terms.jsonl"))?;
    let entries: Vec<MediaEntry> = read_lines(&paths.media)?;
    let media = media_files(entries, root.as_deref(), &paths.media)?;
    let posts = read_posts(&paths.records, &paths.redirects)?;
    Ok(Package {
        authors,
        terms,
        media,
        posts,
        ledger,
        media_map,
    })
}

fn media_files(
    entries: Vec<MediaEntry>,
    root: Option<&Path>,
    list: &Path,
) -> Result<Vec<MediaFile>, PushError> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let Some(root) = root else {
        return Err(PushError::NoMediaDir {
            list: list.to_path_buf(),
        });
    };
    let mut media: Vec<MediaFile> = entries
        .into_iter()
        .map(|entry| MediaFile {
            file: safe_file(root, &entry.path),
            entry,
        })
        .collect();
    media.sort_by(|a, b| a.entry.sha256.cmp(&b.entry.sha256));
    media.dedup_by(|a, b| a.entry.sha256 == b.entry.sha256);
    Ok(media)
}

/// The lines of a JSON Lines file (none when it does not exist).
fn read_lines<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>, PushError> {
    let f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(read_err(path, source)),
    };
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.map_err(|e| read_err(path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        out.push(serde_json::from_str(&line).map_err(|e| bad_line(path, i + 1, e))?);
    }
    Ok(out)
}

fn read_err(path: &Path, source: std::io::Error) -> PushError {
    PushError::Package(VerifyError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn bad_line(path: &Path, line: usize, e: serde_json::Error) -> PushError {
    PushError::Package(VerifyError::BadLine {
        path: path.to_path_buf(),
        line,
        message: e.to_string(),
    })
}

/// The records with their new paths and legacy URLs, by key.
fn read_posts(at: &RecordsAt, redirects: &Path) -> Result<Vec<Post>, PushError> {
    let mut paths: BTreeMap<String, String> = BTreeMap::new();
    let mut legacy: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in read_redirects(redirects)? {
        if row.kind == "url" {
            paths
                .entry(row.record.clone())
                .or_insert(row.new_url.clone());
        }
        if row.kind == "url" || row.kind == "alias" {
            legacy.entry(row.record).or_default().push(row.legacy_url);
        }
    }
    let mut posts: BTreeMap<String, Post> = BTreeMap::new();
    let mut add = |head: Head, at: At| -> Result<(), PushError> {
        let key = key_of(head.legacy_id.as_deref(), &head.url);
        let Some(path) = paths.get(&key).cloned() else {
            let (At::File(file) | At::Line(file, _)) = at;
            return Err(PushError::NoNewPath { record: key, file });
        };
        let mut legacy_urls = legacy.remove(&key).unwrap_or_default();
        legacy_urls.sort();
        legacy_urls.dedup();
        posts.entry(key.clone()).or_insert(Post {
            key,
            at,
            path,
            legacy_urls,
        });
        Ok(())
    };
    match at {
        RecordsAt::Dir(root) => {
            for file in json_files(root)? {
                let text = std::fs::read_to_string(&file).map_err(|e| read_err(&file, e))?;
                let head = serde_json::from_str(&text).map_err(|e| bad_line(&file, e.line(), e))?;
                add(head, At::File(file))?;
            }
        }
        RecordsAt::Lines(file) => {
            let f = std::fs::File::open(file).map_err(|e| read_err(file, e))?;
            let mut reader = std::io::BufReader::new(f);
            let (mut offset, mut n, mut line) = (0u64, 0usize, String::new());
            loop {
                line.clear();
                let len = reader.read_line(&mut line).map_err(|e| read_err(file, e))?;
                if len == 0 {
                    break;
                }
                n += 1;
                let start = offset;
                offset += len as u64;
                if line.trim().is_empty() || line.starts_with("{\"error\"") {
                    continue;
                }
                let head = serde_json::from_str(&line).map_err(|e| bad_line(file, n, e))?;
                add(head, At::Line(file.clone(), start))?;
            }
        }
    }
    Ok(posts.into_values().collect())
}
