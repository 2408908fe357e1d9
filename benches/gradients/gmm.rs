//! ADBench's Gaussian mixture model objective with its Wishart prior, on the
//! instances `gmm/1k/gmm_d2_K5.txt` and `gmm/1k/gmm_d2_K10.txt`; the gradient is
//! with respect to the alphas, means and icf.

// The lower-triangular loops index several arrays by (row, col), as ADBench's C++ does.
#![allow(clippy::needless_range_loop)]

use std::hint::black_box;

use ad::differentiate;
use criterion::Criterion;
use num_dual::{DualNum, DualSVec64};
use reverse::{Gradient, Tape, Var};

use crate::support::{
    assert_agree, assert_value, central_differences, group, memory_of, Cost, MemoryRow,
};

/// lnΓ(a) for a positive multiple of ½, exactly by Γ(a + 1) = a·Γ(a) (as in
/// tests/models.rs: std has no stable `lgamma`).
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

/// The Wishart normaliser C of ADBench's `log_wishart_prior`; a constant.
fn wishart_constant(gamma: f64, m: usize, d: usize) -> f64 {
    let nu = d + m + 1;
    (nu * d) as f64 * (gamma.ln() - 0.5 * 2.0_f64.ln()) - log_gamma_distrib(0.5 * nu as f64, d)
}

/// ADBench's `gmm_objective`, term for term; copied from tests/models.rs, where its
/// documentation and its checks against ADBench's reference values are.
#[differentiate(wrt(alphas, means, icf), hessian)]
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
pub fn gmm_objective(
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

    let mut amax = alphas[0];
    for c in 1..k {
        amax = amax.max(alphas[c]);
    }
    let mut asum = 0.0;
    for c in 0..k {
        asum += (alphas[c] - amax).exp();
    }
    let lse_alphas = asum.ln() + amax;

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
pub struct Gmm {
    pub d: usize,
    pub k: usize,
    pub n: usize,
    pub alphas: Vec<f64>,
    pub means: Vec<f64>,
    pub icf: Vec<f64>,
    pub x: Vec<f64>,
    pub gamma: f64,
    pub m: usize,
}

/// ADBench's GMM inputs, in the repository with their licence (`data/adbench/README.md`).
const ADBENCH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/adbench");

impl Gmm {
    /// Reads an ADBench GMM file: `D K N`, the alphas, means, icf, points, `gamma m`.
    pub fn load(relative: &str) -> Gmm {
        let path = format!("{ADBENCH}/{relative}");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read the ADBench GMM input {path}: {e}"));
        let mut tokens = text.split_whitespace();
        let mut next = || {
            tokens
                .next()
                .unwrap_or_else(|| panic!("{path}: file ends early"))
        };
        let (d, k, n): (usize, usize, usize) = (
            next().parse().unwrap(),
            next().parse().unwrap(),
            next().parse().unwrap(),
        );
        let mut floats = |len: usize| -> Vec<f64> {
            (0..len)
                .map(|_| next().parse().expect("a number"))
                .collect()
        };
        let alphas = floats(k);
        let means = floats(k * d);
        let icf = floats(k * d * (d + 1) / 2);
        let x = floats(n * d);
        let gamma = floats(1)[0];
        let m = floats(1)[0] as usize;
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

    pub fn inputs(&self) -> usize {
        self.alphas.len() + self.means.len() + self.icf.len()
    }

    pub fn params(&self) -> Vec<f64> {
        [&self.alphas[..], &self.means, &self.icf].concat()
    }

    pub fn objective(&self) -> f64 {
        gmm_objective(
            &self.alphas,
            &self.means,
            &self.icf,
            &self.x,
            self.gamma,
            self.m,
            self.d,
            self.k,
            self.n,
        )
    }

    /// The objective at a concatenated (alphas, means, icf) vector.
    pub fn objective_at(&self, p: &[f64]) -> f64 {
        let (alphas, rest) = p.split_at(self.k);
        let (means, icf) = rest.split_at(self.k * self.d);
        gmm_objective(
            alphas, means, icf, &self.x, self.gamma, self.m, self.d, self.k, self.n,
        )
    }

    pub fn grad(&self) -> (f64, Vec<f64>, Vec<f64>, Vec<f64>) {
        gmm_objective_grad(
            &self.alphas,
            &self.means,
            &self.icf,
            &self.x,
            self.gamma,
            self.m,
            self.d,
            self.k,
            self.n,
        )
    }

    pub fn adjoint(&self, da: &mut [f64], dm: &mut [f64], di: &mut [f64]) -> f64 {
        gmm_objective_adjoint(
            &self.alphas,
            &self.means,
            &self.icf,
            &self.x,
            self.gamma,
            self.m,
            self.d,
            self.k,
            self.n,
            1.0,
            da,
            dm,
            di,
        )
    }

    /// The objective and its gradient in closed form, written for speed: Q_k's
    /// diagonal exponentiated once, and per point one pass over the components that
    /// keeps z = x − μ_k and u = Q_k z for the gradient, then the softmax weights
    /// w_k: ∂α_k += w_k, ∂μ_k += w_k·Q_kᵀu, ∂q_kj += w_k(1 − e^{q_kj}z_j u_j),
    /// ∂l_k,(r,c) −= w_k z_c u_r; the prior and the alphas' log-sum-exp at the end.
    pub fn hand(&self) -> (f64, Vec<f64>, Vec<f64>, Vec<f64>) {
        let (d, k, n) = (self.d, self.k, self.n);
        let sz = d * (d + 1) / 2;
        let mut qdiag = vec![0.0; k * d];
        let mut sum_q = vec![0.0; k];
        for c in 0..k {
            let q = &self.icf[c * sz..c * sz + d];
            sum_q[c] = q.iter().sum();
            for (e, qj) in qdiag[c * d..(c + 1) * d].iter_mut().zip(q) {
                *e = qj.exp();
            }
        }
        let mut z = vec![0.0; k * d];
        let mut u = vec![0.0; k * d];
        let mut beta = vec![0.0; k];
        let mut da = vec![0.0; k];
        let mut dm = vec![0.0; k * d];
        let mut di = vec![0.0; k * sz];
        let mut slse = 0.0;
        for xi in self.x.chunks_exact(d) {
            for c in 0..k {
                let zc = &mut z[c * d..(c + 1) * d];
                let uc = &mut u[c * d..(c + 1) * d];
                let mu = &self.means[c * d..(c + 1) * d];
                let qd = &qdiag[c * d..(c + 1) * d];
                for j in 0..d {
                    zc[j] = xi[j] - mu[j];
                    uc[j] = qd[j] * zc[j];
                }
                let l = &self.icf[c * sz + d..(c + 1) * sz];
                let mut p = 0;
                for col in 0..d {
                    for row in col + 1..d {
                        uc[row] += l[p] * zc[col];
                        p += 1;
                    }
                }
                let sqnorm: f64 = uc.iter().map(|v| v * v).sum();
                beta[c] = self.alphas[c] + sum_q[c] - 0.5 * sqnorm;
            }
            let bmax = beta.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mut total = 0.0;
            for b in beta.iter_mut() {
                *b = (*b - bmax).exp();
                total += *b;
            }
            slse += total.ln() + bmax;
            let inv = 1.0 / total;
            for c in 0..k {
                let w = beta[c] * inv;
                da[c] += w;
                let zc = &z[c * d..(c + 1) * d];
                let uc = &u[c * d..(c + 1) * d];
                let qd = &qdiag[c * d..(c + 1) * d];
                let dmc = &mut dm[c * d..(c + 1) * d];
                let dic = &mut di[c * sz..(c + 1) * sz];
                for j in 0..d {
                    let qu = qd[j] * uc[j];
                    dmc[j] += w * qu;
                    dic[j] += w * (1.0 - qu * zc[j]);
                }
                let l = &self.icf[c * sz + d..(c + 1) * sz];
                let mut p = 0;
                for col in 0..d {
                    for row in col + 1..d {
                        dmc[col] += w * l[p] * uc[row];
                        dic[d + p] -= w * zc[col] * uc[row];
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
        let lse_alphas = asum.ln() + amax;
        let g2 = self.gamma * self.gamma;
        let mut prior = 0.0;
        for c in 0..k {
            da[c] -= n as f64 * (self.alphas[c] - amax).exp() / asum;
            let mut frobenius = 0.0;
            for j in 0..d {
                let e = qdiag[c * d + j];
                frobenius += e * e;
                di[c * sz + j] += g2 * e * e - self.m as f64;
            }
            for p in d..sz {
                let l = self.icf[c * sz + p];
                frobenius += l * l;
                di[c * sz + p] += g2 * l;
            }
            prior += 0.5 * g2 * frobenius - self.m as f64 * sum_q[c];
        }
        prior -= k as f64 * wishart_constant(self.gamma, self.m, d);
        let constant = -((n * d) as f64) * 0.5 * (2.0 * std::f64::consts::PI).ln();
        let value = constant + slse - n as f64 * lse_alphas + prior;
        (value, da, dm, di)
    }
}

/// The objective, generic over num-dual's number types.
fn gmm_generic<D: DualNum<Primitive = f64> + Copy>(
    g: &Gmm,
    alphas: &[D],
    means: &[D],
    icf: &[D],
) -> D {
    let (d, k, n) = (g.d, g.k, g.n);
    let sz = d * (d + 1) / 2;
    let zero = D::from(0.0);
    let mut sum_qs = vec![zero; k];
    let mut qdiags = vec![zero; d * k];
    for c in 0..k {
        for j in 0..d {
            let q = icf[c * sz + j];
            sum_qs[c] += q;
            qdiags[c * d + j] = q.exp();
        }
    }
    let mut z = vec![zero; d];
    let mut u = vec![zero; d];
    let mut main_term = vec![zero; k];
    let mut slse = zero;
    for xi in g.x.chunks_exact(d) {
        for c in 0..k {
            for j in 0..d {
                z[j] = -means[c * d + j] + xi[j];
                u[j] = qdiags[c * d + j] * z[j];
            }
            let mut p = 0;
            for col in 0..d {
                for row in col + 1..d {
                    u[row] += icf[c * sz + d + p] * z[col];
                    p += 1;
                }
            }
            let mut sqnorm = zero;
            for uj in &u {
                sqnorm += *uj * *uj;
            }
            main_term[c] = alphas[c] + sum_qs[c] - sqnorm * 0.5;
        }
        let mut mx = main_term[0];
        for &t in &main_term[1..] {
            if t > mx {
                mx = t;
            }
        }
        let mut semx = zero;
        for &t in &main_term {
            semx += (t - mx).exp();
        }
        slse += semx.ln() + mx;
    }
    let mut amax = alphas[0];
    for &a in &alphas[1..] {
        if a > amax {
            amax = a;
        }
    }
    let mut asum = zero;
    for &a in alphas {
        asum += (a - amax).exp();
    }
    let lse_alphas = asum.ln() + amax;
    let mut prior = zero;
    for c in 0..k {
        let mut frobenius = zero;
        for j in 0..d {
            frobenius += qdiags[c * d + j] * qdiags[c * d + j];
        }
        for p in d..sz {
            frobenius += icf[c * sz + p] * icf[c * sz + p];
        }
        prior += frobenius * (0.5 * g.gamma * g.gamma) - sum_qs[c] * g.m as f64;
    }
    let constant = -((n * d) as f64) * 0.5 * (2.0 * std::f64::consts::PI).ln()
        - k as f64 * wishart_constant(g.gamma, g.m, d);
    slse - lse_alphas * n as f64 + prior + constant
}

/// Vector mode: one pass carrying all N = K(D+1)(D+2)/2 directional derivatives.
pub fn gmm_num_dual<const N: usize>(g: &Gmm) -> (f64, Vec<f64>) {
    let params = g.params();
    assert_eq!(params.len(), N);
    let vars: Vec<DualSVec64<N>> = (0..N)
        .map(|i| DualSVec64::<N>::from_re(params[i]).derivative(i))
        .collect();
    let (alphas, rest) = vars.split_at(g.k);
    let (means, icf) = rest.split_at(g.k * g.d);
    let out = gmm_generic(g, alphas, means, icf);
    let grad = match out.eps.0 {
        Some(eps) => eps.iter().copied().collect(),
        None => vec![0.0; N],
    };
    (out.re, grad)
}

/// The objective on `reverse`'s tape.
fn gmm_var<'a>(g: &Gmm, alphas: &[Var<'a>], means: &[Var<'a>], icf: &[Var<'a>]) -> Var<'a> {
    let (d, k, n) = (g.d, g.k, g.n);
    let sz = d * (d + 1) / 2;
    let sum_qs: Vec<Var> = (0..k)
        .map(|c| icf[c * sz..c * sz + d].iter().copied().sum())
        .collect();
    let qdiags: Vec<Var> = (0..k * d)
        .map(|i| icf[(i / d) * sz + i % d].exp())
        .collect();
    let mut z = Vec::with_capacity(d);
    let mut u = Vec::with_capacity(d);
    let mut main_term = Vec::with_capacity(k);
    let mut terms = Vec::with_capacity(n);
    for xi in g.x.chunks_exact(d) {
        main_term.clear();
        for c in 0..k {
            z.clear();
            u.clear();
            for j in 0..d {
                z.push(xi[j] - means[c * d + j]);
                u.push(qdiags[c * d + j] * z[j]);
            }
            let mut p = 0;
            for col in 0..d {
                for row in col + 1..d {
                    u[row] = u[row] + icf[c * sz + d + p] * z[col];
                    p += 1;
                }
            }
            let sqnorm: Var = u.iter().map(|&v| v * v).sum();
            main_term.push(alphas[c] + sum_qs[c] - 0.5 * sqnorm);
        }
        let mx = main_term[1..]
            .iter()
            .fold(main_term[0], |m, &t| if t > m { t } else { m });
        let semx: Var = main_term.iter().map(|&t| (t - mx).exp()).sum();
        terms.push(semx.ln() + mx);
    }
    let slse: Var = terms.into_iter().sum();
    let amax = alphas[1..]
        .iter()
        .fold(alphas[0], |m, &a| if a > m { a } else { m });
    let asum: Var = alphas.iter().map(|&a| (a - amax).exp()).sum();
    let lse_alphas = asum.ln() + amax;
    let prior: Var = (0..k)
        .map(|c| {
            let diag: Var = qdiags[c * d..(c + 1) * d].iter().map(|&e| e * e).sum();
            let frobenius = icf[c * sz + d..(c + 1) * sz]
                .iter()
                .fold(diag, |f, &l| f + l * l);
            0.5 * g.gamma * g.gamma * frobenius - g.m as f64 * sum_qs[c]
        })
        .sum();
    let constant = -((n * d) as f64) * 0.5 * (2.0 * std::f64::consts::PI).ln()
        - k as f64 * wishart_constant(g.gamma, g.m, d);
    slse - n as f64 * lse_alphas + prior + constant
}

pub fn gmm_reverse(tape: &Tape, g: &Gmm) -> (f64, Vec<f64>) {
    tape.clear();
    let alphas = tape.add_vars(&g.alphas);
    let means = tape.add_vars(&g.means);
    let icf = tape.add_vars(&g.icf);
    let out = gmm_var(g, &alphas, &means, &icf);
    let grads = out.grad();
    let grad = [grads.wrt(&alphas), grads.wrt(&means), grads.wrt(&icf)].concat();
    (out.val(), grad)
}

/// The instances: file, name, and the number of parameters num-dual's static vector
/// needs.
const INSTANCES: [(&str, &str); 2] = [
    ("gmm/1k/gmm_d2_K5.txt", "d2_K5"),
    ("gmm/1k/gmm_d2_K10.txt", "d2_K10"),
];

fn num_dual_for(g: &Gmm) -> (f64, Vec<f64>) {
    match g.inputs() {
        30 => gmm_num_dual::<30>(g),
        60 => gmm_num_dual::<60>(g),
        other => panic!("no static num-dual size for {other} GMM parameters"),
    }
}

fn check(g: &Gmm) {
    let value = g.objective();
    let (v, da, dm, di) = g.grad();
    assert_eq!(v, value);
    let grad = [da, dm, di].concat();
    let (hv, ha, hm, hi) = g.hand();
    assert_value("gmm hand", hv, value, 1e-12);
    assert_agree("gmm hand", &[ha, hm, hi].concat(), &grad, 1e-10, 1e-12);
    let tape = Tape::new();
    let (rv, rg) = gmm_reverse(&tape, g);
    assert_value("gmm reverse", rv, value, 1e-12);
    assert_agree("gmm reverse", &rg, &grad, 1e-10, 1e-12);
    let (dv, dg) = num_dual_for(g);
    assert_value("gmm num-dual", dv, value, 1e-12);
    assert_agree("gmm num-dual", &dg, &grad, 1e-10, 1e-12);
    let (_, fd) = central_differences(|p| g.objective_at(p), &g.params());
    assert_agree("gmm central differences", &fd, &grad, 1e-5, 1e-6);
}

pub fn bench(c: &mut Criterion, memory: &mut Vec<MemoryRow>) {
    for (file, name) in INSTANCES {
        let gmm = Gmm::load(file);
        check(&gmm);
        let g = &gmm;
        let mut group = group(c, &format!("gmm_{name}"), Cost::Small);
        group.bench_function("f", |b| b.iter(|| black_box(g).objective()));
        group.bench_function("hand", |b| b.iter(|| black_box(g).hand()));
        group.bench_function("f_grad", |b| b.iter(|| black_box(g).grad()));
        let (mut da, mut dm, mut di) = (
            vec![0.0; g.k],
            vec![0.0; g.means.len()],
            vec![0.0; g.icf.len()],
        );
        group.bench_function("f_adjoint", |b| {
            b.iter(|| {
                da.fill(0.0);
                dm.fill(0.0);
                di.fill(0.0);
                black_box(g).adjoint(&mut da, &mut dm, &mut di)
            })
        });
        let params = g.params();
        group.bench_function("central_fd", |b| {
            b.iter(|| central_differences(|p| g.objective_at(p), black_box(&params)))
        });
        let tape = Tape::new();
        group.bench_function("reverse", |b| b.iter(|| gmm_reverse(&tape, black_box(g))));
        group.bench_function("num_dual", |b| b.iter(|| num_dual_for(black_box(g))));
        group.finish();

        let workload = format!("gmm_{name}");
        let inputs = g.inputs();
        memory.push(memory_of(&workload, "f_grad", inputs, || g.grad()));
        memory.push(memory_of(&workload, "hand", inputs, || g.hand()));
        memory.push(memory_of(&workload, "reverse", inputs, || {
            gmm_reverse(&Tape::new(), g)
        }));
    }
}
