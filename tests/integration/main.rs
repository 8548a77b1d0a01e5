//! Integration tests: fixture sites under `tests/fixtures/`, copied to a temporary folder,
//! built with the real binary, and their output checked. One test binary for all of them.

mod common;

mod browser;
mod build;
mod catalogue;
mod editing;
mod errors;
mod fuzz_regressions;
mod icc_site;
mod safety;
mod search;
mod seeds;
mod serve;
