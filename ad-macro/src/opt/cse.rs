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

use crate::ir::{Function, Inst, Key, Op, Region, SecondaryMap, Value};

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
        // Lengths, windows and loads read an array: only one nothing writes.
        let shareable = match data.op {
            Op::Bin(_) | Op::Neg | Op::Not | Op::Cast(_) => true,
            Op::Len | Op::Index | Op::Window { mutable: false, .. } | Op::Slice { .. } => {
                !self.written[data.args[0]]
            }
            _ => false,
        };
        shareable
            .then(|| Key::of(func, &data.op, &data.args))
            .flatten()
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
