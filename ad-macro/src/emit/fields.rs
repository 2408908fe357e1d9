//! The fields of struct parameters, bound to the names the body reads them by
//! (`fields.rs`): `let p__w: &[f64] = &p.w[..];` for the parameter, and the same
//! parts of its tangent (`t_p`) in the functions that have one. The fields of its
//! adjoint (`d_p`) and of its Hessian-vector product (`hv_p`) are written in place
//! (`d_p.w[i] += …`, see `names.rs`), so that a field and the whole struct, passed
//! to a callee, can both receive adjoints in one sweep.

use crate::ast::{FieldRole, FnInput, ParamInput};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};

/// Which value of a struct parameter the fields are taken from.
#[derive(Copy, Clone)]
pub(super) enum Of {
    /// The parameter itself: `p`.
    Primal,
    /// A read-only companion of the same type, by the name `name(p)` gives: the
    /// tangent `t_p`. Its floats are read by value, like a scalar tangent.
    Tangent(fn(&syn::Ident) -> syn::Ident),
}

/// The bindings of the fields of every differentiable struct parameter, taken
/// from the values `of` says.
pub(super) fn bindings(input: &FnInput, of: Of) -> TokenStream {
    let float = format_ident!("{}", input.ret.name());
    let mut bindings = TokenStream::new();
    for param in input.params.iter() {
        for field in param.fields.iter().flatten() {
            if field.path.is_empty() || field.role == FieldRole::Constant {
                continue;
            }
            let path = &field.path;
            let (name, source) = match of {
                Of::Primal => (field.ident.clone(), param.ident.clone()),
                Of::Tangent(name) => (name(&field.ident), name(&param.ident)),
            };
            let span = field.span;
            let read = match of {
                Of::Primal => quote!(value),
                Of::Tangent(_) => quote!(tangent),
            };
            bindings.extend(match field.role {
                // Through `FieldScalar`: an integer field read as a float
                // (`p.n as f64`) has no derivative.
                FieldRole::Float => quote_spanned! {span=>
                    let #name: #float = ::ad::__private::FieldScalar::#read(&#source.#(#path).*);
                },
                FieldRole::Array => {
                    quote_spanned!(span=> let #name: &[#float] = &#source.#(#path).*[..];)
                }
                _ => quote_spanned!(span=> let #name = &#source.#(#path).*;),
            });
        }
    }
    bindings
}

/// An empty adjoint or tangent of a struct parameter: zeros of its shape.
pub(super) fn zeroed_like(param: &ParamInput) -> TokenStream {
    let value = super::signature::struct_ref(param);
    let span = syn::spanned::Spanned::span(param.ty);
    quote_spanned!(span=> ::ad::Differentiable::zeroed_like(#value))
}

/// How many scalars a struct parameter has.
pub(super) fn scalar_count(param: &ParamInput) -> TokenStream {
    let value = super::signature::struct_ref(param);
    quote!(::ad::Differentiable::scalar_count(#value))
}

/// Appends the scalars of a struct-shaped local (an adjoint, H·v) to `row`.
pub(super) fn push_scalars(local: &syn::Ident, row: &syn::Ident) -> TokenStream {
    quote!(::ad::Differentiable::visit_scalars(&#local, &mut |s| #row.push(s));)
}

/// Sets every scalar of a struct-shaped local back to zero.
pub(super) fn reset(local: &syn::Ident) -> TokenStream {
    quote!(::ad::Differentiable::set_zero(&mut #local);)
}

/// Binds `direction` to a struct parameter's part of the unit vector of flattened
/// input `j`, counting its scalars into `offset`.
pub(super) fn unit_direction(
    param: &ParamInput,
    direction: &syn::Ident,
    j: &syn::Ident,
    offset: &syn::Ident,
) -> TokenStream {
    let zeros = zeroed_like(param);
    let position = syn::Ident::new("position", proc_macro2::Span::mixed_site());
    quote! {
        let mut #direction = #zeros;
        let mut #position = #offset;
        ::ad::Differentiable::visit_scalars_mut(&mut #direction, &mut |s| {
            if #position == #j {
                *s = 1.0;
            }
            #position += 1;
        });
        #offset = #position;
    }
}

/// Where each field's adjoint lives in its struct's buffer, by the field's name in
/// the body: `p__w` → (`p`, `.w`).
pub(super) fn places(input: &FnInput) -> super::names::Places {
    let mut places = super::names::Places::new();
    for param in &input.params {
        for field in param.fields.iter().flatten() {
            if field.path.is_empty() || field.role == FieldRole::Constant {
                continue;
            }
            let path = &field.path;
            places.insert(
                field.ident.to_string(),
                (param.ident.clone(), quote!(#(.#path)*)),
            );
        }
    }
    places
}
