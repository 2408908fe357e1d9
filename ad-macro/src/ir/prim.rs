//! The closed set of elementary functions the IR knows, and their Rust names.

/// An elementary function of `f32`/`f64`. Every one has a rule in `crate::rules`.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Prim {
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Atan2,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Exp,
    Exp2,
    ExpM1,
    Ln,
    Ln1p,
    Log,
    Log2,
    Log10,
    Sqrt,
    Cbrt,
    Powi,
    Powf,
    Abs,
    Signum,
    Hypot,
    Min,
    Max,
    MulAdd,
    Recip,
    Clamp,
    Floor,
    Ceil,
    Round,
    Trunc,
}

/// What one argument position of a primitive takes.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum ArgKind {
    /// A float of the primitive's own type: differentiable.
    Float,
    /// An `i32` (the exponent of `powi`): never differentiable.
    Int,
}

impl Prim {
    pub const ALL: [Prim; 37] = [
        Prim::Sin,
        Prim::Cos,
        Prim::Tan,
        Prim::Asin,
        Prim::Acos,
        Prim::Atan,
        Prim::Atan2,
        Prim::Sinh,
        Prim::Cosh,
        Prim::Tanh,
        Prim::Asinh,
        Prim::Acosh,
        Prim::Atanh,
        Prim::Exp,
        Prim::Exp2,
        Prim::ExpM1,
        Prim::Ln,
        Prim::Ln1p,
        Prim::Log,
        Prim::Log2,
        Prim::Log10,
        Prim::Sqrt,
        Prim::Cbrt,
        Prim::Powi,
        Prim::Powf,
        Prim::Abs,
        Prim::Signum,
        Prim::Hypot,
        Prim::Min,
        Prim::Max,
        Prim::MulAdd,
        Prim::Recip,
        Prim::Clamp,
        Prim::Floor,
        Prim::Ceil,
        Prim::Round,
        Prim::Trunc,
    ];

    /// The method name in `f64`'s inherent API, which is also the runtime rule's name.
    pub fn name(self) -> &'static str {
        match self {
            Prim::Sin => "sin",
            Prim::Cos => "cos",
            Prim::Tan => "tan",
            Prim::Asin => "asin",
            Prim::Acos => "acos",
            Prim::Atan => "atan",
            Prim::Atan2 => "atan2",
            Prim::Sinh => "sinh",
            Prim::Cosh => "cosh",
            Prim::Tanh => "tanh",
            Prim::Asinh => "asinh",
            Prim::Acosh => "acosh",
            Prim::Atanh => "atanh",
            Prim::Exp => "exp",
            Prim::Exp2 => "exp2",
            Prim::ExpM1 => "exp_m1",
            Prim::Ln => "ln",
            Prim::Ln1p => "ln_1p",
            Prim::Log => "log",
            Prim::Log2 => "log2",
            Prim::Log10 => "log10",
            Prim::Sqrt => "sqrt",
            Prim::Cbrt => "cbrt",
            Prim::Powi => "powi",
            Prim::Powf => "powf",
            Prim::Abs => "abs",
            Prim::Signum => "signum",
            Prim::Hypot => "hypot",
            Prim::Min => "min",
            Prim::Max => "max",
            Prim::MulAdd => "mul_add",
            Prim::Recip => "recip",
            Prim::Clamp => "clamp",
            Prim::Floor => "floor",
            Prim::Ceil => "ceil",
            Prim::Round => "round",
            Prim::Trunc => "trunc",
        }
    }

    pub fn from_name(name: &str) -> Option<Prim> {
        Prim::ALL.into_iter().find(|prim| prim.name() == name)
    }

    /// The argument positions, receiver first (`x.powi(n)` is `[Float, Int]`).
    pub fn args(self) -> &'static [ArgKind] {
        use ArgKind::{Float, Int};
        match self {
            Prim::Powi => &[Float, Int],
            Prim::Atan2 | Prim::Log | Prim::Powf | Prim::Hypot | Prim::Min | Prim::Max => {
                &[Float, Float]
            }
            Prim::MulAdd | Prim::Clamp => &[Float, Float, Float],
            _ => &[Float],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for prim in Prim::ALL {
            assert_eq!(Prim::from_name(prim.name()), Some(prim));
        }
        assert_eq!(Prim::from_name("to_degrees"), None);
    }
}
