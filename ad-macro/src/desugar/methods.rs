//! Slice and vector methods, as the indexing they mean:
//!
//! - `x.first()`, `x.last()`, `x.get(i)`, with `.copied()`/`.cloned()`, then
//!   `.unwrap()` (`&x[0]`, `x[x.len() - 1]`, `x[i]`) or `.unwrap_or(d)` (an `if` on
//!   the length);
//! - `a.swap(i, j)`, `a.fill(v)`, `a.copy_from_slice(s)` and
//!   `a.extend_from_slice(s)`: the element-wise writes (and pushes) they make.
//!
//! Indices, values and sources are evaluated once, before any write, as the
//! methods' arguments are.

use super::Desugar;

impl Desugar<'_> {
    /// The rewrite of `call`, if it is one of the methods above.
    pub(super) fn element_method(&mut self, call: &syn::ExprMethodCall) -> Option<syn::Expr> {
        let method = call.method.to_string();
        let args = &call.args;
        let receiver = &call.receiver;
        match (method.as_str(), args.len()) {
            ("unwrap", 0) => {
                let (array, at, by_value) = element(receiver)?;
                let index = self.index(&array, &at);
                Some(if by_value {
                    syn::parse_quote!({ #(#index)* #array[__ad_at] })
                } else {
                    syn::parse_quote!({ #(#index)* &#array[__ad_at] })
                })
            }
            ("unwrap_or", 1) => {
                let (array, at, by_value) = element(receiver)?;
                if !by_value {
                    return None;
                }
                let (fallback, index) = (&args[0], self.index(&array, &at));
                let otherwise = self.fresh("otherwise");
                Some(syn::parse_quote!({
                    let #otherwise = #fallback;
                    #(#index)*
                    if __ad_at < #array.len() { #array[__ad_at] } else { #otherwise }
                }))
            }
            ("swap", 2) => {
                let (i, j, t) = (self.fresh("i"), self.fresh("j"), self.fresh("swapped"));
                let (a, b) = (&args[0], &args[1]);
                Some(syn::parse_quote!({
                    let #i = #a;
                    let #j = #b;
                    let #t = #receiver[#i];
                    #receiver[#i] = #receiver[#j];
                    #receiver[#j] = #t;
                }))
            }
            ("fill", 1) => {
                let (v, k) = (self.fresh("fill"), self.fresh("k"));
                let value = &args[0];
                Some(syn::parse_quote!({
                    let #v = #value;
                    for #k in 0..#receiver.len() {
                        #receiver[#k] = #v;
                    }
                }))
            }
            ("copy_from_slice", 1) => {
                let (s, k) = (self.fresh("source"), self.fresh("k"));
                let source = &args[0];
                Some(syn::parse_quote!({
                    let #s = #source;
                    assert_eq!(#receiver.len(), #s.len(), "copy_from_slice: lengths differ");
                    for #k in 0..#s.len() {
                        #receiver[#k] = #s[#k];
                    }
                }))
            }
            ("extend_from_slice", 1) => {
                let (s, k) = (self.fresh("source"), self.fresh("k"));
                let source = &args[0];
                Some(syn::parse_quote!({
                    let #s = #source;
                    for #k in 0..#s.len() {
                        #receiver.push(#s[#k]);
                    }
                }))
            }
            _ => None,
        }
    }

    /// `let __ad_at = …;`: the position an element access reads.
    fn index(&mut self, array: &syn::Expr, at: &Position) -> Vec<syn::Stmt> {
        match at {
            Position::First => vec![syn::parse_quote!(let __ad_at = 0;)],
            Position::Last => vec![syn::parse_quote!(let __ad_at = #array.len().wrapping_sub(1);)],
            Position::At(i) => vec![syn::parse_quote!(let __ad_at: usize = #i;)],
        }
    }
}

enum Position {
    First,
    Last,
    At(syn::Expr),
}

/// `x.first()`, `x.last()`, `x.get(i)` on a local or parameter `x`, possibly
/// followed by `copied()`/`cloned()` (then the element is by value).
fn element(expr: &syn::Expr) -> Option<(syn::Expr, Position, bool)> {
    let syn::Expr::MethodCall(call) = expr else {
        return None;
    };
    let method = call.method.to_string();
    if (method == "copied" || method == "cloned") && call.args.is_empty() {
        let (array, at, _) = element(&call.receiver)?;
        return Some((array, at, true));
    }
    let at = match (method.as_str(), call.args.len()) {
        ("first", 0) => Position::First,
        ("last", 0) => Position::Last,
        ("get", 1) if !matches!(call.args[0], syn::Expr::Range(_)) => {
            Position::At(call.args[0].clone())
        }
        _ => return None,
    };
    let array = (*call.receiver).clone();
    matches!(array, syn::Expr::Path(_) | syn::Expr::Field(_)).then_some((array, at, false))
}
