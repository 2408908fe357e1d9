//! Reverse-mode automatic differentiation at compile time.
//!
//! Put `#[differentiate]` on a numeric function and the macro writes its gradient:
//!
//! ```
//! use ad::differentiate;
//!
//! #[differentiate]
//! fn f(x: f64, y: f64) -> f64 {
//!     x * y + x.sin()
//! }
//!
//! let (value, dx, dy) = f_grad(1.0, 2.0);
//! assert_eq!(value, f(1.0, 2.0));
//! assert!((dx - (2.0 + 1.0_f64.cos())).abs() < 1e-15);
//! assert!((dy - 1.0).abs() < 1e-15);
//! ```
//!
//! Next to `f` the macro emits:
//!
//! - `f_grad(params…) -> (value, ∂f/∂p₁, …)`: the value, then the partial derivative
//!   with respect to each differentiable (`f32`/`f64`) parameter, in parameter order;
//! - `f_adjoint(params…, seed, d_p₁: &mut _, …) -> value`: the reverse-mode entry point,
//!   which adds `seed · ∂f/∂pᵢ` into caller-provided buffers and allocates nothing.
//!
//! `#[differentiate(wrt(x))]` narrows which parameters get adjoints; every other
//! parameter is a constant. The README lists the supported syntax, how the macro
//! works, and the derivative conventions at non-differentiable points;
//! [`rules`] holds the derivative of every elementary function, and
//! [`check_gradient`] compares a gradient with central finite differences.

#![warn(missing_docs)]

pub use ad_macro::{custom_adjoint, differentiate};
pub use ad_runtime::{
    check, check_gradient, check_gradient_with, rules, stack, GradientMismatch, Real, Tolerance,
};

/// `value`, unchanged. Inside a `#[differentiate]` function, no adjoint flows back
/// through it: the gradient treats it as a constant (a "stop-gradient").
///
/// ```
/// #[ad::differentiate]
/// fn f(x: f64, y: f64) -> f64 {
///     ad::no_grad(x * y) * y
/// }
/// assert_eq!(f_grad(2.0, 3.0), (18.0, 0.0, 6.0));
/// ```
#[inline]
pub fn no_grad<T>(value: T) -> T {
    value
}

/// argmin's solvers (L-BFGS, …) on `#[differentiate]` gradients (cargo feature `argmin`).
#[cfg(feature = "argmin")]
pub mod argmin;

/// Items the generated code names; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use ad_runtime::__private::*;
}
