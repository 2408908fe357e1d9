//! Branches in #[differentiate] bodies: `if`/`else if`/`else` as statements and as
//! values, assignments that flow out of branches, `&&`/`||`/`!`, float conditions on
//! differentiable values, `match` on integers and booleans, and early returns.
//!
//! Every function is evaluated on both sides of every branch and compared with the
//! derivative of the side that ran (`assert_relative_eq!`) and, away from kinks, with
//! `ad::check_gradient`.

use ad::differentiate;
use approx::assert_relative_eq;

const TIGHT: f64 = 1e-12;

fn check1(f: impl Fn(f64) -> f64, x: f64, dx: f64) {
    ad::check_gradient(|p: &[f64]| f(p[0]), &[x], &[dx]).unwrap();
}

fn check2(f: impl Fn(f64, f64) -> f64, x: f64, y: f64, dx: f64, dy: f64) {
    ad::check_gradient(|p: &[f64]| f(p[0], p[1]), &[x, y], &[dx, dy]).unwrap();
}

fn check3(f: impl Fn(f64, f64, f64) -> f64, p: [f64; 3], grad: [f64; 3]) {
    ad::check_gradient(|p: &[f64]| f(p[0], p[1], p[2]), &p, &grad).unwrap();
}

/// Runs an `f_adjoint` as the reverse sweep of an outer function would: with a seed
/// that is not one, into buffers that already hold something. It must add
/// `seed · grad`, so a dropped seed, a flipped sign or an overwritten buffer fails.
fn assert_accumulates<const N: usize>(
    adjoint: impl Fn(f64, &mut [f64; N]) -> f64,
    value: f64,
    grad: [f64; N],
) {
    let seed = 0.75;
    let mut buffers = [-2.0; N];
    assert_eq!(adjoint(seed, &mut buffers), value);
    for (buffer, g) in buffers.into_iter().zip(grad) {
        assert_relative_eq!(buffer, -2.0 + seed * g, max_relative = TIGHT);
    }
}

// ---------------------------------------------------------------------------------
// Piecewise functions
// ---------------------------------------------------------------------------------

/// Huber loss of the residual of a line fit, `r = a·t + b − y`.
#[differentiate(wrt(a, b))]
fn huber_fit(a: f64, b: f64, t: f64, y: f64, delta: f64) -> f64 {
    let r = a * t + b - y;
    if r.abs() <= delta {
        0.5 * r * r
    } else {
        delta * (r.abs() - 0.5 * delta)
    }
}

#[test]
fn huber_loss_quadratic_inside_linear_outside() {
    let (t, y, delta) = (2.0, 1.0, 0.5);
    // r = 0.3 (quadratic), r = 2.1 (linear, positive), r = −1.6 (linear, negative).
    for (a, b, r) in [(0.4, 0.5, 0.3), (1.2, 0.7, 2.1), (-0.3, 0.0, -1.6)] {
        let (v, da, db) = huber_fit_grad(a, b, t, y, delta);
        assert_eq!(v, huber_fit(a, b, t, y, delta));
        let r_computed: f64 = a * t + b - y;
        assert_relative_eq!(r_computed, r, max_relative = TIGHT);
        let (value, slope) = if r.abs() <= delta {
            (0.5 * r * r, r)
        } else {
            (delta * (r.abs() - 0.5 * delta), delta * r.signum())
        };
        assert_relative_eq!(v, value, max_relative = TIGHT);
        // ∂r/∂a = t, ∂r/∂b = 1.
        assert_relative_eq!(da, slope * t, max_relative = TIGHT);
        assert_relative_eq!(db, slope, max_relative = TIGHT);
        check2(|a, b| huber_fit(a, b, t, y, delta), a, b, da, db);
        assert_accumulates(
            |s, [d_a, d_b]| huber_fit_adjoint(a, b, t, y, delta, s, d_a, d_b),
            v,
            [da, db],
        );
    }
}

/// Smoothstep between edges e0 < e1: 0 below, 1 above, 3t² − 2t³ in between.
#[differentiate]
fn smoothstep(e0: f64, e1: f64, x: f64) -> f64 {
    let t = (x - e0) / (e1 - e0);
    if t <= 0.0 {
        0.0
    } else if t >= 1.0 {
        1.0
    } else {
        t * t * (3.0 - 2.0 * t)
    }
}

#[test]
fn smoothstep_has_three_branches() {
    let (e0, e1) = (0.5, 2.5);
    // Below, above: constants, so every partial is 0.
    for x in [-1.0, 0.4, 2.6, 7.0] {
        let (v, d0, d1, dx) = smoothstep_grad(e0, e1, x);
        assert_eq!(v, smoothstep(e0, e1, x));
        assert_eq!(v, if x < e0 { 0.0 } else { 1.0 });
        assert_eq!((d0, d1, dx), (0.0, 0.0, 0.0));
    }
    // In between: s(t) = 3t² − 2t³, s'(t) = 6t(1 − t), and
    // ∂t/∂x = 1/w, ∂t/∂e0 = (t − 1)/w, ∂t/∂e1 = −t/w with w = e1 − e0.
    for x in [0.9, 1.5, 2.3] {
        let w = e1 - e0;
        let t = (x - e0) / w;
        let slope = 6.0 * t * (1.0 - t);
        let (v, d0, d1, dx) = smoothstep_grad(e0, e1, x);
        assert_eq!(v, smoothstep(e0, e1, x));
        assert_relative_eq!(v, t * t * (3.0 - 2.0 * t), max_relative = TIGHT);
        assert_relative_eq!(dx, slope / w, max_relative = TIGHT);
        assert_relative_eq!(d0, slope * (t - 1.0) / w, max_relative = TIGHT);
        assert_relative_eq!(d1, -slope * t / w, max_relative = TIGHT);
        check3(smoothstep, [e0, e1, x], [d0, d1, dx]);
    }
}

// ---------------------------------------------------------------------------------
// Values flowing out of branches
// ---------------------------------------------------------------------------------

/// `if` expressions as operands of further arithmetic.
#[differentiate]
fn if_as_operand(x: f64, y: f64) -> f64 {
    let gap = if x > y { x - y } else { 0.5 * (y - x) };
    gap * gap + x * if y > 1.0 { y.ln() } else { y.exp() }
}

#[test]
fn if_expressions_feed_further_computation() {
    for (x, y) in [(2.0, 1.5), (2.0, 0.5), (0.3, 1.5), (0.3, 0.5)] {
        let (v, dx, dy) = if_as_operand_grad(x, y);
        assert_eq!(v, if_as_operand(x, y));
        // gap = c·(x − y) with c = 1 or −1/2; the second term is x·g(y).
        let c = if x > y { 1.0 } else { -0.5 };
        let gap = c * (x - y);
        let (g, dg) = if y > 1.0 {
            (y.ln(), 1.0 / y)
        } else {
            (y.exp(), y.exp())
        };
        assert_relative_eq!(v, gap * gap + x * g, max_relative = TIGHT);
        assert_relative_eq!(dx, 2.0 * gap * c + g, max_relative = TIGHT);
        assert_relative_eq!(dy, -2.0 * gap * c + x * dg, max_relative = TIGHT);
        check2(if_as_operand, x, y, dx, dy);
    }
}

/// Variables declared before the branches, assigned in some of them.
#[differentiate]
fn assigned_in_branches(x: f64, y: f64) -> f64 {
    let mut a = x;
    let mut b = y;
    let mut c = 1.0;
    if x > y {
        a *= y;
        b += x;
        c = a - b;
    } else if x > 0.0 {
        c = a / b;
    } else {
        b = b.sin();
    }
    if b > 2.0 {
        a = a.sqrt();
    }
    a * b + c
}

#[test]
fn assignments_in_branches_flow_out() {
    // x > y, then b = x + y > 2: a = √(xy), b = x + y, c = xy − x − y.
    let (x, y) = (2.0, 1.0);
    let (v, dx, dy) = assigned_in_branches_grad(x, y);
    let a = (x * y).sqrt();
    assert_relative_eq!(v, a * (x + y) + x * y - x - y, max_relative = TIGHT);
    let (da_dx, da_dy) = (0.5 * y / a, 0.5 * x / a);
    assert_relative_eq!(dx, da_dx * (x + y) + a + y - 1.0, max_relative = TIGHT);
    assert_relative_eq!(dy, da_dy * (x + y) + a + x - 1.0, max_relative = TIGHT);
    check2(assigned_in_branches, x, y, dx, dy);
    // x > y, b = x + y ≤ 2: a = xy, f = xy·(x + y) + xy − x − y.
    let (x, y) = (0.9, 0.6);
    let (v, dx, dy) = assigned_in_branches_grad(x, y);
    assert_relative_eq!(v, x * y * (x + y) + x * y - x - y, max_relative = TIGHT);
    assert_relative_eq!(dx, y * (x + y) + x * y + y - 1.0, max_relative = TIGHT);
    assert_relative_eq!(dy, x * (x + y) + x * y + x - 1.0, max_relative = TIGHT);
    check2(assigned_in_branches, x, y, dx, dy);
    // 0 < x ≤ y ≤ 2: f = xy + x/y.
    let (x, y) = (0.5, 1.5);
    let (v, dx, dy) = assigned_in_branches_grad(x, y);
    assert_relative_eq!(v, x * y + x / y, max_relative = TIGHT);
    assert_relative_eq!(dx, y + 1.0 / y, max_relative = TIGHT);
    assert_relative_eq!(dy, x - x / (y * y), max_relative = TIGHT);
    check2(assigned_in_branches, x, y, dx, dy);
    // x ≤ 0, x ≤ y: b = sin y ≤ 1, f = x·sin y + 1.
    let (x, y) = (-0.5, 0.8);
    let (v, dx, dy) = assigned_in_branches_grad(x, y);
    assert_relative_eq!(v, x * y.sin() + 1.0, max_relative = TIGHT);
    assert_relative_eq!(dx, y.sin(), max_relative = TIGHT);
    assert_relative_eq!(dy, x * y.cos(), max_relative = TIGHT);
    check2(assigned_in_branches, x, y, dx, dy);
    // x > 0 with y > 2 (so b > 2 without the first branch): f = √x·y + x/y.
    let (x, y) = (1.0, 3.0);
    let (v, dx, dy) = assigned_in_branches_grad(x, y);
    assert_relative_eq!(v, x.sqrt() * y + x / y, max_relative = TIGHT);
    assert_relative_eq!(dx, 0.5 * y / x.sqrt() + 1.0 / y, max_relative = TIGHT);
    assert_relative_eq!(dy, x.sqrt() - x / (y * y), max_relative = TIGHT);
    check2(assigned_in_branches, x, y, dx, dy);
    assert_accumulates(
        |s, [d_x, d_y]| assigned_in_branches_adjoint(x, y, s, d_x, d_y),
        v,
        [dx, dy],
    );
}

// ---------------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------------

/// `&&`, `||` and `!` over float comparisons of the differentiable values. The
/// negated comparisons are the point (their lowering is under test), hence the allow.
#[differentiate]
#[allow(clippy::neg_cmp_op_on_partial_ord)]
fn logic(x: f64, y: f64) -> f64 {
    if x > 0.0 && !(y < 0.0) || x * y > 4.0 {
        x * y
    } else if !(x < y) {
        x - y
    } else {
        x + y * y
    }
}

#[test]
fn and_or_not_conditions() {
    // First condition through `&&`.
    let (v, dx, dy) = logic_grad(0.5, 1.0);
    assert_eq!((v, dx, dy), (0.5, 1.0, 0.5));
    // `&&` fails on `!(y < 0)`, `||` holds: x·y = 6 > 4.
    let (v, dx, dy) = logic_grad(-3.0, -2.0);
    assert_eq!((v, dx, dy), (6.0, -2.0, -3.0));
    // `&&` fails on `!(y < 0)` with x > 0, `||` fails, then !(x < y): x − y.
    let (v, dx, dy) = logic_grad(2.0, -1.0);
    assert_eq!((v, dx, dy), (3.0, 1.0, -1.0));
    // Everything fails: x + y².
    let (x, y) = (-1.0, 1.5);
    let (v, dx, dy) = logic_grad(x, y);
    assert_eq!((v, dx, dy), (x + y * y, 1.0, 2.0 * y));
    for (x, y) in [(0.5, 1.0), (-3.0, -2.0), (2.0, -1.0), (-1.0, 1.5)] {
        let (v, dx, dy) = logic_grad(x, y);
        assert_eq!(v, logic(x, y));
        check2(logic, x, y, dx, dy);
    }
}

/// Comparisons that mix integers, casts and floats that depend on x.
#[differentiate]
fn mixed_conditions(x: f64, n: i32, flag: bool) -> f64 {
    let scaled = x * n as f64;
    if (n > 2 || flag) && scaled >= 1.0 && !(flag && x > 1.0) {
        scaled.ln()
    } else if flag != (x < 0.0) {
        x.powi(n)
    } else {
        -x
    }
}

#[test]
fn conditions_mixing_integers_booleans_and_floats() {
    // n > 2, scaled = 1.5 ≥ 1, flag false: ln(n·x), derivative 1/x.
    let (v, dx) = mixed_conditions_grad(0.5, 3, false);
    assert_relative_eq!(v, 1.5_f64.ln(), max_relative = TIGHT);
    assert_relative_eq!(dx, 2.0, max_relative = TIGHT);
    // n > 2 but scaled < 1; flag false, x < 0 true: x^n.
    let (v, dx) = mixed_conditions_grad(-0.2, 3, false);
    assert_relative_eq!(v, -0.008, max_relative = TIGHT);
    assert_relative_eq!(dx, 3.0 * 0.04, max_relative = TIGHT);
    // flag true, scaled = 1.6 ≥ 1, x ≤ 1: ln(n·x) again.
    let (v, dx) = mixed_conditions_grad(0.8, 2, true);
    assert_relative_eq!(v, 1.6_f64.ln(), max_relative = TIGHT);
    assert_relative_eq!(dx, 1.25, max_relative = TIGHT);
    // flag true, scaled = 3 ≥ 1 but x > 1, then flag != (x < 0): x^n.
    let (v, dx) = mixed_conditions_grad(1.5, 2, true);
    assert_relative_eq!(v, 2.25, max_relative = TIGHT);
    assert_relative_eq!(dx, 3.0, max_relative = TIGHT);
    // flag true, x < 0: −x.
    let (v, dx) = mixed_conditions_grad(-1.5, 4, true);
    assert_eq!((v, dx), (1.5, -1.0));
    // n ≤ 2, flag false, x > 0: −x.
    let (v, dx) = mixed_conditions_grad(0.7, 1, false);
    assert_eq!((v, dx), (-0.7, -1.0));
    for (x, n, flag) in [
        (0.5, 3, false),
        (-0.2, 3, false),
        (0.8, 2, true),
        (1.5, 2, true),
        (-1.5, 4, true),
        (0.7, 1, false),
    ] {
        let (v, dx) = mixed_conditions_grad(x, n, flag);
        assert_eq!(v, mixed_conditions(x, n, flag));
        check1(|x| mixed_conditions(x, n, flag), x, dx);
    }
}

// ---------------------------------------------------------------------------------
// match
// ---------------------------------------------------------------------------------

/// Every supported arm form on an integer scrutinee.
#[differentiate]
fn by_case(x: f64, k: i64) -> f64 {
    match k {
        -1 => -x * x,
        0 | 10..=12 => x.exp(),
        ..=-2 => 3.0 * x,
        2..5 => x.sin() * x,
        m if m % 2 == 0 => x.powi(m as i32),
        _ if x > 1.0 => x.ln(),
        _ => x.sqrt(),
    }
}

#[test]
fn match_on_an_integer_with_every_arm_form() {
    for x in [0.5_f64, 1.5] {
        let cases: [(i64, f64, f64); 11] = [
            (-1, -x * x, -2.0 * x),
            (0, x.exp(), x.exp()),
            (11, x.exp(), x.exp()),
            (12, x.exp(), x.exp()),
            (-2, 3.0 * x, 3.0),
            (-40, 3.0 * x, 3.0),
            (2, x.sin() * x, x.cos() * x + x.sin()),
            (4, x.sin() * x, x.cos() * x + x.sin()),
            (6, x.powi(6), 6.0 * x.powi(5)),
            (
                7,
                if x > 1.0 { x.ln() } else { x.sqrt() },
                if x > 1.0 { 1.0 / x } else { 0.5 / x.sqrt() },
            ),
            (
                13,
                if x > 1.0 { x.ln() } else { x.sqrt() },
                if x > 1.0 { 1.0 / x } else { 0.5 / x.sqrt() },
            ),
        ];
        for (k, value, derivative) in cases {
            let (v, dx) = by_case_grad(x, k);
            assert_eq!(v, by_case(x, k), "k = {k}");
            assert_relative_eq!(v, value, max_relative = TIGHT);
            assert_relative_eq!(dx, derivative, max_relative = TIGHT);
            check1(|x| by_case(x, k), x, dx);
        }
    }
}

/// `match` as a statement assigning to variables declared before it.
#[differentiate]
fn match_assigns(x: f64, y: f64, mode: u8) -> f64 {
    let mut a = x;
    let mut b = 0.0;
    match mode {
        0 => a = x * y,
        1 | 2 => {
            b = y.cos();
            a += b;
        }
        _ => b = x / y,
    }
    a * 2.0 + b
}

#[test]
fn match_arms_assign_outer_variables() {
    let (x, y) = (0.8, 1.7);
    let (v, dx, dy) = match_assigns_grad(x, y, 0);
    assert_relative_eq!(v, 2.0 * x * y, max_relative = TIGHT);
    assert_relative_eq!(dx, 2.0 * y, max_relative = TIGHT);
    assert_relative_eq!(dy, 2.0 * x, max_relative = TIGHT);
    for mode in [1, 2] {
        let (v, dx, dy) = match_assigns_grad(x, y, mode);
        assert_relative_eq!(v, 2.0 * x + 3.0 * y.cos(), max_relative = TIGHT);
        assert_relative_eq!(dx, 2.0, max_relative = TIGHT);
        assert_relative_eq!(dy, -3.0 * y.sin(), max_relative = TIGHT);
    }
    let (v, dx, dy) = match_assigns_grad(x, y, 9);
    assert_relative_eq!(v, 2.0 * x + x / y, max_relative = TIGHT);
    assert_relative_eq!(dx, 2.0 + 1.0 / y, max_relative = TIGHT);
    assert_relative_eq!(dy, -x / (y * y), max_relative = TIGHT);
    for mode in [0, 1, 2, 9] {
        let (v, dx, dy) = match_assigns_grad(x, y, mode);
        assert_eq!(v, match_assigns(x, y, mode));
        check2(|x, y| match_assigns(x, y, mode), x, y, dx, dy);
    }
}

#[differentiate]
fn by_flag(x: f64, y: f64, flag: bool) -> f64 {
    let t = match flag {
        true => x.sin() * y,
        false => x.cos() + y,
    };
    let u = match x > y {
        true if x > 2.0 => t * x,
        true => t - y,
        _ => t * t,
    };
    u + y
}

#[test]
fn match_on_a_bool() {
    // (flag, x, y): the second match takes each arm at some point.
    for (flag, x, y) in [
        (true, 2.5_f64, 1.0_f64),
        (false, 2.5, 1.0),
        (true, 1.5, 1.0),
        (false, 1.5, 1.0),
        (true, 0.5, 1.0),
        (false, 0.5, 1.0),
    ] {
        let (t, t_x, t_y) = if flag {
            (x.sin() * y, x.cos() * y, x.sin())
        } else {
            (x.cos() + y, -x.sin(), 1.0)
        };
        let (u, u_x, u_y) = if x > y && x > 2.0 {
            (t * x, t_x * x + t, t_y * x)
        } else if x > y {
            (t - y, t_x, t_y - 1.0)
        } else {
            (t * t, 2.0 * t * t_x, 2.0 * t * t_y)
        };
        let (v, dx, dy) = by_flag_grad(x, y, flag);
        assert_eq!(v, by_flag(x, y, flag));
        assert_relative_eq!(v, u + y, max_relative = TIGHT);
        assert_relative_eq!(dx, u_x, max_relative = TIGHT);
        assert_relative_eq!(dy, u_y + 1.0, max_relative = TIGHT);
        check2(|x, y| by_flag(x, y, flag), x, y, dx, dy);
    }
}

const SEVEN: i32 = 7;

/// A `const` item as a pattern: rustc compares with it, but syn parses a lone
/// identifier pattern as a binding, which matches everything.
#[differentiate]
fn const_pattern(x: f64, k: i32) -> f64 {
    match k {
        SEVEN => x.cos(),
        _ => x,
    }
}

#[test]
fn match_on_a_const_item() {
    let x = 0.5_f64;
    assert_eq!(const_pattern_grad(x, 7), (x.cos(), -x.sin()));
    // A constant pattern is a test, not a binding that catches everything.
    assert_eq!(const_pattern(x, 3), x);
    assert_eq!(const_pattern_grad(x, 3), (x, 1.0));
}

// ---------------------------------------------------------------------------------
// Early returns
// ---------------------------------------------------------------------------------

#[differentiate]
fn early_exits(x: f64, y: f64) -> f64 {
    if x < 0.0 {
        if y < 0.0 {
            return x * y;
        }
        return x - y * y;
    } else if x > 10.0 {
        return x.sqrt() + y;
    }
    let z = x * y;
    if z > 1.0 {
        return z.ln();
    }
    z.exp() * x
}

#[test]
fn early_returns_from_nested_branches() {
    let cases: [(f64, f64, f64, f64, f64); 5] = [
        // x < 0, y < 0: xy.
        (-1.0, -2.0, 2.0, -2.0, -1.0),
        // x < 0, y ≥ 0: x − y².
        (-1.0, 3.0, -10.0, 1.0, -6.0),
        // x > 10: √x + y.
        (16.0, 2.0, 6.0, 0.125, 1.0),
        // 0 ≤ x ≤ 10, xy > 1: ln(xy).
        (2.0, 4.0, 8.0_f64.ln(), 0.5, 0.25),
        // 0 ≤ x ≤ 10, xy ≤ 1: x·e^(xy).
        (
            0.5,
            0.8,
            0.5 * 0.4_f64.exp(),
            (1.0 + 0.4) * 0.4_f64.exp(),
            0.25 * 0.4_f64.exp(),
        ),
    ];
    for (x, y, value, d_x, d_y) in cases {
        let (v, dx, dy) = early_exits_grad(x, y);
        assert_eq!(v, early_exits(x, y));
        assert_relative_eq!(v, value, max_relative = TIGHT);
        assert_relative_eq!(dx, d_x, max_relative = TIGHT);
        assert_relative_eq!(dy, d_y, max_relative = TIGHT);
        check2(early_exits, x, y, dx, dy);
        assert_accumulates(|s, [a, b]| early_exits_adjoint(x, y, s, a, b), v, [dx, dy]);
    }
}

/// A return from inside a `match` arm, and a fall-through value after it.
#[differentiate]
fn return_from_match(x: f64, k: u32) -> f64 {
    let mut s = x * x;
    match k {
        0 => return s,
        1..=3 => s *= x,
        _ => {
            if x > 1.0 {
                return x.ln() * s;
            }
            s = s.sqrt();
        }
    }
    s + x
}

#[test]
fn return_from_a_match_arm() {
    let x = 1.5_f64;
    assert_eq!(return_from_match_grad(x, 0), (x * x, 2.0 * x));
    let (v, dx) = return_from_match_grad(x, 2);
    assert_relative_eq!(v, x.powi(3) + x, max_relative = TIGHT);
    assert_relative_eq!(dx, 3.0 * x * x + 1.0, max_relative = TIGHT);
    let (v, dx) = return_from_match_grad(x, 8);
    assert_relative_eq!(v, x.ln() * x * x, max_relative = TIGHT);
    assert_relative_eq!(dx, x + 2.0 * x * x.ln(), max_relative = TIGHT);
    // x < 1 in the last arm: s = √(x²) = x, so s + x = 2x.
    let (v, dx) = return_from_match_grad(0.5, 8);
    assert_relative_eq!(v, 1.0, max_relative = TIGHT);
    assert_relative_eq!(dx, 2.0, max_relative = TIGHT);
    for (x, k) in [(1.5, 0), (1.5, 2), (1.5, 8), (0.5, 8)] {
        let (v, dx) = return_from_match_grad(x, k);
        assert_eq!(v, return_from_match(x, k));
        check1(|x| return_from_match(x, k), x, dx);
    }
}
