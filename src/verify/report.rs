//! The verify report: one JSON line per check that failed (sorted, so the
//! same site gives the same bytes whatever the timing), and the summary on
//! standard error (checked, ok, failed by kind).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

/// What went wrong, by kind. The order is the report's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A legacy URL reached the expected new URL, but in more than one hop.
    RedirectChain,
    /// A legacy URL redirects to the expected new URL, but with 302, 303 or 307.
    TemporaryRedirect,
    /// A legacy URL answers (2xx) instead of redirecting.
    NoRedirect,
    /// A legacy URL redirects somewhere else than the expected new URL.
    WrongRedirect,
    /// A legacy URL answers 4xx or 5xx, or not at all.
    LegacyError,
    /// A new path does not answer 200 (or redirects, or not at all).
    MissingPage,
    /// A new page's `<title>` and first `<h1>` do not contain the record's title.
    TitleMismatch,
    /// A new path answers 200 with something else than HTML.
    NotHtml,
    /// A media path does not answer 200.
    MediaMissing,
    /// A media path answers 200 with other bytes.
    MediaDiffers,
}

impl Kind {
    /// The kind's name in the report.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::RedirectChain => "redirect_chain",
            Kind::TemporaryRedirect => "temporary_redirect",
            Kind::NoRedirect => "no_redirect",
            Kind::WrongRedirect => "wrong_redirect",
            Kind::LegacyError => "legacy_error",
            Kind::MissingPage => "missing_page",
            Kind::TitleMismatch => "title_mismatch",
            Kind::NotHtml => "not_html",
            Kind::MediaMissing => "media_missing",
            Kind::MediaDiffers => "media_differs",
        }
    }
}

/// One check that failed: a line of the report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Mismatch {
    /// What went wrong.
    pub kind: Kind,
    /// The legacy URL checked (legacy checks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legacy_url: Option<String>,
    /// The new path checked, as in the package (page and media checks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The URL requested.
    pub url: String,
    /// What was expected: the new URL, `200`, the record's title, `text/html`, a digest.
    pub expected: String,
    /// What came back, in the same terms.
    pub got: String,
    /// The HTTP status of the last answer, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The redirects followed, in order: `STATUS TARGET`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<String>,
    /// Why there was no (usable) answer: reason code and detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The record (key) the URL belongs to, `listing` for listings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
}

/// How many checks of each class were run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Legacy URLs of the redirect map.
    pub legacy: usize,
    /// New paths (records and listings).
    pub pages: usize,
    /// Media paths.
    pub media: usize,
}

impl Counts {
    /// All checks.
    pub fn total(&self) -> usize {
        self.legacy + self.pages + self.media
    }
}

/// The outcome of a verify run.
#[derive(Debug, Clone, Default)]
pub struct Verified {
    /// What was checked.
    pub checked: Counts,
    /// What failed, sorted (kind, then legacy URL or path, then the rest).
    pub failed: Vec<Mismatch>,
    /// Whether the package had a `media.jsonl`.
    pub has_media: bool,
    /// Inconsistencies of the package itself.
    pub notes: Vec<String>,
    /// Whether only a sample was checked (`--limit`).
    pub sampled: bool,
}

impl Verified {
    /// True when every check passed.
    pub fn all_ok(&self) -> bool {
        self.failed.is_empty()
    }

    /// Failures by kind.
    pub fn by_kind(&self) -> BTreeMap<Kind, usize> {
        let mut out = BTreeMap::new();
        for m in &self.failed {
            *out.entry(m.kind).or_default() += 1;
        }
        out
    }

    /// The report: one JSON line per failed check, in order.
    pub fn to_jsonl(&self) -> String {
        let mut out = String::new();
        for m in &self.failed {
            out.push_str(&serde_json::to_string(m).unwrap_or_default());
            out.push('\n');
        }
        out
    }

    /// The summary for standard error, with up to `examples` failures.
    pub fn summary(&self, examples: usize) -> String {
        let c = self.checked;
        let failed = self.failed.len();
        let mut s = format!(
            "sitelift verify: {} checked ({} legacy URLs, {} new pages, {} media files{}){}: {} ok, {failed} failed\n",
            c.total(),
            c.legacy,
            c.pages,
            c.media,
            if self.has_media { "" } else { ": no media.jsonl" },
            if self.sampled { ", a sample (--limit)" } else { "" },
            c.total().saturating_sub(failed),
        );
        if failed > 0 {
            let kinds: Vec<String> = self
                .by_kind()
                .iter()
                .map(|(k, n)| format!("{} {n}", k.as_str()))
                .collect();
            let _ = writeln!(s, "  failed: {}", kinds.join(", "));
        }
        for m in self.failed.iter().take(examples) {
            let what = m.legacy_url.as_deref().or(m.path.as_deref()).unwrap_or("");
            let _ = writeln!(
                s,
                "  {} {what}: expected {}, got {}",
                m.kind.as_str(),
                m.expected,
                if m.got.is_empty() { "nothing" } else { &m.got }
            );
        }
        if failed > examples {
            let _ = writeln!(s, "  … {} more in the report", failed - examples);
        }
        for n in &self.notes {
            let _ = writeln!(s, "  note: {n}");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(kind: Kind, path: &str) -> Mismatch {
        Mismatch {
            kind,
            legacy_url: None,
            path: Some(path.into()),
            url: format!("https://n.org{path}"),
            expected: "200".into(),
            got: "404".into(),
            status: Some(404),
            chain: Vec::new(),
            detail: None,
            record: Some("7".into()),
        }
    }

    #[test]
    fn lines_are_sorted_by_kind_then_path_and_skip_empty_keys() {
        let mut v = Verified {
            checked: Counts {
                legacy: 1,
                pages: 3,
                media: 0,
            },
            failed: vec![
                m(Kind::MissingPage, "/b/"),
                m(Kind::RedirectChain, "/z/"),
                m(Kind::MissingPage, "/a/"),
            ],
            ..Verified::default()
        };
        v.failed.sort();
        let text = v.to_jsonl();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with(r#"{"kind":"redirect_chain","path":"/z/""#));
        assert!(lines[1].contains(r#""path":"/a/""#));
        assert!(!text.contains("\"legacy_url\"") && !text.contains("\"chain\":"));
        let s = v.summary(1);
        assert!(s.contains("4 checked"), "{s}");
        assert!(
            s.contains("failed: redirect_chain 1, missing_page 2"),
            "{s}"
        );
        assert!(s.contains("2 more in the report"), "{s}");
    }
}
