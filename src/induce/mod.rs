//! Induction: sample pages of a site in, the text of a site profile out
//! (`sitelift init`).
//!
//! Generic extraction runs on every sample ([`crate::extract::generic`]):
//! its record says what each field is, its evidence says where. Samples are
//! sorted into kinds (articles, listings, the rest) and grouped into
//! templates by the classes and ids their markup has in common; each
//! template gets match rules that tell its pages from every other sample's.
//! For each field, the elements the value came from give candidate
//! selectors (stable classes and ids only: see
//! [`crate::extract::generic::css::is_stable_name`]), and every candidate is
//! tried on every sample of the template: a candidate is voted for by the
//! samples where it gives the value generic extraction found there. The
//! best one is the field's selector; others follow as fallbacks where it
//! gives nothing. The body container comes with `remove` lists for what
//! generic extraction left out inside it, and, with many samples, for the
//! blocks whose text is the same on every page of the template.
//!
//! The steps, one module each, in the order they run:
//!
//! - `samples`: each sample analysed (generic extraction, the names in
//!   its markup, its kind), and the samples of a kind grouped into
//!   templates; the site's locale.
//! - `cand`: candidate selectors for an element, and how they score on
//!   the samples of a template (shared by the steps below).
//! - `fields`: the title, the authors and the featured image;
//!   `published`: the date and its formats; `section`: the section
//!   or breadcrumb.
//! - `legacy_id`: the pattern of the URLs' ids.
//! - `body`: the body container and the featured figure before the text;
//!   `remove`: what to take out of the container.
//! - `dateline`: the place and date at the start of the text.
//! - `lists`: the sidebar lists (a heading and a block of links).
//! - `matching`: the match rules that tell a template's pages from the
//!   other samples.
//! - `render`: the plans written out as the profile's TOML text.
//!
//! Pure: pages in, text out; reading the inputs and writing the file is
//! the `init` command's (src/cli/init.rs).

mod body;
mod cand;
mod dateline;
mod fields;
mod legacy_id;
mod lists;
mod matching;
mod published;
mod remove;
mod render;
mod samples;
mod section;

use url::Url;

use body::BodyPlan;
use cand::Src;
use fields::FieldPlan;
use lists::ListPlan;
use matching::MatchPlan;
use samples::Seen;

pub use render::{is_init_written, MARKER};

/// A sample page.
#[derive(Debug, Clone)]
pub struct Sample {
    /// A short name (the saved file's stem, or one made from the URL).
    pub name: String,
    /// Its URL.
    pub url: Url,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Its HTTP `Content-Type`, when known.
    pub content_type: Option<String>,
    /// Where the URL came from (`sidecar`, `canonical`, `warc`, `fetch`, ...).
    pub url_source: &'static str,
    /// Other URLs of the page.
    pub aliases: Vec<String>,
}

/// Why induction could not write a profile.
#[derive(Debug, thiserror::Error)]
pub enum InduceError {
    /// No samples at all.
    #[error("no sample pages: give saved pages, folders of them, WARC files or a crawl store")]
    NoPages,
    /// No sample looked like an article.
    #[error("none of the {0} sample pages looks like an article (a title, text, and a date or byline): give some article pages of the site")]
    NoArticles(usize),
}

/// What kind of page a sample is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An article (emitted).
    Article,
    /// A listing (crawled, not emitted).
    Listing,
    /// Neither (no template).
    Other,
}

/// A template of the written profile, for the report.
#[derive(Debug, Clone)]
pub struct TemplateSummary {
    /// Its name.
    pub name: String,
    /// Whether it emits records.
    pub emit: bool,
    /// Its samples' names.
    pub samples: Vec<String>,
}

/// The written profile and what it is made of.
#[derive(Debug, Clone)]
pub struct Induced {
    /// The profile text.
    pub text: String,
    /// Its templates.
    pub templates: Vec<TemplateSummary>,
    /// Samples no template is for (name, why).
    pub other: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default)]
/// One template of the profile, planned: its samples, match rules,
/// fields, body, ids, dateline and lists.
struct Plan {
    name: String,
    emit: bool,
    members: Vec<usize>,
    matching: MatchPlan,
    fields: Vec<FieldPlan>,
    body: Option<BodyPlan>,
    legacy_id: Option<(String, usize)>,
    dateline: Option<(String, usize)>,
    lists: Vec<ListPlan>,
}

/// Write a profile for `site` from `samples`.
pub fn induce(site: &str, samples: &[Sample]) -> Result<Induced, InduceError> {
    if samples.is_empty() {
        return Err(InduceError::NoPages);
    }
    let seen: Vec<Seen> = samples.iter().filter_map(samples::analyse).collect();
    if !seen.iter().any(|s| s.kind == Kind::Article) {
        return Err(InduceError::NoArticles(samples.len()));
    }
    let mut plans = Vec::new();
    for (kind, base) in [(Kind::Article, "article"), (Kind::Listing, "listing")] {
        let ids: Vec<usize> = (0..seen.len()).filter(|&i| seen[i].kind == kind).collect();
        let groups = samples::cluster(&seen, &ids);
        let many = groups.len() > 1;
        for (n, members) in groups.into_iter().enumerate() {
            let name = match many {
                true => format!("{base}-{}", n + 1),
                false => base.to_string(),
            };
            plans.push(Plan {
                name,
                emit: kind == Kind::Article,
                members,
                ..Plan::default()
            });
        }
    }
    for p in plans.iter_mut() {
        plan_template(&seen, p);
    }
    let all_plans = plans.clone();
    for (i, p) in plans.iter_mut().enumerate() {
        p.matching = matching::plan_match(&seen, &all_plans, i);
    }
    let locale = samples::locale_of(&seen);
    let text = render::profile(site, &seen, &plans, locale.as_deref());
    Ok(Induced {
        text,
        templates: plans
            .iter()
            .map(|p| TemplateSummary {
                name: p.name.clone(),
                emit: p.emit,
                samples: p.members.iter().map(|&i| seen[i].name.clone()).collect(),
            })
            .collect(),
        other: seen
            .iter()
            .filter(|s| s.kind == Kind::Other)
            .map(|s| (s.name.clone(), s.why.clone()))
            .collect(),
    })
}

/// Plan the fields of template `p` (for an article template also its
/// body, ids, dateline and lists) from its samples.
fn plan_template(seen: &[Seen], p: &mut Plan) {
    let m: Vec<&Seen> = p.members.iter().map(|&i| &seen[i]).collect();
    let title = fields::plan_title(&m, p.emit);
    let mut found = Vec::new();
    let mut in_body_remove = Vec::new();
    if let Some(t) = title {
        in_body_remove.push(t.srcs[0].0.clone());
        found.push(t);
    }
    if p.emit {
        if let Some(f) = section::plan_section(&m).or_else(|| section::plan_pathway(&m)) {
            found.push(f);
        }
        if let Some(f) = published::plan_published(&m) {
            if let Some((s, _)) = f.srcs.iter().find(|(s, _)| s.attr.is_none()) {
                in_body_remove.push(s.clone());
            }
            found.push(f);
        }
        if let Some(f) = fields::plan_authors(&m) {
            in_body_remove.push(f.srcs[0].0.clone());
            found.push(f);
        }
        p.legacy_id = legacy_id::plan_legacy_id(&m);
        if let Some(f) = fields::plan_featured_image(&m) {
            found.push(f);
        }
        p.body = body::plan_body(&m, &in_body_remove);
        let paras: Vec<Vec<String>> = m
            .iter()
            .map(|s| body::body_paragraphs(s, p.body.as_ref()))
            .collect();
        p.dateline = dateline::plan_dateline(&paras);
        p.lists = lists::plan_lists(&m, p.body.as_ref());
    }
    p.fields = found;
}
