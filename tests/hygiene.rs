//! Generated code compiles in a strict user crate and cannot clash with user names.
#![deny(warnings)]
#![forbid(unsafe_code)]

use ad::differentiate;
use approx::assert_relative_eq;

/// A user's names that look like the macro's own temporaries and parameters.
#[differentiate]
pub fn clash(seed: f64, d_seed: f64, value: f64) -> f64 {
    let v2 = seed * d_seed;
    let v3 = v2 + value;
    let __ad_v0 = v3 * v3;
    __ad_v0 + seed
}

#[test]
fn user_names_that_look_generated_work() {
    let (v, d_seed, d_d_seed, d_value) = clash_grad(1.5, 2.0, -0.5);
    let s = 1.5 * 2.0 - 0.5;
    assert_relative_eq!(v, s * s + 1.5);
    assert_relative_eq!(d_seed, 2.0 * s * 2.0 + 1.0);
    assert_relative_eq!(d_d_seed, 2.0 * s * 1.5);
    assert_relative_eq!(d_value, 2.0 * s);
}

/// An unused differentiable parameter gets a zero adjoint and no warning.
#[differentiate]
fn unused_parameter(x: f64, _y: f64) -> f64 {
    x * 2.0
}

#[test]
fn unused_parameter_has_zero_adjoint() {
    assert_eq!(unused_parameter_grad(3.0, 4.0), (6.0, 2.0, 0.0));
    assert_eq!(unused_parameter(1.0, 0.0), 2.0);
}

/// Constants of every kind next to floats.
#[differentiate(wrt(x))]
fn constants(x: f64, n: usize, flag: bool, scale: f64, _: u8) -> f64 {
    let k = (n * 2 + 1) as f64;
    let sign = if_else(flag);
    sign * k * x * scale + std::f64::consts::PI + f64::EPSILON
}

fn if_else(flag: bool) -> f64 {
    if flag {
        1.0
    } else {
        -1.0
    }
}

#[test]
fn constants_are_not_differentiated() {
    let (v, dx) = constants_grad(2.0, 3, false, 0.5, 7);
    assert_relative_eq!(v, -7.0 + std::f64::consts::PI + f64::EPSILON);
    assert_relative_eq!(dx, -3.5);
    assert_relative_eq!(constants(2.0, 3, true, 0.5, 0), v + 14.0);
}

/// A parameter the body only binds to `_` is unused in the generated code too.
#[differentiate]
fn bound_to_underscore(x: f64, y: f64, n: usize) -> f64 {
    let _ = x;
    let _m = n;
    y * 3.0
}

#[test]
fn parameters_bound_to_underscore_compile_without_warnings() {
    assert_eq!(bound_to_underscore_grad(1.0, 2.0, 3), (6.0, 0.0, 3.0));
    assert_eq!(bound_to_underscore(1.0, 2.0, 3), 6.0);
}

/// Only the gradient of this function is called: the function itself must not be
/// reported as dead code.
#[differentiate]
fn only_its_gradient_is_used(x: f64) -> f64 {
    x.sin()
}

#[test]
fn calling_only_the_gradient_leaves_no_dead_code_warning() {
    assert_eq!(only_its_gradient_is_used_grad(0.0), (0.0, 1.0));
}

/// Observing macros run in the forward sweep, as written; they are not differentiated.
#[differentiate]
fn observed(x: f64, n: usize, w: &[f64]) -> f64 {
    assert!(x > 0.0, "x must be positive, got {x}");
    debug_assert_eq!(w.len(), n);
    let mut s = 0.0;
    for (i, wi) in w.iter().enumerate() {
        s += wi * x.powi(i as i32);
        debug_assert!(s.is_finite(), "term {} overflowed", i);
    }
    if s > 1e300 {
        eprintln!("large: {s} for x = {}", x);
    }
    s
}

#[test]
fn observing_macros_run_in_the_forward_sweep() {
    let w = [1.0, 2.0, 3.0];
    let (v, dx, dw) = observed_grad(0.5, 3, &w);
    assert_eq!(v, observed(0.5, 3, &w));
    assert_eq!(dx, 2.0 + 6.0 * 0.5);
    assert_eq!(dw, vec![1.0, 0.5, 0.25]);
}

#[test]
#[should_panic(expected = "x must be positive, got -1")]
fn a_failing_assertion_fails_the_gradient_too() {
    let _ = observed_grad(-1.0, 1, &[1.0]);
}

/// Locals named like the generated code's own (`stack`, `seed`, `value`, `slot0`,
/// `trips_3`, `d_x`, `v7`) in a function whose gradient uses the value stack.
#[differentiate]
#[allow(clippy::let_and_return)] // the last binding is part of the test
fn internal_looking_names(x: f64, n: usize) -> f64 {
    let mut stack = x;
    let mut seed = 0.0;
    let value = 2.0;
    for trips_3 in 0..n {
        let slot0 = (stack * value).sin();
        let d_x = slot0 * trips_3 as f64;
        seed += d_x;
        stack = slot0 + stack * 0.5;
    }
    let v7 = seed + stack;
    let grad = v7 * v7;
    let tape = grad.sqrt();
    let adj = tape;
    adj
}

#[test]
fn locals_named_like_internals_work() {
    let (x, n) = (0.3, 4);
    let (v, dx) = internal_looking_names_grad(x, n);
    assert_eq!(v, internal_looking_names(x, n));
    ad::check_gradient(|p: &[f64]| internal_looking_names(p[0], n), &[x], &[dx]).unwrap();
}

/// Type annotations on integer locals, and buffers of integers written in place.
#[differentiate]
fn integer_bookkeeping(x: f64, n: usize) -> f64 {
    let mut bits: u64 = 0;
    let mut counts = vec![0usize; n];
    let mut s = 0.0;
    for i in 0..n {
        bits |= 1 << i;
        counts[i % 2] += 1;
        counts[0] = counts[0].max(i);
        s += x * bits.count_ones() as f64 + (counts[i % 2] as f64) * x * x;
    }
    s
}

#[test]
fn annotated_integers_and_integer_buffers() {
    let (x, n) = (0.7, 5);
    let (v, dx) = integer_bookkeeping_grad(x, n);
    assert_eq!(v, integer_bookkeeping(x, n));
    ad::check_gradient(|p: &[f64]| integer_bookkeeping(p[0], n), &[x], &[dx]).unwrap();
}

/// Iterator chains over constants and floats, closures and destructuring: what the
/// desugaring writes compiles without a warning (constant expressions are emitted
/// as written, so a stray parenthesis would be linted).
#[differentiate]
pub fn chains(x: &[f64], idx: &[usize], k: usize) -> f64 {
    let total: usize = idx.iter().copied().skip(1).take(k).sum();
    let scale = |v: f64| v * total as f64;
    let picked = idx.iter().map(|&i| x[i]).fold(0.0, |acc, v| acc + scale(v));
    let rough = x.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum::<f64>();
    let position = idx.iter().position(|&i| i == 0).unwrap_or(0);
    let &[first, ..] = x else { return 0.0 };
    picked + rough + first * position as f64
}

#[test]
fn chains_compile_without_warnings() {
    let x = [0.5, -1.0, 2.0];
    let (value, dx) = chains_grad(&x, &[2, 0, 1], 2);
    assert_eq!(value, chains(&x, &[2, 0, 1], 2));
    // total = 0 + 1 = 1, picked = Σ x[idx]; rough = Σ (x[i+1] − x[i])²; position of
    // index 0 is 1, so first = x[0] adds once more.
    let d_rough = [
        -2.0 * (x[1] - x[0]),
        2.0 * (x[1] - x[0]) - 2.0 * (x[2] - x[1]),
        2.0 * (x[2] - x[1]),
    ];
    let want = [1.0 + d_rough[0] + 1.0, 1.0 + d_rough[1], 1.0 + d_rough[2]];
    for k in 0..3 {
        assert_relative_eq!(dx[k], want[k], max_relative = 1e-14);
    }
}

/// Names like the tangents, directions and buffers of the second-order functions.
#[differentiate(hessian)]
pub fn clash_second_order(seed: f64, t_seed: f64, seed_tangent: f64, v_seed: f64) -> f64 {
    let hv_seed = seed * t_seed;
    hv_seed * seed_tangent + v_seed * seed
}

#[test]
fn user_names_that_look_like_tangents_work() {
    let (a, b, c, d) = (1.5, 2.0, -0.5, 3.0);
    let (value, gradient, hessian) = clash_second_order_hessian(a, b, c, d);
    assert_relative_eq!(value, a * b * c + d * a);
    assert_eq!(gradient, vec![b * c + d, a * c, a * b, a]);
    let want = [
        [0.0, c, b, 1.0],
        [c, 0.0, a, 0.0],
        [b, a, 0.0, 0.0],
        [1.0, 0.0, 0.0, 0.0],
    ];
    for (row, want) in hessian.iter().zip(want) {
        assert_eq!(row[..], want);
    }
    let (_, jvp) = clash_second_order_jvp(a, b, c, d, 1.0, 0.0, 0.0, 0.0);
    assert_eq!(jvp, b * c + d);
}
