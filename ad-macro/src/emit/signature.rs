//! The generated functions' signatures and doc comments, and the names of their
//! parameters that the user never writes (`seed`, `d_x`).

use crate::ast::FnInput;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, ToTokens};

/// The signature of `NAME_adjoint_all`, through which other differentiated functions
/// call this one: like `NAME_adjoint`, but with an adjoint slot for every parameter
/// (`&mut T` for a float, `&mut [T]` for a float array, `&mut S` for a struct named
/// in `wrt`, `&mut NoAdjoint` for anything else), a method's `self` first, so a
/// caller needs to know nothing of which parameters are differentiated.
pub fn composable_signature(input: &FnInput) -> TokenStream {
    let vis = &input.item.vis;
    let receiver = receiver(input);
    let name = format_ident!("{}_adjoint_all", input.name());
    let ret = format_ident!("{}", input.ret.name());
    let params = user_params(input);
    let seed = seed_ident();
    let receiver_slot = receiver_slot(input, buffer_ident, true);
    let slots = input.signature_params().map(|p| {
        let ident = buffer_ident(&p.ident);
        let ty = match (&p.float, &p.array) {
            _ if p.fields.is_some() => struct_type(p),
            (Some(float), _) => {
                let float = format_ident!("{}", float.name());
                quote!(#float)
            }
            (None, Some(array)) => {
                let elem = format_ident!("{}", array.elem.name());
                quote!([#elem])
            }
            (None, None) => quote!(::ad::__private::NoAdjoint),
        };
        quote!(#ident: &mut #ty)
    });
    quote! {
        #[doc(hidden)]
        #[allow(unused_variables, clippy::too_many_arguments)]
        #vis fn #name(#receiver #(#params,)* #seed: #ret, #receiver_slot #(#slots),*) -> #ret
    }
}

/// Whether `input` is a method whose `self` is a constant (no `wrt(self)`).
pub(super) fn constant_receiver(input: &FnInput) -> bool {
    input.by_ref_self && !input.params.iter().any(|p| p.receiver)
}

/// A method's own slot in an `_all` entry point, first among the slots:
/// `d_self: &mut Self` under `wrt(self)` (named by `name`), `_: &mut NoAdjoint`
/// for a constant `self`, nothing for a function. A caller passes its receiver's
/// adjoint there, or zeros of whatever type the slot has.
pub(super) fn receiver_slot(
    input: &FnInput,
    name: fn(&syn::Ident) -> syn::Ident,
    mutable: bool,
) -> TokenStream {
    let reference = if mutable { quote!(&mut) } else { quote!(&) };
    if constant_receiver(input) {
        return quote!(_: #reference ::ad::__private::NoAdjoint,);
    }
    match input.params.iter().find(|p| p.receiver) {
        Some(receiver) => {
            let ident = name(&receiver.ident);
            quote!(#ident: #reference Self,)
        }
        None => TokenStream::new(),
    }
}

pub fn adjoint_name(input: &FnInput) -> syn::Ident {
    format_ident!("{}_adjoint", input.name())
}

pub fn grad_name(input: &FnInput) -> syn::Ident {
    format_ident!("{}_grad", input.name())
}

/// The user's parameters as the generated functions declare them (without `mut`).
pub(super) fn user_params(input: &FnInput) -> Vec<TokenStream> {
    input
        .signature_params()
        .map(|p| {
            let (ident, ty) = (&p.ident, p.ty);
            quote!(#ident: #ty)
        })
        .collect()
}

/// `&self,` at the head of a method's parameters.
pub(super) fn receiver(input: &FnInput) -> TokenStream {
    if input.by_ref_self {
        quote!(&self,)
    } else {
        TokenStream::new()
    }
}

/// How the generated functions call each other: `self.name` in a method.
pub(super) fn own(input: &FnInput, name: syn::Ident) -> TokenStream {
    if input.by_ref_self {
        quote!(self.#name)
    } else {
        quote!(#name)
    }
}

/// The names of the seed and of the adjoint buffers, which the user never writes.
pub(super) fn seed_ident() -> syn::Ident {
    syn::Ident::new("seed", Span::mixed_site())
}

pub(super) fn buffer_ident(param: &syn::Ident) -> syn::Ident {
    format_ident!("d_{}", param, span = Span::mixed_site())
}

/// The tangent of the seed: not `t_seed`, which is the tangent of a parameter
/// named `seed`.
pub(super) fn seed_tangent_ident() -> syn::Ident {
    syn::Ident::new("seed_tangent", Span::mixed_site())
}

/// The tangent of a parameter: `t_x`.
pub(super) fn tangent_ident(param: &syn::Ident) -> syn::Ident {
    format_ident!("t_{}", param, span = Span::mixed_site())
}

/// The buffer receiving the tangent of a parameter's adjoint, H·v: `hv_x`.
pub(super) fn hvp_ident(param: &syn::Ident) -> syn::Ident {
    format_ident!("hv_{}", param, span = Span::mixed_site())
}

/// The `_adjoint` signature: the user's parameters, the seed, one `&mut` buffer per
/// differentiable parameter. Shared with the fallback stub.
pub fn adjoint_signature(input: &FnInput) -> TokenStream {
    let vis = &input.item.vis;
    let receiver = receiver(input);
    let name = adjoint_name(input);
    let ret = format_ident!("{}", input.ret.name());
    let params = user_params(input);
    let seed = seed_ident();
    let buffers = input.params.iter().filter(|p| p.wrt).map(|p| {
        let ident = buffer_ident(&p.ident);
        let ty = match &p.array {
            Some(array) => {
                let elem = format_ident!("{}", array.elem.name());
                match &array.fixed_len {
                    Some(len) => quote!([#elem; #len]),
                    None => quote!([#elem]),
                }
            }
            None if p.fields.is_some() => struct_type(p),
            None => p.ty.to_token_stream(),
        };
        quote!(#ident: &mut #ty)
    });
    let doc = format!(
        " Reverse-mode entry point of [`{f}`]: returns `{f}(…)` and adds `seed` times the \
         partial derivative of `{f}` with respect to each differentiable parameter into \
         that parameter's buffer.\n\n The buffers are added to, not overwritten: zero them \
         before a fresh gradient, or keep adding to accumulate over several calls. \
         Generated by `#[ad::differentiate]`.",
        f = input.name()
    );
    let allows = user_allows(input);
    // A parameter the body reads only as `let _ = p;` is unused here, where the
    // user's function merely binds it.
    quote! {
        #[doc = #doc]
        #(#allows)*
        #[allow(unused_variables, clippy::too_many_arguments)]
        #vis fn #name(#receiver #(#params,)* #seed: #ret, #(#buffers),*) -> #ret
    }
}

/// The `_grad` signature: the user's parameters → `(value, adjoints…)`.
pub fn grad_signature(input: &FnInput) -> TokenStream {
    let vis = &input.item.vis;
    let receiver = receiver(input);
    let name = grad_name(input);
    let ret = format_ident!("{}", input.ret.name());
    let params = user_params(input);
    let adjoint_tys = input.params.iter().filter(|p| p.wrt).map(adjoint_type);
    let wrt: Vec<_> = input
        .params
        .iter()
        .filter(|p| p.wrt)
        .map(|p| format!("`{}`", p.ident))
        .collect();
    let doc = format!(
        " Value and gradient of [`{f}`]: returns `({f}(…), {})`, the partial \
         derivatives in parameter order ({}). Generated by `#[ad::differentiate]`.",
        wrt.iter()
            .map(|w| format!("∂{}/∂{}", input.name(), w.trim_matches('`')))
            .collect::<Vec<_>>()
            .join(", "),
        wrt.join(", "),
        f = input.name()
    );
    let allows = user_allows(input);
    quote! {
        #[doc = #doc]
        #[must_use]
        #(#allows)*
        #[allow(clippy::too_many_arguments)]
        #vis fn #name(#receiver #(#params),*) -> (#ret, #(#adjoint_tys),*)
    }
}

/// What `_grad` returns for a differentiable parameter: its own type for a scalar,
/// `[T; N]` for an array, `Vec<T>` for a slice or vector.
pub(super) fn adjoint_type(param: &crate::ast::ParamInput) -> TokenStream {
    match &param.array {
        Some(array) => {
            let elem = format_ident!("{}", array.elem.name());
            match &array.fixed_len {
                Some(len) => quote!([#elem; #len]),
                None => quote!(::std::vec::Vec<#elem>),
            }
        }
        None if param.fields.is_some() => struct_type(param),
        None => param.ty.to_token_stream(),
    }
}

/// A struct parameter's type without the reference: `Params` for `p: &Params`,
/// `Self` for `&self`.
pub(super) fn struct_type(param: &crate::ast::ParamInput) -> TokenStream {
    match param.ty {
        syn::Type::Reference(reference) => reference.elem.to_token_stream(),
        ty => ty.to_token_stream(),
    }
}

/// A struct parameter's value as a reference: `p` for `p: &Params`, `&p` for
/// `p: Params`, `self`.
pub(super) fn struct_ref(param: &crate::ast::ParamInput) -> TokenStream {
    let ident = &param.ident;
    match param.ty {
        syn::Type::Reference(_) => quote!(#ident),
        _ => quote!(&#ident),
    }
}

/// The user's `#[allow(…)]` attributes, which hold for the generated code too.
pub(super) fn user_allows<'a>(input: &'a FnInput) -> impl Iterator<Item = &'a syn::Attribute> {
    input
        .item
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("allow"))
}
