use ad::differentiate;

#[differentiate(wrt(x, q))]
fn f(x: f64, y: f64) -> f64 {
    let a = x.to_degrees();
    let b = |v: f64| v;
    println!("{}", y);
    a + b(y)
}

fn main() {}
