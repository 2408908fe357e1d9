use ad::differentiate;

fn helper(v: f64) -> f64 {
    v * 2.0
}

#[differentiate]
fn f(x: f64) -> f64 {
    helper(x) + 1.0
}

fn main() {}
