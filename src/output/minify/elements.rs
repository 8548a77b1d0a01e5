//! Finds the elements of a page that minify-html would minify the same way on their own as
//! inside the page, so that an element repeated from page to page (the header's tools, the
//! search form, the footer, a document's card on every list) is minified once per build.
//!
//! minify-html parses a page into a tree before it minifies it, and a few of its parsing
//! decisions depend on the elements around the one being parsed: an opening `<div>` closes an
//! open `<p>`, a stray closing tag is dropped, an unclosed element is closed by its parent's
//! closing tag, a second `<body>` is ignored. This scanner follows the same rules (with the
//! same character tables and tag-omission rules, from `minify-html-common`) and gives up on
//! any page where one of those context-dependent decisions would be taken: a page whose every
//! element is explicitly closed where it was opened is *regular*, and its tree is the obvious
//! one. Templates and Markdown write regular pages; anything else is minified whole, as before.
//!
//! In a regular page, an element is *reusable*, its minified form the same wherever it stands,
//! when it is in the HTML namespace, not inside `<pre>` (whose content keeps its spaces), and
//! contains no `<html>`, `<head>` or `<body>` tag (minify-html keeps only the first of each, a
//! document-wide state). Why that is enough:
//! - Parsing the element alone gives the same subtree. Inside it, every decision depends on
//!   names inside it, except two that look at its parent: whether its opening tag closes the
//!   parent (the scanner saw that it does not, and alone there is no parent to close), and
//!   whether a closing tag named like the parent closes it (in a regular page the only closing
//!   tag directly inside it is its own).
//! - With closing tags kept, minify-html writes an element the same way whatever its parent:
//!   the parent is only consulted to omit closing tags. The element's content follows the
//!   whitespace rules of the element's own name.
//! - The parent's whitespace rules (collapse, trim, drop whitespace-only text) look at whether
//!   a sibling is an element, never at which one. So the element can be swapped for a
//!   placeholder element, the rest of the page minified, and the element's minified form put
//!   where the placeholder comes out (see [`super::Minifier`]).

use minify_html_common::gen::codepoints::{
    NOT_UNQUOTED_ATTR_VAL_CHAR, TAG_NAME_CHAR, WHITESPACE, WHITESPACE_OR_SLASH,
    WHITESPACE_OR_SLASH_OR_EQUALS_OR_RIGHT_CHEVRON,
};
use minify_html_common::spec::tag::omission::{can_omit_as_before, can_omit_as_last_node};
use minify_html_common::spec::tag::void::VOID_TAGS;
use std::ops::Range;

/// The outcome of scanning a page.
#[derive(Debug, PartialEq)]
pub enum Scan {
    /// Every element is closed where it was opened: the byte ranges of the reusable elements
    /// at least as long as asked, sorted by where they start (so an element comes before the
    /// ones inside it).
    Regular(Vec<Range<usize>>),
    /// Some parsing decision depends on context, or elements nest deeper than the limit: the
    /// page must be minified whole.
    Irregular,
}

/// An element whose closing tag has not been reached yet.
struct Open {
    start: usize,
    name: Range<usize>,
    /// In the SVG namespace (minify-html knows no other foreign one).
    svg: bool,
    /// Its content is inside a `<pre>` (or is one), where whitespace is kept.
    in_pre: bool,
    reusable: bool,
}

/// Scans `html` as minify-html's parser would, listing the reusable elements of at least
/// `min_len` bytes. `max_depth` bounds the elements open at once (beyond it, the page is
/// irregular: the minifier's recursive parser must not be given it).
pub fn scan(html: &[u8], min_len: usize, max_depth: usize) -> Scan {
    match scan_regular(html, min_len, max_depth) {
        Some(mut spans) => {
            spans.sort_unstable_by_key(|span| span.start);
            Scan::Regular(spans)
        }
        None => Scan::Irregular,
    }
}

fn scan_regular(html: &[u8], min_len: usize, max_depth: usize) -> Option<Vec<Range<usize>>> {
    let mut spans = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut seen_document_tags = [false; 3];
    let mut head_closed = false;
    let mut i = 0;
    while let Some(found) = memchr::memchr(b'<', &html[i..]) {
        let lt = i + found;
        let rest = &html[lt + 1..];
        match rest.first() {
            Some(b'/') => {
                let name = tag_name(html, lt + 2);
                if name.is_empty() || has_uppercase(&html[name.clone()]) {
                    return None;
                }
                let name_bytes = &html[name.clone()];
                let open = stack.last()?;
                let parent = &html[open.name.clone()];
                let grandparent = stack
                    .len()
                    .checked_sub(2)
                    .map_or(&b""[..], |g| &html[stack[g].name.clone()]);
                if (grandparent == name_bytes && can_omit_as_last_node(grandparent, parent))
                    || VOID_TAGS.contains(name_bytes)
                    || parent != name_bytes
                {
                    return None;
                }
                if name_bytes == b"head" {
                    if head_closed {
                        return None;
                    }
                    head_closed = true;
                }
                let end = tag_end(html, name.end)?.0;
                let open = stack.pop()?;
                if open.reusable && end - open.start >= min_len {
                    spans.push(open.start..end);
                }
                i = end;
            }
            Some(b'!') => {
                i = if starts_with_ignore_case(rest, b"!--") {
                    lt + 4 + find(&html[lt + 4..], b"-->")? + 3
                } else {
                    // A doctype or another `<!…>`: up to the next `>`.
                    lt + 2 + memchr::memchr(b'>', &html[lt + 2..])? + 1
                };
            }
            Some(b'?') => i = lt + 2 + find(&html[lt + 2..], b"?>")? + 2,
            Some(&c) if TAG_NAME_CHAR[c] => {
                let name = tag_name(html, lt + 1);
                let name_bytes = &html[name.clone()];
                if has_uppercase(name_bytes) {
                    return None;
                }
                let (parent_name, parent_svg, parent_in_pre) = match stack.last() {
                    Some(p) => (&html[p.name.clone()], p.svg, p.in_pre),
                    None => (&b""[..], false, false),
                };
                if can_omit_as_before(parent_name, name_bytes) {
                    return None;
                }
                let document_tag = [&b"html"[..], b"head", b"body"]
                    .iter()
                    .position(|tag| *tag == name_bytes);
                if let Some(which) = document_tag {
                    if seen_document_tags[which] {
                        return None;
                    }
                    seen_document_tags[which] = true;
                    for open in &mut stack {
                        open.reusable = false;
                    }
                }
                let (end, self_closing) = tag_end(html, name.end)?;
                let svg = name_bytes == b"svg" || parent_svg;
                i = end;
                if (self_closing && svg) || VOID_TAGS.contains(name_bytes) {
                    continue;
                }
                let raw_text_end: Option<&[u8]> = match name_bytes {
                    b"script" => Some(b"</script"),
                    b"style" => Some(b"</style"),
                    b"textarea" if !svg => Some(b"</textarea"),
                    b"title" if !svg => Some(b"</title"),
                    _ => None,
                };
                if let Some(closing) = raw_text_end {
                    let closing_at = end + find_ignore_case(&html[end..], closing)?;
                    i = tag_end(html, closing_at + closing.len())?.0;
                    continue;
                }
                if stack.len() >= max_depth {
                    return None;
                }
                let reusable = !parent_svg && !parent_in_pre && document_tag.is_none();
                stack.push(Open {
                    start: lt,
                    name,
                    svg,
                    in_pre: parent_in_pre || (!svg && name_bytes == b"pre"),
                    reusable,
                });
            }
            // A `<` that starts no markup is text.
            _ => i = lt + 1,
        }
    }
    // An element left open would be closed by the parser at the end, by context.
    stack.is_empty().then_some(spans)
}

/// The range of the tag name starting at `from` (minify-html's tag name characters).
pub(super) fn tag_name(html: &[u8], from: usize) -> Range<usize> {
    let len = html[from.min(html.len())..]
        .iter()
        .take_while(|&&c| TAG_NAME_CHAR[c])
        .count();
    from..from + len
}

/// Where the tag whose name ends at `from` ends (just past its `>`), and whether it was
/// written self-closing (`/>`), reading attributes as minify-html does, quoted values
/// included. `None` when the page ends inside the tag.
pub(super) fn tag_end(html: &[u8], mut at: usize) -> Option<(usize, bool)> {
    let at_end = |at: usize| at >= html.len();
    loop {
        let mut last = None;
        while !at_end(at) && WHITESPACE_OR_SLASH[html[at]] {
            last = Some(html[at]);
            at += 1;
        }
        if at_end(at) {
            return None;
        }
        if html[at] == b'>' {
            return Some((at + 1, last == Some(b'/')));
        }
        // An attribute name: its first character may be anything but whitespace or `/`.
        at += 1;
        while !at_end(at) && !WHITESPACE_OR_SLASH_OR_EQUALS_OR_RIGHT_CHEVRON[html[at]] {
            at += 1;
        }
        while !at_end(at) && WHITESPACE[html[at]] {
            at += 1;
        }
        if at_end(at) || html[at] != b'=' {
            continue;
        }
        at += 1;
        while !at_end(at) && WHITESPACE[html[at]] {
            at += 1;
        }
        match html.get(at) {
            Some(&quote @ (b'"' | b'\'')) => {
                at += 1;
                at += memchr::memchr(quote, &html[at..])? + 1;
            }
            _ => {
                while !at_end(at) && !NOT_UNQUOTED_ATTR_VAL_CHAR[html[at]] {
                    at += 1;
                }
            }
        }
    }
}

fn has_uppercase(name: &[u8]) -> bool {
    name.iter().any(u8::is_ascii_uppercase)
}

fn starts_with_ignore_case(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes.len() >= prefix.len() && bytes[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// Where `needle` (lowercase ASCII, starting with `<`) first occurs in `haystack`, in any case.
pub(super) fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'<', haystack).find(|&at| starts_with_ignore_case(&haystack[at..], needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(html: &str) -> Vec<&str> {
        match scan(html.as_bytes(), 0, 400) {
            Scan::Regular(spans) => spans.into_iter().map(|s| &html[s]).collect(),
            Scan::Irregular => panic!("irregular: {html}"),
        }
    }

    fn irregular(html: &str) -> bool {
        scan(html.as_bytes(), 0, 400) == Scan::Irregular
    }

    #[test]
    fn lists_elements_outermost_first() {
        let page = "<!doctype html><html><head><title>a <div> b</title></head><body>\
                    <header><nav><ul><li><a href=\"/x>y\">x</a></li></ul></nav></header>\
                    <main><p>text <b>bold</b><br></p><div class=card>c</div></main></body></html>";
        assert_eq!(
            spans(page),
            [
                "<header><nav><ul><li><a href=\"/x>y\">x</a></li></ul></nav></header>",
                "<nav><ul><li><a href=\"/x>y\">x</a></li></ul></nav>",
                "<ul><li><a href=\"/x>y\">x</a></li></ul>",
                "<li><a href=\"/x>y\">x</a></li>",
                "<a href=\"/x>y\">x</a>",
                "<main><p>text <b>bold</b><br></p><div class=card>c</div></main>",
                "<p>text <b>bold</b><br></p>",
                "<b>bold</b>",
                "<div class=card>c</div>",
            ]
        );
        // Only the elements of at least 60 bytes: the header (66) and the main element (63).
        let Scan::Regular(long) = scan(page.as_bytes(), 60, 400) else {
            panic!("irregular")
        };
        let long: Vec<&str> = long.into_iter().map(|s| &page[s]).collect();
        assert!(
            long.len() == 2 && long[0].starts_with("<header>") && long[1].starts_with("<main>")
        );
    }

    #[test]
    fn skips_raw_text_comments_and_foreign_or_preformatted_content() {
        let page = "<body><script>if (a<b) { x = '</div>' }</script><!-- <div> -->\
                    <svg><g></g><path d=x /></svg><pre><div> kept </div></pre>\
                    <style>p<x{}</STYLE ></body>";
        assert_eq!(
            spans(page),
            [
                "<svg><g></g><path d=x /></svg>",
                "<pre><div> kept </div></pre>"
            ]
        );
        assert_eq!(
            spans("<div/></div>"),
            ["<div/></div>"],
            "`/>` means nothing in HTML"
        );
    }

    #[test]
    fn gives_up_where_the_parser_decides_by_context() {
        // An implied closing tag, a stray one, one left open, a second <body>.
        assert!(irregular("<p>a<div>b</div></p>"));
        assert!(irregular("<ul><li>a<li>b</ul>"));
        assert!(irregular("<div>a</span></div>"));
        assert!(irregular("<div><div>a</div>"));
        assert!(irregular("<body><div><body></div></body>"));
        assert!(irregular("<DIV>a</DIV>"));
        assert!(irregular("<div title=\"never closed>"));
        assert!(irregular(&"<div>".repeat(401)));
    }

    #[test]
    fn elements_around_document_tags_are_not_reusable() {
        assert_eq!(spans("<div><html></html></div>"), Vec::<&str>::new());
    }
}
