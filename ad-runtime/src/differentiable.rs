//! Models as structs: the trait that `#[derive(ad::Differentiable)]` implements.
//!
//! A struct parameter named in `wrt` gets an adjoint of its own type: a second value
//! of the struct whose float fields hold the partial derivatives and whose constant
//! fields are copies. Everything an optimiser needs besides (counting, flattening,
//! zeroing, `p += factor · grad`) follows from three ways of visiting the
//! differentiable scalars in declaration order, recursively.

/// A value whose floats can be differentiated: a float, a `Vec`, array or boxed
/// slice of such values, or a struct with `#[derive(ad::Differentiable)]`.
///
/// Its *scalars* are its differentiable floats in declaration order, recursively
/// (the order `f_hessian` and `f_jacobian` number the inputs in). Constant fields
/// (integers, `bool`s, strings, enums, fields marked `#[ad(constant)]`) are not
/// among them: an adjoint holds copies of them.
///
/// ```
/// use ad_runtime::Differentiable;
///
/// let mut weights = vec![[1.0, 2.0], [3.0, 4.0]];
/// assert_eq!(weights.scalar_count(), 4);
/// assert_eq!(weights.to_scalars(), [1.0, 2.0, 3.0, 4.0]);
///
/// let mut gradient = weights.zeroed_like();
/// gradient[1][0] = 2.0;
/// weights.add_scaled(&gradient, -0.5); // a gradient step
/// assert_eq!(weights, [[1.0, 2.0], [2.0, 4.0]]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not `ad::Differentiable`",
    label = "a struct parameter differentiated with respect to, or a field of one, must be `ad::Differentiable`",
    note = "add `#[derive(ad::Differentiable)]` to the struct, or mark a field that is a constant `#[ad(constant)]`"
)]
pub trait Differentiable: Sized {
    /// The float type of the scalars: `f64` or `f32`.
    type Scalar: Copy + PartialEq + core::fmt::Debug;

    /// A value of the same shape (the same lengths, the same constants) whose
    /// scalars are all zero: an empty adjoint or tangent.
    fn zeroed_like(&self) -> Self;

    /// Calls `visit` on every scalar, in declaration order.
    fn visit_scalars(&self, visit: &mut dyn FnMut(Self::Scalar));

    /// Calls `visit` on every scalar, in declaration order, to change it.
    fn visit_scalars_mut(&mut self, visit: &mut dyn FnMut(&mut Self::Scalar));

    /// Calls `visit` on every scalar of `self` with the scalar of `other` in the same
    /// place. `other` must have `self`'s shape (for instance `self.zeroed_like()`).
    fn zip_scalars_mut(
        &mut self,
        other: &Self,
        visit: &mut dyn FnMut(&mut Self::Scalar, Self::Scalar),
    );

    /// How many scalars there are.
    fn scalar_count(&self) -> usize {
        let mut count = 0;
        self.visit_scalars(&mut |_| count += 1);
        count
    }

    /// The scalars, in declaration order.
    fn to_scalars(&self) -> Vec<Self::Scalar> {
        let mut scalars = Vec::with_capacity(self.scalar_count());
        self.visit_scalars(&mut |s| scalars.push(s));
        scalars
    }

    /// Writes the scalars into `out`, in declaration order.
    ///
    /// # Panics
    /// If `out.len()` is not [`scalar_count`](Differentiable::scalar_count).
    fn write_scalars(&self, out: &mut [Self::Scalar]) {
        let count = self.scalar_count();
        assert_eq!(
            out.len(),
            count,
            "write_scalars: the slice has the wrong length"
        );
        let mut k = 0;
        self.visit_scalars(&mut |s| {
            out[k] = s;
            k += 1;
        });
    }

    /// Sets the scalars from `scalars`, in declaration order.
    ///
    /// # Panics
    /// If `scalars.len()` is not [`scalar_count`](Differentiable::scalar_count).
    fn read_scalars(&mut self, scalars: &[Self::Scalar]) {
        let count = self.scalar_count();
        assert_eq!(
            scalars.len(),
            count,
            "read_scalars: the slice has the wrong length"
        );
        let mut k = 0;
        self.visit_scalars_mut(&mut |s| {
            *s = scalars[k];
            k += 1;
        });
    }

    /// Sets every scalar to zero, keeping lengths and constants.
    fn set_zero(&mut self)
    where
        Self::Scalar: Default,
    {
        self.visit_scalars_mut(&mut |s| *s = Self::Scalar::default());
    }

    /// `self += factor · other`, scalar by scalar: a gradient step is
    /// `model.add_scaled(&gradient, -rate)`. `other` must have `self`'s shape.
    fn add_scaled(&mut self, other: &Self, factor: Self::Scalar)
    where
        Self::Scalar: core::ops::Mul<Output = Self::Scalar> + core::ops::AddAssign,
    {
        self.zip_scalars_mut(other, &mut |s, o| *s += factor * o);
    }
}

macro_rules! float {
    ($($t:ty)*) => {$(
        impl Differentiable for $t {
            type Scalar = $t;

            fn zeroed_like(&self) -> Self {
                0.0
            }

            fn visit_scalars(&self, visit: &mut dyn FnMut($t)) {
                visit(*self);
            }

            fn visit_scalars_mut(&mut self, visit: &mut dyn FnMut(&mut $t)) {
                visit(self);
            }

            fn zip_scalars_mut(&mut self, other: &Self, visit: &mut dyn FnMut(&mut $t, $t)) {
                visit(self, *other);
            }
        }
    )*};
}

float!(f32 f64);

/// The elements of a sequence, one after the other.
macro_rules! sequence {
    ($([$($generics:tt)*] $t:ty => $zeroed:expr;)*) => {$(
        impl<$($generics)*> Differentiable for $t {
            type Scalar = T::Scalar;

            fn zeroed_like(&self) -> Self {
                #[allow(clippy::redundant_closure_call)]
                ($zeroed)(self)
            }

            fn visit_scalars(&self, visit: &mut dyn FnMut(T::Scalar)) {
                for element in self.iter() {
                    element.visit_scalars(visit);
                }
            }

            fn visit_scalars_mut(&mut self, visit: &mut dyn FnMut(&mut T::Scalar)) {
                for element in self.iter_mut() {
                    element.visit_scalars_mut(visit);
                }
            }

            fn zip_scalars_mut(
                &mut self,
                other: &Self,
                visit: &mut dyn FnMut(&mut T::Scalar, T::Scalar),
            ) {
                assert_eq!(self.len(), other.len(), "the two values have different lengths");
                for (element, other) in self.iter_mut().zip(other.iter()) {
                    element.zip_scalars_mut(other, visit);
                }
            }
        }
    )*};
}

sequence! {
    [T: Differentiable] Vec<T> => |v: &Vec<T>| v.iter().map(T::zeroed_like).collect();
    [T: Differentiable] Box<[T]> => |v: &[T]| v.iter().map(T::zeroed_like).collect();
    [T: Differentiable, const N: usize] [T; N] => |v: &[T; N]| core::array::from_fn(|k| v[k].zeroed_like());
}

#[cfg(test)]
mod tests {
    use super::Differentiable;

    #[test]
    fn sequences_visit_their_elements_in_order() {
        let mut v = vec![[1.0, 2.0], [3.0, 4.0]];
        assert_eq!(v.scalar_count(), 4);
        assert_eq!(v.to_scalars(), [1.0, 2.0, 3.0, 4.0]);
        let zero = v.zeroed_like();
        assert_eq!(zero, vec![[0.0; 2]; 2]);
        let mut out = [0.0; 4];
        v.write_scalars(&mut out);
        assert_eq!(out, [1.0, 2.0, 3.0, 4.0]);
        v.read_scalars(&[4.0, 3.0, 2.0, 1.0]);
        assert_eq!(v, vec![[4.0, 3.0], [2.0, 1.0]]);
        v.add_scaled(&vec![[1.0, 0.0], [0.0, 2.0]], 0.5);
        assert_eq!(v, vec![[4.5, 3.0], [2.0, 2.0]]);
        v.set_zero();
        assert_eq!(v, zero);
    }

    #[test]
    #[should_panic(expected = "wrong length")]
    fn reading_too_few_scalars_panics() {
        vec![1.0_f32, 2.0].read_scalars(&[1.0]);
    }
}
