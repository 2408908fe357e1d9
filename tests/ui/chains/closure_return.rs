use ad::differentiate;

#[differentiate]
fn f(x: &[f64], limit: f64) -> f64 {
    let capped = |v: f64| {
        for k in 0..3 {
            if v * k as f64 > limit {
                return limit;
            }
        }
        v
    };
    x.iter().map(|&v| capped(v)).sum::<f64>()
}

fn main() {}
