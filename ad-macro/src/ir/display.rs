//! The IR's one text format, used by tests and in internal errors.
//!
//! ```text
//! fn f(v0: f64, const v1: ?) -> f64 {
//!     v2 = mul v0, v0
//!     v3, v4 = for v5 in v6..v1 carry(v7 = v2) {
//!         v8 = mul v7, v0
//!         yield v8
//!     }
//!     return v3
//! }
//! ```

use super::{Function, Op, ParamKind, RangeAdapter, Region, Value};
use std::fmt::{self, Display, Formatter};

impl Display for Function {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "fn {}(", self.name)?;
        for (k, param) in self.params.iter().enumerate() {
            if k > 0 {
                f.write_str(", ")?;
            }
            match (&param.kind, param.value) {
                (ParamKind::Primal { wrt: true, .. }, Some(v)) => write!(f, "{v}: {}", param.ty)?,
                (ParamKind::Primal { wrt: false, .. }, Some(v)) => {
                    write!(f, "const {v}: {}", param.ty)?
                }
                (ParamKind::Seed, Some(v)) => write!(f, "seed {v}: {}", param.ty)?,
                (ParamKind::AdjointOut { of }, _) => {
                    write!(f, "out adj({})", self.primal_name(*of))?
                }
                (_, None) => f.write_str("?")?,
            }
        }
        writeln!(f, ") -> {} {{", self.ret.name())?;
        self.fmt_insts(f, self.body, 1)?;
        let yields = list(&self.regions[self.body].yields);
        writeln!(f, "    return {yields}")?;
        f.write_str("}")
    }
}

impl Function {
    /// How a primal parameter is named in the text: by its value.
    fn primal_name(&self, param: usize) -> String {
        match self.params.get(param).and_then(|p| p.value) {
            Some(value) => value.to_string(),
            None => format!("param{param}"),
        }
    }

    fn fmt_insts(&self, f: &mut Formatter<'_>, region: Region, depth: usize) -> fmt::Result {
        let indent = "    ".repeat(depth);
        for &inst in &self.regions[region].insts {
            let data = &self.insts[inst];
            f.write_str(&indent)?;
            if !data.results.is_empty() {
                write!(f, "{} = ", list(&data.results))?;
            }
            let args = list(&data.args);
            match &data.op {
                Op::Const(lit) => write!(f, "const {}", quote::ToTokens::to_token_stream(lit))?,
                Op::Opaque(opaque) => {
                    let tokens = self.tokens_with_captures(opaque, &data.args, |v| {
                        let ident = quote::format_ident!("{}", v.to_string());
                        quote::quote!(#ident)
                    });
                    write!(f, "opaque {{ {tokens} }}")?;
                }
                Op::Bin(op) => write!(f, "{} {args}", op.name())?,
                Op::Neg => write!(f, "neg {args}")?,
                Op::Not => write!(f, "not {args}")?,
                Op::Call {
                    prim,
                    path_ty: Some(ty),
                } => write!(f, "{}::{} {args}", ty.name(), prim.name())?,
                Op::Call {
                    prim,
                    path_ty: None,
                } => write!(f, "{} {args}", prim.name())?,
                Op::Ascribe(ty) => write!(
                    f,
                    "ascribe {args}: {}",
                    quote::ToTokens::to_token_stream(ty)
                )?,
                Op::Statement(opaque) => {
                    let tokens = self.tokens_with_captures(opaque, &data.args, |v| {
                        let ident = quote::format_ident!("{}", v.to_string());
                        quote::quote!(#ident)
                    });
                    write!(f, "statement {{ {tokens} }}")?;
                }
                Op::Cast(ty) => {
                    write!(f, "cast {args} as {}", quote::ToTokens::to_token_stream(ty))?
                }
                Op::Partials(prim) => write!(f, "partials {} {args}", prim.name())?,
                Op::Accumulate { param } => {
                    let of = match self.params.get(*param).map(|p| &p.kind) {
                        Some(ParamKind::AdjointOut { of }) => self.primal_name(*of),
                        _ => format!("param{param}"),
                    };
                    write!(f, "accumulate adj({of}), {args}")?
                }
                Op::Poison => f.write_str("poison")?,
                Op::NoGrad => write!(f, "no_grad {args}")?,
                Op::Effect { mac, .. } => {
                    let path = quote::ToTokens::to_token_stream(&mac.path).to_string();
                    write!(f, "effect {path}! {args}")?
                }
                Op::Apply(callee) => {
                    let path = quote::ToTokens::to_token_stream(&callee.path)
                        .to_string()
                        .replace(' ', "");
                    write!(f, "apply {path} {args}")?
                }
                Op::ApplyAdjoint(callee, _) => {
                    let path = quote::ToTokens::to_token_stream(&callee.path)
                        .to_string()
                        .replace(' ', "");
                    write!(f, "apply_adjoint {path} {args}")?
                }
                Op::Push => write!(f, "push {args}")?,
                Op::Pop => write!(f, "pop {}", self.values[data.results[0]].ty)?,
                Op::Zero => write!(f, "zero {}", self.values[data.results[0]].ty)?,
                Op::Index => write!(f, "index {args}")?,
                Op::Len => write!(f, "len {args}")?,
                Op::Store => write!(f, "store {args}")?,
                Op::EmptyBuffer => write!(f, "empty_buffer {args}")?,
                Op::Append => write!(f, "append {args}")?,
                Op::AccumulateAt => write!(f, "accumulate_at {args}")?,
                Op::SumOf => write!(f, "sum_of {args}")?,
                Op::TakeAt => write!(f, "take_at {args}")?,
                Op::Window { mutable, inclusive } => {
                    let name = if *mutable { "window_mut" } else { "window" };
                    let range = if *inclusive { "..=" } else { ".." };
                    write!(f, "{name} {range} {args}")?
                }
                Op::NewBuffer { fixed_len } | Op::AdjointBuffer { fixed_len } => {
                    let name = match data.op {
                        Op::NewBuffer { .. } => "buffer",
                        _ => "adjoint_buffer",
                    };
                    match fixed_len {
                        Some(len) => write!(
                            f,
                            "{name} {args}; {}",
                            quote::ToTokens::to_token_stream(len)
                        )?,
                        None => write!(f, "{name} {args}")?,
                    }
                }
                Op::If { then, otherwise } => {
                    writeln!(f, "if {args} {{")?;
                    self.fmt_region_body(f, *then, depth + 1)?;
                    writeln!(f, "{indent}}} else {{")?;
                    self.fmt_region_body(f, *otherwise, depth + 1)?;
                    write!(f, "{indent}}}")?;
                }
                Op::For { body, range, exit } => {
                    let bounds = range.arg_count();
                    let region_args = &self.regions[*body].args;
                    let (start, end) = (data.args[0], data.args[1]);
                    let dots = if range.inclusive { "..=" } else { ".." };
                    write!(f, "for {} in {start}{dots}{end}", region_args[0])?;
                    let mut steps = data.args[2..bounds].iter();
                    for adapter in &range.adapters {
                        match (adapter, steps.next()) {
                            (RangeAdapter::StepBy, Some(step)) => write!(f, " step_by {step}")?,
                            _ => f.write_str(" rev")?,
                        }
                    }
                    fmt_carry(f, &region_args[1..], &data.args[bounds..])?;
                    if let Some(k) = exit {
                        write!(f, " until {}", region_args[1 + k])?;
                    }
                    writeln!(f, " {{")?;
                    self.fmt_region_body(f, *body, depth + 1)?;
                    write!(f, "{indent}}}")?;
                }
                Op::While { cond, body } => {
                    f.write_str("while")?;
                    fmt_carry(f, &self.regions[*cond].args, &data.args)?;
                    writeln!(f, " {{")?;
                    self.fmt_region_body(f, *cond, depth + 1)?;
                    write!(f, "{indent}}} do")?;
                    fmt_carry(f, &self.regions[*body].args, &data.args)?;
                    writeln!(f, " {{")?;
                    self.fmt_region_body(f, *body, depth + 1)?;
                    write!(f, "{indent}}}")?;
                }
            }
            writeln!(f)?;
        }
        Ok(())
    }

    fn fmt_region_body(&self, f: &mut Formatter<'_>, region: Region, depth: usize) -> fmt::Result {
        self.fmt_insts(f, region, depth)?;
        let yields = list(&self.regions[region].yields);
        writeln!(f, "{}yield {yields}", "    ".repeat(depth))
    }
}

fn fmt_carry(f: &mut Formatter<'_>, args: &[Value], inits: &[Value]) -> fmt::Result {
    if args.is_empty() {
        return Ok(());
    }
    let pairs: Vec<String> = args
        .iter()
        .zip(inits)
        .map(|(arg, init)| format!("{arg} = {init}"))
        .collect();
    write!(f, " carry({})", pairs.join(", "))
}

fn list(values: &[Value]) -> String {
    values
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
