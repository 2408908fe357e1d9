use ad::differentiate;

#[differentiate]
fn f(x: f64, flag: bool) -> f64 {
    if flag {
        let mut a = Vec::new();
        a.push(x * x);
        a[0]
    } else {
        x
    }
}

fn main() {}
