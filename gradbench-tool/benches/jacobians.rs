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
//!   reverse sweep per residual.
//!
//! Every Jacobian is checked against the tool's before anything is timed.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

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

/// The median in nanoseconds criterion estimated for `group/method` in this run.
fn median(group: &str, method: &str, started: SystemTime) -> Option<f64> {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = dir
        .join("criterion")
        .join(group)
        .join(method)
        .join("new/estimates.json");
    if std::fs::metadata(&path).and_then(|m| m.modified()).ok()? < started {
        return None;
    }
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn main() {
    let started = SystemTime::now();
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
        },
        correspondences: small.correspondences.repeat(16),
        points: small.points.repeat(16),
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
    criterion.final_summary();

    let ms = |group: &str, method: &str| median(group, method, started).map(|ns| ns / 1e6);
    println!();
    println!("| workload | objective | Jacobian | Jacobian ÷ objective | manual's ratio | the other mode | other ÷ chosen |");
    println!("|---|---|---|---|---|---|---|");
    let rows = [
        ("ba1", "ba1 (p = 31843)", "by_jvp", "15 forward sweeps", 7.8),
        (
            "ht_c100",
            "ht simple, small model, c = 100",
            "by_reverse_sweeps",
            "300 reverse sweeps",
            33.0,
        ),
        (
            "ht_c1600",
            "ht simple, small model, c = 1600",
            "by_reverse_sweeps",
            "4800 reverse sweeps",
            33.0,
        ),
    ];
    for (group, title, other, other_title, manual) in rows {
        let (Some(f), Some(j), Some(o)) = (
            ms(group, "objective"),
            ms(group, "jacobian"),
            ms(group, other),
        ) else {
            continue;
        };
        println!(
            "| {title} | {f:.3} ms | {j:.3} ms | {:.1} | {manual} | {other_title}: {o:.2} ms | {:.1} |",
            j / f,
            o / j
        );
    }
    if let (Some(f), Some(rows), Some(vjp)) = (
        ms("ba1", "objective"),
        ms("ba1", "by_jacobian"),
        ms("ba1", "by_vjp"),
    ) {
        println!(
            "\nba1 by reproj_error_jacobian: {rows:.3} ms ({:.1} × objective); by two reproj_error_vjp: {vjp:.3} ms ({:.1} ×)",
            rows / f,
            vjp / f
        );
    }
}
