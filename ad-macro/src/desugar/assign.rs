//! Parallel assignment, `(a, b) = (b, a + b);` and `[u, v] = [v, u];`: every
//! right-hand side is evaluated before any target changes, as Rust does.

/// `(a, b) = (e1, e2)` → `{ let __ad_next_a = e1; let __ad_next_b = e2; a = __ad_next_a; b = __ad_next_b; }`,
/// with `_` targets evaluated and dropped. Targets must be distinct places that
/// lowering can assign (it reports the others).
pub(super) fn parallel_assignment(expr: &syn::Expr) -> Option<syn::Expr> {
    let syn::Expr::Assign(assign) = expr else {
        return None;
    };
    let (targets, values) = match (&*assign.left, &*assign.right) {
        (syn::Expr::Tuple(left), syn::Expr::Tuple(right)) => (&left.elems, &right.elems),
        (syn::Expr::Array(left), syn::Expr::Array(right)) => (&left.elems, &right.elems),
        _ => return None,
    };
    if targets.len() != values.len() {
        return None;
    }
    let mut lets = Vec::new();
    let mut assigns = Vec::new();
    for (k, (target, value)) in targets.iter().zip(values).enumerate() {
        if matches!(target, syn::Expr::Infer(_)) {
            lets.push(quote::quote!(let _ = #value;));
            continue;
        }
        let temporary = quote::format_ident!("__ad_next_{}", target_name(target, k));
        lets.push(quote::quote!(let #temporary = #value;));
        assigns.push(quote::quote!(#target = #temporary;));
    }
    Some(syn::parse_quote!({ #(#lets)* #(#assigns)* }))
}

/// A name for the temporary holding a target's next value: the local's own name
/// when the target is a local, so the generated code still reads `a`, `b`.
fn target_name(target: &syn::Expr, position: usize) -> String {
    match target {
        syn::Expr::Path(path) => match path.path.get_ident() {
            Some(ident) => ident.to_string(),
            None => position.to_string(),
        },
        _ => position.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::desugar::tests::desugared;

    #[test]
    fn a_tuple_assignment_evaluates_every_value_first() {
        let out = desugared(syn::parse_quote!({
            (a, b) = (b, a + b);
        }));
        let expected: syn::Block = syn::parse_quote!({
            {
                let __ad_next_a = b;
                let __ad_next_b = a + b;
                a = __ad_next_a;
                b = __ad_next_b;
            };
        });
        assert_eq!(
            out,
            quote::ToTokens::into_token_stream(expected).to_string()
        );
    }

    #[test]
    fn an_array_swap_and_a_wildcard() {
        let out = desugared(syn::parse_quote!({
            [u, _] = [v, f(u)];
        }));
        let expected: syn::Block = syn::parse_quote!({
            {
                let __ad_next_u = v;
                let _ = f(u);
                u = __ad_next_u;
            };
        });
        assert_eq!(
            out,
            quote::ToTokens::into_token_stream(expected).to_string()
        );
    }

    #[test]
    fn nested_in_a_loop_and_other_assignments_untouched() {
        let out = desugared(syn::parse_quote!({
            for i in 0..n {
                (a, b) = (b, a);
                x = (y, z);
            }
        }));
        assert!(out.contains("let __ad_next_a = b"), "{out}");
        assert!(out.contains("x = (y , z)"), "{out}");
    }
}
