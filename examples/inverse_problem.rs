//! Recovers the four rate constants of a Lotka–Volterra predator–prey model from
//! noisy observations of both populations, by BFGS on the least-squares misfit of
//! an RK4 simulation, with the misfit's gradient from `#[differentiate]`.
//!
//! Prints the optimisation's progress and the recovered constants next to the true
//! ones, and writes `examples/output/inverse_problem.svg`: the observations, the
//! trajectory of the initial guess and the fitted trajectory.
//!
//! Run with `cargo run --release --example inverse_problem` (`-- --quick` for a
//! coarser time step, pictures to `target/example-output/`).

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ad::differentiate;
use plotters::prelude::*;

/// Growth rate of the prey `x` eaten by predators `y`: αx − βxy.
#[differentiate]
fn prey_rate(x: f64, y: f64, alpha: f64, beta: f64) -> f64 {
    alpha * x - beta * x * y
}

/// Growth rate of the predators `y` feeding on prey `x`: δxy − γy.
#[differentiate]
fn predator_rate(x: f64, y: f64, gamma: f64, delta: f64) -> f64 {
    delta * x * y - gamma * y
}

/// Half the sum of squared differences between the model and the observations.
///
/// `log_rates` holds ln α, ln β, ln γ, ln δ (logarithms keep the rates positive and
/// of one scale for the optimiser). The model starts at (`x0`, `y0`) and takes
/// `steps` classical Runge–Kutta steps of length `dt` between observations; `obs`
/// holds (prey, predator) pairs at times `steps·dt`, `2·steps·dt`, ….
#[differentiate(wrt(log_rates))]
fn misfit(log_rates: &[f64], obs: &[f64], x0: f64, y0: f64, dt: f64, steps: usize) -> f64 {
    let alpha = log_rates[0].exp();
    let beta = log_rates[1].exp();
    let gamma = log_rates[2].exp();
    let delta = log_rates[3].exp();
    let h = 0.5 * dt;
    let mut x = x0;
    let mut y = y0;
    let mut total = 0.0;
    for k in 0..obs.len() / 2 {
        for _ in 0..steps {
            let k1x = prey_rate(x, y, alpha, beta);
            let k1y = predator_rate(x, y, gamma, delta);
            let k2x = prey_rate(x + h * k1x, y + h * k1y, alpha, beta);
            let k2y = predator_rate(x + h * k1x, y + h * k1y, gamma, delta);
            let k3x = prey_rate(x + h * k2x, y + h * k2y, alpha, beta);
            let k3y = predator_rate(x + h * k2x, y + h * k2y, gamma, delta);
            let k4x = prey_rate(x + dt * k3x, y + dt * k3y, alpha, beta);
            let k4y = predator_rate(x + dt * k3x, y + dt * k3y, gamma, delta);
            x += dt / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x);
            y += dt / 6.0 * (k1y + 2.0 * k2y + 2.0 * k3y + k4y);
        }
        let ex = x - obs[2 * k];
        let ey = y - obs[2 * k + 1];
        total += ex * ex + ey * ey;
    }
    0.5 * total
}

/// The same RK4 integration as `misfit`, recording (t, x, y) after every step: for
/// making the data and the pictures.
fn trajectory(rates: [f64; 4], x0: f64, y0: f64, dt: f64, n: usize) -> Vec<(f64, f64, f64)> {
    let [alpha, beta, gamma, delta] = rates;
    let rate = |x: f64, y: f64| {
        (
            prey_rate(x, y, alpha, beta),
            predator_rate(x, y, gamma, delta),
        )
    };
    let (mut x, mut y) = (x0, y0);
    let mut out = vec![(0.0, x, y)];
    for i in 1..=n {
        let (k1x, k1y) = rate(x, y);
        let (k2x, k2y) = rate(x + 0.5 * dt * k1x, y + 0.5 * dt * k1y);
        let (k3x, k3y) = rate(x + 0.5 * dt * k2x, y + 0.5 * dt * k2y);
        let (k4x, k4y) = rate(x + dt * k3x, y + dt * k3y);
        x += dt / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x);
        y += dt / 6.0 * (k1y + 2.0 * k2y + 2.0 * k3y + k4y);
        out.push((i as f64 * dt, x, y));
    }
    out
}

/// Standard normal draws by Box–Muller from a 64-bit LCG (Knuth's MMIX constants):
/// the same noise on every machine.
struct Noise(u64);

impl Noise {
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.unit(), self.unit());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

/// What BFGS found.
struct Fit {
    p: Vec<f64>,
    value: f64,
    iterations: usize,
    gradients: usize,
    evaluations: usize,
}

/// BFGS with an Armijo backtracking line search (Nocedal & Wright, algorithms 6.1
/// and 3.1): `value_and_gradient` is `f_grad`, `value` the plain function for the
/// line search. Stops when the largest gradient entry is below `tol` times
/// max(1, |f|), or when the line search cannot decrease f any more.
fn bfgs(
    value: impl Fn(&[f64]) -> f64,
    value_and_gradient: impl Fn(&[f64]) -> (f64, Vec<f64>),
    start: &[f64],
    tol: f64,
) -> Fit {
    let n = start.len();
    let mut p = start.to_vec();
    let (mut f, mut g) = value_and_gradient(&p);
    let (mut gradients, mut evaluations) = (1, 0);
    // Inverse Hessian approximation, row-major; the identity to start.
    let identity: Vec<f64> = (0..n * n)
        .map(|i| if i % (n + 1) == 0 { 1.0 } else { 0.0 })
        .collect();
    let mut h = identity.clone();
    let mut iterations = 0;
    let largest = |g: &[f64]| g.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    while largest(&g) > tol * f.abs().max(1.0) && iterations < 500 {
        iterations += 1;
        let mut d: Vec<f64> = (0..n)
            .map(|i| -(0..n).map(|j| h[i * n + j] * g[j]).sum::<f64>())
            .collect();
        let mut slope: f64 = d.iter().zip(&g).map(|(a, b)| a * b).sum();
        if slope >= 0.0 {
            // Not a descent direction: forget the curvature and go downhill.
            h.clone_from(&identity);
            d = g.iter().map(|v| -v).collect();
            slope = -g.iter().map(|v| v * v).sum::<f64>();
        }
        let mut step = 1.0;
        let mut trial: Vec<f64>;
        loop {
            trial = p.iter().zip(&d).map(|(a, b)| a + step * b).collect();
            evaluations += 1;
            if value(&trial) <= f + 1e-4 * step * slope {
                break;
            }
            step *= 0.5;
            if step < 1e-12 {
                // No decrease along d within rounding: as good as it gets.
                return Fit {
                    p,
                    value: f,
                    iterations,
                    gradients,
                    evaluations,
                };
            }
        }
        let (f_new, g_new) = value_and_gradient(&trial);
        gradients += 1;
        let s: Vec<f64> = trial.iter().zip(&p).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
        if sy > 1e-12 {
            if iterations == 1 {
                // Scale the first guess of the inverse Hessian (N&W eq. 6.20).
                let yy: f64 = y.iter().map(|v| v * v).sum();
                h.iter_mut().for_each(|v| *v *= sy / yy);
            }
            // H ← (I − ρsyᵀ) H (I − ρysᵀ) + ρssᵀ, with ρ = 1/(sᵀy).
            let rho = 1.0 / sy;
            let hy: Vec<f64> = (0..n)
                .map(|i| (0..n).map(|j| h[i * n + j] * y[j]).sum())
                .collect();
            let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
            for i in 0..n {
                for j in 0..n {
                    h[i * n + j] +=
                        (1.0 + rho * yhy) * rho * s[i] * s[j] - rho * (hy[i] * s[j] + s[i] * hy[j]);
                }
            }
        }
        p = trial;
        f = f_new;
        g = g_new;
    }
    Fit {
        p,
        value: f,
        iterations,
        gradients,
        evaluations,
    }
}

const NAMES: [&str; 4] = [
    "α (prey growth)",
    "β (predation)",
    "γ (predator death)",
    "δ (predator growth)",
];

fn main() -> Result<(), Box<dyn Error>> {
    let quick = std::env::args().any(|a| a == "--quick");
    // Observations every 0.5 time units for 20 units, RK4 steps of 0.01 (0.05 quick).
    let (dt, steps, n_obs) = if quick {
        (0.05, 10, 40)
    } else {
        (0.01, 50, 40)
    };
    let truth = [1.0, 0.1, 1.5, 0.075];
    let (x0, y0) = (10.0, 5.0);
    let sigma = 1.0;

    let exact = trajectory(truth, x0, y0, dt, steps * n_obs);
    let mut noise = Noise(42);
    let mut obs = Vec::with_capacity(2 * n_obs);
    for k in 1..=n_obs {
        let (_, x, y) = exact[k * steps];
        obs.push(x + sigma * noise.normal());
        obs.push(y + sigma * noise.normal());
    }
    println!(
        "Lotka–Volterra prey x and predators y from (x, y) = ({x0}, {y0}); {n_obs} noisy observations (σ = {sigma}) of both, t = {:.1} … {:.1}",
        steps as f64 * dt,
        (steps * n_obs) as f64 * dt
    );

    let guess = [0.7, 0.07, 1.2, 0.1];
    let start: Vec<f64> = guess.iter().map(|v: &f64| v.ln()).collect();
    let (_, g) = misfit_grad(&start, &obs, x0, y0, dt, steps);
    ad::check_gradient(|p: &[f64]| misfit(p, &obs, x0, y0, dt, steps), &start, &g)?;
    println!(
        "misfit_grad agrees with central differences at the initial guess (ad::check_gradient)"
    );
    println!();

    // Fitted to the whole record at once, a wrong period is a deep local minimum;
    // fitting the first quarter, then half, then all of it walks around it.
    println!(
        "  observations     misfit      α        β        γ        δ     iterations  gradients"
    );
    let show = |window: &str, f: f64, p: &[f64], iterations: &str, gradients: &str| {
        println!(
            "  {window:<12} {f:>10.3}  {:>7.4}  {:>7.4}  {:>7.4}  {:>7.4}  {iterations:>10}  {gradients:>9}",
            p[0].exp(),
            p[1].exp(),
            p[2].exp(),
            p[3].exp()
        );
    };
    show(
        "guess",
        misfit(&start, &obs, x0, y0, dt, steps),
        &start,
        "",
        "",
    );
    let began = Instant::now();
    let mut p = start.clone();
    let mut fit = None;
    let (mut iterations, mut gradients, mut evaluations) = (0, 0, 0);
    for window in [n_obs / 4, n_obs / 2, n_obs] {
        let seen = &obs[..2 * window];
        let stage = bfgs(
            |p: &[f64]| misfit(p, seen, x0, y0, dt, steps),
            |p: &[f64]| misfit_grad(p, seen, x0, y0, dt, steps),
            &p,
            1e-6,
        );
        let t_end = (window * steps) as f64 * dt;
        show(
            &format!("t ≤ {t_end}"),
            stage.value,
            &stage.p,
            &stage.iterations.to_string(),
            &stage.gradients.to_string(),
        );
        iterations += stage.iterations;
        gradients += stage.gradients;
        evaluations += stage.evaluations;
        p.clone_from(&stage.p);
        fit = Some(stage);
    }
    let elapsed = began.elapsed();
    let fit = fit.ok_or("no fit")?;
    let direct = bfgs(
        |p: &[f64]| misfit(p, &obs, x0, y0, dt, steps),
        |p: &[f64]| misfit_grad(p, &obs, x0, y0, dt, steps),
        &start,
        1e-6,
    );
    show(
        "all at once",
        direct.value,
        &direct.p,
        &direct.iterations.to_string(),
        &direct.gradients.to_string(),
    );
    println!("  (all observations at once, from the guess: a local minimum, of the wrong period)");
    println!(
        "BFGS over the three windows: {iterations} iterations, {gradients} gradients (misfit_grad) and {evaluations} values (line search) in {:.1} ms",
        elapsed.as_secs_f64() * 1e3
    );
    let truth_misfit = misfit(&truth.map(f64::ln), &obs, x0, y0, dt, steps);
    println!(
        "misfit {:.3} at the fit, {truth_misfit:.3} at the true constants (the noise alone: about {:.0})",
        fit.value,
        0.5 * (2 * n_obs) as f64 * sigma * sigma
    );
    println!();
    println!(
        "  {:<20} {:>8} {:>10} {:>10}",
        "", "true", "recovered", "error"
    );
    let fitted: Vec<f64> = fit.p.iter().map(|v| v.exp()).collect();
    for i in 0..4 {
        println!(
            "  {:<20} {:>8.4} {:>10.4} {:>9.1}%",
            NAMES[i],
            truth[i],
            fitted[i],
            100.0 * (fitted[i] - truth[i]) / truth[i]
        );
    }

    let path = output_dir(quick)?.join("inverse_problem.svg");
    let horizon = steps * n_obs;
    let initial = trajectory(guess, x0, y0, dt, horizon);
    let fitted = trajectory(
        [fitted[0], fitted[1], fitted[2], fitted[3]],
        x0,
        y0,
        dt,
        horizon,
    );
    let times: Vec<f64> = (1..=n_obs).map(|k| (k * steps) as f64 * dt).collect();
    plot(&path, &obs, &times, &initial, &fitted)?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    println!();
    println!(
        "wrote {}",
        path.strip_prefix(root).unwrap_or(&path).display()
    );
    Ok(())
}

/// `examples/output/` for a full run (the README shows its pictures),
/// `target/example-output/` for `--quick`.
fn output_dir(quick: bool) -> std::io::Result<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = if quick {
        root.join("target/example-output")
    } else {
        root.join("examples/output")
    };
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn plot(
    path: &Path,
    obs: &[f64],
    times: &[f64],
    initial: &[(f64, f64, f64)],
    fitted: &[(f64, f64, f64)],
) -> Result<(), Box<dyn Error>> {
    let root = SVGBackend::new(path, (720, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let t_end = fitted.last().map_or(1.0, |p| p.0);
    let top = obs.iter().copied().fold(0.0, f64::max) * 1.4; // room for the legend
    let mut chart = ChartBuilder::on(&root)
        .caption("inverse_problem: Lotka–Volterra fit", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(44)
        .build_cartesian_2d(0.0..t_end, 0.0..top)?;
    chart
        .configure_mesh()
        .x_desc("time")
        .y_desc("population")
        .draw()?;
    let prey = RGBColor(0, 110, 200);
    let predator = RGBColor(215, 80, 0);
    for (which, colour, name) in [(0, prey, "prey"), (1, predator, "predators")] {
        let pick = |p: &(f64, f64, f64)| (p.0, if which == 0 { p.1 } else { p.2 });
        chart.draw_series(DashedLineSeries::new(
            initial.iter().map(pick),
            4,
            4,
            colour.mix(0.5).stroke_width(1),
        ))?;
        chart
            .draw_series(LineSeries::new(
                fitted.iter().map(pick),
                colour.stroke_width(2),
            ))?
            .label(format!("{name}: fit"))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(2))
            });
        chart
            .draw_series(
                times
                    .iter()
                    .enumerate()
                    .map(|(k, &t)| Circle::new((t, obs[2 * k + which]), 3, colour.filled())),
            )?
            .label(format!("{name}: observed"))
            .legend(move |(x, y)| Circle::new((x + 9, y), 3, colour.filled()));
    }
    // A legend entry for the dashed curves, drawn as nothing on the chart.
    chart
        .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())?
        .label("dashed: initial guess")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK.mix(0.4)));
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    root.present()?;
    Ok(())
}
