//! Random programs (written by `build.rs`): each `f_grad` against central finite
//! differences of the program itself, and its value against the program's.

// The programs are written by a generator, parenthesised for safety, not style.
#![allow(
    unused_parens,
    unused_assignments,
    unused_variables,
    dead_code,
    clippy::all
)]

use ad::differentiate;

include!(concat!(env!("OUT_DIR"), "/programs.rs"));

#[test]
fn random_programs_have_the_gradients_of_finite_differences() {
    let tolerance = ad::Tolerance {
        rel: 1e-5,
        abs: 1e-7,
        step: 1e-5,
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    check_all(|name, f, point, gradient| {
        checked += 1;
        if let Err(mismatch) = ad::check_gradient_with(f, point, gradient, &tolerance) {
            failures.push(format!("{name} at {point:?}: {mismatch}"));
        }
    });
    assert!(checked > 0);
    assert!(
        failures.is_empty(),
        "{} of {checked} programs disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
