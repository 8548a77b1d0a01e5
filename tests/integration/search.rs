//! The ICC site's search index (Pagefind, built by `intercite build`): one index per language,
//! stemming where Pagefind has a stemmer, Japanese segmented into words, only content pages in
//! it, the bundle loaded from under the base path, and the same bytes from one build to the next.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::common::{file_for_url, html_pages, snapshot, tags};

const LANGUAGES: [&str; 8] = ["fr", "en", "es", "it", "pl", "uk", "ja", "ar"];
/// Languages Pagefind has a stemmer for; Ukrainian and Japanese are indexed word by word.
const STEMMED: [&str; 6] = ["fr", "en", "es", "it", "pl", "ar"];
const BASE_URL: &str = "https://www.coe.int/interculturalcities";
const BASE_PATH: &str = "/interculturalcities";

fn build() -> (tempfile::TempDir, PathBuf) {
    crate::common::built_icc_site()
}

/// One indexed page, as Pagefind stored it in its fragment file.
struct Fragment {
    file: String,
    url: String,
    lang: String,
    content: String,
}

/// Every fragment of the bundle: gzip, then Pagefind's `pagefind_dcd` marker, then JSON.
fn fragments(out: &Path) -> Vec<Fragment> {
    let mut found = Vec::new();
    for entry in fs::read_dir(out.join("pagefind/fragment")).unwrap() {
        let path = entry.unwrap().path();
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(fs::File::open(&path).unwrap())
            .read_to_end(&mut bytes)
            .unwrap();
        let json = bytes
            .strip_prefix(b"pagefind_dcd")
            .expect("Pagefind's marker");
        let data: serde_json::Value = serde_json::from_slice(json).unwrap();
        found.push(Fragment {
            file: path.file_name().unwrap().to_string_lossy().into_owned(),
            url: data["url"].as_str().unwrap().to_string(),
            lang: data["meta"]["lang"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            content: data["content"].as_str().unwrap().to_string(),
        });
    }
    found
}

#[test]
fn the_icc_site_holds_a_search_index_per_language() {
    let (_dir, out) = build();
    let bundle = out.join("pagefind");
    for file in ["pagefind.js", "pagefind-worker.js", "wasm.unknown.pagefind"] {
        assert!(bundle.join(file).is_file(), "{file} missing");
    }
    assert!(
        !bundle.join("pagefind-ui.js").exists(),
        "Pagefind's own UI is not used and should not be shipped"
    );
    let entry: serde_json::Value =
        serde_json::from_slice(&fs::read(bundle.join("pagefind-entry.json")).unwrap()).unwrap();
    let languages = entry["languages"].as_object().unwrap();
    assert_eq!(
        languages.keys().map(String::as_str).collect::<Vec<_>>(),
        {
            let mut sorted = LANGUAGES.to_vec();
            sorted.sort();
            sorted
        },
        "one index per site language, and nothing else: {entry}"
    );
    let fragments = fragments(&out);
    let chunks: Vec<String> = fs::read_dir(bundle.join("index"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for lang in LANGUAGES {
        let index = &languages[lang];
        let hash = index["hash"].as_str().unwrap();
        assert!(
            bundle.join(format!("pagefind.{hash}.pf_meta")).is_file(),
            "{lang}: no meta index"
        );
        let prefix = format!("{lang}_");
        assert!(
            chunks.iter().any(|c| c.starts_with(&prefix)),
            "{lang}: no index chunk in {chunks:?}"
        );
        let pages = fragments.iter().filter(|f| f.file.starts_with(&prefix));
        assert!(
            pages.clone().all(|f| f.lang == lang),
            "{lang}: a page of another language is in its index"
        );
        assert_eq!(index["page_count"], pages.count(), "{lang}: {index}");
        let stemmed = STEMMED.contains(&lang);
        assert_eq!(index["wasm"].is_string(), stemmed, "{lang}: {index}");
        assert_eq!(
            bundle.join(format!("wasm.{lang}.pagefind")).is_file(),
            stemmed,
            "{lang}: stemmer module"
        );
    }
}

#[test]
fn the_search_index_holds_content_pages_only() {
    let (_dir, out) = build();
    let pages = html_pages(&out);
    let fragments = fragments(&out);
    let by_url: BTreeMap<&str, &Fragment> = fragments.iter().map(|f| (f.url.as_str(), f)).collect();
    assert_eq!(by_url.len(), fragments.len(), "a page is indexed twice");

    let bilbao = by_url["/fr/reunions/2023-bilbao/"];
    assert!(
        bilbao.content.contains("Diversitours"),
        "{}",
        bilbao.content
    );
    // The theme indexes the main content only: no menu, switcher or footer.
    assert!(!bilbao.content.contains("Aller au contenu"));
    assert!(!bilbao.content.contains("Français English"));
    for url in ["/fr/", "/en/", "/ja/", "/fr/reunions/"] {
        assert!(by_url.contains_key(url), "{url} is not indexed");
    }
    // A Unicode URL segment (`slugs:` in i18n/ja.yaml), raw or percent-encoded.
    assert!(
        by_url.contains_key("/ja/会議/") || by_url.contains_key("/ja/%E4%BC%9A%E8%AD%B0/"),
        "the Japanese meetings list is not indexed"
    );
    // "Not available" pages, the chooser, 404, lists after page 1, taxonomies: not indexed.
    for url in ["/en/meetings/2023-bilbao/", "/", "/404.html", "/fr/villes/"] {
        assert!(!by_url.contains_key(url), "{url} is indexed");
    }
    for fragment in &fragments {
        let file = file_for_url(&fragment.url, BASE_URL, BASE_PATH);
        let html = pages
            .get(&file)
            .unwrap_or_else(|| panic!("{} is indexed but was not built", fragment.url));
        assert_eq!(tags(html, "html")[0]["lang"], fragment.lang, "{file}");
        assert!(!html.contains("noindex"), "{file} is noindex but indexed");
        assert!(html.contains("data-pagefind-body"), "{file}");
    }

    // Japanese is segmented into words (Pagefind marks the boundaries with zero-width spaces),
    // so a word inside a sentence can be found.
    let japanese = by_url["/ja/"];
    assert!(
        japanese
            .content
            .contains("インターカルチュラル\u{200B}・\u{200B}シティ"),
        "{}",
        japanese.content
    );
}

#[test]
fn every_page_loads_the_search_bundle_from_the_base_path() {
    let (_dir, out) = build();
    let pages = html_pages(&out);
    let mut with_search = 0;
    for (path, html) in &pages {
        if !html.contains("data-icc-search-config") {
            continue;
        }
        with_search += 1;
        let config = search_config(html);
        assert_eq!(config["bundle"], format!("{BASE_PATH}/pagefind/"), "{path}");
        assert_eq!(config["root"], format!("{BASE_PATH}/"), "{path}");
        assert!(config["results"]["other"].is_string(), "{path}: {config}");
        let input = tags(html, "input")
            .into_iter()
            .find(|i| i.get("type").is_some_and(|t| t == "search"))
            .unwrap_or_else(|| panic!("{path}: no search input"));
        assert!(
            tags(html, "label")
                .iter()
                .any(|l| l.get("for") == input.get("id")),
            "{path}: the search input has no label"
        );
        assert!(
            tags(html, "form")
                .iter()
                .any(|f| f.get("role").is_some_and(|r| r == "search")),
            "{path}"
        );
    }
    // Every page of the theme but the chooser at / and the alias redirects.
    assert!(
        with_search >= pages.len() - 1,
        "{with_search} of {}",
        pages.len()
    );
}

/// The JSON the theme gives its search script (`<script type=application/json data-icc-search-config>`).
fn search_config(html: &str) -> serde_json::Value {
    let start = html.find("data-icc-search-config").unwrap();
    let body = &html[start..];
    let body = &body[body.find('>').unwrap() + 1..];
    let body = &body[..body.find("</script>").unwrap()];
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[test]
fn the_site_and_its_index_are_the_same_from_one_build_to_the_next() {
    let (_one, first) = build();
    let (_two, second) = build();
    let (first, second) = (snapshot(&first), snapshot(&second));
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &first {
        assert!(second[path] == *bytes, "{path} differs between two builds");
    }
}

/// The build gives Pagefind only the parts of each page it reads (`search::essentials`); the
/// bundle must hold the very bytes Pagefind makes from the whole pages of the real site, once
/// decompressed (intercite gzips at another level).
#[test]
fn the_index_is_the_one_pagefind_makes_from_whole_pages() {
    use intercite::build::{self, Options, RebuildCache, Silent};
    let options = Options {
        root: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        output_dir: None,
        base_url: None,
        drafts: false,
        write: false,
    };
    let cache = RebuildCache::default();
    let built =
        build::build_in_memory(&options, &Silent, Some(&cache), None).expect("the site builds");
    let retained = built.retained.as_ref().expect("kept for serve");
    let mut whole = Vec::new();
    for lang in LANGUAGES {
        let pages = build::search_pages(retained, lang);
        assert!(!pages.is_empty(), "{lang}");
        for path in pages.iter() {
            whole.push((path.clone(), built.plan.files[path].clone()));
        }
    }
    let expected = intercite::output::search::bundle_whole_pages(whole).unwrap();
    let actual: Vec<(String, Vec<u8>)> = built
        .plan
        .files
        .iter()
        .filter(|(path, _)| path.starts_with("pagefind/"))
        .map(|(path, bytes)| (path.clone(), bytes.clone()))
        .collect();
    let names =
        |files: &[(String, Vec<u8>)]| files.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(names(&actual), names(&expected));
    for ((path, ours), (_, pagefind)) in actual.iter().zip(&expected) {
        assert!(
            readable(ours) == readable(pagefind),
            "{path}: different bytes"
        );
    }
}

/// A bundle file as the client reads it: decompressed if gzipped.
fn readable(bytes: &[u8]) -> Vec<u8> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return bytes.to_vec();
    }
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut text)
        .expect("a gzipped bundle file");
    text
}
