//! The editors' commands on the `basic` fixture (fr, en, ja): `new`, `new --translate`,
//! `status`, and the translation status page of builds with drafts.

use std::fs;

use intercite::translation::body_hash;
use serde_json::{json, Value};

use crate::common::{alternates, assert_switchers_complete, html_pages, tags, Fixture, Run};

const REYKJAVIK_FR: &str = "content/meetings/2016-reykjavik/index.fr.md";

fn status_json(site: &Fixture, extra: &[&str]) -> Value {
    let mut args = vec!["status", "--format", "json"];
    args.extend_from_slice(extra);
    let run = site.run(&args);
    run.assert_success();
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("status --format json is not JSON ({e}):\n{}", run.stdout))
}

/// The state of document `key` in `lang` in a `status --format json` report.
fn state(report: &Value, key: &str, lang: &str) -> String {
    let document = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == key)
        .unwrap_or_else(|| panic!("no document {key} in {report}"));
    document["versions"][lang]["state"]
        .as_str()
        .unwrap_or_else(|| panic!("no {lang} state for {key}: {document}"))
        .to_string()
}

fn assert_failure(run: &Run, message: &str) {
    assert_eq!(run.code, 1, "expected exit 1, stderr:\n{}", run.stderr);
    assert!(
        run.stderr.contains(message),
        "expected {message:?} in:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("= help:"),
        "no hint in:\n{}",
        run.stderr
    );
}

#[test]
fn new_creates_a_document_that_checks_and_builds() {
    let site = Fixture::new("basic");
    let run = site.run(&[
        "new",
        "meetings/2024-strasbourg",
        "--lang",
        "en",
        "--title",
        "Annual meeting: Strasbourg",
    ]);
    run.assert_success();
    assert_eq!(
        run.stderr.trim_end(),
        "Created content/meetings/2024-strasbourg/index.en.md"
    );
    let text =
        fs::read_to_string(site.path("content/meetings/2024-strasbourg/index.en.md")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "---");
    assert_eq!(lines[1], "title: 'Annual meeting: Strasbourg'");
    let date = lines[2].strip_prefix("date: ").unwrap();
    assert!(intercite::load::Date::parse(date).is_ok(), "{date}");
    assert_eq!(&lines[3..], ["original: en", "---", ""]);

    let run = site.run(&["new", "news/annual-report"]);
    run.assert_success();
    let text = fs::read_to_string(site.path("content/news/annual-report/index.fr.md")).unwrap();
    assert!(
        text.starts_with("---\ntitle: Annual report\ndate: "),
        "{text}"
    );

    site.run(&["check"]).assert_success();
    site.build().assert_success();
    let page = site.read_output("en/meetings/2024-strasbourg/index.html");
    assert!(page.contains("Annual meeting: Strasbourg"), "{page}");
    assert!(site
        .public()
        .join("fr/news/annual-report/index.html")
        .is_file());
}

#[test]
fn new_refuses_to_overwrite() {
    let site = Fixture::new("basic");
    let before = fs::read(site.path(REYKJAVIK_FR)).unwrap();
    let run = site.run(&[
        "new",
        "meetings/2016-reykjavik",
        "--lang",
        "fr",
        "--title",
        "X",
    ]);
    assert_failure(&run, &format!("{REYKJAVIK_FR} already exists"));
    assert_eq!(fs::read(site.path(REYKJAVIK_FR)).unwrap(), before);

    // A single-file version counts too: no bundle is created beside it.
    let run = site.run(&["new", "news/launch", "--lang", "fr"]);
    assert_failure(&run, "content/news/launch.fr.md already exists");
    assert!(!site.path("content/news/launch").exists());
}

#[test]
fn new_refuses_bad_paths_and_unknown_languages() {
    let site = Fixture::new("basic");
    let escape = format!("escaped-{}", std::process::id());
    let outside = format!("../{escape}");
    let deeper = format!("meetings/../../{escape}");
    for bad in [
        outside.as_str(),
        "a",
        deeper.as_str(),
        "/etc/x",
        "news/launch.en",
    ] {
        let run = site.run(&["new", bad, "--lang", "fr"]);
        assert_failure(&run, &format!("`{bad}` cannot be used as a document path"));
        assert!(
            run.stderr.contains("<section>/<slug>"),
            "{bad}: {}",
            run.stderr
        );
    }
    assert!(!site.root().parent().unwrap().join(&escape).exists());
    assert!(!site.path("content/a").exists());

    let run = site.run(&["new", "news/x", "--lang", "de"]);
    assert_failure(&run, "`de` is not a language of this site");
    assert!(run.stderr.contains("fr, en, ja"), "{}", run.stderr);
    assert!(!site.path("content/news/x").exists());
}

#[test]
fn translate_copies_the_original_and_records_its_revision() {
    let site = Fixture::new("basic");
    site.write(
        REYKJAVIK_FR,
        "---\ntitle: Réunion annuelle 2016\nslug: reunion-2016\ndate: 2016-09-15\nplace: Reykjavik\naliases:\n  - /old/reykjavik/\ncities: [reykjavik, montreal]\nattachments:\n  - file: agenda.pdf\n    title: Ordre du jour\n---\n## Ordre du jour\n\nTexte.\n",
    );
    let run = site.run(&[
        "new",
        "--translate",
        "meetings/2016-reykjavik",
        "--lang",
        "ja",
    ]);
    run.assert_success();
    assert_eq!(
        run.stderr.trim_end(),
        format!("Created content/meetings/2016-reykjavik/index.ja.md (translation of {REYKJAVIK_FR} in fr; replace the text with its translation)")
    );
    let text =
        fs::read_to_string(site.path("content/meetings/2016-reykjavik/index.ja.md")).unwrap();
    assert_eq!(
        text,
        format!(
            "---\ntitle: Réunion annuelle 2016\ndate: 2016-09-15\nplace: Reykjavik\ncities: [reykjavik, montreal]\nattachments:\n  - file: agenda.pdf\n    title: Ordre du jour\noriginal: fr\ntranslation_of:\n  lang: fr\n  hash: \"{}\"\n---\n## Ordre du jour\n\nTexte.\n",
            body_hash("## Ordre du jour\n\nTexte.\n")
        )
    );
    let report = status_json(&site, &[]);
    assert_eq!(state(&report, "meetings/2016-reykjavik", "ja"), "current");
    assert_eq!(state(&report, "meetings/2016-reykjavik", "fr"), "original");
    site.build().assert_success();
    assert!(site
        .public()
        .join("ja/meetings/2016-reykjavik/index.html")
        .is_file());

    // A single-file document: the translation is a single file beside it.
    let run = site.run(&["new", "--translate", "news/launch/", "--lang", "en"]);
    run.assert_success();
    let text = fs::read_to_string(site.path("content/news/launch.en.md")).unwrap();
    assert!(
        text.starts_with(
            "---\ntitle: Lancement\ndate: 2023-11-14\noriginal: fr\ntranslation_of:\n"
        ),
        "{text}"
    );
    assert!(
        text.ends_with("---\nTexte.[^1]\n\n[^1]: Une note.\n"),
        "{text}"
    );
    assert_eq!(
        state(&status_json(&site, &[]), "news/launch", "en"),
        "current"
    );
}

#[test]
fn a_changed_original_makes_its_translation_outdated() {
    let site = Fixture::new("basic");
    site.run(&["new", "--translate", "meetings/2023-bilbao", "--lang", "en"])
        .assert_success();
    let original = "content/meetings/2023-bilbao/index.fr.md";
    let text = fs::read_to_string(site.path(original)).unwrap();

    // Line ends and trailing spaces are not a change of the text.
    site.write(original, &text.replace('\n', "  \r\n"));
    assert_eq!(
        state(&status_json(&site, &[]), "meetings/2023-bilbao", "en"),
        "current"
    );

    site.write(original, &format!("{text}\nUn paragraphe ajouté.\n"));
    let report = status_json(&site, &[]);
    assert_eq!(state(&report, "meetings/2023-bilbao", "en"), "outdated");
    assert_eq!(report["totals"]["en"]["outdated"], 1);
    let new_hash = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == "meetings/2023-bilbao")
        .unwrap()["hash"]
        .clone();

    let run = site.run(&["status"]);
    run.assert_success();
    let line = run
        .stdout
        .lines()
        .find(|l| l.ends_with("meetings/2023-bilbao"))
        .unwrap();
    assert_eq!(line, "●   !   ·   meetings/2023-bilbao");
    assert!(
        run.stdout.contains(&format!(
            "  content/meetings/2023-bilbao/index.en.md (original: {original})\n    translation_of: {{lang: fr, hash: {new_hash}}}\n"
        )),
        "{}",
        run.stdout
    );

    // Writing the record shown makes the translation current again.
    let translation = "content/meetings/2023-bilbao/index.en.md";
    let text = fs::read_to_string(site.path(translation)).unwrap();
    let (front, body) = text.split_once("translation_of:").unwrap();
    let body = &body[body.find("---").unwrap()..];
    site.write(
        translation,
        &format!("{front}translation_of: {{lang: fr, hash: {new_hash}}}\n{body}"),
    );
    assert_eq!(
        state(&status_json(&site, &[]), "meetings/2023-bilbao", "en"),
        "current"
    );
}

#[test]
fn status_json_has_every_state_and_exact_totals() {
    let site = Fixture::new("basic");
    site.run(&["new", "--translate", "news/launch", "--lang", "ja"])
        .assert_success();
    let report = status_json(&site, &[]);
    assert_eq!(report["languages"], json!(["fr", "en", "ja"]));
    let keys: Vec<&str> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "meetings/2016-reykjavik",
            "meetings/2023-bilbao",
            "meetings/lisbon-2019",
            "news/launch"
        ]
    );
    let reykjavik = &report["documents"][0];
    assert_eq!(reykjavik["original"], "fr");
    assert_eq!(reykjavik["title"], "Réunion annuelle 2016");
    assert_eq!(
        reykjavik["versions"],
        json!({
            "fr": {"state": "original", "file": REYKJAVIK_FR},
            // No translation_of: a version written by hand counts as current.
            "en": {"state": "current", "file": "content/meetings/2016-reykjavik/index.en.md"},
            "ja": {"state": "missing"},
        })
    );
    assert_eq!(state(&report, "meetings/lisbon-2019", "en"), "original");
    assert_eq!(state(&report, "meetings/lisbon-2019", "fr"), "missing");
    assert_eq!(state(&report, "news/launch", "ja"), "current");
    assert_eq!(
        report["totals"],
        json!({
            "fr": {"original": 3, "current": 0, "outdated": 0, "missing": 1},
            "en": {"original": 1, "current": 1, "outdated": 0, "missing": 2},
            "ja": {"original": 0, "current": 1, "outdated": 0, "missing": 3},
        })
    );
}

#[test]
fn status_text_shows_marks_legend_and_totals() {
    let site = Fixture::new("basic");
    let run = site.run(&["status"]);
    run.assert_success();
    assert_eq!(
        run.stdout,
        "fr  en  ja  document\n\
         ●   ✓   ·   meetings/2016-reykjavik\n\
         ●   ·   ·   meetings/2023-bilbao\n\
         ·   ●   ·   meetings/lisbon-2019\n\
         ●   ·   ·   news/launch\n\
         \n\
         ● original   ✓ current   ! outdated   · missing\n\
         \n\
         fr: 3 original, 0 current, 0 outdated, 1 missing\n\
         en: 1 original, 1 current, 0 outdated, 2 missing\n\
         ja: 0 original, 0 current, 0 outdated, 4 missing\n"
    );
}

#[test]
fn status_lang_keeps_one_language() {
    let site = Fixture::new("basic");
    let report = status_json(&site, &["--lang", "en"]);
    assert_eq!(report["languages"], json!(["en"]));
    assert_eq!(
        report["totals"],
        json!({"en": {"original": 1, "current": 1, "outdated": 0, "missing": 2}})
    );
    for document in report["documents"].as_array().unwrap() {
        let langs: Vec<&String> = document["versions"].as_object().unwrap().keys().collect();
        assert_eq!(langs, ["en"], "{document}");
    }

    let run = site.run(&["status", "--lang", "ja"]);
    run.assert_success();
    assert!(
        run.stdout
            .starts_with("ja  document\n·   meetings/2016-reykjavik\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .ends_with("\nja: 0 original, 0 current, 0 outdated, 4 missing\n"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("fr:"), "{}", run.stdout);

    let run = site.run(&["status", "--lang", "de"]);
    assert_failure(&run, "`de` is not a language of this site");
    assert!(run.stderr.contains("fr, en, ja"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn status_reports_content_errors_instead_of_a_matrix() {
    let site = Fixture::new("basic");
    site.write(
        "content/news/broken.fr.md",
        "---\ntitle: A\ndtae: 2020-01-01\n---\n",
    );
    let run = site.run(&["status", "--format", "json"]);
    assert_failure(&run, "unknown front matter key `dtae`");
    assert!(
        run.stderr.contains("content/news/broken.fr.md:3:1"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn translate_refuses_an_existing_language_and_unknown_documents() {
    let site = Fixture::new("basic");
    let english = "content/meetings/2016-reykjavik/index.en.md";
    let before = fs::read(site.path(english)).unwrap();
    let run = site.run(&[
        "new",
        "--translate",
        "meetings/2016-reykjavik",
        "--lang",
        "en",
    ]);
    assert_failure(&run, &format!("{english} already exists"));
    assert_eq!(fs::read(site.path(english)).unwrap(), before);
    // Nor into the original's own language.
    let run = site.run(&[
        "new",
        "--translate",
        "meetings/2016-reykjavik",
        "--lang",
        "fr",
    ]);
    assert_failure(&run, &format!("{REYKJAVIK_FR} already exists"));

    let run = site.run(&[
        "new",
        "--translate",
        "meetings/2016-reykjavk",
        "--lang",
        "ja",
    ]);
    assert_failure(&run, "there is no document `meetings/2016-reykjavk`");
    assert!(
        run.stderr
            .contains("did you mean `meetings/2016-reykjavik`?"),
        "{}",
        run.stderr
    );

    let run = site.run(&["new", "--translate", "meetings/2016-reykjavik"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("--translate needs --lang"),
        "{}",
        run.stderr
    );

    // With errors in the content the original may be the wrong file: nothing is created.
    site.write(
        "content/news/launch.fr.md",
        "---\ntitle: A\ndtae: 2020-01-01\n---\n",
    );
    let run = site.run(&["new", "--translate", "news/launch", "--lang", "en"]);
    assert_failure(&run, "the content has errors: no translation was created");
    assert!(
        run.stderr.contains("content/news/launch.fr.md:3:1"),
        "{}",
        run.stderr
    );
    assert!(!site.path("content/news/launch.en.md").exists());
}

#[test]
fn only_builds_with_drafts_have_the_status_page() {
    let site = Fixture::new("basic");
    site.build().assert_success();
    assert!(!site.public().join("_status").exists());

    site.run(&["build", "--drafts"]).assert_success();
    let html = site.read_output("_status/index.html");
    assert_eq!(tags(&html, "html")[0]["lang"], "fr");
    let robots: Vec<_> = tags(&html, "meta")
        .into_iter()
        .filter(|m| m.get("name").is_some_and(|n| n == "robots"))
        .collect();
    assert_eq!(robots[0]["content"], "noindex");
    assert!(alternates(&html).is_empty(), "no hreflang set");
    assert!(!site.read_output("sitemap.xml").contains("_status"));
    assert!(html.contains("<caption>"), "{html}");
    let headers: Vec<String> = tags(&html, "th")
        .into_iter()
        .filter_map(|th| th.get("scope").cloned())
        .collect();
    assert_eq!(headers.iter().filter(|s| *s == "row").count(), 4 + 3);
    assert!(headers.iter().filter(|s| *s == "col").count() >= 4);
    for name in ["Français", "English", "日本語"] {
        assert!(html.contains(name), "{name} column missing");
    }
    let links: Vec<String> = tags(&html, "a")
        .into_iter()
        .filter(|a| a.contains_key("hreflang"))
        .map(|a| a["href"].clone())
        .collect();
    for version in [
        "/icc/fr/meetings/2016-reykjavik/",
        "/icc/en/meetings/2016-reykjavik/",
        "/icc/en/meetings/lisbon-2019/",
        "/icc/fr/news/launch/",
    ] {
        assert!(
            links.iter().any(|l| l == version),
            "no link to {version}: {links:?}"
        );
    }
    // Its switcher leads to each language's home page, like the other pages without language.
    let pages = html_pages(&site.public());
    assert!(
        assert_switchers_complete(
            &pages,
            &["fr", "en", "ja"],
            "https://example.org/icc",
            "/icc"
        ) > 0
    );
}

/// The status page with the built-in theme, through the Nu Html Checker when it is installed.
#[test]
fn the_status_page_is_valid_html() {
    let site = Fixture::new("basic");
    site.run(&["new", "--translate", "news/launch", "--lang", "ja"])
        .assert_success();
    site.run(&["build", "--drafts"]).assert_success();
    crate::common::assert_valid_html(&site.public().join("_status/index.html"));
}
