//! Common subexpressions: an instruction that computes what an earlier one in scope
//! computed reads the earlier result instead. The forward and the reverse sweep
//! each derive loop bounds and windows from the same values (`n - 1`, then `n - 1 + 1`
//! in both; `x.get(1..n)` before each loop); a person would write them once.
//!
//! Element loads of arrays that nothing writes are shared too (`x[i] * x[i]`). This
//! runs after the adjoint is built, so the reverse sweep still adds each use's
//! contribution on its own: an earlier attempt to load once and add one summed
//! adjoint made Rosenbrock's reverse loop slower (measured when value numbering
//! was added). Literals are written where they are used, so they are not shared.

use std::collections::HashMap;

use crate::ir::{BinOp, Function, Inst, Op, Region, SecondaryMap, Value};

/// What an instruction computes, for the instructions that may be shared.
#[derive(PartialEq, Eq, Hash)]
enum Key {
    Bin(BinOp, Operand, Operand),
    Neg(Operand),
    Not(Operand),
    Cast(String, Operand),
    Len(Operand),
    Index(Operand, Operand),
    Window(bool, Operand, Operand, Operand),
}

/// An argument: a literal by its text (each `1` in the source is its own
/// instruction), anything else by its value.
#[derive(PartialEq, Eq, Hash)]
enum Operand {
    Literal(String),
    Value(Value),
}

pub fn share_common_subexpressions(func: &mut Function) {
    let written = written_arrays(func);
    let mut sharing = Sharing {
        written,
        replaced: SecondaryMap::with_default(func.values.len(), None),
        scopes: Vec::new(),
    };
    sharing.region(func, func.body);
    func.compact();
}

struct Sharing {
    /// Arrays some instruction writes or grows: their windows and lengths change.
    written: SecondaryMap<Value, bool>,
    /// The earlier value each shared result is replaced by.
    replaced: SecondaryMap<Value, Option<Value>>,
    /// What the enclosing regions computed before the current point, innermost last.
    scopes: Vec<HashMap<Key, Value>>,
}

impl Sharing {
    fn region(&mut self, func: &mut Function, region: Region) {
        self.scopes.push(HashMap::new());
        let insts = func.regions[region].insts.clone();
        let mut kept = Vec::with_capacity(insts.len());
        for inst in insts {
            for arg in &mut func.insts[inst].args {
                *arg = self.replaced[*arg].unwrap_or(*arg);
            }
            for nested in func.inst_regions(inst) {
                self.region(func, nested);
            }
            if let Some(key) = self.key(func, inst) {
                let result = func.insts[inst].results[0];
                if let Some(&earlier) = self.scopes.iter().rev().find_map(|s| s.get(&key)) {
                    self.replaced[result] = Some(earlier);
                    continue;
                }
                self.scopes
                    .last_mut()
                    .expect("a scope per region")
                    .insert(key, result);
            }
            kept.push(inst);
        }
        func.regions[region].insts = kept;
        for value in &mut func.regions[region].yields {
            *value = self.replaced[*value].unwrap_or(*value);
        }
        self.scopes.pop();
    }

    fn key(&self, func: &Function, inst: Inst) -> Option<Key> {
        let data = &func.insts[inst];
        if data.results.len() != 1 {
            return None;
        }
        let arg = |k: usize| {
            let value = data.args[k];
            match func.literal(value) {
                Some(lit) => Operand::Literal(quote::ToTokens::to_token_stream(lit).to_string()),
                None => Operand::Value(value),
            }
        };
        let unwritten = |k: usize| !self.written[data.args[k]];
        Some(match &data.op {
            Op::Bin(op) => Key::Bin(*op, arg(0), arg(1)),
            Op::Neg => Key::Neg(arg(0)),
            Op::Not => Key::Not(arg(0)),
            Op::Cast(ty) => Key::Cast(quote::ToTokens::to_token_stream(ty).to_string(), arg(0)),
            Op::Len if unwritten(0) => Key::Len(arg(0)),
            Op::Index if unwritten(0) => Key::Index(arg(0), arg(1)),
            Op::Window {
                mutable: false,
                inclusive,
            } if unwritten(0) => Key::Window(*inclusive, arg(0), arg(1), arg(2)),
            _ => return None,
        })
    }
}

fn written_arrays(func: &Function) -> SecondaryMap<Value, bool> {
    let mut written = SecondaryMap::with_default(func.values.len(), false);
    for inst in func.insts.keys() {
        let data = &func.insts[inst];
        let writes = matches!(
            data.op,
            Op::Store
                | Op::Append
                | Op::AccumulateAt
                | Op::TakeAt
                | Op::Statement(_)
                | Op::Window { mutable: true, .. }
        );
        if writes {
            written[data.args[0]] = true;
        }
    }
    written
}
