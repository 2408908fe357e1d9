use ad::differentiate;

#[differentiate(forward)]
fn f(x: f64) -> f64 {
    fn wrapped(v: f64) -> f64 {
        v.fract() * 2.0
    }
    wrapped(x) + x
}

fn main() {
    // The stubs keep the generated functions defined: the only error is the one in
    // the nested function, reported once.
    let _ = f_grad(1.0);
    let _ = f_jvp(1.0, 1.0);
}
