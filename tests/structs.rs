//! Struct parameters (`#[derive(ad::Differentiable)]`, `wrt(p)`, `wrt(self)`).

use ad::{differentiate, Differentiable};

#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Params {
    mu: f64,
    sigma: f64,
    weights: [f64; 3],
    n: usize,
}

#[differentiate(wrt(p))]
fn objective(p: &Params, x: &[f64]) -> f64 {
    let mut s = p.mu * p.mu / p.sigma;
    for i in 0..p.n {
        s += p.weights[i] * x[i];
    }
    s
}

#[test]
fn basic() {
    let p = Params {
        mu: 1.5,
        sigma: 2.0,
        weights: [1.0, 2.0, 3.0],
        n: 3,
    };
    let x = [0.5, 0.25, 2.0];
    let (value, d) = objective_grad(&p, &x);
    assert_eq!(value, objective(&p, &x));
    assert_eq!(d.mu, 2.0 * 1.5 / 2.0);
    assert_eq!(d.sigma, -1.5 * 1.5 / 4.0);
    assert_eq!(d.weights, x);
    assert_eq!(d.n, 3);
}

#[derive(Clone, Debug, Differentiable)]
struct Line {
    slope: f64,
    intercept: f64,
    #[ad(constant)]
    scale: f64,
}

impl Line {
    #[differentiate(wrt(self, t), hessian)]
    fn loss(&self, t: f64, xs: &[f64], ys: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..xs.len() {
            let r = self.slope * xs[i] + self.intercept - ys[i];
            s += r * r * t;
        }
        s * ad::no_grad(self.scale)
    }
}

#[test]
fn method() {
    let line = Line {
        slope: 2.0,
        intercept: 0.5,
        scale: 3.0,
    };
    let (xs, ys) = ([1.0, 2.0], [2.0, 5.0]);
    let (value, d_self, dt) = line.loss_grad(1.5, &xs, &ys);
    assert_eq!(value, line.loss(1.5, &xs, &ys));
    // r = (0.5, -0.5): ∂/∂slope = 3·1.5·2·(0.5·1 − 0.5·2), ∂/∂intercept = 3·1.5·2·(0.5 − 0.5)
    assert_eq!(d_self.slope, 9.0 * (0.5 - 1.0));
    assert_eq!(d_self.intercept, 0.0);
    assert_eq!(d_self.scale, 3.0);
    assert_eq!(dt, 3.0 * 0.5);
    let (_, gradient, hessian) = line.loss_hessian(1.5, &xs, &ys);
    assert_eq!(gradient, [d_self.slope, d_self.intercept, dt]);
    assert_eq!(hessian.len(), 3);
}

#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Layer {
    w: Vec<f64>,
    b: f64,
}

#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Net {
    hidden: Layer,
    out: Layer,
}

#[differentiate(wrt(layer), hessian)]
fn neuron(layer: &Layer, x: &[f64]) -> f64 {
    let mut z = layer.b;
    for i in 0..x.len() {
        z += layer.w[i] * x[i];
    }
    z.tanh()
}

#[differentiate(wrt(net), hessian)]
fn net_output(net: &Net, x: &[f64]) -> f64 {
    let h = neuron(&net.hidden, x);
    net.out.w[0] * h + net.out.b
}

#[test]
fn nested() {
    let net = Net {
        hidden: Layer {
            w: vec![0.5, -0.25],
            b: 0.1,
        },
        out: Layer {
            w: vec![2.0],
            b: 0.3,
        },
    };
    let x = [1.0, 2.0];
    let (value, d) = net_output_grad(&net, &x);
    let z: f64 = 0.1 + 0.5 - 0.5;
    let h = z.tanh();
    assert_eq!(value, 2.0 * h + 0.3);
    let dh = 2.0 * (1.0 - h * h);
    assert_eq!(d.out.w, [h]);
    assert_eq!(d.out.b, 1.0);
    assert!((d.hidden.b - dh).abs() < 1e-15);
    assert!((d.hidden.w[1] - 2.0 * dh).abs() < 1e-15);
    let (_, g, hess) = net_output_hessian(&net, &x);
    assert_eq!(g.len(), 5);
    assert_eq!(hess.len(), 5);
}
