//! Minimises the Rosenbrock function in 2 and 1000 dimensions with argmin's L-BFGS,
//! the gradient supplied by `rosenbrock_grad` through `ad::argmin::Problem`, and
//! compares that with the same solver fed central finite differences.
//!
//! Run with `cargo run --release --features argmin --example optimize`
//! (`-- --quick` for n = 2 and n = 100).

use std::hint::black_box;
use std::time::{Duration, Instant};

use ad::differentiate;
use argmin::core::observers::{Observe, ObserverMode};
use argmin::core::{Error, Executor, IterState, State, TerminationReason, KV};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;

/// The extended Rosenbrock function, `Σᵢ (1 − xᵢ)² + 100 (xᵢ₊₁ − xᵢ²)²`: a curved
/// valley with its minimum 0 at (1, …, 1).
#[differentiate]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut total = 0.0;
    for i in 0..x.len() - 1 {
        let a = 1.0 - x[i];
        let b = x[i + 1] - x[i] * x[i];
        total += a * a + 100.0 * b * b;
    }
    total
}

/// The gradient by central differences: 2n evaluations of `rosenbrock`, each step
/// scaled to its coordinate.
fn central_differences(x: &[f64]) -> Vec<f64> {
    let mut p = x.to_vec();
    (0..x.len())
        .map(|i| {
            let h = 1e-6 * x[i].abs().max(1.0);
            p[i] = x[i] + h;
            let up = rosenbrock(&p);
            p[i] = x[i] - h;
            let down = rosenbrock(&p);
            p[i] = x[i];
            (up - down) / (2.0 * h)
        })
        .collect()
}

type LbfgsState = IterState<Vec<f64>, Vec<f64>, (), (), (), f64>;

/// Prints the iteration number, cost and gradient norm every time argmin calls it.
struct PrintIterations;

impl Observe<LbfgsState> for PrintIterations {
    fn observe_iter(&mut self, state: &LbfgsState, _kv: &KV) -> Result<(), Error> {
        let norm = state
            .get_gradient()
            .map_or(f64::NAN, |g| g.iter().map(|v| v * v).sum::<f64>().sqrt());
        println!(
            "    {:>5}  {:>12.4e}  {:>12.4e}",
            state.get_iter(),
            state.get_cost(),
            norm
        );
        Ok(())
    }
}

/// What one L-BFGS run did.
struct Run {
    x: Vec<f64>,
    cost: f64,
    iterations: u64,
    costs: u64,
    gradients: u64,
    reason: String,
    time: Duration,
}

/// L-BFGS (memory 7, Moré–Thuente line search) from `start` with `gradient`; prints
/// a line every `every` iterations when `every` is nonzero.
fn minimise(start: &[f64], gradient: fn(&[f64]) -> Vec<f64>, every: u64) -> Result<Run, Error> {
    let problem = ad::argmin::Problem::new(|x: &[f64]| rosenbrock(x), gradient);
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7)
        .with_tolerance_grad(1e-10)?
        .with_tolerance_cost(0.0)?;
    let mut executor = Executor::new(problem, solver)
        .configure(|state| state.param(start.to_vec()).max_iters(50_000));
    if every > 0 {
        println!("     iter          cost     |gradient|");
        executor = executor.add_observer(PrintIterations, ObserverMode::Every(every));
    }
    let began = Instant::now();
    let result = executor.run()?;
    let time = began.elapsed();
    let state = result.state();
    let count = |name: &str| result.problem().counts.get(name).copied().unwrap_or(0);
    Ok(Run {
        x: state.get_best_param().cloned().unwrap_or_default(),
        cost: state.get_best_cost(),
        iterations: state.get_iter(),
        costs: count("cost_count"),
        gradients: count("gradient_count"),
        reason: state
            .get_termination_reason()
            .map_or_else(|| "running".to_string(), TerminationReason::to_string),
        time,
    })
}

/// Mean time of one call of `f`, from enough calls to fill `budget`.
fn time_per_call(budget: Duration, mut f: impl FnMut()) -> Duration {
    let mut calls = 1u32;
    loop {
        let began = Instant::now();
        for _ in 0..calls {
            f();
        }
        let elapsed = began.elapsed();
        if elapsed >= budget || calls >= 1 << 24 {
            return elapsed / calls;
        }
        calls *= 2;
    }
}

/// `1.23 µs`-style durations.
fn show(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else if s >= 1e-6 {
        format!("{:.2} µs", s * 1e6)
    } else {
        format!("{:.0} ns", s * 1e9)
    }
}

/// `21,930,000`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn max_distance_from_one(x: &[f64]) -> f64 {
    x.iter().map(|v| (v - 1.0).abs()).fold(0.0, f64::max)
}

fn report(label: &str, run: &Run) {
    println!(
        "  {label:<21} {:>5} iterations, {:>5} costs + {:>5} gradients in {:>9}: f = {:.1e}, max|xᵢ − 1| = {:.1e} ({})",
        run.iterations,
        run.costs,
        run.gradients,
        show(run.time),
        run.cost,
        max_distance_from_one(&run.x),
        run.reason.to_lowercase()
    );
}

fn solve(n: usize, quick: bool) -> Result<(), Error> {
    // The classic start (−1.2, 1), repeated.
    let start: Vec<f64> = (0..n)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect();
    println!(
        "Rosenbrock, n = {n}, from (−1.2, 1, −1.2, 1, …) where f = {:.1}",
        rosenbrock(&start)
    );

    let budget = Duration::from_millis(if quick { 5 } else { 200 });
    let t_f = time_per_call(budget, || {
        black_box(rosenbrock(black_box(&start)));
    });
    let t_grad = time_per_call(budget, || {
        black_box(rosenbrock_grad(black_box(&start)));
    });
    let t_fd = time_per_call(budget, || {
        black_box(central_differences(black_box(&start)));
    });
    let (_, g) = rosenbrock_grad(&start);
    let fd = central_differences(&start);
    let gap = g
        .iter()
        .zip(&fd)
        .map(|(a, b)| (a - b).abs() / a.abs().max(1.0))
        .fold(0.0, f64::max);
    println!(
        "  one gradient: f_grad {} = {:.1} × f; central differences {} = {} evaluations of f = {:.0} × f_grad; they differ by {gap:.0e}",
        show(t_grad),
        t_grad.as_secs_f64() / t_f.as_secs_f64(),
        show(t_fd),
        2 * n,
        t_fd.as_secs_f64() / t_grad.as_secs_f64(),
    );

    let every = if n <= 2 { 4 } else { 500 };
    let with_ad = minimise(&start, |x| rosenbrock_grad(x).1, every)?;
    report("L-BFGS + f_grad:", &with_ad);
    if n <= 2 {
        let with_fd = minimise(&start, central_differences, 0)?;
        report("L-BFGS + differences:", &with_fd);
    } else {
        // Not run: once the gradient is small, the differences' rounding noise
        // dominates it and argmin's Moré–Thuente line search can loop for ever
        // (argmin-rs/argmin#400), besides the cost.
        let gradients = with_ad.gradients as f64;
        println!(
            "  with central differences instead, these {} gradients would cost {} × {} = {} evaluations of f, {} instead of {}",
            with_ad.gradients,
            with_ad.gradients,
            2 * n,
            grouped(with_ad.gradients * 2 * n as u64),
            show(t_fd.mul_f64(gradients)),
            show(t_grad.mul_f64(gradients)),
        );
    }
    let shown = n.min(4);
    let coordinates: Vec<String> = with_ad.x[..shown]
        .iter()
        .map(|v| format!("{v:.12}"))
        .collect();
    let more = if n > shown { ", …" } else { "" };
    println!("  x = [{}{more}] (f_grad)", coordinates.join(", "));
    println!();
    Ok(())
}

fn main() -> Result<(), Error> {
    let quick = std::env::args().any(|a| a == "--quick");
    solve(2, quick)?;
    solve(if quick { 100 } else { 1000 }, quick)?;
    Ok(())
}
