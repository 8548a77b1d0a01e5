//! Every input that once made a fuzz target fail, replayed through the same checks
//! (`fuzz/checks.rs`), so a fixed crash stays fixed without a nightly toolchain.

use std::fs;
use std::path::Path;

#[allow(dead_code)]
#[path = "../../fuzz/checks.rs"]
mod checks;

/// The kept inputs of one target (`fuzz/regressions/<target>/*`), name → bytes.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut found: Vec<(String, Vec<u8>)> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.unwrap().path();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&path).unwrap(),
            )
        })
        .collect();
    found.sort();
    found
}

/// The text a `&str` fuzz target sees for these bytes: their longest valid UTF-8 prefix, as
/// the `arbitrary` crate takes it.
fn as_text(bytes: &[u8]) -> &str {
    match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap(),
    }
}

#[test]
fn front_matter_regressions() {
    for (name, bytes) in inputs("front_matter") {
        eprintln!("front_matter/{name}");
        checks::front_matter(&bytes);
    }
}

#[test]
fn paths_regressions() {
    for (name, bytes) in inputs("paths") {
        eprintln!("paths/{name}");
        checks::paths(as_text(&bytes));
    }
}

#[test]
fn markdown_regressions() {
    for (name, bytes) in inputs("markdown") {
        eprintln!("markdown/{name}");
        checks::markdown(as_text(&bytes));
    }
}
