//! The frontier: which URLs exist, which are in scope, and what happened to
//! each (the ledger), so a crawl is resumable and a migration auditable.
pub mod ledger;
