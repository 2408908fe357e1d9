use ad::differentiate;

#[derive(Clone, Copy)]
struct State {
    x: f64,
    v: f64,
}

impl State {
    fn energy(self) -> f64 {
        self.x * self.x + self.v * self.v
    }
}

#[differentiate]
fn f(x: f64, v: f64) -> f64 {
    let s = State { x, v };
    s.energy()
}

fn main() {}
