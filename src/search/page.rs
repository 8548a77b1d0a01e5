//! A page's text as the search index reads it: its words with their positions and weights, the
//! text shown in excerpts, and its headings' anchors.
//!
//! The input is a [`Digest`], what the HTML reader kept of the page: its text in reading order,
//! with markers where a heading starts and ends (its weight) and where an element with an `id`
//! starts (an anchor, so that a result can link to the section). The position of a word is its
//! number in the text; Pagefind's client uses positions to build excerpts around matches and to
//! rank pages whose terms stand close together.

use std::collections::BTreeMap;

use foldhash::HashMap;

use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

use std::rc::Rc;

use super::words::{IndexTerm, Vocabulary};

/// What the HTML reader keeps of a page.
#[derive(Debug, Default, Clone)]
pub struct Digest {
    /// The page's text with its markers, normalized (see [`normalize_text`]).
    pub text: String,
    /// `data-pagefind-meta` fields and those found on the page (its title, its first image).
    pub meta: BTreeMap<String, String>,
    pub filters: BTreeMap<String, Vec<String>>,
    pub sort: BTreeMap<String, String>,
    /// The text of each anchored element, by anchor (`3:introduction`).
    pub anchor_text: BTreeMap<String, String>,
    /// `data-pagefind-title` of anchored elements, by anchor.
    pub anchor_titles: BTreeMap<String, String>,
    /// The page marks its content with `data-pagefind-body`: once one page of an index does,
    /// the pages that do not are left out.
    pub has_body: bool,
    /// Indexed even when other pages mark their content and this one does not.
    pub always: bool,
    /// `<html lang>`, lowercased; `unknown` when missing.
    pub language: String,
}

/// Where a term stands on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub position: u32,
    /// 24 for ordinary text (weight 1 × 24), more in headings, 0 in text weighted 0.
    pub weight: u8,
    pub accented: Option<Rc<str>>,
}

/// Where a term stands in a metadata field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaOccurrence {
    /// The field's rank among the page's own fields, in name order.
    pub field: u16,
    pub position: u32,
    pub accented: Option<Rc<str>>,
}

/// A heading (or other element with an `id`) that results can link to.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Anchor {
    pub element: String,
    pub id: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub location: u32,
}

/// A page read for the index.
#[derive(Debug, Default)]
pub struct PageWords {
    /// The text without markers, as excerpts show it.
    pub content: String,
    /// Each term met in the text, by term number (see [`Vocabulary::key`]), with its places, in
    /// the order the terms are first met.
    pub terms: Vec<(u32, Vec<Occurrence>)>,
    pub meta_terms: HashMap<u32, Vec<MetaOccurrence>>,
    pub anchors: Vec<Anchor>,
    pub word_count: usize,
}

const ANCHOR: &str = "___PAGEFIND_ANCHOR___";
const WEIGHT: &str = "___PAGEFIND_WEIGHT___";
const AUTO_WEIGHT: &str = "___PAGEFIND_AUTO_WEIGHT___";
const END_WEIGHT: &str = "___END_PAGEFIND_WEIGHT___";

/// Weights are carried as the weight times this, in a byte.
const WEIGHT_SCALE: f32 = 24.0;
const HIGHEST_WEIGHT: f32 = 10.0;

/// Reads a page's digest.
pub fn read(digest: &Digest, vocabulary: &mut Vocabulary) -> PageWords {
    let segmented = vocabulary.language().is_segmented();
    let mut reader = Reader {
        digest,
        vocabulary,
        // The content is about as long as the text (less its markers, plus a zero-width space
        // per word in segmented languages): sized once rather than grown a dozen times.
        page: PageWords {
            content: String::with_capacity(digest.text.len()),
            ..PageWords::default()
        },
        next_position: 0,
        last_position: 0,
        weights: vec![WEIGHT_SCALE as u8],
        zero_width_spaces: memchr::memmem::find(digest.text.as_bytes(), "\u{200B}".as_bytes())
            .is_some(),
    };
    for chunk in digest.text.split_whitespace() {
        if segmented && !chunk.starts_with("___") {
            let words = reader.vocabulary.language().segment(chunk);
            let mut previous: Option<&str> = None;
            for (at, word) in words.iter().enumerate() {
                reader.word(word, at + 1 == words.len(), Some(previous));
                previous = word.graphemes(true).next_back();
            }
        } else {
            reader.word(chunk, true, None);
        }
    }
    let content = &mut reader.page.content;
    if content.ends_with('\u{200B}') {
        content.pop();
    }
    if content.ends_with(' ') {
        content.pop();
    }
    reader.page.word_count = reader.last_position as usize + 1;
    for (id, _) in &reader.page.terms {
        reader.vocabulary.page_slots[*id as usize] = 0;
    }
    reader.page.meta_terms = meta_terms(&digest.meta, reader.vocabulary);
    reader.page
}

struct Reader<'a> {
    digest: &'a Digest,
    vocabulary: &'a mut Vocabulary,
    page: PageWords,
    next_position: u32,
    last_position: u32,
    /// The weight of the text being read: the innermost weighted element's.
    weights: Vec<u8>,
    /// The text has a zero-width space somewhere (looked for once, not word by word).
    zero_width_spaces: bool,
}

impl Reader<'_> {
    /// One word of the text, or a marker. `segment` is `Some(last cluster of the word before in
    /// the same run)` for words cut out of a run of a segmented language.
    fn word(&mut self, word: &str, space_after: bool, segment: Option<Option<&str>>) {
        if word.starts_with('_') && self.marker(word) {
            return;
        }
        // Zero-width spaces are dropped; most pages have none, and their words are not looked
        // through for one.
        let word: std::borrow::Cow<str> = match self.zero_width_spaces && word.contains('\u{200B}')
        {
            true => word.replace('\u{200B}', "").into(),
            false => word.into(),
        };
        if word.is_empty() {
            return;
        }
        let content = &mut self.page.content;
        content.push_str(&word);
        if space_after {
            content.push(' ');
        }
        let language_segmented = self.vocabulary.language().is_segmented();
        if language_segmented {
            // Tells the client where the words of an unspaced run end.
            content.push('\u{200B}');
        }
        let weight = *self.weights.last().unwrap_or(&1);
        // Pairs of characters are only for words cut out of a run of a segmented language.
        let known: Rc<[IndexTerm]> = if language_segmented && segment.is_none() {
            self.vocabulary.terms_without_pairs(&word).into()
        } else {
            self.vocabulary.terms(&word)
        };
        let mut across = None;
        if let Some(previous) = segment {
            let candidate = self.vocabulary.language().pair_across(&word, previous);
            if let Some(term) = candidate.map(|t| self.vocabulary.intern(t)) {
                if !known.iter().any(|t| t.id == term.id) {
                    across = Some(term);
                }
            }
        }
        let parts = known.iter().filter(|t| t.part).count() + usize::from(across.is_some());
        let part_weight = if parts > 0 && weight > 0 {
            (weight / u8::try_from(parts).unwrap_or(u8::MAX)).max(1)
        } else {
            0
        };
        let position = self.next_position;
        for IndexTerm { id, part, accented } in known.iter() {
            let occurrence = Occurrence {
                position,
                weight: if *part { part_weight } else { weight },
                accented: accented.clone(),
            };
            self.places(*id).push(occurrence);
        }
        // The pair spanning two segments belongs to the segment it starts in.
        if let (Some(term), Some(before)) = (across, position.checked_sub(1)) {
            let occurrences = self.places(term.id);
            if !occurrences.iter().any(|o| o.position == before) {
                occurrences.push(Occurrence {
                    position: before,
                    weight: part_weight,
                    accented: term.accented,
                });
            }
        }
        self.last_position = position;
        self.next_position += 1;
    }

    /// The places of term `id` on the page so far: found through the vocabulary's slot for the
    /// term rather than hashed, once per word of every page.
    fn places(&mut self, id: u32) -> &mut Vec<Occurrence> {
        let vocabulary = &mut *self.vocabulary;
        let slots = &mut vocabulary.page_slots;
        let at = id as usize;
        if slots.len() <= at {
            slots.resize(at + 1, 0);
        }
        let terms = &mut self.page.terms;
        let slot = match slots[at] {
            0 => {
                let places = vocabulary.spare_places.pop().unwrap_or_default();
                terms.push((id, places));
                slots[at] = terms.len() as u32;
                terms.len() - 1
            }
            taken => taken as usize - 1,
        };
        &mut terms[slot].1
    }

    /// Acts on a marker; `false` when `word` is not one.
    fn marker(&mut self, word: &str) -> bool {
        if word.starts_with(ANCHOR) {
            let marker = word.replace(ANCHOR, "");
            if let Some((element, anchor)) = marker.split_once(':') {
                let text = self
                    .digest
                    .anchor_text
                    .get(anchor)
                    .map(|text| normalize_text(text))
                    .unwrap_or_default();
                if let Some((_, id)) = anchor.split_once(':') {
                    self.page.anchors.push(Anchor {
                        element: element.to_string(),
                        id: id.to_string(),
                        text: normalize_text(&text),
                        title: self.digest.anchor_titles.get(anchor).cloned(),
                        location: self.next_position,
                    });
                }
            }
        } else if word.starts_with(WEIGHT) {
            let weight = word.replace(WEIGHT, "").parse::<f32>().unwrap_or(1.0);
            self.weights.push(if weight <= 0.0 {
                0
            } else {
                ((weight.clamp(0.0, HIGHEST_WEIGHT) * WEIGHT_SCALE) as u8).max(1)
            });
        } else if word.starts_with(AUTO_WEIGHT) {
            // A heading's own weight, unless it is inside an explicitly weighted element.
            let weight = if self.weights.len() == 1 {
                let weight = word.replace(AUTO_WEIGHT, "").parse::<f32>().unwrap_or(1.0);
                (weight.clamp(0.0, HIGHEST_WEIGHT) * WEIGHT_SCALE) as u8
            } else {
                self.weights.last().copied().unwrap_or_default()
            };
            self.weights.push(weight);
        } else if word.starts_with(END_WEIGHT) {
            self.weights.pop();
        } else {
            return false;
        }
        true
    }
}

/// The terms of the metadata fields (the title first of all), by field rank and word number.
fn meta_terms(
    meta: &BTreeMap<String, String>,
    vocabulary: &mut Vocabulary,
) -> HashMap<u32, Vec<MetaOccurrence>> {
    let mut terms: HashMap<u32, Vec<MetaOccurrence>> = HashMap::default();
    for (field, value) in meta.values().enumerate() {
        for (position, word) in value.split_whitespace().enumerate() {
            for term in vocabulary.language().word_terms(word) {
                let IndexTerm { id, accented, .. } = vocabulary.intern(term);
                terms.entry(id).or_default().push(MetaOccurrence {
                    field: field as u16,
                    position: position as u32,
                    accented,
                });
            }
        }
    }
    terms
}

/// Text as Pagefind keeps it: entities decoded, ends trimmed, each run of line breaks made a
/// space, then each run of two or more spaces made one.
///
/// Every run of whitespace comes out as one character: a run of two or more is a space
/// whichever step makes it one, a lone line break is a space, any other lone whitespace
/// character (a no-break space, a tab) stays as it is. The text is copied a stretch at a
/// time, a lone space being left in its stretch, and the bytes that could change anything are
/// looked for sixteen at a time: this runs over the whole text of every indexed page.
pub fn normalize_text(text: &str) -> String {
    let decoded = html_escape::decode_html_entities(text);
    let trimmed = decoded.trim();
    let bytes = trimmed.as_bytes();
    let mut normalized = String::with_capacity(trimmed.len());
    // The start of the stretch not copied yet.
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        // A space followed by a byte that cannot start whitespace changes nothing: the search
        // passes over those, the words' own spaces, sixteen bytes at a time.
        let may_start = |b: u8| {
            (b.wrapping_sub(0x09) < 5) | (b == b' ') | (b == 0xC2) | (b.wrapping_sub(0xE1) < 3)
        };
        let picks =
            |c: u8, next: u8| (may_start(c) & (c != b' ')) | ((c == b' ') & may_start(next));
        match crate::scan::first_picked(&bytes[at..], 0, picks) {
            Some(skipped) => at += skipped,
            None => break,
        }
        if whitespace_width(trimmed, at) == 0 {
            at += 1;
            continue;
        }
        let run_start = at;
        let mut characters = 0;
        loop {
            let width = whitespace_width(trimmed, at);
            if width == 0 {
                break;
            }
            at += width;
            characters += 1;
        }
        let lone = characters == 1;
        if lone && bytes[run_start] == b' ' {
            continue;
        }
        normalized.push_str(&trimmed[copied..run_start]);
        if lone && bytes[run_start] != b'\n' {
            normalized.push_str(&trimmed[run_start..at]);
        } else {
            normalized.push(' ');
        }
        copied = at;
    }
    normalized.push_str(&trimmed[copied..]);
    normalized
}

/// The length in bytes of the whitespace character (`char::is_whitespace`) starting at byte
/// `at` of `text`, 0 when the character there is not whitespace.
///
/// Read from the bytes, without decoding a character: only ASCII and the sequences of U+0085,
/// U+00A0 (0xC2 …), U+1680 (0xE1 …), U+2000 to U+200A, U+2028, U+2029, U+202F, U+205F
/// (0xE2 …) and U+3000 (0xE3 …) can be whitespace, and in Japanese text nearly every
/// character starts with 0xE3.
#[inline]
fn whitespace_width(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let next = |offset: usize| bytes.get(at + offset).copied().unwrap_or(0);
    match bytes[at] {
        b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' => 1,
        0xC2 if matches!(next(1), 0x85 | 0xA0) => 2,
        0xE1 if next(1) == 0x9A && next(2) == 0x80 => 3,
        0xE2 => match (next(1), next(2)) {
            (0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF) | (0x81, 0x9F) => 3,
            _ => 0,
        },
        0xE3 if next(1) == 0x80 && next(2) == 0x80 => 3,
        _ => 0,
    }
}

/// Takes Pagefind's private markers out of metadata and filter values, where a reader must not
/// see them: `___PAGEFIND_`, what follows up to whitespace, and that whitespace.
pub fn without_markers(value: &str) -> Option<String> {
    static MARKER: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    if !value.contains("___PAGEFIND_") {
        return None;
    }
    let marker =
        MARKER.get_or_init(|| regex::Regex::new(r"___PAGEFIND_\S+\s?").expect("valid pattern"));
    Some(marker.replace_all(value, "").into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_normalized_as_excerpts_show_it() {
        assert_eq!(normalize_text("  a &amp; b\n\n c  "), "a & b c");
        assert_eq!(normalize_text("a\r\n\r\nb\tc"), "a b\tc");
        assert_eq!(normalize_text("a \t b"), "a b");
        assert_eq!(normalize_text("a\rb"), "a\rb");
        assert_eq!(normalize_text("a\u{a0}b\u{a0} c"), "a\u{a0}b c");
        assert_eq!(normalize_text("a\nb\r\r\nc"), "a b c");
        assert_eq!(
            normalize_text("a\u{3000}b\u{2003}\u{2003}c\u{85}d"),
            "a\u{3000}b c\u{85}d"
        );
    }

    #[test]
    fn whitespace_is_told_from_the_bytes_for_every_character() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let text = format!("{c}x");
            let expected = if c.is_whitespace() { c.len_utf8() } else { 0 };
            assert_eq!(whitespace_width(&text, 0), expected, "U+{:04X}", c as u32);
        }
    }

    /// The rule, character by character: what `normalize_text` must do, read byte by byte.
    fn normalized_by_characters(text: &str) -> String {
        let decoded = html_escape::decode_html_entities(text);
        let mut normalized = String::new();
        let mut rest = decoded.trim();
        while let Some(start) = rest.find(char::is_whitespace) {
            normalized.push_str(&rest[..start]);
            let run = &rest[start..];
            let end = run.find(|c: char| !c.is_whitespace()).unwrap_or(run.len());
            let mut chars = run[..end].chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c != '\n' => normalized.push(c),
                _ => normalized.push(' '),
            }
            rest = &run[end..];
        }
        normalized.push_str(rest);
        normalized
    }

    #[test]
    fn random_text_is_normalized_as_the_rule_says() {
        const PIECES: &[&str] = &[
            "a", "été", " ", "  ", "\n", "\t", "\r", "\u{a0}", "\u{85}", "\u{2009}", "\u{3000}",
            "\u{200b}", "&amp;", "&nbsp;", "\u{c2a0}", "字", "«", "\u{1680}", "\u{e2}", "\u{2000}",
            "\u{200a}", "\u{2028}", "\u{2029}", "\u{202f}", "\u{205f}", "\u{2060}", "\u{2010}",
            "\u{1681}", "\u{3001}", "あ", "\u{b7}", "\u{180e}", "\u{feff}",
        ];
        let mut random = crate::test_random::Xorshift(0x7e87);
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(random.0 % 12) {
                text.push_str(PIECES[random.below(PIECES.len())]);
            }
            assert_eq!(
                normalize_text(&text),
                normalized_by_characters(&text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn markers_are_taken_out_of_values() {
        assert_eq!(without_markers("plain"), None);
        assert_eq!(
            without_markers("a ___PAGEFIND_WEIGHT___2 b").as_deref(),
            Some("a b")
        );
        assert_eq!(
            without_markers("x___PAGEFIND_").as_deref(),
            Some("x___PAGEFIND_")
        );
    }

    #[test]
    fn headings_weigh_more_and_anchors_mark_their_place() {
        let digest = Digest {
            text: "Intro ___PAGEFIND_ANCHOR___h2:0:results ___PAGEFIND_AUTO_WEIGHT___6 Results \
                   ___END_PAGEFIND_WEIGHT___ text"
                .into(),
            anchor_text: BTreeMap::from([("0:results".into(), " Results ".into())]),
            language: "en".into(),
            ..Digest::default()
        };
        let mut vocabulary = Vocabulary::new("en");
        let page = read(&digest, &mut vocabulary);
        assert_eq!(page.content, "Intro Results text");
        assert_eq!(page.word_count, 3);
        let places = |key: &str| {
            let (_, places) = page
                .terms
                .iter()
                .find(|(id, _)| vocabulary.key(*id) == key)
                .unwrap_or_else(|| panic!("no term {key}"));
            places.clone()
        };
        assert_eq!(places("result")[0].weight, 144);
        assert_eq!(places("intro")[0].weight, 24);
        assert_eq!(places("text")[0].position, 2);
        assert_eq!(
            page.anchors,
            [Anchor {
                element: "h2".into(),
                id: "results".into(),
                text: "Results".into(),
                title: None,
                location: 1,
            }]
        );
    }
}
