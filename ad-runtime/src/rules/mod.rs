//! The table of partial derivatives of the elementary functions.
//!
//! # The rule contract
//!
//! Each rule is a generic function
//!
//! ```text
//! fn name<T: Real>(args…, ans: T) -> partials
//! ```
//!
//! that takes the primal arguments of the function, in the order of the Rust call
//! (receiver first: `y.atan2(x)` → `atan2(y, x, ans)`), followed by the primal output
//! `ans = f(args…)`. `ans` is passed so that rules such as [`exp`], [`sqrt`] or [`tanh`]
//! need not recompute it. A rule returns the partial derivative of the output with respect
//! to each floating-point argument: a bare `T` when there is one, a tuple `(T, T)` or
//! `(T, T, T)` otherwise. Integer arguments (the `n` of [`powi`]) are constants and get no
//! partial. The macro multiplies the partials by the output adjoint and adds the products
//! to the adjoints of the arguments. `+ − × ÷` and negation have no rule here: the macro
//! inlines their adjoints.
//!
//! Rules never panic. Where the derivative does not exist or is infinite, each rule returns
//! a documented value, listed in the table below; elsewhere it follows IEEE arithmetic (NaN
//! in, NaN out).
//!
//! Every rule is re-exported here, so its path is `rules::sin`, `rules::powf`, ….
//!
//! # The table
//!
//! | function | partials | convention at non-differentiable or singular points |
//! |---|---|---|
//! | `sin(x)` | cos x | — |
//! | `cos(x)` | −sin x | — |
//! | `tan(x)` | 1 + ans² | `+inf` if ans overflows near a pole |
//! | `asin(x)` | 1/√((1−x)(1+x)) | `+inf` at x = ±1; NaN outside [−1, 1] |
//! | `acos(x)` | −1/√((1−x)(1+x)) | `−inf` at x = ±1; NaN outside [−1, 1] |
//! | `atan(x)` | 1/(1 + x²) | — |
//! | `y.atan2(x)` | (x/r², −y/r²), r = hypot(y, x) | `(0, 0)` at (0, 0) |
//! | `sinh(x)` | cosh x | — |
//! | `cosh(x)` | sinh x | — |
//! | `tanh(x)` | 1 − ans² | — |
//! | `asinh(x)` | 1/hypot(x, 1) | — |
//! | `acosh(x)` | 1/√((x−1)(x+1)) | `+inf` at x = 1; NaN below 1 |
//! | `atanh(x)` | 1/((1−x)(1+x)) | `+inf` at x = ±1 |
//! | `exp(x)` | ans | — |
//! | `exp2(x)` | ans·ln 2 | — |
//! | `exp_m1(x)` | ans + 1 | — |
//! | `ln(x)` | 1/x | `+inf` at x = ±0; 1/x (derivative of ln\|x\|) for x < 0 |
//! | `ln_1p(x)` | 1/(1 + x) | `+inf` at x = −1 |
//! | `x.log(b)` | (1/(x·ln b), −ans/(b·ln b)) | ∂x = `+inf`/ln b at x = ±0 |
//! | `log2(x)` | 1/(x·ln 2) | `+inf` at x = ±0 |
//! | `log10(x)` | 1/(x·ln 10) | `+inf` at x = ±0 |
//! | `sqrt(x)` | 0.5/ans | `+inf` at x = ±0; NaN for x < 0 |
//! | `cbrt(x)` | 1/(3·ans²) | `+inf` at x = ±0 |
//! | `x.powi(n)` | n·xⁿ⁻¹ | `0` for n = 0 (also at x = 0) |
//! | `x.powf(y)` | (y·xʸ⁻¹, ans·ln x) | ∂x = `0` if y = 0; ∂y = `0` if x = 0 < y; ∂y = `−inf` at (0, 0); ∂y NaN for x < 0 |
//! | `recip(x)` | −ans² | `−inf` at x = ±0 |
//! | `a.mul_add(b, c)` | (b, a, 1) | — |
//! | `abs(x)` | signum x | `0` at x = ±0 |
//! | `signum(x)` | 0 | `0` everywhere, also at ±0 |
//! | `x.copysign(y)` | (sign x · sign y, 0) | ∂x = `0` at x = ±0; ∂y = `0` everywhere |
//! | `x.rem_euclid(y)` | (1, −q), q = (x − ans)/y, an integer | at the jumps (x a multiple of y), those of the piece with ans = 0; ∂y NaN at y = 0 |
//! | `to_degrees(x)` | 180/π | — |
//! | `to_radians(x)` | π/180 | — |
//! | `x.min(y)` | (1, 0) if x < y, else (0, 1) | `(0.5, 0.5)` at x = y; a NaN argument gets `0`, the other `1` |
//! | `x.max(y)` | (1, 0) if x > y, else (0, 1) | `(0.5, 0.5)` at x = y; a NaN argument gets `0`, the other `1` |
//! | `x.clamp(lo, hi)` | (1, 0, 0) inside [lo, hi] | `(0, 1, 0)` if x < lo, `(0, 0, 1)` if x > hi; boundaries count as inside |
//! | `x.hypot(y)` | (x/ans, y/ans) | `(0, 0)` at (0, 0) |
//! | `floor(x)` | 0 | `0` also at the jumps |
//! | `ceil(x)` | 0 | `0` also at the jumps |
//! | `round(x)` | 0 | `0` also at the jumps |
//! | `trunc(x)` | 0 | `0` also at the jumps |

mod arith;
mod exp_log;
mod piecewise;
mod trig;

pub use arith::{
    abs, clamp, copysign, hypot, max, min, mul_add, recip, rem_euclid, signum, to_degrees,
    to_radians,
};
pub use exp_log::{cbrt, exp, exp2, exp_m1, ln, ln_1p, log, log10, log2, powf, powi, sqrt};
pub use piecewise::{ceil, floor, round, trunc};
pub use trig::{acos, acosh, asin, asinh, atan, atan2, atanh, cos, cosh, sin, sinh, tan, tanh};
