//! Gradients on many threads at once: the generated functions keep no state but a
//! per-thread pool of value stacks, so they may run on any number of threads (and
//! nest within one thread) without locks, and give the same results as on one.
//!
//! `examples/parallel.rs` times the data-parallel gradient below at a larger size.

use ad::differentiate;
use ad::stack;
use rayon::prelude::*;

/// A sum over samples with a loop, a branch and elementary functions, so that its
/// reverse sweep reads values recorded on the value stack (per sample: the `tanh`
/// outputs, the branch taken).
#[differentiate(wrt(w))]
#[allow(clippy::needless_range_loop)] // indices into flat buffers are the point
fn shard_loss(w: &[f64], x: &[f64], y: &[f64], d: usize) -> f64 {
    let mut total = 0.0;
    for i in 0..y.len() {
        let mut net = w[2 * d];
        for k in 0..d {
            net += w[d + k] * (w[k] * x[i * d + k]).tanh();
        }
        let z = -y[i] * net;
        total += if z > 30.0 { z } else { z.exp().ln_1p() };
    }
    total
}

const D: usize = 5;
const SHARD: usize = 64;

/// Deterministic data: `n` samples of `D` inputs in [−1, 1), labels ±1, weights.
fn data(n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut state = 7_u64;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    };
    let x: Vec<f64> = (0..n * D).map(|_| uniform()).collect();
    let y = (0..n)
        .map(|_| if uniform() > 0.0 { 1.0 } else { -1.0 })
        .collect();
    let w = (0..2 * D + 1).map(|_| uniform()).collect();
    (x, y, w)
}

/// The data-parallel gradient: one `shard_loss_adjoint` per shard, into a buffer of
/// the rayon task (`fold`), the buffers summed (`reduce`).
fn parallel_gradient(w: &[f64], x: &[f64], y: &[f64]) -> (f64, Vec<f64>) {
    let zero = || (0.0, vec![0.0; w.len()]);
    x.par_chunks(SHARD * D)
        .zip(y.par_chunks(SHARD))
        .fold(zero, |(loss, mut grad), (xs, ys)| {
            let value = shard_loss_adjoint(w, xs, ys, D, 1.0, &mut grad);
            (loss + value, grad)
        })
        .reduce(zero, |(la, mut ga), (lb, gb)| {
            for (a, b) in ga.iter_mut().zip(&gb) {
                *a += b;
            }
            (la + lb, ga)
        })
}

#[test]
fn a_data_parallel_gradient_equals_the_serial_one() {
    let (x, y, w) = data(5000);
    // One call over all the samples, on this thread.
    let (loss, grad) = shard_loss_grad(&w, &x, &y, D);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    for _ in 0..5 {
        let (parallel_loss, parallel_grad) = pool.install(|| parallel_gradient(&w, &x, &y));
        // The shards' sums are added in another order: equal up to rounding.
        approx::assert_relative_eq!(parallel_loss, loss, max_relative = 1e-12);
        let scale = grad.iter().fold(0.0_f64, |m, g| m.max(g.abs()));
        for (p, s) in parallel_grad.iter().zip(&grad) {
            assert!(
                (p - s).abs() <= 1e-12 * scale,
                "parallel {p} against serial {s}"
            );
        }
    }
    let f = |p: &[f64]| shard_loss(p, &x, &y, D);
    ad::check_gradient(f, &w, &grad).unwrap();
}

#[test]
fn calls_on_many_threads_give_exactly_the_results_of_one_thread() {
    let (x, y, _) = data(400);
    // Different weights per thread, so that a value that strayed from one call's
    // stack into another's would change a result.
    let weights: Vec<Vec<f64>> = (0..8)
        .map(|t| (0..2 * D + 1).map(|k| 0.1 * (t + k) as f64 - 0.4).collect())
        .collect();
    let expected: Vec<_> = weights
        .iter()
        .map(|w| shard_loss_grad(w, &x, &y, D))
        .collect();
    std::thread::scope(|scope| {
        for (w, expected) in weights.iter().zip(&expected) {
            let (x, y) = (&x, &y);
            scope.spawn(move || {
                for _ in 0..50 {
                    assert_eq!(&shard_loss_grad(w, x, y, D), expected);
                }
            });
        }
    });
}

#[test]
fn each_thread_records_on_its_own_value_stack() {
    let (x, y, w) = data(300);
    let probe = || {
        stack::reset_peak();
        let result = shard_loss_grad(&w, &x, &y, D);
        (result, stack::peak())
    };
    let (result_alone, recorded_alone) =
        std::thread::scope(|scope| scope.spawn(probe).join()).unwrap();
    assert!(recorded_alone.f64s > 0, "{recorded_alone:?}");

    // The same call while other threads record ten times as much: its stack holds
    // what it recorded itself, no more, and its result is the same.
    let (big_x, big_y, _) = data(3000);
    let big = shard_loss_grad(&w, &big_x, &big_y, D);
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| {
                for _ in 0..20 {
                    assert_eq!(shard_loss_grad(&w, &big_x, &big_y, D), big);
                }
            });
        }
        for _ in 0..20 {
            let (result, recorded) = scope.spawn(probe).join().unwrap();
            assert_eq!(result, result_alone);
            assert_eq!(recorded, recorded_alone);
        }
    });
}

// A gradient computed inside another gradient's reverse sweep, on one thread: the
// custom adjoint of `smooth` calls `bumps_grad` while `outer`'s reverse sweep holds
// its value stack, so `bumps_grad` takes a second stack from the thread's pool.

/// A loop whose reverse sweep reads recorded values.
#[differentiate]
fn bumps(x: f64) -> f64 {
    let mut s = 0.0;
    for k in 1..5 {
        s += (x * k as f64).sin() / k as f64;
    }
    s
}

/// `bumps`, with a derivative written by hand from `bumps_grad`.
fn smooth(x: f64) -> f64 {
    bumps(x)
}

#[ad::custom_adjoint]
fn smooth_adjoint(x: f64, seed: f64, d_x: &mut f64) -> f64 {
    let (value, dx) = bumps_grad(x);
    *d_x += seed * dx;
    value
}

#[differentiate]
fn outer(x: f64, y: f64) -> f64 {
    let mut t = 0.0;
    for i in 0..3 {
        t += smooth(x * y + i as f64) * y;
    }
    t
}

/// `outer` calling `bumps` directly.
#[differentiate]
fn outer_direct(x: f64, y: f64) -> f64 {
    let mut t = 0.0;
    for i in 0..3 {
        t += bumps(x * y + i as f64) * y;
    }
    t
}

#[test]
fn a_gradient_inside_another_gradients_reverse_sweep() {
    let (x, y) = (0.3, 1.7);
    let nested = outer_grad(x, y);
    let direct = outer_direct_grad(x, y);
    assert_eq!(nested.0, direct.0);
    approx::assert_relative_eq!(nested.1, direct.1, max_relative = 1e-14);
    approx::assert_relative_eq!(nested.2, direct.2, max_relative = 1e-14);
    ad::check_gradient(
        |p: &[f64]| outer(p[0], p[1]),
        &[x, y],
        &[nested.1, nested.2],
    )
    .unwrap();
}
