//! The run loop of an `evaluate` message (PROTOCOL.md §4): run the computation until
//! it has run at least `min_runs` times *and* for at least `min_seconds` in total,
//! timing each run on its own.

use std::hint::black_box;
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;

/// The run-control fields of an input.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Runs {
    /// At least this many runs (at least 1).
    pub min_runs: u64,
    /// At least this much summed run time.
    pub min_seconds: f64,
}

/// What a successful evaluation answers: the output of the last run, and the
/// nanoseconds of every run.
#[derive(Debug)]
pub struct Outcome {
    /// The output, in the JSON shape of EVALS.md.
    pub output: Value,
    /// One entry per run.
    pub timings: Vec<u64>,
}

/// An evaluation's result: its outcome, or the error text of `success: false`.
pub type Evaluation = Result<Outcome, String>;

/// The result of the last run and the time of every run.
#[derive(Debug)]
pub struct Timed<T> {
    /// What the last run returned.
    pub output: T,
    /// The nanoseconds of each run, in order.
    pub timings: Vec<u64>,
}

impl Runs {
    /// One run: hello, whose input has no run-control fields.
    pub fn once() -> Runs {
        Runs {
            min_runs: 1,
            min_seconds: 0.0,
        }
    }

    /// The `min_runs` and `min_seconds` fields of an input object; absent ones default
    /// to 1 and 0, as the C++ reference harness does. `min_seconds` may be an integer
    /// (the real evals send `1`) or a float.
    pub fn from_input(input: &Value) -> Result<Runs, String> {
        let object = input
            .as_object()
            .ok_or_else(|| format!("malformed input: expected an object, got {}", kind(input)))?;
        let min_runs = match object.get("min_runs") {
            None => 1,
            Some(v) => v.as_u64().ok_or_else(|| {
                format!("malformed input: `min_runs` must be a non-negative integer, got {v}")
            })?,
        };
        let min_seconds = match object.get("min_seconds") {
            None => 0.0,
            Some(v) => match v.as_f64() {
                Some(s) if s >= 0.0 && s.is_finite() => s,
                _ => {
                    return Err(format!(
                        "malformed input: `min_seconds` must be a finite number ≥ 0, got {v}"
                    ))
                }
            },
        };
        Ok(Runs {
            min_runs: min_runs.max(1),
            min_seconds,
        })
    }

    /// Runs `f` until both conditions hold, timing each call alone. The arguments
    /// `f` captures were decoded before; `black_box` keeps the optimiser from
    /// hoisting the call out of the loop or dropping its result.
    pub fn time<T>(&self, mut f: impl FnMut() -> T) -> Timed<T> {
        let mut timings = Vec::new();
        let mut total = 0.0;
        loop {
            let start = Instant::now();
            let output = black_box(f());
            let elapsed = start.elapsed();
            timings.push(u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX));
            total += elapsed.as_secs_f64();
            if timings.len() as u64 >= self.min_runs && total >= self.min_seconds {
                return Timed { output, timings };
            }
            drop(output);
        }
    }
}

impl<T> Timed<T> {
    /// The outcome with the output converted by `encode` (after timing).
    pub fn encode<U: Serialize>(self, encode: impl FnOnce(T) -> U) -> Evaluation {
        let output = serde_json::to_value(encode(self.output))
            .map_err(|e| format!("cannot encode the output: {e}"))?;
        if contains_null(&output) {
            // serde_json writes NaN and ±inf as `null`, which never validates.
            return Err("the output contains a NaN or an infinity".to_string());
        }
        Ok(Outcome {
            output,
            timings: self.timings,
        })
    }
}

impl<T: Serialize> Timed<T> {
    /// The outcome with the output as it is.
    pub fn json(self) -> Evaluation {
        self.encode(|output| output)
    }
}

fn contains_null(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.iter().any(contains_null),
        Value::Object(map) => map.values().any(contains_null),
        _ => false,
    }
}

/// A JSON value's kind, for error messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn run_control_fields_and_their_defaults() {
        let runs = |v: Value| Runs::from_input(&v);
        assert_eq!(runs(json!({})).unwrap(), Runs::once());
        assert_eq!(
            runs(json!({"min_runs": 3, "min_seconds": 1})).unwrap(),
            Runs {
                min_runs: 3,
                min_seconds: 1.0
            }
        );
        assert_eq!(runs(json!({"min_seconds": 0.5})).unwrap().min_seconds, 0.5);
        assert!(runs(json!({"min_runs": 1.5})).is_err());
        assert!(runs(json!({"min_runs": -1})).is_err());
        assert!(runs(json!({"min_seconds": "1"})).is_err());
        assert!(runs(json!({"min_seconds": -0.1})).is_err());
        assert!(runs(json!([1, 2])).is_err());
    }

    #[test]
    fn runs_at_least_min_runs_and_min_seconds() {
        let mut calls = 0;
        let timed = Runs {
            min_runs: 3,
            min_seconds: 0.0,
        }
        .time(|| {
            calls += 1;
            calls
        });
        assert_eq!((timed.output, timed.timings.len()), (3, 3));
        let timed = Runs {
            min_runs: 1,
            min_seconds: 0.02,
        }
        .time(|| std::thread::sleep(std::time::Duration::from_millis(5)));
        // Runs until the time reaches min_seconds, and not one run longer: sleeps
        // last longer than asked on a loaded machine, so the count is not fixed.
        let total: u64 = timed.timings.iter().sum();
        let before_last = total - timed.timings.last().copied().unwrap_or(0);
        assert!(
            total >= 20_000_000 && before_last < 20_000_000,
            "{:?}",
            timed.timings
        );
    }

    #[test]
    fn non_finite_outputs_are_errors() {
        let timed = Timed {
            output: vec![1.0, f64::NAN],
            timings: vec![1],
        };
        assert!(timed.json().is_err());
    }
}
