use ad::differentiate;

macro_rules! twice {
    ($e:expr) => {
        $e + $e
    };
}

#[differentiate]
fn f(x: f64) -> f64 {
    let v = twice!(x);
    v * x
}

fn main() {}
