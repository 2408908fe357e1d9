//! Option Greeks from one `f_grad` call: a Black–Scholes call price and a Monte-Carlo
//! price of the same call, each differentiated by `#[differentiate]` with respect to
//! spot, volatility, rate and maturity, and compared with the closed-form Greeks and
//! with bumping (central finite differences) in accuracy and time.
//!
//! Run with `cargo run --release --example greeks` (`-- --quick` for fewer paths).

use std::f64::consts::{PI, SQRT_2};
use std::hint::black_box;
use std::time::{Duration, Instant};

use ad::differentiate;

// ---------------------------------------------------------------------------------
// The normal distribution function, with its derivative given to the macro
// ---------------------------------------------------------------------------------

/// Φ(x), the standard normal distribution function, to 5e-16: a series for
/// erf near 0 and a continued fraction for erfc in the tails (Abramowitz & Stegun
/// 7.1.6 and 7.1.14). Its loops and the sign test make it plain Rust, not something
/// to differentiate: the derivative is φ, given below.
fn normal_cdf(x: f64) -> f64 {
    let z = -x / SQRT_2; // Φ(x) = erfc(z) / 2
    if z >= 3.0 {
        0.5 * erfc_tail(z)
    } else if z <= -3.0 {
        1.0 - 0.5 * erfc_tail(-z)
    } else {
        0.5 - 0.5 * erf_series(z)
    }
}

/// erf(z) = 2/√π · e^(−z²) · Σₙ 2ⁿ z²ⁿ⁺¹ / (1·3·…·(2n+1)), whose terms are all of
/// one sign.
fn erf_series(z: f64) -> f64 {
    let mut term = z;
    let mut sum = z;
    let mut n = 0.0;
    while term.abs() > 1e-17 * sum.abs() {
        n += 1.0;
        term *= 2.0 * z * z / (2.0 * n + 1.0);
        sum += term;
    }
    2.0 / PI.sqrt() * (-z * z).exp() * sum
}

/// erfc(z) for z ≥ 3 by its continued fraction
/// e^(−z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + …)))), evaluated from the tail.
fn erfc_tail(z: f64) -> f64 {
    let mut f = z;
    for k in (1..=60).rev() {
        f = z + 0.5 * k as f64 / f;
    }
    (-z * z).exp() / (PI.sqrt() * f)
}

/// φ(x), the standard normal density.
fn normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
}

/// dΦ/dx = φ: the one derivative written by hand. Every other derivative below (the
/// chain rule through d₁, d₂, the discount factor, the paths) comes from the macro.
#[ad::custom_adjoint]
fn normal_cdf_adjoint(x: f64, seed: f64, d_x: &mut f64) -> f64 {
    *d_x += seed * normal_pdf(x);
    normal_cdf(x)
}

// ---------------------------------------------------------------------------------
// Two prices of a European call
// ---------------------------------------------------------------------------------

/// Black–Scholes price of a European call: spot `s`, strike `k`, volatility `sigma`,
/// interest rate `r`, time to maturity `t` (years).
#[differentiate(wrt(s, sigma, r, t))]
fn call_price(s: f64, k: f64, sigma: f64, r: f64, t: f64) -> f64 {
    let sqrt_t = t.sqrt();
    let d1 = ((s / k).ln() + (r + 0.5 * sigma * sigma) * t) / (sigma * sqrt_t);
    let d2 = d1 - sigma * sqrt_t;
    s * normal_cdf(d1) - k * (-r * t).exp() * normal_cdf(d2)
}

/// The same call priced by Monte Carlo: the mean discounted payoff over terminal
/// prices S_T = s·exp((r − σ²/2)t + σ√t·z), one per standard normal draw in `z`.
/// Its gradient is the pathwise (infinitesimal perturbation) estimator of the Greeks.
#[differentiate(wrt(s, sigma, r, t))]
fn monte_carlo_price(s: f64, k: f64, sigma: f64, r: f64, t: f64, z: &[f64]) -> f64 {
    let drift = (r - 0.5 * sigma * sigma) * t;
    let spread = sigma * t.sqrt();
    let mut total = 0.0;
    for &zi in z.iter() {
        let terminal = s * (drift + spread * zi).exp();
        total += (terminal - k).max(0.0);
    }
    (-r * t).exp() * total / z.len() as f64
}

// ---------------------------------------------------------------------------------
// Comparisons
// ---------------------------------------------------------------------------------

/// A market: the parameters of `call_price` in order (s, k, sigma, r, t).
#[derive(Clone, Copy)]
struct Market {
    s: f64,
    k: f64,
    sigma: f64,
    r: f64,
    t: f64,
}

/// The four Greeks: ∂V/∂S, ∂V/∂σ, ∂V/∂r, and theta = −∂V/∂t (value lost per year as
/// maturity approaches).
type Greeks = [f64; 4];
const NAMES: [&str; 4] = ["delta", "vega", "rho", "theta"];

fn closed_form(m: Market) -> (f64, Greeks) {
    let Market { s, k, sigma, r, t } = m;
    let d1 = ((s / k).ln() + (r + 0.5 * sigma * sigma) * t) / (sigma * t.sqrt());
    let d2 = d1 - sigma * t.sqrt();
    let discount = (-r * t).exp();
    let price = s * normal_cdf(d1) - k * discount * normal_cdf(d2);
    let delta = normal_cdf(d1);
    let vega = s * normal_pdf(d1) * t.sqrt();
    let rho = k * t * discount * normal_cdf(d2);
    let theta = -s * normal_pdf(d1) * sigma / (2.0 * t.sqrt()) - r * k * discount * normal_cdf(d2);
    (price, [delta, vega, rho, theta])
}

/// Greeks of `price` by central differences: 8 evaluations, each step relative to
/// its parameter.
fn bumped(price: &dyn Fn(Market) -> f64, m: Market) -> Greeks {
    let h = 1e-5;
    let d = |up: Market, down: Market, step: f64| (price(up) - price(down)) / (2.0 * step);
    let hs = h * m.s;
    let hv = h * m.sigma;
    let hr = h * m.r.abs().max(1e-2);
    let ht = h * m.t;
    [
        d(Market { s: m.s + hs, ..m }, Market { s: m.s - hs, ..m }, hs),
        d(
            Market {
                sigma: m.sigma + hv,
                ..m
            },
            Market {
                sigma: m.sigma - hv,
                ..m
            },
            hv,
        ),
        d(Market { r: m.r + hr, ..m }, Market { r: m.r - hr, ..m }, hr),
        -d(Market { t: m.t + ht, ..m }, Market { t: m.t - ht, ..m }, ht),
    ]
}

/// Mean time of one call of `f`, from enough calls to fill `budget`.
fn time_per_call(budget: Duration, mut f: impl FnMut()) -> Duration {
    let mut calls = 1u32;
    loop {
        let began = Instant::now();
        for _ in 0..calls {
            f();
        }
        let elapsed = began.elapsed();
        if elapsed >= budget || calls >= 1 << 24 {
            return elapsed / calls;
        }
        calls *= 2;
    }
}

/// `1.23 µs`-style durations.
fn show(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else if s >= 1e-6 {
        format!("{:.2} µs", s * 1e6)
    } else {
        format!("{:.0} ns", s * 1e9)
    }
}

/// `1,000,000`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Standard normal draws by Box–Muller from a 64-bit LCG (Knuth's MMIX constants),
/// in antithetic pairs (z, −z): the same paths on every machine.
fn normal_draws(n: usize, seed: u64) -> Vec<f64> {
    let mut state = seed;
    let mut unit = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let mut z = Vec::with_capacity(n);
    while z.len() < n {
        let (u1, u2) = (unit(), unit());
        let g = (-2.0 * u1.ln()).sqrt() * (2.0 * PI * u2).cos();
        z.push(g);
        z.push(-g);
    }
    z.truncate(n);
    z
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let budget = Duration::from_millis(if quick { 5 } else { 200 });
    let m = Market {
        s: 100.0,
        k: 105.0,
        sigma: 0.2,
        r: 0.03,
        t: 0.75,
    };
    let Market { s, k, sigma, r, t } = m;
    println!(
        "European call: spot {s}, strike {k}, volatility {sigma}, rate {r}, maturity {t} years"
    );

    // Black–Scholes.
    let (exact_price, exact) = closed_form(m);
    let (price, delta, vega, rho, dt) = call_price_grad(s, k, sigma, r, t);
    let by_ad = [delta, vega, rho, -dt];
    let by_bumps = bumped(&|m: Market| call_price(m.s, m.k, m.sigma, m.r, m.t), m);
    println!();
    println!("Black–Scholes formula: price {price:.10} (closed form {exact_price:.10})");
    println!(
        "  {:<6} {:>15} {:>15} {:>9} {:>15} {:>9}",
        "", "closed form", "f_grad", "error", "bumping", "error"
    );
    for i in 0..4 {
        println!(
            "  {:<6} {:>15.10} {:>15.10} {:>9.1e} {:>15.10} {:>9.1e}",
            NAMES[i],
            exact[i],
            by_ad[i],
            (by_ad[i] - exact[i]).abs(),
            by_bumps[i],
            (by_bumps[i] - exact[i]).abs()
        );
    }
    let t_price = time_per_call(budget, || {
        black_box(call_price(black_box(s), k, sigma, r, t));
    });
    let t_grad = time_per_call(budget, || {
        black_box(call_price_grad(black_box(s), k, sigma, r, t));
    });
    let t_bump = time_per_call(budget, || {
        black_box(bumped(
            &|m: Market| call_price(m.s, m.k, m.sigma, m.r, m.t),
            black_box(m),
        ));
    });
    println!(
        "  time: price {}, f_grad (price + 4 Greeks) {} = {:.1} prices, bumping (8 prices) {}",
        show(t_price),
        show(t_grad),
        t_grad.as_secs_f64() / t_price.as_secs_f64(),
        show(t_bump)
    );

    // Monte Carlo with the same market.
    let paths: usize = if quick { 20_000 } else { 1_000_000 };
    let z = normal_draws(paths, 7);
    let mc = |m: Market| monte_carlo_price(m.s, m.k, m.sigma, m.r, m.t, &z);
    let (mc_price, delta, vega, rho, dt) = monte_carlo_price_grad(s, k, sigma, r, t, &z);
    let mc_ad = [delta, vega, rho, -dt];
    let mc_bumps = bumped(&mc, m);
    // The price's standard error, from the spread of the discounted payoffs.
    let payoffs: Vec<f64> = z
        .iter()
        .map(|zi| {
            let terminal = s * ((r - 0.5 * sigma * sigma) * t + sigma * t.sqrt() * zi).exp();
            (-r * t).exp() * (terminal - k).max(0.0)
        })
        .collect();
    let mean = payoffs.iter().sum::<f64>() / paths as f64;
    let variance =
        payoffs.iter().map(|p| (p - mean) * (p - mean)).sum::<f64>() / (paths - 1) as f64;
    println!();
    println!(
        "Monte Carlo, {} paths (antithetic): price {mc_price:.6} ± {:.6} (closed form {exact_price:.6})",
        grouped(paths),
        (variance / paths as f64).sqrt()
    );
    println!(
        "  {:<6} {:>15} {:>15} {:>9} {:>15} {:>17}",
        "", "closed form", "f_grad", "MC error", "bumping", "f_grad − bumping"
    );
    for i in 0..4 {
        println!(
            "  {:<6} {:>15.10} {:>15.10} {:>9.1e} {:>15.10} {:>17.1e}",
            NAMES[i],
            exact[i],
            mc_ad[i],
            (mc_ad[i] - exact[i]).abs(),
            mc_bumps[i],
            (mc_ad[i] - mc_bumps[i]).abs()
        );
    }
    let t_price = time_per_call(budget, || {
        black_box(mc(black_box(m)));
    });
    let t_grad = time_per_call(budget, || {
        black_box(monte_carlo_price_grad(black_box(s), k, sigma, r, t, &z));
    });
    let t_bump = time_per_call(budget, || {
        black_box(bumped(&mc, black_box(m)));
    });
    println!(
        "  time: price {}, f_grad (price + 4 Greeks) {} = {:.1} prices, bumping (8 prices) {}",
        show(t_price),
        show(t_grad),
        t_grad.as_secs_f64() / t_price.as_secs_f64(),
        show(t_bump)
    );
}
