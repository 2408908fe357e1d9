//! `#[derive(Differentiable)]`: a struct as a model, whose float fields a struct
//! parameter named in `wrt` is differentiated with respect to.
//!
//! The macro sees field types as written, so it sorts them by their syntax: a field
//! is a constant (cloned into an adjoint, never visited) if it says so with
//! `#[ad(constant)]` or if its type is one of the standard non-float types
//! (integers, `bool`, `char`, `String`, references to `str`, `PhantomData`, and
//! sequences of them); every other field must be `Differentiable` itself (floats,
//! sequences of floats, other derived structs), which rustc checks.

use crate::ctxt::Ctxt;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

pub fn expand(item: TokenStream) -> TokenStream {
    let input: syn::DeriveInput = match syn::parse2(item) {
        Ok(input) => input,
        Err(error) => return error.into_compile_error(),
    };
    let ctxt = Ctxt::default();
    let generated = derive(&input, &ctxt);
    match ctxt.check() {
        Ok(()) => generated.unwrap_or_default(),
        Err(error) => error.into_compile_error(),
    }
}

/// A field of the struct: how to name it (`self.w`, `self.0`) and whether it is
/// differentiable.
struct Field<'a> {
    member: syn::Member,
    ty: &'a syn::Type,
    constant: bool,
}

fn derive(input: &syn::DeriveInput, ctxt: &Ctxt) -> Option<TokenStream> {
    let syn::Data::Struct(data) = &input.data else {
        ctxt.error_spanned_by(
            &input.ident,
            "`#[derive(ad::Differentiable)]` applies to structs; an enum or union of \
             parameters has no fixed set of floats to differentiate. Keep it as a constant \
             field (`#[ad(constant)]`) of a struct",
        );
        return None;
    };
    if !input.generics.params.is_empty() {
        ctxt.error_spanned_by(
            &input.generics,
            "`#[derive(ad::Differentiable)]` does not support generic structs yet; \
             use concrete field types (`f64`, `Vec<f64>`, …)",
        );
        return None;
    }
    let fields: Vec<Field> = data
        .fields
        .iter()
        .enumerate()
        .filter_map(|(k, field)| {
            let member = match &field.ident {
                Some(ident) => syn::Member::Named(ident.clone()),
                None => syn::Member::Unnamed(syn::Index::from(k)),
            };
            let constant = constant_attribute(field, ctxt)? || is_constant_type(&field.ty);
            Some(Field {
                member,
                ty: &field.ty,
                constant,
            })
        })
        .collect();
    if fields.len() != data.fields.len() {
        return None;
    }
    let name = &input.ident;
    let trait_ = quote!(::ad::Differentiable);
    let differentiable: Vec<&Field> = fields.iter().filter(|f| !f.constant).collect();
    let scalar = match differentiable.first() {
        Some(field) => {
            let ty = field.ty;
            quote!(<#ty as #trait_>::Scalar)
        }
        None => quote!(f64),
    };
    let zeroed = fields.iter().map(|field| {
        let (member, span) = (&field.member, field.ty.span());
        match field.constant {
            true => quote_spanned!(span=> #member: ::core::clone::Clone::clone(&self.#member)),
            false => {
                quote_spanned!(span=> #member: ::ad::Differentiable::zeroed_like(&self.#member))
            }
        }
    });
    let visit = format_ident!("visit");
    let other = format_ident!("other");
    let visits = differentiable.iter().map(|field| {
        let (member, span) = (&field.member, field.ty.span());
        quote_spanned!(span=> ::ad::Differentiable::visit_scalars(&self.#member, #visit);)
    });
    let visits_mut = differentiable.iter().map(|field| {
        let (member, span) = (&field.member, field.ty.span());
        quote_spanned!(span=> ::ad::Differentiable::visit_scalars_mut(&mut self.#member, #visit);)
    });
    let zips = differentiable.iter().map(|field| {
        let (member, span) = (&field.member, field.ty.span());
        quote_spanned!(span=> ::ad::Differentiable::zip_scalars_mut(&mut self.#member, &#other.#member, #visit);)
    });
    let scalar_checks = differentiable.iter().skip(1).map(|field| {
        let (ty, span) = (field.ty, field.ty.span());
        quote_spanned! {span=>
            let _: ::core::marker::PhantomData<#scalar> =
                ::core::marker::PhantomData::<<#ty as ::ad::Differentiable>::Scalar>;
        }
    });
    let unused = differentiable.is_empty().then(|| quote!(let _ = #visit;));
    let unused_other = differentiable.is_empty().then(|| quote!(let _ = #other;));
    Some(quote! {
        #[automatically_derived]
        impl #trait_ for #name {
            type Scalar = #scalar;

            fn zeroed_like(&self) -> Self {
                // Every differentiable field has the same float type.
                #(#scalar_checks)*
                #name { #(#zeroed),* }
            }

            fn visit_scalars(&self, #visit: &mut dyn FnMut(Self::Scalar)) {
                #unused
                #(#visits)*
            }

            fn visit_scalars_mut(&mut self, #visit: &mut dyn FnMut(&mut Self::Scalar)) {
                #unused
                #(#visits_mut)*
            }

            fn zip_scalars_mut(
                &mut self,
                #other: &Self,
                #visit: &mut dyn FnMut(&mut Self::Scalar, Self::Scalar),
            ) {
                #unused #unused_other
                #(#zips)*
            }
        }
    })
}

/// Whether the field says `#[ad(constant)]`; `None` after reporting a malformed `ad`
/// attribute.
fn constant_attribute(field: &syn::Field, ctxt: &Ctxt) -> Option<bool> {
    let mut constant = false;
    for attr in field.attrs.iter().filter(|attr| attr.path().is_ident("ad")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("constant") {
                constant = true;
                Ok(())
            } else {
                Err(meta.error(
                    "unknown `ad` field attribute; the one there is, `#[ad(constant)]`, keeps a \
                     field out of the differentiation",
                ))
            }
        });
        if let Err(error) = parsed {
            ctxt.push(error);
            return None;
        }
    }
    Some(constant)
}

/// The standard types that hold no float: integers, `bool`, `char`, `String`,
/// `&str`, `PhantomData`, and vectors, arrays, slices and options of them.
fn is_constant_type(ty: &syn::Type) -> bool {
    const CONSTANTS: [&str; 17] = [
        "i8",
        "i16",
        "i32",
        "i64",
        "i128",
        "isize",
        "u8",
        "u16",
        "u32",
        "u64",
        "u128",
        "usize",
        "bool",
        "char",
        "String",
        "str",
        "PhantomData",
    ];
    match ty {
        syn::Type::Reference(reference) => is_constant_type(&reference.elem),
        syn::Type::Array(array) => is_constant_type(&array.elem),
        syn::Type::Slice(slice) => is_constant_type(&slice.elem),
        syn::Type::Paren(paren) => is_constant_type(&paren.elem),
        syn::Type::Tuple(tuple) => tuple.elems.iter().all(is_constant_type),
        syn::Type::Path(path) if path.qself.is_none() => {
            let Some(last) = path.path.segments.last() else {
                return false;
            };
            let name = last.ident.to_string();
            if CONSTANTS.contains(&name.as_str()) {
                return true;
            }
            let element = match &last.arguments {
                syn::PathArguments::AngleBracketed(args) if args.args.len() == 1 => {
                    match args.args.first() {
                        Some(syn::GenericArgument::Type(element)) => element,
                        _ => return false,
                    }
                }
                _ => return false,
            };
            ["Vec", "Box", "Option", "Rc", "Arc"].contains(&name.as_str())
                && is_constant_type(element)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(source: &str) -> syn::Type {
        syn::parse_str(source).unwrap()
    }

    #[test]
    fn standard_types_without_floats_are_constants() {
        for constant in [
            "usize",
            "Vec<u32>",
            "[bool; 3]",
            "String",
            "&'static str",
            "Option<i64>",
        ] {
            assert!(is_constant_type(&ty(constant)), "{constant}");
        }
        for differentiable in [
            "f64",
            "Vec<f64>",
            "[f32; 2]",
            "Layer",
            "Vec<Layer>",
            "Option<f64>",
        ] {
            assert!(!is_constant_type(&ty(differentiable)), "{differentiable}");
        }
    }

    #[test]
    fn a_tuple_struct_names_its_fields_by_position() {
        let item: syn::DeriveInput = syn::parse_quote!(
            struct Pair(f64, #[ad(constant)] f64);
        );
        let tokens = derive(&item, &Ctxt::default()).unwrap().to_string();
        assert!(tokens.contains("zeroed_like (& self . 0)"), "{tokens}");
        assert!(tokens.contains("clone (& self . 1)"), "{tokens}");
    }
}
