//! Writing a migration's outputs: the records (JSON Lines, or one JSON file
//! per record under its new path with `--layout dir`), the redirect map,
//! and the run report. Every file is written to a temporary name and renamed
//! into place, or written through when it is a FIFO or device
//! ([`super::files`]); the record folder of `--layout dir` is staged in a
//! hidden folder and swapped in at the end, so an interrupted run never
//! leaves a half-written record or a half-updated folder, and a folder
//! sitelift did not write is refused. Lines are taken in the order given
//! (callers give a stable order), never reordered by timing.

use std::io::{BufWriter, Write};
use std::path::{Component, Path, PathBuf};

use super::files::{io, kind_of, place, prepare_dir, write_atomic, write_atomic_with, Kind, Place};
use super::links::Links;
use super::media::Media;
use super::paths::{
    listing_folder, listing_path, section_path, url_folder, wanted_path, PathAssigner,
};
use super::redirects::RedirectMap;
use super::report::{Report, ReportBuilder};
use super::terms::Terms;
use crate::profile::Profile;
use crate::record::{Line, Record};
use std::collections::{BTreeMap, HashMap};

/// How records are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Layout {
    /// One JSON Lines file (records, then error entries).
    #[default]
    Jsonl,
    /// A folder: `records/<new path>.json`, `errors.jsonl`, and the side files.
    Dir,
}

/// Problems writing outputs.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file or folder could not be written.
    #[error("cannot write {}{}", path.display(), hint(source))]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Something that is not sitelift's stands where the output goes.
    #[error("{} is {what}, where sitelift writes {wanted}: move it or choose another --out (nothing was written)", path.display())]
    InTheWay {
        /// The path.
        path: PathBuf,
        /// What is there (`a folder`, `a FIFO`).
        what: String,
        /// What sitelift writes there (`a file`).
        wanted: String,
    },
    /// A `--layout dir` folder that holds files sitelift did not write.
    #[error(
        "{} holds files sitelift did not write (it has no {} marker of an earlier output): \
         give a new or empty folder (nothing was written)",
        .0.display(),
        super::files::MARKER
    )]
    NotOurs(PathBuf),
    /// `--layout dir` without `--out`.
    #[error("--layout dir needs --out FOLDER")]
    DirNeedsOut,
    /// The ledger could not be read for the report or redirects.
    #[error("reading the ledger of {0}: {1}")]
    Ledger(PathBuf, String),
    /// The temporary database of new paths and redirects failed.
    #[error(
        "the temporary database of new paths and redirects failed: {0} \
         (it lives in the temporary folder: is that disk full? TMPDIR chooses another); \
         no records were written"
    )]
    Scratch(String),
}

/// What an I/O error suggests, for the message.
fn hint(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => " (is the disk full?)",
        ErrorKind::ReadOnlyFilesystem | ErrorKind::PermissionDenied => {
            " (is the folder read-only?)"
        }
        _ => "",
    }
}

/// The side files, by name.
const SIDE_FILES: [&str; 5] = [
    "report.json",
    "report.html",
    "redirects.csv",
    "redirects.map",
    "links.jsonl",
];

/// The side files of the JSON Lines output `p`: `NAME.report.json` beside it.
fn side_of(p: &Path) -> Side {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "records.jsonl".into());
    let stem = name.strip_suffix(".jsonl").unwrap_or(&name).to_string();
    let dir = p
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    Side {
        dir,
        prefix: format!("{stem}."),
    }
}

/// The report as `report.json` and as the page `report.html`.
fn write_report(side: &Side, report: &Report) -> Result<(), OutputError> {
    let json = serde_json::to_string_pretty(report).unwrap_or_default() + "\n";
    write_atomic(&side.path("report.json"), json.as_bytes())?;
    let page = super::report_html::render(report);
    write_atomic(&side.path("report.html"), page.as_bytes())
}

/// Where the side files (report, redirects) go.
#[derive(Debug, Clone)]
struct Side {
    dir: PathBuf,
    prefix: String,
}

impl Side {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{}{name}", self.prefix))
    }
}

enum Records {
    Lines {
        w: BufWriter<Box<dyn Write>>,
        /// None: standard output.
        target: Option<Place>,
    },
    Dir {
        stage: PathBuf,
        dest: PathBuf,
        errors: Vec<String>,
    },
}

/// The outputs of one `extract` or `run`.
pub struct Outputs<'p> {
    profile: &'p Profile,
    records: Records,
    side: Option<Side>,
    paths: PathAssigner,
    redirects: RedirectMap,
    links: Links,
    media: Media,
    terms: Terms,
    report: ReportBuilder,
    listings: Vec<(String, String)>,
    /// URL folder of records → their section paths, counted (for listings).
    folders: HashMap<String, BTreeMap<String, usize>>,
    ledger_aliases: Vec<(String, String, String)>,
    /// Lines planned and written so far, and records planned and written
    /// (the nth record written has the nth planned path).
    planned_lines: u64,
    written_lines: u64,
    planned: u64,
    written: u64,
    /// Listings mapped and ledger aliases added (once every record is planned).
    settled: Option<Settled>,
}

/// What is known once every record has its path: the listings and ledger
/// aliases in the redirect map, and what did not map.
struct Settled {
    unmapped_listings: Vec<String>,
    unmapped_aliases: Vec<(String, String)>,
}

/// What [`Outputs::finish`] wrote.
#[derive(Debug)]
pub struct Finished {
    /// The report (also in `report.json` when written to files).
    pub report: Report,
    /// Redirect lines written.
    pub redirects: usize,
}

impl<'p> Outputs<'p> {
    /// Open the outputs: `out` is the JSONL file (None: standard output,
    /// no side files) or, with [`Layout::Dir`], the output folder.
    pub fn open(
        profile: &'p Profile,
        layout: Layout,
        out: Option<&Path>,
    ) -> Result<Outputs<'p>, OutputError> {
        let (records, side) = match (layout, out) {
            (Layout::Jsonl, None) => (
                Records::Lines {
                    w: BufWriter::new(Box::new(std::io::stdout())),
                    target: None,
                },
                None,
            ),
            (Layout::Jsonl, Some(p)) => {
                if kind_of(p).map_err(io(p))? == Kind::Dir {
                    return Err(OutputError::InTheWay {
                        path: p.to_path_buf(),
                        what: "a folder".into(),
                        wanted: "the records file (--layout jsonl; --layout dir writes a folder)"
                            .into(),
                    });
                }
                if let Some(parent) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(io(parent))?;
                }
                let place = place(p)?;
                // beside a FIFO or device (`--out /dev/null`) no side files are
                // written: they would be new files in a folder such as /dev
                let side = match place.is_through() {
                    true => None,
                    false => Some(side_of(p)),
                };
                let f = place.open()?;
                (
                    Records::Lines {
                        w: BufWriter::new(Box::new(f)),
                        target: Some(place),
                    },
                    side,
                )
            }
            (Layout::Dir, None) => return Err(OutputError::DirNeedsOut),
            (Layout::Dir, Some(d)) => {
                prepare_dir(d)?;
                let stage = d.join(".records.partial");
                if stage.exists() {
                    std::fs::remove_dir_all(&stage).map_err(io(&stage))?;
                }
                std::fs::create_dir_all(&stage).map_err(io(&stage))?;
                (
                    Records::Dir {
                        stage,
                        dest: d.join("records"),
                        errors: Vec::new(),
                    },
                    Some(Side {
                        dir: d.to_path_buf(),
                        prefix: String::new(),
                    }),
                )
            }
        };
        if let Some(side) = &side {
            for name in SIDE_FILES {
                // refused now, not after the work: a folder where a side file goes
                place(&side.path(name))?;
            }
        }
        let links = Links::new(
            profile,
            side.as_ref()
                .map(|s| place(&s.path("links.jsonl")))
                .transpose()?,
        )?;
        let media_root = match layout {
            Layout::Dir => out,
            Layout::Jsonl => None,
        };
        let media = Media::new(&profile.media, &profile.output, media_root);
        media.prepare()?;
        Ok(Outputs {
            profile,
            records,
            side,
            paths: PathAssigner::default(),
            redirects: RedirectMap::new(links.rules().clone()),
            links,
            media,
            terms: Terms::default(),
            report: ReportBuilder::new(profile),
            listings: Vec::new(),
            folders: HashMap::new(),
            ledger_aliases: Vec::new(),
            planned_lines: 0,
            written_lines: 0,
            planned: 0,
            written: 0,
            settled: None,
        })
    }

    /// Plan one line (the first pass, see [`Sink`]): a record gets its
    /// new path and its URLs go into the redirect map; a listing is noted.
    /// Nothing is written.
    pub fn plan(&mut self, line: &Line) -> Result<(), OutputError> {
        self.planned_lines += 1;
        match line {
            Line::Record(r) => return self.plan_record(r),
            Line::Listing { url, template } => self.listings.push((url.clone(), template.clone())),
            Line::Error(_) => {}
        }
        Ok(())
    }

    /// Carry the media of the records over from `source` (the input's
    /// assets); without one, records keep their legacy media URLs.
    pub fn media_source(&mut self, source: Box<dyn crate::media::MediaSource + Send>) {
        if self.profile.media.fetch {
            self.media.set_source(source);
        }
    }

    /// Write the media files under `dir` too (`--media-dir`, with the JSON
    /// Lines layout; the folder layout has its own `media/`).
    pub fn media_dir(&mut self, dir: &Path) -> Result<(), OutputError> {
        let folder = self
            .profile
            .output
            .media_path
            .split('/')
            .next()
            .unwrap_or("media");
        super::files::prepare_media_root(dir, folder)?;
        self.media = Media::new(&self.profile.media, &self.profile.output, Some(dir));
        self.media.marked(true);
        self.media.prepare()
    }

    fn plan_record(&mut self, v: &Record) -> Result<(), OutputError> {
        let key = record_key(v);
        self.media.plan(v, &key)?;
        let path = self.paths.plan(
            self.planned,
            &key,
            v.legacy_id.as_deref(),
            wanted_path(v, &self.profile.output),
        );
        self.planned += 1;
        self.links.site_url(&v.url);
        self.links.site_url(&v.canonical_url);
        let to = format!("{}{path}/", self.profile.output.url_prefix);
        self.redirects.add_record(v, &to, &key);
        for (from, to) in Terms::author_redirects(&self.profile.output, v) {
            self.redirects.add(&from, &to, "author", "author");
        }
        if let Some(folder) = url_folder(&v.url) {
            *self
                .folders
                .entry(folder)
                .or_default()
                .entry(section_path(v).join("/"))
                .or_default() += 1;
        }
        Ok(())
    }

    /// Take one line (the second pass): a record, an error entry, or a
    /// listing. A line that was not planned is planned now (a caller that
    /// writes in one pass gets what it always got).
    pub fn push(&mut self, line: Line) -> Result<(), OutputError> {
        if self.written_lines >= self.planned_lines {
            self.plan(&line)?;
        } else {
            // every line was planned: listings and ledger aliases can map
            self.settle();
        }
        self.written_lines += 1;
        match line {
            Line::Record(r) => self.write_record(*r),
            Line::Error(e) => {
                self.report.error(&e);
                let text = serde_json::to_string(&e).unwrap_or_default();
                self.write_text(text)
            }
            Line::Listing { template, .. } => {
                self.report.listing(&template);
                Ok(())
            }
        }
    }

    fn write_record(&mut self, mut record: Record) -> Result<(), OutputError> {
        if self.settled.is_some() {
            // every record and asset has its path: images, documents and
            // links between records can follow
            self.media.rewrite(&mut record);
            let key = record_key(&record);
            self.links.rewrite(&mut record, &key, &mut self.redirects)?;
        }
        let v = &record;
        self.report.record(v);
        self.terms.record(&self.profile.output, v);
        let path = self.paths.planned(self.written).unwrap_or_default();
        self.written += 1;
        match &mut self.records {
            Records::Lines { .. } => {
                let text = serde_json::to_string(v).unwrap_or_default();
                self.write_text(text)
            }
            Records::Dir { stage, .. } => {
                let file = safe_join(stage, &path);
                if let Some(parent) = file.parent() {
                    std::fs::create_dir_all(parent).map_err(io(parent))?;
                }
                let mut text = serde_json::to_string_pretty(v).unwrap_or_default();
                text.push('\n');
                write_atomic(&file, text.as_bytes())
            }
        }
    }

    /// A line of the JSON Lines output, or of `errors.jsonl` in a folder.
    fn write_text(&mut self, line: String) -> Result<(), OutputError> {
        match &mut self.records {
            Records::Lines { w, target } => {
                let place = target
                    .as_ref()
                    .map(|t| t.written().to_path_buf())
                    .unwrap_or_else(|| PathBuf::from("standard output"));
                w.write_all(line.as_bytes())
                    .and_then(|_| w.write_all(b"\n"))
                    .map_err(io(&place))
            }
            Records::Dir { errors, .. } => {
                errors.push(line);
                Ok(())
            }
        }
    }

    /// Say how the run ended when it is neither complete nor stopped
    /// (`incomplete: …`); written to the report.
    pub fn outcome(&mut self, outcome: &str) {
        self.report.outcome(outcome);
    }

    /// Pages merged into another record by legacy id.
    pub fn merged(&mut self, n: usize) {
        self.report.merged(n as u64);
    }

    /// Read the store's ledger: its counts for the report and its aliases
    /// for the redirect map.
    pub fn ledger(&mut self, store: &Path) -> Result<(), OutputError> {
        let err = |e: crate::frontier::ledger::LedgerError| {
            OutputError::Ledger(store.to_path_buf(), crate::text::error_chain(&e))
        };
        let ledger = crate::frontier::ledger::Ledger::open_read_only(store).map_err(err)?;
        self.links.use_ledger(store);
        let counts = ledger
            .counts_of(crate::frontier::ledger::UrlKind::Page)
            .map_err(err)?;
        self.report.pages(
            counts
                .into_iter()
                .map(|(s, r, n)| (s.as_str().to_string(), r, n)),
        );
        self.ledger_aliases = ledger
            .all_aliases()
            .map_err(err)?
            .into_iter()
            .map(|(a, c, h)| (a, c, h.as_str().to_string()))
            .collect();
        Ok(())
    }

    /// Once every record has its path: map the listings to the section
    /// paths of the records filed under them (else their own URL path), and
    /// add the ledger's aliases. After the records, so a record keeps every
    /// URL it claimed.
    fn settle(&mut self) {
        if self.settled.is_some() {
            return;
        }
        let mut unmapped_listings = Vec::new();
        let mut listings = std::mem::take(&mut self.listings);
        listings.sort();
        for (url, _) in &listings {
            // The section its records are filed under, else its own URL path.
            let from_records = listing_folder(url, &self.profile.output)
                .and_then(|f| self.folders.get(&f))
                .and_then(|c| c.iter().max_by_key(|(p, n)| (**n, std::cmp::Reverse(*p))))
                .map(|(p, _)| p.clone());
            match from_records
                .or_else(|| listing_path(url, &self.profile.output).map(|p| p.join("/")))
            {
                Some(p) => {
                    let to = format!("{}{p}/", self.profile.output.url_prefix);
                    self.redirects.add(url, &to, "listing", "listing");
                    self.terms.listing(&self.profile.output, &p, url);
                }
                None => unmapped_listings.push(url.clone()),
            }
        }
        let aliases = std::mem::take(&mut self.ledger_aliases);
        let unmapped_aliases = self.redirects.add_ledger_aliases(&aliases);
        self.settled = Some(Settled {
            unmapped_listings,
            unmapped_aliases,
        });
    }

    fn build_report(&mut self, outcome: Option<&str>) -> Report {
        self.settle();
        let settled = self.settled.as_ref().expect("settled above");
        let unmapped_listings = settled.unmapped_listings.clone();
        let unmapped_aliases = settled.unmapped_aliases.clone();
        let mut report = std::mem::take(&mut self.report);
        if let Some(o) = outcome {
            report.outcome(o);
        }
        let mut report = report.build(
            std::mem::take(&mut self.paths.collisions),
            self.redirects.conflicts().to_vec(),
            unmapped_listings,
        );
        report.unmapped_aliases = unmapped_aliases
            .into_iter()
            .map(|(alias, canonical)| serde_json::json!({ "alias": alias, "canonical": canonical }))
            .collect();
        report.broken_links = self.links.broken.clone();
        (report.terms, report.authors) = self.terms.counts();
        report.media = super::report::MediaCounts {
            assets: self.media.assets(),
            found: self.media.found,
            missing: self.media.missing,
        };
        report
    }

    fn write_side(&self, report: &Report) -> Result<(), OutputError> {
        if let Some(side) = &self.side {
            std::fs::create_dir_all(&side.dir).map_err(io(&side.dir))?;
            write_report(side, report)?;
            write_atomic_with(&side.path("redirects.csv"), |w| self.redirects.write_csv(w))?;
            write_atomic_with(&side.path("redirects.map"), |w| {
                self.redirects.write_nginx(w)
            })?;
            write_atomic_with(&side.path("terms.jsonl"), |w| self.terms.write_terms(w))?;
            write_atomic_with(&side.path("authors.jsonl"), |w| self.terms.write_authors(w))?;
            write_atomic_with(&side.path("media.jsonl"), |w| self.media.write_jsonl(w))?;
        }
        Ok(())
    }

    /// Finish: move the records into place, write the redirect map and the
    /// report, and print the summary on stderr.
    pub fn finish(mut self) -> Result<Finished, OutputError> {
        let through = match &self.records {
            Records::Lines {
                target: Some(t), ..
            } if t.is_through() => Some(t.written().to_path_buf()),
            _ => None,
        };
        let report = self.build_report(None);
        let failure = self.paths.failure().or(self.redirects.failure());
        if let Some(e) = failure.or(self.media.failure()) {
            let e = OutputError::Scratch(e.to_string());
            self.abort(&format!("failed: {e}"));
            return Err(e);
        }
        match std::mem::replace(
            &mut self.records,
            Records::Lines {
                w: BufWriter::new(Box::new(std::io::sink())),
                target: None,
            },
        ) {
            Records::Lines { mut w, target } => {
                let place = target
                    .as_ref()
                    .map(|t| t.written().to_path_buf())
                    .unwrap_or_else(|| PathBuf::from("standard output"));
                let flushed = w.flush();
                drop(w);
                let done = flushed.map_err(io(&place)).and_then(|_| match &target {
                    Some(t) => t.commit(),
                    None => Ok(()),
                });
                if let (Err(_), Some(t)) = (&done, &target) {
                    t.discard();
                }
                done?;
            }
            Records::Dir {
                stage,
                dest,
                errors,
            } => {
                let mut text = errors.join("\n");
                if !text.is_empty() {
                    text.push('\n');
                }
                let parent = dest.parent().unwrap_or(Path::new("."));
                write_atomic(&parent.join("errors.jsonl"), text.as_bytes())?;
                let old = parent.join(".records.old");
                if old.exists() {
                    std::fs::remove_dir_all(&old).map_err(io(&old))?;
                }
                if dest.exists() {
                    std::fs::rename(&dest, &old).map_err(io(&dest))?;
                }
                std::fs::rename(&stage, &dest).map_err(io(&dest))?;
                if old.exists() {
                    std::fs::remove_dir_all(&old).map_err(io(&old))?;
                }
            }
        }
        self.links.finish()?;
        self.media.commit()?;
        self.write_side(&report)?;
        eprint!("{}", report.summary());
        if let Some(p) = through {
            eprintln!(
                "sitelift: {} is not a regular file: the records were written through it, \
                 and no report or redirect map beside it",
                p.display()
            );
        }
        Ok(Finished {
            redirects: self
                .redirects
                .len()
                .map_err(io(Path::new("redirect map")))?,
            report,
        })
    }

    /// Stop without publishing records (Ctrl-C, or a failure): the report
    /// is still written, with `outcome` saying why, and summarised.
    pub fn abort(mut self, outcome: &str) -> Report {
        let report = self.build_report(Some(outcome));
        self.links.discard();
        self.media.discard();
        match &self.records {
            Records::Lines {
                target: Some(t), ..
            } => t.discard(),
            Records::Dir { stage, .. } => {
                let _ = std::fs::remove_dir_all(stage);
            }
            Records::Lines { target: None, .. } => {}
        }
        if let Some(side) = &self.side {
            if let Err(e) = write_report(side, &report) {
                eprintln!("sitelift: {e}");
            }
        }
        eprint!("{}", report.summary());
        report
    }
}

/// The key that identifies a record across runs: legacy id, else URL.
pub fn record_key(v: &Record) -> String {
    key_of(v.legacy_id.as_deref(), &v.url)
}

/// [`record_key`] from the two values it depends on.
pub fn key_of(legacy_id: Option<&str>, url: &str) -> String {
    match legacy_id {
        Some(id) if !id.is_empty() => id.to_string(),
        _ => url.to_string(),
    }
}

/// `base/<path>`, where `path` is `/`-joined plain segments (a media
/// file's); any other segment is replaced, so the result is inside `base`.
pub fn safe_file(base: &Path, path: &str) -> PathBuf {
    let mut out = base.to_path_buf();
    for s in path.split('/').filter(|s| !s.is_empty()) {
        let plain = matches!(Path::new(s).components().next(), Some(Component::Normal(_)))
            && Path::new(s).components().count() == 1
            && !s.contains(['\\', ':', '\0'])
            && s.len() <= 240;
        out.push(if plain { s } else { "x" });
    }
    out
}

/// `base/<path>.json`, where `path` is `/`-joined slug segments. Any
/// segment that is not a plain name (it cannot be, but this is the last
/// line of defence) is replaced, so the result is always inside `base`.
pub fn safe_join(base: &Path, path: &str) -> PathBuf {
    let mut out = base.to_path_buf();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    for (i, s) in segs.iter().enumerate() {
        let plain = matches!(Path::new(s).components().next(), Some(Component::Normal(_)))
            && Path::new(s).components().count() == 1
            && !s.contains(['\\', ':', '\0'])
            && s.len() <= 240;
        let s = if plain {
            s.to_string()
        } else {
            "x".to_string()
        };
        if i + 1 == segs.len() {
            out.push(format!("{s}.json"));
        } else {
            out.push(s);
        }
    }
    if segs.is_empty() {
        out.push("x.json");
    }
    out
}
