//! Everything language-specific that templates ask for: UI strings with CLDR plurals, localized
//! dates, and the check that every language has the default language's strings.

pub mod cldr;

use std::collections::HashMap;

use crate::config::{Config, UiString};
use crate::diagnostics::Diagnostic;
pub use cldr::Cldr;

/// UI strings of the built-in theme, used only when neither the page's language nor the default
/// language defines them, so a site with no strings of its own still builds.
const BUILT_IN: &[(&str, &str)] = &[
    ("skip_to_content", "Skip to content"),
    ("languages", "Languages"),
    ("home", "Home"),
    ("contents", "Contents"),
    ("attachments", "Attachments"),
    ("not_available_title", "Not available in this language"),
    (
        "not_available",
        "This document is not available in this language.",
    ),
    ("available_in", "Available in"),
    ("previous", "Previous"),
    ("next", "Next"),
    ("page_not_found", "Page not found"),
    ("choose_language", "Choose your language"),
    ("recent", "Recent documents"),
    ("sections", "Sections"),
    ("feed", "Atom feed"),
    ("redirecting", "This page has moved"),
    ("no_documents", "No documents yet."),
    ("size_kb", "{size} KB"),
    ("cite_this", "Cite this document"),
    ("download_bibtex", "Download BibTeX"),
    ("download_ris", "Download RIS"),
    ("size_mb", "{size} MB"),
    ("status_title", "Translation status"),
    (
        "status_intro",
        "Every document in every language. A translation is outdated when its original has changed since it was translated.",
    ),
    ("status_caption", "Documents by language"),
    ("status_document", "Document"),
    ("status_language", "Language"),
    ("status_original", "original"),
    ("status_current", "current"),
    ("status_outdated", "outdated"),
    ("status_missing", "missing"),
    ("status_totals", "Totals by language"),
];

/// The strings and CLDR data of every site language, shared by all rendering threads.
pub struct I18n {
    config_languages: Vec<(String, std::collections::BTreeMap<String, UiString>, String)>,
    default_language: String,
    pub cldr: Cldr,
}

/// Why a UI string could not be produced.
#[derive(Debug, PartialEq)]
pub enum StringError {
    Unknown(String),
}

impl I18n {
    /// Adds the UI strings to a build's fingerprint (see [`crate::templates::fingerprint`]);
    /// the rest of what this holds follows from `site.yaml`, which the fingerprint has.
    pub fn fingerprint(&self, fingerprint: &mut crate::templates::fingerprint::Fingerprint) {
        // Ordered collections all the way down, so the text is the same for the same strings.
        fingerprint.add(&format!(
            "{:?}{}",
            self.config_languages, self.default_language
        ));
    }

    pub fn new(config: &Config) -> Result<I18n, Diagnostic> {
        let locales: Vec<&str> = config.languages.iter().map(|l| l.locale.as_str()).collect();
        let cldr = Cldr::new(&locales).map_err(|e| {
            Diagnostic::error(format!("CLDR data cannot be loaded: {e}"))
                .hint("check `locale:` in the i18n files: it must be a BCP-47 tag such as `fr` or `pt-BR`")
        })?;
        Ok(I18n {
            config_languages: config
                .languages
                .iter()
                .map(|l| (l.code.clone(), l.strings.clone(), l.locale.clone()))
                .collect(),
            default_language: config.default_language.clone(),
            cldr,
        })
    }

    fn strings(&self, lang: &str) -> Option<(&std::collections::BTreeMap<String, UiString>, &str)> {
        self.config_languages
            .iter()
            .find(|(code, _, _)| code == lang)
            .map(|(_, strings, locale)| (strings, locale.as_str()))
    }

    /// Every UI string of every site language as [`I18n::translate`] gives it without a count
    /// or arguments: language → key → text. What `t(key=…)` returns most of the time, worked out
    /// once instead of some thirty times per page.
    pub fn plain_strings(&self) -> HashMap<String, HashMap<String, String>> {
        let keys: std::collections::BTreeSet<&str> = self
            .config_languages
            .iter()
            .flat_map(|(_, strings, _)| strings.keys().map(String::as_str))
            .chain(BUILT_IN.iter().map(|(key, _)| *key))
            .collect();
        self.config_languages
            .iter()
            .map(|(lang, _, _)| {
                let texts = keys
                    .iter()
                    .filter_map(|&key| {
                        let text = self.translate(lang, key, None, &[]).ok()?;
                        Some((key.to_string(), text))
                    })
                    .collect();
                (lang.clone(), texts)
            })
            .collect()
    }

    /// The CLDR locale of a site language.
    pub fn locale<'a>(&'a self, lang: &'a str) -> &'a str {
        self.strings(lang).map_or(lang, |(_, locale)| locale)
    }

    /// UI string `key` in `lang`, with `{count}` and the other `args` filled in. Falls back to
    /// the default language (`check` warns about it: see [`I18n::missing_keys`]), then to the built-in theme's English.
    pub fn translate(
        &self,
        lang: &str,
        key: &str,
        count: Option<i64>,
        args: &[(String, String)],
    ) -> Result<String, StringError> {
        let (found, used_locale) = match self.lookup(lang, key) {
            Some((value, locale)) => (Some(value), locale),
            None => (None, "en"),
        };
        let template: String = match found {
            Some(UiString::Plain(text)) => text.clone(),
            Some(UiString::Plural(forms)) => {
                let category = self.cldr.plural_category(used_locale, count.unwrap_or(0));
                forms
                    .get(category)
                    .or_else(|| forms.get("other"))
                    .cloned()
                    .unwrap_or_default()
            }
            None => BUILT_IN
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
                .ok_or_else(|| StringError::Unknown(key.to_string()))?,
        };
        let mut text = template;
        if let Some(count) = count {
            text = text.replace(
                "{count}",
                &self.cldr.format_number(self.locale(lang), count),
            );
        }
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        Ok(text)
    }

    /// The plural forms of UI string `key` in `lang`, category → text with `{count}` left in
    /// place, for a script that counts in the browser (with `Intl.PluralRules`, the same CLDR
    /// categories). Same fallbacks as [`I18n::translate`]; a plain string is its `other` form.
    pub fn plural_forms(
        &self,
        lang: &str,
        key: &str,
    ) -> Result<std::collections::BTreeMap<String, String>, StringError> {
        match self.lookup(lang, key) {
            Some((UiString::Plural(forms), _)) => Ok(forms.clone()),
            Some((UiString::Plain(text), _)) => Ok([("other".to_string(), text.clone())].into()),
            None => BUILT_IN
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| [("other".to_string(), v.to_string())].into())
                .ok_or_else(|| StringError::Unknown(key.to_string())),
        }
    }

    /// UI string `key` of `lang`, else of the default language, with the locale it is written for.
    fn lookup(&self, lang: &str, key: &str) -> Option<(&UiString, &str)> {
        let find = |lang: &str| {
            self.strings(lang)
                .and_then(|(strings, locale)| strings.get(key).map(|v| (v, locale)))
        };
        find(lang).or_else(|| find(&self.default_language))
    }

    /// Keys the default language defines and another language lacks (checked without rendering).
    pub fn missing_keys(config: &Config) -> Vec<Diagnostic> {
        let default = config.default_lang();
        let mut problems = Vec::new();
        for language in &config.languages {
            if language.code == default.code {
                continue;
            }
            for key in default.strings.keys() {
                if !language.strings.contains_key(key) {
                    problems.push(
                        Diagnostic::warning(format!(
                            "UI string `{key}` is missing in `{}`",
                            language.code
                        ))
                        .in_file(&language.file)
                        .hint(format!(
                            "add `{key}:` under `strings:`; until then the {} text is shown",
                            default.code
                        )),
                    );
                }
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_language;
    use std::path::Path;

    fn config() -> Config {
        let fr = parse_language(
            "fr",
            Path::new("i18n/fr.yaml"),
            "name: Français\nstrings:\n  hello: Bonjour {name}\n  docs:\n    one: \"{count} document\"\n    other: \"{count} documents\"\n",
        )
        .unwrap();
        let pl = parse_language(
            "pl",
            Path::new("i18n/pl.yaml"),
            "name: Polski\nstrings:\n  docs:\n    one: \"{count} dokument\"\n    few: \"{count} dokumenty\"\n    many: \"{count} dokumentów\"\n    other: \"{count} dokumentu\"\n",
        )
        .unwrap();
        Config {
            root: ".".into(),
            base_url: "https://example.org".into(),
            default_language: "fr".into(),
            languages: vec![fr, pl],
            titles: Default::default(),
            descriptions: Default::default(),
            theme: None,
            taxonomies: vec![],
            paginate: 10,
            extra: Default::default(),
        }
    }

    #[test]
    fn plurals_follow_cldr_rules() {
        let i18n = I18n::new(&config()).unwrap();
        assert_eq!(
            i18n.translate("fr", "docs", Some(0), &[]).unwrap(),
            "0 document"
        );
        assert_eq!(
            i18n.translate("fr", "docs", Some(2), &[]).unwrap(),
            "2 documents"
        );
        assert_eq!(
            i18n.translate("pl", "docs", Some(1), &[]).unwrap(),
            "1 dokument"
        );
        assert_eq!(
            i18n.translate("pl", "docs", Some(3), &[]).unwrap(),
            "3 dokumenty"
        );
        assert_eq!(
            i18n.translate("pl", "docs", Some(5), &[]).unwrap(),
            "5 dokumentów"
        );
    }

    #[test]
    fn plural_forms_are_given_whole_to_scripts() {
        let i18n = I18n::new(&config()).unwrap();
        let forms = i18n.plural_forms("pl", "docs").unwrap();
        assert_eq!(forms["few"], "{count} dokumenty");
        assert_eq!(forms.len(), 4);
        let plain = i18n.plural_forms("pl", "hello").unwrap();
        assert_eq!(plain["other"], "Bonjour {name}");
        assert!(i18n.plural_forms("pl", "nope").is_err());
    }

    #[test]
    fn missing_strings_fall_back_and_are_recorded() {
        let config = config();
        let i18n = I18n::new(&config).unwrap();
        let args = [("name".to_string(), "Ewa".to_string())];
        assert_eq!(
            i18n.translate("pl", "hello", None, &args).unwrap(),
            "Bonjour Ewa"
        );
        assert_eq!(
            i18n.translate("pl", "skip_to_content", None, &[]).unwrap(),
            "Skip to content"
        );
        assert_eq!(
            i18n.translate("pl", "nope", None, &[]),
            Err(StringError::Unknown("nope".into()))
        );
        let missing = I18n::missing_keys(&config);
        assert_eq!(missing.len(), 1);
        assert!(missing[0].message.contains("`hello` is missing in `pl`"));
    }
}
