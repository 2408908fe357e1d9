//! How each value is spelled in the generated code: parameters by the user's
//! names, temporaries after the user's variable with a numeric suffix.

use super::signature::{buffer_ident, hvp_ident, seed_ident, seed_tangent_ident, tangent_ident};
use crate::ir::{EntityRef, Function, Op, ParamKind, SecondaryMap, Value, ValueDef};
use proc_macro2::{Span, TokenStream};
use quote::ToTokens;

/// How each value is spelled in the generated code.
pub(super) struct Names<'f> {
    func: &'f Function,
    /// Per parameter of `func`: the user's name, `seed`, or the buffer's name.
    params: Vec<syn::Ident>,
    /// Values spelled like another: a loop's results and the arguments of a `while`
    /// condition are the loop's state variables, which the body's arguments name.
    aliases: SecondaryMap<Value, Option<Value>>,
}

impl<'f> Names<'f> {
    pub(super) fn new(func: &'f Function) -> Self {
        let params = func
            .params
            .iter()
            .map(|param| match &param.kind {
                ParamKind::Primal { name, .. } => name.clone(),
                ParamKind::Seed => seed_ident(),
                ParamKind::AdjointOut { of } => buffer_ident(primal_name(func, *of)),
                ParamKind::Tangent { of } => match &func.params[*of].kind {
                    ParamKind::Seed => seed_tangent_ident(),
                    ParamKind::AdjointOut { of } => hvp_ident(primal_name(func, *of)),
                    _ => tangent_ident(primal_name(func, *of)),
                },
            })
            .collect();
        let mut aliases = SecondaryMap::with_default(func.values.len(), None);
        for inst in func.insts.keys() {
            let data = &func.insts[inst];
            let (body, skip, cond) = match data.op {
                Op::For { body, .. } => (body, 1, None),
                Op::While { cond, body } => (body, 0, Some(cond)),
                _ => continue,
            };
            let state = &func.regions[body].args[skip..];
            for (&result, &arg) in data.results.iter().zip(state) {
                aliases[result] = Some(arg);
            }
            if let Some(cond) = cond {
                for (&cond_arg, &arg) in func.regions[cond].args.iter().zip(state) {
                    aliases[cond_arg] = Some(arg);
                }
            }
        }
        Names {
            func,
            params,
            aliases,
        }
    }

    /// A value where it is read: a parameter's name, a literal, or a temporary.
    pub(super) fn operand(&self, value: Value) -> TokenStream {
        match self.func.values[value].def {
            ValueDef::Param(k) => self.params[k].to_token_stream(),
            ValueDef::Result(inst, _) => match &self.func.insts[inst].op {
                Op::Const(lit) => lit.to_token_stream(),
                _ => self.binding(value).into_token_stream(),
            },
            ValueDef::RegionArg(..) => self.binding(value).into_token_stream(),
        }
    }

    /// The temporary a `let` binds; named after the user's variable where there is
    /// one, so that `t` in the source is recognisable as `t_3` in the expansion.
    pub(super) fn binding(&self, value: Value) -> syn::Ident {
        if let Some(alias) = self.aliases[value] {
            return self.binding(alias);
        }
        // Hints are user names (`r#type` included) or the lowering's own (`#break0`);
        // the numeric suffix keeps every result a valid, non-keyword identifier.
        let name = match &self.func.values[value].hint {
            Some(hint) => {
                let hint: String = hint
                    .trim_start_matches("r#")
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                match hint.chars().next() {
                    Some(c) if !c.is_ascii_digit() => format!("{hint}_{}", value.index()),
                    _ => value.to_string(),
                }
            }
            None => value.to_string(),
        };
        syn::Ident::new(&name, Span::mixed_site())
    }

    pub(super) fn buffer(&self, param: usize) -> &syn::Ident {
        &self.params[param]
    }
}

/// The user's name of primal parameter `param`.
fn primal_name(func: &Function, param: usize) -> &syn::Ident {
    match &func.params[param].kind {
        ParamKind::Primal { name, .. } => name,
        _ => unreachable!("adjoint buffers and tangents belong to primal parameters"),
    }
}
