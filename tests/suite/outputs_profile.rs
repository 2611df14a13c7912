//! The `[output]` section of a profile: optional, unknown keys refused, and
//! every bad value named by key, line and column at load time.

use std::path::Path;

use sitelift::profile::output::{PathPart, SlugSource};
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

fn load(src: &str) -> Result<Profile, (Option<usize>, Option<String>, String)> {
    Profile::from_str(src, Path::new("selectors/t.toml")).map_err(|e| match e {
        ProfileError::Invalid(l) => (l.line, l.key.clone(), l.to_string()),
        other => (None, None, other.to_string()),
    })
}

#[test]
fn absent_output_section_gives_the_defaults() {
    let p = load(GOOD).unwrap();
    assert_eq!(p.output.segments.len(), 3);
    assert_eq!(p.output.slug_from, vec![SlugSource::Url, SlugSource::Title]);
    assert_eq!(p.output.url_prefix, "/");
}

#[test]
fn a_full_output_section_compiles() {
    let src = format!(
        "{GOOD}\n[output]\npath = \"news/{{year}}-{{month}}/{{slug}}\"\nslug_from = [\"title\", \"legacy_id\"]\n\
         url_slug = '/(?P<slug>[a-z-]+)/$'\nmax_slug = 40\nurl_prefix = \"https://new.example.org/\"\nlisting_strip = ['/p\\d+$']\n"
    );
    let p = load(&src).unwrap();
    assert_eq!(p.output.segments[0], vec![PathPart::Literal("news".into())]);
    assert_eq!(p.output.max_slug, 40);
    assert_eq!(p.output.url_prefix, "https://new.example.org/");
}

#[test]
fn bad_output_values_are_named_with_key_and_line() {
    let cases = [
        ("pathh = \"{slug}\"", "output.pathh", 13),
        ("path = \"{section}/{yeer}/{slug}\"", "output.path", 13),
        ("path = \"{section}/{year}\"", "output.path", 13),
        ("slug_from = [\"url\", \"body\"]", "output.slug_from[1]", 13),
        ("url_slug = '/(?P<name>[a-z]+)$'", "output.url_slug", 13),
        ("url_slug = '/(['", "output.url_slug", 13),
        ("max_slug = 3", "output.max_slug", 13),
        ("listing_strip = ['(']", "output.listing_strip[0]", 13),
    ];
    for (line, key, at) in cases {
        let src = format!("{GOOD}\n[output]\n{line}\n");
        let (l, k, shown) = load(&src).expect_err(line);
        assert_eq!(k.as_deref(), Some(key), "{line}: {shown}");
        assert_eq!(l, Some(at), "{line}: {shown}");
        assert!(shown.starts_with("selectors/t.toml:13:"), "{shown}");
    }
}
