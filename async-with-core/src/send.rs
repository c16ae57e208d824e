//! [`SendAsyncContextManager`]: the trait with `Send` futures, for generic
//! code that spawns.

use core::future::Future;

use crate::{AsyncContextManager, Outcome};

/// An [`AsyncContextManager`] whose `enter` and `exit` futures are `Send`, so
/// generic code can `tokio::spawn` a block over it.
///
/// In generic code over `M: AsyncContextManager` the compiler cannot know
/// that `M::enter()` returns a `Send` future (stable Rust has no way to say
/// "the future this trait method returns is `Send`"), so a spawned block over
/// `M` does not compile. Bound by `M: SendAsyncContextManager` instead and
/// wrap the manager in [`SendManager`]: its futures are declared `Send`, so
/// `async_with!`, [`with`](fn@crate::with) and [`Guard`](crate::Guard) over it
/// are `Send` too. The [`ExitStack`](crate::ExitStack) and
/// [`Detached`](crate::Detached) need it for the same reason.
///
/// The trait adds nothing for concrete types, whose futures the compiler can
/// see through: implement it with [`impl_send_manager!`](crate::impl_send_manager),
/// which writes the two delegating methods (a blanket impl over every `Send`
/// manager is not expressible on stable Rust; it would need return type
/// notation).
///
/// # Example
///
/// ```
/// use async_with_core::{nullcontext, with, NullContext, SendAsyncContextManager, SendManager};
///
/// /// Generic over the manager, and spawned.
/// async fn spawned<M>(manager: M) -> u32
/// where
///     M: SendAsyncContextManager<Error = core::convert::Infallible> + 'static,
///     for<'a> M::Target<'a>: Send, // the body holds the target
/// {
///     tokio::spawn(async move {
///         with(SendManager::new(manager), async |_target| 7).await.unwrap()
///     })
///     .await
///     .unwrap()
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert_eq!(spawned(nullcontext(())).await, 7);
/// # }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `SendAsyncContextManager`, which the exit stack, `Detached` and spawned generic code need",
    label = "needs `SendAsyncContextManager`",
    note = "if `{Self}` implements `AsyncContextManager` and its futures are `Send`, add one line beside that impl: `async_with::impl_send_manager!({Self});`",
    note = "managers from `manager_fn` and from this crate implement it already"
)]
pub trait SendAsyncContextManager: AsyncContextManager + Send {
    /// [`AsyncContextManager::enter`], with its future declared `Send`.
    ///
    /// # Errors
    ///
    /// `Self::Error`, exactly as [`AsyncContextManager::enter`] fails.
    fn enter_send(&mut self) -> impl Future<Output = Result<Self::Target<'_>, Self::Error>> + Send;

    /// [`AsyncContextManager::exit`], with its future declared `Send`.
    ///
    /// # Errors
    ///
    /// `Self::Error`, exactly as [`AsyncContextManager::exit`] fails.
    fn exit_send(
        &mut self,
        outcome: Outcome<'_>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
}

/// Implements [`SendAsyncContextManager`] for a type whose
/// [`AsyncContextManager`] futures are `Send`, by delegation.
///
/// Write `impl_send_manager!(Type);`, or for a generic type
/// `impl_send_manager!(impl<T, U> Type<T, U> where T: Send, ...);` (type
/// and lifetime parameters). It fails to compile, pointing at the type, when a future
/// is not `Send`.
///
/// # Example
///
/// ```
/// use async_with_core::{impl_send_manager, AsyncContextManager, Outcome};
/// use core::convert::Infallible;
///
/// struct Door<T>(T);
///
/// impl<T> AsyncContextManager for Door<T> {
///     type Target<'a> = &'a mut T where Self: 'a;
///     type Error = Infallible;
///     async fn enter(&mut self) -> Result<&mut T, Infallible> { Ok(&mut self.0) }
///     async fn exit(&mut self, _: Outcome<'_>) -> Result<(), Infallible> { Ok(()) }
///     fn cancel(&mut self) {}
/// }
///
/// impl_send_manager!(impl<T> Door<T> where T: Send);
/// ```
#[macro_export]
macro_rules! impl_send_manager {
    (impl <$($param:tt),* $(,)?> $type:ty $(where $($bound:tt)*)?) => {
        $crate::impl_send_manager!(@impl [$($param),*] $type [$($($bound)*)?]);
    };
    ($type:ty $(where $($bound:tt)*)?) => {
        $crate::impl_send_manager!(@impl [] $type [$($($bound)*)?]);
    };
    (@impl [$($param:tt),*] $type:ty [$($bound:tt)*]) => {
        impl<$($param),*> $crate::SendAsyncContextManager for $type
        where
            $($bound)*
        {
            fn enter_send(
                &mut self,
            ) -> impl ::core::future::Future<
                Output = ::core::result::Result<
                    <Self as $crate::AsyncContextManager>::Target<'_>,
                    <Self as $crate::AsyncContextManager>::Error,
                >,
            > + ::core::marker::Send {
                <Self as $crate::AsyncContextManager>::enter(self)
            }

            fn exit_send(
                &mut self,
                outcome: $crate::Outcome<'_>,
            ) -> impl ::core::future::Future<
                Output = ::core::result::Result<(), <Self as $crate::AsyncContextManager>::Error>,
            > + ::core::marker::Send {
                <Self as $crate::AsyncContextManager>::exit(self, outcome)
            }
        }
    };
}

impl<M: SendAsyncContextManager + ?Sized> SendAsyncContextManager for &mut M {
    fn enter_send(&mut self) -> impl Future<Output = Result<Self::Target<'_>, Self::Error>> + Send {
        (**self).enter_send()
    }

    fn exit_send(
        &mut self,
        outcome: Outcome<'_>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send {
        (**self).exit_send(outcome)
    }
}

/// Wraps a [`SendAsyncContextManager`] so that generic code driving it
/// through [`AsyncContextManager`] (`async_with!`, [`with`](fn@crate::with),
/// [`Guard`](crate::Guard)) gets `Send` futures.
///
/// See [`SendAsyncContextManager`] for an example.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendManager<M>(M);

impl<M> SendManager<M> {
    /// Wraps `manager`.
    pub const fn new(manager: M) -> Self {
        SendManager(manager)
    }

    /// The manager back.
    pub fn into_inner(self) -> M {
        self.0
    }

    /// The manager.
    pub fn get_mut(&mut self) -> &mut M {
        &mut self.0
    }
}

// The refined `+ Send` in the return types is the point of this type: it is
// what generic callers see.
#[allow(refining_impl_trait)]
impl<M: SendAsyncContextManager> AsyncContextManager for SendManager<M> {
    type Target<'a>
        = M::Target<'a>
    where
        Self: 'a;
    type Error = M::Error;

    fn enter(&mut self) -> impl Future<Output = Result<Self::Target<'_>, Self::Error>> + Send {
        self.0.enter_send()
    }

    fn exit(
        &mut self,
        outcome: Outcome<'_>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send {
        self.0.exit_send(outcome)
    }

    fn cancel(&mut self) {
        self.0.cancel();
    }
}

impl<M: SendAsyncContextManager> SendAsyncContextManager for SendManager<M> {
    fn enter_send(&mut self) -> impl Future<Output = Result<Self::Target<'_>, Self::Error>> + Send {
        self.0.enter_send()
    }

    fn exit_send(
        &mut self,
        outcome: Outcome<'_>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send {
        self.0.exit_send(outcome)
    }
}
