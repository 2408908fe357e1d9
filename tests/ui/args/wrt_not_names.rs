use ad::differentiate;

#[differentiate(wrt(x = 1))]
fn f(x: f64) -> f64 {
    x * x
}

fn main() {}
