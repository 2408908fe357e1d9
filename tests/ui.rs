//! Compile errors for what `#[differentiate]` rejects, checked against the
//! `.stderr` files beside each case. `TRYBUILD=overwrite cargo test --test ui`
//! rewrites them; read every changed file as a user would before committing.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*/*.rs");
}
