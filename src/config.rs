//! `site.yaml` and `i18n/<lang>.yaml`, read once and resolved into a [`Config`] that cannot be
//! invalid: every later stage can index languages and taxonomies without checking them again.
//!
//! The site's languages are the files in `i18n/`; `languages:` in `site.yaml` only orders them
//! (the switcher's order). Adding a language is adding its file.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::yaml::yaml_diagnostic;

pub const SITE_FILE: &str = "site.yaml";
pub const I18N_DIR: &str = "i18n";
const PLURAL_CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// A text given once for the whole site or once per language.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum PerLanguage {
    Same(String),
    ByLanguage(BTreeMap<String, String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    title: PerLanguage,
    #[serde(default)]
    description: Option<PerLanguage>,
    base_url: String,
    default_language: String,
    #[serde(default)]
    theme: Option<String>,
    #[serde(default)]
    languages: Option<Vec<String>>,
    #[serde(default)]
    taxonomies: Vec<String>,
    #[serde(default = "default_paginate")]
    paginate: usize,
    #[serde(default)]
    extra: serde_yaml::Value,
}

const SITE_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "default_language",
    "theme",
    "languages",
    "taxonomies",
    "paginate",
    "extra",
];

fn default_paginate() -> usize {
    20
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLanguage {
    name: String,
    #[serde(default)]
    dir: Option<String>,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    strings: BTreeMap<String, UiString>,
    #[serde(default)]
    terms: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    slugs: BTreeMap<String, String>,
}

const LANGUAGE_KEYS: &[&str] = &["name", "dir", "locale", "strings", "terms", "slugs"];

/// A UI string: plain text, or one text per CLDR plural category (`one`, `few`, `other`…).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum UiString {
    Plain(String),
    Plural(BTreeMap<String, String>),
}

/// Text direction of a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// One site language, from `i18n/<code>.yaml`.
#[derive(Debug, Clone)]
pub struct Language {
    /// The code used in file names and URLs (`fr`, `pt-BR`).
    pub code: String,
    /// Its own name (`Français`), for the switcher.
    pub name: String,
    pub dir: Direction,
    /// The BCP-47 locale used for CLDR data (dates, plurals); the code unless `locale:` is given.
    pub locale: String,
    pub strings: BTreeMap<String, UiString>,
    /// Taxonomy → term key → display name.
    pub terms: BTreeMap<String, BTreeMap<String, String>>,
    /// URL segments in this language: a section folder or taxonomy name → its translation
    /// (`meetings: reunions`, `cities: villes`).
    pub slugs: BTreeMap<String, String>,
    /// The file it came from, relative to the site root.
    pub file: PathBuf,
}

/// The validated site settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub root: PathBuf,
    pub base_url: String,
    pub default_language: String,
    /// In switcher order; the default language is always present.
    pub languages: Vec<Language>,
    pub titles: BTreeMap<String, String>,
    pub descriptions: BTreeMap<String, String>,
    pub theme: Option<String>,
    pub taxonomies: Vec<String>,
    pub paginate: usize,
    pub extra: serde_yaml::Value,
}

impl Config {
    pub fn language(&self, code: &str) -> Option<&Language> {
        self.languages.iter().find(|l| l.code == code)
    }

    /// The site's language codes, in switcher order.
    pub fn language_codes(&self) -> Vec<String> {
        self.languages.iter().map(|l| l.code.clone()).collect()
    }

    pub fn has_language(&self, code: &str) -> bool {
        self.language(code).is_some()
    }

    /// The language `code`, or an error naming the site's languages (for `--lang` options).
    pub fn require_language(&self, code: &str) -> Result<&Language, Diagnostic> {
        self.language(code).ok_or_else(|| {
            let codes: Vec<&str> = self.languages.iter().map(|l| l.code.as_str()).collect();
            Diagnostic::error(format!("`{code}` is not a language of this site")).hint(format!(
                "the site's languages are {}; a language is added with its file i18n/<code>.yaml",
                codes.join(", ")
            ))
        })
    }

    pub fn default_lang(&self) -> &Language {
        self.language(&self.default_language)
            .expect("Config::load guarantees the default language exists")
    }

    /// The site title in a language, falling back to the default language.
    pub fn title(&self, lang: &str) -> &str {
        self.titles
            .get(lang)
            .or_else(|| self.titles.get(&self.default_language))
            .map_or("", String::as_str)
    }

    pub fn description(&self, lang: &str) -> &str {
        self.descriptions
            .get(lang)
            .or_else(|| self.descriptions.get(&self.default_language))
            .map_or("", String::as_str)
    }

    /// The path part of the base URL, without a trailing slash (`""` or `/interculturalcities`).
    pub fn base_path(&self) -> &str {
        let after_scheme = self.base_url.split_once("://").map_or("", |(_, rest)| rest);
        match after_scheme.find('/') {
            Some(i) => after_scheme[i..].trim_end_matches('/'),
            None => "",
        }
    }

    /// Scheme and host of the base URL, without a path.
    pub fn origin(&self) -> &str {
        let base = self.base_url.trim_end_matches('/');
        &base[..base.len() - self.base_path().len()]
    }

    /// Loads and validates `site.yaml` and every `i18n/*.yaml`, reporting all problems found.
    pub fn load(root: &Path, base_url_override: Option<&str>) -> Result<Config, Diagnostics> {
        let mut problems = Diagnostics::new();
        let site_path = root.join(SITE_FILE);
        let text = match fs::read(&site_path).map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(e)) => {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let before = String::from_utf8_lossy(&bytes[..valid]);
                let (line, column) = crate::diagnostics::line_col(&before, valid);
                problems.push(
                    Diagnostic::error("the file is not valid UTF-8")
                        .in_file(SITE_FILE)
                        .at(line, column)
                        .hint("save the file as UTF-8 (most editors have an encoding setting)"),
                );
                return Err(problems);
            }
            Err(e) => {
                problems.push(
                    Diagnostic::error(format!("cannot read {SITE_FILE}: {e}"))
                        .in_file(SITE_FILE)
                        .hint(format!(
                            "run intercite in the site's folder, or pass --root DIR (the folder holding {SITE_FILE})"
                        )),
                );
                return Err(problems);
            }
        };
        let raw: RawSite = match serde_yaml::from_str(strip_bom(&text)) {
            Ok(raw) => raw,
            Err(e) => {
                problems.push(yaml_diagnostic(&e, Path::new(SITE_FILE), 1, SITE_KEYS));
                return Err(problems);
            }
        };
        let (languages, unreadable) = load_languages(root, &mut problems);
        if !root.join(I18N_DIR).is_dir() {
            // Every language would be reported missing too; the missing folder says it all.
            return Err(problems);
        }
        let config = resolve(
            root,
            raw,
            languages,
            &unreadable,
            base_url_override,
            &mut problems,
        );
        match config {
            Some(config) if !problems.has_errors() => Ok(config),
            _ => Err(problems),
        }
    }
}

fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Is `code` shaped like a BCP-47 language tag (`fr`, `pt-BR`, `zh-Hant`)?
pub fn is_language_tag(code: &str) -> bool {
    let mut parts = code.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Reads every `i18n/<code>.yaml`. Returns the languages read and the codes of the files that
/// exist but could not be read, so that site.yaml is not also blamed for those languages.
fn load_languages(root: &Path, problems: &mut Diagnostics) -> (Vec<Language>, BTreeSet<String>) {
    let dir = root.join(I18N_DIR);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(_) => {
            problems.push(
                Diagnostic::error(format!("no `{I18N_DIR}/` folder: the site has no languages"))
                    .in_file(I18N_DIR)
                    .hint("create i18n/<lang>.yaml for each language, e.g. i18n/fr.yaml with `name: Français`"),
            );
            return (Vec::new(), BTreeSet::new());
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    let mut languages = Vec::new();
    let mut unreadable = BTreeSet::new();
    for path in files {
        let code = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let rel = Path::new(I18N_DIR).join(path.file_name().unwrap_or_default());
        if !is_language_tag(&code) {
            problems.push(
                Diagnostic::error(format!("`{code}` is not a language code"))
                    .in_file(&rel)
                    .hint(
                        "name i18n files after a BCP-47 language tag: fr.yaml, en.yaml, pt-BR.yaml",
                    ),
            );
            continue;
        }
        let text = match fs::read(&path).map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(_)) => {
                problems.push(
                    Diagnostic::error("the file is not valid UTF-8")
                        .in_file(&rel)
                        .hint("save the file as UTF-8"),
                );
                unreadable.insert(code);
                continue;
            }
            Err(e) => {
                problems
                    .push(Diagnostic::error(format!("cannot read the file: {e}")).in_file(&rel));
                unreadable.insert(code);
                continue;
            }
        };
        match parse_language(&code, &rel, &text) {
            Ok(language) => languages.push(language),
            Err(d) => {
                problems.extend(d);
                unreadable.insert(code);
            }
        }
    }
    (languages, unreadable)
}

/// Parses one `i18n/<code>.yaml` (pure: no file access).
pub fn parse_language(code: &str, file: &Path, text: &str) -> Result<Language, Vec<Diagnostic>> {
    let raw: RawLanguage = serde_yaml::from_str(strip_bom(text))
        .map_err(|e| vec![yaml_diagnostic(&e, file, 1, LANGUAGE_KEYS)])?;
    let mut problems = Vec::new();
    let key_lines = crate::yaml::top_level_key_lines(strip_bom(text));
    let line_of = |key: &str| {
        key_lines
            .iter()
            .find(|(k, _)| k == key)
            .map_or(1, |(_, l)| *l)
    };
    let dir = match raw.dir.as_deref() {
        None | Some("ltr") => Direction::Ltr,
        Some("rtl") => Direction::Rtl,
        Some(other) => {
            problems.push(
                Diagnostic::error(format!("`dir: {other}` is not a text direction"))
                    .in_file(file)
                    .at(line_of("dir"), 1)
                    .hint("write `dir: ltr` (left to right) or `dir: rtl` (right to left, e.g. Arabic)"),
            );
            Direction::Ltr
        }
    };
    for (key, value) in &raw.strings {
        if let UiString::Plural(forms) = value {
            let line = string_line(text, key).unwrap_or_else(|| line_of("strings"));
            for category in forms.keys() {
                if !PLURAL_CATEGORIES.contains(&category.as_str()) {
                    problems.push(
                        Diagnostic::error(format!(
                            "UI string `{key}` has a plural form `{category}`, which is not a CLDR plural category"
                        ))
                        .in_file(file)
                        .at(line, 1)
                        .hint("use zero, one, two, few, many and other"),
                    );
                }
            }
            if !forms.contains_key("other") {
                problems.push(
                    Diagnostic::error(format!(
                        "UI string `{key}` has plural forms but no `other` form"
                    ))
                    .in_file(file)
                    .at(line, 1)
                    .hint("every plural string needs `other:`, used when no other category fits"),
                );
            }
        }
    }
    for (name, slug) in &raw.slugs {
        if let Err(why) = crate::paths::check_segment(slug) {
            problems.push(
                Diagnostic::error(format!(
                    "the URL segment `{slug}` for `{name}` cannot be used: {why}"
                ))
                .in_file(file)
                .at(
                    string_line(text, name).unwrap_or_else(|| line_of("slugs")),
                    1,
                )
                .hint("a translated slug is one URL segment, e.g. `cities: villes`"),
            );
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Language {
        code: code.to_string(),
        name: raw.name,
        dir,
        locale: raw.locale.unwrap_or_else(|| code.to_string()),
        strings: raw.strings,
        terms: raw.terms,
        slugs: raw.slugs,
        file: file.to_path_buf(),
    })
}

/// The line where `key:` is defined inside the file (first match, indented), for messages.
pub fn string_line(text: &str, key: &str) -> Option<usize> {
    let needle = format!("{key}:");
    text.lines()
        .position(|l| l.trim_start().starts_with(&needle) && l.starts_with(' '))
        .map(|i| i + 1)
}

fn resolve(
    root: &Path,
    raw: RawSite,
    mut languages: Vec<Language>,
    unreadable: &BTreeSet<String>,
    base_url_override: Option<&str>,
    problems: &mut Diagnostics,
) -> Option<Config> {
    let site = Path::new(SITE_FILE);
    let key_lines = crate::yaml::top_level_key_lines(
        &fs::read_to_string(root.join(SITE_FILE)).unwrap_or_default(),
    );
    let line_of = |key: &str| {
        key_lines
            .iter()
            .find(|(k, _)| k == key)
            .map_or(1, |(_, l)| *l)
    };

    let base_url = base_url_override
        .unwrap_or(&raw.base_url)
        .trim_end_matches('/')
        .to_string();
    if !(base_url.starts_with("http://") || base_url.starts_with("https://"))
        || base_url.contains(char::is_whitespace)
    {
        let d = Diagnostic::error(format!("base URL `{base_url}` is not an http(s) URL"));
        let d = if base_url_override.is_some() {
            d.hint("pass --base-url https://example.org/path")
        } else {
            d.in_file(site)
                .at(line_of("base_url"), 1)
                .hint("write e.g. `base_url: https://example.org/interculturalcities`")
        };
        problems.push(d);
    }

    if let Some(order) = &raw.languages {
        let mut ordered: Vec<Language> = Vec::new();
        for code in order {
            let listed_before = ordered.iter().any(|l| &l.code == code);
            if listed_before || !is_language_tag(code) {
                let (message, hint) = if listed_before {
                    (
                        format!("language `{code}` is listed twice"),
                        "list each language once".to_string(),
                    )
                } else {
                    (
                        format!("`{code}` is not a language code"),
                        "list BCP-47 language tags, each with its i18n/<tag>.yaml: fr, en, pt-BR"
                            .to_string(),
                    )
                };
                problems.push(
                    Diagnostic::error(message)
                        .in_file(site)
                        .at(line_of("languages"), 1)
                        .hint(hint),
                );
                continue;
            }
            match languages.iter().position(|l| &l.code == code) {
                Some(i) => ordered.push(languages.remove(i)),
                None if unreadable.contains(code) => {}
                None => problems.push(
                    Diagnostic::error(format!("language `{code}` is listed but there is no i18n/{code}.yaml"))
                        .in_file(site)
                        .at(line_of("languages"), 1)
                        .hint(format!("create i18n/{code}.yaml (with at least `name:`) or remove `{code}` from `languages`")),
                ),
            }
        }
        for extra in &languages {
            problems.push(
                Diagnostic::error(format!("i18n/{}.yaml exists but `{}` is not in `languages`", extra.code, extra.code))
                    .in_file(site)
                    .at(line_of("languages"), 1)
                    .hint(format!("add `{}` to `languages` in site.yaml (its place sets the switcher's order), or delete the file", extra.code)),
            );
        }
        languages = ordered;
    } else {
        // Without an explicit order: the default language first, then by code.
        languages.sort_by_key(|l| (l.code != raw.default_language, l.code.clone()));
    }

    if !languages.iter().any(|l| l.code == raw.default_language) {
        problems.push(
            Diagnostic::error(format!(
                "the default language `{}` has no i18n/{}.yaml",
                raw.default_language, raw.default_language
            ))
            .in_file(site)
            .at(line_of("default_language"), 1)
            .hint("create that file or set `default_language` to one of the languages in i18n/"),
        );
        return None;
    }

    let mut seen = std::collections::BTreeSet::new();
    for taxonomy in &raw.taxonomies {
        if !seen.insert(taxonomy)
            || crate::load::is_reserved_key(taxonomy)
            || crate::paths::check_segment(taxonomy).is_err()
        {
            problems.push(
                Diagnostic::error(format!("`{taxonomy}` cannot be a taxonomy name"))
                    .in_file(site)
                    .at(line_of("taxonomies"), 1)
                    .hint("taxonomy names are single URL segments, listed once, and not front matter keys like `title`"),
            );
        }
    }
    if raw.paginate == 0 {
        problems.push(
            Diagnostic::error("`paginate` must be at least 1")
                .in_file(site)
                .at(line_of("paginate"), 1)
                .hint("the number of documents per list page, e.g. `paginate: 20`"),
        );
    }
    let per_language = |value: Option<PerLanguage>| -> BTreeMap<String, String> {
        match value {
            None => BTreeMap::new(),
            Some(PerLanguage::Same(text)) => languages
                .iter()
                .map(|l| (l.code.clone(), text.clone()))
                .collect(),
            Some(PerLanguage::ByLanguage(map)) => map,
        }
    };
    let titles = per_language(Some(raw.title));
    let descriptions = per_language(raw.description);
    for code in titles.keys().chain(descriptions.keys()) {
        if !languages.iter().any(|l| &l.code == code) && !unreadable.contains(code) {
            problems.push(
                Diagnostic::error(format!("`{code}` is not a site language"))
                    .in_file(site)
                    .at(line_of("title"), 1)
                    .hint("give titles and descriptions only for languages that have an i18n/<lang>.yaml"),
            );
        }
    }
    if let Some(theme) = &raw.theme {
        if crate::paths::check_segment(theme).is_err() {
            problems.push(
                Diagnostic::error(format!("theme `{theme}` is not a folder name"))
                    .in_file(site)
                    .at(line_of("theme"), 1)
                    .hint("a theme is a folder directly under themes/: write its name alone, e.g. `theme: icc`"),
            );
        } else if !root.join("themes").join(theme).join("templates").is_dir() {
            problems.push(
                Diagnostic::error(format!("theme `{theme}` not found"))
                    .in_file(site)
                    .at(line_of("theme"), 1)
                    .hint(format!("create themes/{theme}/templates/, or remove `theme:` to use the built-in theme")),
            );
        }
    }
    Some(Config {
        root: root.to_path_buf(),
        base_url,
        default_language: raw.default_language,
        languages,
        titles,
        descriptions,
        theme: raw.theme,
        taxonomies: raw.taxonomies,
        paginate: raw.paginate.max(1),
        extra: raw.extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags() {
        assert!(is_language_tag("fr"));
        assert!(is_language_tag("pt-BR"));
        assert!(!is_language_tag("index"));
        assert!(!is_language_tag("FR"));
        assert!(!is_language_tag("a"));
    }

    #[test]
    fn parses_a_language_with_plurals() {
        let text = "name: Polski\nstrings:\n  documents:\n    one: \"{count} dokument\"\n    few: \"{count} dokumenty\"\n    other: \"{count} dokumentów\"\n";
        let lang = parse_language("pl", Path::new("i18n/pl.yaml"), text).unwrap();
        assert_eq!(lang.name, "Polski");
        assert_eq!(lang.dir, Direction::Ltr);
        assert!(matches!(lang.strings["documents"], UiString::Plural(_)));
    }

    #[test]
    fn rejects_a_plural_without_other() {
        let text = "name: X\nstrings:\n  docs:\n    one: a\n";
        let err = parse_language("fr", Path::new("i18n/fr.yaml"), text).unwrap_err();
        assert_eq!(err[0].line, 3);
        assert!(err[0].message.contains("no `other` form"));
    }

    #[test]
    fn unknown_key_is_named_with_a_suggestion() {
        let err =
            parse_language("fr", Path::new("i18n/fr.yaml"), "name: X\ndri: rtl\n").unwrap_err();
        assert_eq!(err[0].message, "unknown key `dri`");
        assert_eq!(err[0].hint.as_deref(), Some("did you mean `dir`?"));
        assert_eq!((err[0].line, err[0].column), (2, 1));
    }
}
