//! [`Dual`]: a value and its tangent, so that the rules' own arithmetic carries a
//! derivative.
//!
//! Hessian-vector products need the derivative of each partial derivative the reverse
//! sweep computes (the tangent of `cos(x)` in the adjoint of `sin(x)`). Rather than a
//! second table of rules, the generated code evaluates the first-order rule of
//! [`rules`] over `Dual` numbers: every rule is generic over [`Real`],
//! and `Dual<T>` is a `Real` whose elementary functions take their derivatives from
//! that same table. One table serves the gradient, the tangent and the second order.
//!
//! Comparisons look at the value only, as the rules' branches (`x == 0`, `x < y`)
//! are about the point, not the direction.

use crate::real::Real;
use crate::rules;
use core::cmp::Ordering;
use core::fmt;
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// `re + eps·ε` with ε² = 0: a value and its directional derivative.
#[derive(Copy, Clone, Debug, Default)]
pub struct Dual<T> {
    /// The value.
    pub re: T,
    /// Its tangent: the derivative along the direction being propagated.
    pub eps: T,
}

impl<T: Real> Dual<T> {
    /// A value with tangent `eps`.
    #[inline]
    pub fn new(re: T, eps: T) -> Self {
        Dual { re, eps }
    }

    /// A value that does not vary (tangent zero).
    #[inline]
    pub fn constant(re: T) -> Self {
        Dual { re, eps: T::ZERO }
    }

    /// `f(self)` from its value `ans = f(re)` and `f'(re)`.
    #[inline]
    fn chain(self, ans: T, partial: T) -> Self {
        Dual {
            re: ans,
            eps: self.eps * partial,
        }
    }

    /// `f(self, other)` from its value and its two partials.
    #[inline]
    fn chain2(self, other: Self, ans: T, (p, q): (T, T)) -> Self {
        Dual {
            re: ans,
            eps: self.eps * p + other.eps * q,
        }
    }
}

impl<T: Real> PartialEq for Dual<T> {
    fn eq(&self, other: &Self) -> bool {
        self.re == other.re
    }
}

impl<T: Real> PartialOrd for Dual<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.re.partial_cmp(&other.re)
    }
}

impl<T: Real> fmt::Display for Dual<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} + {}ε", self.re, self.eps)
    }
}

impl<T: Real> fmt::LowerExp for Dual<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:e} + {:e}ε", self.re, self.eps)
    }
}

impl<T: Real> Add for Dual<T> {
    type Output = Self;
    #[inline]
    fn add(self, other: Self) -> Self {
        Dual::new(self.re + other.re, self.eps + other.eps)
    }
}

impl<T: Real> Sub for Dual<T> {
    type Output = Self;
    #[inline]
    fn sub(self, other: Self) -> Self {
        Dual::new(self.re - other.re, self.eps - other.eps)
    }
}

impl<T: Real> Mul for Dual<T> {
    type Output = Self;
    #[inline]
    fn mul(self, other: Self) -> Self {
        Dual::new(
            self.re * other.re,
            self.eps * other.re + self.re * other.eps,
        )
    }
}

impl<T: Real> Div for Dual<T> {
    type Output = Self;
    #[inline]
    fn div(self, other: Self) -> Self {
        let quotient = self.re / other.re;
        Dual::new(quotient, (self.eps - quotient * other.eps) / other.re)
    }
}

impl<T: Real> Neg for Dual<T> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Dual::new(-self.re, -self.eps)
    }
}

macro_rules! assign_ops {
    ($($trait:ident $method:ident $op:tt;)*) => {
        $(
            impl<T: Real> $trait for Dual<T> {
                #[inline]
                fn $method(&mut self, other: Self) {
                    *self = *self $op other;
                }
            }
        )*
    };
}

assign_ops! {
    AddAssign add_assign +;
    SubAssign sub_assign -;
    MulAssign mul_assign *;
    DivAssign div_assign /;
}

/// Unary elementary functions: the value from `T`'s method, the derivative from the
/// rule of the same name.
macro_rules! unary {
    ($($name:ident),* $(,)?) => {
        $(
            #[inline]
            fn $name(self) -> Self {
                let ans = self.re.$name();
                self.chain(ans, rules::$name(self.re, ans))
            }
        )*
    };
}

/// Binary elementary functions, likewise.
macro_rules! binary {
    ($($name:ident),* $(,)?) => {
        $(
            #[inline]
            fn $name(self, other: Self) -> Self {
                let ans = self.re.$name(other.re);
                self.chain2(other, ans, rules::$name(self.re, other.re, ans))
            }
        )*
    };
}

/// Piecewise-constant functions: tangent zero, as their rules say.
macro_rules! constant {
    ($($name:ident),* $(,)?) => {
        $(
            #[inline]
            fn $name(self) -> Self {
                Dual::constant(self.re.$name())
            }
        )*
    };
}

impl<T: Real> Real for Dual<T> {
    const ZERO: Self = Dual {
        re: T::ZERO,
        eps: T::ZERO,
    };
    const ONE: Self = Dual {
        re: T::ONE,
        eps: T::ZERO,
    };
    const TWO: Self = Dual {
        re: T::TWO,
        eps: T::ZERO,
    };
    const HALF: Self = Dual {
        re: T::HALF,
        eps: T::ZERO,
    };
    const LN_2: Self = Dual {
        re: T::LN_2,
        eps: T::ZERO,
    };
    const LN_10: Self = Dual {
        re: T::LN_10,
        eps: T::ZERO,
    };
    const EPSILON: Self = Dual {
        re: T::EPSILON,
        eps: T::ZERO,
    };
    const INFINITY: Self = Dual {
        re: T::INFINITY,
        eps: T::ZERO,
    };
    const NAN: Self = Dual {
        re: T::NAN,
        eps: T::ZERO,
    };

    unary!(
        sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh, exp, exp2, exp_m1,
        ln, ln_1p, log2, log10, sqrt, cbrt, abs, recip,
    );
    binary!(atan2, log, powf, hypot, min, max);
    constant!(signum, floor, ceil, round, trunc);

    #[inline]
    fn powi(self, n: i32) -> Self {
        let ans = self.re.powi(n);
        self.chain(ans, rules::powi(self.re, n, ans))
    }

    #[inline]
    fn mul_add(self, a: Self, b: Self) -> Self {
        self * a + b
    }

    #[inline]
    fn clamp(self, min: Self, max: Self) -> Self {
        let ans = self.re.clamp(min.re, max.re);
        let (p, q, r) = rules::clamp(self.re, min.re, max.re, ans);
        Dual::new(ans, self.eps * p + min.eps * q + max.eps * r)
    }

    #[inline]
    fn is_nan(self) -> bool {
        self.re.is_nan()
    }

    #[inline]
    fn is_finite(self) -> bool {
        self.re.is_finite()
    }

    #[inline]
    fn from_f64(v: f64) -> Self {
        Dual::constant(T::from_f64(v))
    }

    #[inline]
    fn to_f64(self) -> f64 {
        self.re.to_f64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeded(x: f64) -> Dual<f64> {
        Dual::new(x, 1.0)
    }

    /// Each function's tangent against its closed-form derivative.
    #[test]
    fn tangents_of_elementary_functions() {
        let x = 0.37_f64;
        let cases: [(Dual<f64>, f64); 8] = [
            (seeded(x).sin(), x.cos()),
            (seeded(x).exp(), x.exp()),
            (seeded(x).ln(), 1.0 / x),
            (seeded(x).sqrt(), 0.5 / x.sqrt()),
            (seeded(x).powi(3), 3.0 * x * x),
            (seeded(x).tanh(), 1.0 - x.tanh().powi(2)),
            (seeded(x).atan2(Dual::constant(2.0)), 2.0 / (x * x + 4.0)),
            (seeded(x).powf(Dual::constant(2.5)), 2.5 * x.powf(1.5)),
        ];
        for (k, (dual, expected)) in cases.into_iter().enumerate() {
            assert!(
                (dual.eps - expected).abs() <= 1e-15 * expected.abs(),
                "case {k}: {} vs {expected}",
                dual.eps
            );
        }
    }

    /// A rule evaluated over duals gives the second derivative: d/dx cos x = −sin x.
    #[test]
    fn rules_over_duals_give_second_derivatives() {
        let x = 0.8_f64;
        let sin = seeded(x).sin();
        assert_eq!(rules::sin(seeded(x), sin).eps, -x.sin());
        let exp = seeded(x).exp();
        assert_eq!(rules::exp(seeded(x), exp).eps, x.exp());
        // d/dx (1/(2·sqrt x)) = −1/(4·x^1.5)
        let sqrt = seeded(x).sqrt();
        let second = rules::sqrt(seeded(x), sqrt).eps;
        assert!((second + 0.25 / x.powf(1.5)).abs() < 1e-15);
        // d/dy of ∂(x^y)/∂x = d/dy (y·x^(y−1)) = x^(y−1)·(1 + y·ln x)
        let (xv, yv) = (1.7_f64, 2.3_f64);
        let y = seeded(yv);
        let ans = Dual::constant(xv).powf(y);
        let (dx, _) = rules::powf(Dual::constant(xv), y, ans);
        let expected = xv.powf(yv - 1.0) * (1.0 + yv * xv.ln());
        assert!((dx.eps - expected).abs() < 1e-14 * expected.abs());
    }

    #[test]
    #[allow(clippy::neg_multiply)] // the product and quotient rules' terms, b.eps = −1 as written
    fn arithmetic_and_comparisons() {
        let (a, b) = (Dual::new(3.0, 1.0), Dual::new(2.0, -1.0));
        assert_eq!((a * b).eps, 1.0 * 2.0 + 3.0 * -1.0);
        assert_eq!((a / b).eps, (1.0 - 1.5 * -1.0) / 2.0);
        assert!(a > b && a == Dual::new(3.0, 7.0));
        assert_eq!(a.max(b).eps, 1.0);
        assert_eq!(a.floor().eps, 0.0);
        assert_eq!(a.mul_add(b, a).eps, (a * b + a).eps);
    }
}
