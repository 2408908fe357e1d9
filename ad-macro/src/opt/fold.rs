//! Folds the integer arithmetic that lowering and the loop rewrites leave behind,
//! as a person writing the gradient would: `1 + 1` (a window's start taken from a
//! loop's start), `(n - 1) + 1` (a window's end from an exclusive bound), `i + 0`,
//! `k * 1`. Only integers: float literals take their type and rounding from where
//! rustc puts them, which this pass cannot see.

use crate::ir::{BinOp, Function, Inst, Op, Region, SecondaryMap, Ty, Value, ValueDef};

pub fn fold_constants(func: &mut Function) {
    let mut replaced = SecondaryMap::with_default(func.values.len(), None);
    fold_region(func, func.body, &mut replaced);
    func.compact();
}

fn fold_region(
    func: &mut Function,
    region: Region,
    replaced: &mut SecondaryMap<Value, Option<Value>>,
) {
    let insts = func.regions[region].insts.clone();
    let mut kept = Vec::with_capacity(insts.len());
    for inst in insts {
        for arg in &mut func.insts[inst].args {
            *arg = replaced[*arg].unwrap_or(*arg);
        }
        for nested in func.inst_regions(inst) {
            fold_region(func, nested, replaced);
        }
        match fold(func, inst) {
            Some(Folded::Literal(lit)) => func.insts[inst] = literal_inst(func, inst, lit),
            Some(Folded::Value(value)) => {
                replaced[func.insts[inst].results[0]] = Some(value);
                continue;
            }
            None => {}
        }
        kept.push(inst);
    }
    func.regions[region].insts = kept;
    for value in &mut func.regions[region].yields {
        *value = replaced[*value].unwrap_or(*value);
    }
}

enum Folded {
    Literal(syn::LitInt),
    Value(Value),
}

/// What integer instruction `inst` folds to, if anything.
fn fold(func: &Function, inst: Inst) -> Option<Folded> {
    let data = &func.insts[inst];
    let Op::Bin(op) = data.op else {
        return None;
    };
    if !matches!(
        func.values[data.results[0]].ty,
        Ty::Int | Ty::Index | Ty::Other
    ) {
        return None;
    }
    let (a, b) = (data.args[0], data.args[1]);
    match (op, integer(func, a), integer(func, b)) {
        (BinOp::Add | BinOp::Sub | BinOp::Mul, Some((x, sx)), Some((y, sy))) if sx == sy => {
            let value = match op {
                BinOp::Add => x.checked_add(y)?,
                BinOp::Sub => x.checked_sub(y)?,
                _ => x.checked_mul(y)?,
            };
            (value >= 0).then(|| {
                let text = format!("{value}{sx}");
                Folded::Literal(syn::LitInt::new(&text, proc_macro2::Span::call_site()))
            })
        }
        (BinOp::Add | BinOp::Sub, _, Some((0, _))) | (BinOp::Mul, _, Some((1, _))) => {
            Some(Folded::Value(a))
        }
        (BinOp::Add, Some((0, _)), _) | (BinOp::Mul, Some((1, _)), _) => Some(Folded::Value(b)),
        // `(n - c) + c` and `(n + c) - c` are `n`.
        (BinOp::Add | BinOp::Sub, _, Some((c, _))) => {
            let inverse = if op == BinOp::Add {
                BinOp::Sub
            } else {
                BinOp::Add
            };
            let ValueDef::Result(def, 0) = func.values[a].def else {
                return None;
            };
            let inner = &func.insts[def];
            match (&inner.op, inner.args.get(1).and_then(|&k| integer(func, k))) {
                (Op::Bin(inner_op), Some((k, _))) if *inner_op == inverse && k == c => {
                    Some(Folded::Value(inner.args[0]))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// An integer literal's value and suffix (`usize` in `1usize`, empty for `1`).
fn integer(func: &Function, value: Value) -> Option<(i128, String)> {
    match func.literal(value)? {
        syn::Lit::Int(lit) => Some((lit.base10_parse().ok()?, lit.suffix().to_owned())),
        _ => None,
    }
}

fn literal_inst(func: &Function, inst: Inst, lit: syn::LitInt) -> crate::ir::InstData {
    let data = &func.insts[inst];
    crate::ir::InstData {
        op: Op::Const(syn::Lit::Int(lit)),
        args: Vec::new(),
        results: data.results.clone(),
        span: data.span,
    }
}
