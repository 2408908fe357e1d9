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

/// The Hessian of `f` at `point` over hyper-dual numbers: entry (i, j) is the
/// ε₁ε₂ part of `f` with ε₁ on coordinate i and ε₂ on coordinate j.
pub fn hyper_hessian(
    f: impl Fn(&[num_dual::HyperDual64]) -> num_dual::HyperDual64,
    point: &[f64],
) -> Vec<Vec<f64>> {
    use num_dual::HyperDual64;
    let n = point.len();
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    let args: Vec<HyperDual64> = point
                        .iter()
                        .enumerate()
                        .map(|(k, &x)| {
                            let eps1 = if k == i { 1.0 } else { 0.0 };
                            let eps2 = if k == j { 1.0 } else { 0.0 };
                            HyperDual64::new(x, eps1, eps2, 0.0)
                        })
                        .collect();
                    f(&args).eps1eps2
                })
                .collect()
        })
        .collect()
}

/// Each entry of a matrix to 1e-12 relative to the matrix's largest entry, so that
/// an entry that cancels to zero is compared at the matrix's scale.
#[track_caller]
pub fn assert_matrix_close(what: &str, got: &[Vec<f64>], want: &[Vec<f64>]) {
    assert_eq!(got.len(), want.len(), "{what}: rows");
    let scale = want
        .iter()
        .flatten()
        .fold(0.0_f64, |m, w| m.max(w.abs()))
        .max(1e-300);
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.len(), w.len(), "{what}: row {i}");
        for (j, (&g, &w)) in g.iter().zip(w).enumerate() {
            assert!(
                (g - w).abs() <= 1e-12 * scale,
                "{what}[{i}][{j}]: got {g:e}, want {w:e}"
            );
        }
    }
}
