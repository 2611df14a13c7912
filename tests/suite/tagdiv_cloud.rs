//! The bundled `selectors/tagdiv.toml` on a page of the theme's "Cloud"
//! templates (tdb_* blocks instead of td-post-title / td-post-author-name):
//! title, author, local date with its offset (over the UTC meta value),
//! breadcrumbs, category and body, with the ad markers and the photo credit
//! line out of the text.

use std::path::Path;

use sitelift::profile::Profile;
use sitelift::record::Outcome;

use crate::common::hostile::extract_ok;

const PAGE: &str = r#"<!DOCTYPE html>
<html lang="de-DE"><head><meta charset="UTF-8">
<title>Stadtrat beschließt neuen Radweg - Lokalzeitung</title>
<meta property="og:title" content="Stadtrat beschließt neuen Radweg">
<meta property="article:published_time" content="2021-09-17T22:30:00+00:00">
</head><body class="post-template-default single single-post td-standard-pack">
<div class="td-main-content-wrap td-container-wrap"><div class="tdc-content-wrap">
<div class="vc_row tdi_40 wpb_row td-pb-row"><div class="vc_column tdi_42 wpb_column vc_column_container tdc-column td-pb-span12"><div class="wpb_wrapper">
 <div class="td_block_wrap tdb_breadcrumbs tdi_44 td-pb-border-top td_block_template_1 tdb-breadcrumbs"><div class="tdb-block-inner td-fix-index">
  <span><a title="" class="tdb-entry-crumb" href="https://lokal.example/">Startseite</a></span> <i class="tdc-font-tdmp tdb-bread-sep"></i>
  <span><a title="Alle Beiträge in Lokales" class="tdb-entry-crumb" href="https://lokal.example/lokales/">Lokales</a></span></div></div>
 <div class="td_block_wrap tdb_single_categories tdi_45 td-pb-border-top td_block_template_1"><div class="tdb-category td-fix-index">
  <a class="tdb-entry-category" href="https://lokal.example/lokales/"><span class="tdb-cat-bg"></span>Lokales</a></div></div>
 <div class="td_block_wrap tdb_title tdi_46 tdb-single-title td-pb-border-top td_block_template_1"><div class="tdb-block-inner td-fix-index">
  <h1 class="tdb-title-text">Stadtrat beschließt neuen Radweg</h1><div></div><div class="tdb-title-line"></div></div></div>
 <div class="td_block_wrap tdb_single_author tdi_47 td-pb-border-top td_block_template_1 tdb-post-meta"><div class="tdb-block-inner td-fix-index">
  <div class="tdb-author-name-wrap"><span class="tdb-author-by">Von</span> <a class="tdb-author-name" href="https://lokal.example/author/anna/">Anna Becker</a></div></div></div>
 <div class="td_block_wrap tdb_single_date tdi_48 td-pb-border-top td_block_template_1 tdb-post-meta"><div class="tdb-block-inner td-fix-index">
  <time class="entry-date updated td-module-date" datetime="2021-09-18T00:30:00+02:00">18. September 2021</time></div></div>
 <div class="td_block_wrap tdb_single_content tdi_50 td-pb-border-top td_block_template_1 td-post-content tagdiv-type"><div class="tdb-block-inner td-fix-index">
  <p>Der Stadtrat hat am Freitagabend den Bau eines neuen Radwegs entlang der Hauptstraße beschlossen.</p>
  <p>- Anzeige -</p>
  <div class="td-a-ad id_inline_ad0 id_ad_content-horiz-center"><span class="td-adspot-title">- Advertisement -</span></div>
  <p>Die Arbeiten sollen im Frühjahr beginnen und rund ein Jahr dauern.</p>
  <figure class="wp-block-image"><img src="https://lokal.example/wp-content/uploads/2021/09/radweg.jpg" alt="Hauptstraße"><figcaption>Die Hauptstraße heute</figcaption></figure>
  <p>Foto: Stadt Lokal</p>
  <p>Anwohner hatten seit Jahren einen sicheren Weg für Schulkinder gefordert.</p>
 </div></div>
</div></div></div></div></div>
</body></html>"#;

#[test]
fn the_tagdiv_profile_reads_the_themes_cloud_templates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let profile = Profile::load(&root.join("selectors/tagdiv.toml")).unwrap();
    let r = match extract_ok(
        "cloud",
        PAGE.as_bytes(),
        "https://lokal.example/lokales/stadtrat-radweg/",
        &profile,
    ) {
        Outcome::Record(r) => *r,
        other => panic!("no record: {other:?}"),
    };
    assert_eq!(r.template, "tagdiv-article");
    assert_eq!(r.title, "Stadtrat beschließt neuen Radweg");
    assert_eq!(r.authors, ["Anna Becker"]);
    assert_eq!(r.section, ["Lokales"]);
    assert_eq!(r.fields["categories"], serde_json::json!(["Lokales"]));
    // the page's local date, not the UTC meta value of the day before
    assert_eq!(r.published.as_deref(), Some("2021-09-18T00:30:00+02:00"));
    assert_eq!(r.provenance["published"], ".tdb_single_date time@datetime");
    assert_eq!(
        r.body.paragraphs,
        [
            "Der Stadtrat hat am Freitagabend den Bau eines neuen Radwegs entlang der Hauptstraße beschlossen.",
            "Die Arbeiten sollen im Frühjahr beginnen und rund ein Jahr dauern.",
            "Anwohner hatten seit Jahren einen sicheren Weg für Schulkinder gefordert.",
        ]
    );
    assert_eq!(r.images.len(), 1);
    assert_eq!(
        r.images[0].caption.as_deref(),
        Some("Die Hauptstraße heute")
    );
}

#[test]
fn a_utc_value_stays_when_no_later_source_shows_the_same_moment() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let profile = Profile::load(&root.join("selectors/tagdiv.toml")).unwrap();
    // the visible time is another moment (an update): the meta value stays
    let page = PAGE.replace("2021-09-18T00:30:00+02:00", "2021-09-19T10:00:00+02:00");
    let Outcome::Record(r) = extract_ok(
        "cloud",
        page.as_bytes(),
        "https://lokal.example/a/",
        &profile,
    ) else {
        panic!("no record")
    };
    assert_eq!(r.published.as_deref(), Some("2021-09-17T22:30:00+00:00"));
}
