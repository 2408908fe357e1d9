//! What the random test targets share: the dual rendering's helpers, the table of
//! cases, and the check.
//!
//! `build.rs` writes each program twice: over `f64` with `#[differentiate]` (the
//! program under test) and over `num_dual::Dual64` (the oracle). [`check`]
//! evaluates, at each of a program's points:
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

// The programs are written by a generator, parenthesised for safety, not style;
// each target uses only some of these helpers.
#![allow(dead_code)]

pub use ad::differentiate;
pub use num_dual::{Dual64, DualNum};

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

/// A constant of the dual rendering.
pub fn c(x: f64) -> Dual64 {
    Dual64::from(x)
}

/// `tanh` whose real part is `f64::tanh` (num-dual's is `sinh / cosh`, NaN beyond 710).
pub fn tanh(a: Dual64) -> Dual64 {
    let t = a.re.tanh();
    Dual64::new(t, a.eps * (1.0 - t * t))
}

/// `powi` whose real part is `f64::powi`.
pub fn powi(a: Dual64, k: i32) -> Dual64 {
    Dual64::new(a.re.powi(k), a.eps * f64::from(k) * a.re.powi(k - 1))
}

/// `f64::hypot` over dual numbers.
pub fn hypot(a: Dual64, b: Dual64) -> Dual64 {
    let h = a.re.hypot(b.re);
    Dual64::new(h, (a.re * a.eps + b.re * b.eps) / h)
}

/// `f64::mul_add` over dual numbers, fused in its real part like the f64 one.
pub fn mul_add(a: Dual64, b: Dual64, c: Dual64) -> Dual64 {
    Dual64::new(
        a.re.mul_add(b.re, c.re),
        a.eps * b.re + a.re * b.eps + c.eps,
    )
}

/// One generated program behind a flat point (its float parameters, then its slice).
pub struct Case {
    pub name: &'static str,
    /// Where to check it: a point and `n`.
    pub points: &'static [(&'static [f64], usize)],
    /// The program.
    pub value: fn(&[f64], usize) -> f64,
    /// Its `f_grad`: the value and the gradient, flat.
    pub gradient: fn(&[f64], usize) -> (f64, Vec<f64>),
    /// The dual program.
    pub dual: fn(&[Dual64], usize) -> Dual64,
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

/// Checks every case at every point; one assertion lists every failure.
pub fn check(cases: &[Case]) {
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut failing = 0;
    for case in cases {
        let before = failures.len();
        for &(point, n) in case.points {
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
            let scale = want.iter().fold(DUAL_FLOOR, |m, w| m.max(w.abs()));
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
