//! Activity: a value is *varied* if it depends on a differentiable parameter and
//! *useful* if the returned value depends on it. Only values that are both (active)
//! get adjoints. Reading a varied value where no derivative is known (an opaque
//! call, `%`) is reported here, with the span of the user's expression.

use crate::ctxt::Ctxt;
use crate::ir::{ArgKind, BinOp, Function, Op, ParamKind, SecondaryMap, Ty, Value, ValueDef};
use crate::rules::{rule, Rule};

pub struct Activity {
    varied: SecondaryMap<Value, bool>,
    useful: SecondaryMap<Value, bool>,
}

impl Activity {
    pub fn is_active(&self, value: Value) -> bool {
        self.varied[value] && self.useful[value]
    }
}

pub fn analyse(func: &Function, ctxt: &Ctxt) -> Activity {
    let varied = varied(func, ctxt);
    let useful = useful(func);
    Activity { varied, useful }
}

fn varied(func: &Function, ctxt: &Ctxt) -> SecondaryMap<Value, bool> {
    let mut varied = SecondaryMap::with_default(func.values.len(), false);
    for param in &func.params {
        if let (ParamKind::Primal { wrt: true, .. }, Some(value)) = (&param.kind, param.value) {
            varied[value] = true;
        }
    }
    for &inst in &func.regions[func.body].insts {
        let data = &func.insts[inst];
        // A poisoned argument was reported where lowering rejected it; one error is enough.
        let any_varied =
            data.args.iter().any(|&arg| varied[arg]) && !reads_poison(func, &data.args);
        let result_varied = match &data.op {
            Op::Const(_) | Op::Not | Op::Poison | Op::Partials(_) | Op::Accumulate { .. } => false,
            Op::Bin(BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div) | Op::Neg => any_varied,
            Op::Bin(op) if op.is_comparison() => false,
            Op::Bin(_) => {
                if any_varied {
                    ctxt.error_spanned_by(
                        data.span,
                        "`%` and bitwise operators on a value that depends on a differentiable \
                         parameter are not supported; supported operators: `+ - * /` and unary `-`",
                    );
                }
                false
            }
            Op::Call { prim, .. } => {
                let float_arg_varied = prim
                    .args()
                    .iter()
                    .zip(&data.args)
                    .any(|(&kind, &arg)| kind == ArgKind::Float && varied[arg]);
                float_arg_varied && rule(*prim) == Rule::Runtime
            }
            Op::Cast(_) => match func.values[data.results[0]].ty {
                Ty::Float(_) => any_varied,
                Ty::Int | Ty::Bool => false,
                _ => {
                    if any_varied {
                        ctxt.error_spanned_by(
                            data.span,
                            "a value that depends on a differentiable parameter can only be \
                             cast to `f32`, `f64` or an integer type",
                        );
                    }
                    false
                }
            },
            Op::Opaque(opaque) => {
                if any_varied {
                    let fix = if opaque.method {
                        "methods with derivatives: sin cos tan asin acos atan atan2 sinh cosh \
                         tanh asinh acosh atanh exp exp2 exp_m1 ln ln_1p log log2 log10 sqrt \
                         cbrt powi powf abs signum hypot min max mul_add recip clamp floor ceil \
                         round trunc"
                    } else {
                        "write it with arithmetic and f32/f64 methods such as `sin`, `exp`, `powf`"
                    };
                    ctxt.error_spanned_by(
                        data.span,
                        format!(
                            "#[differentiate] has no derivative for {}, which is applied here \
                             to a value that depends on a differentiable parameter; {fix}",
                            opaque.what
                        ),
                    );
                }
                false
            }
        };
        for &result in &data.results {
            varied[result] = result_varied;
        }
    }
    varied
}

fn reads_poison(func: &Function, args: &[Value]) -> bool {
    args.iter().any(|&arg| match func.values[arg].def {
        ValueDef::Result(inst, _) => matches!(func.insts[inst].op, Op::Poison),
        ValueDef::Param(_) => false,
    })
}

fn useful(func: &Function) -> SecondaryMap<Value, bool> {
    let mut useful = SecondaryMap::with_default(func.values.len(), false);
    for &value in &func.regions[func.body].yields {
        useful[value] = true;
    }
    for &inst in func.regions[func.body].insts.iter().rev() {
        let data = &func.insts[inst];
        if data.results.iter().any(|&result| useful[result]) {
            for &arg in &data.args {
                useful[arg] = true;
            }
        }
    }
    useful
}
