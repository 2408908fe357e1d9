//! How each value is spelled in the generated code: parameters by the user's
//! names, temporaries after the user's variable with a numeric suffix.

use super::signature::{buffer_ident, hvp_ident, seed_ident, seed_tangent_ident, tangent_ident};
use crate::ir::{EntityRef, Function, Op, ParamKind, SecondaryMap, Value, ValueDef};
use proc_macro2::{Span, TokenStream};
use quote::ToTokens;

/// Where the adjoint of a struct parameter's field lives: its root parameter's
/// name (`p`) and the members to the field (`.layer.w`).
pub(super) type Places = std::collections::HashMap<String, (syn::Ident, TokenStream)>;

/// How each value is spelled in the generated code.
pub(super) struct Names<'f> {
    func: &'f Function,
    /// Per parameter of `func`: the user's name, `seed`, the buffer's name, or the
    /// place of a field in a struct's buffer (`d_p.w`).
    params: Vec<TokenStream>,
    /// Per parameter: whether it is spelled as a field of a struct's buffer,
    /// written in place rather than through a `&mut`.
    in_place: Vec<bool>,
    /// Values spelled like another: a loop's results and the arguments of a `while`
    /// condition are the loop's state variables, which the body's arguments name.
    aliases: SecondaryMap<Value, Option<Value>>,
}

impl<'f> Names<'f> {
    pub(super) fn new(func: &'f Function, places: &Places) -> Self {
        // A buffer of a struct's field is its place in the struct's buffer, borrowed
        // where it is used: two fields, or a field and the whole, may then be
        // written in one sweep.
        let place = |buffer: fn(&syn::Ident) -> syn::Ident, of: usize| {
            let (root, path) = places.get(&primal_name(func, of).to_string())?;
            let root = buffer(root);
            Some(quote::quote!(#root #path))
        };
        let (params, in_place) = func
            .params
            .iter()
            .map(|param| {
                let in_buffer = match &param.kind {
                    ParamKind::AdjointOut { of } => place(buffer_ident, *of),
                    ParamKind::Tangent { of } => match &func.params[*of].kind {
                        ParamKind::AdjointOut { of } => place(hvp_ident, *of),
                        _ => None,
                    },
                    _ => None,
                };
                if let Some(place) = in_buffer {
                    return (place, true);
                }
                let name = match &param.kind {
                    ParamKind::Primal { name, .. } => name.clone(),
                    ParamKind::Seed => seed_ident(),
                    ParamKind::AdjointOut { of } => buffer_ident(primal_name(func, *of)),
                    ParamKind::Tangent { of } => match &func.params[*of].kind {
                        ParamKind::Seed => seed_tangent_ident(),
                        ParamKind::AdjointOut { of } => hvp_ident(primal_name(func, *of)),
                        _ => tangent_ident(primal_name(func, *of)),
                    },
                };
                (name.into_token_stream(), false)
            })
            .unzip();
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
            in_place,
            aliases,
        }
    }

    /// A value where it is read: a parameter's name, a literal, or a temporary.
    pub(super) fn operand(&self, value: Value) -> TokenStream {
        match self.func.values[value].def {
            ValueDef::Param(k) => self.params[k].clone(),
            ValueDef::Result(inst, _) => match &self.func.insts[inst].op {
                Op::Const(lit) => lit.to_token_stream(),
                Op::ProjectMut { .. } => self.place(inst),
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

    /// `Accumulate` of `value` into a scalar's buffer: `*d_x += value`, or into the
    /// field in place, through `FieldScalar` (an integer field takes nothing).
    pub(super) fn accumulate(&self, param: usize, value: &TokenStream) -> TokenStream {
        let buffer = &self.params[param];
        match self.in_place[param] {
            true => quote::quote!(::ad::__private::FieldScalar::add_adjoint(&mut #buffer, #value);),
            false => quote::quote!(*#buffer += #value;),
        }
    }

    /// Whether `value` is a field of a struct's buffer, spelled as its place.
    pub(super) fn is_place(&self, value: Value) -> bool {
        match self.func.values[value].def {
            ValueDef::Param(k) => self.in_place[k],
            ValueDef::Result(inst, _) => matches!(self.func.insts[inst].op, Op::ProjectMut { .. }),
            ValueDef::RegionArg(..) => false,
        }
    }

    /// The part a `Project` or `ProjectMut` names: `p__layers[k].w`.
    pub(super) fn place(&self, inst: crate::ir::Inst) -> TokenStream {
        let data = &self.func.insts[inst];
        let (Op::Project { steps } | Op::ProjectMut { steps }) = &data.op else {
            unreachable!("a place is a projection");
        };
        let mut place = self.operand(data.args[0]);
        let mut indices = data.args[1..].iter();
        for step in steps {
            place = match step {
                crate::ir::Step::Field(member) => quote::quote!(#place.#member),
                crate::ir::Step::Index => {
                    let index = self.operand(*indices.next().expect("an index per index step"));
                    quote::quote!(#place[#index])
                }
            };
        }
        place
    }
}

/// The user's name of primal parameter `param`.
fn primal_name(func: &Function, param: usize) -> &syn::Ident {
    match &func.params[param].kind {
        ParamKind::Primal { name, .. } => name,
        _ => unreachable!("adjoint buffers and tangents belong to primal parameters"),
    }
}
