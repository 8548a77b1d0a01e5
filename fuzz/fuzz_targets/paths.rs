//! Slugs, URL paths, output file names and collision keys: whatever the text, a slug is a
//! safe NFC segment, an accepted URL path never leaves the output folder, and collision keys
//! are stable.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|text: &str| checks::paths(text));
