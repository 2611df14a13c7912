//! The checks on the wire, through the project's polite fetcher (per-host
//! delay, retries, `connect_to`, address safety). Redirects are never
//! followed blindly: the fetcher asks before every hop, and the answer
//! depends on the check. A legacy URL's chain is followed hop by hop only
//! while it stays on the site's own hosts, and stops at the expected new
//! URL (which the page checks fetch anyway), so a correct redirect costs one
//! request; a new page or media path must answer itself, without redirect.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use url::Url;

use super::package::{LegacyCheck, MediaCheck, PageCheck};
use super::page::Titles;
use super::report::{Kind, Mismatch};
use crate::fetch::{ContentKind, Failure, FetchOutcome, Fetcher, Hop, Reason, Response};

/// Why the verify scope stopped a redirect chain: the expected URL was reached.
const REACHED: &str = "the expected new URL (not fetched: its page is checked on its own)";
/// Why the verify scope stopped a redirect chain: it left the site's hosts.
const ELSEWHERE: &str = "not a host of the site (not followed)";
/// Why the verify scope stopped a redirect of a new path or media file.
const NOT_FOLLOWED: &str = "a new path must answer itself (redirect not followed)";

/// One check to run.
#[derive(Debug, Clone)]
pub enum Check {
    /// A legacy URL must redirect to its new URL.
    Legacy(LegacyCheck),
    /// A new path must answer 200 with HTML and the record's title.
    Page(PageCheck),
    /// A media path must answer 200 with the same bytes.
    Media(MediaCheck),
}

/// Runs checks against the new site.
#[derive(Debug)]
pub struct Checker {
    fetcher: Fetcher,
    base: Url,
    /// Hosts a legacy redirect chain may be followed on (lowercased).
    hosts: HashSet<String>,
}

/// `s` (a new URL or media path of the package) as a URL on the new site:
/// an absolute `http(s)` URL stays as it is, a path is taken relative to
/// `base` (`/news/x/` under `https://new.example/site/` is
/// `https://new.example/site/news/x/`).
pub fn resolve(base: &Url, s: &str) -> Result<Url, String> {
    if let Ok(u) = Url::parse(s) {
        if matches!(u.scheme(), "http" | "https") && u.has_host() {
            return Ok(u);
        }
    }
    let rel = format!("./{}", s.trim_start_matches('/'));
    base.join(&rel)
        .map_err(|e| format!("{s:?} is not a path or URL: {e}"))
}

fn host_of(u: &Url) -> String {
    u.host_str()
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

impl Checker {
    /// A checker for the new site at `base`; `hosts` are the site's own
    /// (the legacy hosts and the new one), where redirect chains are followed.
    pub fn new(fetcher: Fetcher, base: Url, hosts: impl IntoIterator<Item = String>) -> Checker {
        let mut hosts: HashSet<String> = hosts.into_iter().collect();
        hosts.insert(host_of(&base));
        Checker {
            fetcher,
            base,
            hosts,
        }
    }

    /// Run one check; None when it passed.
    pub async fn run(&self, check: &Check) -> Option<Mismatch> {
        match check {
            Check::Legacy(c) => self.legacy(c).await,
            Check::Page(c) => self.page(c).await,
            Check::Media(c) => self.media(c).await,
        }
    }

    /// Fetch `url`; `follow` decides about every redirect target (the URLs
    /// asked about are returned, the first being `url` itself).
    async fn fetch(
        &self,
        url: &Url,
        follow: impl Fn(&Url) -> Result<(), &'static str> + Send + Sync,
    ) -> (FetchOutcome, Vec<Url>) {
        let asked: Mutex<Vec<Url>> = Mutex::new(Vec::new());
        let scope = |u: &Url| -> Result<(), String> {
            let mut asked = asked.lock().unwrap_or_else(|e| e.into_inner());
            let first = asked.is_empty();
            asked.push(u.clone());
            if first {
                return Ok(());
            }
            follow(u).map_err(str::to_string)
        };
        let outcome = self.fetcher.fetch(url, &scope).await;
        let asked = asked.into_inner().unwrap_or_else(|e| e.into_inner());
        (outcome, asked)
    }

    async fn legacy(&self, c: &LegacyCheck) -> Option<Mismatch> {
        let mut m = Mismatch {
            kind: Kind::LegacyError,
            legacy_url: Some(c.legacy_url.clone()),
            path: None,
            url: c.legacy_url.clone(),
            expected: c.new_url.clone(),
            got: String::new(),
            status: None,
            chain: Vec::new(),
            detail: None,
            record: Some(c.record.clone()),
        };
        let expected = match resolve(&self.base, &c.new_url) {
            Ok(u) => u,
            Err(why) => {
                m.detail = Some(format!("bad new_url in the redirect map: {why}"));
                return Some(m);
            }
        };
        m.expected = expected.to_string();
        let url = match Url::parse(&c.legacy_url) {
            Ok(u) => u,
            Err(e) => {
                m.detail = Some(format!("not a URL: {e}"));
                return Some(m);
            }
        };
        let follow = |u: &Url| {
            if *u == expected {
                Err(REACHED)
            } else if !self.hosts.contains(&host_of(u)) {
                Err(ELSEWHERE)
            } else {
                Ok(())
            }
        };
        let (outcome, asked) = self.fetch(&url, follow).await;
        judge_legacy(m, &url, &expected, outcome, &asked)
    }

    async fn page(&self, c: &PageCheck) -> Option<Mismatch> {
        let mut m = Mismatch {
            kind: Kind::MissingPage,
            legacy_url: None,
            path: Some(c.path.clone()),
            url: c.path.clone(),
            expected: "200".into(),
            got: String::new(),
            status: None,
            chain: Vec::new(),
            detail: None,
            record: Some(c.record.clone()),
        };
        let url = match resolve(&self.base, &c.path) {
            Ok(u) => u,
            Err(why) => {
                m.detail = Some(why);
                return Some(m);
            }
        };
        m.url = url.to_string();
        let (outcome, asked) = self.fetch(&url, |_| Err(NOT_FOLLOWED)).await;
        let Some(r) = answer(&mut m, outcome, &asked) else {
            return Some(m);
        };
        if r.kind != ContentKind::Html {
            m.kind = Kind::NotHtml;
            m.expected = "text/html".into();
            m.got = r.content_type.clone().unwrap_or_default();
            return Some(m);
        }
        let Some(title) = &c.title else {
            return None;
        };
        let content_type = r
            .header("content-type")
            .map(|v| String::from_utf8_lossy(v).into_owned());
        let titles = Titles::of(&r.body, content_type.as_deref());
        if titles.contain(title) {
            return None;
        }
        m.kind = Kind::TitleMismatch;
        m.expected = title.clone();
        m.got = titles.shown();
        if titles.title.is_none() && titles.h1.is_none() {
            m.detail = Some("the page has no <title> and no <h1>".into());
        }
        Some(m)
    }

    async fn media(&self, c: &MediaCheck) -> Option<Mismatch> {
        let mut m = Mismatch {
            kind: Kind::MediaMissing,
            legacy_url: None,
            path: Some(c.path.clone()),
            url: c.path.clone(),
            expected: c.sha256.clone(),
            got: String::new(),
            status: None,
            chain: Vec::new(),
            detail: None,
            record: None,
        };
        let url = match resolve(&self.base, &c.path) {
            Ok(u) => u,
            Err(why) => {
                m.detail = Some(why);
                return Some(m);
            }
        };
        m.url = url.to_string();
        let (outcome, asked) = self.fetch(&url, |_| Err(NOT_FOLLOWED)).await;
        let Some(r) = answer(&mut m, outcome, &asked) else {
            return Some(m);
        };
        let got = super::sha256_hex(&r.body);
        if got == c.sha256 {
            return None;
        }
        m.kind = Kind::MediaDiffers;
        m.got = got;
        Some(m)
    }
}

/// `STATUS TARGET` for each hop of a chain (targets are the URLs asked
/// about after the first).
fn chain_text(chain: &[Hop], asked: &[Url]) -> Vec<String> {
    chain
        .iter()
        .enumerate()
        .map(|(i, hop)| match asked.get(i + 1) {
            Some(to) => format!("{} {to}", hop.status),
            None => hop.status.to_string(),
        })
        .collect()
}

fn failure_text(f: &Failure) -> String {
    format!("{}: {}", f.reason.code(), f.detail)
}

/// The 200 answer of a page or media check; None when there is none, with
/// `m` (of its kind) saying what came instead: another status, a redirect,
/// no answer.
fn answer(m: &mut Mismatch, outcome: FetchOutcome, asked: &[Url]) -> Option<Response> {
    match outcome {
        FetchOutcome::Response(r) if r.status == 200 => return Some(r),
        FetchOutcome::Response(r) => {
            m.status = Some(r.status);
            m.got = r.status.to_string();
        }
        FetchOutcome::Failed(f) | FetchOutcome::Skipped(f) => {
            m.chain = chain_text(&f.chain, asked);
            match f.chain.last() {
                Some(hop) if f.reason == Reason::OutOfScope => {
                    m.status = Some(hop.status);
                    m.got = m.chain.last().cloned().unwrap_or_default();
                }
                _ => {
                    m.got = f.reason.code();
                    m.detail = Some(failure_text(&f));
                }
            }
        }
    }
    None
}

/// The mismatch of a legacy URL, if any, from what the fetch saw.
fn judge_legacy(
    mut m: Mismatch,
    url: &Url,
    expected: &Url,
    outcome: FetchOutcome,
    asked: &[Url],
) -> Option<Mismatch> {
    let (chain, last_status) = match &outcome {
        FetchOutcome::Response(r) => (&r.chain, Some(r.status)),
        FetchOutcome::Failed(f) | FetchOutcome::Skipped(f) => {
            (&f.chain, f.chain.last().map(|h| h.status))
        }
    };
    m.chain = chain_text(chain, asked);
    m.status = last_status;
    let reached = asked.len() > 1 && asked.last() == Some(expected);
    match outcome {
        FetchOutcome::Response(r) if r.chain.is_empty() => {
            if (200..300).contains(&r.status) {
                if url == expected {
                    return None;
                }
                m.kind = Kind::NoRedirect;
                m.got = format!("{} (no redirect)", r.status);
            } else {
                m.kind = Kind::LegacyError;
                m.got = r.status.to_string();
            }
        }
        FetchOutcome::Response(r) => {
            m.kind = Kind::WrongRedirect;
            m.got = r.url.to_string();
        }
        FetchOutcome::Skipped(f) if reached && f.reason == Reason::OutOfScope => {
            m.got = expected.to_string();
            match f.chain.as_slice() {
                [one] if matches!(one.status, 301 | 308) => return None,
                [_] => m.kind = Kind::TemporaryRedirect,
                _ => m.kind = Kind::RedirectChain,
            }
        }
        FetchOutcome::Failed(f) | FetchOutcome::Skipped(f) => {
            if f.chain.is_empty() {
                m.kind = Kind::LegacyError;
                m.got = f.reason.code();
            } else {
                m.kind = Kind::WrongRedirect;
                m.got = asked.last().map(Url::to_string).unwrap_or_default();
            }
            if f.reason != Reason::OutOfScope {
                m.detail = Some(failure_text(&f));
            }
        }
    }
    Some(m)
}

/// Run every check, `window` at a time (the fetcher spaces and caps the
/// requests; the window only bounds the tasks waiting for it), calling
/// `done` after each. The mismatches, sorted.
pub async fn run_all(
    checker: Arc<Checker>,
    checks: Vec<Check>,
    window: usize,
    done: &(dyn Fn() + Send + Sync),
) -> Result<Vec<Mismatch>, tokio::task::JoinError> {
    let mut set = tokio::task::JoinSet::new();
    let mut failed = Vec::new();
    let mut pending = checks.into_iter();
    loop {
        while set.len() < window.max(1) {
            let Some(check) = pending.next() else { break };
            let checker = checker.clone();
            set.spawn(async move { checker.run(&check).await });
        }
        match set.join_next().await {
            None => break,
            Some(result) => {
                if let Some(m) = result? {
                    failed.push(m);
                }
                done();
            }
        }
    }
    failed.sort();
    Ok(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_under_the_base_and_urls_stay() {
        let base = Url::parse("https://new.example/site/").unwrap();
        let r = |s| resolve(&base, s).unwrap().to_string();
        assert_eq!(r("/news/x/"), "https://new.example/site/news/x/");
        assert_eq!(
            r("media/2006/05/chart.png"),
            "https://new.example/site/media/2006/05/chart.png"
        );
        assert_eq!(r("https://cdn.example/a.png"), "https://cdn.example/a.png");
        // a protocol-relative or scheme-looking path stays on the new site
        assert_eq!(
            r("//evil.example/x"),
            "https://new.example/site/evil.example/x"
        );
        assert_eq!(r("c:/x"), "https://new.example/site/c:/x");
    }

    fn hop(url: &str, status: u16) -> Hop {
        Hop {
            url: Url::parse(url).unwrap(),
            status,
        }
    }

    fn blank() -> Mismatch {
        Mismatch {
            kind: Kind::LegacyError,
            legacy_url: Some("http://old.example/a".into()),
            path: None,
            url: "http://old.example/a".into(),
            expected: String::new(),
            got: String::new(),
            status: None,
            chain: Vec::new(),
            detail: None,
            record: Some("1".into()),
        }
    }

    fn stopped(chain: Vec<Hop>) -> FetchOutcome {
        FetchOutcome::Skipped(Failure {
            reason: Reason::OutOfScope,
            detail: String::new(),
            attempts: 1,
            chain,
        })
    }

    #[test]
    fn legacy_chains_are_judged_by_hops_and_status() {
        let url = Url::parse("http://old.example/a").unwrap();
        let mid = Url::parse("https://old.example/a").unwrap();
        let want = Url::parse("https://new.example/n/").unwrap();
        let judge = |outcome, asked: &[Url]| judge_legacy(blank(), &url, &want, outcome, asked);
        let one = [url.clone(), want.clone()];
        assert_eq!(
            judge(stopped(vec![hop("http://old.example/a", 301)]), &one),
            None
        );
        assert_eq!(
            judge(stopped(vec![hop("http://old.example/a", 308)]), &one),
            None
        );
        let temp = judge(stopped(vec![hop("http://old.example/a", 302)]), &one).unwrap();
        assert_eq!(
            (temp.kind, temp.status),
            (Kind::TemporaryRedirect, Some(302))
        );
        let two = [url.clone(), mid.clone(), want.clone()];
        let chain = judge(
            stopped(vec![
                hop("http://old.example/a", 301),
                hop("https://old.example/a", 301),
            ]),
            &two,
        )
        .unwrap();
        assert_eq!(chain.kind, Kind::RedirectChain);
        assert_eq!(
            chain.chain,
            ["301 https://old.example/a", "301 https://new.example/n/"]
        );
        // stopped on a foreign host: where it went
        let away = Url::parse("https://elsewhere.example/").unwrap();
        let w = judge(
            stopped(vec![hop("http://old.example/a", 301)]),
            &[url.clone(), away],
        )
        .unwrap();
        assert_eq!(
            (w.kind, w.got.as_str()),
            (Kind::WrongRedirect, "https://elsewhere.example/")
        );
        assert_eq!(w.detail, None);
        // no answer at all
        let none = FetchOutcome::Failed(Failure {
            reason: Reason::Connection,
            detail: "refused".into(),
            attempts: 4,
            chain: Vec::new(),
        });
        let e = judge(none, std::slice::from_ref(&url)).unwrap();
        assert_eq!((e.kind, e.got.as_str()), (Kind::LegacyError, "connection"));
        assert_eq!(e.detail.as_deref(), Some("connection: refused"));
    }
}
