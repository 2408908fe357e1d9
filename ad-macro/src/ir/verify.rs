//! The IR verifier: run after every pass, so a pass that breaks an invariant fails
//! where it broke it (as an internal error), not in the emitted Rust.
//!
//! Besides the invariants in the module doc of [`crate::ir`]: every instruction of
//! the arena sits in exactly one region and every region belongs to exactly one
//! instruction (or is the body), so a pass cannot leave removed code behind; the
//! reverse sweep's operations appear only in a function with a seed; and values
//! that meet (operands of arithmetic, a branch's yields and results, a loop's
//! initial, carried, yielded and final values) have types that agree.

use super::{ArgKind, Function, Inst, Op, ParamKind, Region, SecondaryMap, Ty, Value, ValueDef};

/// Checks the invariants listed in the module doc of [`crate::ir`].
pub fn verify(func: &Function) -> Result<(), String> {
    let mut checker = Checker {
        func,
        derivative: func
            .params
            .iter()
            .any(|param| matches!(param.kind, ParamKind::Seed | ParamKind::Tangent { .. })),
        visible: SecondaryMap::with_default(func.values.len(), false),
        defined: SecondaryMap::with_default(func.values.len(), false),
    };
    for (k, param) in func.params.iter().enumerate() {
        if let Some(value) = param.value {
            if func.values[value].def != ValueDef::Param(k) {
                return Err(format!("{value} is not defined by parameter {k}"));
            }
            checker.define(value)?;
        }
    }
    placement(func)?;
    checker.region(func.body, 0, returned(func))
}

/// How many values the body yields: the value, and in forward mode (tangents
/// without a seed) its tangent.
fn returned(func: &Function) -> usize {
    let has = |kind: fn(&ParamKind) -> bool| func.params.iter().any(|p| kind(&p.kind));
    let forward =
        has(|k| matches!(k, ParamKind::Tangent { .. })) && !has(|k| matches!(k, ParamKind::Seed));
    1 + usize::from(forward)
}

/// Every instruction in one region, every region owned once.
fn placement(func: &Function) -> Result<(), String> {
    let mut placed = SecondaryMap::with_default(func.insts.len(), 0usize);
    let mut owned = SecondaryMap::with_default(func.regions.len(), 0usize);
    owned[func.body] += 1;
    for region in func.regions.keys() {
        for &inst in &func.regions[region].insts {
            placed[inst] += 1;
        }
    }
    for inst in func.insts.keys() {
        match placed[inst] {
            0 => {
                return Err(format!(
                    "{inst} is in no region (removed but not compacted)"
                ))
            }
            1 => {}
            _ => return Err(format!("{inst} is in more than one region")),
        }
        for region in func.inst_regions(inst) {
            owned[region] += 1;
        }
    }
    match func.regions.keys().find(|&region| owned[region] != 1) {
        Some(region) => Err(format!(
            "{region} belongs to {} instructions; expected one",
            owned[region]
        )),
        None => Ok(()),
    }
}

/// Whether `op` belongs to a derivative (the reverse sweep, the forward sweep's
/// recording, a tangent), which only a function with a seed or tangent parameters has.
fn is_derivative_only(op: &Op) -> bool {
    matches!(
        op,
        Op::Partials(_)
            | Op::PartialsTangent(_)
            | Op::ApplyTangent(..)
            | Op::ApplyHvp { .. }
            | Op::Accumulate { .. }
            | Op::Push
            | Op::Pop
            | Op::AccumulateAt
            | Op::TakeAt
            | Op::SumOf
            | Op::AdjointBuffer { .. }
            | Op::ApplyAdjoint(..)
            | Op::ProjectMut { .. }
            | Op::AddTo
    )
}

/// How many tangent operands a call's tangent slots take: one per scalar and per
/// array with a tangent.
fn tangent_operands(slots: &[crate::ir::Slot]) -> usize {
    slots
        .iter()
        .filter(|s| matches!(s, crate::ir::Slot::Scalar(_) | crate::ir::Slot::Buffer))
        .count()
}

/// Whether values of types `a` and `b` can stand for one another: a float array is
/// never a scalar, and two known float widths agree.
fn compatible(a: Ty, b: Ty) -> bool {
    match (a, b) {
        (Ty::FloatArray(x), Ty::FloatArray(y)) => x == y,
        (Ty::FloatArray(_), _) | (_, Ty::FloatArray(_)) => false,
        (Ty::Float(x), Ty::Float(y)) => x == y,
        _ => true,
    }
}

struct Checker<'f> {
    func: &'f Function,
    /// Whether the function has a seed or tangents: only then may the operations of
    /// derivatives appear.
    derivative: bool,
    /// In scope at the current point: defined earlier in this region or an enclosing one.
    visible: SecondaryMap<Value, bool>,
    defined: SecondaryMap<Value, bool>,
}

impl Checker<'_> {
    fn define(&mut self, value: Value) -> Result<(), String> {
        if self.defined[value] {
            return Err(format!("{value} is defined twice"));
        }
        self.defined[value] = true;
        self.visible[value] = true;
        Ok(())
    }

    fn use_(&self, value: Value, at: &str) -> Result<(), String> {
        if self.visible[value] {
            Ok(())
        } else {
            Err(format!("{at}: {value} is used where it is not defined"))
        }
    }

    /// Checks `region`, which must take `args` arguments and yield `yields` values.
    fn region(&mut self, region: Region, args: usize, yields: usize) -> Result<(), String> {
        let data = &self.func.regions[region];
        if data.args.len() != args || data.yields.len() != yields {
            return Err(format!(
                "{region} takes {} arguments and yields {} values; expected {args} and {yields}",
                data.args.len(),
                data.yields.len()
            ));
        }
        let mut introduced = Vec::new();
        for (k, &arg) in data.args.iter().enumerate() {
            if self.func.values[arg].def != ValueDef::RegionArg(region, k) {
                return Err(format!("{arg} is not argument {k} of {region}"));
            }
            self.define(arg)?;
            introduced.push(arg);
        }
        for &inst in &data.insts {
            self.inst(inst)?;
            introduced.extend(&self.func.insts[inst].results);
        }
        for &value in &data.yields {
            self.use_(value, &format!("{region} yield"))?;
        }
        for value in introduced {
            self.visible[value] = false;
        }
        Ok(())
    }

    fn inst(&mut self, inst: Inst) -> Result<(), String> {
        let func = self.func;
        let data = &func.insts[inst];
        let at = inst.to_string();
        for &arg in &data.args {
            self.use_(arg, &at)?;
        }
        let (args, results) = match &data.op {
            Op::Const(_) | Op::Poison | Op::Pop | Op::Zero => (Some(0), 1),
            Op::Opaque(_) | Op::Apply(_) => (None, 1),
            Op::NoGrad => (Some(1), 1),
            Op::Effect {
                explicit, implicit, ..
            } => (Some(explicit + implicit.len()), 0),
            Op::ApplyAdjoint(_, slots) => {
                let scalars = slots
                    .iter()
                    .filter(|s| matches!(s, crate::ir::Slot::Scalar(_)))
                    .count();
                let buffers = slots
                    .iter()
                    .filter(|s| matches!(s, crate::ir::Slot::Buffer))
                    .count();
                (Some(slots.len() + 1 + buffers), scalars)
            }
            Op::ApplyTangent(_, slots) => (Some(slots.len() + tangent_operands(slots)), 2),
            Op::ApplyHvp {
                slots, tangents, ..
            } => {
                let scalars = slots
                    .iter()
                    .filter(|s| matches!(s, crate::ir::Slot::Scalar(_)))
                    .count();
                let buffers = slots
                    .iter()
                    .filter(|s| matches!(s, crate::ir::Slot::Buffer))
                    .count();
                let primal = slots.len();
                (
                    Some(primal + tangent_operands(tangents) + 2 + 2 * buffers),
                    2 * scalars,
                )
            }
            Op::PartialsTangent(prim) => {
                let floats = prim.args().iter().filter(|&&k| k == ArgKind::Float).count();
                (Some(prim.args().len() + 1 + floats + 1), floats)
            }
            Op::Bin(_) => (Some(2), 1),
            Op::Neg | Op::Not | Op::Cast(_) | Op::Ascribe(_) => (Some(1), 1),
            Op::Statement(_) => (None, 0),
            Op::Push => (Some(1), 0),
            Op::Index | Op::TakeAt => (Some(2), 1),
            Op::Len | Op::SumOf => (Some(1), 1),
            Op::Store | Op::AccumulateAt | Op::Append => (Some(3), 0),
            Op::Window { .. } | Op::Slice { .. } => (Some(3), 1),
            Op::Project { steps } | Op::ProjectMut { steps } => {
                (Some(1 + crate::ir::index_steps(steps)), 1)
            }
            Op::AddTo => (Some(2), 0),
            Op::CopyOf { .. } => (Some(2), 1),
            Op::EmptyBuffer => (None, 1),
            Op::NewBuffer { fixed_len } => (Some(if fixed_len.is_some() { 1 } else { 2 }), 1),
            Op::AdjointBuffer { fixed_len } => (Some(if fixed_len.is_some() { 0 } else { 1 }), 1),
            Op::Call { prim, .. } => (Some(prim.args().len()), 1),
            Op::Partials(prim) => {
                let floats = prim.args().iter().filter(|&&k| k == ArgKind::Float).count();
                (Some(prim.args().len() + 1), floats)
            }
            Op::Accumulate { param } => match func.params.get(*param).map(|p| &p.kind) {
                Some(ParamKind::AdjointOut { .. }) => (Some(1), 0),
                Some(ParamKind::Tangent { of })
                    if matches!(func.params[*of].kind, ParamKind::AdjointOut { .. }) =>
                {
                    (Some(1), 0)
                }
                _ => {
                    return Err(format!(
                        "{at}: accumulate into parameter {param}, not an adjoint buffer"
                    ))
                }
            },
            Op::If { then, otherwise } => {
                let n = data.results.len();
                self.region(*then, 0, n)?;
                self.region(*otherwise, 0, n)?;
                (Some(1), n)
            }
            Op::For { body, range, exit } => {
                let carried = data.args.len().checked_sub(range.arg_count());
                let carried = carried.ok_or_else(|| format!("{at}: too few arguments"))?;
                if exit.is_some_and(|k| k >= carried) {
                    return Err(format!("{at}: exit flag is not a carried value"));
                }
                self.region(*body, 1 + carried, carried)?;
                (None, carried + 1)
            }
            Op::While { cond, body } => {
                let carried = data.args.len();
                self.region(*cond, carried, 1)?;
                self.region(*body, carried, carried)?;
                (None, carried + 1)
            }
        };
        if args.is_some_and(|n| n != data.args.len()) || results != data.results.len() {
            return Err(format!(
                "{at}: {:?} has {} arguments and {} results",
                data.op,
                data.args.len(),
                data.results.len()
            ));
        }
        if matches!(data.op, Op::Zero) && !matches!(func.values[data.results[0]].ty, Ty::Float(_)) {
            return Err(format!("{at}: zero of a type that is not f32/f64"));
        }
        if !self.derivative && is_derivative_only(&data.op) {
            return Err(format!(
                "{at}: an operation of a derivative in a function without a seed or tangents"
            ));
        }
        self.types(inst)?;
        for (k, &result) in data.results.iter().enumerate() {
            self.define(result)
                .map_err(|message| format!("{at}: {message}"))?;
            if func.values[result].def != ValueDef::Result(inst, k) {
                return Err(format!("{at}: {result} is not its result {k}"));
            }
        }
        Ok(())
    }

    /// Checks that the types of values that meet at `inst` agree.
    fn types(&self, inst: Inst) -> Result<(), String> {
        let func = self.func;
        let data = &func.insts[inst];
        let ty = |value: Value| func.values[value].ty;
        let at = inst.to_string();
        let scalar = |value: Value, what: &str| match ty(value) {
            Ty::FloatArray(_) => Err(format!("{at}: {what} {value} is an array")),
            _ => Ok(()),
        };
        let agree = |a: Value, b: Value| {
            if compatible(ty(a), ty(b)) {
                Ok(())
            } else {
                Err(format!(
                    "{at}: {a} of type {} and {b} of type {} stand for the same value",
                    ty(a),
                    ty(b)
                ))
            }
        };
        match &data.op {
            Op::Bin(_) => {
                scalar(data.args[0], "operand")?;
                scalar(data.args[1], "operand")?;
            }
            Op::Neg | Op::Not => scalar(data.args[0], "operand")?,
            Op::Index
            | Op::Store
            | Op::AccumulateAt
            | Op::TakeAt
            | Op::Append
            | Op::SumOf
            | Op::Window { .. }
            | Op::Slice { .. }
            | Op::CopyOf { .. }
                if !matches!(ty(data.args[0]), Ty::FloatArray(_)) =>
            {
                return Err(format!("{at}: {} is not a float array", data.args[0]));
            }
            Op::Project { .. } | Op::ProjectMut { .. }
                if !matches!(ty(data.args[0]), Ty::Struct(_)) =>
            {
                return Err(format!("{at}: {} is not a struct", data.args[0]));
            }
            Op::AddTo if !matches!(ty(data.args[0]), Ty::Float(_)) => {
                return Err(format!("{at}: {} is not a float part", data.args[0]));
            }
            Op::If { then, otherwise } => {
                if matches!(ty(data.args[0]), Ty::Float(_) | Ty::FloatArray(_)) {
                    return Err(format!("{at}: the condition {} is a float", data.args[0]));
                }
                for branch in [then, otherwise] {
                    for (&yielded, &result) in
                        func.regions[*branch].yields.iter().zip(&data.results)
                    {
                        agree(yielded, result)?;
                    }
                }
            }
            Op::For { .. } | Op::While { .. } => {
                let view = func.loop_view(inst).expect("loops have a loop view");
                for (k, (&init, &result)) in view.inits.iter().zip(view.results).enumerate() {
                    agree(init, result)?;
                    agree(func.regions[view.body].yields[k], result)?;
                    for &region in &view.regions {
                        agree(func.regions[region].args[view.skip + k], result)?;
                    }
                }
                if let Op::For { range, .. } = &data.op {
                    for &bound in &data.args[..range.arg_count()] {
                        if matches!(ty(bound), Ty::Float(_) | Ty::FloatArray(_)) {
                            return Err(format!("{at}: the range bound {bound} is a float"));
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}
