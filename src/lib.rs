//! intercite: the static site generator of the Intercultural Cities publications site.
//!
//! The build is one pass in five stages, each owning its data and handing plain data to the
//! next: [`load`] → [`index`] → [`markdown`] → [`templates`] → [`output`]. [`build::run`] is
//! that pass, in order. The library never prints: it returns results and diagnostics, and the
//! binary decides how to show them.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod build;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod diagnostics;
pub mod i18n;
pub mod index;
pub mod load;
pub mod markdown;
pub mod ordered;
pub mod output;
pub mod paths;
pub mod scaffold;
pub mod scan;
pub mod search;
pub mod seen;
pub mod serve;
pub mod templates;
#[cfg(test)]
mod test_random;
#[cfg(test)]
mod test_site;
pub mod timings;
pub mod translation;
pub mod yaml;
