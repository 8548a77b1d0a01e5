//! The checks behind the fuzz targets, shared with `tests/integration/fuzz_regressions.rs`,
//! which replays every input kept in `fuzz/regressions/`. Each function panics when intercite
//! breaks a promise on the given input.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

use intercite::config::Config;
use intercite::diagnostics::Diagnostics;
use intercite::index::urls::output_file;
use intercite::index::Site;
use intercite::markdown::{self, RenderContext, RenderedBody};
use intercite::paths::{
    check_segment, check_url_path, collision_key, encode_path, slugify, SegmentError,
};

/// Front matter splitting and parsing: any bytes give a parsed front matter or diagnostics
/// that point inside the file, never a panic.
pub fn front_matter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.lines().count() + 1;
    let Ok(split) = intercite::load::frontmatter::split(text) else {
        return;
    };
    assert!(split.body_line <= lines + 1);
    let taxonomies = ["cities".to_string(), "topics".to_string()];
    if let Err(problems) = intercite::load::frontmatter::parse(
        split.yaml,
        split.yaml_line,
        Path::new("content/a.fr.md"),
        &taxonomies,
    ) {
        assert!(!problems.is_empty());
        for p in problems {
            assert!(p.line <= lines + 1, "{p} points past the end of the file");
        }
    }
}

/// Slugs, URL paths, output file names and collision keys: whatever the text, a slug is a
/// safe NFC segment, an accepted URL path never leaves the output folder, and collision keys
/// are stable.
pub fn paths(text: &str) {
    let slug = slugify(text);
    if !slug.is_empty() {
        match check_segment(&slug) {
            Ok(()) | Err(SegmentError::TooLong) => {}
            Err(e) => panic!("slug {slug:?} of {text:?} is unsafe: {e}"),
        }
        assert_eq!(slug.nfc().collect::<String>(), slug, "slug is not NFC");
        assert_eq!(slugify(&slug), slug, "slugify is not idempotent");
    }

    if let Ok(segments) = check_url_path(text) {
        for s in &segments {
            assert!(check_segment(s).is_ok());
        }
        let file = output_file(text);
        assert!(!file.starts_with('/'), "{file}");
        assert!(file.split('/').all(|s| s != ".." && s != "."), "{file}");
    }

    let key = collision_key(text);
    assert_eq!(collision_key(&key), key, "collision key is not stable");

    let encoded = encode_path(text);
    assert!(encoded.is_ascii());
    let mut decoded = Vec::new();
    let bytes = encoded.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            decoded.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    assert_eq!(decoded, text.as_bytes(), "encode_path loses information");
}
/// The `basic` test site, from the crate that includes this file: intercite itself (its tests)
/// or the fuzz crate inside it.
fn basic_fixture() -> std::path::PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let direct = manifest.join("tests/fixtures/basic");
    if direct.is_dir() {
        direct
    } else {
        manifest.join("../tests/fixtures/basic")
    }
}

struct Fixture {
    site: Site,
    bodies: Vec<RenderedBody>,
}

/// The `basic` test site, loaded and its Markdown rendered once.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let root = basic_fixture();
        let config = Config::load(&root, None).expect("the basic fixture loads");
        let mut problems = Diagnostics::new();
        let loaded = intercite::load::load(&config, false, &mut problems);
        let site = intercite::index::index(config, loaded, &mut problems);
        let bodies = render_all(&site);
        Fixture { site, bodies }
    })
}

fn render_all(site: &Site) -> Vec<RenderedBody> {
    let assets: BTreeSet<&str> = site.assets.iter().map(String::as_str).collect();
    let ctx = RenderContext {
        assets: &assets,
        base_path: site.config.base_path(),
    };
    site.versions
        .iter()
        .map(|v| markdown::render(v, &ctx))
        .collect()
}

/// The Markdown stage with intercite's own passes: pass one (headings, code, placeholders for
/// `@/` links), link resolution against a real site, typography for several languages, and
/// minification. Any text must come out as HTML or diagnostics, never a panic or a stack
/// overflow.
pub fn markdown(text: &str) {
    let fixture = fixture();
    let site = &fixture.site;
    let Some(target) = site
        .versions
        .iter()
        .position(|v| v.kind == intercite::load::VersionKind::Page && v.body.contains("@/"))
    else {
        return;
    };
    let assets: BTreeSet<&str> = site.assets.iter().map(String::as_str).collect();
    let ctx = RenderContext {
        assets: &assets,
        base_path: site.config.base_path(),
    };
    let mut version = site.versions[target].clone();
    version.body = text.to_string();
    let body = markdown::render(&version, &ctx);
    if body.too_deep.is_some() {
        return;
    }
    let mut bodies = fixture.bodies.clone();
    bodies[target] = body.clone();
    let (html, _problems) =
        markdown::resolve_links(site, target, body.html.clone(), &body, &bodies);
    assert!(
        !html.contains('\0'),
        "a link placeholder was left in the HTML"
    );
    for lang in ["fr", "en", "ja", "ar"] {
        let typeset = markdown::typography::apply_html(&html, lang);
        let page = format!("<!DOCTYPE html><html lang={lang}><head><title>t</title></head><body><main>{typeset}</main></body></html>");
        let _ = intercite::output::minify::minify(page.as_bytes());
    }
}
