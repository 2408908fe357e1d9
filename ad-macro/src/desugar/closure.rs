//! A closure bound to a name and called, `let accel = |th: f64| -g / l * th.sin();
//! … accel(theta)`: each call becomes the closure's body with its parameters bound
//! to the arguments, `{ let th: f64 = theta; -g / l * th.sin() }`, and the `let` of
//! the closure goes. The body reads the locals it captures where it is called, which
//! is where it would read them: a closure that borrows a local keeps it from
//! changing until its last call. A `let` between the closure and a call that
//! shadows a name the body reads would change what it reads, so that is reported.

use std::collections::HashSet;

use super::chain::{strip_parens, Elem};
use super::Desugar;
use quote::ToTokens;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

impl Desugar<'_> {
    /// Inlines the closures that `block`'s statements bind to names.
    pub(super) fn inline_closures(&mut self, block: &mut syn::Block) {
        let mut k = 0;
        while k < block.stmts.len() {
            let Some((name, closure)) = named_closure(&block.stmts[k]) else {
                k += 1;
                continue;
            };
            block.stmts.remove(k);
            let reads = names_read(&closure.body);
            let mut shadowing: Option<(String, syn::Pat)> = None;
            for stmt in &mut block.stmts[k..] {
                if let Some((shadowed, pat)) = &shadowing {
                    if calls(stmt, &name) {
                        self.ctxt.error_spanned_by(
                            pat,
                            format!(
                                "this `let` shadows `{shadowed}`, which the closure `{name}` \
                                 reads, before a call of `{name}`; rename one of them"
                            ),
                        );
                        break;
                    }
                }
                Inline {
                    desugar: self,
                    name: &name,
                    closure: &closure,
                }
                .visit_stmt_mut(stmt);
                if let syn::Stmt::Local(local) = stmt {
                    let bound = bound_names(&local.pat);
                    // Calls after a new `let {name}` are not of this closure.
                    if bound.contains(&name) {
                        break;
                    }
                    if let Some(shadowed) = bound.into_iter().find(|b| reads.contains(b)) {
                        shadowing.get_or_insert((shadowed, local.pat.clone()));
                    }
                }
            }
        }
    }
}

/// Whether `stmt` calls or names `name`.
fn calls(stmt: &syn::Stmt, name: &str) -> bool {
    struct Finds<'n>(&'n str, bool);
    impl<'ast> Visit<'ast> for Finds<'_> {
        fn visit_expr_path(&mut self, path: &'ast syn::ExprPath) {
            self.1 |= path.path.is_ident(self.0);
        }
    }
    let mut finds = Finds(name, false);
    finds.visit_stmt(stmt);
    finds.1
}

/// `let name = |…| …;`
fn named_closure(stmt: &syn::Stmt) -> Option<(String, syn::ExprClosure)> {
    let syn::Stmt::Local(local) = stmt else {
        return None;
    };
    let syn::Pat::Ident(ident) = &local.pat else {
        return None;
    };
    let init = local.init.as_ref().filter(|init| init.diverge.is_none())?;
    match strip_parens(&init.expr) {
        syn::Expr::Closure(closure) => Some((ident.ident.to_string(), closure.clone())),
        _ => None,
    }
}

struct Inline<'d, 'c, 'n> {
    desugar: &'d mut Desugar<'c>,
    name: &'n str,
    closure: &'n syn::ExprClosure,
}

impl VisitMut for Inline<'_, '_, '_> {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::Call(call) = expr {
            if is_name(&call.func, self.name) {
                for arg in &mut call.args {
                    self.visit_expr_mut(arg);
                }
            } else {
                syn::visit_mut::visit_expr_mut(self, expr);
            }
        } else {
            syn::visit_mut::visit_expr_mut(self, expr);
        }
        match expr {
            syn::Expr::Call(call) if is_name(&call.func, self.name) => {
                let args = call
                    .args
                    .iter()
                    .map(|arg| Elem::Value(arg.to_token_stream()))
                    .collect();
                let closure = syn::Expr::Closure(self.closure.clone());
                let body = self.desugar.apply(&closure, args);
                *expr = syn::parse_quote!(#body);
            }
            syn::Expr::Path(_) if is_name(expr, self.name) => {
                self.desugar.ctxt.error_spanned_by(
                    &*expr,
                    format!(
                        "a closure bound to a name can only be called (`{}(…)`) in \
                         #[differentiate] functions; pass the values it needs instead, or make \
                         it a #[differentiate] function",
                        self.name
                    ),
                );
            }
            _ => {}
        }
    }
}

fn is_name(expr: &syn::Expr, name: &str) -> bool {
    matches!(strip_parens(expr), syn::Expr::Path(path) if path.path.is_ident(name))
}

/// The single-name paths an expression reads.
fn names_read(expr: &syn::Expr) -> HashSet<String> {
    struct Names(HashSet<String>);
    impl<'ast> Visit<'ast> for Names {
        fn visit_expr_path(&mut self, path: &'ast syn::ExprPath) {
            if let Some(ident) = path.path.get_ident() {
                self.0.insert(ident.to_string());
            }
        }
    }
    let mut names = Names(HashSet::new());
    names.visit_expr(expr);
    names.0
}

/// The names a pattern binds.
fn bound_names(pat: &syn::Pat) -> Vec<String> {
    struct Bound(Vec<String>);
    impl<'ast> Visit<'ast> for Bound {
        fn visit_pat_ident(&mut self, ident: &'ast syn::PatIdent) {
            self.0.push(ident.ident.to_string());
            syn::visit::visit_pat_ident(self, ident);
        }
    }
    let mut bound = Bound(Vec::new());
    bound.visit_pat(pat);
    bound.0
}
