//! Bytes → text, the way a browser would do it, and a little smarter.
//!
//! Legacy pages arrive as raw bytes whose encoding is declared in the HTTP
//! header, in a `<meta>` tag, both, neither, or wrongly. Every later stage
//! (routing, extraction, output) works on `&str`, so this module is the one
//! place that decides how to turn bytes into text and records *why*
//! ([`DecidedBy`]) so that a migration stays auditable.
//!
//! Order of precedence: profile override, byte order mark, HTTP
//! `Content-Type` charset, `<meta>` prescan (WHATWG algorithm over the first
//! 1024 bytes), statistical detection (chardetng). Where a browser would
//! produce garbage, two corrections apply and are reported as warnings: a
//! single-byte declaration on bytes that are valid multi-byte UTF-8 is
//! overruled by UTF-8, and a UTF-8 declaration on bytes that are not UTF-8 is
//! overruled by detection. Finally, text that was already mis-decoded once
//! before it was saved (`â€œ` for `“`) is repaired ([`repair_mojibake`]).

use std::fmt;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{
    DecoderResult, Encoding, REPLACEMENT, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252, X_USER_DEFINED,
};
use serde::Serialize;

/// How many leading bytes the `<meta>` prescan looks at (as browsers do).
pub const PRESCAN_LIMIT: usize = 1024;

/// How many times [`repair_mojibake`] re-runs on its own output, to undo text
/// that was mis-decoded more than once (`Ã¢â‚¬Å“` → `â€œ` → `“`).
const MAX_REPAIR_PASSES: usize = 3;

/// Per-call decoding options (usually from the site's selector profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Encoding forced by the profile; wins over every other rule.
    pub override_encoding: Option<&'static Encoding>,
    /// Repair text that was mis-decoded before it was saved (default: on).
    pub repair_mojibake: bool,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self {
            override_encoding: None,
            repair_mojibake: true,
        }
    }
}

/// Which rule chose the encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecidedBy {
    /// The profile's `override_encoding`.
    Override,
    /// A UTF-8 or UTF-16 byte order mark.
    Bom,
    /// The `charset` parameter of the HTTP `Content-Type` header.
    HttpHeader,
    /// A `<meta charset>` or `<meta http-equiv="Content-Type">` tag.
    Meta,
    /// Statistical detection (nothing was declared).
    Detected,
    /// A single-byte encoding was declared but the bytes are valid UTF-8.
    Utf8ValidOverDeclared,
    /// UTF-8 was declared but the bytes are not UTF-8; detection was used.
    DetectedOverDeclared,
}

impl DecidedBy {
    /// The stable snake_case name used in reports and JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            DecidedBy::Override => "override",
            DecidedBy::Bom => "bom",
            DecidedBy::HttpHeader => "http_header",
            DecidedBy::Meta => "meta",
            DecidedBy::Detected => "detected",
            DecidedBy::Utf8ValidOverDeclared => "utf8_valid_over_declared",
            DecidedBy::DetectedOverDeclared => "detected_over_declared",
        }
    }
}

impl fmt::Display for DecidedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The decoded page and how it was decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decoded {
    /// The page text (BOM removed, mojibake repaired unless turned off).
    pub text: String,
    /// The encoding the bytes were decoded with (serialized as its name).
    #[serde(serialize_with = "serialize_encoding")]
    pub encoding: &'static Encoding,
    /// The rule that chose `encoding`.
    pub decided_by: DecidedBy,
    /// The charset label as found in the header (else the meta tag), if any.
    pub declared: Option<String>,
    /// Malformed byte sequences replaced by U+FFFD.
    pub replacements: usize,
    /// Mis-decoded sequences repaired by [`repair_mojibake`].
    pub mojibake_repairs: usize,
    /// Short sentences about anything doubtful, for the report.
    pub warnings: Vec<String>,
}

fn serialize_encoding<S: serde::Serializer>(
    encoding: &&'static Encoding,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(encoding.name())
}

/// Where a charset declaration was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Header,
    Meta,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Header => "HTTP header",
            Source::Meta => "meta",
        }
    }

    fn rule(self) -> DecidedBy {
        match self {
            Source::Header => DecidedBy::HttpHeader,
            Source::Meta => DecidedBy::Meta,
        }
    }
}

/// A recognised charset declaration.
#[derive(Debug, Clone)]
struct Declaration {
    label: String,
    encoding: &'static Encoding,
    source: Source,
}

/// Looks up a WHATWG encoding label (`"iso-8859-1"` gives windows-1252, as in
/// browsers). Returns `None` for unknown labels and for labels that map to
/// the `replacement` encoding, which would turn a whole page into one U+FFFD.
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.as_bytes()).filter(|e| *e != REPLACEMENT)
}

/// The encoding named by the `charset` parameter of a `Content-Type` value,
/// e.g. `text/html; charset="ISO-8859-1"` gives windows-1252.
pub fn charset_from_content_type(ct: &str) -> Option<&'static Encoding> {
    content_type_label(ct).and_then(encoding_for_label)
}

/// The raw `charset` parameter of a `Content-Type` value (first one wins).
fn content_type_label(ct: &str) -> Option<&str> {
    for param in ct.split(';') {
        let Some((name, value)) = param.split_once('=') else {
            continue;
        };
        if !name.trim().eq_ignore_ascii_case("charset") {
            continue;
        }
        let value = value.trim();
        let value = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
            _ => value,
        };
        let value = value.trim();
        return (!value.is_empty()).then_some(value);
    }
    None
}

/// The WHATWG `<meta>` prescan over the first [`PRESCAN_LIMIT`] bytes of
/// `head`: case-insensitive, quotes optional, comments and other tags'
/// attribute values skipped. `utf-16` declared in a meta tag means UTF-8 and
/// `x-user-defined` means windows-1252, as in browsers.
pub fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    prescan(head).map(|(_, encoding)| encoding)
}

fn is_ws(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The prescan proper: the first usable meta declaration, with its label.
fn prescan(head: &[u8]) -> Option<(String, &'static Encoding)> {
    let b = head.get(..PRESCAN_LIMIT).unwrap_or(head);
    let mut pos = 0;
    while pos < b.len() {
        let rest = &b[pos..];
        if rest.starts_with(b"<!--") {
            // Ends at the first '>' preceded by "--" (so "<!-->" ends too).
            pos += 2 + find(&rest[2..], b"-->")? + 2;
        } else if rest.len() >= 6
            && rest[..5].eq_ignore_ascii_case(b"<meta")
            && (is_ws(rest[5]) || rest[5] == b'/')
        {
            pos += 6;
            if let Some(found) = meta_attributes(b, &mut pos) {
                return Some(found);
            }
        } else if rest.len() >= 2
            && rest[0] == b'<'
            && (rest[1].is_ascii_alphabetic()
                || (rest[1] == b'/' && rest.get(2).is_some_and(u8::is_ascii_alphabetic)))
        {
            // Any other tag: skip its name and attributes (a "<meta" inside
            // an attribute value is not a meta tag).
            while pos < b.len() && !is_ws(b[pos]) && b[pos] != b'>' {
                pos += 1;
            }
            while get_attribute(b, &mut pos).is_some() {}
        } else if rest.starts_with(b"<!") || rest.starts_with(b"</") || rest.starts_with(b"<?") {
            pos += rest.iter().position(|&c| c == b'>')?;
        }
        pos += 1;
    }
    None
}

/// Reads the attributes of one `<meta` tag; the declared encoding if the tag
/// is a usable charset declaration.
fn meta_attributes(b: &[u8], pos: &mut usize) -> Option<(String, &'static Encoding)> {
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let mut got_pragma = false;
    let mut need_pragma: Option<bool> = None;
    let mut charset: Option<(String, Option<&'static Encoding>)> = None;
    while let Some((name, value)) = get_attribute(b, pos) {
        if seen.contains(&name) {
            continue;
        }
        match name.as_slice() {
            b"http-equiv" => got_pragma |= value == b"content-type",
            b"content" => {
                if let Some(label) = charset_from_meta_content(&value) {
                    if let (None, Some(enc)) = (&charset, encoding_for_label(&label)) {
                        charset = Some((label, Some(enc)));
                        need_pragma = Some(true);
                    }
                }
            }
            b"charset" => {
                let label = String::from_utf8_lossy(&value).trim().to_string();
                let enc = encoding_for_label(&label);
                charset = Some((label, enc));
                need_pragma = Some(false);
            }
            _ => {}
        }
        seen.push(name);
    }
    match (need_pragma, charset) {
        (None, _) | (_, None) | (_, Some((_, None))) => None,
        (Some(true), _) if !got_pragma => None,
        (_, Some((label, Some(enc)))) => {
            let enc = if enc == UTF_16LE || enc == UTF_16BE {
                UTF_8
            } else if enc == X_USER_DEFINED {
                WINDOWS_1252
            } else {
                enc
            };
            Some((label, enc))
        }
    }
}

/// WHATWG "get an attribute": name and value lower-cased; `None` at `>` or at
/// the end of the input.
fn get_attribute(b: &[u8], pos: &mut usize) -> Option<(Vec<u8>, Vec<u8>)> {
    loop {
        match *b.get(*pos)? {
            c if is_ws(c) || c == b'/' => *pos += 1,
            b'>' => return None,
            _ => break,
        }
    }
    let mut name = Vec::new();
    let mut value = Vec::new();
    let mut saw_equals = false;
    loop {
        let c = *b.get(*pos)?;
        if c == b'=' && !name.is_empty() {
            *pos += 1;
            saw_equals = true;
            break;
        }
        if is_ws(c) {
            break;
        }
        if c == b'/' || c == b'>' {
            return Some((name, value));
        }
        name.push(c.to_ascii_lowercase());
        *pos += 1;
    }
    if !saw_equals {
        while is_ws(*b.get(*pos)?) {
            *pos += 1;
        }
        if *b.get(*pos)? != b'=' {
            return Some((name, value));
        }
        *pos += 1;
    }
    while is_ws(*b.get(*pos)?) {
        *pos += 1;
    }
    let first = *b.get(*pos)?;
    if first == b'"' || first == b'\'' {
        loop {
            *pos += 1;
            let c = *b.get(*pos)?;
            if c == first {
                *pos += 1;
                return Some((name, value));
            }
            value.push(c.to_ascii_lowercase());
        }
    }
    if first == b'>' {
        return Some((name, value));
    }
    loop {
        let c = *b.get(*pos)?;
        if is_ws(c) || c == b'>' {
            return Some((name, value));
        }
        value.push(c.to_ascii_lowercase());
        *pos += 1;
    }
}

/// WHATWG "extracting a character encoding from a meta element": the label
/// after `charset=` in a `content` attribute value (already lower-cased).
fn charset_from_meta_content(s: &[u8]) -> Option<String> {
    let mut from = 0;
    loop {
        let at = from + find(s.get(from..)?, b"charset")? + 7;
        let mut p = at;
        while s.get(p).is_some_and(|&c| is_ws(c)) {
            p += 1;
        }
        if s.get(p) != Some(&b'=') {
            from = at;
            continue;
        }
        p += 1;
        while s.get(p).is_some_and(|&c| is_ws(c)) {
            p += 1;
        }
        let rest = s.get(p..)?;
        let label = match *rest.first()? {
            q @ (b'"' | b'\'') => {
                let inner = &rest[1..];
                &inner[..inner.iter().position(|&c| c == q)?]
            }
            _ => {
                let end = rest
                    .iter()
                    .position(|&c| is_ws(c) || c == b';')
                    .unwrap_or(rest.len());
                &rest[..end]
            }
        };
        return (!label.is_empty()).then(|| String::from_utf8_lossy(label).into_owned());
    }
}

/// How many leading bytes statistical detection reads: enough text for
/// chardetng to tell legacy encodings apart, and a bounded cost whatever
/// the page size (over a whole page it cost twice the extraction).
pub const DETECT_LIMIT: usize = 16 * 1024;

/// The bytes detection reads: at most [`DETECT_LIMIT`], from a little
/// before the first non-ASCII byte (the ASCII before it tells detection
/// nothing, and real pages often open with more than the limit of ASCII
/// scripts and styles), ending just after an ASCII byte near the limit, so
/// a multi-byte character of a legacy encoding is not cut in two (when the
/// last KiB has no ASCII, at the limit).
fn detection_prefix(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| !b.is_ascii()).unwrap_or(0);
    let bytes = &bytes[first.saturating_sub(256)..];
    if bytes.len() <= DETECT_LIMIT {
        return bytes;
    }
    let head = &bytes[..DETECT_LIMIT];
    let window = &head[DETECT_LIMIT - 1024..];
    match window.iter().rposition(u8::is_ascii) {
        Some(i) => &head[..DETECT_LIMIT - 1024 + i + 1],
        None => head,
    }
}

/// The encoding of bytes that declare none: UTF-8 when they are valid
/// UTF-8 (what detection says of them, without running it), else
/// chardetng's guess from their first [`DETECT_LIMIT`] bytes.
fn detect_undeclared(bytes: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        if !bytes.is_ascii() {
            return UTF_8;
        }
        // ASCII: detection sees nothing to go on, unless there are escapes
        // (ISO-2022-JP is denied, but an escape starts its scoring)
        if !bytes.contains(&0x1B) {
            static ASCII: std::sync::LazyLock<&'static Encoding> = std::sync::LazyLock::new(|| {
                let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
                detector.feed(b"", true);
                detector.guess(None, Utf8Detection::Allow)
            });
            return *ASCII;
        }
    }
    detect(detection_prefix(bytes), Utf8Detection::Allow)
}

/// chardetng's guess over all of `bytes`, no TLD hint.
fn detect(bytes: &[u8], utf8: Utf8Detection) -> &'static Encoding {
    #[cfg(test)]
    DETECTED.with(|d| d.set(d.get() + bytes.len()));
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, utf8)
}

/// How UTF-8-like a byte string is.
#[derive(Debug, Default, Clone, Copy)]
struct Utf8Scan {
    /// Valid multi-byte sequences.
    multibyte: usize,
    /// Maximal invalid subsequences (what a decoder replaces).
    invalid: usize,
}

fn scan_utf8(bytes: &[u8]) -> Utf8Scan {
    let count_leads = |b: &[u8]| b.iter().filter(|&&c| c >= 0xC0).count();
    let mut scan = Utf8Scan::default();
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                scan.multibyte += count_leads(s.as_bytes());
                return scan;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                scan.multibyte += count_leads(good);
                scan.invalid += 1;
                let skip = e.error_len().unwrap_or(bad.len());
                rest = bad.get(skip..).unwrap_or_default();
            }
        }
    }
}

/// Decodes without BOM handling, counting malformed sequences (each one is
/// replaced by U+FFFD, exactly as a browser would).
fn decode_counting(encoding: &'static Encoding, bytes: &[u8]) -> (String, usize) {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::new();
    let mut src = bytes;
    let mut replaced = 0;
    loop {
        let need = decoder
            .max_utf8_buffer_length_without_replacement(src.len())
            .unwrap_or_else(|| src.len().saturating_mul(3));
        out.reserve(need.max(4));
        let (result, read) = decoder.decode_to_string_without_replacement(src, &mut out, true);
        src = src.get(read..).unwrap_or_default();
        match result {
            DecoderResult::InputEmpty => return (out, replaced),
            DecoderResult::OutputFull => {}
            DecoderResult::Malformed(_, _) => {
                out.push('\u{FFFD}');
                replaced += 1;
            }
        }
    }
}

/// Decodes page bytes to text; see the module docs for the rules. Never
/// fails: the worst case is text with U+FFFD, counted and warned.
pub fn decode(bytes: &[u8], content_type: Option<&str>, opts: &DecodeOptions) -> Decoded {
    let mut warnings = Vec::new();
    let header = content_type.and_then(|ct| header_declaration(ct, bytes, &mut warnings));
    let meta = prescan(bytes).map(|(label, encoding)| Declaration {
        label,
        encoding,
        source: Source::Meta,
    });
    let declaration = header.or(meta);
    let declared = declaration.as_ref().map(|d| d.label.clone());
    let bom = Encoding::for_bom(bytes);

    let override_encoding = opts.override_encoding.filter(|e| {
        let usable = *e != REPLACEMENT;
        if !usable {
            warnings.push("override encoding 'replacement' is not usable; ignored".to_string());
        }
        usable
    });
    let (encoding, decided_by, body) = if let Some(enc) = override_encoding {
        let body = match bom {
            Some((bom_enc, len)) if bom_enc == enc => bytes.get(len..).unwrap_or_default(),
            _ => bytes,
        };
        (enc, DecidedBy::Override, body)
    } else if let Some((enc, len)) = bom {
        if let Some(d) = declaration.as_ref().filter(|d| d.encoding != enc) {
            warnings.push(format!(
                "declared charset {} ({}) contradicts the {} byte order mark; decoded as {}",
                d.label,
                d.source.name(),
                enc.name(),
                enc.name()
            ));
        }
        (enc, DecidedBy::Bom, bytes.get(len..).unwrap_or_default())
    } else if let Some(d) = &declaration {
        let (enc, rule) = check_declaration(d, bytes, &mut warnings);
        (enc, rule, bytes)
    } else {
        (detect_undeclared(bytes), DecidedBy::Detected, bytes)
    };

    // Valid UTF-8 (most pages): one validation and one copy.
    let valid_utf8 = (encoding == UTF_8)
        .then(|| std::str::from_utf8(body).ok())
        .flatten();
    let (mut text, replacements) = match valid_utf8 {
        Some(s) => (s.to_owned(), 0),
        None => decode_counting(encoding, body),
    };
    if replacements > 0 {
        warnings.push(format!(
            "{replacements} malformed byte sequence(s) replaced with U+FFFD while decoding as {}",
            encoding.name()
        ));
    }
    let mut mojibake_repairs = 0;
    if opts.repair_mojibake {
        if let Some((repaired, n)) = repair_mojibake(&text) {
            text = repaired;
            mojibake_repairs = n;
            warnings.push(format!("repaired {n} mis-decoded (mojibake) sequence(s)"));
        }
    }
    Decoded {
        text,
        encoding,
        decided_by,
        declared,
        replacements,
        mojibake_repairs,
        warnings,
    }
}

/// The header's charset, if present, known and plausible.
fn header_declaration(ct: &str, bytes: &[u8], warnings: &mut Vec<String>) -> Option<Declaration> {
    let label = content_type_label(ct)?;
    let Some(encoding) = encoding_for_label(label) else {
        warnings.push(format!(
            "unknown charset '{label}' in the HTTP Content-Type header; ignored"
        ));
        return None;
    };
    // UTF-16 text of any markup contains NUL bytes; without any, the header
    // is wrong and decoding as UTF-16 would turn the page into CJK garbage.
    let utf16 = encoding == UTF_16LE || encoding == UTF_16BE;
    if utf16 && !bytes.is_empty() && !bytes.contains(&0) && Encoding::for_bom(bytes).is_none() {
        warnings.push(format!(
            "declared charset {label} (HTTP header) but the bytes contain no NUL byte; ignored"
        ));
        return None;
    }
    Some(Declaration {
        label: label.to_string(),
        encoding,
        source: Source::Header,
    })
}

/// Applies the two corrections to a declared encoding.
fn check_declaration(
    d: &Declaration,
    bytes: &[u8],
    warnings: &mut Vec<String>,
) -> (&'static Encoding, DecidedBy) {
    if d.encoding.is_single_byte() {
        let scan = scan_utf8(bytes);
        if scan.invalid == 0 && scan.multibyte > 0 {
            warnings.push(format!(
                "declared charset {} ({}) but the bytes are valid UTF-8; decoded as UTF-8",
                d.label,
                d.source.name()
            ));
            return (UTF_8, DecidedBy::Utf8ValidOverDeclared);
        }
    } else if d.encoding == UTF_8 && std::str::from_utf8(bytes).is_err() {
        let scan = scan_utf8(bytes);
        if scan.invalid > 0 {
            if scan.multibyte > scan.invalid {
                // Mostly UTF-8 with a few bad bytes (truncation, one pasted
                // legacy character): keep UTF-8; replacements get counted.
                warnings.push(format!(
                    "declared charset {} ({}): {} invalid UTF-8 sequence(s) among {} valid multi-byte ones; kept UTF-8",
                    d.label,
                    d.source.name(),
                    scan.invalid,
                    scan.multibyte
                ));
            } else {
                let guess = detect(detection_prefix(bytes), Utf8Detection::Deny);
                warnings.push(format!(
                    "declared charset {} ({}) but the bytes are not valid UTF-8; decoded as {} (detected)",
                    d.label,
                    d.source.name(),
                    guess.name()
                ));
                return (guess, DecidedBy::DetectedOverDeclared);
            }
        }
    }
    (d.encoding, d.source.rule())
}

/// What windows-1252 bytes 0x80..=0x9F decode to (encoding_rs maps the five
/// undefined ones to the C1 controls of the same value).
const CP1252_80_9F: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// The windows-1252 byte of a non-ASCII character, treating U+0080..U+009F
/// as the bytes of the same value (how encoding_rs decodes the five
/// undefined bytes, and how ISO-8859-1 decoders produce C1 controls).
fn to_1252_byte(c: char) -> Option<u8> {
    if ('\u{80}'..='\u{ff}').contains(&c) {
        return u8::try_from(u32::from(c)).ok();
    }
    let index = CP1252_80_9F.iter().position(|&x| x == c)?;
    u8::try_from(0x80 + index).ok()
}

/// How believable a repaired character is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plausible {
    /// Accept on its own.
    Yes,
    /// Accept only next to another repair (CJK, Hebrew, Arabic: real text of
    /// those scripts comes in runs; a lone hit is likely legit Latin text;
    /// C1 controls: intermediate step of double mojibake).
    InRun,
    /// Never (controls, unassigned or exotic blocks).
    No,
}

fn plausibility(c: char) -> Plausible {
    match c as u32 {
        0xA0..=0x52F // Latin-1, Latin Extended, IPA, combining marks, Greek, Cyrillic
        | 0x2000..=0x2BFF // punctuation, currency, letterlike, arrows, math, symbols
        | 0xFB00..=0xFB06 // Latin ligatures
        | 0xFE00..=0xFE0F // variation selectors (emoji)
        | 0xFEFF // byte order mark (dropped)
        | 0xFFFD
        | 0x1F000..=0x1FAFF => Plausible::Yes, // emoji
        0x80..=0x9F // C1 controls: only as a step of text mis-decoded twice
        | 0x5D0..=0x5EA
        | 0x600..=0x6FF
        | 0x3000..=0x30FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7A3
        | 0xFF00..=0xFFEF
        | 0x20000..=0x2FFFF => Plausible::InRun,
        _ => Plausible::No,
    }
}

/// Tries to read one mis-decoded UTF-8 sequence starting at byte `start` of
/// `s`, whose first character maps to the lead byte `lead`.
fn sequence_at(s: &str, start: usize, lead: u8) -> Option<(char, usize)> {
    let len = match lead {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let mut buf = [lead, 0, 0, 0];
    let mut end = start + 2; // every lead character is two bytes in UTF-8
    for slot in buf.iter_mut().take(len).skip(1) {
        let c = s.get(end..)?.chars().next()?;
        *slot = to_1252_byte(c).filter(|b| (0x80..=0xBF).contains(b))?;
        end += c.len_utf8();
    }
    let decoded = std::str::from_utf8(&buf[..len]).ok()?.chars().next()?;
    Some((decoded, end))
}

/// Repairs text that was UTF-8, read as windows-1252 (or ISO-8859-1) and
/// saved again: `â€œ` → `“`, `Ã©` → `é`, `Â\u{a0}` → NBSP. Returns the
/// repaired text and the number of sequences repaired, or `None` when
/// nothing was repaired. Legitimate text is left alone: a lone `Ã`, `Â` or
/// `â`, `SÃO`, or `â€` not followed by a continuation character. A repaired
/// U+FEFF (`ï»¿`) is dropped. Text mis-decoded twice is repaired too.
pub fn repair_mojibake(s: &str) -> Option<(String, usize)> {
    let mut current: Option<String> = None;
    let mut total = 0;
    for _ in 0..MAX_REPAIR_PASSES {
        let Some((text, n)) = repair_pass(current.as_deref().unwrap_or(s)) else {
            break;
        };
        total += n;
        current = Some(text);
    }
    current.map(|text| (text, total))
}

/// One repair pass; `None` when nothing was repaired.
fn repair_pass(s: &str) -> Option<(String, usize)> {
    // Every lead character (U+00C2..U+00F4) is 0xC3 0x82..=0xB4 in UTF-8.
    let bytes = s.as_bytes();
    if !memchr::memchr_iter(0xC3, bytes)
        .any(|i| bytes.get(i + 1).is_some_and(|b| (0x82..=0xB4).contains(b)))
    {
        return None;
    }
    // (start, end, repaired char, plausibility) of every candidate.
    let mut candidates: Vec<(usize, usize, char, Plausible)> = Vec::new();
    let mut pos = 0;
    while let Some(off) = bytes.get(pos..).and_then(|b| memchr::memchr(0xC3, b)) {
        let start = pos + off;
        pos = start + 1;
        let Some(lead) = bytes.get(start + 1).map(|b| b + 0x40) else {
            break;
        };
        if let Some((c, end)) = sequence_at(s, start, lead) {
            let p = plausibility(c);
            if p != Plausible::No {
                candidates.push((start, end, c, p));
                pos = end;
            }
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    let mut repaired = 0;
    for (i, &(start, end, c, p)) in candidates.iter().enumerate() {
        let joined_before = i > 0 && candidates[i - 1].1 == start;
        let joined_after = candidates.get(i + 1).is_some_and(|next| next.0 == end);
        if p == Plausible::InRun && !joined_before && !joined_after {
            continue;
        }
        out.push_str(s.get(copied..start)?);
        if c != '\u{FEFF}' {
            out.push(c);
        }
        copied = end;
        repaired += 1;
    }
    if repaired == 0 {
        return None;
    }
    out.push_str(s.get(copied..)?);
    Some((out, repaired))
}

#[cfg(test)]
thread_local! {
    /// Bytes fed to the statistical detector (its cost, for the tests).
    static DETECTED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
#[path = "decode_tests.rs"]
mod tests;
