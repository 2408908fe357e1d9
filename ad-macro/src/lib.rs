//! The `#[differentiate]` attribute macro of the `ad` crate.
//!
//! Users depend on `ad`, which re-exports this macro; see that crate's documentation.
//! This file only converts between `proc_macro` and `proc_macro2` tokens: everything
//! else works on `proc_macro2` so that it can be driven from tests.

mod adjoint;
mod analysis;
mod args;
mod ast;
mod ctxt;
mod custom;
mod debug;
mod derive;
mod desugar;
mod emit;
mod expand;
mod fallback;
mod fields;
mod ir;
mod lower;
mod opt;
mod rules;
mod tangent;

#[cfg(test)]
mod filetests;
#[cfg(test)]
mod fuzz;

use proc_macro::TokenStream;

/// Generates `NAME_grad` (value and gradient) and `NAME_adjoint` (seeded, accumulating
/// into caller-provided buffers) next to the annotated function; see the `ad` crate.
#[proc_macro_attribute]
pub fn differentiate(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(args.into(), item.into()).into()
}

/// On a hand-written `NAME_adjoint`, generates `NAME_grad` and what lets
/// differentiated functions call `NAME`; see the `ad` crate.
#[proc_macro_attribute]
pub fn custom_adjoint(args: TokenStream, item: TokenStream) -> TokenStream {
    custom::expand(args.into(), item.into()).into()
}

/// Implements `ad::Differentiable` for a struct of floats, vectors and arrays of
/// floats, other such structs, and constants; see the `ad` crate.
#[proc_macro_derive(Differentiable, attributes(ad))]
pub fn derive_differentiable(item: TokenStream) -> TokenStream {
    derive::expand(item.into()).into()
}
