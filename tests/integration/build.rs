//! A successful build of the `basic` fixture (fr, en, ja; three meetings, one news item) and
//! the multilingual guarantees of its output.

use crate::common::{
    alternates, assert_reciprocal_hreflang, assert_switchers_complete, html_pages, snapshot, tags,
    Fixture,
};

const BASE_URL: &str = "https://example.org/icc";
const BASE_PATH: &str = "/icc";
const LANGUAGES: [&str; 3] = ["fr", "en", "ja"];

#[test]
fn build_prints_a_one_line_summary_and_writes_the_site() {
    let site = Fixture::new("basic");
    let run = site.build();
    run.assert_success();
    assert!(
        run.stdout.is_empty(),
        "messages go to stderr: {}",
        run.stdout
    );
    let summary = run.stderr.lines().last().unwrap();
    assert!(
        summary.starts_with("Built 36 pages (fr 12, en 12, ja 12)"),
        "{summary}"
    );
    for file in [
        "index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "fr/atom.xml",
        "en/atom.xml",
        "ja/atom.xml",
        "syntax.css",
    ] {
        assert!(site.public().join(file).is_file(), "missing {file}");
    }
    assert!(
        site.public()
            .join("meetings/2016-reykjavik/agenda.pdf")
            .is_file(),
        "bundle asset copied once"
    );
    assert!(!site
        .public()
        .join("fr/meetings/2016-reykjavik/agenda.pdf")
        .exists());
}

#[test]
fn timings_count_every_page_under_its_template() {
    let site = Fixture::new("basic");
    let run = site.run(&["build", "--timings"]);
    run.assert_success();
    let stages: Vec<&str> = run
        .stderr
        .lines()
        .skip_while(|l| !l.starts_with("Built "))
        .skip(1)
        .collect();
    for stage in ["load", "markdown", "pages", "write", "total"] {
        assert!(
            stages.iter().any(|l| l.trim_start().starts_with(stage)),
            "no `{stage}` in:\n{}",
            run.stderr
        );
    }
    let table: Vec<&str> = stages
        .iter()
        .skip_while(|l| !l.contains("pages by template"))
        .skip(1)
        .copied()
        .collect();
    assert!(table[0].contains("typography+minifier"), "{}", run.stderr);
    // `name pages values markdown tera typography+minifier total per-page`
    let rows: Vec<(&str, usize, Vec<f64>)> = table[1..]
        .iter()
        .map(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(cells.len(), 8, "{l}");
            let times = cells[2..].iter().map(|c| c.parse().unwrap()).collect();
            (cells[0], cells[1].parse().unwrap(), times)
        })
        .collect();
    let (all, rows) = rows.split_last().unwrap();
    assert_eq!(all.0, "all");
    let html_files = html_pages(&site.public()).len();
    assert_eq!(all.1, html_files, "every page is counted once");
    assert_eq!(rows.iter().map(|r| r.1).sum::<usize>(), all.1);
    let count = |template: &str| rows.iter().find(|r| r.0 == template).map(|r| r.1);
    assert_eq!(count("page.html"), Some(5), "one page per version");
    assert_eq!(count("root.html"), Some(1));
    for (name, _, times) in rows {
        let parts: f64 = times[..4].iter().sum();
        assert!(
            (parts - times[4]).abs() < 0.5,
            "{name}: parts {parts} total {}",
            times[4]
        );
    }
    // Only the versions' pages render Markdown.
    assert!(rows.iter().find(|r| r.0 == "page.html").unwrap().2[1] > 0.0);
    assert_eq!(rows.iter().find(|r| r.0 == "term.html").unwrap().2[1], 0.0);

    let plain = site.build();
    assert!(
        !plain.stderr.contains("pages by template"),
        "{}",
        plain.stderr
    );
}

#[test]
fn every_page_has_lang_and_dir() {
    let site = Fixture::new("basic");
    site.build().assert_success();
    for (path, html) in html_pages(&site.public()) {
        let html_tag = &tags(&html, "html")[0];
        let expected = LANGUAGES
            .iter()
            .find(|l| path.starts_with(&format!("{l}/")))
            .copied()
            .unwrap_or("fr");
        assert_eq!(
            html_tag.get("lang").map(String::as_str),
            Some(expected),
            "{path}"
        );
        assert_eq!(
            html_tag.get("dir").map(String::as_str),
            Some("ltr"),
            "{path}"
        );
    }
}

#[test]
fn hreflang_sets_are_reciprocal_and_include_the_page_itself() {
    let site = Fixture::new("basic");
    site.build().assert_success();
    let pages = html_pages(&site.public());
    let checked = assert_reciprocal_hreflang(&pages, BASE_URL, BASE_PATH);
    assert!(checked >= 30, "only {checked} pages had alternates");
    // Paginated lists and term pages are covered too.
    assert!(!alternates(&pages["en/meetings/page/2/index.html"]).is_empty());
    assert!(!alternates(&pages["ja/cities/reykjavik/index.html"]).is_empty());
}

#[test]
fn the_switcher_offers_every_language_and_each_target_is_in_that_language() {
    let site = Fixture::new("basic");
    site.build().assert_success();
    let pages = html_pages(&site.public());
    let checked = assert_switchers_complete(&pages, &LANGUAGES, BASE_URL, BASE_PATH);
    assert_eq!(
        checked, 37,
        "every page but the root chooser has a switcher"
    );
}

#[test]
fn a_missing_translation_gets_an_honest_page_outside_hreflang_and_sitemap() {
    let site = Fixture::new("basic");
    site.build().assert_success();
    let page = site.read_output("en/meetings/2023-bilbao/index.html");
    assert!(
        page.contains("<meta content=noindex name=robots>"),
        "{page}"
    );
    assert!(alternates(&page).is_empty());
    assert!(page.contains("This document is not available in this language."));
    let links: Vec<_> = tags(&page, "a")
        .into_iter()
        .filter(|a| a.get("hreflang").is_some_and(|l| l == "fr"))
        .collect();
    assert!(
        links
            .iter()
            .any(|a| a["href"] == "/icc/fr/meetings/2023-bilbao/"),
        "links the French version"
    );
    let sitemap = site.read_output("sitemap.xml");
    assert!(!sitemap.contains("/en/meetings/2023-bilbao/"));
    assert!(sitemap.contains("<loc>https://example.org/icc/fr/meetings/2023-bilbao/</loc>"));
    let french = site.read_output("fr/meetings/2023-bilbao/index.html");
    assert!(!french.contains("hreflang=en href=https://example.org/icc/en/meetings/2023-bilbao/"));
}

#[test]
fn internal_links_go_to_the_readers_language_or_to_the_original_with_hreflang() {
    let site = Fixture::new("basic");
    site.build().assert_success();
    let fr = site.read_output("fr/meetings/2016-reykjavik/index.html");
    assert!(
        fr.contains("<a href=/icc/fr/news/launch/>le lancement</a>"),
        "{fr}"
    );
    assert!(
        fr.contains("<a href=/icc/meetings/2016-reykjavik/agenda.pdf>"),
        "bundle asset link rewritten"
    );
    let en = site.read_output("en/meetings/2016-reykjavik/index.html");
    assert!(
        en.contains("<a href=/icc/fr/meetings/2016-reykjavik/#ordre-du-jour hreflang=fr>"),
        "{en}"
    );
    let lisbon = site.read_output("en/meetings/lisbon-2019/index.html");
    assert!(
        lisbon.contains("<a href=/icc/fr/news/launch/ hreflang=fr>launch</a>"),
        "{lisbon}"
    );
}

#[test]
fn dates_are_localized_with_cldr() {
    let site = Fixture::new("basic");
    site.build().assert_success();
    assert!(site
        .read_output("fr/meetings/2016-reykjavik/index.html")
        .contains("15 septembre 2016"));
    assert!(site
        .read_output("en/meetings/2016-reykjavik/index.html")
        .contains("15 September 2016"));
    assert!(site
        .read_output("ja/meetings/index.html")
        .contains("2023年11月14日"));
}

#[test]
fn sections_list_newest_first_and_paginate() {
    let site = Fixture::new("basic");
    site.build().assert_success();
    let first = site.read_output("fr/meetings/index.html");
    let bilbao = first.find("Réunion annuelle 2023").unwrap();
    let lisbon = first.find("Lisbon meeting 2019").unwrap();
    assert!(bilbao < lisbon, "newest first");
    assert!(
        !first.contains("Réunion annuelle 2016"),
        "third item is on page 2"
    );
    assert!(site
        .read_output("fr/meetings/page/2/index.html")
        .contains("Réunion annuelle 2016"));
    // Section title from _index.ja.md, falling back to the default language elsewhere.
    assert!(site
        .read_output("ja/meetings/index.html")
        .contains("<h1>会議</h1>"));
    assert!(site
        .read_output("en/meetings/index.html")
        .contains("<h1>Réunions</h1>"));
}

#[test]
fn taxonomies_have_translated_term_names_in_every_language() {
    let site = Fixture::new("basic");
    site.build().assert_success();
    assert!(site
        .read_output("fr/villes/montreal/index.html")
        .contains("<h1>Montréal</h1>"));
    assert!(site
        .read_output("en/cities/montreal/index.html")
        .contains("<h1>Montreal</h1>"));
    assert!(
        site.read_output("ja/cities/montreal/index.html")
            .contains("<h1>Montréal</h1>"),
        "falls back to the default language"
    );
    // Translated URL segments (`slugs:` in i18n/fr.yaml), each other's hreflang alternates.
    let french = site.read_output("fr/villes/montreal/index.html");
    let set = alternates(&french);
    assert!(
        set.contains(&(
            "en".to_string(),
            "https://example.org/icc/en/cities/montreal/".to_string()
        )),
        "{set:?}"
    );
    assert!(
        set.contains(&(
            "fr".to_string(),
            "https://example.org/icc/fr/villes/montreal/".to_string()
        )),
        "{set:?}"
    );
    assert!(!site.public().join("fr/cities").exists());
    let list = site.read_output("en/cities/index.html");
    assert!(list.contains("<h1>Cities</h1>"));
    assert!(list.contains(">Reykjavik</a> (1)"), "{list}");
}

#[test]
fn feeds_sitemap_and_robots() {
    let site = Fixture::new("basic");
    site.build().assert_success();
    let feed = site.read_output("fr/atom.xml");
    assert!(feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">"));
    assert_eq!(feed.matches("<entry>").count(), 3, "the French versions");
    assert!(feed.contains("<updated>2023-11-14T00:00:00Z</updated>"));
    let sitemap = site.read_output("sitemap.xml");
    assert!(sitemap.contains("<xhtml:link rel=\"alternate\" hreflang=\"en\" href=\"https://example.org/icc/en/meetings/2016-reykjavik/\"/>"));
    assert!(sitemap.contains("<loc>https://example.org/icc/</loc>"));
    assert_eq!(
        site.read_output("robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://example.org/icc/sitemap.xml\n"
    );
    let root = site.read_output("index.html");
    for (lang, name) in [("fr", "Français"), ("en", "English"), ("ja", "日本語")] {
        assert!(
            root.contains(&format!(
                "href=/icc/{lang}/ hreflang={lang} lang={lang}>{name}</a>"
            )),
            "{root}"
        );
    }
}

#[test]
fn output_is_byte_identical_across_runs() {
    let site = Fixture::new("basic");
    site.run(&["build", "-o", "one"]).assert_success();
    site.run(&["build", "-o", "two"]).assert_success();
    let one = snapshot(&site.path("one"));
    let two = snapshot(&site.path("two"));
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        two.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &one {
        assert!(bytes == &two[path], "{path} differs between runs");
    }
}

#[test]
fn base_url_flag_changes_every_link() {
    let site = Fixture::new("basic");
    site.run(&["build", "-u", "https://icc.example.net/"])
        .assert_success();
    let page = site.read_output("fr/meetings/2016-reykjavik/index.html");
    assert!(
        page.contains("href=https://icc.example.net/en/meetings/2016-reykjavik/ hreflang=en"),
        "{page}"
    );
    assert!(page.contains("<a href=/fr/news/launch/>"));
    assert!(!page.contains("/icc/"));
}

#[test]
fn drafts_are_built_only_on_request() {
    let site = Fixture::new("basic");
    site.write(
        "content/news/secret.fr.md",
        "---\ntitle: Brouillon\ndraft: true\n---\nTexte.\n",
    );
    site.build().assert_success();
    assert!(!site.public().join("fr/news/secret/index.html").exists());
    site.run(&["build", "--drafts"]).assert_success();
    assert!(site.public().join("fr/news/secret/index.html").exists());
}

#[test]
fn check_writes_nothing() {
    let site = Fixture::new("basic");
    let run = site.run(&["check"]);
    run.assert_success();
    assert!(run.stderr.contains("Checked 36 pages"), "{}", run.stderr);
    assert!(!site.public().exists());
}

#[test]
fn a_site_without_theme_or_strings_builds_with_the_built_in_theme() {
    let site = Fixture::new("minimal");
    site.build().assert_success();
    let home = site.read_output("en/index.html");
    assert!(home.contains("Skip to content"));
    assert!(home.contains("<h1>Hello</h1>"), "{home}");
}
