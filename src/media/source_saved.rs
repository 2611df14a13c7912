//! Assets of a saved folder (a wget-style mirror, or saved pages with
//! sidecars). An asset's file is found, in order:
//!
//! 1. by a sidecar: `NAME.EXT.meta.json` (or `NAME.meta.json`) beside the
//!    file, whose `url` (or one of its `aliases`, old URLs that redirect to
//!    it) is the asset's URL (its `content_type` is the declared type), as
//!    for pages;
//! 2. under the base URL: `ROOT/REST` for an asset URL `BASE/REST`;
//! 3. as `ROOT/HOST/PATH` (wget's layout; `PATH?QUERY` first when the URL
//!    has a query);
//! 4. relative to a page: the asset's file is found relative to the page's
//!    file the same way the asset URL is relative to the page URL (pages
//!    known by their sidecars, or the one given to [`SavedMedia::for_page`]).
//!
//! A file is never looked for outside the folder: path segments that
//! decode to `..`, or that climb above the root, find nothing.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use url::Url;

use super::{Asset, MediaError, MediaSource};

/// What a sidecar says (other keys, such as a note, are ignored).
#[derive(Debug, Deserialize)]
struct Sidecar {
    url: Option<String>,
    content_type: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
}

/// A file a sidecar describes.
#[derive(Debug, Clone)]
struct Described {
    url: String,
    content_type: Option<String>,
}

/// The media of a saved folder.
#[derive(Debug, Default)]
pub struct SavedMedia {
    root: PathBuf,
    base_url: Option<Url>,
    /// Sidecar URL → file.
    by_url: HashMap<String, PathBuf>,
    /// File → what its sidecar says.
    by_file: HashMap<PathBuf, Described>,
    /// Pages known by their sidecars: (URL, file), sorted by file.
    pages: Vec<(Url, PathBuf)>,
    problems: Vec<String>,
}

/// The form URLs are compared in.
fn key(url: &str) -> Option<String> {
    let mut u = Url::parse(url.trim()).ok()?;
    u.set_fragment(None);
    Some(u.to_string())
}

fn is_page_file(p: &Path) -> bool {
    matches!(
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("html" | "htm")
    )
}

/// Every file under `dir`, by folder.
fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<String>>) -> Result<(), MediaError> {
    let io = |source| MediaError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let ft = entry.file_type().map_err(io)?;
        if ft.is_dir() {
            walk(&entry.path(), out)?;
        } else if let Some(n) = entry.file_name().to_str() {
            names.push(n.to_string());
        }
    }
    names.sort();
    out.insert(dir.to_path_buf(), names);
    Ok(())
}

/// The file a sidecar `STEM.meta.json` in a folder of `names` describes:
/// `STEM` itself when it is a file (`NAME.EXT.meta.json`), else the one
/// `STEM.EXT` whose extension is the URL's, else the page `STEM.html`,
/// else the only `STEM.*` there is.
fn described_file(stem: &str, names: &[String], url: &str) -> Option<String> {
    if stem.contains('.') && names.iter().any(|n| n == stem) {
        return Some(stem.to_string());
    }
    let prefix = format!("{stem}.");
    let siblings: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with(&prefix) && !n.ends_with(".meta.json") && !n.ends_with(".json"))
        .collect();
    let url_ext = Url::parse(url)
        .ok()
        .as_ref()
        .and_then(super::spec::url_extension);
    let ext_of = |n: &str| n.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if let Some(n) = siblings
        .iter()
        .find(|n| ext_of(n) == url_ext && url_ext.is_some())
    {
        return Some((*n).clone());
    }
    if let Some(n) = siblings
        .iter()
        .find(|n| is_page_file(Path::new(n.as_str())))
    {
        return Some((*n).clone());
    }
    match siblings.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

/// A decoded path segment that may be a file name (not empty, `.`, `..`,
/// and without separators).
fn segment(raw: &str) -> Option<String> {
    let s = percent_encoding_decode(raw)?;
    if s.is_empty() || s == "." || s == ".." || s.contains(['/', '\\', '\0']) {
        return None;
    }
    Some(s)
}

fn percent_encoding_decode(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// The decoded path segments of a URL (`None` for a folder URL or a
/// segment that cannot be a file name).
fn segments(url: &Url) -> Option<Vec<String>> {
    let segs: Vec<&str> = url.path_segments()?.collect();
    if segs.last().is_none_or(|l| l.is_empty()) {
        return None;
    }
    segs.into_iter().map(segment).collect()
}

impl SavedMedia {
    /// Index the folder `root`: every sidecar, and the pages they name.
    /// `base_url` is the URL of the root (`--base-url`), when pages were
    /// saved without their URLs. Sidecars that do not parse are listed in
    /// [`SavedMedia::problems`], not fatal.
    pub fn open(root: &Path, base_url: Option<&Url>) -> Result<SavedMedia, MediaError> {
        let mut dirs = BTreeMap::new();
        walk(root, &mut dirs)?;
        let mut m = SavedMedia {
            root: root.to_path_buf(),
            base_url: base_url.cloned(),
            ..SavedMedia::default()
        };
        for (dir, names) in &dirs {
            for name in names {
                let Some(stem) = name.strip_suffix(".meta.json") else {
                    continue;
                };
                let path = dir.join(name);
                let sidecar: Sidecar = match std::fs::read(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
                {
                    Ok(s) => s,
                    Err(e) => {
                        m.problems.push(format!("{}: {e}", path.display()));
                        continue;
                    }
                };
                let Some(url) = sidecar.url.as_deref().and_then(key) else {
                    continue;
                };
                let Some(file) = described_file(stem, names, &url) else {
                    continue;
                };
                let file = dir.join(file);
                if is_page_file(&file) {
                    if let Ok(u) = Url::parse(&url) {
                        m.pages.push((u, file.clone()));
                    }
                }
                for u in std::iter::once(url.clone())
                    .chain(sidecar.aliases.iter().filter_map(|a| key(a)))
                {
                    m.by_url.entry(u).or_insert_with(|| file.clone());
                }
                m.by_file.insert(
                    file,
                    Described {
                        url,
                        content_type: sidecar.content_type,
                    },
                );
            }
        }
        m.pages.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(m)
    }

    /// Sidecars that could not be read.
    pub fn problems(&self) -> &[String] {
        &self.problems
    }

    /// This folder's media as seen from one page: an asset's file is
    /// looked for relative to `page_file` first (as the asset URL is
    /// relative to `page_url`), then as [`SavedMedia`] looks for it.
    pub fn for_page<'a>(&'a self, page_url: &Url, page_file: &Path) -> PageMedia<'a> {
        PageMedia {
            folder: self,
            page_url: page_url.clone(),
            page_file: page_file.to_path_buf(),
        }
    }

    /// `ROOT/parts…`, when it is a file.
    fn under_root(&self, parts: &[String]) -> Option<PathBuf> {
        let mut p = self.root.clone();
        for s in parts {
            p.push(s);
        }
        p.is_file().then_some(p)
    }

    fn by_base_url(&self, url: &Url) -> Option<PathBuf> {
        let base = self.base_url.as_ref()?;
        if base.origin() != url.origin() {
            return None;
        }
        let base_dir = base.path().rsplit_once('/').map_or("", |(d, _)| d);
        let rest = url.path().strip_prefix(base_dir)?.strip_prefix('/')?;
        let parts: Option<Vec<String>> = rest.split('/').map(segment).collect();
        self.under_root(&parts?)
    }

    fn by_host_path(&self, url: &Url) -> Option<PathBuf> {
        let host = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str()?),
            None => url.host_str()?.to_string(),
        };
        let mut parts = vec![segment(&host)?];
        parts.extend(segments(url)?);
        if let Some(q) = url.query() {
            // wget keeps the query in the file name: `page.php?id=3`
            let mut with_query = parts.clone();
            let last = with_query.pop()?;
            let q = percent_encoding_decode(q)?;
            if !q.contains(['/', '\\', '\0']) {
                with_query.push(format!("{last}?{q}"));
                if let Some(p) = self.under_root(&with_query) {
                    return Some(p);
                }
            }
        }
        self.under_root(&parts)
    }

    /// The asset's file relative to a page's file, as its URL is to the page URL.
    fn relative_to(&self, page_url: &Url, page_file: &Path, url: &Url) -> Option<PathBuf> {
        if page_url.origin() != url.origin() {
            return None;
        }
        let page_dir: Vec<&str> = {
            let mut s: Vec<&str> = page_url.path_segments()?.collect();
            s.pop();
            s
        };
        let asset: Vec<&str> = url.path_segments()?.collect();
        let common = page_dir
            .iter()
            .zip(&asset)
            .take_while(|(a, b)| a == b)
            .count();
        let ups = page_dir.len() - common;
        let file_dir = page_file.parent()?.strip_prefix(&self.root).ok()?;
        let mut dir: Vec<String> = Vec::new();
        for c in file_dir.components() {
            match c {
                Component::Normal(s) => dir.push(s.to_str()?.to_string()),
                Component::CurDir => {}
                _ => return None,
            }
        }
        if ups > dir.len() {
            return None; // above the root
        }
        dir.truncate(dir.len() - ups);
        let rest: Option<Vec<String>> = asset[common..].iter().map(|s| segment(s)).collect();
        dir.extend(rest?);
        self.under_root(&dir)
    }

    /// The file of `url` by rules 1–3, then rule 4 for the pages known by
    /// their sidecars.
    fn find(&self, url: &Url) -> Option<PathBuf> {
        if let Some(p) = self.by_url.get(url.as_str()) {
            return Some(p.clone());
        }
        if let Some(p) = self.by_base_url(url).or_else(|| self.by_host_path(url)) {
            return Some(p);
        }
        self.pages
            .iter()
            .find_map(|(page_url, page_file)| self.relative_to(page_url, page_file, url))
    }

    /// The asset in `file`, with what its sidecar says.
    fn read(&self, url: &Url, file: &Path) -> Result<Option<Asset>, String> {
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{url}: cannot read {}: {e}", file.display())),
        };
        let described = self.by_file.get(file);
        Ok(Some(Asset {
            url: described.map_or_else(|| url.to_string(), |d| d.url.clone()),
            bytes,
            content_type: described.and_then(|d| d.content_type.clone()),
        }))
    }
}

fn parse(url: &str) -> Option<Url> {
    key(url).and_then(|k| Url::parse(&k).ok())
}

impl MediaSource for SavedMedia {
    fn get(&self, url: &str) -> Result<Option<Asset>, String> {
        let Some(u) = parse(url) else {
            return Ok(None);
        };
        match self.find(&u) {
            Some(file) => self.read(&u, &file),
            None => Ok(None),
        }
    }
}

/// A saved folder's media as seen from one page (see [`SavedMedia::for_page`]).
#[derive(Debug)]
pub struct PageMedia<'a> {
    folder: &'a SavedMedia,
    page_url: Url,
    page_file: PathBuf,
}

impl MediaSource for PageMedia<'_> {
    fn get(&self, url: &str) -> Result<Option<Asset>, String> {
        let Some(u) = parse(url) else {
            return Ok(None);
        };
        let f = self.folder;
        let found = f
            .by_url
            .get(u.as_str())
            .cloned()
            .or_else(|| f.relative_to(&self.page_url, &self.page_file, &u))
            .or_else(|| f.find(&u));
        match found {
            Some(file) => f.read(&u, &file),
            None => Ok(None),
        }
    }
}
