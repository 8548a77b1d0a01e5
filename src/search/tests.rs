//! The index written here against the one Pagefind writes from the same records: same file
//! names, and the same bytes once decompressed. Pagefind's `add_custom_record` takes a page's
//! text, metadata, filters and sort keys directly, as [`Digest`] carries them, so this checks
//! the reading of words, the postings and every file's encoding, on the real site's texts in its
//! eight languages (Japanese segmented, Arabic and Ukrainian unstemmed or stemmed) and on words
//! chosen for their edge cases.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use super::*;

fn record(url: &str, language: &str, content: &str) -> Record {
    Record {
        url: url.into(),
        language: language.into(),
        content: content.into(),
        ..Record::default()
    }
}

fn ours(records: &[Record]) -> BTreeMap<String, Vec<u8>> {
    let mut index = SiteIndex::new();
    for r in records {
        index.add(
            &r.url,
            Digest {
                text: r.content.clone(),
                meta: r.meta.clone(),
                filters: r.filters.clone(),
                sort: r.sort.clone(),
                always: true,
                language: r.language.clone(),
                ..Digest::default()
            },
        );
    }
    index.finish().expect("index").into_iter().collect()
}

fn pagefinds(records: &[Record]) -> BTreeMap<String, Vec<u8>> {
    pagefind_bundle(records.to_vec())
        .expect("Pagefind's bundle")
        .into_iter()
        .collect()
}

/// A bundle file as the client reads it: the index files decompressed, the others as they are.
pub(crate) fn decompressed(name: &str, bytes: &[u8]) -> Vec<u8> {
    if !name.contains(".pf_") {
        return bytes.to_vec();
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("gzip");
    out
}

fn assert_same_index(records: &[Record]) {
    let ours = ours(records);
    let theirs = pagefinds(records);
    let names = |files: &BTreeMap<String, Vec<u8>>| files.keys().cloned().collect::<Vec<_>>();
    let unused = [
        "pagefind-ui",
        "pagefind-modular-ui",
        "pagefind-component-ui",
        "playground/",
    ];
    let their_names: Vec<String> = names(&theirs)
        .into_iter()
        .filter(|n| !unused.iter().any(|u| n.starts_with(u)))
        .collect();
    let our_names: Vec<String> = names(&ours)
        .into_iter()
        .filter(|n| !unused.iter().any(|u| n.starts_with(u)))
        .collect();
    for (name, bytes) in &theirs {
        let Some(our_bytes) = ours.get(name) else {
            continue;
        };
        let (a, b) = (decompressed(name, our_bytes), decompressed(name, bytes));
        if a != b {
            let at = a
                .iter()
                .zip(&b)
                .position(|(x, y)| x != y)
                .unwrap_or(a.len().min(b.len()));
            let from = at.saturating_sub(60);
            panic!(
                "{name} differs at byte {at} (ours {} bytes, Pagefind's {}):\n ours: {:?}\n  Pagefind: {:?}",
                a.len(),
                b.len(),
                String::from_utf8_lossy(&a[from..(at + 60).min(a.len())]),
                String::from_utf8_lossy(&b[from..(at + 60).min(b.len())]),
            );
        }
    }
    assert_eq!(our_names, their_names);
}

#[test]
fn words_with_edge_cases_are_indexed_as_pagefind_does() {
    let mut first = record(
        "/en/a/",
        "en",
        "___PAGEFIND_AUTO_WEIGHT___7 Intercultural Cities: a meeting report ___END_PAGEFIND_WEIGHT___ \
         The anti-discrimination campaign (2024) met in Lisbon's café; Café and CAFÉ too. \
         camelCase snake_case sysconfig.is_python_build e.g. U.S.A. 3.14 fun🎉 #1 naïve \
         ___PAGEFIND_WEIGHT___0 hidden words ___END_PAGEFIND_WEIGHT___ \
         ___PAGEFIND_WEIGHT___2.5 heavy ___END_PAGEFIND_WEIGHT___ ___PAGEFIND_something odd",
    );
    first
        .meta
        .insert("title".into(), "Intercultural Cities – Meeting Café".into());
    first.meta.insert("image".into(), "/img/a.png".into());
    first
        .filters
        .insert("topic".into(), vec!["education".into(), "health".into()]);
    first.sort.insert("date".into(), "2024".into());
    let mut second = record("/en/b/", "en", "Cities welcome; a café with cities inside");
    second
        .meta
        .insert("title".into(), "Welcoming cities".into());
    second.meta.insert("lang".into(), "en".into());
    second
        .filters
        .insert("topic".into(), vec!["education".into()]);
    second.sort.insert("date".into(), "2019".into());
    let third = record(
        "/fr/c/",
        "fr",
        "Les Cités interculturelles réunies à Strasbourg : égalité, diversité et inclusion.",
    );
    let fourth = record(
        "/ja/d/",
        "ja",
        "インターカルチュラル・シティ・プログラムの会議報告書。欧州評議会 2024年 Tokyo",
    );
    assert_same_index(&[first, second, third, fourth]);
}

#[test]
fn the_sites_own_texts_are_indexed_as_pagefind_does() {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut records = Vec::new();
    for entry in walkdir::WalkDir::new(&content).sort_by_file_name() {
        let entry = entry.expect("walk");
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(path).expect("read");
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let language = stem.rsplit('.').next().unwrap_or("en").to_string();
        let url = format!("/{}/", path.strip_prefix(&content).unwrap().display());
        let mut r = record(&url, &language, &text);
        if let Some(title) = text.lines().find_map(|l| l.strip_prefix("title: ")) {
            r.meta
                .insert("title".into(), title.trim_matches('"').to_string());
        }
        r.meta.insert("lang".into(), language.clone());
        records.push(r);
    }
    assert!(records.len() > 50, "{}", records.len());
    assert_same_index(&records);
}

#[test]
fn client_files_made_once_for_many_languages_are_those_made_for_each() {
    let codes = |list: &[&str]| list.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    expect_languages(codes(&["fr", "en", "ja", "ar", "pt-br"]));
    for asked in [
        codes(&["fr"]),
        codes(&["ja"]),
        codes(&["en", "ja"]),
        codes(&["pt-br"]),
        codes(&["ar", "fr", "uk"]),
        codes(&["xx"]),
    ] {
        let mut shared = client_files(&asked).expect("client files");
        let mut own = made_client_files(&asked).expect("client files");
        // Pagefind lists its modules in no fixed order; a bundle's files are sorted.
        shared.files.sort();
        own.files.sort();
        let names = |files: &ClientFiles| {
            files
                .files
                .iter()
                .map(|(n, _)| n.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&shared), names(&own), "{asked:?}");
        assert!(
            shared.files == own.files,
            "{asked:?}: same names, other bytes"
        );
        assert_eq!(shared.modules, own.modules, "{asked:?}");
        assert_eq!(shared.version, own.version);
    }
}
