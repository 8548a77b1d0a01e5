//! Bad input: each case asserts the exact message the user sees, its place, and exit code 1.

use crate::common::Fixture;

/// Builds the `basic` fixture after `change` and returns stderr; asserts exit code 1.
fn failing_build(change: impl FnOnce(&Fixture)) -> String {
    let site = Fixture::new("basic");
    change(&site);
    let run = site.build();
    assert_eq!(run.code, 1, "expected failure, stderr:\n{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(!site.public().exists(), "nothing written on failure");
    run.stderr
}

#[test]
fn unknown_front_matter_key_names_it_and_suggests_the_closest() {
    let stderr = failing_build(|s| {
        s.write(
            "content/news/launch.fr.md",
            "---\ntitle: Lancement\ndtae: 2023-11-14\n---\nTexte.\n",
        )
    });
    assert!(
        stderr.contains("error: unknown front matter key `dtae`\n  --> content/news/launch.fr.md:3:1\n  = help: did you mean `date`?"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("Build failed: 1 error; the previous output was left as it was.\n"),
        "{stderr}"
    );
}

#[test]
fn missing_title() {
    let stderr =
        failing_build(|s| s.write("content/news/launch.fr.md", "---\ndate: 2023-11-14\n---\n"));
    assert!(
        stderr.contains(
            "error: the front matter has no `title`\n  --> content/news/launch.fr.md:2:1"
        ),
        "{stderr}"
    );
}

#[test]
fn impossible_date() {
    let stderr = failing_build(|s| {
        s.write(
            "content/news/launch.fr.md",
            "---\ntitle: A\ndate: 2023-02-30\n---\n",
        )
    });
    assert!(stderr.contains("error: invalid `date`: `2023-02-30`: month 2 of 2023 has 28 days\n  --> content/news/launch.fr.md:3:1"), "{stderr}");
}

#[test]
fn yaml_syntax_error_points_into_the_file() {
    let stderr = failing_build(|s| {
        s.write(
            "content/news/launch.fr.md",
            "---\ntitle: A\ncities: [paris\n---\n",
        )
    });
    assert!(stderr.contains("error: invalid YAML: "), "{stderr}");
    assert!(
        stderr.contains("--> content/news/launch.fr.md:4:1")
            || stderr.contains("--> content/news/launch.fr.md:3:"),
        "{stderr}"
    );
}

#[test]
fn tab_indentation() {
    let stderr = failing_build(|s| {
        s.write(
            "content/news/launch.fr.md",
            "---\ntitle: A\nextra:\n\tnote: x\n---\n",
        )
    });
    assert!(stderr.contains("error: a tab character indents this line\n  --> content/news/launch.fr.md:4:1\n  = help: YAML indentation must use spaces"), "{stderr}");
}

#[test]
fn broken_internal_link_names_file_line_and_column() {
    let stderr = failing_build(|s| {
        s.write(
            "content/news/launch.fr.md",
            "---\ntitle: A\n---\nIntro.\n\nVoir [Reykjavik](@/meetings/2016-reykjavk).\n",
        )
    });
    assert!(
        stderr.contains("error: broken internal link `@/meetings/2016-reykjavk`: no such document or section\n  --> content/news/launch.fr.md:6:6\n  = help: did you mean `@/meetings/2016-reykjavik`?"),
        "{stderr}"
    );
}

#[test]
fn broken_anchor() {
    let stderr = failing_build(|s| {
        s.write(
            "content/news/launch.fr.md",
            "---\ntitle: A\n---\n[x](@/meetings/2016-reykjavik#ordre)\n",
        )
    });
    assert!(
        stderr.contains("error: link to `@/meetings/2016-reykjavik#ordre`, but content/meetings/2016-reykjavik/index.fr.md has no such heading\n  --> content/news/launch.fr.md:4:1\n  = help: did you mean `#ordre-du-jour`?"),
        "{stderr}"
    );
}

#[test]
fn unknown_language_suffix() {
    let stderr = failing_build(|s| s.write("content/news/launch.de.md", "---\ntitle: A\n---\n"));
    assert!(
        stderr.contains("error: unknown language suffix `.de`\n  --> content/news/launch.de.md\n  = help: the site's languages are fr, en, ja; add i18n/de.yaml to add one, or rename the file"),
        "{stderr}"
    );
}

#[test]
fn output_collisions_name_both_files() {
    let stderr = failing_build(|s| {
        s.write(
            "content/news/other.fr.md",
            "---\ntitle: B\nslug: Launch\n---\n",
        )
    });
    assert!(
        stderr.contains("error: the URL `/fr/news/Launch/` collides with `/fr/news/launch/` from content/news/launch.fr.md\n  --> content/news/other.fr.md"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("would be written twice"),
        "reported once: {stderr}"
    );
}

#[test]
fn unicode_normalisation_collisions() {
    let stderr = failing_build(|s| {
        s.write(
            "content/news/e\u{301}te\u{301}.fr.md",
            "---\ntitle: A\n---\n",
        );
        s.write(
            "content/news/other.fr.md",
            "---\ntitle: B\nslug: été\n---\n",
        );
    });
    assert!(stderr.contains("collides with"), "{stderr}");
}

#[test]
fn dangerous_slug_and_alias() {
    let stderr = failing_build(|s| {
        s.write(
            "content/news/launch.fr.md",
            "---\ntitle: A\nslug: ../../etc\naliases: [\"/../x/\"]\n---\n",
        )
    });
    assert!(stderr.contains("error: slug `../../etc` cannot be used: it contains a path separator (`/` or `\\`)\n  --> content/news/launch.fr.md:3:1"), "{stderr}");
    assert!(stderr.contains("error: alias `/../x/` cannot be used: segment `..`: `.` and `..` would leave the folder\n  --> content/news/launch.fr.md:4:1"), "{stderr}");
}

#[test]
fn two_versions_in_one_language() {
    let stderr = failing_build(|s| {
        s.write(
            "content/news/other.fr.md",
            "---\ntitle: B\ntranslation_key: launch\n---\n",
        );
        s.write(
            "content/news/launch.fr.md",
            "---\ntitle: A\ntranslation_key: launch\n---\n",
        );
    });
    assert!(stderr.contains("error: two versions in language `fr` of the same document: content/news/launch.fr.md and content/news/other.fr.md"), "{stderr}");
}

#[test]
fn missing_attachment() {
    let stderr = failing_build(|s| {
        s.write(
            "content/news/launch.fr.md",
            "---\ntitle: A\nattachments: [rapport.pdf]\n---\n",
        )
    });
    assert!(stderr.contains("error: attachment `rapport.pdf` not found beside content/news/launch.fr.md\n  --> content/news/launch.fr.md:3:1"), "{stderr}");
}

#[test]
fn invalid_utf8_is_located() {
    let stderr = failing_build(|s| {
        std::fs::write(
            s.path("content/news/launch.fr.md"),
            b"---\ntitle: A\n---\nCaf\xe9\n",
        )
        .unwrap()
    });
    assert!(stderr.contains("error: the file is not valid UTF-8\n  --> content/news/launch.fr.md:4:4\n  = help: save the file as UTF-8"), "{stderr}");
}

#[test]
fn bom_and_crlf_are_accepted() {
    let site = Fixture::new("basic");
    site.write(
        "content/news/launch.fr.md",
        "\u{feff}---\r\ntitle: Lancement\r\ndate: 2023-11-14\r\n---\r\nTexte **gras**.\r\n",
    );
    site.build().assert_success();
    assert!(site
        .read_output("fr/news/launch/index.html")
        .contains("Texte <strong>gras</strong>."));
}

#[test]
fn template_syntax_error_names_the_theme_file() {
    let stderr = failing_build(|s| {
        s.write(
            "site.yaml",
            &(std::fs::read_to_string(s.path("site.yaml")).unwrap() + "theme: broken\n"),
        );
        s.write("themes/broken/templates/page.html", "{% extends \"base.html\" %}\n{% block content %}\n{{ page.title \n{% endblock content %}\n");
    });
    assert!(
        stderr.contains("error: template syntax error: "),
        "{stderr}"
    );
    assert!(
        stderr.contains("--> themes/broken/templates/page.html:"),
        "{stderr}"
    );
}

#[test]
fn template_unknown_variable_names_the_template_and_page() {
    let stderr = failing_build(|s| {
        s.write(
            "site.yaml",
            &(std::fs::read_to_string(s.path("site.yaml")).unwrap() + "theme: broken\n"),
        );
        s.write("themes/broken/templates/page.html", "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ page.nonexistent }}</p>\n{% endblock content %}\n");
    });
    assert!(
        stderr.contains("--> themes/broken/templates/page.html:3:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("(while rendering /fr/meetings/2016-reykjavik/ and 4 other pages)"),
        "{stderr}"
    );
}

#[test]
fn missing_theme() {
    let stderr = failing_build(|s| {
        s.write(
            "site.yaml",
            &(std::fs::read_to_string(s.path("site.yaml")).unwrap() + "theme: nowhere\n"),
        )
    });
    assert!(
        stderr.contains("error: theme `nowhere` not found\n  --> site.yaml:9:1"),
        "{stderr}"
    );
}

#[test]
fn bad_i18n_file() {
    let stderr = failing_build(|s| {
        s.write(
            "i18n/en.yaml",
            "name: English\nstrings:\n  documents:\n    one: x\n",
        )
    });
    assert!(stderr.contains("error: UI string `documents` has plural forms but no `other` form\n  --> i18n/en.yaml:3:1"), "{stderr}");
}

#[test]
fn unknown_site_yaml_key() {
    let stderr = failing_build(|s| {
        s.write(
            "site.yaml",
            "title: X\nbase_url: https://example.org\ndefault_language: fr\ntaxonomy: [cities]\n",
        )
    });
    assert!(stderr.contains("error: unknown key `taxonomy`\n  --> site.yaml:4:1\n  = help: did you mean `taxonomies`?"), "{stderr}");
}

#[test]
fn check_reports_every_problem_at_once() {
    let site = Fixture::new("basic");
    site.write(
        "content/news/launch.fr.md",
        "---\ntitle: A\ndtae: 2023-11-14\n---\n",
    );
    site.write(
        "content/news/b.fr.md",
        "---\ntitle: B\n---\n[x](@/nowhere)\n",
    );
    site.write("content/news/c.fr.md", "---\ntitel: C\n---\n");
    let run = site.run(&["check"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("unknown front matter key `dtae`"));
    assert!(run.stderr.contains("broken internal link `@/nowhere`"));
    assert!(run.stderr.contains("unknown front matter key `titel`"));
    assert!(
        run.stderr.contains("Check failed: 4 errors"),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_with_2() {
    let site = Fixture::new("basic");
    let run = site.run(&["build", "--no-such-flag"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn a_missing_ui_string_is_a_warning_naming_the_i18n_file() {
    let site = Fixture::new("basic");
    let run = site.run(&["check"]);
    run.assert_success();
    assert!(run.stderr.contains("warning: UI string `cities` is missing in `ja`\n  --> i18n/ja.yaml\n  = help: add `cities:` under `strings:`; until then the fr text is shown"), "{}", run.stderr);
}
