//! The translation matrix written out for `intercite status`: aligned text for people, JSON for
//! programs. Both are returned as strings; the command prints them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Matrix, Totals, TranslationState};
use crate::index::Site;

/// The mark of a state in the text table.
pub fn symbol(state: TranslationState) -> char {
    match state {
        TranslationState::Original => '●',
        TranslationState::Current => '✓',
        TranslationState::Outdated => '!',
        TranslationState::Missing => '·',
    }
}

/// One line per document: a mark per language, then the key. The marks come first so the
/// columns stay aligned whatever the keys' lengths and scripts; a legend, the totals per
/// language and the files of outdated translations follow.
pub fn text(site: &Site, matrix: &Matrix) -> String {
    let width = matrix
        .languages
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(1)
        + 2;
    let pad = |s: &str| format!("{s:<width$}");
    let mut out = String::new();
    if matrix.rows.is_empty() {
        out.push_str("No documents yet.\n");
    } else {
        for lang in &matrix.languages {
            out.push_str(&pad(lang));
        }
        out.push_str("document\n");
        for row in &matrix.rows {
            for cell in &row.cells {
                out.push_str(&pad(&symbol(cell.state).to_string()));
            }
            out.push_str(&row.key);
            out.push('\n');
        }
        let legend: Vec<String> = TranslationState::ALL
            .iter()
            .map(|&s| format!("{} {}", symbol(s), s.as_str()))
            .collect();
        out.push('\n');
        out.push_str(&legend.join("   "));
        out.push('\n');
    }
    out.push('\n');
    for lang in &matrix.languages {
        let totals = matrix.totals_of(lang);
        let counts: Vec<String> = TranslationState::ALL
            .iter()
            .map(|&s| format!("{} {}", totals.get(s), s.as_str()))
            .collect();
        out.push_str(&format!("{lang}: {}\n", counts.join(", ")));
    }
    let outdated: Vec<String> = matrix
        .rows
        .iter()
        .flat_map(|row| row.cells.iter().map(move |cell| (row, cell)))
        .filter(|(_, cell)| cell.state == TranslationState::Outdated)
        .filter_map(|(row, cell)| {
            let original = *site.documents[row.doc].versions.get(&row.original)?;
            Some(format!(
                "  {} (original: {})\n    translation_of: {{lang: {}, hash: \"{}\"}}\n",
                file_of(site, cell.version?),
                file_of(site, original),
                row.original,
                site.documents[row.doc].original_hash
            ))
        })
        .collect();
    if !outdated.is_empty() {
        out.push_str(
            "\nOutdated translations: their original changed since they were translated. Update each,\nthen replace its `translation_of` with the one shown, so it counts as current again:\n",
        );
        out.push_str(&outdated.concat());
    }
    out
}

/// The file of a version, relative to the site root, with `/` on every system.
fn file_of(site: &Site, version: usize) -> String {
    site.versions[version]
        .file
        .to_string_lossy()
        .replace('\\', "/")
}

#[derive(Serialize)]
struct JsonReport<'a> {
    languages: &'a [String],
    documents: Vec<JsonDocument<'a>>,
    totals: &'a BTreeMap<String, Totals>,
}

#[derive(Serialize)]
struct JsonDocument<'a> {
    key: &'a str,
    /// The title of the original version.
    title: &'a str,
    original: &'a str,
    /// [`super::body_hash`] of the original's text now: what a current translation records.
    hash: &'a str,
    versions: BTreeMap<&'a str, JsonVersion>,
}

#[derive(Serialize)]
struct JsonVersion {
    state: TranslationState,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
}

/// `{"languages": […], "documents": [{key, title, original, hash, versions: {lang: {state, file}}}],
/// "totals": {lang: {original, current, outdated, missing}}}`, pretty-printed.
pub fn json(site: &Site, matrix: &Matrix) -> String {
    let documents = matrix
        .rows
        .iter()
        .map(|row| JsonDocument {
            key: &row.key,
            title: &site.original_version(row.doc).front.title,
            original: &row.original,
            hash: &site.documents[row.doc].original_hash,
            versions: row
                .cells
                .iter()
                .map(|cell| {
                    (
                        cell.lang.as_str(),
                        JsonVersion {
                            state: cell.state,
                            file: cell.version.map(|v| file_of(site, v)),
                        },
                    )
                })
                .collect(),
        })
        .collect();
    let report = JsonReport {
        languages: &matrix.languages,
        documents,
        totals: &matrix.totals,
    };
    // Plain data (strings, numbers, maps with string keys) cannot fail to serialize.
    serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translation::{body_hash, matrix};

    fn site() -> (tempfile::TempDir, Site) {
        let translated = format!(
            "---\ntitle: B\ntranslation_of:\n  lang: fr\n  hash: \"{}\"\n---\nText.\n",
            body_hash("Ancien texte.")
        );
        crate::test_site::site(
            &["fr", "en", "pt-BR"],
            &[
                ("content/s/b/index.fr.md", "---\ntitle: B\n---\nTexte.\n"),
                ("content/s/b/index.en.md", &translated),
                (
                    "content/s/a.en.md",
                    "---\ntitle: \"A \\\"quoted\\\"\"\n---\nText.\n",
                ),
            ],
        )
    }

    #[test]
    fn text_has_aligned_marks_legend_totals_and_outdated_files() {
        let (_dir, site) = site();
        let out = text(&site, &matrix(&site));
        assert_eq!(
            out,
            format!(
                "fr     en     pt-BR  document\n\
             ·      ●      ·      s/a\n\
             ●      !      ·      s/b\n\
             \n\
             ● original   ✓ current   ! outdated   · missing\n\
             \n\
             fr: 1 original, 0 current, 0 outdated, 1 missing\n\
             en: 1 original, 0 current, 1 outdated, 0 missing\n\
             pt-BR: 0 original, 0 current, 0 outdated, 2 missing\n\
             \n\
             Outdated translations: their original changed since they were translated. Update each,\n\
             then replace its `translation_of` with the one shown, so it counts as current again:\n  \
             content/s/b/index.en.md (original: content/s/b/index.fr.md)\n    \
             translation_of: {{lang: fr, hash: \"{}\"}}\n",
                body_hash("Texte.")
            )
        );
    }

    #[test]
    fn json_lists_states_files_and_totals() {
        let (_dir, site) = site();
        let m = matrix(&site).only("en").unwrap();
        let value: serde_json::Value = serde_json::from_str(&json(&site, &m)).unwrap();
        assert_eq!(value["languages"], serde_json::json!(["en"]));
        assert_eq!(value["documents"][0]["key"], "s/a");
        assert_eq!(value["documents"][0]["title"], "A \"quoted\"");
        assert_eq!(value["documents"][0]["original"], "en");
        assert_eq!(value["documents"][1]["hash"], body_hash("Texte."));
        assert_eq!(
            value["documents"][1]["versions"],
            serde_json::json!({"en": {"state": "outdated", "file": "content/s/b/index.en.md"}})
        );
        assert_eq!(
            value["totals"],
            serde_json::json!({"en": {"original": 1, "current": 0, "outdated": 1, "missing": 0}})
        );
        let all = matrix(&site);
        let value: serde_json::Value = serde_json::from_str(&json(&site, &all)).unwrap();
        assert_eq!(
            value["documents"][0]["versions"]["fr"],
            serde_json::json!({"state": "missing"})
        );
    }

    #[test]
    fn an_empty_site_says_so() {
        let (_dir, mut site) = site();
        site.documents.clear();
        let out = text(&site, &matrix(&site));
        assert!(
            out.starts_with("No documents yet.\n\nfr: 0 original"),
            "{out}"
        );
    }
}
