//! Nothing lost, nothing written where it should not be.

use std::fs;

use crate::common::{snapshot, Fixture};

#[test]
fn refuses_output_folders_that_hold_sources() {
    let site = Fixture::new("basic");
    for output in ["content", "content/x", ".", "..", "i18n", "themes", "/"] {
        let run = site.run(&["build", "-o", output]);
        assert_eq!(run.code, 1, "{output}: {}", run.stderr);
        assert!(
            run.stderr.contains("refusing to use"),
            "{output}: {}",
            run.stderr
        );
    }
    assert!(!site.path("content/x").exists());
    assert!(!site.path("content/index.html").exists());
}

#[test]
fn refuses_a_folder_it_did_not_create_and_leaves_it_alone() {
    let site = Fixture::new("basic");
    site.write("mine/notes.txt", "precious");
    let run = site.run(&["build", "-o", "mine"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("it is not empty and intercite did not create it"),
        "{}",
        run.stderr
    );
    assert_eq!(
        fs::read_to_string(site.path("mine/notes.txt")).unwrap(),
        "precious"
    );
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = Fixture::new("basic");
    site.build().assert_success();
    let before = snapshot(&site.public());
    site.write("content/news/launch.fr.md", "---\ntitle: [unclosed\n---\n");
    assert_eq!(site.build().code, 1);
    assert_eq!(snapshot(&site.public()), before);
}

#[test]
fn a_rebuild_replaces_the_previous_output_and_leaves_no_temporary_folders() {
    let site = Fixture::new("basic");
    site.write(
        "content/news/short-lived.fr.md",
        "---\ntitle: Éphémère\n---\n",
    );
    site.build().assert_success();
    assert!(site
        .public()
        .join("fr/news/short-lived/index.html")
        .exists());
    fs::remove_file(site.path("content/news/short-lived.fr.md")).unwrap();
    site.build().assert_success();
    assert!(!site
        .public()
        .join("fr/news/short-lived/index.html")
        .exists());
    let leftovers: Vec<String> = fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("intercite"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn nothing_is_written_outside_the_output_folder() {
    let site = Fixture::new("basic");
    let before = snapshot(site.root());
    site.build().assert_success();
    let after = snapshot(site.root());
    for (path, bytes) in &after {
        if !path.starts_with("public/") {
            assert_eq!(before.get(path), Some(bytes), "{path} was written");
        }
    }
}
