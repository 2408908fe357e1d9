//! `let` statements that take a value apart, as one `let` per name:
//!
//! - `let [a, b, c] = x;`, `let [a, b] = *x2;` and, on a slice,
//!   `let &[x1, x2] = x else { … };` (the `else` runs when the length differs; with
//!   `..`, when it is shorter): each name is an element, `let a = x[0];`, and a name
//!   after `..` counts from the end.
//! - `let (s, c) = x.sin_cos();`: `let s = x.sin(); let c = x.cos();`, with `x`
//!   evaluated once.
//! - `let (a, b) = x.split_at(k);`: `let a = &x[..k]; let b = &x[k..];`, with `k`
//!   evaluated once.
//! - `const N: usize = 4;` in the body: `let N: usize = 4;` at the start of its block.

use super::Desugar;
use quote::quote;

impl Desugar<'_> {
    /// Rewrites the destructuring `let`s among `block`'s statements, and its `const`
    /// items as `let`s at its start (an item is in scope in its whole block).
    pub(super) fn destructure(&mut self, block: &mut syn::Block) {
        let stmts = std::mem::take(&mut block.stmts);
        for stmt in &stmts {
            if let syn::Stmt::Item(syn::Item::Const(item)) = stmt {
                let (name, ty, value) = (&item.ident, &item.ty, &item.expr);
                block
                    .stmts
                    .push(syn::parse_quote!(let #name: #ty = #value;));
            }
        }
        for stmt in stmts {
            if matches!(stmt, syn::Stmt::Item(syn::Item::Const(_))) {
                continue;
            }
            match self.destructured(&stmt) {
                Some(lets) => block.stmts.extend(lets),
                None => block.stmts.push(stmt),
            }
        }
    }

    fn destructured(&mut self, stmt: &syn::Stmt) -> Option<Vec<syn::Stmt>> {
        let syn::Stmt::Local(local) = stmt else {
            return None;
        };
        let init = local.init.as_ref()?;
        // `let [a, b]: [f64; 2] = polar(r, t);`: the type of the whole.
        let (pat, ty) = match &local.pat {
            syn::Pat::Type(typed) => (&*typed.pat, Some(&*typed.ty)),
            pat => (pat, None),
        };
        match strip_reference(pat) {
            syn::Pat::Slice(slice) => {
                let mut lets: Vec<syn::Stmt> = Vec::new();
                let mut array = strip_deref(&init.expr).clone();
                // A value that is not a place (a call of a vector-valued function)
                // is computed once, into a local of the annotated type.
                if !matches!(array, syn::Expr::Path(_) | syn::Expr::Field(_)) {
                    let whole = self.fresh("whole");
                    let value = &init.expr;
                    lets.push(match ty {
                        Some(ty) => syn::parse_quote!(let #whole: #ty = #value;),
                        None => syn::parse_quote!(let #whole = #value;),
                    });
                    array = syn::parse_quote!(#whole);
                }
                let rest = slice
                    .elems
                    .iter()
                    .position(|p| matches!(p, syn::Pat::Rest(_)));
                let named = slice.elems.len() - usize::from(rest.is_some());
                if let Some((_, otherwise)) = &init.diverge {
                    lets.push(match rest {
                        Some(_) => syn::parse_quote!(if #array.len() < #named #otherwise),
                        None => syn::parse_quote!(if #array.len() != #named #otherwise),
                    });
                }
                for (k, pat) in slice.elems.iter().enumerate() {
                    let index = match rest {
                        Some(r) if k == r => continue,
                        // After `..`: counted from the end.
                        Some(r) if k > r => {
                            let from_end = slice.elems.len() - k;
                            quote!(#array.len() - #from_end)
                        }
                        _ => quote!(#k),
                    };
                    if !matches!(pat, syn::Pat::Wild(_)) {
                        lets.push(syn::parse_quote!(let #pat = #array[#index];));
                    }
                }
                Some(lets)
            }
            syn::Pat::Tuple(tuple) if tuple.elems.len() == 2 && init.diverge.is_none() => {
                let syn::Expr::MethodCall(call) = &*init.expr else {
                    return None;
                };
                if call.method == "split_at" && call.args.len() == 1 {
                    // Both halves are sub-slices of the receiver, split where `mid` says.
                    let mid = self.fresh("mid");
                    let (receiver, at) = (&call.receiver, &call.args[0]);
                    let (left, right) = (&tuple.elems[0], &tuple.elems[1]);
                    let block: syn::Block = syn::parse_quote!({
                        let #mid = #at;
                        let #left = &#receiver[..#mid];
                        let #right = &#receiver[#mid..];
                    });
                    return Some(block.stmts);
                }
                if call.method != "sin_cos" || !call.args.is_empty() {
                    return None;
                }
                let angle = self.fresh("angle");
                let receiver = &call.receiver;
                let (sin, cos) = (&tuple.elems[0], &tuple.elems[1]);
                let lets = quote! {
                    let #angle = #receiver;
                    let #sin = #angle.sin();
                    let #cos = #angle.cos();
                };
                let block: syn::Block = syn::parse_quote!({ #lets });
                Some(block.stmts)
            }
            _ => None,
        }
    }
}

/// `&[a, b]` is the pattern `[a, b]` on a slice reference.
fn strip_reference(pat: &syn::Pat) -> &syn::Pat {
    match pat {
        syn::Pat::Reference(reference) => strip_reference(&reference.pat),
        syn::Pat::Paren(paren) => strip_reference(&paren.pat),
        pat => pat,
    }
}

/// `*x` and `&x` read the elements of `x`.
fn strip_deref(expr: &syn::Expr) -> &syn::Expr {
    match expr {
        syn::Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Deref(_)) => {
            strip_deref(&unary.expr)
        }
        syn::Expr::Reference(reference) => strip_deref(&reference.expr),
        syn::Expr::Paren(paren) => strip_deref(&paren.expr),
        expr => expr,
    }
}

#[cfg(test)]
mod tests {
    use crate::desugar::tests::{desugared, tokens};

    #[test]
    fn array_patterns_are_one_let_per_element() {
        let out = desugared(syn::parse_quote!({
            let [a, _, c] = *x;
            let &[p, q] = w else {
                return 0.0;
            };
        }));
        let expected = tokens(syn::parse_quote!({
            let a = x[0usize];
            let c = x[2usize];
            if w.len() != 2usize {
                return 0.0;
            }
            let p = w[0usize];
            let q = w[1usize];
        }));
        assert_eq!(out, expected);
    }

    #[test]
    fn a_rest_pattern_counts_the_names_after_it_from_the_end() {
        let out = desugared(syn::parse_quote!({
            let &[first, .., last] = x else {
                return 0.0;
            };
        }));
        let expected = tokens(syn::parse_quote!({
            if x.len() < 2usize {
                return 0.0;
            }
            let first = x[0usize];
            let last = x[x.len() - 1usize];
        }));
        assert_eq!(out, expected);
    }

    #[test]
    fn sin_cos_is_two_calls_on_one_angle() {
        let out = desugared(syn::parse_quote!({
            let (s, c) = (x * 2.0).sin_cos();
        }));
        let expected = tokens(syn::parse_quote!({
            let __ad_angle1 = (x * 2.0);
            let s = __ad_angle1.sin();
            let c = __ad_angle1.cos();
        }));
        assert_eq!(out, expected);
    }
}
