use ad::differentiate;

#[differentiate(hessian)]
fn norm(x: &[f64]) -> f64 {
    x.iter().map(|v| v * v).sum::<f64>().sqrt()
}

#[differentiate]
fn cube(x: f64) -> f64 {
    x * x * x
}

#[differentiate(forward)]
fn f(x: &[f64]) -> f64 {
    norm(x) + cube(x[0])
}

fn main() {}
