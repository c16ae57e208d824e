//! The `async_with!` expansion's own guard: a manager and its armed flag,
//! written by the expansion through their fields.

use crate::AsyncContextManager;

/// Owns one manager of an `async_with!` block and runs its `cancel` hook
/// when dropped while armed: the expansion's form of [`Guard`](crate::Guard),
/// with the same rule (for each successful `enter`, exactly one of { `exit`
/// completed, `cancel` ran }).
///
/// The expansion reaches the two fields directly, as disjoint borrows:
///
/// ```text
/// let mut held = Held::new(manager);                  // disarmed
/// let entered = manager_enter(&mut held.manager).await;   // may borrow `held.manager`
/// held.armed = entered.is_ok();                       // ... while the flag is written
/// /* body */
/// let exit = manager_exit(&mut held.manager, outcome).await;  // armed while pending
/// held.armed = false;                                 // `exit` completed
/// ```
///
/// So no pointer to the flag lives across an await (the future neither
/// stores one nor reloads it to write through it), and the drop at the end
/// of the block reads a flag the optimiser has just seen written
/// (`benches/callgrind.sh`, BENCHMARKS.md issue 13). [`Guard`] cannot
/// offer this: its fields are private so that its methods keep its state
/// machine whole; the expansion keeps this one whole by construction (one
/// hygienic local, entered once, exited once).
///
/// A panic in `exit` leaves the flag set, so unwinding runs `cancel`: the
/// exit did not complete. `enter` failing leaves it clear: nothing to undo.
///
/// [`Guard`]: crate::Guard
#[doc(hidden)]
#[derive(Debug)]
pub struct Held<M: AsyncContextManager> {
    /// The manager; `enter` and `exit` borrow it, and the target may keep
    /// borrowing it (a `MutexGuard`) while `armed` is written.
    pub manager: M,
    /// Set once `enter` succeeded, cleared once `exit` completed.
    pub armed: bool,
}

impl<M: AsyncContextManager> Held<M> {
    /// Takes ownership of `manager`, disarmed.
    #[inline]
    pub const fn new(manager: M) -> Self {
        Held {
            manager,
            armed: false,
        }
    }
}

impl<M: AsyncContextManager> Drop for Held<M> {
    #[inline]
    fn drop(&mut self) {
        if self.armed {
            self.manager.cancel();
        }
    }
}
