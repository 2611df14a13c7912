//! Sitemap parsing: the cheapest way to seed a crawl with every article.
//!
//! Legacy sites often publish `sitemap.xml` (a `<urlset>`) or a sitemap index
//! (`<sitemapindex>`) pointing to more sitemaps, frequently gzipped
//! (`.xml.gz`). This module turns the bytes of one such file into URL strings;
//! fetching, scope and canonicalisation stay with the frontier. Sitemaps come
//! from the network, so sizes are capped (including after decompression) and
//! every oddity is an error value, never a panic.

use std::io::Read;

use quick_xml::events::Event;
use quick_xml::Reader;

/// The content of one sitemap file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sitemap {
    /// Page URLs (`<urlset><url><loc>`), with `<lastmod>` when given, in file order.
    pub urls: Vec<(String, Option<String>)>,
    /// Child sitemap URLs (`<sitemapindex><sitemap><loc>`), in file order.
    pub sitemaps: Vec<String>,
}

/// Why a sitemap could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SitemapError {
    /// The file (after decompression) is larger than the cap.
    #[error("sitemap is larger than {limit} bytes{}", if *.decompressed { " after decompression" } else { "" })]
    TooLarge {
        /// The cap in bytes.
        limit: usize,
        /// Whether the cap was hit while decompressing.
        decompressed: bool,
    },
    /// The gzip stream is broken.
    #[error("sitemap gzip stream is broken")]
    Gzip {
        /// The decoder error.
        source: std::io::Error,
    },
    /// The XML is malformed.
    #[error("sitemap XML is malformed at byte {position}: {message}")]
    Xml {
        /// Byte offset in the (decompressed) document.
        position: u64,
        /// The parser's message.
        message: String,
    },
    /// The root element is neither `urlset` nor `sitemapindex`.
    #[error("not a sitemap: root element is {root:?}")]
    NotASitemap {
        /// The local name of the root element (empty when there is none).
        root: String,
    },
}

/// Parse one sitemap (`<urlset>`, `<sitemapindex>`, or a plain-text list of
/// URLs, one per line), gzipped or not (detected by the gzip magic bytes, so
/// both `.xml.gz` files and transparently decoded responses work). At most
/// `max_bytes` are read, before and after decompression. Namespace prefixes
/// are ignored, text is trimmed, CDATA and entities are decoded, entries
/// without `<loc>` are skipped.
pub fn parse_sitemap(bytes: &[u8], max_bytes: usize) -> Result<Sitemap, SitemapError> {
    let data;
    let xml: &[u8] = if bytes.starts_with(&[0x1f, 0x8b]) {
        data = gunzip_capped(bytes, max_bytes)?;
        &data
    } else if bytes.len() > max_bytes {
        return Err(SitemapError::TooLarge {
            limit: max_bytes,
            decompressed: false,
        });
    } else {
        bytes
    };
    let xml = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
    match xml.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'<') => parse_xml(xml),
        Some(_) => Ok(parse_text(xml)),
        None => Err(SitemapError::NotASitemap {
            root: String::new(),
        }),
    }
}

fn gunzip_capped(bytes: &[u8], max_bytes: usize) -> Result<Vec<u8>, SitemapError> {
    let limit = u64::try_from(max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|source| SitemapError::Gzip { source })?;
    if out.len() > max_bytes {
        return Err(SitemapError::TooLarge {
            limit: max_bytes,
            decompressed: true,
        });
    }
    Ok(out)
}

/// A plain-text sitemap: every line that is an http(s) URL.
fn parse_text(text: &[u8]) -> Sitemap {
    let text = String::from_utf8_lossy(text);
    let urls = text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("http://") || l.starts_with("https://"))
        .map(|l| (l.to_string(), None))
        .collect();
    Sitemap {
        urls,
        sitemaps: Vec::new(),
    }
}

/// Which text field is being collected.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Loc,
    Lastmod,
}

/// Where the XML walk is: below the root, which entry and field.
#[derive(Default)]
struct Walk {
    out: Sitemap,
    root: Option<String>,
    /// Path of local element names below the root.
    stack: Vec<String>,
    loc: Option<String>,
    lastmod: Option<String>,
    field: Option<Field>,
    text: String,
}

fn is_root(name: &str) -> bool {
    name == "urlset" || name == "sitemapindex"
}

impl Walk {
    /// An element opens.
    fn start(&mut self, name: String) -> Result<(), SitemapError> {
        if self.root.is_none() {
            if !is_root(&name) {
                return Err(SitemapError::NotASitemap { root: name });
            }
            self.root = Some(name);
            return Ok(());
        }
        if self.stack.len() == 1 && (name == "loc" || name == "lastmod") {
            self.field = Some(match name.as_str() {
                "loc" => Field::Loc,
                _ => Field::Lastmod,
            });
            self.text.clear();
        }
        if self.stack.is_empty() {
            self.loc = None;
            self.lastmod = None;
        }
        self.stack.push(name);
        Ok(())
    }

    /// An element closes; true when it was the root (the sitemap is done).
    fn end(&mut self) -> bool {
        if self.stack.len() == 2 {
            if let Some(f) = self.field.take() {
                let value = self.text.trim().to_string();
                if !value.is_empty() {
                    match f {
                        Field::Loc => self.loc = Some(value),
                        Field::Lastmod => self.lastmod = Some(value),
                    }
                }
            }
        }
        if self.stack.len() == 1 {
            let entry = self.stack.last().map(String::as_str).unwrap_or("");
            if let Some(l) = self.loc.take() {
                match (self.root.as_deref(), entry) {
                    (Some("urlset"), "url") => self.out.urls.push((l, self.lastmod.take())),
                    (Some("sitemapindex"), "sitemap") => self.out.sitemaps.push(l),
                    _ => {}
                }
            }
            self.lastmod = None;
        }
        // the root element closed: anything after it is ignored
        self.stack.pop().is_none()
    }
}

fn parse_xml(xml: &[u8]) -> Result<Sitemap, SitemapError> {
    let mut reader = Reader::from_reader(xml);
    let mut w = Walk::default();
    let xml_err = |reader: &Reader<&[u8]>, e: &dyn std::fmt::Display| SitemapError::Xml {
        position: reader.error_position(),
        message: e.to_string(),
    };
    let local = |name: quick_xml::name::LocalName<'_>| {
        String::from_utf8_lossy(name.as_ref()).to_ascii_lowercase()
    };
    loop {
        let event = reader.read_event().map_err(|e| xml_err(&reader, &e))?;
        match event {
            Event::Start(e) => w.start(local(e.local_name()))?,
            Event::Empty(e) if w.root.is_none() => {
                // `<urlset/>`: an empty sitemap.
                let name = local(e.local_name());
                if !is_root(&name) {
                    return Err(SitemapError::NotASitemap { root: name });
                }
                return Ok(w.out);
            }
            Event::End(_) if w.end() => return Ok(w.out),
            Event::Text(t) if w.field.is_some() => {
                let s = t.xml_content().map_err(|e| xml_err(&reader, &e))?;
                w.text.push_str(&s);
            }
            Event::CData(t) if w.field.is_some() => {
                let s = t.xml_content().map_err(|e| xml_err(&reader, &e))?;
                w.text.push_str(&s);
            }
            Event::GeneralRef(r) if w.field.is_some() => {
                if let Some(c) = r.resolve_char_ref().map_err(|e| xml_err(&reader, &e))? {
                    w.text.push(c);
                } else {
                    let name = r.decode().map_err(|e| xml_err(&reader, &e))?;
                    match quick_xml::escape::resolve_xml_entity(&name) {
                        Some(v) => w.text.push_str(v),
                        None => return Err(xml_err(&reader, &format!("unknown entity &{name};"))),
                    }
                }
            }
            Event::Eof => {
                return match w.root {
                    // A truncated sitemap still gives what it had.
                    Some(_) => Ok(w.out),
                    None => Err(SitemapError::NotASitemap {
                        root: String::new(),
                    }),
                };
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    const URLSET: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="//www.iranfocus.com/sitemap.xsl"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>
      https://www.iranfocus.com/en/iran-and-its-neighbours/iraq/7198-iran-says/
    </loc>
    <lastmod>2006-05-14T09:12:00+00:00</lastmod>
    <image:image><image:loc>https://www.iranfocus.com/wp-content/uploads/x.jpg</image:loc></image:image>
  </url>
  <url><loc><![CDATA[https://www.iranfocus.com/en/index.php?option=com_content&task=view&id=7190]]></loc></url>
  <url><loc>https://www.iranfocus.com/en/index.php?option=com_content&amp;task=view&#38;id=7191</loc></url>
  <url><lastmod>2020-01-01</lastmod></url>
</urlset>"#;

    #[test]
    fn urlset_with_namespaces_whitespace_cdata_and_entities() {
        let s = parse_sitemap(URLSET.as_bytes(), 1 << 20).unwrap();
        assert_eq!(
            s.urls,
            vec![
                (
                    "https://www.iranfocus.com/en/iran-and-its-neighbours/iraq/7198-iran-says/"
                        .to_string(),
                    Some("2006-05-14T09:12:00+00:00".to_string())
                ),
                (
                    "https://www.iranfocus.com/en/index.php?option=com_content&task=view&id=7190"
                        .to_string(),
                    None
                ),
                (
                    "https://www.iranfocus.com/en/index.php?option=com_content&task=view&id=7191"
                        .to_string(),
                    None
                ),
            ]
        );
        assert!(s.sitemaps.is_empty());
    }

    #[test]
    fn prefixed_sitemap_index_gzipped() {
        let xml = r#"<sm:sitemapindex xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">
            <sm:sitemap><sm:loc>https://h.org/sitemap-articles.xml.gz</sm:loc><sm:lastmod>2020</sm:lastmod></sm:sitemap>
            <sm:sitemap><sm:loc>https://h.org/sitemap-pages.xml</sm:loc></sm:sitemap>
        </sm:sitemapindex>"#;
        let s = parse_sitemap(&gzip(xml.as_bytes()), 1 << 20).unwrap();
        assert_eq!(
            s.sitemaps,
            vec![
                "https://h.org/sitemap-articles.xml.gz",
                "https://h.org/sitemap-pages.xml"
            ]
        );
        assert!(s.urls.is_empty());
    }

    #[test]
    fn size_caps_apply_before_and_after_decompression() {
        let big = format!("<urlset>{}</urlset>", " ".repeat(10_000));
        let e = parse_sitemap(big.as_bytes(), 1000).unwrap_err();
        assert!(
            matches!(
                e,
                SitemapError::TooLarge {
                    decompressed: false,
                    ..
                }
            ),
            "{e}"
        );
        // Small compressed, large decompressed: a gzip bomb in miniature.
        let e = parse_sitemap(&gzip(big.as_bytes()), 1000).unwrap_err();
        assert!(
            matches!(
                e,
                SitemapError::TooLarge {
                    decompressed: true,
                    ..
                }
            ),
            "{e}"
        );
        assert!(parse_sitemap(&gzip(big.as_bytes()), 20_000).is_ok());
    }

    #[test]
    fn broken_inputs_are_errors_not_panics() {
        let e = parse_sitemap(b"<html><body>404</body></html>", 1000).unwrap_err();
        assert_eq!(e.to_string(), "not a sitemap: root element is \"html\"");
        let e = parse_sitemap(b"<urlset><url><loc>x</lo></url></urlset>", 1000).unwrap_err();
        assert!(matches!(e, SitemapError::Xml { .. }), "{e}");
        let e = parse_sitemap(&[0x1f, 0x8b, 0x08, 0x00, 0x01], 1000).unwrap_err();
        assert!(matches!(e, SitemapError::Gzip { .. }), "{e}");
        assert!(matches!(
            parse_sitemap(b"  ", 1000),
            Err(SitemapError::NotASitemap { .. })
        ));
    }

    #[test]
    fn truncated_and_text_sitemaps() {
        let s = parse_sitemap(
            b"<urlset><url><loc>https://h.org/a</loc></url><url><loc>https://h.o",
            1000,
        )
        .unwrap();
        assert_eq!(s.urls, vec![("https://h.org/a".to_string(), None)]);
        let s = parse_sitemap(
            b"\xEF\xBB\xBFhttps://h.org/a\r\n\r\nnot a url\nhttp://h.org/b\n",
            1000,
        )
        .unwrap();
        let urls: Vec<&str> = s.urls.iter().map(|(u, _)| u.as_str()).collect();
        assert_eq!(urls, vec!["https://h.org/a", "http://h.org/b"]);
    }
}
