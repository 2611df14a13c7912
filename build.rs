//! Generates one test function per data file for the data-driven test
//! harnesses of `tests/suite` (fixture pages, profile-error cases, decoding
//! cases), so a failure names its case in the test list and adding a case
//! adds a file, not code. The functions only call the harness with the
//! file's path; the harness lives in the test module that includes them.

use std::fmt::Write as _;
use std::path::Path;

/// Test functions for every file under `dir` (recursively) ending in
/// `ext`, each calling `harness(path)`.
fn tests_for(dir: &str, ext: &str, harness: &str) -> String {
    println!("cargo:rerun-if-changed={dir}");
    let mut files = Vec::new();
    collect(Path::new(dir), ext, &mut files);
    files.sort();
    let mut out = String::new();
    let mut names = std::collections::BTreeSet::new();
    for f in files {
        let rel = f.strip_prefix(dir).unwrap_or(&f).with_extension("");
        let mut name: String = rel
            .to_string_lossy()
            .chars()
            .map(|c| match c.is_ascii_alphanumeric() {
                true => c.to_ascii_lowercase(),
                false => '_',
            })
            .collect();
        if name.starts_with(|c: char| c.is_ascii_digit()) {
            name.insert(0, '_');
        }
        while !names.insert(name.clone()) {
            name.push('_');
        }
        let path = f.to_string_lossy().replace('\\', "/");
        let _ = writeln!(
            out,
            "#[test]\nfn {name}() {{\n    {harness}({path:?});\n}}\n"
        );
    }
    out
}

fn collect(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, ext, out);
        } else if p.to_string_lossy().ends_with(ext) {
            out.push(p);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let cases = [
        ("fixtures", ".html", "check_fixture", "fixture_tests.rs"),
        (
            "tests/data/profile_errors",
            ".toml",
            "check_profile_error",
            "profile_error_tests.rs",
        ),
        (
            "tests/data/decode",
            ".json",
            "check_decoding",
            "decode_tests.rs",
        ),
    ];
    for (dir, ext, harness, file) in cases {
        let text = tests_for(dir, ext, harness);
        std::fs::write(Path::new(&out).join(file), text).expect("OUT_DIR is writable");
    }
}
