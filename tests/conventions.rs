//! Derivative conventions at singular and non-differentiable points, end to end through
//! `f_grad`.
//!
//! The conventions are the ones documented in `ad_runtime::rules` (the table in its
//! module doc and the doc comment of each rule); where no rule is involved (`x / 0`) the
//! adjoint is what IEEE arithmetic makes of the formula. Every test also checks that
//! `f_grad`'s value is `f`'s and that nothing panics. Finite differences mean nothing at
//! these points, so the expected values are written out exactly.
#![deny(warnings)]

use ad::differentiate;
use std::f64::consts::PI;

const INF: f64 = f64::INFINITY;
const NAN: f64 = f64::NAN;

/// `a` and `b` are the same: equal (so +0 matches −0 and ∞ matches ∞), or both NaN.
fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// Checks `f_grad`'s value against `f`'s and each partial against `want`, exactly.
#[track_caller]
fn expect<const N: usize>(
    name: &str,
    x: [f64; N],
    value: f64,
    f_value: f64,
    grad: [f64; N],
    want: [f64; N],
) {
    assert!(
        same(value, f_value),
        "{name} at {x:?}: f_grad's value {value} is not f's {f_value}"
    );
    for (k, (&got, &want)) in grad.iter().zip(&want).enumerate() {
        assert!(
            same(got, want),
            "{name} at {x:?}: partial {k} is {got}, the convention is {want}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Roots, logarithms, powers at 0

#[differentiate]
fn sqrt_of(x: f64) -> f64 {
    3.0 * x.sqrt()
}

#[test]
fn sqrt_at_zero_is_plus_infinity() {
    for x in [0.0, -0.0] {
        let (v, dx) = sqrt_of_grad(x);
        expect("sqrt", [x], v, sqrt_of(x), [dx], [INF]);
    }
    // Below 0 the primal is NaN, and so is the derivative.
    let (v, dx) = sqrt_of_grad(-1.0);
    expect("sqrt", [-1.0], v, sqrt_of(-1.0), [dx], [NAN]);
}

#[differentiate]
fn cbrt_of(x: f64) -> f64 {
    x.cbrt()
}

#[test]
fn cbrt_at_zero_is_plus_infinity() {
    for x in [0.0, -0.0] {
        let (v, dx) = cbrt_of_grad(x);
        expect("cbrt", [x], v, cbrt_of(x), [dx], [INF]);
    }
}

#[differentiate]
fn ln_of(x: f64) -> f64 {
    x.ln()
}

#[differentiate]
fn log2_log10_of(x: f64, y: f64) -> f64 {
    x.log2() + f64::log10(y)
}

#[test]
fn logarithms_at_zero_are_plus_infinity() {
    for x in [0.0, -0.0] {
        let (v, dx) = ln_of_grad(x);
        expect("ln", [x], v, ln_of(x), [dx], [INF]);
        let (v, dx, dy) = log2_log10_of_grad(x, x);
        expect(
            "log2 + log10",
            [x, x],
            v,
            log2_log10_of(x, x),
            [dx, dy],
            [INF, INF],
        );
    }
    // For x < 0 (primal NaN) the derivative is that of ln|x|.
    let (v, dx) = ln_of_grad(-2.0);
    expect("ln", [-2.0], v, ln_of(-2.0), [dx], [-0.5]);
}

#[differentiate]
fn ln_1p_of(x: f64) -> f64 {
    x.ln_1p()
}

#[test]
fn ln_1p_at_minus_one_is_plus_infinity() {
    let (v, dx) = ln_1p_of_grad(-1.0);
    expect("ln_1p", [-1.0], v, ln_1p_of(-1.0), [dx], [INF]);
}

#[differentiate]
fn log_of(x: f64, b: f64) -> f64 {
    x.log(b)
}

#[test]
fn log_at_zero_is_infinity_over_ln_base() {
    // ∂x = +inf/ln b: +inf for b > 1, −inf for b < 1. ∂b = −ans/(b·ln b) with ans = ±inf
    // is +inf on both sides.
    for (b, want_dx) in [(2.0, INF), (10.0, INF), (0.5, -INF)] {
        let (v, dx, db) = log_of_grad(0.0, b);
        expect("log", [0.0, b], v, log_of(0.0, b), [dx, db], [want_dx, INF]);
    }
}

#[differentiate]
fn powf_of(x: f64, y: f64) -> f64 {
    x.powf(y)
}

#[test]
fn powf_with_base_zero() {
    // x = 0, y > 0: ∂y = 0; ∂x = +inf, 1 or 0 for y < 1, y = 1, y > 1.
    for (y, want_dx) in [(0.5, INF), (1.0, 1.0), (2.0, 0.0), (3.5, 0.0)] {
        let (v, dx, dy) = powf_of_grad(0.0, y);
        expect(
            "powf",
            [0.0, y],
            v,
            powf_of(0.0, y),
            [dx, dy],
            [want_dx, 0.0],
        );
    }
    // (0, 0): ∂x = 0 (y = 0), ∂y = −inf.
    let (v, dx, dy) = powf_of_grad(0.0, 0.0);
    expect(
        "powf",
        [0.0, 0.0],
        v,
        powf_of(0.0, 0.0),
        [dx, dy],
        [0.0, -INF],
    );
    // x = 0, y < 0: both infinite, like the primal.
    for y in [-1.0, -0.5, -2.0] {
        let (v, dx, dy) = powf_of_grad(0.0, y);
        assert_eq!(v, powf_of(0.0, y));
        assert!(
            v.is_infinite() && dx.is_infinite() && dy.is_infinite(),
            "powf(0, {y}): {v}, {dx}, {dy}"
        );
    }
}

#[test]
fn powf_with_zero_exponent_and_negative_base() {
    // y = 0: ∂x = 0 for any x.
    for x in [2.0, -3.0] {
        let (v, dx, dy) = powf_of_grad(x, 0.0);
        expect(
            "powf",
            [x, 0.0],
            v,
            powf_of(x, 0.0),
            [dx, dy],
            [0.0, f64::ln(x)],
        );
    }
    // x < 0 at an integer y: ∂x = y·x^(y−1) is finite, ∂y is NaN.
    let (v, dx, dy) = powf_of_grad(-2.0, 3.0);
    expect(
        "powf",
        [-2.0, 3.0],
        v,
        powf_of(-2.0, 3.0),
        [dx, dy],
        [12.0, NAN],
    );
}

#[differentiate]
fn powi_of(x: f64, n: i32) -> f64 {
    x.powi(n)
}

#[test]
fn powi_at_zero() {
    // n = 0: 0, also at x = 0 (not 0·0⁻¹ = NaN); n = 1: 1; n = 2: 0.
    for (n, want) in [(0, 0.0), (1, 1.0), (2, 0.0), (3, 0.0)] {
        for x in [0.0, -0.0] {
            let (v, dx) = powi_of_grad(x, n);
            expect("powi", [x], v, powi_of(x, n), [dx], [want]);
        }
    }
    // n = 0 away from 0 too.
    let (v, dx) = powi_of_grad(5.0, 0);
    expect("powi", [5.0], v, powi_of(5.0, 0), [dx], [0.0]);
    // n < 0 at 0: infinite, like the primal.
    for n in [-1, -2] {
        let (v, dx) = powi_of_grad(0.0, n);
        assert_eq!(v, powi_of(0.0, n));
        assert!(dx.is_infinite(), "powi(0, {n})' = {dx}");
    }
}

#[differentiate]
fn recip_of(x: f64) -> f64 {
    x.recip()
}

#[test]
fn recip_at_zero_is_minus_infinity() {
    for x in [0.0, -0.0] {
        let (v, dx) = recip_of_grad(x);
        expect("recip", [x], v, recip_of(x), [dx], [-INF]);
    }
}

#[differentiate]
fn quotient(x: f64, y: f64) -> f64 {
    x / y
}

#[test]
fn division_by_zero_follows_ieee() {
    // ∂x = 1/y, ∂y = −x/y², as IEEE arithmetic evaluates them.
    for (x, y, want) in [
        (1.0, 0.0, [INF, -INF]),
        (-2.0, 0.0, [INF, INF]),
        (1.0, -0.0, [-INF, -INF]),
    ] {
        let (v, dx, dy) = quotient_grad(x, y);
        expect("x / y", [x, y], v, quotient(x, y), [dx, dy], want);
    }
    // 0/0: the value is NaN, ∂x = 1/0 = +inf, ∂y = −0/0 = NaN.
    let (v, dx, dy) = quotient_grad(0.0, 0.0);
    expect(
        "x / y",
        [0.0, 0.0],
        v,
        quotient(0.0, 0.0),
        [dx, dy],
        [INF, NAN],
    );
}

// ---------------------------------------------------------------------------------------
// Kinks: abs, min, max, clamp, hypot, atan2

#[differentiate]
fn abs_of(x: f64, y: f64) -> f64 {
    x.abs() * y
}

#[test]
fn abs_at_zero_is_zero() {
    for x in [0.0, -0.0] {
        let (v, dx, dy) = abs_of_grad(x, 2.0);
        expect("abs", [x, 2.0], v, abs_of(x, 2.0), [dx, dy], [0.0, 0.0]);
    }
}

#[differentiate]
fn max_of(x: f64, y: f64) -> f64 {
    x.max(y)
}

#[differentiate]
fn min_of(x: f64, y: f64) -> f64 {
    f64::min(x, y)
}

#[differentiate]
fn max_min_self(x: f64) -> f64 {
    x.max(x) + 2.0 * x.min(x)
}

#[test]
fn max_and_min_ties_split_the_adjoint() {
    for (x, y) in [(1.5, 1.5), (0.0, -0.0), (-0.0, 0.0), (-3.0, -3.0)] {
        let (v, dx, dy) = max_of_grad(x, y);
        expect("max", [x, y], v, max_of(x, y), [dx, dy], [0.5, 0.5]);
        let (v, dx, dy) = min_of_grad(x, y);
        expect("min", [x, y], v, min_of(x, y), [dx, dy], [0.5, 0.5]);
    }
    // x.max(x) and x.min(x) are x: the halves add up to 1.
    let (v, dx) = max_min_self_grad(0.7);
    expect(
        "max(x, x) + 2 min(x, x)",
        [0.7],
        v,
        max_min_self(0.7),
        [dx],
        [3.0],
    );
}

/// ReLU-like kinks against a constant: at x = 0 the tie splits the adjoint there too.
#[differentiate]
fn relu_like(x: f64) -> f64 {
    x.max(0.0) + 3.0 * x.min(0.0)
}

#[test]
fn ties_with_a_constant_give_half_the_adjoint() {
    for x in [0.0, -0.0] {
        let (v, dx) = relu_like_grad(x);
        expect(
            "max(x, 0) + 3 min(x, 0)",
            [x],
            v,
            relu_like(x),
            [dx],
            [0.5 + 1.5],
        );
    }
    for (x, want) in [(2.0, 1.0), (-2.0, 3.0)] {
        let (v, dx) = relu_like_grad(x);
        expect(
            "max(x, 0) + 3 min(x, 0)",
            [x],
            v,
            relu_like(x),
            [dx],
            [want],
        );
    }
}

#[test]
fn max_and_min_give_the_adjoint_to_the_non_nan_argument() {
    for (x, y, want) in [(NAN, 2.0, [0.0, 1.0]), (2.0, NAN, [1.0, 0.0])] {
        let (v, dx, dy) = max_of_grad(x, y);
        assert_eq!(v, 2.0);
        expect("max", [x, y], v, max_of(x, y), [dx, dy], want);
        let (v, dx, dy) = min_of_grad(x, y);
        assert_eq!(v, 2.0);
        expect("min", [x, y], v, min_of(x, y), [dx, dy], want);
    }
    // Both NaN: the adjoint goes to x.
    let (v, dx, dy) = max_of_grad(NAN, NAN);
    expect("max", [NAN, NAN], v, max_of(NAN, NAN), [dx, dy], [1.0, 0.0]);
    let (v, dx, dy) = min_of_grad(NAN, NAN);
    expect("min", [NAN, NAN], v, min_of(NAN, NAN), [dx, dy], [1.0, 0.0]);
}

#[differentiate]
fn clamp_of(x: f64, lo: f64, hi: f64) -> f64 {
    x.clamp(lo, hi)
}

#[test]
fn clamp_boundaries_count_as_inside() {
    for (x, lo, hi, want) in [
        (-1.0, -1.0, 2.0, [1.0, 0.0, 0.0]),
        (2.0, -1.0, 2.0, [1.0, 0.0, 0.0]),
        (1.0, 1.0, 1.0, [1.0, 0.0, 0.0]),
        (-1.5, -1.0, 2.0, [0.0, 1.0, 0.0]),
        (2.5, -1.0, 2.0, [0.0, 0.0, 1.0]),
        // A NaN x is returned by clamp, and keeps the adjoint.
        (NAN, -1.0, 2.0, [1.0, 0.0, 0.0]),
    ] {
        let (v, dx, dlo, dhi) = clamp_of_grad(x, lo, hi);
        expect(
            "clamp",
            [x, lo, hi],
            v,
            clamp_of(x, lo, hi),
            [dx, dlo, dhi],
            want,
        );
    }
}

#[differentiate]
fn hypot_of(x: f64, y: f64) -> f64 {
    x.hypot(y)
}

#[differentiate]
fn atan2_of(y: f64, x: f64) -> f64 {
    y.atan2(x)
}

#[test]
fn hypot_and_atan2_at_the_origin_are_zero() {
    for (a, b) in [(0.0, 0.0), (-0.0, 0.0), (0.0, -0.0), (-0.0, -0.0)] {
        let (v, dx, dy) = hypot_of_grad(a, b);
        expect("hypot", [a, b], v, hypot_of(a, b), [dx, dy], [0.0, 0.0]);
        let (v, dy, dx) = atan2_of_grad(a, b);
        expect("atan2", [a, b], v, atan2_of(a, b), [dy, dx], [0.0, 0.0]);
    }
    assert_eq!(atan2_of_grad(0.0, -0.0).0, PI);
}

// ---------------------------------------------------------------------------------------
// Piecewise-constant functions at their jumps

#[differentiate]
fn floor_of(x: f64) -> f64 {
    x.floor() * x
}

#[differentiate]
fn ceil_of(x: f64) -> f64 {
    f64::ceil(x) * x
}

#[differentiate]
fn round_of(x: f64) -> f64 {
    x.round() * x
}

#[differentiate]
fn trunc_of(x: f64) -> f64 {
    f64::trunc(x) * x
}

#[differentiate]
fn signum_of(x: f64) -> f64 {
    x.signum() * x
}

#[test]
fn piecewise_constant_functions_have_zero_derivative_at_jumps() {
    // d/dx (g(x)·x) = g'(x)·x + g(x), with g' = 0 at the jumps too: the partial is g(x).
    for x in [2.0, -3.0, 0.0, -0.0, 2.5, -1.5, 0.5] {
        let (v, dx) = floor_of_grad(x);
        expect("floor(x)·x", [x], v, floor_of(x), [dx], [x.floor()]);
        let (v, dx) = ceil_of_grad(x);
        expect("ceil(x)·x", [x], v, ceil_of(x), [dx], [x.ceil()]);
        let (v, dx) = round_of_grad(x);
        expect("round(x)·x", [x], v, round_of(x), [dx], [x.round()]);
        let (v, dx) = trunc_of_grad(x);
        expect("trunc(x)·x", [x], v, trunc_of(x), [dx], [x.trunc()]);
        let (v, dx) = signum_of_grad(x);
        expect("signum(x)·x", [x], v, signum_of(x), [dx], [x.signum()]);
    }
}

#[differentiate]
fn steps(x: f64) -> f64 {
    x.floor() + x.ceil() + x.round() + x.trunc() + x.signum()
}

#[test]
fn piecewise_constant_functions_alone_have_zero_gradient() {
    for x in [2.0, 0.0, -0.0, 2.5, -1.5, 0.3] {
        let (v, dx) = steps_grad(x);
        expect("steps", [x], v, steps(x), [dx], [0.0]);
    }
}

// ---------------------------------------------------------------------------------------
// Edges of the domains of the inverse functions; saturation

#[differentiate]
fn inverse_edges(x: f64, y: f64, z: f64) -> f64 {
    x.asin() + y.acosh() + z.atanh()
}

#[differentiate]
fn acos_of(x: f64) -> f64 {
    x.acos()
}

#[test]
fn inverse_functions_at_the_edges_of_their_domains() {
    // asin at ±1, acosh at 1, atanh at ±1: +inf.
    for (x, z) in [(1.0, 1.0), (-1.0, -1.0)] {
        let (v, dx, dy, dz) = inverse_edges_grad(x, 1.0, z);
        expect(
            "asin + acosh + atanh",
            [x, 1.0, z],
            v,
            inverse_edges(x, 1.0, z),
            [dx, dy, dz],
            [INF, INF, INF],
        );
    }
    // acos at ±1: −inf.
    for x in [1.0, -1.0] {
        let (v, dx) = acos_of_grad(x);
        expect("acos", [x], v, acos_of(x), [dx], [-INF]);
    }
    // Outside the domain the primal and the derivative are NaN.
    let (v, dx) = acos_of_grad(1.5);
    expect("acos", [1.5], v, acos_of(1.5), [dx], [NAN]);
}

#[differentiate]
fn saturating(x: f64, y: f64) -> f64 {
    x.tanh() + y.exp_m1()
}

#[test]
fn saturated_functions_have_zero_derivative() {
    // tanh rounds to ±1 and exp_m1 to −1: the derivatives round to 0.
    for (x, y) in [(40.0, -50.0), (-40.0, -800.0)] {
        let (v, dx, dy) = saturating_grad(x, y);
        expect(
            "tanh + exp_m1",
            [x, y],
            v,
            saturating(x, y),
            [dx, dy],
            [0.0, 0.0],
        );
    }
}

// ---------------------------------------------------------------------------------------
// NaN inputs

#[differentiate]
fn composite(x: f64, y: f64) -> f64 {
    let t = (x * y).sin() + x.exp() * y.sqrt();
    t.abs().ln_1p() * x.hypot(y)
}

#[test]
fn nan_inputs_propagate_without_panic() {
    for (x, y) in [(NAN, 1.0), (1.0, NAN), (NAN, NAN)] {
        let (v, dx, dy) = composite_grad(x, y);
        expect(
            "composite",
            [x, y],
            v,
            composite(x, y),
            [dx, dy],
            [NAN, NAN],
        );
    }
    // A NaN that stays out of the value (here under a piecewise-constant function)
    // still makes no panic.
    let (v, dx) = steps_grad(NAN);
    assert!(v.is_nan() && steps(NAN).is_nan());
    assert_eq!(
        dx, 0.0,
        "the derivatives of the piecewise-constant functions are 0 even at NaN"
    );
}
