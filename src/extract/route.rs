//! Routing: which template of the profile a parsed page belongs to. The
//! templates are tried in profile order; the first whose match rules (URL
//! patterns, selectors present and absent) all hold wins. A `generic`
//! template is tried only when no other one matches; with none, no match
//! is an unmatched page, never a guess.

use url::Url;

use super::index::DocIndex;
use super::Trace;
use crate::profile::{Profile, Template};

/// Choose the template of a parsed page.
pub fn route<'p>(
    ix: &DocIndex<'_>,
    url: &Url,
    profile: &'p Profile,
    trace: &mut Trace,
) -> Option<&'p Template> {
    let own = profile.templates.iter().filter(|t| !t.generic);
    let generic = profile.templates.iter().filter(|t| t.generic);
    for t in own.chain(generic) {
        let m = &t.matcher;
        if !m.url.is_empty() && !m.url.iter().any(|re| re.is_match(url.as_str())) {
            trace.log(|| format!("template `{}`: URL does not match", t.name));
            continue;
        }
        if let Some(s) = m.present.iter().find(|s| ix.select_all(s).next().is_none()) {
            trace.log(|| format!("template `{}`: `{}` is not present", t.name, s.css));
            continue;
        }
        if let Some(s) = m.absent.iter().find(|s| ix.select_all(s).next().is_some()) {
            trace.log(|| format!("template `{}`: `{}` is present", t.name, s.css));
            continue;
        }
        trace.log(|| format!("template `{}` matches", t.name));
        return Some(t);
    }
    None
}
