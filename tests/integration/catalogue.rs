//! The reliability catalogue: bad inputs and faults, each built into a folder that holds a
//! previous good build.
//!
//! Every case checks the promises of DESIGN.md's safety rules at once: the exit code, the exact
//! message (what is wrong, where, how to fix it), no panic and no hang, the previous output
//! left byte for byte as it was, and nothing written anywhere but the output folder. Inputs
//! that are unusual but valid (a BOM, CRLF, NFD names, huge files) must build correctly.

use std::fs;
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

use crate::common::{snapshot, Fixture, Run};

/// Longer than any case needs on a slow machine; a hang fails the case instead of the run.
const TIME_LIMIT: Duration = Duration::from_secs(120);

/// The basic fixture with a good build in `public/`.
fn built_site() -> Fixture {
    let site = Fixture::new("basic");
    site.build().assert_success();
    site
}

/// Every file under the fixture's temporary folder except `public/`, with the folder's other
/// entries (to catch files written beside the site).
fn outside_output(site: &Fixture) -> (std::collections::BTreeMap<String, Vec<u8>>, Vec<String>) {
    let mut files = snapshot(site.root());
    files.retain(|path, _| !path.starts_with("public/"));
    let mut beside: Vec<String> = fs::read_dir(site.root().parent().unwrap())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("intercite"))
        .collect();
    beside.sort();
    (files, beside)
}

fn run_limited(site: &Fixture, args: &[&str], env: &[(&str, &Path)]) -> Run {
    let mut command = Command::cargo_bin("intercite").unwrap();
    command
        .args(args)
        .arg("--root")
        .arg(site.root())
        .env("NO_COLOR", "1")
        .current_dir(site.root())
        .timeout(TIME_LIMIT);
    for (key, value) in env {
        command.env(key, value);
    }
    let run = Run::from(command.output().unwrap());
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("overflowed"),
        "intercite crashed:\n{}",
        run.stderr
    );
    assert!(
        run.code == 0 || run.code == 1 || run.code == 2,
        "exit code {} (killed or timed out):\n{}",
        run.code,
        run.stderr
    );
    run
}

/// Applies `damage` to a built site, runs `args`, and checks that the run fails with exit code
/// 1 and every message in `expected`, leaving `public/` and everything else untouched.
fn fails_with(args: &[&str], damage: impl FnOnce(&Fixture), expected: &[&str]) -> String {
    let site = built_site();
    let previous = snapshot(&site.public());
    damage(&site);
    let before = outside_output(&site);
    let run = run_limited(&site, args, &[]);
    assert_eq!(run.code, 1, "expected a failure, stderr:\n{}", run.stderr);
    for message in expected {
        assert!(
            run.stderr.contains(message),
            "missing message:\n{message}\nin stderr:\n{}",
            run.stderr
        );
    }
    assert!(
        run.stderr
            .ends_with("the previous output was left as it was.\n"),
        "{}",
        run.stderr
    );
    assert!(snapshot(&site.public()) == previous, "public/ was changed");
    assert!(
        outside_output(&site) == before,
        "files outside public/ changed"
    );
    run.stderr
}

fn build_fails(damage: impl FnOnce(&Fixture), expected: &[&str]) -> String {
    fails_with(&["build"], damage, expected)
}

/// Applies `change` to a built site and checks that the build succeeds and writes nothing but
/// `public/`; returns the site for checks on its output.
fn builds(change: impl FnOnce(&Fixture)) -> Fixture {
    let site = built_site();
    change(&site);
    let before = outside_output(&site);
    let run = run_limited(&site, &["build"], &[]);
    assert_eq!(run.code, 0, "expected success, stderr:\n{}", run.stderr);
    assert!(
        outside_output(&site) == before,
        "files outside public/ changed"
    );
    site
}

const LAUNCH: &str = "content/news/launch.fr.md";

fn launch(front_and_body: &str) -> impl FnOnce(&Fixture) + '_ {
    move |s| s.write(LAUNCH, front_and_body)
}

fn write_bytes(site: &Fixture, rel: &str, bytes: &[u8]) {
    let path = site.path(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

/// Uses the theme `t` with the given templates (the built-in ones fill the gaps).
fn theme<'a>(templates: &'a [(&'a str, &'a str)]) -> impl FnOnce(&Fixture) + 'a {
    move |s| {
        let config = fs::read_to_string(s.path("site.yaml")).unwrap();
        s.write("site.yaml", &format!("{config}theme: t\n"));
        for (name, text) in templates {
            s.write(&format!("themes/t/templates/{name}"), text);
        }
    }
}

// ---------------------------------------------------------------- YAML

#[test]
fn yaml_tab_indentation() {
    build_fails(
        launch("---\ntitle: A\nextra:\n\tnote: x\n---\n"),
        &["error: a tab character indents this line\n  --> content/news/launch.fr.md:4:1\n  = help: YAML indentation must use spaces"],
    );
}

#[test]
fn yaml_unterminated_flow_list() {
    build_fails(
        launch("---\ntitle: A\ncities: [paris\n---\n"),
        &["error: invalid YAML: ", "  --> content/news/launch.fr.md:"],
    );
}

#[test]
fn yaml_unterminated_quote() {
    build_fails(
        launch("---\ntitle: \"A\n---\nText.\n"),
        &["error: invalid YAML: found unexpected end of stream, while scanning a quoted scalar\n  --> content/news/launch.fr.md:3:1"],
    );
}

#[test]
fn yaml_duplicate_keys() {
    build_fails(
        launch("---\ntitle: A\ntitle: B\n---\n"),
        &["error: invalid YAML: duplicate entry with key \"title\"\n  --> content/news/launch.fr.md:2:1\n  = help: each key may appear only once"],
    );
}

#[test]
fn yaml_wrong_type_for_title() {
    build_fails(
        launch("---\ntitle: [a, b]\n---\n"),
        &["error: title: invalid type: sequence, expected a string\n  --> content/news/launch.fr.md:2:8"],
    );
}

#[test]
fn yaml_wrong_type_for_draft() {
    build_fails(
        launch("---\ntitle: A\ndraft: yes please\n---\n"),
        &["error: draft: invalid type: string \"yes please\", expected a boolean\n  --> content/news/launch.fr.md:3:8"],
    );
}

#[test]
fn yaml_alias_bomb() {
    let mut yaml = String::from("---\ntitle: A\nextra:\n  a: &a [x, x, x, x, x, x, x, x, x]\n");
    let names: Vec<char> = ('a'..='j').collect();
    for pair in names.windows(2) {
        let (previous, name) = (pair[0], pair[1]);
        let refs = vec![format!("*{previous}"); 9].join(", ");
        yaml.push_str(&format!("  {name}: &{name} [{refs}]\n"));
    }
    yaml.push_str("---\n");
    build_fails(
        |s| s.write(LAUNCH, &yaml),
        &["error: invalid YAML: repetition limit exceeded\n  --> content/news/launch.fr.md:2:1\n  = help: the YAML nests or repeats aliases too deeply"],
    );
}

#[test]
fn yaml_nested_ten_thousand_deep() {
    let yaml = format!(
        "---\ntitle: A\nextra: {}{}\n---\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    build_fails(
        |s| s.write(LAUNCH, &yaml),
        &["error: invalid YAML: recursion limit exceeded\n  --> content/news/launch.fr.md:3:"],
    );
}

#[test]
fn yaml_huge_value_builds() {
    let title = "Très long titre ".repeat(100_000);
    let site = builds(|s| s.write(LAUNCH, &format!("---\ntitle: {title}\n---\nTexte.\n")));
    let page = site.read_output("fr/news/launch/index.html");
    assert!(
        page.contains(title.trim()),
        "the whole title is on the page"
    );
}

#[test]
fn front_matter_never_closed() {
    build_fails(
        launch("---\ntitle: A\n\nText without the closing line"),
        &["error: the front matter is never closed\n  --> content/news/launch.fr.md:1:1\n  = help: add a line `---` after the last front matter key"],
    );
}

#[test]
fn front_matter_not_a_mapping() {
    build_fails(
        launch("---\n- a\n- b\n---\n"),
        &["error: the front matter is not a list of `key: value` lines\n  --> content/news/launch.fr.md:2:1"],
    );
}

#[test]
fn site_yaml_without_base_url() {
    build_fails(
        |s| {
            s.write(
                "site.yaml",
                "title: A\ndefault_language: fr\nlanguages: [fr, en, ja]\n",
            )
        },
        &["error: the required key `base_url` is missing\n  --> site.yaml:1:1\n  = help: add a line `base_url: …`"],
    );
}

#[test]
fn site_yaml_lists_a_language_twice() {
    build_fails(
        |s| {
            s.write(
                "site.yaml",
                "title: A\nbase_url: https://example.org/\ndefault_language: fr\nlanguages: [fr, fr, en, ja]\n",
            )
        },
        &["error: language `fr` is listed twice\n  --> site.yaml:4:1"],
    );
}

// ---------------------------------------------------------------- encoding

#[test]
fn invalid_utf8_is_located() {
    build_fails(
        |s| write_bytes(s, LAUNCH, b"---\ntitle: \xff\xfe\n---\n"),
        &["error: the file is not valid UTF-8\n  --> content/news/launch.fr.md:2:8\n  = help: save the file as UTF-8"],
    );
}

#[test]
fn utf16_file_is_refused_with_a_hint() {
    let text: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "---\ntitle: A\n---\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    build_fails(
        |s| write_bytes(s, LAUNCH, &text),
        &["error: the file is not valid UTF-8\n  --> content/news/launch.fr.md:1:1\n  = help: save the file as UTF-8"],
    );
}

#[test]
fn byte_order_mark_builds() {
    let site = builds(|s| {
        write_bytes(
            s,
            LAUNCH,
            b"\xef\xbb\xbf---\ntitle: Avec BOM\n---\nTexte.\n",
        )
    });
    let page = site.read_output("fr/news/launch/index.html");
    assert!(page.contains("Avec BOM"));
    assert!(!page.contains('\u{feff}'));
}

#[test]
fn crlf_line_ends_build() {
    let site = builds(|s| {
        write_bytes(
            s,
            LAUNCH,
            b"---\r\ntitle: Fins de ligne\r\ndate: 2023-11-14\r\n---\r\n## Titre\r\n\r\nTexte.\r\n",
        )
    });
    let page = site.read_output("fr/news/launch/index.html");
    assert!(page.contains("Fins de ligne"));
    assert!(page.contains("<h2 id=titre>Titre</h2>"), "heading parsed");
    assert!(!page.contains('\r'));
}

#[test]
fn nfd_file_names_from_macos_build_with_nfc_urls() {
    let site = builds(|s| s.write("content/news/cafe\u{301}.fr.md", "---\ntitle: Café\n---\n"));
    assert!(site.public().join("fr/news/caf\u{e9}/index.html").is_file());
    assert!(!site.public().join("fr/news/cafe\u{301}").exists());
}

// ---------------------------------------------------------------- content

#[test]
fn missing_title() {
    build_fails(
        launch("---\ndate: 2023-11-14\n---\n"),
        &["error: the front matter has no `title`\n  --> content/news/launch.fr.md:2:1"],
    );
}

#[test]
fn impossible_date() {
    build_fails(
        launch("---\ntitle: A\ndate: 2023-02-30\n---\n"),
        &["error: invalid `date`: `2023-02-30`: month 2 of 2023 has 28 days\n  --> content/news/launch.fr.md:3:1"],
    );
}

#[test]
fn empty_file() {
    build_fails(
        launch(""),
        &["error: the file does not start with front matter\n  --> content/news/launch.fr.md:1:1"],
    );
}

#[test]
fn unknown_language_suffix() {
    build_fails(
        |s| s.write("content/news/launch.de.md", "---\ntitle: A\n---\n"),
        &["error: unknown language suffix `.de`\n  --> content/news/launch.de.md\n  = help: the site's languages are fr, en, ja"],
    );
}

#[test]
fn duplicate_slugs() {
    build_fails(
        |s| s.write("content/news/other.fr.md", "---\ntitle: B\nslug: launch\n---\n"),
        &["error: the URL `/fr/news/launch/` collides with `/fr/news/launch/` from content/news/launch.fr.md\n  --> content/news/other.fr.md"],
    );
}

#[test]
fn slug_leaving_the_folder() {
    build_fails(
        |s| s.write("content/news/other.fr.md", "---\ntitle: B\nslug: ../../x\n---\n"),
        &["error: slug `../../x` cannot be used: it contains a path separator (`/` or `\\`)\n  --> content/news/other.fr.md:3:1"],
    );
}

#[test]
fn absolute_slug() {
    build_fails(
        |s| s.write("content/news/other.fr.md", "---\ntitle: B\nslug: /etc\n---\n"),
        &["error: slug `/etc` cannot be used: it contains a path separator (`/` or `\\`)\n  --> content/news/other.fr.md:3:1"],
    );
}

#[test]
fn alias_leaving_the_site() {
    build_fails(
        |s| {
            s.write(
                "content/news/other.fr.md",
                "---\ntitle: B\naliases: [/../../x]\n---\n",
            )
        },
        &["error: alias `/../../x` cannot be used: segment `..`: `.` and `..` would leave the folder\n  --> content/news/other.fr.md:3:1"],
    );
}

#[test]
fn alias_to_another_site() {
    build_fails(
        |s| {
            s.write(
                "content/news/other.fr.md",
                "---\ntitle: B\naliases: ['https://evil.example/']\n---\n",
            )
        },
        &["error: alias `https://evil.example/` cannot be used: it must start with a single `/`"],
    );
}

#[test]
fn nfc_and_nfd_names_of_one_file() {
    build_fails(
        |s| {
            s.write("content/news/caf\u{e9}.fr.md", "---\ntitle: B\n---\n");
            s.write("content/news/cafe\u{301}.fr.md", "---\ntitle: C\n---\n");
        },
        &["error: two files have the same name written in two Unicode forms"],
    );
}

#[test]
fn names_differing_only_in_case() {
    build_fails(
        |s| s.write("content/news/Launch.fr.md", "---\ntitle: B\n---\n"),
        &["error: the URL `/fr/news/launch/` collides with `/fr/news/launch/` from content/news/Launch.fr.md\n  --> content/news/launch.fr.md\n  = help: two outputs would be the same file (case and accents are compared loosely)"],
    );
}

#[cfg(unix)]
#[test]
fn symlink_loop() {
    build_fails(
        |s| std::os::unix::fs::symlink(".", s.path("content/loop")).unwrap(),
        &["error: symbolic links to folders are not followed\n  --> content/loop"],
    );
}

#[cfg(unix)]
#[test]
fn symlink_out_of_the_tree() {
    build_fails(
        |s| {
            std::os::unix::fs::symlink("/etc/hostname", s.path("content/news/host.fr.md")).unwrap()
        },
        &["error: symbolic link points outside content/ (to /etc/hostname)\n  --> content/news/host.fr.md"],
    );
}

#[cfg(unix)]
#[test]
fn dangling_symlink() {
    build_fails(
        |s| {
            std::os::unix::fs::symlink("missing.fr.md", s.path("content/news/gone.fr.md"))
                .unwrap()
        },
        &["error: broken or looping symbolic link: No such file or directory (os error 2)\n  --> content/news/gone.fr.md"],
    );
}

#[test]
fn very_large_file_builds() {
    let paragraph = "Les villes interculturelles gèrent la diversité comme un atout. ".repeat(20);
    let body = format!("{paragraph}\n\n").repeat(15_000);
    let site = builds(|s| s.write(LAUNCH, &format!("---\ntitle: Énorme\n---\n{body}")));
    let page = site.read_output("fr/news/launch/index.html");
    assert!(page.len() > body.len(), "the whole text is on the page");
}

fn nesting_error(line: usize, column: usize) -> String {
    format!("error: the text nests more than 100 levels deep here (blockquotes, lists, emphasis, links and HTML elements together)\n  --> content/news/launch.fr.md:{line}:{column}\n  = help: flatten the structure")
}

#[test]
fn pathological_blockquote_nesting() {
    let body = format!("{} x\n", ">".repeat(50_000));
    build_fails(
        |s| s.write(LAUNCH, &format!("---\ntitle: A\n---\n{body}")),
        &[&nesting_error(4, 101)],
    );
}

#[test]
fn pathological_list_nesting() {
    let body: String = (0..3_000)
        .map(|i| format!("{}- x\n", "  ".repeat(i)))
        .collect();
    build_fails(
        |s| s.write(LAUNCH, &format!("---\ntitle: A\n---\n{body}")),
        &[&nesting_error(54, 101)],
    );
}

#[test]
fn pathological_emphasis_nesting() {
    let body = format!("{}x{}\n", "*".repeat(50_000), "*".repeat(50_000));
    build_fails(
        |s| s.write(LAUNCH, &format!("---\ntitle: A\n---\n{body}")),
        &[&nesting_error(4, 199)],
    );
}

#[test]
fn pathological_html_nesting() {
    let body = format!("{}x{}\n", "<div>".repeat(50_000), "</div>".repeat(50_000));
    build_fails(
        |s| s.write(LAUNCH, &format!("---\ntitle: A\n---\n{body}")),
        &[&nesting_error(4, 1)],
    );
}

#[test]
fn unmatched_brackets_build() {
    let body = format!("{}x{}\n", "[".repeat(50_000), "]".repeat(50_000));
    builds(|s| s.write(LAUNCH, &format!("---\ntitle: A\n---\n{body}")));
}

#[test]
fn thirty_thousand_identical_headings_build() {
    // Heading ids were once allocated by trying `-1`, `-2`… from the start: quadratic.
    let site = builds(|s| {
        s.write(
            LAUNCH,
            &format!("---\ntitle: A\n---\n{}", "# a\n\n".repeat(30_000)),
        )
    });
    let page = site.read_output("fr/news/launch/index.html");
    assert!(
        page.contains("id=a-29999"),
        "the last heading has its own id"
    );
}

#[test]
fn fifty_thousand_links_build() {
    // Link positions were once found by rescanning the text for each link: quadratic.
    builds(|s| {
        s.write(
            LAUNCH,
            &format!(
                "---\ntitle: A\n---\n{}",
                "[x](@/meetings/2016-reykjavik) ".repeat(50_000)
            ),
        )
    });
}

#[test]
fn translation_of_written_by_hand_wrongly() {
    build_fails(
        |s| {
            s.write(
                "content/news/x.en.md",
                "---\ntitle: A\ntranslation_of: news/nothing.fr.md\n---\n",
            )
        },
        &["error: `translation_of` must be a mapping with `lang` and `hash`\n  --> content/news/x.en.md:3:17"],
    );
}

#[test]
fn site_yaml_not_utf8() {
    build_fails(
        |s| write_bytes(s, "site.yaml", b"title: \xff\nbase_url: https://example.org/\n"),
        &["error: the file is not valid UTF-8\n  --> site.yaml:1:8\n  = help: save the file as UTF-8"],
    );
}

#[test]
fn broken_internal_link() {
    build_fails(
        launch("---\ntitle: A\n---\nIntro.\n\nVoir [Reykjavik](@/meetings/2016-reykjavk).\n"),
        &["error: broken internal link `@/meetings/2016-reykjavk`: no such document or section\n  --> content/news/launch.fr.md:6:6\n  = help: did you mean `@/meetings/2016-reykjavik`?"],
    );
}

#[test]
fn invalid_term_keys() {
    build_fails(
        launch("---\ntitle: A\ncities: ['../..']\n---\n"),
        &["error: `../..` is not a valid cities term key\n  --> content/news/launch.fr.md:3:1\n  = help: term keys are lowercase slugs shared by all languages (e.g. `reykjavik`)"],
    );
}

// ---------------------------------------------------------------- templates

#[test]
fn template_syntax_error() {
    build_fails(
        theme(&[("page.html", "{% if %}")]),
        &["error: template syntax error: Found `%}` but expected one of: integer, float, string, bool, ident, `-`, `not`, `<`, `{`, `[` or `(`\n  --> themes/t/templates/page.html:1:7"],
    );
}

#[test]
fn template_unknown_variable() {
    let stderr = build_fails(
        theme(&[("page.html", "<p>{{ page.nonexistent }}</p>")]),
        &[],
    );
    assert!(
        stderr.contains("  --> themes/t/templates/page.html:1:"),
        "{stderr}"
    );
    assert!(stderr.contains("nonexistent"), "{stderr}");
}

#[test]
fn template_unknown_filter() {
    build_fails(
        theme(&[("page.html", "{{ page.title | nope }}")]),
        &["error: template error: Unknown filter `nope`\n  --> themes/t/templates/page.html:1:17"],
    );
}

#[test]
fn template_include_loop() {
    build_fails(
        theme(&[
            ("page.html", "{% include \"a.html\" %}"),
            ("a.html", "{% include \"b.html\" %}"),
            ("b.html", "x\n{% include \"a.html\" %}"),
        ]),
        &["error: templates use each other in a loop: a.html →include b.html →include a.html\n  --> themes/t/templates/b.html:2:1\n  = help: break the loop"],
    );
}

#[test]
fn template_extends_loop() {
    build_fails(
        theme(&[
            ("page.html", "{% extends \"x.html\" %}"),
            ("x.html", "{% extends \"page.html\" %}"),
        ]),
        &["error: templates use each other in a loop: page.html →extends x.html →extends page.html\n  --> themes/t/templates/x.html:1:1"],
    );
}

#[test]
fn template_include_chain_deeper_than_the_guard() {
    let mut templates: Vec<(String, String)> = (0..3_000)
        .map(|i| {
            (
                format!("c{i}.html"),
                format!("{{% include \"c{}.html\" %}}", i + 1),
            )
        })
        .collect();
    templates.push(("c3000.html".into(), "end".into()));
    templates.push(("page.html".into(), "{% include \"c0.html\" %}".into()));
    let borrowed: Vec<(&str, &str)> = templates
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    build_fails(
        theme(&borrowed),
        &["error: templates include or extend each other more than 32 deep: c0.html →include c1.html →include c2.html →include c3.html →include c4.html → … 24 more … →include c29.html →include c30.html →include c31.html →include c32.html\n  --> themes/t/templates/c31.html:1:1"],
    );
}

#[test]
fn template_component_calling_itself_without_end() {
    build_fails(
        theme(&[(
            "page.html",
            "{% component f(n: integer) %}<i>{{ <f n={n + 1} /> }}</i>{% endcomponent f %}\n{{ <f n={1} /> }}",
        )]),
        &["error: components call each other without end: page.html → <f> → <f> … (<f> is defined in page.html line 1) (while rendering /fr/meetings/2016-reykjavik/ and 4 other pages)\n  --> themes/t/templates/page.html\n  = help: give the recursion a condition that stops it"],
    );
}

#[test]
fn template_includes_a_missing_template() {
    build_fails(
        theme(&[("page.html", "<main>\n  {% include \"sidebar.html\" %}</main>")]),
        &["error: `{% include \"sidebar.html\" %}`: there is no template `sidebar.html`\n  --> themes/t/templates/page.html:2:3"],
    );
}

#[test]
fn template_caches_a_missing_partial() {
    build_fails(
        theme(&[(
            "page.html",
            "<main>\n{{ include_cached(name=\"card.html\", item=page) }}</main>",
        )]),
        &["error: `include_cached(name=\"card.html\")`: there is no template `card.html`\n  --> themes/t/templates/page.html:2:4"],
    );
}

#[test]
fn template_error_inside_a_cached_partial() {
    let stderr = build_fails(
        theme(&[
            ("page.html", "<main>{{ include_cached(name=\"card.html\", item=page) }}</main>"),
            ("card.html", "<p>{{ item.title }}</p>\n<p>{{ item.nothing.here }}</p>"),
        ]),
        &["error: template error: in `card.html`, line 2, column 12: Field `nothing` is not defined.", "\n  --> themes/t/templates/page.html:1:10\n"],
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn missing_theme() {
    build_fails(
        |s| {
            let config = fs::read_to_string(s.path("site.yaml")).unwrap();
            s.write("site.yaml", &format!("{config}theme: nowhere\n"));
        },
        &["error: theme `nowhere` not found\n  --> site.yaml:9:1\n  = help: create themes/nowhere/templates/, or remove `theme:` to use the built-in theme"],
    );
}

// ---------------------------------------------------------------- i18n

#[test]
fn i18n_bad_yaml() {
    build_fails(
        |s| s.write("i18n/en.yaml", "name: English\nstrings:\n  read_more: 'Read\n"),
        &["error: invalid YAML: found unexpected end of stream, while scanning a quoted scalar\n  --> i18n/en.yaml:"],
    );
}

#[test]
fn i18n_wrong_type_blames_only_the_i18n_file() {
    let stderr = build_fails(
        |s| s.write("i18n/en.yaml", "name: English\nstrings: 3\n"),
        &["error: strings: invalid type: integer `3`, expected a map\n  --> i18n/en.yaml:2:10"],
    );
    assert!(!stderr.contains("site.yaml"), "{stderr}");
}

#[test]
fn i18n_without_name() {
    build_fails(
        |s| s.write("i18n/en.yaml", "strings: {}\n"),
        &["error: the required key `name` is missing\n  --> i18n/en.yaml:1:1\n  = help: add a line `name: …`"],
    );
}

#[test]
fn i18n_unknown_plural_category() {
    build_fails(
        |s| {
            s.write(
                "i18n/en.yaml",
                "name: English\nstrings:\n  pages: {one: '{count} page', banana: x, other: '{count} pages'}\n",
            )
        },
        &["error: UI string `pages` has a plural form `banana`, which is not a CLDR plural category\n  --> i18n/en.yaml:3:1"],
    );
}

#[test]
fn i18n_missing_keys_are_warnings_and_the_site_builds() {
    let site = built_site();
    site.write("i18n/ja.yaml", "name: 日本語\n");
    let run = run_limited(&site, &["build"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: UI string `cities` is missing in `ja`\n  --> i18n/ja.yaml"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------- output

fn refuses_output(output: &str, env: &[(&str, &Path)], expected: &str) {
    let site = built_site();
    let previous = snapshot(&site.public());
    let before = outside_output(&site);
    let run = run_limited(&site, &["build", "-o", output], env);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains(expected), "{}", run.stderr);
    assert!(snapshot(&site.public()) == previous);
    assert!(outside_output(&site) == before);
}

#[test]
fn output_is_the_project_root() {
    refuses_output(
        ".",
        &[],
        "/.` as the output folder: it is the site's own folder",
    );
}

#[test]
fn output_is_the_content_folder() {
    refuses_output(
        "content",
        &[],
        "/content` as the output folder: it is inside `content`, which holds sources",
    );
}

#[test]
fn output_is_the_home_folder() {
    let home = tempfile::tempdir().unwrap();
    fs::write(home.path().join(".profile"), "keep me").unwrap();
    let home_path = home.path().to_path_buf();
    refuses_output(
        &home_path.to_string_lossy(),
        &[("HOME", &home_path)],
        "it is your home folder",
    );
    assert_eq!(
        fs::read_to_string(home.path().join(".profile")).unwrap(),
        "keep me"
    );
}

#[test]
fn output_is_the_file_system_root() {
    refuses_output(
        "/",
        &[],
        "error: refusing to use `/` as the output folder: it is the file system root",
    );
}

#[test]
fn output_folder_intercite_did_not_create() {
    let site = built_site();
    site.write("mine/notes.txt", "precious");
    let before = outside_output(&site);
    let run = run_limited(&site, &["build", "-o", "mine"], &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("it is not empty and intercite did not create it"),
        "{}",
        run.stderr
    );
    assert!(outside_output(&site) == before);
}

#[cfg(unix)]
#[test]
fn read_only_output_folder() {
    use std::os::unix::fs::PermissionsExt;
    let stderr = build_fails(
        |s| {
            s.write("content/news/new.fr.md", "---\ntitle: Nouveau\n---\n");
            fs::set_permissions(s.public(), fs::Permissions::from_mode(0o555)).unwrap();
        },
        &["is read-only\n"],
    );
    assert!(stderr.contains("make it writable (`chmod u+w "), "{stderr}");
}

/// A real full disk: the site on a small tmpfs. Needs the right to mount (root, as in CI);
/// elsewhere the case says so and checks nothing.
#[cfg(target_os = "linux")]
#[test]
fn disk_full() {
    let mount_point = tempfile::tempdir().unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1500k", "tmpfs"])
        .arg(mount_point.path())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("disk_full: cannot mount a tmpfs here (not root); case not run");
        return;
    }
    let result = std::panic::catch_unwind(|| {
        let root = mount_point.path().join("site");
        crate::common::copy_tree(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic"),
            &root,
        );
        let run = |root: &Path| {
            let mut command = Command::cargo_bin("intercite").unwrap();
            command
                .args(["build", "--root"])
                .arg(root)
                .env("NO_COLOR", "1")
                .timeout(TIME_LIMIT);
            Run::from(command.output().unwrap())
        };
        run(&root).assert_success();
        let previous = snapshot(&root.join("public"));
        // More than the space left: the new site cannot be written beside the old one.
        let noise: Vec<u8> = (0..700_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        fs::write(root.join("content/meetings/2016-reykjavik/big.pdf"), noise).unwrap();
        let failed = run(&root);
        assert_eq!(failed.code, 1, "{}", failed.stderr);
        assert!(
            failed
                .stderr
                .contains(": the disk is full (writing the new site beside it: ")
                && failed.stderr.contains("No space left on device"),
            "{}",
            failed.stderr
        );
        assert!(snapshot(&root.join("public")) == previous);
        let leftovers: Vec<_> = fs::read_dir(&root)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains("intercite"))
            .collect();
        assert!(leftovers.is_empty(), "temporary folders left behind");
    });
    let _ = std::process::Command::new("umount")
        .arg(mount_point.path())
        .status();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
