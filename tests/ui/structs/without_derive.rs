struct Params {
    mu: f64,
}

#[ad::differentiate(wrt(p))]
fn f(p: &Params, x: f64) -> f64 {
    p.mu * x
}

fn main() {}
