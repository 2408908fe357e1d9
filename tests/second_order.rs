//! Forward mode and second order (`forward`, `hessian`) against hand-derived values.

use ad::differentiate;

#[differentiate(hessian)]
fn product(x: f64, y: f64) -> f64 {
    x * y * y + x.sin()
}

#[test]
fn straight_line() {
    let (x, y) = (0.7, -1.3);
    let (value, t) = product_jvp(x, y, 2.0, 0.5);
    assert_eq!(value, product(x, y));
    let expected = 2.0 * (y * y + x.cos()) + 0.5 * (2.0 * x * y);
    assert!((t - expected).abs() < 1e-14, "{t} vs {expected}");
    let (value, dx, dy, hx, hy) = product_hvp(x, y, 2.0, 0.5);
    assert_eq!(value, product(x, y));
    assert!((dx - (y * y + x.cos())).abs() < 1e-14);
    assert!((dy - 2.0 * x * y).abs() < 1e-14);
    // H = [[-sin x, 2y], [2y, 2x]]
    let (ex, ey) = (2.0 * -x.sin() + 0.5 * 2.0 * y, 2.0 * 2.0 * y + 0.5 * 2.0 * x);
    assert!((hx - ex).abs() < 1e-14, "{hx} vs {ex}");
    assert!((hy - ey).abs() < 1e-14, "{hy} vs {ey}");
    let (_, gradient, hessian) = product_hessian(x, y);
    assert_eq!(gradient, vec![dx, dy]);
    assert_eq!(hessian.len(), 2);
}
