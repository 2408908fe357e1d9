//! The scope map of lowering: each local's name to the SSA value it names now,
//! innermost scope last. Assignment rebinds a name in place; a `let` pushes a new
//! binding, so shadowing needs nothing special. Branches and loops compare the map
//! before and after a region to find what they must thread through it, by the
//! bindings' [`Slot`]s.

use crate::ir::Value;

/// A binding's place: (scope, entry). Stable while the scopes outside it are open.
pub(super) type Slot = (usize, usize);

#[derive(Clone)]
pub(super) struct Scopes {
    frames: Vec<Vec<(String, Value)>>,
}

impl Scopes {
    /// The function's outermost scope, empty.
    pub(super) fn new() -> Self {
        Scopes {
            frames: vec![Vec::new()],
        }
    }

    pub(super) fn open(&mut self) {
        self.frames.push(Vec::new());
    }

    pub(super) fn close(&mut self) {
        self.frames.pop();
    }

    /// A new binding in the innermost scope.
    pub(super) fn bind(&mut self, name: String, value: Value) {
        self.frames
            .last_mut()
            .expect("lowering always has a scope")
            .push((name, value));
    }

    /// The innermost binding of `name`.
    pub(super) fn slot_of(&self, name: &str) -> Option<Slot> {
        self.frames
            .iter()
            .enumerate()
            .rev()
            .find_map(|(s, scope)| scope.iter().rposition(|(n, _)| n == name).map(|e| (s, e)))
    }

    /// The value `name` stands for now.
    pub(super) fn lookup(&self, name: &str) -> Option<Value> {
        self.slot_of(name).map(|slot| self.value_at(slot))
    }

    pub(super) fn value_at(&self, slot: Slot) -> Value {
        self.frames[slot.0][slot.1].1
    }

    pub(super) fn name_at(&self, slot: Slot) -> &str {
        &self.frames[slot.0][slot.1].0
    }

    /// Rebinds the binding at `slot` (an assignment).
    pub(super) fn set(&mut self, slot: Slot, value: Value) {
        self.frames[slot.0][slot.1].1 = value;
    }

    /// Every binding, outermost first.
    pub(super) fn slots(&self) -> impl Iterator<Item = Slot> + '_ {
        self.frames
            .iter()
            .enumerate()
            .flat_map(|(s, scope)| (0..scope.len()).map(move |e| (s, e)))
    }
}
