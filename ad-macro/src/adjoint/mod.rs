//! The adjoint transformation: primal IR → IR of the `_adjoint` entry point.
//!
//! The result runs the primal instructions unchanged (the forward sweep), then the
//! reverse sweep: the primal instructions in reverse order, each turning the
//! adjoint of its result into contributions to the adjoints of its active
//! arguments. A value's adjoint is the sum of its contributions, formed once, where
//! the reverse sweep reaches the value's definition (every use has been visited by
//! then). The adjoint of each differentiable parameter is added into its buffer.

use crate::analysis::activity::Activity;
use crate::ir::{
    ArgKind, BinOp, FloatTy, Function, Inst, Op, Param, ParamKind, Prim, SecondaryMap, SourceSpan,
    Ty, Value, ValueDef,
};
use crate::rules::{rule, Rule};

pub fn adjoint(primal: &Function, activity: &Activity) -> Function {
    let mut func = primal.clone();
    func.name = format!("{}_adjoint", primal.name);
    let seed_ty = Ty::Float(primal.ret);
    let seed = func.new_value(
        seed_ty,
        ValueDef::Param(func.params.len()),
        Some("seed".into()),
    );
    func.params.push(Param {
        kind: ParamKind::Seed,
        value: Some(seed),
        ty: seed_ty,
    });
    for (k, param) in primal.params.iter().enumerate() {
        if let ParamKind::Primal { wrt: true, .. } = param.kind {
            func.params.push(Param {
                kind: ParamKind::AdjointOut { of: k },
                value: None,
                ty: param.ty,
            });
        }
    }

    let mut reverse = Reverse {
        func: &mut func,
        activity,
        terms: SecondaryMap::with_default(primal.values.len(), Vec::new()),
    };
    let returned = primal.returned();
    if activity.is_active(returned) {
        reverse.contribute(returned, Term::plus(seed));
    }
    for &inst in primal.regions[primal.body].insts.iter().rev() {
        reverse.inst(inst);
    }
    let buffers: Vec<_> = reverse
        .func
        .params
        .iter()
        .enumerate()
        .filter_map(|(k, param)| match param.kind {
            ParamKind::AdjointOut { of } => Some((k, primal.params[of].value?)),
            _ => None,
        })
        .collect();
    for (buffer, value) in buffers {
        if let Some(adjoint) = reverse.adjoint_of(value) {
            reverse.push(Op::Accumulate { param: buffer }, vec![adjoint], &[]);
        }
    }
    func
}

/// One contribution to an adjoint: `value`, or `-value` if `negated`.
#[derive(Copy, Clone, Debug)]
struct Term {
    value: Value,
    negated: bool,
}

impl Term {
    fn plus(value: Value) -> Term {
        Term {
            value,
            negated: false,
        }
    }

    fn minus(value: Value) -> Term {
        Term {
            value,
            negated: true,
        }
    }
}

struct Reverse<'a> {
    func: &'a mut Function,
    activity: &'a Activity,
    /// Contributions to the adjoint of each primal value, in reverse-sweep order.
    terms: SecondaryMap<Value, Vec<Term>>,
}

impl Reverse<'_> {
    fn push(&mut self, op: Op, args: Vec<Value>, result_tys: &[Ty]) -> Vec<Value> {
        let body = self.func.body;
        let inst = self
            .func
            .push_inst(body, op, args, result_tys, SourceSpan::generated());
        self.func.insts[inst].results.clone()
    }

    fn push1(&mut self, op: Op, args: Vec<Value>, ty: Ty) -> Value {
        self.push(op, args, &[ty])[0]
    }

    fn contribute(&mut self, value: Value, term: Term) {
        if self.activity.is_active(value) {
            self.terms[value].push(term);
        }
    }

    /// The sum of `value`'s contributions, `None` if it has none.
    fn adjoint_of(&mut self, value: Value) -> Option<Value> {
        let terms = std::mem::take(&mut self.terms[value]);
        let ty = self.func.values[value].ty;
        // Start from a positive term so a sum like `a - b` needs no negation.
        let first = terms.iter().position(|t| !t.negated).unwrap_or(0);
        let start = terms.get(first)?;
        let mut sum = if start.negated {
            self.push1(Op::Neg, vec![start.value], ty)
        } else {
            start.value
        };
        for (k, term) in terms.iter().enumerate() {
            if k != first {
                let op = if term.negated { BinOp::Sub } else { BinOp::Add };
                sum = self.push1(Op::Bin(op), vec![sum, term.value], ty);
            }
        }
        let hint = self.func.values[value]
            .hint
            .as_ref()
            .map(|h| format!("d_{h}"));
        if hint.is_some() && self.func.values[sum].hint.is_none() {
            self.func.values[sum].hint = hint;
        }
        Some(sum)
    }

    /// The reverse of one primal instruction.
    fn inst(&mut self, inst: Inst) {
        let data = self.func.insts[inst].clone();
        let [result] = data.results[..] else {
            return;
        };
        if !self.activity.is_active(result) {
            return;
        }
        let Some(adj) = self.adjoint_of(result) else {
            return;
        };
        let ty = self.func.values[result].ty;
        match (&data.op, &data.args[..]) {
            (Op::Bin(BinOp::Add), &[a, b]) => {
                self.contribute(a, Term::plus(adj));
                self.contribute(b, Term::plus(adj));
            }
            (Op::Bin(BinOp::Sub), &[a, b]) => {
                self.contribute(a, Term::plus(adj));
                self.contribute(b, Term::minus(adj));
            }
            (Op::Bin(BinOp::Mul), &[a, b]) => {
                if self.activity.is_active(a) {
                    let term = self.push1(Op::Bin(BinOp::Mul), vec![adj, b], ty);
                    self.contribute(a, Term::plus(term));
                }
                if self.activity.is_active(b) {
                    let term = self.push1(Op::Bin(BinOp::Mul), vec![adj, a], ty);
                    self.contribute(b, Term::plus(term));
                }
            }
            (Op::Bin(BinOp::Div), &[a, b]) => {
                // d(a/b) = da/b - (a/b)·db/b: both terms share adj/b.
                let adj_over_b = self.push1(Op::Bin(BinOp::Div), vec![adj, b], ty);
                self.contribute(a, Term::plus(adj_over_b));
                if self.activity.is_active(b) {
                    let term = self.push1(Op::Bin(BinOp::Mul), vec![adj_over_b, result], ty);
                    self.contribute(b, Term::minus(term));
                }
            }
            (Op::Neg, &[a]) => self.contribute(a, Term::minus(adj)),
            (Op::Cast(_), &[a]) => {
                let term = match self.func.values[a].ty {
                    Ty::Float(from) if Ty::Float(from) != ty => {
                        self.push1(Op::Cast(float_type(from)), vec![adj], Ty::Float(from))
                    }
                    _ => adj,
                };
                self.contribute(a, Term::plus(term));
            }
            (Op::Call { prim, .. }, args) => self.call(*prim, args, result, adj),
            _ => {}
        }
    }

    /// `prim(args) = result`: multiplies `adj` by the runtime rule's partials.
    fn call(&mut self, prim: Prim, args: &[Value], result: Value, adj: Value) {
        if rule(prim) == Rule::Zero {
            return;
        }
        let ty = self.func.values[result].ty;
        let float_args: Vec<Value> = prim
            .args()
            .iter()
            .zip(args)
            .filter(|(&kind, _)| kind == ArgKind::Float)
            .map(|(_, &arg)| arg)
            .collect();
        let mut rule_args = args.to_vec();
        rule_args.push(result);
        let partials = self.push(Op::Partials(prim), rule_args, &vec![ty; float_args.len()]);
        for (arg, partial) in float_args.into_iter().zip(partials) {
            if self.activity.is_active(arg) {
                let term = self.push1(Op::Bin(BinOp::Mul), vec![adj, partial], ty);
                self.contribute(arg, Term::plus(term));
            }
        }
    }
}

fn float_type(ty: FloatTy) -> syn::Type {
    match ty {
        FloatTy::F32 => syn::parse_quote!(f32),
        FloatTy::F64 => syn::parse_quote!(f64),
    }
}
