use ad::differentiate;

#[differentiate]
fn square(x: f64) -> f64 {
    x * x
}

#[differentiate(hessian)]
fn f(x: f64) -> f64 {
    square(x).sin()
}

fn main() {}
