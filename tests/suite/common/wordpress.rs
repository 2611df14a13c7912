//! A real WordPress for the push tests, from the Debian packages
//! (`wordpress`, `php-cli`, `php-mysql`, `mariadb-server`): a private
//! MariaDB (its own data directory and unix socket), a copy of the
//! WordPress tree (the code linked, `wp-config.php` and `wp-content/` its
//! own) served by `php -S` on a free port of 127.0.0.1, installed with
//! WordPress's own `wp_install()`, pretty permalinks shaped like the
//! package's new paths, and an application password for the test.
//!
//! Without those packages the tests say they are skipped and pass, unless
//! `SITELIFT_REQUIRE_WORDPRESS=1` (CI sets it, after installing them).

use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

const WORDPRESS: &str = "/usr/share/wordpress";
/// The user the tests push as.
pub const USER: &str = "admin";

fn tool(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend(["/usr/sbin", "/usr/bin"].map(PathBuf::from));
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// The programs a WordPress needs.
#[derive(Debug, Clone)]
pub struct Tools {
    php: PathBuf,
    mariadbd: PathBuf,
    install_db: PathBuf,
    client: PathBuf,
}

/// The programs, or None after saying why the test is skipped (a failure
/// instead under `SITELIFT_REQUIRE_WORDPRESS=1`).
pub fn tools_or_skip(test: &str) -> Option<Tools> {
    let found = (
        tool("php"),
        tool("mariadbd"),
        tool("mariadb-install-db"),
        tool("mariadb"),
        Path::new(WORDPRESS).join("wp-load.php").is_file(),
    );
    if let (Some(php), Some(mariadbd), Some(install_db), Some(client), true) = found {
        return Some(Tools {
            php,
            mariadbd,
            install_db,
            client,
        });
    }
    let why = "WordPress is not installed (needs php, mariadbd, mariadb-install-db, mariadb and \
               /usr/share/wordpress); apt-get install wordpress php-cli php-mysql mariadb-server \
               to run it";
    if std::env::var("SITELIFT_REQUIRE_WORDPRESS").as_deref() == Ok("1") {
        panic!("{test}: {why}, and SITELIFT_REQUIRE_WORDPRESS=1 says it must run");
    }
    eprintln!("SKIPPED {test}: {why}");
    None
}

/// A running WordPress, stopped (PHP killed, MariaDB shut down) when dropped.
pub struct WordPress {
    /// Its root URL, `http://127.0.0.1:PORT/`.
    pub base: String,
    /// The file with the application password of [`USER`].
    pub password_file: PathBuf,
    /// The site's folder (`wp-content/` is under it).
    pub dir: PathBuf,
    password: String,
    php: Child,
    db: Child,
    db_log: PathBuf,
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Run `cmd`, panicking with its output when it fails.
fn run(cmd: &mut Command, what: &str) -> String {
    let o = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        o.status.success(),
        "{what}: {}\n{}{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn start_db(t: &Tools, dir: &Path) -> (Child, PathBuf, PathBuf) {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let root = is_root();
    let user: &[&str] = if root { &["--user=root"] } else { &[] };
    let small = ["--innodb-log-file-size=4M", "--innodb-buffer-pool-size=16M"];
    // a temporary folder of its own: with the shared /tmp, a bootstrap under
    // load once lost its temporary table ("Could not remove temporary table
    // '/tmp/#sql-temptable-…'", then "Unknown table 'mysql.tmp_user_sys'")
    let tmp = dir.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let tmpdir = format!("--tmpdir={}", tmp.display());
    run(
        Command::new(&t.install_db)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(&tmpdir)
            .args(user)
            .args(["--auth-root-authentication-method=normal", "--skip-test-db"])
            .args(small),
        "mariadb-install-db",
    );
    let socket = dir.join("db.sock");
    let log = dir.join("db.err");
    let child = Command::new(&t.mariadbd)
        .arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .arg(format!("--socket={}", socket.display()))
        .arg(format!("--pid-file={}", dir.join("db.pid").display()))
        .arg(format!("--log-error={}", log.display()))
        .arg(&tmpdir)
        .arg("--skip-networking")
        .args(user)
        .args(small)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    (child, socket, log)
}

/// Create the database once MariaDB accepts connections (readiness, not timing).
fn create_database(t: &Tools, db: &mut Child, socket: &Path, log: &Path) {
    for _ in 0..3000 {
        if let Some(status) = db.try_wait().unwrap() {
            panic!(
                "mariadbd exited ({status}): {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        let ok = Command::new(&t.client)
            .arg("--no-defaults")
            .arg(format!("--socket={}", socket.display()))
            .args(["-uroot", "-e", "CREATE DATABASE wordpress"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!(
        "mariadbd did not accept connections on {}",
        socket.display()
    );
}

/// The site's folder: WordPress's code linked, its own config and content.
fn site_tree(site: &Path, socket: &Path, port: u16, plugin: bool) {
    let content = site.join("wp-content");
    for d in ["uploads", "mu-plugins"] {
        std::fs::create_dir_all(content.join(d)).unwrap();
    }
    for e in std::fs::read_dir(WORDPRESS).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".php") && name != "wp-config.php" {
            std::fs::copy(&p, site.join(&name)).unwrap();
        }
    }
    for d in ["wp-admin", "wp-includes"] {
        std::os::unix::fs::symlink(Path::new(WORDPRESS).join(d), site.join(d)).unwrap();
    }
    for d in ["themes", "plugins", "languages"] {
        let from = Path::new(WORDPRESS).join("wp-content").join(d);
        std::os::unix::fs::symlink(from, content.join(d)).unwrap();
    }
    if plugin {
        install_plugin(site);
    }
    let config = format!(
        "<?php\n\
         define('DB_NAME', 'wordpress');\n\
         define('DB_USER', 'root');\n\
         define('DB_PASSWORD', '');\n\
         define('DB_HOST', 'localhost:{socket}');\n\
         define('DB_CHARSET', 'utf8mb4');\n\
         define('DB_COLLATE', '');\n\
         define('WP_HOME', 'http://127.0.0.1:{port}');\n\
         define('WP_SITEURL', 'http://127.0.0.1:{port}');\n\
         define('WP_CONTENT_DIR', __DIR__ . '/wp-content');\n\
         define('WP_ENVIRONMENT_TYPE', 'local');\n\
         define('DISABLE_WP_CRON', true);\n\
         define('AUTOMATIC_UPDATER_DISABLED', true);\n\
         define('WP_HTTP_BLOCK_EXTERNAL', true);\n\
         $table_prefix = 'wp_';\n\
         if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/');\n\
         require_once ABSPATH . 'wp-settings.php';\n",
        socket = socket.display()
    );
    std::fs::write(site.join("wp-config.php"), config).unwrap();
    // PHP's built-in server: files as they are, every other path to WordPress
    let router = "<?php\n\
        $path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);\n\
        if ($path !== '/' && is_file(__DIR__ . $path)) { return false; }\n\
        $_SERVER['SCRIPT_NAME'] = '/index.php';\n\
        $_SERVER['PHP_SELF'] = '/index.php';\n\
        require __DIR__ . '/index.php';\n";
    std::fs::write(site.join("router.php"), router).unwrap();
}

/// Put sitelift's must-use plugin into the site.
pub fn install_plugin(site: &Path) {
    std::fs::write(
        site.join("wp-content/mu-plugins/sitelift.php"),
        sitelift::push::WORDPRESS_PLUGIN,
    )
    .unwrap();
}

/// WordPress's own install, the permalinks and timezone, and an application password.
fn install(t: &Tools, site: &Path, port: u16, password_file: &Path) {
    let script = format!(
        "<?php\n\
         define('WP_INSTALLING', true);\n\
         $_SERVER['HTTP_HOST'] = '127.0.0.1:{port}';\n\
         function wp_mail() {{ return true; }}\n\
         require '{site}/wp-load.php';\n\
         require_once ABSPATH . 'wp-admin/includes/upgrade.php';\n\
         $r = wp_install('Push test', '{USER}', 'admin@example.com', true, '', wp_generate_password(), 'en_US');\n\
         update_option('permalink_structure', '/%category%/%year%/%postname%/');\n\
         delete_option('rewrite_rules'); // built again, for these permalinks, on the first request\n\
         update_option('timezone_string', 'Europe/Berlin');\n\
         list($pw, $item) = WP_Application_Passwords::create_new_application_password($r['user_id'], array('name' => 'sitelift push test'));\n\
         file_put_contents('{file}', $pw);\n",
        site = site.display(),
        file = password_file.display(),
    );
    let path = site.join("install-for-test.php");
    std::fs::write(&path, script).unwrap();
    run(Command::new(&t.php).arg(&path), "WordPress install");
    std::fs::remove_file(&path).unwrap();
}

impl WordPress {
    /// Start a new WordPress under `dir` (with the sitelift plugin, or without).
    pub fn start(t: &Tools, dir: &Path, plugin: bool) -> WordPress {
        let (mut db, socket, db_log) = start_db(t, dir);
        create_database(t, &mut db, &socket, &db_log);
        let site = dir.join("site");
        let port = free_port();
        site_tree(&site, &socket, port, plugin);
        let password_file = dir.join("app-password");
        install(t, &site, port, &password_file);
        // four workers, in a process group of their own: stopped together
        let mut php = Command::new(&t.php)
            .args(["-S", &format!("127.0.0.1:{port}"), "-t"])
            .arg(&site)
            .arg(site.join("router.php"))
            .env("PHP_CLI_SERVER_WORKERS", "4")
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        for _ in 0..3000 {
            if let Some(status) = php.try_wait().unwrap() {
                panic!("php -S exited ({status})");
            }
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                let password = std::fs::read_to_string(&password_file).unwrap();
                return WordPress {
                    base: format!("http://127.0.0.1:{port}/"),
                    password_file,
                    dir: site,
                    password,
                    php,
                    db,
                    db_log,
                    rt: tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap(),
                    http: reqwest::Client::new(),
                };
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("php -S did not listen on port {port}");
    }

    /// GET a URL (absolute, or a REST route like `wp/v2/posts?per_page=100`)
    /// as the test user: status and body.
    pub fn get_bytes(&self, url: &str) -> (u16, Vec<u8>) {
        let url = if url.starts_with("http") {
            url.to_string()
        } else {
            format!("{}wp-json/{url}", self.base)
        };
        self.rt.block_on(async {
            let r = self
                .http
                .get(&url)
                .basic_auth(USER, Some(&self.password))
                .send()
                .await
                .unwrap_or_else(|e| panic!("GET {url}: {e}"));
            let status = r.status().as_u16();
            (status, r.bytes().await.unwrap().to_vec())
        })
    }

    /// GET a REST route as JSON (`context=edit`, every page of a list).
    pub fn json(&self, route: &str) -> Value {
        let sep = if route.contains('?') { '&' } else { '?' };
        let mut all = Vec::new();
        for page in 1.. {
            let url = format!("{route}{sep}context=edit&per_page=100&page={page}");
            let (status, body) = self.get_bytes(&url);
            let v: Value = serde_json::from_slice(&body).unwrap_or_else(|e| {
                panic!("{route}: {status} {e}: {}", String::from_utf8_lossy(&body))
            });
            assert!(status == 200 || status == 400, "{route}: {status} {v}");
            match v {
                Value::Array(items) if !items.is_empty() => all.extend(items),
                Value::Array(_) => break,
                other if page == 1 => return other,
                _ => break,
            }
        }
        Value::Array(all)
    }
}

impl Drop for WordPress {
    fn drop(&mut self) {
        let group = format!("-{}", self.php.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.php.wait();
        let _ = Command::new("kill")
            .args(["-TERM", &self.db.id().to_string()])
            .status();
        let _ = self.db.wait();
        if std::thread::panicking() {
            eprintln!(
                "mariadbd log:\n{}",
                std::fs::read_to_string(&self.db_log).unwrap_or_default()
            );
        }
    }
}

/// A proxy in front of WordPress that loses WordPress's answer to the first
/// attempt of every create: the request reaches WordPress, which makes the
/// entity, and the client gets a 502 instead of the answer.
pub struct LossyProxy {
    _rt: tokio::runtime::Runtime,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// How many answers it lost.
    pub lost: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

pub fn lossy_proxy(upstream: &str) -> LossyProxy {
    use axum::body::Body;
    use axum::http::{header, Method, Response, StatusCode};
    use std::sync::atomic::Ordering;
    use std::sync::{Arc, Mutex};

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let seen = Arc::new(Mutex::new(std::collections::BTreeSet::<String>::new()));
    let lost = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let http = reqwest::Client::new();
    let upstream = upstream.trim_end_matches('/').to_string();
    let counter = lost.clone();
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let (http, upstream, seen, lost) = (
            http.clone(),
            upstream.clone(),
            seen.clone(),
            counter.clone(),
        );
        async move {
            let (parts, body) = req.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
            let uri = parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_string();
            let mut fwd = http.request(parts.method.clone(), format!("{upstream}{uri}"));
            for (k, v) in &parts.headers {
                if k != header::HOST && k != header::CONTENT_LENGTH {
                    fwd = fwd.header(k, v);
                }
            }
            let resp = fwd.body(bytes.to_vec()).send().await.unwrap();
            let status = resp.status().as_u16();
            let kind = resp.headers().get(header::CONTENT_TYPE).cloned();
            let answer = resp.bytes().await.unwrap();
            // a create: a POST to a collection (its last segment is not an id)
            let last = parts
                .uri
                .path()
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("");
            // only an answer of a create WordPress made is lost: a create
            // that failed there (a 500 of PHP under load) is passed through,
            // and push's retry is then the create
            let create = parts.method == Method::POST
                && last.parse::<u64>().is_err()
                && (200..300).contains(&status);
            let key = format!("{uri} {}", sitelift::media::sha256_hex(&bytes));
            if create && seen.lock().unwrap().insert(key) {
                lost.fetch_add(1, Ordering::SeqCst);
                return Response::builder()
                    .status(StatusCode::BAD_GATEWAY)
                    .body(Body::from("the answer was lost"))
                    .unwrap();
            }
            let mut out = Response::builder().status(status);
            if let Some(kind) = kind {
                out = out.header(header::CONTENT_TYPE, kind);
            }
            out.body(Body::from(answer)).unwrap()
        }
    });
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    rt.spawn(async move { axum::serve(listener, app).await });
    LossyProxy {
        _rt: rt,
        port,
        lost,
    }
}
