//! Dead-code removal: instructions without effects whose results nothing reads.
//! Lowering keeps every `let` the user wrote and the adjoint computes what each
//! rule might need; rewrites such as `window` leave index arithmetic behind. What
//! no one reads would be an unused `let` in the generated code.

use crate::ir::{Function, Inst, Op, SecondaryMap, Value};

pub fn remove_dead_code(func: &mut Function) {
    loop {
        let uses = use_counts(func);
        let dead = |func: &Function, inst: Inst| {
            let data = &func.insts[inst];
            is_pure(&data.op)
                && !data.results.is_empty()
                && data.results.iter().all(|&r| uses[r] == 0)
        };
        let mut removed = false;
        for region in func.regions.keys() {
            let insts = std::mem::take(&mut func.regions[region].insts);
            let before = insts.len();
            let kept: Vec<Inst> = insts.into_iter().filter(|&i| !dead(func, i)).collect();
            removed |= kept.len() != before;
            func.regions[region].insts = kept;
        }
        if !removed {
            break;
        }
    }
    func.compact();
}

/// How often each value is read by an instruction or a yield.
fn use_counts(func: &Function) -> SecondaryMap<Value, usize> {
    let mut uses = SecondaryMap::with_default(func.values.len(), 0usize);
    for region in func.regions.keys() {
        let data = &func.regions[region];
        for &inst in &data.insts {
            for &arg in &func.insts[inst].args {
                uses[arg] += 1;
            }
        }
        for &value in &data.yields {
            uses[value] += 1;
        }
    }
    uses
}

/// Whether dropping an instruction whose results are unread changes nothing but
/// time: no write, no stack traffic, no call that may print or panic on purpose.
/// An unread element load may go although it could have panicked: the gradient
/// of code that panics is not defined anyway.
fn is_pure(op: &Op) -> bool {
    match op {
        Op::Const(_)
        | Op::Bin(_)
        | Op::Neg
        | Op::Not
        | Op::Call { .. }
        | Op::Cast(_)
        | Op::Ascribe(_)
        | Op::Partials(_)
        | Op::PartialsTangent(_)
        | Op::NoGrad
        | Op::Zero
        | Op::Index
        | Op::Len
        | Op::SumOf
        | Op::Window { .. }
        | Op::Slice { .. }
        | Op::Project { .. }
        | Op::ProjectMut { .. }
        | Op::CopyOf { .. }
        | Op::NewBuffer { .. }
        | Op::EmptyBuffer
        | Op::AdjointBuffer { .. } => true,
        Op::Opaque(opaque) => opaque.reads_only,
        Op::Statement(_)
        | Op::Effect { .. }
        | Op::Apply(_)
        | Op::ApplyAdjoint(..)
        | Op::ApplyTangent(..)
        | Op::ApplyHvp { .. }
        | Op::Accumulate { .. }
        | Op::Push
        | Op::Pop
        | Op::Store
        | Op::Append
        | Op::AccumulateAt
        | Op::AddTo
        | Op::TakeAt
        | Op::If { .. }
        | Op::For { .. }
        | Op::While { .. }
        | Op::Poison => false,
    }
}
