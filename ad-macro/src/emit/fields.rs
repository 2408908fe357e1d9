//! The fields of struct parameters, bound to the names the body reads them by
//! (`fields.rs`): `let p__w: &[f64] = &p.w[..];` for the parameter, and the same
//! parts of its adjoint (`d_p`), tangent (`t_p`) and Hessian-vector product (`hv_p`)
//! in the functions that have them.
//!
//! Each binding borrows one field, so the adjoint's fields are borrowed side by
//! side, as disjoint fields of one `&mut` may be; `fields::find` rejects a part read
//! together with the whole it is part of.

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
    /// A `&mut` companion (`d_p`, `hv_p`), whose fields receive adjoints.
    Buffer(fn(&syn::Ident) -> syn::Ident),
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
                Of::Tangent(name) | Of::Buffer(name) => (name(&field.ident), name(&param.ident)),
            };
            let span = field.span;
            let mutable = matches!(of, Of::Buffer(_)).then(|| quote!(mut));
            bindings.extend(match field.role {
                FieldRole::Float if mutable.is_some() => {
                    quote_spanned!(span=> let #name: &mut #float = &mut #source.#(#path).*;)
                }
                FieldRole::Float => quote_spanned!(span=> let #name: #float = #source.#(#path).*;),
                FieldRole::Array => {
                    quote_spanned!(span=> let #name: &#mutable [#float] = &#mutable #source.#(#path).*[..];)
                }
                _ => quote_spanned!(span=> let #name = &#mutable #source.#(#path).*;),
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
