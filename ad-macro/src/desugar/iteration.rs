//! Iteration over an array as the indexed loop it means: `for v in x.iter()`,
//! `for (i, v) in x.iter().enumerate()`, `for (a, b) in x.iter().zip(y.iter())`
//! become `for i in 0..len { let v = &x[i]; … }` (`let v = x[i];` for the pattern
//! `&v`), and `x.iter().sum()` the loop that adds the elements. Lowering then sees
//! only range loops and indexing, which it differentiates element by element.

use super::Desugar;
use quote::quote;

impl Desugar<'_> {
    pub(super) fn indexed_iteration(&mut self, expr: &syn::ExprForLoop) -> Option<syn::Expr> {
        let syn::Expr::MethodCall(call) = strip_parens(&expr.expr) else {
            return None;
        };
        if expr.label.is_some() {
            return None;
        }
        let body = &expr.body.stmts;
        let pat = &expr.pat;
        let rewritten = if call.method == "iter" && call.args.is_empty() {
            let index = self.fresh("i");
            let array = &call.receiver;
            let element = bind_element(pat, quote!(#array[#index]));
            quote!(for #index in 0..#array.len() { #element #(#body)* })
        } else if call.method == "enumerate" && call.args.is_empty() {
            let array = iterated(&call.receiver)?;
            let syn::Pat::Tuple(tuple) = strip_pat(pat) else {
                return None;
            };
            let [position, element] = [tuple.elems.first()?, tuple.elems.get(1)?];
            let index = self.fresh("i");
            let element = bind_element(element, quote!(#array[#index]));
            quote!(for #index in 0..#array.len() { let #position = #index; #element #(#body)* })
        } else if call.method == "zip" && call.args.len() == 1 {
            let first = iterated(&call.receiver)?;
            let second = iterated(&call.args[0])?;
            let syn::Pat::Tuple(tuple) = strip_pat(pat) else {
                return None;
            };
            let [a, b] = [tuple.elems.first()?, tuple.elems.get(1)?];
            let index = self.fresh("i");
            let (a, b) = (
                bind_element(a, quote!(#first[#index])),
                bind_element(b, quote!(#second[#index])),
            );
            quote!(for #index in 0..#first.len().min(#second.len()) { #a #b #(#body)* })
        } else {
            return None;
        };
        syn::parse2(rewritten).ok()
    }

    /// `x.iter().sum()` (with or without turbofish): the loop it means.
    pub(super) fn indexed_sum(&mut self, call: &syn::ExprMethodCall) -> Option<syn::Expr> {
        if call.method != "sum" || !call.args.is_empty() {
            return None;
        }
        let array = iterated(&call.receiver)?;
        let (sum, index) = (self.fresh("sum"), self.fresh("i"));
        syn::parse2(quote!({
            let mut #sum = 0.0;
            for #index in 0..#array.len() {
                #sum += #array[#index];
            }
            #sum
        }))
        .ok()
    }
}

/// `let v = &x[i];` as iteration binds it, or `let v = x[i];` for the pattern `&v`.
fn bind_element(pat: &syn::Pat, element: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    match strip_pat(pat) {
        syn::Pat::Reference(reference) => {
            let inner = &reference.pat;
            quote!(let #inner = #element;)
        }
        pat => quote!(let #pat = &#element;),
    }
}

/// `x` in `x.iter()`, for a local `x`.
fn iterated(expr: &syn::Expr) -> Option<&syn::Expr> {
    match strip_parens(expr) {
        syn::Expr::MethodCall(call) if call.method == "iter" && call.args.is_empty() => {
            matches!(strip_parens(&call.receiver), syn::Expr::Path(_)).then_some(&*call.receiver)
        }
        _ => None,
    }
}

fn strip_parens(expr: &syn::Expr) -> &syn::Expr {
    match expr {
        syn::Expr::Paren(inner) => strip_parens(&inner.expr),
        syn::Expr::Group(inner) => strip_parens(&inner.expr),
        expr => expr,
    }
}

fn strip_pat(pat: &syn::Pat) -> &syn::Pat {
    match pat {
        syn::Pat::Paren(inner) => strip_pat(&inner.pat),
        pat => pat,
    }
}

#[cfg(test)]
mod tests {
    use crate::desugar::tests::{desugared, tokens};

    #[test]
    fn iter_binds_a_reference_and_a_reference_pattern_the_element() {
        let out = desugared(syn::parse_quote!({
            for v in x.iter() {
                s += v;
            }
            for &v in x.iter() {
                s += v;
            }
        }));
        let expected = tokens(syn::parse_quote!({
            for __ad_i1 in 0..x.len() {
                let v = &x[__ad_i1];
                s += v;
            }
            for __ad_i2 in 0..x.len() {
                let v = x[__ad_i2];
                s += v;
            }
        }));
        assert_eq!(out, expected);
    }

    #[test]
    fn enumerate_and_zip() {
        let out = desugared(syn::parse_quote!({
            for (k, w) in ws.iter().enumerate() {
                s += w * k as f64;
            }
            for (a, &b) in xs.iter().zip(ys.iter()) {
                s += a * b;
            }
        }));
        let expected = tokens(syn::parse_quote!({
            for __ad_i1 in 0..ws.len() {
                let k = __ad_i1;
                let w = &ws[__ad_i1];
                s += w * k as f64;
            }
            for __ad_i2 in 0..xs.len().min(ys.len()) {
                let a = &xs[__ad_i2];
                let b = ys[__ad_i2];
                s += a * b;
            }
        }));
        assert_eq!(out, expected);
    }

    #[test]
    fn sum_of_an_iterator() {
        let out = desugared(syn::parse_quote!({
            let total = x.iter().sum::<f64>();
        }));
        let expected = tokens(syn::parse_quote!({
            let total = {
                let mut __ad_sum1 = 0.0;
                for __ad_i2 in 0..x.len() {
                    __ad_sum1 += x[__ad_i2];
                }
                __ad_sum1
            };
        }));
        assert_eq!(out, expected);
    }

    #[test]
    fn other_loops_are_left_alone() {
        let body: syn::Block = syn::parse_quote!({
            for i in 0..n {
                s += i;
            }
            for v in x.chunks(2) {
                s += v[0];
            }
        });
        assert_eq!(desugared(body.clone()), tokens(body));
    }
}
