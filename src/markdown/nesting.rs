//! How deeply HTML elements nest, counted without building a tree.
//!
//! The HTML minifier and browsers walk the element tree recursively, so text nested thousands
//! of levels deep (`>>>>>…`, `*****…`, `<div><div>…`) would overflow the stack. Markdown
//! rendering stops such a document with an error at the line where the limit is crossed, and
//! the minifier leaves alone any page deeper than [`MINIFY_LIMIT`] rather than crash on it.

/// The deepest nesting a document's text may have: blockquotes, lists, emphasis, links and
/// HTML elements together. Real documents stay under ten; a hundred leaves room for any
/// honest use.
pub const MARKDOWN_LIMIT: usize = 100;

/// Pages nested deeper than this are written as rendered, without minification. Templates add
/// a dozen or two levels to a body of at most [`MARKDOWN_LIMIT`].
pub const MINIFY_LIMIT: usize = 400;

/// Elements that never have a closing tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Elements whose content is raw text, where `<` does not start a tag.
const RAW_TEXT: &[&str] = &["script", "style"];

/// One tag found by [`tags`].
#[derive(Debug, PartialEq)]
enum TagKind {
    Open,
    Close,
}

/// Calls `visit` for every opening or closing tag of a non-void element in `html`, skipping
/// comments, doctypes, self-closing tags and the content of `script` and `style`.
fn tags(html: &[u8], mut visit: impl FnMut(TagKind) -> bool) {
    let mut i = 0;
    while let Some(found) = memchr_lt(&html[i..]) {
        i += found + 1;
        let rest = &html[i..];
        if rest.starts_with(b"!--") {
            i += find(rest, b"-->").map_or(rest.len(), |e| e + 3);
            continue;
        }
        let (kind, name_start) = match rest.first() {
            Some(b'/') => (TagKind::Close, 1),
            Some(c) if c.is_ascii_alphabetic() => (TagKind::Open, 0),
            _ => continue,
        };
        let name_len = rest[name_start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
            .count();
        // Compared in place, without allocating: this runs over every tag of every page.
        let name = &rest[name_start..name_start + name_len];
        let is = |known: &&str| name.eq_ignore_ascii_case(known.as_bytes());
        let end = find(rest, b">").unwrap_or(rest.len());
        let self_closing = end > 0 && rest[end - 1] == b'/';
        i += end.min(rest.len());
        if VOID.iter().any(is) || (kind == TagKind::Open && self_closing) {
            continue;
        }
        if kind == TagKind::Open && RAW_TEXT.iter().any(is) {
            let after = &html[i..];
            // Past the closing tag too: the raw-text element opens and closes as a unit.
            let skip = find_closing_tag(after, name).unwrap_or(after.len());
            i += skip;
            continue;
        }
        if !visit(kind) {
            return;
        }
    }
}

/// The change in open elements across an HTML fragment (`<div><p>` is +2, `</div>` is -1),
/// and the most elements open at once inside it (`<b></b><i><i></i>` is +1 and 2).
pub fn depth_change(html: &str) -> (isize, isize) {
    let mut change = 0;
    let mut peak = 0;
    tags(html.as_bytes(), |kind| {
        change += if kind == TagKind::Open { 1 } else { -1 };
        peak = peak.max(change);
        true
    });
    (change, peak)
}

/// Whether elements in `html` nest deeper than `limit` anywhere. Stops at the first place
/// they do.
pub fn deeper_than(html: &[u8], limit: usize) -> bool {
    let mut depth: usize = 0;
    let mut too_deep = false;
    tags(html, |kind| {
        match kind {
            TagKind::Open => depth += 1,
            TagKind::Close => depth = depth.saturating_sub(1),
        }
        too_deep = depth > limit;
        !too_deep
    });
    too_deep
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(b'<', bytes)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// Where `</name` (any case) ends in `haystack`: only `<` are visited, with memchr.
fn find_closing_tag(haystack: &[u8], name: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'<', haystack).find_map(|at| {
        let rest = &haystack[at + 1..];
        let matches = rest.first() == Some(&b'/')
            && rest.len() > name.len()
            && rest[1..=name.len()].eq_ignore_ascii_case(name);
        matches.then_some(at + 2 + name.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_opening_and_closing_tags_of_real_elements() {
        assert_eq!(depth_change("<div><p>"), (2, 2));
        assert_eq!(depth_change("</p></div>"), (-2, 0));
        assert_eq!(depth_change("<b></b><i><i></i>"), (1, 2));
        assert_eq!(depth_change("<br><img src=x><hr/><x-y/>"), (0, 0));
        assert_eq!(depth_change("<!-- <div> --><span>"), (1, 1));
        assert_eq!(depth_change("a < b and c<3"), (0, 0));
        assert_eq!(depth_change("<script>if (a<b) {}</script>"), (0, 0));
        assert_eq!(depth_change("<SCRIPT>a<b</Script><p>"), (1, 1));
        assert_eq!(depth_change("<style>p<x{}"), (0, 0));
    }

    #[test]
    fn finds_deep_nesting_and_stops_there() {
        let deep = "<div>".repeat(500) + &"</div>".repeat(500);
        assert!(deeper_than(deep.as_bytes(), 400));
        assert!(!deeper_than(deep.as_bytes(), 500));
        let flat = "<p>a</p>".repeat(10_000);
        assert!(!deeper_than(flat.as_bytes(), 2));
    }
}
