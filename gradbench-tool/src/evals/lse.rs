//! `lse`: LogSumExp (EVALS.md §4), from its primitives: max, exp, sum, log.

use ad::differentiate;
use serde::Deserialize;
use serde_json::Value;

use crate::runs::{Evaluation, Runs};

/// `a + ln Σᵢ exp(xᵢ − a)` with `a = maxᵢ xᵢ`.
///
/// The shift `a` only keeps `exp` from overflowing: the value does not depend on it
/// (∂y/∂a = 1 − Σᵢ softmaxᵢ = 0), so no gradient is taken through it, as JAX's
/// `logsumexp` does with `stop_gradient`.
#[differentiate]
pub fn lse(x: &[f64]) -> f64 {
    let mut a = ad::no_grad(x[0]);
    for &v in x.iter() {
        a = a.max(ad::no_grad(v));
    }
    let mut sum = 0.0;
    for &v in x.iter() {
        sum += (v - a).exp();
    }
    a + sum.ln()
}

#[derive(Deserialize)]
struct Input {
    x: Vec<f64>,
}

/// `primal` or `gradient` of `{"x": float[n]}`.
pub fn evaluate(function: &str, input: &Value) -> Evaluation {
    let runs = Runs::from_input(input)?;
    let Input { x } = super::decode(input)?;
    super::require(!x.is_empty(), || "lse needs n ≥ 1 numbers".to_string())?;
    match function {
        "primal" => runs.time(|| lse(&x)).json(),
        "gradient" => runs.time(|| lse_grad(&x).1).json(),
        _ => super::unknown_function("lse", function),
    }
}
