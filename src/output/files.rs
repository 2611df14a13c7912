//! The output's files, written so that nothing sitelift did not write is
//! lost: a regular file is written to a temporary name beside it and
//! renamed into place (an interrupted run leaves the old file whole); a
//! FIFO, device or socket is written through, never replaced by a regular
//! file (`--out /dev/null` stays the device); a symbolic link is followed
//! to the file it names. A folder given to `--layout dir` is used only
//! when it is new, empty, or marked as an earlier sitelift output (the
//! [`MARKER`] file), and anything in the way of what sitelift writes there
//! is refused before any work is done.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::writer::OutputError;

/// The file that marks a folder as a sitelift output (`--layout dir`).
pub const MARKER: &str = ".sitelift-output";

/// What is at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Nothing.
    Absent,
    /// A regular file.
    File,
    /// A folder.
    Dir,
    /// A FIFO, device or socket (named for messages).
    Special(&'static str),
}

/// What is at `path`, following symbolic links.
pub fn kind_of(path: &Path) -> std::io::Result<Kind> {
    use std::os::unix::fs::FileTypeExt;
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Kind::Absent),
        Err(e) => return Err(e),
    };
    let t = meta.file_type();
    Ok(if t.is_dir() {
        Kind::Dir
    } else if t.is_file() {
        Kind::File
    } else if t.is_fifo() {
        Kind::Special("FIFO")
    } else if t.is_char_device() || t.is_block_device() {
        Kind::Special("device")
    } else if t.is_socket() {
        Kind::Special("socket")
    } else {
        Kind::Special("special file")
    })
}

pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The path a write to `path` lands on: the file a symbolic link names.
fn resolved(path: &Path) -> PathBuf {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

/// Where a file of the output is written.
pub enum Place {
    /// Written to `tmp`, renamed to `dest` when complete.
    Staged {
        /// The temporary file beside `dest`.
        tmp: PathBuf,
        /// Where it goes.
        dest: PathBuf,
    },
    /// Written straight into a FIFO, device or socket.
    Through(PathBuf),
}

/// Decide how a file of the output is written, refusing a folder in its way.
pub fn place(path: &Path) -> Result<Place, OutputError> {
    let dest = resolved(path);
    match kind_of(&dest).map_err(io(&dest))? {
        Kind::Dir => Err(OutputError::InTheWay {
            path: path.to_path_buf(),
            what: "a folder".into(),
            wanted: "a file".into(),
        }),
        Kind::Special(_) => Ok(Place::Through(dest)),
        Kind::Absent | Kind::File => {
            let name = dest
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_else(|| "out".into());
            Ok(Place::Staged {
                tmp: dest.with_file_name(format!(".{name}.partial")),
                dest,
            })
        }
    }
}

impl Place {
    /// Open the file to write.
    pub fn open(&self) -> Result<File, OutputError> {
        match self {
            Place::Staged { tmp, .. } => File::create(tmp).map_err(io(tmp)),
            Place::Through(p) => std::fs::OpenOptions::new()
                .write(true)
                .open(p)
                .map_err(io(p)),
        }
    }

    /// The file written to (for messages).
    pub fn written(&self) -> &Path {
        match self {
            Place::Staged { tmp, .. } => tmp,
            Place::Through(p) => p,
        }
    }

    /// Whether this is a special file written through.
    pub fn is_through(&self) -> bool {
        matches!(self, Place::Through(_))
    }

    /// Sync and move into place (staged), after everything was written.
    pub fn commit(&self) -> Result<(), OutputError> {
        match self {
            Place::Staged { tmp, dest } => File::open(tmp)
                .and_then(|f| f.sync_all())
                .map_err(io(tmp))
                .and_then(|_| std::fs::rename(tmp, dest).map_err(io(dest))),
            Place::Through(_) => Ok(()),
        }
    }

    /// Give up: the temporary file is removed (the destination is as it was).
    pub fn discard(&self) {
        if let Place::Staged { tmp, .. } = self {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// Write `bytes` to `path` atomically (see [`place`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// [`write_atomic`], with the bytes written by `fill` through a buffer, so
/// a large file (the redirect map) is never held in memory whole.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), OutputError> {
    let place = place(path)?;
    let written = place.open().and_then(|f| {
        let mut w = BufWriter::new(f);
        fill(&mut w)
            .and_then(|_| w.flush())
            .map_err(io(place.written()))
    });
    let done = written.and_then(|_| place.commit());
    if done.is_err() {
        // a full disk must not keep a half-written file either
        place.discard();
    }
    done
}

/// The names sitelift writes in a `--layout dir` folder, and what each is.
const DIR_ENTRIES: [(&str, bool); 15] = [
    ("records", true),
    (".records.partial", true),
    (".records.old", true),
    ("errors.jsonl", false),
    ("report.json", false),
    ("report.html", false),
    ("redirects.csv", false),
    ("redirects.map", false),
    ("links.jsonl", false),
    ("terms.jsonl", false),
    ("authors.jsonl", false),
    ("media.jsonl", false),
    ("media", true),
    (".media.partial", true),
    (".media.old", true),
];

/// Make `dir` ready for a `--layout dir` output, before any work: it must
/// be new, empty, or an earlier sitelift output (it has [`MARKER`]), and
/// nothing may stand where sitelift writes (a file named `records`, a
/// folder named `report.json`). Then it is marked.
pub fn prepare_dir(dir: &Path) -> Result<(), OutputError> {
    match kind_of(dir).map_err(io(dir))? {
        Kind::Absent => std::fs::create_dir_all(dir).map_err(io(dir))?,
        Kind::Dir => {}
        Kind::File | Kind::Special(_) => {
            return Err(OutputError::InTheWay {
                path: dir.to_path_buf(),
                what: "a file".into(),
                wanted: "a folder".into(),
            })
        }
    }
    let marked = dir.join(MARKER).is_file();
    if !marked {
        let mut entries = std::fs::read_dir(dir).map_err(io(dir))?;
        if entries.next().is_some() {
            return Err(OutputError::NotOurs(dir.to_path_buf()));
        }
    }
    for (name, is_dir) in DIR_ENTRIES {
        let p = dir.join(name);
        let kind = kind_of(&p).map_err(io(&p))?;
        let in_the_way = match (kind, is_dir) {
            (Kind::Absent, _) | (Kind::Dir, true) | (Kind::File, false) => None,
            (Kind::Dir, false) => Some("a folder"),
            (Kind::File, true) => Some("a file"),
            (Kind::Special(what), _) => Some(what),
        };
        if let Some(what) = in_the_way {
            return Err(OutputError::InTheWay {
                path: p,
                what: what.into(),
                wanted: if is_dir { "a folder" } else { "a file" }.into(),
            });
        }
    }
    if !marked {
        let note = format!(
            "This folder is a sitelift output (sitelift {}); a later run may replace\n\
             records/, media/, errors.jsonl, report.json, report.html, redirects.*, links.jsonl,\n\
             terms.jsonl, authors.jsonl, media.jsonl and verify.jsonl here, and nothing else.\n",
            env!("CARGO_PKG_VERSION")
        );
        write_atomic(&dir.join(MARKER), note.as_bytes())?;
    }
    Ok(())
}

/// Make `root` ready to take a media folder `folder` (`--media-dir`):
/// `root` may hold anything (the records file beside it, say), but
/// `root/folder` must be new, empty, or an earlier sitelift media folder
/// (it has [`MARKER`]); nothing else is touched.
pub fn prepare_media_root(root: &Path, folder: &str) -> Result<(), OutputError> {
    match kind_of(root).map_err(io(root))? {
        Kind::Absent => std::fs::create_dir_all(root).map_err(io(root))?,
        Kind::Dir => {}
        Kind::File | Kind::Special(_) => {
            return Err(OutputError::InTheWay {
                path: root.to_path_buf(),
                what: "a file".into(),
                wanted: "a folder".into(),
            })
        }
    }
    let media = root.join(folder);
    match kind_of(&media).map_err(io(&media))? {
        Kind::Absent => Ok(()),
        Kind::Dir => {
            let ours = media.join(MARKER).is_file() || root.join(MARKER).is_file();
            let empty = std::fs::read_dir(&media)
                .map_err(io(&media))?
                .next()
                .is_none();
            match ours || empty {
                true => Ok(()),
                false => Err(OutputError::NotOurs(media)),
            }
        }
        Kind::File | Kind::Special(_) => Err(OutputError::InTheWay {
            path: media,
            what: "a file".into(),
            wanted: "the media folder".into(),
        }),
    }
}
