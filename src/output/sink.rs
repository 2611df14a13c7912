//! Where JSON Lines go: standard output, or a file written atomically (a
//! temporary file in the same folder, renamed into place when complete), so
//! an interrupted run never leaves a half-written output file. A sink that
//! fails or is dropped unfinished removes its temporary file, so a full disk
//! is not left fuller by the attempt.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

/// A line-oriented output.
pub struct Sink {
    w: Option<Box<dyn Write>>,
    /// (temporary file, destination) while the file is not in place.
    target: Option<(PathBuf, PathBuf)>,
}

impl Sink {
    /// Open standard output (None) or a temporary file beside `path`.
    pub fn open(path: Option<&Path>) -> anyhow::Result<Sink> {
        match path {
            None => Ok(Sink {
                w: Some(Box::new(BufWriter::new(std::io::stdout().lock()))),
                target: None,
            }),
            Some(p) => {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_else(|| "out".into());
                let tmp = p.with_file_name(format!(".{name}.partial"));
                let f = File::create(&tmp).with_context(|| {
                    format!(
                        "cannot create {} (is the folder writable and is there space?)",
                        tmp.display()
                    )
                })?;
                Ok(Sink {
                    w: Some(Box::new(BufWriter::new(f))),
                    target: Some((tmp, p.to_path_buf())),
                })
            }
        }
    }

    /// Write one line.
    pub fn write_line(&mut self, line: &str) -> anyhow::Result<()> {
        let res = match self.w.as_mut() {
            Some(w) => w
                .write_all(line.as_bytes())
                .and_then(|_| w.write_all(b"\n")),
            None => Ok(()),
        };
        res.map_err(|e| self.fail(e))
    }

    /// The error for a failed write; the temporary file is removed at once.
    fn fail(&mut self, e: std::io::Error) -> anyhow::Error {
        let place = self
            .target
            .as_ref()
            .map(|t| t.0.display().to_string())
            .unwrap_or_else(|| "standard output".into());
        self.discard();
        anyhow::Error::new(e).context(format!(
            "cannot write to {place} (is the disk full?); the previous output file, if any, is untouched"
        ))
    }

    /// Drops the writer and removes the temporary file (nothing is moved into place).
    fn discard(&mut self) {
        if let Some((tmp, _)) = self.target.take() {
            // a full disk may refuse the buffered rest: that is expected here
            drop(self.w.take());
            let _ = std::fs::remove_file(tmp);
        }
    }

    /// Flush, sync and move into place.
    pub fn finish(mut self) -> anyhow::Result<()> {
        if let Some(w) = self.w.as_mut() {
            if let Err(e) = w.flush() {
                return Err(self.fail(e));
            }
        }
        if let Some((tmp, dst)) = self.target.clone() {
            drop(self.w.take());
            let done = File::open(&tmp)
                .and_then(|f| f.sync_all())
                .with_context(|| format!("syncing {} (is the disk full?)", tmp.display()))
                .and_then(|_| {
                    std::fs::rename(&tmp, &dst)
                        .with_context(|| format!("moving {} to {}", tmp.display(), dst.display()))
                });
            match done {
                Ok(()) => self.target = None,
                Err(e) => {
                    self.discard();
                    return Err(e);
                }
            }
        }
        Ok(())
    }
}

impl Drop for Sink {
    /// An unfinished sink leaves no partial file behind.
    fn drop(&mut self) {
        self.discard();
    }
}
