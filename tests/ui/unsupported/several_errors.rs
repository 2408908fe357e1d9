use ad::differentiate;

#[differentiate(wrt(x, q))]
fn f(x: f64, y: f64) -> f64 {
    let a = x.fract();
    let b = |v: f64| {
        return v;
    };
    let s = format!("{}", y);
    a + b(y) + s.len() as f64
}

fn main() {}
