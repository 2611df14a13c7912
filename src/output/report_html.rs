//! `report.html`: the run report as one self-contained page an operator
//! opens in a browser. Everything is in the file (styles inline, the chart
//! an inline SVG, no script), and its Content-Security-Policy forbids
//! loading anything else, so it reads the same offline and the legacy
//! site's URLs it shows cannot make it fetch a thing. The page is made
//! from the [`Report`] alone, so it says exactly what `report.json` says.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::report::{KindCount, Report};
use crate::text::escape_html;

const STYLE: &str = "
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d2329}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
.sub{color:#57606a;margin-top:0}
.cards{display:flex;flex-wrap:wrap;gap:.6rem}
.card{border:1px solid #d0d7de;border-radius:6px;padding:.5rem .9rem;min-width:7rem}
.card b{display:block;font-size:1.5rem}
.bad b{color:#b42318} .ok b{color:#1a7f37}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eaeef2;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.bar{background:#eaeef2;height:.7rem;min-width:8rem;border-radius:3px}
.bar i{display:block;height:100%;background:#0969da;border-radius:3px}
code{font-size:.85em;background:#f6f8fa;padding:0 .2rem;word-break:break-all}
a{color:#0969da;word-break:break-all} .none{color:#57606a}
svg text{font:11px system-ui,sans-serif;fill:#1d2329}
";

/// The whole page.
pub fn render(report: &Report) -> String {
    let mut h = Page(String::with_capacity(16 * 1024));
    h.head(report);
    h.summary(report);
    h.pages(report);
    h.templates(report);
    h.years(report);
    h.fields(report);
    h.kinds("Warnings by kind", "warnings", &report.warnings);
    h.kinds("Failures by kind", "errors", &report.errors);
    h.url_list("Pages no template matched", "unmatched", &report.unmatched);
    h.package(report);
    h.0.push_str("</body>\n</html>\n");
    h.0
}

/// The page being written.
struct Page(String);

impl Page {
    fn text(&mut self, s: &str) {
        escape_html(s, &mut self.0);
    }

    fn raw(&mut self, s: &str) {
        self.0.push_str(s);
    }

    /// A link to `url` when it is a web address, else the text.
    fn url(&mut self, url: &str) {
        if url.starts_with("http://") || url.starts_with("https://") {
            self.raw("<a href=\"");
            self.text(url);
            self.raw("\">");
            self.text(url);
            self.raw("</a>");
        } else {
            self.raw("<code>");
            self.text(url);
            self.raw("</code>");
        }
    }

    fn head(&mut self, r: &Report) {
        self.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        self.raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n");
        self.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>sitelift report: ");
        self.text(&r.site);
        self.raw("</title>\n<style>");
        self.raw(STYLE);
        self.raw("</style>\n</head>\n<body>\n<h1>Run report: ");
        self.text(&r.site);
        self.raw("</h1>\n<p class=\"sub\">outcome: <b id=\"outcome\">");
        self.text(&r.outcome);
        let _ = writeln!(
            self.0,
            "</b> · written by sitelift {} · the same numbers as <code>report.json</code></p>",
            env!("CARGO_PKG_VERSION")
        );
    }

    fn card(&mut self, id: &str, label: &str, n: u64, bad: bool) {
        let class = match (bad, n) {
            (true, 0) => "card ok",
            (true, _) => "card bad",
            _ => "card",
        };
        let _ = writeln!(
            self.0,
            "<div class=\"{class}\"><b id=\"count-{id}\">{n}</b>{label}</div>"
        );
    }

    fn summary(&mut self, r: &Report) {
        let e = &r.extraction;
        self.raw("<h2 id=\"summary\">Pages extracted</h2>\n<div class=\"cards\">\n");
        self.card("pages", "pages", e.pages, false);
        self.card("records", "records", e.records, false);
        self.card("merged", "merged (same legacy id)", e.merged, false);
        self.card("listings", "listings (not emitted)", e.not_emitted, false);
        self.card("unmatched", "unmatched", e.unmatched, true);
        self.card("failed", "failed", e.failed, true);
        self.raw("</div>\n");
    }

    /// A table of `(label, count)` rows with bars scaled to the largest.
    fn counts(&mut self, id: &str, head: &str, rows: impl IntoIterator<Item = (String, u64)>) {
        let rows: Vec<(String, u64)> = rows.into_iter().collect();
        if rows.is_empty() {
            self.raw("<p class=\"none\">none</p>\n");
            return;
        }
        let max = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1);
        let _ = writeln!(
            self.0,
            "<table id=\"{id}\"><tr><th>{head}</th><th>count</th><th></th></tr>"
        );
        for (label, n) in rows {
            self.raw("<tr><td>");
            self.text(&label);
            let pct = n * 100 / max;
            let _ = writeln!(
                self.0,
                "</td><td class=\"n\">{n}</td><td><div class=\"bar\"><i style=\"width:{pct}%\"></i></div></td></tr>"
            );
        }
        self.raw("</table>\n");
    }

    fn pages(&mut self, r: &Report) {
        self.raw("<h2>URLs of the crawl, by status and reason</h2>\n");
        let Some(p) = &r.pages else {
            self.raw("<p class=\"none\">not a crawl store: no ledger counts</p>\n");
            return;
        };
        let _ = writeln!(
            self.0,
            "<p>The ledger knows <b id=\"count-urls\">{}</b> URLs.</p>",
            p.total
        );
        let rows = p.by_status.iter().flat_map(|(status, reasons)| {
            reasons.iter().map(move |(reason, n)| {
                let label = match reason.as_str() {
                    "" => status.clone(),
                    _ => format!("{status} {reason}"),
                };
                (label, *n)
            })
        });
        self.counts("by-status", "status", rows);
    }

    fn templates(&mut self, r: &Report) {
        self.raw("<h2>Records by template</h2>\n");
        let rows = r.records_by_template.iter().map(|(k, v)| (k.clone(), *v));
        self.counts("by-template", "template", rows);
        if !r.listings_by_template.is_empty() {
            self.raw("<h2>Listing pages by template</h2>\n");
            let rows = r.listings_by_template.iter().map(|(k, v)| (k.clone(), *v));
            self.counts("listings-by-template", "template", rows);
        }
    }

    fn years(&mut self, r: &Report) {
        self.raw("<h2>Records by published year</h2>\n");
        if r.records_by_year.is_empty() {
            self.raw("<p class=\"none\">no records</p>\n");
            return;
        }
        self.raw(&year_chart(&r.records_by_year));
    }

    fn fields(&mut self, r: &Report) {
        self.raw("<h2>Field coverage</h2>\n<table id=\"fields\"><tr><th>field</th><th>records</th><th></th><th>selectors that gave it</th></tr>\n");
        let total = r.extraction.records.max(1);
        for (name, cov) in &r.fields {
            self.raw("<tr><td><code>");
            self.text(name);
            let pct = cov.records * 100 / total;
            let _ = write!(
                self.0,
                "</code></td><td class=\"n\">{} / {}</td><td><div class=\"bar\"><i style=\"width:{pct}%\"></i></div></td><td>",
                cov.records, r.extraction.records
            );
            if cov.selectors.is_empty() {
                self.raw("<span class=\"none\">never found</span>");
            }
            for (sel, n) in &cov.selectors {
                self.raw("<code>");
                self.text(sel);
                let _ = write!(self.0, "</code> {n}<br>");
            }
            self.raw("</td></tr>\n");
        }
        self.raw("</table>\n");
    }

    fn kinds(&mut self, title: &str, id: &str, kinds: &BTreeMap<String, KindCount>) {
        let _ = writeln!(self.0, "<h2>{title}</h2>");
        if kinds.is_empty() {
            self.raw("<p class=\"none\">none</p>\n");
            return;
        }
        let _ = writeln!(
            self.0,
            "<table id=\"{id}\"><tr><th>kind</th><th>count</th><th>examples</th></tr>"
        );
        for (kind, k) in kinds {
            self.raw("<tr><td><code>");
            self.text(kind);
            let _ = write!(self.0, "</code></td><td class=\"n\">{}</td><td>", k.count);
            for ex in &k.examples {
                self.url(&ex.url);
                self.raw("<br><span class=\"none\">");
                self.text(&ex.message);
                self.raw("</span><br>");
            }
            self.raw("</td></tr>\n");
        }
        self.raw("</table>\n");
    }

    fn url_list(&mut self, title: &str, id: &str, urls: &[String]) {
        let _ = writeln!(self.0, "<h2>{title}</h2>");
        if urls.is_empty() {
            self.raw("<p class=\"none\">none</p>\n");
            return;
        }
        let _ = writeln!(self.0, "<ul id=\"{id}\">");
        for u in urls {
            self.raw("<li>");
            self.url(u);
            self.raw("</li>\n");
        }
        self.raw("</ul>\n");
    }

    fn package(&mut self, r: &Report) {
        self.raw("<h2>The package</h2>\n<table id=\"package\">\n");
        let rows: [(&str, &str, u64); 8] = [
            ("media", "media assets (distinct)", r.media.assets),
            ("media-missing", "media references missing", r.media.missing),
            ("terms", "terms", r.terms as u64),
            ("authors", "authors", r.authors as u64),
            (
                "broken-links",
                "broken internal links",
                r.broken_links.count,
            ),
            (
                "collisions",
                "path collisions",
                r.path_collisions.len() as u64,
            ),
            (
                "conflicts",
                "redirect conflicts",
                r.redirect_conflicts.len() as u64,
            ),
            (
                "unmapped-listings",
                "listings with no section",
                r.unmapped_listings.len() as u64,
            ),
        ];
        for (id, label, n) in rows {
            let _ = writeln!(
                self.0,
                "<tr><td>{label}</td><td class=\"n\" id=\"count-{id}\">{n}</td></tr>"
            );
        }
        self.raw("</table>\n");
        if !r.broken_links.examples.is_empty() {
            self.raw("<table id=\"broken\"><tr><th>record</th><th>link</th><th>why</th></tr>\n");
            for l in &r.broken_links.examples {
                self.raw("<tr><td>");
                self.url(&l.record_url);
                self.raw("</td><td>");
                self.url(&l.target);
                self.raw("</td><td>");
                self.text(&l.why);
                self.raw("</td></tr>\n");
            }
            self.raw("</table>\n");
        }
    }
}

/// Years spanned beyond which the chart shows only years with records.
const MAX_SPAN: u32 = 80;

/// Records per year as an SVG bar chart: one bar per year from the first
/// to the last (years without records show as gaps; only years with
/// records when they span more than [`MAX_SPAN`]), `unknown` last.
fn year_chart(by_year: &BTreeMap<String, u64>) -> String {
    let known: Vec<(u32, u64)> = by_year
        .iter()
        .filter_map(|(y, n)| y.parse::<u32>().ok().map(|y| (y, *n)))
        .collect();
    let mut bars: Vec<(String, u64)> = match (known.first(), known.last()) {
        (Some(&(first, _)), Some(&(last, _))) if last - first > MAX_SPAN => {
            known.iter().map(|(y, n)| (y.to_string(), *n)).collect()
        }
        (Some(&(first, _)), Some(&(last, _))) => (first..=last)
            .map(|y| {
                let n = by_year.get(&y.to_string()).copied().unwrap_or(0);
                (y.to_string(), n)
            })
            .collect(),
        _ => Vec::new(),
    };
    if let Some(n) = by_year.get("unknown") {
        bars.push(("unknown".into(), *n));
    }
    let max = bars.iter().map(|b| b.1).max().unwrap_or(1).max(1);
    let (bar_w, gap, height, top, bottom) = (28u64, 6u64, 160u64, 16u64, 20u64);
    let width = bars.len() as u64 * (bar_w + gap) + gap;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg id=\"years\" role=\"img\" aria-label=\"records by published year\" width=\"{width}\" height=\"{}\" viewBox=\"0 0 {width} {}\">",
        height + top + bottom,
        height + top + bottom
    );
    for (i, (label, n)) in bars.iter().enumerate() {
        let x = gap + i as u64 * (bar_w + gap);
        let h = n * height / max;
        let y = top + height - h;
        let mut l = String::new();
        escape_html(label, &mut l);
        let _ = writeln!(
            svg,
            "<g data-year=\"{l}\" data-records=\"{n}\"><title>{l}: {n} records</title>\
             <rect x=\"{x}\" y=\"{y}\" width=\"{bar_w}\" height=\"{h}\" fill=\"#0969da\"></rect>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{n}</text>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{l}</text></g>",
            x + bar_w / 2,
            y.saturating_sub(3).max(10),
            x + bar_w / 2,
            top + height + 14
        );
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::report::{Example, ExtractionCounts};

    fn report() -> Report {
        let mut r = Report {
            outcome: "complete".into(),
            site: "Site <&>".into(),
            extraction: ExtractionCounts {
                pages: 5,
                records: 3,
                unmatched: 1,
                ..Default::default()
            },
            ..Default::default()
        };
        r.records_by_year.insert("2004".into(), 1);
        r.records_by_year.insert("2006".into(), 2);
        r.warnings.insert(
            "empty_field".into(),
            KindCount {
                count: 1,
                examples: vec![Example {
                    url: "https://old.example/a?x=1&y=<2>".into(),
                    message: "field `authors` found nothing".into(),
                }],
            },
        );
        r.unmatched.push("javascript:alert(1)".into());
        r
    }

    #[test]
    fn escapes_what_the_legacy_site_gave_and_links_only_web_addresses() {
        let html = render(&report());
        assert!(html.contains("Site &lt;&amp;&gt;"));
        assert!(html.contains("href=\"https://old.example/a?x=1&amp;y=&lt;2&gt;\""));
        assert!(!html.contains("href=\"javascript:"));
        assert!(html.contains("<code>javascript:alert(1)</code>"));
        assert!(!html.contains("<script"));
    }

    #[test]
    fn the_year_chart_has_a_bar_per_year_gaps_included() {
        let html = render(&report());
        assert!(html.contains("data-year=\"2004\" data-records=\"1\""));
        assert!(html.contains("data-year=\"2005\" data-records=\"0\""));
        assert!(html.contains("data-year=\"2006\" data-records=\"2\""));
        assert!(html.contains("id=\"count-records\">3<"));
        assert!(html.contains("id=\"count-unmatched\">1<"));
    }

    #[test]
    fn the_same_report_gives_the_same_bytes() {
        assert_eq!(render(&report()), render(&report()));
    }
}
