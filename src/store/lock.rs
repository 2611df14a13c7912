//! One writer per store. A crawl (or `run`) holds an exclusive OS lock on
//! `STORE/lock` for as long as it may write the ledger, the WARC files, the
//! spool or the pending log; a second writer is refused at once with the
//! holder's pid, before it touches anything. The operating system releases
//! the lock when the holder dies, however it dies (a `kill -9` included),
//! so a stale lock never blocks the next run; the pid in the file is only
//! what the message shows. Readers (`status`, `extract --store`) take no
//! lock: they only ask whether a writer is at work, to say so.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Name of the lock file in a store.
pub const LOCK_FILE: &str = "lock";

/// Problems taking a store's lock.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds the store.
    #[error(
        "the store {} is in use by another sitelift process ({holder}); \
         wait for it to finish or stop it, then run this command again (nothing was changed)",
        store.display()
    )]
    Busy {
        /// The store folder.
        store: PathBuf,
        /// Who holds it, as the lock file says (`pid 1234, crawl`).
        holder: String,
    },
    /// The lock file could not be created or locked.
    #[error("cannot lock the store {}", store.display())]
    Io {
        /// The store folder.
        store: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// The exclusive hold on a store, released when dropped (or when the
/// process ends).
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
    store: PathBuf,
}

impl StoreLock {
    /// Take the store (creating the folder when needed) for `command`
    /// (`crawl`, `run`); refused at once when another process holds it.
    pub fn acquire(store: &Path, command: &str) -> Result<StoreLock, LockError> {
        let io = |source| LockError::Io {
            store: store.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(store).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(store.join(LOCK_FILE))
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(LockError::Busy {
                    store: store.to_path_buf(),
                    holder: holder(&mut file),
                })
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        let note = format!("pid {}, {command}\n", std::process::id());
        file.set_len(0)
            .and_then(|_| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(note.as_bytes()))
            .and_then(|_| file.flush())
            .map_err(io)?;
        Ok(StoreLock {
            _file: file,
            store: store.to_path_buf(),
        })
    }

    /// The store held.
    pub fn store(&self) -> &Path {
        &self.store
    }
}

/// What the lock file says about its holder.
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.read_to_string(&mut text);
    match text.trim() {
        "" => "pid unknown".into(),
        t => t.chars().take(200).collect(),
    }
}

/// Who is writing the store right now, if anyone: `Some("pid 1234, run")`
/// while another process holds its lock. Takes and releases a shared lock
/// at once, so it never stands in a writer's way for longer than that.
pub fn writer_at_work(store: &Path) -> Option<String> {
    let mut file = File::open(store.join(LOCK_FILE)).ok()?;
    match file.try_lock_shared() {
        Ok(()) => {
            let _ = file.unlock();
            None
        }
        Err(TryLockError::WouldBlock) => Some(holder(&mut file)),
        Err(TryLockError::Error(_)) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_pid_until_it_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = StoreLock::acquire(dir.path(), "crawl").unwrap();
        assert_eq!(
            writer_at_work(dir.path()),
            Some(format!("pid {}, crawl", std::process::id()))
        );
        let err = StoreLock::acquire(dir.path(), "run").unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, LockError::Busy { .. }), "{msg}");
        assert!(msg.contains(&dir.path().display().to_string()), "{msg}");
        assert!(
            msg.contains(&format!("pid {}, crawl", std::process::id())),
            "{msg}"
        );
        drop(first);
        assert_eq!(writer_at_work(dir.path()), None);
        let again = StoreLock::acquire(dir.path(), "run").unwrap();
        assert_eq!(again.store(), dir.path());
    }
}
