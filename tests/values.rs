//! Tuple and small-struct values (issue 16, items 2 and 3): tuple-valued `if`,
//! `match` and blocks taken apart by a `let`, tuple locals carried through loops,
//! `Copy` structs and tuple structs of floats as locals (functional update, field
//! writes, carried through a loop). Each function is checked against the same
//! function written generically and run over num-dual's dual numbers, with
//! multipliers that make a dropped or misrouted element's adjoint visible.

use ad::differentiate;
mod common;
use common::{assert_all_close, assert_close, assert_matrix_close, dual_gradient, hyper_hessian};
use num_dual::DualNum;

/// `f`'s value and gradient against the reference `reference` at `point`.
#[track_caller]
fn check(
    what: &str,
    value: f64,
    gradient: &[f64],
    reference: impl Fn(&[num_dual::Dual64]) -> num_dual::Dual64,
    point: &[f64],
) {
    let at: Vec<num_dual::Dual64> = point
        .iter()
        .map(|&x| num_dual::Dual64::from_re(x))
        .collect();
    assert_close(what, value, reference(&at).re);
    assert_all_close(what, gradient, &dual_gradient(reference, point));
}

// --- B. Tuple values ---

#[differentiate]
fn ordered(x: f64, y: f64) -> f64 {
    let (a, b) = if x > y { (x, 3.0 * y) } else { (2.0 * y, x) };
    5.0 * a * a + 7.0 * b
}

fn ordered_ref<T: DualNum<Primitive = f64> + Copy>(v: &[T]) -> T {
    let (x, y) = (v[0], v[1]);
    let (a, b) = if x.re() > y.re() {
        (x, y * 3.0)
    } else {
        (y * 2.0, x)
    };
    a * a * 5.0 + b * 7.0
}

#[test]
fn a_tuple_from_an_if() {
    for point in [[1.5, -0.5], [-0.5, 1.5]] {
        let (value, dx, dy) = ordered_grad(point[0], point[1]);
        check("ordered", value, &[dx, dy], ordered_ref, &point);
    }
}

#[differentiate]
fn from_block(x: f64, y: f64) -> f64 {
    let (mut s, c) = {
        let u = x * y;
        let v = x - y;
        (u.sin(), 4.0 * v.cos())
    };
    s *= 1.5;
    2.0 * s + 3.0 * c * y
}

fn from_block_ref<T: DualNum<Primitive = f64> + Copy>(v: &[T]) -> T {
    let (x, y) = (v[0], v[1]);
    let (mut s, c) = {
        let u = x * y;
        let v = x - y;
        (u.sin(), v.cos() * 4.0)
    };
    s *= 1.5;
    s * 2.0 + c * y * 3.0
}

#[test]
fn a_tuple_from_a_block() {
    let point = [0.7, -1.3];
    let (value, dx, dy) = from_block_grad(point[0], point[1]);
    check("from_block", value, &[dx, dy], from_block_ref, &point);
}

#[differentiate]
fn by_case(x: f64, y: f64, k: usize) -> f64 {
    let (p, _, q) = match k {
        0 => (x, 1.0, y),
        1 => {
            let t = y * 2.0;
            (t * x, 0.0, x)
        }
        _ => (x * y, 2.0, 5.0),
    };
    3.0 * p + 11.0 * q * q
}

fn by_case_ref<T: DualNum<Primitive = f64> + Copy>(v: &[T], k: usize) -> T {
    let (x, y) = (v[0], v[1]);
    let (p, _, q) = match k {
        0 => (x, T::from(1.0), y),
        1 => {
            let t = y * 2.0;
            (t * x, T::from(0.0), x)
        }
        _ => (x * y, T::from(2.0), T::from(5.0)),
    };
    p * 3.0 + q * q * 11.0
}

#[test]
fn a_tuple_from_a_match() {
    let point = [0.9, -1.7];
    for k in 0..3 {
        let (value, dx, dy) = by_case_grad(point[0], point[1], k);
        check(
            &format!("by_case {k}"),
            value,
            &[dx, dy],
            |v| by_case_ref(v, k),
            &point,
        );
    }
}

#[differentiate]
fn recurrence(x: f64, y: f64) -> f64 {
    let mut prev = (x, y);
    for i in 0..5 {
        let s = prev.0 * 0.5 + prev.1;
        let t = prev.0 - 0.3 * prev.1 * prev.1;
        prev = (s, t);
        if i == 2 {
            prev.1 += 0.25 * prev.0;
        }
    }
    let (a, b) = prev;
    2.0 * a + 3.0 * b + prev.0 * prev.1
}

fn recurrence_ref<T: DualNum<Primitive = f64> + Copy>(v: &[T]) -> T {
    let mut prev = (v[0], v[1]);
    for i in 0..5 {
        let s = prev.0 * 0.5 + prev.1;
        let t = prev.0 - prev.1 * prev.1 * 0.3;
        prev = (s, t);
        if i == 2 {
            prev.1 += prev.0 * 0.25;
        }
    }
    let (a, b) = prev;
    a * 2.0 + b * 3.0 + prev.0 * prev.1
}

#[test]
fn a_tuple_local_carried_through_a_loop() {
    let point = [0.4, 0.6];
    let (value, dx, dy) = recurrence_grad(point[0], point[1]);
    check("recurrence", value, &[dx, dy], recurrence_ref, &point);
}

#[differentiate]
fn swaps(x: f64, y: f64) -> f64 {
    let mut p = if x > 0.0 { (x, 2.0 * y) } else { (y, x) };
    for _ in 0..3 {
        p = if p.0 > p.1 { (p.1, p.0 * 1.5) } else { p };
    }
    let q = p;
    3.0 * q.0 + 7.0 * p.1
}

fn swaps_ref<T: DualNum<Primitive = f64> + Copy>(v: &[T]) -> T {
    let (x, y) = (v[0], v[1]);
    let mut p = if x.re() > 0.0 { (x, y * 2.0) } else { (y, x) };
    for _ in 0..3 {
        p = if p.0.re() > p.1.re() {
            (p.1, p.0 * 1.5)
        } else {
            p
        };
    }
    let q = p;
    q.0 * 3.0 + p.1 * 7.0
}

#[test]
fn a_tuple_local_from_an_if_reassigned_from_an_if() {
    for point in [[1.2, 0.3], [-0.4, 0.9], [0.5, 0.9]] {
        let (value, dx, dy) = swaps_grad(point[0], point[1]);
        check("swaps", value, &[dx, dy], swaps_ref, &point);
    }
}

// --- C. Small structs ---

#[derive(Clone, Copy)]
struct State {
    x: f64,
    v: f64,
}

#[derive(Clone, Copy)]
struct StateRef<T> {
    x: T,
    v: T,
}

#[differentiate(hessian)]
fn pendulum(x: f64, v: f64, k: f64) -> f64 {
    let dt = 0.1;
    let mut s = State { x, v };
    for _ in 0..8 {
        s = State {
            x: s.x + dt * s.v,
            ..s
        };
        s = State {
            v: s.v - dt * k * s.x.sin(),
            ..s
        };
    }
    s.x += 0.5 * s.v;
    2.0 * s.x + 5.0 * s.v * s.v
}

fn pendulum_ref<T: DualNum<Primitive = f64> + Copy>(p: &[T]) -> T {
    let (x, v, k) = (p[0], p[1], p[2]);
    let dt = 0.1;
    let mut s = StateRef { x, v };
    for _ in 0..8 {
        s = StateRef {
            x: s.x + s.v * dt,
            ..s
        };
        s = StateRef {
            v: s.v - k * s.x.sin() * dt,
            ..s
        };
    }
    s.x += s.v * 0.5;
    s.x * 2.0 + s.v * s.v * 5.0
}

#[test]
fn a_struct_carried_through_a_loop() {
    let point = [0.8, -0.3, 1.7];
    let (value, dx, dv, dk) = pendulum_grad(point[0], point[1], point[2]);
    check("pendulum", value, &[dx, dv, dk], pendulum_ref, &point);
    let (_, gradient, hessian) = pendulum_hessian(point[0], point[1], point[2]);
    assert_all_close("pendulum gradient", &gradient, &[dx, dv, dk]);
    assert_matrix_close("pendulum", &hessian, &hyper_hessian(pendulum_ref, &point));
    ad::check_hessian(
        |p| {
            let (_, dx, dv, dk) = pendulum_grad(p[0], p[1], p[2]);
            vec![dx, dv, dk]
        },
        &point,
        &hessian,
    )
    .unwrap();
}

#[derive(Clone, Copy)]
struct P(f64, f64);

#[derive(Clone, Copy)]
struct PRef<T>(T, T);

#[differentiate(hessian)]
fn rotate(a: f64, b: f64) -> f64 {
    let mut p = P(a, b);
    p.0 *= 2.0;
    let q = if p.0 > p.1 { P(p.1, p.0) } else { p };
    p = P(q.1 * q.0, q.0 + 1.0);
    3.0 * p.0 - 7.0 * p.1 * p.1
}

fn rotate_ref<T: DualNum<Primitive = f64> + Copy>(v: &[T]) -> T {
    let mut p = PRef(v[0], v[1]);
    p.0 *= 2.0;
    let q = if p.0.re() > p.1.re() {
        PRef(p.1, p.0)
    } else {
        p
    };
    p = PRef(q.1 * q.0, q.0 + 1.0);
    p.0 * 3.0 - p.1 * p.1 * 7.0
}

#[test]
fn a_tuple_struct() {
    for point in [[0.9, 0.4], [0.1, 0.9]] {
        let (value, da, db) = rotate_grad(point[0], point[1]);
        check("rotate", value, &[da, db], rotate_ref, &point);
        let (_, _, hessian) = rotate_hessian(point[0], point[1]);
        assert_matrix_close("rotate", &hessian, &hyper_hessian(rotate_ref, &point));
        ad::check_hessian(
            |p| {
                let (_, da, db) = rotate_grad(p[0], p[1]);
                vec![da, db]
            },
            &point,
            &hessian,
        )
        .unwrap();
    }
}

#[derive(Clone, Copy)]
struct Step {
    h: f64,
    n: usize,
}

#[differentiate]
fn integrate(x: f64, rate: f64) -> f64 {
    let step = Step { h: 0.05, n: 6 };
    let mut y = x;
    for _ in 0..step.n {
        y += step.h * rate * y.cos();
    }
    let (lo, hi) = if y < x { (y, x) } else { (x, y) };
    4.0 * lo + 9.0 * hi * rate
}

fn integrate_ref<T: DualNum<Primitive = f64> + Copy>(v: &[T]) -> T {
    let (x, rate) = (v[0], v[1]);
    let (h, n) = (0.05, 6);
    let mut y = x;
    for _ in 0..n {
        y += rate * y.cos() * h;
    }
    let (lo, hi) = if y.re() < x.re() { (y, x) } else { (x, y) };
    lo * 4.0 + hi * rate * 9.0
}

#[test]
fn a_struct_with_a_constant_field() {
    for point in [[0.3, 1.1], [0.3, -1.1]] {
        let (value, dx, dr) = integrate_grad(point[0], point[1]);
        check("integrate", value, &[dx, dr], integrate_ref, &point);
    }
}

#[differentiate]
fn guarded(x: f32, y: f32) -> f32 {
    let (a, n) = if x > 0.0 {
        (x * y, 3)
    } else if y > 0.0 {
        return 5.0 * y;
    } else {
        (y, 2)
    };
    let mut acc = a;
    for _ in 0..n {
        acc = acc * 0.5 + 2.0 * a;
    }
    acc
}

fn guarded_ref<T: DualNum<Primitive = f64> + Copy>(v: &[T]) -> T {
    let (x, y) = (v[0], v[1]);
    let (a, n) = if x.re() > 0.0 {
        (x * y, 3)
    } else if y.re() > 0.0 {
        return y * 5.0;
    } else {
        (y, 2)
    };
    let mut acc = a;
    for _ in 0..n {
        acc = acc * 0.5 + a * 2.0;
    }
    acc
}

#[test]
fn a_tuple_with_a_constant_and_an_early_return_in_f32() {
    for point in [[0.75f32, -1.25], [-0.5, 1.5], [-0.5, -1.5]] {
        let (value, dx, dy) = guarded_grad(point[0], point[1]);
        let wide = [f64::from(point[0]), f64::from(point[1])];
        let at: Vec<num_dual::Dual64> =
            wide.iter().map(|&x| num_dual::Dual64::from_re(x)).collect();
        let want = dual_gradient(guarded_ref, &wide);
        let close =
            |got: f32, want: f64| (f64::from(got) - want).abs() <= 1e-5 * want.abs().max(1.0);
        assert!(
            close(value, guarded_ref(&at).re),
            "value {value} at {point:?}"
        );
        assert!(
            close(dx, want[0]) && close(dy, want[1]),
            "({dx}, {dy}) vs {want:?} at {point:?}"
        );
    }
}

// Shadowed and captured: a later `let p` that is not a tuple hides the replaced
// one, and a closure reads the elements it captures.
#[differentiate]
fn shadowed(x: f64, y: f64) -> f64 {
    let p: (f64, f64) = (x, 3.0 * y);
    let scale = |t: f64| t * p.0 + p.1;
    let q = scale(y);
    let p = p.0 * p.1 + q;
    2.0 * p
}

fn shadowed_ref<T: DualNum<Primitive = f64> + Copy>(v: &[T]) -> T {
    let (x, y) = (v[0], v[1]);
    let p: (T, T) = (x, y * 3.0);
    let scale = |t: T| t * p.0 + p.1;
    let q = scale(y);
    let p = p.0 * p.1 + q;
    p * 2.0
}

#[test]
fn a_tuple_local_shadowed_and_captured() {
    let point = [0.6, -1.4];
    let (value, dx, dy) = shadowed_grad(point[0], point[1]);
    check("shadowed", value, &[dx, dy], shadowed_ref, &point);
}

// A struct of constants used whole (a method's receiver) is left as it was: it runs
// in the forward sweep.
struct Lcg {
    state: u64,
}

impl Lcg {
    fn next_f64(&mut self) -> f64 {
        self.state = self
            .state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (self.state >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[differentiate]
fn noisy(x: f64, seed: u64) -> f64 {
    let mut rng = Lcg { state: seed };
    let u = rng.next_f64();
    let w = rng.next_f64();
    3.0 * x * x * u + w * x
}

#[test]
fn a_struct_of_constants_with_methods_runs_as_written() {
    let mut rng = Lcg { state: 7 };
    let (u, w) = (rng.next_f64(), rng.next_f64());
    let x = 0.8;
    let (value, dx) = noisy_grad(x, 7);
    assert_close("noisy", value, 3.0 * x * x * u + w * x);
    assert_close("noisy dx", dx, 6.0 * x * u + w);
}
