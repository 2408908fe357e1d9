//! `ode`: `y₀' = x₀`, `yᵢ' = xᵢ·yᵢ₋₁` on [0, 2] from y(0) = 0, by `s` steps of classic
//! RK4 (EVALS.md §6), after cmpad's `an_ode`.
//!
//! `primal` is the final y, from [`ode`]; `gradient` is the gradient of its last
//! element, from [`ode_last`], which runs the same arithmetic as a
//! `#[differentiate]` function returning a scalar.

use ad::differentiate;
use serde::Deserialize;
use serde_json::Value;

use crate::runs::{Evaluation, Runs};

/// The final `y` after `s` RK4 steps.
pub fn ode(x: &[f64], s: usize) -> Vec<f64> {
    let n = x.len();
    let h = 2.0 / s as f64;
    let mut y = vec![0.0; n];
    let mut k1 = vec![0.0; n];
    let mut k2 = vec![0.0; n];
    let mut k3 = vec![0.0; n];
    let mut k4 = vec![0.0; n];
    let mut stage = vec![0.0; n];
    for _ in 0..s {
        // k1 = f(y), with f(y)₀ = x₀ and f(y)ᵢ = xᵢ·yᵢ₋₁.
        k1[0] = x[0];
        for i in 1..n {
            k1[i] = x[i] * y[i - 1];
        }
        // k2 = f(y + h/2·k1)
        for i in 0..n {
            stage[i] = y[i] + 0.5 * h * k1[i];
        }
        k2[0] = x[0];
        for i in 1..n {
            k2[i] = x[i] * stage[i - 1];
        }
        // k3 = f(y + h/2·k2)
        for i in 0..n {
            stage[i] = y[i] + 0.5 * h * k2[i];
        }
        k3[0] = x[0];
        for i in 1..n {
            k3[i] = x[i] * stage[i - 1];
        }
        // k4 = f(y + h·k3)
        for i in 0..n {
            stage[i] = y[i] + h * k3[i];
        }
        k4[0] = x[0];
        for i in 1..n {
            k4[i] = x[i] * stage[i - 1];
        }
        for i in 0..n {
            y[i] += h * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]) / 6.0;
        }
    }
    y
}

/// The last element of [`ode`]`(x, s)`, computed the same way.
#[differentiate(wrt(x))]
#[allow(clippy::needless_range_loop)]
pub fn ode_last(x: &[f64], s: usize) -> f64 {
    let n = x.len();
    let h = 2.0 / s as f64;
    let mut y = vec![0.0; n];
    let mut k1 = vec![0.0; n];
    let mut k2 = vec![0.0; n];
    let mut k3 = vec![0.0; n];
    let mut k4 = vec![0.0; n];
    let mut stage = vec![0.0; n];
    for _ in 0..s {
        // k1 = f(y), with f(y)₀ = x₀ and f(y)ᵢ = xᵢ·yᵢ₋₁.
        k1[0] = x[0];
        for i in 1..n {
            k1[i] = x[i] * y[i - 1];
        }
        // k2 = f(y + h/2·k1)
        for i in 0..n {
            stage[i] = y[i] + 0.5 * h * k1[i];
        }
        k2[0] = x[0];
        for i in 1..n {
            k2[i] = x[i] * stage[i - 1];
        }
        // k3 = f(y + h/2·k2)
        for i in 0..n {
            stage[i] = y[i] + 0.5 * h * k2[i];
        }
        k3[0] = x[0];
        for i in 1..n {
            k3[i] = x[i] * stage[i - 1];
        }
        // k4 = f(y + h·k3)
        for i in 0..n {
            stage[i] = y[i] + h * k3[i];
        }
        k4[0] = x[0];
        for i in 1..n {
            k4[i] = x[i] * stage[i - 1];
        }
        for i in 0..n {
            y[i] += h * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]) / 6.0;
        }
    }
    y[n - 1]
}

#[derive(Deserialize)]
struct Input {
    x: Vec<f64>,
    s: usize,
}

/// `primal` or `gradient` of `{"x": float[n], "s": int}`.
pub fn evaluate(function: &str, input: &Value) -> Evaluation {
    let runs = Runs::from_input(input)?;
    let Input { x, s } = super::decode(input)?;
    super::require(!x.is_empty(), || "ode needs n ≥ 1".to_string())?;
    super::require(s >= 1, || "ode needs s ≥ 1 steps".to_string())?;
    match function {
        "primal" => runs.time(|| ode(&x, s)).json(),
        "gradient" => runs.time(|| ode_last_grad(&x, s).1).json(),
        _ => super::unknown_function("ode", function),
    }
}
