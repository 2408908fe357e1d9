//! Building a [`Function`] instruction by instruction.

use super::{
    Arena, FloatTy, Function, Op, Param, ParamKind, RegionData, SourceSpan, Ty, Value, ValueDef,
};

/// Appends instructions to the innermost open region of a function under construction.
pub struct FnBuilder {
    func: Function,
    open_regions: Vec<super::Region>,
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
        }
    }

    pub fn add_param(&mut self, kind: ParamKind, ty: Ty) -> Value {
        let hint = match &kind {
            ParamKind::Primal { name, .. } => Some(name.to_string()),
            ParamKind::Seed | ParamKind::AdjointOut { .. } => None,
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
        let region = self.current_region();
        let inst = self.func.push_inst(region, op, args, &[ty], span);
        self.func.insts[inst].results[0]
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

    fn current_region(&self) -> super::Region {
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
