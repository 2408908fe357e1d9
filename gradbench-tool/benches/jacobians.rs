//! The Jacobians of GradBench's `ba` and `ht` (issue 19): each Jacobian's time over
//! its objective's, in one process, against the ratios of GradBench's hand-written
//! `manual` tool (7.8 for ba, 33 for ht); and, for `f_jacobian`, the mode it
//! chooses against the other one on the same function (forward sweeps, one per
//! input, against reverse sweeps, one per output).
//!
//! ```sh
//! cargo bench -p gradbench-tool --bench jacobians
//! ```
//!
//! Workloads:
//! - ba: `ba1_n49_m7776_p31843`, GradBench's first default workload (the input in
//!   `data/ba/`); the Jacobian as the tool computes it (two reverse sweeps of
//!   `reproj_error_adjoint` per observation into reused buffers), through
//!   `reproj_error_jacobian` (the chosen mode: 2 reverse sweeps, allocating its rows),
//!   through `reproj_error_vjp` (two calls), and by 15 forward sweeps of
//!   `reproj_error_jvp` (the other mode).
//! - ht: the simple variant on the small model (`data/ht/`, c = 100), and the same
//!   model with its 100 correspondences repeated to c = 1600 (the size of GradBench's
//!   hand6); `hand_objective_jacobian` (26 forward sweeps, chosen) against one
//!   reverse sweep per residual; and the complicated variant at c = 100 (28 forward
//!   sweeps, in the interleaved table only).
//! - a dense layer `tanh(W·x + b)` at a few shapes around the crossover, where
//!   `layer_jacobian`'s choice (forward sweeps when n < 1.5·m) is timed against both
//!   modes run by hand the way it runs them.
//!
//! Every Jacobian is checked against the tool's before anything is timed.

use std::hint::black_box;
use std::time::{Duration, Instant};

use ad::differentiate;
use criterion::Criterion;
use gradbench_tool::evals::{ba, ht};
use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");

fn read_json(path: &str) -> Value {
    let text = std::fs::read_to_string(format!("{DATA}/{path}")).expect("reference file");
    serde_json::from_str(&text).expect("valid JSON")
}

fn assert_same(what: &str, a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (k, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= 1e-10 * x.abs().max(y.abs()).max(1.0),
            "{what}[{k}]: {x} vs {y}"
        );
    }
}

/// A dense layer `tanh(W·x + b)`: n inputs, m outputs, for the choice of mode.
#[differentiate(wrt(x), forward)]
#[allow(clippy::needless_range_loop)]
fn layer(x: &[f64], w: &[f64], b: &[f64]) -> Vec<f64> {
    let (n, m) = (x.len(), b.len());
    let mut out = vec![0.0; m];
    for i in 0..m {
        let mut s = b[i];
        for j in 0..n {
            s += w[i * n + j] * x[j];
        }
        out[i] = s.tanh();
    }
    out
}

/// The layer's Jacobian by n forward sweeps, as `layer_jacobian` runs them.
fn layer_by_forward_sweeps(x: &[f64], w: &[f64], b: &[f64]) -> Vec<Vec<f64>> {
    let mut t = vec![0.0; x.len()];
    let mut columns = Vec::with_capacity(x.len());
    for j in 0..x.len() {
        t[j] = 1.0;
        columns.push(layer_jvp(x, w, b, &t).1);
        t[j] = 0.0;
    }
    (0..b.len())
        .map(|i| columns.iter().map(|column| column[i]).collect())
        .collect()
}

/// The layer's Jacobian by m reverse sweeps, as `layer_jacobian` runs them.
fn layer_by_reverse_sweeps(x: &[f64], w: &[f64], b: &[f64]) -> Vec<Vec<f64>> {
    let mut seed = vec![0.0; b.len()];
    let mut d_x = vec![0.0; x.len()];
    let mut rows = Vec::with_capacity(b.len());
    for i in 0..b.len() {
        seed[i] = 1.0;
        d_x.fill(0.0);
        let _ = layer_adjoint(x, w, b, &seed, &mut d_x);
        seed[i] = 0.0;
        rows.push(d_x.clone());
    }
    rows
}

/// A layer's inputs, outputs, x, W and b.
type Layer = (usize, usize, Vec<f64>, Vec<f64>, Vec<f64>);

/// (inputs, outputs) of the layers timed.
const LAYERS: [(usize, usize); 5] = [(8, 8), (12, 8), (16, 8), (32, 8), (8, 32)];

fn main() {
    let mut criterion = Criterion::default().configure_from_args();

    // ba1: p = 31843 observations.
    let ba = ba::Problem::decode(&read_json("ba/ba1_n49_m7776_p31843.input.json")).unwrap();
    let chosen = ba.jacobian();
    for other in [
        ba.jacobian_by_rows(),
        ba.jacobian_by_vjp(),
        ba.jacobian_by_jvp(),
    ] {
        assert_eq!((&other.rows, &other.cols), (&chosen.rows, &chosen.cols));
        assert_same("ba", &other.vals, &chosen.vals);
    }
    {
        let mut group = criterion.benchmark_group("ba1");
        group
            .sample_size(20)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(4));
        group.bench_function("objective", |b| b.iter(|| black_box(ba.objective())));
        group.bench_function("jacobian", |b| b.iter(|| black_box(ba.jacobian())));
        group.bench_function("by_jacobian", |b| {
            b.iter(|| black_box(ba.jacobian_by_rows()))
        });
        group.bench_function("by_vjp", |b| b.iter(|| black_box(ba.jacobian_by_vjp())));
        group.bench_function("by_jvp", |b| b.iter(|| black_box(ba.jacobian_by_jvp())));
        group.finish();
    }

    // ht: c = 100 as in the data, and c = 1600.
    let small =
        ht::Problem::decode(&read_json("ht/simple_small_hand1_t26_c100.input.json")).unwrap();
    let large = ht::Problem {
        theta: small.theta.clone(),
        model: ht::Model {
            parents: small.model.parents.clone(),
            base_relatives: small.model.base_relatives.clone(),
            inverse_base_absolutes: small.model.inverse_base_absolutes.clone(),
            base_positions: small.model.base_positions.clone(),
            weights: small.model.weights.clone(),
            is_mirrored: small.model.is_mirrored,
            triangles: small.model.triangles.clone(),
        },
        correspondences: small.correspondences.repeat(16),
        points: small.points.repeat(16),
        us: Vec::new(),
    };
    let hts = [("ht_c100", &small), ("ht_c1600", &large)];
    for (name, problem) in hts {
        let (_, chosen) = problem.jacobian();
        let other = problem.jacobian_by_reverse_sweeps();
        for (i, (a, b)) in chosen.iter().zip(&other).enumerate() {
            assert_same(&format!("{name} row {i}"), a, b);
        }
        let mut group = criterion.benchmark_group(name);
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(4));
        group.bench_function("objective", |b| b.iter(|| black_box(problem.objective())));
        group.bench_function("jacobian", |b| b.iter(|| black_box(problem.jacobian())));
        group.bench_function("by_reverse_sweeps", |b| {
            b.iter(|| black_box(problem.jacobian_by_reverse_sweeps()))
        });
        group.finish();
    }
    // Layers: which mode `layer_jacobian` takes, against both done by hand.
    let layers: Vec<Layer> = LAYERS
        .iter()
        .map(|&(n, m)| {
            let x = (0..n).map(|k| (k as f64 * 0.37).sin()).collect();
            let w = (0..n * m)
                .map(|k| (k as f64 * 0.11).cos() / n as f64)
                .collect();
            let b = (0..m).map(|k| k as f64 * 0.01).collect();
            (n, m, x, w, b)
        })
        .collect();
    for (n, m, x, w, b) in &layers {
        let (_, chosen) = layer_jacobian(x, w, b);
        for other in [
            layer_by_forward_sweeps(x, w, b),
            layer_by_reverse_sweeps(x, w, b),
        ] {
            for (a, b) in chosen.iter().zip(&other) {
                assert_same("layer", a, b);
            }
        }
        let mut group = criterion.benchmark_group(format!("layer_{n}x{m}"));
        group
            .sample_size(40)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1));
        group.bench_function("jacobian", |bench| {
            bench.iter(|| black_box(layer_jacobian(black_box(x), w, b)))
        });
        group.bench_function("forward", |bench| {
            bench.iter(|| black_box(layer_by_forward_sweeps(black_box(x), w, b)))
        });
        group.bench_function("reverse", |bench| {
            bench.iter(|| black_box(layer_by_reverse_sweeps(black_box(x), w, b)))
        });
        group.finish();
    }
    criterion.final_summary();

    // The ratios, from turns taken in one process (criterion's groups run one after
    // the other, so a change of load on the machine between them skews a ratio).
    println!(
        "\nratios from {ROUNDS} interleaved rounds, the fastest of each (machine load: {})",
        load()
    );
    println!("| workload | objective | Jacobian | Jacobian ÷ objective | manual's ratio | the other mode | other ÷ chosen |");
    println!("|---|---|---|---|---|---|---|");
    let t = interleaved(&[
        &|| drop(black_box(ba.objective())),
        &|| drop(black_box(ba.jacobian())),
        &|| drop(black_box(ba.jacobian_by_jvp())),
        &|| drop(black_box(ba.jacobian_by_rows())),
        &|| drop(black_box(ba.jacobian_by_vjp())),
    ]);
    println!(
        "| ba1 (p = 31843) | {:.3} ms | {:.3} ms | {:.1} | 7.8 | 15 forward sweeps per block: {:.2} ms | {:.1} |",
        t[0] * 1e3,
        t[1] * 1e3,
        t[1] / t[0],
        t[2] * 1e3,
        t[2] / t[1]
    );
    let ba_other = format!(
        "ba1's blocks by reproj_error_jacobian: {:.3} ms ({:.1} × objective); by two reproj_error_vjp: {:.3} ms ({:.1} ×)",
        t[3] * 1e3,
        t[3] / t[0],
        t[4] * 1e3,
        t[4] / t[0]
    );
    for (title, problem, other) in [
        (
            "ht simple, small model, c = 100",
            &small,
            "300 reverse sweeps",
        ),
        (
            "ht simple, small model, c = 1600",
            &large,
            "4800 reverse sweeps",
        ),
    ] {
        let t = interleaved(&[
            &|| drop(black_box(problem.objective())),
            &|| drop(black_box(problem.jacobian())),
            &|| drop(black_box(problem.jacobian_by_reverse_sweeps())),
        ]);
        println!(
            "| {title} | {:.3} ms | {:.3} ms | {:.1} | 33 | {other}: {:.1} ms | {:.1} |",
            t[0] * 1e3,
            t[1] * 1e3,
            t[1] / t[0],
            t[2] * 1e3,
            t[2] / t[1]
        );
    }
    let complicated =
        ht::Problem::decode(&read_json("ht/complicated_small_hand1_t26_c100.input.json")).unwrap();
    let t = interleaved(&[&|| drop(black_box(complicated.objective())), &|| {
        drop(black_box(complicated.jacobian()))
    }]);
    println!(
        "| ht complicated, small model, c = 100 | {:.3} ms | {:.3} ms | {:.1} | 33 | — | — |",
        t[0] * 1e3,
        t[1] * 1e3,
        t[1] / t[0]
    );
    println!("\n{ba_other}\n");
    println!("| layer tanh(W·x + b), n inputs, m outputs | layer_jacobian | forward sweeps | reverse sweeps | chosen | chosen ÷ better |");
    println!("|---|---|---|---|---|---|");
    for (n, m, x, w, b) in &layers {
        let t = interleaved(&[
            &|| drop(black_box(layer_jacobian(black_box(x), w, b))),
            &|| drop(black_box(layer_by_forward_sweeps(black_box(x), w, b))),
            &|| drop(black_box(layer_by_reverse_sweeps(black_box(x), w, b))),
        ]);
        let chosen = if 2 * n < 3 * m { "forward" } else { "reverse" };
        println!(
            "| n = {n}, m = {m} | {:.2} µs | {:.2} µs | {:.2} µs | {chosen} | {:.2} |",
            t[0] * 1e6,
            t[1] * 1e6,
            t[2] * 1e6,
            t[0] / t[1].min(t[2])
        );
    }
}

/// Rounds of [`interleaved`].
const ROUNDS: usize = 9;

/// Seconds per call of each function: in each of [`ROUNDS`] rounds the functions
/// take turns, each called for about 50 ms, and each keeps its fastest round (other
/// work on the machine only ever adds time).
fn interleaved(functions: &[&dyn Fn()]) -> Vec<f64> {
    let calls: Vec<u32> = functions
        .iter()
        .map(|f| {
            let start = Instant::now();
            f();
            (0.05 / start.elapsed().as_secs_f64().max(1e-9)).clamp(1.0, 1e6) as u32
        })
        .collect();
    let mut best = vec![f64::INFINITY; functions.len()];
    for _ in 0..ROUNDS {
        for (k, f) in functions.iter().enumerate() {
            let start = Instant::now();
            for _ in 0..calls[k] {
                f();
            }
            best[k] = best[k].min(start.elapsed().as_secs_f64() / f64::from(calls[k]));
        }
    }
    best
}

/// The 1-minute load average, where /proc has it.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}
