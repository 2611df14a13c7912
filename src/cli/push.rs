//! `sitelift push`: the migration package into WordPress through its REST
//! API (authors, terms, media, posts), with a ledger beside the package so
//! that a second push changes only what changed; `--dry-run` says what it
//! would do. Exit 1 when any entity failed.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::push::{self, Connection, PushError, PushOptions};

/// Arguments of `sitelift push`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The package: the records file (records.jsonl) or the --layout dir
    /// folder that extract or run wrote.
    #[arg(long, required_unless_present = "print_plugin")]
    out: Option<PathBuf>,
    /// The WordPress site's root URL.
    #[arg(long, required_unless_present = "print_plugin")]
    wordpress: Option<String>,
    /// The WordPress user the application password belongs to.
    #[arg(long, required_unless_present = "print_plugin")]
    user: Option<String>,
    /// A file holding the user's application password (never on the command line).
    #[arg(long, required_unless_present = "print_plugin")]
    app_password_file: Option<PathBuf>,
    /// Map authors to existing WordPress users: a CSV file of
    /// `author_slug,user` lines (user: login, e-mail address or id).
    #[arg(long)]
    authors: Option<PathBuf>,
    /// Where a JSON Lines package's media files are (extract's --media-dir).
    #[arg(long)]
    media_dir: Option<PathBuf>,
    /// Send requests for HOST to ADDR over plain HTTP (HOST=IP:PORT), like curl --connect-to.
    #[arg(long, value_parser = super::crawl::parse_connect_to)]
    connect_to: Vec<(String, SocketAddr)>,
    /// Requests in flight at most (default 4).
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Least time between the starts of two requests, in milliseconds (default 0).
    #[arg(long, default_value_t = 0)]
    delay_ms: u64,
    /// Time allowed for one request, in seconds (default 60).
    #[arg(long, default_value_t = 60)]
    timeout_s: u64,
    /// Attempts per request on 5xx, 429 and timeouts (default 4).
    #[arg(long, default_value_t = 4)]
    attempts: u32,
    /// Say what would be created, updated and left alone; change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the WordPress must-use plugin push needs, and exit.
    #[arg(long)]
    print_plugin: bool,
}

pub fn run(a: Args) -> anyhow::Result<u8> {
    if a.print_plugin {
        print!("{}", push::WORDPRESS_PLUGIN);
        return Ok(0);
    }
    let (Some(out), Some(site), Some(user), Some(pw_file)) =
        (a.out, a.wordpress, a.user, a.app_password_file)
    else {
        anyhow::bail!("--out, --wordpress, --user and --app-password-file are required");
    };
    let password = std::fs::read_to_string(&pw_file)
        .map_err(|source| PushError::Password {
            path: pw_file.clone(),
            source,
        })?
        .trim()
        .to_string();
    let opts = PushOptions {
        out,
        media_dir: a.media_dir,
        connection: Connection {
            base: site_url(&site)?,
            user,
            password,
            connect_to: a.connect_to,
            concurrency: a.concurrency.max(1),
            delay: Duration::from_millis(a.delay_ms),
            timeout: Duration::from_secs(a.timeout_s.max(1)),
            attempts: a.attempts.max(1),
        },
        author_map: match &a.authors {
            Some(p) => author_map(p)?,
            None => BTreeMap::new(),
        },
        dry_run: a.dry_run,
    };
    let pushed = push::push(opts)?;
    if a.dry_run {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        for (action, kind, key) in &pushed.plan {
            writeln!(out, "{action} {kind} {key}")?;
        }
        out.flush()?;
        return Ok(0);
    }
    eprint!("{}", pushed.summary());
    Ok(u8::from(!pushed.all_ok()))
}

/// The site's root URL, with a trailing slash.
fn site_url(given: &str) -> Result<url::Url, PushError> {
    let bad = |why: &str| PushError::BadUrl {
        given: given.to_string(),
        why: why.to_string(),
    };
    let mut url = url::Url::parse(given).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad("not an http(s) URL with a host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("it has a query or fragment"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// `author_slug,user` lines (a first line `author,user` is a header).
fn author_map(path: &Path) -> Result<BTreeMap<String, String>, PushError> {
    let text = std::fs::read_to_string(path).map_err(|source| {
        PushError::Package(crate::verify::VerifyError::Read {
            path: path.to_path_buf(),
            source,
        })
    })?;
    let mut map = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || (i == 0 && line.starts_with("author,")) {
            continue;
        }
        let Some((slug, user)) = line.split_once(',') else {
            return Err(PushError::AuthorMap {
                path: path.to_path_buf(),
                line: i + 1,
                why: "expected author_slug,user".into(),
            });
        };
        map.insert(slug.trim().to_string(), user.trim().to_string());
    }
    Ok(map)
}
