//! The search index, written by intercite itself in the format of Pagefind's client.
//!
//! Pagefind's client (its script and one WebAssembly module per stemmed language) runs in the
//! reader's browser and downloads only the parts of the index a query needs. Pagefind's own
//! indexer reads finished HTML pages, keeps every page's words in memory until the end and
//! copies them twice more; in a large build it took more time and memory than everything else.
//! This indexer writes the same files from the same reading of a page, page by page: each page's
//! fragment is compressed as soon as it is read, and only the postings stay in memory.
//!
//! - [`words`]: the terms a word is found by (normalization, accents, stemming, compounds,
//!   segmentation), which must be those the client applies to the query;
//! - [`html`]: a page's HTML read into its text, fields and anchors, as Pagefind reads it;
//! - [`markup`]: the tokenizer [`html`] reads plain, well-nested pages with instead of lol_html;
//! - [`page`]: a page's text (its [`page::Digest`]) read into terms, positions and weights;
//! - [`index`]: one language's postings, fragments, filters, and the files written from them;
//! - [`cbor`]: the encoding of the meta file and the chunks.
//!
//! The client's own files come from the Pagefind crate, which embeds them (see [`client_files`]).

pub mod cbor;
pub mod html;
pub mod index;
pub mod markup;
pub mod page;
pub mod words;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use serde::Serialize;

pub use index::LanguageIndex;
pub use page::Digest;

/// The bundle's entry file: each language's meta file, client module and page count.
#[derive(Serialize)]
struct Entry<'a> {
    version: &'a str,
    languages: BTreeMap<String, EntryLanguage>,
    include_characters: &'a [char],
}

#[derive(Serialize, Clone)]
struct EntryLanguage {
    hash: String,
    wasm: Option<String>,
    page_count: usize,
}

/// A whole site's index: one [`LanguageIndex`] per language, pages added in any order.
///
/// Like Pagefind, once any page of a language marks its content with `data-pagefind-body`,
/// that language's pages that do not are left out; as that is only known at the end, those
/// pages go to an index of their own, used only if no page had a body.
#[derive(Default)]
pub struct SiteIndex {
    languages: BTreeMap<String, (LanguageIndex, LanguageIndex)>,
}

impl SiteIndex {
    pub fn new() -> SiteIndex {
        SiteIndex::default()
    }

    /// Indexes a page: its URL as results link to it, and its digest.
    pub fn add(&mut self, url: &str, digest: Digest) {
        let (with_body, without_body) = self
            .languages
            .entry(digest.language.clone())
            .or_insert_with(|| {
                (
                    LanguageIndex::new(&digest.language),
                    LanguageIndex::new(&digest.language),
                )
            });
        if digest.has_body || digest.always {
            with_body.add(url, digest);
        } else {
            without_body.add(url, digest);
        }
    }

    /// The bundle's files (paths under the bundle folder): every language's index, the entry
    /// file and the client's files.
    pub fn finish(self) -> Result<Vec<(String, Vec<u8>)>, String> {
        let codes: Vec<String> = self.languages.keys().cloned().collect();
        let client = client_files(&codes)?;
        let mut files = client.files;
        let mut languages = BTreeMap::new();
        for (code, (with_body, without_body)) in self.languages {
            let chosen = if with_body.page_count() > 0 {
                with_body
            } else {
                without_body
            };
            if chosen.page_count() == 0 {
                continue;
            }
            let (language_files, meta_name, page_count) = chosen.finish(&client.version);
            files.extend(language_files);
            languages.insert(
                code.clone(),
                EntryLanguage {
                    hash: meta_name,
                    wasm: client.modules.get(&code).cloned().flatten(),
                    page_count,
                },
            );
        }
        let entry = Entry {
            version: &client.version,
            languages,
            include_characters: &words::WORD_SYMBOLS,
        };
        let entry = serde_json::to_vec(&entry).map_err(|e| e.to_string())?;
        files.push(("pagefind-entry.json".to_string(), entry));
        files.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(files)
    }
}

/// The client's files, its version, and which languages have a stemming module.
struct ClientFiles {
    files: Vec<(String, Vec<u8>)>,
    /// Pagefind's version: the client refuses an index of another.
    version: String,
    /// By language code: the module's language, `None` for a language without one.
    modules: BTreeMap<String, Option<String>>,
}

/// A page as Pagefind's `add_custom_record` takes it: its text, language and fields directly.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub url: String,
    pub language: String,
    pub content: String,
    pub meta: BTreeMap<String, String>,
    pub filters: BTreeMap<String, Vec<String>>,
    pub sort: BTreeMap<String, String>,
}

/// Indexes `records` with Pagefind itself and returns its bundle (names relative to the bundle
/// folder): where the client files come from, and the reference the tests and the benchmark
/// compare this indexer with.
pub fn pagefind_bundle(records: Vec<Record>) -> Result<Vec<(String, Vec<u8>)>, String> {
    let run = move || -> Result<Vec<(String, Vec<u8>)>, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start an async runtime ({e})"))?;
        runtime.block_on(async move {
            let mut pagefind =
                pagefind::api::PagefindIndex::new(None).map_err(|e| e.to_string())?;
            for r in records {
                pagefind
                    .add_custom_record(
                        r.url,
                        r.content,
                        r.language,
                        Some(r.meta),
                        Some(r.filters),
                        Some(r.sort),
                    )
                    .await
                    .map_err(|e| e.to_string())?;
            }
            let files = pagefind.get_files().await.map_err(|e| e.to_string())?;
            Ok(files
                .into_iter()
                .map(|f| (f.filename.to_string_lossy().replace('\\', "/"), f.contents))
                .collect())
        })
    };
    // Pagefind needs a runtime of its own, which cannot start on a thread that runs one.
    std::thread::spawn(run)
        .join()
        .map_err(|_| "Pagefind stopped unexpectedly".to_string())?
}

/// The client files of the languages of `codes`, from [`made_client_files`]'s last run when it
/// covered them, else from a new run for them, the languages of that last run and those
/// [`expect_languages`] announced.
///
/// Pagefind minifies its script each time it writes its files: that was a tenth of the CPU a
/// small site's build spent, once for each language's index. Now it is done once per process
/// for all the languages a build announces.
fn client_files(codes: &[String]) -> Result<ClientFiles, String> {
    static MADE: Mutex<Option<ClientFiles>> = Mutex::new(None);
    let mut made = MADE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let covered = made
        .as_ref()
        .is_some_and(|made| codes.iter().all(|code| made.modules.contains_key(code)));
    if !covered {
        let mut all: BTreeSet<String> = made
            .as_ref()
            .map(|made| made.modules.keys().cloned().collect())
            .unwrap_or_default();
        all.extend(codes.iter().cloned());
        all.extend(
            EXPECTED
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .iter()
                .cloned(),
        );
        *made = Some(made_client_files(&all.into_iter().collect::<Vec<_>>())?);
    }
    made.as_ref()
        .map(|made| made.for_languages(codes))
        .ok_or_else(|| "no client files".to_string())
}

/// Languages (lowercased `<html lang>` codes) whose indexes the process is about to write: the
/// first index to be finished has Pagefind's client files made for all of them at once.
static EXPECTED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// Announces the languages of the indexes a build will write (see [`client_files`]). A code
/// announced and never indexed costs its module's files being made once, nothing more.
pub fn expect_languages(codes: impl IntoIterator<Item = String>) {
    EXPECTED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .extend(codes.into_iter().map(|code| code.to_lowercase()));
}

impl ClientFiles {
    /// The files and modules of the languages of `codes` alone: the files of every other
    /// language's module are left out (Pagefind writes the generic module, `unknown`, always).
    fn for_languages(&self, codes: &[String]) -> ClientFiles {
        let wanted: BTreeSet<&str> = codes
            .iter()
            .filter_map(|code| self.modules.get(code)?.as_deref())
            .collect();
        let module_of = |name: &str| {
            name.strip_prefix("wasm.")
                .and_then(|rest| rest.strip_suffix(".pagefind"))
                .map(str::to_string)
        };
        let unwanted = |name: &str| {
            module_of(name).is_some_and(|module| module != "unknown" && !wanted.contains(&*module))
        };
        ClientFiles {
            files: self
                .files
                .iter()
                .filter(|(name, _)| !unwanted(name))
                .cloned()
                .collect(),
            version: self.version.clone(),
            modules: codes
                .iter()
                .map(|code| (code.clone(), self.modules.get(code).cloned().flatten()))
                .collect(),
        }
    }
}

/// Asks Pagefind for its client files, by indexing one word in each language: its script, its
/// worker, the generic module and each language's module, which the crate embeds. The index it
/// makes of the word is thrown away.
fn made_client_files(codes: &[String]) -> Result<ClientFiles, String> {
    let records = codes
        .iter()
        .map(|code| Record {
            url: format!("/{code}/"),
            language: code.clone(),
            content: "x".into(),
            ..Record::default()
        })
        .collect();
    let mut client = ClientFiles {
        files: Vec::new(),
        version: String::new(),
        modules: BTreeMap::new(),
    };
    for (name, contents) in pagefind_bundle(records)? {
        if name == "pagefind-entry.json" {
            let entry: serde_json::Value =
                serde_json::from_slice(&contents).map_err(|e| e.to_string())?;
            client.version = entry["version"].as_str().unwrap_or_default().to_string();
            if let Some(languages) = entry["languages"].as_object() {
                for (code, language) in languages {
                    let wasm = language["wasm"].as_str().map(str::to_string);
                    client.modules.insert(code.clone(), wasm);
                }
            }
        } else if !is_index_file(&name) {
            client.files.push((name, contents));
        }
    }
    Ok(client)
}

/// Whether a bundle file belongs to a language's index rather than to the client.
fn is_index_file(name: &str) -> bool {
    (name.starts_with("pagefind.") && name.ends_with(".pf_meta"))
        || ["fragment/", "index/", "filter/"]
            .iter()
            .any(|folder| name.starts_with(folder))
}

#[cfg(test)]
pub(crate) mod tests;
