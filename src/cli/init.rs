//! `sitelift init`: sample pages of a site (saved files and folders, WARC
//! files, a crawl store) → a site profile, written by [`crate::induce`],
//! loaded back before it is written, and tried on the samples; with
//! `--fixtures DIR`, the samples and their expected JSON as fixtures.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Context;
use url::Url;

use crate::extract::{extract, Page};
use crate::induce::{induce, is_init_written, Sample};
use crate::profile::Profile;
use crate::record::Outcome;
use crate::sources::{saved, store, warc};

/// Arguments of `sitelift init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site's short name (the profile's `site.name`, the fixture folder's name).
    #[arg(long)]
    site: String,
    /// Where to write the profile (default: selectors/<site>.toml). An
    /// existing file is replaced only when init wrote it (or with --force).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also write the samples and their expected JSON here (a fixture
    /// folder for `sitelift check`; name it after the site).
    #[arg(long)]
    fixtures: Option<PathBuf>,
    /// Replace an existing profile or fixture files that init did not write.
    #[arg(long)]
    force: bool,
    /// URL of the input folder, for saved pages without a sidecar or canonical link.
    #[arg(long)]
    base_url: Option<Url>,
    /// Use at most this many pages (an even spread of a larger input).
    #[arg(long, default_value_t = 400)]
    max_pages: usize,
    /// Saved pages and folders, WARC files (.warc, .warc.gz), or crawl store folders.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
}

fn is_warc(p: &Path) -> bool {
    let n = p.to_string_lossy().to_ascii_lowercase();
    n.ends_with(".warc") || n.ends_with(".warc.gz")
}

fn is_store(p: &Path) -> bool {
    p.is_dir() && p.join("ledger.sqlite").exists()
}

/// A file name for a page of a store or WARC file, from its URL.
fn name_of(url: &Url) -> String {
    let mut s = url.path().to_string();
    if let Some(q) = url.query() {
        s.push('-');
        s.push_str(q);
    }
    let slug = crate::text::slugify(&s, 80);
    match slug.is_empty() {
        true => "home".into(),
        false => slug,
    }
}

/// Every sample of the inputs: the pages of each store in input order,
/// then those of the WARC files (by URL), then the saved pages (a folder's
/// sorted); names made unique, and at most `--max-pages` of them.
fn samples(a: &Args) -> anyhow::Result<Vec<Sample>> {
    let mut out = Vec::new();
    let mut files = Vec::new();
    let mut warcs = Vec::new();
    for p in &a.inputs {
        if !p.exists() {
            anyhow::bail!(
                "{} does not exist: give saved pages, folders of them, WARC files or a crawl store",
                p.display()
            );
        }
        if is_store(p) {
            out.extend(store_samples(p)?);
        } else if is_warc(p) {
            warcs.push(p.clone());
        } else {
            files.push(p.clone());
        }
    }
    if !warcs.is_empty() {
        out.extend(warc_samples(&warcs));
    }
    if !files.is_empty() {
        out.extend(saved_samples(&files, a.base_url.as_ref())?);
    }
    unique_names(&mut out);
    Ok(spread(out, a.max_pages))
}

/// The pages of a crawl store fetched with a 2xx status (a record that
/// does not read is left out with a warning).
fn store_samples(p: &Path) -> anyhow::Result<Vec<Sample>> {
    let mut out = Vec::new();
    for sp in store::pages(p)? {
        let rec = match store::read_record(&sp.location) {
            Ok(r) => r,
            Err(e) => {
                eprintln!(
                    "sitelift: warning: {} in {}: {e} (page left out)",
                    sp.key_url,
                    p.display()
                );
                continue;
            }
        };
        let Ok(http) = rec.http_response() else {
            continue;
        };
        let Ok(url) = Url::parse(&sp.fetched_url) else {
            continue;
        };
        if !(200..300).contains(&http.status) {
            continue;
        }
        out.push(Sample {
            name: name_of(&url),
            content_type: http.header("content-type").map(str::to_string),
            url,
            bytes: http.body,
            url_source: sp.url_source,
            aliases: sp.aliases,
        });
    }
    Ok(out)
}

/// The HTML responses of the WARC files, one per URL (the last), in URL
/// order; a problem reading a file is a warning.
fn warc_samples(warcs: &[PathBuf]) -> Vec<Sample> {
    let mut by_url = std::collections::BTreeMap::new();
    let problems = warc::for_each_response(warcs, |_, rec| {
        if let Some((uri, http)) = warc::html_response(&rec) {
            if let Ok(url) = Url::parse(uri) {
                by_url.insert(
                    uri.to_string(),
                    Sample {
                        name: name_of(&url),
                        content_type: http.header("content-type").map(str::to_string),
                        url,
                        bytes: http.body,
                        url_source: "warc",
                        aliases: Vec::new(),
                    },
                );
            }
        }
        true
    });
    for p in problems {
        eprintln!("sitelift: warning: reading WARC: {p} (the records before it were read)");
    }
    by_url.into_values().collect()
}

/// Saved pages and folders of them, named after their files.
fn saved_samples(files: &[PathBuf], base_url: Option<&Url>) -> anyhow::Result<Vec<Sample>> {
    let mut out = Vec::new();
    let saved::Collected { pages, skipped } = saved::collect(files)?;
    for (p, what) in &skipped {
        eprintln!(
            "sitelift: note: skipped {}: not a regular file ({what})",
            p.display()
        );
    }
    let root = files.first().filter(|p| p.is_dir()).cloned();
    for path in pages {
        let sp = saved::load(&path, root.as_deref(), base_url)?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| name_of(&sp.url));
        out.push(Sample {
            name,
            url: sp.url,
            bytes: sp.bytes,
            content_type: sp.content_type,
            url_source: sp.url_source,
            aliases: sp.aliases,
        });
    }
    Ok(out)
}

/// Unique names (a page saved twice, two URLs with one slug): `-2`, `-3`, ...
fn unique_names(samples: &mut [Sample]) {
    let mut used = BTreeSet::new();
    for s in samples.iter_mut() {
        let base = s.name.clone();
        let mut n = 2;
        while !used.insert(s.name.clone()) {
            s.name = format!("{base}-{n}");
            n += 1;
        }
    }
}

/// At most `max` samples (0: all), evenly spread over the input.
fn spread(samples: Vec<Sample>, max: usize) -> Vec<Sample> {
    if samples.len() > max && max > 0 {
        let n = samples.len();
        let keep: BTreeSet<usize> = (0..max).map(|i| i * n / max).collect();
        return samples
            .into_iter()
            .enumerate()
            .filter(|(i, _)| keep.contains(i))
            .map(|(_, s)| s)
            .collect();
    }
    samples
}

/// Write `text` to `path` atomically (a temporary file in the same folder, renamed).
fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let tmp = path.with_extension("tmp-init");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
    Ok(())
}

pub fn run(a: Args) -> anyhow::Result<u8> {
    if a.site.is_empty()
        || !a
            .site
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        anyhow::bail!(
            "--site `{}`: use letters, digits, `-` and `_` (it names selectors/<site>.toml and fixtures/<site>/)",
            a.site
        );
    }
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("selectors").join(format!("{}.toml", a.site)));
    // refuse before any work: a profile someone wrote is never replaced
    if let Ok(old) = std::fs::read_to_string(&out) {
        if !is_init_written(&old) && !a.force {
            anyhow::bail!(
                "{} exists and was not written by sitelift init (its first line is not \"# sitelift init: ...\"): nothing written; choose another --out, or pass --force to replace it",
                out.display()
            );
        }
    } else if out.exists() && !a.force {
        anyhow::bail!(
            "{} exists and cannot be read as text: nothing written; choose another --out, or pass --force",
            out.display()
        );
    }
    let samples = samples(&a)?;
    if samples.is_empty() {
        anyhow::bail!(
            "no pages in {}: give saved .html/.htm pages, folders of them, WARC files or a crawl store",
            a.inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let induced = induce(&a.site, &samples)?;
    let profile = Profile::from_str(&induced.text, &out).map_err(|e| {
        anyhow::anyhow!(
            "the profile init wrote does not load (a bug of init; nothing written): {e}"
        )
    })?;
    if let Some(dir) = &a.fixtures {
        check_fixture_targets(dir, &samples, a.force)?;
    }
    write_atomic(&out, induced.text.as_bytes())?;
    eprintln!(
        "sitelift init: {} sample pages → {} ({} templates)",
        samples.len(),
        out.display(),
        induced.templates.len()
    );
    report(&samples, &profile, &induced);
    if let Some(dir) = &a.fixtures {
        write_fixtures(dir, &samples, &profile)?;
        let site_dir = dir.file_name().map(|n| n.to_string_lossy().to_string());
        let stem = out.file_stem().map(|n| n.to_string_lossy().to_string());
        let selectors = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if site_dir.as_deref() == stem.as_deref() {
            eprintln!(
                "sitelift init: {} fixtures in {}; check them with `sitelift check {} --selectors {}`",
                samples.len(),
                dir.display(),
                dir.display(),
                selectors.display()
            );
        } else {
            eprintln!(
                "sitelift init: {} fixtures in {}; `sitelift check` takes the profile of a fixture folder from its name: name the folder {:?} or the profile {:?}",
                samples.len(),
                dir.display(),
                stem.unwrap_or_default(),
                format!("{}.toml", site_dir.unwrap_or_default())
            );
        }
    }
    Ok(0)
}

/// How the profile does on its samples, per template: records, and how
/// many have each field filled.
fn report(samples: &[Sample], profile: &Profile, induced: &crate::induce::Induced) {
    for t in &induced.templates {
        let mut n = 0;
        let mut records = 0;
        let mut filled = [0usize; 6];
        for s in samples.iter().filter(|s| t.samples.contains(&s.name)) {
            let page = Page {
                url: &s.url,
                bytes: &s.bytes,
                content_type: s.content_type.as_deref(),
                url_source: s.url_source,
            };
            n += 1;
            let Outcome::Record(r) = extract(&page, profile) else {
                continue;
            };
            records += 1;
            filled[0] += usize::from(!r.title.is_empty());
            filled[1] += usize::from(r.published.is_some());
            filled[2] += usize::from(!r.authors.is_empty());
            filled[3] += usize::from(!r.section.is_empty());
            filled[4] += usize::from(!r.body.paragraphs.is_empty());
            filled[5] += usize::from(r.lists.values().any(|l| !l.is_empty()));
        }
        match t.emit {
            true => eprintln!(
                "  {}: {n} samples, {records} records; title {}, published {}, authors {}, section {}, body {}, lists {}",
                t.name, filled[0], filled[1], filled[2], filled[3], filled[4], filled[5]
            ),
            false => eprintln!("  {}: {n} samples (a listing: not emitted)", t.name),
        }
    }
    for (name, why) in &induced.other {
        eprintln!("  unmatched: {name} ({why})");
    }
}

fn fixture_files(dir: &Path, s: &Sample) -> (PathBuf, PathBuf) {
    let page = dir.join(format!("{}.html", s.name));
    let side = saved::sidecar_path(&page);
    (page, side)
}

/// Refuse to replace fixture files that hold something else (unless --force).
fn check_fixture_targets(dir: &Path, samples: &[Sample], force: bool) -> anyhow::Result<()> {
    if force {
        return Ok(());
    }
    for s in samples {
        let (page, _) = fixture_files(dir, s);
        if let Ok(old) = std::fs::read(&page) {
            if old != s.bytes {
                anyhow::bail!(
                    "{} exists with other content: nothing written; choose another --fixtures folder, or pass --force",
                    page.display()
                );
            }
        }
    }
    Ok(())
}

fn write_fixtures(dir: &Path, samples: &[Sample], profile: &Profile) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for s in samples {
        let (page, side) = fixture_files(dir, s);
        write_atomic(&page, &s.bytes)?;
        let sidecar = serde_json::json!({
            "url": s.url.as_str(),
            "content_type": s.content_type,
            "aliases": s.aliases,
            "note": "sample page of sitelift init",
        });
        let mut text = serde_json::to_string_pretty(&sidecar)?;
        text.push('\n');
        write_atomic(&side, text.as_bytes())?;
        crate::check::check_page(&page, profile, true)
            .with_context(|| format!("writing the expected JSON of {}", page.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> Sample {
        Sample {
            name: name.into(),
            url: Url::parse(&format!("http://x.test/{name}")).unwrap(),
            bytes: Vec::new(),
            content_type: None,
            url_source: "test",
            aliases: Vec::new(),
        }
    }

    fn names(v: &[Sample]) -> Vec<&str> {
        v.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn names_are_made_unique_in_input_order() {
        let mut v: Vec<Sample> = ["a", "b", "a", "a", "a-2"].map(sample).into();
        unique_names(&mut v);
        assert_eq!(names(&v), ["a", "b", "a-2", "a-3", "a-2-2"]);
    }

    #[test]
    fn max_pages_keeps_an_even_spread() {
        let v: Vec<Sample> = (0..10).map(|i| sample(&i.to_string())).collect();
        assert_eq!(names(&spread(v.clone(), 4)), ["0", "2", "5", "7"]);
        assert_eq!(spread(v.clone(), 0).len(), 10);
        assert_eq!(spread(v, 20).len(), 10);
    }
}
