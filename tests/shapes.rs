//! Values and data shapes (issue 16, in part): destructuring `let`s (array
//! patterns on arrays and slices, `let … else` on a slice's length, `sin_cos`),
//! parallel assignment, and `const`/`use` items in the body, against hand-derived
//! derivatives.

use ad::differentiate;

#[differentiate]
fn quadratic_form(x4: &[f64; 4]) -> f64 {
    let [a, b, c, d] = *x4;
    a * d - b * c + a * a
}

#[differentiate]
fn pair_or_zero(x: &[f64]) -> f64 {
    let &[x1, x2] = x else {
        return 0.0;
    };
    x1 * x2.exp()
}

#[differentiate]
fn rotated(x: f64, angle: f64) -> f64 {
    let (s, c) = angle.sin_cos();
    c * x - s * x * x
}

#[differentiate]
fn fibonacci_like(a0: f64, b0: f64) -> f64 {
    let (mut a, mut b) = (a0, b0);
    for _ in 0..4 {
        (a, b) = (b, a + 0.5 * b);
    }
    [a, b] = [b, a];
    a - b
}

#[test]
fn array_patterns() {
    let x = [0.5, -1.5, 2.0, 3.0];
    let (value, dx) = quadratic_form_grad(&x);
    assert_eq!(value, 0.5 * 3.0 + 1.5 * 2.0 + 0.25);
    assert_eq!(dx, [3.0 + 1.0, -2.0, 1.5, 0.5]);
}

#[test]
fn let_else_on_a_slice_length() {
    let (value, dx) = pair_or_zero_grad(&[0.5, 1.2]);
    assert_eq!(value, 0.5 * 1.2f64.exp());
    assert_eq!(dx, vec![1.2f64.exp(), 0.5 * 1.2f64.exp()]);
    // The `else` runs: no derivative.
    assert_eq!(pair_or_zero_grad(&[0.5, 1.2, 3.0]), (0.0, vec![0.0; 3]));
}

#[test]
fn sin_cos() {
    let (x, t) = (0.8, 0.3);
    let (value, dx, dt) = rotated_grad(x, t);
    assert_eq!(value, t.cos() * x - t.sin() * x * x);
    assert!((dx - (t.cos() - 2.0 * t.sin() * x)).abs() < 1e-15);
    assert!((dt - (-t.sin() * x - t.cos() * x * x)).abs() < 1e-15);
}

#[test]
fn parallel_assignment() {
    // (a, b) → (b, a + b/2) four times, then swapped: linear in (a0, b0).
    let linear = |a0: f64, b0: f64| {
        let (mut a, mut b) = (a0, b0);
        for _ in 0..4 {
            (a, b) = (b, a + 0.5 * b);
        }
        b - a
    };
    let (value, da, db) = fibonacci_like_grad(0.3, 0.7);
    assert_eq!(value, linear(0.3, 0.7));
    assert_eq!((da, db), (linear(1.0, 0.0), linear(0.0, 1.0)));
}

#[differentiate]
fn with_items(x: f64, k: usize) -> f64 {
    use std::f64::consts::PI;
    const SCALE: f64 = 2.5;
    const STEPS: usize = 3;
    let mut s = 0.0;
    for i in 0..STEPS {
        s += SCALE * (x * PI * i as f64).sin();
    }
    match k {
        STEPS => s * 2.0,
        _ => s,
    }
}

#[test]
fn const_and_use_items_in_the_body() {
    let pi = std::f64::consts::PI;
    let derivative = |x: f64| -> f64 {
        (0..3)
            .map(|i| 2.5 * pi * i as f64 * (x * pi * i as f64).cos())
            .sum()
    };
    for k in [3, 4] {
        let (value, dx) = with_items_grad(0.3, k);
        assert_eq!(value, with_items(0.3, k));
        let factor = if k == 3 { 2.0 } else { 1.0 };
        assert!(
            (dx - factor * derivative(0.3)).abs() < 1e-12,
            "k = {k}: {dx}"
        );
    }
}

#[differentiate]
fn ends(x: &[f64]) -> f64 {
    let &[first, .., last] = x else {
        return 0.0;
    };
    first * last
}

#[test]
fn a_rest_pattern_on_a_slice() {
    assert_eq!(ends_grad(&[2.0, 5.0, 3.0]), (6.0, vec![3.0, 0.0, 2.0]));
    assert_eq!(ends_grad(&[2.0]), (0.0, vec![0.0]));
}

mod common;
use common::{
    assert_all_close, assert_close, assert_matrix_close, d, dual_gradient, hyper_hessian,
};
use num_dual::{Dual64, DualNum};

#[differentiate]
fn sum_of_squares(v: &[f64]) -> f64 {
    let mut s = 0.0;
    for &vi in v {
        s += vi * vi;
    }
    s
}

#[differentiate]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

fn sum_of_squares_dual(v: &[Dual64]) -> Dual64 {
    v.iter().fold(d(0.0), |s, &v| s + v * v)
}

fn dot_dual(a: &[Dual64], b: &[Dual64]) -> Dual64 {
    a.iter().zip(b).fold(d(0.0), |s, (&a, &b)| s + a * b)
}

/// Sub-slices as arguments: each callee's adjoint must land in its own range.
#[differentiate]
fn sub_slices_passed_on(x: &[f64]) -> f64 {
    sum_of_squares(&x[1..3]) + 2.0 * sum_of_squares(&x[2..]) * x[0] + sum_of_squares(&x[..=1]).sin()
}

fn sub_slices_passed_on_dual(x: &[Dual64]) -> Dual64 {
    sum_of_squares_dual(&x[1..3])
        + d(2.0) * sum_of_squares_dual(&x[2..]) * x[0]
        + sum_of_squares_dual(&x[..=1]).sin()
}

#[test]
fn sub_slices_as_arguments() {
    let x = [0.3, -1.2, 0.7, 2.0, -0.4];
    let (value, dx) = sub_slices_passed_on_grad(&x);
    assert_eq!(value, sub_slices_passed_on(&x));
    assert_all_close("dx", &dx, &dual_gradient(sub_slices_passed_on_dual, &x));
}

/// `split_at` halves passed to one call (two ranges of one adjoint buffer), and
/// sub-slices indexed, nested and iterated forwards and backwards.
#[differentiate]
fn halves(x: &[f64], k: usize) -> f64 {
    let (left, right) = x.split_at(k);
    let inner = &right[1..];
    let mut weighted = 0.0;
    let mut w = 1.0;
    for v in inner.iter().rev() {
        weighted += w * v;
        w += 1.0;
    }
    for &v in &x[..2] {
        weighted += v * v * v;
    }
    dot(left, &right[..k]) + inner[0] * right[0] * left.len() as f64 + weighted
}

fn halves_dual(x: &[Dual64], k: usize) -> Dual64 {
    let (left, right) = x.split_at(k);
    let inner = &right[1..];
    let mut weighted = d(0.0);
    let mut w = 1.0;
    for &v in inner.iter().rev() {
        weighted += v * w;
        w += 1.0;
    }
    for &v in &x[..2] {
        weighted += v * v * v;
    }
    dot_dual(left, &right[..k]) + inner[0] * right[0] * left.len() as f64 + weighted
}

#[test]
fn split_at_and_nested_sub_slices() {
    let x = [0.3, -1.2, 0.7, 2.0, -0.4, 1.1, 0.9];
    for k in [2, 3] {
        let (value, dx) = halves_grad(&x, k);
        assert_eq!(value, halves(&x, k));
        let want = dual_gradient(|x| halves_dual(x, k), &x);
        assert_all_close(&format!("k = {k}"), &dx, &want);
    }
}

/// A sub-slice whose bounds change in a loop: taken (and its adjoint routed) anew
/// in each iteration of the reverse sweep.
#[differentiate]
fn sliding(x: &[f64], width: usize) -> f64 {
    let mut total = 0.0;
    for k in 0..x.len() - width + 1 {
        let window = &x[k..k + width];
        total += (k + 1) as f64 * sum_of_squares(window) + window[width - 1];
    }
    for w in x[1..].windows(2) {
        total += w[0] * w[1];
    }
    total
}

fn sliding_dual(x: &[Dual64], width: usize) -> Dual64 {
    let mut total = d(0.0);
    for k in 0..x.len() - width + 1 {
        let window = &x[k..k + width];
        total += sum_of_squares_dual(window) * (k + 1) as f64 + window[width - 1];
    }
    for w in x[1..].windows(2) {
        total += w[0] * w[1];
    }
    total
}

#[test]
fn sub_slices_in_a_loop() {
    let x = [0.3, -1.2, 0.7, 2.0, -0.4];
    let (value, dx) = sliding_grad(&x, 2);
    assert_eq!(value, sliding(&x, 2));
    assert_all_close("dx", &dx, &dual_gradient(|x| sliding_dual(x, 2), &x));
}

/// `mut` array and vector parameters written in the body: the generated functions
/// write a copy, and the adjoint is that of the values passed in.
#[differentiate]
fn scaled_in_place(mut a: [f64; 3], mut v: Vec<f64>) -> f64 {
    a[0] *= a[1];
    a[2] = a[0] * v[1];
    v[0] = v[1] * v[2];
    v.push(a[2]);
    a[0] + a[2] * v[0] + v[3] * v[3]
}

fn scaled_in_place_dual(p: &[Dual64]) -> Dual64 {
    let (mut a, mut v) = ([p[0], p[1], p[2]], vec![p[3], p[4], p[5]]);
    a[0] *= a[1];
    a[2] = a[0] * v[1];
    v[0] = v[1] * v[2];
    v.push(a[2]);
    a[0] + a[2] * v[0] + v[3] * v[3]
}

#[test]
fn mut_parameters() {
    let (a, v) = ([0.5, -1.5, 2.0], vec![0.3, 1.2, -0.7]);
    let (value, da, dv) = scaled_in_place_grad(a, v.clone());
    assert_eq!(value, scaled_in_place(a, v.clone()));
    let want = dual_gradient(scaled_in_place_dual, &[0.5, -1.5, 2.0, 0.3, 1.2, -0.7]);
    assert_all_close("da", &da, &want[..3]);
    assert_all_close("dv", &dv, &want[3..]);
}

/// Local buffers passed to a differentiated callee, then overwritten: the callee's
/// reverse sees them as they were at the call.
#[differentiate]
fn buffers_passed_on(x: &[f64], y: f64) -> f64 {
    let mut u = vec![0.0; 3];
    let mut fixed = [0.0; 2];
    for i in 0..3 {
        u[i] = x[i] * y;
    }
    fixed[0] = y * y;
    fixed[1] = x[0];
    let first = sum_of_squares(&u) + dot(&fixed, &u[1..]);
    u[0] = y.sin();
    fixed[1] = 3.0 * y;
    let copy = x.to_vec();
    let cloned = u.clone();
    first * sum_of_squares(&u) + fixed[1] * copy[2] + cloned[0] * sum_of_squares(&fixed)
}

fn buffers_passed_on_dual(p: &[Dual64]) -> Dual64 {
    let (x, y) = (&p[..3], p[3]);
    let mut u = vec![d(0.0); 3];
    let mut fixed = [d(0.0); 2];
    for i in 0..3 {
        u[i] = x[i] * y;
    }
    fixed[0] = y * y;
    fixed[1] = x[0];
    let first = sum_of_squares_dual(&u) + dot_dual(&fixed, &u[1..]);
    u[0] = y.sin();
    fixed[1] = y * 3.0;
    let copy = x.to_vec();
    let cloned = u.clone();
    first * sum_of_squares_dual(&u) + fixed[1] * copy[2] + cloned[0] * sum_of_squares_dual(&fixed)
}

#[test]
fn local_buffers_as_arguments() {
    let (x, y) = ([0.3, -1.2, 0.7], 0.9);
    let (value, dx, dy) = buffers_passed_on_grad(&x, y);
    assert_eq!(value, buffers_passed_on(&x, y));
    let want = dual_gradient(buffers_passed_on_dual, &[0.3, -1.2, 0.7, 0.9]);
    assert_all_close("dx", &dx, &want[..3]);
    assert_close("dy", dy, want[3]);
}

/// Slice and vector methods on differentiable data, as the indexing they mean.
#[differentiate]
fn slice_methods(x: &[f64], y: f64) -> f64 {
    let empty = if x.is_empty() { 1.0 } else { 0.0 };
    let mut a = [0.0; 3];
    a.fill(y);
    a.swap(0, 2);
    a[0] *= x[1];
    a.swap(0, 1);
    let mut b = [0.0; 2];
    b.copy_from_slice(&x[1..3]);
    let mut grown = Vec::new();
    grown.push(y);
    grown.extend_from_slice(&b);
    let ends = *x.first().unwrap() * x.last().copied().unwrap();
    let beyond = x.get(7).copied().unwrap_or(y * y) + x.get(1).copied().unwrap_or(5.0);
    ends + beyond * a[1] + a[0] * grown[2] + *grown.last().unwrap() * b[0] + empty * y
}

fn slice_methods_dual(p: &[Dual64]) -> Dual64 {
    let (x, y) = (&p[..4], p[4]);
    let mut a = [d(0.0); 3];
    a.fill(y);
    a.swap(0, 2);
    a[0] *= x[1];
    a.swap(0, 1);
    let mut b = [d(0.0); 2];
    b.copy_from_slice(&x[1..3]);
    let mut grown = Vec::new();
    grown.push(y);
    grown.extend_from_slice(&b);
    let ends = *x.first().unwrap() * x.last().copied().unwrap();
    let beyond = x.get(7).copied().unwrap_or(y * y) + x.get(1).copied().unwrap_or(d(5.0));
    ends + beyond * a[1] + a[0] * grown[2] + *grown.last().unwrap() * b[0]
}

#[test]
fn slice_and_vector_methods() {
    let x = [0.3, -1.2, 0.7, 2.0];
    let (value, dx, dy) = slice_methods_grad(&x, 0.9);
    assert_eq!(value, slice_methods(&x, 0.9));
    let want = dual_gradient(slice_methods_dual, &[0.3, -1.2, 0.7, 2.0, 0.9]);
    assert_all_close("dx", &dx, &want[..4]);
    assert_close("dy", dy, want[4]);
    assert_eq!(is_empty_or_first_grad(&[]), (0.0, vec![]));
    assert_eq!(is_empty_or_first_grad(&[3.0]), (9.0, vec![6.0]));
}

#[differentiate]
fn is_empty_or_first(x: &[f64]) -> f64 {
    if x.is_empty() {
        0.0
    } else {
        x[0] * x[0]
    }
}

// --- Vec::new()/Vec::with_capacity in branches and loops (issue 16, item 7) ---

// Pushes right after `Vec::new()`, which is what is under test.
#[allow(clippy::vec_init_then_push)]
#[differentiate]
fn grown_in_branch(x: f64, y: f64, flag: bool) -> f64 {
    if flag {
        let mut a = Vec::new();
        a.push(x * x);
        a.push(3.0 * y);
        a[0] * a[1] + a.len() as f64
    } else {
        let mut b = Vec::with_capacity(1);
        b.push(y.sin());
        b[0] * x
    }
}

#[test]
fn vectors_made_in_branches() {
    let (x, y) = (1.5, -0.4);
    // x²·3y + 2, then sin(y)·x
    let (value, dx, dy) = grown_in_branch_grad(x, y, true);
    assert_eq!(value, grown_in_branch(x, y, true));
    assert_close("dx", dx, 6.0 * x * y);
    assert_close("dy", dy, 3.0 * x * x);
    let (value, dx, dy) = grown_in_branch_grad(x, y, false);
    assert_eq!(value, grown_in_branch(x, y, false));
    assert_close("dx", dx, y.sin());
    assert_close("dy", dy, y.cos() * x);
}

/// A buffer per iteration, pushed in an inner loop under a condition, iterated,
/// indexed from its end, and summed by a chain; its length differs by iteration.
#[differentiate(hessian)]
fn grown_in_loop(x: &[f64], w: f64) -> f64 {
    let mut total = 0.0;
    for k in 0..x.len() {
        let mut a = Vec::with_capacity(k + 1);
        for j in 0..=k {
            if j % 2 == 0 || j == k {
                a.push(x[j] * x[k] + w);
            }
        }
        for v in &a {
            total += v.sin();
        }
        total += a[a.len() - 1] * w + a.iter().map(|v| v * v).sum::<f64>();
    }
    total
}

fn grown_in_loop_dual<D: DualNum<Primitive = f64> + Copy>(p: &[D]) -> D {
    let (x, w) = (&p[..p.len() - 1], p[p.len() - 1]);
    let mut total = D::zero();
    for k in 0..x.len() {
        let mut a = Vec::with_capacity(k + 1);
        for j in 0..=k {
            if j % 2 == 0 || j == k {
                a.push(x[j] * x[k] + w);
            }
        }
        for v in &a {
            total += v.sin();
        }
        total += a[a.len() - 1] * w + a.iter().map(|&v| v * v).fold(D::zero(), |s, v| s + v);
    }
    total
}

#[test]
fn vectors_made_in_loops() {
    let x = [0.3, -0.7, 1.1, 0.45];
    let w = 0.6;
    let (value, dx, dw) = grown_in_loop_grad(&x, w);
    assert_eq!(value, grown_in_loop(&x, w));
    let point = [x[0], x[1], x[2], x[3], w];
    let want = dual_gradient(grown_in_loop_dual, &point);
    assert_all_close("dx", &dx, &want[..4]);
    assert_close("dw", dw, want[4]);
    let (_, gradient, hessian) = grown_in_loop_hessian(&x, w);
    assert_all_close("gradient", &gradient, &want);
    let exact = hyper_hessian(grown_in_loop_dual, &point);
    assert_matrix_close("hessian", &hessian, &exact);
}

/// Made in a `while` body, after an early `return` is possible.
// Pushes right after `Vec::new()`, which is what is under test.
#[allow(clippy::vec_init_then_push)]
#[differentiate]
fn grown_in_while(x: f64, n: usize) -> f64 {
    if n == 0 {
        return x;
    }
    let mut s = x;
    let mut i = 0;
    while i < n {
        let mut a = Vec::new();
        a.push(s);
        a.push(s * 0.5);
        s = a[0].cos() + a[1];
        i += 1;
    }
    s
}

#[test]
fn vectors_made_in_a_while_loop() {
    // s ← cos s + s/2, twice: the chain rule by hand.
    let x: f64 = 0.8;
    let s1 = x.cos() + 0.5 * x;
    let d1 = -x.sin() + 0.5;
    let d2 = (-s1.sin() + 0.5) * d1;
    let (value, dx) = grown_in_while_grad(x, 2);
    assert_eq!(value, grown_in_while(x, 2));
    assert_close("dx", dx, d2);
    assert_eq!(grown_in_while_grad(x, 0), (x, 1.0));
}

/// An array literal of constants bound with `let mut`, then written with
/// differentiable values (found by the random programs).
#[differentiate]
fn constant_literal_written(x: f64, y: f64) -> f64 {
    let mut t = [1.0, -2.0, (0.5), 3.0];
    t[1] *= x;
    t[2] += y * x;
    t[3] = t[0] + t[2];
    let mut s = 0.0;
    for &v in t.iter() {
        s += v * v;
    }
    s
}

#[test]
fn constant_array_literals_written_later() {
    let (x, y) = (0.7, -1.2);
    // t = [1, −2x, 0.5 + xy, 1.5 + xy]: s = 1 + 4x² + (0.5 + xy)² + (1.5 + xy)²
    let (value, dx, dy) = constant_literal_written_grad(x, y);
    assert_eq!(value, constant_literal_written(x, y));
    let (a, b) = (0.5 + x * y, 1.5 + x * y);
    assert_close("dx", dx, 8.0 * x + 2.0 * a * y + 2.0 * b * y);
    assert_close("dy", dy, 2.0 * a * x + 2.0 * b * x);
}

#[differentiate]
fn squares(v: &[f64]) -> f64 {
    let mut s = 0.0;
    for &e in v {
        s += e * e;
    }
    s
}

/// A sub-slice whose bound a `while` loop carries, passed to a differentiated
/// function: the reverse sweep recomputes it from its recorded bound (found by the
/// random programs: the slice itself was recorded, which does not compile).
#[differentiate]
fn carried_bound(x: f64, w: &[f64], n: usize) -> f64 {
    let mut t = x;
    let mut k = 0;
    while k < n {
        k += 1;
        t *= squares(&w[k % w.len()..]);
    }
    t
}

#[test]
fn sub_slices_with_carried_bounds() {
    let (x, w) = (0.5, [1.5, -2.0]);
    // k = 1: w1²; k = 2: w0² + w1²; t = x·w1²·(w0² + w1²)
    let (a, b) = (w[0] * w[0], w[1] * w[1]);
    let (value, dx, dw) = carried_bound_grad(x, &w, 2);
    assert_eq!(value, carried_bound(x, &w, 2));
    assert_close("dx", dx, b * (a + b));
    assert_close("dw0", dw[0], x * b * 2.0 * w[0]);
    assert_close("dw1", dw[1], x * (2.0 * w[1] * (a + b) + b * 2.0 * w[1]));
}

/// `vec![a, b, c]` of differentiable values, read, written and iterated.
// The `vec!` is what is under test.
#[allow(clippy::useless_vec)]
#[differentiate]
fn listed_vec(x: f64, y: f64) -> f64 {
    let mut v = vec![x, 2.0 * y, x * y];
    v[0] *= y;
    let mut s = 0.0;
    for e in v.iter() {
        s += e.sin();
    }
    s + v[2] * v[1]
}

#[test]
fn vec_of_listed_values() {
    let (x, y) = (0.4, -0.9);
    // v = [xy, 2y, xy]: s = 2 sin(xy) + sin(2y) + 2xy²
    let (value, dx, dy) = listed_vec_grad(x, y);
    assert_eq!(value, listed_vec(x, y));
    let c = (x * y).cos();
    assert_close("dx", dx, 2.0 * c * y + 2.0 * y * y);
    assert_close("dy", dy, 2.0 * c * x + 2.0 * (2.0 * y).cos() + 4.0 * x * y);
}

/// `let mut v = vec![…]` of constants, written later with differentiable values.
#[allow(clippy::useless_vec)]
#[differentiate]
fn constant_vec_written(x: f64) -> f64 {
    let mut v = vec![1.0, 0.5, 2.0];
    v[1] *= x;
    v[2] = x * x;
    v[0] * v[1] + v[2]
}

#[test]
fn constant_vec_literals_written_later() {
    let (value, dx) = constant_vec_written_grad(1.5);
    assert_eq!(value, constant_vec_written(1.5));
    assert_close("dx", dx, 0.5 + 3.0);
}

/// A `match` and an iterator chain inside `vec![…]` (found by the random
/// programs: they were not desugared there).
#[allow(clippy::useless_vec)]
#[differentiate]
fn desugared_in_vec(x: f64, w: &[f64], k: usize) -> f64 {
    let v = vec![
        match k % 2 {
            0 => x,
            _ => 2.0 * x,
        },
        w.iter().map(|a| a * x).sum::<f64>(),
    ];
    let u = vec![w.iter().sum::<f64>() * x; 2];
    v[0] * v[1] + u[1]
}

#[test]
fn match_and_chains_inside_vec() {
    let (x, w) = (0.5, [1.0, 2.0]);
    for k in 0..2 {
        // c·x · 3x + 3x, c = 1 or 2
        let c = (k + 1) as f64;
        let (value, dx, dw) = desugared_in_vec_grad(x, &w, k);
        assert_eq!(value, desugared_in_vec(x, &w, k));
        assert_close("dx", dx, 6.0 * c * x + 3.0);
        assert_close("dw0", dw[0], c * x * x + x);
        assert_close("dw1", dw[1], c * x * x + x);
    }
}

#[differentiate]
fn polar(r: f64, t: f64) -> [f64; 2] {
    [r * t.cos(), r * t.sin()]
}

/// The array a vector-valued function returns, taken apart by an annotated `let`
/// (its call made once).
#[differentiate]
fn taken_apart(r: f64, t: f64) -> f64 {
    let [a, b]: [f64; 2] = polar(r, t);
    a * b + a
}

#[test]
fn a_returned_array_taken_apart() {
    let (r, t): (f64, f64) = (2.0, 0.3);
    // r² cos t sin t + r cos t
    let (value, dr, dt) = taken_apart_grad(r, t);
    assert_eq!(value, taken_apart(r, t));
    assert_close("dr", dr, 2.0 * r * t.cos() * t.sin() + t.cos());
    assert_close("dt", dt, r * r * (2.0 * t).cos() - r * t.sin());
}
