//! The pipeline, top-down: arguments → signature → fields → desugar → lower → activity →
//! record → adjoint → optimisations (carry, window, fold, cse, dce) → emit.

use crate::analysis::{activity, record};
use crate::args::Args;
use crate::ast::FnInput;
use crate::ctxt::Ctxt;
use crate::ir::{verify::verify, Function, ParamKind};
use crate::tangent::{self, Returned};
use crate::{adjoint, debug, desugar, emit, fallback, lower, opt};
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
    let Some(mut input) = FnInput::from_syn(&item_fn, &args, &ctxt) else {
        let errors = ctxt
            .check()
            .err()
            .unwrap_or_else(|| internal("signature rejected without an error"));
        return fallback::emit(&item_fn, None, errors);
    };
    crate::fields::find(&mut input, &ctxt);
    match generate(&mut input, ctxt) {
        Ok(generated) => quote!(#item_fn #generated),
        Err(errors) => fallback::emit(&item_fn, Some(&input), errors),
    }
}

fn generate(input: &mut FnInput, ctxt: Ctxt) -> syn::Result<TokenStream> {
    input.nested = nested_fns(input, &ctxt);
    let input = &*input;
    let (primal, adjoint) = transform(input, ctxt)?;
    let mut generated = emit::emit(input, &adjoint);
    let (jvp, hvp) = match input.forward {
        true => {
            let (jvp, hvp) = tangents(input, &primal, &adjoint)?;
            (Some(jvp), hvp)
        }
        false => (None, None),
    };
    generated.extend(emit::emit_tangents(input, jvp.as_ref(), hvp.as_ref()));
    Ok(generated)
}

/// The functions defined in the top-level block of the body (issue 16, item 9),
/// each followed by what differentiating it with the same options (`wrt` aside)
/// generates (a function without floats in its signature as written), and, if
/// there are any, the body's `const` items. The generated functions repeat them at
/// the start of their bodies, where the reverse sweep of a call `square(x)` finds
/// `square_adjoint_all` and its tangent `square_jvp_all`. Their errors are the
/// outer function's, reported once.
fn nested_fns(input: &FnInput, ctxt: &Ctxt) -> TokenStream {
    let mut nested = TokenStream::new();
    for stmt in &input.item.block.stmts {
        let syn::Stmt::Item(syn::Item::Fn(item)) = stmt else {
            continue;
        };
        let mut item = item.clone();
        // Each generated function repeats it, and not every one calls all of it;
        // the generated functions copy the user's `allow`s.
        item.attrs.insert(0, syn::parse_quote!(#[allow(dead_code)]));
        if !mentions_float(&item.sig) {
            nested.extend(quote!(#item));
            continue;
        }
        let args = Args {
            wrt: None,
            forward: input.forward.then(Span::call_site),
            hessian: input.hessian.then(Span::call_site),
        };
        let inner = Ctxt::default();
        let generated = match FnInput::from_syn(&item, &args, &inner) {
            Some(mut item_input) => generate(&mut item_input, inner),
            None => Err(inner
                .check()
                .err()
                .unwrap_or_else(|| internal("signature rejected without an error"))),
        };
        match generated {
            Ok(generated) => nested.extend(quote!(#item #generated)),
            Err(error) => ctxt.push(error),
        }
    }
    if nested.is_empty() {
        return nested;
    }
    // The body's `const` items, which the functions may read (the body's own
    // reads of them are `let`s after desugaring, hence the `allow`).
    let consts = input.item.block.stmts.iter().filter_map(|stmt| match stmt {
        syn::Stmt::Item(syn::Item::Const(item)) => Some(item),
        _ => None,
    });
    quote!(#(#[allow(dead_code)] #consts)* #nested)
}

/// Whether a signature names `f32` or `f64`.
fn mentions_float(sig: &syn::Signature) -> bool {
    fn walk(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|token| match token {
            proc_macro2::TokenTree::Ident(ident) => ident == "f64" || ident == "f32",
            proc_macro2::TokenTree::Group(group) => walk(group.stream()),
            _ => false,
        })
    }
    walk(quote!(#sig))
}

/// The tangent IR of the primal (`f_jvp`) and, with `hessian`, of the adjoint
/// (`f_hvp`, forward-over-reverse), each optimised and verified like the adjoint.
pub(crate) fn tangents(
    input: &FnInput,
    primal: &Function,
    adjoint: &Function,
) -> syn::Result<(Function, Option<Function>)> {
    let name = input.name().to_string();
    let wrt: Vec<usize> = primal
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(p.kind, ParamKind::Primal { wrt: true, .. }))
        .map(|(k, _)| k)
        .collect();
    // A struct named in `wrt` whose floats the body never reads leaves nothing to
    // seed; its own tangent slot, read by nothing, keeps the tangent's signature.
    let seeded_structs: Vec<usize> = primal
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| match &p.kind {
            ParamKind::Primal { name, wrt: false } => input
                .params
                .iter()
                .any(|q| q.fields.is_some() && q.ident == *name),
            _ => false,
        })
        .map(|(k, _)| k)
        .collect();
    let wrt = match wrt.is_empty() {
        true => seeded_structs,
        false => wrt,
    };
    let mut jvp = tangent::tangent(primal, &wrt, Returned::ValueAndTangent)?;
    optimise(&name, "jvp", &mut jvp)?;
    if !input.hessian {
        return Ok((jvp, None));
    }
    let seed = adjoint
        .params
        .iter()
        .position(|p| matches!(p.kind, ParamKind::Seed))
        .expect("the adjoint has a seed");
    let seeded: Vec<usize> = wrt.iter().copied().chain([seed]).collect();
    let mut hvp = tangent::tangent(adjoint, &seeded, Returned::Value)?;
    optimise(&name, "hvp", &mut hvp)?;
    Ok((jvp, Some(hvp)))
}

/// Verifies a tangent IR, then runs the optimisations on it.
fn optimise(name: &str, stage: &str, func: &mut Function) -> syn::Result<()> {
    checked(name, stage, func)?;
    for (pass, optimise) in OPTIMISATIONS {
        optimise(func);
        checked(name, &format!("{stage} {pass}"), func)?;
    }
    Ok(())
}

/// A pass that rewrites the IR in place, by its name in dumps and errors.
pub(crate) type Pass = (&'static str, fn(&mut Function));

/// The optimisations of the adjoint IR, in the order they run.
pub(crate) const OPTIMISATIONS: [Pass; 5] = [
    ("carry", opt::carry_accumulations),
    ("window", opt::hoist_bounds_checks),
    ("fold", opt::fold_constants),
    ("cse", opt::share_common_subexpressions),
    ("dce", opt::remove_dead_code),
];

/// Every pass from the user's body to the IR that `emit` writes out, each followed
/// by the verifier and by its `AD_DUMP` output: the primal IR and the adjoint IR.
pub(crate) fn transform(input: &FnInput, ctxt: Ctxt) -> syn::Result<(Function, Function)> {
    let name = input.name().to_string();
    let body = desugar::desugar(input, &ctxt);
    let primal = lower::lower(input, &body, &ctxt);
    let activity = activity::analyse(&primal, &ctxt);
    ctxt.check()?;
    checked(&name, "lower", &primal)?;
    let reads = adjoint::reads(&primal, &activity);
    let record = record::analyse(&primal, &reads);
    debug::dump_record(&name, &primal, &record);
    let mut adjoint = adjoint::adjoint(&primal, &activity, &record)
        .map_err(|message| internal(&format!("adjoint: {message}")))?;
    checked(&name, "adjoint", &adjoint)?;
    for (pass, optimise) in OPTIMISATIONS {
        optimise(&mut adjoint);
        checked(&name, pass, &adjoint)?;
    }
    Ok((primal, adjoint))
}

/// Verifies the IR after `pass` (an internal error if the pass broke an invariant)
/// and dumps it if asked to.
fn checked(name: &str, pass: &str, func: &Function) -> syn::Result<()> {
    verify(func).map_err(|message| internal(&format!("invalid IR after {pass}: {message}")))?;
    debug::dump_ir(name, pass, func);
    Ok(())
}

fn internal(message: &str) -> syn::Error {
    syn::Error::new(
        Span::call_site(),
        format!("internal error in #[differentiate] (please report it): {message}"),
    )
}
