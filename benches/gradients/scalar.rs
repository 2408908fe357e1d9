//! A small scalar function of three inputs, fourteen operations.

use std::hint::black_box;

use ad::differentiate;
use criterion::Criterion;
use num_dual::{DualNum, DualSVec64};
use reverse::{Gradient, Tape, Var};

use crate::support::{assert_agree, assert_value, central_differences, group, Cost};

#[differentiate]
pub fn scalar(x: f64, y: f64, z: f64) -> f64 {
    let a = x * y + z.sin();
    let b = (a * a + 1.0).ln();
    let c = (x - z).exp() / (1.0 + y * y);
    b * c + x.tanh()
}

/// The chain rule by hand, sharing every subexpression.
pub fn scalar_hand(x: f64, y: f64, z: f64) -> (f64, f64, f64, f64) {
    let (sin_z, cos_z) = z.sin_cos();
    let a = x * y + sin_z;
    let a2p1 = a * a + 1.0;
    let b = a2p1.ln();
    let q = 1.0 + y * y;
    let c = (x - z).exp() / q;
    let t = x.tanh();
    // ∂f/∂a = c·∂b/∂a, and ∂c/∂x = c, ∂c/∂z = −c, ∂c/∂y = −2yc/q.
    let fa = c * 2.0 * a / a2p1;
    let bc = b * c;
    let dx = fa * y + bc + (1.0 - t * t);
    let dy = fa * x - bc * 2.0 * y / q;
    let dz = fa * cos_z - bc;
    (bc + t, dx, dy, dz)
}

fn scalar_dual<D: DualNum<Primitive = f64> + Copy>(x: D, y: D, z: D) -> D {
    let a = x * y + z.sin();
    let b = (a * a + 1.0).ln();
    let c = (x - z).exp() / (y * y + 1.0);
    b * c + x.tanh()
}

/// One forward pass carrying all three directional derivatives.
pub fn scalar_num_dual(x: f64, y: f64, z: f64) -> (f64, [f64; 3]) {
    let v = |value: f64, i: usize| DualSVec64::<3>::from_re(value).derivative(i);
    let out = scalar_dual(v(x, 0), v(y, 1), v(z, 2));
    let mut grad = [0.0; 3];
    if let Some(eps) = out.eps.0 {
        for (g, e) in grad.iter_mut().zip(eps.iter()) {
            *g = *e;
        }
    }
    (out.re, grad)
}

fn scalar_var<'a>(x: Var<'a>, y: Var<'a>, z: Var<'a>) -> Var<'a> {
    let a = x * y + z.sin();
    let b = (a * a + 1.0).ln();
    let c = (x - z).exp() / (1.0 + y * y);
    b * c + x.tanh()
}

/// Records the tape (cleared, so its capacity is reused) and sweeps it back.
pub fn scalar_reverse(tape: &Tape, x: f64, y: f64, z: f64) -> (f64, Vec<f64>) {
    tape.clear();
    let vars = tape.add_vars(&[x, y, z]);
    let out = scalar_var(vars[0], vars[1], vars[2]);
    (out.val(), out.grad().wrt(&vars))
}

const POINT: (f64, f64, f64) = (0.4, 2.5, -0.7);

fn check() {
    let (x, y, z) = POINT;
    let value = scalar(x, y, z);
    let (v, dx, dy, dz) = scalar_grad(x, y, z);
    assert_eq!(v, value);
    let grad = [dx, dy, dz];
    let (hv, hx, hy, hz) = scalar_hand(x, y, z);
    assert_value("scalar hand", hv, value, 1e-15);
    assert_agree("scalar hand", &[hx, hy, hz], &grad, 1e-13, 0.0);
    let tape = Tape::new();
    let (rv, rg) = scalar_reverse(&tape, x, y, z);
    assert_value("scalar reverse", rv, value, 1e-15);
    assert_agree("scalar reverse", &rg, &grad, 1e-13, 0.0);
    let (dv, dg) = scalar_num_dual(x, y, z);
    assert_value("scalar num-dual", dv, value, 1e-15);
    assert_agree("scalar num-dual", &dg, &grad, 1e-13, 0.0);
    let (_, fd) = central_differences(|p| scalar(p[0], p[1], p[2]), &[x, y, z]);
    assert_agree("scalar central differences", &fd, &grad, 1e-7, 1e-8);
}

pub fn bench(c: &mut Criterion) {
    check();
    let mut g = group(c, "scalar", Cost::Small);
    let (x, y, z) = POINT;
    let p = || (black_box(x), black_box(y), black_box(z));
    g.bench_function("f", |b| {
        b.iter(|| {
            let (x, y, z) = p();
            scalar(x, y, z)
        })
    });
    g.bench_function("hand", |b| {
        b.iter(|| {
            let (x, y, z) = p();
            scalar_hand(x, y, z)
        })
    });
    g.bench_function("f_grad", |b| {
        b.iter(|| {
            let (x, y, z) = p();
            scalar_grad(x, y, z)
        })
    });
    g.bench_function("f_adjoint", |b| {
        b.iter(|| {
            let (x, y, z) = p();
            let (mut dx, mut dy, mut dz) = (0.0, 0.0, 0.0);
            let v = scalar_adjoint(x, y, z, 1.0, &mut dx, &mut dy, &mut dz);
            (v, dx, dy, dz)
        })
    });
    g.bench_function("central_fd", |b| {
        b.iter(|| {
            let (x, y, z) = p();
            central_differences(|q| scalar(q[0], q[1], q[2]), &[x, y, z])
        })
    });
    let tape = Tape::new();
    g.bench_function("reverse", |b| {
        b.iter(|| {
            let (x, y, z) = p();
            scalar_reverse(&tape, x, y, z)
        })
    });
    g.bench_function("num_dual", |b| {
        b.iter(|| {
            let (x, y, z) = p();
            scalar_num_dual(x, y, z)
        })
    });
    g.finish();
}
