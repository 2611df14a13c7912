//! The typed line: what extraction made of one page ([`Outcome`]), and what
//! the writers take ([`Line`]: a record, an error entry, a listing). These
//! values flow from extraction through assembly to every writer and to the
//! fixture check; JSON exists only at the edges (output files, the record
//! spool of `run`, fixture expectations), written and read by serde through
//! the types here. [`Outcome`]'s JSON form is the expectation files' and the
//! spool's; [`ErrorEntry`]'s is the output's. A [`Sink`] takes the lines.

use serde::{Deserialize, Serialize};

use super::Record;

/// What extraction made of one page.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// An article record.
    Record(Box<Record>),
    /// A page of a template that emits nothing (a listing).
    NotEmitted {
        /// The template.
        template: String,
    },
    /// No template matched.
    Unmatched,
    /// The page failed.
    Failed(PageError),
}

/// Why a page gave no record, as data: a stable kind, the message for
/// people, and the template when one matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageError {
    /// `required_field`, `too_large`, `panic`, `store`, …
    pub kind: String,
    /// What went wrong and what to do.
    pub message: String,
    /// The template that matched, if one did.
    pub template: Option<String>,
}

impl PageError {
    /// A failure before any template was chosen (unreadable stored page, …).
    pub fn new(kind: &str, message: impl Into<String>) -> PageError {
        PageError {
            kind: kind.into(),
            message: message.into(),
            template: None,
        }
    }
}

/// What people are told about a page no template matches.
pub const UNMATCHED_MESSAGE: &str =
    "no template of the profile matches this page; add a template or a match rule";

/// The JSON forms of the outcomes that are not records.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Form<R> {
    NotEmitted { not_emitted: TemplateName },
    Unmatched { unmatched: bool },
    Failed { error: PageError },
    Record(R),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateName {
    template: String,
}

impl Serialize for Outcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let form: Form<&Record> = match self {
            Outcome::Record(r) => Form::Record(r),
            Outcome::NotEmitted { template } => Form::NotEmitted {
                not_emitted: TemplateName {
                    template: template.clone(),
                },
            },
            Outcome::Unmatched => Form::Unmatched { unmatched: true },
            Outcome::Failed(e) => Form::Failed { error: e.clone() },
        };
        form.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Outcome {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Outcome, D::Error> {
        Ok(match Form::<Box<Record>>::deserialize(d)? {
            Form::Record(r) => Outcome::Record(r),
            Form::NotEmitted { not_emitted } => Outcome::NotEmitted {
                template: not_emitted.template,
            },
            Form::Unmatched { .. } => Outcome::Unmatched,
            Form::Failed { error } => Outcome::Failed(error),
        })
    }
}

/// A page that produced no record, as one line of the output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorEntry {
    /// What went wrong.
    pub error: ErrorInfo,
    /// The page URL, when known.
    pub url: Option<String>,
    /// The input file and template, for pages read from files.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub file: Option<FileRef>,
}

/// Kind and message of an [`ErrorEntry`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorInfo {
    /// `unmatched`, `required_field`, `read`, `panic`, …
    pub kind: String,
    /// Human-readable text saying what to do.
    pub message: String,
    /// The template that matched (entries of stored pages; `null` when
    /// none did), absent for unmatched pages.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub template: Option<Option<String>>,
}

/// The input file of an entry of a saved page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    /// The input file.
    pub path: Option<String>,
    /// The template, when one matched.
    pub template: Option<String>,
}

/// `Option<Option<T>>` with a present `null` kept apart from an absent key.
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, T: Serialize>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

impl ErrorEntry {
    /// The entry of a stored page (a store or WARC file) that gave no record.
    pub fn stored(outcome_error: Option<&PageError>, url: &str) -> ErrorEntry {
        let error = match outcome_error {
            Some(e) => ErrorInfo {
                kind: e.kind.clone(),
                message: e.message.clone(),
                template: Some(e.template.clone()),
            },
            None => ErrorInfo {
                kind: "unmatched".into(),
                message: UNMATCHED_MESSAGE.into(),
                template: None,
            },
        };
        ErrorEntry {
            error,
            url: Some(url.to_string()),
            file: None,
        }
    }

    /// The entry of a saved page (a file) that gave no record.
    pub fn saved(
        kind: &str,
        message: String,
        url: Option<&str>,
        path: &str,
        template: Option<String>,
    ) -> ErrorEntry {
        ErrorEntry {
            error: ErrorInfo {
                kind: kind.into(),
                message,
                template: None,
            },
            url: url.map(Into::into),
            file: Some(FileRef {
                path: Some(path.into()),
                template,
            }),
        }
    }

    /// Whether the page matched no template.
    pub fn is_unmatched(&self) -> bool {
        self.error.kind == "unmatched"
    }

    /// The page's URL, else its file, for reports.
    pub fn place(&self) -> &str {
        self.url
            .as_deref()
            .or(self.file.as_ref().and_then(|f| f.path.as_deref()))
            .unwrap_or("")
    }
}

/// One thing a writer takes, in output order.
#[derive(Debug, Clone)]
pub enum Line {
    /// An article record.
    Record(Box<Record>),
    /// A page that gave no record.
    Error(ErrorEntry),
    /// A page of a non-emitting template (a listing): counted, and mapped
    /// to its section's new path in the redirect map.
    Listing {
        /// The page URL.
        url: String,
        /// The template.
        template: String,
    },
}

/// What takes the lines of an assembly. The lines come twice, in the same
/// order: first to [`Sink::plan`] (nothing is written yet: a writer assigns
/// every record its new path and learns where every legacy URL goes, so
/// that links between records can be rewritten), then to [`Sink::write`].
/// A sink that does not plan (`plans` false) sees only the second pass.
pub trait Sink {
    /// Whether the sink wants the planning pass.
    fn plans(&self) -> bool {
        false
    }
    /// One line of the planning pass.
    fn plan(&mut self, _line: &Line) -> std::io::Result<()> {
        Ok(())
    }
    /// One line of the writing pass.
    fn write(&mut self, line: Line) -> std::io::Result<()>;
}

impl<F: FnMut(Line) -> std::io::Result<()>> Sink for F {
    fn write(&mut self, line: Line) -> std::io::Result<()> {
        self(line)
    }
}

/// Outcomes already extracted, by page URL and payload digest (the record
/// spool of `run`): what assembly asks before it extracts a page again.
pub trait Extracted: Sync {
    /// The outcome of `page` with these bytes, if it was extracted.
    fn get(&self, page: &str, digest: &str) -> Option<Outcome>;
}

/// Nothing extracted beforehand: every page is extracted now.
pub struct NothingExtracted;

impl Extracted for NothingExtracted {
    fn get(&self, _page: &str, _digest: &str) -> Option<Outcome> {
        None
    }
}
