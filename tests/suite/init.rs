//! `sitelift init`: a profile written from sample pages (saved pages, a
//! crawl store, its WARC files) loads with the normal loader, gives records
//! that agree with the hand-written `selectors/iranfocus.toml`, and, with
//! `--fixtures`, passes `sitelift check` on its own fixtures; bad inputs
//! exit 2 and write nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sitelift::assemble::offline::extract_saved;
use sitelift::profile::Profile;
use sitelift::record::{Outcome, Record};
use sitelift::sources::saved;

use crate::common::{media, site};

fn sitelift(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sitelift"))
        .current_dir(site::root())
        .args(args)
        .output()
        .unwrap()
}

fn init(out: &Path, inputs: &[&Path], extra: &[&str]) -> Output {
    let mut args: Vec<String> = vec![
        "init".into(),
        "--site".into(),
        "iranfocus".into(),
        "--out".into(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    sitelift(&refs)
}

/// The records of the fixture pages with `profile`, by URL.
fn records(profile: &Profile) -> BTreeMap<String, Record> {
    let pages = saved::collect(&[site::fixtures()]).unwrap().pages;
    let mut out = BTreeMap::new();
    for p in pages {
        let sp = saved::load(&p, None, None).unwrap();
        if let Outcome::Record(r) = extract_saved(&sp, profile) {
            out.insert(r.url.clone(), *r);
        }
    }
    out
}

fn hand_written() -> Profile {
    Profile::load(&site::root().join("selectors/iranfocus.toml")).unwrap()
}

/// How many records of `hand` the `init` profile gives with the same
/// title, section, published and authors.
fn agreeing(hand: &BTreeMap<String, Record>, mine: &BTreeMap<String, Record>) -> usize {
    hand.iter()
        .filter(|(url, h)| {
            mine.get(*url).is_some_and(|m| {
                m.title == h.title
                    && m.section == h.section
                    && m.published == h.published
                    && m.authors == h.authors
            })
        })
        .count()
}

fn ok(o: &Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(0), "{err}");
    err
}

#[test]
fn init_on_the_fixture_pages_writes_a_profile_that_agrees_with_the_hand_written_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("iranfocus.toml");
    let err = ok(&init(&out, &[&site::fixtures()], &[]));
    assert!(err.contains("templates"), "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with(sitelift::induce::MARKER), "{text}");
    // stable names only: no positional chains, no generated class names
    assert!(!text.contains("nth-"), "{text}");
    assert!(!text.contains("postid-"), "{text}");
    let profile = Profile::load(&out).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(
        profile.templates.iter().any(|t| !t.emit),
        "listings: {text}"
    );
    let hand = records(&hand_written());
    let mine = records(&profile);
    let n = agreeing(&hand, &mine);
    // the body's paragraphs and every list the hand-written profile finds, too
    let full = hand
        .iter()
        .filter(|(url, h)| {
            mine.get(*url).is_some_and(|m| {
                m.body.paragraphs == h.body.paragraphs
                    && h.lists
                        .iter()
                        .all(|(k, v)| m.lists.get(k).map_or(v.is_empty(), |w| w == v))
            })
        })
        .count();
    println!(
        "init profile vs iranfocus.toml: {full} of {} records equal on body paragraphs and lists",
        hand.len()
    );
    assert!(
        full * 10 >= hand.len() * 7,
        "{full} of {}\n{text}",
        hand.len()
    );
    println!(
        "init profile vs iranfocus.toml: {n} of {} records equal on title, section, published, authors",
        hand.len()
    );
    assert!(hand.len() >= 10);
    assert!(n * 10 >= hand.len() * 9, "{n} of {}\n{text}", hand.len());
    // the same input gives the same file
    let again = dir.path().join("again.toml");
    ok(&init(&again, &[&site::fixtures()], &[]));
    let second = std::fs::read_to_string(&again).unwrap();
    assert_eq!(text, second);
}

#[test]
fn init_with_fixtures_then_check_passes() {
    let dir = tempfile::tempdir().unwrap();
    let selectors = dir.path().join("selectors");
    let out = selectors.join("iranfocus.toml");
    let fixtures = dir.path().join("fixtures/iranfocus");
    let fx = fixtures.display().to_string();
    ok(&init(&out, &[&site::fixtures()], &["--fixtures", &fx]));
    let pages = saved::collect(std::slice::from_ref(&fixtures))
        .unwrap()
        .pages;
    assert_eq!(pages.len(), 17, "{pages:?}");
    for p in &pages {
        assert!(p.with_extension("json").exists(), "{}", p.display());
        assert!(saved::sidecar_path(p).exists(), "{}", p.display());
    }
    let o = sitelift(&[
        "check",
        &fx,
        "--selectors",
        &selectors.display().to_string(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("17 pages: 17 passed"), "{stdout}");
    // init again over its own files: allowed, and check still passes
    ok(&init(&out, &[&site::fixtures()], &["--fixtures", &fx]));
    let o = sitelift(&[
        "check",
        &fx,
        "--selectors",
        &selectors.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn init_from_a_store_and_from_its_warc_files() {
    let crawled = media::crawled();
    let store = crawled.store();
    let hand = records(&hand_written());
    let dir = tempfile::tempdir().unwrap();
    // a store
    let out = dir.path().join("from-store.toml");
    ok(&init(&out, &[store], &[]));
    let from_store = Profile::load(&out).unwrap();
    let n = agreeing(&hand, &records(&from_store));
    println!("init from a store: {n} of {} records agree", hand.len());
    assert!(n * 10 >= hand.len() * 9, "{n}");
    // its WARC files
    let warcs: Vec<PathBuf> = std::fs::read_dir(store.join("warc"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".warc.gz"))
        .collect();
    assert!(!warcs.is_empty());
    let out = dir.path().join("from-warc.toml");
    let refs: Vec<&Path> = warcs.iter().map(PathBuf::as_path).collect();
    ok(&init(&out, &refs, &[]));
    let from_warc = Profile::load(&out).unwrap();
    let n = agreeing(&hand, &records(&from_warc));
    println!("init from WARC files: {n} of {} records agree", hand.len());
    assert!(n * 10 >= hand.len() * 9, "{n}");
}

#[test]
fn no_pages_is_exit_2_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = dir.path().join("x.toml");
    let o = init(&out, &[&empty], &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("no pages in"), "{err}");
    assert!(!out.exists());
    let o = init(&out, &[&dir.path().join("missing")], &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn a_profile_init_did_not_write_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("iranfocus.toml");
    let mine = "# my own profile\n[site]\nname = \"iranfocus\"\n";
    std::fs::write(&out, mine).unwrap();
    let o = init(&out, &[&site::fixtures()], &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("was not written by sitelift init"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), mine);
    // with --force it is replaced
    ok(&init(&out, &[&site::fixtures()], &["--force"]));
    assert!(sitelift::induce::is_init_written(
        &std::fs::read_to_string(&out).unwrap()
    ));
    // fixture files that hold something else are not replaced either
    let fx = dir.path().join("fx");
    std::fs::create_dir(&fx).unwrap();
    std::fs::write(fx.join("wp-article-7198.html"), "<p>mine</p>").unwrap();
    let fxs = fx.display().to_string();
    let o = init(&out, &[&site::fixtures()], &["--fixtures", &fxs]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("exists with other content"), "{err}");
    assert_eq!(
        std::fs::read_to_string(fx.join("wp-article-7198.html")).unwrap(),
        "<p>mine</p>"
    );
}
