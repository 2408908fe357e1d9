//! What an instruction computes, as a key: two instructions with equal keys compute
//! the same value if the values they read have not changed. Lowering, the adjoint's
//! reverse sweep and the `cse` pass share values by it, each deciding for itself
//! which operations it may share.

use super::{BinOp, FloatTy, Function, Op, Prim, Value};

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Key {
    Bin(BinOp, Operand, Operand),
    Neg(Operand),
    Not(Operand),
    Cast(String, Operand),
    Call(Prim, Option<FloatTy>, Vec<Operand>),
    Len(Operand),
    Index(Operand, Operand),
    Window(bool, Operand, Operand, Operand),
    Slice(bool, Operand, Operand, Operand),
}

/// An argument: a literal by its text (each `1` in the source is its own
/// instruction), anything else by its value.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Operand {
    Literal(String),
    Value(Value),
}

impl Key {
    /// The key of `op` applied to `args`, for the operations that have one (pure
    /// ones; a mutable window or a store has none).
    pub fn of(func: &Function, op: &Op, args: &[Value]) -> Option<Key> {
        let arg = |k: usize| {
            let value = args[k];
            match func.literal(value) {
                Some(lit) => Operand::Literal(quote::ToTokens::to_token_stream(lit).to_string()),
                None => Operand::Value(value),
            }
        };
        // Arithmetic of literals alone takes its type from where it is used, which
        // may differ between two such expressions (`2.0 * 3.0` as f32 and as f64).
        if matches!(op, Op::Bin(_) | Op::Neg) && args.iter().all(|&a| func.literal(a).is_some()) {
            return None;
        }
        Some(match op {
            Op::Bin(op) => Key::Bin(*op, arg(0), arg(1)),
            Op::Neg => Key::Neg(arg(0)),
            Op::Not => Key::Not(arg(0)),
            Op::Cast(ty) => Key::Cast(quote::ToTokens::to_token_stream(ty).to_string(), arg(0)),
            Op::Call { prim, path_ty } => {
                Key::Call(*prim, *path_ty, (0..args.len()).map(arg).collect())
            }
            Op::Len => Key::Len(arg(0)),
            Op::Index => Key::Index(arg(0), arg(1)),
            Op::Window {
                mutable: false,
                inclusive,
            } => Key::Window(*inclusive, arg(0), arg(1), arg(2)),
            Op::Slice { inclusive } => Key::Slice(*inclusive, arg(0), arg(1), arg(2)),
            _ => return None,
        })
    }
}
