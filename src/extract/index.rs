//! One walk over a parsed page, then every selector query looks only at
//! the elements that can match it.
//!
//! `scraper`'s `select` walks the whole subtree and runs the selector
//! matcher on every element; a profile's page fields do that 4–6 times per
//! page (list fields cannot stop at the first match), which cost more than a
//! third of the parse on real pages. Here the page is walked once, recording
//! each element's document position, the end of its subtree, and which
//! elements carry each tag name, class and id. A selector's rightmost
//! compound (`h1.entry-title` in `header h1.entry-title`) names a tag, class
//! or id every match must carry ([`SelKeys`], found when the profile is
//! compiled); a query takes the shortest such list, cuts it to the scope's
//! subtree by binary search, and runs the real matcher only on those
//! elements, in document order. A selector with no such key (`*`,
//! `[class*=x]`) is matched against every element of the scope, as before.
//! The results are exactly `scraper`'s: the key is only a necessary
//! condition, and the matcher decides.

use ego_tree::iter::Edge;
use ego_tree::NodeId;
use markup5ever::LocalName;
use rustc_hash::FxHashMap;
use scraper::{ElementRef, Html, Node};

use crate::profile::sel::{Complex, IndexKeys, Key, Sel};

/// The page's elements in document order, with lookups by tag, class and id.
pub struct DocIndex<'a> {
    doc: &'a Html,
    /// Classes and ids indexed (None: all).
    only: Option<&'a IndexKeys>,
    /// The parse left out `<script>`/`<style>` content.
    lossy: bool,
    /// Something read an element whose content was left out.
    read_unread: std::cell::Cell<bool>,
    /// The start tags that lost attributes before the parse.
    original: Option<&'a crate::extract::attrs::Original>,
    /// Elements in document (pre)order.
    order: Vec<NodeId>,
    /// For each position, the position of the last element of its subtree.
    end: Vec<u32>,
    pos: FxHashMap<NodeId, u32>,
    tags: FxHashMap<LocalName, Vec<u32>>,
    classes: FxHashMap<&'a str, Vec<u32>>,
    ids: FxHashMap<&'a str, Vec<u32>>,
}

impl<'a> DocIndex<'a> {
    /// Walk `doc` once, listing every tag and the classes and ids in
    /// `only` (all when None). `lossy`: the parse left out
    /// `<script>`/`<style>` content ([`crate::extract::limits::prepare_markup`]).
    pub fn new(doc: &'a Html, lossy: bool, only: Option<&'a IndexKeys>) -> DocIndex<'a> {
        let mut ix = DocIndex {
            doc,
            only,
            lossy,
            read_unread: std::cell::Cell::new(false),
            original: None,
            order: Vec::with_capacity(2048),
            end: Vec::with_capacity(2048),
            pos: FxHashMap::with_capacity_and_hasher(2048, Default::default()),
            tags: FxHashMap::with_capacity_and_hasher(128, Default::default()),
            classes: FxHashMap::with_capacity_and_hasher(1024, Default::default()),
            ids: FxHashMap::with_capacity_and_hasher(256, Default::default()),
        };
        let mut open: Vec<u32> = Vec::new();
        for edge in doc.root_element().traverse() {
            match edge {
                Edge::Open(n) => {
                    let Node::Element(e) = n.value() else {
                        continue;
                    };
                    let p = ix.order.len() as u32;
                    ix.order.push(n.id());
                    ix.end.push(p);
                    ix.pos.insert(n.id(), p);
                    open.push(p);
                    ix.tags.entry(e.name.local.clone()).or_default().push(p);
                    // the same attributes scraper's matcher reads: every
                    // `class`, the first `id`
                    let mut id_seen = false;
                    for (name, value) in e.attrs.iter() {
                        match &*name.local {
                            "class" => {
                                for c in value.split_ascii_whitespace() {
                                    if only.is_some_and(|k| !k.classes.contains(c)) {
                                        continue;
                                    }
                                    let list = ix.classes.entry(c).or_default();
                                    // `class="a a"`: once
                                    if list.last() != Some(&p) {
                                        list.push(p);
                                    }
                                }
                            }
                            "id" if !id_seen => {
                                id_seen = true;
                                if only.is_none_or(|k| k.ids.contains(&**value)) {
                                    ix.ids.entry(&**value).or_default().push(p);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                Edge::Close(n) => {
                    if n.value().is_element() {
                        if let Some(p) = open.pop() {
                            ix.end[p as usize] = ix.order.len() as u32 - 1;
                        }
                    }
                }
            }
        }
        ix
    }

    /// The parsed document.
    pub fn doc(&self) -> &'a Html {
        self.doc
    }

    /// Read attributes through `original` (the page's start tags that lost
    /// attributes before the parse, see [`crate::extract::attrs`]).
    pub fn with_original(mut self, original: &'a crate::extract::attrs::Original) -> Self {
        self.original = Some(original);
        self
    }

    /// The start tags that lost attributes (none when the parse kept all).
    pub fn original(&self) -> Option<&'a crate::extract::attrs::Original> {
        self.original
    }

    /// The attribute `name` of `el` as the page has it.
    pub fn attr(&self, el: ElementRef<'a>, name: &str) -> Option<&'a str> {
        let e: &'a scraper::node::Element = el.value();
        match self.original {
            Some(o) => o.attr(e, name),
            None => e.attr(name),
        }
    }

    /// Note that `el`'s text (`html`: its markup) is about to be read;
    /// remembers when that includes `<script>`/`<style>` content the parse
    /// left out, so the caller can parse again with it.
    pub fn reading(&self, el: ElementRef<'a>, html: bool) {
        static UNREAD: std::sync::LazyLock<Sel> =
            std::sync::LazyLock::new(|| Sel::parse("script, style").expect("static"));
        if self.lossy && !self.read_unread.get() {
            let unread = matches!(el.value().name(), "script" | "style")
                || (html && self.select(el, &UNREAD).next().is_some());
            self.read_unread.set(unread);
        }
        if html {
            if let Some(o) = self.original {
                o.html_safe(el);
            }
        }
    }

    /// Whether something read content the parse left out (see [`Self::reading`]).
    pub fn read_unread(&self) -> bool {
        self.read_unread.get()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether the page has no element (never: the parser adds `html`).
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    fn element(&self, p: u32) -> ElementRef<'a> {
        let node = self.doc.tree.get(self.order[p as usize]).expect("indexed");
        ElementRef::wrap(node).expect("indexed elements are elements")
    }

    /// The elements carrying `key`; None when it is not indexed.
    fn list(&self, key: &Key) -> Option<&[u32]> {
        let l = match key {
            Key::Tag(t) => self.tags.get(t),
            Key::Class(c) => {
                if self.only.is_some_and(|k| !k.classes.contains(c)) {
                    return None;
                }
                self.classes.get(c.as_str())
            }
            Key::Id(i) => {
                if self.only.is_some_and(|k| !k.ids.contains(i)) {
                    return None;
                }
                self.ids.get(i.as_str())
            }
        };
        Some(l.map(Vec::as_slice).unwrap_or(&[]))
    }

    /// The shortest list among `keys` (all of them: a key no element
    /// carries gives the empty list).
    fn shortest(&self, keys: &[Key]) -> Option<&[u32]> {
        keys.iter()
            .filter_map(|k| self.list(k))
            .min_by_key(|l| l.len())
    }

    /// Positions in `from..=to` that may match `c`, in document order.
    fn candidates<'s>(&'s self, c: &Complex, from: u32, to: u32) -> Cands<'a, 's> {
        let Some(l) = self.shortest(&c.keys) else {
            return Cands::Range(from..to + 1);
        };
        let cut = |l: &'s [u32], from: u32, to: u32| {
            &l[l.partition_point(|&x| x < from)..l.partition_point(|&x| x <= to)]
        };
        let anchors = match self.shortest(&c.within) {
            Some(a) if a.len() < l.len() => a,
            _ => return Cands::Slice(cut(l, from, to).iter()),
        };
        // Only what lies inside an anchor can match: the anchors' subtrees
        // (nested ones skipped), each cut to the scope. An anchor may
        // enclose the scope itself.
        let mut out = Vec::new();
        let mut covered: Option<u32> = None;
        for &a in anchors {
            if covered.is_some_and(|c| a <= c) {
                continue;
            }
            let end = self.end[a as usize];
            covered = Some(end);
            let (lo, hi) = ((a + 1).max(from), end.min(to));
            if lo <= hi {
                out.extend_from_slice(cut(l, lo, hi));
            }
        }
        Cands::Owned(out.into_iter())
    }

    /// Elements inside `scope` (not `scope` itself) matching `sel`, in
    /// document order: what `scope.select(&sel.sel)` yields.
    pub fn select<'s>(&'s self, scope: ElementRef<'a>, sel: &'s Sel) -> Select<'a, 's> {
        let here = std::ptr::eq(scope.tree(), &self.doc.tree);
        match self.pos.get(&scope.id()).filter(|_| here) {
            Some(&p) => self.query(p + 1, self.end[p as usize], Some(scope), sel),
            // not from this document (or detached): the plain walk
            None => Select {
                ix: self,
                sel,
                scope: Some(scope),
                cands: Cands::Walk(Box::new(scope.select(&sel.sel))),
            },
        }
    }

    /// Every element of the page matching `sel`, in document order.
    pub fn select_all<'s>(&'s self, sel: &'s Sel) -> Select<'a, 's> {
        self.query(0, self.order.len() as u32 - 1, None, sel)
    }

    fn query<'s>(
        &'s self,
        from: u32,
        to: u32,
        scope: Option<ElementRef<'a>>,
        sel: &'s Sel,
    ) -> Select<'a, 's> {
        let cands = if from > to {
            Cands::Range(0..0)
        } else {
            match &sel.keys.0 {
                None => Cands::Range(from..to + 1),
                Some(complexes) => match complexes.as_slice() {
                    [one] => self.candidates(one, from, to),
                    many => {
                        let mut all: Vec<u32> = Vec::new();
                        for c in many {
                            match self.candidates(c, from, to) {
                                Cands::Slice(s) => all.extend(s),
                                Cands::Owned(v) => all.extend(v),
                                Cands::Range(r) => all.extend(r),
                                Cands::Walk(_) => unreachable!("only select() walks"),
                            }
                        }
                        all.sort_unstable();
                        all.dedup();
                        Cands::Owned(all.into_iter())
                    }
                },
            }
        };
        Select {
            ix: self,
            sel,
            scope,
            cands,
        }
    }
}

enum Cands<'a, 's> {
    Range(std::ops::Range<u32>),
    Slice(std::slice::Iter<'s, u32>),
    Owned(std::vec::IntoIter<u32>),
    Walk(Box<scraper::element_ref::Select<'a, 's>>),
}

/// The matches of one query (see [`DocIndex::select`]).
pub struct Select<'a, 's> {
    ix: &'s DocIndex<'a>,
    sel: &'s Sel,
    scope: Option<ElementRef<'a>>,
    cands: Cands<'a, 's>,
}

impl<'a> Iterator for Select<'a, '_> {
    type Item = ElementRef<'a>;

    fn next(&mut self) -> Option<ElementRef<'a>> {
        loop {
            let p = match &mut self.cands {
                Cands::Range(r) => r.next()?,
                Cands::Slice(s) => *s.next()?,
                Cands::Owned(v) => v.next()?,
                Cands::Walk(w) => return w.next(),
            };
            let el = self.ix.element(p);
            if self.sel.sel.matches_with_scope(&el, self.scope) {
                return Some(el);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(css: &str) -> Sel {
        Sel::parse(css).expect("valid")
    }

    const PAGE: &str = r#"<!doctype html><html><head><title>t</title>
        <meta property="og:title" content="x"><link rel="canonical" href="/c"></head>
        <body><div id="main" class="wrap a"><header class="td-post-title"><h1 class="entry-title">T</h1>
        <div class="td-category"><a href="/c1">C1</a><a href="/c2">C2</a></div></header>
        <p class="x x">one</p><table><tr><td><b class="entry-title">in table</b></td></tr></table>
        <svg><clipPath id="cp"></clipPath><foreignObject><p>f</p></foreignObject></svg>
        <ul><li><a href="/1">1</a></li><li><a href="/2">2</a><ul><li><a href="/3">3</a></li></ul></li></ul>
        <template><p class="x">tpl</p></template></div>
        <div class="other"><p class="x">two</p><span class="paywall-box">pw</span></div></body></html>"#;

    /// Every selector, from every scope, gives exactly scraper's answer.
    #[test]
    fn queries_agree_with_scraper_everywhere() {
        let doc = Html::parse_document(PAGE);
        let mut some = IndexKeys::default();
        some.add(&sel(".entry-title, #main, .td-category"));
        let sels = [
            "h1.entry-title",
            "header.td-post-title h1.entry-title, .entry-title",
            ".td-category a",
            "meta[property='og:title']",
            "link[rel~=canonical]",
            "#main > p.x",
            "#nope, .nope",
            "[class*=paywall]",
            "*",
            "li a",
            "ul ul li",
            "p",
            "clipPath",
            "clippath",
            "foreignObject p",
            "div:not(.other) p",
            ".x:first-child",
            "li:has(ul) > a",
            ":scope > li",
            "td b, h1, a[href='/3']",
        ];
        let scopes: Vec<ElementRef<'_>> = doc
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
            .chain(std::iter::once(doc.root_element()))
            .collect();
        // everything indexed, and only some classes and ids: same answers
        for only in [None, Some(&some)] {
            let ix = DocIndex::new(&doc, false, only);
            for css in sels {
                let s = sel(css);
                let want: Vec<NodeId> = doc.select(&s.sel).map(|e| e.id()).collect();
                let got: Vec<NodeId> = ix.select_all(&s).map(|e| e.id()).collect();
                assert_eq!(got, want, "whole page, `{css}`");
                for scope in &scopes {
                    let want: Vec<NodeId> = scope.select(&s.sel).map(|e| e.id()).collect();
                    let got: Vec<NodeId> = ix.select(*scope, &s).map(|e| e.id()).collect();
                    assert_eq!(got, want, "`{css}` inside <{}>", scope.value().name());
                }
            }
        }
    }

    fn strings(v: &toml::Value, out: &mut Vec<String>) {
        match v {
            toml::Value::String(s) => out.push(s.clone()),
            toml::Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
            toml::Value::Table(t) => t.values().for_each(|v| strings(v, out)),
            _ => {}
        }
    }

    /// Every string of the bundled profiles that is a selector, on every
    /// fixture page (and the real pages when present), from the root and
    /// from a spread of scopes: the same elements as scraper, in order.
    #[test]
    fn profile_selectors_agree_with_scraper_on_real_pages() {
        let top = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sels = Vec::new();
        for p in ["selectors/iranfocus.toml", "selectors/tagdiv.toml"] {
            let text = std::fs::read_to_string(top.join(p)).expect("profile");
            let mut all = Vec::new();
            let table: toml::Table = toml::from_str(&text).expect("toml");
            strings(&toml::Value::Table(table), &mut all);
            sels.extend(all.iter().filter_map(|s| Sel::parse(s).ok()));
        }
        sels.push(Sel::parse("a[href]").expect("valid"));
        assert!(sels.len() > 40, "{} selectors", sels.len());
        let mut pages: Vec<std::path::PathBuf> = std::fs::read_dir(top.join("fixtures/iranfocus"))
            .expect("fixtures")
            .map(|e| e.expect("entry").path())
            .collect();
        if let Ok(rw) = std::fs::read_dir(top.join("../shared/realworld")) {
            pages.extend(rw.map(|e| e.expect("entry").path()));
        }
        pages.retain(|p| p.extension().is_some_and(|e| e == "html"));
        pages.sort();
        assert!(pages.len() >= 17);
        let mut checked = 0;
        for page in &pages {
            let bytes = std::fs::read(page).expect("page");
            let doc = Html::parse_document(&String::from_utf8_lossy(&bytes));
            let ix = DocIndex::new(&doc, false, None);
            let scopes: Vec<ElementRef<'_>> = std::iter::once(doc.root_element())
                .chain(
                    doc.root_element()
                        .descendants()
                        .filter_map(ElementRef::wrap)
                        .step_by(211),
                )
                .collect();
            for s in &sels {
                for scope in &scopes {
                    let want: Vec<NodeId> = scope.select(&s.sel).map(|e| e.id()).collect();
                    let got: Vec<NodeId> = ix.select(*scope, s).map(|e| e.id()).collect();
                    assert_eq!(got, want, "{}: `{}`", page.display(), s.css);
                    checked += want.len();
                }
            }
        }
        assert!(checked > 1000, "{checked} matches compared");
    }

    /// The strings under the profile keys that hold selectors.
    fn selector_strings(v: &toml::Value, under_selector_key: bool, out: &mut Vec<String>) {
        const KEYS: [&str; 9] = [
            "select",
            "css",
            "present",
            "absent",
            "remove",
            "heading_selector",
            "block",
            "item",
            "container",
        ];
        match v {
            toml::Value::String(s) if under_selector_key => out.push(s.clone()),
            toml::Value::Array(a) => a
                .iter()
                .for_each(|v| selector_strings(v, under_selector_key, out)),
            toml::Value::Table(t) => t.iter().for_each(|(k, v)| {
                let here = KEYS.contains(&k.as_str()) || (under_selector_key && k == "css");
                selector_strings(v, here, out)
            }),
            _ => {}
        }
    }

    /// Every class and id that any selector of a bundled profile names is
    /// indexed (`Template::selectors` misses none).
    #[test]
    fn profiles_index_every_class_and_id_their_selectors_name() {
        let top = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for p in ["selectors/iranfocus.toml", "selectors/tagdiv.toml"] {
            let profile = crate::profile::Profile::load(&top.join(p)).expect("profile");
            let text = std::fs::read_to_string(top.join(p)).expect("profile");
            let table: toml::Table = toml::from_str(&text).expect("toml");
            let mut all = Vec::new();
            selector_strings(&toml::Value::Table(table), false, &mut all);
            let mut named = IndexKeys::default();
            for s in &all {
                // `css@attr` names an attribute of the selector's matches
                let css = crate::profile::compile::attr_shorthand(s).map_or(s.as_str(), |c| c.0);
                named.add(&Sel::parse(css).expect("a selector"));
            }
            let missing: Vec<&String> = named
                .classes
                .iter()
                .chain(&named.ids)
                .filter(|k| {
                    !profile.index_keys.classes.contains(*k) && !profile.index_keys.ids.contains(*k)
                })
                .collect();
            assert!(missing.is_empty(), "{p}: not indexed: {missing:?}");
            assert!(profile.index_keys.classes.len() > 10);
        }
    }

    #[test]
    fn a_scope_from_another_document_still_answers() {
        let doc = Html::parse_document(PAGE);
        let other = Html::parse_document("<div><p class=x>o</p></div>");
        let ix = DocIndex::new(&doc, false, None);
        let s = sel("p.x");
        let got: Vec<String> = ix
            .select(other.root_element(), &s)
            .map(|e| e.text().collect())
            .collect();
        assert_eq!(got, vec!["o".to_string()]);
    }
}
