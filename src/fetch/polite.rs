//! Per-host politeness that holds under any concurrency.
//!
//! A legacy server is often one small machine; a migration must not be what
//! takes it down. Every request (robots.txt and retries included) first takes
//! a per-host permit (at most `max_connections_per_host` in flight), then a
//! global permit (`concurrency`), then reserves a start time at least the
//! host's delay after the previous reserved start. Reservations are made
//! under a lock, so the spacing holds however many tasks race for one host.
//! A host is its lowercased name (or IP literal), whatever the scheme and
//! port: `http://` and `https://` of one old server are one machine.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The state of one host: its connection permits and its next free start.
#[derive(Debug)]
struct HostSlot {
    permits: Arc<Semaphore>,
    /// Start of the last request reserved for this host.
    last_start: Mutex<Option<Instant>>,
}

/// Shared politeness state of a fetcher.
#[derive(Debug)]
pub struct Politeness {
    global: Arc<Semaphore>,
    per_host: usize,
    hosts: Mutex<HashMap<String, Arc<HostSlot>>>,
}

/// Held while a request is in flight; dropping it frees the slots.
#[derive(Debug)]
pub struct Permit {
    _host: Option<OwnedSemaphorePermit>,
    _global: Option<OwnedSemaphorePermit>,
    start: Instant,
}

impl Permit {
    /// The start time reserved for this request (the permit is handed out
    /// at or after it).
    pub fn start(&self) -> Instant {
        self.start
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A poisoned lock only means another task panicked while holding it; the
    // data (a map or an instant) is still usable.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Politeness {
    /// `concurrency` and `per_host` must be at least 1.
    pub fn new(concurrency: usize, per_host: usize) -> Self {
        Politeness {
            global: Arc::new(Semaphore::new(concurrency.max(1))),
            per_host: per_host.max(1),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, host: &str) -> Arc<HostSlot> {
        let mut hosts = lock(&self.hosts);
        hosts
            .entry(host.to_ascii_lowercase())
            .or_insert_with(|| {
                Arc::new(HostSlot {
                    permits: Arc::new(Semaphore::new(self.per_host)),
                    last_start: Mutex::new(None),
                })
            })
            .clone()
    }

    /// Waits until a request to `host` may start, `delay` after the previous
    /// start to that host, and returns the permit to hold while it runs.
    pub async fn acquire(&self, host: &str, delay: Duration) -> Permit {
        let slot = self.slot(host);
        // The semaphores are never closed, so acquiring cannot fail; should it
        // ever, we go on without the permit rather than crash the crawl.
        let host_permit = slot.permits.clone().acquire_owned().await.ok();
        let global_permit = self.global.clone().acquire_owned().await.ok();
        let start = {
            // Spaced from the previous start by the delay known NOW: a
            // Crawl-delay learned from robots.txt applies to the very next request.
            let mut last = lock(&slot.last_start);
            let now = Instant::now();
            let start = match *last {
                Some(at) if at + delay > now => at + delay,
                _ => now,
            };
            *last = Some(start);
            start
        };
        tokio::time::sleep_until(start).await;
        Permit {
            _host: host_permit,
            _global: global_permit,
            start,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn starts_are_spaced_per_host() {
        let polite = Arc::new(Politeness::new(8, 8));
        let delay = Duration::from_millis(30);
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let polite = polite.clone();
            tasks.push(tokio::spawn(async move {
                let permit = polite.acquire("example.org", delay).await;
                assert!(Instant::now() >= permit.start(), "handed out early");
                permit.start()
            }));
        }
        let mut starts = Vec::new();
        for task in tasks {
            starts.push(task.await.expect("task"));
        }
        starts.sort();
        for pair in starts.windows(2) {
            assert!(pair[1] - pair[0] >= delay, "starts too close: {pair:?}");
        }
    }
}
