//! The shared test set-up, declared once per test binary: by each group's
//! `main.rs` (`#[path = "../support/mod.rs"] mod support;`) and by the
//! stand-alone files in `tests/` (`mod support;`); test modules reach it as
//! `crate::support`.
//!
//! Here: a recording test manager that logs `enter`, `exit` and `cancel`
//! events so tests can assert the exact sequence. Beside it: `equivalence`
//! (the compile-equivalence harness), `led` (the sysfs files and one lit
//! block), `executors` and `spotlight_suite` (the Spotlight suite per
//! executor), `seeded` (reproducible randomness for the load tests).
#![allow(dead_code, unreachable_pub)]

pub mod equivalence;
pub mod executors;
pub mod led;
pub mod several;
pub mod spotlight_suite;

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_with::{AsyncContextManager, Outcome};

/// A shared, ordered event log.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&self, event: impl Into<String>) {
        self.0.lock().unwrap().push(event.into());
    }

    pub fn events(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    /// A manager named `name` that records into this log.
    pub fn manager(&self, name: &'static str) -> Recorder {
        Recorder::new(name, self.clone())
    }

    /// A fallible manager named `name` that records into this log.
    pub fn fallible(&self, name: &'static str) -> Fallible {
        Fallible {
            inner: Recorder::new(name, self.clone()),
            fail_enter: false,
            fail_exit: false,
        }
    }
}

impl fmt::Debug for Log {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.events()).finish()
    }
}

/// Renders an outcome the way the tests compare it.
pub fn describe(outcome: &Outcome<'_>) -> String {
    match outcome {
        Outcome::Completed => "completed".into(),
        Outcome::Failed(failure) => match failure.error() {
            Some(error) => format!("failed({error:?})"),
            None => "failed".into(),
        },
        Outcome::Panicked(panic) => format!("panicked({})", panic.message().unwrap_or("?")),
        Outcome::Cancelled => "cancelled".into(),
        _ => "unknown".into(),
    }
}

/// An infallible manager that records its events; its target is its name.
#[derive(Debug)]
pub struct Recorder {
    pub name: &'static str,
    pub log: Log,
    /// How long `exit` awaits before it completes.
    pub exit_delay: Option<Duration>,
    /// How long `enter` awaits before it completes.
    pub enter_delay: Option<Duration>,
    pub panic_in_enter: bool,
    pub panic_in_exit: bool,
}

impl Recorder {
    pub fn new(name: &'static str, log: Log) -> Self {
        Recorder {
            name,
            log,
            exit_delay: None,
            enter_delay: None,
            panic_in_enter: false,
            panic_in_exit: false,
        }
    }

    pub fn slow_exit(mut self, delay: Duration) -> Self {
        self.exit_delay = Some(delay);
        self
    }

    pub fn slow_enter(mut self, delay: Duration) -> Self {
        self.enter_delay = Some(delay);
        self
    }

    pub fn panicking_enter(mut self) -> Self {
        self.panic_in_enter = true;
        self
    }

    pub fn panicking_exit(mut self) -> Self {
        self.panic_in_exit = true;
        self
    }
}

impl AsyncContextManager for Recorder {
    type Target<'a> = &'static str;
    type Error = std::convert::Infallible;

    async fn enter(&mut self) -> Result<&'static str, Self::Error> {
        if let Some(delay) = self.enter_delay {
            tokio::time::sleep(delay).await;
        }
        if self.panic_in_enter {
            panic!("enter of {} panicked", self.name);
        }
        self.log.push(format!("enter {}", self.name));
        Ok(self.name)
    }

    async fn exit(&mut self, outcome: Outcome<'_>) -> Result<(), Self::Error> {
        self.log
            .push(format!("exit {} {}", self.name, describe(&outcome)));
        if let Some(delay) = self.exit_delay {
            tokio::time::sleep(delay).await;
        }
        if self.panic_in_exit {
            panic!("exit of {} panicked", self.name);
        }
        self.log.push(format!("exited {}", self.name));
        Ok(())
    }

    fn cancel(&mut self) {
        self.log.push(format!("cancel {}", self.name));
    }
}

/// The error of a [`Fallible`] manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagerError(pub String);

impl fmt::Display for ManagerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ManagerError {}

/// A fallible recording manager.
#[derive(Debug)]
pub struct Fallible {
    pub inner: Recorder,
    pub fail_enter: bool,
    pub fail_exit: bool,
}

impl Fallible {
    pub fn failing_enter(mut self) -> Self {
        self.fail_enter = true;
        self
    }

    pub fn failing_exit(mut self) -> Self {
        self.fail_exit = true;
        self
    }
}

impl AsyncContextManager for Fallible {
    type Target<'a> = &'static str;
    type Error = ManagerError;

    async fn enter(&mut self) -> Result<&'static str, ManagerError> {
        if self.fail_enter {
            self.inner
                .log
                .push(format!("enter {} failed", self.inner.name));
            return Err(ManagerError(format!("enter {} failed", self.inner.name)));
        }
        Ok(self.inner.enter().await.unwrap())
    }

    async fn exit(&mut self, outcome: Outcome<'_>) -> Result<(), ManagerError> {
        self.inner.exit(outcome).await.unwrap();
        if self.fail_exit {
            return Err(ManagerError(format!("exit {} failed", self.inner.name)));
        }
        Ok(())
    }

    fn cancel(&mut self) {
        self.inner.cancel();
    }
}

/// Runs `future` to completion on a current-thread and on a multi-thread
/// runtime, giving each run a fresh log.
pub fn on_both_runtimes<F, Fut>(test: F)
where
    F: Fn(Log) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let current = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    current.block_on(test(Log::new()));
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // Spawned, so the block runs on a worker thread and must be `Send`.
    multi.block_on(async { tokio::spawn(test(Log::new())).await.unwrap() });
}

// Both test managers' futures are `Send`, so they work in the exit stack,
// under `Detached` and in spawned generic code.
async_with::impl_send_manager!(Recorder);
async_with::impl_send_manager!(Fallible);

/// Polls `future` once, asserts it is pending, then drops it: cancellation
/// at its first pending `.await`.
pub async fn cancel_at_first_pending<F: std::future::Future>(future: F) {
    let mut future = std::pin::pin!(future);
    assert!(
        futures::poll!(future.as_mut()).is_pending(),
        "the future finished before it could be cancelled"
    );
}

/// Runs `future`, expecting it to panic; returns the panic message.
pub async fn panic_message<F: std::future::Future>(future: F) -> String {
    use futures::FutureExt;
    let payload = std::panic::AssertUnwindSafe(future)
        .catch_unwind()
        .await
        .err()
        .expect("the future did not panic");
    if let Some(message) = payload.downcast_ref::<&str>() {
        return (*message).to_owned();
    }
    payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_else(|| "<non-string panic>".to_owned())
}

/// A recording manager whose target is an owned `String`: the function
/// API's closures then have no lifetime in their argument (see the `with`
/// docs on rustc's limitation for targets holding a fixed lifetime such as
/// `&'static str`).
#[derive(Debug)]
pub struct Owned<M>(pub M);

impl Log {
    /// A recording manager named `name` whose target is an owned `String`.
    pub fn owned(&self, name: &'static str) -> Owned<Recorder> {
        Owned(self.manager(name))
    }

    /// A fallible recording manager whose target is an owned `String`.
    pub fn owned_fallible(&self, name: &'static str) -> Owned<Fallible> {
        Owned(self.fallible(name))
    }
}

impl<M> AsyncContextManager for Owned<M>
where
    M: for<'a> AsyncContextManager<Target<'a> = &'static str> + 'static,
{
    type Target<'a> = String;
    type Error = M::Error;

    async fn enter(&mut self) -> Result<String, Self::Error> {
        Ok(self.0.enter().await?.to_owned())
    }

    async fn exit(&mut self, outcome: Outcome<'_>) -> Result<(), Self::Error> {
        self.0.exit(outcome).await
    }

    fn cancel(&mut self) {
        self.0.cancel();
    }
}

async_with::impl_send_manager!(Owned<Recorder>);
async_with::impl_send_manager!(Owned<Fallible>);

/// A resource for `manager_fn` tests that records its drop, so a test can
/// tell "its `Drop` was its cleanup" from "it leaked".
#[derive(Debug)]
pub struct Resource {
    pub name: &'static str,
    pub log: Log,
}

impl Resource {
    pub fn new(log: &Log, name: &'static str) -> Self {
        Resource {
            name,
            log: log.clone(),
        }
    }
}

impl Drop for Resource {
    fn drop(&mut self) {
        self.log.push(format!("{} dropped", self.name));
    }
}

thread_local! {
    static PANICS_HERE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many panics have started on this thread since the first call (the
/// first call installs the counting hook). Catches panics that nothing
/// reports, such as one in a task spawned on a current-thread runtime.
pub fn panics_on_this_thread() -> usize {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS_HERE.with(|count| count.set(count.get() + 1));
            default(info);
        }));
    });
    PANICS_HERE.with(std::cell::Cell::get)
}

mod seeded;
#[allow(unused_imports)] // Each test binary uses some of them.
pub use seeded::{env_or, mix, silence_planned_panics, unplanned_panics};

/// A target that records its drop, so a test can place it among the
/// manager's `exit` and `cancel` events.
#[derive(Debug)]
pub struct LoggedTarget(pub Resource);

impl Log {
    /// A recording manager named `name` whose target logs
    /// `"{name} target dropped"` when dropped.
    pub fn dropping_target(&self, name: &'static str) -> DroppingTarget {
        DroppingTarget(self.manager(name))
    }
}

/// A [`Recorder`] whose target is a [`LoggedTarget`] (see
/// [`Log::dropping_target`]).
#[derive(Debug)]
pub struct DroppingTarget(pub Recorder);

impl AsyncContextManager for DroppingTarget {
    type Target<'a> = LoggedTarget;
    type Error = std::convert::Infallible;

    async fn enter(&mut self) -> Result<LoggedTarget, Self::Error> {
        self.0.enter().await?;
        let name: &'static str = format!("{} target", self.0.name).leak();
        Ok(LoggedTarget(Resource::new(&self.0.log, name)))
    }

    async fn exit(&mut self, outcome: Outcome<'_>) -> Result<(), Self::Error> {
        self.0.exit(outcome).await
    }

    fn cancel(&mut self) {
        self.0.cancel();
    }
}
