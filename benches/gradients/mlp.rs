//! A two-layer perceptron, 784-128-10 with tanh and a softmax cross-entropy, over a
//! batch of 64: 101 770 parameters.

use std::hint::black_box;

use ad::differentiate;
use criterion::Criterion;
use reverse::{Gradient, Tape, Var};

use crate::support::{assert_agree, assert_value, group, memory_of, Cost, Lcg, MemoryRow};

/// Mean softmax cross-entropy of a tanh MLP over a batch; copied from tests/models.rs.
#[differentiate(wrt(w1, b1, w2, b2))]
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
pub fn mlp_loss(
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

pub struct Mlp {
    pub w1: Vec<f64>,
    pub b1: Vec<f64>,
    pub w2: Vec<f64>,
    pub b2: Vec<f64>,
    pub x: Vec<f64>,
    pub labels: Vec<usize>,
    pub n_in: usize,
    pub n_hidden: usize,
    pub n_out: usize,
}

pub type Gradients = (f64, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>);

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

impl Mlp {
    pub fn random(n_in: usize, n_hidden: usize, n_out: usize, batch: usize, seed: u64) -> Mlp {
        let mut rng = Lcg(seed);
        // Scaled like a trained net's first layer, so tanh is not saturated.
        let w1 = rng.vec(n_hidden * n_in, 1.0 / (n_in as f64).sqrt());
        let b1 = rng.vec(n_hidden, 0.5);
        let w2 = rng.vec(n_out * n_hidden, 1.0 / (n_hidden as f64).sqrt());
        let b2 = rng.vec(n_out, 0.5);
        let x = rng.vec(batch * n_in, 1.0);
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

    pub fn inputs(&self) -> usize {
        self.w1.len() + self.b1.len() + self.w2.len() + self.b2.len()
    }

    pub fn loss(&self) -> f64 {
        mlp_loss(
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

    pub fn grad(&self) -> Gradients {
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

    pub fn adjoint(&self, d: &mut [Vec<f64>; 4]) -> f64 {
        let [d1, d2, d3, d4] = d;
        mlp_loss_adjoint(
            &self.w1,
            &self.b1,
            &self.w2,
            &self.b2,
            &self.x,
            &self.labels,
            self.n_in,
            self.n_hidden,
            self.n_out,
            1.0,
            d1,
            d2,
            d3,
            d4,
        )
    }

    /// Backpropagation written for speed: per sample, the forward pass into reused
    /// buffers (rows as slices, so no bounds checks in the dot products), the softmax
    /// gradient from the exponentials kept from the forward pass, and the weight
    /// gradients as rank-one updates.
    pub fn hand(&self) -> Gradients {
        let (n_in, n_hidden, n_out) = (self.n_in, self.n_hidden, self.n_out);
        let scale = 1.0 / self.labels.len() as f64;
        let mut dw1 = vec![0.0; self.w1.len()];
        let mut db1 = vec![0.0; n_hidden];
        let mut dw2 = vec![0.0; self.w2.len()];
        let mut db2 = vec![0.0; n_out];
        let mut h = vec![0.0; n_hidden];
        let mut e = vec![0.0; n_out];
        let mut dh = vec![0.0; n_hidden];
        let mut loss = 0.0;
        for (xs, &label) in self.x.chunks_exact(n_in).zip(&self.labels) {
            for ((hj, row), bj) in h.iter_mut().zip(self.w1.chunks_exact(n_in)).zip(&self.b1) {
                *hj = (bj + dot(row, xs)).tanh();
            }
            for ((eo, row), bo) in e
                .iter_mut()
                .zip(self.w2.chunks_exact(n_hidden))
                .zip(&self.b2)
            {
                *eo = bo + dot(row, &h);
            }
            let m = e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let z_label = e[label];
            let mut sum_exp = 0.0;
            for eo in e.iter_mut() {
                *eo = (*eo - m).exp();
                sum_exp += *eo;
            }
            loss += sum_exp.ln() + m - z_label;
            // ∂/∂z = (softmax(z) − onehot(label)) / batch.
            let inv = scale / sum_exp;
            dh.fill(0.0);
            for (o, ((eo, row), drow)) in e
                .iter()
                .zip(self.w2.chunks_exact(n_hidden))
                .zip(dw2.chunks_exact_mut(n_hidden))
                .enumerate()
            {
                let dz = eo * inv - if o == label { scale } else { 0.0 };
                db2[o] += dz;
                for ((dw, dhj), (w, hj)) in
                    drow.iter_mut().zip(dh.iter_mut()).zip(row.iter().zip(&h))
                {
                    *dw += dz * hj;
                    *dhj += w * dz;
                }
            }
            for (((dhj, hj), db), drow) in dh
                .iter()
                .zip(&h)
                .zip(db1.iter_mut())
                .zip(dw1.chunks_exact_mut(n_in))
            {
                let da = dhj * (1.0 - hj * hj);
                *db += da;
                for (dw, xi) in drow.iter_mut().zip(xs) {
                    *dw += da * xi;
                }
            }
        }
        (loss * scale, dw1, db1, dw2, db2)
    }
}

fn mlp_var<'a>(m: &Mlp, w1: &[Var<'a>], b1: &[Var<'a>], w2: &[Var<'a>], b2: &[Var<'a>]) -> Var<'a> {
    let (n_in, n_hidden) = (m.n_in, m.n_hidden);
    let mut terms = Vec::with_capacity(m.labels.len());
    for (xs, &label) in m.x.chunks_exact(n_in).zip(&m.labels) {
        let h: Vec<Var> = w1
            .chunks_exact(n_in)
            .zip(b1)
            .map(|(row, &bj)| {
                row.iter()
                    .zip(xs)
                    .fold(bj, |a, (&w, &xi)| a + w * xi)
                    .tanh()
            })
            .collect();
        let z: Vec<Var> = w2
            .chunks_exact(n_hidden)
            .zip(b2)
            .map(|(row, &bo)| row.iter().zip(&h).fold(bo, |a, (&w, &hj)| a + w * hj))
            .collect();
        let mx = z[1..]
            .iter()
            .fold(z[0], |mx, &zo| if zo > mx { zo } else { mx });
        let sum_exp: Var = z.iter().map(|&zo| (zo - mx).exp()).sum();
        terms.push(sum_exp.ln() + mx - z[label]);
    }
    let total: Var = terms.into_iter().sum();
    total / m.labels.len() as f64
}

pub fn mlp_reverse(tape: &Tape, m: &Mlp) -> Gradients {
    tape.clear();
    let w1 = tape.add_vars(&m.w1);
    let b1 = tape.add_vars(&m.b1);
    let w2 = tape.add_vars(&m.w2);
    let b2 = tape.add_vars(&m.b2);
    let out = mlp_var(m, &w1, &b1, &w2, &b2);
    let grads = out.grad();
    (
        out.val(),
        grads.wrt(&w1),
        grads.wrt(&b1),
        grads.wrt(&w2),
        grads.wrt(&b2),
    )
}

fn concat(g: &Gradients) -> Vec<f64> {
    [&g.1[..], &g.2, &g.3, &g.4].concat()
}

fn check(m: &Mlp) {
    let value = m.loss();
    let grad = m.grad();
    assert_eq!(grad.0, value);
    let expected = concat(&grad);
    let hand = m.hand();
    assert_value("mlp hand", hand.0, value, 1e-12);
    assert_agree("mlp hand", &concat(&hand), &expected, 1e-10, 1e-12);
    let tape = Tape::new();
    let reverse = mlp_reverse(&tape, m);
    assert_value("mlp reverse", reverse.0, value, 1e-12);
    assert_agree("mlp reverse", &concat(&reverse), &expected, 1e-10, 1e-12);
}

/// The instance's name in the results.
pub const NAME: &str = "784_128_10_b64";

pub fn bench(c: &mut Criterion, memory: &mut Vec<MemoryRow>) {
    let mlp = Mlp::random(784, 128, 10, 64, 6);
    check(&mlp);
    let m = &mlp;
    let mut g = group(c, &format!("mlp_{NAME}"), Cost::Large);
    g.bench_function("f", |b| b.iter(|| black_box(m).loss()));
    g.bench_function("hand", |b| b.iter(|| black_box(m).hand()));
    g.bench_function("f_grad", |b| b.iter(|| black_box(m).grad()));
    let mut buffers = [
        vec![0.0; m.w1.len()],
        vec![0.0; m.b1.len()],
        vec![0.0; m.w2.len()],
        vec![0.0; m.b2.len()],
    ];
    g.bench_function("f_adjoint", |b| {
        b.iter(|| {
            for buffer in buffers.iter_mut() {
                buffer.fill(0.0);
            }
            black_box(m).adjoint(&mut buffers)
        })
    });
    let tape = Tape::new();
    g.bench_function("reverse", |b| b.iter(|| mlp_reverse(&tape, black_box(m))));
    g.finish();

    let workload = format!("mlp_{NAME}");
    let inputs = m.inputs();
    memory.push(memory_of(&workload, "f_grad", inputs, || m.grad()));
    memory.push(memory_of(&workload, "hand", inputs, || m.hand()));
    memory.push(memory_of(&workload, "reverse", inputs, || {
        mlp_reverse(&Tape::new(), m)
    }));
}
