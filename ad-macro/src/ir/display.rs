//! The IR's one text format, used by tests and `AD_DUMP`.
//!
//! ```text
//! fn f(v0: f64, v1: f64) -> f64 {
//!     v2 = mul v0, v1
//!     v3 = sin v0
//!     v4 = add v2, v3
//!     return v4
//! }
//! ```

use super::{Function, Op, ParamKind, Region, Value};
use std::fmt::{self, Display, Formatter, Write};

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
        self.fmt_region(f, self.body, 1)?;
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

    fn fmt_region(&self, f: &mut Formatter<'_>, region: Region, depth: usize) -> fmt::Result {
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
            }
            f.write_char('\n')?;
        }
        Ok(())
    }
}

fn list(values: &[Value]) -> String {
    values
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
