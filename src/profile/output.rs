//! The optional `[output]` section of a site profile: how each record's new
//! path (in the new CMS, and in `--layout dir`) is built, and how listing
//! pages map to their new section path. Two phases like the rest of the
//! profile: serde reads [`RawOutput`] (unknown keys rejected), [`compile`]
//! checks the path pattern and regexes once and builds [`OutputSpec`].
//!
//! ```toml
//! [output]
//! path = "{section}/{year}/{slug}"   # placeholders: section year month slug legacy_id template
//! slug_from = ["url", "title"]       # first that gives a slug wins
//! url_slug = '/(?:\d+-)?(?P<slug>[a-z0-9-]+)/?$'  # on the URL path; group `slug`
//! max_slug = 80
//! url_prefix = "/"                   # new URLs in the redirect map: prefix + path + "/"
//! listing_strip = ['/page/\d+/?$']   # removed from a listing URL path before it becomes a section path
//! media_path = "media/{yyyy}/{mm}/{name}"  # placeholders: yyyy mm name id ext; the first segment is the media folder
//! media_urls = "new"                 # images and links in records point at the new paths ("legacy": the old URLs)
//! category_base = "category"         # new paths of terms and authors: BASE/SLUG/
//! tag_base = "tag"
//! author_base = "author"
//! ```

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use super::compile::regex;
use super::error::CompileError;

/// `[output]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutput {
    /// Path pattern of a record, `/`-separated, with `{placeholders}`.
    pub path: Option<Spanned<String>>,
    /// Where slugs come from, in order: `url`, `title`, `legacy_id`.
    pub slug_from: Option<Vec<Spanned<String>>>,
    /// Regex on the URL path with a `slug` group.
    pub url_slug: Option<Spanned<String>>,
    /// Longest slug, in characters (default 80).
    pub max_slug: Option<Spanned<usize>>,
    /// Prefix of new URLs in the redirect map (default `/`).
    pub url_prefix: Option<Spanned<String>>,
    /// Regexes removed from a listing's URL path (pagination).
    pub listing_strip: Option<Vec<Spanned<String>>>,
    /// Path of a media file, with `{yyyy}`, `{mm}`, `{name}`, `{id}`, `{ext}`.
    pub media_path: Option<Spanned<String>>,
    /// `new` (default) or `legacy`: where records' images and documents point.
    pub media_urls: Option<Spanned<String>>,
    /// Path before a category's slug (default `category`).
    pub category_base: Option<Spanned<String>>,
    /// Path before a tag's slug (default `tag`).
    pub tag_base: Option<Spanned<String>>,
    /// Path before an author's slug (default `author`).
    pub author_base: Option<Spanned<String>>,
}

/// One part of a path pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    /// Literal text (slugified when used).
    Literal(String),
    /// The section names, each slugified, as several segments.
    Section,
    /// The year of `published` (else the dateline's), `undated` when none.
    Year,
    /// The two-digit month, `00` when none.
    Month,
    /// The slug.
    Slug,
    /// The legacy id, `no-id` when none.
    LegacyId,
    /// The template name.
    Template,
}

/// Where a slug may come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlugSource {
    /// The `slug` group of `url_slug` on the record URL's path.
    Url,
    /// The title, slugified.
    Title,
    /// The legacy id.
    LegacyId,
}

/// Compiled `[output]` (defaults when the section is absent).
#[derive(Debug, Clone)]
pub struct OutputSpec {
    /// Segments of the path pattern; each segment is a list of parts.
    pub segments: Vec<Vec<PathPart>>,
    /// Slug sources in order.
    pub slug_from: Vec<SlugSource>,
    /// Regex with a `slug` group, matched on the URL path.
    pub url_slug: Regex,
    /// Longest slug, in characters.
    pub max_slug: usize,
    /// Prefix of new URLs.
    pub url_prefix: String,
    /// Removed from listing URL paths.
    pub listing_strip: Vec<Regex>,
    /// The media path pattern (checked), e.g. `media/{yyyy}/{mm}/{name}`.
    pub media_path: String,
    /// Records point at the media's new paths (else at their legacy URLs).
    pub media_urls_new: bool,
    /// Path before a category's, a tag's and an author's slug.
    pub category_base: String,
    /// See `category_base`.
    pub tag_base: String,
    /// See `category_base`.
    pub author_base: String,
}

const DEFAULT_PATH: &str = "{section}/{year}/{slug}";
const DEFAULT_MEDIA_PATH: &str = "media/{yyyy}/{mm}/{name}";

/// Check a media path pattern: `/`-separated, a plain first segment (the
/// media folder), known placeholders only, and a file name that tells
/// files apart (`{name}` or `{id}` in the last segment).
fn check_media_path(p: &str) -> Result<String, String> {
    let p = p.trim_matches('/');
    let segs: Vec<&str> = p.split('/').collect();
    if segs.len() < 2 || segs.iter().any(|s| s.is_empty()) {
        return Err(
            "a media path has a folder and a file name, e.g. `media/{yyyy}/{mm}/{name}`".into(),
        );
    }
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    };
    if !plain(segs[0]) {
        return Err(format!(
            "the first segment `{}` names the media folder: letters, digits, `-` and `_` only",
            segs[0]
        ));
    }
    let mut rest = p;
    while let Some(i) = rest.find('{') {
        let end = rest[i..]
            .find('}')
            .ok_or("an unclosed `{` in the media path")?
            + i;
        let name = &rest[i + 1..end];
        if !matches!(name, "yyyy" | "mm" | "name" | "id" | "ext") {
            return Err(format!(
                "unknown placeholder {{{name}}} (use yyyy mm name id ext)"
            ));
        }
        rest = &rest[end + 1..];
    }
    let last = segs[segs.len() - 1];
    if !last.contains("{name}") && !last.contains("{id}") {
        return Err("the file name (last segment) needs {name} or {id}".into());
    }
    Ok(p.to_string())
}
const DEFAULT_URL_SLUG: &str = r"/(?P<slug>[A-Za-z0-9][A-Za-z0-9_-]*)/?$";
const DEFAULT_LISTING_STRIP: &str = r"/page/\d+/?$";

impl Default for OutputSpec {
    fn default() -> Self {
        compile(&RawOutput::default(), "output").expect("the default [output] compiles")
    }
}

fn parse_pattern(p: &str) -> Result<Vec<Vec<PathPart>>, String> {
    let mut segments = Vec::new();
    for seg in p.trim_matches('/').split('/') {
        if seg.is_empty() {
            return Err("empty segment (`//`) in the path pattern".into());
        }
        let mut parts = Vec::new();
        let mut rest = seg;
        while !rest.is_empty() {
            match rest.find('{') {
                Some(0) => {
                    let end = rest
                        .find('}')
                        .ok_or_else(|| format!("unclosed `{{` in `{seg}`"))?;
                    let part = match &rest[1..end] {
                        "section" => PathPart::Section,
                        "year" => PathPart::Year,
                        "month" => PathPart::Month,
                        "slug" => PathPart::Slug,
                        "legacy_id" => PathPart::LegacyId,
                        "template" => PathPart::Template,
                        other => {
                            return Err(format!(
                            "unknown placeholder `{{{other}}}` (use section, year, month, slug, legacy_id, template)"
                        ))
                        }
                    };
                    if part == PathPart::Section && seg != "{section}" {
                        return Err("`{section}` must be a whole segment".into());
                    }
                    parts.push(part);
                    rest = &rest[end + 1..];
                }
                Some(i) => {
                    parts.push(PathPart::Literal(rest[..i].to_string()));
                    rest = &rest[i..];
                }
                None => {
                    parts.push(PathPart::Literal(rest.to_string()));
                    rest = "";
                }
            }
        }
        segments.push(parts);
    }
    let has = |want: &PathPart| segments.iter().flatten().any(|p| p == want);
    if !has(&PathPart::Slug) && !has(&PathPart::LegacyId) {
        return Err("the path pattern needs `{slug}` or `{legacy_id}`, or every record would get the same path".into());
    }
    Ok(segments)
}

/// `slug_from`: where slugs come from, in order.
fn slug_sources(raw: &RawOutput, key: &str) -> Result<Vec<SlugSource>, CompileError> {
    let Some(list) = &raw.slug_from else {
        return Ok(vec![SlugSource::Url, SlugSource::Title]);
    };
    let mut out = Vec::new();
    for (i, s) in list.iter().enumerate() {
        out.push(match s.get_ref().as_str() {
            "url" => SlugSource::Url,
            "title" => SlugSource::Title,
            "legacy_id" => SlugSource::LegacyId,
            other => {
                return Err(CompileError::new(
                    format!("{key}.slug_from[{i}]"),
                    Some(s.span()),
                    format!("unknown slug source `{other}` (use url, title, legacy_id)"),
                ))
            }
        });
    }
    if out.is_empty() {
        return Err(CompileError::new(
            format!("{key}.slug_from"),
            None,
            "give at least one slug source",
        ));
    }
    Ok(out)
}

/// `url_slug`: the regex with a `slug` group that finds a slug in a URL.
fn url_slug(raw: &RawOutput, key: &str) -> Result<Regex, CompileError> {
    let Some(s) = &raw.url_slug else {
        return Ok(Regex::new(DEFAULT_URL_SLUG).expect("default url_slug"));
    };
    let re = regex(s, &format!("{key}.url_slug"))?;
    if !re.capture_names().any(|n| n == Some("slug")) {
        return Err(CompileError::new(
            format!("{key}.url_slug"),
            Some(s.span()),
            "the regex needs a named group `slug`, e.g. `/(?P<slug>[a-z0-9-]+)/?$`",
        ));
    }
    Ok(re)
}

/// A term base (`category_base`, ...): `/`-separated plain segments.
fn term_base(
    raw: &Option<Spanned<String>>,
    key: &str,
    name: &str,
    default: &str,
) -> Result<String, CompileError> {
    let Some(b) = raw else {
        return Ok(default.to_string());
    };
    let v = b.get_ref().trim_matches('/');
    let plain = !v.is_empty()
        && v.split('/').all(|seg| {
            !seg.is_empty() && seg.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
        });
    match plain {
        true => Ok(v.to_ascii_lowercase()),
        false => Err(CompileError::new(
            format!("{key}.{name}"),
            Some(b.span()),
            "a base is one or more `/`-separated segments of letters, digits and `-`",
        )),
    }
}

/// `media_path` and `media_urls` (true: records point at the new paths).
fn media_spec(raw: &RawOutput, key: &str) -> Result<(String, bool), CompileError> {
    let media_path = match &raw.media_path {
        Some(p) => check_media_path(p.get_ref())
            .map_err(|m| CompileError::new(format!("{key}.media_path"), Some(p.span()), m))?,
        None => DEFAULT_MEDIA_PATH.to_string(),
    };
    let media_urls_new = match &raw.media_urls {
        None => true,
        Some(v) => match v.get_ref().as_str() {
            "new" => true,
            "legacy" => false,
            other => {
                return Err(CompileError::new(
                    format!("{key}.media_urls"),
                    Some(v.span()),
                    format!("`{other}`: use \"new\" or \"legacy\""),
                ))
            }
        },
    };
    Ok((media_path, media_urls_new))
}

/// Compile `[output]`; `key` is the section's dotted name (`output`).
pub fn compile(raw: &RawOutput, key: &str) -> Result<OutputSpec, CompileError> {
    let (pattern, span) = match &raw.path {
        Some(p) => (p.get_ref().as_str(), Some(p.span())),
        None => (DEFAULT_PATH, None),
    };
    let segments =
        parse_pattern(pattern).map_err(|m| CompileError::new(format!("{key}.path"), span, m))?;
    let slug_from = slug_sources(raw, key)?;
    let url_slug = url_slug(raw, key)?;
    let max_slug = match &raw.max_slug {
        Some(m) if !(8..=200).contains(m.get_ref()) => {
            return Err(CompileError::new(
                format!("{key}.max_slug"),
                Some(m.span()),
                "max_slug must be between 8 and 200",
            ))
        }
        Some(m) => *m.get_ref(),
        None => 80,
    };
    let url_prefix = match &raw.url_prefix {
        Some(p) if !p.get_ref().starts_with('/') && !p.get_ref().contains("://") => {
            return Err(CompileError::new(
                format!("{key}.url_prefix"),
                Some(p.span()),
                "url_prefix must start with `/` or be an absolute URL",
            ))
        }
        Some(p) => p.get_ref().trim_end_matches('/').to_string() + "/",
        None => "/".to_string(),
    };
    let listing_strip = match &raw.listing_strip {
        Some(list) => list
            .iter()
            .enumerate()
            .map(|(i, s)| regex(s, &format!("{key}.listing_strip[{i}]")))
            .collect::<Result<_, _>>()?,
        None => vec![Regex::new(DEFAULT_LISTING_STRIP).expect("default listing_strip")],
    };
    let (media_path, media_urls_new) = media_spec(raw, key)?;
    Ok(OutputSpec {
        segments,
        media_path,
        media_urls_new,
        slug_from,
        url_slug,
        max_slug,
        url_prefix,
        listing_strip,
        category_base: term_base(&raw.category_base, key, "category_base", "category")?,
        tag_base: term_base(&raw.tag_base, key, "tag_base", "tag")?,
        author_base: term_base(&raw.author_base, key, "author_base", "author")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_rejects_unknown_placeholders_and_missing_slug() {
        assert!(parse_pattern("{section}/{yaer}/{slug}")
            .unwrap_err()
            .contains("yaer"));
        assert!(parse_pattern("{section}/{year}").is_err());
        assert!(parse_pattern("a//{slug}").is_err());
        assert!(parse_pattern("x{section}/{slug}").is_err());
        let p = parse_pattern("news/{year}-{month}/{slug}").unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(
            p[1],
            vec![
                PathPart::Year,
                PathPart::Literal("-".into()),
                PathPart::Month
            ]
        );
    }
}
