//! The extended Rosenbrock function Σ 100(x_{i+1} − x_i²)² + (1 − x_i)², from 10 to
//! 10⁶ inputs.

use std::hint::black_box;

use ad::differentiate;
use criterion::Criterion;
use num_dual::{Dual64, DualNum, DualSVec64};
use reverse::{Gradient, Tape, Var};

use crate::support::{
    assert_agree, assert_value, central_differences, group, memory_of, Cost, MemoryRow,
};

/// As in tests/slices.rs.
#[differentiate]
pub fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

/// One pass over the pairs, writing each gradient entry once: entry i gets its
/// own term's ∂/∂x_i plus the previous term's ∂/∂x_{i+1}, carried in a register,
/// and zipping with the output avoids bounds checks (pushing instead costs 2–3×).
pub fn rosenbrock_hand(x: &[f64]) -> (f64, Vec<f64>) {
    let n = x.len();
    let mut grad = vec![0.0; n];
    let mut s = 0.0;
    let mut carried = 0.0; // 200·a of the previous pair
    for (g, pair) in grad.iter_mut().zip(x.windows(2)) {
        let (xi, next) = (pair[0], pair[1]);
        let a = next - xi * xi;
        let b = 1.0 - xi;
        s += 100.0 * a * a + b * b;
        *g = carried - 400.0 * xi * a - 2.0 * b;
        carried = 200.0 * a;
    }
    grad[n - 1] = carried;
    (s, grad)
}

fn rosenbrock_generic<D: DualNum<Primitive = f64> + Copy>(x: &[D]) -> D {
    let mut s = D::from(0.0);
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = -x[i] + 1.0;
        s += a * a * 100.0 + b * b;
    }
    s
}

/// Vector mode: one pass carrying all n directional derivatives (for n = 10).
pub fn rosenbrock_num_dual_vec<const N: usize>(x: &[f64]) -> (f64, Vec<f64>) {
    assert_eq!(x.len(), N);
    let vars: Vec<DualSVec64<N>> = (0..N)
        .map(|i| DualSVec64::<N>::from_re(x[i]).derivative(i))
        .collect();
    let out = rosenbrock_generic(&vars);
    let grad = match out.eps.0 {
        Some(eps) => eps.iter().copied().collect(),
        None => vec![0.0; N],
    };
    (out.re, grad)
}

/// Scalar mode: n passes, each seeding one input (for n = 1000, where a static
/// vector of 1000 derivatives per operation is impractical).
pub fn rosenbrock_num_dual_passes(x: &[f64]) -> (f64, Vec<f64>) {
    let mut vars: Vec<Dual64> = x.iter().map(|&v| Dual64::from_re(v)).collect();
    let mut grad = vec![0.0; x.len()];
    let mut value = 0.0;
    for i in 0..x.len() {
        vars[i].eps = 1.0;
        let out = rosenbrock_generic(&vars);
        vars[i].eps = 0.0;
        grad[i] = out.eps;
        value = out.re;
    }
    (value, grad)
}

fn rosenbrock_var<'a>(x: &[Var<'a>]) -> Var<'a> {
    x.windows(2)
        .map(|pair| {
            let a = pair[1] - pair[0] * pair[0];
            let b = 1.0 - pair[0];
            100.0 * a * a + b * b
        })
        .sum()
}

pub fn rosenbrock_reverse(tape: &Tape, x: &[f64]) -> (f64, Vec<f64>) {
    tape.clear();
    let vars = tape.add_vars(x);
    let out = rosenbrock_var(&vars);
    (out.val(), out.grad().wrt(&vars))
}

/// The sizes of the issue; the ones at which the O(n²) methods run.
pub const SIZES: [usize; 4] = [10, 1_000, 100_000, 1_000_000];
const QUADRATIC_UP_TO: usize = 1_000;

pub fn input(n: usize) -> Vec<f64> {
    (0..n).map(|i| 0.5 + 0.3 * (i as f64 * 0.7).sin()).collect()
}

fn check(n: usize) {
    let x = input(n);
    let value = rosenbrock(&x);
    let (v, grad) = rosenbrock_grad(&x);
    assert_eq!(v, value);
    let (hv, hg) = rosenbrock_hand(&x);
    assert_value("rosenbrock hand", hv, value, 1e-13);
    assert_agree("rosenbrock hand", &hg, &grad, 1e-13, 1e-15);
    let tape = Tape::new();
    let (rv, rg) = rosenbrock_reverse(&tape, &x);
    assert_value("rosenbrock reverse", rv, value, 1e-13);
    assert_agree("rosenbrock reverse", &rg, &grad, 1e-13, 1e-15);
    if n == 10 {
        let (dv, dg) = rosenbrock_num_dual_vec::<10>(&x);
        assert_value("rosenbrock num-dual", dv, value, 1e-13);
        assert_agree("rosenbrock num-dual", &dg, &grad, 1e-13, 1e-15);
    }
    if n <= QUADRATIC_UP_TO {
        let (dv, dg) = rosenbrock_num_dual_passes(&x);
        assert_value("rosenbrock num-dual passes", dv, value, 1e-13);
        assert_agree("rosenbrock num-dual passes", &dg, &grad, 1e-13, 1e-15);
        let (_, fd) = central_differences(rosenbrock, &x);
        assert_agree("rosenbrock central differences", &fd, &grad, 1e-6, 1e-7);
    }
}

pub fn bench(c: &mut Criterion, memory: &mut Vec<MemoryRow>) {
    for n in SIZES {
        check(n);
        let x = input(n);
        let cost = match n {
            0..=1_000 => Cost::Small,
            1_001..=100_000 => Cost::Medium,
            _ => Cost::Large,
        };
        let mut g = group(c, &format!("rosenbrock_{n}"), cost);
        g.bench_function("f", |b| b.iter(|| rosenbrock(black_box(&x))));
        g.bench_function("hand", |b| b.iter(|| rosenbrock_hand(black_box(&x))));
        g.bench_function("f_grad", |b| b.iter(|| rosenbrock_grad(black_box(&x))));
        let mut buffer = vec![0.0; n];
        g.bench_function("f_adjoint", |b| {
            b.iter(|| {
                buffer.fill(0.0);
                rosenbrock_adjoint(black_box(&x), 1.0, &mut buffer)
            })
        });
        if n <= QUADRATIC_UP_TO {
            g.bench_function("central_fd", |b| {
                b.iter(|| central_differences(rosenbrock, black_box(&x)))
            });
        }
        let tape = Tape::new();
        g.bench_function("reverse", |b| {
            b.iter(|| rosenbrock_reverse(&tape, black_box(&x)))
        });
        if n == 10 {
            g.bench_function("num_dual", |b| {
                b.iter(|| rosenbrock_num_dual_vec::<10>(black_box(&x)))
            });
        } else if n <= QUADRATIC_UP_TO {
            g.bench_function("num_dual", |b| {
                b.iter(|| rosenbrock_num_dual_passes(black_box(&x)))
            });
        }
        g.finish();

        let workload = format!("rosenbrock_{n}");
        memory.push(memory_of(&workload, "f_grad", n, || rosenbrock_grad(&x)));
        memory.push(memory_of(&workload, "hand", n, || rosenbrock_hand(&x)));
        memory.push(memory_of(&workload, "reverse", n, || {
            // A fresh tape: its growth is part of what the method costs.
            let tape = Tape::new();
            rosenbrock_reverse(&tape, &x)
        }));
    }
}
