//! Differential tests of `ad`: `build.rs` writes random programs in the syntax
//! `#[differentiate]` supports, and `tests/random.rs` checks each program's
//! `f_grad` against central finite differences of the program itself.
//!
//! `AD_RANDOM_PROGRAMS=N cargo test -p ad-differential` checks N programs (300 by
//! default); `AD_RANDOM_SEED=S` draws another set.
