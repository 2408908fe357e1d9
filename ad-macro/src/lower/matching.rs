//! `match` on integers and `bool`s, lowered as the `if`/`else if` chain it means:
//! each arm's pattern becomes a test of the scrutinee (`==`, range bounds, `||` for
//! `|`), the arm's guard is `&&`-ed to it, and the last arm is the final `else`
//! (rustc has checked that the arms are exhaustive).

use super::Lowerer;
use crate::ir::Value;
use quote::{format_ident, quote};

impl Lowerer<'_> {
    pub(super) fn lower_match(&mut self, expr: &syn::ExprMatch) -> Option<Value> {
        let scrutinee = self.value_of(&expr.expr);
        let name = format_ident!("__ad_scrutinee{}", self.next_id);
        self.next_id += 1;
        let mut tests = Vec::new();
        for arm in &expr.arms {
            let test = self.pattern_test(&arm.pat, &name)?;
            tests.push(match (&arm.guard, &arm.pat) {
                (Some((_, guard)), syn::Pat::Ident(binding)) if !names_constant(&binding.ident) => {
                    let ident = &binding.ident;
                    quote!((#test) && ({ let #ident = #name; #guard }))
                }
                (Some((_, guard)), _) => quote!((#test) && (#guard)),
                (None, _) => test,
            });
        }
        let Some((last, arms)) = expr.arms.split_last() else {
            self.error(expr, "a `match` with no arms has no value");
            return None;
        };
        let mut chain = arm_body(last, &name);
        for (arm, test) in arms.iter().zip(&tests).rev() {
            let body = arm_body(arm, &name);
            chain = quote!(if #test { #body } else { #chain });
        }
        let chain: syn::Expr = match syn::parse2(quote!({ #chain })) {
            Ok(chain) => chain,
            Err(error) => {
                self.ctxt.push(error);
                return None;
            }
        };
        self.scopes.open();
        self.scopes.bind(name.to_string(), scrutinee);
        let value = self.lower_expr(&chain);
        self.scopes.close();
        value
    }

    /// The test that `pat` matches the scrutinee named `name`.
    fn pattern_test(
        &mut self,
        pat: &syn::Pat,
        name: &syn::Ident,
    ) -> Option<proc_macro2::TokenStream> {
        Some(match pat {
            syn::Pat::Wild(_) => quote!(true),
            // Rust resolves `SEVEN` to a constant (or unit variant) in scope and `n` to a
            // new binding; without name resolution, the naming convention tells them apart.
            syn::Pat::Ident(binding) if names_constant(&binding.ident) => {
                let constant = &binding.ident;
                quote!(#name == #constant)
            }
            syn::Pat::Ident(binding) if binding.subpat.is_none() && binding.by_ref.is_none() => {
                quote!(true)
            }
            syn::Pat::Lit(lit) => quote!(#name == #lit),
            syn::Pat::Path(path) => quote!(#name == #path),
            syn::Pat::Range(range) => {
                let lower = range.start.as_ref().map(|start| quote!(#name >= #start));
                let upper = range.end.as_ref().map(|end| match range.limits {
                    syn::RangeLimits::Closed(_) => quote!(#name <= #end),
                    syn::RangeLimits::HalfOpen(_) => quote!(#name < #end),
                });
                match (lower, upper) {
                    (Some(lower), Some(upper)) => quote!((#lower && #upper)),
                    (Some(bound), None) | (None, Some(bound)) => bound,
                    (None, None) => quote!(true),
                }
            }
            syn::Pat::Or(or) => {
                let cases: Option<Vec<_>> = or
                    .cases
                    .iter()
                    .map(|case| self.pattern_test(case, name))
                    .collect();
                let cases = cases?;
                quote!((#(#cases)||*))
            }
            syn::Pat::Paren(paren) => self.pattern_test(&paren.pat, name)?,
            other => {
                self.error(
                    other,
                    "this pattern is not supported in a #[differentiate] `match`; \
                     supported: literals, ranges (`1..=3`), constants, `|`, `_` and a binding name",
                );
                return None;
            }
        })
    }
}

fn names_constant(ident: &syn::Ident) -> bool {
    ident
        .to_string()
        .trim_start_matches("r#")
        .starts_with(|c: char| c.is_ascii_uppercase())
}

/// An arm's body, with the arm's binding (`n => …`) bound to the scrutinee.
fn arm_body(arm: &syn::Arm, name: &syn::Ident) -> proc_macro2::TokenStream {
    let body = &arm.body;
    match &arm.pat {
        syn::Pat::Ident(binding)
            if binding.subpat.is_none()
                && binding.by_ref.is_none()
                && !names_constant(&binding.ident) =>
        {
            let ident = &binding.ident;
            quote!(let #ident = #name; #body)
        }
        _ => quote!(#body),
    }
}
