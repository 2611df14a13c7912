//! The push in order: the checks before anything is written (the REST API,
//! the plugin, the user's capabilities), then authors, terms, media and
//! posts, each phase using the WordPress ids the earlier ones recorded.
//! Media and posts go concurrently (bounded by the client); terms go one by
//! one, parents first.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde_json::Value;

use super::ledger::Ledger;
use super::package::{self, Package};
use super::payload::{self, Refs};
use super::sync::{self, Item, Lookup, Outcome, Upload};
use super::wp::{Wp, WpError};
use super::{Counts, PushError, PushOptions, Pushed};

/// Push the package of `opts` into WordPress.
pub fn push(opts: PushOptions) -> Result<Pushed, PushError> {
    let pkg = package::read(&opts.out, opts.media_dir.as_deref())?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(PushError::Runtime)?;
    rt.block_on(run(opts, pkg))
}

struct Ctx {
    wp: Arc<Wp>,
    ledger: Arc<Mutex<Ledger>>,
    dry_run: bool,
    /// Entities in flight at most (their payloads in memory).
    window: usize,
    pushed: Pushed,
}

async fn run(opts: PushOptions, pkg: Package) -> Result<Pushed, PushError> {
    let wp = Wp::new(opts.connection.clone()).map_err(PushError::Wp)?;
    preflight(&wp, &pkg, &opts).await?;
    let ledger = Ledger::open(&pkg.ledger, wp.base().as_str())?;
    let mut ctx = Ctx {
        wp,
        ledger: Arc::new(Mutex::new(ledger)),
        dry_run: opts.dry_run,
        window: opts.connection.concurrency.max(1) * 2,
        pushed: Pushed {
            ledger: pkg.ledger.clone(),
            ..Pushed::default()
        },
    };
    let mut refs = Refs::default();
    authors(&mut ctx, &pkg, &opts.author_map, &mut refs).await?;
    terms(&mut ctx, &pkg, &mut refs).await?;
    let items = media_items(&pkg).into_iter().map(Ok);
    for (item, entry) in run_all(&mut ctx, "media", items).await? {
        if let Some(url) = entry.1 {
            let m = pkg
                .media
                .iter()
                .find(|m| m.entry.sha256 == item)
                .expect("pushed media");
            refs.media.insert(m.entry.url.clone(), (entry.0, url));
        }
    }
    if !ctx.dry_run && !pkg.media.is_empty() {
        write_media_map(&pkg, &refs, ctx.wp.base())?;
        ctx.pushed.media_map = Some(pkg.media_map.clone());
    }
    let base = ctx.wp.base().as_str().trim_end_matches('/').to_string();
    for p in &pkg.posts {
        refs.pages
            .insert(p.path.clone(), format!("{base}{}", p.path));
    }
    let items = pkg.posts.iter().map(|p| {
        Ok(Item {
            kind: "post",
            key: p.key.clone(),
            route: "wp/v2/posts",
            payload: payload::post(p, &p.load()?, &refs),
            create: None,
            upload: None,
            lookup: Lookup::Meta("sitelift_legacy_id", p.key.clone()),
        })
    });
    run_all(&mut ctx, "posts", items).await?;
    ctx.pushed.failures.sort();
    Ok(ctx.pushed)
}

/// Write the nginx map from each media file's package path to its path in
/// WordPress, for a server in front of WordPress that keeps the package's
/// media URLs working (`rewrite`, not a redirect: they answer themselves).
fn write_media_map(pkg: &Package, refs: &Refs, base: &url::Url) -> Result<(), PushError> {
    let mut rows: Vec<(String, String)> = pkg
        .media
        .iter()
        .filter_map(|m| {
            let (_, url) = refs.media.get(&m.entry.url)?;
            let at = url::Url::parse(url).ok()?;
            let same_site = at.host_str() == base.host_str() && at.port() == base.port();
            same_site.then(|| (format!("/{}", m.entry.path), at.path().to_string()))
        })
        .collect();
    rows.sort();
    let mut text = String::from(
        "# sitelift push: where the package's media files are in WordPress. In the http block:\n\
         #   include wordpress-media.map;\n\
         # and in the new site's server block, before it hands requests to WordPress:\n\
         #   if ($sitelift_media_path) { rewrite ^ $sitelift_media_path last; }\n\
         map $uri $sitelift_media_path {\n    default \"\";\n",
    );
    for (from, to) in rows {
        text.push_str(&format!("    \"{from}\" \"{to}\";\n"));
    }
    text.push_str("}\n");
    crate::output::files::write_atomic(&pkg.media_map, text.as_bytes()).map_err(|source| {
        PushError::MediaMap {
            path: pkg.media_map.clone(),
            source,
        }
    })
}

/// The API, the plugin and the user's capabilities, before anything is written.
async fn preflight(wp: &Wp, pkg: &Package, opts: &PushOptions) -> Result<(), PushError> {
    let base = wp.base().to_string();
    let index = match wp.call(Method::GET, "", &[], None).await {
        Ok(v) if v["namespaces"].is_array() => v,
        _ => {
            wp.set_plain_routes();
            match wp.call(Method::GET, "", &[], None).await {
                Ok(v) if v["namespaces"].is_array() => v,
                Ok(v) => return Err(no_api(&base, format!("it answered {v}"))),
                Err(e) => return Err(no_api(&base, e.to_string())),
            }
        }
    };
    let has_plugin = index["namespaces"]
        .as_array()
        .is_some_and(|n| n.iter().any(|n| n == "sitelift/v1"));
    if !has_plugin {
        return Err(PushError::NoPlugin { base });
    }
    let me = wp
        .call(Method::GET, "wp/v2/users/me", &[("context", "edit")], None)
        .await
        .map_err(PushError::Wp)?;
    let mut needed = vec![
        "upload_files",
        "publish_posts",
        "edit_others_posts",
        "manage_categories",
    ];
    if pkg
        .authors
        .iter()
        .any(|a| !opts.author_map.contains_key(&a.slug))
    {
        needed.extend(["create_users", "list_users"]);
    }
    let missing: Vec<&str> = needed
        .into_iter()
        .filter(|c| me["capabilities"][*c] != Value::Bool(true))
        .collect();
    if !missing.is_empty() {
        return Err(PushError::Capabilities {
            user: opts.connection.user.clone(),
            missing: missing.join(", "),
            base,
        });
    }
    Ok(())
}

fn no_api(base: &str, why: String) -> PushError {
    PushError::NoApi {
        base: base.to_string(),
        why,
    }
}

/// Count an outcome; the id and URL it ended with.
fn tally(ctx: &mut Ctx, group: &'static str, kind: &str, key: &str, outcome: &Outcome) {
    let c: &mut Counts = ctx.pushed.counts.entry(group).or_default();
    match outcome {
        Outcome::Created => c.created += 1,
        Outcome::Updated => c.updated += 1,
        Outcome::Unchanged => c.unchanged += 1,
        Outcome::Failed(why) => {
            c.failed += 1;
            let what = kind.trim_end_matches('s').to_string();
            ctx.pushed
                .failures
                .push((what, key.to_string(), why.clone()));
        }
    }
}

/// Push one item now (or plan it); its WordPress id and URL when it has one.
async fn one(
    ctx: &mut Ctx,
    kind: &'static str,
    item: &Item,
) -> Result<Option<(i64, Option<String>)>, PushError> {
    if ctx.dry_run {
        let action = sync::plan(&ctx.ledger, item)?;
        ctx.pushed
            .plan
            .push((action.into(), item.kind.into(), item.key.clone()));
        let known = ctx
            .ledger
            .lock()
            .expect("ledger lock")
            .get(item.kind, &item.key)?;
        return Ok(known.and_then(|e| e.wp_id.map(|id| (id, e.url))));
    }
    let (outcome, entry) = sync::sync(&ctx.wp, &ctx.ledger, item).await?;
    tally(ctx, kind, item.kind, &item.key, &outcome);
    Ok(entry.and_then(|e| e.wp_id.map(|id| (id, e.url))))
}

/// What [`run_all`] returns: each key pushed with its WordPress id and URL.
type Done = Vec<(String, (i64, Option<String>))>;

/// Push `items` concurrently, built one by one as slots free up (so only a
/// few payloads are in memory at a time).
async fn run_all(
    ctx: &mut Ctx,
    kind: &'static str,
    items: impl Iterator<Item = Result<Item, PushError>>,
) -> Result<Done, PushError> {
    let mut done = Vec::new();
    if ctx.dry_run {
        for item in items {
            let item = item?;
            if let Some(e) = one(ctx, kind, &item).await? {
                done.push((item.key.clone(), e));
            }
        }
        return Ok(done);
    }
    let mut set = tokio::task::JoinSet::new();
    let mut results = Vec::new();
    let mut items = items.enumerate();
    loop {
        while set.len() < ctx.window {
            let Some((i, item)) = items.next() else { break };
            let item = item?;
            let (wp, ledger) = (ctx.wp.clone(), ctx.ledger.clone());
            set.spawn(async move {
                let r = sync::sync(&wp, &ledger, &item).await;
                (i, item.key, r)
            });
        }
        let Some(joined) = set.join_next().await else {
            break;
        };
        let (i, key, r) = joined
            .map_err(|e| PushError::Wp(WpError::Unexpected(format!("a request stopped: {e}"))))?;
        let (outcome, entry) = r?;
        results.push((
            i,
            key,
            outcome,
            entry.and_then(|e| e.wp_id.map(|id| (id, e.url))),
        ));
    }
    results.sort_by_key(|r| r.0);
    let what = if kind == "posts" { "post" } else { "media" };
    for (_, key, outcome, entry) in results {
        tally(ctx, kind, what, &key, &outcome);
        if let Some(e) = entry {
            done.push((key, e));
        }
    }
    Ok(done)
}

fn media_items(pkg: &Package) -> Vec<Item> {
    pkg.media
        .iter()
        .map(|m| {
            let fields = payload::media(m);
            Item {
                kind: "media",
                key: m.entry.sha256.clone(),
                route: "wp/v2/media",
                upload: Some(Upload {
                    file: m.file.clone(),
                    content_type: m
                        .entry
                        .content_type
                        .clone()
                        .unwrap_or_else(|| "application/octet-stream".into()),
                    query: payload::media_query(&fields),
                }),
                payload: fields,
                create: None,
                lookup: Lookup::Meta("sitelift_sha256", m.entry.sha256.clone()),
            }
        })
        .collect()
}

/// Terms one by one, parents first (a parent's id goes into its children).
async fn terms(ctx: &mut Ctx, pkg: &Package, refs: &mut Refs) -> Result<(), PushError> {
    for t in &pkg.terms {
        let parent = t
            .parent
            .as_ref()
            .and_then(|p| refs.terms.get(&(t.vocabulary.clone(), p.clone())).copied());
        let kind = match t.vocabulary.as_str() {
            "section" => "section",
            "tag" => "tag",
            _ => "category",
        };
        let item = Item {
            kind,
            key: t.slug.clone(),
            route: payload::term_route(t),
            payload: payload::term(t, parent),
            create: None,
            upload: None,
            lookup: Lookup::Meta("sitelift_legacy_slug", t.slug.clone()),
        };
        if let Some((id, _)) = one(ctx, "terms", &item).await? {
            refs.terms
                .insert((t.vocabulary.clone(), t.slug.clone()), id);
        }
    }
    Ok(())
}

/// Authors: users created for them, or the existing users the mapping names.
async fn authors(
    ctx: &mut Ctx,
    pkg: &Package,
    map: &BTreeMap<String, String>,
    refs: &mut Refs,
) -> Result<(), PushError> {
    for a in &pkg.authors {
        if let Some(who) = map.get(&a.slug) {
            match existing_user(&ctx.wp, who).await {
                Ok(Some(id)) => {
                    tally(ctx, "authors", "author", &a.slug, &Outcome::Unchanged);
                    refs.users.insert(a.slug.clone(), id);
                }
                Ok(None) => {
                    let why = format!("the mapping names {who}, and WordPress has no such user");
                    tally(ctx, "authors", "author", &a.slug, &Outcome::Failed(why));
                }
                Err(e @ WpError::Unauthorized { .. }) => return Err(PushError::Wp(e)),
                Err(e) => tally(
                    ctx,
                    "authors",
                    "author",
                    &a.slug,
                    &Outcome::Failed(e.to_string()),
                ),
            }
            continue;
        }
        let item = Item {
            kind: "author",
            key: a.slug.clone(),
            route: "wp/v2/users",
            payload: payload::user(a),
            create: Some(payload::new_user(a)),
            upload: None,
            lookup: Lookup::Slug(a.slug.clone()),
        };
        if let Some((id, _)) = one(ctx, "authors", &item).await? {
            refs.users.insert(a.slug.clone(), id);
        }
    }
    Ok(())
}

/// The id of the user `who` names: a login, an e-mail address, a slug or an id.
async fn existing_user(wp: &Wp, who: &str) -> Result<Option<i64>, WpError> {
    if let Ok(id) = who.parse::<i64>() {
        let route = format!("wp/v2/users/{id}");
        return match wp
            .call(Method::GET, &route, &[("context", "edit")], None)
            .await
        {
            Ok(v) => Ok(v["id"].as_i64()),
            Err(WpError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        };
    }
    let list = wp
        .call(
            Method::GET,
            "wp/v2/users",
            &[("context", "edit"), ("search", who), ("per_page", "100")],
            None,
        )
        .await?;
    let same = |v: &Value, k: &str| v[k].as_str().is_some_and(|s| s.eq_ignore_ascii_case(who));
    Ok(list.as_array().and_then(|l| {
        l.iter()
            .find(|u| same(u, "username") || same(u, "email") || same(u, "slug"))
            .and_then(|u| u["id"].as_i64())
    }))
}
