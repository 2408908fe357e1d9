//! The README's examples, as a user would write them.

use ad::differentiate;
use approx::assert_relative_eq;

#[differentiate]
fn f(x: f64, y: f64) -> f64 {
    let t = (x * y).exp();
    t / (1.0 + y.ln()) + f64::sin(x)
}

#[test]
fn quick_start() {
    let (value, dx, dy) = f_grad(0.4, 2.5);
    assert_eq!(value, f(0.4, 2.5));
    ad::check_gradient(|p: &[f64]| f(p[0], p[1]), &[0.4, 2.5], &[dx, dy]).unwrap();
}

/// Mean squared error of a linear model over `n` samples of `d` features.
#[differentiate(wrt(w))]
fn loss(w: &[f64], x: &[f64], y: &[f64], d: usize) -> f64 {
    let n = y.len();
    let mut total = 0.0;
    for i in 0..n {
        let mut prediction = 0.0;
        for j in 0..d {
            prediction += w[j] * x[i * d + j];
        }
        let r = prediction - y[i];
        total += r * r;
    }
    total / n as f64
}

#[test]
fn many_inputs() {
    let d = 3;
    let w = [0.5, -1.0, 2.0];
    let x = [1.0, 2.0, 3.0, -1.0, 0.5, 0.25, 2.0, 0.0, 1.0];
    let y = [1.0, 0.0, -2.0];
    let (value, dw) = loss_grad(&w, &x, &y, d);
    let mut buffer = vec![0.0; w.len()];
    assert_eq!(loss_adjoint(&w, &x, &y, d, 1.0, &mut buffer), value);
    assert_eq!(buffer, dw);
    // ∂/∂w_j = 2/n Σ_i r_i x_ij
    for (j, dwj) in dw.iter().enumerate() {
        let expected: f64 = (0..3)
            .map(|i| {
                let prediction: f64 = (0..d).map(|k| w[k] * x[i * d + k]).sum();
                2.0 * (prediction - y[i]) * x[i * d + j] / 3.0
            })
            .sum();
        assert_relative_eq!(*dwj, expected, max_relative = 1e-14);
    }
    assert_eq!(loss(&w, &x, &y, d), value);
}

struct Model {
    x: Vec<f64>,
    y: Vec<f64>,
}

impl Model {
    #[differentiate]
    fn loss(&self, w: &[f64]) -> f64 {
        let mut total = 0.0;
        for i in 0..self.y.len() {
            let r = w[0] * self.x[i] + w[1] - self.y[i];
            total += r * r;
        }
        total
    }
}

#[test]
fn training_loop_with_the_allocation_free_entry_point() {
    let model = Model {
        x: vec![0.0, 1.0, 2.0, 3.0],
        y: vec![1.0, 3.0, 5.0, 7.0],
    };
    let (epochs, rate) = (2000, 0.02);
    let mut w = vec![0.0, 0.0];
    let mut grad = vec![0.0; w.len()];
    for _ in 0..epochs {
        grad.iter_mut().for_each(|g| *g = 0.0);
        let _loss = model.loss_adjoint(&w, 1.0, &mut grad);
        for (wi, gi) in w.iter_mut().zip(&grad) {
            *wi -= rate * gi;
        }
    }
    assert_relative_eq!(w[0], 2.0, max_relative = 1e-6);
    assert_relative_eq!(w[1], 1.0, max_relative = 1e-6);
    assert!(model.loss(&w) < 1e-10);
}

/// log(1 + eˣ) without overflow.
fn softplus(x: f64) -> f64 {
    if x > 30.0 {
        x
    } else {
        x.exp().ln_1p()
    }
}

/// Its derivative, the logistic function, in a form that does not overflow.
#[ad::custom_adjoint]
fn softplus_adjoint(x: f64, seed: f64, d_x: &mut f64) -> f64 {
    *d_x += seed / (1.0 + (-x).exp());
    softplus(x)
}

#[test]
fn custom_derivative() {
    let (v, dx) = softplus_grad(0.5);
    assert_eq!(v, softplus(0.5));
    assert_relative_eq!(dx, 1.0 / (1.0 + (-0.5_f64).exp()), max_relative = 1e-15);
}

#[differentiate(hessian)]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut sum = 0.0;
    for i in 0..x.len() - 1 {
        let (a, b) = (1.0 - x[i], x[i + 1] - x[i] * x[i]);
        sum += a * a + 100.0 * b * b;
    }
    sum
}

/// The example of "Forward mode and second order".
#[test]
fn second_order() {
    let x = [-1.2, 1.0, 0.5];
    let (value, gradient, hessian) = rosenbrock_hessian(&x);
    assert_eq!(value, rosenbrock(&x));
    let (_, grad, hv) = rosenbrock_hvp(&x, &[1.0, 0.0, 0.0]);
    assert_eq!(grad, gradient);
    assert_eq!(hv, [hessian[0][0], hessian[1][0], hessian[2][0]]);
    let (_, slope) = rosenbrock_jvp(&x, &[0.0, 1.0, 0.0]);
    assert_eq!(slope, grad[1]);
    ad::check_hessian(|p| rosenbrock_grad(p).1, &x, &hessian).unwrap();
}

/// Residuals of the model y = a·exp(−k·t) at the observations (t, y).
#[differentiate(wrt(p))]
fn residuals(p: &[f64], t: &[f64], y: &[f64]) -> Vec<f64> {
    let mut r = vec![0.0; t.len()];
    for i in 0..t.len() {
        r[i] = p[0] * (-p[1] * t[i]).exp() - y[i];
    }
    r
}

#[test]
fn vector_outputs_and_jacobians() {
    let (p, t, y) = ([2.0, 0.5], [0.0, 1.0, 2.0], [2.1, 1.2, 0.7]);
    // Three rows (one per residual), two columns (p[0], p[1]).
    let (r, jacobian) = residuals_jacobian(&p, &t, &y);
    assert_eq!(r, residuals(&p, &t, &y));
    assert_eq!(jacobian[1], [(-0.5f64).exp(), -2.0 * (-0.5f64).exp()]);
    // The gradient of ½‖r‖² is rᵀ·J: one reverse sweep, seeded with r.
    let (_, gradient) = residuals_vjp(&p, &t, &y, &r);
    let by_rows: Vec<f64> = (0..2)
        .map(|j| (0..3).map(|i| r[i] * jacobian[i][j]).sum())
        .collect();
    assert!((gradient[0] - by_rows[0]).abs() < 1e-12 && (gradient[1] - by_rows[1]).abs() < 1e-12);
}

mod models_as_structs {
    use ad::{differentiate, Differentiable};

    #[derive(Clone, Differentiable)]
    struct Layer {
        w: Vec<f64>,
        b: f64,
    }

    #[derive(Clone, Differentiable)]
    struct Model {
        hidden: Layer,
        out: Vec<f64>,
        #[ad(constant)]
        temperature: f64, // a hyper-parameter: copied into the adjoint, never differentiated
    }

    #[differentiate(wrt(layer), hessian)] // its callers' Hessians need its own
    fn neuron(layer: &Layer, x: &[f64]) -> f64 {
        let z = layer.w.iter().zip(x).map(|(w, x)| w * x).sum::<f64>() + layer.b;
        z.tanh()
    }

    impl Model {
        #[differentiate(wrt(self), hessian)]
        fn loss(&self, x: &[f64], y: f64) -> f64 {
            let h = neuron(&self.hidden, x); // a part passed whole: its adjoint goes along
            let r = self.out[0] * h + self.out[1] - y;
            r * r / ad::no_grad(self.temperature)
        }
    }

    #[test]
    fn models_as_structs() {
        let mut model = Model {
            hidden: Layer {
                w: vec![0.5, -0.25],
                b: 0.1,
            },
            out: vec![2.0, 0.3],
            temperature: 1.0,
        };
        let (value, gradient) = model.loss_grad(&[1.0, 2.0], 1.5); // gradient: Model
        let at = |z: &[f64]| {
            let mut m = model.clone();
            m.read_scalars(z);
            m.loss(&[1.0, 2.0], 1.5)
        };
        ad::check_gradient(at, &model.to_scalars(), &gradient.to_scalars()).unwrap();
        model.add_scaled(&gradient, -0.1); // a gradient step
        assert!(model.loss(&[1.0, 2.0], 1.5) < value);
        let (_, _, hessian) = model.loss_hessian(&[1.0, 2.0], 1.5); // over the 5 scalars
        assert_eq!(hessian.len(), model.scalar_count());
        assert_eq!(gradient.temperature, 1.0);
    }
}
