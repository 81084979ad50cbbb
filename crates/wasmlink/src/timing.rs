//! `--time`: how long each stage took, printed as a small tree on stderr.

use std::time::{Duration, Instant};

/// Stage durations, in the order the stages ran.
pub struct Timer {
    start: Instant,
    stages: Vec<(&'static str, Duration)>,
}

impl Default for Timer {
    fn default() -> Self {
        Timer { start: Instant::now(), stages: Vec::new() }
    }
}

impl Timer {
    /// Records that stage `name` took `elapsed`.
    pub fn record(&mut self, name: &'static str, elapsed: Duration) {
        self.stages.push((name, elapsed));
    }

    /// Runs `f` as stage `name`.
    pub fn stage<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let t0 = Instant::now();
        let r = f();
        self.record(name, t0.elapsed());
        r
    }

    /// The tree: the total since the timer was made, then one line per
    /// stage, and last `other`: the time between and around the stages
    /// (observers, diagnostics), so that the lines add up to the total.
    pub fn report(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let total = self.start.elapsed();
        let staged: Duration = self.stages.iter().map(|(_, d)| *d).sum();
        let mut lines: Vec<(&str, Duration)> = self.stages.clone();
        lines.push(("other", total.saturating_sub(staged)));
        let mut out = format!("{:>10.3} ms  link\n", ms(total));
        for (i, (name, d)) in lines.iter().enumerate() {
            let branch = if i + 1 == lines.len() { "└─" } else { "├─" };
            out.push_str(&format!("{:>10.3} ms  {branch} {name}\n", ms(*d)));
        }
        out
    }
}
