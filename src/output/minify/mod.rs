//! HTML minification with settings that keep the result valid HTML (the Nu checker runs on
//! every test build): optional tags may go, but no spec-breaking shortcuts, and scripts are
//! left as written.
//!
//! The bytes are minify-html's, written two ways:
//! - [`onepass`] writes them in one pass over a regular page (every element closed where it
//!   was opened, as templates and Markdown write them), several times faster than minify-html,
//!   and copies the lines it has met before in the same state (most of a page's lines come
//!   from its templates) from a per-thread [`onepass::Memo`];
//! - any other page goes to minify-html, through [`Minifier`]'s cache: most of a page's bytes
//!   are repeated from page to page (the header's tools and search form, the footer, a
//!   document's card on every list it appears in), so such an element is minified once per
//!   build and its minified form put back into every page that repeats it, with the same bytes
//!   minifying the whole page would give (see [`elements`] for why that holds).
//!
//! Debug builds, hence every test, check every page either way against minify-html's whole.

mod elements;
mod onepass;

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::io::Write;
use std::ops::Range;
use std::sync::OnceLock;
use std::sync::{Arc, Mutex};

/// The settings. [`elements`] relies on two of them: closing tags are kept (so an element's
/// minified form never depends on its parent), and no template syntax is left opaque (so
/// `{{`, `{%` and `<%` are text, as the scanner reads them).
fn config() -> &'static minify_html::Cfg {
    static CFG: OnceLock<minify_html::Cfg> = OnceLock::new();
    CFG.get_or_init(|| {
        let mut cfg = minify_html::Cfg::new();
        cfg.keep_html_and_head_opening_tags = true;
        cfg.keep_closing_tags = true;
        cfg.minify_css = true;
        cfg.minify_js = false;
        cfg.minify_doctype = false;
        cfg.allow_noncompliant_unquoted_attribute_values = false;
        cfg.allow_optimal_entities = false;
        cfg.allow_removing_spaces_between_attributes = false;
        cfg
    })
}

/// Minifies a page whole; a page nested too deeply for the minifier's recursive parser is
/// returned as it is (see [`crate::markdown::nesting`]).
pub fn minify(html: &[u8]) -> Vec<u8> {
    use crate::markdown::nesting;
    if let Some(minified) = one_pass(html) {
        return minified;
    }
    if nesting::deeper_than(html, nesting::MINIFY_LIMIT) {
        return html.to_vec();
    }
    minify_html::minify(html, config())
}

/// Elements open at once beyond which [`onepass`] leaves a page to minify-html (and to the
/// depth limit of [`crate::markdown::nesting`]).
const ONE_PASS_DEPTH: usize = 200;

thread_local! {
    /// The lines this thread's pages repeat (see [`onepass::Memo`]): one per thread, so that
    /// pages rendered on both cores never wait on each other for it.
    static LINES: std::cell::RefCell<onepass::Memo> = std::cell::RefCell::new(onepass::new_memo());
}

/// Empties this thread's memo of lines, to give its memory back once the pages are rendered.
pub fn forget_lines() {
    LINES.with(|lines| {
        if let Ok(mut memo) = lines.try_borrow_mut() {
            *memo = onepass::new_memo();
        }
    });
}

/// The page minified by [`onepass`], if it takes it; debug builds, hence every test, check
/// that minify-html writes the same bytes.
fn one_pass(html: &[u8]) -> Option<Vec<u8>> {
    let minified = with_lines(|memo| onepass::minify(html, ONE_PASS_DEPTH, memo))?;
    #[cfg(debug_assertions)]
    same_as_minify_html(&minified, html, "the one-pass minifier");
    Some(minified)
}

/// The page typeset ([`crate::markdown::typography`]) and minified by [`onepass`] at once, if it
/// takes it; debug builds, hence every test, check that typesetting the page on its own and
/// minifying it with minify-html writes the same bytes.
fn typeset_one_pass(html: &str, lang: &str) -> Option<Vec<u8>> {
    let done = with_lines(|memo| onepass::typeset_and_minify(html, lang, ONE_PASS_DEPTH, memo))?;
    #[cfg(debug_assertions)]
    {
        let typeset = crate::markdown::typography::apply_html(html, lang);
        same_as_minify_html(
            &done,
            typeset.as_bytes(),
            "typesetting in the minifier's pass",
        );
    }
    Some(done)
}

/// Runs `pass` with this thread's memo of lines (without one when it is in use already).
fn with_lines<T>(pass: impl FnOnce(Option<&mut onepass::Memo>) -> T) -> T {
    LINES.with(|lines| match lines.try_borrow_mut() {
        Ok(mut memo) => pass(Some(&mut memo)),
        Err(_) => pass(None),
    })
}

/// Panics, with both texts, when `ours` is not what minify-html makes of `html`.
#[cfg(debug_assertions)]
fn same_as_minify_html(ours: &[u8], html: &[u8], what: &str) {
    let whole = minify_html::minify(html, config());
    assert!(
        ours == whole,
        "{what} differs from minify-html:\n{}\n---\n{}",
        String::from_utf8_lossy(ours),
        String::from_utf8_lossy(&whole)
    );
}

/// Elements shorter than this are minified in place: below it, looking them up costs about
/// what minifying them does.
const MIN_REUSABLE_LEN: usize = 256;

/// The placeholder's tag name. A page that contains it anywhere is minified whole, so a
/// placeholder is never confused with the page's own text.
const PLACEHOLDER: &[u8] = b"x-intercite-minified";

/// Minifies the pages of one build: in one pass where it can, else with minify-html, each
/// element repeated between pages only once.
///
/// An element is minified on its own, and kept, the second time it is met: the first time it
/// is only remembered by its hash, so the unique parts of pages (a document's text) are never
/// kept. Pages rendered on several threads share one minifier.
#[derive(Default)]
pub struct Minifier {
    known: Mutex<Known>,
}

/// What the minifier knows, in two generations so that it stays bounded however large the
/// site: unbounded, it grew with the site (2.35 million hashes and 89 MB of elements at 10,000
/// documents). When the current generation is full ([`GENERATION_HASHES`],
/// [`GENERATION_BYTES`]) it becomes the previous one, and the one before is dropped. An element
/// found in the previous generation is brought into the current one, so what every page
/// repeats (the header, the footer) stays known, and only what has not come up for a whole
/// generation (a card on the lists of another language) is forgotten.
struct Known {
    current: Generation,
    previous: Generation,
    /// When a generation is full: hashes, bytes.
    limits: (usize, usize),
}

impl Default for Known {
    fn default() -> Self {
        Known {
            current: Generation::default(),
            previous: Generation::default(),
            limits: (GENERATION_HASHES, GENERATION_BYTES),
        }
    }
}

#[derive(Default)]
struct Generation {
    /// Hashes of the elements met once (a collision here only means an element is kept the
    /// first time it is met).
    seen: HashSet<u64>,
    /// The minified forms of the elements met more than once, by a 128-bit hash of their
    /// bytes: keeping the bytes themselves to compare would double the memory this takes.
    minified: HashMap<u128, Arc<[u8]>>,
    /// The bytes of `minified`'s elements.
    bytes: usize,
}

/// Hashes a generation remembers at most (about 10 MiB with the set's spare room). The
/// 2,000-document benchmark corpus meets about 500,000 in a build.
const GENERATION_HASHES: usize = 1 << 20;

/// Bytes of minified elements a generation keeps at most. The 2,000-document benchmark corpus
/// keeps about 18 MB in a build.
const GENERATION_BYTES: usize = 32 << 20;

impl Known {
    fn lookup(&mut self, hash: u128) -> Lookup {
        if let Some(minified) = self.current.minified.get(&hash) {
            return Lookup::Minified(minified.clone());
        }
        if let Some(minified) = self.previous.minified.remove(&hash) {
            self.keep(hash, minified.clone());
            return Lookup::Minified(minified);
        }
        // The upper half: `element_hash`'s first hash.
        let first = (hash >> 64) as u64;
        let new = self.current.seen.insert(first) && !self.previous.seen.contains(&first);
        self.make_room();
        match new {
            true => Lookup::New,
            false => Lookup::SeenOnce,
        }
    }

    fn keep(&mut self, hash: u128, minified: Arc<[u8]>) {
        if let std::collections::hash_map::Entry::Vacant(entry) = self.current.minified.entry(hash)
        {
            self.current.bytes += minified.len();
            entry.insert(minified);
            self.make_room();
        }
    }

    /// Starts a new generation when the current one is full.
    fn make_room(&mut self) {
        let (hashes, bytes) = self.limits;
        if self.current.seen.len() >= hashes || self.current.bytes >= bytes {
            self.previous = std::mem::take(&mut self.current);
        }
    }
}

/// What the minifier knows of an element.
enum Lookup {
    Minified(Arc<[u8]>),
    SeenOnce,
    New,
}

/// Two hashes of an element's bytes with unrelated seeds: the first picks its entry in
/// [`Known::seen`], both together name its minified form.
fn element_hash(source: &[u8]) -> u128 {
    let first = foldhash::quality::FixedState::with_seed(0x1cc0_5eed).hash_one(source);
    let second = foldhash::quality::FixedState::with_seed(0x9e37_79b9_7f4a_7c15).hash_one(source);
    (u128::from(first) << 64) | u128::from(second)
}

impl Minifier {
    /// Minifies a page: the same bytes as [`minify`], in one pass or, for a page
    /// [`onepass`] leaves to minify-html, in less time when it repeats elements of pages
    /// minified before it.
    pub fn minify(&self, html: &[u8]) -> Vec<u8> {
        match one_pass(html) {
            Some(minified) => minified,
            None => self.by_parts(html),
        }
    }

    /// Typesets a page in `lang` and minifies it: the bytes of [`Minifier::minify`] on what
    /// [`typography::apply_html`] makes of the page, in one pass over it when [`onepass`]
    /// takes it (nearly every page), else in those two steps.
    ///
    /// [`typography::apply_html`]: crate::markdown::typography::apply_html
    pub fn typeset_and_minify(&self, html: &str, lang: &str) -> Vec<u8> {
        if let Some(done) = typeset_one_pass(html, lang) {
            return done;
        }
        self.minify(crate::markdown::typography::apply_html(html, lang).as_bytes())
    }

    /// Minifies a page with minify-html, each element met before taken from the cache.
    fn by_parts(&self, html: &[u8]) -> Vec<u8> {
        use crate::markdown::nesting;
        if memchr::memmem::find(html, PLACEHOLDER).is_some() {
            return minify(html);
        }
        let spans = match elements::scan(html, MIN_REUSABLE_LEN, nesting::MINIFY_LIMIT) {
            elements::Scan::Regular(spans) => spans,
            elements::Scan::Irregular => return minify(html),
        };
        let cuts = self.reusable(html, spans);
        if cuts.is_empty() {
            return minify_html::minify(html, config());
        }
        let pieced = piece_together(html, &cuts);
        #[cfg(debug_assertions)]
        {
            let whole = minify_html::minify(html, config());
            assert!(
                pieced.as_deref() == Some(&whole[..]),
                "minifying by parts changed the page:\n{}\n---\n{}",
                String::from_utf8_lossy(pieced.as_deref().unwrap_or_default()),
                String::from_utf8_lossy(&whole)
            );
        }
        pieced.unwrap_or_else(|| minify_html::minify(html, config()))
    }

    /// The elements of `spans` to take out of the page with their minified forms: the
    /// outermost ones met before, each minified now if this is its second time.
    fn reusable(&self, html: &[u8], spans: Vec<Range<usize>>) -> Vec<(Range<usize>, Arc<[u8]>)> {
        let mut cuts: Vec<(Range<usize>, Arc<[u8]>)> = Vec::new();
        for span in spans {
            if cuts.last().is_some_and(|(cut, _)| span.start < cut.end) {
                continue;
            }
            let source = &html[span.clone()];
            let hash = element_hash(source);
            let minified = match self.lookup(hash) {
                Lookup::Minified(minified) => minified,
                Lookup::New => continue,
                Lookup::SeenOnce => {
                    let minified: Arc<[u8]> = minify_html::minify(source, config()).into();
                    let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
                    known.keep(hash, minified.clone());
                    minified
                }
            };
            cuts.push((span, minified));
        }
        cuts
    }

    fn lookup(&self, hash: u128) -> Lookup {
        self.known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .lookup(hash)
    }
}

/// Minifies `html` with each cut element replaced by a numbered placeholder element, then puts
/// the elements' minified forms where the placeholders come out. `None` if a placeholder
/// went missing (which would be a bug in [`elements`]).
fn piece_together(html: &[u8], cuts: &[(Range<usize>, Arc<[u8]>)]) -> Option<Vec<u8>> {
    let placeholder = |n: usize| {
        let mut tag = Vec::with_capacity(2 * PLACEHOLDER.len() + 16);
        let name = std::str::from_utf8(PLACEHOLDER).unwrap_or_default();
        let _ = write!(tag, "<{name}-{n}></{name}-{n}>");
        tag
    };
    let mut skeleton = Vec::with_capacity(html.len());
    let mut at = 0;
    for (n, (span, _)) in cuts.iter().enumerate() {
        skeleton.extend_from_slice(&html[at..span.start]);
        skeleton.extend_from_slice(&placeholder(n));
        at = span.end;
    }
    skeleton.extend_from_slice(&html[at..]);
    let minified = minify_html::minify(&skeleton, config());
    let mut page =
        Vec::with_capacity(minified.len() + cuts.iter().map(|(_, m)| m.len()).sum::<usize>());
    let mut at = 0;
    for (n, (_, minified_element)) in cuts.iter().enumerate() {
        let placeholder = placeholder(n);
        let found = at + memchr::memmem::find(&minified[at..], &placeholder)?;
        page.extend_from_slice(&minified[at..found]);
        page.extend_from_slice(minified_element);
        at = found + placeholder.len();
    }
    page.extend_from_slice(&minified[at..]);
    Some(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_structure_and_attributes() {
        let out = minify(b"<!DOCTYPE html>\n<html lang=\"fr\" dir=\"ltr\">\n<head>\n<title> A </title>\n</head>\n<body>\n<p>  Bonjour   le monde </p>\n</body>\n</html>\n");
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.starts_with("<!doctype html><html dir=ltr lang=fr><head>"),
            "{out}"
        );
        assert!(out.contains("<p>Bonjour le monde</p>"), "{out}");
    }

    #[test]
    fn settings_that_cutting_elements_relies_on() {
        let cfg = config();
        assert!(cfg.keep_closing_tags);
        assert!(
            !cfg.preserve_brace_template_syntax && !cfg.preserve_chevron_percent_template_syntax
        );
    }

    /// A page of the shape templates write, with `text` in its main element: a repeated
    /// header and footer, inline elements between spaces, a list of cards.
    fn page(text: &str) -> String {
        let filler = "word ".repeat(60);
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<title> {text} </title>\n</head>\n<body>\n\
             <header class=\"site\">\n  <nav aria-label=\"Main\">\n    <ul>\n      <li><a href=\"/a/\">  A  </a></li>\n      <li><a href='/b/'>B</a></li>\n    </ul>\n  </nav>\n  <p class=\"tag\"> {filler} </p>\n</header>\n\
             <main>\n<p>Before <span class=\"x\"> {filler} </span> after, then <em> {filler}</em>.</p>\n\
             <p>{text}</p>\n<ul class=\"cards\">\n<li class=\"card\"> <h2> Card </h2> <p> {filler} </p> </li>\n</ul>\n\
             <pre>  keep   <b> {filler} </b>\n  this </pre>\n</main>\n\
             <footer>\n<svg viewBox=\"0 0 1 1\"><path d=\"M0 0\"/> <g> {filler} </g></svg>\n<p> {filler} </p>\n</footer>\n</body>\n</html>\n"
        )
    }

    #[test]
    fn minifying_by_parts_gives_the_bytes_minifying_whole_does() {
        let minifier = Minifier::default();
        for text in ["one", "two", "three & <four>", "one"] {
            let html = page(text);
            assert_eq!(
                String::from_utf8(minifier.by_parts(html.as_bytes())).unwrap(),
                String::from_utf8(minify(html.as_bytes())).unwrap(),
                "{text}"
            );
        }
        // The header, the footer, the inline span and emphasis and the card were each
        // minified once, on their second sight.
        let known = minifier.known.lock().unwrap();
        assert!(
            known.current.minified.len() >= 5,
            "{}",
            known.current.minified.len()
        );
    }

    #[test]
    fn the_cache_forgets_what_stopped_coming_up_and_keeps_what_still_does() {
        let mut known = Known {
            limits: (4, 1000),
            ..Known::default()
        };
        let element = |n: u128| (n << 64) | (n * 7);
        let bytes: Arc<[u8]> = Arc::from(&b"<footer>x</footer>"[..]);
        // The footer: met twice, kept; then met on every page.
        assert!(matches!(known.lookup(element(1)), Lookup::New));
        assert!(matches!(known.lookup(element(1)), Lookup::SeenOnce));
        known.keep(element(1), bytes.clone());
        // A card met once, then many other elements: two generations go by.
        assert!(matches!(known.lookup(element(2)), Lookup::New));
        for n in 3..12 {
            assert!(matches!(known.lookup(element(n)), Lookup::New));
            assert!(matches!(known.lookup(element(1)), Lookup::Minified(_)));
        }
        assert!(known.current.seen.len() < 4 && known.previous.seen.len() <= 4);
        assert!(
            matches!(known.lookup(element(2)), Lookup::New),
            "forgotten after a whole generation"
        );
        assert!(
            matches!(known.lookup(element(11)), Lookup::SeenOnce),
            "still known from the previous generation"
        );
        // Kept bytes fill a generation too.
        let mut known = Known {
            limits: (1000, 40),
            ..Known::default()
        };
        for n in 20..28 {
            known.keep(element(n), bytes.clone());
        }
        // A generation ends with the element that fills it: at most one element over.
        assert!(known.current.bytes < 40 && known.previous.bytes < 40 + bytes.len());
        assert!(matches!(known.lookup(element(20)), Lookup::New));
        assert!(matches!(known.lookup(element(24)), Lookup::Minified(_)));
        assert!(matches!(known.lookup(element(27)), Lookup::Minified(_)));
    }

    #[test]
    fn pages_it_cannot_cut_are_minified_whole() {
        let minifier = Minifier::default();
        let irregular = page("x").replace("</main>", "<p>unclosed</main>");
        let with_placeholder = page("x-intercite-minified");
        for html in [&irregular, &with_placeholder, &irregular, &with_placeholder] {
            assert_eq!(minifier.by_parts(html.as_bytes()), minify(html.as_bytes()));
        }
        let known = minifier.known.lock().unwrap();
        assert!(known.current.seen.is_empty() && known.current.minified.is_empty());
    }
}
