//! Branches and loops: gradients against hand-derived derivatives and finite
//! differences, at points on both sides of every branch.

use ad::differentiate;
use approx::assert_relative_eq;

fn check2(f: impl Fn(f64, f64) -> f64, x: f64, y: f64, dx: f64, dy: f64) {
    ad::check_gradient(|p: &[f64]| f(p[0], p[1]), &[x, y], &[dx, dy]).unwrap();
}

#[differentiate]
fn huber(x: f64, d: f64) -> f64 {
    let a = x.abs();
    if a <= d {
        0.5 * x * x
    } else {
        d * (a - 0.5 * d)
    }
}

#[test]
fn huber_loss_on_both_sides_of_the_kink() {
    for (x, d) in [(0.3, 1.0), (-0.7, 1.0), (2.5, 1.0), (-3.0, 0.5)] {
        let (v, dx, dd) = huber_grad(x, d);
        assert_eq!(v, huber(x, d));
        if x.abs() <= d {
            assert_relative_eq!(dx, x, max_relative = 1e-14);
            assert_eq!(dd, 0.0);
        } else {
            assert_relative_eq!(dx, d * x.signum(), max_relative = 1e-14);
            assert_relative_eq!(dd, x.abs() - d, max_relative = 1e-14);
        }
        check2(huber, x, d, dx, dd);
    }
}

/// Indexing by position is the point of this test: the index is a constant.
#[differentiate(wrt(x))]
#[allow(clippy::needless_range_loop)]
fn horner(x: f64, coefficients: &[f64]) -> f64 {
    let mut acc = 0.0;
    for k in 0..coefficients.len() {
        acc = acc * x + coefficients[k];
    }
    acc
}

#[test]
fn horner_polynomial() {
    let c = [2.0, -3.0, 0.5, 4.0];
    let x = 1.3;
    let (v, dx) = horner_grad(x, &c);
    assert_relative_eq!(
        v,
        2.0 * x * x * x - 3.0 * x * x + 0.5 * x + 4.0,
        max_relative = 1e-14
    );
    assert_relative_eq!(dx, 6.0 * x * x - 6.0 * x + 0.5, max_relative = 1e-14);
    assert_eq!(v, horner(x, &c));
    ad::check_gradient(|p: &[f64]| horner(p[0], &c), &[x], &[dx]).unwrap();
}

#[differentiate]
fn newton_sqrt(a: f64) -> f64 {
    let mut y = a;
    while (y * y - a).abs() > 1e-12 * a {
        y = 0.5 * (y + a / y);
    }
    y
}

#[test]
fn newton_square_root_has_the_derivative_of_sqrt() {
    for a in [0.25, 2.0, 9.0, 1e4] {
        let (v, da) = newton_sqrt_grad(a);
        assert_relative_eq!(v, a.sqrt(), max_relative = 1e-12);
        assert_relative_eq!(da, 0.5 / a.sqrt(), max_relative = 1e-9);
        assert_eq!(v, newton_sqrt(a));
    }
}

#[differentiate]
fn logistic(r: f64, x0: f64) -> f64 {
    let mut x = x0;
    for _ in 0..30 {
        x = r * x * (1.0 - x);
    }
    x
}

#[test]
fn logistic_map_against_forward_recurrence() {
    let (r, x0) = (2.9, 0.2);
    // Forward-mode recurrence for the derivatives.
    let (mut x, mut dr, mut dx0) = (x0, 0.0, 1.0);
    for _ in 0..30 {
        let (ndr, ndx0) = (
            x * (1.0 - x) + r * (1.0 - 2.0 * x) * dr,
            r * (1.0 - 2.0 * x) * dx0,
        );
        x = r * x * (1.0 - x);
        dr = ndr;
        dx0 = ndx0;
    }
    let (v, gr, gx0) = logistic_grad(r, x0);
    assert_relative_eq!(v, x, max_relative = 1e-14);
    assert_relative_eq!(gr, dr, max_relative = 1e-10);
    assert_relative_eq!(gx0, dx0, max_relative = 1e-10);
    check2(logistic, r, x0, gr, gx0);
}
