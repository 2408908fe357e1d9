//! Parts of structs passed whole: `p__layers[k].w[j]`, `layer.b`, `&p__layers[k]`
//! after the fields step has named the struct's parts it could (`fields.rs`). What
//! is left is reached from a struct-typed value by fields and indices into vectors
//! of structs, a [`Op::Project`], typed by how the code reads it.

use super::Lowerer;
use crate::ir::{Op, SourceSpan, Step, Ty, Value};

impl Lowerer<'_> {
    /// The struct-typed value `expr` starts from, the steps to the part it names,
    /// and the index expressions of those steps.
    fn struct_place<'e>(
        &self,
        expr: &'e syn::Expr,
    ) -> Option<(Value, Vec<Step>, Vec<&'e syn::Expr>)> {
        match expr {
            syn::Expr::Path(path) if path.qself.is_none() => {
                let value = self.lookup(path.path.get_ident()?)?;
                matches!(self.builder.ty(value), Ty::Struct(_))
                    .then(|| (value, Vec::new(), Vec::new()))
            }
            syn::Expr::Field(field) => {
                let (base, mut steps, indices) = self.struct_place(&field.base)?;
                steps.push(Step::Field(field.member.clone()));
                Some((base, steps, indices))
            }
            syn::Expr::Index(index) if !matches!(&*index.index, syn::Expr::Range(_)) => {
                let (base, mut steps, mut indices) = self.struct_place(&index.expr)?;
                steps.push(Step::Index);
                indices.push(&index.index);
                Some((base, steps, indices))
            }
            syn::Expr::Paren(inner) => self.struct_place(&inner.expr),
            _ => None,
        }
    }

    /// Whether `expr` names a part of a struct passed whole (or the struct).
    pub(super) fn is_struct_part(&self, expr: &syn::Expr) -> bool {
        self.struct_place(expr).is_some()
    }

    /// The part of a struct `expr` names, read as a value of type `ty`.
    pub(super) fn lower_part(&mut self, expr: &syn::Expr, ty: Ty) -> Option<Value> {
        let (base, steps, indices) = self.struct_place(expr)?;
        if steps.is_empty() {
            return Some(base);
        }
        let mut args = vec![base];
        for index in indices {
            args.push(self.value_of(index));
        }
        Some(
            self.builder
                .inst(Op::Project { steps }, args, ty, SourceSpan::of(expr)),
        )
    }
}
