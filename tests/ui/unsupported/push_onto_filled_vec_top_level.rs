use ad::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    let mut a = vec![0.0; 1];
    a.push(x * x);
    a[1] + x
}

fn main() {}
