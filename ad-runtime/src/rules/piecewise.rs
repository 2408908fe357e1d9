//! Piecewise-constant functions: their derivative is zero wherever it exists.
//!
//! At the jumps (integers for floor, ceil and trunc; half-integers for round) the
//! derivative does not exist; the rules return `0` there too, the derivative of the
//! constant piece on either side (as JAX's `defjvp_zero` and ChainRules' `nondiff.jl` do).
//! Each function is listed explicitly so that a new primitive never defaults to zero by
//! accident.

use crate::Real;

/// d/dx floor x = 0, also at the integers where floor jumps.
#[inline]
pub fn floor<T: Real>(_x: T, _ans: T) -> T {
    T::ZERO
}

/// d/dx ceil x = 0, also at the integers where ceil jumps.
#[inline]
pub fn ceil<T: Real>(_x: T, _ans: T) -> T {
    T::ZERO
}

/// d/dx round x = 0, also at the half-integers where round jumps.
#[inline]
pub fn round<T: Real>(_x: T, _ans: T) -> T {
    T::ZERO
}

/// d/dx trunc x = 0, also at the non-zero integers where trunc jumps.
#[inline]
pub fn trunc<T: Real>(_x: T, _ans: T) -> T {
    T::ZERO
}
