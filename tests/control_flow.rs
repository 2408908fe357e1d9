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

#[differentiate]
fn first_crossing(x: f64, threshold: f64) -> f64 {
    // Sum of squares of x·k until it passes the threshold.
    let mut s = 0.0;
    for k in 1..100 {
        let t = x * k as f64;
        s += t * t;
        if s > threshold {
            break;
        }
    }
    s
}

#[test]
fn break_out_of_a_for_loop() {
    let (x, threshold) = (0.7, 10.0);
    // 0.49·(1 + 4 + 9 + 16) = 14.7 > 10 at k = 4.
    let (v, dx, dt) = first_crossing_grad(x, threshold);
    assert_relative_eq!(v, 0.49 * 30.0, max_relative = 1e-14);
    assert_relative_eq!(dx, 2.0 * x * 30.0, max_relative = 1e-14);
    assert_eq!(dt, 0.0);
    assert_eq!(v, first_crossing(x, threshold));
}

#[differentiate]
fn skip_odd(x: f64) -> f64 {
    let mut s = 0.0;
    for k in 0..10 {
        if k % 2 == 1 {
            continue;
        }
        s += (x * k as f64).sin();
    }
    s
}

#[test]
fn continue_skips_the_rest_of_an_iteration() {
    let x = 0.3;
    let (v, dx) = skip_odd_grad(x);
    let expected: f64 = [0.0, 2.0, 4.0, 6.0, 8.0]
        .iter()
        .map(|k| (x * k).sin())
        .sum();
    let derivative: f64 = [0.0, 2.0, 4.0, 6.0, 8.0]
        .iter()
        .map(|k| k * (x * k).cos())
        .sum();
    assert_relative_eq!(v, expected, max_relative = 1e-14);
    assert_relative_eq!(dx, derivative, max_relative = 1e-13);
    assert_eq!(v, skip_odd(x));
}

#[differentiate]
fn early_return(x: f64, y: f64) -> f64 {
    if x < 0.0 {
        return y * y;
    }
    let mut acc = x;
    for _ in 0..3 {
        for _ in 0..2 {
            acc *= y;
            if acc > 100.0 {
                return acc.sqrt();
            }
        }
    }
    acc + x
}

#[test]
fn return_from_a_branch_and_from_nested_loops() {
    // x < 0: y².
    let (v, dx, dy) = early_return_grad(-1.0, 3.0);
    assert_eq!((v, dx, dy), (9.0, 0.0, 6.0));
    // No early exit: x·y⁶ + x.
    let (x, y) = (0.5, 1.5);
    let (v, dx, dy) = early_return_grad(x, y);
    assert_relative_eq!(v, x * y.powi(6) + x, max_relative = 1e-14);
    assert_relative_eq!(dx, y.powi(6) + 1.0, max_relative = 1e-14);
    assert_relative_eq!(dy, 6.0 * x * y.powi(5), max_relative = 1e-14);
    // Exit from the inner loop once x·y^k > 100: k = 3 for x = 2, y = 4 (2·64 = 128).
    let (x, y) = (2.0, 4.0);
    let (v, dx, dy) = early_return_grad(x, y);
    assert_relative_eq!(v, (x * y.powi(3)).sqrt(), max_relative = 1e-14);
    assert_relative_eq!(dx, 0.5 * (y.powi(3) / x).sqrt(), max_relative = 1e-14);
    assert_relative_eq!(dy, 1.5 * (x * y).sqrt(), max_relative = 1e-14);
    assert_eq!(v, early_return(x, y));
}

#[differentiate]
fn loop_with_value(x: f64) -> f64 {
    let mut y = x;
    let mut n = 0;
    let r = loop {
        y = y * 1.5 + 0.25;
        n += 1;
        if y > 10.0 || n > 50 {
            break y * x;
        }
    };
    r + 1.0
}

#[test]
fn loop_breaking_with_a_value() {
    let x = 1.2;
    let (v, dx) = loop_with_value_grad(x);
    assert_eq!(v, loop_with_value(x));
    // y_n = 1.5ⁿ·x + c_n, so dy/dx = 1.5ⁿ; r = y·x.
    let (mut y, mut n) = (x, 0);
    while y <= 10.0 {
        y = y * 1.5 + 0.25;
        n += 1;
    }
    assert_relative_eq!(dx, 1.5_f64.powi(n) * x + y, max_relative = 1e-13);
}

#[differentiate]
fn piecewise(x: f64, k: i32) -> f64 {
    match k {
        0 => x,
        1 | 2 => x * x,
        3..=5 => x.sin(),
        m if m < 0 => -x,
        _ => x.exp(),
    }
}

#[test]
fn match_on_an_integer() {
    let x = 0.8;
    assert_eq!(piecewise_grad(x, 0), (x, 1.0));
    assert_eq!(piecewise_grad(x, 2), (x * x, 2.0 * x));
    assert_eq!(piecewise_grad(x, 4), (x.sin(), x.cos()));
    assert_eq!(piecewise_grad(x, -3), (-x, -1.0));
    assert_eq!(piecewise_grad(x, 9), (x.exp(), x.exp()));
    assert_eq!(piecewise(x, 9), x.exp());
}
