//! `ba`: bundle adjustment (EVALS.md §9, ADBench's objective): per observation, two
//! reprojection residuals of a point seen by a camera, and one weight residual.
//!
//! The Jacobian is sparse: each observation's two residual rows depend on its
//! camera's 11 parameters, its point's 3 coordinates and its weight, 15 columns.
//! [`reproj_error`] is one `#[differentiate]` vector-valued function per
//! observation, and its 2 × 15 block comes from two reverse sweeps of
//! `reproj_error_adjoint` into buffers reused across observations (see
//! [`Problem::jacobian`] for why not `reproj_error_jacobian`). The weight rows
//! `1 − w²` have the single entry `−2w`. The blocks are assembled in GradBench's
//! CSR layout, of which the output carries an excerpt.

use ad::differentiate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::runs::{Evaluation, Runs};

/// Parameters per camera: Rodrigues rotation r (3), centre C (3), focal length f,
/// principal point (u₀, v₀), radial distortion (k₁, k₂).
pub const CAM: usize = 11;
/// Nonzeros of a reprojection row: the camera's 11 columns, the point's 3, the weight.
pub const BLOCK: usize = CAM + 3 + 1;

/// The two weighted reprojection residuals `w·(proj − feat)` of the point `x` seen by
/// the camera `cam` (GradBench's `computeReprojError`): the point in the camera's
/// frame `R(r)·(x − C)` by Rodrigues' formula, its perspective division, the radial
/// distortion `1 + k₁ρ² + k₂ρ⁴`, then the focal length and principal point.
#[differentiate(wrt(cam, x, w), forward)]
pub fn reproj_error(cam: &[f64], x: &[f64], w: f64, feat: &[f64]) -> [f64; 2] {
    let pt = [x[0] - cam[3], x[1] - cam[4], x[2] - cam[5]];
    let (r0, r1, r2) = (cam[0], cam[1], cam[2]);
    let sqtheta = r0 * r0 + r1 * r1 + r2 * r2;
    // Rodrigues: pt·cos θ + (ω × pt)·sin θ + ω(ω·pt)(1 − cos θ), ω = r/θ; at θ = 0
    // its first-order form pt + r × pt, which has the same derivative there.
    let rotated = if sqtheta != 0.0 {
        let theta = sqtheta.sqrt();
        let (sin, cos) = (theta.sin(), theta.cos());
        let inv = 1.0 / theta;
        let (w0, w1, w2) = (r0 * inv, r1 * inv, r2 * inv);
        let cross = [
            w1 * pt[2] - w2 * pt[1],
            w2 * pt[0] - w0 * pt[2],
            w0 * pt[1] - w1 * pt[0],
        ];
        let tmp = (w0 * pt[0] + w1 * pt[1] + w2 * pt[2]) * (1.0 - cos);
        [
            pt[0] * cos + cross[0] * sin + w0 * tmp,
            pt[1] * cos + cross[1] * sin + w1 * tmp,
            pt[2] * cos + cross[2] * sin + w2 * tmp,
        ]
    } else {
        [
            pt[0] + (r1 * pt[2] - r2 * pt[1]),
            pt[1] + (r2 * pt[0] - r0 * pt[2]),
            pt[2] + (r0 * pt[1] - r1 * pt[0]),
        ]
    };
    let p0 = rotated[0] / rotated[2];
    let p1 = rotated[1] / rotated[2];
    let rsq = p0 * p0 + p1 * p1;
    let distortion = 1.0 + cam[9] * rsq + cam[10] * rsq * rsq;
    let proj0 = p0 * distortion * cam[6] + cam[7];
    let proj1 = p1 * distortion * cam[6] + cam[8];
    [w * (proj0 - feat[0]), w * (proj1 - feat[1])]
}

/// The weight residual `1 − w²` of an observation; its derivative is `−2w`.
pub fn w_error(w: f64) -> f64 {
    1.0 - w * w
}

#[derive(Deserialize)]
struct Input {
    n: usize,
    m: usize,
    p: usize,
    cam: Vec<f64>,
    x: Vec<f64>,
    w: f64,
    feat: Vec<f64>,
}

/// A decoded ba input with its copies materialised, as GradBench requires: `n`
/// cameras, `m` points, `p` weights and features; observation `i` sees point `i mod m`
/// from camera `i mod n`.
pub struct Problem {
    /// Number of cameras.
    pub n: usize,
    /// Number of points.
    pub m: usize,
    /// Number of observations.
    pub p: usize,
    /// `n × 11` camera parameters, row-major.
    pub cams: Vec<f64>,
    /// `m × 3` points, row-major.
    pub xs: Vec<f64>,
    /// One weight per observation.
    pub ws: Vec<f64>,
    /// `p × 2` observed features, row-major.
    pub feats: Vec<f64>,
    /// `p × 2` (camera, point) indices, row-major.
    pub obs: Vec<usize>,
}

/// The residuals: `2p` reprojection errors, then `p` weight errors.
pub struct Residuals {
    /// `reproj[2i..2i + 2]` belongs to observation `i`.
    pub reproj: Vec<f64>,
    /// `w_err[i]` belongs to observation `i`.
    pub w_err: Vec<f64>,
}

/// The `(3p) × (11n + 3m + p)` Jacobian in compressed sparse rows: row `r` has
/// the columns `cols[rows[r]..rows[r + 1]]` with the values at the same indices of
/// `vals`. The `2p` reprojection rows come first, 15 entries each (camera, point,
/// weight columns, in that order), then the `p` weight rows, one entry each.
/// Indices are `u32`, as GradBench's `int`s (`Problem::decode` checks they fit):
/// with `usize` the three arrays of ba1 took 17 rather than 13 MB and the whole
/// Jacobian took twice as long (13.8 against 6.4 ms), most likely page faults on
/// every run, the freed memory having gone back to the system.
pub struct SparseJacobian {
    /// Row pointers, `3p + 1` of them.
    pub rows: Vec<u32>,
    /// Column of each nonzero.
    pub cols: Vec<u32>,
    /// Value of each nonzero.
    pub vals: Vec<f64>,
}

impl Problem {
    /// Decodes an input and materialises its copies.
    pub fn decode(input: &Value) -> Result<Problem, String> {
        let Input {
            n,
            m,
            p,
            cam,
            x,
            w,
            feat,
        } = super::decode(input)?;
        super::require(cam.len() == CAM, || {
            format!("`cam` has {} entries, expected {CAM}", cam.len())
        })?;
        super::require(x.len() == 3, || {
            format!("`x` has {} entries, expected 3", x.len())
        })?;
        super::require(feat.len() == 2, || {
            format!("`feat` has {} entries, expected 2", feat.len())
        })?;
        super::require(n >= 1 && m >= 1 && p >= 1, || {
            format!("n = {n}, m = {m}, p = {p}: each must be at least 1")
        })?;
        // Row pointers and columns are u32 (GradBench's are C++ `int`s).
        let fits = |k: Option<usize>| k.is_some_and(|k| k < i32::MAX as usize);
        let columns = (CAM.checked_mul(n))
            .and_then(|c| c.checked_add(m.checked_mul(3)?))
            .and_then(|c| c.checked_add(p));
        super::require(fits(columns) && fits(p.checked_mul(2 * BLOCK + 1)), || {
            format!("n = {n}, m = {m}, p = {p}: the Jacobian's indices exceed 32 bits")
        })?;
        Ok(Problem {
            n,
            m,
            p,
            cams: cam.repeat(n),
            xs: x.repeat(m),
            ws: vec![w; p],
            feats: feat.repeat(p),
            obs: (0..p).flat_map(|i| [i % n, i % m]).collect(),
        })
    }

    /// Camera, point, weight and feature of observation `i`.
    fn observation(&self, i: usize) -> (&[f64], &[f64], f64, &[f64]) {
        let (c, x) = (self.obs[2 * i], self.obs[2 * i + 1]);
        (
            &self.cams[CAM * c..CAM * (c + 1)],
            &self.xs[3 * x..3 * (x + 1)],
            self.ws[i],
            &self.feats[2 * i..2 * i + 2],
        )
    }

    /// All residuals.
    pub fn objective(&self) -> Residuals {
        let mut reproj = Vec::with_capacity(2 * self.p);
        for i in 0..self.p {
            let (cam, x, w, feat) = self.observation(i);
            reproj.extend(reproj_error(cam, x, w, feat));
        }
        Residuals {
            reproj,
            w_err: self.ws.iter().map(|&w| w_error(w)).collect(),
        }
    }

    /// The Jacobian. Each observation's block is two reverse sweeps of
    /// `reproj_error_adjoint`, seeded with e₀ and e₁, into the same three buffers for
    /// every observation: `reproj_error_jacobian` gives the same numbers (the tests
    /// check it) but allocates its rows, seed and buffers on every call, which made
    /// the whole Jacobian about 1.5 times slower (`cargo bench -p gradbench-tool`).
    pub fn jacobian(&self) -> SparseJacobian {
        let (n, m, p) = (self.n, self.m, self.p);
        let nnz = 2 * BLOCK * p + p;
        let mut rows = Vec::with_capacity(3 * p + 1);
        let mut cols = Vec::with_capacity(nnz);
        let mut vals = Vec::with_capacity(nnz);
        rows.push(0);
        let (mut d_cam, mut d_x) = ([0.0; CAM], [0.0; 3]);
        for i in 0..p {
            let (cam, x, w, feat) = self.observation(i);
            let (c, pt) = (self.obs[2 * i], self.obs[2 * i + 1]);
            for seed in [[1.0, 0.0], [0.0, 1.0]] {
                d_cam.fill(0.0);
                d_x.fill(0.0);
                let mut d_w = 0.0;
                let _ =
                    reproj_error_adjoint(cam, x, w, feat, &seed, &mut d_cam, &mut d_x, &mut d_w);
                cols.extend(index(CAM * c..CAM * (c + 1)));
                cols.extend(index(CAM * n + 3 * pt..CAM * n + 3 * (pt + 1)));
                cols.extend(index(CAM * n + 3 * m + i..CAM * n + 3 * m + i + 1));
                vals.extend_from_slice(&d_cam);
                vals.extend_from_slice(&d_x);
                vals.push(d_w);
                rows.push(cols.len() as u32);
            }
        }
        for (i, &w) in self.ws.iter().enumerate() {
            cols.push((CAM * n + 3 * m + i) as u32);
            vals.push(-2.0 * w);
            rows.push(cols.len() as u32);
        }
        SparseJacobian { rows, cols, vals }
    }

    /// The Jacobian as [`Problem::jacobian`] computes it, but each block from
    /// `reproj_error_jacobian` (for the tests and the benchmark).
    pub fn jacobian_by_rows(&self) -> SparseJacobian {
        self.assemble(|cam, x, w, feat| {
            let (_, block) = reproj_error_jacobian(cam, x, w, feat);
            [block[0].clone(), block[1].clone()]
        })
    }

    /// The Jacobian with each block from two calls of `reproj_error_vjp` (for the
    /// tests and the benchmark).
    pub fn jacobian_by_vjp(&self) -> SparseJacobian {
        self.assemble(|cam, x, w, feat| {
            [[1.0, 0.0], [0.0, 1.0]].map(|seed| {
                let (_, d_cam, d_x, d_w) = reproj_error_vjp(cam, x, w, feat, &seed);
                [d_cam, d_x, vec![d_w]].concat()
            })
        })
    }

    /// The Jacobian with each block from 15 forward sweeps of `reproj_error_jvp`,
    /// one per input column: the mode `reproj_error_jacobian` does not choose here,
    /// 15 inputs against 2 outputs (for the tests and the benchmark).
    pub fn jacobian_by_jvp(&self) -> SparseJacobian {
        self.assemble(|cam, x, w, feat| {
            let mut rows = [vec![0.0; BLOCK], vec![0.0; BLOCK]];
            let (mut t_cam, mut t_x) = ([0.0; CAM], [0.0; 3]);
            for j in 0..BLOCK {
                t_cam.fill(0.0);
                t_x.fill(0.0);
                let mut t_w = 0.0;
                match j {
                    0..CAM => t_cam[j] = 1.0,
                    CAM..14 => t_x[j - CAM] = 1.0,
                    _ => t_w = 1.0,
                }
                let (_, column) = reproj_error_jvp(cam, x, w, feat, &t_cam, &t_x, t_w);
                rows[0][j] = column[0];
                rows[1][j] = column[1];
            }
            rows
        })
    }

    fn assemble(
        &self,
        block: impl Fn(&[f64], &[f64], f64, &[f64]) -> [Vec<f64>; 2],
    ) -> SparseJacobian {
        let (n, m, p) = (self.n, self.m, self.p);
        let nnz = 2 * BLOCK * p + p;
        let mut jacobian = SparseJacobian {
            rows: Vec::with_capacity(3 * p + 1),
            cols: Vec::with_capacity(nnz),
            vals: Vec::with_capacity(nnz),
        };
        jacobian.rows.push(0);
        for i in 0..p {
            let (cam, x, w, feat) = self.observation(i);
            let (c, pt) = (self.obs[2 * i], self.obs[2 * i + 1]);
            for row in block(cam, x, w, feat) {
                jacobian.cols.extend(index(CAM * c..CAM * (c + 1)));
                let point = CAM * n + 3 * pt;
                jacobian.cols.extend(index(point..point + 3));
                jacobian.cols.push((CAM * n + 3 * m + i) as u32);
                jacobian.vals.extend(row);
                jacobian.rows.push(jacobian.cols.len() as u32);
            }
        }
        for (i, &w) in self.ws.iter().enumerate() {
            jacobian.cols.push((CAM * n + 3 * m + i) as u32);
            jacobian.vals.push(-2.0 * w);
            jacobian.rows.push(jacobian.cols.len() as u32);
        }
        jacobian
    }
}

/// A range of indices as GradBench's `u32`s (they fit: `Problem::decode`).
fn index(range: std::ops::Range<usize>) -> impl Iterator<Item = u32> {
    range.map(|k| k as u32)
}

/// manual's `objective` output: observation 0's residuals and how many there are.
#[derive(Serialize)]
struct ObjectiveOutput {
    reproj_error: Repeated2,
    w_err: Repeated1,
}

#[derive(Serialize)]
struct Repeated2 {
    elements: [f64; 2],
    repeated: usize,
}

#[derive(Serialize)]
struct Repeated1 {
    element: f64,
    repeated: usize,
}

/// The excerpt of a CSR array GradBench transmits: its first 30 entries and its last.
fn excerpt<T: Copy>(all: &[T]) -> Vec<T> {
    let head = all.len().min(2 * BLOCK);
    let mut out = all[..head].to_vec();
    out.extend(all.last());
    out
}

#[derive(Serialize)]
struct JacobianOutput {
    rows: Vec<u32>,
    cols: Vec<u32>,
    vals: Vec<f64>,
}

/// `objective` or `jacobian`.
pub fn evaluate(function: &str, input: &Value) -> Evaluation {
    let runs = Runs::from_input(input)?;
    let problem = Problem::decode(input)?;
    match function {
        "objective" => runs
            .time(|| problem.objective())
            .encode(|r| ObjectiveOutput {
                reproj_error: Repeated2 {
                    elements: [r.reproj[0], r.reproj[1]],
                    repeated: r.reproj.len() / 2,
                },
                w_err: Repeated1 {
                    element: r.w_err[0],
                    repeated: r.w_err.len(),
                },
            }),
        "jacobian" => runs.time(|| problem.jacobian()).encode(|j| JacobianOutput {
            rows: excerpt(&j.rows),
            cols: excerpt(&j.cols),
            vals: excerpt(&j.vals),
        }),
        _ => super::unknown_function("ba", function),
    }
}
