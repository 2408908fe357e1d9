//! Whole models differentiated end to end:
//!
//! 1. a two-layer perceptron with a softmax cross-entropy loss over flat weight
//!    slices, against hand-written backpropagation and central differences;
//! 2. the ADBench Gaussian mixture model objective with its Wishart prior, against
//!    ADBench's reference objective and gradient, a closed-form gradient and central
//!    differences;
//! 3. a loss over a `Vec<f64>` of 10⁶ weights, against its analytic gradient.

use std::time::Instant;

use ad::differentiate;
use approx::assert_relative_eq;

// ---------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------

/// A 64-bit linear congruential generator (Knuth's MMIX constants): deterministic
/// test data without a dependency.
struct Lcg(u64);

impl Lcg {
    fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0
    }

    /// Uniform in [-scale, scale).
    fn symmetric(&mut self, scale: f64) -> f64 {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        scale * (2.0 * unit - 1.0)
    }

    /// Uniform in 0..n (high bits: the low bits of an LCG are weak).
    fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 33) % n as u64) as usize
    }

    fn vec(&mut self, len: usize, scale: f64) -> Vec<f64> {
        (0..len).map(|_| self.symmetric(scale)).collect()
    }
}

/// `|a − b| ≤ rel·max(|a|, |b|) + abs` for every entry, with the index in the message.
fn assert_close(what: &str, actual: &[f64], expected: &[f64], rel: f64, abs: f64) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        let allowed = rel * a.abs().max(e.abs()) + abs;
        assert!(
            (a - e).abs() <= allowed,
            "{what}[{i}]: got {a:e}, expected {e:e} (difference {:e}, allowed {allowed:e})",
            (a - e).abs()
        );
    }
}

/// Index of the entry of smallest nonzero magnitude: the hardest one for a
/// finite-difference check to tell from a wrong sign.
fn smallest_nonzero(g: &[f64]) -> usize {
    (0..g.len())
        .filter(|&i| g[i] != 0.0)
        .min_by(|&a, &b| g[a].abs().total_cmp(&g[b].abs()))
        .expect("a nonzero gradient entry")
}

/// The tolerances used with a gradient must reject it with one entry negated or
/// dropped, or a passing check would prove nothing.
fn assert_checker_rejects_corruptions(
    f: impl Fn(&[f64]) -> f64,
    x: &[f64],
    grad: &[f64],
    tol: &ad::Tolerance<f64>,
) {
    let i = smallest_nonzero(grad);
    for (what, value) in [("negated", -grad[i]), ("dropped", 0.0)] {
        let mut wrong = grad.to_vec();
        wrong[i] = value;
        assert!(
            ad::check_gradient_with(&f, x, &wrong, tol).is_err(),
            "the check accepts the gradient with entry {i} ({:e}) {what}",
            grad[i]
        );
    }
}

// ---------------------------------------------------------------------------------
// 1. Two-layer perceptron
// ---------------------------------------------------------------------------------

/// Mean softmax cross-entropy of a tanh MLP over a batch.
///
/// `w1` is `n_hidden × n_in` and `w2` is `n_out × n_hidden`, row-major; `x` holds
/// `labels.len()` rows of `n_in` inputs. The logits are shifted by their maximum
/// before exponentiating.
#[differentiate(wrt(w1, b1, w2, b2))]
// Index loops are the point: every weight read `w[row * cols + col]` is differentiated.
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
fn mlp_loss(
    w1: &[f64],
    b1: &[f64],
    w2: &[f64],
    b2: &[f64],
    x: &[f64],
    labels: &[usize],
    n_in: usize,
    n_hidden: usize,
    n_out: usize,
) -> f64 {
    let batch = labels.len();
    let mut h = vec![0.0; n_hidden];
    let mut logits = vec![0.0; n_out];
    let mut total = 0.0;
    for s in 0..batch {
        for j in 0..n_hidden {
            let mut a = b1[j];
            for i in 0..n_in {
                a += w1[j * n_in + i] * x[s * n_in + i];
            }
            h[j] = a.tanh();
        }
        for o in 0..n_out {
            let mut z = b2[o];
            for j in 0..n_hidden {
                z += w2[o * n_hidden + j] * h[j];
            }
            logits[o] = z;
        }
        let mut m = logits[0];
        for o in 1..n_out {
            m = m.max(logits[o]);
        }
        let mut sum_exp = 0.0;
        for o in 0..n_out {
            sum_exp += (logits[o] - m).exp();
        }
        total += sum_exp.ln() + m - logits[labels[s]];
    }
    total / batch as f64
}

/// An MLP problem: parameters, data and sizes.
struct Mlp {
    w1: Vec<f64>,
    b1: Vec<f64>,
    w2: Vec<f64>,
    b2: Vec<f64>,
    x: Vec<f64>,
    labels: Vec<usize>,
    n_in: usize,
    n_hidden: usize,
    n_out: usize,
}

impl Mlp {
    fn random(n_in: usize, n_hidden: usize, n_out: usize, batch: usize, seed: u64) -> Mlp {
        let mut rng = Lcg(seed);
        // Weights large enough that tanh is well inside its nonlinear range.
        let w1 = rng.vec(n_hidden * n_in, 1.0);
        let b1 = rng.vec(n_hidden, 0.5);
        let w2 = rng.vec(n_out * n_hidden, 1.5);
        let b2 = rng.vec(n_out, 0.5);
        let x = rng.vec(batch * n_in, 2.0);
        let labels = (0..batch).map(|_| rng.below(n_out)).collect();
        Mlp {
            w1,
            b1,
            w2,
            b2,
            x,
            labels,
            n_in,
            n_hidden,
            n_out,
        }
    }

    /// Parameter lengths, in the order of the concatenated parameter vector.
    fn lengths(&self) -> [usize; 4] {
        [self.w1.len(), self.b1.len(), self.w2.len(), self.b2.len()]
    }

    fn params(&self) -> Vec<f64> {
        [&self.w1[..], &self.b1, &self.w2, &self.b2].concat()
    }

    /// `mlp_loss` at a concatenated parameter vector, with this problem's data.
    fn loss_at(&self, p: &[f64]) -> f64 {
        let [l1, l2, l3, _] = self.lengths();
        let (w1, rest) = p.split_at(l1);
        let (b1, rest) = rest.split_at(l2);
        let (w2, b2) = rest.split_at(l3);
        mlp_loss(
            w1,
            b1,
            w2,
            b2,
            &self.x,
            &self.labels,
            self.n_in,
            self.n_hidden,
            self.n_out,
        )
    }

    fn grad(&self) -> (f64, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
        mlp_loss_grad(
            &self.w1,
            &self.b1,
            &self.w2,
            &self.b2,
            &self.x,
            &self.labels,
            self.n_in,
            self.n_hidden,
            self.n_out,
        )
    }

    /// The loss and its gradient by textbook backpropagation, written without the
    /// macro: returns (loss, [dw1, db1, dw2, db2]).
    fn backprop(&self) -> (f64, [Vec<f64>; 4]) {
        let (n_in, n_hidden, n_out) = (self.n_in, self.n_hidden, self.n_out);
        let batch = self.labels.len();
        let scale = 1.0 / batch as f64;
        let mut dw1 = vec![0.0; self.w1.len()];
        let mut db1 = vec![0.0; n_hidden];
        let mut dw2 = vec![0.0; self.w2.len()];
        let mut db2 = vec![0.0; n_out];
        let mut loss = 0.0;
        for (s, &label) in self.labels.iter().enumerate() {
            let xs = &self.x[s * n_in..(s + 1) * n_in];
            let h: Vec<f64> = (0..n_hidden)
                .map(|j| {
                    let row = &self.w1[j * n_in..(j + 1) * n_in];
                    let a: f64 = self.b1[j] + row.iter().zip(xs).map(|(w, x)| w * x).sum::<f64>();
                    a.tanh()
                })
                .collect();
            let z: Vec<f64> = (0..n_out)
                .map(|o| {
                    let row = &self.w2[o * n_hidden..(o + 1) * n_hidden];
                    self.b2[o] + row.iter().zip(&h).map(|(w, h)| w * h).sum::<f64>()
                })
                .collect();
            let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let sum_exp: f64 = z.iter().map(|zo| (zo - m).exp()).sum();
            loss += sum_exp.ln() + m - z[label];
            // dL/dz = (softmax(z) − onehot(label)) / batch.
            let dz: Vec<f64> = (0..n_out)
                .map(|o| {
                    let p = (z[o] - m).exp() / sum_exp;
                    scale * (p - if o == label { 1.0 } else { 0.0 })
                })
                .collect();
            let mut dh = vec![0.0; n_hidden];
            for o in 0..n_out {
                db2[o] += dz[o];
                for j in 0..n_hidden {
                    dw2[o * n_hidden + j] += dz[o] * h[j];
                    dh[j] += self.w2[o * n_hidden + j] * dz[o];
                }
            }
            for j in 0..n_hidden {
                let da = dh[j] * (1.0 - h[j] * h[j]);
                db1[j] += da;
                for i in 0..n_in {
                    dw1[j * n_in + i] += da * xs[i];
                }
            }
        }
        (loss * scale, [dw1, db1, dw2, db2])
    }
}

#[test]
fn mlp_gradient_matches_hand_written_backprop() {
    for (n_in, n_hidden, n_out, batch, seed) in
        [(3, 5, 2, 4, 1), (6, 10, 4, 32, 2), (1, 1, 3, 1, 3)]
    {
        let mlp = Mlp::random(n_in, n_hidden, n_out, batch, seed);
        let (value, dw1, db1, dw2, db2) = mlp.grad();
        assert_eq!(value, mlp.loss_at(&mlp.params()));
        let (loss, [ew1, eb1, ew2, eb2]) = mlp.backprop();
        assert_relative_eq!(value, loss, max_relative = 1e-13);
        // Same arithmetic up to summation order: agreement to ~1e-12 relative, with an
        // absolute floor far below every entry's size (the smallest is 7e-4 here).
        let size = format!("{n_in}-{n_hidden}-{n_out}, batch {batch}");
        assert_close(&format!("dw1 ({size})"), &dw1, &ew1, 1e-12, 1e-15);
        assert_close(&format!("db1 ({size})"), &db1, &eb1, 1e-12, 1e-15);
        assert_close(&format!("dw2 ({size})"), &dw2, &ew2, 1e-12, 1e-15);
        assert_close(&format!("db2 ({size})"), &db2, &eb2, 1e-12, 1e-15);
    }
}

#[test]
fn mlp_gradient_matches_finite_differences() {
    let mlp = Mlp::random(3, 5, 2, 4, 4);
    assert_eq!(mlp.labels, [0, 1, 0, 1], "both classes in the batch");
    let (_, dw1, db1, dw2, db2) = mlp.grad();
    let grad = [dw1, db1, dw2, db2].concat();
    let params = mlp.params();
    assert_eq!(grad.len(), 3 * 5 + 5 + 5 * 2 + 2);
    let f = |p: &[f64]| mlp.loss_at(p);
    ad::check_gradient(f, &params, &grad).unwrap();
    assert_checker_rejects_corruptions(f, &params, &grad, &ad::Tolerance::default());
}

#[test]
fn mlp_adjoint_adds_seed_times_gradient_into_buffers() {
    let mlp = Mlp::random(3, 4, 3, 5, 11);
    let (value, dw1, db1, dw2, db2) = mlp.grad();
    let seed = -0.75;
    let [l1, l2, l3, l4] = mlp.lengths();
    let (mut a1, mut a2, mut a3, mut a4) =
        (vec![0.5; l1], vec![0.5; l2], vec![0.5; l3], vec![0.5; l4]);
    let v = mlp_loss_adjoint(
        &mlp.w1,
        &mlp.b1,
        &mlp.w2,
        &mlp.b2,
        &mlp.x,
        &mlp.labels,
        mlp.n_in,
        mlp.n_hidden,
        mlp.n_out,
        seed,
        &mut a1,
        &mut a2,
        &mut a3,
        &mut a4,
    );
    assert_eq!(v, value);
    for (buffer, g) in [(a1, dw1), (a2, db1), (a3, dw2), (a4, db2)] {
        let expected: Vec<f64> = g.iter().map(|g| 0.5 + seed * g).collect();
        assert_close("adjoint buffer", &buffer, &expected, 1e-14, 1e-16);
    }
}

// ---------------------------------------------------------------------------------
// 2. ADBench Gaussian mixture model
// ---------------------------------------------------------------------------------

/// lnΓ(a) for a positive multiple of ½, exactly by the recurrence Γ(a + 1) = a·Γ(a)
/// from Γ(1) = 1 or Γ(½) = √π. Every argument of the Wishart normaliser is such a
/// number, and std has no stable `lgamma`.
fn ln_gamma_half_integer(a: f64) -> f64 {
    let twice = 2.0 * a;
    assert!(
        a > 0.0 && twice == twice.round(),
        "lnΓ({a}): not a positive multiple of 1/2"
    );
    let (mut t, mut out) = if twice as u64 % 2 == 0 {
        (1.0, 0.0)
    } else {
        (0.5, 0.5 * std::f64::consts::PI.ln())
    };
    while t < a {
        out += t.ln();
        t += 1.0;
    }
    out
}

/// ADBench's `log_gamma_distrib`: the log of the multivariate gamma function Γ_p(a).
fn log_gamma_distrib(a: f64, p: usize) -> f64 {
    let mut out = 0.25 * (p * (p - 1)) as f64 * std::f64::consts::PI.ln();
    for j in 1..=p {
        out += ln_gamma_half_integer(a + 0.5 * (1.0 - j as f64));
    }
    out
}

/// ADBench's `gmm_objective` (`src/cpp/shared/gmm.h`) with its Wishart prior, term for
/// term, for `d`-dimensional data, `k` components and `n` points.
///
/// `icf` holds, per component, the logs of the diagonal of the lower-triangular
/// precision factor Q_k and then its strictly lower part column by column. Note that
/// ADBench *adds* its `log_wishart_prior`, which returns
/// `Σ_k (½γ²‖Q_k‖²_F − m·Σ_j q_kj) − K·C`, the negated log prior; GradBench later
/// flipped that sign (its EVALS.md §7). The reference values in the ADBench README
/// (8.07380408004975791 for `gmm/test.txt`) are for ADBench's sign, used here.
#[differentiate(wrt(alphas, means, icf), hessian)]
// The loops index several arrays with computed offsets, as the C++ reference does.
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
fn gmm_objective(
    alphas: &[f64],
    means: &[f64],
    icf: &[f64],
    x: &[f64],
    gamma: f64,
    m: usize,
    d: usize,
    k: usize,
    n: usize,
) -> f64 {
    let icf_sz = d * (d + 1) / 2;
    let constant = -((n * d) as f64) * 0.5 * (2.0 * std::f64::consts::PI).ln();

    // preprocess_qs: Σ_j q_kj and the diagonal exp(q_kj).
    let mut sum_qs = vec![0.0; k];
    let mut qdiags = vec![0.0; d * k];
    for c in 0..k {
        let mut s = 0.0;
        for j in 0..d {
            let q = icf[c * icf_sz + j];
            s += q;
            qdiags[c * d + j] = q.exp();
        }
        sum_qs[c] = s;
    }

    let mut xcentered = vec![0.0; d];
    let mut qxcentered = vec![0.0; d];
    let mut main_term = vec![0.0; k];
    let mut slse = 0.0;
    for i in 0..n {
        for c in 0..k {
            for j in 0..d {
                xcentered[j] = x[i * d + j] - means[c * d + j];
            }
            // Qtimesx: the diagonal, then the strictly lower part column by column.
            for j in 0..d {
                qxcentered[j] = qdiags[c * d + j] * xcentered[j];
            }
            let mut p = 0;
            for col in 0..d {
                for row in col + 1..d {
                    qxcentered[row] += icf[c * icf_sz + d + p] * xcentered[col];
                    p += 1;
                }
            }
            let mut sqnorm = 0.0;
            for j in 0..d {
                sqnorm += qxcentered[j] * qxcentered[j];
            }
            main_term[c] = alphas[c] + sum_qs[c] - 0.5 * sqnorm;
        }
        // logsumexp over the components, shifted by the maximum.
        let mut mx = main_term[0];
        for c in 1..k {
            mx = mx.max(main_term[c]);
        }
        let mut semx = 0.0;
        for c in 0..k {
            semx += (main_term[c] - mx).exp();
        }
        slse += semx.ln() + mx;
    }

    // logsumexp of the alphas.
    let mut amax = alphas[0];
    for c in 1..k {
        amax = amax.max(alphas[c]);
    }
    let mut asum = 0.0;
    for c in 0..k {
        asum += (alphas[c] - amax).exp();
    }
    let lse_alphas = asum.ln() + amax;

    // log_wishart_prior (ADBench's sign, see above).
    let nu = d + m + 1;
    let big_c =
        (nu * d) as f64 * (gamma.ln() - 0.5 * 2.0_f64.ln()) - log_gamma_distrib(0.5 * nu as f64, d);
    let mut prior = 0.0;
    for c in 0..k {
        let mut frobenius = 0.0;
        for j in 0..d {
            frobenius += qdiags[c * d + j] * qdiags[c * d + j];
        }
        for p in d..icf_sz {
            let l = icf[c * icf_sz + p];
            frobenius += l * l;
        }
        prior += 0.5 * gamma * gamma * frobenius - m as f64 * sum_qs[c];
    }
    prior -= k as f64 * big_c;

    constant + slse - n as f64 * lse_alphas + prior
}

/// A GMM instance in ADBench's file layout.
#[derive(Clone)]
struct Gmm {
    d: usize,
    k: usize,
    n: usize,
    alphas: Vec<f64>,
    means: Vec<f64>,
    icf: Vec<f64>,
    x: Vec<f64>,
    gamma: f64,
    m: usize,
}

/// ADBench's GMM inputs, copied into the repository with their licence (`data/adbench/README.md`).
const ADBENCH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/adbench");

impl Gmm {
    /// Reads an ADBench GMM file: whitespace-separated tokens `D K N`, the K alphas,
    /// K·D means, K·D(D+1)/2 icf values, N·D points, then `gamma m`.
    fn load(relative: &str) -> Gmm {
        let path = format!("{ADBENCH}/{relative}");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read the ADBench GMM input {path}: {e}. It is part of the repository \
                 (`data/adbench/`): is the clone complete?"
            )
        });
        let mut tokens = text.split_whitespace();
        let mut next = |what: &str| -> String {
            tokens
                .next()
                .unwrap_or_else(|| panic!("{path}: file ends before {what}"))
                .to_string()
        };
        let int =
            |s: String| -> usize { s.parse().unwrap_or_else(|e| panic!("{path}: {s:?}: {e}")) };
        let float =
            |s: String| -> f64 { s.parse().unwrap_or_else(|e| panic!("{path}: {s:?}: {e}")) };
        let (d, k, n) = (int(next("D")), int(next("K")), int(next("N")));
        let mut floats =
            |len: usize, what: &str| -> Vec<f64> { (0..len).map(|_| float(next(what))).collect() };
        let alphas = floats(k, "alphas");
        let means = floats(k * d, "means");
        let icf = floats(k * d * (d + 1) / 2, "icf");
        let x = floats(n * d, "points");
        let gamma = float(next("gamma"));
        let m = int(next("m"));
        assert!(tokens.next().is_none(), "{path}: tokens after `gamma m`");
        Gmm {
            d,
            k,
            n,
            alphas,
            means,
            icf,
            x,
            gamma,
            m,
        }
    }

    fn params(&self) -> Vec<f64> {
        [&self.alphas[..], &self.means, &self.icf].concat()
    }

    /// The objective at a concatenated (alphas, means, icf) vector.
    fn objective_at(&self, p: &[f64]) -> f64 {
        let (alphas, rest) = p.split_at(self.k);
        let (means, icf) = rest.split_at(self.k * self.d);
        gmm_objective(
            alphas, means, icf, &self.x, self.gamma, self.m, self.d, self.k, self.n,
        )
    }

    /// The objective and its concatenated gradient from the macro.
    fn grad(&self) -> (f64, Vec<f64>) {
        let (value, da, dm, di) = gmm_objective_grad(
            &self.alphas,
            &self.means,
            &self.icf,
            &self.x,
            self.gamma,
            self.m,
            self.d,
            self.k,
            self.n,
        );
        assert_eq!(da.len(), self.k);
        assert_eq!(dm.len(), self.k * self.d);
        assert_eq!(di.len(), self.icf.len());
        (value, [da, dm, di].concat())
    }

    /// The gradient in closed form (GradBench EVALS.md §7, with the prior's sign
    /// flipped to ADBench's): with w_ik = softmax_k(β_i·), z = x_i − μ_k, u = Q_k z,
    /// - ∂/∂α_k = Σ_i w_ik − N·softmax(α)_k,
    /// - ∂/∂μ_k = Σ_i w_ik·Q_kᵀu,
    /// - ∂/∂q_kj = Σ_i w_ik·(1 − e^{q_kj}·z_j·u_j) + γ²e^{2q_kj} − m,
    /// - ∂/∂l_kp = −Σ_i w_ik·z_c·u_r + γ²·l_kp, with (r, c) the p-th lower entry.
    fn closed_form_gradient(&self) -> Vec<f64> {
        let (d, k) = (self.d, self.k);
        let sz = d * (d + 1) / 2;
        // Q_k as dense d×d lower-triangular matrices.
        let q: Vec<Vec<f64>> = (0..k)
            .map(|c| {
                let icf = &self.icf[c * sz..(c + 1) * sz];
                let mut mat = vec![0.0; d * d];
                for j in 0..d {
                    mat[j * d + j] = icf[j].exp();
                }
                let mut p = d;
                for col in 0..d {
                    for row in col + 1..d {
                        mat[row * d + col] = icf[p];
                        p += 1;
                    }
                }
                mat
            })
            .collect();
        let mut ga = vec![0.0; k];
        let mut gm = vec![0.0; k * d];
        let mut gi = vec![0.0; k * sz];
        for xi in self.x.chunks(d) {
            let mut zs = Vec::new();
            let mut us = Vec::new();
            let beta: Vec<f64> = (0..k)
                .map(|c| {
                    let z: Vec<f64> = (0..d).map(|j| xi[j] - self.means[c * d + j]).collect();
                    let u: Vec<f64> = (0..d)
                        .map(|r| (0..d).map(|col| q[c][r * d + col] * z[col]).sum())
                        .collect();
                    let sum_q: f64 = self.icf[c * sz..c * sz + d].iter().sum();
                    let b = self.alphas[c] + sum_q - 0.5 * u.iter().map(|v| v * v).sum::<f64>();
                    zs.push(z);
                    us.push(u);
                    b
                })
                .collect();
            let bmax = beta.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let total: f64 = beta.iter().map(|b| (b - bmax).exp()).sum();
            for c in 0..k {
                let w = (beta[c] - bmax).exp() / total;
                let (z, u) = (&zs[c], &us[c]);
                ga[c] += w;
                for col in 0..d {
                    // (Q_kᵀu)[col] = Σ_r Q[r][col]·u[r].
                    let qtu: f64 = (0..d).map(|r| q[c][r * d + col] * u[r]).sum();
                    gm[c * d + col] += w * qtu;
                }
                for j in 0..d {
                    gi[c * sz + j] += w * (1.0 - q[c][j * d + j] * z[j] * u[j]);
                }
                // Entry p of l_k is Q[row][col], for col in 0..d and row in col + 1..d.
                let mut p = d;
                for (col, z_col) in z.iter().enumerate() {
                    for u_row in &u[col + 1..] {
                        gi[c * sz + p] -= w * z_col * u_row;
                        p += 1;
                    }
                }
            }
        }
        let amax = self
            .alphas
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        let asum: f64 = self.alphas.iter().map(|a| (a - amax).exp()).sum();
        for c in 0..k {
            ga[c] -= self.n as f64 * (self.alphas[c] - amax).exp() / asum;
            for j in 0..d {
                let qj = self.icf[c * sz + j];
                gi[c * sz + j] += self.gamma * self.gamma * (2.0 * qj).exp() - self.m as f64;
            }
            for p in d..sz {
                gi[c * sz + p] += self.gamma * self.gamma * self.icf[c * sz + p];
            }
        }
        [ga, gm, gi].concat()
    }
}

#[test]
fn multivariate_log_gamma_is_exact_on_half_integers() {
    let ln_sqrt_pi = 0.5 * std::f64::consts::PI.ln();
    assert_eq!(ln_gamma_half_integer(1.0), 0.0);
    assert_relative_eq!(
        ln_gamma_half_integer(5.0),
        24.0_f64.ln(),
        max_relative = 1e-15
    );
    assert_relative_eq!(ln_gamma_half_integer(0.5), ln_sqrt_pi, max_relative = 1e-15);
    // Γ(7/2) = (15/8)·√π.
    assert_relative_eq!(
        ln_gamma_half_integer(3.5),
        (15.0_f64 / 8.0).ln() + ln_sqrt_pi,
        max_relative = 1e-15
    );
    // Γ_2(3/2) = π^(1/2)·Γ(3/2)·Γ(1) = π/2.
    assert_relative_eq!(
        log_gamma_distrib(1.5, 2),
        (std::f64::consts::PI / 2.0).ln(),
        max_relative = 1e-15
    );
}

/// ADBench's unit-test reference for `gmm/test.txt` (D = 2, K = 3, N = 1), from
/// `test/cpp/modules/common/GmmTests.cpp` as quoted in the data README.
#[allow(clippy::excessive_precision)] // the reference digits, verbatim
const TEST_TXT_OBJECTIVE: f64 = 8.073_804_080_049_757_91;
#[allow(clippy::excessive_precision)] // the reference digits, verbatim
const TEST_TXT_GRADIENT: [f64; 18] = [
    1.08662855508652456e-01,
    -7.41270039523898472e-01,
    6.32607184015246071e-01,
    1.11692576532787013e+00,
    1.63333013551455269e-01,
    -2.19989824071193142e-02,
    2.27778292254236098e-01,
    1.20963025612832187e+00,
    -6.06375920733956339e-02,
    2.58529994051162237e+00,
    1.12632694524213789e-01,
    3.85744309849611777e-01,
    7.35180573182305508e-02,
    5.41836362715595232e+00,
    -3.21494409677446469e-01,
    1.71892309775004937e+00,
    8.60091090790866875e-01,
    -9.94640930466322848e-01,
];

#[test]
fn gmm_test_txt_matches_adbench_reference() {
    let gmm = Gmm::load("gmm/test.txt");
    assert_eq!((gmm.d, gmm.k, gmm.n, gmm.gamma, gmm.m), (2, 3, 1, 1.0, 0));
    let (value, grad) = gmm.grad();
    assert_eq!(value, gmm.objective_at(&gmm.params()));
    assert_relative_eq!(value, TEST_TXT_OBJECTIVE, max_relative = 1e-12);
    assert_eq!(grad.len(), 18);
    // The smallest reference entry is 2.2e-2, so 1e-9 relative is a sharp test.
    assert_close(
        "gmm/test.txt gradient",
        &grad,
        &TEST_TXT_GRADIENT,
        1e-9,
        0.0,
    );
    assert_close(
        "gmm/test.txt closed form",
        &gmm.closed_form_gradient(),
        &TEST_TXT_GRADIENT,
        1e-9,
        0.0,
    );
}

/// The shipped files all have γ = 1 and m = 0, which hides the prior's `m·Σq` term and
/// its γ² scaling; this varies both on `gmm/test.txt`.
#[test]
fn gmm_prior_parameters_enter_value_and_gradient() {
    let base = Gmm::load("gmm/test.txt");
    let gmm = Gmm {
        gamma: 0.6,
        m: 2,
        ..base.clone()
    };
    let (value, grad) = gmm.grad();
    assert_eq!(value, gmm.objective_at(&gmm.params()));
    // Only the prior changes: ½(γ² − 1)·Σ‖Q_k‖² − m·Σ q − K·(C(γ, m) − C(1, 0)).
    let sz = gmm.d * (gmm.d + 1) / 2;
    let (mut frobenius, mut sum_q) = (0.0, 0.0);
    for icf in gmm.icf.chunks(sz) {
        frobenius += icf[..gmm.d].iter().map(|q| (2.0 * q).exp()).sum::<f64>();
        frobenius += icf[gmm.d..].iter().map(|l| l * l).sum::<f64>();
        sum_q += icf[..gmm.d].iter().sum::<f64>();
    }
    let c = |gamma: f64, m: usize| {
        let nu = gmm.d + m + 1;
        (nu * gmm.d) as f64 * (gamma.ln() - 0.5 * 2.0_f64.ln())
            - log_gamma_distrib(0.5 * nu as f64, gmm.d)
    };
    let expected = TEST_TXT_OBJECTIVE + 0.5 * (0.36 - 1.0) * frobenius
        - 2.0 * sum_q
        - gmm.k as f64 * (c(0.6, 2) - c(1.0, 0));
    assert_relative_eq!(value, expected, max_relative = 1e-12);
    assert_close(
        "closed form",
        &grad,
        &gmm.closed_form_gradient(),
        1e-12,
        1e-14,
    );
    let f = |p: &[f64]| gmm.objective_at(p);
    ad::check_gradient(f, &gmm.params(), &grad).unwrap();
    assert_checker_rejects_corruptions(f, &gmm.params(), &grad, &ad::Tolerance::default());
}

/// The GMM objective's second order: `f_hessian` against central differences of
/// `f_grad` (and symmetric), `f_hvp` against the Hessian's product, `f_jvp` against
/// the gradient's; on `gmm/test.txt` with γ and m away from 1 and 0, so that every
/// term of the prior has curvature.
#[test]
fn gmm_hessian_against_differences_of_the_gradient() {
    let base = Gmm::load("gmm/test.txt");
    let gmm = Gmm {
        gamma: 0.6,
        m: 2,
        ..base.clone()
    };
    let (g, x) = (&gmm, &gmm.x);
    let (value, gradient, hessian) =
        gmm_objective_hessian(&g.alphas, &g.means, &g.icf, x, g.gamma, g.m, g.d, g.k, g.n);
    let (grad_value, grad) = gmm.grad();
    assert_eq!(value, grad_value);
    assert_close("hessian's gradient", &gradient, &grad, 1e-12, 1e-14);
    let at = |p: &[f64]| {
        let (alphas, rest) = p.split_at(g.k);
        let (means, icf) = rest.split_at(g.k * g.d);
        let (_, da, dm, di) =
            gmm_objective_grad(alphas, means, icf, x, g.gamma, g.m, g.d, g.k, g.n);
        [da, dm, di].concat()
    };
    ad::check_hessian(at, &gmm.params(), &hessian).unwrap();
    let v: Vec<f64> = (0..grad.len())
        .map(|i| ((i * 7 % 5) as f64 - 2.0) * 0.3)
        .collect();
    let (va, rest) = v.split_at(g.k);
    let (vm, vi) = rest.split_at(g.k * g.d);
    let (_, _, _, _, ha, hm, hi) = gmm_objective_hvp(
        &g.alphas, &g.means, &g.icf, x, g.gamma, g.m, g.d, g.k, g.n, va, vm, vi,
    );
    let by_rows: Vec<f64> = hessian
        .iter()
        .map(|row| row.iter().zip(&v).map(|(h, v)| h * v).sum())
        .collect();
    assert_close("hvp", &[ha, hm, hi].concat(), &by_rows, 1e-12, 1e-12);
    let (_, jvp) = gmm_objective_jvp(
        &g.alphas, &g.means, &g.icf, x, g.gamma, g.m, g.d, g.k, g.n, va, vm, vi,
    );
    let dot: f64 = grad.iter().zip(&v).map(|(g, v)| g * v).sum();
    assert_close("jvp", &[jvp], &[dot], 1e-12, 1e-14);
}

#[test]
fn gmm_d2_k5_objective_and_finite_differences() {
    let gmm = Gmm::load("gmm/1k/gmm_d2_K5.txt");
    assert_eq!((gmm.d, gmm.k, gmm.n), (2, 5, 1000));
    let (value, grad) = gmm.grad();
    let params = gmm.params();
    assert_eq!(grad.len(), 30);
    assert_eq!(value, gmm.objective_at(&params));
    // From the independent Python re-implementation quoted in the data README.
    assert_relative_eq!(value, -5240.590562549647, max_relative = 1e-12);
    // Summation order aside, the closed form is the same arithmetic.
    assert_close(
        "closed form",
        &grad,
        &gmm.closed_form_gradient(),
        1e-10,
        1e-10,
    );

    // |F| ≈ 5.2e3 while the partials are 3.1 to 507, so round-off matters in the
    // difference quotient: each evaluation of F is off by a few ε·|F| ≈ 1e-12, which
    // the quotient divides by 2h. The total error ε|F|/h + c·h² (c ~ third derivative,
    // large through the exp(2q) terms summed over 1000 points) is smallest near
    // h = (ε|F|/c)^(1/3) ≈ 1e-5, so the step is 1e-5 rather than ε^(1/3) ≈ 6e-6.
    // Measured worst |fd − grad| over the 30 coordinates: 2.2e-7 at h = 1e-5, against
    // 3.9e-7 at 6e-6, 2.0e-6 at 1e-6 and 1.8e-5 at 1e-4. `abs` = 1e-6 covers it with a
    // 4× margin (the checker adds its own round-off and truncation allowances), and
    // `rel` = 1e-6 lets through at most ~5e-4 on the largest partial, while a negated
    // or dropped entry is off by at least 3.1 (checked below on the smallest one).
    let tol = ad::Tolerance {
        rel: 1e-6,
        abs: 1e-6,
        step: 1e-5,
    };
    let f = |p: &[f64]| gmm.objective_at(p);
    ad::check_gradient_with(f, &params, &grad, &tol).unwrap();
    assert_checker_rejects_corruptions(f, &params, &grad, &tol);
}

// ---------------------------------------------------------------------------------
// 3. A million weights
// ---------------------------------------------------------------------------------

/// Σ (w_i − t_i)² + λ·Σ (w_{i+1} − w_i)²: a data term and a smoothness term.
#[differentiate(wrt(w))]
// `&Vec<f64>` is the parameter type under test here.
#[allow(clippy::ptr_arg)]
fn smoothed_least_squares(w: &Vec<f64>, t: &[f64], lambda: f64) -> f64 {
    let mut data = 0.0;
    for (wi, ti) in w.iter().zip(t.iter()) {
        let r = wi - ti;
        data += r * r;
    }
    let mut smooth = 0.0;
    for i in 1..w.len() {
        let dw = w[i] - w[i - 1];
        smooth += dw * dw;
    }
    data + lambda * smooth
}

#[test]
fn a_million_weights() {
    const N: usize = 1_000_000;
    let lambda = 0.3;
    let w: Vec<f64> = (0..N).map(|i| (i as f64 * 1e-3).sin()).collect();
    let t: Vec<f64> = (0..N).map(|i| 0.5 * (i as f64 * 7e-4).cos()).collect();

    let start = Instant::now();
    let (value, g) = smoothed_least_squares_grad(&w, &t, lambda);
    let elapsed = start.elapsed();
    println!("gradient of {N} weights: {elapsed:?}");
    assert_eq!(g.len(), N);
    assert_eq!(value, smoothed_least_squares(&w, &t, lambda));

    // ∂/∂w_i = 2(w_i − t_i) + 2λ[(w_i − w_{i−1}) − (w_{i+1} − w_i)], the bracket's
    // terms present only where the neighbour exists.
    let mut expected_value = 0.0;
    for i in 0..N {
        let mut e = 2.0 * (w[i] - t[i]);
        expected_value += (w[i] - t[i]) * (w[i] - t[i]);
        if i > 0 {
            e += 2.0 * lambda * (w[i] - w[i - 1]);
            expected_value += lambda * (w[i] - w[i - 1]) * (w[i] - w[i - 1]);
        }
        if i + 1 < N {
            e -= 2.0 * lambda * (w[i + 1] - w[i]);
        }
        // The smoothness part is ~1e-6 here, so the absolute floor must be far below it.
        let allowed = 1e-12 * e.abs() + 1e-15;
        assert!(
            (g[i] - e).abs() <= allowed,
            "∂/∂w[{i}]: got {:e}, expected {e:e}",
            g[i]
        );
    }
    assert_relative_eq!(value, expected_value, max_relative = 1e-10);
}
