//! Trains a multilayer perceptron to separate two interleaved spirals, with Adam
//! on the gradient of a softmax cross-entropy loss that `#[differentiate]` writes.
//!
//! The network is a struct of weight vectors with `#[derive(ad::Differentiable)]`;
//! its loss is a method, `#[differentiate(wrt(self))]`, whose gradient is another
//! network (`model.loss_grad(…)`), and Adam steps over its scalars. Prints the loss per epoch (with a progress bar on a
//! terminal), the accuracy on the training set and on a held-out set, and writes
//! `examples/output/train_mlp_loss.svg` (the loss curve) and
//! `examples/output/train_mlp_boundary.svg` (the learned decision regions).
//!
//! Run with `cargo run --release --example train_mlp` (`-- --quick` for a short run
//! whose pictures go to `target/example-output/`).

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ad::{differentiate, Differentiable};
use indicatif::{ProgressBar, ProgressStyle};
use plotters::prelude::*;

/// Layer widths: 2 inputs, two hidden layers of 24 tanh units, 2 classes.
const SIZES: [usize; 4] = [2, 24, 24, 2];

/// The perceptron: per layer, the `out × in` weight matrix (row-major) and the
/// biases. `loss_grad` returns its gradient as another `Mlp`.
#[derive(Clone, Differentiable)]
struct Mlp {
    w1: Vec<f64>,
    b1: Vec<f64>,
    w2: Vec<f64>,
    b2: Vec<f64>,
    w3: Vec<f64>,
    b3: Vec<f64>,
}

impl Mlp {
    /// Glorot-uniform weights, zero biases.
    fn new(rng: &mut Lcg) -> Mlp {
        let mut layer = |fan_in: usize, fan_out: usize| {
            let scale = (6.0 / (fan_in + fan_out) as f64).sqrt();
            let w = (0..fan_in * fan_out)
                .map(|_| scale * (2.0 * rng.unit() - 1.0))
                .collect();
            (w, vec![0.0; fan_out])
        };
        let (w1, b1) = layer(SIZES[0], SIZES[1]);
        let (w2, b2) = layer(SIZES[1], SIZES[2]);
        let (w3, b3) = layer(SIZES[2], SIZES[3]);
        Mlp {
            w1,
            b1,
            w2,
            b2,
            w3,
            b3,
        }
    }

    /// Mean softmax cross-entropy over the samples `x` (rows of two coordinates)
    /// with classes `labels`.
    #[differentiate(wrt(self))]
    #[allow(clippy::needless_range_loop)] // row-major matrices, indexed
    fn loss(&self, x: &[f64], labels: &[usize]) -> f64 {
        let (n_in, n_hidden, n_out) = (SIZES[0], SIZES[1], SIZES[3]);
        let mut h1 = vec![0.0; n_hidden];
        let mut h2 = vec![0.0; n_hidden];
        let mut z = vec![0.0; n_out];
        let mut total = 0.0;
        for s in 0..labels.len() {
            for j in 0..n_hidden {
                let mut a = self.b1[j];
                for i in 0..n_in {
                    a += self.w1[j * n_in + i] * x[s * n_in + i];
                }
                h1[j] = a.tanh();
            }
            for j in 0..n_hidden {
                let mut a = self.b2[j];
                for i in 0..n_hidden {
                    a += self.w2[j * n_hidden + i] * h1[i];
                }
                h2[j] = a.tanh();
            }
            for k in 0..n_out {
                let mut a = self.b3[k];
                for i in 0..n_hidden {
                    a += self.w3[k * n_hidden + i] * h2[i];
                }
                z[k] = a;
            }
            // −log softmax(z)[label] = log Σ exp(z) − z[label], shifted by max z.
            let mut m = z[0];
            for k in 1..n_out {
                m = m.max(z[k]);
            }
            let mut sum = 0.0;
            for k in 0..n_out {
                sum += (z[k] - m).exp();
            }
            total += m + sum.ln() - z[labels[s]];
        }
        total / labels.len() as f64
    }
}

/// A 64-bit linear congruential generator (Knuth's MMIX constants): the same data
/// and initial weights on every machine, without a dependency.
struct Lcg(u64);

impl Lcg {
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n.
    fn below(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n - 1)
    }
}

/// Outer radius of the spirals: inputs of a few units put the first layer's tanh
/// units in their nonlinear range from the start.
const RADIUS: f64 = 3.0;

/// Two interleaved spirals, `per_class` points each, jittered by up to `noise`.
/// Returns the points as rows of two coordinates and their classes (0 or 1).
fn spirals(per_class: usize, noise: f64, rng: &mut Lcg) -> (Vec<f64>, Vec<usize>) {
    let mut x = Vec::with_capacity(4 * per_class);
    let mut labels = Vec::with_capacity(2 * per_class);
    for i in 0..per_class {
        for class in 0..2 {
            // From the centre outwards, two turns; the second spiral is the first
            // turned by half a turn.
            let t = 0.08 + 0.92 * (i as f64 + rng.unit()) / per_class as f64;
            let angle = 4.0 * std::f64::consts::PI * t + class as f64 * std::f64::consts::PI;
            x.push(RADIUS * t * angle.cos() + noise * (2.0 * rng.unit() - 1.0));
            x.push(RADIUS * t * angle.sin() + noise * (2.0 * rng.unit() - 1.0));
            labels.push(class);
        }
    }
    (x, labels)
}

/// The class the network gives the highest probability: the one of least loss.
fn predict(model: &Mlp, point: &[f64]) -> usize {
    (0..SIZES[SIZES.len() - 1])
        .min_by(|&a, &b| model.loss(point, &[a]).total_cmp(&model.loss(point, &[b])))
        .unwrap_or(0)
}

fn accuracy(model: &Mlp, x: &[f64], labels: &[usize]) -> f64 {
    let right = labels
        .iter()
        .enumerate()
        .filter(|&(s, &label)| predict(model, &x[2 * s..2 * s + 2]) == label)
        .count();
    right as f64 / labels.len() as f64
}

/// Adam (Kingma & Ba 2015) with its usual constants, over any `Differentiable`
/// model: its moments are one number per scalar, in the model's scalar order.
struct Adam {
    m: Vec<f64>,
    v: Vec<f64>,
    steps: i32,
}

impl Adam {
    fn new(n: usize) -> Adam {
        Adam {
            m: vec![0.0; n],
            v: vec![0.0; n],
            steps: 0,
        }
    }

    fn step<M: Differentiable<Scalar = f64>>(&mut self, model: &mut M, grad: &M, rate: f64) {
        let (b1, b2, eps) = (0.9, 0.999, 1e-8);
        self.steps += 1;
        let c1 = 1.0 - f64::powi(b1, self.steps);
        let c2 = 1.0 - f64::powi(b2, self.steps);
        let (mut ms, mut vs) = (self.m.iter_mut(), self.v.iter_mut());
        model.zip_scalars_mut(grad, &mut |w, g| {
            let (m, v) = (ms.next().unwrap(), vs.next().unwrap());
            *m = b1 * *m + (1.0 - b1) * g;
            *v = b2 * *v + (1.0 - b2) * g * g;
            *w -= rate * (*m / c1) / ((*v / c2).sqrt() + eps);
        });
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let quick = std::env::args().any(|a| a == "--quick");
    let (epochs, per_class) = if quick { (40, 60) } else { (400, 200) };
    let batch = 32;

    let mut rng = Lcg(2024);
    let (x, labels) = spirals(per_class, 0.3, &mut rng);
    let (test_x, test_labels) = spirals(per_class / 2, 0.3, &mut rng);
    let mut model = Mlp::new(&mut rng);
    let n_weights = model.scalar_count();
    println!(
        "two spirals: {} training and {} test points; perceptron {:?}, {} weights; Adam, batches of {batch}",
        labels.len(),
        test_labels.len(),
        SIZES,
        n_weights
    );

    // The gradient against central differences, once, on a few samples.
    let few = &labels[..8];
    let (_, g) = model.loss_grad(&x[..16], few);
    let loss_at = |p: &[f64]| {
        let mut probe = model.clone();
        probe.read_scalars(p);
        probe.loss(&x[..16], few)
    };
    ad::check_gradient(loss_at, &model.to_scalars(), &g.to_scalars())?;
    println!("loss_grad agrees with central differences (ad::check_gradient)");

    let bar = ProgressBar::new(epochs as u64).with_style(ProgressStyle::with_template(
        "{bar:40} epoch {pos}/{len} {msg} [{elapsed} < {eta}]",
    )?);
    let mut adam = Adam::new(n_weights);
    let mut grad = model.zeroed_like();
    let mut order: Vec<usize> = (0..labels.len()).collect();
    let (mut batch_x, mut batch_labels) = (Vec::new(), Vec::new());
    let mut curve = Vec::with_capacity(epochs);
    let mut gradient_time = 0.0;
    let began = Instant::now();
    for epoch in 0..epochs {
        // Shuffle (Fisher–Yates), then one Adam step per mini-batch.
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        // The step size decays from 0.03 to 0.001 along a cosine.
        let progress = epoch as f64 / epochs as f64;
        let rate = 0.001 + 0.5 * (0.03 - 0.001) * (1.0 + (std::f64::consts::PI * progress).cos());
        let mut epoch_loss = 0.0;
        for chunk in order.chunks(batch) {
            batch_x.clear();
            batch_labels.clear();
            for &s in chunk {
                batch_x.extend_from_slice(&x[2 * s..2 * s + 2]);
                batch_labels.push(labels[s]);
            }
            grad.set_zero();
            let t = Instant::now();
            let value = model.loss_adjoint(&batch_x, &batch_labels, 1.0, &mut grad);
            gradient_time += t.elapsed().as_secs_f64();
            epoch_loss += value * chunk.len() as f64;
            adam.step(&mut model, &grad, rate);
        }
        epoch_loss /= labels.len() as f64;
        curve.push(epoch_loss);
        bar.set_message(format!("loss {epoch_loss:.4}"));
        bar.inc(1);
        if epoch % (epochs / 10) == 0 || epoch + 1 == epochs {
            let line = format!(
                "epoch {:>4}  loss {epoch_loss:.4}  training accuracy {:5.1}%",
                epoch + 1,
                100.0 * accuracy(&model, &x, &labels)
            );
            bar.suspend(|| println!("{line}"));
        }
    }
    bar.finish_and_clear();
    let steps = epochs * labels.len().div_ceil(batch);
    println!(
        "trained in {:.2} s; {steps} gradients of the batch loss took {:.2} s ({:.1} µs per sample)",
        began.elapsed().as_secs_f64(),
        gradient_time,
        1e6 * gradient_time / (epochs * labels.len()) as f64
    );
    println!(
        "accuracy: {:.1}% on the training set, {:.1}% on the test set",
        100.0 * accuracy(&model, &x, &labels),
        100.0 * accuracy(&model, &test_x, &test_labels)
    );

    let dir = output_dir(quick)?;
    let loss_svg = dir.join("train_mlp_loss.svg");
    plot_loss(&loss_svg, &curve)?;
    let boundary_svg = dir.join("train_mlp_boundary.svg");
    plot_boundary(&boundary_svg, &model, &x, &labels)?;
    println!("wrote {} and {}", shown(&loss_svg), shown(&boundary_svg));
    Ok(())
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

/// `path` relative to the repository, when it is inside it.
fn shown(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn plot_loss(path: &Path, curve: &[f64]) -> Result<(), Box<dyn Error>> {
    let root = SVGBackend::new(path, (640, 400)).into_drawing_area();
    root.fill(&WHITE)?;
    let low = curve.iter().copied().fold(f64::INFINITY, f64::min);
    let high = curve.iter().copied().fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(&root)
        .caption("train_mlp: training loss per epoch", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(1..curve.len(), (low * 0.8..high * 1.2).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("cross-entropy")
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .draw()?;
    chart.draw_series(LineSeries::new(
        curve.iter().enumerate().map(|(i, &v)| (i + 1, v)),
        BLUE.stroke_width(2),
    ))?;
    root.present()?;
    Ok(())
}

/// The plane coloured by predicted class (runs of equal class on each row merged
/// into one rectangle, to keep the file small), and the training points on top.
fn plot_boundary(
    path: &Path,
    model: &Mlp,
    x: &[f64],
    labels: &[usize],
) -> Result<(), Box<dyn Error>> {
    let root = SVGBackend::new(path, (480, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    let r = 1.15 * RADIUS;
    let mut chart = ChartBuilder::on(&root)
        .caption("train_mlp: decision regions", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(36)
        .build_cartesian_2d(-r..r, -r..r)?;
    chart.configure_mesh().disable_mesh().draw()?;
    let region = [RGBColor(255, 214, 170), RGBColor(170, 205, 255)];
    let point = [RGBColor(214, 96, 0), RGBColor(0, 84, 190)];
    let cells = 120;
    let step = 2.0 * r / cells as f64;
    let mut rectangles = Vec::new();
    for row in 0..cells {
        let y = -r + (row as f64 + 0.5) * step;
        let mut start = 0;
        let mut class = predict(model, &[-r + 0.5 * step, y]);
        for col in 1..=cells {
            let next = if col < cells {
                predict(model, &[-r + (col as f64 + 0.5) * step, y])
            } else {
                usize::MAX
            };
            if next != class {
                let x0 = -r + start as f64 * step;
                let x1 = -r + col as f64 * step;
                let (y0, y1) = (y - 0.5 * step, y + 0.5 * step);
                rectangles.push(Rectangle::new([(x0, y0), (x1, y1)], region[class].filled()));
                start = col;
                class = next;
            }
        }
    }
    chart.draw_series(rectangles)?;
    chart.draw_series(
        labels
            .iter()
            .enumerate()
            .map(|(s, &label)| Circle::new((x[2 * s], x[2 * s + 1]), 2, point[label].filled())),
    )?;
    root.present()?;
    Ok(())
}
