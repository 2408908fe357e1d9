use ad::differentiate;

#[differentiate]
fn step(state: &[f64], dt: f64) -> Vec<f64> {
    let mut next = vec![0.0; 2];
    next[0] = state[0] + dt * state[1];
    next[1] = state[1] - dt * state[0];
    next
}

#[differentiate]
fn loss(state: &[f64], dt: f64, n: usize) -> f64 {
    let mut total = 0.0;
    for _ in 0..n {
        let next: Vec<f64> = step(state, dt);
        total += next[0];
    }
    total
}

fn main() {}
