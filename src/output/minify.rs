//! HTML minification with settings that keep the result valid HTML (the Nu checker runs on
//! every test build): optional tags may go, but no spec-breaking shortcuts, and scripts are
//! left as written.

use std::sync::OnceLock;

fn config() -> &'static minify_html::Cfg {
    static CFG: OnceLock<minify_html::Cfg> = OnceLock::new();
    CFG.get_or_init(|| {
        let mut cfg = minify_html::Cfg::new();
        cfg.keep_html_and_head_opening_tags = true;
        cfg.keep_closing_tags = true;
        cfg.minify_css = true;
        cfg.minify_js = false;
        cfg.minify_doctype = false;
        cfg.allow_noncompliant_unquoted_attribute_values = false;
        cfg.allow_optimal_entities = false;
        cfg.allow_removing_spaces_between_attributes = false;
        cfg
    })
}

/// Minifies a page; a page nested too deeply for the minifier's recursive parser is returned
/// as it is (see [`crate::markdown::nesting`]).
pub fn minify(html: &[u8]) -> Vec<u8> {
    use crate::markdown::nesting;
    if nesting::deeper_than(html, nesting::MINIFY_LIMIT) {
        return html.to_vec();
    }
    minify_html::minify(html, config())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_structure_and_attributes() {
        let out = minify(b"<!DOCTYPE html>\n<html lang=\"fr\" dir=\"ltr\">\n<head>\n<title> A </title>\n</head>\n<body>\n<p>  Bonjour   le monde </p>\n</body>\n</html>\n");
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.starts_with("<!doctype html><html dir=ltr lang=fr><head>"),
            "{out}"
        );
        assert!(out.contains("<p>Bonjour le monde</p>"), "{out}");
    }
}
