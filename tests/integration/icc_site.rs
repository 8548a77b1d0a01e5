//! The real ICC site of this repository: it must check clean, build, and keep every
//! multilingual promise; its HTML must pass the Nu Html Checker.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{assert_reciprocal_hreflang, assert_switchers_complete, html_pages, tags, Run};

const LANGUAGES: [&str; 8] = ["fr", "en", "es", "it", "pl", "uk", "ja", "ar"];
const BASE_URL: &str = "https://www.coe.int/interculturalcities";
const BASE_PATH: &str = "/interculturalcities";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn intercite(args: &[&str]) -> Run {
    let mut command = assert_cmd::Command::cargo_bin("intercite").unwrap();
    command
        .args(args)
        .arg("--root")
        .arg(repo())
        .env("NO_COLOR", "1");
    Run::from(command.output().unwrap())
}

/// Builds the real site once per test into a temporary folder.
fn build() -> (tempfile::TempDir, PathBuf) {
    crate::common::built_icc_site()
}

#[test]
fn the_icc_site_checks_without_errors_or_warnings() {
    let run = intercite(&["check"]);
    run.assert_success();
    assert!(
        run.stderr.trim_end().ends_with("no errors, 0 warnings"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_icc_site_has_eight_languages_each_with_a_home_page() {
    let (_dir, out) = build();
    for lang in LANGUAGES {
        let home = std::fs::read_to_string(out.join(lang).join("index.html")).unwrap();
        let html = &tags(&home, "html")[0];
        assert_eq!(html["lang"], lang);
        assert_eq!(html["dir"], if lang == "ar" { "rtl" } else { "ltr" });
    }
}

#[test]
fn the_icc_site_keeps_its_multilingual_promises() {
    let (_dir, out) = build();
    let pages = html_pages(&out);
    let with_sets = assert_reciprocal_hreflang(&pages, BASE_URL, BASE_PATH);
    assert!(with_sets > 100, "{with_sets}");
    let documents = assert_switchers_complete(&pages, &LANGUAGES, BASE_URL, BASE_PATH);
    assert!(documents >= 100, "{documents}");
    for (path, html) in &pages {
        if path.starts_with("ar/") {
            assert_eq!(tags(html, "html")[0]["dir"], "rtl", "{path}");
        }
    }
    let reykjavik_fr = &pages["fr/reunions/2016-reykjavik/index.html"];
    let set = crate::common::alternates(reykjavik_fr);
    assert!(
        set.contains(&(
            "en".to_string(),
            format!("{BASE_URL}/en/meetings/2016-reykjavik/")
        )),
        "{set:?}"
    );
}

/// The Nu Html Checker (npm package vnu-jar, run with Java) on the whole built site. CI installs
/// it (`scripts/setup`); on a machine without it the test says so and fails only under CI.
#[test]
fn the_icc_site_is_valid_html() {
    let jar = repo().join("node_modules/vnu-jar/build/dist/vnu.jar");
    if !jar.is_file() || Command::new("java").arg("-version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the Nu Html Checker is missing: run scripts/setup"
        );
        eprintln!("skipped: the Nu Html Checker is not installed (run scripts/setup)");
        return;
    }
    let (_dir, out) = build();
    let output = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--skip-non-html", "--errors-only", "--format", "gnu"])
        .arg(&out)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && report.trim().is_empty(),
        "the Nu Html Checker found errors:\n{report}"
    );
}

/// The editors' translation status page (builds with drafts only) with the icc theme's
/// `base.html` around the built-in `status.html`: valid HTML, in the default language.
#[test]
fn the_icc_status_page_is_valid_html() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    intercite(&["build", "--drafts", "-o", out.to_str().unwrap()]).assert_success();
    let page = out.join("_status/index.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(tags(&html, "html")[0]["lang"], "fr");
    assert!(html.contains("État des traductions"), "{html}");
    crate::common::assert_valid_html(&page);
}

/// The visible text of a page, without `script`, `style`, `code` and `pre` (where typography
/// does not apply) and without tags (attributes are not text).
fn text_outside_code(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let tag = &rest[start..];
        let skipped = ["script", "style", "code", "pre"].into_iter().find(|name| {
            tag.strip_prefix('<')
                .and_then(|t| t.strip_prefix(name))
                .is_some_and(|after| after.starts_with([' ', '>']))
        });
        rest = match skipped {
            Some(name) => tag
                .find(&format!("</{name}>"))
                .map_or("", |end| &tag[end..]),
            None => tag.find('>').map_or("", |end| &tag[end + 1..]),
        };
        text.push('\u{1}');
    }
    text.push_str(rest);
    text.replace("&nbsp;", "\u{a0}")
}

#[test]
fn french_pages_have_french_typography() {
    let (_dir, out) = build();
    let pages = html_pages(&out);
    let mut narrow = 0;
    for (path, html) in pages.iter().filter(|(p, _)| p.starts_with("fr/")) {
        let text = text_outside_code(html);
        for punctuation in [';', ':', '!', '?', '»'] {
            assert!(
                !text.contains(&format!(" {punctuation}")),
                "{path}: a plain space before {punctuation}"
            );
        }
        narrow += text.matches('\u{202F}').count();
    }
    assert!(
        narrow > 50,
        "only {narrow} narrow no-break spaces in the French pages"
    );
    let bilbao = text_outside_code(&pages["fr/reunions/2023-bilbao/index.html"]);
    assert!(
        bilbao.contains("«\u{202F}Diversitours\u{202F}»"),
        "French quotation marks"
    );
}

#[test]
fn long_dates_are_localized_in_french_and_japanese() {
    let (_dir, out) = build();
    let pages = html_pages(&out);
    assert!(pages["fr/reunions/2023-bilbao/index.html"].contains("14 novembre 2023"));
    assert!(
        pages["ja/index.html"].contains("2023年11月14日"),
        "the Japanese home lists the 2023 report with a Japanese date"
    );
    assert!(pages["en/meetings/2016-reykjavik/index.html"].contains("15 September 2016"));
}

#[test]
fn french_document_pages_carry_citation_metadata() {
    let (_dir, out) = build();
    let page = std::fs::read_to_string(out.join("fr/reunions/2016-reykjavik/index.html")).unwrap();
    let metas = tags(&page, "meta");
    let named = |name: &str| {
        metas
            .iter()
            .find(|m| m.get("name").is_some_and(|n| n == name))
            .map(|m| m["content"].clone())
    };
    assert_eq!(
        named("citation_title").as_deref(),
        Some("Réunion annuelle des coordinateurs des Cités interculturelles")
    );
    assert_eq!(
        named("citation_publication_date").as_deref(),
        Some("2016/09/15")
    );
    assert_eq!(named("citation_language").as_deref(), Some("fr"));
    assert!(metas
        .iter()
        .any(|m| m.get("property").is_some_and(|p| p == "og:locale") && m["content"] == "fr_FR"));
    let start = page
        .find("<script type=application/ld+json>")
        .expect("JSON-LD")
        + "<script type=application/ld+json>".len();
    let end = start + page[start..].find("</script>").unwrap();
    let ld: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
    assert_eq!(ld["@graph"][0]["@type"], "Report");
    assert_eq!(ld["@graph"][1]["@type"], "Event");
    assert_eq!(ld["@graph"][1]["location"]["name"], "Reykjavik, Islande");
    let bib = std::fs::read_to_string(out.join("fr/reunions/2016-reykjavik/cite.bib")).unwrap();
    assert!(
        bib.starts_with("@techreport{icc-meetings-2016-reykjavik-fr,"),
        "{bib}"
    );
    let ris = std::fs::read_to_string(out.join("fr/reunions/2016-reykjavik/cite.ris")).unwrap();
    assert!(ris.starts_with("TY  - RPRT\r\n") && ris.ends_with("ER  - \r\n"));
    assert!(page.contains("cite.bib"), "the page offers the download");
}
