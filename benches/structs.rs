//! Models as structs against flat parameter vectors (issue 17): the gradient of one
//! perceptron's loss written over a `#[derive(ad::Differentiable)]` struct of weight
//! vectors and over one flat slice with offsets, in one process, with the ratio of
//! medians. `cargo bench --bench structs`.
//!
//! A struct parameter is read through its fields, each a parameter of its own, so
//! the two forms should cost the same.

// The flat form indexes one slice at offsets on purpose: it is the baseline.
#![allow(clippy::needless_range_loop)]

use std::hint::black_box;
use std::time::Duration;

use ad::{differentiate, Differentiable};
use criterion::Criterion;

#[path = "common/side_by_side.rs"]
mod side_by_side;
use side_by_side::{data, median_time};

const IN: usize = 8;
const HIDDEN: usize = 32;

/// A one-hidden-layer tanh perceptron with one output.
#[derive(Clone, Differentiable)]
struct Mlp {
    w1: Vec<f64>,
    b1: Vec<f64>,
    w2: Vec<f64>,
    b2: f64,
}

/// Mean squared error of `model` over the rows of `x` (IN features) against `y`.
#[differentiate(wrt(model))]
fn loss_struct(model: &Mlp, x: &[f64], y: &[f64]) -> f64 {
    let mut total = 0.0;
    for s in 0..y.len() {
        let mut out = model.b2;
        for j in 0..HIDDEN {
            let mut a = model.b1[j];
            for i in 0..IN {
                a += model.w1[j * IN + i] * x[s * IN + i];
            }
            out += model.w2[j] * a.tanh();
        }
        let r = out - y[s];
        total += r * r;
    }
    total / y.len() as f64
}

/// The same with the weights in one slice: w1, b1, w2, b2, in that order.
#[differentiate(wrt(w))]
fn loss_flat(w: &[f64], x: &[f64], y: &[f64]) -> f64 {
    let (b1, w2, b2) = (HIDDEN * IN, HIDDEN * IN + HIDDEN, HIDDEN * IN + 2 * HIDDEN);
    let mut total = 0.0;
    for s in 0..y.len() {
        let mut out = w[b2];
        for j in 0..HIDDEN {
            let mut a = w[b1 + j];
            for i in 0..IN {
                a += w[j * IN + i] * x[s * IN + i];
            }
            out += w[w2 + j] * a.tanh();
        }
        let r = out - y[s];
        total += r * r;
    }
    total / y.len() as f64
}

fn main() {
    let batch = 256;
    let (x, y) = (data(batch * IN, 1), data(batch, 2));
    let model = Mlp {
        w1: data(HIDDEN * IN, 3),
        b1: data(HIDDEN, 4),
        w2: data(HIDDEN, 5),
        b2: 0.1,
    };
    let flat = model.to_scalars();

    // The two forms compute the same gradient, to the last bit.
    let (value, gradient) = loss_struct_grad(&model, &x, &y);
    assert_eq!(
        (value, gradient.to_scalars()),
        loss_flat_grad(&flat, &x, &y)
    );

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let mut group = criterion.benchmark_group("structs");
    group.bench_function("mlp/struct", |b| {
        b.iter(|| loss_struct_grad(black_box(&model), black_box(&x), black_box(&y)))
    });
    group.bench_function("mlp/flat", |b| {
        b.iter(|| loss_flat_grad(black_box(&flat), black_box(&x), black_box(&y)))
    });
    let mut buffer = model.zeroed_like();
    group.bench_function("mlp/struct adjoint", |b| {
        b.iter(|| {
            buffer.set_zero();
            loss_struct_adjoint(
                black_box(&model),
                black_box(&x),
                black_box(&y),
                1.0,
                &mut buffer,
            )
        })
    });
    group.finish();
    criterion.final_summary();

    // The ratio, measured again side by side (alternating) so that both forms see
    // the same machine state.
    let (mut struct_times, mut flat_times) = (Vec::new(), Vec::new());
    for _ in 0..15 {
        struct_times.push(median_time(
            || {
                black_box(loss_struct_grad(&model, &x, &y));
            },
            20,
            5,
        ));
        flat_times.push(median_time(
            || {
                black_box(loss_flat_grad(&flat, &x, &y));
            },
            20,
            5,
        ));
    }
    struct_times.sort();
    flat_times.sort();
    let (s, f) = (struct_times[7], flat_times[7]);
    println!(
        "\nMLP {IN}–{HIDDEN}–1, batch {batch}: f_grad over the struct {s:?}, over the flat slice \
         {f:?}; struct ÷ flat = {:.2}",
        s.as_secs_f64() / f.as_secs_f64()
    );
}
