//! The `intercite` binary: parse arguments, run the command, exit with its code.

use clap::Parser;

use intercite::cli::{Cli, Command};
use intercite::cmd;

/// Rendering allocates many short-lived strings on every thread at once; glibc's allocator
/// spent a fifth of a large build in malloc and free, mimalloc a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
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
