//! Loops whose element accesses `a[base + i]` read and write a slice of `a` taken
//! once before the loop (so LLVM drops the bounds checks): gradients against
//! analytic ones, and the cases where the slice must not change what panics.

// The loops index on purpose: index expressions are what the rewrite looks for.
#![allow(clippy::needless_range_loop)]

use ad::differentiate;
use approx::assert_relative_eq;

/// Row-major matrix–vector product through a nonlinearity, as in an MLP layer.
#[differentiate]
fn layer(w: &[f64], v: &[f64], rows: usize) -> f64 {
    let cols = v.len();
    let mut s = 0.0;
    for j in 0..rows {
        let mut a = 0.0;
        for i in 0..cols {
            a += w[j * cols + i] * v[i];
        }
        s += a.tanh();
    }
    s
}

#[test]
fn matrix_rows() {
    let (rows, cols) = (3, 5);
    let w: Vec<f64> = (0..rows * cols).map(|k| 0.1 * (k as f64).sin()).collect();
    let v: Vec<f64> = (0..cols).map(|k| 0.5 - 0.2 * k as f64).collect();
    let (value, dw, dv) = layer_grad(&w, &v, rows);
    assert_eq!(value, layer(&w, &v, rows));
    let mut expected_dw = vec![0.0; w.len()];
    let mut expected_dv = vec![0.0; cols];
    for j in 0..rows {
        let a: f64 = (0..cols).map(|i| w[j * cols + i] * v[i]).sum();
        let da = 1.0 - a.tanh().powi(2);
        for i in 0..cols {
            expected_dw[j * cols + i] = da * v[i];
            expected_dv[i] += da * w[j * cols + i];
        }
    }
    for (a, e) in dw
        .iter()
        .zip(&expected_dw)
        .chain(dv.iter().zip(&expected_dv))
    {
        assert_relative_eq!(a, e, max_relative = 1e-12, epsilon = 1e-14);
    }
}

/// A local buffer written and read back through windows, with an inclusive range.
#[differentiate]
fn squares_of_doubles(x: &[f64]) -> f64 {
    let n = x.len();
    let mut y = vec![0.0; n];
    for i in 0..=n - 1 {
        y[i] = 2.0 * x[i];
        y[i] += x[i] * x[i];
    }
    let mut s = 0.0;
    for i in 0..n {
        s += y[i] * y[i];
    }
    s
}

#[test]
fn local_buffer_written_and_read() {
    let x = [0.5, -1.0, 2.0, 0.25];
    let (_, g) = squares_of_doubles_grad(&x);
    for (k, &xk) in x.iter().enumerate() {
        let y = 2.0 * xk + xk * xk;
        assert_relative_eq!(g[k], 2.0 * y * (2.0 + 2.0 * xk), max_relative = 1e-14);
    }
    ad::check_gradient(|p: &[f64]| squares_of_doubles(p), &x, &g).unwrap();
}

/// Loops that run no iteration read nowhere, whatever their bounds say.
#[differentiate]
fn tail_sum(x: &[f64], from: usize, to: usize) -> f64 {
    let mut s = 0.0;
    for i in from..to {
        s += x[i + 10] * x[i];
    }
    s
}

#[test]
fn empty_loops_do_not_panic() {
    let x = [1.0, 2.0, 3.0];
    assert_eq!(tail_sum_grad(&x, 0, 0), (0.0, vec![0.0; 3]));
    assert_eq!(tail_sum_grad(&x, 5, 2), (0.0, vec![0.0; 3]));
    let x: Vec<f64> = (0..14).map(f64::from).collect();
    let (value, g) = tail_sum_grad(&x, 1, 4);
    assert_eq!(value, tail_sum(&x, 1, 4));
    let mut expected = vec![0.0; 14];
    for i in 1..4 {
        expected[i] += x[i + 10];
        expected[i + 10] += x[i];
    }
    assert_eq!(g, expected);
}

/// An access in a branch may be guarded by the branch: it keeps its own check.
#[differentiate]
fn guarded(x: &[f64], n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        if i < x.len() {
            s += x[i] * x[i];
        }
    }
    s
}

#[test]
fn guarded_accesses_keep_their_guard() {
    let x = [1.0, -2.0, 3.0];
    assert_eq!(guarded_grad(&x, 10), (14.0, vec![2.0, -4.0, 6.0]));
}

#[test]
#[should_panic(expected = "index out of bounds")]
fn an_access_out_of_range_still_panics() {
    let _ = tail_sum_grad(&[1.0, 2.0, 3.0], 0, 2);
}
