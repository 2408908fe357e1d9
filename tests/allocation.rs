//! Gradients make no heap allocation once the thread's value stack has grown to the
//! size a function needs: straight-line code never allocates, and loops reuse the
//! stack's buffers from the previous call.

// A global allocator that counts is the one place that needs `unsafe`; the code
// `#[differentiate]` generates has none (tests/hygiene.rs forbids it).
#![allow(unsafe_code)]

use ad::differentiate;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts this thread's allocations, so tests running in parallel do not interfere.
struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // `try_with`: the thread-local may be gone while a thread shuts down.
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn allocations_during(run: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    run();
    ALLOCATIONS.with(Cell::get) - before
}

#[differentiate]
fn straight(x: f64, y: f64) -> f64 {
    (x * y).sin() / (1.0 + x * x) + y.sqrt()
}

#[differentiate]
fn looped(x: f64, n: usize) -> f64 {
    let mut y = x;
    for k in 0..n {
        if k % 3 == 0 {
            y = (y * x).sin() + 1.0;
        } else {
            y = y * y * 0.5;
        }
    }
    y
}

#[test]
fn straight_line_gradients_never_allocate() {
    let count = allocations_during(|| {
        let (v, dx, dy) = straight_grad(0.3, 2.0);
        assert!(v.is_finite() && dx.is_finite() && dy.is_finite());
    });
    assert_eq!(count, 0);
    assert_eq!(straight(0.3, 2.0), straight_grad(0.3, 2.0).0);
}

#[test]
fn loop_gradients_reuse_the_value_stack() {
    let warm_up = looped_grad(0.9, 1000);
    let count = allocations_during(|| {
        for _ in 0..10 {
            let (v, dx) = looped_grad(0.9, 1000);
            assert_eq!((v, dx), warm_up);
        }
    });
    assert_eq!(count, 0, "steady-state calls allocated");
    assert_eq!(looped(0.9, 1000), warm_up.0);
}

#[differentiate]
fn inner(x: f64, n: usize) -> f64 {
    let mut y = x;
    for _ in 0..n {
        y = (y * x).sin();
    }
    y
}

#[differentiate]
fn outer(x: f64, n: usize) -> f64 {
    let mut s: f64 = 0.5;
    for k in 0..n {
        s += inner(x + k as f64, n) * s.cos();
    }
    s
}

#[test]
fn nested_gradient_calls_reuse_stacks_too() {
    let warm_up = outer_grad(0.3, 50);
    let count = allocations_during(|| {
        for _ in 0..10 {
            assert_eq!(outer_grad(0.3, 50), warm_up);
        }
    });
    assert_eq!(count, 0, "steady-state nested calls allocated");
    assert_eq!(outer(0.3, 50), warm_up.0);
}

/// A loop over a slice with a callee and a local buffer: forward mode records and
/// allocates nothing but the buffer the function itself makes; the Hessian-vector
/// product reuses the value stack like the gradient.
#[differentiate(hessian)]
// The index loop is the shape under test.
#[allow(clippy::needless_range_loop)]
fn energy(x: &[f64], k: f64) -> f64 {
    let mut e = 0.0;
    for &v in x {
        e += k * (v * k).sin() * v;
    }
    e
}

#[differentiate(hessian)]
fn system(x: &[f64], k: f64) -> f64 {
    let mut total = 0.0;
    for i in 1..x.len() {
        let d = x[i] - x[i - 1];
        total += d * d * d.cos();
    }
    total + energy(x, k)
}

#[test]
fn forward_mode_never_allocates() {
    let x = [0.3, -0.2, 0.9, 1.4];
    let t = [1.0, 0.5, -0.5, 2.0];
    let count = allocations_during(|| {
        let (v, jvp) = system_jvp(&x, 1.5, &t, 0.25);
        assert!(v.is_finite() && jvp.is_finite());
    });
    assert_eq!(count, 0);
}

#[test]
fn hessian_vector_products_reuse_the_value_stack() {
    let x = [0.3, -0.2, 0.9, 1.4];
    let v = [1.0, 0.5, -0.5, 2.0];
    let (mut d_x, mut hv_x) = ([0.0; 4], [0.0; 4]);
    let (mut d_k, mut hv_k) = (0.0, 0.0);
    let mut run = |d_x: &mut [f64], hv_x: &mut [f64]| {
        system_hvp_all(
            &x,
            1.5,
            &v[..],
            &0.25,
            1.0,
            0.0,
            d_x,
            &mut d_k,
            hv_x,
            &mut hv_k,
        )
    };
    run(&mut d_x, &mut hv_x);
    let count = allocations_during(|| {
        for _ in 0..10 {
            run(&mut d_x, &mut hv_x);
        }
    });
    assert_eq!(count, 0, "steady-state Hessian-vector products allocated");
}

#[derive(Clone, ad::Differentiable)]
struct Layer {
    w: Vec<f64>,
    b: f64,
}

#[derive(Clone, ad::Differentiable)]
struct Model {
    hidden: Layer,
    out: Vec<f64>,
}

/// A loss over a struct of vectors, nested fields included. (A constant slice
/// passed to a callee whose slot differentiates it gets a scratch adjoint, one
/// allocation per call, struct or not: not exercised here.)
#[ad::differentiate(wrt(model))]
#[allow(clippy::needless_range_loop)]
fn model_loss(model: &Model, x: &[f64]) -> f64 {
    let mut z = model.hidden.b;
    for i in 0..x.len() {
        z += model.hidden.w[i] * x[i];
    }
    let h = z.tanh();
    let mut s = 0.0;
    for k in 0..model.out.len() {
        s += model.out[k] * h;
    }
    s * s
}

#[test]
fn struct_adjoints_reuse_the_value_stack() {
    let model = Model {
        hidden: Layer {
            w: vec![0.5, -0.25, 1.0],
            b: 0.1,
        },
        out: vec![1.0, 2.0],
    };
    let x = [1.0, 2.0, 3.0];
    let mut buffer = ad::Differentiable::zeroed_like(&model);
    model_loss_adjoint(&model, &x, 1.0, &mut buffer);
    let count = allocations_during(|| {
        model_loss_adjoint(&model, &x, 1.0, &mut buffer);
    });
    assert_eq!(count, 0, "f_adjoint of a struct allocated");
}
