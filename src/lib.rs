//! sitelift: move the content of legacy websites into clean, structured JSON.
//!
//! The pipeline, one module per stage: [`profile`] (what to take), [`input`]
//! (saved pages), [`decode`] (bytes → text), [`extract`] (page → record),
//! [`output`] (records and files), [`check`] (fixtures), [`cli`] (commands).
pub mod assemble;
pub mod check;
pub mod cli;
pub mod corpus;
pub mod crawl;
pub mod decode;
pub mod extract;
pub mod fetch;
pub mod frontier;
pub mod output;
pub mod profile;
pub mod record;
pub mod serve;
pub mod sources;
pub mod store;
pub mod text;
