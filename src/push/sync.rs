//! One entity brought in line with WordPress: left alone when the ledger
//! says the same payload was sent, updated when it changed, and otherwise
//! looked up in WordPress by its unique key (a pending entity of a killed
//! push, or one a lost ledger forgot) before it is created. The intent is
//! in the ledger before the request that creates it.

use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde_json::Value;

use super::ledger::{Entry, Ledger};
use super::wp::{Body, Wp, WpError};
use super::PushError;

/// How to find an entity in WordPress without the ledger.
#[derive(Debug, Clone)]
pub enum Lookup {
    /// By one of the meta of the sitelift plugin.
    Meta(&'static str, String),
    /// By slug (users).
    Slug(String),
}

/// A file to upload when the entity is created (media).
#[derive(Debug, Clone)]
pub struct Upload {
    /// The file.
    pub file: std::path::PathBuf,
    /// Its content type.
    pub content_type: String,
    /// The payload's fields, as the upload's query.
    pub query: Vec<(String, String)>,
}

/// One entity to push.
#[derive(Debug, Clone)]
pub struct Item {
    /// The ledger's kind (`author`, `section`, `media`, `post`, …).
    pub kind: &'static str,
    /// Its key in the package (slug, SHA-256, record key).
    pub key: String,
    /// Its REST collection (`wp/v2/posts`).
    pub route: &'static str,
    /// What to send on update (and on create, unless `create` says otherwise).
    pub payload: Value,
    /// What to send on create, when it has more than `payload`.
    pub create: Option<Value>,
    /// The upload that creates it (media).
    pub upload: Option<Upload>,
    /// How to find it again.
    pub lookup: Lookup,
}

/// What happened to one entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Created in WordPress.
    Created,
    /// Updated (or found and brought in line after an interrupted push).
    Updated,
    /// Left alone: nothing changed.
    Unchanged,
    /// Not pushed, and why.
    Failed(String),
}

/// What a dry run would do.
pub fn plan(ledger: &Mutex<Ledger>, item: &Item) -> Result<&'static str, PushError> {
    let digest = super::payload::digest(&item.payload);
    let entry = ledger
        .lock()
        .expect("ledger lock")
        .get(item.kind, &item.key)?;
    Ok(match entry {
        Some(Entry {
            wp_id: Some(_),
            digest: d,
            ..
        }) if d == digest => "leave",
        Some(Entry { wp_id: Some(_), .. }) => "update",
        _ => "create",
    })
}

/// Bring `item` in line; the ledger entry it ends with (None when it failed).
pub async fn sync(
    wp: &Wp,
    ledger: &Arc<Mutex<Ledger>>,
    item: &Item,
) -> Result<(Outcome, Option<Entry>), PushError> {
    let digest = super::payload::digest(&item.payload);
    let entry = ledger
        .lock()
        .expect("ledger lock")
        .get(item.kind, &item.key)?;
    let known = entry.as_ref().and_then(|e| e.wp_id.map(|id| (id, e)));
    if let Some((id, e)) = known {
        if e.digest == digest {
            return Ok((Outcome::Unchanged, Some(e.clone())));
        }
        match update(wp, item, id).await {
            Ok(answer) => return finish(ledger, item, &answer, digest, Outcome::Updated),
            Err(WpError::NotFound { .. }) => {} // deleted in WordPress: create it again
            Err(e) => return failed(e),
        }
    }
    ledger
        .lock()
        .expect("ledger lock")
        .pending(item.kind, &item.key, &digest)?;
    let found = match find(wp, item).await {
        Ok(found) => found,
        Err(e) => return failed(e),
    };
    let result = match found {
        Some(id) => update(wp, item, id).await.map(|a| (a, Outcome::Updated)),
        None => create_or_find(wp, item).await,
    };
    match result {
        Ok((answer, outcome)) => {
            if outcome == Outcome::Created {
                super::kill_hook();
            }
            finish(ledger, item, &answer, digest, outcome)
        }
        Err(e) => failed(e),
    }
}

fn failed(e: WpError) -> Result<(Outcome, Option<Entry>), PushError> {
    match e {
        WpError::Unauthorized { .. } => Err(PushError::Wp(e)),
        e => Ok((Outcome::Failed(e.to_string()), None)),
    }
}

fn finish(
    ledger: &Mutex<Ledger>,
    item: &Item,
    answer: &Value,
    digest: String,
    outcome: Outcome,
) -> Result<(Outcome, Option<Entry>), PushError> {
    let Some(id) = answer["id"].as_i64() else {
        let e = WpError::Unexpected(format!("an answer without an id: {answer}"));
        return Ok((Outcome::Failed(e.to_string()), None));
    };
    let entry = Entry {
        wp_id: Some(id),
        digest,
        url: answer["source_url"]
            .as_str()
            .or(answer["link"].as_str())
            .map(str::to_string),
    };
    ledger
        .lock()
        .expect("ledger lock")
        .done(item.kind, &item.key, &entry)?;
    Ok((outcome, Some(entry)))
}

/// Create the entity; when the answer is a 5xx or lost, WordPress may have
/// made it all the same: look it up before each new attempt.
async fn create_or_find(wp: &Wp, item: &Item) -> Result<(Value, Outcome), WpError> {
    let mut attempt = 1;
    loop {
        match create(wp, item).await {
            Ok(answer) => return Ok((answer, Outcome::Created)),
            // a term of the same name under the same parent, made by hand: take it over
            Err(WpError::Rejected {
                existing: Some(id), ..
            }) => return update(wp, item, id).await.map(|a| (a, Outcome::Updated)),
            Err(e) if e.retriable() && attempt < wp.attempts() => {
                attempt += 1;
                tracing::info!(
                    "creating {} {}: {e}; looking it up, then trying again",
                    item.kind,
                    item.key
                );
                wp.pause(attempt).await;
                if let Some(id) = find(wp, item).await? {
                    return update(wp, item, id).await.map(|a| (a, Outcome::Updated));
                }
            }
            Err(e) => return Err(e.after(attempt)),
        }
    }
}

async fn update(wp: &Wp, item: &Item, id: i64) -> Result<Value, WpError> {
    let route = format!("{}/{id}", item.route);
    let query = [("context", "edit")];
    wp.call(
        Method::POST,
        &route,
        &query,
        Some(&Body::Json(&item.payload)),
    )
    .await
}

async fn create(wp: &Wp, item: &Item) -> Result<Value, WpError> {
    let query = [("context", "edit")];
    match &item.upload {
        Some(up) => {
            let bytes = std::fs::read(&up.file).map_err(|e| {
                WpError::Unexpected(format!("cannot read {}: {e}", up.file.display()))
            })?;
            let filename = up
                .file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let mut q: Vec<(&str, &str)> = up
                .query
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            q.extend(query);
            let body = Body::File {
                bytes: &bytes,
                content_type: &up.content_type,
                filename: &filename,
            };
            wp.call_once(Method::POST, item.route, &q, Some(&body))
                .await
        }
        None => {
            let body = item.create.as_ref().unwrap_or(&item.payload);
            wp.call_once(Method::POST, item.route, &query, Some(&Body::Json(body)))
                .await
        }
    }
}

/// The WordPress id of the entity, found by its unique key.
async fn find(wp: &Wp, item: &Item) -> Result<Option<i64>, WpError> {
    let mut query = vec![("context", "edit")];
    match &item.lookup {
        Lookup::Meta(key, value) => {
            query.extend([("sitelift_meta", *key), ("sitelift_value", value.as_str())]);
        }
        Lookup::Slug(slug) => query.push(("slug", slug.as_str())),
    }
    if item.route == "wp/v2/posts" {
        query.push(("status", "publish,future,draft,pending,private"));
    }
    let answer = wp.call(Method::GET, item.route, &query, None).await?;
    let list = answer
        .as_array()
        .ok_or_else(|| WpError::Unexpected(format!("a lookup answered {answer}")))?;
    Ok(list.iter().filter_map(|v| v["id"].as_i64()).min())
}
