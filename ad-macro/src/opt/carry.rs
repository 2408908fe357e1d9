//! Carries a reversed loop's additions to neighbouring elements in registers.
//!
//! The reverse of a stencil loop (`x[i + 1] - x[i] * x[i]`) adds into `d_x[i]` and
//! `d_x[i + 1]` every iteration, so each element is written by one iteration and
//! read back by the next. LLVM pairs the two adjacent additions into one vector
//! load and store, and the next iteration's vector load half-overlaps the last
//! store, which the CPU cannot forward: Rosenbrock's reverse loop ran at 4.5 ns per
//! element. Here each element's contributions are summed in a register while the
//! loop still touches it (a window as wide as the spread of the offsets) and added
//! into memory once, when the loop has moved past it; the elements still in the
//! window when the loop ends are added after it.

use crate::ir::{BinOp, Function, Inst, Op, RangeAdapter, Region, SourceSpan, Ty, Value, ValueDef};

/// Widest window kept in registers: offsets `i - 2 ..= i + 2`.
const MAX_SPREAD: i64 = 4;

pub fn carry_accumulations(func: &mut Function) {
    let loops: Vec<Inst> = func
        .insts
        .keys()
        .filter(|&inst| matches!(func.insts[inst].op, Op::For { exit: None, .. }))
        .collect();
    for inst in loops {
        while let Some(window) = Window::find(func, inst) {
            window.apply(func, inst);
        }
    }
    func.compact();
}

/// The additions of one loop into one buffer at `index + offset`.
struct Window {
    buffer: Value,
    float: Ty,
    /// `(offset, index, value)` of each addition, in program order.
    adds: Vec<(i64, Value, Value)>,
    /// The instructions doing them, removed when the window replaces them.
    insts: Vec<Inst>,
    /// Whether the loop runs its indices downwards (a reversed ascending loop).
    descending: bool,
}

impl Window {
    /// The first buffer of `inst`'s loop that gets additions at two or more offsets
    /// of the index and is not otherwise touched in the loop.
    fn find(func: &Function, inst: Inst) -> Option<Window> {
        let Op::For { body, range, .. } = &func.insts[inst].op else {
            return None;
        };
        let descending = match range.adapters[..] {
            [] => false,
            [RangeAdapter::Rev] => true,
            _ => return None,
        };
        let index = func.regions[*body].args[0];
        let mut candidates: Vec<(Value, Vec<(Inst, i64)>)> = Vec::new();
        for &add in &func.regions[*body].insts {
            let data = &func.insts[add];
            let Op::AccumulateAt = data.op else {
                continue;
            };
            if let Some(offset) = offset_of(func, data.args[1], index) {
                match candidates.iter_mut().find(|(b, _)| *b == data.args[0]) {
                    Some((_, adds)) => adds.push((add, offset)),
                    None => candidates.push((data.args[0], vec![(add, offset)])),
                }
            }
        }
        let inside = func.insts_within(*body);
        candidates.into_iter().find_map(|(buffer, adds)| {
            let offsets = || adds.iter().map(|&(_, offset)| offset);
            let spread = offsets().max()? - offsets().min()?;
            let defined_inside = matches!(func.values[buffer].def,
                ValueDef::Result(def, _) if inside.contains(&def));
            let used_elsewhere = inside.iter().any(|&other| {
                func.insts[other].args.contains(&buffer) && !adds.iter().any(|&(a, _)| a == other)
            });
            if spread == 0 || spread > MAX_SPREAD || defined_inside || used_elsewhere {
                return None;
            }
            let Ty::FloatArray(float) = func.values[buffer].ty else {
                return None;
            };
            Some(Window {
                buffer,
                float: Ty::Float(float),
                adds: adds
                    .iter()
                    .map(|&(add, offset)| {
                        let args = &func.insts[add].args;
                        (offset, args[1], args[2])
                    })
                    .collect(),
                insts: adds.iter().map(|&(add, _)| add).collect(),
                descending,
            })
        })
    }

    fn min(&self) -> i64 {
        self.adds.iter().map(|a| a.0).min().unwrap_or(0)
    }

    fn width(&self) -> usize {
        let max = self.adds.iter().map(|a| a.0).max().unwrap_or(0);
        usize::try_from(max - self.min()).unwrap_or(0)
    }

    /// Rewrites the loop: the window's registers become carried values; the body
    /// adds the element it leaves behind; a guarded block after the loop adds the
    /// rest.
    ///
    /// Register `j` holds the pending sum of element `i + min + j` (ascending) or
    /// `i + min + 1 + j` (descending) where iteration `i` starts.
    fn apply(self, func: &mut Function, inst: Inst) {
        let Op::For { body, range, .. } = func.insts[inst].op.clone() else {
            return;
        };
        let width = self.width();
        let Some((parent, position)) = func.position_of(inst) else {
            return;
        };
        let zeros: Vec<Inst> = (0..width)
            .map(|_| {
                let op = zero_literal(self.float);
                func.detached_inst(op, Vec::new(), &[self.float], SourceSpan::generated())
            })
            .collect();
        for &zero in &zeros {
            let value = func.insts[zero].results[0];
            func.insts[inst].args.push(value);
        }
        func.regions[parent]
            .insts
            .splice(position..position, zeros.iter().copied());
        let registers: Vec<Value> = (0..width)
            .map(|_| func.add_region_arg(body, self.float, Some("pending".into())))
            .collect();
        func.regions[body]
            .insts
            .retain(|add| !self.insts.contains(add));

        // The sum of this iteration's additions at each offset.
        let min = self.min();
        let mut sums: Vec<Option<Value>> = vec![None; width + 1];
        let mut indices: Vec<Option<Value>> = vec![None; width + 1];
        for &(offset, index, value) in &self.adds {
            let slot = usize::try_from(offset - min).unwrap_or(0);
            indices[slot].get_or_insert(index);
            sums[slot] = Some(match sums[slot] {
                Some(sum) => add(func, body, sum, value, self.float),
                None => value,
            });
        }
        let plus = |func: &mut Function, pending: Option<Value>, sum: Option<Value>| match (
            pending, sum,
        ) {
            (Some(p), Some(s)) => Some(add(func, body, p, s, self.float)),
            (p, s) => p.or(s),
        };
        // The element the loop leaves behind, and the window for the next index.
        let (leaving, next): (usize, Vec<Option<Value>>) = if self.descending {
            let next = (0..width)
                .map(|j| {
                    let pending = j.checked_sub(1).map(|k| registers[k]);
                    plus(func, pending, sums[j])
                })
                .collect();
            (width, next)
        } else {
            let next = (0..width)
                .map(|j| plus(func, registers.get(j + 1).copied(), sums[j + 1]))
                .collect();
            (0, next)
        };
        let pending = if self.descending {
            registers[width - 1]
        } else {
            registers[0]
        };
        let total = plus(func, Some(pending), sums[leaving]).unwrap_or(pending);
        let index = indices[leaving].unwrap_or(func.regions[body].args[0]);
        push(
            func,
            body,
            Op::AccumulateAt,
            vec![self.buffer, index, total],
            None,
        );
        for value in next {
            let value = value.unwrap_or_else(|| push_zero(func, body, self.float));
            func.regions[body].yields.push(value);
        }

        // The loop's results are its carried values, then its trip count.
        let trip = func.insts[inst]
            .results
            .pop()
            .expect("loops have a trip count");
        let finals: Vec<Value> = (0..width)
            .map(|_| {
                let k = func.insts[inst].results.len();
                let value = func.new_value(self.float, ValueDef::Result(inst, k), None);
                func.insts[inst].results.push(value);
                value
            })
            .collect();
        func.values[trip].def = ValueDef::Result(inst, func.insts[inst].results.len());
        func.insts[inst].results.push(trip);

        self.flush_after(func, inst, (parent, position + width), &range, &finals);
    }

    /// `if start < end { buffer[first + j] += finals[j]; … }` after the loop: the
    /// elements still in the window, which all lie between elements the loop
    /// touched (so in bounds) if it ran at all.
    fn flush_after(
        &self,
        func: &mut Function,
        inst: Inst,
        (parent, loop_position): (Region, usize),
        range: &crate::ir::RangeShape,
        finals: &[Value],
    ) {
        let (start, end) = (func.insts[inst].args[0], func.insts[inst].args[1]);
        let (then, otherwise) = (func.new_region(), func.new_region());
        let (base, first) = if self.descending {
            (start, self.min())
        } else {
            (end, self.min() + i64::from(range.inclusive))
        };
        for (j, &value) in finals.iter().enumerate() {
            let offset = first + i64::try_from(j).unwrap_or(0);
            let index = offset_index(func, then, base, offset);
            push(
                func,
                then,
                Op::AccumulateAt,
                vec![self.buffer, index, value],
                None,
            );
        }
        let compare = if range.inclusive {
            BinOp::Le
        } else {
            BinOp::Lt
        };
        let generated = SourceSpan::generated();
        let guard = func.detached_inst(Op::Bin(compare), vec![start, end], &[Ty::Bool], generated);
        let ran = func.insts[guard].results[0];
        let flush = func.detached_inst(Op::If { then, otherwise }, vec![ran], &[], generated);
        func.regions[parent]
            .insts
            .splice(loop_position + 1..loop_position + 1, [guard, flush]);
    }
}

/// `index - 2`, `index`, `index + 1` as offsets of the loop index, else `None`.
fn offset_of(func: &Function, value: Value, index: Value) -> Option<i64> {
    if value == index {
        return Some(0);
    }
    let ValueDef::Result(def, 0) = func.values[value].def else {
        return None;
    };
    let data = &func.insts[def];
    match (&data.op, &data.args[..]) {
        (Op::Bin(BinOp::Add), &[a, b]) if a == index => literal_of(func, b),
        (Op::Bin(BinOp::Add), &[a, b]) if b == index => literal_of(func, a),
        (Op::Bin(BinOp::Sub), &[a, b]) if a == index => literal_of(func, b).map(|c| -c),
        _ => None,
    }
}

fn literal_of(func: &Function, value: Value) -> Option<i64> {
    match func.literal(value)? {
        syn::Lit::Int(int) => int.base10_parse().ok(),
        _ => None,
    }
}

fn push(
    func: &mut Function,
    region: Region,
    op: Op,
    args: Vec<Value>,
    ty: Option<Ty>,
) -> Option<Value> {
    let tys: Vec<Ty> = ty.into_iter().collect();
    let inst = func.push_inst(region, op, args, &tys, SourceSpan::generated());
    func.insts[inst].results.first().copied()
}

fn add(func: &mut Function, region: Region, a: Value, b: Value, ty: Ty) -> Value {
    push(func, region, Op::Bin(BinOp::Add), vec![a, b], Some(ty)).expect("one result")
}

fn push_zero(func: &mut Function, region: Region, ty: Ty) -> Value {
    push(func, region, Op::Zero, Vec::new(), Some(ty)).expect("one result")
}

/// `0.0_f64` as a constant, which the expansion writes where it is used.
fn zero_literal(float: Ty) -> Op {
    let suffix = match float {
        Ty::Float(float) => float.name(),
        _ => "f64",
    };
    let literal = syn::LitFloat::new(&format!("0.0_{suffix}"), proc_macro2::Span::call_site());
    Op::Const(syn::Lit::Float(literal))
}

/// `base + offset` as an index value appended to `region`.
fn offset_index(func: &mut Function, region: Region, base: Value, offset: i64) -> Value {
    if offset == 0 {
        return base;
    }
    let literal = syn::LitInt::new(
        &offset.unsigned_abs().to_string(),
        proc_macro2::Span::call_site(),
    );
    let constant = push(
        func,
        region,
        Op::Const(syn::Lit::Int(literal)),
        Vec::new(),
        Some(Ty::Index),
    )
    .expect("one result");
    let op = if offset > 0 { BinOp::Add } else { BinOp::Sub };
    push(
        func,
        region,
        Op::Bin(op),
        vec![base, constant],
        Some(Ty::Index),
    )
    .expect("one result")
}
