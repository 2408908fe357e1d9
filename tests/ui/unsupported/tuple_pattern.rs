use ad::differentiate;

fn pair(v: f64) -> (f64, f64) {
    (v, 2.0 * v)
}

#[differentiate]
fn f(x: f64, y: f64) -> f64 {
    let (a, b) = pair(x);
    a * b * y
}

fn main() {}
