//! Building a [`Function`] instruction by instruction.

use super::{
    Arena, FloatTy, Function, Key, Op, Param, ParamKind, Region, RegionData, SourceSpan, Ty, Value,
    ValueDef,
};

/// Appends instructions to the innermost open region of a function under construction.
pub struct FnBuilder {
    func: Function,
    open_regions: Vec<Region>,
    /// Pure instructions built so far, by operation and arguments, with the region
    /// they are in: `x[i] * x[i]` loads `x[i]` once (and its adjoint is added into
    /// `d_x[i]` once).
    computed: std::collections::HashMap<Key, (Value, Region)>,
}

impl FnBuilder {
    pub fn new(name: String, ret: FloatTy) -> Self {
        let mut regions = Arena::new();
        let body = regions.push(RegionData::default());
        FnBuilder {
            func: Function {
                name,
                params: Vec::new(),
                ret,
                values: Arena::new(),
                insts: Arena::new(),
                regions,
                body,
            },
            open_regions: vec![body],
            computed: std::collections::HashMap::new(),
        }
    }

    pub fn add_param(&mut self, kind: ParamKind, ty: Ty) -> Value {
        let hint = match &kind {
            ParamKind::Primal { name, .. } => Some(name.to_string()),
            ParamKind::Seed | ParamKind::AdjointOut { .. } | ParamKind::Tangent { .. } => None,
        };
        let value = self
            .func
            .new_value(ty, ValueDef::Param(self.func.params.len()), hint);
        self.func.params.push(Param {
            kind,
            value: Some(value),
            ty,
        });
        value
    }

    /// Appends a one-result instruction and returns its result.
    pub fn inst(&mut self, op: Op, args: Vec<Value>, ty: Ty, span: SourceSpan) -> Value {
        let key = self.pure_key(&op, &args);
        if let Some(&(value, region)) = key.as_ref().and_then(|key| self.computed.get(key)) {
            // Still in scope: its region encloses the current one.
            if self.open_regions.contains(&region) {
                return value;
            }
        }
        let region = self.current_region();
        let inst = self.func.push_inst(region, op, args, &[ty], span);
        let value = self.func.insts[inst].results[0];
        if let Some(key) = key {
            self.computed.insert(key, (value, region));
        }
        value
    }

    /// A key for an instruction whose result depends on its arguments only, so that
    /// a second one may reuse the first's result.
    fn pure_key(&self, op: &Op, args: &[Value]) -> Option<Key> {
        let param = |v: Value| matches!(self.func.values[v].def, ValueDef::Param(_));
        let pure = match op {
            Op::Bin(_) | Op::Neg | Op::Not | Op::Cast(_) | Op::Call { .. } => true,
            // A parameter's length never changes. (Element loads are left apart: one
            // load whose adjoint sums its uses, with one `+=`, made Rosenbrock's
            // reverse loop 1.6 times slower than a `+=` per load, see benches/.)
            Op::Len => args.first().is_some_and(|&array| param(array)),
            _ => false,
        };
        pure.then(|| Key::of(&self.func, op, args)).flatten()
    }

    pub fn ty(&self, value: Value) -> Ty {
        self.func.values[value].ty
    }

    /// Names a value after the user's variable it is bound to, unless it has a name already.
    pub fn set_hint(&mut self, value: Value, name: &str) {
        let hint = &mut self.func.values[value].hint;
        if hint.is_none() {
            *hint = Some(name.to_owned());
        }
    }

    /// Appends an instruction with several results.
    pub fn inst_multi(
        &mut self,
        op: Op,
        args: Vec<Value>,
        tys: &[Ty],
        span: SourceSpan,
    ) -> Vec<Value> {
        let region = self.current_region();
        let inst = self.func.push_inst(region, op, args, tys, span);
        self.func.insts[inst].results.clone()
    }

    /// Starts a region: instructions go into it until [`close_region`](Self::close_region).
    pub fn open_region(&mut self) -> Region {
        let region = self.func.new_region();
        self.open_regions.push(region);
        region
    }

    pub fn add_region_arg(&mut self, region: Region, ty: Ty, hint: Option<String>) -> Value {
        self.func.add_region_arg(region, ty, hint)
    }

    /// Appends to a region again, after it was closed.
    pub fn reopen_region(&mut self, region: Region) {
        self.open_regions.push(region);
    }

    /// The type of an arithmetic result from its operands. Rust's float arithmetic
    /// takes operands of one type, so an operand the macro knew nothing about (a
    /// config field, an element of constant data) has the other's float type.
    pub fn arithmetic_type(&mut self, operands: &[Value]) -> Ty {
        let ty = operands
            .iter()
            .fold(None, |acc: Option<Ty>, &v| {
                let ty = self.ty(v);
                Some(acc.map_or(ty, |acc| Ty::join(acc, ty)))
            })
            .unwrap_or(Ty::Other);
        if let Ty::Float(_) = ty {
            for &operand in operands {
                if matches!(self.ty(operand), Ty::Other | Ty::FloatLit) {
                    self.func.values[operand].ty = ty;
                }
            }
        }
        ty
    }

    /// An integer used as an index is a `usize`, which the value stack must know.
    pub fn refine_index(&mut self, value: Value) {
        if matches!(self.func.values[value].ty, Ty::Int | Ty::Other) {
            self.func.values[value].ty = Ty::Index;
        }
    }

    /// Whether `value` is a buffer made by `Vec::new()`/`Vec::with_capacity`.
    pub fn is_empty_buffer(&self, value: Value) -> bool {
        match self.func.values[value].def {
            super::ValueDef::Result(inst, _) => matches!(self.func.insts[inst].op, Op::EmptyBuffer),
            _ => false,
        }
    }

    /// A call of a differentiated function whose result is not known to be a
    /// vector (a vector-valued one, its binding not annotated, is taken for a
    /// scalar): where it is.
    pub fn untyped_apply(&self, value: Value) -> Option<SourceSpan> {
        match self.func.values[value].def {
            super::ValueDef::Result(inst, _)
                if matches!(self.func.insts[inst].op, Op::Apply(_))
                    && !matches!(self.func.values[value].ty, Ty::FloatArray(_)) =>
            {
                Some(self.func.insts[inst].span)
            }
            _ => None,
        }
    }

    /// Whether `value` is the result of a call of a differentiated function.
    pub fn is_apply(&self, value: Value) -> bool {
        match self.func.values[value].def {
            super::ValueDef::Result(inst, _) => matches!(self.func.insts[inst].op, Op::Apply(_)),
            _ => false,
        }
    }

    /// Whether `value` stands where lowering reported an error.
    pub fn is_poison(&self, value: Value) -> bool {
        match self.func.values[value].def {
            super::ValueDef::Result(inst, _) => matches!(self.func.insts[inst].op, Op::Poison),
            _ => false,
        }
    }

    pub fn hint(&self, value: Value) -> Option<String> {
        self.func.values[value].hint.clone()
    }

    pub fn is_param(&self, value: Value) -> bool {
        matches!(self.func.values[value].def, ValueDef::Param(_))
    }

    /// The array a sub-slice (`&x[a..b]`, of any depth) is part of; `value` itself
    /// for anything else.
    pub fn slice_root(&self, value: Value) -> Value {
        match self.func.values[value].def {
            ValueDef::Result(inst, _) if matches!(self.func.insts[inst].op, Op::Slice { .. }) => {
                self.slice_root(self.func.insts[inst].args[0])
            }
            _ => value,
        }
    }

    pub fn ret(&self) -> FloatTy {
        self.func.ret
    }

    pub fn close_region(&mut self, yields: Vec<Value>) {
        let region = self
            .open_regions
            .pop()
            .expect("close_region matches open_region");
        self.measure_buffers(region);
        self.func.regions[region].yields = yields;
    }

    /// The lengths, at the end of `region`, of the float buffers `push` grows that
    /// it makes (`Vec::new()` in a branch or loop body): the reverse sweep sizes
    /// their adjoints with them, when the buffers themselves are gone (issue 16,
    /// item 7). The last `len` of such a buffer in its region is this one.
    fn measure_buffers(&mut self, region: Region) {
        let made: Vec<Value> = self.func.regions[region]
            .insts
            .iter()
            .filter(|&&inst| matches!(self.func.insts[inst].op, Op::EmptyBuffer))
            .map(|&inst| self.func.insts[inst].results[0])
            .filter(|&buffer| matches!(self.func.values[buffer].ty, Ty::FloatArray(_)))
            .collect();
        for buffer in made {
            self.func.push_inst(
                region,
                Op::Len,
                vec![buffer],
                &[Ty::Index],
                SourceSpan::generated(),
            );
        }
    }

    /// Sets what a closed region yields, once it is known.
    pub fn set_yields(&mut self, region: Region, yields: Vec<Value>) {
        self.func.regions[region].yields = yields;
    }

    pub fn region_args(&self, region: Region) -> Vec<Value> {
        self.func.regions[region].args.clone()
    }

    fn current_region(&self) -> Region {
        *self
            .open_regions
            .last()
            .expect("the body region stays open until finish")
    }

    /// Closes the body, which yields `returned`.
    pub fn finish(mut self, returned: Value) -> Function {
        let body = self.func.body;
        self.func.regions[body].yields = vec![returned];
        self.func
    }
}

impl FnBuilder {
    pub fn set_ty(&mut self, value: Value, ty: Ty) {
        self.func.values[value].ty = ty;
    }
}
