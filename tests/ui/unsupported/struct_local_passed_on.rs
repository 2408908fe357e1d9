use ad::differentiate;

#[derive(Clone, Copy)]
struct State {
    x: f64,
    v: f64,
}

fn energy(s: State) -> f64 {
    s.x * s.x + s.v * s.v
}

#[differentiate]
fn f(x: f64, v: f64) -> f64 {
    let s = State { x, v: 2.0 * v };
    energy(s)
}

fn main() {}
