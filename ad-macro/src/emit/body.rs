//! IR regions → Rust statements: one `let` per value, `if`/`for`/`while` for the
//! structured operations, runtime rules through `::ad::__private`.

use super::names::Names;
use super::{literal, stack_ident};
use crate::ir::{Function, Inst, Op, Region, SecondaryMap, Ty, Value};
use crate::rules::runtime_path;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};

/// Writes IR regions as Rust statements.
pub(super) struct Emitter<'f> {
    func: &'f Function,
    names: Names<'f>,
    /// How often each value is read, so unread results are bound to `_`.
    uses: SecondaryMap<Value, usize>,
    /// Buffers written to, which need `let mut`.
    stored: SecondaryMap<Value, bool>,
}

impl<'f> Emitter<'f> {
    pub(super) fn new(func: &'f Function, places: &super::names::Places) -> Self {
        let mut uses = SecondaryMap::with_default(func.values.len(), 0usize);
        for inst in func.insts.keys() {
            for &arg in &func.insts[inst].args {
                uses[arg] += 1;
            }
        }
        for region in func.regions.keys() {
            for &value in &func.regions[region].yields {
                uses[value] += 1;
            }
        }
        let mut stored = SecondaryMap::with_default(func.values.len(), false);
        for inst in func.insts.keys() {
            let data = &func.insts[inst];
            if matches!(
                data.op,
                Op::Store | Op::AccumulateAt | Op::TakeAt | Op::Statement(_)
            ) {
                stored[data.args[0]] = true;
            }
            // The buffers a callee's adjoint adds into are lent `&mut`.
            if let Op::ApplyAdjoint(_, slots) = &data.op {
                let buffers = slots.len() + 1;
                for &buffer in data.args.get(buffers..).unwrap_or_default() {
                    stored[buffer] = true;
                }
            }
        }
        // A constant the body made (`let mut rng = Lcg::new(seed);`) whose methods
        // run as written may take `&mut self` (`rng.next_f64()`, issue 16).
        for inst in func.insts.keys() {
            let data = &func.insts[inst];
            let Op::Opaque(opaque) = &data.op else {
                continue;
            };
            let receiver = crate::ir::receiver_capture(opaque).and_then(|k| data.args.get(k));
            if let Some(&receiver) = receiver {
                if let crate::ir::ValueDef::Result(def, _) = func.values[receiver].def {
                    stored[receiver] |= matches!(func.insts[def].op, Op::Opaque(_));
                }
            }
        }
        // A `&mut` window is written through, not rebound; its array is the one
        // borrowed mutably.
        let windows: Vec<Inst> = func
            .insts
            .keys()
            .filter(|&inst| matches!(func.insts[inst].op, Op::Window { .. }))
            .collect();
        for &inst in &windows {
            let data = &func.insts[inst];
            stored[data.args[0]] |= matches!(data.op, Op::Window { mutable: true, .. });
        }
        for &inst in &windows {
            stored[func.insts[inst].results[0]] = false;
        }
        Emitter {
            func,
            names: Names::new(func, places),
            uses,
            stored,
        }
    }

    /// How `value` is read: a parameter's name, a literal, or a temporary.
    pub(super) fn operand(&self, value: Value) -> TokenStream {
        self.names.operand(value)
    }

    /// The zero of a float value's type, or of an array's elements.
    fn zero_of(&self, value: Value) -> TokenStream {
        match self.func.values[value].ty {
            Ty::Float(float) | Ty::FloatArray(float) => literal(float, "0.0"),
            _ => quote!(0.0),
        }
    }

    /// The statements of `region`.
    pub(super) fn region(&self, region: Region) -> TokenStream {
        self.func.regions[region]
            .insts
            .iter()
            .map(|&inst| self.inst(inst))
            .collect()
    }

    /// A region's yields as one expression: a value, a tuple, or `()`.
    fn yields(&self, region: Region) -> TokenStream {
        match &self.func.regions[region].yields[..] {
            [value] => self.names.operand(*value),
            values => {
                let values = values.iter().map(|&v| self.names.operand(v));
                quote!((#(#values),*))
            }
        }
    }

    /// The pattern a `let` binds results to, `_` for results nothing reads.
    fn pattern(&self, results: &[Value]) -> TokenStream {
        let names: Vec<TokenStream> = results
            .iter()
            .map(|&r| {
                if self.uses[r] > 0 {
                    self.names.binding(r).into_token_stream()
                } else {
                    quote!(_)
                }
            })
            .collect();
        match &names[..] {
            [name] => name.clone(),
            names => quote!((#(#names),*)),
        }
    }

    fn inst(&self, inst: Inst) -> TokenStream {
        let data = &self.func.insts[inst];
        let args: Vec<_> = data
            .args
            .iter()
            .map(|&arg| self.names.operand(arg))
            .collect();
        let span = data.span.start.resolved_at(Span::mixed_site());
        let rhs = match &data.op {
            Op::Const(_) | Op::Poison => return TokenStream::new(),
            Op::Opaque(opaque) => self
                .func
                .tokens_with_captures(opaque, &data.args, |v| self.names.operand(v)),
            Op::Bin(op) => {
                let (a, b) = (&args[0], &args[1]);
                let op = bin_op_tokens(*op);
                quote!(#a #op #b)
            }
            Op::Neg => {
                let a = &args[0];
                quote!(-#a)
            }
            Op::NoGrad => args[0].clone(),
            Op::Project { .. } => {
                let place = self.names.place(inst);
                match self.func.values[data.results[0]].ty {
                    Ty::Float(float) => {
                        let float = format_ident!("{}", float.name());
                        quote!(::ad::__private::FieldScalar::value::<#float>(&#place))
                    }
                    _ => quote!(&#place),
                }
            }
            // Spelled where it is used (`Names::operand`).
            Op::ProjectMut { .. } => return TokenStream::new(),
            Op::AddTo => {
                let (place, value) = (&args[0], &args[1]);
                return quote_spanned!(span=>
                    ::ad::__private::FieldScalar::add_adjoint(&mut #place, #value);
                );
            }
            Op::Effect {
                mac,
                explicit,
                implicit,
            } => {
                let (captured, named) = args.split_at(*explicit);
                let tokens = crate::ir::substitute_capture_tokens(mac.tokens.clone(), &mut |k| {
                    captured[k].clone()
                });
                let mac = syn::Macro {
                    tokens,
                    ..mac.clone()
                };
                // Scalars by value, as the format string would read them; the rest
                // by reference, which formats the same.
                let bindings = implicit.iter().zip(&data.args[*explicit..]).zip(named).map(
                    |((name, &value), operand)| match self.func.values[value].ty {
                        Ty::Float(_) | Ty::FloatLit | Ty::Int | Ty::Index | Ty::Bool => {
                            quote!(let #name = #operand;)
                        }
                        Ty::FloatArray(_) | Ty::Struct(_) | Ty::Other => {
                            quote!(let #name = &#operand;)
                        }
                    },
                );
                return quote_spanned!(span=> { #(#bindings)* #mac; });
            }
            Op::Apply(callee) => {
                let args = with_refs(callee, &args);
                call_tokens(callee, &callee.path, &args)
            }
            Op::ApplyAdjoint(callee, slots) => return self.apply_adjoint(inst, callee, slots),
            Op::ApplyTangent(callee, slots) => self.apply_tangent(inst, callee, slots),
            Op::ApplyHvp {
                callee,
                slots,
                tangents,
            } => return self.apply_hvp(inst, callee, slots, tangents),
            Op::PartialsTangent(prim) => return self.partials_tangent(inst, *prim),
            Op::Not => {
                let a = &args[0];
                quote!(!#a)
            }
            Op::Call { prim, path_ty } => {
                let method = format_ident!("{}", prim.name());
                match path_ty {
                    Some(ty) => {
                        let ty = format_ident!("{}", ty.name());
                        quote!(#ty::#method(#(#args),*))
                    }
                    None => {
                        let (receiver, rest) = (&args[0], &args[1..]);
                        quote!(#receiver.#method(#(#rest),*))
                    }
                }
            }
            Op::Cast(ty) => {
                let a = &args[0];
                quote!(#a as #ty)
            }
            Op::Ascribe(ty) => {
                let (result, a) = (self.pattern(&data.results), &args[0]);
                let binding = if self.stored[data.results[0]] {
                    quote!(mut)
                } else {
                    TokenStream::new()
                };
                return quote_spanned!(span=> let #binding #result: #ty = #a;);
            }
            Op::Statement(opaque) => {
                let statement = self
                    .func
                    .tokens_with_captures(opaque, &data.args, |v| self.names.operand(v));
                return quote_spanned!(span=> #statement;);
            }
            Op::Partials(prim) => {
                let path = runtime_path(*prim);
                quote!(#path(#(#args),*))
            }
            Op::Zero => self.zero_of(data.results[0]),
            Op::Pop => {
                let stack = stack_ident();
                let result = self.pattern(&data.results);
                return match record_type(self.func.values[data.results[0]].ty) {
                    Some(ty) => quote_spanned!(span=> let #result: #ty = #stack.pop();),
                    None => quote_spanned!(span=> let #result = #stack.pop();),
                };
            }
            Op::Push => {
                let (stack, a) = (stack_ident(), &args[0]);
                return quote_spanned!(span=> #stack.push(#a););
            }
            Op::Accumulate { param } => {
                let accumulate = self.names.accumulate(*param, &args[0]);
                return quote_spanned!(span=> #accumulate);
            }
            Op::If { then, otherwise } => {
                let (cond, then_body, else_body) =
                    (&args[0], self.region(*then), self.region(*otherwise));
                let (then_value, else_value) = (self.yields(*then), self.yields(*otherwise));
                if data.results.is_empty() {
                    if then_body.is_empty() && else_body.is_empty() {
                        return TokenStream::new();
                    }
                    if else_body.is_empty() {
                        return quote_spanned!(span=> if #cond { #then_body });
                    }
                    return quote_spanned!(span=> if #cond { #then_body } else { #else_body });
                }
                quote!(if #cond { #then_body #then_value } else { #else_body #else_value })
            }
            Op::For { body, range, exit } => return self.for_loop(inst, *body, range, *exit),
            Op::Index | Op::TakeAt => {
                let (array, index) = (&args[0], &args[1]);
                if let Op::TakeAt = data.op {
                    let zero = self.zero_of(data.results[0]);
                    let result = self.pattern(&data.results);
                    return quote_spanned!(span=> let #result = #array[#index]; #array[#index] = #zero;);
                }
                quote!(#array[#index])
            }
            Op::Len => {
                let array = &args[0];
                quote!(#array.len())
            }
            Op::Store => {
                let (array, index, value) = (&args[0], &args[1], &args[2]);
                return quote_spanned!(span=> #array[#index] = #value;);
            }
            Op::Append => {
                let (array, value) = (&args[0], &args[2]);
                return quote_spanned!(span=> #array.push(#value););
            }
            Op::EmptyBuffer => {
                let result = self.pattern(&data.results);
                let new = match args.first() {
                    Some(capacity) => quote!(::std::vec::Vec::with_capacity(#capacity)),
                    None => quote!(::std::vec::Vec::new()),
                };
                return quote_spanned!(span=> let mut #result = #new;);
            }
            Op::AccumulateAt => {
                let (array, index, value) = (&args[0], &args[1], &args[2]);
                return quote_spanned!(span=> #array[#index] += #value;);
            }
            Op::SumOf => {
                let (result, array) = (self.pattern(&data.results), &args[0]);
                let float = match self.func.values[data.results[0]].ty {
                    Ty::Float(float) => format_ident!("{}", float.name()),
                    _ => format_ident!("f64"),
                };
                return quote_spanned!(span=> let #result = #array.iter().sum::<#float>(););
            }
            Op::NewBuffer { fixed_len } | Op::AdjointBuffer { fixed_len } => {
                let fill = match data.op {
                    Op::NewBuffer { .. } => args[0].clone(),
                    _ => self.zero_of(data.results[0]),
                };
                let buffer = match fixed_len {
                    Some(len) => quote!([#fill; #len]),
                    None => {
                        let len = args
                            .last()
                            .expect("a buffer without fixed length takes one");
                        quote!(::std::vec![#fill; #len])
                    }
                };
                let result = self.pattern(&data.results);
                return if self.stored[data.results[0]] {
                    quote_spanned!(span=> let mut #result = #buffer;)
                } else {
                    quote_spanned!(span=> let #result = #buffer;)
                };
            }
            Op::While { cond, body } => return self.while_loop(inst, *cond, *body),
            Op::Window { mutable, inclusive } => {
                let (array, start, end) = (&args[0], &args[1], &args[2]);
                let range = if *inclusive {
                    quote!(#start..=#end)
                } else {
                    quote!(#start..#end)
                };
                if *mutable {
                    quote!(#array.get_mut(#range).unwrap_or(&mut []))
                } else {
                    quote!(#array.get(#range).unwrap_or(&[]))
                }
            }
            Op::CopyOf { to_vec } => {
                let array = &args[0];
                if *to_vec {
                    quote!(#array.to_vec())
                } else {
                    quote!(#array.clone())
                }
            }
            Op::Slice { inclusive } => {
                let (array, start, end) = (&args[0], &args[1], &args[2]);
                if *inclusive {
                    quote!(&#array[#start..=#end])
                } else {
                    quote!(&#array[#start..#end])
                }
            }
        };
        let result = self.pattern(&data.results);
        // A constant whose methods may take `&mut self`: maybe none does.
        if matches!(data.op, Op::Opaque(_)) && data.results.iter().any(|&r| self.stored[r]) {
            return quote_spanned!(span=> #[allow(unused_mut)] let mut #result = #rhs;);
        }
        // A buffer of constants that statements write to.
        if data.results.iter().any(|&r| self.stored[r]) {
            return quote_spanned!(span=> let mut #result = #rhs;);
        }
        quote_spanned!(span=> let #result = #rhs;)
    }

    /// The reverse of a call: the callee's `_adjoint_all` with a slot per argument.
    fn apply_adjoint(
        &self,
        inst: Inst,
        callee: &crate::ir::Callee,
        slots: &[crate::ir::Slot],
    ) -> TokenStream {
        let data = &self.func.insts[inst];
        let primal = slots.len();
        let operands = self.operands(&data.args);
        let slotted = &operands[..primal];
        let mut buffers = data.args[primal + 1..].iter().copied();
        let mut lending = Lending::default();
        let slot_args = self.adjoint_slots(slots, slotted, &mut buffers, &mut lending, "slot");
        let mut args = with_refs(callee, &operands[..primal]);
        args.push(self.seed(data.args[primal]));
        args.extend(slot_args);
        let call = call_tokens(callee, &entry_path(callee, "adjoint_all"), &args);
        lending.wrap(call, self.pattern(&data.results))
    }

    /// The tangent of a call: the callee's `_jvp_all`, which returns the value and
    /// its tangent.
    fn apply_tangent(
        &self,
        inst: Inst,
        callee: &crate::ir::Callee,
        slots: &[crate::ir::Slot],
    ) -> TokenStream {
        let data = &self.func.insts[inst];
        let primal = slots.len();
        let operands = self.operands(&data.args);
        let slotted = &operands[..primal];
        let mut tangents = data.args[primal..].iter().copied();
        let mut args = with_refs(callee, &operands[..primal]);
        args.extend(self.tangent_slots(slots, slotted, &mut tangents));
        let call = call_tokens(callee, &entry_path(callee, "jvp_all"), &args);
        match self.func.values[data.results[0]].ty {
            Ty::FloatArray(_) => checked_entry(callee, call, "forward_vector_entry"),
            _ => checked_entry(callee, call, "forward_entry"),
        }
    }

    /// The tangent of a reversed call: the callee's `_hvp_all`, which adds the
    /// adjoints and their tangents into its slots.
    fn apply_hvp(
        &self,
        inst: Inst,
        callee: &crate::ir::Callee,
        slots: &[crate::ir::Slot],
        tangent_slots: &[crate::ir::Slot],
    ) -> TokenStream {
        let data = &self.func.insts[inst];
        let primal = slots.len();
        let operands = self.operands(&data.args);
        let slotted = &operands[..primal];
        let mut rest = data.args[primal..].iter().copied();
        let tangents = self.tangent_slots(tangent_slots, slotted, &mut rest);
        let (seed, t_seed) = (
            self.operand(rest.next().expect("a seed")),
            self.operand(rest.next().expect("the seed's tangent")),
        );
        let buffers: Vec<Value> = rest.collect();
        let (adjoint_buffers, tangent_buffers) = buffers.split_at(buffers.len() / 2);
        let mut lending = Lending::default();
        let adjoints = self.adjoint_slots(
            slots,
            slotted,
            &mut adjoint_buffers.iter().copied(),
            &mut lending,
            "slot",
        );
        let hvs = self.adjoint_slots(
            slots,
            slotted,
            &mut tangent_buffers.iter().copied(),
            &mut lending,
            "t_slot",
        );
        let mut args = with_refs(callee, &operands[..primal]);
        args.extend(tangents);
        args.extend([seed, t_seed]);
        args.extend(adjoints);
        args.extend(hvs);
        let call = call_tokens(callee, &entry_path(callee, "hvp_all"), &args);
        let call = checked_entry(callee, call, "hessian_entry");
        lending.wrap(call, self.pattern(&data.results))
    }

    /// The seed of a reversed call: a vector's seed is its adjoint buffer, lent as
    /// a slice.
    fn seed(&self, seed: Value) -> TokenStream {
        let operand = self.operand(seed);
        match self.func.values[seed].ty {
            Ty::FloatArray(_) => quote!(&#operand[..]),
            _ => operand,
        }
    }

    fn operands(&self, values: &[Value]) -> Vec<TokenStream> {
        values.iter().map(|&v| self.names.operand(v)).collect()
    }

    /// The `&mut` slots of a reversed call: a fresh zero per scalar (returned after
    /// the call), the adjoint buffer of an active array, scratch for the rest.
    fn adjoint_slots(
        &self,
        slots: &[crate::ir::Slot],
        slotted: &[TokenStream],
        buffers: &mut dyn Iterator<Item = Value>,
        lending: &mut Lending,
        prefix: &str,
    ) -> Vec<TokenStream> {
        use crate::ir::Slot;
        slots
            .iter()
            .enumerate()
            .map(|(k, slot)| match slot {
                Slot::Scalar(float) => {
                    let name = format_ident!("{}{}", prefix, k, span = Span::mixed_site());
                    let zero = literal(*float, "0.0");
                    lending.declarations.push(quote!(let mut #name = #zero;));
                    lending.scalars.push(name.clone());
                    quote!(&mut #name)
                }
                Slot::Buffer => {
                    let value = buffers.next().expect("one buffer argument per buffer slot");
                    let buffer = self.names.operand(value);
                    // A buffer lent to an earlier slot of the same call (`dot(w, w)`)
                    // cannot be lent twice: that slot gets a scratch added on after.
                    if let Ty::Struct(_) = self.func.values[value].ty {
                        return match self.names.is_place(value) {
                            true => quote!(&mut #buffer),
                            false => quote!(&mut *#buffer),
                        };
                    }
                    if !lending.lent.contains(&value) {
                        lending.lent.push(value);
                        return quote!(&mut #buffer[..]);
                    }
                    let name = format_ident!("{}{}", prefix, k, span = Span::mixed_site());
                    let zero = self.zero_of(value);
                    lending
                        .declarations
                        .push(quote!(let mut #name = ::std::vec![#zero; #buffer.len()];));
                    lending.after.push(quote! {
                        for (sum, part) in #buffer.iter_mut().zip(&#name) {
                            *sum += *part;
                        }
                    });
                    quote!(&mut #name[..])
                }
                Slot::Scratch(float) => {
                    let (zero, array) = (literal(*float, "0.0"), &slotted[k]);
                    quote!(&mut ::std::vec![#zero; #array.len()][..])
                }
                Slot::Inferred => {
                    let reference = &slotted[k];
                    quote!(&mut *::ad::__private::scratch_slot(#reference))
                }
                Slot::Constant => quote!(&mut ::core::default::Default::default()),
            })
            .collect()
    }

    /// The tangent slots of a call, by reference: the tangent of a float or of an
    /// array that has one, zeros for the rest.
    fn tangent_slots(
        &self,
        slots: &[crate::ir::Slot],
        slotted: &[TokenStream],
        tangents: &mut dyn Iterator<Item = Value>,
    ) -> Vec<TokenStream> {
        use crate::ir::Slot;
        slots
            .iter()
            .enumerate()
            .map(|(k, slot)| match slot {
                Slot::Scalar(_) => {
                    let tangent = self.operand(tangents.next().expect("a scalar's tangent"));
                    quote!(&#tangent)
                }
                Slot::Buffer => {
                    let value = tangents.next().expect("an array's tangent");
                    let tangent = self.operand(value);
                    match self.func.values[value].ty {
                        Ty::Struct(_) => quote!(&*#tangent),
                        _ => quote!(&#tangent[..]),
                    }
                }
                Slot::Scratch(float) => {
                    let (zero, array) = (literal(*float, "0.0"), &slotted[k]);
                    quote!(&::std::vec![#zero; #array.len()][..])
                }
                Slot::Inferred => {
                    let reference = &slotted[k];
                    quote!(&*::ad::__private::scratch_slot(#reference))
                }
                Slot::Constant => quote!(&::core::default::Default::default()),
            })
            .collect()
    }

    /// `rules::prim` over dual numbers: each float argument and the output paired
    /// with its tangent; the results are the tangents of the partials.
    fn partials_tangent(&self, inst: Inst, prim: crate::ir::Prim) -> TokenStream {
        let data = &self.func.insts[inst];
        let path = runtime_path(prim);
        let n = prim.args().len() + 1;
        let (args, tangents) = data.args.split_at(n);
        let mut tangents = tangents.iter();
        let kinds = prim
            .args()
            .iter()
            .copied()
            .chain([crate::ir::ArgKind::Float]);
        let duals: Vec<TokenStream> = args
            .iter()
            .zip(kinds)
            .map(|(&arg, kind)| {
                let value = self.operand(arg);
                match kind {
                    crate::ir::ArgKind::Float => {
                        let tangent = self.operand(*tangents.next().expect("a tangent"));
                        quote!(::ad::__private::Dual::new(#value, #tangent))
                    }
                    crate::ir::ArgKind::Int => value,
                }
            })
            .collect();
        let span = data.span.start.resolved_at(Span::mixed_site());
        let result = self.pattern(&data.results);
        let call = quote!(#path(#(#duals),*));
        match data.results.len() {
            1 => quote_spanned!(span=> let #result = #call.eps;),
            n => {
                let parts: Vec<syn::Ident> = (0..n)
                    .map(|k| format_ident!("p{}", k, span = Span::mixed_site()))
                    .collect();
                quote_spanned!(span=> let #result = {
                    let (#(#parts),*) = #call;
                    (#(#parts.eps),*)
                };)
            }
        }
    }

    /// `let mut` for each loop-carried value, and the trip counter if it is read.
    /// Returns the declarations, the end-of-iteration update, and the counter's step.
    fn loop_state(&self, inst: Inst) -> [TokenStream; 3] {
        let view = self
            .func
            .loop_view(inst)
            .expect("loop_state is called on loops");
        let state = &self.func.regions[view.body].args[view.skip..];
        let yields = &self.func.regions[view.body].yields;
        let inits = view.inits;
        let mut declarations = TokenStream::new();
        let (mut targets, mut sources) = (Vec::new(), Vec::new());
        for ((&arg, &init), &next) in state.iter().zip(inits).zip(yields) {
            let (name, init) = (self.names.binding(arg), self.names.operand(init));
            if next == arg {
                declarations.extend(quote!(let #name = #init;));
            } else {
                declarations.extend(quote!(let mut #name = #init;));
                targets.push(name);
                sources.push(self.names.operand(next));
            }
        }
        let update = match (&targets[..], &sources[..]) {
            ([], _) => TokenStream::new(),
            ([target], [source]) => quote!(#target = #source;),
            _ => quote!((#(#targets),*) = (#(#sources),*);),
        };
        let trip = *self.func.insts[inst]
            .results
            .last()
            .expect("loops return their trip count");
        let count = if self.uses[trip] > 0 {
            let counter = self.names.binding(trip);
            declarations.extend(quote!(let mut #counter = 0usize;));
            quote!(#counter += 1;)
        } else {
            TokenStream::new()
        };
        [declarations, update, count]
    }

    fn for_loop(
        &self,
        inst: Inst,
        body: Region,
        range: &crate::ir::RangeShape,
        exit: Option<usize>,
    ) -> TokenStream {
        let data = &self.func.insts[inst];
        let bounds = range.arg_count();
        let [declarations, update, count] = self.loop_state(inst);
        let index = self.func.regions[body].args[0];
        let index = if self.uses[index] > 0 {
            self.names.binding(index).into_token_stream()
        } else {
            quote!(_)
        };
        let (start, end) = (
            self.names.operand(data.args[0]),
            self.names.operand(data.args[1]),
        );
        let mut iter = if range.inclusive {
            quote!(#start..=#end)
        } else {
            quote!(#start..#end)
        };
        let mut steps = data.args[2..bounds].iter();
        for adapter in &range.adapters {
            iter = match (adapter, steps.next()) {
                (crate::ir::RangeAdapter::StepBy, Some(&step)) => {
                    let step = self.names.operand(step);
                    quote!((#iter).step_by(#step))
                }
                _ => quote!((#iter).rev()),
            };
        }
        let stop = exit.map(|k| {
            let flag = self.names.binding(self.func.regions[body].args[1 + k]);
            quote!(if #flag { break; })
        });
        let body = self.region(body);
        quote! {
            #declarations
            for #index in #iter {
                #stop
                #body
                #update
                #count
            }
        }
    }

    fn while_loop(&self, inst: Inst, cond: Region, body: Region) -> TokenStream {
        let [declarations, update, count] = self.loop_state(inst);
        let (test, condition) = (self.region(cond), self.yields(cond));
        let body = self.region(body);
        quote! {
            #declarations
            loop {
                #test
                if !#condition {
                    break;
                }
                #body
                #update
                #count
            }
        }
    }
}

/// What a reversed call needs around it: scalars slots declared before it and
/// returned after it, scratch copies of buffers lent twice added on after it.
#[derive(Default)]
struct Lending {
    lent: Vec<Value>,
    declarations: Vec<TokenStream>,
    after: Vec<TokenStream>,
    scalars: Vec<syn::Ident>,
}

impl Lending {
    /// The call with its slots around it, binding `result` to the scalar slots.
    fn wrap(self, call: TokenStream, result: TokenStream) -> TokenStream {
        let Lending {
            declarations,
            after,
            scalars,
            ..
        } = self;
        match (scalars.is_empty(), declarations.is_empty()) {
            (true, true) => quote!(#call;),
            (true, false) => quote!({
                #(#declarations)*
                #call;
                #(#after)*
            }),
            (false, _) => quote! {
                let #result = {
                    #(#declarations)*
                    #call;
                    #(#after)*
                    (#(#scalars),*)
                };
            },
        }
    }
}

/// `call` through the runtime's `check`, which fails to compile with a message that
/// names the option the callee lacks. The result is bound to a name spanned at the
/// callee, so that the message points there.
fn checked_entry(callee: &crate::ir::Callee, call: TokenStream, check: &str) -> TokenStream {
    let check = format_ident!("{}", check);
    let entry = syn::Ident::new("entry", callee.span.resolved_at(Span::mixed_site()));
    quote!({
        let #entry = #call;
        ::ad::__private::#check(#entry)
    })
}

/// The path of one of the callee's generated entry points: `g_adjoint_all`.
fn entry_path(callee: &crate::ir::Callee, suffix: &str) -> syn::Path {
    let mut path = callee.path.clone();
    if let Some(last) = path.segments.last_mut() {
        last.ident = format_ident!("{}_{}", last.ident, suffix, span = callee.span);
    }
    path
}

/// A call's arguments, with `&` where the source passes a reference.
fn with_refs(callee: &crate::ir::Callee, args: &[TokenStream]) -> Vec<TokenStream> {
    args.iter()
        .zip(callee.by_ref.iter().chain(std::iter::repeat(&false)))
        .map(|(arg, &by_ref)| if by_ref { quote!(&#arg) } else { arg.clone() })
        .collect()
}

/// `path(args…)`, or `args[0].method(args[1..]…)` for a method.
fn call_tokens(callee: &crate::ir::Callee, path: &syn::Path, args: &[TokenStream]) -> TokenStream {
    if callee.method {
        let (receiver, rest) = (&args[0], &args[1..]);
        quote!(#receiver.#path(#(#rest),*))
    } else {
        quote!(#path(#(#args),*))
    }
}

/// The type a popped value is annotated with. Integers the reverse sweep reads are
/// the exponents of `powi`, which are `i32`.
fn record_type(ty: Ty) -> Option<TokenStream> {
    match ty {
        Ty::Float(float) => Some(format_ident!("{}", float.name()).into_token_stream()),
        Ty::Index => Some(quote!(usize)),
        Ty::Int => Some(quote!(i32)),
        Ty::Bool => Some(quote!(bool)),
        Ty::FloatLit | Ty::Other | Ty::FloatArray(_) | Ty::Struct(_) => None,
    }
}

fn bin_op_tokens(op: crate::ir::BinOp) -> TokenStream {
    use crate::ir::BinOp as B;
    match op {
        B::Add => quote!(+),
        B::Sub => quote!(-),
        B::Mul => quote!(*),
        B::Div => quote!(/),
        B::Rem => quote!(%),
        B::BitAnd => quote!(&),
        B::BitOr => quote!(|),
        B::BitXor => quote!(^),
        B::Shl => quote!(<<),
        B::Shr => quote!(>>),
        B::Eq => quote!(==),
        B::Ne => quote!(!=),
        B::Lt => quote!(<),
        B::Le => quote!(<=),
        B::Gt => quote!(>),
        B::Ge => quote!(>=),
    }
}
