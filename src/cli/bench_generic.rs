//! `sitelift bench-generic`: how good and how fast generic extraction is,
//! on the development corpora beside the repository (never in it):
//!
//! - `zyte-dev`: body precision, recall and F1 with the Zyte benchmark's
//!   own metric (word tokens `\w+`, multisets of 4-token shingles, true and
//!   false positives and false negatives summed over all pages, micro
//!   average);
//! - `web-dev`: title (exact, and ignoring case), author, date
//!   (`YYYY-MM-DD`), `with` strings found in the body and `without` strings
//!   leaked into it, each over the pages with gold for that column;
//! - `realworld`: every fact of `expected.json`;
//! - speed: per page, parse only (decode, bound, parse: what profile
//!   extraction pays before any field) against the whole generic
//!   extraction, interleaved in the same process over several rounds.
//!
//! Pages are split into a dev half (zyte ids starting `0`–`3`, the first
//! half of web-dev by name) and a holdout half, reported apart. `--compare`
//! scores another tool's output (`benches/trafilatura_corpus.py`) with the
//! same scorer, side by side.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{json, Value};
use url::Url;

use crate::extract::generic;
use crate::extract::Page;

/// Arguments of `sitelift bench-generic`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder holding `zyte-dev/` and `web-dev/` (e.g. ../shared/corpus).
    #[arg(long)]
    corpus: PathBuf,
    /// The folder of real pages with `expected.json` (e.g. ../shared/realworld).
    #[arg(long)]
    realworld: Option<PathBuf>,
    /// Another tool's output to score side by side (benches/trafilatura_corpus.py).
    #[arg(long)]
    compare: Option<PathBuf>,
    /// Where to write the scores as JSON.
    #[arg(long, default_value = "target/bench-generic.json")]
    out: PathBuf,
    /// Only the pages whose key starts with this (`zyte-dev/`, `web-dev/abc`).
    #[arg(long)]
    only: Option<String>,
    /// Print the generic record and evidence of the pages whose key starts
    /// with this (`zyte-dev/0a1`, `web-dev/name`), instead of scoring.
    #[arg(long)]
    show: Option<String>,
    /// Timing rounds per page (0: no timing).
    #[arg(long, default_value_t = 5)]
    rounds: usize,
}

/// What a tool said about one page.
#[derive(Debug, Clone, Default)]
pub struct Guess {
    title: String,
    authors: Vec<String>,
    date: String,
    text: String,
}

impl Guess {
    fn from_compare(v: &Value) -> Guess {
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        Guess {
            title: s("title"),
            authors: s("author")
                .split(';')
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty())
                .collect(),
            date: s("date"),
            text: s("text"),
        }
    }

    fn from_record(r: &crate::record::Record) -> Guess {
        Guess {
            title: r.title.clone(),
            authors: r.authors.clone(),
            date: r.published.clone().unwrap_or_default(),
            text: r.body.text.clone(),
        }
    }
}

fn gunzip(path: &Path) -> anyhow::Result<Vec<u8>> {
    let f = std::fs::File::open(path)?;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(f).read_to_end(&mut out)?;
    Ok(out)
}

fn read_json(path: &Path) -> anyhow::Result<Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{} is not JSON: {e}", path.display()))
}

/// One page of a corpus.
struct CorpusPage {
    /// `zyte-dev/<id>`, `web-dev/<name>`, `realworld/<name>`.
    key: String,
    url: Url,
    bytes: Vec<u8>,
    gold: Value,
    dev: bool,
}

fn load(args: &Args) -> anyhow::Result<Vec<CorpusPage>> {
    let mut pages = Vec::new();
    let zyte = args.corpus.join("zyte-dev");
    if zyte.is_dir() {
        let gold = read_json(&zyte.join("ground-truth.json"))?;
        let mut ids: Vec<&String> = gold
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        ids.sort();
        for id in ids {
            let g = &gold[id.as_str()];
            let url = Url::parse(g["url"].as_str().unwrap_or("http://example.invalid/"))?;
            let bytes = gunzip(&zyte.join("html").join(format!("{id}.html.gz")))?;
            let dev = matches!(id.as_bytes().first(), Some(b'0'..=b'3'));
            pages.push(CorpusPage {
                key: format!("zyte-dev/{id}"),
                url,
                bytes,
                gold: g.clone(),
                dev,
            });
        }
    }
    let web = args.corpus.join("web-dev");
    if web.is_dir() {
        let gold = read_json(&web.join("gold.json"))?;
        let mut names: Vec<&String> = gold
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        names.sort();
        let half = names.len().div_ceil(2);
        for (k, name) in names.into_iter().enumerate() {
            let g = &gold[name.as_str()];
            let url = Url::parse(g["url"].as_str().unwrap_or("http://example.invalid/"))?;
            let bytes = gunzip(&web.join("html").join(format!("{name}.gz")))?;
            pages.push(CorpusPage {
                key: format!("web-dev/{name}"),
                url,
                bytes,
                gold: g.clone(),
                dev: k < half,
            });
        }
    }
    if let Some(rw) = &args.realworld {
        if rw.join("expected.json").is_file() {
            let gold = read_json(&rw.join("expected.json"))?;
            let mut names: Vec<&String> = gold
                .as_object()
                .map(|o| o.keys().collect())
                .unwrap_or_default();
            names.sort();
            for name in names {
                let g = &gold[name.as_str()];
                let url = Url::parse(g["url"].as_str().unwrap_or("http://example.invalid/"))?;
                let bytes = std::fs::read(rw.join(name))?;
                pages.push(CorpusPage {
                    key: format!("realworld/{name}"),
                    url,
                    bytes,
                    gold: g.clone(),
                    dev: true,
                });
            }
        } else {
            eprintln!(
                "sitelift: {} has no expected.json; realworld pages skipped",
                rw.display()
            );
        }
    }
    Ok(pages)
}

/// Word tokens (`\w+` runs: letters, digits, marks, connector punctuation).
fn word_tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        let word = c.is_alphanumeric() || c == '_';
        if word {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Shingle counts of a text (4 tokens; texts shorter than that are one shingle).
fn shingles(s: &str) -> HashMap<Vec<String>, u32> {
    let t = word_tokens(s);
    let mut m = HashMap::new();
    if t.is_empty() {
        return m;
    }
    if t.len() < 4 {
        *m.entry(t).or_insert(0) += 1;
        return m;
    }
    for w in t.windows(4) {
        *m.entry(w.to_vec()).or_insert(0) += 1;
    }
    m
}

/// True positives, false positives, false negatives of `got` against `gold`.
fn shingle_counts(got: &str, gold: &str) -> (u64, u64, u64) {
    let (g, e) = (shingles(got), shingles(gold));
    let mut tp = 0u64;
    for (k, &n) in &g {
        tp += n.min(e.get(k).copied().unwrap_or(0)) as u64;
    }
    let got_n: u64 = g.values().map(|&n| n as u64).sum();
    let gold_n: u64 = e.values().map(|&n| n as u64).sum();
    (tp, got_n - tp, gold_n - tp)
}

/// White space collapsed and invisible characters (soft hyphens,
/// zero-width spaces) dropped, on both sides of every string comparison.
fn norm_ws(s: &str) -> String {
    let s: String = s
        .chars()
        .filter(|c| !crate::text::is_invisible(*c))
        .collect();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Authors agree, case- and whitespace-insensitive, when the gold name (or
/// one of the names it lists, split at `;`, `,`, `/`, `&`, ` and `,
/// ` und `) equals one of the names given, or all the names joined by `, `.
pub fn author_matches(gold: &str, got: &[String]) -> bool {
    let n = |s: &str| norm_ws(s).to_lowercase();
    let g = n(gold);
    let got: Vec<String> = got.iter().map(|a| n(a)).collect();
    if got.contains(&g) || got.join(", ") == g {
        return true;
    }
    let mut parts = vec![g.clone()];
    for sep in [";", ",", "/", "&", " and ", " und "] {
        parts = parts
            .iter()
            .flat_map(|p| p.split(sep).map(|x| x.trim().to_string()))
            .collect();
    }
    parts.iter().any(|p| !p.is_empty() && got.contains(p))
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    ok: u64,
    of: u64,
}

impl Counts {
    fn add(&mut self, ok: bool) {
        self.of += 1;
        self.ok += u64::from(ok);
    }
    fn rate(&self) -> f64 {
        if self.of == 0 {
            0.0
        } else {
            self.ok as f64 / self.of as f64
        }
    }
    fn json(&self) -> Value {
        json!({"ok": self.ok, "of": self.of, "rate": round(self.rate())})
    }
}

fn round(x: f64) -> f64 {
    (x * 10000.0).round() / 10000.0
}

#[derive(Debug, Default, Clone, Copy)]
struct Scores {
    tp: u64,
    fp: u64,
    fneg: u64,
    zyte_pages: u64,
    title: Counts,
    title_ci: Counts,
    author: Counts,
    date: Counts,
    with: Counts,
    without_leaked: Counts,
    facts: Counts,
}

impl Scores {
    fn prf(&self) -> (f64, f64, f64) {
        let p = self.tp as f64 / (self.tp + self.fp).max(1) as f64;
        let r = self.tp as f64 / (self.tp + self.fneg).max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    }
    fn json(&self) -> Value {
        let (p, r, f) = self.prf();
        json!({
            "zyte_pages": self.zyte_pages, "body_precision": round(p), "body_recall": round(r), "body_f1": round(f),
            "title_exact": self.title.json(), "title_ignoring_case": self.title_ci.json(),
            "author": self.author.json(), "date": self.date.json(),
            "with_found": self.with.json(), "without_leaked": self.without_leaked.json(),
            "realworld_facts": self.facts.json(),
        })
    }
}

/// The strings of a gold list (`with`, `body_must_contain`, ...).
fn gold_strings<'a>(gold: &'a Value, key: &str) -> impl Iterator<Item = &'a str> {
    gold[key]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// A gold string field, trimmed ("" when absent).
fn gold_str(gold: &Value, k: &str) -> String {
    gold.get(k)
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string()
}

/// Score one page; returns per-page detail for the JSON.
fn score_page(p: &CorpusPage, g: &Guess, captions: &str, s: &mut Scores) -> Value {
    if p.key.starts_with("zyte-dev/") {
        score_zyte(&p.gold, g, s)
    } else if p.key.starts_with("web-dev/") {
        score_web(&p.gold, g, s)
    } else {
        score_realworld(&p.gold, g, captions, s)
    }
}

/// A Zyte page: shingle precision and recall of the body text.
fn score_zyte(gold: &Value, g: &Guess, s: &mut Scores) -> Value {
    let (tp, fp, fneg) = shingle_counts(&g.text, gold["articleBody"].as_str().unwrap_or(""));
    s.tp += tp;
    s.fp += fp;
    s.fneg += fneg;
    s.zyte_pages += 1;
    let p1 = tp as f64 / (tp + fp).max(1) as f64;
    let r1 = tp as f64 / (tp + fneg).max(1) as f64;
    json!({"precision": round(p1), "recall": round(r1)})
}

/// A web-dev page: title, author, date, and the `with`/`without` strings.
fn score_web(gold: &Value, g: &Guess, s: &mut Scores) -> Value {
    let text = norm_ws(&g.text);
    let mut detail = serde_json::Map::new();
    let title = gold_str(gold, "title");
    if !title.is_empty() {
        let (a, b) = (norm_ws(&g.title), norm_ws(&title));
        s.title.add(a == b);
        s.title_ci.add(a.to_lowercase() == b.to_lowercase());
        detail.insert("title".into(), json!(a == b));
    }
    let author = gold_str(gold, "author");
    if !author.is_empty() {
        let ok = author_matches(&author, &g.authors);
        s.author.add(ok);
        detail.insert("author".into(), json!(ok));
    }
    let date = gold_str(gold, "date");
    if !date.is_empty() {
        let ok = g.date.get(..10) == Some(date.as_str());
        s.date.add(ok);
        detail.insert("date".into(), json!(ok));
    }
    let mut missing = Vec::new();
    for w in gold_strings(gold, "with") {
        let ok = text.contains(&norm_ws(w));
        s.with.add(ok);
        if !ok {
            missing.push(w);
        }
    }
    let mut leaked = Vec::new();
    for w in gold_strings(gold, "without") {
        let bad = text.contains(&norm_ws(w));
        s.without_leaked.add(bad);
        if bad {
            leaked.push(w);
        }
    }
    detail.insert("with_missing".into(), json!(missing));
    detail.insert("without_leaked".into(), json!(leaked));
    Value::Object(detail)
}

/// A realworld page: each fact of its gold; the body is its text and the
/// figure captions.
fn score_realworld(gold: &Value, g: &Guess, captions: &str, s: &mut Scores) -> Value {
    let text = norm_ws(&g.text);
    let body = format!("{text}\n{}", norm_ws(captions));
    let mut failed = Vec::new();
    let mut fact = |ok: bool, what: String| {
        s.facts.add(ok);
        if !ok {
            failed.push(what);
        }
    };
    fact(
        norm_ws(&g.title) == gold_str(gold, "title"),
        format!("title {:?}", g.title),
    );
    let author = gold_str(gold, "author");
    if !author.is_empty() {
        fact(
            author_matches(&author, &g.authors),
            format!("authors {:?}", g.authors),
        );
    }
    let date = gold_str(gold, "date");
    if !date.is_empty() {
        fact(
            g.date.get(..10) == Some(date.as_str()),
            format!("date {:?}", g.date),
        );
    }
    for w in gold_strings(gold, "body_must_contain") {
        fact(body.contains(&norm_ws(w)), format!("body lacks {w:?}"));
    }
    for w in gold_strings(gold, "body_must_not_contain") {
        fact(!body.contains(&norm_ws(w)), format!("body contains {w:?}"));
    }
    json!({ "failed": failed })
}

/// Decode, bound and parse, as profile extraction does before any field.
fn parse_only(page: &Page<'_>) -> usize {
    let decoded = crate::decode::decode(page.bytes, page.content_type, &Default::default());
    let (text, _) = crate::extract::limits::prepare_markup(&decoded.text, true);
    let doc = scraper::Html::parse_document(&text);
    doc.tree.values().count()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// Per page: the fastest parse-only and generic times over `rounds`
/// interleaved rounds (on a shared machine other work only ever adds time,
/// so the minimum is the measurement and the rest is noise).
fn time_pages(pages: &[CorpusPage], rounds: usize) -> Vec<(f64, f64)> {
    let mut parse_t = vec![Vec::new(); pages.len()];
    let mut gen_t = vec![Vec::new(); pages.len()];
    for _ in 0..rounds {
        for (k, p) in pages.iter().enumerate() {
            let page = Page {
                url: &p.url,
                bytes: &p.bytes,
                content_type: None,
                url_source: "bench",
            };
            let t = Instant::now();
            std::hint::black_box(parse_only(&page));
            parse_t[k].push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            std::hint::black_box(
                generic::extract(&page)
                    .map(|o| o.record.body.text.len())
                    .ok(),
            );
            gen_t[k].push(t.elapsed().as_secs_f64());
        }
    }
    let fastest = |v: &Vec<f64>| v.iter().copied().fold(f64::INFINITY, f64::min);
    parse_t
        .iter()
        .zip(gen_t.iter())
        .map(|(a, b)| (fastest(a), fastest(b)))
        .collect()
}

fn fmt_rate(c: &Counts) -> String {
    if c.of == 0 {
        "-".into()
    } else {
        format!("{:.3} ({}/{})", c.rate(), c.ok, c.of)
    }
}

fn print_table(names: &[&str], cols: &[[Scores; 3]]) {
    let mut header = format!("{:<22}", "");
    for n in names {
        for half in ["dev", "holdout", "all"] {
            header.push_str(&format!("{:>22}", format!("{n} {half}")));
        }
    }
    println!("{header}");
    type Row = (&'static str, fn(&Scores) -> String);
    let rows: [Row; 11] = [
        ("zyte body precision", |s| {
            if s.zyte_pages == 0 {
                "-".into()
            } else {
                format!("{:.4}", s.prf().0)
            }
        }),
        ("zyte body recall", |s| {
            if s.zyte_pages == 0 {
                "-".into()
            } else {
                format!("{:.4}", s.prf().1)
            }
        }),
        ("zyte body F1", |s| {
            if s.zyte_pages == 0 {
                "-".into()
            } else {
                format!("{:.4}", s.prf().2)
            }
        }),
        ("web title exact", |s| fmt_rate(&s.title)),
        ("web title ignoring case", |s| fmt_rate(&s.title_ci)),
        ("web author", |s| fmt_rate(&s.author)),
        ("web date", |s| fmt_rate(&s.date)),
        ("web with found", |s| fmt_rate(&s.with)),
        ("web without leaked", |s| fmt_rate(&s.without_leaked)),
        ("realworld facts", |s| fmt_rate(&s.facts)),
        ("zyte pages", |s| s.zyte_pages.to_string()),
    ];
    for (name, f) in rows {
        let mut line = format!("{name:<22}");
        for c in cols {
            for s in c {
                line.push_str(&format!("{:>22}", f(s)));
            }
        }
        println!("{line}");
    }
}

fn tally(
    pages: &[CorpusPage],
    guesses: &[Option<(Guess, String)>],
    details: &mut serde_json::Map<String, Value>,
) -> [Scores; 3] {
    let mut out = [Scores::default(); 3];
    for (p, g) in pages.iter().zip(guesses) {
        let empty = (Guess::default(), String::new());
        let (g, captions) = g.as_ref().unwrap_or(&empty);
        let half = if p.dev { 0 } else { 1 };
        let mut s = Scores::default();
        let d = score_page(p, g, captions, &mut s);
        details.insert(p.key.clone(), d);
        for k in [half, 2] {
            let o = &mut out[k];
            o.tp += s.tp;
            o.fp += s.fp;
            o.fneg += s.fneg;
            o.zyte_pages += s.zyte_pages;
            for (a, b) in [
                (&mut o.title, s.title),
                (&mut o.title_ci, s.title_ci),
                (&mut o.author, s.author),
                (&mut o.date, s.date),
                (&mut o.with, s.with),
                (&mut o.without_leaked, s.without_leaked),
                (&mut o.facts, s.facts),
            ] {
                a.ok += b.ok;
                a.of += b.of;
            }
        }
    }
    out
}

/// `--show`: print the record, evidence and gold of the pages under `prefix`.
fn show(pages: &[CorpusPage], prefix: &str) -> anyhow::Result<u8> {
    for p in pages.iter().filter(|p| p.key.starts_with(prefix)) {
        let page = Page {
            url: &p.url,
            bytes: &p.bytes,
            content_type: None,
            url_source: "bench",
        };
        let o = generic::extract(&page)?;
        let v = json!({"key": p.key, "record": o.record, "evidence": o.evidence, "gold": p.gold});
        println!("{}", serde_json::to_string_pretty(&v)?);
    }
    Ok(0)
}

/// Generic extraction of every page: its guess and its figure captions.
fn guess_all(pages: &[CorpusPage]) -> Vec<Option<(Guess, String)>> {
    let mut guesses = Vec::with_capacity(pages.len());
    for p in pages {
        let page = Page {
            url: &p.url,
            bytes: &p.bytes,
            content_type: None,
            url_source: "bench",
        };
        guesses.push(generic::extract(&page).ok().map(|o| {
            let captions = o
                .record
                .images
                .iter()
                .filter_map(|i| i.caption.clone())
                .collect::<Vec<_>>()
                .join("\n");
            (Guess::from_record(&o.record), captions)
        }));
    }
    guesses
}

/// `--compare`: the other tool's scores on the same pages, and its report.
fn compare(pages: &[CorpusPage], c: &Path) -> anyhow::Result<([Scores; 3], Value)> {
    let other = read_json(c)?;
    let tool = other["tool"].as_str().unwrap_or("compare").to_string();
    let theirs: Vec<Option<(Guess, String)>> = pages
        .iter()
        .map(|p| {
            other["pages"]
                .get(&p.key)
                .map(|v| (Guess::from_compare(v), String::new()))
        })
        .collect();
    let mut their_details = serde_json::Map::new();
    let t = tally(pages, &theirs, &mut their_details);
    let secs: Vec<f64> = pages
        .iter()
        .filter_map(|p| other["pages"][&p.key]["seconds"].as_f64())
        .collect();
    let mut sorted = secs.clone();
    let compare = json!({"tool": tool, "dev": t[0].json(), "holdout": t[1].json(), "all": t[2].json(),
        "seconds_median_per_page": median(&mut sorted), "seconds_total": secs.iter().sum::<f64>(), "pages": their_details});
    Ok((t, compare))
}

/// Time generic extraction against the parse, page by page.
fn speed(pages: &[CorpusPage], rounds: usize, compare: Option<&Value>) -> Value {
    let times = time_pages(pages, rounds);
    let mut ratios: Vec<f64> = times.iter().map(|(p, g)| g / p.max(1e-9)).collect();
    let over = ratios.iter().filter(|r| **r > 2.0).count();
    let (tp, tg): (f64, f64) = times
        .iter()
        .fold((0.0, 0.0), |acc, (p, g)| (acc.0 + p, acc.1 + g));
    let med = median(&mut ratios);
    let p90 = ratios.get(ratios.len() * 9 / 10).copied().unwrap_or(0.0);
    let max = ratios.last().copied().unwrap_or(0.0);
    let build = if cfg!(debug_assertions) {
        "debug build: numbers are not meaningful"
    } else {
        "release build"
    };
    println!(
        "speed ({build}, {} rounds, fastest per page): parse {:.1} ms total, generic {:.1} ms total, ratio total {:.2}, per page median {med:.2}, p90 {p90:.2}, max {max:.2}, pages over 2x: {over}/{}",
        rounds,
        tp * 1e3,
        tg * 1e3,
        tg / tp.max(1e-9),
        ratios.len()
    );
    let out = json!({"build": build, "rounds": rounds, "parse_ms_total": round(tp * 1e3), "generic_ms_total": round(tg * 1e3),
        "ratio_total": round(tg / tp.max(1e-9)), "ratio_median": round(med), "ratio_p90": round(p90), "ratio_max": round(max), "pages_over_2x": over,
        "per_page_ms": pages.iter().zip(&times).map(|(p, (a, b))| json!([p.key, round(a * 1e3), round(b * 1e3)])).collect::<Vec<_>>()});
    if let Some(c) = compare {
        println!(
            "trafilatura: {:.1} ms median per page, {:.1} s total (its own process, timed by the script)",
            c["seconds_median_per_page"].as_f64().unwrap_or(0.0) * 1e3,
            c["seconds_total"].as_f64().unwrap_or(0.0)
        );
    }
    out
}

/// Run the benchmark.
pub fn run(a: Args) -> anyhow::Result<u8> {
    if !a.corpus.join("zyte-dev").is_dir() && !a.corpus.join("web-dev").is_dir() {
        println!(
            "sitelift: no corpus at {} (zyte-dev/, web-dev/); nothing to measure",
            a.corpus.display()
        );
        return Ok(0);
    }
    let mut pages = load(&a)?;
    if let Some(prefix) = &a.only {
        pages.retain(|p| p.key.starts_with(prefix.as_str()));
    }
    if let Some(prefix) = &a.show {
        return show(&pages, prefix);
    }
    let guesses = guess_all(&pages);
    let mut details = serde_json::Map::new();
    let ours = tally(&pages, &guesses, &mut details);
    let mut names = vec!["sitelift"];
    let mut cols = vec![ours];
    let mut report = json!({"sitelift": {"dev": ours[0].json(), "holdout": ours[1].json(), "all": ours[2].json()}});
    if let Some(c) = &a.compare {
        let (t, compare) = compare(&pages, c)?;
        report["compare"] = compare;
        names.push("trafilatura");
        cols.push(t);
    }
    print_table(&names, &cols);
    report["pages"] = Value::Object(details);
    if a.rounds > 0 {
        let timed = speed(&pages, a.rounds, report.get("compare"));
        report["speed"] = timed;
    }
    if let Some(parent) = a.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&a.out, serde_json::to_string_pretty(&report)?)?;
    println!("scores written to {}", a.out.display());
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shingle_metric_counts_multisets() {
        // "a b c d e": shingles abcd, bcde; got "a b c d": abcd
        assert_eq!(shingle_counts("a b c d", "a b c d e"), (1, 0, 1));
        assert_eq!(shingle_counts("x, y; z", "x y z"), (1, 0, 0));
        assert_eq!(shingle_counts("", "a b c d"), (0, 0, 1));
        assert_eq!(
            word_tokens("Iran’s 2006 talks—ok"),
            ["Iran", "s", "2006", "talks", "ok"]
        );
    }

    #[test]
    fn authors_compare_ignoring_case_and_space() {
        assert!(author_matches("BOB  FISCHER", &["Bob Fischer".into()]));
        assert!(author_matches("dsw / DPA", &["DPA".into()]));
        assert!(author_matches("A; B", &["b".into()]));
        assert!(!author_matches("Jane Doe", &["John Doe".into()]));
    }
}
