//! [argmin](https://docs.rs/argmin)'s gradient-based solvers (L-BFGS, BFGS,
//! nonlinear conjugate gradients, steepest descent, …) ask the problem for a cost
//! and a gradient through its [`CostFunction`](::argmin::core::CostFunction) and
//! [`Gradient`](::argmin::core::Gradient) traits. [`Problem`](crate::argmin::Problem)
//! implements both from two closures over the parameter vector, typically a
//! `#[differentiate]` function and its `f_grad`:
//!
//! ```
//! use ad::differentiate;
//! use argmin::core::{Executor, State};
//! use argmin::solver::linesearch::MoreThuenteLineSearch;
//! use argmin::solver::quasinewton::LBFGS;
//!
//! #[differentiate]
//! fn rosenbrock(x: &[f64]) -> f64 {
//!     let mut total = 0.0;
//!     for i in 0..x.len() - 1 {
//!         let a = 1.0 - x[i];
//!         let b = x[i + 1] - x[i] * x[i];
//!         total += a * a + 100.0 * b * b;
//!     }
//!     total
//! }
//!
//! let problem = ad::argmin::Problem::new(|x| rosenbrock(x), |x| rosenbrock_grad(x).1);
//! let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7);
//! let result = Executor::new(problem, solver)
//!     .configure(|state| state.param(vec![-1.2, 1.0]).max_iters(100))
//!     .run()?;
//! let x = result.state().get_best_param().unwrap();
//! assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] - 1.0).abs() < 1e-6);
//! # Ok::<(), argmin::core::Error>(())
//! ```
//!
//! The parameter and gradient types are `Vec<T>` for `T` = `f64` or `f32`, which
//! argmin's linear algebra supports through `argmin-math`'s `vec` backend (enabled by
//! this feature). argmin counts the calls of each closure: after a run,
//! `result.problem().counts` holds `"cost_count"` and `"gradient_count"`.

use std::fmt;
use std::marker::PhantomData;

use ::argmin::core::{CostFunction, Error, Gradient};

/// An argmin problem made of a cost function and its gradient, both closures over
/// the parameter vector.
///
/// `cost(p)` returns the objective at `p`; `gradient(p)` returns its gradient there,
/// a vector of `p`'s length. For a `#[differentiate]` function `f(p: &[f64]) -> f64`
/// that is `Problem::new(|p| f(p), |p| f_grad(p).1)`; data the objective depends on
/// is captured by the closures. The closures cannot report errors: a NaN or
/// infinite cost goes to the solver as it is. A gradient whose length differs from
/// the parameters' is an error for argmin.
pub struct Problem<C, G, T = f64> {
    cost: C,
    gradient: G,
    float: PhantomData<fn() -> T>,
}

impl<C, G, T> Problem<C, G, T>
where
    C: Fn(&[T]) -> T,
    G: Fn(&[T]) -> Vec<T>,
{
    /// The problem whose objective is `cost` and whose gradient is `gradient`.
    pub fn new(cost: C, gradient: G) -> Self {
        Problem {
            cost,
            gradient,
            float: PhantomData,
        }
    }
}

impl<C, G, T> fmt::Debug for Problem<C, G, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Problem").finish_non_exhaustive()
    }
}

impl<C, G, T> CostFunction for Problem<C, G, T>
where
    C: Fn(&[T]) -> T,
{
    type Param = Vec<T>;
    type Output = T;

    fn cost(&self, param: &Vec<T>) -> Result<T, Error> {
        Ok((self.cost)(param))
    }
}

impl<C, G, T> Gradient for Problem<C, G, T>
where
    G: Fn(&[T]) -> Vec<T>,
{
    type Param = Vec<T>;
    type Gradient = Vec<T>;

    fn gradient(&self, param: &Vec<T>) -> Result<Vec<T>, Error> {
        let gradient = (self.gradient)(param);
        if gradient.len() != param.len() {
            return Err(Error::msg(format!(
                "the gradient closure returned {} entries for {} parameters",
                gradient.len(),
                param.len()
            )));
        }
        Ok(gradient)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_the_closures_through() {
        let problem = Problem::new(|p: &[f64]| p[0] * p[1], |p: &[f64]| vec![p[1], p[0]]);
        assert_eq!(problem.cost(&vec![2.0, 3.0]).unwrap(), 6.0);
        assert_eq!(problem.gradient(&vec![2.0, 3.0]).unwrap(), vec![3.0, 2.0]);
    }

    #[test]
    fn a_gradient_of_the_wrong_length_is_an_error() {
        let problem = Problem::new(|p: &[f32]| p[0], |_: &[f32]| vec![1.0]);
        let error = problem.gradient(&vec![1.0, 2.0]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the gradient closure returned 1 entries for 2 parameters"
        );
    }
}
