//! Real removal of instructions. A pass takes instructions out of their regions;
//! [`Function::compact`] then rebuilds the arenas from what the body still
//! reaches, so nothing a pass dropped stays behind to be counted as a use, emitted,
//! or walked by the next pass. The verifier rejects an instruction that is in no
//! region, so every pass that removes ends by compacting.

use super::{Arena, EntityRef, Function, Inst, InstData, Op, Region, RegionData, Value, ValueDef};

impl Function {
    /// Drops every instruction, region and value the body no longer reaches and
    /// numbers the rest densely. Values keep their relative order, so a value's
    /// number (which names it in the generated code) changes only by the gaps.
    pub fn compact(&mut self) {
        let mut reached = vec![false; self.values.len()];
        self.mark_reached(self.body, &mut reached);
        for param in &self.params {
            if let Some(value) = param.value {
                reached[value.index()] = true;
            }
        }
        let mut values = Arena::new();
        let mut numbers = vec![None; self.values.len()];
        for value in self.values.keys().filter(|v| reached[v.index()]) {
            numbers[value.index()] = Some(values.push(self.values[value].clone()));
        }
        let mut renumber = Renumber {
            values: numbers,
            new: Function {
                values,
                insts: Arena::new(),
                regions: Arena::new(),
                ..self.clone()
            },
        };
        for param in 0..self.params.len() {
            if let Some(value) = self.params[param].value {
                self.params[param].value = Some(renumber.value(value));
            }
        }
        let body = renumber.region(self, self.body);
        let mut new = renumber.new;
        new.params = std::mem::take(&mut self.params);
        new.body = body;
        *self = new;
    }

    fn mark_reached(&self, region: Region, reached: &mut [bool]) {
        let data = &self.regions[region];
        for &value in data.args.iter().chain(&data.yields) {
            reached[value.index()] = true;
        }
        for &inst in &data.insts {
            let inst = &self.insts[inst];
            for &value in inst.args.iter().chain(&inst.results) {
                reached[value.index()] = true;
            }
        }
        for &inst in &data.insts {
            for nested in self.inst_regions(inst) {
                self.mark_reached(nested, reached);
            }
        }
    }
}

struct Renumber {
    /// The new number of each value the body reaches.
    values: Vec<Option<Value>>,
    new: Function,
}

impl Renumber {
    fn value(&self, value: Value) -> Value {
        self.values[value.index()].expect("every value the body reaches is numbered")
    }

    fn region(&mut self, old: &Function, region: Region) -> Region {
        let new_region = self.new.regions.push(RegionData::default());
        let data = &old.regions[region];
        let args: Vec<Value> = data.args.iter().map(|&v| self.value(v)).collect();
        for (k, &arg) in args.iter().enumerate() {
            self.new.values[arg].def = ValueDef::RegionArg(new_region, k);
        }
        let insts: Vec<Inst> = data.insts.iter().map(|&i| self.inst(old, i)).collect();
        let yields: Vec<Value> = data.yields.iter().map(|&v| self.value(v)).collect();
        self.new.regions[new_region] = RegionData {
            args,
            insts,
            yields,
        };
        new_region
    }

    fn inst(&mut self, old: &Function, inst: Inst) -> Inst {
        let data = &old.insts[inst];
        let args: Vec<Value> = data.args.iter().map(|&v| self.value(v)).collect();
        let op = match data.op.clone() {
            Op::If { then, otherwise } => Op::If {
                then: self.region(old, then),
                otherwise: self.region(old, otherwise),
            },
            Op::For { body, range, exit } => Op::For {
                body: self.region(old, body),
                range,
                exit,
            },
            Op::While { cond, body } => Op::While {
                cond: self.region(old, cond),
                body: self.region(old, body),
            },
            op => op,
        };
        let new_inst = self.new.insts.push(InstData {
            op,
            args,
            results: Vec::new(),
            span: data.span,
        });
        let results: Vec<Value> = data.results.iter().map(|&v| self.value(v)).collect();
        for (k, &result) in results.iter().enumerate() {
            self.new.values[result].def = ValueDef::Result(new_inst, k);
        }
        self.new.insts[new_inst].results = results;
        new_inst
    }
}
