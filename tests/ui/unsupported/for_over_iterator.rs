use ad::differentiate;

#[differentiate]
fn f(x: f64, weights: &[f64]) -> f64 {
    let mut s = 0.0;
    for pair in weights.windows(2) {
        s += pair[0] * pair[1] * x;
    }
    s
}

fn main() {}
