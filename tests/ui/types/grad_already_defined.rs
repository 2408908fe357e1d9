use ad::differentiate;

fn f_grad(x: f64) -> (f64, f64) {
    (x, 1.0)
}

#[differentiate]
fn f(x: f64) -> f64 {
    x * x
}

fn main() {}
