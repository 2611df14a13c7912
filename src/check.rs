//! The fixture check: every `fixtures/<site>/<page>.html` is extracted with
//! `selectors/<site>.toml` and compared with `<page>.json`, field by field.
//! `bless` rewrites the expectations (review every blessed change by eye).

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use serde_json::Value;

use crate::assemble::offline::extract_saved;
use crate::profile::Profile;
use crate::sources::saved as input;

/// One difference between expected and actual output.
#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    /// JSON path, e.g. `lists.must_read[1].source`.
    pub path: String,
    /// Expected value (None: missing).
    pub expected: Option<Value>,
    /// Actual value (None: missing).
    pub actual: Option<Value>,
}

/// The result for one fixture page.
#[derive(Debug)]
pub enum Verdict {
    /// Output equals the expectation.
    Pass,
    /// Output differs.
    Mismatch(Vec<Diff>),
    /// No expectation file yet (run with --bless).
    NoExpectation,
    /// Expectation written (bless); true when it changed.
    Blessed(bool),
}

/// A checked page.
#[derive(Debug)]
pub struct Checked {
    /// The page file.
    pub page: PathBuf,
    /// The verdict.
    pub verdict: Verdict,
}

/// Problems that stop the check.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// A profile failed to load.
    #[error(transparent)]
    Profile(#[from] crate::profile::ProfileError),
    /// Input could not be read.
    #[error(transparent)]
    Input(#[from] input::InputError),
    /// An expectation file is broken.
    #[error("cannot use expectation {path}: {message}")]
    Expectation {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

/// Compare two JSON values, appending differences under `path`.
pub fn diff_values(path: &str, expected: &Value, actual: &Value, out: &mut Vec<Diff>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match a.get(k) {
                    Some(av) => diff_values(&p, ev, av, out),
                    None => out.push(Diff {
                        path: p,
                        expected: Some(ev.clone()),
                        actual: None,
                    }),
                }
            }
            for (k, av) in a {
                if !e.contains_key(k) {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    out.push(Diff {
                        path: p,
                        expected: None,
                        actual: Some(av.clone()),
                    });
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            for i in 0..e.len().max(a.len()) {
                let p = format!("{path}[{i}]");
                match (e.get(i), a.get(i)) {
                    (Some(ev), Some(av)) => diff_values(&p, ev, av, out),
                    (ev, av) => out.push(Diff {
                        path: p,
                        expected: ev.cloned(),
                        actual: av.cloned(),
                    }),
                }
            }
        }
        (e, a) if e != a => out.push(Diff {
            path: path.to_string(),
            expected: Some(e.clone()),
            actual: Some(a.clone()),
        }),
        _ => {}
    }
}

/// Short human form of a value for diffs.
pub fn short(v: &Option<Value>) -> String {
    match v {
        None => "(missing)".into(),
        Some(v) => {
            let s = v.to_string();
            if s.chars().count() > 160 {
                format!("{}…", s.chars().take(160).collect::<String>())
            } else {
                s
            }
        }
    }
}

/// The expectation file of a page.
pub fn expectation_path(page: &Path) -> PathBuf {
    page.with_extension("json")
}

/// The site of a fixture page: the name of its folder (`fixtures/<site>/`).
pub fn site_of(page: &Path) -> String {
    page.parent()
        .and_then(|p| p.file_name())
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// Check (or bless) every fixture page under `paths` (site folders or pages);
/// the profile of `fixtures/<site>/…` is `<selectors>/<site>.toml`.
pub fn check(paths: &[PathBuf], selectors: &Path, bless: bool) -> Result<Vec<Checked>, CheckError> {
    let pages = input::collect(paths)?.pages;
    let mut profiles: BTreeMap<String, Profile> = BTreeMap::new();
    let mut out = Vec::new();
    for page in pages {
        let site = site_of(&page);
        if !profiles.contains_key(&site) {
            let profile = Profile::load(&selectors.join(format!("{site}.toml")))?;
            profiles.insert(site.clone(), profile);
        }
        let verdict = check_page(&page, &profiles[&site], bless)?;
        out.push(Checked { page, verdict });
    }
    Ok(out)
}

/// The expectation of a page, when it has one.
fn expectation(page: &Path) -> Result<Option<Value>, CheckError> {
    let path = expectation_path(page);
    let bad = |message: String| CheckError::Expectation {
        path: path.clone(),
        message,
    };
    match std::fs::read(&path) {
        Ok(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| bad(e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(bad(e.to_string())),
    }
}

/// Check (or bless) one fixture page with its site's profile.
pub fn check_page(page: &Path, profile: &Profile, bless: bool) -> Result<Verdict, CheckError> {
    let saved = input::load(page, None, profile.base_url.as_ref())?;
    let outcome = extract_saved(&saved, profile);
    let actual = serde_json::to_value(&outcome).map_err(|e| CheckError::Expectation {
        path: page.to_path_buf(),
        message: e.to_string(),
    })?;
    let expected = expectation(page)?;
    if bless {
        let exp_path = expectation_path(page);
        let mut text = serde_json::to_string_pretty(&actual).unwrap_or_default();
        text.push('\n');
        let changed = expected.as_ref() != Some(&actual);
        if changed {
            std::fs::write(&exp_path, text).map_err(|e| CheckError::Expectation {
                path: exp_path.clone(),
                message: e.to_string(),
            })?;
        }
        return Ok(Verdict::Blessed(changed));
    }
    let Some(e) = expected else {
        return Ok(Verdict::NoExpectation);
    };
    let mut diffs = Vec::new();
    diff_values("", &e, &actual, &mut diffs);
    Ok(match diffs.is_empty() {
        true => Verdict::Pass,
        false => Verdict::Mismatch(diffs),
    })
}
