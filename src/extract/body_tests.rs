//! Tests of [`super`] (the body of a record).

use super::*;

fn cands(v: &str) -> Vec<(String, Option<u32>, f64)> {
    srcset_candidates(v)
        .into_iter()
        .map(|c| (c.url.to_string(), c.width, c.density))
        .collect()
}

#[test]
fn srcset_is_parsed_like_a_browser() {
    assert_eq!(
        cands(" a.jpg 300w,b.jpg 1024w , c,d.jpg 768w"),
        [
            ("a.jpg".into(), Some(300), 1.0),
            ("b.jpg".into(), Some(1024), 1.0),
            ("c,d.jpg".into(), Some(768), 1.0)
        ]
    );
    assert_eq!(
        cands("x.png, y.png 2x,z.png 1.5x"),
        [
            ("x.png".into(), None, 1.0),
            ("y.png".into(), None, 2.0),
            ("z.png".into(), None, 1.5)
        ]
    );
    // nonsense descriptors drop their candidate; a height hint does not
    assert_eq!(
        cands("a.jpg 0w, b.jpg wide, c.jpg 10w 20h"),
        [("c.jpg".into(), Some(10), 1.0)]
    );
    assert!(cands(" , ,").is_empty());
}

fn first_src(html: &str) -> Option<String> {
    let doc = scraper::Html::parse_fragment(html);
    let base = Url::parse("https://s.org/a/").expect("base");
    let flat = flatten(doc.root_element(), &HashSet::new(), &base);
    flat.images.first().map(|i| i.src.clone())
}

#[test]
fn the_largest_candidate_is_the_image() {
    assert_eq!(
        first_src("<img src=\"s.jpg\" srcset=\"m.jpg 768w, l.jpg 1024w, s.jpg 300w\">").as_deref(),
        Some("https://s.org/a/l.jpg")
    );
    assert_eq!(
        first_src("<img src=\"s.jpg\" srcset=\"s.jpg, d.jpg 2x\">").as_deref(),
        Some("https://s.org/a/d.jpg")
    );
    assert_eq!(
        first_src("<picture><source type=\"image/webp\" srcset=\"/w/big.webp 2000w, /w/small.webp 500w\"><img src=\"p.jpg\" srcset=\"p-1200.jpg 1200w\"></picture>").as_deref(),
        Some("https://s.org/w/big.webp")
    );
    // no srcset, or one with nothing usable: src as before
    assert_eq!(
        first_src("<img src=\"p.jpg\">").as_deref(),
        Some("https://s.org/a/p.jpg")
    );
    assert_eq!(
        first_src("<img src=\"p.jpg\" srcset=\"javascript:alert(1) 500w\">").as_deref(),
        Some("https://s.org/a/p.jpg")
    );
}

fn para(text: &str) -> Block {
    Block {
        kind: Kind::P,
        text: text.to_string(),
        inline: vec![Inline::Text(text.to_string())],
        from: None,
    }
}

/// The bytes the rule looks at for `n` identical paragraphs.
fn examined_for(n: usize, text: &str) -> (usize, usize, usize) {
    let mut blocks = vec![para(text); n];
    EXAMINED.with(|e| e.set(0));
    let dropped = drop_repeated_lead(&mut blocks, &|_| 0).len();
    (dropped, blocks.len(), EXAMINED.with(|e| e.get()))
}

/// Issue 16, item 10: the rule joined all the text after each block it
/// compared, so n identical paragraphs cost n² (a 20 MB page: 58 s). Each
/// block is now compared with only as much text as it is long: the cost
/// is a small multiple of the page, whatever the page.
#[test]
fn the_repeated_lead_rule_looks_at_each_byte_a_bounded_number_of_times() {
    let text = "The same paragraph again and again, long enough to be a lead.";
    for n in [10, 100, 1000, 4000] {
        let (dropped, left, examined) = examined_for(n, text);
        assert_eq!((dropped, left), (n - 1, 1), "{n} blocks");
        let page = n * (text.len() + 1);
        assert!(
            examined <= 4 * page,
            "{n} blocks: {examined} bytes examined for a page of {page}"
        );
    }
}

#[test]
fn the_repeated_lead_rule_keeps_its_meaning() {
    let lead = "Tehran says it will not hold talks with the United States over Iraq.";
    let strip_none = |_: &str| 0;
    // a teaser repeating the start of what follows
    let mut b = vec![
        para(lead),
        para(&format!("{lead} And more.")),
        para("Next."),
    ];
    assert_eq!(drop_repeated_lead(&mut b, &strip_none).len(), 1);
    assert_eq!(b.len(), 2);
    assert!(b[0].text.ends_with("And more."));
    // a block that does not repeat what follows stays, and so do the
    // blocks after the first three kept ones
    let other = "Something else entirely, which is not a repeat of anything.";
    let mut b = vec![
        para(other),
        para("short"),
        para(other),
        para(lead),
        para(lead),
    ];
    assert_eq!(drop_repeated_lead(&mut b, &strip_none).len(), 0);
    assert_eq!(b.len(), 5);
    // the repeat can span several following blocks, joined by new lines
    let mut b = vec![
        para("One two three four five six seven eight nine ten"),
        para("One two three four five"),
        para("six seven eight nine ten and so on"),
    ];
    assert_eq!(drop_repeated_lead(&mut b, &strip_none).len(), 1);
    assert_eq!(b.len(), 2);
    // the dateline is left out of both sides of the comparison
    let strip = |s: &str| if s.starts_with("LONDON - ") { 9 } else { 0 };
    let mut b = vec![para(lead), para(&format!("LONDON - {lead}"))];
    assert_eq!(drop_repeated_lead(&mut b, &strip).len(), 1);
    assert_eq!(b.len(), 1);
    // images in front are passed over, and count as kept
    let mut b = vec![
        Block {
            kind: Kind::Image(0),
            text: String::new(),
            inline: vec![],
            from: None,
        },
        para(lead),
        para(lead),
    ];
    assert_eq!(drop_repeated_lead(&mut b, &strip_none).len(), 1);
    assert_eq!(b.len(), 2);
    // 80 % of the block is enough
    let almost = format!("{}XXXXXXXXXX", &lead[..lead.len() - 10]);
    let mut b = vec![para(&almost), para(lead)];
    assert_eq!(drop_repeated_lead(&mut b, &strip_none).len(), 1);
    let mut b = vec![
        para(&format!("{}XXXXXXXXXXXXXXXXXX", &lead[..lead.len() - 18])),
        para(lead),
    ];
    assert_eq!(drop_repeated_lead(&mut b, &strip_none).len(), 0);
}
