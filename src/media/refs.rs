//! Which assets a record references: its featured image, the images and
//! document links of its body in document order, then any image of
//! `images[]` the body HTML does not show. A pure function of the record
//! and the `[media]` spec, so the crawl (which fetches them) and the
//! packaging (which carries them over) always agree on the list.

use std::collections::HashMap;

use scraper::{Html, Node};
use url::Url;

use super::{AssetKind, AssetRef, MediaSpec};
use crate::record::Record;

/// The assets of `record` that may be carried over: every reference of
/// [`references_of`] whose host is the site's (the record's own host, its
/// canonical URL's, the spec's site hosts) or one of `spec.hosts`, and
/// whose URL extension is not a known media type left out of `types`.
/// Absolute URLs (without fragment), deduplicated by URL, in the order a
/// reader meets them: the featured image, then the body's images and
/// document links in document order, then the images of `images[]` the
/// body does not show.
pub fn assets_of(record: &Record, spec: &MediaSpec) -> Vec<AssetRef> {
    let own = own_hosts(record);
    let own: Vec<&str> = own.iter().map(String::as_str).collect();
    references_of(record, spec)
        .into_iter()
        .filter(|a| {
            let Ok(u) = Url::parse(&a.url) else {
                return false;
            };
            spec.host_allowed(&u, &own) && spec.unwanted_extension(&u).is_none()
        })
        .collect()
}

/// The hosts of a record's own URLs (its page URL and canonical URL): an
/// asset there is the site's.
pub fn own_hosts(record: &Record) -> Vec<String> {
    [&record.url, &record.canonical_url]
        .into_iter()
        .filter_map(|u| Url::parse(u).ok()?.host_str().map(str::to_string))
        .collect()
}

/// Every asset `record` references, before the host and type rules of
/// [`assets_of`] (the crawl records why each one it leaves out is not
/// fetched). Same order and deduplication as [`assets_of`].
pub fn references_of(record: &Record, spec: &MediaSpec) -> Vec<AssetRef> {
    let mut list = Refs::default();
    if let Some(f) = &record.featured_image {
        list.add(f, AssetKind::Image, None, None, true);
    }
    let by_src: HashMap<&str, &crate::record::Image> =
        record.images.iter().map(|i| (i.src.as_str(), i)).collect();
    let base = Url::parse(&record.url).ok();
    if !record.body.html.is_empty() {
        let frag = Html::parse_fragment(&record.body.html);
        for node in frag.root_element().descendants() {
            let Node::Element(e) = node.value() else {
                continue;
            };
            match e.name() {
                "img" => {
                    let Some(src) = e.attr("src") else { continue };
                    let Some(url) = absolute(base.as_ref(), src) else {
                        continue;
                    };
                    let img = by_src.get(src).copied();
                    let alt = img
                        .map(|i| i.alt.clone())
                        .or_else(|| e.attr("alt").map(crate::text::clean));
                    let caption = img.and_then(|i| i.caption.clone());
                    list.add_url(url, AssetKind::Image, alt, caption, false);
                }
                "a" => {
                    let Some(href) = e.attr("href") else { continue };
                    let Some(url) = absolute(base.as_ref(), href) else {
                        continue;
                    };
                    if !spec.wants_url(&url) {
                        continue;
                    }
                    let kind = spec.kind_of_url(&url).unwrap_or(AssetKind::Document);
                    let text: String = scraper::ElementRef::wrap(node)
                        .map(|el| el.text().collect())
                        .unwrap_or_default();
                    let text = crate::text::clean(&text);
                    list.add_url(url, kind, Some(text), None, false);
                }
                _ => {}
            }
        }
    }
    for img in &record.images {
        list.add(
            &img.src,
            AssetKind::Image,
            Some(img.alt.clone()),
            img.caption.clone(),
            false,
        );
    }
    list.items
}

/// An absolute http(s) URL without fragment.
fn absolute(base: Option<&Url>, raw: &str) -> Option<Url> {
    let raw = raw.trim();
    let mut url = match base {
        Some(b) => b.join(raw).ok()?,
        None => Url::parse(raw).ok()?,
    };
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.set_fragment(None);
    Some(url)
}

/// The list being built: first occurrence keeps its place, later ones
/// add what it lacked (the featured flag, alt text, a caption).
#[derive(Default)]
struct Refs {
    items: Vec<AssetRef>,
    index: HashMap<String, usize>,
}

impl Refs {
    fn add(
        &mut self,
        raw: &str,
        kind: AssetKind,
        alt: Option<String>,
        caption: Option<String>,
        featured: bool,
    ) {
        if let Some(url) = absolute(None, raw) {
            self.add_url(url, kind, alt, caption, featured);
        }
    }

    fn add_url(
        &mut self,
        url: Url,
        kind: AssetKind,
        alt: Option<String>,
        caption: Option<String>,
        featured: bool,
    ) {
        let alt = alt.filter(|a| !a.is_empty());
        let caption = caption.filter(|c| !c.is_empty());
        let key = url.to_string();
        if let Some(&i) = self.index.get(&key) {
            let item = &mut self.items[i];
            item.featured |= featured;
            if item.alt.is_none() {
                item.alt = alt;
            }
            if item.caption.is_none() {
                item.caption = caption;
            }
            return;
        }
        self.index.insert(key.clone(), self.items.len());
        self.items.push(AssetRef {
            url: key,
            kind,
            alt,
            caption,
            featured,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::spec::{norm_host, HostPattern};
    use crate::record::{Body, Image};

    fn record() -> Record {
        Record {
            url: "https://www.site.org/en/news/1-a/".into(),
            canonical_url: "https://www.site.org/en/news/1-a/".into(),
            featured_image: Some("https://www.site.org/up/lead.jpg".into()),
            body: Body {
                html: concat!(
                    "<p>Text <a href=\"https://www.site.org/files/report.PDF#page=2\">the report</a> ",
                    "and <a href=\"https://www.site.org/en/other/\">a page</a>.</p>",
                    "<figure><img src=\"https://www.site.org/up/one.png\" alt=\"One\">",
                    "<figcaption>First</figcaption></figure>",
                    "<figure><img src=\"https://cdn.example.net/two.jpg\" alt=\"\"></figure>",
                    "<p><a href=\"https://elsewhere.org/x.zip\">zip</a> ",
                    "<a href=\"https://www.site.org/files/report.PDF\">again</a> ",
                    "<a href=\"https://www.site.org/scan.tif\">scan</a></p>",
                    "<figure><img src=\"https://www.site.org/up/lead.jpg\" alt=\"Lead\"></figure>"
                )
                .into(),
                ..Body::default()
            },
            images: vec![
                Image {
                    src: "https://www.site.org/up/one.png".into(),
                    alt: "One".into(),
                    caption: Some("First".into()),
                    media_id: None,
                },
                Image {
                    src: "https://cdn.example.net/two.jpg".into(),
                    alt: String::new(),
                    caption: None,
                    media_id: None,
                },
                Image {
                    src: "https://www.site.org/up/lead.jpg".into(),
                    alt: "Lead".into(),
                    caption: None,
                    media_id: None,
                },
                Image {
                    src: "https://www.site.org/up/not-shown.gif".into(),
                    alt: "Hidden".into(),
                    caption: None,
                    media_id: None,
                },
            ],
            ..Record::default()
        }
    }

    fn spec() -> MediaSpec {
        let mut types = crate::media::spec::default_types();
        types.retain(|t| t != "zip");
        MediaSpec {
            types,
            site_hosts: vec![norm_host("site.org")],
            ..MediaSpec::default()
        }
    }

    fn urls(a: &[AssetRef]) -> Vec<&str> {
        a.iter().map(|a| a.url.as_str()).collect()
    }

    #[test]
    fn references_in_reading_order_deduplicated() {
        let refs = references_of(&record(), &spec());
        assert_eq!(
            urls(&refs),
            [
                "https://www.site.org/up/lead.jpg",
                "https://www.site.org/files/report.PDF",
                "https://www.site.org/up/one.png",
                "https://cdn.example.net/two.jpg",
                "https://www.site.org/up/not-shown.gif",
            ],
            "a link to a type not in `types` (.tif, .zip here) is a link, not an asset"
        );
        let lead = &refs[0];
        assert!(lead.featured);
        assert_eq!(lead.alt.as_deref(), Some("Lead"), "alt from the body image");
        let pdf = &refs[1];
        assert_eq!(
            (pdf.kind, pdf.alt.as_deref()),
            (AssetKind::Document, Some("the report"))
        );
        assert_eq!(refs[2].caption.as_deref(), Some("First"));
        assert_eq!(refs[3].alt, None, "empty alt is none");
        assert_eq!(refs[4].kind, AssetKind::Image);
        // an image of a known type left out of `types` is referenced, not an asset
        let mut r = record();
        r.images[3].src = "https://www.site.org/up/scan.tif".into();
        let refs = references_of(&r, &spec());
        assert_eq!(
            refs.last().map(|a| a.url.as_str()),
            Some("https://www.site.org/up/scan.tif")
        );
        assert!(!urls(&assets_of(&r, &spec())).contains(&"https://www.site.org/up/scan.tif"));
    }

    #[test]
    fn assets_keep_the_sites_hosts_and_wanted_types() {
        let a = assets_of(&record(), &spec());
        assert_eq!(
            urls(&a),
            [
                "https://www.site.org/up/lead.jpg",
                "https://www.site.org/files/report.PDF",
                "https://www.site.org/up/one.png",
                "https://www.site.org/up/not-shown.gif",
            ]
        );
        let with_cdn = MediaSpec {
            hosts: vec![HostPattern::Subdomains("example.net".into())],
            ..spec()
        };
        assert!(urls(&assets_of(&record(), &with_cdn)).contains(&"https://cdn.example.net/two.jpg"));
        // the record's own host counts even when the spec names none
        let bare = MediaSpec::default();
        assert_eq!(assets_of(&record(), &bare).len(), 4);
    }

    #[test]
    fn relative_and_odd_urls_in_the_body() {
        let r = Record {
            url: "https://s.org/a/b/".into(),
            body: Body {
                html: "<p><a href=\"../doc.pdf\">d</a><a href=\"mailto:x@s.org\">m</a><img src=\"data:image/png;base64,AAAA\"><a>no href</a></p>".into(),
                ..Body::default()
            },
            ..Record::default()
        };
        assert_eq!(
            urls(&assets_of(&r, &MediaSpec::default())),
            ["https://s.org/a/doc.pdf"]
        );
        assert!(assets_of(&Record::default(), &MediaSpec::default()).is_empty());
    }
}
