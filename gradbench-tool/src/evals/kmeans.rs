//! `kmeans`: the k-means cost and its Newton direction (EVALS.md §9, GradBench's
//! `evals/kmeans/README.md`): `cost` = Σᵢ minⱼ ‖pᵢ − cⱼ‖², `dir` = J ⊘ diag(H) with
//! J and H the gradient and Hessian of the cost in the centroids.
//!
//! # Why one Hessian-vector product along the all-ones vector is the diagonal
//!
//! Away from ties, the nearest centroid a(i) of each point is locally constant, so
//! cost = Σᵢ Σₗ (p_il − c_{a(i)l})² and, with S_j the points nearest to c_j,
//!
//! - ∂cost/∂c_jl = 2 Σ_{i∈S_j} (c_jl − p_il), which only involves c_jl;
//! - ∂²cost/∂c_jl ∂c_j'l' = 2|S_j| δ_jj' δ_ll'.
//!
//! The Hessian is diagonal, so H·1 (the all-ones vector) *is* its diagonal: one
//! `kmeans_hvp` sweep gives J and diag(H) together, and
//! `dir_jl = J_jl / H_jl,jl = c_jl − mean(S_j)_l`. At a tie the strict `<` of the
//! objective picks the lowest j for the value, the gradient and H·1 alike (the
//! branch taken is the same in the forward-over-reverse sweep), as GradBench's
//! `manual` tool does.
//!
//! GradBench's tools rely on the same structure (snapshot `f26651a7`):
//! - `python/gradbench/gradbench/tools/jax/kmeans.py` computes
//!   `d, hes = jvp(grad(cost), [centroids], [jnp.ones(centroids.shape)])` and returns
//!   `d / hes`: the same single Hessian-vector product along the ones.
//! - `tools/manual/kmeans.cpp` (the reference) never forms H: it accumulates each
//!   cluster's size and sum (the nearest by strict `<`, ties to the lowest j) and
//!   returns `-(cluster_sum / cluster_size − centroid)`, the closed form of J ⊘ diag(H)
//!   above.
//!
//! The eval guarantees every centroid at least one point (its inputs take the
//! centroids from the points). A centroid nobody is nearest to has J = 0 and
//! H = 0 there, so `dir` is 0/0: `manual` then writes `null`s; this tool answers
//! `success: false` with an error naming the centroid.

use ad::differentiate;
use serde::Deserialize;
use serde_json::Value;

use super::{unflatten, Matrix};
use crate::runs::{Evaluation, Runs};

/// Σᵢ minⱼ ‖pᵢ − cⱼ‖² for the `k` centroids `centroids` and the points `points`, both
/// row-major with `d` coordinates per row. The nearest centroid is the first with the
/// strictly smallest squared distance, so ties go to the lowest j.
#[differentiate(wrt(centroids), hessian)]
pub fn kmeans(centroids: &[f64], points: &[f64], k: usize, d: usize) -> f64 {
    let n = points.len() / d;
    let mut cost = 0.0;
    for i in 0..n {
        let p = &points[i * d..(i + 1) * d];
        let mut closest = f64::INFINITY;
        for j in 0..k {
            let c = &centroids[j * d..(j + 1) * d];
            let mut dist = 0.0;
            for (&a, &b) in p.iter().zip(c) {
                dist += (a - b) * (a - b);
            }
            if dist < closest {
                closest = dist;
            }
        }
        cost += closest;
    }
    cost
}

/// J ⊘ diag(H) from one forward-over-reverse sweep along the all-ones vector (see the
/// module's documentation for why H·1 is the diagonal), flattened row-major; `Err`
/// with the first centroid whose diagonal entry is 0 (no point nearest to it).
pub fn direction(centroids: &[f64], points: &[f64], k: usize, d: usize) -> Result<Vec<f64>, usize> {
    let ones = vec![1.0; centroids.len()];
    let (_, gradient, diagonal) = kmeans_hvp(centroids, points, k, d, &ones);
    if let Some(empty) = diagonal.iter().position(|&h| h == 0.0) {
        return Err(empty / d);
    }
    Ok(gradient.iter().zip(&diagonal).map(|(g, h)| g / h).collect())
}

#[derive(Deserialize)]
struct Input {
    points: Matrix,
    centroids: Matrix,
}

/// A decoded kmeans input, flattened row-major.
pub struct Problem {
    /// Number of centroids.
    pub k: usize,
    /// Coordinates per point.
    pub d: usize,
    /// `n × d` points.
    pub points: Vec<f64>,
    /// `k × d` centroids.
    pub centroids: Vec<f64>,
}

impl Problem {
    /// Decodes and checks the shapes of `{"points": float[n][d], "centroids": float[k][d]}`.
    pub fn decode(input: &Value) -> Result<Problem, String> {
        let Input { points, centroids } = super::decode(input)?;
        let (n, k, d) = (points.rows(), centroids.rows(), points.first_len());
        super::require(n >= 1 && k >= 1 && d >= 1, || {
            format!("kmeans needs n, k, d ≥ 1, got n = {n}, k = {k}, d = {d}")
        })?;
        Ok(Problem {
            points: points.flatten("points", n, d)?,
            centroids: centroids.flatten("centroids", k, d)?,
            k,
            d,
        })
    }

    /// The cost.
    pub fn cost(&self) -> f64 {
        kmeans(&self.centroids, &self.points, self.k, self.d)
    }

    /// [`direction`], flattened row-major.
    pub fn direction(&self) -> Result<Vec<f64>, usize> {
        direction(&self.centroids, &self.points, self.k, self.d)
    }
}

/// `cost` or `dir` of an input of EVALS.md §9.
pub fn evaluate(function: &str, input: &Value) -> Evaluation {
    let runs = Runs::from_input(input)?;
    let problem = Problem::decode(input)?;
    let (k, d) = (problem.k, problem.d);
    match function {
        "cost" => runs.time(|| problem.cost()).json(),
        "dir" => {
            let timed = runs.time(|| problem.direction());
            if let Err(j) = timed.output {
                return Err(format!(
                    "centroid {j} is no point's nearest: the Hessian's diagonal is 0 there and \
                     `dir` is undefined (the eval guarantees every centroid a point)"
                ));
            }
            timed.encode(|dir| serde_json::json!(unflatten(&dir.unwrap_or_default(), k, d)))
        }
        _ => super::unknown_function("kmeans", function),
    }
}
