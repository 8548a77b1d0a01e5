//! The Markdown stage with intercite's own passes: pass one (headings, code, placeholders for
//! `@/` links), link resolution against a real site, typography for several languages, and
//! minification. Any text must come out as HTML or diagnostics, never a panic or a stack
//! overflow.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|text: &str| checks::markdown(text));
