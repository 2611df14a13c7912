//! The title: the article's visible heading, reconciled with what the page
//! says its title is (`og:title`, `twitter:title`, JSON-LD `headline`,
//! `<title>` without the site's name). A heading that agrees with one of
//! them is taken as shown (curly quotes, case); with no agreeing heading the
//! metadata title is taken, and the site suffix (`| Site`, `- Site`) cut.

use super::dom::Dom;
use super::meta::Meta;
use crate::extract::select::element_text;
use crate::text::alnum_key;

/// The title found and how.
#[derive(Debug, Clone)]
pub struct Found {
    /// The title text.
    pub text: String,
    /// The rule that chose it.
    pub rule: String,
    /// The heading element, when the title came from one.
    pub at: Option<u32>,
}

const SEPARATORS: &[&str] = &[
    " | ", " - ", " – ", " — ", " :: ", " · ", " » ", " « ", " / ", " ~ ",
];

/// `<title>` (or another metadata title) without the site's name around it.
pub fn strip_site(title: &str, site: Option<&str>) -> String {
    let t = title.trim();
    if let Some(site) = site.filter(|s| !s.trim().is_empty()) {
        let sk = alnum_key(site);
        for sep in SEPARATORS.iter().chain([&": "]) {
            if let Some(p) = t.rfind(sep) {
                if alnum_key(&t[p + sep.len()..]) == sk {
                    return t[..p].trim().to_string();
                }
            }
            if let Some(p) = t.find(sep) {
                if alnum_key(&t[..p]) == sk {
                    return t[p + sep.len()..].trim().to_string();
                }
            }
        }
    }
    for sep in SEPARATORS {
        if let Some(p) = t.rfind(sep) {
            let (head, tail) = (&t[..p], &t[p + sep.len()..]);
            let tail_words = tail.split_whitespace().count();
            if tail_words <= 4
                && tail.chars().count() <= 40
                && head.chars().count() > tail.chars().count()
            {
                return head.trim().to_string();
            }
        }
    }
    t.to_string()
}

/// How well a heading agrees with a metadata title: 3 same text, 2 one
/// starts with the other (a suffix or a shortened heading), 1 most words
/// shared, 0 not.
fn agreement(heading: &str, meta: &str) -> u8 {
    let (h, m) = (alnum_key(heading), alnum_key(meta));
    if h.is_empty() || m.is_empty() {
        return 0;
    }
    if h == m {
        return 3;
    }
    let (short, long) = if h.len() <= m.len() {
        (&h, &m)
    } else {
        (&m, &h)
    };
    if (long.starts_with(short.as_str()) || long.ends_with(short.as_str()))
        && short.len() * 2 >= long.len()
    {
        return 2;
    }
    let hw: Vec<String> = heading
        .split_whitespace()
        .map(alnum_key)
        .filter(|w| !w.is_empty())
        .collect();
    let mw: Vec<String> = meta
        .split_whitespace()
        .map(alnum_key)
        .filter(|w| !w.is_empty())
        .collect();
    if hw.len() >= 3 {
        let shared = hw.iter().filter(|w| mw.contains(w)).count();
        if shared * 5 >= hw.len() * 4 && shared * 5 >= mw.len() * 3 {
            return 1;
        }
    }
    0
}

/// Find the title. `body_at` is the body container, when one was found:
/// of agreeing headings the one nearest before it wins.
pub fn find(dom: &Dom<'_>, meta: &Meta, in_boiler: &[bool], body_at: Option<u32>) -> Option<Found> {
    let site = meta.tag("og:site_name");
    let mut metas: Vec<(&str, String)> = Vec::new();
    for key in ["og:title", "twitter:title"] {
        if let Some(t) = meta.tag(key) {
            metas.push((key, t.to_string()));
        }
    }
    if let Some(h) = meta.ld("headline") {
        metas.push(("JSON-LD headline", h));
    }
    if let Some(t) = &meta.title {
        metas.push(("<title>", strip_site(t, site)));
    }
    // headings: h1 first, then h2 (some themes give the logo the h1)
    let mut best: Option<(u8, u32, u32, String, &str, u32)> = None; // (agreement, level rank, distance, text, meta key, index)
    for (rank, tag) in ["h1", "h2"].iter().enumerate() {
        for i in 0..dom.nodes.len() as u32 {
            let e = dom.get(i);
            if e.tag != *tag || e.dead || e.text == 0 || e.text > 400 {
                continue;
            }
            let text = element_text(e.el, &Default::default());
            if text.is_empty() {
                continue;
            }
            let (mut agree, mut key): (u8, &str) = (0, "");
            for (k, m) in &metas {
                let a = agreement(&text, m);
                if a > agree {
                    agree = a;
                    key = k;
                }
            }
            if agree == 0 {
                continue;
            }
            // a heading inside navigation or a sidebar agrees less
            let agree = if in_boiler[i as usize] {
                agree.saturating_sub(1)
            } else {
                agree
            };
            if agree == 0 {
                continue;
            }
            let distance = match body_at {
                Some(b) if i <= b => b - i,
                Some(b) if dom.within(i, b) => i - b,
                Some(b) => (i - b).saturating_mul(4),
                None => i,
            };
            let cand = (agree, rank as u32, distance, text, key, i);
            let better = match &best {
                None => true,
                Some(b) => {
                    (cand.0, std::cmp::Reverse(cand.1), std::cmp::Reverse(cand.2))
                        > (b.0, std::cmp::Reverse(b.1), std::cmp::Reverse(b.2))
                }
            };
            if better {
                best = Some(cand);
            }
        }
        if best.is_some() {
            break;
        }
    }
    if let Some((_, rank, _, text, key, at)) = best {
        let tag = if rank == 0 { "h1" } else { "h2" };
        return Some(Found {
            text,
            rule: format!("{tag} (heading agreeing with {key})"),
            at: Some(at),
        });
    }
    // no heading agrees: the metadata title
    let (key, text) = metas.into_iter().next()?;
    let text = if key == "<title>" {
        text
    } else {
        strip_site(&text, site)
    };
    Some(Found {
        text,
        rule: format!("{key} (no heading agrees)"),
        at: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_the_site_name() {
        assert_eq!(
            strip_site("Big news today | Example Times", None),
            "Big news today"
        );
        assert_eq!(
            strip_site("Example Times - Big news today", Some("Example Times")),
            "Big news today"
        );
        assert_eq!(strip_site("A – B – Site", None), "A – B");
        // a separator inside the title is not a suffix when what follows is long
        assert_eq!(
            strip_site("Cats - why they rule the internet and our hearts", None),
            "Cats - why they rule the internet and our hearts"
        );
    }

    #[test]
    fn headings_agree_with_metadata() {
        assert_eq!(
            agreement(
                "Prison official: ‘Anyone’ could escape",
                "Prison official: 'Anyone' could escape"
            ),
            3
        );
        assert_eq!(agreement("Big news", "Big news | Site"), 2);
        assert_eq!(agreement("Menu", "Big news today"), 0);
    }
}
