//! Writing HTTP exchanges as WARC/1.1 records, one gzip member per record.
//!
//! The writer owns a numbered series of files `{prefix}-{NNNNN}.warc.gz` in
//! the store directory. It never appends to a file that existed before it
//! was opened: on open it repairs the torn tail a `kill -9` may have left in
//! the newest file (truncating it after the last complete record) and then
//! starts a new file. Each file opens with a `warcinfo` record; each
//! exchange becomes a `request` and a `response` record linked by
//! `WARC-Concurrent-To`, with SHA-1 block and payload digests.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};

use super::member::gzip_member;
use super::{StoreError, WarcReader};

/// Where a record lives: enough to read it again with [`super::read_at`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WarcLocation {
    /// File name, relative to the store directory.
    pub file: String,
    /// Offset of the record's gzip member in the file.
    pub offset: u64,
    /// Compressed length of that gzip member.
    pub length: u64,
}

/// One HTTP exchange as the fetcher saw it, ready to be archived.
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    /// The URL that was requested.
    pub target_uri: &'a str,
    /// When the response was received.
    pub date: jiff::Timestamp,
    /// The server's IP address, when known.
    pub ip: Option<IpAddr>,
    /// The request method (`GET`).
    pub method: &'a str,
    /// The request headers as sent (a `Host` header is added if absent).
    pub request_headers: &'a [(String, String)],
    /// The protocol version of the response, e.g. `HTTP/1.1`.
    pub http_version: &'a str,
    /// The status code.
    pub status: u16,
    /// The reason phrase (may be empty).
    pub reason: &'a str,
    /// The response headers as received.
    pub response_headers: &'a [(String, Vec<u8>)],
    /// The body as received, after the client removed chunked transfer
    /// coding but before any content decoding (may be gzip).
    pub payload: &'a [u8],
}

/// The file currently being written.
#[derive(Debug)]
struct OpenFile {
    file: File,
    name: String,
    size: u64,
    warcinfo_id: String,
}

/// Writes exchanges into a rotating series of `.warc.gz` files.
#[derive(Debug)]
pub struct WarcWriter {
    dir: PathBuf,
    prefix: String,
    max_file_bytes: u64,
    next_index: u32,
    current: Option<OpenFile>,
    /// The `WARC-Record-ID` of the next file's `warcinfo` record, chosen in
    /// advance so records can be built before that file exists.
    next_warcinfo_id: String,
    repaired_bytes: u64,
}

/// The `request` and `response` records of one exchange, digested and
/// compressed (one gzip member each), ready for [`WarcWriter::append`].
/// Building them is the expensive part of archiving a page (SHA-1 of the
/// payload and of the block, gzip), so a crawler builds them on its worker
/// threads with [`prepare_exchange`] and its single writer only appends.
#[derive(Debug, Clone)]
pub struct PreparedExchange {
    warcinfo_id: String,
    request: Vec<u8>,
    response: Vec<u8>,
    payload_digest: String,
}

impl PreparedExchange {
    /// The response's `WARC-Payload-Digest` (`sha1:BASE32`).
    pub fn payload_digest(&self) -> &str {
        &self.payload_digest
    }

    /// The `WARC-Warcinfo-ID` the records carry.
    pub fn warcinfo_id(&self) -> &str {
        &self.warcinfo_id
    }
}

impl WarcWriter {
    /// Opens the series `dir/{prefix}-NNNNN.warc.gz`, creating `dir` if
    /// needed. The newest existing file is repaired (see
    /// [`WarcWriter::repaired_bytes`]); new records go to the next number.
    /// A file is closed once it reaches `max_file_bytes`.
    pub fn open(dir: &Path, prefix: &str, max_file_bytes: u64) -> Result<WarcWriter, StoreError> {
        if prefix.is_empty() || prefix.contains(['/', '\\']) || prefix.starts_with('.') {
            return Err(StoreError::BadLocation {
                file: prefix.to_string(),
            });
        }
        std::fs::create_dir_all(dir).map_err(|e| StoreError::io("create dir", dir, e))?;
        let mut newest: Option<(u32, PathBuf)> = None;
        let entries = std::fs::read_dir(dir).map_err(|e| StoreError::io("list", dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| StoreError::io("list", dir, e))?;
            let name = entry.file_name();
            let Some(index) = name.to_str().and_then(|n| file_index(prefix, n)) else {
                continue;
            };
            if newest.as_ref().is_none_or(|(i, _)| index > *i) {
                newest = Some((index, entry.path()));
            }
        }
        let mut repaired_bytes = 0;
        let mut next_index = 0;
        if let Some((index, path)) = newest {
            repaired_bytes = repair(&path)?;
            next_index = index
                .checked_add(1)
                .ok_or_else(|| StoreError::BadLocation {
                    file: path.display().to_string(),
                })?;
        }
        Ok(WarcWriter {
            dir: dir.to_path_buf(),
            prefix: prefix.to_string(),
            max_file_bytes,
            next_index,
            current: None,
            next_warcinfo_id: new_id(),
            repaired_bytes,
        })
    }

    /// How many bytes of torn tail were cut from the newest file on open.
    pub fn repaired_bytes(&self) -> u64 {
        self.repaired_bytes
    }

    /// The store directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The name of the file being written, if one is open.
    pub fn current_file(&self) -> Option<&str> {
        self.current.as_ref().map(|f| f.name.as_str())
    }

    /// Forces written records to disk (`fsync`).
    pub fn sync(&mut self) -> Result<(), StoreError> {
        if let Some(open) = &self.current {
            open.file
                .sync_data()
                .map_err(|e| StoreError::io("sync", self.dir.join(&open.name), e))?;
        }
        Ok(())
    }

    /// Writes a `request` and a `response` record for `ex` and returns the
    /// location of the response record. The stored response head drops
    /// `Transfer-Encoding` (noted in `X-Sitelift-Removed-Transfer-Encoding`)
    /// and carries a `Content-Length` equal to the stored payload.
    pub fn write_exchange(&mut self, ex: &Exchange<'_>) -> Result<WarcLocation, StoreError> {
        let prepared = prepare_exchange(ex, self.next_warcinfo_id())?;
        self.append(prepared, ex)
    }

    /// The `WARC-Warcinfo-ID` the next record written will carry: that of
    /// the file being written, or of the file the next record will open.
    /// Records built with it by [`prepare_exchange`] are appended as they
    /// are.
    pub fn next_warcinfo_id(&self) -> &str {
        match &self.current {
            Some(open) => &open.warcinfo_id,
            None => &self.next_warcinfo_id,
        }
    }

    /// Appends the records of `ex` built by [`prepare_exchange`] and returns
    /// the location of the response record, as [`WarcWriter::write_exchange`]
    /// does. If they were built for another file (the series rotated since
    /// [`WarcWriter::next_warcinfo_id`] was asked), they are built again
    /// from `ex` for the file they now go to.
    pub fn append(
        &mut self,
        prepared: PreparedExchange,
        ex: &Exchange<'_>,
    ) -> Result<WarcLocation, StoreError> {
        let mut open = match self.current.take() {
            Some(open) => open,
            None => self.create_file()?,
        };
        let prepared = if prepared.warcinfo_id == open.warcinfo_id {
            prepared
        } else {
            match prepare_exchange(ex, &open.warcinfo_id) {
                Ok(p) => p,
                Err(e) => {
                    self.current = Some(open);
                    return Err(e);
                }
            }
        };
        let path = self.dir.join(&open.name);
        let location = WarcLocation {
            file: open.name.clone(),
            offset: open.size + prepared.request.len() as u64,
            length: prepared.response.len() as u64,
        };
        let mut both = prepared.request;
        both.extend_from_slice(&prepared.response);
        // On error the file may end in a torn member: it is dropped here
        // and never written to again.
        open.file
            .write_all(&both)
            .and_then(|()| open.file.flush())
            .map_err(|e| StoreError::io("write", &path, e))?;
        open.size += both.len() as u64;
        if open.size < self.max_file_bytes {
            self.current = Some(open);
        }
        Ok(location)
    }

    /// Creates the next file of the series, starting it with a `warcinfo` record.
    fn create_file(&mut self) -> Result<OpenFile, StoreError> {
        let name = format!("{}-{:05}.warc.gz", self.prefix, self.next_index);
        let path = self.dir.join(&name);
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| StoreError::io("create", &path, e))?;
        self.next_index = self.next_index.saturating_add(1);
        let warcinfo_id = std::mem::replace(&mut self.next_warcinfo_id, new_id());
        let fields = format!(
            "software: sitelift/{}\r\nformat: WARC File Format 1.1\r\n\
             conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n",
            env!("CARGO_PKG_VERSION")
        );
        let filename = [("WARC-Filename", name.clone())];
        let member = gzip_record(
            RecordHead {
                warc_type: "warcinfo",
                id: &warcinfo_id,
                date: &format_date(jiff::Timestamp::now()),
                target_uri: None,
                content_type: "application/warc-fields",
                extra: &filename,
            },
            &[fields.as_bytes()],
            None,
        )
        .map_err(|e| StoreError::io("compress", &path, e))?;
        file.write_all(&member)
            .map_err(|e| StoreError::io("write", &path, e))?;
        Ok(OpenFile {
            file,
            name,
            size: member.len() as u64,
            warcinfo_id,
        })
    }
}

/// Builds the `request` and `response` records of `ex` for a file whose
/// `warcinfo` record is `warcinfo_id` (see [`WarcWriter::next_warcinfo_id`]):
/// record ids, digests, one gzip member each. Needs no writer, so it can run
/// on any thread.
pub fn prepare_exchange(
    ex: &Exchange<'_>,
    warcinfo_id: &str,
) -> Result<PreparedExchange, StoreError> {
    let url = url::Url::parse(ex.target_uri).map_err(|e| StoreError::InvalidUri {
        uri: ex.target_uri.to_string(),
        detail: e.to_string(),
    })?;
    let compress = |e| StoreError::io("compress", Path::new(ex.target_uri), e);
    let date = format_date(ex.date);
    let request_id = new_id();
    let response_id = new_id();
    let request_block = request_head(ex, &url);
    let response_head = response_head(ex);

    let mut common = vec![("WARC-Warcinfo-ID", warcinfo_id.to_string())];
    if let Some(ip) = ex.ip {
        common.push(("WARC-IP-Address", ip.to_string()));
    }
    let mut req_extra = common.clone();
    req_extra.push(("WARC-Concurrent-To", response_id.clone()));
    let mut resp_extra = common;
    resp_extra.push(("WARC-Concurrent-To", request_id.clone()));

    let request = gzip_record(
        RecordHead {
            warc_type: "request",
            id: &request_id,
            date: &date,
            target_uri: Some(ex.target_uri),
            content_type: "application/http;msgtype=request",
            extra: &req_extra,
        },
        &[&request_block],
        Some(&sha1_digest(&[])),
    )
    .map_err(compress)?;
    let payload_digest = sha1_digest(ex.payload);
    let response = gzip_record(
        RecordHead {
            warc_type: "response",
            id: &response_id,
            date: &date,
            target_uri: Some(ex.target_uri),
            content_type: "application/http;msgtype=response",
            extra: &resp_extra,
        },
        &[&response_head, ex.payload],
        Some(&payload_digest),
    )
    .map_err(compress)?;
    Ok(PreparedExchange {
        warcinfo_id: warcinfo_id.to_string(),
        request,
        response,
        payload_digest,
    })
}

/// The index `NNNNN` of a file named `{prefix}-NNNNN.warc.gz`.
fn file_index(prefix: &str, name: &str) -> Option<u32> {
    let digits = name
        .strip_prefix(prefix)?
        .strip_prefix('-')?
        .strip_suffix(".warc.gz")?;
    if digits.len() < 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Truncates `path` after its last complete record; returns bytes dropped.
/// A file left with no complete record at all is removed.
fn repair(path: &Path) -> Result<u64, StoreError> {
    let len = std::fs::metadata(path)
        .map_err(|e| StoreError::io("stat", path, e))?
        .len();
    let mut reader = WarcReader::open(path)?;
    for item in reader.by_ref() {
        if item.is_err() {
            break;
        }
    }
    let good = reader.good_end();
    drop(reader);
    if good >= len {
        return Ok(0);
    }
    if good == 0 {
        std::fs::remove_file(path).map_err(|e| StoreError::io("remove", path, e))?;
        return Ok(len);
    }
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| StoreError::io("open", path, e))?;
    file.set_len(good)
        .and_then(|()| file.sync_all())
        .map_err(|e| StoreError::io("truncate", path, e))?;
    Ok(len - good)
}

fn new_id() -> String {
    format!("<urn:uuid:{}>", uuid::Uuid::new_v4())
}

/// UTC, RFC 3339, microsecond precision (`2026-01-02T03:04:05.123456Z`).
fn format_date(ts: jiff::Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// `sha1:` + base32 of the SHA-1 of `bytes`, as WARC digests are written.
pub(crate) fn sha1_digest(bytes: &[u8]) -> String {
    sha1_digest_of(&[bytes])
}

/// [`sha1_digest`] of the concatenation of `parts`.
fn sha1_digest_of(parts: &[&[u8]]) -> String {
    let mut h = Sha1::new();
    for p in parts {
        h.update(p);
    }
    format!("sha1:{}", data_encoding::BASE32.encode(&h.finalize()))
}

/// A header value or name with CR and LF replaced, so it cannot break the head.
fn clean(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .map(|b| if *b == b'\r' || *b == b'\n' { b' ' } else { *b })
        .collect()
}

/// A header name with every byte that is not an HTTP token character
/// replaced by `-`, so that every reader can parse the head.
fn clean_name(name: &str) -> Vec<u8> {
    const EXTRA: &[u8] = b"!#$%&'*+-.^_`|~";
    let mut out: Vec<u8> = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || EXTRA.contains(&b) {
                b
            } else {
                b'-'
            }
        })
        .collect();
    if out.is_empty() {
        out.push(b'-');
    }
    out
}

fn push_header(out: &mut Vec<u8>, name: &str, value: &[u8]) {
    out.extend_from_slice(&clean_name(name));
    out.extend_from_slice(b": ");
    out.extend_from_slice(&clean(value));
    out.extend_from_slice(b"\r\n");
}

/// The request block: request line, headers, blank line (no body).
fn request_head(ex: &Exchange<'_>, url: &url::Url) -> Vec<u8> {
    let mut target = url.path().to_string();
    if let Some(q) = url.query() {
        target.push('?');
        target.push_str(q);
    }
    let mut out = Vec::new();
    let line = format!("{} {} {}\r\n", ex.method, target, ex.http_version);
    out.extend_from_slice(&clean(line.trim_end().as_bytes()));
    out.extend_from_slice(b"\r\n");
    let has_host = ex
        .request_headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("host"));
    if !has_host {
        if let Some(host) = url.host_str() {
            let host = match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_string(),
            };
            push_header(&mut out, "Host", host.as_bytes());
        }
    }
    for (name, value) in ex.request_headers {
        push_header(&mut out, name, value.as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// The head of the response block: status line, headers made consistent
/// with the payload, blank line (the payload follows it in the block).
fn response_head(ex: &Exchange<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    let line = format!("{} {} {}", ex.http_version, ex.status, ex.reason);
    out.extend_from_slice(&clean(line.as_bytes()));
    out.extend_from_slice(b"\r\n");
    let te: Vec<&[u8]> = ex
        .response_headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("transfer-encoding"))
        .map(|(_, v)| v.as_slice())
        .collect();
    let len = ex.payload.len().to_string();
    let mut length_written = false;
    let mut original_length: Option<&[u8]> = None;
    for (name, value) in ex.response_headers {
        if name.eq_ignore_ascii_case("transfer-encoding") {
            continue;
        }
        if name.eq_ignore_ascii_case("content-length") {
            let matches = value.trim_ascii() == len.as_bytes();
            if matches && te.is_empty() && !length_written {
                push_header(&mut out, name, value);
                length_written = true;
            } else if !matches && original_length.is_none() {
                original_length = Some(value);
            }
            continue;
        }
        push_header(&mut out, name, value);
    }
    for value in te {
        push_header(&mut out, "X-Sitelift-Removed-Transfer-Encoding", value);
    }
    if let Some(value) = original_length {
        push_header(&mut out, "X-Sitelift-Original-Content-Length", value);
    }
    if !length_written {
        push_header(&mut out, "Content-Length", len.as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// The WARC header fields of one record, apart from the block.
struct RecordHead<'a> {
    warc_type: &'a str,
    id: &'a str,
    date: &'a str,
    target_uri: Option<&'a str>,
    content_type: &'a str,
    extra: &'a [(&'a str, String)],
}

/// One record (header, block and the closing CRLF CRLF) as one complete
/// gzip member that gives its own length (see [`gzip_member`]). The block is
/// the concatenation of `block`, so a response's payload is compressed where
/// it lies, without a copy; `payload_digest` is the `WARC-Payload-Digest`,
/// when the record has one.
fn gzip_record(
    head: RecordHead<'_>,
    block: &[&[u8]],
    payload_digest: Option<&str>,
) -> std::io::Result<Vec<u8>> {
    let block_len: usize = block.iter().map(|b| b.len()).sum();
    let mut out = b"WARC/1.1\r\n".to_vec();
    push_header(&mut out, "WARC-Type", head.warc_type.as_bytes());
    push_header(&mut out, "WARC-Record-ID", head.id.as_bytes());
    push_header(&mut out, "WARC-Date", head.date.as_bytes());
    if let Some(uri) = head.target_uri {
        push_header(&mut out, "WARC-Target-URI", uri.as_bytes());
    }
    for (name, value) in head.extra {
        push_header(&mut out, name, value.as_bytes());
    }
    push_header(&mut out, "Content-Type", head.content_type.as_bytes());
    push_header(
        &mut out,
        "WARC-Block-Digest",
        sha1_digest_of(block).as_bytes(),
    );
    if let Some(digest) = payload_digest {
        push_header(&mut out, "WARC-Payload-Digest", digest.as_bytes());
    }
    push_header(&mut out, "Content-Length", block_len.to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
    let mut parts = Vec::with_capacity(block.len() + 2);
    parts.push(out.as_slice());
    parts.extend_from_slice(block);
    parts.push(b"\r\n\r\n");
    gzip_member(&parts)
}
