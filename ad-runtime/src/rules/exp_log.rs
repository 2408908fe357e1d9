//! Exponentials, logarithms, roots and powers.

use crate::Real;

/// d/dx eˣ = eˣ = ans.
#[inline]
pub fn exp<T: Real>(_x: T, ans: T) -> T {
    ans
}

/// d/dx 2ˣ = 2ˣ·ln 2 = ans·ln 2.
#[inline]
pub fn exp2<T: Real>(_x: T, ans: T) -> T {
    ans * T::LN_2
}

/// d/dx (eˣ − 1) = eˣ = ans + 1.
///
/// For very negative x, where `ans` rounds to −1, this is `0` instead of a tiny eˣ
/// (absolute error below ε).
#[inline]
pub fn exp_m1<T: Real>(_x: T, ans: T) -> T {
    ans + T::ONE
}

/// The derivative of ln|x|, with ±0 mapped to `+inf`: the shared core of ln, log, log2
/// and log10.
#[inline]
fn ln_derivative<T: Real>(x: T) -> T {
    if x == T::ZERO {
        T::INFINITY
    } else {
        x.recip()
    }
}

/// d/dx ln x = 1/x.
///
/// At x = ±0 it is `+inf` (the one-sided derivative; ln(−0.0) = ln(0.0) = −inf, so −0 is
/// treated as +0 rather than giving 1/−0 = −inf). For x < 0, where the primal is NaN, it
/// is 1/x, the derivative of ln|x|.
#[inline]
pub fn ln<T: Real>(x: T, _ans: T) -> T {
    ln_derivative(x)
}

/// d/dx ln(1 + x) = 1/(1 + x).
///
/// At x = −1 it is `+inf`; below −1, where the primal is NaN, it is the formula's value.
#[inline]
pub fn ln_1p<T: Real>(x: T, _ans: T) -> T {
    ln_derivative(T::ONE + x)
}

/// Partials of `x.log(base)` = ln x / ln base:
/// (∂/∂x, ∂/∂base) = (1/(x·ln base), −ans/(base·ln base)).
///
/// At x = ±0, ∂/∂x is `+inf/ln base` (±inf with the sign of ln base), as for [`ln`]; for
/// x < 0 it is the derivative of ln|x| / ln base. At base = 1 both partials are infinite
/// or NaN, like the primal.
#[inline]
pub fn log<T: Real>(x: T, base: T, ans: T) -> (T, T) {
    let ln_base = base.ln();
    (ln_derivative(x) / ln_base, -ans / (base * ln_base))
}

/// d/dx log₂ x = 1/(x·ln 2).
///
/// At x = ±0 it is `+inf`; for x < 0 (primal NaN) it is 1/(x·ln 2), as for [`ln`].
#[inline]
pub fn log2<T: Real>(x: T, _ans: T) -> T {
    ln_derivative(x) / T::LN_2
}

/// d/dx log₁₀ x = 1/(x·ln 10).
///
/// At x = ±0 it is `+inf`; for x < 0 (primal NaN) it is 1/(x·ln 10), as for [`ln`].
#[inline]
pub fn log10<T: Real>(x: T, _ans: T) -> T {
    ln_derivative(x) / T::LN_10
}

/// d/dx √x = 1/(2√x) = 0.5/ans.
///
/// At x = ±0 it is `+inf` (√−0 = −0 would otherwise give −inf). For x < 0, where the
/// primal is NaN, it is NaN.
#[inline]
pub fn sqrt<T: Real>(_x: T, ans: T) -> T {
    if ans == T::ZERO {
        T::INFINITY
    } else {
        T::HALF / ans
    }
}

/// d/dx ∛x = 1/(3·∛x²) = 1/(3·ans²).
///
/// At x = ±0 it is `+inf`. Defined (positive) for negative x too.
#[inline]
pub fn cbrt<T: Real>(_x: T, ans: T) -> T {
    (T::from_f64(3.0) * ans * ans).recip()
}

/// d/dx xⁿ = n·xⁿ⁻¹ for an integer exponent n (a constant: it gets no partial).
///
/// For n = 0 it is `0` everywhere, including x = 0 (not 0·0⁻¹ = 0·inf = NaN). For
/// n = 1 it is `1`, including x = 0. For n < 0 at x = 0 it is infinite, like the primal.
/// For n = `i32::MIN`, where n − 1 overflows, xⁿ⁻¹ is computed as ans/x.
#[inline]
pub fn powi<T: Real>(x: T, n: i32, ans: T) -> T {
    if n == 0 {
        return T::ZERO;
    }
    let x_pow_n_minus_1 = match n.checked_sub(1) {
        Some(m) => x.powi(m),
        None => ans / x,
    };
    T::from_f64(f64::from(n)) * x_pow_n_minus_1
}

/// Partials of `x.powf(y)` = xʸ: (∂/∂x, ∂/∂y) = (y·xʸ⁻¹, ans·ln x).
///
/// Conventions:
/// - y = 0: ∂/∂x = `0` (xʸ is constant in x; avoids 0·0⁻¹ = NaN at x = 0).
/// - x = 0, y > 0: ∂/∂y = `0`, the limit of xʸ·ln x (avoids 0·(−inf) = NaN).
///   ∂/∂x is then `+inf` for 0 < y < 1, `1` for y = 1 and `0` for y > 1.
/// - x = 0, y = 0: ∂/∂y = ans·ln 0 = `−inf` (x⁰ = 1 but 0ʸ = 0 for y > 0: no derivative).
/// - x = 0, y < 0: both partials are infinite, like the primal.
/// - x < 0: ∂/∂x is y·xʸ⁻¹ (finite where the primal is, at integer y), but ∂/∂y is NaN,
///   since xʸ is not real for non-integer y near an integer.
#[inline]
pub fn powf<T: Real>(x: T, y: T, ans: T) -> (T, T) {
    let dx = if y == T::ZERO {
        T::ZERO
    } else {
        y * x.powf(y - T::ONE)
    };
    let dy = if x == T::ZERO && y > T::ZERO {
        T::ZERO
    } else {
        ans * x.ln()
    };
    (dx, dy)
}
