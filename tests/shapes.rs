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
