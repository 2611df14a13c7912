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
    /// The saved page.
    page: PathBuf,
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
    let saved = input::load(&a.page, a.page.parent(), base.as_ref())?;
    writeln!(
        out,
        "page: {}\nurl:  {} (from {})",
        saved.path.display(),
        saved.url,
        saved.url_source
    )?;
    let page = Page {
        url: &saved.url,
        bytes: &saved.bytes,
        content_type: saved.content_type.as_deref(),
        url_source: saved.url_source,
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
