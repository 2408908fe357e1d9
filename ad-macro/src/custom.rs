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
    // The function `#[differentiate]` would have seen: NAME(params…) -> T.
    let primal_fn = syn::ItemFn {
        attrs: Vec::new(),
        vis: item.vis.clone(),
        sig: syn::Signature {
            ident: format_ident!("{}", base, span = item.sig.ident.span()),
            inputs: primal.iter().map(|&arg| arg.clone()).collect(),
            ..item.sig.clone()
        },
        block: Box::new(syn::parse_quote!({})),
    };
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
    Ok(emit::emit_for_custom(&input))
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
