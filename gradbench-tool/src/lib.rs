//! `ad` as a GradBench tool: the evals' objectives as `#[differentiate]` functions
//! (`evals`), the run loop (`runs`) and the JSON-lines protocol (`protocol`).

pub mod evals;
pub mod protocol;
pub mod runs;
