//! The GradBench tool protocol (PROTOCOL.md): one JSON message per line in, one JSON
//! response per line out.

use std::panic::{catch_unwind, AssertUnwindSafe};

use serde_json::{json, Map, Value};

use crate::evals;
use crate::runs::kind;

/// The name this tool gives in its `start` response.
pub const TOOL: &str = "ad";

/// The response to one line of input. Never panics: a line that is not a message
/// gets `success: false` with an error (and the `id`, if one can be read).
pub fn respond(line: &[u8]) -> Value {
    let message: Value = match serde_json::from_slice(line) {
        Ok(message) => message,
        Err(e) => return failure(Value::Null, format!("malformed message: not JSON: {e}")),
    };
    let Value::Object(message) = message else {
        return failure(
            Value::Null,
            format!(
                "malformed message: expected an object, got {}",
                kind(&message)
            ),
        );
    };
    let id = message.get("id").cloned().unwrap_or(Value::Null);
    if !(id.is_i64() || id.is_u64()) {
        return failure(id, "malformed message: `id` must be an integer".to_string());
    }
    let Some(Value::String(message_kind)) = message.get("kind") else {
        return failure(id, "malformed message: `kind` must be a string".to_string());
    };
    match message_kind.as_str() {
        "start" => json!({"id": id, "tool": TOOL}),
        "define" => define(id, &message),
        "evaluate" => evaluate(id, &message),
        "analysis" => {
            if message.get("valid") == Some(&Value::Bool(false)) {
                let error = message.get("error").and_then(Value::as_str).unwrap_or("");
                eprintln!(
                    "ad-gradbench: evaluation {} was invalid: {error}",
                    message.get("of").unwrap_or(&Value::Null)
                );
            }
            json!({"id": id})
        }
        // Unknown kinds get the bare acknowledgement the specification asks for.
        _ => json!({"id": id}),
    }
}

fn failure(id: Value, error: String) -> Value {
    eprintln!("ad-gradbench: {error}");
    json!({"id": id, "success": false, "error": error})
}

fn string_field<'m>(message: &'m Map<String, Value>, field: &str) -> Result<&'m str, String> {
    match message.get(field) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(format!(
            "malformed message: `{field}` must be a string, got {}",
            kind(other)
        )),
        None => Err(format!("malformed message: `{field}` is missing")),
    }
}

fn define(id: Value, message: &Map<String, Value>) -> Value {
    match string_field(message, "module") {
        Ok(module) if evals::MODULES.contains(&module) => json!({"id": id, "success": true}),
        Ok(module) => failure(id, format!("module `{module}` is not implemented")),
        Err(error) => failure(id, error),
    }
}

fn evaluate(id: Value, message: &Map<String, Value>) -> Value {
    let (module, function) = match (
        string_field(message, "module"),
        string_field(message, "function"),
    ) {
        (Ok(module), Ok(function)) => (module, function),
        (Err(error), _) | (_, Err(error)) => return failure(id, error),
    };
    let Some(input) = message.get("input") else {
        return failure(id, "malformed message: `input` is missing".to_string());
    };
    // A panic in an evaluation is a failed evaluation, not a dead tool.
    let result = catch_unwind(AssertUnwindSafe(|| {
        evals::evaluate(module, function, input)
    }));
    match result {
        Ok(Some(Ok(outcome))) => {
            let timings: Vec<Value> = outcome
                .timings
                .iter()
                .map(|&ns| json!({"name": "evaluate", "nanoseconds": ns}))
                .collect();
            json!({"id": id, "success": true, "output": outcome.output, "timings": timings})
        }
        Ok(Some(Err(error))) => failure(id, error),
        Ok(None) => failure(id, format!("module `{module}` is not implemented")),
        Err(panic) => {
            let text = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".to_string());
            failure(id, format!("the evaluation panicked: {text}"))
        }
    }
}
