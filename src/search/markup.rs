//! A tokenizer for the plain, well-nested markup intercite's own pages are made of, so that
//! [`super::html`] can read most pages without lol_html.
//!
//! lol_html is a streaming rewriter: for every tag it runs a selector machine, builds owned
//! attribute lists on request and serializes the token for an output nobody reads here. On the
//! pages a build indexes (their `data-pagefind-body` elements, cut out by
//! `output::search::essentials`) it took about 8 % of the build's CPU. This tokenizer covers
//! only markup whose reading cannot differ from lol_html's, and says so otherwise
//! ([`Unsupported`]); the caller then reads the page with lol_html, as before:
//!
//! - start tags (attributes as the HTML tokenizer splits them: quoted, unquoted or without a
//!   value, names lowercased, values as written, entities and all, as lol_html gives them),
//!   end tags `</name>`, a leading `<!DOCTYPE …>`, and text (as written), with
//!   `<title>`'s text read as raw text up to its end tag;
//! - not: comments, `<!…>` and `<?…>` elsewhere, a `<` that does not start a tag, scripts,
//!   styles and every other element whose content the tokenizer reads differently (raw text,
//!   foreign content: `<svg>`, `<math>`), carriage returns and NUL characters (which the
//!   tokenizer rewrites), and tag names other than ASCII letters, digits and `-`.
//!
//! Nesting is the caller's to check: lol_html runs an element's end tag handlers only for its
//! own end tag, so a page whose end tags do not each close the innermost open element is read
//! by lol_html.

use std::borrow::Cow;

/// Markup this tokenizer does not read the way lol_html does: read the page with lol_html.
#[derive(Debug, PartialEq, Eq)]
pub struct Unsupported;

/// Elements whose content the HTML tokenizer does not read as markup (raw text, escapable raw
/// text, plain text), or reads in another namespace.
const UNSUPPORTED_ELEMENTS: &[&str] = &[
    "script",
    "style",
    "textarea",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "noscript",
    "plaintext",
    "template",
    "svg",
    "math",
];

/// Elements that never have content or an end tag: lol_html's list, which has a few more than
/// today's HTML (`basefont`, `bgsound`, `keygen`).
pub const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "hr", "img", "input", "keygen",
    "link", "meta", "param", "source", "track", "wbr",
];

#[derive(Debug, PartialEq, Eq)]
pub enum Token<'a> {
    /// A start tag: its lowercased name, its attributes in order (names lowercased, values as
    /// written), and whether it ends with `/>`.
    Start {
        name: Cow<'a, str>,
        attributes: Vec<(Cow<'a, str>, &'a str)>,
        self_closing: bool,
    },
    /// An end tag's lowercased name.
    End(Cow<'a, str>),
    /// Text as written, entities and all.
    Text(&'a str),
}

/// The tokens of `html`, in order.
pub struct Tokenizer<'a> {
    html: &'a str,
    at: usize,
    /// Inside `<title>`: the next token is its text, up to `</title`.
    in_title: bool,
}

impl<'a> Tokenizer<'a> {
    /// A tokenizer over `html`, past a leading `<!DOCTYPE …>` if there is one; [`Unsupported`]
    /// when `html` holds a character the tokenizer rewrites.
    pub fn new(html: &'a str) -> Result<Tokenizer<'a>, Unsupported> {
        if memchr::memchr2(b'\r', b'\0', html.as_bytes()).is_some() {
            return Err(Unsupported);
        }
        let mut at = 0;
        let bytes = html.as_bytes();
        if bytes.len() >= 9 && bytes[..9].eq_ignore_ascii_case(b"<!doctype") {
            let end = memchr::memchr2(b'>', b'<', &bytes[9..]).ok_or(Unsupported)? + 9;
            if bytes[end] != b'>' {
                return Err(Unsupported);
            }
            at = end + 1;
        }
        Ok(Tokenizer {
            html,
            at,
            in_title: false,
        })
    }

    /// The next token, `Ok(None)` at the end.
    pub fn next_token(&mut self) -> Result<Option<Token<'a>>, Unsupported> {
        let bytes = self.html.as_bytes();
        if self.at >= bytes.len() {
            return Ok(None);
        }
        if self.in_title {
            self.in_title = false;
            let end = find_title_end(&bytes[self.at..]).ok_or(Unsupported)? + self.at;
            if end > self.at {
                let text = &self.html[self.at..end];
                self.at = end;
                return Ok(Some(Token::Text(text)));
            }
        }
        if bytes[self.at] != b'<' {
            let end = memchr::memchr(b'<', &bytes[self.at..]).map_or(bytes.len(), |i| i + self.at);
            let text = &self.html[self.at..end];
            self.at = end;
            return Ok(Some(Token::Text(text)));
        }
        match bytes.get(self.at + 1) {
            Some(b) if b.is_ascii_alphabetic() => self.start_tag().map(Some),
            Some(b'/') => self.end_tag().map(Some),
            _ => Err(Unsupported),
        }
    }

    /// `<name …>`, with `at` on its `<`.
    fn start_tag(&mut self) -> Result<Token<'a>, Unsupported> {
        let bytes = self.html.as_bytes();
        let name_start = self.at + 1;
        let mut i = name_start;
        while i < bytes.len() && !is_space(bytes[i]) && bytes[i] != b'/' && bytes[i] != b'>' {
            if !(bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-') {
                return Err(Unsupported);
            }
            i += 1;
        }
        let name = lowercase(&self.html[name_start..i]);
        if UNSUPPORTED_ELEMENTS.contains(&name.as_ref()) {
            return Err(Unsupported);
        }
        let mut attributes = Vec::new();
        let mut self_closing = false;
        // The HTML tokenizer's states from "before attribute name" on.
        loop {
            while i < bytes.len() && is_space(bytes[i]) {
                i += 1;
            }
            match bytes.get(i) {
                None => return Err(Unsupported),
                Some(b'>') => {
                    i += 1;
                    break;
                }
                Some(b'/') => {
                    i += 1;
                    if bytes.get(i) == Some(&b'>') {
                        self_closing = true;
                        i += 1;
                        break;
                    }
                    // A lone `/` is dropped; the attributes go on.
                    continue;
                }
                Some(_) => {}
            }
            // An attribute name: its first character may be `=`, the others not.
            let attribute_start = i;
            i += 1;
            while i < bytes.len() && !is_space(bytes[i]) && !matches!(bytes[i], b'/' | b'>' | b'=')
            {
                i += 1;
            }
            let attribute_name = &self.html[attribute_start..i];
            if attribute_name.contains(['"', '\'', '<']) {
                return Err(Unsupported);
            }
            let mut j = i;
            while j < bytes.len() && is_space(bytes[j]) {
                j += 1;
            }
            let mut value = "";
            if bytes.get(j) == Some(&b'=') {
                j += 1;
                while j < bytes.len() && is_space(bytes[j]) {
                    j += 1;
                }
                match bytes.get(j) {
                    None => return Err(Unsupported),
                    Some(&quote @ (b'"' | b'\'')) => {
                        let end = memchr::memchr(quote, &bytes[j + 1..]).ok_or(Unsupported)?;
                        value = &self.html[j + 1..j + 1 + end];
                        j += end + 2;
                        // After a quoted value, anything but a space, `/` or `>` starts the
                        // next attribute right away (a parse error the tokenizer forgives).
                    }
                    Some(b'>') => {}
                    Some(_) => {
                        let start = j;
                        while j < bytes.len() && !is_space(bytes[j]) && bytes[j] != b'>' {
                            if matches!(bytes[j], b'"' | b'\'' | b'<' | b'=' | b'`') {
                                return Err(Unsupported);
                            }
                            j += 1;
                        }
                        value = &self.html[start..j];
                    }
                }
                i = j;
            }
            attributes.push((lowercase(attribute_name), value));
        }
        self.at = i;
        self.in_title = name == "title" && !self_closing;
        Ok(Token::Start {
            name,
            attributes,
            self_closing,
        })
    }

    /// `</name>`, with `at` on its `<`.
    fn end_tag(&mut self) -> Result<Token<'a>, Unsupported> {
        let bytes = self.html.as_bytes();
        let name_start = self.at + 2;
        let mut i = name_start;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-') {
            i += 1;
        }
        if i == name_start
            || !bytes[name_start].is_ascii_alphabetic()
            || bytes.get(i) != Some(&b'>')
        {
            return Err(Unsupported);
        }
        self.at = i + 1;
        Ok(Token::End(lowercase(&self.html[name_start..i])))
    }
}

/// Where `</title` followed by a space, `/` or `>` starts, in any case.
fn find_title_end(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = memchr::memmem::find(&bytes[from..], b"</").map(|i| i + from) {
        let rest = &bytes[found + 2..];
        if rest.len() > 5
            && rest[..5].eq_ignore_ascii_case(b"title")
            && (is_space(rest[5]) || rest[5] == b'/' || rest[5] == b'>')
        {
            return Some(found);
        }
        from = found + 2;
    }
    None
}

/// The white space of the HTML tokenizer between attributes.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0c')
}

fn lowercase(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(html: &str) -> Result<Vec<Token<'_>>, Unsupported> {
        let mut tokenizer = Tokenizer::new(html)?;
        let mut tokens = Vec::new();
        while let Some(token) = tokenizer.next_token()? {
            tokens.push(token);
        }
        Ok(tokens)
    }

    fn start<'a>(name: &'a str, attributes: &[(&'a str, &'a str)]) -> Token<'a> {
        Token::Start {
            name: Cow::Borrowed(name),
            attributes: attributes
                .iter()
                .map(|&(n, v)| (Cow::Borrowed(n), v))
                .collect(),
            self_closing: false,
        }
    }

    #[test]
    fn attributes_are_split_as_the_html_tokenizer_splits_them() {
        assert_eq!(
            tokens(r#"<A HREF=/x/ class="a b" data-x='q' hidden id = y>t</A>"#).unwrap(),
            [
                start(
                    "a",
                    &[
                        ("href", "/x/"),
                        ("class", "a b"),
                        ("data-x", "q"),
                        ("hidden", ""),
                        ("id", "y")
                    ]
                ),
                Token::Text("t"),
                Token::End(Cow::Borrowed("a")),
            ]
        );
        assert_eq!(
            tokens(r#"<p a="1"b / c>"#).unwrap(),
            [start("p", &[("a", "1"), ("b", ""), ("c", "")])]
        );
        assert_eq!(
            tokens("<br/>").unwrap(),
            [Token::Start {
                name: Cow::Borrowed("br"),
                attributes: vec![],
                self_closing: true
            }]
        );
    }

    #[test]
    fn a_title_is_raw_text_and_a_doctype_is_skipped() {
        assert_eq!(
            tokens("<!DOCTYPE html><title>a <b> &amp; c</TITLE >").unwrap_err(),
            Unsupported,
            "an end tag with a space before `>` is left to lol_html"
        );
        assert_eq!(
            tokens("<!doctype html><title>a <b> &amp; c</title>x").unwrap(),
            [
                start("title", &[]),
                Token::Text("a <b> &amp; c"),
                Token::End(Cow::Borrowed("title")),
                Token::Text("x"),
            ]
        );
    }

    #[test]
    fn markup_read_otherwise_is_left_to_lol_html() {
        for html in [
            "<p>a<!-- b --></p>",
            "<p>a < b</p>",
            "<script>x</script>",
            "<svg><path/></svg>",
            "<p>a\r\nb</p>",
            "<p a=\"b>",
            "<p a=b\"c>",
            "</p class=x>",
            "<my:element>",
            "<p",
        ] {
            assert_eq!(tokens(html).unwrap_err(), Unsupported, "{html}");
        }
    }
}
