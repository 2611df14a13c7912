//! `push`: the migration package into a live WordPress, through its REST
//! API. In order: authors (users, or existing users named in a mapping),
//! terms (categories with their parents, tags), media files (uploaded with
//! alternative text and caption, once per SHA-256), then one post per
//! record. A ledger beside the package ([`ledger`]) remembers what was made
//! for what and the digest of what was sent, so a second push changes
//! nothing, a changed record updates its post only, and a push killed at
//! any moment, run again, ends as if it had not been interrupted.
//!
//! WordPress needs the small plugin [`WORDPRESS_PLUGIN`] (a must-use
//! plugin): it registers the meta the legacy ids are kept in and lets push
//! look an entity up by them.

pub mod ledger;
pub mod package;
pub mod payload;
mod phases;
pub mod sync;
pub mod wp;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use phases::push;
pub use wp::{Connection, WpError};

use crate::verify::VerifyError;

/// The must-use plugin push needs (`wp-content/mu-plugins/sitelift.php`).
pub const WORDPRESS_PLUGIN: &str = include_str!("wordpress-plugin.php");

/// Why push could not run (as opposed to entities that failed).
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The package could not be read.
    #[error(transparent)]
    Package(#[from] VerifyError),
    /// A record has no `url` row in the redirect map.
    #[error(
        "record {record} ({}) has no new path in the redirect map (no `url` row); \
         its URL went to another record: see redirect_conflicts in the run report",
        file.display()
    )]
    NoNewPath {
        /// The record key.
        record: String,
        /// Where it is.
        file: PathBuf,
    },
    /// A JSON Lines package with media but no `--media-dir`.
    #[error(
        "{} lists media files, but where are they? Give --media-dir (the folder extract \
         wrote them to)",
        list.display()
    )]
    NoMediaDir {
        /// The media list.
        list: PathBuf,
    },
    /// The ledger could not be used.
    #[error("the push ledger {}", path.display())]
    Ledger {
        /// Its path.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// The media map could not be written.
    #[error("cannot write the media map {}", path.display())]
    MediaMap {
        /// Its path.
        path: PathBuf,
        /// The error.
        source: crate::output::writer::OutputError,
    },
    /// The ledger is another site's.
    #[error(
        "the push ledger {} is of {site}, not {given}: push into the site it was made for, \
         or move it away to push this package into another site",
        path.display()
    )]
    OtherSite {
        /// The ledger.
        path: PathBuf,
        /// The site it records.
        site: String,
        /// The site given.
        given: String,
    },
    /// The application password file.
    #[error("cannot read the application password file {}", path.display())]
    Password {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The WordPress URL is not usable.
    #[error("--wordpress {given}: {why} (give the site's root, e.g. https://new.example/)")]
    BadUrl {
        /// As given.
        given: String,
        /// What is wrong.
        why: String,
    },
    /// The site's REST API was not found.
    #[error(
        "{base} has no WordPress REST API (tried {base}wp-json/ and {base}?rest_route=/): {why}"
    )]
    NoApi {
        /// The site.
        base: String,
        /// The last error.
        why: String,
    },
    /// The plugin is not installed.
    #[error(
        "{base} does not have the sitelift plugin (no sitelift/v1 in its REST API): save \
         `sitelift push --print-plugin` as wp-content/mu-plugins/sitelift.php on the site"
    )]
    NoPlugin {
        /// The site.
        base: String,
    },
    /// The user lacks capabilities.
    #[error(
        "user {user} may not {missing} on {base}; push needs an Administrator (or map every \
         author with --authors to existing users and use an Editor)"
    )]
    Capabilities {
        /// The user.
        user: String,
        /// What is missing, e.g. `create_users, upload_files`.
        missing: String,
        /// The site.
        base: String,
    },
    /// The author mapping file.
    #[error("{}:{line}: {why}", path.display())]
    AuthorMap {
        /// The file.
        path: PathBuf,
        /// Its line.
        line: usize,
        /// What is wrong.
        why: String,
    },
    /// A request failed in a way that stops the push (wrong credentials).
    #[error(transparent)]
    Wp(WpError),
    /// The async runtime could not be started.
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
}

/// How to push.
#[derive(Debug, Clone)]
pub struct PushOptions {
    /// The package (`--out` of extract or run).
    pub out: PathBuf,
    /// Where a JSON Lines package's media files are.
    pub media_dir: Option<PathBuf>,
    /// The site and how to reach it.
    pub connection: Connection,
    /// Author slug → existing WordPress user (login, e-mail or id).
    pub author_map: BTreeMap<String, String>,
    /// Only say what would be done.
    pub dry_run: bool,
}

/// Counts of one kind of entity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Created.
    pub created: usize,
    /// Updated.
    pub updated: usize,
    /// Left alone.
    pub unchanged: usize,
    /// Failed.
    pub failed: usize,
}

/// What a push did.
#[derive(Debug, Clone, Default)]
pub struct Pushed {
    /// Counts by kind (`authors`, `terms`, `media`, `posts`).
    pub counts: BTreeMap<&'static str, Counts>,
    /// Each failure: kind, key, why; sorted.
    pub failures: Vec<(String, String, String)>,
    /// What a dry run would do: action, kind, key; in push order.
    pub plan: Vec<(String, String, String)>,
    /// Where the ledger is.
    pub ledger: PathBuf,
    /// The nginx map of the media files' paths in WordPress, when written.
    pub media_map: Option<PathBuf>,
}

impl Pushed {
    /// Whether nothing failed.
    pub fn all_ok(&self) -> bool {
        self.failures.is_empty()
    }

    /// The summary printed on stderr.
    pub fn summary(&self) -> String {
        let mut s = String::from("sitelift push:");
        let order = ["authors", "terms", "media", "posts"];
        let mut kinds: Vec<(&&str, &Counts)> = self.counts.iter().collect();
        kinds.sort_by_key(|(k, _)| order.iter().position(|o| o == *k));
        for (kind, c) in kinds {
            s.push_str(&format!(
                " {kind}: {} created, {} updated, {} unchanged, {} failed;",
                c.created, c.updated, c.unchanged, c.failed
            ));
        }
        s.pop();
        s.push('\n');
        for (kind, key, why) in &self.failures {
            s.push_str(&format!("  failed {kind} {key}: {why}\n"));
        }
        s.push_str(&format!("  ledger: {}\n", self.ledger.display()));
        if let Some(map) = &self.media_map {
            s.push_str(&format!("  media map (for nginx): {}\n", map.display()));
        }
        s
    }
}

/// Abort the process after this many created entities, when
/// `SITELIFT_PUSH_KILL_AFTER` says so: the tests' stand-in for a kill -9
/// between WordPress's answer and the ledger's record of it.
fn kill_hook() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static CREATED: AtomicUsize = AtomicUsize::new(0);
    let Some(after) = std::env::var("SITELIFT_PUSH_KILL_AFTER")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    else {
        return;
    };
    if CREATED.fetch_add(1, Ordering::SeqCst) + 1 >= after {
        std::process::abort();
    }
}
