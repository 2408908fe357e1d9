//! Every derivative rule of `ad_runtime::rules` against (a) a derivative written out
//! independently here, at ordinary points, (b) central finite differences of the primal
//! function, through the public checker, and (c) its documented convention at
//! non-differentiable and singular points. Each test runs for `f64` and for `f32`.

/// The tests, instantiated once per float type. `$rel` is the relative tolerance of the
/// analytic comparisons: tight enough to catch a wrong sign or a missing term.
macro_rules! rule_tests {
    ($module:ident, $t:ident, $rel:expr) => {
        mod $module {
            use ad_runtime::{check_gradient, rules};
            use approx::assert_relative_eq;

            type F = $t;
            const REL: F = $rel;

            /// A unary rule vs its analytic derivative `d` and vs central differences of `f`.
            fn unary(name: &str, rule: fn(F, F) -> F, f: fn(F) -> F, d: fn(F) -> F, points: &[F]) {
                assert!(points.len() >= 3, "{name}: test at least 3 points");
                for &x in points {
                    let got = rule(x, f(x));
                    assert_relative_eq!(got, d(x), max_relative = REL);
                    check_gradient(|p: &[F]| f(p[0]), &[x], &[got])
                        .unwrap_or_else(|e| panic!("{name}'({x}): {e}"));
                }
            }

            /// A binary rule vs its analytic partials and vs central differences.
            fn binary(
                name: &str,
                rule: fn(F, F, F) -> (F, F),
                f: fn(F, F) -> F,
                d: fn(F, F) -> (F, F),
                points: &[(F, F)],
            ) {
                assert!(points.len() >= 3, "{name}: test at least 3 points");
                for &(x, y) in points {
                    let (gx, gy) = rule(x, y, f(x, y));
                    let (ex, ey) = d(x, y);
                    assert_relative_eq!(gx, ex, max_relative = REL);
                    assert_relative_eq!(gy, ey, max_relative = REL);
                    check_gradient(|p: &[F]| f(p[0], p[1]), &[x, y], &[gx, gy])
                        .unwrap_or_else(|e| panic!("{name} at ({x}, {y}): {e}"));
                }
            }

            /// A ternary rule vs its analytic partials and vs central differences.
            fn ternary(
                name: &str,
                rule: fn(F, F, F, F) -> (F, F, F),
                f: fn(F, F, F) -> F,
                d: fn(F, F, F) -> (F, F, F),
                points: &[(F, F, F)],
            ) {
                assert!(points.len() >= 3, "{name}: test at least 3 points");
                for &(a, b, c) in points {
                    let (ga, gb, gc) = rule(a, b, c, f(a, b, c));
                    let (ea, eb, ec) = d(a, b, c);
                    assert_relative_eq!(ga, ea, max_relative = REL);
                    assert_relative_eq!(gb, eb, max_relative = REL);
                    assert_relative_eq!(gc, ec, max_relative = REL);
                    check_gradient(|p: &[F]| f(p[0], p[1], p[2]), &[a, b, c], &[ga, gb, gc])
                        .unwrap_or_else(|e| panic!("{name} at ({a}, {b}, {c}): {e}"));
                }
            }

            const ANY: [F; 4] = [0.3, -1.2, 2.5, -4.0];
            const POSITIVE: [F; 4] = [0.2, 1.0, 3.5, 40.0];
            const UNIT: [F; 4] = [-0.7, 0.0, 0.2, 0.9];

            // ---------------------------------------------------------------- trig

            #[test]
            fn sin() {
                unary("sin", rules::sin, |x| x.sin(), |x| x.cos(), &ANY);
            }

            #[test]
            fn cos() {
                unary("cos", rules::cos, |x| x.cos(), |x| -x.sin(), &ANY);
            }

            #[test]
            fn tan() {
                let d = |x: F| 1.0 / (x.cos() * x.cos());
                unary("tan", rules::tan, |x| x.tan(), d, &[0.3, -1.2, 1.0, 2.5]);
            }

            #[test]
            fn asin() {
                let d = |x: F| 1.0 / (1.0 - x * x).sqrt();
                unary("asin", rules::asin, |x| x.asin(), d, &UNIT);
            }

            #[test]
            fn acos() {
                let d = |x: F| -1.0 / (1.0 - x * x).sqrt();
                unary("acos", rules::acos, |x| x.acos(), d, &UNIT);
            }

            #[test]
            fn atan() {
                let d = |x: F| 1.0 / (1.0 + x * x);
                unary("atan", rules::atan, |x| x.atan(), d, &ANY);
            }

            #[test]
            fn atan2() {
                let f = |y: F, x: F| y.atan2(x);
                let d = |y: F, x: F| (x / (x * x + y * y), -y / (x * x + y * y));
                let points = [(1.0, 2.0), (-0.5, -1.5), (2.0, -0.3), (-3.0, 0.7)];
                binary("atan2", rules::atan2, f, d, &points);
            }

            #[test]
            fn sinh() {
                unary("sinh", rules::sinh, |x| x.sinh(), |x| x.cosh(), &ANY);
            }

            #[test]
            fn cosh() {
                unary("cosh", rules::cosh, |x| x.cosh(), |x| x.sinh(), &ANY);
            }

            #[test]
            fn tanh() {
                let d = |x: F| 1.0 / (x.cosh() * x.cosh());
                unary(
                    "tanh",
                    rules::tanh,
                    |x| x.tanh(),
                    d,
                    &[0.3, -1.2, 2.5, 0.05],
                );
            }

            #[test]
            fn asinh() {
                let d = |x: F| 1.0 / (x * x + 1.0).sqrt();
                unary("asinh", rules::asinh, |x| x.asinh(), d, &ANY);
            }

            #[test]
            fn acosh() {
                let d = |x: F| 1.0 / (x * x - 1.0).sqrt();
                unary("acosh", rules::acosh, |x| x.acosh(), d, &[1.5, 3.0, 10.0]);
            }

            #[test]
            fn atanh() {
                let d = |x: F| 1.0 / (1.0 - x * x);
                unary("atanh", rules::atanh, |x| x.atanh(), d, &UNIT);
            }

            // ------------------------------------------------------------- exp_log

            #[test]
            fn exp() {
                unary("exp", rules::exp, |x| x.exp(), |x| x.exp(), &ANY);
            }

            #[test]
            fn exp2() {
                let d = |x: F| x.exp2() * (2.0 as F).ln();
                unary("exp2", rules::exp2, |x| x.exp2(), d, &ANY);
            }

            #[test]
            fn exp_m1() {
                unary("exp_m1", rules::exp_m1, |x| x.exp_m1(), |x| x.exp(), &ANY);
            }

            #[test]
            fn ln() {
                unary("ln", rules::ln, |x| x.ln(), |x| 1.0 / x, &POSITIVE);
            }

            #[test]
            fn ln_1p() {
                let d = |x: F| 1.0 / (1.0 + x);
                unary(
                    "ln_1p",
                    rules::ln_1p,
                    |x| x.ln_1p(),
                    d,
                    &[-0.5, 0.0, 0.3, 7.0],
                );
            }

            #[test]
            fn log() {
                let f = |x: F, b: F| x.log(b);
                let d = |x: F, b: F| {
                    let lb = b.ln();
                    (1.0 / (x * lb), -x.ln() / (b * lb * lb))
                };
                let points = [(2.5, 3.0), (0.3, 10.0), (7.0, 0.5), (1.5, 2.0)];
                binary("log", rules::log, f, d, &points);
            }

            #[test]
            fn log2() {
                let d = |x: F| 1.0 / (x * (2.0 as F).ln());
                unary("log2", rules::log2, |x| x.log2(), d, &POSITIVE);
            }

            #[test]
            fn log10() {
                let d = |x: F| 1.0 / (x * (10.0 as F).ln());
                unary("log10", rules::log10, |x| x.log10(), d, &POSITIVE);
            }

            #[test]
            fn sqrt() {
                let d = |x: F| 1.0 / (2.0 * x.sqrt());
                unary("sqrt", rules::sqrt, |x| x.sqrt(), d, &POSITIVE);
            }

            #[test]
            fn cbrt() {
                let d = |x: F| x.abs().powf(-2.0 / 3.0) / 3.0;
                unary("cbrt", rules::cbrt, |x| x.cbrt(), d, &ANY);
            }

            #[test]
            fn powi() {
                let points: [(F, i32); 6] = [
                    (1.3, 3),
                    (-0.7, 2),
                    (2.0, -2),
                    (0.5, 1),
                    (-1.5, 5),
                    (0.8, -3),
                ];
                for (x, n) in points {
                    let got = rules::powi(x, n, x.powi(n));
                    let expected = n as F * x.powi(n) / x;
                    assert_relative_eq!(got, expected, max_relative = REL);
                    check_gradient(|p: &[F]| p[0].powi(n), &[x], &[got])
                        .unwrap_or_else(|e| panic!("powi({x}, {n}): {e}"));
                }
            }

            #[test]
            fn powf() {
                let f = |x: F, y: F| x.powf(y);
                let d = |x: F, y: F| (y * x.powf(y) / x, x.powf(y) * x.ln());
                let points = [(1.3, 2.5), (0.4, -1.5), (3.0, 0.5), (2.0, 3.0)];
                binary("powf", rules::powf, f, d, &points);
            }

            // --------------------------------------------------------------- arith

            #[test]
            fn recip() {
                let d = |x: F| -1.0 / (x * x);
                unary("recip", rules::recip, |x| x.recip(), d, &ANY);
            }

            #[test]
            fn mul_add() {
                let f = |a: F, b: F, c: F| a.mul_add(b, c);
                let d = |a: F, b: F, _c: F| (b, a, 1.0);
                let points = [(1.5, -2.0, 0.3), (-0.25, 4.0, -7.0), (3.0, 0.5, 2.0)];
                ternary("mul_add", rules::mul_add, f, d, &points);
            }

            #[test]
            fn abs() {
                let d = |x: F| if x > 0.0 { 1.0 } else { -1.0 };
                unary("abs", rules::abs, |x| x.abs(), d, &ANY);
            }

            #[test]
            fn copysign() {
                let f = |x: F, y: F| x.copysign(y);
                let d = |x: F, y: F| (x.signum() * y.signum(), 0.0);
                let points = [(1.5, -2.0), (-0.25, 4.0), (-3.0, -0.5), (2.0, 1.0)];
                binary("copysign", rules::copysign, f, d, &points);
            }

            #[test]
            fn copysign_is_zero_at_zero() {
                assert_eq!(rules::copysign(0.0 as F, -1.0, -0.0), (0.0, 0.0));
            }

            #[test]
            fn rem_euclid() {
                let f = |x: F, y: F| x.rem_euclid(y);
                // x = q·y + r with 0 ≤ r < |y|: ∂r/∂x = 1, ∂r/∂y = −q.
                let d = |x: F, y: F| (1.0, -((x - x.rem_euclid(y)) / y));
                let points = [
                    (7.5, 2.0),
                    (-7.5, 2.0),
                    (7.5, -2.0),
                    (-7.5, -2.0),
                    (0.3, 5.0),
                ];
                binary("rem_euclid", rules::rem_euclid, f, d, &points);
                assert_eq!(rules::rem_euclid(7.5 as F, 2.0, 1.5), (1.0, -3.0));
                assert_eq!(rules::rem_euclid(-7.5 as F, 2.0, 0.5), (1.0, 4.0));
                assert_eq!(rules::rem_euclid(-7.5 as F, -2.0, 0.5), (1.0, -4.0));
            }

            /// At a jump, the piece with remainder 0; at y = 0, NaN.
            #[test]
            fn rem_euclid_at_the_jumps() {
                assert_eq!(rules::rem_euclid(6.0 as F, 2.0, 0.0), (1.0, -3.0));
                assert_eq!(rules::rem_euclid(-6.0 as F, 2.0, 0.0), (1.0, 3.0));
                assert!(rules::rem_euclid(1.0 as F, 0.0, F::NAN).1.is_nan());
            }

            #[test]
            fn unit_conversions() {
                let degrees = |_: F| 180.0 / core::f64::consts::PI as F;
                unary(
                    "to_degrees",
                    rules::to_degrees,
                    |x| x.to_degrees(),
                    degrees,
                    &ANY,
                );
                let radians = |_: F| core::f64::consts::PI as F / 180.0;
                unary(
                    "to_radians",
                    rules::to_radians,
                    |x| x.to_radians(),
                    radians,
                    &ANY,
                );
            }

            #[test]
            fn signum() {
                unary("signum", rules::signum, |x| x.signum(), |_| 0.0, &ANY);
            }

            #[test]
            fn min() {
                let f = |x: F, y: F| x.min(y);
                let d = |x: F, y: F| if x < y { (1.0, 0.0) } else { (0.0, 1.0) };
                let points = [(1.0, 2.0), (3.0, -1.0), (-0.5, -0.25)];
                binary("min", rules::min, f, d, &points);
            }

            #[test]
            fn max() {
                let f = |x: F, y: F| x.max(y);
                let d = |x: F, y: F| if x > y { (1.0, 0.0) } else { (0.0, 1.0) };
                let points = [(1.0, 2.0), (3.0, -1.0), (-0.5, -0.25)];
                binary("max", rules::max, f, d, &points);
            }

            #[test]
            fn clamp() {
                let f = |x: F, lo: F, hi: F| x.clamp(lo, hi);
                let d = |x: F, lo: F, hi: F| {
                    if x < lo {
                        (0.0, 1.0, 0.0)
                    } else if x > hi {
                        (0.0, 0.0, 1.0)
                    } else {
                        (1.0, 0.0, 0.0)
                    }
                };
                let points = [(0.5, 0.0, 1.0), (-2.0, -1.0, 1.0), (3.0, -1.0, 2.0)];
                ternary("clamp", rules::clamp, f, d, &points);
            }

            #[test]
            fn hypot() {
                let f = |x: F, y: F| x.hypot(y);
                let d = |x: F, y: F| {
                    let r = (x * x + y * y).sqrt();
                    (x / r, y / r)
                };
                let points = [(3.0, 4.0), (-1.2, 0.5), (0.1, -2.0)];
                binary("hypot", rules::hypot, f, d, &points);
            }

            // ----------------------------------------------------------- piecewise

            #[test]
            fn piecewise_constant_functions_have_zero_derivative() {
                let zero = |_: F| 0.0;
                let points = [0.3, -1.7, 2.2, -0.1];
                unary("floor", rules::floor, |x| x.floor(), zero, &points);
                unary("ceil", rules::ceil, |x| x.ceil(), zero, &points);
                unary("round", rules::round, |x| x.round(), zero, &points);
                unary("trunc", rules::trunc, |x| x.trunc(), zero, &points);
            }

            // --------------------------------------------------------- conventions

            #[test]
            fn piecewise_is_zero_at_the_jumps_too() {
                for x in [2.0, -3.0, 0.0, -0.0, F::NAN] {
                    assert_eq!(rules::floor(x, x.floor()), 0.0, "floor'({x})");
                    assert_eq!(rules::ceil(x, x.ceil()), 0.0, "ceil'({x})");
                    assert_eq!(rules::trunc(x, x.trunc()), 0.0, "trunc'({x})");
                }
                for x in [2.5 as F, -0.5, 0.5] {
                    assert_eq!(rules::round(x, x.round()), 0.0, "round'({x})");
                }
            }

            #[test]
            fn roots_are_plus_infinite_at_zero() {
                for z in [0.0 as F, -0.0] {
                    assert_eq!(rules::sqrt(z, z.sqrt()), F::INFINITY, "sqrt'({z:?})");
                    assert_eq!(rules::cbrt(z, z.cbrt()), F::INFINITY, "cbrt'({z:?})");
                }
                assert!(rules::sqrt(-1.0, (-1.0 as F).sqrt()).is_nan());
                // cbrt is differentiable for negative x.
                assert_relative_eq!(rules::cbrt(-8.0, -2.0), 1.0 as F / 12.0, max_relative = REL);
            }

            #[test]
            fn logarithms_at_zero_and_below() {
                for z in [0.0 as F, -0.0] {
                    assert_eq!(rules::ln(z, z.ln()), F::INFINITY, "ln'({z:?})");
                    assert_eq!(rules::log2(z, z.log2()), F::INFINITY, "log2'({z:?})");
                    assert_eq!(rules::log10(z, z.log10()), F::INFINITY, "log10'({z:?})");
                    assert_eq!(rules::log(z, 10.0, z.log(10.0)).0, F::INFINITY);
                    // Base below 1: ln b < 0, and so is the one-sided derivative.
                    assert_eq!(rules::log(z, 0.5, z.log(0.5)).0, -F::INFINITY);
                }
                assert_eq!(rules::ln_1p(-1.0, (-1.0 as F).ln_1p()), F::INFINITY);
                // Below zero the rule is 1/x, the derivative of ln|x|.
                assert_eq!(rules::ln(-2.0, F::NAN), -0.5);
            }

            #[test]
            fn inverse_trig_at_the_ends_of_the_domain() {
                for one in [1.0 as F, -1.0] {
                    assert_eq!(rules::asin(one, one.asin()), F::INFINITY, "asin'({one})");
                    assert_eq!(rules::acos(one, one.acos()), -F::INFINITY, "acos'({one})");
                    assert_eq!(rules::atanh(one, one.atanh()), F::INFINITY, "atanh'({one})");
                }
                assert_eq!(rules::acosh(1.0, 0.0), F::INFINITY);
                assert!(rules::asin(2.0, F::NAN).is_nan());
                assert!(rules::acos(-2.0, F::NAN).is_nan());
                assert!(rules::acosh(0.5, F::NAN).is_nan());
            }

            #[test]
            fn large_arguments_do_not_overflow() {
                // x² overflows, 1/(1 + x²) → 0, the limit.
                let huge = F::MAX.sqrt() * 4.0;
                assert_eq!(rules::atan(huge, huge.atan()), 0.0);
                let big: F = 1e30;
                assert_relative_eq!(
                    rules::asinh(big, big.asinh()),
                    1.0 / big,
                    max_relative = REL
                );
                assert_eq!(rules::tanh(30.0, (30.0 as F).tanh()), 0.0);
                let (dy, dx) = rules::atan2(big, big, big.atan2(big));
                assert_relative_eq!(dy, 0.5 / big, max_relative = REL);
                assert_relative_eq!(dx, -0.5 / big, max_relative = REL);
            }

            #[test]
            fn abs_is_zero_at_zero() {
                assert_eq!(rules::abs(0.0 as F, 0.0), 0.0);
                assert_eq!(rules::abs(-0.0 as F, 0.0), 0.0);
                assert_eq!(rules::abs(-3.0 as F, 3.0), -1.0);
                assert_eq!(rules::abs(3.0 as F, 3.0), 1.0);
                assert!(rules::abs(F::NAN, F::NAN).is_nan());
            }

            #[test]
            fn signum_is_zero_everywhere() {
                for x in [0.0 as F, -0.0, 5.0, -5.0, F::INFINITY, F::NAN] {
                    assert_eq!(rules::signum(x, x.signum()), 0.0, "signum'({x})");
                }
            }

            #[test]
            fn min_and_max_split_ties() {
                for (x, y) in [(2.0 as F, 2.0), (0.0, -0.0), (-1.5, -1.5)] {
                    assert_eq!(rules::min(x, y, x.min(y)), (0.5, 0.5), "min at ({x}, {y})");
                    assert_eq!(rules::max(x, y, x.max(y)), (0.5, 0.5), "max at ({x}, {y})");
                }
                // The gradient of x.min(x) is 1.
                let (a, b) = rules::max(0.7 as F, 0.7, 0.7);
                assert_eq!(a + b, 1.0);
            }

            #[test]
            fn min_and_max_follow_the_argument_rust_returns_for_nan() {
                let nan = F::NAN;
                // Rust returns the non-NaN argument; it gets the partial.
                assert_eq!(nan.min(1.0), 1.0);
                assert_eq!(rules::min(nan, 1.0, 1.0), (0.0, 1.0));
                assert_eq!(rules::min(1.0, nan, 1.0), (1.0, 0.0));
                assert_eq!(rules::max(nan, 1.0, 1.0), (0.0, 1.0));
                assert_eq!(rules::max(1.0, nan, 1.0), (1.0, 0.0));
                assert_eq!(rules::min(nan, nan, nan), (1.0, 0.0));
                assert_eq!(rules::max(nan, nan, nan), (1.0, 0.0));
            }

            #[test]
            fn clamp_boundaries_count_as_inside() {
                assert_eq!(rules::clamp(0.0 as F, 0.0, 1.0, 0.0), (1.0, 0.0, 0.0));
                assert_eq!(rules::clamp(1.0 as F, 0.0, 1.0, 1.0), (1.0, 0.0, 0.0));
                assert_eq!(rules::clamp(-0.1 as F, 0.0, 1.0, 0.0), (0.0, 1.0, 0.0));
                assert_eq!(rules::clamp(1.1 as F, 0.0, 1.0, 1.0), (0.0, 0.0, 1.0));
                assert_eq!(rules::clamp(F::NAN, 0.0, 1.0, F::NAN), (1.0, 0.0, 0.0));
                // lo > hi makes the primal panic; the rule must not.
                let _ = rules::clamp(0.5 as F, 1.0, 0.0, 0.5);
            }

            #[test]
            fn hypot_and_atan2_are_zero_at_the_origin() {
                for (x, y) in [(0.0 as F, 0.0), (-0.0, 0.0), (0.0, -0.0), (-0.0, -0.0)] {
                    assert_eq!(rules::hypot(x, y, x.hypot(y)), (0.0, 0.0));
                    assert_eq!(rules::atan2(y, x, y.atan2(x)), (0.0, 0.0));
                }
                // Off the origin on an axis, atan2 is smooth: ∂/∂y = x/r², ∂/∂x = −y/r².
                assert_eq!(
                    rules::atan2(0.0 as F, -2.0, (0.0 as F).atan2(-2.0)),
                    (-0.5, 0.0)
                );
                assert_eq!(rules::hypot(0.0 as F, -2.0, 2.0), (0.0, -1.0));
            }

            #[test]
            fn powf_conventions() {
                let rule = |x: F, y: F| rules::powf(x, y, x.powf(y));
                // y = 0: x^0 is constant in x.
                assert_eq!(rule(2.0, 0.0).0, 0.0);
                assert_eq!(rule(0.0, 0.0).0, 0.0);
                // x = 0 < y: ∂/∂y = lim x^y·ln x = 0.
                assert_eq!(rule(0.0, 2.0), (0.0, 0.0));
                assert_eq!(rule(0.0, 1.0), (1.0, 0.0));
                assert_eq!(rule(0.0, 0.5), (F::INFINITY, 0.0));
                assert_eq!(rule(-0.0, 0.5).1, 0.0);
                // (0, 0): 0^y jumps from 1 to 0, ∂/∂y is ans·ln 0.
                assert_eq!(rule(0.0, 0.0).1, -F::INFINITY);
                // x = 0 > y: infinite, like the primal.
                assert_eq!(rule(0.0, -1.0), (-F::INFINITY, -F::INFINITY));
                // x < 0: ∂/∂x as for powi, ∂/∂y NaN.
                let (dx, dy) = rule(-2.0, 3.0);
                assert_eq!(dx, 12.0);
                assert!(dy.is_nan());
                // x = 1: ∂/∂y = ln 1 = 0.
                assert_eq!(rule(1.0, 3.0), (3.0, 0.0));
            }

            #[test]
            fn powi_conventions() {
                assert_eq!(rules::powi(0.0 as F, 0, 1.0), 0.0);
                assert_eq!(rules::powi(3.0 as F, 0, 1.0), 0.0);
                assert_eq!(rules::powi(0.0 as F, 1, 0.0), 1.0);
                assert_eq!(rules::powi(0.0 as F, 2, 0.0), 0.0);
                assert_eq!(rules::powi(0.0 as F, -1, F::INFINITY), -F::INFINITY);
                // n − 1 overflows for i32::MIN; the rule must not panic.
                let n = i32::MIN;
                assert_eq!(rules::powi(1.0 as F, n, 1.0), n as F);
                assert_eq!(rules::powi(-1.0 as F, n, 1.0), -(n as F));
                assert_eq!(rules::powi(2.0 as F, n, (2.0 as F).powi(n)), 0.0);
            }

            #[test]
            fn recip_is_minus_infinite_at_zero() {
                assert_eq!(rules::recip(0.0 as F, F::INFINITY), -F::INFINITY);
                assert_eq!(rules::recip(-0.0 as F, -F::INFINITY), -F::INFINITY);
            }

            #[test]
            fn exp_family_uses_the_primal_output() {
                // The rules read ans, not x: a wrong ans shows through.
                assert_eq!(rules::exp(0.0 as F, 5.0), 5.0);
                assert_eq!(rules::exp_m1(0.0 as F, 5.0), 6.0);
                assert_eq!(rules::sqrt(0.0 as F, 2.0), 0.25);
            }
        }
    };
}

rule_tests!(f64_rules, f64, 1e-12);
rule_tests!(f32_rules, f32, 1e-5);
