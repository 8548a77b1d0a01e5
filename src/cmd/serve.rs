//! `intercite serve` (being written).

#[allow(clippy::print_stderr)]
pub fn run(_args: &crate::cli::ServeArgs) -> i32 {
    eprintln!("error: `intercite serve` is not available yet");
    1
}
