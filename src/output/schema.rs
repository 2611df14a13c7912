//! The record's JSON Schema, generated from the Rust types with schemars, so
//! an importer (or CI) can validate records without reading Rust. The
//! committed copy is `schema/record.schema.json`; a test fails when the types
//! and the committed file disagree (`SITELIFT_BLESS_SCHEMA=1` rewrites it).

use serde_json::Value;

use crate::record::Record;

/// Where the committed schema lives, relative to the repository root.
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
