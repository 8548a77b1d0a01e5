//! The search index: Pagefind run in-process on the finished pages, one index per language.
//!
//! Pagefind is a Rust crate, so the index is built inside `intercite build` from the pages in
//! memory: no Node, no second pass over the written folder, no network. It partitions the pages
//! by their `<html lang>`, stems the languages it has a stemmer for and segments Japanese and
//! Chinese words (the `extended` feature), and writes a bundle (`pagefind.js`, one WebAssembly
//! module per stemmed language, index chunks, one fragment per page) that the theme's script
//! loads from `/pagefind/` under the site's base path. The reader's browser only downloads the
//! chunks a query needs, from the same site: search works offline and with no service behind it.
//!
//! Only real content is indexed: document versions and the first page of each section (the home
//! page included), never the "not available" pages, aliases, 404, the language chooser or any
//! page added outside the template jobs. A theme narrows a page to its main content with
//! Pagefind's `data-pagefind-body` attribute; without it the whole `<body>` is indexed.

use std::collections::BTreeSet;

use pagefind::api::PagefindIndex;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::index::{urls, Site};
use crate::templates::{self, Job};

/// The bundle's folder in the output, where the theme's script imports `pagefind.js` from.
pub const BUNDLE_DIR: &str = "pagefind";

/// Files of Pagefind's bundle that only its ready-made interfaces use. The theme has its own,
/// so they would be half a megabyte of dead weight in every deployment.
const UNUSED: &[&str] = &[
    "pagefind-ui.",
    "pagefind-modular-ui.",
    "pagefind-component-ui.",
    "pagefind-highlight.",
    "playground/",
];

/// Builds the search bundle for the indexable pages among `pages` (output path → minified HTML,
/// as rendered from `jobs`). Returns its files with their paths in the output folder; a failure
/// is reported in `problems` and gives no files.
pub fn index(
    site: &Site,
    jobs: &[Job],
    pages: &[(String, Vec<u8>)],
    problems: &mut Diagnostics,
) -> Vec<(String, Vec<u8>)> {
    let wanted: BTreeSet<String> = jobs
        .iter()
        .filter(|job| is_indexed(job))
        .map(|job| urls::output_file(&templates::job_url(site, job)))
        .collect();
    let records = pages
        .iter()
        .filter(|(path, _)| wanted.contains(path))
        .map(|(path, html)| (page_url(path), String::from_utf8_lossy(html).into_owned()))
        .collect();
    match bundle(records) {
        Ok(files) => files,
        Err(problem) => {
            problems.push(problem);
            Vec::new()
        }
    }
}

/// Document versions and the first page of each section are content; every other page is a
/// list, a notice or a redirect that would only add noise to the results.
fn is_indexed(job: &Job) -> bool {
    matches!(job, Job::Version(_) | Job::Section { page: 1, .. })
}

/// The site path of an output file (`fr/a/index.html` → `/fr/a/`), without the base path: the
/// script gives Pagefind the base path, so the index does not depend on where the site lives.
fn page_url(path: &str) -> String {
    let url = format!("/{path}");
    match url.strip_suffix("index.html") {
        Some(folder) => folder.to_string(),
        None => url,
    }
}

/// Indexes `pages` (site path → HTML) and returns the bundle's files under [`BUNDLE_DIR`].
///
/// Pagefind indexes one page at a time, so each language gets its own index, on its own thread,
/// and the bundles are merged: their files are disjoint (each language has its own meta file,
/// chunks and fragments) except the shared scripts, which are the same bytes, and the entry
/// file, whose `languages` tables are joined.
fn bundle(pages: Vec<(String, String)>) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    let mut by_language: std::collections::BTreeMap<String, Vec<(String, String)>> =
        std::collections::BTreeMap::new();
    for (url, html) in pages {
        let lang = url
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string();
        by_language.entry(lang).or_default().push((url, html));
    }
    // Plain threads, not rayon: Pagefind uses rayon inside, and rayon workers blocked waiting
    // for it would leave it none to run on.
    let bundles: Vec<Result<Files, Diagnostic>> = by_language
        .into_values()
        .map(bundle_one)
        .collect::<Vec<_>>()
        .into_iter()
        .map(|started| started.and_then(join_bundle))
        .collect();
    let mut merged: std::collections::BTreeMap<String, Vec<u8>> = std::collections::BTreeMap::new();
    let mut languages = serde_json::Map::new();
    let mut entry: Option<serde_json::Value> = None;
    for files in bundles {
        for (name, contents) in files? {
            if name == format!("{BUNDLE_DIR}/pagefind-entry.json") {
                let mut value: serde_json::Value = serde_json::from_slice(&contents)
                    .map_err(|e| search_failed(format!("unreadable entry file ({e})")))?;
                if let Some(serde_json::Value::Object(table)) = value.get_mut("languages") {
                    languages.append(table);
                }
                entry.get_or_insert(value);
            } else {
                merged.entry(name).or_insert(contents);
            }
        }
    }
    if let Some(mut entry) = entry {
        let mut sorted: Vec<(String, serde_json::Value)> = languages.into_iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        entry["languages"] = serde_json::Value::Object(sorted.into_iter().collect());
        merged.insert(
            format!("{BUNDLE_DIR}/pagefind-entry.json"),
            serde_json::to_vec(&entry).map_err(|e| search_failed(e.to_string()))?,
        );
    }
    Ok(merged.into_iter().collect())
}

fn search_failed(why: String) -> Diagnostic {
    Diagnostic::error(format!("the search index could not be built: {why}"))
        .hint("this is a problem in intercite or Pagefind, not in the site; please report it with the site that shows it")
}

/// A bundle's files: path in the output → bytes.
type Files = Vec<(String, Vec<u8>)>;
type Worker = std::thread::JoinHandle<Result<Files, String>>;

/// Starts one Pagefind index over `pages` on a thread of its own.
fn bundle_one(pages: Vec<(String, String)>) -> Result<Worker, Diagnostic> {
    let failed = search_failed;
    // Pagefind reads the working directory when it starts, and would panic without one.
    std::env::current_dir().map_err(|e| failed(format!("no current folder ({e})")))?;
    // A thread of its own: Pagefind's async API needs a runtime, and a runtime cannot be started
    // on a thread that already runs one (a caller inside `serve`, a test). Joining it also turns
    // a panic inside Pagefind into an error instead of a crash.
    std::thread::Builder::new()
        .name("search-index".into())
        .spawn(move || run(pages))
        .map_err(|e| failed(format!("cannot start a thread ({e})")))
}

fn join_bundle(worker: Worker) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    match worker.join() {
        Ok(result) => result.map_err(search_failed),
        Err(_) => Err(search_failed("Pagefind stopped unexpectedly".into())),
    }
}

fn run(pages: Vec<(String, String)>) -> Result<Vec<(String, Vec<u8>)>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start an async runtime ({e})"))?;
    runtime.block_on(async move {
        let mut index = PagefindIndex::new(None).map_err(|e| e.to_string())?;
        for (url, html) in pages {
            index
                .add_html_file(None, Some(url.clone()), html)
                .await
                .map_err(|e| format!("page {url}: {e}"))?;
        }
        let files = index.get_files().await.map_err(|e| e.to_string())?;
        let mut out: Vec<(String, Vec<u8>)> = files
            .into_iter()
            .filter_map(|file| {
                let name = file
                    .filename
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                (!UNUSED.iter().any(|unused| name.starts_with(unused)))
                    .then(|| (format!("{BUNDLE_DIR}/{name}"), file.contents))
            })
            .collect();
        out.sort();
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(lang: &str, body: &str) -> String {
        format!(
            "<!doctype html><html lang={lang}><head><title>t</title></head><body><nav>menu</nav><main data-pagefind-body><h1>{body}</h1><p>{body}</p></main></body></html>"
        )
    }

    #[test]
    fn urls_drop_index_html() {
        assert_eq!(page_url("fr/meetings/a/index.html"), "/fr/meetings/a/");
        assert_eq!(page_url("index.html"), "/");
        assert_eq!(page_url("fr/feed.html"), "/fr/feed.html");
    }

    #[test]
    fn only_content_pages_are_indexed() {
        assert!(is_indexed(&Job::Version(0)));
        let section = |page| Job::Section {
            section: 0,
            lang: "fr".into(),
            page,
        };
        assert!(is_indexed(&section(1)));
        assert!(!is_indexed(&section(2)));
        assert!(!is_indexed(&Job::NotFound));
        assert!(!is_indexed(&Job::Root));
        assert!(!is_indexed(&Job::NotAvailable {
            doc: 0,
            lang: "en".into()
        }));
        assert!(!is_indexed(&Job::Alias {
            version: 0,
            alias: "/old/".into()
        }));
    }

    #[test]
    fn one_index_per_language_and_no_unused_files() {
        let files = bundle(vec![
            ("/fr/a/".into(), page("fr", "Cités interculturelles")),
            ("/en/a/".into(), page("en", "Intercultural cities")),
            ("/ja/a/".into(), page("ja", "インターカルチュラル・シティ")),
        ])
        .unwrap();
        let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
        assert!(names.contains(&"pagefind/pagefind.js"), "{names:?}");
        assert!(names.contains(&"pagefind/wasm.fr.pagefind"), "{names:?}");
        assert!(!names.iter().any(|n| n.contains("-ui.")), "{names:?}");
        let entry = &files
            .iter()
            .find(|(name, _)| name == "pagefind/pagefind-entry.json")
            .unwrap()
            .1;
        let entry: serde_json::Value = serde_json::from_slice(entry).unwrap();
        for lang in ["fr", "en", "ja"] {
            assert_eq!(entry["languages"][lang]["page_count"], 1, "{entry}");
            let prefix = format!("pagefind/fragment/{lang}_");
            assert!(names.iter().any(|n| n.starts_with(&prefix)), "{names:?}");
        }
    }

    #[test]
    fn the_same_pages_give_the_same_bundle() {
        let pages = || {
            vec![
                ("/fr/a/".to_string(), page("fr", "Bilbao accueille")),
                ("/fr/b/".to_string(), page("fr", "Diversitours à Bilbao")),
            ]
        };
        assert_eq!(bundle(pages()).unwrap(), bundle(pages()).unwrap());
    }
}
