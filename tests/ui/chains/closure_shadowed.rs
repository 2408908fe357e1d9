use ad::differentiate;

#[differentiate]
fn f(x: f64, k: f64) -> f64 {
    let scaled = |v: f64| v * k;
    let k = 2.0 * k;
    scaled(x) + k
}

fn main() {}
