//! Loops that read neighbouring elements (`x[i - 1]`, `x[i]`, `x[i + 1]`): their
//! reverse keeps each element's adjoint in a register while the loop touches it
//! and adds it to the buffer once. Gradients against analytic ones and finite
//! differences, for every direction, bound and spread the rewrite handles, and for
//! the cases it must leave alone.

// The loops index on purpose: index offsets are what the rewrite looks for.
#![allow(clippy::needless_range_loop)]

use ad::differentiate;
use approx::assert_relative_eq;

fn inputs(n: usize) -> Vec<f64> {
    (0..n).map(|i| 0.4 + 0.3 * (i as f64 * 1.3).sin()).collect()
}

fn assert_gradient(actual: &[f64], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len());
    for (a, e) in actual.iter().zip(expected) {
        assert_relative_eq!(a, e, max_relative = 1e-12, epsilon = 1e-12);
    }
}

/// Σ (x[i-1] − 2x[i] + x[i+1])²: offsets −1, 0, +1.
#[differentiate]
fn roughness(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 1..x.len() - 1 {
        let lap = x[i - 1] - 2.0 * x[i] + x[i + 1];
        s += lap * lap;
    }
    s
}

fn roughness_gradient(x: &[f64]) -> Vec<f64> {
    let mut g = vec![0.0; x.len()];
    for i in 1..x.len() - 1 {
        let lap = x[i - 1] - 2.0 * x[i] + x[i + 1];
        g[i - 1] += 2.0 * lap;
        g[i] -= 4.0 * lap;
        g[i + 1] += 2.0 * lap;
    }
    g
}

#[test]
fn three_point_stencil() {
    for n in [2, 3, 4, 17, 1000] {
        let x = inputs(n);
        let (value, g) = roughness_grad(&x);
        assert_eq!(value, roughness(&x));
        assert_gradient(&g, &roughness_gradient(&x));
        ad::check_gradient(|p: &[f64]| roughness(p), &x, &g).unwrap();
    }
}

/// A loop written backwards, whose reverse runs forwards; the carried value
/// makes the order matter.
#[differentiate]
fn discounted_steps(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in (0..x.len() - 1).rev() {
        let step = x[i + 1] - x[i];
        s = 0.9 * s + step * step * x[i];
    }
    s
}

#[test]
fn stencil_in_a_reversed_loop() {
    for n in [1, 2, 3, 50] {
        let x = inputs(n);
        let (value, g) = discounted_steps_grad(&x);
        assert_eq!(value, discounted_steps(&x));
        ad::check_gradient(|p: &[f64]| discounted_steps(p), &x, &g).unwrap();
    }
    // n = 3 by hand: s = 0.9·(x2 − x1)²x1 + (x1 − x0)²x0.
    let x = [0.5, 1.5, -1.0];
    let (_, g) = discounted_steps_grad(&x);
    let (d0, d1) = (x[1] - x[0], x[2] - x[1]);
    let expected = [
        -2.0 * d0 * x[0] + d0 * d0,
        0.9 * (-2.0 * d1 * x[1] + d1 * d1) + 2.0 * d0 * x[0],
        0.9 * 2.0 * d1 * x[1],
    ];
    assert_gradient(&g, &expected);
}

/// Inclusive bounds, both directions, and a gap between the offsets (i, i + 2).
#[differentiate]
fn skips(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..=x.len() - 3 {
        s += x[i] * x[i + 2];
    }
    for i in (0..=x.len() - 2).rev() {
        s += (x[i + 1] - x[i]).sin();
    }
    s
}

fn skips_gradient(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut g = vec![0.0; n];
    for i in 0..=n - 3 {
        g[i] += x[i + 2];
        g[i + 2] += x[i];
    }
    for i in 0..=n - 2 {
        let c = (x[i + 1] - x[i]).cos();
        g[i + 1] += c;
        g[i] -= c;
    }
    g
}

#[test]
fn inclusive_ranges_and_gaps() {
    for n in [3, 4, 9, 200] {
        let x = inputs(n);
        let (value, g) = skips_grad(&x);
        assert_eq!(value, skips(&x));
        assert_gradient(&g, &skips_gradient(&x));
        ad::check_gradient(|p: &[f64]| skips(p), &x, &g).unwrap();
    }
}

/// Offsets −2 ..= +2, the widest window kept in registers.
#[differentiate]
fn wide(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 2..x.len() - 2 {
        s += x[i - 2] * x[i + 2] - x[i - 1] * x[i + 1] + x[i] * x[i];
    }
    s
}

/// Offsets −3 and +3, a window too wide for registers, left to memory.
#[differentiate]
fn wider(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 3..x.len() - 3 {
        s += 0.5 * x[i - 3] * x[i + 3];
    }
    s
}

fn wide_gradient(x: &[f64]) -> Vec<f64> {
    let mut g = vec![0.0; x.len()];
    for i in 2..x.len() - 2 {
        g[i - 2] += x[i + 2];
        g[i + 2] += x[i - 2];
        g[i - 1] -= x[i + 1];
        g[i + 1] -= x[i - 1];
        g[i] += 2.0 * x[i];
    }
    g
}

fn wider_gradient(x: &[f64]) -> Vec<f64> {
    let mut g = vec![0.0; x.len()];
    for i in 3..x.len() - 3 {
        g[i - 3] += 0.5 * x[i + 3];
        g[i + 3] += 0.5 * x[i - 3];
    }
    g
}

#[test]
fn wide_windows() {
    for n in [4, 5, 6, 7, 8, 64] {
        let x = inputs(n);
        let (_, g) = wide_grad(&x);
        assert_gradient(&g, &wide_gradient(&x));
        ad::check_gradient(|p: &[f64]| wide(p), &x, &g).unwrap();
        if n >= 6 {
            let (_, g) = wider_grad(&x);
            assert_gradient(&g, &wider_gradient(&x));
            ad::check_gradient(|p: &[f64]| wider(p), &x, &g).unwrap();
        }
    }
}

/// A loop that runs no iteration must not add its window to an element that
/// does not exist: here the buffer is empty.
#[differentiate]
fn pairs(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len().saturating_sub(1) {
        s += x[i] * x[i + 1];
    }
    s
}

#[test]
fn empty_and_single_element_loops() {
    assert_eq!(pairs_grad(&[]), (0.0, vec![]));
    assert_eq!(pairs_grad(&[3.0]), (0.0, vec![0.0]));
    assert_eq!(pairs_grad(&[3.0, 5.0]), (15.0, vec![5.0, 3.0]));
    assert_eq!(pairs_grad(&[1.0, 2.0, 4.0]), (10.0, vec![2.0, 5.0, 2.0]));
}

/// The stencil loop nested in another loop: the window starts afresh each time.
#[differentiate]
fn weighted_variation(x: &[f64], w: &[f64]) -> f64 {
    let mut s = 0.0;
    for k in 0..w.len() {
        for i in 0..x.len() - 1 {
            let d = x[i + 1] - x[i];
            s += w[k] * d * d * (k as f64 + 1.0);
        }
    }
    s
}

#[test]
fn stencil_inside_an_outer_loop() {
    let (x, w) = (inputs(12), [0.5, -1.0, 2.0]);
    let (_, dx, dw) = weighted_variation_grad(&x, &w);
    let scale: f64 = w
        .iter()
        .enumerate()
        .map(|(k, w)| w * (k as f64 + 1.0))
        .sum();
    let mut expected_dx = vec![0.0; x.len()];
    let mut squares = 0.0;
    for i in 0..x.len() - 1 {
        let d = x[i + 1] - x[i];
        expected_dx[i + 1] += 2.0 * scale * d;
        expected_dx[i] -= 2.0 * scale * d;
        squares += d * d;
    }
    assert_gradient(&dx, &expected_dx);
    let expected_dw: Vec<f64> = (0..3).map(|k| squares * (k as f64 + 1.0)).collect();
    assert_gradient(&dw, &expected_dw);
}

/// The same buffer also read at an index that is not an offset of the loop's
/// (`n − 1 − i`): the rewrite must leave that loop alone.
#[differentiate]
fn mirrored(x: &[f64]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for i in 0..n - 1 {
        s += x[i] * x[i + 1] * x[n - 1 - i];
    }
    s
}

#[test]
fn other_reads_of_the_buffer_keep_the_loop_as_it_was() {
    for n in [2, 5, 30] {
        let x = inputs(n);
        let (_, g) = mirrored_grad(&x);
        let mut expected = vec![0.0; n];
        for i in 0..n - 1 {
            expected[i] += x[i + 1] * x[n - 1 - i];
            expected[i + 1] += x[i] * x[n - 1 - i];
            expected[n - 1 - i] += x[i] * x[i + 1];
        }
        assert_gradient(&g, &expected);
    }
}

/// A stencil over a local buffer, whose adjoint then flows back through the
/// loop that filled it.
#[differentiate]
fn smooth_sines(x: &[f64]) -> f64 {
    let n = x.len();
    let mut y = vec![0.0; n];
    for i in 0..n {
        y[i] = x[i].sin();
    }
    let mut s = 0.0;
    for i in 0..n - 1 {
        let d = y[i + 1] - y[i];
        s += d * d;
    }
    s
}

#[test]
fn stencil_over_a_local_buffer() {
    for n in [1, 2, 10] {
        let x = inputs(n);
        let (_, g) = smooth_sines_grad(&x);
        let mut expected = vec![0.0; n];
        for i in 0..n.saturating_sub(1) {
            let d = x[i + 1].sin() - x[i].sin();
            expected[i + 1] += 2.0 * d * x[i + 1].cos();
            expected[i] -= 2.0 * d * x[i].cos();
        }
        assert_gradient(&g, &expected);
    }
}

#[differentiate]
fn roughness_f32(x: &[f32]) -> f32 {
    let mut s = 0.0;
    for i in 1..x.len() - 1 {
        let lap = x[i - 1] - 2.0 * x[i] + x[i + 1];
        s += lap * lap;
    }
    s
}

#[test]
fn f32_stencil() {
    let x: Vec<f32> = inputs(9).iter().map(|&v| v as f32).collect();
    let (_, g) = roughness_f32_grad(&x);
    let wide: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
    for (a, e) in g.iter().zip(roughness_gradient(&wide)) {
        assert_relative_eq!(f64::from(*a), e, max_relative = 1e-5, epsilon = 1e-5);
    }
}
