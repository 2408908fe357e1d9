//! Exact references shared by the integration tests: a comparison at a tolerance
//! that fails a wrong sign, a missing term or a dropped adjoint, and derivatives
//! over num-dual's dual numbers (the same function run in forward mode).

// Each test crate uses some of these.
#![allow(dead_code)]

use num_dual::Dual64;

/// `got` equals `want` to 1e-12 relative.
#[track_caller]
pub fn assert_close(what: &str, got: f64, want: f64) {
    let tolerance = 1e-12 * want.abs().max(1e-300);
    assert!(
        (got - want).abs() <= tolerance,
        "{what}: got {got:e}, want {want:e}"
    );
}

/// [`assert_close`] for each coordinate.
#[track_caller]
pub fn assert_all_close(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert_close(&format!("{what}[{i}]"), g, w);
    }
}

/// The derivative of `f` at `point` along coordinate `k`, over dual numbers.
pub fn dual_partial(f: impl Fn(&[Dual64]) -> Dual64, point: &[f64], k: usize) -> f64 {
    let args: Vec<Dual64> = point
        .iter()
        .enumerate()
        .map(|(j, &x)| {
            if j == k {
                Dual64::from_re(x).derivative()
            } else {
                Dual64::from_re(x)
            }
        })
        .collect();
    f(&args).eps
}

/// Every partial derivative of `f` at `point`, over dual numbers.
pub fn dual_gradient(f: impl Fn(&[Dual64]) -> Dual64, point: &[f64]) -> Vec<f64> {
    (0..point.len())
        .map(|k| dual_partial(&f, point, k))
        .collect()
}

/// A constant dual number.
pub fn d(x: f64) -> Dual64 {
    Dual64::from_re(x)
}
