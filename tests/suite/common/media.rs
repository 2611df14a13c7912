//! The fixture site's media for the media tests: a crawl of the served
//! site with a profile (the bundled one, or a variant of its `[media]`
//! section), the assets its records reference (from the fixture
//! expectations, through `assets_of`), and the fixture file of each media URL.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use sitelift::crawl::{crawl, CrawlOptions, CrawlSummary};
use sitelift::media::AssetRef;
use sitelift::profile::Profile;
use sitelift::record::Record;

use super::site;

/// The CDN host of the fixture site's profile (`[media] hosts`).
pub const CDN: &str = "cdn.iranfocus.com";

/// A crawled copy of the fixture site.
pub struct Crawled {
    /// The store (ledger, WARC files).
    pub dir: tempfile::TempDir,
    /// The profile crawled with.
    pub profile: Arc<Profile>,
    /// Path and query of every request the server saw, in order.
    pub requests: Vec<String>,
    /// The crawl's summary.
    pub summary: CrawlSummary,
}

impl Crawled {
    /// The store folder.
    pub fn store(&self) -> &Path {
        self.dir.path()
    }

    /// How many times the server was asked for `path`.
    pub fn asked(&self, path: &str) -> usize {
        self.requests.iter().filter(|r| *r == path).count()
    }
}

/// The bundled profile's text with its `[media]` section replaced by `media`.
pub fn profile_with_media(media: &str) -> String {
    let text = std::fs::read_to_string(site::root().join("selectors/iranfocus.toml")).unwrap();
    let start = text
        .find("\n[media]\n")
        .expect("the profile has a [media] section")
        + 1;
    let end = text[start..]
        .find("\n# ---")
        .map_or(text.len(), |i| start + i + 1);
    format!("{}{media}\n{}", &text[..start], &text[end..])
}

/// Crawl the served fixture site (no fault routes) with the profile text
/// `profile` (None: the bundled profile), extracting records too when
/// `extract`.
pub fn crawl_site(profile: Option<&str>, extract: bool, max_pages: Option<u64>) -> Crawled {
    crawl_dir(&site::fixtures(), profile, extract, max_pages, &[])
}

/// [`crawl_site`] of the site in `dir`, from `seeds` too.
pub fn crawl_dir(
    dir: &Path,
    profile: Option<&str>,
    extract: bool,
    max_pages: Option<u64>,
    seeds: &[&str],
) -> Crawled {
    let site_dir = dir;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(async {
        sitelift::serve::serve(
            site_dir,
            "127.0.0.1:0".parse().unwrap(),
            sitelift::serve::ServeOptions::default(),
        )
        .await
        .unwrap()
    });
    let dir = tempfile::tempdir().unwrap();
    let bundled = site::root().join("selectors/iranfocus.toml");
    let profile = match profile {
        None => Profile::load(&bundled).unwrap(),
        Some(text) => Profile::from_str(text, &bundled).unwrap(),
    };
    let mut cfg = profile.crawl.clone().unwrap();
    // the CDN only as itself: a `www.` spelling of it would go nowhere
    cfg.fetch.connect_to = ["www.iranfocus.com", "iranfocus.com", CDN]
        .iter()
        .map(|h| (h.to_string(), server.addr()))
        .collect();
    cfg.fetch.allow_private = vec!["127.0.0.1".into()];
    cfg.fetch.delay_per_host = Duration::from_millis(5);
    cfg.fetch.timeout = Duration::from_millis(3000);
    cfg.fetch.max_attempts = 2;
    cfg.fetch.backoff_base = Duration::from_millis(20);
    cfg.scope.max_pages = max_pages.or(cfg.scope.max_pages);
    let profile = Arc::new(profile);
    let lock = sitelift::store::StoreLock::acquire(dir.path(), "test").unwrap();
    let opts = CrawlOptions {
        store: dir.path().to_path_buf(),
        seeds: seeds.iter().map(|s| url::Url::parse(s).unwrap()).collect(),
        retry_failed: false,
        extract,
        progress: None,
        profile_fingerprint: "test".into(),
    };
    let summary = crawl(profile.clone(), cfg, opts, &lock).unwrap();
    assert!(!summary.interrupted);
    drop(lock);
    let requests = server.request_log().into_iter().map(|(p, _)| p).collect();
    rt.block_on(server.shutdown());
    Crawled {
        dir,
        profile,
        requests,
        summary,
    }
}

/// One crawl of the site with the bundled profile, shared by the tests.
pub fn crawled() -> &'static Crawled {
    static CRAWLED: OnceLock<Crawled> = OnceLock::new();
    CRAWLED.get_or_init(|| crawl_site(None, true, None))
}

/// The article records the fixture expectations hold.
pub fn fixture_records() -> Vec<Record> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(site::fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.ends_with(".json") && !n.ends_with(".meta.json")
        })
        .collect();
    files.sort();
    for f in files {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
        if v.get("legacy_id").is_some() {
            out.push(serde_json::from_value(v).unwrap());
        }
    }
    out
}

/// Every asset of the fixture records under `profile`'s rules, by URL.
pub fn fixture_assets(profile: &Profile) -> BTreeMap<String, AssetRef> {
    fixture_records()
        .iter()
        .flat_map(|r| sitelift::media::assets_of(r, &profile.media))
        .map(|a| (a.url.clone(), a))
        .collect()
}

/// The media files of the fixture folder, by every URL that reaches them
/// (their sidecar's `url` and `aliases`).
pub fn fixture_files() -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(site::fixtures()).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let Some(file) = name.strip_suffix(".meta.json") else {
            continue;
        };
        if !name.starts_with("media-") {
            continue;
        }
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        let path = site::fixtures().join(file);
        out.insert(v["url"].as_str().unwrap().to_string(), path.clone());
        for a in v["aliases"].as_array().into_iter().flatten() {
            out.insert(a.as_str().unwrap().to_string(), path.clone());
        }
    }
    out
}

/// Path and query of a URL, as the server logs requests.
pub fn path_of(url: &str) -> String {
    let u = url::Url::parse(url).unwrap();
    match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    }
}
