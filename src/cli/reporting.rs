//! Shared by `extract` and `run`: the output flags (`--layout`), running an
//! assembly into [`Outputs`], and Ctrl-C handling so an interrupted
//! run still writes its report (a second Ctrl-C exits at once).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

use crate::assemble::offline::Write;
use crate::output::writer::{Layout, OutputError, Outputs};
use crate::record::{Line, Sink};

/// Output flags shared by `extract` and `run`.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputFlags {
    /// `jsonl`: one file (or standard output); `dir`: --out is a folder with
    /// records/<new path>.json, errors.jsonl, report.json and redirect maps.
    #[arg(long, value_enum, default_value_t = Layout::Jsonl)]
    pub layout: Layout,
    /// With --layout jsonl: also write the media files into this folder
    /// (new, empty, or an earlier sitelift output); --layout dir has its own.
    #[arg(long)]
    pub media_dir: Option<std::path::PathBuf>,
}

/// Give `outputs` the input's media (when the profile carries media over)
/// and the `--media-dir` folder.
pub(crate) fn media_into(
    outputs: &mut Outputs<'_>,
    flags: &OutputFlags,
    source: anyhow::Result<Box<dyn crate::media::MediaSource + Send>>,
) -> anyhow::Result<()> {
    if let Some(dir) = &flags.media_dir {
        if flags.layout == Layout::Dir {
            anyhow::bail!(
                "--media-dir goes with --layout jsonl: a --layout dir folder has its own media/"
            );
        }
        outputs.media_dir(dir)?;
    }
    outputs.media_source(source?);
    Ok(())
}

static STOP: AtomicBool = AtomicBool::new(false);
static WATCH: Once = Once::new();

/// Start watching for Ctrl-C (once per process): the first sets the stop
/// flag, the second exits with status 130.
pub(crate) fn watch_ctrl_c() {
    WATCH.call_once(|| {
        let _ = std::thread::Builder::new().name("ctrl-c".into()).spawn(|| {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if tokio::signal::ctrl_c().await.is_ok() {
                    STOP.store(true, Ordering::SeqCst);
                    eprintln!("\nsitelift: stopping after this batch (Ctrl-C again to quit now)");
                }
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            });
        });
    });
}

/// Whether Ctrl-C was pressed.
pub(crate) fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// Run an assembly into `outputs`: `drive` hands the lines to the sink it
/// is given, twice (a planning pass, then the writing pass; see [`Sink`]).
/// A failed write comes back as the writer's own error, not as the I/O error
/// the assembly saw.
pub(crate) fn assemble_into<T>(
    outputs: &mut Outputs<'_>,
    drive: impl FnOnce(&mut Write<'_>) -> std::io::Result<T>,
) -> anyhow::Result<T> {
    let mut sink = Into {
        outputs,
        failed: None,
    };
    let result = drive(&mut sink);
    match (result, sink.failed) {
        (_, Some(e)) => Err(e.into()),
        (Err(e), None) => Err(anyhow::Error::new(e).context("assembling the output")),
        (Ok(t), None) => Ok(t),
    }
}

/// The outputs as the assembly's sink, keeping the writer's error.
struct Into<'o, 'p> {
    outputs: &'o mut Outputs<'p>,
    failed: Option<OutputError>,
}

impl Sink for Into<'_, '_> {
    fn plans(&self) -> bool {
        true
    }
    fn plan(&mut self, line: &Line) -> std::io::Result<()> {
        self.outputs.plan(line).map_err(|e| {
            let text = crate::text::error_chain(&e);
            self.failed = Some(e);
            std::io::Error::other(text)
        })
    }
    fn write(&mut self, line: Line) -> std::io::Result<()> {
        self.outputs.push(line).map_err(|e| {
            let text = crate::text::error_chain(&e);
            self.failed = Some(e);
            std::io::Error::other(text)
        })
    }
}
