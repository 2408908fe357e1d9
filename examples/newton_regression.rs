//! Fits a logistic regression of O-ring incidents on launch temperature, on the 23
//! space-shuttle launches before Challenger (Dalal, Fowlkes & Hoadley 1989; the data
//! and their provenance are in `examples/data/`), by Newton's method on the exact
//! Hessian from `f_hessian`, and reports standard errors from the inverse Hessian at
//! the optimum (the observed Fisher information). argmin's trust-region solver then
//! fits the same model on Hessian-vector products from `f_hvp`, through
//! `ad::argmin::Problem::with_hessian_products`.
//!
//! Run with `cargo run --release --features argmin --example newton_regression`
//! (`-- --quick` only shortens the timing).

use std::hint::black_box;
use std::time::{Duration, Instant};

use ad::differentiate;
use argmin::core::{Error, Executor, State};
use argmin::solver::trustregion::{Steihaug, TrustRegion};

/// The launch temperature (°F) and whether any field-joint O-ring showed thermal
/// distress (1) or not (0), one entry per launch.
struct Launches {
    flight: Vec<String>,
    temperature: Vec<f64>,
    incident: Vec<f64>,
}

fn read_launches() -> Launches {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/data/challenger_orings.csv"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut launches = Launches {
        flight: Vec::new(),
        temperature: Vec::new(),
        incident: Vec::new(),
    };
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split(',').collect();
        let number = |i: usize| -> f64 {
            fields[i]
                .trim()
                .parse()
                .unwrap_or_else(|e| panic!("{path}: {line:?}: {e}"))
        };
        launches.flight.push(fields[0].to_string());
        launches.temperature.push(number(1));
        launches.incident.push(number(3));
    }
    launches
}

/// −log L(β) of the logistic model P(incident) = 1 / (1 + e^−(β₀ + β₁·t)):
/// Σᵢ log(1 + e^ηᵢ) − yᵢ ηᵢ with ηᵢ = β₀ + β₁ tᵢ.
///
/// `log(1 + e^η)` is `η + log(1 + e^−η)` for η > 0, so that e^η never overflows.
/// Not `max(η, 0) + log(1 + e^−|η|)`: equal in value, but `max` and `abs` have a
/// kink at η = 0 where their derivatives take a convention, and Newton starts at
/// β = 0, where every ηᵢ is 0: its Hessian there would be 0. Both arms of the `if`
/// are smooth.
#[differentiate(wrt(beta), hessian)]
fn negative_log_likelihood(beta: &[f64], temperature: &[f64], incident: &[f64]) -> f64 {
    let mut total = 0.0;
    for i in 0..temperature.len() {
        let eta = beta[0] + beta[1] * temperature[i];
        let softplus = if eta > 0.0 {
            eta + (-eta).exp().ln_1p()
        } else {
            eta.exp().ln_1p()
        };
        total += softplus - incident[i] * eta;
    }
    total
}

/// The Cholesky factor L (lower triangular, L·Lᵀ = a) of a symmetric positive
/// definite matrix, or `None` when a pivot is not positive.
fn cholesky(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut l = vec![vec![0.0; n]; n];
    for j in 0..n {
        let pivot = a[j][j] - (0..j).map(|k| l[j][k] * l[j][k]).sum::<f64>();
        if pivot <= 0.0 || !pivot.is_finite() {
            return None;
        }
        l[j][j] = pivot.sqrt();
        for i in j + 1..n {
            let s = a[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
            l[i][j] = s / l[j][j];
        }
    }
    Some(l)
}

/// x with L·Lᵀ·x = b: forward, then backward substitution.
fn cholesky_solve(l: &[Vec<f64>], b: &[f64]) -> Vec<f64> {
    let n = l.len();
    let mut y = vec![0.0; n];
    for i in 0..n {
        y[i] = (b[i] - (0..i).map(|k| l[i][k] * y[k]).sum::<f64>()) / l[i][i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        x[i] = (y[i] - (i + 1..n).map(|k| l[k][i] * x[k]).sum::<f64>()) / l[i][i];
    }
    x
}

/// (L·Lᵀ)⁻¹, column by column.
fn cholesky_inverse(l: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let n = l.len();
    let columns: Vec<Vec<f64>> = (0..n)
        .map(|j| {
            let unit: Vec<f64> = (0..n).map(|i| if i == j { 1.0 } else { 0.0 }).collect();
            cholesky_solve(l, &unit)
        })
        .collect();
    (0..n)
        .map(|i| (0..n).map(|j| columns[j][i]).collect())
        .collect()
}

/// What Newton's method found.
struct Fit {
    beta: Vec<f64>,
    covariance: Vec<Vec<f64>>,
    iterations: usize,
}

/// Newton's method from β = 0: each step solves H·p = −∇ on `f_hessian`'s Hessian
/// and gradient. The negative log-likelihood of a logistic model is convex, and its
/// Hessian XᵀWX positive definite while the data do not separate, so the full step
/// is taken; it stops once the Newton decrement ∇ᵀH⁻¹∇ is below 1e-20.
fn newton(launches: &Launches) -> Fit {
    let data = (&launches.temperature[..], &launches.incident[..]);
    let mut beta = vec![0.0, 0.0];
    println!("  iter       −log L      |gradient|          β₀            β₁");
    for iteration in 0..50 {
        let (value, gradient, hessian) = negative_log_likelihood_hessian(&beta, data.0, data.1);
        let norm = gradient.iter().map(|g| g * g).sum::<f64>().sqrt();
        println!(
            "  {iteration:>4}  {value:>11.6}  {norm:>14.3e}  {:>12.6}  {:>12.8}",
            beta[0], beta[1]
        );
        let l = cholesky(&hessian).expect("the Hessian is positive definite");
        let step = cholesky_solve(&l, &gradient);
        let decrement: f64 = step.iter().zip(&gradient).map(|(s, g)| s * g).sum();
        if decrement < 1e-20 {
            return Fit {
                covariance: cholesky_inverse(&l),
                beta,
                iterations: iteration,
            };
        }
        for (b, s) in beta.iter_mut().zip(&step) {
            *b -= s;
        }
    }
    panic!("Newton's method did not converge in 50 iterations");
}

/// argmin's trust region with Steihaug's conjugate gradients, on Hessian-vector
/// products from `f_hvp`: no 2 × 2 matrix is ever formed.
fn trust_region(launches: &Launches) -> Result<(Vec<f64>, u64), Error> {
    let (t, y) = (&launches.temperature[..], &launches.incident[..]);
    let problem = ad::argmin::Problem::new(
        |beta: &[f64]| negative_log_likelihood(beta, t, y),
        |beta: &[f64]| negative_log_likelihood_grad(beta, t, y).1,
    )
    .with_hessian_products(|beta: &[f64], v: &[f64]| negative_log_likelihood_hvp(beta, t, y, v).2);
    let solver = TrustRegion::new(Steihaug::new().with_max_iters(10)).with_max_radius(100.0)?;
    let result = Executor::new(problem, solver)
        .configure(|state| state.param(vec![0.0, 0.0]).max_iters(60))
        .run()?;
    let beta = result.state().get_best_param().cloned().unwrap_or_default();
    let hessians = result
        .problem()
        .counts
        .get("hessian_count")
        .copied()
        .unwrap_or(0);
    Ok((beta, hessians))
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

fn main() -> Result<(), Error> {
    let quick = std::env::args().any(|a| a == "--quick");
    let launches = read_launches();
    let incidents = launches.incident.iter().filter(|&&y| y == 1.0).count();
    let cold: Vec<String> = launches
        .flight
        .iter()
        .zip(&launches.temperature)
        .zip(&launches.incident)
        .filter(|(_, &y)| y == 1.0)
        .map(|((flight, t), _)| format!("{flight} {t}°F"))
        .collect();
    println!(
        "{} launches before Challenger, {incidents} with O-ring thermal distress: {}",
        launches.temperature.len(),
        cold.join(", ")
    );
    println!("logistic regression, P(incident) = 1 / (1 + exp(−(β₀ + β₁·temperature)))");
    println!();
    println!("Newton's method on negative_log_likelihood_hessian:");
    let fit = newton(&launches);
    let se: Vec<f64> = (0..2).map(|i| fit.covariance[i][i].sqrt()).collect();
    let correlation = fit.covariance[0][1] / (se[0] * se[1]);
    println!(
        "  converged in {} Newton steps; standard errors from the inverse Hessian",
        fit.iterations
    );
    println!();
    println!("               estimate   std. error   published fit (std. error)");
    println!(
        "  intercept  {:>11.4}  {:>11.4}   15.0429 (7.38)",
        fit.beta[0], se[0]
    );
    println!(
        "  °F         {:>11.4}  {:>11.4}   −0.2322 (0.108)",
        fit.beta[1], se[1]
    );
    println!("  correlation of the two estimates: {correlation:.4}");

    // The published fit (R's glm, as printed in the sources of examples/data/README.md),
    // to the digits published: each estimate must round to it.
    let published = [
        (fit.beta[0], 15.0429, 1e-4),
        (se[0], 7.38, 1e-2),
        (fit.beta[1], -0.2322, 1e-4),
        (se[1], 0.108, 1e-3),
    ];
    for (got, want, digit) in published {
        assert!(
            (got - want).abs() <= digit / 2.0,
            "{got} does not round to the published {want}"
        );
    }

    // Challenger launched at 31°F, 22°F below the coldest launch in the data: the
    // model's prediction there, with a 95% interval on the logit scale (delta method:
    // Var(β₀ + β₁t) = xᵀΣx with x = (1, t), Σ the inverse Hessian).
    let t = 31.0;
    let eta = fit.beta[0] + fit.beta[1] * t;
    let x = [1.0, t];
    let variance: f64 = (0..2)
        .map(|i| {
            (0..2)
                .map(|j| x[i] * fit.covariance[i][j] * x[j])
                .sum::<f64>()
        })
        .sum();
    let logistic = |eta: f64| 1.0 / (1.0 + (-eta).exp());
    let half = 1.96 * variance.sqrt();
    println!(
        "  P(incident) at 31°F: {:.4}, 95% interval {:.4} to {:.4} (an extrapolation)",
        logistic(eta),
        logistic(eta - half),
        logistic(eta + half)
    );
    println!();

    let (beta, hessians) = trust_region(&launches)?;
    let gap = beta
        .iter()
        .zip(&fit.beta)
        .map(|(a, b)| (a - b).abs() / b.abs())
        .fold(0.0, f64::max);
    println!(
        "argmin's TrustRegion + Steihaug on negative_log_likelihood_hvp: β = ({:.4}, {:.4}), {hessians} Hessians (as products); differs from Newton's by {gap:.0e}",
        beta[0], beta[1]
    );
    assert!(gap < 1e-6, "the trust region stopped at {beta:?}");

    let budget = Duration::from_millis(if quick { 5 } else { 200 });
    let (t, y) = (&launches.temperature[..], &launches.incident[..]);
    let time_f = time_per_call(budget, || {
        black_box(negative_log_likelihood(black_box(&fit.beta), t, y));
    });
    let time_grad = time_per_call(budget, || {
        black_box(negative_log_likelihood_grad(black_box(&fit.beta), t, y));
    });
    let time_hessian = time_per_call(budget, || {
        black_box(negative_log_likelihood_hessian(black_box(&fit.beta), t, y));
    });
    println!(
        "time: −log L {:.0} ns, f_grad {:.0} ns, f_hessian (value, gradient and Hessian) {:.0} ns",
        time_f.as_secs_f64() * 1e9,
        time_grad.as_secs_f64() * 1e9,
        time_hessian.as_secs_f64() * 1e9
    );
    Ok(())
}
