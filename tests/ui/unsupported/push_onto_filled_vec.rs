use ad::differentiate;

#[differentiate]
fn f(x: f64, flag: bool) -> f64 {
    let mut a = vec![0.0; 1];
    if flag {
        a.push(x * x);
    }
    a[0] + x
}

fn main() {}
