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
//!
//! # Second order: Newton-type and trust-region solvers
//!
//! For a function differentiated with `#[differentiate(hessian)]`, the problem also
//! implements argmin's [`Hessian`](::argmin::core::Hessian) trait, in one of two
//! forms:
//!
//! - [`Problem::with_hessian`](crate::argmin::Problem::with_hessian)
//!   `(|x| f_hessian(x).2)`: the dense Hessian, a `Vec<Vec<T>>` of n rows of n
//!   entries, from one `f_hessian` call per point.
//! - [`Problem::with_hessian_products`](crate::argmin::Problem::with_hessian_products)
//!   `(|x, v| f_hvp(x, v).2)`: matrix-free. argmin's Hessian is then a
//!   [`HessianAt`](crate::argmin::HessianAt), the point and the closure: each
//!   product H·v the solver asks for is one `f_hvp` sweep, and no n × n matrix is
//!   formed.
//!
//! Which argmin solvers run on them is decided by the linear algebra they ask of the
//! Hessian type, and `argmin-math`'s `vec` backend has no matrix inverse
//! (`ArgminInv`):
//!
//! | solver | asks of the Hessian | dense | products |
//! |---|---|---|---|
//! | `TrustRegion` with `Steihaug` (CG) or `CauchyPoint` | H·v | yes | yes |
//! | `NewtonCG` (line search, CG on H·p = −g) | H·v | yes | yes |
//! | `Newton`, `TrustRegion` with `Dogleg` | H⁻¹ | no | no |
//!
//! The last row does not compile with `Vec` parameters. For Newton's method itself,
//! solve H·p = −g yourself on `f_hessian`'s output (the example `newton_regression`
//! does, with a Cholesky factorisation), or use `NewtonCG`, whose inner conjugate
//! gradients solve the same system to a tolerance.
//!
//! ```
//! use ad::differentiate;
//! use argmin::core::{Executor, State};
//! use argmin::solver::trustregion::{Steihaug, TrustRegion};
//!
//! #[differentiate(hessian)]
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
//! let problem = ad::argmin::Problem::new(|x| rosenbrock(x), |x| rosenbrock_grad(x).1)
//!     .with_hessian_products(|x, v| rosenbrock_hvp(x, v).2);
//! let solver = TrustRegion::new(Steihaug::new().with_max_iters(20));
//! let result = Executor::new(problem, solver)
//!     .configure(|state| state.param(vec![-1.2, 1.0, -1.2, 1.0]).max_iters(100))
//!     .run()?;
//! let x = result.state().get_best_param().unwrap();
//! assert!(x.iter().all(|xi| (xi - 1.0).abs() < 1e-6));
//! # Ok::<(), argmin::core::Error>(())
//! ```
//!
//! With `.with_hessian(|x| rosenbrock_hessian(x).2)` instead, the same solver runs
//! on the dense Hessian. argmin counts the Hessian's calls as `"hessian_count"`; the
//! products of a [`HessianAt`](crate::argmin::HessianAt) are not counted. argmin's `TrustRegion` has no
//! stopping rule of its own: it runs until `max_iters` or a `target_cost`, its steps
//! rejected and its radius shrinking once it sits at the minimum.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use ::argmin::core::{CostFunction, Error, Gradient, Hessian};
use ::argmin_math::ArgminDot;

/// An argmin problem made of a cost function and its gradient, both closures over
/// the parameter vector.
///
/// `cost(p)` returns the objective at `p`; `gradient(p)` returns its gradient there,
/// a vector of `p`'s length. For a `#[differentiate]` function `f(p: &[f64]) -> f64`
/// that is `Problem::new(|p| f(p), |p| f_grad(p).1)`; data the objective depends on
/// is captured by the closures. The closures cannot report errors: a NaN or
/// infinite cost goes to the solver as it is. A gradient whose length differs from
/// the parameters' is an error for argmin.
///
/// `H` is what the problem knows of second derivatives: nothing (`()`, from
/// [`Problem::new`]), a closure returning the dense Hessian (from
/// [`Problem::with_hessian`]) or [`HessianProducts`] (from
/// [`Problem::with_hessian_products`]).
pub struct Problem<C, G, T = f64, H = ()> {
    cost: C,
    gradient: G,
    hessian: H,
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
            hessian: (),
            float: PhantomData,
        }
    }

    /// The same problem with its dense Hessian: `hessian(p)` returns n rows of n
    /// entries for n parameters, `hessian[i][j] = ∂²f/∂pᵢ∂pⱼ`. For a
    /// `#[differentiate(hessian)]` function that is `|p| f_hessian(p).2`. A Hessian of
    /// another shape is an error for argmin.
    pub fn with_hessian<H>(self, hessian: H) -> Problem<C, G, T, H>
    where
        H: Fn(&[T]) -> Vec<Vec<T>>,
    {
        Problem {
            cost: self.cost,
            gradient: self.gradient,
            hessian,
            float: PhantomData,
        }
    }

    /// The same problem with Hessian-vector products: `hvp(p, v)` returns H·v, the
    /// Hessian at `p` times `v`, a vector of `p`'s length. For a
    /// `#[differentiate(hessian)]` function that is `|p, v| f_hvp(p, v).2`. argmin's
    /// Hessian is then a [`HessianAt`], which calls `hvp` for each product a solver
    /// asks for; it panics when `hvp` returns a vector of the wrong length, since
    /// argmin's products cannot fail.
    pub fn with_hessian_products<V>(self, hvp: V) -> Problem<C, G, T, HessianProducts<V>>
    where
        V: Fn(&[T], &[T]) -> Vec<T>,
    {
        Problem {
            cost: self.cost,
            gradient: self.gradient,
            hessian: HessianProducts(Arc::new(hvp)),
            float: PhantomData,
        }
    }
}

impl<T: Clone> Problem<(), (), T> {
    /// The problem over a model kept in a struct ([models as
    /// structs](crate#models-as-structs)): argmin's parameter vector is the model's
    /// scalars in declaration order (`model.to_scalars()` is the starting point),
    /// `cost(&m)` and `gradient(&m)` take the model they stand for — typically
    /// `|m| loss(m, &data)` and `|m| loss_grad(m, &data).1` — and the gradient,
    /// itself a model, is flattened the same way. `template` gives the shape and the
    /// constant fields; read the solution back with
    /// [`read_scalars`](crate::Differentiable::read_scalars) into a clone of it.
    ///
    /// ```
    /// use ad::{differentiate, Differentiable};
    /// use argmin::core::{Executor, State};
    /// use argmin::solver::linesearch::MoreThuenteLineSearch;
    /// use argmin::solver::quasinewton::LBFGS;
    ///
    /// #[derive(Clone, Differentiable)]
    /// struct Line {
    ///     slope: f64,
    ///     intercept: f64,
    /// }
    ///
    /// #[differentiate(wrt(line))]
    /// fn squared_error(line: &Line, x: &[f64], y: &[f64]) -> f64 {
    ///     x.iter().zip(y).map(|(x, y)| (line.slope * x + line.intercept - y).powi(2)).sum::<f64>()
    /// }
    ///
    /// let (x, y) = ([0.0, 1.0, 2.0], [1.0, 3.0, 5.0]);
    /// let start = Line { slope: 0.0, intercept: 0.0 };
    /// let problem = ad::argmin::Problem::over_model(
    ///     &start,
    ///     |m: &Line| squared_error(m, &x, &y),
    ///     |m: &Line| squared_error_grad(m, &x, &y).1,
    /// );
    /// let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7);
    /// let result = Executor::new(problem, solver)
    ///     .configure(|state| state.param(start.to_scalars()).max_iters(50))
    ///     .run()?;
    /// let mut fitted = start.clone();
    /// fitted.read_scalars(result.state().get_best_param().unwrap());
    /// assert!((fitted.slope - 2.0).abs() < 1e-6 && (fitted.intercept - 1.0).abs() < 1e-6);
    /// # Ok::<(), argmin::core::Error>(())
    /// ```
    #[allow(clippy::type_complexity)]
    pub fn over_model<M, CM, GM>(
        template: &M,
        cost: CM,
        gradient: GM,
    ) -> Problem<impl Fn(&[T]) -> T, impl Fn(&[T]) -> Vec<T>, T>
    where
        M: crate::Differentiable<Scalar = T> + Clone,
        CM: Fn(&M) -> T,
        GM: Fn(&M) -> M,
    {
        let model_at = {
            let template = template.clone();
            move |scalars: &[T]| {
                let mut model = template.clone();
                model.read_scalars(scalars);
                model
            }
        };
        let gradient_at = model_at.clone();
        Problem::new(
            move |scalars: &[T]| cost(&model_at(scalars)),
            move |scalars: &[T]| gradient(&gradient_at(scalars)).to_scalars(),
        )
    }
}

impl<C, G, T, H> fmt::Debug for Problem<C, G, T, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Problem").finish_non_exhaustive()
    }
}

impl<C, G, T, H> CostFunction for Problem<C, G, T, H>
where
    C: Fn(&[T]) -> T,
{
    type Param = Vec<T>;
    type Output = T;

    fn cost(&self, param: &Vec<T>) -> Result<T, Error> {
        Ok((self.cost)(param))
    }
}

impl<C, G, T, H> Gradient for Problem<C, G, T, H>
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

impl<C, G, T, H> Hessian for Problem<C, G, T, H>
where
    H: Fn(&[T]) -> Vec<Vec<T>>,
{
    type Param = Vec<T>;
    type Hessian = Vec<Vec<T>>;

    fn hessian(&self, param: &Vec<T>) -> Result<Vec<Vec<T>>, Error> {
        let hessian = (self.hessian)(param);
        let n = param.len();
        if hessian.len() != n {
            return Err(Error::msg(format!(
                "the Hessian closure returned {} rows for {n} parameters",
                hessian.len()
            )));
        }
        if let Some((i, row)) = hessian.iter().enumerate().find(|(_, row)| row.len() != n) {
            return Err(Error::msg(format!(
                "the Hessian closure returned {} entries in row {i} for {n} parameters",
                row.len()
            )));
        }
        Ok(hessian)
    }
}

/// The Hessian-vector-product closure of a [`Problem`] built by
/// [`Problem::with_hessian_products`], shared with the [`HessianAt`]s it hands out.
pub struct HessianProducts<V>(Arc<V>);

impl<V> fmt::Debug for HessianProducts<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HessianProducts").finish_non_exhaustive()
    }
}

impl<C, G, T, V> Hessian for Problem<C, G, T, HessianProducts<V>>
where
    T: Clone,
    V: Fn(&[T], &[T]) -> Vec<T>,
{
    type Param = Vec<T>;
    type Hessian = HessianAt<V, T>;

    fn hessian(&self, param: &Vec<T>) -> Result<HessianAt<V, T>, Error> {
        Ok(HessianAt {
            point: param.clone(),
            hvp: Arc::clone(&self.hessian.0),
        })
    }
}

/// The Hessian at a point as an operator: argmin's `Hessian` of a problem built by
/// [`Problem::with_hessian_products`]. Its product with a vector (argmin-math's
/// `ArgminDot<Vec<T>, Vec<T>>`, what trust-region and Newton–CG solvers ask of a
/// Hessian) calls the problem's closure at this point. Cloning it copies the point,
/// not the closure.
pub struct HessianAt<V, T> {
    point: Vec<T>,
    hvp: Arc<V>,
}

impl<V, T> HessianAt<V, T> {
    /// The point this Hessian was taken at.
    pub fn point(&self) -> &[T] {
        &self.point
    }
}

impl<V, T: Clone> Clone for HessianAt<V, T> {
    fn clone(&self) -> Self {
        HessianAt {
            point: self.point.clone(),
            hvp: Arc::clone(&self.hvp),
        }
    }
}

impl<V, T: fmt::Debug> fmt::Debug for HessianAt<V, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HessianAt")
            .field("point", &self.point)
            .finish_non_exhaustive()
    }
}

impl<V, T> ArgminDot<Vec<T>, Vec<T>> for HessianAt<V, T>
where
    V: Fn(&[T], &[T]) -> Vec<T>,
{
    /// H·v, from one call of the problem's closure.
    ///
    /// # Panics
    ///
    /// If `v` or the closure's result is not of the point's length: argmin's `dot`
    /// returns no `Result` to report it in.
    fn dot(&self, v: &Vec<T>) -> Vec<T> {
        let n = self.point.len();
        assert_eq!(
            v.len(),
            n,
            "a Hessian at a point of {n} parameters times a vector of {} entries",
            v.len()
        );
        let product = (self.hvp)(&self.point, v);
        assert_eq!(
            product.len(),
            n,
            "the Hessian-vector-product closure returned {} entries for {n} parameters",
            product.len()
        );
        product
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::argmin::core::{Executor, IterState, State};
    use ::argmin::solver::linesearch::MoreThuenteLineSearch;
    use ::argmin::solver::newton::NewtonCG;
    use ::argmin::solver::trustregion::{CauchyPoint, Steihaug, TrustRegion};

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

    // Rosenbrock's function in two dimensions, its gradient and Hessian by hand.
    fn rosenbrock(x: &[f64]) -> f64 {
        (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2)
    }

    fn rosenbrock_gradient(x: &[f64]) -> Vec<f64> {
        let b = x[1] - x[0] * x[0];
        vec![-2.0 * (1.0 - x[0]) - 400.0 * x[0] * b, 200.0 * b]
    }

    fn rosenbrock_hessian(x: &[f64]) -> Vec<Vec<f64>> {
        let h01 = -400.0 * x[0];
        vec![
            vec![2.0 - 400.0 * (x[1] - 3.0 * x[0] * x[0]), h01],
            vec![h01, 200.0],
        ]
    }

    fn rosenbrock_hvp(x: &[f64], v: &[f64]) -> Vec<f64> {
        let h = rosenbrock_hessian(x);
        h.iter().map(|row| row[0] * v[0] + row[1] * v[1]).collect()
    }

    #[test]
    fn passes_the_dense_hessian_through() {
        let problem =
            Problem::new(rosenbrock, rosenbrock_gradient).with_hessian(rosenbrock_hessian);
        let x = vec![-1.2, 1.0];
        assert_eq!(problem.hessian(&x).unwrap(), rosenbrock_hessian(&x));
        assert_eq!(problem.gradient(&x).unwrap(), rosenbrock_gradient(&x));
        assert_eq!(problem.cost(&x).unwrap(), rosenbrock(&x));
    }

    #[test]
    fn a_hessian_of_the_wrong_shape_is_an_error() {
        let rows = Problem::new(rosenbrock, rosenbrock_gradient)
            .with_hessian(|_: &[f64]| vec![vec![1.0, 0.0]]);
        assert_eq!(
            rows.hessian(&vec![1.0, 2.0]).unwrap_err().to_string(),
            "the Hessian closure returned 1 rows for 2 parameters"
        );
        let ragged = Problem::new(rosenbrock, rosenbrock_gradient)
            .with_hessian(|_: &[f64]| vec![vec![1.0, 0.0], vec![0.0]]);
        assert_eq!(
            ragged.hessian(&vec![1.0, 2.0]).unwrap_err().to_string(),
            "the Hessian closure returned 1 entries in row 1 for 2 parameters"
        );
    }

    #[test]
    fn the_matrix_free_hessian_multiplies_at_its_point() {
        let problem =
            Problem::new(rosenbrock, rosenbrock_gradient).with_hessian_products(rosenbrock_hvp);
        let x = vec![-1.2, 1.0];
        let hessian = problem.hessian(&x).unwrap();
        assert_eq!(hessian.point(), &x[..]);
        let v = vec![0.5, -2.0];
        assert_eq!(hessian.dot(&v), rosenbrock_hvp(&x, &v));
        // The product is the dense Hessian's, through argmin-math's own `vec` product.
        let dense: Vec<f64> = rosenbrock_hessian(&x).dot(&v);
        assert_eq!(hessian.clone().dot(&v), dense);
    }

    #[test]
    #[should_panic(
        expected = "the Hessian-vector-product closure returned 1 entries for 2 parameters"
    )]
    fn a_product_of_the_wrong_length_panics() {
        let problem = Problem::new(rosenbrock, rosenbrock_gradient)
            .with_hessian_products(|_: &[f64], _: &[f64]| vec![0.0]);
        let _ = problem
            .hessian(&vec![1.0, 2.0])
            .unwrap()
            .dot(&vec![1.0, 0.0]);
    }

    /// Runs `solver` on `problem` from (−1.2, 1) and returns the best point.
    fn solve<O, S, H>(problem: O, solver: S) -> Vec<f64>
    where
        S: ::argmin::core::Solver<O, IterState<Vec<f64>, Vec<f64>, (), H, (), f64>>,
        H: Clone,
    {
        let result = Executor::new(problem, solver)
            .configure(|state| state.param(vec![-1.2, 1.0]).max_iters(200))
            .run()
            .unwrap();
        result.state().get_best_param().unwrap().clone()
    }

    fn distance_from_the_minimum(x: &[f64]) -> f64 {
        x.iter().map(|xi| (xi - 1.0).abs()).fold(0.0, f64::max)
    }

    #[test]
    fn trust_region_and_newton_cg_run_on_both_hessian_forms() {
        let dense =
            || Problem::new(rosenbrock, rosenbrock_gradient).with_hessian(rosenbrock_hessian);
        let products =
            || Problem::new(rosenbrock, rosenbrock_gradient).with_hessian_products(rosenbrock_hvp);
        let steihaug = || TrustRegion::new(Steihaug::<Vec<f64>, f64>::new().with_max_iters(10));
        let newton_cg = || NewtonCG::new(MoreThuenteLineSearch::new());
        for (what, x) in [
            ("steihaug, dense", solve(dense(), steihaug())),
            ("steihaug, products", solve(products(), steihaug())),
        ] {
            assert!(
                distance_from_the_minimum(&x) < 1e-9,
                "{what}: stopped at {x:?}"
            );
        }
        // The Cauchy point is a steepest-descent step: it only has to run on both forms
        // and go downhill.
        let cauchy = || TrustRegion::new(CauchyPoint::<f64>::new());
        for (what, x) in [
            ("cauchy point, dense", solve(dense(), cauchy())),
            ("cauchy point, products", solve(products(), cauchy())),
        ] {
            assert!(
                rosenbrock(&x) < 1e-2 * rosenbrock(&[-1.2, 1.0]),
                "{what}: stopped at {x:?}"
            );
        }
        // argmin's Newton–CG solves each Newton system only loosely (its CG stops at a
        // residual of min(0.5, √‖g‖)·‖g‖) and creeps along Rosenbrock's valley: after
        // 200 iterations it is within 1e-2 of the minimum. Both forms take the same path.
        let (from_dense, from_products) =
            (solve(dense(), newton_cg()), solve(products(), newton_cg()));
        for (what, x) in [
            ("newton-cg, dense", &from_dense),
            ("newton-cg, products", &from_products),
        ] {
            assert!(
                distance_from_the_minimum(x) < 1e-2,
                "{what}: stopped at {x:?}"
            );
        }
        for (a, b) in from_dense.iter().zip(&from_products) {
            assert!(
                (a - b).abs() < 1e-9,
                "newton-cg: {from_dense:?} and {from_products:?}"
            );
        }
    }
}
