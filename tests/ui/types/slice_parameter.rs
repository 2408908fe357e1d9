use ad::differentiate;

#[differentiate]
fn f(x: f64, w: &[f64]) -> f64 {
    x * w[0]
}

fn main() {}
