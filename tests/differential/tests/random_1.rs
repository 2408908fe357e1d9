//! Random programs, part 1 of 8 (`build.rs` writes them, `common` checks them):
//! each `f_grad` against the program over dual numbers and against central
//! differences. The parts are separate test targets so that they compile in
//! parallel, and each stays small enough to compile in about linear time.

// The programs are written by a generator, parenthesised for safety, not style.
#![allow(
    unused_parens,
    unused_assignments,
    unused_variables,
    unused_mut,
    unreachable_code,
    dead_code,
    clippy::all
)]

mod common;
use common::*;

include!(concat!(env!("OUT_DIR"), "/programs_1.rs"));

#[test]
fn random_programs_1() {
    check(CASES);
}
