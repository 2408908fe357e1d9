//! Analyses of the primal IR that the adjoint transformation relies on.

pub mod activity;
pub mod record;
