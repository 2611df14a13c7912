//! `sitelift verify` against a real nginx: a package extracted from the
//! fixture site (both layouts), a folder of "imported" pages generated from
//! its records (one `index.html` per new path with the record's title, and
//! media files), nginx serving that folder and redirecting with the
//! package's own `redirects.map`. Verify must pass; then, with one page
//! removed, one redirect line pointing elsewhere and one media file changed,
//! it must report exactly those, in the same bytes whatever the
//! concurrency. A second site breaks each rule once (temporary redirect,
//! chain, no redirect, error, redirect off the site, wrong title, not HTML,
//! a new path that redirects, a missing media file) and each must be named.
//!
//! Without nginx the tests say they are skipped and pass, unless
//! `SITELIFT_REQUIRE_NGINX=1` (CI sets it, after installing nginx).
//! `SITELIFT_NGINX=PATH` chooses the binary (the default: `nginx` on the
//! `PATH`, `/usr/sbin/nginx`, `/usr/local/nginx/sbin/nginx`).

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use url::Url;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The nginx binary, or None after saying why the test is skipped (a
/// failure instead under `SITELIFT_REQUIRE_NGINX=1`).
pub(crate) fn nginx_or_skip(test: &str) -> Option<PathBuf> {
    // SITELIFT_NGINX names the binary to use, and only that one
    let candidates: Vec<PathBuf> = match std::env::var_os("SITELIFT_NGINX") {
        Some(p) => vec![PathBuf::from(p)],
        None => {
            let mut c: Vec<PathBuf> = std::env::var_os("PATH")
                .map(|path| {
                    std::env::split_paths(&path)
                        .map(|d| d.join("nginx"))
                        .collect()
                })
                .unwrap_or_default();
            c.push(PathBuf::from("/usr/sbin/nginx"));
            c.push(PathBuf::from("/usr/local/nginx/sbin/nginx"));
            c
        }
    };
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return Some(found.clone());
    }
    let why = format!(
        "nginx is not installed (looked for {}); apt-get install nginx-light to run it",
        candidates
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if std::env::var("SITELIFT_REQUIRE_NGINX").as_deref() == Ok("1") {
        panic!("{test}: {why}, and SITELIFT_REQUIRE_NGINX=1 says it must run");
    }
    eprintln!("SKIPPED {test}: {why}");
    None
}

/// An nginx started for a test, stopped (SIGTERM to its master, then
/// waited for) when dropped.
pub(crate) struct Nginx {
    child: Child,
    pub(crate) port: u16,
    log: PathBuf,
}

impl Nginx {
    /// Start `bin` on a free port of 127.0.0.1 with the config `conf(port)`;
    /// everything it writes (pid, logs, temporary files) stays in `prefix`.
    pub(crate) fn start(bin: &Path, prefix: &Path, conf: impl Fn(u16) -> String) -> Nginx {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        for d in ["logs", "tmp"] {
            std::fs::create_dir_all(prefix.join(d)).unwrap();
        }
        let conf_path = prefix.join("nginx.conf");
        std::fs::write(&conf_path, conf(port)).unwrap();
        let log = prefix.join("logs/error.log");
        let mut child = Command::new(bin)
            .arg("-p")
            .arg(prefix)
            .arg("-c")
            .arg(&conf_path)
            .arg("-e")
            .arg(&log)
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // readiness, not timing: wait until it accepts, or say why it died
        for _ in 0..3000 {
            if let Some(status) = child.try_wait().unwrap() {
                panic!(
                    "nginx exited ({status}): {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Nginx { child, port, log };
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let _ = child.kill();
        panic!("nginx did not listen on port {port}");
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!(
                "nginx error log:\n{}",
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
        }
    }
}

/// The nginx config: the package's map, `301` to the new site when it is
/// set, else the folder; `extra` goes into the server block first (exact
/// locations that break a rule on purpose).
fn conf(prefix: &Path, port: u16, map: &Path, site: &Path, extra: &str) -> String {
    let longest = std::fs::read_to_string(map)
        .unwrap()
        .lines()
        .map(str::len)
        .max()
        .unwrap_or(0);
    let bucket = (longest + 64).next_power_of_two();
    let p = prefix.display();
    format!(
        "worker_processes 1;\n\
         pid {p}/nginx.pid;\n\
         error_log {p}/logs/error.log;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n\
           access_log {p}/logs/access.log;\n\
           client_body_temp_path {p}/tmp/body;\n\
           proxy_temp_path {p}/tmp/proxy;\n\
           fastcgi_temp_path {p}/tmp/fastcgi;\n\
           uwsgi_temp_path {p}/tmp/uwsgi;\n\
           scgi_temp_path {p}/tmp/scgi;\n\
           types {{ text/html html; image/jpeg jpg jpeg; image/png png; }}\n\
           default_type application/octet-stream;\n\
           map_hash_bucket_size {bucket};\n\
           include {map};\n\
           server {{\n\
             listen 127.0.0.1:{port};\n\
             server_name _;\n\
             root {site};\n\
             index index.html;\n\
             {extra}\n\
             location / {{\n\
               if ($sitelift_new_url) {{ return 301 https://{NEW_HOST}$sitelift_new_url; }}\n\
             }}\n\
           }}\n\
         }}\n",
        map = map.display(),
        site = site.display(),
    )
}

const NEW_HOST: &str = "new.example";
const LEGACY_HOSTS: [&str; 2] = ["www.iranfocus.com", "iranfocus.com"];

/// A package written by `sitelift extract` over the fixture site.
struct Package {
    /// What `--out` named.
    out: PathBuf,
    /// The folder its relative media paths are found in.
    base: PathBuf,
    csv: PathBuf,
    map: PathBuf,
    media: PathBuf,
    dir: bool,
}

fn sitelift(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_sitelift"))
        .current_dir(root())
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn extract(tmp: &Path, dir: bool) -> Package {
    let out = if dir {
        tmp.join("migration")
    } else {
        tmp.join("out/records.jsonl")
    };
    let mut args: Vec<&std::ffi::OsStr> = [
        "extract",
        "--profile",
        "selectors/iranfocus.toml",
        "fixtures/iranfocus",
        "--out",
    ]
    .iter()
    .map(|s| s.as_ref())
    .collect();
    args.push(out.as_os_str());
    let media_dir = tmp.join("out");
    if dir {
        args.extend(["--layout", "dir"].map(std::ffi::OsStr::new));
    } else {
        // the media files beside the records file, under out/media/
        args.push("--media-dir".as_ref());
        args.push(media_dir.as_os_str());
    }
    let (code, _, err) = sitelift(&args);
    // 1: the fixture site holds one page no template matches
    assert!(code == 0 || code == 1, "extract exited {code}: {err}");
    let (base, prefix) = if dir {
        (out.clone(), "")
    } else {
        (out.parent().unwrap().to_path_buf(), "records.")
    };
    let side = |n: &str| format!("{prefix}{n}");
    Package {
        csv: base.join(side("redirects.csv")),
        map: base.join(side("redirects.map")),
        media: base.join(side("media.jsonl")),
        out,
        base,
        dir,
    }
}

/// One row of `redirects.csv` (the fixture's URLs hold no comma or quote).
#[derive(Debug, Clone)]
struct Row {
    legacy_url: String,
    new_url: String,
    kind: String,
    record: String,
}

impl Package {
    fn rows(&self) -> Vec<Row> {
        let text = std::fs::read_to_string(&self.csv).unwrap();
        text.lines()
            .skip(1)
            .map(|l| {
                assert!(!l.contains('"'), "a quoted CSV field: {l}");
                let f: Vec<&str> = l.split(',').collect();
                assert_eq!(f.len(), 4, "{l}");
                Row {
                    legacy_url: f[0].into(),
                    new_url: f[1].into(),
                    kind: f[2].into(),
                    record: f[3].into(),
                }
            })
            .collect()
    }

    fn records(&self) -> Vec<Value> {
        let texts: Vec<String> = if self.dir {
            let mut files = Vec::new();
            let mut stack = vec![self.out.join("records")];
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(&d).unwrap() {
                    let p = e.unwrap().path();
                    if p.is_dir() {
                        stack.push(p);
                    } else {
                        files.push(p);
                    }
                }
            }
            files.sort();
            files
                .iter()
                .map(|f| std::fs::read_to_string(f).unwrap())
                .collect()
        } else {
            std::fs::read_to_string(&self.out)
                .unwrap()
                .lines()
                .map(str::to_string)
                .collect()
        };
        texts
            .iter()
            .map(|t| serde_json::from_str::<Value>(t).unwrap())
            .filter(|v| v.get("error").is_none())
            .collect()
    }

    /// Record key → title.
    fn titles(&self) -> BTreeMap<String, String> {
        self.records()
            .iter()
            .map(|r| {
                let key = match r["legacy_id"].as_str() {
                    Some(id) if !id.is_empty() => id.to_string(),
                    _ => r["url"].as_str().unwrap().to_string(),
                };
                (key, r["title"].as_str().unwrap().to_string())
            })
            .collect()
    }

    /// The media of the package (path, bytes), read from the package: the
    /// paths of media.jsonl are relative to its folder.
    fn media(&self) -> Vec<(String, Vec<u8>)> {
        assert!(self.media.is_file(), "{} is missing", self.media.display());
        let text = std::fs::read_to_string(&self.media).unwrap();
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                let path = v["path"].as_str().unwrap().to_string();
                let file = self.base.join(&path);
                let bytes = std::fs::read(&file).unwrap_or_else(|e| {
                    panic!(
                        "media.jsonl names {path}, but its bytes are not at {} ({e}): \
                             this test must learn where the package keeps media files",
                        file.display()
                    )
                });
                (path, bytes)
            })
            .collect()
    }
}

/// The imported site: an `index.html` per new path (records with their
/// title, listings with their section), and the media files.
fn import(pkg: &Package, site: &Path) -> Vec<(String, Vec<u8>)> {
    let titles = pkg.titles();
    for row in pkg.rows() {
        let title = match row.kind.as_str() {
            "url" => titles[&row.record].clone(),
            k if k.starts_with("listing") => format!("Section {}", row.new_url),
            _ => continue,
        };
        let mut escaped = String::new();
        sitelift::text::escape_html(&title, &mut escaped);
        let page = format!(
            "<!doctype html><html><head><meta charset=utf-8>\
             <title>{escaped} | The new Iran Focus</title></head>\
             <body><h1>{escaped}</h1><p>Imported.</p></body></html>\n"
        );
        let dir = site.join(row.new_url.trim_start_matches('/'));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), page).unwrap();
    }
    let media = pkg.media();
    for (path, bytes) in &media {
        let file = site.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, bytes).unwrap();
    }
    media
}

/// Run verify against nginx on `port`: exit code, report lines, stderr.
fn verify(pkg: &Package, port: u16, extra: &[&str]) -> (i32, String, String) {
    let mut args: Vec<String> = vec![
        "verify".into(),
        "--out".into(),
        pkg.out.display().to_string(),
        "--new-base".into(),
        format!("https://{NEW_HOST}/"),
        "--allow-private".into(),
        "127.0.0.1".into(),
        "--delay-ms".into(),
        "0".into(),
    ];
    for host in LEGACY_HOSTS.iter().chain([&NEW_HOST]) {
        args.push("--connect-to".into());
        args.push(format!("{host}=127.0.0.1:{port}"));
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let os: Vec<&std::ffi::OsStr> = args.iter().map(|s| s.as_ref()).collect();
    let (code, _, err) = sitelift(&os);
    let report = if pkg.dir {
        pkg.out.join("verify.jsonl")
    } else {
        pkg.base.join("records.verify.jsonl")
    };
    (
        code,
        std::fs::read_to_string(report).unwrap_or_default(),
        err,
    )
}

/// (kind, legacy URL or path) of each report line.
fn kinds(report: &str) -> BTreeSet<(String, String)> {
    report
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let subject = v["legacy_url"].as_str().or(v["path"].as_str()).unwrap();
            (v["kind"].as_str().unwrap().to_string(), subject.to_string())
        })
        .collect()
}

/// The report line about `subject`.
fn line_of(report: &str, subject: &str) -> Value {
    report
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["legacy_url"] == subject || v["path"] == subject)
        .unwrap_or_else(|| panic!("no line about {subject} in\n{report}"))
}

/// `/path` or `/path?query` of a URL, as nginx's `$request_uri` is.
fn request_uri(url: &str) -> String {
    let u = Url::parse(url).unwrap();
    match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    }
}

/// A temporary folder nginx's workers (`nobody` when the master is root) can read.
fn readable_tempdir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    tmp
}

fn passes_then_reports_exactly_what_broke(test: &str, dir: bool) {
    let Some(bin) = nginx_or_skip(test) else {
        return;
    };
    let tmp = readable_tempdir();
    let pkg = extract(tmp.path(), dir);
    let site = tmp.path().join("site");
    let media = import(&pkg, &site);
    let prefix = tmp.path().join("nginx");
    let rows = pkg.rows();
    let pages: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r.kind == "url" || r.kind.starts_with("listing"))
        .map(|r| r.new_url.as_str())
        .collect();

    // 1. the site as imported: all is well
    {
        let nginx = Nginx::start(&bin, &prefix, |port| {
            conf(&prefix, port, &pkg.map, &site, "")
        });
        let (code, report, err) = verify(&pkg, nginx.port, &[]);
        assert_eq!(code, 0, "{err}\n{report}");
        assert_eq!(report, "", "{err}");
        let checked = rows.len() + pages.len() + media.len();
        assert!(
            err.contains(&format!(
                "{checked} checked ({} legacy URLs, {} new pages, {} media files): {checked} ok, 0 failed",
                rows.len(),
                pages.len(),
                media.len()
            )),
            "{err}"
        );
        // a sample: at most 2 of each kind
        let (code, _, err) = verify(&pkg, nginx.port, &["--limit", "2"]);
        assert_eq!(code, 0, "{err}");
        assert!(
            err.contains("6 checked (2 legacy URLs, 2 new pages, 2 media files), a sample"),
            "{err}"
        );
    }

    // 2. broken: one page removed, one map line sent elsewhere, one media file changed
    let gone = rows
        .iter()
        .find(|r| r.kind == "url" && r.record == "35013")
        .unwrap()
        .new_url
        .clone();
    std::fs::remove_dir_all(site.join(gone.trim_start_matches('/'))).unwrap();
    let moved = rows
        .iter()
        .find(|r| r.kind == "url" && r.record == "35016")
        .unwrap();
    let key = request_uri(&moved.legacy_url);
    let map = std::fs::read_to_string(&pkg.map).unwrap();
    let line = format!("    \"{key}\" \"{}\";", moved.new_url);
    assert!(map.contains(&line), "{line} not in\n{map}");
    std::fs::write(
        &pkg.map,
        map.replace(&line, &format!("    \"{key}\" \"/somewhere-else/\";")),
    )
    .unwrap();
    let wrong: BTreeSet<&str> = rows
        .iter()
        .filter(|r| request_uri(&r.legacy_url) == key)
        .map(|r| r.legacy_url.as_str())
        .collect();
    assert!(
        wrong.len() >= 2,
        "the http and https URLs of 35016: {wrong:?}"
    );
    let (changed, _) = &media[0];
    std::fs::write(site.join(changed), b"other bytes").unwrap();

    let nginx = Nginx::start(&bin, &prefix, |port| {
        conf(&prefix, port, &pkg.map, &site, "")
    });
    let (code, report, err) = verify(&pkg, nginx.port, &["--concurrency", "1"]);
    assert_eq!(code, 1, "{err}\n{report}");
    let mut want: BTreeSet<(String, String)> = wrong
        .iter()
        .map(|u| ("wrong_redirect".to_string(), u.to_string()))
        .collect();
    want.insert(("missing_page".into(), gone.clone()));
    want.insert(("media_differs".into(), changed.clone()));
    assert_eq!(kinds(&report), want, "{err}");
    assert_eq!(
        report.lines().count(),
        want.len(),
        "one line each:\n{report}"
    );
    for u in &wrong {
        let l = line_of(&report, u);
        assert_eq!(
            l["got"],
            format!("https://{NEW_HOST}/somewhere-else/"),
            "{l}"
        );
        assert_eq!(
            l["expected"],
            format!("https://{NEW_HOST}{}", moved.new_url)
        );
        assert_eq!(l["status"], 404, "where it went answered 404: {l}");
    }
    let l = line_of(&report, &gone);
    assert_eq!(
        (l["got"].as_str(), l["record"].as_str()),
        (Some("404"), Some("35013"))
    );
    let l = line_of(&report, changed);
    assert_eq!(l["got"], sitelift::verify::sha256_hex(b"other bytes"));
    assert!(
        err.contains(&format!(
            "failed: wrong_redirect {}, missing_page 1, media_differs 1",
            wrong.len()
        )),
        "{err}"
    );
    // the same bytes whatever the concurrency
    let (code, again, _) = verify(&pkg, nginx.port, &["--concurrency", "8"]);
    assert_eq!((code, again), (1, report));
}

#[test]
fn verify_passes_against_nginx_then_reports_exactly_what_broke_jsonl() {
    passes_then_reports_exactly_what_broke(
        "verify_passes_against_nginx_then_reports_exactly_what_broke_jsonl",
        false,
    );
}

#[test]
fn verify_passes_against_nginx_then_reports_exactly_what_broke_dir() {
    passes_then_reports_exactly_what_broke(
        "verify_passes_against_nginx_then_reports_exactly_what_broke_dir",
        true,
    );
}

#[test]
fn verify_names_each_kind_of_mismatch() {
    let test = "verify_names_each_kind_of_mismatch";
    let Some(bin) = nginx_or_skip(test) else {
        return;
    };
    let tmp = readable_tempdir();
    let pkg = extract(tmp.path(), false);
    let site = tmp.path().join("site");
    let media = import(&pkg, &site);
    let rows = pkg.rows();
    let page_of = |id: &str| {
        rows.iter()
            .find(|r| r.kind == "url" && r.record == id)
            .unwrap()
            .new_url
            .clone()
    };
    // the legacy URLs (without query) of a record, all answered by one location
    let legacy_path = |id: &str| {
        let r = rows
            .iter()
            .find(|r| r.kind == "url" && r.record == id)
            .unwrap();
        let path = request_uri(&r.legacy_url);
        assert!(!path.contains('?'), "{path}");
        let urls: Vec<String> = rows
            .iter()
            .filter(|x| request_uri(&x.legacy_url) == path)
            .map(|x| x.legacy_url.clone())
            .collect();
        (path, urls)
    };
    let new = |path: &str| format!("https://{NEW_HOST}{path}");
    let mut extra = String::new();
    let mut want: BTreeSet<(String, String)> = BTreeSet::new();
    let mut expect = |kind: &str, urls: &[String]| {
        for u in urls {
            want.insert((kind.to_string(), u.clone()));
        }
    };
    let (p, urls) = legacy_path("35013");
    extra += &format!(
        "location = {p} {{ return 302 {}; }}\n",
        new(&page_of("35013"))
    );
    expect("temporary_redirect", &urls);
    let (p, urls) = legacy_path("5880");
    extra += &format!("location = {p} {{ return 301 https://www.iranfocus.com/hop/5880/; }}\n");
    extra += &format!(
        "location = /hop/5880/ {{ return 301 {}; }}\n",
        new(&page_of("5880"))
    );
    expect("redirect_chain", &urls);
    let (p, urls) = legacy_path("35011");
    extra +=
        &format!("location = {p} {{ default_type text/html; return 200 '<title>old</title>'; }}\n");
    expect("no_redirect", &urls);
    let (p, urls) = legacy_path("6937");
    extra += &format!("location = {p} {{ return 410; }}\n");
    expect("legacy_error", &urls);
    let (p, urls) = legacy_path("8421");
    extra += &format!("location = {p} {{ return 301 https://elsewhere.example/x; }}\n");
    expect("wrong_redirect", &urls);
    // new pages: another title, not HTML, a redirect
    let p = page_of("7102");
    std::fs::write(
        site.join(p.trim_start_matches('/')).join("index.html"),
        "<title>Something else entirely</title><h1>Nor this</h1>",
    )
    .unwrap();
    expect("title_mismatch", std::slice::from_ref(&p));
    let p = page_of("7181");
    extra += &format!("location = {p} {{ default_type text/plain; return 200 'plain'; }}\n");
    expect("not_html", std::slice::from_ref(&p));
    let p = page_of("7163");
    extra += &format!("location = {p} {{ return 301 {}; }}\n", new("/other/"));
    expect("missing_page", std::slice::from_ref(&p));
    // a media file not imported
    let (lost, _) = &media[0];
    std::fs::remove_file(site.join(lost)).unwrap();
    expect("media_missing", std::slice::from_ref(lost));

    let prefix = tmp.path().join("nginx");
    let nginx = Nginx::start(&bin, &prefix, |port| {
        conf(&prefix, port, &pkg.map, &site, &extra)
    });
    let (code, report, err) = verify(&pkg, nginx.port, &[]);
    assert_eq!(code, 1, "{err}\n{report}");
    assert_eq!(kinds(&report), want, "{err}\n{report}");
    assert_eq!(report.lines().count(), want.len(), "{report}");

    let chain = line_of(&report, &legacy_path("5880").1[0]);
    assert_eq!(
        chain["chain"],
        serde_json::json!([
            "301 https://www.iranfocus.com/hop/5880/",
            format!("301 {}", new(&page_of("5880")))
        ])
    );
    let temp = line_of(&report, &legacy_path("35013").1[0]);
    assert_eq!(temp["status"], 302);
    let away = line_of(&report, &legacy_path("8421").1[0]);
    assert_eq!(away["got"], "https://elsewhere.example/x");
    assert!(
        away.get("detail").is_none(),
        "not followed off the site: {away}"
    );
    let gone = line_of(&report, &legacy_path("6937").1[0]);
    assert_eq!(
        (gone["got"].as_str(), gone["status"].as_u64()),
        (Some("410"), Some(410))
    );
    let title = line_of(&report, &page_of("7102"));
    assert_eq!(title["got"], "Something else entirely");
    assert_eq!(title["expected"], pkg.titles()["7102"]);
    let plain = line_of(&report, &page_of("7181"));
    assert_eq!(plain["got"], "text/plain");
    let moved = line_of(&report, &page_of("7163"));
    assert_eq!(moved["got"], format!("301 {}", new("/other/")));
    let lost = line_of(&report, lost);
    assert_eq!(lost["got"], "404");
}

#[test]
fn verify_refuses_what_is_not_a_package() {
    let tmp = tempfile::tempdir().unwrap();
    let records = tmp.path().join("records.jsonl");
    std::fs::write(&records, "").unwrap();
    let run = |out: &Path, base: &str| {
        sitelift(&[
            "verify".as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
            "--new-base".as_ref(),
            base.as_ref(),
        ])
    };
    let (code, _, err) = run(&records, "https://new.example/");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("records.redirects.csv is missing"), "{err}");
    let (code, _, err) = run(&tmp.path().join("nothing"), "https://new.example/");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("does not exist"), "{err}");
    std::fs::write(tmp.path().join("records.redirects.csv"), "url,to\n").unwrap();
    let (code, _, err) = run(&records, "https://new.example/");
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("records.redirects.csv:1: the header is"),
        "{err}"
    );
    let (code, _, err) = run(&records, "not a url");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--new-base not a url"), "{err}");
    // nothing was written beside the package
    assert!(!tmp.path().join("records.verify.jsonl").exists());
}
