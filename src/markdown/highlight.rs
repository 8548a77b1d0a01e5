//! Code highlighting with syntect, emitting CSS classes (the theme ships the colours).
//!
//! The syntax set is loaded once per process: it is immutable and costs tens of
//! milliseconds to load, far more than highlighting a page.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// The prefix of every highlighting class, so they cannot clash with the theme's own.
pub const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    SYNTAXES.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// A `<pre>` block for `code` in `lang` (highlighted when syntect knows the language).
pub fn code_block(lang: &str, code: &str) -> String {
    let lang = lang.split([',', ' ']).next().unwrap_or("").trim();
    let syntaxes = syntaxes();
    let escaped_lang = crate::markdown::escape_attr(lang);
    if let Some(syntax) = (!lang.is_empty())
        .then(|| syntaxes.find_syntax_by_token(lang))
        .flatten()
    {
        let mut generator =
            ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes, CLASS_STYLE);
        let mut ok = true;
        for line in LinesWithEndings::from(code) {
            if generator
                .parse_html_for_line_which_includes_newline(line)
                .is_err()
            {
                ok = false;
                break;
            }
        }
        if ok {
            return format!(
                "<pre class=\"code\" data-lang=\"{escaped_lang}\"><code class=\"language-{escaped_lang}\">{}</code></pre>\n",
                generator.finalize()
            );
        }
    }
    let class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{escaped_lang}\"")
    };
    format!(
        "<pre class=\"code\"><code{class}>{}</code></pre>\n",
        crate::markdown::escape_text(code)
    )
}

/// The CSS for the highlighting classes (light theme), written to the output as `syntax.css`.
pub fn stylesheet() -> String {
    let themes = syntect::highlighting::ThemeSet::load_defaults();
    themes
        .themes
        .get("InspiredGitHub")
        .and_then(|theme| syntect::html::css_for_theme_with_class_style(theme, CLASS_STYLE).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_known_languages_with_classes() {
        let html = code_block("rust", "fn main() {}\n");
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(html.starts_with("<pre class=\"code\" data-lang=\"rust\">"));
    }

    #[test]
    fn escapes_unknown_languages() {
        let html = code_block("nonexistent", "<b>&</b>");
        assert_eq!(html, "<pre class=\"code\"><code class=\"language-nonexistent\">&lt;b&gt;&amp;&lt;/b&gt;</code></pre>\n");
    }
}
