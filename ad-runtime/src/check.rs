//! A gradient checker: compares a gradient with central finite differences.
//!
//! [`check_gradient`] takes a function `f: Fn(&[T]) -> T`, a point `x` and the gradient
//! claimed for `f` at `x` (usually from the `f_grad` that `#[differentiate]` generates) and
//! runs two tests:
//!
//! 1. **Each coordinate.** For every i, the central difference
//!    `(f(x + hᵢeᵢ) − f(x − hᵢeᵢ)) / 2hᵢ` with the step `hᵢ = step·max(1, |xᵢ|)` is
//!    compared with `grad[i]`.
//! 2. **A random direction.** A pseudo-random `u` with components in [−1, 1] (from a
//!    fixed seed, so runs are reproducible) is drawn and scaled like the steps,
//!    `dᵢ = uᵢ·max(1, |xᵢ|)`; the central difference `(f(x + step·d) − f(x − step·d)) / 2step`
//!    is compared with the inner product `grad·d`: the vector–Jacobian product test of
//!    JAX's `check_vjp`.
//!
//! Both comparisons accept a gradient value `ad` against a finite difference `fd` when
//!
//! ```text
//! |ad − fd| ≤ abs + rel·max(|ad|, |fd|) + 4·ε·F/h + |fd(2h) − fd(h)|
//! ```
//!
//! where `abs`, `rel` and `step` come from the [`Tolerance`], `fd = fd(h)`, ε is the
//! machine epsilon of `T`, and `F` is the largest of |f| at x and at the two shifted
//! points; `h` is `hᵢ`, or `step` in the direction test.
//!
//! - `4·ε·F/h` is the round-off allowance: each evaluation of `f` may be off by a few
//!   ε·|f|, and the difference quotient divides that by the step.
//! - `|fd(2h) − fd(h)|` is the truncation allowance: the error of a central difference is
//!   c·h² + O(h⁴), so a second quotient with twice the step differs from the first by about
//!   three times its error. It keeps a large third derivative (say the Rosenbrock function
//!   at its minimum, where the gradient is 0) from failing a correct gradient, and it does
//!   not depend on the gradient under test, so wrong gradients are still caught. It is left
//!   out if the 2h quotient is not finite (the wider step left the domain of `f`).
//! - In the direction test, `max(|ad|, |fd|)` also includes `Σ|grad[i]·d[i]|`, since each
//!   partial may carry its own relative error.
//!
//! The first failure is returned as a [`GradientMismatch`] that names the coordinate.
//!
//! # Example
//!
//! ```
//! let f = |p: &[f64]| p[0] * p[1].sin();
//! let grad = [2.0_f64.sin(), 1.5 * 2.0_f64.cos()];
//! ad_runtime::check_gradient(f, &[1.5, 2.0], &grad).unwrap();
//!
//! // A wrong sign is caught, and the error says where.
//! let wrong = [2.0_f64.sin(), -1.5 * 2.0_f64.cos()];
//! let err = ad_runtime::check_gradient(f, &[1.5, 2.0], &wrong).unwrap_err();
//! assert!(err.to_string().starts_with("gradient mismatch at coordinate 1:"));
//! ```

use core::fmt;

use crate::Real;

/// Tolerances and step of [`check_gradient_with`].
///
/// The [`Default`] is derived from the machine epsilon ε of `T`, so the same checker
/// works for `f32` and `f64`:
///
/// | field | default | `f64` | `f32` |
/// |---|---|---|---|
/// | `step` | ε^(1/3) | ≈ 6.1e-6 | ≈ 4.9e-3 |
/// | `rel` | max(1e-6, 100·ε^(2/3)) | 1e-6 | ≈ 2.4e-3 |
/// | `abs` | max(1e-8, 10·ε^(2/3)) | 1e-8 | ≈ 2.4e-4 |
///
/// ε^(1/3) balances the truncation error of central differences (∝ h²) against round-off
/// (∝ ε/h), which leaves an error of order ε^(2/3) in the difference quotient; `rel` and
/// `abs` allow a hundred and ten times that, on top of the round-off and truncation
/// allowances described in the [module docs](self). For `f64` they are floored at the
/// customary 1e-6 and 1e-8.
///
/// With these values a wrong sign or a factor of 2 in a partial is rejected whenever that
/// partial stands out of the noise allowances: its error is at least |fd|/2, while `rel`
/// lets through at most 2·`rel`·|fd| < 0.005·|fd|. The correct gradients of well-scaled
/// functions (steps that do not cross a kink, |f| not many orders of magnitude above
/// |∇f|·h) are accepted in both precisions.
///
/// Override single fields with struct update syntax:
///
/// ```
/// use ad_runtime::Tolerance;
/// let tight = Tolerance { rel: 1e-9, ..Tolerance::<f64>::default() };
/// assert_eq!(tight.abs, 1e-8);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerance<T> {
    /// Relative tolerance, applied to the larger of the two values compared.
    pub rel: T,
    /// Absolute tolerance, for partials that are zero or nearly so.
    pub abs: T,
    /// Relative step h: coordinate i moves by `step·max(1, |x[i]|)`.
    pub step: T,
}

impl<T: Real> Default for Tolerance<T> {
    fn default() -> Self {
        let step = T::EPSILON.cbrt();
        let eps_2_3 = step * step;
        let floor_max = |a: T, b: f64| {
            let b = T::from_f64(b);
            if a > b {
                a
            } else {
                b
            }
        };
        Tolerance {
            rel: floor_max(T::from_f64(100.0) * eps_2_3, 1e-6),
            abs: floor_max(T::from_f64(10.0) * eps_2_3, 1e-8),
            step,
        }
    }
}

/// Why [`check_gradient`] rejected a gradient.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GradientMismatch<T> {
    /// The partial derivative of one coordinate disagrees with central differences.
    Coordinate {
        /// Index of the coordinate in `x` (0-based).
        index: usize,
        /// The claimed partial derivative, `grad[index]`.
        ad: T,
        /// The central difference along coordinate `index`.
        fd: T,
        /// The largest difference `|ad − fd|` that would have been accepted.
        allowed: T,
    },
    /// The inner product of the gradient with a pseudo-random direction disagrees with the
    /// central difference of `f` along that direction.
    Direction {
        /// `grad·d`.
        ad: T,
        /// The central difference of `f` along `u`.
        fd: T,
        /// The largest difference `|ad − fd|` that would have been accepted.
        allowed: T,
    },
    /// `grad` and `x` have different lengths.
    Length {
        /// `x.len()`.
        x: usize,
        /// `grad.len()`.
        grad: usize,
    },
}

impl<T: Real> fmt::Display for GradientMismatch<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            GradientMismatch::Coordinate {
                index,
                ad,
                fd,
                allowed,
            } => write!(
                f,
                "gradient mismatch at coordinate {index}: f_grad gives {}, central differences \
                 give {} (allowed error {allowed:.2e})",
                Num(ad),
                Num(fd),
            ),
            GradientMismatch::Direction { ad, fd, allowed } => write!(
                f,
                "gradient mismatch along a random direction d: f_grad gives grad·d = {}, \
                 central differences give {} (allowed error {allowed:.2e}); each coordinate \
                 passed on its own, so small errors in many partials may add up, or f may have \
                 a kink near x",
                Num(ad),
                Num(fd),
            ),
            GradientMismatch::Length { x, grad } => write!(
                f,
                "gradient has {grad} entries but x has {x}: pass one partial derivative per \
                 coordinate of x"
            ),
        }
    }
}

impl<T: Real> std::error::Error for GradientMismatch<T> {}

/// Shows a number in plain notation when that is short, in scientific notation otherwise.
pub(crate) struct Num<T>(pub(crate) T);

impl<T: Real> fmt::Display for Num<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        let a = v.abs();
        let plain =
            v == T::ZERO || !v.is_finite() || (a >= T::from_f64(1e-4) && a < T::from_f64(1e6));
        if plain {
            write!(f, "{v}")
        } else {
            write!(f, "{v:e}")
        }
    }
}

/// Checks `grad` against central differences of `f` at `x` with the default
/// [`Tolerance`].
///
/// See the [module documentation](self) for the tests and the acceptance rule.
///
/// # Errors
///
/// Returns the first coordinate, or the random direction, where `grad` and the finite
/// differences disagree, or [`GradientMismatch::Length`] if `grad.len() != x.len()`.
pub fn check_gradient<T: Real, F: Fn(&[T]) -> T>(
    f: F,
    x: &[T],
    grad: &[T],
) -> Result<(), GradientMismatch<T>> {
    check_gradient_with(f, x, grad, &Tolerance::default())
}

/// Checks `grad` against central differences of `f` at `x` with the given tolerances.
///
/// See the [module documentation](self) for the tests and the acceptance rule.
///
/// # Errors
///
/// Returns the first coordinate, or the random direction, where `grad` and the finite
/// differences disagree, or [`GradientMismatch::Length`] if `grad.len() != x.len()`.
pub fn check_gradient_with<T: Real, F: Fn(&[T]) -> T>(
    f: F,
    x: &[T],
    grad: &[T],
    tol: &Tolerance<T>,
) -> Result<(), GradientMismatch<T>> {
    if x.len() != grad.len() {
        return Err(GradientMismatch::Length {
            x: x.len(),
            grad: grad.len(),
        });
    }
    let f_x = f(x);
    let mut point = x.to_vec();
    for (index, (&xi, &ad)) in x.iter().zip(grad).enumerate() {
        let h = tol.step * T::ONE.max(xi.abs());
        let estimate = central_difference(f_x, h, |s| {
            let (plus, minus) = (xi + s, xi - s);
            point[index] = plus;
            let f_plus = f(&point);
            point[index] = minus;
            let f_minus = f(&point);
            point[index] = xi;
            // The step actually taken, after rounding x ± s.
            (f_plus, f_minus, plus - minus)
        });
        let allowed = estimate.allowed(tol, ad, T::ZERO);
        if !accepts(ad, estimate.fd, allowed) {
            return Err(GradientMismatch::Coordinate {
                index,
                ad,
                fd: estimate.fd,
                allowed,
            });
        }
    }
    check_direction(&f, x, grad, tol, f_x)
}

/// The directional test: the central difference along a seeded random `d` against `grad·d`.
fn check_direction<T: Real, F: Fn(&[T]) -> T>(
    f: &F,
    x: &[T],
    grad: &[T],
    tol: &Tolerance<T>,
    f_x: T,
) -> Result<(), GradientMismatch<T>> {
    if x.is_empty() {
        return Ok(());
    }
    // Scale u like the coordinate steps, so that small coordinates are not swamped by
    // the step of large ones.
    let d: Vec<T> = direction::<T>(x.len())
        .into_iter()
        .zip(x)
        .map(|(ui, &xi)| ui * T::ONE.max(xi.abs()))
        .collect();
    let (mut ad, mut spread) = (T::ZERO, T::ZERO);
    for (&g, &di) in grad.iter().zip(&d) {
        ad += g * di;
        spread += (g * di).abs();
    }
    let estimate = central_difference(f_x, tol.step, |s| {
        let plus: Vec<T> = x.iter().zip(&d).map(|(&xi, &di)| xi + s * di).collect();
        let minus: Vec<T> = x.iter().zip(&d).map(|(&xi, &di)| xi - s * di).collect();
        (f(&plus), f(&minus), s + s)
    });
    let allowed = estimate.allowed(tol, ad, spread);
    if accepts(ad, estimate.fd, allowed) {
        Ok(())
    } else {
        Err(GradientMismatch::Direction {
            ad,
            fd: estimate.fd,
            allowed,
        })
    }
}

/// A central difference quotient, and how far it may be off through no fault of the
/// derivative under test.
pub(crate) struct Estimate<T> {
    /// The quotient with step h.
    pub(crate) fd: T,
    /// Round-off allowance plus truncation allowance.
    noise: T,
}

impl<T: Real> Estimate<T> {
    /// The estimate from f at x, at x ± h·d and at x ± 2h·d, each pair with the width
    /// actually stepped (≈ 2h and 4h).
    pub(crate) fn new(
        f_x: T,
        (f_plus, f_minus, width): (T, T, T),
        (f_plus_2, f_minus_2, width_2): (T, T, T),
    ) -> Self {
        let fd = (f_plus - f_minus) / width;
        let f_max = f_x.abs().max(f_plus.abs()).max(f_minus.abs());
        // 4·ε·F/h, with width ≈ 2h: each evaluation of f may be off by a few ε·|f|.
        let round_off = T::from_f64(8.0) * T::EPSILON * f_max / width;
        // The error of a central difference is c·h² + O(h⁴), so fd(2h) − fd(h) ≈ 3c·h²:
        // three times the truncation error of fd(h). A 2h step that leaves the domain of
        // f (NaN or infinite quotient) gives no estimate rather than an infinite allowance.
        let fd_2 = (f_plus_2 - f_minus_2) / width_2;
        let truncation = if fd_2.is_finite() {
            (fd_2 - fd).abs()
        } else {
            T::ZERO
        };
        Estimate {
            fd,
            noise: round_off + truncation,
        }
    }

    /// `abs + rel·max(|ad|, |fd|, spread) + noise`: see the module docs.
    pub(crate) fn allowed(&self, tol: &Tolerance<T>, ad: T, spread: T) -> T {
        let size = ad.abs().max(self.fd.abs()).max(spread);
        tol.abs + tol.rel * size + self.noise
    }
}

/// Central differences of s ↦ f(x + s·d) at s = 0 with step `h`.
///
/// `eval(s)` returns f(x + s·d), f(x − s·d) and the width actually stepped (≈ 2s). The
/// quotient is taken with step h; a second one with step 2h estimates its truncation error.
fn central_difference<T: Real>(f_x: T, h: T, mut eval: impl FnMut(T) -> (T, T, T)) -> Estimate<T> {
    let near = eval(h);
    Estimate::new(f_x, near, eval(h + h))
}

/// `true` if `ad` and `fd` agree within `allowed`. Equal values (also equal infinities)
/// agree; a NaN never does.
pub(crate) fn accepts<T: Real>(ad: T, fd: T, allowed: T) -> bool {
    ad == fd || (ad - fd).abs() <= allowed
}

/// The seed of the direction test, fixed so that a failure can be reproduced.
const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// A pseudo-random direction with components in [−1, 1], from xorshift64* with [`SEED`].
fn direction<T: Real>(n: usize) -> Vec<T> {
    let mut state = SEED;
    (0..n)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let bits = state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
            // 53 random bits → [0, 1) → [−1, 1).
            let unit = (bits as f64) * (1.0 / (1u64 << 53) as f64);
            T::from_f64(2.0 * unit - 1.0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_tolerances() {
        let t64 = Tolerance::<f64>::default();
        assert_eq!(t64.rel, 1e-6);
        assert_eq!(t64.abs, 1e-8);
        assert!((t64.step - 6.06e-6).abs() < 1e-8);
        let t32 = Tolerance::<f32>::default();
        assert!(t32.rel > 1e-3 && t32.rel < 5e-3, "{}", t32.rel);
        assert!(t32.abs > 1e-4 && t32.abs < 5e-4, "{}", t32.abs);
        assert!(t32.step > 4e-3 && t32.step < 6e-3, "{}", t32.step);
    }

    #[test]
    fn direction_is_deterministic_and_in_range() {
        let a = direction::<f64>(100);
        assert_eq!(a, direction::<f64>(100));
        assert!(a.iter().all(|v| (-1.0..=1.0).contains(v)));
        assert!(a.iter().any(|&v| v < -0.5) && a.iter().any(|&v| v > 0.5));
        let distinct = a.windows(2).filter(|w| w[0] != w[1]).count();
        assert_eq!(distinct, 99);
    }

    #[test]
    fn direction_test_rejects_a_wrong_partial_on_its_own() {
        // Called directly: check_gradient runs it only after every coordinate passed.
        let f = |p: &[f64]| p[0] + p[1];
        let x = [0.3, -0.2];
        let tol = Tolerance {
            rel: 1e-9,
            ..Tolerance::default()
        };
        assert!(check_direction(&f, &x, &[1.0, 1.0], &tol, f(&x)).is_ok());
        let err = check_direction(&f, &x, &[1.0, 1.5], &tol, f(&x)).unwrap_err();
        assert!(matches!(err, GradientMismatch::Direction { .. }), "{err:?}");
    }

    #[test]
    fn nan_is_never_accepted() {
        assert!(!accepts(f64::NAN, 1.0, 1e9));
        assert!(!accepts(1.0, f64::NAN, 1e9));
        assert!(accepts(f64::INFINITY, f64::INFINITY, 0.0));
    }

    #[test]
    fn numbers_print_short() {
        assert_eq!(Num(0.5_f64).to_string(), "0.5");
        assert_eq!(Num(-0.5_f32).to_string(), "-0.5");
        assert_eq!(Num(0.0_f64).to_string(), "0");
        assert_eq!(Num(1e-8_f64).to_string(), "1e-8");
        assert_eq!(Num(2.5e7_f64).to_string(), "2.5e7");
        assert_eq!(Num(f64::NAN).to_string(), "NaN");
        assert_eq!(Num(0.1_f32).to_string(), "0.1");
    }
}
