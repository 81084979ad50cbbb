//! `--time`: how long each stage took, printed as a small tree on stderr.
//!
//! The top-level lines add up to the total. Where work ran on another
//! thread alongside some stages (emit's preparation next to layout, merge
//! and types), those stages are grouped under one line, the group's wall
//! time, and the side work is listed inside the group with its own time.

use std::time::{Duration, Instant};

/// Stage durations, in the order the stages ran.
pub struct Timer {
    start: Instant,
    lines: Vec<Line>,
}

/// One top-level line of the report.
enum Line {
    /// A stage that ran alone.
    Stage(&'static str, Duration),
    /// Stages that ran one after another while `work` ran alongside them;
    /// `wall` covers both.
    Group { stages: Vec<(&'static str, Duration)>, work: (&'static str, Duration), wall: Duration },
}

impl Line {
    fn wall(&self) -> Duration {
        match self {
            Line::Stage(_, d) => *d,
            Line::Group { wall, .. } => *wall,
        }
    }
}

impl Default for Timer {
    fn default() -> Self {
        Timer { start: Instant::now(), lines: Vec::new() }
    }
}

impl Timer {
    /// Records that stage `name` took `elapsed`.
    pub fn record(&mut self, name: &'static str, elapsed: Duration) {
        self.lines.push(Line::Stage(name, elapsed));
    }

    /// Records that `work` took `work_time` on another thread alongside
    /// the last `stages` stages recorded, and that all of it took `wall`:
    /// those stages become one group.
    pub fn record_alongside(&mut self, stages: usize, work: &'static str, work_time: Duration, wall: Duration) {
        let from = self.lines.len().saturating_sub(stages);
        let grouped = self.lines.split_off(from);
        let stages = grouped
            .into_iter()
            .flat_map(|line| match line {
                Line::Stage(name, d) => vec![(name, d)],
                Line::Group { stages, .. } => stages,
            })
            .collect();
        self.lines.push(Line::Group { stages, work: (work, work_time), wall });
    }

    /// Runs `f` as stage `name`.
    pub fn stage<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let t0 = Instant::now();
        let r = f();
        self.record(name, t0.elapsed());
        r
    }

    /// The tree: the total since the timer was made, then one line per
    /// stage or group, and last `other`: the time between and around the
    /// stages (observers, diagnostics), so that the top-level lines add up
    /// to the total.
    pub fn report(&self) -> String {
        self.report_with_total(self.start.elapsed())
    }

    fn report_with_total(&self, total: Duration) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let staged: Duration = self.lines.iter().map(Line::wall).sum();
        let mut out = format!("{:>10.3} ms  link\n", ms(total));
        let mut line = |d: Duration, prefix: &str, name: &str| {
            out.push_str(&format!("{:>10.3} ms  {prefix} {name}\n", ms(d)));
        };
        for l in &self.lines {
            match l {
                Line::Stage(name, d) => line(*d, "├─", name),
                Line::Group { stages, work, wall } => {
                    let names: Vec<&str> = stages.iter().map(|(n, _)| *n).collect();
                    line(*wall, "├─", &format!("{} ‖ {}", names.join(" → "), work.0));
                    for (name, d) in stages {
                        line(*d, "│  ├─", name);
                    }
                    line(work.1, "│  └─", &format!("{} (alongside)", work.0));
                }
            }
        }
        line(total.saturating_sub(staged), "└─", "other");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// The number before " ms" on each line whose rest starts with `prefix`.
    fn values(report: &str, prefix: &str) -> Vec<f64> {
        report
            .lines()
            .filter_map(|l| {
                let (v, rest) = l.split_once(" ms  ")?;
                rest.starts_with(prefix).then(|| v.trim().parse().unwrap())
            })
            .collect()
    }

    #[test]
    fn top_level_lines_add_up_to_the_total() {
        let mut t = Timer::default();
        t.record("parse", ms(10));
        t.record("layout", ms(3));
        t.record("merge", ms(2));
        t.record("types", ms(1));
        t.record_alongside(3, "emit prep", ms(9), ms(9));
        t.record("emit", ms(20));
        let report = t.report_with_total(ms(45));
        let top: f64 = ["├─ ", "└─ "].iter().flat_map(|p| values(&report, p)).sum();
        assert_eq!(top, 45.0, "{report}");
        assert!(report.contains("layout → merge → types ‖ emit prep"), "{report}");
        assert_eq!(values(&report, "│  ├─ "), vec![3.0, 2.0, 1.0], "{report}");
        assert_eq!(values(&report, "│  └─ emit prep"), vec![9.0], "{report}");
        assert_eq!(values(&report, "└─ other"), vec![6.0], "{report}");
    }
}
