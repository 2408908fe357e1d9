//! Which values of a function have a tangent: those that depend on a seeded
//! parameter through operations with a derivative. Unlike the primal's activity
//! analysis, this one runs on any IR, the adjoint's included, so it knows the
//! reverse sweep's operations; and it needs no usefulness: every tangent it finds
//! is one the transformation writes.

use crate::ir::{ArgKind, Function, Op, Region, SecondaryMap, Ty, Value};
use crate::rules::{rule, Rule};

/// `true` for each value that has a tangent, when the parameters in `seeded` have one.
pub fn varied(func: &Function, seeded: &[usize]) -> SecondaryMap<Value, bool> {
    let mut varied = SecondaryMap::with_default(func.values.len(), false);
    for &k in seeded {
        if let Some(value) = func.params[k].value {
            varied[value] = true;
        }
    }
    // Memory written after it is made (a store into a buffer) makes the buffer
    // varied from its definition on: repeat until nothing changes.
    while propagate(func, func.body, &mut varied) {}
    varied
}

fn is_float(ty: Ty) -> bool {
    matches!(ty, Ty::Float(_) | Ty::FloatArray(_) | Ty::Struct(_))
}

/// Sets `varied[value]` if `to`; whether that changed it.
fn raise(varied: &mut SecondaryMap<Value, bool>, value: Value, to: bool) -> bool {
    let changed = to && !varied[value];
    varied[value] |= to;
    changed
}

fn propagate(func: &Function, region: Region, varied: &mut SecondaryMap<Value, bool>) -> bool {
    let mut changed = false;
    for &inst in &func.regions[region].insts {
        let data = &func.insts[inst];
        let any = data.args.iter().any(|&a| varied[a]);
        match &data.op {
            Op::If { then, otherwise } => {
                changed |= propagate(func, *then, varied);
                changed |= propagate(func, *otherwise, varied);
                for (k, &result) in data.results.iter().enumerate() {
                    let from = varied[func.regions[*then].yields[k]]
                        || varied[func.regions[*otherwise].yields[k]];
                    changed |= raise(varied, result, from);
                }
            }
            Op::For { .. } | Op::While { .. } => {
                let view = func.loop_view(inst).expect("loops have a loop view");
                for (k, &init) in view.inits.iter().enumerate() {
                    let from = varied[init] || varied[func.regions[view.body].yields[k]];
                    for &region in &view.regions {
                        let arg = func.regions[region].args[view.skip + k];
                        changed |= raise(varied, arg, from);
                    }
                    changed |= raise(varied, view.results[k], from);
                }
                for &region in &view.regions {
                    changed |= propagate(func, region, varied);
                }
            }
            // Writes make the memory written varied.
            Op::Store | Op::Append | Op::AccumulateAt => {
                changed |= raise(varied, data.args[0], varied[data.args[2]]);
            }
            // A part of a struct's adjoint is written in place.
            Op::AddTo => {
                changed |= raise(varied, data.args[0], varied[data.args[1]]);
            }
            // A window, sub-slice or part of a struct and what it is part of are the
            // same memory.
            Op::Window { .. } | Op::Slice { .. } | Op::Project { .. } | Op::ProjectMut { .. } => {
                let (array, window) = (data.args[0], data.results[0]);
                let either = varied[array] || varied[window];
                changed |= raise(varied, array, either);
                changed |= raise(varied, window, either);
            }
            // The callee adds into the buffers lent to it.
            Op::ApplyAdjoint(_, slots) => {
                let buffers = slots.len() + 1;
                for &buffer in &data.args[buffers..] {
                    changed |= raise(varied, buffer, any);
                }
                for &result in &data.results {
                    changed |= raise(varied, result, any);
                }
            }
            // A popped float is the copy of one pushed: its tangent is recorded beside it.
            Op::Pop => {
                let result = data.results[0];
                changed |= raise(
                    varied,
                    result,
                    matches!(func.values[result].ty, Ty::Float(_)),
                );
            }
            Op::Call { prim, .. } => {
                let to = rule(*prim) == Rule::Runtime
                    && prim
                        .args()
                        .iter()
                        .zip(&data.args)
                        .any(|(&kind, &arg)| kind == ArgKind::Float && varied[arg]);
                changed |= raise(varied, data.results[0], to);
            }
            Op::Bin(crate::ir::BinOp::Add | crate::ir::BinOp::Sub)
            | Op::Bin(crate::ir::BinOp::Mul | crate::ir::BinOp::Div)
            | Op::Neg
            | Op::Index
            | Op::TakeAt
            | Op::SumOf
            | Op::CopyOf { .. }
            | Op::NewBuffer { .. }
            | Op::Apply(_)
            | Op::Partials(_) => {
                for &result in &data.results {
                    changed |= raise(varied, result, any && is_float(func.values[result].ty));
                }
            }
            Op::Cast(_) | Op::Ascribe(_) => {
                let result = data.results[0];
                changed |= raise(varied, result, any && is_float(func.values[result].ty));
            }
            Op::Const(_)
            | Op::Opaque(_)
            | Op::Bin(_)
            | Op::Not
            | Op::Statement(_)
            | Op::Accumulate { .. }
            | Op::Poison
            | Op::NoGrad
            | Op::Effect { .. }
            | Op::Push
            | Op::Zero
            | Op::Len
            | Op::EmptyBuffer
            | Op::AdjointBuffer { .. } => {}
            Op::ApplyTangent(..) | Op::ApplyHvp { .. } | Op::PartialsTangent(_) => {
                unreachable!("the tangent transformation runs once, on IR without tangents")
            }
        }
    }
    changed
}
