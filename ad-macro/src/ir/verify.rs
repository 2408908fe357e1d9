//! The IR verifier: run after every pass, so a pass that breaks an invariant fails
//! where it broke it (as an internal error), not in the emitted Rust.

use super::{ArgKind, Function, Inst, Op, ParamKind, Region, SecondaryMap, Ty, Value, ValueDef};

/// Checks the invariants listed in the module doc of [`crate::ir`].
pub fn verify(func: &Function) -> Result<(), String> {
    let mut checker = Checker {
        func,
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
    checker.region(func.body, 0, 1)
}

struct Checker<'f> {
    func: &'f Function,
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
            Op::ApplyAdjoint(callee, slots) => {
                let scalars = slots
                    .iter()
                    .filter(|s| matches!(s, crate::ir::Slot::Scalar(_)))
                    .count();
                let buffers = slots
                    .iter()
                    .filter(|s| matches!(s, crate::ir::Slot::Buffer))
                    .count();
                (
                    Some(usize::from(callee.method) + slots.len() + 1 + buffers),
                    scalars,
                )
            }
            Op::Bin(_) => (Some(2), 1),
            Op::Neg | Op::Not | Op::Cast(_) | Op::Ascribe(_) => (Some(1), 1),
            Op::Statement(_) => (None, 0),
            Op::Push => (Some(1), 0),
            Op::Index | Op::TakeAt => (Some(2), 1),
            Op::Len => (Some(1), 1),
            Op::Store | Op::AccumulateAt | Op::Append => (Some(3), 0),
            Op::Window { .. } => (Some(3), 1),
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
        for (k, &result) in data.results.iter().enumerate() {
            if func.values[result].def != ValueDef::Result(inst, k) {
                return Err(format!("{at}: {result} is not its result {k}"));
            }
            self.define(result)?;
        }
        Ok(())
    }
}
