//! A data-parallel gradient on every core, with rayon.
//!
//! The loss of a small tanh perceptron (8 inputs, 16 hidden units, one logistic
//! output, 161 weights) is a sum over 200 000 samples. The samples are cut into
//! shards of 2 048; each shard's gradient is one call of `shard_loss_adjoint`, which
//! adds it into a buffer that belongs to the rayon task, and the buffers are summed
//! at the end. Nothing is shared between the calls: the generated functions keep no
//! global state, and the values a call records for its reverse sweep go on a value
//! stack of its own thread (`ad::stack`).
//!
//! Prints the time of one full gradient with 1, 2, … threads (up to the number of
//! cores), the speed-up over one thread, and checks that every parallel gradient
//! equals the one-thread gradient up to rounding (the shards' sums are added in a
//! different order), and what one call records on its thread's value stack.
//!
//! Run with `cargo run --release --example parallel` (`-- --quick` for 20 000
//! samples; `-- --threads N` to go up to N threads).

use std::time::{Duration, Instant};

use ad::differentiate;
use rayon::prelude::*;

/// Inputs per sample.
const D: usize = 8;
/// Hidden units.
const H: usize = 16;
/// Samples per shard: one `shard_loss_adjoint` call each.
const SHARD: usize = 2048;

/// The summed logistic loss `Σᵢ log(1 + exp(−yᵢ·net(xᵢ)))` of a `d`–`h`–1 tanh
/// perceptron over the samples `x` (rows of `d`) with labels `y` (±1).
///
/// `w` holds per hidden unit its `d` weights and its bias, then the `h` output
/// weights and the output bias.
#[differentiate(wrt(w))]
#[allow(clippy::needless_range_loop)] // indices into flat buffers are the point
fn shard_loss(w: &[f64], x: &[f64], y: &[f64], d: usize, h: usize) -> f64 {
    let out = h * (d + 1);
    let mut total = 0.0;
    for i in 0..y.len() {
        let mut net = w[out + h];
        for j in 0..h {
            let mut a = w[j * (d + 1) + d];
            for k in 0..d {
                a += w[j * (d + 1) + k] * x[i * d + k];
            }
            net += w[out + j] * a.tanh();
        }
        let z = -y[i] * net;
        // log(1 + eᶻ) without overflow.
        total += if z > 30.0 { z } else { z.exp().ln_1p() };
    }
    total
}

/// Weights of the perceptron.
const WEIGHTS: usize = H * (D + 1) + H + 1;

/// The mean loss and its gradient, shard after shard on this thread, into one buffer.
fn serial(w: &[f64], x: &[f64], y: &[f64]) -> (f64, Vec<f64>) {
    let seed = 1.0 / y.len() as f64;
    let mut grad = vec![0.0; w.len()];
    let mut loss = 0.0;
    for (xs, ys) in x.chunks(SHARD * D).zip(y.chunks(SHARD)) {
        loss += shard_loss_adjoint(w, xs, ys, D, H, seed, &mut grad);
    }
    (loss * seed, grad)
}

/// The same on rayon's threads: each task adds its shards' gradients into a buffer
/// of its own (`fold`), and the buffers are summed (`reduce`).
fn parallel(w: &[f64], x: &[f64], y: &[f64]) -> (f64, Vec<f64>) {
    let seed = 1.0 / y.len() as f64;
    let zero = || (0.0, vec![0.0; w.len()]);
    let (loss, grad) = x
        .par_chunks(SHARD * D)
        .zip(y.par_chunks(SHARD))
        .fold(zero, |(loss, mut grad), (xs, ys)| {
            let value = shard_loss_adjoint(w, xs, ys, D, H, seed, &mut grad);
            (loss + value, grad)
        })
        .reduce(zero, |(la, mut ga), (lb, gb)| {
            for (a, b) in ga.iter_mut().zip(&gb) {
                *a += b;
            }
            (la + lb, ga)
        });
    (loss * seed, grad)
}

/// A deterministic generator (SplitMix64), so that every run sees the same data.
struct Rng(u64);

impl Rng {
    /// Uniform in [−1, 1).
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

/// `n` samples labelled by a random "teacher" perceptron, with one label in ten
/// flipped; and a starting point for the "student" weights.
fn data(n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut rng = Rng(20);
    let teacher: Vec<f64> = (0..WEIGHTS).map(|_| rng.uniform()).collect();
    let x: Vec<f64> = (0..n * D).map(|_| rng.uniform()).collect();
    let y = x
        .chunks(D)
        .map(|xi| {
            // log(1 + exp(−net)) is below log 2 exactly when net > 0.
            let value = shard_loss(&teacher, xi, &[1.0], D, H);
            let label = if value < std::f64::consts::LN_2 {
                1.0
            } else {
                -1.0
            };
            if rng.uniform() > 0.8 {
                -label
            } else {
                label
            }
        })
        .collect();
    let w = (0..WEIGHTS).map(|_| 0.5 * rng.uniform()).collect();
    (x, y, w)
}

/// The time of one call of `run`, and its result.
fn timed<R>(run: impl FnOnce() -> R) -> (Duration, R) {
    let start = Instant::now();
    let result = run();
    (start.elapsed(), result)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let most = args
        .iter()
        .position(|a| a == "--threads")
        .and_then(|i| args.get(i + 1))
        .map(|t| t.parse().expect("--threads takes a number"))
        .unwrap_or(cores);
    let (n, rounds) = if quick { (20_000, 3) } else { (200_000, 9) };

    let (x, y, w) = data(n);
    println!(
        "{n} samples of {D} inputs, a {D}-{H}-1 tanh perceptron ({WEIGHTS} weights); \
         shards of {SHARD} samples, one shard_loss_adjoint each; {cores} cores"
    );

    let (loss, reference) = serial(&w, &x, &y);
    // What one call records for its reverse sweep, on the value stack of its thread.
    ad::stack::reset_peak();
    let mut scratch = vec![0.0; WEIGHTS];
    shard_loss_adjoint(&w, &x[..SHARD * D], &y[..SHARD], D, H, 1.0, &mut scratch);
    let recorded = ad::stack::peak();
    let scale = reference.iter().fold(0.0_f64, |m, g| m.max(g.abs()));
    let pools: Vec<_> = (1..=most)
        .map(|threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a rayon thread pool")
        })
        .collect();

    // Rounds of one serial gradient and one per thread count, interleaved so that
    // a phase of other work on the machine slows them alike; each keeps its
    // fastest round.
    let mut one_thread = Duration::MAX;
    let mut fastest = vec![Duration::MAX; pools.len()];
    let mut all_equal = true;
    let mut worst = vec![0.0_f64; pools.len()];
    for _ in 0..rounds {
        let (time, _) = timed(|| serial(&w, &x, &y));
        one_thread = one_thread.min(time);
        for (k, pool) in pools.iter().enumerate() {
            let (time, (parallel_loss, grad)) = pool.install(|| timed(|| parallel(&w, &x, &y)));
            fastest[k] = fastest[k].min(time);
            let difference = grad
                .iter()
                .zip(&reference)
                .fold(0.0_f64, |m, (a, b)| m.max((a - b).abs()));
            worst[k] = worst[k].max(difference / scale);
            // The shards' sums are added in another order: rounding, no more.
            all_equal &=
                difference <= 1e-12 * scale && (parallel_loss - loss).abs() <= 1e-12 * loss.abs();
        }
    }

    println!(
        "mean loss {loss:.6}; one thread: {:.2} ms per gradient ({:.0} ns per sample); \
         fastest of {rounds} rounds",
        ms(one_thread),
        one_thread.as_secs_f64() * 1e9 / n as f64
    );
    println!("  threads   time per gradient   speed-up   max |Δgradient| / max |gradient|");
    for (k, time) in fastest.iter().enumerate() {
        println!(
            "  {:>7}   {:>14.2} ms   {:>7.2}×   {:.1e}",
            k + 1,
            ms(*time),
            one_thread.as_secs_f64() / time.as_secs_f64(),
            worst[k]
        );
    }
    if !all_equal {
        eprintln!("a parallel gradient differs from the one-thread gradient beyond rounding");
        std::process::exit(1);
    }
    println!("every parallel gradient equals the one-thread gradient up to rounding");
    println!(
        "each call records {} floats and {} integers or flags ({} KB) on its thread's value stack",
        recorded.f64s,
        recorded.words,
        recorded.bytes() / 1000
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
