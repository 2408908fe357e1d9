//! The value stack: where the forward sweep of a loop or branch records the values
//! its reverse sweep will read, and where the reverse sweep takes them back, last
//! in, first out.
//!
//! Generated code takes a stack from this thread's pool at the start of a gradient
//! call and gives it back at the end, so its buffers are reused: once they have
//! grown to the size a function needs, further calls of it on the same thread
//! allocate nothing. A differentiated function called by another takes a second
//! stack from the pool while the caller holds the first.
//! The pool belongs to its thread, so calls on different threads never share a
//! stack: gradients may be taken on any number of threads at once, without locks.
//! Floats and integers live in separate typed buffers; integers and flags (`bool`)
//! share one buffer of 64-bit words.

use std::cell::Cell;

/// The recorded values of one gradient call; see the module documentation.
#[derive(Debug, Default)]
pub struct ValueStack {
    f64s: Vec<f64>,
    f32s: Vec<f32>,
    words: Vec<u64>,
    peak: StackUsage,
}

/// How many values a stack holds (or held at most), per buffer.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct StackUsage {
    /// Recorded `f64` values.
    pub f64s: usize,
    /// Recorded `f32` values.
    pub f32s: usize,
    /// Recorded integers, trip counts and branch flags.
    pub words: usize,
}

impl StackUsage {
    /// The bytes these values take.
    pub fn bytes(&self) -> usize {
        self.f64s * 8 + self.f32s * 4 + self.words * 8
    }
}

thread_local! {
    static POOL: Cell<Vec<ValueStack>> = const { Cell::new(Vec::new()) };
}

/// Runs `with` on this thread's pool of stacks.
fn with_pool<T>(with: impl FnOnce(&mut Vec<ValueStack>) -> T) -> T {
    POOL.with(|cell| {
        let mut pool = cell.take();
        let result = with(&mut pool);
        cell.set(pool);
        result
    })
}

impl ValueStack {
    /// A stack from this thread's pool, with the capacity earlier calls gave it (a
    /// new one on first use, or when calls nest deeper than before).
    pub fn take() -> ValueStack {
        with_pool(Vec::pop).unwrap_or_default()
    }

    /// Returns the stack to this thread for the next call.
    pub fn give_back(self) {
        debug_assert!(
            self.f64s.is_empty() && self.f32s.is_empty() && self.words.is_empty(),
            "value stack not empty at the end of a gradient call"
        );
        with_pool(|pool| pool.push(self));
    }

    /// Records a value.
    #[inline]
    pub fn push<T: Record>(&mut self, value: T) {
        value.push_onto(self);
    }

    /// Takes back the value recorded last.
    #[inline]
    pub fn pop<T: Record>(&mut self) -> T {
        T::pop_from(self)
    }

    /// How many values are recorded now.
    pub fn usage(&self) -> StackUsage {
        StackUsage {
            f64s: self.f64s.len(),
            f32s: self.f32s.len(),
            words: self.words.len(),
        }
    }
}

/// The most values any of this thread's stacks has held since [`reset_peak`], per
/// buffer.
/// Tests read it to check what a loop records per iteration.
pub fn peak() -> StackUsage {
    with_pool(|pool| {
        pool.iter()
            .fold(StackUsage::default(), |most, stack| StackUsage {
                f64s: most.f64s.max(stack.peak.f64s),
                f32s: most.f32s.max(stack.peak.f32s),
                words: most.words.max(stack.peak.words),
            })
    })
}

/// Starts a new measurement for [`peak`].
pub fn reset_peak() {
    with_pool(|pool| {
        for stack in pool {
            stack.peak = StackUsage::default();
        }
    })
}

/// A type the value stack can record.
pub trait Record: Copy {
    /// Pushes `self` onto its buffer.
    fn push_onto(self, stack: &mut ValueStack);
    /// Pops a value of this type from its buffer.
    fn pop_from(stack: &mut ValueStack) -> Self;
}

const UNDERFLOW: &str = "value stack underflow: the reverse sweep read more than the forward sweep recorded (a bug in ad)";

impl Record for f64 {
    #[inline]
    fn push_onto(self, stack: &mut ValueStack) {
        stack.f64s.push(self);
        stack.peak.f64s = stack.peak.f64s.max(stack.f64s.len());
    }
    #[inline]
    fn pop_from(stack: &mut ValueStack) -> Self {
        stack.f64s.pop().expect(UNDERFLOW)
    }
}

impl Record for f32 {
    #[inline]
    fn push_onto(self, stack: &mut ValueStack) {
        stack.f32s.push(self);
        stack.peak.f32s = stack.peak.f32s.max(stack.f32s.len());
    }
    #[inline]
    fn pop_from(stack: &mut ValueStack) -> Self {
        stack.f32s.pop().expect(UNDERFLOW)
    }
}

macro_rules! record_as_word {
    ($($ty:ty),*) => {$(
        impl Record for $ty {
            #[inline]
            fn push_onto(self, stack: &mut ValueStack) {
                // Round-trips exactly: every integer type here fits in 64 bits.
                stack.words.push(self as u64);
                stack.peak.words = stack.peak.words.max(stack.words.len());
            }
            #[inline]
            fn pop_from(stack: &mut ValueStack) -> Self {
                stack.words.pop().expect(UNDERFLOW) as $ty
            }
        }
    )*};
}

record_as_word!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

impl Record for bool {
    #[inline]
    fn push_onto(self, stack: &mut ValueStack) {
        u64::from(self).push_onto(stack);
    }
    #[inline]
    fn pop_from(stack: &mut ValueStack) -> Self {
        u64::pop_from(stack) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_back_in_reverse_order_with_their_types() {
        let mut stack = ValueStack::take();
        stack.push(1.5_f64);
        stack.push(true);
        stack.push(-3_i32);
        stack.push(2.5_f32);
        stack.push(usize::MAX);
        assert_eq!(stack.pop::<usize>(), usize::MAX);
        assert_eq!(stack.pop::<f32>(), 2.5);
        assert_eq!(stack.pop::<i32>(), -3);
        assert!(stack.pop::<bool>());
        assert_eq!(stack.pop::<f64>(), 1.5);
        assert_eq!(
            stack.peak,
            StackUsage {
                f64s: 1,
                f32s: 1,
                words: 3
            }
        );
        stack.give_back();
    }

    #[test]
    fn the_stack_is_reused_with_its_capacity() {
        reset_peak();
        let mut stack = ValueStack::take();
        for k in 0..1000 {
            stack.push(f64::from(k));
        }
        for _ in 0..1000 {
            stack.pop::<f64>();
        }
        stack.give_back();
        let again = ValueStack::take();
        assert!(again.f64s.capacity() >= 1000);
        again.give_back();
        assert_eq!(peak().f64s, 1000);
        reset_peak();
        assert_eq!(peak(), StackUsage::default());
    }
}
