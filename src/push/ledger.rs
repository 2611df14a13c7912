//! The push ledger: an SQLite file beside the package (`push.sqlite` in a
//! `--layout dir` folder, `NAME.push.sqlite` beside `NAME.jsonl`) that maps
//! every entity of the package (author, term, media file, post) to the
//! WordPress object made for it, with the digest of what was last sent.
//!
//! A row is written as `pending` before the request that creates the
//! object, and `done` with its WordPress id once WordPress answered. A push
//! killed between the two leaves `pending` rows; the next push looks those
//! entities up in WordPress by their unique key before creating them, so a
//! kill never leaves a duplicate behind.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use super::PushError;

/// What the ledger knows of one entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The WordPress id, once created (None while `pending`).
    pub wp_id: Option<i64>,
    /// The digest of the payload last sent (of the one about to be sent while pending).
    pub digest: String,
    /// A URL WordPress gave for it (a media file's `source_url`).
    pub url: Option<String>,
}

/// The open ledger.
pub struct Ledger {
    conn: Connection,
    path: PathBuf,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS site (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entity (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
    wp_id INTEGER,
    digest TEXT NOT NULL,
    url TEXT,
    PRIMARY KEY (kind, key)
);";

impl Ledger {
    /// Open (or create) the ledger at `path` for the WordPress site `site`;
    /// a ledger of another site is refused.
    pub fn open(path: &Path, site: &str) -> Result<Ledger, PushError> {
        let err = |source| PushError::Ledger {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        let known: Option<String> = conn
            .query_row("SELECT value FROM site WHERE key = 'wordpress'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(err)?;
        match known {
            Some(k) if k != site => {
                return Err(PushError::OtherSite {
                    path: path.to_path_buf(),
                    site: k,
                    given: site.to_string(),
                })
            }
            Some(_) => {}
            None => {
                conn.execute(
                    "INSERT INTO site (key, value) VALUES ('wordpress', ?1)",
                    [site],
                )
                .map_err(err)?;
            }
        }
        Ok(Ledger {
            conn,
            path: path.to_path_buf(),
        })
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> PushError + '_ {
        |source| PushError::Ledger {
            path: self.path.clone(),
            source,
        }
    }

    /// What is known of `kind`/`key`.
    pub fn get(&self, kind: &str, key: &str) -> Result<Option<Entry>, PushError> {
        self.conn
            .query_row(
                "SELECT wp_id, digest, url FROM entity WHERE kind = ?1 AND key = ?2",
                params![kind, key],
                |r| {
                    Ok(Entry {
                        wp_id: r.get(0)?,
                        digest: r.get(1)?,
                        url: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(self.err())
    }

    /// Record the intent to create `kind`/`key` (before the request).
    pub fn pending(&self, kind: &str, key: &str, digest: &str) -> Result<(), PushError> {
        self.conn
            .execute(
                "INSERT INTO entity (kind, key, state, wp_id, digest, url)
                 VALUES (?1, ?2, 'pending', NULL, ?3, NULL)
                 ON CONFLICT (kind, key) DO UPDATE SET digest = excluded.digest
                 WHERE state = 'pending'",
                params![kind, key, digest],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// Record that `kind`/`key` is WordPress object `wp_id`, as sent with `digest`.
    pub fn done(&self, kind: &str, key: &str, e: &Entry) -> Result<(), PushError> {
        self.conn
            .execute(
                "INSERT INTO entity (kind, key, state, wp_id, digest, url)
                 VALUES (?1, ?2, 'done', ?3, ?4, ?5)
                 ON CONFLICT (kind, key) DO UPDATE SET state = 'done',
                   wp_id = excluded.wp_id, digest = excluded.digest, url = excluded.url",
                params![kind, key, e.wp_id, e.digest, e.url],
            )
            .map(|_| ())
            .map_err(self.err())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_entry_keeps_no_id_and_done_fills_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("push.sqlite");
        let l = Ledger::open(&path, "http://a.example/").unwrap();
        l.pending("post", "7102", "d1").unwrap();
        assert_eq!(l.get("post", "7102").unwrap().unwrap().wp_id, None);
        let e = Entry {
            wp_id: Some(5),
            digest: "d2".into(),
            url: None,
        };
        l.done("post", "7102", &e).unwrap();
        // a later intent does not forget the id
        l.pending("post", "7102", "d3").unwrap();
        assert_eq!(l.get("post", "7102").unwrap(), Some(e));
        drop(l);
        let other = Ledger::open(&path, "http://b.example/");
        assert!(
            matches!(other, Err(PushError::OtherSite { .. })),
            "{:?}",
            other.err()
        );
    }
}
