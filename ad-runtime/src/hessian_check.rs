//! A Hessian checker: compares a Hessian with central differences of the gradient.
//!
//! [`check_hessian`] takes a gradient `grad: Fn(&[T]) -> Vec<T>` (usually
//! `|x| f_grad(x).1` from `#[differentiate]`, itself checked with
//! [`check_gradient`](crate::check_gradient)), a point `x` and the Hessian claimed
//! at `x` (from `f_hessian`), and runs two tests:
//!
//! 1. **Symmetry.** `hessian[i][j]` and `hessian[j][i]` agree within the tolerance:
//!    second derivatives of a twice continuously differentiable function commute.
//! 2. **Each column.** Column j is compared, entry by entry, with the central
//!    difference of the gradient along coordinate j, `(∇f(x + hⱼeⱼ) − ∇f(x − hⱼeⱼ)) /
//!    2hⱼ`, with the same step, tolerances and round-off and truncation allowances as
//!    [`check_gradient`](crate::check_gradient) (see [`crate::check`]).
//!
//! # Example
//!
//! ```
//! // f(x, y) = x²·y: ∇f = (2xy, x²), H = [[2y, 2x], [2x, 0]].
//! let grad = |p: &[f64]| vec![2.0 * p[0] * p[1], p[0] * p[0]];
//! let (x, y) = (1.5, -0.5);
//! ad_runtime::check_hessian(grad, &[x, y], &[vec![2.0 * y, 2.0 * x], vec![2.0 * x, 0.0]])
//!     .unwrap();
//!
//! let wrong = [vec![2.0 * y, 2.0 * x], vec![2.0 * x, 1.0]];
//! let err = ad_runtime::check_hessian(grad, &[x, y], &wrong).unwrap_err();
//! assert!(err.to_string().starts_with("hessian mismatch at (1, 1):"));
//! ```

use core::fmt;

use crate::check::{accepts, Estimate, Num, Tolerance};
use crate::Real;

/// Why [`check_hessian`] rejected a Hessian.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum HessianMismatch<T> {
    /// Entry (`row`, `column`) disagrees with the central difference of the gradient's
    /// component `row` along coordinate `column`.
    Entry {
        /// The row: which component of the gradient.
        row: usize,
        /// The column: which coordinate was stepped.
        column: usize,
        /// The claimed second derivative.
        ad: T,
        /// The central difference.
        fd: T,
        /// The largest difference `|ad − fd|` that would have been accepted.
        allowed: T,
    },
    /// `hessian[row][column]` and `hessian[column][row]` differ.
    Asymmetric {
        /// The row of the first entry.
        row: usize,
        /// The column of the first entry.
        column: usize,
        /// `hessian[row][column]`.
        upper: T,
        /// `hessian[column][row]`.
        lower: T,
    },
    /// The Hessian is not `n × n`, or the gradient closure returned other than `n`
    /// entries, for `n = x.len()`.
    Shape {
        /// `x.len()`.
        x: usize,
        /// What was wrong, in words.
        what: &'static str,
    },
}

impl<T: Real> fmt::Display for HessianMismatch<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            HessianMismatch::Entry {
                row,
                column,
                ad,
                fd,
                allowed,
            } => write!(
                f,
                "hessian mismatch at ({row}, {column}): f_hessian gives {}, central \
                 differences of the gradient give {} (allowed error {allowed:.2e})",
                Num(ad),
                Num(fd),
            ),
            HessianMismatch::Asymmetric {
                row,
                column,
                upper,
                lower,
            } => write!(
                f,
                "hessian is not symmetric: entry ({row}, {column}) is {} but ({column}, {row}) \
                 is {}",
                Num(upper),
                Num(lower),
            ),
            HessianMismatch::Shape { x, what } => {
                write!(
                    f,
                    "{what}; x has {x} coordinates, so the Hessian is {x} × {x}"
                )
            }
        }
    }
}

impl<T: Real> std::error::Error for HessianMismatch<T> {}

/// Checks `hessian` against central differences of `grad` at `x` with the default
/// [`Tolerance`].
///
/// See the [module documentation](self) for the tests.
///
/// # Errors
///
/// The first asymmetric pair or mismatching entry, or [`HessianMismatch::Shape`].
pub fn check_hessian<T: Real, G: Fn(&[T]) -> Vec<T>>(
    grad: G,
    x: &[T],
    hessian: &[Vec<T>],
) -> Result<(), HessianMismatch<T>> {
    check_hessian_with(grad, x, hessian, &Tolerance::default())
}

/// Checks `hessian` against central differences of `grad` at `x` with the given
/// tolerances.
///
/// # Errors
///
/// The first asymmetric pair or mismatching entry, or [`HessianMismatch::Shape`].
pub fn check_hessian_with<T: Real, G: Fn(&[T]) -> Vec<T>>(
    grad: G,
    x: &[T],
    hessian: &[Vec<T>],
    tol: &Tolerance<T>,
) -> Result<(), HessianMismatch<T>> {
    let n = x.len();
    if hessian.len() != n || hessian.iter().any(|row| row.len() != n) {
        let what = "the Hessian is not n × n";
        return Err(HessianMismatch::Shape { x: n, what });
    }
    // Each pair is read both ways, (row, column) and (column, row).
    #[allow(clippy::needless_range_loop)]
    for row in 0..n {
        for column in row + 1..n {
            let (upper, lower) = (hessian[row][column], hessian[column][row]);
            let allowed = tol.abs + tol.rel * upper.abs().max(lower.abs());
            if !accepts(upper, lower, allowed) {
                return Err(HessianMismatch::Asymmetric {
                    row,
                    column,
                    upper,
                    lower,
                });
            }
        }
    }
    let gradient = |point: &[T]| {
        let g = grad(point);
        if g.len() == n {
            Ok(g)
        } else {
            let what = "the gradient closure returned a vector of another length";
            Err(HessianMismatch::Shape { x: n, what })
        }
    };
    let at_x = gradient(x)?;
    let mut point = x.to_vec();
    for column in 0..n {
        let xj = x[column];
        let h = tol.step * T::ONE.max(xj.abs());
        let mut shifted = |s: T| -> Result<(Vec<T>, Vec<T>, T), HessianMismatch<T>> {
            let (plus, minus) = (xj + s, xj - s);
            point[column] = plus;
            let g_plus = gradient(&point)?;
            point[column] = minus;
            let g_minus = gradient(&point)?;
            point[column] = xj;
            Ok((g_plus, g_minus, plus - minus))
        };
        let (near, far) = (shifted(h)?, shifted(h + h)?);
        for row in 0..n {
            let estimate = Estimate::new(
                at_x[row],
                (near.0[row], near.1[row], near.2),
                (far.0[row], far.1[row], far.2),
            );
            let ad = hessian[row][column];
            let allowed = estimate.allowed(tol, ad, T::ZERO);
            if !accepts(ad, estimate.fd, allowed) {
                return Err(HessianMismatch::Entry {
                    row,
                    column,
                    ad,
                    fd: estimate.fd,
                    allowed,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// f = x·sin(y) + x³: ∇f = (sin y + 3x², x cos y).
    fn grad(p: &[f64]) -> Vec<f64> {
        vec![p[1].sin() + 3.0 * p[0] * p[0], p[0] * p[1].cos()]
    }

    fn exact(p: &[f64]) -> Vec<Vec<f64>> {
        vec![
            vec![6.0 * p[0], p[1].cos()],
            vec![p[1].cos(), -p[0] * p[1].sin()],
        ]
    }

    #[test]
    fn accepts_the_exact_hessian() {
        for p in [[0.3, 1.2], [-2.0, 0.1], [10.0, -3.0]] {
            check_hessian(grad, &p, &exact(&p)).unwrap();
        }
    }

    #[test]
    fn rejects_a_wrong_sign_a_missing_term_and_asymmetry() {
        let p = [0.7, 0.4];
        let mut sign = exact(&p);
        sign[1][1] = -sign[1][1];
        let err = check_hessian(grad, &p, &sign).unwrap_err();
        assert!(
            matches!(
                err,
                HessianMismatch::Entry {
                    row: 1,
                    column: 1,
                    ..
                }
            ),
            "{err}"
        );
        let mut missing = exact(&p);
        missing[0][0] = 0.0;
        let err = check_hessian(grad, &p, &missing).unwrap_err();
        assert!(
            matches!(
                err,
                HessianMismatch::Entry {
                    row: 0,
                    column: 0,
                    ..
                }
            ),
            "{err}"
        );
        let mut lopsided = exact(&p);
        lopsided[0][1] *= 2.0;
        let err = check_hessian(grad, &p, &lopsided).unwrap_err();
        assert!(
            matches!(
                err,
                HessianMismatch::Asymmetric {
                    row: 0,
                    column: 1,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().starts_with("hessian is not symmetric"));
    }

    #[test]
    fn rejects_wrong_shapes() {
        let err = check_hessian(grad, &[0.1, 0.2], &[vec![1.0]]).unwrap_err();
        assert!(matches!(err, HessianMismatch::Shape { x: 2, .. }), "{err}");
        let short = |_: &[f64]| vec![1.0];
        let err = check_hessian(short, &[0.1, 0.2], &exact(&[0.1, 0.2])).unwrap_err();
        assert!(err.to_string().contains("gradient closure"), "{err}");
    }

    #[test]
    fn single_precision() {
        let grad32 = |p: &[f32]| vec![2.0 * p[0] * p[1], p[0] * p[0]];
        let (x, y) = (1.5_f32, -0.5_f32);
        let hessian = [vec![2.0 * y, 2.0 * x], vec![2.0 * x, 0.0]];
        check_hessian(grad32, &[x, y], &hessian).unwrap();
    }
}
