//! [`nullcontext`]: a manager that does nothing.

use core::convert::Infallible;

use crate::{AsyncContextManager, Outcome};

/// A manager that does nothing and hands out `&mut value`: Python's
/// `contextlib.nullcontext(enter_result)`, for code that takes a manager when
/// there is nothing to manage.
///
/// # Example
///
/// ```
/// use async_with_core::{nullcontext, with};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let doubled = with(nullcontext(21), async |n: &mut i32| *n * 2).await;
/// assert_eq!(doubled, Ok(42));
/// # }
/// ```
pub const fn nullcontext<T>(value: T) -> NullContext<T> {
    NullContext { value }
}

/// The manager [`nullcontext`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NullContext<T> {
    value: T,
}

impl<T> NullContext<T> {
    /// The value back.
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T> AsyncContextManager for NullContext<T> {
    type Target<'a>
        = &'a mut T
    where
        Self: 'a;
    type Error = Infallible;

    async fn enter(&mut self) -> Result<&mut T, Infallible> {
        Ok(&mut self.value)
    }

    async fn exit(&mut self, _outcome: Outcome<'_>) -> Result<(), Infallible> {
        Ok(())
    }

    fn cancel(&mut self) {
        // Nothing was set up, so there is nothing to undo.
    }
}

crate::impl_send_manager!(impl<T> NullContext<T> where T: Send);
