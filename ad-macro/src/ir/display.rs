//! The IR's one text format, used by `AD_DUMP`, filetests and internal errors. It
//! shows everything a [`Function`] holds except source spans, so `ir::parse` (in
//! tests) reads it back into the same function.
//!
//! ```text
//! fn horner(v0 x: f64, const v1 n: ?) -> f64 {
//!     v2 acc: float = const 0.0
//!     v3: int = const 0
//!     v10 acc: f64, v11 trips: usize = for v4 k: int in v3..v1 carry(v5 acc: f64 = v2) {
//!         v6: f64 = mul v5, v0
//!         v7: f64 = cast v4 as f64
//!         v8: f64 = sin v7
//!         v9 acc: f64 = add v6, v8
//!         yield v9
//!     }
//!     return v10
//! }
//! ```
//!
//! A value is defined as `v7 acc: f64`: its number, the user's variable it was
//! bound to (if any; written `"…"` if it is not a plain word), and its type.
//! Parameters are `v0 x: f64` (differentiable), `const v1 n: ?`, `seed v5 seed: f64`
//! and `out adj(v0)` (the adjoint buffer of `v0`; `out v9: [f64] = adj(v1)` when
//! the reverse sweep reads it as a value). Syntax the macro carries through (types,
//! literals, opaque expressions, macros) is printed as Rust tokens, with captured
//! values as `vN`. Instructions in no region (left by a pass that did not compact)
//! follow the function in a `detached { … }` block.

use super::{
    Callee, Function, Inst, Op, Opaque, ParamKind, RangeAdapter, Region, SecondaryMap, Slot, Value,
};
use quote::ToTokens;
use std::fmt::{self, Display, Formatter, Write};

impl Display for Function {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "fn {}(", self.name)?;
        for (k, param) in self.params.iter().enumerate() {
            if k > 0 {
                f.write_str(", ")?;
            }
            match (&param.kind, param.value) {
                (ParamKind::Primal { name, wrt }, Some(v)) => {
                    let constant = if *wrt { "" } else { "const " };
                    let name = hint_text(&name.to_string());
                    write!(f, "{constant}{v} {name}: {}", param.ty)?
                }
                (ParamKind::Seed, Some(v)) => write!(f, "seed {}", self.def(v))?,
                (ParamKind::AdjointOut { of }, None) => {
                    write!(f, "out adj({})", self.primal_name(*of))?;
                    if self.params.get(*of).map(|p| p.ty) != Some(param.ty) {
                        write!(f, ": {}", param.ty)?;
                    }
                }
                (ParamKind::AdjointOut { of }, Some(v)) => {
                    write!(f, "out {} = adj({})", self.def(v), self.primal_name(*of))?
                }
                (ParamKind::Tangent { of }, Some(v)) => {
                    write!(f, "tangent {} = tan({})", self.def(v), self.param_text(*of))?
                }
                (ParamKind::Tangent { of }, None) => {
                    write!(f, "out tan({})", self.param_text(*of))?;
                    if self.params.get(*of).map(|p| p.ty) != Some(param.ty) {
                        write!(f, ": {}", param.ty)?;
                    }
                }
                (_, None) => f.write_str("?")?,
            }
        }
        writeln!(f, ") -> {} {{", self.ret.name())?;
        self.fmt_insts(f, self.body, 1)?;
        let yields = list(&self.regions[self.body].yields);
        writeln!(f, "    return {yields}")?;
        f.write_str("}")?;
        let detached = self.detached();
        if !detached.is_empty() {
            f.write_str("\ndetached {\n")?;
            for inst in detached {
                self.fmt_inst(f, inst, 1)?;
            }
            f.write_str("}")?;
        }
        Ok(())
    }
}

impl Function {
    /// How a primal parameter is named in the text: by its value.
    /// How a tangent parameter names the parameter it is the tangent of.
    fn param_text(&self, param: usize) -> String {
        match self.params.get(param).map(|p| &p.kind) {
            Some(ParamKind::Seed) => "seed".to_owned(),
            Some(ParamKind::AdjointOut { of }) => format!("adj({})", self.primal_name(*of)),
            _ => self.primal_name(param),
        }
    }

    fn primal_name(&self, param: usize) -> String {
        match self.params.get(param).and_then(|p| p.value) {
            Some(value) => value.to_string(),
            None => format!("param{param}"),
        }
    }

    /// A value where it is defined: `v7 acc: f64`.
    fn def(&self, value: Value) -> String {
        let data = &self.values[value];
        match &data.hint {
            Some(hint) => format!("{value} {}: {}", hint_text(hint), data.ty),
            None => format!("{value}: {}", data.ty),
        }
    }

    fn defs(&self, values: &[Value]) -> String {
        let defs: Vec<String> = values.iter().map(|&v| self.def(v)).collect();
        defs.join(", ")
    }

    /// The instructions that are in no region.
    fn detached(&self) -> Vec<Inst> {
        let mut placed = SecondaryMap::with_default(self.insts.len(), false);
        for region in self.regions.keys() {
            for &inst in &self.regions[region].insts {
                placed[inst] = true;
            }
        }
        self.insts.keys().filter(|&inst| !placed[inst]).collect()
    }

    fn fmt_insts(&self, f: &mut Formatter<'_>, region: Region, depth: usize) -> fmt::Result {
        for &inst in &self.regions[region].insts {
            self.fmt_inst(f, inst, depth)?;
        }
        Ok(())
    }

    fn fmt_inst(&self, f: &mut Formatter<'_>, inst: Inst, depth: usize) -> fmt::Result {
        let indent = "    ".repeat(depth);
        let data = &self.insts[inst];
        f.write_str(&indent)?;
        if !data.results.is_empty() {
            write!(f, "{} = ", self.defs(&data.results))?;
        }
        let args = &data.args[..];
        match &data.op {
            Op::Const(lit) => write!(f, "const {}", lit.to_token_stream())?,
            Op::Opaque(opaque) => Self::fmt_opaque(f, "opaque", opaque, args)?,
            Op::Statement(opaque) => Self::fmt_opaque(f, "statement", opaque, args)?,
            Op::Bin(op) => plain(f, op.name(), args)?,
            Op::Neg => plain(f, "neg", args)?,
            Op::Not => plain(f, "not", args)?,
            Op::Call {
                prim,
                path_ty: Some(ty),
            } => plain(f, &format!("{}::{}", ty.name(), prim.name()), args)?,
            Op::Call {
                prim,
                path_ty: None,
            } => plain(f, prim.name(), args)?,
            Op::Ascribe(ty) => write!(f, "ascribe {}: {}", list(args), ty.to_token_stream())?,
            Op::Cast(ty) => write!(f, "cast {} as {}", list(args), ty.to_token_stream())?,
            Op::Partials(prim) => plain(f, &format!("partials {}", prim.name()), args)?,
            Op::PartialsTangent(prim) => {
                plain(f, &format!("partials_tangent {}", prim.name()), args)?
            }
            Op::Accumulate { param } => {
                let of = match self.params.get(*param).map(|p| &p.kind) {
                    Some(ParamKind::AdjointOut { of }) => {
                        format!("adj({})", self.primal_name(*of))
                    }
                    Some(ParamKind::Tangent { of }) => format!("tan({})", self.param_text(*of)),
                    _ => format!("param{param}"),
                };
                write!(f, "accumulate {of}, {}", list(args))?
            }
            Op::Poison => plain(f, "poison", args)?,
            Op::NoGrad => plain(f, "no_grad", args)?,
            Op::Effect {
                mac,
                explicit,
                implicit,
            } => {
                let tokens = super::substitute_capture_tokens(mac.tokens.clone(), &mut |k| {
                    value_tokens(args.get(k).copied())
                });
                let (open, close) = match mac.delimiter {
                    syn::MacroDelimiter::Paren(_) => ("(", ")"),
                    syn::MacroDelimiter::Brace(_) => ("{", "}"),
                    syn::MacroDelimiter::Bracket(_) => ("[", "]"),
                };
                write!(f, "effect {}!{open}{tokens}{close}", path_text(&mac.path))?;
                if !implicit.is_empty() {
                    let bound: Vec<String> = implicit
                        .iter()
                        .enumerate()
                        .map(|(k, name)| format!("{name} = {}", value_text(args.get(explicit + k))))
                        .collect();
                    write!(f, " implicit({})", bound.join(", "))?;
                }
            }
            Op::Apply(callee) => write!(f, "apply {}", call_text(callee, args))?,
            Op::ApplyAdjoint(callee, slots) => {
                let primal = (slots.len()).min(args.len());
                let (primal, rest) = args.split_at(primal);
                let mut rest = rest.iter();
                let seed = value_text(rest.next());
                let slots: Vec<String> = slots
                    .iter()
                    .map(|slot| match slot {
                        Slot::Scalar(float) => format!("scalar {}", float.name()),
                        Slot::Buffer => format!("buffer {}", value_text(rest.next())),
                        Slot::Scratch(float) => format!("scratch {}", float.name()),
                        Slot::Inferred => "inferred".to_owned(),
                        Slot::Constant => "constant".to_owned(),
                    })
                    .collect();
                write!(
                    f,
                    "apply_adjoint {} seed {seed} slots({})",
                    call_text(callee, primal),
                    slots.join(", ")
                )?;
                let extra: Vec<Value> = rest.copied().collect();
                if !extra.is_empty() {
                    write!(f, " extra({})", list(&extra))?;
                }
            }
            Op::ApplyTangent(callee, slots) => {
                let primal = (slots.len()).min(args.len());
                let (primal, rest) = args.split_at(primal);
                let mut rest = rest.iter();
                let tangents = slots_text(slots, &mut rest, true);
                write!(
                    f,
                    "apply_tangent {} tangents({tangents})",
                    call_text(callee, primal)
                )?;
            }
            Op::ApplyHvp {
                callee,
                slots,
                tangents,
            } => {
                let primal = (slots.len()).min(args.len());
                let (primal, rest) = args.split_at(primal);
                let mut rest = rest.iter();
                let tangents = slots_text(tangents, &mut rest, true);
                let (seed, t_seed) = (value_text(rest.next()), value_text(rest.next()));
                let adjoints = slots_text(slots, &mut rest, false);
                let tangent_buffers: Vec<Value> = rest.copied().collect();
                write!(
                    f,
                    "apply_hvp {} tangents({tangents}) seed {seed} tan {t_seed} slots({adjoints}) \
                     tangent_buffers({})",
                    call_text(callee, primal),
                    list(&tangent_buffers)
                )?;
            }
            Op::Push => plain(f, "push", args)?,
            Op::Pop => plain(f, "pop", args)?,
            Op::Zero => plain(f, "zero", args)?,
            Op::Index => plain(f, "index", args)?,
            Op::Len => plain(f, "len", args)?,
            Op::Store => plain(f, "store", args)?,
            Op::EmptyBuffer => plain(f, "empty_buffer", args)?,
            Op::Append => plain(f, "append", args)?,
            Op::AccumulateAt => plain(f, "accumulate_at", args)?,
            Op::SumOf => plain(f, "sum_of", args)?,
            Op::TakeAt => plain(f, "take_at", args)?,
            Op::Window { mutable, inclusive } => {
                let name = if *mutable { "window_mut" } else { "window" };
                let range = if *inclusive { "..=" } else { ".." };
                plain(f, &format!("{name} {range}"), args)?
            }
            Op::CopyOf { to_vec } => {
                plain(f, if *to_vec { "copy to_vec" } else { "copy clone" }, args)?
            }
            Op::Slice { inclusive } => {
                let range = if *inclusive { "..=" } else { ".." };
                plain(f, &format!("slice {range}"), args)?
            }
            Op::Project { steps } | Op::ProjectMut { steps } => {
                let name = match data.op {
                    Op::Project { .. } => "project",
                    _ => "project_mut",
                };
                write!(
                    f,
                    "{name} {}{}",
                    value_text(args.first()),
                    steps_text(steps, &args[1..])
                )?
            }
            Op::AddTo => plain(f, "add_to", args)?,
            Op::NewBuffer { fixed_len } | Op::AdjointBuffer { fixed_len } => {
                let name = match data.op {
                    Op::NewBuffer { .. } => "buffer",
                    _ => "adjoint_buffer",
                };
                plain(f, name, args)?;
                if let Some(len) = fixed_len {
                    write!(f, "; {}", len.to_token_stream())?;
                }
            }
            Op::If { then, otherwise } => {
                writeln!(f, "if {} {{", list(args))?;
                self.fmt_region_body(f, *then, depth + 1)?;
                writeln!(f, "{indent}}} else {{")?;
                self.fmt_region_body(f, *otherwise, depth + 1)?;
                write!(f, "{indent}}}")?;
            }
            Op::For { body, range, exit } => {
                let bounds = range.arg_count().min(args.len());
                let region_args = &self.regions[*body].args;
                let index = region_args.first().map_or("?".into(), |&i| self.def(i));
                let dots = if range.inclusive { "..=" } else { ".." };
                let (start, end) = (value_text(args.first()), value_text(args.get(1)));
                write!(f, "for {index} in {start}{dots}{end}")?;
                let mut steps = args.get(2..bounds).unwrap_or_default().iter();
                for adapter in &range.adapters {
                    match adapter {
                        RangeAdapter::StepBy => write!(f, " step_by {}", value_text(steps.next()))?,
                        RangeAdapter::Rev => f.write_str(" rev")?,
                    }
                }
                let carried = region_args.get(1..).unwrap_or_default();
                self.fmt_carry(f, carried, &args[bounds..])?;
                if let Some(k) = exit {
                    write!(f, " until {}", value_text(carried.get(*k)))?;
                }
                writeln!(f, " {{")?;
                self.fmt_region_body(f, *body, depth + 1)?;
                write!(f, "{indent}}}")?;
            }
            Op::While { cond, body } => {
                f.write_str("while")?;
                self.fmt_carry(f, &self.regions[*cond].args, args)?;
                writeln!(f, " {{")?;
                self.fmt_region_body(f, *cond, depth + 1)?;
                write!(f, "{indent}}} do")?;
                self.fmt_carry(f, &self.regions[*body].args, args)?;
                writeln!(f, " {{")?;
                self.fmt_region_body(f, *body, depth + 1)?;
                write!(f, "{indent}}}")?;
            }
        }
        writeln!(f)
    }

    fn fmt_region_body(&self, f: &mut Formatter<'_>, region: Region, depth: usize) -> fmt::Result {
        self.fmt_insts(f, region, depth)?;
        let yields = &self.regions[region].yields;
        let indent = "    ".repeat(depth);
        if yields.is_empty() {
            writeln!(f, "{indent}yield")
        } else {
            writeln!(f, "{indent}yield {}", list(yields))
        }
    }

    /// ` carry(v5 acc: f64 = v2, …)`: a loop region's carried arguments and their
    /// initial values.
    fn fmt_carry(&self, f: &mut Formatter<'_>, args: &[Value], inits: &[Value]) -> fmt::Result {
        if args.is_empty() && inits.is_empty() {
            return Ok(());
        }
        let pairs: Vec<String> = (0..args.len().max(inits.len()))
            .map(|k| {
                let arg = args.get(k).map_or("?".into(), |&a| self.def(a));
                format!("{arg} = {}", value_text(inits.get(k)))
            })
            .collect();
        write!(f, " carry({})", pairs.join(", "))
    }

    /// `opaque "what" method reads_only { expr }`, captures written as their values.
    fn fmt_opaque(
        f: &mut Formatter<'_>,
        name: &str,
        opaque: &Opaque,
        args: &[Value],
    ) -> fmt::Result {
        let mut expr = opaque.expr.clone();
        super::substitute_captures(&mut expr, &mut |k| value_tokens(args.get(k).copied()));
        let tokens = expr.to_token_stream();
        write!(f, "{name} {:?}", opaque.what)?;
        if opaque.method {
            f.write_str(" method")?;
        }
        if opaque.reads_only {
            f.write_str(" reads_only")?;
        }
        write!(f, " {{ {tokens} }}")
    }
}

/// `name v1, v2`, or `name` alone.
/// `.layers[v5].w`: the steps of a projection with their index arguments.
fn steps_text(steps: &[crate::ir::Step], indices: &[Value]) -> String {
    let mut indices = indices.iter();
    steps
        .iter()
        .map(|step| match step {
            crate::ir::Step::Field(syn::Member::Named(name)) => format!(".{name}"),
            crate::ir::Step::Field(syn::Member::Unnamed(index)) => format!(".{}", index.index),
            crate::ir::Step::Index => format!("[{}]", value_text(indices.next())),
        })
        .collect()
}

fn plain(f: &mut Formatter<'_>, name: &str, args: &[Value]) -> fmt::Result {
    f.write_str(name)?;
    if !args.is_empty() {
        write!(f, " {}", list(args))?;
    }
    Ok(())
}

/// `g(v1, &v2)` or, for a method, `v0.predict(v1)`.
fn call_text(callee: &Callee, args: &[Value]) -> String {
    let mut written = args.iter().enumerate().map(|(k, v)| {
        let by_ref = callee.by_ref.get(k).copied().unwrap_or(false);
        format!("{}{v}", if by_ref { "&" } else { "" })
    });
    let mut text = String::new();
    if callee.method {
        let receiver = written.next().unwrap_or_else(|| "?".into());
        let _ = write!(text, "{receiver}.");
    }
    let rest: Vec<String> = written.collect();
    let _ = write!(text, "{}({})", path_text(&callee.path), rest.join(", "));
    text
}

fn path_text(path: &syn::Path) -> String {
    path.to_token_stream().to_string().replace(' ', "")
}

/// A hint as a plain word when it is one (`acc`, `r#type`, `#break0`), else quoted.
fn hint_text(hint: &str) -> String {
    if is_hint_word(hint) {
        hint.to_owned()
    } else {
        format!("{hint:?}")
    }
}

/// The characters of a hint written without quotes.
pub(super) fn is_hint_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '#'
}

pub(super) fn is_hint_word(hint: &str) -> bool {
    !hint.is_empty() && hint.chars().all(is_hint_char)
}

fn value_text(value: Option<&Value>) -> String {
    value.map_or("?".into(), Value::to_string)
}

fn value_tokens(value: Option<Value>) -> proc_macro2::TokenStream {
    let ident = quote::format_ident!("{}", value.map_or("v_".into(), |v| v.to_string()));
    quote::quote!(#ident)
}

fn list(values: &[Value]) -> String {
    values
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Call slots as text, taking the operand of each slot that has one from `operands`:
/// `buffer v4`, `scratch f64`, …; tangent slots (`tangent`) take one per scalar too
/// (`scalar v3`), adjoint slots do not (`scalar f64`).
fn slots_text(slots: &[Slot], operands: &mut std::slice::Iter<'_, Value>, tangent: bool) -> String {
    slots
        .iter()
        .map(|slot| match slot {
            Slot::Scalar(_) if tangent => format!("scalar {}", value_text(operands.next())),
            Slot::Scalar(float) => format!("scalar {}", float.name()),
            Slot::Buffer => format!("buffer {}", value_text(operands.next())),
            Slot::Scratch(float) => format!("scratch {}", float.name()),
            Slot::Inferred => "inferred".to_owned(),
            Slot::Constant => "constant".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
