//! The logistic regression of `examples/newton_regression.rs` (O-ring incidents on
//! launch temperature, 23 shuttle launches before Challenger) fitted three ways:
//! Newton's method on `f_hessian`, argmin's trust region on `f_hvp` and on
//! `f_hessian` through `ad::argmin` (feature `argmin`), and, independently of `ad`,
//! iteratively reweighted least squares written out below, whose weighted normal
//! equations XᵀWX·δ = Xᵀ(y − p) are solved in closed form. The estimates and their
//! standard errors must agree with IRLS to 1e-9 and round to the published fit.

use ad::differentiate;

/// (temperature °F, incident 0/1) per launch, from the example's data file.
fn launches() -> (Vec<f64>, Vec<f64>) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/data/challenger_orings.csv"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("flight,temperature_f,distressed,incident")
    );
    lines
        .filter(|l| !l.is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            let distressed: f64 = fields[2].parse().unwrap();
            let incident: f64 = fields[3].parse().unwrap();
            assert_eq!(incident, f64::from(distressed > 0.0), "{line}");
            (fields[1].parse::<f64>().unwrap(), incident)
        })
        .unzip()
}

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

/// The inverse of a symmetric 2 × 2 matrix.
fn inverse(a: &[Vec<f64>]) -> [[f64; 2]; 2] {
    let det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
    [
        [a[1][1] / det, -a[0][1] / det],
        [-a[1][0] / det, a[0][0] / det],
    ]
}

/// Estimates and standard errors.
struct Fit {
    beta: [f64; 2],
    se: [f64; 2],
}

/// Iteratively reweighted least squares (Fisher scoring, which is Newton's method
/// for the logit link): pᵢ = 1/(1 + e^−ηᵢ), wᵢ = pᵢ(1 − pᵢ),
/// β ← β + (XᵀWX)⁻¹Xᵀ(y − p), with X's rows (1, tᵢ); the standard errors are the
/// square roots of (XᵀWX)⁻¹'s diagonal at the end. No `ad` here.
fn irls(temperature: &[f64], incident: &[f64]) -> Fit {
    let mut beta = [0.0, 0.0];
    for _ in 0..100 {
        let mut xwx = vec![vec![0.0; 2]; 2];
        let mut score = [0.0; 2];
        for (&t, &y) in temperature.iter().zip(incident) {
            let p = 1.0 / (1.0 + (-(beta[0] + beta[1] * t)).exp());
            let w = p * (1.0 - p);
            let x = [1.0, t];
            for i in 0..2 {
                score[i] += x[i] * (y - p);
                for j in 0..2 {
                    xwx[i][j] += w * x[i] * x[j];
                }
            }
        }
        let inv = inverse(&xwx);
        let delta = [
            inv[0][0] * score[0] + inv[0][1] * score[1],
            inv[1][0] * score[0] + inv[1][1] * score[1],
        ];
        beta = [beta[0] + delta[0], beta[1] + delta[1]];
        if delta[0].abs() <= 1e-14 * beta[0].abs() && delta[1].abs() <= 1e-14 * beta[1].abs() {
            return Fit {
                beta,
                se: [inv[0][0].sqrt(), inv[1][1].sqrt()],
            };
        }
    }
    panic!("IRLS did not converge");
}

/// Newton's method on `f_hessian`, standard errors from the inverse Hessian at the
/// optimum.
fn newton(temperature: &[f64], incident: &[f64]) -> Fit {
    let mut beta = vec![0.0, 0.0];
    for _ in 0..100 {
        let (_, gradient, hessian) = negative_log_likelihood_hessian(&beta, temperature, incident);
        let inv = inverse(&hessian);
        let step = [
            inv[0][0] * gradient[0] + inv[0][1] * gradient[1],
            inv[1][0] * gradient[0] + inv[1][1] * gradient[1],
        ];
        beta = vec![beta[0] - step[0], beta[1] - step[1]];
        if step[0].abs() <= 1e-14 * beta[0].abs() && step[1].abs() <= 1e-14 * beta[1].abs() {
            let (_, _, hessian) = negative_log_likelihood_hessian(&beta, temperature, incident);
            let covariance = inverse(&hessian);
            return Fit {
                beta: [beta[0], beta[1]],
                se: [covariance[0][0].sqrt(), covariance[1][1].sqrt()],
            };
        }
    }
    panic!("Newton's method did not converge");
}

#[track_caller]
fn assert_relative(what: &str, got: f64, want: f64, tolerance: f64) {
    assert!(
        (got - want).abs() <= tolerance * want.abs(),
        "{what}: got {got}, want {want}"
    );
}

/// `got` rounds to `published`, which is given to `digit` (0.0001 for 15.0429).
#[track_caller]
fn assert_rounds_to(what: &str, got: f64, published: f64, digit: f64) {
    assert!(
        (got - published).abs() <= digit / 2.0,
        "{what}: {got} does not round to the published {published}"
    );
}

#[test]
fn newton_on_f_hessian_agrees_with_irls_and_the_published_fit() {
    let (temperature, incident) = launches();
    assert_eq!(temperature.len(), 23);
    assert_eq!(incident.iter().sum::<f64>(), 7.0);
    let reference = irls(&temperature, &incident);
    let fit = newton(&temperature, &incident);
    for (what, got, want) in [
        ("intercept", fit.beta[0], reference.beta[0]),
        ("slope", fit.beta[1], reference.beta[1]),
        ("intercept's s.e.", fit.se[0], reference.se[0]),
        ("slope's s.e.", fit.se[1], reference.se[1]),
    ] {
        assert_relative(what, got, want, 1e-9);
    }
    // R's glm(incident ~ temperature, family = binomial) on these data, as printed
    // in the sources listed in examples/data/README.md, to the digits printed there.
    for fit in [&fit, &reference] {
        assert_rounds_to("intercept", fit.beta[0], 15.0429, 1e-4);
        assert_rounds_to("slope", fit.beta[1], -0.2322, 1e-4);
        assert_rounds_to("intercept's s.e.", fit.se[0], 7.38, 1e-2);
        assert_rounds_to("slope's s.e.", fit.se[1], 0.108, 1e-3);
        // To the digits of the statement of the same fit.
        assert_rounds_to("intercept", fit.beta[0], 15.043, 1e-3);
        assert_rounds_to("intercept's s.e.", fit.se[0], 7.379, 1e-3);
        assert_rounds_to("slope's s.e.", fit.se[1], 0.1082, 1e-4);
    }
}

/// At the optimum the Hessian of −log L is XᵀWX (for the logit link the observed and
/// the expected information coincide): `f_hessian`'s against the hand-written sum,
/// and `f_hvp` against `f_hessian`.
#[test]
fn the_hessian_is_the_fisher_information() {
    let (temperature, incident) = launches();
    let reference = irls(&temperature, &incident);
    for beta in [[0.0, 0.0], reference.beta, [10.0, -0.1]] {
        let (_, _, hessian) = negative_log_likelihood_hessian(&beta, &temperature, &incident);
        let mut xwx = [[0.0; 2]; 2];
        for &t in &temperature {
            let p = 1.0 / (1.0 + (-(beta[0] + beta[1] * t)).exp());
            let x = [1.0, t];
            for i in 0..2 {
                for j in 0..2 {
                    xwx[i][j] += p * (1.0 - p) * x[i] * x[j];
                }
            }
        }
        for i in 0..2 {
            for j in 0..2 {
                assert_relative(
                    &format!("H[{i}][{j}] at {beta:?}"),
                    hessian[i][j],
                    xwx[i][j],
                    1e-12,
                );
            }
        }
        let v = [0.7, -0.02];
        let (_, _, hv) = negative_log_likelihood_hvp(&beta, &temperature, &incident, &v);
        for i in 0..2 {
            let want = hessian[i][0] * v[0] + hessian[i][1] * v[1];
            assert!(
                (hv[i] - want).abs()
                    <= 1e-12
                        * (hessian[i][0] * v[0])
                            .abs()
                            .max((hessian[i][1] * v[1]).abs()),
                "hvp[{i}] at {beta:?}: got {}, want {want}",
                hv[i]
            );
        }
    }
}

#[cfg(feature = "argmin")]
#[test]
fn argmin_trust_region_on_f_hvp_and_f_hessian_agrees_with_irls() {
    use argmin::core::{Executor, State};
    use argmin::solver::trustregion::{Steihaug, TrustRegion};

    let (temperature, incident) = launches();
    let (t, y) = (&temperature[..], &incident[..]);
    let reference = irls(t, y);
    let problem = || {
        ad::argmin::Problem::new(
            |beta: &[f64]| negative_log_likelihood(beta, t, y),
            |beta: &[f64]| negative_log_likelihood_grad(beta, t, y).1,
        )
    };
    let solver = || {
        TrustRegion::new(Steihaug::new().with_max_iters(10))
            .with_max_radius(100.0)
            .unwrap()
    };
    let products = Executor::new(
        problem().with_hessian_products(|b: &[f64], v: &[f64]| {
            negative_log_likelihood_hvp(b, t, y, v).2
        }),
        solver(),
    )
    .configure(|state| state.param(vec![0.0, 0.0]).max_iters(60))
    .run()
    .unwrap();
    let dense = Executor::new(
        problem().with_hessian(|b: &[f64]| negative_log_likelihood_hessian(b, t, y).2),
        solver(),
    )
    .configure(|state| state.param(vec![0.0, 0.0]).max_iters(60))
    .run()
    .unwrap();
    let best = [
        ("products", products.state().get_best_param().unwrap()),
        ("dense", dense.state().get_best_param().unwrap()),
    ];
    for (what, beta) in best {
        assert_relative(
            &format!("{what}: intercept"),
            beta[0],
            reference.beta[0],
            1e-8,
        );
        assert_relative(&format!("{what}: slope"), beta[1], reference.beta[1], 1e-8);
    }
}
