//! The frontier: which URLs exist (canonical forms), which are in scope,
//! how they are discovered (links, pagination, sitemaps), and what happened
//! to each (the ledger), so a crawl is resumable and a migration auditable.
pub mod canon;
pub mod ledger;
pub mod links;
pub mod scope;
pub mod sitemap;
