//! Splitting a content file into YAML front matter and Markdown body, and parsing the YAML
//! into a [`FrontMatter`]. Pure functions on strings, so tests need no files.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Deserializer};

use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::yaml::{top_level_key_lines, yaml_diagnostic};

/// The keys intercite itself understands; taxonomy names from `site.yaml` come on top.
pub const KNOWN_KEYS: &[&str] = &[
    "title",
    "date",
    "end_date",
    "updated",
    "place",
    "summary",
    "slug",
    "draft",
    "original",
    "translation_key",
    "translation_of",
    "attachments",
    "aliases",
    "weight",
    "template",
    "extra",
];

/// A calendar date, validated (no 30 February).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`, optionally followed by a time (`T10:00:00Z`, ` 10:00`), which is
    /// accepted and ignored: documents are dated by day.
    pub fn parse(text: &str) -> Result<Date, String> {
        let text = text.trim();
        let date_part = text.get(..10).unwrap_or(text);
        let rest = text.get(10..).unwrap_or("");
        if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
            return Err(format!("`{text}` is not a date"));
        }
        let parts: Vec<&str> = date_part.split('-').collect();
        let bad = || format!("`{text}` is not a date in the form YYYY-MM-DD");
        if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
            return Err(bad());
        }
        let year: i32 = parts[0].parse().map_err(|_| bad())?;
        let month: u8 = parts[1].parse().map_err(|_| bad())?;
        let day: u8 = parts[2].parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) {
            return Err(format!("`{text}`: there is no month {month}"));
        }
        let days = days_in_month(year, month);
        if day == 0 || day > days {
            return Err(format!("`{text}`: month {month} of {year} has {days} days"));
        }
        Ok(Date { year, month, day })
    }

    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

pub(crate) fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A file attached to a version (the PDF of a report in that language).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum AttachmentSpec {
    File(String),
    Described {
        file: String,
        #[serde(default)]
        title: Option<String>,
        /// The file's language when it is not the version's (a French page offering the
        /// English report).
        #[serde(default)]
        lang: Option<String>,
    },
}

impl AttachmentSpec {
    pub fn file(&self) -> &str {
        match self {
            AttachmentSpec::File(file) | AttachmentSpec::Described { file, .. } => file,
        }
    }
    pub fn title(&self) -> Option<&str> {
        match self {
            AttachmentSpec::File(_) => None,
            AttachmentSpec::Described { title, .. } => title.as_deref(),
        }
    }

    pub fn lang(&self) -> Option<&str> {
        match self {
            AttachmentSpec::File(_) => None,
            AttachmentSpec::Described { lang, .. } => lang.as_deref(),
        }
    }
}

/// What a translation records about the original it was made from (see `intercite new --translate`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TranslationOf {
    pub lang: String,
    /// Hash of the original's body when the translation was made.
    pub hash: String,
}

/// The front matter of one version, validated.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct FrontMatter {
    pub title: String,
    #[serde(default)]
    pub date: Option<Date>,
    #[serde(default)]
    pub end_date: Option<Date>,
    #[serde(default)]
    pub updated: Option<Date>,
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub original: Option<String>,
    #[serde(default)]
    pub translation_key: Option<String>,
    #[serde(default)]
    pub translation_of: Option<TranslationOf>,
    #[serde(default)]
    pub attachments: Vec<AttachmentSpec>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub weight: Option<i64>,
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default)]
    pub extra: serde_yaml::Value,
    /// Taxonomy name → term keys; filled from the taxonomy keys declared in `site.yaml`.
    #[serde(skip)]
    pub taxonomies: BTreeMap<String, Vec<String>>,
    /// Line in the file of each top-level key, for later messages (e.g. a bad slug).
    #[serde(skip)]
    pub key_lines: BTreeMap<String, usize>,
}

impl FrontMatter {
    /// The file line of a front matter key, or the first front matter line.
    pub fn line_of(&self, key: &str) -> usize {
        self.key_lines.get(key).copied().unwrap_or(2)
    }
}

/// A content file cut in two.
#[derive(Debug, PartialEq)]
pub struct Split<'a> {
    pub yaml: &'a str,
    /// File line (1-based) of the YAML's first line.
    pub yaml_line: usize,
    pub body: &'a str,
    /// File line (1-based) of the body's first line.
    pub body_line: usize,
}

/// Splits `---\nyaml\n---\nbody`. A leading BOM and CRLF line ends are accepted.
pub fn split(text: &str) -> Result<Split<'_>, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_line_end].trim_end() != "---" {
        return Err(Diagnostic::error("the file does not start with front matter")
            .at(1, 1)
            .hint("start the file with a line `---`, then `title: …`, then a closing `---` line before the text"));
    }
    let yaml_start = first_line_end;
    let mut offset = yaml_start;
    let mut line = 2;
    while offset < text.len() {
        let end = text[offset..]
            .find('\n')
            .map_or(text.len(), |i| offset + i + 1);
        if text[offset..end].trim_end() == "---" {
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_line: 2,
                body: &text[end..],
                body_line: line + 1,
            });
        }
        offset = end;
        line += 1;
    }
    Err(Diagnostic::error("the front matter is never closed")
        .at(1, 1)
        .hint("add a line `---` after the last front matter key"))
}

/// Parses the YAML of a front matter. `taxonomies` are the extra keys `site.yaml` declares.
pub fn parse(
    yaml: &str,
    yaml_line: usize,
    file: &Path,
    taxonomies: &[String],
) -> Result<FrontMatter, Vec<Diagnostic>> {
    // Tabs are the most common YAML mistake of editors; serde_yaml's message for them is obscure.
    if let Some((index, line)) = yaml.lines().enumerate().find(|(_, l)| {
        l.chars()
            .take_while(|c| c.is_whitespace())
            .any(|c| c == '\t')
    }) {
        let column = line.find('\t').map_or(1, |c| c + 1);
        return Err(vec![Diagnostic::error("a tab character indents this line")
            .in_file(file)
            .at(yaml_line + index, column)
            .hint(
                "YAML indentation must use spaces: replace the tab with spaces",
            )]);
    }
    // YAML counts a lone carriage return as a line break, Rust's `lines()` and editors do not:
    // the positions in YAML's errors would point past the end of the file.
    if let Some(offset) = yaml
        .match_indices('\r')
        .map(|(i, _)| i)
        .find(|&i| yaml.as_bytes().get(i + 1) != Some(&b'\n'))
    {
        let (line, column) = crate::diagnostics::line_col(yaml, offset);
        return Err(vec![Diagnostic::error(
            "a carriage return without a line feed (an old Mac line end) in the front matter",
        )
        .in_file(file)
        .at(yaml_line + line - 1, column)
        .hint("save the file with LF or CRLF line ends (an editor setting)")]);
    }
    let mut known: Vec<&str> = KNOWN_KEYS.to_vec();
    known.extend(taxonomies.iter().map(String::as_str));
    let value: serde_yaml::Value = match serde_yaml::from_str(yaml) {
        Ok(value) => value,
        Err(e) => return Err(vec![yaml_diagnostic(&e, file, yaml_line, &known)]),
    };
    let key_lines: BTreeMap<String, usize> = top_level_key_lines(yaml)
        .into_iter()
        .map(|(k, l)| (k, l + yaml_line - 1))
        .collect();
    let line_of = |key: &str| key_lines.get(key).copied().unwrap_or(yaml_line);
    let mapping = match value {
        serde_yaml::Value::Mapping(m) => m,
        serde_yaml::Value::Null => serde_yaml::Mapping::new(),
        _ => {
            return Err(vec![Diagnostic::error(
                "the front matter is not a list of `key: value` lines",
            )
            .in_file(file)
            .at(yaml_line, 1)
            .hint("write one `key: value` per line, starting with `title: …`")])
        }
    };
    let mut problems = Vec::new();
    let mut terms = BTreeMap::new();
    for (key, value) in &mapping {
        let Some(key) = key.as_str() else {
            problems.push(
                Diagnostic::error("a front matter key is not text")
                    .in_file(file)
                    .at(yaml_line, 1),
            );
            continue;
        };
        if taxonomies.iter().any(|t| t == key) {
            match term_list(value) {
                Some(list) => {
                    terms.insert(key.to_string(), list);
                }
                None => problems.push(
                    Diagnostic::error(format!("`{key}` must be a list of term keys"))
                        .in_file(file)
                        .at(line_of(key), 1)
                        .hint(format!("write e.g. `{key}: [paris, montreal]`; names per language go in i18n/<lang>.yaml under `terms:`")),
                ),
            }
        } else if matches!(key, "date" | "end_date" | "updated") {
            if let Some(Err(why)) = value.as_str().map(Date::parse) {
                problems.push(
                    Diagnostic::error(format!("invalid `{key}`: {why}"))
                        .in_file(file)
                        .at(line_of(key), 1)
                        .hint("write the date as YYYY-MM-DD, e.g. `2023-11-14`"),
                );
            }
        } else if !KNOWN_KEYS.contains(&key) {
            let d = Diagnostic::error(format!("unknown front matter key `{key}`"))
                .in_file(file)
                .at(line_of(key), 1);
            problems.push(match did_you_mean(key, known.iter().copied()) {
                Some(close) => d.hint(format!("did you mean `{close}`?")),
                None => d.hint(format!(
                    "known keys: {}; put your own data under `extra:`",
                    known.join(", ")
                )),
            });
        }
    }
    if !mapping.contains_key("title") {
        problems.push(
            Diagnostic::error("the front matter has no `title`")
                .in_file(file)
                .at(yaml_line, 1)
                .hint("add a line `title: …` between the `---` lines"),
        );
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // The known keys are read from the value parsed above rather than from the text again: a
    // second parse was most of this function's time. The text is read again only when that
    // fails, for serde's answer from the text: its type errors carry positions, and it takes a
    // plain scalar such as `title: 2023` as the text a field asks for, where the value holds a
    // number.
    let from_value = serde_yaml::from_value(serde_yaml::Value::Mapping(mapping)).ok();
    let mut front: FrontMatter = match from_value {
        Some(front) => front,
        None => match serde_yaml::from_str(yaml) {
            Ok(front) => front,
            Err(e) => return Err(vec![yaml_diagnostic(&e, file, yaml_line, &known)]),
        },
    };
    if front.title.trim().is_empty() {
        return Err(vec![Diagnostic::error("the title is empty")
            .in_file(file)
            .at(line_of("title"), 1)
            .hint("write the document's title after `title:`")]);
    }
    front.taxonomies = terms;
    front.key_lines = key_lines;
    Ok(front)
}

fn term_list(value: &serde_yaml::Value) -> Option<Vec<String>> {
    match value {
        serde_yaml::Value::String(s) => Some(vec![s.clone()]),
        serde_yaml::Value::Sequence(items) => items
            .iter()
            .map(|item| match item {
                serde_yaml::Value::String(s) => Some(s.clone()),
                serde_yaml::Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        serde_yaml::Value::Null => Some(Vec::new()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(yaml: &str) -> Result<FrontMatter, Vec<Diagnostic>> {
        parse(yaml, 2, Path::new("content/a.md"), &["cities".to_string()])
    }

    #[test]
    fn splits_front_matter_and_body() {
        let s = split("\u{feff}---\r\ntitle: A\r\n---\r\nHello\r\n").unwrap();
        assert_eq!(s.yaml, "title: A\r\n");
        assert_eq!(s.body, "Hello\r\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let e = split("---\ntitle: A\n").unwrap_err();
        assert!(e.message.contains("never closed"));
    }

    #[test]
    fn parses_known_keys_and_taxonomies() {
        let f =
            parse_str("title: Réunion\ndate: 2016-09-15\ncities: [reykjavik, paris]\n").unwrap();
        assert_eq!(f.title, "Réunion");
        assert_eq!(
            f.date,
            Some(Date {
                year: 2016,
                month: 9,
                day: 15
            })
        );
        assert_eq!(f.taxonomies["cities"], vec!["reykjavik", "paris"]);
        assert_eq!(f.line_of("cities"), 4);
    }

    #[test]
    fn unknown_key_names_line_and_suggestion() {
        let e = parse_str("title: A\ndtae: 2016-01-01\n").unwrap_err();
        assert_eq!(e[0].message, "unknown front matter key `dtae`");
        assert_eq!(e[0].line, 3);
        assert_eq!(e[0].hint.as_deref(), Some("did you mean `date`?"));
    }

    #[test]
    fn impossible_date_is_located() {
        let e = parse_str("title: A\ndate: 2023-02-30\n").unwrap_err();
        assert!(
            e[0].message.contains("month 2 of 2023 has 28 days"),
            "{}",
            e[0]
        );
        assert_eq!(e[0].line, 3);
    }

    #[test]
    fn missing_title_and_tabs() {
        assert!(parse_str("date: 2020-01-01\n").unwrap_err()[0]
            .message
            .contains("no `title`"));
        let e = parse_str("title: A\nextra:\n\tx: 1\n").unwrap_err();
        assert_eq!((e[0].line, e[0].column), (4, 1));
    }

    #[test]
    fn keys_read_from_the_parsed_value_are_those_read_from_the_text() {
        let yaml =
            "title: \"Réunion\"\ndate: 2016-09-15\nplace: Oslo\nsummary: >-\n  Two\n  lines\n\
                    draft: false\nweight: 3\nslug: a-b\noriginal: fr\naliases: [/x/]\n\
                    attachments:\n  - report.pdf\n  - { file: b.pdf, title: B, lang: en }\n\
                    translation_of: { lang: fr, hash: abc }\nextra: { a: [1, two], b: ~ }\n";
        let from_text: FrontMatter = serde_yaml::from_str(yaml).unwrap();
        // The quick way is taken for such front matter.
        let value: serde_yaml::Value = serde_yaml::from_str(yaml).unwrap();
        assert_eq!(
            serde_yaml::from_value::<FrontMatter>(value).unwrap(),
            from_text
        );
        let mut parsed = parse_str(yaml).unwrap();
        parsed.key_lines = BTreeMap::new();
        assert_eq!(parsed, from_text);
        // Plain scalars that YAML reads as numbers or booleans are still the text a field
        // asks for.
        let f = parse_str("title: 2023\ntranslation_of: { lang: fr, hash: 1234 }\nplace: true\n")
            .unwrap();
        assert_eq!(f.title, "2023");
        assert_eq!(f.translation_of.unwrap().hash, "1234");
        assert_eq!(f.place.as_deref(), Some("true"));
    }

    #[test]
    fn wrong_type_is_located() {
        let e = parse_str("title: A\ndraft: [1]\n").unwrap_err();
        assert_eq!(e[0].line, 3, "{}", e[0]);
    }

    #[test]
    fn dates() {
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(Date::parse("2023-13-01").is_err());
        assert!(Date::parse("2023-1-01").is_err());
        assert_eq!(
            Date::parse("2023-11-14T10:00:00Z").unwrap().iso(),
            "2023-11-14"
        );
    }
}
