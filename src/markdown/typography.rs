//! Language typography: the spaces and quotation marks each language's readers expect.
//!
//! French puts a narrow no-break space (U+202F) before `;` `!` `?` and inside `« »`, and a
//! no-break space (U+00A0) before `:`; Polish quotes „like this”, Ukrainian «like this»;
//! Japanese needs nothing. The rules are one table per language ([`rules`]), so adding a
//! language is adding a row. They are applied to the text of a finished page ([`apply_html`]):
//! titles, UI strings and content alike, but never inside tags (attributes), `code`, `pre`,
//! `script` or `style`, never to URLs written in the text, and never to a passage marked with
//! another `lang`. Spacing that is already right is left alone.

const NARROW_NBSP: char = '\u{202F}';
const NBSP: char = '\u{A0}';

/// The typographic rules of one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Punctuation preceded by a narrow no-break space.
    pub narrow_before: &'static [char],
    /// Punctuation preceded by a (full) no-break space.
    pub nbsp_before: &'static [char],
    /// Narrow no-break spaces inside `« »`.
    pub spaced_guillemets: bool,
    /// What straight double quotes `"…"` become: (opening, closing).
    pub quotes: Option<(char, char)>,
}

const NONE: Rules = Rules {
    narrow_before: &[],
    nbsp_before: &[],
    spaced_guillemets: false,
    quotes: None,
};

/// The rules for a language tag (by its primary subtag).
pub fn rules(lang: &str) -> Rules {
    let primary = lang.split('-').next().unwrap_or(lang).to_ascii_lowercase();
    match primary.as_str() {
        "fr" => Rules {
            narrow_before: &[';', '!', '?', '»'],
            nbsp_before: &[':'],
            spaced_guillemets: true,
            quotes: Some(('«', '»')),
        },
        "en" => Rules {
            quotes: Some(('“', '”')),
            ..NONE
        },
        "pl" | "de" | "cs" | "sk" | "ro" | "hu" => Rules {
            quotes: Some(('„', '”')),
            ..NONE
        },
        "uk" | "ru" | "es" | "it" | "ar" | "ca" | "pt" | "el" => Rules {
            quotes: Some(('«', '»')),
            ..NONE
        },
        _ => NONE,
    }
}

impl Rules {
    fn is_empty(&self) -> bool {
        *self == NONE
    }
}

/// State carried from one text node to the next (a quotation can span `<em>…</em>`).
#[derive(Debug, Default)]
struct TextState {
    /// The last character written, across text nodes.
    previous: Option<char>,
    /// A `«` was just written: the next character decides the space after it.
    after_guillemet: bool,
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

/// Before `;` and friends, a space is added after these (and replaced when a plain one is there).
fn takes_space_after(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(
            c,
            ')' | ']' | '»' | '"' | '”' | '’' | '\'' | '%' | '€' | '…' | '.'
        )
}

/// May the punctuation at `next` (the following character) get a space before it? Not in
/// `10:30`, `http://`, `a;b` or `?!`-like runs inside words.
fn punctuation_is_free(c: char, next: Option<char>) -> bool {
    match next {
        None => true,
        Some(n) if is_space(n) || n == NBSP || n == NARROW_NBSP => true,
        Some(n) if c == ':' => matches!(n, ')' | ']' | '»' | '"' | '”'),
        Some(n) => matches!(
            n,
            ')' | ']' | '»' | '"' | '”' | '!' | '?' | '.' | ',' | ';' | ':' | '’' | '\''
        ),
    }
}

/// Whether a text node holds anything the rules may change: `;`, `:`, `!`, `?`, `"`, `&` (an
/// entity) or a guillemet. Read as bytes, with a table: this runs over all of every page's text,
/// and comparing each character with the eight was the costliest part of the pass.
fn may_change(text: &str) -> bool {
    const GUILLEMET_LEAD: u8 = 0xC2; // `«` is C2 AB, `»` is C2 BB
    const MARKED: [bool; 256] = {
        let mut marked = [false; 256];
        let mut i = 0;
        let bytes = b";:!?\"&";
        while i < bytes.len() {
            marked[bytes[i] as usize] = true;
            i += 1;
        }
        marked[GUILLEMET_LEAD as usize] = true;
        marked
    };
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(found) = bytes[at..].iter().position(|&b| MARKED[usize::from(b)]) {
        let i = at + found;
        if bytes[i] != GUILLEMET_LEAD || matches!(bytes.get(i + 1), Some(0xAB | 0xBB)) {
            return true;
        }
        at = i + 1;
    }
    false
}

/// Applies `rules` to one text node (HTML text with entities), appending to `out`.
fn apply_text(text: &str, rules: &Rules, state: &mut TextState, out: &mut String) {
    // Most text has nothing to change: copy it at once.
    if !state.after_guillemet && !may_change(text) {
        out.push_str(text);
        state.previous = text.chars().last().or(state.previous);
        return;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // Entities are atomic: `&amp;` ends with a `;` that is no punctuation.
        if c == '&' {
            if let Some(len) = entity_length(&chars[i..]) {
                let entity: String = chars[i..i + len].iter().collect();
                let decoded = match entity.as_str() {
                    "&nbsp;" | "&#160;" | "&#xa0;" | "&#xA0;" => Some(NBSP),
                    "&#8239;" | "&#x202f;" | "&#x202F;" => Some(NARROW_NBSP),
                    "&quot;" | "&#34;" | "&#x22;" => Some('"'),
                    _ => None,
                };
                if decoded == Some('"') && rules.quotes.is_some() {
                    i += len;
                    write_quote(rules, state, out);
                    continue;
                }
                out.push_str(&entity);
                state.after_guillemet = false;
                state.previous = Some(decoded.unwrap_or('&'));
                i += len;
                continue;
            }
        }
        // URLs written in the text stay exactly as written.
        if let Some(len) = url_length(&chars[i..], state.previous) {
            out.extend(&chars[i..i + len]);
            state.previous = chars.get(i + len - 1).copied();
            state.after_guillemet = false;
            i += len;
            continue;
        }
        if state.after_guillemet {
            state.after_guillemet = false;
            if c == ' ' {
                out.push(NARROW_NBSP);
                state.previous = Some(NARROW_NBSP);
                i += 1;
                continue;
            }
            if !is_space(c) && c != NBSP && c != NARROW_NBSP {
                out.push(NARROW_NBSP);
            }
        }
        if c == '"' && rules.quotes.is_some() {
            write_quote(rules, state, out);
            i += 1;
            continue;
        }
        let narrow = rules.narrow_before.contains(&c);
        let full = rules.nbsp_before.contains(&c);
        if (narrow || full) && (c == '»' || punctuation_is_free(c, chars.get(i + 1).copied())) {
            space_before(if narrow { NARROW_NBSP } else { NBSP }, state, out);
        }
        out.push(c);
        state.previous = Some(c);
        if c == '«' && rules.spaced_guillemets {
            state.after_guillemet = true;
        }
        i += 1;
    }
}

/// Puts `space` before the punctuation about to be written: replaces a plain space just
/// written, adds one after a word, keeps a no-break space already there.
fn space_before(space: char, state: &mut TextState, out: &mut String) {
    match state.previous {
        Some(' ') if out.ends_with(' ') => {
            out.pop();
            out.push(space);
        }
        Some(p) if takes_space_after(p) => out.push(space),
        _ => {}
    }
}

fn write_quote(rules: &Rules, state: &mut TextState, out: &mut String) {
    let Some((open, close)) = rules.quotes else {
        return;
    };
    let opening = match state.previous {
        None => true,
        Some(p) => {
            is_space(p)
                || p == NBSP
                || p == NARROW_NBSP
                || matches!(p, '(' | '[' | '{' | '—' | '–' | '-' | '/' | '«' | '„' | '“')
        }
    };
    if opening {
        out.push(open);
        state.previous = Some(open);
        state.after_guillemet = open == '«' && rules.spaced_guillemets;
    } else {
        if close == '»' && rules.spaced_guillemets {
            space_before(NARROW_NBSP, state, out);
        }
        out.push(close);
        state.previous = Some(close);
        state.after_guillemet = false;
    }
}

/// Length of an HTML character reference at the start of `chars` (`&amp;`, `&#160;`).
fn entity_length(chars: &[char]) -> Option<usize> {
    let end = chars.iter().take(12).position(|&c| c == ';')?;
    let name = &chars[1..end];
    let ok = !name.is_empty()
        && name
            .iter()
            .enumerate()
            .all(|(i, c)| c.is_ascii_alphanumeric() || (i == 0 && *c == '#'));
    ok.then_some(end + 1)
}

/// Length of a URL (`https://…`, `mailto:…`, `www.…`) starting at `chars`, up to the next space.
fn url_length(chars: &[char], previous: Option<char>) -> Option<usize> {
    if !matches!(chars.first(), Some('h' | 'H' | 'w' | 'W' | 'm' | 'M'))
        || previous.is_some_and(|p| p.is_alphanumeric())
    {
        return None;
    }
    let starts_with = |prefix: &str| {
        prefix
            .chars()
            .enumerate()
            .all(|(i, p)| chars.get(i).is_some_and(|c| c.to_ascii_lowercase() == p))
    };
    if !(starts_with("http://")
        || starts_with("https://")
        || starts_with("www.")
        || starts_with("mailto:"))
    {
        return None;
    }
    let len = chars
        .iter()
        .position(|c| c.is_whitespace() || *c == '<')
        .unwrap_or(chars.len());
    Some(len)
}

/// Elements whose text is never touched.
const UNTOUCHED: &[&str] = &[
    "script", "style", "code", "pre", "kbd", "samp", "textarea", "svg", "math", "var",
];
/// Elements without end tags.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

struct Open<'a> {
    /// As written in the page (compared ignoring case): borrowing it costs no allocation.
    name: &'a str,
    rules: Rules,
    untouched: bool,
}

/// Applies the typography of `lang` to the text of an HTML page.
pub fn apply_html(html: &str, lang: &str) -> String {
    let page_rules = rules(lang);
    if page_rules.is_empty() && !html.contains(" lang=") {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + html.len() / 50);
    let mut stack: Vec<Open<'_>> = Vec::new();
    let mut state = TextState::default();
    let mut rest = html;
    while !rest.is_empty() {
        let text_end = memchr::memchr(b'<', rest.as_bytes()).unwrap_or(rest.len());
        let text = &rest[..text_end];
        if !text.is_empty() {
            let (current, untouched) = stack
                .last()
                .map_or((page_rules, false), |o| (o.rules, o.untouched));
            if untouched || current.is_empty() {
                out.push_str(text);
                state.previous = text.chars().last();
                state.after_guillemet = false;
            } else {
                apply_text(text, &current, &mut state, &mut out);
            }
        }
        rest = &rest[text_end..];
        if rest.is_empty() {
            break;
        }
        let tag_len = markup_length(rest);
        let tag = &rest[..tag_len];
        out.push_str(tag);
        rest = &rest[tag_len..];
        track_tag(tag, page_rules, &mut stack, &mut state);
    }
    out
}

/// Length of the markup at the start of `s` (a tag, comment or doctype), quotes respected.
fn markup_length(s: &str) -> usize {
    if s.starts_with("<!--") {
        return s.find("-->").map_or(s.len(), |e| e + 3);
    }
    // Bytes, not chars: the three delimiters are ASCII, and UTF-8 never uses ASCII bytes inside
    // a multi-byte character. This runs over every tag of every page.
    let bytes = s.as_bytes();
    let mut at = 1;
    while let Some(found) = memchr::memchr3(b'>', b'"', b'\'', &bytes[at.min(bytes.len())..]) {
        let i = at + found;
        match bytes[i] {
            b'>' => return i + 1,
            quote => match memchr::memchr(quote, &bytes[i + 1..]) {
                Some(close) => at = i + 1 + close + 1,
                None => return s.len(),
            },
        }
    }
    s.len()
}

fn track_tag<'a>(
    tag: &'a str,
    page_rules: Rules,
    stack: &mut Vec<Open<'a>>,
    state: &mut TextState,
) {
    let inner = tag.trim_start_matches('<').trim_end_matches('>');
    if inner.starts_with('!') || inner.starts_with('?') {
        return;
    }
    if let Some(name) = inner.strip_prefix('/') {
        let name = name.trim();
        if let Some(position) = stack
            .iter()
            .rposition(|o| o.name.eq_ignore_ascii_case(name))
        {
            stack.truncate(position);
        }
        return;
    }
    // Bytes, not chars: the name is ASCII, and a multi-byte character ends it either way.
    let name_end = inner
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'-'))
        .unwrap_or(inner.len());
    let name = &inner[..name_end];
    let is = |names: &[&str]| names.iter().any(|n| n.eq_ignore_ascii_case(name));
    if name.is_empty() || is(VOID) || inner.ends_with('/') {
        return;
    }
    if is(&["br", "p", "li"]) {
        state.previous = Some(' ');
    }
    let parent = stack.last();
    let rules = lang_attribute(inner).map_or(parent.map_or(page_rules, |p| p.rules), |l| rules(&l));
    let untouched = parent.is_some_and(|p| p.untouched) || is(UNTOUCHED);
    stack.push(Open {
        name,
        rules,
        untouched,
    });
}

/// The value of the `lang` attribute in a start tag's inside (quoted or not).
fn lang_attribute(inner: &str) -> Option<String> {
    // One searcher for the whole run, rather than one per call (`str::find` and
    // `memmem::find` both set one up): this runs on every start tag of every page.
    static LANG: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("lang"));
    let name = "lang";
    let mut search = inner;
    while let Some(i) = LANG.find(search.as_bytes()) {
        let before = search[..i].chars().last();
        let after = &search[i + name.len()..];
        search = after;
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let Some(value) = after.trim_start().strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let value = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or_default(),
            _ => value
                .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .next()
                .unwrap_or_default(),
        };
        return Some(value.to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_the_rules_may_change() {
        for text in ["a;", ":", "!", "?", "\"", "&amp;", "«", "x » y"] {
            assert!(may_change(text), "{text}");
        }
        // `©` (C2 A9) and `§` (C2 A7) share the guillemets' first byte.
        for text in ["", "plain text", "© §", "é – ’ …"] {
            assert!(!may_change(text), "{text}");
        }
    }

    #[test]
    fn markup_ends_at_the_first_unquoted_closing_bracket() {
        assert_eq!(markup_length("<p>text"), 3);
        let tag = r#"<a title="x>y" data-q='>"' lang=é>"#;
        assert_eq!(markup_length(&format!("{tag}rest")), tag.len());
        assert_eq!(markup_length(r#"<a href="never closed>"#), 22);
        assert_eq!(markup_length("<"), 1);
        assert_eq!(markup_length("<!-- a > b -->c"), 14);
    }

    fn fr(html: &str) -> String {
        apply_html(html, "fr")
    }

    #[test]
    fn french_spaces_before_high_punctuation() {
        assert_eq!(
            fr("<p>Vraiment? Oui! Non; voici: la liste</p>"),
            "<p>Vraiment\u{202F}? Oui\u{202F}! Non\u{202F}; voici\u{A0}: la liste</p>"
        );
        assert_eq!(
            fr("<p>Vraiment ? Oui !</p>"),
            "<p>Vraiment\u{202F}? Oui\u{202F}!</p>"
        );
    }

    #[test]
    fn french_guillemets_and_quotes() {
        assert_eq!(
            fr("<p>Le «Diversitours» et « ICC »</p>"),
            "<p>Le «\u{202F}Diversitours\u{202F}» et «\u{202F}ICC\u{202F}»</p>"
        );
        assert_eq!(
            fr("<p>Le \"Diversitours\", une visite</p>"),
            "<p>Le «\u{202F}Diversitours\u{202F}», une visite</p>"
        );
    }

    #[test]
    fn correct_spacing_is_left_alone() {
        let right = "<p>Vraiment\u{202F}? Voici\u{A0}: «\u{202F}x\u{202F}»</p>";
        assert_eq!(fr(right), right);
        assert_eq!(fr("<p>Vraiment&nbsp;?</p>"), "<p>Vraiment&nbsp;?</p>");
    }

    #[test]
    fn code_urls_attributes_times_and_entities_are_untouched() {
        assert_eq!(
            fr("<p><code>a ? b : c;</code></p>"),
            "<p><code>a ? b : c;</code></p>"
        );
        assert_eq!(
            fr("<pre><span>x: 1;</span></pre>"),
            "<pre><span>x: 1;</span></pre>"
        );
        assert_eq!(
            fr("<p title=\"Quoi ? Oui : non\">à 10:30</p>"),
            "<p title=\"Quoi ? Oui : non\">à 10:30</p>"
        );
        assert_eq!(
            fr("<p>Voir https://example.org/a?b=c;d et www.coe.int!</p>"),
            "<p>Voir https://example.org/a?b=c;d et www.coe.int!</p>"
        );
        assert_eq!(fr("<p>A &amp; B</p>"), "<p>A &amp; B</p>");
        assert_eq!(
            fr("<script>var a = x ? 1 : 2;</script>"),
            "<script>var a = x ? 1 : 2;</script>"
        );
    }

    #[test]
    fn passages_in_another_language_follow_their_rules() {
        assert_eq!(
            fr("<p>Il dit <span lang=en>\"Why?\"</span> puis?</p>"),
            "<p>Il dit <span lang=en>“Why?”</span> puis\u{202F}?</p>"
        );
    }

    #[test]
    fn spaces_across_inline_tags() {
        assert_eq!(fr("<p><em>vrai</em>?</p>"), "<p><em>vrai</em>\u{202F}?</p>");
    }

    #[test]
    fn other_languages() {
        assert_eq!(
            apply_html("<p>Powiedział \"tak\".</p>", "pl"),
            "<p>Powiedział „tak”.</p>"
        );
        assert_eq!(
            apply_html("<p>Він сказав \"так\".</p>", "uk"),
            "<p>Він сказав «так».</p>"
        );
        assert_eq!(
            apply_html("<p>He said \"yes\"? No!</p>", "en"),
            "<p>He said “yes”? No!</p>"
        );
        assert_eq!(
            apply_html("<p>「会議」 \"x\"?</p>", "ja"),
            "<p>「会議」 \"x\"?</p>"
        );
    }
}
