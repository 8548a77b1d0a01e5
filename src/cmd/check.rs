//! `intercite check`: the whole build, minus writing, with every problem reported.

use crate::build::{self, Options};
use crate::cli::CheckArgs;

#[allow(clippy::print_stderr)]
pub fn run(args: &CheckArgs) -> i32 {
    let args = &args.site;
    let options = Options {
        root: args.root.clone(),
        output_dir: None,
        base_url: args.base_url.clone(),
        drafts: args.drafts,
        write: false,
    };
    match build::run(&options) {
        Ok(report) => {
            super::print_diagnostics(&report.warnings);
            let total: usize = report.pages_per_language.iter().map(|(_, n)| n).sum();
            eprintln!(
                "Checked {total} pages in {:.2} s: no errors, {}",
                report.elapsed.as_secs_f64(),
                super::count(report.warnings.len(), "warning")
            );
            0
        }
        Err(problems) => {
            super::print_diagnostics(&problems);
            let errors = problems.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "Check failed: {}, {}",
                super::count(errors, "error"),
                super::count(problems.len() - errors, "warning")
            );
            1
        }
    }
}
