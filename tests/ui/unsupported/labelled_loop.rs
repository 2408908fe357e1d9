use ad::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    let mut s = x;
    'outer: for i in 0..4 {
        s = s * x + i as f64;
    }
    s
}

fn main() {}
