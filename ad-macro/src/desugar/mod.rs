//! Surface desugaring: rewrites of Rust syntax into the smaller language that
//! lowering knows, done on the syn tree before lowering sees it. Each rewrite is a
//! function of its own on one construct, applied bottom-up (a construct's parts are
//! already desugared when it is rewritten). The original function is emitted
//! unchanged, so what is written here only ever feeds the IR.
//!
//! - `assign`: parallel assignment, `(a, b) = (b, a + b);`.
//! - `matching`: `match` on integers and `bool`s, as the `if` chain it means.
//! - `iteration`: `for v in x.iter()` (`.enumerate()`, `.zip(…)`) and
//!   `x.iter().sum()`, as the indexed loops they mean.
//!
//! Names the rewrites introduce start with `__ad_`, which user code does not use.

mod assign;
mod iteration;
mod matching;

use crate::ctxt::Ctxt;
use syn::visit_mut::VisitMut;

/// The body `block` in the core language; unsupported patterns are reported into
/// `ctxt` and their construct is left as it was.
pub fn desugar(block: &syn::Block, ctxt: &Ctxt) -> syn::Block {
    let mut block = block.clone();
    Desugar { ctxt, next_id: 0 }.visit_block_mut(&mut block);
    block
}

struct Desugar<'c> {
    ctxt: &'c Ctxt,
    next_id: usize,
}

impl Desugar<'_> {
    /// A name for a local a rewrite introduces.
    fn fresh(&mut self, what: &str) -> syn::Ident {
        self.next_id += 1;
        quote::format_ident!("__ad_{}{}", what, self.next_id)
    }
}

impl VisitMut for Desugar<'_> {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        let rewritten = match expr {
            syn::Expr::Assign(_) => assign::parallel_assignment(expr),
            syn::Expr::Match(choice) => self.match_chain(choice),
            syn::Expr::ForLoop(for_loop) => self.indexed_iteration(for_loop),
            syn::Expr::MethodCall(call) => self.indexed_sum(call),
            _ => None,
        };
        if let Some(rewritten) = rewritten {
            *expr = rewritten;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use quote::ToTokens;

    /// The desugared `body` as a token string; panics on a reported error.
    pub(crate) fn desugared(body: syn::Block) -> String {
        let ctxt = crate::ctxt::Ctxt::default();
        let out = super::desugar(&body, &ctxt).into_token_stream().to_string();
        ctxt.check().expect("no error");
        out
    }

    /// The token string of `block`, to compare with [`desugared`].
    pub(crate) fn tokens(block: syn::Block) -> String {
        block.into_token_stream().to_string()
    }
}
