//! Arithmetic helpers: recip, mul_add, abs, copysign, rem_euclid, signum, min, max,
//! clamp, hypot, and the unit conversions to_degrees and to_radians.
//!
//! `+ − × ÷` have no runtime rule: the macro inlines their adjoints.

use crate::Real;

/// d/dx (1/x) = −1/x² = −ans².
///
/// At x = ±0 it is `−inf`.
#[inline]
pub fn recip<T: Real>(_x: T, ans: T) -> T {
    -(ans * ans)
}

/// Partials of `a.mul_add(b, c)` = a·b + c: (∂/∂a, ∂/∂b, ∂/∂c) = (b, a, 1).
#[inline]
pub fn mul_add<T: Real>(a: T, b: T, _c: T, _ans: T) -> (T, T, T) {
    (b, a, T::ONE)
}

/// d/dx |x| = sign(x): `1` for x > 0, `−1` for x < 0.
///
/// At x = ±0 it is `0` (the midpoint of the subgradient [−1, 1], and what JAX and
/// ChainRules use), not `signum(0.0) = 1`. NaN gives NaN.
#[inline]
pub fn abs<T: Real>(x: T, _ans: T) -> T {
    if x == T::ZERO {
        T::ZERO
    } else {
        x.signum()
    }
}

/// Partials of `x.copysign(y)` = |x|·sign(y): `(sign(x)·sign(y), 0)`.
///
/// At x = ±0 the partial in x is `0` (the convention of `abs`); `y` only chooses a
/// sign, so its partial is `0` everywhere, including where that choice jumps.
#[inline]
pub fn copysign<T: Real>(x: T, _y: T, ans: T) -> (T, T) {
    if x == T::ZERO {
        (T::ZERO, T::ZERO)
    } else {
        (x.signum() * ans.signum(), T::ZERO)
    }
}

/// Partials of `x.rem_euclid(y)` = x − y·q, q the integer `(x − ans)/y`: `(1, −q)`.
///
/// At the jumps (x a multiple of y), the partials of the piece the result lies on,
/// `ans` in `[0, |y|)`: `ans = 0`, `q = x/y`. q is rounded to the integer it is, so
/// over dual numbers it is a constant and the second derivatives are 0. At y = 0 the
/// value is NaN, and so is ∂y.
#[inline]
pub fn rem_euclid<T: Real>(x: T, y: T, ans: T) -> (T, T) {
    let quotient = ((x - ans) / y).round();
    (T::ONE, -quotient)
}

/// d/dx x.to_degrees() = 180/π.
#[inline]
pub fn to_degrees<T: Real>(_x: T, _ans: T) -> T {
    T::from_f64(180.0 / core::f64::consts::PI)
}

/// d/dx x.to_radians() = π/180.
#[inline]
pub fn to_radians<T: Real>(_x: T, _ans: T) -> T {
    T::from_f64(core::f64::consts::PI / 180.0)
}

/// d/dx signum x = 0 everywhere, including at ±0 where signum jumps and at NaN.
#[inline]
pub fn signum<T: Real>(_x: T, _ans: T) -> T {
    T::ZERO
}

/// Partials of `x.min(y)`: `(1, 0)` if x is the smaller, `(0, 1)` if y is.
///
/// At a tie (x == y, including +0 vs −0) the adjoint is split: `(0.5, 0.5)`, so that
/// the gradient of `x.min(x)` is 1. If one argument is NaN, Rust's `min` returns the other
/// one and the partial goes to it; if both are NaN, it goes to x: `(1, 0)`.
#[inline]
pub fn min<T: Real>(x: T, y: T, _ans: T) -> (T, T) {
    if x == y {
        (T::HALF, T::HALF)
    } else if y.is_nan() || x < y {
        (T::ONE, T::ZERO)
    } else {
        (T::ZERO, T::ONE)
    }
}

/// Partials of `x.max(y)`: `(1, 0)` if x is the larger, `(0, 1)` if y is.
///
/// At a tie (x == y, including +0 vs −0) the adjoint is split: `(0.5, 0.5)`. If one
/// argument is NaN, Rust's `max` returns the other one and the partial goes to it; if both
/// are NaN, it goes to x: `(1, 0)`.
#[inline]
pub fn max<T: Real>(x: T, y: T, _ans: T) -> (T, T) {
    if x == y {
        (T::HALF, T::HALF)
    } else if y.is_nan() || x > y {
        (T::ONE, T::ZERO)
    } else {
        (T::ZERO, T::ONE)
    }
}

/// Partials of `x.clamp(lo, hi)`: (∂/∂x, ∂/∂lo, ∂/∂hi).
///
/// `(0, 1, 0)` if x < lo, `(0, 0, 1)` if x > hi, otherwise `(1, 0, 0)`: the boundaries
/// x == lo and x == hi count as inside, and so does a NaN x (clamp returns it). The rule
/// never panics, even for `lo > hi` where the primal does.
#[inline]
pub fn clamp<T: Real>(x: T, lo: T, hi: T, _ans: T) -> (T, T, T) {
    if x < lo {
        (T::ZERO, T::ONE, T::ZERO)
    } else if x > hi {
        (T::ZERO, T::ZERO, T::ONE)
    } else {
        (T::ONE, T::ZERO, T::ZERO)
    }
}

/// Partials of `x.hypot(y)` = √(x² + y²): (x/ans, y/ans).
///
/// At the origin (0, 0), where hypot has a cone point, the partials are `(0, 0)`.
#[inline]
pub fn hypot<T: Real>(x: T, y: T, ans: T) -> (T, T) {
    if ans == T::ZERO {
        return (T::ZERO, T::ZERO);
    }
    (x / ans, y / ans)
}
