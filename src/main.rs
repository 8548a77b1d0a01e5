//! The `intercite` binary: parse arguments, run the command, exit with its code.

use clap::Parser;

use intercite::cli::{Cli, Command};
use intercite::cmd;

/// Rendering allocates many short-lived strings on every thread at once; glibc's allocator
/// spent a fifth of a large build in malloc and free, mimalloc a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Keeps the memory the process holds close to what it uses. mimalloc asks the kernel for
/// transparent huge pages, so that touching one byte of a 2 MiB stretch of its memory brings
/// in all of it: on the 2,000-document benchmark corpus the process held 240–250 MiB at its
/// peak with them, 205–210 MiB without, in the same time (see the README's Speed section).
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

fn main() {
    no_transparent_huge_pages();
    let cli = Cli::parse();
    let code = match &cli.command {
        Command::Build(args) => cmd::build::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::New(args) => cmd::new::run(args),
        Command::Status(args) => cmd::status::run(args),
    };
    std::process::exit(code);
}
