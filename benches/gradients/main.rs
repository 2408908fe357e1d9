//! Benchmarks of `ad` against a hand-written gradient, central finite differences, a
//! tape-based reverse-mode crate (`reverse`) and forward-mode dual numbers
//! (`num-dual`), on five workloads (issue 6). Every method's gradient is checked
//! against `f_grad` before anything is timed.
//!
//! `cargo bench --bench gradients` prints the medians and the ratios;
//! `AD_BENCH_REPORT=1 cargo bench --bench gradients` also writes
//! `benches/output/results.md` and `benches/output/rosenbrock.svg`.

mod gmm;
mod mlp;
mod ode;
mod report;
mod rosenbrock;
mod scalar;
mod support;

use std::path::Path;
use std::time::SystemTime;

use criterion::Criterion;

use report::{Results, Workload};

#[global_allocator]
static ALLOCATOR: support::CountingAllocator = support::CountingAllocator;

fn main() {
    let started = SystemTime::now();
    let load_at_start = report::load_average();
    let mut criterion = Criterion::default()
        .output_directory(&support::criterion_dir())
        .configure_from_args();
    let mut memory = Vec::new();
    scalar::bench(&mut criterion);
    rosenbrock::bench(&mut criterion, &mut memory);
    gmm::bench(&mut criterion, &mut memory);
    mlp::bench(&mut criterion, &mut memory);
    ode::bench(&mut criterion, &mut memory);
    criterion.final_summary();

    let workload = |group: String, title: String, inputs| Workload {
        group,
        title,
        inputs,
    };
    let mut workloads = vec![workload("scalar".into(), "scalar, 14 operations".into(), 3)];
    for n in rosenbrock::SIZES {
        workloads.push(workload(
            format!("rosenbrock_{n}"),
            format!("Rosenbrock n = {}", power_of_ten(n)),
            n,
        ));
    }
    workloads.push(workload(
        "gmm_d2_K5".into(),
        "GMM d = 2, K = 5, N = 1000".into(),
        30,
    ));
    workloads.push(workload(
        "gmm_d2_K10".into(),
        "GMM d = 2, K = 10, N = 1000".into(),
        60,
    ));
    workloads.push(workload(
        format!("mlp_{}", mlp::NAME),
        "MLP 784-128-10, batch 64".into(),
        784 * 128 + 128 + 128 * 10 + 10,
    ));
    workloads.push(workload(
        format!("rk4_{}", ode::STEPS),
        format!("RK4 Lotka–Volterra, {} steps", ode::STEPS),
        6,
    ));
    let results = Results::collect(workloads, memory, started, load_at_start);
    results.print();

    if std::env::var_os("AD_BENCH_REPORT").is_some() {
        let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/output");
        std::fs::create_dir_all(&out).expect("create benches/output");
        std::fs::write(out.join("results.md"), results.markdown()).expect("write results.md");
        results
            .plot(&out.join("rosenbrock.svg"))
            .expect("draw rosenbrock.svg");
        println!("wrote {}/results.md and rosenbrock.svg", out.display());
    }
}

/// 10, 10³, 10⁵, … for the table.
fn power_of_ten(n: usize) -> String {
    let exponent = n.ilog10();
    if n != 10usize.pow(exponent) || exponent < 2 {
        return n.to_string();
    }
    let digits = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let superscript: String = exponent
        .to_string()
        .chars()
        .map(|c| digits[c as usize - '0' as usize])
        .collect();
    format!("10{superscript}")
}
