//! The [`Real`] trait: the floating-point types the rules and the checker are generic over.
//!
//! It is implemented for [`f32`] and [`f64`] only. Its methods have the names and argument
//! order of the inherent float methods and delegate to them, so `x.sin()` in generic code
//! means exactly what it means on a concrete float.

use core::fmt::{Debug, Display, LowerExp};
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// A floating-point scalar: [`f32`] or [`f64`].
///
/// Every method delegates to the inherent method of the same name; see the `f64` docs for
/// the exact semantics (including NaN handling and panics, e.g. [`f64::clamp`] panics when
/// `min > max`).
pub trait Real:
    Copy
    + PartialOrd
    + PartialEq
    + Debug
    + Display
    + LowerExp
    + Default
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Send
    + Sync
    + 'static
{
    /// `0.0`
    const ZERO: Self;
    /// `1.0`
    const ONE: Self;
    /// `2.0`
    const TWO: Self;
    /// `0.5`
    const HALF: Self;
    /// ln(2)
    const LN_2: Self;
    /// ln(10)
    const LN_10: Self;
    /// Machine epsilon: the gap between `1.0` and the next representable number.
    const EPSILON: Self;
    /// Positive infinity.
    const INFINITY: Self;
    /// Not a number.
    const NAN: Self;

    /// Sine (radians).
    fn sin(self) -> Self;
    /// Cosine (radians).
    fn cos(self) -> Self;
    /// Tangent (radians).
    fn tan(self) -> Self;
    /// Arcsine, in [-π/2, π/2]; NaN outside [-1, 1].
    fn asin(self) -> Self;
    /// Arccosine, in [0, π]; NaN outside [-1, 1].
    fn acos(self) -> Self;
    /// Arctangent, in [-π/2, π/2].
    fn atan(self) -> Self;
    /// Four-quadrant arctangent of `self` (y) and `other` (x).
    fn atan2(self, other: Self) -> Self;
    /// Hyperbolic sine.
    fn sinh(self) -> Self;
    /// Hyperbolic cosine.
    fn cosh(self) -> Self;
    /// Hyperbolic tangent.
    fn tanh(self) -> Self;
    /// Inverse hyperbolic sine.
    fn asinh(self) -> Self;
    /// Inverse hyperbolic cosine; NaN below 1.
    fn acosh(self) -> Self;
    /// Inverse hyperbolic tangent; NaN outside [-1, 1].
    fn atanh(self) -> Self;
    /// e^self.
    fn exp(self) -> Self;
    /// 2^self.
    fn exp2(self) -> Self;
    /// e^self − 1, accurate near zero.
    fn exp_m1(self) -> Self;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// ln(1 + self), accurate near zero.
    fn ln_1p(self) -> Self;
    /// Logarithm of `self` in base `base`.
    fn log(self, base: Self) -> Self;
    /// Base-2 logarithm.
    fn log2(self) -> Self;
    /// Base-10 logarithm.
    fn log10(self) -> Self;
    /// Square root; NaN for negative numbers, `-0.0` for `-0.0`.
    fn sqrt(self) -> Self;
    /// Cube root.
    fn cbrt(self) -> Self;
    /// `self` raised to an integer power.
    fn powi(self, n: i32) -> Self;
    /// `self` raised to a floating-point power.
    fn powf(self, n: Self) -> Self;
    /// Absolute value.
    fn abs(self) -> Self;
    /// `1.0` for positive numbers and `+0.0`, `-1.0` for negative numbers and `-0.0`, NaN for NaN.
    fn signum(self) -> Self;
    /// sqrt(self² + other²) without undue overflow or underflow.
    fn hypot(self, other: Self) -> Self;
    /// The smaller of two numbers; if one is NaN, the other.
    fn min(self, other: Self) -> Self;
    /// The larger of two numbers; if one is NaN, the other.
    fn max(self, other: Self) -> Self;
    /// `self * a + b` with one rounding.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// `1 / self`.
    fn recip(self) -> Self;
    /// `self` restricted to `[min, max]`; panics if `min > max` or either bound is NaN.
    fn clamp(self, min: Self, max: Self) -> Self;
    /// Largest integer less than or equal to `self`.
    fn floor(self) -> Self;
    /// Smallest integer greater than or equal to `self`.
    fn ceil(self) -> Self;
    /// Nearest integer, half-way cases away from zero.
    fn round(self) -> Self;
    /// Integer part (rounds towards zero).
    fn trunc(self) -> Self;
    /// `true` if `self` is NaN.
    fn is_nan(self) -> bool;
    /// `true` if `self` is neither infinite nor NaN.
    fn is_finite(self) -> bool;

    /// Converts from `f64`, rounding to nearest for `f32`.
    fn from_f64(v: f64) -> Self;
    /// Converts to `f64` (exact for both `f32` and `f64`).
    fn to_f64(self) -> f64;
}

/// Methods that take only `self`, forwarded to the inherent method of the same name.
macro_rules! forward_unary {
    ($t:ident: $($name:ident),* $(,)?) => {
        $(
            #[inline]
            fn $name(self) -> Self {
                $t::$name(self)
            }
        )*
    };
}

/// Methods that take `self` and one more float, forwarded to the inherent method.
macro_rules! forward_binary {
    ($t:ident: $($name:ident),* $(,)?) => {
        $(
            #[inline]
            fn $name(self, other: Self) -> Self {
                $t::$name(self, other)
            }
        )*
    };
}

macro_rules! impl_real {
    ($t:ident, from_f64: |$v:ident| $from:expr) => {
        impl Real for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const TWO: Self = 2.0;
            const HALF: Self = 0.5;
            const LN_2: Self = core::$t::consts::LN_2;
            const LN_10: Self = core::$t::consts::LN_10;
            const EPSILON: Self = $t::EPSILON;
            const INFINITY: Self = $t::INFINITY;
            const NAN: Self = $t::NAN;

            forward_unary!($t: sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh,
                atanh, exp, exp2, exp_m1, ln, ln_1p, log2, log10, sqrt, cbrt, abs, signum,
                recip, floor, ceil, round, trunc);
            forward_binary!($t: atan2, log, powf, hypot, min, max);

            #[inline]
            fn powi(self, n: i32) -> Self {
                $t::powi(self, n)
            }
            #[inline]
            fn mul_add(self, a: Self, b: Self) -> Self {
                $t::mul_add(self, a, b)
            }
            #[inline]
            fn clamp(self, min: Self, max: Self) -> Self {
                $t::clamp(self, min, max)
            }
            #[inline]
            fn is_nan(self) -> bool {
                $t::is_nan(self)
            }
            #[inline]
            fn is_finite(self) -> bool {
                $t::is_finite(self)
            }
            #[inline]
            fn from_f64($v: f64) -> Self {
                $from
            }
            #[inline]
            fn to_f64(self) -> f64 {
                f64::from(self)
            }
        }
    };
}

impl_real!(f32, from_f64: |v| v as f32);
impl_real!(f64, from_f64: |v| v);

#[cfg(test)]
mod tests {
    use super::Real;

    fn generic_sum<T: Real>(xs: &[T]) -> T {
        xs.iter().fold(T::ZERO, |acc, &x| acc + x)
    }

    #[test]
    fn constants_match_std() {
        assert_eq!(<f64 as Real>::LN_2, core::f64::consts::LN_2);
        assert_eq!(<f32 as Real>::LN_10, core::f32::consts::LN_10);
        assert_eq!(<f32 as Real>::EPSILON, f32::EPSILON);
        assert_eq!(<f64 as Real>::HALF * <f64 as Real>::TWO, <f64 as Real>::ONE);
        assert!(<f64 as Real>::NAN.is_nan());
        assert!(!<f32 as Real>::INFINITY.is_finite());
    }

    #[test]
    fn methods_delegate_to_inherent_ones() {
        let x = 0.7_f64;
        assert_eq!(Real::sin(x), x.sin());
        assert_eq!(Real::atan2(x, -2.0), x.atan2(-2.0));
        assert_eq!(Real::log(x, 3.0), x.log(3.0));
        assert_eq!(Real::mul_add(x, 2.0, 3.0), x.mul_add(2.0, 3.0));
        assert_eq!(Real::powi(x, -3), x.powi(-3));
        assert_eq!(Real::clamp(x, 0.0, 0.5), 0.5);
        assert_eq!(generic_sum(&[1.0_f32, 2.0, 3.5]), 6.5);
    }

    #[test]
    fn conversions() {
        assert_eq!(f32::from_f64(0.1), 0.1_f32);
        assert_eq!(0.1_f32.to_f64(), f64::from(0.1_f32));
        assert_eq!(f64::from_f64(0.1), 0.1);
        assert_eq!(1.5_f64.to_f64(), 1.5);
    }
}
