//! Iterator chains and closures (issue 15), each against an exact reference: the
//! same chain run by the standard library over num-dual's dual numbers (one
//! directional derivative per input), or a derivative derived by hand. The
//! tolerance, 1e-12 relative, fails a wrong sign, a missing term or a dropped
//! adjoint.

#![allow(clippy::needless_range_loop, clippy::unnecessary_fold)]

use ad::differentiate;
use common::{assert_all_close as assert_gradient, assert_close, d, dual_gradient};

use num_dual::{Dual64, DualNum};

mod common;

const X: [f64; 5] = [0.7, -1.3, 2.1, 0.4, -0.6];
const Y: [f64; 5] = [1.1, 0.3, -0.8, 1.9, 0.5];

// ---- sums, products, zip, map ------------------------------------------------

#[differentiate]
fn dot(w: &[f64], x: &[f64]) -> f64 {
    w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>()
}

#[differentiate]
fn squares_by_range(x: &[f64], n: usize) -> f64 {
    (0..n).map(|i| x[i] * x[i]).sum::<f64>()
}

#[differentiate]
fn exp_sum(x: &[f64]) -> f64 {
    x.iter().copied().map(f64::exp).sum::<f64>().ln()
}

#[differentiate]
fn product_of_squares(x: &[f64]) -> f64 {
    x.iter().map(|&v| v.powi(2) + 1.0).product::<f64>()
}

#[test]
fn sums_products_zip_and_map() {
    let (value, dw, dx) = dot_grad(&X, &Y);
    assert_close("dot", value, X.iter().zip(&Y).map(|(a, b)| a * b).sum());
    assert_gradient("dot dw", &dw, &Y);
    assert_gradient("dot dx", &dx, &X);

    let (value, dx) = squares_by_range_grad(&X, 3);
    assert_close("squares", value, X[..3].iter().map(|v| v * v).sum());
    assert_gradient(
        "squares dx",
        &dx,
        &[2.0 * X[0], 2.0 * X[1], 2.0 * X[2], 0.0, 0.0],
    );

    let (value, dx) = exp_sum_grad(&X);
    assert_close("logsumexp", value, exp_sum(&X));
    let total: f64 = X.iter().map(|v| v.exp()).sum();
    let softmax: Vec<f64> = X.iter().map(|v| v.exp() / total).collect();
    assert_gradient("logsumexp dx", &dx, &softmax);

    let (value, dx) = product_of_squares_grad(&X);
    assert_close("product", value, product_of_squares(&X));
    let want = dual_gradient(|x| x.iter().map(|&v| v.powi(2) + 1.0).product(), &X);
    assert_gradient("product dx", &dx, &want);
}

// ---- fold, extremes ---------------------------------------------------------

#[differentiate]
fn discounted(x: &[f64]) -> f64 {
    x.iter().fold(0.0, |acc, &v| acc * 0.5 + v.sin())
}

#[differentiate]
fn largest_by_fold(x: &[f64]) -> f64 {
    x.iter().copied().fold(f64::NEG_INFINITY, f64::max) * 2.0
}

#[differentiate]
fn largest_and_smallest(x: &[f64]) -> f64 {
    let hi = x
        .iter()
        .copied()
        .max_by(|a, b| a.partial_cmp(b).unwrap())
        .unwrap();
    let lo = x.iter().copied().min_by(|a, b| a.total_cmp(b)).unwrap();
    hi * 3.0 - lo
}

#[differentiate]
fn reduced(x: &[f64]) -> f64 {
    x.iter().copied().reduce(|a, b| a * 0.5 + b * b).unwrap()
}

#[test]
fn folds_and_extremes() {
    let (value, dx) = reduced_grad(&X);
    assert_close("reduce", value, reduced(&X));
    let want = dual_gradient(
        |x| x.iter().copied().reduce(|a, b| a * 0.5 + b * b).unwrap(),
        &X,
    );
    assert_gradient("reduce dx", &dx, &want);

    let (value, dx) = discounted_grad(&X);
    assert_close("discounted", value, discounted(&X));
    let want = dual_gradient(|x| x.iter().fold(d(0.0), |acc, &v| acc * 0.5 + v.sin()), &X);
    assert_gradient("discounted dx", &dx, &want);

    // max at index 2 (2.1), min at index 1 (-1.3).
    let (value, dx) = largest_by_fold_grad(&X);
    assert_eq!(value, 4.2);
    assert_gradient("fold max dx", &dx, &[0.0, 0.0, 2.0, 0.0, 0.0]);
    let (value, dx) = largest_and_smallest_grad(&X);
    assert_close("extremes", value, 3.0 * 2.1 + 1.3);
    assert_gradient("extremes dx", &dx, &[0.0, -1.0, 3.0, 0.0, 0.0]);
}

// ---- positions: enumerate, rev, skip, take, step_by, chain -------------------

#[differentiate]
fn weighted_by_position(x: &[f64]) -> f64 {
    x.iter()
        .enumerate()
        .map(|(i, &v)| v * v * (i as f64 + 1.0))
        .sum::<f64>()
}

#[differentiate]
fn reversed_window(x: &[f64]) -> f64 {
    x.iter()
        .rev()
        .skip(1)
        .take(3)
        .enumerate()
        .map(|(k, v)| v * (k as f64 + 2.0))
        .sum::<f64>()
}

#[differentiate]
fn every_other(x: &[f64]) -> f64 {
    x.iter().step_by(2).map(|v| v.tanh()).sum::<f64>()
}

#[differentiate]
fn chained(a: &[f64], b: &[f64]) -> f64 {
    a.iter().chain(b.iter()).map(|v| v * v * v).sum::<f64>()
}

#[test]
fn positions_through_adapters() {
    let (_, dx) = weighted_by_position_grad(&X);
    let want: Vec<f64> = (0..5).map(|i| 2.0 * X[i] * (i as f64 + 1.0)).collect();
    assert_gradient("enumerate dx", &dx, &want);

    // rev: [x4, x3, x2, x1, x0]; skip 1, take 3: x3, x2, x1 with weights 2, 3, 4.
    let (value, dx) = reversed_window_grad(&X);
    assert_close("rev", value, 2.0 * X[3] + 3.0 * X[2] + 4.0 * X[1]);
    assert_gradient("rev dx", &dx, &[0.0, 4.0, 3.0, 2.0, 0.0]);

    let (_, dx) = every_other_grad(&X);
    let sech2 = |v: f64| 1.0 - v.tanh().powi(2);
    assert_gradient(
        "step_by dx",
        &dx,
        &[sech2(X[0]), 0.0, sech2(X[2]), 0.0, sech2(X[4])],
    );

    let (value, da, db) = chained_grad(&X[..2], &Y[..3]);
    assert_close("chain", value, chained(&X[..2], &Y[..3]));
    assert_gradient("chain da", &da, &[3.0 * X[0] * X[0], 3.0 * X[1] * X[1]]);
    let want: Vec<f64> = Y[..3].iter().map(|v| 3.0 * v * v).collect();
    assert_gradient("chain db", &db, &want);
}

// ---- filter, count, any, all, position -----------------------------------------

#[differentiate]
fn masked(x: &[f64], mask: &[bool]) -> f64 {
    x.iter()
        .zip(mask)
        .filter(|(_, &keep)| keep)
        .map(|(&v, _)| v.exp())
        .sum::<f64>()
}

#[differentiate]
fn positive_part(x: &[f64]) -> f64 {
    let positive = x.iter().filter(|&&v| v > 0.0).count() as f64;
    x.iter()
        .copied()
        .filter(|&v| v > 0.0)
        .map(|v| v * v)
        .sum::<f64>()
        / positive
}

#[differentiate]
fn guarded(x: &[f64], limit: f64) -> f64 {
    let any_big = x.iter().any(|&v| v > limit);
    let all_small = x.iter().all(|v| v.abs() < 10.0);
    let first_negative = x.iter().position(|&v| v < 0.0).unwrap_or(0);
    let scale = if any_big && all_small { 2.0 } else { 1.0 };
    scale * x[first_negative] * limit
}

#[test]
fn filters_and_predicates() {
    let mask = [true, false, true, true, false];
    let (value, dx) = masked_grad(&X, &mask);
    assert_close("masked", value, X[0].exp() + X[2].exp() + X[3].exp());
    assert_gradient(
        "masked dx",
        &dx,
        &[X[0].exp(), 0.0, X[2].exp(), X[3].exp(), 0.0],
    );

    // Positive entries: 0.7, 2.1, 0.4 (3 of them).
    let (_, dx) = positive_part_grad(&X);
    assert_gradient(
        "filter dx",
        &dx,
        &[
            2.0 * X[0] / 3.0,
            0.0,
            2.0 * X[2] / 3.0,
            2.0 * X[3] / 3.0,
            0.0,
        ],
    );

    // Some entry exceeds 1.0, all are small, the first negative is x[1].
    let (value, dx, dlimit) = guarded_grad(&X, 1.0);
    assert_close("guarded", value, 2.0 * X[1]);
    assert_gradient("guarded dx", &dx, &[0.0, 2.0, 0.0, 0.0, 0.0]);
    assert_close("guarded dlimit", dlimit, 2.0 * X[1]);
}

// ---- windows, chunks, collect, for_each, for loops ---------------------------

#[differentiate]
fn roughness(x: &[f64]) -> f64 {
    x.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum::<f64>()
}

#[differentiate]
fn rows(weights: &[f64], x: &[f64], d: usize) -> f64 {
    let mut s = 0.0;
    for (w, row) in weights.iter().zip(x.chunks(d)) {
        s += w * row.iter().map(|v| v * v).sum::<f64>();
    }
    s
}

#[differentiate]
fn collected(x: &[f64]) -> f64 {
    let sines: Vec<f64> = x.iter().map(|v| v.sin()).collect();
    sines[0] * sines[1] + sines[4]
}

#[differentiate]
fn for_each_accumulates(x: &[f64]) -> f64 {
    let mut s = 0.0;
    x.iter().for_each(|v| s += v * v * v);
    s
}

#[differentiate]
fn loops_over_slices(x: &[f64], obs: &[f64]) -> f64 {
    let mut s = 0.0;
    for &o in obs {
        s += o * x[0];
    }
    for v in x {
        s += v * v;
    }
    for (i, v) in x.iter().enumerate().skip(1) {
        s += v * (i as f64);
    }
    s
}

#[test]
fn windows_chunks_collect_and_loops() {
    let (_, dx) = roughness_grad(&X);
    let want = dual_gradient(|x| x.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum(), &X);
    assert_gradient("windows dx", &dx, &want);

    let weights = [0.5, -2.0, 1.5];
    let data = [0.3, 0.8, -0.2, 1.1, 0.6, -0.9, 0.4];
    let (value, dw, dx) = rows_grad(&weights, &data, 3);
    assert_close("rows", value, rows(&weights, &data, 3));
    // Chunks [0.3 0.8 -0.2], [1.1 0.6 -0.9], [0.4].
    let want_w: Vec<f64> = data
        .chunks(3)
        .map(|row| row.iter().map(|v| v * v).sum())
        .collect();
    assert_gradient("rows dw", &dw, &want_w);
    let want_x: Vec<f64> = data
        .iter()
        .enumerate()
        .map(|(k, v)| 2.0 * v * weights[k / 3])
        .collect();
    assert_gradient("rows dx", &dx, &want_x);

    let (_, dx) = collected_grad(&X);
    let want = [
        X[0].cos() * X[1].sin(),
        X[0].sin() * X[1].cos(),
        0.0,
        0.0,
        X[4].cos(),
    ];
    assert_gradient("collect dx", &dx, &want);

    let (_, dx) = for_each_accumulates_grad(&X);
    let want: Vec<f64> = X.iter().map(|v| 3.0 * v * v).collect();
    assert_gradient("for_each dx", &dx, &want);

    let obs = [0.5, 1.5];
    let (_, dx, dobs) = loops_over_slices_grad(&X, &obs);
    let want: Vec<f64> = (0..5)
        .map(|i| 2.0 * X[i] + i as f64 + if i == 0 { 2.0 } else { 0.0 })
        .collect();
    assert_gradient("for over slices dx", &dx, &want);
    assert_gradient("for over slices dobs", &dobs, &[X[0], X[0]]);
}

// ---- named closures and nested chains -------------------------------------------

#[differentiate]
fn pendulum(theta0: f64, g: f64, l: f64) -> f64 {
    let accel = |th: f64| -g / l * th.sin();
    let dt = 0.1;
    let (mut theta, mut omega) = (theta0, 0.0);
    for _ in 0..5 {
        omega += dt * accel(theta);
        theta += dt * omega;
    }
    theta + accel(theta)
}

fn pendulum_dual(theta0: Dual64, g: Dual64, l: Dual64) -> Dual64 {
    let accel = |th: Dual64| -g / l * th.sin();
    let dt = 0.1;
    let (mut theta, mut omega) = (theta0, d(0.0));
    for _ in 0..5 {
        omega += accel(theta) * dt;
        theta += omega * dt;
    }
    theta + accel(theta)
}

#[differentiate]
fn block_closure(x: &[f64], scale: f64) -> f64 {
    let soft = |v: f64| {
        let t = v * scale;
        if t > 0.0 {
            t + (-t).exp().ln_1p()
        } else {
            t.exp().ln_1p()
        }
    };
    x.iter().map(|&v| soft(v)).sum::<f64>()
}

#[differentiate]
fn early_return(x: &[f64]) -> f64 {
    x.iter()
        .map(|&v| {
            if v < 0.0 {
                return 0.1 * v;
            }
            let root = v.sqrt();
            root * v
        })
        .sum::<f64>()
}

#[differentiate]
fn matrix_vector_norm(a: &[f64], x: &[f64], m: usize) -> f64 {
    let n = a.len() / m;
    (0..n)
        .map(|i| (0..m).map(|j| a[i * m + j] * x[j]).sum::<f64>().powi(2))
        .sum::<f64>()
}

#[differentiate]
fn square(v: f64) -> f64 {
    v * v
}

#[differentiate]
fn sum_of_squares_by_path(x: &[f64]) -> f64 {
    x.iter().copied().map(square).sum::<f64>()
}

#[test]
fn closures_and_nested_chains() {
    let point = [0.9, 9.81, 1.3];
    let (value, dt, dg, dl) = pendulum_grad(point[0], point[1], point[2]);
    assert_close("pendulum", value, pendulum(point[0], point[1], point[2]));
    let want = dual_gradient(|p| pendulum_dual(p[0], p[1], p[2]), &point);
    assert_gradient("pendulum grad", &[dt, dg, dl], &want);

    let mut point = X.to_vec();
    point.push(1.7);
    let (value, dx, dscale) = block_closure_grad(&X, 1.7);
    assert_close("softplus", value, block_closure(&X, 1.7));
    let want = dual_gradient(
        |p| {
            let scale = p[5];
            p[..5]
                .iter()
                .map(|&v| {
                    let t = v * scale;
                    if t.re > 0.0 {
                        t + (-t).exp().ln_1p()
                    } else {
                        t.exp().ln_1p()
                    }
                })
                .sum()
        },
        &point,
    );
    assert_gradient("softplus dx", &dx, &want[..5]);
    assert_close("softplus dscale", dscale, want[5]);

    // A closure's `return` leaves the closure: 0.1 for negative entries, 1.5 √v else.
    let (value, dx) = early_return_grad(&X);
    assert_close("early return", value, early_return(&X));
    let want: Vec<f64> = X
        .iter()
        .map(|&v| if v < 0.0 { 0.1 } else { 1.5 * v.sqrt() })
        .collect();
    assert_gradient("early return dx", &dx, &want);

    let a = [0.5, -1.0, 2.0, 0.3, 1.2, -0.7];
    let x = [0.4, -0.9];
    let (_, da, dx) = matrix_vector_norm_grad(&a, &x, 2);
    let mut point = a.to_vec();
    point.extend(x);
    let want = dual_gradient(
        |p| {
            let (a, x) = p.split_at(6);
            (0..3)
                .map(|i| (0..2).map(|j| a[i * 2 + j] * x[j]).sum::<Dual64>().powi(2))
                .sum()
        },
        &point,
    );
    assert_gradient("nested da", &da, &want[..6]);
    assert_gradient("nested dx", &dx, &want[6..]);

    let (_, dx) = sum_of_squares_by_path_grad(&X);
    let want: Vec<f64> = X.iter().map(|v| 2.0 * v).collect();
    assert_gradient("map(square) dx", &dx, &want);
}

// ---- a chain records what the loop it means records ----------------------------

#[differentiate]
fn loss_chain(w: &[f64], x: &[f64], y: &[f64]) -> f64 {
    x.iter()
        .zip(y)
        .map(|(&xi, &yi)| (w[0] * xi + w[1] - yi).tanh().powi(2))
        .sum::<f64>()
}

#[differentiate]
fn loss_loop(w: &[f64], x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len().min(y.len()) {
        s += (w[0] * x[i] + w[1] - y[i]).tanh().powi(2);
    }
    s
}

#[test]
fn a_chain_records_no_more_than_its_loop() {
    let w = [0.8, -0.3];
    let record = |f: &dyn Fn() -> (f64, Vec<f64>, Vec<f64>, Vec<f64>)| {
        ad::stack::reset_peak();
        let result = f();
        (result, ad::stack::peak())
    };
    let (chain, chain_peak) = record(&|| loss_chain_grad(&w, &X, &Y));
    let (looped, loop_peak) = record(&|| loss_loop_grad(&w, &X, &Y));
    assert_eq!(chain.0, looped.0);
    assert_eq!(chain.1, looped.1);
    assert_eq!(chain.2, looped.2);
    assert_eq!(chain_peak, loop_peak);
}

// ---- constant data through chains --------------------------------------------

#[differentiate]
fn gather(x: &[f64], idx: &[usize]) -> f64 {
    let total: usize = idx.iter().sum();
    let picked = idx.iter().map(|&i| x[i]).fold(0.0, |acc, v| acc + v * v);
    picked * total as f64
}

#[differentiate]
fn arrays_by_value(p: [f64; 3], weights: &[f64], counts: &[usize]) -> f64 {
    let total: usize = counts.iter().copied().skip(1).take(2).sum();
    let norm = p.into_iter().map(|v| v * v).sum::<f64>();
    let weighted = weights
        .iter()
        .cloned()
        .zip(p.iter())
        .map(|(w, v)| w * v)
        .fold(0.0, |acc, t| acc + t);
    let big = counts.iter().filter(|&&c| c > 1).count() as f64;
    norm * total as f64 + weighted * big
}

#[test]
fn chains_over_constants() {
    let (p, weights, counts) = ([0.5, -1.5, 2.0], [0.3, 0.7, -1.1], [4usize, 1, 2, 9]);
    // total = 1 + 2 = 3; big = 3 (4, 2, 9).
    let (value, dp, dw) = arrays_by_value_grad(p, &weights, &counts);
    assert_eq!(value, arrays_by_value(p, &weights, &counts));
    let want = [0, 1, 2].map(|k| 6.0 * p[k] + 3.0 * weights[k]);
    assert_gradient("arrays dp", &dp, &want);
    assert_gradient("arrays dweights", &dw, &p.map(|v| 3.0 * v));

    let idx = [0usize, 2, 2];
    let (value, dx) = gather_grad(&X, &idx);
    assert_close("gather", value, (X[0] * X[0] + 2.0 * X[2] * X[2]) * 4.0);
    assert_gradient("gather dx", &dx, &[8.0 * X[0], 0.0, 16.0 * X[2], 0.0, 0.0]);
}
