//! Type hints: how the body is type-checked with the types inline code
//! would push into it.

/// A type carried from where the context knows it to where the body needs
/// it, so that the body is type-checked with the type inline code would
/// push into it (the function's return type for `return`, the loop's type
/// for `break value`, the block's expected type for its value).
///
/// A zero-sized value with no runtime effect: the expansion ties one to the
/// context (`if false { return hint.get() }`, [`typed`] in the block's
/// tail position) *before* the body, and then passes each value through
/// [`typed`], which makes the value a coercion site with a known target.
#[doc(hidden)]
pub struct Hint<T>(core::marker::PhantomData<fn() -> T>);

impl<T> Hint<T> {
    /// A hint whose type is still to be inferred.
    #[inline(always)]
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Hint(core::marker::PhantomData)
    }

    /// Two hints of one type: one for the context, one moved into the body.
    #[inline(always)]
    pub const fn pair() -> (Self, Self) {
        (Hint::new(), Hint::new())
    }

    /// Another hint of the same type. Not `Clone`/`Copy` on purpose: the
    /// body's `async` block must capture its hint by value (zero bytes),
    /// not by reference (a pointer in the block's future).
    #[inline(always)]
    pub const fn dup(&self) -> Self {
        Hint::new()
    }

    /// A value of the hinted type; only ever written under `if false`, to
    /// unify the hint with what `return`/`break` expects there.
    #[inline(always)]
    pub fn get(&self) -> T {
        unreachable!("`Hint::get` is only type-checked, never run")
    }
}

impl<T> core::fmt::Debug for Hint<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Hint")
    }
}

/// `value`, type-checked against `hint`'s type: with that type known first,
/// `value` is checked with it as its expected type, as inline code would be.
#[doc(hidden)]
#[inline(always)]
pub fn typed<T>(hint: Hint<T>, value: T) -> T {
    let _ = hint;
    value
}

/// The target on its way into the body's `async` block, which must capture
/// it by value: a `Copy` target (`()`, `&T`) used by value inside a
/// non-`move` block is captured by reference, a pointer stored in the
/// block's future (8 bytes and a store per manager, `benches/callgrind.sh`).
/// Not `Copy`, so the block moves it in, and takes it apart with
/// [`ByValue::into_inner`].
#[doc(hidden)]
#[repr(transparent)]
pub struct ByValue<T>(pub T);

impl<T> ByValue<T> {
    /// The target itself.
    #[inline(always)]
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> core::fmt::Debug for ByValue<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ByValue")
    }
}
