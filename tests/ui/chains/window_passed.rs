use ad::differentiate;

fn spread(w: &[f64]) -> f64 {
    w[1] - w[0]
}

#[differentiate]
fn f(x: &[f64]) -> f64 {
    x.windows(2).map(|w| spread(w) * w[0]).sum::<f64>()
}

fn main() {}
