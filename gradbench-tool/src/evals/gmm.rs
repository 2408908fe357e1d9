//! `gmm`: the log-posterior of a Gaussian mixture model with a Wishart prior
//! (EVALS.md §7: ADBench's objective with GradBench's sign of the prior).

use ad::differentiate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{unflatten, Matrix};
use crate::runs::{Evaluation, Runs};

/// The log-posterior `F` of EVALS.md §7, for `n` points `x` (row-major `n × d`) and `k`
/// components: log-weights `alpha`, means `mu` (`k × d`), logs of the diagonals of the
/// precision factors `q` (`k × d`) and their strictly lower parts `l`
/// (`k × d(d−1)/2`, column by column). `c` is the Wishart normaliser
/// `ν·d·(ln γ − ½ ln 2) − lnΓ_d(ν/2)`, which needs lnΓ and is a constant.
#[differentiate(wrt(alpha, mu, q, l))]
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
pub fn gmm(
    alpha: &[f64],
    mu: &[f64],
    q: &[f64],
    l: &[f64],
    x: &[f64],
    d: usize,
    k: usize,
    n: usize,
    m: f64,
    gamma: f64,
    c: f64,
) -> f64 {
    let lsz = d * (d - 1) / 2;

    // Σⱼ q_kj (the log-determinant of Q_k) and the diagonals exp(q_kj).
    let mut sum_q = vec![0.0; k];
    let mut diag = vec![0.0; k * d];
    for j in 0..k {
        let mut s = 0.0;
        for r in 0..d {
            s += q[j * d + r];
            diag[j * d + r] = q[j * d + r].exp();
        }
        sum_q[j] = s;
    }

    // Σᵢ LSE_k(β_ik) with β_ik = α_k + Σⱼ q_kj − ½‖Q_k (x_i − μ_k)‖², where row `row`
    // of Q_k z is exp(q_k,row)·z_row + Σ_{col < row} Q_k[row][col]·z_col, and
    // Q_k[row][col] is l_k[p] with p = col·(2d − col − 1)/2 + (row − col − 1) (the
    // strictly lower part filled column by column).
    let mut beta = vec![0.0; k];
    let mut total = 0.0;
    for i in 0..n {
        for j in 0..k {
            let mut sqnorm = 0.0;
            for row in 0..d {
                let mut u = diag[j * d + row] * (x[i * d + row] - mu[j * d + row]);
                for col in 0..row {
                    let p = col * (2 * d - col - 1) / 2 + (row - col - 1);
                    u += l[j * lsz + p] * (x[i * d + col] - mu[j * d + col]);
                }
                sqnorm += u * u;
            }
            beta[j] = alpha[j] + sum_q[j] - 0.5 * sqnorm;
        }
        let mut mx = beta[0];
        for j in 1..k {
            mx = mx.max(beta[j]);
        }
        let mut se = 0.0;
        for j in 0..k {
            se += (beta[j] - mx).exp();
        }
        total += mx + se.ln();
    }

    // LSE(α).
    let mut amax = alpha[0];
    for j in 1..k {
        amax = amax.max(alpha[j]);
    }
    let mut asum = 0.0;
    for j in 0..k {
        asum += (alpha[j] - amax).exp();
    }
    let lse_alpha = amax + asum.ln();

    // The Wishart prior: −γ²/2 Σ_k ‖Q_k‖²_F + m Σ_k Σⱼ q_kj + K·C.
    let mut frobenius = 0.0;
    let mut sum_all_q = 0.0;
    for j in 0..k {
        for r in 0..d {
            frobenius += diag[j * d + r] * diag[j * d + r];
        }
        for p in 0..lsz {
            frobenius += l[j * lsz + p] * l[j * lsz + p];
        }
        sum_all_q += sum_q[j];
    }
    let prior = -0.5 * gamma * gamma * frobenius + m * sum_all_q + k as f64 * c;

    let constant = -((n * d) as f64) * 0.5 * (2.0 * std::f64::consts::PI).ln();
    constant + total - n as f64 * lse_alpha + prior
}

/// lnΓ(a) for a positive multiple of ½, exactly by Γ(a + 1) = a·Γ(a) from Γ(1) = 1
/// or Γ(½) = √π. With an integer `m`, every argument of lnΓ_d(ν/2) is one.
fn ln_gamma_half_integer(a: f64) -> f64 {
    let (mut t, mut out) = if (2.0 * a) as u64 % 2 == 0 {
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

/// The constant `C = ν·d·(ln γ − ½ ln 2) − lnΓ_d(ν/2)` with `ν = d + m + 1` and
/// `lnΓ_d(a) = d(d−1)/4 · ln π + Σ_{j=1..d} lnΓ(a + (1−j)/2)`.
pub fn wishart_constant(d: usize, m: u64, gamma: f64) -> f64 {
    let nu = (d as u64 + m + 1) as f64;
    let mut ln_gamma_d = 0.25 * (d * (d - 1)) as f64 * std::f64::consts::PI.ln();
    for j in 1..=d {
        ln_gamma_d += ln_gamma_half_integer(0.5 * nu + 0.5 * (1.0 - j as f64));
    }
    nu * d as f64 * (gamma.ln() - 0.5 * 2.0_f64.ln()) - ln_gamma_d
}

#[derive(Deserialize)]
struct Input {
    d: usize,
    k: usize,
    n: usize,
    x: Matrix,
    m: u64,
    gamma: f64,
    alpha: Vec<f64>,
    mu: Matrix,
    q: Matrix,
    l: Matrix,
}

/// A decoded gmm input, flattened row-major.
pub struct Problem {
    /// Dimension.
    pub d: usize,
    /// Number of components.
    pub k: usize,
    /// Number of points.
    pub n: usize,
    /// `n × d` points.
    pub x: Vec<f64>,
    /// Extra degrees of freedom of the prior.
    pub m: u64,
    /// Precision scale of the prior.
    pub gamma: f64,
    /// `k` log-weights.
    pub alpha: Vec<f64>,
    /// `k × d` means.
    pub mu: Vec<f64>,
    /// `k × d` logs of the diagonals.
    pub q: Vec<f64>,
    /// `k × d(d−1)/2` strictly lower parts.
    pub l: Vec<f64>,
    /// [`wishart_constant`].
    pub c: f64,
}

impl Problem {
    /// Decodes and checks the shapes of an input (EVALS.md §7).
    pub fn decode(input: &Value) -> Result<Problem, String> {
        let Input {
            d,
            k,
            n,
            x,
            m,
            gamma,
            alpha,
            mu,
            q,
            l,
        } = super::decode(input)?;
        super::require(d >= 1 && k >= 1, || {
            format!("gmm needs d ≥ 1 and k ≥ 1, got d = {d}, k = {k}")
        })?;
        super::require(gamma > 0.0, || format!("gmm needs gamma > 0, got {gamma}"))?;
        super::require(alpha.len() == k, || {
            format!("`alpha` has {} entries, expected k = {k}", alpha.len())
        })?;
        let lsz = d * (d - 1) / 2;
        Ok(Problem {
            x: x.flatten("x", n, d)?,
            mu: mu.flatten("mu", k, d)?,
            q: q.flatten("q", k, d)?,
            l: l.flatten("l", k, lsz)?,
            c: wishart_constant(d, m, gamma),
            d,
            k,
            n,
            m,
            gamma,
            alpha,
        })
    }

    /// The objective.
    pub fn objective(&self) -> f64 {
        gmm(
            &self.alpha,
            &self.mu,
            &self.q,
            &self.l,
            &self.x,
            self.d,
            self.k,
            self.n,
            self.m as f64,
            self.gamma,
            self.c,
        )
    }

    /// The objective and its gradient, from `gmm_grad`.
    pub fn gradient(&self) -> (f64, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
        gmm_grad(
            &self.alpha,
            &self.mu,
            &self.q,
            &self.l,
            &self.x,
            self.d,
            self.k,
            self.n,
            self.m as f64,
            self.gamma,
            self.c,
        )
    }
}

/// The `jacobian` output: the gradient, shaped like the parameters.
#[derive(Serialize)]
struct Gradient<'a> {
    alpha: &'a [f64],
    mu: Vec<&'a [f64]>,
    q: Vec<&'a [f64]>,
    l: Vec<&'a [f64]>,
}

/// `objective` or `jacobian` of an input of EVALS.md §7.
pub fn evaluate(function: &str, input: &Value) -> Evaluation {
    let runs = Runs::from_input(input)?;
    let problem = Problem::decode(input)?;
    let (d, k) = (problem.d, problem.k);
    match function {
        "objective" => runs.time(|| problem.objective()).json(),
        "jacobian" => runs
            .time(|| problem.gradient())
            .encode(|(_, da, dm, dq, dl)| {
                serde_json::json!(Gradient {
                    alpha: &da,
                    mu: unflatten(&dm, k, d),
                    q: unflatten(&dq, k, d),
                    l: unflatten(&dl, k, d * (d - 1) / 2),
                })
            }),
        _ => super::unknown_function("gmm", function),
    }
}
