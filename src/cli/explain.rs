//! `sitelift explain`: for one page, which template matched and why, each
//! field's selectors tried with what they matched, the steps applied, and the
//! final record. The tool for writing a profile.

use std::io::Write;
use std::path::PathBuf;

use url::Url;

use crate::extract::{extract_traced, Page, Trace};
use crate::sources::saved as input;

/// Arguments of `sitelift explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site profile.
    #[arg(long)]
    profile: PathBuf,
    /// The saved page.
    page: PathBuf,
    /// URL of the page when it has no sidecar or canonical link.
    #[arg(long)]
    base_url: Option<Url>,
}

pub fn run(a: Args) -> anyhow::Result<u8> {
    let mut out = std::io::stdout().lock();
    let profile = super::load_profile(&a.profile)?;
    let base = a.base_url.clone().or_else(|| profile.base_url.clone());
    let saved = input::load(&a.page, a.page.parent(), base.as_ref())?;
    writeln!(
        out,
        "page: {}\nurl:  {} (from {})",
        saved.path.display(),
        saved.url,
        saved.url_source
    )?;
    let mut trace = Trace::on();
    let page = Page {
        url: &saved.url,
        bytes: &saved.bytes,
        content_type: saved.content_type.as_deref(),
        url_source: saved.url_source,
    };
    let outcome = extract_traced(&page, &profile, &mut trace);
    for l in &trace.lines {
        writeln!(out, "{l}")?;
    }
    writeln!(out, "result:\n{}", serde_json::to_string_pretty(&outcome)?)?;
    Ok(match outcome {
        crate::record::Outcome::Record(_) | crate::record::Outcome::NotEmitted { .. } => 0,
        _ => 1,
    })
}
