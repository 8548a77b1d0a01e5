//! `intercite check`: the whole build, minus writing, with every problem reported as text (for
//! people, on stderr), JSON or GitHub Actions annotations (for programs, on stdout).

use std::io::Write;

use serde::Serialize;

use crate::build::{self, Options};
use crate::cli::{CheckArgs, Format};
use crate::diagnostics::{Diagnostic, Severity};

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: &'static str,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
    hint: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    ok: bool,
    errors: usize,
    warnings: usize,
    pages: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

fn severity(d: &Diagnostic) -> &'static str {
    match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The JSON report: one object, `diagnostics` in file and line order.
pub fn to_json(diagnostics: &[Diagnostic], pages: usize) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let report = JsonReport {
        ok: errors == 0,
        errors,
        warnings: diagnostics.len() - errors,
        pages,
        diagnostics: diagnostics
            .iter()
            .map(|d| JsonDiagnostic {
                severity: severity(d),
                file: d.file.as_ref().map(|f| f.display().to_string()),
                line: (d.line > 0).then_some(d.line),
                column: (d.column > 0).then_some(d.column),
                message: &d.message,
                hint: d.hint.as_deref(),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".to_string())
}

/// GitHub Actions workflow commands, one per line: `::error file=…,line=…,col=…::message`.
pub fn to_github(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let mut properties = Vec::new();
        if let Some(file) = &d.file {
            properties.push(format!(
                "file={}",
                escape_property(&file.display().to_string())
            ));
        }
        if d.line > 0 {
            properties.push(format!("line={}", d.line));
        }
        if d.column > 0 {
            properties.push(format!("col={}", d.column));
        }
        properties.push("title=intercite".to_string());
        let message = match &d.hint {
            Some(hint) => format!("{}\nhelp: {hint}", d.message),
            None => d.message.clone(),
        };
        out.push_str(&format!(
            "::{} {}::{}\n",
            severity(d),
            properties.join(","),
            escape_data(&message)
        ));
    }
    out
}

/// Escaping of a workflow command's message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a workflow command's property value (also `:` and `,`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[allow(clippy::print_stderr, clippy::print_stdout)]
pub fn run(args: &CheckArgs) -> i32 {
    let site = &args.site;
    let options = Options {
        root: site.root.clone(),
        output_dir: None,
        base_url: site.base_url.clone(),
        drafts: site.drafts,
        write: false,
    };
    let progress: Box<dyn build::Progress> = match args.format {
        Format::Text => Box::new(super::progress::TerminalProgress::new()),
        _ => Box::new(build::Silent),
    };
    let result = build::run(&options, progress.as_ref());
    let (diagnostics, pages) = match &result {
        Ok(report) => (
            report.warnings.clone(),
            report.pages_per_language.iter().map(|(_, n)| n).sum(),
        ),
        Err(problems) => (problems.clone(), 0),
    };
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    match args.format {
        Format::Text => {
            super::print_diagnostics(&diagnostics);
            match &result {
                Ok(report) => eprintln!(
                    "Checked {pages} pages in {:.2} s: no errors, {}",
                    report.elapsed.as_secs_f64(),
                    super::count(diagnostics.len(), "warning")
                ),
                Err(_) => eprintln!(
                    "Check failed: {}, {}",
                    super::count(errors, "error"),
                    super::count(diagnostics.len() - errors, "warning")
                ),
            }
        }
        Format::Json => {
            let _ = writeln!(std::io::stdout(), "{}", to_json(&diagnostics, pages));
        }
        Format::Github => {
            let _ = write!(std::io::stdout(), "{}", to_github(&diagnostics));
            eprintln!(
                "intercite check: {}, {}",
                super::count(errors, "error"),
                super::count(diagnostics.len() - errors, "warning")
            );
        }
    }
    i32::from(errors > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Diagnostic> {
        vec![
            Diagnostic::error("unknown front matter key `dtae`")
                .in_file("content/a, b.md")
                .at(3, 1)
                .hint("did you mean `date`?"),
            Diagnostic::warning("100% done\nsecond line"),
        ]
    }

    #[test]
    fn github_annotations_are_escaped() {
        assert_eq!(
            to_github(&sample()),
            "::error file=content/a%2C b.md,line=3,col=1,title=intercite::unknown front matter key `dtae`%0Ahelp: did you mean `date`?\n\
             ::warning title=intercite::100%25 done%0Asecond line\n"
        );
    }

    #[test]
    fn json_report_is_valid_and_complete() {
        let json: serde_json::Value = serde_json::from_str(&to_json(&sample(), 0)).unwrap();
        assert_eq!(json["ok"], false);
        assert_eq!(json["errors"], 1);
        assert_eq!(json["warnings"], 1);
        assert_eq!(json["diagnostics"][0]["file"], "content/a, b.md");
        assert_eq!(json["diagnostics"][0]["line"], 3);
        assert_eq!(json["diagnostics"][1]["line"], serde_json::Value::Null);
    }
}
