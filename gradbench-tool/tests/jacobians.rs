//! The Jacobians of the vector-valued evals (ba, ht) against exact ones from dual
//! numbers (num-dual: the same arithmetic written again over `Dual64`) and, as a second
//! check, central finite differences; and their values against GradBench's `manual`
//! outputs in `data/` (the protocol test compares whole outputs, these the numbers
//! behind them).

#![allow(clippy::needless_range_loop)] // Jacobians are indexed by row and column.

use gradbench_tool::evals::{ba, ht};
use num_dual::{Dual64, DualNum};
use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");

fn read_json(path: &str) -> Value {
    let text = std::fs::read_to_string(format!("{DATA}/{path}")).expect("reference file");
    serde_json::from_str(&text).expect("valid JSON")
}

/// `|a − b| ≤ tol·max(|a|, |b|, 1)` for every pair, or a panic naming the entry.
fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * g.abs().max(w.abs()).max(1.0),
            "{what}[{k}]: {g} vs {w}"
        );
    }
}

/// Central differences of every output of `f` along every input: `J[i][j]`.
fn difference_jacobian(f: impl Fn(&[f64]) -> Vec<f64>, z: &[f64]) -> Vec<Vec<f64>> {
    let outputs = f(z).len();
    let mut jacobian = vec![vec![0.0; z.len()]; outputs];
    for j in 0..z.len() {
        let h = 1e-6 * z[j].abs().max(1.0);
        let (mut plus, mut minus) = (z.to_vec(), z.to_vec());
        plus[j] += h;
        minus[j] -= h;
        let (fp, fm) = (f(&plus), f(&minus));
        for i in 0..outputs {
            jacobian[i][j] = (fp[i] - fm[i]) / (2.0 * h);
        }
    }
    jacobian
}

/// The Jacobian of a function over dual numbers, one column per input.
fn dual_jacobian(f: impl Fn(&[Dual64]) -> Vec<Dual64>, z: &[f64]) -> Vec<Vec<f64>> {
    let outputs = f(&z.iter().map(|&v| Dual64::from(v)).collect::<Vec<_>>()).len();
    let mut jacobian = vec![vec![0.0; z.len()]; outputs];
    for j in 0..z.len() {
        let point: Vec<Dual64> = (0..z.len())
            .map(|k| Dual64::new(z[k], if k == j { 1.0 } else { 0.0 }))
            .collect();
        for (i, out) in f(&point).iter().enumerate() {
            jacobian[i][j] = out.eps;
        }
    }
    jacobian
}

// ---------------------------------------------------------------- ba

/// GradBench's `computeReprojError` over dual numbers, written from ba.hpp
/// (`cam` 11, `x` 3, `w`), for the exact Jacobian.
fn reproj_error_dual(cam: &[Dual64], x: &[Dual64], w: Dual64, feat: &[f64]) -> Vec<Dual64> {
    let pt = [x[0] - cam[3], x[1] - cam[4], x[2] - cam[5]];
    let rot = &cam[0..3];
    let sqtheta = rot[0] * rot[0] + rot[1] * rot[1] + rot[2] * rot[2];
    let cross = |a: &[Dual64], b: &[Dual64; 3]| {
        [
            a[1] * b[2] - a[2] * b[1],
            a[2] * b[0] - a[0] * b[2],
            a[0] * b[1] - a[1] * b[0],
        ]
    };
    let rotated: [Dual64; 3] = if sqtheta.re != 0.0 {
        let theta = sqtheta.sqrt();
        let (s, c) = (theta.sin(), theta.cos());
        let omega = [rot[0] / theta, rot[1] / theta, rot[2] / theta];
        let wxp = cross(&omega, &pt);
        let tmp = (omega[0] * pt[0] + omega[1] * pt[1] + omega[2] * pt[2]) * (-c + 1.0);
        [0, 1, 2].map(|i| pt[i] * c + wxp[i] * s + omega[i] * tmp)
    } else {
        let rxp = cross(rot, &pt);
        [0, 1, 2].map(|i| pt[i] + rxp[i])
    };
    let (p0, p1) = (rotated[0] / rotated[2], rotated[1] / rotated[2]);
    let rsq = p0 * p0 + p1 * p1;
    let l = cam[9] * rsq + cam[10] * rsq * rsq + 1.0;
    vec![
        w * (p0 * l * cam[6] + cam[7] - feat[0]),
        w * (p1 * l * cam[6] + cam[8] - feat[1]),
    ]
}

/// Observation 0 of a reference input: camera, point, weight, feature.
fn ba_case(name: &str) -> (Vec<f64>, Vec<f64>, f64, Vec<f64>) {
    let input = read_json(&format!("ba/{name}.input.json"));
    let floats = |key: &str| -> Vec<f64> {
        input[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    (
        floats("cam"),
        floats("x"),
        input["w"].as_f64().unwrap(),
        floats("feat"),
    )
}

/// The block of `reproj_error_jacobian` against dual numbers (exact up to rounding:
/// 1e-12) and central differences (1e-6), and the check must reject the block with
/// one entry's sign flipped.
fn check_ba_block(cam: &[f64], x: &[f64], w: f64, feat: &[f64]) {
    let (value, block) = ba::reproj_error_jacobian(cam, x, w, feat);
    assert_eq!(value, ba::reproj_error(cam, x, w, feat));
    assert_eq!(block.len(), 2);
    assert!(block.iter().all(|row| row.len() == ba::BLOCK));
    let z: Vec<f64> = [cam, x, &[w]].concat();
    let split = |z: &[Dual64]| reproj_error_dual(&z[..11], &z[11..14], z[14], feat);
    let exact = dual_jacobian(split, &z);
    let split = |z: &[f64]| ba::reproj_error(&z[..11], &z[11..14], z[14], feat).to_vec();
    let differences = difference_jacobian(split, &z);
    for i in 0..2 {
        assert_close(&format!("row {i} vs dual"), &block[i], &exact[i], 1e-12);
        assert_close(
            &format!("row {i} vs differences"),
            &block[i],
            &differences[i],
            1e-6,
        );
    }
    // A sign error in the largest entry of a row is caught at both tolerances.
    let j = (0..ba::BLOCK)
        .max_by(|&a, &b| block[0][a].abs().total_cmp(&block[0][b].abs()))
        .unwrap();
    let mut wrong = block[0].clone();
    wrong[j] = -wrong[j];
    for want in [&exact[0], &differences[0]] {
        let caught = std::panic::catch_unwind(|| assert_close("", &wrong, want, 1e-6));
        assert!(caught.is_err(), "a flipped sign goes unnoticed");
    }
    // vjp with each unit seed gives the same rows.
    for (i, seed) in [[1.0, 0.0], [0.0, 1.0]].iter().enumerate() {
        let (_, d_cam, d_x, d_w) = ba::reproj_error_vjp(cam, x, w, feat, seed);
        assert_eq!([d_cam, d_x, vec![d_w]].concat(), block[i]);
    }
}

#[test]
fn ba_block_matches_dual_numbers_and_differences() {
    for name in [
        "test_n2_m10_p10",
        "ba1_n49_m7776_p31843",
        "ba2_n21_m11315_p36455",
    ] {
        let (cam, x, w, feat) = ba_case(name);
        check_ba_block(&cam, &x, w, &feat);
    }
}

#[test]
fn ba_block_at_zero_rotation_takes_the_small_angle_branch() {
    // At r = 0 the rotation is pt + r × pt, whose derivative in r is −[pt]×, the
    // same as Rodrigues' at 0: the columns of r hold the cross-product matrix.
    let (mut cam, x, w, feat) = ba_case("ba1_n49_m7776_p31843");
    cam[..3].fill(0.0);
    check_ba_block(&cam, &x, w, &feat);
    // And near 0, on the other branch, the Jacobian is continuous with it.
    let (_, at_zero) = ba::reproj_error_jacobian(&cam, &x, w, &feat);
    cam[..3].copy_from_slice(&[1e-7, -2e-7, 1.5e-7]);
    let (_, near_zero) = ba::reproj_error_jacobian(&cam, &x, w, &feat);
    for i in 0..2 {
        assert_close(&format!("row {i} near 0"), &near_zero[i], &at_zero[i], 1e-5);
    }
}

#[test]
fn ba_objective_and_jacobian_match_manual() {
    let input = read_json("ba/test_n2_m10_p10.input.json");
    let problem = ba::Problem::decode(&input).unwrap();
    let residuals = problem.objective();
    // manual's objective output for this case.
    let want = read_json("ba/test_n2_m10_p10.objective.output.json");
    let elements: Vec<f64> = want["reproj_error"]["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_close("reproj_error", &residuals.reproj[..2], &elements, 1e-12);
    assert_close(
        "reproj_error",
        &elements,
        &[-0.26904884923523686, 0.2599447926779137],
        0.0,
    );
    assert_eq!(residuals.reproj.len(), 20);
    assert_close(
        "w_err",
        &residuals.w_err,
        &[1.0 - 0.417022 * 0.417022; 10],
        0.0,
    );

    // p = 10: GradBench's excerpt (the first 30 entries and the last) is the whole
    // `rows` array, and the first two rows and the last of `cols` and `vals`.
    let jacobian = problem.jacobian();
    let want = read_json("ba/test_n2_m10_p10.jacobian.output.json");
    let ints = |key: &str| -> Vec<u32> {
        want[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u32)
            .collect()
    };
    assert_eq!(jacobian.rows, ints("rows"));
    assert_eq!(jacobian.cols[..30], ints("cols")[..30]);
    assert_eq!(jacobian.cols.last(), ints("cols").last());
    let vals: Vec<f64> = want["vals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_close("vals", &jacobian.vals[..30], &vals[..30], 1e-12);
    assert_eq!(jacobian.vals.last(), Some(&(-2.0 * 0.417022)));
    assert_eq!(jacobian.vals.len(), 2 * 15 * 10 + 10);
}

#[test]
fn ba_jacobian_is_the_same_by_adjoint_vjp_jacobian_and_jvp() {
    let input = read_json("ba/test_n2_m10_p10.input.json");
    let mut problem = ba::Problem::decode(&input).unwrap();
    // Different cameras, points and weights, so that a block in the wrong place shows.
    for (k, v) in problem.cams.iter_mut().enumerate() {
        *v *= 1.0 + 0.01 * k as f64;
    }
    for (k, v) in problem.xs.iter_mut().enumerate() {
        *v += 0.1 * k as f64;
    }
    for (k, v) in problem.ws.iter_mut().enumerate() {
        *v += 0.05 * k as f64;
    }
    let by_adjoint = problem.jacobian();
    for other in [problem.jacobian_by_rows(), problem.jacobian_by_vjp()] {
        assert_eq!(other.rows, by_adjoint.rows);
        assert_eq!(other.cols, by_adjoint.cols);
        assert_eq!(other.vals, by_adjoint.vals);
    }
    // Forward sweeps, one per column: the same up to rounding.
    let by_jvp = problem.jacobian_by_jvp();
    assert_eq!(
        (&by_jvp.rows, &by_jvp.cols),
        (&by_adjoint.rows, &by_adjoint.cols)
    );
    assert_close("forward sweeps", &by_jvp.vals, &by_adjoint.vals, 1e-13);
    // Each block against dual numbers at its own camera, point and weight.
    for i in 0..problem.p {
        let (c, x) = (i % problem.n, i % problem.m);
        let cam = &problem.cams[11 * c..11 * c + 11];
        let point = &problem.xs[3 * x..3 * x + 3];
        let feat = &problem.feats[2 * i..2 * i + 2];
        let z: Vec<f64> = [cam, point, &[problem.ws[i]]].concat();
        let f = |z: &[Dual64]| reproj_error_dual(&z[..11], &z[11..14], z[14], feat);
        let exact = dual_jacobian(f, &z);
        for r in 0..2 {
            let row = 2 * i + r;
            let range = by_adjoint.rows[row] as usize..by_adjoint.rows[row + 1] as usize;
            assert_close(
                &format!("block {i} row {r}"),
                &by_adjoint.vals[range],
                &exact[r],
                1e-12,
            );
        }
    }
}

// ---------------------------------------------------------------- ht

fn ht_problem() -> ht::Problem {
    ht::Problem::decode(&read_json("ht/simple_small_hand1_t26_c100.input.json")).unwrap()
}

fn matrix(value: &Value) -> Vec<Vec<f64>> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect()
        })
        .collect()
}

#[test]
fn ht_objective_and_jacobian_match_manuals_hand_derived_ones() {
    // manual's ht Jacobian is ADBench's hand-derived one (tools/manual/ht_d.cpp).
    let problem = ht_problem();
    let objective = problem.objective();
    let want: Vec<f64> = read_json("ht/simple_small_hand1_t26_c100.objective.output.json")
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_close("objective", &objective, &want, 1e-12);
    let (value, jacobian) = problem.jacobian();
    assert_eq!(value, objective);
    let want = matrix(&read_json(
        "ht/simple_small_hand1_t26_c100.jacobian.output.json",
    ));
    assert_eq!((jacobian.len(), want.len()), (300, 300));
    for (i, (got, want)) in jacobian.iter().zip(&want).enumerate() {
        assert_close(&format!("row {i}"), got, want, 1e-11);
    }
}

#[test]
fn ht_jacobian_matches_differences_and_reverse_sweeps() {
    let problem = ht_problem();
    let (_, jacobian) = problem.jacobian();
    let f = |theta: &[f64]| {
        ht::hand_objective(
            theta,
            &problem.model,
            &problem.correspondences,
            &problem.points,
        )
    };
    let differences = difference_jacobian(f, &problem.theta);
    for (i, (got, want)) in jacobian.iter().zip(&differences).enumerate() {
        assert_close(&format!("row {i} vs differences"), got, want, 1e-5);
    }
    // A sign error in a column is caught.
    let j = (0..ht::THETA)
        .max_by(|&a, &b| jacobian[0][a].abs().total_cmp(&jacobian[0][b].abs()))
        .unwrap();
    let mut wrong = jacobian[0].clone();
    wrong[j] = -wrong[j];
    let caught = std::panic::catch_unwind(|| assert_close("", &wrong, &differences[0], 1e-5));
    assert!(caught.is_err(), "a flipped sign goes unnoticed");

    // The reverse sweep of the same function agrees: seedᵀ·J for a seed that is not
    // all ones, and rows by unit seeds.
    let seed: Vec<f64> = (0..300)
        .map(|i| ((i * 37 % 101) as f64 - 50.0) / 50.0)
        .collect();
    let (_, vjp) = ht::hand_objective_vjp(
        &problem.theta,
        &problem.model,
        &problem.correspondences,
        &problem.points,
        &seed,
    );
    let by_rows: Vec<f64> = (0..ht::THETA)
        .map(|j| (0..300).map(|i| seed[i] * jacobian[i][j]).sum())
        .collect();
    assert_close("seedᵀ·J", &vjp, &by_rows, 1e-12);
    for i in [0, 1, 2, 151, 299] {
        let mut unit = vec![0.0; 300];
        unit[i] = 1.0;
        let (_, row) = ht::hand_objective_vjp(
            &problem.theta,
            &problem.model,
            &problem.correspondences,
            &problem.points,
            &unit,
        );
        assert_close(
            &format!("row {i} by a reverse sweep"),
            &row,
            &jacobian[i],
            1e-12,
        );
    }
    // And J·t from one forward sweep.
    let t: Vec<f64> = (0..ht::THETA).map(|j| 0.1 * j as f64 - 1.0).collect();
    let (_, jt) = ht::hand_objective_jvp(
        &problem.theta,
        &problem.model,
        &problem.correspondences,
        &problem.points,
        &t,
    );
    let by_columns: Vec<f64> = jacobian
        .iter()
        .map(|row| row.iter().zip(&t).map(|(a, b)| a * b).sum())
        .collect();
    assert_close("J·t", &jt, &by_columns, 1e-12);
}

#[test]
fn ht_global_rotation_below_its_threshold_is_the_identity() {
    // ‖θ₀..₂‖ < 10⁻⁴: no global rotation, so ∂r/∂θ₀..₂ = 0 and ∂r/∂θ₃..₅ = −I.
    let mut problem = ht_problem();
    problem.theta[..3].copy_from_slice(&[5e-5, 0.0, -5e-5]);
    let (_, jacobian) = problem.jacobian();
    for (i, row) in jacobian.iter().enumerate() {
        assert_eq!(row[..3], [0.0; 3], "row {i}");
        let mut translation = [0.0; 3];
        translation[i % 3] = -1.0;
        assert_eq!(row[3..6], translation, "row {i}");
    }
}

#[test]
fn ht_complicated_variant_matches_manual_and_differences() {
    let problem =
        ht::Problem::decode(&read_json("ht/complicated_small_hand1_t26_c100.input.json")).unwrap();
    assert!(problem.complicated());
    let objective = problem.objective();
    let want: Vec<f64> = read_json("ht/complicated_small_hand1_t26_c100.objective.output.json")
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_close("objective", &objective, &want, 1e-12);
    let (value, jacobian) = problem.jacobian();
    assert_eq!(value, objective);
    let want = matrix(&read_json(
        "ht/complicated_small_hand1_t26_c100.jacobian.output.json",
    ));
    assert_eq!((jacobian.len(), want.len()), (300, 300));
    for (i, (got, want)) in jacobian.iter().zip(&want).enumerate() {
        assert_eq!(got.len(), 28);
        assert_close(&format!("row {i}"), got, want, 1e-11);
    }

    // GradBench's 28 columns by differences: u (all points' at once: row i depends
    // on its own only), v, then θ.
    let f = |z: &[f64]| {
        let mut us = problem.us.clone();
        for (k, u) in us.iter_mut().enumerate() {
            *u += z[k % 2];
        }
        ht::hand_objective_complicated(
            &z[2..],
            &us,
            &problem.model,
            &problem.correspondences,
            &problem.points,
        )
    };
    let z: Vec<f64> = [&[0.0, 0.0][..], &problem.theta].concat();
    let differences = difference_jacobian(f, &z);
    for (i, (got, want)) in jacobian.iter().zip(&differences).enumerate() {
        assert_close(&format!("row {i} vs differences"), got, want, 1e-5);
    }

    // A reverse sweep seeded with row i's unit vector puts ∂r_i/∂u_i and ∂r_i/∂v_i
    // in the slots of point i / 3 and nowhere else in `us`.
    for i in [0, 1, 2, 152, 299] {
        let mut seed = vec![0.0; 300];
        seed[i] = 1.0;
        let (_, d_theta, d_us) = ht::hand_objective_complicated_vjp(
            &problem.theta,
            &problem.us,
            &problem.model,
            &problem.correspondences,
            &problem.points,
            &seed,
        );
        assert_close(&format!("row {i}, θ"), &d_theta, &jacobian[i][2..], 1e-12);
        let point = i / 3;
        for (k, d) in d_us.iter().enumerate() {
            match k / 2 == point {
                true => assert_close(
                    &format!("row {i}, us[{k}]"),
                    &[*d],
                    &[jacobian[i][k % 2]],
                    1e-12,
                ),
                false => assert_eq!(*d, 0.0, "row {i}, us[{k}]"),
            }
        }
    }
}
