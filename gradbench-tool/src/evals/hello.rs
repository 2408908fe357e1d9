//! `hello`: `square(x) = x²`, and `double(x) = 2x`, its derivative, from `square_grad`.

use ad::differentiate;
use serde_json::Value;

use crate::runs::{Evaluation, Runs};

/// x².
#[differentiate]
pub fn square(x: f64) -> f64 {
    x * x
}

/// `square` or `double` of a bare JSON number (an integer is accepted too). hello's
/// input has no run-control fields: one run.
pub fn evaluate(function: &str, input: &Value) -> Evaluation {
    let x: f64 = super::decode(input)?;
    let runs = Runs::once();
    match function {
        "square" => runs.time(|| square(x)).json(),
        "double" => runs.time(|| square_grad(x).1).json(),
        _ => super::unknown_function("hello", function),
    }
}
