//! Profiles never panic: the fixture profiles mutated (truncated, bytes
//! flipped, lines dropped, duplicated or swapped) and random TOML through
//! `Profile::from_str` either load or give an error that names a line (or, for a missing part,
//! the key that is missing).

use std::path::Path;

use proptest::prelude::*;
use sitelift::profile::{Profile, ProfileError};

fn sources() -> Vec<(&'static str, String)> {
    ["iranfocus.toml", "tagdiv.toml"]
        .into_iter()
        .map(|n| {
            let p = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("selectors")
                .join(n);
            (n, std::fs::read_to_string(p).expect("fixture profile"))
        })
        .collect()
}

/// Loads `src`; a panic, or an error without a line, fails the test.
fn check(label: &str, src: &str) {
    let res = std::panic::catch_unwind(|| Profile::from_str(src, Path::new("selectors/fuzz.toml")));
    match res {
        Err(_) => panic!("{label}: profile loading panicked on:\n{src}"),
        Ok(Ok(_)) => {}
        Ok(Err(ProfileError::Invalid(l))) => {
            // located by line, or (for a missing part) by the key that is missing
            assert!(
                l.line.is_some() || l.key.as_deref().is_some_and(|k| !k.is_empty()),
                "{label}: error without a location: {l}\n--- source:\n{src}"
            );
            assert!(!l.message.is_empty(), "{label}: empty message");
        }
        Ok(Err(other)) => panic!("{label}: unexpected error kind: {other}"),
    }
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

#[test]
fn the_fixture_profiles_load() {
    for (n, src) in sources() {
        Profile::from_str(&src, Path::new(n)).unwrap_or_else(|e| panic!("{n}: {e}"));
    }
}

#[test]
fn mutated_fixture_profiles_never_panic_and_errors_are_located() {
    let mut rng = Rng(0x0dd_ba11_cafe_f00d);
    let junk = [
        "",
        "[",
        "]",
        "\"",
        "'''",
        "=",
        "[[template]]",
        "select = [",
        "{",
        "}",
        "\u{0}",
        "\u{feff}",
        "a.b.c = 1",
        "name = 1",
        "present = [\"\"]",
        "select = [\":::\"]",
        "patterns = ['(']",
        "date_formats = [\"%Q\"]",
        "min_items = -1",
        "required = \"yes\"",
        "steps = [{ drop_first = 99999999999999999999 }]",
        "select = [{ css = \"a\", attr = 7 }]",
    ];
    for (name, src) in sources() {
        let lines: Vec<&str> = src.lines().collect();
        for cut in (0..src.len()).step_by(97) {
            if src.is_char_boundary(cut) {
                check(&format!("{name} cut at {cut}"), &src[..cut]);
            }
        }
        for round in 0..150 {
            let mut l = lines.clone();
            match round % 4 {
                0 => {
                    l.remove(rng.below(l.len()));
                }
                1 => {
                    let i = rng.below(l.len());
                    l.insert(rng.below(l.len()), lines[i]);
                }
                2 => {
                    let (a, b) = (rng.below(l.len()), rng.below(l.len()));
                    l.swap(a, b);
                }
                _ => {
                    let at = rng.below(l.len());
                    l.insert(at, junk[rng.below(junk.len())]);
                }
            }
            check(&format!("{name} round {round}"), &l.join("\n"));
        }
        let bytes = src.as_bytes();
        for round in 0..100 {
            let mut b = bytes.to_vec();
            for _ in 0..3 {
                let i = rng.below(b.len());
                let set = b"[]{}=\"'\\,.#\n x0-";
                b[i] = set[rng.below(set.len())];
            }
            let text = String::from_utf8_lossy(&b);
            check(&format!("{name} bytes {round}"), &text);
        }
    }
}

fn toml_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_.\\[\\]=\"' {},0-9\n#-]{0,20}",
        Just("[site]\nname = \"x\"\n".to_string()),
        Just("[[template]]\nname = \"t\"\n".to_string()),
        Just("[template.match]\npresent = [\"h1\"]\n".to_string()),
        Just("[template.fields.title]\nselect = [\"h1\"]\n".to_string()),
        Just("[template.body]\nselect = [\"div\"]\n".to_string()),
        Just("[template.dateline]\npatterns = ['^x']\n".to_string()),
        Just("[[template.list]]\nname = \"l\"\nblock = \"ul\"\nitem = \"li\"\n".to_string()),
        Just("[crawl]\nstart_urls = [\"http://x/\"]\n".to_string()),
        Just("select = [\"a >> b\"]\n".to_string()),
        Just("select = [{ css = \"a\", attr = \"href\", regex = \"(\" }]\n".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_toml_never_panics(pieces in prop::collection::vec(toml_piece(), 0..12)) {
        check("random TOML", &pieces.concat());
    }
}
