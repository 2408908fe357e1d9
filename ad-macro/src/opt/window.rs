//! Takes a loop's bounds checks out of the loop: `a[base + i]` in every iteration
//! becomes `window[i - start]`, where `window` is the part of `a` the loop runs
//! over, sliced once before it.
//!
//! A bounds check per access keeps LLVM from vectorising the reverse sweep's
//! rank-one updates (`d_w[j * n + i] += d_a * x[s * n + i]`, the bulk of an MLP's
//! gradient); over a slice as long as the loop's range it proves every index in
//! range, as it does for a hand-written `zip`. Only accesses every iteration makes
//! (in the loop body itself, not in a branch or an inner loop) are rewritten, and
//! only where the index is the loop index plus sums and products of values from
//! before the loop, so computing the window's bounds cannot overflow or underflow
//! where the loop did not. The window is taken with `get`, so a loop that runs no
//! iteration cannot panic; a loop that would index out of range panics at its
//! first access instead of at the bad one.

use std::collections::HashMap;

use crate::ir::{BinOp, Function, Inst, Op, RangeAdapter, Region, SourceSpan, Ty, Value, ValueDef};

pub fn hoist_bounds_checks(func: &mut Function) {
    let loops: Vec<Inst> = func
        .insts
        .keys()
        .filter(|&inst| {
            matches!(&func.insts[inst].op, Op::For { exit: None, range, .. }
            if matches!(range.adapters[..], [] | [RangeAdapter::Rev]))
        })
        .collect();
    for inst in loops {
        let windows = plan(func, inst);
        if windows.is_empty() {
            continue;
        }
        let offset = offset_in_window(func, inst);
        for window in windows {
            window.apply(func, inst, offset);
        }
    }
    func.compact();
}

/// `i - start`, the position of iteration `i` in every window of the loop.
fn offset_in_window(func: &mut Function, inst: Inst) -> Value {
    let Op::For { body, .. } = func.insts[inst].op else {
        unreachable!("windows are planned for `for` loops only");
    };
    let (index, start) = (func.regions[body].args[0], func.insts[inst].args[0]);
    if constant(func, start).as_deref() == Some("0") {
        return index;
    }
    let op = Op::Bin(BinOp::Sub);
    let sub = func.detached_inst(
        op,
        vec![index, start],
        &[Ty::Index],
        SourceSpan::generated(),
    );
    func.regions[body].insts.insert(0, sub);
    func.insts[sub].results[0]
}

/// An access rewritable through a window: its index expression's key, its index,
/// and the instruction.
type Access = (String, Value, Inst);

/// One window: the accesses it serves, all `array[index(i)]` with the same index
/// expression when the window is mutable.
struct Window {
    array: Value,
    mutable: bool,
    /// A representative index, `i + …`, whose expression gives the bounds.
    index: Value,
    accesses: Vec<Inst>,
}

fn plan(func: &Function, inst: Inst) -> Vec<Window> {
    let Op::For { body, .. } = func.insts[inst].op else {
        return Vec::new();
    };
    let looped = Loop::new(func, body);
    // Per array: the top-level accesses by index expression, and whether anything
    // else in the loop touches it.
    let mut accesses: Vec<(Value, Vec<Access>)> = Vec::new();
    // Arrays used in the loop other than by a rewritable access: `blocked` if that
    // needs the array as it is, `read_elsewhere` if it only reads an element or the
    // length (fine beside a shared window).
    let (mut blocked, mut read_elsewhere, mut written) = (Vec::new(), Vec::new(), Vec::new());
    let top = &func.regions[body].insts;
    for &other in &looped.inside {
        let data = &func.insts[other];
        if matches!(
            data.op,
            Op::Store | Op::AccumulateAt | Op::TakeAt | Op::Append | Op::Window { .. }
        ) {
            written.push(data.args[0]);
        }
        let is_access = matches!(
            data.op,
            Op::Index | Op::Store | Op::AccumulateAt | Op::TakeAt
        );
        let key = (is_access && top.contains(&other) && !looped.defines(func, data.args[0]))
            .then(|| looped.affine_key(func, data.args[1]))
            .flatten();
        if let Some(key) = key {
            let array = data.args[0];
            match accesses.iter_mut().find(|(a, _)| *a == array) {
                Some((_, uses)) => uses.push((key, data.args[1], other)),
                None => accesses.push((array, vec![(key, data.args[1], other)])),
            }
            continue;
        }
        let reads = matches!(data.op, Op::Index | Op::Len);
        for (k, &arg) in data.args.iter().enumerate() {
            if matches!(func.values[arg].ty, Ty::FloatArray(_)) {
                if reads && k == 0 {
                    read_elsewhere.push(arg);
                } else {
                    blocked.push(arg);
                }
            }
        }
    }
    let mut windows = Vec::new();
    for (array, uses) in accesses {
        let mutable = written.contains(&array);
        let mut groups: HashMap<String, (Value, Vec<Inst>)> = HashMap::new();
        let mut order = Vec::new();
        for (key, index, access) in uses {
            let group = groups.entry(key.clone()).or_insert_with(|| {
                order.push(key);
                (index, Vec::new())
            });
            group.1.push(access);
        }
        // Any other use of a written array, or two mutable windows of it, would be
        // two borrows at once.
        let shared_conflict = mutable && (read_elsewhere.contains(&array) || order.len() > 1);
        if blocked.contains(&array) || shared_conflict {
            continue;
        }
        for key in order {
            let (index, insts) = groups.remove(&key).expect("grouped above");
            windows.push(Window {
                array,
                mutable,
                index,
                accesses: insts,
            });
        }
    }
    windows
}

/// What is inside a loop body.
struct Loop {
    body: Region,
    index: Value,
    inside: Vec<Inst>,
}

impl Loop {
    fn new(func: &Function, body: Region) -> Loop {
        let inside = func.insts_within(body);
        Loop {
            body,
            index: func.regions[body].args[0],
            inside,
        }
    }

    /// Whether `value` is defined in the loop (so changes from one iteration to the
    /// next, or is not there before the loop).
    fn defines(&self, func: &Function, value: Value) -> bool {
        match func.values[value].def {
            ValueDef::Result(def, _) => self.inside.contains(&def),
            ValueDef::RegionArg(region, _) => {
                region == self.body
                    || self
                        .inside
                        .iter()
                        .any(|&i| func.inst_regions(i).contains(&region))
            }
            ValueDef::Param(_) => false,
        }
    }

    /// A key naming `value`'s expression if it is `i + rest` with `rest` a sum of
    /// products of constants and values from before the loop.
    fn affine_key(&self, func: &Function, value: Value) -> Option<String> {
        if value == self.index {
            return Some("i".into());
        }
        let (op, a, b) = self.bin(func, value)?;
        if op != BinOp::Add {
            return None;
        }
        if let (Some(a), Some(b)) = (self.affine_key(func, a), self.invariant_key(func, b)) {
            return Some(format!("({a}+{b})"));
        }
        let (b, a) = (self.affine_key(func, b)?, self.invariant_key(func, a)?);
        Some(format!("({a}+{b})"))
    }

    fn invariant_key(&self, func: &Function, value: Value) -> Option<String> {
        if let Some(literal) = constant(func, value) {
            return Some(literal);
        }
        if !self.defines(func, value) {
            return Some(format!("{value}"));
        }
        let (op, a, b) = self.bin(func, value)?;
        let name = match op {
            BinOp::Add => "+",
            BinOp::Mul => "*",
            _ => return None,
        };
        let (a, b) = (self.invariant_key(func, a)?, self.invariant_key(func, b)?);
        Some(format!("({a}{name}{b})"))
    }

    fn bin(&self, func: &Function, value: Value) -> Option<(BinOp, Value, Value)> {
        let ValueDef::Result(def, 0) = func.values[value].def else {
            return None;
        };
        match (&func.insts[def].op, &func.insts[def].args[..]) {
            (Op::Bin(op), &[a, b]) if self.inside.contains(&def) => Some((*op, a, b)),
            _ => None,
        }
    }
}

/// A literal as written (`0`, `1usize`), the form index expressions are keyed by.
fn constant(func: &Function, value: Value) -> Option<String> {
    func.literal(value)
        .map(|lit| quote::ToTokens::to_token_stream(lit).to_string())
}

impl Window {
    /// Takes the window before the loop and points its accesses into it at
    /// `offset`. The index arithmetic they no longer read is left to dead-code
    /// removal.
    fn apply(self, func: &mut Function, inst: Inst, offset: Value) {
        let Op::For { body, range, .. } = func.insts[inst].op.clone() else {
            return;
        };
        let looped = Loop::new(func, body);
        let (start, end) = (func.insts[inst].args[0], func.insts[inst].args[1]);
        let Some((parent, position)) = func.position_of(inst) else {
            return;
        };
        let mut before = Vec::new();
        let first = copy_with_index(func, &looped, self.index, start, &mut before);
        let last = copy_with_index(func, &looped, self.index, end, &mut before);
        let op = Op::Window {
            mutable: self.mutable,
            inclusive: range.inclusive,
        };
        let ty = func.values[self.array].ty;
        let args = vec![self.array, first, last];
        let slice = func.detached_inst(op, args, &[ty], SourceSpan::generated());
        let window = func.insts[slice].results[0];
        func.values[window].hint = Some("window".into());
        before.push(slice);
        func.regions[parent]
            .insts
            .splice(position..position, before);
        for access in self.accesses {
            let args = &mut func.insts[access].args;
            (args[0], args[1]) = (window, offset);
        }
    }
}

/// A copy, before the loop, of index expression `value` with the loop index
/// replaced by `bound`.
fn copy_with_index(
    func: &mut Function,
    looped: &Loop,
    value: Value,
    bound: Value,
    before: &mut Vec<Inst>,
) -> Value {
    if value == looped.index {
        return bound;
    }
    let ValueDef::Result(def, 0) = func.values[value].def else {
        return value;
    };
    if !looped.inside.contains(&def) {
        return value;
    }
    let (op, args) = (func.insts[def].op.clone(), func.insts[def].args.clone());
    let args: Vec<Value> = args
        .into_iter()
        .map(|arg| copy_with_index(func, looped, arg, bound, before))
        .collect();
    // `0 + n` is `n`, as the user would have written it.
    if let (Op::Bin(BinOp::Add), &[a, b]) = (&op, &args[..]) {
        match (constant(func, a).as_deref(), constant(func, b).as_deref()) {
            (Some("0"), _) => return b,
            (_, Some("0")) => return a,
            _ => {}
        }
    }
    let ty = func.values[value].ty;
    let copy = func.detached_inst(op, args, &[ty], SourceSpan::generated());
    before.push(copy);
    func.insts[copy].results[0]
}
