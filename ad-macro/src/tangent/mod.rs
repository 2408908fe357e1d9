//! The tangent (forward-mode) transformation: IR → the same IR in which every
//! value that depends on a seeded parameter also computes its tangent, in program
//! order, right after the value itself.
//!
//! It runs on any IR. On the primal it gives `f_jvp`: the value and ∇f·t in one
//! sweep, nothing recorded. On the adjoint it gives `f_hvp`, forward-over-reverse:
//! the forward sweep computes tangents beside values, each recorded float is
//! recorded with its tangent, and the reverse sweep computes the tangents of the
//! adjoints, which are H·v. The reverse sweep's partial derivatives get their
//! tangents from the same runtime rules evaluated over dual numbers
//! ([`Op::PartialsTangent`]), so second order needs no second table.
//!
//! The rewrite is in place: each instruction stays, followed by the instructions of
//! its tangent. Loops carry the tangents of their varied carried values as extra
//! carried values, branches yield them as extra results, and calls of other
//! differentiated functions become calls of their tangent entry points
//! ([`Op::ApplyTangent`], [`Op::ApplyHvp`]).

mod varied;

use crate::ir::{
    BinOp, Function, Inst, Op, Param, ParamKind, Prim, Region, SecondaryMap, Slot, SourceSpan, Ty,
    Value, ValueDef,
};
use crate::rules::{rule, Rule};
use std::collections::HashMap;

/// What the tangent function returns besides the original results.
#[derive(Copy, Clone, PartialEq, Eq)]
pub enum Returned {
    /// The original value only (`f_hvp`, whose tangents leave through buffers).
    Value,
    /// The value, then its tangent (`f_jvp`).
    ValueAndTangent,
}

/// The tangent of `func` when the parameters in `seeded` (primal parameters or the
/// seed) are given tangents. Every adjoint buffer gets a tangent buffer beside it.
/// An error, spanned at the user's code, for what has no tangent yet.
pub fn tangent(func: &Function, seeded: &[usize], returned: Returned) -> syn::Result<Function> {
    let mut out = func.clone();
    out.name = format!("{}_tangent", func.name);
    let mut tangents = HashMap::new();
    let mut tangent_params = HashMap::new();
    let mut with_tangent = Vec::new();
    let buffers = func
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(p.kind, ParamKind::AdjointOut { .. }))
        .map(|(k, _)| k);
    for of in seeded.iter().copied().chain(buffers) {
        let param = &func.params[of];
        let index = out.params.len();
        let value = param.value.map(|value| {
            let hint = func.values[value].hint.as_ref().map(|h| format!("t_{h}"));
            let tangent = out.new_value(param.ty, ValueDef::Param(index), hint);
            tangents.insert(value, tangent);
            tangent
        });
        out.params.push(Param {
            kind: ParamKind::Tangent { of },
            value,
            ty: param.ty,
        });
        tangent_params.insert(of, index);
        if value.is_some() {
            with_tangent.push(of);
        }
    }
    let varied = varied::varied(func, &with_tangent);
    let mut pass = Tangent {
        func,
        out,
        varied,
        tangents,
        tangent_params,
        current: Vec::new(),
        errors: Vec::new(),
    };
    pass.region(func.body);
    if returned == Returned::ValueAndTangent {
        let body = func.body;
        let value = func.returned();
        let tangent = match func.values[value].ty {
            Ty::FloatArray(_) => pass.array_tangent_at_end(body, value),
            _ => pass.tangent_at_end(body, value, Ty::Float(func.ret)),
        };
        pass.out.regions[body].yields.push(tangent);
    }
    let mut errors = pass.errors.into_iter();
    match errors.next() {
        None => Ok(pass.out),
        Some(mut first) => {
            first.extend(errors);
            Err(first)
        }
    }
}

struct Tangent<'f> {
    /// The function as it was: what each value and instruction meant.
    func: &'f Function,
    out: Function,
    varied: SecondaryMap<Value, bool>,
    /// The tangent of each varied value of `func`.
    tangents: HashMap<Value, Value>,
    /// The tangent parameter of each parameter that has one.
    tangent_params: HashMap<usize, usize>,
    /// The instructions of the region being rewritten, in their new order.
    current: Vec<Inst>,
    /// What has no tangent yet, at the user's code.
    errors: Vec<syn::Error>,
}

impl Tangent<'_> {
    fn ty(&self, value: Value) -> Ty {
        self.func.values[value].ty
    }

    fn tangent(&self, value: Value) -> Option<Value> {
        self.tangents.get(&value).copied()
    }

    /// A new instruction at the current point.
    fn push(&mut self, op: Op, args: Vec<Value>, tys: &[Ty]) -> Vec<Value> {
        let inst = self
            .out
            .detached_inst(op, args, tys, SourceSpan::generated());
        self.current.push(inst);
        self.out.insts[inst].results.clone()
    }

    fn push1(&mut self, op: Op, args: Vec<Value>, ty: Ty) -> Value {
        self.push(op, args, &[ty])[0]
    }

    /// Binds `value`'s tangent, named after it.
    fn bind(&mut self, value: Value, tangent: Value) {
        if self.out.values[tangent].hint.is_none() {
            self.out.values[tangent].hint = self.func.values[value]
                .hint
                .as_ref()
                .map(|h| format!("t_{h}"));
        }
        self.tangents.insert(value, tangent);
    }

    /// The tangent of an array that is varied (written with varied values, or read
    /// where a varied value is computed). The analysis gives every such array a
    /// tangent where it is made; if one is missing all the same, that is a bug of
    /// this pass, reported as an internal error rather than a dropped tangent, unless
    /// an error at the user's code already explains it.
    fn memory_tangent(&mut self, array: Value) -> Option<Value> {
        let tangent = self.tangent(array);
        if tangent.is_none() && self.errors.is_empty() {
            self.errors.push(syn::Error::new(
                proc_macro2::Span::call_site(),
                format!(
                    "internal error in #[differentiate] (please report it): tangent: \
                     {array} is varied but has no tangent"
                ),
            ));
        }
        tangent
    }

    /// `value`'s tangent, or where it has none, a zero of type `ty` (the float type
    /// where it is used: a literal's own type is not yet known).
    fn tangent_or_zero(&mut self, value: Value, ty: Ty) -> Value {
        match self.tangent(value) {
            Some(tangent) => tangent,
            None => self.push1(Op::Zero, Vec::new(), ty),
        }
    }

    /// `value`'s tangent at the end of `region`, after it has been rewritten, or a
    /// zero of type `ty`.
    fn tangent_at_end(&mut self, region: Region, value: Value, ty: Ty) -> Value {
        if let Some(tangent) = self.tangent(value) {
            return tangent;
        }
        let inst = self
            .out
            .detached_inst(Op::Zero, Vec::new(), &[ty], SourceSpan::generated());
        self.out.regions[region].insts.push(inst);
        self.out.insts[inst].results[0]
    }

    /// The tangent of a returned vector at the end of `region`: zeros of its shape
    /// where it does not depend on the inputs.
    fn array_tangent_at_end(&mut self, region: Region, array: Value) -> Value {
        if let Some(tangent) = self.tangent(array) {
            return tangent;
        }
        let ty = self.ty(array);
        let fixed_len = match self.func.values[array].def {
            ValueDef::Result(inst, _) => match &self.func.insts[inst].op {
                Op::NewBuffer { fixed_len } => fixed_len.clone(),
                _ => None,
            },
            _ => None,
        };
        let outer = std::mem::take(&mut self.current);
        let zero = self.push1(Op::Zero, Vec::new(), element(ty));
        let mut args = vec![zero];
        if fixed_len.is_none() {
            args.push(self.push1(Op::Len, vec![array], Ty::Index));
        }
        let tangent = self.push1(Op::NewBuffer { fixed_len }, args, ty);
        let insts = std::mem::replace(&mut self.current, outer);
        self.out.regions[region].insts.extend(insts);
        tangent
    }

    fn bin(&mut self, op: BinOp, a: Value, b: Value, ty: Ty) -> Value {
        self.push1(Op::Bin(op), vec![a, b], ty)
    }

    /// Rewrites `region` in place: each instruction followed by its tangent's.
    fn region(&mut self, region: Region) {
        let insts = std::mem::take(&mut self.out.regions[region].insts);
        let outer = std::mem::take(&mut self.current);
        for inst in insts {
            self.inst(inst);
        }
        self.out.regions[region].insts = std::mem::replace(&mut self.current, outer);
    }

    fn inst(&mut self, inst: Inst) {
        let data = &self.func.insts[inst];
        let (op, args, results) = (data.op.clone(), data.args.clone(), data.results.clone());
        match op {
            Op::If { then, otherwise } => return self.branch(inst, then, otherwise),
            Op::For { .. } | Op::While { .. } => return self.loop_(inst),
            // The tangent was pushed after the value, so it is taken back first.
            Op::Pop if self.varied[results[0]] => {
                let tangent = self.push1(Op::Pop, Vec::new(), self.ty(results[0]));
                self.current.push(inst);
                return self.bind(results[0], tangent);
            }
            Op::Apply(callee) if self.varied[results[0]] => {
                return self.apply(inst, callee, &args, results[0])
            }
            Op::ApplyAdjoint(callee, slots) if args.iter().any(|&a| self.varied[a]) => {
                return self.apply_adjoint(inst, callee, slots)
            }
            _ => self.current.push(inst),
        }
        let varied = |v: Value| self.varied[v];
        match (op, &args[..]) {
            (Op::Bin(op @ (BinOp::Add | BinOp::Sub)), &[a, b]) if varied(results[0]) => {
                let ty = self.ty(results[0]);
                let tangent = match (self.tangent(a), self.tangent(b)) {
                    (Some(ta), Some(tb)) => self.bin(op, ta, tb, ty),
                    (Some(ta), None) => ta,
                    (None, Some(tb)) if op == BinOp::Add => tb,
                    (None, Some(tb)) => self.push1(Op::Neg, vec![tb], ty),
                    (None, None) => return,
                };
                self.bind(results[0], tangent);
            }
            (Op::Bin(BinOp::Mul), &[a, b]) if varied(results[0]) => {
                let ty = self.ty(results[0]);
                let tangent = self.product_rule(&[(a, b), (b, a)], ty);
                self.bind(results[0], tangent);
            }
            (Op::Bin(BinOp::Div), &[a, b]) if varied(results[0]) => {
                // d(a/b) = (da − (a/b)·db) / b
                let (ty, quotient) = (self.ty(results[0]), results[0]);
                let numerator = match (self.tangent(a), self.tangent(b)) {
                    (ta, Some(tb)) => {
                        let scaled = self.bin(BinOp::Mul, quotient, tb, ty);
                        match ta {
                            Some(ta) => self.bin(BinOp::Sub, ta, scaled, ty),
                            None => self.push1(Op::Neg, vec![scaled], ty),
                        }
                    }
                    (Some(ta), None) => ta,
                    (None, None) => return,
                };
                let tangent = self.bin(BinOp::Div, numerator, b, ty);
                self.bind(results[0], tangent);
            }
            (Op::Neg, &[a]) => {
                if let Some(ta) = self.tangent(a) {
                    let tangent = self.push1(Op::Neg, vec![ta], self.ty(results[0]));
                    self.bind(results[0], tangent);
                }
            }
            (Op::Ascribe(_), &[a]) => {
                if let (true, Some(ta)) = (varied(results[0]), self.tangent(a)) {
                    self.bind(results[0], ta);
                }
            }
            (Op::Cast(ty), &[a]) => {
                if let (true, Some(ta)) = (varied(results[0]), self.tangent(a)) {
                    let tangent = self.push1(Op::Cast(ty), vec![ta], self.ty(results[0]));
                    self.bind(results[0], tangent);
                }
            }
            (Op::Call { prim, .. }, _) if varied(results[0]) => {
                self.call(prim, &args, results[0]);
            }
            (Op::Partials(prim), _) if results.iter().any(|&r| varied(r)) => {
                self.partials(prim, &args, &results);
            }
            (
                Op::Index
                | Op::TakeAt
                | Op::SumOf
                | Op::Window { .. }
                | Op::Slice { .. }
                | Op::Project { .. }
                | Op::ProjectMut { .. }
                | Op::CopyOf { .. },
                _,
            ) if varied(results[0]) => {
                let op = self.out.insts[inst].op.clone();
                let Some(array) = self.memory_tangent(args[0]) else {
                    return;
                };
                let mut tangent_args = args.clone();
                tangent_args[0] = array;
                let tangent = self.push1(op, tangent_args, self.ty(results[0]));
                self.bind(results[0], tangent);
            }
            (Op::NewBuffer { fixed_len }, _) if varied(results[0]) => {
                let mut tangent_args = args.clone();
                tangent_args[0] = self.tangent_or_zero(args[0], element(self.ty(results[0])));
                let op = Op::NewBuffer { fixed_len };
                let tangent = self.push1(op, tangent_args, self.ty(results[0]));
                self.bind(results[0], tangent);
            }
            (op @ (Op::EmptyBuffer | Op::AdjointBuffer { .. }), _) if varied(results[0]) => {
                let tangent = self.push1(op, args.clone(), self.ty(results[0]));
                self.bind(results[0], tangent);
            }
            (op @ (Op::Store | Op::Append), &[array, index, value]) if varied(array) => {
                let ty = element(self.ty(array));
                let Some(array) = self.memory_tangent(array) else {
                    return;
                };
                let value = self.tangent_or_zero(value, ty);
                self.push(op, vec![array, index, value], &[]);
            }
            (Op::AccumulateAt, &[buffer, index, value]) => {
                if let (Some(tangent), Some(buffer)) =
                    (self.tangent(value), self.memory_tangent(buffer))
                {
                    self.push(Op::AccumulateAt, vec![buffer, index, tangent], &[]);
                }
            }
            (Op::AddTo, &[place, value]) => {
                if let (Some(tangent), Some(place)) =
                    (self.tangent(value), self.memory_tangent(place))
                {
                    self.push(Op::AddTo, vec![place, tangent], &[]);
                }
            }
            (Op::Accumulate { param }, &[value]) => {
                if let Some(tangent) = self.tangent(value) {
                    let param = self.tangent_params[&param];
                    self.push(Op::Accumulate { param }, vec![tangent], &[]);
                }
            }
            (Op::Push, &[value]) if matches!(self.ty(value), Ty::Float(_)) => {
                let tangent = self.tangent_or_zero(value, self.ty(value));
                self.push(Op::Push, vec![tangent], &[]);
            }
            _ => {}
        }
    }

    /// The sum of `terms` (zero for none).
    fn sum(&mut self, terms: &[Value], ty: Ty) -> Value {
        match terms {
            [] => self.push1(Op::Zero, Vec::new(), ty),
            [first, rest @ ..] => rest
                .iter()
                .fold(*first, |sum, &term| self.bin(BinOp::Add, sum, term, ty)),
        }
    }

    /// `prim(args) = result`: the tangent is Σ ∂prim/∂argᵢ · tᵢ.
    fn call(&mut self, prim: Prim, args: &[Value], result: Value) {
        if rule(prim) == Rule::Zero {
            return;
        }
        let ty = self.ty(result);
        let float_args = prim.float_args(args);
        let mut rule_args = args.to_vec();
        rule_args.push(result);
        let partials = self.push(Op::Partials(prim), rule_args, &vec![ty; float_args.len()]);
        let pairs: Vec<(Value, Value)> = float_args.into_iter().zip(partials).collect();
        let tangent = self.product_rule(&pairs, ty);
        self.bind(result, tangent);
    }

    /// Σ t(x)·factor over the pairs `(x, factor)` whose `x` has a tangent: the tangent
    /// of a product, or of a call from its partials.
    fn product_rule(&mut self, pairs: &[(Value, Value)], ty: Ty) -> Value {
        let terms: Vec<(Value, Value)> = pairs
            .iter()
            .filter_map(|&(x, factor)| Some((self.tangent(x)?, factor)))
            .collect();
        let terms: Vec<Value> = terms
            .into_iter()
            .map(|(t, factor)| self.bin(BinOp::Mul, t, factor, ty))
            .collect();
        self.sum(&terms, ty)
    }

    /// The tangents of a rule's partials: the rule over dual numbers.
    fn partials(&mut self, prim: Prim, args: &[Value], results: &[Value]) {
        // The output is the rule's last argument, and it has a tangent too.
        let mut float_args = prim.float_args(args);
        float_args.extend(args.last());
        let tys: Vec<Ty> = results.iter().map(|&r| self.ty(r)).collect();
        let mut dual_args = args.to_vec();
        for arg in float_args {
            let tangent = self.tangent_or_zero(arg, tys[0]);
            dual_args.push(tangent);
        }
        let tangents = self.push(Op::PartialsTangent(prim), dual_args, &tys);
        for (&result, tangent) in results.iter().zip(tangents) {
            self.bind(result, tangent);
        }
    }

    /// The tangent slot of each argument of a call and the operands they take.
    fn tangent_slots(&mut self, method: bool, slotted: &[Value]) -> (Vec<Slot>, Vec<Value>) {
        let mut operands = Vec::new();
        // A method's constant receiver: zeros of the callee's receiver slot.
        let receiver = usize::from(method && !matches!(self.ty(slotted[0]), Ty::Struct(_)));
        let slots = slotted
            .iter()
            .enumerate()
            .map(|(k, &arg)| match self.ty(arg) {
                _ if k < receiver => Slot::Inferred,
                Ty::Float(float) => {
                    operands.push(self.tangent_or_zero(arg, Ty::Float(float)));
                    Slot::Scalar(float)
                }
                Ty::FloatArray(float) => match self.tangent(arg) {
                    Some(tangent) => {
                        operands.push(tangent);
                        Slot::Buffer
                    }
                    None => Slot::Scratch(float),
                },
                Ty::Struct(_) => match self.tangent(arg) {
                    Some(tangent) => {
                        operands.push(tangent);
                        Slot::Buffer
                    }
                    None => Slot::Inferred,
                },
                _ if is_opaque_reference(self.func, arg) => Slot::Inferred,
                _ => Slot::Constant,
            })
            .collect();
        (slots, operands)
    }

    /// A call of a differentiated function becomes a call of its tangent entry point,
    /// which returns the value and its tangent.
    fn apply(&mut self, inst: Inst, callee: Box<crate::ir::Callee>, args: &[Value], result: Value) {
        // A vector-valued callee's `_jvp_all` returns the vector's tangent, bound
        // like a local buffer's; its forward-over-reverse, which the tangent of an
        // adjoint (with its seed parameter) would call, does not exist yet.
        let of_adjoint = (self.func.params.iter()).any(|p| matches!(p.kind, ParamKind::Seed));
        if of_adjoint && matches!(self.ty(result), Ty::FloatArray(_)) {
            return self.vector_callee(inst);
        }
        let slotted = args;
        let (slots, operands) = self.tangent_slots(callee.method, slotted);
        let tangent = self
            .out
            .new_value(self.ty(result), ValueDef::Result(inst, 1), None);
        let data = &mut self.out.insts[inst];
        data.op = Op::ApplyTangent(callee, slots);
        data.args.extend(operands);
        data.results.push(tangent);
        self.current.push(inst);
        self.bind(result, tangent);
    }

    /// A reversed call becomes the callee's forward-over-reverse entry point: the
    /// adjoints it adds and their tangents.
    fn apply_adjoint(&mut self, inst: Inst, callee: Box<crate::ir::Callee>, slots: Vec<Slot>) {
        let data = self.func.insts[inst].clone();
        let primal = slots.len();
        if matches!(self.ty(data.args[primal]), Ty::FloatArray(_)) {
            return self.vector_callee(inst);
        }
        let (tangent_slots, tangent_operands) =
            self.tangent_slots(callee.method, &data.args[..primal]);
        let seed = data.args[primal];
        let t_seed = self.tangent_or_zero(seed, self.ty(seed));
        let buffers = &data.args[primal + 1..];
        let Some(tangent_buffers) = buffers
            .iter()
            .map(|&b| self.memory_tangent(b))
            .collect::<Option<Vec<Value>>>()
        else {
            return self.current.push(inst);
        };
        let mut args = data.args[..primal].to_vec();
        args.extend(tangent_operands);
        args.extend([seed, t_seed]);
        args.extend(buffers);
        args.extend(tangent_buffers);
        let scalars = data.results.len();
        let tangents: Vec<Value> = data
            .results
            .iter()
            .enumerate()
            .map(|(k, &r)| {
                let def = ValueDef::Result(inst, scalars + k);
                self.out.new_value(self.ty(r), def, None)
            })
            .collect();
        let out = &mut self.out.insts[inst];
        out.op = Op::ApplyHvp {
            callee,
            slots,
            tangents: tangent_slots,
        };
        out.args = args;
        out.results.extend(&tangents);
        self.current.push(inst);
        for (&result, tangent) in data.results.iter().zip(tangents) {
            self.bind(result, tangent);
        }
    }

    /// A vector-valued callee has no forward mode yet: an error at the call (reported
    /// once, from the forward sweep's call), and the call kept without a tangent.
    fn vector_callee(&mut self, inst: Inst) {
        self.current.push(inst);
        if matches!(self.func.insts[inst].op, Op::Apply(_)) {
            let span = self.func.insts[inst].span;
            self.errors.push(syn::Error::new(
                span.start,
                "a function with the `hessian` option cannot call a vector-valued \
                 function yet: compute the vector inline, or take the option off \
                 (`forward` can)",
            ));
        }
    }

    /// Each branch yields the tangents of the varied results after its own values.
    fn branch(&mut self, inst: Inst, then: Region, otherwise: Region) {
        self.current.push(inst);
        self.region(then);
        self.region(otherwise);
        let results = self.func.insts[inst].results.clone();
        for (k, &result) in results.iter().enumerate() {
            if !self.varied[result] {
                continue;
            }
            for region in [then, otherwise] {
                let yielded = self.func.regions[region].yields[k];
                // A branch's constant array (`if c { [1.0, 0.0] } else { [x, y] }`)
                // has a tangent of zeros of its shape.
                let tangent = match self.ty(result) {
                    Ty::FloatArray(_) => self.array_tangent_at_end(region, yielded),
                    ty => self.tangent_at_end(region, yielded, ty),
                };
                self.out.regions[region].yields.push(tangent);
            }
            let index = self.out.insts[inst].results.len();
            let tangent = self
                .out
                .new_value(self.ty(result), ValueDef::Result(inst, index), None);
            self.out.insts[inst].results.push(tangent);
            self.bind(result, tangent);
        }
    }

    /// A loop carries the tangent of each varied carried value after the values.
    fn loop_(&mut self, inst: Inst) {
        let view = self.func.loop_view(inst).expect("loops have a loop view");
        let (regions, skip, body) = (view.regions.clone(), view.skip, view.body);
        let (inits, results) = (view.inits.to_vec(), view.results.to_vec());
        let carried: Vec<usize> = (0..inits.len())
            .filter(|&k| self.varied[self.func.regions[body].args[skip + k]])
            .collect();
        let tangent_inits: Vec<Value> = carried
            .iter()
            .map(|&k| self.tangent_or_zero(inits[k], self.ty(results[k])))
            .collect();
        for &region in &regions {
            for &k in &carried {
                let arg = self.func.regions[region].args[skip + k];
                let hint = self.func.values[arg]
                    .hint
                    .as_ref()
                    .map(|h| format!("t_{h}"));
                let tangent = self.out.add_region_arg(region, self.ty(arg), hint);
                self.tangents.insert(arg, tangent);
            }
        }
        for &region in &regions {
            self.region(region);
        }
        for &k in &carried {
            let yielded = self.func.regions[body].yields[k];
            let tangent = self.tangent_at_end(body, yielded, self.ty(results[k]));
            self.out.regions[body].yields.push(tangent);
        }
        let trip = *self.func.insts[inst]
            .results
            .last()
            .expect("loops return their trip count");
        let tangent_results: Vec<Value> = carried
            .iter()
            .enumerate()
            .map(|(j, &k)| {
                let def = ValueDef::Result(inst, results.len() + j);
                let tangent = self.out.new_value(self.ty(results[k]), def, None);
                self.bind(results[k], tangent);
                tangent
            })
            .collect();
        self.out.values[trip].def = ValueDef::Result(inst, results.len() + carried.len());
        let data = &mut self.out.insts[inst];
        data.args.extend(tangent_inits);
        data.results.pop();
        data.results.extend(tangent_results);
        data.results.push(trip);
        self.current.push(inst);
    }
}

/// The type of an element of a float array.
fn element(array: Ty) -> Ty {
    match array {
        Ty::FloatArray(float) => Ty::Float(float),
        other => other,
    }
}

/// Whether `value` is a reference the macro did not look into (`&self.c`): the
/// callee may differentiate what it points to.
fn is_opaque_reference(func: &Function, value: Value) -> bool {
    let ValueDef::Result(inst, _) = func.values[value].def else {
        return false;
    };
    matches!(&func.insts[inst].op, Op::Opaque(opaque)
        if matches!(opaque.expr, syn::Expr::Reference(_)))
}
