//! `intercite status`: the translation matrix, as text or JSON, on stdout.

use std::io::Write;

use crate::cli::{Format, StatusArgs};
use crate::config::Config;
use crate::diagnostics::Diagnostics;
use crate::translation::{self, report};
use crate::{index, load};

#[allow(clippy::print_stderr)]
pub fn run(args: &StatusArgs) -> i32 {
    if args.format == Format::Github {
        eprintln!("error: `status` prints text or json, not github annotations\n  = help: use --format text or --format json");
        return 2;
    }
    let config = match Config::load(&args.root, None) {
        Ok(config) => config,
        Err(problems) => {
            super::print_diagnostics(&problems.into_sorted());
            return 1;
        }
    };
    if let Some(lang) = &args.lang {
        if let Err(d) = config.require_language(lang) {
            super::print_diagnostics(&[d]);
            return 1;
        }
    }
    let mut problems = Diagnostics::new();
    let loaded = load::load(&config, args.drafts, &mut problems);
    let site = index::index(config, loaded, &mut problems);
    if problems.has_errors() {
        let errors = problems.error_count();
        super::print_diagnostics(&problems.into_sorted());
        eprintln!(
            "Status unavailable: {} in the content; fix them first",
            super::count(errors, "error")
        );
        return 1;
    }
    let all = translation::matrix(&site);
    let matrix = match &args.lang {
        Some(lang) => all.only(lang).unwrap_or(all),
        None => all,
    };
    let out = match args.format {
        Format::Json => report::json(&site, &matrix),
        Format::Text | Format::Github => report::text(&site, &matrix),
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => 0,
        // A closed pipe (`intercite status | head`) is not an error of the site.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("error: cannot write the status: {e}");
            1
        }
    }
}
