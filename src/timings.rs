//! Per-stage wall-clock times of a build, for `--timings` and the benchmarks, with the CPU time
//! the process used during each stage and its memory at the end of it where the system tells
//! them (Linux), and the pages' CPU time per template (`templates::metrics`) when `--timings`
//! asked for it.

use std::time::{Duration, Instant};

use crate::templates::metrics::{self, TemplateWork};

/// Stage name → time spent, in pipeline order. Taking a lap costs one `Instant::now()` and,
/// on Linux, one read of the process's CPU clock and one of `/proc/self/status`, so every build
/// records them; only `--timings` prints them.
#[derive(Debug, Clone)]
pub struct Timings {
    last: Instant,
    /// The process's CPU time at the last lap.
    last_cpu: Option<Duration>,
    pub stages: Vec<(&'static str, Duration)>,
    /// The CPU time all the process's threads used during each stage, parallel to `stages`: a
    /// stage that kept both cores busy used twice its wall time, one that left a core idle
    /// less (the `cores` column of the table).
    pub cpu: Vec<Option<Duration>>,
    /// Resident and peak resident memory when each stage ended, parallel to `stages`.
    pub memory: Vec<Option<Memory>>,
    /// The pages stage's work per template, printed after the stages.
    pub templates: Vec<(String, TemplateWork)>,
}

/// The process's memory at one moment, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    pub resident: u64,
    /// The most the process has held resident so far (what `/usr/bin/time` reports).
    pub peak: u64,
}

impl Memory {
    /// Now, from `/proc/self/status`; `None` where there is no such file.
    pub fn now() -> Option<Memory> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        Memory::parse(&status)
    }

    /// Reads `VmRSS` and `VmHWM` (in kB) out of a `/proc/<pid>/status` text.
    fn parse(status: &str) -> Option<Memory> {
        let field = |name: &str| {
            status.lines().find_map(|line| {
                let kilobytes = line.strip_prefix(name)?.trim().strip_suffix("kB")?;
                kilobytes.trim().parse::<u64>().ok().map(|k| k * 1024)
            })
        };
        Some(Memory {
            resident: field("VmRSS:")?,
            peak: field("VmHWM:")?,
        })
    }
}

/// A CPU clock's reading: the process's, or the calling thread's.
#[cfg(target_os = "linux")]
pub(crate) fn cpu_clock(clock: rustix::time::ClockId) -> Option<Duration> {
    let t = rustix::time::clock_gettime(clock);
    Some(Duration::new(
        u64::try_from(t.tv_sec).ok()?,
        u32::try_from(t.tv_nsec).ok()?,
    ))
}

/// The CPU time all the process's threads have used so far; `None` where the system does not
/// tell it cheaply.
#[cfg(target_os = "linux")]
fn process_cpu() -> Option<Duration> {
    cpu_clock(rustix::time::ClockId::ProcessCPUTime)
}

#[cfg(not(target_os = "linux"))]
fn process_cpu() -> Option<Duration> {
    None
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            last: Instant::now(),
            last_cpu: process_cpu(),
            stages: Vec::new(),
            cpu: Vec::new(),
            memory: Vec::new(),
            templates: Vec::new(),
        }
    }
}

impl Timings {
    /// Ends the stage `name`, which began at the previous lap (or at creation).
    pub fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        let cpu = process_cpu();
        self.stages.push((name, now - self.last));
        self.cpu.push(
            cpu.zip(self.last_cpu)
                .map(|(now, last)| now.saturating_sub(last)),
        );
        self.memory.push(Memory::now());
        self.last = now;
        self.last_cpu = cpu;
    }

    pub fn total(&self) -> Duration {
        self.stages.iter().map(|(_, d)| *d).sum()
    }

    /// A table, one stage per line: `  markdown   412.3 ms  38%  1.9 cores   210 MiB (peak 230
    /// MiB)`, the cores being the stage's CPU time over its wall time and the memory what the
    /// process held when the stage ended.
    pub fn table(&self) -> String {
        let total = self.total().as_secs_f64().max(f64::EPSILON);
        let mut out = String::new();
        for (i, (name, duration)) in self.stages.iter().enumerate() {
            let seconds = duration.as_secs_f64();
            out.push_str(&format!(
                "  {name:<10} {:>9.1} ms {:>4.0}%",
                seconds * 1000.0,
                seconds / total * 100.0
            ));
            if let Some(Some(cpu)) = self.cpu.get(i) {
                let cores = cpu.as_secs_f64() / seconds.max(f64::EPSILON);
                out.push_str(&format!(" {cores:>4.1} cores"));
            }
            if let Some(Some(memory)) = self.memory.get(i) {
                out.push_str(&format!(
                    " {:>6} MiB (peak {} MiB)",
                    memory.resident >> 20,
                    memory.peak >> 20
                ));
            }
            out.push('\n');
        }
        out.push_str(&format!("  {:<10} {:>9.1} ms\n", "total", total * 1000.0));
        out.push_str(&metrics::table(&self.templates));
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
        if cfg!(target_os = "linux") {
            let first = table.lines().next().unwrap();
            assert!(first.ends_with(" MiB)"), "{table}");
            assert!(first.contains(" cores "), "{table}");
            assert!(timings.cpu.iter().all(Option::is_some));
        }
    }

    #[test]
    fn reads_resident_and_peak_memory_from_proc_status() {
        let status = "Name:\tintercite\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t3\n";
        assert_eq!(
            Memory::parse(status),
            Some(Memory {
                resident: 100 << 20,
                peak: 200 << 20
            })
        );
        assert_eq!(Memory::parse("Name:\tx\nVmRSS:\t12 kB\n"), None);
    }
}
