//! Opening the files an operator names without hanging on the ones that
//! are not files: opening a FIFO for reading blocks until a writer comes,
//! and a device or socket is no page, profile or archive. The type is
//! checked from the metadata, before anything is opened.

use std::io;
use std::path::Path;

/// What kind of special file `meta` describes, for messages.
pub fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let ft = meta.file_type();
    if ft.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_block_device() || ft.is_char_device() {
            return "a device";
        }
    }
    "a special file"
}

/// `Ok` when `path` (symbolic links followed) is a regular file; else the
/// error to report, without having opened it (`InvalidInput`, saying what
/// it is), or the error of reading its metadata.
pub fn require_regular(path: &Path) -> io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.is_file() {
        return Ok(());
    }
    Err(not_regular(&meta))
}

/// The error for a path whose metadata `meta` is not a regular file's.
pub fn not_regular(meta: &std::fs::Metadata) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "not a regular file ({}); name a regular file",
            kind_of(meta)
        ),
    )
}

/// Reads `path` whole, after checking that it is a regular file.
pub fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    require_regular(path)?;
    std::fs::read(path)
}
