//! The closed set of elementary functions the IR knows: one table gives each its
//! Rust name, its arguments and its kind of derivative rule.

/// The one table of elementary functions: each row is the `Prim` variant, the
/// method name in `f64`'s inherent API (which is also the runtime rule's name), the
/// argument kinds (receiver first), and how the reverse sweep treats it
/// ([`Rule`](crate::rules::Rule)). Adding a function is one row here and its rule in
/// `ad-runtime/src/rules/`; the names in diagnostics and the method list follow.
macro_rules! prims {
    ($($variant:ident $name:literal [$($arg:ident),+] $rule:ident;)*) => {
        /// An elementary function of `f32`/`f64`.
        #[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
        pub enum Prim {
            $($variant,)*
        }

        impl Prim {
            pub const ALL: &'static [Prim] = &[$(Prim::$variant),*];

            /// The method name in `f64`'s inherent API, which is also the runtime rule's name.
            pub fn name(self) -> &'static str {
                match self {
                    $(Prim::$variant => $name,)*
                }
            }

            /// The argument positions, receiver first (`x.powi(n)` is `[Float, Int]`).
            pub fn args(self) -> &'static [ArgKind] {
                match self {
                    $(Prim::$variant => &[$(ArgKind::$arg),+],)*
                }
            }

            /// How the reverse sweep treats it.
            pub fn rule(self) -> crate::rules::Rule {
                match self {
                    $(Prim::$variant => crate::rules::Rule::$rule,)*
                }
            }
        }
    };
}

prims! {
    Sin "sin" [Float] Runtime;
    Cos "cos" [Float] Runtime;
    Tan "tan" [Float] Runtime;
    Asin "asin" [Float] Runtime;
    Acos "acos" [Float] Runtime;
    Atan "atan" [Float] Runtime;
    Atan2 "atan2" [Float, Float] Runtime;
    Sinh "sinh" [Float] Runtime;
    Cosh "cosh" [Float] Runtime;
    Tanh "tanh" [Float] Runtime;
    Asinh "asinh" [Float] Runtime;
    Acosh "acosh" [Float] Runtime;
    Atanh "atanh" [Float] Runtime;
    Exp "exp" [Float] Runtime;
    Exp2 "exp2" [Float] Runtime;
    ExpM1 "exp_m1" [Float] Runtime;
    Ln "ln" [Float] Runtime;
    Ln1p "ln_1p" [Float] Runtime;
    Log "log" [Float, Float] Runtime;
    Log2 "log2" [Float] Runtime;
    Log10 "log10" [Float] Runtime;
    Sqrt "sqrt" [Float] Runtime;
    Cbrt "cbrt" [Float] Runtime;
    Powi "powi" [Float, Int] Runtime;
    Powf "powf" [Float, Float] Runtime;
    Abs "abs" [Float] Runtime;
    Copysign "copysign" [Float, Float] Runtime;
    RemEuclid "rem_euclid" [Float, Float] Runtime;
    ToDegrees "to_degrees" [Float] Runtime;
    ToRadians "to_radians" [Float] Runtime;
    Signum "signum" [Float] Zero;
    Hypot "hypot" [Float, Float] Runtime;
    Min "min" [Float, Float] Runtime;
    Max "max" [Float, Float] Runtime;
    MulAdd "mul_add" [Float, Float, Float] Runtime;
    Recip "recip" [Float] Runtime;
    Clamp "clamp" [Float, Float, Float] Runtime;
    Floor "floor" [Float] Zero;
    Ceil "ceil" [Float] Zero;
    Round "round" [Float] Zero;
    Trunc "trunc" [Float] Zero;
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
    pub fn from_name(name: &str) -> Option<Prim> {
        Prim::ALL.iter().copied().find(|prim| prim.name() == name)
    }

    /// Of a call's arguments (receiver first), those in float positions: the ones
    /// with a partial derivative.
    pub fn float_args<T: Copy>(self, args: &[T]) -> Vec<T> {
        self.args()
            .iter()
            .zip(args)
            .filter(|(&kind, _)| kind == ArgKind::Float)
            .map(|(_, &arg)| arg)
            .collect()
    }

    /// Every name, separated by spaces, for diagnostics and documentation.
    pub fn names() -> String {
        Prim::ALL
            .iter()
            .map(|prim| prim.name())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &prim in Prim::ALL {
            assert_eq!(Prim::from_name(prim.name()), Some(prim));
        }
        assert_eq!(Prim::from_name("fract"), None);
    }

    /// The README's syntax table lists the elementary functions from this table.
    #[test]
    fn the_readme_lists_every_function() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
            .expect("the README is beside the workspace");
        let listed = format!("`{}`", Prim::names());
        assert!(
            readme.contains(&listed),
            "README.md should list the elementary functions as {listed}"
        );
    }
}
