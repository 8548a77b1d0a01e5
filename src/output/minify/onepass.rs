//! A one-pass minifier for regular pages (see [`super::elements`]): the bytes minify-html
//! writes, several times faster.
//!
//! minify-html parses a page into a tree of owned nodes (a hash map and a vector per element,
//! a vector per text and attribute value), then walks it, running automata over every attribute
//! value three times to pick its quoting. On the tag-dense pages of a site (switchers, lists of
//! cards, "not available" pages) that came to about 40 MB/s, close to half of all the time spent
//! rendering pages. This pass reads the page once, keeps only the stack of open elements and the
//! text node being read, and writes as it goes: attribute values without special characters,
//! nearly all of them, are written as they are.
//!
//! It follows minify-html's rules (with its tables: `minify-html-common`'s character classes,
//! entities, whitespace rules per element, attribute rules and tag-omission rules), for the
//! settings of [`super::config`]. A page it is not sure about is handed back (`None`) and
//! minify-html does it: any parsing decision taken by context (as [`super::elements`] defines
//! it), a `<style>` element or `style` attribute (CSS minification), `<textarea>`, `<?…>` and
//! `<!…>` other than comments and the doctype, an attribute given twice, a title holding `</`,
//! U+20D2 (a combining mark minify-html writes back as part of an entity). Debug builds, hence
//! every test, check each page against minify-html.

use crate::markdown::typography::{TypesetLine, Typesetter};
use crate::seen::{LineMemo, Slot};
use minify_html_common::gen::attrs::ATTRS;
use minify_html_common::gen::codepoints::{
    ALPHANUMERIC_OR_EQUALS, DIGIT, HEX_DIGIT, NOT_UNQUOTED_ATTR_VAL_CHAR, TAG_NAME_CHAR,
    WHITESPACE, WHITESPACE_OR_SLASH, WHITESPACE_OR_SLASH_OR_EQUALS_OR_RIGHT_CHEVRON,
};
use minify_html_common::gen::entities::{EntityType, ENTITY};
use minify_html_common::pattern::TrieNodeMatch;
use minify_html_common::spec::script::JAVASCRIPT_MIME_TYPES;
use minify_html_common::spec::tag::ns::Namespace;
use minify_html_common::spec::tag::omission::{can_omit_as_before, can_omit_as_last_node};
use minify_html_common::spec::tag::whitespace::{
    get_whitespace_minification_for_tag, WhitespaceMinification,
};
use std::hash::BuildHasher;
use std::ops::Range;

use super::elements::{find_ignore_case, tag_end, tag_name};

/// Minifies a page in one pass, or returns `None` for minify-html to do it (see the module
/// documentation). `max_depth` bounds the elements open at once, as for [`super::elements`].
pub fn minify(html: &[u8], max_depth: usize, memo: Option<&mut Memo>) -> Option<Vec<u8>> {
    minify_typeset(html, None, max_depth, memo)
}

/// Typesets a page in `lang` ([`crate::markdown::typography`]) and minifies it, in one pass: the
/// bytes [`minify`] writes for the page [`typography::apply_html`] makes, or `None` for the
/// caller to do those two (see [`Typesetter`] for the pages it gives up).
///
/// [`typography::apply_html`]: crate::markdown::typography::apply_html
pub fn typeset_and_minify(
    html: &str,
    lang: &str,
    max_depth: usize,
    memo: Option<&mut Memo>,
) -> Option<Vec<u8>> {
    let typeset = Typesetter::of(html, lang);
    minify_typeset(html.as_bytes(), typeset, max_depth, memo)
}

fn minify_typeset<'a>(
    html: &'a [u8],
    typeset: Option<Typesetter<'a>>,
    max_depth: usize,
    memo: Option<&'a mut Memo>,
) -> Option<Vec<u8>> {
    // The two sequences minify-html writes as entities because they are shorter that way.
    if memchr::memmem::find(html, "\u{20D2}".as_bytes()).is_some() {
        return None;
    }
    let mut pass = Pass {
        typeset,
        memo,
        recording: None,
        html,
        out: Vec::with_capacity(html.len()),
        stack: vec![Frame::root()],
        text: Vec::new(),
        pending: None,
        document_tags: [false; 3],
        head_closed: false,
        raw: Vec::new(),
        attributes: Vec::new(),
        names: Vec::new(),
        name_ranges: Vec::new(),
        values: Vec::new(),
        value: Vec::new(),
        encoded: Vec::new(),
        max_depth,
    };
    pass.run()?;
    Some(pass.out)
}

/// An open element, and what its content's whitespace rules need to know.
#[derive(Clone)]
struct Frame {
    /// Its name in the page (empty for the document itself).
    name: Range<usize>,
    /// The namespace of its content.
    ns: Namespace,
    /// Its content is inside a `<pre>` (or is one).
    in_pre: bool,
    rules: &'static WhitespaceMinification,
    /// A text or element child has been met.
    has_child: bool,
    /// A hash of this element's name, namespace and `<pre>` state and of every element it is
    /// in: with the top frame's `has_child`, all of the stack a [`Memo`] needs to know.
    lineage: u64,
}

impl Frame {
    fn root() -> Frame {
        Frame {
            name: 0..0,
            ns: Namespace::Html,
            in_pre: false,
            rules: get_whitespace_minification_for_tag(Namespace::Html, b"", false),
            has_child: false,
            lineage: 0,
        }
    }
}

/// A text node read but not written: whether it is its parent's last child is known only at
/// the next markup. The text itself is in [`Pass::text`], decoded.
struct Pending {
    first: bool,
    /// A comment ended it: text after the comment is another node.
    ended: bool,
}

/// An attribute, minified, waiting for its element's attributes to be sorted.
struct Attribute {
    /// Its name, lowercased, in [`Pass::names`].
    name: Range<usize>,
    /// Written with quotes: such attributes come first.
    quoted: bool,
    /// `=` and the value as written, in [`Pass::values`]; empty for an attribute written
    /// without a value.
    value: Range<usize>,
}

struct Pass<'a> {
    html: &'a [u8],
    /// The page's typography, applied to its text as it is read; `None` for a page minified
    /// as it is.
    typeset: Option<Typesetter<'a>>,
    memo: Option<&'a mut Memo>,
    /// The line being minified to be remembered by the memo, if any.
    recording: Option<Recording>,
    out: Vec<u8>,
    stack: Vec<Frame>,
    text: Vec<u8>,
    pending: Option<Pending>,
    /// `<html>`, `<head>` and `<body>` met (minify-html ignores a second one).
    document_tags: [bool; 3],
    head_closed: bool,
    /// The current tag's attributes: as read (name, value), then minified.
    raw: Vec<(Range<usize>, Option<Range<usize>>)>,
    attributes: Vec<Attribute>,
    /// The current tag's attribute names, lowercased, end to end, and where each one is.
    names: Vec<u8>,
    name_ranges: Vec<Range<usize>>,
    /// The current tag's attribute values as they are to be written, end to end.
    values: Vec<u8>,
    /// Scratch space for an attribute value, decoded, then encoded.
    value: Vec<u8>,
    encoded: Vec<u8>,
    max_depth: usize,
}

impl Pass<'_> {
    fn run(&mut self) -> Option<()> {
        let html = self.html;
        let mut at = 0;
        loop {
            if self.memo.is_some() {
                at = self.remembered(at);
            }
            // Most tags follow a tag: that case is told apart without `memchr`'s set-up.
            let next_tag = match html.get(at) {
                Some(b'<') => Some(0),
                _ => memchr::memchr(b'<', &html[at..]),
            };
            let Some(found) = next_tag else {
                self.read_text(at..html.len())?;
                break;
            };
            let lt = at + found;
            match html.get(lt + 1) {
                Some(b'/') => {
                    self.read_text(at..lt)?;
                    at = self.closing_tag(lt)?;
                }
                Some(b'!') => {
                    self.read_text(at..lt)?;
                    at = self.bang(lt)?;
                }
                Some(&c) if TAG_NAME_CHAR[c] => {
                    self.read_text(at..lt)?;
                    at = self.opening_tag(lt)?;
                }
                Some(b'?') => return None,
                // A `<` that starts no markup is text; the text node goes on after it. The
                // typography reads it as markup: such a page is typeset on its own.
                _ => {
                    if self.typeset.is_some() {
                        return None;
                    }
                    self.read_text(at..lt + 1)?;
                    at = lt + 1;
                    continue;
                }
            }
            if self.recording.as_ref().is_some_and(|r| at >= r.end) {
                self.remember(at);
            }
        }
        // Every element closed where it was opened: only the document is left.
        if self.stack.len() != 1 {
            return None;
        }
        self.write_text(true);
        Some(())
    }

    /// Adds text of the page to the text node being read (a `<` starting no markup does not
    /// end it), decoding its entities as minify-html does.
    fn read_text(&mut self, range: Range<usize>) -> Option<()> {
        if range.is_empty() {
            return Some(());
        }
        if self.pending.as_ref().is_some_and(|p| p.ended) {
            self.write_text(false);
        }
        if self.pending.is_none() {
            let frame = self.stack.last_mut().expect("the document's frame");
            self.pending = Some(Pending {
                first: !frame.has_child,
                ended: false,
            });
            frame.has_child = true;
            self.text.clear();
        }
        match &mut self.typeset {
            Some(typeset) => decode(typeset.text(range), false, &mut self.text),
            None => decode(&self.html[range], false, &mut self.text),
        }
    }

    /// Tells the typography of the markup from `at` to `end`: `None` when it would read it
    /// otherwise, and the page is to be typeset on its own. `quotes_paired` says that every
    /// quote in it delimits an attribute value: the typography then ends it where this pass
    /// did, at the first `>` outside them, and that need not be checked.
    fn typeset_markup(&mut self, at: usize, end: usize, quotes_paired: bool) -> Option<()> {
        match &mut self.typeset {
            Some(typeset) => typeset.markup(at, end, quotes_paired).then_some(()),
            None => Some(()),
        }
    }

    /// Whether every quote of the tag whose attributes [`Pass::attributes`] just read delimits
    /// a quoted value (none in a name or in an unquoted value).
    fn quotes_paired(&self) -> bool {
        let html = self.html;
        self.raw.iter().all(|(name, value)| {
            !has_quote(&html[name.clone()])
                && value.as_ref().is_none_or(|value| {
                    // A quoted value's range leaves its quotes out; an unquoted one follows `=`
                    // or whitespace.
                    let quoted = value.start > 0 && matches!(html[value.start - 1], b'"' | b'\'');
                    quoted || !has_quote(&html[value.clone()])
                })
        })
    }

    /// Writes the text node read so far, if any, with its parent's whitespace rules.
    fn write_text(&mut self, last: bool) {
        let Some(pending) = self.pending.take() else {
            return;
        };
        let frame = self.stack.last().expect("the document's frame");
        let rules = frame.rules;
        let mut text = &self.text[..];
        if pending.first && rules.trim {
            text = trim_start(text);
        }
        let whole_whitespace = text.iter().all(|&c| WHITESPACE[c]);
        if rules.destroy_whole && whole_whitespace {
            return;
        }
        if last && rules.trim {
            // Trimming after collapsing removes what trimming before it would.
            text = trim_end(text);
        }
        let start = self.out.len();
        encode_entities(text, false, &mut self.out);
        if rules.collapse {
            collapse_from(&mut self.out, start);
        }
    }

    /// `<!--…-->` (dropped) or the doctype; anything else is left to minify-html.
    fn bang(&mut self, lt: usize) -> Option<usize> {
        let html = self.html;
        let rest = &html[lt..];
        if rest.starts_with(b"<!--") {
            let end = lt + 4 + memchr::memmem::find(&html[lt + 4..], b"-->")? + 3;
            // A comment ends a text node, though it is no child for the whitespace rules.
            if let Some(pending) = &mut self.pending {
                pending.ended = true;
            }
            self.typeset_markup(lt, end, false)?;
            return Some(end);
        }
        if rest.len() >= 9 && rest[..9].eq_ignore_ascii_case(b"<!doctype") {
            // Text before a doctype: whether it is the last child depends on what follows.
            if self.pending.is_some() {
                return None;
            }
            let mut at = lt + 9;
            at += count_while(&html[at..], |c| WHITESPACE[c]);
            if html.len() >= at + 4 && html[at..at + 4].eq_ignore_ascii_case(b"html") {
                at += 4;
            }
            at += count_while(&html[at..], |c| WHITESPACE[c]);
            let end = at + memchr::memchr(b'>', &html[at..])?;
            self.out.extend_from_slice(b"<!doctype html");
            if end > at {
                self.out.push(b' ');
                self.out.extend_from_slice(&html[at..end]);
            }
            self.out.push(b'>');
            self.typeset_markup(lt, end + 1, false)?;
            return Some(end + 1);
        }
        None
    }

    fn closing_tag(&mut self, lt: usize) -> Option<usize> {
        let html = self.html;
        let name = tag_name(html, lt + 2);
        let name_bytes = &html[name.clone()];
        if name_bytes.is_empty() || name_bytes.iter().any(u8::is_ascii_uppercase) {
            return None;
        }
        let depth = self.stack.len();
        // The document's frame has no closing tag.
        if depth < 2 {
            return None;
        }
        let parent = &html[self.stack[depth - 1].name.clone()];
        let grandparent = &html[self.stack[depth - 2].name.clone()];
        if (grandparent == name_bytes && can_omit_as_last_node(grandparent, parent))
            || is_void(name_bytes)
            || parent != name_bytes
        {
            return None;
        }
        if name_bytes == b"head" {
            if self.head_closed {
                return None;
            }
            self.head_closed = true;
        }
        let (end, _) = tag_end(html, name.end)?;
        self.typeset_markup(lt, end, !has_quote(&html[lt..end]))?;
        self.write_text(true);
        self.stack.pop();
        if let Some(recording) = &mut self.recording {
            recording.low = recording.low.min(self.stack.len());
        }
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(name_bytes);
        self.out.push(b'>');
        Some(end)
    }

    fn opening_tag(&mut self, lt: usize) -> Option<usize> {
        let html = self.html;
        let name = tag_name(html, lt + 1);
        let name_bytes = &html[name.clone()];
        if name_bytes.iter().any(u8::is_ascii_uppercase) {
            return None;
        }
        let parent = self.stack.last().expect("the document's frame");
        let (parent_ns, parent_in_pre) = (parent.ns, parent.in_pre);
        if can_omit_as_before(&html[parent.name.clone()], name_bytes) {
            return None;
        }
        if let Some(which) = [&b"html"[..], b"head", b"body"]
            .iter()
            .position(|tag| *tag == name_bytes)
        {
            if self.document_tags[which] {
                return None;
            }
            self.document_tags[which] = true;
        }
        let ns = match name_bytes {
            b"svg" => Namespace::Svg,
            _ => parent_ns,
        };
        if name_bytes == b"style"
            || (ns == Namespace::Html && name_bytes == b"textarea")
            || name_bytes == b"foreignobject"
        {
            return None;
        }
        self.write_text(false);
        self.stack
            .last_mut()
            .expect("the document's frame")
            .has_child = true;
        let (end, self_closing, script_type) = self.attributes(name.end, ns, name_bytes)?;
        if self.typeset.is_some() {
            self.typeset_markup(lt, end, self.quotes_paired())?;
        }
        let self_closed = self_closing && ns != Namespace::Html;
        self.write_start_tag(name_bytes, self_closed);
        if self_closed || is_void(name_bytes) {
            return Some(end);
        }
        match (ns, name_bytes) {
            (_, b"script") => return self.script(end, script_type),
            (Namespace::Html, b"title") => return self.title(end),
            _ => {}
        }
        if self.stack.len() >= self.max_depth {
            return None;
        }
        let in_pre = parent_in_pre || (ns == Namespace::Html && name_bytes == b"pre");
        let parent_lineage = self.stack.last().expect("the document's frame").lineage;
        self.stack.push(Frame {
            name,
            ns,
            in_pre,
            rules: get_whitespace_minification_for_tag(ns, name_bytes, in_pre),
            has_child: false,
            lineage: hasher().hash_one((parent_lineage, name_bytes, ns as u8, in_pre)),
        });
        Some(end)
    }

    /// Reads the attributes of the tag whose name ends at `at` into [`Pass::attributes`],
    /// minified. Returns where the tag ends, whether it was written self-closing, and how a
    /// `<script>`'s content is to be read.
    fn attributes(
        &mut self,
        mut at: usize,
        ns: Namespace,
        tag: &[u8],
    ) -> Option<(usize, bool, ScriptType)> {
        let html = self.html;
        self.attributes.clear();
        self.raw.clear();
        let self_closing = loop {
            let mut last = None;
            while at < html.len() && WHITESPACE_OR_SLASH[html[at]] {
                last = Some(html[at]);
                at += 1;
            }
            if at >= html.len() {
                return None;
            }
            if html[at] == b'>' {
                at += 1;
                break last == Some(b'/');
            }
            let name_start = at;
            at += 1;
            at += count_while(&html[at..], |c| {
                !WHITESPACE_OR_SLASH_OR_EQUALS_OR_RIGHT_CHEVRON[c]
            });
            let name = name_start..at;
            at += count_while(&html[at..], |c| WHITESPACE[c]);
            if html.get(at) != Some(&b'=') {
                self.raw.push((name, None));
                continue;
            }
            at += 1;
            at += count_while(&html[at..], |c| WHITESPACE[c]);
            let value = match html.get(at) {
                Some(&quote @ (b'"' | b'\'')) => {
                    let start = at + 1;
                    let close = start + memchr::memchr(quote, &html[start..])?;
                    at = close + 1;
                    start..close
                }
                _ => {
                    let start = at;
                    at += count_while(&html[at..], |c| !NOT_UNQUOTED_ATTR_VAL_CHAR[c]);
                    start..at
                }
            };
            self.raw.push((name, Some(value)));
        };
        // Names are compared lowercased, as minify-html keys them; a name given twice (the
        // last one wins there) and `style` (CSS minification) are left to minify-html.
        self.names.clear();
        let mut name_ranges = std::mem::take(&mut self.name_ranges);
        name_ranges.clear();
        for (name, _) in &self.raw {
            let start = self.names.len();
            self.names
                .extend(html[name.clone()].iter().map(u8::to_ascii_lowercase));
            let lowered = start..self.names.len();
            let bytes = &self.names[lowered.clone()];
            if bytes == b"style"
                || name_ranges
                    .iter()
                    .any(|r: &Range<usize>| &self.names[r.clone()] == bytes)
            {
                self.name_ranges = name_ranges;
                return None;
            }
            name_ranges.push(lowered);
        }
        let mut is_meta_viewport = false;
        let mut script_type = ScriptType::Trimmed;
        if tag == b"meta" || tag == b"script" {
            for (i, range) in name_ranges.iter().enumerate() {
                let name = &self.names[range.clone()];
                if name != b"name" && name != b"type" {
                    continue;
                }
                self.value.clear();
                if let Some(value) = &self.raw[i].1 {
                    // U+20D2 is caught when the values are decoded for writing.
                    let _ = decode(&html[value.clone()], true, &mut self.value);
                }
                let value = &self.value[..];
                match name {
                    b"name" if tag == b"meta" => {
                        is_meta_viewport = value.eq_ignore_ascii_case(b"viewport")
                    }
                    b"type" if value != b"module" && !JAVASCRIPT_MIME_TYPES.contains(value) => {
                        script_type = ScriptType::Data
                    }
                    _ => {}
                }
            }
        }
        self.values.clear();
        for (i, range) in name_ranges.iter().enumerate() {
            self.value.clear();
            if let Some(value) = &self.raw[i].1 {
                if decode(&html[value.clone()], true, &mut self.value).is_none() {
                    self.name_ranges = name_ranges;
                    return None;
                }
            }
            let start = self.values.len();
            let quoted = minify_attribute(
                ns,
                tag,
                &self.names[range.clone()],
                &mut self.value,
                is_meta_viewport,
                &mut self.encoded,
                &mut self.values,
            );
            if let Some(quoted) = quoted {
                self.attributes.push(Attribute {
                    name: range.clone(),
                    quoted,
                    value: start..self.values.len(),
                });
            }
        }
        self.name_ranges = name_ranges;
        Some((at, self_closing, script_type))
    }

    fn write_start_tag(&mut self, name: &[u8], self_closed: bool) {
        let Pass {
            out,
            attributes,
            names,
            values,
            ..
        } = self;
        out.push(b'<');
        out.extend_from_slice(name);
        attributes.sort_by(|a, b| {
            (!a.quoted, &names[a.name.clone()]).cmp(&(!b.quoted, &names[b.name.clone()]))
        });
        for attribute in attributes.iter() {
            out.push(b' ');
            out.extend_from_slice(&names[attribute.name.clone()]);
            out.extend_from_slice(&values[attribute.value.clone()]);
        }
        if self_closed {
            if attributes.last().is_some_and(|a| !a.quoted) {
                out.push(b' ');
            }
            out.push(b'/');
        }
        out.push(b'>');
    }

    /// A script's content, up to `</script` in any case: JSON and other data as written,
    /// scripts trimmed (minify-html's JavaScript minification is off).
    fn script(&mut self, start: usize, kind: ScriptType) -> Option<usize> {
        let html = self.html;
        let close = start + find_ignore_case(&html[start..], b"</script")?;
        let code = &html[start..close];
        if let Some(typeset) = &mut self.typeset {
            // The typography reads a script up to its first `<`, as text it leaves alone.
            if memchr::memchr(b'<', code).is_some() {
                return None;
            }
            typeset.text(start..close);
        }
        match kind {
            ScriptType::Data => self.out.extend_from_slice(code),
            ScriptType::Trimmed => self.out.extend_from_slice(trim_end(trim_start(code))),
        }
        let (end, _) = tag_end(html, close + b"</script".len())?;
        self.typeset_markup(close, end, !has_quote(&html[close..end]))?;
        self.out.extend_from_slice(b"</script>");
        Some(end)
    }

    /// A title's text: its entities decoded and encoded again, its whitespace kept.
    fn title(&mut self, start: usize) -> Option<usize> {
        let html = self.html;
        let close = start + find_ignore_case(&html[start..], b"</title")?;
        self.text.clear();
        match &mut self.typeset {
            Some(typeset) => {
                if memchr::memchr(b'<', &html[start..close]).is_some() {
                    return None;
                }
                decode(typeset.text(start..close), false, &mut self.text)?;
            }
            None => decode(&html[start..close], false, &mut self.text)?,
        }
        if memchr::memmem::find(&self.text, b"</").is_some() {
            return None;
        }
        encode(&self.text, false, false, &mut self.out);
        let (end, _) = tag_end(html, close + b"</title".len())?;
        self.typeset_markup(close, end, !has_quote(&html[close..end]))?;
        self.out.extend_from_slice(b"</title>");
        Some(end)
    }
}

/// Where the line starting at `at` ends: just after the next `>` followed by a newline.
fn line_end(html: &[u8], mut at: usize) -> Option<usize> {
    loop {
        let newline = at + memchr::memchr(b'\n', &html[at..])?;
        if newline > at && html[newline - 1] == b'>' {
            return Some(newline);
        }
        at = newline + 1;
    }
}

/// The hasher of lines and lineages: fixed, so that a memo's keys mean the same in every pass.
fn hasher() -> foldhash::fast::FixedState {
    foldhash::fast::FixedState::with_seed(0x1c1c_2026_5eed_0001)
}

/// What the minified form of a line depends on besides its bytes: the elements it is in (as a
/// hash of their names), whether the innermost has a child yet, the document tags met, and the
/// typography's state ([`Typesetter::key`]; 0 for a page minified as it is).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct LineState {
    lineage: u64,
    has_child: bool,
    document_tags: [bool; 3],
    head_closed: bool,
    typeset: u64,
}

/// A line being minified, to be remembered if it ends where a line ends.
struct Recording {
    start: usize,
    /// Just after the line's `>`.
    end: usize,
    key: u64,
    state: LineState,
    out_start: usize,
    /// The fewest elements open at any point of the line: those below stay, those above it at
    /// the end were opened by the line.
    low: usize,
}

/// A line met before, and what minifying it did.
pub struct KnownLine {
    state: LineState,
    /// The line, then its minified form, in one allocation: a hit compares the line and copies
    /// the minified form right after it, one cache miss rather than two.
    bytes: Box<[u8]>,
    line_len: usize,
    /// Elements of the stack the line leaves open, and the innermost one's `has_child` after it.
    kept: usize,
    kept_has_child: bool,
    /// Elements the line opened and left open, their names relative to the line's start.
    opened: Vec<Frame>,
    document_tags: [bool; 3],
    head_closed: bool,
    /// What the line did to the typography, on a typeset page.
    typeset: Option<TypesetLine>,
}

impl KnownLine {
    fn line(&self) -> &[u8] {
        &self.bytes[..self.line_len]
    }

    fn minified(&self) -> &[u8] {
        &self.bytes[self.line_len..]
    }
}

/// Lines minified before, with what minifying them gave.
///
/// Most lines of a site's pages come from its templates and repeat from page to page: the
/// header's menus, tools and search form, the footer. Minifying a line (from just after a `>`
/// that ends a line to the next such `>`, with no text pending at either end) is a function of
/// its bytes and of the [`LineState`] before it: every decision it takes reads nothing past its
/// last `>`. So a line met again in the same state is copied from the memo, with its effect on
/// the stack, instead of being parsed again. [`LineMemo`] stores a line the second time it is
/// met and empties itself past [`MEMO_LIMIT`] bytes. A memo serves passes of one `max_depth`
/// (the line's effect on the stack was found under it).
pub type Memo = LineMemo<KnownLine>;

/// The bytes of lines a memo holds before it is emptied. The lines that come back on most pages
/// (the header, the footer: about 20 KB a language) are learnt again within two pages; with 8
/// MiB rather than 2, builds of the 2,000-document corpus took the same time (six alternating
/// builds each) and 15 MiB more memory at the peak.
const MEMO_LIMIT: usize = 2 << 20;
/// The slots of the memo's table of lines met once (a power of two). Every line not in the memo
/// touches one slot at random, so the table is kept small enough (64 KiB) to stay in the
/// core's cache: with 2^16 slots (512 KiB), that one store was a quarter of the pass's time on
/// the 2,000-document corpus, in cache misses. 2^13 slots keep a few more lines from being
/// recognised (0.7 % more instructions on the 300-document corpus) and still gave the fastest
/// builds (user CPU about 3 % under 2^16's, 2 % under 2^12's, in six alternating builds each).
const MEMO_SEEN_SLOTS: usize = 1 << 13;

/// A thread's memo, empty.
pub fn new_memo() -> Memo {
    LineMemo::new(MEMO_LIMIT, MEMO_SEEN_SLOTS)
}

impl Pass<'_> {
    /// At a point between lines with no text pending: copies the minified form of the lines
    /// that start here from the memo for as long as it knows them, then starts recording the
    /// next one. Returns where the pass goes on.
    fn remembered(&mut self, mut at: usize) -> usize {
        if self.recording.is_some() || self.pending.is_some() {
            return at;
        }
        let html = self.html;
        let Some(memo) = self.memo.as_deref_mut() else {
            return at;
        };
        // The memo's entry of the line just copied from it, if the last line was.
        let mut previous: Option<Slot> = None;
        loop {
            let top = self.stack.last().expect("the document's frame");
            let state = LineState {
                lineage: top.lineage,
                has_child: top.has_child,
                document_tags: self.document_tags,
                head_closed: self.head_closed,
                typeset: self.typeset.as_mut().map_or(0, |typeset| typeset.key(at)),
            };
            // The line that came after the previous one last time, if it comes again in the same
            // state: no need to find where the line ends, hash it and look it up. A known line
            // ends just before a newline, and holds no earlier end of a line.
            let followed = previous
                .and_then(|slot| memo.after(slot))
                .filter(|(_, known)| {
                    known.state == state
                        && html[at..].starts_with(known.line())
                        && html.get(at + known.line_len) == Some(&b'\n')
                })
                .map(|(slot, _)| slot);
            let slot = match followed {
                Some(slot) => slot,
                None => {
                    let Some(end) = line_end(html, at) else {
                        return at;
                    };
                    let line = &html[at..end];
                    let key = hasher().hash_one((&state, line));
                    let found = memo
                        .find(key)
                        .filter(|(_, known)| known.state == state && known.line() == line)
                        .map(|(slot, _)| slot);
                    let Some(slot) = found else {
                        if let Some(typeset) = &mut self.typeset {
                            typeset.mark();
                        }
                        self.recording = Some(Recording {
                            start: at,
                            end,
                            key,
                            state,
                            out_start: self.out.len(),
                            low: self.stack.len(),
                        });
                        return at;
                    };
                    if let Some(from) = previous {
                        memo.link(from, slot);
                    }
                    slot
                }
            };
            let Some(known) = memo.entry(slot) else {
                return at;
            };
            self.out.extend_from_slice(known.minified());
            self.stack.truncate(known.kept);
            self.stack
                .last_mut()
                .expect("the document's frame")
                .has_child = known.kept_has_child;
            self.stack.extend(known.opened.iter().map(|frame| Frame {
                name: frame.name.start + at..frame.name.end + at,
                ..frame.clone()
            }));
            self.document_tags = known.document_tags;
            self.head_closed = known.head_closed;
            if let (Some(typeset), Some(line)) = (&mut self.typeset, &known.typeset) {
                typeset.replay(line, at);
            }
            at += known.line_len;
            memo.hit();
            previous = Some(slot);
        }
    }

    /// The pass has reached or passed the end of the line being recorded: remembers it if it
    /// stopped just there with no text pending, and has been seen before.
    fn remember(&mut self, at: usize) {
        let Some(recording) = self.recording.take() else {
            return;
        };
        let Some(memo) = self.memo.as_deref_mut() else {
            return;
        };
        if at != recording.end || self.pending.is_some() || !memo.met_before(recording.key) {
            return;
        }
        let start = recording.start;
        let opened: Vec<Frame> = self.stack[recording.low..]
            .iter()
            .map(|frame| Frame {
                name: frame.name.start - start..frame.name.end - start,
                ..frame.clone()
            })
            .collect();
        let line = &self.html[start..at];
        let minified = &self.out[recording.out_start..];
        let mut bytes = Vec::with_capacity(line.len() + minified.len());
        bytes.extend_from_slice(line);
        bytes.extend_from_slice(minified);
        let known = KnownLine {
            state: recording.state,
            bytes: bytes.into_boxed_slice(),
            line_len: line.len(),
            kept: recording.low,
            kept_has_child: self.stack[recording.low - 1].has_child,
            opened,
            document_tags: self.document_tags,
            head_closed: self.head_closed,
            typeset: self.typeset.as_ref().map(|typeset| typeset.line(start)),
        };
        let bytes = known.bytes.len()
            + known.opened.len() * std::mem::size_of::<Frame>()
            + known.typeset.as_ref().map_or(0, TypesetLine::size);
        memo.store(recording.key, known, bytes);
    }
}

/// How minify-html writes a script's content (with JavaScript minification off).
#[derive(Clone, Copy)]
enum ScriptType {
    /// JavaScript, a module or not: trimmed.
    Trimmed,
    /// Another type (JSON, templates): as written.
    Data,
}

/// Minifies one attribute whose value, decoded, is in `value` (empty for no value): writes
/// `=` and the value as it is to be written to `out` (nothing for an attribute without a
/// value) and says whether it is quoted, or returns `None` when the attribute is redundant (its
/// default value, or empty where that means the same). `encoded` is scratch space.
fn minify_attribute(
    ns: Namespace,
    tag: &[u8],
    name: &[u8],
    value: &mut Vec<u8>,
    is_meta_viewport: bool,
    encoded: &mut Vec<u8>,
    out: &mut Vec<u8>,
) -> Option<bool> {
    let rules = ATTRS.get(ns, tag, name);
    if is_meta_viewport {
        value.retain(|&c| !WHITESPACE[c]);
    } else {
        if rules.is_some_and(|r| r.trim) {
            let kept = trim_end(value).len();
            value.truncate(kept);
            let leading = value.len() - trim_start(value).len();
            value.drain(..leading);
        }
        if rules.is_some_and(|r| r.collapse) {
            collapse_from(value, 0);
        }
    }
    if rules.is_some_and(|r| r.case_insensitive) {
        value.make_ascii_lowercase();
    }
    let redundant = (value.is_empty() && rules.is_some_and(|r| r.redundant_if_empty))
        || rules
            .and_then(|r| r.default_value)
            .is_some_and(|d| d == value.as_slice())
        || (tag == b"script"
            && name == b"type"
            && JAVASCRIPT_MIME_TYPES.contains(value.as_slice()));
    if redundant {
        return None;
    }
    if rules.is_some_and(|r| r.boolean) || value.is_empty() {
        return Some(false);
    }
    encoded.clear();
    encode_entities(value, true, encoded);
    let bytes = &encoded[..];
    out.push(b'=');
    // Nearly every value (a URL, a class, a language) holds none of the characters an unquoted
    // value cannot: it is written as it is.
    if !bytes.iter().any(|&c| UNQUOTED_SPECIAL[usize::from(c)]) {
        out.extend_from_slice(bytes);
        return Some(false);
    }
    // Each special character costs what its entity adds; ties go to double quotes, then to
    // single quotes, then to no quotes.
    let (mut doubles, mut singles, mut unquoted_extra) = (0, 0, 0);
    for &c in bytes {
        match c {
            b'"' => doubles += 1,
            b'\'' => singles += 1,
            _ => {}
        }
        if let Some(entity) = unquoted_entity(c) {
            unquoted_extra += entity.len() - 1;
        }
    }
    let double = bytes.len() + 2 + 4 * doubles;
    let single = bytes.len() + 2 + 4 * singles;
    let unquoted = bytes.len() + unquoted_extra;
    if unquoted < double.min(single) {
        for &c in bytes {
            match unquoted_entity(c) {
                Some(entity) => out.extend_from_slice(entity),
                None => out.push(c),
            }
        }
        return Some(false);
    }
    let (quote, entity): (u8, &[u8]) = if single < double {
        (b'\'', b"&#39;")
    } else {
        (b'"', b"&#34;")
    };
    out.push(quote);
    let mut rest = bytes;
    while let Some(at) = memchr::memchr(quote, rest) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(entity);
        rest = &rest[at + 1..];
    }
    out.extend_from_slice(rest);
    out.push(quote);
    Some(true)
}

/// The characters [`unquoted_entity`] replaces, for a quick look over a whole value.
static UNQUOTED_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let specials = b"\t\n\x0c\r \"'=`<>";
    let mut i = 0;
    while i < specials.len() {
        table[specials[i] as usize] = true;
        i += 1;
    }
    table
};

/// The entity minify-html writes for a character an unquoted attribute value cannot hold.
fn unquoted_entity(c: u8) -> Option<&'static [u8]> {
    Some(match c {
        b'\t' => b"&#9;",
        b'\n' => b"&#10;",
        0x0c => b"&#12;",
        b'\r' => b"&#13;",
        b' ' => b"&#32;",
        b'"' => b"&#34;",
        b'\'' => b"&#39;",
        b'=' => b"&#61;",
        // Sic: minify-html's table has `&#6` for the backtick.
        b'`' => b"&#6;",
        b'<' => b"&lt;",
        b'>' => b"&gt;",
        _ => return None,
    })
}

/// Decodes the character references of `code` into `out` as minify-html's parser does.
/// `None` when that makes U+20D2, which minify-html writes back as part of an entity.
fn decode(code: &[u8], in_attribute: bool, out: &mut Vec<u8>) -> Option<()> {
    let start = out.len();
    let mut rest = code;
    let mut referenced = false;
    while let Some(amp) = memchr::memchr(b'&', rest) {
        referenced = true;
        out.extend_from_slice(&rest[..amp]);
        rest = &rest[amp..];
        let read = match ENTITY.longest_matching_prefix(rest) {
            TrieNodeMatch::NotFound { reached } => {
                out.extend_from_slice(&rest[..reached]);
                reached
            }
            TrieNodeMatch::Found { len, value } => match value {
                EntityType::Dec => numeric(rest, 2, 10, 7, out),
                EntityType::Hex => numeric(rest, 3, 16, 6, out),
                EntityType::Named(decoded) => {
                    let kept = in_attribute
                        && rest[len - 1] != b';'
                        && rest.get(len).is_some_and(|&c| ALPHANUMERIC_OR_EQUALS[c]);
                    out.extend_from_slice(if kept { &rest[..len] } else { decoded });
                    len
                }
            },
        };
        // A reference reads at least its `&`.
        rest = &rest[read.max(1)..];
    }
    out.extend_from_slice(rest);
    // Without `&`, the text was copied, and the page was checked for U+20D2 already.
    (!referenced || memchr::memmem::find(&out[start..], "\u{20D2}".as_bytes()).is_none())
        .then_some(())
}

/// Decodes a numeric character reference whose digits start at `skip`; returns its length.
fn numeric(code: &[u8], skip: usize, radix: u32, max_digits: usize, out: &mut Vec<u8>) -> usize {
    let mut at = skip;
    at += count_while(&code[at..], |c| c == b'0');
    let mut value: u32 = 0;
    let mut digits = 0;
    while let Some(&c) = code.get(at) {
        let is_digit = if radix == 10 { DIGIT[c] } else { HEX_DIGIT[c] };
        if !is_digit {
            break;
        }
        let digit = (c as char).to_digit(16).unwrap_or(0);
        value = value.wrapping_mul(radix).wrapping_add(digit);
        at += 1;
        digits += 1;
    }
    if code.get(at) == Some(&b';') {
        at += 1;
    }
    let c = Some(value)
        .filter(|_| digits <= max_digits)
        .and_then(char::from_u32)
        .unwrap_or('\u{FFFD}');
    let mut buffer = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
    at
}

/// Encodes decoded text as minify-html does: an `&` that would start a reference becomes
/// `&amp;`, and in text (not attribute values) every `<` becomes `&lt;`.
fn encode_entities(code: &[u8], in_attribute: bool, out: &mut Vec<u8>) {
    encode(code, in_attribute, !in_attribute, out)
}

/// [`encode_entities`], with `<` written `&lt;` or not (a title's text keeps it).
fn encode(code: &[u8], in_attribute: bool, escape_lt: bool, out: &mut Vec<u8>) {
    let mut rest = code;
    loop {
        let special = if !escape_lt {
            memchr::memchr(b'&', rest)
        } else {
            memchr::memchr2(b'&', b'<', rest)
        };
        let Some(at) = special else {
            out.extend_from_slice(rest);
            return;
        };
        out.extend_from_slice(&rest[..at]);
        rest = &rest[at..];
        if rest[0] == b'<' {
            out.extend_from_slice(b"&lt;");
            rest = &rest[1..];
            continue;
        }
        let read = match ENTITY.longest_matching_prefix(rest) {
            TrieNodeMatch::NotFound { reached } => {
                out.extend_from_slice(&rest[..reached]);
                reached
            }
            TrieNodeMatch::Found { len, value } => {
                let unread = matches!(value, EntityType::Named(_))
                    && in_attribute
                    && rest[len - 1] != b';'
                    && rest.get(len).is_some_and(|&c| ALPHANUMERIC_OR_EQUALS[c]);
                if unread {
                    out.extend_from_slice(&rest[..len]);
                } else {
                    out.extend_from_slice(b"&amp;");
                    out.extend_from_slice(&rest[1..len]);
                }
                len
            }
        };
        rest = &rest[read.max(1)..];
    }
}

/// Collapses each run of whitespace of `bytes[from..]` into one space.
fn collapse_from(bytes: &mut Vec<u8>, from: usize) {
    // Most text has only single spaces between words: find the first whitespace that is not
    // one, and only rewrite from there, copying the stretches between such runs whole.
    let Some(found) = to_collapse(&bytes[from..]) else {
        return;
    };
    let n = bytes.len();
    let mut read = from + found;
    let mut write = read;
    while read < n {
        // `read` starts a run of whitespace other than a lone space.
        read += count_while(&bytes[read..], is_whitespace);
        bytes[write] = b' ';
        write += 1;
        let plain = to_collapse(&bytes[read..]).unwrap_or(n - read);
        bytes.copy_within(read..read + plain, write);
        read += plain;
        write += plain;
    }
    bytes.truncate(write);
}

/// Where the first whitespace of `bytes` is that is not a lone space.
fn to_collapse(bytes: &[u8]) -> Option<usize> {
    crate::scan::first_picked(bytes, b'x', |c, next| {
        is_whitespace(c) & ((c != b' ') | is_whitespace(next))
    })
}

/// minify-html's whitespace (its `WHITESPACE` table), told by comparisons rather than a look-up
/// so that [`crate::scan::first_picked`] can test many bytes at once: space, tab, line feed,
/// form feed, carriage return.
#[inline(always)]
fn is_whitespace(c: u8) -> bool {
    (c == b' ') | ((c.wrapping_sub(b'\t') < 5) & (c != 0x0b))
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    &bytes[count_while(bytes, |c| WHITESPACE[c])..]
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let kept = bytes.len() - bytes.iter().rev().take_while(|&&c| WHITESPACE[c]).count();
    &bytes[..kept]
}

fn has_quote(bytes: &[u8]) -> bool {
    bytes.iter().any(|&c| c == b'"' || c == b'\'')
}

fn count_while(bytes: &[u8], keep: impl Fn(u8) -> bool) -> usize {
    bytes.iter().take_while(|&&c| keep(c)).count()
}

/// The void elements, as minify-html's `VOID_TAGS` lists them (a test compares): a `match`
/// rather than its hashed set, asked on every start tag.
fn is_void(name: &[u8]) -> bool {
    matches!(
        name,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"keygen"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn void_elements_are_minify_html_s() {
        use minify_html_common::spec::tag::void::VOID_TAGS;
        for name in VOID_TAGS.iter() {
            assert!(is_void(name), "{}", String::from_utf8_lossy(name));
        }
        let listed = [
            "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
            "param", "source", "track", "wbr",
        ];
        assert_eq!(VOID_TAGS.len(), listed.len());
        for name in listed {
            assert!(
                VOID_TAGS.contains(name.as_bytes()) && is_void(name.as_bytes()),
                "{name}"
            );
        }
        for name in [
            "", "a", "p", "BR", "img ", "template", "svg", "metadata", "colgroup",
        ] {
            assert!(!is_void(name.as_bytes()), "{name}");
        }
    }

    #[test]
    fn whitespace_is_minify_html_s() {
        for c in 0..=255u8 {
            assert_eq!(is_whitespace(c), WHITESPACE[c], "{c}");
        }
    }

    #[test]
    fn runs_of_whitespace_collapse_to_one_space() {
        let collapsed = |text: &str| {
            let mut bytes = b"kept\n\n".to_vec();
            bytes.extend_from_slice(text.as_bytes());
            collapse_from(&mut bytes, 6);
            String::from_utf8(bytes).unwrap()
        };
        assert_eq!(collapsed("one two"), "kept\n\none two");
        assert_eq!(collapsed("one\ntwo"), "kept\n\none two");
        assert_eq!(collapsed(" \t one  two \r\n"), "kept\n\n one two ");
        let long = "word ".repeat(20) + "\n\n" + &"word ".repeat(20) + "  end";
        let expected = "word ".repeat(40) + "end";
        assert_eq!(collapsed(&long), format!("kept\n\n{expected}"));
    }

    /// The one-pass result, which must exist and equal minify-html's.
    fn same(html: &str) -> String {
        let ours = minify(html.as_bytes(), 200, None)
            .unwrap_or_else(|| panic!("left to minify-html: {html}"));
        let theirs = minify_html::minify(html.as_bytes(), super::super::config());
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs),
            "{html}"
        );
        String::from_utf8(ours).unwrap()
    }

    fn left_to_minify_html(html: &str) -> bool {
        minify(html.as_bytes(), 200, None).is_none()
    }

    #[test]
    fn a_page_as_templates_write_it() {
        let out = same(
            "<!DOCTYPE html>\n<html lang=\"fr\" dir=\"ltr\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title> Réunion &amp; rapport – ICC </title>\n\
             <link rel=\"alternate\" hreflang=\"en\" href=\"/en/a/\">\n\
             <script defer src=\"/js/search.js\"></script>\n\
             <script type=\"application/json\" data-config>{\"a\": \"b c\"}</script>\n\
             <script type=\"text/javascript\">\n  var x = 1 < 2;\n</script>\n</head>\n\
             <body>\n<a class=\"skip-link\" href=\"#main\">Aller au contenu</a>\n\
             <header class=\"site-header\">\n  <nav aria-label=\"Langues\">\n    <ul>\n\
             <li><a href=\"/en/a/\" hreflang=\"en\" lang=\"en\">English</a></li>\n\
             <li><span aria-current=\"page\">Français</span></li>\n    </ul>\n  </nav>\n\
             <button class=\"tool-button\" type=\"button\" hidden>\n<span aria-hidden=\"true\">A+</span> Plus\n</button>\n\
             <svg class=\"icon\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" focusable=\"false\"><path d=\"M6 2h12v6z\" fill=\"currentColor\"/></svg>\n\
             </header>\n<main id=\"main\">\n<h1>Titre  <em>fort</em> </h1>\n\
             <p>Un  texte\n avec <strong>gras</strong> et <a href=\"/x?a=1&amp;b=2\">lien</a> .</p>\n\
             <!-- a comment -->\n<pre><code class=\"language-rust\">fn main() {\n    <span class=\"k\">let</span>  x;\n}\n</code></pre>\n\
             <img src=\"/i.png\" alt=\"\" width=\"48\">\n<br />\n<input type=\"text\" name=\"q\" value=\"\">\n\
             <form method=\"get\" action=\"/search\"><label for=\"q\"> Chercher </label></form>\n\
             </main>\n<footer><p>© Conseil de l'Europe</p></footer>\n</body>\n</html>\n",
        );
        assert!(
            out.starts_with("<!doctype html><html dir=ltr lang=fr><head>"),
            "{out}"
        );
    }

    #[test]
    fn attribute_values_get_the_shortest_quoting() {
        same("<p title=\"a b\" data-x='say \"hi\"' data-y=\"it's\" data-z=\"a=b\" data-w=\"x`y\"></p>");
        same("<p title=\"both ' and &quot;\" data-a=\"&lt;tag&gt;\" data-b='&amp;copy' data-c=\"&amp;copy=\"></p>");
        same("<p data-a=\"\" data-b data-c=\"  spaced  \" class=\"  a   b  \" lang=\"FR\"></p>");
        same("<p data-a=\"&#34;\" data-b=\"&#x27;&#39;\" data-c=\"&#0;&#x110000;&#128512;\"></p>");
        same("<a href=\"/a b/\">x</a><a href='x\ny'>y</a><a href=unquoted>z</a>");
        same("<script type=\"module\"> import x </script><script type=\"TEXT/JAVASCRIPT\">a</script><script></script>");
    }

    #[test]
    fn text_keeps_what_it_must_and_loses_what_it_can() {
        same("<div>  a  <b> b </b>  <i>c</i>  </div>");
        same("<p>\n  <b>a</b>\n  <i>b</i>\n</p>");
        same("<ul>\n<li> one </li>\n<li>two <ul><li>x</li></ul> </li>\n</ul>");
        same("<p>AT&amp;T &amp;copy &amp;amp R&amp;D &lt;b&gt; 1 &lt; 2 &quot;q&quot; &#x27;s&#39; &nbsp;&eacute;&eacute x&</p>");
        same("<p>a <!-- c --> b <!-- d --></p><div> <!-- c --> </div>");
        same("<p>a < b, 1 <= 2 <</p>");
        same("<pre>  keep\n   <b> this </b>  </pre><code>  kept  </code><span><code> a </code> </span>");
        same("<table>\n<tr>\n<td> a </td>\n</tr>\n</table>");
        same("<svg><g> <path d=x /> </g><circle r=\"1\"/></svg>");
        same("<title>a &lt; b &amp; c</title>");
        same("text at the root <p>x</p> more");
    }

    #[test]
    fn pages_decided_by_context_or_needing_css_are_left_to_minify_html() {
        for html in [
            "<p>a<div>b</div></p>",
            "<ul><li>a<li>b</ul>",
            "<div>a</span></div>",
            "<div><div>a</div>",
            "<DIV>a</DIV>",
            "<style>p { color: red }</style>",
            "<p style=\"color: red\">x</p>",
            "<textarea> a </textarea>",
            "<p title=a title=b>x</p>",
            "<?xml version=\"1.0\"?><p>x</p>",
            "<![CDATA[x]]>",
            "<p>≪\u{20D2}</p>",
            "<p>&#8402;</p>",
            "x <!doctype html>",
            "<title>a &lt;/title&gt;</title>",
        ] {
            assert!(left_to_minify_html(html), "{html}");
        }
        assert!(minify("<div>".repeat(3).as_bytes(), 200, None).is_none());
        let deep = format!("{}{}", "<div>".repeat(250), "</div>".repeat(250));
        assert!(minify(deep.as_bytes(), 200, None).is_none());
    }

    /// A small deterministic generator of markup (xorshift), for the differential test.
    struct Random(u64);

    impl Random {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[self.below(from.len())]
        }
    }

    const ELEMENTS: &[&str] = &[
        "div",
        "p",
        "span",
        "a",
        "em",
        "strong",
        "ul",
        "li",
        "pre",
        "code",
        "h1",
        "section",
        "nav",
        "button",
        "label",
        "td",
        "b",
        "svg",
        "g",
        "form",
        "select",
        "option",
        "blockquote",
    ];
    const VOIDS: &[&str] = &["br", "img", "input", "hr", "wbr", "meta", "link"];
    const NAMES: &[&str] = &[
        "class", "href", "title", "data-x", "lang", "hidden", "type", "alt", "viewBox", "value",
        "id", "method", "dir", "name", "content", "rel", "srcset", "async",
    ];
    const PIECES: &[&str] = &[
        "a",
        "word",
        " ",
        "  ",
        "\n",
        "\t",
        "\"",
        "'",
        "=",
        "<",
        ">",
        "&",
        "&amp;",
        "&quot;",
        "&#39;",
        "&#x27;",
        "&copy",
        "&notit",
        "&lt;",
        "&gt;",
        "&nbsp;",
        "é",
        "≪",
        "`",
        "/",
        "&#0;",
        "&#x110000;",
        "&#233;",
        "&amp;copy",
        "&eacute",
        "viewport",
        "text",
        "GET",
        "x y",
        // What the typography acts on (see `typeset_markup_is_typeset_then_minified`).
        ":",
        "?",
        " !",
        ";",
        "«",
        " »",
        "10:30",
        "https://x.org/?a=b",
        "&#8239;",
        "fr",
        "en-GB",
        "pl",
    ];

    fn random_text(random: &mut Random) -> String {
        (0..random.below(6))
            .map(|_| random.pick(PIECES))
            .collect::<String>()
            .replace('<', "< ")
    }

    fn random_attributes(random: &mut Random) -> String {
        let mut out = String::new();
        for _ in 0..random.below(4) {
            out.push(' ');
            out.push_str(random.pick(NAMES));
            let value = random_text(random);
            match random.below(4) {
                0 => {}
                1 if !value.contains('"') => out.push_str(&format!("=\"{value}\"")),
                2 if !value.contains('\'') => out.push_str(&format!("='{value}'")),
                _ => {
                    let plain: String = value
                        .chars()
                        .filter(|c| c.is_alphanumeric() || "&;#-".contains(*c))
                        .collect();
                    out.push_str(&format!("={}", if plain.is_empty() { "v" } else { &plain }));
                }
            }
        }
        out
    }

    fn random_content(random: &mut Random, depth: usize, out: &mut String) {
        for _ in 0..random.below(5) {
            match random.below(8) {
                0..=2 => out.push_str(&random_text(random)),
                3 => out.push_str(&format!("<!--{}-->", random_text(random).replace('-', ""))),
                4 => {
                    let name = random.pick(VOIDS);
                    let slash = if random.below(3) == 0 { " /" } else { "" };
                    out.push_str(&format!("<{name}{}{slash}>", random_attributes(random)));
                    random_line_end(random, out);
                }
                _ if depth < 5 => {
                    let name = random.pick(ELEMENTS);
                    out.push_str(&format!("<{name}{}>", random_attributes(random)));
                    if name == "svg" || name == "g" {
                        out.push_str(&format!("<path d=\"M0 0\"{} />", random_attributes(random)));
                    }
                    random_line_end(random, out);
                    random_content(random, depth + 1, out);
                    out.push_str(&format!("</{name}>"));
                    random_line_end(random, out);
                }
                _ => out.push_str(&random_text(random)),
            }
        }
    }

    /// Ends a line after a tag, one time in two, as templates do: where the memo cuts pages.
    fn random_line_end(random: &mut Random, out: &mut String) {
        if random.below(2) == 0 {
            out.push('\n');
        }
    }

    /// A page of `lang`: a whole document one time in two, else a fragment.
    fn random_page(random: &mut Random, lang: &str) -> String {
        let mut html = String::new();
        if random.below(2) == 0 {
            html.push_str(&format!(
                "<!DOCTYPE html>\n<html lang=\"{lang}\"><head> <title> t &amp; t : t ? </title>\n"
            ));
            html.push_str(
                "<script type=\"application/json\"> {\"a\": \"?\"} </script></head>\n<body>",
            );
            random_content(random, 0, &mut html);
            html.push_str("</body></html>\n");
        } else {
            random_content(random, 0, &mut html);
        }
        html
    }

    /// The number in the environment variable `name`, for longer runs by hand:
    /// `RANDOM_PAGES=100000 RANDOM_SEED=7 cargo test random_markup`.
    fn from_environment(name: &str, default: u64) -> u64 {
        std::env::var(name).map_or(default, |n| n.parse().unwrap())
    }

    /// Every page is minified three times: alone, and twice with a memo shared by all pages
    /// (lines are remembered the second time they are met), so that lines are taken from the
    /// memo in every state the generator reaches.
    #[test]
    fn random_markup_comes_out_as_minify_html_writes_it() {
        let mut random = Random(from_environment("RANDOM_SEED", 0x1cc0_5eed));
        let mut memo = new_memo();
        let total = from_environment("RANDOM_PAGES", 3000) as usize;
        let mut taken = 0;
        for _ in 0..total {
            let html = random_page(&mut random, "fr");
            if let Some(ours) = minify(html.as_bytes(), 200, None) {
                taken += 1;
                let theirs = minify_html::minify(html.as_bytes(), super::super::config());
                assert_eq!(
                    String::from_utf8_lossy(&ours),
                    String::from_utf8_lossy(&theirs),
                    "{html}"
                );
                for _ in 0..2 {
                    let remembered = minify(html.as_bytes(), 200, Some(&mut memo));
                    assert_eq!(remembered.as_deref(), Some(&theirs[..]), "{html}");
                }
            }
        }
        // Most generated pages are regular, and lines are taken from the memo: the comparison
        // is not an empty one.
        assert!(taken > total / 3, "{taken} of {total} taken");
        assert!(memo.hits() > total, "{} lines from the memo", memo.hits());
    }

    #[test]
    fn typesetting_gives_up_pages_it_would_read_apart() {
        use crate::markdown::typography::apply_html;
        let one_pass = |html: &str| typeset_and_minify(html, "fr", 200, None);
        let apart = |html: &str| {
            let typeset = apply_html(html, "fr");
            minify_html::minify(typeset.as_bytes(), super::super::config())
        };
        let regular = "<p title='il dit \"non\"' class=\"a\">Oui ?</p>\n<p>Non !</p>";
        assert_eq!(one_pass(regular).as_deref(), Some(&apart(regular)[..]));
        // A quote inside an unquoted value: the typography skips to the next one, past the
        // `>` that ends the tag for the minifier. A `<` that starts no markup, and one in a
        // script, are markup for the typography.
        for irregular in [
            "<p data-x=a\"b>c ?\" title=\"d\">Oui ?</p>",
            "<p>a < b ?</p>",
            "<script>if (a<b) x = 1;</script><p>Oui ?</p>",
            "<title>a<b ?</title>",
        ] {
            assert_eq!(one_pass(irregular), None, "{irregular}");
        }
        // The quotes of a closing tag are checked too.
        let closing = "<p>Oui ?</p title=\"a>b\">";
        if let Some(done) = one_pass(closing) {
            assert_eq!(done, apart(closing), "{closing}");
        }
    }

    /// Typeset in one pass, a page comes out as the typography's own pass followed by
    /// minify-html writes it, alone and with lines from a memo, in pages of several languages.
    #[test]
    fn random_markup_typeset_in_one_pass_is_typeset_then_minified() {
        use crate::markdown::typography::apply_html;
        let mut random = Random(from_environment("RANDOM_SEED", 0x7e90_5eed));
        let mut memo = new_memo();
        let total = from_environment("RANDOM_PAGES", 3000) as usize;
        let (mut taken, mut changed) = (0, 0);
        for page in 0..total {
            let lang = ["fr", "en", "ja", "pl"][page % 4];
            let html = random_page(&mut random, lang);
            let Some(ours) = typeset_and_minify(&html, lang, 200, None) else {
                continue;
            };
            taken += 1;
            let typeset = apply_html(&html, lang);
            changed += usize::from(typeset != html);
            let theirs = minify_html::minify(typeset.as_bytes(), super::super::config());
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs),
                "{lang}: {html}"
            );
            for _ in 0..2 {
                let remembered = typeset_and_minify(&html, lang, 200, Some(&mut memo));
                assert_eq!(remembered.as_deref(), Some(&theirs[..]), "{lang}: {html}");
            }
        }
        assert!(taken > total / 4, "{taken} of {total} taken");
        assert!(changed > taken / 8, "only {changed} of {taken} typeset");
        assert!(memo.hits() > total, "{} lines from the memo", memo.hits());
    }
}
