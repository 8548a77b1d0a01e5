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

/// mimalloc's option number for how long freed memory stays with the process before it goes
/// back to the system: `mi_option_purge_delay`, the 16th of `mi_option_e` in the `mimalloc.h`
/// of mimalloc 3 (and 2) that `libmimalloc-sys` 0.1.49 builds, which the Rust bindings do not
/// name. Their `mi_option_use_numa_nodes`, the next one, is 16.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Gives freed memory back to the system 100 ms after it is freed, where mimalloc 3 waits a
/// second. A build frees much of its memory as it goes (the Markdown sources after the first
/// pass, each page once written, the memos and lists once the pages are done) while other
/// threads allocate. On the 2,000-document benchmark corpus (eight alternating builds each,
/// 2026-12-06): 10 ms, 200 MiB at the peak and 3.51 s; 100 ms, 209 MiB and 3.45 s (less system
/// time: fewer pages given back and faulted in again); never (five builds), 240 MiB and 3.42 s.
/// At 10,000 documents 100 ms held 683 MiB at the peak against 10 ms's 669 MiB, 2 % faster.
fn prompt_purging() {
    // SAFETY: `mi_option_set` takes any option number and value, and only stores the value:
    // mimalloc reads this option each time it considers giving memory back.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 100) };
}

fn main() {
    prompt_purging();
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
