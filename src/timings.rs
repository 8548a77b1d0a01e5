//! Per-stage wall-clock times of a build, for `--timings` and the benchmarks.

use std::time::{Duration, Instant};

/// Stage name → time spent, in pipeline order. Taking a lap costs one `Instant::now()`, so
/// every build records them; only `--timings` prints them.
#[derive(Debug, Clone)]
pub struct Timings {
    last: Instant,
    pub stages: Vec<(&'static str, Duration)>,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            last: Instant::now(),
            stages: Vec::new(),
        }
    }
}

impl Timings {
    /// Ends the stage `name`, which began at the previous lap (or at creation).
    pub fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        self.stages.push((name, now - self.last));
        self.last = now;
    }

    pub fn total(&self) -> Duration {
        self.stages.iter().map(|(_, d)| *d).sum()
    }

    /// A table, one stage per line: `  markdown   412.3 ms  38%`.
    pub fn table(&self) -> String {
        let total = self.total().as_secs_f64().max(f64::EPSILON);
        let mut out = String::new();
        for (name, duration) in &self.stages {
            let seconds = duration.as_secs_f64();
            out.push_str(&format!(
                "  {name:<10} {:>9.1} ms {:>4.0}%\n",
                seconds * 1000.0,
                seconds / total * 100.0
            ));
        }
        out.push_str(&format!("  {:<10} {:>9.1} ms\n", "total", total * 1000.0));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laps_add_up_and_print_in_order() {
        let mut timings = Timings::default();
        timings.lap("load");
        timings.lap("index");
        assert_eq!(timings.stages.len(), 2);
        assert_eq!(timings.total(), timings.stages[0].1 + timings.stages[1].1);
        let table = timings.table();
        assert!(table.find("load").unwrap() < table.find("index").unwrap());
        assert!(table.ends_with(" ms\n"));
    }
}
