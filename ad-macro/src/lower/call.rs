//! Calls of other differentiated functions, and `ad::no_grad`.
//!
//! A call whose arguments involve a float local is an `Apply`: it runs as written
//! in the forward sweep, and its reverse calls the callee's `NAME_adjoint_all`,
//! which every `#[differentiate]` function (and every `#[ad::custom_adjoint]`) has.
//! A call with only constant arguments stays an opaque constant.

use super::Lowerer;
use crate::ir::{Callee, Op, SourceSpan, Ty, Value};
use syn::spanned::Spanned;

impl Lowerer<'_> {
    /// `ad::no_grad(e)`: `e`, but no adjoint flows back through it.
    pub(super) fn lower_no_grad(&mut self, call: &syn::ExprCall) -> Option<Value> {
        let syn::Expr::Path(path) = &*call.func else {
            return None;
        };
        let last = path.path.segments.last()?;
        if last.ident != "no_grad" || call.args.len() != 1 {
            return None;
        }
        let value = self.value_of(&call.args[0]);
        let ty = self.builder.ty(value);
        Some(
            self.builder
                .inst(Op::NoGrad, vec![value], ty, SourceSpan::of(call)),
        )
    }

    /// `g(x, &w, n)` with a float argument: a call of a differentiated function.
    pub(super) fn lower_apply(&mut self, call: &syn::ExprCall) -> Option<Value> {
        let syn::Expr::Path(path) = &*call.func else {
            return None;
        };
        if path.qself.is_some() || !call.args.iter().any(|arg| self.mentions_float(arg)) {
            return None;
        }
        let callee = Callee {
            path: path.path.clone(),
            method: false,
            by_ref: Vec::new(),
            span: path.span(),
        };
        Some(self.apply(callee, Vec::new(), call.args.iter(), SourceSpan::of(call)))
    }

    /// `model.predict(x, i)` on a constant receiver with a float argument.
    pub(super) fn lower_method_apply(&mut self, call: &syn::ExprMethodCall) -> Option<Value> {
        // A method of a differentiated struct (`self.penalty()`), with its adjoint.
        let of_struct = self.is_struct_part(&call.receiver)
            && !matches!(call.method.to_string().as_str(), "len" | "is_empty");
        if call.turbofish.is_some()
            || (!of_struct && self.mentions_float(&call.receiver))
            || !(of_struct || call.args.iter().any(|arg| self.mentions_float(arg)))
        {
            return None;
        }
        let receiver = match of_struct {
            true => self
                .lower_part(&call.receiver, Ty::Struct(self.builder.ret()))
                .expect("a struct part"),
            false => self.value_of(&call.receiver),
        };
        let callee = Callee {
            path: call.method.clone().into(),
            method: true,
            by_ref: vec![false],
            span: call.method.span(),
        };
        Some(self.apply(
            callee,
            vec![receiver],
            call.args.iter(),
            SourceSpan::of(call),
        ))
    }

    fn apply<'e>(
        &mut self,
        mut callee: Callee,
        mut args: Vec<Value>,
        arg_exprs: impl Iterator<Item = &'e syn::Expr>,
        span: SourceSpan,
    ) -> Value {
        for arg in arg_exprs {
            let (value, mut by_ref) = match arg {
                syn::Expr::Reference(reference) if reference.mutability.is_none() => {
                    match self.array_of(&reference.expr) {
                        Some(array) => (array, true),
                        None if self.is_struct_part(&reference.expr) => {
                            let ty = Ty::Struct(self.builder.ret());
                            match self.lower_part(&reference.expr, ty) {
                                Some(part) => (part, true),
                                None => (self.value_of(arg), false),
                            }
                        }
                        None => (self.value_of(arg), false),
                    }
                }
                arg => (self.value_of(arg), false),
            };
            let root = self.builder.slice_root(value);
            let value = match self.builder.ty(value) {
                // A vector a call returned is never written (`lower_store`), so the
                // reverse sweep reads it as the callee saw it.
                Ty::FloatArray(_) if self.builder.is_apply(root) => value,
                Ty::FloatArray(_) if !self.builder.is_param(root) && self.depth > 0 => self.error(
                    arg,
                    "passing a local buffer to another differentiated function inside a branch \
                     or loop is not supported yet; pass it in top-level code, pass a parameter \
                     slice, or compute the buffer's use inline",
                ),
                // The callee's reverse reads the buffer as it was at the call, which
                // later writes may change: it gets a copy.
                Ty::FloatArray(_) if !self.builder.is_param(root) => {
                    // A sub-slice's copy is a `Vec`, lent as a slice.
                    by_ref |= root != value;
                    self.copy_of(value, root != value, SourceSpan::of(arg))
                }
                _ => value,
            };
            args.push(value);
            callee.by_ref.push(by_ref);
        }
        let floats: Vec<Value> = args
            .iter()
            .copied()
            .filter(|&v| matches!(self.builder.ty(v), Ty::Float(_)))
            .collect();
        let ty = match self.builder.arithmetic_type(&floats) {
            Ty::Float(float) => Ty::Float(float),
            _ => Ty::Float(self.builder.ret()),
        };
        self.builder
            .inst(Op::Apply(Box::new(callee)), args, ty, span)
    }

    /// `let s: Vec<f64> = step(x, dt);`: the annotation says that the callee, whose
    /// signature the macro cannot see, returns a vector (issue 19). The result is
    /// then a float array like a local buffer, and the reverse sweep seeds the
    /// callee's `_adjoint_all` with its adjoint buffer.
    pub(super) fn type_vector_call(&mut self, value: Value, ty: &syn::Type, call: &syn::Expr) {
        let Some(array) = crate::ast::float_array(ty) else {
            return;
        };
        if matches!(ty, syn::Type::Reference(_)) || !self.builder.is_apply(value) {
            return;
        }
        if self.depth > 0 {
            self.error(
                call,
                "a call of a vector-valued function inside a branch or loop is not supported \
                 yet; call it in the function's top-level code",
            );
            return;
        }
        self.builder.set_ty(value, Ty::FloatArray(array.elem));
    }

    /// Whether an expression reads a float local or float array.
    pub(super) fn mentions_float(&self, expr: &syn::Expr) -> bool {
        struct Mentions<'l, 'c> {
            lowerer: &'l Lowerer<'c>,
            found: bool,
        }
        impl<'ast> syn::visit::Visit<'ast> for Mentions<'_, '_> {
            // `y.len()` is an integer, whatever `y` holds.
            fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
                let size =
                    (call.method == "len" || call.method == "is_empty") && call.args.is_empty();
                if !size {
                    syn::visit::visit_expr_method_call(self, call);
                }
            }

            fn visit_expr_path(&mut self, path: &'ast syn::ExprPath) {
                let value = path
                    .path
                    .get_ident()
                    .and_then(|ident| self.lowerer.lookup(ident));
                if let Some(value) = value {
                    self.found |= matches!(
                        self.lowerer.builder.ty(value),
                        Ty::Float(_) | Ty::FloatArray(_) | Ty::Struct(_)
                    );
                }
            }
        }
        let mut mentions = Mentions {
            lowerer: self,
            found: false,
        };
        syn::visit::Visit::visit_expr(&mut mentions, expr);
        mentions.found
    }
}
