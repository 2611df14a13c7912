//! Datelines with a place and no date ("ERDEN.", "Lüdenscheid/Südwestfalen."),
//! as German regional papers write them: `place_patterns` find them after
//! the dated patterns, the record's dateline has the place and no date, and
//! the place is cut from the start of the body like any dateline.

use std::path::Path;

use sitelift::profile::Profile;
use sitelift::record::{Outcome, Record};

use crate::common::hostile::extract_ok;

const PROFILE: &str = r#"[site]
name = "t"

[[template]]
name = "article"
[template.match]
present = ["h1"]
[template.fields.title]
select = ["h1"]
[template.fields.published]
select = [{ css = "time", attr = "datetime" }]
[template.body]
select = [".text"]
[template.dateline]
patterns = ['^(?P<place>\p{Lu}[\p{L}/ -]+), (?P<date>\d{1,2}\. \p{L}+)\.? ']
date_formats = ['%d. %B']
year_from = ["published"]
place_patterns = ['^(?P<place>\p{Lu}[\p{L}/-]*(?: \p{Lu}[\p{L}/-]*)*)\. ']
"#;

fn page(first: &str) -> String {
    format!(
        r#"<!doctype html><html lang="de"><head><meta charset="utf-8"><title>T</title></head><body>
<h1>Neue Brücke über die Lenne</h1><time datetime="2021-03-04T08:00:00+01:00">4. März 2021</time>
<div class="text"><p>{first} Die neue Brücke über die Lenne ist seit Mittwoch für den Verkehr freigegeben.</p>
<p>Der Bau hatte zwei Jahre gedauert.</p></div></body></html>"#
    )
}

fn record(first: &str) -> Record {
    let profile = Profile::from_str(PROFILE, Path::new("t.toml")).expect("loads");
    match extract_ok(
        "place",
        page(first).as_bytes(),
        "https://zeitung.example/a/1",
        &profile,
    ) {
        Outcome::Record(r) => *r,
        other => panic!("no record: {other:?}"),
    }
}

#[test]
fn a_dateline_with_a_place_and_no_date_is_found_and_cut_from_the_body() {
    for (first, place) in [
        ("ERDEN.", "ERDEN"),
        ("Lüdenscheid/Südwestfalen.", "Lüdenscheid/Südwestfalen"),
    ] {
        let r = record(first);
        let d = r
            .dateline
            .as_ref()
            .unwrap_or_else(|| panic!("no dateline for {first}"));
        assert_eq!(d.place.as_deref(), Some(place));
        assert_eq!(
            (d.month, d.day, d.year, d.date.as_deref()),
            (None, None, None, None)
        );
        assert_eq!(r.provenance["dateline"], "body start place_patterns[0]");
        assert!(
            r.body.paragraphs[0].starts_with("Die neue Brücke"),
            "{:?}",
            r.body.paragraphs
        );
        assert!(r.warnings.iter().all(|w| w.kind != "dateline_mismatch"));
    }
}

#[test]
fn a_dated_dateline_still_wins_and_keeps_its_date() {
    let r = record("Altena, 3. März.");
    let d = r.dateline.expect("dateline");
    assert_eq!(d.place.as_deref(), Some("Altena"));
    assert_eq!((d.month, d.day), (Some(3), Some(3)));
    assert_eq!(d.date.as_deref(), Some("2021-03-03"));
    assert_eq!(r.provenance["dateline"], "body start pattern[0]");
}

#[test]
fn text_that_is_no_dateline_stays_in_the_body() {
    let r = record("Die Stadt feiert.");
    // a sentence is not "Place." before the text: it stays where it is
    assert!(r.dateline.is_none(), "{:?}", r.dateline);
    assert!(r.body.paragraphs[0].starts_with("Die Stadt feiert. Die neue Brücke"));
}

#[test]
fn a_place_pattern_without_a_place_group_is_refused() {
    let bad = PROFILE.replace("(?P<place>\\p{Lu}[\\p{L}/-]*", "(\\p{Lu}[\\p{L}/-]*");
    let e = Profile::from_str(&bad, Path::new("t.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("template.article.dateline.place_patterns[0]"),
        "{e}"
    );
    assert!(e.contains("named group `place`"), "{e}");
}
