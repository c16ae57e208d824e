#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unreachable_pub
)]

pub use async_with_core::{AsyncContextManager, Failure, Guard, Outcome, PanicPayload, Spotlight};

#[cfg(feature = "tokio")]
pub use async_with_core::TokioDelay;

/// LEDs for [`Spotlight`]: [`RecordingPin`](led::RecordingPin) for tests, and
/// the Linux backends [`SysfsGpio`](led::SysfsGpio),
/// [`SysfsLed`](led::SysfsLed) and (feature `cdev`) `CdevLine`, with the
/// simulated sysfs in [`led::sim`].
#[cfg(feature = "std")]
pub mod led {
    #[doc(inline)]
    pub use async_with_core::led::*;
}
// Python's contextlib, Rust-style: the function API, `nullcontext`,
// `@asynccontextmanager`, `AsyncExitStack`, the Send-bound trait.
#[cfg(feature = "std")]
pub use async_with_core::{AnyError, ExitError, ExitStack, StackError};
pub use async_with_core::{
    ManagerFn, NullContext, SendAsyncContextManager, SendManager, impl_send_manager, manager_fn,
    nullcontext, try_with, with,
};
// Tokio's locks as managers and the detached exit.
#[cfg(feature = "tokio")]
pub use async_with_core::{
    DEFAULT_DETACHED_TIMEOUT, Detached, Permits, ReadLock, RwLockExt, SemaphoreExt, WriteLock,
};

/// Runs a block inside one or more async context managers, awaiting each
/// manager's `exit` on every way out of the block.
///
/// ```
/// use async_with::{async_with, AsyncContextManager, Outcome};
/// # use std::{cell::RefCell, convert::Infallible};
/// # struct Door<'a>(&'a RefCell<Vec<String>>);
/// # impl AsyncContextManager for Door<'_> {
/// #     type Target<'t> = &'static str where Self: 't;
/// #     type Error = Infallible;
/// #     async fn enter(&mut self) -> Result<&'static str, Infallible> {
/// #         self.0.borrow_mut().push("open".into());
/// #         Ok("front")
/// #     }
/// #     async fn exit(&mut self, outcome: Outcome<'_>) -> Result<(), Infallible> {
/// #         self.0.borrow_mut().push(format!("close ({outcome})"));
/// #         Ok(())
/// #     }
/// #     fn cancel(&mut self) { self.0.borrow_mut().push("slam".into()); }
/// # }
///
/// async fn visit(log: &RefCell<Vec<String>>) -> usize {
///     async_with!(Door(log) => name {
///         log.borrow_mut().push(format!("inside {name}"));
///         name.len()
///     })
/// }
///
/// let log = RefCell::new(Vec::new());
/// assert_eq!(futures::executor::block_on(visit(&log)), 5);
/// assert_eq!(log.take(), ["open", "inside front", "close (completed)"]);
/// ```
///
/// # Grammar
///
/// ```text
/// async_with!( manager ( "," manager )* ","? { body } )
/// manager := expression "?"? ( "=>" pattern )?
/// ```
///
/// - The *expression* must implement [`AsyncContextManager`]. It is
///   evaluated once, then `enter` is awaited; its target is bound to the
///   *pattern* (a name, `mut name`, `_`, a tuple or struct pattern: any
///   irrefutable pattern). Without `=> pattern` the target is dropped at the
///   end of the body.
/// - The body is always the last brace group. It is an ordinary block of
///   async code, and the macro evaluates to its value.
/// - Several managers are exactly nested blocks:
///   `async_with!(a => x, b => y { .. })` is
///   `async_with!(a => x { async_with!(b => y { .. }) })`. They are entered
///   left to right and exited right to left; if `b`'s `enter` fails, `a`
///   still exits.
///
/// # The `?` mark
///
/// A manager whose `Error` is not [`Infallible`](core::convert::Infallible)
/// must be marked with `?` after its expression: `async_with!(open()? => c {
/// .. })`. Its `enter` and `exit` errors then propagate like `?` into the
/// enclosing function, converted with `From`; an `exit` error replaces
/// whatever the body was returning (in Python, the exception raised in
/// `__aexit__` wins). An unmarked manager must be infallible, and then the
/// block works in any async function, whatever it returns. Leaving the mark
/// off a fallible manager is a compile error that says to add it.
///
/// A top-level `?` on the manager expression is always the mark. To unwrap a
/// constructor's `Result` first, bind it before the macro, or write
/// `(make()?)?`.
///
/// ```
/// # use async_with::{async_with, AsyncContextManager, Outcome};
/// # use std::cell::Cell;
/// # #[derive(Debug, PartialEq)] struct Refused;
/// # struct Socket<'a> { up: bool, closed: &'a Cell<bool> }
/// # impl AsyncContextManager for Socket<'_> {
/// #     type Target<'t> = () where Self: 't;
/// #     type Error = Refused;
/// #     async fn enter(&mut self) -> Result<(), Refused> {
/// #         if self.up { Ok(()) } else { Err(Refused) }
/// #     }
/// #     async fn exit(&mut self, _: Outcome<'_>) -> Result<(), Refused> {
/// #         self.closed.set(true);
/// #         Ok(())
/// #     }
/// #     fn cancel(&mut self) {}
/// # }
/// async fn send(up: bool, closed: &Cell<bool>) -> Result<u8, Refused> {
///     let sent = async_with!(Socket { up, closed }? {
///         42
///     });
///     Ok(sent)
/// }
///
/// # futures::executor::block_on(async {
/// let closed = Cell::new(false);
/// assert_eq!(send(false, &closed).await, Err(Refused)); // enter failed: no exit
/// assert!(!closed.get());
/// assert_eq!(send(true, &closed).await, Ok(42));
/// assert!(closed.get());
/// # });
/// ```
///
/// # Control flow
///
/// The body behaves exactly as if it were written inline, and `exit` is
/// awaited before control leaves the block:
///
/// - `return value` returns `value` from the enclosing function.
/// - `expr?` on a `Result` or an `Option` propagates from the enclosing
///   function, converted with `From` as usual.
/// - `break`, `break 'label`, `break 'label value`, `continue` and
///   `continue 'label` reach the loops and labelled blocks around the macro;
///   those inside the body reach their own loops.
/// - `.await` works as anywhere in async code, and the body may borrow local
///   variables, mutably too.
/// - Closures, `async` blocks and nested `fn`s inside the body keep their own
///   `return` and `?`.
///
/// ```
/// # use async_with::{async_with, AsyncContextManager, Outcome};
/// # use std::{cell::RefCell, convert::Infallible};
/// # struct Step<'a>(&'a RefCell<Vec<String>>);
/// # impl AsyncContextManager for Step<'_> {
/// #     type Target<'t> = () where Self: 't;
/// #     type Error = Infallible;
/// #     async fn enter(&mut self) -> Result<(), Infallible> { Ok(()) }
/// #     async fn exit(&mut self, outcome: Outcome<'_>) -> Result<(), Infallible> {
/// #         self.0.borrow_mut().push(outcome.to_string());
/// #         Ok(())
/// #     }
/// #     fn cancel(&mut self) {}
/// # }
/// async fn first_big(log: &RefCell<Vec<String>>, inputs: &[&str]) -> Result<u32, std::num::ParseIntError> {
///     for input in inputs {
///         async_with!(Step(log) {
///             if input.is_empty() {
///                 continue;
///             }
///             let n: u32 = input.parse()?;
///             if n > 10 {
///                 return Ok(n);
///             }
///         });
///     }
///     Ok(0)
/// }
///
/// # futures::executor::block_on(async {
/// let log = RefCell::new(Vec::new());
/// assert_eq!(first_big(&log, &["", "3", "42", "7"]).await, Ok(42));
/// assert!(first_big(&log, &["x"]).await.is_err());
/// assert_eq!(log.borrow()[..3], ["completed", "completed", "completed"]);
/// assert!(log.borrow()[3].starts_with("failed"));
/// # });
/// ```
///
/// # What `exit` is told
///
/// `exit(outcome)` is awaited exactly once for every successful `enter`:
///
/// | how the body ended | [`Outcome`] |
/// |---|---|
/// | ran to its end, or left through `return`/`break`/`continue`, with a value that is not an `Err` | `Completed` |
/// | left through `?` on an `Err` or `None`, or returned / evaluated to an `Err` | `Failed`: see below for what it carries |
/// | panicked | `Panicked`, with the payload; the panic resumes after `exit` (an `exit` error is then logged, not lost silently) |
///
/// What a [`Failure`] carries depends on the error's type:
///
/// | the error (`E` in `Err(E)`) | `failure.as_error()` / `downcast_ref::<E>()` | `failure.error()` (`Debug`) |
/// |---|---|---|
/// | `Error + Sync + 'static` (`io::Error`, thiserror enums) | the error | its `Debug` form |
/// | a reference `&E` / `&mut E` to a `Debug + Sync` error | `None` | its `Debug` form |
/// | `Debug + Sync`, not `Error` (`String`, `&str`, `Box<dyn Error>`, `anyhow::Error`) | `None` | its `Debug` form |
/// | not `Debug + Sync` | `None` | `None` |
/// | `None` from `?` on an `Option` | `None` | `None` |
///
/// If `enter` fails, `exit` is not called (as in Python). A panic inside
/// `enter` or `exit` propagates unchanged.
///
/// # Cancellation
///
/// Dropping the block's future while the body or `exit` is pending is
/// cancellation. `exit` cannot be awaited then, so the manager's synchronous
/// [`cancel`](AsyncContextManager::cancel) hook runs instead, once, on the
/// dropping thread. For every successful `enter`, exactly one of { `exit`
/// completed, `cancel` ran } happens (short of `mem::forget`, an abort or
/// the process dying). A cancelled `enter` is the manager's own business.
///
/// # Limitations
///
/// The body is type-checked as if inline: a value leaving through `return`
/// or `break value` is checked against the function's or the loop's type,
/// and the body's value against the type the macro's context expects (a
/// `let` annotation, a parameter, the function's return). What remains is
/// what the expansion must decide before rustc has seen the code after
/// the block, or what Rust cannot express:
///
/// - **A value typed only by code after the block.** `exit` must be told
///   whether the value is an `Err` before the block ends, so its type must
///   be known there. Inline, `let n = { zero() }; takes_u32(n)` compiles;
///   here rustc reports
///   `error[E0282]: type annotations needed` with
///   "help: consider specifying the generic argument".
///   Annotate the type: `let n: u32 = async_with!(...)`, or turbofish the
///   call (`zero::<u32>()`). A few calls that are typed by their context by
///   nature (`collect()`, `parse()`, `into()`, `from()`, `Default::default()`),
///   and any method call without a turbofish (`r.clone()`), are not
///   classified at all: their value is reported `Completed` unless
///   annotated (`collect::<Result<Vec<_>, _>>()`) or bound to a local
///   first (`let r = r.clone(); r`).
///   (`tests/ui/tail_typed_by_later_use.rs`)
/// - **A tail of type `!` that only the type checker sees diverging** (a
///   call to your own `-> !` function), where nothing gives the block a
///   type (a statement `async_with!(m { fail() });`): `error[E0282]: type
///   annotations needed`. End the body with `;` (`fail();`), as the
///   statement it is. `panic!`, `todo!`, `unreachable!`, `loop {}`,
///   `return`, and `std::process::exit`/`abort`, `panic_any` and
///   `resume_unwind` are recognised and need nothing, and with a type from
///   the context (`let x: u8 = ...`, a function's tail) any `-> !` call
///   works. (`tests/ui/never_call_tail_without_context.rs`)
/// - **An error type that borrows and implements `Error`** (a lifetime
///   parameter, such as a parser error over `&'a str`), left through `?`
///   or as an `Err`: `exit` is given the error itself, which needs
///   `'static`, and rustc's choice of that path cannot depend on a
///   lifetime, so the error is `lifetime may not live long enough ...
///   requires that '1 must outlive 'static`. Convert it to an owned error
///   first: `.map_err(|e| e.to_string())?` or an owned error type.
///   References to errors (`Result<T, &io::Error>`) are fine: `exit` sees
///   their `Debug` form. (`tests/ui/error_type_with_a_lifetime.rs`)
/// - **A local first assigned inside the body.** The body runs inside an
///   `async` block (that is how a panic is caught and `exit` still
///   awaited), which captures locals the way a closure does: `let x;
///   async_with!(m { x = 5; })` is `error[E0381]: used binding `x` isn't
///   initialized` with "help: consider assigning a value". Initialise it
///   before the block, or make it the block's value
///   (`let x = async_with!(m { 5 });`). (`tests/ui/local_assigned_in_body.rs`)
/// - **Control flow inside another macro's arguments.** `?` and `return`
///   are rewritten inside the standard formatting, assertion and `vec!`
///   macros, whose arguments are plain expressions; inside any other
///   macro's tokens (`tokio::select!`, `matches!`, your own) they are not,
///   since those tokens are opaque until that macro expands, after
///   `async_with!`: they would leave only the `async` block the body runs
///   in. A `return` there (also through macros or an `async_with!` nested
///   in those tokens, and in `select!`-style arms) is a compile error at
///   the `return`: "`return` inside `passthrough!(..)` is not seen by
///   `async_with!` ... compute the value first (`let value =
///   passthrough!(..);`), then `return` in the body itself". A `?`, `break`
///   or `continue` there gets rustc's error about the `async` block ("the
///   `?` operator can only be used in an async block that returns
///   `Result`", "`break` inside `async` block"); the way around is the
///   same: compute the value first, then leave in the body itself. Two
///   `return`s that are fine inline are refused too: in a block given to a
///   macro that runs it in a closure of its own (a hand-made `try` block;
///   write the closure in the body instead), and in tokens a macro of your
///   own drops unread (`ignore!(return 1)`; `stringify!`, `quote!` and the
///   other standard token macros are known). Closures, `async`
///   blocks, nested `fn`s, `impl`s and `macro_rules!`, loops, labelled
///   blocks, generator bodies (a `return` beside a `yield`, as in
///   `async_stream::stream!`) and scopeguard's `defer!` in those tokens
///   keep their own control flow, as inline (`tests/macro_behaviour/equivalence_macros.rs`).
///   (`tests/ui/return_inside_another_macro.rs`,
///   `tests/ui/return_in_another_macros_arms.rs`,
///   `tests/ui/return_through_nested_macros.rs`,
///   `tests/ui/return_in_select_beside_an_async_branch.rs`)
/// - **A macro that returns without `return` in its tokens** (anyhow's and
///   eyre's `bail!` and `ensure!`): nothing in the body shows the way out,
///   so it leaves only the `async` block, and rustc reports `error[E0308]:
///   mismatched types ... found __AsyncWithFlow0<..>` with "return type
///   inferred to be ... here" at the macro. Write the `return` in the body:
///   `return Err(anyhow!(..))`, or `Err(anyhow!(..))?`.
///   (`tests/ui/return_hidden_by_a_macros_expansion.rs`)
/// - **A nested block under another name.** A nested block is recognised by
///   its name: it must be spelled `async_with!` (any path ending in
///   `async_with`) for its own `return`, `?`, `break` and `continue` to be
///   rewritten. Under another name (a re-export such as `scoped!`), nest
///   blocks in separate functions, or use one invocation with several
///   managers.
/// - **Lints on the tail expression.** The body's last expression is
///   checked through a call that gives it its expected type; `unreachable_code`
///   and `unused_braces` are allowed on that expression (a `-> !` tail would
///   otherwise make the call unreachable), so those two lints do not fire
///   inside it.
/// - Names starting with `__async_with` are the expansion's: a constant or
///   unit struct with such a name in scope clashes with it.
///
/// # What the macro writes
///
/// Hand-simplified expansions that compile and run:
/// [`examples/basic-expanded.rs`](https://github.com/async-with/async-with/blob/main/examples/basic-expanded.rs)
/// and
/// [`examples/control-flow-expanded.rs`](https://github.com/async-with/async-with/blob/main/examples/control-flow-expanded.rs).
#[macro_export]
macro_rules! async_with {
    ($($tokens:tt)*) => {
        $crate::__private::async_with_inner!(($crate) $($tokens)*)
    };
}

// Not public API.
#[doc(hidden)]
pub mod __private {
    // Exactly what the expansion names (and `Unmarked`, which its error
    // for an unmarked fallible manager names), nothing else.
    #[doc(hidden)]
    pub use async_with_core::private::{
        AsyncContextManager, Branch, ByValue, CatchUnwindBody, CatchUnwindNest, ControlFlow, Err,
        Held, Hint, Infallible, Ok, Outcome, Unmarked, UnmarkedResult, arm, core, log_exit_error,
        panicked, probe, propagate_panic, resume, typed,
    };
    #[doc(hidden)]
    pub use async_with_macros::async_with_inner;
}
