use ad::differentiate;

#[differentiate]
fn polar(r: f64, t: f64) -> [f64; 2] {
    [r * t.cos(), r * t.sin()]
}

#[differentiate]
fn f(r: f64, t: f64) -> f64 {
    let [a, b] = polar(r, t);
    a * b
}

fn main() {}
