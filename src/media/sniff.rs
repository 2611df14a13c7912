//! What a file is and how large an image is, from its bytes alone.
//!
//! A legacy server's `Content-Type` is often wrong (`application/octet-stream`
//! for every upload, `text/html` for a PNG) and a URL's extension says what
//! someone once named the file, so the packaging asks the bytes: the magic
//! numbers of the formats a migration meets, and the image headers that
//! hold width and height. Written here rather than taken from a crate
//! because the need is small and exact (a few dozen formats' first bytes,
//! never decoding pixels), and every reader is bounds-checked: truncated
//! or garbage input gives `None`, never a panic.

/// The content type of `bytes`, from their magic numbers: PNG, JPEG, GIF,
/// WebP, AVIF, TIFF, SVG, PDF, ZIP (and the Office Open XML and
/// OpenDocument types inside a ZIP, told apart by their part names), OLE2
/// (legacy Office, as `application/x-ole-storage`), MP3, MP4 (and
/// QuickTime, M4A), OGG, WAV, WebM and Matroska. `None` when the bytes are
/// none of these; never a guess from a file name.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let b = bytes;
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        return Some("image/gif");
    }
    if b.len() >= 12 && &b[..4] == b"RIFF" {
        match &b[8..12] {
            b"WEBP" => return Some("image/webp"),
            b"WAVE" => return Some("audio/wav"),
            _ => {}
        }
    }
    if let Some(t) = iso_bmff(b) {
        return Some(t);
    }
    if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") {
        return Some("image/tiff");
    }
    if b.starts_with(b"%PDF-") || find(&b[..b.len().min(1024)], b"%PDF-").is_some() {
        return Some("application/pdf");
    }
    if b.starts_with(b"PK\x03\x04") || b.starts_with(b"PK\x05\x06") {
        return Some(zip_type(b));
    }
    if b.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some("application/x-ole-storage");
    }
    if b.starts_with(b"OggS") {
        return Some("audio/ogg");
    }
    if b.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        let head = &b[..b.len().min(64)];
        if find(head, b"webm").is_some() {
            return Some("video/webm");
        }
        if find(head, b"matroska").is_some() {
            return Some("video/x-matroska");
        }
        return None;
    }
    if b.starts_with(b"ID3") || is_mpeg_audio_frame(b) {
        return Some("audio/mpeg");
    }
    if svg_root(b).is_some() {
        return Some("image/svg+xml");
    }
    None
}

/// Width and height in pixels of a PNG, JPEG (its SOF marker), GIF, WebP
/// (VP8, VP8L, VP8X) or SVG (its `width`/`height` when plain numbers,
/// optionally `px`, else its `viewBox`); `None` for anything else or a
/// header that is cut short or makes no sense.
pub fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let b = bytes;
    let dims = if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        (b.get(12..16)? == b"IHDR").then_some(())?;
        (be32(b, 16)?, be32(b, 20)?)
    } else if b.starts_with(&[0xFF, 0xD8]) {
        jpeg_dimensions(b)?
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        (u32::from(le16(b, 6)?), u32::from(le16(b, 8)?))
    } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        webp_dimensions(b)?
    } else {
        svg_dimensions(b)?
    };
    (dims.0 > 0 && dims.1 > 0).then_some(dims)
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    Some(u32::from(s[0]) | u32::from(s[1]) << 8 | u32::from(s[2]) << 16)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// MP4-family files: an `ftyp` box first; its brands say which.
fn iso_bmff(b: &[u8]) -> Option<&'static str> {
    if b.get(4..8)? != b"ftyp" {
        return None;
    }
    let size = usize::try_from(be32(b, 0)?).ok()?;
    let end = size.clamp(16, 256).min(b.len());
    let major = b.get(8..12)?;
    // major brand, then compatible brands after the minor version
    let mut brands = vec![major];
    let mut at = 16;
    while at + 4 <= end {
        brands.push(&b[at..at + 4]);
        at += 4;
    }
    if brands.iter().any(|x| *x == b"avif" || *x == b"avis") {
        return Some("image/avif");
    }
    match major {
        b"qt  " => Some("video/quicktime"),
        b"M4A " | b"M4B " => Some("audio/mp4"),
        b"heic" | b"heix" | b"mif1" | b"msf1" => None,
        _ => Some("video/mp4"),
    }
}

/// An MPEG audio frame header (MP3 without an ID3 tag): 11 sync bits, a
/// layer, a bitrate and a sample rate that exist.
fn is_mpeg_audio_frame(b: &[u8]) -> bool {
    let [a, c, d, ..] = b else {
        return false;
    };
    let sync = *a == 0xFF && c & 0xE0 == 0xE0;
    let layer = (c >> 1) & 0b11;
    let version = (c >> 3) & 0b11;
    let bitrate = d >> 4;
    let rate = (d >> 2) & 0b11;
    sync && layer != 0 && version != 1 && bitrate != 0 && bitrate != 0xF && rate != 3
}

/// A ZIP file's type: Office Open XML (by its part folders), OpenDocument
/// (by its `mimetype` entry), else a plain ZIP archive.
fn zip_type(b: &[u8]) -> &'static str {
    const ZIP: &str = "application/zip";
    let mut names: Vec<&[u8]> = Vec::new();
    // local file headers, as long as each says how long its data is
    let mut at = 0;
    while names.len() < 64 && b.get(at..at + 4) == Some(b"PK\x03\x04") {
        let (Some(flags), Some(size), Some(name_len), Some(extra)) = (
            le16(b, at + 6),
            le32(b, at + 18),
            le16(b, at + 26),
            le16(b, at + 28),
        ) else {
            break;
        };
        let name_at = at + 30;
        let Some(name) = b.get(name_at..name_at + usize::from(name_len)) else {
            break;
        };
        let data_at = name_at + usize::from(name_len) + usize::from(extra);
        if names.is_empty() && name == b"mimetype" {
            let mime = b.get(data_at..data_at + size as usize).unwrap_or_default();
            if mime.starts_with(b"application/vnd.oasis.opendocument.text") {
                return "application/vnd.oasis.opendocument.text";
            }
        }
        names.push(name);
        if flags & 0x08 != 0 {
            break; // sizes come after the data: the central directory says the rest
        }
        at = data_at.saturating_add(size as usize);
    }
    names.extend(central_names(b));
    let has = |prefix: &[u8]| names.iter().any(|n| n.starts_with(prefix));
    if !has(b"[Content_Types].xml") {
        return ZIP;
    }
    if has(b"word/") {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    } else if has(b"xl/") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else if has(b"ppt/") {
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    } else {
        ZIP
    }
}

/// The entry names of a ZIP's central directory (found from the end
/// record in the file's last 64 KiB), at most 256 of them.
fn central_names(b: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let tail_start = b.len().saturating_sub(65_557);
    let Some(eocd) = memchr::memmem::rfind(&b[tail_start..], b"PK\x05\x06").map(|i| tail_start + i)
    else {
        return out;
    };
    let (Some(count), Some(offset)) = (le16(b, eocd + 10), le32(b, eocd + 16)) else {
        return out;
    };
    let mut at = offset as usize;
    for _ in 0..count.min(256) {
        if b.get(at..at + 4) != Some(b"PK\x01\x02") {
            break;
        }
        let (Some(n), Some(e), Some(c)) = (le16(b, at + 28), le16(b, at + 30), le16(b, at + 32))
        else {
            break;
        };
        let Some(name) = b.get(at + 46..at + 46 + usize::from(n)) else {
            break;
        };
        out.push(name);
        at += 46 + usize::from(n) + usize::from(e) + usize::from(c);
    }
    out
}

/// JPEG: the frame size of the first SOF marker before the scan starts.
fn jpeg_dimensions(b: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2;
    loop {
        // markers may be padded with fill bytes 0xFF
        while *b.get(at)? != 0xFF {
            at += 1;
        }
        while *b.get(at)? == 0xFF {
            at += 1;
        }
        let marker = *b.get(at)?;
        at += 1;
        match marker {
            0xD8 | 0x01 | 0xD0..=0xD7 => continue, // no length
            0xD9 | 0xDA => return None,            // end of image, start of scan
            _ => {}
        }
        let len = usize::from(be16(b, at)?);
        if len < 2 {
            return None;
        }
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let h = be16(b, at + 3)?;
            let w = be16(b, at + 5)?;
            return Some((u32::from(w), u32::from(h)));
        }
        at += len;
    }
}

/// WebP: the first chunk says the format and holds the canvas size.
fn webp_dimensions(b: &[u8]) -> Option<(u32, u32)> {
    match b.get(12..16)? {
        b"VP8 " => {
            // frame tag (3 bytes), start code 9d 01 2a, then 14-bit sizes
            (b.get(23..26)? == [0x9D, 0x01, 0x2A]).then_some(())?;
            Some((
                u32::from(le16(b, 26)? & 0x3FFF),
                u32::from(le16(b, 28)? & 0x3FFF),
            ))
        }
        b"VP8L" => {
            (*b.get(20)? == 0x2F).then_some(())?;
            let bits = le32(b, 21)?;
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8X" => Some((le24(b, 24)? + 1, le24(b, 27)? + 1)),
        _ => None,
    }
}

/// The attributes of an SVG file's root `<svg>` start tag, when the first
/// element of the file is `<svg` (after a BOM, white space, the XML
/// declaration, processing instructions, comments and a DOCTYPE).
fn svg_root(bytes: &[u8]) -> Option<Vec<(String, String)>> {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let mut at = 0;
    loop {
        while head.get(at).is_some_and(|c| c.is_ascii_whitespace()) {
            at += 1;
        }
        let rest = head.get(at..)?;
        if rest.starts_with(b"<?") {
            at += find(rest, b"?>")? + 2;
        } else if rest.starts_with(b"<!--") {
            at += find(rest, b"-->")? + 3;
        } else if rest.starts_with(b"<!") {
            at += find(rest, b">")? + 1;
        } else if rest.len() >= 5
            && rest[..4].eq_ignore_ascii_case(b"<svg")
            && (rest[4].is_ascii_whitespace() || rest[4] == b'>' || rest[4] == b'/')
        {
            return start_tag_attributes(&rest[4..]);
        } else {
            return None;
        }
    }
}

/// `name="value"` pairs of a start tag, up to its `>`.
fn start_tag_attributes(b: &[u8]) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        while b
            .get(at)
            .is_some_and(|c| c.is_ascii_whitespace() || *c == b'/')
        {
            at += 1;
        }
        if *b.get(at)? == b'>' {
            return Some(out);
        }
        let name_start = at;
        while b
            .get(at)
            .is_some_and(|c| !c.is_ascii_whitespace() && !matches!(c, b'=' | b'>' | b'/'))
        {
            at += 1;
        }
        let name = String::from_utf8_lossy(&b[name_start..at]).to_ascii_lowercase();
        while b.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        let mut value = String::new();
        if b.get(at) == Some(&b'=') {
            at += 1;
            while b.get(at).is_some_and(u8::is_ascii_whitespace) {
                at += 1;
            }
            match *b.get(at)? {
                q @ (b'"' | b'\'') => {
                    let len = memchr::memchr(q, b.get(at + 1..)?)?;
                    value = String::from_utf8_lossy(&b[at + 1..at + 1 + len]).into_owned();
                    at += len + 2;
                }
                _ => {
                    let start = at;
                    while b
                        .get(at)
                        .is_some_and(|c| !c.is_ascii_whitespace() && *c != b'>')
                    {
                        at += 1;
                    }
                    value = String::from_utf8_lossy(&b[start..at]).into_owned();
                }
            }
        }
        if name.is_empty() {
            return None;
        }
        out.push((name, value));
    }
}

/// A length that is a plain number (optionally `px`), rounded to pixels.
fn plain_length(v: &str) -> Option<u32> {
    let v = v.trim();
    let v = v.strip_suffix("px").unwrap_or(v).trim();
    number(v)
}

fn number(v: &str) -> Option<u32> {
    if v.is_empty() || !v.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
        return None;
    }
    let f: f64 = v.parse().ok()?;
    let r = f.round();
    (r >= 1.0 && r <= f64::from(u32::MAX)).then_some(r as u32)
}

fn svg_dimensions(b: &[u8]) -> Option<(u32, u32)> {
    let attrs = svg_root(b)?;
    let get = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    if let (Some(w), Some(h)) = (
        get("width").and_then(plain_length),
        get("height").and_then(plain_length),
    ) {
        return Some((w, h));
    }
    let vb: Vec<&str> = get("viewbox")?
        .split(|c: char| c.is_ascii_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .collect();
    let [_, _, w, h] = vb.as_slice() else {
        return None;
    };
    Some((number(w)?, number(h)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A real PNG of `w`×`h` (8-bit grey, one IDAT).
    pub(crate) fn png(w: u32, h: u32) -> Vec<u8> {
        fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
            out.extend((data.len() as u32).to_be_bytes());
            let mut c = kind.to_vec();
            c.extend(data);
            out.extend(&c);
            out.extend(crc32fast::hash(&c).to_be_bytes());
        }
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend(w.to_be_bytes());
        ihdr.extend(h.to_be_bytes());
        ihdr.extend([8, 0, 0, 0, 0]);
        chunk(&mut out, b"IHDR", &ihdr);
        let raw: Vec<u8> = (0..h)
            .flat_map(|_| std::iter::once(0).chain((0..w).map(|x| x as u8)))
            .collect();
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(&raw).expect("zlib");
        chunk(&mut out, b"IDAT", &z.finish().expect("zlib"));
        chunk(&mut out, b"IEND", b"");
        out
    }

    /// A JPEG head: SOI, APP0 (JFIF), DQT-like filler, SOF0 of `w`×`h`, EOI.
    fn jpeg(w: u16, h: u16, sof: u8) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        b.extend(b"JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00");
        b.extend([0xFF, 0xFF, 0xDB, 0x00, 0x04, 0x00, 0x00]); // fill byte, short DQT
        b.extend([0xFF, sof, 0x00, 0x0B, 0x08]);
        b.extend(h.to_be_bytes());
        b.extend(w.to_be_bytes());
        b.extend([0x01, 0x01, 0x11, 0x00]);
        b.extend([0xFF, 0xD9]);
        b
    }

    fn gif(w: u16, h: u16) -> Vec<u8> {
        let mut b = b"GIF89a".to_vec();
        b.extend(w.to_le_bytes());
        b.extend(h.to_le_bytes());
        b.extend([0x00, 0x00, 0x00, 0x3B]);
        b
    }

    fn riff(kind: &[u8; 4], chunk: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut b = b"RIFF".to_vec();
        b.extend(((data.len() + 12) as u32).to_le_bytes());
        b.extend(kind);
        b.extend(chunk);
        b.extend((data.len() as u32).to_le_bytes());
        b.extend(data);
        b
    }

    fn webp_vp8(w: u16, h: u16) -> Vec<u8> {
        let mut d = vec![0x30, 0x01, 0x00, 0x9D, 0x01, 0x2A];
        d.extend(w.to_le_bytes());
        d.extend(h.to_le_bytes());
        d.extend([0; 8]);
        riff(b"WEBP", b"VP8 ", &d)
    }

    fn webp_vp8l(w: u32, h: u32) -> Vec<u8> {
        let bits = (w - 1) | (h - 1) << 14;
        let mut d = vec![0x2F];
        d.extend(bits.to_le_bytes());
        d.extend([0; 4]);
        riff(b"WEBP", b"VP8L", &d)
    }

    fn webp_vp8x(w: u32, h: u32) -> Vec<u8> {
        let mut d = vec![0x10, 0, 0, 0];
        d.extend(&(w - 1).to_le_bytes()[..3]);
        d.extend(&(h - 1).to_le_bytes()[..3]);
        riff(b"WEBP", b"VP8X", &d)
    }

    /// A ZIP whose entries are `names` (stored, empty).
    fn zip(names: &[&str], descriptor: bool) -> Vec<u8> {
        let mut b = Vec::new();
        let mut central = Vec::new();
        for n in names {
            let offset = b.len() as u32;
            let flags: u16 = if descriptor { 0x08 } else { 0 };
            b.extend(b"PK\x03\x04");
            b.extend([20, 0]);
            b.extend(flags.to_le_bytes());
            b.extend([0; 10]); // method, time, date, crc
            b.extend([0; 8]); // sizes
            b.extend((n.len() as u16).to_le_bytes());
            b.extend([0, 0]);
            b.extend(n.as_bytes());
            central.extend(b"PK\x01\x02");
            central.extend([0; 24]);
            central.extend((n.len() as u16).to_le_bytes());
            central.extend([0; 12]);
            central.extend(offset.to_le_bytes());
            central.extend(n.as_bytes());
        }
        let cd_at = b.len() as u32;
        let cd_len = central.len() as u32;
        b.extend(central);
        b.extend(b"PK\x05\x06");
        b.extend([0; 4]);
        b.extend((names.len() as u16).to_le_bytes());
        b.extend((names.len() as u16).to_le_bytes());
        b.extend(cd_len.to_le_bytes());
        b.extend(cd_at.to_le_bytes());
        b.extend([0, 0]);
        b
    }

    fn ftyp(major: &[u8; 4], compat: &[&[u8; 4]]) -> Vec<u8> {
        let mut b = ((16 + 4 * compat.len()) as u32).to_be_bytes().to_vec();
        b.extend(b"ftyp");
        b.extend(major);
        b.extend([0, 0, 0, 0]);
        for c in compat {
            b.extend(*c);
        }
        b.extend(b"\0\0\0\x08free");
        b
    }

    /// A sample: its name, bytes, what sniff and dimensions must say.
    type Sample = (
        &'static str,
        Vec<u8>,
        Option<&'static str>,
        Option<(u32, u32)>,
    );

    fn samples() -> Vec<Sample> {
        vec![
            ("png", png(40, 30), Some("image/png"), Some((40, 30))),
            ("jpeg sof0", jpeg(640, 427, 0xC0), Some("image/jpeg"), Some((640, 427))),
            ("jpeg progressive", jpeg(17, 9, 0xC2), Some("image/jpeg"), Some((17, 9))),
            ("gif", gif(300, 200), Some("image/gif"), Some((300, 200))),
            ("webp vp8", webp_vp8(1024, 768), Some("image/webp"), Some((1024, 768))),
            ("webp vp8l", webp_vp8l(400, 301), Some("image/webp"), Some((400, 301))),
            ("webp vp8x", webp_vp8x(5000, 3000), Some("image/webp"), Some((5000, 3000))),
            (
                "svg size",
                b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- made by hand -->\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120px\" height='80.4' viewBox=\"0 0 12 8\"><rect/></svg>".to_vec(),
                Some("image/svg+xml"),
                Some((120, 80)),
            ),
            (
                "svg viewbox",
                b"<svg viewBox=\"0,0,300,150\" width=\"100%\" height=\"auto\"></svg>".to_vec(),
                Some("image/svg+xml"),
                Some((300, 150)),
            ),
            ("svg no size", b"<svg><g/></svg>".to_vec(), Some("image/svg+xml"), None),
            ("pdf", b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj".to_vec(), Some("application/pdf"), None),
            ("zip", zip(&["a.txt", "b/c.txt"], false), Some("application/zip"), None),
            (
                "docx",
                zip(&["[Content_Types].xml", "_rels/.rels", "word/document.xml"], false),
                Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                None,
            ),
            (
                "xlsx with data descriptors",
                zip(&["[Content_Types].xml", "xl/workbook.xml"], true),
                Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                None,
            ),
            (
                "pptx",
                zip(&["[Content_Types].xml", "ppt/presentation.xml"], false),
                Some("application/vnd.openxmlformats-officedocument.presentationml.presentation"),
                None,
            ),
            ("mp3 id3", b"ID3\x04\x00\x00\x00\x00\x00\x00".to_vec(), Some("audio/mpeg"), None),
            ("mp3 frame", vec![0xFF, 0xFB, 0x90, 0x64, 0, 0], Some("audio/mpeg"), None),
            ("mp4", ftyp(b"isom", &[b"isom", b"mp41"]), Some("video/mp4"), None),
            ("m4a", ftyp(b"M4A ", &[b"M4A ", b"mp42"]), Some("audio/mp4"), None),
            ("mov", ftyp(b"qt  ", &[]), Some("video/quicktime"), None),
            ("avif", ftyp(b"mif1", &[b"avif", b"mif1"]), Some("image/avif"), None),
            ("ogg", b"OggS\x00\x02\x00\x00".to_vec(), Some("audio/ogg"), None),
            ("wav", riff(b"WAVE", b"fmt ", &[0; 16]), Some("audio/wav"), None),
            (
                "webm",
                b"\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\x82\x84webm".to_vec(),
                Some("video/webm"),
                None,
            ),
            ("tiff", b"II*\x00\x08\x00\x00\x00".to_vec(), Some("image/tiff"), None),
        ]
    }

    #[test]
    fn every_format_is_told_from_its_bytes() {
        for (name, bytes, ty, dims) in samples() {
            assert_eq!(sniff(&bytes), ty, "{name}");
            assert_eq!(dimensions(&bytes), dims, "{name}");
        }
    }

    #[test]
    fn what_is_not_media_is_none() {
        for b in [
            &b""[..],
            b"<!DOCTYPE html><html><body><svg width=\"10\" height=\"10\"></svg></body></html>",
            b"<html><svg></svg></html>",
            b"<svgx>",
            b"hello world",
            b"GIF8",
            b"RIFF\x00\x00\x00\x00AVI ",
            b"\xFF\xD8",
            b"\x1A\x45\xDF\xA3 nothing known",
            &[0xFF, 0xF1, 0x50, 0x80][..], // AAC ADTS, not MPEG layer 1-3
        ] {
            assert_eq!(sniff(b), None, "{:?}", String::from_utf8_lossy(b));
        }
        // a file named .png with JPEG bytes is a JPEG: nothing comes from names
        assert_eq!(sniff(&jpeg(1, 1, 0xC0)), Some("image/jpeg"));
        // zero sizes are no sizes
        assert_eq!(dimensions(&gif(0, 10)), None);
        assert_eq!(dimensions(&png(40, 30)[..20]), None, "cut in IHDR");
    }

    #[test]
    fn jpeg_without_sof_before_the_scan_has_no_size() {
        let b = [
            0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0xFF, 0xD9,
        ];
        assert_eq!(dimensions(&b), None);
        // a bogus segment length cannot loop forever or panic
        let b = [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x00, 0xFF, 0xC0];
        assert_eq!(dimensions(&b), None);
    }

    #[test]
    fn truncated_samples_never_panic() {
        for (name, bytes, _, _) in samples() {
            for n in 0..=bytes.len() {
                let _ = (sniff(&bytes[..n]), dimensions(&bytes[..n]));
            }
            // and every single byte flipped
            for i in 0..bytes.len().min(200) {
                let mut b = bytes.clone();
                b[i] ^= 0xFF;
                let _ = (sniff(&b), dimensions(&b), name);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let _ = sniff(&bytes);
            let _ = dimensions(&bytes);
        }

        #[test]
        fn garbage_after_a_magic_never_panics(
            magic in proptest::sample::select(vec![
                &b"\x89PNG\r\n\x1a\n"[..], &[0xFF, 0xD8, 0xFF][..], b"GIF89a", b"RIFF\0\0\0\0WEBPVP8 ",
                b"RIFF\0\0\0\0WEBPVP8L", b"RIFF\0\0\0\0WEBPVP8X", b"PK\x03\x04", b"PK\x05\x06",
                b"\0\0\0\x18ftyp", b"<svg ", b"<?xml", b"\x1A\x45\xDF\xA3",
            ]),
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
        ) {
            let mut b = magic.to_vec();
            b.extend(tail);
            let _ = sniff(&b);
            let _ = dimensions(&b);
        }
    }
}
