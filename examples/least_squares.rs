//! Nonlinear least squares with a Jacobian from `#[differentiate]`: Levenberg–
//! Marquardt on NIST's StRD problem Misra1a, checked against NIST's certified
//! parameter values and standard errors to the digits NIST prints.
//!
//! The residuals are one vector-valued function; `residuals_jacobian` gives their
//! value and Jacobian (one reverse sweep per observation), which is all that
//! Levenberg–Marquardt needs. The data (`examples/data/misra1a.dat`) is NIST's,
//! public domain: <https://www.itl.nist.gov/div898/strd/nls/data/misra1a.shtml>.
//!
//! Run with `cargo run --example least_squares` (`-- --quick` is accepted and does
//! the same: the problem is small).

use ad::differentiate;

/// The residuals `b1·(1 − exp(−b2·xᵢ)) − yᵢ` of the Misra1a model.
#[differentiate(wrt(b))]
fn residuals(b: &[f64], x: &[f64], y: &[f64]) -> Vec<f64> {
    x.iter()
        .zip(y)
        .map(|(&xi, &yi)| b[0] * (1.0 - (-b[1] * xi).exp()) - yi)
        .collect()
}

/// NIST's certified values, as printed there, with the number of significant
/// digits printed (11).
const CERTIFIED_B: [&str; 2] = ["2.3894212918E+02", "5.5015643181E-04"];
const CERTIFIED_SE: [&str; 2] = ["2.7070075241E+00", "7.2668688436E-06"];
const CERTIFIED_RSS: &str = "1.2455138894E-01";

fn main() {
    let (x, y) = read_data();
    let mut failures = 0;
    for start in [[500.0, 1e-4], [250.0, 5e-4]] {
        println!("start b = ({:e}, {:e})", start[0], start[1]);
        let fit = levenberg_marquardt(&x, &y, start);
        println!(
            "  {} iterations, {} Jacobians (residuals_jacobian), {} residual evaluations",
            fit.iterations, fit.jacobians, fit.evaluations
        );
        let n = x.len() as f64;
        let variance = fit.rss / (n - 2.0);
        let covariance =
            inverse_2x2(normal_matrix(&fit.jacobian)).map(|row| row.map(|c| c * variance));
        let se = [covariance[0][0].sqrt(), covariance[1][1].sqrt()];
        println!("                  fitted                 certified (NIST)");
        failures += report("b1", fit.b[0], CERTIFIED_B[0]);
        failures += report("b2", fit.b[1], CERTIFIED_B[1]);
        failures += report("se(b1)", se[0], CERTIFIED_SE[0]);
        failures += report("se(b2)", se[1], CERTIFIED_SE[1]);
        failures += report("RSS", fit.rss, CERTIFIED_RSS);
    }
    if failures > 0 {
        eprintln!("{failures} values differ from NIST's certified values in the printed digits");
        std::process::exit(1);
    }
    println!("every value agrees with NIST's certified value to the 11 digits printed");
}

/// Prints a value next to its certified one; 1 if they differ by more than half a
/// unit in the last printed digit.
fn report(name: &str, got: f64, certified: &str) -> usize {
    let want: f64 = certified.parse().expect("certified values are numbers");
    // 11 significant digits: half a unit in the 11th.
    let half_unit = 0.5 * 10f64.powi(want.abs().log10().floor() as i32 - 10);
    let agrees = (got - want).abs() <= half_unit;
    println!(
        "  {name:<7} {got:>22.10E}   {certified:>18}   {}",
        if agrees { "agrees" } else { "DIFFERS" }
    );
    usize::from(!agrees)
}

struct Fit {
    b: [f64; 2],
    rss: f64,
    jacobian: Vec<Vec<f64>>,
    iterations: usize,
    jacobians: usize,
    evaluations: usize,
}

/// Levenberg–Marquardt with Marquardt's scaling: solve
/// `(JᵀJ + λ·diag(JᵀJ))·δ = −Jᵀr`, accept the step if it lowers the sum of squares
/// (then λ /= 10), else λ *= 10; stop when a step changes no parameter by more than
/// 1e-15 relative, or when no step lowers the sum of squares any more. Near the
/// minimum the sum of squares changes by less than its rounding along Misra1a's
/// long valley, so Gauss–Newton steps (λ = 0, not compared by the sum of squares)
/// finish the fit until they change no parameter by more than 1e-14 relative.
fn levenberg_marquardt(x: &[f64], y: &[f64], start: [f64; 2]) -> Fit {
    let mut b = start;
    let (mut r, mut jacobian) = residuals_jacobian(&b, x, y);
    let (mut jacobians, mut evaluations) = (1, 0);
    let mut rss = sum_of_squares(&r);
    let mut lambda = 1e-3;
    let mut iterations = 0;
    while iterations < 1000 {
        iterations += 1;
        let step = damped_step(&jacobian, &r, lambda);
        let trial = [b[0] + step[0], b[1] + step[1]];
        let trial_r = residuals(&trial, x, y);
        evaluations += 1;
        let trial_rss = sum_of_squares(&trial_r);
        if trial_rss <= rss {
            let converged = (0..2).all(|k| step[k].abs() <= 1e-15 * trial[k].abs());
            b = trial;
            (r, jacobian) = residuals_jacobian(&b, x, y);
            jacobians += 1;
            rss = sum_of_squares(&r);
            lambda = (lambda / 10.0).max(1e-12);
            if converged {
                break;
            }
        } else if lambda > 1e12 {
            // No step lowers the sum of squares any more: at the minimum in f64.
            break;
        } else {
            lambda *= 10.0;
        }
    }
    for _ in 0..50 {
        iterations += 1;
        let step = damped_step(&jacobian, &r, 0.0);
        b = [b[0] + step[0], b[1] + step[1]];
        (r, jacobian) = residuals_jacobian(&b, x, y);
        jacobians += 1;
        rss = sum_of_squares(&r);
        if (0..2).all(|k| step[k].abs() <= 1e-14 * b[k].abs()) {
            break;
        }
    }
    Fit {
        b,
        rss,
        jacobian,
        iterations,
        jacobians,
        evaluations,
    }
}

/// `δ` solving `(JᵀJ + λ·diag(JᵀJ))·δ = −Jᵀr`.
fn damped_step(jacobian: &[Vec<f64>], r: &[f64], lambda: f64) -> [f64; 2] {
    let a = normal_matrix(jacobian);
    let g = [0, 1].map(|k| {
        jacobian
            .iter()
            .zip(r)
            .map(|(row, ri)| row[k] * ri)
            .sum::<f64>()
    });
    let damped = [
        [a[0][0] * (1.0 + lambda), a[0][1]],
        [a[1][0], a[1][1] * (1.0 + lambda)],
    ];
    let inverse = inverse_2x2(damped);
    [
        -(inverse[0][0] * g[0] + inverse[0][1] * g[1]),
        -(inverse[1][0] * g[0] + inverse[1][1] * g[1]),
    ]
}

fn sum_of_squares(r: &[f64]) -> f64 {
    r.iter().map(|ri| ri * ri).sum()
}

/// `JᵀJ` for a Jacobian of two columns.
fn normal_matrix(jacobian: &[Vec<f64>]) -> [[f64; 2]; 2] {
    let mut a = [[0.0; 2]; 2];
    for row in jacobian {
        for j in 0..2 {
            for k in 0..2 {
                a[j][k] += row[j] * row[k];
            }
        }
    }
    a
}

fn inverse_2x2(m: [[f64; 2]; 2]) -> [[f64; 2]; 2] {
    let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    [
        [m[1][1] / det, -m[0][1] / det],
        [-m[1][0] / det, m[0][0] / det],
    ]
}

/// The observations of `examples/data/misra1a.dat`: `(x, y)`.
fn read_data() -> (Vec<f64>, Vec<f64>) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/misra1a.dat");
    let text =
        std::fs::read_to_string(path).expect("examples/data/misra1a.dat is in the repository");
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let fields: Vec<f64> = line
            .split_whitespace()
            .map(|f| f.parse().expect("the data are numbers"))
            .collect();
        if let [yi, xi] = fields[..] {
            y.push(yi);
            x.push(xi);
        }
    }
    assert_eq!(x.len(), 14, "Misra1a has 14 observations");
    (x, y)
}
