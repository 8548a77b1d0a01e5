//! The ICC site's content is the seed documents (tests/fixtures/seeds/, copied from the texts
//! the site was created from), converted faithfully: at least 97% of their paragraphs must
//! appear word for word in the built site, in the seed's language.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::html_pages;

/// Web-page chrome of the seeds: the theme's job, not content.
const CHROME: &[&str] = &[
    "Imprimer la page",
    "Imprimer en PDF",
    "Diminuer la taille du texte",
    "Augmenter la taille du texte",
    "Médias sociaux",
    "Suivez-nous",
    "Social media",
    "Social media Social media",
    "Retour",
];

/// Seed file prefix → the language it is written in.
const SEEDS: &[(&str, &str)] = &[
    ("000", "fr"),
    ("001", "en"),
    ("002", "fr"),
    ("003", "fr"),
    ("004", "fr"),
];

/// The visible text of a page: scripts and styles dropped, tags turned into spaces (block tags)
/// or nothing (inline tags), entities decoded, whitespace collapsed.
fn visible_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let tag_rest = &rest[start..];
        let lower: String = tag_rest
            .chars()
            .take(8)
            .collect::<String>()
            .to_ascii_lowercase();
        let footnote_mark = tag_rest.split('>').next().is_some_and(|t| {
            t.contains("footnote-reference") || t.contains("footnote-definition-label")
        });
        let skipped = ["script", "style"]
            .iter()
            .copied()
            .find(|s| lower.starts_with(&format!("<{s}")));
        let skipped = skipped.or_else(|| {
            footnote_mark.then(|| {
                if lower.starts_with("<sup") {
                    "sup"
                } else {
                    "span"
                }
            })
        });
        if let Some(skipped) = skipped {
            let close = format!("</{skipped}>");
            let end = tag_rest
                .find(&close)
                .map_or(tag_rest.len(), |e| e + close.len());
            if !footnote_mark {
                text.push(' ');
            }
            rest = &tag_rest[end..];
            continue;
        }
        let end = tag_rest.find('>').map_or(tag_rest.len(), |e| e + 1);
        let name: String = tag_rest[1..end]
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let inline = matches!(
            name.to_ascii_lowercase().as_str(),
            "a" | "em"
                | "strong"
                | "b"
                | "i"
                | "span"
                | "code"
                | "sup"
                | "sub"
                | "abbr"
                | "time"
                | "del"
                | "mark"
                | "q"
                | "small"
        );
        if !inline {
            text.push(' ');
        }
        rest = &tag_rest[end..];
    }
    text.push_str(rest);
    collapse(&decode(&text))
}

fn decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let entity = &after[1..e];
            match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ if entity.starts_with("#x") => u32::from_str_radix(&entity[2..], 16)
                    .ok()
                    .and_then(char::from_u32),
                _ if entity.starts_with('#') => entity[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            }
        });
        match (decoded, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whitespace collapsed, and typography made neutral: the site adds the spaces and quotation
/// marks of each language (no-break spaces before `; : ! ?`, « » for "…"), which is
/// presentation, not a change of words.
fn collapse(text: &str) -> String {
    let spaced = text
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let chars: Vec<char> = spaced
        .chars()
        .map(|c| if "«»“”„".contains(c) { '"' } else { c })
        .collect();
    let mut out = String::with_capacity(spaced.len());
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let previous = i.checked_sub(1).map(|p| chars[p]);
        let before_punctuation = c == ' ' && next.is_some_and(|n| ";:!?\"".contains(n));
        let after_quote = c == ' ' && previous == Some('"');
        if !before_punctuation && !after_quote {
            out.push(c);
        }
    }
    out
}

/// A seed line as it should read in the site: list markers, link syntax without target,
/// escapes, bold markers and footnote markers removed.
fn normalize_seed_line(line: &str) -> String {
    let mut l = line.trim();
    l = l.strip_prefix("Retour ").unwrap_or(l);
    for marker in ["- ", "• ", "* "] {
        if let Some(rest) = l.strip_prefix(marker) {
            l = rest;
        }
    }
    let mut out = String::new();
    let mut rest = l;
    // `[text](#)`: a link the seed gives no target for.
    while let Some(start) = rest.find('[') {
        match rest[start..].find("](#)") {
            Some(close) => {
                out.push_str(&rest[..start]);
                out.push_str(&rest[start + 1..start + close]);
                rest = &rest[start + close + 4..];
            }
            None => {
                out.push_str(&rest[..=start]);
                rest = &rest[start + 1..];
            }
        }
    }
    out.push_str(rest);
    let out = out
        .replace("\\(", "(")
        .replace("\\)", ")")
        .replace("**", "");
    let out = remove_superscript_markup(&out);
    let out: String = out.chars().filter(|c| !"¹²³⁴⁵⁶⁷⁸⁹⁰".contains(*c)).collect();
    let out = strip_numbered_marker(&out);
    collapse(&out)
}

/// `1^{er}` and `2^e` (the seeds' superscript markup) read `1er` and `2e` on the page.
fn remove_superscript_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('^') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        if let Some(braced) = rest.strip_prefix('{') {
            let end = braced.find('}').unwrap_or(braced.len());
            out.push_str(&braced[..end]);
            rest = braced.get(end + 1..).unwrap_or("");
        }
    }
    out.push_str(rest);
    out
}

fn strip_numbered_marker(line: &str) -> String {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && line[digits..].starts_with(". ") {
        line[digits + 2..].to_string()
    } else {
        line.to_string()
    }
}

#[test]
fn the_seed_paragraphs_appear_word_for_word_in_the_built_site() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (_dir, out) = crate::common::built_icc_site();
    let mut text_by_language: BTreeMap<&str, String> = BTreeMap::new();
    for (path, html) in html_pages(&out) {
        let lang = path.split('/').next().unwrap_or_default();
        if let Some((_, lang)) = SEEDS.iter().find(|(_, l)| *l == lang) {
            let text = text_by_language.entry(lang).or_default();
            text.push_str(&visible_text(&html));
            text.push('\n');
        }
    }
    let seeds = repo.join("tests/fixtures/seeds");
    let (mut found, mut total) = (0, 0);
    let mut report = String::new();
    for (prefix, lang) in SEEDS {
        let file = std::fs::read_dir(&seeds)
            .unwrap()
            .filter_map(Result::ok)
            .find(|e| e.file_name().to_string_lossy().starts_with(prefix))
            .unwrap_or_else(|| panic!("seed {prefix} missing"));
        let seed = std::fs::read_to_string(file.path()).unwrap();
        let site_text = &text_by_language[lang];
        let lines: Vec<String> = seed
            .lines()
            .map(normalize_seed_line)
            .filter(|l| !l.is_empty() && !CHROME.contains(&l.as_str()))
            .collect();
        let missing: Vec<&String> = lines
            .iter()
            .filter(|l| !site_text.contains(l.as_str()))
            .collect();
        found += lines.len() - missing.len();
        total += lines.len();
        report.push_str(&format!(
            "seed {prefix} ({lang}): {}/{} paragraphs\n",
            lines.len() - missing.len(),
            lines.len()
        ));
        for line in missing {
            report.push_str(&format!(
                "  missing: {}\n",
                line.chars().take(120).collect::<String>()
            ));
        }
    }
    eprintln!("{report}");
    assert!(
        found * 100 >= total * 97,
        "only {found}/{total} seed paragraphs found:\n{report}"
    );
}

#[test]
fn seed_lines_are_normalized_like_the_site_shows_them() {
    assert_eq!(
        normalize_seed_line("- [Manuel sur la conception](#) (mise en page)"),
        "Manuel sur la conception (mise en page)"
    );
    assert_eq!(
        normalize_seed_line("Texte¹ avec \\(note\\)"),
        "Texte avec (note)"
    );
    assert_eq!(
        normalize_seed_line("le 1^{er} janvier, la 2^e réunion"),
        "le 1er janvier, la 2e réunion"
    );
    assert_eq!(
        visible_text("<p>Un <strong>mot</strong></p><p>l&#39;autre&nbsp;x</p><script>no</script>"),
        "Un mot l'autre x"
    );
    assert_eq!(
        collapse("le «\u{202F}Diversitours\u{202F}» et quoi\u{202F}?"),
        collapse("le \"Diversitours\" et quoi?")
    );
}
