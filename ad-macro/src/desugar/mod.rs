//! Surface desugaring: rewrites of Rust syntax into the smaller language that
//! lowering knows, done on the syn tree before lowering sees it. Each rewrite is a
//! function of its own on one construct, applied bottom-up (a construct's parts are
//! already desugared when it is rewritten). The original function is emitted
//! unchanged, so what is written here only ever feeds the IR.
//!
//! - `assign`: parallel assignment, `(a, b) = (b, a + b);`.
//! - `matching`: `match` on integers and `bool`s, as the `if` chain it means.
//! - `chain`: iterator chains (`x.iter().zip(y).map(|(a, b)| a * b).sum()`, `for`
//!   loops over them, over slices and over windows), as the indexed loops they mean.
//! - `closure`: a closure bound to a name, `let f = |v: f64| v * v;`, inlined where
//!   it is called.
//! - `methods`: `x.first().copied().unwrap()`, `x.get(i).copied().unwrap_or(d)`,
//!   `a.swap(i, j)`, `a.fill(v)`, `a.copy_from_slice(s)`, `a.extend_from_slice(s)`,
//!   as indexing, stores and pushes.
//! - `destructure`: `let [a, b] = x;`, `let &[a, b] = x else { … };`,
//!   `let (s, c) = x.sin_cos();`, as one `let` per name.
//! - `scalar`: tuple and small-struct locals (`let p = (x, y);`, `State { x, v }`,
//!   `P(a, b)`) and tuple values of `if`, `match` and blocks, as one local per
//!   element; runs first, top-down.
//!
//! Names the rewrites introduce start with `__ad_`, which user code does not use.

mod assign;
mod chain;
mod closure;
mod destructure;
mod matching;
mod methods;
mod scalar;

use crate::ast::FnInput;
use crate::ctxt::Ctxt;
use syn::visit_mut::VisitMut;

/// The body of `input` in the core language; unsupported patterns are reported into
/// `ctxt` and their construct is left as it was.
pub fn desugar(input: &FnInput, ctxt: &Ctxt) -> syn::Block {
    let mut block = input.item.block.clone();
    // Functions defined in the body are differentiated on their own and repeated
    // in the generated functions (`expand::nested_fns`); the body only calls them.
    block
        .stmts
        .retain(|stmt| !matches!(stmt, syn::Stmt::Item(syn::Item::Fn(_))));
    crate::fields::rewrite(input, &mut block);
    copy_mut_arrays(input, &mut block);
    desugar_block(&block, ctxt)
}

/// [`desugar`] of a block.
pub fn desugar_block(block: &syn::Block, ctxt: &Ctxt) -> syn::Block {
    let mut block = block.clone();
    scalar::scalar_replace(&mut block, ctxt);
    Desugar {
        ctxt,
        next_id: 0,
        views: Vec::new(),
    }
    .visit_block_mut(&mut block);
    block
}

struct Desugar<'c> {
    ctxt: &'c Ctxt,
    next_id: usize,
    /// Windows (`x.windows(k)`, `x.chunks(k)`) bound to names by the chain being
    /// rewritten, written as parts of their array once it is.
    views: Vec<(String, chain::View)>,
}

impl Desugar<'_> {
    /// A name for a local a rewrite introduces.
    fn fresh(&mut self, what: &str) -> syn::Ident {
        self.next_id += 1;
        quote::format_ident!("__ad_{}{}", what, self.next_id)
    }

    /// `vec![a, b, c]` and `vec![fill; n]`: their expressions are desugared like
    /// any other (found by the random programs: a `match` or an iterator chain in a
    /// `vec!` was not).
    fn vec_elements(&mut self, mac: &mut syn::Macro) {
        let listed = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        if let Ok(mut elems) = syn::parse::Parser::parse2(listed, mac.tokens.clone()) {
            for elem in elems.iter_mut() {
                self.visit_expr_mut(elem);
            }
            mac.tokens = quote::quote!(#elems);
            return;
        }
        let filled = |input: syn::parse::ParseStream| {
            let fill: syn::Expr = input.parse()?;
            let semi: syn::Token![;] = input.parse()?;
            let len: syn::Expr = input.parse()?;
            Ok((fill, semi, len))
        };
        if let Ok((mut fill, semi, mut len)) =
            syn::parse::Parser::parse2(filled, mac.tokens.clone())
        {
            self.visit_expr_mut(&mut fill);
            self.visit_expr_mut(&mut len);
            mac.tokens = quote::quote!(#fill #semi #len);
        }
    }
}

impl VisitMut for Desugar<'_> {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::Macro(mac) = expr {
            if mac.mac.path.is_ident("vec") {
                self.vec_elements(&mut mac.mac);
                return;
            }
        }
        syn::visit_mut::visit_expr_mut(self, expr);
        let rewritten = match expr {
            syn::Expr::Assign(_) => assign::parallel_assignment(expr),
            syn::Expr::Match(choice) => self.match_chain(choice),
            syn::Expr::ForLoop(for_loop) => self.chain_loop(for_loop),
            syn::Expr::MethodCall(call) => {
                self.consumer(call).or_else(|| self.element_method(call))
            }
            _ => None,
        };
        if let Some(mut rewritten) = rewritten {
            let views = std::mem::take(&mut self.views);
            if !views.is_empty() {
                chain::substitute_views(&mut rewritten, &views, self.ctxt);
            }
            UnneededParens.visit_expr_mut(&mut rewritten);
            *expr = respan_generated(&rewritten, syn::spanned::Spanned::span(&*expr));
        }
    }

    /// `let total: usize = idx.iter().sum();`: the sum starts from an integer.
    fn visit_local_mut(&mut self, local: &mut syn::Local) {
        if let (syn::Pat::Type(typed), Some(init)) = (&local.pat, &mut local.init) {
            if let syn::Expr::MethodCall(call) = &mut *init.expr {
                let ty = &typed.ty;
                if (call.method == "sum" || call.method == "product") && call.turbofish.is_none() {
                    call.turbofish = Some(syn::parse_quote!(::<#ty>));
                }
            }
        }
        syn::visit_mut::visit_local_mut(self, local);
    }

    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        syn::visit_mut::visit_block_mut(self, block);
        self.destructure(block);
        self.inline_closures(block);
    }
}

/// `mut a: [f64; 3]`, `mut v: Vec<f64>`: the body writes a copy of the parameter,
/// a buffer grown from its elements, so that the parameter itself (whose elements
/// the reverse sweep reads back, and whose adjoint is the caller's buffer) is
/// never written.
fn copy_mut_arrays(input: &FnInput, block: &mut syn::Block) {
    let mut copies = Vec::new();
    for param in input.params.iter().filter(|p| p.array.is_some()) {
        let declared_mut = input.item.sig.inputs.iter().any(|arg| {
            matches!(arg, syn::FnArg::Typed(typed)
                if matches!(&*typed.pat, syn::Pat::Ident(pat)
                    if pat.mutability.is_some() && pat.ident == param.ident))
        });
        if !declared_mut {
            continue;
        }
        let name = &param.ident;
        let copy = quote::format_ident!("__ad_copy_{}", name);
        let k = quote::format_ident!("__ad_k_{}", name);
        let stmts: syn::Block = syn::parse_quote!({
            let mut #copy = Vec::with_capacity(#name.len());
            for #k in 0..#name.len() {
                #copy.push(#name[#k]);
            }
            let mut #name = #copy;
        });
        copies.extend(stmts.stmts);
    }
    copies.append(&mut block.stmts);
    block.stmts = copies;
}

/// Drops the parentheses the rewrites put around an index or an argument (`x[(i +
/// n)]`): constant expressions are emitted as written, where rustc would lint them.
struct UnneededParens;

impl VisitMut for UnneededParens {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        let unwrap = |inner: &mut syn::Expr| {
            while let syn::Expr::Paren(paren) = inner {
                *inner = (*paren.expr).clone();
            }
        };
        match expr {
            syn::Expr::Index(index) => unwrap(&mut index.index),
            syn::Expr::Call(call) => call.args.iter_mut().for_each(unwrap),
            syn::Expr::MethodCall(call) => call.args.iter_mut().for_each(unwrap),
            _ => {}
        }
    }

    fn visit_local_mut(&mut self, local: &mut syn::Local) {
        syn::visit_mut::visit_local_mut(self, local);
        if let Some(init) = &mut local.init {
            while let syn::Expr::Paren(paren) = &*init.expr {
                init.expr = paren.expr.clone();
            }
        }
    }
}

/// What a construct whose error desugaring reported becomes: lowering takes it
/// for a value it need not look into, so the one error is the only one.
pub(crate) fn reported() -> syn::Expr {
    syn::parse_quote!(__ad_reported)
}

/// `rewritten` with the tokens the rewrite made (spanned at the macro's call site,
/// the attribute) spanned at `span`, the user's construct: an error about them, or
/// a lint, then points at the code the user wrote. Tokens taken from the user's
/// code keep their own spans.
fn respan_generated(rewritten: &syn::Expr, span: proc_macro2::Span) -> syn::Expr {
    let call_site = format!("{:?}", proc_macro2::Span::call_site());
    let tokens = respan_tokens(
        quote::ToTokens::to_token_stream(rewritten),
        span,
        &call_site,
    );
    syn::parse2(tokens).unwrap_or_else(|_| rewritten.clone())
}

fn respan_tokens(
    tokens: proc_macro2::TokenStream,
    span: proc_macro2::Span,
    call_site: &str,
) -> proc_macro2::TokenStream {
    use proc_macro2::TokenTree;
    tokens
        .into_iter()
        .map(|mut token| {
            if let TokenTree::Group(group) = &token {
                let inner = respan_tokens(group.stream(), span, call_site);
                let mut respanned = proc_macro2::Group::new(group.delimiter(), inner);
                respanned.set_span(group.span());
                token = TokenTree::Group(respanned);
            }
            if format!("{:?}", token.span()) == call_site {
                token.set_span(span);
            }
            token
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use quote::ToTokens;

    /// The desugared `body` as a token string; panics on a reported error.
    pub(crate) fn desugared(body: syn::Block) -> String {
        let ctxt = crate::ctxt::Ctxt::default();
        let out = super::desugar_block(&body, &ctxt)
            .into_token_stream()
            .to_string();
        ctxt.check().expect("no error");
        out
    }

    /// The token string of `block`, to compare with [`desugared`].
    pub(crate) fn tokens(block: syn::Block) -> String {
        block.into_token_stream().to_string()
    }
}
