//! Vector-valued functions (issue 19): the function returns a float buffer, and the
//! reverse sweep starts from a seed slice, one adjoint per element of that buffer.
//!
//! The returned buffer is built like any local buffer, so its adjoint is an adjoint
//! buffer like any other; the seed is added into it before the reverse sweep
//! reverses the instructions that wrote it. The seed must have one element per
//! output: checked there, once the forward sweep knows how many outputs there are.

use super::Reverse;
use crate::ir::{Callee, Function, Op, RangeShape, SourceSpan, Ty, Value};
use proc_macro2::Span;

/// Whether `primal` returns a float buffer rather than a float.
pub(super) fn is_vector(primal: &Function) -> bool {
    matches!(primal.values[primal.returned()].ty, Ty::FloatArray(_))
}

/// The type of the seed: a float slice for a vector-valued function.
pub(super) fn seed_ty(primal: &Function) -> Ty {
    if is_vector(primal) {
        Ty::FloatArray(primal.ret)
    } else {
        Ty::Float(primal.ret)
    }
}

impl Reverse<'_> {
    /// `assert!(seed.len() == r.len())`, then `d_r[i] += seed[i]` for every `i`: the
    /// start of the reverse sweep of a function that returns buffer `r`. Called once
    /// the adjoint buffers of the body's buffers exist, before any instruction is
    /// reversed.
    pub(super) fn seed_returned_buffer(&mut self, seed: Value) {
        let returned = self.primal.returned();
        let name = &self.primal.name;
        let message = format!(
            "the seed of `{name}` has {{}} elements, but `{name}` returned {{}} values; \
             a seed has one element per output"
        );
        let (seed_capture, returned_capture) =
            (crate::ir::capture_ident(0), crate::ir::capture_ident(1));
        let check = Op::Effect {
            mac: syn::parse_quote! {
                ::core::assert!(
                    #seed_capture.len() == #returned_capture.len(),
                    #message,
                    #seed_capture.len(),
                    #returned_capture.len()
                )
            },
            explicit: 2,
            implicit: Vec::new(),
        };
        self.push(check, vec![seed, returned], &[]);
        let Some(buffer) = self.buffers[returned] else {
            return;
        };
        let zero = syn::Lit::Int(syn::LitInt::new("0", Span::call_site()));
        let start = self.push1(Op::Const(zero), Vec::new(), Ty::Index);
        let end = self.push1(Op::Len, vec![returned], Ty::Index);
        let body = self.func.new_region();
        let index = self.func.add_region_arg(body, Ty::Index, Some("i".into()));
        let op = Op::For {
            body,
            range: RangeShape {
                inclusive: false,
                adapters: Vec::new(),
            },
            exit: None,
        };
        self.push(op, vec![start, end], &[Ty::Index]);
        let Ty::FloatArray(elem) = self.ty(seed) else {
            unreachable!("a vector's seed is a float slice");
        };
        let span = SourceSpan::generated();
        let element =
            self.func
                .push_inst(body, Op::Index, vec![seed, index], &[Ty::Float(elem)], span);
        let element = self.func.insts[element].results[0];
        self.func.push_inst(
            body,
            Op::AccumulateAt,
            vec![buffer, index, element],
            &[],
            span,
        );
    }

    /// The adjoint buffer of a vector a call returned (`let s: Vec<f64> = step(…)`),
    /// zeroed at the start of the reverse sweep like a local buffer's.
    pub(super) fn vector_result_buffer(&mut self, result: Value) {
        if !matches!(self.ty(result), Ty::FloatArray(_)) || !self.activity.is_active(result) {
            return;
        }
        let len = self.push1(Op::Len, vec![result], Ty::Index);
        let op = Op::AdjointBuffer { fixed_len: None };
        let buffer = self.push1(op, vec![len], self.ty(result));
        self.buffers[result] = Some(buffer);
    }

    /// A call of a vector-valued function reversed: its `_adjoint_all` with the
    /// adjoint buffer of the vector it returned as the seed.
    pub(super) fn reverse_vector_apply(
        &mut self,
        callee: Box<Callee>,
        args: &[Value],
        result: Value,
    ) {
        let buffer = self.buffers[result].expect("called for vectors with an adjoint buffer");
        self.reverse_apply(callee, args, buffer);
    }
}
