//! The gradients of the objectives against central finite differences of the tool's
//! own primals, where GradBench's references cannot carry the check (RUNNING.md §D):
//! ode's references are the exact-solution gradient, not RK4's, and lse's entries are
//! too small for GradBench's absolute rule. The other modules get a spot check too.

use gradbench_tool::evals::{det, gmm, llsq, lse, lstm, ode};

/// A 64-bit linear congruential generator: deterministic inputs without a dependency.
struct Lcg(u64);

impl Lcg {
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        lo + (hi - lo) * ((self.0 >> 11) as f64 / (1u64 << 53) as f64)
    }

    fn vec(&mut self, n: usize, lo: f64, hi: f64) -> Vec<f64> {
        (0..n).map(|_| self.uniform(lo, hi)).collect()
    }
}

/// `ad::check_gradient`, and the same check must reject the gradient with its
/// largest entry negated (or it would prove nothing).
fn check(f: impl Fn(&[f64]) -> f64, x: &[f64], grad: &[f64]) {
    ad::check_gradient(&f, x, grad).unwrap();
    let i = (0..grad.len())
        .max_by(|&a, &b| grad[a].abs().total_cmp(&grad[b].abs()))
        .unwrap();
    let mut wrong = grad.to_vec();
    wrong[i] = -wrong[i];
    assert!(
        ad::check_gradient(&f, x, &wrong).is_err(),
        "the check misses a sign error"
    );
}

#[test]
fn ode_gradient_matches_finite_differences_of_the_rk4_primal() {
    let mut rng = Lcg(1);
    // n > 4: RK4's gradient is not the exact solution's (EVALS.md §6); y_{n−1} ≠ 0
    // needs n ≤ 4s.
    for (n, s) in [(8, 2), (12, 3), (4, 1), (4, 10), (9, 3)] {
        let x = rng.vec(n, 0.5, 1.5);
        let (value, grad) = ode::ode_last_grad(&x, s);
        let primal = ode::ode(&x, s);
        assert_eq!(value, primal[n - 1], "ode_last is the last element of ode");
        assert_eq!(value, ode::ode_last(&x, s));
        assert!(value != 0.0);
        check(|x: &[f64]| ode::ode(x, s)[n - 1], &x, &grad);
    }
}

#[test]
fn ode_gradient_is_exactly_zero_when_the_last_element_is() {
    // After s steps from 0, yᵢ is identically 0 for i ≥ 4s.
    let x = Lcg(2).vec(9, 0.5, 1.5);
    let (value, grad) = ode::ode_last_grad(&x, 2);
    assert_eq!(value, 0.0);
    assert!(grad.iter().all(|&g| g == 0.0));
}

#[test]
fn lse_gradient_is_the_softmax() {
    let mut rng = Lcg(3);
    for n in [1, 2, 7, 1000] {
        let x = rng.vec(n, -30.0, 30.0);
        let (value, grad) = lse::lse_grad(&x);
        assert_eq!(value, lse::lse(&x));
        let max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = x.iter().map(|v| (v - max).exp()).sum();
        for (g, v) in grad.iter().zip(&x) {
            let softmax = (v - max).exp() / sum;
            assert!(
                (g - softmax).abs() <= 1e-13 * softmax + 1e-300,
                "{g} vs {softmax}"
            );
        }
        if n <= 7 {
            check(lse::lse, &x, &grad);
        }
    }
    // No overflow for large inputs.
    let (value, grad) = lse::lse_grad(&[1000.0, 1000.0]);
    assert!((value - (1000.0 + 2f64.ln())).abs() < 1e-12);
    assert_eq!(grad, [0.5, 0.5]);
}

#[test]
fn llsq_gradient_matches_finite_differences() {
    let mut rng = Lcg(4);
    for (m, n) in [(3, 5), (6, 16)] {
        let x = rng.vec(m, 0.0, 1.0);
        let (value, grad) = llsq::llsq_grad(&x, n);
        assert_eq!(value, llsq::llsq(&x, n));
        check(|x: &[f64]| llsq::llsq(x, n), &x, &grad);
    }
}

#[test]
fn det_gradient_is_the_cofactor_matrix() {
    let mut rng = Lcg(5);
    for ell in 1..=7 {
        let a = rng.vec(ell * ell, -1.0, 1.0);
        let (value, grad) = det::det_grad(&a, ell);
        assert_eq!(value, det::det(&a, ell));
        if ell <= 5 {
            check(|a: &[f64]| det::det(a, ell), &a, &grad);
        }
        // ∂det/∂a[r][c] = (−1)^(r+c)·det(minor without row r and column c).
        for (r, c) in [(0, 0), (ell - 1, 0), (ell / 2, ell - 1)] {
            let minor: Vec<f64> = (0..ell * ell)
                .filter(|i| i / ell != r && i % ell != c)
                .map(|i| a[i])
                .collect();
            let sign = if (r + c) % 2 == 0 { 1.0 } else { -1.0 };
            let cofactor = if ell == 1 {
                1.0
            } else {
                sign * det::det(&minor, ell - 1)
            };
            assert!(
                (grad[r * ell + c] - cofactor).abs() < 1e-12,
                "ell {ell} ({r}, {c})"
            );
        }
    }
    // A permutation matrix of odd sign, and a triangular one.
    let p = [0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0];
    assert_eq!(det::det(&p, 3), -1.0);
    let t: Vec<f64> = (0..36)
        .map(|i| {
            if i % 6 <= i / 6 {
                (i % 7 + 1) as f64
            } else {
                0.0
            }
        })
        .collect();
    assert_eq!(det::det(&t, 6), (1..=6).map(|_| 1.0).product::<f64>());
}

#[test]
fn gmm_gradient_matches_finite_differences() {
    let (d, k, n) = (3, 2, 5);
    let lsz = d * (d - 1) / 2;
    let mut rng = Lcg(6);
    let x = rng.vec(n * d, -1.0, 1.0);
    let params = rng.vec(k + k * d + k * d + k * lsz, -0.5, 0.5);
    let (m, gamma) = (2, 0.7);
    let c = gmm::wishart_constant(d, m, gamma);
    let objective = |p: &[f64]| {
        let (alpha, rest) = p.split_at(k);
        let (mu, rest) = rest.split_at(k * d);
        let (q, l) = rest.split_at(k * d);
        gmm::gmm(alpha, mu, q, l, &x, d, k, n, m as f64, gamma, c)
    };
    let (alpha, rest) = params.split_at(k);
    let (mu, rest) = rest.split_at(k * d);
    let (q, l) = rest.split_at(k * d);
    let (value, da, dm, dq, dl) = gmm::gmm_grad(alpha, mu, q, l, &x, d, k, n, m as f64, gamma, c);
    assert_eq!(value, objective(&params));
    check(objective, &params, &[da, dm, dq, dl].concat());
}

#[test]
fn lstm_gradient_matches_finite_differences() {
    let (l, b, c) = (2, 3, 5);
    let mut rng = Lcg(7);
    let state = rng.vec(2 * l * b, 0.0, 1.0);
    let seq: Vec<f64> = (0..c * b)
        .map(|i| ((i * 5 + 1) % 3 == 0) as u8 as f64)
        .collect();
    let params = rng.vec(8 * l * b + 3 * b, -1.0, 1.0);
    let loss = |p: &[f64]| {
        let (main, extra) = p.split_at(8 * l * b);
        lstm::lstm(main, extra, &state, &seq, l, b, c)
    };
    let (main, extra) = params.split_at(8 * l * b);
    let (value, dmain, dextra) = lstm::lstm_grad(main, extra, &state, &seq, l, b, c);
    assert_eq!(value, loss(&params));
    check(loss, &params, &[dmain, dextra].concat());
}
