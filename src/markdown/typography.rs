//! Language typography: the spaces and quotation marks each language's readers expect.
//!
//! French puts a narrow no-break space (U+202F) before `;` `!` `?` and inside `« »`, and a
//! no-break space (U+00A0) before `:`; Polish quotes „like this”, Ukrainian «like this»;
//! Japanese needs nothing. The rules are one table per language ([`rules`]), so adding a
//! language is adding a row. They are applied to the text of a finished page ([`apply_html`]):
//! titles, UI strings and content alike, but never inside tags (attributes), `code`, `pre`,
//! `script` or `style`, never to URLs written in the text, and never to a passage marked with
//! another `lang`. Spacing that is already right is left alone.

use crate::seen::{LineMemo, Slot};

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
    let primary = lang.split('-').next().unwrap_or(lang);
    // Every subtag of the table has two letters: a longer one is none of them. Lowercased in
    // place, without an allocation: this runs for each `lang` attribute of every page.
    let mut lowered = [0u8; 2];
    if primary.len() != lowered.len() {
        return NONE;
    }
    for (to, from) in lowered.iter_mut().zip(primary.bytes()) {
        *to = from.to_ascii_lowercase();
    }
    match &lowered {
        b"fr" => Rules {
            narrow_before: &[';', '!', '?', '»'],
            nbsp_before: &[':'],
            spaced_guillemets: true,
            quotes: Some(('«', '»')),
        },
        b"en" => Rules {
            quotes: Some(('“', '”')),
            ..NONE
        },
        b"pl" | b"de" | b"cs" | b"sk" | b"ro" | b"hu" => Rules {
            quotes: Some(('„', '”')),
            ..NONE
        },
        b"uk" | b"ru" | b"es" | b"it" | b"ar" | b"ca" | b"pt" | b"el" => Rules {
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

    /// A number that tells apart the rules [`rules`] gives, for [`Memo`]'s keys: cheaper to
    /// hash than the characters of the lists.
    fn id(&self) -> u64 {
        let (open, close) = self
            .quotes
            .map_or((0, 0), |(o, c)| (u64::from(o), u64::from(c)));
        (open << 40)
            ^ (close << 16)
            ^ ((self.narrow_before.len() as u64) << 8)
            ^ ((self.nbsp_before.len() as u64) << 4)
            ^ u64::from(self.spaced_guillemets)
    }
}

/// State carried from one text node to the next (a quotation can span `<em>…</em>`).
#[derive(Debug, Default, Clone, Copy)]
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
/// entity) or a guillemet (`«` is C2 AB, `»` C2 BB). This runs over all of every page's text:
/// the bytes are told by comparisons, many at a time ([`crate::scan::first_picked`]).
fn may_change(text: &str) -> bool {
    let marked = |c: u8, next: u8| {
        (c == b';')
            | (c == b':')
            | (c == b'!')
            | (c == b'?')
            | (c == b'"')
            | (c == b'&')
            | ((c == 0xC2) & ((next == 0xAB) | (next == 0xBB)))
    };
    crate::scan::first_picked(text.as_bytes(), 0, marked).is_some()
}

/// Applies `rules` to one text node (HTML text with entities), appending to `out`.
///
/// Runs of characters no rule can touch are copied whole (see [`plain_run_end`]); the others
/// are taken one by one.
fn apply_text(text: &str, rules: &Rules, state: &mut TextState, out: &mut String) {
    // Most text has nothing to change: copy it at once.
    if !state.after_guillemet && !may_change(text) {
        out.push_str(text);
        state.previous = text.chars().last().or(state.previous);
        return;
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !state.after_guillemet {
            let run_end = plain_run_end(bytes, i, state.previous);
            if run_end > i {
                let run = &text[i..run_end];
                out.push_str(run);
                state.previous = run.chars().next_back();
                i = run_end;
                continue;
            }
        }
        let rest = &text[i..];
        let Some(c) = rest.chars().next() else {
            break;
        };
        // Entities are atomic: `&amp;` ends with a `;` that is no punctuation.
        if c == '&' {
            if let Some(len) = entity_length(rest) {
                let entity = &rest[..len];
                let decoded = match entity {
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
                out.push_str(entity);
                state.after_guillemet = false;
                state.previous = Some(decoded.unwrap_or('&'));
                i += len;
                continue;
            }
        }
        // URLs written in the text stay exactly as written.
        if let Some(len) = url_length(rest, state.previous) {
            let url = &rest[..len];
            out.push_str(url);
            state.previous = url.chars().next_back();
            state.after_guillemet = false;
            i += len;
            continue;
        }
        i += c.len_utf8();
        if state.after_guillemet {
            state.after_guillemet = false;
            if c == ' ' {
                out.push(NARROW_NBSP);
                state.previous = Some(NARROW_NBSP);
                continue;
            }
            if !is_space(c) && c != NBSP && c != NARROW_NBSP {
                out.push(NARROW_NBSP);
            }
        }
        if c == '"' && rules.quotes.is_some() {
            write_quote(rules, state, out);
            continue;
        }
        let narrow = rules.narrow_before.contains(&c);
        let full = rules.nbsp_before.contains(&c);
        if (narrow || full) && (c == '»' || punctuation_is_free(c, text[i..].chars().next())) {
            space_before(if narrow { NARROW_NBSP } else { NBSP }, state, out);
        }
        out.push(c);
        state.previous = Some(c);
        if c == '«' && rules.spaced_guillemets {
            state.after_guillemet = true;
        }
    }
}

/// Where the run of characters from `from` that [`apply_text`] only copies ends: before the
/// first one that a rule may act on (punctuation, a quote, a guillemet, an entity) or that may
/// start a URL (`h`, `w` or `m` not after an ASCII letter or digit; after another character it
/// is left to the check of each character, which knows every alphanumeric). `previous` is the
/// character before `from`. `from` itself when that character is one of those.
fn plain_run_end(bytes: &[u8], from: usize, previous: Option<char>) -> usize {
    const GUILLEMET_LEAD: u8 = 0xC2; // `«` is C2 AB, `»` is C2 BB
    let mut at = from;
    while let Some(&b) = bytes.get(at) {
        let stops = match b {
            b';' | b':' | b'!' | b'?' | b'"' | b'&' => true,
            GUILLEMET_LEAD => matches!(bytes.get(at + 1), Some(0xAB | 0xBB)),
            b'h' | b'H' | b'w' | b'W' | b'm' | b'M' => match at == from {
                true => !previous.is_some_and(|p| p.is_ascii_alphanumeric()),
                false => !bytes[at - 1].is_ascii_alphanumeric(),
            },
            _ => false,
        };
        if stops {
            break;
        }
        at += 1;
    }
    at
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

/// Length in bytes of an HTML character reference at the start of `text` (`&amp;`,
/// `&#160;`): a `;` within its first twelve bytes, after a name of ASCII letters and digits.
fn entity_length(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let end = bytes.iter().take(12).position(|&b| b == b';')?;
    let name = &bytes[1..end];
    let ok = !name.is_empty()
        && name
            .iter()
            .enumerate()
            .all(|(i, b)| b.is_ascii_alphanumeric() || (i == 0 && *b == b'#'));
    ok.then_some(end + 1)
}

/// Length in bytes of a URL (`https://…`, `mailto:…`, `www.…`) at the start of `text`, up to
/// the next space or `<`.
fn url_length(text: &str, previous: Option<char>) -> Option<usize> {
    if !matches!(
        text.as_bytes().first(),
        Some(b'h' | b'H' | b'w' | b'W' | b'm' | b'M')
    ) || previous.is_some_and(|p| p.is_alphanumeric())
    {
        return None;
    }
    let starts_with = |prefix: &str| {
        text.as_bytes()
            .get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
    };
    if !(starts_with("http://")
        || starts_with("https://")
        || starts_with("www.")
        || starts_with("mailto:"))
    {
        return None;
    }
    Some(
        text.find(|c: char| c.is_whitespace() || c == '<')
            .unwrap_or(text.len()),
    )
}

/// What [`track_tag`] needs to know of an element, by its name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Without an end tag: `br`, `img`, `link`, `meta`…
    Void,
    /// Its text is never touched: `code`, `pre`, `script`, `style`…
    Untouched,
    /// Starts a new run of text, as after a space: `p`, `li`.
    Block,
    Other,
}

/// The [`Kind`] of an element named `name`, in any case. One `match` on the name lowercased in
/// place, rather than comparing it with each name of the lists: this runs on every start tag
/// of every page.
fn kind(name: &str) -> Kind {
    const LONGEST: usize = 8; // `textarea`
    let mut lowered = [0u8; LONGEST];
    if name.len() > LONGEST {
        return Kind::Other;
    }
    for (to, from) in lowered.iter_mut().zip(name.bytes()) {
        *to = from.to_ascii_lowercase();
    }
    match &lowered[..name.len()] {
        b"area" | b"base" | b"br" | b"col" | b"embed" | b"hr" | b"img" | b"input" | b"link"
        | b"meta" | b"source" | b"track" | b"wbr" => Kind::Void,
        b"script" | b"style" | b"code" | b"pre" | b"kbd" | b"samp" | b"textarea" | b"svg"
        | b"math" | b"var" => Kind::Untouched,
        b"p" | b"li" => Kind::Block,
        _ => Kind::Other,
    }
}

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
    LINES.with(|lines| match lines.try_borrow_mut() {
        Ok(mut memo) => Pass::new(html, page_rules).run(Some(&mut memo)),
        Err(_) => Pass::new(html, page_rules).run(None),
    })
}

/// Empties this thread's memo of lines, to give its memory back once the pages are rendered.
pub fn forget_lines() {
    LINES.with(|lines| {
        if let Ok(mut memo) = lines.try_borrow_mut() {
            *memo = new_memo();
        }
    });
}

thread_local! {
    /// The lines this thread's pages repeat (see [`Memo`]): one per thread, so that pages
    /// rendered on both cores never wait on each other for it.
    static LINES: std::cell::RefCell<Memo> = std::cell::RefCell::new(new_memo());
}

/// Lines met before, with what the pass made of them.
///
/// Most lines of a site's pages come from its templates and repeat from page to page (the
/// header's menus, switcher and tools, the footer), and they hold most of a page's tags, where
/// the pass spends its time. A line runs from a tag that starts a line of the page to the next
/// such tag. What the pass writes for it, and how it leaves the open elements and the text
/// state, depend only on its bytes and on the state before it: every tag and text node of the
/// line ends inside it (its last text node ends at the `<` that starts the next line). So a
/// line met again in the same state (the open elements, hashed as a chain, the page's rules,
/// the previous character) is copied from the memo. [`LineMemo`] stores a line the second
/// time it is met and empties itself past [`MEMO_LIMIT`] bytes.
type Memo = LineMemo<KnownLine>;

/// The bytes of lines a memo holds before it is emptied: a language's header and footer take
/// about 20 KB, and each thread has its own memo.
const MEMO_LIMIT: usize = 2 << 20;
/// The slots of the memo's table of lines met once (a power of two): 32 KiB, to stay in the
/// core's cache, as the minifier's (see `output::minify::onepass`).
const MEMO_SEEN_SLOTS: usize = 1 << 12;

/// A thread's memo, empty.
fn new_memo() -> Memo {
    LineMemo::new(MEMO_LIMIT, MEMO_SEEN_SLOTS)
}

/// A line met before, and what the pass made of it.
struct KnownLine {
    /// The line, then what the pass wrote for it, in one allocation: a hit compares the line
    /// and copies what follows it, one cache miss rather than two.
    text: Box<str>,
    line_len: usize,
    /// Open elements the line leaves as they were: those below the fewest open in it.
    kept: usize,
    /// Elements the line opened and left open: where their names are in the line, their rules.
    opened: Vec<(usize, usize, Rules, bool)>,
    state: TextState,
}

impl KnownLine {
    fn line(&self) -> &str {
        &self.text[..self.line_len]
    }

    fn written(&self) -> &str {
        &self.text[self.line_len..]
    }
}

/// One page going through [`apply_html`].
struct Pass<'a> {
    html: &'a str,
    page_rules: Rules,
    out: String,
    stack: Vec<Open<'a>>,
    state: TextState,
    /// `chain[i]` hashes the open elements up to `stack[i]`; valid up to `chained`, the fewest
    /// elements open since it was last brought up to date.
    chain: Vec<u64>,
    chained: usize,
}

impl<'a> Pass<'a> {
    fn new(html: &'a str, page_rules: Rules) -> Pass<'a> {
        Pass {
            html,
            page_rules,
            out: String::with_capacity(html.len() + html.len() / 50),
            stack: Vec::new(),
            state: TextState::default(),
            chain: Vec::new(),
            chained: 0,
        }
    }

    fn run(mut self, mut memo: Option<&mut Memo>) -> String {
        let html = self.html;
        let mut at = 0;
        // The memo's entry of the line just copied from it, if the last line was.
        let mut previous: Option<Slot> = None;
        while at < html.len() {
            let Some(memo) = memo.as_deref_mut() else {
                at = self.line(at).0;
                continue;
            };
            // The line that came after the previous one last time, if it comes again: it holds
            // for the state the previous line left, so it needs no key.
            let mut found = previous
                .and_then(|slot| memo.after(slot))
                .filter(|(_, known)| html[at..].starts_with(known.line()))
                .map(|(slot, _)| slot);
            let mut key = None;
            if found.is_none() {
                let line_key = self.key(at);
                key = Some(line_key);
                found = memo
                    .find(line_key)
                    .filter(|(_, known)| html[at..].starts_with(known.line()))
                    .map(|(slot, _)| slot);
                if let (Some(from), Some(to)) = (previous, found) {
                    memo.link(from, to);
                }
            }
            if let Some(known) = found.and_then(|slot| memo.entry(slot)) {
                self.out.push_str(known.written());
                self.stack.truncate(known.kept);
                self.chained = self.chained.min(known.kept);
                for &(offset, len, rules, untouched) in &known.opened {
                    let name = &html[at + offset..at + offset + len];
                    self.stack.push(Open {
                        name,
                        rules,
                        untouched,
                    });
                }
                self.state = known.state;
                at += known.line_len;
                memo.hit();
                previous = found;
                continue;
            }
            // The line is gone through, and perhaps stored: the memo's slots may change.
            previous = None;
            let key = key.unwrap_or_else(|| self.key(at));
            let keep = memo.met_before(key);
            let (start, written) = (at, self.out.len());
            let (end, low) = self.line(at);
            // A line that runs to the end of the page may owe its end to it (a quote or a
            // comment never closed): only lines that end where another starts are kept.
            if keep && end < html.len() {
                let opened = self.stack[low..]
                    .iter()
                    .map(|open| {
                        let offset = open.name.as_ptr() as usize - html[start..].as_ptr() as usize;
                        (offset, open.name.len(), open.rules, open.untouched)
                    })
                    .collect();
                let mut text = String::with_capacity(end - start + self.out.len() - written);
                text.push_str(&html[start..end]);
                text.push_str(&self.out[written..]);
                let line = KnownLine {
                    text: text.into_boxed_str(),
                    line_len: end - start,
                    kept: low,
                    opened,
                    state: self.state,
                };
                let bytes = line.text.len();
                memo.store(key, line, bytes);
            }
            at = end;
        }
        self.out
    }

    /// The memo's key for the line at `at` in the current state: the line's first row (up to
    /// its first newline; [`Memo`] compares the whole line) and the state.
    fn key(&mut self, at: usize) -> u64 {
        use std::hash::BuildHasher;
        let chain = chain_top(&self.stack, &mut self.chain, &mut self.chained);
        let rest = &self.html.as_bytes()[at..];
        let row = memchr::memchr(b'\n', rest).map_or(rest, |end| &rest[..=end]);
        hasher().hash_one((
            row,
            chain,
            self.page_rules.id(),
            self.state.previous,
            self.state.after_guillemet,
        ))
    }

    /// Goes through the line at `start`: returns where it ends (where the next starts) and the
    /// fewest elements open during it.
    fn line(&mut self, start: usize) -> (usize, usize) {
        let html = self.html;
        let mut low = self.stack.len();
        let mut at = start;
        while at < html.len() {
            let rest = &html[at..];
            // Most tags follow a tag: that case is told apart without `memchr`'s set-up.
            let text_end = match rest.as_bytes()[0] {
                b'<' => 0,
                _ => memchr::memchr(b'<', rest.as_bytes()).unwrap_or(rest.len()),
            };
            let text = &rest[..text_end];
            if !text.is_empty() {
                let (current, untouched) = self
                    .stack
                    .last()
                    .map_or((self.page_rules, false), |o| (o.rules, o.untouched));
                if untouched || current.is_empty() {
                    self.out.push_str(text);
                    self.state.previous = text.chars().last();
                    self.state.after_guillemet = false;
                } else {
                    apply_text(text, &current, &mut self.state, &mut self.out);
                }
            }
            at += text_end;
            if at >= html.len() {
                break;
            }
            if at > start && html.as_bytes()[at - 1] == b'\n' {
                break;
            }
            let tag_len = markup_length(&html[at..]);
            let tag = &html[at..at + tag_len];
            self.out.push_str(tag);
            at += tag_len;
            track_tag(tag, self.page_rules, &mut self.stack, &mut self.state);
            low = low.min(self.stack.len());
        }
        self.chained = self.chained.min(low);
        (at, low)
    }
}

/// Typography applied from inside another pass over the page, text node by text node and tag
/// by tag, rather than by [`apply_html`]'s pass of its own: the minifier
/// (`output::minify::onepass`) reads every tag and text node of the page anyway, so a page
/// typeset while it is minified is read once, and the lines the minifier takes from its memo
/// skip both. What it writes is what [`apply_html`] followed by the minifier writes: the same
/// model of the page (its own [`track_tag`], not the minifier's), the same [`apply_text`], on
/// the same text nodes. The other pass checks that each piece of markup ends where
/// [`markup_length`] ends it ([`Typesetter::markup`]); where the two would read the page apart
/// (a `<` that starts no markup, a `<` inside a script), it gives the page up, and the page is
/// typeset by [`apply_html`], then minified.
pub struct Typesetter<'a> {
    html: &'a str,
    page_rules: Rules,
    stack: Vec<Open<'a>>,
    state: TextState,
    /// `chain[i]` hashes the open elements up to `stack[i]`; valid up to `chained`.
    chain: Vec<u64>,
    chained: usize,
    /// The fewest elements open since [`Typesetter::mark`].
    low: usize,
    /// A text node's typeset text, when it differs from the page's.
    scratch: String,
}

/// What a line of the page did to a [`Typesetter`], for the minifier's memo: the open elements
/// it left as they were, those it opened (where their names are in the line, their rules), and
/// the text state after it.
#[derive(Clone)]
pub struct TypesetLine {
    kept: usize,
    opened: Vec<(usize, usize, Rules, bool)>,
    state: TextState,
}

impl TypesetLine {
    /// The bytes it takes in a memo, about.
    pub fn size(&self) -> usize {
        std::mem::size_of::<TypesetLine>()
            + self.opened.len() * std::mem::size_of::<(usize, usize, Rules, bool)>()
    }
}

impl<'a> Typesetter<'a> {
    /// The typesetter of a page in `lang`, or `None` when [`apply_html`] would leave the page
    /// as it is (no rules for its language, and no passage in another).
    pub fn of(html: &'a str, lang: &str) -> Option<Typesetter<'a>> {
        let page_rules = rules(lang);
        if page_rules.is_empty() && !html.contains(" lang=") {
            return None;
        }
        Some(Typesetter {
            html,
            page_rules,
            stack: Vec::new(),
            state: TextState::default(),
            chain: Vec::new(),
            chained: 0,
            low: 0,
            scratch: String::new(),
        })
    }

    /// Typesets the text node at `range` of the page (no markup in it): returns its text,
    /// from the page itself when nothing changes.
    pub fn text(&mut self, range: std::ops::Range<usize>) -> &[u8] {
        let text = &self.html[range];
        if text.is_empty() {
            return text.as_bytes();
        }
        let (current, untouched) = self
            .stack
            .last()
            .map_or((self.page_rules, false), |o| (o.rules, o.untouched));
        if untouched || current.is_empty() {
            self.state.previous = text.chars().last();
            self.state.after_guillemet = false;
            return text.as_bytes();
        }
        // What `apply_text` does first, without its copy.
        if !self.state.after_guillemet && !may_change(text) {
            self.state.previous = text.chars().last().or(self.state.previous);
            return text.as_bytes();
        }
        self.scratch.clear();
        apply_text(text, &current, &mut self.state, &mut self.scratch);
        self.scratch.as_bytes()
    }

    /// The markup from `at` to `end` (a tag, a comment, the doctype), as the other pass read
    /// it: `false` when [`apply_html`] would end it elsewhere, and the page is to be given up.
    /// `known_end` says the other pass knows it ends there for [`apply_html`] too (a tag
    /// whose every quote delimits an attribute value ends at the first `>` outside them, for
    /// both), and spares the check.
    pub fn markup(&mut self, at: usize, end: usize, known_end: bool) -> bool {
        let html = self.html;
        if !html.is_char_boundary(at)
            || !html.is_char_boundary(end)
            || !(known_end || markup_length(&html[at..]) == end - at)
        {
            return false;
        }
        track_tag(
            &html[at..end],
            self.page_rules,
            &mut self.stack,
            &mut self.state,
        );
        let open = self.stack.len();
        self.chained = self.chained.min(open);
        self.low = self.low.min(open);
        true
    }

    /// A hash of everything the typesetting of the line at `at` depends on besides its bytes:
    /// the open elements (as a chain of hashes), the page's rules and the text state. Never 0,
    /// which stands for a page without typography.
    ///
    /// The character before the line counts only when the line's first character may be
    /// typeset with it (punctuation, a quote, the start of a URL) or after a `«`: the
    /// minifier's lines start with the newline after a tag, so the last letter of the page's
    /// own text before them would otherwise keep its template lines from being met again.
    pub fn key(&mut self, at: usize) -> u64 {
        use std::hash::BuildHasher;
        let chain = chain_top(&self.stack, &mut self.chain, &mut self.chained);
        let starts_plain = matches!(
            self.html.as_bytes().get(at),
            Some(b'\n' | b' ' | b'\t' | b'\r')
        );
        let previous = match starts_plain && !self.state.after_guillemet {
            true => None,
            false => self.state.previous,
        };
        hasher().hash_one((
            chain,
            self.page_rules.id(),
            previous,
            self.state.after_guillemet,
        )) | 1
    }

    /// Starts a line: [`Typesetter::line`] tells what the page did from here on.
    pub fn mark(&mut self) {
        self.low = self.stack.len();
    }

    /// What the page did to the typesetter since [`Typesetter::mark`], for a line that started
    /// at `start` (where the names of the elements it opened are counted from).
    pub fn line(&self, start: usize) -> TypesetLine {
        let base = self.html.as_ptr() as usize + start;
        TypesetLine {
            kept: self.low,
            opened: self.stack[self.low..]
                .iter()
                .map(|open| {
                    let offset = open.name.as_ptr() as usize - base;
                    (offset, open.name.len(), open.rules, open.untouched)
                })
                .collect(),
            state: self.state,
        }
    }

    /// Does again what a line met before did, the same line now starting at `start`.
    pub fn replay(&mut self, line: &TypesetLine, start: usize) {
        self.stack.truncate(line.kept);
        self.chained = self.chained.min(line.kept);
        self.low = self.low.min(line.kept);
        for &(offset, len, rules, untouched) in &line.opened {
            let from = start + offset;
            self.stack.push(Open {
                name: &self.html[from..from + len],
                rules,
                untouched,
            });
        }
        self.state = line.state;
    }
}

/// A hash of the open elements of `stack` (their names, rules and whether they are untouched),
/// as a chain: `chain[i]` hashes the elements up to `stack[i]`, and is brought up to date from
/// `chained`, the fewest elements open since it last was.
fn chain_top(stack: &[Open], chain: &mut Vec<u64>, chained: &mut usize) -> u64 {
    use std::hash::BuildHasher;
    chain.truncate(*chained);
    for open in &stack[chain.len()..] {
        let below = chain.last().copied().unwrap_or(0);
        chain.push(hasher().hash_one((below, open.name, open.rules.id(), open.untouched)));
    }
    *chained = stack.len();
    chain.last().copied().unwrap_or(0)
}

/// The memo's hasher: fixed, so that the keys do not depend on the run.
fn hasher() -> foldhash::fast::FixedState {
    foldhash::fast::FixedState::with_seed(0x7e90_2026_11ce_0001)
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
    let kind = kind(name);
    if name.is_empty() || kind == Kind::Void || inner.ends_with('/') {
        return;
    }
    if kind == Kind::Block {
        state.previous = Some(' ');
    }
    let parent = stack.last();
    let rules = lang_attribute(inner).map_or(parent.map_or(page_rules, |p| p.rules), rules);
    let untouched = parent.is_some_and(|p| p.untouched) || kind == Kind::Untouched;
    stack.push(Open {
        name,
        rules,
        untouched,
    });
}

/// The value of the `lang` attribute in a start tag's inside (quoted or not).
fn lang_attribute(inner: &str) -> Option<&str> {
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
        return Some(value);
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
        // Past the bytes tested together, and a guillemet split across two blocks of them.
        let long = "plain text, ".repeat(10);
        assert!(!may_change(&long));
        assert!(may_change(&(long.clone() + "x » y")));
        for at in 0..40 {
            let split = format!("{}«{}", "a".repeat(at), "b".repeat(40 - at));
            assert!(may_change(&split), "{split}");
            let lookalike = format!("{}©{}", "a".repeat(at), "b".repeat(40 - at));
            assert!(!may_change(&lookalike), "{lookalike}");
        }
    }

    /// Pages made of lines drawn from a small pool, so that lines come back in the same and in
    /// other states: the pass with the memo must write what the pass without it writes.
    #[test]
    fn lines_from_the_memo_are_what_the_pass_writes() {
        const LINES: &[&str] = &[
            "<p>Vraiment? Oui!\n",
            "<div lang=en>\n",
            "<div lang=\"fr\"><span>«ICC»</span>\n",
            "</div>\n",
            "</div></div>\n",
            "<code>a ? b : c;\n",
            "</code> : suite\n",
            "<pre>x: 1;</pre>\n",
            "<li>Il dit \"oui\" :\n",
            "</li>\n",
            "<a\ntitle=\"Quoi ? : non\"\nhref=\"/x\">voir www.coe.int!</a>\n",
            "<!-- a ? b\n: c -->\n",
            "<br>et alors ?\n",
            "<em>vrai</em>?\n",
            "texte ; &amp; &nbsp;: &quot;x&quot;\n",
            "<span lang=ja>「会議」 \"x\"?</span>\n",
            "<p lang=pl>Powiedział \"tak\".\n",
            "</p></span>\n",
            "<img src=x alt=\"a : b\">«\n",
            "\u{a0}»\n",
            "<unclosed title=\"x\n",
        ];
        let mut seed = 0x7e90_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut memo = new_memo();
        for page in 0..600 {
            let lang = ["fr", "en", "uk"][page % 3];
            let mut html = String::new();
            for _ in 0..(next() % 40) {
                html.push_str(LINES[(next() % LINES.len() as u64) as usize]);
            }
            let page_rules = rules(lang);
            let with_memo = Pass::new(&html, page_rules).run(Some(&mut memo));
            let without = Pass::new(&html, page_rules).run(None);
            assert_eq!(with_memo, without, "{lang}: {html:?}");
        }
        assert!(
            memo.hits() > 1_000,
            "only {} lines from the memo",
            memo.hits()
        );
    }

    #[test]
    fn rules_are_told_apart_by_their_ids() {
        let ids: std::collections::BTreeSet<u64> = ["fr", "en", "pl", "uk", "ja"]
            .iter()
            .map(|lang| rules(lang).id())
            .collect();
        assert_eq!(ids.len(), 5);
    }

    #[test]
    fn language_tags_are_read_by_their_primary_subtag_in_any_case() {
        assert_eq!(rules("FR-ca"), rules("fr"));
        assert_eq!(rules("Pl"), rules("de"));
        assert_eq!(rules("en-GB").quotes, Some(('“', '”')));
        for none in ["", "fra", "f", "ja", "x-fr", "-fr"] {
            assert!(rules(none).is_empty(), "{none:?}");
        }
    }

    #[test]
    fn elements_are_told_apart_by_their_names_in_any_case() {
        assert!(kind("BR") == Kind::Void && kind("source") == Kind::Void);
        assert!(kind("TextArea") == Kind::Untouched && kind("code") == Kind::Untouched);
        assert!(kind("LI") == Kind::Block && kind("p") == Kind::Block);
        for other in ["", "span", "pres", "textareas", "brx", "a-b"] {
            assert!(kind(other) == Kind::Other, "{other:?}");
        }
        // Void elements open nothing (`<br>` does not reset the text either), and text inside
        // untouched ones is left alone, whatever the case of their names.
        assert_eq!(fr("<p>a<BR>b ?</p>"), "<p>a<BR>b\u{202F}?</p>");
        assert_eq!(
            fr("<P><CODE>a ?</CODE> b ?</P>"),
            "<P><CODE>a ?</CODE> b\u{202F}?</P>"
        );
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
