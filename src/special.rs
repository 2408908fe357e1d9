//! Special functions with exact derivatives: [`erf`], [`erfc`], [`ln_gamma`],
//! [`digamma`] and [`trigamma`] (the derivative of `digamma`).
//!
//! Each is an ordinary `f64` function, and each has a derivative written as a generic
//! [`#[custom_adjoint]`](macro@crate::custom_adjoint), so a `#[differentiate]` function
//! calls it by path, `ad::erf(x)`, with or without the `forward` and `hessian`
//! options. The derivative is computed in the arithmetic of the number type
//! (`f64`, or [`Dual`](crate::Dual) for forward mode and second order), so second
//! derivatives are exact too:
//!
//! | function | derivative | second derivative |
//! |---|---|---|
//! | `erf(x)` | `2/√π · e^(−x²)` | `−2x · 2/√π · e^(−x²)` |
//! | `erfc(x)` | `−2/√π · e^(−x²)` | `2x · 2/√π · e^(−x²)` |
//! | `ln_gamma(x)` | `digamma(x)` | `trigamma(x)` |
//! | `digamma(x)` | `trigamma(x)` | `ψ₂(x)` |
//! | `trigamma(x)` | `ψ₂(x)` | `ψ₃(x)`, the series of `ψ₂` differentiated |
//!
//! ```
//! #[ad::differentiate(hessian)]
//! fn f(x: f64) -> f64 {
//!     ad::erf(x) + ad::ln_gamma(x * x)
//! }
//!
//! let (_, dx) = f_grad(1.5);
//! let want = 2.0 / std::f64::consts::PI.sqrt() * (-2.25_f64).exp() + 3.0 * ad::digamma(2.25);
//! assert!((dx - want).abs() < 1e-14);
//! ```
//!
//! # Accuracy
//!
//! Measured against mpmath 1.3.0 at 40 digits, on 4001 evenly spaced points of
//! `[−6, 6]` (`erf`, `erfc`, and 401 more on `[6, 26]` for `erfc`), 4000 points
//! spaced evenly in log x over `[10⁻³, 10³]` and 2000 evenly over `(−20, 0)` (the
//! others); `tests/special.rs` keeps reference values as literals, with the mpmath
//! calls that made them:
//!
//! - `erf` and `erfc` are the [`libm`] crate's (FreeBSD's msun, from Sun's fdlibm:
//!   rational approximations): at most 0.7 ulp of relative error for `erf`, and
//!   2.2 ulp (3·10⁻¹⁶) for `erfc`, which keeps it in its tail down to
//!   `erfc(26) ≈ 5.7·10⁻²⁹⁶`;
//! - `ln_gamma` is libm's `lgamma`: at most 2.1 ulp (3·10⁻¹⁶) for x > 0, an absolute
//!   error below 3·10⁻¹⁶ near its zeros at 1 and 2 included; for x < 0 the error is
//!   below 4.1·10⁻¹⁶ · max(|value|, 1);
//! - `digamma` and `trigamma` are ours, written generic over the number type: the
//!   recurrences `ψ(x) = ψ(x + 1) − 1/x` and `ψ₁(x) = ψ₁(x + 1) + 1/x²` up to
//!   x ≥ 10, then the asymptotic series to the x⁻¹⁶ term, and for x < 0 the
//!   reflection formulas. The error of `digamma` is below 9.3·10⁻¹⁶ · max(|ψ(x)|, 1)
//!   (relative where |ψ| ≥ 1, absolute near its zero at x ≈ 1.4616); that of
//!   `trigamma` below 5·10⁻¹⁶ relative (3.2 ulp); and that of its derivative ψ₂
//!   (from x ≥ 20 on, 2000 and 1000 points) below 4.1·10⁻¹⁶ relative for x > 0
//!   and 1.5·10⁻¹⁵ for x < 0.
//!
//! # Poles
//!
//! At 0 and the negative integers, Γ has poles: `ln_gamma` returns `+∞` there (as C's
//! `lgamma`), `digamma` returns NaN (its limits from either side are infinities of
//! opposite signs), and `trigamma` returns `+∞`. The gradient of `ln_gamma` at a pole
//! is therefore NaN.

use crate::Real;
use core::f64::consts::{FRAC_2_SQRT_PI, PI};

/// The error function, erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, with the derivative
/// 2/√π · e^(−x²); see [the module](self) for its accuracy.
///
/// ```
/// assert!((ad::erf(0.5) - 0.5204998778130465).abs() < 1e-16);
/// ```
pub fn erf(x: f64) -> f64 {
    libm::erf(x)
}

/// The derivative of [`erf`]: adds `seed · 2/√π · e^(−x²)` into `d_x`.
#[crate::custom_adjoint]
pub fn erf_adjoint<T: Real>(x: T, seed: T, d_x: &mut T) -> T {
    *d_x += seed * T::from_f64(FRAC_2_SQRT_PI) * (-(x * x)).exp();
    T::from_f64(erf(x.to_f64()))
}

/// The complementary error function, erfc(x) = 1 − erf(x), accurate where erf(x) is
/// near 1 (relative error at most 1 ulp up to x ≈ 26, where it underflows); its
/// derivative is −2/√π · e^(−x²).
///
/// ```
/// assert!((ad::erfc(5.0) - 1.5374597944280349e-12).abs() < 1e-27);
/// ```
pub fn erfc(x: f64) -> f64 {
    libm::erfc(x)
}

/// The derivative of [`erfc`]: adds `−seed · 2/√π · e^(−x²)` into `d_x`.
#[crate::custom_adjoint]
pub fn erfc_adjoint<T: Real>(x: T, seed: T, d_x: &mut T) -> T {
    *d_x -= seed * T::from_f64(FRAC_2_SQRT_PI) * (-(x * x)).exp();
    T::from_f64(erfc(x.to_f64()))
}

/// ln |Γ(x)|, the logarithm of the absolute value of the gamma function (C's
/// `lgamma`), with the derivative [`digamma`]; `+∞` at the poles, 0 and the negative
/// integers.
///
/// ```
/// assert_eq!(ad::ln_gamma(5.0), 24.0_f64.ln());
/// ```
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// [`ln_gamma`] by C's name, also in `#[differentiate]` functions (`ad::lgamma(x)`).
pub use ln_gamma as lgamma;

/// The derivative of [`ln_gamma`]: adds `seed · ψ(x)` into `d_x`.
#[crate::custom_adjoint]
pub fn ln_gamma_adjoint<T: Real>(x: T, seed: T, d_x: &mut T) -> T {
    *d_x += seed * digamma_of(x);
    T::from_f64(ln_gamma(x.to_f64()))
}

/// The digamma function ψ(x) = Γ′(x)/Γ(x), the derivative of [`ln_gamma`], with the
/// derivative [`trigamma`]; NaN at the poles, 0 and the negative integers.
///
/// ```
/// let euler_gamma = 0.5772156649015329;
/// assert!((ad::digamma(1.0) + euler_gamma).abs() < 1e-15);
/// ```
pub fn digamma(x: f64) -> f64 {
    digamma_of(x)
}

/// The derivative of [`digamma`]: adds `seed · ψ₁(x)` into `d_x`.
#[crate::custom_adjoint]
pub fn digamma_adjoint<T: Real>(x: T, seed: T, d_x: &mut T) -> T {
    *d_x += seed * trigamma_of(x);
    digamma_of(x)
}

/// The trigamma function ψ₁(x), the derivative of [`digamma`], with the derivative
/// ψ₂(x) (computed like it, from x ≥ 20); `+∞` at the poles, 0 and the negative
/// integers, where ψ₂ is NaN.
///
/// ```
/// let pi2_6 = std::f64::consts::PI.powi(2) / 6.0;
/// assert!((ad::trigamma(1.0) - pi2_6).abs() < 1e-15);
/// ```
pub fn trigamma(x: f64) -> f64 {
    trigamma_of(x)
}

/// The derivative of [`trigamma`]: adds `seed · ψ₂(x)` into `d_x`.
#[crate::custom_adjoint]
pub fn trigamma_adjoint<T: Real>(x: T, seed: T, d_x: &mut T) -> T {
    *d_x += seed * tetragamma_of(x);
    trigamma_of(x)
}

/// Below this, the recurrences shift x up before the asymptotic series, whose first
/// omitted terms (B₁₈/(18x¹⁸) and B₁₈/x¹⁹) are then 1.4·10⁻¹⁸ of ψ and 5·10⁻¹⁷ of ψ₁.
const SERIES_FROM: f64 = 10.0;

/// Whether x is a pole of Γ: 0 or a negative integer.
fn is_pole<T: Real>(x: T) -> bool {
    x <= T::ZERO && x == x.floor()
}

/// ψ₂'s series converges more slowly: from here its first omitted term,
/// 19·B₁₈/x²⁰, is 4·10⁻²¹ of the value.
const TETRAGAMMA_SERIES_FROM: f64 = 20.0;

/// `(x + n, Σₖ term(x + k))` for the least n with x + n ≥ `from`, k < n, summed
/// from the smallest term up.
fn shift_up<T: Real>(x: T, from: f64, term: impl Fn(T) -> T) -> (T, T) {
    let mut n = 0;
    while x + T::from_f64(f64::from(n)) < T::from_f64(from) {
        n += 1;
    }
    let mut sum = T::ZERO;
    for k in (0..n).rev() {
        sum += term(x + T::from_f64(f64::from(k)));
    }
    (x + T::from_f64(f64::from(n)), sum)
}

/// ψ(x) in `T` arithmetic, so that over dual numbers its tangent is ψ₁(x)·t.
fn digamma_of<T: Real>(x: T) -> T {
    if x.is_nan() || is_pole(x) {
        return T::NAN;
    }
    if x < T::ZERO {
        // Reflection: ψ(1 − x) − ψ(x) = π·cot(πx), of period 1 in x: reduced
        // exactly to [−½, ½] first, as π·x rounds away the distance to the pole.
        let pi = T::from_f64(PI);
        return digamma_of(T::ONE - x) - pi / (pi * (x - x.round())).tan();
    }
    let (x, shift) = shift_up(x, SERIES_FROM, |y| y.recip());
    // ψ(x) ~ ln x − 1/(2x) − Σ B₂ₖ/(2k·x²ᵏ), k = 1‥8.
    let c = |v: f64| T::from_f64(v);
    let r = x.recip();
    let r2 = r * r;
    let series = r2
        * (c(1.0 / 12.0)
            - r2 * (c(1.0 / 120.0)
                - r2 * (c(1.0 / 252.0)
                    - r2 * (c(1.0 / 240.0)
                        - r2 * (c(1.0 / 132.0)
                            - r2 * (c(691.0 / 32760.0)
                                - r2 * (c(1.0 / 12.0) - r2 * c(3617.0 / 8160.0))))))));
    x.ln() - T::HALF * r - series - shift
}

/// ψ₁(x) in `T` arithmetic.
fn trigamma_of<T: Real>(x: T) -> T {
    if x.is_nan() {
        return T::NAN;
    }
    if is_pole(x) {
        return T::INFINITY;
    }
    if x < T::ZERO {
        // Reflection: ψ₁(1 − x) + ψ₁(x) = π²/sin²(πx), reduced as in `digamma_of`.
        let pi = T::from_f64(PI);
        let s = (pi * (x - x.round())).sin();
        return pi * pi / (s * s) - trigamma_of(T::ONE - x);
    }
    let (x, shift) = shift_up(x, SERIES_FROM, |y| (y * y).recip());
    // ψ₁(x) ~ 1/x + 1/(2x²) + Σ B₂ₖ/x²ᵏ⁺¹, k = 1‥8.
    let c = |v: f64| T::from_f64(v);
    let r = x.recip();
    let r2 = r * r;
    let series = r
        * r2
        * (c(1.0 / 6.0)
            - r2 * (c(1.0 / 30.0)
                - r2 * (c(1.0 / 42.0)
                    - r2 * (c(1.0 / 30.0)
                        - r2 * (c(5.0 / 66.0)
                            - r2 * (c(691.0 / 2730.0)
                                - r2 * (c(7.0 / 6.0) - r2 * c(3617.0 / 510.0))))))));
    r + T::HALF * r2 + series + shift
}

/// ψ₂(x), the derivative of ψ₁, in `T` arithmetic.
fn tetragamma_of<T: Real>(x: T) -> T {
    if x.is_nan() || is_pole(x) {
        return T::NAN;
    }
    let pi = T::from_f64(PI);
    if x < T::ZERO {
        // The reflection of ψ₁ differentiated: ψ₂(1 − x) − ψ₂(x) = 2π³·cot(πx)/sin²(πx).
        let reduced = pi * (x - x.round());
        let s = reduced.sin();
        return tetragamma_of(T::ONE - x) - T::TWO * pi * pi * pi * reduced.cos() / (s * s * s);
    }
    let (x, shift) = shift_up(x, TETRAGAMMA_SERIES_FROM, |y| T::TWO / (y * y * y));
    // ψ₂(x) ~ −1/x² − 1/x³ − Σ (2k + 1)·B₂ₖ/x²ᵏ⁺², k = 1‥8.
    let c = |v: f64| T::from_f64(v);
    let r = x.recip();
    let r2 = r * r;
    let series = r2
        * r2
        * (c(1.0 / 2.0)
            - r2 * (c(1.0 / 6.0)
                - r2 * (c(1.0 / 6.0)
                    - r2 * (c(3.0 / 10.0)
                        - r2 * (c(5.0 / 6.0)
                            - r2 * (c(691.0 / 210.0)
                                - r2 * (c(35.0 / 2.0) - r2 * c(3617.0 / 30.0))))))));
    -r2 - r2 * r - series - shift
}
