//! The README's first example: a function, its value and gradient from
//! `#[differentiate]`, and a check of that gradient against finite differences.
//!
//! Run with `cargo run --example quickstart`.

use ad::differentiate;

/// A small scalar function with a product, `exp`, `ln`, a quotient and `sin`.
#[differentiate]
fn f(x: f64, y: f64) -> f64 {
    let t = (x * y).exp();
    t / (1.0 + y.ln()) + f64::sin(x)
}

fn main() {
    let (x, y) = (0.4, 2.5);
    let (value, dx, dy) = f_grad(x, y);
    println!("f({x}, {y}) = {value:.12}");
    println!("gradient from f_grad:            df/dx = {dx:.12}, df/dy = {dy:.12}");

    let h = 1e-6;
    let fd_x = (f(x + h, y) - f(x - h, y)) / (2.0 * h);
    let fd_y = (f(x, y + h) - f(x, y - h)) / (2.0 * h);
    println!("central finite differences:      df/dx = {fd_x:.12}, df/dy = {fd_y:.12}");

    match ad::check_gradient(|p: &[f64]| f(p[0], p[1]), &[x, y], &[dx, dy]) {
        Ok(()) => println!("ad::check_gradient: f_grad agrees with finite differences"),
        Err(mismatch) => {
            eprintln!("ad::check_gradient: {mismatch}");
            std::process::exit(1);
        }
    }
}
