//! The built ICC site in a real headless Chromium: language switching, the "not available"
//! page, keyboard use, right-to-left layout, the remembered language, search (in the reader's
//! language, in Japanese, in all languages, under a base path). The checks themselves are in
//! tests/browser/run.mjs (playwright-core driving Debian's Chromium); this test builds the site
//! (twice: at the root and under /interculturalcities) and runs them. Screenshots go to
//! target/screenshots/ for a person to review.

use std::path::Path;
use std::process::Command;

#[test]
fn the_icc_site_works_in_a_real_browser() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let driver = repo.join("node_modules/playwright-core");
    if !Path::new(&chromium).exists()
        || !driver.is_dir()
        || Command::new("node").arg("--version").output().is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "Chromium, Node or playwright-core is missing: run scripts/setup"
        );
        eprintln!("skipped: Chromium, Node or playwright-core is missing (run scripts/setup)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("public");
    let based = dir.path().join("based");
    for (base_url, out) in [
        ("http://127.0.0.1", &site),
        ("http://127.0.0.1/interculturalcities", &based),
    ] {
        crate::common::build_icc_site(out, Some(base_url));
    }
    let screenshots = repo.join("target/screenshots");
    let run = Command::new("node")
        .arg(repo.join("tests/browser/run.mjs"))
        .arg(&site)
        .arg(&screenshots)
        .arg(&based)
        .env("CHROMIUM", &chromium)
        .output()
        .unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    eprintln!("{report}");
    assert!(run.status.success(), "browser checks failed:\n{report}");
    assert!(report.contains("10 passed, 0 failed"), "{report}");
    for shot in [
        "home-fr.png",
        "report-fr.png",
        "home-ar.png",
        "search-fr.png",
        "search-all-languages-en.png",
    ] {
        assert!(
            screenshots
                .join(shot)
                .metadata()
                .is_ok_and(|m| m.len() > 1000),
            "screenshot {shot} missing"
        );
    }
}
