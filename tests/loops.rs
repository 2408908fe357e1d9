//! Loops in #[differentiate] bodies: `while` with float conditions, every `for`
//! range form, `loop` with `break value`, nesting, branches inside loops and loops
//! inside branches, loops that never run, and what a loop records on the value stack.
//!
//! Each gradient is compared with a hand-derived derivative (a closed form, or a
//! forward-mode recurrence written out in the test) and, away from kinks, with
//! `ad::check_gradient`.

use ad::differentiate;
use ad::stack::{self, StackUsage};
use approx::assert_relative_eq;

fn check1(f: impl Fn(f64) -> f64, x: f64, dx: f64) {
    ad::check_gradient(|p: &[f64]| f(p[0]), &[x], &[dx]).unwrap();
}

fn check2(f: impl Fn(f64, f64) -> f64, x: f64, y: f64, dx: f64, dy: f64) {
    ad::check_gradient(|p: &[f64]| f(p[0], p[1]), &[x, y], &[dx, dy]).unwrap();
}

/// Runs an `f_adjoint` as the reverse sweep of an outer function would: with a seed
/// that is not one, into buffers that already hold something. It must add
/// `seed · grad`, so a dropped seed, a flipped sign or an overwritten buffer fails.
fn assert_accumulates<const N: usize>(
    adjoint: impl Fn(f64, &mut [f64; N]) -> f64,
    value: f64,
    grad: [f64; N],
) {
    let seed = -1.5;
    let mut buffers = [0.25; N];
    assert_eq!(adjoint(seed, &mut buffers), value);
    for (buffer, g) in buffers.into_iter().zip(grad) {
        assert_relative_eq!(buffer, 0.25 + seed * g, max_relative = 1e-12);
    }
}

/// The peak stack usage of one gradient call.
fn recorded_by<T>(grad: impl FnOnce() -> T) -> (T, StackUsage) {
    stack::reset_peak();
    let result = grad();
    (result, stack::peak())
}

// ---------------------------------------------------------------------------------
// Iterations that stop on a tolerance
// ---------------------------------------------------------------------------------

/// Newton's method for √a from above (convex, so it decreases monotonically); the
/// loop condition reads the differentiable state.
#[differentiate]
fn newton_sqrt(a: f64) -> f64 {
    let mut y = if a > 1.0 { a } else { 1.0 };
    while (y * y - a).abs() > 1e-13 * a {
        y = 0.5 * (y + a / y);
    }
    y
}

#[test]
fn newton_square_root_has_the_derivative_of_sqrt() {
    for a in [1e-6, 0.3, 2.0, 10.0, 12345.0] {
        let (v, da) = newton_sqrt_grad(a);
        assert_eq!(v, newton_sqrt(a));
        assert_relative_eq!(v, a.sqrt(), max_relative = 1e-12);
        // The unrolled iteration's derivative converges with the value: its error
        // is of the order of the last step's, far below this tolerance.
        assert_relative_eq!(da, 0.5 / a.sqrt(), max_relative = 1e-11);
        if a > 0.01 {
            // Not at 1e-6: the difference step would reach a < 0, where the loop
            // condition never turns false.
            check1(newton_sqrt, a, da);
        }
        assert_accumulates(|s, [d]| newton_sqrt_adjoint(a, s, d), v, [da]);
    }
    // At a = 1 the start is already exact, the loop runs zero times and y is the
    // constant of the `else` branch: the derivative of what ran is 0, not 1/2.
    assert_eq!(newton_sqrt_grad(1.0), (1.0, 0.0));
}

/// Newton for ∛a as a `loop` left by `break value` once the step is negligible.
#[differentiate]
fn newton_cbrt(a: f64) -> f64 {
    let mut y = if a > 1.0 { a } else { 1.0 };
    let mut iterations = 0;
    loop {
        let next = (2.0 * y + a / (y * y)) / 3.0;
        iterations += 1;
        if (next - y).abs() <= 1e-14 * next || iterations >= 200 {
            break next;
        }
        y = next;
    }
}

#[test]
fn newton_cube_root_breaks_with_its_value() {
    for a in [0.001, 0.5, 8.0, 1000.0] {
        let (v, da) = newton_cbrt_grad(a);
        assert_eq!(v, newton_cbrt(a));
        assert_relative_eq!(v, a.cbrt(), max_relative = 1e-13);
        assert_relative_eq!(da, a.cbrt() / (3.0 * a), max_relative = 1e-11);
        check1(newton_cbrt, a, da);
    }
}

// ---------------------------------------------------------------------------------
// Recurrences against forward mode
// ---------------------------------------------------------------------------------

#[differentiate]
fn logistic(rate: f64, start: f64, n: usize) -> f64 {
    let mut x = start;
    for _ in 0..n {
        x = rate * x * (1.0 - x);
    }
    x
}

#[test]
fn logistic_map_iterated_30_times_against_forward_mode() {
    // Converging to a fixed point, to a 2-cycle, and in the period-3 window.
    for (rate, start) in [(2.9, 0.2), (3.2, 0.7), (3.83, 0.3)] {
        // Tangents (∂x/∂rate, ∂x/∂start) carried along the iteration.
        let (mut x, mut d_rate, mut d_start) = (start, 0.0, 1.0);
        for _ in 0..30 {
            let slope = rate * (1.0 - 2.0 * x);
            d_rate = x * (1.0 - x) + slope * d_rate;
            d_start *= slope;
            x = rate * x * (1.0 - x);
        }
        let ((v, g_rate, g_start), used) = recorded_by(|| logistic_grad(rate, start, 30));
        assert_eq!(v, logistic(rate, start, 30));
        // One f64 per iteration: x, which is loop-carried and so must be recorded.
        // The products' other factors, rate·x and 1 − x, are recomputed from it.
        assert_eq!(used.f64s, 30);
        assert_eq!(used.words, 0);
        assert_relative_eq!(v, x, max_relative = 1e-12);
        assert_relative_eq!(g_rate, d_rate, max_relative = 1e-9);
        assert_relative_eq!(g_start, d_start, max_relative = 1e-9);
        if rate < 3.5 {
            // In the period-3 window the 30-fold composition is too steep for a
            // difference quotient; forward mode is the reference there.
            check2(|r, s| logistic(r, s, 30), rate, start, g_rate, g_start);
        }
        assert_accumulates(
            |s, [dr, dx]| logistic_adjoint(rate, start, 30, s, dr, dx),
            v,
            [g_rate, g_start],
        );
    }
}

/// Explicit Euler for dy/dt = −k·y + forcing·sin t, stepping a float clock that
/// does not depend on the differentiable parameters.
#[differentiate(wrt(k, y0))]
fn euler(k: f64, y0: f64, forcing: f64, dt: f64, t_end: f64) -> f64 {
    let mut y = y0;
    let mut t = 0.0;
    while t < t_end {
        y += dt * (forcing * t.sin() - k * y);
        t += dt;
    }
    y
}

/// How many steps the float clock of `euler` takes (0.01·100 is not exactly 1).
fn euler_steps(dt: f64, t_end: f64) -> i32 {
    let (mut t, mut n) = (0.0, 0);
    while t < t_end {
        t += dt;
        n += 1;
    }
    n
}

#[test]
fn euler_pure_decay_has_the_closed_form_of_the_discrete_recurrence() {
    let (k, y0) = (0.7, 1.3);
    for (dt, t_end) in [(0.01, 1.0), (0.05, 2.0), (0.1, 0.25)] {
        let n = euler_steps(dt, t_end);
        // y_n = (1 − k·dt)ⁿ·y0.
        let factor = 1.0 - k * dt;
        let (v, dk, dy0) = euler_grad(k, y0, 0.0, dt, t_end);
        assert_eq!(v, euler(k, y0, 0.0, dt, t_end));
        assert_relative_eq!(v, factor.powi(n) * y0, max_relative = 1e-12);
        assert_relative_eq!(dy0, factor.powi(n), max_relative = 1e-12);
        assert_relative_eq!(
            dk,
            -f64::from(n) * dt * factor.powi(n - 1) * y0,
            max_relative = 1e-12
        );
        check2(|k, y0| euler(k, y0, 0.0, dt, t_end), k, y0, dk, dy0);
    }
}

#[test]
fn euler_with_forcing_against_forward_mode_and_finite_differences() {
    let (k, y0, forcing, dt, t_end) = (1.8, -0.4, 2.5, 0.02, 3.0);
    let (mut y, mut t, mut d_k, mut d_y0) = (y0, 0.0_f64, 0.0, 1.0);
    while t < t_end {
        d_k += dt * (-y - k * d_k);
        d_y0 += dt * (-k * d_y0);
        y += dt * (forcing * t.sin() - k * y);
        t += dt;
    }
    let ((v, dk, dy0), used) = recorded_by(|| euler_grad(k, y0, forcing, dt, t_end));
    assert_eq!(v, euler(k, y0, forcing, dt, t_end));
    // One f64 per step: y, the factor of k·y that k's adjoint needs. The forcing
    // term does not depend on k or y0, and dt is a constant parameter.
    assert_eq!(
        used,
        StackUsage {
            f64s: euler_steps(dt, t_end) as usize,
            f32s: 0,
            words: 0
        }
    );
    assert_relative_eq!(v, y, max_relative = 1e-12);
    assert_relative_eq!(dk, d_k, max_relative = 1e-12);
    assert_relative_eq!(dy0, d_y0, max_relative = 1e-12);
    check2(|k, y0| euler(k, y0, forcing, dt, t_end), k, y0, dk, dy0);
    assert_accumulates(
        |s, [a, b]| euler_adjoint(k, y0, forcing, dt, t_end, s, a, b),
        v,
        [dk, dy0],
    );
}

// ---------------------------------------------------------------------------------
// Constant data and range forms
// ---------------------------------------------------------------------------------

/// `scale · (c[0] + c[1]·x + c[2]·x² + …)`: coefficients in ascending order, so
/// Horner's rule walks the indices backwards.
#[differentiate(wrt(x, scale))]
#[allow(clippy::needless_range_loop)]
fn polynomial(x: f64, scale: f64, c: &[f64]) -> f64 {
    let mut acc = 0.0;
    for k in (0..c.len()).rev() {
        acc = acc * x + scale * c[k];
    }
    acc
}

#[test]
fn horner_polynomial_with_constant_coefficients() {
    let c = [1.5, -2.0, 0.25, 3.0, -0.5];
    let p = |x: f64| c.iter().rev().fold(0.0, |acc, &ck| acc * x + ck);
    let dp = |x: f64| -2.0 + 0.5 * x + 9.0 * x * x - 2.0 * x * x * x;
    for (x, scale) in [(0.7, 1.0), (-1.3, 2.5), (2.2, -0.4)] {
        let (v, dx, ds) = polynomial_grad(x, scale, &c);
        assert_eq!(v, polynomial(x, scale, &c));
        assert_relative_eq!(v, scale * p(x), max_relative = 1e-13);
        assert_relative_eq!(dx, scale * dp(x), max_relative = 1e-13);
        assert_relative_eq!(ds, p(x), max_relative = 1e-13);
        check2(|x, s| polynomial(x, s, &c), x, scale, dx, ds);
    }
}

/// `Σ_{k=lo..=hi} x^k` with bounds from integer parameters, negative ones included.
#[differentiate]
fn power_sum(x: f64, lo: i32, hi: i32) -> f64 {
    let mut s = 0.0;
    for k in lo..=hi {
        s += x.powi(k);
    }
    s
}

#[test]
fn inclusive_range_with_parameter_bounds() {
    let x = 1.3_f64;
    for (lo, hi) in [(-2, 3), (4, 4), (0, 6)] {
        let (v, dx) = power_sum_grad(x, lo, hi);
        let value: f64 = (lo..=hi).map(|k| x.powi(k)).sum();
        let derivative: f64 = (lo..=hi).map(|k| f64::from(k) * x.powi(k - 1)).sum();
        assert_eq!(v, power_sum(x, lo, hi));
        assert_relative_eq!(v, value, max_relative = 1e-14);
        assert_relative_eq!(dx, derivative, max_relative = 1e-13);
        check1(|x| power_sum(x, lo, hi), x, dx);
    }
}

/// Horner over `(lo..hi).rev()`: `Σ_{k=lo}^{hi−1} k·x^(k−lo)`. Running the range
/// forwards would give `Σ k·x^(hi−1−k)` instead, so the order is observable.
#[differentiate]
fn descending(x: f64, lo: usize, hi: usize) -> f64 {
    let mut acc = 0.0;
    for k in (lo..hi).rev() {
        acc = acc * x + k as f64;
    }
    acc
}

#[test]
fn reversed_range_runs_from_the_top() {
    let x = 0.8_f64;
    let (lo, hi) = (2_usize, 7_usize);
    let (v, dx) = descending_grad(x, lo, hi);
    let power = |k: usize| x.powi((k - lo) as i32);
    let value: f64 = (lo..hi).map(|k| k as f64 * power(k)).sum();
    let derivative: f64 = (lo + 1..hi)
        .map(|k| k as f64 * (k - lo) as f64 * x.powi((k - lo - 1) as i32))
        .sum();
    assert_eq!(v, descending(x, lo, hi));
    assert_relative_eq!(v, value, max_relative = 1e-14);
    assert_relative_eq!(dx, derivative, max_relative = 1e-13);
    check1(|x| descending(x, lo, hi), x, dx);
}

/// `Π (x + i)` over `(start..end).step_by(step)`.
#[differentiate]
fn stepped_product(x: f64, start: usize, end: usize, step: usize) -> f64 {
    let mut p = 1.0;
    for i in (start..end).step_by(step) {
        p *= x + i as f64;
    }
    p
}

#[test]
fn stepped_range_with_a_parameter_step() {
    let x = 0.35;
    for (start, end, step) in [(1, 10, 3), (0, 9, 4), (2, 3, 5)] {
        let (v, dx) = stepped_product_grad(x, start, end, step);
        let factors: Vec<f64> = (start..end).step_by(step).map(|i| x + i as f64).collect();
        let value: f64 = factors.iter().product();
        // d/dx Π (x + i) = Π · Σ 1/(x + i).
        let derivative = value * factors.iter().map(|f| 1.0 / f).sum::<f64>();
        assert_eq!(v, stepped_product(x, start, end, step));
        assert_relative_eq!(v, value, max_relative = 1e-14);
        assert_relative_eq!(dx, derivative, max_relative = 1e-13);
        check1(|x| stepped_product(x, start, end, step), x, dx);
    }
}

/// Bounds and steps computed from an integer parameter, in every range form.
#[differentiate]
fn expression_bounds(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    for i in (n / 2..=2 * n + 1).step_by(n % 3 + 1) {
        s += (x * i as f64).sin();
    }
    let mut t = 0.0;
    for j in (n - 1..n * n).rev() {
        t = t * x + j as f64;
    }
    for k in (n..n * 3).step_by(2) {
        s -= x.powi(k as i32) / (k as f64);
    }
    for m in (1..=n + 1).rev() {
        t += (m as f64) * x * x;
    }
    s + 0.5 * t
}

#[test]
fn bounds_from_expressions() {
    let x = 0.6_f64;
    for n in [1_usize, 2, 4] {
        let (v, dx) = expression_bounds_grad(x, n);
        let mut value = 0.0;
        let mut derivative = 0.0;
        for i in (n / 2..=2 * n + 1).step_by(n % 3 + 1) {
            let i = i as f64;
            value += (x * i).sin();
            derivative += i * (x * i).cos();
        }
        // t = Σ_{j=n−1}^{n²−1} j·x^(j−n+1) after the reversed Horner loop.
        for j in n - 1..n * n {
            let (j, e) = (j as f64, (j + 1 - n) as i32);
            value += 0.5 * j * x.powi(e);
            derivative += 0.5 * j * f64::from(e) * x.powi(e - 1);
        }
        for k in (n..n * 3).step_by(2) {
            let kf = k as f64;
            value -= x.powi(k as i32) / kf;
            derivative -= x.powi(k as i32 - 1);
        }
        let m_sum: f64 = (1..=n + 1).map(|m| m as f64).sum();
        value += 0.5 * m_sum * x * x;
        derivative += m_sum * x;
        assert_eq!(v, expression_bounds(x, n));
        assert_relative_eq!(v, value, max_relative = 1e-13);
        assert_relative_eq!(dx, derivative, max_relative = 1e-13);
        check1(|x| expression_bounds(x, n), x, dx);
    }
}

// ---------------------------------------------------------------------------------
// Nesting
// ---------------------------------------------------------------------------------

#[differentiate]
fn double_sum(x: f64, y: f64, n: usize, m: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        for j in 0..m {
            s += (x * i as f64 + y * j as f64).sin();
        }
    }
    s
}

#[test]
fn double_sum_over_nested_loops() {
    let (x, y, n, m) = (0.3, -0.45, 5, 7);
    let (v, dx, dy) = double_sum_grad(x, y, n, m);
    let (mut value, mut d_x, mut d_y) = (0.0, 0.0, 0.0);
    for i in 0..n {
        for j in 0..m {
            let (i, j) = (i as f64, j as f64);
            let arg = x * i + y * j;
            value += arg.sin();
            d_x += i * arg.cos();
            d_y += j * arg.cos();
        }
    }
    assert_eq!(v, double_sum(x, y, n, m));
    assert_relative_eq!(v, value, max_relative = 1e-14);
    assert_relative_eq!(dx, d_x, max_relative = 1e-13);
    assert_relative_eq!(dy, d_y, max_relative = 1e-13);
    check2(|x, y| double_sum(x, y, n, m), x, y, dx, dy);
}

/// `x · Σ_{i<n} y^i`: the inner loop's trip count is the outer index, and its
/// carried value is declared inside the outer body.
#[differentiate]
fn triangular(x: f64, y: f64, n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        let mut t = x;
        for _ in 0..i {
            t *= y;
        }
        s += t;
    }
    s
}

#[test]
fn inner_trip_count_from_the_outer_index() {
    let (x, y, n) = (1.7_f64, 0.9_f64, 6);
    let (v, dx, dy) = triangular_grad(x, y, n as usize);
    let value: f64 = (0..n).map(|i| x * y.powi(i)).sum();
    let d_x: f64 = (0..n).map(|i| y.powi(i)).sum();
    let d_y: f64 = (1..n).map(|i| f64::from(i) * x * y.powi(i - 1)).sum();
    assert_eq!(v, triangular(x, y, n as usize));
    assert_relative_eq!(v, value, max_relative = 1e-14);
    assert_relative_eq!(dx, d_x, max_relative = 1e-13);
    assert_relative_eq!(dy, d_y, max_relative = 1e-13);
    check2(|x, y| triangular(x, y, n as usize), x, y, dx, dy);
}

/// Four levels: for, for, while, if.
#[differentiate]
fn deep_nest(x: f64, y: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        for j in i..4 {
            let mut u = x;
            let mut k = 0;
            while k < j {
                if (i + k) % 2 == 0 {
                    u *= y;
                } else {
                    u += y;
                }
                k += 1;
            }
            s += u * u;
        }
    }
    s
}

#[test]
fn loops_and_branches_nested_four_deep() {
    let (x, y) = (0.8, 1.25);
    // Forward mode: (u, ∂u/∂x, ∂u/∂y).
    let (mut value, mut d_x, mut d_y) = (0.0, 0.0, 0.0);
    for i in 0..3 {
        for j in i..4 {
            let (mut u, mut ux, mut uy) = (x, 1.0, 0.0);
            for k in 0..j {
                if (i + k) % 2 == 0 {
                    (ux, uy) = (ux * y, uy * y + u);
                    u *= y;
                } else {
                    uy += 1.0;
                    u += y;
                }
            }
            value += u * u;
            d_x += 2.0 * u * ux;
            d_y += 2.0 * u * uy;
        }
    }
    let (v, dx, dy) = deep_nest_grad(x, y);
    assert_eq!(v, deep_nest(x, y));
    assert_relative_eq!(v, value, max_relative = 1e-14);
    assert_relative_eq!(dx, d_x, max_relative = 1e-13);
    assert_relative_eq!(dy, d_y, max_relative = 1e-13);
    check2(deep_nest, x, y, dx, dy);
}

/// A different formula on even and odd iterations, summed.
#[differentiate]
fn even_odd_sum(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        if i % 2 == 0 {
            s += x.powi(i as i32);
        } else {
            s -= (x * i as f64).sin();
        }
    }
    s
}

#[test]
fn branch_on_the_parity_of_the_index() {
    let x = 0.9_f64;
    let n = 9;
    let (v, dx) = even_odd_sum_grad(x, n);
    let (mut value, mut derivative) = (0.0, 0.0);
    for i in 0..n as i32 {
        let fi = f64::from(i);
        if i % 2 == 0 {
            value += x.powi(i);
            derivative += fi * x.powi(i - 1);
        } else {
            value -= (x * fi).sin();
            derivative -= fi * (x * fi).cos();
        }
    }
    assert_eq!(v, even_odd_sum(x, n));
    assert_relative_eq!(v, value, max_relative = 1e-14);
    assert_relative_eq!(dx, derivative, max_relative = 1e-13);
    check1(|x| even_odd_sum(x, n), x, dx);
}

/// The branch result is the next state: z ← z·x on even iterations, z + x² on odd.
#[differentiate]
fn alternate(x: f64, y: f64, n: usize) -> f64 {
    let mut z = y;
    for i in 0..n {
        z = if i % 2 == 0 { z * x } else { z + x * x };
    }
    z
}

#[test]
fn branch_result_carried_to_the_next_iteration() {
    let (x, y, n) = (1.1, -0.6, 7);
    let (mut z, mut zx, mut zy) = (y, 0.0, 1.0);
    for i in 0..n {
        if i % 2 == 0 {
            (zx, zy) = (zx * x + z, zy * x);
            z *= x;
        } else {
            zx += 2.0 * x;
            z += x * x;
        }
    }
    let (v, dx, dy) = alternate_grad(x, y, n);
    assert_eq!(v, alternate(x, y, n));
    assert_relative_eq!(v, z, max_relative = 1e-14);
    assert_relative_eq!(dx, zx, max_relative = 1e-13);
    assert_relative_eq!(dy, zy, max_relative = 1e-13);
    check2(|x, y| alternate(x, y, n), x, y, dx, dy);
}

/// A branch on the differentiable state inside the loop: fold back above 1.
#[differentiate]
fn fold_back(x: f64, c: f64) -> f64 {
    let mut y = x;
    for _ in 0..12 {
        if y > 1.0 {
            y = c / y;
        } else {
            y = 1.5 * y + c * y * y;
        }
    }
    y
}

#[test]
fn float_branch_on_the_state_inside_a_loop() {
    for (x, c) in [(0.3, 0.4), (2.0, 0.7), (0.05, 0.9)] {
        let (mut y, mut yx, mut yc) = (x, 1.0, 0.0);
        let mut took = [false, false];
        for _ in 0..12 {
            if y > 1.0 {
                took[0] = true;
                (yx, yc) = (-c / (y * y) * yx, 1.0 / y - c / (y * y) * yc);
                y = c / y;
            } else {
                took[1] = true;
                let slope = 1.5 + 2.0 * c * y;
                (yx, yc) = (slope * yx, slope * yc + y * y);
                y = 1.5 * y + c * y * y;
            }
        }
        assert_eq!(took, [true, true], "both branches run at x = {x}, c = {c}");
        let (v, dx, dc) = fold_back_grad(x, c);
        assert_eq!(v, fold_back(x, c));
        assert_relative_eq!(v, y, max_relative = 1e-14);
        assert_relative_eq!(dx, yx, max_relative = 1e-12);
        assert_relative_eq!(dc, yc, max_relative = 1e-12);
        check2(fold_back, x, c, dx, dc);
    }
}

/// A `for` in one branch and a `while` with a float condition in the other.
#[differentiate]
fn loop_in_branch(x: f64, n: usize) -> f64 {
    if x > 0.0 {
        let mut s = 0.0;
        for k in 1..=n {
            s += x.powi(k as i32) / k as f64;
        }
        s
    } else {
        let mut y = x;
        let mut m = 0;
        while m < n && y < 10.0 {
            y = y * y + x;
            m += 1;
        }
        y
    }
}

#[test]
fn loops_inside_both_branches() {
    let n = 6;
    // x > 0: Σ x^k/k, derivative Σ x^(k−1).
    let x = 0.7_f64;
    let (v, dx) = loop_in_branch_grad(x, n);
    let value: f64 = (1..=6).map(|k| x.powi(k) / f64::from(k)).sum();
    let derivative: f64 = (1..=6).map(|k| x.powi(k - 1)).sum();
    assert_eq!(v, loop_in_branch(x, n));
    assert_relative_eq!(v, value, max_relative = 1e-14);
    assert_relative_eq!(dx, derivative, max_relative = 1e-13);
    check1(|x| loop_in_branch(x, n), x, dx);
    // x < 0: y ← y² + x, by forward mode.
    let x = -0.6_f64;
    let (mut y, mut yx) = (x, 1.0);
    for _ in 0..n {
        yx = 2.0 * y * yx + 1.0;
        y = y * y + x;
    }
    let (v, dx) = loop_in_branch_grad(x, n);
    assert_eq!(v, loop_in_branch(x, n));
    assert_relative_eq!(v, y, max_relative = 1e-14);
    assert_relative_eq!(dx, yx, max_relative = 1e-13);
    check1(|x| loop_in_branch(x, n), x, dx);
    // The float condition stops the while loop early: x = −3 → 6 → 33 > 10 after two.
    let (v, dx) = loop_in_branch_grad(-3.0, n);
    assert_eq!(v, 33.0);
    // y1 = x² + x, y2 = y1² + x: dy2/dx = 2·y1·(2x + 1) + 1 = 2·6·(−5) + 1.
    assert_eq!(dx, -59.0);
}

/// `break` out of a reversed range: the reverse sweep cannot rerun the range (it
/// does not know where the loop stopped), so what it needs of the index comes
/// from the stack.
#[differentiate]
fn descend_until(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    for i in (0..n).rev() {
        s += (x * i as f64).sin();
        if s > 1.5 {
            break;
        }
    }
    s
}

#[test]
fn break_out_of_a_reversed_range() {
    let n = 10;
    // x = 0.3: sin 2.7 + sin 2.4 = 1.10, + sin 2.1 = 1.97 > 1.5 after i = 9, 8, 7.
    // x = 0.05: sin(0.05·i) for i = 9 … 6 sums to 1.46, + sin 0.25 = 1.71 after i = 5.
    for (x, first, last) in [(0.3_f64, 9, 7), (0.05, 9, 5)] {
        let indices = || (last..=first).map(f64::from);
        let value: f64 = indices().map(|i| (x * i).sin()).sum();
        let derivative: f64 = indices().map(|i| i * (x * i).cos()).sum();
        let ((v, dx), used) = recorded_by(|| descend_until_grad(x, n));
        assert_eq!(v, descend_until(x, n));
        assert!(v > 1.5 && v - (x * f64::from(last)).sin() <= 1.5);
        assert_relative_eq!(v, value, max_relative = 1e-14);
        assert_relative_eq!(dx, derivative, max_relative = 1e-13);
        check1(|x| descend_until(x, n), x, dx);
        // Per iteration two f64s: `i as f64` (after a `break` the reverse loop
        // cannot replay the range, so the index is not recomputable) and the sine
        // of x·i (an elementary function's output); x·i is recomputed from the
        // first. No words: the trip count of a top-level loop is a local.
        let trips = (first - last + 1) as usize;
        assert_eq!(
            used,
            StackUsage {
                f64s: 2 * trips,
                f32s: 0,
                words: 0
            }
        );
    }
}

/// The inner range ends at an integer the outer loop carries and changes.
#[differentiate]
fn growing_rows(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    let mut m = 1_usize;
    for _ in 0..n {
        for j in 0..m {
            s += x.powi(j as i32);
        }
        m += 2;
    }
    s
}

#[test]
fn inner_range_bound_carried_by_the_outer_loop() {
    let (x, n) = (0.5_f64, 3);
    // Rows of 1, 3 and 5 terms: Σ_{j<m} x^j for m = 1, 3, 5.
    let rows = [1, 3, 5];
    let value: f64 = rows.iter().flat_map(|&m| 0..m).map(|j| x.powi(j)).sum();
    let derivative: f64 = rows
        .iter()
        .flat_map(|&m| 1..m)
        .map(|j| f64::from(j) * x.powi(j - 1))
        .sum();
    let ((v, dx), used) = recorded_by(|| growing_rows_grad(x, n));
    assert_eq!(v, growing_rows(x, n));
    assert_relative_eq!(v, value, max_relative = 1e-14);
    assert_relative_eq!(dx, derivative, max_relative = 1e-14);
    check1(|x| growing_rows(x, n), x, dx);
    // Per outer iteration the inner bound m (a word: it is carried, so the reverse
    // cannot recompute it); per inner iteration the output of powi, which its rule
    // reads. x is a parameter and j as i32 is recomputed from the reversed index.
    assert_eq!(
        used,
        StackUsage {
            f64s: 1 + 3 + 5,
            f32s: 0,
            words: 3
        }
    );
}

/// A `while` walking a constant slice with its own counter.
#[differentiate(wrt(x))]
fn sine_series(x: f64, c: &[f64]) -> f64 {
    let mut s = 0.0;
    let mut k = 0;
    while k < c.len() {
        s += (x * c[k]).sin();
        k += 1;
    }
    s
}

#[test]
fn while_counter_indexes_constant_data() {
    let c = [1.0, -2.0, 3.5, 0.25];
    let x = 0.3;
    let ((v, dx), used) = recorded_by(|| sine_series_grad(x, &c));
    assert_eq!(v, sine_series(x, &c));
    let value: f64 = c.iter().map(|ck| (x * ck).sin()).sum();
    let derivative: f64 = c.iter().map(|ck| ck * (x * ck).cos()).sum();
    assert_relative_eq!(v, value, max_relative = 1e-14);
    assert_relative_eq!(dx, derivative, max_relative = 1e-14);
    check1(|x| sine_series(x, &c), x, dx);
    // Per iteration two f64s: c[k] (k is carried by the `while`, so the element
    // cannot be read again) and the sine; x·c[k] is recomputed from c[k].
    assert_eq!(
        used,
        StackUsage {
            f64s: 2 * c.len(),
            f32s: 0,
            words: 0
        }
    );
}

// ---------------------------------------------------------------------------------
// Loops that never run
// ---------------------------------------------------------------------------------

#[differentiate]
fn pass_through(x: f64, y: f64, n: usize) -> f64 {
    let mut s = x * y;
    for _ in 0..n {
        s = s.sin() * y;
    }
    for k in (1..=n).rev() {
        s += x.powi(k as i32);
    }
    for i in (3..n + 3).step_by(2) {
        s *= x + i as f64;
    }
    let mut m = n;
    while m > 0 {
        s = s * y - x;
        m -= 1;
    }
    while s > 1e6 {
        s = s.sqrt();
    }
    s
}

#[test]
fn loops_that_run_zero_times_pass_the_value_through() {
    let (x, y) = (0.6, 1.1);
    let ((v, dx, dy), used) = recorded_by(|| pass_through_grad(x, y, 0));
    assert_eq!(v, x * y);
    assert_eq!((dx, dy), (y, x));
    // Nothing ran, so nothing was recorded.
    assert_eq!(used, StackUsage::default());
    // The same function with the loops running, for contrast.
    let (v, dx, dy) = pass_through_grad(x, y, 2);
    assert_eq!(v, pass_through(x, y, 2));
    assert!((v - x * y).abs() > 1.0);
    check2(|x, y| pass_through(x, y, 2), x, y, dx, dy);
}

// ---------------------------------------------------------------------------------
// A million iterations: gradients and what is recorded
// ---------------------------------------------------------------------------------

const MILLION: usize = 1_000_000;

/// `x · cⁿ`, one multiplication per iteration.
#[differentiate]
fn geometric(x: f64, c: f64, n: usize) -> f64 {
    let mut y = x;
    for _ in 0..n {
        y *= c;
    }
    y
}

#[test]
fn million_products_record_one_f64_per_iteration() {
    let (x, c) = (0.75, 1.0 + 1e-6);
    let ((v, dx, dc), used) = recorded_by(|| geometric_grad(x, c, MILLION));
    let n = MILLION as i32;
    assert_eq!(v, geometric(x, c, MILLION));
    // A million roundings drift by ~1e-13; the tolerance leaves room for that.
    assert_relative_eq!(v, x * c.powi(n), max_relative = 1e-9);
    assert_relative_eq!(dx, c.powi(n), max_relative = 1e-9);
    assert_relative_eq!(dc, f64::from(n) * x * c.powi(n - 1), max_relative = 1e-9);
    // The reverse of `y * c` needs y (for c's adjoint) and c (for y's). c is a
    // parameter, in scope during the reverse sweep, so only y is recorded: one f64
    // per iteration. No words: the reverse loop runs over 0..n backwards (a
    // top-level loop's trip count would be a local anyway, not a stack word).
    assert_eq!(
        used,
        StackUsage {
            f64s: MILLION,
            f32s: 0,
            words: 0
        }
    );
}

#[differentiate]
fn linear_steps(x: f64, y: f64, n: usize) -> f64 {
    let mut s = y;
    for _ in 0..n {
        s += x;
    }
    let mut t = s;
    for _ in 0..n {
        t = 0.5 * t - 0.25 * x;
    }
    s + t
}

#[test]
fn million_linear_steps_record_nothing() {
    let (x, y) = (0.3, -2.0);
    let ((v, dx, dy), used) = recorded_by(|| linear_steps_grad(x, y, MILLION));
    assert_eq!(v, linear_steps(x, y, MILLION));
    // s = y + n·x exactly in the derivative; t forgets s (0.5ⁿ underflows to 0)
    // and settles at the fixed point t = −x/2, whose derivative is −1/2.
    let n = MILLION as f64;
    assert_relative_eq!(v, y + n * x - 0.5 * x, max_relative = 1e-9);
    assert_relative_eq!(dx, n - 0.5, max_relative = 1e-15);
    assert_eq!(dy, 1.0);
    // Adds, and products with literals, have constant partials: nothing to record.
    assert_eq!(used, StackUsage::default());
}

/// y ← c·sin y, which converges to the fixed point y* = c·sin y*.
#[differentiate]
fn sine_map(y0: f64, c: f64, n: usize) -> f64 {
    let mut y = y0;
    for _ in 0..n {
        y = c * y.sin();
    }
    y
}

#[test]
fn million_sine_steps_record_two_f64s_per_iteration() {
    let (y0, c) = (0.4, 2.0);
    let ((v, d_y0, dc), used) = recorded_by(|| sine_map_grad(y0, c, MILLION));
    assert_eq!(v, sine_map(y0, c, MILLION));
    assert_relative_eq!(v, c * v.sin(), max_relative = 1e-14);
    // At the fixed point dy = sin y·dc + c·cos y·dy, so dy/dc = sin y/(1 − c·cos y);
    // the start is forgotten (|c·cos y*| ≈ 0.64 per step).
    assert_relative_eq!(dc, v.sin() / (1.0 - c * v.cos()), max_relative = 1e-12);
    assert_eq!(d_y0, 0.0);
    // The sine rule reads its argument y and its output sin y; the product's other
    // factor c is a parameter. Two f64s per iteration.
    assert_eq!(
        used,
        StackUsage {
            f64s: 2 * MILLION,
            f32s: 0,
            words: 0
        }
    );
    // A few steps, where the start still matters, against forward mode.
    let (mut y, mut yy0, mut yc) = (y0, 1.0, 0.0);
    for _ in 0..20 {
        (yy0, yc) = (c * y.cos() * yy0, y.sin() + c * y.cos() * yc);
        y = c * y.sin();
    }
    let (v, d_y0, dc) = sine_map_grad(y0, c, 20);
    assert_relative_eq!(v, y, max_relative = 1e-14);
    assert_relative_eq!(d_y0, yy0, max_relative = 1e-12);
    assert_relative_eq!(dc, yc, max_relative = 1e-12);
}

/// Multiplies on every third iteration, adds otherwise.
#[differentiate]
fn every_third(x: f64, n: usize) -> f64 {
    let mut s = 1.0;
    for i in 0..n {
        if i % 3 == 0 {
            s *= x;
        } else {
            s += x;
        }
    }
    s
}

#[test]
fn a_branch_on_the_index_is_recomputed_not_recorded() {
    let x = 1.0 - 1e-6;
    let n = MILLION;
    let ((v, dx), used) = recorded_by(|| every_third_grad(x, n));
    assert_eq!(v, every_third(x, n));
    let (mut s, mut sx) = (1.0, 0.0);
    for i in 0..n {
        if i % 3 == 0 {
            sx = sx * x + s;
            s *= x;
        } else {
            sx += 1.0;
            s += x;
        }
    }
    assert_relative_eq!(v, s, max_relative = 1e-12);
    assert_relative_eq!(dx, sx, max_relative = 1e-9);
    // Per iteration: s, the carried value the product's reverse reads. It is the
    // loop body's argument, so it is recorded on every iteration, also those that
    // take the adding branch. The flag `i % 3 == 0` is not recorded: it depends
    // only on the index, which the reverse loop has too (it runs over the same
    // range backwards), so it is recomputed there.
    assert_eq!(
        used,
        StackUsage {
            f64s: n,
            f32s: 0,
            words: 0
        }
    );
}

/// Linear in both branches; which one runs depends on the differentiable state.
#[differentiate]
fn reset_above_two(x: f64, n: usize) -> f64 {
    let mut s = x;
    for _ in 0..n {
        if s > 2.0 {
            s -= 1.5 * x;
        } else {
            s = 0.5 * s + x;
        }
    }
    s
}

#[test]
fn a_branch_on_the_state_records_the_state_per_iteration() {
    // x = 1.5: s runs x → 1.5·x = 2.25 → 0 → x → …, with ∂s/∂x = 1 → 1.5 → 0 → 1.
    let x = 1.5;
    let ((v, dx), used) = recorded_by(|| reset_above_two_grad(x, MILLION));
    assert_eq!(v, reset_above_two(x, MILLION));
    assert_eq!(MILLION % 3, 1);
    assert_eq!(v, 2.25);
    assert_eq!(dx, 1.5);
    // The branch taken depends on the carried s, so s is recorded (one f64 per
    // iteration) and the flag `s > 2` recomputed from it. Both branches are
    // linear, so nothing else.
    assert_eq!(
        used,
        StackUsage {
            f64s: MILLION,
            f32s: 0,
            words: 0
        }
    );
    let (v, dx) = reset_above_two_grad(0.9, 7);
    let (mut s, mut sx) = (0.9, 1.0);
    for _ in 0..7 {
        if s > 2.0 {
            (s, sx) = (s - 1.5 * 0.9, sx - 1.5);
        } else {
            (s, sx) = (0.5 * s + 0.9, 0.5 * sx + 1.0);
        }
    }
    assert_relative_eq!(v, s, max_relative = 1e-14);
    assert_relative_eq!(dx, sx, max_relative = 1e-14);
    check1(|x| reset_above_two(x, 7), 0.9, dx);
}

#[differentiate]
fn square_grid(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    for _ in 0..n {
        for _ in 0..n {
            s += x;
        }
    }
    s
}

#[test]
fn nested_loops_over_invariant_ranges_record_nothing() {
    let ((v, dx), used) = recorded_by(|| square_grid_grad(0.5, 1000));
    assert_eq!(v, square_grid(0.5, 1000));
    assert_eq!(v, 500_000.0);
    assert_eq!(dx, 1e6);
    // A million iterations in all, with a linear body: no floats. The reverse
    // loops run over the same ranges backwards (n is a parameter), so not even
    // the inner trip counts are recorded.
    assert_eq!(used, StackUsage::default());
}

/// Halves x·(i + 1) until it is at most 1, for each i.
#[differentiate]
fn halvings(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        let mut y = x * (i as f64 + 1.0);
        while y > 1.0 {
            y *= 0.5;
        }
        s += y;
    }
    s
}

#[test]
fn an_inner_while_records_its_trip_count_per_outer_iteration() {
    let (x, n) = (0.7, 1000);
    let ((v, dx), used) = recorded_by(|| halvings_grad(x, n));
    assert_eq!(v, halvings(x, n));
    let (mut value, mut derivative) = (0.0, 0.0);
    for i in 0..n {
        let factor = i as f64 + 1.0;
        let mut halves = 1.0;
        while x * factor * halves > 1.0 {
            halves *= 0.5;
        }
        value += x * factor * halves;
        derivative += factor * halves;
    }
    assert_relative_eq!(v, value, max_relative = 1e-14);
    assert_relative_eq!(dx, derivative, max_relative = 1e-14);
    check1(|x| halvings(x, n), x, dx);
    // How often the while loop ran depends on the float x: one word per outer
    // iteration. The factor i + 1 the product's reverse reads is recomputed
    // from the index, so no floats.
    assert_eq!(
        used,
        StackUsage {
            f64s: 0,
            f32s: 0,
            words: n
        }
    );
}

#[differentiate]
fn geometric_f32(x: f32, c: f32, n: usize) -> f32 {
    let mut y = x;
    for _ in 0..n {
        y *= c;
    }
    y
}

#[test]
fn f32_values_go_to_their_own_buffer() {
    let ((v, dx, dc), used) = recorded_by(|| geometric_f32_grad(2.0, 0.5, 10));
    assert_eq!(v, geometric_f32(2.0, 0.5, 10));
    assert_eq!(v, 2.0 / 1024.0);
    assert_eq!(dx, 1.0 / 1024.0);
    assert_eq!(dc, 10.0 * 2.0 / 512.0);
    assert_eq!(
        used,
        StackUsage {
            f64s: 0,
            f32s: 10,
            words: 0
        }
    );
}
