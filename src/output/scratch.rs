//! Scratch databases: the output maps that grow with the site (the redirect
//! map, the set of new paths) live in private temporary SQLite databases on
//! disk rather than in memory, so an extraction's memory stays flat however
//! many pages it has. Nothing in them needs to survive a crash: no journal,
//! no sync, one open transaction, deleted when closed.
//!
//! A failure (a full temporary disk) does not stop the caller on the spot:
//! the first error is kept, every later step is skipped, and the owner
//! reports it through [`Scratch::failure`] before anything is written.

use rusqlite::Connection;

/// A private temporary database, or why it failed.
pub struct Scratch {
    db: Option<Connection>,
    failed: Option<String>,
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scratch")
            .field("failed", &self.failed)
            .finish()
    }
}

impl Scratch {
    /// Opens a new database with `schema` (SQL statements).
    pub fn open(schema: &str) -> Scratch {
        let opened = Connection::open("").and_then(|db| {
            db.execute_batch(
                "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; \
                 PRAGMA cache_size = -4096;",
            )?;
            db.execute_batch(schema)?;
            db.execute_batch("BEGIN")?;
            Ok(db)
        });
        match opened {
            Ok(db) => Scratch {
                db: Some(db),
                failed: None,
            },
            Err(e) => Scratch {
                db: None,
                failed: Some(e.to_string()),
            },
        }
    }

    /// Runs `f` on the database unless an earlier step failed; None (and
    /// the error kept, if it is the first) when it fails.
    pub fn run<T>(&mut self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Option<T> {
        let db = self.db.as_ref().filter(|_| self.failed.is_none())?;
        match f(db) {
            Ok(t) => Some(t),
            Err(e) => {
                self.failed = Some(e.to_string());
                None
            }
        }
    }

    /// The database for reading, or the failure as an I/O error.
    pub fn read(&self) -> std::io::Result<&Connection> {
        match &self.db {
            Some(db) if self.failed.is_none() => Ok(db),
            _ => Err(std::io::Error::other(format!(
                "temporary database: {}",
                self.failed.as_deref().unwrap_or("not open")
            ))),
        }
    }

    /// Why the database stopped taking work, if it did.
    pub fn failure(&self) -> Option<&str> {
        self.failed.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_failure_is_kept_and_stops_later_work() {
        let mut ok = Scratch::open("CREATE TABLE t (x INTEGER);");
        assert_eq!(
            ok.run(|db| db.execute("INSERT INTO t VALUES (1)", [])),
            Some(1)
        );
        assert!(ok.failure().is_none() && ok.read().is_ok());
        // a failing step: kept, and nothing runs after it
        assert_eq!(
            ok.run(|db| db.execute("INSERT INTO nope VALUES (1)", [])),
            None
        );
        let first = ok.failure().expect("failure kept").to_string();
        assert!(first.contains("nope"), "{first}");
        assert_eq!(ok.run(|_| Ok(7)), None);
        assert_eq!(ok.failure(), Some(first.as_str()));
        let e = ok.read().expect_err("reading after a failure");
        assert!(e.to_string().contains("nope"), "{e}");

        let bad = Scratch::open("NOT SQL");
        assert!(bad.failure().is_some());
        assert!(bad.read().is_err());
    }
}
