//! sitelift: move the content of legacy websites into clean, structured JSON.
//!
//! The stages, in the order a page goes through them:
//!
//! 1. [`profile`]: the site profile (TOML, checked and compiled once) that every later stage reads.
//! 2. [`sources`]: pages that are not fetched: saved files, WARC files, crawl stores.
//! 3. [`frontier`]: what to fetch next: scope, canonical URLs, links, sitemaps, the ledger.
//! 4. [`fetch`]: HTTP, politely: robots.txt, per-host spacing, retries, redirects, caps, address safety.
//! 5. [`store`]: the page store: WARC/1.1 files written and read back.
//! 6. [`crawl`]: the pipeline that runs 3–5 (and 7–9 in `run`) and makes a crawl resumable.
//! 7. [`decode`]: bytes to text (BOM, header, meta, detection, mojibake repair).
//! 8. [`extract`]: a page and its template to an [`record::Outcome`]: routing, fields, body, dateline, lists.
//! 9. [`media`]: the assets a record references (images, documents), fetched by 6 and found again in stores, WARC files and folders.
//! 10. [`assemble`]: one record per legacy id, aliases merged, in a stable order.
//! 11. [`output`]: the writers: records (JSON Lines or a folder), redirect map, report; and `diff`.
//! 12. [`push`]: downstream: the package into WordPress through its REST API, with a ledger.
//! 13. [`verify`]: downstream, after the cut-over: the new site checked against the package.
//!
//! What flows between them is typed: [`record`] holds the record and the
//! line (outcome, error entry, listing) every stage from extraction on
//! hands to the next. Beside the pipeline: [`check`] (the fixture check),
//! [`text`] (text helpers shared by profile and extraction), [`dates`]
//! (date formats and the month names of 40 locales, shared likewise), [`serve`] (a
//! fixture folder served as the legacy site), [`corpus`] (a synthetic site
//! for benchmarks), and [`cli`] (the commands; nothing else imports it).
#![forbid(unsafe_code)]

pub mod assemble;
pub mod check;
pub mod cli;
pub mod corpus;
pub mod crawl;
pub mod dates;
pub mod decode;
pub mod extract;
pub mod fetch;
pub mod files;
pub mod frontier;
pub mod induce;
pub mod media;
pub mod output;
pub mod profile;
pub mod push;
pub mod record;
pub mod serve;
pub mod sources;
pub mod store;
pub mod text;
pub mod verify;
