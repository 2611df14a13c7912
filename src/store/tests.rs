//! Unit tests of the page store: round trips, rotation, torn-tail repair and
//! damaged input.

use std::io::{Read, Write};
use std::path::Path;

use super::warc::sha1_digest;
use super::*;

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
        .collect()
}

fn request_headers() -> Vec<(String, String)> {
    vec![("User-Agent".into(), "sitelift-test".into())]
}

fn date() -> jiff::Timestamp {
    "2026-01-02T03:04:05.123456Z"
        .parse()
        .expect("valid test date")
}

/// Writes one exchange with a plain HTML payload.
fn write_page(w: &mut WarcWriter, uri: &str, payload: &[u8]) -> WarcLocation {
    let req = request_headers();
    let resp = headers(&[("Content-Type", "text/html; charset=utf-8")]);
    w.write_exchange(&Exchange {
        target_uri: uri,
        date: date(),
        ip: Some("127.0.0.1".parse().expect("ip")),
        method: "GET",
        request_headers: &req,
        http_version: "HTTP/1.1",
        status: 200,
        reason: "OK",
        response_headers: &resp,
        payload,
    })
    .expect("write exchange")
}

fn page(i: usize) -> Vec<u8> {
    format!(
        "<html><body><h1>Page {i}</h1><p>{}</p></body></html>",
        "text ".repeat(40 + i * 7)
    )
    .into_bytes()
}

fn read_all(path: &Path) -> Vec<WarcRecord> {
    WarcReader::open(path)
        .expect("open")
        .collect::<Result<Vec<_>, _>>()
        .expect("all records readable")
}

fn warc_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".warc.gz"))
        .collect();
    names.sort();
    names
}

#[test]
fn round_trip_rotation_digests_and_read_at() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut w = WarcWriter::open(dir.path(), "crawl", 1500).expect("open writer");
    assert_eq!(w.repaired_bytes(), 0);
    let mut locs = Vec::new();
    for i in 0..6 {
        let uri = format!("http://example.test/a/{i}?x=1");
        locs.push((uri.clone(), i, write_page(&mut w, &uri, &page(i))));
    }
    let files = warc_files(dir.path());
    assert!(files.len() >= 3, "expected rotation, got {files:?}");
    assert_eq!(files[0], "crawl-00000.warc.gz");

    let mut responses = 0;
    for name in &files {
        let records = read_all(&dir.path().join(name));
        assert_eq!(records[0].warc_type, "warcinfo");
        assert!(String::from_utf8_lossy(&records[0].block).contains("software: sitelift/"));
        assert_eq!(records[0].header("warc-filename"), Some(name.as_str()));
        for r in &records[1..] {
            assert_eq!(
                r.header("WARC-Warcinfo-ID"),
                records[0].record_id.as_deref()
            );
        }
        for r in &records {
            assert_eq!(
                r.header("WARC-Block-Digest"),
                Some(sha1_digest(&r.block).as_str())
            );
            assert!(r
                .record_id
                .as_deref()
                .is_some_and(|id| id.starts_with("<urn:uuid:")));
        }
        for pair in records[1..].chunks(2) {
            let (req, resp) = (&pair[0], &pair[1]);
            assert_eq!(req.warc_type, "request");
            assert_eq!(resp.warc_type, "response");
            assert_eq!(req.target_uri, resp.target_uri);
            assert_eq!(req.header("WARC-Concurrent-To"), resp.record_id.as_deref());
            assert_eq!(resp.header("WARC-Concurrent-To"), req.record_id.as_deref());
            assert_eq!(resp.date.as_deref(), Some("2026-01-02T03:04:05.123456Z"));
            assert_eq!(resp.header("WARC-IP-Address"), Some("127.0.0.1"));
            assert!(String::from_utf8_lossy(&req.block).starts_with("GET /a/"));
            assert!(String::from_utf8_lossy(&req.block).contains("Host: example.test\r\n"));
            let http = resp.http_response().expect("http");
            assert_eq!(
                resp.header("WARC-Payload-Digest"),
                Some(sha1_digest(&http.body).as_str())
            );
            responses += 1;
        }
    }
    assert_eq!(responses, 6);

    for (uri, i, loc) in &locs {
        let r = read_at(dir.path(), loc).expect("read_at");
        assert_eq!(r.offset, loc.offset);
        assert_eq!(r.warc_type, "response");
        assert_eq!(r.target_uri.as_deref(), Some(uri.as_str()));
        let http = r.http_response().expect("http");
        assert_eq!(http.status, 200);
        assert_eq!(http.body, page(*i));
        assert_eq!(
            http.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        // The location's length is exactly one gzip member.
        let bytes = std::fs::read(dir.path().join(&loc.file)).expect("read file");
        let end = (loc.offset + loc.length) as usize;
        let member = &bytes[loc.offset as usize..end];
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(member)
            .read_to_end(&mut text)
            .expect("member decodes alone");
        assert!(text.starts_with(b"WARC/1.1\r\nWARC-Type: response\r\n"));
    }
}

fn exchange<'a>(
    uri: &'a str,
    payload: &'a [u8],
    req: &'a [(String, String)],
    resp: &'a [(String, Vec<u8>)],
) -> Exchange<'a> {
    Exchange {
        target_uri: uri,
        date: date(),
        ip: None,
        method: "GET",
        request_headers: req,
        http_version: "HTTP/1.1",
        status: 200,
        reason: "OK",
        response_headers: resp,
        payload,
    }
}

/// A crawler builds records on its workers with the warcinfo id the writer
/// announces, and appends them later, in any order: by then the series may
/// have rotated, and a record must still name the warcinfo record of the
/// file it lands in (the writer builds it again for that file).
#[test]
fn prepared_records_are_appended_and_rebuilt_when_the_file_rotated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut w = WarcWriter::open(dir.path(), "p", 1500).expect("open");
    let req = request_headers();
    let resp = headers(&[("Content-Type", "text/html")]);
    let uris: Vec<String> = (0..6)
        .map(|i| format!("http://example.test/p/{i}"))
        .collect();
    let pages: Vec<Vec<u8>> = (0..6).map(page).collect();
    // all built before anything is written: for the first file, not yet open
    let first_id = w.next_warcinfo_id().to_string();
    let prepared: Vec<PreparedExchange> = (0..6)
        .map(|i| {
            prepare_exchange(&exchange(&uris[i], &pages[i], &req, &resp), &first_id)
                .expect("prepare")
        })
        .collect();
    for p in &prepared {
        assert_eq!(p.warcinfo_id(), first_id);
    }
    assert_eq!(
        prepared[2].payload_digest(),
        sha1_digest(&pages[2]),
        "the digest the ledger keeps"
    );
    let mut locs = Vec::new();
    for (i, p) in prepared.into_iter().enumerate().rev() {
        let loc = w
            .append(p, &exchange(&uris[i], &pages[i], &req, &resp))
            .expect("append");
        locs.push((i, loc));
    }
    let files = warc_files(dir.path());
    assert!(files.len() >= 3, "expected rotation, got {files:?}");
    for name in &files {
        let records = read_all(&dir.path().join(name));
        assert_eq!(records[0].warc_type, "warcinfo");
        for r in &records[1..] {
            assert_eq!(
                r.header("WARC-Warcinfo-ID"),
                records[0].record_id.as_deref()
            );
            assert_eq!(
                r.header("WARC-Block-Digest"),
                Some(sha1_digest(&r.block).as_str())
            );
        }
    }
    assert_eq!(
        read_all(&dir.path().join(&files[0]))[0]
            .record_id
            .as_deref(),
        Some(first_id.as_str())
    );
    for (i, loc) in &locs {
        let r = read_at(dir.path(), loc).expect("read_at");
        assert_eq!(r.target_uri.as_deref(), Some(uris[*i].as_str()));
        let http = r.http_response().expect("http");
        assert_eq!(http.body, pages[*i]);
        assert_eq!(
            r.header("WARC-Payload-Digest"),
            Some(sha1_digest(&pages[*i]).as_str())
        );
    }
}

#[test]
fn transfer_encoding_dropped_and_gzip_body_decoded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut w = WarcWriter::open(dir.path(), "t", 1 << 20).expect("open");
    let text = "Tehran, Iran, May 14 \u{2013} Iran announced on Sunday".repeat(20);
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(text.as_bytes()).expect("gzip");
    let gz = enc.finish().expect("gzip");
    let resp = headers(&[
        ("Content-Type", "text/html"),
        ("Transfer-Encoding", "chunked"),
        ("Content-Encoding", "gzip"),
        ("Bad\r\nName", "a\r\nb"),
    ]);
    let req = request_headers();
    let loc = w
        .write_exchange(&Exchange {
            target_uri: "https://example.test:8443/x",
            date: date(),
            ip: None,
            method: "GET",
            request_headers: &req,
            http_version: "HTTP/1.1",
            status: 200,
            reason: "",
            response_headers: &resp,
            payload: &gz,
        })
        .expect("write");
    let r = read_at(dir.path(), &loc).expect("read");
    assert_eq!(r.header("WARC-IP-Address"), None);
    let http = r.http_response().expect("http");
    assert_eq!(http.header("transfer-encoding"), None);
    assert_eq!(
        http.header("X-Sitelift-Removed-Transfer-Encoding"),
        Some("chunked")
    );
    assert_eq!(
        http.header("Content-Length"),
        Some(gz.len().to_string().as_str())
    );
    assert_eq!(http.header("Bad--Name"), Some("a  b"));
    assert_eq!(http.body, text.as_bytes());
    // Payload digest covers the body as stored (still gzip), as warcio checks it.
    assert_eq!(
        r.header("WARC-Payload-Digest"),
        Some(sha1_digest(&gz).as_str())
    );
    let req_rec = WarcReader::open(&dir.path().join(&loc.file))
        .expect("open")
        .nth(1)
        .expect("request record")
        .expect("ok");
    assert!(String::from_utf8_lossy(&req_rec.block).contains("Host: example.test:8443\r\n"));
}

#[test]
fn mismatched_content_length_is_replaced_and_noted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut w = WarcWriter::open(dir.path(), "t", 1 << 20).expect("open");
    let resp = headers(&[("Content-Length", "999"), ("Content-Type", "text/plain")]);
    let req = request_headers();
    let loc = w
        .write_exchange(&Exchange {
            target_uri: "http://example.test/",
            date: date(),
            ip: None,
            method: "GET",
            request_headers: &req,
            http_version: "HTTP/1.1",
            status: 200,
            reason: "OK",
            response_headers: &resp,
            payload: b"short",
        })
        .expect("write");
    let http = read_at(dir.path(), &loc)
        .expect("read")
        .http_response()
        .expect("http");
    assert_eq!(http.header("content-length"), Some("5"));
    assert_eq!(
        http.header("X-Sitelift-Original-Content-Length"),
        Some("999")
    );
    assert_eq!(http.body, b"short");
}

#[test]
fn invalid_uri_and_bad_location_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut w = WarcWriter::open(dir.path(), "t", 1 << 20).expect("open");
    let err = w
        .write_exchange(&Exchange {
            target_uri: "not a url",
            date: date(),
            ip: None,
            method: "GET",
            request_headers: &[],
            http_version: "HTTP/1.1",
            status: 200,
            reason: "OK",
            response_headers: &[],
            payload: b"",
        })
        .expect_err("must fail");
    assert!(matches!(err, StoreError::InvalidUri { .. }), "{err}");
    let loc = WarcLocation {
        file: "../etc/passwd".into(),
        offset: 0,
        length: 1,
    };
    assert!(matches!(
        read_at(dir.path(), &loc),
        Err(StoreError::BadLocation { .. })
    ));
    assert!(WarcWriter::open(dir.path(), "a/b", 10).is_err());
}

/// Tiny deterministic generator so chop points and garbage are reproducible.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn torn_tail_is_repaired_at_random_chop_points() {
    let src = tempfile::tempdir().expect("tempdir");
    let mut w = WarcWriter::open(src.path(), "crawl", 1 << 20).expect("open");
    let mut last = None;
    for i in 0..3 {
        last = Some(write_page(
            &mut w,
            &format!("http://example.test/{i}"),
            &page(i),
        ));
    }
    drop(w);
    let last = last.expect("written");
    let original = std::fs::read(src.path().join(&last.file)).expect("read");
    assert_eq!(original.len() as u64, last.offset + last.length);

    let mut rng = Lcg(7);
    let mut cuts: Vec<u64> = (0..6)
        .map(|_| last.offset + 1 + rng.next() % (last.length - 1))
        .collect();
    cuts.push(last.offset + last.length - 1);
    cuts.push(last.offset + 1);
    for cut in cuts {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(&last.file), &original[..cut as usize]).expect("write");
        let mut w = WarcWriter::open(dir.path(), "crawl", 1 << 20).expect("reopen");
        assert_eq!(w.repaired_bytes(), cut - last.offset, "cut at {cut}");
        let kept = read_all(&dir.path().join(&last.file));
        // warcinfo + two full exchanges + the request of the third.
        assert_eq!(kept.len(), 6, "cut at {cut}");
        assert_eq!(kept[5].warc_type, "request");
        let loc = write_page(&mut w, "http://example.test/new", b"new page");
        assert_eq!(loc.file, "crawl-00001.warc.gz");
        let r = read_at(dir.path(), &loc).expect("new record readable");
        assert_eq!(r.http_response().expect("http").body, b"new page");
    }

    // A clean file is left alone, and the next writer starts a new file.
    let w = WarcWriter::open(src.path(), "crawl", 1 << 20).expect("reopen clean");
    assert_eq!(w.repaired_bytes(), 0);
    assert_eq!(
        std::fs::read(src.path().join(&last.file)).expect("read"),
        original
    );
}

#[test]
fn file_without_any_complete_record_is_removed() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("crawl-00004.warc.gz"),
        [0x1f, 0x8b, 8, 0, 0],
    )
    .expect("write");
    let mut w = WarcWriter::open(dir.path(), "crawl", 1 << 20).expect("open");
    assert_eq!(w.repaired_bytes(), 5);
    let loc = write_page(&mut w, "http://example.test/", b"x");
    assert_eq!(loc.file, "crawl-00005.warc.gz");
    assert_eq!(
        warc_files(dir.path()),
        vec!["crawl-00005.warc.gz".to_string()]
    );
}

fn items(bytes: &[u8]) -> Vec<Result<WarcRecord, StoreError>> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("x.warc");
    std::fs::write(&path, bytes).expect("write");
    let reader = WarcReader::open(&path).expect("open");
    // Bounded: a reader that loops forever fails here instead of hanging.
    reader.take(1000).collect()
}

#[test]
fn plain_uncompressed_warc_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut w = WarcWriter::open(dir.path(), "p", 1 << 20).expect("open");
    write_page(&mut w, "http://example.test/1", b"one");
    write_page(&mut w, "http://example.test/2", b"two");
    let gz = std::fs::read(dir.path().join("p-00000.warc.gz")).expect("read");
    let mut plain = Vec::new();
    flate2::read::MultiGzDecoder::new(&gz[..])
        .read_to_end(&mut plain)
        .expect("gunzip");
    let records: Vec<WarcRecord> = items(&plain).into_iter().map(|r| r.expect("ok")).collect();
    assert_eq!(records.len(), 5);
    assert_eq!(records[4].http_response().expect("http").body, b"two");
    // Plain offsets are byte offsets of each record.
    for r in &records {
        assert!(plain[r.offset as usize..].starts_with(b"WARC/1.1\r\n"));
    }
}

#[test]
fn garbage_truncated_and_lying_input_give_errors() {
    assert!(items(b"").is_empty());
    let garbage = items(b"<html>not a warc</html>");
    assert_eq!(garbage.len(), 1);
    assert!(matches!(
        garbage[0],
        Err(StoreError::Malformed { offset: 0, .. })
    ));

    let lying = b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 999999999999\r\n\r\nabc";
    let r = items(lying);
    assert_eq!(r.len(), 1);
    assert!(matches!(
        r[0],
        Err(StoreError::TooLarge {
            size: 999999999999,
            ..
        })
    ));

    let good = b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n";
    let mut short = good.to_vec();
    short.extend_from_slice(
        b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 1000\r\n\r\nonly this",
    );
    let r = items(&short);
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].as_ref().expect("first ok").block, b"abc");
    match &r[1] {
        Err(StoreError::Truncated { offset, .. }) => assert_eq!(*offset, good.len() as u64),
        other => panic!("expected truncation, got {other:?}"),
    }

    let no_len = items(b"WARC/1.1\r\nWARC-Type: resource\r\n\r\n");
    assert!(matches!(no_len[0], Err(StoreError::Malformed { .. })));

    // Gzip: a lying length inside a member, and junk after good members.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 50\r\n\r\nab")
        .expect("gzip");
    let r = items(&gz.finish().expect("gzip"));
    assert_eq!(r.len(), 1);
    assert!(matches!(r[0], Err(StoreError::Truncated { offset: 0, .. })));

    let dir = tempfile::tempdir().expect("tempdir");
    let mut w = WarcWriter::open(dir.path(), "g", 1 << 20).expect("open");
    write_page(&mut w, "http://example.test/1", b"one");
    let mut bytes = std::fs::read(dir.path().join("g-00000.warc.gz")).expect("read");
    bytes.extend_from_slice(b"trailing junk");
    let r = items(&bytes);
    assert_eq!(r.len(), 4);
    assert!(r[..3].iter().all(|x| x.is_ok()));
    assert!(matches!(r[3], Err(StoreError::Malformed { .. })));

    let resp = WarcRecord {
        offset: 0,
        warc_type: "response".into(),
        target_uri: None,
        date: None,
        record_id: None,
        headers: vec![],
        block: b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\nxx".to_vec(),
    };
    assert!(matches!(resp.http_response(), Err(StoreError::Http { .. })));
}

#[test]
fn mutated_and_random_files_never_panic_or_loop() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut w = WarcWriter::open(dir.path(), "m", 1 << 20).expect("open");
    for i in 0..3 {
        write_page(&mut w, &format!("http://example.test/{i}"), &page(i));
    }
    let valid = std::fs::read(dir.path().join("m-00000.warc.gz")).expect("read");
    let mut rng = Lcg(42);
    for round in 0..60 {
        let mut bytes = valid.clone();
        match round % 3 {
            0 => {
                let at = rng.next() as usize % bytes.len();
                bytes[at] ^= 1 << (rng.next() % 8);
            }
            1 => bytes.truncate(rng.next() as usize % bytes.len()),
            _ => bytes = (0..rng.next() % 4000).map(|_| rng.next() as u8).collect(),
        }
        let out = items(&bytes);
        assert!(out.len() < 20, "round {round}: {} items", out.len());
        // At most one error, and only as the last item.
        let errors = out.iter().filter(|r| r.is_err()).count();
        assert!(errors <= 1);
        if errors == 1 {
            assert!(out.last().is_some_and(|r| r.is_err()));
        }
        for rec in out.into_iter().flatten() {
            let _ = rec.http_response();
        }
    }
}

#[test]
fn open_at_resumes_after_a_known_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut w = WarcWriter::open(dir.path(), "r", 1 << 20).expect("open");
    let first = write_page(&mut w, "http://example.test/1", b"one");
    write_page(&mut w, "http://example.test/2", b"two");
    let path = dir.path().join(&first.file);
    let rest: Vec<WarcRecord> = WarcReader::open_at(&path, first.offset + first.length)
        .expect("open_at")
        .collect::<Result<_, _>>()
        .expect("ok");
    assert_eq!(rest.len(), 2);
    assert_eq!(rest[0].warc_type, "request");
    assert_eq!(rest[1].target_uri.as_deref(), Some("http://example.test/2"));
    assert_eq!(rest[0].offset, first.offset + first.length);
}

fn response_record(block: Vec<u8>) -> WarcRecord {
    WarcRecord {
        offset: 0,
        warc_type: "response".into(),
        target_uri: Some("http://example.test/".into()),
        date: None,
        record_id: None,
        headers: vec![],
        block,
    }
}

#[test]
fn http_response_undoes_chunked_and_deflate() {
    let text = b"<p>Tehran, Iran, May 14</p>".repeat(30);
    for raw_deflate in [false, true] {
        let body = if raw_deflate {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(&text).expect("deflate");
            e.finish().expect("deflate")
        } else {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(&text).expect("zlib");
            e.finish().expect("zlib")
        };
        let mut block =
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: deflate\r\n\r\n"
                .to_vec();
        for chunk in body.chunks(17) {
            block.extend_from_slice(format!("{:x};ext=1\r\n", chunk.len()).as_bytes());
            block.extend_from_slice(chunk);
            block.extend_from_slice(b"\r\n");
        }
        block.extend_from_slice(b"0\r\nTrailer: x\r\n\r\n");
        let http = response_record(block.clone())
            .http_response()
            .expect("decodes");
        assert_eq!(http.body, text);
        assert_eq!(http.status, 200);
        // A chunked body cut short is an error, not a panic or a short body.
        block.truncate(block.len() / 2);
        let err = response_record(block)
            .http_response()
            .expect_err("truncated");
        assert!(matches!(err, StoreError::Http { .. }), "{err}");
    }
    let not_http = response_record(b"garbage\r\n\r\n".to_vec());
    assert!(not_http.http_response().is_err());
    let mut request = response_record(b"GET / HTTP/1.1\r\n\r\n".to_vec());
    request.warc_type = "request".into();
    assert!(request.http_response().is_err());
}

/// Reads `path` as [`ChunkReader`] cuts it, inflating each member, up to
/// and including the first error: what `extract` and `bench-extract` see.
fn chunked(path: &Path) -> Vec<Result<WarcRecord, String>> {
    let mut out = Vec::new();
    for chunk in ChunkReader::open(path).expect("open").take(1000) {
        let item = match chunk {
            Ok(Chunk::Record(r)) => Ok(r),
            Ok(Chunk::Member { offset, bytes }) => {
                inflate_member(path, offset, &bytes).map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        };
        let stop = item.is_err();
        out.push(item);
        if stop {
            break;
        }
    }
    out
}

/// Reads `path` with one [`WarcReader`], as `chunked` reports it.
fn sequential(path: &Path) -> Vec<Result<WarcRecord, String>> {
    WarcReader::open(path)
        .expect("open")
        .take(1000)
        .map(|r| r.map_err(|e| e.to_string()))
        .collect()
}

/// Members written by the store carry their length in a CRC-checked gzip
/// header: the files stay plain gzip, and they are cut into members without
/// inflating anything, giving the records one reader gives.
#[test]
fn members_give_their_length_and_are_read_in_chunks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut w = WarcWriter::open(dir.path(), "c", 1 << 20).expect("open");
    for i in 0..5 {
        write_page(&mut w, &format!("http://example.test/{i}"), &page(i));
    }
    let path = dir.path().join("c-00000.warc.gz");
    let bytes = std::fs::read(&path).expect("read");
    // one gzip stream to any reader
    let mut plain = Vec::new();
    flate2::read::MultiGzDecoder::new(&bytes[..])
        .read_to_end(&mut plain)
        .expect("gunzip");
    assert!(plain.starts_with(b"WARC/1.1\r\nWARC-Type: warcinfo"));
    // every chunk is a member that carries its length: nothing was inflated
    // while cutting, and the members tile the file
    let mut at = 0u64;
    for chunk in ChunkReader::open(&path).expect("open") {
        match chunk.expect("chunk") {
            Chunk::Member { offset, bytes: m } => {
                assert_eq!(offset, at);
                assert_eq!(m[3] & 0x06, 0x06, "FEXTRA and FHCRC");
                assert_eq!(
                    u32::from_le_bytes([m[16], m[17], m[18], m[19]]) as usize,
                    m.len()
                );
                at += m.len() as u64;
            }
            Chunk::Record(r) => panic!("fell back at {}", r.offset),
        }
    }
    assert_eq!(at, bytes.len() as u64);
    let a = chunked(&path);
    assert_eq!(a.len(), 11);
    assert_eq!(a, sequential(&path));
}

/// Members without the length (other tools' files) and plain WARC are read
/// by the one-reader path from the first such member on.
#[test]
fn foreign_members_and_plain_files_fall_back_to_one_reader() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut w = WarcWriter::open(dir.path(), "f", 1 << 20).expect("open");
    write_page(&mut w, "http://example.test/1", b"one");
    let path = dir.path().join("f-00000.warc.gz");
    let mut bytes = std::fs::read(&path).expect("read");
    let ours = bytes.len();
    for i in 0..3 {
        let rec = format!(
            "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Target-URI: http://example.test/r{i}\r\n\
             Content-Length: 5\r\n\r\nrec {i}\r\n\r\n"
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(rec.as_bytes()).expect("gzip");
        bytes.extend_from_slice(&gz.finish().expect("gzip"));
    }
    std::fs::write(&path, &bytes).expect("write");
    let a = chunked(&path);
    assert_eq!(a.len(), 6);
    assert_eq!(a, sequential(&path));
    assert_eq!(a[3].as_ref().expect("ok").offset, ours as u64);
    let kinds: Vec<bool> = ChunkReader::open(&path)
        .expect("open")
        .map(|c| matches!(c.expect("chunk"), Chunk::Member { .. }))
        .collect();
    assert_eq!(kinds, [true, true, true, false, false, false]);

    let mut plain = Vec::new();
    flate2::read::MultiGzDecoder::new(&bytes[..])
        .read_to_end(&mut plain)
        .expect("gunzip");
    let plain_path = dir.path().join("plain.warc");
    std::fs::write(&plain_path, &plain).expect("write");
    let p = chunked(&plain_path);
    assert_eq!(p.len(), 6);
    assert_eq!(p, sequential(&plain_path));
}

/// Whatever the damage (a flipped bit anywhere, including in a member's
/// length or header; a cut anywhere; junk), reading in chunks gives the
/// records and the error that one reader gives, so records after damage are
/// never lost to a wrong cut.
#[test]
fn damaged_files_read_the_same_in_chunks_as_with_one_reader() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut w = WarcWriter::open(dir.path(), "d", 1 << 20).expect("open");
    for i in 0..4 {
        write_page(&mut w, &format!("http://example.test/{i}"), &page(i));
    }
    let valid = std::fs::read(dir.path().join("d-00000.warc.gz")).expect("read");
    let path = dir.path().join("damaged.warc.gz");
    let mut rng = Lcg(7);
    // the header bytes of the second member, then random places
    let second = usize::try_from(u32::from_le_bytes([
        valid[16], valid[17], valid[18], valid[19],
    ]))
    .expect("length");
    for round in 0..240 {
        let mut bytes = valid.clone();
        match round % 4 {
            0 => {
                let at = second + round / 4 % 22;
                bytes[at] ^= 1 << (rng.next() % 8);
            }
            1 => {
                let at = rng.next() as usize % bytes.len();
                bytes[at] ^= 1 << (rng.next() % 8);
            }
            2 => bytes.truncate(rng.next() as usize % bytes.len()),
            _ => {
                let at = rng.next() as usize % bytes.len();
                let junk: Vec<u8> = (0..rng.next() % 64).map(|_| rng.next() as u8).collect();
                bytes.splice(at..at, junk);
            }
        }
        std::fs::write(&path, &bytes).expect("write");
        assert_eq!(chunked(&path), sequential(&path), "round {round}");
    }
}
