//! The pipeline, top-down: arguments → signature → lower → activity → adjoint → emit.

use crate::analysis::{activity, record};
use crate::args::Args;
use crate::ast::FnInput;
use crate::ctxt::Ctxt;
use crate::ir::{verify::verify, Function};
use crate::{adjoint, debug, desugar, emit, fallback, lower};
use proc_macro2::{Span, TokenStream};
use quote::quote;

/// Expands `#[differentiate(args)] item`: the item unchanged, followed by the
/// generated functions, or by the errors that prevented them.
pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let item_fn: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(item_fn) => item_fn,
        Err(_) => {
            let error = syn::Error::new(
                Span::call_site(),
                "#[differentiate] applies to a function such as `fn f(x: f64) -> f64 { … }`",
            )
            .into_compile_error();
            return quote!(#item #error);
        }
    };
    let ctxt = Ctxt::default();
    let args = Args::parse(args).unwrap_or_else(|error| {
        ctxt.push(error);
        Args::default()
    });
    let Some(input) = FnInput::from_syn(&item_fn, &args, &ctxt) else {
        let errors = ctxt
            .check()
            .err()
            .unwrap_or_else(|| internal("signature rejected without an error"));
        return fallback::emit(&item_fn, None, errors);
    };
    match generate(&input, ctxt) {
        Ok(generated) => quote!(#item_fn #generated),
        Err(errors) => fallback::emit(&item_fn, Some(&input), errors),
    }
}

fn generate(input: &FnInput, ctxt: Ctxt) -> syn::Result<TokenStream> {
    let body = desugar::desugar(&input.item.block);
    let primal = lower::lower(input, &body, &ctxt);
    let activity = activity::analyse(&primal, &ctxt);
    ctxt.check()?;
    checked(&primal, "lower")?;
    let name = primal.name.clone();
    debug::dump_ir(&name, "lower", &primal);
    let record = record::analyse(&primal, &activity);
    debug::dump_record(&name, &primal, &record);
    let adjoint = adjoint::adjoint(&primal, &activity, &record)
        .map_err(|message| internal(&format!("adjoint: {message}")))?;
    checked(&adjoint, "adjoint")?;
    debug::dump_ir(&name, "adjoint", &adjoint);
    Ok(emit::emit(input, &adjoint))
}

/// The IR after `pass`, or an internal error if it breaks an IR invariant.
fn checked(func: &Function, pass: &str) -> syn::Result<()> {
    verify(func).map_err(|message| internal(&format!("invalid IR after {pass}: {message}")))
}

fn internal(message: &str) -> syn::Error {
    syn::Error::new(
        Span::call_site(),
        format!("internal error in #[differentiate] (please report it): {message}"),
    )
}
