//! What the macro emits when it reports errors: the user's function unchanged,
//! stubs of the generated functions, and the errors. Callers of `f_grad` then see
//! the error in `f`, not a cascade of "cannot find function `f_grad`"
//! (thiserror's `fallback.rs`, tokio's `token_stream_with_error`).

use crate::ast::FnInput;
use crate::emit::{adjoint_signature, composable_signature, grad_signature, vector_stubs};
use proc_macro2::TokenStream;
use quote::quote;

pub fn emit(item: &syn::ItemFn, input: Option<&FnInput>, errors: syn::Error) -> TokenStream {
    let errors = errors.into_compile_error();
    let stubs = input.map(|input| {
        let tangents = crate::emit::tangent_stubs(input);
        if input.vector.is_some() {
            let vector = vector_stubs(input);
            return quote!(#vector #tangents);
        }
        let adjoint = adjoint_signature(input);
        let grad = grad_signature(input);
        let composable = composable_signature(input);
        quote! {
            #[allow(unused_variables)]
            #adjoint { ::core::unreachable!() }
            #[allow(unused_variables)]
            #grad { ::core::unreachable!() }
            #composable { ::core::unreachable!() }
            #tangents
        }
    });
    quote! {
        #item
        #stubs
        #errors
    }
}
