//! HTTP fetching (placeholder until the fetcher lands).
pub mod config;
