//! Compiled CSS selectors: the selector as written, `scraper`'s compiled
//! form, and the keys (tag, class, id) every match must carry, found once
//! when the profile is compiled. The page index of `extract` narrows each
//! query to the elements carrying a key ([`crate::extract::index`]); the
//! profile's [`IndexKeys`] say which classes and ids are worth indexing.

use markup5ever::LocalName;
use rustc_hash::FxHashSet;
use scraper::selector::{Parser as CssSyntax, Simple};
use scraper::Selector;
use selectors::parser::{Combinator, Component, ParseRelative, SelectorList};

/// A compiled CSS selector with its source text (for provenance and explain).
#[derive(Debug, Clone)]
pub struct Sel {
    /// The selector as written.
    pub css: String,
    /// The compiled selector.
    pub sel: Selector,
    /// What every match carries, to narrow queries (see [`crate::extract::index`]).
    pub keys: SelKeys,
    /// The selector is `:scope`: the element a field is evaluated in (a
    /// list item, say), not one inside it.
    pub itself: bool,
}

impl Sel {
    /// Compile `css` (trimmed).
    pub fn parse(css: &str) -> Result<Sel, scraper::error::SelectorErrorKind> {
        let css = css.trim();
        let sel = Selector::parse(css)?;
        Ok(Sel {
            css: css.to_string(),
            keys: SelKeys::of(css),
            sel,
            itself: css == ":scope",
        })
    }

    /// Whether some selector of the list can match only the element it is
    /// evaluated in (`:scope` in its rightmost compound, as in `a:scope`):
    /// queries look inside that element, so such a selector never matches.
    pub fn scope_only(&self) -> bool {
        let mut parser = cssparser::Parser::new(&self.css);
        let Ok(list) = SelectorList::<Simple>::parse(&CssSyntax, &mut parser, ParseRelative::No)
        else {
            return false;
        };
        list.slice()
            .iter()
            .any(|complex| complex.iter().any(|c| matches!(c, Component::Scope)))
    }
}

/// A condition every element matching one complex selector satisfies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// The element's local name (lower case, as the parser stores HTML tags).
    Tag(LocalName),
    /// One of the element's classes.
    Class(String),
    /// The element's id.
    Id(String),
}

/// What one complex selector (`header.post .category a`) requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complex {
    /// Keys of the rightmost compound (`a`): any one narrows the candidates.
    pub keys: Vec<Key>,
    /// Keys of the compound before a descendant or child combinator
    /// (`.category`): every match lies inside an element carrying one.
    pub within: Vec<Key>,
}

/// For each complex selector of a selector list, what every match carries.
/// `None` when some complex selector requires no key of its own, so every
/// element is a candidate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelKeys(pub(crate) Option<Vec<Complex>>);

fn compound_keys<'c>(components: impl Iterator<Item = &'c Component<Simple>>, keys: &mut Vec<Key>) {
    for c in components {
        match c {
            Component::ID(id) => keys.push(Key::Id(id.0.to_string())),
            Component::Class(c) => keys.push(Key::Class(c.0.to_string())),
            // a mixed-case name matches foreign (SVG) elements by their
            // exact name: no key, the matcher decides
            Component::LocalName(n) if n.name.0 == n.lower_name.0 => {
                keys.push(Key::Tag(n.lower_name.0.clone()))
            }
            _ => {}
        }
    }
}

impl SelKeys {
    /// The keys of `css` (a selector list `scraper` accepted).
    pub fn of(css: &str) -> SelKeys {
        let mut parser = cssparser::Parser::new(css);
        let Ok(list) = SelectorList::<Simple>::parse(&CssSyntax, &mut parser, ParseRelative::No)
        else {
            return SelKeys(None);
        };
        let mut all = Vec::new();
        for complex in list.slice() {
            let mut it = complex.iter();
            let mut keys = Vec::new();
            compound_keys(&mut it, &mut keys);
            if keys.is_empty() {
                return SelKeys(None);
            }
            let mut within = Vec::new();
            if matches!(
                it.next_sequence(),
                Some(Combinator::Descendant | Combinator::Child)
            ) {
                compound_keys(&mut it, &mut within);
            }
            all.push(Complex { keys, within });
        }
        SelKeys(Some(all))
    }

    /// Whether queries can be narrowed (for tests and `explain`).
    pub fn is_keyed(&self) -> bool {
        self.0.is_some()
    }
}

/// The classes and ids a profile's selectors name. Only those get lists
/// (a page has hundreds of classes no profile asks about); a query for a
/// class or id outside the set is answered by matching every element, so
/// results never depend on the set, only the time does.
#[derive(Debug, Clone, Default)]
pub struct IndexKeys {
    pub(crate) classes: FxHashSet<String>,
    pub(crate) ids: FxHashSet<String>,
}

impl IndexKeys {
    /// Index what `sel` names.
    pub fn add(&mut self, sel: &Sel) {
        for c in sel.keys.0.iter().flatten() {
            for k in c.keys.iter().chain(&c.within) {
                match k {
                    Key::Class(v) => self.classes.insert(v.clone()),
                    Key::Id(v) => self.ids.insert(v.clone()),
                    Key::Tag(_) => false,
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_the_rightmost_compound() {
        assert_eq!(
            SelKeys::of("header.td-post-title h1.entry-title"),
            SelKeys(Some(vec![Complex {
                keys: vec![
                    Key::Tag(LocalName::from("h1")),
                    Key::Class("entry-title".into())
                ],
                within: vec![
                    Key::Tag(LocalName::from("header")),
                    Key::Class("td-post-title".into())
                ],
            }]))
        );
        assert_eq!(
            SelKeys::of("#a, .x > b, .y + i"),
            SelKeys(Some(vec![
                Complex {
                    keys: vec![Key::Id("a".into())],
                    within: vec![]
                },
                Complex {
                    keys: vec![Key::Tag(LocalName::from("b"))],
                    within: vec![Key::Class("x".into())]
                },
                // a sibling is not an ancestor
                Complex {
                    keys: vec![Key::Tag(LocalName::from("i"))],
                    within: vec![]
                },
            ]))
        );
        // one unkeyed alternative makes the whole list unkeyed
        assert!(!SelKeys::of("a, [class*=x]").is_keyed());
        assert!(!SelKeys::of(".a > *").is_keyed());
        assert!(!SelKeys::of("clipPath").is_keyed());
        assert!(SelKeys::of(".a > *.b").is_keyed());
    }
}
