//! Grouping: the [`Assembler`] takes what each page contributes, in any
//! order, and writes the final lines in one order: records grouped by
//! legacy id (else canonical URL) and sorted by that key, each group's
//! primary record chosen by (template rank, record URL, page order) with the
//! group's URLs merged into its `aliases`; then the error entries sorted by
//! URL; then the listings in page order. Records wait in a temporary spool;
//! in memory stay only their sort key, a hash of the page URL and the spool
//! offset (plus listings and error entries, which are few).

use std::collections::{HashMap, HashSet};
use std::io::{BufWriter, Write};

use super::spool::{Spooled, TempSpool};
use super::{sort_key, Assembled};
use crate::record::{ErrorEntry, Line, Outcome, PageError, Sink};

/// What one page contributes to the output, worked out on the thread that
/// extracted it (so the thread that assembles only appends bytes).
pub struct Contribution {
    /// Page order: the index in the page list (ties between records of one
    /// legacy id, and the order of listings, follow it, then `key_url`).
    order: u64,
    /// Position in the input stream: of two pages with the same `key_url`,
    /// the later one wins when the [`Assembler`] keeps the last only.
    seq: u64,
    key_url: String,
    fetched_url: String,
    what: Contributes,
}

enum Contributes {
    /// A page of a non-emitting template.
    Listing { template: String },
    /// An unmatched or failed page: its error entry.
    Error { entry: ErrorEntry },
    /// A record, before its group's aliases are merged in: its group key
    /// and its spool entry.
    Record { key: (u8, String), entry: Vec<u8> },
}

/// A page of a store or WARC file, as the assembly knows it.
pub struct PageRef<'a> {
    /// Page order (see [`Contribution`]).
    pub order: u64,
    /// Position in the input stream.
    pub seq: u64,
    /// Canonical URL (the ledger key) or the record's target URI.
    pub key_url: &'a str,
    /// The URL the bytes were fetched from.
    pub fetched_url: &'a str,
    /// Other URLs of the page.
    pub aliases: &'a [String],
}

impl Contribution {
    /// Classify the extraction outcome of a stored page; `template_rank` is
    /// each template's position in the profile.
    pub fn new(
        page: &PageRef<'_>,
        outcome: Outcome,
        template_rank: &HashMap<&str, usize>,
    ) -> std::io::Result<Contribution> {
        let url = page.fetched_url;
        Contribution::shaped(page, outcome, template_rank, |e| {
            ErrorEntry::stored(e.as_ref(), url)
        })
    }

    /// [`Contribution::new`], with the error entry of a page that gave no
    /// record made by `entry` (from its failure; None: unmatched).
    pub fn shaped(
        page: &PageRef<'_>,
        outcome: Outcome,
        template_rank: &HashMap<&str, usize>,
        entry: impl FnOnce(Option<PageError>) -> ErrorEntry,
    ) -> std::io::Result<Contribution> {
        let what = match outcome {
            Outcome::NotEmitted { template } => Contributes::Listing { template },
            Outcome::Unmatched => Contributes::Error { entry: entry(None) },
            Outcome::Failed(e) => Contributes::Error {
                entry: entry(Some(e)),
            },
            Outcome::Record(r) => {
                let key = match r.legacy_id.as_deref() {
                    Some(id) => sort_key(id),
                    None => (2, r.canonical_url.clone()),
                };
                let rank = template_rank
                    .get(r.template.as_str())
                    .copied()
                    .unwrap_or(usize::MAX);
                let mut aliases: Vec<String> = page.aliases.to_vec();
                aliases.push(page.key_url.to_string());
                aliases.push(page.fetched_url.to_string());
                aliases.push(r.url.clone());
                aliases.push(r.canonical_url.clone());
                aliases.extend(r.aliases.iter().cloned());
                // the same URL several times (page URL, fetched URL, record URL)
                // merges to one alias anyway: keep one copy
                aliases.sort_unstable();
                aliases.dedup();
                Contributes::Record {
                    key,
                    entry: Spooled::encode(rank, page.order, page.key_url, &aliases, &r)?,
                }
            }
        };
        Ok(Contribution {
            order: page.order,
            seq: page.seq,
            key_url: page.key_url.to_string(),
            fetched_url: page.fetched_url.to_string(),
            what,
        })
    }

    /// A page that could not even be read: its error entry.
    pub fn unreadable(page: &PageRef<'_>, entry: ErrorEntry) -> Contribution {
        Contribution {
            order: page.order,
            seq: page.seq,
            key_url: page.key_url.to_string(),
            fetched_url: page.fetched_url.to_string(),
            what: Contributes::Error { entry },
        }
    }
}

/// A record waiting for its group's turn.
struct Member {
    key: (u8, String),
    /// Hash of the page URL, to find pages stored twice without keeping URLs.
    hash: u64,
    seq: u64,
    at: u64,
    len: u64,
}

/// A page of a non-emitting template.
struct Listing {
    order: u64,
    seq: u64,
    url: String,
    template: String,
}

/// The error entry of an unmatched or failed page.
struct Failed {
    fetched_url: String,
    entry: ErrorEntry,
    seq: u64,
    key_url: String,
}

fn url_hash(url: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    // fixed keys: the same URL hashes the same within the run
    let mut h = std::collections::hash_map::DefaultHasher::new();
    url.hash(&mut h);
    h.finish()
}

/// Takes the contributions of the pages in any order and writes the final
/// lines in one order (see the module header).
pub struct Assembler {
    /// Of two pages with the same URL, keep only the later (`seq`) one.
    last_wins: bool,
    tmp: TempSpool,
    w: BufWriter<std::fs::File>,
    at: u64,
    members: Vec<Member>,
    listings: Vec<Listing>,
    errors: Vec<Failed>,
}

impl Assembler {
    /// An empty assembly; `last_wins`: of pages with the same key URL only
    /// the last one given counts (WARC files, where a URL may be stored twice).
    pub fn new(last_wins: bool) -> std::io::Result<Assembler> {
        let tmp = TempSpool::create()?;
        let w = BufWriter::new(tmp.file.try_clone()?);
        Ok(Assembler {
            last_wins,
            tmp,
            w,
            at: 0,
            members: Vec::new(),
            listings: Vec::new(),
            errors: Vec::new(),
        })
    }

    /// Take one page's contribution.
    pub fn add(&mut self, c: Contribution) -> std::io::Result<()> {
        match c.what {
            Contributes::Listing { template } => self.listings.push(Listing {
                order: c.order,
                seq: c.seq,
                url: c.key_url,
                template,
            }),
            Contributes::Error { entry } => self.errors.push(Failed {
                fetched_url: c.fetched_url,
                entry,
                seq: c.seq,
                key_url: c.key_url,
            }),
            Contributes::Record { key, entry } => {
                self.w.write_all(&entry)?;
                self.members.push(Member {
                    key,
                    hash: url_hash(&c.key_url),
                    seq: c.seq,
                    at: self.at,
                    len: entry.len() as u64,
                });
                self.at += entry.len() as u64;
            }
        }
        Ok(())
    }

    fn read(&self, m: &Member, buf: &mut Vec<u8>) -> std::io::Result<Spooled> {
        self.tmp.read(m.at, m.len, buf)
    }

    /// Forgets every page whose `seq` lies in one of `ranges` (half-open):
    /// the records after a damaged one in the same file.
    pub fn drop_ranges(&mut self, ranges: &[std::ops::Range<u64>]) {
        if ranges.is_empty() {
            return;
        }
        let kept = |seq: &u64| !ranges.iter().any(|r| r.contains(seq));
        self.members.retain(|m| kept(&m.seq));
        self.listings.retain(|l| kept(&l.seq));
        self.errors.retain(|e| kept(&e.seq));
    }

    /// The `seq` of every page that a later page with the same URL replaces.
    /// Pages whose URL hash is unique cannot have been replaced; only pages
    /// sharing a hash (the same URL stored twice, or a hash collision) are
    /// compared by their URLs, read back from the spool.
    fn replaced(&self) -> std::io::Result<HashSet<u64>> {
        let mut hashes: Vec<u64> = self
            .members
            .iter()
            .map(|m| m.hash)
            .chain(self.listings.iter().map(|l| url_hash(&l.url)))
            .chain(self.errors.iter().map(|e| url_hash(&e.key_url)))
            .collect();
        hashes.sort_unstable();
        let shared: HashSet<u64> = hashes
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        drop(hashes);
        let mut pages: Vec<(String, u64)> = Vec::new();
        let mut buf = Vec::new();
        for m in self.members.iter().filter(|m| shared.contains(&m.hash)) {
            pages.push((self.read(m, &mut buf)?.key_url, m.seq));
        }
        for l in &self.listings {
            if shared.contains(&url_hash(&l.url)) {
                pages.push((l.url.clone(), l.seq));
            }
        }
        for e in &self.errors {
            if shared.contains(&url_hash(&e.key_url)) {
                pages.push((e.key_url.clone(), e.seq));
            }
        }
        let mut last: HashMap<&str, u64> = HashMap::new();
        for (url, seq) in &pages {
            let l = last.entry(url.as_str()).or_insert(*seq);
            *l = (*l).max(*seq);
        }
        Ok(pages
            .iter()
            .filter(|(url, seq)| last[url.as_str()] != *seq)
            .map(|(_, seq)| *seq)
            .collect())
    }

    /// Hand every line in the final order to `sink` (twice when it plans:
    /// see [`Sink`]); returns the counts.
    pub fn finish(mut self, sink: &mut dyn Sink) -> std::io::Result<Assembled> {
        self.w.flush()?;
        if self.last_wins {
            let gone = self.replaced()?;
            if !gone.is_empty() {
                self.members.retain(|m| !gone.contains(&m.seq));
                self.listings.retain(|l| !gone.contains(&l.seq));
                self.errors.retain(|e| !gone.contains(&e.seq));
            }
        }
        // group order; the order inside a group is settled once it is read back
        self.members.sort_by(|a, b| a.key.cmp(&b.key));
        self.errors.sort_by_cached_key(|e| {
            let text = serde_json::to_string(&e.entry).unwrap_or_default();
            (e.fetched_url.clone(), text)
        });
        // page order
        self.listings
            .sort_by(|a, b| (a.order, &a.url).cmp(&(b.order, &b.url)));
        if sink.plans() {
            self.emit(&mut |line| sink.plan(&line))?;
        }
        let mut out = self.emit(&mut |line| sink.write(line))?;
        out.pages = out.records + out.merged + out.not_emitted + out.unmatched + out.failed;
        Ok(out)
    }

    /// Every line in the final order: the records, one per group, then the
    /// error entries, then the listings.
    fn emit(
        &self,
        each: &mut dyn FnMut(Line) -> std::io::Result<()>,
    ) -> std::io::Result<Assembled> {
        let mut out = Assembled::default();
        let mut buf = Vec::new();
        for group in self.members.chunk_by(|a, b| a.key == b.key) {
            let mut group = group
                .iter()
                .map(|m| self.read(m, &mut buf))
                .collect::<std::io::Result<Vec<Spooled>>>()?;
            out.merged += group.len() - 1;
            out.records += 1;
            each(Line::Record(Box::new(primary(&mut group)?)))?;
        }
        for e in &self.errors {
            match e.entry.is_unmatched() {
                true => out.unmatched += 1,
                false => out.failed += 1,
            }
            each(Line::Error(e.entry.clone()))?;
        }
        for l in &self.listings {
            out.not_emitted += 1;
            each(Line::Listing {
                url: l.url.clone(),
                template: l.template.clone(),
            })?;
        }
        Ok(out)
    }
}

/// The record of a group: the primary page's (by template rank, record
/// URL, then page order), with every URL of the group as its aliases.
fn primary(group: &mut [Spooled]) -> std::io::Result<crate::record::Record> {
    group.sort_by(|a, b| {
        (a.rank, &a.url, a.order, &a.key_url).cmp(&(b.rank, &b.url, b.order, &b.key_url))
    });
    let mut aliases: Vec<String> = Vec::new();
    for m in group.iter_mut().skip(1) {
        aliases.append(&mut m.aliases);
    }
    let first = &mut group[0];
    aliases.append(&mut first.aliases);
    let mut record = first.record()?;
    aliases.retain(|a| *a != first.url);
    aliases.sort();
    aliases.dedup();
    record.aliases = aliases;
    Ok(record)
}
