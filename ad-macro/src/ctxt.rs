//! Collecting every error of one expansion, so that one compile reports them all
//! (serde_derive's `internals/ctxt.rs`).

use quote::ToTokens;
use std::cell::RefCell;
use std::fmt::Display;

#[derive(Default)]
pub struct Ctxt {
    errors: RefCell<Vec<syn::Error>>,
}

impl Ctxt {
    /// Reports an error spanning `node` (the user's code that caused it).
    pub fn error_spanned_by(&self, node: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(node.into_token_stream(), message));
    }

    pub fn push(&self, error: syn::Error) {
        self.errors.borrow_mut().push(error);
    }

    /// All errors so far folded into one, or `Ok` if there were none.
    pub fn check(self) -> Result<(), syn::Error> {
        let mut errors = self.errors.into_inner().into_iter();
        let Some(mut combined) = errors.next() else {
            return Ok(());
        };
        for error in errors {
            combined.combine(error);
        }
        Err(combined)
    }
}
