//! The integration tests, built as one test binary.
//!
//! One binary instead of one per file: each test binary links the whole
//! dependency tree (HTTP client and server, SQLite, HTML parser), so twenty
//! of them took gigabytes of disk and most of the link time. Each file here
//! is a module; run one with `cargo test --test suite <module>::`.

mod common;

mod assemble_stream;
mod attrs_left_out;
mod cli_docs;
mod crawl;
mod crawl_dry_run;
mod dateline_place;
mod dates_locale;
mod decode;
mod decode_cases;
mod demo;
mod disk_full;
mod errors_once;
mod explain_body;
mod explain_store;
mod extract_inputs;
mod extract_limit;
mod fetch;
mod fixtures;
mod generic;
mod generic_cli;
mod hostile_extract;
mod hostile_profile;
mod hostile_server;
mod hostile_xss;
mod init;
mod media_fetch;
mod media_resume;
mod media_sources;
mod outputs_crawl;
mod outputs_layout;
mod outputs_profile;
mod outputs_safety;
mod outputs_schema;
mod package;
mod package_links;
mod profile_dedupe;
mod profile_errors;
mod profile_lists;
mod progress;
mod push;
mod realworld;
mod regressions_leaf;
mod report_html;
mod resume;
mod serve;
mod status_cli;
mod store_lock;
mod tagdiv_cloud;
mod unread;
mod verify;
mod warc_interop;
