//! Reading WARC files record by record, ours and other tools'.
//!
//! Handles gzip-per-record files (ours, wget's, warcio's), gzip files whose
//! records span members, and plain uncompressed WARC. Damaged input is data:
//! a truncated or malformed record becomes one error item (naming the file
//! and offset) after which iteration ends, and no declared length can make
//! the reader hold more than [`MAX_BLOCK_BYTES`] of block in memory.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use flate2::bufread::GzDecoder;

use super::{find_header, StoreError, WarcLocation, MAX_BLOCK_BYTES};

/// Largest WARC header block accepted before the blank line that ends it.
pub(super) const MAX_HEADER_BYTES: usize = 256 * 1024;
/// How much a plain (uncompressed) file is read at a time.
const PLAIN_CHUNK: u64 = 64 * 1024;

/// One WARC record as read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarcRecord {
    /// Offset in the file where the record starts (for gzip files: where
    /// the gzip member holding its first byte starts).
    pub offset: u64,
    /// The `WARC-Type` header (`response`, `request`, `warcinfo`, ...).
    pub warc_type: String,
    /// The `WARC-Target-URI` header, without WARC/1.0 angle brackets.
    pub target_uri: Option<String>,
    /// The `WARC-Date` header, as written.
    pub date: Option<String>,
    /// The `WARC-Record-ID` header, as written (`<urn:uuid:...>`).
    pub record_id: Option<String>,
    /// All WARC headers in file order (names as written).
    pub headers: Vec<(String, String)>,
    /// The record block: exactly `Content-Length` bytes.
    pub block: Vec<u8>,
}

impl WarcRecord {
    /// The first WARC header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// A short label for error messages: the record id, else the URI, else the offset.
    pub(crate) fn label(&self) -> String {
        self.record_id
            .clone()
            .or_else(|| self.target_uri.clone())
            .unwrap_or_else(|| format!("at offset {}", self.offset))
    }
}

/// A `BufRead` that counts how many bytes of the file have been consumed.
struct Counting {
    inner: BufReader<File>,
    pos: u64,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl BufRead for Counting {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
        self.pos += amt as u64;
    }
}

/// Iterator over the records of one WARC file (`.warc` or `.warc.gz`).
///
/// Yields `Result<WarcRecord, StoreError>`; after the first error item the
/// iteration ends.
pub struct WarcReader {
    path: PathBuf,
    input: Counting,
    gzip: bool,
    /// Decompressed bytes not yet turned into records.
    pending: Vec<u8>,
    /// File offset to report for the record starting at `pending[0]`.
    origin: u64,
    /// Start of the last gzip member read.
    last_member: u64,
    /// File offset just past the last record returned.
    good_end: u64,
    /// The error that cut the last member short, once what it inflated
    /// before the cut has been read (see [`WarcReader::fill_more`]).
    cut: Option<StoreError>,
    /// Bytes the current gzip member has inflated to so far.
    member_inflated: u64,
    done: bool,
}

impl std::fmt::Debug for WarcReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WarcReader")
            .field("path", &self.path)
            .field("gzip", &self.gzip)
            .field("origin", &self.origin)
            .field("done", &self.done)
            .finish()
    }
}

pub(super) enum Parsed {
    /// A record, and how many bytes of the buffer it used.
    Complete(Box<WarcRecord>, usize),
    NeedMore,
    Bad(String),
    TooLarge(u64),
}

impl WarcReader {
    /// Opens `path` and reads from its first record.
    pub fn open(path: &Path) -> Result<WarcReader, StoreError> {
        Self::open_at(path, 0)
    }

    /// Opens `path` and reads from `offset`, which must be the start of a
    /// record (for gzip files: the start of a gzip member), for example the
    /// end of a record whose location is known. Gzip or plain is detected
    /// from the bytes at `offset`, not from the file name.
    pub fn open_at(path: &Path, offset: u64) -> Result<WarcReader, StoreError> {
        Self::open_as(path, offset, None)
    }

    /// As [`WarcReader::open_at`], for a file known to be gzip (`Some(true)`)
    /// or plain, or (None) detected from the bytes at `offset`.
    pub(super) fn open_as(
        path: &Path,
        offset: u64,
        gzip: Option<bool>,
    ) -> Result<WarcReader, StoreError> {
        crate::files::require_regular(path).map_err(|e| StoreError::io("open", path, e))?;
        let mut file = File::open(path).map_err(|e| StoreError::io("open", path, e))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| StoreError::io("seek", path, e))?;
        let mut input = Counting {
            inner: BufReader::with_capacity(64 * 1024, file),
            pos: offset,
        };
        let head = input
            .fill_buf()
            .map_err(|e| StoreError::io("read", path, e))?;
        let gzip = gzip.unwrap_or(head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b);
        Ok(WarcReader {
            path: path.to_path_buf(),
            input,
            gzip,
            pending: Vec::new(),
            origin: offset,
            last_member: offset,
            good_end: offset,
            cut: None,
            member_inflated: 0,
            done: false,
        })
    }

    /// File offset just past the last record returned without error (for
    /// gzip files, the end of the member that held it). Everything before it
    /// is intact; the writer truncates torn files here.
    pub fn good_end(&self) -> u64 {
        self.good_end
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends more decompressed bytes to `pending`; `Ok(false)` at end of file.
    ///
    /// A gzip member that the file ends inside (a truncated download, or a
    /// whole WARC compressed as one member and cut short) still gives what
    /// it inflated before the cut: those bytes are kept, the records they
    /// complete are read, and the truncation is the error of the next call.
    fn fill_more(&mut self) -> Result<bool, StoreError> {
        if let Some(e) = self.cut.take() {
            return Err(e);
        }
        let at = self.input.pos;
        let available = self
            .input
            .fill_buf()
            .map_err(|e| StoreError::io("read", &self.path, e))?;
        if available.is_empty() {
            return Ok(false);
        }
        if self.pending.is_empty() {
            self.origin = at;
        }
        let cap = MAX_BLOCK_BYTES + MAX_HEADER_BYTES as u64;
        let room = cap.saturating_sub(self.pending.len() as u64);
        if self.gzip {
            self.last_member = at;
            if available.len() >= 2 && available[..2] != [0x1f, 0x8b] {
                return Err(StoreError::Malformed {
                    path: self.path.clone(),
                    offset: at,
                    detail: "bytes after the last gzip member are not gzip".into(),
                });
            }
            // a member of our writer holds one record: cut short, it has
            // nothing complete to give (and the chunked reader, which cuts
            // such members by their length, must see the same)
            let ours = available
                .get(..super::member::HEADER_LEN)
                .and_then(|h| h.try_into().ok())
                .and_then(super::member::declared_length)
                .is_some();
            let before = self.pending.len();
            let mut dec = GzDecoder::new(&mut self.input).take(room + 1);
            let read = dec.read_to_end(&mut self.pending);
            self.member_inflated = (self.pending.len() - before) as u64;
            match read {
                Ok(_) => {}
                Err(e)
                    if !ours
                        && e.kind() == std::io::ErrorKind::UnexpectedEof
                        && self.pending.len() > before =>
                {
                    self.cut = Some(self.cut_error(at, e));
                    return Ok(true);
                }
                Err(e) => return Err(member_error(&self.path, at, e)),
            }
            if (self.pending.len() - before) as u64 > room {
                return Err(StoreError::TooLarge {
                    path: self.path.clone(),
                    offset: at,
                    size: self.pending.len() as u64,
                    cap,
                });
            }
            if self.input.pos == at {
                // Nothing consumed: cannot happen for a valid member, but
                // never loop on it.
                return Err(StoreError::Malformed {
                    path: self.path.clone(),
                    offset: at,
                    detail: "empty gzip member".into(),
                });
            }
        } else {
            let want = PLAIN_CHUNK.min(room.max(1));
            (&mut self.input)
                .take(want)
                .read_to_end(&mut self.pending)
                .map_err(|e| StoreError::io("read", &self.path, e))?;
        }
        Ok(true)
    }

    /// The error of the member at `at` that the file ends inside: where the
    /// file breaks, in the file and in what the member inflated to.
    fn cut_error(&self, at: u64, e: std::io::Error) -> StoreError {
        StoreError::Truncated {
            path: self.path.clone(),
            offset: at,
            detail: format!(
                "gzip member: {e}: the file ends at byte {}, after {} bytes of inflated data; the records complete before the cut were read, the rest is lost",
                self.input.pos, self.member_inflated
            ),
        }
    }

    /// Drops CR/LF bytes between records.
    fn skip_separators(&mut self) {
        let n = self
            .pending
            .iter()
            .take_while(|b| **b == b'\r' || **b == b'\n')
            .count();
        if n > 0 {
            self.pending.drain(..n);
            if !self.gzip {
                self.origin += n as u64;
            }
        }
    }

    fn fail(&mut self, e: StoreError) -> Option<Result<WarcRecord, StoreError>> {
        self.done = true;
        self.pending = Vec::new();
        Some(Err(e))
    }
}

impl Iterator for WarcReader {
    type Item = Result<WarcRecord, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            self.skip_separators();
            if self.pending.is_empty() {
                match self.fill_more() {
                    Ok(true) => continue,
                    Ok(false) => {
                        self.done = true;
                        return None;
                    }
                    Err(e) => return self.fail(e),
                }
            }
            match parse_record(&self.pending, self.origin) {
                Parsed::Complete(record, used) => {
                    if self.cut.is_some() && !digest_holds(&record) {
                        // a member cut short has no checksum to vouch for
                        // what it inflated: only a block that its digest
                        // confirms is taken from it
                        if let Some(e) = self.cut.take() {
                            return self.fail(e);
                        }
                    }
                    self.pending.drain(..used);
                    self.skip_separators();
                    if self.gzip {
                        self.origin = self.last_member;
                        // a member cut short is never intact: the writer
                        // truncates a torn file at its start
                        if self.pending.is_empty() && self.cut.is_none() {
                            self.good_end = self.input.pos;
                        }
                    } else {
                        self.origin += used as u64;
                        self.good_end = self.origin;
                    }
                    return Some(Ok(*record));
                }
                Parsed::NeedMore => match self.fill_more() {
                    Ok(true) => continue,
                    Ok(false) => {
                        let e = StoreError::Truncated {
                            path: self.path.clone(),
                            offset: self.origin,
                            detail: format!(
                                "file ends {} bytes into the record",
                                self.pending.len()
                            ),
                        };
                        return self.fail(e);
                    }
                    Err(e) => return self.fail(e),
                },
                Parsed::Bad(detail) => {
                    let e = StoreError::Malformed {
                        path: self.path.clone(),
                        offset: self.origin,
                        detail,
                    };
                    return self.fail(e);
                }
                Parsed::TooLarge(size) => {
                    let e = StoreError::TooLarge {
                        path: self.path.clone(),
                        offset: self.origin,
                        size,
                        cap: MAX_BLOCK_BYTES,
                    };
                    return self.fail(e);
                }
            }
        }
    }
}

/// Whether the record's `WARC-Block-Digest` matches its block; true when it
/// has none in the form WARC writers use (`sha1:` and base32), which
/// cannot be checked.
fn digest_holds(record: &WarcRecord) -> bool {
    match record.header("WARC-Block-Digest") {
        Some(d) if d.is_ascii() && d.len() == 37 && d[..5].eq_ignore_ascii_case("sha1:") => {
            d[5..].eq_ignore_ascii_case(&super::warc::sha1_digest(&record.block)[5..])
        }
        _ => true,
    }
}

/// The error for a gzip member at `offset` of `path` that does not inflate.
pub(super) fn member_error(path: &Path, offset: u64, e: std::io::Error) -> StoreError {
    let detail = format!("gzip member: {e}");
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        StoreError::Truncated {
            path: path.to_path_buf(),
            offset,
            detail,
        }
    } else {
        StoreError::Malformed {
            path: path.to_path_buf(),
            offset,
            detail,
        }
    }
}

/// End of the header block: index just past the blank line, if present.
fn header_end(buf: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(nl) = buf[i..].iter().position(|b| *b == b'\n') {
        let after = i + nl + 1;
        match buf.get(after) {
            Some(b'\n') => return Some(after + 1),
            Some(b'\r') if buf.get(after + 1) == Some(&b'\n') => return Some(after + 2),
            _ => i = after,
        }
    }
    None
}

/// Parses one record from the start of `buf`.
pub(super) fn parse_record(buf: &[u8], offset: u64) -> Parsed {
    const MAGIC: &[u8] = b"WARC/";
    let n = buf.len().min(MAGIC.len());
    if buf[..n] != MAGIC[..n] {
        return Parsed::Bad("does not start with WARC/".into());
    }
    let Some(end) = header_end(buf) else {
        return if buf.len() > MAX_HEADER_BYTES {
            Parsed::Bad(format!("no end of header within {MAX_HEADER_BYTES} bytes"))
        } else {
            Parsed::NeedMore
        };
    };
    let text = String::from_utf8_lossy(&buf[..end]);
    let mut lines = text.lines();
    let version = lines.next().unwrap_or_default().trim();
    if !version.starts_with("WARC/") {
        return Parsed::Bad(format!("bad version line {version:?}"));
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
                continue;
            }
        }
        let Some((name, value)) = line.split_once(':') else {
            return Parsed::Bad(format!("header line without colon: {line:?}"));
        };
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let Some(len) = find_header(&headers, "Content-Length") else {
        return Parsed::Bad("no Content-Length".into());
    };
    let Ok(len) = len.parse::<u64>() else {
        return Parsed::Bad(format!("bad Content-Length {len:?}"));
    };
    if len > MAX_BLOCK_BYTES {
        return Parsed::TooLarge(len);
    }
    let Some(warc_type) = find_header(&headers, "WARC-Type").map(str::to_string) else {
        return Parsed::Bad("no WARC-Type".into());
    };
    // `len` is at most MAX_BLOCK_BYTES, so it fits in usize.
    let total = end + len as usize;
    if buf.len() < total {
        return Parsed::NeedMore;
    }
    let get = |name: &str| find_header(&headers, name).map(str::to_string);
    let target_uri = get("WARC-Target-URI").map(|u| {
        u.strip_prefix('<')
            .and_then(|u| u.strip_suffix('>'))
            .map(str::to_string)
            .unwrap_or(u)
    });
    let record = WarcRecord {
        offset,
        warc_type,
        target_uri,
        date: get("WARC-Date"),
        record_id: get("WARC-Record-ID"),
        block: buf[end..total].to_vec(),
        headers,
    };
    Parsed::Complete(Box::new(record), total)
}

/// Reads the record at `loc` in the store directory `dir` (random access).
pub fn read_at(dir: &Path, loc: &WarcLocation) -> Result<WarcRecord, StoreError> {
    let name = loc.file.as_str();
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\']) {
        return Err(StoreError::BadLocation {
            file: loc.file.clone(),
        });
    }
    record_at(&dir.join(name), loc.offset, None)
}

/// The record at `offset` of `path` (gzip or plain as [`WarcReader::open_as`]
/// takes it), or the error a reader finds there.
pub(super) fn record_at(
    path: &Path,
    offset: u64,
    gzip: Option<bool>,
) -> Result<WarcRecord, StoreError> {
    match WarcReader::open_as(path, offset, gzip)?.next() {
        Some(result) => result,
        None => Err(StoreError::Truncated {
            path: path.to_path_buf(),
            offset,
            detail: "no record at this offset (end of file)".into(),
        }),
    }
}
