//! Expressions: literals, locals, operators, elementary functions, casts, blocks,
//! and opaque constant expressions.

use super::{Lowerer, SUPPORTED};
use crate::ir::{capture_placeholder, BinOp, FloatTy, Op, Opaque, Prim, SourceSpan, Ty, Value};
use syn::visit_mut::VisitMut;

impl Lowerer<'_> {
    /// The span of the call that `expr`, a local, was bound to, if it is a call of
    /// a differentiated function whose result has no known type: two tokens there.
    fn untyped_call(&self, expr: &syn::Expr) -> Option<proc_macro2::TokenStream> {
        let syn::Expr::Path(path) = super::array::strip_parens(expr) else {
            return None;
        };
        let value = path.path.get_ident().and_then(|ident| self.lookup(ident))?;
        let span = self.builder.untyped_apply(value)?;
        let (start, end) = (
            proc_macro2::Ident::new("start", span.start),
            proc_macro2::Ident::new("end", span.end),
        );
        Some(quote::quote!(#start #end))
    }

    /// Lowers an expression whose value is needed.
    pub(super) fn value_of(&mut self, expr: &syn::Expr) -> Value {
        match self.lower_expr(expr) {
            Some(value) => value,
            // After `return` the value is never used.
            None if self.returned.is_some() => self.poison(SourceSpan::of(expr)),
            None => self.error(
                expr,
                "this expression has no value, but a value is needed here",
            ),
        }
    }

    /// Lowers an expression; `None` for one without a value (an assignment, `return`).
    pub(super) fn lower_expr(&mut self, expr: &syn::Expr) -> Option<Value> {
        let span = SourceSpan::of(expr);
        let value = match expr {
            syn::Expr::Lit(lit) => {
                let ty = literal_type(&lit.lit);
                self.builder
                    .inst(Op::Const(lit.lit.clone()), Vec::new(), ty, span)
            }
            // What desugaring left where it reported an error.
            syn::Expr::Path(path) if path.path.is_ident("__ad_reported") => self.poison(span),
            syn::Expr::Path(path) if path.path.is_ident("__ad_unset") => {
                let zero =
                    syn::Lit::Float(syn::LitFloat::new("0.0", proc_macro2::Span::call_site()));
                let value = self
                    .builder
                    .inst(Op::Const(zero), Vec::new(), Ty::FloatLit, span);
                self.unset.push(value);
                value
            }
            syn::Expr::Path(path) => match path.path.get_ident().filter(|_| path.qself.is_none()) {
                Some(ident) => match self.lookup(ident) {
                    Some(value) => value,
                    None => self.opaque(expr, format!("`{ident}`"), span),
                },
                None => self.opaque(expr, "this path".into(), span),
            },
            syn::Expr::Paren(inner) => return self.lower_expr(&inner.expr),
            syn::Expr::Group(inner) => return self.lower_expr(&inner.expr),
            syn::Expr::Block(block) if block.label.is_none() => {
                return self.lower_block(&block.block)
            }
            syn::Expr::Unary(unary) => self.lower_unary(expr, unary),
            syn::Expr::Binary(binary) => return self.lower_binary(expr, binary),
            syn::Expr::Assign(assign) => {
                self.lower_assign(&assign.left, None, &assign.right);
                return None;
            }
            syn::Expr::Return(ret) => {
                self.lower_return(ret);
                return None;
            }
            syn::Expr::MethodCall(call) => {
                if call.method == "push" && self.lower_push(call) {
                    return None;
                }
                if call.method == "push" && call.args.iter().any(|arg| self.mentions_float(arg)) {
                    self.error(
                        call,
                        "pushing floats is supported onto a vector made in the body with \
                         `Vec::new()` or `Vec::with_capacity(n)`; make this one so, or use \
                         `vec![0.0; n]` and assign its elements",
                    );
                    return None;
                }
                self.lower_method_call(expr, call)
            }
            syn::Expr::If(branch) => return self.lower_if(branch),
            syn::Expr::ForLoop(for_loop) => return self.lower_for(for_loop),
            syn::Expr::While(while_loop) => return self.lower_while(while_loop),
            syn::Expr::Loop(body) => return self.lower_loop(body),
            syn::Expr::Break(exit) => return self.lower_break(exit),
            syn::Expr::Continue(exit) => return self.lower_continue(exit),
            // Desugaring turns every `match` into an `if` chain, whose bindings it takes
            // out with `match s { PAT => v, _ => unreachable!() }`, and leaves another
            // only where it reported the pattern it could not test.
            syn::Expr::Match(choice) => match binding_of(choice) {
                Some(_) => {
                    self.lower_pattern_match(expr, &choice.expr, quote::quote!(#choice), span)
                }
                None => self.poison(span),
            },
            // A read the fields step found in an integer or boolean position.
            syn::Expr::Call(call) if crate::fields::is_constant_marker(call) => {
                self.opaque(&call.args[0], "a constant of a struct".into(), span)
            }
            syn::Expr::Call(call) => match self.lower_empty_buffer(call) {
                Some(buffer) => buffer,
                None => self.lower_call(expr, call),
            },
            syn::Expr::Cast(cast) => {
                let arg = self.value_of(&cast.expr);
                let ty = cast_type(&cast.ty);
                self.builder
                    .inst(Op::Cast((*cast.ty).clone()), vec![arg], ty, span)
            }
            syn::Expr::Field(_) => match self.lower_part(expr, Ty::Float(self.builder.ret())) {
                Some(part) => part,
                None => self.opaque(expr, "this field access".into(), span),
            },
            syn::Expr::Index(index) if matches!(&*index.index, syn::Expr::Range(_)) => {
                match self.lower_slice(index) {
                    Some(slice) => slice,
                    None => self.opaque(expr, "indexing".into(), span),
                }
            }
            syn::Expr::Index(index) => match self.array_of(&index.expr) {
                Some(array) => self.lower_index(array, &index.index, span),
                None if self.is_slice(&index.expr) => {
                    let slice = self.value_of(&index.expr);
                    self.lower_index(slice, &index.index, span)
                }
                // `p__layers[k].w[j]`: an element of a float vector inside a struct.
                None if !matches!(&*index.expr, syn::Expr::Path(_))
                    && self.is_struct_part(&index.expr) =>
                {
                    let ty = Ty::FloatArray(self.builder.ret());
                    match self.lower_part(&index.expr, ty) {
                        Some(part) => self.lower_index(part, &index.index, span),
                        None => self.poison(span),
                    }
                }
                None => match self.untyped_call(&index.expr) {
                    Some(call) => self.error(
                        call,
                        "the result of this call is indexed or taken apart, so it is a \
                         vector: annotate its type, `let v: Vec<f64> = g(…);` or \
                         `let [a, b]: [f64; 2] = g(…);`",
                    ),
                    None => self.opaque(expr, "indexing".into(), span),
                },
            },
            syn::Expr::Reference(reference)
                if reference.mutability.is_none() && self.is_slice(&reference.expr) =>
            {
                return self.lower_expr(&reference.expr)
            }
            // The macro handles floats by value: `&x` and `*r` of a float are the float.
            syn::Expr::Reference(reference)
                if reference.mutability.is_none() && self.is_float_valued(&reference.expr) =>
            {
                return self.lower_expr(&reference.expr)
            }
            // `&a` of a float array is the array.
            syn::Expr::Reference(reference)
                if reference.mutability.is_none() && self.array_of(&reference.expr).is_some() =>
            {
                return self.lower_expr(&reference.expr)
            }
            // `&p__layers[k]`: a part of a struct, to pass on or to read fields of.
            syn::Expr::Reference(reference)
                if reference.mutability.is_none() && self.is_struct_part(&reference.expr) =>
            {
                match self.lower_part(&reference.expr, Ty::Struct(self.builder.ret())) {
                    Some(part) => part,
                    None => self.poison(span),
                }
            }
            syn::Expr::Reference(_) => self.opaque(expr, "taking a reference".into(), span),
            syn::Expr::Tuple(_) => self.opaque(expr, "a tuple".into(), span),
            syn::Expr::Repeat(repeat) => {
                match self.lower_buffer(&repeat.expr, &repeat.len, true, span) {
                    Some(buffer) => buffer,
                    None => self.opaque(expr, "an array".into(), span),
                }
            }
            // `[1.0, 0.0]` too: the other branch of `if c { [1.0, 0.0] } else { [x, y] }`
            // must be a float array like this one.
            syn::Expr::Array(array) if self.mentions_float(expr) || float_literals(array) => {
                self.lower_array_literal(array, span)
            }
            syn::Expr::Array(_) => self.opaque(expr, "an array".into(), span),
            syn::Expr::Struct(_) => self.opaque(expr, "a struct literal".into(), span),
            syn::Expr::Range(_) => self.opaque(expr, "a range".into(), span),
            syn::Expr::Macro(mac) if mac.mac.path.is_ident("vec") => {
                match self.lower_vec_macro(mac) {
                    Some(buffer) => buffer,
                    None => self.opaque(expr, "a `vec!` of listed values".into(), span),
                }
            }
            syn::Expr::Macro(mac) if is_matches(&mac.mac.path) => self.lower_matches(expr, mac),
            syn::Expr::Macro(mac) => {
                if self.lower_effect(&mac.mac) {
                    return None;
                }
                self.unsupported_macro(&mac.mac)
            }
            other => self.error(other, unsupported_message(other)),
        };
        Some(value)
    }

    fn lower_unary(&mut self, expr: &syn::Expr, unary: &syn::ExprUnary) -> Value {
        let op = match unary.op {
            syn::UnOp::Neg(_) => Op::Neg,
            syn::UnOp::Not(_) => Op::Not,
            syn::UnOp::Deref(_) if self.is_float_valued(&unary.expr) => {
                return self.value_of(&unary.expr);
            }
            _ => return self.opaque(expr, "a dereference".into(), SourceSpan::of(expr)),
        };
        let arg = self.value_of(&unary.expr);
        let ty = self.builder.ty(arg);
        self.builder.inst(op, vec![arg], ty, SourceSpan::of(expr))
    }

    fn lower_binary(&mut self, expr: &syn::Expr, binary: &syn::ExprBinary) -> Option<Value> {
        use syn::BinOp as B;
        let op = match binary.op {
            B::Add(_) => BinOp::Add,
            B::Sub(_) => BinOp::Sub,
            B::Mul(_) => BinOp::Mul,
            B::Div(_) => BinOp::Div,
            B::Rem(_) => BinOp::Rem,
            B::BitAnd(_) => BinOp::BitAnd,
            B::BitOr(_) => BinOp::BitOr,
            B::BitXor(_) => BinOp::BitXor,
            B::Shl(_) => BinOp::Shl,
            B::Shr(_) => BinOp::Shr,
            B::Eq(_) => BinOp::Eq,
            B::Ne(_) => BinOp::Ne,
            B::Lt(_) => BinOp::Lt,
            B::Le(_) => BinOp::Le,
            B::Gt(_) => BinOp::Gt,
            B::Ge(_) => BinOp::Ge,
            B::And(_) => return Some(self.lower_short_circuit(binary, true)),
            B::Or(_) => return Some(self.lower_short_circuit(binary, false)),
            compound => {
                let op =
                    match compound {
                        B::AddAssign(_) => BinOp::Add,
                        B::SubAssign(_) => BinOp::Sub,
                        B::MulAssign(_) => BinOp::Mul,
                        B::DivAssign(_) => BinOp::Div,
                        B::RemAssign(_) => BinOp::Rem,
                        B::BitAndAssign(_) => BinOp::BitAnd,
                        B::BitOrAssign(_) => BinOp::BitOr,
                        B::BitXorAssign(_) => BinOp::BitXor,
                        B::ShlAssign(_) => BinOp::Shl,
                        B::ShrAssign(_) => BinOp::Shr,
                        _ => {
                            return Some(self.error(
                                expr,
                                format!("this operator is not supported; {SUPPORTED}"),
                            ))
                        }
                    };
                self.lower_assign(&binary.left, Some(op), &binary.right);
                return None;
            }
        };
        let lhs = self.value_of(&binary.left);
        let rhs = self.value_of(&binary.right);
        let ty = if op.is_comparison() {
            Ty::Bool
        } else {
            self.builder.arithmetic_type(&[lhs, rhs])
        };
        Some(
            self.builder
                .inst(Op::Bin(op), vec![lhs, rhs], ty, SourceSpan::of(expr)),
        )
    }

    /// Whether an expression is a local float (or element of a float array), which
    /// the macro passes by value where the source takes a reference.
    fn is_float_valued(&self, expr: &syn::Expr) -> bool {
        match expr {
            syn::Expr::Paren(inner) => self.is_float_valued(&inner.expr),
            syn::Expr::Path(path) => path
                .path
                .get_ident()
                .and_then(|ident| self.lookup(ident))
                .is_some_and(|value| matches!(self.builder.ty(value), Ty::Float(_))),
            syn::Expr::Index(index) => self.array_of(&index.expr).is_some(),
            // What desugared iterator chains bind: `&x[i]`, `&&x[i]` and their `*`s.
            syn::Expr::Reference(reference) if reference.mutability.is_none() => {
                self.is_float_valued(&reference.expr)
            }
            syn::Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Deref(_)) => {
                self.is_float_valued(&unary.expr)
            }
            // What `x.first().unwrap()` desugars to: `{ let __ad_at = 0; &x[__ad_at] }`.
            syn::Expr::Block(block) => match block.block.stmts.last() {
                Some(syn::Stmt::Expr(last, None)) => self.is_float_valued(last),
                _ => false,
            },
            _ => false,
        }
    }

    /// `x.sin()`, `x.powi(2)`, `x.mul_add(a, b)`, `a.len()`, `a.iter().sum()`;
    /// other methods are opaque.
    fn lower_method_call(&mut self, expr: &syn::Expr, call: &syn::ExprMethodCall) -> Value {
        let name = call.method.to_string();
        let array = match self.array_of(&call.receiver) {
            None if self.is_slice(&call.receiver) => self.lower_expr(&call.receiver),
            array => array,
        };
        if let Some(array) = array {
            if name == "len" && call.args.is_empty() {
                return self
                    .builder
                    .inst(Op::Len, vec![array], Ty::Index, SourceSpan::of(expr));
            }
            if name == "is_empty" && call.args.is_empty() {
                let span = SourceSpan::of(expr);
                let len = self.builder.inst(Op::Len, vec![array], Ty::Index, span);
                let zero = syn::Lit::Int(syn::LitInt::new("0", proc_macro2::Span::call_site()));
                let zero = self
                    .builder
                    .inst(Op::Const(zero), Vec::new(), Ty::Index, span);
                return self
                    .builder
                    .inst(Op::Bin(BinOp::Eq), vec![len, zero], Ty::Bool, span);
            }
            if (name == "to_vec" || name == "clone") && call.args.is_empty() {
                return self.copy_of(array, name == "to_vec", SourceSpan::of(expr));
            }
        }
        match Prim::from_name(&name) {
            Some(prim) if call.turbofish.is_none() && call.args.len() + 1 == prim.args().len() => {
                let receiver = self.value_of(&call.receiver);
                let mut args = vec![receiver];
                args.extend(call.args.iter().map(|arg| self.value_of(arg)));
                let floats: Vec<Value> = prim
                    .args()
                    .iter()
                    .zip(&args)
                    .filter(|(&kind, _)| kind == crate::ir::ArgKind::Float)
                    .map(|(_, &arg)| arg)
                    .collect();
                let ty = match self.builder.ty(receiver) {
                    Ty::Int => Ty::Int,
                    _ => self.builder.arithmetic_type(&floats),
                };
                let op = Op::Call {
                    prim,
                    path_ty: None,
                };
                self.builder.inst(op, args, ty, SourceSpan::of(expr))
            }
            _ => match self.lower_method_apply(call) {
                Some(value) => value,
                None => self.opaque(
                    expr,
                    format!("the method `{name}`"),
                    SourceSpan::of(&call.method),
                ),
            },
        }
    }

    /// `f64::sin(x)`, `f32::powf(x, y)`; other calls are opaque.
    fn lower_call(&mut self, expr: &syn::Expr, call: &syn::ExprCall) -> Value {
        let callee = match &*call.func {
            syn::Expr::Path(path) if path.qself.is_none() => Some(&path.path),
            _ => None,
        };
        let name = callee
            .and_then(|path| path.segments.last())
            .map_or_else(|| "the function".to_owned(), |s| format!("`{}`", s.ident));
        match callee.and_then(float_function) {
            Some((float, prim)) if call.args.len() == prim.args().len() => {
                let args = call.args.iter().map(|arg| self.value_of(arg)).collect();
                let op = Op::Call {
                    prim,
                    path_ty: Some(float),
                };
                self.builder
                    .inst(op, args, Ty::Float(float), SourceSpan::of(expr))
            }
            _ => {
                if let Some(value) = self.lower_no_grad(call).or_else(|| self.lower_apply(call)) {
                    return value;
                }
                self.opaque(
                    expr,
                    format!("the call of {name}"),
                    SourceSpan::of(&call.func),
                )
            }
        }
    }

    /// An expression that runs as written, reading the locals it names. `blame` is
    /// what an error about it underlines: the method or function it calls.
    fn opaque(&mut self, expr: &syn::Expr, what: String, blame: SourceSpan) -> Value {
        let mut expr = expr.clone();
        let mut capture = CaptureLocals {
            lowerer: self,
            captures: Vec::new(),
        };
        capture.visit_expr_mut(&mut expr);
        let captures = capture.captures;
        let ty = path_float_type(&expr).map_or(Ty::Other, Ty::Float);
        let method = matches!(expr, syn::Expr::MethodCall(_));
        let reads_only = reads_only(&expr);
        let opaque = Opaque {
            expr,
            what,
            method,
            reads_only,
        };
        self.builder
            .inst(Op::Opaque(Box::new(opaque)), captures, ty, blame)
    }
}

impl Lowerer<'_> {
    /// `matches!(s, PAT)`, a test on a constant: runs as written.
    fn lower_matches(&mut self, expr: &syn::Expr, mac: &syn::ExprMacro) -> Value {
        use syn::parse::Parser;
        let parser = |input: syn::parse::ParseStream| {
            let scrutinee: syn::Expr = input.parse()?;
            input.parse::<syn::Token![,]>()?;
            let pat = syn::Pat::parse_multi_with_leading_vert(input)?;
            let guard = input.peek(syn::Token![if]);
            let _: Option<syn::Token![,]> = input.parse()?;
            Ok((scrutinee, pat, guard || !input.is_empty()))
        };
        let span = SourceSpan::of(expr);
        match parser.parse2(mac.mac.tokens.clone()) {
            Ok((scrutinee, pat, false)) => {
                let test = quote::quote!(match SCRUTINEE { #pat => true, _ => false });
                let value = self.lower_pattern_match(expr, &scrutinee, test, span);
                self.builder.set_ty(value, Ty::Bool);
                value
            }
            _ => self.error(
                mac,
                "#[differentiate] reads `matches!(value, pattern)` without a guard; \
                 write a guard as `matches!(value, pattern) && condition`",
            ),
        }
    }

    /// A `match` on the constant `scrutinee` (`tokens`, in which `SCRUTINEE` or the
    /// scrutinee stands for it), run as written: the scrutinee's locals are captured,
    /// the arms are left alone (the names they bind are theirs).
    fn lower_pattern_match(
        &mut self,
        expr: &syn::Expr,
        scrutinee: &syn::Expr,
        tokens: proc_macro2::TokenStream,
        span: SourceSpan,
    ) -> Value {
        if self.mentions_float(scrutinee) {
            return self.error(
                scrutinee,
                "a `match` or `matches!` with these patterns takes apart a value that holds \
                 differentiable floats, which #[differentiate] does not support; match on \
                 constants (enums, `Option`, `Result`, integers), or compare the floats with \
                 `if` and bind their parts with `let`",
            );
        }
        let mut captured = scrutinee.clone();
        let mut capture = CaptureLocals {
            lowerer: self,
            captures: Vec::new(),
        };
        capture.visit_expr_mut(&mut captured);
        let captures = capture.captures;
        let choice = match syn::parse2::<syn::Expr>(tokens) {
            Ok(syn::Expr::Match(mut choice)) => {
                *choice.expr = captured;
                choice
            }
            _ => return self.error(expr, "internal error: a pattern test that does not parse"),
        };
        // The `_` arm after a pattern that covers every value (`Ok(i) | Err(i)`) is
        // unreachable, which rustc would say about the user's `match`.
        let taken = quote::format_ident!("__ad_taken", span = proc_macro2::Span::mixed_site());
        let mut block: syn::ExprBlock = syn::parse_quote!({
            #[allow(unreachable_patterns)]
            let #taken = ();
            #taken
        });
        // Set after parsing: the capture placeholders are verbatim expressions.
        if let Some(syn::Stmt::Local(syn::Local {
            init: Some(init), ..
        })) = block.block.stmts.first_mut()
        {
            *init.expr = syn::Expr::Match(choice);
        }
        let choice = syn::Expr::Block(block);
        let opaque = Opaque {
            expr: choice,
            what: "this pattern test".into(),
            method: false,
            // Only reads the captured value; the `unreachable!()` arm never runs.
            reads_only: true,
        };
        self.builder
            .inst(Op::Opaque(Box::new(opaque)), captures, Ty::Other, span)
    }
}

/// `matches!` and `::core::matches!`.
fn is_matches(path: &syn::Path) -> bool {
    path.segments.last().is_some_and(|s| s.ident == "matches")
        && path.segments.len() <= 2
        && path
            .segments
            .first()
            .is_some_and(|s| s.ident == "matches" || s.ident == "core" || s.ident == "std")
}

/// The name `match s { PAT => v, _ => unreachable!() }`, desugaring's way of
/// taking out a binding, reads.
fn binding_of(choice: &syn::ExprMatch) -> Option<&syn::Ident> {
    let [taken, rest] = &choice.arms[..] else {
        return None;
    };
    let syn::Expr::Path(name) = &*taken.body else {
        return None;
    };
    let unreachable = matches!(&*rest.body, syn::Expr::Macro(m)
        if m.mac.path.segments.last().is_some_and(|s| s.ident == "unreachable"));
    let plain = taken.guard.is_none() && rest.guard.is_none();
    (matches!(rest.pat, syn::Pat::Wild(_)) && unreachable && plain)
        .then(|| name.path.get_ident())
        .flatten()
}

/// Replaces the locals an opaque expression reads with capture placeholders, and
/// rejects what would make that substitution wrong (new bindings, macros).
pub(super) struct CaptureLocals<'l, 'c> {
    pub(super) lowerer: &'l mut Lowerer<'c>,
    pub(super) captures: Vec<Value>,
}

impl CaptureLocals<'_, '_> {
    /// `vec![x; n]` and `vec![a, b, …]` of constants: captures the locals inside.
    fn capture_in_vec(&mut self, mac: &mut syn::ExprMacro) {
        use syn::parse::Parser;
        let repeat = |input: syn::parse::ParseStream| {
            let fill: syn::Expr = input.parse()?;
            input.parse::<syn::Token![;]>()?;
            Ok((fill, input.parse::<syn::Expr>()?))
        };
        let list = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        let tokens = mac.mac.tokens.clone();
        if let Ok((mut fill, mut len)) = repeat.parse2(tokens.clone()) {
            self.visit_expr_mut(&mut fill);
            self.visit_expr_mut(&mut len);
            mac.mac.tokens = quote::quote!(#fill; #len);
        } else if let Ok(mut elements) = list.parse2(tokens) {
            for element in &mut elements {
                self.visit_expr_mut(element);
            }
            mac.mac.tokens = quote::quote!(#elements);
        } else {
            self.lowerer.unsupported_macro(&mac.mac);
        }
    }

    fn capture(&mut self, value: Value) -> syn::Expr {
        let k = match self.captures.iter().position(|&v| v == value) {
            Some(k) => k,
            None => {
                self.captures.push(value);
                self.captures.len() - 1
            }
        };
        capture_placeholder(k)
    }
}

impl VisitMut for CaptureLocals<'_, '_> {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        match expr {
            syn::Expr::Path(path) if path.qself.is_none() => {
                if let Some(value) = path.path.get_ident().and_then(|i| self.lowerer.lookup(i)) {
                    *expr = self.capture(value);
                }
            }
            // `x.len().saturating_sub(1)` reads only the length, which is constant.
            syn::Expr::MethodCall(call)
                if call.method == "len"
                    && call.args.is_empty()
                    && self.lowerer.array_of(&call.receiver).is_some() =>
            {
                let len = self.lowerer.value_of(expr);
                *expr = self.capture(len);
            }
            syn::Expr::Macro(mac) if mac.mac.path.is_ident("vec") => self.capture_in_vec(mac),
            syn::Expr::Macro(mac) => {
                self.lowerer.unsupported_macro(&mac.mac);
            }
            // A block with a value (what a desugared iterator chain is, as in
            // `x.iter().position(…).unwrap_or(0)`) runs first and is read as a local.
            syn::Expr::Block(block) if block.label.is_none() => {
                if let Some(value) = self.lowerer.lower_block(&block.block) {
                    *expr = self.capture(value);
                }
            }
            syn::Expr::Closure(_)
            | syn::Expr::Block(_)
            | syn::Expr::Unsafe(_)
            | syn::Expr::Async(_)
            | syn::Expr::If(_)
            | syn::Expr::Match(_)
            | syn::Expr::Loop(_)
            | syn::Expr::While(_)
            | syn::Expr::ForLoop(_)
            | syn::Expr::Let(_)
            | syn::Expr::Return(_)
            | syn::Expr::Break(_)
            | syn::Expr::Continue(_)
            | syn::Expr::Try(_)
            | syn::Expr::TryBlock(_)
            | syn::Expr::Assign(_) => {
                self.lowerer.error(&*expr, unsupported_message(expr));
            }
            _ => syn::visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_field_value_mut(&mut self, field: &mut syn::FieldValue) {
        // `S { x }` reads the local `x`: spell it `S { x: <capture> }`.
        if field.colon_token.is_none() {
            field.colon_token = Some(Default::default());
        }
        syn::visit_mut::visit_field_value_mut(self, field);
    }
}

/// Whether an expression only reads: no call could run code or change anything.
fn reads_only(expr: &syn::Expr) -> bool {
    struct Calls(bool);
    impl<'ast> syn::visit::Visit<'ast> for Calls {
        fn visit_expr(&mut self, expr: &'ast syn::Expr) {
            match expr {
                syn::Expr::Call(_) | syn::Expr::MethodCall(_) | syn::Expr::Macro(_) => {
                    self.0 = true
                }
                expr => syn::visit::visit_expr(self, expr),
            }
        }
    }
    let mut calls = Calls(false);
    syn::visit::Visit::visit_expr(&mut calls, expr);
    !calls.0
}

/// The message for a construct the macro cannot differentiate.
fn unsupported_message(expr: &syn::Expr) -> String {
    let what = match expr {
        syn::Expr::If(_) => "`if` is not supported yet",
        syn::Expr::Match(_) => "`match` is not supported yet",
        syn::Expr::Loop(_) => "`loop` is not supported yet",
        syn::Expr::While(_) => "`while` loops are not supported yet",
        syn::Expr::ForLoop(_) => "`for` loops are not supported yet",
        syn::Expr::Break(_) => "`break` is not supported yet",
        syn::Expr::Continue(_) => "`continue` is not supported yet",
        syn::Expr::Closure(_) => "closures are not supported",
        syn::Expr::Unsafe(_) => "`unsafe` blocks are not supported",
        syn::Expr::Async(_) => "`async` blocks are not supported",
        syn::Expr::Await(_) => "`.await` is not supported",
        syn::Expr::Try(_) | syn::Expr::TryBlock(_) => "the `?` operator is not supported",
        syn::Expr::Let(_) => "`let` expressions are not supported",
        syn::Expr::Block(_) => "blocks inside a constant expression are not supported",
        syn::Expr::Return(_) => "`return` inside a constant expression is not supported",
        syn::Expr::Assign(_) => "assignment inside a constant expression is not supported",
        syn::Expr::Yield(_) => "`yield` is not supported",
        _ => "this expression is not supported",
    };
    format!("{what} in #[differentiate] functions; {SUPPORTED}")
}

fn literal_type(lit: &syn::Lit) -> Ty {
    match lit {
        syn::Lit::Float(float) => match float.suffix() {
            "f64" => Ty::Float(FloatTy::F64),
            "f32" => Ty::Float(FloatTy::F32),
            _ => Ty::FloatLit,
        },
        syn::Lit::Int(int) => match int.suffix() {
            "f64" => Ty::Float(FloatTy::F64),
            "f32" => Ty::Float(FloatTy::F32),
            _ => Ty::Int,
        },
        syn::Lit::Bool(_) => Ty::Bool,
        _ => Ty::Other,
    }
}

pub(super) fn cast_type(ty: &syn::Type) -> Ty {
    const INTS: [&str; 12] = [
        "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
    ];
    if let Some(float) = crate::ast::float_type(ty) {
        return Ty::Float(float);
    }
    match ty {
        syn::Type::Path(path)
            if path
                .path
                .get_ident()
                .is_some_and(|i| INTS.iter().any(|n| i == n)) =>
        {
            Ty::Int
        }
        _ => Ty::Other,
    }
}

/// `f64::sin` → `(F64, Sin)`; also `std::f64::sin` and `core::primitive::f64::sin`.
fn float_function(path: &syn::Path) -> Option<(FloatTy, Prim)> {
    let mut segments = path.segments.iter().rev();
    let function = segments.next()?;
    let ty = segments.next()?;
    let float = match ty.ident.to_string().as_str() {
        "f64" => FloatTy::F64,
        "f32" => FloatTy::F32,
        _ => return None,
    };
    if !function.arguments.is_none() {
        return None;
    }
    Some((float, Prim::from_name(&function.ident.to_string())?))
}

/// `f64::EPSILON`, `std::f32::consts::PI`: a path through `f64`/`f32` names a float of that type.
fn path_float_type(expr: &syn::Expr) -> Option<FloatTy> {
    let syn::Expr::Path(path) = expr else {
        return None;
    };
    path.path.segments.iter().find_map(|segment| {
        if segment.ident == "f64" {
            Some(FloatTy::F64)
        } else if segment.ident == "f32" {
            Some(FloatTy::F32)
        } else {
            None
        }
    })
}

/// Whether every element of an array literal is a float literal (`[1.0, 0.0, -2.5]`).
fn float_literals(array: &syn::ExprArray) -> bool {
    fn float(expr: &syn::Expr) -> bool {
        match expr {
            syn::Expr::Lit(lit) => matches!(literal_type(&lit.lit), Ty::FloatLit | Ty::Float(_)),
            syn::Expr::Unary(unary) => matches!(unary.op, syn::UnOp::Neg(_)) && float(&unary.expr),
            _ => false,
        }
    }
    !array.elems.is_empty() && array.elems.iter().all(float)
}
