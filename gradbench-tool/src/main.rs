//! `ad-gradbench`: `ad` as a GradBench tool (see the README's GradBench section).

fn main() {}
