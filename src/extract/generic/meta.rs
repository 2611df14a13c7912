//! What the page says about itself outside the visible text: `<meta>` tags
//! (Open Graph, Twitter, Dublin Core, `article:*`, `itemprop`), JSON-LD
//! (`Article`-like objects, `BreadcrumbList`), and `<title>`.
//!
//! Profile extraction leaves the content of `<script>` elements out of the
//! parse (see [`crate::extract::limits::prepare_markup`]), so the JSON-LD
//! blocks are cut out of the decoded text before that, by [`ld_json_blocks`]:
//! a scan for `<script ... type="application/ld+json">` up to `</script`.

use indexmap::IndexMap;
use serde_json::Value;

use super::dom::Dom;

/// The page's self-description.
#[derive(Debug, Default, Clone)]
pub struct Meta {
    /// `<meta>` values by lowercased `property`/`name`/`itemprop`, first one wins.
    pub tags: IndexMap<String, String>,
    /// The text of `<title>`.
    pub title: Option<String>,
    /// The JSON-LD article object (the first of an article-like type).
    pub article: Option<Value>,
    /// The items of the first JSON-LD `BreadcrumbList`: (name, url).
    pub breadcrumbs: Vec<(String, Option<String>)>,
}

impl Meta {
    /// A `<meta>` value by key.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .get(key)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// A string field of the JSON-LD article.
    pub fn ld(&self, key: &str) -> Option<String> {
        let v = self.article.as_ref()?.get(key)?;
        match v {
            Value::String(s) => Some(crate::text::clean(&html_unescape(s))),
            Value::Array(a) => a.iter().find_map(|x| x.as_str()).map(crate::text::clean),
            _ => None,
        }
        .filter(|s| !s.is_empty())
    }

    /// The JSON-LD article's author names.
    pub fn ld_authors(&self) -> Vec<String> {
        let Some(a) = self.article.as_ref().and_then(|a| a.get("author")) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut push = |v: &Value| {
            let name = match v {
                Value::String(s) => Some(s.as_str()),
                Value::Object(o) => o.get("name").and_then(Value::as_str),
                _ => None,
            };
            if let Some(n) = name {
                let n = crate::text::clean(&html_unescape(n));
                if !n.is_empty() && !out.contains(&n) {
                    out.push(n);
                }
            }
        };
        match a {
            Value::Array(items) => items.iter().for_each(&mut push),
            other => push(other),
        }
        out
    }
}

/// The few entities JSON-LD writers leave in strings (`&amp;`, `&#8217;`).
pub fn html_unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let end = rest
            .char_indices()
            .take(12)
            .find(|(_, c)| *c == ';')
            .map(|(k, _)| k);
        let decoded = end.and_then(|e| {
            let ent = &rest[1..e];
            let c = match ent {
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let n = ent
                        .strip_prefix("#x")
                        .or_else(|| ent.strip_prefix("#X"))
                        .map(|h| u32::from_str_radix(h, 16))
                        .or_else(|| ent.strip_prefix('#').map(|d| d.parse::<u32>()));
                    n.and_then(|r| r.ok()).and_then(char::from_u32)
                }
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The content of every `<script type="application/ld+json">` of the markup.
pub fn ld_json_blocks(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let at = i + off;
        i = at + 1;
        if b.len() < at + 7 || !b[at + 1..at + 7].eq_ignore_ascii_case(b"script") {
            continue;
        }
        let Some(close) = memchr::memchr(b'>', &b[at..]).map(|p| at + p) else {
            break;
        };
        let is_ld = text[at..close].to_ascii_lowercase().contains("ld+json");
        let start = close + 1;
        let mut j = start;
        let end = loop {
            match memchr::memchr(b'<', &b[j..]) {
                Some(p) => {
                    let k = j + p;
                    if b.len() >= k + 8 && b[k + 1..k + 8].eq_ignore_ascii_case(b"/script") {
                        break k;
                    }
                    j = k + 1;
                }
                None => break b.len(),
            }
        };
        if is_ld {
            out.push(&text[start..end]);
        }
        i = end;
    }
    out
}

const ARTICLE_TYPES: &[&str] = &[
    "article",
    "newsarticle",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "scholarlyarticle",
    "techarticle",
    "socialmediaposting",
    "liveblogposting",
    "report",
    "review",
    "recipe",
    "howto",
    "posting",
];

fn has_type(v: &Value, types: &[&str]) -> bool {
    let matches = |t: &Value| {
        t.as_str()
            .map(|s| {
                let s = s.rsplit('/').next().unwrap_or(s).to_ascii_lowercase();
                types.contains(&s.as_str())
            })
            .unwrap_or(false)
    };
    match v.get("@type") {
        Some(Value::Array(a)) => a.iter().any(matches),
        Some(t) => matches(t),
        None => false,
    }
}

/// Every object of a JSON-LD value: arrays and `@graph`s flattened, and
/// the `mainEntity` of a `WebPage`.
fn objects<'v>(v: &'v Value, out: &mut Vec<&'v Value>, depth: usize) {
    if depth > 4 {
        return;
    }
    match v {
        Value::Array(a) => a.iter().for_each(|x| objects(x, out, depth + 1)),
        Value::Object(o) => {
            out.push(v);
            if let Some(g) = o.get("@graph") {
                objects(g, out, depth + 1);
            }
            if let Some(m) = o.get("mainEntity").or_else(|| o.get("mainEntityOfPage")) {
                if m.is_object() {
                    objects(m, out, depth + 1);
                }
            }
        }
        _ => {}
    }
}

fn parse_json(raw: &str) -> Option<Value> {
    let raw = raw.trim();
    let raw = raw
        .strip_prefix("<!--")
        .and_then(|r| r.strip_suffix("-->"))
        .unwrap_or(raw)
        .trim();
    serde_json::from_str(raw).ok().or_else(|| {
        // raw line breaks and tabs inside strings are common and invalid JSON
        let fixed: String = raw
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        serde_json::from_str(&fixed).ok()
    })
}

fn breadcrumb_items(list: &Value) -> Vec<(u64, String, Option<String>)> {
    let mut items = Vec::new();
    let Some(Value::Array(a)) = list.get("itemListElement") else {
        return items;
    };
    for (k, it) in a.iter().enumerate() {
        let pos = it
            .get("position")
            .and_then(|p| {
                p.as_u64()
                    .or_else(|| p.as_str().and_then(|s| s.parse().ok()))
            })
            .unwrap_or(k as u64 + 1);
        let item = it.get("item");
        let name = it
            .get("name")
            .and_then(Value::as_str)
            .or_else(|| item.and_then(|i| i.get("name")).and_then(Value::as_str));
        let url = item
            .and_then(|i| {
                i.as_str()
                    .or_else(|| i.get("@id").and_then(Value::as_str))
                    .or_else(|| i.get("url").and_then(Value::as_str))
            })
            .or_else(|| it.get("url").and_then(Value::as_str));
        if let Some(n) = name {
            let n = crate::text::clean(&html_unescape(n));
            if !n.is_empty() {
                items.push((pos, n, url.map(str::to_string)));
            }
        }
    }
    items.sort_by_key(|i| i.0);
    items
}

/// Parse JSON-LD blocks (the ones that are not JSON are left out).
pub fn parse_ld(blocks: &[&str]) -> Vec<Value> {
    blocks.iter().filter_map(|b| parse_json(b)).collect()
}

/// Read the page's meta tags and `<title>` from the parsed page and the
/// JSON-LD values of the page.
pub fn read(dom: &Dom<'_>, ld_json: &[Value]) -> Meta {
    let mut m = Meta::default();
    for n in &dom.nodes {
        match n.tag {
            "meta" => {
                let v = n.el.value();
                let Some(content) = v.attr("content") else {
                    continue;
                };
                for key in [v.attr("property"), v.attr("name"), v.attr("itemprop")]
                    .into_iter()
                    .flatten()
                {
                    let key = key.trim().to_ascii_lowercase();
                    m.tags
                        .entry(key)
                        .or_insert_with(|| crate::text::clean(content));
                }
            }
            "title" if m.title.is_none() => {
                // inside <svg> a title is a tooltip, not the page's
                if n.el.ancestors().any(|a| {
                    a.value()
                        .as_element()
                        .is_some_and(|e| e.name() == "svg" || e.name() == "body")
                }) {
                    continue;
                }
                let t = n.el.text().collect::<String>();
                let t = crate::text::clean(&t);
                if !t.is_empty() {
                    m.title = Some(t);
                }
            }
            _ => {}
        }
    }
    for v in ld_json {
        let mut objs = Vec::new();
        objects(v, &mut objs, 0);
        for o in objs {
            if m.article.is_none() && has_type(o, ARTICLE_TYPES) {
                m.article = Some(o.clone());
            }
            if m.breadcrumbs.is_empty() && has_type(o, &["breadcrumblist"]) {
                m.breadcrumbs = breadcrumb_items(o)
                    .into_iter()
                    .map(|(_, n, u)| (n, u))
                    .collect();
            }
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_ld_json_blocks_in_markup() {
        let html = r#"<head><SCRIPT type="application/ld+json">{"a":1}</script>
            <script>var x = "<script type='application/ld+json'>";</script>
            <script type='application/ld+json'>[{"b":2}]</SCRIPT></head>"#;
        assert_eq!(ld_json_blocks(html), vec![r#"{"a":1}"#, r#"[{"b":2}]"#]);
    }

    #[test]
    fn json_ld_ampersand_before_multibyte_text_does_not_panic() {
        // an `&` with no `;` within the next bytes, where byte 12 falls inside a character
        assert_eq!(html_unescape("Smith & Söhne Café"), "Smith & Söhne Café");
        assert_eq!(html_unescape("&ééééééééé"), "&ééééééééé");
    }

    #[test]
    fn unescapes_entities_of_json_ld_strings() {
        assert_eq!(
            html_unescape("Tom &amp; Jerry&#8217;s &#x201C;x&#x201D;"),
            "Tom & Jerry’s “x”"
        );
        assert_eq!(html_unescape("a & b"), "a & b");
    }
}
