use ad::differentiate;

#[differentiate(hessian)]
fn residuals(p: &[f64]) -> Vec<f64> {
    let mut r = vec![0.0; 2];
    r[0] = p[0] * p[1];
    r[1] = p[0].sin();
    r
}

fn main() {}
