//! `crawl --dry-run`: what the crawl would fetch, in canonical form, with
//! the scope's reason for what it would skip, without fetching or writing:
//! a store that does not exist is not created, and one that does is left
//! byte for byte as it was (and a changed profile can be tried on it).

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::site::{crawl_fixture_site, sitelift};

fn dry_run(profile: &str, store: &Path, extra: &[&str]) -> (Vec<Vec<String>>, String) {
    let store = store.display().to_string();
    let mut args = vec![
        "crawl",
        "--profile",
        profile,
        "--store",
        &store,
        "--dry-run",
    ];
    args.extend(extra);
    let (code, out, err) = sitelift(&args);
    assert_eq!(code, Some(0), "{err}");
    let lines = out
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect();
    (lines, err)
}

/// Every file of `dir` with its bytes, but SQLite's shared-memory and
/// write-ahead files, which any reader of the ledger (`status` too) may
/// leave beside it.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            let name = p.display().to_string();
            if p.is_dir() {
                stack.push(p);
            } else if name.ends_with("-shm") || name.ends_with("-wal") {
                continue;
            } else {
                out.insert(p.display().to_string(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn dry_run_lists_canonical_forms_and_scope_verdicts_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("new-store");
    let urls = dir.path().join("urls.txt");
    std::fs::write(
        &urls,
        "# old sitemap export\n\
         https://www.iranfocus.com/en/index.php?option=com_content&task=view&id=7198&Itemid=26\n\
         http://iranfocus.com/en/index.php?id=7198&task=view&option=com_content&Itemid=31\n\
         https://elsewhere.example/page\n\
         not a url\n",
    )
    .unwrap();
    let u = urls.display().to_string();
    let (lines, err) = dry_run("selectors/iranfocus.toml", &store, &["--urls", &u]);
    assert!(!store.exists(), "a dry run created the store");
    let joomla = "https://www.iranfocus.com/en/index.php?id=7198&option=com_content&task=view";
    // the two start URLs, then the file's lines
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert_eq!(lines[2][0], "fetch");
    assert_eq!(lines[2][2], joomla);
    assert!(lines[2][3].ends_with("&Itemid=26"));
    assert_eq!(lines[3][0], "duplicate");
    assert_eq!(lines[3][1], "same canonical form as line 3");
    assert_eq!(lines[3][2], joomla);
    assert_eq!(lines[4][0], "skip");
    assert_eq!(lines[4][1], "host_not_allowed");
    assert!(err.contains("urls.txt:5: not an absolute URL"), "{err}");
    assert!(err.contains("nothing was fetched or written"), "{err}");
}

#[test]
fn dry_run_on_a_store_reads_it_only_and_tries_a_changed_scope_on_its_urls() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    crawl_fixture_site(&store);
    let before = snapshot(&store);
    let (lines, _) = dry_run("selectors/iranfocus.toml", &store, &[]);
    let fetched = lines.iter().filter(|l| l[0] == "fetched").count();
    assert_eq!(fetched, 17, "{lines:?}");
    assert!(lines
        .iter()
        .any(|l| l[0] == "failed" && l[1].contains("http_404")));

    // the same store with a profile that now excludes the Joomla-era URLs
    let text =
        std::fs::read_to_string(crate::common::site::root().join("selectors/iranfocus.toml"))
            .unwrap();
    let changed = text.replacen("exclude = [", "exclude = [\n  'index\\.php\\?',", 1);
    assert_ne!(changed, text, "the profile has an exclude list to extend");
    let profile = dir.path().join("changed.toml");
    std::fs::write(&profile, changed).unwrap();
    let (lines, _) = dry_run(&profile.display().to_string(), &store, &["--json"]);
    let json: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(&l[0]).unwrap())
        .collect();
    let joomla: Vec<&serde_json::Value> = json
        .iter()
        .filter(|v| v["canonical"].as_str().unwrap().contains("index.php?"))
        .filter(|v| v["verdict"] != "duplicate")
        .collect();
    assert!(!joomla.is_empty());
    for v in joomla {
        assert_eq!(v["verdict"], "skip", "{v}");
        assert_eq!(v["why"], "excluded", "{v}");
    }
    assert!(snapshot(&store) == before, "a dry run changed the store");
}
