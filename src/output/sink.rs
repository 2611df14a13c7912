//! Where JSON Lines go: standard output, or a file written atomically (a
//! temporary file in the same folder, renamed into place when complete), so
//! an interrupted run never leaves a half-written output file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

/// A line-oriented output.
pub struct Sink {
    w: Box<dyn Write>,
    target: Option<(PathBuf, PathBuf)>,
}

impl Sink {
    /// Open standard output (None) or a temporary file beside `path`.
    pub fn open(path: Option<&Path>) -> anyhow::Result<Sink> {
        match path {
            None => Ok(Sink {
                w: Box::new(BufWriter::new(std::io::stdout().lock())),
                target: None,
            }),
            Some(p) => {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_else(|| "out".into());
                let tmp = p.with_file_name(format!(".{name}.partial"));
                let f = File::create(&tmp).with_context(|| {
                    format!("cannot create {} (is the folder writable?)", tmp.display())
                })?;
                Ok(Sink {
                    w: Box::new(BufWriter::new(f)),
                    target: Some((tmp, p.to_path_buf())),
                })
            }
        }
    }

    /// Write one line.
    pub fn write_line(&mut self, line: &str) -> anyhow::Result<()> {
        self.w
            .write_all(line.as_bytes())
            .and_then(|_| self.w.write_all(b"\n"))
            .map_err(|e| self.fail(e))
    }

    fn fail(&self, e: std::io::Error) -> anyhow::Error {
        let place = self
            .target
            .as_ref()
            .map(|t| t.0.display().to_string())
            .unwrap_or_else(|| "standard output".into());
        anyhow::Error::new(e).context(format!(
            "cannot write to {place} (is the disk full?); the previous output file, if any, is untouched"
        ))
    }

    /// Flush, sync and move into place.
    pub fn finish(mut self) -> anyhow::Result<()> {
        self.w.flush().map_err(|e| self.fail(e))?;
        if let Some((tmp, dst)) = self.target.take() {
            drop(self.w);
            let f = File::open(&tmp)?;
            f.sync_all()
                .with_context(|| format!("syncing {}", tmp.display()))?;
            std::fs::rename(&tmp, &dst)
                .with_context(|| format!("moving {} to {}", tmp.display(), dst.display()))?;
        }
        Ok(())
    }
}
