//! What the reverse sweep reads, and which of it must be recorded.
//!
//! The reverse of an instruction reads some primal values: the other factor of a
//! product, the divisor, the arguments and output of an elementary function, the
//! condition of an `if`, the trip count of a loop. Values of the top-level code are
//! still in scope when the reverse sweep runs, so they are read directly: straight
//! line code records nothing. A value defined inside a branch or a loop body is out
//! of scope (or overwritten by the next iteration) by then, so that region records
//! it: a *snapshot* pushed when the region finishes and popped where its reverse
//! starts. Constants are written where they are used and never recorded. This is the
//! rule of Zygote's `emit.jl`: only values of blocks that run conditionally or more
//! than once go on a stack.

use super::activity::Activity;
use crate::ir::{BinOp, Function, Op, Region, SecondaryMap, Value, ValueDef};
use crate::rules::{rule, Rule};

pub struct Record {
    /// Per region: the values it pushes when it finishes, in push order.
    snapshots: Vec<(Region, Vec<Value>)>,
}

impl Record {
    pub fn snapshot(&self, region: Region) -> &[Value] {
        self.snapshots
            .iter()
            .find(|(r, _)| *r == region)
            .map_or(&[], |(_, values)| values)
    }
}

pub fn analyse(func: &Function, activity: &Activity) -> Record {
    let mut read = SecondaryMap::with_default(func.values.len(), false);
    mark_reads(func, func.body, activity, &mut read);
    let mut snapshots = Vec::new();
    collect_snapshots(func, func.body, &read, &mut snapshots);
    Record { snapshots }
}

/// Marks the primal values the reverse sweep of `region` reads.
fn mark_reads(
    func: &Function,
    region: Region,
    activity: &Activity,
    read: &mut SecondaryMap<Value, bool>,
) {
    for &inst in &func.regions[region].insts {
        for nested in func.inst_regions(inst) {
            mark_reads(func, nested, activity, read);
        }
        let data = &func.insts[inst];
        if !activity.needs_reverse(func, inst) {
            continue;
        }
        let active = |v: Value| activity.is_active(v);
        match (&data.op, &data.args[..]) {
            (Op::Bin(BinOp::Mul), &[a, b]) => {
                read[b] |= active(a);
                read[a] |= active(b);
            }
            (Op::Bin(BinOp::Div), &[_, b]) => {
                read[b] = true;
                read[data.results[0]] |= active(b);
            }
            (Op::Call { prim, .. }, args) if rule(*prim) == Rule::Runtime => {
                for &arg in args {
                    read[arg] = true;
                }
                read[data.results[0]] = true;
            }
            (Op::If { .. }, &[cond]) => read[cond] = true,
            (Op::Index | Op::Store, &[_, index, ..]) => read[index] = true,
            // The reverse sweep sizes the buffer's adjoint like the buffer.
            (Op::NewBuffer { fixed_len: None }, &[_, len]) => read[len] = true,
            (Op::For { .. } | Op::While { .. }, _) => {
                let trip = *data.results.last().expect("loops return their trip count");
                read[trip] = true;
            }
            _ => {}
        }
    }
}

/// For every region below the body: the values defined in it that the reverse reads.
fn collect_snapshots(
    func: &Function,
    region: Region,
    read: &SecondaryMap<Value, bool>,
    snapshots: &mut Vec<(Region, Vec<Value>)>,
) {
    let data = &func.regions[region];
    let defined = data.args.iter().chain(
        data.insts
            .iter()
            .flat_map(|&inst| &func.insts[inst].results),
    );
    let recorded: Vec<Value> = defined
        .copied()
        .filter(|&v| read[v] && !is_constant(func, v))
        .collect();
    if region != func.body && !recorded.is_empty() {
        snapshots.push((region, recorded));
    }
    for &inst in &data.insts {
        for nested in func.inst_regions(inst) {
            collect_snapshots(func, nested, read, snapshots);
        }
    }
}

/// Literals are written where they are used, so they are in scope everywhere.
pub fn is_constant(func: &Function, value: Value) -> bool {
    match func.values[value].def {
        ValueDef::Result(inst, _) => matches!(func.insts[inst].op, Op::Const(_)),
        ValueDef::Param(_) | ValueDef::RegionArg(..) => false,
    }
}
