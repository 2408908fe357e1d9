//! Non-float locals with methods (issue 16): a random-number generator made in the
//! body, `let mut rng = Lcg::new(seed);`, whose `&mut self` methods run in the
//! forward sweep as written, and the values it yields, constants of the derivative;
//! against the same function over dual and hyper-dual numbers.

use ad::differentiate;
mod common;
use common::{assert_all_close, assert_close, assert_matrix_close, dual_gradient, hyper_hessian};
use num_dual::DualNum;

/// A linear congruential generator (Knuth's MMIX constants).
pub struct Lcg {
    state: u64,
}

impl Lcg {
    pub fn new(seed: u64) -> Lcg {
        Lcg { state: seed }
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        self.state = self
            .state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.state >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_f64() * n as f64) as usize
    }
}

/// Draws in a loop, twice in one statement (the two calls must not be merged), in
/// a branch, and an index drawn for a float parameter.
#[differentiate(hessian)]
fn noisy(x: f64, y: &[f64], seed: u64) -> f64 {
    let mut rng = Lcg::new(seed);
    let mut acc = 0.0;
    for _ in 0..5 {
        let u = rng.next_f64();
        let k = rng.below(y.len());
        acc += u * x * y[k] + rng.next_f64() * rng.next_f64() * y[0];
        if rng.next_f64() > 0.5 {
            acc *= x;
        }
    }
    let mut count = 0usize;
    count += 1;
    acc * count as f64
}

fn noisy_ref<D: DualNum<Primitive = f64> + Copy>(v: &[D], seed: u64) -> D {
    let (x, y) = (v[0], &v[1..]);
    let mut rng = Lcg::new(seed);
    let mut acc = D::zero();
    for _ in 0..5 {
        let u = rng.next_f64();
        let k = rng.below(y.len());
        acc += x * y[k] * u + y[0] * (rng.next_f64() * rng.next_f64());
        if rng.next_f64() > 0.5 {
            acc *= x;
        }
    }
    acc
}

#[test]
fn a_random_number_generator_in_the_body() {
    let point = [0.9, 1.5, -0.5, 2.0];
    for seed in [1, 7, 12345] {
        let (value, dx, dy) = noisy_grad(point[0], &point[1..], seed);
        assert_close("noisy", value, noisy_ref(&point, seed));
        let mut got = vec![dx];
        got.extend(dy);
        let want = dual_gradient(|v| noisy_ref(v, seed), &point);
        assert_all_close("noisy", &got, &want);
        let (_, gradient, hessian) = noisy_hessian(point[0], &point[1..], seed);
        assert_all_close("noisy: hessian's gradient", &gradient, &want);
        let want = hyper_hessian(|v| noisy_ref(v, seed), &point);
        assert_matrix_close("noisy", &hessian, &want);
    }
}
