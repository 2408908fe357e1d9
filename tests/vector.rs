//! Vector-valued functions (issue 19): `f_vjp`, `f_adjoint` with a seed slice,
//! `f_adjoint_all` and `f_jacobian`, checked against Jacobians derived by hand and
//! over dual numbers (one forward pass per input column), with `vjp == seedᵀ·J` for
//! random seeds; central differences only as a second check.

mod common;

use ad::differentiate;
use common::{assert_all_close, assert_close, d};
use num_dual::{Dual64, DualNum};

/// The Jacobian of `f` at `point` over dual numbers: column `k` from one forward
/// pass with input `k` seeded.
fn dual_jacobian(f: impl Fn(&[Dual64]) -> Vec<Dual64>, point: &[f64]) -> Vec<Vec<f64>> {
    let columns: Vec<Vec<f64>> = (0..point.len())
        .map(|k| {
            let args: Vec<Dual64> = point
                .iter()
                .enumerate()
                .map(|(j, &x)| if j == k { d(x).derivative() } else { d(x) })
                .collect();
            f(&args).iter().map(|v| v.eps).collect()
        })
        .collect();
    let m = columns.first().map_or(0, Vec::len);
    (0..m)
        .map(|i| columns.iter().map(|column| column[i]).collect())
        .collect()
}

#[track_caller]
fn assert_jacobian(what: &str, got: &[Vec<f64>], want: &[Vec<f64>]) {
    assert_eq!(got.len(), want.len(), "{what}: rows");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_all_close(&format!("{what} row {i}"), g, w);
    }
}

/// `got` equals `want` to `tolerance` relative to the largest entry of `want`.
#[track_caller]
fn assert_near(what: &str, got: &[f64], want: &[f64], tolerance: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let scale = want.iter().fold(1e-300_f64, |m, w| m.max(w.abs()));
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tolerance * scale,
            "{what}[{i}]: got {g:e}, want {w:e}"
        );
    }
}

/// Reproducible seeds in [-1, 1): a linear congruential generator.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }

    fn vector(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.next()).collect()
    }
}

/// `seedᵀ·J`.
fn seed_times(seed: &[f64], jacobian: &[Vec<f64>]) -> Vec<f64> {
    let n = jacobian.first().map_or(0, Vec::len);
    (0..n)
        .map(|j| seed.iter().zip(jacobian).map(|(s, row)| s * row[j]).sum())
        .collect()
}

/// Central differences of every output: column `k` of the Jacobian.
fn difference_jacobian(f: impl Fn(&[f64]) -> Vec<f64>, point: &[f64]) -> Vec<Vec<f64>> {
    let columns: Vec<Vec<f64>> = (0..point.len())
        .map(|k| {
            let h = 1e-6 * point[k].abs().max(1.0);
            let (mut up, mut down) = (point.to_vec(), point.to_vec());
            up[k] += h;
            down[k] -= h;
            let (fu, fd) = (f(&up), f(&down));
            fu.iter()
                .zip(&fd)
                .map(|(u, d)| (u - d) / (2.0 * h))
                .collect()
        })
        .collect();
    let m = columns.first().map_or(0, Vec::len);
    (0..m)
        .map(|i| columns.iter().map(|column| column[i]).collect())
        .collect()
}

// Straight-line code: an array literal.

/// Polar to Cartesian coordinates.
#[differentiate]
fn polar(r: f64, theta: f64) -> [f64; 2] {
    [r * theta.cos(), r * theta.sin()]
}

#[test]
fn array_literal_jacobian_by_hand() {
    let (r, t) = (1.7, 0.6);
    let (value, jac) = polar_jacobian(r, t);
    assert_eq!(value, polar(r, t));
    assert_jacobian(
        "polar",
        &jac,
        &[vec![t.cos(), -r * t.sin()], vec![t.sin(), r * t.cos()]],
    );
    let (value, dr, dt) = polar_vjp(r, t, &[0.3, -2.0]);
    assert_eq!(value, polar(r, t));
    assert_close("dr", dr, 0.3 * t.cos() - 2.0 * t.sin());
    assert_close("dt", dt, -0.3 * r * t.sin() - 2.0 * r * t.cos());
}

/// The cross product of two arrays: a fixed-length input and output.
#[differentiate]
fn cross(a: [f64; 3], b: &[f64; 3]) -> [f64; 3] {
    let mut c = [0.0; 3];
    c[0] = a[1] * b[2] - a[2] * b[1];
    c[1] = a[2] * b[0] - a[0] * b[2];
    c[2] = a[0] * b[1] - a[1] * b[0];
    c
}

#[test]
fn cross_product_jacobian_by_hand() {
    let (a, b) = ([0.5, -1.25, 2.0], [3.0, 0.75, -0.5]);
    let (value, jac) = cross_jacobian(a, &b);
    assert_eq!(value, cross(a, &b));
    // ∂(a × b)/∂a = -[b]ₓ, ∂(a × b)/∂b = [a]ₓ, side by side.
    let want = vec![
        vec![0.0, b[2], -b[1], 0.0, -a[2], a[1]],
        vec![-b[2], 0.0, b[0], a[2], 0.0, -a[0]],
        vec![b[1], -b[0], 0.0, -a[1], a[0], 0.0],
    ];
    assert_jacobian("cross", &jac, &want);
    let seed = [0.25, -1.5, 0.75];
    let (value, da, db) = cross_vjp(a, &b, &seed);
    assert_eq!(value, cross(a, &b));
    let vjp = seed_times(&seed, &want);
    assert_all_close("da", &da, &vjp[..3]);
    assert_all_close("db", &db, &vjp[3..]);
}

// Loops over slices, with a constant parameter and a scalar parameter: the Misra1a
// model's residuals, `b1·(1 − exp(−b2·x)) − y`.

#[differentiate(wrt(b))]
fn misra_residuals(b: &[f64], x: &[f64], y: &[f64]) -> Vec<f64> {
    let mut r = vec![0.0; x.len()];
    for i in 0..x.len() {
        r[i] = b[0] * (1.0 - (-b[1] * x[i]).exp()) - y[i];
    }
    r
}

#[test]
fn residual_jacobian_by_hand_and_vjp() {
    let (b, x, y) = (
        [240.0, 5.5e-4],
        [77.6, 114.9, 141.1, 190.8],
        [10.07, 14.73, 17.94, 23.93],
    );
    let (value, jac) = misra_residuals_jacobian(&b, &x, &y);
    assert_eq!(value, misra_residuals(&b, &x, &y));
    let want: Vec<Vec<f64>> = x
        .iter()
        .map(|&xi| {
            let e = (-b[1] * xi).exp();
            vec![1.0 - e, b[0] * xi * e]
        })
        .collect();
    assert_jacobian("misra", &jac, &want);
    let mut rng = Lcg(19);
    for _ in 0..5 {
        let seed = rng.vector(x.len());
        let (value, db) = misra_residuals_vjp(&b, &x, &y, &seed);
        assert_eq!(value, misra_residuals(&b, &x, &y));
        assert_all_close("seedᵀJ", &db, &seed_times(&seed, &want));
    }
}

#[test]
fn adjoint_adds_into_the_buffers() {
    let (b, x, y) = ([240.0, 5.5e-4], [77.6, 114.9], [10.07, 14.73]);
    let seed = [0.5, -0.25];
    let (_, once) = misra_residuals_vjp(&b, &x, &y, &seed);
    let mut db = [1.0, 2.0];
    let value = misra_residuals_adjoint(&b, &x, &y, &seed, &mut db);
    assert_eq!(value, misra_residuals(&b, &x, &y));
    assert_close("db[0]", db[0], 1.0 + once[0]);
    assert_close("db[1]", db[1], 2.0 + once[1]);
}

#[test]
#[should_panic(
    expected = "the seed of `misra_residuals` has 3 elements, but `misra_residuals` returned 2 values"
)]
fn a_seed_of_the_wrong_length_panics() {
    let (b, x, y) = ([240.0, 5.5e-4], [77.6, 114.9], [10.07, 14.73]);
    let _ = misra_residuals_vjp(&b, &x, &y, &[1.0, 2.0, 3.0]);
}

// Branches, scalar and slice parameters mixed, and a call of a scalar function.

#[differentiate]
fn square(v: f64) -> f64 {
    v * v
}

/// Element `i`: a branch on `x[i]`, a scalar `a` and a call.
#[differentiate]
fn branchy(a: f64, x: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n];
    for i in 0..n {
        out[i] = if x[i] > 0.0 {
            a * x[i].ln() + square(x[i])
        } else {
            (a * x[i]).sin()
        };
    }
    out
}

fn branchy_dual(p: &[Dual64]) -> Vec<Dual64> {
    let a = p[0];
    p[1..]
        .iter()
        .map(|&x| {
            if x.re > 0.0 {
                a * x.ln() + x * x
            } else {
                (a * x).sin()
            }
        })
        .collect()
}

#[test]
fn branches_and_calls_against_dual_numbers() {
    let (a, x) = (0.8, [1.5, -0.4, 2.5, -1.0]);
    let (value, jac) = branchy_jacobian(a, &x, x.len());
    assert_eq!(value, branchy(a, &x, x.len()));
    let point: Vec<f64> = std::iter::once(a).chain(x).collect();
    let want = dual_jacobian(branchy_dual, &point);
    assert_jacobian("branchy", &jac, &want);
    let mut rng = Lcg(7);
    for _ in 0..5 {
        let seed = rng.vector(x.len());
        let (_, da, dx) = branchy_vjp(a, &x, x.len(), &seed);
        let vjp = seed_times(&seed, &want);
        assert_close("da", da, vjp[0]);
        assert_all_close("dx", &dx, &vjp[1..]);
    }
    let differences = difference_jacobian(|p| branchy(p[0], &p[1..], 4), &point);
    for (got, want) in jac.iter().zip(&differences) {
        assert_near("central differences", got, want, 1e-6);
    }
}

// `collect()` of an iterator chain, and `Vec::new()` then `push` (a softmax).

#[differentiate]
fn scaled_sines(x: &[f64], s: f64) -> Vec<f64> {
    x.iter().map(|&v| s * v.sin()).collect()
}

#[test]
fn collect_jacobian_by_hand() {
    let (x, s) = ([0.3, -1.2, 2.0], 1.5);
    let (value, jac) = scaled_sines_jacobian(&x, s);
    assert_eq!(value, scaled_sines(&x, s));
    for (i, row) in jac.iter().enumerate() {
        let mut want = vec![0.0; 4];
        want[i] = s * x[i].cos();
        want[3] = x[i].sin();
        assert_all_close(&format!("row {i}"), row, &want);
    }
}

#[differentiate]
fn softmax(x: &[f64]) -> Vec<f64> {
    let top = ad::no_grad(x.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    let mut e = Vec::new();
    for &v in x {
        e.push((v - top).exp());
    }
    let total: f64 = e.iter().sum();
    let mut out = Vec::new();
    for &v in e.iter() {
        out.push(v / total);
    }
    out
}

fn softmax_dual(x: &[Dual64]) -> Vec<Dual64> {
    let e: Vec<Dual64> = x.iter().map(|v| v.exp()).collect();
    let total = e.iter().fold(d(0.0), |s, &v| s + v);
    e.iter().map(|&v| v / total).collect()
}

#[test]
fn softmax_jacobian_by_hand_and_dual_numbers() {
    let x = [0.5, -1.0, 2.0, 0.25];
    let (value, jac) = softmax_jacobian(&x);
    assert_eq!(value, softmax(&x));
    // ∂pᵢ/∂xⱼ = pᵢ(δᵢⱼ − pⱼ).
    let p = &value;
    let want: Vec<Vec<f64>> = (0..4)
        .map(|i| {
            (0..4)
                .map(|j| p[i] * (f64::from(u8::from(i == j)) - p[j]))
                .collect()
        })
        .collect();
    for (i, (got, w)) in jac.iter().zip(&want).enumerate() {
        assert_near(&format!("row {i}"), got, w, 1e-14);
    }
    for (i, (got, w)) in jac.iter().zip(dual_jacobian(softmax_dual, &x)).enumerate() {
        assert_near(&format!("dual row {i}"), got, &w, 1e-14);
    }
}

// A `while` loop carrying a scalar into every output.

/// `x, x², x³, …` while below `limit`: as many outputs as the loop runs.
#[differentiate(wrt(x))]
fn powers(x: f64, limit: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let mut p = x;
    while p < limit {
        out.push(p);
        p *= x;
    }
    out
}

#[test]
fn while_loop_jacobian_by_hand() {
    let x = 1.3_f64;
    let (value, jac) = powers_jacobian(x, 3.0);
    assert_eq!(value, powers(x, 3.0));
    assert_eq!(value.len(), 4);
    for (k, row) in jac.iter().enumerate() {
        let k = k as i32 + 1;
        assert_all_close(&format!("row {k}"), row, &[f64::from(k) * x.powi(k - 1)]);
    }
}

// f32.

#[differentiate]
fn rotate32(v: &[f32], angle: f32) -> [f32; 2] {
    let (s, c) = angle.sin_cos();
    [c * v[0] - s * v[1], s * v[0] + c * v[1]]
}

#[test]
fn f32_jacobian_by_hand() {
    let (v, t) = ([1.5_f32, -0.5], 0.4_f32);
    let (value, jac) = rotate32_jacobian(&v, t);
    assert_eq!(value, rotate32(&v, t));
    let (s, c) = t.sin_cos();
    let want = [[c, -s, -s * v[0] - c * v[1]], [s, c, c * v[0] - s * v[1]]];
    for (row, want) in jac.iter().zip(want) {
        for (&g, w) in row.iter().zip(want) {
            assert!((g - w).abs() <= 1e-6 * w.abs().max(1.0), "{g} vs {w}");
        }
    }
    let (_, dv, dt) = rotate32_vjp(&v, t, &[1.0, 2.0]);
    assert!((dv[0] - (c + 2.0 * s)).abs() < 1e-6);
    assert!((dv[1] - (-s + 2.0 * c)).abs() < 1e-6);
    assert!((dt - (want[0][2] + 2.0 * want[1][2])).abs() < 1e-6);
}

// A vector parameter taken by value (cloned for each sweep of the Jacobian).

#[differentiate]
fn differences(x: Vec<f64>) -> Vec<f64> {
    x.windows(2).map(|w| w[1] * w[1] - w[0]).collect()
}

#[test]
fn by_value_vector_parameter() {
    let x = vec![0.5, 1.5, -2.0];
    let (value, jac) = differences_jacobian(x.clone());
    assert_eq!(value, differences(x.clone()));
    assert_jacobian(
        "differences",
        &jac,
        &[vec![-1.0, 2.0 * x[1], 0.0], vec![0.0, -1.0, 2.0 * x[2]]],
    );
}

// Composition: a vector-valued helper called from a scalar and from a vector-valued
// function; the caller's reverse sweep seeds the helper's `_adjoint_all` with the
// adjoint buffer of the vector it returned.

/// One explicit Euler step of an oscillator with stiffness `k`.
#[differentiate]
fn step(state: &[f64], k: f64, dt: f64) -> Vec<f64> {
    let mut next = vec![0.0; 2];
    next[0] = state[0] + dt * state[1];
    next[1] = state[1] - dt * k * state[0].sin();
    next
}

fn step_dual(state: &[Dual64], k: Dual64, dt: Dual64) -> Vec<Dual64> {
    vec![state[0] + dt * state[1], state[1] - dt * k * state[0].sin()]
}

#[differentiate]
fn energy_after_step(state: &[f64], k: f64, dt: f64) -> f64 {
    let next: Vec<f64> = step(state, k, dt);
    0.5 * (next[1] * next[1] + k * next[0] * next[0])
}

#[differentiate]
fn two_steps(state: &[f64], k: f64) -> Vec<f64> {
    let once: Vec<f64> = step(state, k, 0.1);
    let twice: Vec<f64> = step(&once, k, 0.1);
    let mut out = vec![0.0; 2];
    out[0] = twice[0] * twice[1];
    out[1] = once[0].sin();
    out
}

#[test]
fn a_vector_helper_called_from_a_scalar_function() {
    let (state, k, dt) = ([0.7, -0.3], 2.5, 0.05);
    let energy = |s: &[Dual64], k: Dual64, dt: Dual64| {
        let next = step_dual(s, k, dt);
        (next[1] * next[1] + k * next[0] * next[0]) * 0.5
    };
    let (value, ds, dk, ddt) = energy_after_step_grad(&state, k, dt);
    assert_eq!(value, energy_after_step(&state, k, dt));
    let point = [state[0], state[1], k, dt];
    let want = common::dual_gradient(|p| energy(&p[..2], p[2], p[3]), &point);
    assert_all_close("d state", &ds, &want[..2]);
    assert_close("dk", dk, want[2]);
    assert_close("ddt", ddt, want[3]);
}

#[test]
fn a_vector_helper_called_twice_from_a_vector_function() {
    let (state, k) = ([0.7, -0.3], 2.5);
    let (value, jac) = two_steps_jacobian(&state, k);
    assert_eq!(value, two_steps(&state, k));
    let dual = |p: &[Dual64]| {
        let once = step_dual(&p[..2], p[2], d(0.1));
        let twice = step_dual(&once, p[2], d(0.1));
        vec![twice[0] * twice[1], once[0].sin()]
    };
    let point = [state[0], state[1], k];
    assert_jacobian("two steps", &jac, &dual_jacobian(dual, &point));
    let (_, step_jacobian) = step_jacobian(&state, k, 0.1);
    let want_step = dual_jacobian(
        |p| step_dual(&p[..2], p[2], p[3]),
        &[state[0], state[1], k, 0.1],
    );
    assert_jacobian("step", &step_jacobian, &want_step);
}

// ---------------------------------------------------------------- forward mode

/// Two inputs, five outputs: with `forward`, `f_jacobian` takes two forward sweeps
/// (columns) instead of five reverse ones (rows); `f_jvp` gives J·t.
#[differentiate(forward)]
// Index writes into the returned buffer are the shape under test.
#[allow(clippy::needless_range_loop)]
fn trajectory(p: &[f64], speed: f64) -> Vec<f64> {
    let mut out = vec![0.0; 5];
    for i in 0..5 {
        let t = i as f64 * 0.25;
        out[i] = p[0] * (speed * t).sin() + p[1] * t * t;
    }
    out
}

/// The same without `forward`: reverse sweeps only, the reference for the columns.
#[differentiate]
// Index writes into the returned buffer are the shape under test.
#[allow(clippy::needless_range_loop)]
fn trajectory_reverse(p: &[f64], speed: f64) -> Vec<f64> {
    let mut out = vec![0.0; 5];
    for i in 0..5 {
        let t = i as f64 * 0.25;
        out[i] = p[0] * (speed * t).sin() + p[1] * t * t;
    }
    out
}

fn trajectory_dual(v: &[Dual64]) -> Vec<Dual64> {
    (0..5)
        .map(|i| {
            let t = i as f64 * 0.25;
            v[0] * (v[2] * t).sin() + v[1] * (t * t)
        })
        .collect()
}

#[test]
fn forward_mode_of_vector_functions() {
    let (p, speed) = ([0.8, -1.3], 2.1);
    let (value, jacobian) = trajectory_jacobian(&p, speed);
    let (reverse_value, by_rows) = trajectory_reverse_jacobian(&p, speed);
    assert_eq!(value, reverse_value);
    assert_eq!(value, trajectory(&p, speed));
    // Exact, per column, over dual numbers.
    for j in 0..3 {
        let args: Vec<Dual64> = [p[0], p[1], speed]
            .iter()
            .enumerate()
            .map(|(k, &x)| {
                if k == j {
                    Dual64::from_re(x).derivative()
                } else {
                    d(x)
                }
            })
            .collect();
        let column: Vec<f64> = trajectory_dual(&args).iter().map(|o| o.eps).collect();
        let ours: Vec<f64> = jacobian.iter().map(|row| row[j]).collect();
        let rows: Vec<f64> = by_rows.iter().map(|row| row[j]).collect();
        assert_all_close(&format!("forward column {j}"), &ours, &column);
        assert_all_close(&format!("reverse column {j}"), &rows, &column);
    }
    let t = [0.4, -2.0, 1.5];
    let (jvp_value, jvp) = trajectory_jvp(&p, speed, &t[..2], t[2]);
    assert_eq!(jvp_value, value);
    for (i, row) in jacobian.iter().enumerate() {
        let want: f64 = row.iter().zip(&t).map(|(j, t)| j * t).sum();
        assert_close(&format!("jvp[{i}]"), jvp[i], want);
    }
}

/// An array output with `forward`, and an output that does not depend on the input
/// (its tangent is zero).
#[differentiate(forward)]
fn spherical(r: f64, theta: f64) -> [f64; 3] {
    [r * theta.cos(), r * theta.sin(), 1.0]
}

#[test]
fn forward_mode_of_array_outputs() {
    let (r, theta) = (1.5, 0.6);
    let (value, tangent) = spherical_jvp(r, theta, 0.5, -2.0);
    assert_eq!(value, spherical(r, theta));
    let want = [
        0.5 * theta.cos() + 2.0 * r * theta.sin(),
        0.5 * theta.sin() - 2.0 * r * theta.cos(),
        0.0,
    ];
    assert_all_close("spherical jvp", &tangent, &want);
    let (_, jacobian) = spherical_jacobian(r, theta);
    assert_all_close("spherical row 2", &jacobian[2], &[0.0, 0.0]);
}

// An `if` whose value is an array (`let p = if c { [a, b] } else { … }`), as in
// Rodrigues' rotation with its small-angle branch: the adjoints the uses after the
// `if` leave in its result must reach the branch's elements. They were dropped,
// which gave a zero derivative through every such array (found by GradBench's ba).

#[differentiate(forward)]
fn rotate_or_shear(x: &[f64], c: bool) -> [f64; 2] {
    let p = if c {
        let (s, k) = (x[2].sin(), x[2].cos());
        [k * x[0] - s * x[1], s * x[0] + k * x[1]]
    } else {
        [x[0] + x[2] * x[1], x[1]]
    };
    [p[0] * p[1], p[0] + x[2] * p[1]]
}

fn rotate_or_shear_dual(x: &[Dual64], c: bool) -> Vec<Dual64> {
    let p = if c {
        let (s, k) = (x[2].sin(), x[2].cos());
        [k * x[0] - s * x[1], s * x[0] + k * x[1]]
    } else {
        [x[0] + x[2] * x[1], x[1]]
    };
    vec![p[0] * p[1], p[0] + x[2] * p[1]]
}

/// The global rotation of GradBench's ht: the identity below a small angle, a
/// branch whose array holds only literals (and so had no float type, nor, in
/// forward mode, a tangent).
#[differentiate(forward)]
fn axis_angle_rotate(r: &[f64], p: &[f64]) -> Vec<f64> {
    let norm = (r[0] * r[0] + r[1] * r[1] + r[2] * r[2]).sqrt();
    let m = if norm < 1e-4 {
        [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    } else {
        let (x, y, z) = (r[0] / norm, r[1] / norm, r[2] / norm);
        let (s, c) = (norm.sin(), norm.cos());
        [
            x * x + (1.0 - x * x) * c,
            x * y * (1.0 - c) - z * s,
            x * z * (1.0 - c) + y * s,
            x * y * (1.0 - c) + z * s,
            y * y + (1.0 - y * y) * c,
            y * z * (1.0 - c) - x * s,
            x * z * (1.0 - c) - y * s,
            z * y * (1.0 - c) + x * s,
            z * z + (1.0 - z * z) * c,
        ]
    };
    let mut out = vec![0.0; 3];
    for j in 0..3 {
        for k in 0..3 {
            out[j] += m[3 * j + k] * p[k];
        }
    }
    out
}

#[test]
fn a_branch_of_literals_is_a_float_array_in_both_modes() {
    let p = [0.3, -1.2, 2.0];
    // Below the threshold: m = I, so ∂out/∂r = 0 and ∂out/∂p = I.
    let (value, jacobian) = axis_angle_rotate_jacobian(&[1e-5, 0.0, 0.0], &p);
    assert_eq!(value, p);
    for (i, row) in jacobian.iter().enumerate() {
        let want: Vec<f64> = (0..6).map(|j| if j == 3 + i { 1.0 } else { 0.0 }).collect();
        assert_eq!(row, &want, "row {i}");
    }
    let (_, d_r, d_p) = axis_angle_rotate_vjp(&[1e-5, 0.0, 0.0], &p, &[1.0, 2.0, 3.0]);
    assert_eq!((d_r, d_p), (vec![0.0; 3], vec![1.0, 2.0, 3.0]));
    // Above it, against dual numbers, by forward sweeps (3 outputs < 6 inputs, so
    // `_jacobian` runs reverse sweeps) and by reverse ones.
    let r = [0.4, -0.7, 0.2];
    let point: Vec<f64> = [&r[..], &p[..]].concat();
    let want = dual_jacobian(
        |z| {
            let (r, p) = (&z[..3], &z[3..]);
            let norm = (r[0] * r[0] + r[1] * r[1] + r[2] * r[2]).sqrt();
            let (x, y, w) = (r[0] / norm, r[1] / norm, r[2] / norm);
            let (s, c) = (norm.sin(), norm.cos());
            let m = [
                x * x + (-x * x + 1.0) * c,
                x * y * (-c + 1.0) - w * s,
                x * w * (-c + 1.0) + y * s,
                x * y * (-c + 1.0) + w * s,
                y * y + (-y * y + 1.0) * c,
                y * w * (-c + 1.0) - x * s,
                x * w * (-c + 1.0) - y * s,
                w * y * (-c + 1.0) + x * s,
                w * w + (-w * w + 1.0) * c,
            ];
            (0..3)
                .map(|j| m[3 * j] * p[0] + m[3 * j + 1] * p[1] + m[3 * j + 2] * p[2])
                .collect()
        },
        &point,
    );
    let (_, jacobian) = axis_angle_rotate_jacobian(&r, &p);
    assert_jacobian("reverse sweeps", &jacobian, &want);
    for j in 0..6 {
        let mut t = [0.0; 6];
        t[j] = 1.0;
        let (_, column) = axis_angle_rotate_jvp(&r, &p, &t[..3], &t[3..]);
        let want_column: Vec<f64> = want.iter().map(|row| row[j]).collect();
        assert_near(&format!("forward column {j}"), &column, &want_column, 1e-14);
    }
}

#[differentiate]
#[allow(clippy::needless_range_loop)]
fn branch_arrays_in_a_loop(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let p = if i % 2 == 0 {
            [x[i] * x[i], 2.0 * x[i]]
        } else {
            [x[i], x[i].exp()]
        };
        s += p[0] * p[1];
    }
    s
}

#[test]
fn an_if_yielding_an_array_passes_adjoints_into_its_branches() {
    let x = [0.7, -1.3, 0.4];
    for c in [true, false] {
        let want = dual_jacobian(|x| rotate_or_shear_dual(x, c), &x);
        let (value, reverse) = rotate_or_shear_jacobian(&x, c);
        assert_eq!(value, rotate_or_shear(&x, c));
        assert_jacobian(&format!("reverse, c = {c}"), &reverse, &want);
        let t = [0.3, -0.2, 0.9];
        let (_, jt) = rotate_or_shear_jvp(&x, c, &t);
        let by_rows: Vec<f64> = want
            .iter()
            .map(|row| row.iter().zip(&t).map(|(a, b)| a * b).sum())
            .collect();
        assert_near(&format!("jvp, c = {c}"), &jt, &by_rows, 1e-14);
    }
    // In a loop: Σ over even i of 2xᵢ³ and odd i of xᵢ·e^{xᵢ}.
    let x = [0.5, -0.25, 1.5, 0.75];
    let (_, grad) = branch_arrays_in_a_loop_grad(&x);
    let want: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            if i % 2 == 0 {
                6.0 * v * v
            } else {
                (1.0 + v) * v.exp()
            }
        })
        .collect();
    assert_all_close("gradient", &grad, &want);
}

// Forward mode through a vector-valued callee: its `_jvp_all` gives the vector's
// tangent (GradBench's ht shares the posed hand between its two variants this way).

#[differentiate(forward)]
fn pendulum_step(state: &[f64], k: f64, dt: f64) -> Vec<f64> {
    let mut next = vec![0.0; 2];
    next[0] = state[0] + dt * state[1];
    next[1] = state[1] - dt * k * state[0].sin();
    next
}

#[differentiate(forward)]
fn two_pendulum_steps(state: &[f64], k: f64) -> [f64; 2] {
    let once: Vec<f64> = pendulum_step(state, k, 0.1);
    let twice: Vec<f64> = pendulum_step(&once, k, 0.1);
    [twice[0] * twice[1], twice[1] + once[0]]
}

#[test]
fn forward_mode_through_vector_valued_callees() {
    let dual = |z: &[Dual64]| {
        let dt = Dual64::from(0.1);
        let once = step_dual(&z[..2], z[2], dt);
        let twice = step_dual(&once, z[2], dt);
        vec![twice[0] * twice[1], twice[1] + once[0]]
    };
    let (state, k) = ([0.6, -0.3], 1.7);
    let want = dual_jacobian(dual, &[state[0], state[1], k]);
    // 3 inputs < 1.5 · 2 outputs: the Jacobian by forward sweeps, through the calls.
    let (value, jacobian) = two_pendulum_steps_jacobian(&state, k);
    assert_eq!(value, two_pendulum_steps(&state, k));
    assert_jacobian("forward sweeps", &jacobian, &want);
    let (_, jt) = two_pendulum_steps_jvp(&state, k, &[0.2, -1.0], 0.5);
    let by_rows: Vec<f64> = want
        .iter()
        .map(|row| row[0] * 0.2 - row[1] + row[2] * 0.5)
        .collect();
    assert_near("jvp", &jt, &by_rows, 1e-14);
}
