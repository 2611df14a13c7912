//! `sitelift push` into a real WordPress (see `common::wordpress`): the
//! fixture site's package (`run --layout dir`) lands as posts with the
//! right title, slug, date, author, terms, featured image and content,
//! media with the same bytes, terms with their parents; a second push
//! changes nothing; an edited record updates its post only; WordPress's
//! refusals are reported clearly; and a push killed half-way and run
//! again ends exactly as an undisturbed one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use crate::common::site;
use crate::common::wordpress::{install_plugin, lossy_proxy, tools_or_skip, WordPress, USER};

/// The fixture site's package, as `run --layout dir` writes it, in `dir/package`.
fn fixture_package(dir: &Path) -> PathBuf {
    let out = dir.join("package");
    let store = dir.join("store");
    let (code, _, err) = site::sitelift(&[
        "run",
        "--profile",
        "selectors/iranfocus.toml",
        "--serve",
        "fixtures/iranfocus",
        "--delay-ms",
        "0",
        "--layout",
        "dir",
        "--store",
        store.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(matches!(code, Some(0 | 1)), "{err}");
    out
}

/// `sitelift push` of `pkg` into `wp`, with `extra` arguments and environment.
fn push(
    wp: &WordPress,
    pkg: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (Option<i32>, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_sitelift"))
        .arg("push")
        .arg("--out")
        .arg(pkg)
        .args([
            "--wordpress",
            &wp.base,
            "--user",
            USER,
            "--app-password-file",
        ])
        .arg(&wp.password_file)
        .args(extra)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Every record of the package with its file.
fn records(pkg: &Path) -> Vec<(PathBuf, Value)> {
    let mut out = Vec::new();
    let mut stack = vec![pkg.join("records")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let v = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
                out.push((p, v));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The redirect map's rows: (legacy URL, new URL, kind, record).
fn redirect_rows(pkg: &Path) -> Vec<[String; 4]> {
    std::fs::read_to_string(pkg.join("redirects.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<String> = l.split(',').map(str::to_string).collect();
            [f[0].clone(), f[1].clone(), f[2].clone(), f[3].clone()]
        })
        .collect()
}

fn meta<'a>(v: &'a Value, key: &str) -> &'a str {
    v["meta"][key].as_str().unwrap_or("")
}

/// WordPress stores `&` in term names as an entity.
fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
}

/// What the site holds, without its ids and its own address: users, terms,
/// media and posts, each keyed by what the package knows it by.
fn snapshot(wp: &WordPress) -> Value {
    let users = wp.json("wp/v2/users");
    let user_slug: BTreeMap<i64, String> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["id"].as_i64().unwrap(),
                u["slug"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut terms = BTreeMap::new();
    let mut term_key: BTreeMap<i64, String> = BTreeMap::new();
    for tax in ["categories", "tags"] {
        let list = wp.json(&format!("wp/v2/{tax}"));
        for t in list.as_array().unwrap() {
            term_key.insert(
                t["id"].as_i64().unwrap(),
                format!("{tax}:{}", meta(t, "sitelift_legacy_slug")),
            );
        }
        for t in list.as_array().unwrap() {
            let parent = t["parent"].as_i64().and_then(|p| term_key.get(&p)).cloned();
            let key = term_key[&t["id"].as_i64().unwrap()].clone();
            let before = terms.insert(
                key.clone(),
                json!({"name": unescape(t["name"].as_str().unwrap()), "slug": t["slug"], "parent": parent}),
            );
            assert!(
                before.is_none() || key.ends_with(':'),
                "two terms for {key}"
            );
        }
    }
    let media_list = wp.json("wp/v2/media");
    let mut media = BTreeMap::new();
    let mut media_key: BTreeMap<i64, String> = BTreeMap::new();
    for m in media_list.as_array().unwrap() {
        let sha = meta(m, "sitelift_sha256").to_string();
        media_key.insert(m["id"].as_i64().unwrap(), sha.clone());
        let before = media.insert(
            sha.clone(),
            json!({
                "title": m["title"]["raw"], "alt": m["alt_text"], "caption": m["caption"]["raw"],
                "file": m["source_url"].as_str().unwrap().replace(&wp.base, "/"), "mime": m["mime_type"],
            }),
        );
        assert!(before.is_none(), "two attachments for {sha}");
    }
    let mut posts = BTreeMap::new();
    for p in wp
        .json("wp/v2/posts?status=publish,draft,pending,private,future")
        .as_array()
        .unwrap()
    {
        let id = meta(p, "sitelift_legacy_id").to_string();
        if id.is_empty() {
            continue; // WordPress's own first post
        }
        let ids = |k: &str| -> Vec<String> {
            let mut v: Vec<String> = p[k]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| term_key[&i.as_i64().unwrap()].clone())
                .collect();
            v.sort();
            v
        };
        let before = posts.insert(
            id.clone(),
            json!({
                "title": p["title"]["raw"], "slug": p["slug"], "status": p["status"], "date_gmt": p["date_gmt"],
                "author": user_slug[&p["author"].as_i64().unwrap()], "categories": ids("categories"), "tags": ids("tags"),
                "featured": media_key.get(&p["featured_media"].as_i64().unwrap()),
                "content": p["content"]["raw"].as_str().unwrap().replace(&wp.base, "/"),
                "excerpt": p["excerpt"]["raw"], "legacy_urls": p["meta"]["sitelift_legacy_urls"],
                "link": p["link"].as_str().unwrap().replace(&wp.base, "/"),
            }),
        );
        assert!(before.is_none(), "two posts for legacy id {id}");
    }
    json!({"users": user_slug.values().collect::<Vec<_>>(), "terms": terms, "media": media, "posts": posts})
}

/// The paths where `a` and `b` differ, with both values.
fn differences(a: &Value, b: &Value, at: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let (va, vb) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                differences(va, vb, &format!("{at}/{k}"), out);
            }
        }
        _ if a != b => out.push(format!("{at}: {a} != {b}")),
        _ => {}
    }
}

fn assert_same(a: &Value, b: &Value, what: &str) {
    let mut out = Vec::new();
    differences(a, b, "", &mut out);
    assert!(out.is_empty(), "{what}:\n{}", out.join("\n"));
}

/// Modified dates of every post and attachment, by id.
fn modified(wp: &WordPress) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for route in ["wp/v2/posts", "wp/v2/media"] {
        for v in wp.json(route).as_array().unwrap() {
            out.insert(
                format!("{route}/{}", v["id"]),
                v["modified_gmt"].as_str().unwrap().to_string(),
            );
        }
    }
    out
}

/// Check that every entity of the package is in WordPress as it should be.
fn check_landed(wp: &WordPress, pkg: &Path) {
    let snap = snapshot(wp);
    let media: Vec<Value> = lines(&pkg.join("media.jsonl"));
    // media: once each, the same bytes, alt text and caption
    let attachments = wp.json("wp/v2/media");
    let mut source_of: BTreeMap<String, String> = BTreeMap::new();
    for m in &media {
        let sha = m["sha256"].as_str().unwrap();
        let a = attachments
            .as_array()
            .unwrap()
            .iter()
            .find(|a| meta(a, "sitelift_sha256") == sha)
            .unwrap_or_else(|| panic!("no attachment for {m}"));
        let src = a["source_url"].as_str().unwrap();
        let (status, bytes) = wp.get_bytes(src);
        assert_eq!(status, 200, "{src}");
        assert_eq!(sitelift::media::sha256_hex(&bytes), sha, "{src}");
        assert_eq!(
            a["alt_text"],
            m["alts"].get(0).cloned().unwrap_or(json!("")),
            "{m}"
        );
        assert_eq!(
            a["caption"]["raw"],
            m["captions"].get(0).cloned().unwrap_or(json!("")),
            "{m}"
        );
        source_of.insert(m["url"].as_str().unwrap().to_string(), src.to_string());
    }
    assert_eq!(snap["media"].as_object().unwrap().len(), media.len());
    // terms: each section a category under its parent
    for t in lines(&pkg.join("terms.jsonl")) {
        let key = format!("categories:{}", t["slug"].as_str().unwrap());
        let got = &snap["terms"][&key];
        assert_eq!(got["name"], t["name"], "{key}");
        let parent = t["parent"].as_str().map(|p| format!("categories:{p}"));
        assert_eq!(got["parent"], json!(parent), "{key}");
    }
    for a in lines(&pkg.join("authors.jsonl")) {
        assert!(
            snap["users"].as_array().unwrap().contains(&a["slug"]),
            "{a}"
        );
    }
    // posts: one per record, with its fields
    let rows = redirect_rows(pkg);
    let recs = records(pkg);
    let raw: BTreeMap<String, Value> = wp
        .json("wp/v2/posts")
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (meta(p, "sitelift_legacy_id").to_string(), p.clone()))
        .collect();
    assert_eq!(snap["posts"].as_object().unwrap().len(), recs.len());
    for (file, r) in &recs {
        let id = r["legacy_id"].as_str().unwrap();
        let p = &snap["posts"][id];
        assert!(p.is_object(), "no post for {}", file.display());
        let path = rows
            .iter()
            .find(|row| row[2] == "url" && row[3] == id)
            .unwrap()[1]
            .clone();
        assert_eq!(p["title"], r["title"], "{id}");
        assert_eq!(
            p["link"],
            json!(path),
            "{id}: the permalink is the new path"
        );
        assert_eq!(p["status"], "publish");
        let published = r["published"].as_str().unwrap();
        let want_gmt = match published.parse::<jiff::Timestamp>() {
            Ok(ts) => ts.strftime("%Y-%m-%dT%H:%M:%S").to_string(),
            // a day without a time: midnight in the site's timezone (Europe/Berlin)
            Err(_) => {
                let day: jiff::civil::Date = published.parse().unwrap();
                let zoned = day.at(0, 0, 0, 0).in_tz("Europe/Berlin").unwrap();
                zoned.timestamp().strftime("%Y-%m-%dT%H:%M:%S").to_string()
            }
        };
        assert_eq!(p["date_gmt"], json!(want_gmt), "{id} published {published}");
        let author = r["refs"]["authors"].get(0).cloned().unwrap_or(json!(USER));
        assert_eq!(p["author"], author, "{id}");
        let section = format!("categories:{}", r["refs"]["section"].as_str().unwrap());
        assert_eq!(p["categories"], json!([section]), "{id}");
        let featured = r["featured_image"]
            .as_str()
            .and_then(|f| media.iter().find(|m| m["url"] == f))
            .map(|m| m["sha256"].clone());
        assert_eq!(p["featured"], json!(featured), "{id}");
        // the content is the record's body with media and record links pointing at WordPress
        let mut want = r["body"]["html"].as_str().unwrap().to_string();
        for (url, src) in &source_of {
            want = want.replace(&format!("=\"{url}\""), &format!("=\"{src}\""));
        }
        for row in rows.iter().filter(|row| row[2] == "url") {
            let absolute = format!("href=\"{}{}", wp.base, &row[1][1..]);
            want = want.replace(&format!("href=\"{}", row[1]), &absolute);
        }
        assert!(!want.contains("=\"/media/"), "{id}: {want}");
        assert_eq!(raw[id]["content"]["raw"], json!(want), "{id}");
        let mut legacy: Vec<&str> = rows
            .iter()
            .filter(|row| row[3] == id && (row[2] == "url" || row[2] == "alias"))
            .map(|row| row[0].as_str())
            .collect();
        legacy.sort();
        legacy.dedup();
        assert_eq!(p["legacy_urls"], json!(legacy), "{id}");
    }
}

/// nginx in front of WordPress as at the cut-over: the legacy hosts answer
/// the redirect map's 301s, the new host goes to WordPress, the package's
/// media paths rewritten (not redirected) to the files push uploaded.
fn front_conf(prefix: &Path, port: u16, pkg: &Path, wp: &WordPress) -> String {
    let (map, media) = (pkg.join("redirects.map"), pkg.join("wordpress-media.map"));
    let longest = [&map, &media]
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .lines()
                .map(str::len)
                .collect::<Vec<_>>()
        })
        .max()
        .unwrap_or(0);
    let bucket = (longest + 64).next_power_of_two();
    let p = prefix.display();
    let upstream = wp.base.trim_start_matches("http://").trim_end_matches('/');
    format!(
        "worker_processes 1;\n\
         pid {p}/nginx.pid;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n\
           access_log {p}/logs/access.log;\n\
           client_body_temp_path {p}/tmp/body;\n\
           proxy_temp_path {p}/tmp/proxy;\n\
           fastcgi_temp_path {p}/tmp/fastcgi;\n\
           uwsgi_temp_path {p}/tmp/uwsgi;\n\
           scgi_temp_path {p}/tmp/scgi;\n\
           map_hash_bucket_size {bucket};\n\
           include {map};\n\
           include {media};\n\
           server {{\n\
             listen 127.0.0.1:{port};\n\
             server_name www.iranfocus.com iranfocus.com;\n\
             location / {{\n\
               if ($sitelift_new_url) {{ return 301 https://new.example$sitelift_new_url; }}\n\
               return 404;\n\
             }}\n\
           }}\n\
           server {{\n\
             listen 127.0.0.1:{port};\n\
             server_name new.example;\n\
             if ($sitelift_media_path) {{ rewrite ^ $sitelift_media_path last; }}\n\
             location / {{\n\
               proxy_pass http://{upstream};\n\
               proxy_set_header Host {upstream};\n\
               proxy_buffering off;\n\
             }}\n\
           }}\n\
         }}\n",
        map = map.display(),
        media = media.display(),
    )
}

/// The last step of the migration: `sitelift verify` of the package against
/// WordPress behind nginx passes (every legacy URL, new page and media file).
fn verify_behind_nginx(test: &str, tmp: &Path, wp: &WordPress, pkg: &Path) {
    let Some(bin) = crate::verify::nginx_or_skip(test) else {
        return;
    };
    let prefix = tmp.join("nginx");
    let nginx =
        crate::verify::Nginx::start(&bin, &prefix, |port| front_conf(&prefix, port, pkg, wp));
    let mut args = vec![
        "verify".to_string(),
        "--out".into(),
        pkg.display().to_string(),
        "--new-base".into(),
        "https://new.example/".into(),
        "--allow-private".into(),
        "127.0.0.1".into(),
        "--delay-ms".into(),
        "0".into(),
    ];
    for host in ["www.iranfocus.com", "iranfocus.com", "new.example"] {
        args.push("--connect-to".into());
        args.push(format!("{host}=127.0.0.1:{}", nginx.port));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, err) = site::sitelift(&args);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("media files): ") && err.contains(", 0 failed"),
        "{err}"
    );
    std::fs::remove_file(pkg.join("verify.jsonl")).unwrap();
}

fn counts(err: &str, kind: &str) -> String {
    let start = err
        .find(&format!("{kind}: "))
        .unwrap_or_else(|| panic!("no {kind} in {err}"));
    err[start..].split([';', '\n']).next().unwrap().to_string()
}

#[test]
fn push_lands_the_fixture_package_and_a_second_push_changes_nothing() {
    let test = "push_lands_the_fixture_package_and_a_second_push_changes_nothing";
    let Some(tools) = tools_or_skip(test) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let pkg = fixture_package(tmp.path());
    let wp = WordPress::start(&tools, &tmp.path().join("wp"), false);

    // without the plugin, or with a wrong password: a clear error, nothing written
    let (code, _, err) = push(&wp, &pkg, &[], &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("sitelift plugin") && err.contains("--print-plugin"),
        "{err}"
    );
    install_plugin(&wp.dir);
    let wrong = tmp.path().join("wrong-password");
    std::fs::write(&wrong, "abcd efgh ijkl mnop qrst uvwx").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_sitelift"))
        .args(["push", "--out"])
        .arg(&pkg)
        .args([
            "--wordpress",
            &wp.base,
            "--user",
            USER,
            "--app-password-file",
        ])
        .arg(&wrong)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("refused the credentials") && err.contains("application password"),
        "{err}"
    );
    assert!(!pkg.join("push.sqlite").exists());

    // a dry run: everything would be created
    let (code, out, err) = push(&wp, &pkg, &["--dry-run"], &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.lines().count(), 1 + 6 + 6 + 11, "{out}");
    assert!(out.lines().all(|l| l.starts_with("create ")), "{out}");

    let (code, _, err) = push(&wp, &pkg, &[], &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        counts(&err, "posts"),
        "posts: 11 created, 0 updated, 0 unchanged, 0 failed"
    );
    assert_eq!(
        counts(&err, "media"),
        "media: 6 created, 0 updated, 0 unchanged, 0 failed"
    );
    check_landed(&wp, &pkg);
    verify_behind_nginx(test, tmp.path(), &wp, &pkg);
    let first = snapshot(&wp);
    let before = modified(&wp);

    // again: nothing changes, nothing is sent
    let (code, _, err) = push(&wp, &pkg, &[], &[]);
    assert_eq!(code, Some(0), "{err}");
    for (kind, n) in [("authors", 1), ("terms", 6), ("media", 6), ("posts", 11)] {
        assert_eq!(
            counts(&err, kind),
            format!("{kind}: 0 created, 0 updated, {n} unchanged, 0 failed")
        );
    }
    assert_eq!(modified(&wp), before);
    assert_same(&snapshot(&wp), &first, "after a second push");
    let (_, out, _) = push(&wp, &pkg, &["--dry-run"], &[]);
    assert!(out.lines().all(|l| l.starts_with("leave ")), "{out}");

    // an edited record updates its post, and only it
    let (file, mut rec) = records(&pkg)
        .into_iter()
        .find(|(_, r)| r["legacy_id"] == "7102")
        .unwrap();
    rec["title"] = json!("Iraqi delegation in Tehran to discuss electricity supplies (corrected)");
    std::fs::write(&file, serde_json::to_vec_pretty(&rec).unwrap()).unwrap();
    let (_, out, _) = push(&wp, &pkg, &["--dry-run"], &[]);
    assert_eq!(
        out.lines()
            .filter(|l| !l.starts_with("leave "))
            .collect::<Vec<_>>(),
        ["update post 7102"]
    );
    let (code, _, err) = push(&wp, &pkg, &[], &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        counts(&err, "posts"),
        "posts: 0 created, 1 updated, 10 unchanged, 0 failed"
    );
    let after = snapshot(&wp);
    assert_eq!(after["posts"]["7102"]["title"], rec["title"]);
    let mut expected = first.clone();
    expected["posts"]["7102"]["title"] = rec["title"].clone();
    assert_same(&after, &expected, "only the edited post changed");
    let changed: Vec<String> = modified(&wp)
        .into_iter()
        .filter(|(k, v)| before.get(k) != Some(v))
        .map(|(k, _)| k)
        .collect();
    assert!(changed.len() <= 1, "{changed:?}");

    // what WordPress rejects is reported with what it was, and the push exits 1
    let mut terms = std::fs::read_to_string(pkg.join("terms.jsonl")).unwrap();
    terms.push_str(r#"{"vocabulary":"tag","name":"","slug":"nameless","parent":null,"path":"/tag/nameless/","legacy_urls":[],"records":0}"#);
    terms.push('\n');
    std::fs::write(pkg.join("terms.jsonl"), terms).unwrap();
    let (code, _, err) = push(&wp, &pkg, &[], &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("failed tag nameless: WordPress answered 500 4 times (empty_term_name")
            && err.contains("A name is required for this term"),
        "{err}"
    );
    assert_eq!(
        counts(&err, "posts"),
        "posts: 0 created, 0 updated, 11 unchanged, 0 failed"
    );
}

/// Copy a folder tree.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

#[test]
fn a_push_killed_half_way_and_run_again_ends_as_an_undisturbed_push() {
    let test = "a_push_killed_half_way_and_run_again_ends_as_an_undisturbed_push";
    let Some(tools) = tools_or_skip(test) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let built = fixture_package(tmp.path());
    let (pkg_a, pkg_b) = (tmp.path().join("a"), tmp.path().join("b"));
    copy_tree(&built, &pkg_a);
    copy_tree(&built, &pkg_b);
    let wp_a = WordPress::start(&tools, &tmp.path().join("wp-a"), true);
    let wp_b = WordPress::start(&tools, &tmp.path().join("wp-b"), true);

    let (code, _, err) = push(&wp_a, &pkg_a, &[], &[]);
    assert_eq!(code, Some(0), "{err}");

    // killed after WordPress answered the 10th create (in the media), then
    // after the 6th create of the second run (in the posts), each time
    // before the ledger recorded it; then run to the end
    let mut seen = BTreeSet::new();
    for kill_after in ["10", "6"] {
        let (code, _, err) = push(
            &wp_b,
            &pkg_b,
            &[],
            &[("SITELIFT_PUSH_KILL_AFTER", kill_after)],
        );
        assert_eq!(code, None, "killed by a signal: {err}");
        // what WordPress made last is not in the ledger: only its intent is
        let ledger = rusqlite::Connection::open(pkg_b.join("push.sqlite")).unwrap();
        let pending: i64 = ledger
            .query_row(
                "SELECT count(*) FROM entity WHERE state = 'pending'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(pending >= 1, "no pending entity after the kill");
        seen.insert(snapshot(&wp_b)["posts"].as_object().unwrap().len());
    }
    assert!(
        seen.iter().any(|n| *n > 0 && *n < 11),
        "a kill came between posts: {seen:?}"
    );
    let (code, _, err) = push(&wp_b, &pkg_b, &[], &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("failed "), "{err}");
    // the post made just before the kill was found again, not made twice
    assert!(!counts(&err, "posts").contains(" 0 updated"), "{err}");
    assert_same(
        &snapshot(&wp_b),
        &snapshot(&wp_a),
        "killed and resumed vs undisturbed",
    );
    // and the ledger knows everything: a further push sends nothing
    let (code, _, err) = push(&wp_b, &pkg_b, &[], &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        counts(&err, "posts"),
        "posts: 0 created, 0 updated, 11 unchanged, 0 failed"
    );
    assert_eq!(
        counts(&err, "media"),
        "media: 0 created, 0 updated, 6 unchanged, 0 failed"
    );
}

#[test]
fn a_create_whose_answer_is_lost_is_looked_up_not_made_twice() {
    let test = "a_create_whose_answer_is_lost_is_looked_up_not_made_twice";
    let Some(tools) = tools_or_skip(test) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let pkg = fixture_package(tmp.path());
    let wp = WordPress::start(&tools, &tmp.path().join("wp"), true);
    let proxy = lossy_proxy(&wp.base);
    // the site's own URL, sent through the proxy
    let via = format!("127.0.0.1=127.0.0.1:{}", proxy.port);
    let (code, _, err) = push(&wp, &pkg, &["--connect-to", &via], &[]);
    assert_eq!(code, Some(0), "{err}");
    let lost = proxy.lost.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(lost, 1 + 6 + 6 + 11, "every create lost its answer once");
    // each was found again after its 502 and brought in line, none made twice
    assert_eq!(
        counts(&err, "posts"),
        "posts: 0 created, 11 updated, 0 unchanged, 0 failed"
    );
    assert_eq!(
        counts(&err, "media"),
        "media: 0 created, 6 updated, 0 unchanged, 0 failed"
    );
    // none made twice: one attachment per digest
    let attachments = wp.json("wp/v2/media");
    let mut per_digest: BTreeMap<String, usize> = BTreeMap::new();
    for a in attachments.as_array().unwrap() {
        *per_digest
            .entry(meta(a, "sitelift_sha256").to_string())
            .or_default() += 1;
    }
    assert!(per_digest.values().all(|n| *n == 1), "{per_digest:?}");
    check_landed(&wp, &pkg);
}
