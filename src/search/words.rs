//! The terms a word of a page is found by, exactly as Pagefind's client expects them.
//!
//! The reader's browser runs Pagefind's WebAssembly module on the query: it lowercases each
//! word, drops what is not a letter, a digit or a connector, folds accents and stems it with the
//! Snowball stemmer of the index's language, then looks the result up by prefix. So an index is
//! only searchable if its terms went through the same steps, and the index must also hold the
//! extra terms Pagefind adds for words made of parts (`anti-racism`, `camelCase`,
//! `module.function`), for runs of katakana, and for every pair of adjacent characters in the
//! languages written without spaces, where a query may start anywhere in a word. The rules below
//! are those of Pagefind 1.6; `search::tests` builds the same records with Pagefind itself and
//! compares the files byte for byte, so a Pagefind upgrade that changes them shows there.

use foldhash::{HashMap, HashSet};
use std::rc::Rc;

use convert_case::{Case, Casing};
use pagefind_stem::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// Characters that count as part of a word besides letters and digits: Unicode's connector
/// punctuation (`snake_case` stays one word).
pub const WORD_SYMBOLS: [char; 10] = ['_', '‿', '⁀', '⁔', '︳', '︴', '﹍', '﹎', '﹏', '＿'];

/// Runs of katakana longer than this are indexed by their suffixes up to this length only.
const LONGEST_KATAKANA_SUFFIX: usize = 16;

/// The part of a dotted word after a dot is indexed up to this many characters.
const LONGEST_DOTTED_TAIL: usize = 64;

/// One term a word is indexed under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// What a query must match: lowercased, accents folded, stemmed.
    pub key: String,
    /// A part of a longer word (a compound's part, a suffix, a pair of characters): it weighs
    /// less, as a match on it is a weaker sign of relevance.
    pub part: bool,
    /// The word as written before accents were folded, when folding changed it: the client
    /// ranks a query with the same accents higher.
    pub accented: Option<String>,
}

/// The rules of one language: its stemmer, and whether its text is segmented into words.
pub struct Language {
    stemmer: Option<Stemmer>,
    segmented: bool,
}

impl Language {
    /// The rules for a page whose `<html lang>` is `code` (lowercased, as Pagefind reads it).
    pub fn new(code: &str) -> Language {
        let base = code.split('-').next().unwrap_or_default();
        Language {
            stemmer: stemming_algorithm(base).map(Stemmer::create),
            segmented: matches!(base, "zh" | "ja" | "th"),
        }
    }

    /// Whether runs of text are cut into words by a dictionary (Chinese, Japanese, Thai).
    pub fn is_segmented(&self) -> bool {
        self.segmented
    }

    /// The terms a word of a page's text is indexed under.
    pub fn terms(&self, raw: &str) -> Vec<Term> {
        let mut terms = self.word_terms(raw);
        let tails = self.dotted_tails(raw, &terms);
        terms.extend(tails);
        terms
    }

    /// The terms a word of a metadata field (the title) is indexed under: no dotted tails.
    pub fn word_terms(&self, raw: &str) -> Vec<Term> {
        let mut terms = Vec::new();
        let normalized = normalize(raw);
        if !normalized.is_empty() {
            terms.push(self.stem(&normalized, false));
        }
        for suffix in katakana_suffixes(raw) {
            let folded = fold_accents(suffix);
            terms.push(Term {
                accented: folded.as_ref().map(|_| suffix.to_string()),
                key: folded.unwrap_or_else(|| suffix.to_string()),
                part: true,
            });
        }
        let has_parts = raw.chars().any(|c| !c.is_alphanumeric())
            || raw.chars().skip(1).any(char::is_uppercase);
        if !has_parts {
            return terms;
        }
        let parts = raw
            .replace(|c: char| c.is_ascii_punctuation(), " ")
            .to_case(Case::Lower)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if !normalized.is_empty()
            && (parts.contains(char::is_whitespace) || !normalized.starts_with(&parts))
        {
            for part in parts.split_whitespace().filter(|part| part.len() > 1) {
                let folded = fold_accents(part);
                let base = folded.as_deref().unwrap_or(part);
                terms.push(Term {
                    key: match &self.stemmer {
                        Some(stemmer) => stemmer.stem(base).into_owned(),
                        None => base.to_string(),
                    },
                    accented: folded.as_ref().map(|_| part.to_string()),
                    part: true,
                });
            }
        }
        if may_hold_emoji(raw) {
            terms.extend(
                raw.graphemes(true)
                    .filter(|cluster| emojis::get(cluster).is_some())
                    .map(|cluster| Term {
                        key: cluster.to_string(),
                        part: false,
                        accented: None,
                    }),
            );
        }
        terms
    }

    /// The normalized, accent-folded, stemmed term of an already normalized word.
    fn stem(&self, normalized: &str, part: bool) -> Term {
        let folded = fold_accents(normalized);
        let base = folded.as_deref().unwrap_or(normalized);
        Term {
            key: match &self.stemmer {
                Some(stemmer) => stemmer.stem(base).into_owned(),
                None => base.to_string(),
            },
            accented: folded.as_ref().map(|_| normalized.to_string()),
            part,
        }
    }

    /// For `sysconfig.is_python_build`: the part after each dot when it is itself made of parts,
    /// so that it is found whole, unless `existing` already has it.
    fn dotted_tails(&self, raw: &str, existing: &[Term]) -> Vec<Term> {
        let mut tails: Vec<Term> = Vec::new();
        if !raw.contains('.') {
            return tails;
        }
        for (dot, _) in raw.match_indices('.') {
            let rest = &raw[dot + 1..];
            let tail = match rest.char_indices().nth(LONGEST_DOTTED_TAIL) {
                Some((end, _)) => &rest[..end],
                None => rest,
            };
            let has_parts = tail.chars().any(|c| !c.is_alphanumeric())
                || tail.chars().skip(1).any(char::is_uppercase);
            if !has_parts {
                continue;
            }
            let normalized = normalize(tail);
            if normalized.chars().count() < 2 {
                continue;
            }
            let term = self.stem(&normalized, true);
            if !existing.iter().any(|t| t.key == term.key)
                && !tails.iter().any(|t| t.key == term.key)
            {
                tails.push(term);
            }
        }
        tails
    }

    /// In a segmented language, the pairs of adjacent characters (grapheme clusters) of a
    /// segment that `existing` does not have already.
    pub fn pairs(&self, segment: &str, existing: &[Term]) -> Vec<Term> {
        let mut seen: HashSet<String> = existing.iter().map(|t| t.key.clone()).collect();
        let mut pairs = Vec::new();
        let mut previous: Option<&str> = None;
        for cluster in segment.graphemes(true) {
            if !is_segmented_script(cluster) {
                previous = None;
                continue;
            }
            if let Some(previous) = previous {
                let term = self.stem(&[previous, cluster].concat(), true);
                if seen.insert(term.key.clone()) {
                    pairs.push(term);
                }
            }
            previous = Some(cluster);
        }
        pairs
    }

    /// The pair of characters that spans the boundary between the segment before (whose last
    /// cluster is `previous`) and `segment`. The caller leaves it out when the segment's own
    /// terms already have it.
    pub fn pair_across(&self, segment: &str, previous: Option<&str>) -> Option<Term> {
        let previous = previous.filter(|cluster| is_segmented_script(cluster))?;
        let first = segment
            .graphemes(true)
            .next()
            .filter(|c| is_segmented_script(c))?;
        Some(self.stem(&[previous, first].concat(), true))
    }

    /// Cuts a run of text of a segmented language into words with ICU4X's dictionary segmenter,
    /// which agrees (closely) with the `Intl.Segmenter` the browser cuts the query with. A break
    /// inside a grapheme cluster (a vowel sign cut from its consonant where the dictionary has no
    /// entry) is dropped: no word starts with a dangling mark.
    pub fn segment<'a>(&self, run: &'a str) -> Vec<&'a str> {
        let segmenter = icu_segmenter::WordSegmenter::new_dictionary(Default::default());
        let mut cluster_starts = run.grapheme_indices(true).map(|(at, _)| at).peekable();
        let mut words = Vec::new();
        let mut start = 0;
        for end in segmenter.segment_str(run).skip(1) {
            while cluster_starts.next_if(|&at| at < end).is_some() {}
            if end == run.len() || cluster_starts.peek() == Some(&end) {
                words.push(&run[start..end]);
                start = end;
            }
        }
        words
    }
}

/// A term as one language's index holds it: by number, with its accented form shared, so that
/// recording one of its places on a page neither hashes its text nor copies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexTerm {
    /// The term's number in its [`Vocabulary`]; [`Vocabulary::key`] gives its text back.
    pub id: u32,
    pub part: bool,
    pub accented: Option<Rc<str>>,
}

/// A language's rules with the terms of the words already met: a word's terms depend only on
/// the word, and most words of a site come back on page after page, so each distinct word is
/// normalized and stemmed once. Its terms are numbered: an index keeps one entry per number.
pub struct Vocabulary {
    language: Language,
    /// By word: its terms and, in a segmented language, the pairs of its characters.
    known: HashMap<String, Rc<[IndexTerm]>>,
    /// Each term's number, and each number's term.
    ids: HashMap<Rc<str>, u32>,
    keys: Vec<Rc<str>>,
    /// By term number: where the page being read keeps the term's places (its rank in
    /// `PageWords::terms` plus one), 0 for a term not met on it yet. Left all zeros after
    /// each page (`page::read`).
    pub(super) page_slots: Vec<u32>,
    /// Emptied vectors of a term's places on a page, handed back by the index once it has
    /// coded them (`LanguageIndex::add`): the next pages' terms take them instead of growing
    /// new ones from nothing, a few hundred times per page.
    pub(super) spare_places: Vec<Vec<super::page::Occurrence>>,
}

/// Distinct words remembered before the memory is started afresh, so that a site of unusual
/// vocabulary (numbers, codes) cannot grow it without bound. Term numbers are kept: they are
/// the index's own terms.
const MOST_KNOWN_WORDS: usize = 1 << 20;

impl Vocabulary {
    pub fn new(code: &str) -> Vocabulary {
        Vocabulary {
            language: Language::new(code),
            known: HashMap::default(),
            ids: HashMap::default(),
            keys: Vec::new(),
            page_slots: Vec::new(),
            spare_places: Vec::new(),
        }
    }

    pub fn language(&self) -> &Language {
        &self.language
    }

    /// The terms of a word of the text, remembered: [`Language::terms`] and, in a segmented
    /// language (where every word of the text is cut out of a run), [`Language::pairs`].
    pub fn terms(&mut self, raw: &str) -> Rc<[IndexTerm]> {
        if let Some(terms) = self.known.get(raw) {
            return Rc::clone(terms);
        }
        if self.known.len() >= MOST_KNOWN_WORDS {
            self.known.clear();
        }
        let mut terms = self.language.terms(raw);
        if self.language.is_segmented() {
            let pairs = self.language.pairs(raw, &terms);
            terms.extend(pairs);
        }
        let terms: Rc<[IndexTerm]> = terms.into_iter().map(|t| self.intern(t)).collect();
        self.known.insert(raw.to_string(), Rc::clone(&terms));
        terms
    }

    /// [`Language::terms`] alone, not remembered: a word of a segmented language's text that
    /// was not cut out of a run (one that looks like a marker).
    pub fn terms_without_pairs(&mut self, raw: &str) -> Vec<IndexTerm> {
        let terms = self.language.terms(raw);
        terms.into_iter().map(|t| self.intern(t)).collect()
    }

    /// `term` numbered: the number it already has, or the next.
    pub fn intern(&mut self, term: Term) -> IndexTerm {
        let id = match self.ids.get(term.key.as_str()) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
                let key: Rc<str> = term.key.into();
                self.keys.push(Rc::clone(&key));
                self.ids.insert(key, id);
                id
            }
        };
        IndexTerm {
            id,
            part: term.part,
            accented: term.accented.map(Rc::from),
        }
    }

    /// The text of term number `id`.
    pub fn key(&self, id: u32) -> &str {
        self.keys.get(id as usize).map_or("", |key| key)
    }
}

/// The Snowball algorithm for a base language code, for the languages Pagefind ships a
/// stemming client for.
fn stemming_algorithm(base: &str) -> Option<Algorithm> {
    Some(match base {
        "ar" => Algorithm::Arabic,
        "hy" => Algorithm::Armenian,
        "eu" => Algorithm::Basque,
        "ca" => Algorithm::Catalan,
        "da" => Algorithm::Danish,
        "nl" => Algorithm::Dutch,
        "en" => Algorithm::English,
        "eo" => Algorithm::Esperanto,
        "et" => Algorithm::Estonian,
        "fi" => Algorithm::Finnish,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "el" => Algorithm::Greek,
        "hi" => Algorithm::Hindi,
        "hu" => Algorithm::Hungarian,
        "id" => Algorithm::Indonesian,
        "ga" => Algorithm::Irish,
        "it" => Algorithm::Italian,
        "lt" => Algorithm::Lithuanian,
        "nb" | "nn" | "no" => Algorithm::Norwegian,
        "ne" => Algorithm::Nepali,
        "pt" => Algorithm::Portuguese,
        "ro" => Algorithm::Romanian,
        "ru" => Algorithm::Russian,
        "sr" => Algorithm::Serbian,
        "pl" => Algorithm::Polish,
        "es" => Algorithm::Spanish,
        "sv" => Algorithm::Swedish,
        "ta" => Algorithm::Tamil,
        "tr" => Algorithm::Turkish,
        "yi" => Algorithm::Yiddish,
        _ => return None,
    })
}

/// Lowercase, keeping only letters, digits and [`WORD_SYMBOLS`].
fn normalize(raw: &str) -> String {
    let mut normalized = String::with_capacity(raw.len());
    for c in raw.chars() {
        if !(c.is_alphanumeric() || WORD_SYMBOLS.contains(&c)) {
            continue;
        }
        let c = c.to_ascii_lowercase();
        if c.is_uppercase() {
            // A non-ASCII capital may lowercase to several characters.
            normalized.extend(c.to_lowercase());
        } else {
            normalized.push(c);
        }
    }
    normalized
}

/// `café` → `cafe`: the word without its combining marks, or `None` when it has none. The
/// kana voicing marks are kept (they tell バンド "band" from ハンド "hand") and recomposed;
/// everything else stays decomposed, so that a half-typed Hangul syllable is still a prefix.
fn fold_accents(word: &str) -> Option<String> {
    if word.is_ascii() || !decomposes(word) {
        return None;
    }
    let is_voicing = |c: char| matches!(c, '\u{3099}' | '\u{309A}');
    let stripped: String = word
        .nfd()
        .filter(|&c| !unicode_normalization::char::is_combining_mark(c) || is_voicing(c))
        .collect();
    let folded = if stripped.chars().any(is_voicing) {
        stripped.nfc().collect()
    } else {
        stripped
    };
    (folded != word).then_some(folded)
}

fn decomposes(word: &str) -> bool {
    word.chars().any(|c| {
        if unicode_normalization::char::is_combining_mark(c) {
            return true;
        }
        let mut changes = false;
        unicode_normalization::char::decompose_canonical(c, |part| changes |= part != c);
        changes
    })
}

/// Whether a word can hold an emoji: every emoji has a character outside ASCII (the keycaps
/// `#️⃣` and `1️⃣` included), so plain ASCII words skip the costlier lookup.
fn may_hold_emoji(word: &str) -> bool {
    !word.is_ascii()
}

/// Characters of the scripts that are segmented, for which pairs of clusters are indexed:
/// CJK ideographs, kana, Thai and Lao, Myanmar, Khmer.
fn is_segmented_script(cluster: &str) -> bool {
    matches!(
        cluster.chars().next().map(u32::from),
        Some(
            0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xF900..=0xFAFF
            | 0x20000..=0x2FA1F
            | 0x30000..=0x323AF
            | 0x3041..=0x30FF
            | 0x31F0..=0x31FF
            | 0xFF66..=0xFF9F
            | 0x0E00..=0x0EFF
            | 0x1000..=0x109F
            | 0x1780..=0x17FF,
        )
    )
}

fn is_katakana(c: char) -> bool {
    matches!(u32::from(c), 0x30A1..=0x30FA | 0x30FC..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F)
}

/// The dictionary segmenter leaves runs of katakana whole, so each suffix of two characters or
/// more is indexed too, and a query for a word inside the run still matches by prefix.
fn katakana_suffixes(word: &str) -> Vec<&str> {
    if word.chars().count() < 3 || !word.chars().all(is_katakana) {
        return Vec::new();
    }
    let mut suffixes: Vec<&str> = Vec::new();
    for (at, _) in word.char_indices().skip(1) {
        let rest = &word[at..];
        let suffix = match rest.char_indices().nth(LONGEST_KATAKANA_SUFFIX) {
            Some((end, _)) => &rest[..end],
            None => rest,
        };
        if suffix.chars().count() >= 2 && !suffixes.contains(&suffix) {
            suffixes.push(suffix);
        }
    }
    suffixes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(terms: &[Term]) -> Vec<&str> {
        terms.iter().map(|t| t.key.as_str()).collect()
    }

    #[test]
    fn words_are_lowercased_stripped_and_stemmed() {
        let english = Language::new("en");
        assert_eq!(keys(&english.terms("Cities,")), ["citi"]);
        assert_eq!(keys(&english.terms("(inclusion)")), ["inclus"]);
        let french = Language::new("fr");
        let terms = french.terms("Réunions");
        assert_eq!(keys(&terms), ["reunion"]);
        assert_eq!(terms[0].accented.as_deref(), Some("réunions"));
    }

    #[test]
    fn compounds_are_indexed_whole_and_by_part() {
        let english = Language::new("en");
        let terms = english.terms("anti-discrimination");
        assert_eq!(keys(&terms), ["antidiscrimin", "anti", "discrimin"]);
        assert!(!terms[0].part && terms[1].part && terms[2].part);
        assert_eq!(
            keys(&english.terms("camelCase")),
            ["camelcas", "camel", "case"]
        );
        assert_eq!(
            keys(&english.terms("sysconfig.is_python_build")),
            [
                "sysconfigis_python_build",
                "sysconfig",
                "is",
                "python",
                "build",
                "is_python_build"
            ]
        );
    }

    #[test]
    fn languages_without_a_stemmer_keep_their_words() {
        let japanese = Language::new("ja");
        assert!(japanese.is_segmented());
        assert_eq!(keys(&japanese.terms("東京")), ["東京"]);
        assert_eq!(
            keys(&japanese.terms("インターカルチュラル"))[..3],
            [
                "インターカルチュラル",
                "ンターカルチュラル",
                "ターカルチュラル"
            ]
        );
        assert_eq!(keys(&Language::new("uk").terms("Міста")), ["міста"]);
    }

    #[test]
    fn a_vocabulary_numbers_each_term_once() {
        let mut french = Vocabulary::new("fr");
        let first = french.terms("Réunions");
        let again = french.terms("réunion");
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].id, again[0].id, "both stem to the same term");
        assert_eq!(french.key(first[0].id), "reunion");
        assert_eq!(first[0].accented.as_deref(), Some("réunions"));
        let other = french.terms("villes");
        assert_ne!(other[0].id, first[0].id);
        assert_eq!(french.key(other[0].id), "vill");
        let interned = french.intern(Term {
            key: "vill".into(),
            part: true,
            accented: None,
        });
        assert_eq!((interned.id, interned.part), (other[0].id, true));
        assert_eq!(french.key(u32::MAX), "");
    }

    #[test]
    fn a_segmented_languages_words_come_with_their_pairs() {
        let mut japanese = Vocabulary::new("ja");
        let keys_of = |vocabulary: &Vocabulary, terms: &[IndexTerm]| {
            terms
                .iter()
                .map(|t| vocabulary.key(t.id).to_string())
                .collect::<Vec<_>>()
        };
        let with_pairs = japanese.terms("評議会");
        assert_eq!(keys_of(&japanese, &with_pairs), ["評議会", "評議", "議会"]);
        let without = japanese.terms_without_pairs("評議会");
        assert_eq!(keys_of(&japanese, &without), ["評議会"]);
        assert_eq!(without[0].id, with_pairs[0].id);
        let mut english = Vocabulary::new("en");
        let terms = english.terms("cities");
        assert_eq!(keys_of(&english, &terms), ["citi"]);
    }

    #[test]
    fn segmented_text_is_cut_into_words_and_pairs() {
        let japanese = Language::new("ja");
        let words = japanese.segment("欧州評議会の会議");
        assert_eq!(words.concat(), "欧州評議会の会議");
        assert!(words.len() > 1, "{words:?}");
        let pairs = japanese.pairs("評議会", &[]);
        assert_eq!(keys(&pairs), ["評議", "議会"]);
        let across = japanese.pair_across("会議", Some("の"));
        assert_eq!(across.map(|t| t.key), Some("の会".to_string()));
        assert_eq!(japanese.pair_across("会議", Some("a")), None);
    }

    #[test]
    fn emoji_are_terms_of_their_own() {
        let english = Language::new("en");
        // The whole word is a part too: the emoji is not ASCII punctuation, so no split there.
        assert_eq!(keys(&english.terms("fun🎉")), ["fun", "fun🎉", "🎉"]);
        // No ASCII character is an emoji on its own, which `may_hold_emoji` relies on.
        for byte in 0u8..128 {
            let text = (byte as char).to_string();
            assert!(emojis::get(&text).is_none(), "{text:?}");
        }
    }
}
