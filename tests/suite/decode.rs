//! Tests of `sitelift::decode` through its public API that are not single
//! cases (those are data: `decode_cases`): labels, the `<meta>` prescan,
//! mojibake repair and its false positives, and a no-panic sweep over
//! pseudo-random bytes.

use encoding_rs::{Encoding, WINDOWS_1252};
use sitelift::decode::{
    charset_from_content_type, decode, encoding_for_label, meta_charset, repair_mojibake,
    DecidedBy, DecodeOptions, Decoded,
};

fn dec(bytes: &[u8], ct: Option<&str>) -> Decoded {
    decode(bytes, ct, &DecodeOptions::default())
}

/// windows-1252 bytes of “Iran Focus” – it’s, with an HTML shell.
const CP1252_PAGE: &[u8] = b"<p>\x93Iran Focus\x94 \x96 it\x92s</p>";
const CP1252_TEXT: &str = "<p>“Iran Focus” – it’s</p>";

// ---- rules --------------------------------------------------------------

#[test]
fn labels_and_content_type_charsets() {
    assert_eq!(encoding_for_label(" latin1 "), Some(WINDOWS_1252));
    assert_eq!(
        encoding_for_label("iso-2022-kr"),
        None,
        "replacement is not usable"
    );
    assert_eq!(
        charset_from_content_type("text/html; charset=\"us-ascii\""),
        Some(WINDOWS_1252)
    );
}

#[test]
fn meta_prescan_variants() {
    let found = |s: &str| meta_charset(s.as_bytes()).map(Encoding::name);
    assert_eq!(found("<meta charset=utf-8>"), Some("UTF-8"));
    assert_eq!(found("<META CharSet = 'KOI8-R' />"), Some("KOI8-R"));
    assert_eq!(
        found("<meta http-equiv='Content-Type' content='text/html; charset=windows-1251'>"),
        Some("windows-1251")
    );
    assert_eq!(
        found("<meta content=\"text/html;charset = 'iso-8859-2'\" http-equiv=\"content-type\">"),
        Some("ISO-8859-2")
    );
    // content without http-equiv is not a declaration
    assert_eq!(found("<meta content='text/html; charset=koi8-r'>"), None);
    // utf-16 in meta means utf-8, x-user-defined means windows-1252
    assert_eq!(found("<meta charset=utf-16le>"), Some("UTF-8"));
    assert_eq!(found("<meta charset=x-user-defined>"), Some("windows-1252"));
    // unknown label: the next meta is used
    assert_eq!(
        found("<meta charset=nonsense><meta charset=koi8-r>"),
        Some("KOI8-R")
    );
    assert_eq!(found("<metacharset=koi8-r>"), None);
}

#[test]
fn meta_in_comment_or_attribute_or_after_1024_bytes_is_ignored() {
    let found = |s: &str| meta_charset(s.as_bytes()).map(Encoding::name);
    assert_eq!(
        found("<!-- <meta charset=koi8-r> --><meta charset=utf-8>"),
        Some("UTF-8")
    );
    assert_eq!(
        found("<!--><meta charset=koi8-r>"),
        Some("KOI8-R"),
        "<!--> is an empty comment"
    );
    assert_eq!(
        found("<div title=\"<meta charset=koi8-r>\"><meta charset=utf-8>"),
        Some("UTF-8")
    );
    assert_eq!(found("<!-- unterminated <meta charset=koi8-r>"), None);
    let late = format!("<p>{}</p><meta charset=koi8-r>", "x".repeat(1020));
    assert_eq!(found(&late), None);
    let early = format!("<meta charset=koi8-r><p>{}</p>", "x".repeat(2000));
    assert_eq!(found(&early), Some("KOI8-R"));
}

// ---- mojibake -----------------------------------------------------------

#[test]
fn mojibake_quotes_dashes_accents_and_nbsp_are_repaired_with_counts() {
    let cases = [
        ("â€œIranâ€\u{9d}", "“Iran”", 2),
        ("itâ€™s", "it’s", 1),
        ("May 14 â€“ Iran", "May 14 – Iran", 1),
        ("cafÃ©", "café", 1),
        ("10Â\u{a0}km", "10\u{a0}km", 1),
        ("wait â€” no", "wait — no", 1), // em dash: E2 80 94
        ("Ã©Ã¨Ã§ â€¦", "éèç …", 4),
        ("â\u{80}\u{9c}latin1â\u{80}\u{9d}", "“latin1”", 2), // ISO-8859-1 style
        ("ï»¿start", "start", 1),                            // mis-decoded BOM dropped
        ("ðŸ˜€", "😀", 1),
        ("Ã¢â‚¬Å“twiceÃ¢â‚¬Â\u{9d}", "“twice”", 8),
    ];
    for (input, want, n) in cases {
        assert_eq!(
            repair_mojibake(input),
            Some((want.to_string(), n)),
            "{input:?}"
        );
    }
}

#[test]
fn legitimate_text_is_not_repaired() {
    for legit in [
        "São Paulo",
        "SÃO PAULO",
        "NÃO",
        "Â",
        "â",
        "é",
        "Ã",
        "pâté",
        "Château",
        "â€ not a continuation",
        "â€",
        "Fuß“",
        "touché’”",
        "2×½",
        "plain ASCII",
        "",
    ] {
        assert_eq!(repair_mojibake(legit), None, "{legit:?}");
    }
}

#[test]
fn decode_repairs_mojibake_unless_turned_off() {
    let page = "<p>â€œIran Focusâ€\u{9d} â€“ itâ€™s</p>".as_bytes();
    let d = dec(page, Some("text/html; charset=utf-8"));
    assert_eq!((d.text.as_str(), d.mojibake_repairs), (CP1252_TEXT, 4));
    assert!(d.warnings.iter().any(|w| w.contains("mojibake")));
    let opts = DecodeOptions {
        repair_mojibake: false,
        ..Default::default()
    };
    let d = decode(page, Some("text/html; charset=utf-8"), &opts);
    assert_eq!((d.text.as_bytes(), d.mojibake_repairs), (page, 0));
}

// ---- robustness and serialization ----------------------------------------

#[test]
fn decided_by_names_and_serialization() {
    use DecidedBy::*;
    let all = [
        Override,
        Bom,
        HttpHeader,
        Meta,
        Detected,
        Utf8ValidOverDeclared,
        DetectedOverDeclared,
    ];
    let names: Vec<&str> = all.iter().map(DecidedBy::as_str).collect();
    assert_eq!(
        names,
        [
            "override",
            "bom",
            "http_header",
            "meta",
            "detected",
            "utf8_valid_over_declared",
            "detected_over_declared"
        ]
    );
    for rule in all {
        assert_eq!(
            serde_json::to_string(&rule).ok(),
            Some(format!("\"{rule}\""))
        );
    }
    let json = serde_json::to_value(dec(CP1252_PAGE, None)).unwrap_or_default();
    assert_eq!(json["encoding"], "windows-1252");
    assert_eq!(json["decided_by"], "detected");
}

#[test]
fn pseudo_random_bytes_never_panic() {
    // Tiny LCG; the alphabet is biased towards bytes the rules look at.
    const PIECES: [&[u8]; 12] = [
        b"<meta ",
        b"charset=",
        b"utf-8",
        b"<!--",
        b"-->",
        b"'",
        b"\"",
        b">",
        b"\xc3\x83",
        b"\xc3\xa2\xe2\x82\xac",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let cts = [
        None,
        Some("text/html; charset=utf-8"),
        Some("text/html; charset=windows-1252"),
        Some("text/html; charset=utf-16"),
    ];
    for _ in 0..400 {
        let mut bytes = Vec::new();
        for _ in 0..next() % 64 {
            if next() % 3 == 0 {
                bytes.extend_from_slice(PIECES[next() % PIECES.len()]);
            } else {
                bytes.push((next() % 256) as u8);
            }
        }
        let d = dec(&bytes, cts[next() % cts.len()]);
        assert!(d.replacements <= bytes.len());
        if let Ok(s) = std::str::from_utf8(&bytes) {
            let _ = repair_mojibake(s);
        }
    }
}
