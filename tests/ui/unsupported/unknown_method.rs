use ad::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    x.rem_euclid(360.0) + 1.0
}

fn main() {}
