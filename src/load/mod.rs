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

    let results: Vec<LoadResult> = markdown
        .par_iter()
        .map(|(path, rel, under_content)| {
            load_file(config, path, rel, under_content, include_drafts)
        })
        .collect();
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
