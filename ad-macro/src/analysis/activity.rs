//! Activity: a value is *varied* if it depends on a differentiable parameter and
//! *useful* if the returned value depends on it. Only values that are both (active)
//! get adjoints. Both are fixpoints over the regions, because a loop-carried value
//! can become varied or useful through a later iteration. Reading a varied value
//! where no derivative is known (an opaque call, `%`) is reported here, with the
//! span of the user's expression.

use crate::ctxt::Ctxt;
use crate::ir::{
    ArgKind, BinOp, Function, Inst, LoopView, Op, ParamKind, Region, SecondaryMap, Ty, Value,
    ValueDef,
};
use crate::rules::{rule, Rule};

pub struct Activity {
    varied: SecondaryMap<Value, bool>,
    useful: SecondaryMap<Value, bool>,
}

impl Activity {
    pub fn is_active(&self, value: Value) -> bool {
        self.varied[value] && self.useful[value]
    }

    pub fn any_active(&self, values: &[Value]) -> bool {
        values.iter().any(|&v| self.is_active(v))
    }

    /// Whether the reverse sweep has work for `inst`: an active result, a store into
    /// an active array, or such an instruction in one of its regions (a loop that
    /// only fills a buffer has no active result but must be reversed).
    pub fn needs_reverse(&self, func: &Function, inst: Inst) -> bool {
        let data = &func.insts[inst];
        if self.any_active(&data.results) {
            return true;
        }
        if let (Op::Store | Op::Append, Some(&array)) = (&data.op, data.args.first()) {
            return self.is_active(array);
        }
        func.inst_regions(inst).into_iter().any(|region| {
            func.regions[region]
                .insts
                .iter()
                .any(|&nested| self.needs_reverse(func, nested))
        })
    }
}

pub fn analyse(func: &Function, ctxt: &Ctxt) -> Activity {
    let mut varied = SecondaryMap::with_default(func.values.len(), false);
    for param in &func.params {
        if let (ParamKind::Primal { wrt: true, .. }, Some(value)) = (&param.kind, param.value) {
            varied[value] = true;
        }
    }
    while propagate_varied(func, func.body, &mut varied) {}
    report_underivable(func, func.body, &varied, ctxt);
    let mut useful = SecondaryMap::with_default(func.values.len(), false);
    useful[func.returned()] = true;
    while propagate_useful(func, func.body, &mut useful) {}
    Activity { varied, useful }
}

/// Sets `flags[value]`; whether that changed it.
fn raise(flags: &mut SecondaryMap<Value, bool>, value: Value, to: bool) -> bool {
    let changed = to && !flags[value];
    flags[value] |= to;
    changed
}

/// One pass of varied-propagation over `region`; whether anything changed.
fn propagate_varied(
    func: &Function,
    region: Region,
    varied: &mut SecondaryMap<Value, bool>,
) -> bool {
    let mut changed = false;
    for &inst in &func.regions[region].insts {
        let data = &func.insts[inst];
        match &data.op {
            Op::If { then, otherwise } => {
                changed |= propagate_varied(func, *then, varied);
                changed |= propagate_varied(func, *otherwise, varied);
                for (k, &result) in data.results.iter().enumerate() {
                    let from = varied[func.regions[*then].yields[k]]
                        || varied[func.regions[*otherwise].yields[k]];
                    changed |= raise(varied, result, from);
                }
            }
            Op::For { .. } | Op::While { .. } => {
                let view = func.loop_view(inst).expect("loops have a loop view");
                changed |= propagate_loop(func, &view, varied);
            }
            // A store makes the whole array varied: the array is memory, not a value.
            Op::Store | Op::Append => changed |= raise(varied, data.args[0], varied[data.args[2]]),
            op => {
                let any_varied =
                    data.args.iter().any(|&a| varied[a]) && !reads_poison(func, &data.args);
                let to = any_varied && carries_derivative(func, inst, op, varied);
                for &result in &data.results {
                    changed |= raise(varied, result, to);
                }
            }
        }
    }
    changed
}

/// A loop's carried value `k` is varied if its initial value or the value the body
/// yields for the next iteration is.
fn propagate_loop(
    func: &Function,
    view: &LoopView,
    varied: &mut SecondaryMap<Value, bool>,
) -> bool {
    let mut changed = false;
    for (k, &init) in view.inits.iter().enumerate() {
        let from = varied[init] || varied[func.regions[view.body].yields[k]];
        for &region in &view.regions {
            let arg = func.regions[region].args[view.skip + k];
            changed |= raise(varied, arg, from);
        }
        changed |= raise(varied, view.results[k], from);
    }
    for &region in &view.regions {
        changed |= propagate_varied(func, region, varied);
    }
    changed
}

/// Whether the result of a straight-line instruction with a varied argument is varied.
fn carries_derivative(
    func: &Function,
    inst: Inst,
    op: &Op,
    varied: &SecondaryMap<Value, bool>,
) -> bool {
    let data = &func.insts[inst];
    match op {
        Op::Bin(BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div)
        | Op::Neg
        | Op::Index
        | Op::Apply(_)
        | Op::Slice { .. }
        | Op::Project { .. }
        | Op::CopyOf { .. }
        | Op::NewBuffer { .. } => true,
        Op::Call { prim, .. } => {
            rule(*prim) == Rule::Runtime
                && prim
                    .args()
                    .iter()
                    .zip(&data.args)
                    .any(|(&kind, &arg)| kind == ArgKind::Float && varied[arg])
        }
        Op::Cast(_) | Op::Ascribe(_) => matches!(func.values[data.results[0]].ty, Ty::Float(_)),
        _ => false,
    }
}

/// Reports each instruction that reads a varied value where no derivative is known.
fn report_underivable(
    func: &Function,
    region: Region,
    varied: &SecondaryMap<Value, bool>,
    ctxt: &Ctxt,
) {
    for &inst in &func.regions[region].insts {
        for nested in func.inst_regions(inst) {
            report_underivable(func, nested, varied, ctxt);
        }
        let data = &func.insts[inst];
        // A struct passed whole is read by a constant expression only for its
        // constant fields: the fields step gave every differentiable read a name.
        let reads_varied = data.args.iter().any(|&a| {
            varied[a]
                && !(matches!(data.op, Op::Opaque(_)) && matches!(func.values[a].ty, Ty::Struct(_)))
        });
        // A poisoned argument was reported where lowering rejected it; one error is enough.
        if !reads_varied || reads_poison(func, &data.args) {
            continue;
        }
        let message = match &data.op {
            Op::Bin(op)
                if !op.is_comparison()
                    && !matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div) =>
            {
                "`%` and bitwise operators on a value that depends on a differentiable \
                 parameter are not supported; supported operators: `+ - * /` and unary `-`"
                    .to_owned()
            }
            Op::Cast(_)
                if !matches!(
                    func.values[data.results[0]].ty,
                    Ty::Float(_) | Ty::Int | Ty::Bool
                ) =>
            {
                "a value that depends on a differentiable parameter can only be cast to \
                 `f32`, `f64` or an integer type"
                    .to_owned()
            }
            Op::Statement(_) => {
                "a value that depends on a differentiable parameter cannot be stored into a \
                 buffer of constants; use a buffer of floats (`vec![0.0; n]`)"
                    .to_owned()
            }
            Op::Opaque(opaque) => {
                let fix = if opaque.method {
                    format!(
                        "methods with derivatives: {}; for another function, give it a \
                         derivative with #[ad::custom_adjoint]",
                        crate::ir::Prim::names()
                    )
                } else if matches!(opaque.expr, syn::Expr::Struct(_) | syn::Expr::Tuple(_)) {
                    "a tuple or struct local is split into one local per element only when \
                     each read takes an element (`p.0`, `s.x`); passing it whole to a \
                     function or calling its methods is not supported: pass its elements"
                        .to_owned()
                } else if matches!(opaque.expr, syn::Expr::Macro(_)) {
                    "make the buffer with `vec![0.0; n]` and assign its elements (`a[i] = …`)"
                        .to_owned()
                } else {
                    "write it with arithmetic and f32/f64 methods such as `sin`, `exp`, `powf`"
                        .to_owned()
                };
                format!(
                    "#[differentiate] has no derivative for {}, which is applied here \
                     to a value that depends on a differentiable parameter; {fix}",
                    opaque.what
                )
            }
            _ => continue,
        };
        ctxt.error_spanned_by(data.span, message);
    }
}

fn reads_poison(func: &Function, args: &[Value]) -> bool {
    args.iter().any(|&arg| match func.values[arg].def {
        ValueDef::Result(inst, _) => matches!(func.insts[inst].op, Op::Poison),
        ValueDef::Param(_) | ValueDef::RegionArg(..) => false,
    })
}

/// One pass of useful-propagation over `region`, last instruction first.
fn propagate_useful(
    func: &Function,
    region: Region,
    useful: &mut SecondaryMap<Value, bool>,
) -> bool {
    let mut changed = false;
    for &inst in func.regions[region].insts.iter().rev() {
        let data = &func.insts[inst];
        match &data.op {
            Op::If { then, otherwise } => {
                for (k, &result) in data.results.iter().enumerate() {
                    for branch in [*then, *otherwise] {
                        changed |= raise(useful, func.regions[branch].yields[k], useful[result]);
                    }
                }
                changed |= propagate_useful(func, *then, useful);
                changed |= propagate_useful(func, *otherwise, useful);
            }
            Op::For { .. } | Op::While { .. } => {
                let view = func.loop_view(inst).expect("loops have a loop view");
                changed |= useful_loop(func, &view, useful);
            }
            Op::Store | Op::Append => changed |= raise(useful, data.args[2], useful[data.args[0]]),
            _ => {
                let to = data.results.iter().any(|&r| useful[r]);
                for &arg in &data.args {
                    changed |= raise(useful, arg, to);
                }
            }
        }
    }
    changed
}

/// A loop's carried value `k` is useful after the loop or in the next iteration; then
/// the body's yield and the initial value are useful.
///
/// The carried value is one variable seen through four values (initial value, region
/// arguments, yield, result), and all four get its flag: a result that is useful
/// makes the arguments useful even where the body never reads them (`px = x;` keeps
/// the previous iterate and overwrites it unread). The reverse loop carries the
/// adjoint of exactly the carried values whose arguments are active, so an argument
/// left inactive there would drop the result's adjoint (issue 13).
fn useful_loop(func: &Function, view: &LoopView, useful: &mut SecondaryMap<Value, bool>) -> bool {
    let mut changed = false;
    for (k, &init) in view.inits.iter().enumerate() {
        let to = useful[view.results[k]]
            || view
                .regions
                .iter()
                .any(|&region| useful[func.regions[region].args[view.skip + k]]);
        changed |= raise(useful, func.regions[view.body].yields[k], to);
        changed |= raise(useful, init, to);
        changed |= raise(useful, view.results[k], to);
        for &region in &view.regions {
            changed |= raise(useful, func.regions[region].args[view.skip + k], to);
        }
    }
    for &region in view.regions.iter().rev() {
        changed |= propagate_useful(func, region, useful);
    }
    changed
}
