//! Translation tracking: which revision of its original a translation was made from, and the
//! translation matrix (every document × every site language) that `intercite status` and the
//! editors' page show.
//!
//! A translation made with `intercite new --translate` records `translation_of: {lang, hash}`:
//! the original's language and [`body_hash`] of the original's text at that moment. When the
//! original's text changes, its hash no longer matches and the translation is *outdated*.

pub mod report;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::index::Site;

/// The hash of a document body as recorded in `translation_of.hash`: FNV-1a 64-bit of the
/// normalised text, as 16 lowercase hexadecimal digits.
///
/// It is written into content files and compared by later versions of intercite, on other
/// machines and systems, so it must never change for the same text: it depends on no library
/// (std's `Hasher`s may change between Rust releases), no platform and no random seed. Changes
/// that do not change the text do not change it either: CRLF line ends (Windows editors),
/// whitespace at the end of lines, and blank lines at the start or end of the body.
pub fn body_hash(body: &str) -> String {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET_BASIS;
    for byte in normalise_body(body).bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(PRIME);
    }
    format!("{hash:016x}")
}

/// The text [`body_hash`] hashes: LF line ends, no trailing whitespace on any line, no blank
/// lines before the first or after the last line of text.
fn normalise_body(body: &str) -> String {
    let lines: Vec<&str> = body
        .split('\n')
        .map(|line| line.trim_end_matches(|c: char| c.is_whitespace()))
        .collect();
    let first = lines.iter().position(|l| !l.is_empty());
    let last = lines.iter().rposition(|l| !l.is_empty());
    match (first, last) {
        (Some(first), Some(last)) => lines[first..=last].join("\n"),
        _ => String::new(),
    }
}

/// Where one document stands in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TranslationState {
    /// The version in the document's original language.
    Original,
    /// A translation of the original's current text. A version without `translation_of`
    /// (written before tracking existed, or by hand) also counts as current: nothing says it
    /// is behind, and calling every such version outdated would bury the real ones.
    Current,
    /// A translation whose `translation_of` does not match the original any more: the
    /// original's text changed since (another hash), or it names another language than the
    /// document's original.
    Outdated,
    /// No version in this language.
    Missing,
}

impl TranslationState {
    pub const ALL: [TranslationState; 4] = [
        TranslationState::Original,
        TranslationState::Current,
        TranslationState::Outdated,
        TranslationState::Missing,
    ];

    /// The lowercase name used in `status` output and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            TranslationState::Original => "original",
            TranslationState::Current => "current",
            TranslationState::Outdated => "outdated",
            TranslationState::Missing => "missing",
        }
    }
}

/// One document in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub lang: String,
    pub state: TranslationState,
    /// Index into [`Site::versions`], when the version exists.
    pub version: Option<usize>,
}

/// One document across the languages of the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Index into [`Site::documents`].
    pub doc: usize,
    /// The document's key: its content path, or its `translation_key`.
    pub key: String,
    /// The document's original language.
    pub original: String,
    /// One cell per language of the matrix, in its order.
    pub cells: Vec<Cell>,
}

/// How many documents are in each state, in one language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub original: usize,
    pub current: usize,
    pub outdated: usize,
    pub missing: usize,
}

impl Totals {
    fn add(&mut self, state: TranslationState) {
        match state {
            TranslationState::Original => self.original += 1,
            TranslationState::Current => self.current += 1,
            TranslationState::Outdated => self.outdated += 1,
            TranslationState::Missing => self.missing += 1,
        }
    }

    pub fn get(&self, state: TranslationState) -> usize {
        match state {
            TranslationState::Original => self.original,
            TranslationState::Current => self.current,
            TranslationState::Outdated => self.outdated,
            TranslationState::Missing => self.missing,
        }
    }
}

/// Every document (sorted by key) in every language of the matrix (site order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    pub languages: Vec<String>,
    pub rows: Vec<Row>,
    /// Language → totals, for every language of the matrix.
    pub totals: BTreeMap<String, Totals>,
}

impl Matrix {
    /// The totals of a language of the matrix (zero for any other).
    pub fn totals_of(&self, lang: &str) -> Totals {
        self.totals.get(lang).copied().unwrap_or_default()
    }

    /// The same matrix with only the column and totals of `lang`; `None` when `lang` is not
    /// one of its languages.
    pub fn only(&self, lang: &str) -> Option<Matrix> {
        if !self.languages.iter().any(|l| l == lang) {
            return None;
        }
        let rows = self
            .rows
            .iter()
            .map(|row| Row {
                cells: row
                    .cells
                    .iter()
                    .filter(|c| c.lang == lang)
                    .cloned()
                    .collect(),
                ..row.clone()
            })
            .collect();
        Some(Matrix {
            languages: vec![lang.to_string()],
            rows,
            totals: BTreeMap::from([(lang.to_string(), self.totals_of(lang))]),
        })
    }
}

/// The state of document `doc` in `lang`.
pub fn state_of(site: &Site, doc: usize, lang: &str) -> TranslationState {
    let document = &site.documents[doc];
    let Some(&v) = document.versions.get(lang) else {
        return TranslationState::Missing;
    };
    if lang == document.original {
        return TranslationState::Original;
    }
    let Some(record) = &site.versions[v].front.translation_of else {
        return TranslationState::Current;
    };
    let same_hash = record
        .hash
        .trim()
        .eq_ignore_ascii_case(&document.original_hash);
    if record.lang == document.original && same_hash {
        TranslationState::Current
    } else {
        TranslationState::Outdated
    }
}

/// The translation matrix of the whole site: every document in every site language.
pub fn matrix(site: &Site) -> Matrix {
    let languages = site.config.language_codes();
    let mut order: Vec<usize> = (0..site.documents.len()).collect();
    order.sort_by(|&a, &b| site.documents[a].key.cmp(&site.documents[b].key));
    let mut totals: BTreeMap<String, Totals> = languages
        .iter()
        .map(|l| (l.clone(), Totals::default()))
        .collect();
    let rows = order
        .into_iter()
        .map(|doc| {
            let document = &site.documents[doc];
            let cells = languages
                .iter()
                .map(|lang| {
                    let state = state_of(site, doc, lang);
                    if let Some(t) = totals.get_mut(lang) {
                        t.add(state);
                    }
                    Cell {
                        lang: lang.clone(),
                        state,
                        version: document.versions.get(lang).copied(),
                    }
                })
                .collect();
            Row {
                doc,
                key: document.key.clone(),
                original: document.original.clone(),
                cells,
            }
        })
        .collect();
    Matrix {
        languages,
        rows,
        totals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_fnv1a_64_in_16_hex_digits() {
        // Published FNV-1a 64 test vectors: the hash must never change, it is stored in files.
        assert_eq!(body_hash(""), "cbf29ce484222325");
        assert_eq!(body_hash("a"), "af63dc4c8601ec8c");
        assert_eq!(body_hash("foobar"), "85944171f73967e8");
    }

    #[test]
    fn hash_ignores_line_ends_and_trailing_whitespace() {
        let reference = body_hash("## Titre\n\nTexte.");
        assert_eq!(body_hash("## Titre\r\n\r\nTexte.\r\n"), reference);
        assert_eq!(body_hash("## Titre  \n\t\nTexte. \n\n\n"), reference);
        assert_eq!(body_hash("\n\n## Titre\n\nTexte.\n"), reference);
        assert_ne!(body_hash("## Titre\n\nTexte modifié."), reference);
        assert_ne!(
            body_hash("##  Titre\n\nTexte."),
            reference,
            "inner spaces count"
        );
        assert_ne!(
            body_hash("## Titre\nTexte."),
            reference,
            "blank lines inside count"
        );
    }

    #[test]
    fn hash_of_whitespace_only_is_the_empty_hash() {
        assert_eq!(body_hash(" \r\n\n\t"), body_hash(""));
        assert_eq!(body_hash("é").len(), 16);
    }

    #[test]
    fn states_have_lowercase_names() {
        let names: Vec<&str> = TranslationState::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["original", "current", "outdated", "missing"]);
        assert_eq!(
            serde_json::to_string(&TranslationState::Outdated).unwrap(),
            "\"outdated\""
        );
    }

    mod with_site {
        use std::path::Path;

        use super::super::*;

        /// A site in a temporary folder with languages fr, en, es and the given files.
        fn site(files: &[(&str, &str)]) -> (tempfile::TempDir, Site) {
            crate::test_site::site(&["fr", "en", "es"], files)
        }

        fn translation(title: &str, lang: &str, body_of_original: &str, body: &str) -> String {
            format!(
                "---\ntitle: {title}\ntranslation_of:\n  lang: {lang}\n  hash: \"{}\"\n---\n{body}",
                body_hash(body_of_original)
            )
        }

        fn states(matrix: &Matrix, key: &str) -> Vec<(String, TranslationState)> {
            let row = matrix.rows.iter().find(|r| r.key == key).unwrap();
            row.cells
                .iter()
                .map(|c| (c.lang.clone(), c.state))
                .collect()
        }

        #[test]
        fn matrix_of_every_state() {
            let original = "Texte original.\n";
            let (_dir, site) = site(&[
                (
                    "content/b/doc/index.fr.md",
                    &format!("---\ntitle: Doc\n---\n{original}"),
                ),
                (
                    "content/b/doc/index.en.md",
                    &translation("Doc", "fr", original, "Text.\n"),
                ),
                (
                    "content/b/doc/index.es.md",
                    &translation("Doc", "fr", "Un texte plus ancien.\n", "Texto.\n"),
                ),
                ("content/a/news.en.md", "---\ntitle: News\n---\nText.\n"),
                (
                    "content/a/news.fr.md",
                    "---\ntitle: Nouvelle\n---\nTexte.\n",
                ),
            ]);
            let m = matrix(&site);
            assert_eq!(m.languages, ["fr", "en", "es"]);
            let keys: Vec<&str> = m.rows.iter().map(|r| r.key.as_str()).collect();
            assert_eq!(keys, ["a/news", "b/doc"], "sorted by key");
            use TranslationState::*;
            let s = |l: &str, st| (l.to_string(), st);
            assert_eq!(
                states(&m, "b/doc"),
                [s("fr", Original), s("en", Current), s("es", Outdated)]
            );
            // No translation_of: current; the default language is the original.
            assert_eq!(
                states(&m, "a/news"),
                [s("fr", Original), s("en", Current), s("es", Missing)]
            );
            let t = m.totals_of("es");
            assert_eq!((t.original, t.current, t.outdated, t.missing), (0, 0, 1, 1));
            assert_eq!(m.totals_of("fr").original, 2);
            let row = &m.rows[1];
            let version = row.cells[1].version.unwrap();
            assert_eq!(
                site.versions[version].file,
                Path::new("content/b/doc/index.en.md")
            );
            assert!(row.cells[2].version.is_some());
        }

        #[test]
        fn record_naming_another_language_is_outdated() {
            let original = "Original text.\n";
            let (_dir, site) = site(&[
                (
                    "content/s/doc/index.en.md",
                    &format!("---\ntitle: Doc\noriginal: en\n---\n{original}"),
                ),
                (
                    "content/s/doc/index.es.md",
                    &translation("Doc", "fr", original, "Texto."),
                ),
            ]);
            assert_eq!(state_of(&site, 0, "es"), TranslationState::Outdated);
            assert_eq!(state_of(&site, 0, "en"), TranslationState::Original);
            assert_eq!(state_of(&site, 0, "fr"), TranslationState::Missing);
        }

        #[test]
        fn line_end_changes_in_the_original_keep_translations_current() {
            let (_dir, site) = site(&[
                (
                    "content/s/doc/index.fr.md",
                    "---\ntitle: Doc\n---\r\nTexte.  \r\n\r\n",
                ),
                (
                    "content/s/doc/index.en.md",
                    &translation("Doc", "fr", "Texte.", "Text."),
                ),
            ]);
            assert_eq!(state_of(&site, 0, "en"), TranslationState::Current);
        }

        #[test]
        fn only_keeps_one_language() {
            let (_dir, site) = site(&[("content/s/doc.fr.md", "---\ntitle: Doc\n---\nTexte.\n")]);
            let m = matrix(&site);
            let en = m.only("en").unwrap();
            assert_eq!(en.languages, ["en"]);
            assert_eq!(en.rows[0].cells.len(), 1);
            assert_eq!(en.rows[0].cells[0].state, TranslationState::Missing);
            assert_eq!(en.totals.keys().collect::<Vec<_>>(), ["en"]);
            assert_eq!(en.totals_of("en").missing, 1);
            assert!(m.only("de").is_none());
        }
    }
}
