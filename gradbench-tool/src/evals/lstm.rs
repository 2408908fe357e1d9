//! `lstm`: the ADBench LSTM (EVALS.md §8), whose weight "matrices" are diagonal, so
//! that every operation is elementwise over the `b` lanes.

use ad::differentiate;
use serde::Deserialize;
use serde_json::Value;

use super::Matrix;
use crate::runs::{Evaluation, Runs};

/// The logistic function.
#[differentiate]
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The loss of predicting each character of `seq` (`c × b` bits) from the ones before,
/// through `l` LSTM layers. `main` is `2l × 4b` (per layer a row of weights, then a
/// row of biases, each `[forget | ingate | outgate | change]`), `extra` is `3 × b`
/// (input weight, output weight, output bias) and `state` is `2l × b` (per layer the
/// initial hidden state, then the initial cell state), all row-major.
#[differentiate(wrt(main, extra))]
// Index loops are what the macro differentiates; the state is copied into a buffer
// of floats the loop overwrites, element by element.
#[allow(
    clippy::too_many_arguments,
    clippy::needless_range_loop,
    clippy::manual_memcpy
)]
pub fn lstm(
    main: &[f64],
    extra: &[f64],
    state: &[f64],
    seq: &[f64],
    l: usize,
    b: usize,
    c: usize,
) -> f64 {
    let mut hc = vec![0.0; 2 * l * b];
    for j in 0..2 * l * b {
        hc[j] = state[j];
    }
    let mut v = vec![0.0; b];
    let mut y = vec![0.0; b];
    let mut total = 0.0;
    for t in 0..c - 1 {
        for j in 0..b {
            v[j] = seq[t * b + j] * extra[j];
        }
        for layer in 0..l {
            let w = 2 * layer * 4 * b;
            let bias = w + 4 * b;
            let h = 2 * layer * b;
            let cell = h + b;
            for j in 0..b {
                let forget = sigmoid(v[j] * main[w + j] + main[bias + j]);
                let ingate = sigmoid(hc[h + j] * main[w + b + j] + main[bias + b + j]);
                let outgate = sigmoid(v[j] * main[w + 2 * b + j] + main[bias + 2 * b + j]);
                let change = (hc[h + j] * main[w + 3 * b + j] + main[bias + 3 * b + j]).tanh();
                let cell_new = hc[cell + j] * forget + ingate * change;
                let hidden = outgate * cell_new.tanh();
                hc[cell + j] = cell_new;
                hc[h + j] = hidden;
                v[j] = hidden;
            }
        }
        let mut sum_exp = 0.0;
        for j in 0..b {
            y[j] = v[j] * extra[b + j] + extra[2 * b + j];
            sum_exp += y[j].exp();
        }
        let lse = (sum_exp + 2.0).ln();
        for j in 0..b {
            total += seq[(t + 1) * b + j] * (y[j] - lse);
        }
    }
    -total / ((c - 1) * b) as f64
}

#[derive(Deserialize)]
struct Input {
    main_params: Matrix,
    extra_params: Matrix,
    state: Matrix,
    sequence: Matrix,
}

/// A decoded lstm input, flattened row-major.
pub struct Problem {
    /// `2l × 4b`.
    pub main: Vec<f64>,
    /// `3 × b`.
    pub extra: Vec<f64>,
    /// `2l × b`.
    pub state: Vec<f64>,
    /// `c × b`.
    pub seq: Vec<f64>,
    /// Layers.
    pub l: usize,
    /// Bits per character.
    pub b: usize,
    /// Characters.
    pub c: usize,
}

impl Problem {
    /// Decodes an input and checks its shapes; the sizes are implied by it.
    pub fn decode(input: &Value) -> Result<Problem, String> {
        let Input {
            main_params,
            extra_params,
            state,
            sequence,
        } = super::decode(input)?;
        let rows = main_params.rows();
        super::require(rows >= 2 && rows % 2 == 0, || {
            format!("`main_params` has {rows} rows, expected 2·layers ≥ 2")
        })?;
        let width = main_params.first_len();
        super::require(width >= 4 && width % 4 == 0, || {
            format!("`main_params` rows have {width} entries, expected 4·bits ≥ 4")
        })?;
        let (l, b, c) = (rows / 2, width / 4, sequence.rows());
        super::require(c >= 2, || {
            format!("`sequence` has {c} characters, expected at least 2")
        })?;
        Ok(Problem {
            main: main_params.flatten("main_params", 2 * l, 4 * b)?,
            extra: extra_params.flatten("extra_params", 3, b)?,
            state: state.flatten("state", 2 * l, b)?,
            seq: sequence.flatten("sequence", c, b)?,
            l,
            b,
            c,
        })
    }

    /// The loss.
    pub fn objective(&self) -> f64 {
        lstm(
            &self.main,
            &self.extra,
            &self.state,
            &self.seq,
            self.l,
            self.b,
            self.c,
        )
    }

    /// The loss and its gradient, from `lstm_grad`.
    pub fn gradient(&self) -> (f64, Vec<f64>, Vec<f64>) {
        lstm_grad(
            &self.main,
            &self.extra,
            &self.state,
            &self.seq,
            self.l,
            self.b,
            self.c,
        )
    }
}

/// `objective` or `jacobian` (the gradient, main then extra, row by row, flat).
pub fn evaluate(function: &str, input: &Value) -> Evaluation {
    let runs = Runs::from_input(input)?;
    let problem = Problem::decode(input)?;
    match function {
        "objective" => runs.time(|| problem.objective()).json(),
        "jacobian" => runs
            .time(|| problem.gradient())
            .encode(|(_, dmain, dextra)| [dmain, dextra].concat()),
        _ => super::unknown_function("lstm", function),
    }
}
