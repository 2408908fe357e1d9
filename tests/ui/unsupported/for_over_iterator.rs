use ad::differentiate;

#[differentiate(wrt(x))]
fn f(x: f64, weights: &[f64]) -> f64 {
    let mut s = 0.0;
    for w in weights.iter() {
        s += w * x;
    }
    s
}

fn main() {}
