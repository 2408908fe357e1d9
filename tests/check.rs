//! The public gradient checker: it accepts correct gradients in both precisions, rejects the
//! usual mistakes (wrong sign, missing term, factor of 2, swapped coordinates) at the right
//! coordinate, and explains itself in one sentence.

use ad_runtime::{check_gradient, check_gradient_with, GradientMismatch, Tolerance};

/// The Rosenbrock function and its gradient.
fn rosenbrock(p: &[f64]) -> f64 {
    (1.0 - p[0]).powi(2) + 100.0 * (p[1] - p[0] * p[0]).powi(2)
}

fn rosenbrock_grad(p: &[f64]) -> Vec<f64> {
    let r = p[1] - p[0] * p[0];
    vec![-2.0 * (1.0 - p[0]) - 400.0 * p[0] * r, 200.0 * r]
}

/// A function of three variables mixing every kind of term: f = eˣ·sin y + y·z² − ln z.
fn mixed(p: &[f64]) -> f64 {
    p[0].exp() * p[1].sin() + p[1] * p[2] * p[2] - p[2].ln()
}

fn mixed_grad(p: &[f64]) -> [f64; 3] {
    [
        p[0].exp() * p[1].sin(),
        p[0].exp() * p[1].cos() + p[2] * p[2],
        2.0 * p[1] * p[2] - 1.0 / p[2],
    ]
}

const MIXED_AT: [f64; 3] = [0.4, -1.3, 2.2];

/// The index of the coordinate an error names, or a panic with the error.
fn coordinate<T: core::fmt::Debug>(err: GradientMismatch<T>) -> usize {
    match err {
        GradientMismatch::Coordinate { index, .. } => index,
        other => panic!("expected a coordinate mismatch, got {other:?}"),
    }
}

// ------------------------------------------------------------------ accepts

#[test]
fn accepts_correct_f64_gradients() {
    for x in [[-1.2, 1.0], [0.3, -2.5], [2.0, 3.9]] {
        check_gradient(rosenbrock, &x, &rosenbrock_grad(&x)).unwrap();
    }
    check_gradient(mixed, &MIXED_AT, &mixed_grad(&MIXED_AT)).unwrap();
    // A composed, non-trivial outer function so the seed is not all ones.
    let f = |p: &[f64]| (p[0] * p[1]).tanh() + (p[0] - p[1]).powi(3);
    let x = [0.7_f64, -0.4];
    let t = (x[0] * x[1]).tanh();
    let c = 3.0 * (x[0] - x[1]).powi(2);
    check_gradient(f, &x, &[(1.0 - t * t) * x[1] + c, (1.0 - t * t) * x[0] - c]).unwrap();
}

#[test]
fn accepts_gradients_of_large_values() {
    // f ≈ 4e9 at x: the round-off allowance keeps the check from tripping on f's own
    // rounding error.
    let f = |p: &[f64]| p[0] * p[0] * p[1] + p[2].exp() + 1e6 * p[1];
    let x = [1.0e3_f64, 2.0e3, 20.0];
    let grad = [2.0 * x[0] * x[1], x[0] * x[0] + 1e6, x[2].exp()];
    check_gradient(f, &x, &grad).unwrap();
    // And tiny gradients next to large ones.
    let g = |p: &[f64]| 1e8 * p[0] + 1e-6 * p[1].sin();
    check_gradient(g, &[3.0, 0.5], &[1e8, 1e-6 * 0.5_f64.cos()]).unwrap();
}

#[test]
fn accepts_many_coordinates() {
    // Each x[i] couples to x[i+1]; exercises the directional test on a long vector.
    let n = 25;
    let f = |p: &[f64]| {
        p.windows(2)
            .enumerate()
            .map(|(i, w)| ((i + 1) as f64 * w[0]).sin() * w[1])
            .sum::<f64>()
    };
    let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).cos() * 2.0).collect();
    let mut grad = vec![0.0; n];
    for i in 0..n - 1 {
        let k = (i + 1) as f64;
        grad[i] += k * (k * x[i]).cos() * x[i + 1];
        grad[i + 1] += (k * x[i]).sin();
    }
    check_gradient(f, &x, &grad).unwrap();
}

#[test]
fn accepts_correct_f32_gradients() {
    let rosen = |p: &[f32]| (1.0 - p[0]).powi(2) + 100.0 * (p[1] - p[0] * p[0]).powi(2);
    for x in [[-1.2_f32, 1.0], [0.3, -2.5]] {
        let r = x[1] - x[0] * x[0];
        let grad = [-2.0 * (1.0 - x[0]) - 400.0 * x[0] * r, 200.0 * r];
        check_gradient(rosen, &x, &grad).unwrap();
    }
    let f = |p: &[f32]| p[0].exp() * p[1].sin() + p[1] * p[2] * p[2] - p[2].ln();
    let x = [0.4_f32, -1.3, 2.2];
    let grad = [
        x[0].exp() * x[1].sin(),
        x[0].exp() * x[1].cos() + x[2] * x[2],
        2.0 * x[1] * x[2] - 1.0 / x[2],
    ];
    check_gradient(f, &x, &grad).unwrap();
    // Large values in f32: f ≈ 1.8e7.
    let g = |p: &[f32]| p[0] * p[0] * p[1];
    let x = [300.0_f32, 200.0];
    check_gradient(g, &x, &[2.0 * x[0] * x[1], x[0] * x[0]]).unwrap();
}

#[test]
fn accepts_an_empty_point() {
    check_gradient(|_: &[f64]| 1.0, &[], &[]).unwrap();
}

// ------------------------------------------------------------------ rejects

#[test]
fn rejects_a_wrong_sign() {
    let mut grad = mixed_grad(&MIXED_AT);
    grad[2] = -grad[2];
    let err = check_gradient(mixed, &MIXED_AT, &grad).unwrap_err();
    assert_eq!(coordinate(err), 2);
}

#[test]
fn rejects_a_missing_term() {
    // ∂/∂y without the z² term.
    let mut grad = mixed_grad(&MIXED_AT);
    grad[1] = MIXED_AT[0].exp() * MIXED_AT[1].cos();
    let err = check_gradient(mixed, &MIXED_AT, &grad).unwrap_err();
    assert_eq!(coordinate(err), 1);
}

#[test]
fn rejects_a_factor_of_two() {
    let x = [-1.2, 1.0];
    let mut grad = rosenbrock_grad(&x);
    grad[0] *= 2.0;
    let err = check_gradient(rosenbrock, &x, &grad).unwrap_err();
    assert_eq!(coordinate(err), 0);
    let mut grad = rosenbrock_grad(&x);
    grad[1] *= 0.5;
    assert_eq!(
        coordinate(check_gradient(rosenbrock, &x, &grad).unwrap_err()),
        1
    );
}

#[test]
fn rejects_swapped_coordinates() {
    let mut grad = mixed_grad(&MIXED_AT);
    grad.swap(0, 1);
    let err = check_gradient(mixed, &MIXED_AT, &grad).unwrap_err();
    assert_eq!(coordinate(err), 0);
}

#[test]
fn rejects_mistakes_in_f32() {
    let f = |p: &[f32]| p[0] * p[1].sin();
    let x = [1.5_f32, 2.0];
    let good = [x[1].sin(), x[0] * x[1].cos()];
    check_gradient(f, &x, &good).unwrap();
    let sign = [good[0], -good[1]];
    assert_eq!(coordinate(check_gradient(f, &x, &sign).unwrap_err()), 1);
    let double = [2.0 * good[0], good[1]];
    assert_eq!(coordinate(check_gradient(f, &x, &double).unwrap_err()), 0);
    let swapped = [good[1], good[0]];
    assert_eq!(coordinate(check_gradient(f, &x, &swapped).unwrap_err()), 0);
    // A missing term: ∂/∂x of x·sin y + x² without 2x.
    let g = |p: &[f32]| p[0] * p[1].sin() + p[0] * p[0];
    assert_eq!(coordinate(check_gradient(g, &x, &good).unwrap_err()), 0);
}

#[test]
fn rejects_nan_gradients_and_nan_functions() {
    let x = [0.5, 0.5];
    let err = check_gradient(|p: &[f64]| p[0] + p[1], &x, &[1.0, f64::NAN]).unwrap_err();
    assert_eq!(coordinate(err), 1);
    let err = check_gradient(|_: &[f64]| f64::NAN, &x, &[0.0, 0.0]).unwrap_err();
    assert_eq!(coordinate(err), 0);
}

#[test]
fn length_mismatch_is_an_error_not_a_panic() {
    let err = check_gradient(|p: &[f64]| p[0], &[1.0, 2.0], &[1.0]).unwrap_err();
    assert_eq!(err, GradientMismatch::Length { x: 2, grad: 1 });
    assert_eq!(
        err.to_string(),
        "gradient has 1 entries but x has 2: pass one partial derivative per coordinate of x"
    );
}

#[test]
fn the_error_names_the_values() {
    let f = |p: &[f64]| p[0] * p[1];
    let err = check_gradient(f, &[3.0, 0.5], &[0.5, -3.0]).unwrap_err();
    match err {
        GradientMismatch::Coordinate {
            index,
            ad,
            fd,
            allowed,
        } => {
            assert_eq!(index, 1);
            assert_eq!(ad, -3.0);
            approx::assert_relative_eq!(fd, 3.0, max_relative = 1e-9);
            assert!(allowed > 0.0 && allowed < 1e-4, "{allowed}");
        }
        other => panic!("expected a coordinate mismatch, got {other:?}"),
    }
}

// ------------------------------------------------------------------ tolerance

#[test]
fn tolerance_can_be_loosened_and_tightened() {
    let f = |p: &[f64]| p[0].sin();
    let x = [0.8_f64];
    let off_by_a_percent = [1.01 * x[0].cos()];
    assert!(check_gradient(f, &x, &off_by_a_percent).is_err());
    let loose = Tolerance {
        rel: 0.05,
        ..Tolerance::default()
    };
    check_gradient_with(f, &x, &off_by_a_percent, &loose).unwrap();
    // An error of 1e-7 relative passes the default rel = 1e-6 but not a tighter one.
    let off_by_1e7 = [(1.0 + 1e-7) * x[0].cos()];
    check_gradient(f, &x, &off_by_1e7).unwrap();
    let tight = Tolerance {
        rel: 1e-9,
        abs: 0.0,
        ..Tolerance::default()
    };
    check_gradient_with(f, &x, &[x[0].cos()], &tight).unwrap();
    assert_eq!(
        coordinate(check_gradient_with(f, &x, &off_by_1e7, &tight).unwrap_err()),
        0
    );
}

#[test]
fn a_large_third_derivative_does_not_fail_a_correct_gradient() {
    // At the minimum of Rosenbrock the gradient is 0 but ∂³f/∂x³ = 2400: the truncation
    // error of the central difference alone exceeds abs = 1e-8.
    check_gradient(rosenbrock, &[1.0, 1.0], &[0.0, 0.0]).unwrap();
    let err = check_gradient(rosenbrock, &[1.0, 1.0], &[1e-4, 0.0]).unwrap_err();
    assert_eq!(coordinate(err), 0);
}

#[test]
fn default_tolerances_scale_with_the_precision() {
    let t64 = Tolerance::<f64>::default();
    let t32 = Tolerance::<f32>::default();
    assert_eq!((t64.rel, t64.abs), (1e-6, 1e-8));
    assert!(f64::from(t32.rel) > t64.rel && f64::from(t32.step) > t64.step);
    // Still far below the error of a factor of 2.
    assert!(t32.rel < 0.01);
}

// ------------------------------------------------------------------ display

#[test]
fn display_reads_as_one_sentence() {
    let err = GradientMismatch::Coordinate {
        index: 1,
        ad: 0.5_f64,
        fd: -0.5,
        allowed: 1e-8,
    };
    assert_eq!(
        err.to_string(),
        "gradient mismatch at coordinate 1: f_grad gives 0.5, central differences give -0.5 \
         (allowed error 1.00e-8)"
    );
    let err = GradientMismatch::Coordinate {
        index: 0,
        ad: 2.5e-9_f32,
        fd: 1.25e7,
        allowed: 0.0123,
    };
    assert_eq!(
        err.to_string(),
        "gradient mismatch at coordinate 0: f_grad gives 2.5e-9, central differences give \
         1.25e7 (allowed error 1.23e-2)"
    );
    let err = GradientMismatch::Direction {
        ad: 1.0_f64,
        fd: 0.75,
        allowed: 2e-6,
    };
    assert_eq!(
        err.to_string(),
        "gradient mismatch along a random direction d: f_grad gives grad·d = 1, central \
         differences give 0.75 (allowed error 2.00e-6); each coordinate passed on its own, so \
         small errors in many partials may add up, or f may have a kink near x"
    );
}

#[test]
fn display_of_a_real_failure() {
    let f = |p: &[f64]| p[0] * p[1].sin();
    let x = [1.5, 2.0];
    let err = check_gradient(f, &x, &[2.0_f64.sin(), -1.5 * 2.0_f64.cos()]).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("gradient mismatch at coordinate 1: f_grad gives 0.624"),
        "{text}"
    );
    assert!(text.contains("central differences give -0.624"), "{text}");
}

#[test]
fn is_a_std_error() {
    fn run() -> Result<(), Box<dyn std::error::Error>> {
        check_gradient(|p: &[f64]| p[0] * p[0], &[2.0], &[3.0])?;
        Ok(())
    }
    let err = run().unwrap_err();
    assert!(err
        .to_string()
        .starts_with("gradient mismatch at coordinate 0"));
}
