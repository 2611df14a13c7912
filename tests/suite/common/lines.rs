//! The lines an assembly hands to its writer, collected in memory: records
//! and error entries as their JSON text (what the JSON Lines output holds),
//! listings as (URL, template).

use sitelift::record::Line;

/// What an assembly wrote.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Collected {
    /// Records, then error entries, as JSON text.
    pub lines: Vec<String>,
    /// Listing pages: (URL, template), in page order.
    pub listings: Vec<(String, String)>,
}

impl Collected {
    /// Take one line.
    pub fn push(&mut self, line: Line) -> std::io::Result<()> {
        match line {
            Line::Record(r) => self.lines.push(serde_json::to_string(&r)?),
            Line::Error(e) => self.lines.push(serde_json::to_string(&e)?),
            Line::Listing { url, template } => self.listings.push((url, template)),
        }
        Ok(())
    }

    /// The lines as JSON values.
    pub fn values(&self) -> Vec<serde_json::Value> {
        self.lines
            .iter()
            .map(|l| serde_json::from_str(l).expect("a line is JSON"))
            .collect()
    }
}
