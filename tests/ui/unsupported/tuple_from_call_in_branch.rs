use ad::differentiate;

fn pair(v: f64) -> (f64, f64) {
    (v, 2.0 * v)
}

#[differentiate]
fn f(x: f64, y: f64) -> f64 {
    let (a, b) = if x > y { (x, y) } else { pair(y) };
    a * b
}

fn main() {}
