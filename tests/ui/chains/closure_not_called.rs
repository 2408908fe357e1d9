use ad::differentiate;

fn apply_twice(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    f(f(x))
}

#[differentiate]
fn f(x: f64) -> f64 {
    let square = |v: f64| v * v;
    apply_twice(square, x)
}

fn main() {}
