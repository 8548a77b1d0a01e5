//! `intercite serve`: glue between the arguments, the live server and the terminal.

use crate::cli::ServeArgs;
use crate::serve::{self, ServeEvent, ServeOptions};

#[allow(clippy::print_stderr)]
pub fn run(args: &ServeArgs) -> i32 {
    let options = ServeOptions {
        root: args.root.clone(),
        interface: args.interface.clone(),
        port: args.port,
        poll: args.poll,
        drafts: args.drafts,
    };
    let open = args.open;
    let result = serve::run(options, move |event| match event {
        ServeEvent::Listening { url, busy_default } => {
            if busy_default {
                eprintln!(
                    "Port {} is busy: using a free port instead.",
                    serve::DEFAULT_PORT
                );
            }
            eprintln!("Serving the site at {url}/ (Ctrl-C to stop)");
            if open {
                open_browser(&format!("{url}/"));
            }
        }
        ServeEvent::Watching(paths) => {
            let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            eprintln!("Watching {} for changes", names.join(", "));
        }
        ServeEvent::Built {
            pages,
            elapsed,
            warnings,
        } => {
            super::print_diagnostics(&warnings);
            eprintln!(
                "Built {pages} files in memory in {:.2} s",
                elapsed.as_secs_f64()
            );
        }
        ServeEvent::Rebuilt {
            kinds,
            changed,
            rendered: (rendered, pages),
            search_behind,
            elapsed,
            warnings,
        } => {
            super::print_diagnostics(&warnings);
            let kinds: Vec<String> = kinds
                .iter()
                .map(|k| format!("{k:?}").to_lowercase())
                .collect();
            let search = match search_behind.is_empty() {
                true => String::new(),
                false => format!(
                    "; search in {} follows in the background",
                    search_behind.join(", ")
                ),
            };
            eprintln!(
                "Rebuilt after a change to {} in {} ms: {} changed, {} of {pages} rendered again{search}",
                kinds.join(", "),
                elapsed.as_millis(),
                super::count(changed, "file"),
                super::count(rendered, "page"),
            );
        }
        ServeEvent::Failed(errors) => {
            super::print_diagnostics(&errors);
            eprintln!("The change broke the build: still serving the last good site, with the errors shown in the browser.");
        }
        ServeEvent::WatchFailed(message) => {
            eprintln!("warning: {message}; the site will not be rebuilt on changes")
        }
    });
    match result {
        Ok(()) => 0,
        Err(diagnostic) => {
            super::print_diagnostics(&[diagnostic]);
            1
        }
    }
}

/// Opens `url` in the desktop's browser; a failure is only reported.
#[allow(clippy::print_stderr)]
fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(command).arg(url).spawn() {
        eprintln!("warning: cannot open a browser ({command}: {e}); open {url} yourself");
    }
}
