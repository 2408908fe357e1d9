//! `match`, as the `if`/`else if` chain it means; the last arm is the final `else`
//! (rustc has checked that the arms are exhaustive), and an arm's guard is `&&`-ed
//! to its test.
//!
//! - On integers and `bool`s (literal, range, constant, `_` and binding patterns):
//!   the scrutinee is bound once and each pattern becomes a test of it (`==`, range
//!   bounds, `||` for `|`), so the scrutinee may be a differentiable float.
//! - Any other pattern (`Op::Add`, `Some(v)`, `Ok(i) | Err(i)`, nested ones; issue
//!   16): the scrutinee is a constant, and every arm's test is
//!   `matches!(s, PAT)`, and each name the pattern binds is
//!   `let v = match s { PAT => v, _ => unreachable!() };`, before the guard and the
//!   body. Lowering runs both as written (constant expressions), so no `==` is
//!   needed (an enum without `PartialEq` works), while the body is differentiated
//!   as usual.

use super::Desugar;
use quote::quote;

impl Desugar<'_> {
    pub(super) fn match_chain(&mut self, expr: &syn::ExprMatch) -> Option<syn::Expr> {
        if expr.arms.iter().any(|arm| !is_simple(&arm.pat)) {
            return self.matches_chain(expr);
        }
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

    /// A `match` with patterns other than literals, as `matches!` tests and
    /// bindings taken out by a `match` each (see the module comment).
    fn matches_chain(&mut self, expr: &syn::ExprMatch) -> Option<syn::Expr> {
        // A place (`op`, `self.kind`) is matched where it is, so a scrutinee that is
        // not `Copy` is not moved; anything else is evaluated once.
        let (setup, scrutinee) = if is_place(&expr.expr) {
            (quote!(), (*expr.expr).clone())
        } else {
            let name = self.fresh("scrutinee");
            let scrutinee = &expr.expr;
            (quote!(let #name = #scrutinee;), syn::parse_quote!(#name))
        };
        let Some((last, arms)) = expr.arms.split_last() else {
            self.ctxt
                .error_spanned_by(expr, "a `match` with no arms has no value");
            return None;
        };
        let mut chain = self.complex_arm_body(last, &scrutinee);
        for arm in arms.iter().rev() {
            let pat = &arm.pat;
            let test = match pat {
                syn::Pat::Wild(_) => quote!(true),
                syn::Pat::Ident(binding)
                    if binding.subpat.is_none() && !names_constant(&binding.ident) =>
                {
                    quote!(true)
                }
                _ => quote!(::core::matches!(#scrutinee, #pat)),
            };
            let test = match &arm.guard {
                Some((_, guard)) => {
                    let lets = self.binding_lets(pat, &scrutinee);
                    quote!((#test) && ({ #lets #guard }))
                }
                None => test,
            };
            let body = self.complex_arm_body(arm, &scrutinee);
            chain = quote!(if #test { #body } else { #chain });
        }
        match syn::parse2(quote!({ #setup #chain })) {
            Ok(chain) => Some(chain),
            Err(error) => {
                self.ctxt.push(error);
                None
            }
        }
    }

    /// `let v = match s { PAT => v, _ => unreachable!() };` for each name `pat`
    /// binds, through fresh names so that a name the pattern binds may also be the
    /// scrutinee's; a plain binding (`n => …`) is the scrutinee itself.
    fn binding_lets(&mut self, pat: &syn::Pat, scrutinee: &syn::Expr) -> proc_macro2::TokenStream {
        if let syn::Pat::Ident(binding) = pat {
            if binding.subpat.is_none() && !names_constant(&binding.ident) {
                let ident = &binding.ident;
                return quote!(let #ident = #scrutinee;);
            }
        }
        let mut names = Vec::new();
        bound_names(pat, &mut names);
        let fresh: Vec<_> = names.iter().map(|_| self.fresh("bound")).collect();
        quote! {
            #(let #fresh = match #scrutinee { #pat => #names, _ => ::core::unreachable!() };)*
            #(let #names = #fresh;)*
        }
    }

    /// An arm's body after the names its pattern binds.
    fn complex_arm_body(
        &mut self,
        arm: &syn::Arm,
        scrutinee: &syn::Expr,
    ) -> proc_macro2::TokenStream {
        let lets = self.binding_lets(&arm.pat, scrutinee);
        let body = &arm.body;
        quote!(#lets #body)
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

/// A pattern the `==` chain tests: literals, ranges, constants, `_`, a binding.
fn is_simple(pat: &syn::Pat) -> bool {
    match pat {
        syn::Pat::Wild(_) | syn::Pat::Lit(_) | syn::Pat::Range(_) => true,
        syn::Pat::Ident(binding) => binding.subpat.is_none() && binding.by_ref.is_none(),
        syn::Pat::Or(or) => or.cases.iter().all(is_simple),
        syn::Pat::Paren(paren) => is_simple(&paren.pat),
        _ => false,
    }
}

/// `op`, `self.kind`, `cfg.mode.0`: an expression that names a place (or a tuple
/// of them, which lowering then sees whole).
fn is_place(expr: &syn::Expr) -> bool {
    match expr {
        syn::Expr::Tuple(tuple) => tuple.elems.iter().all(is_place),
        syn::Expr::Path(path) => path.qself.is_none() && path.path.get_ident().is_some(),
        syn::Expr::Field(field) => is_place(&field.base),
        syn::Expr::Paren(paren) => is_place(&paren.expr),
        _ => false,
    }
}

/// The names `pat` binds, each once, in order (the cases of `|` bind the same).
fn bound_names(pat: &syn::Pat, names: &mut Vec<syn::Ident>) {
    match pat {
        syn::Pat::Ident(binding) => {
            if !names_constant(&binding.ident) && !names.contains(&binding.ident) {
                names.push(binding.ident.clone());
            }
            if let Some((_, sub)) = &binding.subpat {
                bound_names(sub, names);
            }
        }
        syn::Pat::Or(or) => {
            if let Some(first) = or.cases.first() {
                bound_names(first, names);
            }
        }
        syn::Pat::Paren(inner) => bound_names(&inner.pat, names),
        syn::Pat::Reference(inner) => bound_names(&inner.pat, names),
        syn::Pat::Type(inner) => bound_names(&inner.pat, names),
        syn::Pat::Tuple(tuple) => tuple.elems.iter().for_each(|p| bound_names(p, names)),
        syn::Pat::TupleStruct(tuple) => tuple.elems.iter().for_each(|p| bound_names(p, names)),
        syn::Pat::Slice(slice) => slice.elems.iter().for_each(|p| bound_names(p, names)),
        syn::Pat::Struct(fields) => fields
            .fields
            .iter()
            .for_each(|field| bound_names(&field.pat, names)),
        _ => {}
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
    fn other_patterns_become_matches_tests_and_taken_out_bindings() {
        let out = desugared(syn::parse_quote!({
            match op {
                Op::Add => x,
                Some(Op::Scale(k)) if k > 1.0 => k * x,
                _ => y,
            }
        }));
        let expected = tokens(syn::parse_quote!({
            {
                if ::core::matches!(op, Op::Add) {
                    x
                } else {
                    if (::core::matches!(op, Some(Op::Scale(k))))
                        && ({
                            let __ad_bound1 = match op {
                                Some(Op::Scale(k)) => k,
                                _ => ::core::unreachable!(),
                            };
                            let k = __ad_bound1;
                            k > 1.0
                        })
                    {
                        let __ad_bound2 = match op {
                            Some(Op::Scale(k)) => k,
                            _ => ::core::unreachable!(),
                        };
                        let k = __ad_bound2;
                        k * x
                    } else {
                        y
                    }
                }
            }
        }))
        // rustfmt puts a comma after the last arm, which the rewrite has none of.
        .replace("() , }", "() }");
        assert_eq!(out, expected);
    }
}
