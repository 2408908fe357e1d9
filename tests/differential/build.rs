//! Writes random `#[differentiate]` programs, each twice, into `$OUT_DIR`.
//!
//! A program is drawn as a small AST ([`Expr`], [`Cond`], [`Stmt`]) and rendered
//! by one renderer in two modes:
//!
//! - [`Mode::F64`]: the function over `f64` with `#[differentiate]`, written the
//!   way a user would write it: the program under test. Every [`HESSIAN_EVERY`]-th
//!   program has `#[differentiate(hessian)]` instead, which adds `f_jvp`, `f_hvp`
//!   and `f_hessian`;
//! - [`Mode::Dual`]: the same function generic over `D: Oracle` (`NAME_dual`), the
//!   oracle, instantiated over `num_dual::Dual64` for the gradient and, for the
//!   programs with `hessian`, over `num_dual::HyperDual64` for H·v. Literals
//!   become `c::<D>(0.5)`, `i as f64` becomes `c::<D>(i as f64)`, calls go to the
//!   callee's `_dual` twin, slice loops bind `&e`, and `tanh`, `powi`, `hypot` and
//!   `mul_add` go to generic helpers in `tests/common/mod.rs` whose real part is
//!   the `f64` function itself, so that both renderings take the same branches,
//!   and whose derivative parts are exact to second order.
//!
//! The grammar: straight-line arithmetic over the elementary functions (method
//! and `f64::` path forms), `if` and `match` expressions and statements, calls
//! between the generated functions (scalar, slice and `usize` arguments), early
//! `return`s, and loops nested two deep: `for` over integer ranges (`0..n + 2`,
//! `1..=3`, `.rev()`, `.step_by(2)`), `for` over the slice parameter (by value,
//! by reference, `enumerate`d), `while` on an integer counter, `while` on a float
//! bounded by a counter (`while v3 < 0.8 && k0 < 6`), `loop` with `break` and
//! `let v = loop { … break value; … }`. Loops carry variables declared before
//! them, and their bodies write those in the shapes of issue 13: the previous
//! iterate kept (`p = s;` before or after `s`'s update), copies (of another
//! state, of a parameter, through `* 1.0`), swaps (`(a, b) = (b, c1 a + c2 b)`,
//! `[u, v] = [v, u]`, rotations, through a temporary), updates under integer or
//! float conditions and in `match` arms, updates after a guarded
//! `break`/`continue`, shadowing `let`s (`let s = s * 0.5;`), inner loops that
//! are the only writers of an outer variable. The result combines several carried
//! values. Expressions include iterator chains and closures (issue 15): `(0..k).map(…)
//! .sum()`, a closure bound to a name and called twice, and over the slice `zip` with
//! `skip`, `fold`, `windows`, `enumerate`, `max_by` and `filter`; the oracle runs the
//! same chain through the standard library over `D`. And the value and data
//! shapes of issue 16 ([`Gen::shape`]): array literals and `vec![…]` (destructured,
//! iterated, written in place), tuples destructured from tuples and `if`s, sub-slices of `w`
//! (`&w[a..]`, `&w[..b]`, `split_at`) passed to the differentiated `sub_norm` and
//! iterated, slice methods (`to_vec`, `swap`, `first`, `last`, `fill`), a `Copy`
//! struct `Pair { a, b }` carried through a loop, a `match` on an enum, `Vec::new()`
//! pushed to under a condition (also in loop bodies), a nested `fn inner` that
//! calls go to, `ad::erf` and `rem_euclid` (`erf` and `rem_euclid` over `D` are
//! helpers of `common`). Every
//! operation keeps its
//! arguments in its smooth domain (`ln` of
//! `1 + x²`, division by `1 + x²`, `tanh`, contracting updates), so values stay
//! bounded and central differences are a fair second reference.
//!
//! Every [`STRUCT_EVERY`]-th program takes its parameters as the fields of a
//! `#[derive(ad::Differentiable)]` struct (issue 17): rendered over `f64`, it reads
//! `ps.x0`, `ps.w[i]`, `ps.w.iter()…` and passes `&ps.w` on, with `wrt(ps)`; its
//! adapters build the struct from the flat point and flatten its adjoints, and the
//! oracle is the same dual program as for the others.
//!
//! Output: `programs_K.rs` for each of the [`CHUNKS`] test targets
//! `tests/random_K.rs` (one crate of 4000 programs compiles in worse than linear
//! time, and separate targets compile in parallel), each with its programs,
//! their dual twins, adapters from a flat point, and a `CASES` table of two
//! points (with two values of `n`) per program. A program with `hessian` also has
//! adapters of `f_jvp`, `f_hvp` and `f_hessian` and of its hyper-dual twin, and
//! its callees (and `_unary` wrappers) have `hessian` too: a caller with the
//! option cannot call a function without it. Each point carries a tangent `t`
//! (for `f_jvp`) and a vector `v` (for `f_hvp`) in [-1, 1], drawn from a stream
//! of their own so that the programs are the same as without them.
//! `tests/common/mod.rs` checks them (value bit for bit, gradient against the
//! dual program to 1e-10 relative to its largest component, central differences;
//! ∇f·t against the dual gradient, f_hvp's gradient against f_grad's, H·v against
//! the hyper-dual program to 1e-9 relative and against central differences of
//! f_grad along `v`; f_hessian's gradient and Hessian times `v`).
//!
//! `AD_RANDOM_PROGRAMS` (default [`DEFAULT_PROGRAMS`]) sets the number of
//! programs, `AD_RANDOM_SEED` draws another set, `AD_RANDOM_KNOWN_BUGS=1`
//! re-enables the shapes excluded because of known macro bugs (see
//! [`Gen::known_bugs`]).

use std::fmt::Write;

/// Programs per `cargo test` when `AD_RANDOM_PROGRAMS` is not set.
const DEFAULT_PROGRAMS: usize = 4000;

/// Test targets (`tests/random_K.rs`), compiled in parallel; calls stay within one.
const CHUNKS: usize = 8;

/// Program `p` gets `#[differentiate(hessian)]` (and its second-order checks)
/// when `p % HESSIAN_EVERY == 0`; its callees then have it too. A divisor of
/// [`CHUNKS`], so whole test targets have it (`random_0` and `random_4`) and their
/// calls stay as they were. Not every program: `hessian` (f_jvp, f_hvp,
/// f_hessian) and the hyper-dual twin on all 4000 took the compile time far
/// beyond twice the 6 minutes of f_grad alone (on two shared cores, the first
/// half of the test targets alone 12.5 minutes; at 400 programs 1.9 times the CPU
/// time, 1.55 times with every second program).
const HESSIAN_EVERY: usize = 4;

/// Every `STRUCT_EVERY`-th program (from program 3) takes its differentiable
/// parameters as the fields of a `#[derive(ad::Differentiable)]` struct. Such a
/// program is nobody's callee.
const STRUCT_EVERY: usize = 6;

/// xorshift64*: small, deterministic, good enough to draw programs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// A coefficient in `[lo, hi]`, with two decimals.
    fn coef(&mut self, lo: f64, hi: f64) -> f64 {
        let steps = ((hi - lo) * 100.0).round() as usize;
        lo + self.below(steps + 1) as f64 / 100.0
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }
}

// ---------------------------------------------------------------------------
// The program AST and its renderer.

/// Which function a program is rendered as.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Over `f64`, with `#[differentiate]`: the program under test.
    F64,
    /// Generic over `D: Oracle` (`Dual64`, `HyperDual64`): the oracle.
    Dual,
}

/// A float expression.
#[derive(Clone)]
enum Expr {
    Var(String),
    /// An element a slice loop binds by reference: `(*e)` (the dual loop binds `&e`).
    Deref(String),
    /// A literal whose type the other operand fixes: `0.5`.
    Coef(f64),
    /// A literal on its own: `0.5_f64`.
    Lit(f64),
    /// `(i as f64)` of an integer expression.
    IntAsFloat(String),
    /// `w[index]`.
    Elem(String),
    /// `w.iter().sum::<f64>()`.
    SliceSum,
    Neg(Box<Expr>),
    Bin(char, Box<Expr>, Box<Expr>),
    /// `(a).name()`, or `f64::name(a)` when `path`.
    Func {
        name: &'static str,
        arg: Box<Expr>,
        path: bool,
    },
    Powi(Box<Expr>, i32),
    /// `f64::hypot(a, b)`, or `(a).hypot(b)` when not `path`.
    Hypot(Box<Expr>, Box<Expr>, bool),
    MulAdd(Box<Expr>, Box<Expr>, Box<Expr>),
    /// A generated function: the float argument, then the others verbatim.
    Call {
        name: String,
        arg: Box<Expr>,
        rest: Vec<String>,
    },
    If(Box<Cond>, Box<Expr>, Box<Expr>),
    /// `match scrutinee { 0 => a, 1 | 2 => b, _ => c }`.
    Match(String, Box<Expr>, Box<Expr>, Box<Expr>),
    /// An iterator chain or a closure (issue 15); `a` and `b` are captured by its
    /// closures, `k` sizes a range. The same chain runs over `D` in the oracle.
    Chain(Chain, Box<Expr>, Box<Expr>, usize),
    /// `ad::erf(a)`, a special function with a custom adjoint (issue 16); `erf(a)`
    /// over `D`, a helper of `common`.
    Erf(Box<Expr>),
    /// `(a).rem_euclid(b)` (issue 16), piecewise linear; `rem_euclid(a, b)` over
    /// `D`, a helper of `common`. `b` is kept at least 1.
    RemEuclid(Box<Expr>, Box<Expr>),
}

/// The shapes of [`Expr::Chain`].
#[derive(Clone, Copy)]
enum Chain {
    /// `(0..k).map(|cj| …).sum()`, the closure reading `cj` and `a`.
    RangeMap,
    /// A named closure called twice: `{ let cf = |ct: f64| …; cf(a) + cf(b) }`.
    Named,
    /// `w.iter().zip(w.iter().skip(1)).map(|(&cp, &cq)| …).sum()`.
    ZipSkip,
    /// `w.iter().fold(a, |cacc, &cv| …)`.
    Fold,
    /// `w.windows(2).map(|cs| …).sum()`.
    Windows,
    /// `w.iter().enumerate().map(|(ck, &cv)| …).sum()`.
    Enumerate,
    /// `w.iter().copied().max_by(|x, y| x.partial_cmp(y).unwrap()).unwrap()`.
    Max,
    /// `w.iter().filter(|&&cv| cv > 0.1).map(|&cv| …).sum()`.
    Filter,
}

/// A condition.
#[derive(Clone)]
enum Cond {
    /// A comparison of floats.
    Float(Expr, &'static str, Expr),
    /// An integer condition, verbatim: `i % 2 == 0`.
    Int(String),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
}

/// A statement.
#[derive(Clone)]
enum Stmt {
    Let {
        name: String,
        mutable: bool,
        value: Expr,
    },
    /// `target op value;` with `op` one of `= += -= *= /=`.
    Assign {
        target: String,
        op: &'static str,
        value: Expr,
    },
    /// `(a, b) = (x, y);`, or `[a, b] = [x, y];` when `array`.
    Parallel {
        targets: Vec<String>,
        values: Vec<Expr>,
        array: bool,
    },
    /// An integer statement, verbatim: `let mut k0 = 0;`, `k0 += 1;`.
    Raw(String),
    Break(Option<Expr>),
    Continue,
    Return(Expr),
    If {
        cond: Cond,
        then: Vec<Stmt>,
        otherwise: Option<Vec<Stmt>>,
    },
    /// `match scrutinee { pattern => { … } … }`.
    Match {
        scrutinee: String,
        arms: Vec<(String, Vec<Stmt>)>,
    },
    /// `for head { body }`, the head verbatim: `i0 in (0..n + 2).rev()`.
    For {
        head: String,
        body: Vec<Stmt>,
    },
    /// `for (index, &elem) in w.iter().enumerate()` and its variants.
    ForSlice {
        index: Option<String>,
        elem: String,
        by_ref: bool,
        body: Vec<Stmt>,
    },
    While {
        cond: Cond,
        body: Vec<Stmt>,
    },
    /// `loop { … }`, or `let name = loop { … };` when `name` is set.
    Loop {
        name: Option<String>,
        body: Vec<Stmt>,
    },
    /// Lines of pieces, each rendered in the mode: the value and data shapes of
    /// issue 16 ([`Gen::shape`]).
    Lines(Vec<Vec<Piece>>),
}

/// A piece of a [`Stmt::Lines`] line.
#[derive(Clone)]
enum Piece {
    /// The same text in both modes.
    Text(String),
    /// An expression, rendered in the mode.
    Expr(Expr),
    /// A condition, rendered in the mode.
    Cond(Cond),
    /// Text for the `f64` program, then for the oracle.
    Mode(String, String),
}

/// Text and expressions as a line of a [`Stmt::Lines`].
macro_rules! line {
    ($($piece:expr),* $(,)?) => {
        vec![$(Piece::from($piece)),*]
    };
}

impl From<&str> for Piece {
    fn from(text: &str) -> Piece {
        Piece::Text(text.to_owned())
    }
}

impl From<String> for Piece {
    fn from(text: String) -> Piece {
        Piece::Text(text)
    }
}

impl From<Expr> for Piece {
    fn from(expr: Expr) -> Piece {
        Piece::Expr(expr)
    }
}

impl From<Cond> for Piece {
    fn from(cond: Cond) -> Piece {
        Piece::Cond(cond)
    }
}

/// One generated function: `x0, …: f64`, maybe `w: &[f64]`, then `n: usize`.
struct Program {
    name: String,
    floats: usize,
    slice: bool,
    /// Rendered with `#[differentiate(hessian)]` (see [`HESSIAN_EVERY`]).
    hessian: bool,
    /// Its differentiable parameters are the fields of a struct (issue 17; see
    /// [`STRUCT_EVERY`]): the function takes `ps: &ProgramKParams` and reads
    /// `ps.x0`, `ps.w[i]`, `&ps.w` where the others read `x0`, `w[i]`, `w`.
    in_struct: bool,
    body: Vec<Stmt>,
    result: Expr,
}

/// The parameter struct of a struct program: `Program3Params` for `program_3`.
fn struct_name(program: &str) -> String {
    format!("Program{}Params", program.trim_start_matches("program_"))
}

fn literal(x: f64) -> String {
    format!("{x:.3}")
}

impl Expr {
    fn boxed(self) -> Box<Expr> {
        Box::new(self)
    }

    /// Whether the expression reads no float variable, parameter or element.
    fn is_constant(&self) -> bool {
        match self {
            Expr::Var(_) | Expr::Deref(_) | Expr::Elem(_) | Expr::SliceSum => false,
            Expr::Coef(_) | Expr::Lit(_) | Expr::IntAsFloat(_) => true,
            Expr::Neg(a) | Expr::Func { arg: a, .. } | Expr::Powi(a, _) | Expr::Erf(a) => {
                a.is_constant()
            }
            Expr::Bin(_, a, b) | Expr::Hypot(a, b, _) | Expr::RemEuclid(a, b) => {
                a.is_constant() && b.is_constant()
            }
            Expr::MulAdd(a, b, c) | Expr::Match(_, a, b, c) => {
                a.is_constant() && b.is_constant() && c.is_constant()
            }
            Expr::Call { arg, .. } => arg.is_constant(),
            Expr::If(cond, a, b) => cond.is_constant() && a.is_constant() && b.is_constant(),
            Expr::Chain(chain, a, b, _) => {
                matches!(chain, Chain::RangeMap | Chain::Named)
                    && a.is_constant()
                    && b.is_constant()
            }
        }
    }

    fn render(&self, mode: Mode) -> String {
        let dual = mode == Mode::Dual;
        match self {
            Expr::Var(name) => name.clone(),
            Expr::Deref(name) if dual => name.clone(),
            Expr::Deref(name) => format!("(*{name})"),
            Expr::Coef(x) if dual => format!("c::<D>({})", literal(*x)),
            Expr::Coef(x) => literal(*x),
            Expr::Lit(x) if dual => format!("c::<D>({})", literal(*x)),
            Expr::Lit(x) => format!("{}_f64", literal(*x)),
            Expr::IntAsFloat(i) => {
                let i = if i.chars().all(|c| c.is_ascii_alphanumeric()) {
                    i.clone()
                } else {
                    format!("({i})")
                };
                if dual {
                    format!("c::<D>({i} as f64)")
                } else {
                    format!("({i} as f64)")
                }
            }
            Expr::Elem(index) => format!("w[{index}]"),
            Expr::SliceSum if dual => "w.iter().sum::<D>()".into(),
            Expr::SliceSum => "w.iter().sum::<f64>()".into(),
            Expr::Neg(a) => format!("-({})", a.render(mode)),
            Expr::Bin(op, a, b) => format!("({} {op} {})", a.render(mode), b.render(mode)),
            // Helpers whose real part is the f64 function's (num-dual's tanh is
            // sinh / cosh, which is NaN beyond |x| = 710).
            Expr::Func { name, arg, .. } if dual && *name == "tanh" => {
                format!("tanh({})", arg.render(mode))
            }
            Expr::Func { name, arg, path } if *path && !dual => {
                format!("f64::{name}({})", arg.render(mode))
            }
            Expr::Func { name, arg, .. } => format!("({}).{name}()", arg.render(mode)),
            Expr::Powi(a, k) if dual => format!("powi({}, {k})", a.render(mode)),
            Expr::Powi(a, k) => format!("({}).powi({k})", a.render(mode)),
            Expr::Hypot(a, b, _) if dual => {
                format!("hypot({}, {})", a.render(mode), b.render(mode))
            }
            Expr::Hypot(a, b, true) => {
                format!("f64::hypot({}, {})", a.render(mode), b.render(mode))
            }
            Expr::Hypot(a, b, false) => format!("({}).hypot({})", a.render(mode), b.render(mode)),
            Expr::MulAdd(a, b, c) if dual => format!(
                "mul_add({}, {}, {})",
                a.render(mode),
                b.render(mode),
                c.render(mode)
            ),
            Expr::MulAdd(a, b, c) => format!(
                "({}).mul_add({}, {})",
                a.render(mode),
                b.render(mode),
                c.render(mode)
            ),
            Expr::Call { name, arg, rest } => {
                let suffix = if dual { "_dual" } else { "" };
                let mut args = arg.render(mode);
                for r in rest {
                    args.push_str(", ");
                    args.push_str(r);
                }
                format!("{name}{suffix}({args})")
            }
            Expr::If(cond, a, b) => format!(
                "(if {} {{ {} }} else {{ {} }})",
                cond.render(mode),
                a.render(mode),
                b.render(mode)
            ),
            Expr::Match(scrutinee, a, b, c) => format!(
                "(match {scrutinee} {{ 0 => {}, 1 | 2 => {}, _ => {} }})",
                a.render(mode),
                b.render(mode),
                c.render(mode)
            ),
            Expr::Chain(chain, a, b, k) => chain.render(mode, &a.render(mode), &b.render(mode), *k),
            Expr::RemEuclid(a, b) if dual => {
                format!("rem_euclid({}, {})", a.render(mode), b.render(mode))
            }
            Expr::RemEuclid(a, b) => {
                format!("({}).rem_euclid({})", a.render(mode), b.render(mode))
            }
            Expr::Erf(a) if dual => format!("erf({})", a.render(mode)),
            Expr::Erf(a) => format!("ad::erf({})", a.render(mode)),
        }
    }
}

impl Chain {
    /// The chain in `mode`: the same Rust, with the float type, its literals and
    /// `tanh` (a helper over `D`) spelled for the mode.
    fn render(self, mode: Mode, a: &str, b: &str, k: usize) -> String {
        let dual = mode == Mode::Dual;
        let float = if dual { "D" } else { "f64" };
        let lit = |x: &str| {
            if dual {
                format!("c::<D>({x})")
            } else {
                x.to_owned()
            }
        };
        let tanh = |x: String| {
            if dual {
                format!("tanh({x})")
            } else {
                format!("({x}).tanh()")
            }
        };
        let (half, tenth, one) = (lit("0.5"), lit("0.1"), lit("1.0"));
        match self {
            Chain::RangeMap => {
                let index = Expr::IntAsFloat("cj".into()).render(mode);
                let body = tanh(format!("{a} * {half} + {index} * {tenth}"));
                format!("(0..{k}).map(|cj| {body}).sum::<{float}>()")
            }
            Chain::Named => {
                let body = tanh(format!("ct * ct * {half} + {a}"));
                format!("{{ let cf = |ct: {float}| {body}; cf({a}) + cf({b}) }}")
            }
            Chain::ZipSkip => {
                let body = tanh(format!("(cp - cq) * {a}"));
                format!("w.iter().zip(w.iter().skip(1)).map(|(&cp, &cq)| {body}).sum::<{float}>()")
            }
            Chain::Fold => {
                let body = tanh(format!("cacc * {half} + cv * {b}"));
                format!("w.iter().fold({a}, |cacc, &cv| {body})")
            }
            Chain::Windows => {
                let body = tanh(format!("(cs[1] - cs[0]) * {a}"));
                format!("w.windows(2).map(|cs| {body}).sum::<{float}>()")
            }
            Chain::Enumerate => {
                let index = Expr::IntAsFloat("ck".into()).render(mode);
                let body = tanh(format!("cv * {a} + {index} * {tenth}"));
                format!("w.iter().enumerate().map(|(ck, &cv)| {body}).sum::<{float}>()")
            }
            Chain::Max => {
                format!("(w.iter().copied().max_by(|cx, cy| cx.partial_cmp(cy).unwrap()).unwrap() * {a})")
            }
            Chain::Filter => {
                let body = tanh(format!("cv * {a} + {one}"));
                let bound = if dual {
                    "cv.re() > 0.1".to_owned()
                } else {
                    "cv > 0.1".to_owned()
                };
                format!("w.iter().filter(|&&cv| {bound}).map(|&cv| {body}).sum::<{float}>()")
            }
        }
    }
}

impl Cond {
    fn is_constant(&self) -> bool {
        match self {
            Cond::Float(a, _, b) => a.is_constant() && b.is_constant(),
            Cond::Int(_) => true,
            Cond::And(a, b) | Cond::Or(a, b) => a.is_constant() && b.is_constant(),
            Cond::Not(a) => a.is_constant(),
        }
    }

    fn render(&self, mode: Mode) -> String {
        match self {
            Cond::Float(a, op, b) => format!("{} {op} {}", a.render(mode), b.render(mode)),
            Cond::Int(text) => text.clone(),
            Cond::And(a, b) => format!("({}) && ({})", a.render(mode), b.render(mode)),
            Cond::Or(a, b) => format!("({}) || ({})", a.render(mode), b.render(mode)),
            Cond::Not(a) => format!("!({})", a.render(mode)),
        }
    }
}

fn render_block(stmts: &[Stmt], mode: Mode, indent: usize, out: &mut String) {
    for stmt in stmts {
        stmt.render(mode, indent, out);
    }
}

impl Stmt {
    fn render(&self, mode: Mode, indent: usize, out: &mut String) {
        let pad = "    ".repeat(indent);
        let dual = mode == Mode::Dual;
        match self {
            Stmt::Let {
                name,
                mutable,
                value,
            } => {
                let m = if *mutable { "mut " } else { "" };
                writeln!(out, "{pad}let {m}{name} = {};", value.render(mode)).unwrap();
            }
            Stmt::Assign { target, op, value } => {
                writeln!(out, "{pad}{target} {op} {};", value.render(mode)).unwrap();
            }
            Stmt::Parallel {
                targets,
                values,
                array,
            } => {
                let (open, close) = if *array { ("[", "]") } else { ("(", ")") };
                let values: Vec<String> = values.iter().map(|v| v.render(mode)).collect();
                writeln!(
                    out,
                    "{pad}{open}{}{close} = {open}{}{close};",
                    targets.join(", "),
                    values.join(", ")
                )
                .unwrap();
            }
            Stmt::Raw(text) => writeln!(out, "{pad}{text}").unwrap(),
            Stmt::Break(None) => writeln!(out, "{pad}break;").unwrap(),
            Stmt::Break(Some(value)) => {
                writeln!(out, "{pad}break {};", value.render(mode)).unwrap()
            }
            Stmt::Continue => writeln!(out, "{pad}continue;").unwrap(),
            Stmt::Return(value) => writeln!(out, "{pad}return {};", value.render(mode)).unwrap(),
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                writeln!(out, "{pad}if {} {{", cond.render(mode)).unwrap();
                render_block(then, mode, indent + 1, out);
                if let Some(otherwise) = otherwise {
                    writeln!(out, "{pad}}} else {{").unwrap();
                    render_block(otherwise, mode, indent + 1, out);
                }
                writeln!(out, "{pad}}}").unwrap();
            }
            Stmt::Match { scrutinee, arms } => {
                writeln!(out, "{pad}match {scrutinee} {{").unwrap();
                for (pattern, body) in arms {
                    writeln!(out, "{pad}    {pattern} => {{").unwrap();
                    render_block(body, mode, indent + 2, out);
                    writeln!(out, "{pad}    }}").unwrap();
                }
                writeln!(out, "{pad}}}").unwrap();
            }
            Stmt::For { head, body } => {
                writeln!(out, "{pad}for {head} {{").unwrap();
                render_block(body, mode, indent + 1, out);
                writeln!(out, "{pad}}}").unwrap();
            }
            Stmt::ForSlice {
                index,
                elem,
                by_ref,
                body,
            } => {
                // The dual loop always binds the element by value (`D` is
                // `Copy`); the f64 loop sometimes binds a reference, read as `(*e)`.
                let pattern = if *by_ref && !dual {
                    elem.clone()
                } else {
                    format!("&{elem}")
                };
                match index {
                    Some(index) => writeln!(
                        out,
                        "{pad}for ({index}, {pattern}) in w.iter().enumerate() {{"
                    ),
                    None => writeln!(out, "{pad}for {pattern} in w.iter() {{"),
                }
                .unwrap();
                render_block(body, mode, indent + 1, out);
                writeln!(out, "{pad}}}").unwrap();
            }
            Stmt::While { cond, body } => {
                writeln!(out, "{pad}while {} {{", cond.render(mode)).unwrap();
                render_block(body, mode, indent + 1, out);
                writeln!(out, "{pad}}}").unwrap();
            }
            Stmt::Loop { name, body } => {
                match name {
                    Some(name) => writeln!(out, "{pad}let {name} = loop {{"),
                    None => writeln!(out, "{pad}loop {{"),
                }
                .unwrap();
                render_block(body, mode, indent + 1, out);
                let end = if name.is_some() { "};" } else { "}" };
                writeln!(out, "{pad}{end}").unwrap();
            }
            Stmt::Lines(lines) => {
                for line in lines {
                    out.push_str(&pad);
                    for piece in line {
                        match piece {
                            Piece::Text(text) => out.push_str(text),
                            Piece::Expr(expr) => out.push_str(&expr.render(mode)),
                            Piece::Cond(cond) => out.push_str(&cond.render(mode)),
                            Piece::Mode(f64_text, _) if !dual => out.push_str(f64_text),
                            Piece::Mode(_, dual_text) => out.push_str(dual_text),
                        }
                    }
                    out.push('\n');
                }
            }
        }
    }
}

impl Program {
    fn render(&self, mode: Mode) -> String {
        let (float, attribute, suffix) = match mode {
            Mode::F64 if self.hessian => ("f64", "#[differentiate(hessian)]\n", ""),
            Mode::F64 => ("f64", "#[differentiate]\n", ""),
            Mode::Dual => ("D", "", "_dual<D: Oracle>"),
        };
        let mut params: Vec<String> = (0..self.floats).map(|k| format!("x{k}: {float}")).collect();
        if self.slice {
            params.push(format!("w: &[{float}]"));
        }
        params.push("n: usize".into());
        let mut out = format!(
            "{attribute}fn {}{suffix}({}) -> {float} {{\n",
            self.name,
            params.join(", ")
        );
        render_block(&self.body, mode, 1, &mut out);
        writeln!(out, "    {}\n}}\n", self.result.render(mode)).unwrap();
        if self.in_struct && mode == Mode::F64 {
            return self.in_struct_form(&out);
        }
        out
    }

    /// The function rendered over `f64`, its parameters made the fields of a
    /// struct: the struct, and the function reading the fields where it read the
    /// parameters (a bare `w` passed to a callee becomes `&ps.w`).
    fn in_struct_form(&self, rendered: &str) -> String {
        let name = &self.name;
        let mut fields: Vec<String> = (0..self.floats)
            .map(|k| format!("    x{k}: f64,"))
            .collect();
        if self.slice {
            fields.push("    w: Vec<f64>,".into());
        }
        let (head, body) = rendered.split_once('\n').expect("an attribute line");
        let (signature, body) = body.split_once('\n').expect("a signature line");
        let _ = (head, signature);
        let attribute = match self.hessian {
            true => "#[differentiate(wrt(ps), hessian)]",
            false => "#[differentiate(wrt(ps))]",
        };
        let params = struct_name(name);
        let chars: Vec<char> = body.chars().collect();
        let mut out = String::new();
        let mut k = 0;
        while k < chars.len() {
            let c = chars[k];
            if !(c.is_ascii_alphanumeric() || c == '_') {
                out.push(c);
                k += 1;
                continue;
            }
            let start = k;
            while k < chars.len() && (chars[k].is_ascii_alphanumeric() || chars[k] == '_') {
                k += 1;
            }
            let word: String = chars[start..k].iter().collect();
            let before = chars[..start]
                .iter()
                .rev()
                .find(|c| !c.is_whitespace())
                .copied();
            let after = chars[k..].iter().find(|c| !c.is_whitespace()).copied();
            let is_param = word == "w"
                || (word.len() == 2
                    && word.starts_with('x')
                    && word[1..].parse::<usize>().is_ok_and(|d| d < self.floats));
            // `a.w` is a field and `w::x` a path, but `..w` is a range's end.
            let dot =
                start >= 1 && chars[start - 1] == '.' && !(start >= 2 && chars[start - 2] == '.');
            let field_or_path =
                dot || (matches!(after, Some(':')) && chars.get(k + 1) == Some(&':'));
            if !is_param || field_or_path {
                out.push_str(&word);
            } else if word == "w"
                && matches!(before, Some('(' | ','))
                && matches!(after, Some(',' | ')'))
            {
                out.push_str("&ps.w");
            } else {
                out.push_str("ps.");
                out.push_str(&word);
            }
        }
        format!(
            "#[derive(Clone, ad::Differentiable)]\nstruct {params} {{\n{}\n}}\n\n{attribute}\nfn {name}(ps: &{params}, n: usize) -> f64 {{\n{out}",
            fields.join("\n")
        )
    }
}

// ---------------------------------------------------------------------------
// The generator.

/// A generated function later ones may call.
struct Callee {
    name: String,
    /// Takes `w` after its float argument.
    slice: bool,
    /// Takes `n` last.
    int_arg: bool,
    /// Estimated operations per call.
    cost: f64,
    /// Has `f_jvp`/`f_hvp`: a caller with `hessian` may only call such callees.
    hessian: bool,
}

#[derive(Clone)]
struct FloatVar {
    name: String,
    mutable: bool,
    by_ref: bool,
    /// An immutable `let` in a loop body: any function of the carried values, so
    /// not a source of copies into them (`v2 = t` with `t = v2 * v2 + 0.5`
    /// would square `v2` every iteration, to infinity).
    temp: bool,
}

#[derive(Clone)]
struct IntVar {
    name: String,
    /// May be passed as a `usize` argument to a callee.
    free: bool,
}

#[derive(Default)]
struct Scope {
    floats: Vec<FloatVar>,
    ints: Vec<IntVar>,
}

/// An enclosing loop.
#[derive(Clone, Copy)]
struct Frame {
    /// A `let v = loop`, whose `break`s carry a value.
    valued: bool,
    /// Its body may `break` or `return` (else its index may go to a callee).
    exits: bool,
}

/// What the generator knows while writing one function body.
struct Gen<'r> {
    rng: &'r mut Rng,
    next: usize,
    scopes: Vec<Scope>,
    callees: &'r [Callee],
    slice: bool,
    /// The function has `hessian`, so its callees must have it too.
    hessian: bool,
    /// The enclosing loops, innermost last.
    loops: Vec<Frame>,
    /// Nesting of `if`/`match` statements.
    branches: usize,
    /// Estimated trips of the innermost code (product over the enclosing loops).
    trips: f64,
    /// Estimated operations of the whole function.
    cost: f64,
    /// Known macro bugs, excluded unless `AD_RANDOM_KNOWN_BUGS=1`:
    /// - no loop counter of a `while` or `loop`, index of a `step_by` range, or
    ///   index of a loop whose body may `break` or `return` is passed as a
    ///   `usize` argument to a callee (the reverse sweep pops it as an `i32`:
    ///   "expected `usize`, found `i32`");
    /// - a call's float argument is not constant: a constant `if` or `match`
    ///   argument is rejected ("`match` is not supported yet"), and a carried
    ///   variable that starts as a constant call's value may be popped without a
    ///   type in the reverse sweep ("type annotations needed: `_: Record`").
    known_bugs: bool,
    /// A variable expressions must not read (the target of a write-only copy).
    hidden: Option<String>,
    /// The body starts with a nested `fn inner(a: f64) -> f64` (issue 16) that
    /// calls may go to.
    inner: bool,
}

impl Gen<'_> {
    fn fresh(&mut self) -> String {
        self.next += 1;
        format!("v{}", self.next)
    }

    fn scope(&mut self) -> &mut Scope {
        self.scopes.last_mut().expect("a scope")
    }

    fn bind(&mut self, name: &str, mutable: bool) {
        let var = FloatVar {
            name: name.into(),
            mutable,
            by_ref: false,
            temp: !mutable && !self.loops.is_empty(),
        };
        self.scope().floats.push(var);
    }

    fn bind_int(&mut self, name: &str, free: bool) {
        let var = IntVar {
            name: name.into(),
            free,
        };
        self.scope().ints.push(var);
    }

    /// The float bindings in scope, innermost first, each name once.
    fn floats(&self) -> Vec<FloatVar> {
        let mut seen: Vec<FloatVar> = Vec::new();
        for scope in self.scopes.iter().rev() {
            for var in scope.floats.iter().rev() {
                if !seen.iter().any(|s| s.name == var.name)
                    && self.hidden.as_ref() != Some(&var.name)
                {
                    seen.push(var.clone());
                }
            }
        }
        seen
    }

    /// Mutable float variables in scope (not shadowed by an immutable binding).
    fn assignable(&self) -> Vec<String> {
        self.floats()
            .into_iter()
            .filter(|v| v.mutable)
            .map(|v| v.name)
            .collect()
    }

    fn ints(&self) -> Vec<IntVar> {
        let mut seen: Vec<IntVar> = Vec::new();
        for scope in self.scopes.iter().rev() {
            for var in scope.ints.iter().rev() {
                if !seen.iter().any(|s| s.name == var.name) {
                    seen.push(var.clone());
                }
            }
        }
        seen
    }

    fn constant(&mut self) -> f64 {
        (self.rng.below(2000) as f64 - 1000.0) / 400.0
    }

    fn var_of(var: &FloatVar) -> Expr {
        if var.by_ref {
            Expr::Deref(var.name.clone())
        } else {
            Expr::Var(var.name.clone())
        }
    }

    fn var(&mut self) -> Expr {
        let vars = self.floats();
        let var = self.rng.pick(&vars);
        Self::var_of(&var)
    }

    /// A variable other than `not` and not a loop's temporary, if there is one.
    fn var_except(&mut self, not: &str) -> Expr {
        let vars: Vec<FloatVar> = self
            .floats()
            .into_iter()
            .filter(|v| v.name != not && !v.temp)
            .collect();
        if vars.is_empty() {
            Expr::Lit(self.constant())
        } else {
            let var = self.rng.pick(&vars);
            Self::var_of(&var)
        }
    }

    fn int(&mut self) -> String {
        let ints = self.ints();
        self.rng.pick(&ints).name
    }

    /// An index into `w` (whose length is at least 1).
    fn index(&mut self) -> String {
        let i = self.int();
        match self.rng.below(4) {
            0 => "0".into(),
            1 => "w.len() - 1".into(),
            2 => format!("{i} % w.len()"),
            _ => format!("({i} + {}) % w.len()", 1 + self.rng.below(3)),
        }
    }

    fn leaf(&mut self) -> Expr {
        match self.rng.below(100) {
            0..=69 => self.var(),
            70..=79 => Expr::Lit(self.constant()),
            80..=89 => Expr::IntAsFloat(self.int()),
            90..=97 if self.slice => Expr::Elem(self.index()),
            98 | 99 if self.slice => Expr::SliceSum,
            _ => self.var(),
        }
    }

    fn one_plus_square(a: Expr) -> Expr {
        Expr::Bin(
            '+',
            Expr::Coef(1.0).boxed(),
            Expr::Bin('*', a.clone().boxed(), a.boxed()).boxed(),
        )
    }

    fn func(name: &'static str, arg: Expr) -> Expr {
        Expr::Func {
            name,
            arg: arg.boxed(),
            path: false,
        }
    }

    fn expr(&mut self, depth: usize) -> Expr {
        if depth == 0 || self.rng.chance(25) {
            return self.leaf();
        }
        self.cost += self.trips;
        let (a, b) = (self.expr(depth - 1), self.expr(depth - 1));
        match self.rng.below(24) {
            0 => Expr::Bin('+', a.boxed(), b.boxed()),
            1 => Expr::Bin('-', a.boxed(), b.boxed()),
            2 | 3 => Expr::Bin('*', a.boxed(), b.boxed()),
            4 => Expr::Bin('/', a.boxed(), Self::one_plus_square(b).boxed()),
            5 => Self::func("sin", a),
            6 => Self::func("cos", a),
            7 => Self::func("tanh", a),
            8 => Self::func("ln", Self::one_plus_square(a)),
            9 => Self::func("sqrt", Self::one_plus_square(a)),
            10 => Self::func("exp", Self::func("tanh", a)),
            // Not on constants: a call of constants is an opaque constant, and a
            // constant `if` or `match` argument is a known bug (see `call`).
            11 if self.rng.chance(30) && (self.known_bugs || !a.is_constant()) => {
                Expr::Erf(a.boxed())
            }
            11 => Self::func("atan", a),
            12 => Expr::Powi(a.boxed(), 1 + self.rng.below(3) as i32),
            13 => Expr::Hypot(
                a.boxed(),
                Self::one_plus_square(b).boxed(),
                self.rng.chance(50),
            ),
            14 => Expr::MulAdd(a.boxed(), b.boxed(), Expr::Coef(0.5).boxed()),
            15 | 16 => self.call(a),
            17 => Expr::If(self.cond(1).into(), a.boxed(), b.boxed()),
            18 => {
                let scrutinee = self.match_scrutinee();
                let product = Expr::Bin('*', a.clone().boxed(), b.clone().boxed());
                Expr::Match(scrutinee, a.boxed(), b.boxed(), product.boxed())
            }
            19 => Expr::Bin('*', Expr::Coef(self.rng.coef(-1.5, 1.5)).boxed(), a.boxed()),
            20 if self.rng.chance(15) && (self.known_bugs || !a.is_constant()) => {
                Expr::RemEuclid(a.boxed(), Self::one_plus_square(b).boxed())
            }
            20 => Expr::Func {
                name: ["sin", "cos", "tanh", "atan"][self.rng.below(4)],
                arg: a.boxed(),
                path: true,
            },
            21 => Self::func("recip", Self::one_plus_square(a)),
            22 if self.rng.chance(60) => self.chain(a, b),
            _ => Expr::Neg(a.boxed()),
        }
    }

    /// An iterator chain or a closure around `a` and `b` (issue 15).
    fn chain(&mut self, a: Expr, b: Expr) -> Expr {
        let mut shapes = vec![Chain::RangeMap, Chain::Named];
        if self.slice {
            shapes.extend([
                Chain::ZipSkip,
                Chain::Fold,
                Chain::Windows,
                Chain::Enumerate,
                Chain::Max,
                Chain::Filter,
            ]);
        }
        let chain = self.rng.pick(&shapes);
        self.cost += 8.0 * self.trips;
        let k = 1 + self.rng.below(4);
        Expr::Chain(chain, a.boxed(), b.boxed(), k)
    }

    /// A call of an earlier program whose cost fits, else `a` itself.
    fn call(&mut self, a: Expr) -> Expr {
        if !self.known_bugs && a.is_constant() {
            return a;
        }
        if self.inner && self.rng.chance(35) {
            self.cost += 4.0 * self.trips;
            return Expr::Call {
                name: "inner".into(),
                arg: Self::func("tanh", a).boxed(),
                rest: Vec::new(),
            };
        }
        let budget = 20_000.0 - self.cost;
        let (trips, slice, hessian) = (self.trips, self.slice, self.hessian);
        let fitting: Vec<usize> = (0..self.callees.len())
            .filter(|&k| {
                let callee = &self.callees[k];
                (slice || !callee.slice)
                    && (callee.hessian || !hessian)
                    && callee.cost * trips < budget.min(4000.0)
            })
            .collect();
        if fitting.is_empty() {
            return a;
        }
        let callee = &self.callees[self.rng.pick(&fitting)];
        self.cost += callee.cost * trips;
        let mut rest = Vec::new();
        if callee.slice {
            rest.push("w".to_string());
        }
        if callee.int_arg {
            let free: Vec<String> = self
                .ints()
                .into_iter()
                .filter(|v| v.free || self.known_bugs)
                .map(|v| v.name)
                .collect();
            rest.push(match self.rng.below(4) {
                0 => "n".into(),
                1 => self.rng.below(4).to_string(),
                _ => format!("{} % 4", self.rng.pick(&free)),
            });
        }
        // Through `tanh`, so the callee sees its argument where it was checked.
        Expr::Call {
            name: callee.name.clone(),
            arg: Self::func("tanh", a).boxed(),
            rest,
        }
    }

    fn match_scrutinee(&mut self) -> String {
        let i = self.int();
        match self.rng.below(3) {
            0 => format!("{} + n % 2", self.rng.below(3)),
            1 => format!("{i} % 4"),
            _ => format!("({i} + n) % 3"),
        }
    }

    fn int_cond(&mut self) -> String {
        let i = self.int();
        if i == "n" {
            return match self.rng.below(3) {
                0 => "n % 2 == 0".into(),
                1 => "n > 1".into(),
                _ => "n == 0".into(),
            };
        }
        match self.rng.below(8) {
            0 => format!("{i} % 2 == 0"),
            1 => format!("{i} % 3 == 1"),
            2 => format!("{i} == n"),
            3 => format!("{i} == n + 1"),
            4 => format!("{i} < 2"),
            5 => format!("{i} > n"),
            6 => format!("{i} + n >= 3"),
            _ => format!("{i} != 1"),
        }
    }

    fn float_cond(&mut self, depth: usize) -> Cond {
        let op = ["<", ">", "<=", ">="][self.rng.below(4)];
        let a = self.expr(depth);
        let b = if self.rng.chance(50) {
            Expr::Lit(self.rng.coef(-1.0, 1.0))
        } else {
            self.expr(depth)
        };
        Cond::Float(a, op, b)
    }

    fn cond(&mut self, depth: usize) -> Cond {
        let simple = |g: &mut Self| {
            if g.rng.chance(55) {
                Cond::Int(g.int_cond())
            } else {
                g.float_cond(depth)
            }
        };
        match self.rng.below(10) {
            0 => Cond::And(simple(self).into(), simple(self).into()),
            1 => Cond::Or(simple(self).into(), simple(self).into()),
            2 => Cond::Not(simple(self).into()),
            _ => simple(self),
        }
    }

    // --- statements ---------------------------------------------------------

    fn block(&mut self, f: impl FnOnce(&mut Self, &mut Vec<Stmt>)) -> Vec<Stmt> {
        self.scopes.push(Scope::default());
        let mut out = Vec::new();
        f(self, &mut out);
        self.scopes.pop();
        out
    }

    /// Top-level statements.
    fn top(&mut self, out: &mut Vec<Stmt>, count: usize) {
        for _ in 0..count {
            match self.rng.below(16) {
                0 | 1 => {
                    let (name, value) = (self.fresh(), self.expr(3));
                    out.push(Stmt::Let {
                        name: name.clone(),
                        mutable: false,
                        value,
                    });
                    self.bind(&name, false);
                }
                2 => {
                    // Accumulate into a mutable copy, keeping it bounded.
                    let (name, init, value) = (self.fresh(), self.var(), self.expr(2));
                    let op = ["+=", "-=", "*="][self.rng.below(3)];
                    out.push(Stmt::Let {
                        name: name.clone(),
                        mutable: true,
                        value: init,
                    });
                    out.push(Stmt::Assign {
                        target: name.clone(),
                        op,
                        value: Self::func("tanh", value),
                    });
                    self.bind(&name, true);
                }
                3 => {
                    let name = self.fresh();
                    let cond = self.cond(2);
                    let (a, b) = (self.expr(3), self.expr(3));
                    out.push(Stmt::Let {
                        name: name.clone(),
                        mutable: false,
                        value: Expr::If(cond.into(), a.boxed(), b.boxed()),
                    });
                    self.bind(&name, false);
                }
                4 => {
                    let name = self.fresh();
                    let (a, b) = (self.expr(2), self.expr(2));
                    let k = self.rng.below(3);
                    let product = Expr::Bin('*', a.clone().boxed(), b.clone().boxed());
                    out.push(Stmt::Let {
                        name: name.clone(),
                        mutable: false,
                        value: Expr::Match(
                            format!("{k} + n % 2"),
                            a.boxed(),
                            b.boxed(),
                            product.boxed(),
                        ),
                    });
                    self.bind(&name, false);
                }
                5 if !self.assignable().is_empty() => {
                    // A conditional update outside loops.
                    self.if_stmt(out);
                }
                6 if self.rng.chance(40) => {
                    let cond = self.cond(2);
                    let value = self.expr(2);
                    out.push(Stmt::If {
                        cond,
                        then: vec![Stmt::Return(value)],
                        otherwise: None,
                    });
                }
                14 | 15 => self.shape(out, false),
                _ => self.carried_loop(out),
            }
        }
    }

    /// One of the value and data shapes of issue 16, binding new float variables:
    /// an array literal (destructured, iterated, or written in place), a tuple
    /// destructured from a tuple or an `if`, sub-slices of `w` passed to the
    /// differentiated `sub_norm` and iterated (and `split_at`), slice methods
    /// (`to_vec`, `swap`, `first`, `last`, `fill`), a `Copy` struct of floats carried
    /// through a loop, and a `match` on an enum. `common` defines `Pair`, `Op`,
    /// `op_of` and `sub_norm` (with its `_dual` twin).
    /// In a loop body or a branch (`nested`), only the short ones: the array
    /// literal destructured, the tuple, the `match`, the `fill`, and with a slice
    /// its sub-slices.
    fn shape(&mut self, out: &mut Vec<Stmt>, nested: bool) {
        let kinds: &[usize] = match (nested, self.slice) {
            (false, false) => &[0, 1, 2, 3, 4, 5, 8],
            (false, true) => &[0, 1, 2, 3, 4, 5, 6, 7, 8],
            (true, false) => &[0, 2, 4, 5, 8],
            (true, true) => &[0, 2, 4, 5, 6, 8],
        };
        self.cost += 6.0 * self.trips;
        match self.rng.pick(kinds) {
            0 => {
                // `let a = [e, e, e]; let [p, q, r] = a;`
                let (array, names) = (self.fresh(), [self.fresh(), self.fresh(), self.fresh()]);
                let values = [self.expr(2), self.expr(2), self.expr(2)];
                let [v0, v1, v2] = values;
                out.push(Stmt::Lines(vec![
                    line![format!("let {array} = ["), v0, ", ", v1, ", ", v2, "];"],
                    line![format!("let [{}] = {array};", names.join(", "))],
                ]));
                for name in &names {
                    self.bind(name, false);
                }
            }
            1 => {
                // `let mut a = [1.0, e, e, 1.0]; a[1] *= e; … for &e in a.iter() { s += …; }`,
                // or the same with `vec![…]`.
                let (array, sum, elem) = (self.fresh(), self.fresh(), self.fresh());
                let (v0, v1, v2) = (self.expr(2), self.expr(2), self.expr(1));
                let one = Expr::Coef(1.0);
                let factor = Self::func("tanh", v2);
                let term = Self::func("sin", Expr::Var(elem.clone()));
                let open = if self.rng.chance(40) { "vec![" } else { "[" };
                out.push(Stmt::Lines(vec![
                    line![
                        format!("let mut {array} = {open}"),
                        one.clone(),
                        ", ",
                        v0,
                        ", ",
                        v1,
                        ", ",
                        one,
                        "];"
                    ],
                    line![format!("{array}[1] *= "), factor, ";"],
                    // Not `+=`: over `D` that borrows a `Vec` twice.
                    line![format!("{array}[3] = {array}[3] + {array}[2];")],
                    line![format!("let mut {sum} = "), Expr::Lit(0.0), ";"],
                    line![format!("for &{elem} in {array}.iter() {{")],
                    line![format!("    {sum} += "), term, ";"],
                    line!["}"],
                ]));
                self.bind(&sum, true);
            }
            2 => {
                // `let (p, q) = (e, e);` or `= if c { (e, e) } else { (e, e) };`
                let names = [self.fresh(), self.fresh()];
                let (a, b) = (self.expr(2), self.expr(2));
                let pattern = format!("let ({}, {}) = ", names[0], names[1]);
                let line = if self.rng.chance(50) {
                    line![pattern, "(", a, ", ", b, ");"]
                } else {
                    let cond = self.cond(1);
                    line![
                        pattern,
                        "if ",
                        cond,
                        " { (",
                        a.clone(),
                        ", ",
                        b.clone(),
                        ") } else { (",
                        b,
                        ", ",
                        a,
                        ") };"
                    ]
                };
                out.push(Stmt::Lines(vec![line]));
                for name in &names {
                    self.bind(name, false);
                }
            }
            3 => {
                // A `Copy` struct of two floats carried through a loop.
                let (s, name) = (self.fresh(), self.fresh());
                let (a, b) = (self.expr(2), self.expr(2));
                let trips = 1 + self.rng.below(4);
                self.cost += 6.0 * trips as f64 * self.trips;
                let (sa, sb) = (Expr::Var(format!("{s}.a")), Expr::Var(format!("{s}.b")));
                let scaled = |c: f64, e: Expr| Expr::Bin('*', Expr::Coef(c).boxed(), e.boxed());
                let next_a = Self::func(
                    "tanh",
                    Expr::Bin(
                        '+',
                        scaled(self.rng.coef(-0.9, 0.9), sa.clone()).boxed(),
                        scaled(self.rng.coef(-0.9, 0.9), sb.clone()).boxed(),
                    ),
                );
                let next_b = Expr::Bin(
                    '+',
                    scaled(self.rng.coef(-0.8, 0.8), sb.clone()).boxed(),
                    scaled(0.2, Self::func("sin", sa.clone())).boxed(),
                );
                let result = Expr::Bin('+', sa.boxed(), scaled(0.5, sb).boxed());
                out.push(Stmt::Lines(vec![
                    line![format!("let mut {s} = Pair {{ a: "), a, ", b: ", b, " };"],
                    line![format!("for _ in 0..{trips} {{")],
                    line![
                        format!("    {s} = Pair {{ a: "),
                        next_a,
                        format!(", ..{s} }};")
                    ],
                    line![format!("    {s}.b = "), next_b, ";"],
                    line!["}"],
                    line![format!("let {name} = "), result, ";"],
                ]));
                self.bind(&name, false);
            }
            4 => {
                // `match` on an enum made from `n`.
                let name = self.fresh();
                let (a, b) = (self.expr(2), self.expr(2));
                let k = self.rng.below(3);
                let sum = Expr::Bin('+', a.clone().boxed(), b.clone().boxed());
                let product = Expr::Bin('*', a.clone().boxed(), b.boxed());
                let scaled = Expr::Bin('*', a.boxed(), Expr::IntAsFloat("k".into()).boxed());
                out.push(Stmt::Lines(vec![
                    line![format!("let {name} = match op_of(n + {k}) {{")],
                    line!["    Op::Add => ", sum, ","],
                    line!["    Op::Mul => ", product, ","],
                    line!["    Op::Scale(k) => ", scaled, ","],
                    line!["};"],
                ]));
                self.bind(&name, false);
            }
            5 => {
                // `let mut a = [0.0; 3]; a.fill(e); a[1] *= e;`
                let (array, name) = (self.fresh(), self.fresh());
                let (a, b) = (self.expr(2), Self::func("tanh", self.expr(2)));
                let at = |k: usize| Expr::Var(format!("{array}[{k}]"));
                let value = Expr::Bin(
                    '-',
                    Expr::Bin('+', at(0).boxed(), at(1).boxed()).boxed(),
                    Expr::Bin('*', Expr::Coef(0.5).boxed(), at(2).boxed()).boxed(),
                );
                out.push(Stmt::Lines(vec![
                    line![format!("let mut {array} = ["), Expr::Coef(0.0), "; 3];"],
                    line![format!("{array}.fill("), a, ");"],
                    line![format!("{array}[1] *= "), b, ";"],
                    line![format!("let {name} = "), value, ";"],
                ]));
                self.bind(&name, false);
            }
            8 => {
                // `Vec::new()`, pushed to under a condition: a fresh one per
                // iteration in a loop body, of a length that may vary.
                let (grown, name) = (self.fresh(), self.fresh());
                let (a, b, c) = (self.expr(2), self.expr(2), self.expr(1));
                let cond = self.cond(1);
                let last = Expr::Var(format!("{grown}[{grown}.len() - 1]"));
                let value = Expr::Bin(
                    '+',
                    Expr::Bin('*', last.boxed(), Self::func("tanh", c).boxed()).boxed(),
                    Expr::Var(format!("{grown}[0]")).boxed(),
                );
                out.push(Stmt::Lines(vec![
                    line![format!("let mut {grown} = Vec::new();")],
                    line![format!("{grown}.push("), a, ");"],
                    line!["if ", cond, " {"],
                    line![format!("    {grown}.push("), b, ");"],
                    line!["}"],
                    line![format!("let {name} = "), value, ";"],
                ]));
                self.bind(&name, false);
            }
            6 => {
                // Sub-slices of `w` passed to a differentiated function, and iterated.
                let (name, elem) = (self.fresh(), self.fresh());
                let i = self.int();
                let a = self.expr(1);
                let term = Expr::Bin(
                    '*',
                    Expr::Var(elem.clone()).boxed(),
                    Self::func("tanh", a).boxed(),
                );
                let (head, tail) = match self.rng.below(3) {
                    0 => (
                        format!("&w[({i} + 1) % w.len()..]"),
                        format!("&w[..{i} % w.len()]"),
                    ),
                    1 => ("&w[1..]".to_owned(), "&w[..w.len() - 1]".to_owned()),
                    _ => (format!("&w[{i} % w.len()..w.len()]"), "&w[..1]".to_owned()),
                };
                let call = |slice: &str| Expr::Call {
                    name: "sub_norm".into(),
                    arg: Expr::Var(slice.to_owned()).boxed(),
                    rest: Vec::new(),
                };
                let value = Expr::Bin(
                    '-',
                    call(&head).boxed(),
                    Expr::Bin('*', Expr::Coef(0.5).boxed(), call(&tail).boxed()).boxed(),
                );
                out.push(Stmt::Lines(vec![
                    line![format!("let mut {name} = "), value, ";"],
                    line![format!("for &{elem} in {head} {{")],
                    line![format!("    {name} += "), term, ";"],
                    line!["}"],
                ]));
                self.bind(&name, true);
                if self.rng.chance(50) {
                    let (left, right, split) = (self.fresh(), self.fresh(), self.fresh());
                    let value = Expr::Bin(
                        '-',
                        call(&left).boxed(),
                        Expr::Bin('*', Expr::Coef(0.5).boxed(), call(&right).boxed()).boxed(),
                    );
                    out.push(Stmt::Lines(vec![
                        line![format!("let ({left}, {right}) = w.split_at(w.len() / 2);")],
                        line![format!("let {split} = "), value, ";"],
                    ]));
                    self.bind(&split, false);
                }
            }
            _ => {
                // `to_vec`, `swap`, `first`, `last` on `w` and a copy of it.
                let (copy, name) = (self.fresh(), self.fresh());
                let a = Self::func("tanh", self.expr(2));
                let first = |v: &str| Expr::Var(format!("(*{v}.first().unwrap())"));
                let last = |v: &str| Expr::Var(format!("(*{v}.last().unwrap())"));
                let value = Expr::Bin(
                    '+',
                    Expr::Bin('*', first(&copy).boxed(), last(&copy).boxed()).boxed(),
                    Expr::Bin('*', Expr::Coef(0.5).boxed(), first("w").boxed()).boxed(),
                );
                out.push(Stmt::Lines(vec![
                    line![format!("let mut {copy} = w.to_vec();")],
                    line![format!("{copy}.swap(0, w.len() - 1);")],
                    line![format!("{copy}[0] = {copy}[0] * "), a, ";"],
                    line![format!("let {name} = "), value, ";"],
                ]));
                self.bind(&name, false);
            }
        }
    }

    /// Variables declared before a loop and carried by it, then the loop.
    fn carried_loop(&mut self, out: &mut Vec<Stmt>) {
        for _ in 0..1 + self.rng.below(3) {
            let name = self.fresh();
            let value = match self.rng.below(4) {
                0 => Expr::Lit(0.0),
                1 => Expr::Lit(self.rng.coef(-1.0, 1.0)),
                // Not a loop's temporary: this variable may be copied into the
                // enclosing loop's, every iteration.
                _ => self.var_except(""),
            };
            out.push(Stmt::Let {
                name: name.clone(),
                mutable: true,
                value,
            });
            self.bind(&name, true);
        }
        self.loop_stmt(out);
    }

    /// A loop (and the counter it needs) whose body writes the variables in scope.
    fn loop_stmt(&mut self, out: &mut Vec<Stmt>) {
        let depth = self.loops.len();
        let saved_trips = self.trips;
        let kind = self.rng.below(100);
        let kind = if (45..60).contains(&kind) && !self.slice {
            kind - 30
        } else {
            kind
        };
        match kind {
            0..=44 => {
                let t = 1 + self.rng.below(5);
                let c = self.rng.below(3);
                let index = format!("i{depth}");
                let (range, trips, plain) = match self.rng.below(9) {
                    0 | 1 => (format!("0..{t}"), t, true),
                    2 => (format!("0..n + {}", c + 1), 4 + c, true),
                    3 => ("0..n".to_string(), 3, true),
                    4 => (format!("1..={t}"), t, true),
                    5 => (format!("(0..{t}).rev()"), t, true),
                    6 => (
                        format!("(0..{}).step_by(2)", t + 2),
                        t.div_ceil(2) + 1,
                        false,
                    ),
                    7 => (format!("(1..n + {}).rev()", c + 2), 4 + c, true),
                    _ => (format!("0..{t}"), t, true),
                };
                let unnamed = self.rng.chance(15);
                let head = if unnamed {
                    format!("_ in {range}")
                } else {
                    format!("{index} in {range}")
                };
                self.trips *= trips as f64;
                let exits = self.rng.chance(60);
                self.loops.push(Frame {
                    valued: false,
                    exits,
                });
                let free = (plain && !exits) || self.known_bugs;
                let body = self.block(|g, body| {
                    if !unnamed {
                        g.bind_int(&index, free);
                    }
                    g.body(body);
                });
                out.push(Stmt::For { head, body });
            }
            45..=59 => {
                let elem = format!("e{depth}");
                let index = self.rng.chance(60).then(|| format!("j{depth}"));
                let by_ref = self.rng.chance(40);
                self.trips *= 4.0;
                let exits = self.rng.chance(60);
                self.loops.push(Frame {
                    valued: false,
                    exits,
                });
                let free = !exits || self.known_bugs;
                let body = self.block(|g, body| {
                    g.scope().floats.push(FloatVar {
                        name: elem.clone(),
                        mutable: false,
                        by_ref,
                        temp: false,
                    });
                    if let Some(index) = &index {
                        g.bind_int(index, free);
                    }
                    g.body(body);
                });
                out.push(Stmt::ForSlice {
                    index,
                    elem,
                    by_ref,
                    body,
                });
            }
            60..=74 => {
                // `while` with an integer counter, incremented first so that a
                // `continue` cannot skip it.
                let k = format!("k{depth}");
                let t = 1 + self.rng.below(5);
                out.push(Stmt::Raw(format!("let mut {k} = 0;")));
                let cond = if self.rng.chance(30) {
                    format!("{k} < n + {}", 1 + self.rng.below(2))
                } else {
                    format!("{k} < {t}")
                };
                self.trips *= t.max(5) as f64;
                self.loops.push(Frame {
                    valued: false,
                    exits: true,
                });
                let body = self.block(|g, body| {
                    body.push(Stmt::Raw(format!("{k} += 1;")));
                    g.bind_int(&k, g.known_bugs);
                    g.body(body);
                });
                out.push(Stmt::While {
                    cond: Cond::Int(cond),
                    body,
                });
            }
            75..=86 if !self.assignable().is_empty() => {
                // `while` on a float, bounded by a counter.
                let k = format!("k{depth}");
                let t = 2 + self.rng.below(7);
                out.push(Stmt::Raw(format!("let mut {k} = 0;")));
                let targets = self.assignable();
                let s = Expr::Var(self.rng.pick(&targets));
                let float = match self.rng.below(3) {
                    0 => Cond::Float(s, "<", Expr::Lit(self.rng.coef(0.0, 1.5))),
                    1 => Cond::Float(
                        Self::func("sin", s),
                        ">",
                        Expr::Lit(self.rng.coef(-0.9, 0.3)),
                    ),
                    _ => self.float_cond(1),
                };
                let counter = Cond::Int(format!("{k} < {t}"));
                let cond = if self.rng.chance(50) {
                    Cond::And(counter.into(), float.into())
                } else {
                    Cond::And(float.into(), counter.into())
                };
                self.trips *= t as f64;
                self.loops.push(Frame {
                    valued: false,
                    exits: true,
                });
                let body = self.block(|g, body| {
                    body.push(Stmt::Raw(format!("{k} += 1;")));
                    g.bind_int(&k, g.known_bugs);
                    g.body(body);
                });
                out.push(Stmt::While { cond, body });
            }
            _ => {
                // `loop`, its exit first (after the counter) so that `continue` is safe;
                // sometimes `let v = loop { … break value; … };`.
                let k = format!("k{depth}");
                let t = 1 + self.rng.below(5);
                out.push(Stmt::Raw(format!("let mut {k} = 0;")));
                let valued = self.rng.chance(40);
                let name = valued.then(|| self.fresh());
                self.trips *= t as f64;
                self.loops.push(Frame {
                    valued,
                    exits: true,
                });
                let body = self.block(|g, body| {
                    body.push(Stmt::Raw(format!("{k} += 1;")));
                    g.bind_int(&k, g.known_bugs);
                    let mut exit = Cond::Int(format!("{k} > {t}"));
                    if g.rng.chance(25) && !g.assignable().is_empty() {
                        exit = Cond::Or(exit.into(), g.float_cond(1).into());
                    }
                    let value = valued.then(|| g.expr(2));
                    body.push(Stmt::If {
                        cond: exit,
                        then: vec![Stmt::Break(value)],
                        otherwise: None,
                    });
                    g.body(body);
                });
                out.push(Stmt::Loop {
                    name: name.clone(),
                    body,
                });
                if let Some(name) = name {
                    self.loops.pop();
                    self.trips = saved_trips;
                    self.bind(&name, false);
                    return;
                }
            }
        }
        self.loops.pop();
        self.trips = saved_trips;
    }

    /// A loop body: one to five statements, sometimes only an inner loop.
    fn body(&mut self, out: &mut Vec<Stmt>) {
        if self.loops.len() == 1 && self.rng.chance(12) {
            self.loop_stmt(out);
            return;
        }
        for _ in 0..1 + self.rng.below(5) {
            self.body_stmt(out);
        }
    }

    /// An update of `s` that reads it and stays bounded.
    fn update(&mut self, s: &str) -> Expr {
        let var = Expr::Var(s.into());
        let e = self.expr(2);
        match self.rng.below(6) {
            0 => Self::func(
                "tanh",
                Expr::Bin(
                    '+',
                    Expr::Bin(
                        '*',
                        var.boxed(),
                        Expr::Coef(self.rng.coef(0.5, 1.3)).boxed(),
                    )
                    .boxed(),
                    e.boxed(),
                ),
            ),
            1 => Expr::Bin(
                '+',
                Expr::Bin(
                    '*',
                    var.boxed(),
                    Expr::Coef(self.rng.coef(-0.9, 0.9)).boxed(),
                )
                .boxed(),
                Expr::Bin(
                    '*',
                    Expr::Coef(self.rng.coef(-0.8, 0.8)).boxed(),
                    Self::func("sin", e).boxed(),
                )
                .boxed(),
            ),
            2 => {
                let factor = if self.trips <= 6.0 {
                    self.rng.pick(&[2.0, 1.5, -1.2, 0.5])
                } else {
                    self.rng.coef(-1.1, 1.1)
                };
                Expr::Bin('*', var.boxed(), Expr::Coef(factor).boxed())
            }
            3 => Expr::Bin(
                '+',
                var.boxed(),
                Expr::Bin(
                    '*',
                    Expr::Coef(self.rng.coef(-0.5, 0.5)).boxed(),
                    Self::func("tanh", e).boxed(),
                )
                .boxed(),
            ),
            4 => Expr::MulAdd(
                var.boxed(),
                Expr::Coef(self.rng.coef(-0.9, 0.9)).boxed(),
                Self::func("tanh", e).boxed(),
            ),
            _ => Expr::Bin(
                '+',
                Expr::Bin(
                    '/',
                    Self::func("atan", e).boxed(),
                    Self::one_plus_square(var.clone()).boxed(),
                )
                .boxed(),
                Expr::Bin('*', var.boxed(), Expr::Coef(0.5).boxed()).boxed(),
            ),
        }
    }

    /// A value for `p` that does not read `p`: a copy, of a parameter, through `* 1.0`.
    fn copy(&mut self, p: &str) -> Expr {
        match self.rng.below(6) {
            0..=2 => self.var_except(p),
            3 => Expr::Bin('*', self.var_except(p).boxed(), Expr::Coef(1.0).boxed()),
            4 => {
                // A parameter (never shadowed: only mutable variables are).
                let params: Vec<String> = self.scopes[0]
                    .floats
                    .iter()
                    .map(|v| v.name.clone())
                    .collect();
                Expr::Var(self.rng.pick(&params))
            }
            _ => {
                // Anything but `p`, bounded: two such copies of each other must
                // not square each other's values every iteration.
                self.hidden = Some(p.to_string());
                let e = self.expr(2);
                self.hidden = None;
                Self::func(["sin", "tanh", "atan"][self.rng.below(3)], e)
            }
        }
    }

    fn if_stmt(&mut self, out: &mut Vec<Stmt>) {
        let cond = self.cond(1);
        self.branches += 1;
        let then = self.block(|g, b| {
            for _ in 0..1 + g.rng.below(3) {
                g.body_stmt(b);
            }
        });
        let otherwise = self.rng.chance(40).then(|| {
            self.block(|g, b| {
                for _ in 0..1 + g.rng.below(2) {
                    g.body_stmt(b);
                }
            })
        });
        self.branches -= 1;
        out.push(Stmt::If {
            cond,
            then,
            otherwise,
        });
    }

    fn break_value(&mut self) -> Stmt {
        if self.loops.last().expect("in a loop").valued {
            Stmt::Break(Some(self.expr(1)))
        } else {
            Stmt::Break(None)
        }
    }

    /// A statement in a loop body or a branch: mostly writes of the variables in scope.
    fn body_stmt(&mut self, out: &mut Vec<Stmt>) {
        let targets = self.assignable();
        // `break` where the innermost loop allows it, `return` where all do.
        let can_break = self.loops.last().is_some_and(|f| f.exits);
        let can_return = self.loops.iter().all(|f| f.exits);
        let r = self.rng.below(100);
        match r {
            0..=15 if !targets.is_empty() => {
                let s = self.rng.pick(&targets);
                let value = self.update(&s);
                out.push(Stmt::Assign {
                    target: s,
                    op: "=",
                    value,
                });
            }
            16..=29 if !targets.is_empty() => {
                // Written, not read: a copy.
                let p = self.rng.pick(&targets);
                let value = self.copy(&p);
                out.push(Stmt::Assign {
                    target: p,
                    op: "=",
                    value,
                });
            }
            30..=39 if targets.len() >= 2 => {
                // The previous iterate: `p = s; s = f(s);` or the copy after the update.
                let s = self.rng.pick(&targets);
                let others: Vec<String> = targets.iter().filter(|t| **t != s).cloned().collect();
                let p = self.rng.pick(&others);
                let copy = Stmt::Assign {
                    target: p,
                    op: "=",
                    value: if self.rng.chance(80) {
                        Expr::Var(s.clone())
                    } else {
                        Expr::Bin('*', Expr::Var(s.clone()).boxed(), Expr::Coef(1.0).boxed())
                    },
                };
                let update = Stmt::Assign {
                    target: s.clone(),
                    op: "=",
                    value: self.update(&s),
                };
                if self.rng.chance(65) {
                    out.extend([copy, update]);
                } else {
                    out.extend([update, copy]);
                }
            }
            40..=45 if !targets.is_empty() => {
                let p = self.rng.pick(&targets);
                let e = self.expr(2);
                let (op, value) = match self.rng.below(4) {
                    0 => (
                        "+=",
                        Expr::Bin('*', Expr::Coef(0.3).boxed(), Self::func("tanh", e).boxed()),
                    ),
                    1 => ("-=", Self::func("sin", e)),
                    2 => ("*=", Self::func("tanh", e)),
                    _ => ("/=", Self::one_plus_square(e)),
                };
                out.push(Stmt::Assign {
                    target: p,
                    op,
                    value,
                });
            }
            46..=53 if targets.len() >= 2 => self.swap(out, &targets),
            54..=59 => {
                let (name, value) = (self.fresh(), self.expr(2));
                out.push(Stmt::Let {
                    name: name.clone(),
                    mutable: false,
                    value,
                });
                self.bind(&name, false);
            }
            60..=64 if !targets.is_empty() => {
                // Shadowing: `let s = s * 0.5;`, the carried `s` is out of reach after it.
                let s = self.rng.pick(&targets);
                let mutable = self.rng.chance(30);
                let value = if self.rng.chance(50) {
                    Expr::Bin('*', Expr::Var(s.clone()).boxed(), Expr::Coef(0.5).boxed())
                } else {
                    Self::func("tanh", Expr::Var(s.clone()))
                };
                out.push(Stmt::Let {
                    name: s.clone(),
                    mutable,
                    value,
                });
                self.bind(&s, mutable);
            }
            65..=74 if self.branches < 2 => self.if_stmt(out),
            75..=78 if self.branches < 2 => {
                let scrutinee = self.match_scrutinee();
                self.branches += 1;
                let mut arms = Vec::new();
                for pattern in ["0", "1 | 2", "_"] {
                    let arm = self.block(|g, b| {
                        for _ in 0..g.rng.below(3) {
                            g.body_stmt(b);
                        }
                    });
                    arms.push((pattern.to_string(), arm));
                }
                self.branches -= 1;
                out.push(Stmt::Match { scrutinee, arms });
            }
            79..=86 if !self.loops.is_empty() => {
                // A guarded `break` or `continue`, sometimes after updates.
                let cond = if self.rng.chance(80) {
                    Cond::Int(self.int_cond())
                } else {
                    self.float_cond(1)
                };
                let mut then = self.block(|g, b| {
                    if g.rng.chance(30) {
                        g.body_stmt(b);
                    }
                });
                then.push(if can_break && self.rng.chance(50) {
                    self.break_value()
                } else {
                    Stmt::Continue
                });
                out.push(Stmt::If {
                    cond,
                    then,
                    otherwise: None,
                });
            }
            87..=88 if can_return => {
                let cond = Cond::Int(self.int_cond());
                let value = self.expr(2);
                out.push(Stmt::If {
                    cond,
                    then: vec![Stmt::Return(value)],
                    otherwise: None,
                });
            }
            89..=95 if self.loops.len() < 2 => {
                if self.rng.chance(50) {
                    self.loop_stmt(out);
                } else {
                    // Carried variables local to this body.
                    self.carried_loop(out);
                }
            }
            96 | 97 => self.shape(out, true),
            _ => {
                let (name, value) = (self.fresh(), self.expr(2));
                out.push(Stmt::Let {
                    name: name.clone(),
                    mutable: false,
                    value,
                });
                self.bind(&name, false);
            }
        }
    }

    fn swap(&mut self, out: &mut Vec<Stmt>, targets: &[String]) {
        let a = self.rng.pick(targets);
        let others: Vec<String> = targets.iter().filter(|t| **t != a).cloned().collect();
        let b = self.rng.pick(&others);
        let (va, vb) = (Expr::Var(a.clone()), Expr::Var(b.clone()));
        match self.rng.below(5) {
            0 => {
                // `(a, b) = (b, c1 a + c2 b)` with |c1| + |c2| <= 1.1: bounded.
                let c1 = self.rng.coef(-0.6, 0.6);
                let c2 = self.rng.coef(-0.5, 0.5);
                let mixed = Expr::Bin(
                    '+',
                    Expr::Bin('*', Expr::Coef(c1).boxed(), va.boxed()).boxed(),
                    Expr::Bin('*', Expr::Coef(c2).boxed(), vb.clone().boxed()).boxed(),
                );
                out.push(Stmt::Parallel {
                    targets: vec![a, b],
                    values: vec![vb, mixed],
                    array: false,
                });
            }
            1 => out.push(Stmt::Parallel {
                targets: vec![a, b],
                values: vec![vb, va],
                array: true,
            }),
            2 => {
                let t = self.fresh();
                out.push(Stmt::Let {
                    name: t.clone(),
                    mutable: false,
                    value: va,
                });
                out.push(Stmt::Assign {
                    target: a,
                    op: "=",
                    value: vb,
                });
                out.push(Stmt::Assign {
                    target: b,
                    op: "=",
                    value: Expr::Var(t.clone()),
                });
                self.bind(&t, false);
            }
            3 if targets.len() >= 3 => {
                let rest: Vec<String> = others.iter().filter(|t| **t != b).cloned().collect();
                let c = self.rng.pick(&rest);
                out.push(Stmt::Parallel {
                    targets: vec![a.clone(), b.clone(), c.clone()],
                    values: vec![vb, Expr::Var(c), va],
                    array: self.rng.chance(50),
                });
            }
            _ => {
                // Both new values read both old ones.
                let (e1, e2) = (self.update(&a), self.update(&b));
                out.push(Stmt::Parallel {
                    targets: vec![a, b],
                    values: vec![e1, e2],
                    array: false,
                });
            }
        }
    }

    /// The result: several of the variables in scope (carried ones first) and more.
    fn result(&mut self) -> Expr {
        let mut vars: Vec<String> = self.assignable().into_iter().take(3).collect();
        if vars.is_empty() {
            vars.push(
                self.floats()
                    .first()
                    .map(|v| v.name.clone())
                    .unwrap_or_else(|| "x0".into()),
            );
        }
        let mut result = Expr::Var(vars[0].clone());
        for v in &vars[1..] {
            let term = Expr::Bin(
                '*',
                Expr::Coef(self.rng.coef(-1.0, 1.0)).boxed(),
                Expr::Var(v.clone()).boxed(),
            );
            result = Expr::Bin('+', result.boxed(), term.boxed());
        }
        if self.rng.chance(60) {
            result = Expr::Bin('+', result.boxed(), self.expr(2).boxed());
        }
        result
    }
}

/// A point of `count` coordinates in [-1.2, 1.2], off simple fractions and at
/// least 1e-3 apart (so that `x0 < w[1]` is not decided by a tie).
fn coordinates(rng: &mut Rng, count: usize) -> Vec<f64> {
    let mut point: Vec<f64> = Vec::with_capacity(count);
    while point.len() < count {
        let x = (rng.below(240_001) as f64 - 120_000.0) / 100_000.0 + 0.000_001_37;
        if point.iter().all(|p| (p - x).abs() > 1e-3) {
            point.push(x);
        }
    }
    point
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=AD_RANDOM_PROGRAMS");
    println!("cargo:rerun-if-env-changed=AD_RANDOM_SEED");
    println!("cargo:rerun-if-env-changed=AD_RANDOM_KNOWN_BUGS");
    let count: usize = std::env::var("AD_RANDOM_PROGRAMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_PROGRAMS);
    let seed: u64 = std::env::var("AD_RANDOM_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed);
    let known_bugs = std::env::var("AD_RANDOM_KNOWN_BUGS").is_ok_and(|v| v == "1");
    let dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut rng = Rng(seed | 1);
    // The tangents of the second-order checks come from their own stream, so
    // that the programs drawn are the same with and without them.
    let mut tangents = Rng((seed ^ 0x7a9_6e47) | 1);
    // Program `p` goes to part `p % CHUNKS` and may call the earlier programs of
    // its part; drawn in order, it is the same whatever the count.
    let mut outs = vec![String::new(); CHUNKS];
    let mut cases = vec![String::new(); CHUNKS];
    let mut callees: Vec<Vec<Callee>> = (0..CHUNKS).map(|_| Vec::new()).collect();
    for p in 0..count {
        let chunk = p % CHUNKS;
        let (out, callees) = (&mut outs[chunk], &mut callees[chunk]);
        let hessian = p % HESSIAN_EVERY == 0;
        let (program, callee) = generate(&mut rng, p, callees, hessian, known_bugs);
        out.push_str(&program.render(Mode::F64));
        out.push_str(&program.render(Mode::Dual));
        write_case(&mut rng, &mut tangents, &program, out, &mut cases[chunk]);
        // One-parameter functions become callees of later ones; without a
        // slice, also through a wrapper of one parameter.
        if program.floats == 1 && !program.in_struct {
            if !program.slice && rng.chance(50) {
                let name = &program.name;
                let option = if hessian { "(hessian)" } else { "" };
                writeln!(
                    out,
                    "#[differentiate{option}]\nfn {name}_unary(x0: f64) -> f64 {{\n    {name}(x0, 1)\n}}\n\n\
                     fn {name}_unary_dual<D: Oracle>(x0: D) -> D {{\n    {name}_dual(x0, 1)\n}}\n"
                )
                .unwrap();
                callees.push(Callee {
                    name: format!("{name}_unary"),
                    slice: false,
                    int_arg: false,
                    ..callee
                });
            } else {
                callees.push(callee);
            }
        }
    }
    for (chunk, (mut out, cases)) in outs.into_iter().zip(cases).enumerate() {
        writeln!(
            out,
            "/// The programs and the points they are checked at.\nstatic CASES: &[Case] = &[\n{cases}];"
        )
        .unwrap();
        std::fs::write(format!("{dir}/programs_{chunk}.rs"), out).expect("OUT_DIR is writable");
    }
}

/// `fn inner(a: f64) -> f64 { let s = (a * c1).tanh(); s * s + c2 * a }`, nested
/// in a program's body (issue 16): `#[differentiate]` differentiates it with the
/// program's options. Generic over `D` in the oracle, as `inner_dual`.
fn inner_fn(rng: &mut Rng) -> Stmt {
    let (a, s) = (Expr::Var("a".into()), Expr::Var("s".into()));
    let scaled = Expr::Bin(
        '*',
        a.clone().boxed(),
        Expr::Coef(rng.coef(-1.2, 1.2)).boxed(),
    );
    let squashed = Gen::func("tanh", scaled);
    let value = Expr::Bin(
        '+',
        Expr::Bin('*', s.clone().boxed(), s.boxed()).boxed(),
        Expr::Bin('*', Expr::Coef(rng.coef(-0.8, 0.8)).boxed(), a.boxed()).boxed(),
    );
    Stmt::Lines(vec![
        vec![Piece::Mode(
            "fn inner(a: f64) -> f64 {".into(),
            "fn inner_dual<D: Oracle>(a: D) -> D {".into(),
        )],
        line!["    let s = ", squashed, ";"],
        line!["    ", value],
        line!["}"],
    ])
}

/// Draws program `p`; returns it and its description as a callee.
fn generate(
    rng: &mut Rng,
    p: usize,
    callees: &[Callee],
    hessian: bool,
    known_bugs: bool,
) -> (Program, Callee) {
    let floats = 1 + rng.below(3);
    let slice = rng.chance(35);
    let name = format!("program_{p}");
    let mut params = Scope::default();
    for k in 0..floats {
        params.floats.push(FloatVar {
            name: format!("x{k}"),
            mutable: false,
            by_ref: false,
            temp: false,
        });
    }
    params.ints.push(IntVar {
        name: "n".into(),
        free: true,
    });
    let mut gen = Gen {
        rng,
        next: 0,
        scopes: vec![params, Scope::default()],
        callees,
        slice,
        hessian,
        loops: Vec::new(),
        branches: 0,
        trips: 1.0,
        cost: 0.0,
        known_bugs,
        hidden: None,
        inner: false,
    };
    let mut body = Vec::new();
    if gen.rng.chance(15) {
        gen.inner = true;
        body.push(inner_fn(gen.rng));
    }
    let count = 2 + gen.rng.below(4);
    gen.top(&mut body, count);
    let result = gen.result();
    let callee = Callee {
        name: name.clone(),
        slice,
        int_arg: true,
        cost: gen.cost + 10.0,
        hessian,
    };
    let program = Program {
        name,
        floats,
        slice,
        hessian,
        in_struct: p % STRUCT_EVERY == 3,
        body,
        result,
    };
    (program, callee)
}

/// Adapters from a flat point to `program`'s parameters, and its `CASES` entry.
fn write_case(
    rng: &mut Rng,
    tangents: &mut Rng,
    program: &Program,
    out: &mut String,
    cases: &mut String,
) {
    let name = &program.name;
    let floats = program.floats;
    // The differentiable parameters' arguments from a flat slice `p`.
    let flat_args = |p: &str| {
        let mut args: Vec<String> = (0..floats).map(|k| format!("{p}[{k}]")).collect();
        if program.slice {
            args.push(format!("&{p}[{floats}..]"));
        }
        args
    };
    // A struct program takes its parameters as fields of one struct.
    let struct_args = |p: &str| {
        let mut fields: Vec<String> = (0..floats).map(|k| format!("x{k}: {p}[{k}]")).collect();
        if program.slice {
            fields.push(format!("w: {p}[{floats}..].to_vec()"));
        }
        format!("&{} {{ {} }}", struct_name(name), fields.join(", "))
    };
    let mut args = flat_args("p");
    args.push("n".into());
    let args = args.join(", ");
    let f64_args = match program.in_struct {
        true => format!("{}, n", struct_args("p")),
        false => args.clone(),
    };
    // Components `first..first + floats` of tuple `g` (then the slice's), flat.
    let flatten = |g: &str, first: usize| {
        let parts: Vec<String> = (first..first + floats)
            .map(|k| format!("{g}.{k}"))
            .collect();
        if program.slice {
            format!(
                "{{\n        let mut flat = vec![{}];\n        flat.extend_from_slice(&{g}.{});\n        flat\n    }}",
                parts.join(", "),
                first + floats
            )
        } else {
            format!("vec![{}]", parts.join(", "))
        }
    };
    let flatten = |g: &str, first: usize| match program.in_struct {
        true => format!("ad::Differentiable::to_scalars(&{g}.{first})"),
        false => flatten(g, first),
    };
    writeln!(
        out,
        "fn {name}_value(p: &[f64], n: usize) -> f64 {{\n    {name}({f64_args})\n}}\n\n\
         fn {name}_gradient(p: &[f64], n: usize) -> (f64, Vec<f64>) {{\n    let g = {name}_grad({f64_args});\n    (g.0, {})\n}}\n\n\
         fn {name}_on_duals(p: &[Dual64], n: usize) -> Dual64 {{\n    {name}_dual({args})\n}}\n",
        flatten("g", 1)
    )
    .unwrap();
    let second = if program.hessian {
        let params = match program.in_struct {
            true => 1,
            false => usize::from(program.slice) + floats,
        };
        let (t_args, v_args) = match program.in_struct {
            true => (struct_args("t"), struct_args("v")),
            false => (flat_args("t").join(", "), flat_args("v").join(", ")),
        };
        writeln!(
            out,
            "fn {name}_tangent(p: &[f64], t: &[f64], n: usize) -> (f64, f64) {{\n    {name}_jvp({f64_args}, {t_args})\n}}\n\n\
             fn {name}_second(p: &[f64], v: &[f64], n: usize) -> (f64, Vec<f64>, Vec<f64>) {{\n    let h = {name}_hvp({f64_args}, {v_args});\n    (h.0, {}, {})\n}}\n\n\
             fn {name}_hessian_flat(p: &[f64], n: usize) -> (f64, Vec<f64>, Vec<Vec<f64>>) {{\n    {name}_hessian({f64_args})\n}}\n\n\
             fn {name}_on_hyperduals(p: &[HyperDual64], n: usize) -> HyperDual64 {{\n    {name}_dual({args})\n}}\n",
            flatten("h", 1),
            flatten("h", 1 + params),
        )
        .unwrap();
        format!(
            "Some(Second {{ jvp: {name}_tangent, hvp: {name}_second, hessian: {name}_hessian_flat, hyper: {name}_on_hyperduals }})"
        )
    } else {
        "None".to_owned()
    };
    // Two points, at two values of `n`, each with the tangents of the
    // second-order checks (`t` for f_jvp, `v` for f_hvp), in [-1, 1].
    let len = if program.slice { 1 + rng.below(4) } else { 0 };
    let first_n = rng.below(4);
    let ns = [first_n, (first_n + 1 + rng.below(3)) % 4];
    let list = |xs: &[f64]| {
        let xs: Vec<String> = xs.iter().map(|x| format!("{x:.8}")).collect();
        xs.join(", ")
    };
    let points: Vec<String> = ns
        .iter()
        .map(|n| {
            let x = coordinates(rng, floats + len);
            let mut tangent = || -> Vec<f64> {
                (0..x.len())
                    .map(|_| tangents.below(2001) as f64 / 1000.0 - 1.0)
                    .collect()
            };
            let (t, v) = (tangent(), tangent());
            format!(
                "Point {{ x: &[{}], n: {n}, t: &[{}], v: &[{}] }}",
                list(&x),
                list(&t),
                list(&v)
            )
        })
        .collect();
    writeln!(
        cases,
        "    Case {{ name: \"{name}\", points: &[{}], value: {name}_value, gradient: {name}_gradient, dual: {name}_on_duals, second: {second} }},",
        points.join(", "),
    )
    .unwrap();
}
