//! Early exits: `break` (with a value), `continue` and `return` inside branches and
//! loops, lowered to flags so that the IR stays structured.
//!
//! Each is an assignment to a flag local the user cannot name (`#break3`,
//! `#continue3`, `#return`, with the values in `#value3` and `#ret`), threaded
//! through branches and loops like any other local. After a statement that may
//! exit, the rest of the block runs under `if !exiting { … }`. A `for` loop stops
//! at the first iteration that starts with its break flag set; a `while` or `loop`
//! tests the flag before its condition. `return` inside a loop also sets the break
//! flag of every enclosing loop, so one flag per loop says whether to go on.

use super::scope::Slot;
use super::Lowerer;
use crate::ir::{BinOp, Op, SourceSpan, Ty, Value};
use syn::visit::Visit;

/// A loop being lowered: its number, which names its flags, and what its body does.
pub(super) struct Loop {
    id: usize,
    exits: Exits,
    /// Whether it has a break flag (it has a `break` or a `return`, or is a `loop`).
    flagged: bool,
}

impl Loop {
    pub(super) fn flag_slot(&self, lowerer: &Lowerer) -> Option<Slot> {
        if self.flagged {
            lowerer.scopes.slot_of(&break_flag(self.id))
        } else {
            None
        }
    }
}

fn break_flag(id: usize) -> String {
    format!("#break{id}")
}

fn continue_flag(id: usize) -> String {
    format!("#continue{id}")
}

fn break_value(id: usize) -> String {
    format!("#value{id}")
}

const RETURN_FLAG: &str = "#return";
const RETURN_VALUE: &str = "#ret";

impl Lowerer<'_> {
    /// Before lowering a function body: whether it returns from inside a branch or a
    /// loop, which needs the return flags.
    pub(super) fn start_return_flags(&mut self, body: &syn::Block) {
        let nested_return = body.stmts.iter().any(|stmt| {
            let top_level_return = matches!(stmt, syn::Stmt::Expr(syn::Expr::Return(_), _));
            !top_level_return && Exits::of_stmt(stmt).returns
        });
        if nested_return {
            self.return_flags = true;
            let no = self.bool_const(false);
            self.bind_synthetic(RETURN_FLAG, no);
            let placeholder = self.zero_of_return_type();
            self.bind_synthetic(RETURN_VALUE, placeholder);
        }
    }

    /// The function's value when it has return flags: the returned value if a
    /// `return` ran, else the body's tail.
    pub(super) fn finish_return_flags(&mut self, tail: Option<Value>) -> Option<Value> {
        let returned = self.lookup_synthetic(RETURN_VALUE)?;
        let Some(tail) = tail else {
            return Some(returned);
        };
        let flag = self.lookup_synthetic(RETURN_FLAG)?;
        self.branch(
            flag,
            SourceSpan::generated(),
            |_| Some(returned),
            |_| Some(tail),
        )
    }

    /// `return e` under return flags.
    pub(super) fn lower_flagged_return(&mut self, value: Value) {
        self.assign_synthetic(RETURN_VALUE, value);
        let yes = self.bool_const(true);
        self.assign_synthetic(RETURN_FLAG, yes);
        for id in self.loops.clone() {
            self.assign_synthetic(&break_flag(id), yes);
        }
    }

    pub(super) fn lower_break(&mut self, expr: &syn::ExprBreak) -> Option<Value> {
        if let Some(label) = &expr.label {
            self.error(label, "labelled `break` is not supported yet; use a flag variable and an unlabelled `break`");
            return None;
        }
        let Some(&id) = self.loops.last() else {
            self.error(expr, "`break` outside a loop");
            return None;
        };
        if let Some(value) = &expr.expr {
            let value = self.value_of(value);
            self.assign_synthetic(&break_value(id), value);
        }
        let yes = self.bool_const(true);
        self.assign_synthetic(&break_flag(id), yes);
        None
    }

    pub(super) fn lower_continue(&mut self, expr: &syn::ExprContinue) -> Option<Value> {
        if let Some(label) = &expr.label {
            self.error(
                label,
                "labelled `continue` is not supported yet; use an unlabelled `continue`",
            );
            return None;
        }
        let Some(&id) = self.loops.last() else {
            self.error(expr, "`continue` outside a loop");
            return None;
        };
        let yes = self.bool_const(true);
        self.assign_synthetic(&continue_flag(id), yes);
        None
    }

    /// Whether the rest of a block must be guarded after `stmt`.
    pub(super) fn may_exit(&self, stmt: &syn::Stmt) -> bool {
        let exits = Exits::of_stmt(stmt);
        (self.return_flags && exits.returns)
            || (!self.loops.is_empty() && (exits.breaks || exits.continues))
    }

    /// `true` while no `break`, `continue` or `return` has run in the innermost loop
    /// (or, outside loops, in the function).
    pub(super) fn still_running(&mut self) -> Value {
        let names = match self.loops.last() {
            Some(&id) => vec![break_flag(id), continue_flag(id)],
            None => vec![RETURN_FLAG.to_owned()],
        };
        let flags: Vec<Value> = names
            .iter()
            .filter_map(|name| self.lookup_synthetic(name))
            .collect();
        let span = SourceSpan::generated();
        let Some((&first, rest)) = flags.split_first() else {
            return self.bool_const(true);
        };
        let exiting = rest.iter().fold(first, |any, &flag| {
            self.builder
                .inst(Op::Bin(BinOp::BitOr), vec![any, flag], Ty::Bool, span)
        });
        self.builder.inst(Op::Not, vec![exiting], Ty::Bool, span)
    }

    /// Opens a loop: binds its break flag (and break value) in a scope of its own.
    pub(super) fn enter_loop(&mut self, body: &syn::Block, is_loop: bool) -> Loop {
        let id = self.next_id;
        self.next_id += 1;
        let exits = Exits::of_block(body);
        let flagged = is_loop || exits.breaks || (self.return_flags && exits.returns);
        self.scopes.open();
        if flagged {
            let no = self.bool_const(false);
            self.bind_synthetic(&break_flag(id), no);
        }
        if exits.break_values {
            let placeholder = self.zero_of_return_type();
            self.bind_synthetic(&break_value(id), placeholder);
        }
        Loop { id, exits, flagged }
    }

    /// The synthetic locals a loop body may assign, so they are carried.
    pub(super) fn flags_set_by(&self, lp: &Loop) -> Vec<String> {
        let mut names = Vec::new();
        if lp.flagged {
            names.push(break_flag(lp.id));
        }
        if lp.exits.break_values {
            names.push(break_value(lp.id));
        }
        if self.return_flags && lp.exits.returns {
            names.push(RETURN_FLAG.to_owned());
            names.push(RETURN_VALUE.to_owned());
            names.extend(self.loops.iter().map(|&id| break_flag(id)));
        }
        names
    }

    /// Lowers a loop body with the loop innermost; `bind` binds the loop variable.
    pub(super) fn loop_body(&mut self, lp: &Loop, body: &syn::Block, bind: impl FnOnce(&mut Self)) {
        self.scopes.open();
        bind(self);
        if lp.exits.continues {
            let no = self.bool_const(false);
            self.bind_synthetic(&continue_flag(lp.id), no);
        }
        self.loops.push(lp.id);
        self.in_region(|this| this.lower_block(body));
        self.loops.pop();
        self.scopes.close();
    }

    /// Closes a loop's scope; a `loop` with `break value` has that value.
    pub(super) fn leave_loop(&mut self, lp: Loop) -> Option<Value> {
        let value = if lp.exits.break_values {
            self.lookup_synthetic(&break_value(lp.id))
        } else {
            None
        };
        self.scopes.close();
        value
    }

    fn bool_const(&mut self, value: bool) -> Value {
        let lit = syn::Lit::Bool(syn::LitBool::new(value, proc_macro2::Span::call_site()));
        self.builder.inst(
            Op::Const(lit),
            Vec::new(),
            Ty::Bool,
            SourceSpan::generated(),
        )
    }

    fn zero_of_return_type(&mut self) -> Value {
        let ty = Ty::Float(self.builder.ret());
        self.builder
            .inst(Op::Zero, Vec::new(), ty, SourceSpan::generated())
    }

    fn bind_synthetic(&mut self, name: &str, value: Value) {
        self.scopes.bind(name.to_owned(), value);
    }

    fn lookup_synthetic(&self, name: &str) -> Option<Value> {
        self.scopes.lookup(name)
    }

    fn assign_synthetic(&mut self, name: &str, value: Value) {
        if let Some(slot) = self.scopes.slot_of(name) {
            self.scopes.set(slot, value);
        }
    }
}

/// What a statement or block may do to leave its block early.
#[derive(Default, Clone, Copy)]
pub(super) struct Exits {
    returns: bool,
    /// `break` or `continue` that leave the loop being scanned (not an inner one).
    breaks: bool,
    continues: bool,
    break_values: bool,
    inner_loops: usize,
}

impl Exits {
    fn of_stmt(stmt: &syn::Stmt) -> Exits {
        let mut exits = Exits::default();
        exits.visit_stmt(stmt);
        exits
    }

    fn of_block(block: &syn::Block) -> Exits {
        let mut exits = Exits::default();
        exits.visit_block(block);
        exits
    }

    fn nested(&mut self, visit: impl FnOnce(&mut Self)) {
        self.inner_loops += 1;
        visit(self);
        self.inner_loops -= 1;
    }
}

impl<'ast> Visit<'ast> for Exits {
    fn visit_expr_return(&mut self, node: &'ast syn::ExprReturn) {
        self.returns = true;
        syn::visit::visit_expr_return(self, node);
    }

    fn visit_expr_break(&mut self, node: &'ast syn::ExprBreak) {
        if self.inner_loops == 0 {
            self.breaks = true;
            self.break_values |= node.expr.is_some();
        }
        syn::visit::visit_expr_break(self, node);
    }

    fn visit_expr_continue(&mut self, _: &'ast syn::ExprContinue) {
        if self.inner_loops == 0 {
            self.continues = true;
        }
    }

    fn visit_expr_for_loop(&mut self, node: &'ast syn::ExprForLoop) {
        self.visit_expr(&node.expr);
        self.nested(|this| this.visit_block(&node.body));
    }

    fn visit_expr_while(&mut self, node: &'ast syn::ExprWhile) {
        self.visit_expr(&node.cond);
        self.nested(|this| this.visit_block(&node.body));
    }

    fn visit_expr_loop(&mut self, node: &'ast syn::ExprLoop) {
        self.nested(|this| this.visit_block(&node.body));
    }

    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
}
