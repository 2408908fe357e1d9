//! The SSA IR: values, instructions and structured regions.
//!
//! A [`Function`] owns three arenas. Its body is a [`Region`]: an ordered list of
//! instructions whose `yields` are the function's results. Control flow (the
//! next step of the project) nests regions inside instructions (`If` with two
//! regions that yield values, loops whose regions take carried values as
//! arguments), so there are no φ-nodes and emission maps back to `if`/`for`.
//!
//! Invariants, checked by [`verify`](verify::verify): every value is defined once;
//! every use is dominated by its definition; instruction results and yields have
//! the arity their opcode requires.

mod builder;
mod compact;
mod display;
mod entity;
mod key;
#[cfg(test)]
pub mod parse;
mod prim;
pub mod verify;

pub use builder::FnBuilder;
pub use entity::{Arena, EntityRef, Inst, Region, SecondaryMap, Value};
pub use key::Key;
pub use prim::{ArgKind, Prim};

use proc_macro2::{Span, TokenStream};

/// A floating-point type.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum FloatTy {
    F32,
    F64,
}

impl FloatTy {
    pub fn name(self) -> &'static str {
        match self {
            FloatTy::F32 => "f32",
            FloatTy::F64 => "f64",
        }
    }
}

/// What the macro knows of a value's type. Only floats of a known width can carry
/// an adjoint; everything else is a constant whose Rust type rustc infers.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Ty {
    Float(FloatTy),
    /// A float literal without suffix: rustc picks its width from the context.
    FloatLit,
    Int,
    /// `usize`: a loop's trip count or an index into an array.
    Index,
    /// An array of floats: a differentiable slice parameter or a local buffer.
    FloatArray(FloatTy),
    Bool,
    /// A struct parameter's part passed whole to a differentiated callee
    /// (`norm(&p.layer)`): a reference whose adjoint is the same part of the
    /// parameter's adjoint. It is only passed on, never read.
    Struct(FloatTy),
    /// Anything else (a field of a config struct, a call's result, …).
    Other,
}

impl Ty {
    /// The type of `a op b` for an arithmetic operator, from what is known of both.
    pub fn join(a: Ty, b: Ty) -> Ty {
        match (a, b) {
            (Ty::Float(t), _) | (_, Ty::Float(t)) => Ty::Float(t),
            (Ty::FloatLit, Ty::FloatLit) => Ty::FloatLit,
            (Ty::Int, Ty::Int) => Ty::Int,
            _ => Ty::Other,
        }
    }
}

impl Ty {
    /// The type of a value that is `a` on one path and `b` on another.
    pub fn join_branches(a: Ty, b: Ty) -> Ty {
        if a == b {
            a
        } else {
            Ty::join(a, b)
        }
    }
}

impl std::fmt::Display for Ty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ty::Float(t) => f.write_str(t.name()),
            Ty::FloatLit => f.write_str("float"),
            Ty::Int => f.write_str("int"),
            Ty::Index => f.write_str("usize"),
            Ty::FloatArray(t) => write!(f, "[{}]", t.name()),
            Ty::Bool => f.write_str("bool"),
            Ty::Struct(t) => write!(f, "struct<{}>", t.name()),
            Ty::Other => f.write_str("?"),
        }
    }
}

/// Binary operators, as written in the source.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinOp {
    pub fn name(self) -> &'static str {
        match self {
            BinOp::Add => "add",
            BinOp::Sub => "sub",
            BinOp::Mul => "mul",
            BinOp::Div => "div",
            BinOp::Rem => "rem",
            BinOp::BitAnd => "bitand",
            BinOp::BitOr => "bitor",
            BinOp::BitXor => "bitxor",
            BinOp::Shl => "shl",
            BinOp::Shr => "shr",
            BinOp::Eq => "eq",
            BinOp::Ne => "ne",
            BinOp::Lt => "lt",
            BinOp::Le => "le",
            BinOp::Gt => "gt",
            BinOp::Ge => "ge",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }
}

/// The function a call applies: a path (`g`, `physics::drag`), or a method of the
/// first argument (`self.predict`).
#[derive(Clone, Debug)]
pub struct Callee {
    pub path: syn::Path,
    pub method: bool,
    /// Per argument: whether the source passes it by reference (`&w`).
    pub by_ref: Vec<bool>,
    pub span: proc_macro2::Span,
}

/// Where the reverse of a call receives the adjoint of one argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Slot {
    /// A float: a fresh zero the callee adds into, a result of `ApplyAdjoint`.
    Scalar(FloatTy),
    /// An active float array or struct: its adjoint buffer, added into in place.
    Buffer,
    /// An inactive float array: a scratch buffer of its length, then dropped.
    Scratch(FloatTy),
    /// A reference the macro cannot see the type of (`&self.c`, `&[1.0, 2.0]`, a
    /// method's constant receiver): a zeroed slot of the type the callee's slot
    /// has, shaped like the argument.
    Inferred,
    /// Anything else: whatever the callee takes for a constant.
    Constant,
}

/// An expression the macro does not look into: it runs as written in the forward
/// sweep, with the values it reads from the function's locals as `captures`.
/// It must not depend on a differentiable value (checked by activity analysis).
#[derive(Clone, Debug)]
pub struct Opaque {
    /// The expression, with each captured local replaced by a [`capture_placeholder`].
    pub expr: syn::Expr,
    /// What a diagnostic calls it: "call of `g`", "method `to_degrees`", ….
    pub what: String,
    /// Whether it is a method call (the "unknown method on a float" diagnostic).
    pub method: bool,
    /// Whether it only reads (paths, fields, indexing, arithmetic; no calls), so
    /// evaluating it again gives the same value if what it reads is unchanged.
    pub reads_only: bool,
}

/// Operations. Instruction arguments are in `InstData::args`, in source order.
#[derive(Clone, Debug)]
pub enum Op {
    /// A literal, emitted as written.
    Const(syn::Lit),
    /// An expression of constants only; see [`Opaque`].
    Opaque(Box<Opaque>),
    Bin(BinOp),
    Neg,
    Not,
    /// An elementary function; `path_ty` is `Some(f64)` for the path form `f64::sin(x)`.
    Call {
        prim: Prim,
        path_ty: Option<FloatTy>,
    },
    /// `arg as ty`.
    Cast(syn::Type),
    /// `let r: ty = arg;`: the user's annotation, which rustc may need to infer types.
    Ascribe(syn::Type),
    /// A statement on constant data run in the forward sweep (`counts[k] += 1`), with
    /// its locals as captures; `args[0]` is the buffer it writes.
    Statement(Box<Opaque>),
    /// Reverse sweep: the partial derivatives of `prim`, one result per float argument;
    /// arguments are `prim`'s arguments followed by its primal output.
    Partials(Prim),
    /// Reverse sweep: `*adjoint_buffer[param] += arg`.
    Accumulate {
        param: usize,
    },
    /// A placeholder left where lowering reported an error; never emitted.
    Poison,
    /// `ad::no_grad(args[0])`: the value, through which no adjoint flows back.
    NoGrad,
    /// An observing macro (`assert!`, `println!`) run in the forward sweep only. Its
    /// tokens hold capture placeholders for `args[..explicit]`; `implicit[k]`, a
    /// local a format string names, is bound to `&args[explicit + k]` around it.
    Effect {
        mac: syn::Macro,
        explicit: usize,
        implicit: Vec<syn::Ident>,
    },
    /// A call of another differentiated function (or one with a custom derivative):
    /// `callee(args…)`.
    Apply(Box<Callee>),
    /// Tangent of a call: `callee_jvp_all(args…, tangents…)`. Arguments: the primal
    /// arguments, then one tangent operand per `Slot::Scalar` and `Slot::Buffer` slot
    /// (the tangent of that argument; the other slots pass zeros). Results: the
    /// call's value, then its tangent.
    ApplyTangent(Box<Callee>, Vec<Slot>),
    /// Tangent of a reversed call: `callee_hvp_all(args…, tangents…, seed, t_seed,
    /// slots…, tangent slots…)`. Arguments: the primal arguments, the tangent operands
    /// of `tangents` (as for `ApplyTangent`), the seed and its tangent, then the
    /// adjoint buffers of the `Slot::Buffer` adjoint slots followed by their tangent
    /// buffers. Results: the adjoints of the `Slot::Scalar` arguments, then their
    /// tangents.
    ApplyHvp {
        callee: Box<Callee>,
        slots: Vec<Slot>,
        tangents: Vec<Slot>,
    },
    /// Tangent of [`Op::Partials`]: the tangents of `prim`'s partial derivatives, one
    /// result per float argument. Arguments: those of the `Partials` (`prim`'s
    /// arguments and its output), then the tangent of each float argument and of the
    /// output. The runtime evaluates the same rule over dual numbers.
    PartialsTangent(Prim),
    /// Reverse sweep: the callee's adjoint entry point, `callee_adjoint_all(args…,
    /// seed, slots…)`, with a slot per argument (a method's receiver first).
    /// Arguments: the primal arguments, the seed, then the adjoint buffers of the
    /// `Slot::Buffer` arguments. Results: the adjoints of the `Slot::Scalar`
    /// arguments.
    ApplyAdjoint(Box<Callee>, Vec<Slot>),
    /// `if args[0] { then } else { otherwise }`; both regions yield the results.
    If {
        then: Region,
        otherwise: Region,
    },
    /// `for i in <range> { body }` with loop-carried values. Arguments: the range's
    /// start, end, and step (if it has `step_by`), then the carried values' initial
    /// values. `body` takes `[i, carried…]` and yields the next carried values.
    /// Results: the final carried values, then the trip count (`usize`). With
    /// `exit: Some(k)` the loop ends before any iteration that starts with carried
    /// value `k` (a `bool`, the loop's break flag) true.
    For {
        body: Region,
        range: RangeShape,
        exit: Option<usize>,
    },
    /// `while cond { body }` with loop-carried values: arguments are the initial
    /// carried values; `cond` takes them and yields the `bool`; `body` takes them and
    /// yields the next ones. Results: the final carried values, then the trip count.
    While {
        cond: Region,
        body: Region,
    },
    /// Forward sweep: records `args[0]` on the value stack for the reverse sweep.
    Push,
    /// Reverse sweep: takes back the last recorded value.
    Pop,
    /// The zero of the result's float type: the adjoint of a value nothing used.
    Zero,
    /// `args[0][args[1]]`: an element of a float array (a parameter or a buffer).
    Index,
    /// `args[0].len()`.
    Len,
    /// A float buffer: `vec![args[0]; args[1]]`, or `[args[0]; len]` for a fixed length.
    NewBuffer {
        fixed_len: Option<syn::Expr>,
    },
    /// `args[0][args[1]] = args[2]`.
    Store,
    /// An empty buffer to `push` onto: `Vec::new()`, or `Vec::with_capacity(args[0])`.
    EmptyBuffer,
    /// `args[0].push(args[2])`, where `args[1]` is the length before, the index the
    /// element gets (the reverse sweep reads it).
    Append,
    /// Reverse sweep: a zeroed adjoint buffer for a buffer made by `NewBuffer`
    /// (`args`: its length, unless fixed).
    AdjointBuffer {
        fixed_len: Option<syn::Expr>,
    },
    /// Reverse sweep: `args[0][args[1]] += args[2]`.
    AccumulateAt,
    /// Reverse sweep: the sum of the elements of float array `args[0]` (the adjoint of
    /// the value a buffer was filled with).
    SumOf,
    /// Reverse sweep: takes `args[0][args[1]]`, leaving zero there.
    TakeAt,
    /// The part of array `args[0]` from `args[1]` to `args[2]` (`..=` if
    /// `inclusive`), borrowed `mutable`ly or not; empty if that range is not in it.
    Window {
        mutable: bool,
        inclusive: bool,
    },
    /// `&args[0][args[1]..args[2]]` (`..=` if `inclusive`): a sub-slice the user's
    /// code takes, which panics as Rust's indexing does if the range is not in the
    /// array. Its adjoint is the same range of the array's adjoint.
    Slice {
        inclusive: bool,
    },
    /// A part of a struct passed whole (a struct parameter, or such a part):
    /// `args[0]` followed by `steps`, each a field or an index that takes the next
    /// argument, `p__layers[k].w`. Its type is what the code reads it as: a float,
    /// a float array or a struct.
    Project {
        steps: Vec<Step>,
    },
    /// Reverse sweep: the same part of the adjoint buffer `args[0]`,
    /// `d_p.layers[k].w`, spelled where it is used: bound to no name, it borrows the
    /// buffer only for the statement that writes it.
    ProjectMut {
        steps: Vec<Step>,
    },
    /// Reverse sweep: `args[0] += args[1]` into a float part made by `ProjectMut`.
    AddTo,
    /// A copy of float array `args[0]`, whose length is `args[1]`: `args[0].to_vec()`
    /// (`to_vec`) or `args[0].clone()`. Nothing writes it; its adjoint is added into
    /// `args[0]`'s where it is made.
    CopyOf {
        to_vec: bool,
    },
}

/// One step of a [`Op::Project`]: a field, or an index into a vector or array of
/// structs (the instruction's next argument).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    Field(syn::Member),
    Index,
}

/// How many index arguments `steps` take.
pub fn index_steps(steps: &[Step]) -> usize {
    steps.iter().filter(|s| matches!(s, Step::Index)).count()
}

/// A loop seen as what it carries: `regions` (the `while` condition, then the body)
/// each take carried value `k` as argument `skip + k`; it starts as `inits[k]`, the
/// body yields its next value, and it ends as `results[k]`.
pub struct LoopView<'f> {
    pub regions: Vec<Region>,
    pub skip: usize,
    pub body: Region,
    pub inits: &'f [Value],
    pub results: &'f [Value],
}

/// The iterator a `for` loop runs over: `start..end` or `start..=end`, then the
/// adapters in source order (`(a..b).rev()`, `(a..b).step_by(k)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeShape {
    pub inclusive: bool,
    pub adapters: Vec<RangeAdapter>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum RangeAdapter {
    Rev,
    /// `.step_by(k)`: `k` is the next range argument after `end`.
    StepBy,
}

impl RangeShape {
    /// How many instruction arguments the range takes (start, end, steps).
    pub fn arg_count(&self) -> usize {
        2 + self
            .adapters
            .iter()
            .filter(|&&a| a == RangeAdapter::StepBy)
            .count()
    }
}

#[derive(Clone, Debug)]
pub struct InstData {
    pub op: Op,
    pub args: Vec<Value>,
    pub results: Vec<Value>,
    /// The source this instruction came from, for diagnostics and `quote_spanned!`.
    pub span: SourceSpan,
}

/// Where a value is defined.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum ValueDef {
    Param(usize),
    Result(Inst, usize),
    RegionArg(Region, usize),
}

#[derive(Clone, Debug)]
pub struct ValueData {
    pub ty: Ty,
    pub def: ValueDef,
    /// The user's variable name this value was bound to, if any, to name temporaries.
    pub hint: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct RegionData {
    /// Values the region receives each time it runs (a loop's index and carried values).
    pub args: Vec<Value>,
    pub insts: Vec<Inst>,
    pub yields: Vec<Value>,
}

/// The role of a function parameter.
#[derive(Clone, Debug)]
pub enum ParamKind {
    /// A parameter of the user's function, differentiable or not.
    Primal { name: syn::Ident, wrt: bool },
    /// The adjoint of the output that the reverse sweep starts from.
    Seed,
    /// `&mut` buffer that receives the adjoint of primal parameter `of`.
    AdjointOut { of: usize },
    /// The tangent of parameter `of`: given (of a primal parameter or of the seed),
    /// or, for an adjoint buffer, the `&mut` buffer that receives its tangent (the
    /// Hessian-vector product).
    Tangent { of: usize },
}

#[derive(Clone, Debug)]
pub struct Param {
    pub kind: ParamKind,
    /// `None` for adjoint buffers, which are written through `Accumulate` only.
    pub value: Option<Value>,
    pub ty: Ty,
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub params: Vec<Param>,
    pub ret: FloatTy,
    pub values: Arena<Value, ValueData>,
    pub insts: Arena<Inst, InstData>,
    pub regions: Arena<Region, RegionData>,
    pub body: Region,
}

impl Function {
    /// The single value the body returns.
    pub fn returned(&self) -> Value {
        self.regions[self.body].yields[0]
    }

    pub fn new_value(&mut self, ty: Ty, def: ValueDef, hint: Option<String>) -> Value {
        self.values.push(ValueData { ty, def, hint })
    }

    pub fn new_region(&mut self) -> Region {
        self.regions.push(RegionData::default())
    }

    pub fn add_region_arg(&mut self, region: Region, ty: Ty, hint: Option<String>) -> Value {
        let index = self.regions[region].args.len();
        let value = self.new_value(ty, ValueDef::RegionArg(region, index), hint);
        self.regions[region].args.push(value);
        value
    }

    /// The regions an instruction owns, in the order they run.
    pub fn inst_regions(&self, inst: Inst) -> Vec<Region> {
        match self.insts[inst].op {
            Op::If { then, otherwise } => vec![then, otherwise],
            Op::For { body, .. } => vec![body],
            Op::While { cond, body } => vec![cond, body],
            _ => Vec::new(),
        }
    }

    /// The carried-value structure of a `For` or `While` instruction.
    pub fn loop_view(&self, inst: Inst) -> Option<LoopView<'_>> {
        let data = &self.insts[inst];
        let (regions, skip, body, inits) = match data.op {
            Op::For {
                body, ref range, ..
            } => (vec![body], 1, body, &data.args[range.arg_count()..]),
            Op::While { cond, body } => (vec![cond, body], 0, body, &data.args[..]),
            _ => return None,
        };
        Some(LoopView {
            regions,
            skip,
            body,
            inits,
            results: &data.results[..inits.len()],
        })
    }

    /// Appends an instruction to `region` and creates its results.
    pub fn push_inst(
        &mut self,
        region: Region,
        op: Op,
        args: Vec<Value>,
        result_tys: &[Ty],
        span: SourceSpan,
    ) -> Inst {
        let inst = self.detached_inst(op, args, result_tys, span);
        self.regions[region].insts.push(inst);
        inst
    }

    /// An instruction and its results, not yet in any region: the caller places it.
    pub fn detached_inst(
        &mut self,
        op: Op,
        args: Vec<Value>,
        result_tys: &[Ty],
        span: SourceSpan,
    ) -> Inst {
        let inst = self.insts.push(InstData {
            op,
            args,
            results: Vec::new(),
            span,
        });
        let results = result_tys
            .iter()
            .enumerate()
            .map(|(k, &ty)| self.new_value(ty, ValueDef::Result(inst, k), None))
            .collect();
        self.insts[inst].results = results;
        inst
    }

    /// Every instruction in `region` and in the regions nested in it.
    pub fn insts_within(&self, region: Region) -> Vec<Inst> {
        let mut all = Vec::new();
        for &inst in &self.regions[region].insts {
            all.push(inst);
            for nested in self.inst_regions(inst) {
                all.extend(self.insts_within(nested));
            }
        }
        all
    }

    /// The literal `value` is, if it is one.
    pub fn literal(&self, value: Value) -> Option<&syn::Lit> {
        let ValueDef::Result(def, 0) = self.values[value].def else {
            return None;
        };
        match &self.insts[def].op {
            Op::Const(lit) => Some(lit),
            _ => None,
        }
    }

    /// The region holding `inst`, and its position there.
    pub fn position_of(&self, inst: Inst) -> Option<(Region, usize)> {
        self.regions.keys().find_map(|region| {
            let position = self.regions[region].insts.iter().position(|&i| i == inst)?;
            Some((region, position))
        })
    }

    /// The tokens of an opaque expression with capture `k` written as `name(captures[k])`.
    pub fn tokens_with_captures(
        &self,
        opaque: &Opaque,
        captures: &[Value],
        mut name: impl FnMut(Value) -> TokenStream,
    ) -> TokenStream {
        let mut expr = opaque.expr.clone();
        substitute_captures(&mut expr, &mut |k| name(captures[k]));
        quote::ToTokens::into_token_stream(expr)
    }
}

/// The first and last token of the user's code an instruction came from: an error
/// spanned by it underlines the whole expression (stable Rust cannot join spans).
#[derive(Copy, Clone, Debug)]
pub struct SourceSpan {
    pub start: Span,
    pub end: Span,
}

impl SourceSpan {
    pub fn of(node: &impl quote::ToTokens) -> SourceSpan {
        let mut tokens = node.to_token_stream().into_iter();
        let start = tokens.next().map_or_else(Span::call_site, |t| t.span());
        let end = tokens.last().map_or(start, |t| t.span());
        SourceSpan { start, end }
    }

    /// For instructions the macro adds, which have no source of their own.
    pub fn generated() -> SourceSpan {
        SourceSpan {
            start: Span::call_site(),
            end: Span::call_site(),
        }
    }
}

impl quote::ToTokens for SourceSpan {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.extend([
            proc_macro2::TokenTree::Ident(proc_macro2::Ident::new("start", self.start)),
            proc_macro2::TokenTree::Ident(proc_macro2::Ident::new("end", self.end)),
        ]);
    }
}

/// The identifier that stands for capture `k` in an opaque expression or a macro.
pub fn capture_ident(k: usize) -> syn::Ident {
    quote::format_ident!("__ad_capture_{}", k)
}

/// Capture `k` inside an [`Opaque`] expression. It sits in an `Expr::Verbatim`,
/// which parsing user code never produces for a path.
pub fn capture_placeholder(k: usize) -> syn::Expr {
    let ident = capture_ident(k);
    syn::Expr::Verbatim(quote::quote!(#ident))
}

/// Replaces each capture identifier in macro tokens by the tokens `name(k)` gives.
pub fn substitute_capture_tokens(
    tokens: TokenStream,
    name: &mut dyn FnMut(usize) -> TokenStream,
) -> TokenStream {
    tokens
        .into_iter()
        .flat_map(|token| match token {
            proc_macro2::TokenTree::Ident(ident) => {
                match ident
                    .to_string()
                    .strip_prefix("__ad_capture_")
                    .and_then(|k| k.parse().ok())
                {
                    Some(k) => name(k),
                    None => proc_macro2::TokenTree::Ident(ident).into(),
                }
            }
            proc_macro2::TokenTree::Group(group) => {
                let mut inner = proc_macro2::Group::new(
                    group.delimiter(),
                    substitute_capture_tokens(group.stream(), name),
                );
                inner.set_span(group.span());
                proc_macro2::TokenTree::Group(inner).into()
            }
            token => token.into(),
        })
        .collect()
}

fn capture_index(tokens: &TokenStream) -> Option<usize> {
    let mut iter = tokens.clone().into_iter();
    let (Some(proc_macro2::TokenTree::Ident(ident)), None) = (iter.next(), iter.next()) else {
        return None;
    };
    ident
        .to_string()
        .strip_prefix("__ad_capture_")?
        .parse()
        .ok()
}

/// The capture a method call's receiver is, in an opaque `v2.next_f64()`.
pub fn receiver_capture(opaque: &Opaque) -> Option<usize> {
    match &opaque.expr {
        syn::Expr::MethodCall(call) => match &*call.receiver {
            syn::Expr::Verbatim(tokens) => capture_index(tokens),
            _ => None,
        },
        _ => None,
    }
}

/// Replaces every capture placeholder in `expr` by the tokens `name(k)` gives.
pub fn substitute_captures(expr: &mut syn::Expr, name: &mut dyn FnMut(usize) -> TokenStream) {
    struct Substitute<'a>(&'a mut dyn FnMut(usize) -> TokenStream);
    impl syn::visit_mut::VisitMut for Substitute<'_> {
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            if let syn::Expr::Verbatim(tokens) = expr {
                if let Some(k) = capture_index(tokens) {
                    *tokens = (self.0)(k);
                    return;
                }
            }
            syn::visit_mut::visit_expr_mut(self, expr);
        }

        // `vec![x; n]` of constants keeps its captures as tokens.
        fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
            mac.tokens = substitute_capture_tokens(mac.tokens.clone(), self.0);
        }
    }
    syn::visit_mut::VisitMut::visit_expr_mut(&mut Substitute(name), expr);
}
