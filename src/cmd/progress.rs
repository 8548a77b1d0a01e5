//! A progress bar on stderr for long builds, shown only on a terminal (indicatif hides it
//! otherwise) and without colour when NO_COLOR is set.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::build::Progress;

/// Shows each stage as a bar; builds shorter than a moment never show one.
pub struct TerminalProgress {
    bar: ProgressBar,
}

impl TerminalProgress {
    pub fn new() -> TerminalProgress {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let template = if super::use_color() {
            "{prefix:>9.cyan.bold} [{bar:30}] {pos}/{len}"
        } else {
            "{prefix:>9} [{bar:30}] {pos}/{len}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        TerminalProgress { bar }
    }
}

impl Default for TerminalProgress {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress for TerminalProgress {
    fn stage(&self, name: &'static str, total: usize) {
        self.bar.set_prefix(name);
        self.bar.set_length(total as u64);
        self.bar.set_position(0);
    }

    fn advance(&self, n: usize) {
        self.bar.inc(n as u64);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
