//! Decoding pages that declare no charset (issue 16, item 13): the three
//! real pages of `../shared/realworld/` (or the folder named by
//! `SITELIFT_REALWORLD`) with their `<meta charset>` removed and no charset
//! in the Content-Type, so the decision falls to the undeclared path. Also
//! a windows-1252 copy of each (the path that still runs detection).
//! Without the folder the benchmark has nothing to measure and says so.
//!
//! `cargo bench --bench decode`

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use sitelift::decode::{decode, DecodeOptions};

/// `html` without its `<meta charset=...>` tags.
fn without_meta_charset(html: &str) -> String {
    let re = regex::Regex::new(r#"(?i)<meta[^>]*charset[^>]*>"#).expect("static");
    re.replace_all(html, "").into_owned()
}

fn pages() -> Vec<(String, Vec<u8>)> {
    let dir = std::env::var_os("SITELIFT_REALWORLD")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld"));
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("no {}: nothing to measure", dir.display());
        return Vec::new();
    };
    let mut names: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for p in names {
        let name = p
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let utf8 = without_meta_charset(&text);
        // the same text in windows-1252 (what it cannot spell becomes &#...;)
        let cp1252 = encoding_rs::WINDOWS_1252.encode(&utf8).0.into_owned();
        out.push((format!("{name}/utf8"), utf8.into_bytes()));
        out.push((format!("{name}/cp1252"), cp1252));
    }
    out
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode_undeclared");
    for (name, bytes) in pages() {
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(&name, |b| {
            b.iter(|| decode(&bytes, Some("text/html"), &DecodeOptions::default()))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
