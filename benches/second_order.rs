//! Forward mode and second order (issue 18): `f_jvp`, `f_hvp` and `f_hessian`
//! against the function, its gradient, hand-written second derivatives, echidna's
//! bytecode tape (forward-over-reverse, the tape recorded once outside the timing)
//! and num-dual's `hessian` (second-order dual vectors), on Rosenbrock, a
//! logistic-regression loss and the GMM objective (ADBench's d = 2, K = 5 instance,
//! ours alone: its Hessian is checked against differences of the gradient in
//! tests/models.rs). Every method's result is checked against ours before
//! anything is timed.
//!
//! `cargo bench --bench second_order` prints the medians, the ratios and the bytes
//! each sweep records.

#[allow(dead_code)]
#[path = "gradients/support.rs"]
mod support;

#[allow(dead_code)]
#[path = "gradients/gmm.rs"]
mod gmm;

use std::hint::black_box;
use std::time::SystemTime;

use ad::differentiate;
use criterion::Criterion;
use echidna::BReverse;
use nalgebra::{Const, SVector};
use num_dual::{Dual2Vec, DualNum};
use num_traits::Float as _;

use support::{assert_agree, group, median, memory_of, Cost, Lcg};

#[global_allocator]
static ALLOCATOR: support::CountingAllocator = support::CountingAllocator;

// ---------------------------------------------------------------- Rosenbrock

#[differentiate(hessian)]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

/// Value, gradient and H·v in one pass, from the tridiagonal Hessian:
/// Hᵢᵢ = 2 − 400(xᵢ₊₁ − 3xᵢ²) + 200 (the last term for i > 0), Hᵢ,ᵢ₊₁ = −400xᵢ.
fn rosenbrock_hvp_hand(x: &[f64], v: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
    let n = x.len();
    let (mut grad, mut hv) = (vec![0.0; n], vec![0.0; n]);
    let mut s = 0.0;
    for i in 0..n - 1 {
        let (xi, next) = (x[i], x[i + 1]);
        let a = next - xi * xi;
        let b = 1.0 - xi;
        s += 100.0 * a * a + b * b;
        grad[i] += -400.0 * xi * a - 2.0 * b;
        grad[i + 1] += 200.0 * a;
        let (diagonal, off) = (2.0 - 400.0 * (next - 3.0 * xi * xi), -400.0 * xi);
        hv[i] += diagonal * v[i] + off * v[i + 1];
        hv[i + 1] += off * v[i] + 200.0 * v[i + 1];
    }
    (s, grad, hv)
}

fn rosenbrock_hessian_hand(x: &[f64]) -> Vec<Vec<f64>> {
    let n = x.len();
    let mut h = vec![vec![0.0; n]; n];
    for i in 0..n - 1 {
        h[i][i] += 2.0 - 400.0 * (x[i + 1] - 3.0 * x[i] * x[i]);
        h[i][i + 1] = -400.0 * x[i];
        h[i + 1][i] = -400.0 * x[i];
        h[i + 1][i + 1] += 200.0;
    }
    h
}

fn rosenbrock_echidna(x: &[BReverse<f64>]) -> BReverse<f64> {
    let (one, hundred) = (BReverse::constant(1.0), BReverse::constant(100.0));
    let mut s = BReverse::constant(0.0);
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = one - x[i];
        s = s + hundred * a * a + b * b;
    }
    s
}

fn rosenbrock_dual<D: DualNum<Primitive = f64> + Copy>(x: &[D]) -> D {
    let mut s = D::from(0.0);
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = -x[i] + 1.0;
        s += a * a * 100.0 + b * b;
    }
    s
}

// ---------------------------------------------------------------- logistic regression

/// Negative log-likelihood of a logistic regression over `ys.len()` samples of `d`
/// features (row-major `xs`).
#[differentiate(hessian, wrt(w))]
fn logistic(w: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let d = w.len();
    let mut loss = 0.0;
    for k in 0..ys.len() {
        let mut z = 0.0;
        for j in 0..d {
            z += w[j] * xs[k * d + j];
        }
        loss += (1.0 + z.exp()).ln() - ys[k] * z;
    }
    loss
}

/// H·v = Σₖ pₖ(1 − pₖ)(xₖ·v)xₖ, with the gradient Σₖ (pₖ − yₖ)xₖ, in one pass.
fn logistic_hvp_hand(w: &[f64], xs: &[f64], ys: &[f64], v: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
    let d = w.len();
    let (mut grad, mut hv) = (vec![0.0; d], vec![0.0; d]);
    let mut loss = 0.0;
    for (row, &y) in xs.chunks_exact(d).zip(ys) {
        let z: f64 = row.iter().zip(w).map(|(x, w)| x * w).sum();
        let xv: f64 = row.iter().zip(v).map(|(x, v)| x * v).sum();
        let p = 1.0 / (1.0 + (-z).exp());
        loss += (1.0 + z.exp()).ln() - y * z;
        let curvature = p * (1.0 - p) * xv;
        for j in 0..d {
            grad[j] += (p - y) * row[j];
            hv[j] += curvature * row[j];
        }
    }
    (loss, grad, hv)
}

fn logistic_hessian_hand(w: &[f64], xs: &[f64]) -> Vec<Vec<f64>> {
    let d = w.len();
    let mut h = vec![vec![0.0; d]; d];
    for row in xs.chunks_exact(d) {
        let z: f64 = row.iter().zip(w).map(|(x, w)| x * w).sum();
        let p = 1.0 / (1.0 + (-z).exp());
        let weight = p * (1.0 - p);
        for i in 0..d {
            for j in 0..d {
                h[i][j] += weight * row[i] * row[j];
            }
        }
    }
    h
}

fn logistic_echidna(w: &[BReverse<f64>], xs: &[f64], ys: &[f64]) -> BReverse<f64> {
    let d = w.len();
    let one = BReverse::constant(1.0);
    let mut loss = BReverse::constant(0.0);
    for (row, &y) in xs.chunks_exact(d).zip(ys) {
        let mut z = BReverse::constant(0.0);
        for j in 0..d {
            z += w[j] * BReverse::constant(row[j]);
        }
        loss = loss + (one + z.exp()).ln() - BReverse::constant(y) * z;
    }
    loss
}

fn logistic_dual<D: DualNum<Primitive = f64> + Copy>(w: &[D], xs: &[f64], ys: &[f64]) -> D {
    let d = w.len();
    let mut loss = D::from(0.0);
    for (row, &y) in xs.chunks_exact(d).zip(ys) {
        let mut z = D::from(0.0);
        for j in 0..d {
            z += w[j] * row[j];
        }
        loss += (z.exp() + 1.0).ln() - z * y;
    }
    loss
}

// ---------------------------------------------------------------- harness

/// num-dual's dense Hessian of `f` at `x`: one pass over second-order dual vectors
/// of the static dimension `N` (dynamic ones are not `Copy`, and a static one of
/// 100 carries 10⁴ numbers per value: measured at N = 10 only).
fn num_dual_hessian<const N: usize>(
    f: impl Fn(&[Dual2Vec<f64, Const<N>>]) -> Dual2Vec<f64, Const<N>>,
    x: &[f64],
) -> Vec<Vec<f64>> {
    let (_, _, hessian) = num_dual::hessian(
        |v: SVector<Dual2Vec<f64, Const<N>>, N>| f(v.as_slice()),
        &SVector::<f64, N>::from_column_slice(x),
    );
    (0..N)
        .map(|i| (0..N).map(|j| hessian[(i, j)]).collect())
        .collect()
}

fn flatten(matrix: &[Vec<f64>]) -> Vec<f64> {
    matrix.iter().flatten().copied().collect()
}

/// One workload: its criterion group and the number of inputs.
struct Workload {
    group: String,
    title: String,
}

fn bench_rosenbrock(c: &mut Criterion, n: usize, workloads: &mut Vec<Workload>) {
    let mut rng = Lcg(n as u64);
    let x = rng.vec(n, 1.0);
    let v = rng.vec(n, 1.0);
    let (_, grad, hv) = rosenbrock_hvp(&x, &v);
    let (_, hand_grad, hand_hv) = rosenbrock_hvp_hand(&x, &v);
    assert_agree("rosenbrock hand gradient", &grad, &hand_grad, 1e-12, 1e-14);
    assert_agree("rosenbrock hand hvp", &hv, &hand_hv, 1e-12, 1e-14);
    let (tape, _) = echidna::record(rosenbrock_echidna, &x);
    let echidna_hv = tape.hvp(&x, &v).1;
    assert_agree("rosenbrock echidna hvp", &echidna_hv, &hv, 1e-12, 1e-14);
    let (_, jvp) = rosenbrock_jvp(&x, &v);
    let dot: f64 = grad.iter().zip(&v).map(|(g, v)| g * v).sum();
    assert_agree("rosenbrock jvp", &[jvp], &[dot], 1e-12, 1e-14);
    // Dense Hessians up to n = 100; num-dual's static dual vectors at n = 10.
    let (dense, small) = (n <= 100, n == 10);
    let hand = rosenbrock_hessian_hand(&x);
    let agree = |what: &str, hessian: &[Vec<f64>]| {
        assert_agree(what, &flatten(hessian), &flatten(&hand), 1e-12, 1e-14);
    };
    if dense {
        agree("rosenbrock hessian", &rosenbrock_hessian(&x).2);
        agree("rosenbrock echidna hessian", &tape.hessian(&x).2);
    }
    if small {
        agree(
            "rosenbrock num-dual hessian",
            &num_dual_hessian::<10>(rosenbrock_dual, &x),
        );
    }
    let name = format!("second_order_rosenbrock_{n}");
    let cost = if n >= 1000 { Cost::Medium } else { Cost::Small };
    let mut g = group(c, &name, cost);
    g.bench_function("f", |b| b.iter(|| rosenbrock(black_box(&x))));
    g.bench_function("f_grad", |b| b.iter(|| rosenbrock_grad(black_box(&x))));
    g.bench_function("f_jvp", |b| b.iter(|| rosenbrock_jvp(black_box(&x), &v)));
    g.bench_function("f_hvp", |b| b.iter(|| rosenbrock_hvp(black_box(&x), &v)));
    g.bench_function("hand_hvp", |b| {
        b.iter(|| rosenbrock_hvp_hand(black_box(&x), &v))
    });
    g.bench_function("echidna_hvp", |b| b.iter(|| tape.hvp(black_box(&x), &v)));
    if dense {
        g.bench_function("f_hessian", |b| {
            b.iter(|| rosenbrock_hessian(black_box(&x)))
        });
        g.bench_function("hand_hessian", |b| {
            b.iter(|| rosenbrock_hessian_hand(black_box(&x)))
        });
        g.bench_function("echidna_hessian", |b| {
            b.iter(|| tape.hessian(black_box(&x)))
        });
    }
    if small {
        g.bench_function("num_dual_hessian", |b| {
            b.iter(|| num_dual_hessian::<10>(rosenbrock_dual, black_box(&x)))
        });
    }
    g.finish();
    let title = format!("Rosenbrock n = {n}");
    memory(&title, n, || rosenbrock_grad(&x), || rosenbrock_hvp(&x, &v));
    workloads.push(Workload { group: name, title });
}

fn bench_logistic(c: &mut Criterion, workloads: &mut Vec<Workload>) {
    let (d, samples) = (10, 200);
    let mut rng = Lcg(7);
    let xs = rng.vec(d * samples, 1.0);
    let ys: Vec<f64> = (0..samples)
        .map(|_| f64::from(rng.below(2) as u8))
        .collect();
    let w = rng.vec(d, 0.5);
    let v = rng.vec(d, 1.0);
    let (_, grad, hv) = logistic_hvp(&w, &xs, &ys, &v);
    let (_, hand_grad, hand_hv) = logistic_hvp_hand(&w, &xs, &ys, &v);
    assert_agree("logistic hand gradient", &grad, &hand_grad, 1e-12, 1e-14);
    assert_agree("logistic hand hvp", &hv, &hand_hv, 1e-12, 1e-14);
    let hessian = logistic_hessian(&w, &xs, &ys).2;
    let hand = logistic_hessian_hand(&w, &xs);
    assert_agree(
        "logistic hessian",
        &flatten(&hessian),
        &flatten(&hand),
        1e-12,
        1e-14,
    );
    let (tape, _) = echidna::record(|w| logistic_echidna(w, &xs, &ys), &w);
    assert_agree(
        "logistic echidna hvp",
        &tape.hvp(&w, &v).1,
        &hv,
        1e-12,
        1e-14,
    );
    let echidna_hessian = tape.hessian(&w).2;
    assert_agree(
        "logistic echidna hessian",
        &flatten(&echidna_hessian),
        &flatten(&hand),
        1e-12,
        1e-14,
    );
    let num_dual = num_dual_hessian::<10>(|w| logistic_dual(w, &xs, &ys), &w);
    assert_agree(
        "logistic num-dual hessian",
        &flatten(&num_dual),
        &flatten(&hand),
        1e-12,
        1e-14,
    );

    let name = "second_order_logistic".to_string();
    let mut g = group(c, &name, Cost::Small);
    g.bench_function("f", |b| b.iter(|| logistic(black_box(&w), &xs, &ys)));
    g.bench_function("f_grad", |b| {
        b.iter(|| logistic_grad(black_box(&w), &xs, &ys))
    });
    g.bench_function("f_jvp", |b| {
        b.iter(|| logistic_jvp(black_box(&w), &xs, &ys, &v))
    });
    g.bench_function("f_hvp", |b| {
        b.iter(|| logistic_hvp(black_box(&w), &xs, &ys, &v))
    });
    g.bench_function("hand_hvp", |b| {
        b.iter(|| logistic_hvp_hand(black_box(&w), &xs, &ys, &v))
    });
    g.bench_function("echidna_hvp", |b| b.iter(|| tape.hvp(black_box(&w), &v)));
    g.bench_function("f_hessian", |b| {
        b.iter(|| logistic_hessian(black_box(&w), &xs, &ys))
    });
    g.bench_function("hand_hessian", |b| {
        b.iter(|| logistic_hessian_hand(black_box(&w), &xs))
    });
    g.bench_function("echidna_hessian", |b| {
        b.iter(|| tape.hessian(black_box(&w)))
    });
    g.bench_function("num_dual_hessian", |b| {
        b.iter(|| num_dual_hessian::<10>(|w| logistic_dual(w, &xs, &ys), black_box(&w)))
    });
    g.finish();
    workloads.push(Workload {
        group: name,
        title: format!("logistic regression d = {d}, N = {samples}"),
    });
    memory(
        "logistic",
        d,
        || logistic_grad(&w, &xs, &ys),
        || logistic_hvp(&w, &xs, &ys, &v),
    );
}

fn bench_gmm(c: &mut Criterion, workloads: &mut Vec<Workload>) {
    let g = gmm::Gmm::load("gmm/1k/gmm_d2_K5.txt");
    let inputs = g.alphas.len() + g.means.len() + g.icf.len();
    let mut rng = Lcg(3);
    let (va, vm, vi) = (
        rng.vec(g.k, 1.0),
        rng.vec(g.means.len(), 1.0),
        rng.vec(g.icf.len(), 1.0),
    );
    let hvp = || {
        gmm::gmm_objective_hvp(
            &g.alphas, &g.means, &g.icf, &g.x, g.gamma, g.m, g.d, g.k, g.n, &va, &vm, &vi,
        )
    };
    let hessian = || {
        gmm::gmm_objective_hessian(
            &g.alphas, &g.means, &g.icf, &g.x, g.gamma, g.m, g.d, g.k, g.n,
        )
    };
    let (_, _, h) = hessian();
    let (_, _, _, _, ha, hm, hi) = hvp();
    let v = [&va[..], &vm, &vi].concat();
    let by_rows: Vec<f64> = h
        .iter()
        .map(|row| row.iter().zip(&v).map(|(h, v)| h * v).sum())
        .collect();
    assert_agree("gmm hvp", &[ha, hm, hi].concat(), &by_rows, 1e-10, 1e-12);
    let name = "second_order_gmm_d2_K5".to_string();
    let mut group = group(c, &name, Cost::Medium);
    group.bench_function("f", |b| b.iter(|| black_box(&g).objective()));
    group.bench_function("f_grad", |b| b.iter(|| black_box(&g).grad()));
    group.bench_function("f_jvp", |b| {
        b.iter(|| {
            gmm::gmm_objective_jvp(
                black_box(&g.alphas),
                &g.means,
                &g.icf,
                &g.x,
                g.gamma,
                g.m,
                g.d,
                g.k,
                g.n,
                &va,
                &vm,
                &vi,
            )
        })
    });
    group.bench_function("f_hvp", |b| b.iter(|| black_box(hvp())));
    group.bench_function("f_hessian", |b| b.iter(|| black_box(hessian())));
    group.finish();
    let title = format!("GMM d = 2, K = 5, N = 1000 ({inputs} inputs)");
    memory(&title, inputs, || g.grad(), hvp);
    workloads.push(Workload { group: name, title });
}

/// The bytes `f_grad` and `f_hvp` record on the value stack and allocate, per input.
fn memory<G, H>(title: &str, inputs: usize, grad: impl Fn() -> G, hvp: impl Fn() -> H) {
    let g = memory_of(title, "f_grad", inputs, grad);
    let h = memory_of(title, "f_hvp", inputs, hvp);
    println!(
        "memory {title}: f_grad {} B recorded + {} B heap, f_hvp {} B recorded + {} B heap; \
         f_hvp ÷ f_grad = {:.2}",
        g.stack,
        g.heap,
        h.stack,
        h.heap,
        (h.stack + h.heap) as f64 / (g.stack + g.heap).max(1) as f64
    );
}

fn main() {
    let started = SystemTime::now();
    let mut criterion = Criterion::default()
        .output_directory(&support::criterion_dir())
        .configure_from_args();
    let mut workloads = Vec::new();
    for n in [10, 100, 1000] {
        bench_rosenbrock(&mut criterion, n, &mut workloads);
    }
    bench_logistic(&mut criterion, &mut workloads);
    bench_gmm(&mut criterion, &mut workloads);
    criterion.final_summary();

    println!("\n| workload | f_jvp ÷ f | f_hvp ÷ f_grad | f_hvp ÷ hand | echidna hvp ÷ f_hvp | f_hessian ÷ f_grad | f_hessian ÷ hand | echidna ÷ f_hessian | num-dual ÷ f_hessian |");
    println!("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
    for workload in &workloads {
        let time = |method: &str| median(&workload.group, method, started);
        let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => format!("{:.2}", a / b),
            _ => "—".into(),
        };
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            workload.title,
            ratio(time("f_jvp"), time("f")),
            ratio(time("f_hvp"), time("f_grad")),
            ratio(time("f_hvp"), time("hand_hvp")),
            ratio(time("echidna_hvp"), time("f_hvp")),
            ratio(time("f_hessian"), time("f_grad")),
            ratio(time("f_hessian"), time("hand_hessian")),
            ratio(time("echidna_hessian"), time("f_hessian")),
            ratio(time("num_dual_hessian"), time("f_hessian")),
        );
    }
}
