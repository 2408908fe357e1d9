//! The macro's side of the derivative table: for each elementary function, whether
//! it has a derivative (the `Rule` column of the table in `ir/prim.rs`) and where
//! its rule lives in the runtime (`::ad::__private::rules::<name>`, checked by the
//! runtime's exports: a row without a runtime rule fails to compile where it is used).
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
    prim.rule()
}

/// The path of the runtime function that computes `prim`'s partial derivatives.
pub fn runtime_path(prim: Prim) -> TokenStream {
    let name = format_ident!("{}", prim.name(), span = Span::call_site());
    quote!(::ad::__private::rules::#name)
}
