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

/// Elements never indexed, whatever their attributes.
const LEFT_OUT: &str = "html head, html style, html script, html noscript, html label, \
                        html form, html svg, html footer, html nav, html iframe, html template";

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
            None if self.text.is_empty() => None,
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
        if BLOCKS.contains(&end_tag) {
            closed.text.insert(0, ' ');
            if closed.text.chars().next_back().is_some_and(ends_sentence) {
                closed.text.push('.');
            }
            closed.text.push(' ');
        }
        let weighted = match &closed.weight {
            Some(weight) => Some((" ___PAGEFIND_WEIGHT___", weight.as_str())),
            // By the end tag's name, as Pagefind does: a heading closed by its parent's end tag
            // (`<h1>Title</article>`) gets no weight.
            None => heading_weight(end_tag).map(|weight| (" ___PAGEFIND_AUTO_WEIGHT___", weight)),
        };
        if let Some((marker, weight)) = weighted {
            closed.text = [
                marker,
                weight,
                " ",
                &closed.text,
                " ___END_PAGEFIND_WEIGHT___ ",
            ]
            .concat();
        }
        let status = closed.status;
        let text = std::mem::take(&mut closed.text);
        let parent = &mut self.nodes[parent];
        if parent.status == Status::ParentOfBody
            && status != Status::Body
            && status != Status::ParentOfBody
        {
            return;
        }
        match status {
            Status::Ignored | Status::Excluded => {}
            Status::Indexing => parent.text.push_str(&text),
            Status::Body | Status::ParentOfBody => {
                // A later body joins the earlier ones instead of replacing them.
                if parent.status != Status::ParentOfBody {
                    parent.text.clear();
                }
                parent.text.push_str(&text);
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
                let parent = &mut self.nodes[parent];
                match status {
                    Status::Ignored | Status::Excluded => {}
                    Status::Indexing => parent.text.push_str(&text),
                    Status::Body | Status::ParentOfBody => {
                        parent.text = text;
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

/// Whether a block's text, ending with `c`, gets a full stop: it ends with a word character,
/// a quote, a closing parenthesis, `$` or `*`.
fn ends_sentence(c: char) -> bool {
    static WORD: OnceLock<regex::Regex> = OnceLock::new();
    let word = WORD.get_or_init(|| regex::Regex::new(r#"[\w'"\)\$\*]"#).expect("valid pattern"));
    let mut buffer = [0u8; 4];
    word.is_match(c.encode_utf8(&mut buffer))
}

/// The fields of a `data-pagefind-meta`-like attribute: `a, b[src]` is `a` (the element's
/// text) and `b` (its `src` attribute); everything after the first `:` is the last field's
/// literal value.
fn fields(attribute: &str, element: &Element) -> Vec<String> {
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
                    format!(
                        "{name}:{}",
                        element.get_attribute(attribute).unwrap_or_default()
                    )
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
pub fn read(html: &[u8]) -> Option<Digest> {
    // Parsed once for the whole run, not once per page.
    static SELECTORS: OnceLock<[Selector; 3]> = OnceLock::new();
    let selectors = SELECTORS.get_or_init(|| {
        ["html", "html, html *", LEFT_OUT].map(|s| s.parse().expect("a valid selector"))
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
            open(&reading, el);
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
                let mut reading = reading.borrow_mut();
                let reading = &mut *reading;
                let node = &mut reading.nodes[reading.current];
                node.text.push_str(chunk.as_str());
                let indexed = !matches!(node.status, Status::Ignored | Status::Excluded);
                if let (true, Some(anchors)) = (indexed, &node.anchors) {
                    for anchor in anchors {
                        reading
                            .anchor_text
                            .entry(anchor.clone())
                            .or_default()
                            .push_str(chunk.as_str());
                    }
                }
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

/// The attributes Pagefind reads on every element, found in one walk over the element's
/// attributes: asking lol_html for each by name lowercases and encodes the name and scans the
/// attributes again, a dozen times per element. The first of two same-named attributes counts,
/// as with `get_attribute`.
#[derive(Default)]
struct Marks {
    ignore: Option<String>,
    body: bool,
    id: Option<String>,
    title: Option<String>,
    filter: Option<String>,
    meta: Option<String>,
    default_meta: Option<String>,
    sort: Option<String>,
    weight: Option<String>,
    index_attrs: Option<String>,
}

impl Marks {
    fn of(el: &Element) -> Marks {
        let mut marks = Marks::default();
        for attribute in el.attributes() {
            let name = attribute.name();
            let slot = match name.as_str() {
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
                *slot = Some(attribute.value());
            }
        }
        marks
    }
}

/// An element's start tag: a node for it, its anchor, and the handler of its end tag.
fn open(shared: &Rc<RefCell<Reading>>, el: &mut Element) {
    let tag = el.tag_name();
    let marks = Marks::of(el);
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
        .map(|title| normalize_text(&title))
        .filter(|title| !title.is_empty());
    let fields_of = |attribute: Option<String>| attribute.map(|a| fields(&a, el));
    let mut node = Node::new(None, status);
    node.filters = fields_of(marks.filter);
    node.meta = fields_of(marks.meta);
    node.default_meta = fields_of(marks.default_meta);
    node.sort = fields_of(marks.sort);
    node.weight = marks.weight;
    let indexed_attributes: Option<Vec<String>> = marks
        .index_attrs
        .map(|a| a.split(',').map(|name| name.trim().to_string()).collect());

    let mut reading = shared.borrow_mut();
    let reading = &mut *reading;
    let parent = reading.current;
    let mut anchor = None;
    if !matches!(status, Status::Excluded | Status::Ignored) {
        if let Some(id) = id {
            // No anchor outside the content once a body was found.
            let outside_body = reading.nodes[parent].status == Status::ParentOfBody
                && !matches!(status, Status::Body | Status::ParentOfBody);
            if !outside_body {
                let number = reading.anchors_made;
                reading.nodes[parent]
                    .text
                    .push_str(&format!(" ___PAGEFIND_ANCHOR___{tag}:{number}:{id} "));
                anchor = Some(format!("{number}:{id}"));
                reading.anchors_made += 1;
            }
        }
    }
    if let (Some(anchor), Some(title)) = (&anchor, title) {
        reading.anchor_titles.insert(anchor.clone(), title);
    }
    if status != Status::Excluded {
        let parent_text = &mut reading.nodes[parent].text;
        for name in indexed_attributes.iter().flatten() {
            let mut value = el.get_attribute(name).unwrap_or_default();
            if value.chars().next_back().is_some_and(ends_sentence) {
                value.push('.');
            }
            parent_text.push(' ');
            parent_text.push_str(&value);
            parent_text.push(' ');
        }
        if tag == "br" {
            parent_text.push(' ');
        }
    }
    let parent_node = &reading.nodes[parent];
    let mut anchors = if parent_node.anchors.is_some() && INLINE.contains(&tag.as_str()) {
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
    let index = reading.nodes.len();
    reading.nodes.push(node);
    reading.current = index;

    if let Some(handlers) = el.end_tag_handlers() {
        let shared = Rc::clone(shared);
        handlers.push(Box::new(move |end| {
            shared.borrow_mut().close(index, &tag, &end.name());
            Ok(())
        }));
        return;
    }
    // A void element (`<img>`, `<br>`): no end tag will come.
    reading.current = parent;
    if reading.nodes[index].status == Status::Excluded {
        return;
    }
    reading.collect_fields(index);
    let has_title = reading.meta.contains_key("auto_title") || reading.meta.contains_key("title");
    if tag == "img" && !reading.meta.contains_key("auto_image") && has_title {
        if let Some(src) = el.get_attribute("src") {
            reading
                .meta
                .insert("auto_image".into(), normalize_text(&src));
            if let Some(alt) = el.get_attribute("alt") {
                reading
                    .meta
                    .insert("auto_image_alt".into(), normalize_text(&alt));
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
                .as_bytes(),
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
        let digest = read(b"<html><body><div>One</div><div>Two</div></body></html>").unwrap();
        assert!(!digest.has_body);
        assert_eq!(digest.language, "unknown");
        assert_eq!(digest.text, "One. Two.");
    }
}
