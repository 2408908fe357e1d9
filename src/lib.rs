//! Reverse-mode automatic differentiation at compile time.
//!
//! Put [`#[differentiate]`](macro@differentiate) on an ordinary numeric function and
//! a procedural macro writes its gradient next to it, as plain Rust: the function runs
//! forward, then adjoints flow backwards to every input, the way you would write the
//! derivative by hand. There is no tape, no graph and no operator overloading at run
//! time, so the gradient is code that LLVM optimises like the function itself, and it
//! works on stable Rust.
//!
//! The package is `ad-grad` (the name `ad` was taken on crates.io); its library is
//! `ad`, so code says `use ad::…`:
//!
//! ```toml
//! [dependencies]
//! ad-grad = "0.1"
//! ```
//!
//! The README (on the crate's page) has the full syntax table, worked examples,
//! benchmarks against hand-written gradients and tape-based AD, and how the macro
//! works inside; this page teaches the crate and its conventions.
//!
//! # Quick start
//!
//! ```
//! use ad::differentiate;
//!
//! #[differentiate]
//! fn f(x: f64, y: f64) -> f64 {
//!     let t = (x * y).exp();
//!     t / (1.0 + y.ln()) + f64::sin(x)
//! }
//!
//! let (value, dx, dy) = f_grad(0.4, 2.5); // the value, then ∂f/∂x and ∂f/∂y
//! assert_eq!(value, f(0.4, 2.5));
//! // The same gradient by central finite differences, within their error:
//! ad::check_gradient(|p: &[f64]| f(p[0], p[1]), &[0.4, 2.5], &[dx, dy]).unwrap();
//! ```
//!
//! # What the macro generates
//!
//! `f` stays as written. Next to it, with `f`'s visibility, come two functions:
//!
//! - **`f_grad(params…) -> (value, ∂f/∂p₁, ∂f/∂p₂, …)`**: the value, then the
//!   partial derivative with respect to each differentiable parameter, in parameter
//!   order. A slice or `Vec` parameter's gradient is a `Vec`, an array's `[T; N]`.
//! - **`f_adjoint(params…, seed, d_p₁, d_p₂, …) -> value`**: the reverse-mode entry
//!   point. It returns the value and **adds** `seed · ∂f/∂pᵢ` into the buffer `d_pᵢ`
//!   (`&mut T` for a scalar, `&mut [T]` for a slice or vector, `&mut [T; N]` for an
//!   array), allocating nothing for them. In a loop that takes many gradients, keep
//!   the buffers and zero them yourself.
//!
//! The differentiable parameters are the `f32` and `f64` ones and the slices, vectors
//! and arrays of them. Every other parameter (integers, `bool`, `&Config` structs,
//! `&[usize]` indices, …) is a constant: it can steer the computation but has no
//! adjoint. `#[differentiate(wrt(w))]` narrows the differentiable parameters to those
//! named; the other floats become constants too. The return type is `f64` or `f32`.
//!
//! ```
//! use ad::differentiate;
//!
//! /// Mean squared error of a linear model over samples of `d` features.
//! #[differentiate(wrt(w))]
//! fn loss(w: &[f64], x: &[f64], y: &[f64], d: usize) -> f64 {
//!     let mut total = 0.0;
//!     for i in 0..y.len() {
//!         let mut prediction = 0.0;
//!         for j in 0..d {
//!             prediction += w[j] * x[i * d + j];
//!         }
//!         let r = prediction - y[i];
//!         total += r * r;
//!     }
//!     total / y.len() as f64
//! }
//!
//! let (x, y) = ([1.0, 2.0, 3.0, 4.0], [1.0, 2.0]);
//! let w = [0.5, -0.25];
//! let (value, dw) = loss_grad(&w, &x, &y, 2); // dw: Vec<f64>, one per weight
//!
//! // The same, allocation-free: seed 1, into a buffer that must start at zero.
//! let mut buffer = vec![0.0; w.len()];
//! assert_eq!(loss_adjoint(&w, &x, &y, 2, 1.0, &mut buffer), value);
//! assert_eq!(buffer, dw);
//!
//! // It adds: a second call with seed 0.5 leaves 1.5 · dw.
//! loss_adjoint(&w, &x, &y, 2, 0.5, &mut buffer);
//! assert_eq!(buffer, [1.5 * dw[0], 1.5 * dw[1]]);
//! ```
//!
//! # Supported syntax
//!
//! The body may use:
//!
//! - `let` and `let mut`, shadowing, `= += -= *= /=`, blocks as values, `return`;
//! - arithmetic on floats and integers, casts (`n as f64`, `x as f32`), literals,
//!   `const`s and `std::f64::consts`;
//! - the elementary functions in method or path form (`x.sin()`, `f64::sin(x)`):
//!   `sin cos tan asin acos atan atan2 sinh cosh tanh asinh acosh atanh exp exp2
//!   exp_m1 ln ln_1p log log2 log10 sqrt cbrt powi powf abs copysign rem_euclid
//!   to_degrees to_radians signum hypot min max mul_add recip clamp floor ceil round
//!   trunc`,
//!   with the derivatives of [`rules`];
//! - the special functions [`erf`], [`erfc`], [`ln_gamma`], [`digamma`] and
//!   [`trigamma`] of [`special`], called by path (`ad::erf(x)`), with exact
//!   derivatives;
//! - `if`/`else` (also as expressions), `match` on integers and `bool`s, `for` over
//!   integer ranges (with `.rev()` and `.step_by(k)`), `while` (also on float
//!   conditions), `loop` with `break value` and `continue`, early `return`;
//! - indexing (`x[i]`, `x[idx[k]]`), `x.len()`, `for` loops over slices, and
//!   iterator chains with closures, lowered as the loops they mean:
//!   `w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>()`, `x.windows(2)`,
//!   `x.chunks(d)`, `fold`, `filter`, `enumerate`, `max_by(…).unwrap()`, …; a closure
//!   bound to a name (`let f = |v: f64| v * v;`) is inlined where it is called;
//! - destructuring: `let (a, b) = (x, y);`, `let [a, b] = *x2;`,
//!   `let (s, c) = t.sin_cos();`, `(a, b) = (b, a + b);`;
//! - local buffers: `vec![0.0; n]`, `vec![a, b]`, `[0.0; 4]`, `Vec::with_capacity(n)`
//!   with `push`, read and written in place;
//! - functions defined in the body's top-level block (`fn square(v: f64) -> f64 {
//!   v * v }`), differentiated like top-level ones;
//! - calls of other differentiated functions and methods (see below), and any
//!   expression on constants only (`cfg.scale`, `helper(n)`);
//! - `assert!`, `debug_assert!`, `println!` and `eprintln!`, run as written.
//!
//! ```
//! # use ad::differentiate;
//! /// Newton's iteration for √a, from above, with branches and a float condition.
//! #[differentiate]
//! fn newton_sqrt(a: f64) -> f64 {
//!     let mut y = if a > 1.0 { a } else { 1.0 };
//!     while (y * y - a).abs() > 1e-13 * a {
//!         y = 0.5 * (y + a / y);
//!     }
//!     y
//! }
//!
//! let (root, d_a) = newton_sqrt_grad(2.0);
//! assert!((root - 2.0_f64.sqrt()).abs() < 1e-15);
//! assert!((d_a - 0.5 / 2.0_f64.sqrt()).abs() < 1e-12); // d√a/da, through the loop
//! ```
//!
//! Anything else is a compile error that points at the construct and says what is
//! supported; one compilation lists every problem of a function:
//!
//! ```compile_fail
//! #[ad::differentiate]
//! fn f(x: f64) -> f64 {
//!     // error: #[differentiate] has no derivative for the method `fract` …
//!     x.fract() + 1.0
//! }
//! ```
//!
//! # Composing functions
//!
//! A differentiated function may call another, in the same module or by path, in
//! loops and branches, with scalar and slice arguments: the caller's reverse sweep
//! calls the callee's adjoint. On a method taking `&self`, the generated functions
//! are methods too, and `self`'s data is constant.
//!
//! ```
//! use ad::differentiate;
//!
//! #[differentiate]
//! fn square(x: f64) -> f64 {
//!     x * x
//! }
//!
//! struct Line {
//!     inputs: Vec<f64>,
//!     targets: Vec<f64>,
//! }
//!
//! impl Line {
//!     #[differentiate]
//!     fn loss(&self, w: &[f64]) -> f64 {
//!         let mut s = 0.0;
//!         for i in 0..self.targets.len() {
//!             s += square(w[0] + w[1] * self.inputs[i] - self.targets[i]);
//!         }
//!         s
//!     }
//! }
//!
//! let line = Line { inputs: vec![0.0, 1.0], targets: vec![1.0, 3.0] };
//! let (value, dw) = line.loss_grad(&[1.0, 1.0]);
//! assert_eq!((value, dw), (1.0, vec![-2.0, -2.0]));
//! ```
//!
//! A call with a float argument to a function that is neither differentiated nor
//! given a custom derivative does not compile (`cannot find function NAME_adjoint_all`).
//!
//! # Models as structs
//!
//! Derive [`Differentiable`](derive@Differentiable) for a struct of parameters and
//! name the parameter in `wrt` (on a method, `wrt(self)`): its gradient is a value of
//! the same struct, and the [`Differentiable`](trait@Differentiable) trait flattens,
//! zeroes and steps it for an optimiser.
//!
//! ```
//! use ad::{differentiate, Differentiable};
//!
//! #[derive(Clone, Differentiable)]
//! struct Params {
//!     mu: f64,
//!     weights: Vec<f64>,
//!     #[ad(constant)]
//!     penalty: f64,
//! }
//!
//! #[differentiate(wrt(p))]
//! fn loss(p: &Params, x: &[f64]) -> f64 {
//!     let fit = p.weights.iter().zip(x).map(|(w, x)| (w * x - p.mu).powi(2)).sum::<f64>();
//!     fit + ad::no_grad(p.penalty) * p.mu * p.mu
//! }
//!
//! let mut p = Params { mu: 1.0, weights: vec![0.5, 2.0], penalty: 0.1 };
//! let (value, gradient) = loss_grad(&p, &[1.0, 2.0]); // gradient: Params
//! assert_eq!(gradient.weights.len(), 2);
//! assert_eq!(gradient.penalty, 0.1); // constants are copied
//! p.add_scaled(&gradient, -0.05);
//! assert!(loss(&p, &[1.0, 2.0]) < value);
//! ```
//!
//! The body reads fields by name (`p.w[i]`, `p.mu`, `p.layer.b`, iterator chains
//! over `p.w`) and passes parts whole to other differentiated functions
//! (`norm(&p.layer)`); `f_hessian` and `f_jacobian` number the struct's scalars in
//! declaration order. The README's "Models as structs" has the details.
//!
//! # Custom derivatives and stopping gradients
//!
//! For a function the macro cannot see into (a call into C, a special function, a
//! derivative more accurate than the one the code implies), write `NAME_adjoint`
//! with the signature above and mark it [`#[custom_adjoint]`](macro@custom_adjoint):
//! differentiated functions calling `NAME` then use it, and `NAME_grad` is generated
//! from it. [`no_grad`] passes a value forward and no adjoint back.
//!
//! ```
//! use ad::differentiate;
//!
//! /// log(1 + eˣ) without overflow.
//! fn softplus(x: f64) -> f64 {
//!     if x > 30.0 { x } else { x.exp().ln_1p() }
//! }
//!
//! /// Its derivative, the logistic function, in a form that does not overflow.
//! #[ad::custom_adjoint]
//! fn softplus_adjoint(x: f64, seed: f64, d_x: &mut f64) -> f64 {
//!     *d_x += seed / (1.0 + (-x).exp());
//!     softplus(x)
//! }
//!
//! #[differentiate]
//! fn f(x: f64, y: f64) -> f64 {
//!     softplus(x * y) + ad::no_grad(y) * x
//! }
//!
//! let (_, dx, dy) = f_grad(1000.0, 1.0);
//! assert_eq!((dx, dy), (1.0 + 1.0, 1000.0)); // no overflow; y's factor has no adjoint
//! assert_eq!(softplus_grad(0.0).1, 0.5);
//! ```
//!
//! # Conventions
//!
//! - **Adjoints add.** `f_adjoint` adds `seed · gradient` into its buffers and never
//!   overwrites them, so one buffer can collect the gradients of several calls (of
//!   the shards of a data set, of the terms of a loss).
//! - **Where a derivative does not exist**, each elementary function's rule returns
//!   a documented value: 0 for `abs` at 0 and for the piecewise constant `signum`,
//!   `floor`, `ceil`, `round`, `trunc`; half to each argument of `min` and `max` at a
//!   tie; `+inf` for `sqrt`, `cbrt` and `ln` at 0. Elsewhere IEEE arithmetic applies:
//!   a NaN or an infinity propagates as in `f`, and nothing panics. [`rules`] lists
//!   every formula and convention.
//! - **Branches are not differentiated**: the gradient is that of the branch that
//!   ran, and a loop's that of the iterations that ran.
//!
//! ```
//! # use ad::differentiate;
//! #[differentiate]
//! fn kinks(x: f64, y: f64) -> f64 {
//!     x.abs() + x.max(y)
//! }
//! assert_eq!(kinks_grad(0.0, 0.0), (0.0, 0.5, 0.5));
//! ```
//!
//! # Many threads
//!
//! The generated functions are re-entrant and keep no global state: what a call
//! records for its reverse sweep (the values loops and branches need) goes on a
//! [value stack](stack) taken from a pool of the calling thread and given back at the
//! end, reused by the next call on that thread. Gradients can therefore be taken on
//! any number of threads at once without locks, and one gradient can be taken
//! inside another's (in a custom adjoint). A data-parallel gradient is one
//! `f_adjoint` per shard of the data, each into a buffer of its own thread, summed:
//!
//! ```
//! # use ad::differentiate;
//! #[differentiate(wrt(w))]
//! fn shard_loss(w: &[f64], x: &[f64]) -> f64 {
//!     let mut total = 0.0;
//!     for i in 0..x.len() {
//!         total += (w[0] * x[i] - w[1]).tanh().powi(2);
//!     }
//!     total
//! }
//!
//! let x: Vec<f64> = (0..4000).map(|i| (i as f64 * 0.37).sin()).collect();
//! let w = [0.8, 0.1];
//! let grad = std::thread::scope(|scope| {
//!     let shards: Vec<_> = x
//!         .chunks(1000)
//!         .map(|shard| {
//!             scope.spawn(move || {
//!                 let mut buffer = [0.0; 2];
//!                 shard_loss_adjoint(&w, shard, 1.0, &mut buffer);
//!                 buffer
//!             })
//!         })
//!         .collect();
//!     shards.into_iter().fold([0.0; 2], |sum, shard| {
//!         let g = shard.join().unwrap();
//!         [sum[0] + g[0], sum[1] + g[1]]
//!     })
//! });
//! let (_, serial) = shard_loss_grad(&w, &x);
//! assert!((grad[0] - serial[0]).abs() < 1e-9 && (grad[1] - serial[1]).abs() < 1e-9);
//! ```
//!
//! The example `parallel` does this with rayon and measures the speed-up.
//!
//! # Forward mode and second order
//!
//! Two options of the same attribute add more functions, with the same parameters
//! and the differentiable ones flattened in parameter order (a scalar counts one, a
//! slice or array its length):
//!
//! - `#[differentiate(forward)]` adds **`f_jvp(params…, t_p₁, t_p₂, …) -> (value,
//!   ∇f·t)`**: one tangent per differentiable parameter (`T` for a scalar, `&[T]`
//!   for a slice or vector, `&[T; N]` for an array), and the derivative along that
//!   direction, in one forward sweep that records and allocates nothing.
//! - `#[differentiate(hessian)]` adds `f_jvp` too, and
//!   **`f_hvp(params…, v_p₁, …) -> (value, gradient…, H·v…)`**, the value, the
//!   gradient in `f_grad`'s shapes and the Hessian-vector product in the same shapes,
//!   in one forward-over-reverse sweep; and **`f_hessian(params…) -> (value,
//!   Vec<T>, Vec<Vec<T>>)`**, the value, the flattened gradient and the dense Hessian
//!   (`hessian[i][j] = ∂²f/∂zᵢ∂zⱼ`), from one such sweep per flattened input.
//!
//! ```
//! #[ad::differentiate(hessian)]
//! fn f(x: f64, w: &[f64]) -> f64 {
//!     x * x * w[0] + w[1].exp()
//! }
//!
//! let w = [2.0, 0.5];
//! let (value, gradient, hessian) = f_hessian(3.0, &w);
//! assert_eq!(value, f(3.0, &w));
//! assert_eq!(gradient, [12.0, 9.0, 0.5_f64.exp()]);
//! assert_eq!(hessian[0], [4.0, 6.0, 0.0]); // ∂²f/∂x², ∂²f/∂x∂w₀, ∂²f/∂x∂w₁
//!
//! // H·v for v = (1, 0, 1) in one sweep, with the gradient beside it.
//! let (_, dx, dw, hv_x, hv_w) = f_hvp(3.0, &w, 1.0, &[0.0, 1.0]);
//! assert_eq!((dx, hv_x), (12.0, 4.0));
//! assert_eq!(dw, [9.0, 0.5_f64.exp()]);
//! assert_eq!(hv_w, [6.0, 0.5_f64.exp()]);
//!
//! // The directional derivative along t = (1, 1, 0): ∂f/∂x + ∂f/∂w₀.
//! assert_eq!(f_jvp(3.0, &w, 1.0, &[1.0, 0.0]), (value, 21.0));
//! ```
//!
//! A function that calls another differentiated function needs the same option on
//! the callee. The second derivatives of the elementary functions come from the
//! first-order [`rules`] evaluated over [`Dual`] numbers, so they follow the same
//! conventions.
//!
//! # Checking gradients
//!
//! [`check_gradient`] compares a gradient with central finite differences,
//! coordinate by coordinate and along a seeded random direction, and reports the
//! first coordinate that disagrees; [`check_gradient_with`] takes explicit
//! [`Tolerance`]s. [`check_hessian`] does the same for a Hessian, against central
//! differences of the gradient, and checks its symmetry. They work for `f32` and
//! `f64` (the [`Real`] trait).
//!
//! # Cargo features
//!
//! - `argmin`: the module [`argmin`](mod@crate::argmin), an adapter that hands a
//!   `#[differentiate]` function and its gradient to argmin's solvers (L-BFGS, …),
//!   and its Hessian or Hessian-vector products to its trust-region and Newton–CG
//!   solvers.
//!
//! # Minimum supported Rust version
//!
//! Rust 1.82, on stable. A change of it is a minor release, listed in the changelog.

#![warn(missing_docs)]
// docs.rs builds with `--cfg docsrs` (Cargo.toml): label items behind features.
#![cfg_attr(docsrs, feature(doc_cfg))]

// The special functions' `#[custom_adjoint]`s expand to `::ad::` paths, here too.
extern crate self as ad;

/// Differentiates a function: `#[differentiate]` keeps it and adds `NAME_grad` and
/// `NAME_adjoint` beside it ([what they are](crate#what-the-macro-generates),
/// [what the body may contain](crate#supported-syntax)).
///
/// `#[differentiate(wrt(a, b))]` differentiates with respect to the parameters named
/// only; without `wrt`, with respect to every `f32`/`f64` parameter and every slice,
/// vector and array of them. The options `forward` and `hessian` add `NAME_jvp`, and
/// `NAME_hvp` and `NAME_hessian` ([forward mode and second
/// order](crate#forward-mode-and-second-order)): `#[differentiate(wrt(w), hessian)]`.
///
/// ```
/// #[ad::differentiate(wrt(x))]
/// fn scaled(x: f64, scale: f64) -> f64 {
///     scale * x.sin()
/// }
/// assert_eq!(scaled_grad(0.0, 3.0), (0.0, 3.0)); // no adjoint for `scale`
/// ```
#[doc(inline)]
pub use ad_macro::differentiate;

/// Marks a hand-written `NAME_adjoint` as the derivative of `NAME`, for functions the
/// macro cannot see into; see [Custom derivatives](crate#custom-derivatives-and-stopping-gradients).
///
/// The signature is that of a generated `NAME_adjoint`: `NAME`'s parameters, then
/// `seed`, then one `&mut` buffer per differentiable parameter, named `d_` and the
/// parameter's name, into which the function adds `seed` times the partial derivative;
/// it returns `NAME`'s value. `NAME_grad` is generated from it, and differentiated
/// functions that call `NAME` use it.
///
/// Written generic over the float type, `fn NAME_adjoint<T: ad::Real>(…)` (every
/// float `T`, the generated functions taking `f64`), it also gives `NAME` forward
/// mode and second order, by running over [`Dual`] numbers: then functions with the
/// `forward` and `hessian` options can call `NAME` too. Forward mode reads the
/// adjoints it adds; the Hessian differentiates them along the direction, so the
/// derivative must be computed in `T` arithmetic: a quantity taken through `f64`
/// (`T::from_f64(g(x.to_f64()))`) is a constant to the Hessian. The returned value
/// may be computed either way.
///
/// ```
/// fn cube(x: f64) -> f64 {
///     x * x * x
/// }
///
/// #[ad::custom_adjoint]
/// fn cube_adjoint<T: ad::Real>(x: T, seed: T, d_x: &mut T) -> T {
///     *d_x += seed * T::from_f64(3.0) * x * x;
///     x * x * x
/// }
///
/// #[ad::differentiate(hessian)]
/// fn f(x: f64) -> f64 {
///     cube(x) + x
/// }
///
/// let (_, gradient, hessian) = f_hessian(2.0);
/// assert_eq!((gradient, hessian), (vec![13.0], vec![vec![12.0]]));
/// ```
#[doc(inline)]
pub use ad_macro::custom_adjoint;
pub use ad_runtime::{
    check, check_gradient, check_gradient_with, check_hessian, check_hessian_with, differentiable,
    hessian_check, rules, stack, Differentiable, Dual, GradientMismatch, HessianMismatch, Real,
    Tolerance,
};

/// Derives [`Differentiable`](trait@Differentiable) for a struct, so that a parameter of
/// its type can be differentiated with respect to; see [Models as
/// structs](crate#models-as-structs).
///
/// Fields of type `f32`/`f64`, `Vec`s, arrays and boxed slices of them, and other
/// `Differentiable` structs (also in `Vec`s) are differentiable; fields of integer,
/// `bool`, `char`, `String` or `&str` type (or sequences of them) are constants, and
/// so is any field marked `#[ad(constant)]` (a float hyper-parameter, an enum, a
/// config struct): an adjoint holds a clone of them. Works on tuple structs; not on
/// generic structs, enums or unions.
///
/// ```
/// use ad::Differentiable;
///
/// #[derive(Clone, Debug, PartialEq, Differentiable)]
/// struct Layer {
///     w: Vec<f64>,
///     b: f64,
/// }
///
/// #[derive(Clone, Debug, Differentiable)]
/// struct Model {
///     layers: Vec<Layer>,
///     scale: [f64; 2],
///     #[ad(constant)]
///     learning_rate: f64,
///     name: String,
/// }
///
/// let mut model = Model {
///     layers: vec![Layer { w: vec![1.0, 2.0], b: 0.5 }],
///     scale: [1.0, 1.0],
///     learning_rate: 0.1,
///     name: "tiny".into(),
/// };
/// assert_eq!(model.scalar_count(), 5); // w (2), b, scale (2)
/// assert_eq!(model.to_scalars(), [1.0, 2.0, 0.5, 1.0, 1.0]);
///
/// let mut gradient = model.zeroed_like(); // zeros, with the constants copied
/// gradient.layers[0].b = 1.0;
/// model.add_scaled(&gradient, -model.learning_rate);
/// assert_eq!(model.layers[0].b, 0.4);
/// ```
#[doc(inline)]
pub use ad_macro::Differentiable;

/// `value`, unchanged. Inside a `#[differentiate]` function, no adjoint flows back
/// through it: the gradient treats it as a constant (a "stop-gradient").
///
/// ```
/// #[ad::differentiate]
/// fn f(x: f64, y: f64) -> f64 {
///     ad::no_grad(x * y) * y
/// }
/// assert_eq!(f_grad(2.0, 3.0), (18.0, 0.0, 6.0));
/// ```
#[inline]
pub fn no_grad<T>(value: T) -> T {
    value
}

pub mod special;
#[doc(inline)]
pub use special::{digamma, erf, erfc, lgamma, ln_gamma, trigamma};
// What `ad::erf(x)` in a `#[differentiate]` function calls.
#[doc(hidden)]
pub use special::{
    digamma_adjoint_all, digamma_hvp_all, digamma_jvp_all, erf_adjoint_all, erf_hvp_all,
    erf_jvp_all, erfc_adjoint_all, erfc_hvp_all, erfc_jvp_all, ln_gamma_adjoint_all,
    ln_gamma_hvp_all, ln_gamma_jvp_all, trigamma_adjoint_all, trigamma_hvp_all, trigamma_jvp_all,
};
// `ad::lgamma(x)`, C's name of `ln_gamma`.
#[doc(hidden)]
pub use special::{
    ln_gamma_adjoint_all as lgamma_adjoint_all, ln_gamma_hvp_all as lgamma_hvp_all,
    ln_gamma_jvp_all as lgamma_jvp_all,
};

/// argmin's solvers (L-BFGS, …) on `#[differentiate]` gradients (cargo feature `argmin`).
#[cfg(feature = "argmin")]
#[cfg_attr(docsrs, doc(cfg(feature = "argmin")))]
pub mod argmin;

/// Items the generated code names; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use ad_runtime::__private::*;
}
