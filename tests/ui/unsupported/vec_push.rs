use ad::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    let mut squares = Vec::with_capacity(3);
    squares.push(x * x);
    squares[0]
}

fn main() {}
