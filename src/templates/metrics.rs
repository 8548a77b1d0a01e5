//! Where the rendering threads' time goes, per template: `intercite build --timings` prints it
//! under the stages, as Hugo's `--templateMetrics` does, so that a theme's author sees which
//! template costs the most and whether it is the page's values, Tera, the Markdown, or the
//! typography and the minifier (one pass over the page does both), and the speed work sees the
//! same without a profiler.
//!
//! The times are the threads' CPU time (Linux; elsewhere the time between the readings):
//! the rendering threads share the two cores with the search index's and the writer's, so
//! the time between two readings would count the other threads' turns too. A reading of the
//! thread's CPU clock is a system call (about 0.3 µs): four per page are 25 ms of a
//! 21,000-page build, so they are taken only when [`enable`] was called (by `--timings`).

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Whether pages are timed: a choice for the whole run, made by the command line.
static ENABLED: AtomicBool = AtomicBool::new(false);

/// Times every page rendered from now on.
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// The CPU time this thread has used.
#[cfg(target_os = "linux")]
fn thread_clock() -> Duration {
    crate::timings::cpu_clock(rustix::time::ClockId::ThreadCPUTime).unwrap_or_default()
}

/// Elsewhere, the time since the first reading: it also counts the other threads' turns.
#[cfg(not(target_os = "linux"))]
fn thread_clock() -> Duration {
    static ORIGIN: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    ORIGIN.get_or_init(std::time::Instant::now).elapsed()
}

/// The time spent on the pages of one template, summed over the rendering threads (so more
/// than the stage's wall time when both cores render).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TemplateWork {
    pub pages: usize,
    /// Making the page's values (its Tera context), the Markdown excepted.
    pub values: Duration,
    /// Reading the versions' Markdown again and rendering it (see [`super::bodies`]).
    pub markdown: Duration,
    /// Tera's rendering of the template with those values.
    pub tera: Duration,
    /// The typography and the minifier, done in one pass over the page (the typography alone
    /// for a file that is not HTML).
    pub finish: Duration,
}

impl TemplateWork {
    pub fn total(&self) -> Duration {
        self.values + self.markdown + self.tera + self.finish
    }

    fn add(&mut self, other: &TemplateWork) {
        self.pages += other.pages;
        self.values += other.values;
        self.markdown += other.markdown;
        self.tera += other.tera;
        self.finish += other.finish;
    }
}

thread_local! {
    /// The Markdown rendered on this thread since [`take_markdown`] was last called: the text
    /// is rendered deep inside the making of a page's values, which times it as a whole.
    static MARKDOWN: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

/// Times `render`, a version's Markdown being read and rendered for a page, when pages are
/// timed.
pub fn time_markdown<T>(render: impl FnOnce() -> T) -> T {
    if !enabled() {
        return render();
    }
    let started = thread_clock();
    let result = render();
    let spent = thread_clock().saturating_sub(started);
    MARKDOWN.with(|m| m.set(m.get() + spent));
    result
}

/// This thread's Markdown time since the last call, which it resets.
fn take_markdown() -> Duration {
    MARKDOWN.with(|m| m.replace(Duration::ZERO))
}

/// The work of every template rendered so far in this build.
#[derive(Debug, Default)]
pub struct Metrics {
    by_template: Mutex<BTreeMap<String, TemplateWork>>,
}

/// The clock readings of one page, taken as it goes through the renderer; none when pages
/// are not timed.
pub struct PageClock(Option<Readings>);

struct Readings {
    start: Duration,
    context_done: Option<Duration>,
    tera_done: Option<Duration>,
}

impl PageClock {
    pub fn start() -> PageClock {
        if !enabled() {
            return PageClock(None);
        }
        take_markdown();
        PageClock(Some(Readings {
            start: thread_clock(),
            context_done: None,
            tera_done: None,
        }))
    }
    pub fn context_done(&mut self) {
        if let Some(r) = &mut self.0 {
            r.context_done = Some(thread_clock());
        }
    }
    pub fn tera_done(&mut self) {
        if let Some(r) = &mut self.0 {
            r.tera_done = Some(thread_clock());
        }
    }
}

impl Metrics {
    /// Records a page of `template` whose clock ends now, with the typography and the minifier
    /// since its last reading.
    pub fn record(&self, template: &str, clock: PageClock) {
        let Some(clock) = clock.0 else {
            return;
        };
        let end = thread_clock();
        let context_done = clock.context_done.unwrap_or(end);
        let tera_done = clock.tera_done.unwrap_or(context_done);
        let markdown = take_markdown();
        let since = |later: Duration, earlier: Duration| later.saturating_sub(earlier);
        let page = TemplateWork {
            pages: 1,
            values: since(context_done, clock.start).saturating_sub(markdown),
            markdown,
            tera: since(tera_done, context_done),
            finish: since(end, tera_done),
        };
        if let Ok(mut by_template) = self.by_template.lock() {
            match by_template.get_mut(template) {
                Some(work) => work.add(&page),
                None => {
                    by_template.insert(template.to_string(), page);
                }
            }
        }
    }

    /// Each template's work, the costliest first (then by name, so equal times print in a
    /// stable order).
    pub fn report(&self) -> Vec<(String, TemplateWork)> {
        let mut all: Vec<(String, TemplateWork)> = match self.by_template.lock() {
            Ok(by_template) => by_template
                .iter()
                .map(|(name, work)| (name.clone(), *work))
                .collect(),
            Err(_) => Vec::new(),
        };
        all.sort_by(|a, b| b.1.total().cmp(&a.1.total()).then_with(|| a.0.cmp(&b.0)));
        all
    }
}

/// The table `--timings` prints after the stages: one line per template, then their sum.
pub fn table(work: &[(String, TemplateWork)]) -> String {
    if work.is_empty() {
        return String::new();
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let width = work
        .iter()
        .map(|(name, _)| name.chars().count())
        .max()
        .unwrap_or(0)
        .max("template".len());
    let mut out = format!(
        "  pages by template (ms of CPU time on the rendering threads):\n  {:<width$} {:>6} {:>9} {:>9} {:>9} {:>20} {:>9} {:>8}\n",
        "template", "pages", "values", "markdown", "tera", "typography+minifier", "total", "per page"
    );
    let mut sum = TemplateWork::default();
    let mut line = |name: &str, w: &TemplateWork| {
        out.push_str(&format!(
            "  {name:<width$} {:>6} {:>9.1} {:>9.1} {:>9.1} {:>20.1} {:>9.1} {:>8.3}\n",
            w.pages,
            ms(w.values),
            ms(w.markdown),
            ms(w.tera),
            ms(w.finish),
            ms(w.total()),
            ms(w.total()) / w.pages.max(1) as f64,
        ));
    };
    for (name, w) in work {
        line(name, w);
        sum.add(w);
    }
    line("all", &sum);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Uses the CPU for about `ms` milliseconds: the clock is the thread's CPU time.
    fn spin(ms: u64) {
        let until = thread_clock() + Duration::from_millis(ms);
        let mut x = 0u64;
        while thread_clock() < until {
            x = std::hint::black_box(x.wrapping_add(1));
        }
    }

    #[test]
    fn pages_add_up_per_template_and_the_costliest_comes_first() {
        enable();
        let metrics = Metrics::default();
        for template in ["page.html", "section.html", "page.html"] {
            let mut clock = PageClock::start();
            let markdown = time_markdown(|| {
                spin(1);
                "<p>text</p>"
            });
            assert_eq!(markdown, "<p>text</p>");
            clock.context_done();
            spin(if template == "page.html" { 3 } else { 1 });
            clock.tera_done();
            metrics.record(template, clock);
        }
        let report = metrics.report();
        assert_eq!(report.len(), 2);
        assert_eq!(report[0].0, "page.html");
        assert_eq!(report[0].1.pages, 2);
        assert_eq!(report[1].1.pages, 1);
        assert!(report[0].1.tera >= Duration::from_millis(6), "{report:?}");
        assert!(
            report[0].1.markdown >= Duration::from_millis(2),
            "{report:?}"
        );
        // The Markdown's time is taken out of the values'.
        assert!(report[0].1.values < Duration::from_millis(1), "{report:?}");
        assert!(report[0].1.finish < Duration::from_millis(1), "{report:?}");

        let table = table(&report);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 5, "{table}");
        assert!(lines[1].contains("typography+minifier") && lines[1].contains("per page"));
        assert!(lines[2].trim_start().starts_with("page.html") && lines[2].contains(" 2 "));
        assert!(lines[4].trim_start().starts_with("all") && lines[4].contains(" 3 "));
    }

    #[test]
    fn a_page_with_nothing_after_tera_counts_no_finish_and_no_template_prints_nothing() {
        enable();
        let metrics = Metrics::default();
        let mut clock = PageClock::start();
        clock.context_done();
        clock.tera_done();
        metrics.record("sitemap.xml", clock);
        let work = metrics.report()[0].1;
        assert_eq!(work.pages, 1);
        assert!(work.finish < Duration::from_millis(1), "{work:?}");
        assert_eq!(table(&[]), "");
    }

    #[test]
    fn an_untimed_clock_records_nothing() {
        let metrics = Metrics::default();
        metrics.record("page.html", PageClock(None));
        assert!(metrics.report().is_empty());
    }
}
