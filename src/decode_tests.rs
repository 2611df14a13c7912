//! Tests of [`super`] (bytes to text).

use super::*;

/// Decodes `bytes` with no declaration; also gives the bytes detection read.
fn undeclared(bytes: &[u8]) -> (Decoded, usize) {
    DETECTED.with(|d| d.set(0));
    let d = decode(bytes, Some("text/html"), &DecodeOptions::default());
    (d, DETECTED.with(|d| d.get()))
}

fn page_of(para: &[u8], size: usize) -> Vec<u8> {
    let mut page = b"<html><head><title>t</title></head><body>\n".to_vec();
    while page.len() < size {
        page.extend_from_slice(para);
    }
    page.extend_from_slice(b"</body></html>\n");
    page
}

/// Issue 16, item 13: without a declaration, detection ran over the
/// whole page even when the bytes are valid UTF-8 (twice the cost of the
/// whole extraction on real pages). Valid UTF-8 is recognised without
/// detection, with the same result; detection reads a bounded prefix.
#[test]
fn undeclared_valid_utf8_skips_detection_and_detection_reads_a_prefix() {
    let utf8 = page_of(
        "<p>Grüße aus Köln — “quoted” text.</p>\n".as_bytes(),
        1 << 20,
    );
    let (d, fed) = undeclared(&utf8);
    assert_eq!((d.encoding, d.decided_by), (UTF_8, DecidedBy::Detected));
    assert_eq!(d.text.as_bytes(), &utf8[..]);
    assert_eq!(fed, 0, "valid UTF-8 needs no detection");

    // ASCII only: the encoding detection gives ASCII (the same text either way)
    let ascii = page_of(b"<p>Plain old ASCII text.</p>\n", 1 << 20);
    let before = detect(&ascii, Utf8Detection::Allow);
    let (d, fed) = undeclared(&ascii);
    assert_eq!((d.encoding, d.decided_by), (before, DecidedBy::Detected));
    assert_eq!(d.text.as_bytes(), &ascii[..]);
    assert_eq!(fed, 0);

    // a legacy page: detected, from at most DETECT_LIMIT bytes
    let (cp1252, _, _) = WINDOWS_1252.encode("<p>Grüße aus Köln, café crème — “quoted”.</p>\n");
    let legacy = page_of(&cp1252, 1 << 20);
    let (d, fed) = undeclared(&legacy);
    assert_eq!(
        (d.encoding, d.decided_by),
        (WINDOWS_1252, DecidedBy::Detected)
    );
    assert!(
        fed > 0 && fed <= DETECT_LIMIT,
        "{fed} bytes fed to detection"
    );
    assert!(d.text.contains("Grüße aus Köln"));
    assert_eq!(d.replacements, 0);

    // the same after more ASCII than the limit (scripts, styles): the
    // window starts near the first non-ASCII byte
    let mut late = b"<html><head><script>".to_vec();
    late.resize(late.len() + 3 * DETECT_LIMIT, b'x');
    late.extend_from_slice(b"</script></head>");
    late.extend_from_slice(&legacy);
    let (d, fed) = undeclared(&late);
    assert_eq!(
        (d.encoding, d.decided_by),
        (WINDOWS_1252, DecidedBy::Detected)
    );
    assert!(
        fed > 0 && fed <= DETECT_LIMIT,
        "{fed} bytes fed to detection"
    );
    assert_eq!(d.replacements, 0);

    // declared UTF-8 on legacy bytes: the detection that overrules it reads a prefix too
    DETECTED.with(|d| d.set(0));
    let d = decode(
        &legacy,
        Some("text/html; charset=utf-8"),
        &DecodeOptions::default(),
    );
    assert_eq!(d.decided_by, DecidedBy::DetectedOverDeclared);
    assert_eq!(d.encoding, WINDOWS_1252);
    assert!(DETECTED.with(|d| d.get()) <= DETECT_LIMIT);
}

#[test]
fn the_detection_prefix_ends_after_an_ascii_byte() {
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("日本語のテキスト、");
    let mut page = Vec::new();
    while page.len() < 3 * DETECT_LIMIT {
        page.extend_from_slice(&sjis);
        page.push(b' ');
    }
    let p = detection_prefix(&page);
    assert!(
        p.len() <= DETECT_LIMIT && p.len() > DETECT_LIMIT - 1024,
        "{}",
        p.len()
    );
    assert!(p.last().is_some_and(|b| b.is_ascii()));
    // a short page is read whole; a page without ASCII is cut at the limit
    assert_eq!(detection_prefix(&sjis).len(), sjis.len());
    let all_high = vec![0xC4u8; 2 * DETECT_LIMIT];
    assert_eq!(detection_prefix(&all_high).len(), DETECT_LIMIT);
}

#[test]
fn cp1252_table_matches_encoding_rs_for_every_high_byte() {
    for byte in 0x80..=0xFFu8 {
        let bytes = [byte];
        let (text, _, _) = WINDOWS_1252.decode(&bytes);
        let c = text.chars().next().unwrap_or('?');
        assert_eq!(
            to_1252_byte(c),
            Some(byte),
            "byte {byte:#04x} decodes to {c:?}"
        );
    }
    assert_eq!(to_1252_byte('a'), None);
    assert_eq!(to_1252_byte('ā'), None);
}

#[test]
fn utf8_scan_counts_valid_multibyte_and_invalid_sequences() {
    let s = scan_utf8("a “b” é".as_bytes());
    assert_eq!((s.multibyte, s.invalid), (3, 0));
    let s = scan_utf8(b"\x93quote\x94 \xc3\xa9 \xe2\x80");
    assert_eq!((s.multibyte, s.invalid), (1, 3));
    let s = scan_utf8(b"");
    assert_eq!((s.multibyte, s.invalid), (0, 0));
}

#[test]
fn content_type_label_handles_quotes_case_and_spaces() {
    assert_eq!(
        content_type_label("text/html; charset=UTF-8"),
        Some("UTF-8")
    );
    assert_eq!(
        content_type_label("text/html;CharSet = \"iso-8859-1\""),
        Some("iso-8859-1")
    );
    assert_eq!(
        content_type_label("text/html; charset='koi8-r'; x=y"),
        Some("koi8-r")
    );
    assert_eq!(content_type_label("text/html; charset="), None);
    assert_eq!(content_type_label("text/html"), None);
}

#[test]
fn decode_counting_counts_each_malformed_sequence() {
    let (text, n) = decode_counting(UTF_8, b"a\xffb\xe2\x80c\xc3");
    assert_eq!((text.as_str(), n), ("a\u{fffd}b\u{fffd}c\u{fffd}", 3));
    let (text, n) = decode_counting(UTF_16LE, b"h\0i\0!");
    assert_eq!((text.as_str(), n), ("hi\u{fffd}", 1));
    let (text, n) = decode_counting(WINDOWS_1252, b"\x93x\x94\x81");
    assert_eq!((text.as_str(), n), ("“x”\u{81}", 0));
}
