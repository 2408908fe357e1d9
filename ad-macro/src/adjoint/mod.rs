//! The adjoint transformation: primal IR → IR of the `_adjoint` entry point.
//!
//! The result runs the primal instructions unchanged (the forward sweep), with each
//! branch and loop body pushing the values its reverse will read (see
//! `analysis::record`), then the reverse sweep: the primal instructions in reverse
//! order, each turning the adjoint of its result into contributions to the adjoints
//! of its active arguments. A value's adjoint is the sum of its contributions,
//! formed once, where the reverse sweep reaches the value's definition (every use
//! has been visited by then). The adjoint of each differentiable parameter is added
//! into its buffer.
//!
//! Control flow is reversed structurally: an `if` becomes an `if` on the same
//! condition whose branches reverse the primal branches; a loop becomes a loop that
//! runs its trip count times over the reversed body, carrying the adjoints of the
//! loop-carried values backwards. What a reversed region contributes to values
//! defined outside it leaves the region as a result (accumulated across iterations).

use crate::analysis::activity::Activity;
use crate::analysis::record::{reversed_range, Record};
use crate::ir::{
    BinOp, Callee, FloatTy, Function, Inst, Key, Op, Param, ParamKind, Prim, RangeShape, Region,
    SecondaryMap, Slot, SourceSpan, Ty, Value, ValueDef,
};
use crate::rules::{rule, Rule};

mod vector;

/// The adjoint of `primal`, or an internal error naming a value whose adjoint was
/// formed but never propagated: a dropped adjoint is a wrong gradient, so it stops
/// the compile instead of going unnoticed (issue 13).
pub fn adjoint(
    primal: &Function,
    activity: &Activity,
    record: &Record,
) -> Result<Function, String> {
    build(primal, activity, record, None)
}

/// The primal values the reverse sweep reads (the other factor of a product, a
/// rule's arguments, a branch's condition, a loop's bounds or trip count, …),
/// found by building the reverse sweep once with nothing recorded and noting every
/// value it reads. `analysis::record` decides from these what to record or
/// recompute, so "what the reverse reads" and "what it emits" are one rule per
/// operation, here.
pub fn reads(primal: &Function, activity: &Activity) -> SecondaryMap<Value, bool> {
    let mut reads = SecondaryMap::with_default(primal.values.len(), false);
    // A dropped adjoint is reported by the real build that follows.
    let _ = build(primal, activity, &Record::default(), Some(&mut reads));
    reads
}

fn build(
    primal: &Function,
    activity: &Activity,
    record: &Record,
    reads: Option<&mut SecondaryMap<Value, bool>>,
) -> Result<Function, String> {
    let mut func = primal.clone();
    func.name = format!("{}_adjoint", primal.name);
    let seed_ty = vector::seed_ty(primal);
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
    // A scalar's adjoint is added into its buffer once, at the end; an array's
    // buffer is written element by element, so the reverse sweep names it.
    let mut array_buffers = Vec::new();
    for (k, param) in primal.params.iter().enumerate() {
        if let ParamKind::Primal { wrt: true, .. } = param.kind {
            let index = func.params.len();
            let value = matches!(param.ty, Ty::FloatArray(_) | Ty::Struct(_))
                .then(|| func.new_value(param.ty, ValueDef::Param(index), None));
            if let (Some(buffer), Some(array)) = (value, param.value) {
                array_buffers.push((array, buffer));
            }
            func.params.push(Param {
                kind: ParamKind::AdjointOut { of: k },
                value,
                ty: param.ty,
            });
        }
    }
    let carried_out = carry_top_level_snapshots(primal, &mut func, record);
    record_snapshots(primal, &mut func, record, &carried_out, primal.body);

    let mut reverse = Reverse {
        primal,
        func: &mut func,
        activity,
        record,
        terms: SecondaryMap::with_default(primal.values.len(), Vec::new()),
        recorded: SecondaryMap::with_default(primal.values.len(), None),
        top_level: top_level(primal),
        buffers: SecondaryMap::with_default(primal.values.len(), None),
        target: primal.body,
        enclosing: Vec::new(),
        computed: std::collections::HashMap::new(),
        reads,
        seed_buffer: None,
        carried_out,
    };
    for (array, buffer) in array_buffers {
        reverse.buffers[array] = Some(buffer);
    }
    if vector::is_vector(primal) {
        reverse.seed_buffer = Some(seed);
    } else {
        reverse.contribute(primal.returned(), Term::plus(seed));
    }
    reverse.insts(primal.body);
    for (buffer, param) in reverse.func.params.clone().iter().enumerate() {
        if let (ParamKind::AdjointOut { of }, None) = (&param.kind, param.value) {
            let of = *of;
            let value = primal.params[of]
                .value
                .expect("primal parameters have values");
            if let Some(adjoint) = reverse.adjoint_of(value) {
                reverse.push(Op::Accumulate { param: buffer }, vec![adjoint], &[]);
            }
        }
    }
    if let Some(dropped) = primal.values.keys().find(|&v| !reverse.terms[v].is_empty()) {
        return Err(format!(
            "the adjoint of {dropped} received contributions that never reached an input"
        ));
    }
    Ok(func)
}

fn top_level(primal: &Function) -> SecondaryMap<Value, bool> {
    let mut top = SecondaryMap::with_default(primal.values.len(), false);
    for param in &primal.params {
        if let Some(value) = param.value {
            top[value] = true;
        }
    }
    for &inst in &primal.regions[primal.body].insts {
        for &result in &primal.insts[inst].results {
            top[result] = true;
        }
    }
    top
}

/// The branches of top-level `if`s whose snapshots leave the `if` as extra results
/// (`carry_top_level_snapshots`), each with its pairs (value, result carrying it).
type CarriedOut = Vec<(Region, Vec<(Value, Value)>)>;

/// A top-level `if` runs once, so what the reverse of its branches reads needs no
/// value stack: the branches yield it as extra results of the `if` (the branch not
/// taken yields zeros), which the reverse sweep, at top level too, reads directly.
/// As Zygote keeps on a stack only the values of blocks that run more than once.
/// Pushing and popping them made the reverse of GradBench's ba residuals, whose
/// Rodrigues rotation has a small-angle branch, 1.8 times slower. Only for
/// snapshots of floats, as a zero of another type has no literal here.
fn carry_top_level_snapshots(
    primal: &Function,
    func: &mut Function,
    record: &Record,
) -> CarriedOut {
    let mut carried_out = Vec::new();
    for &inst in &primal.regions[primal.body].insts {
        let Op::If { then, otherwise } = &primal.insts[inst].op else {
            continue;
        };
        let branches = [*then, *otherwise];
        let floats = branches.iter().all(|&branch| {
            record
                .snapshot(branch)
                .iter()
                .all(|&v| matches!(primal.values[v].ty, Ty::Float(_)))
        });
        if !floats || branches.iter().all(|&b| record.snapshot(b).is_empty()) {
            continue;
        }
        for branch in branches {
            let mut pairs = Vec::new();
            for &value in record.snapshot(branch) {
                let ty = primal.values[value].ty;
                let index = func.insts[inst].results.len();
                let result = func.new_value(ty, ValueDef::Result(inst, index), None);
                func.insts[inst].results.push(result);
                for region in branches {
                    let yielded = if region == branch {
                        value
                    } else {
                        let span = SourceSpan::generated();
                        let zero = func.push_inst(region, Op::Zero, Vec::new(), &[ty], span);
                        func.insts[zero].results[0]
                    };
                    func.regions[region].yields.push(yielded);
                }
                pairs.push((value, result));
            }
            carried_out.push((branch, pairs));
        }
    }
    carried_out
}

/// Appends to each region of the forward sweep the pushes of its snapshot (except
/// where the snapshot is carried out of a top-level `if`).
fn record_snapshots(
    primal: &Function,
    func: &mut Function,
    record: &Record,
    carried_out: &CarriedOut,
    region: Region,
) {
    for &inst in &primal.regions[region].insts {
        for nested in primal.inst_regions(inst) {
            record_snapshots(primal, func, record, carried_out, nested);
        }
    }
    if carried_out.iter().any(|(branch, _)| *branch == region) {
        return;
    }
    for &value in record.snapshot(region) {
        func.push_inst(region, Op::Push, vec![value], &[], SourceSpan::generated());
    }
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
    primal: &'a Function,
    func: &'a mut Function,
    activity: &'a Activity,
    record: &'a Record,
    /// Contributions to the adjoint of each primal value, not yet summed.
    terms: SecondaryMap<Value, Vec<Term>>,
    /// Where the reverse sweep reads a recorded primal value: the value it popped.
    recorded: SecondaryMap<Value, Option<Value>>,
    /// Values defined outside any branch or loop, which the reverse sweep can read.
    top_level: SecondaryMap<Value, bool>,
    /// The adjoint buffer of each active float array.
    buffers: SecondaryMap<Value, Option<Value>>,
    /// The region the reverse sweep is appending to.
    target: Region,
    /// The regions around `target`, whose values are in scope there.
    enclosing: Vec<Region>,
    /// Arithmetic the reverse sweep has computed, with the region it is in.
    computed: std::collections::HashMap<Key, (Value, Region)>,
    /// Where to note each primal value the reverse sweep reads, if asked to.
    reads: Option<&'a mut SecondaryMap<Value, bool>>,
    /// A vector-valued function's seed, until it is added into the adjoint buffer
    /// of the returned buffer (`vector.rs`).
    seed_buffer: Option<Value>,
    /// Snapshots that leave top-level `if`s as results instead of being pushed.
    carried_out: CarriedOut,
}

impl Reverse<'_> {
    fn push(&mut self, op: Op, args: Vec<Value>, result_tys: &[Ty]) -> Vec<Value> {
        let inst = self
            .func
            .push_inst(self.target, op, args, result_tys, SourceSpan::generated());
        self.func.insts[inst].results.clone()
    }

    /// Appends a one-result instruction; an arithmetic one equal to an earlier one
    /// still in scope (`seed * y` twice) is not computed again.
    fn push1(&mut self, op: Op, args: Vec<Value>, ty: Ty) -> Value {
        let key = matches!(op, Op::Bin(_) | Op::Neg)
            .then(|| Key::of(self.func, &op, &args))
            .flatten();
        if let Some(&(value, region)) = key.as_ref().and_then(|key| self.computed.get(key)) {
            if region == self.target || self.enclosing.contains(&region) {
                return value;
            }
        }
        let value = self.push(op, args, &[ty])[0];
        if let Some(key) = key {
            self.computed.insert(key, (value, self.target));
        }
        value
    }

    fn ty(&self, value: Value) -> Ty {
        self.func.values[value].ty
    }

    /// A primal value as the reverse sweep sees it: itself if it is still in scope
    /// (defined in the top-level code), its recorded copy, or, for a literal from a
    /// nested region, the literal again.
    fn read(&mut self, value: Value) -> Value {
        if let Some(reads) = self.reads.as_deref_mut() {
            reads[value] = true;
        }
        if let Some(copy) = self.recorded[value] {
            return copy;
        }
        match self.primal.values[value].def {
            ValueDef::Result(inst, _) if !self.top_level[value] => {
                match &self.primal.insts[inst].op {
                    Op::Const(lit) => {
                        let (op, ty) = (Op::Const(lit.clone()), self.ty(value));
                        self.push1(op, Vec::new(), ty)
                    }
                    _ => value,
                }
            }
            _ => value,
        }
    }

    fn contribute(&mut self, value: Value, term: Term) {
        if self.activity.is_active(value) {
            self.terms[value].push(term);
        }
    }

    /// The sum of `value`'s contributions, `None` if it has none.
    fn adjoint_of(&mut self, value: Value) -> Option<Value> {
        let terms = std::mem::take(&mut self.terms[value]);
        let ty = self.ty(value);
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

    /// The adjoint of `value`, zero if nothing contributed to it.
    fn adjoint_or_zero(&mut self, value: Value) -> Value {
        match self.adjoint_of(value) {
            Some(adjoint) => adjoint,
            None => {
                let ty = self.ty(value);
                self.push1(Op::Zero, Vec::new(), ty)
            }
        }
    }

    /// The reverse of a region's instructions, after taking back its snapshot.
    fn insts(&mut self, region: Region) {
        if let Some((_, pairs)) = self.carried_out.iter().find(|(b, _)| *b == region) {
            for &(value, result) in pairs {
                self.recorded[value] = Some(result);
            }
        } else {
            for &value in self.record.snapshot(region).iter().rev() {
                let copy = self.push1(Op::Pop, Vec::new(), self.ty(value));
                self.recorded[value] = Some(copy);
            }
        }
        for &value in self.record.recompute(region) {
            // A loop index is bound by the reverse loop itself.
            if let ValueDef::Result(inst, _) = self.primal.values[value].def {
                let data = &self.primal.insts[inst];
                let op = data.op.clone();
                let args: Vec<Value> = data
                    .args
                    .clone()
                    .into_iter()
                    .map(|arg| self.read(arg))
                    .collect();
                let copy = self.push1(op, args, self.ty(value));
                self.recorded[value] = Some(copy);
            }
        }
        // The adjoints of this region's buffers start at zero, before any reverse use.
        for &inst in &self.primal.regions[region].insts {
            let data = &self.primal.insts[inst];
            if let Op::EmptyBuffer = &data.op {
                // Made in top-level code, the buffer is still there to give its
                // final length; made in a branch or loop body, it is gone, and its
                // length at the body's end (`FnBuilder::measure_buffers`) is read.
                let array = data.results[0];
                if self.activity.is_active(array) && self.buffers[array].is_none() {
                    let len = match region == self.primal.body {
                        true => self.push1(Op::Len, vec![array], Ty::Index),
                        false => {
                            let measured = self.primal.regions[region]
                                .insts
                                .iter()
                                .rev()
                                .map(|&i| &self.primal.insts[i])
                                .find(|i| matches!(i.op, Op::Len) && i.args[..] == [array])
                                .map(|i| i.results[0]);
                            match measured {
                                Some(measured) => self.read(measured),
                                None => self.push1(Op::Len, vec![array], Ty::Index),
                            }
                        }
                    };
                    let op = Op::AdjointBuffer { fixed_len: None };
                    let buffer = self.push1(op, vec![len], self.ty(array));
                    self.buffers[array] = Some(buffer);
                }
            }
            if let Op::Apply(_) = &data.op {
                self.vector_result_buffer(data.results[0]);
            }
            if let Op::If { then, .. } = &data.op {
                // `let p = if c { [a, b] } else { [b, a] }`: the branch's buffer
                // takes its adjoint from this one (`reverse_if`).
                let (then, results) = (*then, data.results.clone());
                for (k, &result) in results.iter().enumerate() {
                    self.branch_result_buffer(then, k, result);
                }
            }
            if let Op::CopyOf { .. } = &data.op {
                let array = data.results[0];
                if self.activity.is_active(array) && self.buffers[array].is_none() {
                    let len = self.read(data.args[1]);
                    let op = Op::AdjointBuffer { fixed_len: None };
                    let buffer = self.push1(op, vec![len], self.ty(array));
                    self.buffers[array] = Some(buffer);
                }
            }
            if let Op::NewBuffer { fixed_len } = &data.op {
                let array = data.results[0];
                if self.activity.is_active(array) && self.buffers[array].is_none() {
                    let len = match fixed_len {
                        Some(_) => Vec::new(),
                        None => vec![self.read(data.args[1])],
                    };
                    let op = Op::AdjointBuffer {
                        fixed_len: fixed_len.clone(),
                    };
                    let buffer = self.push1(op, len, self.ty(array));
                    self.buffers[array] = Some(buffer);
                }
            }
        }
        if let Some(seed) = self.seed_buffer.take() {
            self.seed_returned_buffer(seed);
        }
        for &inst in self.primal.regions[region].insts.iter().rev() {
            self.inst(inst);
        }
    }

    /// The reverse of one primal instruction.
    fn inst(&mut self, inst: Inst) {
        let data = &self.primal.insts[inst];
        match &data.op {
            Op::If { then, otherwise } => return self.reverse_if(inst, *then, *otherwise),
            Op::For { .. } | Op::While { .. } => return self.reverse_loop(inst),
            Op::Store | Op::Append => return self.reverse_store(&data.args.clone()),
            Op::NewBuffer { .. } => return self.reverse_fill(data.args[0], data.results[0]),
            Op::Apply(callee) if self.buffers[data.results[0]].is_some() => {
                let (callee, args) = (callee.clone(), data.args.clone());
                return self.reverse_vector_apply(callee, &args, data.results[0]);
            }
            Op::CopyOf { .. } => return self.reverse_copy(&data.args.clone(), data.results[0]),
            _ => {}
        }
        let [result] = data.results[..] else {
            return;
        };
        if !self.activity.is_active(result) {
            return;
        }
        let Some(adj) = self.adjoint_of(result) else {
            return;
        };
        let ty = self.ty(result);
        let active = |v: Value| self.activity.is_active(v);
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
                let (active_a, active_b) = (active(a), active(b));
                if active_a {
                    let b = self.read(b);
                    let term = self.push1(Op::Bin(BinOp::Mul), vec![adj, b], ty);
                    self.contribute(a, Term::plus(term));
                }
                if active_b {
                    let a = self.read(a);
                    let term = self.push1(Op::Bin(BinOp::Mul), vec![adj, a], ty);
                    self.contribute(b, Term::plus(term));
                }
            }
            (Op::Bin(BinOp::Div), &[a, b]) => {
                // d(a/b) = da/b - (a/b)·db/b: both terms share adj/b.
                let active_b = active(b);
                let divisor = self.read(b);
                let adj_over_b = self.push1(Op::Bin(BinOp::Div), vec![adj, divisor], ty);
                self.contribute(a, Term::plus(adj_over_b));
                if active_b {
                    let quotient = self.read(result);
                    let term = self.push1(Op::Bin(BinOp::Mul), vec![adj_over_b, quotient], ty);
                    self.contribute(b, Term::minus(term));
                }
            }
            (Op::Neg, &[a]) => self.contribute(a, Term::minus(adj)),
            (Op::Cast(_) | Op::Ascribe(_), &[a]) => {
                let term = match self.ty(a) {
                    Ty::Float(from) if Ty::Float(from) != ty => {
                        self.push1(Op::Cast(float_type(from)), vec![adj], Ty::Float(from))
                    }
                    _ => adj,
                };
                self.contribute(a, Term::plus(term));
            }
            (Op::Call { prim, .. }, args) => {
                let args = args.to_vec();
                self.call(*prim, &args, result, adj);
            }
            (Op::Apply(callee), args) => {
                let (callee, args) = (callee.clone(), args.to_vec());
                self.reverse_apply(callee, &args, adj);
            }
            (Op::Index, &[array, index]) => {
                if let Some((buffer, offset)) = self.buffer_of(array) {
                    let index = self.read(index);
                    let index = self.offset(offset, index);
                    self.push(Op::AccumulateAt, vec![buffer, index, adj], &[]);
                } else {
                    // An active array without an adjoint buffer: left unpropagated,
                    // so that `build` reports it instead of dropping it.
                    self.contribute(array, Term::plus(adj));
                }
            }
            // A float read out of a struct: its adjoint goes to the same place in the
            // struct's adjoint.
            (Op::Project { .. }, _) => {
                if let Some(place) = self.part_of(result) {
                    self.push(Op::AddTo, vec![place, adj], &[]);
                }
            }
            _ => {}
        }
    }

    /// A call reversed: the callee's adjoint entry point, with a fresh zero for each
    /// float argument (its result is that argument's contribution) and the adjoint
    /// buffer of each active array argument.
    fn reverse_apply(&mut self, callee: Box<Callee>, args: &[Value], adj: Value) {
        let slotted = args;
        let located: Vec<Option<(Value, Option<Value>)>> = slotted
            .iter()
            .map(|&arg| match self.ty(arg) {
                Ty::FloatArray(_) | Ty::Struct(_) => self.buffer_of(arg),
                _ => None,
            })
            .collect();
        // A method's constant receiver gets zeros of whatever its slot is: nothing
        // (`NoAdjoint`), or the receiver's type under the callee's `wrt(self)`.
        let receiver = usize::from(callee.method && !matches!(self.ty(args[0]), Ty::Struct(_)));
        let slots: Vec<Slot> = slotted
            .iter()
            .zip(&located)
            .enumerate()
            .map(|(k, (&arg, located))| match self.ty(arg) {
                _ if k < receiver => Slot::Inferred,
                Ty::Float(float) => Slot::Scalar(float),
                Ty::FloatArray(float) => match located {
                    Some(_) => Slot::Buffer,
                    None => Slot::Scratch(float),
                },
                Ty::Struct(_) if located.is_some() => Slot::Buffer,
                _ if self.is_opaque_reference(arg) => Slot::Inferred,
                _ => Slot::Constant,
            })
            .collect();
        let mut operands: Vec<Value> = args.iter().map(|&arg| self.read(arg)).collect();
        operands.push(adj);
        // A sub-slice's adjoint is a range of its array's buffer. Lent as a window of
        // that buffer, unless the call gets that buffer twice (`dot(a, b)` after
        // `split_at`): two mutable borrows of one buffer cannot coexist, so such a
        // sub-slice gets a scratch buffer that is added into the range after the call.
        let mut added_after = Vec::new();
        for (&arg, place) in slotted.iter().zip(&located) {
            let Some((buffer, offset)) = *place else {
                continue;
            };
            let Some(offset) = offset else {
                operands.push(buffer);
                continue;
            };
            let shared = located
                .iter()
                .filter(|other| matches!(other, Some((b, _)) if *b == buffer))
                .count()
                > 1;
            let slice = self.read(arg);
            let len = self.push1(Op::Len, vec![slice], Ty::Index);
            if shared {
                let scratch = self.push1(
                    Op::AdjointBuffer { fixed_len: None },
                    vec![len],
                    self.ty(buffer),
                );
                operands.push(scratch);
                added_after.push((buffer, offset, scratch, len));
            } else {
                let end = self.push1(Op::Bin(BinOp::Add), vec![offset, len], Ty::Index);
                let window = Op::Window {
                    mutable: true,
                    inclusive: false,
                };
                let window = self.push1(window, vec![buffer, offset, end], self.ty(buffer));
                operands.push(window);
            }
        }
        let scalar_args: Vec<Value> = slotted
            .iter()
            .zip(&slots)
            .filter(|(_, slot)| matches!(slot, Slot::Scalar(_)))
            .map(|(&arg, _)| arg)
            .collect();
        let tys: Vec<Ty> = scalar_args.iter().map(|&arg| self.ty(arg)).collect();
        let contributions = self.push(Op::ApplyAdjoint(callee, slots), operands, &tys);
        for (arg, contribution) in scalar_args.into_iter().zip(contributions) {
            self.contribute(arg, Term::plus(contribution));
        }
        for (buffer, offset, scratch, len) in added_after {
            self.add_into_range(buffer, offset, scratch, len);
        }
    }

    /// The adjoint buffer that receives the adjoint of float array `array`, and for a
    /// sub-slice (`&x[a..b]`, possibly of another) the position of its first element
    /// in that buffer: the adjoint of a sub-slice lands in its range of the array's.
    fn buffer_of(&mut self, array: Value) -> Option<(Value, Option<Value>)> {
        if let Some(buffer) = self.buffers[array] {
            return Some((buffer, None));
        }
        if let Some(place) = self.part_of(array) {
            return Some((place, None));
        }
        let ValueDef::Result(inst, _) = self.primal.values[array].def else {
            return None;
        };
        let data = &self.primal.insts[inst];
        let (Op::Slice { .. }, &[parent, start, _]) = (&data.op, &data.args[..]) else {
            return None;
        };
        let (buffer, outer) = self.buffer_of(parent)?;
        let start = self.read(start);
        Some((buffer, Some(self.offset(outer, start))))
    }

    /// The place in the adjoint of a struct that receives the adjoint of `part`, a
    /// projection of the struct (`p__layers[k].w` → `d_p.layers[k].w`).
    fn part_of(&mut self, part: Value) -> Option<Value> {
        let ValueDef::Result(inst, _) = self.primal.values[part].def else {
            return None;
        };
        let data = &self.primal.insts[inst];
        let Op::Project { steps } = &data.op else {
            return None;
        };
        let (steps, args) = (steps.clone(), data.args.clone());
        let base = match self.buffers[args[0]] {
            Some(buffer) => buffer,
            None => self.part_of(args[0])?,
        };
        let mut operands = vec![base];
        operands.extend(args[1..].iter().map(|&index| self.read(index)));
        Some(self.push1(Op::ProjectMut { steps }, operands, self.ty(part)))
    }

    /// `offset + index`, or `index` without an offset.
    fn offset(&mut self, offset: Option<Value>, index: Value) -> Value {
        match offset {
            Some(offset) => self.push1(Op::Bin(BinOp::Add), vec![offset, index], Ty::Index),
            None => index,
        }
    }

    /// `for i in 0..len { buffer[offset + i] += scratch[i] }`.
    fn add_into_range(&mut self, buffer: Value, offset: Value, scratch: Value, len: Value) {
        let zero = syn::Lit::Int(syn::LitInt::new("0", proc_macro2::Span::call_site()));
        let zero = self.push1(Op::Const(zero), Vec::new(), Ty::Index);
        let body = self.func.new_region();
        let i = self.func.add_region_arg(body, Ty::Index, None);
        let elem = match self.ty(buffer) {
            Ty::FloatArray(float) => Ty::Float(float),
            ty => ty,
        };
        let outer = std::mem::replace(&mut self.target, body);
        let part = self.push1(Op::Index, vec![scratch, i], elem);
        let at = self.push1(Op::Bin(BinOp::Add), vec![offset, i], Ty::Index);
        self.push(Op::AccumulateAt, vec![buffer, at, part], &[]);
        self.target = outer;
        let range = RangeShape {
            inclusive: false,
            adapters: Vec::new(),
        };
        let op = Op::For {
            body,
            range,
            exit: None,
        };
        self.push(op, vec![zero, len], &[Ty::Index]);
    }

    /// `vec![x; n]` and `[x; N]` reversed: `x` is every element the buffer starts
    /// with, so its adjoint is the sum of the elements' adjoints at that point.
    fn reverse_fill(&mut self, fill: Value, array: Value) {
        if !self.activity.is_active(fill) {
            return;
        }
        let Some(buffer) = self.buffers[array] else {
            return;
        };
        let total = self.push1(Op::SumOf, vec![buffer], self.ty(fill));
        self.contribute(fill, Term::plus(total));
    }

    /// `b = a.to_vec()` reversed: `b`'s adjoint is added into `a`'s, element by element.
    fn reverse_copy(&mut self, args: &[Value], copy: Value) {
        let (Some(copied), &[array, len]) = (self.buffers[copy], args) else {
            return;
        };
        let Some((buffer, offset)) = self.buffer_of(array) else {
            return;
        };
        let offset = offset.unwrap_or_else(|| {
            let zero = syn::Lit::Int(syn::LitInt::new("0", proc_macro2::Span::call_site()));
            self.push1(Op::Const(zero), Vec::new(), Ty::Index)
        });
        let len = self.read(len);
        self.add_into_range(buffer, offset, copied, len);
    }

    /// Whether `value` is a reference the macro did not look into (`&self.c`): the
    /// callee may differentiate what it points to.
    fn is_opaque_reference(&self, value: Value) -> bool {
        let ValueDef::Result(inst, _) = self.primal.values[value].def else {
            return false;
        };
        matches!(&self.primal.insts[inst].op, Op::Opaque(opaque)
            if matches!(opaque.expr, syn::Expr::Reference(_)))
    }

    /// `a[i] = v` reversed: `v` gets the adjoint that `a[i]` had accumulated, and
    /// the element's adjoint restarts at zero, as the element before the store was
    /// a different value.
    fn reverse_store(&mut self, args: &[Value]) {
        let &[array, index, value] = args else {
            return;
        };
        let Some(buffer) = self.buffers[array] else {
            return;
        };
        let index = self.read(index);
        let ty = self.ty(value);
        let ty = match ty {
            Ty::Float(_) => ty,
            _ => match self.ty(array) {
                Ty::FloatArray(elem) => Ty::Float(elem),
                _ => ty,
            },
        };
        let taken = self.push1(Op::TakeAt, vec![buffer, index], ty);
        self.contribute(value, Term::plus(taken));
    }

    /// `prim(args) = result`: multiplies `adj` by the runtime rule's partials.
    fn call(&mut self, prim: Prim, args: &[Value], result: Value, adj: Value) {
        if rule(prim) == Rule::Zero {
            return;
        }
        let ty = self.ty(result);
        let float_args = prim.float_args(args);
        let mut rule_args: Vec<Value> = args.iter().map(|&a| self.read(a)).collect();
        rule_args.push(self.read(result));
        let partials = self.push(Op::Partials(prim), rule_args, &vec![ty; float_args.len()]);
        // Named for what they are, `dsin_dx`: the partial derivative of the rule's
        // output with respect to one argument.
        for (&arg, &partial) in float_args.iter().zip(&partials) {
            let wrt = self.primal.values[arg]
                .hint
                .clone()
                .unwrap_or_else(|| arg.to_string());
            self.func.values[partial].hint = Some(format!("d{}_d{wrt}", prim.name()));
        }
        for (arg, partial) in float_args.into_iter().zip(partials) {
            if self.activity.is_active(arg) {
                let term = self.push1(Op::Bin(BinOp::Mul), vec![adj, partial], ty);
                self.contribute(arg, Term::plus(term));
            }
        }
    }

    /// Active values that the regions of `inst` read but do not define: their
    /// adjoints receive what the reversed regions contribute.
    fn free_active(&self, regions: &[Region]) -> Vec<Value> {
        let mut inside = SecondaryMap::with_default(self.primal.values.len(), false);
        let mut used = Vec::new();
        for &region in regions {
            self.walk(region, &mut inside, &mut used);
        }
        // Arrays are memory: their adjoint buffers are written in place, not carried.
        let mut free: Vec<Value> = used
            .into_iter()
            .filter(|&v| !inside[v] && self.activity.is_active(v))
            .filter(|&v| !matches!(self.primal.values[v].ty, Ty::FloatArray(_) | Ty::Struct(_)))
            .collect();
        free.sort();
        free.dedup();
        free
    }

    fn walk(&self, region: Region, inside: &mut SecondaryMap<Value, bool>, used: &mut Vec<Value>) {
        let data = &self.primal.regions[region];
        for &arg in &data.args {
            inside[arg] = true;
        }
        for &inst in &data.insts {
            used.extend(&self.primal.insts[inst].args);
            for nested in self.primal.inst_regions(inst) {
                self.walk(nested, inside, used);
            }
            for &result in &self.primal.insts[inst].results {
                inside[result] = true;
            }
        }
        used.extend(&data.yields);
    }

    /// Reverses `inst`'s region into `region` of the adjoint: `start` runs first (it
    /// seeds the adjoints flowing in), then the primal region is reversed; the
    /// region yields what `finish` computes.
    fn reverse_region(
        &mut self,
        region: Region,
        primal_region: Region,
        free: &[Value],
        start: impl FnOnce(&mut Self),
        finish: impl FnOnce(&mut Self) -> Vec<Value>,
    ) {
        let outer = std::mem::replace(&mut self.target, region);
        self.enclosing.push(outer);
        let saved: Vec<Vec<Term>> = free
            .iter()
            .map(|&u| std::mem::take(&mut self.terms[u]))
            .collect();
        start(self);
        self.insts(primal_region);
        let yields = finish(self);
        self.func.regions[region].yields = yields;
        for (&u, terms) in free.iter().zip(saved) {
            self.terms[u] = terms;
        }
        self.enclosing.pop();
        self.target = outer;
    }

    /// `if c { then } else { otherwise }` reversed: `if c { then reversed } else { … }`,
    /// yielding what each branch contributes to the adjoints of values from outside.
    fn reverse_if(&mut self, inst: Inst, then: Region, otherwise: Region) {
        let data = &self.primal.insts[inst];
        if !self.activity.needs_reverse(self.primal, inst) {
            return;
        }
        let (results, cond) = (data.results.clone(), data.args[0]);
        let adjoints: Vec<Option<Value>> = results
            .iter()
            .map(|&r| {
                if self.activity.is_active(r) {
                    self.adjoint_of(r)
                } else {
                    None
                }
            })
            .collect();
        let free = self.free_active(&[then, otherwise]);
        let tys: Vec<Ty> = free.iter().map(|&u| self.ty(u)).collect();
        let (rev_then, rev_otherwise) = (self.func.new_region(), self.func.new_region());
        let op = Op::If {
            then: rev_then,
            otherwise: rev_otherwise,
        };
        let cond = self.read(cond);
        let contributions = self.push(op, vec![cond], &tys);
        for (branch, rev_branch) in [(then, rev_then), (otherwise, rev_otherwise)] {
            let yields = self.primal.regions[branch].yields.clone();
            self.alias_yielded_buffers(branch, &yields, &results);
            let seed = |this: &mut Self| {
                for (&yielded, adjoint) in yields.iter().zip(&adjoints) {
                    if let Some(adjoint) = *adjoint {
                        this.contribute(yielded, Term::plus(adjoint));
                    }
                }
            };
            let finish = |this: &mut Self| free.iter().map(|&u| this.adjoint_or_zero(u)).collect();
            self.reverse_region(rev_branch, branch, &free, seed, finish);
        }
        for (&u, &contribution) in free.iter().zip(&contributions) {
            self.contribute(u, Term::plus(contribution));
        }
    }

    /// The adjoint buffer of an active float array that an `if` yields as its
    /// result `k`: of the array's fixed length if the `then` branch builds it as a
    /// literal (`[a, b]`), so that it can be made in a loop's reversed body too;
    /// otherwise of the result's length, which top-level code still has.
    fn branch_result_buffer(&mut self, then: Region, k: usize, result: Value) {
        if !matches!(self.ty(result), Ty::FloatArray(_)) || !self.activity.is_active(result) {
            return;
        }
        let yielded = self.primal.regions[then].yields[k];
        let fixed_len = match self.primal.values[yielded].def {
            ValueDef::Result(inst, _) => match &self.primal.insts[inst].op {
                Op::NewBuffer { fixed_len } => fixed_len.clone(),
                _ => None,
            },
            _ => None,
        };
        if fixed_len.is_none() && !self.top_level[result] {
            // Not supported yet: left without a buffer, its uses' contributions stay
            // unpropagated and `build` reports them.
            return;
        }
        let len = match fixed_len {
            Some(_) => Vec::new(),
            None => vec![self.push1(Op::Len, vec![result], Ty::Index)],
        };
        let op = Op::AdjointBuffer { fixed_len };
        let buffer = self.push1(op, len, self.ty(result));
        self.buffers[result] = Some(buffer);
    }

    /// A float array that a branch builds and yields (`if c { [a, b] } else { … }`)
    /// has the adjoint buffer of the `if`'s result: reversing the branch's writes
    /// takes the adjoints that the uses after the `if` left there. Any other yielded
    /// array (one from outside the branch) is not supported yet: its contribution
    /// is left unpropagated, which stops the compile with an internal error rather
    /// than giving a wrong derivative.
    fn alias_yielded_buffers(&mut self, branch: Region, yields: &[Value], results: &[Value]) {
        assert_eq!(
            yields.len(),
            results.len(),
            "an `if` yields one value per result"
        );
        for (&yielded, &result) in yields.iter().zip(results) {
            let Some(buffer) = self.buffers[result] else {
                continue;
            };
            let built_here = match self.primal.values[yielded].def {
                ValueDef::Result(inst, _) => self.primal.regions[branch].insts.contains(&inst),
                _ => false,
            };
            if built_here && self.buffers[yielded].is_none() {
                self.buffers[yielded] = Some(buffer);
            } else {
                self.contribute(yielded, Term::plus(buffer));
            }
        }
    }

    /// A loop reversed: a loop over the recorded trip count whose body reverses the
    /// primal body, carrying the adjoints of the active loop-carried values (the
    /// body's arguments from `skip` on) and of the values from outside it reads.
    fn reverse_loop(&mut self, inst: Inst) {
        let primal = self.primal;
        let data = &primal.insts[inst];
        let results = data.results.clone();
        if !self.activity.needs_reverse(primal, inst) {
            return;
        }
        let view = primal
            .loop_view(inst)
            .expect("reverse_loop is called on loops");
        let (body, skip, inits) = (view.body, view.skip, view.inits);
        let body_args = self.primal.regions[body].args.clone();
        let body_yields = self.primal.regions[body].yields.clone();
        let carried: Vec<usize> = (0..inits.len())
            .filter(|&k| self.activity.is_active(body_args[skip + k]))
            .collect();
        let free = self.free_active(&[body]);
        // Over the primal indices backwards if it can, else as often as it ran.
        let reversed = reversed_range(&data.op);
        let (range, mut args) = match reversed.clone() {
            Some(range) => {
                let bounds = [data.args[0], data.args[1]];
                (
                    range,
                    bounds.into_iter().map(|bound| self.read(bound)).collect(),
                )
            }
            None => {
                let trip = self.read(*results.last().expect("loops return their trip count"));
                let zero = syn::Lit::Int(syn::LitInt::new("0", proc_macro2::Span::call_site()));
                let start = self.push1(Op::Const(zero), Vec::new(), Ty::Index);
                let range = RangeShape {
                    inclusive: false,
                    adapters: Vec::new(),
                };
                (range, vec![start, trip])
            }
        };
        for &k in &carried {
            let adjoint = self.adjoint_or_zero(results[k]);
            args.push(adjoint);
        }
        for &u in &free {
            let ty = self.ty(u);
            args.push(self.push1(Op::Zero, Vec::new(), ty));
        }
        let rev_body = self.func.new_region();
        if reversed.is_some() {
            // The reverse loop runs over the same indices: it keeps the user's name.
            let hint = self.func.values[body_args[0]].hint.clone();
            let index = self
                .func
                .add_region_arg(rev_body, self.ty(body_args[0]), hint);
            self.recorded[body_args[0]] = Some(index);
        } else {
            self.func.add_region_arg(rev_body, Ty::Index, None);
        }
        let adjoint_args: Vec<Value> = carried
            .iter()
            .map(|&k| {
                let primal_arg = body_args[skip + k];
                let hint = self.func.values[primal_arg]
                    .hint
                    .as_ref()
                    .map(|h| format!("d_{h}"));
                self.func
                    .add_region_arg(rev_body, self.ty(primal_arg), hint)
            })
            .collect();
        let accumulators: Vec<Value> = free
            .iter()
            .map(|&u| {
                let hint = self.func.values[u].hint.as_ref().map(|h| format!("d_{h}"));
                self.func.add_region_arg(rev_body, self.ty(u), hint)
            })
            .collect();
        let mut tys: Vec<Ty> = carried
            .iter()
            .map(|&k| self.ty(body_args[skip + k]))
            .collect();
        tys.extend(free.iter().map(|&u| self.ty(u)));
        tys.push(Ty::Index);
        let op = Op::For {
            body: rev_body,
            range,
            exit: None,
        };
        let reversed = self.push(op, args, &tys);

        let seed = |this: &mut Self| {
            for (&u, &accumulator) in free.iter().zip(&accumulators) {
                this.terms[u].push(Term::plus(accumulator));
            }
            for (&k, &adjoint) in carried.iter().zip(&adjoint_args) {
                this.contribute(body_yields[k], Term::plus(adjoint));
            }
        };
        let finish = |this: &mut Self| {
            let mut yields: Vec<Value> = carried
                .iter()
                .map(|&k| this.adjoint_or_zero(body_args[skip + k]))
                .collect();
            yields.extend(free.iter().map(|&u| this.adjoint_or_zero(u)));
            yields
        };
        self.reverse_region(rev_body, body, &free, seed, finish);
        for (j, &k) in carried.iter().enumerate() {
            self.contribute(inits[k], Term::plus(reversed[j]));
        }
        for (i, &u) in free.iter().enumerate() {
            self.contribute(u, Term::plus(reversed[carried.len() + i]));
        }
    }
}

fn float_type(ty: FloatTy) -> syn::Type {
    match ty {
        FloatTy::F32 => syn::parse_quote!(f32),
        FloatTy::F64 => syn::parse_quote!(f64),
    }
}
