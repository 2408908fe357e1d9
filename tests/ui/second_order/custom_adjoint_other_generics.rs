fn scale(x: f64) -> f64 {
    2.0 * x
}

#[ad::custom_adjoint]
fn scale_adjoint<T: Copy, U>(x: T, seed: T, d_x: &mut T) -> T {
    *d_x = seed;
    x
}

fn main() {}
