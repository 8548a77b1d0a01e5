//! Turning serde_yaml errors into diagnostics that point at the right line of the right file.
//!
//! Front matter sits a few lines into its file, so every YAML position is shifted by the line
//! where the YAML starts. serde_yaml's own message ends with " at line N column M", which we
//! drop because the diagnostic carries the place itself.

use std::path::Path;

use crate::diagnostics::{did_you_mean, Diagnostic};

/// A YAML error as a diagnostic; `first_line` is the file line holding the YAML's first line.
pub fn yaml_diagnostic(
    error: &serde_yaml::Error,
    file: &Path,
    first_line: usize,
    known_keys: &[&str],
) -> Diagnostic {
    let full = error.to_string();
    let message = without_positions(&full);
    let (line, column) = error
        .location()
        .map_or((first_line, 1), |l| (first_line + l.line() - 1, l.column()));
    let mut diagnostic;
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or_default();
        diagnostic = Diagnostic::error(format!("unknown key `{key}`"));
        diagnostic = match did_you_mean(key, known_keys.iter().copied()) {
            Some(close) => diagnostic.hint(format!("did you mean `{close}`?")),
            None => diagnostic.hint(format!("the known keys are: {}", known_keys.join(", "))),
        };
    } else if message.contains("found character that cannot start any token")
        || message.contains("found a tab character")
    {
        diagnostic = Diagnostic::error(format!("invalid YAML: {message}")).hint(
            "YAML indentation must use spaces, not tabs; check quotes and colons on this line",
        );
    } else if message.starts_with("duplicate") {
        diagnostic = Diagnostic::error(format!("invalid YAML: {message}"))
            .hint("each key may appear only once: remove or merge the repeated one");
    } else if message.contains("recursion limit") || message.contains("repetition limit") {
        diagnostic = Diagnostic::error(format!("invalid YAML: {message}"))
            .hint("the YAML nests or repeats aliases too deeply; write the values out plainly");
    } else if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or_default();
        diagnostic = Diagnostic::error(format!("the required key `{key}` is missing"))
            .hint(format!("add a line `{key}: …`"));
    } else if message.contains("expected struct TranslationOf") {
        diagnostic = Diagnostic::error(
            "`translation_of` must be a mapping with `lang` and `hash`".to_string(),
        )
        .hint("write it as `intercite new --translate` does: `translation_of: { lang: fr, hash: 9f2c… }`, or remove it");
    } else if message.contains("invalid type: ") || message.contains("invalid value: ") {
        diagnostic = Diagnostic::error(message.clone())
            .hint("check the value's type: text, a list `[a, b]`, a date `2023-11-14`, true/false");
    } else {
        diagnostic = Diagnostic::error(format!("invalid YAML: {message}"))
            .hint("check the indentation, quotes and colons around this line");
    }
    diagnostic.in_file(file).at(line, column)
}

/// `message` without serde_yaml's " at line N column M" (anywhere in it), since the
/// diagnostic carries the place itself, in the file's own numbering.
fn without_positions(message: &str) -> String {
    let mut out = message.to_string();
    while let Some(start) = out.find(" at line ") {
        let rest = &out[start + " at line ".len()..];
        let digits = |s: &str| s.chars().take_while(char::is_ascii_digit).count();
        let line_len = digits(rest);
        let after_line = &rest[line_len..];
        let Some(column) = after_line.strip_prefix(" column ") else {
            break;
        };
        let end = start + " at line ".len() + line_len + " column ".len() + digits(column);
        out.replace_range(start..end, "");
    }
    out
}

/// Line (1-based, within `yaml`) of each top-level key of a block mapping, by simple scanning.
/// Used to point at keys that serde has no position for (unknown taxonomy keys, bad terms).
pub fn top_level_key_lines(yaml: &str) -> Vec<(String, usize)> {
    let mut keys = Vec::new();
    for (index, line) in yaml.lines().enumerate() {
        let first = match line.chars().next() {
            Some(c) => c,
            None => continue,
        };
        if first.is_whitespace() || matches!(first, '#' | '-' | '[' | '{' | '}' | ']') {
            continue;
        }
        if let Some((key, _)) = line.split_once(':') {
            let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
            keys.push((key.to_string(), index + 1));
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_positions_wherever_serde_yaml_puts_them() {
        assert_eq!(
            without_positions(
                "found unexpected end of stream at line 2 column 1, while scanning a quoted scalar"
            ),
            "found unexpected end of stream, while scanning a quoted scalar"
        );
        assert_eq!(
            without_positions("invalid type: map at line 3 column 12"),
            "invalid type: map"
        );
        assert_eq!(without_positions("seen at line ten"), "seen at line ten");
    }

    #[test]
    fn finds_top_level_keys() {
        let yaml = "title: A\ncities:\n  - paris\n# note\n\"topics\": [x]\n";
        assert_eq!(
            top_level_key_lines(yaml),
            vec![
                ("title".to_string(), 1),
                ("cities".to_string(), 2),
                ("topics".to_string(), 5)
            ]
        );
    }

    #[test]
    fn shifts_error_lines_into_the_file() {
        let err = serde_yaml::from_str::<serde_yaml::Value>("a: 1\nb: [\n").unwrap_err();
        let d = yaml_diagnostic(&err, Path::new("x.md"), 2, &[]);
        assert_eq!(d.file.as_deref(), Some(Path::new("x.md")));
        assert!(d.line >= 2, "{d}");
        assert!(!d.message.contains(" at line "), "{d}");
    }
}
