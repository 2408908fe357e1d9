//! Which parameters of a heat-conduction model matter most for what a sensor reads?
//! One reverse sweep of `#[differentiate]` gives the sensor temperature's derivative
//! with respect to all of them: the conductivity of every cell of the rod, the
//! boundary and ambient temperatures, the heat-transfer coefficients, the heater
//! power and the heat capacity.
//!
//! Prints the parameters ranked by their influence, the cost of the sweep against
//! one simulation and against finite differences, and writes
//! `examples/output/sensitivity.svg` (a bar chart of all of them).
//!
//! Run with `cargo run --release --example sensitivity` (`-- --quick` for a coarser
//! model, pictures to `target/example-output/`).

use std::error::Error;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ad::differentiate;
use plotters::prelude::*;

/// The parts of the model that are not parameters: the grid, the time stepping,
/// where the heater and the sensor sit.
struct Setup {
    /// Length of the rod (m) and its diameter (m).
    length: f64,
    diameter: f64,
    /// Implicit Euler steps of `dt` seconds.
    steps: usize,
    dt: f64,
    heater: usize,
    sensor: usize,
}

/// Temperature (K) of the sensor's cell after `setup.steps` time steps.
///
/// A rod of `k.len()` finite-volume cells with conductivities `k` (W/m/K) and
/// volumetric heat capacity `rho_c` (J/m³/K), initially at the ambient temperature
/// `t_amb`. Its left end is held at `t_left`; its right end loses heat to the air
/// through `h_end` (W/m²/K), its side through `h_side`; a heater puts out `power`
/// (W) in one cell. Each step of backward Euler solves the tridiagonal system by
/// the Thomas algorithm, whose factorisation does not change from step to step.
#[differentiate]
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
fn sensor_temperature(
    k: &[f64],
    t_left: f64,
    t_amb: f64,
    h_side: f64,
    h_end: f64,
    power: f64,
    rho_c: f64,
    setup: &Setup,
) -> f64 {
    let n = k.len();
    let dx = setup.length / n as f64;
    let area = 0.25 * std::f64::consts::PI * setup.diameter * setup.diameter;
    let perimeter_per_area = 4.0 / setup.diameter;
    let r = setup.dt / (rho_c * dx);
    // Conductance per unit area of the left boundary and of each face between
    // cells (the two half-cells in series), and of the right end (half a cell,
    // then the air).
    let g_left = 2.0 * k[0] / dx;
    let g_right = 1.0 / (0.5 * dx / k[n - 1] + 1.0 / h_end);
    let mut g = vec![0.0; n];
    for i in 0..n - 1 {
        g[i] = 2.0 * k[i] * k[i + 1] / ((k[i] + k[i + 1]) * dx);
    }
    // Row i of each step's system, with g[−1] = g_left and g[n−1] = g_right:
    //   −r·g[i−1]·T[i−1] + (1 + r·(g[i−1] + g[i]) + side)·T[i] − r·g[i]·T[i+1]
    //     = T_old[i] + sources.
    // Forward elimination divides row i by pivot[i], which leaves upper[i] as its
    // coefficient of T[i+1]; neither depends on the temperatures.
    let side = r * dx * h_side * perimeter_per_area;
    let mut pivot = vec![0.0; n];
    let mut upper = vec![0.0; n];
    pivot[0] = 1.0 + r * (g_left + g[0]) + side;
    upper[0] = -r * g[0] / pivot[0];
    for i in 1..n {
        let right = if i + 1 < n { g[i] } else { g_right };
        pivot[i] = 1.0 + r * (g[i - 1] + right) + side + r * g[i - 1] * upper[i - 1];
        upper[i] = -r * right / pivot[i];
    }
    let heating = r * power / area;
    let mut temp = vec![0.0; n];
    for i in 0..n {
        temp[i] = t_amb;
    }
    let mut forward = vec![0.0; n];
    for _ in 0..setup.steps {
        // Forward elimination of the right-hand side…
        for i in 0..n {
            let mut rhs = temp[i] + side * t_amb;
            if i == 0 {
                rhs += r * g_left * t_left;
            } else {
                rhs += r * g[i - 1] * forward[i - 1];
            }
            if i + 1 == n {
                rhs += r * g_right * t_amb;
            }
            if i == setup.heater {
                rhs += heating;
            }
            forward[i] = rhs / pivot[i];
        }
        // …and back substitution.
        temp[n - 1] = forward[n - 1];
        for i in (0..n - 1).rev() {
            temp[i] = forward[i] - upper[i] * temp[i + 1];
        }
    }
    temp[setup.sensor]
}

/// The scalar parameters in `sensor_temperature`'s order: name, unit, value, and
/// how uncertain it is (one standard deviation).
const SCALARS: [(&str, &str, f64, f64); 6] = [
    ("T_left (held end)", "K", 350.0, 2.0),
    ("T_amb (air)", "K", 293.0, 2.0),
    ("h_side (side loss)", "W/m²K", 10.0, 3.0),
    ("h_end (end loss)", "W/m²K", 25.0, 7.5),
    ("heater power", "W", 3.0, 0.15),
    ("ρc (heat capacity)", "J/m³K", 3.0e6, 1.5e5),
];

/// Relative uncertainty of each cell's conductivity.
const K_UNCERTAINTY: f64 = 0.1;

/// A composite rod: aluminium, a ceramic spacer, steel.
fn conductivities(cells: usize, length: f64) -> Vec<f64> {
    (0..cells)
        .map(|i| {
            let x = (i as f64 + 0.5) * length / cells as f64;
            if x < 0.10 {
                200.0
            } else if x < 0.12 {
                2.0
            } else {
                45.0
            }
        })
        .collect()
}

fn main() -> Result<(), Box<dyn Error>> {
    let quick = std::env::args().any(|a| a == "--quick");
    let cells = if quick { 30 } else { 120 };
    let steps = if quick { 60 } else { 900 };
    let length = 0.3;
    let cell_of = |x: f64| ((x / length * cells as f64) as usize).min(cells - 1);
    let setup = Setup {
        length,
        diameter: 0.02,
        steps,
        dt: 1800.0 / steps as f64,
        heater: cell_of(0.2),
        sensor: cell_of(0.25),
    };
    let k = conductivities(cells, length);
    let scalars = SCALARS.map(|s| s.2);
    let [t_left, t_amb, h_side, h_end, power, rho_c] = scalars;
    let run = |k: &[f64]| sensor_temperature(k, t_left, t_amb, h_side, h_end, power, rho_c, &setup);
    let value = run(&k);

    let (_, dk, d_left, d_amb, d_side, d_end, d_power, d_rho_c) =
        sensor_temperature_grad(&k, t_left, t_amb, h_side, h_end, power, rho_c, &setup);
    println!(
        "A {length} m rod (aluminium | ceramic | steel, {cells} cells), held at {t_left} K on the left, heated by {power} W at x = 0.20 m,"
    );
    println!(
        "cooled by air at {t_amb} K; sensor at x = 0.25 m reads {value:.3} K after {} s ({steps} implicit steps).",
        setup.steps as f64 * setup.dt
    );

    // Every parameter in one vector, to check the gradient and to time differences.
    let pack = |k: &[f64], s: &[f64]| [k, s].concat();
    let all = pack(&k, &scalars);
    let whole = |p: &[f64]| {
        let (k, s) = p.split_at(cells);
        sensor_temperature(k, s[0], s[1], s[2], s[3], s[4], s[5], &setup)
    };
    let gradient = pack(&dk, &[d_left, d_amb, d_side, d_end, d_power, d_rho_c]);
    ad::check_gradient(whole, &all, &gradient)?;
    let budget = Duration::from_millis(if quick { 5 } else { 200 });
    let t_value = time_per_call(budget, || {
        black_box(run(black_box(&k)));
    });
    let t_grad = time_per_call(budget, || {
        black_box(sensor_temperature_grad(
            black_box(&k),
            t_left,
            t_amb,
            h_side,
            h_end,
            power,
            rho_c,
            &setup,
        ));
    });
    println!(
        "one reverse sweep: {} derivatives in {} = {:.1} simulations ({} each); central differences: {} simulations, {}",
        all.len(),
        show(t_grad),
        t_grad.as_secs_f64() / t_value.as_secs_f64(),
        show(t_value),
        2 * all.len(),
        show(t_value * 2 * all.len() as u32)
    );
    println!("sensor_temperature_grad agrees with central differences (ad::check_gradient)");

    // Each parameter's share of the sensor's uncertainty, to first order: how far
    // the reading moves when the parameter moves by its uncertainty.
    let scalar_effects: Vec<f64> = (0..SCALARS.len())
        .map(|i| SCALARS[i].3 * gradient[cells + i])
        .collect();
    let cell_effects: Vec<f64> = k
        .iter()
        .zip(&dk)
        .map(|(ki, d)| K_UNCERTAINTY * ki * d)
        .collect();
    let mut rows: Vec<(String, String, f64, f64)> = SCALARS
        .iter()
        .zip(&scalar_effects)
        .enumerate()
        .map(|(i, ((name, unit, value, spread), &effect))| {
            let value = format!("{} ± {} {unit}", number(*value), number(*spread));
            ((*name).to_string(), value, gradient[cells + i], effect)
        })
        .collect();
    for (i, ((&ki, &di), &effect)) in k.iter().zip(&dk).zip(&cell_effects).enumerate() {
        let x = (i as f64 + 0.5) * length / cells as f64;
        let spread = K_UNCERTAINTY * ki;
        let value = format!("{} ± {} W/mK", number(ki), number(spread));
        rows.push((format!("k at x = {x:.3} m"), value, di, effect));
    }
    rows.sort_by(|a, b| b.3.abs().total_cmp(&a.3.abs()));
    println!();
    println!(
        "  {:>4}  {:<20} {:>26} {:>12} {:>10}",
        "rank", "parameter p", "value ± uncertainty Δp", "∂T/∂p", "Δp·∂T/∂p"
    );
    for (rank, (name, value, d, effect)) in rows.iter().take(12).enumerate() {
        println!(
            "  {:>4}  {name:<20} {value:>26} {d:>12.3e} {effect:>+8.3} K",
            rank + 1
        );
    }
    let total = rows.iter().map(|r| r.3 * r.3).sum::<f64>().sqrt();
    let conductivities = cell_effects.iter().map(|e| e * e).sum::<f64>().sqrt();
    println!(
        "  all together (independent, first order): ±{total:.3} K, of which the {cells} conductivities ±{conductivities:.3} K"
    );

    let path = output_dir(quick)?.join("sensitivity.svg");
    plot(&path, &setup, &cell_effects, &scalar_effects)?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    println!();
    println!(
        "wrote {}",
        path.strip_prefix(root).unwrap_or(&path).display()
    );
    Ok(())
}

/// `350`, `0.15`, `3e6`: short forms of the parameters' values.
fn number(v: f64) -> String {
    if v != 0.0 && (v.abs() >= 1e4 || v.abs() < 1e-2) {
        format!("{v:.1e}")
    } else {
        format!("{v}")
    }
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

/// `examples/output/` for a full run (the README shows its pictures),
/// `target/example-output/` for `--quick`.
fn output_dir(quick: bool) -> std::io::Result<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = if quick {
        root.join("target/example-output")
    } else {
        root.join("examples/output")
    };
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Two bar charts: the effect of each cell's conductivity along the rod, and the
/// effect of each scalar parameter.
fn plot(path: &Path, setup: &Setup, cells: &[f64], scalars: &[f64]) -> Result<(), Box<dyn Error>> {
    let root = SVGBackend::new(path, (760, 620)).into_drawing_area();
    root.fill(&WHITE)?;
    let (top, bottom) = root.split_vertically(340);
    let blue = RGBColor(0, 110, 200);
    let orange = RGBColor(215, 80, 0);
    let colour = |v: f64| if v >= 0.0 { blue } else { orange };

    let dx = setup.length / cells.len() as f64;
    let span = cells.iter().fold(0.0_f64, |m, v| m.max(v.abs())) * 1.1;
    let mut chart = ChartBuilder::on(&top)
        .caption(
            "sensor change (K) for +10% conductivity in each cell",
            ("sans-serif", 16),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..setup.length, -span..span)?;
    chart
        .configure_mesh()
        .x_desc("position along the rod (m)")
        .y_desc("K")
        .draw()?;
    chart.draw_series(cells.iter().enumerate().map(|(i, &v)| {
        let x = i as f64 * dx;
        Rectangle::new([(x, 0.0), (x + 0.9 * dx, v)], colour(v).filled())
    }))?;
    for (x, name) in [(0.04, "aluminium"), (0.101, "ceramic"), (0.14, "steel")] {
        chart.draw_series(std::iter::once(Text::new(
            name,
            (x, -0.9 * span),
            ("sans-serif", 13),
        )))?;
    }
    let marks = [(setup.heater, "heater"), (setup.sensor, "sensor")];
    for (cell, name) in marks {
        let x = (cell as f64 + 0.5) * dx;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, -span), (x, span)],
            BLACK.mix(0.4),
        )))?;
        chart.draw_series(std::iter::once(Text::new(
            name,
            (x + 0.003, 0.9 * span),
            ("sans-serif", 13),
        )))?;
    }

    let span = scalars.iter().fold(0.0_f64, |m, v| m.max(v.abs())) * 1.15;
    let mut chart = ChartBuilder::on(&bottom)
        .caption(
            "sensor change (K) for each scalar parameter + its uncertainty",
            ("sans-serif", 16),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(200)
        .build_cartesian_2d(-span..span, 0.0..SCALARS.len() as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(SCALARS.len() * 2 + 1)
        .y_label_formatter(&|y| {
            let i = (y - 0.5).round();
            if (y - 0.5 - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < SCALARS.len() {
                let (name, unit, _, spread) = SCALARS[SCALARS.len() - 1 - i as usize];
                format!("{name} +{} {unit}", number(spread))
            } else {
                String::new()
            }
        })
        .x_desc("K")
        .draw()?;
    chart.draw_series(scalars.iter().enumerate().map(|(i, &v)| {
        let y = (SCALARS.len() - 1 - i) as f64;
        Rectangle::new([(0.0, y + 0.15), (v, y + 0.85)], colour(v).filled())
    }))?;
    root.present()?;
    Ok(())
}
