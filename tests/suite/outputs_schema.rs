//! The committed record schema (`schema/record.schema.json`) must be exactly
//! what the Rust types generate, and every fixture's expected record must
//! validate against it. `SITELIFT_BLESS_SCHEMA=1` rewrites the committed file
//! after a deliberate change to the record type (review the diff).

use std::path::PathBuf;

use serde_json::Value;
use sitelift::output::schema::{record_schema, record_schema_text, SCHEMA_PATH};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn committed_schemas_of_terms_authors_links_and_media_match_their_types() {
    // the record's own schema has its test (both blessing one file would race)
    for (rel, generated) in sitelift::output::schema::schemas()
        .into_iter()
        .filter(|(rel, _)| *rel != SCHEMA_PATH)
    {
        let path = root().join(rel);
        let text = serde_json::to_string_pretty(&generated).unwrap() + "\n";
        if std::env::var_os("SITELIFT_BLESS_SCHEMA").is_some() {
            sitelift::output::files::write_atomic(&path, text.as_bytes()).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("{}: {e} (run with SITELIFT_BLESS_SCHEMA=1)", path.display())
        });
        let committed: Value = serde_json::from_str(&committed).unwrap();
        assert_eq!(
            committed, generated,
            "{rel} is stale: SITELIFT_BLESS_SCHEMA=1 cargo test --test suite outputs_schema"
        );
    }
}

/// Every line of the side files of the fixture site's output validates.
#[test]
fn terms_authors_links_and_media_of_the_fixture_site_validate() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.jsonl");
    let code = std::process::Command::new(env!("CARGO_BIN_EXE_sitelift"))
        .current_dir(root())
        .args([
            "extract",
            "--profile",
            "selectors/iranfocus.toml",
            "fixtures/iranfocus",
            "--out",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert_eq!(code.code(), Some(1));
    for (file, schema) in [
        ("r.terms.jsonl", "schema/term.schema.json"),
        ("r.authors.jsonl", "schema/author.schema.json"),
        ("r.links.jsonl", "schema/link.schema.json"),
        ("r.media.jsonl", "schema/media.schema.json"),
    ] {
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(root().join(schema)).unwrap()).unwrap();
        let v = jsonschema::validator_for(&schema).unwrap();
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert!(!text.is_empty(), "{file} is empty");
        for line in text.lines() {
            let value: Value = serde_json::from_str(line).unwrap();
            let errors: Vec<String> = v.iter_errors(&value).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{file}: {line}: {errors:?}");
        }
    }
}

#[test]
fn committed_schema_matches_the_record_types() {
    let path = root().join(SCHEMA_PATH);
    let generated = record_schema_text();
    if std::env::var_os("SITELIFT_BLESS_SCHEMA").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        sitelift::output::files::write_atomic(&path, generated.as_bytes()).unwrap();
    }
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with SITELIFT_BLESS_SCHEMA=1)", path.display()));
    let committed: Value = serde_json::from_str(&committed).unwrap();
    assert_eq!(
        committed,
        record_schema(),
        "the record types changed but {SCHEMA_PATH} did not: review the change, then \
         SITELIFT_BLESS_SCHEMA=1 cargo test --test suite outputs_schema"
    );
}

fn fixture_records() -> Vec<(String, Value)> {
    let dir = root().join("fixtures/iranfocus");
    let mut out = Vec::new();
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.ends_with(".json") && !n.ends_with(".meta.json")
        })
        .collect();
    names.sort();
    for p in names {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        if v.get("template").is_some() {
            out.push((p.file_name().unwrap().to_string_lossy().to_string(), v));
        }
    }
    out
}

fn validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(SCHEMA_PATH)).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the committed schema is a valid JSON Schema")
}

#[test]
fn every_fixture_record_validates() {
    let v = validator();
    let records = fixture_records();
    assert!(records.len() >= 10, "fixture records: {}", records.len());
    for (name, rec) in &records {
        let errors: Vec<String> = v
            .iter_errors(rec)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
}

#[test]
fn a_record_of_the_wrong_shape_is_rejected() {
    let v = validator();
    let (_, rec) = fixture_records().remove(0);
    let mut wrong_type = rec.clone();
    wrong_type["title"] = Value::from(42);
    assert!(
        !v.is_valid(&wrong_type),
        "a numeric title must not validate"
    );
    let mut unknown = rec.clone();
    unknown["new_field"] = Value::from("x");
    assert!(!v.is_valid(&unknown), "an unknown field must not validate");
    let mut missing = rec;
    missing.as_object_mut().unwrap().remove("body");
    assert!(
        !v.is_valid(&missing),
        "a record without body must not validate"
    );
}
