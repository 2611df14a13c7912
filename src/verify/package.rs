//! Reading a migration package for `verify`: where its parts are (a JSON
//! Lines file with its side files, or a `--layout dir` folder), the redirect
//! map (`redirects.csv`), the records' titles and the optional
//! `media.jsonl`, turned into the list of checks to run. Only what the
//! checks need is kept (URL, key and title of each record, not its body), so
//! a large package is read in one pass line by line.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::BufRead;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::VerifyError;
use crate::output::files::{kind_of, Kind};
use crate::output::writer::key_of;

/// Where the parts of a package are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackagePaths {
    /// The records: a JSON Lines file, or the `records/` folder.
    pub records: RecordsAt,
    /// `redirects.csv` (`NAME.redirects.csv` beside a JSON Lines file).
    pub redirects: PathBuf,
    /// `media.jsonl` (`NAME.media.jsonl`), used when it exists.
    pub media: PathBuf,
    /// Where the verify report goes unless `--report` says otherwise.
    pub report: PathBuf,
}

/// Where the records of a package are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordsAt {
    /// One JSON Lines file (records, then error entries).
    Lines(PathBuf),
    /// `records/**.json` of a `--layout dir` folder.
    Dir(PathBuf),
}

/// Find the parts of the package `out` (what `--out` named for `extract`
/// or `run`): a folder is a `--layout dir` output, a file a JSON Lines one
/// whose side files are named after it (`records.jsonl` →
/// `records.redirects.csv`, as the writer names them).
pub fn locate(out: &Path) -> Result<PackagePaths, VerifyError> {
    let read = |source| VerifyError::Read {
        path: out.to_path_buf(),
        source,
    };
    let paths = match kind_of(out).map_err(read)? {
        Kind::Absent => {
            return Err(VerifyError::NotAPackage {
                path: out.to_path_buf(),
                why: "it does not exist".into(),
            })
        }
        Kind::Special(what) => {
            return Err(VerifyError::NotAPackage {
                path: out.to_path_buf(),
                why: format!("it is a {what}: records written through it have no redirect map"),
            })
        }
        Kind::Dir => {
            let records = out.join("records");
            if !records.is_dir() {
                return Err(VerifyError::NotAPackage {
                    path: out.to_path_buf(),
                    why: "it is a folder without records/ (a --layout dir output has one)".into(),
                });
            }
            PackagePaths {
                records: RecordsAt::Dir(records),
                redirects: out.join("redirects.csv"),
                media: out.join("media.jsonl"),
                report: out.join("verify.jsonl"),
            }
        }
        Kind::File => {
            let name = out
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let stem = name.strip_suffix(".jsonl").unwrap_or(&name);
            let dir = out
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let side = |what: &str| dir.join(format!("{stem}.{what}"));
            PackagePaths {
                records: RecordsAt::Lines(out.to_path_buf()),
                redirects: side("redirects.csv"),
                media: side("media.jsonl"),
                report: side("verify.jsonl"),
            }
        }
    };
    if !paths.redirects.is_file() {
        return Err(VerifyError::NotAPackage {
            path: out.to_path_buf(),
            why: format!(
                "its redirect map {} is missing (extract and run write it beside the records \
                 when --out names a file or folder)",
                paths.redirects.display()
            ),
        });
    }
    Ok(paths)
}

/// A legacy URL of the redirect map and where it must lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyCheck {
    /// The legacy URL (absolute).
    pub legacy_url: String,
    /// The new URL of the map (`/section/year/slug/`, or absolute).
    pub new_url: String,
    /// The map's `record` column: the record key, or `listing`.
    pub record: String,
}

/// A new path that must answer 200 with HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCheck {
    /// The new URL of the map.
    pub path: String,
    /// The record's title, which the page's `<title>` or first `<h1>` must
    /// contain; None for listings (and for rows whose record is not in the
    /// package).
    pub title: Option<String>,
    /// The record key, or `listing`.
    pub record: String,
}

/// A media file that must answer 200 with these bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaCheck {
    /// Its new path, relative to the new site's root.
    pub path: String,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
}

/// Everything to check, each list sorted and without duplicates.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Every legacy URL of the redirect map, sorted.
    pub legacy: Vec<LegacyCheck>,
    /// Every new path (records' and listings'), sorted.
    pub pages: Vec<PageCheck>,
    /// Every media path of `media.jsonl`, sorted.
    pub media: Vec<MediaCheck>,
    /// Whether the package has a `media.jsonl`.
    pub has_media: bool,
    /// Inconsistencies of the package worth telling (not mismatches of the site).
    pub notes: Vec<String>,
}

impl Plan {
    /// Keep at most `n` checks of each kind, spread evenly over each sorted
    /// list (the same sample every time).
    pub fn sample(&mut self, n: usize) {
        self.legacy = spread(std::mem::take(&mut self.legacy), n);
        self.pages = spread(std::mem::take(&mut self.pages), n);
        self.media = spread(std::mem::take(&mut self.media), n);
    }
}

/// `n` items of `v`, evenly spread (all of them when there are no more).
fn spread<T>(v: Vec<T>, n: usize) -> Vec<T> {
    let len = v.len();
    if n >= len {
        return v;
    }
    let mut picks = (0..n).map(|i| i * len / n).peekable();
    v.into_iter()
        .enumerate()
        .filter_map(|(i, item)| {
            (picks.peek() == Some(&i)).then(|| {
                picks.next();
                item
            })
        })
        .collect()
}

/// Read the package into the checks to run.
pub fn read(paths: &PackagePaths) -> Result<Plan, VerifyError> {
    let titles = read_titles(&paths.records)?;
    let rows = read_redirects(&paths.redirects)?;
    let mut plan = Plan::default();
    let mut pages: BTreeMap<String, PageCheck> = BTreeMap::new();
    let mut with_url_row: BTreeSet<&str> = BTreeSet::new();
    let mut unknown_records = 0usize;
    let mut seen_legacy: BTreeSet<&str> = BTreeSet::new();
    for row in &rows {
        if !seen_legacy.insert(row.legacy_url.as_str()) {
            continue;
        }
        plan.legacy.push(LegacyCheck {
            legacy_url: row.legacy_url.clone(),
            new_url: row.new_url.clone(),
            record: row.record.clone(),
        });
        let title = match row.kind.as_str() {
            "url" => match titles.get(&row.record) {
                Some(t) => {
                    with_url_row.insert(row.record.as_str());
                    Some(t.clone())
                }
                None => {
                    unknown_records += 1;
                    None
                }
            },
            k if k.starts_with("listing") => None,
            _ => continue,
        };
        let check = PageCheck {
            path: row.new_url.clone(),
            title,
            record: row.record.clone(),
        };
        // a record's row wins over a listing's for the same path
        match pages.get(&row.new_url) {
            Some(kept) if kept.title.is_some() || check.title.is_none() => {}
            _ => {
                pages.insert(row.new_url.clone(), check);
            }
        }
    }
    plan.legacy.sort_by(|a, b| a.legacy_url.cmp(&b.legacy_url));
    plan.pages = pages.into_values().collect();
    let without_row = titles
        .keys()
        .filter(|k| !with_url_row.contains(k.as_str()))
        .count();
    if without_row > 0 {
        plan.notes.push(format!(
            "{without_row} records have no `url` row in {} (their URL went to another record: \
             see redirect_conflicts in the run report); their new pages are not checked",
            paths.redirects.display()
        ));
    }
    if unknown_records > 0 {
        plan.notes.push(format!(
            "{unknown_records} `url` rows of {} name a record the package does not hold; \
             their pages are checked without a title",
            paths.redirects.display()
        ));
    }
    if paths.media.is_file() {
        plan.has_media = true;
        plan.media = read_media(&paths.media)?;
    }
    Ok(plan)
}

/// The fields of a record the checks need.
#[derive(Debug, Deserialize)]
struct RecordHead {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    legacy_id: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    error: Option<serde::de::IgnoredAny>,
}

/// Record key → title, from every record of the package (error entries
/// skipped). The first record of a key wins.
fn read_titles(at: &RecordsAt) -> Result<HashMap<String, String>, VerifyError> {
    let mut titles = HashMap::new();
    let mut add = |head: RecordHead| {
        if head.error.is_some() {
            return;
        }
        let Some(url) = head.url else { return };
        let key = key_of(head.legacy_id.as_deref(), &url);
        titles
            .entry(key)
            .or_insert_with(|| head.title.unwrap_or_default());
    };
    match at {
        RecordsAt::Lines(path) => {
            let f = std::fs::File::open(path).map_err(read_err(path))?;
            for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
                let line = line.map_err(read_err(path))?;
                if line.trim().is_empty() {
                    continue;
                }
                let head: RecordHead = serde_json::from_str(&line)
                    .map_err(|e| bad_line(path, i + 1, format!("not a record: {e}")))?;
                add(head);
            }
        }
        RecordsAt::Dir(root) => {
            for file in json_files(root)? {
                let text = std::fs::read_to_string(&file).map_err(read_err(&file))?;
                let head: RecordHead = serde_json::from_str(&text)
                    .map_err(|e| bad_line(&file, e.line(), format!("not a record: {e}")))?;
                add(head);
            }
        }
    }
    Ok(titles)
}

/// Every `.json` file under `root` (hidden names skipped), sorted.
pub fn json_files(root: &Path) -> Result<Vec<PathBuf>, VerifyError> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(read_err(&dir))? {
            let p = entry.map_err(read_err(&dir))?.path();
            if p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// One row of `redirects.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The legacy URL.
    pub legacy_url: String,
    /// Its new URL.
    pub new_url: String,
    /// `url`, `alias`, `listing`, ….
    pub kind: String,
    /// The record key, or `listing`.
    pub record: String,
}

/// The header the writer puts first.
const CSV_HEADER: [&str; 4] = ["legacy_url", "new_url", "kind", "record"];

/// The rows of `redirects.csv`, header checked.
pub fn read_redirects(path: &Path) -> Result<Vec<Row>, VerifyError> {
    let text = std::fs::read_to_string(path).map_err(read_err(path))?;
    let mut rows = Vec::new();
    for (n, fields) in csv_rows(&text).enumerate() {
        let (line, fields) = fields.map_err(|(line, m)| bad_line(path, line, m))?;
        if n == 0 {
            if fields != CSV_HEADER {
                return Err(bad_line(
                    path,
                    line,
                    format!(
                        "the header is {:?}, not {} (is this a sitelift redirects.csv?)",
                        fields.join(","),
                        CSV_HEADER.join(",")
                    ),
                ));
            }
            continue;
        }
        let [legacy_url, new_url, kind, record]: [String; 4] = fields
            .try_into()
            .map_err(|f: Vec<String>| bad_line(path, line, format!("{} fields, not 4", f.len())))?;
        rows.push(Row {
            legacy_url,
            new_url,
            kind,
            record,
        });
    }
    Ok(rows)
}

/// The rows of CSV text (RFC 4180: fields quoted with `"` when they hold a
/// comma, quote or line break, quotes doubled), each with its first line
/// number; an error names the line.
fn csv_rows(
    text: &str,
) -> impl Iterator<Item = Result<(usize, Vec<String>), (usize, String)>> + '_ {
    let mut chars = text.chars().peekable();
    let mut line = 1usize;
    std::iter::from_fn(move || {
        chars.peek()?;
        let start = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        loop {
            match chars.next() {
                None => {
                    if quoted {
                        return Some(Err((start, "a quoted field is not closed".into())));
                    }
                    fields.push(field);
                    return Some(Ok((start, fields)));
                }
                Some('"') if quoted => {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        field.push('"');
                    } else {
                        quoted = false;
                    }
                }
                Some('"') if field.is_empty() => quoted = true,
                Some(c) if quoted => {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                }
                Some(',') => fields.push(std::mem::take(&mut field)),
                Some('\r') if chars.peek() == Some(&'\n') => {}
                Some('\n') => {
                    line += 1;
                    fields.push(field);
                    return Some(Ok((start, fields)));
                }
                Some(c) => field.push(c),
            }
        }
    })
}

/// One line of `media.jsonl` (other keys are allowed and ignored).
#[derive(Debug, Deserialize)]
struct MediaLine {
    path: Option<String>,
    sha256: Option<String>,
}

fn read_media(path: &Path) -> Result<Vec<MediaCheck>, VerifyError> {
    let f = std::fs::File::open(path).map_err(read_err(path))?;
    let mut by_path: BTreeMap<String, String> = BTreeMap::new();
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.map_err(read_err(path))?;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |m: String| bad_line(path, i + 1, m);
        let m: MediaLine =
            serde_json::from_str(&line).map_err(|e| bad(format!("not a media line: {e}")))?;
        let p = m
            .path
            .filter(|p| !p.trim().is_empty())
            .ok_or_else(|| bad("no \"path\"".into()))?;
        let sha = m
            .sha256
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| bad("no \"sha256\" of 64 hex digits".into()))?;
        match by_path.get(&p) {
            Some(kept) if *kept != sha => {
                return Err(bad(format!(
                    "{p} is listed twice with different digests ({kept} and {sha})"
                )))
            }
            _ => {
                by_path.insert(p, sha);
            }
        }
    }
    Ok(by_path
        .into_iter()
        .map(|(path, sha256)| MediaCheck { path, sha256 })
        .collect())
}

fn read_err(path: &Path) -> impl FnOnce(std::io::Error) -> VerifyError + '_ {
    move |source| VerifyError::Read {
        path: path.to_path_buf(),
        source,
    }
}

fn bad_line(path: &Path, line: usize, message: String) -> VerifyError {
    VerifyError::BadLine {
        path: path.to_path_buf(),
        line,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<Vec<String>> {
        csv_rows(text).map(|r| r.unwrap().1).collect()
    }

    #[test]
    fn csv_reads_what_the_writer_quotes() {
        let text = "legacy_url,new_url,kind,record\n\
                    \"https://a.org/a,b?x=\"\"1\"\"\",/n/,url,1\n\
                    https://a.org/p,/n/p/,alias,7\r\n\
                    \"https://a.org/line\nbreak\",/n/,alias,1\n";
        let r = rows(text);
        assert_eq!(r.len(), 4);
        assert_eq!(r[1], ["https://a.org/a,b?x=\"1\"", "/n/", "url", "1"]);
        assert_eq!(r[2], ["https://a.org/p", "/n/p/", "alias", "7"]);
        assert_eq!(r[3][0], "https://a.org/line\nbreak");
        let lines: Vec<usize> = csv_rows(text).map(|r| r.unwrap().0).collect();
        assert_eq!(lines, [1, 2, 3, 4]);
    }

    #[test]
    fn csv_unclosed_quote_names_its_line() {
        let err = csv_rows("a,b\n\"open,c\n").nth(1).unwrap().unwrap_err();
        assert_eq!(err.0, 2);
    }

    #[test]
    fn a_sample_is_spread_and_stable() {
        let v: Vec<usize> = (0..10).collect();
        assert_eq!(spread(v.clone(), 3), [0, 3, 6]);
        assert_eq!(spread(v.clone(), 10), v);
        assert_eq!(spread(v.clone(), 0), Vec::<usize>::new());
        assert_eq!(spread(v, 1), [0]);
    }

    #[test]
    fn side_files_are_named_after_the_records_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mig.jsonl");
        std::fs::write(&out, "").unwrap();
        let missing = locate(&out).unwrap_err().to_string();
        assert!(missing.contains("mig.redirects.csv"), "{missing}");
        std::fs::write(dir.path().join("mig.redirects.csv"), "").unwrap();
        let p = locate(&out).unwrap();
        assert_eq!(p.media, dir.path().join("mig.media.jsonl"));
        assert_eq!(p.report, dir.path().join("mig.verify.jsonl"));
    }
}
