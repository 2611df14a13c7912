//! Reading a response body within hard caps, and undoing its content
//! encoding within a second cap.
//!
//! The bytes as received are what goes into the WARC archive, so the HTTP
//! client does no decompression; we decode here, reading at most
//! `max_decompressed_bytes + 1` bytes out of the decoder, so a gzip bomb costs
//! at most the cap in memory, never the bomb's full size.

use std::io::Read;

/// Why a body could not be read or decoded.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// More than the cap of bytes on the wire.
    #[error("body larger than {cap} bytes")]
    TooLarge {
        /// The cap that was hit.
        cap: u64,
    },
    /// More than the cap of bytes after decoding.
    #[error("decoded body larger than {cap} bytes ({encoding})")]
    DecompressTooLarge {
        /// The cap that was hit.
        cap: u64,
        /// The encoding being undone.
        encoding: String,
    },
    /// The encoded bytes are corrupt or the encoding is unknown.
    #[error("cannot undo content-encoding {encoding}: {message}")]
    Decode {
        /// The encoding being undone.
        encoding: String,
        /// What went wrong.
        message: String,
    },
    /// The transfer broke off.
    #[error("reading the body failed")]
    Transport(#[source] reqwest::Error),
}

/// Most a body's buffer is given before its bytes arrive.
const PREALLOC_MAX: u64 = 4 << 20;

/// Reads the whole body, failing as soon as more than `cap` bytes arrived
/// (or when `Content-Length` already announces more).
pub async fn read_capped(mut resp: reqwest::Response, cap: u64) -> Result<Vec<u8>, BodyError> {
    if resp.content_length().is_some_and(|len| len > cap) {
        return Err(BodyError::TooLarge { cap });
    }
    // room for the announced length (no regrowth copies), but not more than
    // a few MB on a server's word: what it announces it may never send
    let announced = resp
        .content_length()
        .unwrap_or(0)
        .min(cap)
        .min(PREALLOC_MAX);
    let mut out = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Transport)? {
        if out.len() as u64 + chunk.len() as u64 > cap {
            return Err(BodyError::TooLarge { cap });
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Reads at most `cap` bytes and stops quietly there (for robots.txt, where
/// the start of a huge file is still a usable file).
pub async fn read_truncated(mut resp: reqwest::Response, cap: usize) -> Result<Vec<u8>, BodyError> {
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Transport)? {
        let room = cap.saturating_sub(out.len());
        if chunk.len() >= room {
            out.extend_from_slice(&chunk[..room]);
            break;
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Whether a `Content-Encoding` value asks for no decoding (empty, or
/// only `identity`).
pub fn is_identity(content_encoding: &str) -> bool {
    content_encoding
        .split(',')
        .all(|c| c.trim().is_empty() || c.trim().eq_ignore_ascii_case("identity"))
}

/// Undoes a `Content-Encoding` header value (a comma-separated list, applied
/// in order, so undone in reverse). `identity` and an empty value are no-ops.
pub fn decode(raw: &[u8], content_encoding: Option<&str>, cap: u64) -> Result<Vec<u8>, BodyError> {
    let codings: Vec<String> = content_encoding
        .unwrap_or("")
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty() && c != "identity")
        .collect();
    if codings.is_empty() {
        if raw.len() as u64 > cap {
            return Err(BodyError::DecompressTooLarge {
                cap,
                encoding: "identity".into(),
            });
        }
        return Ok(raw.to_vec());
    }
    let mut data = raw.to_vec();
    for coding in codings.iter().rev() {
        data = decode_one(&data, coding, cap)?;
    }
    Ok(data)
}

fn decode_one(data: &[u8], coding: &str, cap: u64) -> Result<Vec<u8>, BodyError> {
    match coding {
        "gzip" | "x-gzip" => read_limited(flate2::read::MultiGzDecoder::new(data), coding, cap),
        "deflate" => {
            // RFC 9110 says zlib-wrapped, but many servers send raw deflate.
            read_limited(flate2::read::ZlibDecoder::new(data), coding, cap).or_else(|err| match err
            {
                BodyError::Decode { .. } => {
                    read_limited(flate2::read::DeflateDecoder::new(data), coding, cap)
                }
                other => Err(other),
            })
        }
        "br" => read_limited(
            brotli_decompressor::Decompressor::new(data, 8192),
            coding,
            cap,
        ),
        other => Err(BodyError::Decode {
            encoding: other.to_string(),
            message: "unsupported content-encoding".into(),
        }),
    }
}

fn read_limited(reader: impl Read, coding: &str, cap: u64) -> Result<Vec<u8>, BodyError> {
    let mut out = Vec::new();
    reader
        .take(cap.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| BodyError::Decode {
            encoding: coding.to_string(),
            message: e.to_string(),
        })?;
    if out.len() as u64 > cap {
        return Err(BodyError::DecompressTooLarge {
            cap,
            encoding: coding.to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).expect("write to vec");
        enc.finish().expect("finish gzip")
    }

    #[test]
    fn gzip_round_trip_and_cap() {
        let text = b"<html>hello</html>".repeat(100);
        let packed = gzip(&text);
        assert_eq!(
            decode(&packed, Some("gzip"), 10_000).expect("decodes"),
            text
        );
        let err = decode(&packed, Some("gzip"), 100).expect_err("over cap");
        assert!(matches!(
            err,
            BodyError::DecompressTooLarge { cap: 100, .. }
        ));
    }

    #[test]
    fn raw_and_zlib_deflate_both_decode() {
        let text = b"deflated text".to_vec();
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(&text).expect("write");
        let zlib = z.finish().expect("finish");
        let mut d = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        d.write_all(&text).expect("write");
        let raw = d.finish().expect("finish");
        assert_eq!(decode(&zlib, Some("deflate"), 1000).expect("zlib"), text);
        assert_eq!(decode(&raw, Some("deflate"), 1000).expect("raw"), text);
    }

    #[test]
    fn identity_unknown_and_corrupt() {
        assert_eq!(decode(b"abc", None, 10).expect("plain"), b"abc");
        assert_eq!(
            decode(b"abc", Some("identity"), 10).expect("identity"),
            b"abc"
        );
        assert!(matches!(
            decode(b"abc", Some("zstd"), 10),
            Err(BodyError::Decode { .. })
        ));
        assert!(matches!(
            decode(b"not gzip at all", Some("gzip"), 10),
            Err(BodyError::Decode { .. })
        ));
    }

    #[test]
    fn brotli_decodes() {
        // `b"hello brotli " * 20` compressed by the reference brotli encoder.
        let packed: [u8; 29] = [
            27, 3, 1, 248, 29, 169, 83, 159, 187, 112, 45, 86, 134, 38, 39, 65, 216, 232, 146, 45,
            237, 45, 6, 140, 6, 142, 101, 198, 47,
        ];
        let out = decode(&packed, Some("br"), 1000).expect("brotli");
        assert_eq!(out, b"hello brotli ".repeat(20));
        assert!(matches!(
            decode(&packed, Some("br"), 100),
            Err(BodyError::DecompressTooLarge { .. })
        ));
    }
}
