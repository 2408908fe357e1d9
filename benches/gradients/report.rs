//! After the run: the medians criterion measured, the ratios the issue sets targets
//! for, and (with `AD_BENCH_REPORT=1`) the Markdown table and the Rosenbrock plot in
//! `benches/output/`.

use std::fmt::Write as _;
use std::path::Path;
use std::time::SystemTime;

use plotters::prelude::*;

use crate::support::{median, MemoryRow};

/// The methods, in table order: criterion's function id and the column title.
pub const METHODS: [(&str, &str); 7] = [
    ("f", "f"),
    ("hand", "hand-written"),
    ("f_grad", "`f_grad`"),
    ("f_adjoint", "`f_adjoint`"),
    ("central_fd", "central FD"),
    ("reverse", "`reverse` (tape)"),
    ("num_dual", "`num-dual`"),
];

/// One benchmarked instance: criterion's group name, a title, its number of inputs.
pub struct Workload {
    pub group: String,
    pub title: String,
    pub inputs: usize,
}

pub struct Results {
    pub workloads: Vec<Workload>,
    /// medians[w][m] in ns, for workload w and METHODS[m].
    pub medians: Vec<[Option<f64>; METHODS.len()]>,
    pub memory: Vec<MemoryRow>,
    /// The 1-minute load average when the run began.
    pub load_at_start: Option<f64>,
}

impl Results {
    pub fn collect(
        workloads: Vec<Workload>,
        memory: Vec<MemoryRow>,
        started: SystemTime,
        load_at_start: Option<f64>,
    ) -> Results {
        let medians = workloads
            .iter()
            .map(|w| METHODS.map(|(id, _)| median(&w.group, id, started)))
            .collect();
        Results {
            workloads,
            medians,
            memory,
            load_at_start,
        }
    }

    fn get(&self, w: usize, method: &str) -> Option<f64> {
        let m = METHODS.iter().position(|(id, _)| *id == method)?;
        self.medians[w][m]
    }

    fn ratio(&self, w: usize, num: &str, den: &str) -> Option<f64> {
        Some(self.get(w, num)? / self.get(w, den)?)
    }

    fn rosenbrock(&self) -> impl Iterator<Item = (usize, &Workload)> {
        self.workloads
            .iter()
            .enumerate()
            .filter(|(_, w)| w.group.starts_with("rosenbrock_"))
    }

    /// f_grad's time per element at the largest n over that at n = 1000.
    fn scaling(&self) -> Option<(f64, f64, f64)> {
        let per_element = |n: usize| {
            self.rosenbrock()
                .find(|(_, w)| w.inputs == n)
                .and_then(|(i, w)| Some(self.get(i, "f_grad")? / w.inputs as f64))
        };
        let (small, large) = (per_element(1_000)?, per_element(1_000_000)?);
        Some((small, large, large / small))
    }

    /// The ratios and the targets, for the terminal.
    pub fn print(&self) {
        if self.medians.iter().all(|m| m.iter().all(Option::is_none)) {
            return; // `cargo test --benches`, or a filter that matched nothing
        }
        println!(
            "\nmedians and ratios (targets: f_grad/f ≤ 3, f_grad/hand ≤ 1.2, reverse/f_grad ≥ 10)"
        );
        println!(
            "{:<26} {:>11} {:>11} {:>11} {:>11} {:>9} {:>12} {:>15} {:>17}",
            "workload",
            "f",
            "hand",
            "f_grad",
            "f_adjoint",
            "f_grad/f",
            "f_grad/hand",
            "reverse/f_grad",
            "num_dual/f_grad"
        );
        for (i, w) in self.workloads.iter().enumerate() {
            let t = |m| self.get(i, m).map_or("-".to_string(), format_time);
            let r = |a, b, ok: fn(f64) -> bool| {
                self.ratio(i, a, b).map_or("-".to_string(), |x| {
                    format!("{x:.2}{}", if ok(x) { "" } else { " !" })
                })
            };
            println!(
                "{:<26} {:>11} {:>11} {:>11} {:>11} {:>9} {:>12} {:>15} {:>17}",
                w.group,
                t("f"),
                t("hand"),
                t("f_grad"),
                t("f_adjoint"),
                r("f_grad", "f", |x| x <= 3.0),
                r("f_grad", "hand", |x| x <= 1.2),
                r("reverse", "f_grad", |x| x >= 10.0),
                r("num_dual", "f_grad", |_| true),
            );
        }
        if let Some((small, large, ratio)) = self.scaling() {
            println!(
                "rosenbrock f_grad per element: {small:.2} ns at n = 10^3, {large:.2} ns at n = 10^6 (ratio {ratio:.2})"
            );
        }
        println!("('!' marks a missed target)");
    }

    /// The Markdown for benches/output/results.md.
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(
            md,
            "<!-- Written by `AD_BENCH_REPORT=1 cargo bench --bench gradients` \
             (benches/gradients/report.rs); do not edit by hand. -->\n"
        );
        let _ = writeln!(md, "Measured on: {}.", machine());
        if let (Some(start), Some(end)) = (self.load_at_start, load_average()) {
            let _ = writeln!(
                md,
                "The machine was shared: its 1-minute load average was {start:.2} when the run \
                 began and {end:.2} when it ended, so single figures can be off by tens of per \
                 cent; rerun on your machine."
            );
        }
        md.push('\n');
        md.push_str(
            "Medians of criterion's samples. A dash is a method not run there: central \
             differences (2n evaluations of f) and `num-dual` (n directional passes beyond \
             its static vectors) cost O(n²) on Rosenbrock and are run up to n = 1000; on \
             the MLP they would need 203 540 loss evaluations or 101 770 passes. `num-dual` \
             runs one vector-mode pass (`DualSVec64<N>`, all N derivatives at once) except \
             for Rosenbrock n = 1000 (1000 passes of `Dual64`); `reverse` reuses one tape, \
             cleared before each call.\n\n",
        );
        md.push_str("| workload | inputs |");
        for (_, title) in METHODS {
            let _ = write!(md, " {title} |");
        }
        md.push_str(
            " `f_grad` / f | `f_grad` / hand | tape / `f_grad` | dual / `f_grad` |\n|---|--:|",
        );
        md.push_str(&"--:|".repeat(METHODS.len() + 4));
        md.push('\n');
        for (i, w) in self.workloads.iter().enumerate() {
            let _ = write!(md, "| {} | {} |", w.title, group_digits(w.inputs));
            for (id, _) in METHODS {
                let _ = write!(md, " {} |", self.get(i, id).map_or("–".into(), format_time));
            }
            for (a, b) in [
                ("f_grad", "f"),
                ("f_grad", "hand"),
                ("reverse", "f_grad"),
                ("num_dual", "f_grad"),
            ] {
                let _ = write!(
                    md,
                    " {} |",
                    self.ratio(i, a, b).map_or("–".into(), format_ratio)
                );
            }
            md.push('\n');
        }

        md.push_str("\nRosenbrock, time per input:\n\n| n |");
        let per_element = ["f", "hand", "f_grad", "f_adjoint", "reverse"];
        for id in per_element {
            let title = METHODS
                .iter()
                .find(|(m, _)| *m == id)
                .map_or(id, |(_, t)| t);
            let _ = write!(md, " {title} |");
        }
        md.push_str("\n|--:|");
        md.push_str(&"--:|".repeat(per_element.len()));
        md.push('\n');
        for (i, w) in self.rosenbrock() {
            let _ = write!(md, "| {} |", group_digits(w.inputs));
            for id in per_element {
                let cell = self
                    .get(i, id)
                    .map_or("–".into(), |t| format!("{:.2} ns", t / w.inputs as f64));
                let _ = write!(md, " {cell} |");
            }
            md.push('\n');
        }

        md.push_str(
            "\nPeak extra memory of one warm gradient call, in bytes per input: for `f_grad`, \
             the values it records on the value stack plus what it allocates (the gradient it \
             returns and the adjoints of local buffers); for the others, everything they \
             allocate (the hand-written gradient's result and scratch buffers; `reverse`'s \
             tape, grown from empty, its adjoint vector and its variables).\n\n\
             | workload | inputs | `f_grad` stack | `f_grad` heap | `f_grad` | hand-written | `reverse` (tape) |\n\
             |---|--:|--:|--:|--:|--:|--:|\n",
        );
        let mut workloads: Vec<&str> = self.memory.iter().map(|r| r.workload.as_str()).collect();
        workloads.dedup();
        for workload in workloads {
            let row = |method: &str| {
                self.memory
                    .iter()
                    .find(|r| r.workload == workload && r.method == method)
            };
            let per_input =
                |r: &MemoryRow| format!("{:.1}", (r.heap + r.stack) as f64 / r.inputs as f64);
            let Some(grad) = row("f_grad") else { continue };
            let title = self
                .workloads
                .iter()
                .find(|w| w.group == workload)
                .map_or(workload, |w| w.title.as_str());
            let _ = writeln!(
                md,
                "| {title} | {} | {} B | {} B | {} | {} | {} |",
                group_digits(grad.inputs),
                group_digits(grad.stack),
                group_digits(grad.heap),
                per_input(grad),
                row("hand").map_or("–".into(), per_input),
                row("reverse").map_or("–".into(), per_input),
            );
        }
        md
    }

    /// Time against n for Rosenbrock, log-log, one line per method.
    pub fn plot(&self, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
        let series: Vec<(&str, Vec<(f64, f64)>)> = METHODS
            .iter()
            .map(|(id, _)| {
                let points = self
                    .rosenbrock()
                    .filter_map(|(i, w)| Some((w.inputs as f64, self.get(i, id)? * 1e-9)))
                    .collect();
                (*id, points)
            })
            .filter(|(_, points): &(_, Vec<_>)| !points.is_empty())
            .collect();
        let all = series.iter().flat_map(|(_, p)| p.iter().map(|&(_, t)| t));
        let (lo, hi) = all.fold((f64::INFINITY, 0.0_f64), |(lo, hi), t| {
            (lo.min(t), hi.max(t))
        });
        if !lo.is_finite() {
            return Ok(());
        }
        let root = SVGBackend::new(path, (820, 560)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Rosenbrock: time of one call against n", ("sans-serif", 22))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d((5.0..2e6).log_scale(), (lo / 2.0..hi * 2.0).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("n (inputs)")
            .y_desc("median time (s)")
            .x_label_formatter(&|x| format!("{x:.0e}"))
            .y_label_formatter(&|y| format!("{y:.0e}"))
            .draw()?;
        let colours = [
            RGBColor(0, 0, 0),
            RGBColor(0, 114, 178),
            RGBColor(213, 94, 0),
            RGBColor(230, 159, 0),
            RGBColor(0, 158, 115),
            RGBColor(204, 121, 167),
            RGBColor(86, 180, 233),
        ];
        for ((id, points), colour) in series.iter().zip(colours) {
            let label = match *id {
                "hand" => "hand-written",
                "central_fd" => "central FD",
                "reverse" => "reverse (tape)",
                "num_dual" => "num-dual",
                other => other,
            };
            let style = ShapeStyle::from(&colour).stroke_width(2);
            chart
                .draw_series(LineSeries::new(points.iter().copied(), style))?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()?;
        root.present()?;
        Ok(())
    }
}

/// The 1-minute load average (Linux), to say how busy the machine was.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// CPU model and count, as `lscpu` and `nproc` report them, and the compiler.
pub fn machine() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc =
        std::process::Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
            .arg("--version")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map_or_else(
                || "rustc (unknown version)".into(),
                |v| v.trim().to_string(),
            );
    format!("{model} (`lscpu` model name), {cpus} CPUs (`nproc`), {rustc}, `cargo bench` (release profile)")
}

fn format_time(ns: f64) -> String {
    match ns {
        t if t < 1e3 => format!("{t:.1} ns"),
        t if t < 1e6 => format!("{:.2} µs", t / 1e3),
        t if t < 1e9 => format!("{:.2} ms", t / 1e6),
        t => format!("{:.2} s", t / 1e9),
    }
}

fn format_ratio(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

fn group_digits(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(ch);
    }
    out
}
