//! The compiled `[media]` section ([`MediaSpec`]) and the vocabulary of
//! media types: which file extensions and content types are images,
//! documents, audio or video, and which hosts an asset may come from.
//!
//! A type is named by its file extension (`jpg`, `pdf`); an asset matches
//! `types` by the extension of its URL or, once fetched, by its declared
//! content type. The table here knows the usual content types of every
//! extension, so `image/jpeg` means `jpg`/`jpeg` whatever the URL says.

use url::Url;

use super::AssetKind;

/// Extensions known to be media, their kind and the content types servers
/// declare for them. The first [`DEFAULT_TYPES`] are the default `types`;
/// the rest are known (so a URL ending in `.tif` is recognised as media
/// that the profile did not ask for) but not fetched unless listed.
const TABLE: &[(&str, AssetKind, &[&str])] = &[
    (
        "jpg",
        AssetKind::Image,
        &["image/jpeg", "image/pjpeg", "image/jpg"],
    ),
    (
        "jpeg",
        AssetKind::Image,
        &["image/jpeg", "image/pjpeg", "image/jpg"],
    ),
    ("png", AssetKind::Image, &["image/png", "image/x-png"]),
    ("gif", AssetKind::Image, &["image/gif"]),
    ("webp", AssetKind::Image, &["image/webp"]),
    ("svg", AssetKind::Image, &["image/svg+xml"]),
    ("avif", AssetKind::Image, &["image/avif"]),
    (
        "pdf",
        AssetKind::Document,
        &["application/pdf", "application/x-pdf"],
    ),
    ("doc", AssetKind::Document, &["application/msword"]),
    (
        "docx",
        AssetKind::Document,
        &["application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
    ),
    ("xls", AssetKind::Document, &["application/vnd.ms-excel"]),
    (
        "xlsx",
        AssetKind::Document,
        &["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
    ),
    (
        "ppt",
        AssetKind::Document,
        &["application/vnd.ms-powerpoint"],
    ),
    (
        "pptx",
        AssetKind::Document,
        &["application/vnd.openxmlformats-officedocument.presentationml.presentation"],
    ),
    (
        "zip",
        AssetKind::Document,
        &[
            "application/zip",
            "application/x-zip-compressed",
            "application/x-zip",
        ],
    ),
    ("mp3", AssetKind::Audio, &["audio/mpeg", "audio/mp3"]),
    (
        "m4a",
        AssetKind::Audio,
        &["audio/mp4", "audio/x-m4a", "audio/m4a"],
    ),
    (
        "ogg",
        AssetKind::Audio,
        &["audio/ogg", "application/ogg", "audio/vorbis"],
    ),
    (
        "wav",
        AssetKind::Audio,
        &["audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"],
    ),
    ("mp4", AssetKind::Video, &["video/mp4"]),
    ("webm", AssetKind::Video, &["video/webm", "audio/webm"]),
    ("mov", AssetKind::Video, &["video/quicktime"]),
    // known, not in the defaults
    ("tif", AssetKind::Image, &["image/tiff"]),
    ("tiff", AssetKind::Image, &["image/tiff"]),
    ("bmp", AssetKind::Image, &["image/bmp", "image/x-ms-bmp"]),
    (
        "ico",
        AssetKind::Image,
        &["image/x-icon", "image/vnd.microsoft.icon"],
    ),
    (
        "odt",
        AssetKind::Document,
        &["application/vnd.oasis.opendocument.text"],
    ),
    ("rtf", AssetKind::Document, &["application/rtf", "text/rtf"]),
    ("flac", AssetKind::Audio, &["audio/flac", "audio/x-flac"]),
    ("avi", AssetKind::Video, &["video/x-msvideo"]),
    ("wmv", AssetKind::Video, &["video/x-ms-wmv"]),
    ("flv", AssetKind::Video, &["video/x-flv"]),
];

/// How many of [`TABLE`]'s first entries are the default `types`.
const DEFAULT_TYPES: usize = 22;

/// Default cap on one asset: 50 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 50 * 1024 * 1024;

/// The default `types`: images, documents, audio and video, by extension.
pub fn default_types() -> Vec<String> {
    TABLE[..DEFAULT_TYPES]
        .iter()
        .map(|(e, _, _)| e.to_string())
        .collect()
}

/// A host an asset may come from besides the site's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPattern {
    /// This host (compared without a leading `www.`).
    Exact(String),
    /// `*.example.com`: any host under `example.com` (not `example.com` itself).
    Subdomains(String),
}

impl HostPattern {
    /// Whether `host` (already in [`norm_host`] form) matches.
    fn matches(&self, host: &str) -> bool {
        match self {
            HostPattern::Exact(h) => h == host,
            HostPattern::Subdomains(parent) => host
                .strip_suffix(parent.as_str())
                .is_some_and(|rest| rest.ends_with('.') && rest.len() > 1),
        }
    }
}

/// A host as compared here: lowercased, without a trailing dot or a
/// leading `www.` (`www.example.org` and `example.org` are one site).
pub fn norm_host(host: &str) -> String {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    match h.strip_prefix("www.") {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => h,
    }
}

/// The compiled `[media]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaSpec {
    /// Fetch the assets of records during `crawl` and `run`.
    pub fetch: bool,
    /// Extensions (lowercase, no dot) of the media wanted.
    pub types: Vec<String>,
    /// Hosts allowed besides the site's own.
    pub hosts: Vec<HostPattern>,
    /// The site's own hosts, in [`norm_host`] form: the base URL's, the
    /// crawl's start URLs' and allowed hosts. A record's own host is
    /// always one too.
    pub site_hosts: Vec<String>,
    /// Cap on one asset, in bytes (as received and after content decoding).
    pub max_bytes: u64,
}

impl Default for MediaSpec {
    fn default() -> Self {
        MediaSpec {
            fetch: true,
            types: default_types(),
            hosts: Vec::new(),
            site_hosts: Vec::new(),
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// The extension of a URL's last path segment, lowercased (`None` without one).
pub fn url_extension(url: &Url) -> Option<String> {
    let last = url.path_segments()?.next_back()?;
    let (stem, ext) = last.rsplit_once('.')?;
    if stem.is_empty() || ext.is_empty() || ext.len() > 10 {
        return None;
    }
    let ext = ext.to_ascii_lowercase();
    ext.bytes()
        .all(|b| b.is_ascii_alphanumeric())
        .then_some(ext)
}

/// The media type of a `Content-Type` value: lowercased, without parameters.
fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// The kind of a known extension.
pub fn kind_of_extension(ext: &str) -> Option<AssetKind> {
    TABLE.iter().find(|(e, _, _)| *e == ext).map(|(_, k, _)| *k)
}

/// The kind of a content type (`image/png` → image, …), when it is known.
pub fn kind_of_content_type(content_type: &str) -> Option<AssetKind> {
    let m = media_type(content_type);
    if let Some((_, k, _)) = TABLE.iter().find(|(_, _, cts)| cts.contains(&m.as_str())) {
        return Some(*k);
    }
    match m.split('/').next() {
        Some("image") => Some(AssetKind::Image),
        Some("audio") => Some(AssetKind::Audio),
        Some("video") => Some(AssetKind::Video),
        _ => None,
    }
}

/// Whether a content type is a web page (never media).
pub fn is_page_type(content_type: &str) -> bool {
    matches!(
        media_type(content_type).as_str(),
        "text/html" | "application/xhtml+xml"
    )
}

impl MediaSpec {
    /// Whether `ext` is one of the wanted types.
    pub fn wants_extension(&self, ext: &str) -> bool {
        self.types.iter().any(|t| t == ext)
    }

    /// Whether the URL's extension is one of the wanted types.
    pub fn wants_url(&self, url: &Url) -> bool {
        url_extension(url).is_some_and(|e| self.wants_extension(&e))
    }

    /// Whether the URL's extension is a known media type the profile did
    /// not ask for (`.tif` when `types` has no `tif`): such an asset is
    /// not fetched. URLs without an extension, or with one that is not
    /// media (`.php`), are decided by their content type once fetched.
    pub fn unwanted_extension(&self, url: &Url) -> Option<String> {
        let ext = url_extension(url)?;
        (kind_of_extension(&ext).is_some() && !self.wants_extension(&ext)).then_some(ext)
    }

    /// Whether a declared content type is one of the wanted types.
    pub fn wants_content_type(&self, content_type: &str) -> bool {
        let m = media_type(content_type);
        TABLE
            .iter()
            .filter(|(_, _, cts)| cts.contains(&m.as_str()))
            .any(|(e, _, _)| self.wants_extension(e))
    }

    /// Whether a fetched response is wanted media: not a web page, and
    /// either URL (the one asked for, the one that answered) has a wanted
    /// extension, or the declared content type is a wanted type.
    pub fn accepts(&self, asked: &Url, answered: &Url, content_type: Option<&str>) -> bool {
        if content_type.is_some_and(is_page_type) {
            return false;
        }
        self.wants_url(asked)
            || self.wants_url(answered)
            || content_type.is_some_and(|c| self.wants_content_type(c))
    }

    /// Whether an asset at `url` may be taken: its host is one of the
    /// site's (`own` adds the hosts of the page it is on) or of `hosts`.
    pub fn host_allowed(&self, url: &Url, own: &[&str]) -> bool {
        if !matches!(url.scheme(), "http" | "https") {
            return false;
        }
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = norm_host(host);
        own.iter().any(|o| norm_host(o) == host)
            || self.site_hosts.contains(&host)
            || self.hosts.iter().any(|p| p.matches(&host))
    }

    /// The kind of an asset at `url`, from its extension (documents for an
    /// extension of `types` the table does not know).
    pub fn kind_of_url(&self, url: &Url) -> Option<AssetKind> {
        let ext = url_extension(url)?;
        kind_of_extension(&ext)
            .or_else(|| self.wants_extension(&ext).then_some(AssetKind::Document))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).expect("test URL")
    }

    #[test]
    fn defaults_are_the_documented_types() {
        assert_eq!(
            default_types().join(" "),
            "jpg jpeg png gif webp svg avif pdf doc docx xls xlsx ppt pptx zip mp3 m4a ogg wav mp4 webm mov"
        );
        let s = MediaSpec::default();
        assert!(s.fetch);
        assert_eq!(s.max_bytes, 50 << 20);
    }

    #[test]
    fn extensions_of_urls() {
        assert_eq!(
            url_extension(&u("https://a.b/x/Photo.JPG?w=3")).as_deref(),
            Some("jpg")
        );
        assert_eq!(url_extension(&u("https://a.b/x/")), None);
        assert_eq!(url_extension(&u("https://a.b/x/.htaccess")), None);
        assert_eq!(
            url_extension(&u("https://a.b/index.php?id=3")).as_deref(),
            Some("php")
        );
        assert_eq!(url_extension(&u("https://a.b/a.b%20c")), None);
    }

    #[test]
    fn acceptance_by_extension_or_content_type_never_html() {
        let s = MediaSpec::default();
        let jpg = u("https://a.b/p.jpg");
        let php = u("https://a.b/image.php?id=3");
        assert!(s.accepts(&jpg, &jpg, Some("application/octet-stream")));
        assert!(s.accepts(&php, &php, Some("image/png; charset=binary")));
        assert!(!s.accepts(&php, &php, Some("application/octet-stream")));
        assert!(!s.accepts(&jpg, &jpg, Some("text/html; charset=utf-8")));
        assert!(s.accepts(&jpg, &php, None));
        let only_png = MediaSpec {
            types: vec!["png".into()],
            ..MediaSpec::default()
        };
        assert!(!only_png.accepts(&php, &php, Some("image/jpeg")));
        assert_eq!(only_png.unwanted_extension(&jpg).as_deref(), Some("jpg"));
        assert_eq!(only_png.unwanted_extension(&php), None);
        assert_eq!(
            s.unwanted_extension(&u("https://a.b/scan.TIFF")).as_deref(),
            Some("tiff")
        );
    }

    #[test]
    fn hosts_site_www_and_wildcards() {
        let s = MediaSpec {
            site_hosts: vec![norm_host("www.iranfocus.com")],
            hosts: vec![
                HostPattern::Exact(norm_host("uploads.example.org")),
                HostPattern::Subdomains("cdn.net".into()),
            ],
            ..MediaSpec::default()
        };
        assert!(s.host_allowed(&u("https://iranfocus.com/a.jpg"), &[]));
        assert!(s.host_allowed(&u("http://WWW.IRANFOCUS.COM./a.jpg"), &[]));
        assert!(s.host_allowed(&u("https://uploads.example.org/a.jpg"), &[]));
        assert!(s.host_allowed(&u("https://a.b.cdn.net/a.jpg"), &[]));
        assert!(!s.host_allowed(&u("https://cdn.net/a.jpg"), &[]));
        assert!(!s.host_allowed(&u("https://evilcdn.net/a.jpg"), &[]));
        assert!(!s.host_allowed(&u("https://other.org/a.jpg"), &[]));
        assert!(s.host_allowed(&u("https://other.org/a.jpg"), &["other.org"]));
        assert!(!s.host_allowed(&u("ftp://iranfocus.com/a.jpg"), &[]));
    }

    #[test]
    fn kinds() {
        assert_eq!(kind_of_content_type("image/x-foo"), Some(AssetKind::Image));
        assert_eq!(
            kind_of_content_type("application/PDF"),
            Some(AssetKind::Document)
        );
        assert_eq!(kind_of_content_type("text/plain"), None);
        let s = MediaSpec {
            types: vec!["epub".into()],
            ..MediaSpec::default()
        };
        assert_eq!(
            s.kind_of_url(&u("https://a.b/book.epub")),
            Some(AssetKind::Document)
        );
        assert_eq!(
            s.kind_of_url(&u("https://a.b/song.mp3")),
            Some(AssetKind::Audio)
        );
        assert_eq!(s.kind_of_url(&u("https://a.b/page.html")), None);
    }
}
