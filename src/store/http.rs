//! The HTTP message inside a `response` record, decoded for extraction.
//!
//! Records keep bytes as they crossed the wire (other tools keep chunked
//! transfer coding, servers gzip bodies), while extraction wants the body a
//! browser would see. This module parses the stored head with `httparse`
//! and undoes chunked transfer coding and gzip/deflate content coding, with
//! the same size cap as the reader.

use std::io::Read;

use flate2::read::{DeflateDecoder, MultiGzDecoder, ZlibDecoder};

use super::{find_header, StoreError, WarcRecord, MAX_BLOCK_BYTES};

/// An HTTP response taken out of a WARC `response` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers as stored (values decoded lossily as UTF-8).
    pub headers: Vec<(String, String)>,
    /// The body after undoing chunked transfer coding and gzip/deflate
    /// content coding; at most [`MAX_BLOCK_BYTES`].
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

impl WarcRecord {
    /// Parses the record block as an HTTP response and decodes its body.
    ///
    /// Fails with [`StoreError::Http`] if the record is not a response, the
    /// head is malformed, the chunked body is cut short, the content coding
    /// is unknown (e.g. `br`) or corrupt, or the body decodes to more than
    /// [`MAX_BLOCK_BYTES`].
    pub fn http_response(&self) -> Result<HttpResponse, StoreError> {
        if self.warc_type != "response" {
            return Err(StoreError::Http {
                record: self.label(),
                detail: format!("record type is {:?}, not response", self.warc_type),
            });
        }
        parse_response(&self.block).map_err(|detail| StoreError::Http {
            record: self.label(),
            detail,
        })
    }
}

/// Parses a full HTTP response (head and body) from `block`.
fn parse_response(block: &[u8]) -> Result<HttpResponse, String> {
    let mut capacity = 64;
    loop {
        let mut slots = vec![httparse::EMPTY_HEADER; capacity];
        let mut resp = httparse::Response::new(&mut slots);
        match resp.parse(block) {
            Ok(httparse::Status::Complete(head_len)) => {
                let status = resp.code.ok_or("no status code")?;
                let headers: Vec<(String, String)> = resp
                    .headers
                    .iter()
                    .map(|h| {
                        (
                            h.name.to_string(),
                            String::from_utf8_lossy(h.value).trim().to_string(),
                        )
                    })
                    .collect();
                let raw = &block[head_len..];
                let body = decode_body(&headers, raw)?;
                return Ok(HttpResponse {
                    status,
                    headers,
                    body,
                });
            }
            Ok(httparse::Status::Partial) => return Err("incomplete HTTP head".into()),
            Err(httparse::Error::TooManyHeaders) if capacity < 4096 => capacity *= 8,
            Err(e) => return Err(format!("HTTP head: {e}")),
        }
    }
}

/// Comma-separated codings of a header, lower-cased, empty ones dropped.
fn codings(headers: &[(String, String)], name: &str) -> Vec<String> {
    headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .flat_map(|(_, v)| v.split(','))
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty() && c != "identity")
        .collect()
}

fn decode_body(headers: &[(String, String)], raw: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = match codings(headers, "Transfer-Encoding").as_slice() {
        [] => raw.to_vec(),
        [one] if one == "chunked" => dechunk(raw)?,
        other => return Err(format!("unsupported transfer coding {other:?}")),
    };
    for coding in codings(headers, "Content-Encoding").iter().rev() {
        body = match coding.as_str() {
            "gzip" | "x-gzip" => inflate(MultiGzDecoder::new(&body[..]), "gzip")?,
            "deflate" => match inflate(ZlibDecoder::new(&body[..]), "deflate") {
                Ok(b) => b,
                // Some servers send raw deflate without the zlib wrapper.
                Err(_) => inflate(DeflateDecoder::new(&body[..]), "deflate")?,
            },
            other => return Err(format!("unsupported content coding {other:?}")),
        };
    }
    if body.len() as u64 > MAX_BLOCK_BYTES {
        return Err(format!("body over the {MAX_BLOCK_BYTES}-byte cap"));
    }
    Ok(body)
}

fn inflate(decoder: impl Read, what: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    decoder
        .take(MAX_BLOCK_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("{what} body: {e}"))?;
    if out.len() as u64 > MAX_BLOCK_BYTES {
        return Err(format!(
            "{what} body decodes to over {MAX_BLOCK_BYTES} bytes"
        ));
    }
    Ok(out)
}

/// Undoes chunked transfer coding (trailers are ignored).
fn dechunk(mut raw: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let nl = raw
            .iter()
            .position(|b| *b == b'\n')
            .ok_or("chunked body: missing chunk size line")?;
        let line = String::from_utf8_lossy(&raw[..nl]);
        let size_text = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("chunked body: bad chunk size {size_text:?}"))?;
        raw = &raw[nl + 1..];
        if size == 0 {
            return Ok(out);
        }
        if size > raw.len() {
            return Err(format!(
                "chunked body: chunk of {size} bytes but only {} left",
                raw.len()
            ));
        }
        if (out.len() + size) as u64 > MAX_BLOCK_BYTES {
            return Err(format!("chunked body over the {MAX_BLOCK_BYTES}-byte cap"));
        }
        out.extend_from_slice(&raw[..size]);
        raw = &raw[size..];
        raw = raw.strip_prefix(b"\r").unwrap_or(raw);
        raw = raw.strip_prefix(b"\n").unwrap_or(raw);
    }
}
