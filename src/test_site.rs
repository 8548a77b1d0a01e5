//! Sites written into a temporary folder, loaded and indexed, for the unit tests of the stages
//! that work on a `Site`.

use crate::diagnostics::Diagnostics;
use crate::index::Site;

/// A site in a temporary folder: `site.yaml` with `languages` (the first is the default), an
/// i18n file naming each language, and `files` (path relative to the site's folder, text).
/// Panics if the site has errors.
pub fn site(languages: &[&str], files: &[(&str, &str)]) -> (tempfile::TempDir, Site) {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "site.yaml",
        &format!(
            "title: T\nbase_url: https://example.org\ndefault_language: {}\nlanguages: [{}]\n",
            languages[0],
            languages.join(", ")
        ),
    );
    for code in languages {
        write(&format!("i18n/{code}.yaml"), &format!("name: {code}\n"));
    }
    for (rel, text) in files {
        write(rel, text);
    }
    let config = crate::config::Config::load(dir.path(), None).unwrap();
    let mut problems = Diagnostics::new();
    let loaded = crate::load::load(&config, false, &mut problems);
    let site = crate::index::index(config, loaded, &mut problems);
    assert!(!problems.has_errors(), "{:?}", problems.into_sorted());
    (dir, site)
}
