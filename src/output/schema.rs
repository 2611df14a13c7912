//! The JSON Schemas of what sitelift writes, generated from the Rust types
//! with schemars, so an importer (or CI) can validate the package without
//! reading Rust: the record, and the lines of `terms.jsonl`,
//! `authors.jsonl`, `links.jsonl` and `media.jsonl`. The committed copies are under
//! `schema/`; a test fails when the types and the committed files disagree
//! (`SITELIFT_BLESS_SCHEMA=1` rewrites them).

use serde_json::Value;

use crate::record::Record;

/// Where the committed record schema lives, relative to the repository root.
pub const SCHEMA_PATH: &str = "schema/record.schema.json";

/// The record schema as JSON.
pub fn record_schema() -> Value {
    let schema = schemars::schema_for!(Record);
    serde_json::to_value(&schema).unwrap_or(Value::Null)
}

/// The record schema as pretty JSON text, newline-terminated (the committed form).
pub fn record_schema_text() -> String {
    serde_json::to_string_pretty(&record_schema()).unwrap_or_default() + "\n"
}

/// Every schema: (path relative to the repository root, schema).
pub fn schemas() -> Vec<(&'static str, Value)> {
    let v = |s: schemars::Schema| serde_json::to_value(&s).unwrap_or(Value::Null);
    vec![
        (SCHEMA_PATH, record_schema()),
        (
            "schema/term.schema.json",
            v(schemars::schema_for!(super::terms::Term)),
        ),
        (
            "schema/author.schema.json",
            v(schemars::schema_for!(super::terms::Author)),
        ),
        (
            "schema/link.schema.json",
            v(schemars::schema_for!(super::links::BrokenLink)),
        ),
        (
            "schema/media.schema.json",
            v(schemars::schema_for!(super::media::MediaEntry)),
        ),
    ]
}
