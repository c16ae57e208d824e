//! Tokio's locks as managers: `async_with!(&mutex => guard { ... })` is
//! Python's `async with lock:`.
//!
//! The target is Tokio's own guard (or permit), so the lock is released when
//! the target is dropped, at the end of the body at the latest; `exit` and
//! `cancel` have nothing left to do. Acquiring is cancel-safe in Tokio: a
//! block cancelled while waiting for the lock leaves no trace.

use core::convert::Infallible;

use tokio::sync::{
    AcquireError, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard, Semaphore,
    SemaphorePermit,
};

use crate::{AsyncContextManager, Outcome};

/// Implements the parts every lock manager shares: nothing to undo, because
/// the target releases the lock when it is dropped.
macro_rules! release_on_drop {
    () => {
        async fn exit(&mut self, _outcome: Outcome<'_>) -> Result<(), Self::Error> {
            Ok(())
        }

        fn cancel(&mut self) {
            // The guard lives in the target, which the cancelled body's
            // future dropped: the lock is already released.
        }
    };
}

/// `async_with!(&mutex => guard { ... })`: locks the mutex for the block;
/// the target is the [`MutexGuard`].
///
/// ```
/// use async_with_core::{Guard, Outcome};
/// use tokio::sync::Mutex;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let counter = Mutex::new(0);
/// // With the `async-with` facade: `async_with!(&counter => mut count { *count += 1 })`,
/// // which does this:
/// let mut guard = Guard::new(&counter);
/// let mut count = guard.enter().await.unwrap();
/// *count += 1;
/// assert!(counter.try_lock().is_err(), "locked while the target lives");
/// drop(count);
/// guard.exit(Outcome::Completed).await.unwrap();
/// assert_eq!(*counter.try_lock().unwrap(), 1);
/// # }
/// ```
impl<'m, T: ?Sized> AsyncContextManager for &'m Mutex<T> {
    type Target<'a>
        = MutexGuard<'m, T>
    where
        Self: 'a;
    type Error = Infallible;

    async fn enter(&mut self) -> Result<MutexGuard<'m, T>, Infallible> {
        Ok(Mutex::lock(self).await)
    }

    release_on_drop!();
}

/// Shared access to an [`RwLock`] for one block; the target is the
/// [`RwLockReadGuard`]. Made by [`RwLockExt::read_ctx`].
#[derive(Debug)]
pub struct ReadLock<'m, T: ?Sized>(&'m RwLock<T>);

/// Exclusive access to an [`RwLock`] for one block; the target is the
/// [`RwLockWriteGuard`]. Made by [`RwLockExt::write_ctx`].
#[derive(Debug)]
pub struct WriteLock<'m, T: ?Sized>(&'m RwLock<T>);

/// Adapters that make an [`RwLock`] a manager, one for each access mode
/// (`&RwLock` can only be a manager one way).
///
/// ```
/// use async_with_core::{Guard, Outcome, RwLockExt};
/// use tokio::sync::RwLock;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let config = RwLock::new(String::from("led=17"));
/// // `async_with!(config.write_ctx() => mut text { text.push_str(",on") })`:
/// let mut guard = Guard::new(config.write_ctx());
/// let mut text = guard.enter().await.unwrap();
/// text.push_str(",on");
/// assert!(config.try_read().is_err(), "the writer excludes readers");
/// drop(text);
/// guard.exit(Outcome::Completed).await.unwrap();
/// assert_eq!(*config.try_read().unwrap(), "led=17,on");
/// # }
/// ```
pub trait RwLockExt<T: ?Sized> {
    /// A manager that read-locks for one block.
    fn read_ctx(&self) -> ReadLock<'_, T>;
    /// A manager that write-locks for one block.
    fn write_ctx(&self) -> WriteLock<'_, T>;
}

impl<T: ?Sized> RwLockExt<T> for RwLock<T> {
    fn read_ctx(&self) -> ReadLock<'_, T> {
        ReadLock(self)
    }

    fn write_ctx(&self) -> WriteLock<'_, T> {
        WriteLock(self)
    }
}

impl<'m, T: ?Sized> AsyncContextManager for ReadLock<'m, T> {
    type Target<'a>
        = RwLockReadGuard<'m, T>
    where
        Self: 'a;
    type Error = Infallible;

    async fn enter(&mut self) -> Result<RwLockReadGuard<'m, T>, Infallible> {
        Ok(self.0.read().await)
    }

    release_on_drop!();
}

impl<'m, T: ?Sized> AsyncContextManager for WriteLock<'m, T> {
    type Target<'a>
        = RwLockWriteGuard<'m, T>
    where
        Self: 'a;
    type Error = Infallible;

    async fn enter(&mut self) -> Result<RwLockWriteGuard<'m, T>, Infallible> {
        Ok(self.0.write().await)
    }

    release_on_drop!();
}

/// `async_with!(slots? => permit { ... })` with `slots: &Semaphore`: holds
/// one permit for the block; the target is the [`SemaphorePermit`]. It can
/// fail (hence the `?` mark) with [`AcquireError`] when the semaphore is
/// closed. (With a `Semaphore` local, write `(&semaphore)?`: `&semaphore?`
/// parses as `&(semaphore?)`, which `async_with!` refuses with that advice.)
///
/// ```
/// use async_with_core::{Guard, Outcome};
/// use tokio::sync::Semaphore;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let slots = Semaphore::new(2);
/// // `async_with!(slots_ref? => _permit { ... })` with `slots_ref = &slots`:
/// let mut guard = Guard::new(&slots);
/// let permit = guard.enter().await.unwrap();
/// assert_eq!(slots.available_permits(), 1);
/// drop(permit);
/// guard.exit(Outcome::Completed).await.unwrap();
/// assert_eq!(slots.available_permits(), 2);
/// # }
/// ```
impl<'m> AsyncContextManager for &'m Semaphore {
    type Target<'a>
        = SemaphorePermit<'m>
    where
        Self: 'a;
    type Error = AcquireError;

    async fn enter(&mut self) -> Result<SemaphorePermit<'m>, AcquireError> {
        Semaphore::acquire(self).await
    }

    release_on_drop!();
}

/// Holds `n` permits of a [`Semaphore`] for one block. Made by
/// [`SemaphoreExt::permits_ctx`].
#[derive(Debug)]
pub struct Permits<'m> {
    semaphore: &'m Semaphore,
    n: u32,
}

/// An adapter that makes a [`Semaphore`] a manager holding several permits.
///
/// ```
/// use async_with_core::{Guard, Outcome, SemaphoreExt};
/// use tokio::sync::Semaphore;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let slots = Semaphore::new(5);
/// // `async_with!(slots.permits_ctx(3)? => _permits { ... })`:
/// let mut guard = Guard::new(slots.permits_ctx(3));
/// let permits = guard.enter().await.unwrap();
/// assert_eq!(slots.available_permits(), 2);
/// drop(permits);
/// guard.exit(Outcome::Completed).await.unwrap();
/// # }
/// ```
pub trait SemaphoreExt {
    /// A manager that acquires `n` permits for one block.
    ///
    /// Its `enter` fails with Tokio's [`AcquireError`] when the semaphore
    /// is closed ([`Semaphore::close`]), and waits forever when `n` is more
    /// than the semaphore will ever hold.
    fn permits_ctx(&self, n: u32) -> Permits<'_>;
}

impl SemaphoreExt for Semaphore {
    fn permits_ctx(&self, n: u32) -> Permits<'_> {
        Permits { semaphore: self, n }
    }
}

impl<'m> AsyncContextManager for Permits<'m> {
    type Target<'a>
        = SemaphorePermit<'m>
    where
        Self: 'a;
    type Error = AcquireError;

    async fn enter(&mut self) -> Result<SemaphorePermit<'m>, AcquireError> {
        self.semaphore.acquire_many(self.n).await
    }

    release_on_drop!();
}

crate::impl_send_manager!(impl<'m, T> &'m Mutex<T> where T: ?Sized + Send);
crate::impl_send_manager!(impl<'m, T> ReadLock<'m, T> where T: ?Sized + Send + Sync);
crate::impl_send_manager!(impl<'m, T> WriteLock<'m, T> where T: ?Sized + Send + Sync);
crate::impl_send_manager!(impl<'m> &'m Semaphore);
crate::impl_send_manager!(impl<'m> Permits<'m>);
