//! A page's HTML read into its [`Digest`], the way Pagefind reads it.
//!
//! The page is streamed through lol_html, the parser Pagefind uses, so that malformed markup,
//! implied end tags and raw text come out as they do for Pagefind. Each element inside `<html>`
//! becomes a node that gathers its text; when its end tag comes, the node's text joins its
//! parent's, unless the element is ignored. On the way:
//!
//! - `data-pagefind-body` marks the content: once an element has it, only marked elements'
//!   text is kept (the "parent of a body" state stops the rest from joining);
//! - `data-pagefind-ignore` (or `="all"`) leaves an element's text out (and its metadata too);
//!   `<head>`, `<nav>`, `<footer>`, `<form>`, `<label>`, `<svg>`, scripts and styles are left out
//!   the same way;
//! - block elements are separated by a space and, if their text ends with a word, a full stop,
//!   so that excerpts read as sentences;
//! - headings are weighted (7 for `<h1>` down to 2 for `<h6>`) and elements with an `id` leave
//!   an anchor marker, read by [`super::page`];
//! - `data-pagefind-meta`, `-filter`, `-sort` and `-default-meta` collect fields, the first
//!   `<h1>` (or else the `<title>`) gives the title, and the first image after it the image.
//!
//! Nodes live in an arena and point to their parent, as an end tag only moves back to the
//! element's own parent: an element whose end tag is implied (and so never reported) is dropped
//! with its text, as in Pagefind.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::OnceLock;

use lol_html::html_content::{Element, TextChunk};
use lol_html::{ElementContentHandlers, HandlerResult, HtmlRewriter, Selector, Settings};

use super::markup::{Token, Tokenizer, Unsupported, VOID_ELEMENTS};
use super::page::{normalize_text, Digest};

/// Elements whose text ends a sentence.
const BLOCKS: &[&str] = &[
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "td", "div", "ul", "li", "article", "section",
];

/// Elements that inherit their parent's anchors: their text belongs to the anchored heading.
const INLINE: &[&str] = &[
    "a", "abbr", "acronym", "b", "bdo", "big", "br", "button", "cite", "code", "dfn", "em", "i",
    "img", "input", "kbd", "label", "map", "object", "output", "q", "samp", "script", "select",
    "small", "span", "strong", "sub", "sup", "textarea", "time", "tt", "var",
];

/// Elements never indexed, whatever their attributes (inside `<html>`).
const LEFT_OUT: &[&str] = &[
    "head", "style", "script", "noscript", "label", "form", "svg", "footer", "nav", "iframe",
    "template",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Indexing,
    /// Text left out; metadata and filters still read.
    Ignored,
    /// Text, metadata and filters left out, the descendants' too.
    Excluded,
    Body,
    /// A `data-pagefind-body` element was inside: only bodies' text joins this node now.
    ParentOfBody,
}

#[derive(Debug)]
struct Node {
    text: String,
    /// Spaces that come before `text` but are not written in it: a block's leading space,
    /// kept as a count when its text becomes its parent's whole text, so that the text is
    /// moved up rather than copied behind one space (see [`Wrapping::append`]).
    spaces_before: usize,
    parent: Option<usize>,
    status: Status,
    filters: Option<Vec<String>>,
    meta: Option<Vec<String>>,
    default_meta: Option<Vec<String>>,
    sort: Option<Vec<String>>,
    weight: Option<String>,
    /// The anchors whose text this element's text is part of.
    anchors: Option<Vec<String>>,
}

impl Node {
    fn new(parent: Option<usize>, status: Status) -> Node {
        Node {
            text: String::new(),
            spaces_before: 0,
            parent,
            status,
            filters: None,
            meta: None,
            default_meta: None,
            sort: None,
            weight: None,
            anchors: None,
        }
    }

    /// `name:value` as given, or `name` with the element's own text as the value.
    fn field(&self, field: &str) -> Option<(String, String)> {
        match field.split_once(':') {
            Some((name, value)) => Some((name.to_string(), normalize_text(value))),
            None if self.text.is_empty() && self.spaces_before == 0 => None,
            None => Some((field.to_string(), normalize_text(&self.text))),
        }
    }
}

#[derive(Debug)]
struct Reading {
    nodes: Vec<Node>,
    current: usize,
    anchors_made: usize,
    language: Option<String>,
    filters: BTreeMap<String, Vec<String>>,
    sort: BTreeMap<String, String>,
    meta: BTreeMap<String, String>,
    default_meta: BTreeMap<String, String>,
    anchor_text: BTreeMap<String, String>,
    anchor_titles: BTreeMap<String, String>,
}

impl Reading {
    fn new() -> Reading {
        Reading {
            nodes: vec![Node::new(None, Status::Indexing)],
            current: 0,
            anchors_made: 0,
            language: None,
            filters: BTreeMap::new(),
            sort: BTreeMap::new(),
            meta: BTreeMap::new(),
            default_meta: BTreeMap::new(),
            anchor_text: BTreeMap::new(),
            anchor_titles: BTreeMap::new(),
        }
    }

    /// Records a closed element's filters, sort keys and metadata (ignored elements' too).
    fn collect_fields(&mut self, node: usize) {
        let node = &self.nodes[node];
        for filter in node.filters.iter().flatten() {
            if let Some((name, value)) = node.field(filter) {
                self.filters
                    .entry(name)
                    .or_default()
                    .push(normalize_text(&value));
            }
        }
        for sort in node.sort.iter().flatten() {
            if let Some((name, value)) = node.field(sort) {
                self.sort.insert(name, value);
            }
        }
        for meta in node.meta.iter().flatten() {
            if let Some((name, value)) = node.field(meta) {
                self.meta.insert(name, value);
            }
        }
        for meta in node.default_meta.iter().flatten() {
            if let Some((name, value)) = node.field(meta) {
                self.default_meta.insert(name, value);
            }
        }
    }

    /// An element's end tag: its text joins its parent's, as its status says. `tag` is the
    /// element's name, `end_tag` the name of the end tag that closed it, its parent's when its
    /// own was left out (lol_html then closes the inner elements first).
    fn close(&mut self, node: usize, tag: &str, end_tag: &str) {
        self.join_parent(node, tag, end_tag);
        // Nothing reads a closed element's node again: the innermost, nearly always the last,
        // is dropped, so that the nodes are a stack as deep as the page rather than one per
        // element (a vector of a few hundred nodes grown and copied on every page).
        if node != 0 && node + 1 == self.nodes.len() {
            self.nodes.pop();
        }
    }

    /// [`Reading::close`]'s work: the closed element's fields, and its text given to its
    /// parent's.
    fn join_parent(&mut self, node: usize, tag: &str, end_tag: &str) {
        let Some(parent) = self.nodes[node].parent else {
            return;
        };
        self.current = parent;
        if self.nodes[node].status == Status::Excluded {
            return;
        }
        self.collect_fields(node);
        if tag == "h1"
            && !self.meta.contains_key("auto_title")
            && !self.nodes[node].text.trim().is_empty()
        {
            let title = normalize_text(&self.nodes[node].text);
            self.meta.insert("auto_title".into(), title);
        }
        if tag == "title" && !self.meta.contains_key("auto_page_title") {
            let title = normalize_text(&self.nodes[node].text);
            self.meta.insert("auto_page_title".into(), title);
        }
        let closed = &mut self.nodes[node];
        if closed.status == Status::Ignored {
            return;
        }
        let block = BLOCKS.contains(&end_tag);
        let full_stop = block && closed.text.chars().next_back().is_some_and(ends_sentence);
        let weighted = match &closed.weight {
            Some(weight) => Some((" ___PAGEFIND_WEIGHT___", weight.clone().into())),
            // By the end tag's name, as Pagefind does: a heading closed by its parent's end tag
            // (`<h1>Title</article>`) gets no weight.
            None => heading_weight(end_tag)
                .map(|weight| (" ___PAGEFIND_AUTO_WEIGHT___", Cow::Borrowed(weight))),
        };
        let wrapping = Wrapping {
            block,
            full_stop,
            weighted,
        };
        let status = closed.status;
        let text = std::mem::take(&mut closed.text);
        let spaces = closed.spaces_before;
        let parent = &mut self.nodes[parent];
        if parent.status == Status::ParentOfBody
            && status != Status::Body
            && status != Status::ParentOfBody
        {
            return;
        }
        match status {
            Status::Ignored | Status::Excluded => {}
            Status::Indexing => wrapping.append(parent, text, spaces),
            Status::Body | Status::ParentOfBody => {
                // A later body joins the earlier ones instead of replacing them.
                if parent.status != Status::ParentOfBody {
                    parent.text.clear();
                    parent.spaces_before = 0;
                }
                wrapping.append(parent, text, spaces);
                parent.status = Status::ParentOfBody;
            }
        }
    }

    /// What is left once the page ends: the open elements are closed, innermost first, the
    /// found title and image fill the fields the page did not set.
    fn finish(mut self) -> Digest {
        let mut node = self.current;
        while let Some(parent) = self.nodes[node].parent {
            if self.nodes[parent].status != Status::ParentOfBody {
                let status = self.nodes[node].status;
                let text = std::mem::take(&mut self.nodes[node].text);
                let spaces = self.nodes[node].spaces_before;
                let parent = &mut self.nodes[parent];
                match status {
                    Status::Ignored | Status::Excluded => {}
                    Status::Indexing => {
                        parent.text.extend(std::iter::repeat_n(' ', spaces));
                        parent.text.push_str(&text);
                    }
                    Status::Body | Status::ParentOfBody => {
                        parent.text = text;
                        parent.spaces_before = spaces;
                        parent.status = Status::ParentOfBody;
                    }
                }
            }
            node = parent;
        }
        let meta = &mut self.meta;
        if let Some(image) = meta.remove("auto_image") {
            let alt = meta.remove("auto_image_alt").unwrap_or_default();
            if !meta.contains_key("image") {
                meta.insert("image".into(), image);
                meta.insert("image_alt".into(), alt);
            }
        }
        for found in ["auto_title", "auto_page_title"] {
            if let Some(title) = meta.remove(found) {
                meta.entry("title".into()).or_insert(title);
            }
        }
        let mut fields = std::mem::take(&mut self.default_meta);
        fields.append(&mut self.meta);
        let root = &self.nodes[node];
        Digest {
            text: normalize_text(&root.text),
            meta: fields,
            filters: self.filters,
            sort: self.sort,
            anchor_text: self.anchor_text,
            anchor_titles: self.anchor_titles,
            has_body: root.status == Status::ParentOfBody,
            always: false,
            language: self
                .language
                .filter(|language| !language.is_empty())
                .unwrap_or_else(|| "unknown".into()),
        }
    }
}

fn heading_weight(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "h1" => "7",
        "h2" => "6",
        "h3" => "5",
        "h4" => "4",
        "h5" => "3",
        "h6" => "2",
        _ => return None,
    })
}

/// What a closed element's text is wrapped in as it joins its parent's: a block's spaces and
/// full stop, a weighted element's markers.
struct Wrapping<'a> {
    block: bool,
    full_stop: bool,
    /// The marker and the weight.
    weighted: Option<(&'static str, Cow<'a, str>)>,
}

impl Wrapping<'_> {
    /// Appends `text`, which `spaces` unwritten spaces come before, wrapped, to `target`'s
    /// text: `[marker weight ]( )text(.)( )[ end marker ]`. Written straight into the parent's
    /// text, rather than the element's own text being wrapped first (a shift of the whole text
    /// for the leading space). When the parent has no text yet and no marker goes first, the
    /// text is moved rather than copied, its leading spaces counted in the parent's
    /// [`Node::spaces_before`]: an element's text goes up through every element it is in, and
    /// the page's main text is in several blocks.
    fn append(&self, target: &mut Node, text: String, spaces: usize) {
        let block = usize::from(self.block);
        if target.text.is_empty() && self.weighted.is_none() {
            target.spaces_before += block + spaces;
            target.text = text;
        } else {
            let out = &mut target.text;
            out.reserve(text.len() + spaces + 4);
            if let Some((marker, weight)) = &self.weighted {
                out.push_str(marker);
                out.push_str(weight);
                out.push(' ');
            }
            out.extend(std::iter::repeat_n(' ', block + spaces));
            out.push_str(&text);
        }
        let out = &mut target.text;
        if self.full_stop {
            out.push('.');
        }
        if self.block {
            out.push(' ');
        }
        if self.weighted.is_some() {
            out.push_str(" ___END_PAGEFIND_WEIGHT___ ");
        }
    }
}

/// Whether a block's text, ending with `c`, gets a full stop: it ends with a word character,
/// a quote, a closing parenthesis, `$` or `*`.
fn ends_sentence(c: char) -> bool {
    static WORD: OnceLock<regex::Regex> = OnceLock::new();
    // The pattern's answer for each ASCII character, asked once: most texts end in one.
    static ASCII: OnceLock<[bool; 128]> = OnceLock::new();
    let word = WORD.get_or_init(|| regex::Regex::new(r#"[\w'"\)\$\*]"#).expect("valid pattern"));
    let is_match = |c: char| {
        let mut buffer = [0u8; 4];
        word.is_match(c.encode_utf8(&mut buffer))
    };
    match u8::try_from(c) {
        Ok(byte) if byte.is_ascii() => ASCII.get_or_init(|| {
            let mut table = [false; 128];
            for (byte, slot) in table.iter_mut().enumerate() {
                *slot = is_match(char::from(byte as u8));
            }
            table
        })[usize::from(byte)],
        _ => is_match(c),
    }
}

/// The fields of a `data-pagefind-meta`-like attribute: `a, b[src]` is `a` (the element's
/// text) and `b` (its `src` attribute); everything after the first `:` is the last field's
/// literal value.
fn fields(attribute: &str, element: &StartTag) -> Vec<String> {
    if let Some((names, literal)) = attribute.split_once(':') {
        let mut fields = fields(names, element);
        if let Some(last) = fields.last_mut() {
            last.push(':');
            last.push_str(literal);
        }
        return fields;
    }
    attribute
        .split(',')
        .map(|chunk| {
            let chunk = chunk.trim();
            match from_attribute(chunk) {
                Some((name, attribute)) => {
                    format!("{name}:{}", element.get(attribute).unwrap_or_default())
                }
                None => chunk.to_string(),
            }
        })
        .collect()
}

/// `name[attribute]` split in two.
fn from_attribute(chunk: &str) -> Option<(&str, &str)> {
    let open = chunk.find('[')?;
    let (name, rest) = (&chunk[..open], &chunk[open + 1..]);
    let attribute = rest.trim_end().strip_suffix(']')?;
    let valid_name = !name.is_empty() && !name.contains([':', ']']);
    (valid_name && !attribute.is_empty() && !attribute.contains('\n')).then_some((name, attribute))
}

/// An element handler on a selector parsed before.
fn handler<'s, 'h>(
    selector: &'s Selector,
    on_element: impl FnMut(&mut Element<'_, '_>) -> HandlerResult + 'h,
) -> (Cow<'s, Selector>, ElementContentHandlers<'h>) {
    (
        Cow::Borrowed(selector),
        ElementContentHandlers::default().element(on_element),
    )
}

/// Reads a page. `None` when lol_html cannot parse it (it gives up on some encodings of
/// markup it cannot tell apart); Pagefind skips such a page.
///
/// Plain, well-nested markup (what intercite's own pages are) is read without lol_html, by
/// [`read_plain`]: the same reading, in about a third of the time. Anything else is read by
/// lol_html.
pub fn read(html: &str) -> Option<Digest> {
    match read_plain(html) {
        Ok(digest) => Some(digest),
        Err(Unsupported) => read_with_lol_html(html.as_bytes()),
    }
}

/// Reads a page through [`Tokenizer`], as lol_html would read it; [`Unsupported`] for
/// markup the tokenizer leaves to lol_html, for an element outside `<html>`, and for end tags
/// that do not each close the innermost open element (lol_html would not run the handlers of
/// the elements they close implicitly).
fn read_plain(html: &str) -> Result<Digest, Unsupported> {
    let mut tokenizer = Tokenizer::new(html)?;
    let mut reading = Reading::new();
    // The open elements: their nodes and names.
    let mut open_elements: Vec<(usize, Cow<'_, str>)> = Vec::new();
    let mut html_seen = false;
    while let Some(token) = tokenizer.next_token()? {
        match token {
            // Text outside `<html>` is not the page's (lol_html's handlers are on `html`).
            Token::Text(_) if open_elements.is_empty() => {}
            Token::Text(text) => reading.text(text),
            Token::Start {
                name,
                attributes,
                self_closing,
            } => {
                let outside = open_elements.is_empty();
                if (name == "html") != outside || (outside && html_seen) {
                    return Err(Unsupported);
                }
                html_seen = true;
                let void = VOID_ELEMENTS.contains(&name.as_ref());
                if self_closing && !void {
                    return Err(Unsupported);
                }
                let tag = StartTag {
                    name,
                    attributes: attributes
                        .into_iter()
                        .map(|(name, value)| (name, Cow::Borrowed(value)))
                        .collect(),
                };
                if outside {
                    reading.language = tag.get("lang").map(str::to_lowercase);
                }
                let opened = reading.open(&tag, !void);
                if !outside && LEFT_OUT.contains(&tag.name.as_ref()) {
                    let current = reading.current;
                    reading.nodes[current].status = Status::Ignored;
                }
                if let Some(node) = opened {
                    open_elements.push((node, tag.name));
                }
            }
            Token::End(name) => match open_elements.pop() {
                Some((node, open)) if open == name => reading.close(node, &open, &name),
                _ => return Err(Unsupported),
            },
        }
    }
    if !html_seen || !open_elements.is_empty() {
        return Err(Unsupported);
    }
    Ok(reading.finish())
}

/// Reads a page with lol_html, the parser Pagefind uses.
fn read_with_lol_html(html: &[u8]) -> Option<Digest> {
    // Parsed once for the whole run, not once per page.
    static SELECTORS: OnceLock<[Selector; 3]> = OnceLock::new();
    let selectors = SELECTORS.get_or_init(|| {
        let left_out = LEFT_OUT
            .iter()
            .map(|name| format!("html {name}"))
            .collect::<Vec<_>>()
            .join(", ");
        [
            "html".parse().expect("a valid selector"),
            "html, html *".parse().expect("a valid selector"),
            left_out.parse().expect("a valid selector"),
        ]
    });
    let reading = Rc::new(RefCell::new(Reading::new()));
    let on_html = {
        let reading = Rc::clone(&reading);
        handler(&selectors[0], move |el| {
            if let Some(lang) = el.get_attribute("lang") {
                reading.borrow_mut().language = Some(lang.to_lowercase());
            }
            Ok(())
        })
    };
    let on_element = {
        let reading = Rc::clone(&reading);
        handler(&selectors[1], move |el| {
            let tag = StartTag::of(el);
            let opened = reading.borrow_mut().open(&tag, el.can_have_content());
            if let (Some(node), Some(handlers)) = (opened, el.end_tag_handlers()) {
                let reading = Rc::clone(&reading);
                let name = tag.name.into_owned();
                handlers.push(Box::new(move |end| {
                    reading.borrow_mut().close(node, &name, &end.name());
                    Ok(())
                }));
            }
            Ok(())
        })
    };
    let on_left_out = {
        let reading = Rc::clone(&reading);
        handler(&selectors[2], move |_| {
            let mut reading = reading.borrow_mut();
            let current = reading.current;
            reading.nodes[current].status = Status::Ignored;
            Ok(())
        })
    };
    let on_text = {
        let reading = Rc::clone(&reading);
        (
            Cow::Borrowed(&selectors[0]),
            ElementContentHandlers::default().text(move |chunk: &mut TextChunk<'_>| {
                reading.borrow_mut().text(chunk.as_str());
                Ok(())
            }),
        )
    };
    let settings = Settings::new()
        .with_strict(false)
        .append_element_content_handler(on_html)
        .append_element_content_handler(on_element)
        .append_element_content_handler(on_left_out)
        .append_element_content_handler(on_text);
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    // Pagefind feeds the parser 20,000 bytes at a time; text chunks (and so the text gathered)
    // do not depend on where the input is cut, but keep the same cuts all the same.
    for piece in html.chunks(20_000) {
        if rewriter.write(piece).is_err() {
            return None;
        }
    }
    drop(rewriter);
    // Dropping the rewriter drops the handlers and their references to the reading; should one
    // be kept anyway, the reading is taken out from under it.
    let reading = match Rc::try_unwrap(reading) {
        Ok(reading) => reading.into_inner(),
        Err(shared) => shared.replace(Reading::new()),
    };
    Some(reading.finish())
}

/// An element's start tag: its lowercased name and its attributes in order (names lowercased,
/// values as written).
struct StartTag<'a> {
    name: Cow<'a, str>,
    attributes: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl StartTag<'_> {
    fn of(el: &Element) -> StartTag<'static> {
        StartTag {
            name: Cow::Owned(el.tag_name()),
            attributes: el
                .attributes()
                .iter()
                .map(|a| (Cow::Owned(a.name()), Cow::Owned(a.value())))
                .collect(),
        }
    }

    /// The first attribute named `name` (in any case), as lol_html's `get_attribute` finds it.
    fn get(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_ref())
    }
}

/// The attributes Pagefind reads on every element, found in one walk over the element's
/// attributes. The first of two same-named attributes counts, as with lol_html's
/// `get_attribute`.
#[derive(Default)]
struct Marks<'t> {
    ignore: Option<&'t str>,
    body: bool,
    id: Option<&'t str>,
    title: Option<&'t str>,
    filter: Option<&'t str>,
    meta: Option<&'t str>,
    default_meta: Option<&'t str>,
    sort: Option<&'t str>,
    weight: Option<&'t str>,
    index_attrs: Option<&'t str>,
}

impl<'t> Marks<'t> {
    fn of(tag: &'t StartTag) -> Marks<'t> {
        let mut marks = Marks::default();
        for (name, value) in &tag.attributes {
            let slot = match name.as_ref() {
                "id" => &mut marks.id,
                "data-pagefind-body" => {
                    marks.body = true;
                    continue;
                }
                "data-pagefind-ignore" => &mut marks.ignore,
                "data-pagefind-title" => &mut marks.title,
                "data-pagefind-filter" => &mut marks.filter,
                "data-pagefind-meta" => &mut marks.meta,
                "data-pagefind-default-meta" => &mut marks.default_meta,
                "data-pagefind-sort" => &mut marks.sort,
                "data-pagefind-weight" => &mut marks.weight,
                "data-pagefind-index-attrs" => &mut marks.index_attrs,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value.as_ref());
            }
        }
        marks
    }
}

impl Reading {
    /// An element's start tag: a node for it and its anchor. Returns the node when an end tag
    /// is to close it (`can_have_content`: not a void element).
    fn open(&mut self, tag: &StartTag, can_have_content: bool) -> Option<usize> {
        let marks = Marks::of(tag);
        let ignore = marks.ignore.map(|value| {
            match value.to_ascii_lowercase().as_str() {
                "" | "index" | "true" => Status::Ignored,
                // `all`, and any value Pagefind does not know, which it takes as `all`.
                _ => Status::Excluded,
            }
        });
        let status = if marks.body {
            Status::Body
        } else {
            ignore.unwrap_or(Status::Indexing)
        };
        let id = marks.id.map(|id| {
            id.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
        });
        let title = marks
            .title
            .map(normalize_text)
            .filter(|title| !title.is_empty());
        let fields_of = |attribute: Option<&str>| attribute.map(|a| fields(a, tag));
        let mut node = Node::new(None, status);
        node.filters = fields_of(marks.filter);
        node.meta = fields_of(marks.meta);
        node.default_meta = fields_of(marks.default_meta);
        node.sort = fields_of(marks.sort);
        node.weight = marks.weight.map(str::to_string);
        let indexed_attributes: Option<Vec<&str>> = marks
            .index_attrs
            .map(|a| a.split(',').map(str::trim).collect());
        let name = tag.name.as_ref();

        let parent = self.current;
        let mut anchor = None;
        if !matches!(status, Status::Excluded | Status::Ignored) {
            if let Some(id) = id {
                // No anchor outside the content once a body was found.
                let outside_body = self.nodes[parent].status == Status::ParentOfBody
                    && !matches!(status, Status::Body | Status::ParentOfBody);
                if !outside_body {
                    // `number:id`, and the marker ` ___PAGEFIND_ANCHOR___name:number:id `.
                    let mut key = self.anchors_made.to_string();
                    key.push(':');
                    key.push_str(&id);
                    let text = &mut self.nodes[parent].text;
                    text.push_str(" ___PAGEFIND_ANCHOR___");
                    text.push_str(name);
                    text.push(':');
                    text.push_str(&key);
                    text.push(' ');
                    anchor = Some(key);
                    self.anchors_made += 1;
                }
            }
        }
        if let (Some(anchor), Some(title)) = (&anchor, title) {
            self.anchor_titles.insert(anchor.clone(), title);
        }
        if status != Status::Excluded {
            let parent_text = &mut self.nodes[parent].text;
            for attribute in indexed_attributes.iter().flatten() {
                let mut value = tag.get(attribute).unwrap_or_default().to_string();
                if value.chars().next_back().is_some_and(ends_sentence) {
                    value.push('.');
                }
                parent_text.push(' ');
                parent_text.push_str(&value);
                parent_text.push(' ');
            }
            if name == "br" {
                parent_text.push(' ');
            }
        }
        let parent_node = &self.nodes[parent];
        let mut anchors = if parent_node.anchors.is_some() && INLINE.contains(&name) {
            parent_node.anchors.clone()
        } else {
            None
        };
        if let Some(anchor) = anchor {
            anchors.get_or_insert_with(Vec::new).push(anchor);
        }
        node.anchors = anchors;
        node.parent = Some(parent);
        if parent_node.status == Status::Excluded {
            node.status = Status::Excluded;
        }
        let index = self.nodes.len();
        self.nodes.push(node);
        self.current = index;
        if can_have_content {
            return Some(index);
        }
        // A void element (`<img>`, `<br>`): no end tag will come, and its node is not needed
        // once its fields are read.
        self.current = parent;
        if self.nodes[index].status != Status::Excluded {
            self.collect_fields(index);
            let has_title = self.meta.contains_key("auto_title") || self.meta.contains_key("title");
            if name == "img" && !self.meta.contains_key("auto_image") && has_title {
                if let Some(src) = tag.get("src") {
                    self.meta.insert("auto_image".into(), normalize_text(src));
                    if let Some(alt) = tag.get("alt") {
                        self.meta
                            .insert("auto_image_alt".into(), normalize_text(alt));
                    }
                }
            }
        }
        self.nodes.pop();
        None
    }

    /// Text inside `<html>`: it joins the current element's, and its anchors' when indexed.
    fn text(&mut self, text: &str) {
        let node = &mut self.nodes[self.current];
        node.text.push_str(text);
        let indexed = !matches!(node.status, Status::Ignored | Status::Excluded);
        if let (true, Some(anchors)) = (indexed, &node.anchors) {
            for anchor in anchors {
                self.anchor_text
                    .entry(anchor.clone())
                    .or_default()
                    .push_str(text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_its_title_and_its_anchors_are_read() {
        let digest = read(
            r#"<html lang="FR"><head><title>Site</title></head><body><nav>Menu</nav>
            <main data-pagefind-body data-pagefind-meta="lang:fr"><h1 id="t">Cités &amp; villes</h1>
            <p>Un texte<br>suivi</p><p data-pagefind-ignore>caché</p></main><footer>Pied</footer></body></html>"#
        )
        .expect("parsed");
        assert_eq!(digest.language, "fr");
        assert!(digest.has_body);
        assert_eq!(
            digest.text,
            "___PAGEFIND_ANCHOR___h1:0:t ___PAGEFIND_AUTO_WEIGHT___7 Cités & villes. \
             ___END_PAGEFIND_WEIGHT___ Un texte suivi."
        );
        assert_eq!(digest.meta["title"], "Cités & villes");
        assert_eq!(digest.meta["lang"], "fr");
        assert_eq!(digest.anchor_text["0:t"], "Cités &amp; villes");
    }

    #[test]
    fn attribute_fields_name_their_source() {
        assert_eq!(from_attribute("image[src]"), Some(("image", "src")));
        assert_eq!(from_attribute("image"), None);
        assert_eq!(from_attribute("a:b[src]"), None);
        assert_eq!(from_attribute("[src]"), None);
    }

    #[test]
    fn a_page_without_a_body_keeps_all_its_text() {
        let digest = read("<html><body><div>One</div><div>Two</div></body></html>").unwrap();
        assert!(!digest.has_body);
        assert_eq!(digest.language, "unknown");
        assert_eq!(digest.text, "One. Two.");
    }

    /// Random markup, mostly plain and well nested: every page [`read_plain`] reads must come
    /// out as lol_html reads it, and most pages must be read without lol_html.
    #[test]
    fn plain_pages_are_read_as_lol_html_reads_them() {
        let mut random = crate::test_random::Xorshift(0x05ee_d1cc);
        let mut next = move |below: usize| random.below(below);
        const TAGS: &[&str] = &[
            "p",
            "div",
            "h1",
            "h2",
            "H3",
            "span",
            "em",
            "a",
            "ul",
            "li",
            "section",
            "main",
            "nav",
            "footer",
            "label",
            "form",
            "pre",
            "abbr",
            "td",
            "custom-el",
        ];
        const ATTRIBUTES: &[&str] = &[
            " data-pagefind-body",
            " DATA-PAGEFIND-BODY=''",
            " data-pagefind-ignore",
            " data-pagefind-ignore=all",
            " data-pagefind-weight=3",
            " data-pagefind-meta=\"title\"",
            " data-pagefind-meta='image[data-img], topic:Cité &amp; ville' data-img=/x.png",
            " data-pagefind-default-meta=\"title:Default\"",
            " data-pagefind-filter=kind",
            " data-pagefind-sort=\"n:2\"",
            " data-pagefind-index-attrs=\"title, alt\" title=\"A title\" alt=Alt",
            " data-pagefind-title=\"Anchor &amp; title\"",
            " id=part",
            " id=\" spaced\"",
            " id=a id=b",
            " class=\"x y\"",
            " href=/a/b/",
            " hidden",
            " lang = fr",
            "/",
            " a=\"1\"b=2",
        ];
        const TEXT: &[&str] = &[
            "Cités",
            "interculturelles",
            "&eacute;t&eacute;",
            "&amp;",
            "a > b",
            "会議",
            "2024.",
            "well-being",
            "«\u{a0}quote\u{a0}»",
            "(report)",
        ];
        let mut plain = 0;
        let pages = 3000;
        for n in 0..pages {
            let mut body = String::new();
            let mut open: Vec<&str> = Vec::new();
            for _ in 0..(5 + next(40)) {
                match next(12) {
                    0..=2 if open.len() < 8 => {
                        let tag = TAGS[next(TAGS.len())];
                        body.push('<');
                        body.push_str(tag);
                        for _ in 0..next(3) {
                            body.push_str(ATTRIBUTES[next(ATTRIBUTES.len())]);
                        }
                        body.push('>');
                        open.push(tag);
                    }
                    3 | 4 if !open.is_empty() => {
                        let tag = open.pop().unwrap_or("p");
                        match next(40) {
                            0 => {}
                            1 => body.push_str("</span>"),
                            2 => body.push_str(&format!("</{tag} >")),
                            _ => body.push_str(&format!("</{}>", tag.to_lowercase())),
                        }
                    }
                    5 => body.push_str(
                        [
                            "<br>",
                            "<br/>",
                            "<img src=/i.png alt=\"Alt\">",
                            "<hr class=x/>",
                            "<input value=1>",
                            "<wbr>",
                        ][next(6)],
                    ),
                    6 if next(10) == 0 => body.push_str(
                        ["<!-- c -->", "<script>x</script>", "a < b", "<svg></svg>"][next(4)],
                    ),
                    _ => {
                        for _ in 0..(1 + next(6)) {
                            body.push_str(TEXT[next(TEXT.len())]);
                            body.push([' ', ' ', ' ', '\n', '\t'][next(5)]);
                        }
                    }
                }
            }
            while let Some(tag) = open.pop() {
                body.push_str(&format!("</{}>", tag.to_lowercase()));
            }
            let doctype = ["", "<!DOCTYPE html>\n", "<!doctype html>"][next(3)];
            let title = [
                "<title>Page &amp; <b>one</b></title>",
                "<TITLE>Two</Title>",
                "",
            ][next(3)];
            let lang = ["", " lang=FR", " lang=\"ja\"", " LANG='en-GB'"][next(4)];
            let html = format!(
                "{doctype}<html{lang}>\n<head>{title}<meta charset=utf-8></head>\n<body>{body}</body></html>\n"
            );
            let by_lol_html = read_with_lol_html(html.as_bytes()).expect("lol_html reads it");
            if let Ok(digest) = read_plain(&html) {
                plain += 1;
                assert_eq!(
                    format!("{digest:?}"),
                    format!("{by_lol_html:?}"),
                    "page {n}:\n{html}"
                );
            }
        }
        assert!(
            plain > pages / 3,
            "only {plain} of {pages} pages read without lol_html"
        );
    }
}
