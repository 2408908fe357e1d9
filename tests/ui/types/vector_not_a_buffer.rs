use ad::differentiate;

fn helper(n: usize) -> Vec<f64> {
    vec![1.0; n]
}

#[differentiate]
fn f(x: f64, n: usize) -> Vec<f64> {
    let _ = x;
    helper(n)
}

fn main() {}
