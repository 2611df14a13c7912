//! Criterion benchmarks of the extraction hot path, against the parse floor.
//!
//! The target is "full extraction ≤ 1.3× parse-only"; these
//! benchmarks measure each stage on the same pages so the ratio can be read
//! off directly: decoding, `Html::parse_document` alone, the whole
//! `extract`, body flattening, HTML rendering + ammonia, and list
//! extraction. Pages: the fixture articles and listing of
//! `fixtures/iranfocus/` with `selectors/iranfocus.toml`, and, when the
//! folder `../shared/realworld/` exists, the real tagDiv pages there with
//! `selectors/tagdiv.toml`.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use scraper::Html;
use url::Url;

use sitelift::decode::{decode, DecodeOptions};
use sitelift::extract::index::DocIndex;
use sitelift::extract::{body, extract, limits, lists, select, Page, Trace};
use sitelift::profile::Profile;

struct Case {
    name: String,
    bytes: Vec<u8>,
    content_type: Option<String>,
    url: Url,
    profile: &'static Profile,
}

fn leak_profile(path: &Path) -> &'static Profile {
    Box::leak(Box::new(Profile::load(path).expect("profile loads")))
}

fn cases() -> Vec<Case> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let iranfocus = leak_profile(&root.join("selectors/iranfocus.toml"));
    let mut out = Vec::new();
    for name in ["wp-article-7198", "joomla-article-7198", "wp-listing-iraq"] {
        let dir = root.join("fixtures/iranfocus");
        let bytes = std::fs::read(dir.join(format!("{name}.html"))).expect("fixture");
        let meta: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dir.join(format!("{name}.meta.json"))).expect("sidecar"),
        )
        .expect("sidecar json");
        out.push(Case {
            name: format!("fixture/{name}"),
            bytes,
            content_type: meta["content_type"].as_str().map(str::to_string),
            url: Url::parse(meta["url"].as_str().expect("url")).expect("url parses"),
            profile: iranfocus,
        });
    }
    let real = root.join("../shared/realworld");
    if real.is_dir() {
        let tagdiv = leak_profile(&root.join("selectors/tagdiv.toml"));
        let expected: serde_json::Value = std::fs::read(real.join("expected.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let mut names: Vec<String> = std::fs::read_dir(&real)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter_map(|e| e.file_name().to_str().map(str::to_string))
                    .filter(|n| n.ends_with(".html"))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        for n in names {
            let Ok(bytes) = std::fs::read(real.join(&n)) else {
                continue;
            };
            let url = expected[&n]["url"]
                .as_str()
                .and_then(|u| Url::parse(u).ok())
                .unwrap_or_else(|| Url::parse("https://example.com/").expect("static"));
            out.push(Case {
                name: format!("realworld-nocharset/{}", n.trim_end_matches(".html")),
                bytes: undeclared(&bytes),
                content_type: Some("text/html".into()),
                url: url.clone(),
                profile: tagdiv,
            });
            out.push(Case {
                name: format!("realworld/{}", n.trim_end_matches(".html")),
                bytes,
                content_type: Some("text/html; charset=utf-8".into()),
                url,
                profile: tagdiv,
            });
        }
    }
    out
}

/// The page with its `<meta charset>` and `<meta http-equiv=Content-Type>`
/// tags removed (served as `text/html`, it declares no charset).
fn undeclared(bytes: &[u8]) -> Vec<u8> {
    let lower = bytes.to_ascii_lowercase();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(off) = memchr::memmem::find(&lower[i..], b"<meta") {
        let at = i + off;
        let end = memchr::memchr(b'>', &lower[at..]).map_or(lower.len(), |e| at + e + 1);
        let tag = &lower[at..end];
        let declares = memchr::memmem::find(tag, b"charset").is_some();
        out.extend_from_slice(&bytes[i..at]);
        if !declares {
            out.extend_from_slice(&bytes[at..end]);
        }
        i = end;
    }
    out.extend_from_slice(&bytes[i..]);
    out
}

/// Pages of the generated corpus (`sitelift gen-corpus --seed 1`), with and
/// without their declared charset: one benchmark extracts them all.
fn generated(profile: &'static Profile, declared: bool) -> Vec<Case> {
    (0..40)
        .map(|i| {
            let p = sitelift::corpus::generate(1, 10_000, i);
            Case {
                name: p.name.clone(),
                bytes: if declared {
                    p.bytes.clone()
                } else {
                    undeclared(&p.bytes)
                },
                content_type: Some(
                    if declared {
                        p.content_type
                    } else {
                        "text/html"
                    }
                    .into(),
                ),
                url: Url::parse(&p.url).expect("generated url"),
                profile,
            }
        })
        .collect()
}

fn page(c: &Case) -> Page<'_> {
    Page {
        url: &c.url,
        bytes: &c.bytes,
        content_type: c.content_type.as_deref(),
        url_source: "bench",
    }
}

fn corpus_benches(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let iranfocus = leak_profile(&root.join("selectors/iranfocus.toml"));
    for declared in [true, false] {
        let pages = generated(iranfocus, declared);
        let name = match declared {
            true => "generated-40",
            false => "generated-40-nocharset",
        };
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Elements(pages.len() as u64));
        let texts: Vec<String> = pages
            .iter()
            .map(|p| decode(&p.bytes, p.content_type.as_deref(), &opts(p.profile)).text)
            .collect();
        g.bench_function("parse_only", |b| {
            b.iter(|| {
                for t in &texts {
                    std::hint::black_box(Html::parse_document(t));
                }
            })
        });
        g.bench_function("full_extract", |b| {
            b.iter(|| {
                for c in &pages {
                    std::hint::black_box(extract(&page(c), c.profile));
                }
            })
        });
        g.bench_function("full_extract_all_attributes", |b| {
            b.iter(|| {
                for c in &pages {
                    let p = page(c);
                    let parsed = sitelift::extract::parse(&p, c.profile).expect("parses");
                    std::hint::black_box(sitelift::extract::extract_parsed(
                        &parsed,
                        &p,
                        c.profile,
                        &mut Trace::off(),
                    ));
                }
            })
        });
        g.finish();
    }
}

fn opts(p: &Profile) -> DecodeOptions {
    DecodeOptions {
        override_encoding: p.encoding,
        repair_mojibake: p.repair_mojibake,
    }
}

fn benches(c: &mut Criterion) {
    for case in cases() {
        let mut g = c.benchmark_group(&case.name);
        g.throughput(Throughput::Bytes(case.bytes.len() as u64));
        let ct = case.content_type.as_deref();
        let o = opts(case.profile);
        g.bench_function("decode", |b| b.iter(|| decode(&case.bytes, ct, &o)));
        let text = decode(&case.bytes, ct, &o).text;
        g.bench_function("bound_markup", |b| {
            b.iter(|| limits::bound_markup(&text).0.len())
        });
        g.bench_function("prepare_markup", |b| {
            b.iter(|| limits::prepare_markup(&text, true).0.len())
        });
        g.bench_function("parse_only", |b| b.iter(|| Html::parse_document(&text)));
        let prepared = limits::prepare_markup(&text, true).0.into_owned();
        g.bench_function("parse_prepared", |b| {
            b.iter(|| Html::parse_document(&prepared))
        });
        let page = Page {
            url: &case.url,
            bytes: &case.bytes,
            content_type: ct,
            url_source: "bench",
        };
        g.bench_function("full_extract", |b| b.iter(|| extract(&page, case.profile)));
        // the same, parsing every attribute (the extraction before
        // `extract::attrs`; the crawl's parse for links)
        g.bench_function("full_extract_all_attributes", |b| {
            b.iter(|| {
                let parsed = sitelift::extract::parse(&page, case.profile).expect("parses");
                sitelift::extract::extract_parsed(&parsed, &page, case.profile, &mut Trace::off())
            })
        });
        let keep = case.profile.attr_keep.as_ref();
        g.bench_function("prepare_keeping", |b| {
            b.iter(|| limits::prepare_markup_keeping(&text, true, keep).0.len())
        });
        let kept = limits::prepare_markup_keeping(&text, true, keep)
            .0
            .into_owned();
        g.bench_function("parse_kept", |b| b.iter(|| Html::parse_document(&kept)));

        let doc = Html::parse_document(&text);
        let root = doc.root_element();
        let keys = &case.profile.index_keys;
        g.bench_function("index", |b| {
            b.iter(|| DocIndex::new(&doc, false, Some(keys)).len())
        });
        let ix = DocIndex::new(&doc, false, Some(keys));
        let template = sitelift::extract::route(&ix, &case.url, case.profile, &mut Trace::off());
        if let Some(t) = template {
            if let Some(spec) = &t.body {
                let containers: Vec<_> = spec
                    .select
                    .iter()
                    .find(|s| root.select(&s.sel).next().is_some())
                    .map(|s| {
                        let all: Vec<_> = root.select(&s.sel).collect();
                        let n = if spec.all_matches { all.len() } else { 1 };
                        all.into_iter().take(n).collect()
                    })
                    .unwrap_or_default();
                if !containers.is_empty() {
                    let flatten_all = || {
                        containers
                            .iter()
                            .map(|c| {
                                let removed = select::removed_set(&ix, *c, &spec.remove);
                                body::flatten(*c, &removed, &case.url)
                            })
                            .collect::<Vec<_>>()
                    };
                    g.bench_function("body_flatten", |b| b.iter(flatten_all));
                    let flats = flatten_all();
                    g.bench_function("body_render", |b| {
                        b.iter(|| {
                            flats
                                .iter()
                                .map(|f| body::render_html(&f.blocks, &f.images))
                                .collect::<Vec<_>>()
                        })
                    });
                    let html: String = flats
                        .iter()
                        .map(|f| body::render_html(&f.blocks, &f.images))
                        .collect();
                    g.bench_function("body_ammonia", |b| b.iter(|| body::sanitize(&html)));
                }
            }
            if !t.lists.is_empty() {
                g.bench_function("lists", |b| {
                    b.iter(|| {
                        for spec in &t.lists {
                            lists::extract_list(spec, &ix, root, &case.url, &mut Trace::off());
                        }
                    })
                });
            }
            g.bench_function("route", |b| {
                b.iter(|| sitelift::extract::route(&ix, &case.url, case.profile, &mut Trace::off()))
            });
        }
        g.finish();
    }
}

criterion_group! {
    name = extraction;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = benches, corpus_benches
}
criterion_main!(extraction);
