//! Saved input: HTML files and folders of them, with the page URL taken from
//! a sidecar (`NAME.meta.json`), a `<link rel=canonical>`, or a base URL, in
//! that order, and the rule that decided recorded.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use url::Url;

/// Problems with saved input.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// A path could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A named input is neither a folder nor a regular file.
    #[error(
        "{path} is not a regular file ({what}): name page files, folders of them or WARC files"
    )]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is (`a FIFO`, `a socket`, `a device`).
        what: &'static str,
    },
    /// A sidecar is not valid.
    #[error("bad sidecar {path}: {message}")]
    Sidecar {
        /// The sidecar path.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// No URL could be found for a page.
    #[error(
        "no URL for {path}: add a sidecar {sidecar}, a <link rel=canonical>, or pass --base-url"
    )]
    NoUrl {
        /// The page.
        path: PathBuf,
        /// The sidecar that would give it.
        sidecar: String,
    },
}

/// The sidecar of a saved page: `NAME.meta.json` next to `NAME.html`.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Sidecar {
    /// The page URL.
    pub url: Option<String>,
    /// The HTTP Content-Type it was served with.
    pub content_type: Option<String>,
    /// Other URLs of this page (redirect sources).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Free text for people.
    pub note: Option<String>,
}

/// A page read from disk, ready for extraction.
#[derive(Debug, Clone)]
pub struct SavedPage {
    /// The file.
    pub path: PathBuf,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Its URL.
    pub url: Url,
    /// Where the URL came from: `sidecar`, `canonical`, `base_url`.
    pub url_source: &'static str,
    /// Content-Type from the sidecar.
    pub content_type: Option<String>,
    /// Aliases from the sidecar.
    pub aliases: Vec<String>,
}

fn is_page(p: &Path) -> bool {
    matches!(
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("html" | "htm")
    )
}

/// The page files of the input, and what was left out.
#[derive(Debug, Default)]
pub struct Collected {
    /// The page files, sorted, without duplicates.
    pub pages: Vec<PathBuf>,
    /// Files named like pages inside the folders that are not regular
    /// files (FIFOs, sockets, devices), with what they are: skipped, since
    /// reading a FIFO blocks for ever.
    pub skipped: Vec<(PathBuf, &'static str)>,
}

/// Every page file under `paths` (files as given, folders recursively),
/// sorted, without duplicates. A named path that is neither a folder nor a
/// regular file is an error ([`named_input`]); inside folders, such files
/// are skipped and listed.
pub fn collect(paths: &[PathBuf]) -> Result<Collected, InputError> {
    let mut out = Collected::default();
    for p in paths {
        if named_input(p)?.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.pages.push(p.clone());
        }
    }
    out.pages.sort();
    out.pages.dedup();
    out.skipped.sort();
    Ok(out)
}

/// The metadata of an input the operator named, which must be a folder or
/// a regular file: anything else (a FIFO, whose opening blocks, a socket, a
/// device) is refused before it is opened.
pub fn named_input(p: &Path) -> Result<std::fs::Metadata, InputError> {
    let meta = std::fs::metadata(p).map_err(|source| InputError::Io {
        path: p.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() && !meta.is_file() {
        return Err(InputError::NotAFile {
            path: p.to_path_buf(),
            what: crate::files::kind_of(&meta),
        });
    }
    Ok(meta)
}

fn walk(dir: &Path, out: &mut Collected) -> Result<(), InputError> {
    let rd = std::fs::read_dir(dir).map_err(|source| InputError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in rd {
        let entry = entry.map_err(|source| InputError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let p = entry.path();
        let ft = entry.file_type().map_err(|source| InputError::Io {
            path: p.clone(),
            source,
        })?;
        if ft.is_dir() {
            walk(&p, out)?;
        } else if is_page(&p) {
            if ft.is_file() {
                out.pages.push(p);
                continue;
            }
            // a symbolic link, or a special file: what it is, without opening it
            match std::fs::metadata(&p) {
                Ok(m) if m.is_file() => out.pages.push(p),
                Ok(m) => out.skipped.push((p, crate::files::kind_of(&m))),
                // a dangling link: reading it says so, as before
                Err(_) => out.pages.push(p),
            }
        }
    }
    Ok(())
}

/// The sidecar path of a page.
pub fn sidecar_path(page: &Path) -> PathBuf {
    page.with_extension("meta.json")
}

/// Read a page's sidecar, if it has one.
pub fn read_sidecar(page: &Path) -> Result<Option<Sidecar>, InputError> {
    let sp = sidecar_path(page);
    match std::fs::read(&sp) {
        Ok(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| InputError::Sidecar {
                path: sp,
                message: e.to_string(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(InputError::Io { path: sp, source }),
    }
}

/// The `href` of the first `<link rel=canonical>` in the first 64 KB.
pub fn canonical_link(bytes: &[u8]) -> Option<String> {
    static LINK: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
        regex::bytes::Regex::new(r#"(?is)<link\b[^>]*\brel\s*=\s*["']?canonical\b[^>]*>"#)
            .expect("static")
    });
    static HREF: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
        regex::bytes::Regex::new(r#"(?is)\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#)
            .expect("static")
    });
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let tag = LINK.find(head)?;
    let c = HREF.captures(tag.as_bytes())?;
    let v = c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3))?;
    Some(String::from_utf8_lossy(v.as_bytes()).replace("&amp;", "&"))
}

/// Read a page and find its URL. `base_url` joins the path relative to `root`.
pub fn load(
    path: &Path,
    root: Option<&Path>,
    base_url: Option<&Url>,
) -> Result<SavedPage, InputError> {
    let bytes = crate::files::read_regular(path).map_err(|source| InputError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let sidecar = read_sidecar(path)?.unwrap_or_default();
    let bad = |m: String| InputError::Sidecar {
        path: sidecar_path(path),
        message: m,
    };
    let (url, url_source) = if let Some(u) = &sidecar.url {
        (
            Url::parse(u).map_err(|e| bad(format!("url `{u}`: {e}")))?,
            "sidecar",
        )
    } else if let Some(u) = canonical_link(&bytes).and_then(|h| Url::parse(&h).ok()) {
        (u, "canonical")
    } else if let Some(base) = base_url {
        let rel = root.and_then(|r| path.strip_prefix(r).ok()).unwrap_or(path);
        let rel = rel.to_string_lossy().replace('\\', "/");
        let u = base
            .join(rel.trim_start_matches('/'))
            .map_err(|e| bad(format!("cannot join base URL: {e}")))?;
        (u, "base_url")
    } else {
        return Err(InputError::NoUrl {
            path: path.to_path_buf(),
            sidecar: sidecar_path(path).display().to_string(),
        });
    };
    Ok(SavedPage {
        path: path.to_path_buf(),
        bytes,
        url,
        url_source,
        content_type: sidecar.content_type,
        aliases: sidecar.aliases,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_link_variants() {
        assert_eq!(
            canonical_link(
                br#"<head><link rel="canonical" href="https://a.b/x?a=1&amp;b=2"></head>"#
            )
            .as_deref(),
            Some("https://a.b/x?a=1&b=2")
        );
        assert_eq!(
            canonical_link(b"<LINK href='https://a.b/y' REL=canonical>").as_deref(),
            Some("https://a.b/y")
        );
        assert_eq!(canonical_link(b"<link rel=stylesheet href=x.css>"), None);
    }
}
