//! `ht`: hand tracking (EVALS.md §9, ADBench's objective as GradBench's `ht.hpp`
//! computes it): a skinned hand model posed by 26 parameters, and the residuals
//! between observed points and the model's vertices they correspond to.
//!
//! The Jacobian is tall and dense: 3 residuals per point, thousands of rows, against
//! 26 columns. [`hand_objective`] is a `#[differentiate(forward)]` vector-valued
//! function, so `hand_objective_jacobian` takes one forward sweep per column (26)
//! instead of one reverse sweep per row.
//!
//! In the "complicated" variant (`us` not empty) each residual is taken against a
//! point of a triangle, `u·V₀ + v·V₁ + (1−u−v)·V₂`, and the Jacobian gains the two
//! columns of that point's own `(u, v)`: [`hand_objective_complicated`], with the
//! Jacobian by 28 forward sweeps ([`Problem::jacobian_complicated`]). Both call
//! [`hand_vertices`], the posed model, a vector-valued `#[differentiate]` function.

use ad::differentiate;
use serde::Deserialize;
use serde_json::Value;

use super::Matrix;
use crate::runs::{Evaluation, Runs};

/// Pose parameters: global rotation (3), global translation (3), then four angles
/// per finger (two at its first joint, one at each of the other two).
pub const THETA: usize = 26;

/// The hand model, flattened row-major (every 4 × 4 matrix as 16 numbers).
pub struct Model {
    /// Each bone's parent, `-1` for a root; parents come before their children.
    pub parents: Vec<i64>,
    /// Each bone's transform relative to its parent in the rest pose (16 per bone).
    pub base_relatives: Vec<f64>,
    /// The inverse of each bone's absolute transform in the rest pose (16 per bone).
    pub inverse_base_absolutes: Vec<f64>,
    /// Rest positions of the vertices, homogeneous (4 per vertex).
    pub base_positions: Vec<f64>,
    /// Skinning weights, one row per vertex, one column per bone.
    pub weights: Vec<f64>,
    /// Whether the model is mirrored (its x coordinates negated).
    pub is_mirrored: bool,
    /// The vertices of each triangle, 3 per triangle (the complicated variant's).
    pub triangles: Vec<usize>,
}

/// Every vertex of the hand posed by `theta`, 3 coordinates each (ht.hpp's
/// `get_skinned_vertex_positions` with the global transform):
/// 1. per bone, the rotation of its Euler angles (x, z, y) as `Rz·Ry·Rx`, after its
///    rest transform relative to its parent, chained from the root to absolute
///    transforms, then composed with the inverse rest transform;
/// 2. every vertex skinned: the weighted sum over bones of its rest position moved by
///    the bone's transform (linear blend skinning);
/// 3. the global rotation (angle-axis, the identity below a norm of 10⁻⁴) and
///    translation.
#[differentiate(wrt(theta), forward)]
#[allow(clippy::needless_range_loop)]
pub fn hand_vertices(theta: &[f64], model: &Model) -> Vec<f64> {
    let bones = model.parents.len();
    let verts = model.base_positions.len() / 4;

    // Pose parameters (ht.hpp's `to_pose_params`): three per column, column 3 + b
    // holding bone b's Euler angles; fingers f = 0..5 move bones 2 + 4f, 3 + 4f and
    // 4 + 4f, the first about two axes. The wrist, each finger's first bone and the
    // forearm stay at rest.
    let mut pose = vec![0.0; 3 * (bones + 3)];
    for f in 0..5 {
        let (t, col) = (6 + 4 * f, 5 + 4 * f);
        pose[3 * col] = theta[t];
        pose[3 * col + 1] = theta[t + 1];
        pose[3 * (col + 1)] = theta[t + 2];
        pose[3 * (col + 2)] = theta[t + 3];
    }

    // Each bone's transform from the rest pose to the posed one.
    let mut absolutes = vec![0.0; 16 * bones];
    let mut transforms = vec![0.0; 16 * bones];
    for b in 0..bones {
        let col = 3 * (b + 3);
        let (sx, cx) = (pose[col].sin(), pose[col].cos());
        let (sz, cz) = (pose[col + 1].sin(), pose[col + 1].cos());
        let (sy, cy) = (pose[col + 2].sin(), pose[col + 2].cos());
        let rot = [
            cz * cy,
            cz * sy * sx - sz * cx,
            cz * sy * cx + sz * sx,
            sz * cy,
            sz * sy * sx + cz * cx,
            sz * sy * cx - cz * sx,
            -sy,
            cy * sx,
            cy * cx,
        ];
        // relative = base_relative · [rot 0; 0 1]
        let mut relative = [0.0; 16];
        for r in 0..4 {
            for c in 0..3 {
                let mut s = 0.0;
                for k in 0..3 {
                    s += model.base_relatives[16 * b + 4 * r + k] * rot[3 * k + c];
                }
                relative[4 * r + c] = s;
            }
            relative[4 * r + 3] = model.base_relatives[16 * b + 4 * r + 3];
        }
        // absolute = parent's absolute · relative
        let parent = model.parents[b];
        for r in 0..4 {
            for c in 0..4 {
                if parent < 0 {
                    absolutes[16 * b + 4 * r + c] = relative[4 * r + c];
                } else {
                    let p = parent as usize;
                    let mut s = 0.0;
                    for k in 0..4 {
                        s += absolutes[16 * p + 4 * r + k] * relative[4 * k + c];
                    }
                    absolutes[16 * b + 4 * r + c] = s;
                }
            }
        }
        // transform = absolute · inverse_base_absolute
        for r in 0..4 {
            for c in 0..4 {
                let mut s = 0.0;
                for k in 0..4 {
                    s += absolutes[16 * b + 4 * r + k]
                        * model.inverse_base_absolutes[16 * b + 4 * k + c];
                }
                transforms[16 * b + 4 * r + c] = s;
            }
        }
    }

    // Linear blend skinning.
    let mut positions = vec![0.0; 3 * verts];
    for b in 0..bones {
        for v in 0..verts {
            let weight = model.weights[bones * v + b];
            for r in 0..3 {
                let mut s = 0.0;
                for k in 0..4 {
                    s += transforms[16 * b + 4 * r + k] * model.base_positions[4 * v + k];
                }
                positions[3 * v + r] += s * weight;
            }
        }
    }
    if model.is_mirrored {
        for v in 0..verts {
            positions[3 * v] = -positions[3 * v];
        }
    }

    // The global rotation, angle-axis (ht.hpp's `angle_axis_to_rotation_matrix`).
    let norm = (theta[0] * theta[0] + theta[1] * theta[1] + theta[2] * theta[2]).sqrt();
    let rot = if norm < 1e-4 {
        [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    } else {
        let (x, y, z) = (theta[0] / norm, theta[1] / norm, theta[2] / norm);
        let (s, c) = (norm.sin(), norm.cos());
        [
            x * x + (1.0 - x * x) * c,
            x * y * (1.0 - c) - z * s,
            x * z * (1.0 - c) + y * s,
            x * y * (1.0 - c) + z * s,
            y * y + (1.0 - y * y) * c,
            y * z * (1.0 - c) - x * s,
            x * z * (1.0 - c) - y * s,
            z * y * (1.0 - c) + x * s,
            z * z + (1.0 - z * z) * c,
        ]
    };

    // The global rotation and translation (the scale column of the pose parameters
    // is all ones).
    let mut posed = vec![0.0; 3 * verts];
    for v in 0..verts {
        for j in 0..3 {
            let mut s = 0.0;
            for k in 0..3 {
                s += rot[3 * j + k] * positions[3 * v + k];
            }
            posed[3 * v + j] = s + theta[3 + j];
        }
    }
    posed
}

/// The residuals `points[i] − vertex[correspondences[i]]` of the hand posed by
/// `theta` (ht.hpp's simple `objective`), 3 per point.
#[differentiate(wrt(theta), forward)]
#[allow(clippy::needless_range_loop)]
pub fn hand_objective(
    theta: &[f64],
    model: &Model,
    correspondences: &[usize],
    points: &[f64],
) -> Vec<f64> {
    let vertices: Vec<f64> = hand_vertices(theta, model);
    let mut err = vec![0.0; 3 * correspondences.len()];
    for i in 0..correspondences.len() {
        for j in 0..3 {
            err[3 * i + j] = points[3 * i + j] - vertices[3 * correspondences[i] + j];
        }
    }
    err
}

/// The residuals of the complicated variant (ht.hpp's `objective` with `us`): point
/// `i` against the point `u·V₀ + v·V₁ + (1 − u − v)·V₂` of triangle
/// `correspondences[i]`, with `(u, v) = us[2i], us[2i + 1]`.
#[differentiate(wrt(theta, us), forward)]
#[allow(clippy::needless_range_loop)]
pub fn hand_objective_complicated(
    theta: &[f64],
    us: &[f64],
    model: &Model,
    correspondences: &[usize],
    points: &[f64],
) -> Vec<f64> {
    let vertices: Vec<f64> = hand_vertices(theta, model);
    let triangles = &model.triangles;
    let mut err = vec![0.0; 3 * correspondences.len()];
    for i in 0..correspondences.len() {
        let t = 3 * correspondences[i];
        let (u, v) = (us[2 * i], us[2 * i + 1]);
        for j in 0..3 {
            let hand = u * vertices[3 * triangles[t] + j]
                + v * vertices[3 * triangles[t + 1] + j]
                + (1.0 - u - v) * vertices[3 * triangles[t + 2] + j];
            err[3 * i + j] = points[3 * i + j] - hand;
        }
    }
    err
}

#[derive(Deserialize)]
struct Input {
    theta: Vec<f64>,
    data: Data,
    us: Matrix,
}

#[derive(Deserialize)]
struct Data {
    model: ModelInput,
    correspondences: Vec<usize>,
    points: Matrix,
}

#[derive(Deserialize)]
struct ModelInput {
    parents: Vec<i64>,
    base_relatives: Vec<Matrix>,
    inverse_base_absolutes: Vec<Matrix>,
    base_positions: Matrix,
    weights: Matrix,
    triangles: Vec<Vec<usize>>,
    is_mirrored: bool,
}

/// A decoded ht input (simple variant).
pub struct Problem {
    /// The 26 pose parameters.
    pub theta: Vec<f64>,
    /// The hand model.
    pub model: Model,
    /// The vertex each point corresponds to.
    pub correspondences: Vec<usize>,
    /// The observed points, 3 per point.
    pub points: Vec<f64>,
    /// The complicated variant's `(u, v)` per point, 2 per point; empty in the simple
    /// variant.
    pub us: Vec<f64>,
}

impl Problem {
    /// Decodes an input and checks its shapes. The complicated variant (`us` not
    /// empty) is an error.
    pub fn decode(input: &Value) -> Result<Problem, String> {
        let Input { theta, data, us } = super::decode(input)?;
        super::require(theta.len() == THETA, || {
            format!("`theta` has {} entries, expected {THETA}", theta.len())
        })?;
        let m = data.model;
        let bones = m.parents.len();
        let verts = m.base_positions.rows();
        super::require(
            m.parents
                .iter()
                .enumerate()
                .all(|(b, &p)| p < b as i64 && p >= -1),
            || "every parent must be -1 or an earlier bone".into(),
        )?;
        super::require(bones + 3 >= 25, || {
            format!("{bones} bones, expected at least 22 (the fingers' bones)")
        })?;
        let matrices = |what: &str, list: &[Matrix]| -> Result<Vec<f64>, String> {
            super::require(list.len() == bones, || {
                format!("`{what}` has {} matrices, expected {bones}", list.len())
            })?;
            let mut flat = Vec::with_capacity(16 * bones);
            for matrix in list {
                flat.extend(matrix.flatten(what, 4, 4)?);
            }
            Ok(flat)
        };
        let correspondences = data.correspondences;
        let c = correspondences.len();
        let complicated = us.rows() != 0;
        // A correspondence is a vertex (simple) or a triangle (complicated).
        let targets = if complicated {
            m.triangles.len()
        } else {
            verts
        };
        super::require(correspondences.iter().all(|&v| v < targets), || {
            format!("a correspondence is not one of the {targets} vertices or triangles")
        })?;
        super::require(
            m.triangles
                .iter()
                .all(|t| t.len() == 3 && t.iter().all(|&v| v < verts)),
            || format!("a triangle is not 3 of the {verts} vertices"),
        )?;
        Ok(Problem {
            theta,
            model: Model {
                base_relatives: matrices("base_relatives", &m.base_relatives)?,
                inverse_base_absolutes: matrices(
                    "inverse_base_absolutes",
                    &m.inverse_base_absolutes,
                )?,
                base_positions: m.base_positions.flatten("base_positions", verts, 4)?,
                weights: m.weights.flatten("weights", verts, bones)?,
                parents: m.parents,
                is_mirrored: m.is_mirrored,
                triangles: m.triangles.concat(),
            },
            us: if complicated {
                us.flatten("us", c, 2)?
            } else {
                Vec::new()
            },
            points: data.points.flatten("points", c, 3)?,
            correspondences,
        })
    }

    /// Whether this is the complicated variant.
    pub fn complicated(&self) -> bool {
        !self.us.is_empty()
    }

    /// The residuals.
    pub fn objective(&self) -> Vec<f64> {
        let (theta, model, points) = (&self.theta, &self.model, &self.points);
        if self.complicated() {
            hand_objective_complicated(theta, &self.us, model, &self.correspondences, points)
        } else {
            hand_objective(theta, model, &self.correspondences, points)
        }
    }

    /// The residuals and their Jacobian, `3c` rows. Simple variant: 26 columns, from
    /// `hand_objective_jacobian` (26 forward sweeps). Complicated variant: 28, see
    /// [`Problem::jacobian_complicated`].
    pub fn jacobian(&self) -> (Vec<f64>, Vec<Vec<f64>>) {
        if self.complicated() {
            return self.jacobian_complicated();
        }
        hand_objective_jacobian(
            &self.theta,
            &self.model,
            &self.correspondences,
            &self.points,
        )
    }

    /// The complicated variant's Jacobian, GradBench's 28 columns: `∂/∂u` and `∂/∂v`
    /// of each point's own `(u, v)`, then the 26 of `theta`. Row `i` depends on
    /// `us[2i], us[2i + 1]` only, so one forward sweep with every `u` tangent 1 gives
    /// the `∂/∂u` column for all rows at once, and another the `∂/∂v` one: 28 sweeps
    /// of `hand_objective_complicated_jvp`, where `_jacobian` would take one per input
    /// (26 + 2c) and return a 3c × (26 + 2c) matrix of mostly zeros.
    pub fn jacobian_complicated(&self) -> (Vec<f64>, Vec<Vec<f64>>) {
        let c = self.correspondences.len();
        let (mut t_theta, mut t_us) = (vec![0.0; THETA], vec![0.0; 2 * c]);
        let mut rows = vec![vec![0.0; THETA + 2]; 3 * c];
        let mut value = Vec::new();
        for column in 0..THETA + 2 {
            t_theta.fill(0.0);
            t_us.fill(0.0);
            match column {
                0 | 1 => t_us
                    .iter_mut()
                    .skip(column)
                    .step_by(2)
                    .for_each(|t| *t = 1.0),
                _ => t_theta[column - 2] = 1.0,
            }
            let (v, tangent) = hand_objective_complicated_jvp(
                &self.theta,
                &self.us,
                &self.model,
                &self.correspondences,
                &self.points,
                &t_theta,
                &t_us,
            );
            for (row, t) in rows.iter_mut().zip(tangent) {
                row[column] = t;
            }
            value = v;
        }
        (value, rows)
    }

    /// The Jacobian by the mode `hand_objective_jacobian` does not choose here: one
    /// reverse sweep of `hand_objective_adjoint` per residual, with one seed and one
    /// buffer reused, as `_jacobian` would run them (for the tests and the benchmark).
    pub fn jacobian_by_reverse_sweeps(&self) -> Vec<Vec<f64>> {
        let outputs = 3 * self.correspondences.len();
        let mut seed = vec![0.0; outputs];
        let mut d_theta = vec![0.0; THETA];
        let mut rows = Vec::with_capacity(outputs);
        for i in 0..outputs {
            seed[i] = 1.0;
            d_theta.fill(0.0);
            let _ = hand_objective_adjoint(
                &self.theta,
                &self.model,
                &self.correspondences,
                &self.points,
                &seed,
                &mut d_theta,
            );
            seed[i] = 0.0;
            rows.push(d_theta.clone());
        }
        rows
    }
}

/// `objective` or `jacobian`.
pub fn evaluate(function: &str, input: &Value) -> Evaluation {
    let runs = Runs::from_input(input)?;
    let problem = Problem::decode(input)?;
    match function {
        "objective" => runs.time(|| problem.objective()).json(),
        "jacobian" => runs.time(|| problem.jacobian()).encode(|(_, j)| j),
        _ => super::unknown_function("ht", function),
    }
}
