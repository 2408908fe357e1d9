//! `match` on enums, `Option` and `Result` of constants (issue 16): unit, tuple and
//! struct variants of an enum without `PartialEq`, `Some(v)`/`None`, `Ok(i) |
//! Err(i)` with bindings, nested patterns, `@` bindings, guards on constants and on
//! differentiable floats, `matches!`; each against the same function over dual
//! numbers (gradient) and hyper-dual numbers (Hessian, with the `hessian` option).

use ad::differentiate;
mod common;
use common::{assert_all_close, assert_close, assert_matrix_close, dual_gradient, hyper_hessian};
use num_dual::DualNum;

/// No `PartialEq`: the arms cannot be `==` tests.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    Add,
    Mul,
    Scale(f64),
    Pow { n: i32 },
    Then(usize, usize),
}

#[differentiate(hessian)]
fn apply(op: Op, x: f64, y: f64) -> f64 {
    match op {
        Op::Add => x + y,
        Op::Mul => x * y,
        Op::Scale(k) => k * x * y.sin(),
        Op::Pow { n } => x.powi(n) * y,
        Op::Then(a, b) if a > b => (a - b) as f64 * x.exp() * y,
        Op::Then(a, _) => a as f64 * x * y * y,
    }
}

fn apply_ref<D: DualNum<Primitive = f64> + Copy>(op: Op, v: &[D]) -> D {
    let (x, y) = (v[0], v[1]);
    match op {
        Op::Add => x + y,
        Op::Mul => x * y,
        Op::Scale(k) => x * k * y.sin(),
        Op::Pow { n } => x.powi(n) * y,
        Op::Then(a, b) if a > b => x.exp() * y * (a - b) as f64,
        Op::Then(a, _) => x * y * y * a as f64,
    }
}

/// `Some(v)` and `None`, nested patterns, an `@` binding, a guard on a binding and
/// one on a differentiable float, in a loop that carries a float.
// Indexed: a loop over a slice of enums is not one of the iterations the macro reads.
#[allow(clippy::needless_range_loop)]
#[differentiate(hessian)]
fn options(x: f64, y: f64, steps: &[Option<Op>]) -> f64 {
    let mut acc = y;
    for i in 0..steps.len() {
        acc = match steps[i] {
            None => acc * x,
            Some(Op::Scale(k)) if acc > 1.0 => acc + k * x,
            Some(Op::Scale(k)) => acc - k * x * x,
            Some(Op::Pow { n: n @ 1..=3 }) => acc.powi(n) * 0.5,
            Some(Op::Then(a, b)) => acc * (a + b) as f64 + x,
            Some(_) => acc.sin() + y,
        };
    }
    acc
}

fn options_ref<D: DualNum<Primitive = f64> + Copy>(v: &[D], steps: &[Option<Op>]) -> D {
    let (x, y) = (v[0], v[1]);
    let mut acc = y;
    for step in steps {
        acc = match *step {
            None => acc * x,
            Some(Op::Scale(k)) if acc.re() > 1.0 => acc + x * k,
            Some(Op::Scale(k)) => acc - x * x * k,
            Some(Op::Pow { n: n @ 1..=3 }) => acc.powi(n) * 0.5,
            Some(Op::Then(a, b)) => acc * (a + b) as f64 + x,
            Some(_) => acc.sin() + y,
        };
    }
    acc
}

/// `Ok(i) | Err(i)` binds `i` in both cases; `matches!` as a condition.
#[differentiate(hessian)]
fn results(x: f64, r: Result<usize, usize>, o: Option<i32>) -> f64 {
    let scaled = match r {
        Ok(i) | Err(i) => x * i as f64,
    };
    let bonus = if matches!(r, Err(2..)) { x.sin() } else { 0.0 };
    let tail = match o {
        Some(p) if p < 0 => (-p) as f64 / x,
        Some(p) => x.powi(p),
        None => 1.0,
    };
    scaled * tail + bonus
}

fn results_ref<D: DualNum<Primitive = f64> + Copy>(
    v: &[D],
    r: Result<usize, usize>,
    o: Option<i32>,
) -> D {
    let x = v[0];
    let scaled = match r {
        Ok(i) | Err(i) => x * i as f64,
    };
    let bonus = if matches!(r, Err(2..)) {
        x.sin()
    } else {
        D::zero()
    };
    let tail = match o {
        Some(p) if p < 0 => x.recip() * (-p) as f64,
        Some(p) => x.powi(p),
        None => D::one(),
    };
    scaled * tail + bonus
}

/// A binding that shadows the scrutinee's name, and a struct matched through a
/// reference parameter's field (not moved: `Kind` is not `Copy`).
pub enum Kind {
    Linear(f64),
    Named(String, f64),
}

pub struct Model {
    kind: Kind,
}

#[differentiate]
fn kinds(x: f64, model: &Model, pair: Option<(usize, usize)>) -> f64 {
    let first = match model.kind {
        Kind::Linear(w) => w * x,
        Kind::Named(ref name, w) => name.len() as f64 * w * x * x,
    };
    let second = match pair {
        Some((pair, other)) => (pair * 10 + other) as f64 * x,
        None => 0.0,
    };
    first + second
}

#[test]
fn enum_variants_without_partial_eq() {
    let point = [0.7, -1.3];
    for op in [
        Op::Add,
        Op::Mul,
        Op::Scale(2.5),
        Op::Pow { n: 3 },
        Op::Then(4, 1),
        Op::Then(1, 4),
    ] {
        let what = format!("{op:?}");
        let (value, dx, dy) = apply_grad(op, point[0], point[1]);
        assert_close(&what, value, apply_ref(op, &[point[0], point[1]]));
        let want = dual_gradient(|v| apply_ref(op, v), &point);
        assert_all_close(&what, &[dx, dy], &want);
        let (_, gradient, hessian) = apply_hessian(op, point[0], point[1]);
        assert_all_close(&what, &gradient, &want);
        assert_matrix_close(
            &what,
            &hessian,
            &hyper_hessian(|v| apply_ref(op, v), &point),
        );
        ad::check_hessian(
            |p| {
                let (_, dx, dy) = apply_grad(op, p[0], p[1]);
                vec![dx, dy]
            },
            &point,
            &hessian,
        )
        .unwrap();
    }
}

#[test]
fn options_in_a_loop() {
    let steps = [
        None,
        Some(Op::Scale(0.5)),
        Some(Op::Pow { n: 2 }),
        Some(Op::Scale(1.5)),
        Some(Op::Then(1, 2)),
        Some(Op::Pow { n: 7 }),
        None,
    ];
    // The guard `acc > 1.0` takes both sides at these points.
    for point in [[1.2, 0.9], [0.6, 2.0], [-0.8, 0.4]] {
        let (value, dx, dy) = options_grad(point[0], point[1], &steps);
        assert_close("options", value, options_ref(&point, &steps));
        let want = dual_gradient(|v| options_ref(v, &steps), &point);
        assert_all_close("options", &[dx, dy], &want);
        let (_, _, hessian) = options_hessian(point[0], point[1], &steps);
        let want = hyper_hessian(|v| options_ref(v, &steps), &point);
        assert_matrix_close("options", &hessian, &want);
    }
}

#[test]
fn results_or_patterns_and_matches() {
    let x = 1.3;
    for (r, o) in [
        (Ok(3), Some(2)),
        (Err(5), Some(-3)),
        (Ok(2), None),
        (Err(1), Some(0)),
    ] {
        let what = format!("{r:?} {o:?}");
        let (value, dx) = results_grad(x, r, o);
        assert_close(&what, value, results_ref(&[x], r, o));
        let want = dual_gradient(|v| results_ref(v, r, o), &[x]);
        assert_close(&what, dx, want[0]);
        let (_, _, hessian) = results_hessian(x, r, o);
        let want = hyper_hessian(|v| results_ref(v, r, o), &[x]);
        assert_matrix_close(&what, &hessian, &want);
    }
}

#[test]
fn struct_fields_and_shadowing_bindings() {
    let x = 0.9;
    let linear = Model {
        kind: Kind::Linear(2.0),
    };
    let named = Model {
        kind: Kind::Named("abc".into(), 0.5),
    };
    assert_eq!(kinds_grad(x, &linear, None), (2.0 * x, 2.0));
    let (value, dx) = kinds_grad(x, &named, Some((2, 7)));
    assert_close("named", value, 3.0 * 0.5 * x * x + 27.0 * x);
    assert_close("named", dx, 3.0 * x + 27.0);
}
