use ad::differentiate;

#[differentiate]
fn f(x: &[f64]) -> f64 {
    x.iter().scan(0.0, |acc, &v| {
        *acc += v;
        Some(*acc)
    }).sum::<f64>()
}

fn main() {}
