//! What the side-by-side benches (`chains`, `structs`) share: deterministic data
//! and medians of alternated runs.

use std::time::{Duration, Instant};

/// `n` numbers in [-1, 1) from a linear congruential generator seeded with `seed`.
pub fn data(n: usize, seed: u64) -> Vec<f64> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect()
}

/// The median time of `f` over `samples` runs of `iterations` calls.
pub fn median_time(mut f: impl FnMut(), iterations: u32, samples: usize) -> Duration {
    let mut times: Vec<Duration> = (0..samples)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iterations {
                f();
            }
            start.elapsed() / iterations
        })
        .collect();
    times.sort();
    times[samples / 2]
}
