//! The functions of a vector-valued function (issue 19), which returns `Vec<T>` or
//! `[T; M]`: `NAME_adjoint` and `NAME_adjoint_all` with a seed slice, `NAME_vjp`
//! instead of `NAME_grad`, and `NAME_jacobian`, one reverse sweep per output.
//! The body of `NAME_adjoint` is written by `super::adjoint_fn` like a scalar one's.

use super::signature::{
    adjoint_name, adjoint_type, buffer_ident, own, receiver, seed_ident, user_allows, user_params,
};
use super::{literal, zeros};
use crate::ast::{FnInput, ParamInput};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, ToTokens};

/// `NAME_vjp` and `NAME_jacobian`, which a vector-valued function has instead of
/// `NAME_grad`.
pub fn emit(input: &FnInput) -> TokenStream {
    let vjp = vjp_fn(input);
    let jacobian = jacobian_fn(input);
    quote!(#vjp #jacobian)
}

/// Stubs of every generated function, for the fallback after an error.
pub fn stubs(input: &FnInput) -> TokenStream {
    let adjoint = adjoint_signature(input);
    let composable = composable_signature(input);
    let vjp = vjp_signature(input);
    let jacobian = jacobian_signature(input);
    quote! {
        #[allow(unused_variables)]
        #adjoint { ::core::unreachable!() }
        #[allow(unused_variables)]
        #composable { ::core::unreachable!() }
        #[allow(unused_variables)]
        #vjp { ::core::unreachable!() }
        #[allow(unused_variables)]
        #jacobian { ::core::unreachable!() }
    }
}

/// The return type as the user wrote it.
pub(super) fn ret_type(input: &FnInput) -> TokenStream {
    match &input.item.sig.output {
        syn::ReturnType::Type(_, ty) => ty.to_token_stream(),
        syn::ReturnType::Default => quote!(()),
    }
}

fn elem(input: &FnInput) -> syn::Ident {
    format_ident!("{}", input.ret.name())
}

/// Each differentiable parameter with the type of its adjoint buffer.
fn buffers(input: &FnInput) -> Vec<TokenStream> {
    input
        .params
        .iter()
        .filter(|p| p.wrt)
        .map(|p| {
            let ident = buffer_ident(&p.ident);
            let ty = match &p.array {
                Some(array) => {
                    let elem = format_ident!("{}", array.elem.name());
                    match &array.fixed_len {
                        Some(len) => quote!([#elem; #len]),
                        None => quote!([#elem]),
                    }
                }
                None if p.fields.is_some() => super::signature::struct_type(p),
                None => p.ty.to_token_stream(),
            };
            quote!(#ident: &mut #ty)
        })
        .collect()
}

const SEED_LENGTH: &str = "\n\n # Panics\n\n If `seed.len()` is not the number of outputs \
    (the length of the returned vector), with a message naming both lengths.";

/// `NAME_adjoint(params…, seed: &[T], d_x…) -> R`.
pub fn adjoint_signature(input: &FnInput) -> TokenStream {
    let vis = &input.item.vis;
    let receiver = receiver(input);
    let name = adjoint_name(input);
    let (ret, elem) = (ret_type(input), elem(input));
    let params = user_params(input);
    let seed = seed_ident();
    let buffers = buffers(input);
    let doc = format!(
        " Reverse-mode entry point of [`{f}`], a vector-valued function: returns \
         `{f}(…)` and adds the vector–Jacobian product `seedᵀ·J` into the buffers of \
         the differentiable parameters: `seed[i]` times the partial derivative of \
         output `i` with respect to each parameter, summed over `i`.\n\n The buffers \
         are added to, not overwritten: zero them before a fresh product. Generated \
         by `#[ad::differentiate]`.{SEED_LENGTH}",
        f = input.name()
    );
    let allows = user_allows(input);
    quote! {
        #[doc = #doc]
        #(#allows)*
        #[allow(unused_variables, clippy::too_many_arguments)]
        #vis fn #name(#receiver #(#params,)* #seed: &[#elem], #(#buffers),*) -> #ret
    }
}

/// `NAME_adjoint_all(params…, seed: &[T], slots…) -> R`, through which other
/// differentiated functions call this one (see `super::composable_signature`).
pub fn composable_signature(input: &FnInput) -> TokenStream {
    let vis = &input.item.vis;
    let receiver = receiver(input);
    let name = format_ident!("{}_adjoint_all", input.name());
    let (ret, elem) = (ret_type(input), elem(input));
    let params = user_params(input);
    let seed = seed_ident();
    let receiver_slot = super::signature::receiver_slot(input, buffer_ident, true);
    let slots = input.signature_params().map(|p| {
        let ident = buffer_ident(&p.ident);
        let ty = match (&p.float, &p.array) {
            _ if p.fields.is_some() => super::signature::struct_type(p),
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
        #vis fn #name(#receiver #(#params,)* #seed: &[#elem], #receiver_slot #(#slots),*) -> #ret
    }
}

fn wrt_names(input: &FnInput) -> String {
    input
        .params
        .iter()
        .filter(|p| p.wrt)
        .map(|p| format!("`{}`", p.ident))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `NAME_vjp(params…, seed: &[T]) -> (R, adjoints…)`.
fn vjp_signature(input: &FnInput) -> TokenStream {
    let vis = &input.item.vis;
    let receiver = receiver(input);
    let name = format_ident!("{}_vjp", input.name());
    let (ret, elem) = (ret_type(input), elem(input));
    let params = user_params(input);
    let seed = seed_ident();
    let adjoint_tys = input.params.iter().filter(|p| p.wrt).map(adjoint_type);
    let doc = format!(
        " Value and vector–Jacobian product of [`{f}`]: returns `({f}(…), …)`, then \
         the adjoint `seedᵀ·J` of each differentiable parameter in parameter order \
         ({}): `Σᵢ seed[i]·∂{f}(…)[i]/∂p`, in the parameter's shape (a float, a `Vec` \
         for a slice or vector, an array for an array). With `seed` = eᵢ it is row `i` \
         of the Jacobian. Generated by `#[ad::differentiate]`.{SEED_LENGTH}",
        wrt_names(input),
        f = input.name()
    );
    let allows = user_allows(input);
    quote! {
        #[doc = #doc]
        #[must_use]
        #(#allows)*
        #[allow(clippy::too_many_arguments)]
        #vis fn #name(#receiver #(#params,)* #seed: &[#elem]) -> (#ret, #(#adjoint_tys),*)
    }
}

/// `NAME_jacobian(params…) -> (R, Vec<Vec<T>>)`.
fn jacobian_signature(input: &FnInput) -> TokenStream {
    let vis = &input.item.vis;
    let receiver = receiver(input);
    let name = format_ident!("{}_jacobian", input.name());
    let (ret, elem) = (ret_type(input), elem(input));
    let params = user_params(input);
    let doc = format!(
        " Value and Jacobian of [`{f}`]: returns `({f}(…), J)` with `J[i][j]` the \
         partial derivative of output `i` with respect to input `j`. The inputs are \
         the differentiable parameters ({}) flattened in parameter order: a float is \
         one column, a slice, vector or array one column per element.\n\n It runs \
         `{f}` once, then one reverse sweep per output, reusing the seed and the \
         adjoint buffers between sweeps{}. Parameters taken by value that are not \
         `Copy` (a `Vec`) are cloned for each sweep. Generated by \
         `#[ad::differentiate]`.",
        wrt_names(input),
        match input.forward {
            true =>
                "; or, when there are fewer inputs than 1.5 times the outputs, one \
                     forward sweep per input instead (a forward sweep costs less than a \
                     reverse one)",
            false => "",
        },
        f = input.name()
    );
    let allows = user_allows(input);
    quote! {
        #[doc = #doc]
        #[must_use]
        #(#allows)*
        #[allow(clippy::too_many_arguments)]
        #vis fn #name(#receiver #(#params),*) -> (#ret, ::std::vec::Vec<::std::vec::Vec<#elem>>)
    }
}

fn vjp_fn(input: &FnInput) -> TokenStream {
    let signature = vjp_signature(input);
    let adjoint = own(input, adjoint_name(input));
    let args = input.signature_params().map(|p| &p.ident);
    let wrt: Vec<_> = input.params.iter().filter(|p| p.wrt).collect();
    let buffers: Vec<_> = wrt.iter().map(|p| buffer_ident(&p.ident)).collect();
    let zeros = wrt.iter().map(|p| zeros(p));
    let seed = seed_ident();
    let value = syn::Ident::new("value", Span::mixed_site());
    quote! {
        #signature {
            #(let mut #buffers = #zeros;)*
            let #value = #adjoint(#(#args,)* #seed, #(&mut #buffers),*);
            (#value, #(#buffers),*)
        }
    }
}

/// Whether a parameter is passed on by value and may not be `Copy`: each sweep of
/// the Jacobian gets a clone.
fn by_value_owned(param: &ParamInput) -> bool {
    param.float.is_none() && !matches!(param.ty, syn::Type::Reference(_))
}

fn jacobian_fn(input: &FnInput) -> TokenStream {
    let signature = jacobian_signature(input);
    let adjoint = own(input, adjoint_name(input));
    let primal = own(input, input.name().clone());
    let args: Vec<TokenStream> = input
        .signature_params()
        .map(|p| {
            let ident = &p.ident;
            if by_value_owned(p) {
                quote!(::core::clone::Clone::clone(&#ident))
            } else {
                quote!(#ident)
            }
        })
        .collect();
    let wrt: Vec<_> = input.params.iter().filter(|p| p.wrt).collect();
    let buffers: Vec<_> = wrt.iter().map(|p| buffer_ident(&p.ident)).collect();
    let zeros = wrt.iter().map(|p| zeros(p));
    let zero = literal(input.ret, "0.0");
    let one = literal(input.ret, "1.0");
    let (value, seed, rows, row, output, width) = (
        syn::Ident::new("value", Span::mixed_site()),
        seed_ident(),
        syn::Ident::new("rows", Span::mixed_site()),
        syn::Ident::new("row", Span::mixed_site()),
        syn::Ident::new("output", Span::mixed_site()),
        syn::Ident::new("width", Span::mixed_site()),
    );
    let ret_elem = elem(input);
    // An element of another float type than the outputs' is cast to theirs.
    let cast = |float: crate::ir::FloatTy| (float != input.ret).then(|| quote!(as #ret_elem));
    // Every buffer back to zero before the next sweep, and the row read off them.
    let (resets, columns): (Vec<TokenStream>, Vec<TokenStream>) = wrt
        .iter()
        .zip(&buffers)
        .map(|(p, buffer)| match &p.array {
            None if p.fields.is_some() => (
                super::fields::reset(buffer),
                super::fields::push_scalars(buffer, &row),
            ),
            Some(array) => {
                let zero = literal(array.elem, "0.0");
                let cast = cast(array.elem);
                (
                    quote!(#buffer.iter_mut().for_each(|d| *d = #zero);),
                    quote!(#row.extend(#buffer.iter().map(|&d| d #cast));),
                )
            }
            None => {
                let float = p.float.unwrap_or(crate::ir::FloatTy::F64);
                let (zero, cast) = (literal(float, "0.0"), cast(float));
                (quote!(#buffer = #zero;), quote!(#row.push(#buffer #cast);))
            }
        })
        .unzip();
    let widths = wrt.iter().map(|p| match &p.array {
        None if p.fields.is_some() => super::fields::scalar_count(p),
        Some(_) => {
            let ident = &p.ident;
            quote!(#ident.len())
        }
        None => quote!(1),
    });
    let forward = forward_columns(input, &args, &value, &width);
    quote! {
        #signature {
            let #value = #primal(#(#args),*);
            let #width = 0usize #(+ #widths)*;
            #forward
            let mut #seed = ::std::vec![#zero; #value.len()];
            #(let mut #buffers = #zeros;)*
            let mut #rows = ::std::vec::Vec::with_capacity(#value.len());
            for #output in 0..#value.len() {
                #seed[#output] = #one;
                #(#resets)*
                let _ = #adjoint(#(#args,)* &#seed, #(&mut #buffers),*);
                #seed[#output] = #zero;
                let mut #row = ::std::vec::Vec::with_capacity(#width);
                #(#columns)*
                #rows.push(#row);
            }
            (#value, #rows)
        }
    }
}

/// With `forward`, the Jacobian by columns when there are fewer inputs than 1.5 times
/// the outputs: one forward sweep per flattened input j, along its unit vector, gives
/// column j. Returns from `NAME_jacobian` with the value and the rows.
///
/// Why 1.5 and not equal counts: a forward sweep costs less than a reverse one, 1.3
/// to 1.7 times less on the functions measured (a dense `tanh` layer, GradBench's ba
/// residuals and ht's hand model; `cargo bench -p gradbench-tool --bench
/// jacobians`). Choosing at equal counts made a dense layer's square Jacobian 1.2–1.3
/// times slower than the other mode; with 1.5 the faster mode was taken at every
/// shape measured.
fn forward_columns(
    input: &FnInput,
    args: &[TokenStream],
    value: &syn::Ident,
    width: &syn::Ident,
) -> TokenStream {
    if !input.forward {
        return TokenStream::new();
    }
    let wrt: Vec<&ParamInput> = input.params.iter().filter(|p| p.wrt).collect();
    let [j, offset, columns, tangent, output, rows] =
        ["j", "offset", "columns", "tangent", "output", "rows"]
            .map(|name| syn::Ident::new(name, Span::mixed_site()));
    let unit = super::tangent::unit_directions(&wrt, &j, &offset);
    let directions = super::tangent::slot_args(input, super::tangent::direction_ident, false);
    let jvp = own(input, format_ident!("{}_jvp_all", input.name()));
    quote! {
        if 2 * #width < 3 * #value.len() {
            let mut #columns = ::std::vec::Vec::with_capacity(#width);
            for #j in 0..#width {
                let mut #offset = 0usize;
                #unit
                let _ = #offset;
                let (_, #tangent) = #jvp(#(#args,)* #(#directions),*);
                #columns.push(#tangent);
            }
            let #rows = (0..#value.len())
                .map(|#output| #columns.iter().map(|column| column[#output]).collect())
                .collect();
            return (#value, #rows);
        }
    }
}
