//! The search index of the finished pages, one index per language, in Pagefind's format.
//!
//! The index is built inside `intercite build` from the pages in memory, by `crate::search`
//! (intercite's own writer of Pagefind's format; Pagefind's client, its script and WebAssembly
//! modules, comes from the Pagefind crate): no Node, no second pass over the written folder, no
//! network. Pages are partitioned by their `<html lang>`, words stemmed in the languages Pagefind
//! has a stemmer for and Japanese and Chinese text segmented, and the bundle (`pagefind.js`, one
//! WebAssembly module per stemmed language, index chunks, one fragment per page) is loaded by the
//! theme's script from `/pagefind/` under the site's base path. The tests check that it is the
//! very bytes Pagefind itself makes from the whole pages ([`bundle_whole_pages`]). The reader's
//! browser only downloads the chunks a query needs, from the same site: search works offline and with no service behind it.
//!
//! Only real content is indexed: document versions and the first page of each section (the home
//! page included), never the "not available" pages, aliases, 404, the language chooser or any
//! page added outside the template jobs. A theme narrows a page to its main content with
//! Pagefind's `data-pagefind-body` attribute; without it the whole `<body>` is indexed.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};

use pagefind::api::PagefindIndex;

use crate::diagnostics::Diagnostic;
use crate::templates::Job;

/// The bundle's folder in the output, where the theme's script imports `pagefind.js` from.
pub const BUNDLE_DIR: &str = "pagefind";

/// The bundle's entry file, which lists each language's index.
pub const ENTRY_FILE: &str = "pagefind/pagefind-entry.json";

/// Files of Pagefind's bundle that only its ready-made interfaces use. The theme has its own,
/// so they would be half a megabyte of dead weight in every deployment.
const UNUSED: &[&str] = &[
    "pagefind-ui.",
    "pagefind-modular-ui.",
    "pagefind-component-ui.",
    "pagefind-highlight.",
    "playground/",
];

/// The search index being built while pages are rendered: one index per language, fed
/// the indexable pages in job order (so the bundle is the same bytes on every run), cut down to
/// what Pagefind reads (see [`essentials`]).
///
/// An index holds its language's postings in memory until its bundle is made, so the indexed
/// pages come language by language (see [`order_for_indexing`]): a language's index is closed,
/// and its bundle made on its own thread, as soon as an indexed page of another language follows
/// its pages, and at most [`BUNDLES_IN_PROGRESS`] closed indexes may still be making their
/// bundle while the next language is fed.
///
/// A language is indexed on one thread, so the pages that are not indexed are spread evenly
/// among the indexed ones across the whole build: the cores render them while the index catches
/// up, instead of waiting for it.
pub struct Indexer {
    /// The language being fed and its index.
    current: Option<(String, Feed, Worker)>,
    /// Closed indexes still making their bundle, oldest first.
    closing: std::collections::VecDeque<Worker>,
    /// Bundles made.
    done: Vec<Result<Files, Diagnostic>>,
    /// Languages whose index is closed.
    closed: std::collections::BTreeSet<String>,
    failure: Option<Diagnostic>,
    /// Set by [`Indexer::cancel`]: the workers stop at their next page.
    cancelled: Arc<AtomicBool>,
    /// Made by [`Indexer::in_background`].
    background: bool,
}

/// Sends pages (URL, HTML) to an index's thread.
type Feed = mpsc::SyncSender<(String, String)>;

/// Closed indexes that may still be making their bundle while the next one is fed
/// (see [`Indexer`]).
const BUNDLES_IN_PROGRESS: usize = 1;

impl Default for Indexer {
    fn default() -> Self {
        Self::new()
    }
}

impl Indexer {
    pub fn new() -> Indexer {
        Indexer {
            current: None,
            closing: std::collections::VecDeque::new(),
            done: Vec::new(),
            closed: std::collections::BTreeSet::new(),
            failure: None,
            cancelled: Arc::new(AtomicBool::new(false)),
            background: false,
        }
    }

    /// An indexer for work that must not slow down anything else (`serve`'s refreshes, on a
    /// thread of the lowest priority): each index runs on a pool of its own, one thread started
    /// by its worker and so of the same priority, so that its parallel loops stay off rayon's
    /// global pool, which the rebuilds use.
    pub fn in_background() -> Indexer {
        Indexer {
            background: true,
            ..Indexer::new()
        }
    }

    /// Offers a rendered page (the job it came from, output path, minified HTML); only content
    /// pages are indexed, and those of one language must come together (see [`Indexer`]).
    pub fn offer(&mut self, job: &Job, path: &str, html: &[u8]) {
        if is_indexed(job) {
            self.index(path, html);
        }
    }

    /// Indexes a page known to be content (output path, minified HTML).
    pub fn index(&mut self, path: &str, html: &[u8]) {
        if self.failure.is_some() {
            return;
        }
        let url = page_url(path);
        let lang = url
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("")
            .to_string();
        if self
            .current
            .as_ref()
            .is_none_or(|(current, _, _)| *current != lang)
        {
            self.close_current();
            if self.closed.contains(&lang) {
                self.failure = Some(search_failed(format!(
                    "the pages of `{lang}` did not come together"
                )));
                return;
            }
            while self.closing.len() > BUNDLES_IN_PROGRESS {
                if let Some(oldest) = self.closing.pop_front() {
                    self.done.push(join_bundle(oldest));
                }
            }
            // Enough slack for rendering to run ahead on both cores while the index, one thread
            // per language, catches up; a slow index still never makes the site pile up in memory.
            let (sender, receiver) = mpsc::sync_channel(512);
            let writer = Writer::Own {
                background: self.background,
            };
            match bundle_one(receiver, Arc::clone(&self.cancelled), writer) {
                Ok(worker) => self.current = Some((lang, sender, worker)),
                Err(problem) => {
                    self.failure = Some(problem);
                    return;
                }
            }
        }
        // Rendered pages are valid UTF-8, so the lossy copy is only a fallback; `simdutf8`
        // checks them several times faster than `str::from_utf8` on text outside ASCII.
        let html = match simdutf8::basic::from_utf8(html) {
            Ok(html) => std::borrow::Cow::Borrowed(html),
            Err(_) => String::from_utf8_lossy(html),
        };
        let page = essentials(&html).unwrap_or_else(|| html.into_owned());
        if let Some((_, sender, _)) = &self.current {
            // A send fails only when the worker stopped; its error is collected by `finish`.
            let _ = sender.send((url, page));
        }
    }

    fn close_current(&mut self) {
        if let Some((lang, sender, worker)) = self.current.take() {
            drop(sender);
            self.closing.push_back(worker);
            self.closed.insert(lang);
        }
    }

    /// Stops every index without waiting for it: their work is thrown away.
    pub fn cancel(self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// The files of the bundles made so far that belong to their language alone (its
    /// fragments, index chunks, filters and metadata, named after the language and their
    /// content), taken out so that they can be written while the last indexes finish.
    /// [`Indexer::finish`] returns the rest, the files every bundle shares merged.
    pub fn take_language_files(&mut self) -> Vec<(String, Vec<u8>)> {
        let mut taken = Vec::new();
        for files in self
            .done
            .iter_mut()
            .filter_map(|bundle| bundle.as_mut().ok())
        {
            let (own, shared) = std::mem::take(files)
                .into_iter()
                .partition(|(path, _)| is_language_file(path));
            *files = shared;
            taken.extend::<Vec<_>>(own);
        }
        taken
    }

    /// Waits for every index and returns the merged bundle's files, with their paths in the
    /// output folder.
    pub fn finish(mut self) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
        self.close_current();
        let mut bundles = std::mem::take(&mut self.done);
        bundles.extend(self.closing.drain(..).map(join_bundle));
        if let Some(failure) = self.failure {
            return Err(failure);
        }
        merge(bundles)
    }
}

/// How to bring a bundle up to date when one language's index was made again (by `serve`, after
/// an edit): the files to add or replace, and which files of the current bundle belong to the
/// old index of that language and must go.
pub struct LanguageRefresh {
    pub files: Vec<(String, Vec<u8>)>,
    /// Pagefind's names of the refreshed languages (`fr`, `pt-br`).
    languages: Vec<String>,
}

impl LanguageRefresh {
    /// `language_bundle` is the new index's bundle, `current_entry` the bundle's entry file as
    /// served now.
    pub fn new(
        language_bundle: Vec<(String, Vec<u8>)>,
        current_entry: &[u8],
    ) -> Result<LanguageRefresh, Diagnostic> {
        let parse = |bytes: &[u8]| -> Result<serde_json::Value, Diagnostic> {
            serde_json::from_slice(bytes)
                .map_err(|e| search_failed(format!("unreadable entry file ({e})")))
        };
        let mut entry = parse(current_entry)?;
        let mut languages = Vec::new();
        let mut files = Vec::new();
        for (name, contents) in language_bundle {
            if name != ENTRY_FILE {
                files.push((name, contents));
                continue;
            }
            let fresh = parse(&contents)?;
            let fresh = fresh.get("languages").and_then(|l| l.as_object());
            if let (Some(serde_json::Value::Object(table)), Some(fresh)) =
                (entry.get_mut("languages"), fresh)
            {
                for (language, value) in fresh {
                    table.insert(language.clone(), value.clone());
                    languages.push(language.clone());
                }
                let mut sorted: Vec<(String, serde_json::Value)> =
                    std::mem::take(table).into_iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                table.extend(sorted);
            }
        }
        let entry = serde_json::to_vec(&entry).map_err(|e| search_failed(e.to_string()))?;
        files.push((ENTRY_FILE.to_string(), entry));
        Ok(LanguageRefresh { files, languages })
    }

    /// Whether `path` is a file of a refreshed language's previous index (its meta file,
    /// fragments, word and filter chunks), to be removed unless [`LanguageRefresh::files`] has it.
    pub fn replaces(&self, path: &str) -> bool {
        let Some(name) = path
            .strip_prefix(BUNDLE_DIR)
            .and_then(|p| p.strip_prefix('/'))
        else {
            return false;
        };
        let name = name
            .strip_prefix("pagefind.")
            .or_else(|| name.strip_prefix("fragment/"))
            .or_else(|| name.strip_prefix("index/"))
            .or_else(|| name.strip_prefix("filter/"));
        name.is_some_and(|name| {
            self.languages.iter().any(|language| {
                name.strip_prefix(language.as_str())
                    .is_some_and(|rest| rest.starts_with('_'))
            })
        })
    }
}

/// Orders `jobs` for the [`Indexer`]: the indexed pages language by language, as the indexer
/// needs, and the other pages spread evenly among them (see [`Indexer`] for why), themselves
/// language by language, pages without a language last. The order of the jobs is otherwise
/// kept. `lang_of` gives a job's language (`None`: no language).
pub fn order_for_indexing(jobs: &mut [Job], mut lang_of: impl FnMut(&Job) -> Option<usize>) {
    let mut keyed: Vec<(usize, Job)> = jobs
        .iter()
        .map(|job| (lang_of(job).unwrap_or(usize::MAX), job.clone()))
        .collect();
    keyed.sort_by_key(|(lang, _)| *lang);
    let (indexed, others): (Vec<Job>, Vec<Job>) =
        keyed.into_iter().map(|(_, job)| job).partition(is_indexed);
    let (mut indexed, mut others) = (indexed.into_iter(), others.into_iter());
    let (indexed_count, others_count) = (indexed.len(), others.len());
    let (mut taken_indexed, mut taken_others) = (0, 0);
    for slot in jobs.iter_mut() {
        // An indexed page comes next while the indexed pages taken so far are behind their
        // share: taken_indexed / indexed_count <= taken_others / others_count.
        let indexed_next = taken_indexed < indexed_count
            && (taken_others == others_count
                || taken_indexed * others_count <= taken_others * indexed_count);
        let next = if indexed_next {
            taken_indexed += 1;
            indexed.next()
        } else {
            taken_others += 1;
            others.next()
        };
        if let Some(job) = next {
            *slot = job;
        }
    }
}

/// What Pagefind reads of a page: the `<html>` tag (for the language), the `<title>`, and the
/// elements marked `data-pagefind-body`. Pagefind would otherwise parse the whole page (the
/// head's metadata, the menus, the footer) to throw most of it away; the index it builds from
/// the essentials is the same bytes. `None` when the page cannot be cut down safely: no marked
/// element, a Pagefind attribute outside the marked elements, or markup whose nesting a plain
/// scan could misread (scripts, styles, comments, templates) inside them. The caller then
/// indexes the whole page.
pub fn essentials(html: &str) -> Option<String> {
    let root_start = html.find("<html")?;
    let root_end = root_start + html[root_start..].find('>')? + 1;
    let mut out = String::with_capacity(html.len() / 2);
    out.push_str(&html[root_start..root_end]);
    out.push_str("<head>");
    if let Some(title_start) = html.find("<title>") {
        let title_end = title_start + html[title_start..].find("</title>")? + "</title>".len();
        out.push_str(&html[title_start..title_end]);
    }
    out.push_str("</head><body>");
    let mut from = 0;
    let mut kept_attributes = 0;
    // memmem rather than `str::find`, which sets up a searcher per call: this runs over
    // every indexed page.
    let find =
        |haystack: &str, needle: &str| memchr::memmem::find(haystack.as_bytes(), needle.as_bytes());
    let count = |haystack: &str, needle: &str| {
        memchr::memmem::find_iter(haystack.as_bytes(), needle.as_bytes()).count()
    };
    while let Some(found) = find(&html[from..], "data-pagefind-body") {
        let attribute = from + found;
        let open = memchr::memrchr(b'<', &html.as_bytes()[..attribute])?;
        let name_end = open
            + 1
            + html.as_bytes()[open + 1..]
                .iter()
                .position(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/')?;
        let name = &html[open + 1..name_end];
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let end = matching_close(html, name_end, name)?;
        let element = &html[open..end];
        if [
            "<script",
            "<style",
            "<!--",
            "<template",
            "<textarea",
            "<title",
        ]
        .iter()
        .any(|raw| find(element, raw).is_some())
        {
            return None;
        }
        kept_attributes += count(element, "data-pagefind-");
        out.push_str(element);
        from = end;
    }
    if kept_attributes == 0 || kept_attributes != count(html, "data-pagefind-") {
        return None;
    }
    out.push_str("</body></html>");
    Some(out)
}

/// The end (after `>`) of the element named `name` whose start tag's name ends at `from`,
/// counting nested elements of the same name.
///
/// Only the start and end tags of that name are looked for (memmem), not every `<` of the
/// element: the marked element is most of an indexed page.
fn matching_close(html: &str, from: usize, name: &str) -> Option<usize> {
    let open = format!("<{name}");
    let close = format!("</{name}");
    let opens = memchr::memmem::Finder::new(open.as_bytes());
    let closes = memchr::memmem::Finder::new(close.as_bytes());
    let bytes = html.as_bytes();
    let ends_name = |at: usize| {
        bytes
            .get(at)
            .is_some_and(|&b| b == b'>' || b == b'/' || b.is_ascii_whitespace())
    };
    let find_from = |finder: &memchr::memmem::Finder, at: usize| {
        finder.find(&bytes[at.min(bytes.len())..]).map(|i| i + at)
    };
    let mut depth = 1usize;
    let mut at = from;
    let mut next_open = find_from(&opens, at);
    loop {
        let next_close = find_from(&closes, at)?;
        while let Some(start) = next_open.filter(|&start| start < next_close) {
            if ends_name(start + open.len()) {
                depth += 1;
            }
            next_open = find_from(&opens, start + 1);
        }
        if ends_name(next_close + close.len()) {
            depth -= 1;
            let end = next_close + memchr::memchr(b'>', &bytes[next_close..])? + 1;
            if depth == 0 {
                return Some(end);
            }
            at = end;
            if next_open.is_some_and(|start| start < end) {
                next_open = find_from(&opens, end);
            }
        } else {
            at = next_close + 1;
        }
    }
}

/// Document versions and the first page of each section are content; every other page is a
/// list, a notice or a redirect that would only add noise to the results.
pub fn is_indexed(job: &Job) -> bool {
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

/// Indexes whole pages (output path → HTML) with Pagefind itself, without cutting them down to
/// their [`essentials`], and returns the bundle's files: what a build's bundle, written by
/// `crate::search`, must equal byte for byte, checked by the tests on the real site.
pub fn bundle_whole_pages(
    pages: Vec<(String, Vec<u8>)>,
) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    bundle(
        Writer::Pagefind,
        pages
            .into_iter()
            .map(|(path, html)| (page_url(&path), String::from_utf8_lossy(&html).into_owned()))
            .collect(),
    )
}

/// Indexes `pages` (site path → HTML) with `writer` and returns the bundle's files under
/// [`BUNDLE_DIR`].
fn bundle(
    writer: Writer,
    pages: Vec<(String, String)>,
) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    let mut by_language: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (url, html) in pages {
        let lang = url
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default();
        by_language
            .entry(lang.to_string())
            .or_default()
            .push((url, html));
    }
    let mut workers = Vec::new();
    for pages in by_language.into_values() {
        let (sender, receiver) = mpsc::sync_channel(pages.len());
        for page in pages {
            sender
                .send(page)
                .map_err(|e| search_failed(e.to_string()))?;
        }
        drop(sender);
        workers.push(bundle_one(
            receiver,
            Arc::new(AtomicBool::new(false)),
            writer,
        )?);
    }
    merge(workers.into_iter().map(join_bundle).collect())
}

/// Merges the languages' bundles. Their files are disjoint (each language has its own meta file,
/// chunks and fragments) except the shared scripts, which are the same bytes, and the entry file,
/// whose `languages` tables are joined.
fn merge(bundles: Vec<Result<Files, Diagnostic>>) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    let mut merged: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut languages = serde_json::Map::new();
    let mut entry: Option<serde_json::Value> = None;
    for files in bundles {
        for (name, contents) in files? {
            if name == ENTRY_FILE {
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
            ENTRY_FILE.to_string(),
            serde_json::to_vec(&entry).map_err(|e| search_failed(e.to_string()))?,
        );
    }
    Ok(merged.into_iter().collect())
}

/// Whether a bundle's file belongs to one language's index alone: its name differs from every
/// other language's (Pagefind names them after the language and a hash of their content), so
/// it needs no merging with the other bundles.
fn is_language_file(path: &str) -> bool {
    let Some(name) = path
        .strip_prefix(BUNDLE_DIR)
        .and_then(|name| name.strip_prefix('/'))
    else {
        return false;
    };
    ["fragment/", "index/", "filter/"]
        .iter()
        .any(|folder| name.starts_with(folder))
        || (name.starts_with("pagefind.") && name.ends_with(".pf_meta"))
}

fn search_failed(why: String) -> Diagnostic {
    Diagnostic::error(format!("the search index could not be built: {why}"))
        .hint("this is a problem in intercite or Pagefind, not in the site; please report it with the site that shows it")
}

/// A bundle's files: path in the output → bytes.
type Files = Vec<(String, Vec<u8>)>;
type Worker = std::thread::JoinHandle<Result<Files, String>>;

/// How a worker indexes the pages it receives.
#[derive(Clone, Copy)]
enum Writer {
    /// intercite's own indexer (`crate::search`), which builds use; `background`: see
    /// [`Indexer::in_background`].
    Own { background: bool },
    /// Pagefind's, the reference the tests compare the other with.
    Pagefind,
}

/// Starts one index on a thread of its own, indexing the pages `pages` receives until its
/// sender is dropped.
fn bundle_one(
    pages: mpsc::Receiver<(String, String)>,
    cancelled: Arc<AtomicBool>,
    writer: Writer,
) -> Result<Worker, Diagnostic> {
    let failed = search_failed;
    // Pagefind reads the working directory when it starts, and would panic without one.
    std::env::current_dir().map_err(|e| failed(format!("no current folder ({e})")))?;
    // A thread of its own: Pagefind's async API needs a runtime, and a runtime cannot be started
    // on a thread that already runs one (a caller inside `serve`, a test). Joining it also turns
    // a panic into an error instead of a crash.
    std::thread::Builder::new()
        .name("search-index".into())
        .spawn(move || {
            let files = match writer {
                Writer::Own { background: false } => run_own(pages, cancelled),
                // On a pool of one thread, started here and so of this thread's priority, so
                // that the index's chunks are encoded there rather than on rayon's global pool.
                Writer::Own { background: true } => {
                    match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
                        Ok(pool) => pool.install(move || run_own(pages, cancelled)),
                        Err(_) => run_own(pages, cancelled),
                    }
                }
                Writer::Pagefind => run_pagefind(pages, cancelled),
            }?;
            let mut out: Vec<(String, Vec<u8>)> = files
                .into_iter()
                .filter(|(name, _)| !UNUSED.iter().any(|unused| name.starts_with(unused)))
                .map(|(name, contents)| (format!("{BUNDLE_DIR}/{name}"), contents))
                .collect();
            out.sort();
            Ok(out)
        })
        .map_err(|e| failed(format!("cannot start a thread ({e})")))
}

fn join_bundle(worker: Worker) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    match worker.join() {
        Ok(result) => result.map_err(search_failed),
        Err(_) => Err(search_failed(
            "the search indexer stopped unexpectedly".into(),
        )),
    }
}

/// Indexes pages with `crate::search`: each page is read (lol_html, as Pagefind reads it) and
/// folded into its language's postings at once.
///
/// A page whose `<html>` has no `lang` (a theme that leaves it out) goes to the index of the
/// language its URL starts with. Pagefind would put it in the language with the most pages,
/// which is wrong for every other language; intercite knows better.
fn run_own(
    pages: mpsc::Receiver<(String, String)>,
    cancelled: Arc<AtomicBool>,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut index = crate::search::SiteIndex::new();
    while let Ok((url, html)) = pages.recv() {
        if cancelled.load(Ordering::Relaxed) {
            return Err("cancelled".to_string());
        }
        if let Some(mut digest) = crate::search::html::read(&html) {
            if digest.language == "unknown" {
                let site_language = url.trim_start_matches('/').split('/').next();
                if let Some(code) = site_language.filter(|code| !code.is_empty()) {
                    digest.language = code.to_lowercase();
                }
            }
            index.add(&url, digest);
        }
    }
    index.finish()
}

/// Indexes pages with Pagefind (names relative to the bundle folder).
fn run_pagefind(
    pages: mpsc::Receiver<(String, String)>,
    cancelled: Arc<AtomicBool>,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start an async runtime ({e})"))?;
    runtime.block_on(async move {
        let mut index = PagefindIndex::new(None).map_err(|e| e.to_string())?;
        while let Ok((url, html)) = pages.recv() {
            if cancelled.load(Ordering::Relaxed) {
                return Err("cancelled".to_string());
            }
            index
                .add_html_file(None, Some(url.clone()), html)
                .await
                .map_err(|e| format!("page {url}: {e}"))?;
        }
        let files = index.get_files().await.map_err(|e| e.to_string())?;
        Ok(files
            .into_iter()
            .map(|file| {
                let name = file
                    .filename
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                (name, file.contents)
            })
            .collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::tests::decompressed;

    /// The indexer builds use.
    const OWN: Writer = Writer::Own { background: false };

    fn page(lang: &str, body: &str) -> String {
        format!(
            "<!doctype html><html lang={lang}><head><title>t</title></head><body><nav>menu</nav><main data-pagefind-body><h1>{body}</h1><p>{body}</p></main></body></html>"
        )
    }

    /// The bundle's entry file, parsed.
    fn entry_of(files: &[(String, Vec<u8>)]) -> serde_json::Value {
        let (_, entry) = files
            .iter()
            .find(|(name, _)| name == "pagefind/pagefind-entry.json")
            .expect("an entry file");
        serde_json::from_slice(entry).unwrap()
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
        let files = bundle(
            OWN,
            vec![
                ("/fr/a/".into(), page("fr", "Cités interculturelles")),
                ("/en/a/".into(), page("en", "Intercultural cities")),
                ("/ja/a/".into(), page("ja", "インターカルチュラル・シティ")),
            ],
        )
        .unwrap();
        let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
        assert!(names.contains(&"pagefind/pagefind.js"), "{names:?}");
        assert!(names.contains(&"pagefind/wasm.fr.pagefind"), "{names:?}");
        assert!(!names.iter().any(|n| n.contains("-ui.")), "{names:?}");
        let entry = entry_of(&files);
        for lang in ["fr", "en", "ja"] {
            assert_eq!(entry["languages"][lang]["page_count"], 1, "{entry}");
            let prefix = format!("pagefind/fragment/{lang}_");
            assert!(names.iter().any(|n| n.starts_with(&prefix)), "{names:?}");
        }
    }

    /// A page shaped like the ICC theme's: metadata in the head, menus and a footer around an
    /// article marked for Pagefind, with nested elements of the same name, parts it ignores,
    /// heading anchors and a second marked element.
    fn themed_page(lang: &str, words: &str) -> String {
        format!(
            "<!doctype html><html dir=ltr lang={lang}><head><meta charset=utf-8><title>{words} – Site</title>\
             <meta content=\"about {words}\" name=description><script src=/js/x.js></script></head>\
             <body><header><nav><ul><li><a href=/{lang}/>Home</a></ul></nav></header><main>\
             <div class=page-head data-pagefind-body data-pagefind-meta=\"lang:{lang}\"><h1>{words}</h1></div>\
             <article class=doc data-pagefind-body><div class=meta><div><dt data-pagefind-ignore>Date</dt><dd>2016</dd></div></div>\
             <div class=prose><h2 id=agenda>Agenda of {words}</h2><p>{words} and <em>more</em> {words}.</p>\
             <div><div><p>Deep {words}</p></div></div><pre><code>&lt;div&gt; code</code></pre></div>\
             <aside data-pagefind-ignore><p>Cite this</p></aside></article>\
             <aside class=side><p>Not indexed {words}</p></aside></main>\
             <footer><p>Council of Europe</p><script type=application/json>{{\"a\":\"<div>\"}}</script></footer></body></html>"
        )
    }

    #[test]
    fn language_files_are_told_from_the_shared_ones() {
        for own in [
            "pagefind/fragment/fr_3c1a2b9.pf_fragment",
            "pagefind/index/en_15c0498.pf_index",
            "pagefind/filter/uk_0a1b2c3.pf_filter",
            "pagefind/pagefind.ar_967efa59b4.pf_meta",
        ] {
            assert!(is_language_file(own), "{own}");
        }
        for shared in [
            "pagefind/pagefind.js",
            "pagefind/pagefind-worker.js",
            "pagefind/pagefind-entry.json",
            "pagefind/wasm.fr.pagefind",
            "pagefind/wasm.unknown.pagefind",
            "fragment/fr_3c1a2b9.pf_fragment",
            "pagefindx/index/en_1.pf_index",
        ] {
            assert!(!is_language_file(shared), "{shared}");
        }
    }

    #[test]
    fn files_taken_early_and_the_rest_make_the_whole_bundle() {
        let bundle = |take_early: bool| {
            let mut indexer = Indexer::new();
            for (lang, word) in [("fr", "villes"), ("en", "cities"), ("es", "ciudades")] {
                let path = format!("{lang}/a/index.html");
                indexer.index(&path, page(lang, word).as_bytes());
            }
            let early = match take_early {
                true => indexer.take_language_files(),
                false => Vec::new(),
            };
            (early, indexer.finish().unwrap())
        };
        let (_, whole) = bundle(false);
        let (early, rest) = bundle(true);
        // The first language's index is done when the third starts (one may still be making
        // its bundle meanwhile): its own files, and only those, can be taken.
        assert!(!early.is_empty());
        for (path, _) in &early {
            assert!(is_language_file(path), "{path}");
            assert!(path.contains("/fr_") || path.contains(".fr_"), "{path}");
        }
        let mut together: Vec<(String, Vec<u8>)> = early.into_iter().chain(rest).collect();
        together.sort();
        assert_eq!(together, whole);
    }

    #[test]
    fn a_page_without_a_language_is_indexed_under_its_urls() {
        let page = |lang: &str, words: &str| {
            format!("<!DOCTYPE html><html{lang}><head><title>t</title></head><body><main data-pagefind-body><p>{words}</p></main></body></html>")
        };
        let mut indexer = Indexer::new();
        indexer.index(
            "fr/a/index.html",
            page(" lang=\"fr\"", "bonjour").as_bytes(),
        );
        indexer.index("fr/b/index.html", page("", "villes").as_bytes());
        indexer.index("en/c/index.html", page("", "cities").as_bytes());
        let files = indexer.finish().unwrap();
        let entry = entry_of(&files);
        let languages = entry["languages"].as_object().unwrap();
        assert_eq!(languages.keys().collect::<Vec<_>>(), ["en", "fr"]);
        assert_eq!(languages["fr"]["page_count"], 2);
        assert_eq!(languages["en"]["page_count"], 1);
    }

    /// Pages chosen for the corners of Pagefind's reading: implied and stray end tags, elements
    /// left open, several bodies, ignored and excluded parts, weights, indexed attributes,
    /// fields taken from attributes, an image after the title, line breaks, entities, scripts.
    fn awkward_pages() -> Vec<(String, String)> {
        let page = |lang: &str, body: &str| {
            format!("<!DOCTYPE html><html lang=\"{lang}\"><head><title>Page &amp; co</title><script>var x = '<p>';</script></head><body>{body}</body></html>")
        };
        vec![
            ("/fr/a/".into(), page("fr", "<main data-pagefind-body><h1 id=\"t\">Titre <em>fort</em></h1><p>Un<br>deux<p>trois</p><ul><li>un<li>deux</ul><div>stray</span> end</div><img src=\"/i.png\" alt=\"Une image\"></main><nav>menu</nav>")),
            ("/fr/b/".into(), page("fr", "<div data-pagefind-body data-pagefind-meta=\"lang:fr, image[data-img]\" data-img=\"/b.png\"><h2 id=\" a b \" data-pagefind-title=\"Section A\">Deux <a href=\"#\">liens</a></h2><p data-pagefind-ignore=\"all\" data-pagefind-filter=\"cache\">caché</p><p data-pagefind-ignore data-pagefind-filter=\"sujet:éducation\">ignoré</p><span data-pagefind-weight=\"3\">lourd</span> <abbr title=\"Conseil de l'Europe\" data-pagefind-index-attrs=\"title\">CdE</abbr></div><p>hors corps</p><section data-pagefind-body data-pagefind-sort=\"date:2024\">Second corps <h3 id=\"c\">Trois</h3> avec « guillemets » et l'apostrophe</section>")),
            ("/fr/c/".into(), page("fr", "<p>Pas de corps ici</p>")),
            ("/en/a/".into(), page("en", "<article data-pagefind-body><h1>Open <b>bold <i>both</article><footer>foot</footer><svg><text>vector</text></svg>")),
            ("/en/b/".into(), page("en", "<div data-pagefind-body data-pagefind-default-meta=\"title:Default\" data-pagefind-filter=\"topic\">education</div><form><label>Search</label><input value=\"q\"></form><table><tr><td>cell one<td>cell two</table><pre>code  block\n  kept</pre><p>a &lt;tag&gt; &#233;t&eacute; &nbsp; x</p>")),
            ("/en/c/".into(), page("en", "<img src=\"/early.png\"><DIV data-pagefind-body data-pagefind-meta=\"url:https://example.org/a:b\"><h1>  </h1><H2 ID=\"Up\">Upper Case</H2><!-- a comment --><template><p>template</p></template><div data-pagefind-body>nested body</div><p data-pagefind-ignore=\"bogus\">bogus</p><p data-pagefind-filter=\"kind\">report</p><h1>Late title</h1><img src=\"/late.png\"></DIV>")),
            ("/ar/a/".into(), page("ar", "<main data-pagefind-body><h1>المدن بين الثقافات</h1><p>تقارير الاجتماعات والمنشورات</p></main>")),
            ("/ja/a/".into(), page("ja", "<main data-pagefind-body><h1>会議報告書</h1><p>欧州評議会のインターカルチュラル・シティ・プログラム。</p></main>")),
        ]
    }

    #[test]
    fn awkward_pages_are_indexed_exactly_as_pagefind_indexes_them() {
        let own = bundle(OWN, awkward_pages()).unwrap();
        let pagefind = bundle(Writer::Pagefind, awkward_pages()).unwrap();
        let names =
            |files: &[(String, Vec<u8>)]| files.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&own), names(&pagefind));
        for ((name, a), (_, b)) in own.iter().zip(&pagefind) {
            assert!(
                decompressed(name, a) == decompressed(name, b),
                "{name} differs"
            );
        }
        // The pages are read, not skipped; only `/fr/c/`, without a body where the other French
        // pages have one, is left out, as Pagefind leaves it out.
        let entry = entry_of(&own);
        assert_eq!(entry["languages"]["fr"]["page_count"], 2);
        assert_eq!(entry["languages"]["en"]["page_count"], 3);
        assert_eq!(entry["languages"]["ar"]["page_count"], 1);
        assert_eq!(entry["languages"]["ja"]["page_count"], 1);
    }

    /// Random pages from a small grammar of the markup Pagefind reads: its attributes, block and
    /// inline elements, end tags left out or stray, text in three languages with accents,
    /// entities and punctuation. A fixed seed, so a failure is the same on every run.
    fn random_pages(seed: u64, count: usize) -> Vec<(String, String)> {
        let mut random = crate::test_random::Xorshift(seed);
        let mut next = move |below: usize| random.below(below);
        const TAGS: &[&str] = &[
            "p", "div", "h1", "h2", "h3", "span", "em", "b", "i", "a", "ul", "li", "section",
            "article", "main", "nav", "footer", "td", "template", "pre", "label", "abbr",
        ];
        const ATTRIBUTES: &[&str] = &[
            " data-pagefind-body",
            " data-pagefind-ignore",
            " data-pagefind-ignore=\"all\"",
            " data-pagefind-ignore=\"bogus\"",
            " data-pagefind-weight=\"2\"",
            " data-pagefind-weight=\"0\"",
            " data-pagefind-meta=\"title\"",
            " data-pagefind-meta=\"topic:culture, image[data-img]\" data-img=\"/x.png\"",
            " data-pagefind-default-meta=\"title:Default\"",
            " data-pagefind-filter=\"kind\"",
            " data-pagefind-filter=\"place:Cité\"",
            " data-pagefind-sort=\"weight:3\"",
            " data-pagefind-index-attrs=\"title\" title=\"Titled thing\"",
            " data-pagefind-title=\"Anchor title\"",
            " id=\"part\"",
            " id=\" spaced id \"",
        ];
        const WORDS: &[&[&str]] = &[
            &[
                "Cités",
                "interculturelles",
                "réunion",
                "l'égalité",
                "anti-discrimination",
                "à",
                "Strasbourg,",
                "&eacute;t&eacute;",
                "«",
                "diversité",
                "2024.",
            ],
            &[
                "Intercultural",
                "cities",
                "meeting",
                "café",
                "camelCase",
                "e.g.",
                "U.S.A.",
                "&amp;",
                "(report)",
                "well-being",
                "v1.2",
            ],
            &[
                "欧州評議会",
                "の",
                "会議",
                "インターカルチュラル・シティ",
                "報告書。",
                "2024年",
                "Tokyo",
                "都市",
            ],
        ];
        let languages = ["fr", "en", "ja"];
        let mut pages = Vec::new();
        for n in 0..count {
            let language = n % languages.len();
            let mut body = String::new();
            let mut open: Vec<&str> = Vec::new();
            for _ in 0..(10 + next(40)) {
                match next(10) {
                    0..=2 if open.len() < 8 => {
                        let tag = TAGS[next(TAGS.len())];
                        body.push('<');
                        body.push_str(tag);
                        for _ in 0..next(3) {
                            body.push_str(ATTRIBUTES[next(ATTRIBUTES.len())]);
                        }
                        body.push('>');
                        open.push(tag);
                    }
                    3 | 4 if !open.is_empty() => {
                        let tag = open.pop().unwrap_or("p");
                        // Now and then an end tag is left out, or a stray one written.
                        match next(8) {
                            0 => {}
                            1 => body.push_str("</span>"),
                            _ => body.push_str(&format!("</{tag}>")),
                        }
                    }
                    5 => {
                        body.push_str(["<br>", "<img src=\"/i.png\" alt=\"Alt\">", "<hr>"][next(3)])
                    }
                    _ => {
                        let words = WORDS[language];
                        for _ in 0..(1 + next(6)) {
                            body.push_str(words[next(words.len())]);
                            body.push(if next(5) == 0 { '\n' } else { ' ' });
                        }
                    }
                }
            }
            while let Some(tag) = open.pop() {
                body.push_str(&format!("</{tag}>"));
            }
            let html = format!(
                "<!DOCTYPE html><html lang=\"{}\"><head><title>Page {n}</title></head><body>{body}</body></html>",
                languages[language]
            );
            pages.push((format!("/{}/{n}/", languages[language]), html));
        }
        pages
    }

    #[test]
    fn random_pages_are_indexed_exactly_as_pagefind_indexes_them() {
        for seed in (1..=25u64).map(|s| s * 7919) {
            let pages = random_pages(seed, 60);
            let own = bundle(OWN, pages.clone()).unwrap();
            let pagefind = bundle(Writer::Pagefind, pages).unwrap();
            let names = |files: &[(String, Vec<u8>)]| {
                files.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>()
            };
            assert_eq!(names(&own), names(&pagefind), "seed {seed:#x}");
            for ((name, a), (_, b)) in own.iter().zip(&pagefind) {
                assert!(
                    decompressed(name, a) == decompressed(name, b),
                    "seed {seed:#x}: {name} differs"
                );
            }
            let entry = entry_of(&own);
            let languages = entry["languages"].as_object().unwrap();
            assert_eq!(languages.len(), 3, "seed {seed:#x}: {entry}");
        }
    }

    #[test]
    fn essentials_index_exactly_like_the_whole_page() {
        let pages = [
            ("/fr/a/", themed_page("fr", "Cités interculturelles")),
            ("/fr/b/", themed_page("fr", "Bilbao accueille")),
            ("/en/a/", themed_page("en", "Intercultural cities")),
            ("/ja/a/", themed_page("ja", "インターカルチュラル・シティ")),
        ];
        let whole: Vec<(String, String)> = pages
            .iter()
            .map(|(url, html)| (url.to_string(), html.clone()))
            .collect();
        let cut: Vec<(String, String)> = pages
            .iter()
            .map(|(url, html)| (url.to_string(), essentials(html).expect("cut down")))
            .collect();
        assert!(cut[0].1.len() < whole[0].1.len() * 3 / 4, "{}", cut[0].1);
        assert!(!cut[0].1.contains("Not indexed"), "{}", cut[0].1);
        assert!(cut[0]
            .1
            .ends_with("Cite this</p></aside></article></body></html>"));
        assert_eq!(
            bundle(Writer::Pagefind, whole).unwrap(),
            bundle(Writer::Pagefind, cut).unwrap()
        );
    }

    #[test]
    fn the_marked_elements_end_is_found_across_nested_and_look_alike_tags() {
        // The former scan, which stopped at every `<`: the memmem one must agree with it.
        fn by_every_tag(html: &str, from: usize, name: &str) -> Option<usize> {
            let (open, close) = (format!("<{name}"), format!("</{name}"));
            let bytes = html.as_bytes();
            let ends_name = |at: usize| {
                bytes
                    .get(at)
                    .is_some_and(|&b| b == b'>' || b == b'/' || b.is_ascii_whitespace())
            };
            let (mut depth, mut at) = (1usize, from);
            loop {
                let next = html[at..].find('<')? + at;
                let rest = &html[next..];
                if rest.starts_with(&close) && ends_name(next + close.len()) {
                    depth -= 1;
                    let end = next + rest.find('>')? + 1;
                    if depth == 0 {
                        return Some(end);
                    }
                    at = end;
                } else {
                    if rest.starts_with(&open) && ends_name(next + open.len()) {
                        depth += 1;
                    }
                    at = next + 1;
                }
            }
        }
        const PIECES: [&str; 12] = [
            "<div>",
            "</div>",
            "<divx>",
            "</divx>",
            "<div class=a>",
            "</div >",
            "text",
            "<p>",
            "</p>",
            "<div/>",
            "</div",
            "<",
        ];
        let mut random = crate::test_random::Xorshift(0x5eed);
        for _ in 0..5_000 {
            let mut html = String::from("<div data-pagefind-body>");
            for _ in 0..(random.0 % 16) {
                html.push_str(PIECES[random.below(PIECES.len())]);
            }
            assert_eq!(
                matching_close(&html, 4, "div"),
                by_every_tag(&html, 4, "div"),
                "{html}"
            );
        }
        let nested = "<div data-pagefind-body><div>a</div><divx></divx></div ><p>after</p>";
        assert_eq!(matching_close(nested, 4, "div"), nested.find("<p>"));
    }

    #[test]
    fn essentials_give_up_where_a_scan_could_misread() {
        let plain = themed_page("fr", "x");
        assert!(essentials(&plain).is_some());
        // No marked element: Pagefind indexes the whole body.
        assert_eq!(
            essentials("<html lang=fr><body><p>x</p></body></html>"),
            None
        );
        // A Pagefind attribute outside the marked elements.
        let outside = plain.replace(
            "<aside class=side>",
            "<aside class=side data-pagefind-meta=\"k:v\">",
        );
        assert_eq!(essentials(&outside), None);
        // Raw text inside a marked element.
        let script = plain.replace("<p>Deep", "<script>var s = '</div>';</script><p>Deep");
        assert_eq!(essentials(&script), None);
        // A marked element that is never closed.
        assert_eq!(
            essentials("<html lang=fr><body><div data-pagefind-body><div>x</div></body></html>"),
            None
        );
    }

    #[test]
    fn an_indexer_needs_the_pages_of_a_language_together() {
        let page = |lang: &str| themed_page(lang, "Reykjavik").into_bytes();
        let not_available = Job::NotAvailable {
            doc: 1,
            lang: "en".into(),
        };
        let mut indexer = Indexer::new();
        indexer.offer(&Job::Version(0), "fr/a/index.html", &page("fr"));
        // Pages that are not indexed, of any language, leave the language open.
        indexer.offer(&not_available, "en/b/index.html", &page("en"));
        indexer.offer(&Job::NotFound, "404.html", &page("en"));
        indexer.offer(&Job::Version(2), "fr/c/index.html", &page("fr"));
        indexer.offer(&Job::Version(1), "en/a/index.html", &page("en"));
        indexer.offer(&Job::NotFound, "fr/404.html", &page("fr"));
        let files = indexer.finish().unwrap();
        let entry = entry_of(&files);
        assert_eq!(entry["languages"]["fr"]["page_count"], 2, "{entry}");
        assert_eq!(entry["languages"]["en"]["page_count"], 1, "{entry}");

        // French pages split by an English one: the indexer must refuse them.
        let mut indexer = Indexer::new();
        indexer.offer(&Job::Version(0), "fr/a/index.html", &page("fr"));
        indexer.offer(&Job::Version(1), "en/a/index.html", &page("en"));
        indexer.offer(&Job::Version(2), "fr/b/index.html", &page("fr"));
        let error = indexer.finish().unwrap_err();
        assert!(
            error.message.contains("`fr` did not come together"),
            "{}",
            error.message
        );
    }

    #[test]
    fn indexed_jobs_come_language_by_language_the_others_spread_among_them() {
        let not_available = |doc| Job::NotAvailable {
            doc,
            lang: "en".into(),
        };
        let langs = [Some(1), Some(0), Some(1), Some(0)];
        // Groups `jobs`, the "not available" pages being in `not_available_lang`; their names.
        let grouped = |mut jobs: Vec<Job>, not_available_lang: usize| -> Vec<String> {
            order_for_indexing(&mut jobs, |job| match job {
                Job::Version(v) => langs[*v],
                Job::NotAvailable { .. } => Some(not_available_lang),
                _ => None,
            });
            jobs.iter()
                .map(|j| format!("{j:?}").replace(", lang: \"en\"", ""))
                .collect()
        };
        let jobs = vec![
            not_available(0),
            Job::Version(0),
            Job::Version(1),
            Job::Root,
            Job::Version(2),
            not_available(1),
            Job::Version(3),
        ];
        assert_eq!(
            grouped(jobs, 1),
            [
                "Version(1)",
                "NotAvailable { doc: 0 }",
                "Version(3)",
                "NotAvailable { doc: 1 }",
                "Version(0)",
                "Root",
                "Version(2)",
            ]
        );
        // Two indexed pages among four others: one at the start of each half.
        let jobs = vec![
            not_available(0),
            not_available(1),
            not_available(2),
            not_available(3),
            Job::Version(0),
            Job::Version(2),
        ];
        assert_eq!(
            grouped(jobs, 1),
            [
                "Version(0)",
                "NotAvailable { doc: 0 }",
                "NotAvailable { doc: 1 }",
                "Version(2)",
                "NotAvailable { doc: 2 }",
                "NotAvailable { doc: 3 }",
            ]
        );
        let jobs = vec![
            Job::Root,
            not_available(0),
            Job::Version(0),
            Job::Version(1),
        ];
        assert_eq!(
            grouped(jobs, 0),
            [
                "Version(1)",
                "NotAvailable { doc: 0 }",
                "Version(0)",
                "Root"
            ]
        );
    }

    #[test]
    fn a_language_index_made_again_replaces_only_its_own_files() {
        let pages = |fr_words: &str| {
            vec![
                ("/fr/a/".to_string(), themed_page("fr", fr_words)),
                (
                    "/en/a/".to_string(),
                    themed_page("en", "Intercultural cities"),
                ),
            ]
        };
        let before = bundle(OWN, pages("Bilbao accueille")).unwrap();
        let after = bundle(OWN, pages("Lisbonne accueille")).unwrap();
        let fr_only = bundle(OWN, vec![pages("Lisbonne accueille").remove(0)]).unwrap();
        let (_, entry) = before
            .iter()
            .find(|(name, _)| name == "pagefind/pagefind-entry.json")
            .unwrap();
        let refresh = LanguageRefresh::new(fr_only, entry).unwrap();
        // The current bundle, refreshed, is the bundle made from scratch.
        let mut files: BTreeMap<String, Vec<u8>> = before
            .into_iter()
            .filter(|(name, _)| !refresh.replaces(name))
            .collect();
        files.extend(refresh.files.iter().cloned());
        let after: BTreeMap<String, Vec<u8>> = after.into_iter().collect();
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            after.keys().collect::<Vec<_>>()
        );
        assert_eq!(files, after);
        assert!(refresh.replaces("pagefind/fragment/fr_12ab.pf_fragment"));
        assert!(!refresh.replaces("pagefind/fragment/en_12ab.pf_fragment"));
        assert!(!refresh.replaces("pagefind/wasm.fr.pagefind"));
        assert!(!refresh.replaces("fr/index.html"));
    }

    #[test]
    fn the_same_pages_give_the_same_bundle() {
        let pages = || {
            vec![
                ("/fr/a/".to_string(), page("fr", "Bilbao accueille")),
                ("/fr/b/".to_string(), page("fr", "Diversitours à Bilbao")),
            ]
        };
        assert_eq!(bundle(OWN, pages()).unwrap(), bundle(OWN, pages()).unwrap());
        // serve's refreshes run their index on a pool of their own: the same bytes.
        assert_eq!(
            bundle(Writer::Own { background: true }, pages()).unwrap(),
            bundle(OWN, pages()).unwrap()
        );
    }
}
