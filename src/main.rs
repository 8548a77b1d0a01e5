//! The `intercite` binary: parse arguments, run the command, exit with its code.

use clap::Parser;

use intercite::cli::{Cli, Command};
use intercite::cmd;

fn main() {
    let cli = Cli::parse();
    let code = match &cli.command {
        Command::Build(args) => cmd::build::run(args),
        Command::Check(args) => cmd::check::run(args),
    };
    std::process::exit(code);
}
