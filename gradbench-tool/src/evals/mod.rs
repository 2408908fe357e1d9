//! The evals this tool implements, one module each: its objective as a
//! `#[differentiate]` function, the decoding of its input, and its `evaluate`.

pub mod ba;
pub mod det;
pub mod gmm;
pub mod hello;
pub mod ht;
pub mod kmeans;
pub mod llsq;
pub mod lse;
pub mod lstm;
pub mod ode;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::runs::Evaluation;

/// The modules `define` accepts.
pub const MODULES: [&str; 10] = [
    "hello", "llsq", "lse", "det", "ode", "gmm", "lstm", "kmeans", "ba", "ht",
];

/// Runs `function` of `module` on `input` (PROTOCOL.md §3.3). `None` for a module
/// this tool does not implement.
pub fn evaluate(module: &str, function: &str, input: &Value) -> Option<Evaluation> {
    Some(match module {
        "hello" => hello::evaluate(function, input),
        "llsq" => llsq::evaluate(function, input),
        "lse" => lse::evaluate(function, input),
        "det" => det::evaluate(function, input),
        "ode" => ode::evaluate(function, input),
        "gmm" => gmm::evaluate(function, input),
        "lstm" => lstm::evaluate(function, input),
        "kmeans" => kmeans::evaluate(function, input),
        "ba" => ba::evaluate(function, input),
        "ht" => ht::evaluate(function, input),
        _ => return None,
    })
}

/// `input` as a `T` (unknown fields, such as `min_runs`, are ignored).
pub(crate) fn decode<T: DeserializeOwned>(input: &Value) -> Result<T, String> {
    T::deserialize(input).map_err(|e| format!("malformed input: {e}"))
}

pub(crate) fn unknown_function(module: &str, function: &str) -> Evaluation {
    Err(format!("module `{module}` has no function `{function}`"))
}

/// A nested list `float[rows][cols]`, flattened row-major, with every row checked
/// to have `cols` entries.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(crate) struct Matrix(Vec<Vec<f64>>);

impl Matrix {
    pub(crate) fn rows(&self) -> usize {
        self.0.len()
    }

    /// The length of the first row (0 without rows).
    pub(crate) fn first_len(&self) -> usize {
        self.0.first().map_or(0, Vec::len)
    }

    /// Flattened row-major, each row of length `cols`, or an error naming `what`.
    pub(crate) fn flatten(&self, what: &str, rows: usize, cols: usize) -> Result<Vec<f64>, String> {
        if self.0.len() != rows {
            return Err(format!(
                "wrong shape: `{what}` has {} rows, expected {rows}",
                self.0.len()
            ));
        }
        let mut flat = Vec::with_capacity(rows * cols);
        for (r, row) in self.0.iter().enumerate() {
            if row.len() != cols {
                return Err(format!(
                    "wrong shape: row {r} of `{what}` has {} entries, expected {cols}",
                    row.len()
                ));
            }
            flat.extend_from_slice(row);
        }
        Ok(flat)
    }
}

/// `flat` cut into `rows` rows of `cols` (for outputs shaped like a matrix input;
/// `cols` may be 0).
pub(crate) fn unflatten(flat: &[f64], rows: usize, cols: usize) -> Vec<&[f64]> {
    (0..rows).map(|r| &flat[r * cols..(r + 1) * cols]).collect()
}

/// An error unless `ok`.
pub(crate) fn require(ok: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!("wrong shape: {}", message()))
    }
}
