//! Unit tests of the ledger.

use super::*;

fn discover(url: &str, depth: u32, found_on: Option<&str>) -> Update {
    Update::Discover {
        url: url.into(),
        depth,
        found_on: found_on.map(str::to_string),
    }
}

fn urls(claimed: &[Claimed]) -> Vec<&str> {
    claimed.iter().map(|c| c.url.as_str()).collect()
}

#[test]
fn discover_dedups_and_claim_orders_by_depth_then_discovery() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut l = Ledger::open(dir.path()).expect("open");
    let r = l
        .apply(&[
            discover("http://s/", 0, None),
            discover("http://s/c", 2, Some("http://s/b")),
            discover("http://s/a", 1, Some("http://s/")),
            discover("http://s/b", 1, Some("http://s/")),
            discover("http://s/a", 1, Some("http://s/b")),
        ])
        .expect("apply");
    assert_eq!(r.new, vec![0, 1, 2, 3]);
    assert!(!r.is_new(4));
    let r = l
        .apply(&[
            discover("http://s/d", 1, None),
            discover("http://s/", 0, None),
        ])
        .expect("apply");
    assert_eq!(r.new, vec![0]);
    assert_eq!(l.pending().expect("pending"), 5);
    let row = l.get("http://s/a").expect("get").expect("row");
    assert_eq!(row.found_on.as_deref(), Some("http://s/"));
    assert_eq!(row.status, Status::Queued);
    let first = l.claim(3).expect("claim");
    assert_eq!(urls(&first), ["http://s/", "http://s/a", "http://s/b"]);
    assert_eq!(first[1].depth, 1);
    let rest = l.claim(10).expect("claim");
    assert_eq!(urls(&rest), ["http://s/d", "http://s/c"]);
    assert!(l.claim(10).expect("claim").is_empty());
    assert_eq!(l.pending().expect("pending"), 5);
    assert_eq!(l.urls(Status::InFlight).expect("urls").len(), 5);
    assert!(l.get("http://s/zzz").expect("get").is_none());
}

#[test]
fn in_flight_urls_are_requeued_on_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let mut l = Ledger::open(dir.path()).expect("open");
        assert_eq!(l.requeued_on_open(), 0);
        l.apply(&[
            discover("http://s/1", 0, None),
            discover("http://s/2", 0, None),
        ])
        .expect("apply");
        l.apply(&[discover("http://s/3", 0, None)]).expect("apply");
        assert_eq!(l.claim(2).expect("claim").len(), 2);
    }
    let mut l = Ledger::open(dir.path()).expect("reopen");
    assert_eq!(l.requeued_on_open(), 2);
    assert!(l.urls(Status::InFlight).expect("urls").is_empty());
    assert_eq!(
        urls(&l.claim(5).expect("claim")),
        ["http://s/1", "http://s/2", "http://s/3"]
    );
    // Order numbers keep growing across runs.
    let rows = l.urls(Status::InFlight).expect("urls");
    assert!(rows.iter().all(|r| r.updated > r.discovered));
}

#[test]
fn outcomes_counts_and_retry_failed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut l = Ledger::open(dir.path()).expect("open");
    let names = [
        "http://s/ok",
        "http://s/404",
        "http://s/slow",
        "http://s/robots",
        "http://s/q",
    ];
    let batch: Vec<Update> = names.iter().map(|u| discover(u, 1, None)).collect();
    l.apply(&batch).expect("discover");
    l.claim(4).expect("claim");
    let warc = WarcRef {
        file: "crawl-00000.warc.gz".into(),
        offset: 1234,
        length: 567,
    };
    l.apply(&[
        Update::Fetched {
            url: "http://s/ok".into(),
            final_url: Some("https://s/ok".into()),
            http_status: 200,
            content_type: Some("text/html".into()),
            warc: Some(warc.clone()),
            digest: Some("sha1:ABC".into()),
        },
        Update::Failed {
            url: "http://s/404".into(),
            reason: "http_404".into(),
            detail: "Not Found".into(),
            attempts: 1,
        },
        Update::Failed {
            url: "http://s/slow".into(),
            reason: "timeout".into(),
            detail: "30 s".into(),
            attempts: 3,
        },
        Update::Skipped {
            url: "http://s/robots".into(),
            reason: "robots".into(),
            detail: "Disallow: /".into(),
        },
        Update::Requeue {
            url: "http://s/q".into(),
            attempts: 1,
            reason: "connection".into(),
        },
    ])
    .expect("outcomes");
    let s = |x: &str| Some(x.to_string());
    assert_eq!(
        l.counts().expect("counts"),
        vec![
            (Status::Queued, s("connection"), 1),
            (Status::Fetched, None, 1),
            (Status::Failed, s("http_404"), 1),
            (Status::Failed, s("timeout"), 1),
            (Status::Skipped, s("robots"), 1),
        ]
    );
    let fetched = l.fetched_pages().expect("fetched");
    assert_eq!(fetched.len(), 1);
    assert_eq!(fetched[0].warc.as_ref(), Some(&warc));
    assert_eq!(fetched[0].http_status, Some(200));
    assert_eq!(fetched[0].final_url.as_deref(), Some("https://s/ok"));
    assert_eq!(l.pending().expect("pending"), 1);
    assert_eq!(l.retry_failed().expect("retry"), 2);
    let slow = l.get("http://s/slow").expect("get").expect("row");
    assert_eq!((slow.status, slow.attempts), (Status::Queued, 0));
    assert_eq!(slow.detail.as_deref(), Some("timeout: 30 s"));
    assert_eq!(l.pending().expect("pending"), 3);
    assert_eq!(l.retry_failed().expect("retry"), 0);
}

#[test]
fn aliases_first_wins_and_self_alias_ignored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut l = Ledger::open(dir.path()).expect("open");
    let alias = |a: &str, c: &str, how| Update::Alias {
        alias: a.into(),
        canonical: c.into(),
        how,
    };
    let r = l
        .apply(&[
            alias(
                "http://s/?id=7198",
                "https://s/7198-x/",
                AliasHow::SameLegacyId,
            ),
            alias(
                "http://www.s/7198-x/",
                "https://s/7198-x/",
                AliasHow::Variant,
            ),
            alias("http://s/?id=7198", "https://s/other/", AliasHow::Redirect),
            alias("https://s/7198-x/", "https://s/7198-x/", AliasHow::Redirect),
        ])
        .expect("apply");
    assert_eq!(r.aliases_added, 2);
    assert_eq!(
        l.aliases_of("https://s/7198-x/").expect("aliases"),
        ["http://s/?id=7198", "http://www.s/7198-x/"]
    );
    assert_eq!(
        l.canonical_of("http://s/?id=7198")
            .expect("canonical")
            .as_deref(),
        Some("https://s/7198-x/")
    );
    let all = l.all_aliases().expect("all");
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].2, AliasHow::SameLegacyId);
    assert_eq!(all[1].2, AliasHow::Variant);
}

#[test]
fn a_failing_batch_is_rolled_back_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut l = Ledger::open(dir.path()).expect("open");
    let err = l
        .apply(&[
            discover("http://s/new", 0, None),
            Update::Alias {
                alias: "http://s/old".into(),
                canonical: "http://s/new".into(),
                how: AliasHow::Redirect,
            },
            Update::Skipped {
                url: "http://s/never-seen".into(),
                reason: "robots".into(),
                detail: String::new(),
            },
        ])
        .expect_err("unknown URL");
    assert!(
        matches!(
            err,
            LedgerError::UnknownUrl {
                update: "Skipped",
                ..
            }
        ),
        "{err}"
    );
    assert!(l.get("http://s/new").expect("get").is_none());
    assert!(l.all_aliases().expect("aliases").is_empty());
    let r = l
        .apply(&[discover("http://s/new", 0, None)])
        .expect("apply");
    assert_eq!(r.new, vec![0]);
}

#[test]
fn meta_schema_version_and_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let mut l = Ledger::open(dir.path()).expect("open");
        assert_eq!(l.get_meta("seeds").expect("meta"), None);
        l.set_meta("seeds", "a").expect("set");
        l.set_meta("seeds", "b").expect("set");
        assert_eq!(l.get_meta("seeds").expect("meta").as_deref(), Some("b"));
    }
    let conn = Connection::open(dir.path().join(LEDGER_FILE)).expect("raw open");
    assert_eq!(
        conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
            .expect("version"),
        SCHEMA_VERSION
    );
    conn.pragma_update(None, "user_version", 99).expect("bump");
    drop(conn);
    assert!(matches!(
        Ledger::open(dir.path()),
        Err(LedgerError::UnsupportedSchema { found: 99, .. })
    ));
    for st in Status::ALL {
        assert_eq!(st.as_str().parse::<Status>().expect("status"), st);
    }
    for how in AliasHow::ALL {
        assert_eq!(how.to_string().parse::<AliasHow>().expect("how"), how);
    }
    assert!("done".parse::<Status>().is_err());
}

/// The schema of version 1, as sitelift wrote it before URLs had a kind.
const SCHEMA_V1: &str = "
CREATE TABLE urls (
    id           INTEGER PRIMARY KEY,
    url          TEXT    NOT NULL UNIQUE,
    status       TEXT    NOT NULL
                 CHECK (status IN ('queued','in_flight','fetched','failed','skipped')),
    reason       TEXT,
    detail       TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    depth        INTEGER NOT NULL,
    found_on     TEXT,
    final_url    TEXT,
    http_status  INTEGER,
    content_type TEXT,
    warc_file    TEXT,
    warc_offset  INTEGER,
    warc_length  INTEGER,
    digest       TEXT,
    discovered   INTEGER NOT NULL,
    updated      INTEGER NOT NULL
);
CREATE INDEX urls_by_status ON urls (status, depth, discovered);
CREATE TABLE aliases (
    alias     TEXT    PRIMARY KEY,
    canonical TEXT    NOT NULL,
    how       TEXT    NOT NULL,
    added     INTEGER NOT NULL
);
CREATE INDEX aliases_by_canonical ON aliases (canonical, added);
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
";

/// A store's ledger as a version-1 sitelift left it: a fetched page, a
/// queued link, a failed one, an alias, the sitemaps done.
fn version_1_ledger(dir: &std::path::Path) {
    let conn = Connection::open(dir.join(LEDGER_FILE)).expect("raw open");
    conn.execute_batch(SCHEMA_V1).expect("v1 schema");
    conn.execute_batch(
        "INSERT INTO urls (url, status, attempts, depth, discovered, updated, http_status,
                           content_type, warc_file, warc_offset, warc_length, digest)
         VALUES ('http://s/', 'fetched', 1, 0, 1, 4, 200, 'text/html',
                 'warc/sitelift-00000.warc.gz', 0, 120, 'sha1:AAAA');
         INSERT INTO urls (url, status, attempts, depth, found_on, discovered, updated)
         VALUES ('http://s/a', 'queued', 0, 1, 'http://s/', 2, 2);
         INSERT INTO urls (url, status, reason, detail, attempts, depth, found_on, discovered, updated)
         VALUES ('http://s/gone', 'failed', 'http_404', 'HTTP 404', 1, 1, 'http://s/', 3, 5);
         INSERT INTO aliases (alias, canonical, how, added) VALUES ('http://s/old', 'http://s/', 'redirect', 3);
         INSERT INTO meta (key, value) VALUES ('sitemaps_done', '1');",
    )
    .expect("v1 rows");
    conn.pragma_update(None, "user_version", 1).expect("v1");
}

fn user_version(dir: &std::path::Path) -> i64 {
    Connection::open(dir.join(LEDGER_FILE))
        .expect("raw open")
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version")
}

#[test]
fn a_version_1_ledger_is_read_as_pages_and_migrated_on_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    version_1_ledger(dir.path());
    let before = std::fs::read(dir.path().join(LEDGER_FILE)).expect("bytes");

    // a reader sees every row as a page, and changes nothing
    {
        let r = Ledger::open_read_only(dir.path()).expect("read-only open of v1");
        let pages = r.fetched_pages().expect("pages");
        assert_eq!(pages.len(), 1);
        assert_eq!(
            (pages[0].kind, pages[0].http_status),
            (UrlKind::Page, Some(200))
        );
        assert_eq!(
            r.counts_by_kind().expect("counts")[0],
            (UrlKind::Page, Status::Queued, None, 1)
        );
        assert_eq!(
            r.canonical_of("http://s/old").expect("alias").as_deref(),
            Some("http://s/")
        );
    }
    assert_eq!(user_version(dir.path()), 1);
    assert_eq!(
        std::fs::read(dir.path().join(LEDGER_FILE)).expect("bytes"),
        before
    );

    // the writer migrates: a kind column, every old row a page, nothing lost
    {
        let mut l = Ledger::open(dir.path()).expect("open migrates");
        assert_eq!(user_version(dir.path()), SCHEMA_VERSION);
        let row = l.get("http://s/gone").expect("get").expect("row");
        assert_eq!(
            (row.kind, row.status, row.reason.as_deref()),
            (UrlKind::Page, Status::Failed, Some("http_404"))
        );
        assert_eq!(
            l.get_meta("sitemaps_done").expect("meta").as_deref(),
            Some("1")
        );
        let claimed = l.claim(5).expect("claim");
        assert_eq!(urls(&claimed), ["http://s/a"]);
        assert_eq!(claimed[0].kind, UrlKind::Page);
        l.apply(&[Update::DiscoverMedia {
            url: "http://s/pic.png".into(),
            depth: 0,
            found_on: Some("http://s/".into()),
        }])
        .expect("media on a migrated ledger");
        assert_eq!(
            l.counts_of(UrlKind::Media).expect("counts"),
            [(Status::Queued, None, 1)]
        );
    }
    // and once is enough: the next open leaves it as it is
    let l = Ledger::open(dir.path()).expect("reopen");
    assert_eq!(
        l.urls(Status::Queued).expect("queued").len(),
        2,
        "the in-flight link came back"
    );
    assert_eq!(user_version(dir.path()), SCHEMA_VERSION);
}

#[test]
fn media_urls_are_their_own_kind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut l = Ledger::open(dir.path()).expect("open");
    let media = |url: &str| Update::DiscoverMedia {
        url: url.into(),
        depth: 2,
        found_on: Some("http://s/p".into()),
    };
    let r = l
        .apply(&[
            discover("http://s/p", 1, None),
            media("http://s/a.jpg"),
            media("http://s/p"),     // already a page: nothing changes
            media("http://s/a.jpg"), // seen twice
            discover("http://s/a.jpg", 3, None),
            discover("http://s/img.php", 2, None),
            discover("http://s/x.php", 2, None),
        ])
        .expect("apply");
    assert_eq!(r.new, vec![0, 1, 5, 6]);
    assert_eq!(
        l.get("http://s/p").expect("get").expect("row").kind,
        UrlKind::Page
    );
    let a = l.get("http://s/a.jpg").expect("get").expect("row");
    assert_eq!((a.kind, a.depth), (UrlKind::Media, 2));
    // a page skipped for its type turns out to be an asset: queued again as media
    l.apply(&[
        Update::Skipped {
            url: "http://s/img.php".into(),
            reason: "content_type".into(),
            detail: "image/png".into(),
        },
        Update::AsMedia {
            url: "http://s/img.php".into(),
            requeue: true,
        },
        Update::AsMedia {
            url: "http://s/x.php".into(),
            requeue: false,
        },
    ])
    .expect("as media");
    let img = l.get("http://s/img.php").expect("get").expect("row");
    assert_eq!(
        (
            img.kind,
            img.status,
            img.reason.as_deref(),
            img.detail.as_deref()
        ),
        (
            UrlKind::Media,
            Status::Queued,
            Some("media"),
            Some("content_type")
        )
    );
    assert_eq!(
        l.get("http://s/x.php").expect("get").expect("row").status,
        Status::Queued
    );
    let claimed = l.claim(10).expect("claim");
    let kinds: Vec<(&str, UrlKind)> = claimed.iter().map(|c| (c.url.as_str(), c.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("http://s/p", UrlKind::Page),
            ("http://s/a.jpg", UrlKind::Media),
            ("http://s/img.php", UrlKind::Media),
            ("http://s/x.php", UrlKind::Media)
        ]
    );
    for url in ["http://s/p", "http://s/a.jpg"] {
        l.apply(&[Update::Fetched {
            url: url.into(),
            final_url: None,
            http_status: 200,
            content_type: None,
            warc: None,
            digest: None,
        }])
        .expect("fetched");
    }
    let pages: Vec<String> = l
        .fetched_pages()
        .expect("pages")
        .into_iter()
        .map(|r| r.url)
        .collect();
    assert_eq!(pages, ["http://s/p"], "an asset is never a page to extract");
    assert_eq!(
        l.counts_by_kind().expect("counts"),
        [
            (UrlKind::Page, Status::Fetched, None, 1),
            (UrlKind::Media, Status::InFlight, None, 1),
            (UrlKind::Media, Status::InFlight, Some("media".into()), 1),
            (UrlKind::Media, Status::Fetched, None, 1),
        ]
    );
    assert!(matches!(
        l.apply(&[Update::AsMedia {
            url: "http://s/none".into(),
            requeue: false
        }]),
        Err(LedgerError::UnknownUrl {
            update: "AsMedia",
            ..
        })
    ));
    for k in UrlKind::ALL {
        assert_eq!(k.to_string().parse::<UrlKind>().expect("kind"), k);
    }
}
