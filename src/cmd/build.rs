//! `intercite build`.

use crate::build::{self, Options};
use crate::cli::BuildArgs;

#[allow(clippy::print_stderr)]
pub fn run(args: &BuildArgs) -> i32 {
    let options = Options {
        root: args.site.root.clone(),
        output_dir: Some(args.output_dir.clone()),
        base_url: args.site.base_url.clone(),
        drafts: args.site.drafts,
        write: true,
    };
    if args.timings {
        crate::templates::metrics::enable();
    }
    match build::run(&options, &super::progress::TerminalProgress::new()) {
        Ok(report) => {
            super::print_diagnostics(&report.warnings);
            let per_language: Vec<String> = report
                .pages_per_language
                .iter()
                .map(|(l, n)| format!("{l} {n}"))
                .collect();
            let total: usize = report.pages_per_language.iter().map(|(_, n)| n).sum();
            let out = report
                .output_dir
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            let warnings = if report.warnings.is_empty() {
                String::new()
            } else {
                format!(", {}", super::count(report.warnings.len(), "warning"))
            };
            eprintln!(
                "Built {total} pages ({}) and {} files in total in {:.2} s into {out}{warnings}",
                per_language.join(", "),
                report.files,
                report.elapsed.as_secs_f64()
            );
            if args.timings {
                eprint!("{}", report.timings.table());
            }
            0
        }
        Err(problems) => {
            super::print_diagnostics(&problems);
            let errors = problems.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "Build failed: {}; the previous output was left as it was.",
                super::count(errors, "error")
            );
            1
        }
    }
}
