//! End-to-end gradients of straight-line `f64` functions: every supported construct
//! and every elementary function, in method form (`x.sin()`) and path form
//! (`f64::sin(x)`).
//!
//! Each test checks, at several points, (a) every partial returned by `f_grad` against a
//! derivative worked out by hand and written independently here, (b) the gradient
//! against central finite differences with `ad::check_gradient`, and (c) that the value
//! returned by `f_grad` is bit for bit the value of `f`. The outputs are composed with
//! non-constant factors and chains, so the adjoint reaching each elementary function is
//! not the seed 1.
#![deny(warnings)]

use ad::differentiate;
use approx::relative_eq;
use std::f64::consts::{LN_10, LN_2};

/// Relative tolerance of the analytic comparisons: a few thousand ulps, so rounding
/// passes, while a wrong sign or a missing term fails.
const REL: f64 = 1e-12;

/// Asserts `got` ≈ `want` within [`REL`] (and an absolute ε for values near 0).
#[track_caller]
fn assert_close(got: f64, want: f64, what: &str) {
    assert!(
        relative_eq!(got, want, max_relative = REL),
        "{what}: got {got:e}, expected {want:e}"
    );
}

/// The three checks of `f_grad` at one point `x`: `value` and `grad` from `f_grad(x…)`,
/// `want` the hand-derived partials, `f` the original function on a slice.
#[track_caller]
fn verify<const N: usize>(
    name: &str,
    f: impl Fn(&[f64]) -> f64,
    x: [f64; N],
    value: f64,
    grad: [f64; N],
    want: [f64; N],
) {
    let fx = f(&x);
    assert_eq!(value, fx, "{name} at {x:?}: f_grad's value differs from f");
    for (k, (&got, &want)) in grad.iter().zip(&want).enumerate() {
        assert_close(got, want, &format!("{name} at {x:?}, partial {k}"));
    }
    ad::check_gradient(&f, &x, &grad).unwrap_or_else(|e| panic!("{name} at {x:?}: {e}"));
}

/// 1/cos²(x), the derivative of tan.
fn sec2(x: f64) -> f64 {
    1.0 / (x.cos() * x.cos())
}

/// The sign of x for x ≠ 0 as a float (what d|x|/dx is).
fn sign(x: f64) -> f64 {
    assert!(x != 0.0, "test points stay away from the kink of abs");
    if x > 0.0 {
        1.0
    } else {
        -1.0
    }
}

/// 1 if `b`, else 0.
fn ind(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

// ---------------------------------------------------------------------------------------
// Arithmetic, repeated uses, literals and constants

/// `x` is used five times: its adjoint is the sum of five contributions.
#[differentiate]
fn cubic(x: f64, y: f64) -> f64 {
    x * x * x * y - 2.0 * x * x + x
}

#[test]
fn repeated_uses_sum_their_adjoints() {
    for [x, y] in [[1.3, -0.7], [-2.1, 0.4]] {
        let (v, dx, dy) = cubic_grad(x, y);
        let want = [3.0 * x * x * y - 4.0 * x + 1.0, x * x * x];
        let f = |p: &[f64]| cubic(p[0], p[1]);
        verify("cubic", f, [x, y], v, [dx, dy], want);
    }
}

/// Unary minus, parentheses, a quotient of sums.
#[differentiate]
fn arithmetic(x: f64, y: f64) -> f64 {
    -(x - y) / (x + 2.0 * y) + (x * y - 3.0) * -y
}

#[test]
fn arithmetic_operators_and_unary_minus() {
    for [x, y] in [[1.5, 0.5], [-0.8, 2.2], [2.0, -3.5]] {
        let (v, dx, dy) = arithmetic_grad(x, y);
        let d = (x + 2.0 * y) * (x + 2.0 * y);
        let want = [-3.0 * y / d - y * y, 3.0 * x / d - 2.0 * x * y + 3.0];
        let f = |p: &[f64]| arithmetic(p[0], p[1]);
        verify("arithmetic", f, [x, y], v, [dx, dy], want);
    }
}

/// Literals of several spellings and constants named by paths.
#[differentiate]
fn constants(x: f64) -> f64 {
    std::f64::consts::PI * x * x - f64::EPSILON * x + std::f64::consts::E / x + 2.5e-1_f64 * x + 3.0
}

#[test]
fn literals_and_path_constants() {
    use std::f64::consts::{E, PI};
    for x in [1.3, -0.6] {
        let (v, dx) = constants_grad(x);
        let want = [2.0 * PI * x - f64::EPSILON - E / (x * x) + 0.25];
        let f = |p: &[f64]| constants(p[0]);
        verify("constants", f, [x], v, [dx], want);
    }
}

// ---------------------------------------------------------------------------------------
// Bindings: let, type annotations, shadowing, blocks, mutation, return

#[differentiate]
fn bindings(x: f64, y: f64) -> f64 {
    let a = x * y;
    let b: f64 = a + 1.0;
    let c: f64 = 2.5;
    let d = 0.5;
    b * b * c - d * x
}

#[test]
fn let_with_and_without_type() {
    for [x, y] in [[0.7, 1.9], [-1.2, 0.3]] {
        let (v, dx, dy) = bindings_grad(x, y);
        let b = x * y + 1.0;
        let want = [5.0 * b * y - 0.5, 5.0 * b * x];
        let f = |p: &[f64]| bindings(p[0], p[1]);
        verify("bindings", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn shadowing(x: f64, y: f64) -> f64 {
    let a = x * 2.0;
    let a = a.sin() + y;
    let a: f64 = a * a;
    a - y
}

#[test]
fn shadowing_rebinds_a_name() {
    for [x, y] in [[0.4, -1.3], [-2.2, 0.8]] {
        let (v, dx, dy) = shadowing_grad(x, y);
        let u = (2.0 * x).sin() + y;
        let want = [4.0 * u * (2.0 * x).cos(), 2.0 * u - 1.0];
        let f = |p: &[f64]| shadowing(p[0], p[1]);
        verify("shadowing", f, [x, y], v, [dx, dy], want);
    }
}

/// Blocks as values; inside them `t` and even the parameter `x` are shadowed, and after
/// them the outer bindings are back. One block assigns to an outer `mut` local.
#[differentiate]
fn blocks(x: f64, y: f64) -> f64 {
    let t = x + y;
    let u = {
        let t = t * t;
        let x = x.exp();
        t * x
    };
    let mut acc = u;
    let v = {
        let w = u - t;
        acc *= y;
        w * y
    };
    t * u + v + x + acc
}

#[test]
fn block_expressions_and_inner_shadowing() {
    for [x, y] in [[0.3, 0.9], [-1.1, 0.4], [0.8, -2.0]] {
        let (v, dx, dy) = blocks_grad(x, y);
        let t = x + y;
        let e = x.exp();
        let u = t * t * e;
        let (du_dx, du_dy) = (2.0 * t * e + t * t * e, 2.0 * t * e);
        // f = t·u + (u − t)·y + x + u·y
        let want = [
            u + t * du_dx + (du_dx - 1.0) * y + 1.0 + du_dx * y,
            u + t * du_dy + (du_dy - 1.0) * y + (u - t) + du_dy * y + u,
        ];
        let f = |p: &[f64]| blocks(p[0], p[1]);
        verify("blocks", f, [x, y], v, [dx, dy], want);
    }
}

/// `mut` parameter, `let mut`, and a chain of every compound assignment on both.
#[differentiate]
fn compound(mut x: f64, y: f64) -> f64 {
    let mut acc = x;
    acc += y;
    acc *= x;
    acc -= y * y;
    acc /= x * x + 1.0;
    x *= 3.0;
    x -= y;
    x /= 2.0;
    x += acc;
    x * y
}

#[test]
fn compound_assignment_chain() {
    for [x, y] in [[0.6, 1.7], [-1.4, 0.5], [2.0, -0.9]] {
        let (v, dx, dy) = compound_grad(x, y);
        let n = x * x + x * y - y * y;
        let d = x * x + 1.0;
        let a = n / d;
        let da_dx = ((2.0 * x + y) * d - n * 2.0 * x) / (d * d);
        let da_dy = (x - 2.0 * y) / d;
        let big_x = (3.0 * x - y) / 2.0 + a;
        let want = [y * (1.5 + da_dx), big_x + y * (da_dy - 0.5)];
        let f = |p: &[f64]| compound(p[0], p[1]);
        verify("compound", f, [x, y], v, [dx, dy], want);
    }
}

/// Plain reassignment of `let mut` locals.
#[differentiate]
fn reassignment(x: f64, y: f64) -> f64 {
    let mut v = x;
    v = v * y + 1.0;
    v = v.sin();
    let mut w: f64 = 0.5;
    w = w * v * x;
    w
}

#[test]
fn reassignment_makes_new_values() {
    for [x, y] in [[0.9, -0.4], [-1.6, 1.2]] {
        let (v, dx, dy) = reassignment_grad(x, y);
        let a = x * y + 1.0;
        let want = [0.5 * (a.cos() * y * x + a.sin()), 0.5 * a.cos() * x * x];
        let f = |p: &[f64]| reassignment(p[0], p[1]);
        verify("reassignment", f, [x, y], v, [dx, dy], want);
    }
}

/// A `return` in the middle of the body: the rest is dead code, which must not reach
/// the gradient.
#[differentiate]
#[allow(unreachable_code)]
fn early_return(x: f64, y: f64) -> f64 {
    let a = x * y;
    return a.exp() * x - y;
    let a = a * 1000.0;
    a + x
}

#[test]
fn early_return_ignores_dead_code() {
    for [x, y] in [[0.5, 0.8], [-1.2, 0.6]] {
        let (v, dx, dy) = early_return_grad(x, y);
        let e = (x * y).exp();
        let want = [e * (x * y + 1.0), x * x * e - 1.0];
        let f = |p: &[f64]| early_return(p[0], p[1]);
        verify("early_return", f, [x, y], v, [dx, dy], want);
    }
}

/// `return` as the last statement instead of a tail expression.
#[differentiate]
#[allow(clippy::needless_return)]
fn return_statement(x: f64, y: f64) -> f64 {
    let s = x.sin();
    return s * x * y;
}

#[test]
fn return_statement_at_the_end() {
    for [x, y] in [[1.1, 0.7], [-0.5, -2.0]] {
        let (v, dx, dy) = return_statement_grad(x, y);
        let want = [(x.cos() * x + x.sin()) * y, x.sin() * x];
        let f = |p: &[f64]| return_statement(p[0], p[1]);
        verify("return_statement", f, [x, y], v, [dx, dy], want);
    }
}

/// An alias taken before a compound assignment keeps the old value; a local squared in
/// place; a `mut` parameter overwritten by a constant after its last active use.
#[differentiate]
#[allow(clippy::assign_op_pattern)] // plain reassignment is what is under test
fn mutation_and_aliases(mut x: f64, y: f64) -> f64 {
    let mut a = x + y;
    let b = a;
    a += 1.0;
    a = a * a;
    a = a * b;
    let t = x * y;
    x = 2.0;
    a + t * x
}

#[test]
fn aliases_keep_old_values() {
    for [x, y] in [[0.4, 1.1], [-1.3, 0.2]] {
        let (v, dx, dy) = mutation_and_aliases_grad(x, y);
        // f = (s + 1)²·s + 2xy with s = x + y.
        let s = x + y;
        let df_ds = 2.0 * (s + 1.0) * s + (s + 1.0) * (s + 1.0);
        let want = [df_ds + 2.0 * y, df_ds + 2.0 * x];
        let f = |p: &[f64]| mutation_and_aliases(p[0], p[1]);
        verify("mutation_and_aliases", f, [x, y], v, [dx, dy], want);
    }
}

/// Blocks three deep, each shadowing `a` again.
#[differentiate]
fn nested_blocks(x: f64) -> f64 {
    let a = x;
    let r = {
        let a = a * 2.0;
        let b = {
            let a = a * 3.0;
            {
                let a = a + 1.0;
                a * a
            }
        };
        a + b
    };
    r * a
}

#[test]
fn nested_blocks_restore_each_scope() {
    for x in [0.6, -0.9] {
        let (v, dx) = nested_blocks_grad(x);
        // r = 2x + (6x + 1)², f = r·x
        let r = 2.0 * x + (6.0 * x + 1.0).powi(2);
        let want = [(2.0 + 12.0 * (6.0 * x + 1.0)) * x + r];
        let f = |p: &[f64]| nested_blocks(p[0]);
        verify("nested_blocks", f, [x], v, [dx], want);
    }
}

/// A deep chain: each link's adjoint is the product of all the links above it.
#[differentiate]
fn chain(x: f64, y: f64) -> f64 {
    (x.cos().exp() + y).ln().sqrt() * y
}

#[test]
fn chain_of_elementary_functions() {
    for [x, y] in [[0.5, 1.2], [2.0, 0.8], [-0.9, 3.0]] {
        let (v, dx, dy) = chain_grad(x, y);
        let u = x.cos().exp() + y;
        let s = u.ln().sqrt();
        let ds_du = 1.0 / (2.0 * s * u);
        let want = [y * ds_du * x.cos().exp() * -x.sin(), s + y * ds_du];
        let f = |p: &[f64]| chain(p[0], p[1]);
        verify("chain", f, [x, y], v, [dx, dy], want);
    }
}

// ---------------------------------------------------------------------------------------
// Constants: integers, casts, config structs, calls, wrt

/// Integer arithmetic on constant parameters, casts to f64, and an integer exponent
/// computed from them.
#[differentiate]
fn integer_constants(x: f64, n: usize, k: i32) -> f64 {
    let m = (n * 2 + 3) as f64;
    let p = k - 1;
    let q = (n % 3) as i32 + p;
    x.powi(q) * m + (n as f64) * x + (k as f64) / 2.0
}

#[test]
fn integer_arithmetic_and_casts_are_constant() {
    for (x, n, k) in [(1.3, 4, 2), (-0.8, 2, 0), (0.6, 6, -1)] {
        let (v, dx) = integer_constants_grad(x, n, k);
        let m = (n * 2 + 3) as f64;
        let q = (n % 3) as i32 + k - 1;
        let want = [f64::from(q) * x.powi(q - 1) * m + n as f64];
        let f = |p: &[f64]| integer_constants(p[0], n, k);
        verify("integer_constants", f, [x], v, [dx], want);
    }
}

/// An integer parameter steers `powi`.
#[differentiate]
fn powi_steered(x: f64, n: i32) -> f64 {
    x.powi(n) * x.sin() + f64::powi(x, n + 1)
}

#[test]
fn integer_constant_steers_powi() {
    for n in [-2, 0, 1, 3] {
        for x in [0.9, -1.7] {
            let (v, dx) = powi_steered_grad(x, n);
            let nf = f64::from(n);
            let want =
                [nf * x.powi(n - 1) * x.sin() + x.powi(n) * x.cos() + (nf + 1.0) * x.powi(n)];
            let f = |p: &[f64]| powi_steered(p[0], n);
            verify("powi_steered", f, [x], v, [dx], want);
        }
    }
}

/// Hyper-parameters passed by reference.
pub struct Config {
    scale: f64,
    shift: f64,
    power: i32,
}

#[differentiate]
fn configured(x: f64, cfg: &Config, y: f64) -> f64 {
    cfg.scale * x * x + (cfg.shift * y).sin() * x + y.powi(cfg.power)
}

#[test]
fn config_struct_fields_are_constants() {
    let cfg = Config {
        scale: 1.5,
        shift: -0.7,
        power: 3,
    };
    for [x, y] in [[0.8, 1.4], [-1.3, -0.6]] {
        let (v, dx, dy) = configured_grad(x, &cfg, y);
        let want = [
            2.0 * cfg.scale * x + (cfg.shift * y).sin(),
            cfg.shift * (cfg.shift * y).cos() * x + 3.0 * y * y,
        ];
        let f = |p: &[f64]| configured(p[0], &cfg, p[1]);
        verify("configured", f, [x, y], v, [dx, dy], want);
    }
}

fn weight(n: u32) -> f64 {
    f64::from(n) + 0.5
}

fn offset() -> f64 {
    0.25
}

/// Calls of ordinary functions whose arguments are constants.
#[differentiate]
fn constant_calls(x: f64, y: f64, n: u32) -> f64 {
    weight(n) * x * y + offset() * y.cos() + weight(n + 1) / x
}

#[test]
fn calls_with_constant_arguments() {
    for (x, y, n) in [(1.2, 0.5, 2), (-0.7, 2.1, 5)] {
        let (v, dx, dy) = constant_calls_grad(x, y, n);
        let (w, w1) = (weight(n), weight(n + 1));
        let want = [w * y - w1 / (x * x), w * x - 0.25 * y.sin()];
        let f = |p: &[f64]| constant_calls(p[0], p[1], n);
        verify("constant_calls", f, [x, y], v, [dx, dy], want);
    }
}

fn sign_of(flag: bool) -> f64 {
    if flag {
        1.0
    } else {
        -1.0
    }
}

/// Five parameters: two differentiable floats between an integer, a float that `wrt`
/// leaves out, and a bool.
#[ad::differentiate(wrt(x, y))]
fn mixed(x: f64, n: i32, scale: f64, y: f64, flag: bool) -> f64 {
    let sign = sign_of(flag);
    let k = n as f64 * scale;
    sign * k * x.sin() * y + scale * y * y
}

#[test]
fn mixed_parameters_with_wrt() {
    for (x, n, scale, y, flag) in [(0.7, 3, 1.5, -1.2, true), (-1.9, -2, 0.4, 0.6, false)] {
        let (v, dx, dy): (f64, f64, f64) = mixed_grad(x, n, scale, y, flag);
        let k = sign_of(flag) * f64::from(n) * scale;
        let want = [k * x.cos() * y, k * x.sin() + 2.0 * scale * y];
        let f = |p: &[f64]| mixed(p[0], n, scale, p[1], flag);
        verify("mixed", f, [x, y], v, [dx, dy], want);
    }
}

/// `wrt` keeps one of three floats: the tuple is (value, ∂f/∂y).
#[differentiate(wrt(y))]
fn narrowed(x: f64, y: f64, z: f64) -> f64 {
    x * y.exp() + z * y
}

#[test]
fn wrt_narrows_the_tuple() {
    for [x, y, z] in [[1.5, 0.3, -2.0], [-0.4, -1.1, 0.9]] {
        let (v, dy): (f64, f64) = narrowed_grad(x, y, z);
        let f = |p: &[f64]| narrowed(x, p[0], z);
        verify("narrowed", f, [y], v, [dy], [x * y.exp() + z]);
    }
}

/// `wrt` lists the names out of order; the tuple still follows parameter order.
#[differentiate(wrt(z, x))]
fn narrowed_out_of_order(x: f64, y: f64, z: f64) -> f64 {
    (x - z).sin() * y + z * z * x
}

#[test]
fn wrt_tuple_follows_parameter_order() {
    for [x, y, z] in [[0.2, 1.3, -0.7], [1.8, -0.5, 0.4]] {
        let (v, dx, dz): (f64, f64, f64) = narrowed_out_of_order_grad(x, y, z);
        let c = (x - z).cos() * y;
        let want = [c + z * z, -c + 2.0 * z * x];
        let f = |p: &[f64]| narrowed_out_of_order(p[0], y, p[1]);
        verify("narrowed_out_of_order", f, [x, z], v, [dx, dz], want);
    }
}

/// The value does not depend on `y` (only a dead local reads it) nor on `z` (which
/// cancels): both adjoints are exactly zero.
#[differentiate]
#[allow(clippy::eq_op)]
fn independent(x: f64, y: f64, z: f64) -> f64 {
    let _unused = y.exp() * x;
    let gone = z - z;
    x.sin() * x + gone
}

#[test]
fn parameters_the_value_does_not_depend_on() {
    for [x, y, z] in [[0.8, 2.0, -3.0], [-1.5, -0.2, 0.7]] {
        let (v, dx, dy, dz) = independent_grad(x, y, z);
        assert_eq!((dy, dz), (0.0, 0.0), "independent at {x}, {y}, {z}");
        let want = [x.cos() * x + x.sin(), 0.0, 0.0];
        let f = |p: &[f64]| independent(p[0], p[1], p[2]);
        verify("independent", f, [x, y, z], v, [dx, dy, dz], want);
    }
}

/// Elementary functions with some constant arguments: a literal receiver, a literal
/// exponent or bound, and an exponent from a float parameter that `wrt` leaves out.
#[differentiate(wrt(x, y))]
fn partly_constant(x: f64, y: f64, s: f64) -> f64 {
    2.0_f64.powf(x)
        + x.powf(2.5) * y
        + (x - 1.0).max(0.0) * y
        + 1.5_f64.atan2(y)
        + f64::hypot(3.0, x)
        + x.mul_add(2.0, 1.0) * y
        + x.clamp(-1.0, 1.0)
        + y.powf(s)
}

#[test]
fn calls_with_some_constant_arguments() {
    for (x, y, s) in [(0.7, 1.3, 0.5), (1.6, 0.4, 3.0)] {
        let (v, dx, dy) = partly_constant_grad(x, y, s);
        let want = [
            LN_2 * x.exp2()
                + 2.5 * x.powf(1.5) * y
                + ind(x > 1.0) * y
                + x / x.hypot(3.0)
                + 2.0 * y
                + ind(x < 1.0),
            x.powf(2.5) + (x - 1.0).max(0.0) - 1.5 / (1.5 * 1.5 + y * y)
                + 2.0 * x
                + 1.0
                + s * y.powf(s - 1.0),
        ];
        let f = |p: &[f64]| partly_constant(p[0], p[1], s);
        verify("partly_constant", f, [x, y], v, [dx, dy], want);
    }
}

/// The same value as several arguments of one call: the partials add up.
#[differentiate]
fn aliased(x: f64) -> f64 {
    x.hypot(x)
        + x.atan2(x) * x
        + x.powf(x)
        + x.mul_add(x, x)
        + x.clamp(x - 1.0, x + 1.0) * x
        + x.min(x + 1.0)
        + x.max(x)
}

#[test]
fn one_value_in_several_arguments() {
    for x in [0.8, 1.7] {
        let (v, dx) = aliased_grad(x);
        // √2·x + (π/4)·x + xˣ + x² + x + x² + x + x, for x > 0.
        let want = [std::f64::consts::SQRT_2
            + std::f64::consts::FRAC_PI_4
            + x.powf(x) * (x.ln() + 1.0)
            + 4.0 * x
            + 3.0];
        let f = |p: &[f64]| aliased(p[0]);
        verify("aliased", f, [x], v, [dx], want);
    }
}

/// A local that starts as a literal and becomes active by compound assignment, and
/// one that stays constant.
#[differentiate]
fn accumulate(x: f64, y: f64) -> f64 {
    let mut acc = 0.0;
    acc += x * x;
    acc -= 1.0;
    acc *= y;
    let mut k: f64 = 2.0;
    k /= 4.0;
    acc + k * x
}

#[test]
fn literal_local_becomes_active() {
    for [x, y] in [[1.1, -0.6], [-0.3, 2.4]] {
        let (v, dx, dy) = accumulate_grad(x, y);
        let want = [2.0 * x * y + 0.5, x * x - 1.0];
        let f = |p: &[f64]| accumulate(p[0], p[1]);
        verify("accumulate", f, [x, y], v, [dx, dy], want);
    }
}

/// Parameters shadowed by a constant and by a new active value; `let _` and an alias.
#[differentiate]
fn parameter_shadowed(x: f64, y: f64) -> f64 {
    let _ = y * 3.0;
    let a = x * y;
    let b = x;
    let x = 2.0;
    let y = a.sin();
    a * x + y * b
}

#[test]
fn shadowed_parameters() {
    for [x, y] in [[0.9, 1.4], [-1.3, 0.2]] {
        let (v, dx, dy) = parameter_shadowed_grad(x, y);
        // f = 2xy + x·sin(xy)
        let (s, c) = ((x * y).sin(), (x * y).cos());
        let want = [2.0 * y + s + x * y * c, 2.0 * x + x * x * c];
        let f = |p: &[f64]| parameter_shadowed(p[0], p[1]);
        verify("parameter_shadowed", f, [x, y], v, [dx, dy], want);
    }
}

// ---------------------------------------------------------------------------------------
// The reverse-mode entry point

#[test]
fn adjoint_adds_seed_times_gradient_into_buffers() {
    let (x, y) = (0.7, -1.1);
    let (value, gx, gy) = trig_methods_grad(x, y);
    let (mut d_x, mut d_y) = (10.0, -3.0);

    let v = trig_methods_adjoint(x, y, 2.5, &mut d_x, &mut d_y);
    assert_eq!(v, trig_methods(x, y));
    assert_eq!(v, value);
    assert_close(d_x, 10.0 + 2.5 * gx, "d_x");
    assert_close(d_y, -3.0 + 2.5 * gy, "d_y");

    // A second call keeps adding.
    trig_methods_adjoint(x, y, -0.75, &mut d_x, &mut d_y);
    assert_close(d_x, 10.0 + 1.75 * gx, "d_x");
    assert_close(d_y, -3.0 + 1.75 * gy, "d_y");

    // A zero seed leaves the buffers as they are.
    let (before_x, before_y) = (d_x, d_y);
    trig_methods_adjoint(x, y, 0.0, &mut d_x, &mut d_y);
    assert_eq!((d_x, d_y), (before_x, before_y));
}

#[test]
fn adjoint_with_constants_and_wrt() {
    let (x, n, scale, y, flag) = (0.7, 3, 1.5, -1.2, true);
    let (_, gx, gy) = mixed_grad(x, n, scale, y, flag);
    let (mut d_x, mut d_y) = (1.0, 2.0);
    let v = mixed_adjoint(x, n, scale, y, flag, -4.0, &mut d_x, &mut d_y);
    assert_eq!(v, mixed(x, n, scale, y, flag));
    assert_close(d_x, 1.0 - 4.0 * gx, "d_x");
    assert_close(d_y, 2.0 - 4.0 * gy, "d_y");
}

// ---------------------------------------------------------------------------------------
// Trigonometric functions

#[differentiate]
fn trig_methods(x: f64, y: f64) -> f64 {
    x.sin() * y.cos() + (x * y).tan()
}

#[test]
fn sin_cos_tan_methods() {
    for [x, y] in [[0.7, -1.1], [-1.9, 0.3], [2.5, 0.5]] {
        let (v, dx, dy) = trig_methods_grad(x, y);
        let want = [
            x.cos() * y.cos() + y * sec2(x * y),
            -x.sin() * y.sin() + x * sec2(x * y),
        ];
        let f = |p: &[f64]| trig_methods(p[0], p[1]);
        verify("trig_methods", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn trig_paths(x: f64, y: f64) -> f64 {
    f64::sin(x * y) / f64::cos(x) - f64::tan(y) * x
}

#[test]
fn sin_cos_tan_paths() {
    for [x, y] in [[0.4, 1.2], [-1.0, -0.5]] {
        let (v, dx, dy) = trig_paths_grad(x, y);
        let (s, c) = ((x * y).sin(), x.cos());
        let want = [
            y * (x * y).cos() / c + s * x.sin() / (c * c) - y.tan(),
            x * (x * y).cos() / c - x * sec2(y),
        ];
        let f = |p: &[f64]| trig_paths(p[0], p[1]);
        verify("trig_paths", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn inverse_trig(x: f64, y: f64) -> f64 {
    x.asin() * y + y.acos() * x + (x * y).atan()
}

#[test]
fn asin_acos_atan_methods() {
    for [x, y] in [[0.3, -0.6], [-0.8, 0.45]] {
        let (v, dx, dy) = inverse_trig_grad(x, y);
        let q = 1.0 + x * x * y * y;
        let want = [
            y / (1.0 - x * x).sqrt() + y.acos() + y / q,
            x.asin() - x / (1.0 - y * y).sqrt() + x / q,
        ];
        let f = |p: &[f64]| inverse_trig(p[0], p[1]);
        verify("inverse_trig", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn inverse_trig_paths(x: f64, y: f64) -> f64 {
    f64::asin(x * y) - f64::acos(x) * f64::atan(y)
}

#[test]
fn asin_acos_atan_paths() {
    for [x, y] in [[0.5, 1.3], [-0.7, -0.9]] {
        let (v, dx, dy) = inverse_trig_paths_grad(x, y);
        let r = (1.0 - x * x * y * y).sqrt();
        let want = [
            y / r + y.atan() / (1.0 - x * x).sqrt(),
            x / r - x.acos() / (1.0 + y * y),
        ];
        let f = |p: &[f64]| inverse_trig_paths(p[0], p[1]);
        verify("inverse_trig_paths", f, [x, y], v, [dx, dy], want);
    }
}

/// `y.atan2(x)`: the receiver is the first argument.
#[differentiate]
fn atan2_method(y: f64, x: f64) -> f64 {
    y.atan2(x) * (x - 2.0 * y)
}

#[test]
fn atan2_method_in_all_quadrants() {
    for [y, x] in [[0.5, 1.5], [0.7, -1.2], [-0.4, -2.0], [-1.1, 0.8]] {
        let (v, dy, dx) = atan2_method_grad(y, x);
        let (a, r2, m) = (y.atan2(x), x * x + y * y, x - 2.0 * y);
        let want = [x / r2 * m - 2.0 * a, -y / r2 * m + a];
        let f = |p: &[f64]| atan2_method(p[0], p[1]);
        verify("atan2_method", f, [y, x], v, [dy, dx], want);
    }
}

#[differentiate]
fn atan2_path(a: f64, b: f64) -> f64 {
    f64::atan2(a * b, b - a) + a
}

#[test]
fn atan2_path_of_expressions() {
    for [a, b] in [[0.6, 1.7], [-1.2, 0.3], [2.0, -0.5]] {
        let (v, da, db) = atan2_path_grad(a, b);
        let (y, x) = (a * b, b - a);
        let r2 = x * x + y * y;
        let want = [(b * x + y) / r2 + 1.0, (a * x - y) / r2];
        let f = |p: &[f64]| atan2_path(p[0], p[1]);
        verify("atan2_path", f, [a, b], v, [da, db], want);
    }
}

// ---------------------------------------------------------------------------------------
// Hyperbolic functions

#[differentiate]
fn hyperbolic(x: f64, y: f64) -> f64 {
    x.sinh() * y.cosh() + (x - y).tanh()
}

#[test]
fn sinh_cosh_tanh_methods() {
    for [x, y] in [[0.8, -0.3], [-1.4, 0.9]] {
        let (v, dx, dy) = hyperbolic_grad(x, y);
        let t = 1.0 - (x - y).tanh().powi(2);
        let want = [x.cosh() * y.cosh() + t, x.sinh() * y.sinh() - t];
        let f = |p: &[f64]| hyperbolic(p[0], p[1]);
        verify("hyperbolic", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn hyperbolic_paths(x: f64, y: f64) -> f64 {
    f64::sinh(x * y) - f64::cosh(x) * f64::tanh(y)
}

#[test]
fn sinh_cosh_tanh_paths() {
    for [x, y] in [[0.5, 1.1], [-0.9, -0.4]] {
        let (v, dx, dy) = hyperbolic_paths_grad(x, y);
        let want = [
            y * (x * y).cosh() - x.sinh() * y.tanh(),
            x * (x * y).cosh() - x.cosh() * (1.0 - y.tanh().powi(2)),
        ];
        let f = |p: &[f64]| hyperbolic_paths(p[0], p[1]);
        verify("hyperbolic_paths", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn inverse_hyperbolic(x: f64, y: f64) -> f64 {
    x.asinh() * y + y.acosh() - (x / y).atanh()
}

#[test]
fn asinh_acosh_atanh_methods() {
    for [x, y] in [[0.5, 1.5], [-1.2, 2.5]] {
        let (v, dx, dy) = inverse_hyperbolic_grad(x, y);
        let q = 1.0 - (x / y) * (x / y);
        let want = [
            y / (x * x + 1.0).sqrt() - 1.0 / (y * q),
            x.asinh() + 1.0 / (y * y - 1.0).sqrt() + x / (y * y * q),
        ];
        let f = |p: &[f64]| inverse_hyperbolic(p[0], p[1]);
        verify("inverse_hyperbolic", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn inverse_hyperbolic_paths(x: f64, y: f64) -> f64 {
    f64::asinh(x * y) + f64::acosh(y * y + 1.0) * f64::atanh(x)
}

#[test]
fn asinh_acosh_atanh_paths() {
    for [x, y] in [[0.4, 0.8], [-0.6, -1.5]] {
        let (v, dx, dy) = inverse_hyperbolic_paths_grad(x, y);
        let r = (x * x * y * y + 1.0).sqrt();
        let u = y * y + 1.0;
        let want = [
            y / r + u.acosh() / (1.0 - x * x),
            x / r + x.atanh() * 2.0 * y / (u * u - 1.0).sqrt(),
        ];
        let f = |p: &[f64]| inverse_hyperbolic_paths(p[0], p[1]);
        verify("inverse_hyperbolic_paths", f, [x, y], v, [dx, dy], want);
    }
}

// ---------------------------------------------------------------------------------------
// Exponentials and logarithms

#[differentiate]
fn exponentials(x: f64, y: f64) -> f64 {
    x.exp() * y + (x * y).exp2() - y.exp_m1() / x
}

#[test]
fn exp_exp2_exp_m1_methods() {
    for [x, y] in [[0.7, -0.4], [-1.3, 1.1]] {
        let (v, dx, dy) = exponentials_grad(x, y);
        let p = (x * y).exp2();
        let want = [
            x.exp() * y + LN_2 * p * y + y.exp_m1() / (x * x),
            x.exp() + LN_2 * p * x - y.exp() / x,
        ];
        let f = |p: &[f64]| exponentials(p[0], p[1]);
        verify("exponentials", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn exponential_paths(x: f64, y: f64) -> f64 {
    f64::exp(x - y) + f64::exp2(x) * f64::exp_m1(y)
}

#[test]
fn exp_exp2_exp_m1_paths() {
    for [x, y] in [[0.3, 0.9], [-0.5, -2.0]] {
        let (v, dx, dy) = exponential_paths_grad(x, y);
        let want = [
            (x - y).exp() + LN_2 * x.exp2() * y.exp_m1(),
            -(x - y).exp() + x.exp2() * y.exp(),
        ];
        let f = |p: &[f64]| exponential_paths(p[0], p[1]);
        verify("exponential_paths", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn logarithms(x: f64, y: f64) -> f64 {
    x.ln() * y + (x * y).ln_1p() + y.log2() - x.log10() * x
}

#[test]
fn ln_ln_1p_log2_log10_methods() {
    for [x, y] in [[1.7, 0.6], [0.3, 2.4]] {
        let (v, dx, dy) = logarithms_grad(x, y);
        let want = [
            y / x + y / (1.0 + x * y) - 1.0 / LN_10 - x.log10(),
            x.ln() + x / (1.0 + x * y) + 1.0 / (y * LN_2),
        ];
        let f = |p: &[f64]| logarithms(p[0], p[1]);
        verify("logarithms", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn logarithm_paths(x: f64, y: f64) -> f64 {
    f64::ln(x * y) + f64::ln_1p(y) * f64::log2(x) - f64::log10(y) / x
}

#[test]
fn ln_ln_1p_log2_log10_paths() {
    for [x, y] in [[1.4, 0.5], [0.6, 3.0]] {
        let (v, dx, dy) = logarithm_paths_grad(x, y);
        let want = [
            1.0 / x + y.ln_1p() / (x * LN_2) + y.log10() / (x * x),
            1.0 / y + x.log2() / (1.0 + y) - 1.0 / (y * LN_10 * x),
        ];
        let f = |p: &[f64]| logarithm_paths(p[0], p[1]);
        verify("logarithm_paths", f, [x, y], v, [dx, dy], want);
    }
}

/// `x.log(b)` with an active base, bases above and below 1.
#[differentiate]
fn log_base(x: f64, b: f64) -> f64 {
    x.log(b) * x
}

#[test]
fn log_with_active_base_method() {
    for [x, b] in [[2.5, 3.0], [0.4, 0.5], [7.0, 1.8]] {
        let (v, dx, db) = log_base_grad(x, b);
        let l = x.ln() / b.ln();
        let want = [1.0 / b.ln() + l, -x * l / (b * b.ln())];
        let f = |p: &[f64]| log_base(p[0], p[1]);
        verify("log_base", f, [x, b], v, [dx, db], want);
    }
}

#[differentiate]
fn log_base_path(x: f64, b: f64) -> f64 {
    f64::log(x * x + 1.0, b) * b
}

#[test]
fn log_with_active_base_path() {
    for [x, b] in [[1.2, 2.0], [-0.7, 10.0], [0.9, 0.3]] {
        let (v, dx, db) = log_base_path_grad(x, b);
        let u = x * x + 1.0;
        let l = u.ln() / b.ln();
        let want = [2.0 * x * b / (u * b.ln()), l - l / b.ln()];
        let f = |p: &[f64]| log_base_path(p[0], p[1]);
        verify("log_base_path", f, [x, b], v, [dx, db], want);
    }
}

// ---------------------------------------------------------------------------------------
// Roots and powers

#[differentiate]
fn roots(x: f64, y: f64) -> f64 {
    x.sqrt() * y + (x * y).cbrt()
}

#[test]
fn sqrt_cbrt_methods() {
    // The second point takes the cube root of a negative number.
    for [x, y] in [[2.0, 1.5], [0.5, -3.0]] {
        let (v, dx, dy) = roots_grad(x, y);
        let c = (x * y).cbrt();
        let want = [
            y / (2.0 * x.sqrt()) + y / (3.0 * c * c),
            x.sqrt() + x / (3.0 * c * c),
        ];
        let f = |p: &[f64]| roots(p[0], p[1]);
        verify("roots", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn root_paths(x: f64, y: f64) -> f64 {
    f64::sqrt(x * x + y * y) - f64::cbrt(x - y) * y
}

#[test]
fn sqrt_cbrt_paths() {
    for [x, y] in [[1.0, 2.0], [-1.5, -2.5]] {
        let (v, dx, dy) = root_paths_grad(x, y);
        let s = (x * x + y * y).sqrt();
        let c = (x - y).cbrt();
        let want = [x / s - y / (3.0 * c * c), y / s + y / (3.0 * c * c) - c];
        let f = |p: &[f64]| root_paths(p[0], p[1]);
        verify("root_paths", f, [x, y], v, [dx, dy], want);
    }
}

/// `powf` with both the base and the exponent active.
#[differentiate]
fn powf_both(x: f64, y: f64) -> f64 {
    x.powf(y) * y
}

#[test]
fn powf_method_with_both_active() {
    for [x, y] in [[1.5, 2.3], [0.4, -1.2], [3.0, 0.5]] {
        let (v, dx, dy) = powf_both_grad(x, y);
        let p = x.powf(y);
        let want = [y * y * x.powf(y - 1.0), p + y * p * x.ln()];
        let f = |p: &[f64]| powf_both(p[0], p[1]);
        verify("powf_both", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn powf_path(x: f64, y: f64) -> f64 {
    f64::powf(x * y, y - x)
}

#[test]
fn powf_path_of_expressions() {
    for [x, y] in [[1.2, 0.9], [0.5, 2.4]] {
        let (v, dx, dy) = powf_path_grad(x, y);
        let (u, e) = (x * y, y - x);
        let p = u.powf(e);
        let du = e * u.powf(e - 1.0);
        let de = p * u.ln();
        let want = [du * y - de, du * x + de];
        let f = |p: &[f64]| powf_path(p[0], p[1]);
        verify("powf_path", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn recips(x: f64, y: f64) -> f64 {
    x.recip() * y + f64::recip(x * y)
}

#[test]
fn recip_method_and_path() {
    for [x, y] in [[0.8, 1.5], [-2.0, 0.6]] {
        let (v, dx, dy) = recips_grad(x, y);
        let want = [
            -y / (x * x) - 1.0 / (x * x * y),
            1.0 / x - 1.0 / (x * y * y),
        ];
        let f = |p: &[f64]| recips(p[0], p[1]);
        verify("recips", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn mul_adds(a: f64, b: f64, c: f64) -> f64 {
    a.mul_add(b, c) * c + f64::mul_add(b, c, a)
}

#[test]
fn mul_add_method_and_path() {
    for [a, b, c] in [[1.5, -2.0, 0.7], [-0.3, 0.8, -1.9]] {
        let (v, da, db, dc) = mul_adds_grad(a, b, c);
        let want = [b * c + 1.0, a * c + c, a * b + 2.0 * c + b];
        let f = |p: &[f64]| mul_adds(p[0], p[1], p[2]);
        verify("mul_adds", f, [a, b, c], v, [da, db, dc], want);
    }
}

#[differentiate]
fn angles_and_signs(x: f64, y: f64, z: f64) -> f64 {
    x.to_degrees() * y + f64::to_radians(y) * z + x.copysign(z) * y + f64::copysign(y, -1.0)
}

#[test]
fn unit_conversions_and_copysign() {
    let (deg, rad) = (180.0 / std::f64::consts::PI, std::f64::consts::PI / 180.0);
    for [x, y, z] in [[1.5, -2.0, 0.7], [-0.3, 0.8, -1.9]] {
        let (v, dx, dy, dz) = angles_and_signs_grad(x, y, z);
        // |x|·sign(z)·y: ∂x = sign(x)·sign(z)·y; copysign(y, −1) = −|y|.
        let want = [
            deg * y + x.signum() * z.signum() * y,
            deg * x + rad * z + x.copysign(z) - y.signum(),
            rad * y,
        ];
        let f = |p: &[f64]| angles_and_signs(p[0], p[1], p[2]);
        verify("angles_and_signs", f, [x, y, z], v, [dx, dy, dz], want);
    }
}

#[differentiate(hessian)]
fn wrapped(x: f64, y: f64) -> f64 {
    // An angle wrapped into [0, 360) and a remainder in y, as a method and a path.
    x.to_degrees().rem_euclid(360.0) * y + f64::rem_euclid(x * x, y)
}

#[test]
fn rem_euclid_is_piecewise_linear() {
    let deg = 180.0 / std::f64::consts::PI;
    for [x, y] in [[7.3, 1.7], [-2.9, 2.3], [4.0, -1.3]] {
        let (v, dx, dy) = wrapped_grad(x, y);
        // x² = q·y + r: ∂r/∂(x²) = 1, ∂r/∂y = −q; the wrapped angle is deg·x − 360·k.
        let q = (x * x - (x * x).rem_euclid(y)) / y;
        assert_eq!(q, q.round(), "q is an integer");
        let want = [deg * y + 2.0 * x, (x * deg).rem_euclid(360.0) - q];
        let f = |p: &[f64]| wrapped(p[0], p[1]);
        verify("wrapped", f, [x, y], v, [dx, dy], want);
        // Second order: ∂²/∂x² = 2 (from x²), ∂²/∂x∂y = deg, ∂²/∂y² = 0.
        let (_, _, hessian) = wrapped_hessian(x, y);
        assert_close(hessian[0][0], 2.0, "wrapped's ∂²/∂x²");
        assert_close(hessian[0][1], deg, "wrapped's ∂²/∂x∂y");
        assert_close(hessian[1][0], deg, "wrapped's ∂²/∂y∂x");
        assert_eq!(hessian[1][1], 0.0, "wrapped's ∂²/∂y²");
    }
}

#[differentiate]
fn hypots(x: f64, y: f64) -> f64 {
    x.hypot(y) * x + f64::hypot(x * y, 1.0)
}

#[test]
fn hypot_method_and_path() {
    for [x, y] in [[3.0, 4.0], [-1.2, 0.5], [0.7, -2.2]] {
        let (v, dx, dy) = hypots_grad(x, y);
        let h = x.hypot(y);
        let k = (x * y).hypot(1.0);
        let want = [x * x / h + h + x * y * y / k, x * y / h + x * y * x / k];
        let f = |p: &[f64]| hypots(p[0], p[1]);
        verify("hypots", f, [x, y], v, [dx, dy], want);
    }
}

// ---------------------------------------------------------------------------------------
// Piecewise functions: abs, signum, min, max, clamp, rounding

#[differentiate]
fn abs_signum(x: f64, y: f64) -> f64 {
    x.abs() * y + f64::abs(x - y) + y.signum() * x * x + f64::signum(x) * y
}

#[test]
fn abs_and_signum_on_both_sides_of_zero() {
    for [x, y] in [
        [1.3, 0.7],
        [-1.3, 0.7],
        [0.4, -2.0],
        [-0.4, -2.0],
        [0.5, 1.5],
    ] {
        let (v, dx, dy) = abs_signum_grad(x, y);
        let want = [
            sign(x) * y + sign(x - y) + 2.0 * x * sign(y),
            x.abs() - sign(x - y) + sign(x),
        ];
        let f = |p: &[f64]| abs_signum(p[0], p[1]);
        verify("abs_signum", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn min_max(x: f64, y: f64, z: f64) -> f64 {
    x.min(y) * z + f64::max(x, z) * y + f64::min(z, 0.5).max(y)
}

#[test]
fn min_and_max_on_each_side() {
    let points = [
        [1.0, 2.0, 0.3],
        [3.0, 2.0, 4.0],
        [0.2, -0.8, 0.1],
        [-1.0, -0.5, -2.0],
        [0.2, -0.3, 0.7],
        [-0.6, 0.9, -0.1],
    ];
    for [x, y, z] in points {
        let (v, dx, dy, dz) = min_max_grad(x, y, z);
        // The last term: m = min(z, 0.5), then max(m, y).
        let m = z.min(0.5);
        let (dm_dz, y_wins) = (ind(z < 0.5), ind(y > m));
        let want = [
            ind(x < y) * z + ind(x > z) * y,
            ind(y < x) * z + x.max(z) + y_wins,
            x.min(y) + ind(z > x) * y + (1.0 - y_wins) * dm_dz,
        ];
        let f = |p: &[f64]| min_max(p[0], p[1], p[2]);
        verify("min_max", f, [x, y, z], v, [dx, dy, dz], want);
    }
}

/// `clamp` with active bounds: the adjoint goes to whichever of x, lo and hi it returns.
#[differentiate]
fn clamp_active(x: f64, lo: f64, hi: f64) -> f64 {
    x.clamp(lo, hi) * (x - lo * hi)
}

#[test]
fn clamp_with_active_bounds() {
    let points = [
        [-2.0, -1.0, 1.5],
        [0.3, -1.0, 1.5],
        [2.5, -1.0, 1.5],
        [1.0, 1.5, 3.0],
        [-4.0, -3.0, -1.0],
    ];
    for [x, lo, hi] in points {
        let (v, dx, dlo, dhi) = clamp_active_grad(x, lo, hi);
        let c = x.clamp(lo, hi);
        let m = x - lo * hi;
        let inside = ind(lo <= x && x <= hi);
        let want = [
            inside * m + c,
            ind(x < lo) * m - hi * c,
            ind(x > hi) * m - lo * c,
        ];
        let f = |p: &[f64]| clamp_active(p[0], p[1], p[2]);
        verify("clamp_active", f, [x, lo, hi], v, [dx, dlo, dhi], want);
    }
}

#[differentiate]
fn clamp_path(x: f64, y: f64) -> f64 {
    f64::clamp(x * y, -1.0, 1.0) + x
}

#[test]
fn clamp_path_with_constant_bounds() {
    for [x, y] in [[0.5, 1.2], [2.0, 1.5], [-3.0, 0.9]] {
        let (v, dx, dy) = clamp_path_grad(x, y);
        let inside = ind((x * y).abs() <= 1.0);
        let want = [inside * y + 1.0, inside * x];
        let f = |p: &[f64]| clamp_path(p[0], p[1]);
        verify("clamp_path", f, [x, y], v, [dx, dy], want);
    }
}

/// floor, ceil, round and trunc are flat: only the factors next to them carry adjoints.
#[differentiate]
fn rounding(x: f64, y: f64) -> f64 {
    x.floor() * y + y.ceil() * x + f64::round(x * y) + x.trunc() * x
}

#[test]
fn floor_ceil_round_trunc_methods() {
    for [x, y] in [[2.3, -1.6], [-1.7, 0.4], [0.6, 2.2]] {
        let (v, dx, dy) = rounding_grad(x, y);
        let want = [y.ceil() + x.trunc(), x.floor()];
        let f = |p: &[f64]| rounding(p[0], p[1]);
        verify("rounding", f, [x, y], v, [dx, dy], want);
    }
}

#[differentiate]
fn rounding_paths(x: f64) -> f64 {
    f64::floor(x) * f64::ceil(x) * x + f64::trunc(x) + x.round() * x
}

#[test]
fn floor_ceil_round_trunc_paths() {
    for x in [2.3, -1.2, 0.6] {
        let (v, dx) = rounding_paths_grad(x);
        let want = [x.floor() * x.ceil() + x.round()];
        let f = |p: &[f64]| rounding_paths(p[0]);
        verify("rounding_paths", f, [x], v, [dx], want);
    }
}

#[differentiate]
fn tuple_let(x: f64, y: f64, sizes: &[usize]) -> f64 {
    let (a, b) = (x * y, y.sin());
    let (m, _) = (sizes[0], sizes[1]);
    a * b + m as f64 * x
}

#[test]
fn tuple_let_binds_each_element() {
    let (x, y) = (0.7, 1.9);
    let (v, dx, dy) = tuple_let_grad(x, y, &[3, 4]);
    assert_eq!(v, tuple_let(x, y, &[3, 4]));
    assert_close(dx, y * y.sin() + 3.0, "tuple_let dx");
    assert_close(dy, x * y.sin() + x * y * y.cos(), "tuple_let dy");
}
