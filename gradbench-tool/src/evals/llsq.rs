//! `llsq`: linear least squares (EVALS.md §3), after cmpad's `llsq_obj`.

use ad::differentiate;
use serde::Deserialize;
use serde_json::Value;

use crate::runs::{Evaluation, Runs};

/// `½ Σᵢ (sᵢ − Σⱼ xⱼ tᵢʲ)²` over the `n` points `tᵢ = −1 + 2i/(n−1)` with targets
/// `sᵢ = sign(tᵢ)` (0 at `tᵢ = 0`); the powers are built by repeated multiplication.
#[differentiate(wrt(x))]
pub fn llsq(x: &[f64], n: usize) -> f64 {
    let m = x.len();
    let mut sum = 0.0;
    for i in 0..n {
        let t = -1.0 + i as f64 * 2.0 / (n - 1) as f64;
        let s = if t > 0.0 {
            1.0
        } else if t < 0.0 {
            -1.0
        } else {
            0.0
        };
        // Σⱼ xⱼ tʲ by Horner's rule.
        let mut p = 0.0;
        for j in (0..m).rev() {
            p = p * t + x[j];
        }
        let r = s - p;
        sum += r * r;
    }
    0.5 * sum
}

#[derive(Deserialize)]
struct Input {
    x: Vec<f64>,
    n: usize,
}

/// `primal` or `gradient` of `{"x": float[m], "n": int}`.
pub fn evaluate(function: &str, input: &Value) -> Evaluation {
    let runs = Runs::from_input(input)?;
    let Input { x, n } = super::decode(input)?;
    super::require(n >= 2, || format!("llsq needs n ≥ 2 points, got n = {n}"))?;
    match function {
        "primal" => runs.time(|| llsq(&x, n)).json(),
        "gradient" => runs.time(|| llsq_grad(&x, n).1).json(),
        _ => super::unknown_function("llsq", function),
    }
}
