//! One module per command: glue between the arguments, the library and the terminal.

pub mod build;
pub mod check;
pub mod new;
pub mod progress;
pub mod serve;
pub mod status;

use std::io::{IsTerminal, Write};

use crate::diagnostics::{Diagnostic, Severity};

/// Whether to colour stderr: only on a terminal, and never when NO_COLOR is set.
pub fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Prints diagnostics to stderr, rustc-style, each once.
#[allow(clippy::print_stderr)]
pub fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let color = use_color();
    let mut err = std::io::stderr().lock();
    for d in diagnostics {
        let text = d.to_string();
        if color {
            let (code, label) = match d.severity {
                Severity::Error => ("1;31", "error"),
                Severity::Warning => ("1;33", "warning"),
            };
            let rest = text.strip_prefix(label).unwrap_or(&text);
            let _ = writeln!(err, "\x1b[{code}m{label}\x1b[0m{rest}\n");
        } else {
            let _ = writeln!(err, "{text}\n");
        }
    }
}

/// "1 error" / "3 warnings".
pub fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
