//! `#[ad::custom_adjoint]`: a derivative written by hand.
//!
//! On `fn NAME_adjoint(params…, seed: T, d_p: &mut …, …) -> T` (the signature
//! `#[differentiate]` would generate for `NAME`), it adds what a differentiated
//! function has besides: `NAME_grad`, and `NAME_adjoint_all`, through which other
//! differentiated functions call `NAME`. The buffers name the parameters they belong
//! to (`d_x` for `x`) and come in parameter order.

use crate::args::Args;
use crate::ast::FnInput;
use crate::ctxt::Ctxt;
use crate::emit;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};

pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let item_fn: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(item_fn) => item_fn,
        Err(_) => return error_with(item, Span::call_site(), EXPECTED),
    };
    if !args.is_empty() {
        return error_with(
            quote!(#item_fn),
            Span::call_site(),
            "#[custom_adjoint] takes no arguments",
        );
    }
    match generate(&item_fn) {
        Ok(generated) => quote!(#item_fn #generated),
        Err(error) => {
            let error = error.into_compile_error();
            quote!(#item_fn #error)
        }
    }
}

const EXPECTED: &str =
    "#[custom_adjoint] applies to `fn NAME_adjoint(params…, seed: f64, d_p: &mut f64, …) -> f64`, \
     the signature #[differentiate] would generate for `NAME`";

fn error_with(item: TokenStream, span: Span, message: &str) -> TokenStream {
    let error = syn::Error::new(span, message).into_compile_error();
    quote!(#item #error)
}

/// `NAME_grad` and `NAME_adjoint_all` for the hand-written `NAME_adjoint`.
fn generate(item: &syn::ItemFn) -> syn::Result<TokenStream> {
    let name = item.sig.ident.to_string();
    let Some(base) = name.strip_suffix("_adjoint").filter(|b| !b.is_empty()) else {
        return Err(syn::Error::new_spanned(&item.sig.ident, EXPECTED));
    };
    let inputs: Vec<&syn::FnArg> = item.sig.inputs.iter().collect();
    let seed_at = inputs
        .iter()
        .position(|arg| param_name(arg).is_some_and(|n| n == "seed"))
        .ok_or_else(|| {
            syn::Error::new_spanned(
                &item.sig,
                format!("{EXPECTED}; no parameter is named `seed`"),
            )
        })?;
    let (primal, rest) = inputs.split_at(seed_at);
    let buffers = &rest[1..];
    let mut wrt = Vec::new();
    for buffer in buffers {
        let Some(of) = param_name(buffer).and_then(|n| n.strip_prefix("d_").map(str::to_owned))
        else {
            return Err(syn::Error::new_spanned(
                buffer,
                "adjoint buffers are named `d_` and the parameter's name (`d_x` for `x`)",
            ));
        };
        if !primal
            .iter()
            .any(|p| param_name(p).as_deref() == Some(of.as_str()))
        {
            return Err(syn::Error::new_spanned(
                buffer,
                format!("`d_{of}` names no parameter before `seed`"),
            ));
        }
        wrt.push(format_ident!("{}", of));
    }
    // The function `#[differentiate]` would have seen: NAME(params…) -> T. A
    // derivative generic over `T: Real` is seen at `T = f64`.
    let generic = real_parameter(&item.sig)?;
    let mut primal_fn = syn::ItemFn {
        attrs: Vec::new(),
        vis: item.vis.clone(),
        sig: syn::Signature {
            ident: format_ident!("{}", base, span = item.sig.ident.span()),
            inputs: primal.iter().map(|&arg| arg.clone()).collect(),
            generics: syn::Generics::default(),
            ..item.sig.clone()
        },
        block: Box::new(syn::parse_quote!({})),
    };
    if let Some(generic) = &generic {
        syn::visit_mut::VisitMut::visit_signature_mut(
            &mut Substitute(generic.clone()),
            &mut primal_fn.sig,
        );
    }
    let ctxt = Ctxt::default();
    let args = Args {
        wrt: (!wrt.is_empty()).then_some(wrt),
        ..Args::default()
    };
    let input = FnInput::from_syn(&primal_fn, &args, &ctxt);
    ctxt.check()?;
    let input = input.ok_or_else(|| syn::Error::new_spanned(&item.sig, EXPECTED))?;
    let order: Vec<String> = input
        .params
        .iter()
        .filter(|p| p.wrt)
        .map(|p| p.ident.to_string())
        .collect();
    let given: Vec<String> = buffers
        .iter()
        .filter_map(|b| param_name(b))
        .map(|n| n[2..].to_owned())
        .collect();
    if order != given {
        return Err(syn::Error::new_spanned(
            &item.sig,
            format!(
                "the adjoint buffers must follow the parameters' order: {}",
                order
                    .iter()
                    .map(|o| format!("`d_{o}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    Ok(emit::emit_for_custom(&input, generic.is_some()))
}

/// The type parameter of a derivative written generic over the float type,
/// `fn NAME_adjoint<T: Real>(…)`: over dual numbers, it gives forward mode and second
/// order. `None` for a derivative written for `f64` or `f32`; an error for other
/// generics.
fn real_parameter(sig: &syn::Signature) -> syn::Result<Option<syn::Ident>> {
    let params: Vec<&syn::GenericParam> = sig.generics.params.iter().collect();
    let real = |bounds: &syn::punctuated::Punctuated<syn::TypeParamBound, syn::Token![+]>| {
        bounds.iter().any(|bound| {
            matches!(bound, syn::TypeParamBound::Trait(t)
                if t.path.segments.last().is_some_and(|s| s.ident == "Real"))
        })
    };
    match &params[..] {
        [] => Ok(None),
        [syn::GenericParam::Type(param)] if real(&param.bounds) => Ok(Some(param.ident.clone())),
        _ => Err(syn::Error::new_spanned(
            &sig.generics,
            "a #[custom_adjoint] is written for f64 or f32, or generic over one float type \
             `T: ad::Real` (which also gives it forward mode and second order)",
        )),
    }
}

/// Replaces the type parameter by `f64` in a signature.
struct Substitute(syn::Ident);

impl syn::visit_mut::VisitMut for Substitute {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if let syn::Type::Path(path) = ty {
            if path.qself.is_none() && path.path.is_ident(&self.0) {
                *ty = syn::parse_quote!(f64);
                return;
            }
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
}

fn param_name(arg: &syn::FnArg) -> Option<String> {
    match arg {
        syn::FnArg::Typed(typed) => match &*typed.pat {
            syn::Pat::Ident(ident) => Some(ident.ident.to_string()),
            _ => None,
        },
        syn::FnArg::Receiver(_) => None,
    }
}
