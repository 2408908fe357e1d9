//! Forward mode and second order (`#[differentiate(forward)]`, `hessian`): `f_jvp`,
//! `f_hvp` and `f_hessian` against hand-derived Hessians and the same functions over
//! num-dual's hyper-dual numbers, over straight-line code, branches, loops, local
//! buffers, the value stack, slices, arrays, calls and methods. Each test also ties
//! the outputs together: `jvp == grad·t`, `hvp == H·v`, the Hessian's gradient is
//! `f_grad`'s, and the Hessian is symmetric.

mod common;

use ad::differentiate;
use common::{assert_all_close, assert_close, assert_matrix_close, hyper_hessian};
use num_dual::{DualNum, HyperDual64};

/// H·v from a dense Hessian.
fn times(hessian: &[Vec<f64>], v: &[f64]) -> Vec<f64> {
    hessian
        .iter()
        .map(|row| row.iter().zip(v).map(|(h, v)| h * v).sum())
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

/// What every test checks of a function of the flattened inputs `point`, given
/// its outputs at `point`: the Hessian against `want`, symmetry, the gradient
/// against `f_grad`'s, H·v and ∇f·v against the Hessian and gradient.
struct Outputs {
    grad: Vec<f64>,
    hessian: (Vec<f64>, Vec<Vec<f64>>),
    hvp: (Vec<f64>, Vec<f64>),
    jvp: f64,
}

#[track_caller]
fn check(what: &str, outputs: Outputs, want: &[Vec<f64>], v: &[f64]) {
    let Outputs {
        grad,
        hessian: (gradient, hessian),
        hvp: (hvp_gradient, hv),
        jvp,
    } = outputs;
    assert_matrix_close(&format!("{what}: hessian"), &hessian, want);
    for (i, row) in hessian.iter().enumerate() {
        for (j, &h) in row.iter().enumerate() {
            let scale = h.abs().max(hessian[j][i].abs()).max(1e-300);
            assert!(
                (h - hessian[j][i]).abs() <= 1e-13 * scale,
                "{what}: not symmetric at ({i}, {j})"
            );
        }
    }
    assert_all_close(&format!("{what}: hessian's gradient"), &gradient, &grad);
    assert_all_close(&format!("{what}: hvp's gradient"), &hvp_gradient, &grad);
    let want_hv = times(want, v);
    let scale = want_hv.iter().fold(1e-300_f64, |m, x| m.max(x.abs()));
    for (i, (&got, &w)) in hv.iter().zip(&want_hv).enumerate() {
        assert!(
            (got - w).abs() <= 1e-12 * scale,
            "{what}: hvp[{i}] got {got:e}, want {w:e}"
        );
    }
    assert_close(&format!("{what}: jvp"), jvp, dot(&grad, v));
}

// ---------------------------------------------------------------- straight line

#[differentiate(hessian)]
fn elementary(x: f64, y: f64) -> f64 {
    let a = x.sin() * y.exp() + (x * y).tanh();
    let b = x.powi(3) / y + x.powf(y) + (x * x + y * y).sqrt();
    let c = y.atan2(x) + x.ln() * y.cosh() - (1.0 + x * y).recip();
    a + b * c + x.hypot(y) + x.cbrt()
}

fn elementary_dual<D: DualNum<Primitive = f64> + Copy>(v: &[D]) -> D {
    let (x, y) = (v[0], v[1]);
    let a = x.sin() * y.exp() + (x * y).tanh();
    let b = x.powi(3) / y + x.powd(y) + (x * x + y * y).sqrt();
    let c = y.atan2(x) + x.ln() * y.cosh() - (x * y + 1.0).recip();
    a + b * c + (x * x + y * y).sqrt() + x.cbrt()
}

#[test]
fn elementary_functions() {
    let (x, y) = (0.8, 1.3);
    let (vx, vy) = (0.3, -1.1);
    let (value, dx, dy) = elementary_grad(x, y);
    let (hvalue, gradient, hessian) = elementary_hessian(x, y);
    let (vvalue, hdx, hdy, hvx, hvy) = elementary_hvp(x, y, vx, vy);
    let (jvalue, jvp) = elementary_jvp(x, y, vx, vy);
    for other in [hvalue, vvalue, jvalue] {
        assert_eq!(other, value);
    }
    let want = hyper_hessian(elementary_dual, &[x, y]);
    check(
        "elementary",
        Outputs {
            grad: vec![dx, dy],
            hessian: (gradient, hessian),
            hvp: (vec![hdx, hdy], vec![hvx, hvy]),
            jvp,
        },
        &want,
        &[vx, vy],
    );
}

/// The rest of the rule table, so that every rule's second derivative (the rule
/// itself evaluated over dual numbers) meets an exact reference.
#[differentiate(hessian)]
fn more_elementary(x: f64, y: f64) -> f64 {
    let a = x.tan() + (x / 3.0).asin() + (y / 3.0).acos() + (x * y).atan();
    let b = x.sinh() * y.asinh() + (2.0 + x * x).acosh() + (y / 3.0).atanh();
    let c = x.exp2() + y.exp_m1() * x + (x * x).ln_1p() + x.log(2.0 + y);
    let e = (1.0 + y * y).log2() * (2.0 + x).log10() + x.mul_add(y, x * x);
    a * b + c + e + (x - y).abs() * x + (x.to_degrees() * 0.01).cos() * y.to_radians()
}

fn more_elementary_dual<D: DualNum<Primitive = f64> + Copy>(v: &[D]) -> D {
    let (x, y) = (v[0], v[1]);
    let a = x.tan() + (x / 3.0).asin() + (y / 3.0).acos() + (x * y).atan();
    let b = x.sinh() * y.asinh() + (x * x + 2.0).acosh() + (y / 3.0).atanh();
    let c = x.exp2() + y.exp_m1() * x + (x * x).ln_1p() + x.ln() / (y + 2.0).ln();
    let e = (y * y + 1.0).log2() * (x + 2.0).log10() + x * y + x * x;
    let degrees = x * (180.0 / std::f64::consts::PI);
    let radians = y * (std::f64::consts::PI / 180.0);
    a * b + c + e + (x - y).abs() * x + (degrees * 0.01).cos() * radians
}

#[test]
fn the_rest_of_the_rule_table() {
    let v = [0.7, -0.4];
    for (x, y) in [(0.8, 1.3), (1.9, 0.4)] {
        let (_, dx, dy) = more_elementary_grad(x, y);
        let (_, gradient, hessian) = more_elementary_hessian(x, y);
        let (_, hdx, hdy, hvx, hvy) = more_elementary_hvp(x, y, v[0], v[1]);
        let (_, jvp) = more_elementary_jvp(x, y, v[0], v[1]);
        check(
            "more elementary",
            Outputs {
                grad: vec![dx, dy],
                hessian: (gradient, hessian),
                hvp: (vec![hdx, hdy], vec![hvx, hvy]),
                jvp,
            },
            &hyper_hessian(more_elementary_dual, &[x, y]),
            &v,
        );
    }
}

// ---------------------------------------------------------------- slices and loops

/// Rosenbrock's function, whose Hessian is tridiagonal and known in closed form.
#[differentiate(hessian)]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut sum = 0.0;
    for i in 0..x.len() - 1 {
        let a = 1.0 - x[i];
        let b = x[i + 1] - x[i] * x[i];
        sum += a * a + 100.0 * b * b;
    }
    sum
}

fn rosenbrock_hessian_by_hand(x: &[f64]) -> Vec<Vec<f64>> {
    let n = x.len();
    let mut h = vec![vec![0.0; n]; n];
    for i in 0..n - 1 {
        h[i][i] += 2.0 - 400.0 * (x[i + 1] - 3.0 * x[i] * x[i]);
        h[i][i + 1] -= 400.0 * x[i];
        h[i + 1][i] -= 400.0 * x[i];
        h[i + 1][i + 1] += 200.0;
    }
    h
}

#[test]
fn rosenbrock_against_its_closed_form() {
    let x = [-1.2, 1.0, 0.4, 0.9, -0.3];
    let v = [0.5, -1.0, 2.0, 0.25, -0.75];
    let (_, grad) = rosenbrock_grad(&x);
    let (_, hgrad, hv) = rosenbrock_hvp(&x, &v);
    let (_, jvp) = rosenbrock_jvp(&x, &v);
    check(
        "rosenbrock",
        Outputs {
            grad,
            hessian: {
                let (_, g, h) = rosenbrock_hessian(&x);
                (g, h)
            },
            hvp: (hgrad, hv),
            jvp,
        },
        &rosenbrock_hessian_by_hand(&x),
        &v,
    );
}

/// Logistic regression's negative log-likelihood: H = Σ σ(1 − σ)·xxᵀ.
#[differentiate(hessian, wrt(w))]
fn logistic_loss(w: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let d = w.len();
    let mut loss = 0.0;
    for (k, &y) in ys.iter().enumerate() {
        let mut z = 0.0;
        for j in 0..d {
            z += w[j] * xs[k * d + j];
        }
        loss += (1.0 + z.exp()).ln() - y * z;
    }
    loss
}

#[test]
fn logistic_regression_against_its_closed_form() {
    let xs = [
        1.0, 0.5, -1.2, 1.0, -0.3, 0.8, 1.0, 1.7, 0.1, 1.0, -0.9, -0.4,
    ];
    let ys = [1.0, 0.0, 1.0, 0.0];
    let w = [0.2, -0.4, 0.7];
    let d = w.len();
    let mut want = vec![vec![0.0; d]; d];
    for k in 0..ys.len() {
        let row = &xs[k * d..(k + 1) * d];
        let z: f64 = row.iter().zip(&w).map(|(x, w)| x * w).sum();
        let p = 1.0 / (1.0 + (-z).exp());
        for i in 0..d {
            for j in 0..d {
                want[i][j] += p * (1.0 - p) * row[i] * row[j];
            }
        }
    }
    let v = [1.0, -2.0, 0.5];
    let (_, grad) = logistic_loss_grad(&w, &xs, &ys);
    let (_, gradient, hessian) = logistic_loss_hessian(&w, &xs, &ys);
    let (_, hgrad, hv) = logistic_loss_hvp(&w, &xs, &ys, &v);
    let (_, jvp) = logistic_loss_jvp(&w, &xs, &ys, &v);
    check(
        "logistic",
        Outputs {
            grad,
            hessian: (gradient, hessian),
            hvp: (hgrad, hv),
            jvp,
        },
        &want,
        &v,
    );
}

/// log Σ exp(xᵢ) over an array: H = diag(p) − ppᵀ with p the softmax.
#[differentiate(hessian)]
#[allow(clippy::needless_range_loop)] // indexed loops are what is under test
fn log_sum_exp(x: [f64; 4]) -> f64 {
    let mut top = x[0];
    for i in 1..4 {
        top = top.max(x[i]);
    }
    let mut sum = 0.0;
    for i in 0..4 {
        sum += (x[i] - top).exp();
    }
    top + sum.ln()
}

#[test]
fn log_sum_exp_against_its_closed_form() {
    let x = [0.3, -1.0, 2.2, 0.9];
    let total: f64 = x.iter().map(|x| x.exp()).sum();
    let p: Vec<f64> = x.iter().map(|x| x.exp() / total).collect();
    let want: Vec<Vec<f64>> = (0..4)
        .map(|i| {
            (0..4)
                .map(|j| if i == j { p[i] } else { 0.0 } - p[i] * p[j])
                .collect()
        })
        .collect();
    let v = [0.1, 0.2, -0.3, 0.4];
    let (_, grad) = log_sum_exp_grad(x);
    let (_, gradient, hessian) = log_sum_exp_hessian(x);
    let (_, hgrad, hv) = log_sum_exp_hvp(x, &v);
    let (_, jvp) = log_sum_exp_jvp(x, &v);
    check(
        "log_sum_exp",
        Outputs {
            grad: grad.to_vec(),
            hessian: (gradient, hessian),
            hvp: (hgrad.to_vec(), hv.to_vec()),
            jvp,
        },
        &want,
        &v,
    );
}

// ---------------------------------------------------------------- control flow

/// Branches on the inputs, a `while` loop carrying nonlinear state (so the
/// reverse sweep pops recorded values and their tangents), a local buffer.
#[differentiate(hessian)]
#[allow(clippy::needless_range_loop, clippy::useless_vec)] // a `vec!` buffer in indexed loops is what is under test
fn control(x: f64, y: f64) -> f64 {
    let mut s = if x > y { x * x * y } else { y.exp() * x };
    let mut k = 0;
    while k < 4 {
        s = 0.5 * s + (s * y).sin();
        k += 1;
    }
    let mut buffer = vec![0.0; 3];
    for i in 0..3 {
        buffer[i] = s * (i as f64 + 1.0) + x;
    }
    let mut total = 0.0;
    for i in 0..3 {
        total += buffer[i] * buffer[i] * y;
    }
    total
}

fn control_dual<D: DualNum<Primitive = f64> + Copy>(v: &[D]) -> D {
    let (x, y) = (v[0], v[1]);
    let mut s = if x.re() > y.re() {
        x * x * y
    } else {
        y.exp() * x
    };
    for _ in 0..4 {
        s = s * 0.5 + (s * y).sin();
    }
    let buffer: Vec<D> = (0..3).map(|i| s * (i as f64 + 1.0) + x).collect();
    buffer.iter().fold(D::zero(), |t, &b| t + b * b * y)
}

#[test]
fn branches_loops_and_buffers() {
    for (x, y) in [(0.9, 0.4), (0.2, 0.7)] {
        let v = [0.6, -0.8];
        let (_, dx, dy) = control_grad(x, y);
        let (_, gradient, hessian) = control_hessian(x, y);
        let (_, hdx, hdy, hvx, hvy) = control_hvp(x, y, v[0], v[1]);
        let (_, jvp) = control_jvp(x, y, v[0], v[1]);
        check(
            "control",
            Outputs {
                grad: vec![dx, dy],
                hessian: (gradient, hessian),
                hvp: (vec![hdx, hdy], vec![hvx, hvy]),
                jvp,
            },
            &hyper_hessian(control_dual, &[x, y]),
            &v,
        );
    }
}

// ---------------------------------------------------------------- calls

#[differentiate(hessian)]
#[allow(clippy::needless_range_loop)] // an indexed loop is what is under test
fn energy(p: &[f64], k: f64) -> f64 {
    let mut e = 0.0;
    for i in 0..p.len() {
        e += k * p[i].powi(4) + p[i].cos();
    }
    e
}

/// Calls another differentiated function twice, once inside a loop, with a
/// scalar and a slice argument.
#[differentiate(hessian)]
fn composed(p: &[f64], k: f64) -> f64 {
    let mut total = energy(p, k * k);
    for i in 0..p.len() {
        total += p[i] * energy(p, k + p[i]);
    }
    total.sqrt()
}

fn energy_dual<D: DualNum<Primitive = f64> + Copy>(p: &[D], k: D) -> D {
    p.iter()
        .fold(D::zero(), |e, &x| e + k * x.powi(4) + x.cos())
}

fn composed_dual<D: DualNum<Primitive = f64> + Copy>(v: &[D]) -> D {
    let (p, k) = (&v[..3], v[3]);
    let mut total = energy_dual(p, k * k);
    for &x in p {
        total += x * energy_dual(p, k + x);
    }
    total.sqrt()
}

#[test]
fn calls_between_differentiated_functions() {
    let (p, k) = ([0.3, -0.5, 0.8], 1.2);
    let v = [1.0, 0.5, -0.25, 2.0];
    let (_, dp, dk) = composed_grad(&p, k);
    let (_, gradient, hessian) = composed_hessian(&p, k);
    let (_, hdp, hdk, hvp, hvk) = composed_hvp(&p, k, &v[..3], v[3]);
    let (_, jvp) = composed_jvp(&p, k, &v[..3], v[3]);
    let mut grad = dp;
    grad.push(dk);
    let mut hgrad = hdp;
    hgrad.push(hdk);
    let mut hv = hvp;
    hv.push(hvk);
    check(
        "composed",
        Outputs {
            grad,
            hessian: (gradient, hessian),
            hvp: (hgrad, hv),
            jvp,
        },
        &hyper_hessian(composed_dual, &[p[0], p[1], p[2], k]),
        &v,
    );
}

// ---------------------------------------------------------------- methods and f32

struct Spring {
    stiffness: f64,
}

impl Spring {
    #[differentiate(hessian)]
    fn potential(&self, x: f64, y: f64) -> f64 {
        self.stiffness * (x * x + y * y).sqrt().powi(3) + x * y.sin()
    }
}

#[test]
fn methods() {
    let spring = Spring { stiffness: 2.5 };
    let (x, y) = (0.4, -0.9);
    let potential = |v: &[HyperDual64]| {
        let (x, y) = (v[0], v[1]);
        (x * x + y * y).sqrt().powi(3) * 2.5 + x * y.sin()
    };
    let (_, dx, dy) = spring.potential_grad(x, y);
    let (_, gradient, hessian) = spring.potential_hessian(x, y);
    let (_, hdx, hdy, hvx, hvy) = spring.potential_hvp(x, y, 1.0, 3.0);
    let (_, jvp) = spring.potential_jvp(x, y, 1.0, 3.0);
    check(
        "method",
        Outputs {
            grad: vec![dx, dy],
            hessian: (gradient, hessian),
            hvp: (vec![hdx, hdy], vec![hvx, hvy]),
            jvp,
        },
        &hyper_hessian(potential, &[x, y]),
        &[1.0, 3.0],
    );
}

#[differentiate(hessian)]
fn single(x: f32, y: f32) -> f32 {
    x * x * y + y.exp()
}

#[test]
fn single_precision() {
    let (x, y) = (1.5_f32, 0.5_f32);
    let (value, gradient, hessian) = single_hessian(x, y);
    assert_eq!(value, single(x, y));
    assert_eq!(gradient, vec![2.0 * x * y, x * x + y.exp()]);
    assert_eq!(
        hessian,
        vec![vec![2.0 * y, 2.0 * x], vec![2.0 * x, y.exp()]]
    );
}

// ---------------------------------------------------------------- forward only

/// `forward` alone gives `f_jvp` (and no `f_hvp`).
#[differentiate(forward)]
fn pendulum(theta: f64, omega: f64, dt: f64) -> f64 {
    let mut t = theta;
    let mut w = omega;
    for _ in 0..10 {
        w -= dt * t.sin();
        t += dt * w;
    }
    t
}

#[test]
fn forward_mode_matches_the_gradient() {
    let (theta, omega, dt) = (0.6, -0.2, 0.05);
    let (value, a, b, c) = pendulum_grad(theta, omega, dt);
    let tangent = [0.3, -1.4, 2.0];
    let (jvalue, jvp) = pendulum_jvp(theta, omega, dt, tangent[0], tangent[1], tangent[2]);
    assert_eq!(jvalue, value);
    assert_close("pendulum jvp", jvp, dot(&[a, b, c], &tangent));
}

/// Unit tangents give the gradient's components, a zero tangent gives zero.
#[test]
fn unit_and_zero_tangents() {
    let (theta, omega, dt) = (0.6, -0.2, 0.05);
    let (_, a, b, c) = pendulum_grad(theta, omega, dt);
    for (k, want) in [a, b, c].into_iter().enumerate() {
        let unit = |j: usize| if j == k { 1.0 } else { 0.0 };
        let (_, jvp) = pendulum_jvp(theta, omega, dt, unit(0), unit(1), unit(2));
        assert_close(&format!("component {k}"), jvp, want);
    }
    assert_eq!(pendulum_jvp(theta, omega, dt, 0.0, 0.0, 0.0).1, 0.0);
}

// ---------------------------------------------------------------- stop-gradient

/// `ad::no_grad` stops tangents as it stops adjoints: `x * no_grad(x * y)` has the
/// gradient (x·y, 0) seen as constant: ∂/∂x = c, ∂/∂y = 0, and the Hessian is zero
/// but for what the remaining `x·y` term gives.
#[differentiate(hessian)]
fn stopped(x: f64, y: f64) -> f64 {
    x * ad::no_grad(x * y) + x * y
}

#[test]
fn no_grad_stops_tangents() {
    let (x, y) = (1.5, -2.0);
    let (_, gradient, hessian) = stopped_hessian(x, y);
    assert_eq!(gradient, vec![x * y + y, x]);
    assert_eq!(hessian, vec![vec![0.0, 1.0], vec![1.0, 0.0]]);
    let (_, jvp) = stopped_jvp(x, y, 1.0, 1.0);
    assert_eq!(jvp, x * y + y + x);
}

// ---------------------------------------------------------------- custom derivatives

/// log(1 + eˣ) without overflow, with a hand-written derivative generic over the
/// float type, which is what forward mode and Hessians evaluate over dual numbers.
fn softplus(x: f64, w: &[f64]) -> f64 {
    let z = x * w[0] + w[1];
    if z > 30.0 {
        z
    } else {
        z.exp().ln_1p()
    }
}

#[ad::custom_adjoint]
fn softplus_adjoint<T: ad::Real>(x: T, w: &[T], seed: T, d_x: &mut T, d_w: &mut [T]) -> T {
    let z = x * w[0] + w[1];
    let sigmoid = T::ONE / (T::ONE + (-z).exp());
    *d_x += seed * sigmoid * w[0];
    d_w[0] += seed * sigmoid * x;
    d_w[1] += seed * sigmoid;
    if z > T::from_f64(30.0) {
        z
    } else {
        z.exp().ln_1p()
    }
}

#[differentiate(hessian)]
fn with_custom(x: f64, w: &[f64]) -> f64 {
    let s = softplus(x * x, w);
    s * s + softplus(w[1], w) * x
}

fn softplus_dual<D: DualNum<Primitive = f64> + Copy>(x: D, w: &[D]) -> D {
    (x * w[0] + w[1]).exp().ln_1p()
}

#[test]
fn generic_custom_adjoints_give_tangents_and_hessians() {
    let (x, w) = (0.7, [1.3, -0.4]);
    let (value, dx, dw) = with_custom_grad(x, &w);
    let (hvalue, gradient, hessian) = with_custom_hessian(x, &w);
    assert_eq!(hvalue, value);
    let v = [0.5, -1.0, 2.0];
    let (_, hdx, hdw, hvx, hvw) = with_custom_hvp(x, &w, v[0], &v[1..]);
    let (jvalue, jvp) = with_custom_jvp(x, &w, v[0], &v[1..]);
    assert_eq!(jvalue, value);
    let mut grad = vec![dx];
    grad.extend(&dw);
    let mut hgrad = vec![hdx];
    hgrad.extend(&hdw);
    let mut hv = vec![hvx];
    hv.extend(&hvw);
    let want = hyper_hessian(
        |p: &[HyperDual64]| {
            let (x, w) = (p[0], &p[1..]);
            let s = softplus_dual(x * x, w);
            s * s + softplus_dual(w[1], w) * x
        },
        &[x, w[0], w[1]],
    );
    check(
        "custom",
        Outputs {
            grad,
            hessian: (gradient, hessian),
            hvp: (hgrad, hv),
            jvp,
        },
        &want,
        &v,
    );
}

/// A generic custom adjoint whose value goes through `f64` (so the value carries no
/// tangent) still gives the right forward mode and Hessian: the tangent is taken
/// from the adjoints, and the derivative is written in `T`.
fn cube_root(x: f64) -> f64 {
    x.cbrt()
}

#[ad::custom_adjoint]
fn cube_root_adjoint<T: ad::Real>(x: T, seed: T, d_x: &mut T) -> T {
    let root = x.cbrt();
    *d_x += seed / (T::from_f64(3.0) * root * root);
    T::from_f64(cube_root(x.to_f64()))
}

#[differentiate(hessian)]
fn through_cube_root(x: f64, y: f64) -> f64 {
    cube_root(x * y) * y
}

#[test]
fn custom_adjoints_whose_value_is_not_generic() {
    let (x, y) = (1.7, 0.6);
    let (_, dx, dy) = through_cube_root_grad(x, y);
    let (_, jvp) = through_cube_root_jvp(x, y, 0.5, -1.5);
    assert_close("jvp", jvp, 0.5 * dx - 1.5 * dy);
    // f = (xy)^(1/3)·y = x^(1/3)·y^(4/3)
    let (_, gradient, hessian) = through_cube_root_hessian(x, y);
    assert_all_close("gradient", &gradient, &[dx, dy]);
    let want = [
        [
            -2.0 / 9.0 * x.powf(-5.0 / 3.0) * y.powf(4.0 / 3.0),
            4.0 / 9.0 * x.powf(-2.0 / 3.0) * y.powf(1.0 / 3.0),
        ],
        [
            4.0 / 9.0 * x.powf(-2.0 / 3.0) * y.powf(1.0 / 3.0),
            4.0 / 9.0 * x.powf(1.0 / 3.0) * y.powf(-2.0 / 3.0),
        ],
    ];
    assert_matrix_close(
        "hessian",
        &hessian,
        &want.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
    );
}
