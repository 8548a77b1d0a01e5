//! What `intercite new` writes: a new document version, or a translation of a document's
//! original that records which revision of it it translates.
//!
//! Planning is pure (the file's path and text); [`create`] is the only code outside the output
//! stage that writes a file, and it only ever creates one in `content/`, never overwriting
//! anything, so an editor's text cannot be lost by a mistyped command.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use unicode_normalization::UnicodeNormalization;

use crate::config::Config;
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::index::{urls, Site};
use crate::load::frontmatter::{self, days_in_month};
use crate::load::{parse_file_name, Date, CONTENT_DIR};
use crate::paths::check_segment;
use crate::translation::body_hash;

/// A file to create, relative to the site root, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    pub file: PathBuf,
    pub text: String,
}

/// A translation to create, and what it translates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTranslation {
    pub new: NewFile,
    /// The original version's file, relative to the site root.
    pub original_file: PathBuf,
    pub original_lang: String,
}

/// Front matter keys of the original that a translation does not inherit: the record of what
/// it translates is its own, and a slug or alias copied as is would collide with the original's
/// (a draft original does not make its translation a draft).
const NOT_INHERITED: &[&str] = &["translation_of", "aliases", "slug", "draft"];

/// Checks a document path as typed (`meetings/2024-strasbourg`) and returns it NFC-normalised,
/// without a trailing `/`: the same form the index uses for content paths.
pub fn document_path(input: &str, config: &Config) -> Result<String, Diagnostic> {
    let path: String = input.trim().nfc().collect();
    let path = path.strip_suffix('/').unwrap_or(&path).to_string();
    let example =
        "e.g. `meetings/2024-strasbourg`: the path under content/, without language or `.md`";
    let refuse = |why: String| {
        Diagnostic::error(format!(
            "`{input}` cannot be used as a document path: {why}"
        ))
        .hint(format!("give `<section>/<slug>`, {example}"))
    };
    let segments: Vec<&str> = path.split('/').collect();
    if segments.len() < 2 {
        return Err(refuse(
            "a document lives in a section, so the path has at least two parts".into(),
        ));
    }
    for segment in &segments {
        if segment.is_empty() {
            return Err(refuse(
                "it has an empty part (a leading, doubled or trailing `/`)".into(),
            ));
        }
        check_segment(segment).map_err(|e| refuse(format!("`{segment}`: {e}")))?;
        if segment.starts_with('.') {
            return Err(refuse(format!(
                "`{segment}` starts with a dot, and hidden folders are not built"
            )));
        }
    }
    let name = segments[segments.len() - 1];
    let suffixed = match parse_file_name(&format!("{name}.md"), config) {
        Ok(parsed) => parsed.lang.is_some(),
        Err(_) => true,
    };
    if name.ends_with(".md") || suffixed {
        return Err(refuse(format!(
            "`{name}` looks like a file name; the language is given with --lang"
        )));
    }
    urls::version_slug(None, &path).map_err(refuse)?;
    Ok(path)
}

/// A title made from a slug: `2024-strasbourg` → `2024 strasbourg`, `réunion-annuelle` →
/// `Réunion annuelle`. The editor replaces it; it only has to be valid and recognisable.
pub fn title_from_slug(slug: &str) -> String {
    let spaced = slug.replace(['-', '_'], " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The existing versions of the document at `path` (bundle `path/index.<lang>.md` or single
/// file `path.<lang>.md`, with or without a language suffix): language → file under the root.
pub fn existing_versions(config: &Config, path: &str) -> Vec<(String, PathBuf)> {
    let content = config.root.join(CONTENT_DIR);
    let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
    let mut found = Vec::new();
    let mut scan = |folder: &str, stem: &str| {
        let Ok(entries) = fs::read_dir(content.join(folder)) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let Some(file_name) = entry
                .file_name()
                .to_str()
                .map(|n| n.nfc().collect::<String>())
            else {
                continue;
            };
            if !file_name.ends_with(".md") || !entry.path().is_file() {
                continue;
            }
            if let Ok(parsed) = parse_file_name(&file_name, config) {
                if parsed.stem == stem {
                    let lang = parsed.lang.unwrap_or(&config.default_language).to_string();
                    found.push((lang, Path::new(CONTENT_DIR).join(folder).join(&file_name)));
                }
            }
        }
    };
    scan(path, "index");
    scan(parent, name);
    found.sort();
    found
}

/// Plans `content/<path>/index.<lang>.md` with a title (given or made from the slug) and
/// today's date. Refuses when the document already has a version in `lang`.
pub fn new_document(
    config: &Config,
    input_path: &str,
    lang: &str,
    title: Option<&str>,
    today: Date,
) -> Result<NewFile, Diagnostic> {
    let path = document_path(input_path, config)?;
    config.require_language(lang)?;
    let existing = existing_versions(config, &path);
    if let Some((_, file)) = existing.iter().find(|(l, _)| l == lang) {
        return Err(already_exists(file));
    }
    let slug = path.rsplit('/').next().unwrap_or(&path);
    let title = match title {
        Some(title) => one_line(title),
        None => title_from_slug(slug),
    };
    if title.is_empty() {
        return Err(Diagnostic::error("the title is empty").hint(
            "give a title with --title \"…\", or leave --title out to make one from the slug",
        ));
    }
    let mut text = format!(
        "---\ntitle: {}\ndate: {}\n",
        yaml_scalar(&title),
        today.iso()
    );
    // A brand-new document says which language it was written in, so a version added later
    // in the default language does not silently become its original.
    if existing.is_empty() {
        text.push_str(&format!("original: {lang}\n"));
    }
    text.push_str("---\n\n");
    Ok(NewFile {
        file: Path::new(CONTENT_DIR)
            .join(&path)
            .join(format!("index.{lang}.md")),
        text,
    })
}

/// Plans the `lang` translation of the document at `input_path`, beside its original version.
pub fn new_translation(
    site: &Site,
    input_path: &str,
    lang: &str,
) -> Result<NewTranslation, Diagnostic> {
    let config = &site.config;
    config.require_language(lang)?;
    let path: String = input_path.trim().nfc().collect();
    let path = path.trim_end_matches('/');
    let Some(&doc) = site.by_content_path.get(path) else {
        let known: Vec<&str> = site.by_content_path.keys().map(String::as_str).collect();
        let d = Diagnostic::error(format!("there is no document `{path}`"));
        return Err(match did_you_mean(path, known) {
            Some(close) => d.hint(format!("did you mean `{close}`?")),
            None => d.hint("give the path under content/ without language or `.md`, e.g. `meetings/2016-reykjavik`; `intercite status` lists the documents"),
        });
    };
    let document = &site.documents[doc];
    if let Some(&v) = document.versions.get(lang) {
        return Err(already_exists(&site.versions[v].file).hint(format!(
            "the document already has a version in {lang}: edit it; `intercite status` shows whether it is outdated"
        )));
    }
    let original = site.original_version(doc);
    let source = config.root.join(&original.file);
    let text = fs::read_to_string(&source).map_err(|e| {
        Diagnostic::error(format!("cannot read the original: {e}")).in_file(&original.file)
    })?;
    let new_text = translation_text(&text, &document.original, &body_hash(&original.body))
        .map_err(|d| d.in_file(&original.file))?;
    let file_name = original
        .file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let stem = parse_file_name(file_name, config)
        .map(|parsed| parsed.stem.to_string())
        .unwrap_or_else(|_| "index".to_string());
    let folder = original.file.parent().unwrap_or(Path::new(CONTENT_DIR));
    let file = folder.join(format!("{stem}.{lang}.md"));
    if config.root.join(&file).exists() {
        return Err(already_exists(&file));
    }
    // The copy must build: check it as the load stage will.
    let split = frontmatter::split(&new_text).map_err(|d| d.in_file(&file))?;
    if let Err(problems) =
        frontmatter::parse(split.yaml, split.yaml_line, &file, &config.taxonomies)
    {
        let why = problems
            .first()
            .map_or(String::new(), |d| d.message.clone());
        return Err(Diagnostic::error(format!(
            "the original's front matter cannot be copied into a translation: {why}"
        ))
        .in_file(&original.file)
        .hint("write the original's front matter as one `key: value` per line, then try again"));
    }
    Ok(NewTranslation {
        new: NewFile {
            file,
            text: new_text,
        },
        original_file: original.file.clone(),
        original_lang: document.original.clone(),
    })
}

/// The text of a translation: the original's front matter as written, without the keys a
/// translation does not inherit, with `original:` and the `translation_of` record; then the
/// original's body, for the translator to replace.
pub fn translation_text(
    original: &str,
    original_lang: &str,
    hash: &str,
) -> Result<String, Diagnostic> {
    let split = frontmatter::split(original)?;
    let newline = if original.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut lines: Vec<String> = Vec::new();
    let mut skipping = false;
    let mut has_original = false;
    for line in split.yaml.lines() {
        let continues = line.trim().is_empty()
            || line.starts_with([' ', '\t'])
            || (line.starts_with('-') && !line.starts_with("---"));
        if skipping && continues {
            continue;
        }
        skipping = false;
        if let Some(key) = top_level_key(line) {
            if NOT_INHERITED.contains(&key.as_str()) {
                skipping = true;
                continue;
            }
            has_original |= key == "original";
        }
        lines.push(line.to_string());
    }
    if !has_original {
        lines.push(format!("original: {original_lang}"));
    }
    lines.push("translation_of:".into());
    lines.push(format!("  lang: {original_lang}"));
    // Quoted: a hash of digits only (or digits and one `e`) would otherwise be read as a number.
    lines.push(format!("  hash: \"{hash}\""));
    let mut text = format!("---{newline}");
    for line in lines {
        text.push_str(&line);
        text.push_str(newline);
    }
    text.push_str(&format!("---{newline}"));
    text.push_str(split.body);
    Ok(text)
}

/// The key of a top-level `key: value` line, if the line is one.
fn top_level_key(line: &str) -> Option<String> {
    let first = line.chars().next()?;
    if first.is_whitespace() || matches!(first, '#' | '-' | '[' | '{' | '}' | ']') {
        return None;
    }
    let (key, _) = line.split_once(':')?;
    Some(
        key.trim()
            .trim_matches(|c| c == '"' || c == '\'')
            .to_string(),
    )
}

fn already_exists(file: &Path) -> Diagnostic {
    Diagnostic::error(format!("{} already exists", file.display()))
        .in_file(file)
        .hint("intercite new never overwrites a file: edit that one, or choose another path or language")
}

/// A title on one line: line breaks and other control characters become spaces.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A one-line YAML scalar for `text`: plain when that reads back as the same text, quoted
/// otherwise (`Réunion : 2024`, `yes`, `2024`…).
fn yaml_scalar(text: &str) -> String {
    match serde_yaml::to_string(text) {
        Ok(yaml) if !yaml.trim_end().contains('\n') => yaml.trim_end().to_string(),
        _ => format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"")),
    }
}

/// Creates `file` (relative to `root`) with `text`, and its folders; fails rather than
/// overwrite anything, even a file that appeared since the plan was made.
pub fn create(root: &Path, file: &NewFile) -> Result<(), Diagnostic> {
    let path = root.join(&file.file);
    let fail = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            return already_exists(&file.file);
        }
        Diagnostic::error(format!("cannot create the file: {e}"))
            .in_file(&file.file)
            .hint("check that the folder is writable and that no file has the name of a folder on the path")
    };
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(fail)?;
    }
    let mut out = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(fail)?;
    out.write_all(file.text.as_bytes()).map_err(fail)
}

/// Today's date in UTC, from the system clock (1970-01-01 if the clock is before it).
pub fn today_utc() -> Date {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    date_from_days(seconds / 86_400)
}

/// The calendar date `days` days after 1970-01-01.
fn date_from_days(mut days: u64) -> Date {
    let mut year: i32 = 1970;
    loop {
        let length = if days_in_month(year, 2) == 29 {
            366
        } else {
            365
        };
        if days < length {
            break;
        }
        days -= length;
        year += 1;
    }
    let mut month: u8 = 1;
    loop {
        let length = u64::from(days_in_month(year, month));
        if days < length || month == 12 {
            break;
        }
        days -= length;
        month += 1;
    }
    Date {
        year,
        month,
        // At most 30 after the loops: one less than the month's length.
        day: u8::try_from(days + 1).unwrap_or(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> (tempfile::TempDir, Config) {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("site.yaml"),
            "title: T\nbase_url: https://example.org\ndefault_language: fr\ntaxonomies: [cities]\n",
        )
        .unwrap();
        fs::create_dir_all(dir.path().join("i18n")).unwrap();
        for code in ["fr", "en"] {
            fs::write(dir.path().join(format!("i18n/{code}.yaml")), "name: X\n").unwrap();
        }
        let config = Config::load(dir.path(), None).unwrap();
        (dir, config)
    }

    fn parses(text: &str) -> frontmatter::FrontMatter {
        let split = frontmatter::split(text).unwrap();
        frontmatter::parse(
            split.yaml,
            split.yaml_line,
            Path::new("x.md"),
            &["cities".into()],
        )
        .unwrap_or_else(|e| panic!("{e:?}\n{text}"))
    }

    const DAY: Date = Date {
        year: 2024,
        month: 2,
        day: 29,
    };

    #[test]
    fn dates_from_days_since_1970() {
        assert_eq!(date_from_days(0).iso(), "1970-01-01");
        assert_eq!(date_from_days(31).iso(), "1970-02-01");
        assert_eq!(date_from_days(365).iso(), "1971-01-01");
        assert_eq!(date_from_days(19_782).iso(), "2024-02-29");
        assert_eq!(date_from_days(19_783).iso(), "2024-03-01");
        assert_eq!(date_from_days(20_088).iso(), "2024-12-31");
        assert_eq!(date_from_days(11_016).iso(), "2000-02-29");
        assert!(today_utc().year >= 2024);
    }

    #[test]
    fn titles_from_slugs() {
        assert_eq!(title_from_slug("2024-strasbourg"), "2024 strasbourg");
        assert_eq!(title_from_slug("réunion-annuelle"), "Réunion annuelle");
        assert_eq!(title_from_slug("été"), "Été");
    }

    #[test]
    fn document_paths() {
        let (_dir, config) = config();
        assert_eq!(document_path("meetings/x/", &config).unwrap(), "meetings/x");
        assert_eq!(document_path("a/b/c", &config).unwrap(), "a/b/c");
        assert_eq!(
            document_path("news/e\u{301}te\u{301}", &config).unwrap(),
            "news/été"
        );
        for bad in [
            "a",
            "../x",
            "a/../b",
            "/a/b",
            "a//b",
            "a/.hidden",
            "a/b.fr",
            "a/b.md",
            "a/b:c",
            "a/!!!",
            "",
        ] {
            let e = document_path(bad, &config).unwrap_err();
            assert!(
                e.message.contains("cannot be used as a document path"),
                "{bad}: {e}"
            );
            assert!(
                e.hint.as_deref().unwrap().contains("<section>/<slug>"),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_new_document_has_valid_front_matter() {
        let (_dir, config) = config();
        let new = new_document(&config, "news/launch", "en", None, DAY).unwrap();
        assert_eq!(new.file, Path::new("content/news/launch/index.en.md"));
        assert_eq!(
            new.text,
            "---\ntitle: Launch\ndate: 2024-02-29\noriginal: en\n---\n\n"
        );
        let front = parses(&new.text);
        assert_eq!(front.title, "Launch");
        assert_eq!(front.date, Some(DAY));
    }

    #[test]
    fn titles_that_need_quotes_are_quoted() {
        let (_dir, config) = config();
        for title in [
            "Réunion : Paris",
            "yes",
            "2024",
            "#1 \"best\"",
            "a: b # c",
            "- x",
            "multi\nline",
        ] {
            let new = new_document(&config, "news/x", "fr", Some(title), DAY).unwrap();
            let expected = title.replace('\n', " ");
            assert_eq!(parses(&new.text).title, expected, "{}", new.text);
        }
        assert!(new_document(&config, "news/x", "fr", Some(" \n"), DAY).is_err());
    }

    #[test]
    fn a_new_document_refuses_existing_versions_and_unknown_languages() {
        let (dir, config) = config();
        fs::create_dir_all(dir.path().join("content/news")).unwrap();
        fs::write(
            dir.path().join("content/news/launch.md"),
            "---\ntitle: A\n---\n",
        )
        .unwrap();
        let e = new_document(&config, "news/launch", "fr", None, DAY).unwrap_err();
        assert_eq!(e.message, "content/news/launch.md already exists");
        let other = new_document(&config, "news/launch", "en", None, DAY).unwrap();
        assert!(
            !other.text.contains("original:"),
            "the fr version is the original"
        );
        let e = new_document(&config, "news/x", "de", None, DAY).unwrap_err();
        assert_eq!(e.message, "`de` is not a language of this site");
        assert!(e.hint.unwrap().contains("fr, en"));
    }

    #[test]
    fn create_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let file = NewFile {
            file: PathBuf::from("content/a/b/index.fr.md"),
            text: "one".into(),
        };
        create(dir.path(), &file).unwrap();
        let again = NewFile {
            text: "two".into(),
            ..file.clone()
        };
        let e = create(dir.path(), &again).unwrap_err();
        assert!(e.message.ends_with("already exists"), "{e}");
        let written = fs::read_to_string(dir.path().join(&file.file)).unwrap();
        assert_eq!(written, "one");
    }

    #[test]
    fn translation_copies_front_matter_without_the_version_s_own_keys() {
        let original = "---\ntitle: Réunion\nslug: reunion\ndate: 2016-09-15\naliases:\n  - /old/\n- /older/\ndraft: true\ncities: [paris]\n# a note\nsummary: >\n  Deux\n  lignes\ntranslation_of: {lang: en, hash: \"0\"}\n---\n## Texte\n\nCorps.\n";
        let text = translation_text(original, "fr", "00123e4567890123").unwrap();
        assert_eq!(
            text,
            "---\ntitle: Réunion\ndate: 2016-09-15\ncities: [paris]\n# a note\nsummary: >\n  Deux\n  lignes\noriginal: fr\ntranslation_of:\n  lang: fr\n  hash: \"00123e4567890123\"\n---\n## Texte\n\nCorps.\n"
        );
        let front = parses(&text);
        let record = front.translation_of.unwrap();
        assert_eq!(
            (record.lang.as_str(), record.hash.as_str()),
            ("fr", "00123e4567890123")
        );
        assert!(front.slug.is_none() && front.aliases.is_empty() && !front.draft);
    }

    #[test]
    fn translation_keeps_an_existing_original_key_and_crlf() {
        let original = "---\r\ntitle: A\r\noriginal: en\r\n---\r\nBody\r\n";
        let text = translation_text(original, "en", "abc").unwrap();
        assert_eq!(
            text,
            "---\r\ntitle: A\r\noriginal: en\r\ntranslation_of:\r\n  lang: en\r\n  hash: \"abc\"\r\n---\r\nBody\r\n"
        );
    }
}
