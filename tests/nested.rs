//! Functions defined in the body of a `#[differentiate]` function (issue 16,
//! item 9): each is differentiated like a top-level one, with the same options, and
//! called from the body, from loops and branches and from each other. Gradients,
//! tangents and Hessians against hand-derived ones.

use ad::differentiate;
mod common;
use common::{assert_all_close, assert_close, assert_matrix_close};

#[differentiate]
fn two_helpers(x: f64, y: f64) -> f64 {
    fn square(v: f64) -> f64 {
        v * v
    }
    fn scaled_sin(a: f64, b: f64) -> f64 {
        a.sin() * b
    }
    square(x) + 3.0 * scaled_sin(x, y) - square(y * 0.5)
}

#[test]
fn scalar_helpers() {
    for (x, y) in [(0.7, -1.3), (-2.1, 0.4)] {
        let (value, dx, dy) = two_helpers_grad(x, y);
        assert_eq!(value, two_helpers(x, y));
        assert_close("dx", dx, 2.0 * x + 3.0 * x.cos() * y);
        assert_close("dy", dy, 3.0 * x.sin() - 0.5 * y);
    }
}

/// A helper over a slice that calls another helper, a body `const` they read, a
/// helper of constants only, and calls in a loop and a branch.
#[differentiate(wrt(w))]
fn in_loops(w: &[f64], x: &[f64], flags: &[bool]) -> f64 {
    const SCALE: f64 = 0.5;
    fn cube(v: f64) -> f64 {
        v * v * v
    }
    fn weighted(w: &[f64], k: usize, v: f64) -> f64 {
        SCALE * cube(w[k]) * v + w[(k + 1) % w.len()]
    }
    fn next(k: usize, n: usize) -> usize {
        (k + 1) % n
    }
    let mut total = 0.0;
    for k in 0..x.len() {
        if flags[k] {
            total += weighted(w, k, x[k]);
        } else {
            total -= cube(w[next(k, w.len())]);
        }
    }
    total
}

#[test]
fn helpers_in_loops_and_branches() {
    let w = [0.9, -1.1, 0.6];
    let x = [2.0, -0.5, 1.5];
    let flags = [true, false, true];
    let (value, dw) = in_loops_grad(&w, &x, &flags);
    assert_eq!(value, in_loops(&w, &x, &flags));
    // k = 0: 0.5·w0³·x0 + w1; k = 1: −w2³; k = 2: 0.5·w2³·x2 + w0.
    let want = [
        1.5 * w[0] * w[0] * x[0] + 1.0,
        1.0,
        -3.0 * w[2] * w[2] + 1.5 * w[2] * w[2] * x[2],
    ];
    assert_all_close("dw", &dw, &want);
}

#[differentiate(hessian)]
fn second_order(x: f64, y: f64) -> f64 {
    fn product(a: f64, b: f64) -> f64 {
        a * b.exp()
    }
    product(x * x, y) + product(y, x)
}

#[test]
fn helpers_with_hessian_and_forward() {
    let (x, y): (f64, f64) = (0.8, -0.3);
    // f = x²·eʸ + y·eˣ
    let (ex, ey) = (x.exp(), y.exp());
    let gradient = [2.0 * x * ey + y * ex, x * x * ey + ex];
    let hessian = [
        vec![2.0 * ey + y * ex, 2.0 * x * ey + ex],
        vec![2.0 * x * ey + ex, x * x * ey],
    ];
    let (value, dx, dy) = second_order_grad(x, y);
    assert_eq!(value, second_order(x, y));
    assert_close("dx", dx, gradient[0]);
    assert_close("dy", dy, gradient[1]);
    let (_, jvp) = second_order_jvp(x, y, 1.5, -2.0);
    assert_close("jvp", jvp, 1.5 * gradient[0] - 2.0 * gradient[1]);
    let (_, got_gradient, got) = second_order_hessian(x, y);
    assert_all_close("gradient", &got_gradient, &gradient);
    assert_matrix_close("hessian", &got, &hessian);
}

#[differentiate(forward)]
fn forward_only(x: &[f64]) -> f64 {
    fn norm2(v: &[f64]) -> f64 {
        v.iter().map(|a| a * a).sum::<f64>()
    }
    norm2(x).sqrt() * x[0]
}

#[test]
fn slice_helper_in_forward_mode() {
    let x = [3.0, -4.0];
    // f = |x|·x0: ∂0 = x0²/|x| + |x|, ∂1 = x0·x1/|x|
    let gradient = [9.0 / 5.0 + 5.0, -12.0 / 5.0];
    let (_, g) = forward_only_grad(&x);
    assert_all_close("gradient", &g, &gradient);
    let (_, jvp) = forward_only_jvp(&x, &[0.5, 2.0]);
    assert_close("jvp", jvp, 0.5 * gradient[0] + 2.0 * gradient[1]);
}

/// In a vector-valued function, whose result is a `vec!` of listed values.
#[differentiate(forward)]
fn vector_valued(x: &[f64]) -> Vec<f64> {
    fn square(a: f64) -> f64 {
        a * a
    }
    vec![square(x[0]) + x[1], square(x[1]) * x[0]]
}

#[test]
fn helper_in_a_vector_valued_function() {
    let x = [2.0, 3.0];
    let (value, jacobian) = vector_valued_jacobian(&x);
    assert_eq!(value, vector_valued(&x));
    assert_eq!(jacobian, vec![vec![4.0, 1.0], vec![9.0, 12.0]]);
    let (_, jv) = vector_valued_jvp(&x, &[1.0, -1.0]);
    assert_eq!(jv, vec![3.0, -3.0]);
}
