//! Loop-carried and branch-yielded values whose adjoint must arrive whole (issue 13):
//! a carried value that is only written in the body (the previous iterate kept for
//! later), only copied, swapped, assigned in one branch, after a `break` or
//! `continue`, shadowed, written by an inner loop only, or yielded by an `if` and
//! never read before the loop ends. Before the fix several of these compiled and
//! returned a gradient off by factors, silently.
//!
//! Every expectation is exact: a closed form derived by hand, or the same function
//! evaluated over num-dual's dual numbers. The tolerance (1e-12 relative) fails a
//! wrong sign, a missing term or a dropped adjoint.

// The functions are written as the users wrote them (`x = x * 2.0`).
#![allow(clippy::assign_op_pattern, clippy::manual_swap, clippy::useless_vec)]

use ad::differentiate;
use common::{assert_close, dual_partial};

use num_dual::{Dual64, DualNum};

mod common;

// The minimal form from the issue: `px` is assigned in the body and never read there.
#[differentiate]
fn previous_iterate(x0: f64) -> f64 {
    let mut x = x0;
    let mut px = x;
    for _ in 0..3 {
        px = x;
        x = x * 2.0;
    }
    px
}

#[differentiate]
fn previous_plus_current(x0: f64) -> f64 {
    let mut x = x0;
    let mut px = x;
    for _ in 0..3 {
        px = x;
        x = x * 2.0;
    }
    px + x
}

#[test]
fn the_previous_iterate_gets_its_adjoint() {
    // px = 4 x0 after three doublings; px + x = 4 x0 + 8 x0.
    assert_eq!(previous_iterate_grad(0.7), (2.8, 4.0));
    assert_eq!(
        previous_plus_current_grad(0.7),
        (0.7 * 4.0 + 0.7 * 8.0, 12.0)
    );
}

// `last = x` after the update: a copy of the carried value, not of the previous one.
#[differentiate]
fn last_after_update(x0: f64) -> f64 {
    let mut x = x0;
    let mut last = 0.0;
    for _ in 0..4 {
        x = x * x;
        last = x;
    }
    last
}

#[test]
fn a_copy_after_the_update() {
    // x0^16: derivative 16 x0^15.
    let (value, dx) = last_after_update_grad(1.1);
    assert_close("value", value, 1.1f64.powi(16));
    assert_close("dx", dx, 16.0 * 1.1f64.powi(15));
}

// A copy of a parameter, and a copy through `* 1.0`.
#[differentiate]
fn copies_a_parameter(x0: f64, y: f64) -> f64 {
    let mut x = x0;
    let mut py = 0.0;
    let mut px = 0.0;
    for _ in 0..3 {
        py = y;
        px = x * 1.0;
        x = x * y;
    }
    py * px + x
}

#[test]
fn copies_of_a_parameter_and_through_a_unit_factor() {
    // px = x0 y², py = y, x = x0 y³: f = x0 y³ + x0 y³ = 2 x0 y³.
    let (x0, y) = (0.8, 1.3);
    let (value, dx, dy) = copies_a_parameter_grad(x0, y);
    assert_close("value", value, 2.0 * x0 * y.powi(3));
    assert_close("dx", dx, 2.0 * y.powi(3));
    assert_close("dy", dy, 6.0 * x0 * y * y);
}

// `while` loops: a constant condition, and a condition on the carried float.
#[differentiate]
fn previous_in_while(x0: f64) -> f64 {
    let mut x = x0;
    let mut px = x;
    let mut k = 0;
    while k < 3 {
        px = x;
        x = x * 2.0;
        k += 1;
    }
    px
}

#[differentiate]
fn previous_in_float_while(x0: f64) -> f64 {
    let mut x = x0;
    let mut px = x;
    while x < 10.0 {
        px = x;
        x = x * 2.0;
    }
    px * px
}

#[test]
fn while_loops_keep_the_previous_iterate() {
    assert_eq!(previous_in_while_grad(0.7), (2.8, 4.0));
    // 0.7 → 1.4 → 2.8 → 5.6 → 11.2: px = 8 x0, f = 64 x0², f' = 128 x0.
    let (value, dx) = previous_in_float_while_grad(0.7);
    assert_close("value", value, 5.6 * 5.6);
    assert_close("dx", dx, 128.0 * 0.7);
}

// Swaps: a carried value that is only copied from another one.
#[differentiate]
fn fibonacci(a0: f64, b0: f64) -> f64 {
    let mut a = a0;
    let mut b = b0;
    for _ in 0..6 {
        (a, b) = (b, a + b);
    }
    a
}

#[differentiate]
fn swap_by_array(u0: f64, v0: f64) -> f64 {
    let mut u = u0;
    let mut v = v0;
    for _ in 0..3 {
        [u, v] = [v, u];
        u = u * 2.0;
    }
    u + 10.0 * v
}

#[differentiate]
fn swap_by_temporary(u0: f64, v0: f64) -> f64 {
    let mut u = u0;
    let mut v = v0;
    for _ in 0..3 {
        let t = u;
        u = v;
        v = t;
    }
    u + 10.0 * v
}

#[test]
fn swapped_values_route_their_adjoints() {
    // a_6 = F5 a0 + F6 b0 = 5 a0 + 8 b0.
    assert_eq!(fibonacci_grad(0.3, 0.5), (5.0 * 0.3 + 8.0 * 0.5, 5.0, 8.0));
    // Three odd swaps: u = v0 swapped in... traced by hand:
    // (u, v) → (2v, u) → (2u, 2v) → (4v, 2u): u = 4 v0, v = 2 u0.
    let (value, du, dv) = swap_by_array_grad(0.3, 0.5);
    assert_close("value", value, 4.0 * 0.5 + 10.0 * 2.0 * 0.3);
    assert_eq!((du, dv), (20.0, 4.0));
    // An odd number of plain swaps: u = v0, v = u0.
    assert_eq!(swap_by_temporary_grad(0.3, 0.5), (0.5 + 3.0, 10.0, 1.0));
}

// Assigned in one branch only; an `if` value read only after the loop.
#[differentiate]
fn kept_in_one_branch(x0: f64) -> f64 {
    let mut x = x0;
    let mut kept = 0.0;
    for i in 0..5 {
        if i % 2 == 0 {
            kept = x;
        }
        x = x * 3.0;
    }
    kept
}

#[differentiate]
fn if_value_read_after_the_loop(x0: f64) -> f64 {
    let mut x = x0;
    let mut y = 0.0;
    for i in 0..4 {
        y = if i < 2 { x * x } else { x * 5.0 };
        x = x + 1.0;
    }
    y
}

#[test]
fn branch_values_that_only_leave_the_loop() {
    // kept = x after i = 4: 81 x0.
    assert_eq!(kept_in_one_branch_grad(0.5), (40.5, 81.0));
    // Last iteration i = 3: y = 5 (x0 + 3).
    assert_eq!(if_value_read_after_the_loop_grad(0.5), (17.5, 5.0));
}

// Assignments after `break` and `continue`.
#[differentiate]
fn assigned_after_continue(x0: f64, n: usize) -> f64 {
    let mut x = x0;
    let mut px = 0.0;
    for i in 0..5 {
        x = x * 2.0;
        if i == n {
            continue;
        }
        px = x;
    }
    px
}

#[differentiate]
fn assigned_after_break(x0: f64, n: usize) -> f64 {
    let mut x = x0;
    let mut px = 0.0;
    for i in 0..5 {
        if i == n {
            break;
        }
        px = x;
        x = x * 2.0;
    }
    px + x
}

#[test]
fn updates_after_break_and_continue() {
    // Skipping the last iteration's copy leaves px = 16 x0 (from i = 3).
    assert_eq!(assigned_after_continue_grad(0.25, 4), (4.0, 16.0));
    assert_eq!(assigned_after_continue_grad(0.25, 9), (8.0, 32.0));
    // Breaking at i = 2: px = 2 x0, x = 4 x0.
    assert_eq!(assigned_after_break_grad(0.25, 2), (1.5, 6.0));
    // Breaking at i = 0: px = 0, x = x0.
    assert_eq!(assigned_after_break_grad(0.25, 0), (0.25, 1.0));
}

// Shadowing inside the body.
#[differentiate]
fn shadowed_in_the_body(x0: f64) -> f64 {
    let mut x = x0;
    let mut px = 0.0;
    for _ in 0..3 {
        let x2 = x * x;
        let x = x2 + 1.0;
        px = x;
    }
    x = x * 3.0;
    px + x
}

#[test]
fn a_shadowing_let_is_not_the_carried_value() {
    // The inner `x` shadows; the carried `x` is unchanged: px = x0² + 1, then x = 3 x0.
    let x0 = 0.6;
    let (value, dx) = shadowed_in_the_body_grad(x0);
    assert_close("value", value, x0 * x0 + 1.0 + 3.0 * x0);
    assert_close("dx", dx, 2.0 * x0 + 3.0);
}

// Nested loops where only the inner one writes the outer variable.
#[differentiate]
fn written_by_the_inner_loop(x0: f64) -> f64 {
    let mut x = x0;
    let mut px = 0.0;
    for _ in 0..3 {
        for _ in 0..2 {
            px = x;
            x = x * 1.5;
        }
    }
    px
}

#[test]
fn an_inner_loop_writes_an_outer_variable() {
    // Six updates, px holds the fifth: 1.5⁵ x0.
    let (value, dx) = written_by_the_inner_loop_grad(2.0);
    assert_close("value", value, 2.0 * 1.5f64.powi(5));
    assert_close("dx", dx, 1.5f64.powi(5));
}

// A carried slice element: a buffer written every iteration, read after the loop.
#[differentiate]
fn kept_in_a_buffer(x0: f64) -> f64 {
    let mut x = x0;
    let mut history = vec![0.0; 2];
    for _ in 0..3 {
        history[0] = history[1];
        history[1] = x;
        x = x * 2.0;
    }
    history[0] + 10.0 * history[1]
}

#[test]
fn a_buffer_element_kept_from_the_previous_iteration() {
    // history = [2 x0, 4 x0].
    assert_eq!(kept_in_a_buffer_grad(0.5), (21.0, 42.0));
}

// Real code of this shape: the last Rayleigh quotient of a power iteration.
#[differentiate]
fn rayleigh(a: f64, b: f64, c: f64) -> f64 {
    let (mut v0, mut v1) = (1.0, 0.5);
    let mut quotient = 0.0;
    for _ in 0..6 {
        let w0 = a * v0 + b * v1;
        let w1 = b * v0 + c * v1;
        quotient = (v0 * w0 + v1 * w1) / (v0 * v0 + v1 * v1);
        let norm = (w0 * w0 + w1 * w1).sqrt();
        v0 = w0 / norm;
        v1 = w1 / norm;
    }
    quotient
}

fn rayleigh_dual(a: Dual64, b: Dual64, c: Dual64) -> Dual64 {
    let (mut v0, mut v1) = (Dual64::from(1.0), Dual64::from(0.5));
    let mut quotient = Dual64::from(0.0);
    for _ in 0..6 {
        let w0 = a * v0 + b * v1;
        let w1 = b * v0 + c * v1;
        quotient = (v0 * w0 + v1 * w1) / (v0 * v0 + v1 * v1);
        let norm = (w0 * w0 + w1 * w1).sqrt();
        v0 = w0 / norm;
        v1 = w1 / norm;
    }
    quotient
}

#[test]
fn the_last_rayleigh_quotient_of_a_power_iteration() {
    let point = [2.0, 0.7, 1.1];
    let (value, da, db, dc) = rayleigh_grad(point[0], point[1], point[2]);
    assert_close("value", value, rayleigh(point[0], point[1], point[2]));
    for (k, got) in [da, db, dc].into_iter().enumerate() {
        let want = dual_partial(|p| rayleigh_dual(p[0], p[1], p[2]), &point, k);
        assert_close(&format!("d{k}"), got, want);
    }
}

// An integrator that keeps its previous state to interpolate where the trajectory
// crosses zero.
#[differentiate]
fn crossing_time(height: f64, speed: f64) -> f64 {
    let dt = 0.01;
    let (mut t, mut y, mut v) = (0.0, height, speed);
    let (mut t_prev, mut y_prev) = (t, y);
    while y > 0.0 {
        t_prev = t;
        y_prev = y;
        v = v - 9.81 * dt;
        y = y + v * dt;
        t = t + dt;
    }
    t_prev + y_prev * (t - t_prev) / (y_prev - y)
}

fn crossing_time_dual(height: Dual64, speed: Dual64) -> Dual64 {
    let dt = 0.01;
    let (mut t, mut y, mut v) = (Dual64::from(0.0), height, speed);
    let (mut t_prev, mut y_prev) = (t, y);
    while y > Dual64::from(0.0) {
        t_prev = t;
        y_prev = y;
        v = v - Dual64::from(9.81 * dt);
        y = y + v * dt;
        t = t + Dual64::from(dt);
    }
    t_prev + y_prev * (t - t_prev) / (y_prev - y)
}

#[test]
fn interpolating_a_zero_crossing_with_the_previous_state() {
    let point = [2.0, 1.5];
    let (value, dh, ds) = crossing_time_grad(point[0], point[1]);
    assert_close("value", value, crossing_time(point[0], point[1]));
    for (k, got) in [dh, ds].into_iter().enumerate() {
        let want = dual_partial(|p| crossing_time_dual(p[0], p[1]), &point, k);
        assert_close(&format!("d{k}"), got, want);
        assert!(want.abs() > 1e-3, "a non-trivial derivative");
    }
}

// A Newton solve whose previous iterate only feeds the convergence test.
#[differentiate]
fn newton_sqrt(a: f64) -> f64 {
    let mut x = a;
    let mut previous = 0.0;
    let mut steps = 0;
    while (x - previous).abs() > 1e-12 && steps < 50 {
        previous = x;
        x = 0.5 * (x + a / x);
        steps += 1;
    }
    previous
}

#[test]
fn the_previous_newton_iterate() {
    // At convergence `previous` equals sqrt(a) to rounding; its derivative through
    // the unrolled iteration is 1 / (2 sqrt a) to within the last step's change.
    let (value, da) = newton_sqrt_grad(2.0);
    assert_close("value", value, 2.0f64.sqrt());
    assert!((da - 0.5 / 2.0f64.sqrt()).abs() < 1e-9, "da = {da}");
}
