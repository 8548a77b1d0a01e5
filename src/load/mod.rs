//! Stage 1, load: walk `content/`, read every Markdown file, split and parse its front matter.
//!
//! The result is a flat list of [`Version`]s (one per content file) and the list of other files
//! (bundle assets) to copy. Nothing here knows about documents or URLs: that is the index's job.

pub mod frontmatter;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use unicode_normalization::UnicodeNormalization;
use walkdir::WalkDir;

use crate::config::{is_language_tag, Config};
use crate::diagnostics::{line_col, Diagnostic, Diagnostics};
pub use frontmatter::{AttachmentSpec, Date, FrontMatter};

pub const CONTENT_DIR: &str = "content";

/// Is `key` one of the front matter keys intercite reserves (so it cannot be a taxonomy)?
pub fn is_reserved_key(key: &str) -> bool {
    frontmatter::KNOWN_KEYS.contains(&key)
}

/// Whether a content file is a document version or the text of a section (`_index`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum VersionKind {
    Page,
    /// `_index.<lang>.md`: the title and introduction of a section (or of the home page, at the
    /// top of `content/`).
    Section,
}

/// One content file: a document (or section) in one language.
#[derive(Debug, Clone)]
pub struct Version {
    /// Relative to the site root, e.g. `content/meetings/2016-reykjavik/index.fr.md`.
    pub file: PathBuf,
    pub lang: String,
    pub kind: VersionKind,
    /// Path under `content/` without language suffix or extension, NFC, `/`-separated:
    /// `meetings/2016-reykjavik` (bundle or single file), `meetings` for its `_index`, `""` for home.
    pub content_path: String,
    /// The folder (under `content/`) that holds the file.
    pub folder: String,
    /// A bundle is a folder with `index.<lang>.md`: its other files are the document's assets.
    pub is_bundle: bool,
    pub front: FrontMatter,
    pub body: String,
    /// File line of the body's first line, to map Markdown positions back to the file.
    pub body_line: usize,
}

/// Everything read from `content/`.
#[derive(Debug, Default)]
pub struct Loaded {
    pub versions: Vec<Version>,
    /// Non-Markdown files, relative to `content/` (`meetings/2016-reykjavik/agenda.pdf`).
    pub assets: Vec<String>,
    /// Content paths of files that failed to load, so links to them are not reported twice.
    pub broken: BTreeSet<String>,
    /// Whether drafts were read: a preview for editors, which also gets the editors' pages.
    pub drafts: bool,
}

/// A content file name cut into its parts.
#[derive(Debug, PartialEq, Eq)]
pub struct FileName<'a> {
    pub stem: &'a str,
    pub lang: Option<&'a str>,
}

/// Splits `index.fr.md` into `index` + `fr`. A suffix shaped like a language tag that is not a
/// site language is an error (a typo such as `index.fe.md` would otherwise vanish silently).
pub fn parse_file_name<'a>(name: &'a str, config: &Config) -> Result<FileName<'a>, Diagnostic> {
    let without_ext = name.strip_suffix(".md").unwrap_or(name);
    if let Some((stem, suffix)) = without_ext.rsplit_once('.') {
        if config.has_language(suffix) {
            return Ok(FileName {
                stem,
                lang: Some(suffix),
            });
        }
        if is_language_tag(suffix) {
            let codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
            return Err(Diagnostic::error(format!("unknown language suffix `.{suffix}`"))
                .hint(format!(
                    "the site's languages are {}; add i18n/{suffix}.yaml to add one, or rename the file",
                    codes.join(", ")
                )));
        }
    }
    Ok(FileName {
        stem: without_ext,
        lang: None,
    })
}

/// Walks `content/` and loads every file; problems are collected, never fatal one by one.
pub fn load(config: &Config, include_drafts: bool, problems: &mut Diagnostics) -> Loaded {
    load_cached(config, include_drafts, problems, None)
}

/// [`load`], taking from `cache` the files that did not change since it read them (`serve`'s
/// rebuilds), and keeping there the ones it reads.
pub fn load_cached(
    config: &Config,
    include_drafts: bool,
    problems: &mut Diagnostics,
    cache: Option<&FileCache>,
) -> Loaded {
    let content = config.root.join(CONTENT_DIR);
    if !content.is_dir() {
        problems.push(
            Diagnostic::error("there is no `content/` folder")
                .in_file(CONTENT_DIR)
                .hint(
                    "create content/_index.<lang>.md for the home page and one folder per section",
                ),
        );
        return Loaded::default();
    }
    let mut markdown = Vec::new();
    let mut loaded = Loaded {
        drafts: include_drafts,
        ..Loaded::default()
    };
    let walker = WalkDir::new(&content)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| relative(&config.root, p))
                    .unwrap_or_else(|| CONTENT_DIR.into());
                problems
                    .push(Diagnostic::error(format!("cannot read this path: {e}")).in_file(path));
                continue;
            }
        };
        let path = entry.path();
        let rel = relative(&config.root, path);
        if entry.path_is_symlink() {
            match check_symlink(path, &content) {
                Ok(true) => {}
                Ok(false) => {
                    problems.push(
                        Diagnostic::error("symbolic links to folders are not followed")
                            .in_file(&rel)
                            .hint("move the folder into content/ instead of linking to it"),
                    );
                    continue;
                }
                Err(message) => {
                    problems.push(Diagnostic::error(message).in_file(&rel).hint(
                        "content may only link to files inside content/; copy the file in instead",
                    ));
                    continue;
                }
            }
        } else if !entry.file_type().is_file() {
            continue;
        }
        let Ok(under_content) = path.strip_prefix(&content) else {
            continue;
        };
        let Some(under_content) = under_content.to_str() else {
            problems.push(
                Diagnostic::error("the file name is not valid UTF-8")
                    .in_file(&rel)
                    .hint("rename the file using UTF-8 characters"),
            );
            continue;
        };
        let under_content: String = under_content.replace('\\', "/").nfc().collect();
        if under_content.ends_with(".md") {
            markdown.push((path.to_path_buf(), rel, under_content));
        } else {
            loaded.assets.push(under_content);
        }
    }

    let results: Vec<LoadResult> = match cache {
        None => markdown
            .par_iter()
            .map(|(path, rel, under_content)| {
                load_file(config, path, rel, under_content, include_drafts)
            })
            .collect(),
        Some(cache) => cache.load(config, include_drafts, &markdown),
    };
    for result in results {
        match result {
            Ok(Some(version)) => loaded.versions.push(version),
            Ok(None) => {}
            Err((content_path, diagnostics)) => {
                loaded.broken.insert(content_path);
                problems.extend(diagnostics);
            }
        }
    }
    loaded
}

/// The content files an earlier build loaded, each with the state of its file then, kept by
/// `serve` so that a rebuild reads and parses again only the files that changed: at 10,000
/// documents, reading and parsing all 27,799 files again was 14 % of the CPU a front-matter
/// edit's rebuild took. It holds a copy of each version, text included, beside the one the
/// build holds.
pub struct FileCache {
    entries: std::sync::Mutex<std::collections::HashMap<PathBuf, CachedFile>>,
    /// [`SETTLED`], shorter in tests.
    settled: std::time::Duration,
    /// Files read, for the tests to tell what the cache answered.
    #[cfg(test)]
    reads: std::sync::atomic::AtomicUsize,
}

impl Default for FileCache {
    fn default() -> Self {
        FileCache {
            entries: Default::default(),
            settled: SETTLED,
            #[cfg(test)]
            reads: Default::default(),
        }
    }
}

struct CachedFile {
    /// What loading depended on besides the file (see [`loading_key`]).
    key: u64,
    stamp: FileStamp,
    /// `None` for a draft left out. Shared, so that it is copied after the lock is let go.
    version: std::sync::Arc<Option<Version>>,
}

/// What tells a file changed: its size, inode and times. A write updates the change time
/// (which no tool can set back), unless it falls in the same tick of the file system's clock as
/// the previous one; so a file is only kept once its change time is [`SETTLED`] in the past
/// when it is read, and any later write then changes the stamp.
#[derive(Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    inode: u64,
    device: u64,
    modified: (i64, i64),
    changed: (i64, i64),
}

/// How long ago a file must have changed for its contents to be kept: more than the coarsest
/// clock of a file system intercite may run on (two seconds on FAT).
const SETTLED: std::time::Duration = std::time::Duration::from_secs(3);

impl FileStamp {
    /// The stamp of a regular file that is not a link (the state of a link's target is not
    /// in its own), and whether it had changed before `settled_since` (seconds and
    /// nanoseconds since the epoch, as the stamp's times).
    fn of(path: &Path, settled_since: Option<(i64, i64)>) -> Option<(FileStamp, bool)> {
        let metadata = fs::symlink_metadata(path).ok()?;
        if !metadata.file_type().is_file() {
            return None;
        }
        #[cfg(unix)]
        let stamp = {
            use std::os::unix::fs::MetadataExt;
            FileStamp {
                len: metadata.len(),
                inode: metadata.ino(),
                device: metadata.dev(),
                modified: (metadata.mtime(), metadata.mtime_nsec()),
                changed: (metadata.ctime(), metadata.ctime_nsec()),
            }
        };
        #[cfg(not(unix))]
        let stamp = {
            let modified = metadata
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .unwrap_or_default();
            let seconds = i64::try_from(modified.as_secs()).unwrap_or(i64::MAX);
            FileStamp {
                len: metadata.len(),
                inode: 0,
                device: 0,
                modified: (seconds, i64::from(modified.subsec_nanos())),
                changed: (seconds, i64::from(modified.subsec_nanos())),
            }
        };
        let settled = settled_since.is_some_and(|since| stamp.changed.max(stamp.modified) < since);
        Some((stamp, settled))
    }
}

/// What a file's [`Version`] depends on besides the file: the languages (its name's suffix),
/// the default language, the taxonomies (its front matter's keys) and whether drafts are read.
fn loading_key(config: &Config, include_drafts: bool) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for language in &config.languages {
        language.code.hash(&mut hasher);
    }
    config.default_language.hash(&mut hasher);
    config.taxonomies.hash(&mut hasher);
    include_drafts.hash(&mut hasher);
    hasher.finish()
}

impl FileCache {
    /// A cache that keeps every file it reads, however recently changed, for tests that
    /// cannot wait for their files to settle; each test then waits a tick of the file
    /// system's clock before it changes a file.
    #[cfg(test)]
    pub(crate) fn keeping_every_file() -> FileCache {
        FileCache {
            settled: std::time::Duration::ZERO,
            ..FileCache::default()
        }
    }

    /// Loads `markdown` (path, path from the site root, path under content/), taking each
    /// file whose stamp and loading key are unchanged from the cache. Forgets the files no
    /// longer there.
    fn load(
        &self,
        config: &Config,
        include_drafts: bool,
        markdown: &[(PathBuf, PathBuf, String)],
    ) -> Vec<LoadResult> {
        let key = loading_key(config, include_drafts);
        let settled_since = std::time::SystemTime::now()
            .checked_sub(self.settled)
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| {
                (
                    i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                    i64::from(d.subsec_nanos()),
                )
            });
        let results = markdown
            .par_iter()
            .map(|(path, rel, under_content)| {
                let stamp = FileStamp::of(path, settled_since);
                let cached = stamp.and_then(|(stamp, _)| {
                    let entries = self.entries.lock().ok()?;
                    let entry = entries.get(rel)?;
                    let current = entry.key == key && entry.stamp == stamp;
                    current.then(|| std::sync::Arc::clone(&entry.version))
                });
                if let Some(version) = cached {
                    return Ok(Option::clone(&version));
                }
                #[cfg(test)]
                self.reads
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let result = load_file(config, path, rel, under_content, include_drafts);
                if let (Ok(version), Some((stamp, true))) = (&result, stamp) {
                    let entry = CachedFile {
                        key,
                        stamp,
                        version: std::sync::Arc::new(version.clone()),
                    };
                    if let Ok(mut entries) = self.entries.lock() {
                        entries.insert(rel.clone(), entry);
                    }
                }
                result
            })
            .collect();
        let present: std::collections::HashSet<&PathBuf> =
            markdown.iter().map(|(_, rel, _)| rel).collect();
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|rel, _| present.contains(rel));
        }
        results
    }
}

/// Reads one content file again (for `serve`'s page-level rebuild): `rel` is relative to the
/// site root, like [`Version::file`]. `None` when it is not a plain Markdown file under
/// content/ that can be read and parsed; the caller then rebuilds everything, which reports
/// the problem.
pub fn reload_one(config: &Config, rel: &Path, include_drafts: bool) -> Option<Version> {
    let path = config.root.join(rel);
    let metadata = fs::symlink_metadata(&path).ok()?;
    if !metadata.file_type().is_file() {
        return None;
    }
    let under_content = rel.strip_prefix(CONTENT_DIR).ok()?.to_str()?;
    let under_content: String = under_content.replace('\\', "/").nfc().collect();
    load_file(config, &path, rel, &under_content, include_drafts)
        .ok()
        .flatten()
}

/// `Ok(true)`: a link to a file inside content (read it); `Ok(false)`: a link to a folder.
fn check_symlink(path: &Path, content: &Path) -> Result<bool, String> {
    let target =
        fs::canonicalize(path).map_err(|e| format!("broken or looping symbolic link: {e}"))?;
    let content = fs::canonicalize(content).map_err(|e| e.to_string())?;
    if !target.starts_with(&content) {
        return Err(format!(
            "symbolic link points outside content/ (to {})",
            target.display()
        ));
    }
    Ok(target.is_file())
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// A content file's bytes; `rel` names it in diagnostics. [`as_text`] checks they are text.
fn read_bytes(path: &Path, rel: &Path) -> Result<Vec<u8>, Diagnostic> {
    fs::read(path).map_err(|e| Diagnostic::error(format!("cannot read the file: {e}")).in_file(rel))
}

/// A content file's bytes as text, or where they stop being UTF-8. Checked with `simdutf8`,
/// several times faster than `str::from_utf8` on text outside ASCII; the standard library's
/// check runs only on a file that fails, to find where.
fn as_text<'a>(bytes: &'a [u8], rel: &Path) -> Result<&'a str, Diagnostic> {
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        return Ok(text);
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = e.valid_up_to();
        let prefix = String::from_utf8_lossy(&bytes[..valid]).into_owned();
        let (line, column) = line_col(&prefix, valid);
        Diagnostic::error("the file is not valid UTF-8")
            .in_file(rel)
            .at(line, column)
            .hint("save the file as UTF-8 (most editors have an encoding setting)")
    })
}

/// The Markdown after the front matter, line endings made `\n`. Most files have no `\r`: one
/// memchr and a copy, instead of `replace`'s substring search.
fn body_of(split: &frontmatter::Split) -> String {
    if memchr::memchr(b'\r', split.body.as_bytes()).is_none() {
        return split.body.to_string();
    }
    split.body.replace("\r\n", "\n")
}

/// Reads a version's Markdown again from its file (`version.file`, relative to `root`), for a
/// build that let go of it after pass one. Returns it with the line it starts on, which the
/// caller compares with what it loaded, to tell a file saved during the build.
pub fn read_body(root: &Path, version: &Version) -> Result<(String, usize), Diagnostic> {
    let bytes = read_bytes(&root.join(&version.file), &version.file)?;
    let text = as_text(&bytes, &version.file)?;
    let split = frontmatter::split(text).map_err(|d| d.in_file(&version.file))?;
    Ok((body_of(&split), split.body_line))
}

type LoadResult = Result<Option<Version>, (String, Vec<Diagnostic>)>;

fn load_file(
    config: &Config,
    path: &Path,
    rel: &Path,
    under_content: &str,
    include_drafts: bool,
) -> LoadResult {
    let (folder, name) = match under_content.rsplit_once('/') {
        Some((folder, name)) => (folder.to_string(), name),
        None => (String::new(), under_content),
    };
    let fail = |d: Diagnostic| Err((under_content.to_string(), vec![d.in_file(rel)]));
    let file_name = match parse_file_name(name, config) {
        Ok(file_name) => file_name,
        Err(d) => return fail(d),
    };
    let (kind, content_path, is_bundle) = match file_name.stem {
        "_index" => (VersionKind::Section, folder.clone(), false),
        "index" if !folder.is_empty() => (VersionKind::Page, folder.clone(), true),
        stem => {
            let content_path = if folder.is_empty() {
                stem.to_string()
            } else {
                format!("{folder}/{stem}")
            };
            (VersionKind::Page, content_path, false)
        }
    };
    let lang = file_name
        .lang
        .unwrap_or(&config.default_language)
        .to_string();
    let bytes = match read_bytes(path, rel) {
        Ok(bytes) => bytes,
        Err(d) => return Err((content_path, vec![d])),
    };
    let text = match as_text(&bytes, rel) {
        Ok(text) => text,
        Err(d) => return Err((content_path, vec![d])),
    };
    let split = match frontmatter::split(text) {
        Ok(split) => split,
        Err(d) => return Err((content_path, vec![d.in_file(rel)])),
    };
    let front = match frontmatter::parse(split.yaml, split.yaml_line, rel, &config.taxonomies) {
        Ok(front) => front,
        Err(diagnostics) => return Err((content_path, diagnostics)),
    };
    if front.draft && !include_drafts {
        return Ok(None);
    }
    let body = body_of(&split);
    Ok(Some(Version {
        file: rel.to_path_buf(),
        lang,
        kind,
        content_path,
        folder,
        is_bundle,
        body_line: split.body_line,
        front,
        body,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A site of two languages in a temporary folder, with `files` under content/.
    fn site(files: &[(&str, &str)]) -> (tempfile::TempDir, Config) {
        let dir = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| {
            let path = dir.path().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        };
        write(
            "site.yaml",
            "title: T\nbase_url: https://example.org\ndefault_language: fr\nlanguages: [fr, en]\n",
        );
        write("i18n/fr.yaml", "name: Français\n");
        write("i18n/en.yaml", "name: English\n");
        for (rel, text) in files {
            write(&format!("content/{rel}"), text);
        }
        let config = Config::load(dir.path(), None).unwrap();
        (dir, config)
    }

    /// Each version loaded: its file, title and body.
    fn titles(config: &Config, drafts: bool, cache: &FileCache) -> Vec<(String, String, String)> {
        let mut problems = Diagnostics::new();
        let loaded = load_cached(config, drafts, &mut problems, Some(cache));
        assert!(!problems.has_errors(), "{:?}", problems.into_sorted());
        loaded
            .versions
            .into_iter()
            .map(|v| (v.file.display().to_string(), v.front.title, v.body))
            .collect()
    }

    fn cached(cache: &FileCache) -> usize {
        cache.entries.lock().unwrap().len()
    }

    /// Files read so far through `cache`.
    fn reads(cache: &FileCache) -> usize {
        cache.reads.load(std::sync::atomic::Ordering::Relaxed)
    }

    #[test]
    fn a_cache_reads_again_only_the_files_that_changed() {
        let (dir, config) = site(&[
            ("a.fr.md", "---\ntitle: Un\n---\nTexte un.\n"),
            ("b.fr.md", "---\ntitle: Deux\n---\nTexte deux.\n"),
            (
                "c.fr.md",
                "---\ntitle: Brouillon\ndraft: true\n---\nPas encore.\n",
            ),
        ]);
        let cache = FileCache::keeping_every_file();
        let first = titles(&config, false, &cache);
        assert_eq!(first, titles(&config, false, &FileCache::default()));
        assert_eq!(first.len(), 2);
        assert_eq!(cached(&cache), 3, "the draft left out is kept as such");
        assert_eq!(reads(&cache), 3);
        // Taken from the cache: the same versions, no file read.
        assert_eq!(titles(&config, false, &cache), first);
        assert_eq!(reads(&cache), 3);

        // The same length, other bytes: the change time tells.
        std::thread::sleep(Duration::from_millis(20));
        let b = dir.path().join("content/b.fr.md");
        fs::write(&b, "---\ntitle: Deux\n---\nTexte 2!!.\n").unwrap();
        let after = titles(&config, false, &cache);
        assert_eq!(after[0], first[0]);
        assert_eq!(after[1].2, "Texte 2!!.\n");
        assert_eq!(reads(&cache), 4, "only the file changed is read again");

        // Drafts read: the cache does not answer for the other setting.
        let with_drafts = titles(&config, true, &cache);
        assert_eq!(with_drafts.len(), 3);
        assert_eq!(with_drafts[2].1, "Brouillon");

        // A file removed is forgotten, and a new one read.
        fs::remove_file(&b).unwrap();
        fs::write(
            dir.path().join("content/d.en.md"),
            "---\ntitle: New\n---\nNew text.\n",
        )
        .unwrap();
        let files: Vec<String> = titles(&config, false, &cache)
            .into_iter()
            .map(|(file, _, _)| file)
            .collect();
        assert_eq!(files, ["content/a.fr.md", "content/d.en.md"]);
        assert_eq!(cached(&cache), 3);
    }

    #[test]
    fn files_changed_in_the_last_seconds_are_not_kept() {
        // Two writes in one tick of the file system's clock leave the same stamp: a file
        // changed that recently is read again by every load until it has settled.
        let (_dir, config) = site(&[("a.fr.md", "---\ntitle: Un\n---\nTexte.\n")]);
        let cache = FileCache::default();
        assert_eq!(titles(&config, false, &cache).len(), 1);
        assert_eq!(titles(&config, false, &cache).len(), 1);
        assert_eq!(cached(&cache), 0);
        assert_eq!(reads(&cache), 2);
    }
}
