//! `intercite status` (being written).

#[allow(clippy::print_stderr)]
pub fn run(_args: &crate::cli::StatusArgs) -> i32 {
    eprintln!("error: `intercite status` is not available yet");
    1
}
