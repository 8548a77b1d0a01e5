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
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    intercite(&["build", "-o", out.to_str().unwrap()]).assert_success();
    (dir, out)
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
