//! Placeholder until the crawl section lands.
use super::error::CompileError;
/// Raw `[crawl]` section.
pub type RawCrawl = toml::Table;
/// Compiled crawl settings.
#[derive(Debug, Clone)]
pub struct CrawlConfig;
/// Compile the crawl section.
pub fn compile(_raw: &RawCrawl, _key: &str) -> Result<CrawlConfig, CompileError> {
    Ok(CrawlConfig)
}
