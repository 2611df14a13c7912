//! The integration tests, built as one test binary.
//!
//! One binary instead of one per file: each test binary links the whole
//! dependency tree (HTTP client and server, SQLite, HTML parser), so twenty
//! of them took gigabytes of disk and most of the link time. Each file here
//! is a module; run one with `cargo test --test suite <module>::`.

mod common;

mod assemble_stream;
mod crawl;
mod dates_locale;
mod decode;
mod disk_full;
mod extract_inputs;
mod fetch;
mod fixtures;
mod hostile_extract;
mod hostile_profile;
mod hostile_server;
mod hostile_xss;
mod outputs_crawl;
mod outputs_layout;
mod outputs_profile;
mod outputs_schema;
mod profile_errors;
mod realworld;
mod resume;
mod serve;
mod unread;
mod warc_interop;
