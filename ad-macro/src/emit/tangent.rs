//! The forward-mode and second-order functions: `f_jvp` (option `forward`), `f_hvp`
//! and `f_hessian` (option `hessian`), and the hidden `f_jvp_all`/`f_hvp_all` that
//! other differentiated functions call.
//!
//! The `_all` entry points run the tangent IR and take a slot per parameter whatever
//! `wrt` says (by reference: `&T` for a float, `&[T]` for a float array, `&S` for a
//! struct named in `wrt`, `&NoAdjoint` for anything else; a method's `self` first),
//! like `f_adjoint_all`; the public functions are
//! wrappers that give zeros and unit vectors and shape the results.

use super::signature::{
    adjoint_type, buffer_ident, hvp_ident, own, receiver, seed_ident, seed_tangent_ident,
    tangent_ident, user_allows, user_params,
};
use super::{function_body, literal, zeros};
use crate::ast::{FnInput, ParamInput};
use crate::ir::Function;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, ToTokens};

/// With `forward`, `f_jvp_all` and `f_jvp`; with `hessian`, also `f_hvp_all`, `f_hvp`
/// and `f_hessian`. Without them, stand-ins for the `_all` entry points, so that a
/// caller that needs them fails with a message that names the missing option.
pub fn emit(input: &FnInput, jvp: Option<&Function>, hvp: Option<&Function>) -> TokenStream {
    let mut items = match jvp {
        Some(jvp) => jvp_all_fn(input, jvp),
        None => stand_in(input, jvp_all_signature, "WithoutForward"),
    };
    items.extend(match hvp {
        Some(hvp) => hvp_all_fn(input, hvp),
        None => stand_in(input, hvp_all_signature, "WithoutHessian"),
    });
    for (signature, body) in public_fns(input) {
        items.extend(quote!(#signature #body));
    }
    items
}

/// The public functions the options ask for: `f_jvp`, `f_hvp`, `f_hessian`.
fn public_fns(input: &FnInput) -> Vec<(TokenStream, TokenStream)> {
    let mut fns = Vec::new();
    if input.forward {
        fns.push(jvp_fn(input));
    }
    if input.hessian {
        fns.extend([hvp_fn(input), hessian_fn(input)]);
    }
    fns
}

/// In place of everything this module emits, when the macro reports an error:
/// stubs, so that callers see the error and not a cascade of missing functions.
pub fn stubs(input: &FnInput) -> TokenStream {
    let mut stubs = TokenStream::new();
    let (ret, value) = (ret(input), value_type(input));
    type Signature = fn(&FnInput, TokenStream) -> TokenStream;
    let entries: [(bool, Signature, TokenStream, &str); 2] = [
        (
            input.forward,
            jvp_all_signature,
            quote!((#value, #value)),
            "WithoutForward",
        ),
        (
            input.hessian,
            hvp_all_signature,
            quote!(#ret),
            "WithoutHessian",
        ),
    ];
    for (given, signature, returns, bound) in entries {
        stubs.extend(match given {
            true => {
                let signature = signature(input, TokenStream::new());
                quote!(#signature -> #returns { ::core::unreachable!() })
            }
            false => stand_in(input, signature, bound),
        });
    }
    for (signature, _) in public_fns(input) {
        stubs.extend(quote!(#[allow(unused_variables)] #signature { ::core::unreachable!() }));
    }
    stubs
}

/// An entry point the options did not ask for: its parameters, returning a marker
/// of the runtime that the caller's check rejects with a message naming the option.
fn stand_in(
    input: &FnInput,
    signature: fn(&FnInput, TokenStream) -> TokenStream,
    marker: &str,
) -> TokenStream {
    let marker = format_ident!("{}", marker);
    let signature = signature(input, TokenStream::new());
    quote! {
        #[allow(dead_code)]
        #signature -> ::ad::__private::#marker {
            ::ad::__private::#marker
        }
    }
}

fn entry(input: &FnInput, suffix: &str) -> syn::Ident {
    format_ident!("{}_{}", input.name(), suffix)
}

fn ret(input: &FnInput) -> syn::Ident {
    format_ident!("{}", input.ret.name())
}

/// What the function returns: its float type, or a vector-valued function's return
/// type as written (`Vec<T>`, `[T; M]`), which its tangent has too.
fn value_type(input: &FnInput) -> TokenStream {
    match input.vector {
        Some(_) => super::vector::ret_type(input),
        None => ret(input).into_token_stream(),
    }
}

fn elem(param: &ParamInput) -> Option<syn::Ident> {
    let float = param.float.or(param.array.as_ref().map(|a| a.elem))?;
    Some(format_ident!("{}", float.name()))
}

/// A parameter's tangent or adjoint slot in an `_all` entry point, by the
/// parameter's type: `name: &T`, `name: &[T]`, or `_: &NoAdjoint`; `mutable` for
/// adjoint slots. Parameters outside `wrt` are ignored (`_`).
fn slot(param: &ParamInput, name: syn::Ident, mutable: bool) -> TokenStream {
    let reference = if mutable { quote!(&mut) } else { quote!(&) };
    let pattern = if param.wrt { quote!(#name) } else { quote!(_) };
    match (&param.float, &param.array, elem(param)) {
        _ if param.fields.is_some() => {
            let ty = super::signature::struct_type(param);
            quote!(#pattern: #reference #ty)
        }
        (Some(_), _, Some(elem)) => quote!(#pattern: #reference #elem),
        (None, Some(_), Some(elem)) => quote!(#pattern: #reference [#elem]),
        _ => quote!(_: #reference ::ad::__private::NoAdjoint),
    }
}

/// The slot of a method's constant `self`, first among the slots of each kind:
/// `_: &NoAdjoint` (under `wrt(self)`, `self`'s slot is among the parameters').
fn constant_slot(input: &FnInput, mutable: bool) -> TokenStream {
    let reference = if mutable { quote!(&mut) } else { quote!(&) };
    match super::signature::constant_receiver(input) {
        true => quote!(_: #reference ::ad::__private::NoAdjoint,),
        false => TokenStream::new(),
    }
}

/// One kind of slot of an `_all` entry point: the name of a parameter's slot from
/// the parameter's name, and whether a scalar slot is read by value.
type Slot = (fn(&syn::Ident) -> syn::Ident, bool);

/// What the `_all` entry points check and rebind before the body: a scalar tangent
/// is read by value, every array slot must have its parameter's length.
fn slot_prelude(input: &FnInput, slots: &[Slot]) -> TokenStream {
    let mut prelude = TokenStream::new();
    for (name, by_value) in slots {
        if *by_value {
            prelude.extend(super::fields::bindings(
                input,
                super::fields::Of::Tangent(*name),
            ));
        }
    }
    for param in input.params.iter().filter(|p| p.wrt && p.fields.is_none()) {
        let ident = &param.ident;
        for (name, by_value) in slots {
            let slot = name(ident);
            if param.array.is_some() {
                let message = format!("the slot `{slot}` must have the length of `{ident}`");
                prelude.extend(quote!(::core::assert_eq!(#slot.len(), #ident.len(), #message);));
            } else if *by_value {
                prelude.extend(quote!(let #slot = *#slot;));
            }
        }
    }
    prelude
}

/// `f_jvp_all`'s signature up to its return type.
fn jvp_all_signature(input: &FnInput, generics: TokenStream) -> TokenStream {
    let vis = &input.item.vis;
    let (receiver, name) = (receiver(input), entry(input, "jvp_all"));
    let params = user_params(input);
    let constant_receiver = constant_slot(input, false);
    let slots = input
        .params
        .iter()
        .map(|p| slot(p, tangent_ident(&p.ident), false));
    let allows = user_allows(input);
    quote! {
        #[doc(hidden)]
        #(#allows)*
        #[allow(unused_variables, clippy::too_many_arguments)]
        #vis fn #name #generics(#receiver #(#params,)* #constant_receiver #(#slots),*)
    }
}

fn jvp_all_fn(input: &FnInput, func: &Function) -> TokenStream {
    let signature = jvp_all_signature(input, TokenStream::new());
    let ret = value_type(input);
    let prelude = slot_prelude(input, &[(tangent_ident, true)]);
    let body = function_body(input, func, prelude, |emitter| {
        let yields = &func.regions[func.body].yields;
        let (value, tangent) = (emitter.operand(yields[0]), emitter.operand(yields[1]));
        quote!((#value, #tangent))
    });
    quote!(#signature -> (#ret, #ret) #body)
}

/// The tangent parameter of `f_jvp`/`f_hvp` for a differentiable parameter: `T` for a
/// scalar, `&[T]` for a slice or vector, `&[T; N]` for an array.
fn tangent_param(param: &ParamInput, name: &syn::Ident) -> TokenStream {
    let elem = elem(param);
    if param.fields.is_some() {
        let ty = super::signature::struct_type(param);
        return quote!(#name: &#ty);
    }
    match &param.array {
        Some(array) => match &array.fixed_len {
            Some(len) => quote!(#name: &[#elem; #len]),
            None => quote!(#name: &[#elem]),
        },
        None => quote!(#name: #elem),
    }
}

/// The slots the public functions pass to an `_all` entry point, one per parameter:
/// their own tangents or buffers (`name`) for the differentiable parameters,
/// throwaway zeros for the rest; `&mut` ones with `mutable`.
pub(super) fn slot_args(
    input: &FnInput,
    name: fn(&syn::Ident) -> syn::Ident,
    mutable: bool,
) -> Vec<TokenStream> {
    let reference = if mutable { quote!(&mut) } else { quote!(&) };
    let constant_receiver = super::signature::constant_receiver(input)
        .then(|| quote!(#reference ::ad::__private::NoAdjoint));
    constant_receiver
        .into_iter()
        .chain(input.params.iter().map(|p| {
            let slot = name(&p.ident);
            match (p.wrt, &p.float, &p.array) {
                // A struct's tangent is given by reference, its buffers are locals.
                (true, None, None) if p.fields.is_some() && !mutable => {
                    let ty = super::signature::struct_type(p);
                    quote!(::core::borrow::Borrow::<#ty>::borrow(&#slot))
                }
                (true, None, None) if p.fields.is_some() => quote!(&mut #slot),
                (true, Some(_), _) => quote!(#reference #slot),
                (true, None, Some(_)) => quote!(#reference #slot[..]),
                (false, Some(float), _) => {
                    let zero = literal(*float, "0.0");
                    quote!(#reference #zero)
                }
                (false, None, Some(_)) => quote!(#reference []),
                _ => quote!(#reference ::ad::__private::NoAdjoint),
            }
        }))
        .collect()
}

/// `f_jvp`: its signature and its body.
fn jvp_fn(input: &FnInput) -> (TokenStream, TokenStream) {
    let vis = &input.item.vis;
    let (receiver, name, ret) = (receiver(input), entry(input, "jvp"), value_type(input));
    let params = user_params(input);
    let wrt: Vec<&ParamInput> = input.params.iter().filter(|p| p.wrt).collect();
    let tangents = wrt
        .iter()
        .map(|p| tangent_param(p, &tangent_ident(&p.ident)));
    let all = own(input, entry(input, "jvp_all"));
    let args = input.signature_params().map(|p| &p.ident);
    let slots = slot_args(input, tangent_ident, false);
    let (what, cost) = match input.vector {
        Some(_) => (
            "J·t), the value and the Jacobian's product with the direction",
            "One sweep, nothing recorded.",
        ),
        None => (
            "∇{f}·t), the value and the derivative along the direction",
            "One sweep, nothing recorded, nothing allocated.",
        ),
    };
    let doc = format!(
        " Forward mode of [`{f}`]: returns `({f}(…), {what} whose components are the \
         tangents {}. {cost} Generated by `#[ad::differentiate(forward)]`.",
        names(&wrt, "t_"),
        f = input.name(),
        what = what.replace("{f}", &input.name().to_string()),
    );
    let allows = user_allows(input);
    let signature = quote! {
        #[doc = #doc]
        #[must_use]
        #(#allows)*
        #[allow(clippy::too_many_arguments)]
        #vis fn #name(#receiver #(#params,)* #(#tangents),*) -> (#ret, #ret)
    };
    (signature, quote!({ #all(#(#args,)* #(#slots),*) }))
}

/// `` `t_x`, `t_w` `` for the differentiable parameters.
fn names(wrt: &[&ParamInput], prefix: &str) -> String {
    wrt.iter()
        .map(|p| format!("`{prefix}{}`", p.ident))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `f_hvp_all`'s signature up to its return type.
fn hvp_all_signature(input: &FnInput, generics: TokenStream) -> TokenStream {
    let vis = &input.item.vis;
    let (receiver, name, ret) = (receiver(input), entry(input, "hvp_all"), ret(input));
    let params = user_params(input);
    let slots = |name: fn(&syn::Ident) -> syn::Ident, mutable: bool| {
        input
            .params
            .iter()
            .map(move |p| slot(p, name(&p.ident), mutable))
    };
    let (tangents, adjoints, hvs) = (
        slots(tangent_ident, false),
        slots(buffer_ident, true),
        slots(hvp_ident, true),
    );
    let (constant, constant_mut) = (constant_slot(input, false), constant_slot(input, true));
    let (seed, t_seed) = (seed_ident(), seed_tangent_ident());
    let allows = user_allows(input);
    quote! {
        #[doc(hidden)]
        #(#allows)*
        #[allow(unused_variables, clippy::too_many_arguments)]
        #vis fn #name #generics(
            #receiver #(#params,)* #constant #(#tangents,)* #seed: #ret, #t_seed: #ret,
            #constant_mut #(#adjoints,)* #constant_mut #(#hvs),*
        )
    }
}

fn hvp_all_fn(input: &FnInput, func: &Function) -> TokenStream {
    let (signature, ret) = (hvp_all_signature(input, TokenStream::new()), ret(input));
    let slots = [
        (tangent_ident as fn(&syn::Ident) -> syn::Ident, true),
        (buffer_ident, false),
        (hvp_ident, false),
    ];
    let prelude = slot_prelude(input, &slots);
    let body = function_body(input, func, prelude, |emitter| {
        emitter.operand(func.returned())
    });
    quote!(#signature -> #ret #body)
}

/// `f_hvp`: its signature and its body.
fn hvp_fn(input: &FnInput) -> (TokenStream, TokenStream) {
    let vis = &input.item.vis;
    let (receiver, name, ret) = (receiver(input), entry(input, "hvp"), ret(input));
    let params = user_params(input);
    let wrt: Vec<&ParamInput> = input.params.iter().filter(|p| p.wrt).collect();
    let tangents = wrt
        .iter()
        .map(|p| tangent_param(p, &direction_ident(&p.ident)));
    let adjoint_tys: Vec<TokenStream> = wrt.iter().map(|p| adjoint_type(p)).collect();
    let (adjoints, hvs): (Vec<_>, Vec<_>) = wrt
        .iter()
        .map(|p| (buffer_ident(&p.ident), hvp_ident(&p.ident)))
        .unzip();
    let zeros: Vec<TokenStream> = wrt.iter().map(|p| zeros(p)).collect();
    let all = own(input, entry(input, "hvp_all"));
    let args = input.signature_params().map(|p| &p.ident);
    let directions = slot_args(input, direction_ident, false);
    let (one, zero) = (literal(input.ret, "1.0"), literal(input.ret, "0.0"));
    let (adjoint_slots, hv_slots) = (
        slot_args(input, buffer_ident, true),
        slot_args(input, hvp_ident, true),
    );
    let value = syn::Ident::new("value", Span::mixed_site());
    let doc = format!(
        " Hessian-vector product of [`{f}`]: returns `({f}(…), gradient…, H·v…)`, the \
         value, the gradient in the shapes `{f}_grad` returns, then the product of the \
         Hessian with the direction {} in the same shapes. One forward-over-reverse \
         sweep. Generated by `#[ad::differentiate(hessian)]`.",
        names(&wrt, "v_"),
        f = input.name()
    );
    let allows = user_allows(input);
    let signature = quote! {
        #[doc = #doc]
        #[must_use]
        #(#allows)*
        #[allow(clippy::too_many_arguments)]
        #vis fn #name(#receiver #(#params,)* #(#tangents),*)
            -> (#ret, #(#adjoint_tys,)* #(#adjoint_tys),*)
    };
    let body = quote! {
        {
            #(let mut #adjoints = #zeros;)*
            #(let mut #hvs = #zeros;)*
            let #value = #all(
                #(#args,)* #(#directions,)* #one, #zero, #(#adjoint_slots,)* #(#hv_slots),*
            );
            (#value, #(#adjoints,)* #(#hvs),*)
        }
    };
    (signature, body)
}

/// Binds each differentiable parameter's direction (`v_x`) to its part of the unit
/// vector of flattened input `j`, counting the inputs before it in `offset`.
pub(super) fn unit_directions(
    wrt: &[&ParamInput],
    j: &syn::Ident,
    offset: &syn::Ident,
) -> TokenStream {
    let mut unit = TokenStream::new();
    for p in wrt {
        let (direction, zero) = (direction_ident(&p.ident), zeros(p));
        if p.fields.is_some() {
            unit.extend(super::fields::unit_direction(p, &direction, j, offset));
            continue;
        }
        unit.extend(match p.array {
            Some(_) => quote! {
                let mut #direction = #zero;
                if let Some(component) = #j.checked_sub(#offset).and_then(|k| #direction.get_mut(k)) {
                    *component = 1.0;
                }
                #offset += #direction.len();
            },
            None => quote! {
                let #direction = if #j == #offset { 1.0 } else { 0.0 };
                #offset += 1;
            },
        });
    }
    unit
}

/// The direction of `f_hvp`: `v_x`.
pub(super) fn direction_ident(param: &syn::Ident) -> syn::Ident {
    format_ident!("v_{}", param, span = Span::mixed_site())
}

/// `f_hessian`: one forward-over-reverse sweep per flattened input, along the unit
/// vector of that input; sweep j gives row j (the Hessian is symmetric).
fn hessian_fn(input: &FnInput) -> (TokenStream, TokenStream) {
    let vis = &input.item.vis;
    let (receiver, name, ret) = (receiver(input), entry(input, "hessian"), ret(input));
    let params = user_params(input);
    let wrt: Vec<&ParamInput> = input.params.iter().filter(|p| p.wrt).collect();
    let (adjoints, hvs): (Vec<_>, Vec<_>) = wrt
        .iter()
        .map(|p| (buffer_ident(&p.ident), hvp_ident(&p.ident)))
        .unzip();
    let buffers: Vec<TokenStream> = wrt.iter().map(|p| zeros(p)).collect();
    let all = own(input, entry(input, "hvp_all"));
    let args: Vec<&syn::Ident> = input.signature_params().map(|p| &p.ident).collect();
    let direction_args = slot_args(input, direction_ident, false);
    let (one, zero) = (literal(input.ret, "1.0"), literal(input.ret, "0.0"));
    let (adjoint_slots, hv_slots) = (
        slot_args(input, buffer_ident, true),
        slot_args(input, hvp_ident, true),
    );
    let [value, gradient, hessian, n, j, offset, row] =
        ["value", "gradient", "hessian", "n", "j", "offset", "row"]
            .map(|name| syn::Ident::new(name, Span::mixed_site()));
    let sizes = wrt.iter().map(|p| match &p.array {
        None if p.fields.is_some() => super::fields::scalar_count(p),
        Some(_) => {
            let ident = &p.ident;
            quote!(#ident.len())
        }
        None => quote!(1),
    });
    let unit = unit_directions(&wrt, &j, &offset);
    let flatten = wrt.iter().zip(&hvs).map(|(p, hv)| match p.array {
        None if p.fields.is_some() => super::fields::push_scalars(hv, &row),
        Some(_) => quote!(#row.extend_from_slice(&#hv[..]);),
        None => quote!(#row.push(#hv);),
    });
    let gradient_parts = wrt.iter().zip(&adjoints).map(|(p, adjoint)| {
        if p.fields.is_some() {
            super::fields::push_scalars(adjoint, &gradient)
        } else if p.array.is_some() {
            quote!(#gradient.extend_from_slice(&#adjoint[..]);)
        } else {
            quote!(#gradient.push(#adjoint);)
        }
    });
    let doc = format!(
        " Value, gradient and Hessian of [`{f}`] over its flattened inputs (the \
         differentiable parameters' scalars in parameter order: {}): returns \
         `(value, gradient, hessian)` with `hessian[i][j]` = ∂²{f}/∂zᵢ∂zⱼ. One \
         forward-over-reverse sweep per input. Generated by \
         `#[ad::differentiate(hessian)]`.",
        names(&wrt, ""),
        f = input.name()
    );
    let allows = user_allows(input);
    let signature = quote! {
        #[doc = #doc]
        #[must_use]
        #(#allows)*
        #[allow(clippy::too_many_arguments)]
        #vis fn #name(#receiver #(#params),*)
            -> (#ret, ::std::vec::Vec<#ret>, ::std::vec::Vec<::std::vec::Vec<#ret>>)
    };
    let body = quote! {
        {
            let #n = 0 #(+ #sizes)*;
            let mut #value = #zero;
            let mut #gradient = ::std::vec::Vec::with_capacity(#n);
            let mut #hessian = ::std::vec::Vec::with_capacity(#n);
            // At least one sweep, for the value and gradient when there are no inputs.
            for #j in 0..#n.max(1) {
                let mut #offset = 0usize;
                #unit
                let _ = #offset;
                #(let mut #adjoints = #buffers;)*
                #(let mut #hvs = #buffers;)*
                #value = #all(
                    #(#args,)* #(#direction_args,)* #one, #zero,
                    #(#adjoint_slots,)* #(#hv_slots),*
                );
                if #j == 0 {
                    #(#gradient_parts)*
                }
                if #j < #n {
                    let mut #row = ::std::vec::Vec::with_capacity(#n);
                    #(#flatten)*
                    #hessian.push(#row);
                }
            }
            (#value, #gradient, #hessian)
        }
    };
    (signature, body)
}

/// Forward mode and second order of a `#[custom_adjoint]` written generic over
/// `T: Real`: the hand-written adjoint run over dual numbers. With seed 1 its
/// adjoints are the gradient, so ∇f·t is their product with the tangents
/// (`f_jvp_all`; taken from the adjoints rather than from the value's tangent, which
/// is lost if the value is computed outside `T`, say through `f64`); with the inputs'
/// and the seed's tangents, the adjoints' tangents are H·v (`f_hvp_all`).
pub fn custom(input: &FnInput) -> TokenStream {
    let adjoint = own(input, super::signature::adjoint_name(input));
    let ret = ret(input);
    let dual = quote!(::ad::__private::Dual);
    let mut setup = TokenStream::new();
    let mut args = Vec::new();
    let mut buffers = Vec::new();
    let mut gather = TokenStream::new();
    let mut slope = Vec::new();
    for p in &input.params {
        let (ident, tangent) = (&p.ident, tangent_ident(&p.ident));
        let dual_ident = format_ident!("dual_{}", ident, span = Span::mixed_site());
        let by_ref = matches!(p.ty, syn::Type::Reference(_));
        let component = |value: TokenStream, t: TokenStream| match p.wrt {
            true => quote!(#dual::new(#value, #t)),
            false => quote!(#dual::constant(#value)),
        };
        match (&p.float, &p.array) {
            (Some(_), _) => args.push(component(quote!(#ident), quote!(*#tangent))),
            (None, Some(array)) => {
                let element = component(quote!(#ident[i]), quote!(#tangent[i]));
                let made = match &array.fixed_len {
                    Some(_) => quote!(::core::array::from_fn(|i| #element)),
                    None => {
                        quote!((0..#ident.len()).map(|i| #element).collect::<::std::vec::Vec<_>>())
                    }
                };
                setup.extend(quote!(let #dual_ident = #made;));
                args.push(if by_ref {
                    quote!(&#dual_ident)
                } else {
                    quote!(#dual_ident)
                });
            }
            (None, None) => args.push(quote!(#ident)),
        }
        if !p.wrt {
            continue;
        }
        let (buffer, hv) = (buffer_ident(ident), hvp_ident(ident));
        let dual_buffer = format_ident!("dual_d_{}", ident, span = Span::mixed_site());
        let zero = quote!(#dual::constant(0.0));
        slope.push(match &p.array {
            None => quote!(#dual_buffer.re * *#tangent),
            Some(_) => quote! {
                #dual_buffer.iter().zip(#tangent.iter()).map(|(d, t)| d.re * *t).sum::<#ret>()
            },
        });
        match &p.array {
            None => {
                setup.extend(quote!(let mut #dual_buffer = #zero;));
                buffers.push(quote!(&mut #dual_buffer));
                gather.extend(quote! {
                    *#buffer += #dual_buffer.re;
                    *#hv += #dual_buffer.eps;
                });
            }
            Some(array) => {
                let made = match &array.fixed_len {
                    Some(len) => quote!([#zero; #len]),
                    None => quote!(::std::vec![#zero; #ident.len()]),
                };
                setup.extend(quote!(let mut #dual_buffer = #made;));
                buffers.push(match &array.fixed_len {
                    Some(_) => quote!(&mut #dual_buffer),
                    None => quote!(&mut #dual_buffer[..]),
                });
                gather.extend(quote! {
                    for ((d, hv), part) in #buffer.iter_mut().zip(#hv.iter_mut()).zip(&#dual_buffer) {
                        *d += part.re;
                        *hv += part.eps;
                    }
                });
            }
        }
    }
    let value = syn::Ident::new("value", Span::mixed_site());
    let (seed, seed_tangent) = (seed_ident(), seed_tangent_ident());
    let jvp = jvp_all_signature(input, TokenStream::new());
    let hvp = hvp_all_signature(input, TokenStream::new());
    quote! {
        #jvp -> (#ret, #ret) {
            #setup
            let #value = #adjoint(#(#args,)* #dual::constant(1.0), #(#buffers),*);
            (#value.re, 0.0 #(+ #slope)*)
        }
        #hvp -> #ret {
            #setup
            let #value = #adjoint(#(#args,)* #dual::new(#seed, #seed_tangent), #(#buffers),*);
            #gather
            #value.re
        }
    }
}
