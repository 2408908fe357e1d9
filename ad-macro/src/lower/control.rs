//! Control flow: `if`/`else`, `&&`/`||`, `for` over integer ranges, `while`, `loop`.
//!
//! Each becomes an instruction that owns regions. A local assigned inside them is
//! threaded through: an `if` yields its new value from both branches, a loop carries
//! it as a region argument and yields the next iteration's value. Which locals to
//! thread is found by comparing the scope map before and after lowering a region
//! (for `if`) or by scanning the loop body for assignments (for loops, whose body
//! must see the carried value as an argument from its first statement).

use super::exit::Loop;
use super::scope::Slot;
use super::Lowerer;
use crate::ir::{Op, RangeAdapter, RangeShape, Region, SourceSpan, Ty, Value};
use syn::visit::Visit;

impl Lowerer<'_> {
    /// `if cond { … } else { … }`, as a statement or as an expression.
    pub(super) fn lower_if(&mut self, expr: &syn::ExprIf) -> Option<Value> {
        let cond = self.value_of(&expr.cond);
        self.branch(
            cond,
            SourceSpan::of(expr),
            |this| this.lower_block(&expr.then_branch),
            |this| match &expr.else_branch {
                Some((_, else_expr)) => this.lower_expr(else_expr),
                None => None,
            },
        )
    }

    /// An `If` on `cond`: lowers both sides, then threads out the value and every
    /// binding either side changed. A side that left early (`break`, `return`) has no
    /// value; the other side's type gives it a placeholder that is never read.
    pub(super) fn branch(
        &mut self,
        cond: Value,
        span: SourceSpan,
        then_side: impl FnOnce(&mut Self) -> Option<Value>,
        else_side: impl FnOnce(&mut Self) -> Option<Value>,
    ) -> Option<Value> {
        let before = self.scopes.clone();
        let then = self.builder.open_region();
        let mut then_value = self.in_region(then_side);
        let then_scopes = std::mem::replace(&mut self.scopes, before.clone());
        self.builder.close_region(Vec::new());
        let otherwise = self.builder.open_region();
        let mut else_value = self.in_region(else_side);
        let else_scopes = std::mem::replace(&mut self.scopes, before.clone());
        match (then_value, else_value) {
            (Some(value), None) => else_value = self.placeholder(value),
            (None, Some(value)) => {
                self.builder.reopen_region(then);
                then_value = self.placeholder(value);
                self.builder.close_region(Vec::new());
            }
            _ => {}
        }
        self.builder.close_region(Vec::new());

        let changed: Vec<Slot> = before
            .slots()
            .filter(|&slot| {
                then_scopes.value_at(slot) != before.value_at(slot)
                    || else_scopes.value_at(slot) != before.value_at(slot)
            })
            .collect();
        let mut then_yields = Vec::new();
        let mut else_yields = Vec::new();
        let has_value = then_value.is_some() && else_value.is_some();
        if let (Some(t), Some(e)) = (then_value, else_value) {
            then_yields.push(t);
            else_yields.push(e);
        }
        for &slot in &changed {
            let (mut t, mut e) = (then_scopes.value_at(slot), else_scopes.value_at(slot));
            if self.unset.contains(&t) && !self.unset.contains(&e) {
                t = self.placeholder_in(then, e).unwrap_or(t);
            } else if self.unset.contains(&e) && !self.unset.contains(&t) {
                e = self.placeholder_in(otherwise, t).unwrap_or(e);
            }
            then_yields.push(t);
            else_yields.push(e);
        }
        let tys: Vec<Ty> = then_yields
            .iter()
            .zip(&else_yields)
            .map(|(&t, &e)| Ty::join_branches(self.builder.ty(t), self.builder.ty(e)))
            .collect();
        self.builder.set_yields(then, then_yields);
        self.builder.set_yields(otherwise, else_yields);
        let results = self
            .builder
            .inst_multi(Op::If { then, otherwise }, vec![cond], &tys, span);
        let mut results = results.into_iter();
        let value = if has_value { results.next() } else { None };
        for (slot, result) in changed.into_iter().zip(results) {
            self.rebind(slot, result);
        }
        value
    }

    /// [`Self::placeholder`] of `like`'s type (also integers and flags), made in
    /// `region`, for a local still unset where that side left early.
    fn placeholder_in(&mut self, region: Region, like: Value) -> Option<Value> {
        let literal = |text: &str| {
            let span = proc_macro2::Span::call_site();
            match text {
                "false" => syn::Lit::Bool(syn::LitBool::new(false, span)),
                text => syn::Lit::Int(syn::LitInt::new(text, span)),
            }
        };
        let ty = self.builder.ty(like);
        self.builder.reopen_region(region);
        let value = match ty {
            Ty::Int | Ty::Index => Some(self.builder.inst(
                Op::Const(literal("0")),
                Vec::new(),
                ty,
                SourceSpan::generated(),
            )),
            Ty::Bool => Some(self.builder.inst(
                Op::Const(literal("false")),
                Vec::new(),
                ty,
                SourceSpan::generated(),
            )),
            _ => self.placeholder(like),
        };
        self.builder.close_region(Vec::new());
        value
    }

    /// A value of `like`'s float type for a path that never reads it.
    fn placeholder(&mut self, like: Value) -> Option<Value> {
        let float = match self.builder.ty(like) {
            Ty::Float(float) => float,
            Ty::FloatLit => self.builder.ret(),
            _ => return None,
        };
        Some(self.builder.inst(
            Op::Zero,
            Vec::new(),
            Ty::Float(float),
            SourceSpan::generated(),
        ))
    }

    /// `a && b` and `a || b` evaluate `b` only when needed, as an `if` does.
    pub(super) fn lower_short_circuit(&mut self, expr: &syn::ExprBinary, and: bool) -> Value {
        let lhs = self.value_of(&expr.left);
        let then = self.builder.open_region();
        let rhs = self.in_region(|this| this.value_of(&expr.right));
        self.builder.close_region(vec![rhs]);
        let otherwise = self.builder.open_region();
        let lit = syn::Lit::Bool(syn::LitBool::new(!and, proc_macro2::Span::call_site()));
        let constant =
            self.builder
                .inst(Op::Const(lit), Vec::new(), Ty::Bool, SourceSpan::of(expr));
        self.builder.close_region(vec![constant]);
        let (then, otherwise) = if and {
            (then, otherwise)
        } else {
            (otherwise, then)
        };
        let results = self.builder.inst_multi(
            Op::If { then, otherwise },
            vec![lhs],
            &[Ty::Bool],
            SourceSpan::of(expr),
        );
        results[0]
    }

    /// `for i in a..b { … }` and its `..=`, `.rev()` and `.step_by(k)` forms.
    pub(super) fn lower_for(&mut self, expr: &syn::ExprForLoop) -> Option<Value> {
        self.reject_label(expr.label.as_ref())?;
        let index_name = match &*expr.pat {
            syn::Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => {
                Some(pat.ident.clone())
            }
            syn::Pat::Wild(_) => None,
            pat => {
                self.error(
                    pat,
                    "a `for` loop over a range binds one name (`for i in 0..n`)",
                );
                return None;
            }
        };
        let (range, bounds) = self.lower_range(&expr.expr)?;
        let lp = self.enter_loop(&expr.body, false);
        let carried = self.loop_carried(&expr.body, &lp);
        let exit = lp
            .flag_slot(self)
            .and_then(|flag| carried.iter().position(|&s| s == flag));
        let inits: Vec<Value> = carried
            .iter()
            .map(|&slot| self.scopes.value_at(slot))
            .collect();
        let before = self.scopes.clone();
        let body = self.builder.open_region();
        let index_hint = index_name.as_ref().map(|i| i.to_string());
        let index = self.builder.add_region_arg(body, Ty::Int, index_hint);
        let state = self.carry_into(body, &carried);
        self.loop_body(&lp, &expr.body, |this| {
            if let Some(name) = &index_name {
                this.bind(name, index);
            }
        });
        let yields: Vec<Value> = carried
            .iter()
            .map(|&slot| self.scopes.value_at(slot))
            .collect();
        self.builder.close_region(yields.clone());
        self.scopes = before;
        let tys = self.carried_types(&[body], &state, &yields);
        let mut args = bounds;
        args.extend(&inits);
        let op = Op::For { body, range, exit };
        let results = self
            .builder
            .inst_multi(op, args, &tys, SourceSpan::of(expr));
        let trips = *results.last().expect("loops return their trip count");
        self.builder.set_hint(trips, "trips");
        for (slot, result) in carried.into_iter().zip(results) {
            self.rebind(slot, result);
        }
        self.leave_loop(lp)
    }

    /// `while cond { … }`.
    pub(super) fn lower_while(&mut self, expr: &syn::ExprWhile) -> Option<Value> {
        self.reject_label(expr.label.as_ref())?;
        if let syn::Expr::Let(pat) = &*expr.cond {
            self.error(
                pat,
                "`while let` is not supported in #[differentiate] functions; use `while cond`",
            );
            return None;
        }
        let lp = self.enter_loop(&expr.body, false);
        self.conditional_loop(&lp, &expr.body, SourceSpan::of(expr), |this| {
            this.value_of(&expr.cond)
        });
        self.leave_loop(lp)
    }

    /// `loop { … }`, left by `break` (with or without a value) or `return`.
    pub(super) fn lower_loop(&mut self, expr: &syn::ExprLoop) -> Option<Value> {
        self.reject_label(expr.label.as_ref())?;
        let lp = self.enter_loop(&expr.body, true);
        let lit = syn::Lit::Bool(syn::LitBool::new(true, proc_macro2::Span::call_site()));
        self.conditional_loop(&lp, &expr.body, SourceSpan::of(expr), |this| {
            this.builder.inst(
                Op::Const(lit),
                Vec::new(),
                Ty::Bool,
                SourceSpan::generated(),
            )
        });
        self.leave_loop(lp)
    }

    /// A `While` whose condition region evaluates `test` unless the loop's break flag
    /// is set.
    fn conditional_loop(
        &mut self,
        lp: &Loop,
        block: &syn::Block,
        span: SourceSpan,
        test: impl FnOnce(&mut Self) -> Value,
    ) {
        let carried = self.loop_carried(block, lp);
        let inits: Vec<Value> = carried
            .iter()
            .map(|&slot| self.scopes.value_at(slot))
            .collect();
        let before = self.scopes.clone();
        let cond = self.builder.open_region();
        self.carry_into(cond, &carried);
        let flag = lp.flag_slot(self).map(|slot| self.scopes.value_at(slot));
        let go_on = self.in_region(|this| match flag {
            Some(flag) => {
                let running = this.builder.inst(Op::Not, vec![flag], Ty::Bool, span);
                let false_lit =
                    syn::Lit::Bool(syn::LitBool::new(false, proc_macro2::Span::call_site()));
                this.branch(
                    running,
                    span,
                    |t| Some(test(t)),
                    |t| {
                        Some(
                            t.builder
                                .inst(Op::Const(false_lit), Vec::new(), Ty::Bool, span),
                        )
                    },
                )
                .expect("both sides of the loop test have a value")
            }
            None => test(this),
        });
        self.builder.close_region(vec![go_on]);
        self.scopes = before.clone();
        let body = self.builder.open_region();
        let state = self.carry_into(body, &carried);
        self.loop_body(lp, block, |_| {});
        let yields: Vec<Value> = carried
            .iter()
            .map(|&slot| self.scopes.value_at(slot))
            .collect();
        self.builder.close_region(yields.clone());
        self.scopes = before;
        let tys = self.carried_types(&[cond, body], &state, &yields);
        let results = self
            .builder
            .inst_multi(Op::While { cond, body }, inits, &tys, span);
        let trips = *results.last().expect("loops return their trip count");
        self.builder.set_hint(trips, "trips");
        for (slot, result) in carried.into_iter().zip(results) {
            self.rebind(slot, result);
        }
    }

    fn reject_label(&mut self, label: Option<&syn::Label>) -> Option<()> {
        match label {
            Some(label) => {
                self.error(
                    label,
                    "labelled loops are not supported in #[differentiate] functions yet; \
                     use a flag variable and an unlabelled `break`",
                );
                None
            }
            None => Some(()),
        }
    }

    /// Runs `lower` one control-flow level deeper.
    pub(super) fn in_region<T>(&mut self, lower: impl FnOnce(&mut Self) -> T) -> T {
        self.depth += 1;
        let value = lower(self);
        self.depth -= 1;
        value
    }

    /// The bindings a loop body assigns to that exist before the loop, including
    /// the flags its `break`, `continue` and `return` set.
    fn loop_carried(&self, body: &syn::Block, lp: &Loop) -> Vec<Slot> {
        let mut assigned = AssignedNames::default();
        assigned.visit_block(body);
        assigned.names.extend(self.flags_set_by(lp));
        let mut slots: Vec<Slot> = assigned
            .names
            .iter()
            .filter_map(|name| self.scopes.slot_of(name))
            .collect();
        slots.sort_unstable();
        slots.dedup();
        slots
    }

    /// Gives `region` one argument per carried binding and binds the names to them.
    fn carry_into(&mut self, region: Region, carried: &[Slot]) -> Vec<Value> {
        carried
            .iter()
            .map(|&slot| {
                let old = self.scopes.value_at(slot);
                let hint = self.scopes.name_at(slot).to_owned();
                let arg = self
                    .builder
                    .add_region_arg(region, self.builder.ty(old), Some(hint));
                self.scopes.set(slot, arg);
                arg
            })
            .collect()
    }

    /// The types of a loop's results: each carried value's, widened by what the body
    /// assigns to it (`let mut s = 0.0; … s += x;` carries an f64), then the trip count.
    fn carried_types(&mut self, regions: &[Region], state: &[Value], yields: &[Value]) -> Vec<Ty> {
        let mut tys: Vec<Ty> = state
            .iter()
            .zip(yields)
            .map(|(&arg, &next)| Ty::join_branches(self.builder.ty(arg), self.builder.ty(next)))
            .collect();
        for &region in regions {
            let args = self.builder.region_args(region);
            let offset = args.len() - state.len();
            for (k, &ty) in tys.iter().enumerate() {
                self.builder.set_ty(args[offset + k], ty);
            }
        }
        tys.push(Ty::Index);
        tys
    }

    /// `a..b`, `a..=b`, then `.rev()` / `.step_by(k)`: the shape and its arguments.
    fn lower_range(&mut self, expr: &syn::Expr) -> Option<(RangeShape, Vec<Value>)> {
        let mut adapters = Vec::new();
        let mut step_exprs = Vec::new();
        let mut current = expr;
        let range = loop {
            match current {
                syn::Expr::Paren(paren) => current = &paren.expr,
                syn::Expr::Group(group) => current = &group.expr,
                syn::Expr::MethodCall(call) if call.method == "rev" && call.args.is_empty() => {
                    adapters.push(RangeAdapter::Rev);
                    current = &call.receiver;
                }
                syn::Expr::MethodCall(call) if call.method == "step_by" && call.args.len() == 1 => {
                    adapters.push(RangeAdapter::StepBy);
                    step_exprs.push(&call.args[0]);
                    current = &call.receiver;
                }
                syn::Expr::Range(range) => break range,
                _ => {
                    self.error(
                        expr,
                        "`for` loops in #[differentiate] functions run over integer ranges \
                         (`a..b`, `a..=b`, `(a..b).rev()`, `(a..b).step_by(k)`) or over a local \
                         slice (`x.iter()`, `x.iter().enumerate()`, `x.iter().zip(y.iter())`)",
                    );
                    return None;
                }
            }
        };
        let (Some(start), Some(end)) = (&range.start, &range.end) else {
            self.error(range, "a `for` loop's range needs both bounds (`a..b`)");
            return None;
        };
        adapters.reverse();
        step_exprs.reverse();
        let mut args = vec![self.value_of(start), self.value_of(end)];
        args.extend(step_exprs.into_iter().map(|step| self.value_of(step)));
        let inclusive = matches!(range.limits, syn::RangeLimits::Closed(_));
        Some((
            RangeShape {
                inclusive,
                adapters,
            },
            args,
        ))
    }

    pub(super) fn rebind(&mut self, slot: Slot, value: Value) {
        self.builder.set_hint(value, self.scopes.name_at(slot));
        self.scopes.set(slot, value);
    }
}

/// The names a block assigns to with `=` or a compound assignment.
#[derive(Default)]
struct AssignedNames {
    names: Vec<String>,
}

impl<'ast> Visit<'ast> for AssignedNames {
    fn visit_expr_assign(&mut self, assign: &'ast syn::ExprAssign) {
        if let syn::Expr::Path(path) = &*assign.left {
            if let Some(ident) = path.path.get_ident() {
                self.names.push(ident.to_string());
            }
        }
        syn::visit::visit_expr_assign(self, assign);
    }

    fn visit_expr_binary(&mut self, binary: &'ast syn::ExprBinary) {
        if is_compound_assignment(&binary.op) {
            if let syn::Expr::Path(path) = &*binary.left {
                if let Some(ident) = path.path.get_ident() {
                    self.names.push(ident.to_string());
                }
            }
        }
        syn::visit::visit_expr_binary(self, binary);
    }
}

fn is_compound_assignment(op: &syn::BinOp) -> bool {
    use syn::BinOp as B;
    matches!(
        op,
        B::AddAssign(_)
            | B::SubAssign(_)
            | B::MulAssign(_)
            | B::DivAssign(_)
            | B::RemAssign(_)
            | B::BitAndAssign(_)
            | B::BitOrAssign(_)
            | B::BitXorAssign(_)
            | B::ShlAssign(_)
            | B::ShrAssign(_)
    )
}
