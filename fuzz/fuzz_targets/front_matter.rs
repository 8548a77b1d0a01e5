//! Front matter splitting and parsing: any bytes give a parsed front matter or diagnostics
//! that point inside the file, never a panic.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::front_matter(data));
