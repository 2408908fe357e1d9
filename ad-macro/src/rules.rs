//! The macro's side of the derivative table: for each elementary function, whether
//! it has a derivative and where its rule lives in the runtime. One exhaustive
//! `match`, so a new `Prim` without a rule does not compile.
//!
//! The arithmetic operators (`+ - * /`, negation, casts) have their rules written
//! out in `crate::adjoint`, because they are cheaper inline than as calls.

use crate::ir::Prim;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};

/// How the reverse sweep treats an elementary function.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Rule {
    /// Partial derivatives from `::ad::__private::rules::<name>(args…, ans)`.
    Runtime,
    /// Piecewise constant: the derivative is zero wherever it exists, and taken as
    /// zero at the jumps, so no adjoint flows back (see `ad_runtime::rules::piecewise`).
    Zero,
}

pub fn rule(prim: Prim) -> Rule {
    match prim {
        Prim::Sin
        | Prim::Cos
        | Prim::Tan
        | Prim::Asin
        | Prim::Acos
        | Prim::Atan
        | Prim::Atan2
        | Prim::Sinh
        | Prim::Cosh
        | Prim::Tanh
        | Prim::Asinh
        | Prim::Acosh
        | Prim::Atanh
        | Prim::Exp
        | Prim::Exp2
        | Prim::ExpM1
        | Prim::Ln
        | Prim::Ln1p
        | Prim::Log
        | Prim::Log2
        | Prim::Log10
        | Prim::Sqrt
        | Prim::Cbrt
        | Prim::Powi
        | Prim::Powf
        | Prim::Abs
        | Prim::Hypot
        | Prim::Min
        | Prim::Max
        | Prim::MulAdd
        | Prim::Recip
        | Prim::Clamp => Rule::Runtime,
        Prim::Signum | Prim::Floor | Prim::Ceil | Prim::Round | Prim::Trunc => Rule::Zero,
    }
}

/// The path of the runtime function that computes `prim`'s partial derivatives.
pub fn runtime_path(prim: Prim) -> TokenStream {
    let name = format_ident!("{}", prim.name(), span = Span::call_site());
    quote!(::ad::__private::rules::#name)
}
