//! The oracle's helpers (`tests/common/mod.rs`) against closed forms, over both
//! number types the programs' `_dual` twins are instantiated with: real parts bit
//! for bit the `f64` functions' (so that the oracle takes the program's
//! branches), first derivatives over `Dual64`, first and second ones over
//! `HyperDual64`. Also the num-dual functions the rendering calls directly, to
//! second order.

#[allow(unused_imports)]
mod common;
use common::{c, erf, hypot, mul_add, powi, rem_euclid, tanh, Dual64, DualNum, HyperDual64};

/// `x + ε₁ + ε₂`: f of it has f'(x) in its ε₁ and ε₂ parts and f''(x) in its ε₁ε₂ part.
fn seed(x: f64) -> HyperDual64 {
    HyperDual64::new(x, 1.0, 1.0, 0.0)
}

#[track_caller]
fn close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-14 * want.abs().max(1.0),
        "{what}: got {got:e}, want {want:e}"
    );
}

#[track_caller]
fn first_and_second(what: &str, f: HyperDual64, d1: f64, d2: f64) {
    close(&format!("{what}: ε₁"), f.eps1, d1);
    close(&format!("{what}: ε₂"), f.eps2, d1);
    close(&format!("{what}: ε₁ε₂"), f.eps1eps2, d2);
}

const POINTS: [f64; 9] = [-800.0, -3.0, -0.7, -1e-9, 0.0, 0.4, 2.5, 20.0, 800.0];

#[test]
fn tanh_is_f64_tanh_with_its_derivatives() {
    for x in POINTS {
        let what = format!("tanh at {x}");
        // tanh' = sech², tanh'' = −2 sinh / cosh³, both 0 in f64 far out.
        let (d1, d2) = if x.abs() < 300.0 {
            let cosh = x.cosh();
            (1.0 / (cosh * cosh), -2.0 * x.sinh() / cosh.powi(3))
        } else {
            (0.0, 0.0)
        };
        let h = tanh(seed(x));
        assert_eq!(h.re.to_bits(), x.tanh().to_bits(), "{what}");
        first_and_second(&what, h, d1, d2);
        let d = tanh(Dual64::new(x, 1.0));
        assert_eq!(d.re.to_bits(), x.tanh().to_bits(), "{what}");
        close(&what, d.eps, d1);
    }
}

#[test]
fn erf_is_ad_erf_with_its_derivatives() {
    for x in POINTS {
        let what = format!("erf at {x}");
        // erf' = 2/√π·e^(−x²) (e^(−1e-18) = 1 - 1e-18 rounds to 1), erf'' = −2x·erf'.
        let d1 = std::f64::consts::FRAC_2_SQRT_PI * (-x * x).exp();
        let h = erf(seed(x));
        assert_eq!(h.re.to_bits(), ad::erf(x).to_bits(), "{what}");
        first_and_second(&what, h, d1, -2.0 * x * d1);
        let d = erf(Dual64::new(x, 1.0));
        assert_eq!(d.re.to_bits(), ad::erf(x).to_bits(), "{what}");
        close(&what, d.eps, d1);
    }
}

#[test]
fn rem_euclid_is_f64_rem_euclid_with_its_derivatives() {
    for (x, y) in [
        (7.3_f64, 2.0_f64),
        (-7.3, 2.0),
        (0.4, 1.5),
        (-0.4, 3.25),
        (1e-9, 1.0),
    ] {
        let what = format!("rem_euclid at ({x}, {y})");
        let r = x.rem_euclid(y);
        let q = ((x - r) / y).round();
        // ∂x = 1, ∂y = −q, second derivatives 0.
        let h = rem_euclid(seed(x), HyperDual64::new(y, 0.5, -1.0, 0.0));
        assert_eq!(h.re.to_bits(), r.to_bits(), "{what}");
        close(&format!("{what}: ε₁"), h.eps1, 1.0 - 0.5 * q);
        close(&format!("{what}: ε₂"), h.eps2, 1.0 + q);
        close(&format!("{what}: ε₁ε₂"), h.eps1eps2, 0.0);
        let d = rem_euclid(Dual64::new(x, 0.0), Dual64::new(y, 1.0));
        close(&what, d.eps, -q);
    }
}

#[test]
fn tanh_composes_to_second_order() {
    // (tanh(x²))'' = 2 sech²(x²) − 8 x² tanh(x²) sech²(x²): the ε₁ε₂ part of the
    // argument goes through tanh', the ε₁·ε₂ product through tanh''.
    for x in [-1.3_f64, -0.2, 0.0, 0.6, 1.1] {
        let s = seed(x);
        let h = tanh(s * s);
        let (t, sech2) = ((x * x).tanh(), 1.0 / (x * x).cosh().powi(2));
        first_and_second(
            &format!("tanh(x²) at {x}"),
            h,
            2.0 * x * sech2,
            2.0 * sech2 - 8.0 * x * x * t * sech2,
        );
    }
}

#[test]
fn powi_is_f64_powi_with_its_derivatives() {
    for x in [-1.3_f64, -0.5, 0.0, 0.7, 2.0] {
        for (k, d1, d2) in [(1, 1.0, 0.0), (2, 2.0 * x, 2.0), (3, 3.0 * x * x, 6.0 * x)] {
            let what = format!("powi({x}, {k})");
            let h = powi(seed(x), k);
            assert_eq!(h.re.to_bits(), x.powi(k).to_bits(), "{what}");
            first_and_second(&what, h, d1, d2);
            let d = powi(Dual64::new(x, 1.0), k);
            assert_eq!(d.re.to_bits(), x.powi(k).to_bits(), "{what}");
            close(&what, d.eps, d1);
        }
    }
}

#[test]
fn hypot_is_f64_hypot_with_its_derivatives() {
    for (x, y) in [(0.3_f64, 1.2), (-1.1, 1.0), (0.0, 2.5), (2.0, 1.7)] {
        let what = format!("hypot({x}, {y})");
        let r = x.hypot(y);
        // Mixed: a = x + ε₁, b = y + ε₂; ∂²/∂a∂b = −ab / r³.
        let h = hypot(
            HyperDual64::new(x, 1.0, 0.0, 0.0),
            HyperDual64::new(y, 0.0, 1.0, 0.0),
        );
        assert_eq!(h.re.to_bits(), r.to_bits(), "{what}");
        close(&format!("{what}: ∂a"), h.eps1, x / r);
        close(&format!("{what}: ∂b"), h.eps2, y / r);
        close(&format!("{what}: ∂a∂b"), h.eps1eps2, -x * y / r.powi(3));
        // Pure: ∂²/∂a² = b² / r³.
        let h = hypot(seed(x), c::<HyperDual64>(y));
        first_and_second(&format!("{what} in a"), h, x / r, y * y / r.powi(3));
        let d = hypot(Dual64::new(x, 0.0), Dual64::new(y, 1.0));
        assert_eq!(d.re.to_bits(), r.to_bits(), "{what}");
        close(&what, d.eps, y / r);
    }
}

#[test]
fn mul_add_is_fused_with_its_derivatives() {
    // 0.1 * 10 − 1 is 5.55e-17 fused and 0 unfused: the real part must be fused.
    for (x, y, z) in [(0.1_f64, 10.0, -1.0), (0.7, -1.3, 0.5), (0.0, 2.0, -0.25)] {
        let what = format!("mul_add({x}, {y}, {z})");
        let want = x.mul_add(y, z);
        let a = HyperDual64::new(x, 1.0, 0.0, 0.0);
        let b = HyperDual64::new(y, 0.0, 1.0, 0.0);
        let h = mul_add(a, b, seed(z));
        assert_eq!(h.re.to_bits(), want.to_bits(), "{what}");
        close(&format!("{what}: ε₁"), h.eps1, y + 1.0);
        close(&format!("{what}: ε₂"), h.eps2, x + 1.0);
        close(&format!("{what}: ε₁ε₂"), h.eps1eps2, 1.0);
        let d = mul_add(
            Dual64::new(x, 1.0),
            Dual64::new(y, 0.0),
            Dual64::new(z, 1.0),
        );
        assert_eq!(d.re.to_bits(), want.to_bits(), "{what}");
        close(&what, d.eps, y + 1.0);
    }
    assert_ne!(0.1_f64.mul_add(10.0, -1.0), 0.1 * 10.0 - 1.0);
}

#[test]
fn constants_have_no_derivative_parts() {
    let h = c::<HyperDual64>(0.37);
    assert_eq!((h.re, h.eps1, h.eps2, h.eps1eps2), (0.37, 0.0, 0.0, 0.0));
    let d = c::<Dual64>(-2.5);
    assert_eq!((d.re, d.eps), (-2.5, 0.0));
}

#[test]
fn num_dual_functions_the_rendering_calls() {
    for x in [0.3_f64, 0.9, 1.7] {
        let s = seed(x);
        let cases = [
            ("sin", s.sin(), x.sin(), x.cos(), -x.sin()),
            ("cos", s.cos(), x.cos(), -x.sin(), -x.cos()),
            ("exp", s.exp(), x.exp(), x.exp(), x.exp()),
            ("ln", s.ln(), x.ln(), 1.0 / x, -1.0 / (x * x)),
            (
                "sqrt",
                s.sqrt(),
                x.sqrt(),
                0.5 / x.sqrt(),
                -0.25 / x.powf(1.5),
            ),
            (
                "atan",
                s.atan(),
                x.atan(),
                1.0 / (1.0 + x * x),
                -2.0 * x / (1.0 + x * x).powi(2),
            ),
            (
                "recip",
                s.recip(),
                x.recip(),
                -1.0 / (x * x),
                2.0 / x.powi(3),
            ),
            (
                "1 / x",
                c::<HyperDual64>(1.0) / s,
                1.0 / x,
                -1.0 / (x * x),
                2.0 / x.powi(3),
            ),
        ];
        for (name, h, f, d1, d2) in cases {
            let what = format!("{name} at {x}");
            close(&format!("{what}: value"), h.re, f);
            first_and_second(&what, h, d1, d2);
        }
    }
}
