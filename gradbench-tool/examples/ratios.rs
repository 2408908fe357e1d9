//! Per module and workload: the time of one primal run, of one gradient run, and
//! their ratio, from the tool's `evaluate` timings, in nanoseconds.
//!
//! ```sh
//! cargo run --release -p gradbench-tool --example ratios              # the workloads of data/
//! cargo run --release -p gradbench-tool --example ratios -- --default # GradBench's default sizes
//! cargo run --release -p gradbench-tool --example ratios -- --default det lse  # some modules
//! ```
//!
//! `--default` makes inputs of GradBench's default workload sizes (EVALS.md) from a
//! seeded generator of our own: the sizes are GradBench's, the numbers are not (the
//! timings do not depend on them).
//!
//! Each workload runs in `--rounds R` rounds (default 5) of one primal and one
//! gradient evaluation, each for at least `--seconds S` (default 0.2) and at least
//! once; a function's time is the median of its runs in a round, and the smallest
//! such median over the rounds. Interleaving the two functions and keeping the best
//! round makes the ratio robust to other work on the machine.

use std::path::Path;

use gradbench_tool::evals;
use serde_json::{json, Value};

/// GradBench's reference cases (`gradbench-tool/data/README.md`).
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");

/// A workload: module, description, input, and its (primal, derivative) functions.
struct Workload {
    module: String,
    description: String,
    input: Value,
    functions: [String; 2],
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut option = |name: &str, default: f64| -> f64 {
        let Some(i) = args.iter().position(|a| a == name) else {
            return default;
        };
        let value = args
            .get(i + 1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{name} takes a number"));
        args.drain(i..i + 2);
        value
    };
    let seconds = option("--seconds", 0.2);
    let rounds = option("--rounds", 5.0) as usize;
    let default = args.first().is_some_and(|a| a == "--default");
    if default {
        args.remove(0);
    }
    let wanted = |module: &str| args.is_empty() || args.iter().any(|a| a == module);
    let workloads = if default {
        default_workloads(&wanted)
    } else {
        data_workloads(&wanted)
    };
    println!(
        "{:<6} {:<22} {:>9} {:>9} {:>7}",
        "module", "workload", "primal", "gradient", "ratio"
    );
    for mut w in workloads {
        if let Value::Object(map) = &mut w.input {
            map.insert("min_runs".into(), json!(1));
            map.insert("min_seconds".into(), json!(seconds));
        }
        let (mut primal, mut gradient) = (f64::INFINITY, f64::INFINITY);
        for _ in 0..rounds.max(1) {
            primal = primal.min(median_ns(&w, &w.functions[0]));
            gradient = gradient.min(median_ns(&w, &w.functions[1]));
        }
        println!(
            "{:<6} {:<22} {:>9.0} {:>9.0} {:>7.2}",
            w.module,
            w.description,
            primal,
            gradient,
            gradient / primal
        );
    }
}

/// The median of the `evaluate` timings of one evaluation.
fn median_ns(w: &Workload, function: &str) -> f64 {
    let outcome = evals::evaluate(&w.module, function, &w.input)
        .expect("an implemented module")
        .unwrap_or_else(|e| panic!("{} {function}: {e}", w.module));
    let mut timings = outcome.timings;
    timings.sort_unstable();
    let n = timings.len();
    (timings[(n - 1) / 2] + timings[n / 2]) as f64 / 2.0
}

fn data_workloads(wanted: &dyn Fn(&str) -> bool) -> Vec<Workload> {
    let read = |path: &str| -> Value {
        let text = std::fs::read_to_string(Path::new(DATA).join(path))
            .unwrap_or_else(|e| panic!("{DATA}/{path}: {e}"));
        serde_json::from_str(&text).expect("valid JSON")
    };
    let index = read("index.json");
    let mut workloads = Vec::new();
    for case in index.as_array().expect("a list of cases") {
        let module = case["module"].as_str().expect("module").to_string();
        if module == "hello" || !wanted(&module) {
            continue;
        }
        let functions: Vec<String> = case["outputs"]
            .as_object()
            .expect("outputs")
            .keys()
            .cloned()
            .collect();
        let primal = ["primal", "objective", "cost"]
            .into_iter()
            .find(|f| functions.iter().any(|g| g == f))
            .expect("a primal function");
        let derivative = functions
            .iter()
            .find(|f| *f != primal)
            .expect("a derivative");
        workloads.push(Workload {
            description: case["name"].as_str().expect("name").to_string(),
            input: read(case["input"].as_str().expect("input")),
            functions: [primal.to_string(), derivative.clone()],
            module,
        });
    }
    workloads
}

/// A 64-bit LCG (Knuth's MMIX constants), uniform and standard normal draws.
struct Rng(u64);

impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        // Box–Muller.
        let (u, v) = (1.0 - self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }

    fn uniforms(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.uniform()).collect()
    }

    fn matrix(&mut self, rows: usize, cols: usize, draw: fn(&mut Rng) -> f64) -> Vec<Vec<f64>> {
        (0..rows)
            .map(|_| (0..cols).map(|_| draw(self)).collect())
            .collect()
    }
}

fn default_workloads(wanted: &dyn Fn(&str) -> bool) -> Vec<Workload> {
    let mut rng = Rng(31337);
    let mut out = Vec::new();
    let mut push = |module: &str, description: String, input: Value, functions: [&str; 2]| {
        out.push(Workload {
            module: module.to_string(),
            description,
            input,
            functions: functions.map(str::to_string),
        })
    };
    if wanted("llsq") {
        for n in [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8196, 16392] {
            let input = json!({"x": rng.uniforms(128), "n": n});
            push(
                "llsq",
                format!("n={n},m=128"),
                input,
                ["primal", "gradient"],
            );
        }
    }
    if wanted("lse") {
        for i in 0..10 {
            let n = 2500 << i;
            let input = json!({"x": rng.uniforms(n)});
            push("lse", format!("n={n}"), input, ["primal", "gradient"]);
        }
    }
    if wanted("det") {
        for ell in 5..=11 {
            let input = json!({"A": rng.uniforms(ell * ell), "ell": ell});
            push("det", format!("{ell}"), input, ["primal", "gradient"]);
        }
    }
    if wanted("ode") {
        let sizes = [
            (1000, 1),
            (1000, 10),
            (10000, 1),
            (1000, 100),
            (10000, 10),
            (100000, 1),
            (10000, 100),
            (100000, 10),
            (100000, 100),
        ];
        for (n, s) in sizes {
            let input = json!({"x": rng.uniforms(n), "s": s});
            push("ode", format!("n={n},s={s}"), input, ["primal", "gradient"]);
        }
    }
    if wanted("gmm") {
        let mut sizes = Vec::new();
        for d in [2, 10, 20, 32, 64] {
            for k in [5, 10, 25, 50, 100] {
                sizes.push((d, k));
            }
        }
        sizes.sort_by_key(|&(d, k)| d * k);
        let n = 1000;
        for (d, k) in sizes {
            let input = json!({
                "d": d, "k": k, "n": n, "m": 0, "gamma": 1.0,
                "x": rng.matrix(n, d, Rng::normal),
                "alpha": (0..k).map(|_| rng.normal()).collect::<Vec<_>>(),
                "mu": rng.matrix(k, d, Rng::uniform),
                "q": rng.matrix(k, d, Rng::normal),
                "l": rng.matrix(k, d * (d - 1) / 2, Rng::normal),
            });
            push(
                "gmm",
                format!("{d}_{k}_{n}"),
                input,
                ["objective", "jacobian"],
            );
        }
    }
    if wanted("lstm") {
        let sizes = [
            (2, 1024),
            (4, 1024),
            (6, 1024),
            (2, 4096),
            (2, 8192),
            (4, 4096),
            (6, 4096),
            (4, 8192),
            (6, 8192),
        ];
        let b = 14;
        for (l, c) in sizes {
            let bit = |r: &mut Rng| if r.uniform() < 0.5 { 0.0 } else { 1.0 };
            let input = json!({
                "main_params": rng.matrix(2 * l, 4 * b, Rng::uniform),
                "extra_params": rng.matrix(3, b, Rng::uniform),
                "state": rng.matrix(2 * l, b, Rng::uniform),
                "sequence": rng.matrix(c, b, bit),
            });
            push(
                "lstm",
                format!("l={l},c={c}"),
                input,
                ["objective", "jacobian"],
            );
        }
    }
    if wanted("kmeans") {
        let mut sizes = Vec::new();
        for k in [10, 100, 1000] {
            for n in [1000, 10000] {
                for d in [8, 16] {
                    sizes.push((k, n, d));
                }
            }
        }
        sizes.sort_by_key(|&(k, n, d)| k * n * d);
        for (k, n, d) in sizes {
            // As the eval: the centroids are the last k points.
            let points = rng.matrix(n, d, Rng::uniform);
            let input = json!({"points": points, "centroids": points[n - k..]});
            push(
                "kmeans",
                format!("k={k},n={n},d={d}"),
                input,
                ["cost", "dir"],
            );
        }
    }
    out
}
