//! What sitelift writes: records, error entries, and the output files.
pub mod diff;
pub mod files;
pub mod links;
pub mod media;
pub mod paths;

pub mod redirects;
pub mod report;
pub mod report_html;
pub mod schema;
mod scratch;
pub mod terms;
pub mod writer;
