use ad::differentiate;

#[differentiate]
fn f(x: f64, y: f64) -> f64 {
    match (x, y) {
        (a, b) if a > b => a * b,
        (_, b) => b,
    }
}

fn main() {}
