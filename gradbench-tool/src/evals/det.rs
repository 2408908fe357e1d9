//! `det`: the determinant by expansion by minors (EVALS.md §5), after cmpad's
//! `det_by_minor`: O(ℓ!) on purpose.
//!
//! `#[differentiate]` takes no recursive functions, so the recursion is unrolled by
//! size: `minor_k(a, ell, r, cols)` is the determinant of the k×k minor of rows
//! `r..r + k` and the k columns in the bit set `cols`, expanded along row `r`.
//! Every function does the arithmetic of the recursion; they differ in how many
//! levels of it they write out before calling a smaller one:
//!
//! - `minor_1` … `minor_4` are straight-line (`minor_3` with its 2×2 minors
//!   written out, `minor_4` calling `minor_3` four times), so their reverse records
//!   nothing;
//! - `minor_5` expands two rows in two nested loops down to `minor_3`, and
//!   `minor_k` for k ≥ 6 three rows in three nested loops down to `minor_{k−3}`.
//!
//! Why three rows per function: the reverse sweep of a call recomputes the callee
//! (`NAME_adjoint` runs it forward again), so each level of calls costs about one
//! more primal evaluation; a level written out as a loop costs recorded values
//! instead (a few per iteration). One level of calls per three rows keeps the
//! gradient at about 6–8 primal evaluations for ℓ = 9…11 with a few kilobytes of
//! recorded values; one function per row (`minor_k` → `minor_{k−1}`) costs ℓ of
//! them, and a single loop over the whole recursion records ~10⁸ values at ℓ = 11.

use ad::differentiate;
use serde::Deserialize;
use serde_json::Value;

use crate::runs::{Evaluation, Runs};

/// det of the `ell × ell` row-major matrix `a` (1 ≤ ell ≤ 16) by expansion by
/// minors: each minor (rows `r..ell`, the columns not yet used) expands along its
/// first row, over its columns in increasing order with alternating signs; a 1×1
/// minor is its entry.
#[differentiate(wrt(a))]
pub fn det(a: &[f64], ell: usize) -> f64 {
    let all = (1_u64 << ell) - 1;
    match ell {
        1 => minor_1(a, ell, 0, all),
        2 => minor_2(a, ell, 0, all),
        3 => minor_3(a, ell, 0, all),
        4 => minor_4(a, ell, 0, all),
        5 => minor_5(a, ell, 0, all),
        6 => minor_6(a, ell, 0, all),
        7 => minor_7(a, ell, 0, all),
        8 => minor_8(a, ell, 0, all),
        9 => minor_9(a, ell, 0, all),
        10 => minor_10(a, ell, 0, all),
        11 => minor_11(a, ell, 0, all),
        12 => minor_12(a, ell, 0, all),
        13 => minor_13(a, ell, 0, all),
        14 => minor_14(a, ell, 0, all),
        15 => minor_15(a, ell, 0, all),
        _ => minor_16(a, ell, 0, all),
    }
}

/// The 1×1 minor of row `r` and the one column in `cols`: its entry.
#[differentiate(wrt(a))]
fn minor_1(a: &[f64], ell: usize, r: usize, cols: u64) -> f64 {
    a[r * ell + cols.trailing_zeros() as usize]
}

/// The 2×2 minor of rows `r, r + 1` and the columns `c0 < c1` in `cols`, expanded
/// along row `r`. Straight-line code: its reverse records nothing.
#[differentiate(wrt(a))]
fn minor_2(a: &[f64], ell: usize, r: usize, cols: u64) -> f64 {
    let c0 = cols.trailing_zeros() as usize;
    let c1 = 63 - cols.leading_zeros() as usize;
    let top = r * ell;
    let next = top + ell;
    a[top + c0] * a[next + c1] - a[top + c1] * a[next + c0]
}

/// The 3×3 minor of rows `r..r + 3` and the columns `c0 < c1 < c2` in `cols`,
/// expanded along row `r`, with its 2×2 minors written out: straight-line too.
#[differentiate(wrt(a))]
fn minor_3(a: &[f64], ell: usize, r: usize, cols: u64) -> f64 {
    let c0 = cols.trailing_zeros() as usize;
    let c2 = 63 - cols.leading_zeros() as usize;
    let c1 = (cols & !(1 << c0)).trailing_zeros() as usize;
    let x = r * ell;
    let y = x + ell;
    let z = y + ell;
    a[x + c0] * (a[y + c1] * a[z + c2] - a[y + c2] * a[z + c1])
        - a[x + c1] * (a[y + c0] * a[z + c2] - a[y + c2] * a[z + c0])
        + a[x + c2] * (a[y + c0] * a[z + c1] - a[y + c1] * a[z + c0])
}

/// The 4×4 minor of rows `r..r + 4` and the columns `c0 < c1 < c2 < c3` in `cols`,
/// expanded along row `r` into 3×3 minors, straight-line.
#[differentiate(wrt(a))]
fn minor_4(a: &[f64], ell: usize, r: usize, cols: u64) -> f64 {
    let c0 = cols.trailing_zeros() as usize;
    let c3 = 63 - cols.leading_zeros() as usize;
    let middle = cols & !(1 << c0) & !(1 << c3);
    let c1 = middle.trailing_zeros() as usize;
    let c2 = 63 - middle.leading_zeros() as usize;
    let x = r * ell;
    a[x + c0] * minor_3(a, ell, r + 1, cols & !(1 << c0))
        - a[x + c1] * minor_3(a, ell, r + 1, cols & !(1 << c1))
        + a[x + c2] * minor_3(a, ell, r + 1, cols & !(1 << c2))
        - a[x + c3] * minor_3(a, ell, r + 1, cols & !(1 << c3))
}

/// The 5×5 minor of rows `r..r + 5` and the columns in `cols`, expanded along row
/// `r`, and its 4×4 minors along row `r + 1` in the inner loop, into 3×3 minors.
/// The columns are visited from the last back, so that each alternating sum is
/// `x₁ − (x₂ − (x₃ − …))`, with no sign to carry.
#[differentiate(wrt(a))]
fn minor_5(a: &[f64], ell: usize, r: usize, cols: u64) -> f64 {
    let mut total = 0.0;
    let mut rest = cols;
    while rest != 0 {
        let c = 63 - rest.leading_zeros() as usize;
        rest &= !(1 << c);
        let sub = cols & !(1 << c);
        let mut minor = 0.0;
        let mut rest_sub = sub;
        while rest_sub != 0 {
            let d = 63 - rest_sub.leading_zeros() as usize;
            rest_sub &= !(1 << d);
            minor = a[(r + 1) * ell + d] * minor_3(a, ell, r + 2, sub & !(1 << d)) - minor;
        }
        total = a[r * ell + c] * minor - total;
    }
    total
}

macro_rules! expansion_by_minors {
    ($($minor:ident => $smaller:ident),* $(,)?) => {$(
        /// The determinant of the minor of rows `r..` and the columns in the bit set
        /// `cols`: `Σ ±a[r][c]·det(minor without row r and column c)` over the
        /// columns in increasing order, signs starting at +, where that minor is
        /// expanded the same way along row `r + 1`, and its minors along row `r + 2`,
        /// here in the inner loops, down to minors three sizes smaller. Each
        /// alternating sum is accumulated from the last column back,
        /// `x₁ − (x₂ − (x₃ − …))`.
        #[differentiate(wrt(a))]
        fn $minor(a: &[f64], ell: usize, r: usize, cols: u64) -> f64 {
            let mut total = 0.0;
            let mut rest = cols;
            while rest != 0 {
                let c = 63 - rest.leading_zeros() as usize;
                rest &= !(1 << c);
                let sub = cols & !(1 << c);
                let mut minor = 0.0;
                let mut rest_sub = sub;
                while rest_sub != 0 {
                    let d = 63 - rest_sub.leading_zeros() as usize;
                    rest_sub &= !(1 << d);
                    let sub_sub = sub & !(1 << d);
                    let mut minor_minor = 0.0;
                    let mut rest_sub_sub = sub_sub;
                    while rest_sub_sub != 0 {
                        let e = 63 - rest_sub_sub.leading_zeros() as usize;
                        rest_sub_sub &= !(1 << e);
                        minor_minor = a[(r + 2) * ell + e]
                            * $smaller(a, ell, r + 3, sub_sub & !(1 << e))
                            - minor_minor;
                    }
                    minor = a[(r + 1) * ell + d] * minor_minor - minor;
                }
                total = a[r * ell + c] * minor - total;
            }
            total
        }
    )*};
}

expansion_by_minors! {
    minor_6 => minor_3,
    minor_7 => minor_4,
    minor_8 => minor_5,
    minor_9 => minor_6,
    minor_10 => minor_7,
    minor_11 => minor_8,
    minor_12 => minor_9,
    minor_13 => minor_10,
    minor_14 => minor_11,
    minor_15 => minor_12,
    minor_16 => minor_13,
}

#[derive(Deserialize)]
struct Input {
    #[serde(rename = "A")]
    a: Vec<f64>,
    ell: usize,
}

/// The largest matrix accepted: `minor_16` is the largest minor function, and the
/// work grows as ℓ! (ℓ = 16 would take days).
pub const MAX_ELL: usize = 16;

/// `primal` or `gradient` (the cofactor matrix, row-major) of `{"A": float[ℓ²], "ell": ℓ}`.
pub fn evaluate(function: &str, input: &Value) -> Evaluation {
    let runs = Runs::from_input(input)?;
    let Input { a, ell } = super::decode(input)?;
    super::require((1..=MAX_ELL).contains(&ell), || {
        format!("det needs 1 ≤ ell ≤ {MAX_ELL}, got ell = {ell}")
    })?;
    super::require(a.len() == ell * ell, || {
        format!("`A` has {} entries, expected ell² = {}", a.len(), ell * ell)
    })?;
    match function {
        "primal" => runs.time(|| det(&a, ell)).json(),
        "gradient" => runs.time(|| det_grad(&a, ell).1).json(),
        _ => super::unknown_function("det", function),
    }
}
