use ad::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    x.fract()
}

fn main() {
    // The stub keeps `f_grad` defined: the only error is the one in `f`.
    let (_value, _dx) = f_grad(1.0);
}
