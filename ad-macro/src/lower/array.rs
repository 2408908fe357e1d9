//! Float arrays: differentiable slice, array and `Vec` parameters, and local buffers
//! (`vec![0.0; n]`, `[0.0; N]`). An array is memory, not an SSA value: `a[i]` is an
//! `Index` that produces a value, `a[i] = v` a `Store`. The reverse sweep never reads
//! an array back (what it needs of a loaded element is the element's value, recorded
//! like any other), so overwriting an element records nothing.
//!
//! Iteration over an array (`for v in x.iter()`, `.enumerate()`, `.zip(…)`,
//! `.iter().sum()`) arrives here already rewritten to indexed loops by
//! `crate::desugar`.

use super::Lowerer;
use crate::ir::{BinOp, Op, SourceSpan, Ty, Value};

impl Lowerer<'_> {
    /// The float array a path names, if it names one.
    pub(super) fn array_of(&self, expr: &syn::Expr) -> Option<Value> {
        let syn::Expr::Path(path) = strip_parens(expr) else {
            return None;
        };
        let value = self.lookup(path.path.get_ident()?)?;
        matches!(self.builder.ty(value), Ty::FloatArray(_)).then_some(value)
    }

    /// Whether `expr` is a sub-slice of a float array: `x[a..b]`, `&x[a..]`,
    /// `&x[..=b][1..]`.
    pub(super) fn is_slice(&self, expr: &syn::Expr) -> bool {
        match strip_parens(expr) {
            syn::Expr::Reference(reference) if reference.mutability.is_none() => {
                self.is_slice(&reference.expr)
            }
            syn::Expr::Index(index) => {
                matches!(&*index.index, syn::Expr::Range(_))
                    && (self.array_of(&index.expr).is_some() || self.is_slice(&index.expr))
            }
            _ => false,
        }
    }

    /// `x[a..b]` of a float array (or of a sub-slice of one): a [`Op::Slice`]; a
    /// bound left out is `0` or the length.
    pub(super) fn lower_slice(&mut self, index: &syn::ExprIndex) -> Option<Value> {
        let syn::Expr::Range(range) = &*index.index else {
            return None;
        };
        let array = match self.array_of(&index.expr) {
            Some(array) => array,
            None if self.is_slice(&index.expr) => self.value_of(&index.expr),
            None => return None,
        };
        let span = SourceSpan::of(index);
        let start = match &range.start {
            Some(start) => self.value_of(start),
            None => {
                let zero = syn::Lit::Int(syn::LitInt::new("0", proc_macro2::Span::call_site()));
                self.builder
                    .inst(Op::Const(zero), Vec::new(), Ty::Index, span)
            }
        };
        let end = match &range.end {
            Some(end) => self.value_of(end),
            None => self.builder.inst(Op::Len, vec![array], Ty::Index, span),
        };
        self.builder.refine_index(start);
        self.builder.refine_index(end);
        let inclusive = matches!(range.limits, syn::RangeLimits::Closed(_));
        let ty = self.builder.ty(array);
        Some(
            self.builder
                .inst(Op::Slice { inclusive }, vec![array, start, end], ty, span),
        )
    }

    /// `a.to_vec()` (or `a.clone()`) of a float array: a copy nothing writes.
    pub(super) fn copy_of(&mut self, array: Value, to_vec: bool, span: SourceSpan) -> Value {
        let len = self.builder.inst(Op::Len, vec![array], Ty::Index, span);
        let ty = self.builder.ty(array);
        self.builder
            .inst(Op::CopyOf { to_vec }, vec![array, len], ty, span)
    }

    /// `a[i]` of a float array.
    pub(super) fn lower_index(
        &mut self,
        array: Value,
        index: &syn::Expr,
        span: SourceSpan,
    ) -> Value {
        let index = self.value_of(index);
        self.builder.refine_index(index);
        let Ty::FloatArray(elem) = self.builder.ty(array) else {
            unreachable!("array_of returns float arrays only");
        };
        self.builder
            .inst(Op::Index, vec![array, index], Ty::Float(elem), span)
    }

    /// `a[i] = v` and `a[i] op= v` into a float array.
    pub(super) fn lower_store(
        &mut self,
        place: &syn::ExprIndex,
        op: Option<BinOp>,
        rhs: Value,
    ) -> bool {
        let Some(array) = self.array_of(&place.expr) else {
            return false;
        };
        if self.builder.is_apply(array) {
            self.error(
                place,
                "a vector returned by a differentiated function cannot be written to; \
                 copy it into a buffer (`let mut b = vec![0.0; n];` and a loop) and write that",
            );
            return true;
        }
        let span = SourceSpan::of(place);
        let index = self.value_of(&place.index);
        self.builder.refine_index(index);
        let value = match op {
            None => rhs,
            Some(op) => {
                let ty = self.builder.ty(rhs);
                let elem = match self.builder.ty(array) {
                    Ty::FloatArray(elem) => Ty::Float(elem),
                    _ => ty,
                };
                let old = self.builder.inst(Op::Index, vec![array, index], elem, span);
                self.builder
                    .inst(Op::Bin(op), vec![old, rhs], Ty::join(elem, ty), span)
            }
        };
        self.builder
            .inst_multi(Op::Store, vec![array, index, value], &[], span);
        true
    }

    /// `counts[k] = v` and `counts[k] += v` into a local buffer of constants (integers,
    /// flags): a statement run as written in the forward sweep.
    pub(super) fn lower_constant_store(
        &mut self,
        place: &syn::ExprIndex,
        op: Option<BinOp>,
        rhs: Value,
    ) -> bool {
        let syn::Expr::Path(path) = strip_parens(&place.expr) else {
            return false;
        };
        let Some(buffer) = path.path.get_ident().and_then(|ident| self.lookup(ident)) else {
            return false;
        };
        if matches!(self.builder.ty(buffer), Ty::FloatArray(_)) || self.builder.is_param(buffer) {
            return false;
        }
        let mut target = syn::Expr::Index(place.clone());
        let mut capture = super::expr::CaptureLocals {
            lowerer: self,
            captures: Vec::new(),
        };
        syn::visit_mut::VisitMut::visit_expr_mut(&mut capture, &mut target);
        let mut captures = capture.captures;
        captures.push(rhs);
        let value = Box::new(crate::ir::capture_placeholder(captures.len() - 1));
        let target = Box::new(target);
        let statement = match op.and_then(compound_operator) {
            None => syn::Expr::Assign(syn::ExprAssign {
                attrs: Vec::new(),
                left: target,
                eq_token: Default::default(),
                right: value,
            }),
            Some(op) => syn::Expr::Binary(syn::ExprBinary {
                attrs: Vec::new(),
                left: target,
                op,
                right: value,
            }),
        };
        let opaque = crate::ir::Opaque {
            expr: statement,
            what: "a store into a buffer of constants".into(),
            method: false,
            reads_only: false,
        };
        self.builder.inst_multi(
            Op::Statement(Box::new(opaque)),
            captures,
            &[],
            SourceSpan::of(place),
        );
        true
    }

    /// `vec![fill; n]` and `[fill; N]` of floats: a buffer. `None` for other contents.
    pub(super) fn lower_buffer(
        &mut self,
        fill: &syn::Expr,
        len: &syn::Expr,
        fixed: bool,
        span: SourceSpan,
    ) -> Option<Value> {
        let fill = self.value_of(fill);
        let elem = match self.builder.ty(fill) {
            Ty::Float(float) => float,
            Ty::FloatLit => self.builder.ret(),
            _ => return None,
        };
        let (op, args) = if fixed {
            (
                Op::NewBuffer {
                    fixed_len: Some(len.clone()),
                },
                vec![fill],
            )
        } else {
            let len = self.value_of(len);
            self.builder.refine_index(len);
            (Op::NewBuffer { fixed_len: None }, vec![fill, len])
        };
        Some(self.builder.inst(op, args, Ty::FloatArray(elem), span))
    }

    /// `Vec::new()` and `Vec::with_capacity(n)`: a buffer to push floats onto. Its
    /// type is settled by the first `push` (until then it may as well be a vector of
    /// integers, which stays a constant).
    pub(super) fn lower_empty_buffer(&mut self, call: &syn::ExprCall) -> Option<Value> {
        let syn::Expr::Path(path) = &*call.func else {
            return None;
        };
        let mut segments = path.path.segments.iter().rev();
        let (constructor, ty) = (segments.next()?, segments.next()?);
        let args: Vec<Value> = match (
            ty.ident == "Vec",
            constructor.ident.to_string().as_str(),
            call.args.len(),
        ) {
            (true, "new", 0) => Vec::new(),
            (true, "with_capacity", 1) => vec![self.value_of(&call.args[0])],
            _ => return None,
        };
        Some(
            self.builder
                .inst(Op::EmptyBuffer, args, Ty::Other, SourceSpan::of(call)),
        )
    }

    /// `a.push(v)` onto a buffer from `Vec::new()`/`Vec::with_capacity`.
    pub(super) fn lower_push(&mut self, call: &syn::ExprMethodCall) -> bool {
        let (syn::Expr::Path(path), 1) = (strip_parens(&call.receiver), call.args.len()) else {
            return false;
        };
        let Some(buffer) = path.path.get_ident().and_then(|ident| self.lookup(ident)) else {
            return false;
        };
        if !self.builder.is_empty_buffer(buffer) {
            return false;
        }
        let value = self.value_of(&call.args[0]);
        if let (Ty::Other, Ty::Float(elem)) = (self.builder.ty(buffer), self.builder.ty(value)) {
            self.builder.set_ty(buffer, Ty::FloatArray(elem));
        }
        let span = SourceSpan::of(call);
        let index = self.builder.inst(Op::Len, vec![buffer], Ty::Index, span);
        self.builder
            .inst_multi(Op::Append, vec![buffer, index, value], &[], span);
        true
    }

    /// `[a, b, c]` with a float element: a buffer of that length, each element
    /// stored in turn, like `let mut r = [0.0; 3]; r[0] = a; …` (issue 19: a vector
    /// function returns one).
    pub(super) fn lower_array_literal(
        &mut self,
        array: &syn::ExprArray,
        span: SourceSpan,
    ) -> Value {
        self.lower_listed(array.elems.iter(), true, span)
    }

    /// The elements of an array literal (`fixed`) or of `vec![a, b, c]`, stored in
    /// turn into a buffer of their number.
    fn lower_listed<'e>(
        &mut self,
        elems: impl Iterator<Item = &'e syn::Expr>,
        fixed: bool,
        span: SourceSpan,
    ) -> Value {
        let elems: Vec<Value> = elems.map(|e| self.value_of(e)).collect();
        let elem = elems
            .iter()
            .find_map(|&v| match self.builder.ty(v) {
                Ty::Float(float) => Some(float),
                _ => None,
            })
            .unwrap_or_else(|| self.builder.ret());
        let zero = syn::Lit::Float(syn::LitFloat::new(
            &format!("0.0_{}", elem.name()),
            proc_macro2::Span::call_site(),
        ));
        let zero = self
            .builder
            .inst(Op::Const(zero), Vec::new(), Ty::Float(elem), span);
        let len = syn::LitInt::new(&elems.len().to_string(), proc_macro2::Span::call_site());
        let (op, args) = if fixed {
            let op = Op::NewBuffer {
                fixed_len: Some(syn::parse_quote!(#len)),
            };
            (op, vec![zero])
        } else {
            let len = syn::Lit::Int(syn::LitInt::new(
                &format!("{}usize", elems.len()),
                proc_macro2::Span::call_site(),
            ));
            let len = self
                .builder
                .inst(Op::Const(len), Vec::new(), Ty::Index, span);
            (Op::NewBuffer { fixed_len: None }, vec![zero, len])
        };
        let buffer = self.builder.inst(op, args, Ty::FloatArray(elem), span);
        for (k, value) in elems.into_iter().enumerate() {
            let k = syn::Lit::Int(syn::LitInt::new(
                &format!("{k}usize"),
                proc_macro2::Span::call_site(),
            ));
            let index = self.builder.inst(Op::Const(k), Vec::new(), Ty::Index, span);
            self.builder
                .inst_multi(Op::Store, vec![buffer, index, value], &[], span);
        }
        buffer
    }

    /// `vec![a, b, c]` with a float literal among its elements, as a buffer of floats
    /// (`let mut v = vec![1.0, 2.0];`, to be written later); `None` for other
    /// contents.
    pub(super) fn lower_listed_floats(&mut self, mac: &syn::ExprMacro) -> Option<Value> {
        let listed = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        let elems = syn::parse::Parser::parse2(listed, mac.mac.tokens.clone()).ok()?;
        if !elems.iter().any(super::stmt::is_float_literal) {
            return None;
        }
        Some(self.lower_listed(elems.iter(), false, SourceSpan::of(mac)))
    }

    /// `vec![fill; n]`, and `vec![a, b, c]` with a differentiable element: parses
    /// the macro's tokens.
    pub(super) fn lower_vec_macro(&mut self, mac: &syn::ExprMacro) -> Option<Value> {
        let parser = |input: syn::parse::ParseStream| {
            let fill: syn::Expr = input.parse()?;
            input.parse::<syn::Token![;]>()?;
            let len: syn::Expr = input.parse()?;
            Ok((fill, len))
        };
        if let Ok((fill, len)) = syn::parse::Parser::parse2(parser, mac.mac.tokens.clone()) {
            return self.lower_buffer(&fill, &len, false, SourceSpan::of(mac));
        }
        let listed = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        let elems = syn::parse::Parser::parse2(listed, mac.mac.tokens.clone()).ok()?;
        if elems.is_empty() || !elems.iter().any(|e| self.mentions_float(e)) {
            return None;
        }
        Some(self.lower_listed(elems.iter(), false, SourceSpan::of(mac)))
    }
}

/// The `op=` form of an arithmetic or bitwise operator.
fn compound_operator(op: BinOp) -> Option<syn::BinOp> {
    Some(match op {
        BinOp::Add => syn::BinOp::AddAssign(Default::default()),
        BinOp::Sub => syn::BinOp::SubAssign(Default::default()),
        BinOp::Mul => syn::BinOp::MulAssign(Default::default()),
        BinOp::Div => syn::BinOp::DivAssign(Default::default()),
        BinOp::Rem => syn::BinOp::RemAssign(Default::default()),
        BinOp::BitAnd => syn::BinOp::BitAndAssign(Default::default()),
        BinOp::BitOr => syn::BinOp::BitOrAssign(Default::default()),
        BinOp::BitXor => syn::BinOp::BitXorAssign(Default::default()),
        BinOp::Shl => syn::BinOp::ShlAssign(Default::default()),
        BinOp::Shr => syn::BinOp::ShrAssign(Default::default()),
        _ => return None,
    })
}

pub(super) fn strip_parens(expr: &syn::Expr) -> &syn::Expr {
    match expr {
        syn::Expr::Paren(inner) => strip_parens(&inner.expr),
        syn::Expr::Group(inner) => strip_parens(&inner.expr),
        expr => expr,
    }
}
