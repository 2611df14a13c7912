//! `compile()`: turn a [`RawProfile`] into a checked [`Profile`]. Every
//! selector, regex and date format is compiled here, once, so a bad one is
//! reported at load time with its place in the file, never mid-crawl.

use std::path::Path;

use regex::Regex;

use toml::Spanned;
use url::Url;

use super::error::CompileError;
use super::raw::*;
use super::*;
use crate::dates::DateFormat;

type R<T> = Result<T, CompileError>;

fn err<T>(key: &str, span: Option<std::ops::Range<usize>>, msg: impl Into<String>) -> R<T> {
    Err(CompileError::new(key, span, msg))
}

/// Compile a CSS selector, naming `key` when it is invalid.
pub fn selector(s: &Spanned<String>, key: &str) -> R<Sel> {
    let css = s.get_ref().trim();
    if css.is_empty() {
        return err(key, Some(s.span()), "empty selector");
    }
    match Sel::parse(css) {
        Ok(sel) if sel.scope_only() => err(key, Some(s.span()), never_matches(css, false)),
        Ok(sel) => Ok(sel),
        Err(e) => err(
            key,
            Some(s.span()),
            format!("invalid CSS selector `{css}`: {e}"),
        ),
    }
}

/// Why a selector with `:scope` in its last part is refused: it names the
/// element the query starts from, and queries look inside it.
fn never_matches(css: &str, field: bool) -> String {
    let fix = if field {
        "; to take the element itself (a list item that is the link), write `:scope` or `:scope@href`"
    } else {
        ""
    };
    format!("`{css}` can never match here: `:scope` is the element the selector is evaluated in, and selectors match only inside it{fix}")
}

/// Compile a regex, naming `key` when it is invalid.
pub fn regex(s: &Spanned<String>, key: &str) -> R<Regex> {
    Regex::new(s.get_ref()).or_else(|e| {
        let msg = e
            .to_string()
            .lines()
            .next_back()
            .unwrap_or("invalid")
            .trim()
            .to_string();
        err(
            key,
            Some(s.span()),
            format!("invalid regex `{}`: {msg}", s.get_ref()),
        )
    })
}

fn selectors(list: &[Spanned<String>], key: &str) -> R<Vec<Sel>> {
    list.iter()
        .enumerate()
        .map(|(i, s)| selector(s, &format!("{key}[{i}]")))
        .collect()
}

fn regexes(list: &[Spanned<String>], key: &str) -> R<Vec<Regex>> {
    list.iter()
        .enumerate()
        .map(|(i, s)| regex(s, &format!("{key}[{i}]")))
        .collect()
}

fn date_formats(list: &[Spanned<String>], key: &str, need_year: bool) -> R<Vec<DateFormat>> {
    let mut out = Vec::new();
    for (i, f) in list.iter().enumerate() {
        let k = format!("{key}[{i}]");
        let fmt = DateFormat::parse(f.get_ref()).or_else(|m| err(&k, Some(f.span()), m))?;
        if need_year && !fmt.has_year() {
            return err(
                &k,
                Some(f.span()),
                format!("date format `{}` has no year (%Y or %y)", f.get_ref()),
            );
        }
        out.push(fmt);
    }
    Ok(out)
}

fn source(s: &Spanned<RawSelect>, key: &str) -> R<Source> {
    let span = Some(s.span());
    let css_sel = |css: &str, key: &str| -> R<Sel> {
        let css = css.trim();
        if css.is_empty() {
            return err(key, span.clone(), "empty selector");
        }
        let sel = Sel::parse(css).or_else(|e| {
            let shown = e.to_string();
            let why = shown
                .lines()
                .rfind(|l| !l.trim().is_empty())
                .unwrap_or("invalid")
                .trim()
                .to_string();
            err(
                key,
                span.clone(),
                format!("invalid CSS selector `{css}`: {why}"),
            )
        })?;
        if sel.scope_only() && !sel.itself {
            return err(key, span.clone(), never_matches(css, true));
        }
        Ok(sel)
    };
    match s.get_ref() {
        RawSelect::Css(css) => match attr_shorthand(css) {
            Some((css, attr)) => Ok(Source::Css {
                sel: css_sel(css, key)?,
                take: Take::Attr(attr.to_ascii_lowercase()),
            }),
            None => Ok(Source::Css {
                sel: css_sel(css, key)?,
                take: Take::Text,
            }),
        },
        RawSelect::Table(t) => {
            if t.url == Some(true) {
                if t.css.is_some() || t.attr.is_some() || t.take.is_some() {
                    return err(
                        key,
                        span,
                        "`url = true` takes the page URL and cannot be combined with css/attr/take",
                    );
                }
                return Ok(Source::Url);
            }
            let Some(css) = &t.css else {
                return err(key, span, "a selector table needs `css` (or `url = true`)");
            };
            let sel = css_sel(css, &format!("{key}.css"))?;
            let take = match (&t.attr, &t.take) {
                (Some(_), Some(_)) => {
                    return err(
                        &format!("{key}.take"),
                        span,
                        "give either `attr` or `take`, not both",
                    )
                }
                (Some(a), None) => Take::Attr(a.to_ascii_lowercase()),
                (None, None) => Take::Text,
                (None, Some(tk)) => match tk.as_str() {
                    "text" => Take::Text,
                    "own_text" => Take::OwnText,
                    "html" => Take::Html,
                    "inner_html" => Take::InnerHtml,
                    other => {
                        return err(
                            &format!("{key}.take"),
                            span,
                            format!(
                            "unknown take `{other}`: expected text, own_text, html or inner_html"
                        ),
                        )
                    }
                },
            };
            Ok(Source::Css { sel, take })
        }
    }
}

/// `"SELECTOR@attr"`: the selector and the attribute, when the string ends
/// in `@` and an attribute name outside quotes, brackets and escapes (an
/// `@` cannot start anything else there in a selector). `None` for a plain
/// selector.
pub fn attr_shorthand(s: &str) -> Option<(&str, &str)> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut at = None;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match (quote, c) {
            (_, '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '(') => depth += 1,
            (None, ']' | ')') => depth -= 1,
            (None, '@') if depth == 0 => at = Some(i),
            _ => {}
        }
    }
    let i = at?;
    let (css, attr) = (s[..i].trim(), s[i + 1..].trim());
    let mut chars = attr.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':');
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'));
    (first_ok && rest_ok && !css.is_empty()).then_some((css, attr))
}

fn step(s: &Spanned<RawStep>, key: &str) -> R<Step> {
    let st = s.get_ref();
    let span = Some(s.span());
    let ops = [
        st.regex.is_some(),
        st.replace.is_some(),
        st.split.is_some(),
        st.drop_first.is_some(),
        st.drop_last.is_some(),
        st.drop_matching.is_some(),
        st.dedupe.is_some(),
    ];
    let n = ops.iter().filter(|b| **b).count();
    if n != 1 {
        return err(
            key,
            span,
            "a step needs exactly one of: regex, replace (with `with`), split, drop_first, drop_last, drop_matching, dedupe",
        );
    }
    if st.into.is_some() && st.regex.is_none() {
        return err(key, span, "`into` goes with `regex`");
    }
    if st.with.is_some() && st.replace.is_none() {
        return err(key, span, "`with` goes with `replace`");
    }
    if let Some(r) = &st.regex {
        let re = regex(r, &format!("{key}.regex"))?;
        if let Some(into) = &st.into {
            if !re.capture_names().flatten().any(|n| n == into) {
                return err(
                    &format!("{key}.regex"),
                    Some(r.span()),
                    format!("regex has no named group `{into}` for `into = \"{into}\"`"),
                );
            }
        }
        return Ok(Step::Capture {
            re,
            into: st.into.clone(),
        });
    }
    if let Some(r) = &st.replace {
        let Some(with) = &st.with else {
            return err(key, span, "`replace` needs `with` (use \"\" to delete)");
        };
        return Ok(Step::Replace {
            re: regex(r, &format!("{key}.replace"))?,
            with: with.clone(),
        });
    }
    if let Some(r) = &st.split {
        return Ok(Step::Split(regex(r, &format!("{key}.split"))?));
    }
    if let Some(r) = &st.drop_matching {
        return Ok(Step::DropMatching(regex(
            r,
            &format!("{key}.drop_matching"),
        )?));
    }
    if let Some(n) = st.drop_first {
        return Ok(Step::DropFirst(n));
    }
    if let Some(d) = &st.dedupe {
        if !*d.get_ref() {
            return err(
                &format!("{key}.dedupe"),
                Some(d.span()),
                "`dedupe = false` does nothing: leave the step out",
            );
        }
        return Ok(Step::Dedupe);
    }
    Ok(Step::DropLast(st.drop_last.unwrap_or(0)))
}

fn field(name: &str, f: &Spanned<RawField>, key: &str) -> R<Field> {
    let raw = f.get_ref();
    if raw.select.is_empty() {
        return err(
            key,
            Some(f.span()),
            "a field needs at least one entry in `select`",
        );
    }
    let sources = raw
        .select
        .iter()
        .enumerate()
        .map(|(i, s)| source(s, &format!("{key}.select[{i}]")))
        .collect::<R<Vec<_>>>()?;
    let steps = raw
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| step(s, &format!("{key}.steps[{i}]")))
        .collect::<R<_>>()?;
    Ok(Field {
        name: name.to_string(),
        sources,
        remove: selectors(&raw.remove, &format!("{key}.remove"))?,
        steps,
        required: raw.required,
        list: raw.list,
        date_formats: date_formats(&raw.date_formats, &format!("{key}.date_formats"), true)?,
        ellipsis: raw.ellipsis,
    })
}

fn fields(map: &indexmap::IndexMap<String, Spanned<RawField>>, key: &str) -> R<Vec<Field>> {
    map.iter()
        .map(|(n, f)| field(n, f, &format!("{key}.{n}")))
        .collect()
}

fn dateline(d: &RawDateline, key: &str) -> R<DatelineSpec> {
    if d.patterns.is_empty() && d.place_patterns.is_empty() {
        return err(
            &format!("{key}.patterns"),
            None,
            "a dateline needs at least one pattern (or place_patterns)",
        );
    }
    let place_patterns = regexes(&d.place_patterns, &format!("{key}.place_patterns"))?;
    for (i, re) in place_patterns.iter().enumerate() {
        if !re.capture_names().flatten().any(|n| n == "place") {
            return err(
                &format!("{key}.place_patterns[{i}]"),
                Some(d.place_patterns[i].span()),
                "a place-only dateline pattern needs a named group `place` (and may have `source`)",
            );
        }
    }
    let patterns = regexes(&d.patterns, &format!("{key}.patterns"))?;
    for (i, re) in patterns.iter().enumerate() {
        if !re.capture_names().flatten().any(|n| n == "date") {
            return err(
                &format!("{key}.patterns[{i}]"),
                Some(d.patterns[i].span()),
                "a dateline pattern needs a named group `date` (and may have `source` and `place`)",
            );
        }
    }
    let formats = date_formats(&d.date_formats, &format!("{key}.date_formats"), false)?;
    if formats.is_empty() && !patterns.is_empty() {
        return err(
            &format!("{key}.date_formats"),
            None,
            "a dateline needs at least one date format",
        );
    }
    let mut year_from = Vec::new();
    for (i, y) in d.year_from.iter().enumerate() {
        year_from.push(match y.get_ref().as_str() {
            "published" => YearSource::Published,
            "url" => YearSource::Url,
            other => {
                return err(
                    &format!("{key}.year_from[{i}]"),
                    Some(y.span()),
                    format!("unknown year source `{other}`: expected \"published\" or \"url\""),
                )
            }
        });
    }
    let url_year = match &d.url_year {
        Some(r) => {
            let re = regex(r, &format!("{key}.url_year"))?;
            if !re.capture_names().flatten().any(|n| n == "year") {
                return err(
                    &format!("{key}.url_year"),
                    Some(r.span()),
                    "needs a named group `year`",
                );
            }
            Some(re)
        }
        None => None,
    };
    if year_from.contains(&YearSource::Url) && url_year.is_none() {
        return err(
            &format!("{key}.year_from"),
            None,
            "year source \"url\" needs `url_year`",
        );
    }
    let select = d
        .select
        .iter()
        .enumerate()
        .map(|(i, s)| source(s, &format!("{key}.select[{i}]")))
        .collect::<R<Vec<_>>>()?;
    Ok(DatelineSpec {
        select,
        patterns,
        place_patterns,
        formats,
        year_from,
        url_year,
        max_days_apart: d.max_days_apart.unwrap_or(3),
        strip: d.strip.unwrap_or(true),
    })
}

fn body(b: &RawBody, key: &str) -> R<BodySpec> {
    if b.select.is_empty() {
        return err(
            &format!("{key}.select"),
            None,
            "the body needs at least one container selector",
        );
    }
    let select = b
        .select
        .iter()
        .enumerate()
        .map(|(i, s)| match source(s, &format!("{key}.select[{i}]"))? {
            Source::Css { sel, .. } if sel.itself => err(
                &format!("{key}.select[{i}]"),
                Some(s.span()),
                never_matches(&sel.css, false),
            ),
            Source::Css { sel, .. } => Ok(sel),
            Source::Url => err(
                &format!("{key}.select[{i}]"),
                None,
                "the body container must be a CSS selector",
            ),
        })
        .collect::<R<Vec<_>>>()?;
    Ok(BodySpec {
        select,
        all_matches: b.all_matches,
        remove: selectors(&b.remove, &format!("{key}.remove"))?,
        drop_paragraphs: regexes(&b.drop_paragraphs, &format!("{key}.drop_paragraphs"))?,
        stop_at: regexes(&b.stop_at, &format!("{key}.stop_at"))?,
        drop_repeated_lead: b.drop_repeated_lead.unwrap_or(true),
        min_paragraphs: b.min_paragraphs.unwrap_or(1),
        required: b.required.unwrap_or(true),
    })
}

const DEFAULT_HEADINGS: &str = "h1, h2, h3, h4, h5, h6, th";

fn list(l: &RawList, key: &str) -> R<ListSpec> {
    let find = match (&l.heading, l.container.is_empty()) {
        (Some(h), true) => {
            let hs = match &l.heading_selector {
                Some(s) => selector(s, &format!("{key}.heading_selector"))?,
                None => Sel::parse(DEFAULT_HEADINGS).expect("static"),
            };
            let Some(block) = &l.block else {
                return err(key, None, "a list found by `heading` needs `block`: the selector of the block around the heading");
            };
            BlockFinder::Heading {
                text: crate::text::fold_key(h),
                shown: h.clone(),
                heading: hs,
                block: selector(block, &format!("{key}.block"))?,
                after: l
                    .items_after
                    .as_ref()
                    .map(|a| selector(a, &format!("{key}.items_after")).map(Box::new))
                    .transpose()?,
            }
        }
        (None, false) if l.items_after.is_some() => return err(
            &format!("{key}.items_after"),
            None,
            "`items_after` goes with `heading` and `block`: the block after the heading's block",
        ),
        (None, false) => {
            BlockFinder::Container(selectors(&l.container, &format!("{key}.container"))?)
        }
        (Some(_), false) => {
            return err(key, None, "give either `heading` or `container`, not both")
        }
        (None, true) => {
            return err(
                key,
                None,
                "a list needs `heading` (with `block`) or `container`",
            )
        }
    };
    if l.fields.is_empty() {
        return err(
            &format!("{key}.fields"),
            None,
            "a list needs at least one item field",
        );
    }
    let fields = fields(&l.fields, &format!("{key}.fields"))?;
    for f in &fields {
        for s in &f.steps {
            if let Step::Capture {
                into: Some(into), ..
            } = s
            {
                if fields.iter().any(|g| &g.name == into) {
                    return err(
                        &format!("{key}.fields.{}", f.name),
                        None,
                        format!("`into = \"{into}\"` names a field that is also selected; pick a new name"),
                    );
                }
            }
        }
    }
    Ok(ListSpec {
        name: l.name.clone(),
        find,
        item: selector(&l.item, &format!("{key}.item"))?,
        fields,
        min_items: l.min_items,
        expected: l.expected,
        dedupe: l.dedupe,
    })
}

/// A `generic = true` template: match rules (none: every page) and nothing
/// else; generic extraction finds the fields.
fn generic_template(t: &RawTemplate, key: &str, matcher: Matcher) -> R<Template> {
    if !t.fields.is_empty() || t.dateline.is_some() || t.body.is_some() || !t.lists.is_empty() {
        return err(
            key,
            None,
            "a generic template takes no fields, body, dateline or lists: generic \
             extraction finds them (write a template of your own to choose them)",
        );
    }
    if !t.emit {
        return err(
            key,
            None,
            "a generic template emits records (drop `emit = false`)",
        );
    }
    Ok(Template {
        name: t.name.clone(),
        emit: true,
        generic: true,
        matcher,
        fields: Vec::new(),
        dateline: None,
        body: None,
        lists: Vec::new(),
    })
}

fn template(t: &RawTemplate, key: &str) -> R<Template> {
    let matcher = Matcher {
        url: regexes(&t.matcher.url, &format!("{key}.match.url"))?,
        present: selectors(&t.matcher.present, &format!("{key}.match.present"))?,
        absent: selectors(&t.matcher.absent, &format!("{key}.match.absent"))?,
    };
    if t.generic {
        return generic_template(t, key, matcher);
    }
    if matcher.url.is_empty() && matcher.present.is_empty() && matcher.absent.is_empty() {
        return err(
            &format!("{key}.match"),
            None,
            "a template needs at least one match rule (url, present or absent)",
        );
    }
    let fields = fields(&t.fields, &format!("{key}.fields"))?;
    let mut seen = std::collections::HashSet::new();
    for l in &t.lists {
        if !seen.insert(l.name.as_str()) {
            return err(
                &format!("{key}.list"),
                None,
                format!("two lists are named `{}`", l.name),
            );
        }
    }
    if t.emit && !fields.iter().any(|f| f.name == "title") {
        return err(
            &format!("{key}.fields"),
            None,
            "an emitting template needs a `title` field",
        );
    }
    for f in &fields {
        if f.name == "published" && f.list {
            return err(
                &format!("{key}.fields.published"),
                None,
                "`published` is a single value",
            );
        }
    }
    Ok(Template {
        name: t.name.clone(),
        emit: t.emit,
        generic: false,
        matcher,
        fields,
        dateline: t
            .dateline
            .as_ref()
            .map(|d| dateline(d, &format!("{key}.dateline")))
            .transpose()?,
        body: t
            .body
            .as_ref()
            .map(|b| body(b, &format!("{key}.body")))
            .transpose()?,
        lists: t
            .lists
            .iter()
            .enumerate()
            .map(|(i, l)| list(l, &format!("{key}.list[{i}]")))
            .collect::<R<_>>()?,
    })
}

/// `[site] locale`: a tag whose language (or language and script) CLDR tables exist for.
fn site_locale(l: &Spanned<String>) -> R<&'static crate::dates::locale::Locale> {
    use crate::dates::locale::Locale;
    Locale::get(l.get_ref()).ok_or_else(|| {
        let known = Locale::known().collect::<Vec<_>>().join(", ");
        CompileError::new(
            "site.locale",
            Some(l.span()),
            format!(
                "unknown locale `{}`: use one of {known} (a region such as `de-AT` may follow), or remove the key to use each page's <html lang>",
                l.get_ref()
            ),
        )
    })
}

/// Compile a parsed profile. `path` is only used for the profile's identity.
pub fn compile(raw: &RawProfile, path: &Path) -> R<Profile> {
    let base_url = match &raw.site.base_url {
        Some(u) => Some(
            Url::parse(u.get_ref())
                .or_else(|e| err("site.base_url", Some(u.span()), format!("invalid URL: {e}")))?,
        ),
        None => None,
    };
    let encoding = match &raw.decode.encoding {
        Some(l) => Some(
            encoding_rs::Encoding::for_label(l.get_ref().trim().as_bytes()).ok_or_else(|| {
                CompileError::new(
                    "decode.encoding",
                    Some(l.span()),
                    format!("unknown encoding `{}`", l.get_ref()),
                )
            })?,
        ),
        None => None,
    };
    let locale = match &raw.site.locale {
        Some(l) => Some(site_locale(l)?),
        None => None,
    };
    if raw.templates.is_empty() {
        return err(
            "template",
            None,
            "a profile needs at least one [[template]]",
        );
    }
    let mut names = std::collections::HashSet::new();
    let mut templates = Vec::new();
    for t in &raw.templates {
        if !names.insert(t.name.as_str()) {
            return err(
                "template",
                None,
                format!("two templates are named `{}`", t.name),
            );
        }
        templates.push(template(t, &format!("template.{}", t.name))?);
    }
    let crawl = match &raw.crawl {
        Some(c) => Some(crate::profile::crawl::compile(c, "crawl")?),
        None => None,
    };
    let output = match &raw.output {
        Some(o) => crate::profile::output::compile(o, "output")?,
        None => crate::profile::output::OutputSpec::default(),
    };
    let media = crate::profile::media::compile(
        raw.media.as_ref(),
        "media",
        &crate::profile::media::site_hosts(base_url.as_ref(), crawl.as_ref()),
    )?;
    let mut index_keys = crate::profile::sel::IndexKeys::default();
    for sel in templates.iter().flat_map(|t| t.selectors()) {
        index_keys.add(sel);
    }
    let attr_keep = crate::extract::attrs::AttrKeep::of_selectors(
        templates
            .iter()
            .flat_map(|t| t.selectors())
            .map(|s| s.css.as_str())
            .chain(crate::extract::CODE_SELECTORS.iter().copied()),
    );
    Ok(Profile {
        name: raw.site.name.clone(),
        path: path.to_path_buf(),
        base_url,
        encoding,
        repair_mojibake: raw.decode.repair_mojibake.unwrap_or(true),
        locale,
        crawl,
        templates,
        output,
        media,
        index_keys,
        attr_keep,
    })
}

#[cfg(test)]
mod tests {
    use super::attr_shorthand;

    #[test]
    fn attribute_shorthand_is_told_from_selectors() {
        assert_eq!(
            attr_shorthand("meta[property='og:image']@content"),
            Some(("meta[property='og:image']", "content"))
        );
        assert_eq!(attr_shorthand("a.x @ data-src"), Some(("a.x", "data-src")));
        assert_eq!(
            attr_shorthand("a[href='mailto:a@b.org']"),
            None,
            "inside quotes"
        );
        assert_eq!(
            attr_shorthand("a[href*=\"@\"]@href"),
            Some(("a[href*=\"@\"]", "href"))
        );
        assert_eq!(
            attr_shorthand(".hover\\@lg"),
            None,
            "an escaped @ is part of a class"
        );
        assert_eq!(attr_shorthand("h1.entry-title"), None);
        assert_eq!(attr_shorthand("@content"), None, "no selector");
        assert_eq!(attr_shorthand("img@1bad"), None, "not an attribute name");
    }
}
