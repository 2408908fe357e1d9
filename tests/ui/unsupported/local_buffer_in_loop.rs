use ad::differentiate;

#[differentiate]
fn norm2(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>()
}

#[differentiate]
fn f(x: f64) -> f64 {
    let mut total = 0.0;
    for k in 0..3 {
        let mut u = vec![0.0; 2];
        u[0] = x * k as f64;
        total += norm2(&u);
    }
    total
}

fn main() {}
