//! The special functions of `ad::special` (issue 16, item 11): their values against
//! references computed independently, their derivatives in `#[differentiate]`
//! functions against the exact rules (erf′ = 2/√π·e^(−x²), erfc′ = −erf′,
//! ln_gamma′ = ψ, ψ′ = ψ₁), second derivatives through `hessian`, in a loop, and in
//! forward mode.
//!
//! The reference values are mpmath 1.3.0's at 40 digits, rounded to 20, for the
//! `f64` inputs written here (`mp.mp.dps = 40`; `mp.erf(x)`, `mp.erfc(x)`,
//! `mp.log(abs(mp.gamma(x)))`, `mp.digamma(x)`, `mp.psi(1, x)`, `mp.psi(2, x)`).

// The references keep mpmath's 20 digits, more than an f64 holds.
#![allow(clippy::excessive_precision)]

use ad::differentiate;
mod common;
use common::{assert_close, assert_matrix_close};
use std::f64::consts::FRAC_2_SQRT_PI;

const ERF: &[(f64, f64)] = &[
    (-4.5, -0.99999999980338395585),
    (-1.3, -0.93400794494065244585),
    (-0.25, -0.27632639016823693299),
    (1e-08, 1.1283791670955125599e-8),
    (0.1, 0.1124629160182848984),
    (0.5, 0.52049987781304653768),
    (0.9, 0.79690821242283213966),
    (1.7, 0.98379045859077456084),
    (2.4, 0.99931148610335492111),
    (3.3, 0.99999694229020356183),
    (5.0, 0.99999999999846254021),
];
const ERFC: &[(f64, f64)] = &[
    (-3.0, 1.9999779095030014146),
    (-0.6, 1.6038560908479259051),
    (0.3, 0.67137324054087258381),
    (1.0, 0.15729920705028513066),
    (2.2, 0.0018628462979818898586),
    (4.0, 1.5417257900280018852e-8),
    (7.5, 2.7766493860305691007e-26),
    (12.0, 1.3562611692059042128e-64),
    (20.0, 5.3958656116079009289e-176),
    (26.0, 5.6631924088561428465e-296),
];
const LN_GAMMA: &[(f64, f64)] = &[
    (0.001, 6.9071788853838536617),
    (0.2, 1.5240638224307844662),
    (0.75, 0.20328095143129537148),
    (1.0, 0.0),
    (1.2, -0.085374090003315836884),
    (1.9, -0.038984275923083361674),
    (2.0, 0.0),
    (3.6, 1.3129233085764162324),
    (9.25, 11.14340011995171247),
    (57.0, 172.35279713916280156),
    (480.5, 2484.3361816006006691),
    (-0.5, 1.2655121234846453965),
    (-2.75, 0.0044878975359557733115),
    (-7.3, -7.7791016298268516713),
];
const DIGAMMA: &[(f64, f64)] = &[
    (0.001, -1000.5755719318102797),
    (0.3, -3.5025242222001331249),
    (1.0, -0.57721566490153286061),
    (1.4616, -3.1106251230341649658e-5),
    (2.7, 0.79678316899114109494),
    (9.9, 2.2411803166063814365),
    (10.0, 2.2517525890667211076),
    (31.5, 3.4340305542075627238),
    (700.0, 6.5503658792611264557),
    (-0.25, 2.9141391202135278304),
    (-3.6, 0.39267528447471196651),
    (-12.125, 10.120415693119638042),
];
const TRIGAMMA: &[(f64, f64)] = &[
    (0.001, 1.0000016425331958273e+6),
    (0.3, 12.245364546107731301),
    (1.0, 1.6449340668482264365),
    (2.7, 0.44721206891832360647),
    (9.9, 0.10628304162874059193),
    (10.0, 0.10516633568168574612),
    (31.5, 0.032255268268673685926),
    (700.0, 0.0014295923226431447217),
    (-0.25, 18.541879647671606498),
    (-3.6, 10.66884885621737793),
    (-12.125, 67.314707803479608565),
];

/// ψ₂, the derivative of trigamma, at the points of `TRIGAMMA`.
const TETRAGAMMA: &[(f64, f64)] = &[
    (0.001, -2000000002.3976321648),
    (0.3, -75.272536588726038917),
    (1.0, -2.4041138063191885708),
    (2.7, -0.19700583557913573369),
    (9.9, -0.011285526423707164172),
    (10.0, -0.011049834970802067462),
    (31.5, -0.0010403121873537828777),
    (700.0, -2.0437338608898786532e-6),
    (-0.25, 122.69736678366236037),
    (-3.6, -22.334929639394156609),
    (-12.125, 1022.2881267944247827),
];

/// `got` is within `tolerance · max(|want|, 1)` of `want`: relative error where the
/// value is at least 1, absolute below (near a zero of the function).
#[track_caller]
fn assert_within(what: &str, got: f64, want: f64, tolerance: f64) {
    let error = (got - want).abs();
    assert!(
        error <= tolerance * want.abs().max(1.0),
        "{what}: got {got:e}, want {want:e}, error {error:e}"
    );
}

/// The measured accuracy (see `ad::special`): relative for erf and erfc, which keep
/// it down to erfc's underflow.
#[test]
fn values_match_the_references() {
    for &(x, want) in ERF {
        let got = ad::erf(x);
        assert!(
            (got - want).abs() <= 2e-16 * want.abs(),
            "erf({x}) = {got:e}, want {want:e}"
        );
    }
    for &(x, want) in ERFC {
        let got = ad::erfc(x);
        assert!(
            (got - want).abs() <= 4e-16 * want.abs(),
            "erfc({x}) = {got:e}, want {want:e}"
        );
    }
    for &(x, want) in LN_GAMMA {
        assert_within(&format!("ln_gamma({x})"), ad::ln_gamma(x), want, 4e-16);
    }
    for &(x, want) in DIGAMMA {
        assert_within(&format!("digamma({x})"), ad::digamma(x), want, 1e-15);
    }
    for &(x, want) in TRIGAMMA {
        assert_within(&format!("trigamma({x})"), ad::trigamma(x), want, 6e-16);
    }
}

#[test]
fn conventions_at_the_poles() {
    for pole in [0.0, -1.0, -4.0] {
        assert_eq!(ad::ln_gamma(pole), f64::INFINITY);
        assert!(ad::digamma(pole).is_nan());
        assert_eq!(ad::trigamma(pole), f64::INFINITY);
        assert!(ad::special::ln_gamma_grad(pole).1.is_nan());
        assert_eq!(ad::special::digamma_grad(pole).1, f64::INFINITY);
        assert!(ad::special::trigamma_grad(pole).1.is_nan());
    }
    assert_eq!(ad::erf(f64::INFINITY), 1.0);
    assert_eq!(ad::erfc(f64::INFINITY), 0.0);
    assert_eq!(ad::special::erf_grad(f64::INFINITY).1, 0.0);
    assert!(ad::digamma(f64::NAN).is_nan());
}

#[differentiate]
fn of_erf(x: f64) -> f64 {
    ad::erf(x)
}

#[differentiate]
fn of_erfc(x: f64) -> f64 {
    ad::erfc(x)
}

#[differentiate]
fn of_ln_gamma(x: f64) -> f64 {
    ad::ln_gamma(x)
}

#[differentiate]
fn of_digamma(x: f64) -> f64 {
    ad::digamma(x)
}

/// 2/√π·e^(−x²), the derivative of erf.
fn gauss(x: f64) -> f64 {
    FRAC_2_SQRT_PI * (-x * x).exp()
}

#[differentiate(hessian)]
fn of_trigamma(x: f64) -> f64 {
    ad::trigamma(x)
}

#[test]
fn gradients_follow_the_exact_rules() {
    for &(x, _) in ERF.iter().chain(ERFC) {
        assert_eq!(of_erf_grad(x), (ad::erf(x), gauss(x)));
        assert_eq!(of_erfc_grad(x), (ad::erfc(x), -gauss(x)));
    }
    // The derivative of ln Γ is ψ, of ψ is ψ₁: against the references of ψ and ψ₁.
    for &(x, want) in DIGAMMA {
        let (value, dx) = of_ln_gamma_grad(x);
        assert_eq!(value, ad::ln_gamma(x));
        assert_within(&format!("ln_gamma'({x})"), dx, want, 1e-15);
    }
    for &(x, want) in TRIGAMMA {
        let (value, dx) = of_digamma_grad(x);
        assert_eq!(value, ad::digamma(x));
        assert_within(&format!("digamma'({x})"), dx, want, 6e-16);
    }
    // Relative: ψ₂ is small for large x, and computed in a sum of its own size.
    for &(x, want) in TETRAGAMMA {
        let (value, dx) = of_trigamma_grad(x);
        assert_eq!(value, ad::trigamma(x));
        let error = (dx - want).abs();
        assert!(
            error <= 1e-15 * want.abs(),
            "trigamma'({x}) = {dx:e}, want {want:e}"
        );
    }
}

/// trigamma's second derivative ψ₃, through `f_hessian` (its derivative ψ₂ over
/// dual numbers).
#[test]
fn trigamma_second_derivative() {
    // mpmath: mp.psi(2, x), mp.psi(3, x)
    for (x, psi2, psi3) in [
        (0.7, -6.4349928741909236943, 25.879149678427737993),
        (2.6, -0.21529102788419888298, 0.19521740529947907814),
        (-1.5, -0.236204051641727403, 194.59427621918762242),
    ] {
        let (value, gradient, hessian) = of_trigamma_hessian(x);
        assert_eq!(value, ad::trigamma(x));
        assert_close("ψ₂", gradient[0], psi2);
        assert_close("ψ₃", hessian[0][0], psi3);
    }
}

/// ψ, ψ₁ and ψ₂ at the points of the Hessian test.
const PSI: &[(f64, [f64; 3])] = &[
    (
        1.3,
        [
            -0.16919088886679960526,
            1.1342534349966193011,
            -1.1984625146519564861,
        ],
    ),
    (
        0.7,
        [
            -1.2200235536979347406,
            2.8340491566946109126,
            -6.4349928741909236943,
        ],
    ),
    (
        2.6,
        [
            0.75104745277347629346,
            0.46780689312457987909,
            -0.21529102788419888298,
        ],
    ),
    (
        3.4,
        [
            1.0695678363672647763,
            0.34154139778583327547,
            -0.11558972389149808689,
        ],
    ),
    (
        -1.5,
        [
            0.70315664064524318723,
            9.3792466449891237539,
            -0.236204051641727403,
        ],
    ),
    (
        4.2,
        [
            1.311338891286599631,
            0.26866494073140078181,
            -0.071764850553131204748,
        ],
    ),
];

fn psi(x: f64) -> [f64; 3] {
    PSI.iter().find(|p| p.0 == x).expect("a point of PSI").1
}

/// All four, with coefficients that tell their terms apart.
#[differentiate(hessian)]
fn all_four(x: f64, y: f64) -> f64 {
    ad::erf(x * y) + y * ad::ln_gamma(x) + 3.0 * ad::digamma(y) - 0.5 * ad::erfc(x)
}

#[test]
fn hessians_follow_the_exact_rules() {
    for (x, y) in [(1.3, 0.7), (2.6, 3.4), (-1.5, 4.2)] {
        let ([px, p1x, _], [_, p1y, p2y]) = (psi(x), psi(y));
        let z = x * y;
        // E(z) = 2/√π·e^(−z²), E′(z) = −2z·E(z).
        let (e, de) = (gauss(z), -2.0 * z * gauss(z));
        let (ex, dex) = (gauss(x), -2.0 * x * gauss(x));
        let gradient = [
            y * e + y * px + 0.5 * ex,
            x * e + ad::ln_gamma(x) + 3.0 * p1y,
        ];
        let hessian = [
            vec![y * y * de + y * p1x + 0.5 * dex, e + z * de + px],
            vec![e + z * de + px, x * x * de + 3.0 * p2y],
        ];
        let (value, dx, dy) = all_four_grad(x, y);
        assert_eq!(value, all_four(x, y));
        assert_close("dx", dx, gradient[0]);
        assert_close("dy", dy, gradient[1]);
        let (hvalue, hgradient, got) = all_four_hessian(x, y);
        assert_eq!(hvalue, value);
        assert_close("hessian's dx", hgradient[0], gradient[0]);
        assert_close("hessian's dy", hgradient[1], gradient[1]);
        assert_matrix_close(&format!("hessian at ({x}, {y})"), &got, &hessian);
        let (_, _, _, hv_x, hv_y) = all_four_hvp(x, y, 1.0, -2.0);
        assert_close("hv_x", hv_x, hessian[0][0] - 2.0 * hessian[0][1]);
        assert_close("hv_y", hv_y, hessian[1][0] - 2.0 * hessian[1][1]);
    }
}

/// A log-likelihood of Gamma-distributed samples with shape `a` and rate `b`, a
/// truncated-normal term through erfc, in a loop.
#[differentiate(wrt(a, b))]
fn gamma_log_likelihood(a: f64, b: f64, samples: &[f64]) -> f64 {
    let mut total = 0.0;
    for &s in samples {
        total += a * b.ln() - ad::ln_gamma(a) + (a - 1.0) * s.ln() - b * s;
        total -= ad::erfc(b * s - a).ln();
    }
    total
}

#[test]
fn in_a_loop() {
    let samples = [0.5, 1.7, 3.2];
    let (a, b) = (2.6, 1.3);
    let [pa, _, _] = psi(a);
    let (_, da, db) = gamma_log_likelihood_grad(a, b, &samples);
    let (mut want_a, mut want_b) = (0.0, 0.0);
    for s in samples {
        let z = b * s - a;
        // d/dz ln erfc(z) = −E(z)/erfc(z)
        let dlog = -gauss(z) / ad::erfc(z);
        want_a += b.ln() - pa + s.ln() + dlog;
        want_b += a / b - s - dlog * s;
    }
    assert_close("da", da, want_a);
    assert_close("db", db, want_b);
}

#[differentiate(hessian)]
fn by_c_name(x: f64) -> f64 {
    ad::lgamma(x) * (1.0 + x)
}

#[test]
fn lgamma_is_ln_gamma() {
    assert_eq!(ad::lgamma(2.5), ad::ln_gamma(2.5));
    let x = 2.6;
    let [p, p1, _] = psi(x);
    // f = lnΓ(x)·(1 + x): f′ = ψ·(1 + x) + lnΓ, f″ = ψ₁·(1 + x) + 2ψ
    let (value, dx) = by_c_name_grad(x);
    assert_eq!(value, ad::ln_gamma(x) * (1.0 + x));
    assert_close("dx", dx, p * (1.0 + x) + ad::ln_gamma(x));
    let (_, _, hessian) = by_c_name_hessian(x);
    assert_close("d²x", hessian[0][0], p1 * (1.0 + x) + 2.0 * p);
}

#[differentiate(forward)]
fn forward_use(x: f64, y: f64) -> f64 {
    ad::erf(x) * ad::digamma(y) + ad::ln_gamma(x + y)
}

#[test]
fn in_forward_mode() {
    let (x, y) = (1.3 - 0.7, 0.7);
    let [p_sum, _, _] = psi(1.3);
    let ([py, p1y, _], erf_x) = (psi(y), ad::erf(x));
    let (dx, dy) = (gauss(x) * py + p_sum, erf_x * p1y + p_sum);
    let (value, jvp) = forward_use_jvp(x, y, 2.0, -0.5);
    assert_eq!(value, forward_use(x, y));
    assert_close("jvp", jvp, 2.0 * dx - 0.5 * dy);
    let (_, gx, gy) = forward_use_grad(x, y);
    assert_close("dx", gx, dx);
    assert_close("dy", gy, dy);
}
