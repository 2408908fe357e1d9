//! Emission: the adjoint IR → the `_adjoint`, `_grad` and `_adjoint_all` functions
//! as Rust tokens. This module assembles the items; `signature` writes their
//! signatures and docs, `body` writes IR regions as statements, `names` spells
//! each value.
//!
//! Every IR value becomes one `let` with a name that cannot collide with the
//! user's: temporaries carry `Span::mixed_site()`, so only the generated code can
//! see them. Literals are written where they are used; parameters keep the user's
//! names. Runtime items are named through `::ad::__private`.

mod body;
mod fields;
mod names;
mod signature;
mod tangent;
mod vector;

pub use signature::{adjoint_signature, composable_signature, grad_signature};
pub use tangent::{emit as emit_tangents, stubs as tangent_stubs};
pub use vector::stubs as vector_stubs;

use crate::ast::FnInput;
use crate::ir::{Function, Op};
use body::Emitter;
use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use signature::{adjoint_name, buffer_ident, own, seed_ident};

/// `NAME_adjoint` and `NAME_grad` for the user's function `input`.
pub fn emit(input: &FnInput, adjoint: &Function) -> TokenStream {
    let adjoint_fn = adjoint_fn(input, adjoint);
    if input.vector.is_some() {
        let vector_fns = vector::emit(input);
        let composable_fn = composable_fn(input);
        return quote!(#adjoint_fn #vector_fns #composable_fn);
    }
    let grad_fn = grad_fn(input);
    let composable_fn = composable_fn(input);
    quote!(#adjoint_fn #grad_fn #composable_fn)
}

/// What `#[custom_adjoint]` adds to a hand-written `NAME_adjoint`.
/// With `generic` (a derivative generic over `T: Real`), also its forward mode and
/// second order, by running it over dual numbers.
pub fn emit_for_custom(input: &FnInput, generic: bool) -> TokenStream {
    let grad_fn = grad_fn(input);
    let composable_fn = composable_fn(input);
    let tangents = match generic {
        true => tangent::custom(input),
        false => emit_tangents(input, None, None),
    };
    quote!(#grad_fn #composable_fn #tangents)
}

fn composable_fn(input: &FnInput) -> TokenStream {
    let signature = match input.vector {
        Some(_) => vector::composable_signature(input),
        None => composable_signature(input),
    };
    let adjoint = own(input, adjoint_name(input));
    let args = input.signature_params().map(|p| &p.ident);
    let seed = seed_ident();
    let buffers = input.params.iter().filter(|p| p.wrt).map(|p| {
        let buffer = buffer_ident(&p.ident);
        match &p.array {
            Some(array) if array.fixed_len.is_some() => {
                let message = format!("the adjoint slot of `{}` has the array's length", p.ident);
                quote!(::core::convert::TryInto::try_into(#buffer).expect(#message))
            }
            _ => quote!(#buffer),
        }
    });
    quote! {
        #signature {
            #adjoint(#(#args,)* #seed, #(#buffers),*)
        }
    }
}

fn grad_fn(input: &FnInput) -> TokenStream {
    let signature = grad_signature(input);
    let adjoint = own(input, adjoint_name(input));
    let args = input.signature_params().map(|p| &p.ident);
    let wrt: Vec<_> = input.params.iter().filter(|p| p.wrt).collect();
    let buffers: Vec<_> = wrt.iter().map(|p| buffer_ident(&p.ident)).collect();
    let zeros = wrt.iter().map(|p| zeros(p));
    let one = literal(input.ret, "1.0");
    let value = syn::Ident::new("value", Span::mixed_site());
    quote! {
        #signature {
            #(let mut #buffers = #zeros;)*
            let #value = #adjoint(#(#args,)* #one, #(&mut #buffers),*);
            (#value, #(#buffers),*)
        }
    }
}

/// A zeroed adjoint of a parameter's shape: `0.0`, `[0.0; N]`,
/// `vec![0.0; x.len()]`, or a struct's `zeroed_like`.
fn zeros(param: &crate::ast::ParamInput) -> TokenStream {
    if param.fields.is_some() {
        return fields::zeroed_like(param);
    }
    match &param.array {
        Some(array) => {
            let zero = literal(array.elem, "0.0");
            match &array.fixed_len {
                Some(len) => quote!([#zero; #len]),
                None => {
                    let ident = &param.ident;
                    quote!(::std::vec![#zero; #ident.len()])
                }
            }
        }
        None => zero(param.float),
    }
}

fn zero(float: Option<crate::ir::FloatTy>) -> TokenStream {
    literal(float.unwrap_or(crate::ir::FloatTy::F64), "0.0")
}

fn literal(ty: crate::ir::FloatTy, value: &str) -> TokenStream {
    syn::LitFloat::new(&format!("{value}_{}", ty.name()), Span::call_site()).into_token_stream()
}

fn adjoint_fn(input: &FnInput, func: &Function) -> TokenStream {
    let signature = match input.vector {
        Some(_) => vector::adjoint_signature(input),
        None => adjoint_signature(input),
    };
    // The buffers of slices must match them; checked once so the loops need not.
    let length_checks = input
        .params
        .iter()
        .filter(|p| p.wrt && p.array.as_ref().is_some_and(|a| a.fixed_len.is_none()))
        .map(|p| {
            let (ident, buffer) = (&p.ident, buffer_ident(&p.ident));
            let message =
                format!("the adjoint buffer of `{ident}` must have the length of `{ident}`");
            quote!(::core::assert_eq!(#buffer.len(), #ident.len(), #message);)
        });
    let body = function_body(input, func, quote!(#(#length_checks)*), |emitter| {
        emitter.operand(func.returned())
    });
    quote!(#signature #body)
}

/// The block of a generated function that runs `func`: the body's own `use` items
/// and functions (differentiated, `FnInput::nested`), `prelude`, the value stack
/// if `func` records, the instructions, then what `returned` makes of the results.
fn function_body(
    input: &FnInput,
    func: &Function,
    prelude: TokenStream,
    returned: impl FnOnce(&Emitter) -> TokenStream,
) -> TokenStream {
    let fields = fields::bindings(input, fields::Of::Primal);
    let emitter = Emitter::new(func, &fields::places(input));
    let body = emitter.region(func.body);
    let returned = returned(&emitter);
    let uses_stack = func
        .insts
        .keys()
        .any(|inst| matches!(func.insts[inst].op, Op::Push | Op::Pop));
    let stack = stack_ident();
    let (take, give_back) = if uses_stack {
        (
            quote!(let mut #stack = ::ad::__private::ValueStack::take();),
            quote!(#stack.give_back();),
        )
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    // The forward sweep repeats the function rather than calling it; naming it here
    // keeps rustc from calling it dead code when only its gradient is used.
    let primal = input.name();
    let primal = if input.by_ref_self {
        quote!(Self::#primal)
    } else {
        quote!(#primal)
    };
    // The body's own `use` items, which its constant expressions may rely on.
    let uses = input.item.block.stmts.iter().filter_map(|stmt| match stmt {
        syn::Stmt::Item(item @ syn::Item::Use(_)) => Some(item),
        _ => None,
    });
    let nested = &input.nested;
    quote! {
        {
            #(#uses)*
            #nested
            let _ = #primal;
            #fields
            #prelude
            #take
            #body
            #give_back
            #returned
        }
    }
}

fn stack_ident() -> syn::Ident {
    syn::Ident::new("stack", Span::mixed_site())
}
