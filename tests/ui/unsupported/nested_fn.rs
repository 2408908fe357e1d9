use ad::differentiate;

#[differentiate]
fn f(x: f64, flag: bool) -> f64 {
    if flag {
        fn square(v: f64) -> f64 {
            v * v
        }
        square(x)
    } else {
        x
    }
}

fn main() {}
