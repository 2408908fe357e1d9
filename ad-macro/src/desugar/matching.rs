//! `match` on integers and `bool`s, as the `if`/`else if` chain it means: the
//! scrutinee is bound once, each arm's pattern becomes a test of it (`==`, range
//! bounds, `||` for `|`), the arm's guard is `&&`-ed to it, and the last arm is the
//! final `else` (rustc has checked that the arms are exhaustive).

use super::Desugar;
use quote::quote;

impl Desugar<'_> {
    pub(super) fn match_chain(&mut self, expr: &syn::ExprMatch) -> Option<syn::Expr> {
        let name = self.fresh("scrutinee");
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
            self.ctxt
                .error_spanned_by(expr, "a `match` with no arms has no value");
            return None;
        };
        let mut chain = arm_body(last, &name);
        for (arm, test) in arms.iter().zip(&tests).rev() {
            let body = arm_body(arm, &name);
            chain = quote!(if #test { #body } else { #chain });
        }
        let scrutinee = &expr.expr;
        match syn::parse2(quote!({ let #name = #scrutinee; #chain })) {
            Ok(chain) => Some(chain),
            Err(error) => {
                self.ctxt.push(error);
                None
            }
        }
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
                self.ctxt.error_spanned_by(
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

#[cfg(test)]
mod tests {
    use crate::desugar::tests::{desugared, tokens};

    #[test]
    fn arms_become_tests_of_one_scrutinee() {
        let out = desugared(syn::parse_quote!({
            match k % 3 {
                0 => a,
                1 | 2 if flag => b,
                n => c * n,
            }
        }));
        // The test of `1 | 2` keeps its own parentheses, which rustfmt would drop
        // from an expected block written out here.
        let or_test = "((__ad_scrutinee1 == 1 || __ad_scrutinee1 == 2)) && (flag)";
        let expected = tokens(syn::parse_quote!({
            {
                let __ad_scrutinee1 = k % 3;
                if __ad_scrutinee1 == 0 {
                    a
                } else {
                    if OR_TEST {
                        b
                    } else {
                        let n = __ad_scrutinee1;
                        c * n
                    }
                }
            }
        }))
        .replace("OR_TEST", or_test);
        assert_eq!(out, expected);
    }

    #[test]
    fn ranges_constants_and_a_guard_on_a_binding() {
        let out = desugared(syn::parse_quote!({
            match n {
                0..=2 => a,
                LIMIT => b,
                m if m > 10 => c,
                _ => d,
            }
        }));
        assert!(
            out.contains("(__ad_scrutinee1 >= 0 && __ad_scrutinee1 <= 2)"),
            "{out}"
        );
        assert!(out.contains("__ad_scrutinee1 == LIMIT"), "{out}");
        assert!(
            out.contains("(true) && ({ let m = __ad_scrutinee1 ; m > 10 })"),
            "{out}"
        );
    }

    #[test]
    fn an_unsupported_pattern_is_reported_on_the_pattern() {
        let ctxt = crate::ctxt::Ctxt::default();
        let body: syn::Block = syn::parse_quote!({
            match pair {
                (a, b) => a,
            }
        });
        let out = super::super::desugar_block(&body, &ctxt);
        let error = ctxt.check().expect_err("a tuple pattern is reported");
        assert!(error.to_string().contains("this pattern is not supported"));
        // Left as written for lowering, which adds no second error.
        assert!(matches!(
            &out.stmts[0],
            syn::Stmt::Expr(syn::Expr::Match(_), _)
        ));
    }
}
