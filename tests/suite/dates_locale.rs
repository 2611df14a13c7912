//! Dates in the site's language. One table per locale in
//! `tests/data/dates/<tag>.tsv`, one case a line: the text, a tab, the date
//! expected (`YYYY-MM-DD`, `--MM-DD` without a year, or `none`), and
//! optionally a tab and a date format. Without a format the case is
//! `find_date` (a date in free text); with one it is the profile's
//! `DateFormat` read in the locale. Adding a case adds a line.
//!
//! Then the profile's `[site] locale` key and the page's `<html lang>`,
//! end to end through extraction.

use std::path::{Path, PathBuf};

use sitelift::dates::locale::{find_date, Locale};
use sitelift::dates::{iso, DateFormat, PartialDate};
use sitelift::extract::{extract, Outcome, Page};
use sitelift::profile::{Profile, ProfileError};
use url::Url;

fn tables() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/dates")
}

fn shown(d: Option<PartialDate>) -> String {
    match d {
        Some(PartialDate {
            year: Some(y),
            month,
            day,
        }) => iso(y, month, day),
        Some(PartialDate {
            year: None,
            month,
            day,
        }) => format!("--{month:02}-{day:02}"),
        None => "none".into(),
    }
}

/// (file, line, text, expected, format) of every case.
fn cases() -> Vec<(String, usize, String, String, Option<String>)> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(tables())
        .expect("tests/data/dates")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tsv"))
        .collect();
    files.sort();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).expect("a table");
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            assert!(
                (2..=3).contains(&cols.len()),
                "{name}:{}: want `text<TAB>expected[<TAB>format]`, got {line:?}",
                n + 1
            );
            out.push((
                name.clone(),
                n + 1,
                cols[0].to_string(),
                cols[1].to_string(),
                cols.get(2).map(|f| f.to_string()),
            ));
        }
    }
    out
}

#[test]
fn every_case_of_the_tables_reads_as_expected() {
    let mut failures = Vec::new();
    let all = cases();
    for (file, line, text, want, format) in &all {
        let tag = file.trim_end_matches(".tsv");
        let locale = Locale::get(tag).unwrap_or_else(|| panic!("{file}: unknown locale"));
        let (got, how) = match format {
            Some(f) => {
                let fmt = DateFormat::parse(f).unwrap_or_else(|e| panic!("{file}:{line}: {e}"));
                (shown(fmt.parse_date_in(text, Some(locale))), f.as_str())
            }
            None => (
                shown(find_date(text, Some(locale)).map(|f| f.date)),
                "find_date",
            ),
        };
        if &got != want {
            failures.push(format!(
                "{file}:{line}: {text:?} ({how}): got {got}, want {want}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn every_locale_has_a_table_of_at_least_three_cases() {
    let all = cases();
    for tag in Locale::known() {
        let n = all.iter().filter(|c| c.0 == format!("{tag}.tsv")).count();
        assert!(
            n >= 3,
            "tests/data/dates/{tag}.tsv has {n} cases, want 3 or more"
        );
    }
}

#[test]
fn the_range_is_the_date_as_written() {
    let text = "Berlin — Veröffentlicht am Dienstag, 25. Januar 2022 um 10:00";
    let f = find_date(text, Locale::get("de")).expect("a date");
    assert_eq!(&text[f.range], "Dienstag, 25. Januar 2022");
    let text = "تاریخ: ۲۵ ژانویه ۲۰۲۲";
    let f = find_date(text, Locale::get("fa")).expect("a date");
    assert_eq!(&text[f.range], "۲۵ ژانویه ۲۰۲۲");
}

const GOOD: &str = r#"[site]
name = "t"

[[template]]
name = "article"
[template.match]
present = ["h1"]
[template.fields.title]
select = ["h1"]
[template.fields.published]
select = ["time"]
date_formats = ["%d. %B %Y", "%d %B %Y"]
"#;

fn profile(site_extra: &str) -> Profile {
    let src = GOOD.replace("name = \"t\"\n", &format!("name = \"t\"\n{site_extra}"));
    Profile::from_str(&src, Path::new("selectors/t.toml")).expect("profile")
}

/// (published, warnings) of a page whose `<html>` has `lang` and whose `<time>` says `date`.
fn published(p: &Profile, lang: Option<&str>, date: &str) -> (Option<String>, Vec<String>) {
    let lang = lang.map(|l| format!(" lang=\"{l}\"")).unwrap_or_default();
    let html = format!(
        "<!doctype html><html{lang}><head><title>T</title></head><body><h1>Title</h1><time>{date}</time></body></html>"
    );
    let url = Url::parse("https://example.org/a").unwrap();
    let page = Page {
        url: &url,
        bytes: html.as_bytes(),
        content_type: Some("text/html; charset=utf-8"),
        url_source: "test",
    };
    match extract(&page, p) {
        Outcome::Record(r) => (
            r.published.clone(),
            r.warnings.iter().map(|w| w.message.clone()).collect(),
        ),
        other => panic!("no record: {other:?}"),
    }
}

#[test]
fn an_unknown_locale_is_a_load_error_at_its_place() {
    let src = GOOD.replace("name = \"t\"\n", "name = \"t\"\nlocale = \"xx-YY\"\n");
    let e = match Profile::from_str(&src, Path::new("selectors/t.toml")) {
        Err(ProfileError::Invalid(l)) => l.to_string(),
        other => panic!("expected an error, got {other:?}"),
    };
    assert!(
        e.starts_with("selectors/t.toml:3:10: key `site.locale`: unknown locale `xx-YY`"),
        "{e}"
    );
    assert!(e.contains("de, el, en, en-GB"), "lists the known ones: {e}");
}

#[test]
fn a_regional_locale_is_its_language() {
    assert_eq!(profile("locale = \"de-AT\"\n").locale.unwrap().tag(), "de");
    assert!(profile("").locale.is_none());
}

#[test]
fn the_profile_locale_reads_dates_in_its_language() {
    let p = profile("locale = \"de\"\n");
    assert_eq!(
        published(&p, None, "25. Januar 2022").0.as_deref(),
        Some("2022-01-25")
    );
    // the profile's locale wins over the page's
    assert_eq!(
        published(&p, Some("fr"), "25. März 2022").0.as_deref(),
        Some("2022-03-25")
    );
    assert_eq!(published(&p, Some("fr"), "3 février 2022").0, None);
}

#[test]
fn without_a_profile_locale_the_html_lang_decides() {
    let p = profile("");
    assert_eq!(
        published(&p, Some("de-AT"), "25. Januar 2022").0.as_deref(),
        Some("2022-01-25")
    );
    assert_eq!(
        published(&p, Some("fr"), "3 février 2022").0.as_deref(),
        Some("2022-02-03")
    );
    // an unknown language, or none: English only
    let (date, warnings) = published(&p, Some("xx"), "25. März 2022");
    assert_eq!(date, None);
    assert!(
        warnings.iter().any(|w| w.contains("not ISO 8601")),
        "{warnings:?}"
    );
    assert_eq!(published(&p, None, "25. März 2022").0, None);
    assert_eq!(
        published(&p, Some("xx"), "25 March 2022").0.as_deref(),
        Some("2022-03-25")
    );
}

#[test]
fn the_readme_example_reads_german_dates() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let section = &readme[readme
        .find("### Dates in other languages")
        .expect("the section")..];
    let start = section.find("```toml\n").expect("an example") + "```toml\n".len();
    let toml = &section[start..start + section[start..].find("```").expect("its end")];
    let p = Profile::from_str(toml, Path::new("README.md")).expect("the example loads");
    let html =
        "<html><body><article><h1>Titel</h1><time class=date>Dienstag, 25. Januar 2022</time>\
<div class=text><p>Berlin, 24. Jan. – Die Gespräche begannen.</p></div></article></body></html>";
    let url = Url::parse("https://example.org/a").unwrap();
    let page = Page {
        url: &url,
        bytes: html.as_bytes(),
        content_type: Some("text/html; charset=utf-8"),
        url_source: "test",
    };
    let Outcome::Record(r) = extract(&page, &p) else {
        panic!("no record")
    };
    assert_eq!(r.published.as_deref(), Some("2022-01-25"));
    let d = r.dateline.as_ref().expect("a dateline");
    assert_eq!(d.date.as_deref(), Some("2022-01-24"));
    assert_eq!(d.place.as_deref(), Some("Berlin"));
    assert_eq!(
        r.body.paragraphs,
        vec!["Die Gespräche begannen.".to_string()]
    );
}
