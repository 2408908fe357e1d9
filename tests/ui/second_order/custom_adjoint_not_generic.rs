fn softplus(x: f64) -> f64 {
    x.exp().ln_1p()
}

#[ad::custom_adjoint]
fn softplus_adjoint(x: f64, seed: f64, d_x: &mut f64) -> f64 {
    *d_x += seed / (1.0 + (-x).exp());
    softplus(x)
}

#[ad::differentiate(forward)]
fn f(x: f64) -> f64 {
    softplus(x) * x
}

fn main() {}
