//! Struct parameters (issue 17): `#[derive(ad::Differentiable)]`, a struct named in
//! `wrt`, `wrt(self)`, nested structs passed whole to differentiated callees.
//!
//! Every gradient is checked against a hand-derived one (exact to rounding), then
//! against central differences of the flattened scalars; Hessians against
//! hand-derived second derivatives and differences of the gradient.

#![allow(clippy::needless_range_loop)]

use ad::{differentiate, Differentiable};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-13 * (1.0 + a.abs().max(b.abs()))
}

/// `f` of the model whose scalars are `z` (and whose constants are `model`'s).
fn at<S: Differentiable<Scalar = f64> + Clone, R>(model: &S, z: &[f64], f: impl Fn(&S) -> R) -> R {
    let mut moved = model.clone();
    moved.read_scalars(z);
    f(&moved)
}

/// The gradient against central differences of `value` over the model's scalars.
fn check_gradient_of<S: Differentiable<Scalar = f64> + Clone>(
    model: &S,
    value: impl Fn(&S) -> f64,
    gradient: &S,
) {
    let value = |z: &[f64]| at(model, z, &value);
    ad::check_gradient(value, &model.to_scalars(), &gradient.to_scalars()).unwrap();
}

/// The Hessian against central differences of `gradient` over the model's scalars.
fn check_hessian_of<S: Differentiable<Scalar = f64> + Clone>(
    model: &S,
    gradient: impl Fn(&S) -> S,
    hessian: &[Vec<f64>],
) {
    let gradient = |z: &[f64]| at(model, z, |m| gradient(m).to_scalars());
    ad::check_hessian(gradient, &model.to_scalars(), hessian).unwrap();
}

#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Params {
    mu: f64,
    sigma: f64,
    weights: [f64; 3],
    n: usize,
}

/// mu²/sigma + Σ wᵢ xᵢ, with the count a constant field.
#[differentiate(wrt(p), hessian)]
fn objective(p: &Params, x: &[f64]) -> f64 {
    let mut s = p.mu * p.mu / p.sigma;
    for i in 0..p.n {
        s += p.weights[i] * x[i] * p.mu;
    }
    s
}

fn params() -> Params {
    Params {
        mu: 1.5,
        sigma: 2.0,
        weights: [1.0, 2.0, 3.0],
        n: 3,
    }
}

#[test]
fn a_struct_parameter_gets_an_adjoint_of_its_type() {
    let (p, x) = (params(), [0.5, 0.25, 2.0]);
    let (value, d) = objective_grad(&p, &x);
    assert_eq!(value, objective(&p, &x));
    let wx: f64 = (0..3).map(|i| p.weights[i] * x[i]).sum();
    assert!(close(d.mu, 2.0 * p.mu / p.sigma + wx));
    assert!(close(d.sigma, -p.mu * p.mu / (p.sigma * p.sigma)));
    for i in 0..3 {
        assert!(close(d.weights[i], x[i] * p.mu));
    }
    assert_eq!(d.n, 3, "constants are copied into the adjoint");
    check_gradient_of(&p, |m| objective(m, &x), &d);
}

#[test]
fn f_adjoint_adds_seed_times_the_gradient_into_a_struct_buffer() {
    let (p, x) = (params(), [0.5, 0.25, 2.0]);
    let (_, d) = objective_grad(&p, &x);
    let mut buffer = p.zeroed_like();
    buffer.mu = 1.0;
    objective_adjoint(&p, &x, 2.0, &mut buffer);
    assert!(close(buffer.mu, 1.0 + 2.0 * d.mu));
    assert!(close(buffer.weights[2], 2.0 * d.weights[2]));
}

#[test]
fn the_hessian_of_a_struct_parameter_is_over_its_scalars_in_declaration_order() {
    let (p, x) = (params(), [0.5, 0.25, 2.0]);
    let (_, gradient, hessian) = objective_hessian(&p, &x);
    assert_eq!(gradient, objective_grad(&p, &x).1.to_scalars());
    // Scalars: mu, sigma, w0, w1, w2.
    let (mu, sigma) = (p.mu, p.sigma);
    let mut expected = vec![vec![0.0; 5]; 5];
    expected[0][0] = 2.0 / sigma;
    expected[0][1] = -2.0 * mu / (sigma * sigma);
    expected[1][0] = expected[0][1];
    expected[1][1] = 2.0 * mu * mu / (sigma * sigma * sigma);
    for i in 0..3 {
        expected[0][2 + i] = x[i];
        expected[2 + i][0] = x[i];
    }
    for (row, expected) in hessian.iter().zip(&expected) {
        for (h, e) in row.iter().zip(expected) {
            assert!(close(*h, *e), "{hessian:?}");
        }
    }
    // f_hvp's product and f_jvp's directional derivative along a struct direction.
    let mut v = p.zeroed_like();
    v.read_scalars(&[0.5, -1.0, 0.25, 2.0, -0.75]);
    let (_, grad, hv) = objective_hvp(&p, &x, &v);
    assert_eq!(grad.to_scalars(), gradient);
    let v_flat = v.to_scalars();
    for (k, h) in hv.to_scalars().iter().enumerate() {
        let expected: f64 = (0..5).map(|j| hessian[k][j] * v_flat[j]).sum();
        assert!(close(*h, expected));
    }
    let (value, slope) = objective_jvp(&p, &x, &v);
    assert_eq!(value, objective(&p, &x));
    let expected: f64 = gradient.iter().zip(&v_flat).map(|(g, v)| g * v).sum();
    assert!(close(slope, expected));
}

#[derive(Clone, Debug, Differentiable)]
struct Line {
    slope: f64,
    intercept: f64,
    #[ad(constant)]
    scale: f64,
}

impl Line {
    /// scale · t · Σ (slope·xᵢ + intercept − yᵢ)².
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
fn wrt_self_puts_self_first_in_the_gradient_and_the_hessian() {
    let line = Line {
        slope: 2.0,
        intercept: 0.5,
        scale: 3.0,
    };
    let (xs, ys, t) = ([1.0, 2.0, -1.0], [2.0, 5.0, 0.0], 1.5);
    let (value, d_self, dt) = line.loss_grad(t, &xs, &ys);
    assert_eq!(value, line.loss(t, &xs, &ys));
    let r: Vec<f64> = (0..3).map(|i| 2.0 * xs[i] + 0.5 - ys[i]).collect();
    let (sum_rx, sum_r, sum_rr): (f64, f64, f64) = (
        (0..3).map(|i| r[i] * xs[i]).sum(),
        r.iter().sum(),
        r.iter().map(|r| r * r).sum(),
    );
    let (c, sum_xx, sum_x) = (3.0, 6.0, 2.0);
    assert!(close(d_self.slope, 2.0 * c * t * sum_rx));
    assert!(close(d_self.intercept, 2.0 * c * t * sum_r));
    assert_eq!(d_self.scale, 3.0);
    assert!(close(dt, c * sum_rr));
    let (_, gradient, hessian) = line.loss_hessian(t, &xs, &ys);
    assert_eq!(gradient, [d_self.slope, d_self.intercept, dt]);
    let expected = [
        [2.0 * c * t * sum_xx, 2.0 * c * t * sum_x, 2.0 * c * sum_rx],
        [2.0 * c * t * sum_x, 2.0 * c * t * 3.0, 2.0 * c * sum_r],
        [2.0 * c * sum_rx, 2.0 * c * sum_r, 0.0],
    ];
    for (row, expected) in hessian.iter().zip(&expected) {
        for (h, e) in row.iter().zip(expected) {
            assert!(close(*h, *e), "{hessian:?}");
        }
    }
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
    net.out.w[0] * h * h + net.out.b
}

#[differentiate(wrt(net))]
fn twice(net: &Net, x: &[f64]) -> f64 {
    net_output(net, x) + 2.0 * net_output(net, x)
}

fn net() -> Net {
    Net {
        hidden: Layer {
            w: vec![0.5, -0.25],
            b: 0.1,
        },
        out: Layer {
            w: vec![2.0],
            b: 0.3,
        },
    }
}

#[test]
fn a_nested_struct_passed_whole_gets_its_part_of_the_adjoint() {
    let (net, x) = (net(), [1.0, 2.0]);
    let (value, d) = net_output_grad(&net, &x);
    let h = (0.1_f64 + 0.5 - 0.5).tanh();
    assert!(close(value, 2.0 * h * h + 0.3));
    // ∂/∂z of 2 tanh(z)² is 4 h (1 − h²).
    let dz = 4.0 * h * (1.0 - h * h);
    assert!(close(d.out.w[0], h * h));
    assert_eq!(d.out.b, 1.0);
    assert!(close(d.hidden.b, dz));
    assert!(close(d.hidden.w[0], dz * x[0]));
    assert!(close(d.hidden.w[1], dz * x[1]));
    // The whole struct passed on, twice.
    let (value3, d3) = twice_grad(&net, &x);
    assert!(close(value3, 3.0 * value));
    for (a, b) in d3.to_scalars().iter().zip(d.to_scalars()) {
        assert!(close(*a, 3.0 * b));
    }
    check_gradient_of(&net, |m| net_output(m, &x), &d);
    let (_, gradient, hessian) = net_output_hessian(&net, &x);
    assert_eq!(gradient, d.to_scalars());
    check_hessian_of(&net, |m| net_output_grad(m, &x).1, &hessian);
    // Scalars: hidden.w (2), hidden.b, out.w, out.b; ∂²/∂out.w∂hidden.b = 2h(1 − h²).
    assert!(close(hessian[3][2], 2.0 * h * (1.0 - h * h)));
}

#[derive(Clone, Copy, Debug, Differentiable)]
struct Pair(f64, f64);

#[derive(Clone, Debug, Differentiable)]
struct Curve {
    points: Vec<f64>,
    #[ad(constant)]
    scale: f32,
}

#[differentiate]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>()
}

/// A tuple struct by value, a vector field through an iterator chain and passed
/// whole to a slice callee, and its length.
#[differentiate(wrt(pair, curve))]
fn shapes(pair: Pair, curve: &Curve, x: &[f64]) -> f64 {
    let n = curve.points.len() as f64;
    let chained = curve.points.iter().map(|p| p * p).sum::<f64>();
    pair.0 * pair.1 + chained / n + dot(&curve.points, x)
}

#[test]
fn tuple_structs_vector_fields_chains_and_slice_callees() {
    let pair = Pair(3.0, -2.0);
    let curve = Curve {
        points: vec![1.0, 2.0, 4.0],
        scale: 1.0,
    };
    let x = [0.5, 0.25, -1.0];
    let (value, d_pair, d_curve) = shapes_grad(pair, &curve, &x);
    assert_eq!(value, shapes(pair, &curve, &x));
    assert_eq!((d_pair.0, d_pair.1), (-2.0, 3.0));
    for i in 0..3 {
        assert!(close(d_curve.points[i], 2.0 * curve.points[i] / 3.0 + x[i]));
    }
}

#[derive(Clone, Debug, Differentiable)]
struct Spring {
    k: f32,
    rest: f32,
}

#[differentiate(wrt(s, length))]
fn energy(s: &Spring, length: f32) -> f32 {
    0.5 * s.k * (length - s.rest) * (length - s.rest)
}

#[test]
fn a_struct_of_f32_has_f32_adjoints() {
    let s = Spring { k: 4.0, rest: 1.0 };
    let (value, d, d_length) = energy_grad(&s, 1.5);
    assert_eq!(value, 0.5);
    assert_eq!((d.k, d.rest, d_length), (0.125, -2.0, 2.0));
}

/// A vector-valued function of a struct: the Jacobian's columns are its scalars.
#[differentiate(wrt(p))]
fn moments(p: &Params) -> [f64; 2] {
    [p.mu * p.sigma, p.weights[0] + p.weights[2] * p.mu]
}

#[test]
fn the_jacobian_of_a_struct_parameter_has_a_column_per_scalar() {
    let p = params();
    let (value, jacobian) = moments_jacobian(&p);
    assert_eq!(value, moments(&p));
    assert_eq!(
        jacobian,
        [
            vec![p.sigma, p.mu, 0.0, 0.0, 0.0],
            vec![p.weights[2], 0.0, 1.0, 0.0, p.mu],
        ]
    );
}

#[derive(Clone, Copy, Debug, Differentiable)]
struct Settings {
    gain: f64,
    steps: usize,
}

/// Only a constant of the struct is read: its adjoint is all zeros.
#[differentiate(wrt(s, x), hessian)]
fn constant_only(s: Settings, x: f64) -> f64 {
    let mut y = x;
    for _ in 0..s.steps {
        y *= x;
    }
    y
}

/// By value, with second order.
#[differentiate(wrt(s), hessian)]
fn by_value(s: Settings, x: f64) -> f64 {
    (s.gain * x).sin() * s.gain
}

#[test]
fn structs_by_value_and_structs_whose_floats_are_unread() {
    let s = Settings {
        gain: 2.0,
        steps: 2,
    };
    let (value, d_s, dx) = constant_only_grad(s, 1.5);
    assert_eq!(value, 1.5_f64.powi(3));
    assert_eq!((d_s.gain, d_s.steps), (0.0, 2));
    assert_eq!(dx, 3.0 * 1.5 * 1.5);
    let (_, gradient, hessian) = constant_only_hessian(s, 1.5);
    assert_eq!(gradient, [0.0, dx]);
    assert_eq!(hessian, [vec![0.0, 0.0], vec![0.0, 6.0 * 1.5]]);
    let (value, d_s) = by_value_grad(s, 0.5);
    let g: f64 = 2.0;
    assert_eq!(value, (g * 0.5).sin() * g);
    assert!(close(d_s.gain, 0.5 * (g * 0.5).cos() * g + (g * 0.5).sin()));
    let (_, _, hessian) = by_value_hessian(s, 0.5);
    // d²/dg² [g sin(g x)] = 2x cos(gx) − g x² sin(gx)
    let expected = 2.0 * 0.5 * (g * 0.5).cos() - g * 0.25 * (g * 0.5).sin();
    assert!(close(hessian[0][0], expected));
    let (_, slope) = by_value_jvp(
        s,
        0.5,
        &Settings {
            gain: 2.0,
            steps: 0,
        },
    );
    assert!(close(slope, 2.0 * d_s.gain));
}

/// Nothing to differentiate but a struct whose floats are unread: zeros, and the
/// second-order functions still have their shapes.
#[differentiate(wrt(s), hessian)]
fn unread(s: Settings, x: f64) -> f64 {
    x * s.steps as f64
}

impl Settings {
    #[differentiate(wrt(self), hessian)]
    fn unread_method(&self, x: f64) -> f64 {
        x * self.steps as f64
    }
}

#[test]
fn a_struct_whose_floats_are_unread_has_a_zero_adjoint() {
    let s = Settings {
        gain: 1.0,
        steps: 3,
    };
    let (value, d) = unread_grad(s, 2.0);
    assert_eq!((value, d.gain, d.steps), (6.0, 0.0, 3));
    assert_eq!(unread_hessian(s, 2.0), (6.0, vec![0.0], vec![vec![0.0]]));
    assert_eq!(unread_jvp(s, 2.0, &s), (6.0, 0.0));
    let (value, d) = s.unread_method_grad(2.0);
    assert_eq!((value, d.gain), (6.0, 0.0));
    assert_eq!(s.unread_method_hessian(2.0).2, vec![vec![0.0]]);
}

#[derive(Clone, Debug, Differentiable)]
struct Ridge {
    w: Vec<f64>,
    lambda: f64,
    n: usize,
}

impl Ridge {
    /// λ Σ w², a method of the model that other methods call.
    #[differentiate(wrt(self), hessian)]
    fn penalty(&self) -> f64 {
        let mut s = 0.0;
        for i in 0..self.n {
            s += self.w[i] * self.w[i];
        }
        self.lambda * s
    }

    /// Squared error of the prediction plus the penalty: a field read and the whole
    /// model passed to its own method, in one sweep.
    #[differentiate(wrt(self), hessian)]
    fn loss(&self, x: &[f64], y: f64) -> f64 {
        let mut prediction = 0.0;
        for i in 0..self.n {
            prediction += self.w[i] * x[i];
        }
        let r = prediction - y;
        r * r + self.penalty()
    }
}

#[derive(Clone, Debug, Differentiable)]
struct Outer {
    ridge: Ridge,
    scale: f64,
}

/// A method of a struct field, and the field's own field read beside it.
#[differentiate(wrt(o))]
fn outer_loss(o: &Outer, x: &[f64]) -> f64 {
    o.scale * o.ridge.loss(x, 1.0) + o.ridge.w[0]
}

#[test]
fn methods_of_a_differentiated_struct_pass_its_adjoint_along() {
    let ridge = Ridge {
        w: vec![0.5, -1.0, 2.0],
        lambda: 0.25,
        n: 3,
    };
    let x = [1.0, 2.0, 0.5];
    let (value, d) = ridge.loss_grad(&x, 1.0);
    let prediction: f64 = (0..3).map(|i| ridge.w[i] * x[i]).sum();
    let r = prediction - 1.0;
    let sum_ww: f64 = ridge.w.iter().map(|w| w * w).sum();
    assert!(close(value, r * r + 0.25 * sum_ww));
    for i in 0..3 {
        assert!(close(d.w[i], 2.0 * r * x[i] + 2.0 * 0.25 * ridge.w[i]));
    }
    assert!(close(d.lambda, sum_ww));
    assert_eq!(d.n, 3);
    // The Hessian: 2 x xᵀ + 2λ I over w; ∂²/∂w∂λ = 2w; ∂²/∂λ² = 0.
    let (_, gradient, hessian) = ridge.loss_hessian(&x, 1.0);
    assert_eq!(gradient, d.to_scalars());
    for i in 0..3 {
        for j in 0..3 {
            let expected = 2.0 * x[i] * x[j] + if i == j { 0.5 } else { 0.0 };
            assert!(close(hessian[i][j], expected), "{hessian:?}");
        }
        assert!(close(hessian[i][3], 2.0 * ridge.w[i]));
    }
    assert_eq!(hessian[3][3], 0.0);
    let outer = Outer {
        ridge: ridge.clone(),
        scale: 3.0,
    };
    let (value, d_outer) = outer_loss_grad(&outer, &x);
    assert!(close(value, 3.0 * ridge.loss(&x, 1.0) + 0.5));
    assert!(close(d_outer.scale, ridge.loss(&x, 1.0)));
    assert!(close(d_outer.ridge.w[0], 3.0 * d.w[0] + 1.0));
    assert!(close(d_outer.ridge.lambda, 3.0 * d.lambda));
}

#[derive(Clone, Debug, Differentiable)]
struct Poly {
    coefficients: Vec<f64>,
}

impl Poly {
    fn degree(&self) -> usize {
        self.coefficients.len() - 1
    }

    /// Horner's rule, with the degree from a method that is not differentiated: in
    /// an integer position it is a constant.
    #[differentiate(wrt(self, x))]
    fn eval(&self, x: f64) -> f64 {
        let mut y = 0.0;
        for k in 0..=self.degree() {
            y = y * x + self.coefficients[k];
        }
        y
    }
}

impl Poly {
    /// `self` passed whole (to `eval`) and a constant method beside it.
    #[differentiate(wrt(self))]
    fn weighted(&self, x: f64) -> f64 {
        self.eval(x) * (self.degree() as f64) + self.coefficients[0]
    }
}

#[test]
fn a_constant_method_in_an_integer_position_is_read_as_written() {
    let p = Poly {
        coefficients: vec![2.0, -1.0, 3.0],
    };
    let (value, d, dx) = p.eval_grad(2.0);
    assert_eq!(value, 2.0 * 4.0 - 2.0 + 3.0);
    assert_eq!(d.coefficients, [4.0, 2.0, 1.0]);
    assert_eq!(dx, 2.0 * 2.0 * 2.0 - 1.0);
    let (value, d) = p.weighted_grad(2.0);
    assert_eq!(value, 9.0 * 2.0 + 2.0);
    assert_eq!(d.coefficients, [9.0, 4.0, 2.0]);
}

#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Deep {
    layers: Vec<Layer>,
    bias: f64,
}

/// Elements of a vector of structs: read field by field, taken by reference, and
/// passed to a differentiated function.
#[differentiate(wrt(d), hessian)]
fn deep(d: &Deep, x: &[f64]) -> f64 {
    let mut s = d.bias;
    for k in 0..d.layers.len() {
        let mut z = d.layers[k].b;
        for j in 0..x.len() {
            z += d.layers[k].w[j] * x[j];
        }
        let layer = &d.layers[k];
        s += z * z + layer.b * neuron(&d.layers[k], x);
    }
    s
}

fn two_layers() -> Deep {
    Deep {
        layers: vec![
            Layer {
                w: vec![0.5, -0.25],
                b: 0.1,
            },
            Layer {
                w: vec![1.0, 2.0],
                b: -0.3,
            },
        ],
        bias: 0.7,
    }
}

#[test]
fn elements_of_a_vector_of_structs() {
    let d = two_layers();
    let x = [1.0, 2.0];
    let (value, g) = deep_grad(&d, &x);
    assert_eq!(value, deep(&d, &x));
    for k in 0..2 {
        let l = &d.layers[k];
        let z = l.b + l.w[0] * x[0] + l.w[1] * x[1];
        let h = z.tanh();
        // s += z² + b·tanh(z): ∂/∂b = 2z + tanh z + b(1 − h²), ∂/∂wⱼ = (2z + b(1 − h²)) xⱼ
        let dz = 2.0 * z + l.b * (1.0 - h * h);
        assert!(close(g.layers[k].b, dz + h));
        for j in 0..2 {
            assert!(close(g.layers[k].w[j], dz * x[j]));
        }
    }
    assert_eq!(g.bias, 1.0);
    let (_, gradient, hessian) = deep_hessian(&d, &x);
    assert_eq!(gradient, g.to_scalars());
    check_hessian_of(&d, |m| deep_grad(m, &x).1, &hessian);
}

#[derive(Clone, Debug, Differentiable)]
struct Counted {
    total: f64,
    count: usize,
    scale: f64,
}

/// Fields cast to floats: an integer's cast is a constant, a float's carries its
/// derivative (`FieldScalar`).
#[differentiate(wrt(c, x), hessian)]
fn mean_scaled(c: &Counted, x: f64) -> f64 {
    c.total / c.count as f64 * (c.scale as f32 as f64) * x
}

#[test]
fn casts_of_fields() {
    let c = Counted {
        total: 6.0,
        count: 3,
        scale: 0.5,
    };
    let (value, d, dx) = mean_scaled_grad(&c, 2.0);
    assert_eq!(value, 2.0);
    assert_eq!((d.total, d.count, d.scale, dx), (1.0 / 3.0, 3, 4.0, 1.0));
    let (_, gradient, hessian) = mean_scaled_hessian(&c, 2.0);
    assert_eq!(gradient, [1.0 / 3.0, 4.0, 1.0]);
    // Scalars: total, scale, then x; ∂²/∂total∂x = scale/count, ∂²/∂scale∂x = total/count.
    assert!(close(hessian[0][2], 0.5 / 3.0));
    assert!(close(hessian[1][2], 2.0));
    assert_eq!(hessian[0][0], 0.0);
}

/// A `for` loop over a vector of structs, its elements read by field.
#[differentiate(wrt(d), hessian)]
fn deep_loop(d: &Deep, x: &[f64]) -> f64 {
    let mut s = d.bias;
    for layer in &d.layers {
        let mut z = layer.b;
        for j in 0..x.len() {
            z += layer.w[j] * x[j];
        }
        s += z * z;
    }
    for layer in d.layers.iter() {
        s += layer.b;
    }
    s
}

#[test]
fn a_for_loop_over_a_vector_of_structs() {
    let d = two_layers();
    let x = [1.0, 2.0];
    let (value, g) = deep_loop_grad(&d, &x);
    assert_eq!(value, deep_loop(&d, &x));
    for k in 0..2 {
        let l = &d.layers[k];
        let z = l.b + l.w[0] * x[0] + l.w[1] * x[1];
        assert!(close(g.layers[k].b, 2.0 * z + 1.0));
        for j in 0..2 {
            assert!(close(g.layers[k].w[j], 2.0 * z * x[j]));
        }
    }
    assert_eq!(g.bias, 1.0);
    let (_, gradient, hessian) = deep_loop_hessian(&d, &x);
    assert_eq!(gradient, g.to_scalars());
    check_hessian_of(&d, |m| deep_loop_grad(m, &x).1, &hessian);
}
