//! Iterator chains against the loops they mean (issue 15): the gradient of each
//! workload written as a chain and as a hand-written index loop, in one process,
//! with the ratio of medians. `cargo bench --bench chains`.
//!
//! The desugaring turns a chain into the loop it means before differentiation, so
//! the two should cost the same; a ratio far from 1 would mean the rewrite left
//! something in the loop that a person would not write.

// The loop forms are written as index loops on purpose: they are the baseline.
#![allow(clippy::needless_range_loop)]

use std::hint::black_box;
use std::time::Duration;

use ad::differentiate;
use criterion::Criterion;

#[path = "common/side_by_side.rs"]
mod side_by_side;
use side_by_side::{data, median_time};

#[differentiate]
fn least_squares_chain(w: &[f64], x: &[f64], y: &[f64]) -> f64 {
    x.iter()
        .zip(y)
        .map(|(&xi, &yi)| (w[0] * xi + w[1] - yi).powi(2))
        .sum::<f64>()
}

#[differentiate]
fn least_squares_loop(w: &[f64], x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len().min(y.len()) {
        s += (w[0] * x[i] + w[1] - y[i]).powi(2);
    }
    s
}

#[differentiate]
fn logsumexp_chain(x: &[f64]) -> f64 {
    x.iter().map(|v| v.exp()).sum::<f64>().ln()
}

#[differentiate]
fn logsumexp_loop(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i].exp();
    }
    s.ln()
}

#[differentiate]
fn roughness_chain(x: &[f64]) -> f64 {
    x.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum::<f64>()
}

#[differentiate]
fn roughness_loop(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        s += (x[i + 1] - x[i]).powi(2);
    }
    s
}

#[differentiate]
fn matvec_chain(a: &[f64], x: &[f64]) -> f64 {
    let m = x.len();
    a.chunks(m)
        .map(|row| row.iter().zip(x).map(|(r, v)| r * v).sum::<f64>().tanh())
        .sum::<f64>()
}

#[differentiate]
fn matvec_loop(a: &[f64], x: &[f64]) -> f64 {
    let m = x.len();
    let mut s = 0.0;
    for i in 0..a.len() / m {
        let mut dot = 0.0;
        for j in 0..m {
            dot += a[i * m + j] * x[j];
        }
        s += dot.tanh();
    }
    s
}

/// A workload's name, its chain form and its loop form.
type Pair<'a> = (&'a str, &'a dyn Fn(), &'a dyn Fn());

fn main() {
    let n = 100_000;
    let (x, y, w) = (data(n, 1), data(n, 2), [0.7, -0.2]);
    let a = data(300 * 100, 3);
    let v = data(100, 4);

    // The two forms compute the same gradient, to the last bit.
    assert_eq!(
        least_squares_chain_grad(&w, &x, &y),
        least_squares_loop_grad(&w, &x, &y)
    );
    assert_eq!(logsumexp_chain_grad(&x), logsumexp_loop_grad(&x));
    assert_eq!(roughness_chain_grad(&x), roughness_loop_grad(&x));
    assert_eq!(matvec_chain_grad(&a, &v), matvec_loop_grad(&a, &v));

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let mut group = criterion.benchmark_group("chains");
    group.bench_function("least_squares/chain", |b| {
        b.iter(|| least_squares_chain_grad(black_box(&w), black_box(&x), black_box(&y)))
    });
    group.bench_function("least_squares/loop", |b| {
        b.iter(|| least_squares_loop_grad(black_box(&w), black_box(&x), black_box(&y)))
    });
    group.bench_function("logsumexp/chain", |b| {
        b.iter(|| logsumexp_chain_grad(black_box(&x)))
    });
    group.bench_function("logsumexp/loop", |b| {
        b.iter(|| logsumexp_loop_grad(black_box(&x)))
    });
    group.bench_function("roughness/chain", |b| {
        b.iter(|| roughness_chain_grad(black_box(&x)))
    });
    group.bench_function("roughness/loop", |b| {
        b.iter(|| roughness_loop_grad(black_box(&x)))
    });
    group.bench_function("matvec/chain", |b| {
        b.iter(|| matvec_chain_grad(black_box(&a), black_box(&v)))
    });
    group.bench_function("matvec/loop", |b| {
        b.iter(|| matvec_loop_grad(black_box(&a), black_box(&v)))
    });
    group.finish();
    criterion.final_summary();

    // The ratio, measured again side by side (alternating) so that both forms see
    // the same machine state.
    println!("\nf_grad of the chain form ÷ f_grad of the loop form (medians, n = {n}):");
    let pairs: [Pair; 4] = [
        (
            "least squares",
            &|| {
                black_box(least_squares_chain_grad(&w, &x, &y));
            },
            &|| {
                black_box(least_squares_loop_grad(&w, &x, &y));
            },
        ),
        (
            "logsumexp",
            &|| {
                black_box(logsumexp_chain_grad(&x));
            },
            &|| {
                black_box(logsumexp_loop_grad(&x));
            },
        ),
        (
            "roughness (windows)",
            &|| {
                black_box(roughness_chain_grad(&x));
            },
            &|| {
                black_box(roughness_loop_grad(&x));
            },
        ),
        (
            "matvec 300×100 (chunks, nested)",
            &|| {
                black_box(matvec_chain_grad(&a, &v));
            },
            &|| {
                black_box(matvec_loop_grad(&a, &v));
            },
        ),
    ];
    for (name, chain, looped) in pairs {
        let mut ratios: Vec<f64> = (0..9)
            .map(|_| {
                let c = median_time(chain, 20, 5).as_secs_f64();
                let l = median_time(looped, 20, 5).as_secs_f64();
                c / l
            })
            .collect();
        ratios.sort_by(f64::total_cmp);
        println!("  {name:<32} {:.3}", ratios[ratios.len() / 2]);
    }
}
