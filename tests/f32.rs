//! End-to-end gradients of `f32` functions, and of functions that mix `f32` and `f64`
//! through `as` casts.
//!
//! As in `straight_line.rs`, each test compares every partial of `f_grad` with a
//! hand-derived derivative, checks the gradient with `ad::check_gradient` (here for
//! `f32`, with its default `f32` tolerances), and checks that `f_grad`'s value is exactly
//! `f`'s. The analytic comparisons allow a relative error of 1e-5, about a hundred `f32`
//! ulps: rounding in a few dozen operations passes, a wrong sign or a missing term fails.
#![deny(warnings)]

use ad::differentiate;
use approx::{relative_eq, RelativeEq};
use std::f32::consts::LN_2;
use std::fmt::LowerExp;

/// Relative tolerance of the analytic comparisons.
const REL: f32 = 1e-5;

/// Asserts `got` ≈ `want` within `rel` (and an absolute ε for values near 0).
#[track_caller]
fn assert_close<T: RelativeEq<Epsilon = T> + LowerExp>(got: T, want: T, rel: T, what: &str) {
    assert!(
        relative_eq!(got, want, max_relative = rel),
        "{what}: got {got:e}, expected {want:e}"
    );
}

/// The three checks of `f_grad` at one point `x`: `value` and `grad` from `f_grad(x…)`,
/// `want` the hand-derived partials, `f` the original function on a slice.
#[track_caller]
fn verify<const N: usize>(
    name: &str,
    f: impl Fn(&[f32]) -> f32,
    x: [f32; N],
    value: f32,
    grad: [f32; N],
    want: [f32; N],
) {
    let fx = f(&x);
    assert_eq!(value, fx, "{name} at {x:?}: f_grad's value differs from f");
    for (k, (&got, &want)) in grad.iter().zip(&want).enumerate() {
        assert_close(got, want, REL, &format!("{name} at {x:?}, partial {k}"));
    }
    ad::check_gradient(&f, &x, &grad).unwrap_or_else(|e| panic!("{name} at {x:?}: {e}"));
}

/// 1 if `b`, else 0.
fn ind(b: bool) -> f32 {
    if b {
        1.0
    } else {
        0.0
    }
}

#[differentiate]
fn poly(x: f32, y: f32) -> f32 {
    x * x * y - 3.0 * y + x
}

#[test]
fn polynomial() {
    for [x, y] in [[1.5, -0.5], [-2.25, 1.75]] {
        let (v, dx, dy) = poly_grad(x, y);
        let want = [2.0 * x * y + 1.0, x * x - 3.0];
        let f = |p: &[f32]| poly(p[0], p[1]);
        verify("poly", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn trig(x: f32, y: f32) -> f32 {
    x.sin() * f32::cos(y) + (x * y).atan() - f32::tan(x) * y
}

#[test]
fn sin_cos_atan_tan() {
    for [x, y] in [[0.7, -1.1], [-1.2, 0.4]] {
        let (v, dx, dy) = trig_grad(x, y);
        let q = 1.0 + x * x * y * y;
        let sec2 = 1.0 / (x.cos() * x.cos());
        let want = [
            x.cos() * y.cos() + y / q - sec2 * y,
            -x.sin() * y.sin() + x / q - x.tan(),
        ];
        let f = |p: &[f32]| trig(p[0], p[1]);
        verify("trig", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn exp_log(x: f32, y: f32) -> f32 {
    x.exp() * y.ln() + f32::log2(x + y) - f32::ln_1p(x * y)
}

#[test]
fn exp_ln_log2_ln_1p() {
    for [x, y] in [[0.3, 2.5], [-0.4, 1.5]] {
        let (v, dx, dy) = exp_log_grad(x, y);
        let l = 1.0 / ((x + y) * LN_2);
        let q = 1.0 + x * y;
        let want = [x.exp() * y.ln() + l - y / q, x.exp() / y + l - x / q];
        let f = |p: &[f32]| exp_log(p[0], p[1]);
        verify("exp_log", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn powers(x: f32, y: f32) -> f32 {
    x.powf(y) + f32::sqrt(x * y) * y.cbrt()
}

#[test]
fn powf_sqrt_cbrt() {
    for [x, y] in [[1.5, 2.25], [0.5, 0.75]] {
        let (v, dx, dy) = powers_grad(x, y);
        let (s, c) = ((x * y).sqrt(), y.cbrt());
        let want = [
            y * x.powf(y - 1.0) + y / (2.0 * s) * c,
            x.powf(y) * x.ln() + x / (2.0 * s) * c + s / (3.0 * c * c),
        ];
        let f = |p: &[f32]| powers(p[0], p[1]);
        verify("powers", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn hyperbolic(x: f32, y: f32) -> f32 {
    x.tanh() * y.sinh() + f32::cosh(x - y)
}

#[test]
fn tanh_sinh_cosh() {
    for [x, y] in [[0.6, 1.2], [-0.9, -0.3]] {
        let (v, dx, dy) = hyperbolic_grad(x, y);
        let t = x.tanh();
        let want = [
            (1.0 - t * t) * y.sinh() + (x - y).sinh(),
            t * y.cosh() - (x - y).sinh(),
        ];
        let f = |p: &[f32]| hyperbolic(p[0], p[1]);
        verify("hyperbolic", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn piecewise(x: f32, y: f32) -> f32 {
    x.abs().max(y) * y.min(x)
}

#[test]
fn abs_max_min_on_each_side() {
    for [x, y] in [[1.5, 0.5], [-1.5, 0.5], [0.25, 2.0], [-0.5, -1.0]] {
        let (v, dx, dy) = piecewise_grad(x, y);
        let (m, n) = (x.abs().max(y), y.min(x));
        let sign_x = if x > 0.0 { 1.0 } else { -1.0 };
        let want = [
            ind(x.abs() > y) * sign_x * n + m * ind(x < y),
            ind(y > x.abs()) * n + m * ind(y < x),
        ];
        let f = |p: &[f32]| piecewise(p[0], p[1]);
        verify("piecewise", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn clamp_hypot(x: f32, lo: f32, hi: f32) -> f32 {
    x.clamp(lo, hi) * x.hypot(hi)
}

#[test]
fn clamp_with_active_bounds_and_hypot() {
    for [x, lo, hi] in [[-2.0, -1.0, 1.5], [0.5, -1.0, 1.5], [2.5, -1.0, 1.5]] {
        let (v, dx, dlo, dhi) = clamp_hypot_grad(x, lo, hi);
        let (c, h) = (x.clamp(lo, hi), x.hypot(hi));
        let want = [
            ind(lo <= x && x <= hi) * h + c * x / h,
            ind(x < lo) * h,
            ind(x > hi) * h + c * hi / h,
        ];
        let f = |p: &[f32]| clamp_hypot(p[0], p[1], p[2]);
        verify("clamp_hypot", f, [x, lo, hi], v, [dx, dlo, dhi], want);
    }
}

#[differentiate]
fn angle(y: f32, x: f32) -> f32 {
    y.atan2(x) * x + f32::atan2(x, 2.0)
}

#[test]
fn atan2_method_and_path() {
    for [y, x] in [[0.5, 1.5], [-0.75, -1.25]] {
        let (v, dy, dx) = angle_grad(y, x);
        let r2 = x * x + y * y;
        let want = [x * x / r2, -y * x / r2 + y.atan2(x) + 2.0 / (x * x + 4.0)];
        let f = |p: &[f32]| angle(p[0], p[1]);
        verify("angle", f, [y, x], v, [dy, dx], want);
    }
}

/// A `mut` f32 parameter and compound assignments.
#[differentiate]
fn compound(mut x: f32, y: f32) -> f32 {
    let mut a = x * y;
    a += x;
    a *= y;
    x -= a;
    x /= 2.0;
    x * a
}

#[test]
fn compound_assignment() {
    for [x, y] in [[0.75, 1.25], [-1.5, 0.5]] {
        let (v, dx, dy) = compound_grad(x, y);
        let a = x * y * y + x * y;
        let (da_dx, da_dy) = (y * y + y, 2.0 * x * y + x);
        let big_x = (x - a) / 2.0;
        let want = [
            (1.0 - da_dx) / 2.0 * a + big_x * da_dx,
            -da_dy / 2.0 * a + big_x * da_dy,
        ];
        let f = |p: &[f32]| compound(p[0], p[1]);
        verify("compound", f, [x, y], v, [dx, dy], want);
    }
}

/// Typed `let`, an `f32` constant path, `powi` steered by an integer, `exp2`, `mul_add`
/// and `recip`.
#[differentiate]
fn assorted(x: f32, y: f32, n: i32) -> f32 {
    let c: f32 = 1.5;
    let t = x.powi(n) * f32::exp2(y);
    t.mul_add(c, std::f32::consts::PI * y) + f32::recip(x) - f32::EPSILON * x
}

#[test]
fn powi_exp2_mul_add_recip() {
    for (x, y, n) in [(1.25, 0.5, 3), (-0.75, -1.5, 2), (2.0, 0.25, -1)] {
        let (v, dx, dy) = assorted_grad(x, y, n);
        let e = y.exp2();
        let nf = n as f32;
        let want = [
            1.5 * nf * x.powi(n - 1) * e - 1.0 / (x * x) - f32::EPSILON,
            1.5 * x.powi(n) * e * LN_2 + std::f32::consts::PI,
        ];
        let f = |p: &[f32]| assorted(p[0], p[1], n);
        verify("assorted", f, [x, y], v, [dx, dy], want);
    }
}

/// An `f32` and an `f64` parameter, casts in both directions, an `f64` result: the
/// adjoint of `x` is an `f32`, that of `y` an `f64`.
#[differentiate]
fn mixed_precision(x: f32, y: f64) -> f64 {
    let a = (x as f64) * y;
    let b = (y as f32) * x;
    a.sin() + (b.exp() as f64)
}

#[test]
fn mixed_f32_f64_to_f64() {
    // y is exactly representable in f32, so `y as f32` loses nothing.
    for (x, y) in [(0.5_f32, 0.75_f64), (-1.25, 1.5)] {
        let (v, dx, dy): (f64, f32, f64) = mixed_precision_grad(x, y);
        assert_eq!(v, mixed_precision(x, y));
        let xy = f64::from(x) * y;
        let (want_x, want_y) = (
            y * (xy.cos() + xy.exp()),
            f64::from(x) * (xy.cos() + xy.exp()),
        );
        assert_close(f64::from(dx), want_x, 1e-5, "dx");
        assert_close(dy, want_y, 1e-5, "dy");
        let f = |p: &[f32]| mixed_precision(p[0], f64::from(p[1])) as f32;
        ad::check_gradient(f, &[x, y as f32], &[dx, dy as f32])
            .unwrap_or_else(|e| panic!("mixed_precision at ({x}, {y}): {e}"));
    }
}

/// The other way round: an `f64` and an `f32` parameter, an `f32` result.
#[differentiate]
fn mixed_to_f32(x: f64, y: f32) -> f32 {
    ((x * x) as f32) * y + ((y as f64) * x).cos() as f32
}

#[test]
fn mixed_f64_f32_to_f32() {
    for (x, y) in [(0.5_f64, 1.25_f32), (-1.5, -0.5)] {
        let (v, dx, dy): (f32, f64, f32) = mixed_to_f32_grad(x, y);
        assert_eq!(v, mixed_to_f32(x, y));
        let s = (f64::from(y) * x).sin();
        let want_x = 2.0 * x * f64::from(y) - f64::from(y) * s;
        let want_y = x * x - x * s;
        assert_close(dx, want_x, 1e-5, "dx");
        assert_close(f64::from(dy), want_y, 1e-5, "dy");
        // x = 0.5 and −1.5 are exact in f32.
        let f = |p: &[f32]| mixed_to_f32(f64::from(p[0]), p[1]);
        ad::check_gradient(f, &[x as f32, y], &[dx as f32, dy])
            .unwrap_or_else(|e| panic!("mixed_to_f32 at ({x}, {y}): {e}"));
    }
}

/// `wrt` keeps one f32 of three floats; the f64 `s` is a constant.
#[differentiate(wrt(y))]
fn narrowed(x: f32, y: f32, s: f64) -> f32 {
    let k = s as f32;
    (x * y).sin() * k + y * y
}

#[test]
fn wrt_in_f32() {
    for (x, y, s) in [(0.5_f32, 1.5_f32, 2.0_f64), (-1.25, 0.25, -0.5)] {
        let (v, dy): (f32, f32) = narrowed_grad(x, y, s);
        let want = [x * (x * y).cos() * s as f32 + 2.0 * y];
        let f = |p: &[f32]| narrowed(x, p[0], s);
        verify("narrowed", f, [y], v, [dy], want);
    }
}

#[test]
fn adjoint_adds_into_f32_buffers() {
    let (x, y) = (0.7_f32, -1.1_f32);
    let (value, gx, gy) = trig_grad(x, y);
    let (mut d_x, mut d_y) = (4.0_f32, -2.0_f32);
    let v = trig_adjoint(x, y, 0.5, &mut d_x, &mut d_y);
    assert_eq!(v, value);
    assert_close(d_x, 4.0 + 0.5 * gx, REL, "d_x");
    assert_close(d_y, -2.0 + 0.5 * gy, REL, "d_y");
}

#[test]
fn adjoint_of_mixed_precision_has_typed_buffers() {
    let (x, y) = (0.5_f32, 0.75_f64);
    let (_, gx, gy) = mixed_precision_grad(x, y);
    let mut d_x: f32 = 1.0;
    let mut d_y: f64 = 1.0;
    let seed: f64 = -3.0;
    mixed_precision_adjoint(x, y, seed, &mut d_x, &mut d_y);
    assert_close(d_x, 1.0 - 3.0 * gx, REL, "d_x");
    // Part of ∂f/∂y passes through f32 (`y as f32`), so the seed may round differently.
    assert_close(d_y, 1.0 - 3.0 * gy, 1e-6, "d_y");
}
