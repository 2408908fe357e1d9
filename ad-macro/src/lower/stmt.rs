//! Blocks and statements: `let`, assignment, compound assignment, `return`.

use super::{Lowerer, SUPPORTED};
use crate::ir::{BinOp, Op, SourceSpan, Ty, Value};

impl Lowerer<'_> {
    /// Lowers a block in a scope of its own; its value is the tail expression's.
    pub(super) fn lower_block(&mut self, block: &syn::Block) -> Option<Value> {
        self.scopes.open();
        let value = self.lower_stmts(&block.stmts);
        self.scopes.close();
        value
    }

    /// Lowers statements in the current scope. After one that may leave early, the
    /// rest run under `if still_running { … }`.
    fn lower_stmts(&mut self, stmts: &[syn::Stmt]) -> Option<Value> {
        let mut value = None;
        for (k, stmt) in stmts.iter().enumerate() {
            if self.returned.is_some() {
                break;
            }
            let last = k + 1 == stmts.len();
            match stmt {
                syn::Stmt::Local(local) => self.lower_local(local),
                syn::Stmt::Expr(expr, None) if last => value = self.lower_expr(expr),
                syn::Stmt::Expr(expr, _) => {
                    self.lower_expr(expr);
                }
                // The generated functions repeat the body's `use` items (emit).
                syn::Stmt::Item(syn::Item::Use(_)) => {}
                // Those of the top-level block are taken out by `desugar`.
                syn::Stmt::Item(item @ syn::Item::Fn(_)) => {
                    self.error(
                        item,
                        "a `fn` defined inside a #[differentiate] function must be in the \
                         function's top-level block, not in a nested block, loop or branch; \
                         move it there or out of the function",
                    );
                }
                syn::Stmt::Item(item) => {
                    self.error(
                        item,
                        "items inside a #[differentiate] function are not supported, \
                         except `const`, `use` and `fn`; move this item out of the function",
                    );
                }
                syn::Stmt::Macro(stmt) => {
                    if !self.lower_effect(&stmt.mac) {
                        self.unsupported_macro(&stmt.mac);
                    }
                }
            }
            if !last && self.may_exit(stmt) {
                let running = self.still_running();
                let rest = &stmts[k + 1..];
                return self.branch(
                    running,
                    SourceSpan::generated(),
                    |this| this.lower_stmts(rest),
                    |_| None,
                );
            }
        }
        value
    }

    fn lower_local(&mut self, local: &syn::Local) {
        let Some(init) = &local.init else {
            let stand_in = self.error(
                local,
                "`let` without a value is not supported; give the variable its first value where it is declared",
            );
            // Bound anyway, so later assignments to it raise no second error.
            if let syn::Pat::Ident(pat) = &local.pat {
                self.bind(&pat.ident, stand_in);
            }
            return;
        };
        if let Some((_, diverge)) = &init.diverge {
            self.error(
                diverge,
                format!("`let … else` is not supported; {SUPPORTED}"),
            );
            return;
        }
        // `let (a, b) = (e1, e2);` is two `let`s.
        if let (syn::Pat::Tuple(names), syn::Expr::Tuple(values)) = (&local.pat, &*init.expr) {
            if names.elems.len() == values.elems.len() {
                let values: Vec<Value> = values
                    .elems
                    .iter()
                    .map(|value| self.value_of(value))
                    .collect();
                for (name, value) in names.elems.iter().zip(values) {
                    match name {
                        syn::Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => {
                            self.bind(&pat.ident, value)
                        }
                        syn::Pat::Wild(_) => {}
                        pat => {
                            self.error(pat, "bind one name per element: `let (a, b) = (…, …);`");
                        }
                    }
                }
                return;
            }
        }
        let (pat, annotation) = match &local.pat {
            syn::Pat::Type(typed) => (&*typed.pat, Some(&*typed.ty)),
            pat => (pat, None),
        };
        let name = match pat {
            syn::Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => {
                Some(&pat.ident)
            }
            syn::Pat::Wild(_) => None,
            pat => {
                self.error(
                    pat,
                    "this pattern is not supported in #[differentiate] functions; \
                     bind one name per `let` (`let x = …;`, `let mut x: f64 = …;`)",
                );
                return;
            }
        };
        let mut value = match &*init.expr {
            // `let mut t = [1.0, 2.0, 0.5];` is a buffer of floats even while its
            // elements are constants: it is there to be written (issue 16, item 1;
            // found by the random programs). Not a `let` without `mut`: an array of
            // constants passed to a function of constants stays such a constant.
            syn::Expr::Array(array)
                if matches!(pat, syn::Pat::Ident(p) if p.mutability.is_some())
                    && array.elems.iter().any(is_float_literal) =>
            {
                self.lower_array_literal(array, SourceSpan::of(&*init.expr))
            }
            // The same for `let mut v = vec![1.0, 2.0];`.
            syn::Expr::Macro(mac)
                if matches!(pat, syn::Pat::Ident(p) if p.mutability.is_some())
                    && mac.mac.path.is_ident("vec") =>
            {
                match self.lower_listed_floats(mac) {
                    Some(buffer) => buffer,
                    None => self.value_of(&init.expr),
                }
            }
            expr => self.value_of(expr),
        };
        if let Some(ty) = annotation {
            self.type_vector_call(value, ty, &init.expr);
        }
        // The annotation is kept: rustc may need it (`let mut s: f64 = 0.0; … s.cos()`).
        // An array needs none (and a `let` would move it away from its adjoint's uses).
        let annotation =
            annotation.filter(|_| !matches!(self.builder.ty(value), Ty::FloatArray(_)));
        if let Some(ty) = annotation {
            if let Some(float) = crate::ast::float_type(ty) {
                self.refine_literal_type(value, float);
            }
            let op = Op::Ascribe(ty.clone());
            value = self.builder.inst(
                op,
                vec![value],
                super::expr::cast_type(ty),
                SourceSpan::of(&local.pat),
            );
        }
        if let Some(name) = name {
            self.bind(name, value);
        }
    }

    /// `let c: f64 = 2.0;` gives the literal a width the macro can use.
    fn refine_literal_type(&mut self, value: Value, float: crate::ir::FloatTy) {
        if matches!(self.builder.ty(value), Ty::FloatLit | Ty::Other) {
            self.builder.set_ty(value, Ty::Float(float));
        }
    }

    /// `x = e` and `x op= e`: the local `x` now names a new value.
    pub(super) fn lower_assign(&mut self, place: &syn::Expr, op: Option<BinOp>, rhs: &syn::Expr) {
        let rhs = self.value_of(rhs);
        if let syn::Expr::Index(index) = place {
            if self.lower_store(index, op, rhs) || self.lower_constant_store(index, op, rhs) {
                return;
            }
        }
        let syn::Expr::Path(path) = place else {
            self.error(
                place,
                "assignment to this place is not supported; assign to a local variable (`x = …`, `x += …`)",
            );
            return;
        };
        let Some(ident) = path.path.get_ident().filter(|_| path.qself.is_none()) else {
            self.error(
                place,
                "assignment to a path is not supported; assign to a local variable",
            );
            return;
        };
        let value = match (op, self.lookup(ident)) {
            (_, None) => {
                self.error(
                    place,
                    format!("`{ident}` is not a local variable of this function, so it cannot be assigned to"),
                );
                return;
            }
            (None, Some(_)) => rhs,
            (Some(op), Some(old)) => {
                let ty = self.builder.arithmetic_type(&[old, rhs]);
                self.builder
                    .inst(Op::Bin(op), vec![old, rhs], ty, SourceSpan::of(place))
            }
        };
        self.assign(ident, value);
    }

    /// `return e`: the value of the function; what follows is dead.
    pub(super) fn lower_return(&mut self, ret: &syn::ExprReturn) {
        let value = match &ret.expr {
            Some(expr) => self.value_of(expr),
            None => self.error(ret, "`return` needs the value to return"),
        };
        if self.return_flags {
            self.lower_flagged_return(value);
            return;
        }
        if self.returned.is_none() {
            self.returned = Some(value);
        }
    }

    pub(super) fn unsupported_macro(&mut self, mac: &syn::Macro) -> Value {
        let name = mac
            .path
            .segments
            .last()
            .map_or_else(String::new, |s| s.ident.to_string());
        self.error(
            mac,
            format!(
                "`{name}!` is not supported in #[differentiate] functions; compute the value \
                 with ordinary expressions (supported macros: `vec![x; n]` and `vec![a, b]` \
                 make buffers; `assert!`, `debug_assert!`, `assert_eq!`, `println!`, \
                 `eprintln!` and the like run as written, without derivative)"
            ),
        )
    }
}

/// `1.0`, `-2.5_f64`, `(0.5)`: a float literal, maybe negated or parenthesised.
pub(super) fn is_float_literal(expr: &syn::Expr) -> bool {
    match expr {
        syn::Expr::Lit(lit) => matches!(lit.lit, syn::Lit::Float(_)),
        syn::Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Neg(_)) => {
            is_float_literal(&unary.expr)
        }
        syn::Expr::Paren(inner) => is_float_literal(&inner.expr),
        _ => false,
    }
}
