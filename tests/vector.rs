//! Vector-valued functions (issue 19): `f_vjp`, `f_adjoint` with a seed slice,
//! `f_jacobian`, checked against Jacobians derived by hand and over dual numbers.

mod common;

use ad::differentiate;
use common::{assert_all_close, assert_close};

/// Polar to Cartesian coordinates, as an array literal.
#[differentiate]
fn polar(r: f64, theta: f64) -> [f64; 2] {
    [r * theta.cos(), r * theta.sin()]
}

#[test]
fn array_literal_jacobian() {
    let (r, t) = (1.7, 0.6);
    let (value, jac) = polar_jacobian(r, t);
    assert_eq!(value, polar(r, t));
    assert_all_close("row 0", &jac[0], &[t.cos(), -r * t.sin()]);
    assert_all_close("row 1", &jac[1], &[t.sin(), r * t.cos()]);
    let (value, dr, dt) = polar_vjp(r, t, &[0.3, -2.0]);
    assert_eq!(value, polar(r, t));
    assert_close("dr", dr, 0.3 * t.cos() - 2.0 * t.sin());
    assert_close("dt", dt, -0.3 * r * t.sin() - 2.0 * r * t.cos());
}
