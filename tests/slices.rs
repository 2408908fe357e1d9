//! Slices, arrays, vectors and local buffers: gradients against analytic ones.

use ad::differentiate;
use approx::assert_relative_eq;

#[differentiate]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

fn rosenbrock_gradient(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut g = vec![0.0; n];
    for i in 0..n - 1 {
        g[i] += -400.0 * x[i] * (x[i + 1] - x[i] * x[i]) - 2.0 * (1.0 - x[i]);
        g[i + 1] += 200.0 * (x[i + 1] - x[i] * x[i]);
    }
    g
}

#[test]
fn rosenbrock_matches_its_analytic_gradient() {
    for n in [2, 10, 1000] {
        let x: Vec<f64> = (0..n).map(|i| 0.5 + 0.3 * (i as f64 * 0.7).sin()).collect();
        let (v, g) = rosenbrock_grad(&x);
        assert_eq!(v, rosenbrock(&x));
        let expected = rosenbrock_gradient(&x);
        assert_eq!(g.len(), n);
        for (a, b) in g.iter().zip(&expected) {
            assert_relative_eq!(a, b, max_relative = 1e-12, epsilon = 1e-12);
        }
        if n <= 10 {
            ad::check_gradient(|p: &[f64]| rosenbrock(p), &x, &g).unwrap();
        }
    }
}

#[differentiate]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for (x, y) in a.iter().zip(b.iter()) {
        s += x * y;
    }
    s
}

#[test]
fn dot_product_of_two_differentiable_slices() {
    let a = [1.0, 2.0, 3.0];
    let b = [4.0, -5.0, 6.0];
    let (v, da, db) = dot_grad(&a, &b);
    assert_eq!(v, 12.0);
    assert_eq!(da, b.to_vec());
    assert_eq!(db, a.to_vec());
    assert_eq!(dot(&a, &b), v);
}

#[differentiate]
fn fixed(p: [f64; 3], q: &[f64; 4]) -> f64 {
    p[0] * q[3] + (p[1] * p[2]).sin() + q.iter().sum::<f64>()
}

#[test]
fn arrays_by_value_and_by_reference() {
    let p = [0.5, 1.5, -0.25];
    let q = [1.0, 2.0, 3.0, 4.0];
    let (v, dp, dq) = fixed_grad(p, &q);
    assert_eq!(v, fixed(p, &q));
    let c = (p[1] * p[2]).cos();
    assert_eq!(dp, [q[3], p[2] * c, p[1] * c]);
    assert_eq!(dq, [1.0, 1.0, 1.0, 1.0 + p[0]]);
}

/// `&Vec<f64>` is what this test is about, so clippy's advice to take a slice is off.
#[differentiate]
#[allow(clippy::ptr_arg)]
fn norm_squared(v: &Vec<f64>) -> f64 {
    let mut s = 0.0;
    for x in v.iter() {
        s += x * x;
    }
    s
}

#[test]
fn vec_by_reference() {
    let v = vec![3.0, -4.0];
    assert_eq!(norm_squared_grad(&v), (25.0, vec![6.0, -8.0]));
    assert_eq!(norm_squared(&v), 25.0);
}

#[differentiate(wrt(w))]
fn gather(w: &[f64], idx: &[usize]) -> f64 {
    let mut s = 0.0;
    for &k in idx.iter() {
        s += w[k] * w[k];
    }
    s
}

#[test]
fn gather_with_repeated_indices_accumulates() {
    let w = [1.0, 2.0, 3.0];
    let idx = [2, 0, 2, 2];
    let (v, dw) = gather_grad(&w, &idx);
    assert_eq!(v, 9.0 * 3.0 + 1.0);
    assert_eq!(dw, vec![2.0, 0.0, 3.0 * 6.0]);
    assert_eq!(gather(&w, &idx), v);
}

#[differentiate]
fn recurrence(x: f64, n: usize) -> f64 {
    let mut a = vec![0.0; n];
    a[0] = x;
    for i in 1..n {
        a[i] = a[i - 1].sin() * x;
    }
    a[n - 1]
}

#[test]
fn recurrence_in_a_local_buffer() {
    let (x, n) = (0.9, 5);
    let (v, dx) = recurrence_grad(x, n);
    // Forward mode by hand.
    let (mut a, mut da) = (x, 1.0);
    for _ in 1..n {
        let (na, nda) = (a.sin() * x, a.cos() * da * x + a.sin());
        a = na;
        da = nda;
    }
    assert_relative_eq!(v, a, max_relative = 1e-15);
    assert_relative_eq!(dx, da, max_relative = 1e-13);
    assert_eq!(recurrence(x, n), v);
}

/// Copying element by element is the point: each store is differentiated.
#[differentiate]
#[allow(clippy::manual_memcpy, clippy::needless_range_loop)]
fn overwrite_in_place(x: &[f64]) -> f64 {
    let mut a = vec![0.0; x.len()];
    for i in 0..x.len() {
        a[i] = x[i];
    }
    for i in 0..a.len() {
        a[i] = a[i].sin() * a[i];
    }
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i];
    }
    s
}

#[test]
fn buffer_overwritten_in_place() {
    let x = [0.3, -1.1, 2.0];
    let (v, g) = overwrite_in_place_grad(&x);
    assert_relative_eq!(
        v,
        x.iter().map(|t| t.sin() * t).sum::<f64>(),
        max_relative = 1e-15
    );
    for (gi, xi) in g.iter().zip(&x) {
        assert_relative_eq!(*gi, xi.cos() * xi + xi.sin(), max_relative = 1e-14);
    }
    assert_eq!(overwrite_in_place(&x), v);
}

#[differentiate(wrt(logits))]
fn softmax_cross_entropy(logits: &[f64], label: usize) -> f64 {
    let mut m = logits[0];
    for &l in logits.iter() {
        m = m.max(l);
    }
    let mut z = 0.0;
    for l in logits.iter() {
        z += (l - m).exp();
    }
    z.ln() + m - logits[label]
}

#[test]
fn softmax_cross_entropy_gradient_is_softmax_minus_one_hot() {
    let logits = [1.0, 3.0, -0.5, 2.0];
    let label = 2;
    let (v, g) = softmax_cross_entropy_grad(&logits, label);
    let z: f64 = logits.iter().map(|l| l.exp()).sum();
    assert_relative_eq!(v, z.ln() - logits[label], max_relative = 1e-14);
    for (i, gi) in g.iter().enumerate() {
        let expected = logits[i].exp() / z - if i == label { 1.0 } else { 0.0 };
        assert_relative_eq!(*gi, expected, max_relative = 1e-13, epsilon = 1e-15);
    }
    assert_eq!(softmax_cross_entropy(&logits, label), v);
}

#[differentiate]
fn f32_slice(x: &[f32]) -> f32 {
    let mut s = 0.0;
    for v in x.iter() {
        s += v.sin();
    }
    s
}

#[test]
fn f32_slices() {
    let x = [0.5_f32, 1.0, -2.0];
    let (v, g) = f32_slice_grad(&x);
    assert_eq!(v, f32_slice(&x));
    for (gi, xi) in g.iter().zip(&x) {
        assert_relative_eq!(*gi, xi.cos(), max_relative = 1e-6);
    }
}

#[test]
fn the_adjoint_entry_point_adds_into_the_buffer() {
    let x = [1.0, 2.0];
    let mut d = vec![10.0, 20.0];
    let v = rosenbrock_adjoint(&x, 2.0, &mut d);
    assert_eq!(v, 100.0 * 1.0 + 0.0);
    let g = rosenbrock_gradient(&x);
    assert_eq!(d, vec![10.0 + 2.0 * g[0], 20.0 + 2.0 * g[1]]);
}

#[differentiate]
fn pushed(x: f64, n: usize) -> f64 {
    let mut powers = Vec::with_capacity(n);
    let mut p = 1.0;
    for _ in 0..n {
        p *= x;
        powers.push(p);
    }
    let mut s = 0.0;
    for (k, v) in powers.iter().enumerate() {
        s += v * (k + 1) as f64;
    }
    s
}

#[test]
fn buffer_grown_with_push() {
    // Σ_{k=1..n} k·x^k, derivative Σ k²·x^(k-1).
    let (x, n) = (0.8, 6);
    let (v, dx) = pushed_grad(x, n);
    let value: f64 = (1..=n).map(|k| k as f64 * x.powi(k as i32)).sum();
    let derivative: f64 = (1..=n).map(|k| (k * k) as f64 * x.powi(k as i32 - 1)).sum();
    assert_relative_eq!(v, value, max_relative = 1e-14);
    assert_relative_eq!(dx, derivative, max_relative = 1e-13);
    assert_eq!(pushed(x, n), v);
}

#[test]
fn rosenbrock_of_a_million_inputs() {
    // O(n): no allocation per element, nothing recorded (see the README); in release
    // this takes milliseconds (the benchmarks time it).
    let n = 1_000_000;
    let x: Vec<f64> = (0..n).map(|i| 1.0 + 0.1 * ((i % 7) as f64 - 3.0)).collect();
    let (v, g) = rosenbrock_grad(&x);
    assert_eq!(v, rosenbrock(&x));
    let expected = rosenbrock_gradient(&x);
    assert_eq!(g.len(), n);
    for (a, b) in g.iter().zip(&expected) {
        assert_relative_eq!(a, b, max_relative = 1e-12, epsilon = 1e-12);
    }
}
