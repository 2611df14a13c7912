//! The CLI's own documentation: completions and man pages generated from
//! the command definitions, and `--help` with examples and exit codes.

use std::process::Command;

use crate::common::site::sitelift;

const COMMANDS: &[&str] = &[
    "extract", "check", "explain", "crawl", "run", "status", "verify",
];

#[test]
fn completions_know_every_command_in_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let (code, out, err) = sitelift(&["completions", shell]);
        assert_eq!(code, Some(0), "{shell}: {err}");
        for c in COMMANDS {
            assert!(out.contains(c), "{shell} completions lack {c}");
        }
        // options of a command too
        assert!(out.contains("retry-failed"), "{shell}: no crawl options");
    }
    let (code, _, err) = sitelift(&["completions", "tcsh-ish"]);
    assert_eq!(code, Some(2), "{err}");
}

#[test]
fn man_pages_for_sitelift_and_each_command() {
    let (code, out, err) = sitelift(&["man"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains(".TH sitelift 1"),
        "{}",
        &out[..out.len().min(300)]
    );
    for c in COMMANDS {
        assert!(out.contains(c), "the sitelift page does not list {c}");
    }
    let (code, out, err) = sitelift(&["man", "crawl"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains(".TH sitelift-crawl 1"), "{out}");
    assert!(out.contains(r"\-\-max\-pages"), "{out}");
    assert!(out.contains("Examples:"), "{out}");
    let (code, _, err) = sitelift(&["man", "nope"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("no command `nope`") && err.contains("crawl"),
        "{err}"
    );
}

#[test]
fn help_gives_examples_exit_codes_and_logging() {
    let (code, out, _) = sitelift(&["--help"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("Exit codes: 0"), "{out}");
    assert!(out.contains("SITELIFT_LOG"), "{out}");
    assert!(
        out.contains("-q, --quiet") && out.contains("-v, --verbose"),
        "{out}"
    );
    for c in COMMANDS {
        let (code, out, err) = sitelift(&[c, "--help"]);
        assert_eq!(code, Some(0), "{c}: {err}");
        assert!(out.contains("Examples:\n  sitelift "), "{c} --help: {out}");
    }
}

#[test]
fn verbose_and_quiet_set_the_log_level() {
    // the fixture site has redirects, which the fetcher logs at debug level
    let crawl = |flag: Option<&str>| {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Command::new(env!("CARGO_BIN_EXE_sitelift"));
        c.current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("SITELIFT_LOG");
        if let Some(f) = flag {
            c.arg(f);
        }
        let o = c
            .args(["crawl", "--profile", "selectors/iranfocus.toml"])
            .args([
                "--serve",
                "fixtures/iranfocus",
                "--delay-ms",
                "0",
                "--store",
            ])
            .arg(dir.path().join("store"))
            .output()
            .unwrap();
        assert!(matches!(o.status.code(), Some(0 | 1)));
        String::from_utf8_lossy(&o.stderr).to_string()
    };
    let debug = crawl(Some("-vv"));
    assert!(
        debug.contains("DEBUG") && debug.contains("redirect"),
        "{debug}"
    );
    let default = crawl(None);
    assert!(
        !default.contains("DEBUG") && !default.contains("INFO"),
        "{default}"
    );
    let quiet = crawl(Some("-q"));
    assert!(
        !quiet.contains("DEBUG") && !quiet.contains("WARN"),
        "{quiet}"
    );
}
