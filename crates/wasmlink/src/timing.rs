//! `--time`: how long each stage took, printed as a small tree on stderr.

use std::time::{Duration, Instant};

/// Collects stage durations when enabled.
pub struct Timer {
    enabled: bool,
    start: Instant,
    stages: Vec<(&'static str, Duration)>,
}

impl Timer {
    /// A timer; does nothing unless `enabled`.
    pub fn new(enabled: bool) -> Self {
        Timer { enabled, start: Instant::now(), stages: Vec::new() }
    }

    /// Runs `f` as stage `name`.
    pub fn stage<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let t0 = Instant::now();
        let r = f();
        if self.enabled {
            self.stages.push((name, t0.elapsed()));
        }
        r
    }

    /// Prints the tree.
    pub fn report(&self) {
        if !self.enabled {
            return;
        }
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        eprintln!("{:>10.3} ms  link", ms(self.start.elapsed()));
        for (i, (name, d)) in self.stages.iter().enumerate() {
            let branch = if i + 1 == self.stages.len() { "└─" } else { "├─" };
            eprintln!("{:>10.3} ms  {branch} {name}", ms(*d));
        }
    }
}
