use ad::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    x.fract() + 1.0
}

fn main() {}
