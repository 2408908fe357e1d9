//! Scalar replacement of tuple and small-struct values (issue 16, items 2 and 3):
//! a local holding a tuple `(x, y)`, a struct literal `State { x, v }` or a tuple
//! struct `P(a, b)` becomes one local per element, so that lowering, the adjoint
//! and forward mode only ever see floats.
//!
//! - `let p = (x, y);` → `let mut __ad_p_0_1 = x; let mut __ad_p_1_2 = y;`, and
//!   `p.0` reads the first; `p = (s, t)` is a parallel assignment of the elements;
//!   `State { x: e, ..s }` takes the fields it does not name from `s`'s elements.
//! - A tuple or struct value from an `if`, a `match` or a block, bound by a tuple
//!   pattern or to a name (`let (a, b) = if c { (x, y) } else { (y, x) };`): one
//!   local per element is declared first and each branch's tail assigns them.
//! - A bare read of such a local (`let q = p;`, `let (a, b) = p;`, a branch's tail)
//!   is the literal of its elements. A local that is passed whole to a function,
//!   borrowed, used as a method's receiver or named in a macro is left as it was: a
//!   struct of constants with methods (an RNG) still runs in the forward sweep, and
//!   one of differentiable floats gets lowering's error at its literal.
//!
//! This runs top-down over the body before the other rewrites, so a local's
//! elements are known wherever it is read, also in nested blocks and loops.

use super::assign::parallel_assignment;
use crate::ctxt::Ctxt;
use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;

/// Rewrites `block`'s tuple and struct locals into one local per element.
pub(super) fn scalar_replace(block: &mut syn::Block, ctxt: &Ctxt) {
    Scalar {
        ctxt,
        next_id: 0,
        records: Vec::new(),
    }
    .visit_block_mut(block);
}

struct Scalar<'c> {
    ctxt: &'c Ctxt,
    next_id: usize,
    /// The locals in scope that were replaced, innermost last; a `None` shape is
    /// a later binding of the same name that hides the replaced one.
    records: Vec<(String, Option<Record>)>,
}

#[derive(Clone)]
struct Record {
    shape: Shape,
    /// Each element's member (`0`, `x`) and the local holding it.
    fields: Vec<(syn::Member, syn::Ident)>,
}

#[derive(Clone)]
enum Shape {
    Tuple,
    Struct(syn::Path),
    TupleStruct(syn::Path),
}

const TAKES_APART: &str = "supported: a tuple `(a, b)`, a struct literal `S { x, v }` or \
    `P(a, b)`, a local holding one, or an `if`, `match` or block ending in one in each branch";

impl Scalar<'_> {
    fn record(&self, expr: &syn::Expr) -> Option<&Record> {
        let syn::Expr::Path(path) = expr else {
            return None;
        };
        let ident = path.path.get_ident().filter(|_| path.qself.is_none())?;
        let name = ident.to_string();
        self.records
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .and_then(|(_, record)| record.as_ref())
    }

    fn hide(&mut self, pat: &syn::Pat) {
        let mut names = Vec::new();
        pat_idents(pat, &mut names);
        for name in names {
            self.records.push((name, None));
        }
    }

    fn fresh(&mut self, base: &str, member: &syn::Member) -> syn::Ident {
        self.next_id += 1;
        let member = match member {
            syn::Member::Named(ident) => ident.to_string(),
            syn::Member::Unnamed(index) => index.index.to_string(),
        };
        format_ident!(
            "__ad_{}_{}_{}",
            base.trim_start_matches('_'),
            member,
            self.next_id
        )
    }

    /// `let` statements that replace `local`, or `None` to keep it.
    fn replace_local(&mut self, local: &syn::Local, rest: &[syn::Stmt]) -> Option<Vec<syn::Stmt>> {
        let init = local.init.as_ref().filter(|init| init.diverge.is_none())?;
        let pat = match &local.pat {
            syn::Pat::Type(typed) => &*typed.pat,
            pat => pat,
        };
        match pat {
            syn::Pat::Ident(ident)
                if ident.by_ref.is_none()
                    && ident.subpat.is_none()
                    && !used_whole(&ident.ident, rest) =>
            {
                let name = ident.ident.to_string();
                if let Some((shape, members, values)) = literal(&init.expr) {
                    let mut stmts = Vec::new();
                    let mut fields = Vec::new();
                    for (member, value) in members.into_iter().zip(values) {
                        let local = self.fresh(&name, &member);
                        stmts.push(syn::parse_quote!(let mut #local = #value;));
                        fields.push((member, local));
                    }
                    self.records.push((name, Some(Record { shape, fields })));
                    return Some(stmts);
                }
                if !is_branching(&init.expr) {
                    return None;
                }
                let (shape, members) = tail_shape(&init.expr)?;
                let fields: Vec<_> = members
                    .into_iter()
                    .map(|member| {
                        let local = self.fresh(&name, &member);
                        (member, local)
                    })
                    .collect();
                let stmts = self.assign_branches(&init.expr, &fields);
                self.records.push((name, Some(Record { shape, fields })));
                Some(stmts)
            }
            syn::Pat::Tuple(tuple) if is_branching(&init.expr) => {
                let fields: Vec<_> = (0..tuple.elems.len())
                    .map(|k| {
                        let member = syn::Member::Unnamed(syn::Index::from(k));
                        let local = self.fresh("tuple", &member);
                        (member, local)
                    })
                    .collect();
                let mut stmts = self.assign_branches(&init.expr, &fields);
                for (pat, (_, local)) in tuple.elems.iter().zip(&fields) {
                    if !matches!(pat, syn::Pat::Wild(_)) {
                        stmts.push(syn::parse_quote!(let #pat = #local;));
                    }
                }
                self.hide(&local.pat);
                Some(stmts)
            }
            _ => None,
        }
    }

    /// `let mut` per element, then `expr` with each branch's tail assigning them.
    fn assign_branches(
        &mut self,
        expr: &syn::Expr,
        fields: &[(syn::Member, syn::Ident)],
    ) -> Vec<syn::Stmt> {
        // Never read: every branch that does not leave early assigns the element,
        // and lowering gives one that does a placeholder of the others' type.
        let mut stmts: Vec<syn::Stmt> = fields
            .iter()
            .map(|(_, local)| syn::parse_quote!(let mut #local = __ad_unset;))
            .collect();
        let mut expr = expr.clone();
        self.assign_tails(&mut expr, fields);
        stmts.push(syn::Stmt::Expr(expr, Some(Default::default())));
        stmts
    }

    /// Rewrites the value `expr` yields into assignments of `fields`.
    fn assign_tails(&mut self, expr: &mut syn::Expr, fields: &[(syn::Member, syn::Ident)]) {
        match expr {
            syn::Expr::If(choice) => {
                self.assign_block(&mut choice.then_branch, fields);
                match &mut choice.else_branch {
                    Some((_, otherwise)) => self.assign_tails(otherwise, fields),
                    None => self.ctxt.error_spanned_by(
                        &*choice,
                        format!(
                            "an `if` that yields a tuple or struct needs an `else`; {TAKES_APART}"
                        ),
                    ),
                }
            }
            syn::Expr::Block(block) if block.label.is_none() => {
                self.assign_block(&mut block.block, fields);
            }
            syn::Expr::Match(choice) => {
                for arm in &mut choice.arms {
                    self.assign_tails(&mut arm.body, fields);
                }
            }
            syn::Expr::Paren(paren) => self.assign_tails(&mut paren.expr, fields),
            // Leaves early: assigns nothing.
            syn::Expr::Return(_)
            | syn::Expr::Break(_)
            | syn::Expr::Continue(_)
            | syn::Expr::Macro(_) => {}
            value => {
                let Some((_, members, values)) = literal(value) else {
                    self.ctxt.error_spanned_by(
                        &*value,
                        format!(
                            "this tuple or struct value cannot be taken apart in a \
                             #[differentiate] function; {TAKES_APART}"
                        ),
                    );
                    return;
                };
                let mut targets = Vec::new();
                for (member, local) in fields {
                    match members.iter().position(|m| m == member) {
                        Some(k) => targets.push((local, &values[k])),
                        None => {
                            self.ctxt.error_spanned_by(
                                &*value,
                                "this value does not have the fields of the others; \
                                 every branch must yield the same tuple or struct",
                            );
                            return;
                        }
                    }
                }
                let (left, right): (Vec<_>, Vec<_>) = targets
                    .iter()
                    .map(|(target, value)| (quote!(#target), quote!(#value)))
                    .unzip();
                let assign: syn::Expr = syn::parse_quote!((#(#left,)*) = (#(#right,)*));
                if let Some(parallel) = parallel_assignment(&assign) {
                    *value = parallel;
                }
            }
        }
    }

    fn assign_block(&mut self, block: &mut syn::Block, fields: &[(syn::Member, syn::Ident)]) {
        if let Some(syn::Stmt::Expr(tail, semi @ None)) = block.stmts.last_mut() {
            self.assign_tails(tail, fields);
            *semi = Some(Default::default());
        }
    }
}

impl VisitMut for Scalar<'_> {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        let depth = self.records.len();
        let stmts = std::mem::take(&mut block.stmts);
        for k in 0..stmts.len() {
            let (done, rest) = stmts.split_at(k + 1);
            let mut stmt = done[k].clone();
            self.visit_stmt_mut(&mut stmt);
            if let syn::Stmt::Local(local) = &stmt {
                if let Some(lets) = self.replace_local(local, rest) {
                    block.stmts.extend(lets);
                    continue;
                }
                self.hide(&local.pat);
            }
            block.stmts.push(stmt);
        }
        self.records.truncate(depth);
    }

    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        match expr {
            syn::Expr::Field(field) => {
                if let Some(record) = self.record(&field.base) {
                    if let Some((_, local)) = record.fields.iter().find(|(m, _)| *m == field.member)
                    {
                        *expr = syn::parse_quote!(#local);
                        return;
                    }
                }
            }
            syn::Expr::Assign(assign) => {
                if let Some(record) = self.record(&assign.left).cloned() {
                    self.visit_expr_mut(&mut assign.right);
                    let mut right = (*assign.right).clone();
                    self.assign_tails(&mut right, &record.fields);
                    *expr = right;
                    return;
                }
            }
            syn::Expr::Path(_) => {
                if let Some(record) = self.record(expr) {
                    *expr = record.literal();
                }
                return;
            }
            syn::Expr::Struct(literal) => {
                if let Some(rest) = &literal.rest {
                    if let Some(record) = self.record(rest).cloned() {
                        for (member, local) in &record.fields {
                            if !literal.fields.iter().any(|f| f.member == *member) {
                                literal.fields.push(syn::parse_quote!(#member: #local));
                            }
                        }
                        literal.rest = None;
                        literal.dot2_token = None;
                        if !literal.fields.empty_or_trailing() {
                            literal.fields.push_punct(Default::default());
                        }
                    }
                }
            }
            syn::Expr::Closure(closure) => {
                let depth = self.records.len();
                for input in &closure.inputs {
                    self.hide(input);
                }
                self.visit_expr_mut(&mut closure.body);
                self.records.truncate(depth);
                return;
            }
            syn::Expr::ForLoop(for_loop) => {
                self.visit_expr_mut(&mut for_loop.expr);
                let depth = self.records.len();
                self.hide(&for_loop.pat);
                self.visit_block_mut(&mut for_loop.body);
                self.records.truncate(depth);
                return;
            }
            _ => {}
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }

    fn visit_arm_mut(&mut self, arm: &mut syn::Arm) {
        let depth = self.records.len();
        self.hide(&arm.pat);
        syn::visit_mut::visit_arm_mut(self, arm);
        self.records.truncate(depth);
    }

    // Macros are left as written: an observing macro reads what the user named.
    fn visit_macro_mut(&mut self, _: &mut syn::Macro) {}
}

impl Record {
    /// The value of the whole local, built from its elements.
    fn literal(&self) -> syn::Expr {
        let locals = self.fields.iter().map(|(_, local)| local);
        match &self.shape {
            Shape::Tuple => syn::parse_quote!((#(#locals,)*)),
            Shape::TupleStruct(path) => syn::parse_quote!(#path(#(#locals),*)),
            Shape::Struct(path) => {
                let members = self.fields.iter().map(|(member, _)| member);
                syn::parse_quote!(#path { #(#members: #locals),* })
            }
        }
    }
}

/// Whether a statement of `rest` uses the local `name` as one value: an argument, a
/// receiver, a borrow, or in a macro's tokens.
fn used_whole(name: &syn::Ident, rest: &[syn::Stmt]) -> bool {
    struct Whole<'a> {
        name: &'a syn::Ident,
        found: bool,
    }
    impl Whole<'_> {
        fn check(&mut self, expr: &syn::Expr) {
            if let syn::Expr::Path(path) = expr {
                self.found |= path.qself.is_none() && path.path.is_ident(self.name);
            }
        }
    }
    impl<'ast> syn::visit::Visit<'ast> for Whole<'_> {
        fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
            call.args.iter().for_each(|arg| self.check(arg));
            syn::visit::visit_expr_call(self, call);
        }
        fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
            self.check(&call.receiver);
            call.args.iter().for_each(|arg| self.check(arg));
            syn::visit::visit_expr_method_call(self, call);
        }
        fn visit_expr_reference(&mut self, reference: &'ast syn::ExprReference) {
            self.check(&reference.expr);
            syn::visit::visit_expr_reference(self, reference);
        }
        fn visit_expr_return(&mut self, ret: &'ast syn::ExprReturn) {
            if let Some(value) = &ret.expr {
                self.check(value);
            }
            syn::visit::visit_expr_return(self, ret);
        }
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            fn mentions(tokens: proc_macro2::TokenStream, name: &syn::Ident) -> bool {
                tokens.into_iter().any(|token| match token {
                    proc_macro2::TokenTree::Ident(ident) => ident == *name,
                    proc_macro2::TokenTree::Group(group) => mentions(group.stream(), name),
                    // `{p:?}` in a format string.
                    proc_macro2::TokenTree::Literal(lit) => {
                        lit.to_string().contains(&format!("{{{name}"))
                    }
                    proc_macro2::TokenTree::Punct(_) => false,
                })
            }
            self.found |= mentions(mac.tokens.clone(), self.name);
        }
    }
    let mut whole = Whole { name, found: false };
    rest.iter()
        .for_each(|stmt| syn::visit::Visit::visit_stmt(&mut whole, stmt));
    whole.found
}

/// A tuple, a struct literal without `..`, or a tuple struct `P(a, b)` (a call of
/// a capitalised name that is not `Some`, `Ok` or `Err`): its shape, members and values.
fn literal(expr: &syn::Expr) -> Option<(Shape, Vec<syn::Member>, Vec<syn::Expr>)> {
    match expr {
        syn::Expr::Paren(paren) => literal(&paren.expr),
        syn::Expr::Tuple(tuple) if !tuple.elems.is_empty() => Some((
            Shape::Tuple,
            (0..tuple.elems.len())
                .map(|k| syn::Member::Unnamed(syn::Index::from(k)))
                .collect(),
            tuple.elems.iter().cloned().collect(),
        )),
        syn::Expr::Struct(literal) if literal.rest.is_none() && literal.qself.is_none() => Some((
            Shape::Struct(literal.path.clone()),
            literal.fields.iter().map(|f| f.member.clone()).collect(),
            literal.fields.iter().map(|f| f.expr.clone()).collect(),
        )),
        syn::Expr::Call(call) if !call.args.is_empty() => {
            let syn::Expr::Path(path) = &*call.func else {
                return None;
            };
            let ident = path.path.get_ident().filter(|_| path.qself.is_none())?;
            let name = ident.to_string();
            let capitalised = name.chars().next().is_some_and(char::is_uppercase);
            if !capitalised || ["Some", "Ok", "Err"].contains(&name.as_str()) {
                return None;
            }
            Some((
                Shape::TupleStruct(path.path.clone()),
                (0..call.args.len())
                    .map(|k| syn::Member::Unnamed(syn::Index::from(k)))
                    .collect(),
                call.args.iter().cloned().collect(),
            ))
        }
        _ => None,
    }
}

fn is_branching(expr: &syn::Expr) -> bool {
    match expr {
        syn::Expr::Paren(paren) => is_branching(&paren.expr),
        syn::Expr::If(_) | syn::Expr::Match(_) => true,
        syn::Expr::Block(block) => block.label.is_none(),
        _ => false,
    }
}

/// The shape of the first literal a branch of `expr` yields.
fn tail_shape(expr: &syn::Expr) -> Option<(Shape, Vec<syn::Member>)> {
    let block_tail = |block: &syn::Block| match block.stmts.last() {
        Some(syn::Stmt::Expr(tail, None)) => tail_shape(tail),
        _ => None,
    };
    match expr {
        syn::Expr::If(choice) => block_tail(&choice.then_branch).or_else(|| {
            choice
                .else_branch
                .as_ref()
                .and_then(|(_, otherwise)| tail_shape(otherwise))
        }),
        syn::Expr::Block(block) => block_tail(&block.block),
        syn::Expr::Match(choice) => choice.arms.iter().find_map(|arm| tail_shape(&arm.body)),
        syn::Expr::Paren(paren) => tail_shape(&paren.expr),
        expr => literal(expr).map(|(shape, members, _)| (shape, members)),
    }
}

/// The names a pattern binds.
fn pat_idents(pat: &syn::Pat, names: &mut Vec<String>) {
    struct Names<'a>(&'a mut Vec<String>);
    impl syn::visit::Visit<'_> for Names<'_> {
        fn visit_pat_ident(&mut self, pat: &syn::PatIdent) {
            self.0.push(pat.ident.to_string());
            syn::visit::visit_pat_ident(self, pat);
        }
    }
    syn::visit::Visit::visit_pat(&mut Names(names), pat);
}

#[cfg(test)]
mod tests {
    use crate::desugar::tests::desugared;

    #[test]
    fn a_tuple_local_is_one_local_per_element() {
        let out = desugared(syn::parse_quote!({
            let mut prev = (x, y);
            for i in 0..n {
                prev = (prev.1, prev.0 * 2.0);
            }
            prev.0 + prev.1
        }));
        assert!(out.contains("let mut __ad_prev_0_1 = x"), "{out}");
        assert!(
            out.contains("let __ad_next___ad_prev_0_1 = __ad_prev_1_2"),
            "{out}"
        );
        assert!(out.contains("__ad_prev_0_1 + __ad_prev_1_2"), "{out}");
    }

    #[test]
    fn a_tuple_from_an_if_is_assigned_in_each_branch() {
        let out = desugared(syn::parse_quote!({
            let (a, b) = if c { (x, y) } else { (y, x) };
            a * b
        }));
        assert!(out.contains("let mut __ad_tuple_0_1 = __ad_unset"), "{out}");
        assert!(out.contains("let a = __ad_tuple_0_1"), "{out}");
        assert!(!out.contains("(x , y)"), "{out}");
    }

    #[test]
    fn a_functional_update_takes_the_other_fields_from_the_local() {
        let out = desugared(syn::parse_quote!({
            let mut s = State { x, v };
            s = State {
                x: s.x + dt * s.v,
                ..s
            };
            s.x
        }));
        assert!(
            out.contains("let __ad_next___ad_s_v_2 = __ad_s_v_2"),
            "{out}"
        );
    }
}
