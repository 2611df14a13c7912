//! What sitelift writes: records, error entries, and the output files.
pub mod record;
pub mod sink;
