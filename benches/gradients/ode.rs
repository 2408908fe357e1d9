//! A loop-heavy kernel: 1 000 classical Runge–Kutta steps of the Lotka–Volterra
//! equations x' = αx − βxy, y' = δxy − γy, with a loss summed along the trajectory;
//! the gradient is with respect to the four parameters and the initial state.

use std::hint::black_box;

use ad::differentiate;
use criterion::Criterion;
use num_dual::{DualNum, DualSVec64};
use reverse::{Gradient, Tape, Var};

use crate::support::{
    assert_agree, assert_value, central_differences, group, memory_of, Cost, MemoryRow,
};

/// dt·Σ_k ((x_k − 1)² + (y_k − 1)²) over the RK4 trajectory from `u0` with
/// parameters `p` = (α, β, δ, γ).
#[differentiate(wrt(p, u0))]
pub fn lotka_volterra(p: &[f64], u0: &[f64], dt: f64, steps: usize) -> f64 {
    let alpha = p[0];
    let beta = p[1];
    let delta = p[2];
    let gamma = p[3];
    let mut x = u0[0];
    let mut y = u0[1];
    let mut loss = 0.0;
    for _step in 0..steps {
        let k1x = alpha * x - beta * x * y;
        let k1y = delta * x * y - gamma * y;
        let x2 = x + 0.5 * dt * k1x;
        let y2 = y + 0.5 * dt * k1y;
        let k2x = alpha * x2 - beta * x2 * y2;
        let k2y = delta * x2 * y2 - gamma * y2;
        let x3 = x + 0.5 * dt * k2x;
        let y3 = y + 0.5 * dt * k2y;
        let k3x = alpha * x3 - beta * x3 * y3;
        let k3y = delta * x3 * y3 - gamma * y3;
        let x4 = x + dt * k3x;
        let y4 = y + dt * k3y;
        let k4x = alpha * x4 - beta * x4 * y4;
        let k4y = delta * x4 * y4 - gamma * y4;
        x += dt / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x);
        y += dt / 6.0 * (k1y + 2.0 * k2y + 2.0 * k3y + k4y);
        let ex = x - 1.0;
        let ey = y - 1.0;
        loss += ex * ex + ey * ey;
    }
    loss * dt
}

/// The vector field at (x, y).
#[inline(always)]
fn field(p: &[f64; 4], x: f64, y: f64) -> (f64, f64) {
    let [alpha, beta, delta, gamma] = *p;
    let xy = x * y;
    (alpha * x - beta * xy, delta * xy - gamma * y)
}

/// (kx̄, kȳ) pulled back through the field at (x, y): returns (x̄, ȳ) and adds the
/// parameters' share into `dp`.
#[inline(always)]
fn field_vjp(p: &[f64; 4], x: f64, y: f64, kx: f64, ky: f64, dp: &mut [f64; 4]) -> (f64, f64) {
    let [alpha, beta, delta, gamma] = *p;
    let xy = x * y;
    dp[0] += kx * x;
    dp[1] -= kx * xy;
    dp[2] += ky * xy;
    dp[3] -= ky * y;
    let c = delta * ky - beta * kx;
    (alpha * kx + c * y, c * x - gamma * ky)
}

/// The discrete adjoint as one would write it by hand: the forward sweep keeps only
/// the states (2 floats a step), the reverse sweep recomputes a step's four stages
/// from its initial state and pulls the state's adjoint back through them.
pub fn lotka_volterra_hand(
    p: &[f64],
    u0: &[f64],
    dt: f64,
    steps: usize,
) -> (f64, Vec<f64>, Vec<f64>) {
    let p: [f64; 4] = p.try_into().expect("four parameters");
    let h = 0.5 * dt;
    let sixth = dt / 6.0;
    let mut states = Vec::with_capacity(steps + 1);
    let (mut x, mut y) = (u0[0], u0[1]);
    states.push((x, y));
    let mut loss = 0.0;
    for _ in 0..steps {
        let (k1x, k1y) = field(&p, x, y);
        let (k2x, k2y) = field(&p, x + h * k1x, y + h * k1y);
        let (k3x, k3y) = field(&p, x + h * k2x, y + h * k2y);
        let (k4x, k4y) = field(&p, x + dt * k3x, y + dt * k3y);
        x += sixth * (k1x + 2.0 * k2x + 2.0 * k3x + k4x);
        y += sixth * (k1y + 2.0 * k2y + 2.0 * k3y + k4y);
        loss += (x - 1.0) * (x - 1.0) + (y - 1.0) * (y - 1.0);
        states.push((x, y));
    }
    let mut dp = [0.0; 4];
    let (mut lx, mut ly) = (0.0, 0.0);
    for k in (0..steps).rev() {
        let (xn, yn) = states[k + 1];
        lx += 2.0 * dt * (xn - 1.0);
        ly += 2.0 * dt * (yn - 1.0);
        let (x, y) = states[k];
        let (k1x, k1y) = field(&p, x, y);
        let (x2, y2) = (x + h * k1x, y + h * k1y);
        let (k2x, k2y) = field(&p, x2, y2);
        let (x3, y3) = (x + h * k2x, y + h * k2y);
        let (k3x, k3y) = field(&p, x3, y3);
        let (x4, y4) = (x + dt * k3x, y + dt * k3y);
        // x_{k+1} = x + dt/6·(k1 + 2k2 + 2k3 + k4): each stage gets its weight.
        let (b4x, b4y) = field_vjp(&p, x4, y4, sixth * lx, sixth * ly, &mut dp);
        let (b3x, b3y) = field_vjp(
            &p,
            x3,
            y3,
            2.0 * sixth * lx + dt * b4x,
            2.0 * sixth * ly + dt * b4y,
            &mut dp,
        );
        let (b2x, b2y) = field_vjp(
            &p,
            x2,
            y2,
            2.0 * sixth * lx + h * b3x,
            2.0 * sixth * ly + h * b3y,
            &mut dp,
        );
        let (b1x, b1y) = field_vjp(
            &p,
            x,
            y,
            sixth * lx + h * b2x,
            sixth * ly + h * b2y,
            &mut dp,
        );
        lx += b4x + b3x + b2x + b1x;
        ly += b4y + b3y + b2y + b1y;
    }
    (loss * dt, dp.to_vec(), vec![lx, ly])
}

fn lotka_volterra_generic<D: DualNum<Primitive = f64> + Copy>(
    p: &[D],
    u0: &[D],
    dt: f64,
    steps: usize,
) -> D {
    let (alpha, beta, delta, gamma) = (p[0], p[1], p[2], p[3]);
    let f = |x: D, y: D| (alpha * x - beta * x * y, delta * x * y - gamma * y);
    let (mut x, mut y) = (u0[0], u0[1]);
    let mut loss = D::from(0.0);
    for _ in 0..steps {
        let (k1x, k1y) = f(x, y);
        let (k2x, k2y) = f(x + k1x * (0.5 * dt), y + k1y * (0.5 * dt));
        let (k3x, k3y) = f(x + k2x * (0.5 * dt), y + k2y * (0.5 * dt));
        let (k4x, k4y) = f(x + k3x * dt, y + k3y * dt);
        x += (k1x + k2x * 2.0 + k3x * 2.0 + k4x) * (dt / 6.0);
        y += (k1y + k2y * 2.0 + k3y * 2.0 + k4y) * (dt / 6.0);
        let (ex, ey) = (x - 1.0, y - 1.0);
        loss += ex * ex + ey * ey;
    }
    loss * dt
}

/// Vector mode: one pass carrying the six directional derivatives.
pub fn lotka_volterra_num_dual(p: &[f64], u0: &[f64], dt: f64, steps: usize) -> (f64, Vec<f64>) {
    let inputs = [p, u0].concat();
    let vars: Vec<DualSVec64<6>> = (0..6)
        .map(|i| DualSVec64::<6>::from_re(inputs[i]).derivative(i))
        .collect();
    let out = lotka_volterra_generic(&vars[..4], &vars[4..], dt, steps);
    let grad = match out.eps.0 {
        Some(eps) => eps.iter().copied().collect(),
        None => vec![0.0; 6],
    };
    (out.re, grad)
}

fn lotka_volterra_var<'a>(p: &[Var<'a>], u0: &[Var<'a>], dt: f64, steps: usize) -> Var<'a> {
    let (alpha, beta, delta, gamma) = (p[0], p[1], p[2], p[3]);
    let f = |x: Var<'a>, y: Var<'a>| (alpha * x - beta * x * y, delta * x * y - gamma * y);
    let (mut x, mut y) = (u0[0], u0[1]);
    let mut terms = Vec::with_capacity(steps);
    for _ in 0..steps {
        let (k1x, k1y) = f(x, y);
        let (k2x, k2y) = f(x + 0.5 * dt * k1x, y + 0.5 * dt * k1y);
        let (k3x, k3y) = f(x + 0.5 * dt * k2x, y + 0.5 * dt * k2y);
        let (k4x, k4y) = f(x + dt * k3x, y + dt * k3y);
        x = x + dt / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x);
        y = y + dt / 6.0 * (k1y + 2.0 * k2y + 2.0 * k3y + k4y);
        let (ex, ey) = (x - 1.0, y - 1.0);
        terms.push(ex * ex + ey * ey);
    }
    let loss: Var = terms.into_iter().sum();
    loss * dt
}

pub fn lotka_volterra_reverse(
    tape: &Tape,
    p: &[f64],
    u0: &[f64],
    dt: f64,
    steps: usize,
) -> (f64, Vec<f64>) {
    tape.clear();
    let pv = tape.add_vars(p);
    let uv = tape.add_vars(u0);
    let out = lotka_volterra_var(&pv, &uv, dt, steps);
    let grads = out.grad();
    (out.val(), [grads.wrt(&pv), grads.wrt(&uv)].concat())
}

pub const STEPS: usize = 1_000;
const DT: f64 = 0.01;
const P: [f64; 4] = [1.5, 1.0, 1.0, 3.0];
const U0: [f64; 2] = [1.2, 0.8];

fn check() {
    let value = lotka_volterra(&P, &U0, DT, STEPS);
    let (v, dp, du) = lotka_volterra_grad(&P, &U0, DT, STEPS);
    assert_eq!(v, value);
    let grad = [dp, du].concat();
    let (hv, hp, hu) = lotka_volterra_hand(&P, &U0, DT, STEPS);
    assert_value("rk4 hand", hv, value, 1e-12);
    assert_agree("rk4 hand", &[hp, hu].concat(), &grad, 1e-10, 1e-12);
    let tape = Tape::new();
    let (rv, rg) = lotka_volterra_reverse(&tape, &P, &U0, DT, STEPS);
    assert_value("rk4 reverse", rv, value, 1e-12);
    assert_agree("rk4 reverse", &rg, &grad, 1e-10, 1e-12);
    let (dv, dg) = lotka_volterra_num_dual(&P, &U0, DT, STEPS);
    assert_value("rk4 num-dual", dv, value, 1e-12);
    assert_agree("rk4 num-dual", &dg, &grad, 1e-10, 1e-12);
    let inputs = [&P[..], &U0[..]].concat();
    let (_, fd) = central_differences(|q| lotka_volterra(&q[..4], &q[4..], DT, STEPS), &inputs);
    assert_agree("rk4 central differences", &fd, &grad, 1e-6, 1e-7);
}

pub fn bench(c: &mut Criterion, memory: &mut Vec<MemoryRow>) {
    check();
    let mut g = group(c, &format!("rk4_{STEPS}"), Cost::Small);
    let (p, u0) = (&P[..], &U0[..]);
    g.bench_function("f", |b| {
        b.iter(|| lotka_volterra(black_box(p), black_box(u0), DT, STEPS))
    });
    g.bench_function("hand", |b| {
        b.iter(|| lotka_volterra_hand(black_box(p), black_box(u0), DT, STEPS))
    });
    g.bench_function("f_grad", |b| {
        b.iter(|| lotka_volterra_grad(black_box(p), black_box(u0), DT, STEPS))
    });
    g.bench_function("f_adjoint", |b| {
        b.iter(|| {
            let (mut dp, mut du) = ([0.0; 4], [0.0; 2]);
            let v = lotka_volterra_adjoint(
                black_box(p),
                black_box(u0),
                DT,
                STEPS,
                1.0,
                &mut dp,
                &mut du,
            );
            (v, dp, du)
        })
    });
    let inputs = [p, u0].concat();
    g.bench_function("central_fd", |b| {
        b.iter(|| {
            central_differences(
                |q| lotka_volterra(&q[..4], &q[4..], DT, STEPS),
                black_box(&inputs),
            )
        })
    });
    let tape = Tape::new();
    g.bench_function("reverse", |b| {
        b.iter(|| lotka_volterra_reverse(&tape, black_box(p), black_box(u0), DT, STEPS))
    });
    g.bench_function("num_dual", |b| {
        b.iter(|| lotka_volterra_num_dual(black_box(p), black_box(u0), DT, STEPS))
    });
    g.finish();

    let workload = format!("rk4_{STEPS}");
    memory.push(memory_of(&workload, "f_grad", 6, || {
        lotka_volterra_grad(p, u0, DT, STEPS)
    }));
    memory.push(memory_of(&workload, "hand", 6, || {
        lotka_volterra_hand(p, u0, DT, STEPS)
    }));
    memory.push(memory_of(&workload, "reverse", 6, || {
        lotka_volterra_reverse(&Tape::new(), p, u0, DT, STEPS)
    }));
}
