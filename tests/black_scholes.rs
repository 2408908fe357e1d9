//! Black–Scholes call price whose normal CDF is the user's own differentiated
//! function (an erf approximation with a branch on the sign): the Greeks from
//! `f_grad` against their closed forms and finite differences.

use ad::differentiate;
use approx::assert_relative_eq;

/// erf(x) by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7), odd by the
/// branch on the sign.
#[differentiate]
fn erf(x: f64) -> f64 {
    let sign = if x < 0.0 { -1.0 } else { 1.0 };
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.3275911 * z);
    let poly = t
        * (0.254829592
            + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    sign * (1.0 - poly * (-z * z).exp())
}

#[differentiate]
fn normal_cdf(x: f64) -> f64 {
    0.5 * (1.0 + erf(x / std::f64::consts::SQRT_2))
}

/// European call: spot s, strike k, volatility sigma, rate r, maturity t.
#[differentiate(wrt(s, sigma, r))]
fn call_price(s: f64, k: f64, sigma: f64, r: f64, t: f64) -> f64 {
    let sqrt_t = t.sqrt();
    let d1 = ((s / k).ln() + (r + 0.5 * sigma * sigma) * t) / (sigma * sqrt_t);
    let d2 = d1 - sigma * sqrt_t;
    s * normal_cdf(d1) - k * (-r * t).exp() * normal_cdf(d2)
}

fn pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

#[test]
fn greeks_match_their_closed_forms() {
    // In the money, at the money, out of the money: d1 on both sides of 0.
    for (s, k) in [(110.0, 100.0), (100.0, 100.0), (80.0, 100.0)] {
        let (sigma, r, t) = (0.25, 0.03, 0.75);
        let (price, delta, vega, rho) = call_price_grad(s, k, sigma, r, t);
        assert_eq!(price, call_price(s, k, sigma, r, t));
        let d1 = ((s / k).ln() + (r + 0.5 * sigma * sigma) * t) / (sigma * t.sqrt());
        let d2 = d1 - sigma * t.sqrt();
        // The approximate CDF's derivative differs from the density by at most a
        // few 1e-6 (A&S 7.1.26's error curve), so the Greeks agree to ~1e-5.
        let phi = |x: f64| normal_cdf(x);
        assert_relative_eq!(delta, phi(d1), epsilon = 2e-5);
        assert_relative_eq!(vega, s * pdf(d1) * t.sqrt(), epsilon = 2e-4 * s);
        assert_relative_eq!(rho, k * t * (-r * t).exp() * phi(d2), epsilon = 2e-4 * k);
        // Exactly the derivative of the function as written:
        ad::check_gradient(
            |p: &[f64]| call_price(p[0], k, p[1], p[2], t),
            &[s, sigma, r],
            &[delta, vega, rho],
        )
        .unwrap();
    }
}

#[test]
fn erf_is_odd_and_differentiable_on_both_sides() {
    for x in [-1.3, -0.2, 0.4, 2.0] {
        let (v, dx) = erf_grad(x);
        assert_eq!(v, erf(x));
        assert_relative_eq!(
            dx,
            2.0 / std::f64::consts::PI.sqrt() * (-x * x).exp(),
            epsilon = 2e-6
        );
        ad::check_gradient(|p: &[f64]| erf(p[0]), &[x], &[dx]).unwrap();
        assert_relative_eq!(erf_grad(-x).1, dx, max_relative = 1e-15);
    }
}
