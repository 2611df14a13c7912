//! Errors of profile loading: every one names the file, line, column and key,
//! so an operator can fix a profile without guessing.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A problem found while compiling one value of a profile, before the file
/// position is known. `span` is the byte range of the offending value in the
/// TOML source (from `toml::Spanned`), when the raw type kept it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// Dotted key path, e.g. `template.wp-article.fields.title.select[1]`.
    pub key: String,
    /// Byte range of the value in the source, when known.
    pub span: Option<Range<usize>>,
    /// What is wrong, in words an operator understands.
    pub message: String,
}

impl CompileError {
    /// A new error at `key`, located by `span` when there is one.
    pub fn new(
        key: impl Into<String>,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        CompileError {
            key: key.into(),
            span,
            message: message.into(),
        }
    }
}

/// A profile that cannot be used, with its location.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The file could not be read.
    #[error("cannot read profile {path}")]
    Io {
        /// The profile path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML is malformed, has an unknown key, or a value of the wrong type;
    /// or a value parsed but did not compile (bad selector, regex, format).
    #[error("{}", .0)]
    Invalid(Located),
}

/// An error with its place in a profile file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The profile path.
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// Dotted key path, when known.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if let Some(key) = &self.key {
            write!(f, ": key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// 1-based (line, column) of byte `offset` in `src`; the column counts characters.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

impl ProfileError {
    /// Place a [`CompileError`] in the file `path` whose text is `src`.
    pub fn from_compile(path: &Path, src: &str, e: CompileError) -> Self {
        let (line, column) = match e.span {
            Some(span) => {
                let (l, c) = line_col(src, span.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        ProfileError::Invalid(Located {
            path: path.to_path_buf(),
            line,
            column,
            key: Some(e.key),
            message: e.message,
        })
    }
}
