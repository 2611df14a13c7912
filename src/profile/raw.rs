//! The profile as written: plain serde structs that reject unknown keys.
//! Nothing here is checked beyond TOML types; `compile` does the rest, once.

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

/// A whole site profile (`selectors/<site>.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProfile {
    /// `[site]`: name and base URL.
    pub site: RawSite,
    /// `[decode]`: how page bytes become text.
    #[serde(default)]
    pub decode: RawDecode,
    /// `[crawl]`: seeds, scope, politeness (used by `crawl` and `run`).
    pub crawl: Option<crate::profile::crawl::RawCrawl>,
    /// `[output]`: new paths of records and listings (optional).
    pub output: Option<crate::profile::output::RawOutput>,
    /// `[media]`: the records' assets (fetched by `crawl` and `run`; optional).
    pub media: Option<crate::profile::media::RawMedia>,
    /// `[[template]]`: the page templates, tried in order.
    #[serde(rename = "template", default)]
    pub templates: Vec<RawTemplate>,
}

/// `[site]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSite {
    /// Short site name, used in reports and fixture folders.
    pub name: String,
    /// Base URL for saved pages whose URL is otherwise unknown.
    pub base_url: Option<Spanned<String>>,
    /// Language of the site's dates (`de`, `pt-BR`); absent: each page's `<html lang>`.
    pub locale: Option<Spanned<String>>,
}

/// `[decode]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDecode {
    /// Force this encoding for every page (a WHATWG label), overriding all rules.
    pub encoding: Option<Spanned<String>>,
    /// Repair text that was mis-decoded once before it was saved (default true).
    pub repair_mojibake: Option<bool>,
}

/// `[[template]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTemplate {
    /// Template name, shown in records and reports.
    pub name: String,
    /// Whether pages of this template become records (false for listings).
    #[serde(default = "yes")]
    pub emit: bool,
    /// Generic extraction for pages no other template matches: no fields,
    /// body, dateline or lists of its own.
    #[serde(default)]
    pub generic: bool,
    /// `[template.match]`: when a page is of this template.
    #[serde(rename = "match", default)]
    pub matcher: RawMatch,
    /// `[template.fields.NAME]`: single and list fields, in order.
    #[serde(default)]
    pub fields: IndexMap<String, Spanned<RawField>>,
    /// `[template.dateline]`.
    pub dateline: Option<RawDateline>,
    /// `[template.body]`.
    pub body: Option<RawBody>,
    /// `[[template.list]]`: sidebar lists.
    #[serde(rename = "list", default)]
    pub lists: Vec<RawList>,
}

fn yes() -> bool {
    true
}

/// `[template.match]`: all given rules must hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMatch {
    /// The page URL must match one of these regexes (when any are given).
    #[serde(default)]
    pub url: Vec<Spanned<String>>,
    /// Each of these selectors must match something in the page.
    #[serde(default)]
    pub present: Vec<Spanned<String>>,
    /// None of these selectors may match anything in the page.
    #[serde(default)]
    pub absent: Vec<Spanned<String>>,
}

/// Where a value comes from: a CSS selector (text), or a table.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawSelect {
    /// `"h1.entry-title"`: the text of the first match; `"meta[property='og:image']@content"`:
    /// an attribute of it.
    Css(String),
    /// `{ css = "...", attr = "content" }`, `{ css = "...", take = "html" }`, `{ url = true }`.
    Table(RawSelectTable),
}

/// The table form of [`RawSelect`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSelectTable {
    /// CSS selector.
    pub css: Option<String>,
    /// Take this attribute's value instead of the text.
    pub attr: Option<String>,
    /// `text` (default), `html` (outer), `inner_html`, `own_text`.
    pub take: Option<String>,
    /// Take the page URL itself (for ids captured from the URL).
    pub url: Option<bool>,
}

/// `[template.fields.NAME]` and the fields of list items.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    /// Fallback selectors, in order: the first that yields a non-empty value wins.
    #[serde(default)]
    pub select: Vec<Spanned<RawSelect>>,
    /// Elements removed (inside the match) before text is taken.
    #[serde(default)]
    pub remove: Vec<Spanned<String>>,
    /// Transform steps, in order.
    #[serde(default)]
    pub steps: Vec<Spanned<RawStep>>,
    /// A missing value is an error of the page (default false: a warning).
    #[serde(default)]
    pub required: bool,
    /// Collect every match (a list) instead of the first (default false).
    #[serde(default)]
    pub list: bool,
    /// Date formats for date fields (`%Y-%m-%d`, `%A, %d %B %Y`, …); ISO 8601 is always tried.
    #[serde(default)]
    pub date_formats: Vec<Spanned<String>>,
    /// Strip a trailing `...`/`…` and flag the item as truncated.
    #[serde(default)]
    pub ellipsis: bool,
}

/// One transform step: exactly one of the operation keys is set.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    /// Keep the named group `v` (or group 1, or the whole match); no match drops the value.
    /// With `into`, move the group of that name to another item field and cut the match out.
    pub regex: Option<Spanned<String>>,
    /// Target field for `regex` (split off a part such as an `AP:` source).
    pub into: Option<String>,
    /// Replace every match of this regex by `with`.
    pub replace: Option<Spanned<String>>,
    /// Replacement text for `replace` (`$name` refers to groups).
    pub with: Option<String>,
    /// Split every value on this regex into several values.
    pub split: Option<Spanned<String>>,
    /// Drop this many values from the front.
    pub drop_first: Option<usize>,
    /// Drop this many values from the back.
    pub drop_last: Option<usize>,
    /// Drop values matching this regex.
    pub drop_matching: Option<Spanned<String>>,
    /// `true`: drop values equal to an earlier one (case and white space aside).
    pub dedupe: Option<Spanned<bool>>,
}

/// `[template.dateline]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDateline {
    /// Where the dateline is; empty means "at the start of the body".
    #[serde(default)]
    pub select: Vec<Spanned<RawSelect>>,
    /// Regexes with named groups `date` (required), `source`, `place`; anchored at the start.
    #[serde(default)]
    pub patterns: Vec<Spanned<String>>,
    /// Datelines with a place and no date (`ERDEN.`): regexes with a named
    /// group `place` (and maybe `source`), tried after `patterns`.
    #[serde(default)]
    pub place_patterns: Vec<Spanned<String>>,
    /// Formats of the date text without a year: `%B %d`, `%d %b`, …
    #[serde(default)]
    pub date_formats: Vec<Spanned<String>>,
    /// Where the year comes from, in order: `"published"`, `"url"`.
    #[serde(default)]
    pub year_from: Vec<Spanned<String>>,
    /// Regex with a named group `year` for the `url` year source.
    pub url_year: Option<Spanned<String>>,
    /// Warn when dateline and published date are more than this many days apart (default 3).
    pub max_days_apart: Option<u32>,
    /// Remove the dateline from the body (default true).
    pub strip: Option<bool>,
}

/// `[template.body]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBody {
    /// The container of the article text (fallbacks in order).
    pub select: Vec<Spanned<RawSelect>>,
    /// Take every match of the winning selector, in document order (e.g. the
    /// featured image and the text container), instead of the first (default false).
    #[serde(default)]
    pub all_matches: bool,
    /// Elements removed before the text is taken (ads, share buttons, captions…).
    #[serde(default)]
    pub remove: Vec<Spanned<String>>,
    /// Paragraphs matching any of these regexes (whole text) are dropped.
    #[serde(default)]
    pub drop_paragraphs: Vec<Spanned<String>>,
    /// The first paragraph matching any of these regexes ends the body: it
    /// and everything after it are dropped (a pasted press release, "Read
    /// more", a signature block).
    #[serde(default)]
    pub stop_at: Vec<Spanned<String>>,
    /// Drop leading paragraphs that repeat the start of the text (teasers); default true.
    pub drop_repeated_lead: Option<bool>,
    /// Warn when the body has fewer paragraphs (default 1).
    pub min_paragraphs: Option<usize>,
    /// A missing body is an error of the page (default true).
    pub required: Option<bool>,
}

/// `[[template.list]]`: a sidebar list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawList {
    /// Name of the list in the record (`latest_news`).
    pub name: String,
    /// Find the block by its heading text (case-insensitive, whitespace-normalised).
    pub heading: Option<String>,
    /// Elements that can be headings (default `h1, h2, h3, h4, h5, h6, th`).
    pub heading_selector: Option<Spanned<String>>,
    /// The block around a heading: its closest ancestor matching this selector.
    pub block: Option<Spanned<String>>,
    /// The items are in the block after the heading's block: its first
    /// following sibling matching this selector (tagDiv "Cloud" templates).
    pub items_after: Option<Spanned<String>>,
    /// Or find the block by selector (fallbacks in order).
    #[serde(default)]
    pub container: Vec<Spanned<String>>,
    /// Each item of the list, inside the block.
    pub item: Spanned<String>,
    /// Fields of each item, in order.
    #[serde(default)]
    pub fields: IndexMap<String, Spanned<RawField>>,
    /// Warn when fewer items are found.
    pub min_items: Option<usize>,
    /// Warn (instead of a note) when the block is missing from the page.
    #[serde(default)]
    pub expected: bool,
    /// Drop items equal to an earlier item of the list (nested item
    /// selectors that match every item twice).
    #[serde(default)]
    pub dedupe: bool,
}
