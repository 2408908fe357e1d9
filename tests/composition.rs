//! Differentiated functions calling each other, and `ad::no_grad`.

use ad::differentiate;
use approx::assert_relative_eq;

#[differentiate]
fn square(x: f64) -> f64 {
    x * x
}

#[differentiate]
fn uses_square(x: f64, y: f64) -> f64 {
    square(x * y) + square(y).sin()
}

#[test]
fn one_function_calling_another_twice() {
    let (x, y) = (0.7, 1.3);
    let (v, dx, dy) = uses_square_grad(x, y);
    assert_eq!(v, uses_square(x, y));
    assert_relative_eq!(dx, 2.0 * x * y * y, max_relative = 1e-14);
    assert_relative_eq!(
        dy,
        2.0 * x * x * y + 2.0 * y * (y * y).cos(),
        max_relative = 1e-14
    );
}

mod physics {
    use ad::differentiate;

    /// Quadratic drag on a speed, with a constant coefficient.
    #[differentiate(wrt(v))]
    pub fn drag(v: f64, coefficient: f64, n: usize) -> f64 {
        coefficient * v * v.abs() * n as f64
    }
}

#[differentiate]
fn fall(v0: f64, dt: f64) -> f64 {
    let mut v = v0;
    for _ in 0..10 {
        v -= dt * (9.81 - physics::drag(v, 0.1, 1));
    }
    v
}

#[test]
fn a_callee_in_another_module_inside_a_loop() {
    let (v0, dt) = (2.0, 0.05);
    let (v, d_v0, d_dt) = fall_grad(v0, dt);
    assert_eq!(v, fall(v0, dt));
    ad::check_gradient(|p: &[f64]| fall(p[0], p[1]), &[v0, dt], &[d_v0, d_dt]).unwrap();
}

#[differentiate]
fn weighted(w: &[f64], x: f64) -> f64 {
    let mut s = 0.0;
    for (k, wk) in w.iter().enumerate() {
        s += wk * x.powi(k as i32);
    }
    s
}

#[differentiate]
fn calls_with_a_slice(w: &[f64], x: f64) -> f64 {
    weighted(w, x) * weighted(w, 2.0 * x)
}

#[test]
fn a_callee_taking_a_slice() {
    let w = [1.0, -0.5, 0.25];
    let x = 0.8;
    let (v, dw, dx) = calls_with_a_slice_grad(&w, x);
    assert_eq!(v, calls_with_a_slice(&w, x));
    let mut p = w.to_vec();
    p.push(x);
    let mut g = dw.clone();
    g.push(dx);
    ad::check_gradient(|q: &[f64]| calls_with_a_slice(&q[..3], q[3]), &p, &g).unwrap();
}

#[differentiate]
fn a(x: f64) -> f64 {
    x.exp()
}

#[differentiate]
fn b(x: f64) -> f64 {
    a(x) * x
}

#[differentiate]
fn c(x: f64) -> f64 {
    b(x).sqrt()
}

#[test]
fn a_chain_of_three() {
    let x = 0.4;
    let (v, dx) = c_grad(x);
    assert_eq!(v, c(x));
    // c = sqrt(x e^x), c' = (e^x + x e^x) / (2 sqrt(x e^x))
    assert_relative_eq!(
        dx,
        (x.exp() * (1.0 + x)) / (2.0 * (x * x.exp()).sqrt()),
        max_relative = 1e-14
    );
}

#[differentiate]
fn stop(x: f64, y: f64) -> f64 {
    ad::no_grad(x * y) * y
}

#[test]
fn no_grad_passes_the_value_but_no_adjoint() {
    let (v, dx, dy) = stop_grad(2.0, 3.0);
    assert_eq!((v, dx, dy), (18.0, 0.0, 6.0));
    assert_eq!(stop(2.0, 3.0), 18.0);
}

/// log(1 + eˣ), computed without overflow; `#[differentiate]` does not see into it.
fn softplus(x: f64) -> f64 {
    if x > 30.0 {
        x
    } else {
        x.exp().ln_1p()
    }
}

/// Its derivative, the logistic function, in the form that does not overflow.
#[ad::custom_adjoint]
fn softplus_adjoint(x: f64, seed: f64, d_x: &mut f64) -> f64 {
    *d_x += seed / (1.0 + (-x).exp());
    softplus(x)
}

/// An identity whose hand-written derivative is deliberately not its own (a
/// "straight-through" estimator that halves the gradient).
fn straight_through(x: f64, _scale: usize) -> f64 {
    x
}

#[ad::custom_adjoint]
fn straight_through_adjoint(x: f64, scale: usize, seed: f64, d_x: &mut f64) -> f64 {
    *d_x += seed * 0.5 / scale as f64;
    straight_through(x, scale)
}

#[differentiate]
fn uses_custom(x: f64, y: f64) -> f64 {
    softplus(2.0 * x) * y + straight_through(y, 1)
}

#[test]
fn custom_derivatives_are_used() {
    let (x, y) = (0.3, -1.2);
    let (v, dx, dy) = uses_custom_grad(x, y);
    assert_eq!(v, uses_custom(x, y));
    let sigmoid = 1.0 / (1.0 + (-2.0 * x).exp());
    assert_relative_eq!(dx, 2.0 * sigmoid * y, max_relative = 1e-14);
    // The straight-through derivative is 0.5, not the identity's 1.
    assert_relative_eq!(dy, softplus(2.0 * x) + 0.5, max_relative = 1e-14);
    // The generated gradient of the custom function itself.
    assert_eq!(softplus_grad(1000.0), (1000.0, 1.0));
    assert_eq!(straight_through_grad(3.0, 2), (3.0, 0.25));
}

/// A model whose data and settings are constants of its loss.
struct Model {
    inputs: Vec<f64>,
    targets: Vec<f64>,
    decay: f64,
}

impl Model {
    #[differentiate]
    fn predict(&self, w: &[f64], i: usize) -> f64 {
        w[0] + w[1] * self.inputs[i]
    }

    #[differentiate]
    fn loss(&self, w: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..self.targets.len() {
            let r = self.predict(w, i) - self.targets[i];
            s += r * r;
        }
        s + self.decay * (w[0] * w[0] + w[1] * w[1])
    }
}

#[test]
fn methods_with_self_data_calling_methods() {
    let model = Model {
        inputs: vec![0.0, 1.0, 2.0],
        targets: vec![1.0, 2.5, 4.5],
        decay: 0.1,
    };
    let w = [0.5, 1.5];
    let (v, dw) = model.loss_grad(&w);
    assert_eq!(v, model.loss(&w));
    let mut g = [2.0 * model.decay * w[0], 2.0 * model.decay * w[1]];
    for i in 0..3 {
        let r = w[0] + w[1] * model.inputs[i] - model.targets[i];
        g[0] += 2.0 * r;
        g[1] += 2.0 * r * model.inputs[i];
    }
    assert_relative_eq!(dw[0], g[0], max_relative = 1e-14);
    assert_relative_eq!(dw[1], g[1], max_relative = 1e-14);
    let (p, dp) = model.predict_grad(&w, 2);
    assert_eq!((p, dp), (w[0] + 2.0 * w[1], vec![1.0, 2.0]));
}

#[differentiate]
fn branch_calls(x: f64, y: f64) -> f64 {
    if x > y {
        square(x - y)
    } else {
        c(y) * square(x)
    }
}

#[test]
fn calls_inside_both_branches() {
    for (x, y) in [(2.0, 0.5), (0.3, 0.9)] {
        let (v, dx, dy) = branch_calls_grad(x, y);
        assert_eq!(v, branch_calls(x, y));
        ad::check_gradient(|p: &[f64]| branch_calls(p[0], p[1]), &[x, y], &[dx, dy]).unwrap();
        if x > y {
            assert_relative_eq!(dx, 2.0 * (x - y), max_relative = 1e-14);
            assert_relative_eq!(dy, -2.0 * (x - y), max_relative = 1e-14);
        } else {
            assert_relative_eq!(dx, 2.0 * x * c(y), max_relative = 1e-14);
        }
    }
}

#[differentiate]
fn weighted_squares(w: &[f64], data: &[f64]) -> f64 {
    let mut s = 0.0;
    for (wi, di) in w.iter().zip(data.iter()) {
        s += wi * di * di;
    }
    s
}

/// `data` is constant here but differentiable in the callee: the call hands the
/// callee a scratch buffer for its adjoint.
#[differentiate(wrt(w))]
fn doubled_fit(w: &[f64], data: &[f64]) -> f64 {
    2.0 * weighted_squares(w, data) + data[0] * w[0]
}

#[test]
fn constant_slice_passed_to_a_callee_that_differentiates_it() {
    let (w, data) = ([0.5, -1.0, 2.0], [3.0, 1.5, -2.0]);
    let (v, dw) = doubled_fit_grad(&w, &data);
    assert_eq!(v, doubled_fit(&w, &data));
    let expected: Vec<f64> = (0..3)
        .map(|i| 2.0 * data[i] * data[i] + if i == 0 { data[0] } else { 0.0 })
        .collect();
    assert_eq!(dw, expected);
}
