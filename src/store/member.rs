//! Gzip members that say how long they are, so that records can be
//! decompressed in parallel.
//!
//! A `.warc.gz` file is a series of gzip members, one record each, and
//! plain gzip gives no way to find where a member ends without inflating
//! it: a reader that hands records to worker threads must inflate them all
//! on its own thread first, which on two cores is a fifth of the work. The
//! store's writer therefore puts the member's total length in the gzip
//! header, in an extra subfield (RFC 1952 section 2.3.1.1; the same idea as
//! the BGZF files of genomics), and protects the header with its CRC16
//! (FHCRC), so a damaged length is seen before it is used. Every gzip reader
//! skips the subfield, so the files stay ordinary WARC; [`ChunkReader`] uses
//! it to cut a file into compressed members without inflating anything, and
//! [`inflate_member`] turns one member into its record on whatever thread
//! holds it. Where a member has no such header, or its header or length
//! does not check out, [`WarcReader`] reads the rest of the file as it
//! would without this, so what is read and what is reported as damaged
//! stay the same.

use std::cell::RefCell;
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use flate2::write::DeflateEncoder;
use flate2::Compression;

use super::reader::{member_error, parse_record, record_at, Parsed, MAX_HEADER_BYTES};
use super::{StoreError, WarcReader, WarcRecord, MAX_BLOCK_BYTES};

/// Gzip header flag: the header ends with a CRC16 of itself.
const FHCRC: u8 = 0x02;
/// Gzip header flag: an extra field follows the fixed header.
const FEXTRA: u8 = 0x04;
/// Identifier of the length subfield: "sl" (sitelift).
const SUBFIELD_ID: [u8; 2] = *b"sl";
/// The fixed header (10 bytes), XLEN (2), the length subfield (4 + 4) and
/// the header CRC16 (2).
pub(super) const HEADER_LEN: usize = 22;
/// The CRC-32 and ISIZE trailer.
const TRAILER_LEN: usize = 8;
/// Largest member length accepted: a full record block and header, even if
/// compression made it larger.
const MAX_MEMBER_BYTES: u64 = MAX_BLOCK_BYTES + MAX_HEADER_BYTES as u64 + 1024 * 1024;

/// Compresses the concatenation of `parts` as one gzip member whose header
/// carries the member's total length. Level 1: compressing records was 40%
/// of a fast crawl's CPU at the default level; level 1 is about 3× faster
/// for files about a quarter larger (measured on a 237 KB tagDiv page).
pub(crate) fn gzip_member(parts: &[&[u8]]) -> std::io::Result<Vec<u8>> {
    let total: usize = parts.iter().map(|p| p.len()).sum();
    let mut out = Vec::with_capacity(total / 3 + HEADER_LEN + TRAILER_LEN + 64);
    // ID1 ID2 CM=deflate FLG MTIME=0 XFL=0 OS=unknown
    out.extend_from_slice(&[0x1f, 0x8b, 8, FEXTRA | FHCRC, 0, 0, 0, 0, 0, 255]);
    out.extend_from_slice(&8u16.to_le_bytes()); // XLEN
    out.extend_from_slice(&SUBFIELD_ID);
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[0; 6]); // the length and the CRC16, filled in below
    let mut crc = crc32fast::Hasher::new();
    for p in parts {
        crc.update(p);
    }
    let mut out = deflate_into(parts, out)?;
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    // ISIZE is the input size modulo 2^32 (RFC 1952)
    out.extend_from_slice(&(total as u32).to_le_bytes());
    let len = u32::try_from(out.len()).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "record too large for one gzip member",
        )
    })?;
    out[16..20].copy_from_slice(&len.to_le_bytes());
    let crc16 = header_crc16(&out[..20]);
    out[20..22].copy_from_slice(&crc16.to_le_bytes());
    Ok(out)
}

thread_local! {
    /// Each thread's deflate encoder, reset for every member: a new one is a
    /// few hundred KB to allocate and clear, more than compressing a
    /// request record or a small page costs.
    static DEFLATE: RefCell<Option<DeflateEncoder<Vec<u8>>>> = const { RefCell::new(None) };
}

/// Raw deflate (level 1) of the concatenation of `parts`, appended to `out`:
/// the bytes a new encoder gives.
fn deflate_into(parts: &[&[u8]], out: Vec<u8>) -> std::io::Result<Vec<u8>> {
    DEFLATE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let enc = slot.get_or_insert_with(|| DeflateEncoder::new(Vec::new(), Compression::fast()));
        // a new stream into `out` (what the encoder held is dropped)
        enc.reset(out)?;
        for p in parts {
            enc.write_all(p)?;
        }
        enc.try_finish()?;
        // the finished stream, all of it written out; the next member resets
        Ok(std::mem::take(enc.get_mut()))
    })
}

/// The FHCRC of a gzip header: the low 16 bits of the CRC-32 of the header
/// bytes before it.
fn header_crc16(head: &[u8]) -> u16 {
    (crc32fast::hash(head) & 0xffff) as u16
}

/// The member length in a gzip header written by [`gzip_member`], if `head`
/// is such a header, its CRC16 matches and the length is possible.
pub(super) fn declared_length(head: &[u8; HEADER_LEN]) -> Option<u64> {
    let ours = head[..4] == [0x1f, 0x8b, 8, FEXTRA | FHCRC]
        && u16::from_le_bytes([head[10], head[11]]) == 8
        && head[12..14] == SUBFIELD_ID
        && u16::from_le_bytes([head[14], head[15]]) == 4
        && u16::from_le_bytes([head[20], head[21]]) == header_crc16(&head[..20]);
    let len = u64::from(u32::from_le_bytes([head[16], head[17], head[18], head[19]]));
    (ours && len >= (HEADER_LEN + TRAILER_LEN) as u64 && len <= MAX_MEMBER_BYTES).then_some(len)
}

/// One piece of a WARC file as [`ChunkReader`] cuts it.
#[derive(Debug)]
pub enum Chunk {
    /// A compressed member holding one record: [`inflate_member`] gives it.
    Member {
        /// Offset of the member in the file.
        offset: u64,
        /// The whole member, header to trailer.
        bytes: Vec<u8>,
    },
    /// A record that had to be read and inflated here (a file, or the rest
    /// of a file, whose members do not carry their length).
    Record(WarcRecord),
}

/// Cuts a WARC file into [`Chunk`]s without inflating members that carry
/// their length; falls back to [`WarcReader`] for the rest of the file at
/// the first member that does not, whose header does not check out, or
/// that the file ends inside (and when the file is not gzip at all).
///
/// Yields `Result<Chunk, StoreError>`; after the first error item the
/// iteration ends, as [`WarcReader`]'s does. A member whose header checks
/// out but whose data is damaged is found when it is inflated, with the
/// error [`WarcReader`] would give for it.
pub struct ChunkReader {
    path: PathBuf,
    input: BufReader<File>,
    pos: u64,
    fallback: Option<WarcReader>,
    done: bool,
}

impl std::fmt::Debug for ChunkReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkReader")
            .field("path", &self.path)
            .field("pos", &self.pos)
            .field("done", &self.done)
            .finish()
    }
}

impl ChunkReader {
    /// Opens `path` at its first record.
    pub fn open(path: &Path) -> Result<ChunkReader, StoreError> {
        crate::files::require_regular(path).map_err(|e| StoreError::io("open", path, e))?;
        let file = File::open(path).map_err(|e| StoreError::io("open", path, e))?;
        Ok(ChunkReader {
            path: path.to_path_buf(),
            input: BufReader::with_capacity(256 * 1024, file),
            pos: 0,
            fallback: None,
            done: false,
        })
    }

    /// Reads up to `buf.len()` bytes; fewer only at end of file.
    fn read_full(&mut self, buf: &mut [u8]) -> Result<usize, StoreError> {
        let mut n = 0;
        while n < buf.len() {
            match self.input.read(&mut buf[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(StoreError::io("read", &self.path, e)),
            }
        }
        Ok(n)
    }

    fn next_chunk(&mut self) -> Result<Option<Chunk>, StoreError> {
        if let Some(r) = &mut self.fallback {
            return r.next().transpose().map(|r| r.map(Chunk::Record));
        }
        let at = self.pos;
        let mut head = [0u8; HEADER_LEN];
        let got = self.read_full(&mut head)?;
        if got == 0 {
            return Ok(None);
        }
        let cut = match (got == HEADER_LEN)
            .then(|| declared_length(&head))
            .flatten()
        {
            Some(len) => {
                // `len` is at most MAX_MEMBER_BYTES, so it fits in usize
                let mut bytes = vec![0u8; len as usize];
                bytes[..HEADER_LEN].copy_from_slice(&head);
                let rest = self.read_full(&mut bytes[HEADER_LEN..])?;
                (HEADER_LEN + rest == bytes.len()).then_some(bytes)
            }
            None => None,
        };
        match cut {
            Some(bytes) => {
                self.pos += bytes.len() as u64;
                Ok(Some(Chunk::Member { offset: at, bytes }))
            }
            None => self.fall_back(at),
        }
    }

    /// Hands the rest of the file, from `at`, to [`WarcReader`]: its records,
    /// or the error that it finds there. Past the first member, the file is
    /// known to be gzip, as a reader from the start would know.
    fn fall_back(&mut self, at: u64) -> Result<Option<Chunk>, StoreError> {
        let gzip = (at > 0).then_some(true);
        let mut r = WarcReader::open_as(&self.path, at, gzip)?;
        let first = r.next().transpose();
        self.fallback = Some(r);
        first.map(|r| r.map(Chunk::Record))
    }
}

impl Iterator for ChunkReader {
    type Item = Result<Chunk, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_chunk() {
            Ok(Some(c)) => Some(Ok(c)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Inflates one member cut by [`ChunkReader`] (from the file `path`, at
/// `offset`) into the record it holds. When that fails (a damaged member,
/// one that holds other than exactly one record, or more than the store
/// accepts), the member is read again from the file by [`WarcReader`], so
/// that the error (or, for odd but valid input, the record) is the one a
/// reader from the start of the file gives.
pub fn inflate_member(path: &Path, offset: u64, bytes: &[u8]) -> Result<WarcRecord, StoreError> {
    inflate_cut(path, offset, bytes).or_else(|_| record_at(path, offset, Some(true)))
}

fn inflate_cut(path: &Path, offset: u64, bytes: &[u8]) -> Result<WarcRecord, StoreError> {
    let malformed = |detail: String| StoreError::Malformed {
        path: path.to_path_buf(),
        offset,
        detail,
    };
    let cap = MAX_BLOCK_BYTES + MAX_HEADER_BYTES as u64;
    let mut dec = flate2::bufread::GzDecoder::new(bytes);
    let mut buf = Vec::with_capacity(bytes.len() * 4);
    (&mut dec)
        .take(cap + 1)
        .read_to_end(&mut buf)
        .map_err(|e| member_error(path, offset, e))?;
    if buf.len() as u64 > cap {
        return Err(StoreError::TooLarge {
            path: path.to_path_buf(),
            offset,
            size: buf.len() as u64,
            cap,
        });
    }
    if !dec.into_inner().is_empty() {
        return Err(malformed(
            "gzip member: its header gives a length past its end".into(),
        ));
    }
    let start = buf
        .iter()
        .take_while(|b| **b == b'\r' || **b == b'\n')
        .count();
    match parse_record(&buf[start..], offset) {
        Parsed::Complete(record, used) => {
            let rest = &buf[start + used..];
            if rest.iter().all(|b| *b == b'\r' || *b == b'\n') {
                Ok(*record)
            } else {
                Err(malformed("gzip member holds more than one record".into()))
            }
        }
        Parsed::NeedMore => Err(StoreError::Truncated {
            path: path.to_path_buf(),
            offset,
            detail: "the record does not end in its gzip member".into(),
        }),
        Parsed::Bad(detail) => Err(malformed(detail)),
        Parsed::TooLarge(size) => Err(StoreError::TooLarge {
            path: path.to_path_buf(),
            offset,
            size,
            cap: MAX_BLOCK_BYTES,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a new `DeflateEncoder` at level 1 gives (the writer before the
    /// state was kept per thread).
    fn fresh(parts: &[&[u8]]) -> Vec<u8> {
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), Compression::fast());
        for p in parts {
            enc.write_all(p).unwrap();
        }
        enc.finish().unwrap()
    }

    #[test]
    fn a_reused_deflate_state_gives_the_bytes_of_a_new_encoder() {
        let page = include_bytes!("../../fixtures/iranfocus/wp-article-7198.html");
        let noise: Vec<u8> = (0..300_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let cases: [&[&[u8]]; 6] = [
            &[b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"],
            &[b"WARC/1.1\r\n", page, b"\r\n\r\n"],
            &[&noise, page],
            &[],
            &[b"", b"x", b""],
            &[page, page, page],
        ];
        // twice over: the second round runs on a state used before
        for round in 0..2 {
            for (i, parts) in cases.iter().enumerate() {
                let out = deflate_into(parts, b"head".to_vec()).unwrap();
                assert_eq!(&out[..4], b"head");
                let want = fresh(parts);
                assert!(
                    out[4..] == want[..],
                    "case {i}, round {round}: {} bytes, want {}",
                    out.len() - 4,
                    want.len()
                );
            }
        }
    }
}
