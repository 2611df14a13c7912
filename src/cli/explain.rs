//! `sitelift explain`: for one page, which template matched and why, each
//! field's selectors tried with what they matched, the steps applied, and the
//! final record. The tool for writing a profile. With `--generic`, what
//! generic extraction found and where: the rule and the elements (as CSS) of
//! each field, what it left out of the body and why, and how the body
//! container won.

use std::io::Write;
use std::path::PathBuf;

use url::Url;

use crate::extract::{extract_traced, generic, Page, Trace};
use crate::profile::Profile;
use crate::sources::saved as input;

/// Arguments of `sitelift explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site profile.
    #[arg(long, required_unless_present = "generic")]
    profile: Option<PathBuf>,
    /// Also show generic extraction (the page with no profile): rules,
    /// elements, what the body left out.
    #[arg(long)]
    generic: bool,
    /// The saved page; with --store, the URL of a page of the store (its
    /// canonical URL, the URL it was fetched from, or one of its aliases).
    page: String,
    /// Explain a page straight from a crawl store.
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
    /// URL of the page when it has no sidecar or canonical link.
    #[arg(long)]
    base_url: Option<Url>,
}

pub fn run(a: Args) -> anyhow::Result<u8> {
    let mut out = std::io::stdout().lock();
    let profile = match &a.profile {
        Some(p) => Some(super::load_profile(p)?),
        None => None,
    };
    let base = a
        .base_url
        .clone()
        .or_else(|| profile.as_ref().and_then(|p| p.base_url.clone()));
    let loaded = match &a.store {
        Some(store) => from_store(store, &a.page, profile.as_ref())?,
        None => {
            let path = PathBuf::from(&a.page);
            let saved = input::load(&path, path.parent(), base.as_ref())?;
            Loaded {
                what: format!("page: {}", saved.path.display()),
                url: saved.url,
                url_source: saved.url_source,
                bytes: saved.bytes,
                content_type: saved.content_type,
            }
        }
    };
    writeln!(
        out,
        "{}\nurl:  {} (from {})",
        loaded.what, loaded.url, loaded.url_source
    )?;
    let page = Page {
        url: &loaded.url,
        bytes: &loaded.bytes,
        content_type: loaded.content_type.as_deref(),
        url_source: loaded.url_source,
    };
    let mut code = 0;
    if let Some(profile) = &profile {
        code = explain_profile(&mut out, &page, profile)?;
    }
    if a.generic {
        code = explain_generic(&mut out, &page)?;
    }
    Ok(code)
}

/// A page to explain, from a file or a store.
struct Loaded {
    what: String,
    url: Url,
    url_source: &'static str,
    bytes: Vec<u8>,
    content_type: Option<String>,
}

/// The stored page whose canonical URL, fetched URL or alias is `want`
/// (also in the profile's canonical form).
fn from_store(
    store: &std::path::Path,
    want: &str,
    profile: Option<&Profile>,
) -> anyhow::Result<Loaded> {
    let pages = crate::sources::store::pages(store)?;
    let canonical = profile.and_then(|p| p.crawl.as_ref()).and_then(|c| {
        Url::parse(want)
            .ok()
            .map(|u| crate::frontier::canon::canonicalize(&u, &c.canon).to_string())
    });
    let is = |u: &str| u == want || canonical.as_deref() == Some(u);
    let Some(p) = pages
        .iter()
        .find(|p| is(&p.key_url) || is(&p.fetched_url) || p.aliases.iter().any(|a| is(a)))
    else {
        anyhow::bail!(
            "{want} is not a fetched page of the store {} ({} pages; `sitelift status {}` lists what failed)",
            store.display(),
            pages.len(),
            store.display()
        );
    };
    let rec = crate::sources::store::read_record(&p.location).map_err(anyhow::Error::msg)?;
    let http = rec.http_response()?;
    Ok(Loaded {
        what: format!("store: {} ({})", store.display(), p.key_url),
        url: Url::parse(&p.fetched_url)?,
        url_source: p.url_source,
        content_type: http.header("content-type").map(str::to_string),
        bytes: http.body.to_vec(),
    })
}

fn explain_profile(out: &mut dyn Write, page: &Page<'_>, profile: &Profile) -> anyhow::Result<u8> {
    let mut trace = Trace::on();
    let outcome = extract_traced(page, profile, &mut trace);
    for l in &trace.lines {
        writeln!(out, "{l}")?;
    }
    writeln!(out, "result:\n{}", serde_json::to_string_pretty(&outcome)?)?;
    Ok(match outcome {
        crate::record::Outcome::Record(_) | crate::record::Outcome::NotEmitted { .. } => 0,
        _ => 1,
    })
}

fn explain_generic(out: &mut dyn Write, page: &Page<'_>) -> anyhow::Result<u8> {
    writeln!(out, "generic extraction:")?;
    let g = match generic::extract(page) {
        Ok(g) => g,
        Err(e) => {
            writeln!(out, "  failed: {e}")?;
            return Ok(1);
        }
    };
    for (field, ev) in &g.evidence.fields {
        writeln!(out, "  {field}: {}", ev.rule)?;
        for css in &ev.css {
            writeln!(out, "    at {css}")?;
        }
    }
    if let Some(((css, score), rest)) = g.evidence.body_scores.split_first() {
        writeln!(
            out,
            "  body container {css} scored {score:.1}; its ancestors:"
        )?;
        for (css, score) in rest {
            writeln!(out, "    {css} {score:.1}")?;
        }
    }
    for p in &g.evidence.pruned {
        writeln!(out, "  left out of the body: {} ({})", p.css, p.why)?;
    }
    writeln!(
        out,
        "generic result:\n{}",
        serde_json::to_string_pretty(&g.record)?
    )?;
    Ok(0)
}
