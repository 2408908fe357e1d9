//! Lowering: the function's syn AST → SSA IR.
//!
//! Each `let`, assignment and compound assignment binds a name to a fresh SSA
//! value in a scope map, so mutation and shadowing disappear. Expressions the
//! macro does not differentiate (paths to constants, fields of a config struct,
//! calls with constant arguments) become [`Op::Opaque`] instructions that run as
//! written; activity analysis rejects them if they would read a differentiable value.

mod array;
mod call;
mod control;
mod effect;
mod exit;
mod expr;
mod place;
mod scope;
mod stmt;

use crate::ast::FnInput;
use crate::ctxt::Ctxt;
use crate::ir::{FnBuilder, Function, Op, ParamKind, SourceSpan, Ty, Value};
use scope::Scopes;

/// Lowers `body`, the desugared body of `input`, reporting unsupported constructs
/// into `ctxt`. The function returned is meaningful only if `ctxt` has no errors.
pub fn lower(input: &FnInput, body: &syn::Block, ctxt: &Ctxt) -> Function {
    let mut lowerer = Lowerer {
        builder: FnBuilder::new(input.name().to_string(), input.ret),
        ctxt,
        scopes: Scopes::new(),
        returned: None,
        depth: 0,
        return_flags: false,
        loops: Vec::new(),
        next_id: 0,
        unset: Vec::new(),
    };
    if input.by_ref_self {
        let name = syn::Ident::from(<syn::Token![self]>::default());
        // `self` is a constant, unless `wrt(self)` and the body passes it whole
        // (`self.penalty()`).
        let whole = input.params.iter().any(|p| p.receiver && p.passed_whole());
        let kind = ParamKind::Primal {
            name: name.clone(),
            wrt: whole,
        };
        let ty = if whole {
            Ty::Struct(input.ret)
        } else {
            Ty::Other
        };
        let value = lowerer.builder.add_param(kind, ty);
        lowerer.bind(&name, value);
    }
    for param in input.body_params() {
        let kind = ParamKind::Primal {
            name: param.ident.clone(),
            wrt: param.wrt,
        };
        let ty = match (param.float, &param.array, param.whole) {
            (Some(float), _, _) => Ty::Float(float),
            (None, Some(array), _) => Ty::FloatArray(array.elem),
            (None, None, true) => Ty::Struct(input.ret),
            _ => Ty::Other,
        };
        let value = lowerer.builder.add_param(kind, ty);
        lowerer.bind(&param.ident, value);
    }
    lowerer.start_return_flags(body);
    if input.vector.is_some() && lowerer.return_flags {
        ctxt.error_spanned_by(
            body,
            "a vector-valued #[differentiate] function cannot `return` from inside a branch \
             or loop yet; build the result in one buffer and return it at the end",
        );
    }
    let mut tail = lowerer.lower_block(body);
    if lowerer.return_flags {
        tail = lowerer.finish_return_flags(tail);
    }
    let returned = match (lowerer.returned, tail) {
        (Some(value), _) | (None, Some(value)) => value,
        (None, None) => {
            ctxt.error_spanned_by(
                body,
                "the function body has no value; end it with the expression to return",
            );
            lowerer.poison(SourceSpan::of(body))
        }
    };
    if input.vector.is_some() {
        lowerer.check_vector_returned(returned, body);
    }
    lowerer.builder.finish(returned)
}

struct Lowerer<'c> {
    builder: FnBuilder,
    ctxt: &'c Ctxt,
    /// Innermost scope last; each maps a local's name to its current value.
    scopes: Scopes,
    /// Set by `return`: the rest of the body is dead.
    returned: Option<Value>,
    /// How many branches and loops enclose the code being lowered.
    depth: usize,
    /// Whether `return` sets flags (it appears inside a branch or loop).
    return_flags: bool,
    /// The numbers of the loops enclosing the code being lowered, innermost last.
    loops: Vec<usize>,
    next_id: usize,
    /// The first values of locals desugaring declares before a tuple-valued `if`
    /// assigns them (`__ad_unset`): a branch that leaves early yields a placeholder
    /// of the other branch's type instead (desugar/scalar.rs).
    unset: Vec<Value>,
}

impl Lowerer<'_> {
    fn bind(&mut self, ident: &syn::Ident, value: Value) {
        let name = ident.to_string();
        self.builder.set_hint(value, &name);
        self.scopes.bind(name, value);
    }

    fn lookup(&self, ident: &syn::Ident) -> Option<Value> {
        self.scopes.lookup(&ident.to_string())
    }

    /// Rebinds an existing local (assignment); `false` if no local has that name.
    fn assign(&mut self, ident: &syn::Ident, value: Value) -> bool {
        let name = ident.to_string();
        match self.scopes.slot_of(&name) {
            Some(slot) => {
                self.scopes.set(slot, value);
                self.builder.set_hint(value, &name);
                true
            }
            None => false,
        }
    }

    /// A stand-in value after an error, so lowering goes on and finds the next one.
    fn poison(&mut self, span: SourceSpan) -> Value {
        self.builder.inst(Op::Poison, Vec::new(), Ty::Other, span)
    }

    /// A vector-valued function must return a float buffer the macro built (or a
    /// parameter array): the reverse sweep seeds that buffer's adjoint.
    fn check_vector_returned(&mut self, returned: Value, body: &syn::Block) {
        let ty = self.builder.ty(returned);
        let poisoned = self.builder.is_poison(returned);
        if !matches!(ty, Ty::FloatArray(_)) && !poisoned {
            let at = body.stmts.last().map_or_else(
                || quote::ToTokens::to_token_stream(body),
                quote::ToTokens::to_token_stream,
            );
            self.ctxt.error_spanned_by(
                at,
                "a vector-valued #[differentiate] function returns a float buffer it builds: \
                 `vec![0.0; m]` or `[0.0; M]` then element writes, an array literal \
                 `[a, b]` or `vec![a, b]`, `Vec::new()` then `push`, or `collect()` of an \
                 iterator chain",
            );
        }
    }

    fn error(&mut self, node: impl quote::ToTokens, message: impl std::fmt::Display) -> Value {
        let span = SourceSpan::of(&node);
        self.ctxt.error_spanned_by(node, message);
        self.poison(span)
    }
}

/// The list of what a #[differentiate] body may contain, for the end of messages.
const SUPPORTED: &str = "supported: `let`, assignment, arithmetic, f32/f64 methods such as \
    `sin` `exp` `powf`, `if`, `match`, `for` over ranges and slices, `while`, `loop`, \
    indexing, calls of #[differentiate] functions (the README lists them all)";
