//! `intercite new`: a new document or a translation (being written).

#[allow(clippy::print_stderr)]
pub fn run(_args: &crate::cli::NewArgs) -> i32 {
    eprintln!("error: `intercite new` is not available yet");
    1
}
