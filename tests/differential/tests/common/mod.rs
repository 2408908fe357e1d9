//! What the random test targets share: the oracle's helpers, the table of cases,
//! and the check.
//!
//! `build.rs` writes each program twice: over `f64` with `#[differentiate]` (the
//! program under test; `#[differentiate(hessian)]` on the programs it selects)
//! and generic over [`Oracle`] (the oracle), a trait of the two number types it
//! is instantiated with: `num_dual::Dual64` (first derivatives) and, for the
//! programs with `hessian`, `num_dual::HyperDual64` (second derivatives). The
//! helpers [`c`], [`tanh`], [`powi`], [`hypot`] and [`mul_add`] are generic too:
//! their real part is the `f64` function's, bit for bit, so that the oracle takes
//! the program's branches, and their derivative parts are exact to second order
//! (`tests/helpers.rs` tests them against closed forms). [`check`] evaluates, at
//! each of a program's points:
//!
//! - the value of `f_grad`, which must equal the program's value bit for bit;
//! - the dual program once per coordinate with a unit tangent: forward-mode
//!   derivatives, exact up to rounding, independent of the macro. Every component
//!   of `f_grad`'s gradient must agree to [`DUAL_REL`] relative to the largest
//!   component (at least [`DUAL_FLOOR`]), and the dual program's value must agree
//!   with the program's to [`DUAL_REL`];
//! - central finite differences of the program itself (`ad::check_gradient_with`,
//!   [`DIFFERENCES`]), a second reference that shares nothing with the first. A
//!   mismatch counts only if it persists with the hundred times smaller step of
//!   [`DIFFERENCES_SMALL`]: a float condition (`x0 < w[1]`, `while v3 < 0.8`)
//!   switching within one step of the point makes a difference straddle a jump,
//!   and a real error does not go away with the step. So every program, also one
//!   whose loops' trip counts depend on floats, is checked both ways (over
//!   4 × 6000 programs, no mismatch survived the second look).
//!
//! A program with `hessian` is also checked, at the same points, with the
//! seeded pseudo-random tangent `t` and vector `v` that `build.rs` writes with
//! each point:
//!
//! - `f_jvp(x, t)`: its value bit for bit, and ∇f·t against the dot product of
//!   the dual program's gradient with `t`, to [`DUAL_REL`] relative to the sum
//!   of the terms' magnitudes (at least [`DUAL_FLOOR`]);
//! - `f_hvp(x, v)`: its value bit for bit; its gradient against `f_grad`'s, to
//!   [`SAME_REL`]; its H·v against the exact H·v of the hyper-dual program
//!   (component i is the ε₁ε₂ part of f(x + ε₁·e_i + ε₂·v), one evaluation per
//!   coordinate), to [`HYPER_REL`] relative to its largest component (at least
//!   [`DUAL_FLOOR`]); and against central differences of `f_grad` along `v`
//!   ([`HESSIAN_DIFFERENCES`], a mismatch confirmed with
//!   [`HESSIAN_DIFFERENCES_SMALL`], as for the gradient);
//! - `f_hessian(x)`: its value bit for bit, its gradient against `f_grad`'s to
//!   [`SAME_REL`], and the Hessian times `v` against the exact H·v to
//!   [`HYPER_REL`].

// The programs are written by a generator, parenthesised for safety, not style;
// each target uses only some of these helpers.
// `!(a <= b)` is deliberate: it also fails NaNs.
#![allow(dead_code, clippy::neg_cmp_op_on_partial_ord)]

pub use ad::differentiate;
pub use num_dual::{Dual64, DualNum, DualStruct, HyperDual64};

/// Relative tolerance of the dual oracle. Both sides are exact derivatives
/// evaluated in different orders (reverse and forward accumulation), so they differ
/// by rounding only, ~1e-15 of the terms summed; a dropped, doubled or misrouted
/// adjoint changes a component by a whole term.
pub const DUAL_REL: f64 = 1e-10;

/// The scale below which a gradient counts as zero. Gradient components are
/// compared relative to the largest one rather than to themselves: a component
/// that is the cancellation of O(1) terms (say `x - x * 1.0` through a loop) has
/// an absolute rounding error of ~1e-16 times those terms, not of itself (one
/// program's exact 0 came out as -1.1e-16 over dual numbers). The programs'
/// values, inputs and partials are O(1), so a gradient whose largest component is
/// below 1e-3 is compared at 1e-13 absolute; a dropped or misrouted contribution
/// is the size of a whole term, far above that.
pub const DUAL_FLOOR: f64 = 1e-3;

/// Central differences: step and tolerances.
pub const DIFFERENCES: ad::Tolerance<f64> = ad::Tolerance {
    rel: 1e-5,
    abs: 1e-7,
    step: 1e-5,
};

/// The second look at a finite-difference mismatch: a step a hundred times smaller.
pub const DIFFERENCES_SMALL: ad::Tolerance<f64> = ad::Tolerance {
    step: 1e-7,
    ..DIFFERENCES
};

/// Tolerance of f_hvp's gradient against f_grad's, relative to the largest
/// component of f_grad's (at least [`DUAL_FLOOR`]): both are reverse sweeps of
/// the same program, so they may differ only by the rounding of a few reordered
/// sums.
pub const SAME_REL: f64 = 1e-12;

/// Tolerance of H·v (f_hvp's, and f_hessian's times v) against the exact H·v of
/// the hyper-dual program, relative to its largest component (at least
/// [`DUAL_FLOOR`]). Both are exact second derivatives, so they differ by rounding
/// only, but more of it than gradients: a second derivative sums a term per pair
/// of paths through the program rather than per path, each a product of more
/// partials (tanh'' = −2 tanh (1 − tanh²), the quotient rule's second-order
/// terms, …), accumulated forward-over-reverse on one side and in hyper-dual
/// arithmetic on the other, so cancellation between terms of a few times the
/// result's size costs up to ~1e-13 relative. 1e-9 keeps a margin of thousands
/// over that, and a dropped, doubled or misrouted second-order term still moves a
/// component by a whole term, O(1) times the scale.
pub const HYPER_REL: f64 = 1e-9;

/// Central differences of f_grad along v against f_hvp's H·v: step and tolerances
/// (first derivatives of the gradient, as [`DIFFERENCES`] is of the value).
pub const HESSIAN_DIFFERENCES: ad::Tolerance<f64> = DIFFERENCES;

/// The second look at an H·v mismatch: a step a hundred times smaller.
pub const HESSIAN_DIFFERENCES_SMALL: ad::Tolerance<f64> = DIFFERENCES_SMALL;

/// The number types the oracle is rendered over: `Dual64` (first derivatives,
/// for f_grad and f_jvp) and `HyperDual64` (second derivatives, for f_hvp and
/// f_hessian). The programs' `_dual` twins are generic over it.
pub trait Oracle: DualNum<Primitive = f64> + Copy + for<'a> std::iter::Sum<&'a Self> {
    /// `f(self)` for a scalar function `f` given `f(re)`, `f'(re)` and `f''(re)`:
    /// the chain rule, to second order where the type carries it.
    fn chain(self, f0: f64, f1: f64, f2: f64) -> Self;
}

impl Oracle for Dual64 {
    fn chain(self, f0: f64, f1: f64, _f2: f64) -> Self {
        Dual64::new(f0, self.eps * f1)
    }
}

impl Oracle for HyperDual64 {
    fn chain(self, f0: f64, f1: f64, f2: f64) -> Self {
        HyperDual64::new(
            f0,
            self.eps1 * f1,
            self.eps2 * f1,
            self.eps1eps2 * f1 + self.eps1 * self.eps2 * f2,
        )
    }
}

/// A constant of the dual rendering.
pub fn c<D: Oracle>(x: f64) -> D {
    <D as From<f64>>::from(x)
}

/// `d` with its real part replaced by `re`, its derivative parts unchanged
/// (exactly: subtracting and adding constants leaves them as they are).
fn with_re<D: Oracle>(d: D, re: f64) -> D {
    d - c::<D>(d.re()) + c::<D>(re)
}

/// `tanh` whose real part is `f64::tanh` (num-dual's is `sinh / cosh`, NaN beyond
/// 710); tanh' = 1 − tanh², tanh'' = −2 tanh (1 − tanh²).
pub fn tanh<D: Oracle>(a: D) -> D {
    let t = a.re().tanh();
    let d1 = 1.0 - t * t;
    a.chain(t, d1, -2.0 * t * d1)
}

/// `powi` whose real part is `f64::powi`.
pub fn powi<D: Oracle>(a: D, k: i32) -> D {
    let x = a.re();
    let kf = f64::from(k);
    // The guards keep `0 * x^-1` (infinite at x = 0) out of low powers.
    let d1 = if k == 0 { 0.0 } else { kf * x.powi(k - 1) };
    let d2 = if k == 0 || k == 1 {
        0.0
    } else {
        kf * (kf - 1.0) * x.powi(k - 2)
    };
    a.chain(x.powi(k), d1, d2)
}

/// `f64::hypot` over dual numbers: the derivatives of `sqrt(a² + b²)` (the
/// programs keep `b = 1 + …²`, so it is never 0), the real part `f64::hypot`'s.
pub fn hypot<D: Oracle>(a: D, b: D) -> D {
    with_re((a * a + b * b).sqrt(), a.re().hypot(b.re()))
}

/// `f64::mul_add` over dual numbers: the derivatives of `a * b + c`, the real part
/// fused like the f64 one.
pub fn mul_add<D: Oracle>(a: D, b: D, c: D) -> D {
    with_re(a * b + c, a.re().mul_add(b.re(), c.re()))
}

/// A small `Copy` struct of floats that programs carry through loops (issue 16);
/// generic, so that both renderings write `Pair { a, b }`.
#[derive(Clone, Copy)]
pub struct Pair<T> {
    pub a: T,
    pub b: T,
}

/// A small enum that programs `match` on (issue 16), a constant made from `n`.
#[derive(Clone, Copy)]
pub enum Op {
    Add,
    Mul,
    Scale(i32),
}

pub fn op_of(k: usize) -> Op {
    match k % 3 {
        0 => Op::Add,
        1 => Op::Mul,
        _ => Op::Scale(2),
    }
}

/// ln(1 + Σ v²): a differentiated function that programs pass sub-slices of `w`
/// to (issue 16). With `hessian`, so that every program may call it.
#[differentiate(hessian)]
pub fn sub_norm(v: &[f64]) -> f64 {
    let mut s = 0.0;
    for &e in v {
        s += e * e;
    }
    (1.0 + s).ln()
}

pub fn sub_norm_dual<D: Oracle>(v: &[D]) -> D {
    let mut s = c::<D>(0.0);
    for &e in v {
        s += e * e;
    }
    (c::<D>(1.0) + s).ln()
}

/// `ad::erf` over dual numbers: its real part `ad::erf`'s, erf′ = 2/√π·e^(−x²),
/// erf″ = −2x·erf′.
pub fn erf<D: Oracle>(a: D) -> D {
    let x = a.re();
    let d1 = std::f64::consts::FRAC_2_SQRT_PI * (-x * x).exp();
    a.chain(ad::erf(x), d1, -2.0 * x * d1)
}

/// `a.rem_euclid(b)` over dual numbers: `a − b·q` with q the integer quotient of
/// the real parts (a constant: piecewise linear), the real part `f64::rem_euclid`'s.
pub fn rem_euclid<D: Oracle>(a: D, b: D) -> D {
    let r = a.re().rem_euclid(b.re());
    let q = ((a.re() - r) / b.re()).round();
    with_re(a - b * c::<D>(q), r)
}

/// One point a program is checked at.
pub struct Point {
    /// The flat point: the float parameters, then the slice.
    pub x: &'static [f64],
    pub n: usize,
    /// The tangent of the f_jvp check.
    pub t: &'static [f64],
    /// The vector of the f_hvp check.
    pub v: &'static [f64],
}

/// `f_jvp` flat: a point, a tangent, `n` → the value and ∇f·t.
pub type Jvp = fn(&[f64], &[f64], usize) -> (f64, f64);
/// `f_hvp` flat: a point, a vector, `n` → the value, the gradient and H·v.
pub type Hvp = fn(&[f64], &[f64], usize) -> (f64, Vec<f64>, Vec<f64>);
/// `f_hessian` flat: a point, `n` → the value, the gradient and the Hessian.
pub type Hessian = fn(&[f64], usize) -> (f64, Vec<f64>, Vec<Vec<f64>>);

/// The second-order functions of a program with `#[differentiate(hessian)]`, flat.
pub struct Second {
    /// `f_jvp` at a point and a tangent: the value and ∇f·t.
    pub jvp: Jvp,
    /// `f_hvp` at a point and a vector: the value, the gradient and H·v.
    pub hvp: Hvp,
    /// `f_hessian`: the value, the gradient and the Hessian.
    pub hessian: Hessian,
    /// The program over hyper-dual numbers (the oracle's second rendering).
    pub hyper: fn(&[HyperDual64], usize) -> HyperDual64,
}

/// One generated program behind a flat point (its float parameters, then its slice).
pub struct Case {
    pub name: &'static str,
    /// Where to check it: two points, each with its `n`.
    pub points: &'static [Point],
    /// The program.
    pub value: fn(&[f64], usize) -> f64,
    /// Its `f_grad`: the value and the gradient, flat.
    pub gradient: fn(&[f64], usize) -> (f64, Vec<f64>),
    /// The dual program.
    pub dual: fn(&[Dual64], usize) -> Dual64,
    /// f_jvp, f_hvp, f_hessian and the hyper-dual program, if it has `hessian`.
    pub second: Option<Second>,
}

/// The forward-mode gradient of `dual` at `point`, one evaluation per coordinate,
/// and the value.
fn dual_gradient(dual: fn(&[Dual64], usize) -> Dual64, point: &[f64], n: usize) -> (f64, Vec<f64>) {
    let mut value = f64::NAN;
    let mut gradient = Vec::with_capacity(point.len());
    for k in 0..point.len() {
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
        let d = dual(&args, n);
        value = d.re;
        gradient.push(d.eps);
    }
    (value, gradient)
}

/// The exact H·v of the hyper-dual program at `point`: component i is the ε₁ε₂
/// part of f(x + ε₁·e_i + ε₂·v), one evaluation per coordinate.
fn hyper_hvp(
    hyper: fn(&[HyperDual64], usize) -> HyperDual64,
    point: &[f64],
    v: &[f64],
    n: usize,
) -> Vec<f64> {
    (0..point.len())
        .map(|i| {
            let args: Vec<HyperDual64> = point
                .iter()
                .zip(v)
                .enumerate()
                .map(|(j, (&x, &vj))| HyperDual64::new(x, f64::from(u8::from(i == j)), vj, 0.0))
                .collect();
            hyper(&args, n).eps1eps2
        })
        .collect()
}

/// The largest |component| of `xs`, at least [`DUAL_FLOOR`].
fn scale(xs: &[f64]) -> f64 {
    xs.iter().fold(DUAL_FLOOR, |m, x| m.max(x.abs()))
}

/// Pushes a failure per component of `got` off `want` by more than `tolerance`.
fn compare(
    failures: &mut Vec<String>,
    what: &str,
    got: &[f64],
    want: &[f64],
    tolerance: f64,
) -> bool {
    let mut agree = got.len() == want.len();
    if !agree {
        failures.push(format!(
            "{what}: {} components, want {}",
            got.len(),
            want.len()
        ));
    }
    for (k, (&got, &want)) in got.iter().zip(want).enumerate() {
        // `!(a <= b)` also fails NaNs.
        if !((got - want).abs() <= tolerance) {
            agree = false;
            failures.push(format!("{what}[{k}]: got {got}, want {want}"));
        }
    }
    agree
}

/// The second-order checks of one point, if the case has them (see the module doc).
fn check_second(
    failures: &mut Vec<String>,
    at: &str,
    case: &Case,
    point: &Point,
    value: f64,
    gradient: &[f64],
    dual_gradient: &[f64],
) {
    let Some(second) = &case.second else {
        return;
    };
    let Point { x, n, t, v } = *point;
    // f_jvp: the value bit for bit, ∇f·t against the dual oracle's gradient,
    // relative to the dot product's terms.
    let (jvp_value, jvp) = (second.jvp)(x, t, n);
    if jvp_value.to_bits() != value.to_bits() {
        failures.push(format!(
            "{at}: value: f_jvp gives {jvp_value}, f gives {value}"
        ));
    }
    let want: f64 = dual_gradient.iter().zip(t).map(|(g, t)| g * t).sum();
    let terms: f64 = dual_gradient
        .iter()
        .zip(t)
        .map(|(g, t)| (g * t).abs())
        .sum();
    if !((jvp - want).abs() <= DUAL_REL * terms.max(DUAL_FLOOR)) {
        failures.push(format!(
            "{at}: f_jvp: got {jvp}, want {want} (∇f·t, dual numbers)"
        ));
    }
    // f_hvp: the value bit for bit, the gradient f_grad's, H·v the exact one.
    let (hvp_value, hvp_gradient, hv) = (second.hvp)(x, v, n);
    if hvp_value.to_bits() != value.to_bits() {
        failures.push(format!(
            "{at}: value: f_hvp gives {hvp_value}, f gives {value}"
        ));
    }
    let same = SAME_REL * scale(gradient);
    compare(
        failures,
        &format!("{at}: f_hvp's gradient (f_grad's)"),
        &hvp_gradient,
        gradient,
        same,
    );
    let exact = hyper_hvp(second.hyper, x, v, n);
    let hyper_tolerance = HYPER_REL * scale(&exact);
    let hyper_agrees = compare(
        failures,
        &format!("{at}: f_hvp's H·v (hyper-dual numbers)"),
        &hv,
        &exact,
        hyper_tolerance,
    );
    // f_hessian: the value bit for bit, the gradient f_grad's, H times v the exact H·v.
    let (hessian_value, hessian_gradient, hessian) = (second.hessian)(x, n);
    if hessian_value.to_bits() != value.to_bits() {
        failures.push(format!(
            "{at}: value: f_hessian gives {hessian_value}, f gives {value}"
        ));
    }
    compare(
        failures,
        &format!("{at}: f_hessian's gradient (f_grad's)"),
        &hessian_gradient,
        gradient,
        same,
    );
    let times_v: Vec<f64> = hessian
        .iter()
        .map(|row| row.iter().zip(v).map(|(h, v)| h * v).sum())
        .collect();
    compare(
        failures,
        &format!("{at}: f_hessian times v (hyper-dual numbers)"),
        &times_v,
        &exact,
        hyper_tolerance,
    );
    // Central differences of f_grad along v, component by component: the
    // derivative of s ↦ ∂f/∂x_i (x + s·v) at 0 is (H·v)_i. A mismatch counts if it
    // persists with a hundred times smaller step, as for the gradient.
    for (i, &hv_i) in hv.iter().enumerate() {
        let along = |s: &[f64]| {
            let moved: Vec<f64> = x.iter().zip(v).map(|(x, v)| x + s[0] * v).collect();
            (case.gradient)(&moved, n).1[i]
        };
        if let Err(mismatch) = ad::check_gradient_with(along, &[0.0], &[hv_i], &HESSIAN_DIFFERENCES)
        {
            if ad::check_gradient_with(along, &[0.0], &[hv_i], &HESSIAN_DIFFERENCES_SMALL).is_err()
            {
                let note = if hyper_agrees {
                    " (the hyper-dual program agrees with f_hvp: a jump within 1e-7 of the point?)"
                } else {
                    ""
                };
                failures.push(format!(
                    "{at}: f_hvp's H·v[{i}] against central differences of f_grad along v: {mismatch}{note}"
                ));
            }
        }
    }
}

/// Checks every case at every point; one assertion lists every failure.
pub fn check(cases: &[Case]) {
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut failing = 0;
    for case in cases {
        let before = failures.len();
        for p in case.points {
            let (point, n) = (p.x, p.n);
            checked += 1;
            let at = format!("{} at {point:?}, n = {n}", case.name);
            let value = (case.value)(point, n);
            let (grad_value, gradient) = (case.gradient)(point, n);
            if grad_value.to_bits() != value.to_bits() {
                failures.push(format!(
                    "{at}: value: f_grad gives {grad_value}, f gives {value}"
                ));
            }
            let (dual_value, want) = dual_gradient(case.dual, point, n);
            // `!(a <= b)` also fails NaNs.
            if !((dual_value - value).abs() <= DUAL_REL * value.abs().max(1.0)) {
                failures.push(format!(
                    "{at}: value: f gives {value}, the dual program {dual_value}"
                ));
            }
            let scale = scale(&want);
            let mut dual_agrees = true;
            for (k, (&got, &want)) in gradient.iter().zip(&want).enumerate() {
                if !((got - want).abs() <= DUAL_REL * scale) {
                    dual_agrees = false;
                    failures.push(format!("{at}: d{k}: got {got}, want {want} (dual numbers)"));
                }
            }
            // A mismatch counts if it persists with a hundred times smaller step
            // (see the module doc).
            let f = |p: &[f64]| (case.value)(p, n);
            if let Err(mismatch) = ad::check_gradient_with(f, point, &gradient, &DIFFERENCES) {
                if ad::check_gradient_with(f, point, &gradient, &DIFFERENCES_SMALL).is_err() {
                    let note = if dual_agrees {
                        " (the dual program agrees with f_grad: a jump within 1e-7 of the point?)"
                    } else {
                        ""
                    };
                    failures.push(format!("{at}: finite differences: {mismatch}{note}"));
                }
            }
            check_second(&mut failures, &at, case, p, value, &gradient, &want);
        }
        failing += usize::from(failures.len() > before);
    }
    assert!(checked > 0);
    assert!(
        failures.is_empty(),
        "{failing} of {} programs fail ({} mismatches in {checked} points):\n{}",
        cases.len(),
        failures.len(),
        failures.join("\n")
    );
}
