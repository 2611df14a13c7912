//! A bad profile is refused at load time with file, line, column and key.

use std::path::Path;

use sitelift::profile::{Profile, ProfileError};

const GOOD: &str = r#"
[site]
name = "t"

[[template]]
name = "article"
[template.match]
present = ["h1"]
[template.fields.title]
select = ["h1"]
"#;

fn load(src: &str) -> Result<Profile, String> {
    Profile::from_str(src, Path::new("selectors/t.toml")).map_err(|e| match e {
        ProfileError::Invalid(l) => format!(
            "{}|{:?}|{:?}|{:?}|{}",
            l, l.line, l.column, l.key, l.message
        ),
        other => other.to_string(),
    })
}

#[test]
fn the_minimal_profile_loads() {
    let p = load(GOOD).unwrap();
    assert_eq!(p.templates.len(), 1);
}

#[test]
fn unknown_key_is_named_with_its_line() {
    let src = GOOD.replace(
        "present = [\"h1\"]",
        "present = [\"h1\"]\npresnt = [\"h2\"]",
    );
    let e = load(&src).unwrap_err();
    assert!(e.starts_with("selectors/t.toml:9:"), "{e}");
    assert!(e.contains("presnt"), "{e}");
    assert!(e.contains("template.match.presnt"), "{e}");
}

#[test]
fn bad_selector_is_named_with_line_column_and_key() {
    let src = GOOD.replace("select = [\"h1\"]", "select = [\"h1\", \"div[[\"]");
    let e = load(&src).unwrap_err();
    assert!(
        e.starts_with("selectors/t.toml:10:17: key `template.article.fields.title.select[1]`"),
        "{e}"
    );
    assert!(e.contains("invalid CSS selector `div[[`"), "{e}");
}

#[test]
fn bad_regex_is_named_with_line_column_and_key() {
    let src = GOOD.replace(
        "select = [\"h1\"]",
        "select = [\"h1\"]\nsteps = [{ regex = '(unclosed' }]",
    );
    let e = load(&src).unwrap_err();
    assert!(e.contains("selectors/t.toml:11:"), "{e}");
    assert!(
        e.contains("key `template.article.fields.title.steps[0].regex`"),
        "{e}"
    );
    assert!(e.contains("invalid regex `(unclosed`"), "{e}");
}

#[test]
fn bad_date_format_and_dateline_without_date_group_are_refused() {
    let src = format!("{GOOD}\n[template.dateline]\npatterns = ['^(?P<place>\\w+), ']\ndate_formats = ['%B %d']\n");
    let e = load(&src).unwrap_err();
    assert!(
        e.contains("template.article.dateline.patterns[0]") && e.contains("named group `date`"),
        "{e}"
    );
    let src = format!("{GOOD}\n[template.dateline]\npatterns = ['^(?P<date>\\w+ \\d+) - ']\ndate_formats = ['%B %Q']\n");
    let e = load(&src).unwrap_err();
    assert!(
        e.contains("template.article.dateline.date_formats[0]") && e.contains("%Q"),
        "{e}"
    );
}

#[test]
fn wrong_type_is_located() {
    let src = GOOD.replace("name = \"article\"", "name = \"article\"\nemit = \"yes\"");
    let e = load(&src).unwrap_err();
    assert!(e.starts_with("selectors/t.toml:7:8"), "{e}");
    assert!(e.contains("template.emit"), "{e}");
}

#[test]
fn a_step_with_two_operations_is_refused() {
    let src = GOOD.replace(
        "select = [\"h1\"]",
        "select = [\"h1\"]\nsteps = [{ split = ',', drop_first = 1 }]",
    );
    let e = load(&src).unwrap_err();
    assert!(e.contains("steps[0]") && e.contains("exactly one"), "{e}");
}

#[test]
fn the_bundled_profiles_load() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("selectors");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            Profile::load(&p).unwrap_or_else(|e| panic!("{e}"));
            n += 1;
        }
    }
    assert!(n >= 1);
}
