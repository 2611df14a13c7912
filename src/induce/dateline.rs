//! The dateline at the start of an article's text ("Tehran, Iran, May
//! 14 – "), with the source some pages put before it: a pattern for the
//! profile, read from the first paragraphs of the samples.

use std::collections::BTreeMap;

/// A dateline at the start of the bodies ("Tehran, Iran, May 14 – "), with
/// the source line some pages put before it ("Iran Focus"): the pattern, when
/// it is on at least a third of the samples.
pub(super) fn plan_dateline(m: &[Vec<String>]) -> Option<(String, usize)> {
    let mut firsts: BTreeMap<&str, usize> = BTreeMap::new();
    for ps in m {
        if let Some(f) = ps.first() {
            if f.chars().count() <= 40 && ps.len() > 1 {
                *firsts.entry(f.trim_end_matches([':', ' '])).or_default() += 1;
            }
        }
    }
    let source = firsts
        .into_iter()
        .filter(|(f, n)| *n >= 2 && !f.contains(['\\', '\'']))
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(f, _)| regex::escape(f));
    let source = match source {
        Some(s) => format!(r"(?:(?P<source>{s})\s*:?\s*)?"),
        None => String::new(),
    };
    let pattern = format!(
        r"^{source}(?P<place>\p{{Lu}}[^,\n:]{{1,40}}(?:,\s*\p{{Lu}}[^,\n:]{{1,30}})?),\s*(?P<date>\p{{Lu}}\p{{Ll}}{{2,8}}\.?\s+\d{{1,2}}|\d{{1,2}}\.?\s+\p{{Lu}}\p{{Ll}}{{2,8}}\.?)\s*[-–—]+\s*"
    );
    let re = regex::Regex::new(&pattern).ok()?;
    let n = m.iter().filter(|ps| re.is_match(&ps.join("\n"))).count();
    (n > 0 && n * 3 >= m.len()).then_some((pattern, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paras(v: &[&[&str]]) -> Vec<Vec<String>> {
        v.iter()
            .map(|p| p.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn a_dateline_with_a_source_line_gives_a_pattern_that_reads_both() {
        let m = paras(&[
            &["Iran Focus", "Tehran, Iran, May 14 – The text."],
            &["Iran Focus", "London, Oct 2 - More text."],
            &["Paris, France, 3 June – Text without a source.", "Next."],
        ]);
        let (pattern, n) = plan_dateline(&m).expect("a dateline");
        assert_eq!(n, 3);
        let re = regex::Regex::new(&pattern).unwrap();
        let c = re
            .captures("Iran Focus\nTehran, Iran, May 14 – The text.")
            .unwrap();
        assert_eq!(&c["source"], "Iran Focus");
        assert_eq!(&c["place"], "Tehran, Iran");
        assert_eq!(&c["date"], "May 14");
    }

    #[test]
    fn no_pattern_when_under_a_third_of_the_samples_have_a_dateline() {
        let m = paras(&[
            &["Tehran, Iran, May 14 – The text."],
            &["Plain text."],
            &["More plain text."],
            &["And more."],
        ]);
        assert_eq!(plan_dateline(&m), None);
        assert_eq!(plan_dateline(&[]), None);
    }
}
