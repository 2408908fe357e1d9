//! Exact gradients for the constructs of the README's "Supported syntax" that no
//! other test file checks against an exact reference (issue 13, "Silent wrong
//! gradients"): each test here would fail for a dropped or misrouted adjoint.
//!
//! The audit of `tests/*.rs` found these constructs checked only by finite
//! differences, only for finiteness, only through the value, or not at all:
//! `const` items used as values; local arrays `[x; N]` and buffers filled with
//! non-zero constants; element writes with `-=`, `*=`, `/=` (and to indices that
//! coincide at run time); `Vec::new()`, and pushes in branches and `match` arms;
//! `.iter().sum()`, `for &v` and `zip` over local buffers; `Vec<f64>` by value and
//! `&Vec<f32>` parameters; `for &v in x.iter()` over a differentiable slice (the one
//! existing case, a softmax, has a net adjoint of zero through it); constant data
//! (`x[idx[k]]`, `&[bool]`, `&[i32]`); calls inside loops and by module path, slice
//! arguments to a callee, calls in every branch, nested calls with a carried
//! argument; `&self` methods through `NAME_adjoint`; `#[ad::custom_adjoint]` on a
//! slice function; `ad::no_grad` of slice elements; buffers of integers and flags
//! and bit operations; `continue` in `while` and `loop`, `break` out of a `loop`,
//! `match` inside a loop; `println!`; `NAME_adjoint` for array, `Vec` and
//! `f32`-slice parameters; and a user function with a branch called through two
//! levels (Black–Scholes), which black_scholes.rs checks to 1e-5 only.
//!
//! Every expectation is a closed form derived by hand or the same function
//! evaluated over num-dual's dual numbers; finite differences are never the only
//! check. The tolerance (1e-12 relative for f64) fails a wrong sign, a missing term
//! or a dropped adjoint; where the arithmetic is exact the comparison is `==`.
//!
//! Three constructs the README describes as supported did not compile when this
//! file was written and are fixed with it: a buffer filled with a differentiable
//! value, a slice passed twice to one call, and a constant slice that is not a
//! parameter passed to a callee.

use ad::differentiate;
use common::{assert_all_close, assert_close, dual_gradient, dual_partial};

use num_dual::{Dual64, DualNum};

mod common;

/// |x| over dual numbers, away from 0.
fn dual_abs(x: Dual64) -> Dual64 {
    assert!(x.re != 0.0, "test points stay away from the kink of abs");
    if x.re < 0.0 {
        -x
    } else {
        x
    }
}

// ---------------------------------------------------------------------------------
// `const` items as values (literals with suffixes, path constants), and `println!`
// ---------------------------------------------------------------------------------

const GAIN: f64 = 1.75;
const OFFSET: f64 = -0.5;
const TERMS: usize = 3;
const POWER: i32 = 3;

#[differentiate]
fn with_consts(x: f64, y: f64) -> f64 {
    let mut s = GAIN * x * y + OFFSET * y;
    for k in 0..TERMS {
        s += x.powi(POWER) * (k as f64 + GAIN);
    }
    println!("with_consts: s = {s}");
    s + 1e-3_f64 * y * y + std::f64::consts::LN_2 * x + f64::EPSILON * y
}

#[test]
fn const_items_as_values() {
    for (x, y) in [(0.6, -1.3), (-1.1, 0.4)] {
        let (v, dx, dy) = with_consts_grad(x, y);
        assert_eq!(v, with_consts(x, y));
        // Σ_{k<3} (k + 1.75) = 8.25.
        let want_x = GAIN * y + 3.0 * x * x * 8.25 + std::f64::consts::LN_2;
        let want_y = GAIN * x + OFFSET + 2e-3 * y + f64::EPSILON;
        assert_close("dx", dx, want_x);
        assert_close("dy", dy, want_y);
    }
}

// ---------------------------------------------------------------------------------
// Local arrays `[x; N]`, and buffers filled with non-zero constants (a fill with a
// differentiable value does not compile, see below)
// ---------------------------------------------------------------------------------

#[differentiate]
fn array_buffer(x: f64, y: f64) -> f64 {
    let mut b = [0.0; 4];
    b[0] = x * y;
    b[1] = b[0] + y;
    b[2] = x.sin();
    b[3] = b[1] * b[2];
    b[0] = 2.0 * x;
    b[0] + b[1] + b[3]
}

/// Buffers filled with non-zero constants (a literal, and an integer parameter's value).
#[differentiate]
#[allow(clippy::needless_range_loop)]
fn filled_with_constants(x: f64, y: f64, n: usize) -> f64 {
    let mut c = [1.5; 3];
    c[1] *= y;
    c[2] = c[0] + c[1] * x;
    let mut v = vec![n as f64; n];
    for i in 0..n {
        v[i] *= x + i as f64;
    }
    let mut s = c[0] * c[1] * c[2];
    for i in 0..n {
        s += v[i] * y;
    }
    s
}

#[test]
fn local_arrays_written_read_and_overwritten() {
    for (x, y) in [(0.7, 1.9), (-1.2, 0.35)] {
        let (v, dx, dy) = array_buffer_grad(x, y);
        assert_eq!(v, array_buffer(x, y));
        // f = 2x + (xy + y) + (xy + y)·sin x; the first b[0] = xy is overwritten.
        let u = x * y + y;
        assert_close("value", v, 2.0 * x + u + u * x.sin());
        assert_close("dx", dx, 2.0 + y + y * x.sin() + u * x.cos());
        assert_close("dy", dy, (x + 1.0) * (1.0 + x.sin()));
    }
}

#[test]
fn buffers_filled_with_non_zero_constants() {
    let (x, y, n) = (0.8, -1.4, 4);
    let (v, dx, dy) = filled_with_constants_grad(x, y, n);
    assert_eq!(v, filled_with_constants(x, y, n));
    // c = [1.5, 1.5y, 1.5 + 1.5xy]: 2.25y·(1.5 + 1.5xy); v[i] = n(x + i):
    // Σ v[i]·y = y·n·(n·x + n(n − 1)/2).
    let nf = n as f64;
    let sum_v = nf * (nf * x + nf * (nf - 1.0) / 2.0);
    let c2 = 1.5 + 1.5 * x * y;
    assert_close("value", v, 2.25 * y * c2 + y * sum_v);
    assert_close("dx", dx, 2.25 * y * 1.5 * y + y * nf * nf);
    assert_close("dy", dy, 2.25 * c2 + 2.25 * y * 1.5 * x + sum_v);
}

// A buffer filled with a differentiable value (`[x; 3]`, `vec![y; n]`): the fill
// value's adjoint is the sum of the element adjoints when the buffer is made.
mod filled_with_a_parameter {
    use ad::differentiate;

    #[differentiate]
    #[allow(clippy::needless_range_loop)]
    fn filled_with_parameters(x: f64, y: f64, n: usize) -> f64 {
        let mut c = [x; 3];
        c[1] *= y;
        c[2] = c[0] + c[1];
        let mut v = vec![y; n];
        for i in 0..n {
            v[i] *= x + i as f64;
        }
        let mut s = c[0] * c[1] * c[2];
        for i in 0..n {
            s += v[i];
        }
        s
    }

    #[test]
    fn buffers_filled_with_a_differentiable_value() {
        let (x, y, n) = (0.8_f64, -1.4_f64, 4);
        let (_, dx, dy) = filled_with_parameters_grad(x, y, n);
        // c = [x, xy, x + xy]: x³y + x³y²; v[i] = y(x + i): n·xy + y·n(n − 1)/2.
        let (nf, x3) = (n as f64, x * x * x);
        let half = nf * (nf - 1.0) / 2.0;
        assert!((dx - (3.0 * x * x * y * (1.0 + y) + nf * y)).abs() < 1e-12);
        assert!((dy - (x3 + 2.0 * x3 * y + nf * x + half)).abs() < 1e-12);
    }
}

// ---------------------------------------------------------------------------------
// Element writes with every compound operator, on a `vec!` and an array
// ---------------------------------------------------------------------------------

#[differentiate]
#[allow(clippy::needless_range_loop)]
fn element_compound(x: f64, y: f64, n: usize) -> f64 {
    let mut a = vec![1.0; n];
    let mut b = [2.0; 3];
    for i in 0..n {
        a[i] += x * i as f64;
        a[i] *= y;
        a[i] -= x;
        a[i] /= y + 2.0;
    }
    b[0] -= x;
    b[1] *= x * y;
    b[2] /= x;
    b[1] += b[0];
    b[2] -= b[1] * y;
    let mut s = 0.0;
    for i in 0..n {
        s += a[i] * a[i];
    }
    s + b[0] * b[1] + b[2]
}

/// The same in closed form: a[i] = (y(1 + ix) − x)/(y + 2), b = [2 − x, 2xy + 2 − x,
/// 2/x − (2xy + 2 − x)·y].
fn element_compound_dual(x: Dual64, y: Dual64, n: usize) -> Dual64 {
    let mut s = Dual64::from(0.0);
    for i in 0..n {
        let a = (y * (x * i as f64 + 1.0) - x) / (y + 2.0);
        s += a * a;
    }
    let b0 = -x + 2.0;
    let b1 = x * y * 2.0 + b0;
    let b2 = x.recip() * 2.0 - b1 * y;
    s + b0 * b1 + b2
}

#[test]
fn element_writes_with_every_compound_operator() {
    let n = 5;
    for point in [[0.6, 1.3], [-0.9, 0.45]] {
        let (v, dx, dy) = element_compound_grad(point[0], point[1], n);
        assert_eq!(v, element_compound(point[0], point[1], n));
        let f = |p: &[Dual64]| element_compound_dual(p[0], p[1], n);
        assert_close("value", v, f(&[point[0].into(), point[1].into()]).re);
        assert_all_close("gradient", &[dx, dy], &dual_gradient(f, &point));
    }
}

/// Element writes whose indices may coincide at run time, and a compound write of a
/// call's result.
#[differentiate]
#[allow(clippy::useless_vec)] // a `vec!` buffer is what is under test
fn aliased_writes(x: f64, y: f64, i: usize, j: usize) -> f64 {
    let mut a = vec![1.0; 3];
    a[i] += x;
    a[j] *= y;
    a[(i + 1) % 3] -= square(x * y);
    a[i] * a[j] + a[(i + 1) % 3]
}

#[test]
fn element_writes_to_indices_that_coincide_at_run_time() {
    let (x, y) = (0.5_f64, 2.5_f64);
    // i = j = 2: a[2] = (1 + x)·y, a[0] = 1 − (xy)²; f = ((1 + x)y)² + 1 − (xy)².
    let (v, dx, dy) = aliased_writes_grad(x, y, 2, 2);
    let u = (1.0 + x) * y;
    assert_close("value", v, u * u + 1.0 - (x * y).powi(2));
    assert_close("dx", dx, 2.0 * u * y - 2.0 * x * y * y);
    assert_close("dy", dy, 2.0 * u * (1.0 + x) - 2.0 * x * x * y);
    // i = 0, j = 2: a = [1 + x, 1 − (xy)², y]; f = (1 + x)·y + 1 − (xy)².
    let (v, dx, dy) = aliased_writes_grad(x, y, 0, 2);
    assert_close("value", v, (1.0 + x) * y + 1.0 - (x * y).powi(2));
    assert_close("dx", dx, y - 2.0 * x * y * y);
    assert_close("dy", dy, 1.0 + x - 2.0 * x * x * y);
    // i = 1, j = 2: a[2] = y, then a[2] −= (xy)²: f = (1 + x)·(y − (xy)²) + y − (xy)².
    let (v, dx, dy) = aliased_writes_grad(x, y, 1, 2);
    let w = y - (x * y).powi(2);
    assert_close("value", v, (1.0 + x) * w + w);
    assert_close("dx", dx, w - (2.0 + x) * 2.0 * x * y * y);
    assert_close("dy", dy, (2.0 + x) * (1.0 - 2.0 * x * x * y));
}

// ---------------------------------------------------------------------------------
// Growing buffers: `Vec::new()` and `Vec::with_capacity`, pushes in a loop and in a
// branch; `.iter().sum()`, `for &v` and `zip` over the local buffers
// ---------------------------------------------------------------------------------

#[differentiate]
#[allow(clippy::needless_range_loop)]
fn grown(x: f64, w: &[f64]) -> f64 {
    let mut kept = Vec::new();
    let mut all = Vec::with_capacity(w.len());
    for i in 0..w.len() {
        let t = w[i] * x;
        all.push(t.sin());
        if w[i] > 0.0 {
            kept.push(t * t);
        }
    }
    let mut s = kept.iter().sum::<f64>();
    for &v in all.iter() {
        s += v * x;
    }
    for (a, b) in all.iter().zip(w.iter()) {
        s += a * b;
    }
    s + kept.len() as f64 * x
}

#[test]
fn growing_buffers_pushed_in_loops_and_branches() {
    let x = 0.7;
    let w = [0.5, -1.2, 2.0, -0.3, 1.1];
    let (v, dx, dw) = grown_grad(x, &w);
    assert_eq!(v, grown(x, &w));
    // f = Σ_{w_i > 0} (w_i x)² + Σ sin(w_i x)·(x + w_i) + K·x, K the count of w_i > 0.
    let mut value = 0.0;
    let mut want_x = 0.0;
    let mut want_w = Vec::new();
    for &wi in &w {
        let t = wi * x;
        let positive = if wi > 0.0 { 1.0 } else { 0.0 };
        value += positive * (t * t + x) + t.sin() * (x + wi);
        want_x += positive * (2.0 * wi * wi * x + 1.0) + t.cos() * wi * (x + wi) + t.sin();
        want_w.push(positive * 2.0 * wi * x * x + t.cos() * x * (x + wi) + t.sin());
    }
    assert_close("value", v, value);
    assert_close("dx", dx, want_x);
    assert_all_close("dw", &dw, &want_w);
}

/// Pushes in `match` arms of a `while` body that also `continue`s; the pushed
/// length bounds the loop that reads them.
#[differentiate]
#[allow(clippy::needless_range_loop)]
fn pushed_in_match_arms(x: f64, n: usize) -> f64 {
    let mut v = Vec::with_capacity(2 * n);
    let mut k = 0;
    while k < n {
        k += 1;
        match k % 3 {
            0 => continue,
            1 => v.push(x * k as f64),
            _ => {
                v.push(x * x);
                v.push(1.0);
            }
        }
    }
    let mut s = 0.0;
    for i in 0..v.len() {
        s += v[i] * (i as f64 + 1.0);
    }
    s
}

#[test]
fn pushes_in_match_arms_and_after_continue() {
    let x = 0.7;
    let (v, dx) = pushed_in_match_arms_grad(x, 8);
    assert_eq!(v, pushed_in_match_arms(x, 8));
    // k = 1..8 pushes: 1 → x, 2 → x², 1, 4 → 4x, 5 → x², 1, 7 → 7x, 8 → x², 1; the
    // i-th push (from 1) is weighted by i.
    let value = x
        + 2.0 * x * x
        + 3.0
        + 4.0 * 4.0 * x
        + 5.0 * x * x
        + 6.0
        + 7.0 * 7.0 * x
        + 8.0 * x * x
        + 9.0;
    let derivative = 1.0 + 4.0 * x + 16.0 + 10.0 * x + 49.0 + 16.0 * x;
    assert_close("value", v, value);
    assert_close("dx", dx, derivative);
}

// ---------------------------------------------------------------------------------
// `Vec<f64>` by value and `&Vec<f32>` parameters, with their `NAME_adjoint`
// ---------------------------------------------------------------------------------

#[differentiate]
#[allow(clippy::needless_range_loop, clippy::needless_pass_by_value)]
fn owned(v: Vec<f64>, x: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..v.len() {
        s += v[i] * v[i] * x.powi(i as i32);
    }
    s * x
}

#[test]
fn vec_by_value() {
    let v = vec![1.5, -0.4, 2.2, 0.9];
    let x = 1.3_f64;
    let (value, dv, dx) = owned_grad(v.clone(), x);
    assert_eq!(value, owned(v.clone(), x));
    // f = Σ v_i² x^(i+1).
    let want_v: Vec<f64> = (0..4).map(|i| 2.0 * v[i] * x.powi(i as i32 + 1)).collect();
    let want_x: f64 = (0..4)
        .map(|i| (i as f64 + 1.0) * v[i] * v[i] * x.powi(i as i32))
        .sum();
    assert_all_close("dv", &dv, &want_v);
    assert_close("dx", dx, want_x);

    let seed = -2.5;
    let mut d_v = vec![1.0, -2.0, 3.0, -4.0];
    let mut d_x = 0.75;
    assert_eq!(owned_adjoint(v.clone(), x, seed, &mut d_v, &mut d_x), value);
    let expected: Vec<f64> = [1.0, -2.0, 3.0, -4.0]
        .iter()
        .zip(&want_v)
        .map(|(b, g)| b + seed * g)
        .collect();
    assert_all_close("d_v", &d_v, &expected);
    assert_close("d_x", d_x, 0.75 + seed * want_x);
}

#[differentiate]
#[allow(clippy::ptr_arg)]
fn f32_vec(v: &Vec<f32>, y: f32) -> f32 {
    let mut s = 0.0;
    for (i, a) in v.iter().enumerate() {
        s += a * y.powi(i as i32 + 1);
    }
    s
}

#[test]
fn f32_vec_by_reference_and_its_adjoint() {
    // Powers of two: every product and sum below is exact in f32.
    let v = vec![1.5_f32, -2.0, 3.0];
    let y = 0.5_f32;
    // f = Σ v_i y^(i+1) = 0.75 − 0.5 + 0.375; ∂v_i = y^(i+1); ∂y = Σ (i+1) v_i y^i.
    assert_eq!(f32_vec_grad(&v, y), (0.625, vec![0.5, 0.25, 0.125], 1.75));
    let mut d_v = vec![1.0_f32, 2.0, -1.0];
    let mut d_y = 4.0_f32;
    assert_eq!(f32_vec_adjoint(&v, y, -2.0, &mut d_v, &mut d_y), 0.625);
    assert_eq!(d_v, vec![0.0, 1.5, -1.25]);
    assert_eq!(d_y, 0.5);
}

// ---------------------------------------------------------------------------------
// Iteration over differentiable parameters: `for &v`, `enumerate`, `zip` with an
// array, `.iter().sum()`, `len()`
// ---------------------------------------------------------------------------------

#[differentiate]
fn iterate_parameters(a: &[f64], b: &[f64], c: [f64; 3]) -> f64 {
    let mut s = 0.0;
    for &v in a.iter() {
        s += v * v * v;
    }
    for (i, v) in b.iter().enumerate() {
        s += v * (i as f64 + 1.0) * c[i % 3];
    }
    for (p, q) in a.iter().zip(c.iter()) {
        s += p.sin() * q;
    }
    s + b.iter().sum::<f64>() * a.len() as f64
}

#[test]
fn iteration_over_differentiable_parameters() {
    let a = [0.5, -1.1, 0.8, 1.6];
    let b = [0.3, -0.7, 1.9, 0.25, -1.4];
    let c = [1.2, -0.6, 2.1];
    let (_, da, db, dc) = iterate_parameters_grad(&a, &b, c);
    // ∂a_i = 3a_i² + cos(a_i)·c_i (the zip stops after three pairs).
    let want_a: Vec<f64> = (0..4)
        .map(|i| 3.0 * a[i] * a[i] + if i < 3 { a[i].cos() * c[i] } else { 0.0 })
        .collect();
    // ∂b_i = (i + 1)·c[i % 3] + len(a).
    let want_b: Vec<f64> = (0..5).map(|i| (i as f64 + 1.0) * c[i % 3] + 4.0).collect();
    // ∂c_j = Σ_{i % 3 = j} (i + 1)·b_i + sin(a_j).
    let mut want_c = [0.0; 3];
    for (i, bi) in b.iter().enumerate() {
        want_c[i % 3] += (i as f64 + 1.0) * bi;
    }
    for j in 0..3 {
        want_c[j] += a[j].sin();
    }
    assert_all_close("da", &da, &want_a);
    assert_all_close("db", &db, &want_b);
    assert_all_close("dc", &dc, &want_c);
}

// ---------------------------------------------------------------------------------
// Constant data: `x[idx[k]]`, `mask: &[bool]`, `labels: &[i32]`, and a float slice
// left out of `wrt`
// ---------------------------------------------------------------------------------

#[differentiate(wrt(w, x))]
fn constant_data(
    w: &[f64],
    x: f64,
    idx: &[usize],
    mask: &[bool],
    labels: &[i32],
    table: &[f64],
) -> f64 {
    let mut s = 0.0;
    for k in 0..idx.len() {
        if mask[k] {
            s += w[idx[k]] * x.powi(labels[k]) * table[k];
        } else {
            s -= w[idx[k]] * w[idx[k]];
        }
    }
    s
}

#[test]
fn indirect_indices_masks_and_labels() {
    let w = [0.9, -1.4, 0.6, 2.0];
    let x = 1.3_f64;
    let idx = [2, 0, 2, 1, 2, 0];
    let mask = [true, false, false, true, true, true];
    let labels = [1, 3, -1, 2, 0, 2];
    let table = [0.5, 1.5, -2.0, 0.75, 1.25, -0.5];
    let (v, dw, dx) = constant_data_grad(&w, x, &idx, &mask, &labels, &table);
    assert_eq!(v, constant_data(&w, x, &idx, &mask, &labels, &table));
    let mut want_w = [0.0; 4];
    let mut want_x = 0.0;
    for k in 0..idx.len() {
        let (j, l) = (idx[k], labels[k]);
        if mask[k] {
            want_w[j] += x.powi(l) * table[k];
            want_x += w[j] * f64::from(l) * x.powi(l - 1) * table[k];
        } else {
            want_w[j] -= 2.0 * w[j];
        }
    }
    // w[3] is never read: its adjoint is exactly 0.
    assert_eq!(dw[3], 0.0);
    assert_all_close("dw", &dw, &want_w);
    assert_close("dx", dx, want_x);
}

// ---------------------------------------------------------------------------------
// Calls: by module path inside a loop, slice arguments, in every branch, nested with
// a carried argument
// ---------------------------------------------------------------------------------

mod kinetics {
    use ad::differentiate;

    /// Quadratic drag with a constant coefficient.
    #[differentiate(wrt(v))]
    pub fn drag(v: f64, coefficient: f64) -> f64 {
        coefficient * v * v.abs()
    }

    /// A stiffening spring.
    #[differentiate]
    pub fn spring(x: f64, k: f64) -> f64 {
        -k * x - 0.1 * x * x * x
    }
}

#[differentiate]
fn integrate(x0: f64, v0: f64, k: f64) -> f64 {
    let dt = 0.05;
    let mut x = x0;
    let mut v = v0;
    for _ in 0..20 {
        let a = kinetics::spring(x, k) - kinetics::drag(v, 0.3);
        v += dt * a;
        x += dt * v;
    }
    x * v + x
}

fn integrate_dual(x0: Dual64, v0: Dual64, k: Dual64) -> Dual64 {
    let dt = 0.05;
    let (mut x, mut v) = (x0, v0);
    for _ in 0..20 {
        let spring = -(k * x) - x * x * x * 0.1;
        let drag = v * dual_abs(v) * 0.3;
        v += (spring - drag) * dt;
        x += v * dt;
    }
    x * v + x
}

#[test]
fn calls_by_path_inside_a_loop() {
    let point = [1.2, -0.4, 2.5];
    let (v, dx0, dv0, dk) = integrate_grad(point[0], point[1], point[2]);
    assert_eq!(v, integrate(point[0], point[1], point[2]));
    let f = |p: &[Dual64]| integrate_dual(p[0], p[1], p[2]);
    assert_all_close("gradient", &[dx0, dv0, dk], &dual_gradient(f, &point));
}

#[differentiate]
fn poly_eval(c: &[f64], x: f64) -> f64 {
    let mut acc = 0.0;
    for k in (0..c.len()).rev() {
        acc = acc * x + c[k];
    }
    acc
}

#[differentiate]
fn slice_calls(c: &[f64], x: f64, y: f64) -> f64 {
    poly_eval(c, x) * poly_eval(c, 2.0 * y) + poly_eval(c, x * y).sin()
}

fn poly_eval_dual(c: &[Dual64], x: Dual64) -> Dual64 {
    let mut acc = Dual64::from(0.0);
    for k in (0..c.len()).rev() {
        acc = acc * x + c[k];
    }
    acc
}

#[test]
fn calls_with_slice_and_scalar_arguments() {
    // c = p[0..3], x = p[3], y = p[4].
    let point = [0.8, -1.5, 0.6, 0.9, -0.7];
    let c = &point[..3];
    let (v, dc, dx, dy) = slice_calls_grad(c, point[3], point[4]);
    assert_eq!(v, slice_calls(c, point[3], point[4]));
    let f = |p: &[Dual64]| {
        let c = &p[..3];
        poly_eval_dual(c, p[3]) * poly_eval_dual(c, p[4] * 2.0)
            + poly_eval_dual(c, p[3] * p[4]).sin()
    };
    let want = dual_gradient(f, &point);
    assert_all_close("dc", &dc, &want[..3]);
    assert_close("dx", dx, want[3]);
    assert_close("dy", dy, want[4]);
    // The callee alone.
    let (pv, pc, px) = poly_eval_grad(c, point[3]);
    let x = point[3];
    assert_close("poly value", pv, c[0] + c[1] * x + c[2] * x * x);
    assert_all_close("poly dc", &pc, &[1.0, x, x * x]);
    assert_close("poly dx", px, c[1] + 2.0 * c[2] * x);
}

// The same differentiable slice passed twice to one call: the callee's adjoint adds
// into the caller's buffer through both slots (the second through a scratch the
// caller adds on, as one buffer cannot be lent twice).
mod same_slice_twice {
    use ad::differentiate;

    #[differentiate]
    #[allow(clippy::needless_range_loop)]
    fn dot(a: &[f64], b: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..a.len() {
            s += a[i] * b[i];
        }
        s
    }

    #[differentiate]
    fn norm2(w: &[f64]) -> f64 {
        dot(w, w)
    }

    #[differentiate]
    fn weighted(w: &[f64], v: &[f64]) -> f64 {
        dot(w, v) * dot(v, w) + dot(w, w)
    }

    #[test]
    fn a_slice_passed_twice_to_one_call() {
        assert_eq!(norm2_grad(&[1.0, 2.0]), (5.0, vec![2.0, 4.0]));
        // f = (w·v)² + w·w: ∂f/∂w = 2(w·v)v + 2w, ∂f/∂v = 2(w·v)w.
        let (w, v) = ([1.0, -2.0, 0.5], [0.5, 3.0, -1.0]);
        let dot_wv: f64 = w.iter().zip(&v).map(|(a, b)| a * b).sum();
        let (value, dw, dv) = weighted_grad(&w, &v);
        assert_eq!(value, dot_wv * dot_wv + 5.25);
        for k in 0..3 {
            assert_eq!(dw[k], 2.0 * dot_wv * v[k] + 2.0 * w[k]);
            assert_eq!(dv[k], 2.0 * dot_wv * w[k]);
        }
        // Through the adjoint entry point, with a seed and buffers that hold something.
        let mut d_w = [1.0, 1.0];
        norm2_adjoint(&[1.0, 2.0], 0.5, &mut d_w);
        assert_eq!(d_w, [2.0, 3.0]);
    }
}

// Constant float slices other than parameters (a literal, a method's
// `&self.coefficients`), passed to a callee that differentiates that slice: the
// callee's adjoint adds into a scratch slot that the caller drops.
mod constant_slices_to_a_callee {
    use ad::differentiate;

    #[differentiate]
    #[allow(clippy::needless_range_loop)]
    fn poly(c: &[f64], x: f64) -> f64 {
        let mut acc = 0.0;
        for k in (0..c.len()).rev() {
            acc = acc * x + c[k];
        }
        acc
    }

    #[differentiate]
    fn literal_coefficients(x: f64) -> f64 {
        poly(&[1.0, -2.0, 0.5], x)
    }

    struct Model {
        coefficients: Vec<f64>,
    }

    impl Model {
        #[differentiate]
        fn value(&self, x: f64) -> f64 {
            poly(&self.coefficients, x)
        }
    }

    #[test]
    fn literal_and_self_slices() {
        // 1 − 2x + x²/2 at x = 2: −1, derivative −2 + x = 0.
        assert_eq!(literal_coefficients_grad(2.0), (-1.0, 0.0));
        let model = Model {
            coefficients: vec![1.0, -2.0, 0.5],
        };
        assert_eq!(model.value_grad(3.0), (-0.5, 1.0));
    }
}

#[differentiate]
fn square(x: f64) -> f64 {
    x * x
}

#[differentiate]
fn cbrt_exp(x: f64) -> f64 {
    x.exp().cbrt()
}

#[differentiate]
fn calls_in_branches(x: f64, y: f64) -> f64 {
    if x > y {
        square(x - y) * y
    } else if x > 0.0 {
        cbrt_exp(y) * square(x)
    } else {
        let mut s = 0.0;
        for k in 1..4 {
            s += square(x * k as f64 + y);
        }
        s
    }
}

#[test]
fn calls_in_every_branch() {
    // x > y: (x − y)²·y.
    let (x, y) = (1.5, 0.4);
    let (v, dx, dy) = calls_in_branches_grad(x, y);
    assert_close("value", v, (x - y) * (x - y) * y);
    assert_close("dx", dx, 2.0 * (x - y) * y);
    assert_close("dy", dy, -2.0 * (x - y) * y + (x - y) * (x - y));
    // 0 < x ≤ y: e^(y/3)·x².
    let (x, y) = (0.6, 1.7);
    let (v, dx, dy) = calls_in_branches_grad(x, y);
    let e = (y / 3.0).exp();
    assert_close("value", v, e * x * x);
    assert_close("dx", dx, 2.0 * x * e);
    assert_close("dy", dy, e * x * x / 3.0);
    // x ≤ 0, x ≤ y: Σ_{k=1..3} (kx + y)².
    let (x, y) = (-0.5, 0.3);
    let (v, dx, dy) = calls_in_branches_grad(x, y);
    let terms = [1.0, 2.0, 3.0].map(|k| (k, k * x + y));
    assert_close("value", v, terms.iter().map(|(_, t)| t * t).sum());
    assert_close("dx", dx, terms.iter().map(|(k, t)| 2.0 * k * t).sum());
    assert_close("dy", dy, terms.iter().map(|(_, t)| 2.0 * t).sum());
}

#[differentiate]
fn inner_iterate(x: f64, n: usize) -> f64 {
    let mut y = x;
    for _ in 0..n {
        y = (y * x).sin();
    }
    y
}

#[differentiate]
fn outer_sum(x: f64, n: usize) -> f64 {
    let mut s: f64 = 0.5;
    for k in 0..n {
        s += inner_iterate(x + k as f64, n) * s.cos();
    }
    s
}

fn inner_iterate_dual(x: Dual64, n: usize) -> Dual64 {
    let mut y = x;
    for _ in 0..n {
        y = (y * x).sin();
    }
    y
}

fn outer_sum_dual(x: Dual64, n: usize) -> Dual64 {
    let mut s = Dual64::from(0.5);
    for k in 0..n {
        s += inner_iterate_dual(x + k as f64, n) * s.cos();
    }
    s
}

#[test]
fn nested_calls_with_a_carried_argument() {
    let n = 4;
    for x in [0.3, -0.45] {
        let (v, dx) = outer_sum_grad(x, n);
        assert_eq!(v, outer_sum(x, n));
        let want = dual_partial(|p| outer_sum_dual(p[0], n), &[x], 0);
        assert_close("dx", dx, want);
        assert!(want.abs() > 1e-3, "a non-trivial derivative");
    }
}

// ---------------------------------------------------------------------------------
// `&self` methods calling each other, through `NAME_grad` and `NAME_adjoint`
// ---------------------------------------------------------------------------------

struct Bumps {
    centres: Vec<f64>,
    width: f64,
}

impl Bumps {
    #[differentiate]
    fn bump(&self, w: &[f64], t: f64, i: usize) -> f64 {
        let z = (t - self.centres[i]) / self.width;
        w[i] * (-z * z).exp()
    }

    #[differentiate]
    fn curve(&self, w: &[f64], t: f64) -> f64 {
        let mut s = 0.0;
        for i in 0..self.centres.len() {
            s += self.bump(w, t, i);
        }
        s * s + t * w[0]
    }
}

#[test]
fn methods_through_grad_and_adjoint() {
    let bumps = Bumps {
        centres: vec![-1.0, 0.25, 1.5],
        width: 0.8,
    };
    let w = [0.7, -1.3, 2.1];
    let t = 0.4;
    let (v, dw, dt) = bumps.curve_grad(&w, t);
    assert_eq!(v, bumps.curve(&w, t));
    // g = Σ w_i e^(−z_i²), z_i = (t − c_i)/h; f = g² + t·w_0.
    let z: Vec<f64> = bumps
        .centres
        .iter()
        .map(|c| (t - c) / bumps.width)
        .collect();
    let e: Vec<f64> = z.iter().map(|z| (-z * z).exp()).collect();
    let g: f64 = (0..3).map(|i| w[i] * e[i]).sum();
    let want_w: Vec<f64> = (0..3)
        .map(|i| 2.0 * g * e[i] + if i == 0 { t } else { 0.0 })
        .collect();
    let dg_dt: f64 = (0..3)
        .map(|i| w[i] * e[i] * (-2.0 * z[i] / bumps.width))
        .sum();
    let want_t = 2.0 * g * dg_dt + w[0];
    assert_close("value", v, g * g + t * w[0]);
    assert_all_close("dw", &dw, &want_w);
    assert_close("dt", dt, want_t);

    let seed = 0.375;
    let mut d_w = [2.0, -1.0, 0.5];
    let mut d_t = -3.0;
    assert_eq!(bumps.curve_adjoint(&w, t, seed, &mut d_w, &mut d_t), v);
    let expected: Vec<f64> = (0..3)
        .map(|i| [2.0, -1.0, 0.5][i] + seed * want_w[i])
        .collect();
    assert_all_close("d_w", &d_w, &expected);
    assert_close("d_t", d_t, -3.0 + seed * want_t);

    // The callee method by itself.
    let (b, db_w, db_t) = bumps.bump_grad(&w, t, 1);
    assert_close("bump", b, w[1] * e[1]);
    assert_all_close("bump dw", &db_w, &[0.0, e[1], 0.0]);
    assert_close("bump dt", db_t, w[1] * e[1] * (-2.0 * z[1] / bumps.width));
}

// ---------------------------------------------------------------------------------
// `#[ad::custom_adjoint]` on a function of a slice, called in a loop
// ---------------------------------------------------------------------------------

/// √(‖v‖² + ε²), which the macro does not see into.
fn soft_norm(v: &[f64], eps: f64) -> f64 {
    let mut s = eps * eps;
    for x in v {
        s += x * x;
    }
    s.sqrt()
}

#[ad::custom_adjoint]
fn soft_norm_adjoint(v: &[f64], eps: f64, seed: f64, d_v: &mut [f64], d_eps: &mut f64) -> f64 {
    let r = soft_norm(v, eps);
    for (d, x) in d_v.iter_mut().zip(v) {
        *d += seed * x / r;
    }
    *d_eps += seed * eps / r;
    r
}

#[differentiate]
fn uses_soft_norm(v: &[f64], eps: f64, x: f64) -> f64 {
    let mut s = 0.0;
    for k in 1..4 {
        s += soft_norm(v, eps * k as f64) * x.powi(k);
    }
    s
}

#[test]
fn custom_adjoint_of_a_slice_function() {
    let v = [0.6, -1.2, 0.3];
    let (eps, x) = (0.5, 1.4_f64);
    let (value, dv, deps, dx) = uses_soft_norm_grad(&v, eps, x);
    assert_eq!(value, uses_soft_norm(&v, eps, x));
    // f = Σ_{k=1..3} r_k x^k, r_k = √(‖v‖² + k²ε²).
    let norm2: f64 = v.iter().map(|a| a * a).sum();
    let r = |k: i32| (norm2 + f64::from(k * k) * eps * eps).sqrt();
    let want_v: Vec<f64> = v
        .iter()
        .map(|a| (1..4).map(|k| x.powi(k) * a / r(k)).sum())
        .collect();
    let want_eps: f64 = (1..4)
        .map(|k| x.powi(k) * f64::from(k * k) * eps / r(k))
        .sum();
    let want_x: f64 = (1..4).map(|k| f64::from(k) * r(k) * x.powi(k - 1)).sum();
    assert_all_close("dv", &dv, &want_v);
    assert_close("deps", deps, want_eps);
    assert_close("dx", dx, want_x);
    // The generated gradient of the custom function itself.
    let (n, nv, neps) = soft_norm_grad(&v, eps);
    let r1 = r(1);
    assert_close("soft_norm", n, r1);
    assert_all_close("soft_norm dv", &nv, &v.map(|a| a / r1));
    assert_close("soft_norm deps", neps, eps / r1);
}

// ---------------------------------------------------------------------------------
// `ad::no_grad` of expressions with slice elements, in a loop
// ---------------------------------------------------------------------------------

#[differentiate]
#[allow(clippy::needless_range_loop)]
fn stopped(x: f64, y: f64, w: &[f64]) -> f64 {
    let scale = ad::no_grad(x * y + w[0]);
    let mut s = 0.0;
    for i in 0..w.len() {
        s += ad::no_grad(w[i] * x) * w[i] + scale * x;
    }
    s * y
}

#[test]
fn no_grad_in_a_loop_over_a_slice() {
    let (x, y) = (0.9, -1.6);
    let w = [1.3, -0.2, 0.7];
    let (v, dx, dy, dw) = stopped_grad(x, y, &w);
    assert_eq!(v, stopped(x, y, &w));
    // f = y·Σ_i (c_i w_i + S x) with the constants c_i = w_i x and S = xy + w_0.
    let big_s = x * y + w[0];
    let inner: f64 = w.iter().map(|wi| wi * x * wi + big_s * x).sum();
    assert_close("value", v, inner * y);
    assert_close("dx", dx, y * 3.0 * big_s);
    assert_close("dy", dy, inner);
    assert_all_close("dw", &dw, &w.map(|wi| y * wi * x));
}

// ---------------------------------------------------------------------------------
// Buffers of integers and flags, bit operations, steering the float computation
// ---------------------------------------------------------------------------------

#[differentiate]
#[allow(clippy::needless_range_loop)]
fn bookkeeping(x: f64, y: f64, bins: &[usize], n_bins: usize) -> f64 {
    let mut counts = vec![0usize; n_bins];
    let mut first = vec![true; n_bins];
    let mut seen: u64 = 0;
    let mut s = 0.0;
    for k in 0..bins.len() {
        let b = bins[k];
        counts[b] += 1;
        seen |= 1 << b;
        if first[b] {
            s += x * y;
            first[b] = false;
        }
        s += x.powi(counts[b] as i32) * (k as f64 + 1.0) + y * seen.count_ones() as f64;
    }
    s * y
}

#[test]
fn integer_and_flag_buffers_steer_the_computation() {
    let (x, y) = (1.3, -0.8);
    let bins = [2, 0, 2, 3, 0, 2];
    let (v, dx, dy) = bookkeeping_grad(x, y, &bins, 4);
    assert_eq!(v, bookkeeping(x, y, &bins, 4));
    // The same bookkeeping by hand, carrying s, ∂s/∂x and ∂s/∂y.
    let (mut counts, mut first, mut seen) = ([0; 4], [true; 4], 0_u32);
    let (mut s, mut sx, mut sy) = (0.0, 0.0, 0.0);
    for (k, &b) in bins.iter().enumerate() {
        counts[b] += 1;
        seen |= 1 << b;
        if first[b] {
            (s, sx, sy) = (s + x * y, sx + y, sy + x);
            first[b] = false;
        }
        let (c, weight, ones) = (counts[b], k as f64 + 1.0, f64::from(seen.count_ones()));
        s += x.powi(c) * weight + y * ones;
        sx += f64::from(c) * x.powi(c - 1) * weight;
        sy += ones;
    }
    assert_close("value", v, s * y);
    assert_close("dx", dx, sx * y);
    assert_close("dy", dy, sy * y + s);
}

// ---------------------------------------------------------------------------------
// `NAME_adjoint` with array parameters (`&mut [T; N]` buffers), a seed that is not
// one, buffers that already hold something, and two calls in a row
// ---------------------------------------------------------------------------------

#[differentiate]
fn with_arrays(p: [f64; 3], q: &[f64; 2], x: f64) -> f64 {
    p[0] * q[1] * x + (p[1] - q[0]).exp() + p[2] * p[2] * x.sin()
}

#[test]
fn array_parameters_through_grad_and_adjoint() {
    let p = [0.4, 1.1, -0.9];
    let q = [0.3, -1.7];
    let x = 0.65_f64;
    let e = (p[1] - q[0]).exp();
    let want_p = [q[1] * x, e, 2.0 * p[2] * x.sin()];
    let want_q = [-e, p[0] * x];
    let want_x = p[0] * q[1] + p[2] * p[2] * x.cos();
    let (v, dp, dq, dx) = with_arrays_grad(p, &q, x);
    assert_eq!(v, with_arrays(p, &q, x));
    assert_all_close("dp", &dp, &want_p);
    assert_all_close("dq", &dq, &want_q);
    assert_close("dx", dx, want_x);

    let mut d_p = [1.0, -1.0, 0.5];
    let mut d_q = [-2.0, 3.0];
    let mut d_x = 0.25;
    assert_eq!(
        with_arrays_adjoint(p, &q, x, 1.5, &mut d_p, &mut d_q, &mut d_x),
        v
    );
    with_arrays_adjoint(p, &q, x, -4.0, &mut d_p, &mut d_q, &mut d_x);
    // 1.5 − 4 = −2.5 times the gradient, added to what the buffers held.
    let seed = -2.5;
    assert_all_close(
        "d_p",
        &d_p,
        &[
            1.0 + seed * want_p[0],
            -1.0 + seed * want_p[1],
            0.5 + seed * want_p[2],
        ],
    );
    assert_all_close(
        "d_q",
        &d_q,
        &[-2.0 + seed * want_q[0], 3.0 + seed * want_q[1]],
    );
    assert_close("d_x", d_x, 0.25 + seed * want_x);
}

// ---------------------------------------------------------------------------------
// `continue` in `while` and `loop`, a plain `break` out of a `loop`, `match` in a loop
// ---------------------------------------------------------------------------------

#[differentiate]
fn while_continue(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    let mut k = 0;
    while k < n {
        k += 1;
        if k % 3 == 0 {
            continue;
        }
        s += x.powi(k as i32) / k as f64;
    }
    s
}

#[differentiate]
fn loop_continue_break(x: f64, y: f64) -> f64 {
    let mut s = y;
    let mut k = 0;
    loop {
        k += 1;
        if k > 8 {
            break;
        }
        if k % 2 == 0 {
            continue;
        }
        s = s * x + y;
    }
    s
}

#[test]
fn continue_in_while_and_loop() {
    let x = 0.85_f64;
    let (v, dx) = while_continue_grad(x, 8);
    assert_eq!(v, while_continue(x, 8));
    // Σ_{k=1..8, 3 ∤ k} x^k/k, derivative Σ x^(k−1).
    let ks = [1, 2, 4, 5, 7, 8];
    assert_close(
        "value",
        v,
        ks.iter().map(|&k| x.powi(k) / f64::from(k)).sum(),
    );
    assert_close("dx", dx, ks.iter().map(|&k| x.powi(k - 1)).sum());

    // Four updates s ← s·x + y (k = 1, 3, 5, 7): s = y·(x⁴ + x³ + x² + x + 1).
    let (x, y) = (1.15_f64, -0.6);
    let (v, dx, dy) = loop_continue_break_grad(x, y);
    assert_eq!(v, loop_continue_break(x, y));
    let p = 1.0 + x + x * x + x.powi(3) + x.powi(4);
    assert_close("value", v, y * p);
    assert_close(
        "dx",
        dx,
        y * (1.0 + 2.0 * x + 3.0 * x * x + 4.0 * x.powi(3)),
    );
    assert_close("dy", dy, p);
}

#[differentiate]
fn match_in_loop(x: f64, y: f64, n: usize) -> f64 {
    let mut s = y;
    for i in 0..n {
        s = match i % 4 {
            0 => s * x,
            1 | 2 => s + x * y,
            m => s - (m as f64) * x * x,
        };
    }
    s
}

#[test]
fn match_inside_a_loop() {
    let (x, y, n) = (1.2, 0.7, 7);
    let (v, dx, dy) = match_in_loop_grad(x, y, n);
    assert_eq!(v, match_in_loop(x, y, n));
    // Forward mode: (s, ∂s/∂x, ∂s/∂y).
    let (mut s, mut sx, mut sy) = (y, 0.0, 1.0);
    for i in 0..n {
        (s, sx, sy) = match i % 4 {
            0 => (s * x, sx * x + s, sy * x),
            1 | 2 => (s + x * y, sx + y, sy + x),
            m => {
                let m = m as f64;
                (s - m * x * x, sx - 2.0 * m * x, sy)
            }
        };
    }
    assert_close("value", v, s);
    assert_close("dx", dx, sx);
    assert_close("dy", dy, sy);
}

// ---------------------------------------------------------------------------------
// Scalar calls through a branchy callee: Black–Scholes with the user's own erf
// (tests/black_scholes.rs checks it only against finite differences and the true
// erf's closed forms, to 1e-5); here against the same code over dual numbers
// ---------------------------------------------------------------------------------

/// erf(x) by Abramowitz & Stegun 7.1.26, odd by the branch on the sign.
#[differentiate]
#[allow(clippy::excessive_precision)]
fn erf(x: f64) -> f64 {
    let sign = if x < 0.0 { -1.0 } else { 1.0 };
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.3275911 * z);
    let poly = t
        * (0.254829592
            + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    sign * (1.0 - poly * (-z * z).exp())
}

#[differentiate]
fn normal_cdf(x: f64) -> f64 {
    0.5 * (1.0 + erf(x / std::f64::consts::SQRT_2))
}

#[differentiate(wrt(s, sigma, r))]
fn call_price(s: f64, k: f64, sigma: f64, r: f64, t: f64) -> f64 {
    let sqrt_t = t.sqrt();
    let d1 = ((s / k).ln() + (r + 0.5 * sigma * sigma) * t) / (sigma * sqrt_t);
    let d2 = d1 - sigma * sqrt_t;
    s * normal_cdf(d1) - k * (-r * t).exp() * normal_cdf(d2)
}

#[allow(clippy::excessive_precision)]
fn erf_dual(x: Dual64) -> Dual64 {
    let sign = if x.re < 0.0 { -1.0 } else { 1.0 };
    let z = dual_abs(x);
    let t = (z * 0.3275911 + 1.0).recip();
    let poly = t
        * ((t * ((t * ((t * (t * 1.061405429 - 1.453152027)) + 1.421413741)) - 0.284496736))
            + 0.254829592);
    (-(poly * (-(z * z)).exp()) + 1.0) * sign
}

fn normal_cdf_dual(x: Dual64) -> Dual64 {
    (erf_dual(x / std::f64::consts::SQRT_2) + 1.0) * 0.5
}

fn call_price_dual(s: Dual64, k: f64, sigma: Dual64, r: Dual64, t: f64) -> Dual64 {
    let sqrt_t = t.sqrt();
    let d1 = ((s / k).ln() + (sigma * sigma * 0.5 + r) * t) / (sigma * sqrt_t);
    let d2 = d1 - sigma * sqrt_t;
    s * normal_cdf_dual(d1) - (-r * t).exp() * k * normal_cdf_dual(d2)
}

#[test]
fn black_scholes_greeks_against_dual_numbers() {
    // d1 and d2 on both sides of 0, so both branches of erf run.
    for (s, k) in [(110.0, 100.0), (100.0, 100.0), (80.0, 100.0)] {
        let (sigma, r, t) = (0.25, 0.03, 0.75);
        let (price, delta, vega, rho) = call_price_grad(s, k, sigma, r, t);
        assert_eq!(price, call_price(s, k, sigma, r, t));
        let f = |p: &[Dual64]| call_price_dual(p[0], k, p[1], p[2], t);
        assert_all_close(
            "greeks",
            &[delta, vega, rho],
            &dual_gradient(f, &[s, sigma, r]),
        );
    }
    for x in [-1.3, -0.2, 0.4, 2.0] {
        let (v, dx) = erf_grad(x);
        assert_eq!(v, erf(x));
        assert_close("erf'", dx, dual_partial(|p| erf_dual(p[0]), &[x], 0));
    }
}
