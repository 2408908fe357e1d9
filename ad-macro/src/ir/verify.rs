//! The IR verifier: run after every pass in tests and debug builds, so a pass that
//! breaks an invariant fails where it broke it, not in the emitted Rust.

use super::{ArgKind, Function, Op, ParamKind, Region, SecondaryMap, Value, ValueDef};

/// Checks the invariants listed in the module doc of [`crate::ir`].
pub fn verify(func: &Function) -> Result<(), String> {
    let mut defined = SecondaryMap::with_default(func.values.len(), false);
    for (k, param) in func.params.iter().enumerate() {
        if let Some(value) = param.value {
            if func.values[value].def != ValueDef::Param(k) {
                return Err(format!("{value} is not defined by parameter {k}"));
            }
            defined[value] = true;
        }
    }
    verify_region(func, func.body, &mut defined)?;
    if func.regions[func.body].yields.len() != 1 {
        return Err("the body must yield exactly the returned value".into());
    }
    Ok(())
}

fn verify_region(
    func: &Function,
    region: Region,
    defined: &mut SecondaryMap<Value, bool>,
) -> Result<(), String> {
    for &inst in &func.regions[region].insts {
        let data = &func.insts[inst];
        for &arg in &data.args {
            if !defined[arg] {
                return Err(format!("{inst}: {arg} is used before it is defined"));
            }
        }
        let (args, results) = arity(func, &data.op)?;
        if args.is_some_and(|n| n != data.args.len()) || results != data.results.len() {
            return Err(format!(
                "{inst}: {:?} has {} arguments and {} results",
                data.op,
                data.args.len(),
                data.results.len()
            ));
        }
        for (k, &result) in data.results.iter().enumerate() {
            if func.values[result].def != ValueDef::Result(inst, k) || defined[result] {
                return Err(format!("{inst}: {result} is defined twice"));
            }
            defined[result] = true;
        }
    }
    for &value in &func.regions[region].yields {
        if !defined[value] {
            return Err(format!("{region} yields {value} before it is defined"));
        }
    }
    Ok(())
}

/// The number of arguments (`None`: any) and results an opcode takes.
fn arity(func: &Function, op: &Op) -> Result<(Option<usize>, usize), String> {
    Ok(match op {
        Op::Const(_) | Op::Poison => (Some(0), 1),
        Op::Opaque(_) => (None, 1),
        Op::Bin(_) => (Some(2), 1),
        Op::Neg | Op::Not | Op::Cast(_) => (Some(1), 1),
        Op::Call { prim, .. } => (Some(prim.args().len()), 1),
        Op::Partials(prim) => {
            let floats = prim.args().iter().filter(|&&k| k == ArgKind::Float).count();
            (Some(prim.args().len() + 1), floats)
        }
        Op::Accumulate { param } => match func.params.get(*param).map(|p| &p.kind) {
            Some(ParamKind::AdjointOut { .. }) => (Some(1), 0),
            _ => {
                return Err(format!(
                    "accumulate into parameter {param}, not an adjoint buffer"
                ))
            }
        },
    })
}
