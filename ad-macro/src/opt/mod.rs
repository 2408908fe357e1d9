//! Optimisations of the adjoint IR, each a pass of its own that `expand` runs,
//! verifies and dumps by name. None changes what is computed: they change where
//! memory is touched (`carry`, `window`), fold integer arithmetic of literals
//! (`fold`), compute a repeated expression once (`cse`) and drop what nothing reads (`dce`).

mod carry;
mod cse;
mod dce;
mod fold;
mod window;

pub use carry::carry_accumulations;
pub use cse::share_common_subexpressions;
pub use dce::remove_dead_code;
pub use fold::fold_constants;
pub use window::hoist_bounds_checks;
