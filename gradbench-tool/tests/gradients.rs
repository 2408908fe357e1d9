//! The gradients of the objectives against central finite differences of the tool's
//! own primals, where GradBench's references cannot carry the check (RUNNING.md §D):
//! ode's references are the exact-solution gradient, not RK4's, and lse's entries are
//! too small for GradBench's absolute rule. The other modules get a spot check too;
//! kmeans's `dir` is checked against its closed form `c_j − mean(points nearest c_j)`.

use gradbench_tool::evals::{det, gmm, kmeans, llsq, lse, lstm, ode};

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

/// The nearest centroid of each point (strictly smallest squared distance, so ties go
/// to the lowest j), the cluster sizes and the per-cluster coordinate sums.
fn clusters(centroids: &[f64], points: &[f64], k: usize, d: usize) -> (Vec<usize>, Vec<f64>) {
    let mut size = vec![0; k];
    let mut sum = vec![0.0; k * d];
    for p in points.chunks(d) {
        let mut best = (f64::INFINITY, 0);
        for (j, c) in centroids.chunks(d).enumerate() {
            let dist: f64 = p.iter().zip(c).map(|(p, c)| (p - c) * (p - c)).sum();
            if dist < best.0 {
                best = (dist, j);
            }
        }
        size[best.1] += 1;
        for l in 0..d {
            sum[best.1 * d + l] += p[l];
        }
    }
    (size, sum)
}

/// Points and centroids on a grid of multiples of 1/16 in [−2, 2): every squared
/// distance and every partial sum is exact, and many points tie.
fn grid(rng: &mut Lcg, n: usize) -> Vec<f64> {
    (0..n)
        .map(|_| (rng.uniform(-32.0, 32.0).floor()) / 16.0)
        .collect()
}

#[test]
fn kmeans_hessian_is_diagonal_with_twice_the_cluster_sizes() {
    // The premise of `dir`'s single H·1: H is diagonal, H_jl,jl = 2|S_j|, also at
    // ties (grid inputs), so H·1 is the diagonal.
    let mut rng = Lcg(8);
    for (k, n, d) in [(3, 20, 2), (4, 30, 3), (1, 5, 4)] {
        let points = grid(&mut rng, n * d);
        let centroids = points[(n - k) * d..].to_vec();
        let (value, gradient, hessian) = kmeans::kmeans_hessian(&centroids, &points, k, d);
        let (grad_value, grad) = kmeans::kmeans_grad(&centroids, &points, k, d);
        assert_eq!((value, &gradient), (grad_value, &grad));
        let (size, _) = clusters(&centroids, &points, k, d);
        for (r, row) in hessian.iter().enumerate() {
            for (c, &h) in row.iter().enumerate() {
                let want = if r == c {
                    2.0 * size[r / d] as f64
                } else {
                    0.0
                };
                assert_eq!(h, want, "H[{r}][{c}], k = {k}, n = {n}, d = {d}");
            }
        }
        let (_, hvp_gradient, hv) =
            kmeans::kmeans_hvp(&centroids, &points, k, d, &vec![1.0; k * d]);
        assert_eq!(hvp_gradient, grad);
        let diagonal: Vec<f64> = (0..k * d).map(|i| hessian[i][i]).collect();
        assert_eq!(hv, diagonal);
        // The gradient away from the grid's ties, against central differences.
        let centroids: Vec<f64> = centroids.iter().map(|c| c + 0.01).collect();
        let (_, grad) = kmeans::kmeans_grad(&centroids, &points, k, d);
        check(
            |c: &[f64]| kmeans::kmeans(c, &points, k, d),
            &centroids,
            &grad,
        );
    }
}

#[test]
fn kmeans_dir_is_the_closed_form_centroid_minus_cluster_mean() {
    // dir_j = J_j / (2|S_j|) = c_j − mean(S_j). On the grid, with the centroids among
    // the points (no empty cluster) and clusters of any size, the only rounding is the
    // two divisions; on uniform points, a few ulps of the summation order.
    let mut rng = Lcg(9);
    for (k, n, d, on_grid) in [
        (3, 40, 2, true),
        (5, 64, 3, true),
        (10, 1000, 8, false),
        (7, 300, 16, false),
    ] {
        let points = if on_grid {
            grid(&mut rng, n * d)
        } else {
            rng.vec(n * d, 0.0, 1.0)
        };
        let centroids = points[(n - k) * d..].to_vec();
        let dir = kmeans::direction(&centroids, &points, k, d).expect("no empty cluster");
        let (size, sum) = clusters(&centroids, &points, k, d);
        assert_eq!(size.iter().sum::<usize>(), n);
        for (j, &size_j) in size.iter().enumerate() {
            for l in 0..d {
                let i = j * d + l;
                let want = centroids[i] - sum[i] / size_j as f64;
                let tolerance = if on_grid {
                    2.0 * f64::EPSILON * (centroids[i].abs() + 2.0)
                } else {
                    1e-13
                };
                assert!(
                    (dir[i] - want).abs() <= tolerance,
                    "dir[{j}][{l}] = {:e}, closed form {want:e} (|S_j| = {size_j})",
                    dir[i]
                );
            }
        }
        assert_eq!(
            kmeans::kmeans(&centroids, &points, k, d),
            kmeans::kmeans_grad(&centroids, &points, k, d).0
        );
    }
    // Exactly representable case: clusters of 4, 1 and 2 points, with two three-way
    // ties, which the strict `<` gives to centroid 0 (`data/kmeans/tie3_k3_n7_d3`).
    let points = [
        0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.75, 0.25, -0.5, 0.125, 1.5, 0.25, -0.25, 0.5, 1.25, 0.0,
        0.375, 2.0, 1.5, -0.25, 0.0,
    ];
    let centroids = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0];
    let dir = kmeans::direction(&centroids, &points, 3, 3).unwrap();
    assert_eq!(
        dir,
        [0.1875, -0.25, -0.125, -0.125, -0.5, -0.25, 0.125, -0.4375, -0.625]
    );
    assert_eq!(kmeans::kmeans(&centroids, &points, 3, 3), 5.53125);
    // A centroid no point is nearest to: J and H are 0 there, `direction` names it.
    let centroids = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 50.0, 50.0, 50.0];
    assert_eq!(kmeans::direction(&centroids, &points, 3, 3), Err(2));
}
