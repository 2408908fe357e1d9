use ad::differentiate;

#[differentiate]
fn step(x: &[f64], dt: f64) -> Vec<f64> {
    let mut next = vec![0.0; 2];
    next[0] = x[0] + dt * x[1];
    next[1] = x[1] - dt * x[0];
    next
}

#[differentiate(hessian)]
fn energy(x: &[f64]) -> f64 {
    let next: Vec<f64> = step(x, 0.1);
    next[0] * next[0] + next[1] * next[1]
}

fn main() {}
