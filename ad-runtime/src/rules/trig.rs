//! Trigonometric and hyperbolic functions and their inverses.

use crate::Real;

/// d/dx sin x = cos x.
#[inline]
pub fn sin<T: Real>(x: T, _ans: T) -> T {
    x.cos()
}

/// d/dx cos x = −sin x.
#[inline]
pub fn cos<T: Real>(x: T, _ans: T) -> T {
    -x.sin()
}

/// d/dx tan x = 1 + tan² x = 1 + ans².
///
/// Near the poles (x = π/2 + kπ) `ans` is huge and so is the result; it is `+inf` if `ans`
/// overflows.
#[inline]
pub fn tan<T: Real>(_x: T, ans: T) -> T {
    T::ONE + ans * ans
}

/// d/dx asin x = 1/√(1 − x²), computed as 1/√((1 − x)(1 + x)) to keep precision near ±1.
///
/// At x = ±1 it is `1/√0 = +inf`; outside [−1, 1] (where the primal is NaN) it is NaN.
#[inline]
pub fn asin<T: Real>(x: T, _ans: T) -> T {
    ((T::ONE - x) * (T::ONE + x)).sqrt().recip()
}

/// d/dx acos x = −1/√(1 − x²), computed as −1/√((1 − x)(1 + x)).
///
/// At x = ±1 it is `−1/√0 = −inf`; outside [−1, 1] (where the primal is NaN) it is NaN.
#[inline]
pub fn acos<T: Real>(x: T, _ans: T) -> T {
    -((T::ONE - x) * (T::ONE + x)).sqrt().recip()
}

/// d/dx atan x = 1/(1 + x²).
///
/// Defined everywhere; it underflows to `0` when x² overflows, which is the limit.
#[inline]
pub fn atan<T: Real>(x: T, _ans: T) -> T {
    (T::ONE + x * x).recip()
}

/// Partials of `y.atan2(x)` (receiver first, as in Rust): (∂/∂y, ∂/∂x) = (x/r², −y/r²) with
/// r = hypot(y, x).
///
/// Computed as (x/r)/r so that r² cannot overflow. At the origin (0, 0), where atan2 jumps,
/// the partials are `(0, 0)`.
#[inline]
pub fn atan2<T: Real>(y: T, x: T, _ans: T) -> (T, T) {
    let r = y.hypot(x);
    if r == T::ZERO {
        return (T::ZERO, T::ZERO);
    }
    (x / r / r, -y / r / r)
}

/// d/dx sinh x = cosh x.
#[inline]
pub fn sinh<T: Real>(x: T, _ans: T) -> T {
    x.cosh()
}

/// d/dx cosh x = sinh x.
#[inline]
pub fn cosh<T: Real>(x: T, _ans: T) -> T {
    x.sinh()
}

/// d/dx tanh x = 1 − tanh² x = 1 − ans².
///
/// For |x| large enough that `ans` rounds to ±1 the result is `0` (the true value is below
/// the rounding error of `ans`).
#[inline]
pub fn tanh<T: Real>(_x: T, ans: T) -> T {
    T::ONE - ans * ans
}

/// d/dx asinh x = 1/√(x² + 1), computed as 1/hypot(x, 1) so that x² cannot overflow.
#[inline]
pub fn asinh<T: Real>(x: T, _ans: T) -> T {
    x.hypot(T::ONE).recip()
}

/// d/dx acosh x = 1/√(x² − 1), computed as 1/√((x − 1)(x + 1)).
///
/// At x = 1 it is `1/√0 = +inf`; below 1 (where the primal is NaN) it is NaN.
#[inline]
pub fn acosh<T: Real>(x: T, _ans: T) -> T {
    ((x - T::ONE) * (x + T::ONE)).sqrt().recip()
}

/// d/dx atanh x = 1/(1 − x²), computed as 1/((1 − x)(1 + x)).
///
/// At x = ±1 it is `1/0 = +inf`. Outside [−1, 1] the primal is NaN and the rule returns
/// the (negative) value of the formula.
#[inline]
pub fn atanh<T: Real>(x: T, _ans: T) -> T {
    ((T::ONE - x) * (T::ONE + x)).recip()
}
