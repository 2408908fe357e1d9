//! What the reverse sweep reads, and how it gets each value back.
//!
//! The reverse of an instruction reads some primal values: the other factor of a
//! product, the divisor, the arguments and output of an elementary function, the
//! condition of an `if`, an index into an array, the trip count or the bounds of a
//! loop (the adjoint's rules say which: `crate::adjoint::reads`). Values of the top-level code are still in scope when the reverse sweep
//! runs, so they are read directly: straight-line code records nothing. A value
//! defined inside a branch or a loop body is out of scope (or overwritten by the
//! next iteration) by then, so the reverse of that region gets it back in one of
//! two ways:
//!
//! - **recompute** it, if it is cheap and its inputs are available: a loop index
//!   (the reverse loop runs over the same indices backwards), an element of a
//!   parameter array (parameters are never written), integer and float arithmetic
//!   (`+ - * /`, negation, casts) of such values;
//! - **record** it otherwise: the region pushes it on the value stack when it
//!   finishes, and its reverse pops it where it starts.
//!
//! Constants are written where they are used and need neither. This is Zygote's
//! rule (only values of blocks that run conditionally or more than once go on a
//! stack) with Enzyme's refinement of recomputing what is cheaper to recompute.

use crate::ir::{
    Function, Op, RangeAdapter, RangeShape, Region, SecondaryMap, Ty, Value, ValueDef,
};

#[derive(Default)]
pub struct Record {
    /// Per region: the values it pushes when it finishes, in push order.
    snapshots: Vec<(Region, Vec<Value>)>,
    /// Per region: the values its reverse recomputes where it starts, in order.
    recomputes: Vec<(Region, Vec<Value>)>,
}

impl Record {
    pub fn snapshot(&self, region: Region) -> &[Value] {
        find(&self.snapshots, region)
    }

    pub fn recompute(&self, region: Region) -> &[Value] {
        find(&self.recomputes, region)
    }
}

fn find(lists: &[(Region, Vec<Value>)], region: Region) -> &[Value] {
    lists
        .iter()
        .find(|(r, _)| *r == region)
        .map_or(&[], |(_, values)| values)
}

/// The range a reverse loop runs over to visit a `for` loop's indices backwards,
/// if it can: not after a `break` (the loop may have stopped early) and not with
/// `step_by` (the last index is not an argument).
pub fn reversed_range(op: &Op) -> Option<RangeShape> {
    let Op::For {
        range, exit: None, ..
    } = op
    else {
        return None;
    };
    let adapters = match range.adapters[..] {
        [] => vec![RangeAdapter::Rev],
        [RangeAdapter::Rev] => Vec::new(),
        _ => return None,
    };
    Some(RangeShape {
        inclusive: range.inclusive,
        adapters,
    })
}

/// What to record or recompute so that the reverse sweep has every value in
/// `read` (from [`crate::adjoint::reads`]).
pub fn analyse(func: &Function, read: &SecondaryMap<Value, bool>) -> Record {
    let home = home_regions(func);
    let cheap = cheap_to_recompute(func, &home);
    let mut planner = Planner {
        func,
        home,
        planned: SecondaryMap::with_default(func.values.len(), false),
        record: Record::default(),
    };
    for value in func.values.keys() {
        if read[value] {
            planner.need(value, &cheap);
        }
    }
    for (_, values) in planner
        .record
        .snapshots
        .iter_mut()
        .chain(planner.record.recomputes.iter_mut())
    {
        // Values are numbered in definition order, so this is a valid order to
        // recompute in, and pushing in it pops in reverse.
        values.sort();
    }
    planner.record
}

/// The region each value is defined in.
fn home_regions(func: &Function) -> SecondaryMap<Value, Option<Region>> {
    let mut home = SecondaryMap::with_default(func.values.len(), None);
    for region in func.regions.keys() {
        for &arg in &func.regions[region].args {
            home[arg] = Some(region);
        }
        for &inst in &func.regions[region].insts {
            for &result in &func.insts[inst].results {
                home[result] = Some(region);
            }
        }
    }
    home
}

struct Planner<'f> {
    func: &'f Function,
    home: SecondaryMap<Value, Option<Region>>,
    planned: SecondaryMap<Value, bool>,
    record: Record,
}

impl Planner<'_> {
    /// Makes `value` available to the reverse sweep of the region it is defined in.
    fn need(&mut self, value: Value, cheap: &SecondaryMap<Value, bool>) {
        if std::mem::replace(&mut self.planned[value], true) {
            return;
        }
        let Some(region) = self.home[value].filter(|&r| r != self.func.body) else {
            return;
        };
        if is_constant(self.func, value) {
            return;
        }
        let lists = if cheap[value] {
            if let ValueDef::Result(inst, _) = self.func.values[value].def {
                for &input in &self.func.insts[inst].args {
                    self.need(input, cheap);
                }
            }
            &mut self.record.recomputes
        } else {
            &mut self.record.snapshots
        };
        match lists.iter_mut().find(|(r, _)| *r == region) {
            Some((_, values)) => values.push(value),
            None => lists.push((region, vec![value])),
        }
    }
}

/// Which values the reverse sweep can recompute cheaply from values it has anyway:
/// top-level values, constants, indices of loops it runs backwards, elements of
/// parameter arrays (never written), and arithmetic of such values. Values are
/// numbered in definition order, so one pass sees every input before its use.
fn cheap_to_recompute(
    func: &Function,
    home: &SecondaryMap<Value, Option<Region>>,
) -> SecondaryMap<Value, bool> {
    let mut cheap = SecondaryMap::with_default(func.values.len(), false);
    let reversed_bodies: Vec<Region> = func
        .insts
        .keys()
        .filter_map(|inst| match func.insts[inst].op {
            Op::For { body, .. } if reversed_range(&func.insts[inst].op).is_some() => Some(body),
            _ => None,
        })
        .collect();
    for value in func.values.keys() {
        let available = |v: Value| cheap[v] || home[v].is_none_or(|r| r == func.body);
        cheap[value] = match func.values[value].def {
            ValueDef::Param(_) => true,
            ValueDef::RegionArg(region, 0) => reversed_bodies.contains(&region),
            ValueDef::RegionArg(..) => false,
            ValueDef::Result(inst, _) => {
                let data = &func.insts[inst];
                let cheap_op = match &data.op {
                    Op::Bin(_)
                    | Op::Neg
                    | Op::Not
                    | Op::Cast(_)
                    | Op::Ascribe(_)
                    | Op::Const(_)
                    | Op::Zero => true,
                    // Only a buffer grown with `push` changes its length.
                    Op::Len => !matches!(
                        func.values[data.args[0]].def,
                        ValueDef::Result(made, _) if matches!(func.insts[made].op, Op::EmptyBuffer)
                    ),
                    // Parameters are never written, so their elements (and their
                    // sub-slices') read back the same.
                    Op::Index | Op::Slice { .. } | Op::Project { .. } => {
                        of_parameter(func, data.args[0])
                    }
                    // Constant data read through parameters (`x[i * d + j]`, `cfg.rate`).
                    Op::Opaque(opaque) => {
                        opaque.reads_only
                            && data.args.iter().all(|&arg| {
                                matches!(func.values[arg].def, ValueDef::Param(_)) || cheap[arg]
                            })
                    }
                    _ => false,
                };
                let missing: Vec<Value> = data
                    .args
                    .iter()
                    .copied()
                    .filter(|&arg| !available(arg))
                    .collect();
                // Arithmetic of one recorded float (`r * x`, `1.0 - x` for a recorded x)
                // is recomputed from it: the float is recorded once, not every result.
                let from_one_record = matches!(data.op, Op::Bin(_) | Op::Neg | Op::Cast(_))
                    && matches!(missing[..], [arg] if matches!(func.values[arg].ty, Ty::Float(_)));
                // A sub-slice of a parameter cannot go on the value stack, but its
                // bounds can (`&w[k..]` with a carried `k`, found by the random
                // programs): it is recomputed from them.
                let slice_of_parameter = matches!(data.op, Op::Slice { .. });
                cheap_op && (missing.is_empty() || from_one_record || slice_of_parameter)
            }
        };
    }
    cheap
}

/// Whether float array `array` is a parameter or a sub-slice of one.
fn of_parameter(func: &Function, array: Value) -> bool {
    match func.values[array].def {
        ValueDef::Param(_) => true,
        ValueDef::Result(inst, _) => {
            matches!(func.insts[inst].op, Op::Slice { .. } | Op::Project { .. })
                && of_parameter(func, func.insts[inst].args[0])
        }
        ValueDef::RegionArg(..) => false,
    }
}

/// Literals are written where they are used, so they are in scope everywhere.
pub fn is_constant(func: &Function, value: Value) -> bool {
    match func.values[value].def {
        ValueDef::Result(inst, _) => matches!(func.insts[inst].op, Op::Const(_) | Op::Zero),
        ValueDef::Param(_) | ValueDef::RegionArg(..) => false,
    }
}
